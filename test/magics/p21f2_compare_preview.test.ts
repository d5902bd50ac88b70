/**
 * `%lr_compare` with schedule previews (session 21, a lecturer's and an engineer's report-only
 * passes): a preview built at another base lr than the run's is said to be the same schedule at
 * a constant ratio, with the lr option to give (it "differed at every step, max rel diff 0.5"); the
 * preview code the messages suggest carries the run's lr; previews alone overlay (they were
 * refused, with an example naming a run "seq" the user did not have); the picture draws a
 * preview dashed over the runs and says in its note whether they agree (stdout alone said it).
 * In-process (kernel/dist, as the kernel loads it), as test/magics/p21_compare_preview.test.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { compareRun, locals, lrlab, torch } from "./compare_harness";
const { lr_scheduler } = torch.optim;
const PLOT = "application/vnd.lrlab.plot+json";
const PLOTLY = "application/vnd.plotly.v1+json";
const SVG = "image/svg+xml";

const run = compareRun;

/** A run of `steps` SGD steps at `lr` under a cosine of T_max 20, traced as `name`; its scheduler. */
function traced(name: string, lr: number | number[], steps = 20) {
  const ps = (Array.isArray(lr) ? lr : [lr]).map(() => torch.zeros([3], { requires_grad: true }));
  const groups = (Array.isArray(lr) ? lr : [lr]).map((v, i) => ({ params: [ps[i]], lr: v }));
  const opt = new torch.optim.SGD(groups, { lr: groups[0].lr });
  const sched = new lr_scheduler.CosineAnnealingLR(opt, { T_max: 20 });
  const t = lrlab.trace(opt, { name });
  for (let i = 0; i < steps; i++) {
    opt.zero_grad();
    ps.reduce((a: any, p: any) => a.add(p.sub(1).pow(2).sum()), torch.zeros([])).backward();
    opt.step();
    sched.step();
  }
  t.stop();
  return sched;
}

beforeAll(() => {
  lrlab.clear_runs();
  torch.manual_seed(0);
  const sched = traced("half", 0.05);
  traced("two", [0.05, 0.01]);
  Object.assign(locals, {
    sched,
    // the README's preview, at the factory's default lr 0.1
    pvd: lrlab.preview((opt) => new lr_scheduler.CosineAnnealingLR(opt, { T_max: 20 }), { steps: 30 }),
    pv: lrlab.preview((opt) => new lr_scheduler.CosineAnnealingLR(opt, { T_max: 20 }), { steps: 20, lr: 0.05 }),
    pa: lrlab.preview((opt) => new lr_scheduler.CosineAnnealingLR(opt, { T_max: 30 }), { steps: 30 }),
    pb: lrlab.preview((opt) => new lr_scheduler.StepLR(opt, { step_size: 10, gamma: 0.5 }), { steps: 30 }),
    fresh: new lr_scheduler.StepLR(new torch.optim.SGD([torch.zeros([1], { requires_grad: true })], { lr: 0.1 }), { step_size: 10 }),
  });
});

describe("a preview at another base lr (Y 4, X F6)", () => {
  it("is the same schedule at a constant ratio, with both base lrs and the option to give", () => {
    const { text } = run("half pvd");
    expect(text).toBe("half vs pvd (preview): lr is the same schedule at ×0.5: half's lr is pvd's × 0.5 at all 20 common steps (0–19): "
      + "the preview ran at lr 0.1, the run at 0.05; give lrlab.preview(..., { lr: 0.05 })");
    // and with that option they agree
    expect(run("half pv").text).toBe("half vs pv (preview): lr agrees at all 20 common steps (0–19): max abs diff 0, max rel diff 0");
  });

  it("per group: a run of two groups against a one-group preview compares group 0 and names its lr", () => {
    const { text } = run("two pvd");
    expect(text).toContain("two vs pvd (preview): group 0's lr is the same schedule at ×0.5: two's lr is pvd's × 0.5 at all 20 common steps (0–19): "
      + "the preview ran at lr 0.1, the run at 0.05; give lrlab.preview(..., { lr: 0.05 })");
  });

  it("a schedule that differs otherwise is not called a ratio", () => {
    const { text } = run("half pa");
    expect(text).toMatch(/^half vs pa \(preview\): lr differs from step 0 \(half 0\.05, pa 0\.1\)/);
    expect(text).not.toContain("same schedule");
  });

  it("the preview code a stepped scheduler's note suggests carries the run's lr", () => {
    const { text } = run("half sched");
    expect(text).toContain("const pv = lrlab.preview((opt) => new torch.optim.lr_scheduler.CosineAnnealingLR(opt, { ... }), { steps: 20, lr: 0.05 }), then %lr_compare half pv");
  });
});

describe("the picture of a preview among runs (Y 5)", () => {
  it("draws the preview dashed, over the run's line, and says in its note that they agree", () => {
    const { bundle } = run("pv half");
    const payload = bundle[PLOT];
    expect(payload.series.find((s: any) => s.name === "pv (preview)").preview).toBe(true);
    expect(payload.series.find((s: any) => s.name === "half").preview).toBeUndefined();
    expect(payload.notes.map((n: any) => n.text)).toContain("pv (preview), dashed: agrees with half");
    // plotly: the preview's trace dashed, after the run's (on top)
    const traces = bundle[PLOTLY].data.filter((d: any) => d.name === "pv (preview)" || d.name === "half");
    expect(traces[traces.length - 1].name).toBe("pv (preview)");
    expect(traces.find((d: any) => d.name === "pv (preview)").line.dash).toBe("dash");
    expect(traces.find((d: any) => d.name === "half").line.dash).toBe("solid");
    // SVG: a dashed path, and the note
    expect(bundle[SVG]).toContain('stroke-dasharray="6,3"');
    expect(bundle[SVG]).toContain("pv (preview), dashed: agrees with half");
  });

  it("the note names a ratio and a difference too", () => {
    expect(run("half pvd").bundle[PLOT].notes.map((n: any) => n.text)).toContain("pvd (preview), dashed: the same schedule as half at ×0.5 (another base lr)");
    expect(run("half pa").bundle[PLOT].notes.map((n: any) => n.text)).toContain("pa (preview), dashed: differs from half from step 0");
  });
});

describe("previews alone (Y 8)", () => {
  it("overlay, as several %lr_schedule lines do", () => {
    const { text, bundle } = run("pa pb");
    expect(text).toBe("");
    const lines = bundle[PLOT].series.filter((s: any) => s.metric === "lr");
    expect(lines.map((s: any) => s.name)).toEqual(["pa (preview)", "pb (preview)"]);
    expect(lines.every((s: any) => s.x.length === 30)).toBe(true);
    expect(bundle[SVG]).toContain("pb (preview)");
  });

  it("a scheduler beside a preview is previewed over the preview's steps", () => {
    const { bundle } = run("pa fresh");
    expect(bundle[PLOT].series.find((s: any) => s.name === "fresh (preview)").x.length).toBe(30);
  });

  it("a scheduler alone has no steps: the error uses the user's names and points to %lr_schedule", () => {
    expect(() => run("fresh")).toThrow(/fresh holds a scheduler \(StepLR\): with no run or preview on the line, %lr_compare has no steps to preview it over; name a run too \(%lr_compare two fresh\), or preview it over N steps with %lr_schedule fresh --steps N \(several %lr_schedule lines in one cell overlay\)/);
    expect(() => run("fresh")).not.toThrow(/seq/);
  });
});
