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
 *                    evaluated as atan2(√(‖θ‖²‖Δ‖² − ⟨θ,Δ⟩²), ‖θ‖² + ⟨θ,Δ⟩) (same angle; precision below)
 *   grad_norm = ‖g‖, param_norm = ‖θ‖
 *
 * A step with ‖g‖ = 0 records no ratio (null: a gap in the series, not zero, not NaN).
 * A non-finite step (some Δ or θ_{t+1} not finite: `finite` false, the trace's `diverged_at`)
 * records no ratio either (null), nor does a non-finite ‖g‖ (some g_t infinite or NaN) record
 * those with ‖g‖ in them. grad_norm and param_norm are the norms of the data whatever the step:
 * ∞ or NaN when g_t or θ_t holds such values (not the norm of the finite elements, nor 0). The
 * series keep finite values only (series.ts), so such a step is a gap in the plot, as a step
 * without a ratio is, and the divergence marker shows where the run diverged.
 * Float64 sums that overflow (values above ~1e154) or underflow (float64 values of ~1e-160 and
 * below, whose squares are below ~1e-308) are rescaled exactly (sums.ts): the metrics of such a
 * step are those of the definitions, not ∞, 0 or a gap.
 * With `maximize: true` the optimizer climbs g, so these come out negative; the trace takes them
 * along −g, the gradient of the objective the optimizer minimizes (trace.ts stepMetrics).
 * Sums run in float64 whatever the parameters' dtype; they are taken in one pass (sums.ts) and the
 * ρ quantiles come from sample.ts.
 */
import type { Storage } from "../tensor/tensor";
import type { Quantiles } from "./quantiles";
import { ldexp, residual, type StepSums } from "./sums";

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
  /** ‖g_t‖: ∞ or NaN when g_t holds such values (a gap in the series); null without gradients. */
  grad_norm: number | null;
  /** ‖θ_t‖: ∞ or NaN when θ_t holds such values (a gap in the series); null without gradients. */
  param_norm: number | null;
  lr_elementwise: Quantiles | null;
  lr_preconditioned: Quantiles | null;
  lr_momentum_steady: number | null;
  /** SGD/RMSprop `momentum`, or β1 for the Adam family (what OneCycleLR/CyclicLR cycle). */
  momentum: number | null;
  betas: [number, number] | null;
  weight_decay: number | null;
  loss: number | null;
  /**
   * ‖g‖ before clipping, when clip_grad_norm_/clip_grad_value_ ran on the group's gradients
   * since the last step (clip.ts); null otherwise, and for a parameter's own metrics (per group).
   * The other metrics stay relative to the gradient step() read (the clipped one).
   */
  grad_norm_raw: number | null;
  /** ‖g_clipped‖/‖g_raw‖ of that clipping (clip.ts); null without clipping, as grad_norm_raw. */
  clip_factor: number | null;
}

/** Scalar metrics that become series (one BoundedSeries each). */
export const SCALAR_METRICS = [
  "lr", "lr_projected", "lr_realized", "lr_per_sample", "update_ratio", "angular_update",
  "grad_norm", "param_norm", "lr_momentum_steady", "momentum", "beta2", "weight_decay",
] as const;
/** Quantile metrics: recorded as three series each, `.q05`, `.q50` and `.q95`. */
export const QUANTILE_METRICS = ["lr_elementwise", "lr_preconditioned"] as const;
export const SERIES_QUANTILES = ["q05", "q50", "q95"] as const;
/**
 * Clipping metrics (clip.ts), per group: their series are made at the first step that clipping
 * ran before, so a run without clipping has none (series() undefined) and pays nothing for them.
 */
export const CLIP_METRICS = ["grad_norm_raw", "clip_factor"] as const;
/** Every name the `metrics` option accepts. */
export const METRIC_NAMES: readonly string[] = [...SCALAR_METRICS, ...QUANTILE_METRICS, "loss", ...CLIP_METRICS];

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
  /**
   * Elements measured, and those with g ≠ 0 and a finite step (sums.ts `n`, `nonzero`, counted in
   * the same pass): the summary says what share ρ and the factor leave out (g = 0 exactly).
   */
  elements: number;
  nonzero: number;
}

/**
 * The measured metrics of a set of elements from their sums (sums.ts); `rho` gives the ρ
 * quantiles and is only called when they exist (finite step, ‖g‖ > 0); `parts` are the elements'
 * arrays, read again only for the angle of a Δ nearly parallel to θ (below).
 *
 * The sums may be scaled (sums.ts: exponents kt, kg, kd of θ, g, Δ; positive after an overflow,
 * negative after an underflow); every ratio is formed from the scaled sums and multiplied by the
 * power of two that undoes the scaling (ldexp), which is exact: with exponents 0 (every step that
 * neither over- nor underflowed) the factors are 1.
 */
export function measure(s: StepSums, rho: (() => Quantiles) | null, parts: readonly { theta: Storage; after: Storage }[] = []): Measured {
  if (s.n <= 0) {
    return {
      lr_projected: null, lr_realized: null, update_ratio: null, angular_update: null,
      grad_norm: null, param_norm: null, lr_elementwise: null, finite: true, elements: 0, nonzero: 0,
    };
  }
  const { dg, gg, dd, tt, aa, td, finite, kt, kg, kd } = s;
  const gn = Math.sqrt(gg);
  const pn = Math.sqrt(tt);
  const dn = Math.sqrt(dd);
  const ok = finite && gg > 0 && Number.isFinite(gg);
  return {
    lr_projected: ok ? ldexp(-dg / gg, kd - kg) : null,
    lr_realized: ok ? ldexp(dn / gn, kd - kg) : null,
    update_ratio: finite && tt > 0 ? ldexp(dn / pn, kd - kt) : null,
    angular_update: finite && tt > 0 && aa > 0 ? angle(s, parts) : null,
    grad_norm: ldexp(gn, kg),
    param_norm: ldexp(pn, kt),
    lr_elementwise: ok && s.nonzero > 0 && rho !== null ? rho() : null,
    finite,
    elements: s.n,
    nonzero: s.nonzero,
  };
}

/** Below this share of tt·dd, tt·dd − td² is recomputed from `residual` (see `angle`). */
export const PARALLEL = 2 ** -20;

/**
 * The angle between θ and a = θ + Δ (finite step, θ ≠ 0, a ≠ 0): cos ∝ ⟨θ,a⟩ = tt + td and
 * sin ∝ ‖θ × a‖ = ‖θ × Δ‖ = √(tt·dd − td²) (Lagrange's identity), through atan2, which has no
 * arccos-of-a-cosine-near-1 problem (arccos loses half the digits of a tiny angle).
 *
 * Precision: tt·dd − td² cancels when Δ has a radial part. The rounding of the sums leaves it an
 * error of a few ε·tt·dd, so an angle computed that way has an absolute error of about
 * √ε·|⟨θ,Δ⟩|/‖θ‖² (≤ 1.5e-8 × update_ratio): full relative precision for a Δ orthogonal to θ (a
 * rotation), but for a Δ parallel to θ (weight decay alone, a one-element parameter) it reports
 * ~1e-8 × update_ratio instead of 0. So when tt·dd − td² < 2^−20·tt·dd (Δ within ~1e-3 rad of
 * ±θ), it is recomputed from a second pass over the elements (sums.ts `residual`: Δ's component
 * orthogonal to θ, squared without cancellation); a one-element set has ‖θ × Δ‖ = 0 exactly. The
 * angle then has an absolute error of a few ε × update_ratio (relative precision for any angle
 * above that). The second pass runs only for such nearly parallel steps, never on a healthy
 * step of a large tensor.
 */
export function angle(s: StepSums, parts: readonly { theta: Storage; after: Storage }[]): number {
  const { dd, tt, td } = s;
  if (dd === 0) return 0;
  // tt·dd over- or underflows for ‖θ‖‖Δ‖ beyond ~1e±154 even when the sums do not: then θ and Δ
  // are first brought to norms near 1 by powers of two (exact), ET and ED their exponents in all
  let ea = 0, eb = 0;
  const p = tt * dd;
  if (!(p > 1e-250 && p < 1e250)) {
    ea = Math.round(Math.log2(tt) / 2);
    eb = Math.round(Math.log2(dd) / 2);
  }
  const T = ldexp(tt, -2 * ea), D = ldexp(dd, -2 * eb), X = ldexp(td, -(ea + eb));
  const ET = s.kt + ea, ED = s.kd + eb;
  let cross = s.n === 1 ? 0 : T * D - X * X;
  if (s.n > 1 && cross < PARALLEL * (T * D) && parts.length > 0) {
    const [rr, rt] = residual(parts, X / T, ET, ED);
    cross = T * rr - rt * rt;
  }
  const sin = Math.sqrt(cross > 0 ? cross : 0);
  // the true sine and cosine are sin·2^(ET+ED) and T·2^(2ET) + X·2^(ET+ED), divided here by the
  // larger power of two so that no factor exceeds 1 (ET = ED: atan2(sin, T + X))
  return ET >= ED ? Math.atan2(ldexp(sin, ED - ET), T + ldexp(X, ED - ET)) : Math.atan2(sin, ldexp(T, ET - ED) + X);
}
