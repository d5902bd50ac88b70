/**
 * Reduces a gradient to the shape of a broadcast input: the backward of broadcasting is a sum over
 * the dims that were added in front and over the dims where the input had size 1.
 */
import { Tensor } from "./tensor";
import { storage_for } from "./dtype";
import { broadcast_strides } from "./shape";

export function sum_to(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  let n = 1;
  for (const d of shape) n *= d;
  const acc = new Float64Array(n);
  const gs = g.shape;
  const nd = gs.length;
  const src = g.data;
  if (nd > 0 && src.length > 0) {
    const st = broadcast_strides(shape, gs);
    const inner = gs[nd - 1];
    const si = st[nd - 1];
    const idx = new Array<number>(nd).fill(0);
    let off = 0;
    for (let o = 0; o < src.length; o += inner) {
      if (si === 0) {
        let s = 0;
        for (let j = 0; j < inner; j++) s += src[o + j];
        acc[off] += s;
      } else for (let j = 0; j < inner; j++) acc[off + j * si] += src[o + j];
      for (let d = nd - 2; d >= 0; d--) {
        idx[d]++;
        off += st[d];
        if (idx[d] < gs[d]) break;
        off -= st[d] * gs[d];
        idx[d] = 0;
      }
    }
  } else if (src.length > 0) acc[0] = src[0];
  const out = storage_for(g.dtype, n);
  out.set(acc);
  return new Tensor(out, shape, g.dtype);
}
