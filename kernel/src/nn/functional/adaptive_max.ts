/**
 * F.adaptive_max_pool1d and F.adaptive_max_pool2d (PyTorch 2.13's semantics and messages): the
 * maximum over a grid of output_size cells whatever the input size. Output cell o of `out` along
 * a dim of size `in` covers ⌊o·in/out⌋ .. ⌈(o+1)·in/out⌉ − 1 (cells may overlap). As max pooling:
 * a NaN wins, the first maximum's index is kept (flat in each H·W plane for 2-d, the position
 * along L for 1-d), and dL/dx[index] += dL/dy.
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import { fresh_grad } from "../../tensor/autograd";
import { checkFloat, record } from "../_autograd";
import { adaptiveSize1d } from "./pooling1d";
import { nonEmptyDims } from "./pooling";
import { saves, type SaveSpec } from "../../tensor/version";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const SAVES_SELF = saves("0");
const UNSQ_SAVES = saves("0 as unsqueeze_h");

/** Pools every H×W plane of x to Ho×Wo; returns the values and the winners' flat indices. */
function adaptiveMax(input: Tensor, H: number, W: number, Ho: number, Wo: number, outShape: number[], name: string, saved: SaveSpec): [Tensor, Int32Array] {
  const dtype = input.dtype;
  const x = input.data;
  const planes = H * W === 0 ? 0 : x.length / (H * W);
  const P = Ho * Wo;
  const y = storageFor(dtype, planes * P);
  const idx = new Int32Array(planes * P);
  const hs = new Int32Array(2 * Ho), ws = new Int32Array(2 * Wo);
  for (let o = 0; o < Ho; o++) { hs[2 * o] = Math.floor((o * H) / Ho); hs[2 * o + 1] = Math.ceil(((o + 1) * H) / Ho); }
  for (let o = 0; o < Wo; o++) { ws[2 * o] = Math.floor((o * W) / Wo); ws[2 * o + 1] = Math.ceil(((o + 1) * W) / Wo); }
  for (let pl = 0; pl < planes; pl++) {
    const xb = pl * H * W;
    for (let oh = 0; oh < Ho; oh++) {
      for (let ow = 0; ow < Wo; ow++) {
        let best = -Infinity;
        let at = hs[2 * oh] * W + ws[2 * ow];
        for (let ih = hs[2 * oh]; ih < hs[2 * oh + 1]; ih++) {
          for (let iw = ws[2 * ow]; iw < ws[2 * ow + 1]; iw++) {
            const v = x[xb + ih * W + iw];
            if (v > best || v !== v) { best = v; at = ih * W + iw; }
          }
        }
        y[pl * P + oh * Wo + ow] = best;
        idx[pl * P + oh * Wo + ow] = at;
      }
    }
  }
  const out = record(new Tensor(y, outShape, dtype), name, [input], (g) => {
    const gd = g.data;
    const gx = storageFor(dtype, x.length);
    for (let pl = 0; pl < planes; pl++) {
      const xb = pl * H * W;
      for (let i = 0; i < P; i++) gx[xb + idx[pl * P + i]] += gd[pl * P + i];
    }
    return [fresh_grad(new Tensor(gx, input.shape, dtype))];
  }, saved);
  return [out, idx];
}

function withIndices(out: Tensor, idx: Int32Array, return_indices: boolean): Tensor | [Tensor, Tensor] {
  return return_indices ? [out, new Tensor(Float64Array.from(idx), out.shape, "int64")] : out;
}

function returnIndices(op: string, v: unknown): boolean {
  const r = typeof v === "object" && v !== null ? (v as { return_indices?: unknown }).return_indices : v;
  if (typeof v === "object" && v !== null) {
    for (const k of Object.keys(v)) if (k !== "return_indices") throw new TypeError(`${op}() got an unexpected keyword argument '${k}' (allowed: return_indices)`);
  }
  if (r !== undefined && typeof r !== "boolean") throw new TypeError(`${op}(): return_indices must be a boolean, got ${String(r)}`);
  return r === true;
}

/**
 * F.adaptive_max_pool1d(input, output_size, return_indices = false): the maximum of input
 * [N, C, L] or [C, L] over output_size cells; with return_indices, [output, indices] (positions
 * along L, int64). return_indices positionally or as `{ return_indices }`.
 */
export function adaptive_max_pool1d(input: Tensor, output_size: number | number[], return_indices: true | { return_indices: true }): [Tensor, Tensor];
export function adaptive_max_pool1d(input: Tensor, output_size: number | number[], return_indices?: false | { return_indices?: false }): Tensor;
export function adaptive_max_pool1d(input: Tensor, output_size: number | number[], return_indices?: boolean | { return_indices?: boolean }): Tensor | [Tensor, Tensor] {
  const op = "adaptive_max_pool1d";
  checkFloat(input, op);
  const ri = returnIndices(op, return_indices);
  const nd = input.dim();
  if (nd !== 2 && nd !== 3) {
    throw new RangeError(`Expected 2 to 3 dimensions, but got ${nd}-dimensional tensor for argument #1 'self' (while checking arguments for adaptive_max_pool1d)`);
  }
  const Lo = adaptiveSize1d(output_size, op);
  const outShape = [...input.shape.slice(0, -1), Lo];
  if (Lo < 0) throw new RangeError(`Trying to create tensor with negative dimension ${Lo}: [${outShape.join(", ")}]`);
  const L = input.shape[nd - 1];
  if (L === 0) {
    throw new RangeError(
      `adaptive_max_pool1d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes [${input.shape.join(", ")}] with dimension ${nd - 1} being empty`,
    );
  }
  const [out, idx] = adaptiveMax(input, 1, L, 1, Lo, outShape, "AdaptiveMaxPool2DBackward0", UNSQ_SAVES); // (PyTorch pools x.unsqueeze(-2))
  return withIndices(out, idx, ri);
}

/**
 * F.adaptive_max_pool2d(input, output_size, return_indices = false): the maximum of input
 * [N, C, H, W] or [C, H, W] over a grid of output_size cells (an int, or [h, w] where null keeps
 * that input size); with return_indices, [output, indices] (flat in each H·W plane, int64).
 */
export function adaptive_max_pool2d(input: Tensor, output_size: number | (number | null)[], return_indices: true | { return_indices: true }): [Tensor, Tensor];
export function adaptive_max_pool2d(input: Tensor, output_size: number | (number | null)[], return_indices?: false | { return_indices?: false }): Tensor;
export function adaptive_max_pool2d(
  input: Tensor, output_size: number | (number | null)[], return_indices?: boolean | { return_indices?: boolean },
): Tensor | [Tensor, Tensor] {
  const op = "adaptive_max_pool2d";
  checkFloat(input, op);
  const ri = returnIndices(op, return_indices);
  const nd = input.dim();
  if (nd !== 3 && nd !== 4) throw new RangeError(`adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: [${input.shape.join(", ")}]`);
  nonEmptyDims(input, op);
  const [H, W] = input.shape.slice(nd - 2);
  let sizes: (number | null)[];
  if (typeof output_size === "number") sizes = [output_size, output_size];
  else if (Array.isArray(output_size) && output_size.length === 2) sizes = output_size;
  else throw new RangeError(`adaptive_max_pool2d(): internal error: output_size.size() must be 2 (got ${JSON.stringify(output_size)})`);
  const [Ho, Wo] = [sizes[0] ?? H, sizes[1] ?? W];
  if (![Ho, Wo].every((v) => Number.isInteger(v))) throw new TypeError(`adaptive_max_pool2d: output_size must be ints or null, got [${sizes.join(", ")}]`);
  const outShape = [...input.shape.slice(0, nd - 2), Ho, Wo];
  const neg = Ho < 0 ? Ho : Wo < 0 ? Wo : 0;
  if (neg < 0) throw new RangeError(`Trying to create tensor with negative dimension ${neg}: [${outShape.join(", ")}]`);
  const [out, idx] = adaptiveMax(input, H, W, Ho, Wo, outShape, "AdaptiveMaxPool2DBackward0", SAVES_SELF);
  return withIndices(out, idx, ri);
}
