/**
 * The gradient of a slice, kept as "these values at these positions of zeros of the input's
 * shape", so that autograd adds it where it belongs instead of into a full-size tensor.
 *
 * The backward of a slicing op (select, narrow, basic `index`, split, chunk, unbind) gives its
 * input a gradient that is zero outside the slice. Built as a tensor, every slice would cost
 * O(input size) in backward (allocate, zero, then add to the other gradients of the input), so
 * reading a [L, ...] sequence one step at a time (an RNN's time loop) cost O(L²). These backwards
 * return a SliceGrad instead; the engine (autograd.ts) adds it, in O(slice size), into the one
 * buffer where it sums the input's gradients (PyTorch's InputBuffer; PyTorch itself avoids the
 * cost for unbind/split/chunk only, by giving their outputs one shared backward node), or into a
 * leaf's `.grad`. Where a tensor is needed (the only gradient of a node, a hook, autograd.grad,
 * Node.backward called by user code) `dense()` builds it, as before.
 */
import { Shape, Storage, Tensor, storageFor } from "./tensor";
import type { DType } from "./tensor";
import { cast_storage } from "./dtype";

/** dst[offset + strided positions] += src (contiguous, of `shape`). */
export function strided_add(dst: Storage, offset: number, shape: Shape, strides: readonly number[], src: Storage): void {
  const nd = shape.length;
  const n = src.length;
  if (n === 0) return;
  if (nd === 0) {
    dst[offset] += src[0];
    return;
  }
  const inner = shape[nd - 1];
  const si = strides[nd - 1];
  const idx = new Array<number>(nd).fill(0);
  let base = offset;
  for (let o = 0; o < n; o += inner) {
    for (let j = 0, p = base; j < inner; j++, p += si) dst[p] += src[o + j];
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      base += strides[d];
      if (idx[d] < shape[d]) break;
      base -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

export class SliceGrad {
  /**
   * `values` (contiguous, shaped like the slice) belong at element `offset` + Σ i_k·strides[k] of
   * a contiguous tensor of `shape` (the sliced input's), for each index (i_0, i_1, ...) of values.
   * The positions must be distinct (a slice never reads an element twice).
   */
  constructor(
    readonly values: Tensor,
    readonly shape: Shape,
    readonly offset: number,
    readonly strides: readonly number[],
  ) {}

  get dtype(): DType {
    return this.values.dtype;
  }

  /** values[i] added at their positions of `dst` (a contiguous storage of `shape`). */
  add_to(dst: Storage): void {
    strided_add(dst, this.offset, this.values.shape, this.strides, this.values.data);
  }

  /** The gradient as a tensor: zeros of `shape` with the values at their positions. */
  dense(): Tensor {
    let n = 1;
    for (const s of this.shape) n *= s;
    const out = storageFor(this.dtype, n);
    this.add_to(out);
    return new Tensor(out, this.shape, this.dtype);
  }

  /** The same slice with its values cast to `dtype`. */
  to_dtype(dtype: DType): SliceGrad {
    if (dtype === this.dtype) return this;
    const v = new Tensor(cast_storage(this.values.data, dtype), this.values.shape, dtype);
    return new SliceGrad(v, this.shape, this.offset, this.strides);
  }
}
