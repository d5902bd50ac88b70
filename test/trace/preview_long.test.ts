/**
 * A long schedule preview: its summary's min and max were `Math.min(...lr)`, one argument per
 * step, which overflowed the call stack from about 120,000 steps (`%lr_schedule StepLR
 * step_size=5 --steps 150000` failed with "Maximum call stack size exceeded").
 */
import { describe, expect, it } from "vitest";
import { lr_scheduler } from "../../kernel/src/optim/index";
import { preview } from "../../kernel/src/trace/index";
import { PLOT_MIME, TEXT_MIME, type PlotPayload } from "../../kernel/src/plot/index";

describe("preview of many steps", () => {
  it("300,000 steps: the bundle is made, with the summary's min and max", () => {
    // γ = 0.9 every 1000 steps: 0.1 · 0.9^299 ≈ 2.082e-15 at the end (the minimum)
    const pv = preview((o: any) => new lr_scheduler.StepLR(o, { step_size: 1000, gamma: 0.9 }), { steps: 300_000 });
    expect(pv.steps).toBe(300_000);
    const b = pv._repr_mimebundle_();
    expect((b[PLOT_MIME] as PlotPayload).kind).toBe("schedule");
    expect(b[TEXT_MIME]).toContain("StepLR: 300000 steps, lr 0.1 → 2.082e-15 (min 2.082e-15, max 0.1)");
  });

  it("a rate that rises and falls: the maximum is not at either end", () => {
    // 0.01 → 0.1 over 100,000 steps, then back down for 50,000: the peak is in the middle
    const pv = preview(
      (o: any) => new lr_scheduler.CyclicLR(o, { base_lr: 0.01, max_lr: 0.1, step_size_up: 100_000, cycle_momentum: false }),
      { steps: 150_000 },
    );
    expect(String(pv)).toBe("CyclicLR: 150000 steps, lr 0.01 → 0.055 (min 0.01, max 0.1)");
  });
});
