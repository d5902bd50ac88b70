/**
 * Tensor factories with PyTorch's names and argument styles: `tensor`, `zeros`, `ones`, `full`,
 * `empty`, `arange`, `linspace`, `eye`, the `*_like` family, and `from_array` for typed arrays.
 *
 * Deviation: JS numbers in `tensor([...])` make the default float dtype (JS has no int/float
 * distinction); ask for integers with `{ dtype: "int64" }`. Booleans make a bool tensor.
 */
import { DType, Storage, Tensor, check_tensor } from "./tensor";
import { check_dtype, check_scalar_fits, coerce, get_default_dtype, is_floating, is_small_int, storage_for } from "./dtype";
import { TensorOptions, check_options, check_size, fmt_shape, parse_size_args } from "./shape";
import { RuntimeError, RuntimeRangeError, ValueRangeError } from "../errors";
import { py_type_name } from "../utils/py_type_name";

type Nested = number | boolean | readonly Nested[] | Tensor | ArrayLike<number>;

function make(data: Storage, shape: readonly number[], dtype: DType, requires_grad: boolean | undefined, where: string): Tensor {
  if (requires_grad && !is_floating(dtype)) {
    throw RuntimeError(`Only Tensors of floating point and complex dtype can require gradients (${where}() got dtype ${dtype})`);
  }
  return new Tensor(data, shape, dtype, requires_grad ?? false);
}

/** Shape of nested arrays, checking they are rectangular (PyTorch's message otherwise). */
function infer_shape(x: Nested): number[] {
  const shape: number[] = [];
  let cur: unknown = x;
  while (Array.isArray(cur) || ArrayBuffer.isView(cur) || cur instanceof Tensor) {
    if (cur instanceof Tensor) {
      shape.push(...cur.shape);
      break;
    }
    const arr = cur as ArrayLike<unknown>;
    shape.push(arr.length);
    if (arr.length === 0) break;
    cur = arr[0];
  }
  return shape;
}

function fill_nested(x: unknown, shape: number[], depth: number, out: number[], kinds: { bool: boolean; num: boolean }): void {
  if (depth === shape.length) {
    if (typeof x === "number") {
      kinds.num = true;
      out.push(x);
    } else if (typeof x === "boolean") {
      kinds.bool = true;
      out.push(x ? 1 : 0);
    } else if (x instanceof Tensor && x.numel() === 1 && x.dim() === 0) {
      kinds.num = true;
      out.push(x.data[0]);
    } else {
      throw new TypeError(`tensor(): expected a number or boolean at depth ${depth}, got ${describe(x)}`);
    }
    return;
  }
  if (x instanceof Tensor) {
    if (x.shape.length !== shape.length - depth || x.shape.some((d, i) => d !== shape[depth + i])) {
      throw new RangeError(`tensor(): expected a tensor of shape ${fmt_shape(shape.slice(depth))} at dim ${depth}, got ${fmt_shape(x.shape)}`);
    }
    kinds.num = true;
    for (let i = 0; i < x.data.length; i++) out.push(x.data[i]);
    return;
  }
  if (!Array.isArray(x) && !ArrayBuffer.isView(x)) {
    throw new RangeError(`tensor(): expected sequence of length ${shape[depth]} at dim ${depth} (got ${describe(x)})`);
  }
  const arr = x as unknown as ArrayLike<unknown>;
  if (arr.length !== shape[depth]) {
    throw ValueRangeError(`expected sequence of length ${shape[depth]} at dim ${depth} (got ${arr.length})`);
  }
  if (ArrayBuffer.isView(x) && depth === shape.length - 1) {
    kinds.num = true;
    for (let i = 0; i < arr.length; i++) out.push(arr[i] as number);
    return;
  }
  for (let i = 0; i < arr.length; i++) fill_nested(arr[i], shape, depth + 1, out, kinds);
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  return typeof x;
}

/** `torch.tensor(data, { dtype?, requires_grad? })`: copies nested arrays / numbers / booleans. */
export function tensor(data: Nested, options?: TensorOptions): Tensor {
  const o = check_options(options, "tensor");
  if (data === undefined || data === null) throw new TypeError("tensor(): data must be a number, a boolean or a (nested) array, got " + data);
  const shape = infer_shape(data);
  const flat: number[] = [];
  const kinds = { bool: false, num: false };
  fill_nested(data, shape, 0, flat, kinds);
  let dtype: DType;
  if (o.dtype) dtype = o.dtype;
  else if (data instanceof Tensor) dtype = data.dtype;
  else if (kinds.bool && !kinds.num) dtype = "bool";
  else dtype = get_default_dtype();
  const store = storage_for(dtype, flat.length);
  // PyTorch refuses a Python number out of a small integer dtype's range (uint8 takes -255..255, wrapping)
  if (is_small_int(dtype) && !(data instanceof Tensor)) for (let i = 0; i < flat.length; i++) check_scalar_fits(flat[i], dtype, true);
  for (let i = 0; i < flat.length; i++) store[i] = coerce(flat[i], dtype);
  return make(store, shape, dtype, o.requires_grad, "tensor");
}

/** `torch.as_tensor`: like tensor(), but returns a Tensor argument unchanged when no dtype change is asked. */
export function as_tensor(data: Nested, options?: TensorOptions): Tensor {
  if (data instanceof Tensor && (options?.dtype === undefined || check_dtype(options.dtype) === data.dtype)) return data;
  return tensor(data, options);
}

/**
 * Wraps a typed array as a tensor (no copy when the storage type already fits the dtype; a
 * Float32Array makes float32, any other typed array float64 unless `dtype` says otherwise).
 * `shape` defaults to 1-D.
 */
export function from_array(array: ArrayLike<number>, shape?: readonly number[], options?: TensorOptions): Tensor {
  const o = check_options(options, "from_array");
  const s = shape === undefined ? [array.length] : check_size(shape, "from_array");
  const dtype = o.dtype ?? (array instanceof Float32Array ? "float32" : array instanceof Float64Array ? "float64" : get_default_dtype());
  let store: Storage;
  const fits = dtype === "float32" ? array instanceof Float32Array : array instanceof Float64Array;
  if (fits && (dtype === "float32" || dtype === "float64")) store = array as Storage;
  else {
    store = storage_for(dtype, array.length);
    for (let i = 0; i < array.length; i++) store[i] = coerce(array[i], dtype);
  }
  const n = s.reduce((a, b) => a * b, 1);
  if (n !== store.length) throw new RangeError(`from_array(): shape ${fmt_shape(s)} is invalid for input of size ${store.length}`);
  return make(store, s, dtype, o.requires_grad, "from_array");
}

function filled(size: number[], value: number, o: TensorOptions, where: string, dtype?: DType): Tensor {
  const dt = o.dtype ?? dtype ?? get_default_dtype();
  const n = size.reduce((a, b) => a * b, 1);
  const store = storage_for(dt, n);
  check_scalar_fits(value, dt); // full(300, { dtype: uint8 }) is PyTorch's overflow error
  const v = coerce(value, dt);
  if (v !== 0) store.fill(v);
  return make(store, size, dt, o.requires_grad, where);
}

export type SizeArgs = (number | readonly number[] | TensorOptions)[];

/** `zeros(2, 3)`, `zeros([2, 3])`, `zeros(2, 3, { dtype })`. */
export function zeros(...args: SizeArgs): Tensor {
  // (zeros alone has this wording in PyTorch; ones, empty, full say "Trying to create tensor with negative dimension")
  const dims = (args.length > 0 && Array.isArray(args[0]) ? args[0] : args) as readonly unknown[];
  if (dims.some((d) => Number.isInteger(d) && (d as number) < 0)) throw RuntimeRangeError(`zeros: Dimension size must be non-negative. (got size [${dims.join(", ")}])`);
  const { size, options } = parse_size_args(args, "zeros");
  return filled(size, 0, options, "zeros");
}

export function ones(...args: SizeArgs): Tensor {
  const { size, options } = parse_size_args(args, "ones");
  return filled(size, 1, options, "ones");
}

/** Uninitialised in PyTorch; zero-filled here (deterministic). */
export function empty(...args: SizeArgs): Tensor {
  const { size, options } = parse_size_args(args, "empty");
  return filled(size, 0, options, "empty");
}

/** `full(size, fill_value, options?)`: a boolean fill makes a bool tensor, a number the default float dtype. */
export function full(size: number | readonly number[], fill_value: number | boolean, options?: TensorOptions): Tensor {
  const o = check_options(options, "full");
  const s = check_size(Array.isArray(size) ? size : [size], "full", !Array.isArray(size));
  if (typeof fill_value !== "number" && typeof fill_value !== "boolean") {
    throw new TypeError(`full(): fill_value must be a number or a boolean, got ${describe(fill_value)}`);
  }
  return filled(s, Number(fill_value), o, "full", typeof fill_value === "boolean" ? "bool" : undefined);
}

function like_opts(t: Tensor, options: TensorOptions | undefined, where: string): TensorOptions {
  check_tensor(t, where);
  const o = check_options(options, where);
  return { dtype: o.dtype ?? t.dtype, requires_grad: o.requires_grad };
}

export function zeros_like(t: Tensor, options?: TensorOptions): Tensor {
  return filled([...t.shape], 0, like_opts(t, options, "zeros_like"), "zeros_like");
}

export function ones_like(t: Tensor, options?: TensorOptions): Tensor {
  return filled([...t.shape], 1, like_opts(t, options, "ones_like"), "ones_like");
}

export function empty_like(t: Tensor, options?: TensorOptions): Tensor {
  return filled([...t.shape], 0, like_opts(t, options, "empty_like"), "empty_like");
}

export interface FullOptions extends TensorOptions {
  fill_value?: number | boolean;
}

/**
 * `fill_value` positionally or as PyTorch's keyword (`full_like(t, { fill_value: 2 })`), the rest
 * tensor options. A non-number (an object read with Number() gave NaN) is an error.
 */
function fill_args(fill_value: unknown, options: unknown, where: string): { value: number | boolean; options: TensorOptions | undefined } {
  if (fill_value !== null && typeof fill_value === "object" && !Array.isArray(fill_value) && !(fill_value instanceof Tensor)) {
    if (options !== undefined) throw new TypeError(`${where}(): the options object must be the last argument`);
    const { fill_value: v, ...rest } = fill_value as FullOptions;
    if (v === undefined) throw new TypeError(`${where}() missing required argument 'fill_value' (pos 2)`);
    fill_value = v;
    options = rest;
  }
  if (typeof fill_value !== "number" && typeof fill_value !== "boolean") {
    throw new TypeError(`${where}(): argument 'fill_value' must be a number or a boolean, got ${describe(fill_value)}`);
  }
  return { value: fill_value, options: options as TensorOptions | undefined };
}

export function full_like(t: Tensor, fill_value: number | boolean | FullOptions, options?: TensorOptions): Tensor {
  const a = fill_args(fill_value, options, "full_like");
  return filled([...t.shape], Number(a.value), like_opts(t, a.options, "full_like"), "full_like");
}

/** `t.new_zeros(2, 3)` / `t.new_zeros([2, 3], { dtype, requires_grad })`: t's dtype unless `dtype` is given (it used to be ignored). */
export function new_filled(t: Tensor, args: SizeArgs, value: number, where: string): Tensor {
  const { size, options } = parse_size_args(args, where);
  return filled(size, value, { dtype: options.dtype ?? t.dtype, requires_grad: options.requires_grad }, where);
}

/** `t.new_full(size, fill_value, { dtype, requires_grad })` or `t.new_full(size, { fill_value, dtype })`. */
export function new_full(t: Tensor, size: number | readonly number[], fill_value: number | boolean | FullOptions, options?: TensorOptions): Tensor {
  const a = fill_args(fill_value, options, "new_full");
  const o = check_options(a.options, "new_full");
  const s = check_size(Array.isArray(size) ? size : [size], "new_full", !Array.isArray(size));
  return filled(s, Number(a.value), { dtype: o.dtype ?? t.dtype, requires_grad: o.requires_grad }, "new_full");
}

/**
 * `arange(end)`, `arange(start, end, step = 1)`, each with trailing options. Values are
 * start + i*step for i < ceil((end - start) / step). Integer-valued arguments give int64 (as in
 * PyTorch for Python ints), otherwise the default float dtype.
 */
export function arange(...args: (number | TensorOptions)[]): Tensor {
  let o: TensorOptions = {};
  if (args.length > 0 && typeof args[args.length - 1] === "object") o = args.pop() as TensorOptions;
  o = check_options(o, "arange");
  for (const a of args) if (typeof a !== "number") throw new TypeError(`arange(): start, end and step must be numbers, got ${describe(a)}`);
  const nums = args as number[];
  if (nums.length < 1 || nums.length > 3) throw new TypeError(`arange() takes 1 to 3 numbers (end | start, end[, step]), got ${nums.length}`);
  const [start, end, step] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
  if (step === 0) throw RuntimeRangeError("arange(): step must be nonzero");
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new RangeError("arange(): unsupported range: start and end must be finite");
  if ((end - start) / step < 0) {
    throw RuntimeRangeError(`upper bound and lower bound inconsistent with step sign (arange(): start=${start}, end=${end}, step=${step})`);
  }
  const n = Math.ceil((end - start) / step);
  const dtype = o.dtype ?? (nums.every((v) => Number.isInteger(v)) ? "int64" : get_default_dtype());
  const store = storage_for(dtype, n);
  for (let i = 0; i < n; i++) store[i] = coerce(start + i * step, dtype);
  return make(store, [n], dtype, o.requires_grad, "arange");
}

/**
 * `linspace(start, end, steps)`: `steps` evenly spaced values. As PyTorch, the first half counts
 * up from start and the second half down from end (step = (end - start) / (steps - 1)), so both
 * endpoints are exact.
 */
export function linspace(start: number, end: number, steps: number | (TensorOptions & { steps: number }), options?: TensorOptions): Tensor {
  if (typeof steps === "object" && steps !== null) {
    // Python's keyword: linspace(0, 1, steps=5, dtype=...) is linspace(0, 1, { steps: 5, dtype })
    const { steps: s, ...rest } = steps;
    return linspace(start, end, s, { ...rest, ...options });
  }
  const o = check_options(options, "linspace");
  if (!Number.isInteger(steps) || steps < 0) throw RuntimeRangeError(`linspace(): number of steps must be non-negative, got ${steps}`);
  const dtype = o.dtype ?? get_default_dtype();
  const store = storage_for(dtype, steps);
  if (steps === 1) store[0] = coerce(start, dtype);
  else if (steps > 1) {
    const step = (end - start) / (steps - 1);
    const half = Math.floor(steps / 2);
    for (let i = 0; i < steps; i++) store[i] = coerce(i < half ? start + i * step : end - (steps - 1 - i) * step, dtype);
  }
  return make(store, [steps], dtype, o.requires_grad, "linspace");
}

/** Python's int (a JS integer number; a bool is not one, as in Python's argument parser). */
const is_int = (v: unknown): boolean => typeof v === "number" && Number.isInteger(v);

/**
 * PyTorch's argument-parser errors for eye's sizes that are not ints: n names its argument (the
 * one-size form's first), a bad m (given positionally, or m: in the options) falls through both
 * forms, PyTorch's "invalid combination" listing them.
 */
function eye_ints(n: unknown, m: unknown, m_keyword: boolean): void {
  if (!is_int(n)) throw new TypeError(`eye(): argument 'n' (position 1) must be int, not ${py_type_name(n)}`);
  if (m === undefined || is_int(m)) return;
  const rest = "*, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False";
  throw new TypeError(
    `eye() received an invalid combination of arguments - got (${py_type_name(n)}, ${m_keyword ? "m=" : ""}${py_type_name(m)}), but expected one of:\n` +
      ` * (int n, ${rest})\n * (int n, int m, ${rest})\n`,
  );
}

/** `eye(n)`, `eye(n, m)`: ones on the diagonal. */
export function eye(n: number, m?: number | (TensorOptions & { m?: number }), options?: TensorOptions): Tensor {
  if (typeof m === "object" && m !== null) {
    // Python's keyword: eye(2, m=3) is eye(2, { m: 3 })
    const { m: cols, ...rest } = m;
    options = { ...rest, ...options };
    m = cols;
    eye_ints(n, m, true);
  } else eye_ints(n, m, false);
  if (typeof n === "number" && n < 0) throw RuntimeRangeError(`n must be greater or equal to 0, got ${n}`);
  if (typeof m === "number" && m < 0) throw RuntimeRangeError(`m must be greater or equal to 0, got ${m}`);
  const cols = m ?? n;
  const [r, c] = check_size([n, cols], "eye");
  const o = check_options(options, "eye");
  const dtype = o.dtype ?? get_default_dtype();
  const store = storage_for(dtype, r * c);
  for (let i = 0; i < Math.min(r, c); i++) store[i * c + i] = 1;
  return make(store, [r, c], dtype, o.requires_grad, "eye");
}

/** `scalar_tensor(v)`: a 0-dim tensor. */
export function scalar_tensor(v: number | boolean, options?: TensorOptions): Tensor {
  return tensor(v, options);
}

/** `torch.is_tensor(obj)`. */
export function is_tensor(obj: unknown): obj is Tensor {
  return obj instanceof Tensor;
}

/** `torch.numel(t)`. */
/** Whether `input`'s dtype is a floating-point one (torch.is_floating_point). */
export function is_floating_point(input: Tensor): boolean {
  check_tensor(input, "is_floating_point");
  return input.is_floating_point();
}

export function numel(t: Tensor): number {
  check_tensor(t, "numel");
  return t.numel();
}
