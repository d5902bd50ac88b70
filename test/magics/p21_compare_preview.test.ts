/**
 * `%lr_compare run pv`: a schedule preview (or a scheduler variable) drawn over a traced run's
 * configured lr, with a line saying whether they agree (a teacher's pass, userV finding 2: a
 * preview was "not a trace" there, and the only check was by hand against `preview.lrs`).
 * In-process (kernel/dist, as the kernel loads it), the magic run on a context holding the cells'
 * variables. Every case failed before the overlay ("no run named "pv" (that variable is not a
 * trace)"; the last, a variable holding a number, by the old detail, which named traces only).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { compareRun, locals, lrlab, torch } from "./compare_harness";
const { lr_scheduler } = torch.optim;
const PLOT = "application/vnd.lrlab.plot+json";

/** The teacher's warm-up + cosine: SequentialLR(LinearLR 1/8 over `warm`, CosineAnnealingLR 56), milestone 8. */
function seqLR(opt: any, warm = 7) {
  return new lr_scheduler.SequentialLR(opt, [
    new lr_scheduler.LinearLR(opt, { start_factor: 1 / 8, total_iters: warm }),
    new lr_scheduler.CosineAnnealingLR(opt, { T_max: 56 })], { milestones: [8] });
}

const run = compareRun;

beforeAll(() => {
  lrlab.clear_runs();
  torch.manual_seed(0);
  const p = torch.zeros([4], { requires_grad: true });
  const target = torch.randn(4);
  const opt = new torch.optim.SGD([p], { lr: 0.1, momentum: 0.9 });
  const sched = seqLR(opt);
  const t = lrlab.trace(opt, { name: "seq" });
  for (let i = 0; i < 64; i++) {
    opt.zero_grad();
    p.sub(target).pow(2).sum().backward();
    opt.step();
    sched.step();
  }
  t.stop();
  Object.assign(locals, {
    sched,
    pv: lrlab.preview((o) => seqLR(o), { steps: 64 }),
    pv8: lrlab.preview((o) => seqLR(o, 8), { steps: 64 }),
    fresh: seqLR(new torch.optim.SGD([torch.zeros([1], { requires_grad: true })], { lr: 0.1, momentum: 0.9 })),
  });
});

describe("%lr_compare run preview", () => {
  it("draws the preview as a line on the runs' configured lr and says they agree", () => {
    const { text, bundle } = run("seq pv");
    const payload = bundle[PLOT];
    expect(payload.default_metric).toBe("lr");
    const line = payload.series.find((s: any) => s.name === "pv (preview)");
    expect(line.metric).toBe("lr");
    expect(line.x[0]).toBe(0);
    expect(text).toBe("seq vs pv (preview): lr agrees at all 64 common steps (0–63): max abs diff 0, max rel diff 0");
    // the legend and the static pictures name it as a preview
    expect(bundle["image/svg+xml"]).toContain("pv (preview)");
  });

  it("says from which step a preview of other options differs, and by how much", () => {
    const { text } = run("seq pv8");
    // LinearLR from 1/8 over 7 steps against over 8: 0.1 × (1/8 + 7/8 × 1/7) = 0.025 against 0.1 × (1/8 + 7/8 × 1/8)
    expect(text).toBe("seq vs pv8 (preview): lr differs from step 1 (seq 0.025, pv8 0.02344): 7 of 64 common steps (0–63) differ; "
      + "max abs diff 0.01094 at step 7, max rel diff 0.1094");
  });

  it("takes a scheduler variable as %lr_schedule does: a fresh one is previewed over the runs' steps", () => {
    const { text, bundle } = run("seq fresh");
    expect(text).toBe("seq vs fresh (preview): lr agrees at all 64 common steps (0–63): max abs diff 0, max rel diff 0");
    expect(bundle[PLOT].series.find((s: any) => s.name === "fresh (preview)").x.length).toBe(64);
  });

  it("a scheduler the training stepped goes on from where it is, and the text says so", () => {
    const { text } = run("seq sched");
    expect(text).toContain("sched had already taken 64 steps (last_epoch=64): its preview starts there, not where the runs started");
    expect(text).toContain("seq vs sched (preview): lr: no common steps (seq has steps 0–63, the preview steps 64–127)");
  });

  it("keeps the order of the line: a preview named first comes first", () => {
    const { bundle } = run("pv seq");
    expect(bundle[PLOT].series.filter((s: any) => s.metric === "lr").map((s: any) => s.name)).toEqual(["pv (preview)", "seq"]);
  });

  it("errors name what is allowed: a metric other than lr, samples on x, a preview alone", () => {
    expect(() => run("seq pv --metric lr_projected")).toThrow(/--metric lr_projected: pv is a schedule preview, which has the configured lr only; compare it with --metric lr/);
    expect(() => run("seq pv --x samples")).toThrow(/--x samples: pv is a schedule preview, whose steps are scheduler steps with no batch size; compare it on --x step/);
    // a preview alone is drawn (it was refused; session 21's p21f2_compare_preview.test.ts overlays previews alone)
    expect(() => run("pv")).not.toThrow();
    expect(() => run("fresh")).toThrow(/fresh holds a scheduler \(SequentialLR\).*%lr_schedule fresh --steps N/);
    expect(() => run("seq pv --metric lr")).not.toThrow();
  });

  it("a variable holding something else still says it is not a trace, and what the magic takes", () => {
    locals.n = 5;
    expect(() => run("seq n")).toThrow(/no run named "n" \(that variable is not a trace; %lr_compare takes runs, and variables holding a trace, a schedule preview from lrlab\.preview\(\.\.\.\) or a scheduler\)/);
  });
});
