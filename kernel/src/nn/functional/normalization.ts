/**
 * Batch and layer normalisation, each one fused node.
 *
 * batch_norm over channel c (dim 1) of x with M = N·L values per channel:
 *   training:  μ = mean(x),  σ² = mean((x - μ)²) (biased),  x̂ = (x - μ)/√(σ² + ε),  y = γ x̂ + β
 *              running_mean ← (1 - m)·running_mean + m·μ
 *              running_var  ← (1 - m)·running_var  + m·σ²·M/(M - 1)   (unbiased, as PyTorch)
 *   eval:      x̂ = (x - running_mean)/√(running_var + ε)
 *   backward (training): dx = γ/(M√(σ²+ε)) · (M g - Σg - x̂ Σ(g x̂)),  dγ = Σ g x̂,  dβ = Σ g
 *   backward (eval):     dx = γ g/√(running_var + ε)
 *
 * layer_norm over the last k dims (M values per row), same x̂ with per-row μ, σ²:
 *   y = γ x̂ + β;  with h = g γ:  dx = 1/(M√(σ²+ε)) · (M h - Σh - x̂ Σ(h x̂)),
 *   dγ = Σ_rows g x̂,  dβ = Σ_rows g
 *
 * Both take PyTorch's arguments positionally (`batch_norm(x, rm, rv, null, null, true)`, null for
 * None) or after the required ones as one options object; a null running statistic, weight or
 * bias is PyTorch's None (no running update, no scale, no shift).
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import { checkFloat, record } from "../_autograd";
import { cast } from "./linear";
import { saves } from "../../tensor/version";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const BATCH_NORM_SAVES = saves("0, 1, x0, x1");
const LAYER_NORM_SAVES = saves("0, 1, 2");

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}

function checkVec(t: Tensor | null | undefined, C: number, what: string): void {
  if (t === null || t === undefined) return;
  if (!(t instanceof Tensor)) throw new TypeError(`batch_norm(): ${what} must be a Tensor or null`);
  if (t.data.length !== C) throw new RangeError(`${what} should contain ${C} elements not ${t.data.length}`);
}

const BN_NAMES = ["weight", "bias", "training", "momentum", "eps"];
const LN_NAMES = ["weight", "bias", "eps"];

/**
 * The optional arguments of `op` after its required ones: one options object, or positional in
 * Python's order (`names`), where null is None. Keys and counts are checked as Python would.
 */
function optionalArgs(op: string, args: unknown[], names: readonly string[], required: number): Record<string, unknown> {
  const a0 = args[0];
  if (args.length === 1 && typeof a0 === "object" && a0 !== null && !(a0 instanceof Tensor)) {
    const o = a0 as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!names.includes(k)) throw new TypeError(`${op}() got an unexpected keyword argument '${k}' (allowed: ${names.join(", ")})`);
    }
    return o;
  }
  if (args.length > names.length) {
    throw new TypeError(`${op}() takes from ${required} to ${required + names.length} positional arguments but ${required + args.length} were given`);
  }
  const o: Record<string, unknown> = {};
  args.forEach((v, i) => {
    if (v !== undefined) o[names[i]] = v;
  });
  return o;
}

/**
 * F.batch_norm(input, running_mean, running_var, weight = null, bias = null, training = false,
 * momentum = 0.1, eps = 1e-5): the optional arguments positionally or as
 * `{ weight, bias, training, momentum, eps }`. See the file comment for the formulas.
 */
export function batch_norm(input: Tensor, running_mean: Tensor | null, running_var: Tensor | null, options?: BatchNormOptions): Tensor;
export function batch_norm(
  input: Tensor, running_mean: Tensor | null, running_var: Tensor | null, weight?: Tensor | null, bias?: Tensor | null,
  training?: boolean, momentum?: number, eps?: number,
): Tensor;
export function batch_norm(input: Tensor, running_mean: Tensor | null, running_var: Tensor | null, ...args: unknown[]): Tensor {
  const o = optionalArgs("batch_norm", args, BN_NAMES, 3) as BatchNormOptions;
  return batchNorm(input, running_mean ?? null, running_var ?? null, o);
}

function batchNorm(
  input: Tensor,
  running_mean: Tensor | null,
  running_var: Tensor | null,
  { weight = null, bias = null, training = false, momentum = 0.1, eps = 1e-5 }: BatchNormOptions,
): Tensor {
  checkFloat(input, "batch_norm");
  if (input.dim() < 2) {
    throw new RangeError(`batch_norm(): expected 2D or 3D input (got ${input.dim()}D input)`);
  }
  const [N, C] = input.shape;
  let L = 1;
  for (let i = 2; i < input.dim(); i++) L *= input.shape[i];
  checkVec(running_mean, C, "running_mean");
  checkVec(running_var, C, "running_var");
  checkVec(weight, C, "weight");
  checkVec(bias, C, "bias");
  const M = N * L;
  if (training && M <= 1) {
    throw new RangeError(
      `Expected more than 1 value per channel when training, got input size torch.Size([${input.shape.join(", ")}])`,
    );
  }
  if (!training && (running_mean === null || running_var === null)) {
    throw new Error("batch_norm(): running_mean and running_var must be given when training is false");
  }
  const x = input.data;
  const dtype = input.dtype;
  const mean = new Float64Array(C);
  const invstd = new Float64Array(C);
  if (training) {
    for (let c = 0; c < C; c++) {
      const [mu, v] = channelMoments(x, N, C, L, c);
      mean[c] = mu;
      invstd[c] = 1 / Math.sqrt(v / M + eps);
      if (running_mean) running_mean.data[c] = (1 - momentum) * running_mean.data[c] + momentum * mu;
      if (running_var) running_var.data[c] = (1 - momentum) * running_var.data[c] + momentum * (v / (M - 1));
    }
  } else {
    for (let c = 0; c < C; c++) {
      mean[c] = running_mean!.data[c];
      invstd[c] = 1 / Math.sqrt(running_var!.data[c] + eps);
    }
  }
  const w = weight ? weight.data : null;
  const b = bias ? bias.data : null;
  const y = storageFor(dtype, x.length);
  normalizeRows(x, y, N, C, L, mean, invstd, w, b);
  const out = new Tensor(y, input.shape, dtype);
  // x̂ is not kept: backward recomputes it from x, mean and invstd with the same float64 operations
  // (bit for bit the forward's values), as PyTorch saves the input and not x̂. Keeping x̂ cost a
  // float64 copy of the input per layer (8 MB for [64, 16, 32, 32]), written and read again.
  return record(out, "NativeBatchNormBackward0", [input, weight, bias], (g, need) => {
    const gd = g.data;
    const sumG = new Float64Array(C);
    const sumGX = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      const [sg, sgx] = channelGradSums(gd, x, N, C, L, c, mean[c], invstd[c]);
      sumG[c] = sg;
      sumGX[c] = sgx;
    }
    let gx: Tensor | null = null;
    if (need[0]) {
      const acc = storageFor(dtype, x.length);
      inputGrad(gd, x, acc, N, C, L, mean, invstd, w, sumG, sumGX, training);
      gx = new Tensor(acc, input.shape, dtype);
    }
    const gw = need[1] && weight ? new Tensor(cast(sumGX, dtype), weight.shape, weight.dtype) : null;
    const gb = need[2] && bias ? new Tensor(cast(sumG.slice(), dtype), bias.shape, bias.dtype) : null;
    return [gx, gw, gb];
  }, BATCH_NORM_SAVES, [running_mean, running_var]);
}

// The loops of batch_norm, one (n, c) row of L contiguous values at a time with the per-channel
// values in locals. Why separate functions: written inline with an index helper and the options
// in closure variables the same loops ran at 12-25 ns per element (the BatchNorm2d layer of a
// small CNN took 10× PyTorch's time); these run at ~1 ns. The channel sums (Σx, Σ(x - μ)², Σg,
// Σ g·x̂) are float64 sums in four interleaved partial sums (entries l = 4i, 4i+1, 4i+2, 4i+3 of
// each (n, c) row, a row's last L mod 4 into the first; then (s0 + s1) + (s2 + s3)): one running
// sum is bound by the latency of an add (~1.3 ns per element); four run ~3× faster. In float64
// the order moves the sums by ~1e-16 relative, far below the float32 rounding of the results:
// against PyTorch 2.13 on [64, 16, 32, 32] the errors are those of the single running sum (one
// output of 1,048,576 moved by one float32 ulp), and test/nn's PyTorch fixtures pass as before.

type Data = Float32Array | Float64Array;

/** Channel c's mean and Σ(x - μ)² over its N·L values, in float64 (two passes). */
function channelMoments(x: Data, N: number, C: number, L: number, c: number): [number, number] {
  const L4 = L & ~3;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let n = 0; n < N; n++) {
    const base = (n * C + c) * L;
    let l = 0;
    for (; l < L4; l += 4) {
      s0 += x[base + l]; s1 += x[base + l + 1]; s2 += x[base + l + 2]; s3 += x[base + l + 3];
    }
    for (; l < L; l++) s0 += x[base + l];
  }
  const mu = ((s0 + s1) + (s2 + s3)) / (N * L);
  let v0 = 0, v1 = 0, v2 = 0, v3 = 0;
  for (let n = 0; n < N; n++) {
    const base = (n * C + c) * L;
    let l = 0;
    for (; l < L4; l += 4) {
      const d0 = x[base + l] - mu, d1 = x[base + l + 1] - mu, d2 = x[base + l + 2] - mu, d3 = x[base + l + 3] - mu;
      v0 += d0 * d0; v1 += d1 * d1; v2 += d2 * d2; v3 += d3 * d3;
    }
    for (; l < L; l++) {
      const d = x[base + l] - mu;
      v0 += d * d;
    }
  }
  return [mu, (v0 + v1) + (v2 + v3)];
}

/** y = x̂·γ + β with x̂ = (x - mean[c])·invstd[c] (γ = 1, β = 0 when absent). */
function normalizeRows(
  x: Data, y: Data, N: number, C: number, L: number, mean: Float64Array, invstd: Float64Array,
  w: Data | null, b: Data | null,
): void {
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const base = (n * C + c) * L;
      const mu = mean[c], is = invstd[c];
      const gamma = w ? w[c] : 1;
      const beta = b ? b[c] : 0;
      for (let l = 0; l < L; l++) y[base + l] = (x[base + l] - mu) * is * gamma + beta;
    }
  }
}

/** Channel c's Σg and Σ g·x̂ (x̂ recomputed as the forward computed it), in float64, four partial sums each. */
function channelGradSums(gd: Data, x: Data, N: number, C: number, L: number, c: number, mu: number, is: number): [number, number] {
  const L4 = L & ~3;
  let g0 = 0, g1 = 0, g2 = 0, g3 = 0, h0 = 0, h1 = 0, h2 = 0, h3 = 0;
  for (let n = 0; n < N; n++) {
    const base = (n * C + c) * L;
    let l = 0;
    for (; l < L4; l += 4) {
      const a0 = gd[base + l], a1 = gd[base + l + 1], a2 = gd[base + l + 2], a3 = gd[base + l + 3];
      g0 += a0; g1 += a1; g2 += a2; g3 += a3;
      h0 += a0 * ((x[base + l] - mu) * is);
      h1 += a1 * ((x[base + l + 1] - mu) * is);
      h2 += a2 * ((x[base + l + 2] - mu) * is);
      h3 += a3 * ((x[base + l + 3] - mu) * is);
    }
    for (; l < L; l++) {
      const a = gd[base + l];
      g0 += a;
      h0 += a * ((x[base + l] - mu) * is);
    }
  }
  return [(g0 + g1) + (g2 + g3), (h0 + h1) + (h2 + h3)];
}

/** dL/dx (file comment), each value computed in float64 and stored in dx's dtype. */
function inputGrad(
  gd: Data, x: Data, dx: Data, N: number, C: number, L: number, mean: Float64Array, invstd: Float64Array,
  w: Data | null, sumG: Float64Array, sumGX: Float64Array, training: boolean,
): void {
  const M = N * L;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const base = (n * C + c) * L;
      const k = (w ? w[c] : 1) * invstd[c];
      if (training) {
        const km = k / M, sg = sumG[c], sgx = sumGX[c], mu = mean[c], is = invstd[c];
        for (let l = 0; l < L; l++) dx[base + l] = km * (M * gd[base + l] - sg - ((x[base + l] - mu) * is) * sgx);
      } else {
        for (let l = 0; l < L; l++) dx[base + l] = k * gd[base + l];
      }
    }
  }
}

export interface LayerNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/**
 * `normalized_shape` as a list, checked against the input's last dims with PyTorch's message
 * (layer_norm; rms_norm.ts too).
 */
export function normalizedShape(input: Tensor, normalized_shape: number | readonly number[]): number[] {
  const ns = typeof normalized_shape === "number" ? [normalized_shape] : [...normalized_shape];
  const k = ns.length;
  const tail = input.shape.slice(input.dim() - k);
  if (k === 0 || input.dim() < k || tail.some((d, i) => d !== ns[i])) {
    throw new RangeError(
      `Given normalized_shape=[${ns.join(", ")}], expected input with shape [*, ${ns.join(", ")}], but got input of size[${input.shape.join(", ")}]`,
    );
  }
  return ns;
}

/**
 * F.layer_norm(input, normalized_shape, weight = null, bias = null, eps = 1e-5): the optional
 * arguments positionally or as `{ weight, bias, eps }`.
 */
export function layer_norm(input: Tensor, normalized_shape: number | readonly number[], options?: LayerNormOptions): Tensor;
export function layer_norm(input: Tensor, normalized_shape: number | readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps?: number): Tensor;
export function layer_norm(input: Tensor, normalized_shape: number | readonly number[], ...args: unknown[]): Tensor {
  return layerNorm(input, normalized_shape, optionalArgs("layer_norm", args, LN_NAMES, 2) as LayerNormOptions);
}

function layerNorm(
  input: Tensor,
  normalized_shape: number | readonly number[],
  { weight = null, bias = null, eps = 1e-5 }: LayerNormOptions,
): Tensor {
  checkFloat(input, "layer_norm");
  const ns = normalizedShape(input, normalized_shape);
  const k = ns.length;
  const M = ns.reduce((a, b) => a * b, 1);
  for (const [t, what] of [[weight, "weight"], [bias, "bias"]] as const) {
    if (t && (t.dim() !== k || t.shape.some((d, i) => d !== ns[i]))) {
      throw new RangeError(`Expected ${what} to be of same shape as normalized_shape, but got ${what} of shape [${t.shape.join(", ")}] and normalized_shape = [${ns.join(", ")}]`);
    }
  }
  const x = input.data;
  const dtype = input.dtype;
  const R = M === 0 ? 0 : x.length / M;
  const xhat = new Float64Array(x.length);
  const invstd = new Float64Array(R);
  const w = weight ? weight.data : null;
  const b = bias ? bias.data : null;
  const y = storageFor(dtype, x.length);
  for (let r = 0; r < R; r++) {
    const base = r * M;
    let s = 0;
    for (let j = 0; j < M; j++) s += x[base + j];
    const mu = s / M;
    let v = 0;
    for (let j = 0; j < M; j++) {
      const d = x[base + j] - mu;
      v += d * d;
    }
    const is = 1 / Math.sqrt(v / M + eps);
    invstd[r] = is;
    for (let j = 0; j < M; j++) {
      const h = (x[base + j] - mu) * is;
      xhat[base + j] = h;
      y[base + j] = w ? h * w[j] + (b ? b[j] : 0) : h + (b ? b[j] : 0);
    }
  }
  const out = new Tensor(y, input.shape, dtype);
  return record(out, "NativeLayerNormBackward0", [input, weight, bias], (g, need) => {
    const gd = g.data;
    const gx = need[0] ? new Float64Array(x.length) : null;
    const gw = need[1] ? new Float64Array(M) : null;
    const gb = need[2] ? new Float64Array(M) : null;
    for (let r = 0; r < R; r++) {
      const base = r * M;
      let sh = 0;
      let shx = 0;
      for (let j = 0; j < M; j++) {
        const h = gd[base + j] * (w ? w[j] : 1);
        sh += h;
        shx += h * xhat[base + j];
        if (gw) gw[j] += gd[base + j] * xhat[base + j];
        if (gb) gb[j] += gd[base + j];
      }
      if (gx) {
        const kk = invstd[r] / M;
        for (let j = 0; j < M; j++) {
          const h = gd[base + j] * (w ? w[j] : 1);
          gx[base + j] = kk * (M * h - sh - xhat[base + j] * shx);
        }
      }
    }
    return [
      gx ? new Tensor(cast(gx, dtype), input.shape, dtype) : null,
      gw && weight ? new Tensor(cast(gw, dtype), weight.shape, weight.dtype) : null,
      gb && bias ? new Tensor(cast(gb, dtype), bias.shape, bias.dtype) : null,
    ];
  }, LAYER_NORM_SAVES);
}
