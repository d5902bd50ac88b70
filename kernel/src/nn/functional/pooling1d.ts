/**
 * F.max_pool1d, F.avg_pool1d and F.adaptive_avg_pool1d over input [N, C, L] or [C, L] (PyTorch
 * 2.13's semantics and messages). Each row (n, c) is pooled independently; the 2-d layers
 * (pooling.ts) are left as they are, these are their 1-d counterparts with their own loops.
 *
 * Output length (max and avg): out = ⌊(L + 2·pad − dilation·(k − 1) − 1 + (ceil_mode ? stride − 1 : 0))
 * / stride⌋ + 1, less one when ceil_mode starts the last window past the input and left padding.
 * - max: y = max over the window (a NaN wins), the position of the first maximum is kept;
 *   dL/dx[index] += dL/dy.
 * - avg: y = Σ window / divisor, the window clipped to the input, the divisor its size clipped to
 *   the padded input (count_include_pad) or to the input; dL/dx += dL/dy / divisor over the window.
 * - adaptive avg: output cell o covers ⌊o·L/out⌋ .. ⌈(o+1)·L/out⌉ − 1.
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import { fresh_grad } from "../../tensor/autograd";
import { checkFloat, record } from "../_autograd";
import { MAX_NAMES, poolArgs } from "./pooling";
import { saves } from "../../tensor/version";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const UNSQ_SAVES = saves("0 as unsqueeze_h");

/** An int or a one-int list for a 1-d pooling argument (null/[] when it may default). */
function single(v: unknown, name: string, op: string, style: "max" | "avg"): number {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (Array.isArray(v) && v.length === 1 && Number.isInteger(v[0])) return v[0] as number;
  const size = Array.isArray(v) ? v.length : 0;
  if (style === "max") throw new RangeError(`${op}() ${name} must be an int, list of ints or tuple of ints of size 1 but got size ${size}`);
  throw new RangeError(`${op}() argument '${name}' should contain one int (got ${size})`);
}

/** The output length of a 1-d pooling window sweep (PyTorch's pooling_output_shape). */
export function outLength(L: number, k: number, pad: number, stride: number, dil: number, ceil: boolean): number {
  let out = Math.floor((L + 2 * pad - dil * (k - 1) - 1 + (ceil ? stride - 1 : 0)) / stride) + 1;
  if (ceil && (out - 1) * stride >= L + pad) out--;
  return out;
}

const isDefault = (v: unknown): boolean => v === null || v === undefined || (Array.isArray(v) && v.length === 0);

export interface MaxPool1dOptions {
  /** Step between windows. Default (null): kernel_size. */
  stride?: number | number[] | null;
  /** Implicit −∞ on both ends (at most half the kernel). Default 0. */
  padding?: number | number[];
  /** Spacing between window elements. Default 1. */
  dilation?: number | number[];
  /** Round the output length up instead of down. Default false. */
  ceil_mode?: boolean;
  /** Also return the positions of the maxima along L (int64). Default false. */
  return_indices?: boolean;
}

/**
 * F.max_pool1d(input, kernel_size, stride = kernel_size, padding = 0, dilation = 1,
 * ceil_mode = false, return_indices = false): the maximum of each window of input [N, C, L] or
 * [C, L]; with return_indices, [output, indices] (positions along L, int64). Options positionally
 * in Python's order or as a trailing object.
 */
export function max_pool1d(input: Tensor, kernel_size: number | number[], options: MaxPool1dOptions & { return_indices: true }): [Tensor, Tensor];
export function max_pool1d(input: Tensor, kernel_size: number | number[], options?: MaxPool1dOptions & { return_indices?: false }): Tensor;
export function max_pool1d(
  input: Tensor, kernel_size: number | number[], stride?: number | number[] | null, padding?: number | number[],
  dilation?: number | number[], ceil_mode?: boolean, return_indices?: false,
): Tensor;
export function max_pool1d(input: Tensor, kernel_size: number | number[], ...args: unknown[]): Tensor | [Tensor, Tensor] {
  const o = poolArgs("max_pool1d", MAX_NAMES, args);
  return maxPool1d(input, kernel_size, o.stride, o.padding ?? 0, o.dilation ?? 1, o.ceil_mode === true, o.return_indices === true);
}

/** F.max_pool1d_with_indices: F.max_pool1d with return_indices = true ([output, indices]). */
export function max_pool1d_with_indices(input: Tensor, kernel_size: number | number[], options: Omit<MaxPool1dOptions, "return_indices"> = {}): [Tensor, Tensor] {
  return max_pool1d(input, kernel_size, { ...options, return_indices: true });
}

/** A 2D or 3D input's rows and length, with `message` when it is neither. */
function rows(input: Tensor, message: () => string): { R: number; L: number } {
  const nd = input.dim();
  if (nd !== 2 && nd !== 3) throw new RangeError(message());
  const L = input.shape[nd - 1];
  return { R: L === 0 ? 0 : input.data.length / L, L };
}

export function maxPool1d(
  input: Tensor, kernel_size: unknown, stride: unknown, padding: unknown, dilation: unknown, ceil_mode: boolean, return_indices: boolean,
): Tensor | [Tensor, Tensor] {
  const op = "max_pool1d";
  checkFloat(input, op);
  const k = single(kernel_size, "kernel_size", op, "max");
  const s = isDefault(stride) ? k : single(stride, "stride", op, "max");
  const p = single(padding, "padding", op, "max");
  const d = single(dilation, "dilation", op, "max");
  // PyTorch's messages of max_pool1d without indices; with return_indices PyTorch goes through
  // max_pool2d and words a few of them as that op (e.g. "pad should be at most half of effective
  // kernel size"); lrlab gives the 1-d wording either way
  const nd = input.dim();
  if ((nd !== 2 && nd !== 3) || input.shape[nd - 1] === 0 || (nd === 3 && input.shape[1] === 0)) {
    throw new RangeError(`max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:[${input.shape.join(", ")}]`);
  }
  if (k <= 0) throw new RangeError(`max_pool1d() kernel_size must be greater than zero, but got ${k}`);
  if (s <= 0) throw new RangeError(`max_pool1d() stride must be greater than zero, but got ${s}`);
  if (p < 0) throw new RangeError(`max_pool1d() padding must be non-negative, but got ${p}`);
  if (d <= 0) throw new RangeError(`max_pool1d() dilation must be greater than zero, but got ${d}`);
  if (p > Math.floor(k / 2)) throw new RangeError(`max_pool1d() padding should be at most half of kernel size, but got padding=${p} and kernel_size=${k}`);
  const { R, L } = rows(input, () => "");
  const Lo = outLength(L, k, p, s, d, ceil_mode);
  if (Lo < 1) throw new RangeError(`max_pool1d() Invalid computed output size: ${Lo}`);
  const dtype = input.dtype;
  const x = input.data;
  const y = storageFor(dtype, R * Lo);
  const idx = new Int32Array(R * Lo);
  for (let r = 0; r < R; r++) {
    const xb = r * L;
    for (let o = 0; o < Lo; o++) {
      let i = o * s - p;
      const end = Math.min(i + (k - 1) * d + 1, L);
      while (i < 0) i += d;
      let best = -Infinity;
      let at = i;
      for (; i < end; i += d) {
        const v = x[xb + i];
        if (v > best || v !== v) { best = v; at = i; }
      }
      y[r * Lo + o] = best;
      idx[r * Lo + o] = at;
    }
  }
  const outShape = [...input.shape.slice(0, -1), Lo];
  const out = record(new Tensor(y, outShape, dtype), "MaxPool1DWithIndicesBackward0", [input], (g) => {
    const gd = g.data;
    const gx = storageFor(dtype, x.length);
    for (let r = 0; r < R; r++) {
      for (let o = 0; o < Lo; o++) gx[r * L + idx[r * Lo + o]] += gd[r * Lo + o];
    }
    return [fresh_grad(new Tensor(gx, input.shape, dtype))];
  }, UNSQ_SAVES);
  return return_indices ? [out, new Tensor(Float64Array.from(idx), outShape, "int64")] : out;
}

export interface AvgPool1dOptions {
  /** Step between windows. Default (null): kernel_size. */
  stride?: number | number[] | null;
  /** Implicit zeros on both ends (at most half the kernel). Default 0. */
  padding?: number | number[];
  /** Round the output length up instead of down. Default false. */
  ceil_mode?: boolean;
  /** Count the padding zeros in the divisor. Default true. */
  count_include_pad?: boolean;
}

const AVG_NAMES = ["stride", "padding", "ceil_mode", "count_include_pad"] as const;

/**
 * F.avg_pool1d(input, kernel_size, stride = kernel_size, padding = 0, ceil_mode = false,
 * count_include_pad = true): the mean of each window of input [N, C, L] or [C, L]. Options
 * positionally in Python's order or as a trailing object.
 */
export function avg_pool1d(input: Tensor, kernel_size: number | number[], options?: AvgPool1dOptions): Tensor;
export function avg_pool1d(
  input: Tensor, kernel_size: number | number[], stride?: number | number[] | null, padding?: number | number[], ceil_mode?: boolean,
  count_include_pad?: boolean,
): Tensor;
export function avg_pool1d(input: Tensor, kernel_size: number | number[], ...args: unknown[]): Tensor {
  const o = poolArgs("avg_pool1d", AVG_NAMES, args);
  return avgPool1d(input, kernel_size, o.stride, o.padding ?? 0, o.ceil_mode === true, o.count_include_pad !== false);
}

export function avgPool1d(input: Tensor, kernel_size: unknown, stride: unknown, padding: unknown, ceil_mode: boolean, count_include_pad: boolean): Tensor {
  const op = "avg_pool1d";
  checkFloat(input, op);
  const k = single(kernel_size, "kernel_size", op, "avg");
  const s = isDefault(stride) ? k : single(stride, "stride", op, "avg");
  const p = single(padding, "padding", op, "avg");
  const { R, L } = rows(input, () => `Expected 2 to 3 dimensions, but got ${input.dim()}-dimensional tensor for argument #1 'self' (while checking arguments for avg_pool1d)`);
  // PyTorch runs avg_pool2d on [.., C, 1, L]: its checks and messages
  if (s === 0) throw new RangeError("stride should not be zero");
  if (p < 0) throw new RangeError(`pad must be non-negative, but got pad: ${p}`);
  if (k <= 0) throw new RangeError(`kernel size should be greater than zero, but got kH: 1 kW: ${k}`);
  if (s < 0) throw new RangeError(`stride should be greater than zero, but got dH: 1 dW: ${s}`);
  if (p > Math.floor(k / 2)) throw new RangeError(`pad should be at most half of effective kernel size, but got pad=${p}, kernel_size=${k} and dilation=1`);
  const C = input.shape[input.dim() - 2];
  const Lo = outLength(L, k, p, s, 1, ceil_mode);
  if (Lo < 1 || L === 0) throw new RangeError(`Given input size: (${C}x1x${L}). Calculated output size: (${C}x1x${Lo}). Output size is too small`);
  const dtype = input.dtype;
  const x = input.data;
  const y = storageFor(dtype, R * Lo);
  const beg = new Int32Array(Lo), end = new Int32Array(Lo);
  const div = new Float64Array(Lo);
  for (let o = 0; o < Lo; o++) {
    const a = o * s - p;
    const b = Math.min(a + k, L + p);
    beg[o] = Math.max(a, 0);
    end[o] = Math.min(b, L);
    div[o] = count_include_pad ? b - a : end[o] - beg[o];
  }
  for (let r = 0; r < R; r++) {
    const xb = r * L;
    for (let o = 0; o < Lo; o++) {
      let sum = 0;
      for (let i = beg[o]; i < end[o]; i++) sum += x[xb + i];
      y[r * Lo + o] = sum / div[o];
    }
  }
  return record(new Tensor(y, [...input.shape.slice(0, -1), Lo], dtype), "AvgPool2DBackward0", [input], (g) => {
    const gd = g.data;
    const gx = storageFor(dtype, x.length);
    for (let r = 0; r < R; r++) {
      const xb = r * L;
      for (let o = 0; o < Lo; o++) {
        const v = gd[r * Lo + o] / div[o];
        for (let i = beg[o]; i < end[o]; i++) gx[xb + i] += v;
      }
    }
    return [fresh_grad(new Tensor(gx, input.shape, dtype))];
  }, UNSQ_SAVES);
}

/** The output size of a 1-d adaptive pooling (an int or a one-int list). */
export function adaptiveSize1d(output_size: unknown, op: string): number {
  const n = single(output_size, "output_size", op, "avg");
  return n;
}

/**
 * F.adaptive_avg_pool1d(input, output_size): input [N, C, L] or [C, L] averaged down (or up) to
 * length output_size; cell o covers ⌊o·L/out⌋ .. ⌈(o+1)·L/out⌉ − 1 (cells may overlap).
 */
export function adaptive_avg_pool1d(input: Tensor, output_size: number | number[]): Tensor {
  const op = "adaptive_avg_pool1d";
  checkFloat(input, op);
  const { R, L } = rows(input, () => `Expected 2 to 3 dimensions, but got ${input.dim()}-dimensional tensor for argument #1 'self' (while checking arguments for adaptive_avg_pool1d)`);
  const Lo = adaptiveSize1d(output_size, op);
  if (Lo < 0) throw new RangeError(`adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received {1, ${Lo}}`);
  if (L === 0 && R > 0) {
    throw new RangeError(`adaptive_avg_pool1d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes [${input.shape.join(", ")}]`);
  }
  const dtype = input.dtype;
  const x = input.data;
  const y = storageFor(dtype, R * Lo);
  const beg = new Int32Array(Lo), end = new Int32Array(Lo);
  for (let o = 0; o < Lo; o++) { beg[o] = Math.floor((o * L) / Lo); end[o] = Math.ceil(((o + 1) * L) / Lo); }
  for (let r = 0; r < R; r++) {
    const xb = r * L;
    for (let o = 0; o < Lo; o++) {
      let sum = 0;
      for (let i = beg[o]; i < end[o]; i++) sum += x[xb + i];
      y[r * Lo + o] = sum / (end[o] - beg[o]);
    }
  }
  return record(new Tensor(y, [...input.shape.slice(0, -1), Lo], dtype), "AdaptiveAvgPool2DBackward0", [input], (g) => {
    const gd = g.data;
    const gx = storageFor(dtype, x.length);
    for (let r = 0; r < R; r++) {
      const xb = r * L;
      for (let o = 0; o < Lo; o++) {
        const v = gd[r * Lo + o] / (end[o] - beg[o]);
        for (let i = beg[o]; i < end[o]; i++) gx[xb + i] += v;
      }
    }
    return [fresh_grad(new Tensor(gx, input.shape, dtype))];
  }, UNSQ_SAVES);
}
