/**
 * The one O(n) pass of the tracer: for the elements of one parameter, with θ its values before
 * `step()`, a = θ_{t+1} its values after, g the gradient `step()` read and d = a − θ, accumulate
 *
 *   dg = Σ d·g,  gg = Σ g²,  dd = Σ d²,  tt = Σ θ²,  aa = Σ a²,  td = Σ θ·d,
 *   the exact min and max of ρ = −d/g over the elements with g ≠ 0, and how many there are.
 *
 * Every metric of metrics.ts is a function of these sums, and the sums (and min/max) of a group
 * are those of its parameters combined (`add`), so with `per_param` each element is visited once.
 * Sums run in float64 whatever the parameters' dtype.
 *
 * Fast path: the loop has no finiteness test. A non-finite θ, g, d or a makes one of the sums
 * non-finite (±Inf² = Inf, NaN propagates), and so does a float64 overflow of a sum of finite
 * values (a square above ~1.8e308: values above ~1.3e154); only then is the pass redone carefully
 * (`accumulateCareful`), which tells the two apart:
 *
 * - a non-finite Δ or θ_{t+1} (a divergence) clears `finite`. `gg` and `tt` still take every
 *   element, so grad_norm and param_norm stay ‖g_t‖ and ‖θ_t‖ (∞ or NaN when the data is); the
 *   sums of Δ and θ_{t+1} (dg, dd, aa, td, ρ) leave those elements out, but no ratio is reported
 *   for such a step anyway (metrics.ts);
 * - an overflow is undone by exact scaling: the pass is redone with θ, g, Δ and θ_{t+1} each
 *   multiplied by a power of two, 2^−kt, 2^−kg, 2^−kd, 2^−ka, that brings its largest magnitude
 *   near 1, and the exponents are kept with the sums (`kt`, `kg`, `kd`, `ka`): the sums are then
 *   those of the scaled values (tt of θ·2^−kt, td of θ·2^−kt and Δ·2^−kd, ...), and metrics.ts
 *   undoes the scaling in the metrics themselves. Scaling by a power of two is exact (a value
 *   that underflows in it is more than 2^1000 times smaller than the largest one: nothing in a
 *   sum of squares).
 *
 * - an underflow is undone the same way (scaled up instead of down): float64 values so small that
 *   their squares underflow (‖x‖² below ~1e-308, values of ~1e-160 and below: a sum of squares
 *   reads 0 or a subnormal with few digits, and grad_norm, lr_realized, ... 0, null or ∞). The
 *   fast path's test for it costs four comparisons per parameter: a sum of squares (tt, gg, dd,
 *   aa) below TINY = 2^−960. Only then is it checked that the vector is not zero (`underflows`:
 *   a positive sum, g's count of nonzero elements, else a scan for a nonzero element that stops
 *   at the first; float32 data never underflows, its nonzero squares are ≥ 2^−298), and if so the
 *   careful pass scales every quantity by 2^−k with k of its largest magnitude (k < 0 here).
 *   A sum ≥ 2^−960 has lost nothing that matters: each square or product that underflows is off
 *   by at most 2^−1075, n of them are n·2^−115 of the sum. The cross sums dg and td need no
 *   test of their own: when dd, gg (tt) are ≥ 2^−960, |dg| ≤ √(dd·gg) is measured against a
 *   scale ≥ 2^−960 with the same absolute error.
 *
 * On the fast path every exponent is 0 and nothing of this costs anything per element.
 *
 * td rather than Σ θ·a: the angle between θ_t and θ_{t+1} is tiny, and arccos(⟨θ,a⟩/‖θ‖‖a‖) loses
 * half the digits near 1; with td the angle comes from an atan2 (metrics.ts; when Δ is nearly
 * parallel to θ that needs `residual` below too).
 */
import type { Storage } from "../tensor/tensor";

/** x·2^e, exactly unless the result over- or underflows (e may exceed the range of one power). */
export function ldexp(x: number, e: number): number {
  if (e === 0) return x;
  while (e > 1023) {
    x *= 2 ** 1023;
    e -= 1023;
  }
  while (e < -1022) {
    x *= 2 ** -1022;
    e += 1022;
  }
  return x * 2 ** e;
}

/**
 * Below this a sum of squares of nonzero values has lost digits or underflowed to 0 (see the file
 * comment); the fast path checks tt, gg, dd and aa against it.
 */
export const TINY = 2 ** -960;

/**
 * An exponent k with m·2^−k in [0.25, 2) for a magnitude m > 0 (0 for m = 0), at least −1000
 * (2^1000 is the largest factor one multiplication can apply; a subnormal m < 2^−1000 scaled by it
 * is still ≥ 2^−74, whose squares are far from underflowing).
 */
function exponentOf(m: number): number {
  if (!(m > 0) || !Number.isFinite(m)) return 0;
  return Math.max(-1000, Math.floor(Math.log2(m)) + 1);
}

export class StepSums {
  dg = 0;
  gg = 0;
  dd = 0;
  tt = 0;
  aa = 0;
  td = 0;
  /**
   * Scaling exponents (see the file comment): the sums are those of θ·2^−kt, g·2^−kg, Δ·2^−kd
   * and θ_{t+1}·2^−ka. All 0 unless a sum overflowed.
   */
  kt = 0;
  kg = 0;
  kd = 0;
  ka = 0;
  /** Elements visited. */
  n = 0;
  /** Elements with a finite step and g ≠ 0: the ones that have a ρ. */
  nonzero = 0;
  rho_min = Infinity;
  rho_max = -Infinity;
  /** False when some Δ or θ_{t+1} was not finite (those elements are left out of dg, dd, aa, td and ρ). */
  finite = true;

  reset(): this {
    this.dg = this.gg = this.dd = this.tt = this.aa = this.td = 0;
    this.kt = this.kg = this.kd = this.ka = 0;
    this.n = this.nonzero = 0;
    this.rho_min = Infinity;
    this.rho_max = -Infinity;
    this.finite = true;
    return this;
  }

  /** Combine the sums of another, disjoint, set of elements into these. */
  add(o: StepSums): this {
    const dg = this.dg + o.dg, gg = this.gg + o.gg, dd = this.dd + o.dd;
    const tt = this.tt + o.tt, aa = this.aa + o.aa, td = this.td + o.td;
    // unscaled sums that stay finite (every step of a healthy run): plain additions; else the
    // exponents are aligned, and raised where a sum of two finite sums overflows
    if ((this.kt | this.kg | this.kd | this.ka | o.kt | o.kg | o.kd | o.ka) === 0 && Number.isFinite(dg + gg + dd + tt + aa + td)) {
      this.dg = dg;
      this.gg = gg;
      this.dd = dd;
      this.tt = tt;
      this.aa = aa;
      this.td = td;
    } else {
      this.addScaled(o);
    }
    this.n += o.n;
    this.nonzero += o.nonzero;
    if (o.rho_min < this.rho_min) this.rho_min = o.rho_min;
    if (o.rho_max > this.rho_max) this.rho_max = o.rho_max;
    this.finite = this.finite && o.finite;
    return this;
  }

  /**
   * `add`'s sums when some are scaled or their sum overflows (see the file comment). The common
   * exponent of a quantity is the larger of the two, except that a zero vector's exponent (its
   * sum of squares 0: θ = 0, an empty total, ...) does not count: aligning a scaled-up part
   * (k < 0) to its 0 would underflow the part's sums to 0 again.
   */
  private addScaled(o: StepSums): void {
    const K = (a: number, za: boolean, b: number, zb: boolean) => (za ? (zb ? Math.max(a, b) : b) : zb ? a : Math.max(a, b));
    let Kt = K(this.kt, this.tt === 0, o.kt, o.tt === 0), Kg = K(this.kg, this.gg === 0, o.kg, o.gg === 0);
    let Kd = K(this.kd, this.dd === 0, o.kd, o.dd === 0), Ka = K(this.ka, this.aa === 0, o.ka, o.aa === 0);
    // a sum of two sums that is not finite although both are: raise the exponent (each raise
    // divides the squares by 4, two finite sums add up to less than twice the largest double)
    const over = (x: number, y: number, s: number) => Number.isFinite(x) && Number.isFinite(y) && !Number.isFinite(s);
    for (let k = 0; k < 8; k++) {
      // a sum with exponents (x, y) moved from its own exponents to the common ones
      const mv = (v: number, a: number, A: number, b: number, B: number) => ldexp(v, a - A + b - B);
      const tt1 = mv(this.tt, this.kt, Kt, this.kt, Kt), tt2 = mv(o.tt, o.kt, Kt, o.kt, Kt);
      const gg1 = mv(this.gg, this.kg, Kg, this.kg, Kg), gg2 = mv(o.gg, o.kg, Kg, o.kg, Kg);
      const dd1 = mv(this.dd, this.kd, Kd, this.kd, Kd), dd2 = mv(o.dd, o.kd, Kd, o.kd, Kd);
      const aa1 = mv(this.aa, this.ka, Ka, this.ka, Ka), aa2 = mv(o.aa, o.ka, Ka, o.ka, Ka);
      const dg1 = mv(this.dg, this.kd, Kd, this.kg, Kg), dg2 = mv(o.dg, o.kd, Kd, o.kg, Kg);
      const td1 = mv(this.td, this.kt, Kt, this.kd, Kd), td2 = mv(o.td, o.kt, Kt, o.kd, Kd);
      const tt = tt1 + tt2, gg = gg1 + gg2, dd = dd1 + dd2, aa = aa1 + aa2, dg = dg1 + dg2, td = td1 + td2;
      let raised = false;
      if (over(tt1, tt2, tt) || over(td1, td2, td)) { Kt++; raised = true; }
      if (over(gg1, gg2, gg) || over(dg1, dg2, dg)) { Kg++; raised = true; }
      if (over(dd1, dd2, dd) || over(dg1, dg2, dg) || over(td1, td2, td)) { Kd++; raised = true; }
      if (over(aa1, aa2, aa)) { Ka++; raised = true; }
      if (!raised || k === 7) {
        this.tt = tt; this.gg = gg; this.dd = dd; this.aa = aa; this.dg = dg; this.td = td;
        this.kt = Kt; this.kg = Kg; this.kd = Kd; this.ka = Ka;
        return;
      }
    }
  }
}

/** Adds one parameter's totals into `out` (both passes below end with it). */
function addTotals(out: StepSums, dg: number, gg: number, dd: number, tt: number, aa: number, td: number, n: number, m: number, lo: number, hi: number): void {
  out.dg += dg;
  out.gg += gg;
  out.dd += dd;
  out.tt += tt;
  out.aa += aa;
  out.td += td;
  out.n += n;
  out.nonzero += m;
  if (lo < out.rho_min) out.rho_min = lo;
  if (hi > out.rho_max) out.rho_max = hi;
}

/** Accumulate the elements of one parameter into `out` (which the caller has reset). */
export function accumulate(theta: Storage, grad: Storage, after: Storage, out: StepSums): void {
  const n = theta.length;
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
      const r = -d / g;
      if (r < lo) lo = r;
      if (r > hi) hi = r;
      m++;
    }
  }
  if (!Number.isFinite(dg + gg + dd + tt + aa + td) || ((tt < TINY || gg < TINY || dd < TINY || aa < TINY) && underflows(theta, grad, after, tt, gg, dd, aa, m > 0))) {
    accumulateCareful(theta, grad, after, out);
    return;
  }
  addTotals(out, dg, gg, dd, tt, aa, td, n, m, lo, hi);
}

/** Whether some x[i] ≠ 0 (stops at the first). */
function anyNonzero(x: Storage): boolean {
  const n = x.length;
  for (let i = 0; i < n; i++) if (x[i] !== 0) return true;
  return false;
}

/** Whether some Δ_i = after[i] − theta[i] ≠ 0, i.e. after[i] ≠ theta[i] (finite data; stops at the first). */
function anyChange(theta: Storage, after: Storage): boolean {
  const n = theta.length;
  for (let i = 0; i < n; i++) if (after[i] !== theta[i]) return true;
  return false;
}

/**
 * Whether the sums a vector pass (WebAssembly or native) put in `s` can be kept: false when one is
 * not finite (non-finite values, an overflow) or, for float64 data, a sum of squares underflowed
 * (`underflows`; float32 data cannot): the caller then redoes the careful JS pass. Per parameter,
 * one test for float32 data, four comparisons for float64; `arrays` (θ_t, g_t, θ_{t+1}) is called
 * only for the scan after a sum below TINY.
 */
export function keepPass(s: StepSums, f32: boolean, arrays: () => readonly [Storage, Storage, Storage]): boolean {
  if (!Number.isFinite(s.dg + s.gg + s.dd + s.tt + s.aa + s.td)) return false;
  if (f32 || (s.tt >= TINY && s.gg >= TINY && s.dd >= TINY && s.aa >= TINY)) return true;
  const [theta, grad, after] = arrays();
  return !underflows(theta, grad, after, s.tt, s.gg, s.dd, s.aa, s.nonzero > 0);
}

/**
 * For finite sums of which some is below TINY (the fast path's test, in JS and WebAssembly):
 * whether a nonzero vector's sum of squares is that small, i.e. it underflowed and the careful
 * pass must rescale (see the file comment). A positive sum says so at once, `gNonzero` (the
 * pass's count of g ≠ 0) does for g; a zero sum of θ, θ_{t+1} or Δ is a zero vector unless a
 * scan finds a nonzero element (it stops at the first). Float32 data never underflows.
 */
export function underflows(theta: Storage, grad: Storage, after: Storage, tt: number, gg: number, dd: number, aa: number, gNonzero: boolean): boolean {
  if (theta instanceof Float32Array && grad instanceof Float32Array && after instanceof Float32Array) return false;
  return (gg < TINY && gNonzero)
    || (tt < TINY && (tt > 0 || anyNonzero(theta)))
    || (aa < TINY && (aa > 0 || anyNonzero(after)))
    || (dd < TINY && (dd > 0 || anyChange(theta, after)));
}

/**
 * The same pass when a sum came out non-finite or underflowed (the file comment): gg and tt over
 * every element, the other sums and ρ over the elements whose step and new value are finite;
 * then, if a sum overflowed although its values are finite, or a sum of squares of a nonzero
 * vector is below TINY, once more with every quantity scaled.
 */
export function accumulateCareful(theta: Storage, grad: Storage, after: Storage, out: StepSums): void {
  const n = theta.length;
  let dg = 0, gg = 0, dd = 0, tt = 0, aa = 0, td = 0, m = 0;
  let lo = Infinity, hi = -Infinity;
  // largest finite magnitudes, and whether some θ or g is not finite
  let mt = 0, mg = 0, md = 0, ma = 0;
  let finite = true, tBad = false, gBad = false;
  for (let i = 0; i < n; i++) {
    const t = theta[i];
    const a = after[i];
    const g = grad[i];
    const d = a - t;
    gg += g * g;
    tt += t * t;
    if (Number.isFinite(g)) { const x = Math.abs(g); if (x > mg) mg = x; } else gBad = true;
    if (Number.isFinite(t)) { const x = Math.abs(t); if (x > mt) mt = x; } else tBad = true;
    if (!Number.isFinite(d) || !Number.isFinite(a)) {
      finite = false;
      continue;
    }
    if (Math.abs(d) > md) md = Math.abs(d);
    if (Math.abs(a) > ma) ma = Math.abs(a);
    dg += d * g;
    dd += d * d;
    aa += a * a;
    td += t * d;
    if (g !== 0) {
      const r = -d / g;
      if (r < lo) lo = r;
      if (r > hi) hi = r;
      m++;
    }
  }
  // θ is finite wherever Δ and θ_{t+1} are, so only gg, tt and dg can be non-finite from the data
  const overflow = (!gBad && !(Number.isFinite(gg) && Number.isFinite(dg))) || (!tBad && !Number.isFinite(tt))
    || !Number.isFinite(dd) || !Number.isFinite(aa) || !Number.isFinite(td);
  // a nonzero vector whose finite squares add up to less than TINY (NaN and ∞ compare false)
  const underflow = (mg > 0 && gg < TINY) || (mt > 0 && tt < TINY) || (md > 0 && dd < TINY) || (ma > 0 && aa < TINY);
  if (overflow || underflow) {
    const kt = exponentOf(mt), kg = exponentOf(mg), kd = exponentOf(md), ka = exponentOf(ma);
    const st = 2 ** -kt, sg = 2 ** -kg, sd = 2 ** -kd, sa = 2 ** -ka;
    dg = gg = dd = tt = aa = td = 0;
    for (let i = 0; i < n; i++) {
      const t = theta[i];
      const a = after[i];
      const g = grad[i] * sg;
      const d = a - t;
      const ts = t * st;
      gg += g * g;
      tt += ts * ts;
      if (!Number.isFinite(d) || !Number.isFinite(a)) continue;
      const ds = d * sd, as = a * sa;
      dg += ds * g;
      dd += ds * ds;
      aa += as * as;
      td += ts * ds;
    }
    out.kt = kt;
    out.kg = kg;
    out.kd = kd;
    out.ka = ka;
  }
  addTotals(out, dg, gg, dd, tt, aa, td, n, m, lo, hi);
  out.finite = out.finite && finite;
}

/**
 * For angular_update when Δ is nearly parallel to θ (metrics.ts): over the elements of `parts`,
 * with r = Δ·2^−kd − c·θ·2^−kt, returns [Σ r², Σ r·θ·2^−kt]. With c = td/tt (the sums as scaled
 * by kt, kd) r is Δ's part orthogonal to θ, whose squares have no cancellation, unlike
 * tt·dd − td²: tt·Σ r² − (Σ r·θ)² is ‖θ‖²‖Δ‖² − ⟨θ,Δ⟩² to rounding (the second term corrects
 * for the rounding of c). Only called for finite steps; a second pass over the elements.
 */
export function residual(parts: readonly { theta: Storage; after: Storage }[], c: number, kt: number, kd: number): [number, number] {
  // 2^−k as two factors (each within one power's range; the second is 1 unless |k| > 1000), so
  // that the exponents of tiny data (scaled up, k down to about −1074) are applied exactly too
  const f1 = (k: number) => 2 ** -Math.min(1000, Math.max(-1000, k));
  const f2 = (k: number) => 2 ** -(k - Math.min(1000, Math.max(-1000, k)));
  const st = f1(kt), st2 = f2(kt), sd = f1(kd), sd2 = f2(kd);
  let rr = 0, rt = 0;
  for (const { theta, after } of parts) {
    const n = theta.length;
    for (let i = 0; i < n; i++) {
      const t = theta[i] * st * st2;
      const r = (after[i] - theta[i]) * sd * sd2 - c * t;
      rr += r * r;
      rt += r * t;
    }
  }
  return [rr, rt];
}
