/**
 * Ops that read or write a tensor at precomputed flat positions, with autograd: `gather_flat`
 * (out[i] = x[pos[i]]: diagonal, roll, take, take_along_dim, repeat_interleave, ...; backward adds
 * g[i] into dx[pos[i]], since a position may repeat) and `place_flat` (zeros of a shape with src[i]
 * written at pos[i]: diag_embed, diag of a vector; backward reads g at pos). Shared by the shape and
 * indexing modules added for PyTorch's diagonal / roll / take families, so each needs no own kernel.
 */
import { DType, Tensor } from "./tensor";
import { attach } from "./autograd";
import { storage_for } from "./dtype";
import { contiguous_strides } from "./shape";
import type { SaveSpec } from "./version";

/** Flat positions: Uint32Array (a tensor has fewer than 2^32 elements). */
export type Positions = Uint32Array;

/**
 * out (shaped `shape`, x's dtype) with out[i] = x.data[pos[i]]; backward scatter-adds into x's
 * shape. `saved` / `extra`: what PyTorch's op saves (autograd.ts's attach; the positions are
 * computed here, so only the check reads them).
 */
export function gather_flat(x: Tensor, pos: Positions, shape: readonly number[], name: string, saved?: SaveSpec, extra?: readonly unknown[]): Tensor {
  const out = storage_for(x.dtype, pos.length);
  const src = x.data;
  for (let i = 0; i < pos.length; i++) out[i] = src[pos[i]];
  const res = new Tensor(out, shape, x.dtype);
  return attach(res, name, [x], (g) => {
    const gx = storage_for(g.dtype, x.data.length);
    const gd = g.data;
    for (let i = 0; i < pos.length; i++) gx[pos[i]] += gd[i];
    return [new Tensor(gx, x.shape, g.dtype)];
  }, saved !== undefined, saved, extra);
}

/** Zeros of `shape` (`dtype`, default src's) with src.data[i] at pos[i]; backward gathers g at pos. */
export function place_flat(src: Tensor, pos: Positions, shape: readonly number[], name: string, dtype: DType = src.dtype): Tensor {
  let n = 1;
  for (const d of shape) n *= d;
  const out = storage_for(dtype, n);
  const s = src.data;
  for (let i = 0; i < pos.length; i++) out[pos[i]] = s[i];
  const res = new Tensor(out, shape, dtype);
  return attach(res, name, [src], (g) => {
    const gs = storage_for(g.dtype, src.data.length);
    const gd = g.data;
    for (let i = 0; i < pos.length; i++) gs[i] = gd[pos[i]];
    return [new Tensor(gs, src.shape, g.dtype)];
  }, false);
}

/**
 * The flat positions of a strided walk: for every index of `shape` (row-major), offset +
 * sum(index[k] * strides[k]). Strides may be negative or zero.
 */
export function strided_positions(shape: readonly number[], strides: readonly number[], offset: number): Positions {
  let n = 1;
  for (const d of shape) n *= d;
  const pos = new Uint32Array(n);
  if (n === 0) return pos;
  const nd = shape.length;
  if (nd === 0) {
    pos[0] = offset;
    return pos;
  }
  const idx = new Array<number>(nd).fill(0);
  const inner = shape[nd - 1];
  const si = strides[nd - 1];
  let base = offset;
  for (let o = 0; o < n; o += inner) {
    for (let j = 0, p = base; j < inner; j++, p += si) pos[o + j] = p;
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      base += strides[d];
      if (idx[d] < shape[d]) break;
      base -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
  return pos;
}

/** Row-major strides of `shape` (re-exported here so the users of this module need one import). */
export function strides_of(shape: readonly number[]): number[] {
  return contiguous_strides(shape);
}
