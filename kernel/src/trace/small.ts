/**
 * The small-step path: a step whose parameters with a gradient hold at most SMALL_MAX elements
 * together (none of them WASM_MIN_ELEMENTS or more, no sparse gradient, float32/float64 data),
 * measured by one tight pass per group over buffers kept from step to step, instead of the
 * general pipeline's slots, passes and summaries (steps.ts). On such a step the tracer's cost is
 * all fixed costs (function calls, objects, bookkeeping: PERF.md sessions 18, 22, 26), which this
 * path cuts; the numbers are the same bit for bit.
 *
 * What the general path does for such a step (snapshot.ts capture/take_after/measure_slot,
 * step_job.ts measureGroup, sample.ts rhoQuantiles/factorQuantiles), and what this path does:
 * - θ_t and g_t are copied before the step into buffers of the parameter's own type (as
 *   snapshot.ts `copyOwn` keeps them, the same values);
 * - after the step, one loop per parameter takes its sums (sums.ts `accumulate`, the same
 *   operations in the same order) and writes each ρ = −Δ/g (g ≠ 0) into a buffer as it goes,
 *   what sample.ts `collectRho` would read afterwards; the group's sums are the parameters' added
 *   in order (StepSums `add`'s operations). A parameter for which `accumulate` would take its
 *   careful pass (a sum not finite, or an underflow: sums.ts) sends its group through the general
 *   functions (accumulate, StepSums.add, rhoQuantiles) on the same buffers;
 * - the metrics are metrics.ts `measure` of those sums (the same function);
 * - ρ's summary: every ρ of the group (N ≤ SMALL_MAX ≤ SAMPLE_SIZE: the general path collects them
 *   all too), ordered by the order kept from the last step (KeptOrder) when there are at most SORT_MAX, else quantiles.ts
 *   `summarize`. The order statistics are the same values whatever finds them (ties are equal
 *   values, but for ±0, which the levels' a + (b − a)·t turns into +0 either way), and the levels
 *   are formed by the same expressions (`level` below; quantiles.ts `level` and `plansFor`);
 * - the factor's summary (lr_preconditioned) from the optimizer's factor views (preconditioned.ts
 *   factorView, the same function): when the views share one non-increasing f over x (the case
 *   sample.ts factorQuantiles takes through summarizeDecreasing: Adam, Adamax, RMSprop, Adagrad,
 *   NAdam, adaptive RAdam), one loop per view takes x's range (factorXRange's branches), f of its
 *   ends (factorRange) and collects the x that count (draw), and the levels are taken from the
 *   sorted x as summarizeDecreasing takes them (f at the mirrored ranks); any other case goes
 *   through sample.ts factorQuantiles itself.
 */
import type { Storage, Tensor } from "../tensor/tensor";
import { angle, measure, PARALLEL } from "./metrics";
import { factorAtX, MetricsRow, R_ANGLE, R_ELEMENTWISE, R_GRAD_NORM, R_PARAM_NORM, R_PRECONDITIONED, R_PROJECTED, R_RATIO, R_REALIZED, setConstant, setMeasured, setQuantiles } from "./row";
import { factorOf, type FactorView } from "./preconditioned";
import { SAMPLE_SIZE, summarize, summarizeDecreasing, type Quantiles } from "./quantiles";
import { rhoQuantiles } from "./sample";
import { WASM_MIN_ELEMENTS } from "./step_job";
import { accumulate, StepSums, TINY, underflows } from "./sums";

/**
 * The most elements the parameters with a gradient may hold together for a step to take this path:
 * SAMPLE_SIZE, up to which the general path reads every ρ and every factor too (no sample).
 */
export const SMALL_MAX = SAMPLE_SIZE;

/** At most this many values are ordered by KeptOrder (above: quantiles.ts summarize / summarizeDecreasing). */
const SORT_MAX = 48;

/** One parameter of a small step: its copies of θ_t and g_t (kept across steps) and θ_{t+1} (in place, after the step). */
export interface SmallSlot {
  p: Tensor;
  /** Its index in its group's params (its default name, for errors). */
  index: number;
  theta: Storage;
  grad: Storage;
  after: Storage;
  /** Its sums when its group goes through the general functions (made then). */
  sums: StepSums | null;
  /** Whether θ_t's and g_t's copies are float32 (else float64), as the parameter's and gradient's data. */
  f32: boolean;
  gf32: boolean;
}

/** How many steps took the small path (tests check that it was taken). */
export const small_stats = { steps: 0, general: 0 };

/**
 * The copies of a small step, group by group (`lists`), and what measures a group from them after
 * the step (`measureGroup`).
 */
export class SmallSteps {
  /** Per group captured: its parameters with a gradient, in order. */
  readonly lists: SmallSlot[][] = [];
  /** Groups captured at the last `capture`. */
  groups = 0;
  /** Each parameter's slot (its buffers kept while its size and types stay). */
  private readonly slotOf = new Map<Tensor, SmallSlot>();

  /**
   * Pre-hook: copies θ_t and g_t of every parameter with a gradient when the step is small (see
   * the file comment); false (nothing to use: the general path captures) otherwise.
   */
  capture(groups: readonly { params: readonly Tensor[] }[]): boolean {
    let total = 0;
    const G = groups.length;
    const lists = this.lists;
    for (let gi = 0; gi < G; gi++) {
      const list = lists[gi] ?? (lists[gi] = []);
      const params = groups[gi].params;
      let k = 0;
      for (let i = 0; i < params.length; i++) {
        const p = params[i];
        const grad = p.grad;
        if (grad === null || grad === undefined) continue;
        if (grad.is_sparse) return false;
        const data = p.data, gd = grad.data;
        const n = data.length;
        total += n;
        if (n >= WASM_MIN_ELEMENTS || total > SMALL_MAX || gd.length !== n) return false;
        const f32 = data instanceof Float32Array, gf32 = gd instanceof Float32Array;
        if (!(f32 || data instanceof Float64Array) || !(gf32 || gd instanceof Float64Array)) return false;
        let slot = list[k];
        if (slot === undefined || slot.p !== p || slot.theta.length !== n || slot.f32 !== f32 || slot.gf32 !== gf32) {
          slot = this.slotFor(p, n, f32, gf32);
          list[k] = slot;
        }
        slot.index = i;
        // (a loop: TypedArray.prototype.set is ~20-40 ns a call; a signalling NaN would come back
        // quiet through the loop's float64, which no measurement tells apart)
        const theta = slot.theta, g = slot.grad;
        for (let j = 0; j < n; j++) {
          theta[j] = data[j];
          g[j] = gd[j];
        }
        k++;
      }
      // (an array's length set is a call into the runtime: only when it changes)
      if (list.length !== k) list.length = k;
    }
    this.groups = G;
    return true;
  }

  private slotFor(p: Tensor, n: number, f32: boolean, gf32: boolean): SmallSlot {
    let slot = this.slotOf.get(p);
    if (slot === undefined || slot.theta.length !== n || slot.f32 !== f32 || slot.gf32 !== gf32) {
      const theta = f32 ? new Float32Array(n) : new Float64Array(n);
      slot = { p, index: 0, theta, grad: gf32 ? new Float32Array(n) : new Float64Array(n), after: theta, sums: null, f32, gf32 };
      this.slotOf.set(p, slot);
    }
    return slot;
  }

  /** After the post-hook: the live data of the parameters is not held. */
  release(): void {
    const lists = this.lists;
    for (let gi = 0; gi < lists.length; gi++) {
      const list = lists[gi];
      for (let k = 0; k < list.length; k++) list[k].after = list[k].theta;
    }
    this.groups = 0;
  }

  /** The trace stops: nothing kept. */
  clear(): void {
    this.lists.length = 0;
    this.slotOf.clear();
    this.groups = 0;
  }

  /**
   * Post-hook: group `gi`'s sums (into `total`, reset here) and measured metrics (metrics.ts
   * `measure`'s) into `row`, its ρ summary when `elementwise` (ordered by `order`). Throws (as
   * snapshot.ts take_after) when a parameter changed size in the step; `label` names it then.
   */
  measureGroup(gi: number, total: StepSums, elementwise: boolean, label: (slot: SmallSlot) => string, order: KeptOrder, row: MetricsRow): void {
    const list = this.lists[gi];
    let dgT = 0, ggT = 0, ddT = 0, ttT = 0, aaT = 0, tdT = 0, nT = 0, mT = 0;
    let loT = Infinity, hiT = -Infinity;
    let fast = true;
    const buf = rhoBuf;
    let r = 0;
    for (let k = 0; k < list.length; k++) {
      const slot = list[k];
      const theta = slot.theta, grad = slot.grad, after = slot.p.data;
      const n = theta.length;
      if (after.length !== n) {
        throw new RangeError(`trace: parameter ${label(slot)} changed size during step() (${n} → ${after.length} elements)`);
      }
      slot.after = after;
      if (!fast) continue;
      // sums.ts accumulate's loop, ρ written as collectRho writes it
      let dg = 0, gg = 0, dd = 0, tt = 0, aa = 0, td = 0, m = 0;
      let lo = Infinity, hi = -Infinity;
      for (let i = 0; i < n; i++) {
        const t = theta[i];
        const a = after[i];
        const g = grad[i];
        const d = a - t;
        dg += d * g;
        gg += g * g;
        dd += d * d;
        tt += t * t;
        aa += a * a;
        td += t * d;
        if (g !== 0) {
          const x = -d / g;
          if (x < lo) lo = x;
          if (x > hi) hi = x;
          m++;
          buf[r++] = x;
        }
      }
      // accumulate's test for its careful pass (a sum not finite, or one below TINY that is an
      // underflow: never for float32 data, a zero update or gradient is not one): the general
      // functions then, on the same arrays
      if (!Number.isFinite(dg + gg + dd + tt + aa + td) || ((tt < TINY || gg < TINY || dd < TINY || aa < TINY) && underflows(theta, grad, after, tt, gg, dd, aa, m > 0))) {
        fast = false;
        continue;
      }
      // accumulate's addTotals into reset sums, then StepSums.add into the group's
      const dg1 = dgT + (0 + dg), gg1 = ggT + (0 + gg), dd1 = ddT + (0 + dd);
      const tt1 = ttT + (0 + tt), aa1 = aaT + (0 + aa), td1 = tdT + (0 + td);
      if (!Number.isFinite(dg1 + gg1 + dd1 + tt1 + aa1 + td1)) {
        fast = false;
        continue;
      }
      dgT = dg1;
      ggT = gg1;
      ddT = dd1;
      ttT = tt1;
      aaT = aa1;
      tdT = td1;
      nT += n;
      mT += m;
      if (lo < loT) loT = lo;
      if (hi > hiT) hiT = hi;
    }
    total.reset();
    if (!fast) {
      // the general functions, as step_job.ts measureGroup
      for (let k = 0; k < list.length; k++) {
        const slot = list[k];
        const s = (slot.sums ??= new StepSums()).reset();
        accumulate(slot.theta, slot.grad, slot.after, s);
        total.add(s);
      }
      small_stats.general++;
      slowParts = list;
      slowSums = total;
      try {
        setMeasured(row, measure(total, elementwise ? rhoOfSlow : null, list));
      } finally {
        slowParts = NO_SLOTS;
        slowSums = noSums;
      }
      return;
    }
    // metrics.ts measure() of these sums: finite, every scaling exponent 0 (ldexp by 0 is the
    // number itself), into the row
    row.finite = true;
    row.elements = nT;
    row.nonzero = mT;
    const v = row.v, none = row.none;
    if (nT <= 0) {
      none[R_PROJECTED] = none[R_REALIZED] = none[R_RATIO] = none[R_ANGLE] = none[R_GRAD_NORM] = none[R_PARAM_NORM] = none[R_ELEMENTWISE] = 1;
      return;
    }
    const gn = Math.sqrt(ggT), pn = Math.sqrt(ttT), dn = Math.sqrt(ddT);
    const ok = ggT > 0 && Number.isFinite(ggT);
    if (ok) {
      none[R_PROJECTED] = 0;
      v[R_PROJECTED] = -dgT / ggT;
      none[R_REALIZED] = 0;
      v[R_REALIZED] = dn / gn;
    } else none[R_PROJECTED] = none[R_REALIZED] = 1;
    if (ttT > 0) {
      none[R_RATIO] = 0;
      v[R_RATIO] = dn / pn;
    } else none[R_RATIO] = 1;
    if (ttT > 0 && aaT > 0) {
      none[R_ANGLE] = 0;
      // metrics.ts angle() where its exponents are 0 (tt·dd within (1e-250, 1e250)) and Δ is not
      // nearly parallel to θ (no `residual` pass): atan2(√(tt·dd − td²), tt + td); else angle() itself
      const p = ttT * ddT, cross = nT === 1 ? 0 : p - tdT * tdT;
      if (ddT === 0) v[R_ANGLE] = 0;
      else if (p > 1e-250 && p < 1e250 && !(nT > 1 && cross < PARALLEL * p)) v[R_ANGLE] = Math.atan2(Math.sqrt(cross > 0 ? cross : 0), ttT + tdT);
      else {
        total.dg = dgT;
        total.gg = ggT;
        total.dd = ddT;
        total.tt = ttT;
        total.aa = aaT;
        total.td = tdT;
        total.n = nT;
        total.nonzero = mT;
        total.rho_min = loT;
        total.rho_max = hiT;
        v[R_ANGLE] = angle(total, list);
      }
    } else none[R_ANGLE] = 1;
    none[R_GRAD_NORM] = 0;
    v[R_GRAD_NORM] = gn;
    none[R_PARAM_NORM] = 0;
    v[R_PARAM_NORM] = pn;
    if (ok && mT > 0 && elementwise) {
      // sample.ts rhoQuantiles with every ρ collected (M ≤ SAMPLE_SIZE)
      if (loT === hiT) setConstant(row, R_ELEMENTWISE, loT);
      else {
        // (the extremes in the row first: no number passed to a call, which would box it)
        v[R_ELEMENTWISE] = loT;
        v[R_ELEMENTWISE + 6] = hiT;
        summarizeSmall(rhoBuf, r, order, row, R_ELEMENTWISE);
      }
    } else none[R_ELEMENTWISE] = 1;
  }
}

const noSums = new StepSums();
const NO_SLOTS: readonly SmallSlot[] = [];

/** Every ρ of the group measured last (SmallSteps.measureGroup), in collectRho's order. */
const rhoBuf = new Float64Array(SMALL_MAX);
let slowParts: readonly SmallSlot[] = NO_SLOTS;
let slowSums: StepSums = noSums;
const rhoOfSlow = (): Quantiles => rhoQuantiles(slowParts, slowSums, null);


/** The interior levels (quantiles.ts LEVELS). */
const L0 = 0.05, L1 = 0.25, L2 = 0.5, L3 = 0.75, L4 = 0.95;

/**
 * An ascending order of m values (no NaN) kept from one step to the next: `sorted(a, m)` gathers
 * a[0..m) in the order that sorted the last call's values (`perm`: where each came from), then
 * finishes by insertion sort, moving `perm` along. A small model's values (its ρ, its optimizer's
 * state) keep nearly the same order from step to step, so the gathered values are nearly always
 * sorted already: m − 1 comparisons whose branches are predicted, where a sort from scratch
 * mispredicted about one branch per value (~50 ns of the tiny model's ~11 values). The values
 * are sorted whatever the order kept: an order statistic is the same value whatever finds it.
 */
export class KeptOrder {
  private perm = new Int32Array(0);
  private vals = new Float64Array(0);
  private m = -1;

  /** a[0..m) sorted ascending, into `into` (at least m long) or a buffer of this order's (a is not modified). */
  sorted(a: Float64Array, m: number, into: Float64Array | null = null): Float64Array {
    if (m !== this.m) {
      if (this.perm.length < m) {
        this.perm = new Int32Array(m);
        this.vals = new Float64Array(m);
      }
      for (let k = 0; k < m; k++) this.perm[k] = k;
      this.m = m;
    }
    const perm = this.perm, v = into ?? this.vals;
    for (let k = 0; k < m; k++) v[k] = a[perm[k]];
    for (let i = 1; i < m; i++) {
      const x = v[i];
      if (!(v[i - 1] > x)) continue;
      const pi = perm[i];
      let j = i - 1;
      do {
        v[j + 1] = v[j];
        perm[j + 1] = perm[j];
        j--;
      } while (j >= 0 && v[j] > x);
      v[j + 1] = x;
      perm[j + 1] = pi;
    }
    return v;
  }
}

/**
 * quantiles.ts `summarize` of values[0..m) (permuted above SORT_MAX), ordered by `order` when m is
 * small, into the row's summary at slot `at` (row.ts), whose min and max the caller wrote there. Each level
 * q is quantiles.ts `level` of the sorted values: a[lo] + (a[hi] − a[lo])·(pos − lo), pos = q·(m − 1),
 * lo = ⌊pos⌋, hi = min(m − 1, lo + 1) (plansFor's ranks).
 */
export function summarizeSmall(values: Float64Array, m: number, order: KeptOrder, row: MetricsRow, at: number): void {
  const min = row.v[at], max = row.v[at + 6];
  if (min === max) {
    setConstant(row, at, min);
    return;
  }
  if (m > SORT_MAX) {
    setQuantiles(row, at, summarize(values, m, min, max));
    return;
  }
  const buf = order.sorted(values, m);
  const last = m - 1;
  const p0 = L0 * last, p1 = L1 * last, p2 = L2 * last, p3 = L3 * last, p4 = L4 * last;
  const i0 = Math.floor(p0), i1 = Math.floor(p1), i2 = Math.floor(p2), i3 = Math.floor(p3), i4 = Math.floor(p4);
  const a0 = buf[i0], a1 = buf[i1], a2 = buf[i2], a3 = buf[i3], a4 = buf[i4];
  const v = row.v;
  row.none[at] = 0;
  v[at + 1] = a0 + (buf[Math.min(last, i0 + 1)] - a0) * (p0 - i0);
  v[at + 2] = a1 + (buf[Math.min(last, i1 + 1)] - a1) * (p1 - i1);
  v[at + 3] = a2 + (buf[Math.min(last, i2 + 1)] - a2) * (p2 - i2);
  v[at + 4] = a3 + (buf[Math.min(last, i3 + 1)] - a3) * (p3 - i3);
  v[at + 5] = a4 + (buf[Math.min(last, i4 + 1)] - a4) * (p4 - i4);
}

/** The x a factor summary collects (SMALL_MAX elements at most). */
const xBuf = new Float64Array(SMALL_MAX);

/** The view whose f summarizeDecreasing takes (above SORT_MAX values). */
let decreasingView: FactorView | null = null;
const fOfDecreasing = (x: number): number => factorOf(decreasingView as FactorView, x);

/**
 * sample.ts factorQuantiles(views) for the views of a small step (every element drawn), into the
 * row's lr_preconditioned (row.ts); false (nothing written) when the views do not share one
 * non-increasing f: the caller then takes factorQuantiles itself. See the file comment. `order`:
 * the group's (KeptOrder).
 *
 * Where f is non-increasing over the x that count (the `decreasing` conditions, as
 * factorQuantiles states them), the factor's min and max (factorQuantiles: the least and the
 * greatest of each view's factorRange, f of its x range's ends) are f of the largest and of the
 * smallest x: IEEE-754 √, ÷ and + are correctly rounded, hence monotone, so f(max x) ≤ f(x) for
 * every x, and it is one of the views' values (as preconditioned.ts factorRange relies on).
 */
export function smallFactor(views: readonly FactorView[], order: KeptOrder, row: MetricsRow): boolean {
  const f0 = views[0];
  const mode = f0.mode;
  if (mode !== 1 && mode !== 2 && mode !== 3) return false;
  const c = f0.c, s = f0.s, eps = f0.eps;
  for (let k = 1; k < views.length; k++) {
    const f = views[k];
    if (f.mode !== mode || f.c !== c || f.s !== s || f.eps !== eps) return false;
  }
  let M = 0;
  let xlo = Infinity, xhi = -Infinity;
  let buf: Float64Array = xBuf;
  let m = 0;
  for (let k = 0; k < views.length; k++) {
    const f = views[k];
    const v = f.v as ArrayLike<number>;
    const n = f.n;
    // preconditioned.ts factorXRange's branches, and draw's elements that count (x ≠ NaN kept)
    let lo = Infinity, hi = -Infinity, cnt = 0;
    if (mode === 3) {
      const w = f.w as ArrayLike<number>;
      for (let i = 0; i < n; i++) {
        if (v[i] === 0) continue;
        cnt++;
        const x = v[i] - w[i] * w[i];
        if (x < lo) lo = x;
        if (x > hi) hi = x;
        if (x === x) buf[m++] = x;
      }
    } else if (f.seen !== null && f.seen !== v) {
      const seen = f.seen;
      for (let i = 0; i < n; i++) {
        if (seen[i] === 0) continue;
        cnt++;
        const x = v[i];
        if (x < lo) lo = x;
        if (x > hi) hi = x;
        if (x === x) buf[m++] = x;
      }
    } else if (f.seen === null) {
      for (let i = 0; i < n; i++) {
        const x = v[i];
        if (x < lo) lo = x;
        if (x > hi) hi = x;
        if (x === x) buf[m++] = x;
      }
      cnt = n;
    } else {
      for (let i = 0; i < n; i++) {
        const x = v[i];
        if (x === 0) continue;
        cnt++;
        if (x < lo) lo = x;
        if (x > hi) hi = x;
        if (x === x) buf[m++] = x;
      }
    }
    if (cnt === 0) continue;
    M += cnt;
    if (lo < xlo) xlo = lo;
    if (hi > xhi) xhi = hi;
  }
  const P = R_PRECONDITIONED;
  if (M === 0) {
    row.none[P] = 1;
    return true;
  }
  const decreasing = c > 0 && Number.isFinite(c) && s > 0 && Number.isFinite(s) && eps >= 0
    && Number.isFinite(eps) && (mode === 2 || eps === 0 ? xlo > 0 : xlo >= 0) && xlo <= xhi;
  if (!decreasing) return false;
  const min = factorAtX(mode, c, s, eps, xhi), max = factorAtX(mode, c, s, eps, xlo);
  if (!(min <= max)) {
    setConstant(row, P, NaN);
    return true;
  }
  if (min === max) {
    setConstant(row, P, min);
    return true;
  }
  if (m === 0) {
    setQuantiles(row, P, { min, q05: NaN, q25: NaN, q50: NaN, q75: NaN, q95: NaN, max });
    return true;
  }
  if (m > SORT_MAX) {
    decreasingView = f0;
    try {
      setQuantiles(row, P, summarizeDecreasing(buf, m, min, max, fOfDecreasing, xlo, xhi));
    } finally {
      decreasingView = null;
    }
    return true;
  }
  // the sorted x kept in the row: its q25 and q75 are taken when its StepMetrics is made (row.ts
  // finishFactor), the series read the other levels
  if (row.xs.length < m) row.xs = new Float64Array(Math.max(m, 2 * row.xs.length));
  buf = order.sorted(buf, m, row.xs);
  // summarizeDecreasing: the k-th smallest f is f of the (m − 1 − k)-th smallest x; each level is
  // formed from those as `level` (f taken at every rank first: its divisions and roots overlap)
  const last = m - 1;
  const p0 = L0 * last, p2 = L2 * last, p4 = L4 * last;
  const i0 = Math.floor(p0), i2 = Math.floor(p2), i4 = Math.floor(p4);
  // f at the largest x is `min` and at the smallest `max` (the same x: xhi and xlo are the least and
  // the greatest x collected), so the ends are not evaluated again: q05 reads rank 0 of f (x's last)
  // while m ≤ 20, q95 rank m − 1 (x's first)
  const a0 = i0 === 0 ? min : factorAtX(mode, c, s, eps, buf[last - i0]), b0 = factorAtX(mode, c, s, eps, buf[last - Math.min(last, i0 + 1)]);
  const a2 = factorAtX(mode, c, s, eps, buf[last - i2]), b2 = factorAtX(mode, c, s, eps, buf[last - Math.min(last, i2 + 1)]);
  const a4 = factorAtX(mode, c, s, eps, buf[last - i4]), b4 = i4 + 1 >= last ? max : factorAtX(mode, c, s, eps, buf[last - Math.min(last, i4 + 1)]);
  const v = row.v;
  row.none[P] = 0;
  v[P] = min;
  v[P + 1] = a0 + (b0 - a0) * (p0 - i0);
  v[P + 3] = a2 + (b2 - a2) * (p2 - i2);
  v[P + 5] = a4 + (b4 - a4) * (p4 - i4);
  v[P + 6] = max;
  row.xm = m;
  const fx = row.fx;
  fx[0] = mode;
  fx[1] = c;
  fx[2] = s;
  fx[3] = eps;
  row.factorLater = true;
  return true;
}
