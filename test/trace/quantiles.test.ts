import { describe, expect, it } from "vitest";
import { quantiles, SAMPLE_SIZE } from "../../kernel/src/trace/quantiles";
import { select_ranks } from "../../kernel/src/trace/select";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { Adam } from "../../kernel/src/optim/index";
import { trace } from "../../kernel/src/trace/index";

describe("quantiles", () => {
  it("exact with linear interpolation up to SAMPLE_SIZE elements", () => {
    // sorted 1..5: q25 at position 1 → 2, q05 at position 0.2 → 1.2, q95 at 3.8 → 4.8
    const q = quantiles([5, 3, 1, 4, 2])!;
    expect(q).toEqual({ min: 1, q05: 1.2, q25: 2, q50: 3, q75: 4, q95: 4.8, max: 5 });
    expect(quantiles([], 0)).toBeNull();
  });

  it("NaN values have no rank: left out, and all NaN gives NaN quantiles (no endless selection)", () => {
    expect(quantiles([5, NaN, 3, 1, NaN, 4, 2])).toEqual({ min: 1, q05: 1.2, q25: 2, q50: 3, q75: 4, q95: 4.8, max: 5 });
    const all = quantiles([NaN, NaN, NaN])!;
    expect(Object.values(all).every(Number.isNaN)).toBe(true);
    // a large NaN-laced array (the selection's partition path, not only insertion)
    const v = Float64Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? NaN : i));
    const q = quantiles(v)!;
    expect(q.min).toBe(1);
    expect(q.max).toBe(2999);
    expect(Math.abs(q.q50 - 1500)).toBeLessThan(10);
  });

  it("select_ranks ends on NaN values (ranks then unspecified)", () => {
    const a = Float64Array.from({ length: 500 }, (_, i) => (i % 2 ? NaN : 500 - i));
    select_ranks(a, a.length, [10, 250, 400]);
    expect(a.length).toBe(500);
  });

  it("sampled above SAMPLE_SIZE: min/max exact, interior quantiles within 2% of the ranks", () => {
    const n = 200_000;
    // a permutation of 0..n−1, so the exact q-quantile is q·(n−1)
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = (i * 7919) % n;
    expect(n).toBeGreaterThan(SAMPLE_SIZE);
    const q = quantiles(v)!;
    expect(q.min).toBe(0);
    expect(q.max).toBe(n - 1);
    for (const [k, level] of [["q05", 0.05], ["q25", 0.25], ["q50", 0.5], ["q75", 0.75], ["q95", 0.95]] as const) {
      expect(Math.abs(q[k] - level * (n - 1)) / n, k).toBeLessThan(0.02);
    }
  });

  it("lr_preconditioned spans every parameter of the group (offsets into one vector)", () => {
    // Adam step 1: f_k = (γ/(1−β1)) / (|g_k| + ε); two tensors with |g| = {1, 2} and {4}
    const a = new Tensor(Float64Array.from([0, 0]), [2], "float64", true);
    const b = new Tensor(Float64Array.from([0]), [1], "float64", true);
    const opt = new Adam([a, b], { lr: 0.1, eps: 0 });
    const t = trace(opt);
    a.grad = new Tensor(Float64Array.from([1, -2]), [2], "float64");
    b.grad = new Tensor(Float64Array.from([4]), [1], "float64");
    opt.step();
    const q = t.latest()!.lr_preconditioned!;
    expect(q.max).toBeCloseTo(1 / 1, 12);
    expect(q.q50).toBeCloseTo(1 / 2, 12);
    expect(q.min).toBeCloseTo(1 / 4, 12);
  });
});
