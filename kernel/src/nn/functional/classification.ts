/**
 * nll_loss and cross_entropy over class dimension 1 of an input shaped [C], [N, C] or
 * [N, C, d1, ...] (views as (N, C, K), K = d1·d2···). With class-index targets t (int64) and
 * class weights w (1 when absent), per position (n, k):
 *   nll_loss:       ℓ = -w_t · x_t                     (x holds log-probabilities)
 *   cross_entropy:  p = log_softmax(x) over C;  ℓ = (1 - ε)(-w_t p_t) + (ε/C) Σ_c (-w_c p_c)
 * Positions with t = ignore_index contribute 0. "mean" divides by D = Σ w_t over the positions
 * not ignored (for both terms, as PyTorch does), so a weighted mean is a weighted average.
 *   ∂ℓ/∂x_c (cross_entropy) = (1 - ε) w_t (softmax_c - [c = t]) + (ε/C)(W softmax_c - w_c),  W = Σ w_c
 * With class-probability targets y (float, shaped like the input), y' = (1 - ε) y + ε/C:
 *   ℓ = -Σ_c w_c y'_c p_c;  "mean" divides by N·K;  ∂ℓ/∂x_c = softmax_c Σ_j w_j y'_j - w_c y'_c
 */
import { lossKeywords } from "../positional";
import type { LegacyReduction } from "./loss";
import { Tensor } from "../../tensor/tensor";
import { checkFloat, checkReduction, describe, record, sameShape } from "../_autograd";
import type { Reduction } from "../_autograd";
import { reduceLoss, upstream } from "./_reduce";
import { cast, torchName } from "./linear";
import { logSoftmaxRaw } from "./activation";
import { saves } from "../../tensor/version";
import { RuntimeTypeError } from "../../errors";
import { wasm_of } from "../../tensor/transcendental_ops";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const NLL_SAVES = saves("0, x0, x1");
const TARGET_SAVES = saves("x0");
const PROBS_SAVES = saves("1 if 0");

export interface NLLOptions extends LegacyReduction {
  weight?: Tensor | null;
  ignore_index?: number;
  reduction?: Reduction;
}

export interface CrossEntropyOptions extends NLLOptions {
  label_smoothing?: number;
}

interface Layout {
  N: number;
  C: number;
  K: number;
  outShape: number[];
}

function layoutOf(input: Tensor, op: string): Layout {
  const d = input.dim();
  if (d === 0) throw new RangeError(`${op}(): input tensor should be 1D or more (got 0D)`);
  if (d === 1) return { N: 1, C: input.shape[0], K: 1, outShape: [] };
  let K = 1;
  for (let i = 2; i < d; i++) K *= input.shape[i];
  return { N: input.shape[0], C: input.shape[1], K, outShape: [input.shape[0], ...input.shape.slice(2)] };
}

function checkWeight(weight: Tensor | null | undefined, C: number): ArrayLike<number> | null {
  if (weight === null || weight === undefined) return null;
  if (!(weight instanceof Tensor)) throw new TypeError(`weight must be a Tensor or null, got ${describe(weight)}`);
  if (weight.dim() !== 1 || weight.shape[0] !== C) {
    throw new RangeError(
      `weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: [${weight.shape.join(", ")}]`,
    );
  }
  return weight.data;
}

/** Validates class-index targets against the input's layout; returns them as numbers. */
function checkIndexTarget(input: Tensor, target: Tensor, L: Layout): ArrayLike<number> {
  if (target.dtype !== "int64" && target.dtype !== "uint8") {
    throw RuntimeTypeError(
      `expected target dtype to be Long or Byte, but got ${torchName(target.dtype)} (class-index targets are int64 or uint8; probability targets must have the input's shape [${input.shape.join(", ")}])`,
    );
  }
  if (input.dim() === 1) {
    if (target.dim() !== 0) throw new RangeError(`1D target tensor expects 0D target for 1D input, got target of shape [${target.shape.join(", ")}]`);
  } else if (input.dim() === 2) {
    if (target.dim() !== 1) throw new RangeError(`1D target tensor expected, multi-target not supported (got target of shape [${target.shape.join(", ")}])`);
    if (target.shape[0] !== L.N) throw new RangeError(`Expected input batch_size (${L.N}) to match target batch_size (${target.shape[0]}).`);
  } else if (!sameShape(target.shape, L.outShape)) {
    throw new RangeError(`Expected target size [${L.outShape.join(", ")}], got [${target.shape.join(", ")}]`);
  }
  return target.data;
}

function checkClass(t: number, C: number, ignore_index: number): void {
  if (t !== ignore_index && !(t >= 0 && t < C)) throw new RangeError(`Target ${t} is out of bounds.`);
}

export function nll_loss(
  input: Tensor,
  target: Tensor,
  options: NLLOptions = {},
): Tensor {
  lossKeywords("nll_loss", options, ["weight", "ignore_index", "reduction"]);
  const { weight = null, ignore_index = -100, reduction = "mean" } = options;
  checkFloat(input, "nll_loss", "input");
  const red = checkReduction(reduction);
  const L = layoutOf(input, "nll_loss");
  const { N, C, K } = L;
  const t = checkIndexTarget(input, target, L);
  const w = checkWeight(weight, C);
  const x = input.data;
  const loss = new Float64Array(N * K);
  const wt = new Float64Array(N * K);
  let D = 0;
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) {
    const i = n * K + k;
    const c = t[i];
    checkClass(c, C, ignore_index);
    if (c === ignore_index) continue;
    wt[i] = w ? w[c] : 1;
    D += wt[i];
    loss[i] = -wt[i] * x[(n * C + c) * K + k];
  }
  const out = reduceLoss(loss, L.outShape, input.dtype, red, D, D); // marked with D: what PyTorch's mean divides by
  return record(out, "NllLossBackward0", [input], (g) => {
    const up = upstream(g, red, N * K, D);
    const gx = new Float64Array(x.length);
    for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) {
      const i = n * K + k;
      if (t[i] === ignore_index) continue;
      gx[(n * C + t[i]) * K + k] = -wt[i] * up[i];
    }
    return [new Tensor(cast(gx, input.dtype), input.shape, input.dtype)];
  }, NLL_SAVES, [target, weight]);
}

export function cross_entropy(
  input: Tensor,
  target: Tensor,
  options: CrossEntropyOptions = {},
): Tensor {
  lossKeywords("cross_entropy", options, ["weight", "ignore_index", "reduction", "label_smoothing"]);
  const { weight = null, ignore_index = -100, reduction = "mean", label_smoothing = 0 } = options;
  checkFloat(input, "cross_entropy", "input");
  if (!(target instanceof Tensor)) throw new TypeError(`cross_entropy(): argument 'target' must be Tensor, not ${describe(target)}`);
  const red = checkReduction(reduction);
  if (!(label_smoothing >= 0 && label_smoothing <= 1)) {
    throw new RangeError(`label_smoothing must be between 0.0 and 1.0. Got: ${label_smoothing}`);
  }
  const L = layoutOf(input, "cross_entropy");
  const { N, C, K } = L;
  const w = checkWeight(weight, C);
  const eps = label_smoothing;
  const logp = logSoftmaxRaw(input, input.dim() === 1 ? 0 : 1);
  const idx = (n: number, c: number, k: number): number => (n * C + c) * K + k;
  let W = 0;
  for (let c = 0; c < C; c++) W += w ? w[c] : 1;

  if (target.dtype !== "int64" && target.dtype !== "uint8" && sameShape(target.shape, input.shape)) {
    checkFloat(target, "cross_entropy", "target");
    // A probability target has no class index to ignore; PyTorch accepts only negative values
    // (the default -100 included) and refuses the rest rather than silently ignoring nothing.
    if (ignore_index >= 0) {
      throw new Error(`ignore_index is not supported for floating point target (got ignore_index=${ignore_index}; with probability targets leave it at its default, -100)`);
    }
    // Class-probability targets.
    const y = target.data;
    const ys = new Float64Array(y.length);
    for (let i = 0; i < y.length; i++) ys[i] = (1 - eps) * y[i] + eps / C;
    const loss = new Float64Array(N * K);
    for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) {
      let s = 0;
      for (let c = 0; c < C; c++) s -= (w ? w[c] : 1) * ys[idx(n, c, k)] * logp[idx(n, c, k)];
      loss[n * K + k] = s;
    }
    const out = reduceLoss(loss, L.outShape, input.dtype, red, N * K, N * K);
    return record(out, "CrossEntropyBackward", [input, target], (g, need) => {
      const up = upstream(g, red, N * K);
      const gx = need[0] ? new Float64Array(logp.length) : null;
      const gt = need[1] ? new Float64Array(logp.length) : null;
      const P = gx ? wasm_of("exp", logp) : null; // exp(logp) from WebAssembly when large enough (same bits)
      for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) {
        const u = up[n * K + k];
        let S = 0;
        for (let c = 0; c < C; c++) S += (w ? w[c] : 1) * ys[idx(n, c, k)];
        for (let c = 0; c < C; c++) {
          const i = idx(n, c, k);
          const wc = w ? w[c] : 1;
          if (gx) gx[i] = u * ((P !== null ? P[i] : Math.exp(logp[i])) * S - wc * ys[i]);
          if (gt) gt[i] = -u * (1 - eps) * wc * logp[i];
        }
      }
      return [
        gx ? new Tensor(cast(gx, input.dtype), input.shape, input.dtype) : null,
        gt ? new Tensor(cast(gt, target.dtype), target.shape, target.dtype) : null,
      ];
    }, PROBS_SAVES);
  }

  // Class-index targets.
  const t = checkIndexTarget(input, target, L);
  const loss = new Float64Array(N * K);
  const wt = new Float64Array(N * K);
  let D = 0;
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) {
    const i = n * K + k;
    const tc = t[i];
    checkClass(tc, C, ignore_index);
    if (tc === ignore_index) continue;
    wt[i] = w ? w[tc] : 1;
    D += wt[i];
    let smooth = 0;
    if (eps > 0) for (let c = 0; c < C; c++) smooth -= (w ? w[c] : 1) * logp[idx(n, c, k)];
    loss[i] = (1 - eps) * -wt[i] * logp[idx(n, tc, k)] + (eps / C) * smooth;
  }
  const out = reduceLoss(loss, L.outShape, input.dtype, red, D, D); // marked with D: what PyTorch's mean divides by
  return record(out, "NllLossBackward0", [input], (g) => {
    const up = upstream(g, red, N * K, D);
    const gx = new Float64Array(logp.length);
    // exp(logp) from WebAssembly when large enough (same bits; ignored rows' are not used)
    const P = wasm_of("exp", logp);
    for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) {
      const i = n * K + k;
      const tc = t[i];
      if (tc === ignore_index) continue;
      const u = up[i];
      for (let c = 0; c < C; c++) {
        const j = idx(n, c, k);
        const p = P !== null ? P[j] : Math.exp(logp[j]);
        const wc = w ? w[c] : 1;
        let v = (1 - eps) * wt[i] * (p - (c === tc ? 1 : 0));
        if (eps > 0) v += (eps / C) * (W * p - wc);
        gx[j] = u * v;
      }
    }
    return [new Tensor(cast(gx, input.dtype), input.shape, input.dtype)];
  }, TARGET_SAVES, [target]);
}
