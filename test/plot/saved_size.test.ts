/**
 * The bundle of a long trace as it is SAVED in a notebook, not as compact JSON: nbformat writes
 * the .ipynb with `json.dumps(nb, indent=1)`, so every number of the lrlab payload and of the
 * plotly JSON goes on a line of its own behind a dozen spaces of indentation. DESIGN.md's bound
 * (a plot output stays under 150 KB) is about the file a teacher commits and a student
 * downloads, so it is checked here in that form.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { bundle, SVG_MIME } from "../../kernel/src/plot/index";
import { savedBytes, tracedRun } from "./saved";

/** 100,000 steps on a small MLP with a schedule and the loss: every panel filled. */
const longRun = (make: Parameters<typeof tracedRun>[0], steps = 100_000, name = "long") => tracedRun(make, steps, name);

describe("a long trace, as saved in a .ipynb", () => {
  it("100k Adam steps with a schedule and the loss: the saved plot output stays under 150 KB", () => {
    const t = longRun((params) => {
      const optimizer = new torch.optim.Adam(params, { lr: 1e-3 });
      return { optimizer, sched: new torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, { T_max: 100_000 }) };
    });
    const b = t._repr_mimebundle_();
    const size = savedBytes(b);
    console.log("saved bytes", size, Object.fromEntries(Object.entries(b).map(([k, v]) => [k, savedBytes({ [k]: v })])));
    expect(size).toBeLessThan(150_000);
    expect(String(b[SVG_MIME]).length).toBeGreaterThan(1000);
  }, 120_000);

  it("100k SGD steps with momentum and OneCycleLR (a cycled momentum: one more panel) stay under 150 KB", () => {
    const t = longRun((params) => {
      const optimizer = new torch.optim.SGD(params, { lr: 0.01, momentum: 0.9 });
      return { optimizer, sched: new torch.optim.lr_scheduler.OneCycleLR(optimizer, { max_lr: 0.05, total_steps: 100_000 }) };
    });
    const b = t._repr_mimebundle_();
    const size = savedBytes(b);
    console.log("saved bytes (OneCycleLR)", size, Object.fromEntries(Object.entries(b).map(([k, v]) => [k, savedBytes({ [k]: v })])));
    expect(size).toBeLessThan(150_000);
  }, 120_000);

  it("%lr_compare of five long runs (every metric of each, for the selector) stays under 150 KB", () => {
    const runs = [1e-3, 3e-3, 1e-2, 3e-2, 1e-1].map((lr) => longRun((params) => {
      const optimizer = new torch.optim.Adam(params, { lr });
      return { optimizer, sched: new torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, { T_max: 20_000 }) };
    }, 20_000, `adam lr=${lr}`));
    const b = bundle(runs, { default_metric: "lr_per_sample" });
    const size = savedBytes(b);
    console.log("saved bytes (compare)", size, Object.fromEntries(Object.entries(b).map(([k, v]) => [k, savedBytes({ [k]: v })])));
    expect(size).toBeLessThan(150_000);
  }, 120_000);
});
