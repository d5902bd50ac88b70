/**
 * Broadcasting for the fused losses (PyTorch broadcasts `input` and `target` when their shapes
 * differ, after a warning). Shapes are aligned at the right; a dimension of size 1 stretches.
 */
import type { Shape, Storage } from "../tensor/tensor";
import { numelOf } from "../tensor/tensor";

/** The broadcast shape of `a` and `b`, or null when they are incompatible. */
export function broadcastShapes(a: Shape, b: Shape): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * For each element of a tensor of `outShape` (row-major), the index of the element of a tensor
 * of `shape` it reads when broadcast. One Int32Array, built with an odometer (no per-element
 * allocation).
 */
export function broadcastIndex(shape: Shape, outShape: Shape): Int32Array {
  const n = outShape.length;
  const total = numelOf(outShape);
  const idx = new Int32Array(total);
  // Stride of the source along each output dim (0 where broadcast).
  const strides = new Array<number>(n).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const o = n - shape.length + i;
    strides[o] = shape[i] === 1 ? 0 : s;
    s *= shape[i];
  }
  const counter = new Array<number>(n).fill(0);
  let src = 0;
  for (let k = 0; k < total; k++) {
    idx[k] = src;
    for (let d = n - 1; d >= 0; d--) {
      counter[d]++;
      src += strides[d];
      if (counter[d] < outShape[d]) break;
      src -= strides[d] * counter[d];
      counter[d] = 0;
    }
  }
  return idx;
}

/** `data` (of `shape`) expanded to `outShape` as a fresh array of the same kind. */
export function expandData(data: Storage, shape: Shape, outShape: Shape): Storage {
  const idx = broadcastIndex(shape, outShape);
  const out = new (data.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(idx.length);
  for (let k = 0; k < idx.length; k++) out[k] = data[idx[k]];
  return out;
}

/** Sums `grad` (of `outShape`) back to `shape`: the adjoint of expandData, accumulated in double. */
export function reduceData(grad: ArrayLike<number>, shape: Shape, outShape: Shape): Float64Array {
  const idx = broadcastIndex(shape, outShape);
  const out = new Float64Array(numelOf(shape));
  for (let k = 0; k < idx.length; k++) out[idx[k]] += grad[k];
  return out;
}
