/**
 * The Tensor: a contiguous, row-major typed array with a shape, a dtype and, for autograd,
 * `requires_grad`, `grad` and `grad_fn`.
 *
 * Storage: float32 lives in a Float32Array (every result is rounded to float32 on store, so single
 * element-wise ops give PyTorch's float32 results); float64, int64 and bool live in a Float64Array
 * (int64 is exact up to 2^53, which is all a training notebook needs).
 *
 * Deviation from PyTorch, on purpose: every tensor is contiguous. `view`/`reshape` share storage
 * with their source (as in PyTorch), but `transpose`, `permute` and slicing copy.
 *
 * The methods below are thin: each op lives in its own module (elementwise, reduce, views,
 * indexing, gather, linalg, activation, compare, inplace, cumulative, rearrange, sorting, print)
 * as a function that is also exported top-level (`torch.add(a, b)` and `a.add(b)`). Those modules
 * import this class and use it only at call time, so the circular imports are safe.
 */

import * as autograd from "./autograd";
import { cast_storage, check_dtype, is_floating } from "./dtype";
import * as E from "./elementwise";
import type { AlphaOptions, ClampBound, ClampBounds, DivOptions, TensorLike } from "./elementwise";
import * as R from "./reduce";
import type { DimArg, KeepArg, NormOptions, ReduceOptions, ValuesIndices, VarOptions } from "./reduce";
import * as V from "./views";
import type { ShapeArgs } from "./views";
import * as I from "./indexing";
import type { IndexSpec } from "./indexing";
import * as G from "./gather";
import * as L from "./linalg";
import * as A from "./activation";
import * as C from "./compare";
import type { CloseOptions } from "./compare";
import * as IP from "./inplace";
import { tensor_repr } from "./print";
import * as CU from "./cumulative";
import * as RA from "./rearrange";
import * as SO from "./sorting";
import type { SortOptions } from "./sorting";

export type DType = "float32" | "float64" | "int64" | "bool";
export type Storage = Float32Array | Float64Array;
export type Shape = readonly number[];

/** A node of the autograd graph: made by an op, it maps the output's gradient to its inputs'. */
export interface GradFn {
  /** PyTorch's name for the node, e.g. "AddBackward0" (shown in the tensor's printout). */
  readonly name: string;
  /** The op's tensor inputs, in order; null for inputs that need no gradient. */
  readonly inputs: readonly (Tensor | null)[];
  /** Gradients w.r.t. each input (same order as `inputs`, shaped like them), or null. */
  backward(grad_output: Tensor): (Tensor | null)[];
}

export function storageFor(dtype: DType, n: number): Storage {
  return dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
}

export function numelOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export class Tensor {
  /** Contiguous row-major elements. Optimizers and the tracer read and write it directly. */
  data: Storage;
  shape: number[];
  dtype: DType;
  requires_grad: boolean;
  /** The op that produced this tensor (null for leaves and for results made under no_grad). */
  grad_fn: GradFn | null = null;
  private _grad: Tensor | null = null;

  /** Low-level constructor: wraps `data` (not copied) as a tensor of `shape`. */
  constructor(data: Storage, shape: Shape, dtype?: DType, requires_grad = false) {
    const n = numelOf(shape);
    if (data.length !== n) {
      throw new RangeError(`Tensor: shape [${shape.join(", ")}] needs ${n} elements, got ${data.length}`);
    }
    this.data = data;
    this.shape = [...shape];
    this.dtype = dtype ?? (data instanceof Float32Array ? "float32" : "float64");
    if ((this.dtype === "float32") !== (data instanceof Float32Array)) {
      throw new TypeError(`Tensor: dtype ${this.dtype} cannot be stored in a ${data.constructor.name}`);
    }
    this.requires_grad = requires_grad;
  }

  /** The gradient accumulated by backward(); assignable as in PyTorch (`p.grad = t` or `null`). */
  get grad(): Tensor | null {
    return this._grad;
  }
  set grad(g: Tensor | null) {
    if (g !== null && g !== undefined) {
      if (!(g instanceof Tensor)) throw new TypeError("assigned grad expected to be a Tensor or None");
      if (g.shape.length !== this.shape.length || g.shape.some((d, i) => d !== this.shape[i])) {
        throw new RangeError(
          `assigned grad has data of a different size: grad shape [${g.shape.join(", ")}], tensor shape [${this.shape.join(", ")}]`,
        );
      }
      if (g.dtype !== this.dtype) {
        throw new TypeError(`assigned grad has data of a different type: grad ${g.dtype}, tensor ${this.dtype}`);
      }
    }
    this._grad = g ?? null;
  }

  /** True for tensors made by the user (not by an op that records a graph). */
  get is_leaf(): boolean {
    return this.grad_fn === null;
  }

  numel(): number {
    return this.data.length;
  }

  dim(): number {
    return this.shape.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  // ---- autograd -------------------------------------------------------------------------------

  /**
   * Computes the gradient of this tensor w.r.t. the graph leaves and accumulates it into their
   * `.grad`. `gradient` is required unless the tensor has one element.
   */
  backward(gradient?: Tensor | number | null, options?: autograd.BackwardOptions): void {
    autograd.run_backward(this, gradient, options);
  }

  /** A new tensor sharing this one's data, cut from the graph (requires_grad false). */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, this.dtype, false);
  }

  /** Cuts this tensor from the graph in place, making it a leaf. */
  detach_(): this {
    this.grad_fn = null;
    this.requires_grad = false;
    return this;
  }

  /** Sets requires_grad in place (leaves only, floating dtypes only, as PyTorch). */
  requires_grad_(requires_grad = true): this {
    if (requires_grad && !is_floating(this.dtype)) {
      throw new TypeError(`only Tensors of floating point dtype can require gradients (got ${this.dtype})`);
    }
    if (!this.is_leaf && !requires_grad) {
      throw new Error(
        "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
      );
    }
    this.requires_grad = requires_grad;
    return this;
  }

  /** Keeps `.grad` for this non-leaf tensor during backward. */
  retain_grad(): void {
    autograd.retain_grad(this);
  }

  get retains_grad(): boolean {
    return autograd.retains_grad(this);
  }

  // ---- dtype conversion ----------------------------------------------------------------------

  /** A copy in `dtype` (the same tensor when it already has it, as PyTorch). Differentiable. */
  to(dtype: DType | "cpu" | { dtype?: DType; device?: "cpu" }): Tensor {
    // Everything lives on the CPU: a device of "cpu" is accepted (so PyTorch code ports) and ignored.
    if (dtype === "cpu") return this;
    if (typeof dtype === "object" && dtype !== null) {
      if (dtype.device !== undefined && dtype.device !== "cpu") throw new TypeError(`to(): only the "cpu" device exists here, got ${JSON.stringify(dtype.device)}`);
      if (dtype.dtype === undefined) return this;
    }
    const d = check_dtype(typeof dtype === "object" && dtype !== null ? dtype.dtype : dtype, "to()");
    if (d === this.dtype) return this;
    const out = new Tensor(cast_storage(this.data, d), this.shape, d);
    if (!is_floating(d)) return out;
    // ToCopyBackward0: the engine casts the gradient back to this tensor's dtype.
    return autograd.attach(out, "ToCopyBackward0", [this], (g) => [g], false);
  }

  /** The device: always "cpu". */
  get device(): string {
    return "cpu";
  }

  cpu(): Tensor {
    return this;
  }

  float(): Tensor {
    return this.to("float32");
  }

  double(): Tensor {
    return this.to("float64");
  }

  long(): Tensor {
    return this.to("int64");
  }

  bool(): Tensor {
    return this.to("bool");
  }

  type(dtype?: DType): Tensor | string {
    if (dtype === undefined) return { float32: "torch.FloatTensor", float64: "torch.DoubleTensor", int64: "torch.LongTensor", bool: "torch.BoolTensor" }[this.dtype];
    return this.to(dtype);
  }

  is_floating_point(): boolean {
    return is_floating(this.dtype);
  }

  // ---- element-wise arithmetic (see elementwise.ts) --------------------------------------------

  add(other: TensorLike, options?: AlphaOptions): Tensor {
    return E.add(this, other, options);
  }
  sub(other: TensorLike, options?: AlphaOptions): Tensor {
    return E.sub(this, other, options);
  }
  rsub(other: TensorLike, options?: AlphaOptions): Tensor {
    return E.rsub(this, other, options);
  }
  mul(other: TensorLike): Tensor {
    return E.mul(this, other);
  }
  div(other: TensorLike, options?: DivOptions): Tensor {
    return E.div(this, other, options);
  }
  true_divide(other: TensorLike): Tensor {
    return E.div(this, other);
  }
  floor_divide(other: TensorLike): Tensor {
    return E.floor_divide(this, other);
  }
  remainder(other: TensorLike): Tensor {
    return E.remainder(this, other);
  }
  pow(exponent: TensorLike): Tensor {
    return E.pow(this, exponent);
  }
  maximum(other: TensorLike): Tensor {
    return E.maximum(this, other);
  }
  minimum(other: TensorLike): Tensor {
    return E.minimum(this, other);
  }
  neg(): Tensor {
    return E.neg(this);
  }
  negative(): Tensor {
    return E.neg(this);
  }
  exp(): Tensor {
    return E.exp(this);
  }
  expm1(): Tensor {
    return E.expm1(this);
  }
  log(): Tensor {
    return E.log(this);
  }
  log1p(): Tensor {
    return E.log1p(this);
  }
  log2(): Tensor {
    return E.log2(this);
  }
  log10(): Tensor {
    return E.log10(this);
  }
  sqrt(): Tensor {
    return E.sqrt(this);
  }
  rsqrt(): Tensor {
    return E.rsqrt(this);
  }
  square(): Tensor {
    return E.square(this);
  }
  reciprocal(): Tensor {
    return E.reciprocal(this);
  }
  abs(): Tensor {
    return E.abs(this);
  }
  sign(): Tensor {
    return E.sign(this);
  }
  sin(): Tensor {
    return E.sin(this);
  }
  cos(): Tensor {
    return E.cos(this);
  }
  floor(): Tensor {
    return E.floor(this);
  }
  ceil(): Tensor {
    return E.ceil(this);
  }
  round(): Tensor {
    return E.round(this);
  }
  clamp(min?: ClampBound | ClampBounds, max?: ClampBound): Tensor {
    return E.clamp(this, min, max);
  }
  clip(min?: ClampBound | ClampBounds, max?: ClampBound): Tensor {
    return E.clamp(this, min, max);
  }
  clamp_min(min: number | Tensor): Tensor {
    return E.clamp_min(this, min);
  }
  clamp_max(max: number | Tensor): Tensor {
    return E.clamp_max(this, max);
  }
  lerp(end: TensorLike, weight: TensorLike): Tensor {
    return E.lerp(this, end, weight);
  }

  // ---- reductions (see reduce.ts) -------------------------------------------------------------

  sum(dim?: DimArg, keepdim?: KeepArg): Tensor {
    return R.sum(this, dim, keepdim);
  }
  mean(dim?: DimArg, keepdim?: KeepArg): Tensor {
    return R.mean(this, dim, keepdim);
  }
  prod(dim?: number | null | ReduceOptions, keepdim?: KeepArg): Tensor {
    return R.prod(this, dim, keepdim);
  }
  var(dim?: DimArg | VarOptions, options?: VarOptions | boolean): Tensor {
    return R.var_(this, dim, options);
  }
  std(dim?: DimArg | VarOptions, options?: VarOptions | boolean): Tensor {
    return R.std(this, dim, options);
  }
  norm(p?: number | "fro" | NormOptions | null, dim?: number | readonly number[] | null, keepdim?: boolean): Tensor {
    return R.norm(this, p, dim, keepdim);
  }
  logsumexp(dim: number | readonly number[], keepdim?: boolean): Tensor {
    return R.logsumexp(this, dim, keepdim);
  }
  amax(dim?: number | readonly number[] | null, keepdim?: boolean): Tensor {
    return R.amax(this, dim, keepdim);
  }
  amin(dim?: number | readonly number[] | null, keepdim?: boolean): Tensor {
    return R.amin(this, dim, keepdim);
  }
  /** `max()`: the largest element; `max(dim, keepdim?)`: { values, indices }; `max(other)`: maximum. */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): ValuesIndices;
  max(other: Tensor): Tensor;
  max(dim?: number | Tensor, keepdim?: boolean): Tensor | ValuesIndices {
    return (R.max as (x: Tensor, d?: number | Tensor, k?: boolean) => Tensor | ValuesIndices)(this, dim, keepdim);
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): ValuesIndices;
  min(other: Tensor): Tensor;
  min(dim?: number | Tensor, keepdim?: boolean): Tensor | ValuesIndices {
    return (R.min as (x: Tensor, d?: number | Tensor, k?: boolean) => Tensor | ValuesIndices)(this, dim, keepdim);
  }
  argmax(dim?: number | null, keepdim?: boolean): Tensor {
    return R.argmax(this, dim, keepdim);
  }
  argmin(dim?: number | null, keepdim?: boolean): Tensor {
    return R.argmin(this, dim, keepdim);
  }
  all(dim?: DimArg, keepdim?: KeepArg): Tensor {
    return C.all(this, dim, keepdim);
  }
  any(dim?: DimArg, keepdim?: KeepArg): Tensor {
    return C.any(this, dim, keepdim);
  }

  // ---- shape ops (see views.ts) ---------------------------------------------------------------

  reshape(...shape: ShapeArgs): Tensor {
    return V.reshape(this, ...shape);
  }
  view(...shape: ShapeArgs): Tensor {
    return V.view(this, ...shape);
  }
  view_as(other: Tensor): Tensor {
    return V.view(this, other.shape);
  }
  reshape_as(other: Tensor): Tensor {
    return V.reshape(this, other.shape);
  }
  flatten(start_dim?: number, end_dim?: number): Tensor {
    return V.flatten(this, start_dim, end_dim);
  }
  unflatten(dim: number, sizes: readonly number[]): Tensor {
    return V.unflatten(this, dim, sizes);
  }
  squeeze(dim?: number | readonly number[]): Tensor {
    return V.squeeze(this, dim);
  }
  unsqueeze(dim: number): Tensor {
    return V.unsqueeze(this, dim);
  }
  expand(...sizes: ShapeArgs): Tensor {
    return V.expand(this, ...sizes);
  }
  expand_as(other: Tensor): Tensor {
    return V.expand(this, other.shape);
  }
  broadcast_to(shape: readonly number[]): Tensor {
    return V.expand(this, shape);
  }
  transpose(dim0: number, dim1: number): Tensor {
    return V.transpose(this, dim0, dim1);
  }
  swapaxes(dim0: number, dim1: number): Tensor {
    return V.transpose(this, dim0, dim1);
  }
  t(): Tensor {
    return V.t(this);
  }
  /** All dims reversed (PyTorch's `.T`). */
  get T(): Tensor {
    return V.permute(this, this.shape.map((_, i) => this.shape.length - 1 - i));
  }
  /** The last two dims swapped (PyTorch's `.mT`). */
  get mT(): Tensor {
    return V.transpose(this, -2, -1);
  }
  permute(...dims: ShapeArgs): Tensor {
    return V.permute(this, ...dims);
  }
  split(split_size_or_sections: number | readonly number[], dim?: number): Tensor[] {
    return V.split(this, split_size_or_sections, dim);
  }
  chunk(chunks: number, dim?: number): Tensor[] {
    return V.chunk(this, chunks, dim);
  }
  unbind(dim?: number): Tensor[] {
    return V.unbind(this, dim);
  }
  clone(): Tensor {
    return V.clone(this);
  }
  /** Every tensor is contiguous here, so this is the tensor itself (as PyTorch for contiguous ones). */
  contiguous(): Tensor {
    return this;
  }
  is_contiguous(): boolean {
    return true;
  }

  // ---- indexing (see indexing.ts, gather.ts) --------------------------------------------------

  select(dim: number, index: number): Tensor {
    return I.select(this, dim, index);
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return I.narrow(this, dim, start, length);
  }
  /** Python's `x[i, "1:3", null, ...]`: numbers, null/":" (whole dim), slice strings, "...", int64 tensors. */
  index(...indices: IndexSpec[]): Tensor {
    return I.index(this, ...indices);
  }
  index_select(dim: number, index: Tensor): Tensor {
    return G.index_select(this, dim, index);
  }
  gather(dim: number, index: Tensor): Tensor {
    return G.gather(this, dim, index);
  }
  scatter(dim: number, index: Tensor, src: Tensor | number): Tensor {
    return G.scatter(this, dim, index, src);
  }
  scatter_add(dim: number, index: Tensor, src: Tensor): Tensor {
    return G.scatter_add(this, dim, index, src);
  }
  masked_fill(mask: Tensor, value: TensorLike): Tensor {
    return I.masked_fill(this, mask, value);
  }
  masked_select(mask: Tensor): Tensor {
    return I.masked_select(this, mask);
  }

  // ---- matrix products (see linalg.ts) --------------------------------------------------------

  matmul(other: Tensor): Tensor {
    return L.matmul(this, other);
  }
  mm(other: Tensor): Tensor {
    return L.mm(this, other);
  }
  bmm(other: Tensor): Tensor {
    return L.bmm(this, other);
  }
  mv(vec: Tensor): Tensor {
    return L.mv(this, vec);
  }
  dot(other: Tensor): Tensor {
    return L.dot(this, other);
  }
  outer(other: Tensor): Tensor {
    return L.outer(this, other);
  }

  // ---- activations (see activation.ts) --------------------------------------------------------

  relu(): Tensor {
    return A.relu(this);
  }
  sigmoid(): Tensor {
    return A.sigmoid(this);
  }
  tanh(): Tensor {
    return A.tanh(this);
  }
  softmax(dim: number): Tensor {
    return A.softmax(this, dim);
  }
  log_softmax(dim: number): Tensor {
    return A.log_softmax(this, dim);
  }

  // ---- comparisons (see compare.ts) -----------------------------------------------------------

  eq(other: TensorLike): Tensor {
    return C.eq(this, other);
  }
  ne(other: TensorLike): Tensor {
    return C.ne(this, other);
  }
  lt(other: TensorLike): Tensor {
    return C.lt(this, other);
  }
  le(other: TensorLike): Tensor {
    return C.le(this, other);
  }
  gt(other: TensorLike): Tensor {
    return C.gt(this, other);
  }
  ge(other: TensorLike): Tensor {
    return C.ge(this, other);
  }
  isfinite(): Tensor {
    return C.isfinite(this);
  }
  isnan(): Tensor {
    return C.isnan(this);
  }
  isinf(): Tensor {
    return C.isinf(this);
  }
  logical_not(): Tensor {
    return C.logical_not(this);
  }
  logical_and(other: TensorLike): Tensor {
    return C.logical_and(this, other);
  }
  logical_or(other: TensorLike): Tensor {
    return C.logical_or(this, other);
  }
  equal(other: Tensor): boolean {
    return C.equal(this, other);
  }
  allclose(other: TensorLike, options?: CloseOptions): boolean {
    return C.allclose(this, other, options);
  }
  isclose(other: TensorLike, options?: CloseOptions): Tensor {
    return C.isclose(this, other, options);
  }
  /** `x.where(condition, y)`: x where condition, else y. */
  where(condition: Tensor, other: TensorLike): Tensor {
    return C.where(condition, this, other);
  }

  // ---- in-place ops (see inplace.ts) ----------------------------------------------------------

  add_(other: TensorLike, options?: AlphaOptions): this {
    IP.add_(this, other, options);
    return this;
  }
  sub_(other: TensorLike, options?: AlphaOptions): this {
    IP.sub_(this, other, options);
    return this;
  }
  mul_(other: TensorLike): this {
    IP.mul_(this, other);
    return this;
  }
  div_(other: TensorLike, options?: DivOptions): this {
    IP.div_(this, other, options);
    return this;
  }
  pow_(exponent: TensorLike): this {
    IP.pow_(this, exponent);
    return this;
  }
  addcmul_(tensor1: Tensor, tensor2: Tensor, options?: { value?: number }): this {
    IP.addcmul_(this, tensor1, tensor2, options);
    return this;
  }
  addcdiv_(tensor1: Tensor, tensor2: Tensor, options?: { value?: number }): this {
    IP.addcdiv_(this, tensor1, tensor2, options);
    return this;
  }
  lerp_(end: TensorLike, weight: TensorLike): this {
    IP.lerp_(this, end, weight);
    return this;
  }
  clamp_(min?: ClampBound | ClampBounds, max?: ClampBound): this {
    IP.clamp_(this, min, max);
    return this;
  }
  clamp_min_(min: number | Tensor): this {
    IP.clamp_(this, min, null);
    return this;
  }
  clamp_max_(max: number | Tensor): this {
    IP.clamp_(this, null, max);
    return this;
  }
  sqrt_(): this {
    IP.sqrt_(this);
    return this;
  }
  exp_(): this {
    IP.exp_(this);
    return this;
  }
  log_(): this {
    IP.log_(this);
    return this;
  }
  neg_(): this {
    IP.neg_(this);
    return this;
  }
  abs_(): this {
    IP.abs_(this);
    return this;
  }
  copy_(src: Tensor): this {
    IP.copy_(this, src);
    return this;
  }
  zero_(): this {
    IP.zero_(this);
    return this;
  }
  fill_(value: number | boolean | Tensor): this {
    IP.fill_(this, value);
    return this;
  }
  masked_fill_(mask: Tensor, value: TensorLike): this {
    IP.masked_fill_(this, mask, value);
    return this;
  }

  // ---- conversion and inspection ---------------------------------------------------------------

  /** The value of a one-element tensor (bool gives 0/1). */
  item(): number {
    if (this.data.length !== 1) throw new RangeError(`a Tensor with ${this.data.length} elements cannot be converted to Scalar`);
    return this.data[0];
  }

  /** Nested arrays of numbers (booleans for bool tensors); a number for a 0-dim tensor. */
  tolist(): unknown {
    const conv = this.dtype === "bool" ? (v: number) => v !== 0 : (v: number) => v;
    if (this.shape.length === 0) return conv(this.data[0]);
    const build = (d: number, off: number): unknown[] => {
      const n = this.shape[d];
      const out = new Array(n);
      if (d === this.shape.length - 1) for (let i = 0; i < n; i++) out[i] = conv(this.data[off + i]);
      else {
        let stride = 1;
        for (let k = d + 1; k < this.shape.length; k++) stride *= this.shape[k];
        for (let i = 0; i < n; i++) out[i] = build(d + 1, off + i * stride);
      }
      return out;
    };
    return build(0, 0);
  }

  /** `size()`: the shape; `size(dim)`: one dim (negative dims count from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return [...this.shape];
    const n = Math.max(this.shape.length, 1);
    if (!Number.isInteger(dim) || dim < -n || dim >= n) {
      throw new RangeError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
    }
    if (this.shape.length === 0) throw new RangeError("dimension specified as 0 but tensor has no dimensions");
    return this.shape[dim < 0 ? dim + n : dim];
  }

  nelement(): number {
    return this.data.length;
  }

  new_zeros(size: readonly number[]): Tensor {
    return new Tensor(this.data instanceof Float32Array ? new Float32Array(size.reduce((a, b) => a * b, 1)) : new Float64Array(size.reduce((a, b) => a * b, 1)), size, this.dtype);
  }
  new_ones(size: readonly number[]): Tensor {
    return this.new_full(size, 1);
  }
  new_full(size: readonly number[], fill_value: number): Tensor {
    const t = this.new_zeros(size);
    t.data.fill(this.dtype === "int64" ? Math.trunc(fill_value) : this.dtype === "bool" ? (fill_value !== 0 ? 1 : 0) : fill_value);
    return t;
  }

  // ---- cumulative, rearranging and sorting ops ----------------------------------------------

  cumsum(dim: number, options?: { dtype?: DType }): Tensor {
    return CU.cumsum(this, dim, options);
  }
  cumprod(dim: number, options?: { dtype?: DType }): Tensor {
    return CU.cumprod(this, dim, options);
  }
  flip(...dims: (number | readonly number[])[]): Tensor {
    const list = dims.length === 1 && Array.isArray(dims[0]) ? (dims[0] as number[]) : (dims as number[]);
    return RA.flip(this, list);
  }
  repeat(...sizes: (number | readonly number[])[]): Tensor {
    return RA.repeat(this, ...sizes);
  }
  tril(diagonal?: number): Tensor {
    return RA.tril(this, diagonal);
  }
  triu(diagonal?: number): Tensor {
    return RA.triu(this, diagonal);
  }
  sort(dim?: number | SortOptions, descending?: boolean): ValuesIndices {
    return SO.sort(this, dim, descending);
  }
  argsort(dim?: number | SortOptions, descending?: boolean): Tensor {
    return SO.argsort(this, dim, descending);
  }
  topk(k: number, dim?: number, largest?: boolean): ValuesIndices {
    return SO.topk(this, k, dim, largest);
  }

  // ---- printing (see print.ts) ----------------------------------------------------------------

  /** PyTorch's repr: `tensor([1., 2.], requires_grad=True)`. */
  toString(): string {
    return tensor_repr(this);
  }

  /**
   * Conversion to a JS primitive: a one-element tensor acts as its number in arithmetic and
   * comparisons (`total += torch.norm(g)`, `loss < 0.1`, `Number(t)`, as Python's float(t));
   * string contexts (`String(t)`, template literals) give the repr.
   */
  [Symbol.toPrimitive](hint: string): number | string {
    if (hint === "string") return tensor_repr(this);
    if (this.data.length === 1) return this.data[0];
    if (hint === "number") throw new TypeError("only one element tensors can be converted to Python scalars");
    return tensor_repr(this);
  }

  /** Node's console.log / util.inspect show the same text. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return tensor_repr(this);
  }
}
