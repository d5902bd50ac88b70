/**
 * F.local_response_norm (PyTorch 2.13's semantics and messages), one fused node: each channel of
 * input [N, C, *] divided by a power of the mean square over a window of neighbouring channels.
 *   s_c = Σ x_{c'}² over c' = c − ⌊size/2⌋ .. c + ⌊(size−1)/2⌋ (clipped to the channels),
 *   d_c = k + (α/size)·s_c,   y_c = x_c · d_c^(−β)
 *   dL/dx_j = g_j d_j^(−β) − (2αβ/size)·x_j · Σ_{c whose window holds j} g_c x_c d_c^(−β−1)
 * (PyTorch computes s/size with an average pool over the zero-padded squares, the same thing.)
 */
import { Tensor } from "../../tensor/tensor";
import { fresh_grad } from "../../tensor/autograd";
import { checkFloat, record } from "../_autograd";
import { cast } from "./linear";
import { saves } from "../../tensor/version";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const SAVES_SELF = saves("0");

export interface LocalResponseNormOptions {
  alpha?: number;
  beta?: number;
  k?: number;
}

/**
 * F.local_response_norm(input, size, alpha = 1e-4, beta = 0.75, k = 1.0): input [N, C, *] with
 * each x_c divided by (k + α/size · Σ of x² over `size` neighbouring channels)^β. alpha, beta, k
 * positionally or as `{ alpha, beta, k }`.
 */
export function local_response_norm(input: Tensor, size: number, options?: LocalResponseNormOptions): Tensor;
export function local_response_norm(input: Tensor, size: number, alpha?: number, beta?: number, k?: number): Tensor;
export function local_response_norm(input: Tensor, size: number, ...args: unknown[]): Tensor {
  let o: LocalResponseNormOptions;
  if (args.length === 1 && typeof args[0] === "object" && args[0] !== null) {
    o = args[0] as LocalResponseNormOptions;
    for (const key of Object.keys(o)) {
      if (!["alpha", "beta", "k"].includes(key)) throw new TypeError(`local_response_norm() got an unexpected keyword argument '${key}' (allowed: alpha, beta, k)`);
    }
  } else {
    o = { alpha: args[0] as number | undefined, beta: args[1] as number | undefined, k: args[2] as number | undefined };
  }
  const alpha = o.alpha ?? 1e-4, beta = o.beta ?? 0.75, k = o.k ?? 1.0;
  checkFloat(input, "local_response_norm");
  if (!Number.isInteger(size) || size <= 0) throw new RangeError(`local_response_norm(): size must be a positive integer, got ${String(size)}`);
  const nd = input.dim();
  // PyTorch's message has a run of spaces from a continued string literal; kept as it is
  if (nd < 3) throw new RangeError(`Expected 3D or higher dimensionality                          input (got ${nd} dimensions)`);
  if (input.numel() === 0) return input;
  const [N, C] = input.shape;
  const L = input.numel() / (N * C);
  const x = input.data;
  const dtype = input.dtype;
  const lo = Math.floor(size / 2), hi = Math.floor((size - 1) / 2);
  const a = alpha / size;
  // p = d^(−β) per element (one pow each; backward gets d^(−β−1) as p/d); loops run along the
  // contiguous positions l of each channel
  const d = new Float64Array(x.length);
  const p = new Float64Array(x.length);
  const y = new Float64Array(x.length);
  const s = new Float64Array(L);
  for (let n = 0; n < N; n++) {
    const base = n * C * L;
    for (let c = 0; c < C; c++) {
      s.fill(0);
      const c0 = Math.max(c - lo, 0), c1 = Math.min(c + hi, C - 1);
      for (let cc = c0; cc <= c1; cc++) {
        const ob = base + cc * L;
        for (let l = 0; l < L; l++) s[l] += x[ob + l] * x[ob + l];
      }
      const o = base + c * L;
      for (let l = 0; l < L; l++) {
        const dv = k + a * s[l];
        const pv = Math.pow(dv, -beta);
        d[o + l] = dv;
        p[o + l] = pv;
        y[o + l] = x[o + l] * pv;
      }
    }
  }
  return record(new Tensor(cast(y, dtype), input.shape, dtype), "DivBackward0", [input], (g) => {
    const gd = g.data;
    // t_c = g_c x_c d_c^(−β−1), then each j sums t over the channels whose window holds it
    const t = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) t[i] = (gd[i] * x[i] * p[i]) / d[i];
    const gx = new Float64Array(x.length);
    const f = 2 * a * beta;
    for (let n = 0; n < N; n++) {
      const base = n * C * L;
      for (let j = 0; j < C; j++) {
        s.fill(0);
        const c0 = Math.max(j - hi, 0), c1 = Math.min(j + lo, C - 1);
        for (let cc = c0; cc <= c1; cc++) {
          const ob = base + cc * L;
          for (let l = 0; l < L; l++) s[l] += t[ob + l];
        }
        const o = base + j * L;
        for (let l = 0; l < L; l++) gx[o + l] = gd[o + l] * p[o + l] - f * x[o + l] * s[l];
      }
    }
    return [fresh_grad(new Tensor(cast(gx, dtype), input.shape, dtype))];
  }, SAVES_SELF);
}
