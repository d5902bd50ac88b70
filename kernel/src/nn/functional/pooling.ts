/**
 * F.max_pool2d, F.avg_pool2d and F.adaptive_avg_pool2d over input [N, C, H, W] or [C, H, W]
 * (PyTorch 2.13's semantics and messages). Each plane (n, c) is pooled independently.
 *
 * Output size (max and avg): out = ⌊(in + 2·pad − dilation·(k − 1) − 1 + (ceil_mode ? stride − 1 : 0))
 * / stride⌋ + 1, and with ceil_mode the last window must start inside the input or the left
 * padding (else out − 1), as PyTorch's pooling_output_shape.
 * - max: y = max over the window (a NaN wins, as PyTorch's `val > max || isnan(val)`), the index
 *   of the first maximum (flat in the plane, h·W + w) is kept; dL/dx[index] += dL/dy.
 * - avg: y = Σ window / divisor, where the window is clipped to the input, and the divisor is
 *   divisor_override, else the window's size clipped to the padded input (count_include_pad) or
 *   to the input (count_include_pad = false); dL/dx += dL/dy / divisor over the clipped window.
 * - adaptive avg: output cell o of `out` covers input rows ⌊o·in/out⌋ .. ⌈(o+1)·in/out⌉ − 1.
 * pooling3d.ts builds F.max_pool3d on this file's max loops (maxPlanes, per depth slice).
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import type { Storage } from "../../tensor/tensor";
import { fresh_grad } from "../../tensor/autograd";
import { checkFloat, record } from "../_autograd";
import { saves } from "../../tensor/version";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const SAVES_SELF = saves("0");

/** An int or [h, w] for a 2-d pooling argument, with PyTorch's message for anything else. */
function pair(v: unknown, name: string, op: string): [number, number] {
  if (typeof v === "number" && Number.isInteger(v)) return [v, v];
  if (Array.isArray(v) && v.every((e) => typeof e === "number" && Number.isInteger(e))) {
    if (v.length === 1) return [v[0], v[0]];
    if (v.length === 2) return [v[0], v[1]];
  }
  const what = name === "stride" ? "stride must either be omitted, a single int, or a tuple of two ints" : `${name} must either be a single int, or a tuple of two ints`;
  throw new RangeError(`${op}: ${what} (got ${Array.isArray(v) ? `[${v.join(", ")}]` : String(v)})`);
}

/** PyTorch's pooling_output_shape for one dim (also pooling3d.ts). */
export function outSize(inSize: number, k: number, pad: number, stride: number, dil: number, ceil: boolean): number {
  let out = Math.floor((inSize + 2 * pad - dil * (k - 1) - 1 + (ceil ? stride - 1 : 0)) / stride) + 1;
  if (ceil && (out - 1) * stride >= inSize + pad) out--;
  return out;
}

interface PoolGeo { planes: number; H: number; W: number; Ho: number; Wo: number; outShape: number[] }

function poolShape(
  op: string, input: Tensor, k: [number, number], s: [number, number], p: [number, number], d: [number, number], ceil: boolean,
): PoolGeo {
  if (s[0] === 0 || s[1] === 0) throw new RangeError("stride should not be zero");
  if (p[0] < 0 || p[1] < 0) throw new RangeError(`pad must be non-negative, but got pad: ${p[0] < 0 ? p[0] : p[1]}`);
  if (k[0] <= 0 || k[1] <= 0) throw new RangeError(`kernel size should be greater than zero, but got kH: ${k[0]} kW: ${k[1]}`);
  if (s[0] < 0 || s[1] < 0) throw new RangeError(`stride should be greater than zero, but got dH: ${s[0]} dW: ${s[1]}`);
  if (d[0] <= 0 || d[1] <= 0) throw new RangeError(`dilation should be greater than zero, but got dilationH: ${d[0]} dilationW: ${d[1]}`);
  const nd = input.dim();
  if ((nd !== 3 && nd !== 4) || input.shape.slice(nd - 3).some((x) => x === 0)) {
    throw new RangeError(`${op}: non-empty 3D or 4D (batch mode) tensor expected for input, but got input of size [${input.shape.join(", ")}]`);
  }
  for (let i = 0; i < 2; i++) {
    if (p[i] > Math.floor((d[i] * (k[i] - 1) + 1) / 2)) {
      throw new RangeError(`pad should be at most half of effective kernel size, but got pad=${p[i]}, kernel_size=${k[i]} and dilation=${d[i]}`);
    }
  }
  const [C, H, W] = input.shape.slice(nd - 3);
  const Ho = outSize(H, k[0], p[0], s[0], d[0], ceil);
  const Wo = outSize(W, k[1], p[1], s[1], d[1], ceil);
  if (Ho < 1 || Wo < 1) {
    throw new RangeError(`Given input size: (${C}x${H}x${W}). Calculated output size: (${C}x${Ho}x${Wo}). Output size is too small`);
  }
  const planes = input.data.length / (H * W);
  return { planes, H, W, Ho, Wo, outShape: [...input.shape.slice(0, nd - 2), Ho, Wo] };
}

export interface MaxPool2dOptions {
  /** Step between windows: an int or [h, w]. Default (null): kernel_size. */
  stride?: number | number[] | null;
  /** Implicit −∞ added on both sides (at most half the effective kernel). Default 0. */
  padding?: number | number[];
  /** Spacing between window elements. Default 1. */
  dilation?: number | number[];
  /** Round the output size up instead of down. Default false. */
  ceil_mode?: boolean;
  /** Also return the indices of the maxima (flat in each H·W plane, int64). Default false. */
  return_indices?: boolean;
}

type Args = unknown[];

/** Python-style optional positional arguments after the leading ones, or one trailing options object (also pooling1d.ts). */
export function poolArgs(op: string, names: readonly string[], args: Args): Record<string, unknown> {
  const last = args.length > 0 ? args[args.length - 1] : undefined;
  const isKw = typeof last === "object" && last !== null && !Array.isArray(last);
  const positional = isKw ? args.slice(0, -1) : args;
  if (positional.length > names.length) {
    throw new TypeError(`${op}() takes at most ${names.length} optional positional arguments (${names.join(", ")}) but ${positional.length} were given`);
  }
  const out: Record<string, unknown> = {};
  positional.forEach((v, i) => { if (v !== undefined) out[names[i]] = v; });
  if (isKw) {
    for (const [k, v] of Object.entries(last as Record<string, unknown>)) {
      if (!names.includes(k)) throw new TypeError(`${op}() got an unexpected keyword argument '${k}' (allowed: ${names.join(", ")})`);
      if (k in out) throw new TypeError(`${op}() got multiple values for argument '${k}'`);
      if (v !== undefined) out[k] = v;
    }
  }
  return out;
}

export const MAX_NAMES = ["stride", "padding", "dilation", "ceil_mode", "return_indices"] as const;

/**
 * F.max_pool2d(input, kernel_size, stride = kernel_size, padding = 0, dilation = 1,
 * ceil_mode = false, return_indices = false): the maximum of each window of input [N, C, H, W]
 * or [C, H, W]. With return_indices, [output, indices] (indices int64, flat in each H·W plane).
 * The options follow kernel_size positionally (Python's order) or in a trailing object.
 */
export function max_pool2d(input: Tensor, kernel_size: number | number[], options: MaxPool2dOptions & { return_indices: true }): [Tensor, Tensor];
export function max_pool2d(input: Tensor, kernel_size: number | number[], options?: MaxPool2dOptions & { return_indices?: false }): Tensor;
export function max_pool2d(
  input: Tensor, kernel_size: number | number[], stride?: number | number[] | null, padding?: number | number[],
  dilation?: number | number[], ceil_mode?: boolean, return_indices?: false,
): Tensor;
export function max_pool2d(input: Tensor, kernel_size: number | number[], ...args: unknown[]): Tensor | [Tensor, Tensor] {
  const o = poolArgs("max_pool2d", MAX_NAMES, args);
  return maxPool(input, kernel_size, o.stride as number | number[] | null | undefined, o.padding ?? 0, o.dilation ?? 1, o.ceil_mode === true, o.return_indices === true);
}

/** F.max_pool2d_with_indices: F.max_pool2d with return_indices = true ([output, indices]). */
export function max_pool2d_with_indices(input: Tensor, kernel_size: number | number[], options: Omit<MaxPool2dOptions, "return_indices"> = {}): [Tensor, Tensor] {
  return max_pool2d(input, kernel_size, { ...options, return_indices: true });
}

export function maxPool(
  input: Tensor, kernel_size: unknown, stride: unknown, padding: unknown, dilation: unknown, ceil_mode: boolean, return_indices: boolean,
): Tensor | [Tensor, Tensor] {
  const op = "max_pool2d";
  checkFloat(input, op);
  const k = pair(kernel_size, "kernel_size", op);
  const s = stride === null || stride === undefined || (Array.isArray(stride) && stride.length === 0) ? k : pair(stride, "stride", op);
  const p = pair(padding, "padding", op);
  const d = pair(dilation, "dilation", op);
  const { planes, H, W, Ho, Wo, outShape } = poolShape(op, input, k, s, p, d, ceil_mode);
  const dtype = input.dtype;
  const x = input.data;
  const y = storageFor(dtype, planes * Ho * Wo);
  // flat indices in each plane (H·W < 2^31); an int64 tensor (float64 storage) only when returned
  const idx = new Int32Array(planes * Ho * Wo);
  maxPlanes(x, y, idx, planes, H, W, Ho, Wo, k, s, p, d);
  const out = record(new Tensor(y, outShape, dtype), "MaxPool2DWithIndicesBackward0", [input], (g) => {
    const gd = g.data;
    const gx = storageFor(dtype, x.length);
    for (let pl = 0; pl < planes; pl++) {
      const xb = pl * H * W;
      const yb = pl * Ho * Wo;
      for (let i = 0; i < Ho * Wo; i++) gx[xb + idx[yb + i]] += gd[yb + i];
    }
    return [fresh_grad(new Tensor(gx, input.shape, dtype))];
  }, SAVES_SELF);
  return return_indices ? [out, new Tensor(Float64Array.from(idx), outShape, "int64")] : out;
}

/**
 * The 2-d max of every [H, W] plane of x into y [planes, Ho, Wo], and the index of each maximum
 * (flat in its plane) into idx; window sizes, strides, padding and dilation as [h, w]. Also
 * pooling3d.ts, over each depth slice.
 */
export function maxPlanes(
  x: Storage, y: Storage, idx: Int32Array, planes: number, H: number, W: number, Ho: number, Wo: number,
  [kH, kW]: number[], [sH, sW]: number[], [pH, pW]: number[], [dH, dW]: number[],
): void {
  // each output column's first input column and end (clipped), the same in every row and plane
  const wBeg = new Int32Array(Wo), wEnd = new Int32Array(Wo);
  for (let ow = 0; ow < Wo; ow++) {
    let w0 = ow * sW - pW;
    wEnd[ow] = Math.min(w0 + (kW - 1) * dW + 1, W);
    while (w0 < 0) w0 += dW;
    wBeg[ow] = w0;
  }
  // the usual 2×2 window at stride 2 without padding (every window inside the input): unrolled
  if (kH === 2 && kW === 2 && sH === 2 && sW === 2 && pH === 0 && pW === 0 && dH === 1 && dW === 1 && 2 * Ho <= H && 2 * Wo <= W) maxKernel2x2(x, y, idx, planes, H, W, Ho, Wo);
  else maxKernel(x, y, idx, planes, H, W, Ho, Wo, kH, sH, pH, dH, dW, wBeg, wEnd);
}

/**
 * 1 when `v` takes the place of the running maximum, else 0: greater, or NaN (the last NaN is
 * kept), as PyTorch's `val > max || isnan(val)`. A number, not a branch: the max-pooling loops
 * move the winner's index by it (maxKernel2x2).
 */
export const wins = (v: number, best: number): number => +(v > best) | +(v !== v);

/** The max-pooling loop (a function of its own, so that V8 optimises it as a whole). */
function maxKernel(
  x: Storage, y: Storage, idx: Int32Array, planes: number, H: number, W: number, Ho: number, Wo: number,
  kH: number, sH: number, pH: number, dH: number, dW: number, wBeg: Int32Array, wEnd: Int32Array,
): void {
  for (let pl = 0; pl < planes; pl++) {
    const xb = pl * H * W;
    const yb = pl * Ho * Wo;
    for (let oh = 0; oh < Ho; oh++) {
      let h0 = oh * sH - pH;
      const h1 = Math.min(h0 + (kH - 1) * dH + 1, H);
      while (h0 < 0) h0 += dH;
      const o = yb + oh * Wo;
      for (let ow = 0; ow < Wo; ow++) {
        const w0 = wBeg[ow], w1 = wEnd[ow];
        let at = h0 * W + w0;
        if (h0 >= h1 || w0 >= w1) {
          // no element (not reached with PyTorch's limits on padding): -inf at the window's start
          y[o + ow] = -Infinity;
          idx[o + ow] = at;
          continue;
        }
        // Branch-free (see maxKernel2x2): the winner's index moves by arithmetic on each
        // comparison's 0 or 1 and the maximum is read back. v wins when greater or NaN (the last
        // NaN is kept), as PyTorch's `val > max || isnan(val)`; the first element starts.
        let best = x[xb + at];
        for (let ih = h0; ih < h1; ih += dH) {
          const r = ih * W;
          for (let iw = w0; iw < w1; iw += dW) {
            const v = x[xb + r + iw];
            at += wins(v, best) * (r + iw - at);
            best = x[xb + at];
          }
        }
        y[o + ow] = best;
        idx[o + ow] = at;
      }
    }
  }
}

/**
 * maxKernel for 2×2 windows at stride 2, no padding, no dilation: the same visits in the same
 * order (row by row), so the same maximum, index and NaN rule, without the window loops and
 * without branches: on real activations each comparison goes either way at random, and a
 * mispredicted branch per comparison made this loop ~20 ns per output (64×6×24×24 input:
 * 1.15 ms before, 0.5 ms after). The winner's index moves by arithmetic on the comparison's 0 or 1,
 * and the running maximum is read back at that index.
 */
function maxKernel2x2(x: Storage, y: Storage, idx: Int32Array, planes: number, H: number, W: number, Ho: number, Wo: number): void {
  for (let pl = 0; pl < planes; pl++) {
    const xb = pl * H * W;
    const yb = pl * Ho * Wo;
    for (let oh = 0; oh < Ho; oh++) {
      const r0 = 2 * oh * W, r1 = r0 + W;
      const o = yb + oh * Wo;
      for (let ow = 0; ow < Wo; ow++) {
        const c = 2 * ow;
        let at = r0 + c;
        let best = x[xb + at];
        let p = at + 1;
        let v = x[xb + p];
        // v wins when greater or NaN (the last NaN is kept), as maxKernel's test
        at += wins(v, best) * (p - at);
        best = x[xb + at];
        p = r1 + c;
        v = x[xb + p];
        at += wins(v, best) * (p - at);
        best = x[xb + at];
        p = r1 + c + 1;
        v = x[xb + p];
        at += wins(v, best) * (p - at);
        y[o + ow] = x[xb + at];
        idx[o + ow] = at;
      }
    }
  }
}

export interface AvgPool2dOptions {
  /** Step between windows: an int or [h, w]. Default (null): kernel_size. */
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
 * F.avg_pool2d(input, kernel_size, stride = kernel_size, padding = 0, ceil_mode = false,
 * count_include_pad = true, divisor_override = null): the mean of each window of input
 * [N, C, H, W] or [C, H, W]. The options follow kernel_size positionally (Python's order) or in a
 * trailing object.
 */
export function avg_pool2d(input: Tensor, kernel_size: number | number[], options?: AvgPool2dOptions): Tensor;
export function avg_pool2d(
  input: Tensor, kernel_size: number | number[], stride?: number | number[] | null, padding?: number | number[], ceil_mode?: boolean,
  count_include_pad?: boolean, divisor_override?: number | null,
): Tensor;
export function avg_pool2d(input: Tensor, kernel_size: number | number[], ...args: unknown[]): Tensor {
  const o = poolArgs("avg_pool2d", AVG_NAMES, args);
  return avgPool(input, kernel_size, o.stride, o.padding ?? 0, o.ceil_mode === true, o.count_include_pad !== false, (o.divisor_override ?? null) as number | null);
}

export function avgPool(
  input: Tensor, kernel_size: unknown, stride: unknown, padding: unknown, ceil_mode: boolean, count_include_pad: boolean, divisor_override: number | null,
): Tensor {
  const op = "avg_pool2d";
  checkFloat(input, op);
  const k = pair(kernel_size, "kernel_size", op);
  const s = stride === null || stride === undefined || (Array.isArray(stride) && stride.length === 0) ? k : pair(stride, "stride", op);
  const p = pair(padding, "padding", op);
  if (divisor_override !== null && (typeof divisor_override !== "number" || !Number.isInteger(divisor_override))) {
    throw new TypeError(`avg_pool2d(): divisor_override must be an int or null, got ${String(divisor_override)}`);
  }
  if (divisor_override === 0) throw new RangeError("divisor must be not zero");
  const { planes, H, W, Ho, Wo, outShape } = poolShape(op, input, k, s, p, [1, 1], ceil_mode);
  const dtype = input.dtype;
  const x = input.data;
  const y = storageFor(dtype, planes * Ho * Wo);
  // per output cell: clipped window [h0, h1) × [w0, w1) and divisor (the same in every plane)
  const win = new Int32Array(Ho * Wo * 4);
  const div = new Float64Array(Ho * Wo);
  for (let oh = 0; oh < Ho; oh++) {
    for (let ow = 0; ow < Wo; ow++) {
      let h0 = oh * s[0] - p[0], w0 = ow * s[1] - p[1];
      let h1 = Math.min(h0 + k[0], H + p[0]), w1 = Math.min(w0 + k[1], W + p[1]);
      const poolSize = (h1 - h0) * (w1 - w0);
      h0 = Math.max(h0, 0); w0 = Math.max(w0, 0);
      h1 = Math.min(h1, H); w1 = Math.min(w1, W);
      const c = oh * Wo + ow;
      win[4 * c] = h0; win[4 * c + 1] = h1; win[4 * c + 2] = w0; win[4 * c + 3] = w1;
      div[c] = divisor_override !== null ? divisor_override : count_include_pad ? poolSize : (h1 - h0) * (w1 - w0);
    }
  }
  const P = Ho * Wo;
  for (let pl = 0; pl < planes; pl++) {
    const xb = pl * H * W;
    for (let c = 0; c < P; c++) {
      let sum = 0;
      for (let ih = win[4 * c]; ih < win[4 * c + 1]; ih++) {
        for (let iw = win[4 * c + 2]; iw < win[4 * c + 3]; iw++) sum += x[xb + ih * W + iw];
      }
      y[pl * P + c] = sum / div[c];
    }
  }
  return record(new Tensor(y, outShape, dtype), "AvgPool2DBackward0", [input], (g) => {
    const gd = g.data;
    const gx = storageFor(dtype, x.length);
    for (let pl = 0; pl < planes; pl++) {
      const xb = pl * H * W;
      for (let c = 0; c < P; c++) {
        const v = gd[pl * P + c] / div[c];
        for (let ih = win[4 * c]; ih < win[4 * c + 1]; ih++) {
          for (let iw = win[4 * c + 2]; iw < win[4 * c + 3]; iw++) gx[xb + ih * W + iw] += v;
        }
      }
    }
    return [fresh_grad(new Tensor(gx, input.shape, dtype))];
  }, SAVES_SELF);
}

/** PyTorch's check that an adaptive pooling input has no empty dim after the batch dim (also adaptive_max.ts). */
export function nonEmptyDims(input: Tensor, op: string): void {
  for (let i = 1; i < input.dim(); i++) {
    if (input.shape[i] === 0) {
      throw new RangeError(
        `${op}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes [${input.shape.join(", ")}] with dimension ${i} being empty`,
      );
    }
  }
}

/**
 * F.adaptive_avg_pool2d(input, output_size): input [N, C, H, W] or [C, H, W] averaged over a grid
 * of output_size cells (an int, or [h, w] where null keeps that input size). Output cell o covers
 * rows ⌊o·H/h⌋ .. ⌈(o+1)·H/h⌉ − 1 (and columns likewise), so the cells may overlap.
 */
export function adaptive_avg_pool2d(input: Tensor, output_size: number | (number | null)[]): Tensor {
  const op = "adaptive_avg_pool2d";
  checkFloat(input, op);
  const nd = input.dim();
  if (nd !== 3 && nd !== 4) throw new RangeError(`adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [${input.shape.join(", ")}]`);
  nonEmptyDims(input, op);
  const [H, W] = input.shape.slice(nd - 2);
  let sizes: (number | null)[];
  if (typeof output_size === "number") sizes = [output_size, output_size];
  else if (Array.isArray(output_size) && output_size.length === 2) sizes = output_size;
  else throw new RangeError(`adaptive_avg_pool2d: output_size must be 2 (got ${JSON.stringify(output_size)})`);
  const [Ho, Wo] = [sizes[0] ?? H, sizes[1] ?? W];
  if (![Ho, Wo].every((v) => Number.isInteger(v))) throw new TypeError(`adaptive_avg_pool2d: output_size must be ints or null, got [${sizes.join(", ")}]`);
  if (Ho < 0 || Wo < 0) {
    throw new RangeError(`adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received {${Ho}, ${Wo}}`);
  }
  const dtype = input.dtype;
  const x = input.data;
  const planes = H * W === 0 ? 0 : x.length / (H * W);
  const P = Ho * Wo;
  const y = storageFor(dtype, planes * P);
  const hs = new Int32Array(2 * Ho), ws = new Int32Array(2 * Wo);
  for (let o = 0; o < Ho; o++) { hs[2 * o] = Math.floor((o * H) / Ho); hs[2 * o + 1] = Math.ceil(((o + 1) * H) / Ho); }
  for (let o = 0; o < Wo; o++) { ws[2 * o] = Math.floor((o * W) / Wo); ws[2 * o + 1] = Math.ceil(((o + 1) * W) / Wo); }
  for (let pl = 0; pl < planes; pl++) {
    const xb = pl * H * W;
    for (let oh = 0; oh < Ho; oh++) {
      for (let ow = 0; ow < Wo; ow++) {
        let sum = 0;
        for (let ih = hs[2 * oh]; ih < hs[2 * oh + 1]; ih++) {
          for (let iw = ws[2 * ow]; iw < ws[2 * ow + 1]; iw++) sum += x[xb + ih * W + iw];
        }
        y[pl * P + oh * Wo + ow] = sum / ((hs[2 * oh + 1] - hs[2 * oh]) * (ws[2 * ow + 1] - ws[2 * ow]));
      }
    }
  }
  const outShape = [...input.shape.slice(0, nd - 2), Ho, Wo];
  return record(new Tensor(y, outShape, dtype), "AdaptiveAvgPool2DBackward0", [input], (g) => {
    const gd = g.data;
    const gx = storageFor(dtype, x.length);
    for (let pl = 0; pl < planes; pl++) {
      const xb = pl * H * W;
      for (let oh = 0; oh < Ho; oh++) {
        for (let ow = 0; ow < Wo; ow++) {
          const v = gd[pl * P + oh * Wo + ow] / ((hs[2 * oh + 1] - hs[2 * oh]) * (ws[2 * ow + 1] - ws[2 * ow]));
          for (let ih = hs[2 * oh]; ih < hs[2 * oh + 1]; ih++) {
            for (let iw = ws[2 * ow]; iw < ws[2 * ow + 1]; iw++) gx[xb + ih * W + iw] += v;
          }
        }
      }
    }
    return [fresh_grad(new Tensor(gx, input.shape, dtype))];
  });
}
