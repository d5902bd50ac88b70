/**
 * Quantile summaries of per-element rates, at bounded cost.
 *
 * `{ min, q05, q25, q50, q75, q95, max }` with linear interpolation between order statistics
 * (torch.quantile's default `interpolation="linear"`: position q·(n−1)).
 *
 * Cost: min and max are always exact (the tracer takes them in the same pass that computes its
 * sums, see sums.ts; `quantiles()` below takes them in its own pass). The interior quantiles are
 * exact when n ≤ SAMPLE_SIZE; above, they are taken from a random sample of about SAMPLE_SIZE
 * values drawn with a fixed-seed generator (reproducible run to run): uniform draws with
 * replacement in `quantiles()`, jittered stratified draws in the tracer (sample.ts),
 * so a step costs O(n) for the extremes plus O(S) for the sample, whatever the tensor size. The
 * rank error of a sampled q-quantile (the fraction of the full set below the reported value, minus
 * q) is random, not bounded: √(q(1−q)/S) is its standard deviation for S values drawn uniformly,
 * i.e. for S = 4096 0.34% of the ranks at q05 and q95, 0.68% at q25 and q75, 0.78% at the median
 * (the tracer's stratified sample of S to 2S values is no worse; where between half and all of a
 * tensor's gradient is nonzero, its sample is the S draws' S·M/N ≥ S/2 values with g ≠ 0, up to
 * √2 times these at M = N/2: sample.ts). Errors of twice that, ~1.6% of
 * the ranks at the median, are to be expected in about one summary in twenty, and q25, q50 and
 * q75 are more than 0.7% off in about a third of the steps (measured on 42 traced steps of a
 * large layer: mean 0.55% at q25–q75, at most 1.56%; q05 and q95 at most 0.7%).
 * Small next to the spread the q05–q95 band of a plot shows, but not exact: only n ≤ S is.
 * (A strided sample would be cheaper but aliases with the row structure of weight matrices.) The
 * order statistics come from a bucket pass and a multi-rank quickselect (select.ts), not a sort.
 */
import { select_values } from "./select";
import { native_select } from "./native_sums";

export interface Quantiles {
  min: number;
  q05: number;
  q25: number;
  q50: number;
  q75: number;
  q95: number;
  max: number;
}

export const QUANTILE_KEYS = ["min", "q05", "q25", "q50", "q75", "q95", "max"] as const;
export const SAMPLE_SIZE = 4096;

const LEVELS = [0.05, 0.25, 0.5, 0.75, 0.95] as const;

/** The fixed seed of every sample: the same tensor gives the same summary. */
export const SAMPLE_SEED = 0x9e3779b9;

/** One xorshift32 step (Marsaglia 2003): the next state, a uint32 never 0 for a non-zero seed. */
export function xorshift32(s: number): number {
  s ^= s << 13;
  s >>>= 0;
  s ^= s >>> 17;
  s ^= s << 5;
  return s >>> 0;
}

/**
 * What a summary of m values selects: the sorted, distinct order-statistic positions that the five
 * interior levels read (`ranks`), and for each level the index in `ranks` of its lower and upper
 * position (`lo`, `hi`); `mirrored`: the same for the positions m − 1 − k (summarizeDecreasing).
 * Kept for the few sizes a trace summarises every step (a per_param trace alternates between its
 * weights' and its biases' sizes: a one-entry cache rebuilt the list at each call).
 */
interface RankPlan {
  ranks: number[];
  /** `ranks` for the native selection. */
  ranks32: Int32Array;
  lo: number[];
  hi: number[];
}
const planCache = new Map<number, { plain: RankPlan; mirrored: RankPlan }>();
const RANK_CACHE_SIZE = 16;

/** The last size asked for (a group trace summarises the same sizes every step: no Map lookup). */
let lastSize = -1;
let lastPlans: { plain: RankPlan; mirrored: RankPlan } | null = null;

function plansFor(m: number): { plain: RankPlan; mirrored: RankPlan } {
  if (m === lastSize) return lastPlans as { plain: RankPlan; mirrored: RankPlan };
  let p = planCache.get(m);
  if (p === undefined) {
    if (planCache.size >= RANK_CACHE_SIZE) planCache.delete(planCache.keys().next().value as number);
    const r: number[] = [];
    for (const q of LEVELS) {
      const lo = Math.floor(q * (m - 1));
      r.push(lo, Math.min(m - 1, lo + 1));
    }
    const ranks = [...new Set(r)].sort((a, b) => a - b);
    const last = ranks.length - 1;
    const lo = LEVELS.map((q) => ranks.indexOf(Math.floor(q * (m - 1))));
    const hi = LEVELS.map((q) => ranks.indexOf(Math.min(m - 1, Math.floor(q * (m - 1)) + 1)));
    const mirroredRanks = ranks.map((k) => m - 1 - k).reverse();
    p = {
      plain: { ranks, ranks32: Int32Array.from(ranks), lo, hi },
      mirrored: { ranks: mirroredRanks, ranks32: Int32Array.from(mirroredRanks), lo: lo.map((i) => last - i), hi: hi.map((i) => last - i) },
    };
    planCache.set(m, p);
  }
  lastSize = m;
  lastPlans = p;
  return p;
}

/** The order statistics a summary reads (at most ten: two per level), as `select_values` gives them. */
const picked = new Float64Array(10);

/** Values from which the native selection is used (below, the call costs more than it saves). */
const NATIVE_SELECT_MIN = 256;

/**
 * The plan's order statistics of buf[0..m) into `picked`: native code where it runs (the same
 * values: order statistics do not depend on the algorithm; kernel/native/select.h says why),
 * else select.ts. `lo`, `hi`: select_values's bucket hints.
 */
function pick(buf: Float64Array, m: number, plan: RankPlan, lo: number, hi: number): void {
  if (m >= NATIVE_SELECT_MIN) {
    const select = native_select();
    if (select !== null && select(buf, m, plan.ranks32, picked)) return;
  }
  select_values(buf, m, plan.ranks, picked, lo, hi);
}

/**
 * The summary of the m values in `buf` (all of them, or a sample), with the exact `min` and `max`
 * of the full set given by the caller. Permutes the first m entries of `buf`. Each level q is
 * a[lo] + (a[hi] − a[lo])·(pos − lo) of the sorted values a, pos = q·(m − 1), lo = ⌊pos⌋.
 */
export function summarize(buf: Float64Array, m: number, min: number, max: number): Quantiles {
  if (min === max) return constantQuantiles(min);
  const plan = plansFor(m).plain;
  const { lo, hi } = plan;
  pick(buf, m, plan, min, max);
  return {
    min, q05: level(0, m, picked[lo[0]], picked[hi[0]]), q25: level(1, m, picked[lo[1]], picked[hi[1]]), q50: level(2, m, picked[lo[2]], picked[hi[2]]),
    q75: level(3, m, picked[lo[3]], picked[hi[3]]), q95: level(4, m, picked[lo[4]], picked[hi[4]]), max,
  };
}

/**
 * Level j of a summary of m values from its two order statistics: a[lo] + (a[hi] − a[lo])·(pos − lo),
 * pos = q·(m − 1). A function of its own, not a closure made at each summary (two a step).
 */
function level(j: number, m: number, alo: number, ahi: number): number {
  const pos = LEVELS[j] * (m - 1);
  return alo + (ahi - alo) * (pos - Math.floor(pos));
}

/**
 * The summary of f(x) over the m values x in `buf`, for a non-increasing f (the optimizer's factor
 * as a function of its state, preconditioned.ts), without evaluating f at every value: the k-th
 * smallest f is f of the (m − 1 − k)-th smallest x, so the x are selected at the mirrored ranks and
 * f taken at those only. Each quantile is then formed by the same expression as `summarize`
 * (a[lo] + (a[hi] − a[lo])·(pos − lo)) from the same values: bit-identical to summarizing the f.
 * `xlo`, `xhi`: about the smallest and largest x (select_values: they set its buckets, never the values).
 */
export function summarizeDecreasing(buf: Float64Array, m: number, min: number, max: number, f: (x: number) => number, xlo: number, xhi: number): Quantiles {
  if (min === max) return constantQuantiles(min);
  const plan = plansFor(m).mirrored;
  const { lo, hi } = plan;
  pick(buf, m, plan, xlo, xhi);
  // f at each picked x first, in a loop of its own: its divisions and square roots then overlap
  // (evaluated inside each level's expression they ran one after the other: ~50 ns of the tiny
  // model's step, PERF.md session 22); each rank is read by some level, so f runs where it did
  const nr = plan.ranks.length;
  for (let k = 0; k < nr; k++) fpicked[k] = f(picked[k]);
  return {
    min, q05: level(0, m, fpicked[lo[0]], fpicked[hi[0]]), q25: level(1, m, fpicked[lo[1]], fpicked[hi[1]]),
    q50: level(2, m, fpicked[lo[2]], fpicked[hi[2]]), q75: level(3, m, fpicked[lo[3]], fpicked[hi[3]]),
    q95: level(4, m, fpicked[lo[4]], fpicked[hi[4]]), max,
  };
}

/** f of each of `picked` (summarizeDecreasing). */
const fpicked = new Float64Array(10);

/** Every quantile equal to v (a constant factor, e.g. SGD's lr_preconditioned = γ). */
export function constantQuantiles(v: number): Quantiles {
  return { min: v, q05: v, q25: v, q50: v, q75: v, q95: v, max: v };
}

let scratch = new Float64Array(SAMPLE_SIZE);

/**
 * Quantiles of the first `n` entries of `values`, or null when n = 0. NaN entries are left out
 * (all NaN: every quantile NaN).
 * `values` is not modified.
 */
export function quantiles(values: ArrayLike<number>, n: number = values.length): Quantiles | null {
  if (n <= 0) return null;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(min <= max)) return constantQuantiles(NaN); // every value NaN
  if (scratch.length < Math.min(n, SAMPLE_SIZE)) scratch = new Float64Array(Math.min(n, SAMPLE_SIZE));
  // NaN values have no rank: left out of the sample
  let m = 0;
  if (n <= SAMPLE_SIZE) {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === v) scratch[m++] = v;
    }
  } else {
    let s = SAMPLE_SEED;
    for (let i = 0; i < SAMPLE_SIZE; i++) {
      s = xorshift32(s);
      const v = values[s % n];
      if (v === v) scratch[m++] = v;
    }
  }
  if (m === 0) return { min, q05: NaN, q25: NaN, q50: NaN, q75: NaN, q95: NaN, max };
  return summarize(scratch, m, min, max);
}
