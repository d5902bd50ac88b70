/**
 * F.group_norm and F.instance_norm (PyTorch 2.13's semantics and messages), one fused node each.
 *
 * group_norm over input [N, C, *] with G groups: the C/G channels of group g in sample n, with
 * their L = ∏* positions, form one row of M = (C/G)·L values (contiguous in memory):
 *   μ = mean(row),  σ² = mean((x − μ)²) (biased),  x̂ = (x − μ)/√(σ² + ε),  y = γ_c x̂ + β_c
 *   backward, with h = g γ_c:  dx = 1/(M√(σ²+ε)) · (M h − Σh − x̂ Σ(h x̂)),
 *   dγ_c = Σ_{n,l} g x̂,  dβ_c = Σ_{n,l} g.
 * instance_norm is group_norm with one group per channel (statistics per sample and channel over
 * L positions). With running statistics it also updates them, as PyTorch (which runs batch_norm on
 * the [1, N·C, *] view and averages the per-instance results over N):
 *   running_mean ← (1 − m)·running_mean + m·mean_n(μ_nc)
 *   running_var  ← (1 − m)·running_var  + m·mean_n(σ²_nc·L/(L − 1))
 * With use_input_stats = false it normalises with the running statistics instead:
 *   y = γ_c (x − running_mean_c)/√(running_var_c + ε) + β_c,  dx = γ_c g/√(running_var_c + ε).
 */
import { Tensor } from "../../tensor/tensor";
import { fresh_grad } from "../../tensor/autograd";
import { checkFloat, describe, record } from "../_autograd";
import { cast } from "./linear";
import { bump_version, saves } from "../../tensor/version";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const GROUP_NORM_SAVES = saves("0, 1");
const INSTANCE_NORM_SAVES = saves("0 as instance");

function checkParam(t: unknown, op: string, what: string): Tensor | null {
  if (t === null || t === undefined) return null;
  if (!(t instanceof Tensor)) throw new TypeError(`${op}(): argument '${what}' must be Tensor or null, not ${describe(t)}`);
  return t;
}

/**
 * The normalisation of every row of M values of x (rows of G consecutive groups per sample), then
 * the per-channel affine γ, β; channel of row position j in group g: g·(C/G) + ⌊j/L⌋.
 */
function groupNormCore(
  name: string, input: Tensor, N: number, C: number, L: number, G: number, weight: Tensor | null, bias: Tensor | null, eps: number,
  onStats?: (mean: Float64Array, varSum: Float64Array) => void,
): Tensor {
  const x = input.data;
  const dtype = input.dtype;
  const Cg = C / G;
  const M = Cg * L;
  const R = N * G;
  const xhat = new Float64Array(x.length);
  const invstd = new Float64Array(R);
  const means = new Float64Array(R), sq = new Float64Array(R);
  const w = weight ? weight.data : null;
  const b = bias ? bias.data : null;
  const y = new Float64Array(x.length);
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
    means[r] = mu;
    sq[r] = v;
    const is = 1 / Math.sqrt(v / M + eps);
    invstd[r] = is;
    const c0 = (r % G) * Cg;
    for (let cc = 0; cc < Cg; cc++) {
      const gamma = w ? w[c0 + cc] : 1, beta = b ? b[c0 + cc] : 0;
      const o = base + cc * L;
      for (let l = 0; l < L; l++) {
        const h = (x[o + l] - mu) * is;
        xhat[o + l] = h;
        y[o + l] = h * gamma + beta;
      }
    }
  }
  onStats?.(means, sq);
  // (instance_norm is PyTorch's batch_norm of the input viewed as [1, N·C, ...]: that view is saved)
  const saved = name === "NativeGroupNormBackward0" ? GROUP_NORM_SAVES : INSTANCE_NORM_SAVES;
  return record(new Tensor(cast(y, dtype), input.shape, dtype), name, [input, weight, bias], (g, need) => {
    const gd = g.data;
    const gx = need[0] ? new Float64Array(x.length) : null;
    const gw = need[1] ? new Float64Array(C) : null;
    const gb = need[2] ? new Float64Array(C) : null;
    for (let r = 0; r < R; r++) {
      const base = r * M;
      const c0 = (r % G) * Cg;
      let sh = 0, shx = 0;
      for (let cc = 0; cc < Cg; cc++) {
        const gamma = w ? w[c0 + cc] : 1;
        const o = base + cc * L;
        let sg = 0, sgx = 0;
        for (let l = 0; l < L; l++) {
          sg += gd[o + l];
          sgx += gd[o + l] * xhat[o + l];
        }
        sh += gamma * sg;
        shx += gamma * sgx;
        if (gw) gw[c0 + cc] += sgx;
        if (gb) gb[c0 + cc] += sg;
      }
      if (gx) {
        const k = invstd[r] / M;
        for (let cc = 0; cc < Cg; cc++) {
          const gamma = w ? w[c0 + cc] : 1;
          const o = base + cc * L;
          for (let l = 0; l < L; l++) gx[o + l] = k * (M * gamma * gd[o + l] - sh - xhat[o + l] * shx);
        }
      }
    }
    return [
      gx ? fresh_grad(new Tensor(cast(gx, dtype), input.shape, dtype)) : null,
      gw && weight ? fresh_grad(new Tensor(cast(gw, weight.dtype), weight.shape, weight.dtype)) : null,
      gb && bias ? fresh_grad(new Tensor(cast(gb, bias.dtype), bias.shape, bias.dtype)) : null,
    ];
  }, saved);
}

/** N, C and L = ∏ of the dims after C. */
function ncl(input: Tensor): [number, number, number] {
  const [N, C] = input.shape;
  let L = 1;
  for (let i = 2; i < input.dim(); i++) L *= input.shape[i];
  return [N, C, L];
}

export interface GroupNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/**
 * F.group_norm(input, num_groups, weight = null, bias = null, eps = 1e-5): normalises input
 * [N, C, *] over each group of C/num_groups channels (and all positions) per sample, then scales
 * and shifts per channel: y = γ_c (x − μ)/√(σ² + ε) + β_c. weight, bias, eps positionally or as
 * `{ weight, bias, eps }`.
 */
export function group_norm(input: Tensor, num_groups: number, options?: GroupNormOptions): Tensor;
export function group_norm(input: Tensor, num_groups: number, weight?: Tensor | null, bias?: Tensor | null, eps?: number): Tensor;
export function group_norm(input: Tensor, num_groups: number, ...args: unknown[]): Tensor {
  const op = "group_norm";
  let weight: unknown = args[0], bias: unknown = args[1], eps: unknown = args[2];
  if (args.length === 1 && typeof args[0] === "object" && args[0] !== null && !(args[0] instanceof Tensor)) {
    const o = args[0] as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!["weight", "bias", "eps"].includes(k)) throw new TypeError(`group_norm() got an unexpected keyword argument '${k}' (allowed: weight, bias, eps)`);
    ({ weight, bias, eps } = o);
  }
  checkFloat(input, op);
  const w = checkParam(weight, op, "weight"), b = checkParam(bias, op, "bias");
  const e = eps ?? 1e-5;
  if (typeof e !== "number") throw new TypeError(`group_norm(): argument 'eps' must be a number, not ${describe(e)}`);
  if (!Number.isInteger(num_groups) || num_groups <= 0) throw new RangeError(`group_norm(): num_groups must be a positive integer, got ${String(num_groups)}`);
  if (input.dim() < 2) throw new RangeError(`Expected at least 2 dimensions for input tensor but received ${input.dim()}`);
  const [N, C, L] = ncl(input);
  if (C % num_groups !== 0) {
    throw new RangeError(
      `Expected number of channels in input to be divisible by num_groups, but got input of shape [${input.shape.join(", ")}] and num_groups=${num_groups}`,
    );
  }
  for (const [t, what] of [[w, "weight"], [b, "bias"]] as const) {
    if (t && (t.dim() !== 1 || t.shape[0] !== C)) {
      throw new RangeError(
        `Expected ${what} to be a vector of size equal to the number of channels in input, but got ${what} of shape [${t.shape.join(", ")}] and input of shape [${input.shape.join(", ")}]`,
      );
    }
  }
  return groupNormCore("NativeGroupNormBackward0", input, N, C, L, num_groups, w, b, e);
}

export interface InstanceNormOptions {
  running_mean?: Tensor | null;
  running_var?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalise with each instance's statistics (true) or the running ones (false). Default true. */
  use_input_stats?: boolean;
  momentum?: number;
  eps?: number;
}

const IN_NAMES = ["running_mean", "running_var", "weight", "bias", "use_input_stats", "momentum", "eps"];

/**
 * F.instance_norm(input, running_mean = null, running_var = null, weight = null, bias = null,
 * use_input_stats = true, momentum = 0.1, eps = 1e-5): normalises input [N, C, *] per sample and
 * channel over its positions, y = γ_c (x − μ_nc)/√(σ²_nc + ε) + β_c, updating running statistics
 * when given (in place); with use_input_stats = false, normalises with the running statistics.
 * Arguments positionally in Python's order, or as one options object.
 */
export function instance_norm(input: Tensor, options?: InstanceNormOptions): Tensor;
export function instance_norm(
  input: Tensor, running_mean?: Tensor | null, running_var?: Tensor | null, weight?: Tensor | null, bias?: Tensor | null,
  use_input_stats?: boolean, momentum?: number, eps?: number,
): Tensor;
export function instance_norm(input: Tensor, ...args: unknown[]): Tensor {
  const op = "instance_norm";
  let o: Record<string, unknown> = {};
  if (args.length === 1 && typeof args[0] === "object" && args[0] !== null && !(args[0] instanceof Tensor)) {
    o = args[0] as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!IN_NAMES.includes(k)) throw new TypeError(`instance_norm() got an unexpected keyword argument '${k}' (allowed: ${IN_NAMES.join(", ")})`);
  } else {
    if (args.length > IN_NAMES.length) throw new TypeError(`instance_norm() takes at most ${IN_NAMES.length + 1} positional arguments but ${args.length + 1} were given`);
    args.forEach((v, i) => { o[IN_NAMES[i]] = v; });
  }
  checkFloat(input, op);
  const rm = checkParam(o.running_mean, op, "running_mean"), rv = checkParam(o.running_var, op, "running_var");
  const w = checkParam(o.weight, op, "weight"), b = checkParam(o.bias, op, "bias");
  const useInput = (o.use_input_stats ?? true) as boolean;
  const momentum = (o.momentum ?? 0.1) as number;
  const eps = (o.eps ?? 1e-5) as number;
  if (input.dim() < 2) throw new RangeError(`instance_norm(): expected at least 2D input (got ${input.dim()}D input)`);
  const [N, C, L] = ncl(input);
  for (const [t, what] of [[rm, "running_mean"], [rv, "running_var"], [w, "weight"], [b, "bias"]] as const) {
    if (t && t.data.length !== C) throw new RangeError(`${what} should contain ${C} elements not ${t.data.length}`);
  }
  if (!useInput) {
    if (!rm || !rv) throw new RangeError("Expected running_mean and running_var to be defined when use_input_stats is false");
    return fromRunning(input, N, C, L, rm, rv, w, b, eps);
  }
  if (L <= 1) throw new RangeError(`Expected more than 1 spatial element when training, got input size torch.Size([${input.shape.join(", ")}])`);
  const update = rm || rv ? (means: Float64Array, sq: Float64Array): void => {
    for (let c = 0; c < C; c++) {
      let mu = 0, v = 0;
      for (let n = 0; n < N; n++) { mu += means[n * C + c]; v += sq[n * C + c] / (L - 1); }
      if (rm) rm.data[c] = (1 - momentum) * rm.data[c] + (momentum * mu) / N;
      if (rv) rv.data[c] = (1 - momentum) * rv.data[c] + (momentum * v) / N;
    }
    // (PyTorch writes them with copy_: their versions move, unlike batch_norm's kernel update)
    if (rm) bump_version(rm);
    if (rv) bump_version(rv);
  } : undefined;
  return groupNormCore("NativeBatchNormBackward0", input, N, C, L, C, w, b, eps, update);
}

/** instance_norm with the running statistics: an affine map per channel. */
function fromRunning(input: Tensor, N: number, C: number, L: number, rm: Tensor, rv: Tensor, weight: Tensor | null, bias: Tensor | null, eps: number): Tensor {
  const x = input.data;
  const dtype = input.dtype;
  const w = weight ? weight.data : null, b = bias ? bias.data : null;
  // copies: the statistics may change in place before backward runs
  const mean = Float64Array.from(rm.data);
  const scale = new Float64Array(C), invstd = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    invstd[c] = 1 / Math.sqrt(rv.data[c] + eps);
    scale[c] = (w ? w[c] : 1) * invstd[c];
  }
  const y = new Float64Array(x.length);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
    const o = (n * C + c) * L;
    for (let l = 0; l < L; l++) y[o + l] = (x[o + l] - mean[c]) * invstd[c] * (w ? w[c] : 1) + (b ? b[c] : 0);
  }
  return record(new Tensor(cast(y, dtype), input.shape, dtype), "NativeBatchNormBackward0", [input, weight, bias], (g, need) => {
    const gd = g.data;
    const gx = need[0] ? new Float64Array(x.length) : null;
    const gw = need[1] ? new Float64Array(C) : null;
    const gb = need[2] ? new Float64Array(C) : null;
    for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
      const o = (n * C + c) * L;
      for (let l = 0; l < L; l++) {
        const gi = gd[o + l];
        if (gx) gx[o + l] = gi * scale[c];
        if (gw) gw[c] += gi * (x[o + l] - mean[c]) * invstd[c];
        if (gb) gb[c] += gi;
      }
    }
    return [
      gx ? fresh_grad(new Tensor(cast(gx, dtype), input.shape, dtype)) : null,
      gw && weight ? fresh_grad(new Tensor(cast(gw, weight.dtype), weight.shape, weight.dtype)) : null,
      gb && bias ? fresh_grad(new Tensor(cast(gb, bias.dtype), bias.shape, bias.dtype)) : null,
    ];
  });
}
