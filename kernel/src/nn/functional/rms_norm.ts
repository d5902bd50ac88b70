/**
 * F.rms_norm(input, normalized_shape, weight = null, eps = null): root-mean-square normalisation
 * over the last k = len(normalized_shape) dims (M values per row), one fused node:
 *   r = 1/√(mean(x²) + ε),  y = x · r · γ          (ε null: torch.finfo(input.dtype).eps, as PyTorch)
 * Backward, with h = g·γ per row:  dx = r·h − r³·x·Σ(h x)/M,  dγ = Σ_rows g·x·r.
 * No mean is subtracted and there is no bias (Zhang & Sennrich, 2019).
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import { checkFloat, record } from "../_autograd";
import { needs_grad } from "../../tensor/autograd";
import { cast } from "./linear";
import { normalizedShape } from "./normalization";
import { saves } from "../../tensor/version";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const RMS_NORM_SAVES = saves("0 if 0, 1 if 0");

export interface RmsNormOptions {
  /** Elementwise scale γ of shape normalized_shape (null: none). */
  weight?: Tensor | null;
  /** Added to mean(x²); null (default) is torch.finfo(input.dtype).eps. */
  eps?: number | null;
}

/** torch.finfo(dtype).eps for the float dtypes. */
export function finfoEps(dtype: string): number {
  return dtype === "float32" ? 1.1920928955078125e-7 : 2.220446049250313e-16;
}

/**
 * F.rms_norm(input, normalized_shape, weight = null, eps = null): y = x / √(mean(x²) + ε) · γ over the
 * last len(normalized_shape) dims; the optional arguments positionally or as `{ weight, eps }`.
 * input [*, *normalized_shape] → the same shape.
 */
export function rms_norm(input: Tensor, normalized_shape: number | readonly number[], options?: RmsNormOptions): Tensor;
export function rms_norm(input: Tensor, normalized_shape: number | readonly number[], weight?: Tensor | null, eps?: number | null): Tensor;
export function rms_norm(input: Tensor, normalized_shape: number | readonly number[], ...args: unknown[]): Tensor {
  let weight: Tensor | null = null;
  let eps: number | null = null;
  const a0 = args[0];
  if (args.length === 1 && typeof a0 === "object" && a0 !== null && !(a0 instanceof Tensor)) {
    const o = a0 as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (k !== "weight" && k !== "eps") throw new TypeError(`rms_norm() got an unexpected keyword argument '${k}' (allowed: weight, eps)`);
    }
    weight = (o.weight as Tensor | null | undefined) ?? null;
    eps = (o.eps as number | null | undefined) ?? null;
  } else {
    if (args.length > 2) throw new TypeError(`rms_norm() takes from 2 to 4 positional arguments but ${2 + args.length} were given`);
    weight = (args[0] as Tensor | null | undefined) ?? null;
    eps = (args[1] as number | null | undefined) ?? null;
  }
  return rmsNorm(input, normalized_shape, weight, eps);
}

function rmsNorm(input: Tensor, normalized_shape: number | readonly number[], weight: Tensor | null, epsArg: number | null): Tensor {
  checkFloat(input, "rms_norm");
  if (weight !== null) checkFloat(weight, "rms_norm", "weight");
  if (epsArg !== null && typeof epsArg !== "number") throw new TypeError(`rms_norm(): argument 'eps' must be a number or null, not ${typeof epsArg}`);
  const ns = normalizedShape(input, normalized_shape);
  const k = ns.length;
  if (weight !== null && (weight.dim() !== k || weight.shape.some((d, i) => d !== ns[i]))) {
    throw new RangeError(`Expected weight to be of same shape as normalized_shape, but got weight of shape [${weight.shape.join(", ")}] and normalized_shape = [${ns.join(", ")}]`);
  }
  const dtype = input.dtype;
  const eps = epsArg ?? finfoEps(dtype);
  const M = ns.reduce((a, b) => a * b, 1);
  const x = input.data;
  const R = M === 0 ? 0 : x.length / M;
  const rs = new Float64Array(R);
  const w = weight ? weight.data : null;
  const y = storageFor(dtype, x.length);
  for (let r = 0; r < R; r++) {
    const base = r * M;
    let s = 0;
    for (let j = 0; j < M; j++) s += x[base + j] * x[base + j];
    const rr = 1 / Math.sqrt(s / M + eps);
    rs[r] = rr;
    if (w) for (let j = 0; j < M; j++) y[base + j] = x[base + j] * rr * w[j];
    else for (let j = 0; j < M; j++) y[base + j] = x[base + j] * rr;
  }
  const out = new Tensor(y, input.shape, dtype);
  // Only the weight's gradient wanted: PyTorch then saves nothing of the input (the normalized
  // values it keeps are its own), so a later in-place change of the input must not reach the
  // gradient: backward reads a copy
  const xs = weight !== null && !input.requires_grad && needs_grad(weight) ? x.slice() : x;
  return record(out, "RmsNormBackward0", [input, weight], (g, need) => {
    const gd = g.data;
    const gx = need[0] ? new Float64Array(x.length) : null;
    const gw = need[1] && w ? new Float64Array(M) : null;
    for (let r = 0; r < R; r++) {
      const base = r * M;
      const rr = rs[r];
      if (gw) for (let j = 0; j < M; j++) gw[j] += gd[base + j] * xs[base + j] * rr;
      if (gx) {
        let shx = 0;
        for (let j = 0; j < M; j++) shx += gd[base + j] * (w ? w[j] : 1) * x[base + j];
        const c = (rr * rr * rr * shx) / M;
        for (let j = 0; j < M; j++) gx[base + j] = rr * gd[base + j] * (w ? w[j] : 1) - c * x[base + j];
      }
    }
    return [
      gx ? new Tensor(cast(gx, dtype), input.shape, dtype) : null,
      gw && weight ? new Tensor(cast(gw, weight.dtype), weight.shape, weight.dtype) : null,
    ];
  }, RMS_NORM_SAVES);
}
