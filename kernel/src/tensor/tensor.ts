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
}
