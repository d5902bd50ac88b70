/**
 * The tracer's fixed per-step costs on tiny models (PERF.md "Session 18") must not change a number:
 * factorView's Adam scalars kept from one call to the next (a group's tensors share them) must be
 * recomputed whenever γ, β1, β2 or t differ; the summaries reuse their last rank plan and have no
 * closures, the same values as the definition.
 */
import { describe, expect, it } from "vitest";
import { factorAt, factorView, preconditionedFactors } from "../../kernel/src/trace/preconditioned";
import { summarize, summarizeDecreasing } from "../../kernel/src/trace/quantiles";

const state = (v: number[], step: number) => ({ step, exp_avg_sq: { data: Float64Array.from(v) } });

/** f_i by its own expression, written out here (preconditionedFactors, not through a view). */
function direct(group: Record<string, unknown>, v: number[], step: number): number[] {
  const out = new Float64Array(v.length);
  expect(preconditionedFactors("Adam", group as never, state(v, step) as never, v.length, out, 0)).toBe(true);
  return Array.from(out);
}

function viaView(group: Record<string, unknown>, v: number[], step: number): number[] {
  const f = factorView("Adam", group as never, state(v, step) as never, v.length);
  expect(f).not.toBe(null);
  return v.map((_, i) => factorAt(f!, i));
}

describe("fixed per-step costs: same numbers", () => {
  it("Adam's factor view is recomputed when γ, β1, β2 or t change between calls, also between groups at one step", () => {
    const v = [1e-6, 3e-4, 2.5e-2];
    const base = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, amsgrad: false };
    const calls: [Record<string, unknown>, number][] = [
      [base, 1], [base, 1], [base, 2],
      [{ ...base, lr: 3e-3 }, 2], // another group, same step
      [{ ...base, betas: [0.5, 0.999] }, 2],
      [{ ...base, betas: [0.9, 0.99] }, 2],
      [base, 2],
      [{ ...base, lr: 0 }, 2], [{ ...base, lr: -0 }, 2], // c = 0 and c = −0
      [{ ...base, lr: NaN }, 3], [base, 3],
    ];
    for (const [group, t] of calls) {
      const got = viaView(group, v, t), want = direct(group, v, t);
      for (let i = 0; i < v.length; i++) expect(Object.is(got[i], want[i])).toBe(true);
    }
    // −0 as γ gives factors −0, which the one for γ = 0 must not have answered
    expect(Object.is(viaView({ ...base, lr: -0 }, v, 5)[0], -0)).toBe(true);
    expect(Object.is(viaView({ ...base, lr: 0 }, v, 5)[0], 0)).toBe(true);
  });

  it("summaries of alternating sizes (the last rank plan reused only for its size) equal a sort's", () => {
    const levels = [0.05, 0.25, 0.5, 0.75, 0.95];
    const bySort = (xs: number[]) => {
      const a = [...xs].sort((p, q) => p - q);
      return levels.map((q) => {
        const pos = q * (a.length - 1), lo = Math.floor(pos);
        return a[lo] + (a[Math.min(a.length - 1, lo + 1)] - a[lo]) * (pos - lo);
      });
    };
    let s = 1;
    const rnd = () => ((s = (s * 48271) % 2147483647) / 2147483647);
    for (const m of [11, 11, 2, 11, 64, 1, 3, 11, 5000, 11]) {
      const xs = Array.from({ length: m }, () => rnd() * 10 - 3);
      const min = Math.min(...xs), max = Math.max(...xs);
      const q = summarize(Float64Array.from(xs), m, min, max);
      expect([q.q05, q.q25, q.q50, q.q75, q.q95]).toEqual(bySort(xs));
      // f decreasing: the summary of f(x) is the summary of the f values
      const f = (x: number) => 1 / (x + 4);
      const fs = xs.map(f);
      const d = summarizeDecreasing(Float64Array.from(xs), m, Math.min(...fs), Math.max(...fs), f, min, max);
      if (m > 1) expect([d.q05, d.q25, d.q50, d.q75, d.q95]).toEqual(bySort(fs));
    }
  });
});
