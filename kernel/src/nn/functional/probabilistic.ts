/**
 * Likelihood losses of torch.nn.functional (ℓ per element, then reduced; operands broadcast
 * silently, as PyTorch's composite implementations do):
 *   kl_div(x, t):            ℓ = t·(log t − x)   (0 where t = 0)       ∂x = −t    ∂t = log t + 1 − x
 *       log_target:          ℓ = e^t·(t − x)                          ∂x = −e^t  ∂t = e^t (t − x + 1)
 *       reduction "batchmean" divides the sum by input.size(0) (the KL divergence's definition).
 *   poisson_nll_loss(x, t):  ℓ = e^x − t·x (log_input), or x − t·log(x + eps)
 *       full adds Stirling's t·log t − t + ½·log(2πt) where t > 1.
 *   gaussian_nll_loss(x, t, var): ℓ = ½(log v + (x − t)²/v) (+ ½·log 2π if full), v = max(var, eps)
 *       (the clamp is not differentiated, as PyTorch clamps under no_grad).
 * The target is differentiated (and var for gaussian_nll_loss), as in PyTorch; where PyTorch's
 * gradient is NaN (kl_div or full poisson_nll_loss at t = 0) ours is too.
 */
import { wasm_map } from "../../tensor/transcendental_ops";
import { Tensor } from "../../tensor/tensor";
import { record } from "../_autograd";
import { needs_grad } from "../../tensor/autograd";
import type { Reduction } from "../_autograd";
import { RuntimeError, ValueError } from "../../optim/lr_scheduler/errors";
import { reduceLoss, upstream } from "./_reduce";
import { broadcastAll, floatResult, gradOf, lossArgs, reductionArg, tensorArg } from "./_loss_more";
import { saves } from "../../tensor/version";
import { is_floating } from "../../tensor/dtype";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const KL_SAVES = saves("1, 0 if 1");
const POISSON_SAVES = saves("0 if 1, 1 if 0");

export type KLDivReduction = Reduction | "batchmean";

export interface KLDivOptions {
  reduction?: KLDivReduction;
  log_target?: boolean;
}

let klMeanWarned = false;

/** xlogy(t, t) = t·log t, 0 at t = 0 (NaN stays NaN). */
function xlogx(t: number): number {
  return t === 0 ? 0 : t * Math.log(t);
}

/**
 * Kullback-Leibler divergence loss with `input` log-probabilities and `target` probabilities
 * (log-probabilities if log_target). reduction "mean" | "batchmean" | "sum" | "none"; "mean"
 * divides by every element (PyTorch warns: "batchmean" is the divergence).
 */
export function kl_div(input: Tensor, target: Tensor, options?: KLDivOptions): Tensor;
export function kl_div(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  const o = lossArgs("kl_div", [], [["reduction", "string"], ["log_target", "boolean"]], args);
  tensorArg("kl_div", input, "input");
  tensorArg("kl_div", target, "target");
  const reduction = reductionArg<KLDivReduction>(o.reduction ?? "mean", false, ["mean", "batchmean", "sum", "none"]);
  const logTarget = (o.log_target as boolean | undefined) ?? false;
  for (const t of [input, target]) {
    if (!is_floating(t.dtype)) throw RuntimeError("kl_div: Integral inputs not supported.");
  }
  const dtype = floatResult("kl_div", input, target);
  if (reduction === "mean" && !klMeanWarned) {
    klMeanWarned = true;
    console.warn(
      "UserWarning: reduction: 'mean' divides the total loss by both the batch size and the support size." +
        "'batchmean' divides only by the batch size, and aligns with the KL div math definition." +
        "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
    );
  }
  const b = broadcastAll([input.shape, target.shape]);
  const [ix, it] = b.idx;
  const x = input.data;
  const t = target.data;
  const n = b.n;
  const loss = new Float64Array(n);
  // exp(t) from WebAssembly when large enough (tensor/transcendental_ops.ts: Math.exp's bits)
  const et = logTarget ? wasm_map("exp", n, (a) => { for (let i = 0; i < n; i++) a[i] = t[it ? it[i] : i]; }) : null;
  for (let i = 0; i < n; i++) {
    const xi = x[ix ? ix[i] : i];
    const ti = t[it ? it[i] : i];
    loss[i] = logTarget ? (et !== null ? et[i] : Math.exp(ti)) * (ti - xi) : xlogx(ti) - ti * xi;
  }
  // batchmean: the sum over input.size(0) (a 0-d input: the sum itself, as PyTorch).
  const red: Reduction = reduction === "batchmean" ? (input.shape.length ? "mean" : "sum") : reduction;
  const denom = reduction === "batchmean" && input.shape.length ? input.shape[0] : n;
  const out = reduceLoss(loss, b.shape, dtype, red, denom);
  return record(out, "KlDivBackward0", [input, target], (g, need) => {
    const up = upstream(g, red, n, denom);
    const gx = need[0] ? new Float64Array(x.length) : null;
    const gt = need[1] ? new Float64Array(t.length) : null;
    const et = logTarget ? wasm_map("exp", n, (a) => { for (let i = 0; i < n; i++) a[i] = t[it ? it[i] : i]; }) : null;
    for (let i = 0; i < n; i++) {
      const xi = x[ix ? ix[i] : i];
      const ti = t[it ? it[i] : i];
      if (logTarget) {
        const e = et !== null ? et[i] : Math.exp(ti);
        if (gx) gx[ix ? ix[i] : i] -= up[i] * e;
        if (gt) gt[it ? it[i] : i] += up[i] * e * (ti - xi + 1);
      } else {
        if (gx) gx[ix ? ix[i] : i] -= up[i] * ti;
        // xlogy's gradient at t = 0 is 0/0 (NaN) in PyTorch too.
        if (gt) gt[it ? it[i] : i] += up[i] * ((ti === 0 ? NaN : Math.log(ti) + 1) - xi);
      }
    }
    return [gx ? gradOf(gx, input) : null, gt ? gradOf(gt, target) : null];
  }, KL_SAVES);
}

export interface PoissonNLLOptions {
  log_input?: boolean;
  full?: boolean;
  eps?: number;
  reduction?: Reduction;
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Poisson negative log likelihood of `target` counts with rate e^input (log_input, default) or
 * input: ℓ = e^x − t·x, or x − t·log(x + eps); full adds Stirling's approximation of log(t!).
 * `poisson_nll_loss(x, t, log_input?, full?, { eps, reduction })`.
 */
export function poisson_nll_loss(input: Tensor, target: Tensor, log_input: boolean, full?: boolean, options?: PoissonNLLOptions): Tensor;
export function poisson_nll_loss(input: Tensor, target: Tensor, log_input: boolean, options?: PoissonNLLOptions): Tensor;
export function poisson_nll_loss(input: Tensor, target: Tensor, options?: PoissonNLLOptions): Tensor;
export function poisson_nll_loss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  const o = lossArgs("poisson_nll_loss", [["log_input", "boolean"], ["full", "boolean"]], [["eps", "number"], ["reduction", "string"]], args);
  tensorArg("poisson_nll_loss", input, "input");
  tensorArg("poisson_nll_loss", target, "target");
  const logInput = (o.log_input as boolean | undefined) ?? true;
  const full = (o.full as boolean | undefined) ?? false;
  const eps = (o.eps as number | undefined) ?? 1e-8;
  const red = reductionArg(o.reduction ?? "mean");
  const dtype = floatResult("poisson_nll_loss", input, target);
  const b = broadcastAll([input.shape, target.shape]);
  const [ix, it] = b.idx;
  const x = input.data;
  const t = target.data;
  const n = b.n;
  const loss = new Float64Array(n);
  // exp(x) from WebAssembly when large enough (tensor/transcendental_ops.ts: Math.exp's bits)
  const ex = logInput ? wasm_map("exp", n, (a) => { for (let i = 0; i < n; i++) a[i] = x[ix ? ix[i] : i]; }) : null;
  for (let i = 0; i < n; i++) {
    const xi = x[ix ? ix[i] : i];
    const ti = t[it ? it[i] : i];
    let l = logInput ? (ex !== null ? ex[i] : Math.exp(xi)) - ti * xi : xi - ti * Math.log(xi + eps);
    if (full && ti > 1) l += ti * Math.log(ti) - ti + 0.5 * Math.log(2 * Math.PI * ti);
    loss[i] = l;
  }
  const out = reduceLoss(loss, b.shape, dtype, red);
  // PyTorch saves the input only for the target's gradient and the target only for the input's:
  // backward reads copies of the others (they may change in place before it)
  const rec = needs_grad(input, target);
  const xs = rec && !target.requires_grad ? x.slice() : x;
  const ts = rec && !input.requires_grad ? t.slice() : t;
  return record(out, "PoissonNllLossBackward0", [input, target], (g, need) => {
    const up = upstream(g, red, n);
    const gx = need[0] ? new Float64Array(x.length) : null;
    const gt = need[1] ? new Float64Array(t.length) : null;
    const ex = logInput && gx ? wasm_map("exp", n, (a) => { for (let i = 0; i < n; i++) a[i] = xs[ix ? ix[i] : i]; }) : null;
    for (let i = 0; i < n; i++) {
      const xi = xs[ix ? ix[i] : i];
      const ti = ts[it ? it[i] : i];
      if (gx) gx[ix ? ix[i] : i] += up[i] * (logInput ? (ex !== null ? ex[i] : Math.exp(xi)) - ti : 1 - ti / (xi + eps));
      if (gt) {
        let d = logInput ? -xi : -Math.log(xi + eps);
        if (full) {
          // Stirling's term is masked where t ≤ 1; PyTorch still multiplies the zero gradient by
          // log t and 1/t there, which is NaN at t ≤ 0 (0·∞): so are we.
          const s = Math.log(ti) + 0.5 / ti;
          d += ti > 1 ? s : 0 * s;
        }
        gt[it ? it[i] : i] += up[i] * d;
      }
    }
    return [gx ? gradOf(gx, input) : null, gt ? gradOf(gt, target) : null];
  }, POISSON_SAVES);
}

export interface GaussianNLLOptions {
  full?: boolean;
  eps?: number;
  reduction?: Reduction;
}

/**
 * Gaussian negative log likelihood of `target` under N(input, var): ℓ = ½(log v + (x − t)²/v),
 * v = max(var, eps), + ½·log 2π if full. `var` has input's shape, or one dimension of size 1
 * (homoscedastic), or input's shape without its last dimension; a number is a constant variance
 * (lrlab takes any JS number there; PyTorch takes a Python float, not an int).
 * `gaussian_nll_loss(x, t, var, full?, eps?, { reduction })`.
 */
export function gaussian_nll_loss(input: Tensor, target: Tensor, variance: Tensor | number, full: boolean, eps?: number, options?: GaussianNLLOptions): Tensor;
export function gaussian_nll_loss(input: Tensor, target: Tensor, variance: Tensor | number, full: boolean, options?: GaussianNLLOptions): Tensor;
export function gaussian_nll_loss(input: Tensor, target: Tensor, variance: Tensor | number, options?: GaussianNLLOptions): Tensor;
export function gaussian_nll_loss(input: Tensor, target: Tensor, variance: Tensor | number, ...args: unknown[]): Tensor {
  const o = lossArgs("gaussian_nll_loss", [["full", "boolean"], ["eps", "number"]], [["reduction", "string"]], args);
  tensorArg("gaussian_nll_loss", input, "input");
  tensorArg("gaussian_nll_loss", target, "target");
  const full = (o.full as boolean | undefined) ?? false;
  const eps = (o.eps as number | undefined) ?? 1e-6;
  let varT: Tensor | null = null;
  let varShape: readonly number[];
  if (typeof variance === "number") {
    if (variance < 0) throw ValueError("var has negative entry/entries");
    varShape = input.shape;
  } else {
    varT = tensorArg("gaussian_nll_loss", variance, "var");
    for (let i = 0; i < varT.data.length; i++) if (varT.data[i] < 0) throw ValueError("var has negative entry/entries");
    varShape = varT.shape;
    const xs = input.shape;
    const same = (a: readonly number[], c: readonly number[]) => a.length === c.length && a.every((d, i) => d === c[i]);
    if (!same(varShape, xs)) {
      if (same(xs.slice(0, -1), varShape) && xs.length > 0) {
        varShape = [...varShape, 1]; // homoscedastic: one variance per row, broadcast over the last dim
      } else {
        let mismatch = 0;
        if (xs.length === varShape.length) xs.forEach((d, i) => { if (d !== varShape[i]) mismatch += varShape[i]; });
        if (!(xs.length === varShape.length && mismatch === 1)) {
          throw ValueError(`var is of incorrect size (var ${JSON.stringify(varT.shape)}, input ${JSON.stringify(xs)}: var must have input's size, or input's size with one dimension of size 1, or input's size without its last dimension)`);
        }
      }
    }
  }
  const red = reductionArg(o.reduction ?? "mean", true);
  const dtype = varT ? floatResult("gaussian_nll_loss", input, target, varT) : floatResult("gaussian_nll_loss", input, target);
  const b = broadcastAll([input.shape, target.shape, varShape]);
  const [ix, it, iv] = b.idx;
  const x0 = input.data;
  const t0 = target.data;
  const v0 = varT ? varT.data : null;
  // PyTorch's composite saves none of its arguments (only its own intermediates): backward reads
  // copies, since they may change in place before it
  const rec = needs_grad(input, target, varT);
  const x = rec ? x0.slice() : x0;
  const t = rec ? t0.slice() : t0;
  const vd = v0 !== null && rec ? v0.slice() : v0;
  const constVar = typeof variance === "number" ? Math.max(variance, eps) : 0;
  const n = b.n;
  const loss = new Float64Array(n);
  const extra = full ? HALF_LOG_2PI : 0;
  for (let i = 0; i < n; i++) {
    const d = x0[ix ? ix[i] : i] - t0[it ? it[i] : i];
    const v = v0 ? Math.max(v0[iv ? iv[i] : i], eps) : constVar;
    loss[i] = 0.5 * (Math.log(v) + (d * d) / v) + extra;
  }
  const out = reduceLoss(loss, b.shape, dtype, red);
  return record(out, "GaussianNllLossBackward", [input, target, varT], (g, need) => {
    const up = upstream(g, red, n);
    const gx = need[0] ? new Float64Array(x.length) : null;
    const gt = need[1] ? new Float64Array(t.length) : null;
    const gv = need[2] && varT ? new Float64Array(varT.data.length) : null;
    for (let i = 0; i < n; i++) {
      const d = x[ix ? ix[i] : i] - t[it ? it[i] : i];
      const v = vd ? Math.max(vd[iv ? iv[i] : i], eps) : constVar;
      const r = (up[i] * d) / v;
      if (gx) gx[ix ? ix[i] : i] += r;
      if (gt) gt[it ? it[i] : i] -= r;
      if (gv) gv[iv ? iv[i] : i] += 0.5 * up[i] * (1 / v - (d * d) / (v * v));
    }
    return [gx ? gradOf(gx, input) : null, gt ? gradOf(gt, target) : null, gv && varT ? gradOf(gv, varT) : null];
  });
}
