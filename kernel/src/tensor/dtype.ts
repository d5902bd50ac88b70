/**
 * Dtypes, the default floating dtype, and PyTorch's type-promotion rules.
 *
 * Promotion (torch.result_type): operands fall in three priority groups — tensors with at least one
 * dimension, zero-dimensional tensors, and plain JS numbers/booleans ("scalars"). Within a group the
 * higher dtype wins (bool < uint8 < int8 < int16 < int32 < int64 < float32 < float64, except that
 * uint8 with int8 gives int16, as PyTorch's table). A lower-priority group only changes the
 * result when it is of a higher *category* (bool < integer < floating): so a float64 0-dim tensor
 * does not turn a float32 tensor into float64, and a JS number never promotes a float tensor, but
 * an int64 tensor times 0.5 becomes the default float dtype.
 *
 * JS cannot tell `2` from `2.0`; an integer-valued number counts as an integer scalar, others as
 * floating scalars.
 */
import type { DType, Storage } from "./tensor";
import { RuntimeError } from "../errors";

export const float32: DType = "float32";
export const float64: DType = "float64";
export const int64: DType = "int64";
export const bool: DType = "bool";
/** Aliases PyTorch also has: torch.float, torch.double, torch.long. */
export const float: DType = "float32";
export const double: DType = "float64";
export const long: DType = "int64";
/** The smaller integer dtypes, and PyTorch's aliases torch.int (int32) and torch.short (int16). */
export const int32: DType = "int32";
export const int16: DType = "int16";
export const int8: DType = "int8";
export const uint8: DType = "uint8";
export const int: DType = "int32";
export const short: DType = "int16";

const DTYPES: readonly DType[] = ["float32", "float64", "int64", "int32", "int16", "int8", "uint8", "bool"];
const ALIASES: Record<string, DType> = {
  float32: "float32", float: "float32", "torch.float32": "float32", "torch.float": "float32",
  float64: "float64", double: "float64", "torch.float64": "float64", "torch.double": "float64",
  int64: "int64", long: "int64", "torch.int64": "int64", "torch.long": "int64",
  int32: "int32", int: "int32", "torch.int32": "int32", "torch.int": "int32",
  int16: "int16", short: "int16", "torch.int16": "int16", "torch.short": "int16",
  int8: "int8", "torch.int8": "int8",
  uint8: "uint8", "torch.uint8": "uint8",
  bool: "bool", "torch.bool": "bool",
};

/** c10's ScalarType names ("Double", "Byte"), as PyTorch's messages print a dtype. */
export const SCALAR_TYPE_NAME: Record<DType, string> = {
  float32: "Float", float64: "Double", int64: "Long", int32: "Int", int16: "Short", int8: "Char", uint8: "Byte", bool: "Bool",
};
/** The C type names ("long int", "unsigned char") other PyTorch messages print. */
export const C_TYPE_NAME: Record<DType, string> = {
  float32: "float", float64: "double", int64: "long int", int32: "int", int16: "short int", int8: "signed char", uint8: "unsigned char", bool: "bool",
};
/** PyTorch's legacy tensor type names (`t.type()`). */
export const TENSOR_TYPE_NAME: Record<DType, string> = {
  float32: "torch.FloatTensor", float64: "torch.DoubleTensor", int64: "torch.LongTensor", int32: "torch.IntTensor",
  int16: "torch.ShortTensor", int8: "torch.CharTensor", uint8: "torch.ByteTensor", bool: "torch.BoolTensor",
};
/** Bytes per element in PyTorch (`element_size()`; lrlab stores every non-float32 dtype in a Float64Array). */
export const ELEMENT_SIZE: Record<DType, number> = { float32: 4, float64: 8, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1 };

/** Whether `dtype` is one of the integer dtypes (int64, int32, int16, int8, uint8; not bool). */
export function is_integer(dtype: DType): boolean {
  return dtype === "int64" || dtype === "int32" || dtype === "int16" || dtype === "int8" || dtype === "uint8";
}

/** An integer dtype narrower than int64, whose values wrap around on overflow. */
export function is_small_int(dtype: DType): boolean {
  return dtype === "int32" || dtype === "int16" || dtype === "int8" || dtype === "uint8";
}

/** What `torch.iinfo(dtype)` returns: an integer dtype's bits, min and max. */
export class IInfo {
  readonly bits: number;
  readonly min: number;
  readonly max: number;
  readonly dtype: string;
  constructor(dtype: DType | string) {
    const d = check_dtype(dtype, "iinfo");
    if (!is_integer(d)) throw new TypeError(`torch.${d} is not supported by torch.iinfo`);
    this.dtype = d;
    this.bits = ELEMENT_SIZE[d] * 8;
    if (d === "uint8") {
      this.min = 0;
      this.max = 255;
    } else if (d === "int64") {
      // PyTorch's are -2^63 and 2^63 - 1; as numbers these are their nearest doubles (lrlab's int64 is exact to 2^53)
      this.min = -(2 ** 63);
      this.max = 2 ** 63 - 1;
    } else {
      this.min = -(2 ** (this.bits - 1));
      this.max = 2 ** (this.bits - 1) - 1;
    }
  }
  toString(): string {
    return `iinfo(min=${this.dtype === "int64" ? "-9223372036854775808" : this.min}, max=${this.dtype === "int64" ? "9223372036854775807" : this.max}, dtype=${this.dtype})`;
  }
}

/** `torch.iinfo(dtype)`: the bits, min and max of an integer dtype (bool and the floats are refused, as PyTorch's). */
export function iinfo(dtype: DType | string): IInfo {
  return new IInfo(dtype);
}

/** Whether `name` is one of lrlab's dtypes by one of its names ("float64", "double", "torch.float64", ...). */
export function isLrlabDtype(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(ALIASES, name);
}

/** Validates a user-given dtype (accepting PyTorch's aliases), with an error listing what is allowed. */
export function check_dtype(dtype: unknown, where = "dtype"): DType {
  if (typeof dtype === "string" && Object.prototype.hasOwnProperty.call(ALIASES, dtype)) return ALIASES[dtype];
  throw new TypeError(
    `${where}: unsupported dtype ${JSON.stringify(dtype)}; allowed: ${DTYPES.map((d) => `"${d}"`).join(", ")} (or torch.float32, torch.float64, torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool)`,
  );
}

let default_dtype: DType = "float32";

export function get_default_dtype(): DType {
  return default_dtype;
}

/** As torch.set_default_dtype: only floating dtypes can be the default. */
export function set_default_dtype(dtype: DType): void {
  const d = check_dtype(dtype, "set_default_dtype");
  if (!is_floating(d)) {
    throw new TypeError(`only floating-point types are supported as the default type (got ${d})`);
  }
  default_dtype = d;
}

export function is_floating(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

/** 0 = bool, 1 = integer, 2 = floating. */
export function category(dtype: DType): number {
  return dtype === "bool" ? 0 : dtype === "float32" || dtype === "float64" ? 2 : 1;
}

const RANK: Record<DType, number> = { bool: 0, uint8: 1, int8: 2, int16: 3, int32: 4, int64: 5, float32: 6, float64: 7 };

export function promote_types(a: DType, b: DType): DType {
  // PyTorch's table: no 8-bit type holds both uint8 and int8, so they meet at int16
  if ((a === "uint8" && b === "int8") || (a === "int8" && b === "uint8")) return "int16";
  return RANK[a] >= RANK[b] ? a : b;
}

/** torch.can_cast(from, to): PyTorch's casting rule, no lower category (float to int, int to bool). */
export function can_cast(from: DType, to: DType): boolean {
  return category(check_dtype(from, "can_cast")) <= category(check_dtype(to, "can_cast"));
}

/** The dtype a JS scalar stands for when it takes part in promotion. */
export function scalar_dtype(v: number | boolean): DType {
  if (typeof v === "boolean") return "bool";
  return Number.isInteger(v) ? "int64" : default_dtype;
}

/**
 * Writes `v` into storage of `dtype` semantics: integers truncate toward zero, int32/int16/int8/uint8
 * then wrap around modulo 2^bits as PyTorch's (uint8: 300 -> 44, -1 -> 255; int8: 200 -> -56), bool
 * is 0/1. NaN and ±Infinity (platform-defined in PyTorch) become 0 in the small integer dtypes
 * (JavaScript's ToInt32); int64 keeps Math.trunc's value.
 */
export function coerce(v: number, dtype: DType): number {
  switch (dtype) {
    case "int64": return Math.trunc(v) + 0; // + 0: no negative zero in int64
    case "int32": return v | 0;
    case "int16": return (v << 16) >> 16;
    case "int8": return (v << 24) >> 24;
    case "uint8": return v & 255;
    case "bool": return v !== 0 ? 1 : 0; // NaN counts as true, as in PyTorch
    default: return v;
  }
}

/**
 * `expr` (a JS expression producing a number) wrapped so that its value is stored with `dtype`'s
 * semantics, as coerce() (for the generated kernels); floating and bool dtypes get `expr` unchanged.
 */
export function coerce_expr(expr: string, dtype: DType): string {
  switch (dtype) {
    case "int64": return `(${expr}) + 0`;
    case "int32": return `(${expr}) | 0`;
    case "int16": return `((${expr}) << 16) >> 16`;
    case "int8": return `((${expr}) << 24) >> 24`;
    case "uint8": return `(${expr}) & 255`;
    default: return expr; // bool kernels already produce 0/1 (comparisons, logical ops)
  }
}

/** Writes every element of `data` (storage of `dtype`) with coerce()'s semantics, in place; no-op for floats. */
export function coerce_storage(data: Storage, dtype: DType): void {
  if (dtype === "float32" || dtype === "float64") return;
  for (let i = 0; i < data.length; i++) data[i] = coerce(data[i], dtype);
}

export function storage_for(dtype: DType, n: number): Storage {
  try {
    return dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  } catch (e) {
    throw allocation_error(dtype, n, e);
  }
}

/**
 * The error for storage that cannot be allocated: V8's own says "Invalid typed array length:
 * 10000000000" or "Array buffer allocation failed", naming neither the tensor nor its size.
 */
export function allocation_error(dtype: DType, n: number, cause: unknown): unknown {
  if (!(cause instanceof RangeError)) return cause;
  const bytes = n * (dtype === "float32" ? 4 : 8); // storage bytes: only float32 has 4-byte storage
  const size = bytes >= 1e9 ? `${(bytes / 1e9).toPrecision(3)} GB` : `${(bytes / 1e6).toPrecision(3)} MB`;
  return new RangeError(
    `cannot allocate a tensor of ${n} ${dtype} elements (${size}): ${cause.message}. `
    + "A tensor is one JavaScript typed array, at most 2^32 elements and as much memory as this process can get; use a smaller shape or batch.",
  );
}

/** Copies `src` into fresh storage of `dtype`, converting values as PyTorch's `.to(dtype)` does. */
export function cast_storage(src: Storage, dtype: DType): Storage {
  const n = src.length;
  const out = storage_for(dtype, n);
  if (dtype === "int64") {
    for (let i = 0; i < n; i++) out[i] = Math.trunc(src[i]) + 0;
  } else if (is_small_int(dtype)) {
    for (let i = 0; i < n; i++) out[i] = coerce(src[i], dtype);
  } else if (dtype === "bool") {
    for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0; // NaN != 0 is true, as in PyTorch
  } else {
    out.set(src);
  }
  return out;
}

const SMALL_RANGE: Partial<Record<DType, [number, number, string, string]>> = {
  int32: [-(2 ** 31), 2 ** 31 - 1, "int", "int32"],
  int16: [-32768, 32767, "int16_t", "int16"],
  int8: [-128, 127, "int8_t", "int8"],
  uint8: [0, 255, "uint8_t", "uint8"],
};

/**
 * PyTorch's check on a Python scalar written into a small integer dtype (fill_, full,
 * masked_fill, torch.tensor's data): out of range (or NaN) is "value cannot be converted to type
 * uint8_t without overflow"; uint8 takes negative values down to -255, which wrap (-1 -> 255), as
 * c10's `overflows`. `factory`: torch.tensor's wording ("type uint8"). Other dtypes: no check.
 */
export function check_scalar_fits(v: number, dtype: DType, factory = false): void {
  const r = SMALL_RANGE[dtype];
  if (r === undefined) return;
  const [lo, hi, cname, name] = r;
  const bad = v !== v || v > hi || (dtype === "uint8" ? v < 0 && -v > hi : v < lo);
  if (bad) throw RuntimeError(`value cannot be converted to type ${factory ? name : cname} without overflow`);
}
