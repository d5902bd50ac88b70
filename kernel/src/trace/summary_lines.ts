/**
 * Lines of a trace's text summary (trace.ts `summary()`) beyond its last step's values: what the
 * run did over all its steps, its gradient clipping, a loss that grew without going non-finite,
 * an lr far too low, the loss line (with its step when it is an older one) and gradient
 * accumulation. Users' passes: the summary of a OneCycleLR run gave only the annealed tail (lr
 * 1.2e-8, nothing of the peak 3e-3); a loss grown 1e34-fold read "no divergence"; clipping never
 * showed (the rates are relative to the clipped gradient).
 *
 * Medians come from the bounded series (series.ts): the median of the buckets' means weighted by
 * their counts, which is the exact median while every bucket holds one step (up to `capacity`
 * steps, 2,000 by default) and the median of steps-averages beyond.
 */
import { fmt } from "../plot/text";
import type { Bucket, BoundedSeries } from "./series";
import type { StepMetrics } from "./metrics";
import type { Divergence } from "./trace";

/** The median of a series (see the file comment); null without a finite value. */
export function seriesMedian(s: BoundedSeries | undefined): number | null {
  if (s === undefined) return null;
  const b = s.buckets().filter((x) => x.count > 0 && x.mean !== null).sort((x, y) => (x.mean as number) - (y.mean as number));
  const total = b.reduce((n, x) => n + x.count, 0);
  if (total === 0) return null;
  // the lower and upper middle values (equal for an odd total), each the bucket holding it
  const at = (k: number): number => {
    let seen = 0;
    for (const x of b) {
      seen += x.count;
      if (seen > k) return x.mean as number;
    }
    return b[b.length - 1].mean as number;
  };
  return (at(Math.floor((total - 1) / 2)) + at(Math.floor(total / 2))) / 2;
}

/** "at step 6", or "in steps 512–1023" for a bucket of several steps. */
function stepsOf(x: Bucket): string {
  return x.first_step === x.last_step ? `at step ${x.first_step}` : `in steps ${x.first_step}–${x.last_step}`;
}

/** Steps from which a run at a constant lr also gets its medians over the run (below that, the last step's line is most of it). */
export const MEDIAN_MIN_STEPS = 10;

/**
 * "over the run: lr 1.2e-8..0.003 (peak at step 6), lr_projected median 0.05, update_ratio median
 * 0.001" for a group whose configured lr changed during the run (a schedule: its last step is the
 * annealed tail). At a constant lr, from MEDIAN_MIN_STEPS steps, the medians alone: the last
 * step of a noisy run is one draw (a momentum run on mini-batches ended on lr_projected −0.0015,
 * its median 0.09: a teacher's pass). Null otherwise, or when the lr is not recorded.
 */
export function overTheRun(lr: BoundedSeries | undefined, projected: BoundedSeries | undefined, ratio: BoundedSeries | undefined): string | null {
  if (lr === undefined) return null;
  const b = lr.buckets().filter((x) => x.count > 0);
  if (b.length === 0) return null;
  let lo = Infinity, hi = -Infinity, peak = b[0];
  for (const x of b) {
    if ((x.min as number) < lo) lo = x.min as number;
    if ((x.max as number) > hi) {
      hi = x.max as number;
      peak = x;
    }
  }
  const scheduled = hi > lo;
  if (!scheduled && lr.steps < MEDIAN_MIN_STEPS) return null;
  const parts = scheduled ? [`lr ${fmt(lo)}..${fmt(hi)} (peak ${stepsOf(peak)})`] : [];
  const mp = seriesMedian(projected), mr = seriesMedian(ratio);
  if (mp !== null) parts.push(`lr_projected median ${fmt(mp)}`);
  if (mr !== null) parts.push(`update_ratio median ${fmt(mr)}`);
  return parts.length === 0 ? null : `over the run: ${parts.join(", ")}`;
}

/**
 * Divergence is a non-finite loss, update or parameter (EFFECTIVE_LR.md), and stays so. A run
 * whose loss grew more than GROWTH-fold from its first recorded steps, or whose last update moved
 * a group by more than its norm (update_ratio > 1), is not all clear though: the line then says
 * that, where it said "no divergence".
 */
export const GROWTH = 1e3;

export function notDivergedLine(loss: BoundedSeries | undefined, lastLoss: number | null, last: readonly (StepMetrics | null)[]): string {
  const warn: string[] = [];
  const first = loss?.buckets().find((x) => x.count > 0);
  if (first !== undefined && lastLoss !== null) {
    const f = first.mean as number;
    const g = lastLoss / f;
    if (f > 0 && lastLoss > 0 && Number.isFinite(g) && g > GROWTH) {
      warn.push(`the loss grew ×${fmt(g)} since ${first.first_step === first.last_step ? `step ${first.first_step}` : `steps ${first.first_step}–${first.last_step}`}`);
    }
  }
  let ur: number | null = null;
  for (const m of last) if (m && m.update_ratio !== null && Number.isFinite(m.update_ratio) && (ur === null || m.update_ratio > ur)) ur = m.update_ratio;
  if (ur !== null && ur > 1) warn.push(`update_ratio is ${fmt(ur)}`);
  return warn.length === 0 ? "  no divergence" : `  not diverged (finite), but ${warn.join(" and ")}`;
}

/**
 * What the summary and the plot's divergence marker say of `diverged_at`: "diverged at step 8
 * (lr 0.05)" for an optimizer of one group (or a trace saved before the group was kept); with
 * several groups, whose it was: "diverged at step 8 (group 1: update or parameters not finite;
 * lr 0.05)", or for a non-finite loss, which is no group's, "diverged at step 7 (loss -Infinity;
 * lr 0.1 in group 0, 0.05 in group 1)" (every group's lr when they differ; "loss not finite" once
 * JSON has made the value null). "(lr 0.1)" alone
 * read as the rate that failed, group 0's, where another group blew up (a researcher's pass).
 */
export function divergedText(d: Divergence): string {
  const head = `diverged at step ${d.step}`;
  const lrs = d.lrs ?? [];
  if (d.cause === undefined || lrs.length <= 1) return `${head} (lr ${fmt(d.lr)})`;
  const rates = (gs: readonly number[]): string => (gs.length === 1 || gs.every((g) => Object.is(lrs[g], lrs[gs[0]]))
    ? `lr ${fmt(lrs[gs[0]] ?? d.lr)}`
    : `lr ${gs.map((g) => `${fmt(lrs[g])} in group ${g}`).join(", ")}`);
  if (d.cause === "loss") return `${head} (loss ${typeof d.loss === "number" ? fmt(d.loss) : "not finite"}; ${rates(lrs.map((_, g) => g))})`;
  const gs = d.groups !== undefined && d.groups.length > 0 ? d.groups : [d.group ?? 0];
  return `${head} (group${gs.length > 1 ? "s" : ""} ${gs.join(", ")}: update or parameters not finite; ${rates(gs)})`;
}

/** The momentum range a cycling scheduler set on a group of an optimizer built with momentum 0 (trace.ts). */
export interface CycledMomentum {
  lo: number;
  hi: number;
}

/**
 * "momentum 0.85..0.95 set by a scheduler cycling momentum (OneCycleLR/CyclicLR cycle_momentum,
 * on by default) on an SGD built with momentum 0: ..." when a group's momentum rose from the
 * optimizer's 0. PyTorch does the same, but the student who built plain SGD saw lr_per_sample go
 * negative with no word (a teacher's pass). Null when no group's was.
 */
export function cycledMomentumLine(optimizer: string, cycled: readonly (CycledMomentum | null | undefined)[]): string | null {
  const shown = cycled.map((c, gi) => ({ c, gi })).filter((x): x is { c: CycledMomentum; gi: number } => x.c !== null && x.c !== undefined);
  if (shown.length === 0) return null;
  const range = (c: CycledMomentum): string => (c.lo === c.hi ? fmt(c.lo) : `${fmt(c.lo)}..${fmt(c.hi)}`);
  const several = cycled.length > 1;
  const ranges = new Set(shown.map((x) => range(x.c)));
  const said = several && (ranges.size > 1 || shown.length < cycled.length)
    ? shown.map((x) => `${range(x.c)} (group ${x.gi})`).join(", ")
    : range(shown[0].c);
  return `  momentum ${said} set by a scheduler cycling momentum (OneCycleLR/CyclicLR cycle_momentum, on by default) on ${optimizer} built with momentum 0: `
    + "the rates include it (lr_projected, lr_per_sample can go negative); cycle_momentum: false keeps it 0";
}

/** The clipping counts a trace keeps (trace.ts). */
export interface ClipCounts {
  /** Steps at which clipping ran on a traced group. */
  ran: number;
  /** Steps at which it cut some group's gradient (clip_factor < 1). */
  clipped: number;
  /** Per group, whether the last step's clipped gradient was the raw one times one factor (clip.ts). */
  uniform: boolean[];
}

/**
 * "gradients clipped at 37 of 40 steps (clip_factor median 0.48): relative to the raw gradient
 * (× clip_factor), the last step's lr_projected is 0.0316"; null when no clipping ran. Relative
 * to the raw gradient: lr_projected × clip_factor when the clipped gradient is the raw one scaled
 * (clip_grad_norm_), else lr_realized × clip_factor (exact for any clipping: ‖Δ‖/‖g_raw‖).
 */
export function clipLine(steps: number, counts: ClipCounts, medians: (number | null)[], last: readonly (StepMetrics | null)[]): string | null {
  if (counts.ran === 0) return null;
  const shown = medians.map((m, gi) => ({ m, gi })).filter((x) => x.m !== null);
  const distinct = new Set(shown.map((x) => fmt(x.m)));
  const median = distinct.size <= 1 ? (shown.length ? fmt(shown[0].m) : "—") : shown.map((x) => `${fmt(x.m)} (group ${x.gi})`).join(", ");
  const ran = counts.ran !== counts.clipped ? `clipping ran at ${counts.ran}; ` : "";
  let line = `  gradients clipped at ${counts.clipped} of ${steps} step${steps === 1 ? "" : "s"} (${ran}clip_factor median ${median})`;
  const several = last.filter((m) => m).length > 1;
  const items: { name: string; text: string }[] = [];
  last.forEach((m, gi) => {
    if (!m || m.clip_factor === null || !(m.clip_factor < 1)) return;
    const rate = counts.uniform[gi] && m.lr_projected !== null ? ["lr_projected", m.lr_projected] as const : ["lr_realized", m.lr_realized] as const;
    if (rate[1] === null || !Number.isFinite(rate[1])) return;
    items.push({ name: rate[0], text: `${fmt(rate[1] * m.clip_factor)}${several ? ` (group ${gi})` : ""}` });
  });
  // "lr_projected is 3.07 (group 0), 0.0316 (group 1)": the rate named once when the groups share it
  const said = items.map((x, i) => (i > 0 && items[i - 1].name === x.name ? x.text : `${x.name} is ${x.text}`));
  if (items.length > 0) line += `: relative to the raw gradient (× clip_factor), the last step's ${said.join(", ")}`;
  return line;
}

/**
 * Share of a group's elements with g = 0 exactly at the last step from which the summary says so.
 * ρ and the factor's quantiles leave such elements out (EFFECTIVE_LR.md), so from half of them on
 * the rates describe a minority of the group: a dead-ReLU MLP whose 98.7% of elements had g = 0
 * read "lr_projected 0.01 ... no divergence" (a user's pass). A healthy dense layer's gradient,
 * summed over a batch, is almost never exactly 0 element-wise, so below half it stays silent;
 * a large embedding table on a small batch does reach it, and is named as "unused parameters".
 */
export const ZERO_GRAD_SHARE = 0.5;

/** What the trace keeps per group of the gradient's zeros (trace.ts): cheap counts of sums.ts's pass. */
export interface ZeroGrad {
  /** Elements of the group's last step, and those with g ≠ 0 (sums.ts `nonzero`). */
  elements: number;
  nonzero: number;
  /** Steps at which the group's gradient was exactly 0 (‖g‖ = 0): no rate measured. */
  zero_steps: number;
}

/**
 * "(—: the gradient is exactly 0 at step 99: no rate; ‖g‖ = 0 at 100 of 100 steps)" for a group
 * whose last gradient is 0 (its rates read "—"), "‖g‖ = 0 at 3 of 100 steps" when some earlier
 * steps were, and "98.7% of the elements have g = 0 at step 99: left out of the element-wise
 * rates; dead units or unused parameters?" from ZERO_GRAD_SHARE on.
 */
export function zeroGradLines(steps: number, zero: readonly (ZeroGrad | undefined)[], last: readonly (StepMetrics | null)[]): string[] {
  const lines: string[] = [];
  const several = last.filter((m) => m).length > 1;
  last.forEach((m, gi) => {
    const z = zero[gi];
    if (!m || z === undefined) return;
    const of = several ? ` (group ${gi})` : "";
    const count = z.zero_steps > 0 ? `‖g‖ = 0 at ${z.zero_steps} of ${steps} step${steps === 1 ? "" : "s"}${of}` : null;
    if (m.grad_norm === 0) {
      lines.push(`  (—: the gradient is exactly 0 at step ${m.step}${of}: no rate${count !== null ? `; ${count}` : ""})`);
      return;
    }
    if (count !== null) lines.push(`  ${count}: no rate at those steps`);
    if (z.elements > 0 && m.grad_norm !== null && Number.isFinite(m.grad_norm)) {
      const share = 1 - z.nonzero / z.elements;
      if (share >= ZERO_GRAD_SHARE) {
        // three digits (98.7%); a share below 1 never reads "100%"
        const pct = share < 1 && fmt(100 * share, 3) === "100" ? "99.9" : fmt(100 * share, 3);
        lines.push(`  ${pct}% of the elements${of} have g = 0 at step ${m.step}: left out of the element-wise rates; dead units or unused parameters?`);
      }
    }
  });
  return lines;
}

/**
 * Below this median update ratio ‖Δ‖/‖θ‖ (with a loss that barely moved) a run's lr looks far too
 * low. The common rule of thumb for healthy training is updates of ~1e-3 of the weights per step
 * (CS231n's "ratio of the update magnitudes to the value magnitudes"); fine-tuning runs at 1e-4
 * to 1e-5. Below LOW_RATIO_ALONE the ratio says so alone, whatever the loss did: a run that logs
 * its mini-batch loss has batch-to-batch noise of far more than FLAT_LOSS, and the line never
 * fired on one whose weights moved by 4e-8 of their norm a step (a user's pass), while it did
 * when the loss was not logged.
 */
export const LOW_RATIO = 1e-5;
export const LOW_RATIO_ALONE = 1e-6;
/** A loss whose trend changed by less than this fraction of itself over the run "barely moved". */
export const FLAT_LOSS = 0.01;
/** Losses from which the trend is the mean of the first and last quarter of them, with a noise estimate. */
export const TREND_MIN_LOSSES = 8;
/** A trend within this many standard errors of its change (of the two quarters' means) is noise. */
export const NOISE_SE = 2;

/**
 * How a logged loss moved over the run: its relative change, from the mean of its first quarter
 * of values to the mean of its last (the first and last value under TREND_MIN_LOSSES), and the
 * standard error of that change from its batch-to-batch noise (null under TREND_MIN_LOSSES). The
 * noise σ of one value is estimated from successive differences, which a slow trend hardly
 * touches: a bucket of c steps' mean has variance σ²/c, so E[(m_i − m_{i+1})²] = σ²(1/c_i + 1/c_{i+1}).
 */
export function lossTrend(loss: BoundedSeries | undefined): { change: number; noise: number | null } | null {
  const b = loss?.buckets().filter((x) => x.count > 0 && x.mean !== null && Number.isFinite(x.mean)) ?? [];
  if (b.length < 2) return null;
  const total = b.reduce((n, x) => n + x.count, 0);
  if (total < TREND_MIN_LOSSES) {
    const first = b[0].mean as number, last = b[b.length - 1].mean as number;
    return first !== 0 ? { change: Math.abs(last - first) / Math.abs(first), noise: null } : null;
  }
  // the count-weighted means of the buckets holding the first and the last quarter of the values
  const quarter = Math.max(1, Math.floor(total / 4));
  const meanOf = (xs: Bucket[]): { mean: number; n: number } => {
    let n = 0, s = 0;
    for (const x of xs) {
      if (n >= quarter) break;
      n += x.count;
      s += (x.mean as number) * x.count;
    }
    return { mean: s / n, n };
  };
  const head = meanOf(b), tail = meanOf([...b].reverse());
  if (head.mean === 0) return null;
  let v = 0;
  for (let i = 0; i + 1 < b.length; i++) v += ((b[i].mean as number) - (b[i + 1].mean as number)) ** 2 / (1 / b[i].count + 1 / b[i + 1].count);
  const sigma = Math.sqrt(v / (b.length - 1));
  const se = sigma * Math.sqrt(1 / head.n + 1 / tail.n);
  return { change: Math.abs(tail.mean - head.mean) / Math.abs(head.mean), noise: se / Math.abs(head.mean) };
}

/**
 * "lr far too low? the updates moved the weights by a median 3.2e-7 of their norm per step and
 * the loss changed by 0.3% over 500 steps (updates of ~1e-3 of the weights per step are a common
 * rule of thumb)"; null when the run is shorter than MEDIAN_MIN_STEPS or its weights moved enough.
 * Said when the median ratio is under LOW_RATIO_ALONE (the line then says the ratio alone is too
 * small), or under LOW_RATIO with a loss whose trend changed by under FLAT_LOSS or by less than
 * NOISE_SE standard errors of its batch-to-batch noise (the line says which). `ratio` is the
 * group's update_ratio series, `loss` the run's.
 */
export function lowLrLine(ratio: BoundedSeries | undefined, loss: BoundedSeries | undefined): string | null {
  if (ratio === undefined || ratio.steps < MEDIAN_MIN_STEPS) return null;
  const r = seriesMedian(ratio);
  if (r === null || !(r > 0)) return null; // a ratio of 0: nothing moved at all (zeroGradLines says why)
  if (!(r < LOW_RATIO)) return null;
  const trend = lossTrend(loss);
  const flat = trend !== null && trend.change < FLAT_LOSS;
  const noisy = trend !== null && !flat && trend.noise !== null && trend.change < NOISE_SE * trend.noise;
  const alone = r < LOW_RATIO_ALONE;
  if (!flat && !noisy && !alone) return null;
  const n = ratio.steps;
  let why: string;
  if (trend === null) why = ` over ${n} steps`;
  else if (flat) why = ` and the loss${trend.noise !== null ? "'s trend" : ""} changed by ${fmt(trend.change * 100)}% over ${n} steps`;
  else if (noisy) why = ` and the loss's trend changed by ${fmt(trend.change * 100)}% over ${n} steps, within its batch-to-batch noise (±${fmt(NOISE_SE * (trend.noise as number) * 100)}%)`;
  else why = ` over ${n} steps (under 1e-6 of the weights a step is too small to train, whatever the loss did: it changed by ${fmt(trend.change * 100)}%)`;
  return `lr far too low? the updates moved the weights by a median ${fmt(r)} of their norm per step${why} `
    + "(updates of ~1e-3 of the weights per step are a common rule of thumb)";
}

/**
 * "loss 1.229", or, when the last loss logged is not the last step's, "loss 1.229 (step 2's, the
 * last logged; the last step is 29)": the line sits under the last step's rates, and a loss logged
 * only in a run's first steps (or in a first cell of an --append run) read as the last step's (a
 * user's pass). A loss logged for a step not taken yet says so. `loss` is the loss series as reads
 * see it (its last push is the last loss logged), `steps` the steps taken.
 */
export function lossLine(lastLoss: number, loss: BoundedSeries | undefined, steps: number): string {
  const at = loss?.buckets().filter((x) => x.pushes > 0).pop()?.last_step ?? null;
  let where = "";
  if (at !== null && at >= steps) where = ` (logged for step ${at}, not taken yet)`;
  else if (at !== null && at < steps - 1) where = ` (step ${at}'s, the last logged; the last step is ${steps - 1})`;
  return `  loss ${fmt(lastLoss)}${where}`;
}

/** Steps at which several losses were logged with backward() between them (trace.ts: gradient accumulation). */
export interface Accumulation {
  /** Such steps; the fewest and most losses one of them got; how many were averaged (each a torch.nn loss). */
  steps: number;
  lo: number;
  hi: number;
  averaged: number;
  /**
   * The samples an accumulated step's gradient averaged (its micro-batches' marks, loss_scale.ts),
   * fewest and most over those steps; null when some step's losses did not say (undefined: none yet).
   */
  samples?: [number, number] | null;
}

/**
 * A line on gradient accumulation (several log_loss calls for one step, a backward() between them):
 * null when no step had it. When every micro-batch loss of a step was a torch.nn loss reduced by
 * "mean" (its mark, _reduce.ts), the step's loss is their mean: the mean loss over the accumulated
 * batch, which is the sum of the loss/k that PyTorch's loop adds up (`tot += (loss / k).item()`).
 * Otherwise (`loss / k` tensors, numbers) the values cannot be told apart from unscaled ones, the
 * last one is kept as documented, and the line says what to log instead (a user's pass: the panel
 * showed 0.9 for a loss of 3.7, 1/4 of it, with no word).
 */
export function accumulationLine(a: Accumulation | null, steps: number): string | null {
  if (a === null || a.steps === 0) return null;
  const k = a.lo === a.hi ? `${a.hi}` : "k";
  const at = a.steps === steps ? `at each of ${steps} steps` : `at ${a.steps} of ${steps} steps`;
  const head = `${a.lo === a.hi ? a.hi : `${a.lo} to ${a.hi}`} losses logged with backward() between them ${at}`;
  if (a.averaged === a.steps) {
    return `  gradient accumulation: ${head}; a step's loss is their mean (each a torch.nn loss reduced by "mean", or one divided by a number as a tensor, loss.div(${k}): `
      + `the sum of loss/${k} that PyTorch's loop adds up)`;
  }
  const some = a.averaged > 0 ? ` (at ${a.steps - a.averaged} of them; the mean of torch.nn losses at the others)` : "";
  return `  gradient accumulation? ${head}: a step's loss is the last one${some} (1/${k} of the step's if each is loss/${k}); `
    + `log the step's loss once before step() (the sum of the loss/${k} values, PyTorch's tot += loss.item()), `
    + `or each torch.nn loss itself, or loss.div(${k}) as a tensor, not a number (the mean of the losses is then kept)`;
}

/** Steps whose several losses had `zero_grad()` run between them (trace.ts): how many, the fewest and most losses. */
export interface ZeroedBetween {
  steps: number;
  lo: number;
  hi: number;
}

/**
 * "zero_grad() ran between the 2 losses logged at each of 8 steps ...": several losses logged for
 * one step with backward() between them, but the gradients were reset between them (a traced
 * gradient replaced: `zero_grad()` inside the micro-batch loop, the classic accumulation bug).
 * Each backward() then starts from zero and only the last one's gradient reaches step(): no
 * accumulation, and the batch-size hint of accumulation would be false (a user's pass: "each
 * step's gradient averaged 32 samples" for 16). Null when no step had it.
 */
export function zeroedBetweenLine(z: ZeroedBetween | null, steps: number): string | null {
  if (z === null || z.steps === 0) return null;
  const k = z.lo === z.hi ? `${z.hi}` : `${z.lo} to ${z.hi}`;
  const at = z.steps === steps ? `at each of ${steps} steps` : `at ${z.steps} of ${steps} steps`;
  return `  zero_grad() ran between the ${k} losses logged with backward() between them ${at}: each backward() started from a zero gradient, `
    + "so only the last one's gradient reaches step() (one micro-batch's, divided by k if each loss was): not gradient accumulation; "
    + "a step's loss is their mean. To accumulate, call zero_grad() once per step (after step()), not before each backward()";
}

/**
 * "3 losses logged after a step that had its loss, with no backward() before the next (after 4,
 * 8, 12 steps taken): ...": a number logged after a step that already had its loss, before the next
 * step's micro-batches (no backward() between), is not a training loss of the coming step (a
 * validation loss logged after an epoch: it was merged into the next step's micro-batches and
 * dropped one, a user's pass). Kept out of the loss series, in the val_loss series. Null when
 * there was none.
 */
export function setAsideLine(a: { count: number; steps: number[] } | null): string | null {
  if (a === null || a.count === 0) return null;
  const shown = a.steps.slice(0, 5).join(", ") + (a.count > 5 ? `, … (${a.count} in all)` : "");
  return `  ${a.count === 1 ? "a loss" : `${a.count} losses`} logged after a step that had its loss, with no backward() before the next (after ${shown} step${a.count === 1 && a.steps[0] === 1 ? "" : "s"} taken): `
    + "not a training loss of a step (a validation loss?): kept out of the loss series, in series(\"val_loss\"); "
    + "log a validation loss with log_loss(v, { split: \"val\" }) (or record({ val_loss: v })) to say so";
}

/** The samples every accumulated step's gradient averaged, when the same at each (Accumulation.samples); else null. */
export function accumulatedBatch(a: Accumulation | null): number | null {
  return a !== null && a.steps > 0 && a.averaged === a.steps && a.samples && a.samples[0] === a.samples[1] ? a.samples[0] : null;
}

/**
 * The batch-size hint of gradient accumulation: a step's gradient averages its micro-batches'
 * samples (k losses of n samples, each divided by k: k·n in all), where lr_per_sample divides by
 * the batch_size given (EFFECTIVE_LR.md: B is the samples of the step's gradient). Said when every
 * accumulated step averaged the same count and it is not the batch_size given (a declared 8 read
 * lr_per_sample 4× too high for 4 micro-batches of 8); null otherwise.
 */
export function accumulatedBatchLine(a: Accumulation | null, steps: number, batch: number | null): string | null {
  if (a === null || a.steps === 0 || a.averaged !== a.steps || !a.samples || batch === null) return null;
  const [lo, hi] = a.samples;
  if (lo !== hi || lo === batch || !Number.isInteger(lo)) return null;
  const k = a.lo === a.hi ? `${a.hi} losses` : `${a.lo} to ${a.hi} losses`;
  const at = a.steps === steps ? "each step's gradient" : `the gradient of ${a.steps} of ${steps} steps`;
  return `  (lr_per_sample is lr_projected/${batch}, the batch_size given, while ${at} averaged ${lo} samples (${k}, gradient accumulation): `
    + `the per-sample rate of the accumulated batch is lr_projected/${lo} (--batch-size ${lo}, or trace(optimizer, { batch_size: ${lo} }))`;
}

/**
 * How far a group's configured lr must go from the level around it, within one step, for
 * lrExcursionLines to say so; and how close the steps around it must stay to each other (the two
 * before and the two after: max/min) for that level to be one. A restart on resume leaves ×20 and
 * more (OneCycleLR back at max_lr/div_factor = max_lr/25), but a warm-up's leaves only its first
 * factor's inverse: ×2.9 for a LambdaLR warm-up resumed at 0.75 of its peak, ×3 for LinearLR's
 * default start_factor 1/3 (×5 missed both: a user's pass). Measured from the adjacent steps and
 * where the trends lead, ×2.2 is as low as the real schedules allow: CosineAnnealingWarmRestarts
 * with T_0 2 or 3 dips ×2 below its trend every cycle. No real schedule makes such a spike: a
 * StepLR drop or a ReduceLROnPlateau cut stays down, a warm restart or a cycle's turn does not come
 * back to where it was, and where one does (CyclicLR's short cycles, a cosine's bottom at
 * eta_min = 0, OneCycleLR over a few steps) the steps around it differ by more than LEVEL_FACTOR,
 * head for it (a V or a peak), or are not two on each side (test/trace/p21_lr_excursion.test.ts
 * runs them).
 */
export const EXCURSION_FACTOR = 2.2;
export const LEVEL_FACTOR = 2;

/** A step (or bucket of steps) of the lr series: Bucket's fields that lrExcursions reads. */
export interface LrPoint {
  first_step: number;
  last_step: number;
  count: number;
  min: number | null;
  max: number | null;
  last: number | null;
}

/** An lr that left its level for one step (or within one bucket of merged steps) and came back. */
export interface LrExcursion {
  first_step: number;
  last_step: number;
  /** The lr before it, at it (its extreme) and after it (for a bucket of several steps: its mins/maxes). */
  before: number;
  at: number;
  after: number;
  /** before / at for a fall, at / before for a rise: > EXCURSION_FACTOR. */
  factor: number;
  fell: boolean;
}

/**
 * The one-step excursions of a group's lr, over its values per step (a trace's lr series: exact
 * buckets of one step up to its capacity, 2,000 by default; beyond, a bucket of several steps whose
 * extreme leaves the level while the rest of it stays there). Step k is one when the steps k − 2,
 * k − 1, k + 1 and k + 2 lie within LEVEL_FACTOR of each other, and k's lr is EXCURSION_FACTOR or
 * more below (or above) both adjacent steps and where each side's trend leads: 2·lr(k − 1) −
 * lr(k − 2) and 2·lr(k + 1) − lr(k + 2).
 */
export function lrExcursions(points: readonly LrPoint[]): LrExcursion[] {
  const p = points.filter((x) => x.count > 0 && x.min !== null && x.max !== null && Number.isFinite(x.min) && Number.isFinite(x.max));
  const out: LrExcursion[] = [];
  // neighbours must be the adjacent steps: a gap (a step without a recorded lr) breaks the level
  const adjacent = (j: number): boolean => j >= 0 && j + 1 < p.length && p[j + 1].first_step === p[j].last_step + 1;
  const next = (i: number, d: -1 | 1): LrPoint | undefined => (adjacent(d < 0 ? i - 1 : i) ? p[i + d] : undefined);
  for (let i = 1; i + 1 < p.length; i++) {
    const b1 = next(i, -1), a1 = next(i, 1);
    if (b1 === undefined || a1 === undefined) continue;
    const b2 = next(i - 1, -1), a2 = next(i + 1, 1);
    if (b2 === undefined || a2 === undefined) continue;
    const around = [b2, b1, a1, a2];
    const lo = Math.min(...around.map((x) => x.min as number));
    const hi = Math.max(...around.map((x) => x.max as number));
    if (!(lo > 0) || hi / lo > LEVEL_FACTOR) continue;
    // where the trend of either side leads (linearly): a V or a peak (a cyclic schedule's turn, a
    // cosine's bottom at eta_min = 0) is where both sides head, a restart is not
    const mid = (x: LrPoint): number => (x.min as number + (x.max as number)) / 2;
    const ahead = [2 * mid(b1) - mid(b2), 2 * mid(a1) - mid(a2)];
    const x = p[i];
    const one = x.first_step === x.last_step;
    // a bucket of several steps: its other extreme is at the level (the rest of its steps stayed there)
    // measured from the adjacent steps and the trends (not the level's farthest step: a resumed
    // warm-up's dip sits in a falling cosine, whose step k + 2 is already lower)
    const fell = (x.min as number) * EXCURSION_FACTOR <= Math.min(b1.min as number, a1.min as number, ...ahead) && (one || (x.max as number) >= lo);
    const rose = (x.max as number) >= Math.max(b1.max as number, a1.max as number, ...ahead) * EXCURSION_FACTOR && (one || (x.min as number) <= hi);
    if (!fell && !rose) continue;
    const before = b1.last ?? (b1.max as number);
    const after = (fell ? a1.min : a1.max) as number;
    const at = (fell ? x.min : x.max) as number;
    out.push({ first_step: x.first_step, last_step: x.last_step, before, at, after, factor: fell ? before / at : at / before, fell });
  }
  return out;
}

/**
 * The momentum (β1) before, at and after step `k` when it left the steps around it at `k` and came
 * back (it differs from both, and by more than they differ from each other): a scheduler cycling
 * momentum (OneCycleLR, CyclicLR) built on resume resets it with the lr (a teacher's pass: 0.869 →
 * 0.95 → 0.878, as PyTorch does). Null otherwise, or when those steps are not one bucket each.
 */
function momentumExcursion(s: BoundedSeries, k: number): [number, number, number] | null {
  const at = new Map<number, number>();
  for (const b of s.buckets()) {
    if (b.count === 1 && b.first_step >= k - 1 && b.first_step <= k + 1 && b.last !== null && Number.isFinite(b.last)) at.set(b.first_step, b.last);
  }
  const before = at.get(k - 1), x = at.get(k), after = at.get(k + 1);
  if (before === undefined || x === undefined || after === undefined) return null;
  const away = Math.min(Math.abs(x - before), Math.abs(x - after));
  return away > 0 && away > Math.abs(after - before) ? [before, x, after] : null;
}

/**
 * "lr fell ×22.7 at step 5 (0.009083 → 4e-4) and rose again the next step (0.009875): a
 * scheduler restarted on resume? ...", a line per group that had such an excursion (lrExcursions),
 * at most three excursions a group. PyTorch's usual resume (optimizer.load_state_dict, then a new
 * scheduler, then scheduler.load_state_dict) gives the first resumed step the rate a new
 * scheduler's constructor set (OneCycleLR: max_lr/div_factor); the next step() puts the schedule's
 * back. An --append'ed trace recorded it, and the summary's "over the run: lr 4e-4..0.009875" hid
 * it (a researcher's pass). `momenta`: each group's momentum series (β1 for the Adam family) and
 * its name: a momentum that left its level at the same step is said in the same line. Empty when
 * no group had one.
 */
export function lrExcursionLines(lrs: readonly (BoundedSeries | undefined)[], momenta: readonly ({ series: BoundedSeries; name: string } | undefined)[] = []): string[] {
  const several = lrs.length > 1;
  const lines: string[] = [];
  lrs.forEach((s, gi) => {
    const found = s === undefined ? [] : lrExcursions(s.buckets());
    if (found.length === 0) return;
    const mom = momenta[gi];
    const said = found.slice(0, 3).map((e) => {
      const where = e.first_step === e.last_step ? `at step ${e.first_step}` : `in steps ${e.first_step}–${e.last_step}`;
      const back = e.first_step === e.last_step ? "the next step" : "within those steps";
      // (a fall to 0: no factor)
      const by = e.fell && e.at === 0 ? "to 0" : `×${fmt(e.factor, 3)}`;
      const m = mom !== undefined && e.first_step === e.last_step ? momentumExcursion(mom.series, e.first_step) : null;
      const also = m === null ? "" : `, and ${mom!.name} ${fmt(m[0])} → ${fmt(m[1])} → ${fmt(m[2])} with it (that step ran with ${mom!.name} ${fmt(m[1])})`;
      return `lr ${e.fell ? "fell" : "rose"} ${by} ${where} (${fmt(e.before)} → ${fmt(e.at)}) and ${e.fell ? "rose" : "fell"} again ${back} (${fmt(e.after)})${also}`;
    });
    const more = found.length > 3 ? ` (and ${found.length - 3} more)` : "";
    lines.push(`  ${several ? `group ${gi}: ` : ""}${said.join("; ")}${more}: a scheduler restarted on resume? A scheduler built after `
      + "optimizer.load_state_dict sets the lr of the first step after it (OneCycleLR: max_lr/div_factor; a warm-up: its first factor of the lr); build the scheduler first, "
      + "then load the optimizer's state and the scheduler's");
  });
  return lines;
}
