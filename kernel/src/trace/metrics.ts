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
 *   angular_update = arccos(⟨θ_t, θ_{t+1}⟩ / (‖θ_t‖‖θ_{t+1}‖))   (Wan et al. 2021, arXiv:2006.08419),
 *                    evaluated as atan2(√(‖θ‖²‖Δ‖² − ⟨θ,Δ⟩²), ‖θ‖² + ⟨θ,Δ⟩) (same angle, well conditioned)
 *   grad_norm = ‖g‖, param_norm = ‖θ‖
 *
 * A step with ‖g‖ = 0 records no ratio (null: a gap in the series, not zero, not NaN).
 * With `maximize: true` the optimizer climbs g, so the rates come out negative, as they should.
 * Sums run in float64 whatever the parameters' dtype; they are taken in one pass (sums.ts) and the
 * ρ quantiles come from sample.ts.
 */
import type { Quantiles } from "./quantiles";
import type { StepSums } from "./sums";

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

/** The measured metrics of one step, from the sums of its elements. */
export interface Measured {
  lr_projected: number | null;
  lr_realized: number | null;
  update_ratio: number | null;
  angular_update: number | null;
  grad_norm: number | null;
  param_norm: number | null;
  lr_elementwise: Quantiles | null;
  finite: boolean;
}

/**
 * The measured metrics of a set of elements from their sums (sums.ts); `rho` gives the ρ
 * quantiles and is only called when they exist (finite step, ‖g‖ > 0).
 */
export function measure(s: StepSums, rho: () => Quantiles): Measured {
  if (s.n <= 0) {
    return {
      lr_projected: null, lr_realized: null, update_ratio: null, angular_update: null,
      grad_norm: null, param_norm: null, lr_elementwise: null, finite: true,
    };
  }
  const { dg, gg, dd, tt, aa, td, finite } = s;
  const gn = Math.sqrt(gg);
  const pn = Math.sqrt(tt);
  const dn = Math.sqrt(dd);
  const ok = finite && gg > 0 && Number.isFinite(gg);
  // Angle between θ and a = θ + Δ: cos ∝ ⟨θ,a⟩ = tt + td, sin ∝ ‖θ × a‖ = √(‖θ‖²‖a‖² − ⟨θ,a⟩²)
  // = √(tt·dd − td²) (Lagrange's identity with a = θ + Δ). atan2 of the two keeps full relative
  // precision for tiny angles, where arccos of a cosine near 1 keeps only half the digits.
  let angular: number | null = null;
  if (finite && tt > 0 && aa > 0) {
    const cross = tt * dd - td * td;
    angular = Math.atan2(Math.sqrt(cross > 0 ? cross : 0), tt + td);
  }
  return {
    lr_projected: ok ? -dg / gg : null,
    lr_realized: ok ? dn / gn : null,
    update_ratio: finite && tt > 0 ? dn / pn : null,
    angular_update: angular,
    grad_norm: Number.isFinite(gn) ? gn : null,
    param_norm: Number.isFinite(pn) ? pn : null,
    lr_elementwise: ok && s.nonzero > 0 ? rho() : null,
    finite,
  };
}
