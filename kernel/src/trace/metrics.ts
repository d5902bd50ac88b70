/**
 * The metrics of one optimizer step over a set of elements (a parameter group, or one named
 * parameter), as defined in /work/shared/EFFECTIVE_LR.md. With θ the elements before `step()`,
 * g their gradients as `step()` read them, Δ = θ_{t+1} − θ_t:
 *
 *   lr_projected  = −⟨Δ, g⟩ / ‖g‖²      step length along −g (= γ for plain SGD; may be negative)
 *   lr_realized   = ‖Δ‖ / ‖g‖           step size per unit gradient, optimizer-agnostic
 *   lr_elementwise: quantiles of ρ_k = −Δ_k / g_k over the elements with |g_k| > 0
 *   lr_per_sample = lr_projected / B (mean reduction) or lr_projected (sum reduction)
 *   update_ratio  = ‖Δ‖ / ‖θ‖           (about 1e-3 is healthy: cs231n)
 *   angular_update = arccos(⟨θ_t, θ_{t+1}⟩ / (‖θ_t‖‖θ_{t+1}‖))   (Wan et al. 2021, arXiv:2006.08419)
 *   grad_norm = ‖g‖, param_norm = ‖θ‖
 *
 * A step with ‖g‖ = 0 records no ratio (null: a gap in the series, not zero, not NaN).
 * With `maximize: true` the optimizer climbs g, so the rates come out negative, as they should.
 * Sums run in float64 whatever the parameters' dtype.
 */
import { quantiles, type Quantiles } from "./quantiles";

/** Everything `trace.latest()` returns for one step (names of EFFECTIVE_LR.md). */
export interface StepMetrics {
  /** Index of the step in this trace, from 0. */
  step: number;
  group: number;
  /** The named parameter, when these are per-parameter metrics. */
  param?: string;
  lr: number;
  lr_projected: number | null;
  lr_realized: number | null;
  lr_per_sample: number | null;
  update_ratio: number | null;
  angular_update: number | null;
  grad_norm: number | null;
  param_norm: number | null;
  lr_elementwise: Quantiles | null;
  lr_preconditioned: Quantiles | null;
  lr_momentum_steady: number | null;
  /** SGD/RMSprop `momentum`, or β1 for the Adam family (what OneCycleLR/CyclicLR cycle). */
  momentum: number | null;
  betas: [number, number] | null;
  weight_decay: number | null;
  loss: number | null;
}

/** Scalar metrics that become series (one BoundedSeries each). */
export const SCALAR_METRICS = [
  "lr", "lr_projected", "lr_realized", "lr_per_sample", "update_ratio", "angular_update",
  "grad_norm", "param_norm", "lr_momentum_steady", "momentum", "beta2", "weight_decay",
] as const;
/** Quantile metrics: recorded as three series each, `.q05`, `.q50` and `.q95`. */
export const QUANTILE_METRICS = ["lr_elementwise", "lr_preconditioned"] as const;
export const SERIES_QUANTILES = ["q05", "q50", "q95"] as const;
/** Every name the `metrics` option accepts. */
export const METRIC_NAMES: readonly string[] = [...SCALAR_METRICS, ...QUANTILE_METRICS, "loss"];

/** Scratch buffer for ρ, grown on demand and reused across steps. */
let rhoScratch = new Float64Array(1024);

export interface Snapshot {
  theta: Float64Array;
  grad: Float64Array;
  after: Float64Array;
}

/** Measured metrics over elements [start, end) of a snapshot; non-finite → `finite = false`. */
export function measure(
  s: Snapshot,
  start: number,
  end: number,
): {
  lr_projected: number | null;
  lr_realized: number | null;
  update_ratio: number | null;
  angular_update: number | null;
  grad_norm: number | null;
  param_norm: number | null;
  lr_elementwise: Quantiles | null;
  finite: boolean;
} {
  const n = end - start;
  if (n <= 0) {
    return {
      lr_projected: null, lr_realized: null, update_ratio: null, angular_update: null,
      grad_norm: null, param_norm: null, lr_elementwise: null, finite: true,
    };
  }
  if (rhoScratch.length < n) rhoScratch = new Float64Array(Math.max(n, rhoScratch.length * 2));
  const rho = rhoScratch;
  let dg = 0, gg = 0, dd = 0, tt = 0, aa = 0, ta = 0, m = 0;
  let finite = true;
  for (let i = start; i < end; i++) {
    const t = s.theta[i];
    const a = s.after[i];
    const g = s.grad[i];
    const d = a - t;
    if (!Number.isFinite(d) || !Number.isFinite(a)) {
      finite = false;
      continue;
    }
    dg += d * g;
    gg += g * g;
    dd += d * d;
    tt += t * t;
    aa += a * a;
    ta += t * a;
    if (g !== 0) rho[m++] = -d / g;
  }
  const gn = Math.sqrt(gg);
  const pn = Math.sqrt(tt);
  const dn = Math.sqrt(dd);
  const ok = finite && gg > 0 && Number.isFinite(gg);
  let angular: number | null = null;
  if (finite && tt > 0 && aa > 0) {
    const c = ta / (pn * Math.sqrt(aa));
    angular = Math.acos(Math.max(-1, Math.min(1, c)));
  }
  return {
    lr_projected: ok ? -dg / gg : null,
    lr_realized: ok ? dn / gn : null,
    update_ratio: finite && tt > 0 ? dn / pn : null,
    angular_update: angular,
    grad_norm: Number.isFinite(gn) ? gn : null,
    param_norm: Number.isFinite(pn) ? pn : null,
    lr_elementwise: ok ? quantiles(rho, m) : null,
    finite,
  };
}
