/**
 * Shape ops: reshape view flatten unflatten squeeze unsqueeze expand transpose t permute cat stack
 * split chunk unbind clone contiguous.
 *
 * `reshape`, `view`, `flatten`, `squeeze` and `unsqueeze` share storage with their input (as
 * PyTorch views do; an in-place op through one reaches its base's history: view_history.ts),
 * except a reshape or flatten that PyTorch's strides allow no view for: a copy, as PyTorch's
 * (torch_strides.ts; `view` refuses those); `transpose`, `permute` and `expand` copy (every
 * tensor here is contiguous).
 * The backward of a reshape reshapes the gradient back, of a permutation applies the inverse
 * permutation, of an expand sums over the broadcast dims, of cat/stack slices the gradient, of
 * split/chunk/unbind places each piece's gradient at its positions (a SliceGrad: slice_grad.ts).
 */
import { Tensor, check_tensor } from "./tensor";
import { attach, rename } from "./autograd";
import { isLrlabDtype, storage_for } from "./dtype";
import { contiguous_strides, fmt_shape, strided_copy, transpose_last2, wrap_dim } from "./shape";
import { result_type } from "./operand";
import { sum_to } from "./sum_to";
import { make_view } from "./view_history";
import { SliceGrad } from "./slice_grad";
import { set_window } from "./slice_window";
import { permuted_order } from "./memory_order";
import { noncontiguous_strides, view_strides, viewable } from "./torch_strides";
import { version_of } from "./version";
import { RuntimeError, RuntimeRangeError, ValueRangeError } from "../errors";
import { first_non_int, int_list_error, view_args_error } from "./int_list_args";
import { view_dtype } from "./view_dtype";
import type { DType } from "./tensor";

export type ShapeArgs = (number | readonly number[])[];

/** PyTorch's name of each op's size parameter (its argument errors name it). */
const SIZE_ARG: Record<string, string> = { reshape: "shape", permute: "dims", view: "size", expand: "size" };

function flat_args(args: ShapeArgs, op: string): number[] {
  const one_array = args.length === 1 && Array.isArray(args[0]);
  const list = one_array ? (args[0] as number[]) : (args as number[]);
  const k = first_non_int(list);
  if (k >= 0) throw int_list_error(op, SIZE_ARG[op] ?? "size", list, k, args.length === 1 && !one_array);
  return [...list];
}

function check(x: Tensor, op: string): void {
  check_tensor(x, op);
}

/** Resolves a -1 in `shape` and checks the element count, with PyTorch's messages. */
export function infer_shape(shape: number[], numel: number): number[] {
  let infer = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === -1) {
      if (infer >= 0) throw RuntimeRangeError("only one dimension can be inferred");
      infer = i;
    } else if (shape[i] < 0) throw new RangeError(`invalid shape dimension ${shape[i]}`);
    else known *= shape[i];
  }
  const out = [...shape];
  if (infer >= 0) {
    if (known === 0 || numel % known !== 0) throw RuntimeRangeError(`shape '${fmt_shape(shape)}' is invalid for input of size ${numel}`);
    out[infer] = numel / known;
  } else if (known !== numel) throw RuntimeRangeError(`shape '${fmt_shape(shape)}' is invalid for input of size ${numel}`);
  return out;
}

/** A view: the same storage in a new shape (in-place ops through it reach x: view_history.ts). */
function alias(x: Tensor, shape: readonly number[], name: string): Tensor {
  return make_view(x, shape, name);
}

/**
 * x's elements in `shape` as PyTorch's reshape gives them: a view when PyTorch's strides allow
 * one (always for a contiguous x), else a copy (PyTorch's `_unsafe_view` of a contiguous clone):
 * in-place ops on it then leave x alone, as in PyTorch (torch_strides.ts).
 */
export function reshape_to(x: Tensor, shape: readonly number[]): Tensor {
  const st = noncontiguous_strides(x);
  if (st === null) return alias(x, shape, "ViewBackward0");
  if (view_strides(x.shape, st, shape) !== null) return alias(x, shape, "ReshapeAliasBackward0");
  const c = contiguous_copy(x);
  const out = new Tensor(c.data, [...shape], c.dtype);
  const in_shape = [...c.shape];
  return attach(out, "UnsafeViewBackward0", [c], (g) => [new Tensor(g.data, in_shape, g.dtype)], false);
}

/** A row-major copy of x that PyTorch holds non-contiguous (its `contiguous()`; CloneBackward0). */
export function contiguous_copy(x: Tensor): Tensor {
  const c = clone(x);
  c._memory_order = null;
  return c;
}

export function reshape(x: Tensor, ...shape: ShapeArgs): Tensor {
  check(x, "reshape");
  return reshape_to(x, infer_shape(flat_args(shape, "reshape"), x.numel()));
}

/** `view`'s keyword forms: `view({ dtype })` (Python's `view(dtype=...)`) and `view({ size })`. */
export interface ViewOptions {
  dtype?: DType;
  size?: readonly number[];
}

/**
 * `view(...sizes)`, or `view(dtype)`: the same bytes read as another dtype (view_dtype.ts).
 * Anything else is PyTorch's error for a call neither form takes.
 */
export function view(x: Tensor, ...shape: (ShapeArgs[number] | DType | ViewOptions)[]): Tensor {
  check(x, "view");
  if (shape.length === 1) {
    const a = shape[0];
    if (typeof a === "string") {
      if (!isLrlabDtype(a)) throw view_args_error(shape); // a string is view(dtype)'s form
      return view_dtype(x, a);
    }
    if (a !== null && typeof a === "object" && !Array.isArray(a)) {
      const o = a as ViewOptions;
      const keys = Object.keys(o);
      const bad = keys.find((k) => k !== "dtype" && k !== "size");
      if (bad !== undefined || keys.length !== 1) {
        throw new TypeError(bad !== undefined ? `view() got an unexpected keyword argument '${bad}'` : "view() takes one of dtype or size");
      }
      if (o.dtype !== undefined) return view_dtype(x, o.dtype);
      return view(x, o.size as readonly number[]);
    }
  }
  // PyTorch picks the form by the first value: one that is no integer (nor an array starting with
  // one) fits neither form; a later bad size is the size form's unpacking error (flat_args)
  const first = shape[0];
  const sizes_form = shape.length === 0 || (typeof first === "number" && Number.isInteger(first)) ||
    (shape.length === 1 && Array.isArray(first) && (first.length === 0 || Number.isInteger(first[0])));
  if (!sizes_form) throw view_args_error(shape);
  const next = infer_shape(flat_args(shape as ShapeArgs, "view"), x.numel());
  // PyTorch's view never copies: where its strides allow no view, it refuses
  if (!viewable(x, next)) {
    throw RuntimeError("view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
  }
  return alias(x, next, "ViewBackward0");
}

/** `flatten`'s keyword form, Python's `start_dim=1`: `flatten(x, { start_dim: 1 })`. */
export interface FlattenOptions {
  start_dim?: number;
  end_dim?: number;
}

/** Merges dims start_dim..end_dim into one: `flatten(x, start_dim = 0, end_dim = -1)` or `flatten(x, { start_dim, end_dim })`. */
export function flatten(x: Tensor, start_dim: number | FlattenOptions = 0, end_dim = -1): Tensor {
  check(x, "flatten");
  if (typeof start_dim === "object" && start_dim !== null) {
    const o = start_dim;
    const bad = Object.keys(o).filter((k) => k !== "start_dim" && k !== "end_dim");
    if (bad.length > 0) throw new TypeError(`flatten() got an unexpected keyword argument '${bad[0]}' (valid: start_dim, end_dim)`);
    end_dim = o.end_dim ?? -1;
    start_dim = o.start_dim ?? 0;
  }
  if (typeof start_dim !== "number") throw new TypeError(`flatten(): start_dim must be an int, got ${start_dim === null ? "null" : typeof start_dim}`);
  if (x.dim() === 0) return alias(x, [1], "ViewBackward0");
  const s = wrap_dim(start_dim, x.dim());
  const e = wrap_dim(end_dim, x.dim());
  if (s > e) throw RuntimeRangeError("flatten() has invalid args: start_dim cannot come after end_dim");
  if (s === e) return x;
  let m = 1;
  for (let i = s; i <= e; i++) m *= x.shape[i];
  // PyTorch's flatten is a reshape: a copy when x's strides allow no view
  return reshape_to(x, [...x.shape.slice(0, s), m, ...x.shape.slice(e + 1)]);
}

export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  check(x, "unflatten");
  const d = wrap_dim(dim, x.dim());
  const known = sizes.filter((s) => s !== -1).reduce((p, s) => p * s, 1);
  const fits = sizes.includes(-1) ? known !== 0 && x.shape[d] % known === 0 : known === x.shape[d];
  if (!fits) {
    throw RuntimeRangeError(`unflatten: Provided sizes [${sizes.join(", ")}] don't multiply up to the size of dim ${dim} (${x.shape[d]}) in the input tensor`);
  }
  const inner = infer_shape([...sizes], x.shape[d]);
  return alias(x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)], "ViewBackward0");
}

/** Removes size-1 dims (all of them, or those in `dim`). */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  check(x, "squeeze");
  let drop: Set<number>;
  if (dim === undefined || dim === null) drop = new Set(x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0));
  else {
    const dims = typeof dim === "number" ? [dim] : dim;
    drop = new Set(dims.map((d) => wrap_dim(d, x.dim())).filter((d) => x.dim() > 0 && x.shape[d] === 1));
  }
  const shape = x.shape.filter((_, i) => !drop.has(i));
  return alias(x, shape, dim === undefined ? "SqueezeBackward0" : "SqueezeBackward1");
}

/** Inserts a size-1 dim at `dim` (in the result's numbering). */
export function unsqueeze(x: Tensor, dim: number | { dim: number }): Tensor {
  check(x, "unsqueeze");
  if (typeof dim === "object" && dim !== null && !("dim" in dim)) throw new TypeError("unsqueeze() missing required argument 'dim' (pos 1)");
  const d = wrap_dim(dim_keyword("unsqueeze", dim), x.dim() + 1);
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return alias(x, shape, "UnsqueezeBackward0");
}

/** Broadcasts to `sizes` (-1 keeps a dim), copying. Backward: sum over the broadcast dims. */
export function expand(x: Tensor, ...sizes: ShapeArgs): Tensor {
  check(x, "expand");
  const want = flat_args(sizes, "expand");
  if (want.length < x.dim()) {
    throw RuntimeRangeError(
      `expand(torch.FloatTensor{${fmt_shape(x.shape)}}, size=${fmt_shape(want)}): the number of sizes provided (${want.length}) must be greater or equal to the number of dimensions in the tensor (${x.dim()})`,
    );
  }
  const off = want.length - x.dim();
  const shape = want.map((w, i) => {
    const have = i >= off ? x.shape[i - off] : 1;
    if (w === -1) {
      if (i < off) throw new RangeError(`The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ${i}`);
      return have;
    }
    if (have !== 1 && have !== w) {
      throw RuntimeRangeError(
        `The expanded size of the tensor (${w}) must match the existing size (${have}) at non-singleton dimension ${i}.  Target sizes: ${fmt_shape(want)}.  Tensor sizes: ${fmt_shape(x.shape)}`,
      );
    }
    return w;
  });
  const st = contiguous_strides(x.shape);
  const strides = shape.map((_, i) => (i < off || x.shape[i - off] === 1 ? 0 : st[i - off]));
  const n = shape.reduce((a, b) => a * b, 1);
  let data;
  try {
    data = storage_for(x.dtype, n);
  } catch (e) {
    // PyTorch's expand is a view of no new memory; here it is a copy, so say so.
    if (e instanceof RangeError) {
      throw new RangeError(`expand(${fmt_shape(x.shape)} -> ${fmt_shape(shape)}): lrlab's expand() copies the broadcast tensor (it is not a view as in PyTorch), and ${e.message}`
        + " Element-wise ops broadcast their operands themselves: pass the smaller tensor to the op instead of expanding it first.");
    }
    throw e;
  }
  strided_copy(x.data, 0, shape, strides, data);
  const out = new Tensor(data, shape, x.dtype);
  const in_shape = [...x.shape];
  return attach(out, "ExpandBackward0", [x], (g) => [sum_to(g, in_shape)], false);
}

export function expand_as(x: Tensor, other: Tensor): Tensor {
  return expand(x, other.shape);
}

export function broadcast_to(x: Tensor, shape: readonly number[]): Tensor {
  return expand(x, shape);
}

/** Copies `x` with its dims reordered (no autograd). */
export function permute_raw(x: Tensor, dims: readonly number[]): Tensor {
  const st = contiguous_strides(x.shape);
  const shape = dims.map((d) => x.shape[d]);
  const data = storage_for(x.dtype, x.data.length);
  const n = dims.length;
  // The common case (t(), transpose(-2, -1), .mT): swap the last two dims with a tiled transpose.
  let last2 = n >= 2 && dims[n - 1] === n - 2 && dims[n - 2] === n - 1;
  for (let i = 0; i < n - 2 && last2; i++) if (dims[i] !== i) last2 = false;
  if (last2 && data.length > 0) {
    const R = x.shape[n - 2];
    const C = x.shape[n - 1];
    transpose_last2(x.data, data, data.length / (R * C), R, C);
  } else strided_copy(x.data, 0, shape, dims.map((d) => st[d]), data);
  return new Tensor(data, shape, x.dtype);
}

function permutation(x: Tensor, dims: readonly number[], name: string): Tensor {
  const out = permute_raw(x, dims);
  out._memory_order = permuted_order(x._memory_order, dims); // PyTorch's strides, for the random fills
  const st = contiguous_strides(x.shape);
  set_window(out, x, 0, dims.map((d) => st[d])); // PyTorch's is a view: in-place ops write back
  const inv = new Array<number>(dims.length);
  dims.forEach((d, i) => (inv[d] = i));
  return attach(out, name, [x], (g) => [permute_raw(g, inv)], false);
}

export function permute(x: Tensor, ...dims: ShapeArgs): Tensor {
  check(x, "permute");
  const list = flat_args(dims, "permute");
  if (list.length !== x.dim()) {
    throw RuntimeRangeError(
      `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${x.dim()} is not equal to len(dims) = ${list.length}`.replace("(sparse_coo)", ""),
    );
  }
  const w = list.map((d) => wrap_dim(d, x.dim()));
  if (new Set(w).size !== w.length) throw RuntimeRangeError("permute(): duplicate dims are not allowed.");
  return permutation(x, w, "PermuteBackward0");
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  check(x, "transpose");
  if (x.dim() === 0) return x;
  const a = wrap_dim(dim0, x.dim());
  const b = wrap_dim(dim1, x.dim());
  const dims = x.shape.map((_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return permutation(x, dims, "TransposeBackward0");
}
export const swapaxes = transpose;
export const swapdims = transpose;

/** Transpose of a tensor with at most 2 dims. */
export function t(x: Tensor): Tensor {
  check(x, "t");
  if (x.dim() > 2) throw RuntimeRangeError(`t() expects a tensor with <= 2 dimensions, but self is ${x.dim()}D`);
  if (x.dim() < 2) return alias(x, x.shape, "TBackward0");
  return permutation(x, [1, 0], "TBackward0");
}

function check_list(tensors: readonly Tensor[], op: string): void {
  if (!Array.isArray(tensors)) throw new TypeError(`${op}(): argument 'tensors' must be an array of Tensors`);
  if (tensors.length === 0) {
    // PyTorch's own words and kinds: cat checks in Python (ValueError), stack in C++ (RuntimeError)
    if (op === "stack") throw RuntimeRangeError("stack expects a non-empty TensorList");
    throw ValueRangeError(`torch.${op}(): expected a non-empty list of Tensors`);
  }
  tensors.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new TypeError(`${op}(): expected Tensor as element ${i} in argument 0, but got ${x === null ? "null" : typeof x}`);
  });
}

/** `dim` given positionally or as Python's keyword, `{ dim }` (as `sum(x, { dim })`); default 0. */
function dim_keyword(op: string, dim: number | { dim?: number }): number {
  if (typeof dim !== "object" || dim === null || Array.isArray(dim)) return dim as number;
  for (const k of Object.keys(dim)) {
    if (k !== "dim") throw new TypeError(`${op}() got an unexpected keyword argument '${k}' (allowed: dim)`);
  }
  return dim.dim ?? 0;
}

/**
 * Concatenates along `dim` (`cat(tensors, 1)` or `cat(tensors, { dim: 1 })`). All shapes must
 * match except along `dim` (PyTorch's message names the first mismatch); dtypes are promoted.
 */
export function cat(tensors: readonly Tensor[], dim: number | { dim?: number } = 0): Tensor {
  check_list(tensors, "cat");
  dim = dim_keyword("cat", dim);
  // As PyTorch, 1-D empty tensors are skipped.
  const parts = tensors.filter((x) => !(x.dim() === 1 && x.shape[0] === 0));
  const ref = parts.length > 0 ? parts[0] : tensors[0];
  if (ref.dim() === 0) throw RuntimeRangeError(`zero-dimensional tensor (at position 0) cannot be concatenated`);
  const d = wrap_dim(dim, ref.dim());
  parts.forEach((x, i) => {
    if (x.dim() === 0) throw new RangeError(`zero-dimensional tensor (at position ${i}) cannot be concatenated`);
    if (x.dim() !== ref.dim()) {
      throw RuntimeRangeError(`Tensors must have same number of dimensions: got ${ref.dim()} and ${x.dim()}`);
    }
    for (let k = 0; k < ref.dim(); k++) {
      if (k !== d && x.shape[k] !== ref.shape[k]) {
        throw RuntimeRangeError(
          `Sizes of tensors must match except in dimension ${d}. Expected size ${ref.shape[k]} but got size ${x.shape[k]} for tensor number ${i} in the list.`,
        );
      }
    }
  });
  const dtype = result_type(...tensors);
  const shape = [...ref.shape];
  shape[d] = parts.reduce((s, x) => s + x.shape[d], 0);
  let outer = 1;
  for (let k = 0; k < d; k++) outer *= shape[k];
  let inner = 1;
  for (let k = d + 1; k < shape.length; k++) inner *= shape[k];
  const data = storage_for(dtype, outer * shape[d] * inner);
  const row = shape[d] * inner;
  let col = 0;
  for (const x of parts) {
    const w = x.shape[d] * inner;
    const src = x.data;
    for (let o = 0; o < outer; o++) {
      const dst0 = o * row + col;
      const src0 = o * w;
      for (let j = 0; j < w; j++) data[dst0 + j] = src[src0 + j];
    }
    col += w;
  }
  const out = new Tensor(data, shape, dtype);
  const sizes = parts.map((x) => x.shape[d]);
  return attach(out, "CatBackward0", parts, (g) => {
    const grads = split_raw(g, sizes, d);
    return grads;
  }, false);
}
export const concat = cat;
export const concatenate = cat;

/** Stacks equally shaped tensors along a new dim (`stack(tensors, 1)` or `stack(tensors, { dim: 1 })`). */
export function stack(tensors: readonly Tensor[], dim: number | { dim?: number } = 0): Tensor {
  check_list(tensors, "stack");
  dim = dim_keyword("stack", dim);
  const ref = tensors[0];
  tensors.forEach((x, i) => {
    if (x.shape.length !== ref.shape.length || x.shape.some((s, k) => s !== ref.shape[k])) {
      throw RuntimeRangeError(`stack expects each tensor to be equal size, but got ${fmt_shape(ref.shape)} at entry 0 and ${fmt_shape(x.shape)} at entry ${i}`);
    }
  });
  const d = wrap_dim(dim, ref.dim() + 1);
  const out = cat(tensors.map((x) => unsqueeze(x, d)), d);
  return rename(out, "StackBackward0");
}

export function hstack(tensors: readonly Tensor[]): Tensor {
  check_list(tensors, "hstack");
  return cat(tensors, tensors[0].dim() === 1 ? 0 : 1);
}

export function vstack(tensors: readonly Tensor[]): Tensor {
  check_list(tensors, "vstack");
  return cat(tensors.map((x) => (x.dim() === 1 ? unsqueeze(x, 0) : x)), 0);
}

/** Splits along `d` into pieces of the given sizes (no autograd). */
export function split_raw(x: Tensor, sizes: readonly number[], d: number): Tensor[] {
  let outer = 1;
  for (let k = 0; k < d; k++) outer *= x.shape[k];
  let inner = 1;
  for (let k = d + 1; k < x.shape.length; k++) inner *= x.shape[k];
  const row = x.shape[d] * inner;
  const res: Tensor[] = [];
  let col = 0;
  for (const s of sizes) {
    const w = s * inner;
    const data = storage_for(x.dtype, outer * w);
    for (let o = 0; o < outer; o++) {
      const a = o * row + col;
      for (let j = 0; j < w; j++) data[o * w + j] = x.data[a + j];
    }
    const shape = [...x.shape];
    shape[d] = s;
    res.push(new Tensor(data, shape, x.dtype));
    col += w;
  }
  return res;
}

function pieces(x: Tensor, sizes: number[], d: number, name: string): Tensor[] {
  const parts = split_raw(x, sizes, d);
  const full_shape = [...x.shape];
  const strides = contiguous_strides(full_shape);
  let start = 0;
  return parts.map((p, i) => {
    // The piece's gradient belongs at its own positions of zeros of the input's shape: a SliceGrad,
    // which autograd adds in place (slice_grad.ts), so n pieces cost O(input) in backward, not O(n · input).
    const offset = start * strides[d];
    start += sizes[i];
    set_window(p, x, offset, strides); // PyTorch's pieces are views: in-place ops write back
    attach(p, name, [x], (g) => [new SliceGrad(g, full_shape, offset, strides)], false);
    // one of several views of one op: once their storage is written, autograd refuses them (as PyTorch)
    if (p.grad_fn !== null) p._window!.multi = { name: name.slice(0, -"Backward0".length), index: i, seen: version_of(p) };
    return p;
  });
}

/**
 * `split(x, split_size, dim)`: chunks of `split_size` (the last may be smaller), or
 * `split(x, [sizes...], dim)`: chunks of those sizes (must add up to the dim's size).
 */
export function split(x: Tensor, split_size_or_sections: SplitSize | SplitOptions, dim: number | { dim?: number } = 0): Tensor[] {
  check(x, "split");
  const a = split_keywords("split", "split_size_or_sections", split_size_or_sections, dim);
  return split_(x, a.size, a.dim);
}

/** Tensor.split: as torch.split, but Python names the size `split_size` (`x.split({ split_size: 2, dim: 1 })`). */
export function split_method(x: Tensor, split_size: SplitSize | SplitOptions, dim: number | { dim?: number } = 0): Tensor[] {
  check(x, "split");
  const a = split_keywords("Tensor.split", "split_size", split_size, dim);
  return split_(x, a.size, a.dim);
}

export type SplitSize = number | readonly number[];

/**
 * split's keywords: torch.split(tensor, split_size_or_sections, dim) and Tensor.split(split_size,
 * dim) name the size differently, and each refuses the other's name, as in Python.
 */
export interface SplitOptions {
  split_size_or_sections?: SplitSize;
  split_size?: SplitSize;
  dim?: number;
}

function split_keywords(who: string, size_kw: "split_size" | "split_size_or_sections", first: SplitSize | SplitOptions, dim: number | { dim?: number }): { size: SplitSize; dim: number | { dim?: number } } {
  if (first === null || typeof first !== "object" || Array.isArray(first)) return { size: first as SplitSize, dim };
  const o = first as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k !== size_kw && k !== "dim") throw new TypeError(`${who}() got an unexpected keyword argument '${k}'`);
  }
  if (o[size_kw] === undefined) throw new TypeError(`${who}() missing 1 required positional argument: '${size_kw}'`);
  return { size: o[size_kw] as SplitSize, dim: (o.dim as number | undefined) ?? dim };
}

function split_(x: Tensor, split_size_or_sections: SplitSize, dim: number | { dim?: number }): Tensor[] {
  const d = wrap_dim(dim_keyword("split", dim), x.dim());
  const n = x.shape[d];
  let sizes: number[];
  if (typeof split_size_or_sections === "number") {
    const s = split_size_or_sections;
    if (!Number.isInteger(s) || s < 0) throw new RangeError(`split expects split_size be non-negative, but got split_size=${s}`);
    sizes = [];
    if (s === 0) {
      if (n !== 0) throw RuntimeRangeError(`split_size can only be 0 if dimension size is 0, but got dimension size of ${n}`);
      sizes = [0];
    } else for (let i = 0; i < n; i += s) sizes.push(Math.min(s, n - i));
    if (n === 0 && s > 0) sizes = [0];
  } else {
    sizes = [...split_size_or_sections];
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== n) {
      throw RuntimeRangeError(`split_with_sizes expects split_sizes to sum exactly to ${n} (input tensor's size at dimension ${d}), but got split_sizes=${fmt_shape(sizes)}`);
    }
  }
  return pieces(x, sizes, d, typeof split_size_or_sections === "number" ? "SplitBackward0" : "SplitWithSizesBackward0");
}

/** `chunk(x, chunks, dim)`: ceil(size / chunks) per piece, as PyTorch (may give fewer pieces). */
export function chunk(x: Tensor, chunks: number, dim: number | { dim?: number } = 0): Tensor[] {
  check(x, "chunk");
  if (!Number.isInteger(chunks) || chunks <= 0) throw RuntimeRangeError(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const d = wrap_dim(dim_keyword("chunk", dim), x.dim());
  const size = Math.ceil(x.shape[d] / chunks);
  return split(x, Math.max(size, x.shape[d] === 0 ? 0 : 1), d);
}

/** Removes `dim`, returning each slice. */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  check(x, "unbind");
  const d = wrap_dim(dim, x.dim());
  return split(x, 1, d).map((p, i) => {
    const v = rename(squeeze(p, d), "UnbindBackward0");
    if (v.grad_fn !== null) v._view!.multi = { name: "Unbind", index: i, seen: version_of(v) };
    return v;
  });
}

/** A copy with its own storage (differentiable). */
export function clone(x: Tensor): Tensor {
  check(x, "clone");
  const out = new Tensor(x.data.slice() as typeof x.data, x.shape, x.dtype);
  out._memory_order = x._memory_order; // PyTorch's preserve_format keeps the strides
  return attach(out, "CloneBackward0", [x], (g) => [g], false);
}
