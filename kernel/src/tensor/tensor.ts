/**
 * The Tensor: a contiguous, row-major typed array with a shape, a dtype and, for autograd,
 * `requires_grad`, `grad` and `grad_fn`.
 *
 * Storage: float32 lives in a Float32Array (every result is rounded to float32 on store, so single
 * element-wise ops give PyTorch's float32 results); float64, the integer dtypes (int64, int32,
 * int16, int8, uint8) and bool live in a Float64Array (int64 is exact up to 2^53, which is all a
 * training notebook needs; the smaller integers are written wrapped to their range, dtype.ts coerce).
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
import { Device } from "./device";
import { C_TYPE_NAME, ELEMENT_SIZE, SCALAR_TYPE_NAME, TENSOR_TYPE_NAME, allocation_error, cast_storage, check_dtype, is_floating } from "./dtype";
import * as E from "./elementwise";
import type { AlphaOptions, ClampBound, ClampBounds, DivOptions, TensorLike } from "./elementwise";
import * as R from "./reduce";
import type { DimArg, DimOptions, DimsOptions, KeepArg, NormOptions, ReduceOptions, ValuesIndices, VarOptions } from "./reduce";
import type { CumOptions } from "./cumulative";
import * as V from "./views";
import * as SI from "./shape_inplace";
import type { ShapeArgs } from "./views";
import * as I from "./indexing";
import type { IndexSpec } from "./indexing";
import * as G from "./gather";
import * as L from "./linalg";
import * as A from "./activation";
import * as C from "./compare";
import type { CloseOptions } from "./compare";
import * as IP from "./inplace";
import { check_requires_grad_assignment } from "./requires_grad_checks";
import { tensor_repr } from "./print";
import { noteZeroed } from "./grad_zeroed";
import { sync_view } from "./view_history";
import { is_torch_contiguous } from "./torch_strides";
import type { SliceWindow } from "./slice_window";
import type { ViewMeta } from "./view_history";
import type { VersionCounter } from "./version";
import { check_multi_output, share_version, version_of } from "./version";
import * as CU from "./cumulative";
import * as RA from "./rearrange";
import * as SO from "./sorting";
import type { SortOptions } from "./sorting";
import * as RM2 from "./rearrange_more";
import type { RepeatInterleaveOptions } from "./rearrange_more";
import * as DG from "./diagonal";
import type { DiagonalOptions } from "./diagonal";
import * as PR from "./products";
import type { AddmmOptions } from "./products";
import * as IM from "./index_more";
import * as UQ from "./unique";
import type { BincountOptions, HistcOptions, UniqueOptions } from "./unique";
import * as MM from "./math_more";
import type { NanToNumOptions } from "./math_more";
import * as RM from "./reduce_more";
import type { DiffOptions, DimKeepOptions, MinMax, NanReduceOptions, QuantileOptions } from "./reduce_more";
import * as BW from "./bitwise";
import * as LA from "./linalg/solve";
import * as SM from "./special_math";
import * as OM from "./order_more";
import type { IsinOptions, KthvalueOptions } from "./order_more";
import { tensor_split as tensor_split_ } from "./tensor_split";
import * as NM from "./norms_more";
import * as NZ from "./nonzero_forms";
import type { NonzeroOptions } from "./nonzero_forms";
import { round as round_decimals } from "./round_decimals";
import * as ST from "./stats";
import type { CovOptions } from "./stats";
import * as PM from "./products_more";
import * as IPT from "./index_put";
import * as FA from "./factories";
import { checkKeywords, pyArgs } from "../utils/py_args";
import { parse_to_args } from "./to_args";
import type { TensorOptions } from "./shape";
import type { AccumulateArg } from "./index_put";
import { RuntimeError, RuntimeRangeError, TypeError_ } from "../errors";
import { py_type_name } from "../utils/py_type_name";

export type DType = "float32" | "float64" | "int64" | "int32" | "int16" | "int8" | "uint8" | "bool";
/** Tensor.to's keywords, PyTorch's (memory_format is accepted and means nothing: every tensor is contiguous). */
export interface ToOptions {
  dtype?: DType | null;
  device?: "cpu" | `cpu:${number}` | Device | null;
  non_blocking?: boolean;
  copy?: boolean;
  memory_format?: unknown;
}
export type Storage = Float32Array | Float64Array;
export type Shape = readonly number[];

/** A node of the autograd graph: made by an op, it maps the output's gradient to its inputs'. */
export interface GradFn {
  /** PyTorch's name for the node, e.g. "AddBackward0" (shown in the tensor's printout): a method, as PyTorch's `grad_fn.name()`. */
  name(): string;
  /** The op's tensor inputs, in order; null for inputs that need no gradient. */
  readonly inputs: readonly (Tensor | null)[];
  /** Gradients w.r.t. each input (same order as `inputs`, shaped like them), or null. */
  backward(grad_output: Tensor): (Tensor | null)[];
  /**
   * PyTorch's `grad_fn.next_functions`: per input, in the op's order, `[node, 0]` with the input's
   * grad_fn (an AccumulateGrad for a leaf requiring grad, whose `.variable` is the leaf), or
   * `[null, 0]` for an input that needs no gradient (tensor/next_functions.ts).
   */
  readonly next_functions: readonly NextFunction[];
}

/** One entry of `grad_fn.next_functions`: the next node (null: no gradient goes there) and its output number. */
export type NextFunction = readonly [node: GradFn | null, input_nr: number];

/** A zero-filled storage for `n` elements of `dtype`: a Float32Array for float32, else a Float64Array. */
export function storageFor(dtype: DType, n: number): Storage {
  try {
    return dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  } catch (e) {
    throw allocation_error(dtype, n, e);
  }
}

/**
 * Dense tensors' ops with a sparse operand (`dense.add_(sparse)`, `dense.add(sparse)`), set by
 * sparse.ts: SparseTensor extends Tensor, so this file cannot import it.
 */
export const sparse_support: {
  add_?: (self: Tensor, other: Tensor, alpha: number) => void;
  add?: (self: Tensor, other: Tensor, alpha: number) => Tensor;
} = {};

/** The number of elements of a tensor shaped `shape` (1 for a scalar's `[]`). */
export function numelOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** c10's names of the dtypes ("double"), as PyTorch's messages print a tensor's dtype. */
const C_TYPE_NAMES: Record<DType, string> = C_TYPE_NAME;
/** c10's ScalarType names ("Double"), as other PyTorch messages print them. */
const SCALAR_TYPE_NAMES: Record<DType, string> = SCALAR_TYPE_NAME;

/** PyTorch's tensor type names (`t.type()`), one per dtype. */
const TYPE_NAMES: Record<DType, string> = TENSOR_TYPE_NAME;

export class Tensor {
  /** Contiguous row-major elements. Optimizers and the tracer read and write it directly. */
  data: Storage;
  /**
   * The size, readonly as PyTorch's torch.Size: the tensor's own array, so a write would change
   * its shape without its data. Copy it to change it (`[...t.shape, 1]`, or `t.size()`). Not frozen
   * at run time (Object.freeze per tensor made a small MLP's training step ~17% slower).
   */
  shape: readonly number[];
  dtype: DType;
  private _requires_grad = false;
  private _grad_fn: GradFn | null = null;
  private _grad: Tensor | null = null;
  /**
   * Set on a view (view, reshape, flatten, squeeze, unsqueeze, ...: same storage as `base`).
   * An in-place op through any view (or on the base) moves their shared version counter, and a
   * view's own history is rebuilt from its base's whenever that counter has moved on since it was
   * built (see view_history.ts), as PyTorch's views do.
   */
  _view: ViewMeta | null = null;
  /** @internal A slice's place in the tensor it was copied from (slice_window.ts: in-place ops write back). */
  _window: SliceWindow | null = null;
  /**
   * @internal The version counter, shared by every tensor over this storage (views, detach(),
   * slices); null until one is needed: the version is 0 (version.ts).
   */
  _vc: VersionCounter | null = null;
  /** @internal PyTorch's memory order (logical dims, outermost first) of a tensor PyTorch holds permuted; null when contiguous (memory_order.ts). */
  _memory_order: readonly number[] | null = null;

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
    this._set_requires_grad(requires_grad);
  }

  /** The gradient accumulated by backward(); assignable as in PyTorch (`p.grad = t` or `null`). */
  get grad(): Tensor | null {
    return this._grad;
  }
  set grad(g: Tensor | null) {
    // PyTorch 2.13's checks and words (the dtype first, then the size)
    if (g !== null && g !== undefined) {
      if (!(g instanceof Tensor)) throw TypeError_(`assigned grad expected to be a Tensor or None but got grad of type ${py_type_name(g)}`);
      if (g.dtype !== this.dtype) {
        throw RuntimeError(
          `attempting to assign a gradient with dtype '${C_TYPE_NAMES[g.dtype]}' to a tensor with grad_dtype '${SCALAR_TYPE_NAMES[this.dtype]}'. The gradient must match the tensor's grad_dtype (defaults to the tensor's dtype).` +
            ` (lrlab has no grad_dtype attribute: a gradient has its tensor's dtype; convert it with .to(${JSON.stringify(this.dtype)}).)`,
        );
      }
      if (g.shape.length !== this.shape.length || g.shape.some((d, i) => d !== this.shape[i])) {
        throw RuntimeError(
          `attempting to assign a gradient of size '[${g.shape.join(", ")}]' to a tensor of size '[${this.shape.join(", ")}]'. Please ensure that the gradient and the tensor are the same size`,
        );
      }
    }
    this._grad = g ?? null;
  }

  /** Whether autograd records ops on this tensor (for a view: as its base, see `_view`). */
  get requires_grad(): boolean {
    this.sync_history();
    return this._requires_grad;
  }
  /**
   * `t.requires_grad = r` in a notebook: PyTorch's checks (a non-leaf refuses either value, a
   * non-floating dtype refuses true). The library sets it through `_set_requires_grad`, which has
   * none: an op's result takes its history (a non-leaf, any dtype) that way.
   */
  set requires_grad(r: boolean) {
    check_requires_grad_assignment(this, r);
    this._set_requires_grad(r);
  }

  /** @internal Sets requires_grad without the user-facing checks (ops, views, in-place rebasing). */
  _set_requires_grad(r: boolean): void {
    this.sync_history(); // (a view given its own history keeps it until its base changes again)
    this._requires_grad = r;
  }

  /** The op that produced this tensor (null for leaves and for results made under no_grad). */
  get grad_fn(): GradFn | null {
    this.sync_history();
    return this._grad_fn;
  }
  set grad_fn(f: GradFn | null) {
    this.sync_history();
    this._grad_fn = f;
  }

  /** A view whose base was modified in place since its history was built rebuilds it. */
  private sync_history(): void {
    // (kept this small, so that V8 inlines it into the getters: most tensors are neither)
    if (this._view !== null || this._window !== null) this.sync_view_or_slice();
  }

  private sync_view_or_slice(): void {
    const v = this._view;
    if (v === null) {
      const w = this._window!;
      if (w.multi !== undefined) check_multi_output(this, w.multi);
      return;
    }
    if (v.multi !== undefined) check_multi_output(this, v.multi);
    const c = v.base._vc; // (shared with this view: never null here)
    if (v.seen !== (c === null ? 0 : c.v)) sync_view(this);
  }

  /**
   * PyTorch's version counter: how many in-place ops wrote this tensor's storage (through it, a
   * view, a detached alias or a slice of it), under no_grad too. Autograd compares it with the
   * version an op saved the tensor at, and raises in backward when they differ (version.ts).
   */
  get _version(): number {
    return version_of(this);
  }

  /** True for tensors made by the user (not by an op that records a graph). */
  get is_leaf(): boolean {
    return this.grad_fn === null;
  }

  /** False: a dense (strided) tensor; a SparseTensor (sparse.ts) says true. */
  get is_sparse(): boolean {
    return false;
  }

  /** `torch.strided` ("strided"); a SparseTensor's is "sparse_coo". */
  get layout(): "strided" | "sparse_coo" {
    return "strided";
  }

  // ---- sparse COO accessors (sparse.ts; a dense tensor refuses them, as PyTorch) ----------------

  /** A sparse tensor's stored indices, int64 [sparse_dim, nnz] (repeats kept). Sparse only. */
  _indices(): Tensor {
    throw RuntimeError("_indices expected sparse coordinate tensor layout but got Strided");
  }
  /** A sparse tensor's stored values, [nnz, ...dense dims]. Sparse only. */
  _values(): Tensor {
    throw RuntimeError("_values expected sparse coordinate tensor layout but got Strided");
  }
  /** A coalesced sparse tensor's indices. Sparse only. */
  indices(): Tensor {
    throw RuntimeError("indices expected sparse coordinate tensor layout but got Strided");
  }
  /** A coalesced sparse tensor's values. Sparse only. */
  values(): Tensor {
    throw RuntimeError("values expected sparse tensor layout but got Strided");
  }
  /** A sparse tensor with sorted, unique indices (repeats summed). Sparse only. */
  coalesce(): Tensor {
    throw RuntimeError("coalesce expected sparse coordinate tensor layout but got Strided");
  }
  /** Whether a sparse tensor's indices are sorted and unique. Sparse only. */
  is_coalesced(): boolean {
    throw RuntimeError("is_coalesced expected sparse coordinate tensor layout but got Strided");
  }
  /** The number of entries a sparse tensor stores. Sparse only. */
  _nnz(): number {
    throw RuntimeError("_nnz expected sparse coordinate tensor layout but got Strided");
  }
  /** The number of sparse dims: 0 for a dense tensor. */
  sparse_dim(): number {
    return 0;
  }
  /** The number of dense dims: every dim of a dense tensor. */
  dense_dim(): number {
    return this.shape.length;
  }
  /** The dense equivalent: a dense tensor itself. */
  to_dense(): Tensor {
    return this;
  }

  /** Number of elements. */
  numel(): number {
    return this.data.length;
  }

  /** Number of dimensions. */
  dim(): number {
    return this.shape.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  // ---- autograd -------------------------------------------------------------------------------

  /**
   * Computes the gradient of this tensor w.r.t. the graph leaves and accumulates it into their
   * `.grad`. `gradient` is required unless the tensor has one element. The options may also come
   * alone: `y.backward({ retain_graph: true })`.
   */
  backward(gradient?: Tensor | number | null | autograd.BackwardOptions, options?: autograd.BackwardOptions): void {
    autograd.run_backward(this, gradient, options);
  }

  /** A new tensor sharing this one's data (and version counter), cut from the graph (requires_grad false). */
  detach(): Tensor {
    return share_version(new Tensor(this.data, this.shape, this.dtype, false), this);
  }

  /** Cuts this tensor from the graph in place, making it a leaf. */
  detach_(): this {
    if (this._view !== null) {
      throw RuntimeError(
        "Can't detach views in-place. Use detach() instead. (This tensor shares its base's storage and history: it was made by view, reshape, flatten, squeeze, unsqueeze or similar.)",
      );
    }
    this.grad_fn = null;
    this._set_requires_grad(false);
    return this;
  }

  /** Sets requires_grad in place (leaves only, floating dtypes only, as PyTorch). */
  requires_grad_(requiresGrad?: boolean | { requires_grad?: boolean }): this {
    // PyTorch's keyword too; an object used to be stored as the flag itself.
    const requires_grad = (pyArgs("requires_grad_", [["requires_grad", "boolean"]], [requiresGrad]).requires_grad as boolean | undefined) ?? true;
    if (requires_grad && !is_floating(this.dtype)) {
      throw RuntimeError(`only Tensors of floating point dtype can require gradients (got ${this.dtype})`);
    }
    if (!this.is_leaf && !requires_grad) {
      throw RuntimeError(
        "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
      );
    }
    // (true on a non-leaf is allowed here, as PyTorch's requires_grad_; the setter refuses it)
    this._set_requires_grad(requires_grad);
    return this;
  }

  /**
   * Calls `hook(grad)` when this tensor's gradient is computed in backward; a returned tensor
   * replaces the gradient. Returns a handle with remove().
   */
  register_hook(hook: autograd.GradHook): { remove(): void } {
    return autograd.register_hook(this, hook);
  }

  /** Keeps `.grad` for this non-leaf tensor during backward. */
  retain_grad(): void {
    autograd.retain_grad(this);
  }

  get retains_grad(): boolean {
    return autograd.retains_grad(this);
  }

  // ---- dtype conversion ----------------------------------------------------------------------

  /**
   * A copy in another dtype (this tensor when nothing changes, as PyTorch), differentiable:
   * PyTorch's forms `to(dtype)`, `to(device, dtype?)` and `to(other)` (other's dtype), each with
   * `non_blocking` and `copy` positionally or as `{ ... }` (to_args.ts). Everything lives on the
   * CPU, so a device of "cpu" (or torch.device("cpu")) is accepted (so PyTorch code ports) and
   * changes nothing.
   */
  to(dtype: DType | Tensor | ToOptions | "cpu" | Device, options?: ToOptions): Tensor;
  to(device: "cpu" | `cpu:${number}` | Device | null, dtype?: DType | null | ToOptions, options?: ToOptions): Tensor;
  to(...args: unknown[]): Tensor {
    const { dtype, copy } = parse_to_args(args);
    const d = dtype ?? this.dtype;
    if (d === this.dtype) return copy ? this.clone() : this;
    const out = new Tensor(cast_storage(this.data, d), this.shape, d);
    if (!is_floating(d)) return out;
    // ToCopyBackward0: the engine casts the gradient back to this tensor's dtype.
    return autograd.attach(out, "ToCopyBackward0", [this], (g) => [g], false);
  }

  /** The device: always "cpu". */
  get device(): string {
    return "cpu";
  }

  /** This tensor (everything lives on the CPU). */
  cpu(): Tensor {
    return this;
  }

  /** A float32 copy (this tensor if already float32). */
  float(): Tensor {
    return this.to("float32");
  }

  /** A float64 copy (this tensor if already float64). */
  double(): Tensor {
    return this.to("float64");
  }

  /** An int64 copy (truncating toward zero). */
  long(): Tensor {
    return this.to("int64");
  }

  /** A bool copy (nonzero is true). */
  bool(): Tensor {
    return this.to("bool");
  }

  /** An int32 copy (truncating toward zero, wrapping around out of range), as PyTorch's `.int()`. */
  int(): Tensor {
    return this.to("int32");
  }

  /** An int16 copy (truncating, wrapping), as PyTorch's `.short()`. */
  short(): Tensor {
    return this.to("int16");
  }

  /** An int8 copy (truncating, wrapping), as PyTorch's `.char()`. */
  char(): Tensor {
    return this.to("int8");
  }

  /** A uint8 copy (truncating, wrapping: -1 -> 255), as PyTorch's `.byte()`. */
  byte(): Tensor {
    return this.to("uint8");
  }

  /** The tensor type name ("torch.FloatTensor"). */
  type(): string;
  /** A copy in `dtype` (this tensor if it already has it), as `to(dtype)`. */
  type(dtype: DType | string | { dtype: DType | string; non_blocking?: boolean }): Tensor;
  // PyTorch's two overloads, so `t.type(torch.float64).dtype` type-checks (one `Tensor | string` did not)
  type(dtype?: DType | string | { dtype?: DType | string; non_blocking?: boolean }): Tensor | string {
    let d: unknown = dtype;
    if (typeof dtype === "object" && dtype !== null) {
      checkKeywords("type", dtype, ["dtype", "non_blocking"]);
      d = dtype.dtype;
    }
    if (d === undefined) return TYPE_NAMES[this.dtype];
    // PyTorch's type names ("torch.DoubleTensor") name a dtype too
    const named = (Object.keys(TYPE_NAMES) as DType[]).find((k) => TYPE_NAMES[k] === d);
    return this.to(named ?? (d as DType));
  }

  /** True for float32 and float64. */
  is_floating_point(): boolean {
    return is_floating(this.dtype);
  }

  // ---- element-wise arithmetic (see elementwise.ts) --------------------------------------------

  /** `self + alpha * other` (broadcasting; `alpha` via `{ alpha }`). */
  add(other: TensorLike, options?: AlphaOptions): Tensor {
    if (other instanceof Tensor && other.is_sparse) return (sparse_support.add as NonNullable<typeof sparse_support.add>)(this, other, options?.alpha ?? 1);
    return E.add(this, other, options);
  }
  /** `self - alpha * other` (broadcasting; `alpha` via `{ alpha }`). */
  sub(other: TensorLike, options?: AlphaOptions): Tensor {
    return E.sub(this, other, options);
  }
  /** `other - alpha * self`. */
  rsub(other: TensorLike, options?: AlphaOptions): Tensor {
    return E.rsub(this, other, options);
  }
  /** Element-wise product (broadcasting). */
  mul(other: TensorLike): Tensor {
    return E.mul(this, other);
  }
  /** Element-wise true division; `{ rounding_mode: "trunc" | "floor" }` rounds the result. */
  div(other: TensorLike, options?: DivOptions): Tensor {
    return E.div(this, other, options);
  }
  /** Element-wise true division. */
  true_divide(other: TensorLike): Tensor {
    return E.div(this, other);
  }
  /** floor(self / other). */
  floor_divide(other: TensorLike): Tensor {
    return E.floor_divide(this, other);
  }
  /** Python's modulus: self - floor(self / other) * other. */
  remainder(other: TensorLike): Tensor {
    return E.remainder(this, other);
  }
  /** `self ** exponent` (tensor or number). */
  pow(exponent: TensorLike): Tensor {
    return E.pow(this, exponent);
  }
  /** Element-wise maximum (NaN propagates). */
  maximum(other: TensorLike): Tensor {
    return E.maximum(this, other);
  }
  /** Element-wise minimum (NaN propagates). */
  minimum(other: TensorLike): Tensor {
    return E.minimum(this, other);
  }
  /** -self. */
  neg(): Tensor {
    return E.neg(this);
  }
  /** -self. */
  negative(): Tensor {
    return E.neg(this);
  }
  /** e ** self. */
  exp(): Tensor {
    return E.exp(this);
  }
  /** e ** self - 1, accurate near 0. */
  expm1(): Tensor {
    return E.expm1(this);
  }
  /** Natural logarithm. */
  log(): Tensor {
    return E.log(this);
  }
  /** log(1 + self), accurate near 0. */
  log1p(): Tensor {
    return E.log1p(this);
  }
  /** Base-2 logarithm. */
  log2(): Tensor {
    return E.log2(this);
  }
  /** Base-10 logarithm. */
  log10(): Tensor {
    return E.log10(this);
  }
  /** Square root. */
  sqrt(): Tensor {
    return E.sqrt(this);
  }
  /** 1 / sqrt(self). */
  rsqrt(): Tensor {
    return E.rsqrt(this);
  }
  /** self ** 2. */
  square(): Tensor {
    return E.square(this);
  }
  /** 1 / self. */
  reciprocal(): Tensor {
    return E.reciprocal(this);
  }
  /** Absolute value. */
  abs(): Tensor {
    return E.abs(this);
  }
  /** -1, 0 or 1 by sign. */
  sign(): Tensor {
    return E.sign(this);
  }
  /** x / |x| (0 at 0; NaN -> 0): sign for real tensors. */
  sgn(): Tensor {
    return E.sgn(this);
  }
  /** Sine. */
  sin(): Tensor {
    return E.sin(this);
  }
  /** Cosine. */
  cos(): Tensor {
    return E.cos(this);
  }
  /** Rounds down. */
  floor(): Tensor {
    return E.floor(this);
  }
  /** Rounds up. */
  ceil(): Tensor {
    return E.ceil(this);
  }
  /** Rounds half to even; `{ decimals }` to that many decimal places (negative: to tens, hundreds, ...). */
  round(options?: { decimals?: number }): Tensor {
    return options === undefined ? E.round(this) : round_decimals(this, options);
  }
  /** Limits values to [min, max] (numbers or tensors; `clamp(min, max)` or `clamp({ min, max })`). */
  clamp(min?: ClampBound | ClampBounds, max?: ClampBound): Tensor {
    return E.clamp(this, min, max);
  }
  /** Alias of clamp. */
  clip(min?: ClampBound | ClampBounds, max?: ClampBound): Tensor {
    return E.clamp(this, min, max);
  }
  /** max(self, min). */
  clamp_min(min: number | Tensor): Tensor {
    return E.clamp_min(this, min);
  }
  /** min(self, max). */
  clamp_max(max: number | Tensor): Tensor {
    return E.clamp_max(this, max);
  }
  /** self + weight * (end - self). */
  lerp(end: TensorLike, weight: TensorLike): Tensor {
    return E.lerp(this, end, weight);
  }

  // ---- reductions (see reduce.ts) -------------------------------------------------------------

  /** Sum of all elements, or along `dim` (a number or list) with `keepdim`. */
  sum(dim?: DimArg, keepdim?: KeepArg): Tensor {
    return R.sum(this, dim, keepdim);
  }
  /** Mean of all elements, or along `dim` with `keepdim` (floating dtypes). */
  mean(dim?: DimArg, keepdim?: KeepArg): Tensor {
    return R.mean(this, dim, keepdim);
  }
  /** Product of all elements, or along `dim`. */
  prod(dim?: number | null | ReduceOptions, keepdim?: KeepArg): Tensor {
    return R.prod(this, dim, keepdim);
  }
  /** Variance (Bessel-corrected by default: `{ correction: 0 }` or `{ unbiased: false }` for the population variance). PyTorch's overloads: `var(unbiased)`, `var(dim, unbiased, keepdim?)` (a boolean after dim is `unbiased`), `var(dim?, { correction, keepdim })`. */
  var(unbiased: boolean): Tensor;
  var(dim: number | readonly number[] | null | undefined, unbiased: boolean, keepdim?: R.UnbiasedKeep): Tensor;
  var(dim?: DimArg | VarOptions, options?: VarOptions): Tensor;
  var(dim?: unknown, options?: unknown, keepdim?: unknown, ...extra: unknown[]): Tensor {
    return R.var_std(this, dim, options, keepdim, false, "var", extra);
  }
  /** Standard deviation (Bessel-corrected by default), with var's overloads: `std(unbiased)`, `std(dim, unbiased, keepdim?)`, `std(dim?, { correction, keepdim })`. */
  std(unbiased: boolean): Tensor;
  std(dim: number | readonly number[] | null | undefined, unbiased: boolean, keepdim?: R.UnbiasedKeep): Tensor;
  std(dim?: DimArg | VarOptions, options?: VarOptions): Tensor;
  std(dim?: unknown, options?: unknown, keepdim?: unknown, ...extra: unknown[]): Tensor {
    return R.var_std(this, dim, options, keepdim, true, "std", extra);
  }
  /** Vector p-norm (default 2) of all elements or along `dim`. */
  norm(p?: number | "fro" | NormOptions | null, dim?: number | readonly number[] | null | NormOptions, keepdim?: boolean | NormOptions): Tensor {
    return R.norm(this, p, dim, keepdim);
  }
  /** log(sum(exp(self))) along `dim`, computed stably. */
  logsumexp(dim: number | readonly number[] | DimsOptions, keepdim?: boolean | DimsOptions): Tensor {
    return R.logsumexp(this, dim, keepdim);
  }
  /** Largest values along `dim` (all dims by default); ties share the gradient. */
  amax(dim?: number | readonly number[] | null | DimsOptions, keepdim?: boolean | DimsOptions): Tensor {
    return R.amax(this, dim, keepdim);
  }
  /** Smallest values along `dim` (all dims by default); ties share the gradient. */
  amin(dim?: number | readonly number[] | null | DimsOptions, keepdim?: boolean | DimsOptions): Tensor {
    return R.amin(this, dim, keepdim);
  }
  /** `max()`: the largest element; `max(dim, keepdim?)`: { values, indices }; `max(other)`: maximum. */
  max(): Tensor;
  max(dim: number | (DimOptions & { dim: number }), keepdim?: boolean | DimOptions): ValuesIndices;
  max(other: Tensor): Tensor;
  max(dim?: number | Tensor | DimOptions, keepdim?: boolean | DimOptions): Tensor | ValuesIndices {
    return (R.max as (x: Tensor, d?: number | Tensor | DimOptions, k?: boolean | DimOptions) => Tensor | ValuesIndices)(this, dim, keepdim);
  }
  min(): Tensor;
  min(dim: number | (DimOptions & { dim: number }), keepdim?: boolean | DimOptions): ValuesIndices;
  min(other: Tensor): Tensor;
  min(dim?: number | Tensor | DimOptions, keepdim?: boolean | DimOptions): Tensor | ValuesIndices {
    return (R.min as (x: Tensor, d?: number | Tensor | DimOptions, k?: boolean | DimOptions) => Tensor | ValuesIndices)(this, dim, keepdim);
  }
  /** Index of the largest value (flattened, or along `dim`). */
  argmax(dim?: number | null | DimOptions, keepdim?: boolean | DimOptions): Tensor {
    return R.argmax(this, dim, keepdim);
  }
  /** Index of the smallest value (flattened, or along `dim`). */
  argmin(dim?: number | null | DimOptions, keepdim?: boolean | DimOptions): Tensor {
    return R.argmin(this, dim, keepdim);
  }
  /** True where all elements (along `dim`) are nonzero. */
  all(dim?: DimArg, keepdim?: KeepArg): Tensor {
    return C.all(this, dim, keepdim);
  }
  /** True where some element (along `dim`) is nonzero. */
  any(dim?: DimArg, keepdim?: KeepArg): Tensor {
    return C.any(this, dim, keepdim);
  }

  // ---- shape ops (see views.ts) ---------------------------------------------------------------

  /** The same elements in a new shape (`reshape(2, -1)` or `reshape([2, -1])`); shares storage. */
  reshape(...shape: ShapeArgs): Tensor {
    return V.reshape(this, ...shape);
  }
  /**
   * The same elements in a new shape, sharing storage: `view(2, -1)`, `view([2, -1])`,
   * `view({ size })`; or `view(dtype)` / `view({ dtype })`: the same bytes read as another dtype
   * (tensor/view_dtype.ts).
   */
  view(dtype: DType | V.ViewOptions): Tensor;
  view(...shape: ShapeArgs): Tensor;
  view(...shape: (ShapeArgs[number] | DType | V.ViewOptions)[]): Tensor {
    return V.view(this, ...shape);
  }
  /** view(other.shape). */
  view_as(other: Tensor): Tensor {
    return V.view(this, other.shape);
  }
  /** reshape(other.shape). */
  reshape_as(other: Tensor): Tensor {
    return V.reshape(this, other.shape);
  }
  /** Merges dims start_dim..end_dim (all by default) into one; `flatten({ start_dim: 1 })` as Python's keyword. */
  flatten(start_dim?: number | V.FlattenOptions, end_dim?: number): Tensor {
    return V.flatten(this, start_dim, end_dim);
  }
  /** Splits dim `dim` into `sizes`. */
  unflatten(dim: number, sizes: readonly number[]): Tensor {
    return V.unflatten(this, dim, sizes);
  }
  /** Removes size-1 dims (all, or those in `dim`). */
  squeeze(dim?: number | readonly number[]): Tensor {
    return V.squeeze(this, dim);
  }
  /** Inserts a size-1 dim at `dim`. */
  unsqueeze(dim: number | { dim: number }): Tensor {
    return V.unsqueeze(this, dim);
  }
  /** unsqueeze in place (shape_inplace.ts). */
  unsqueeze_(dim: number | { dim: number }): Tensor {
    return SI.unsqueeze_(this, dim);
  }
  /** squeeze in place: every size-1 dim, or those of `dim` (shape_inplace.ts). */
  squeeze_(dim?: number | readonly number[] | { dim?: number | readonly number[] }): Tensor {
    return SI.squeeze_(this, dim);
  }
  /** t in place (new storage for the transposed values: shape_inplace.ts). */
  t_(): Tensor {
    return SI.t_(this);
  }
  /** transpose in place (new storage for the transposed values: shape_inplace.ts). */
  transpose_(dim0: number, dim1: number): Tensor {
    return SI.transpose_(this, dim0, dim1);
  }
  /** Broadcasts to a larger shape (-1 keeps a dim). */
  expand(...sizes: ShapeArgs): Tensor {
    return V.expand(this, ...sizes);
  }
  /** expand(other.shape). */
  expand_as(other: Tensor): Tensor {
    return V.expand(this, other.shape);
  }
  /** expand(shape). */
  broadcast_to(shape: readonly number[]): Tensor {
    return V.expand(this, shape);
  }
  /** Swaps two dims. */
  transpose(dim0: number, dim1: number): Tensor {
    return V.transpose(this, dim0, dim1);
  }
  /** Alias of transpose. */
  swapaxes(dim0: number, dim1: number): Tensor {
    return V.transpose(this, dim0, dim1);
  }
  /** Transpose of a tensor with at most 2 dims. */
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
  /** Reorders the dims. */
  permute(...dims: ShapeArgs): Tensor {
    return V.permute(this, ...dims);
  }
  /** Pieces of `split_size` (or of the listed sizes) along `dim`. */
  split(split_size: V.SplitSize | V.SplitOptions, dim?: number | { dim?: number }): Tensor[] {
    return V.split_method(this, split_size, dim);
  }
  /** `chunks` pieces of equal size (the last may be smaller) along `dim`. */
  chunk(chunks: number, dim?: number | { dim?: number }): Tensor[] {
    return V.chunk(this, chunks, dim);
  }
  /** The slices along `dim`, with that dim removed. */
  unbind(dim?: number): Tensor[] {
    return V.unbind(this, dim);
  }
  /** A copy with its own storage (differentiable). */
  clone(): Tensor {
    return V.clone(this);
  }
  /**
   * The tensor itself, or for one PyTorch holds non-contiguous (x.t(), x[:, 0:2], ...) a copy in
   * row-major order, as PyTorch's: in-place ops on that copy leave x alone (torch_strides.ts).
   */
  contiguous(): Tensor {
    return is_torch_contiguous(this) ? this : V.contiguous_copy(this);
  }
  /** PyTorch's: false for a tensor it holds non-contiguous (x.t(), x[:, 0], x[:, 0:2], ...). */
  is_contiguous(): boolean {
    return is_torch_contiguous(this);
  }

  // ---- indexing (see indexing.ts, gather.ts) --------------------------------------------------

  /**
   * The slices along dim 0 (PyTorch's `for row in t`, `list(t)`): `for (const row of t)`, `[...t]`,
   * `Array.from(t)`, each a view, taken as the loop reaches it. A 0-d tensor has none: TypeError,
   * as PyTorch's.
   */
  *[Symbol.iterator](): Iterator<Tensor> {
    if (this.shape.length === 0) throw new TypeError("iteration over a 0-d tensor");
    const n = this.shape[0];
    for (let i = 0; i < n; i++) yield I.select(this, 0, i);
  }
  /** Removes dim `dim` by taking entry `index`. */
  select(dim: number, index: number): Tensor {
    return I.select(this, dim, index);
  }
  /** Entries start .. start + length - 1 of dim `dim`. */
  narrow(dim: number, start: number, length: number): Tensor {
    return I.narrow(this, dim, start, length);
  }
  /** Python's `x[i, "1:3", null, ...]`: numbers, null/":" (whole dim), slice strings, "...", "None" (Python's None: a new axis), int64 index tensors (any shapes, broadcast) and bool masks. */
  index(...indices: IndexSpec[]): Tensor {
    return I.index(this, ...indices);
  }
  /** Entries `index` (int64) of dim `dim`. */
  index_select(dim: number, index: Tensor): Tensor {
    return G.index_select(this, dim, index);
  }
  /** out[i][j] = self[i][index[i][j]] (for dim 1); the result has index's shape. */
  gather(dim: number, index: Tensor): Tensor {
    return G.gather(this, dim, index);
  }
  /** A copy with src (or a number) written at `index` along `dim`. */
  scatter(dim: number, index: Tensor, src: Tensor | number, options?: G.ScatterOptions): Tensor {
    return G.scatter(this, dim, index, src, options);
  }
  /** A copy with src added at `index` along `dim`. */
  scatter_add(dim: number, index: Tensor, src: Tensor): Tensor {
    return G.scatter_add(this, dim, index, src);
  }
  /** A copy with `value` where `mask` (bool, broadcast) is true. */
  masked_fill(mask: Tensor, value: TensorLike | { value: TensorLike }): Tensor {
    return I.masked_fill(this, mask, value);
  }
  /** The elements where `mask` is true (self and mask broadcast together), as a 1-D tensor. */
  masked_select(mask: Tensor): Tensor {
    return NZ.masked_select(this, mask);
  }

  // ---- matrix products (see linalg.ts) --------------------------------------------------------

  /** Matrix product with PyTorch's rules for 1-D, 2-D and batched (broadcast) operands. */
  matmul(other: Tensor): Tensor {
    return L.matmul(this, other);
  }
  /** Product of two matrices. */
  mm(other: Tensor): Tensor {
    return L.mm(this, other);
  }
  /** Batched product [B, M, K] @ [B, K, N]. */
  bmm(other: Tensor): Tensor {
    return L.bmm(this, other);
  }
  /** Matrix @ vector. */
  mv(vec: Tensor): Tensor {
    return L.mv(this, vec);
  }
  /** Dot product of two 1-D tensors. */
  dot(other: Tensor): Tensor {
    return L.dot(this, other);
  }
  /** Outer product of two 1-D tensors. */
  outer(other: Tensor): Tensor {
    return L.outer(this, other);
  }

  // ---- activations (see activation.ts) --------------------------------------------------------

  /** max(self, 0). */
  relu(): Tensor {
    return A.relu(this);
  }
  /** 1 / (1 + exp(-self)). */
  sigmoid(): Tensor {
    return A.sigmoid(this);
  }
  /** Hyperbolic tangent. */
  tanh(): Tensor {
    return A.tanh(this);
  }
  /** exp(self) / sum(exp(self)) along `dim`, computed stably. */
  softmax(dim: number | A.SoftmaxOptions): Tensor {
    return A.softmax(this, dim);
  }
  /** log(softmax(self, dim)), computed stably. */
  log_softmax(dim: number | A.SoftmaxOptions): Tensor {
    return A.log_softmax(this, dim);
  }

  // ---- comparisons (see compare.ts) -----------------------------------------------------------

  /** self == other, element-wise (bool). */
  eq(other: TensorLike): Tensor {
    return C.eq(this, other);
  }
  /** self != other, element-wise (bool). */
  ne(other: TensorLike): Tensor {
    return C.ne(this, other);
  }
  /** self < other, element-wise (bool). */
  lt(other: TensorLike): Tensor {
    return C.lt(this, other);
  }
  /** self <= other, element-wise (bool). */
  le(other: TensorLike): Tensor {
    return C.le(this, other);
  }
  /** self > other, element-wise (bool). */
  gt(other: TensorLike): Tensor {
    return C.gt(this, other);
  }
  /** self >= other, element-wise (bool). */
  ge(other: TensorLike): Tensor {
    return C.ge(this, other);
  }
  /** Indices of the nonzero elements, shape [count, ndim]; `{ as_tuple: true }`: one 1-D index tensor per dim. */
  nonzero(options: NonzeroOptions & { as_tuple: true }): Tensor[];
  nonzero(options?: NonzeroOptions & { as_tuple?: false }): Tensor;
  nonzero(options?: NonzeroOptions): Tensor | Tensor[] {
    return options === undefined ? C.nonzero(this) : NZ.nonzero(this, options);
  }
  /** Number of nonzero elements (along `dim`). */
  count_nonzero(dim?: number | readonly number[] | null): Tensor {
    return C.count_nonzero(this, dim);
  }
  /** The error function. */
  erf(): Tensor {
    return A.erf(this);
  }
  /** True where the element is finite. */
  isfinite(): Tensor {
    return C.isfinite(this);
  }
  /** True where the element is NaN. */
  isnan(): Tensor {
    return C.isnan(this);
  }
  /** True where the element is +-Infinity. */
  isinf(): Tensor {
    return C.isinf(this);
  }
  /** True where the element is zero. */
  logical_not(): Tensor {
    return C.logical_not(this);
  }
  /** True where both are nonzero. */
  logical_and(other: TensorLike): Tensor {
    return C.logical_and(this, other);
  }
  /** True where either is nonzero. */
  logical_or(other: TensorLike): Tensor {
    return C.logical_or(this, other);
  }
  /** Same shape and same elements. */
  equal(other: Tensor): boolean {
    return C.equal(this, other);
  }
  /** All elements within atol + rtol * |other| (defaults 1e-8, 1e-5). */
  allclose(other: TensorLike, ...rest: (number | boolean | CloseOptions | undefined)[]): boolean {
    return C.allclose(this, other, ...rest);
  }
  /** Element-wise closeness (see allclose). */
  isclose(other: TensorLike, ...rest: (number | boolean | CloseOptions | undefined)[]): Tensor {
    return C.isclose(this, other, ...rest);
  }
  /** `x.where(condition, y)`: x where condition, else y. */
  where(condition: Tensor, other: TensorLike): Tensor {
    return C.where(condition, this, other);
  }

  // ---- in-place ops (see inplace.ts) ----------------------------------------------------------

  /** In place: self += alpha * other. */
  add_(other: TensorLike, options?: AlphaOptions): this {
    if (other instanceof Tensor && other.is_sparse) {
      (sparse_support.add_ as NonNullable<typeof sparse_support.add_>)(this, other, options?.alpha ?? 1);
      return this;
    }
    IP.add_(this, other, options);
    return this;
  }
  /** In place: self -= alpha * other. */
  sub_(other: TensorLike, options?: AlphaOptions): this {
    IP.sub_(this, other, options);
    return this;
  }
  /** In place: self *= other. */
  mul_(other: TensorLike): this {
    IP.mul_(this, other);
    return this;
  }
  /** In place: self /= other. */
  div_(other: TensorLike, options?: DivOptions): this {
    IP.div_(this, other, options);
    return this;
  }
  /** In place: self = self ** exponent. */
  pow_(exponent: TensorLike): this {
    IP.pow_(this, exponent);
    return this;
  }
  /** In place: self += value * tensor1 * tensor2. */
  addcmul_(tensor1: Tensor, tensor2: Tensor, options?: { value?: number }): this {
    IP.addcmul_(this, tensor1, tensor2, options);
    return this;
  }
  /** In place: self += value * tensor1 / tensor2. */
  addcdiv_(tensor1: Tensor, tensor2: Tensor, options?: { value?: number }): this {
    IP.addcdiv_(this, tensor1, tensor2, options);
    return this;
  }
  /** In place: self += weight * (end - self). */
  lerp_(end: TensorLike, weight: TensorLike): this {
    IP.lerp_(this, end, weight);
    return this;
  }
  /** In place clamp. */
  clamp_(min?: ClampBound | ClampBounds, max?: ClampBound): this {
    IP.clamp_(this, min, max);
    return this;
  }
  /** In place: self = max(self, min). */
  clamp_min_(min: number | Tensor): this {
    IP.clamp_(this, min, null);
    return this;
  }
  /** In place: self = min(self, max). */
  clamp_max_(max: number | Tensor): this {
    IP.clamp_(this, null, max);
    return this;
  }
  /** In place square root. */
  sqrt_(): this {
    IP.sqrt_(this);
    return this;
  }
  /** In place exp. */
  exp_(): this {
    IP.exp_(this);
    return this;
  }
  /** In place log. */
  log_(): this {
    IP.log_(this);
    return this;
  }
  /** In place negation. */
  neg_(): this {
    IP.neg_(this);
    return this;
  }
  /** In place absolute value. */
  abs_(): this {
    IP.abs_(this);
    return this;
  }
  /** In place: copies src (broadcast, converted to self's dtype). */
  copy_(src: Tensor): this {
    IP.copy_(this, src);
    return this;
  }
  /**
   * In place: fills with zeros. Noted (grad_zeroed.ts): a gradient zeroed by hand between
   * micro-batch losses (`p.grad.zero_()`) is no accumulation, as zero_grad(false) is not.
   */
  zero_(): this {
    IP.zero_(this);
    noteZeroed(this);
    return this;
  }
  /** In place: fills with `value` (0: noted as zero_() is). */
  fill_(value: number | boolean | Tensor): this {
    IP.fill_(this, value);
    if (value === 0) noteZeroed(this);
    return this;
  }
  /** In place: writes `value` where `mask` is true. */
  masked_fill_(mask: Tensor, value: TensorLike | { value: TensorLike }): this {
    IP.masked_fill_(this, mask, value);
    return this;
  }

  // ---- conversion and inspection ---------------------------------------------------------------

  /**
   * The value of a one-element tensor: a number, or a boolean for a bool tensor (PyTorch's Python
   * `True`/`False`). Typed `any`, as PyTorch's stub types it `Number` (int | float | bool): the
   * dtype is known only when it runs, and `number | boolean` would refuse the common
   * `loss.item().toFixed(4)` and `total += loss.item()`, `number` the `mask.all().item() === true`.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  item(): any {
    if (this.data.length !== 1) throw RuntimeRangeError(`a Tensor with ${this.data.length} elements cannot be converted to Scalar`);
    return this.dtype === "bool" ? this.data[0] !== 0 : this.data[0];
  }

  /**
   * Nested arrays of numbers (booleans for bool tensors); a number for a 0-dim tensor. Typed `any`,
   * as PyTorch's stub types it `list` of Any: the depth is the tensor's dim, known only when it
   * runs, so `X.tolist().length` and `X.tolist()[0][1]` type-check (they were errors on `unknown`).
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  tolist(): any {
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

  /** JSON.stringify gives the nested values (as tolist()). */
  toJSON(): unknown {
    return this.tolist();
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

  /** Number of elements (alias of numel). */
  nelement(): number {
    return this.data.length;
  }

  /** Zeros of `size` with this tensor's dtype, or `{ dtype }`'s: `new_zeros(2, 3)`, `new_zeros([2, 3], { dtype: torch.int64 })`. */
  new_zeros(...size: FA.SizeArgs): Tensor {
    return FA.new_filled(this, size, 0, "new_zeros");
  }
  /** Ones of `size` with this tensor's dtype, or `{ dtype }`'s. */
  new_ones(...size: FA.SizeArgs): Tensor {
    return FA.new_filled(this, size, 1, "new_ones");
  }
  /** Zero-filled (PyTorch's are uninitialised) of `size` with this tensor's dtype, or `{ dtype }`'s. */
  new_empty(...size: FA.SizeArgs): Tensor {
    return FA.new_filled(this, size, 0, "new_empty");
  }
  /** `fill_value` in `size` with this tensor's dtype, or `{ dtype }`'s: `new_full([2], 3)`, `new_full([2], { fill_value: 3 })`. */
  new_full(size: number | readonly number[], fill_value: number | boolean | FA.FullOptions, options?: TensorOptions): Tensor {
    return FA.new_full(this, size, fill_value, options);
  }
  /** A new tensor of `data` with this tensor's dtype (unless `{ dtype }` says otherwise), not requiring grad. */
  new_tensor(data: Parameters<typeof FA.tensor>[0], options?: TensorOptions): Tensor {
    return FA.tensor(data, { dtype: this.dtype, ...options });
  }
  /** Bytes per element, as PyTorch's: 4 for float32 and int32, 8 for float64 and int64, 2 for int16, 1 for int8, uint8 and bool. */
  element_size(): number {
    return ELEMENT_SIZE[this.dtype];
  }

  // ---- cumulative, rearranging and sorting ops ----------------------------------------------

  /** Cumulative sum along `dim`. */
  cumsum(dim: number | CumOptions, options?: CumOptions): Tensor {
    return CU.cumsum(this, dim, options);
  }
  /** Cumulative product along `dim`. */
  cumprod(dim: number | CumOptions, options?: CumOptions): Tensor {
    return CU.cumprod(this, dim, options);
  }
  /** Reverses the order along the given dims. */
  flip(...dims: (number | readonly number[])[]): Tensor {
    const list = dims.length === 1 && Array.isArray(dims[0]) ? (dims[0] as number[]) : (dims as number[]);
    return RA.flip(this, list);
  }
  /** Tiles the tensor (`repeat(2, 1)` doubles dim 0). */
  repeat(...sizes: (number | readonly number[])[]): Tensor {
    return RA.repeat(this, ...sizes);
  }
  /** Zeros above the `diagonal`-th diagonal (last two dims). */
  tril(diagonal?: RA.TriDiagonal): Tensor {
    return RA.tril(this, diagonal);
  }
  /** Zeros below the `diagonal`-th diagonal (last two dims). */
  triu(diagonal?: RA.TriDiagonal): Tensor {
    return RA.triu(this, diagonal);
  }
  /** Sorted values and their indices along `dim` (NaN the largest; tied values in PyTorch's order, or in input order with `stable`). */
  sort(dim?: number | SortOptions, descending?: boolean | SortOptions, stable?: boolean | SortOptions): ValuesIndices {
    return SO.sort(this, dim, descending, stable);
  }
  /** Indices that sort along `dim` (ties as `sort`). */
  argsort(dim?: number | SortOptions, descending?: boolean | SortOptions, stable?: boolean | SortOptions): Tensor {
    return SO.argsort(this, dim, descending, stable);
  }
  /** The k largest (or smallest, `largest: false`) values and their indices along `dim` (sorted unless `sorted: false`); tied values get PyTorch's CPU indices. */
  topk(k: number, dim?: number | SO.TopkOptions, largest?: boolean | SO.TopkOptions, sorted?: boolean | SO.TopkOptions): ValuesIndices {
    return SO.topk(this, k, dim, largest, sorted);
  }

  // ---- more element-wise math (see math_more.ts) ---------------------------------------------

  /** tan(x); d/dx = 1 + tan²(x). */
  tan(): Tensor {
    return MM.tan(this);
  }
  /** asin(x); d/dx = 1/√(1 - x²). */
  asin(): Tensor {
    return MM.asin(this);
  }
  /** Alias of asin. */
  arcsin(): Tensor {
    return MM.asin(this);
  }
  /** acos(x); d/dx = -1/√(1 - x²). */
  acos(): Tensor {
    return MM.acos(this);
  }
  /** Alias of acos. */
  arccos(): Tensor {
    return MM.acos(this);
  }
  /** atan(x); d/dx = 1/(1 + x²). */
  atan(): Tensor {
    return MM.atan(this);
  }
  /** Alias of atan. */
  arctan(): Tensor {
    return MM.atan(this);
  }
  /** sinh(x); d/dx = cosh(x). */
  sinh(): Tensor {
    return MM.sinh(this);
  }
  /** cosh(x); d/dx = sinh(x). */
  cosh(): Tensor {
    return MM.cosh(this);
  }
  /** asinh(x); d/dx = 1/√(x² + 1). */
  asinh(): Tensor {
    return MM.asinh(this);
  }
  /** Alias of asinh. */
  arcsinh(): Tensor {
    return MM.asinh(this);
  }
  /** acosh(x); d/dx = 1/√(x² - 1). */
  acosh(): Tensor {
    return MM.acosh(this);
  }
  /** Alias of acosh. */
  arccosh(): Tensor {
    return MM.acosh(this);
  }
  /** atanh(x); d/dx = 1/(1 - x²). */
  atanh(): Tensor {
    return MM.atanh(this);
  }
  /** Alias of atanh. */
  arctanh(): Tensor {
    return MM.atanh(this);
  }
  /** atan2(this, other): the angle of the point (other, this), in (-π, π]. */
  atan2(other: Tensor): Tensor {
    return MM.atan2(this, other);
  }
  /** Alias of atan2. */
  arctan2(other: Tensor): Tensor {
    return MM.atan2(this, other);
  }
  /** Degrees to radians: x·π/180. */
  deg2rad(): Tensor {
    return MM.deg2rad(this);
  }
  /** Radians to degrees: x·180/π. */
  rad2deg(): Tensor {
    return MM.rad2deg(this);
  }
  /** √(this² + other²) without overflow. */
  hypot(other: Tensor): Tensor {
    return MM.hypot(this, other);
  }
  /** Rounds toward zero (keeps the dtype; zero gradient). */
  trunc(): Tensor {
    return MM.trunc(this);
  }
  /** Alias of trunc. */
  fix(): Tensor {
    return MM.trunc(this);
  }
  /** Fractional part: x - trunc(x). */
  frac(): Tensor {
    return MM.frac(this);
  }
  /** Inverse error function: erf(erfinv(y)) = y on (-1, 1). */
  erfinv(): Tensor {
    return MM.erfinv(this);
  }
  /** True where the sign bit is set (negative numbers and -0). */
  signbit(): Tensor {
    return MM.signbit(this);
  }
  /** NaN → nan (0), +inf → posinf, -inf → neginf (default: the dtype's extreme finite values). */
  nan_to_num(nan?: number | NanToNumOptions | null, posinf?: number | null, neginf?: number | null): Tensor {
    return MM.nan_to_num(this, nan, posinf, neginf);
  }
  /** C's fmod: the remainder of this / other with the sign of this. */
  fmod(other: TensorLike): Tensor {
    return MM.fmod(this, other);
  }
  /** this ** exponent in float64. */
  float_power(exponent: TensorLike): Tensor {
    return MM.float_power(this, exponent);
  }
  /** Element-wise maximum where a NaN loses to a number. */
  fmax(other: Tensor): Tensor {
    return MM.fmax(this, other);
  }
  /** Element-wise minimum where a NaN loses to a number. */
  fmin(other: Tensor): Tensor {
    return MM.fmin(this, other);
  }
  /** log(exp(this) + exp(other)), computed stably. */
  logaddexp(other: Tensor): Tensor {
    return MM.logaddexp(this, other);
  }
  /** log2(2^this + 2^other), computed stably. */
  logaddexp2(other: Tensor): Tensor {
    return MM.logaddexp2(this, other);
  }
  /** |this| with the sign of other. */
  copysign(other: TensorLike): Tensor {
    return MM.copysign(this, other);
  }
  /** this · log(other), 0 where this = 0. */
  xlogy(other: TensorLike): Tensor {
    return MM.xlogy(this, other);
  }

  // ---- more reductions (see reduce_more.ts) --------------------------------------------------

  /** Lower median of all elements, or { values, indices } along `dim`. */
  median(): Tensor;
  median(dim: number | (DimKeepOptions & { dim: number }), keepdim?: boolean | DimKeepOptions): ValuesIndices;
  median(dim?: number | DimKeepOptions | null, keepdim?: boolean | DimKeepOptions): Tensor | ValuesIndices {
    return RM.median(this, dim, keepdim);
  }
  /** As median, ignoring NaN. */
  nanmedian(): Tensor;
  nanmedian(dim: number | (DimKeepOptions & { dim: number }), keepdim?: boolean | DimKeepOptions): ValuesIndices;
  nanmedian(dim?: number | DimKeepOptions | null, keepdim?: boolean | DimKeepOptions): Tensor | ValuesIndices {
    return RM.nanmedian(this, dim, keepdim);
  }
  /** The most frequent value along `dim` (default -1) and its index. */
  mode(dim?: number | DimKeepOptions, keepdim?: boolean | DimKeepOptions): ValuesIndices {
    return RM.mode(this, dim, keepdim);
  }
  /** q-th quantiles (q in [0, 1], a number or 1-d tensor) over all elements or along `dim`. */
  quantile(q: number | Tensor, dim?: number | null | QuantileOptions, keepdim?: boolean | QuantileOptions, options?: QuantileOptions): Tensor {
    return RM.quantile(this, q, dim, keepdim, options);
  }
  /** As quantile, ignoring NaN. */
  nanquantile(q: number | Tensor, dim?: number | null | QuantileOptions, keepdim?: boolean | QuantileOptions, options?: QuantileOptions): Tensor {
    return RM.nanquantile(this, q, dim, keepdim, options);
  }
  /** Sum treating NaN as zero. */
  nansum(dim?: number | readonly number[] | null | NanReduceOptions, keepdim?: boolean | NanReduceOptions): Tensor {
    return RM.nansum(this, dim, keepdim);
  }
  /** Mean of the non-NaN elements. */
  nanmean(dim?: number | readonly number[] | null | NanReduceOptions, keepdim?: boolean | NanReduceOptions): Tensor {
    return RM.nanmean(this, dim, keepdim);
  }
  /** { min, max } over all elements or along `dim` (options only, as PyTorch's keywords). */
  aminmax(options?: DimKeepOptions): MinMax {
    return RM.aminmax(this, options);
  }
  /** Running maximum along `dim` and its indices. */
  cummax(dim: number | { dim: number }): ValuesIndices {
    return RM.cummax(this, dim);
  }
  /** Running minimum along `dim` and its indices. */
  cummin(dim: number | { dim: number }): ValuesIndices {
    return RM.cummin(this, dim);
  }
  /** n-th forward difference along `dim` (default -1), with optional prepend/append. */
  diff(n?: number | DiffOptions, dim?: number, prepend?: Tensor | null, append?: Tensor | null): Tensor {
    return RM.diff(this, n, dim, prepend, append);
  }

  // ---- bitwise ops on int64 / bool (see bitwise.ts) -------------------------------------------

  /** this & other (integer or bool). */
  bitwise_and(other: TensorLike): Tensor {
    return BW.bitwise_and(this, other);
  }
  /** this | other (integer or bool). */
  bitwise_or(other: TensorLike): Tensor {
    return BW.bitwise_or(this, other);
  }
  /** this ^ other (integer or bool). */
  bitwise_xor(other: TensorLike): Tensor {
    return BW.bitwise_xor(this, other);
  }
  /** ~this (int64: -x - 1; bool: not). */
  bitwise_not(): Tensor {
    return BW.bitwise_not(this);
  }
  /** this << other, wrapping at 64 bits. */
  bitwise_left_shift(other: TensorLike): Tensor {
    return BW.bitwise_left_shift(this, other);
  }
  /** this >> other (arithmetic shift). */
  bitwise_right_shift(other: TensorLike): Tensor {
    return BW.bitwise_right_shift(this, other);
  }
  /** Greatest common divisor with other (int64). */
  gcd(other: Tensor): Tensor {
    return BW.gcd(this, other);
  }
  /** Least common multiple with other (int64). */
  lcm(other: Tensor): Tensor {
    return BW.lcm(this, other);
  }

  // ---- shape, diagonal, product, index and counting ops (see rearrange_more.ts, diagonal.ts,
  // products.ts, index_more.ts, unique.ts) ---------------------------------------------------------

  /** Repeats along each dim (`tile([2, 1])`); missing leading dims count as 1. */
  tile(...dims: (number | readonly number[])[]): Tensor {
    const list = dims.length === 1 && Array.isArray(dims[0]) ? (dims[0] as number[]) : (dims as number[]);
    return RM2.tile(this, list);
  }
  /** Each element `repeats` times along `dim` (flattened when dim is null); repeats an int or int64 tensor. */
  repeat_interleave(repeats: number | Tensor, dim?: number | null | RepeatInterleaveOptions, options?: RepeatInterleaveOptions): Tensor {
    return RM2.repeat_interleave(this, repeats, dim, options);
  }
  /** Cyclic shift by `shifts` along `dims` (flattened when dims is omitted). */
  roll(shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor {
    return RM2.roll(this, shifts, dims);
  }
  /** Rotates by k quarter turns in the plane of `dims` (default [0, 1]). */
  rot90(k?: number, dims?: readonly number[]): Tensor {
    return RM2.rot90(this, k, dims);
  }
  /** Moves dims `source` to positions `destination`. */
  movedim(source: number | readonly number[], destination: number | readonly number[]): Tensor {
    return RM2.movedim(this, source, destination);
  }
  /** Alias of movedim. */
  moveaxis(source: number | readonly number[], destination: number | readonly number[]): Tensor {
    return RM2.movedim(this, source, destination);
  }
  /** Alias of transpose. */
  swapdims(dim0: number, dim1: number): Tensor {
    return V.transpose(this, dim0, dim1);
  }
  /** A 1-D tensor as the `diagonal`-th diagonal of a square matrix, or a matrix's diagonal. */
  diag(diagonal?: number): Tensor {
    return DG.diag(this, diagonal);
  }
  /** The `offset` diagonal of dims dim1, dim2 (removed; the diagonal becomes the last dim). */
  diagonal(offset?: number | DiagonalOptions, dim1?: number, dim2?: number): Tensor {
    return DG.diagonal(this, offset, dim1, dim2);
  }
  /** In place: the main diagonal (x[i, i, ..., i]) set to fill_value; `wrap` continues it down a tall matrix. */
  fill_diagonal_(fill_value: number | boolean, wrap = false): this {
    DG.fill_diagonal_(this, fill_value, wrap);
    return this;
  }
  /** The last dim placed on the `offset` diagonal of new dims dim1, dim2 (default -2, -1). */
  diag_embed(offset?: number | DiagonalOptions, dim1?: number, dim2?: number): Tensor {
    return DG.diag_embed(this, offset, dim1, dim2);
  }
  /** Sum of a matrix's main diagonal. */
  trace(): Tensor {
    return DG.trace(this);
  }
  /** Kronecker product. */
  kron(other: Tensor): Tensor {
    return PR.kron(this, other);
  }
  /** Cross product of 3-vectors along `dim` (default: the first dim of size 3). */
  cross(other: Tensor, dim?: number | null): Tensor {
    return PR.cross(this, other, dim);
  }
  /** beta * self + alpha * (mat1 @ mat2). */
  addmm(mat1: Tensor, mat2: Tensor, options?: AddmmOptions): Tensor {
    return PR.addmm(this, mat1, mat2, options);
  }
  /** beta * self + alpha * (mat @ vec). */
  addmv(mat: Tensor, vec: Tensor, options?: AddmmOptions): Tensor {
    return PR.addmv(this, mat, vec, options);
  }
  /** beta * self + alpha * bmm(batch1, batch2). */
  baddbmm(batch1: Tensor, batch2: Tensor, options?: AddmmOptions): Tensor {
    return PR.baddbmm(this, batch1, batch2, options);
  }
  /** beta * self + alpha * sum over b of batch1[b] @ batch2[b]. */
  addbmm(batch1: Tensor, batch2: Tensor, options?: AddmmOptions): Tensor {
    return PR.addbmm(this, batch1, batch2, options);
  }
  /** A copy with alpha * source's slices added at `index` along `dim`. */
  index_add(dim: number, index: Tensor, source: Tensor, options?: { alpha?: number }): Tensor {
    return IM.index_add(this, dim, index, source, options);
  }
  /** In place: alpha * source's slices added at `index` along `dim`. */
  index_add_(dim: number, index: Tensor, source: Tensor, options?: { alpha?: number }): this {
    IM.index_add_(this, dim, index, source, options);
    return this;
  }
  /** A copy with source's slices written at `index` along `dim`. */
  index_copy(dim: number, index: Tensor, source: Tensor): Tensor {
    return IM.index_copy(this, dim, index, source);
  }
  /** In place: source's slices written at `index` along `dim`. */
  index_copy_(dim: number, index: Tensor, source: Tensor): this {
    IM.index_copy_(this, dim, index, source);
    return this;
  }
  /** A copy with the slices at `index` along `dim` set to value. */
  index_fill(dim: number, index: Tensor, value: number | boolean | Tensor): Tensor {
    return IM.index_fill(this, dim, index, value);
  }
  /** In place: the slices at `index` along `dim` set to value. */
  index_fill_(dim: number, index: Tensor, value: number | boolean | Tensor): this {
    IM.index_fill_(this, dim, index, value);
    return this;
  }
  /** The elements at flat positions `index` (shaped like index). */
  take(index: Tensor): Tensor {
    return IM.take(this, index);
  }
  /** Gather along `dim` with broadcasting (flattened when dim is omitted). */
  take_along_dim(indices: Tensor, dim?: number | null): Tensor {
    return IM.take_along_dim(this, indices, dim);
  }
  /** A copy with source written (or added, accumulate) at flat positions `index`. */
  put(index: Tensor, source: Tensor, accumulate?: boolean | { accumulate?: boolean }): Tensor {
    return IM.put(this, index, source, accumulate);
  }
  /** In place: source written (or added, accumulate) at flat positions `index`. */
  put_(index: Tensor, source: Tensor, accumulate?: boolean | { accumulate?: boolean }): this {
    IM.put_(this, index, source, accumulate);
    return this;
  }
  /** A copy with values (broadcast to self[i0, i1, ...]) written, or added with accumulate, where self[i0, i1, ...] reads. */
  index_put(indices: readonly Tensor[], values: Tensor, accumulate?: AccumulateArg): Tensor {
    return IPT.index_put(this, indices, values, accumulate);
  }
  /** In place: Python's `self[i0, i1, ...] = values` (`+=` with accumulate); indices: int64 tensors (broadcast) or bool masks. */
  index_put_(indices: readonly Tensor[], values: Tensor, accumulate?: AccumulateArg): this {
    IPT.index_put_(this, indices, values, accumulate);
    return this;
  }
  /** The distinct elements (sorted); [values, inverse?, counts?] with return_inverse / return_counts. */
  unique(options: UniqueOptions & ({ return_inverse: true } | { return_counts: true })): Tensor[];
  unique(options?: UniqueOptions): Tensor;
  unique(sorted: boolean, return_inverse: true, ...rest: (boolean | number | null | UniqueOptions | undefined)[]): Tensor[];
  unique(sorted: boolean, return_inverse: boolean, return_counts: true, ...rest: (number | null | UniqueOptions | undefined)[]): Tensor[];
  unique(...args: (boolean | number | null | UniqueOptions | undefined)[]): Tensor | Tensor[];
  unique(...args: (boolean | number | null | UniqueOptions | undefined)[]): Tensor | Tensor[] {
    return UQ.unique(this, ...args);
  }
  /** Runs of equal consecutive elements collapsed; [values, inverse?, counts?] when asked. */
  unique_consecutive(options: Omit<UniqueOptions, "sorted"> & ({ return_inverse: true } | { return_counts: true })): Tensor[];
  unique_consecutive(options?: Omit<UniqueOptions, "sorted">): Tensor;
  unique_consecutive(return_inverse: true, ...rest: (boolean | number | null | Omit<UniqueOptions, "sorted"> | undefined)[]): Tensor[];
  unique_consecutive(return_inverse: boolean, return_counts: true, ...rest: (number | null | Omit<UniqueOptions, "sorted"> | undefined)[]): Tensor[];
  unique_consecutive(...args: (boolean | number | null | Omit<UniqueOptions, "sorted"> | undefined)[]): Tensor | Tensor[];
  unique_consecutive(...args: (boolean | number | null | Omit<UniqueOptions, "sorted"> | undefined)[]): Tensor | Tensor[] {
    return UQ.unique_consecutive(this, ...args);
  }
  /** Occurrences of each non-negative int (weighted sums with weights). */
  bincount(weights?: Tensor | null | BincountOptions, minlength?: number): Tensor {
    return UQ.bincount(this, weights, minlength);
  }
  /** Histogram with `bins` equal bins over [min, max] (the data's range when both are 0). */
  histc(bins?: number | HistcOptions, min?: number, max?: number): Tensor {
    return UQ.histc(this, bins, min, max);
  }

  // ---- special functions, order statistics, splits, norms, statistics (see special_math.ts,
  // order_more.ts, tensor_split.ts, norms_more.ts, nonzero_forms.ts, stats.ts, products_more.ts) --

  /** self + value · tensor1 · tensor2 (broadcast). */
  addcmul(tensor1: Tensor, tensor2: Tensor, options?: { value?: number }): Tensor {
    return SM.addcmul(this, tensor1, tensor2, options);
  }
  /** self + value · tensor1 / tensor2 (broadcast; floats). */
  addcdiv(tensor1: Tensor, tensor2: Tensor, options?: { value?: number }): Tensor {
    return SM.addcdiv(this, tensor1, tensor2, options);
  }
  /** log(p / (1 - p)), p clamped to [eps, 1 - eps] when eps is given. */
  logit(eps?: number | null | { eps?: number | null }): Tensor {
    return SM.logit(this, eps);
  }
  /** 1 - erf(x), accurate in the tail. */
  erfc(): Tensor {
    return SM.erfc(this);
  }
  /** 2^x. */
  exp2(): Tensor {
    return SM.exp2(this);
  }
  /** sin(πx)/(πx), 1 at 0. */
  sinc(): Tensor {
    return SM.sinc(this);
  }
  /** 0 where x < 0, values where x == 0, 1 where x > 0 (same dtype; not differentiable). */
  heaviside(values: Tensor): Tensor {
    return SM.heaviside(this, values);
  }
  /** log|Γ(x)|. */
  lgamma(): Tensor {
    return SM.lgamma(this);
  }
  /** ψ(x) = Γ'(x)/Γ(x). */
  digamma(): Tensor {
    return SM.digamma(this);
  }
  /** log Σ_{j<=k} exp(x_j) along `dim`, computed stably. */
  logcumsumexp(dim: number | { dim: number }): Tensor {
    return OM.logcumsumexp(this, dim);
  }
  /** The k-th smallest value (k from 1) along `dim` (default -1) and its index. */
  kthvalue(k: number, dim?: number | KthvalueOptions, keepdim?: boolean | KthvalueOptions): ValuesIndices {
    return OM.kthvalue(this, k, dim, keepdim);
  }
  /** Sorted along dim 0 (values only). */
  msort(): Tensor {
    return OM.msort(this);
  }
  /** Pieces along `dim`: `sections` nearly equal ones, or split at `indices`. */
  tensor_split(indices_or_sections: number | readonly number[] | Tensor, dim?: number | { dim?: number }): Tensor[] {
    return tensor_split_(this, indices_or_sections, dim);
  }
  /** Indices of the nonzero elements, shape [count, ndim]. */
  argwhere(): Tensor {
    return NZ.argwhere(this);
  }
  /** ‖self - other‖_p (broadcast; p = 2 by default). */
  dist(other: Tensor, p?: number | { p?: number }): Tensor {
    return NM.dist(this, other, p);
  }
  /** Each slice along `dim` with p-norm above maxnorm rescaled to maxnorm. */
  renorm(p: number, dim: number, maxnorm: number): Tensor {
    return NM.renorm(this, p, dim, maxnorm);
  }
  /** Covariance matrix of the rows (variables) over the columns (observations). */
  cov(options?: CovOptions): Tensor {
    return ST.cov(this, options);
  }
  /** Pearson correlation coefficients of the rows. */
  corrcoef(): Tensor {
    return ST.corrcoef(this);
  }
  /** Σ over the last dim of self and other. */
  inner(other: Tensor): Tensor {
    return PM.inner(this, other);
  }

  // ---- torch.linalg shortcuts (see linalg/solve.ts) -------------------------------------------

  /** The determinant of each square matrix in the last two dims (`torch.linalg.det`). */
  det(): Tensor {
    return LA.det(this);
  }
  /** The inverse of each square matrix in the last two dims (`torch.linalg.inv`). */
  inverse(): Tensor {
    return LA.inv(this);
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

/**
 * PyTorch's error for a non-tensor where a tensor is required, shared by every op:
 * "op(): argument 'input' must be Tensor, not null".
 */
export function check_tensor(x: unknown, op: string, arg = "input"): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`${op}(): argument '${arg}' must be Tensor, not ${x === null ? "null" : Array.isArray(x) ? "an array" : typeof x}`);
  }
}
