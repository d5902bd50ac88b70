/**
 * The ρ sample of a step where some gradients are 0 (sample.ts rhoQuantiles): with at least half
 * of them nonzero it is strata(N, S) less the draws with g = 0, whether the passes drew it
 * (RhoDraws, as a traced step does) or rhoQuantiles reads it afterwards (native or JavaScript
 * reads); with fewer, ⌊S·N/M⌋ draws less those with g = 0. Checked against the definition: the
 * drawn ρ sorted, each level a[lo] + (a[hi] − a[lo])·(pos − lo) at pos = q·(m − 1).
 */
import { afterEach, describe, expect, it } from "vitest";
import { draws_stats, partDraws, readDraws, RhoDraws, rhoQuantiles, strata, type ElementPart } from "../../kernel/src/trace/sample";
import { SAMPLE_SIZE, type Quantiles } from "../../kernel/src/trace/quantiles";
import { set_native_pass_enabled } from "../../kernel/src/trace/native_sums";
import { StepSums } from "../../kernel/src/trace/sums";
import { rng } from "../tensor/gradcheck";

afterEach(() => set_native_pass_enabled(true));

/** Three parameters' θ_t, g_t, θ_{t+1} (float32), a share `zeros` of g exactly 0. */
function parts(zeros: number, seed: number): ElementPart[] {
  const rnd = rng(seed);
  return [30000, 9000, 1100].map((n) => {
    const theta = new Float32Array(n), grad = new Float32Array(n), after = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      theta[i] = rnd() - 0.5;
      grad[i] = rnd() < zeros ? 0 : (rnd() - 0.5) * 0.02 || 1e-3;
      after[i] = theta[i] - 0.01 * grad[i] * (0.5 + rnd());
    }
    return { theta, grad, after };
  });
}

const rhoAt = (p: ElementPart, i: number) => -(p.after[i] - p.theta[i]) / p.grad[i];

/** The sums rhoQuantiles reads (the extremes of ρ and the count M of g ≠ 0), from the definitions. */
function sumsOf(ps: ElementPart[]): StepSums {
  const s = new StepSums();
  for (const p of ps) {
    for (let i = 0; i < p.theta.length; i++) {
      if (p.grad[i] === 0) continue;
      const r = rhoAt(p, i);
      s.nonzero++;
      s.rho_min = Math.min(s.rho_min, r);
      s.rho_max = Math.max(s.rho_max, r);
    }
    s.n += p.theta.length;
  }
  return s;
}

/** The summary of the ρ at the drawn positions idx (over the parts in order) with g ≠ 0. */
function expected(ps: ElementPart[], idx: Int32Array, s: StepSums): Quantiles {
  const vals: number[] = [];
  let k = 0, start = 0;
  for (const u of idx) {
    while (u >= start + ps[k].theta.length) start += ps[k++].theta.length;
    if (ps[k].grad[u - start] !== 0) vals.push(rhoAt(ps[k], u - start));
  }
  const a = Float64Array.from(vals).sort();
  const m = a.length;
  const at = (q: number) => {
    const pos = q * (m - 1), lo = Math.floor(pos), hi = Math.min(m - 1, lo + 1);
    return a[lo] + (a[hi] - a[lo]) * (pos - lo);
  };
  return { min: s.rho_min, q05: at(0.05), q25: at(0.25), q50: at(0.5), q75: at(0.75), q95: at(0.95), max: s.rho_max };
}

/** The draws a traced step's passes take: each part's range of strata(N, S), read after its update. */
function passDraws(ps: ElementPart[], N: number): RhoDraws {
  const d = new RhoDraws();
  d.begin(N);
  for (const p of ps) {
    const box = partDraws();
    if (d.next(p.theta.length, box)) readDraws(box, p);
  }
  return d;
}

describe("the ρ sample where some gradients are 0", () => {
  for (const zeros of [0, 0.3, 0.45]) {
    it(`${zeros * 100}% of g zero: strata(N, S) less the draws with g = 0, from the passes' draws or read afterwards`, () => {
      const ps = parts(zeros, 7 + zeros * 10);
      const s = sumsOf(ps);
      const N = s.n;
      expect(2 * s.nonzero >= N).toBe(true);
      const want = expected(ps, strata(N, SAMPLE_SIZE), s);
      const used = draws_stats.used;
      expect(rhoQuantiles(ps, s, passDraws(ps, N))).toEqual(want);
      expect(draws_stats.used - used, "the passes' draws were used").toBe(1);
      expect(rhoQuantiles(ps, s)).toEqual(want);
      set_native_pass_enabled(false);
      expect(rhoQuantiles(ps, s)).toEqual(want);
      expect(rhoQuantiles(ps, s, passDraws(ps, N))).toEqual(want);
    });
  }

  it("fewer than half of g nonzero: ⌊S·N/M⌋ draws less those with g = 0, the passes' draws not used", () => {
    const ps = parts(0.6, 11);
    const s = sumsOf(ps);
    const N = s.n, M = s.nonzero;
    expect(2 * M < N && 4 * M >= N).toBe(true);
    const want = expected(ps, strata(N, Math.floor((SAMPLE_SIZE * N) / M)), s);
    const used = draws_stats.used;
    expect(rhoQuantiles(ps, s, passDraws(ps, N))).toEqual(want);
    expect(draws_stats.used - used).toBe(0);
    set_native_pass_enabled(false);
    expect(rhoQuantiles(ps, s)).toEqual(want);
  });
});
