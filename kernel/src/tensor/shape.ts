/**
 * Shape helpers: argument parsing in PyTorch's styles, dimension wrapping, broadcasting, and the
 * strided copy that materialises a broadcast ("expand") or a permutation.
 */
import type { DType, Shape, Storage } from "./tensor";
import { check_dtype } from "./dtype";
import { RuntimeRangeError } from "../errors";
import { first_non_int, int_list_error } from "./int_list_args";

export interface TensorOptions {
  dtype?: DType;
  requires_grad?: boolean;
}

export function fmt_shape(s: Shape): string {
  return `[${s.join(", ")}]`;
}

function is_options(x: unknown): x is TensorOptions {
  return x !== null && typeof x === "object" && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

/**
 * A size's elements checked: integers (else PyTorch's argument error, int_list_args.ts: `arg` is
 * the parameter's name, `scalar` says the size was one argument that is not an array, `zeros(2.5)`),
 * none negative.
 */
export function check_size(size: readonly unknown[], where: string, scalar = false, arg = "size"): number[] {
  const k = first_non_int(size);
  if (k >= 0) throw int_list_error(where, arg, size, k, scalar);
  for (const d of size as number[]) {
    if (d < 0) throw RuntimeRangeError(`${where}(): Trying to create tensor with negative dimension ${d}: ${fmt_shape(size as number[])}`);
  }
  return [...(size as number[])];
}

/**
 * Parses PyTorch's size arguments: `f(2, 3)`, `f([2, 3])`, each optionally followed by an options
 * object (`{ dtype, requires_grad }`).
 */
export function parse_size_args(args: readonly unknown[], where: string): { size: number[]; options: TensorOptions } {
  let list = args;
  let options: TensorOptions = {};
  if (list.length > 0 && is_options(list[list.length - 1])) {
    options = list[list.length - 1] as TensorOptions;
    list = list.slice(0, -1);
  }
  const scalar = list.length === 1 && !Array.isArray(list[0]);
  if (list.length === 1 && Array.isArray(list[0])) list = list[0] as unknown[];
  return { size: check_size(list, where, scalar), options: check_options(options, where) };
}

export function check_options(o: TensorOptions | undefined, where: string): TensorOptions {
  if (o === undefined || o === null) return {};
  if (!is_options(o)) throw new TypeError(`${where}(): options must be an object like { dtype, requires_grad }`);
  const allowed = ["dtype", "requires_grad", "device", "layout", "pin_memory", "memory_format"];
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new TypeError(`${where}() got an unexpected keyword argument '${k}'`);
  }
  const out: TensorOptions = {};
  if (o.dtype !== undefined && o.dtype !== null) out.dtype = check_dtype(o.dtype, `${where}()`);
  if (o.requires_grad !== undefined) {
    if (typeof o.requires_grad !== "boolean") throw new TypeError(`${where}(): requires_grad must be a boolean`);
    out.requires_grad = o.requires_grad;
  }
  return out;
}

/** Wraps a possibly negative dim into [0, ndim), with PyTorch's error otherwise. */
export function wrap_dim(dim: number, ndim: number): number {
  if (typeof dim !== "number" || !Number.isInteger(dim)) {
    throw new TypeError(`dim must be an integer, got ${JSON.stringify(dim)}`);
  }
  const n = Math.max(ndim, 1); // a 0-dim tensor accepts dim 0 and -1
  if (dim < -n || dim >= n) {
    throw new RangeError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + n : dim;
}

export function contiguous_strides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * Broadcast two shapes (numpy rules), with PyTorch's error naming the mismatching dimension: the
 * last one, as PyTorch walks the dimensions from the right ((2, 3) and (3, 2): dimension 1).
 */
export function broadcast_shapes(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    const da = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1;
    const db = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else {
      throw RuntimeRangeError(
        `The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`,
      );
    }
  }
  return out;
}

/** Strides to read a tensor of `shape` as if broadcast to `out` (0 where broadcast). */
export function broadcast_strides(shape: Shape, out: Shape): number[] {
  const st = contiguous_strides(shape);
  const off = out.length - shape.length;
  const r = new Array<number>(out.length).fill(0);
  for (let i = 0; i < shape.length; i++) r[i + off] = shape[i] === 1 && out[i + off] !== 1 ? 0 : st[i];
  return r;
}

/**
 * Copies `src`, read through `strides` (any non-negative strides, e.g. broadcast or permuted), into
 * a contiguous array of `shape`. The innermost dimension is a tight loop; the outer ones advance an
 * odometer, so no index arrays are allocated per element.
 */
export function strided_copy(src: Storage, offset: number, shape: Shape, strides: readonly number[], dst: Storage): void {
  const nd = shape.length;
  const n = dst.length;
  if (n === 0) return;
  if (nd === 0) {
    dst[0] = src[offset];
    return;
  }
  const inner = shape[nd - 1];
  const si = strides[nd - 1];
  const idx = new Array<number>(nd).fill(0);
  let base = offset;
  for (let o = 0; o < n; o += inner) {
    if (si === 1) for (let j = 0; j < inner; j++) dst[o + j] = src[base + j];
    else if (si === 0) dst.fill(src[base], o, o + inner);
    else for (let j = 0, p = base; j < inner; j++, p += si) dst[o + j] = src[p];
    // advance the odometer over the outer dims
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      base += strides[d];
      if (idx[d] < shape[d]) break;
      base -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

/**
 * dst[b, j, i] = src[b, i, j] for `batch` matrices of R x C, in 32 x 32 tiles so that both the
 * reads and the writes stay within a few cache lines (a plain loop would stride through one of them).
 */
export function transpose_last2(src: Storage, dst: Storage, batch: number, R: number, C: number): void {
  const T = 32;
  for (let b = 0; b < batch; b++) {
    const o = b * R * C;
    for (let i0 = 0; i0 < R; i0 += T) {
      const i1 = Math.min(R, i0 + T);
      for (let j0 = 0; j0 < C; j0 += T) {
        const j1 = Math.min(C, j0 + T);
        for (let i = i0; i < i1; i++) {
          const si = o + i * C;
          for (let j = j0; j < j1; j++) dst[o + j * R + i] = src[si + j];
        }
      }
    }
  }
}
