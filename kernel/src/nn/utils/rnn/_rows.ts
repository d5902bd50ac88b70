/**
 * The one data movement behind every function of torch.nn.utils.rnn: a tensor whose rows
 * (sub-tensors along dim 0, each of `inner` elements) are rows of other tensors, or a fill value.
 * Packing, padding, unpacking and unpadding differ only in which row goes where, so each computes
 * its plan of rows (cheap integer arithmetic) and calls `gatherRows` once: one copy forward, and
 * one backward that adds each row of the gradient back into the source row it came from (fill rows
 * have no source and pass no gradient, as PyTorch's padding positions).
 *
 * PyTorch spells these out with index_select, CopySlices and its own PackPaddedSequence op; the
 * values and gradients are the same, and `name` keeps PyTorch's grad_fn name for each use.
 */
import { Tensor, storageFor } from "../../../tensor/tensor";
import type { Shape } from "../../../tensor/tensor";
import { attach } from "../../../tensor/autograd";
import { coerce } from "../../../tensor/dtype";

/**
 * A tensor of `shape` (src.length · inner elements) whose row i, the `inner` elements from
 * i·inner, is row `row[i]` of `sources[src[i]]` (each source read as consecutive rows of `inner`
 * elements), or `fill` (cast to the dtype) where src[i] < 0. Every source must have the output's
 * dtype. Differentiable in every source.
 */
export function gatherRows(name: string, sources: readonly Tensor[], src: Int32Array, row: Int32Array, inner: number, shape: Shape, fill: number): Tensor {
  const dtype = sources[0].dtype;
  const rows = src.length;
  const out = storageFor(dtype, rows * inner);
  const f = coerce(fill, dtype);
  for (let i = 0; i < rows; i++) {
    const s = src[i];
    if (s < 0) {
      if (f !== 0) out.fill(f, i * inner, (i + 1) * inner);
      continue;
    }
    const from = row[i] * inner;
    out.set(sources[s].data.subarray(from, from + inner), i * inner);
  }
  return attach(new Tensor(out, shape, dtype), name, sources, (g, need) => {
    const gd = g.data;
    const grads: (Tensor | null)[] = sources.map((t, k) => (need[k] ? new Tensor(storageFor(g.dtype, t.data.length), t.shape, g.dtype) : null));
    for (let i = 0; i < rows; i++) {
      const s = src[i];
      if (s < 0) continue;
      const gs = grads[s];
      if (gs === null) continue;
      const d = gs.data;
      const to = row[i] * inner;
      for (let j = 0; j < inner; j++) d[to + j] += gd[i * inner + j];
    }
    return grads;
  });
}

/** The number of elements in one row (sub-tensor along dim 0) of a tensor of `shape`. */
export function rowSize(shape: Shape, from = 1): number {
  let n = 1;
  for (let i = from; i < shape.length; i++) n *= shape[i];
  return n;
}
