/**
 * F.max_pool3d, F.avg_pool3d and F.adaptive_avg_pool3d over input [N, C, D, H, W] or [C, D, H, W]
 * (PyTorch 2.13's semantics and messages). Each volume (n, c) is pooled independently; output
 * sizes per dim as pooling.ts (outSize: PyTorch's pooling_output_shape).
 *
 * - max: the 2-d max loops of pooling.ts (maxPlanes) over every depth slice, then a max over each
 *   depth window of those slices' maxima. The rule "greater, or NaN" (PyTorch's `val > max ||
 *   isnan(val)`) keeps the first maximum and the last NaN of a sequence; applied to a window's
 *   slices in order to each slice's winner it keeps the same element as applied to the whole
 *   window read slice by slice, row by row (PyTorch's order): the same value and index (flat in
 *   the volume, d·H·W + h·W + w). dL/dx[index] += dL/dy.
 * - avg: y = Σ window / divisor, the window clipped to the input; the divisor divisor_override,
 *   else the window's size clipped to the padded input (count_include_pad) or to the input, a
 *   product over the three dims; dL/dx += dL/dy / divisor over the clipped window.
 * - adaptive avg: output cell o of `out` covers ⌊o·in/out⌋ .. ⌈(o+1)·in/out⌉ − 1 in each dim.
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import { fresh_grad } from "../../tensor/autograd";
import { checkFloat, record } from "../_autograd";
import { MAX_NAMES, maxPlanes, nonEmptyDims, outSize, poolArgs, wins } from "./pooling";

type Triple = [number, number, number];
const isDefault = (v: unknown): boolean => v === null || v === undefined || (Array.isArray(v) && v.length === 0);

/** An int or [d, h, w] for a 3-d pooling argument; `what` is PyTorch's message for anything else. */
function triple(v: unknown, op: string, what: string): Triple {
  if (typeof v === "number" && Number.isInteger(v)) return [v, v, v];
  if (Array.isArray(v) && v.every((e) => typeof e === "number" && Number.isInteger(e))) {
    if (v.length === 1) return [v[0], v[0], v[0]];
    if (v.length === 3) return [v[0], v[1], v[2]];
  }
  throw new RangeError(`${op}: ${what} (got ${Array.isArray(v) ? `[${v.join(", ")}]` : String(v)})`);
}

interface Pool3dGeo { planes: number; D: number; H: number; W: number; Do: number; Ho: number; Wo: number; outShape: number[] }

/**
 * PyTorch's checks of a 3-d pooling (pooling_output_shape, then pool3d_shape_check) in its order,
 * and the output size. `emptyOp` names the op in the message for an empty non-batch dim;
 * `checkInput` is avg_pool3d's check that the input is at least as large as the kernel.
 */
function pool3dShape(
  op: string, emptyOp: string, input: Tensor, k: Triple, s: Triple, p: Triple, d: Triple, ceil: boolean, checkInput: boolean,
): Pool3dGeo {
  const nd = input.dim();
  if (nd !== 4 && nd !== 5) {
    throw new RangeError(`${op}: non-empty 4D or 5D (batch mode) tensor expected for input, but got input of size [${input.shape.join(", ")}]`);
  }
  if (s.includes(0)) throw new RangeError("stride should not be zero");
  const neg = p.find((v) => v < 0);
  if (neg !== undefined) throw new RangeError(`pad must be non-negative, but got pad: ${neg}`);
  for (let i = 0; i < 3; i++) {
    if (k[i] > 0 && d[i] > 0 && p[i] > Math.floor((d[i] * (k[i] - 1) + 1) / 2)) {
      throw new RangeError(`pad should be at most half of effective kernel size, but got pad=${p[i]}, kernel_size=${k[i]} and dilation=${d[i]}`);
    }
  }
  if (k.some((v) => v <= 0)) throw new RangeError(`kernel size should be greater than zero, but got kT: ${k[0]} kH: ${k[1]} kW: ${k[2]}`);
  if (s.some((v) => v < 0)) throw new RangeError(`stride should be greater than zero, but got dT: ${s[0]} dH: ${s[1]} dW: ${s[2]}`);
  if (d.some((v) => v <= 0)) {
    throw new RangeError(`dilation should be greater than zero, but got dilationT: ${d[0]} dilationH: ${d[1]} dilationW: ${d[2]}`);
  }
  const batch = nd === 5 ? 1 : 0;
  for (let i = batch; i < nd; i++) {
    if (input.shape[i] === 0) {
      // "dimension 0" whichever dim it is: PyTorch's message prints the dim's size there, not its index
      throw new RangeError(
        `${emptyOp}(): Expected input's non-batch dimensions to have positive length, but input has a shape of [${input.shape.join(", ")}] and non-batch dimension ${input.shape[i]} has length zero!`,
      );
    }
  }
  const [C, D, H, W] = input.shape.slice(nd - 4);
  if (checkInput && (D < k[0] || H < k[1] || W < k[2])) {
    throw new RangeError(`input image (T: ${D} H: ${H} W: ${W}) smaller than kernel size (kT: ${k[0]} kH: ${k[1]} kW: ${k[2]})`);
  }
  const Do = outSize(D, k[0], p[0], s[0], d[0], ceil);
  const Ho = outSize(H, k[1], p[1], s[1], d[1], ceil);
  const Wo = outSize(W, k[2], p[2], s[2], d[2], ceil);
  if (Do < 1 || Ho < 1 || Wo < 1) {
    throw new RangeError(`Given input size: (${C}x${D}x${H}x${W}). Calculated output size: (${C}x${Do}x${Ho}x${Wo}). Output size is too small`);
  }
  return { planes: input.data.length / (D * H * W), D, H, W, Do, Ho, Wo, outShape: [...input.shape.slice(0, nd - 3), Do, Ho, Wo] };
}

export interface MaxPool3dOptions {
  /** Step between windows: an int or [d, h, w]. Default (null): kernel_size. */
  stride?: number | number[] | null;
  /** Implicit −∞ added on both sides (at most half the effective kernel). Default 0. */
  padding?: number | number[];
  /** Spacing between window elements. Default 1. */
  dilation?: number | number[];
  /** Round the output size up instead of down. Default false. */
  ceil_mode?: boolean;
  /** Also return the indices of the maxima (flat in each D·H·W volume, int64). Default false. */
  return_indices?: boolean;
}

/**
 * F.max_pool3d(input, kernel_size, stride = kernel_size, padding = 0, dilation = 1,
 * ceil_mode = false, return_indices = false): the maximum of each window of input
 * [N, C, D, H, W] or [C, D, H, W] → [N, C, D_out, H_out, W_out], D_out = ⌊(D + 2·padding −
 * dilation·(kD − 1) − 1) / stride⌋ + 1 (⌈⌉ with ceil_mode; H, W likewise). With return_indices,
 * [output, indices] (int64, flat in each D·H·W volume). The options follow kernel_size
 * positionally (Python's order) or in a trailing object.
 */
export function max_pool3d(input: Tensor, kernel_size: number | number[], options: MaxPool3dOptions & { return_indices: true }): [Tensor, Tensor];
export function max_pool3d(input: Tensor, kernel_size: number | number[], options?: MaxPool3dOptions & { return_indices?: false }): Tensor;
export function max_pool3d(
  input: Tensor, kernel_size: number | number[], stride?: number | number[] | null, padding?: number | number[],
  dilation?: number | number[], ceil_mode?: boolean, return_indices?: false,
): Tensor;
export function max_pool3d(input: Tensor, kernel_size: number | number[], ...args: unknown[]): Tensor | [Tensor, Tensor] {
  const o = poolArgs("max_pool3d", MAX_NAMES, args);
  return maxPool3d(input, kernel_size, o.stride, o.padding ?? 0, o.dilation ?? 1, o.ceil_mode === true, o.return_indices === true);
}

/** F.max_pool3d_with_indices: F.max_pool3d with return_indices = true ([output, indices]). */
export function max_pool3d_with_indices(input: Tensor, kernel_size: number | number[], options: Omit<MaxPool3dOptions, "return_indices"> = {}): [Tensor, Tensor] {
  return max_pool3d(input, kernel_size, { ...options, return_indices: true });
}

export function maxPool3d(
  input: Tensor, kernel_size: unknown, stride: unknown, padding: unknown, dilation: unknown, ceil_mode: boolean, return_indices: boolean,
): Tensor | [Tensor, Tensor] {
  const op = "max_pool3d";
  checkFloat(input, op);
  const k = triple(kernel_size, op, "kernel_size must either be a single int, or a tuple of three ints");
  const s = isDefault(stride) ? k : triple(stride, op, "stride must either be omitted, a single int, or a tuple of three ints");
  const p = triple(padding, op, "padding must either be a single int, or a tuple of three ints");
  const d = triple(dilation, op, "dilation must be either a single int, or a tuple of three ints");
  const { planes, D, H, W, Do, Ho, Wo, outShape } = pool3dShape(op, "max_pool3d_with_indices_out_cpu_template", input, k, s, p, d, ceil_mode, false);
  const dtype = input.dtype;
  const x = input.data;
  const HW = H * W, Q = Ho * Wo;
  // every depth slice pooled over (h, w): y2 [planes·D, Ho, Wo], idx2 flat in H·W
  const y2 = storageFor(dtype, planes * D * Q);
  const idx2 = new Int32Array(planes * D * Q);
  maxPlanes(x, y2, idx2, planes * D, H, W, Ho, Wo, k.slice(1), s.slice(1), p.slice(1), d.slice(1));
  // then each depth window's slices, in order: the winner's value and its index in the volume
  const y = storageFor(dtype, planes * Do * Q);
  const idx = new Int32Array(planes * Do * Q);
  const [kD, sD, pD, dD] = [k[0], s[0], p[0], d[0]];
  for (let pl = 0; pl < planes; pl++) {
    for (let od = 0; od < Do; od++) {
      let d0 = od * sD - pD;
      const d1 = Math.min(d0 + (kD - 1) * dD + 1, D);
      while (d0 < 0) d0 += dD;
      const o = (pl * Do + od) * Q;
      if (d0 >= d1) {
        // no slice (not reached with PyTorch's limits on padding): -inf at the window's start
        for (let c = 0; c < Q; c++) { y[o + c] = -Infinity; idx[o + c] = d0 * HW; }
        continue;
      }
      for (let c = 0; c < Q; c++) {
        let src = (pl * D + d0) * Q + c;
        let best = y2[src];
        let at = d0 * HW + idx2[src];
        for (let id = d0 + dD; id < d1; id += dD) {
          src = (pl * D + id) * Q + c;
          const v = y2[src];
          const win = wins(v, best);
          at += win * (id * HW + idx2[src] - at);
          best = win ? v : best;
        }
        y[o + c] = best;
        idx[o + c] = at;
      }
    }
  }
  const P = Do * Q, V = D * HW;
  const out = record(new Tensor(y, outShape, dtype), "MaxPool3DWithIndicesBackward0", [input], (g) => {
    const gd = g.data;
    const gx = storageFor(dtype, x.length);
    for (let pl = 0; pl < planes; pl++) {
      const xb = pl * V, yb = pl * P;
      for (let i = 0; i < P; i++) gx[xb + idx[yb + i]] += gd[yb + i];
    }
    return [fresh_grad(new Tensor(gx, input.shape, dtype))];
  });
  return return_indices ? [out, new Tensor(Float64Array.from(idx), outShape, "int64")] : out;
}

export interface AvgPool3dOptions {
  /** Step between windows: an int or [d, h, w]. Default (null): kernel_size. */
  stride?: number | number[] | null;
  /** Implicit zeros added on both sides (at most half the kernel). Default 0. */
  padding?: number | number[];
  /** Round the output size up instead of down. Default false. */
  ceil_mode?: boolean;
  /** Count the padding zeros in the divisor. Default true. */
  count_include_pad?: boolean;
  /** Divide every window's sum by this instead of its size. Default null. */
  divisor_override?: number | null;
}

const AVG_NAMES = ["stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"] as const;

/**
 * F.avg_pool3d(input, kernel_size, stride = kernel_size, padding = 0, ceil_mode = false,
 * count_include_pad = true, divisor_override = null): the mean of each window of input
 * [N, C, D, H, W] or [C, D, H, W] → [N, C, D_out, H_out, W_out], D_out = ⌊(D + 2·padding − kD) /
 * stride⌋ + 1 (⌈⌉ with ceil_mode; H, W likewise). The options follow kernel_size positionally
 * (Python's order) or in a trailing object.
 */
export function avg_pool3d(input: Tensor, kernel_size: number | number[], options?: AvgPool3dOptions): Tensor;
export function avg_pool3d(
  input: Tensor, kernel_size: number | number[], stride?: number | number[] | null, padding?: number | number[], ceil_mode?: boolean,
  count_include_pad?: boolean, divisor_override?: number | null,
): Tensor;
export function avg_pool3d(input: Tensor, kernel_size: number | number[], ...args: unknown[]): Tensor {
  const o = poolArgs("avg_pool3d", AVG_NAMES, args);
  return avgPool3d(input, kernel_size, o.stride, o.padding ?? 0, o.ceil_mode === true, o.count_include_pad !== false, o.divisor_override ?? null);
}

/** Per output position of one dim: the clipped window [lo, hi) and its size clipped to the padded input. */
function windows(In: number, Out: number, k: number, s: number, p: number): Int32Array {
  const t = new Int32Array(3 * Out);
  for (let o = 0; o < Out; o++) {
    const a = o * s - p;
    const b = Math.min(a + k, In + p);
    t[3 * o] = Math.max(a, 0); t[3 * o + 1] = Math.min(b, In); t[3 * o + 2] = b - a;
  }
  return t;
}

export function avgPool3d(
  input: Tensor, kernel_size: unknown, stride: unknown, padding: unknown, ceil_mode: boolean, count_include_pad: boolean, divisor_override: unknown,
): Tensor {
  const op = "avg_pool3d";
  checkFloat(input, op);
  const k = triple(kernel_size, op, "kernel_size must be a single int, or a tuple of three ints");
  const s = isDefault(stride) ? k : triple(stride, op, "stride must be omitted, a single int, or a tuple of three ints");
  const p = triple(padding, op, "padding must be a single int, or a tuple of three ints");
  if (divisor_override !== null && (typeof divisor_override !== "number" || !Number.isInteger(divisor_override))) {
    const type = typeof divisor_override === "number" ? "float" : typeof divisor_override;
    throw new TypeError(`avg_pool3d(): argument 'divisor_override' must be int, not ${type}`);
  }
  if (divisor_override === 0) throw new RangeError("divisor must be not zero");
  const { planes, D, H, W, Do, Ho, Wo, outShape } = pool3dShape(op, op, input, k, s, p, [1, 1, 1], ceil_mode, true);
  const td = windows(D, Do, k[0], s[0], p[0]), th = windows(H, Ho, k[1], s[1], p[1]), tw = windows(W, Wo, k[2], s[2], p[2]);
  const P = Do * Ho * Wo;
  // per output cell (the same in every volume): its divisor
  const div = new Float64Array(P);
  for (let od = 0, c = 0; od < Do; od++) {
    for (let oh = 0; oh < Ho; oh++) {
      for (let ow = 0; ow < Wo; ow++, c++) {
        const clipped = (td[3 * od + 1] - td[3 * od]) * (th[3 * oh + 1] - th[3 * oh]) * (tw[3 * ow + 1] - tw[3 * ow]);
        div[c] = divisor_override !== null ? (divisor_override as number) : count_include_pad ? td[3 * od + 2] * th[3 * oh + 2] * tw[3 * ow + 2] : clipped;
      }
    }
  }
  return boxMean(input, outShape, "AvgPool3DBackward0", planes, [D, H, W], [Do, Ho, Wo], [td, th, tw], 3, div);
}

/**
 * The mean of boxes of input [..., D, H, W] (`planes` volumes): output cell (od, oh, ow) sums the
 * input over d in [td[k·od], td[k·od + 1]) (h and w likewise; each table holds its [lo, hi) pair
 * every k entries) and divides by div[cell]; the backward spreads each cell's gradient / div over
 * its box. avg_pool3d (tables of [lo, hi, padded size]) and adaptive_avg_pool3d ([lo, hi]) are both
 * this.
 */
function boxMean(
  input: Tensor, outShape: number[], name: string, planes: number, [D, H, W]: number[], [Do, Ho, Wo]: number[],
  [td, th, tw]: Int32Array[], k: number, div: Float64Array,
): Tensor {
  const dtype = input.dtype;
  const x = input.data;
  const P = Do * Ho * Wo, V = D * H * W;
  const y = storageFor(dtype, planes * P);
  for (let pl = 0; pl < planes; pl++) {
    const xb = pl * V;
    for (let od = 0, c = 0; od < Do; od++) {
      for (let oh = 0; oh < Ho; oh++) {
        for (let ow = 0; ow < Wo; ow++, c++) {
          let sum = 0;
          for (let id = td[k * od]; id < td[k * od + 1]; id++) {
            for (let ih = th[k * oh]; ih < th[k * oh + 1]; ih++) {
              const r = xb + (id * H + ih) * W;
              for (let iw = tw[k * ow]; iw < tw[k * ow + 1]; iw++) sum += x[r + iw];
            }
          }
          y[pl * P + c] = sum / div[c];
        }
      }
    }
  }
  return record(new Tensor(y, outShape, dtype), name, [input], (g) => {
    const gd = g.data;
    const gx = storageFor(dtype, x.length);
    for (let pl = 0; pl < planes; pl++) {
      const xb = pl * V;
      for (let od = 0, c = 0; od < Do; od++) {
        for (let oh = 0; oh < Ho; oh++) {
          for (let ow = 0; ow < Wo; ow++, c++) {
            const v = gd[pl * P + c] / div[c];
            for (let id = td[k * od]; id < td[k * od + 1]; id++) {
              for (let ih = th[k * oh]; ih < th[k * oh + 1]; ih++) {
                const r = xb + (id * H + ih) * W;
                for (let iw = tw[k * ow]; iw < tw[k * ow + 1]; iw++) gx[r + iw] += v;
              }
            }
          }
        }
      }
    }
    return [fresh_grad(new Tensor(gx, input.shape, dtype))];
  });
}

/** Per output cell of one dim of an adaptive pooling: [⌊o·in/out⌋, ⌈(o+1)·in/out⌉). */
function adaptiveCells(In: number, Out: number): Int32Array {
  const t = new Int32Array(2 * Out);
  for (let o = 0; o < Out; o++) { t[2 * o] = Math.floor((o * In) / Out); t[2 * o + 1] = Math.ceil(((o + 1) * In) / Out); }
  return t;
}

/**
 * F.adaptive_avg_pool3d(input, output_size): input [N, C, D, H, W] or [C, D, H, W] averaged over
 * a grid of output_size cells (an int, or [d, h, w] where null keeps that input size) →
 * [N, C, d, h, w]. Output cell o covers ⌊o·D/d⌋ .. ⌈(o+1)·D/d⌉ − 1 (H, W likewise), so cells may
 * overlap.
 */
export function adaptive_avg_pool3d(input: Tensor, output_size: number | (number | null)[]): Tensor {
  const op = "adaptive_avg_pool3d";
  checkFloat(input, op);
  const nd = input.dim();
  if (nd !== 4 && nd !== 5) throw new RangeError(`adaptive_avg_pool3d(): Expected 4D or 5D tensor, but got [${input.shape.join(", ")}]`);
  nonEmptyDims(input, op);
  const [D, H, W] = input.shape.slice(nd - 3);
  let sizes: (number | null)[];
  if (typeof output_size === "number") sizes = [output_size, output_size, output_size];
  else if (Array.isArray(output_size) && output_size.length === 3) sizes = output_size;
  else throw new RangeError(`adaptive_avg_pool3d: output_size must be 3 (got ${JSON.stringify(output_size)})`);
  const [Do, Ho, Wo] = [sizes[0] ?? D, sizes[1] ?? H, sizes[2] ?? W];
  if (![Do, Ho, Wo].every((v) => Number.isInteger(v))) throw new TypeError(`adaptive_avg_pool3d: output_size must be ints or null, got [${sizes.join(", ")}]`);
  if (Do < 0 || Ho < 0 || Wo < 0) {
    // PyTorch's spacing, "{2, -1,3}"
    throw new RangeError(`adaptive_avg_pool3d: elements of output_size must be greater than or equal to 0 but received {${Do}, ${Ho},${Wo}}`);
  }
  const V = D * H * W, P = Do * Ho * Wo;
  const planes = V === 0 ? 0 : input.data.length / V;
  const td = adaptiveCells(D, Do), th = adaptiveCells(H, Ho), tw = adaptiveCells(W, Wo);
  const size = (od: number, oh: number, ow: number) =>
    (td[2 * od + 1] - td[2 * od]) * (th[2 * oh + 1] - th[2 * oh]) * (tw[2 * ow + 1] - tw[2 * ow]);
  const div = new Float64Array(P);
  for (let od = 0, c = 0; od < Do; od++) for (let oh = 0; oh < Ho; oh++) for (let ow = 0; ow < Wo; ow++, c++) div[c] = size(od, oh, ow);
  const outShape = [...input.shape.slice(0, nd - 3), Do, Ho, Wo];
  return boxMean(input, outShape, "AdaptiveAvgPool3DBackward0", planes, [D, H, W], [Do, Ho, Wo], [td, th, tw], 2, div);
}
