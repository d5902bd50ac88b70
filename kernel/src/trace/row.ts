/**
 * A group's metrics at a step as numbers: what the pipeline measures (steps.ts, small.ts) and the
 * trace records (trace.ts recordRow: series, divergence, summary counts), and what the StepMetrics
 * that `latest()` and the listeners hand out is made of (`metricsOf`), when one is asked for.
 *
 * Why numbers: a StepMetrics is an object of ~20 fields, two Quantiles of 7 and the Measured it was
 * made from, and every number in an object field is a heap number of its own: ~40 allocations a
 * step, made and dropped at every step of a tiny model whether anyone reads them or not (the
 * tracer's fixed cost, PERF.md session 26). A row is two typed arrays kept per group; the object is
 * made from it, with the same values, the first time `latest()` (or anything reading the trace's
 * last metrics) asks, or at once for the listeners.
 */
import type { Measured, StepMetrics } from "./metrics";
import type { Quantiles } from "./quantiles";

/** The row's slots: the scalar metrics, then each quantile summary's seven numbers (min, q05, q25, q50, q75, q95, max). */
export const R_LR = 0, R_PROJECTED = 1, R_REALIZED = 2, R_PER_SAMPLE = 3, R_RATIO = 4, R_ANGLE = 5, R_GRAD_NORM = 6, R_PARAM_NORM = 7;
export const R_STEADY = 8, R_MOMENTUM = 9, R_WEIGHT_DECAY = 10, R_LOSS = 11, R_GRAD_NORM_RAW = 12, R_CLIP_FACTOR = 13;
/** lr_elementwise's seven numbers from here (its null flag at this slot). */
export const R_ELEMENTWISE = 14;
/** lr_preconditioned's seven numbers from here (its null flag at this slot). */
export const R_PRECONDITIONED = 21;
export const ROW_SIZE = 28;

/** One group's metrics at a step (see the file comment). */
export class MetricsRow {
  step = 0;
  group = 0;
  /** The numbers, at the slots above. */
  readonly v = new Float64Array(ROW_SIZE);
  /** 1 where the metric is null (a quantile summary: at its first slot). */
  readonly none = new Uint8Array(ROW_SIZE);
  /** The group's betas at the step (a frozen pair, shared by the steps with the same betas: steps.ts betasOf), or null. */
  betas: [number, number] | null = null;
  /** The group's `maximize` (trace.ts recordRow measures its rates along −g). */
  maximize = false;
  /** Measured: whether the step was finite, its elements, and those with g ≠ 0 and a finite step (metrics.ts Measured). */
  finite = true;
  elements = 0;
  nonzero = 0;
  /**
   * lr_preconditioned's q25 and q75 still to be taken (small.ts smallFactor: the series read q05,
   * q50 and q95 only): from the sorted x in `xs` (`xm` of them) and f's mode, c, s, ε in `fx`, as
   * smallFactor takes the other levels (`finishFactor`, which metricsOf calls first).
   */
  factorLater = false;
  xs = new Float64Array(16);
  xm = 0;
  readonly fx = new Float64Array(4);
}

/**
 * f of a factor view's x (preconditioned.ts factorOf, the same expressions) for modes 1-3: c/x in
 * mode 2, else c/(√x/s + ε).
 */
export function factorAtX(mode: number, c: number, s: number, eps: number, x: number): number {
  return mode === 2 ? c / x : c / (Math.sqrt(x) / s + eps);
}

/**
 * The q25 and q75 of lr_preconditioned that the small path left to take (`factorLater`), as it
 * takes its other levels (small.ts smallFactor: the k-th smallest f is f of the (m − 1 − k)-th
 * smallest x, each level a[lo] + (a[hi] − a[lo])·(pos − lo) as quantiles.ts `level`).
 */
export function finishFactor(row: MetricsRow): void {
  if (!row.factorLater) return;
  row.factorLater = false;
  const xs = row.xs, last = row.xm - 1, fx = row.fx, v = row.v, P = R_PRECONDITIONED;
  const mode = fx[0], c = fx[1], s = fx[2], eps = fx[3];
  const p1 = 0.25 * last, p3 = 0.75 * last;
  const i1 = Math.floor(p1), i3 = Math.floor(p3);
  const a1 = factorAtX(mode, c, s, eps, xs[last - i1]), b1 = factorAtX(mode, c, s, eps, xs[last - Math.min(last, i1 + 1)]);
  const a3 = factorAtX(mode, c, s, eps, xs[last - i3]), b3 = factorAtX(mode, c, s, eps, xs[last - Math.min(last, i3 + 1)]);
  v[P + 2] = a1 + (b1 - a1) * (p1 - i1);
  v[P + 4] = a3 + (b3 - a3) * (p3 - i3);
}

/** Slot `at` of the row: x, or null. */
export function setValue(row: MetricsRow, at: number, x: number | null): void {
  if (x === null) row.none[at] = 1;
  else {
    row.none[at] = 0;
    row.v[at] = x;
  }
}

/** The summary at slot `at` (R_ELEMENTWISE, R_PRECONDITIONED): q, or null. */
export function setQuantiles(row: MetricsRow, at: number, q: Quantiles | null): void {
  if (q === null) {
    row.none[at] = 1;
    return;
  }
  row.none[at] = 0;
  const v = row.v;
  v[at] = q.min;
  v[at + 1] = q.q05;
  v[at + 2] = q.q25;
  v[at + 3] = q.q50;
  v[at + 4] = q.q75;
  v[at + 5] = q.q95;
  v[at + 6] = q.max;
}

/** The summary at slot `at` with every level x (quantiles.ts constantQuantiles). */
export function setConstant(row: MetricsRow, at: number, x: number): void {
  row.none[at] = 0;
  row.v.fill(x, at, at + 7);
}

/** The group's hyper-parameters at the step (steps.ts GroupAtStep) into the row. */
export function setScalars(row: MetricsRow, at: { lr: number; lr_momentum_steady: number | null; momentum: number | null; weight_decay: number | null; betas: [number, number] | null; maximize: boolean }): void {
  row.v[R_LR] = at.lr;
  setValue(row, R_STEADY, at.lr_momentum_steady);
  setValue(row, R_MOMENTUM, at.momentum);
  setValue(row, R_WEIGHT_DECAY, at.weight_decay);
  row.betas = at.betas;
  row.maximize = at.maximize;
}

/** The measured metrics of `meas` into the row (the rates as measured: trace.ts recordRow takes them along −g under maximize). */
export function setMeasured(row: MetricsRow, meas: Measured): void {
  setValue(row, R_PROJECTED, meas.lr_projected);
  setValue(row, R_REALIZED, meas.lr_realized);
  setValue(row, R_RATIO, meas.update_ratio);
  setValue(row, R_ANGLE, meas.angular_update);
  setValue(row, R_GRAD_NORM, meas.grad_norm);
  setValue(row, R_PARAM_NORM, meas.param_norm);
  setQuantiles(row, R_ELEMENTWISE, meas.lr_elementwise);
  row.finite = meas.finite;
  row.elements = meas.elements;
  row.nonzero = meas.nonzero;
}

/** Slot `at`: its number, or null. */
export function valueAt(row: MetricsRow, at: number): number | null {
  return row.none[at] === 1 ? null : row.v[at];
}

/** The summary at slot `at`, as a new Quantiles, or null. */
export function quantilesAt(row: MetricsRow, at: number): Quantiles | null {
  if (row.none[at] === 1) return null;
  const v = row.v;
  return { min: v[at], q05: v[at + 1], q25: v[at + 2], q50: v[at + 3], q75: v[at + 4], q95: v[at + 5], max: v[at + 6] };
}

/** The StepMetrics of a recorded row (a new object: the row is reused for later steps). */
export function metricsOf(row: MetricsRow): StepMetrics {
  finishFactor(row);
  const v = row.v, none = row.none;
  return {
    step: row.step,
    group: row.group,
    lr: v[R_LR],
    lr_projected: none[R_PROJECTED] === 1 ? null : v[R_PROJECTED],
    lr_realized: none[R_REALIZED] === 1 ? null : v[R_REALIZED],
    lr_per_sample: none[R_PER_SAMPLE] === 1 ? null : v[R_PER_SAMPLE],
    update_ratio: none[R_RATIO] === 1 ? null : v[R_RATIO],
    angular_update: none[R_ANGLE] === 1 ? null : v[R_ANGLE],
    grad_norm: none[R_GRAD_NORM] === 1 ? null : v[R_GRAD_NORM],
    param_norm: none[R_PARAM_NORM] === 1 ? null : v[R_PARAM_NORM],
    lr_elementwise: quantilesAt(row, R_ELEMENTWISE),
    lr_preconditioned: quantilesAt(row, R_PRECONDITIONED),
    lr_momentum_steady: none[R_STEADY] === 1 ? null : v[R_STEADY],
    momentum: none[R_MOMENTUM] === 1 ? null : v[R_MOMENTUM],
    betas: row.betas,
    weight_decay: none[R_WEIGHT_DECAY] === 1 ? null : v[R_WEIGHT_DECAY],
    loss: none[R_LOSS] === 1 ? null : v[R_LOSS],
    grad_norm_raw: none[R_GRAD_NORM_RAW] === 1 ? null : v[R_GRAD_NORM_RAW],
    clip_factor: none[R_CLIP_FACTOR] === 1 ? null : v[R_CLIP_FACTOR],
  };
}
