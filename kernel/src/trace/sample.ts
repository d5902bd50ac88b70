/**
 * Quantile summaries of a step's per-element rates over one or more parameters ("parts") without
 * materialising a value per element (see quantiles.ts for the sampling contract):
 *
 * - `rhoQuantiles`: ρ_i = −Δ_i/g_i over the elements with g_i ≠ 0, given the parts' combined
 *   sums (sums.ts), which already hold the exact min/max and the count M of such elements.
 *   M ≤ S: all M values are collected (exact). Otherwise sampled as below over the N elements,
 *   those with g = 0 left out (every element with g ≠ 0 is still drawn with the same
 *   probability): with S as the draw count when at least half the elements have g ≠ 0 (S·M/N ≥
 *   S/2 values on average: the draws the passes took, RhoDraws), else with ⌊S·N/M⌋ (at least S
 *   values on average, O(S·N/M) reads) when at least a quarter have; for sparser gradients (e.g.
 *   embeddings) the M values are compacted first and sampled from.
 * - `factorQuantiles`: the optimizer's factor over the elements whose state has seen a gradient
 *   (preconditioned.ts views and `counts`), exact min/max from `factorRange`, interior quantiles
 *   from all values or a sample drawn as ρ's.
 *
 * Sampling is jittered stratified sampling (see `strata`): each element is drawn with the same
 * probability, indices come in increasing order (sequential memory access, which matters when
 * the arrays are several MB: independent uniform draws were a cache miss each), and the strata
 * spread the sample evenly over the tensor. The generator has a fixed seed: the same step gives
 * the same summary.
 */
import type { Storage } from "../tensor/tensor";
import { counts, factorAt, factorOf, factorRange, factorX, factorXRange, type FactorView, type XRange } from "./preconditioned";
import { constantQuantiles, SAMPLE_SEED, SAMPLE_SIZE, summarize, summarizeDecreasing, xorshift32, type Quantiles } from "./quantiles";
import { native_rho_gather, type PassDraws } from "./native_sums";
import type { StepSums } from "./sums";

/** The arrays of one parameter: θ_t, g_t (snapshots) and θ_{t+1}. */
export interface ElementPart {
  theta: Storage;
  grad: Storage;
  after: Storage;
}

let buf = new Float64Array(SAMPLE_SIZE);
let compact = new Float64Array(0);

/**
 * Jittered stratified sampling of [0, N) with about `count` ≤ N draws: strata of L = ⌊N/count⌋
 * elements, F = ⌊N/L⌋ of them (count ≤ F < 2·count), stratum j = [jL, (j+1)L) with one index
 * drawn uniformly in each; the r = N − F·L < L trailing elements form a last, short stratum,
 * drawn as an index in [0, L) kept only when < r. So every element is drawn with probability
 * exactly 1/L, and there are at least `count` draws. Returns the drawn indices, increasing. The
 * seed is fixed, so the same (N, count) gives the same indices: the last few sets are kept and
 * reused (a trace draws the same sizes every step: the group's and, with `per_param`, each large
 * parameter's). The returned array must not be modified.
 */
export function strata(N: number, count: number): Int32Array {
  count = Math.max(1, Math.min(N, count));
  for (let k = 0; k < drawnSets.length; k++) {
    const d = drawnSets[k];
    if (d.N === N && d.count === count) return d.idx;
  }
  const L = Math.floor(N / count);
  const F = Math.floor(N / L);
  const r = N - F * L;
  const drawn = new Int32Array(F + 1);
  let s = SAMPLE_SEED;
  let m = 0;
  for (let j = 0; j <= F; j++) {
    s = xorshift32(s);
    const off = s % L;
    if (j < F || off < r) drawn[m++] = j * L + off;
  }
  const idx = drawn.subarray(0, m);
  drawnSets.unshift({ N, count, idx });
  if (drawnSets.length > KEPT_SETS) drawnSets.pop();
  return idx;
}
/** Index sets kept by `strata` (each at most 2·count + 1 indices, ~33 KB at SAMPLE_SIZE). */
const KEPT_SETS = 8;
const drawnSets: { N: number; count: number; idx: Int32Array }[] = [];

function ensure(n: number): void {
  if (buf.length < n) buf = new Float64Array(n);
}

/** Write every ρ of the parts into `out` (which must hold sums.nonzero values); returns the count. */
function collectRho(parts: readonly ElementPart[], out: Float64Array): number {
  let m = 0;
  for (let k = 0; k < parts.length; k++) {
    const { theta, grad, after } = parts[k];
    const n = theta.length;
    for (let i = 0; i < n; i++) {
      const g = grad[i];
      if (g !== 0) out[m++] = -(after[i] - theta[i]) / g;
    }
  }
  return m;
}

const NO_DRAWS = new Int32Array(0);

/** How many ρ summaries used a RhoDraws sample (tests check that the path was taken). */
export const draws_stats = { used: 0 };

/**
 * A group's ρ sample, drawn while its parameters are measured one by one (steps.ts): each
 * parameter's draws (a `PartDraws` range, set by the pre-hook) are taken by SGD's native update as
 * it updates the parameter (optim/native_update.ts), or by its native pass in the post-hook, while
 * its values are in the cache (native_sums.ts), or read here right after its pass. The draws are
 * strata(N, SAMPLE_SIZE) over the group's N elements, which are rhoQuantiles's own when at least
 * half the elements of the group have g ≠ 0 (then it uses these, those with g = 0 left out: the
 * same values in the same order, without its reads afterwards, a cache miss or two per draw on a
 * large model: PERF.md sessions 20 and 24). Otherwise (its draw count depends on how many g ≠ 0)
 * rhoQuantiles draws on its own.
 */
export class RhoDraws {
  idx: Int32Array = NO_DRAWS;
  /** Draw j's ρ at j (NaN where g = 0: rhoQuantiles leaves those out). */
  values = new Float64Array(0);
  /** Elements of the group's parts given a range this step; −1: not drawing. */
  private taken = -1;
  private N = 0;
  private end = 0;

  /** A new step of a group of N elements (none drawn when N ≤ SAMPLE_SIZE: rhoQuantiles reads every ρ then). */
  begin(N: number): void {
    this.N = N;
    this.end = 0;
    if (N <= SAMPLE_SIZE) {
      this.taken = -1;
      return;
    }
    this.idx = strata(N, SAMPLE_SIZE);
    if (this.values.length < this.idx.length) this.values = new Float64Array(this.idx.length);
    this.taken = 0;
  }

  /** The next part's (n elements) draws into `into`; false (nothing to take) when not drawing. */
  next(n: number, into: PassDraws): boolean {
    if (this.taken < 0) return false;
    const idx = this.idx, limit = this.taken + n;
    let lo = this.end, hi = idx.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (idx[mid] < limit) lo = mid + 1;
      else hi = mid;
    }
    into.idx = idx;
    into.values = this.values;
    into.base = this.taken;
    into.j0 = this.end;
    into.j1 = lo;
    this.end = lo;
    this.taken = limit;
    return true;
  }

  /** Drops this step's draws (after its measurement: a later step's must be its own). */
  clear(): void {
    this.taken = -1;
  }

  /** Whether every part of a group of N elements was given its range, in order. */
  complete(N: number): boolean {
    return this.taken === N && this.N === N && this.end === this.idx.length;
  }
}

/** A part's draws of a RhoDraws (its `next`), allocated once per parameter. */
export function partDraws(): PassDraws {
  return { idx: NO_DRAWS, j0: 0, j1: 0, base: 0, values: new Float64Array(0) };
}

/** Reads a part's draws not taken by native code (rhoQuantiles's operations); marks them taken. */
export function readDraws(d: PassDraws, part: ElementPart): void {
  const { idx, values, base, j1 } = d;
  const { theta, grad, after } = part;
  for (let j = d.j0; j < j1; j++) {
    const i = idx[j] - base;
    const g = grad[i];
    values[j] = g !== 0 ? -(after[i] - theta[i]) / g : NaN;
  }
  d.j0 = j1;
}

/**
 * Quantiles of ρ over the parts; `sums` are their combined sums, finite with nonzero > 0. `draws`:
 * the parts' sample drawn during their passes (RhoDraws), used when it is the one drawn here.
 */
export function rhoQuantiles(parts: readonly ElementPart[], sums: StepSums, draws: RhoDraws | null = null): Quantiles {
  const { rho_min: min, rho_max: max } = sums;
  if (min === max) return constantQuantiles(min);
  const M = sums.nonzero;
  if (M <= SAMPLE_SIZE) return summarize(buf, collectRho(parts, buf), min, max);
  let N = 0;
  for (const p of parts) N += p.theta.length;
  if (2 * M >= N) {
    // at least half the elements have g ≠ 0 (a network's layers mostly do: some 0 from ReLU's
    // dead units or inputs that are always 0): the sample is strata(N, S) with the draws whose
    // g = 0 left out, S·M/N ≥ S/2 values on average, each element with g ≠ 0 drawn with the same
    // probability. Those are the draws RhoDraws took during the passes, when it has them all:
    // no reads afterwards (a cache miss or two per draw on a large model: PERF.md session 24).
    let m: number;
    if (draws !== null && draws.complete(N)) {
      draws_stats.used++;
      if (M === N) return summarize(draws.values, draws.idx.length, min, max);
      m = keepDrawn(draws.values, draws.idx.length);
    } else m = gatherRho(parts, strata(N, SAMPLE_SIZE));
    if (m > 0) return summarize(buf, m, min, max);
  } else if (4 * M >= N) {
    // at least S·N/M draws, each element drawn with the same probability: on average at least S
    // of the draws have g ≠ 0
    const m = gatherRho(parts, strata(N, Math.floor((SAMPLE_SIZE * N) / M)));
    if (m > 0) return summarize(buf, m, min, max);
  }
  if (compact.length < M) compact = new Float64Array(M);
  const m = collectRho(parts, compact);
  const idx = strata(m, SAMPLE_SIZE);
  ensure(idx.length);
  for (let j = 0; j < idx.length; j++) buf[j] = compact[idx[j]];
  return summarize(buf, idx.length, min, max);
}

/** The ρ of the drawn elements idx (increasing, over the parts in order) with g ≠ 0 into `buf`, in order; returns their count. */
function gatherRho(parts: readonly ElementPart[], idx: Int32Array): number {
  ensure(idx.length);
  const gather = native_rho_gather();
  if (gather !== null) {
    // the same reads and float64 operations in native code: each draw is a cache miss or two on a
    // large model, which the JavaScript loop below pays with its per-element costs on top
    const arrays: Storage[] = [];
    for (const p of parts) arrays.push(p.theta, p.grad, p.after);
    return gather(arrays, idx, buf);
  }
  let m = 0, k = 0, start = 0, end = parts[0].theta.length;
  for (let j = 0; j < idx.length; j++) {
    const u = idx[j];
    while (u >= end) {
      start = end;
      end += parts[++k].theta.length;
    }
    const p = parts[k];
    const i = u - start;
    const g = p.grad[i];
    if (g !== 0) buf[m++] = -(p.after[i] - p.theta[i]) / g;
  }
  return m;
}

/**
 * The first n of a RhoDraws' values without its NaNs (its draws with g = 0: a finite step's other
 * ρ are numbers, ±∞ at most) into `buf`, in order: what `gatherRho` reads for the same draws.
 */
function keepDrawn(values: Float64Array, n: number): number {
  ensure(n);
  let m = 0;
  for (let j = 0; j < n; j++) {
    const v = values[j];
    if (v === v) buf[m++] = v;
  }
  return m;
}

/** The exact [min, max] of each view's factor and of its x (preconditioned.ts), taken once a step. */
export interface FactorRanges {
  f: [number, number][];
  x: XRange[];
}

/**
 * `into`: ranges to refresh and return instead of new ones (a tracer's, kept from one step to the
 * next: PERF.md session 22); its pairs and triples are rewritten, and its arrays cut to the views.
 */
export function factorRanges(views: readonly FactorView[], into: FactorRanges | null = null): FactorRanges {
  const r = into ?? { f: [], x: [] };
  const f = r.f, x = r.x;
  for (let k = 0; k < views.length; k++) {
    const v = views[k];
    const xr = factorXRange(v, k < x.length ? x[k] : null);
    x[k] = xr;
    f[k] = factorRange(v, xr, k < f.length ? f[k] : null);
  }
  if (x.length !== views.length) x.length = views.length;
  if (f.length !== views.length) f.length = views.length;
  return r;
}

/**
 * Quantiles of the optimizer's factor over the parts' elements that count (preconditioned.ts
 * `counts`: the state has seen a gradient there; null when none does). NaN factors (an optimizer
 * state gone non-finite: a diverged run) have no rank and are left out; when nothing else is
 * left, every quantile is NaN. `ranges`: the views' factorRanges, when the caller has them (a
 * per_param trace takes the group's and each parameter's from the same views).
 *
 * Cost: when the views share one factor f(x) that is non-increasing over their x (Adam, Adamax,
 * RMSprop, Adagrad, NAdam, adaptive RAdam with lr > 0, a state with x ≥ 0; mode 2 and ε = 0 need x > 0, where the sign
 * of a zero would matter), the x are selected and f is taken at the ten ranks a summary reads
 * (`summarizeDecreasing`): the same numbers as taking f of every element, without the √ and ÷
 * per element. Otherwise f of every element drawn, as before (mode 4, whose view holds the factors
 * themselves, always).
 */
export function factorQuantiles(views: readonly FactorView[], ranges: FactorRanges = factorRanges(views)): Quantiles | null {
  let min = Infinity, max = -Infinity, N = 0, M = 0;
  let xlo = Infinity, xhi = -Infinity;
  let shared = views.length > 0;
  const f0 = views[0];
  for (let k = 0; k < views.length; k++) {
    const f = views[k];
    N += f.n;
    const xr = ranges.x[k];
    const a = xr[0], b = xr[1], m = xr[2];
    if (m === 0) continue;
    M += m;
    const fr = ranges.f[k];
    const lo = fr[0], hi = fr[1];
    if (lo < min) min = lo;
    if (hi > max) max = hi;
    if (a < xlo) xlo = a;
    if (b > xhi) xhi = b;
    if (f.mode !== f0.mode || f.c !== f0.c || f.s !== f0.s || f.eps !== f0.eps) shared = false;
  }
  if (M === 0) return null;
  if (!(min <= max)) return constantQuantiles(NaN);
  if (min === max) return constantQuantiles(min); // every factor equal (SGD: γ), nothing to sample
  const decreasing = shared && f0.mode !== 0 && f0.mode !== 4 && f0.c > 0 && Number.isFinite(f0.c) && f0.s > 0 && Number.isFinite(f0.s) && f0.eps >= 0
    && Number.isFinite(f0.eps) && (f0.mode === 2 || f0.eps === 0 ? xlo > 0 : xlo >= 0) && xlo <= xhi;
  // decreasing: the draws hold x, and f is taken at the summary's ranks only
  const m = draw(views, N, M, decreasing);
  if (m === 0) return { min, q05: NaN, q25: NaN, q50: NaN, q75: NaN, q95: NaN, max };
  if (!decreasing) return summarize(buf, m, min, max);
  summarized = f0;
  try {
    return summarizeDecreasing(buf, m, min, max, factorOfSummarized, xlo, xhi);
  } finally {
    summarized = null;
  }
}

/**
 * The view `factorQuantiles` summarizes, and f of it as one function made once (not a closure
 * over the view at every step: the tracer's fixed per-step cost on tiny models, PERF.md).
 */
let summarized: FactorView | null = null;
const factorOfSummarized = (x: number): number => factorOf(summarized as FactorView, x);

/**
 * Draws the factors (or, with `xs`, the x) of the M elements that count among the views' N into
 * `buf`, NaN left out; returns how many. As rhoQuantiles: all M values when M ≤ S; else at least
 * S draws on average among them, over all N elements with ⌊S·N/M⌋ strata (S when every element
 * counts: the draws of a trace with nothing left out are those it always took); for sparser
 * states (M < N/4) the M values are compacted first and sampled from.
 */
function draw(views: readonly FactorView[], N: number, M: number, xs: boolean): number {
  const at = xs ? factorX : factorAt;
  let m = 0;
  if (M <= SAMPLE_SIZE) {
    for (let k = 0; k < views.length; k++) {
      const v = views[k];
      for (let i = 0; i < v.n; i++) {
        if (!counts(v, i)) continue;
        const x = at(v, i);
        if (x === x) buf[m++] = x;
      }
    }
    return m;
  }
  if (4 * M >= N) {
    const idx = strata(N, M === N ? SAMPLE_SIZE : Math.floor((SAMPLE_SIZE * N) / M));
    ensure(idx.length);
    let k = 0, start = 0, end = views[0].n;
    for (let j = 0; j < idx.length; j++) {
      const u = idx[j];
      while (u >= end) {
        start = end;
        end += views[++k].n;
      }
      const v = views[k], i = u - start;
      if (!counts(v, i)) continue;
      const x = at(v, i);
      if (x === x) buf[m++] = x;
    }
    return m;
  }
  if (compact.length < M) compact = new Float64Array(M);
  let c = 0;
  for (const v of views) for (let i = 0; i < v.n; i++) if (counts(v, i)) compact[c++] = at(v, i);
  const idx = strata(c, SAMPLE_SIZE);
  ensure(idx.length);
  for (let j = 0; j < idx.length; j++) {
    const x = compact[idx[j]];
    if (x === x) buf[m++] = x;
  }
  return m;
}

