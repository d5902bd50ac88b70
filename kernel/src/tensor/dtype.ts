/**
 * Dtypes, the default floating dtype, and PyTorch's type-promotion rules.
 *
 * Promotion (torch.result_type): operands fall in three priority groups — tensors with at least one
 * dimension, zero-dimensional tensors, and plain JS numbers/booleans ("scalars"). Within a group the
 * higher dtype wins (bool < int64 < float32 < float64). A lower-priority group only changes the
 * result when it is of a higher *category* (bool < integer < floating): so a float64 0-dim tensor
 * does not turn a float32 tensor into float64, and a JS number never promotes a float tensor, but
 * an int64 tensor times 0.5 becomes the default float dtype.
 *
 * JS cannot tell `2` from `2.0`; an integer-valued number counts as an integer scalar, others as
 * floating scalars.
 */
import type { DType, Storage } from "./tensor";

export const float32: DType = "float32";
export const float64: DType = "float64";
export const int64: DType = "int64";
export const bool: DType = "bool";
/** Aliases PyTorch also has: torch.float, torch.double, torch.long. */
export const float: DType = "float32";
export const double: DType = "float64";
export const long: DType = "int64";

const DTYPES: readonly DType[] = ["float32", "float64", "int64", "bool"];
const ALIASES: Record<string, DType> = {
  float32: "float32", float: "float32", "torch.float32": "float32", "torch.float": "float32",
  float64: "float64", double: "float64", "torch.float64": "float64", "torch.double": "float64",
  int64: "int64", long: "int64", "torch.int64": "int64", "torch.long": "int64",
  bool: "bool", "torch.bool": "bool",
};

/** Whether `name` is one of lrlab's dtypes by one of its names ("float64", "double", "torch.float64", ...). */
export function isLrlabDtype(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(ALIASES, name);
}

/** Validates a user-given dtype (accepting PyTorch's aliases), with an error listing what is allowed. */
export function check_dtype(dtype: unknown, where = "dtype"): DType {
  if (typeof dtype === "string" && Object.prototype.hasOwnProperty.call(ALIASES, dtype)) return ALIASES[dtype];
  throw new TypeError(
    `${where}: unsupported dtype ${JSON.stringify(dtype)}; allowed: ${DTYPES.map((d) => `"${d}"`).join(", ")} (or torch.float32, torch.float64, torch.int64, torch.bool)`,
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
  return dtype === "bool" ? 0 : dtype === "int64" ? 1 : 2;
}

const RANK: Record<DType, number> = { bool: 0, int64: 1, float32: 2, float64: 3 };

export function promote_types(a: DType, b: DType): DType {
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

/** Writes `v` into storage of `dtype` semantics (int64 truncates toward zero, bool is 0/1). */
export function coerce(v: number, dtype: DType): number {
  if (dtype === "int64") return Math.trunc(v) + 0; // + 0: no negative zero in int64
  if (dtype === "bool") return v !== 0 ? 1 : 0; // NaN counts as true, as in PyTorch
  return v;
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
  const bytes = n * (dtype === "float32" ? 4 : 8);
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
  } else if (dtype === "bool") {
    for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0; // NaN != 0 is true, as in PyTorch
  } else {
    out.set(src);
  }
  return out;
}
