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
 */

import * as autograd from "./autograd";
import { cast_storage, check_dtype, is_floating } from "./dtype";
import * as E from "./elementwise";
import type { AlphaOptions, ClampBounds, DivOptions, TensorLike } from "./elementwise";

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
  to(dtype: DType | { dtype?: DType }): Tensor {
    const d = check_dtype(typeof dtype === "object" && dtype !== null ? dtype.dtype : dtype, "to()");
    if (d === this.dtype) return this;
    const out = new Tensor(cast_storage(this.data, d), this.shape, d);
    if (!is_floating(d)) return out;
    // ToCopyBackward0: the engine casts the gradient back to this tensor's dtype.
    return autograd.attach(out, "ToCopyBackward0", [this], (g) => [g], false);
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
    return E.sub(other, this, options);
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
  clamp(min?: number | null | ClampBounds, max?: number | null): Tensor {
    return E.clamp(this, min, max);
  }
  clip(min?: number | null | ClampBounds, max?: number | null): Tensor {
    return E.clamp(this, min, max);
  }
  clamp_min(min: number): Tensor {
    return E.clamp(this, min, null);
  }
  clamp_max(max: number): Tensor {
    return E.clamp(this, null, max);
  }
  lerp(end: TensorLike, weight: TensorLike): Tensor {
    return E.lerp(this, end, weight);
  }
}
