/**
 * A maximizing run's rates are measured along −g, the gradient of the objective the optimizer
 * minimizes (trace.ts stepMetrics). Before, SGD(maximize) on g read lr_projected −0.11 and
 * element-wise rates all negative, next to its own factor (+0.01) and the steady-state line
 * (+0.1) on the same panel, and on the other side of 0 from the same run minimizing −f in
 * %lr_compare (a researcher's pass).
 */
import { describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { SGD, Adam } from "../../kernel/src/optim/index";
import { trace } from "../../kernel/src/trace/index";

const param = (values: number[]) => new Tensor(Float64Array.from(values), [values.length], "float64", true);
const grad = (values: number[]) => new Tensor(Float64Array.from(values), [values.length], "float64");

/** Grads of a made-up run: step i's gradient. */
const G = (i: number) => [0.5 - 0.1 * i, -1 + 0.05 * i * i, 0.25 * (i % 3), 2 - i];

describe("maximize: rates along the gradient the optimizer descends", () => {
  for (const [name, make] of [
    ["SGD with momentum", (ps: Tensor[], maximize: boolean) => new SGD(ps, { lr: 0.01, momentum: 0.9, maximize })],
    ["Adam", (ps: Tensor[], maximize: boolean) => new Adam(ps, { lr: 0.01, maximize })],
  ] as const) {
    it(`${name}: maximizing f equals minimizing −f, metric for metric`, () => {
      // the same trajectory: maximize with gradient g, minimize with gradient −g
      const pMax = param([1, 2, 3, 4]), pMin = param([1, 2, 3, 4]);
      const oMax = make([pMax], true), oMin = make([pMin], false);
      const tMax = trace(oMax, { batch_size: 8 }), tMin = trace(oMin, { batch_size: 8 });
      for (let i = 0; i < 6; i++) {
        pMax.grad = grad(G(i));
        pMin.grad = grad(G(i).map((v) => -v));
        oMax.step();
        oMin.step();
        const a = tMax.latest()!, b = tMin.latest()!;
        expect(Array.from(pMax.data)).toEqual(Array.from(pMin.data));
        expect(a.lr_projected).toBe(b.lr_projected);
        expect(a.lr_per_sample).toBe(b.lr_per_sample);
        expect(a.lr_realized).toBe(b.lr_realized);
        // mirrored interpolated quantiles: equal up to the interpolation's last bit (a + (b − a)·f
        // is not exactly symmetric under −)
        for (const k of ["min", "q05", "q25", "q50", "q75", "q95", "max"] as const) {
          expect(Math.abs(a.lr_elementwise![k] - b.lr_elementwise![k])).toBeLessThanOrEqual(1e-14 * Math.abs(b.lr_elementwise![k]));
        }
        expect(a.lr_preconditioned).toEqual(b.lr_preconditioned);
      }
      // SGD's first step (the buffer is g): Δ = γg for maximize, so −⟨Δ, −g⟩/‖g‖² = γ = 0.01
      if (name === "SGD with momentum") expect(tMax.series("lr_projected")!.buckets()[0].mean).toBeCloseTo(0.01, 12);
      // Adam's projected rate is positive as its factor is
      expect(tMax.latest()!.lr_projected!).toBeGreaterThan(0);
      tMax.stop();
      tMin.stop();
    });
  }

  it("the element-wise quantiles are mirrored, not only negated (q05 of −ρ is −q95 of ρ)", () => {
    // plain SGD maximize, one step: Δ = γg, so −Δ_k/(−g_k) = γ for every element: all levels γ
    const p = param([1, -2, 3]);
    const opt = new SGD([p], { lr: 0.5, maximize: true });
    const t = trace(opt);
    p.grad = grad([1, 2, -4]);
    opt.step();
    const q = t.latest()!.lr_elementwise!;
    expect([q.min, q.q05, q.q50, q.q95, q.max]).toEqual([0.5, 0.5, 0.5, 0.5, 0.5]);
    t.stop();
  });
});
