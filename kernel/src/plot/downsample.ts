/**
 * Display downsampling: a trace keeps up to ~2,000 buckets per series (trace/series), but a
 * display bundle must stay small (DESIGN.md: payloads stay small whatever the number of steps),
 * so the figure builders merge runs of consecutive buckets into at most `max_points` points.
 *
 * Merging is exact, as in the series itself: a merged point's mean is Σsum / Σcount, its band is
 * the min of the mins and the max of the maxes; points whose buckets were all gaps stay gaps
 * (null). Numbers are rounded to `digits` significant digits: more is invisible on a plot and
 * only inflates the JSON.
 *
 * Where a point sits (`pointStep`): a step its merged buckets recorded, so a hover shows a true
 * step and the point's band is that of the steps around it. The first point sits at the series'
 * first step and the last at its last step, so a line spans the whole run (a point at each
 * bucket's last step started a line of 4-step buckets at step 3); the others sit in the middle of
 * their buckets. When buckets merge, the first and the last bucket are points of their own (the
 * run's first and last values, not means drawn at those steps), and each point's first and last
 * step are kept (`spansOf`: the payload's `spans`, for hovers that say what a point averages).
 */
import type { Bucket } from "../trace/series";

export interface Points {
  x: number[];
  mean: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
  /** The first and last step each point merges (its first bucket's first step, its last bucket's last). */
  first: number[];
  last: number[];
}

/**
 * How many steps each point merges, run-length encoded as pairs `[points, steps]` flattened
 * (`[1, 1, 40, 3, 1, 1]`: one point of one step, forty of three, one of one), for a hover that
 * says "mean of steps 175–177" (payload.ts Series.spans). Undefined when no point merges more
 * than one step, or when the points' steps are not consecutive integers, each point starting
 * where the one before ended (a range test's learning rates): then nothing can be said so.
 */
export function spansOf(p: Pick<Points, "first" | "last">): number[] | undefined {
  const n = p.first.length;
  let merged = false;
  for (let i = 0; i < n; i++) {
    const [a, b] = [p.first[i], p.last[i]];
    if (!Number.isInteger(a) || !Number.isInteger(b) || b < a) return undefined;
    if (i > 0 && a !== p.last[i - 1] + 1) return undefined;
    if (b > a) merged = true;
  }
  if (!merged) return undefined;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const w = p.last[i] - p.first[i] + 1;
    if (out.length > 0 && out[out.length - 1] === w) out[out.length - 2]++;
    else out.push(1, w);
  }
  return out;
}

export const DEFAULT_MAX_POINTS = 200;
export const DEFAULT_DIGITS = 4;
/**
 * Significant digits of a set metric's values (a configured lr, momentum: figure.ts SET_METRICS):
 * a schedule is exact, and at four digits ExponentialLR(γ = 0.99999) over 300 steps was drawn as
 * a staircase of 31 levels, a traced lr up to 3.3e-4 relative off PyTorch's (a user's pass).
 * Seven keep consecutive steps of such a schedule apart (1e-5 relative) at about two bytes a
 * number more; measured metrics keep four (more is invisible on a plot).
 */
export const SET_DIGITS = 7;

/** Round to `digits` significant digits; null and non-finite become null. */
export function round(v: number | null | undefined, digits: number = DEFAULT_DIGITS): number | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  return Number(v.toPrecision(digits));
}

/**
 * Merge consecutive buckets so at most `max_points` remain. `low`/`high` (same length as
 * `buckets`) optionally supply the band from other series (the q05/q95 of element-wise rates):
 * then a point's min is the min of `low`'s mins and its max the max of `high`'s maxes.
 *
 * Exactly `max_points` points when there are more buckets: the last bucket alone, and the other
 * n − 1 buckets points of ⌊(n−1)/(m−1)⌋ buckets, the first (n−1) mod (m−1) of them one bucket
 * more (the run's start coarser, its latest steps finer). Runs of a fixed ⌈n/m⌉ buckets wasted up to half the points a budget allowed: 80 steps
 * at 75 points became 40 points of two steps.
 */
export function downsample(
  buckets: readonly Bucket[],
  max_points: number = DEFAULT_MAX_POINTS,
  low?: readonly Bucket[],
  high?: readonly Bucket[],
  digits: number = DEFAULT_DIGITS,
): Points {
  if (!Number.isInteger(max_points) || max_points < 1) {
    throw new RangeError(`downsample: max_points must be a positive integer, got ${max_points}`);
  }
  const n = buckets.length;
  const m = Math.min(n, max_points);
  // The last bucket is a point of its own when buckets merge: the line ends on the run's last
  // value, not on a mean of its last steps drawn at the last step (the end of a OneCycleLR
  // schedule read 6.9e-5 where the last step's rate was 3.9e-8: a user's pass). The other
  // n − 1 buckets make the other m − 1 points.
  // So is the first: a line opens on the run's first step's own value, not on a mean of its
  // first steps drawn at step 0 (SGD's first projected rate is exactly lr, 0.05; merged with the
  // next three steps it read 0.1043 at "step 0": a user's pass).
  const last = n > m && m >= 2 ? 1 : 0;
  const first = n > m && m >= 3 ? 1 : 0;
  const inner = m - last - first;
  const per = Math.floor((n - last - first) / Math.max(1, inner));
  const wide = n - last - first - per * inner;
  const out: Points = { x: [], mean: [], min: [], max: [], first: [], last: [] };
  for (let k = 0, start = 0, end = 0; k < m; k++, start = end) {
    end = last === 1 && k === m - 1 ? n : first === 1 && k === 0 ? 1 : start + per + (k - first < wide ? 1 : 0);
    let count = 0;
    let sum = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = start; i < end; i++) {
      const b = buckets[i];
      count += b.count;
      sum += b.sum;
      const l = low ? low[i] : b;
      const h = high ? high[i] : b;
      if (l && l.min !== null && l.min < lo) lo = l.min;
      if (h && h.max !== null && h.max > hi) hi = h.max;
    }
    out.x.push(pointStep(buckets, start, end));
    out.mean.push(count > 0 ? round(sum / count, digits) : null);
    out.min.push(count > 0 && lo !== Infinity ? round(lo, digits) : null);
    out.max.push(count > 0 && hi !== -Infinity ? round(hi, digits) : null);
    out.first.push(buckets[start].first_step);
    out.last.push(buckets[end - 1].last_step);
  }
  return out;
}

/**
 * Downsampling by aligned runs of steps (per-parameter lines): the points merge the buckets of
 * runs of W pushes, W the smallest power of two that leaves at most `max_points` points, counted
 * from the series' first push. A BoundedSeries' buckets are aligned runs of a power-of-two
 * number of pushes, so when they are no wider than W each point covers exactly the same steps
 * whatever resolution the series kept (trace.ts PARAM_CAPACITY against the group's 2000
 * buckets): same x, count, min and max, and the same mean up to the order of the additions.
 * Buckets wider than W (a series coarser than the display) are points of their own.
 */
export function downsampleAligned(
  buckets: readonly Bucket[],
  max_points: number,
  low?: readonly Bucket[],
  high?: readonly Bucket[],
  digits: number = DEFAULT_DIGITS,
): Points {
  if (!Number.isInteger(max_points) || max_points < 1) {
    throw new RangeError(`downsampleAligned: max_points must be a positive integer, got ${max_points}`);
  }
  let total = 0;
  for (const b of buckets) total += b.pushes;
  let W = 1;
  while (Math.ceil(total / W) > max_points) W *= 2;
  const out: Points = { x: [], mean: [], min: [], max: [], first: [], last: [] };
  let start = 0;
  let pushed = 0;
  while (start < buckets.length) {
    const edge = (Math.floor(pushed / W) + 1) * W;
    let end = start;
    let count = 0, sum = 0, lo = Infinity, hi = -Infinity;
    do {
      const b = buckets[end];
      count += b.count;
      sum += b.sum;
      const l = low ? low[end] : b;
      const h = high ? high[end] : b;
      if (l && l.min !== null && l.min < lo) lo = l.min;
      if (h && h.max !== null && h.max > hi) hi = h.max;
      pushed += b.pushes;
      end++;
    } while (end < buckets.length && pushed < edge);
    out.x.push(pointStep(buckets, start, end));
    out.mean.push(count > 0 ? round(sum / count, digits) : null);
    out.min.push(count > 0 && lo !== Infinity ? round(lo, digits) : null);
    out.max.push(count > 0 && hi !== -Infinity ? round(hi, digits) : null);
    out.first.push(buckets[start].first_step);
    out.last.push(buckets[end - 1].last_step);
    start = end;
  }
  return out;
}

/**
 * A series that holds one value over runs of steps (a configured lr or momentum: a scheduler
 * changes them between steps, per epoch or not at all) as its stairs: each run of steps with one
 * value becomes its first and its last step (one point when the run is one step), so a line drawn
 * straight through the points is the exact staircase at a riser one step wide, in two points a
 * run however long. Means of merged steps drew a per-epoch schedule with slanted risers and a
 * constant lr in a hundred points (a teacher's pass). A bucket whose steps took several values
 * (the trace's own merging of a schedule that changed within it) is a point of its own at its
 * mean; a bucket of gaps a gap. Null when the steps are not integers (a range test's rates).
 * Each point's first and last step tile the run (spansOf): the first point of a run covers all
 * its steps but the last.
 */
export function stairs(buckets: readonly Bucket[], digits: number = DEFAULT_DIGITS): Points | null {
  const out: Points = { x: [], mean: [], min: [], max: [], first: [], last: [] };
  const push = (x: number, v: number | null, first: number, last: number) => {
    const r = round(v, digits);
    out.x.push(x); out.mean.push(r); out.min.push(r); out.max.push(r); out.first.push(first); out.last.push(last);
  };
  let i = 0;
  while (i < buckets.length) {
    const b = buckets[i];
    if (!Number.isInteger(b.first_step) || !Number.isInteger(b.last_step)) return null;
    const flat = b.count > 0 && b.count === b.pushes && b.min === b.max && b.min !== null;
    if (!flat) {
      push(pointStep(buckets, i, i + 1), b.count > 0 ? b.sum / b.count : null, b.first_step, b.last_step);
      i++;
      continue;
    }
    let j = i + 1;
    while (j < buckets.length) {
      const c = buckets[j];
      if (!(c.count > 0 && c.count === c.pushes && c.min === b.min && c.max === b.min && c.first_step === buckets[j - 1].last_step + 1)) break;
      j++;
    }
    const [a, z] = [b.first_step, buckets[j - 1].last_step];
    if (z > a) {
      push(a, b.min, a, z - 1);
      push(z, b.min, z, z);
    } else push(a, b.min, a, a);
    i = j;
  }
  return out;
}

/**
 * A set metric's line as the fewest points that give every step's value exactly, or null when
 * they cannot (a bucket of the trace merged steps of different values, a range test's rates):
 * each run of one value is its first and its last step (its stairs, as `stairs`), and points that
 * lie on the straight line between their neighbours (within 1e-9 relative) are left out, so a
 * linear ramp (CyclicLR's triangle, LinearLR's warm-up) is its ends and the line drawn straight
 * through the points passes through every step's value. Steps of a smooth schedule (cosine,
 * exponential) keep a point each. A gap (a bucket with no value) is a point of its own. Each
 * point covers the steps up to the next point's (spansOf); its value is that of its own step, x.
 * Merging steps into means drew a 100-step CyclicLR of three groups as a beat pattern of 4-step
 * means peaking at 0.086 instead of 0.1 (a user's pass).
 */
export function exactLine(buckets: readonly Bucket[], digits: number = SET_DIGITS): Points | null {
  // the samples: (step, value) at each run's ends
  const xs: number[] = [];
  const vs: (number | null)[] = [];
  for (const b of buckets) {
    if (!Number.isInteger(b.first_step) || !Number.isInteger(b.last_step)) return null;
    if (b.count === 0) { xs.push(b.first_step); vs.push(null); continue; }
    if (!(b.count === b.pushes && b.min === b.max && b.min !== null && Number.isFinite(b.min))) return null;
    const v = b.min;
    if (xs.length > 0 && xs[xs.length - 1] >= b.first_step) return null;
    const prev = vs.length > 1 ? vs[vs.length - 1] : null;
    // a run of one value continuing: move its end
    if (prev !== null && prev === v && vs[vs.length - 2] === v && xs[xs.length - 1] === b.first_step - 1) {
      xs[xs.length - 1] = b.last_step;
      continue;
    }
    xs.push(b.first_step); vs.push(v);
    if (b.last_step > b.first_step) { xs.push(b.last_step); vs.push(v); }
  }
  // greedy: from each kept point, the farthest sample whose line passes every sample between
  const keep: number[] = [];
  const n = xs.length;
  const on = (i: number, j: number): boolean => {
    const [a, b] = [vs[i] as number, vs[j] as number];
    for (let k = i + 1; k < j; k++) {
      const v = vs[k] as number;
      const line = a + ((b - a) * (xs[k] - xs[i])) / (xs[j] - xs[i]);
      if (Math.abs(v - line) > 1e-9 * Math.max(Math.abs(v), Math.abs(a), Math.abs(b))) return false;
    }
    return true;
  };
  let i = 0;
  while (i < n) {
    keep.push(i);
    if (vs[i] === null) { i++; continue; }
    let j = i + 1;
    while (j + 1 < n && vs[j] !== null && vs[j + 1] !== null && on(i, j + 1)) j++;
    i = j;
  }
  const out: Points = { x: [], mean: [], min: [], max: [], first: [], last: [] };
  const lastStep = buckets.length > 0 ? buckets[buckets.length - 1].last_step : 0;
  keep.forEach((k, idx) => {
    const r = round(vs[k], digits);
    const end = idx + 1 < keep.length ? xs[keep[idx + 1]] - 1 : lastStep;
    out.x.push(xs[k]); out.mean.push(r); out.min.push(r); out.max.push(r); out.first.push(xs[k]); out.last.push(end);
  });
  return out;
}

/**
 * The x of the point that merges `buckets[start..end)`: the series' first step for the first
 * point, its last step for the last point (a single point: the last step, the latest value of a
 * live run), else the middle of the merged steps: when they are every integer between the first
 * and the last (a trace's steps), the middle integer; else the first step of the middle bucket (a
 * range test's learning rates, which are samples on a log scale).
 */
export function pointStep(buckets: readonly Bucket[], start: number, end: number): number {
  const first = buckets[start].first_step;
  const last = buckets[end - 1].last_step;
  if (end === buckets.length) return last;
  if (start === 0) return first;
  let pushes = 0;
  for (let i = start; i < end; i++) pushes += buckets[i].pushes;
  if (Number.isInteger(first) && Number.isInteger(last) && last - first + 1 === pushes) return Math.floor((first + last) / 2);
  return buckets[start + Math.floor((end - start) / 2)].first_step;
}

/** Buckets of width one from plain samples (schedule previews, range tests). */
export function bucketsOf(x: readonly number[], y: readonly (number | null)[]): Bucket[] {
  if (x.length !== y.length) throw new RangeError(`bucketsOf: x has ${x.length} values but y has ${y.length}`);
  return x.map((step, i) => {
    const v = y[i];
    const ok = v !== null && Number.isFinite(v);
    return {
      first_step: step,
      last_step: step,
      pushes: 1,
      count: ok ? 1 : 0,
      sum: ok ? (v as number) : 0,
      mean: ok ? v : null,
      min: ok ? v : null,
      max: ok ? v : null,
      last: ok ? v : null,
    };
  });
}
