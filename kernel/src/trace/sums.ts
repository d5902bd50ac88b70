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
 * Fast path: the loop has no finiteness test. A non-finite d or a makes dd or aa non-finite
 * (±Inf² = Inf, NaN propagates), so only then is the pass redone with the test, skipping the
 * non-finite elements and clearing `finite` (a float64 overflow of a sum of finite values also
 * lands there, and comes out of the careful pass with the same sums and `finite` true).
 *
 * td rather than Σ θ·a: the angle between θ_t and θ_{t+1} is tiny, and arccos(⟨θ,a⟩/‖θ‖‖a‖) loses
 * half the digits near 1; with td the angle comes from a well-conditioned atan2 (metrics.ts).
 */
import type { Storage } from "../tensor/tensor";

export class StepSums {
  dg = 0;
  gg = 0;
  dd = 0;
  tt = 0;
  aa = 0;
  td = 0;
  /** Elements visited. */
  n = 0;
  /** Elements with a finite step and g ≠ 0: the ones that have a ρ. */
  nonzero = 0;
  rho_min = Infinity;
  rho_max = -Infinity;
  /** False when some Δ or θ_{t+1} was not finite (those elements are left out of the sums). */
  finite = true;

  reset(): this {
    this.dg = this.gg = this.dd = this.tt = this.aa = this.td = 0;
    this.n = this.nonzero = 0;
    this.rho_min = Infinity;
    this.rho_max = -Infinity;
    this.finite = true;
    return this;
  }

  /** Combine the sums of another, disjoint, set of elements into these. */
  add(o: StepSums): this {
    this.dg += o.dg;
    this.gg += o.gg;
    this.dd += o.dd;
    this.tt += o.tt;
    this.aa += o.aa;
    this.td += o.td;
    this.n += o.n;
    this.nonzero += o.nonzero;
    if (o.rho_min < this.rho_min) this.rho_min = o.rho_min;
    if (o.rho_max > this.rho_max) this.rho_max = o.rho_max;
    this.finite = this.finite && o.finite;
    return this;
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
  if (!(Number.isFinite(dd) && Number.isFinite(aa))) {
    accumulateCareful(theta, grad, after, out);
    return;
  }
  addTotals(out, dg, gg, dd, tt, aa, td, n, m, lo, hi);
}

/** The same pass, leaving out the elements whose step or new value is not finite. */
function accumulateCareful(theta: Storage, grad: Storage, after: Storage, out: StepSums): void {
  const n = theta.length;
  let dg = 0, gg = 0, dd = 0, tt = 0, aa = 0, td = 0, m = 0;
  let lo = Infinity, hi = -Infinity;
  let finite = true;
  for (let i = 0; i < n; i++) {
    const t = theta[i];
    const a = after[i];
    const g = grad[i];
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
    td += t * d;
    if (g !== 0) {
      const r = -d / g;
      if (r < lo) lo = r;
      if (r > hi) hi = r;
      m++;
    }
  }
  addTotals(out, dg, gg, dd, tt, aa, td, n, m, lo, hi);
  out.finite = out.finite && finite;
}

