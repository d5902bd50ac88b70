/**
 * `%lr_schedule sched --steps N`: a line naming a variable that holds a scheduler the cells built
 * (kernel/src/magics/scheduler_variable.ts), in-process (previewLines with the variables given).
 * A porter had built SequentialLR(LinearLR, CosineAnnealingLR) and found no line to see it: the
 * magic took class names only ("unknown scheduler"), so each case here failed before. The line
 * gives lrlab.preview(sched, { steps })'s numbers, labelled with the variable's name; it overlays
 * with other lines; options that belong to a class line are refused, saying why; a variable that
 * holds something else is named with what it holds; and the scheduler and its optimizer are as
 * they were afterwards. Through the real kernel: test/kernel/lr_schedule_variable.test.ts.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";

// As the kernel loads them (kernel/dist, built by the test setup), as lr_schedule_preview.test.ts does
const load = createRequire(__filename);
const DIST = join(__dirname, "../../kernel/dist");
const { previewLines } = load(join(DIST, "magics/lr_schedule.js")) as typeof import("../../kernel/src/magics/lr_schedule");
const { preview } = load(join(DIST, "trace/preview.js")) as typeof import("../../kernel/src/trace/preview");
const { bundle } = load(join(DIST, "tools.js")) as typeof import("../../kernel/src/tools");
const torch = load(join(DIST, "index.js")) as typeof import("../../kernel/src/index");
const { lr_scheduler } = torch.optim;

const param = () => torch.zeros([1], { requires_grad: true });

/** A porter's schedule: AdamW on two groups, warm-up then cosine, stepped per batch. */
function warmupCosine() {
  const opt = new torch.optim.AdamW([{ params: [param()], weight_decay: 0.05 }, { params: [param()], weight_decay: 0 }], { lr: 0.003 });
  const warm = new lr_scheduler.LinearLR(opt, { start_factor: 0.1, total_iters: 5 });
  const cos = new lr_scheduler.CosineAnnealingLR(opt, { T_max: 15 });
  return { opt, sched: new lr_scheduler.SequentialLR(opt, { schedulers: [warm, cos], milestones: [5] }) };
}

function stepLR() {
  const opt = new torch.optim.SGD([param()], { lr: 0.1, momentum: 0.9 });
  return { opt, sched: new lr_scheduler.StepLR(opt, { step_size: 5, gamma: 0.5 }) };
}

/** The message of what `f` throws (its name and message), or "no error". */
function thrown(f: () => unknown): string {
  try {
    f();
  } catch (e: any) {
    return `${e.name}: ${e.message}`;
  }
  return "no error";
}

describe("%lr_schedule <variable>: the scheduler the cells built", () => {
  it("a StepLR variable gives lrlab.preview's rates and text, labelled with the variable's name", () => {
    const { sched } = stepLR();
    const [p] = previewLines(["sched --steps 23"], { sched });
    const expected = preview(sched, { steps: 23 });
    expect(p.lrs).toEqual(expected.lrs);
    expect(p.momentums).toEqual(expected.momentums);
    expect(p.name).toBe("sched");
    expect(String(p)).toBe(String(expected).replace(/^StepLR:/, "sched:"));
    expect(String(p)).toBe("sched: 23 steps, lr 0.1 → 0.00625 (min 0.00625, max 0.1)");
  });

  it("a SequentialLR variable (two param groups) gives lrlab.preview's rates for every group", () => {
    const { sched } = warmupCosine();
    const [p] = previewLines(["sched --steps 30 --name warm+cos"], { sched });
    const expected = preview(sched, { steps: 30 });
    expect(p.lrs.length).toBe(2);
    expect(p.lrs).toEqual(expected.lrs);
    expect(p.name).toBe("warm+cos");
    // the warm-up starts at start_factor × lr and reaches lr at the milestone, as the library's own stepping does
    expect(p.lr[0]).toBeCloseTo(0.0003, 15);
    expect(p.lr[5]).toBeCloseTo(0.003, 15);
  });

  it("ChainedScheduler, SWALR, and ReduceLROnPlateau (with --metrics) variables preview as lrlab.preview does", () => {
    const o1 = new torch.optim.SGD([param()], { lr: 0.1 });
    const chained = new lr_scheduler.ChainedScheduler([new lr_scheduler.ConstantLR(o1, { factor: 0.5, total_iters: 3 }), new lr_scheduler.ExponentialLR(o1, { gamma: 0.9 })]);
    const o2 = new torch.optim.SGD([param()], { lr: 0.1 });
    const swa = new torch.optim.swa_utils.SWALR(o2, { swa_lr: 0.05, anneal_epochs: 4 });
    const o3 = new torch.optim.SGD([param()], { lr: 0.1 });
    const plateau = new lr_scheduler.ReduceLROnPlateau(o3, { patience: 0 });
    const metrics = [1, 0.9, 0.9, 0.9, 0.8, 0.8];
    const [c, s, r] = previewLines(["chained --steps 8", "swa", `plateau --metrics ${metrics.join(",")}`], { chained, swa, plateau });
    expect(c.lrs).toEqual(preview(chained, { steps: 8 }).lrs);
    // SWALR without --steps: its own length, 2 × anneal_epochs, as on a class line
    expect(s.lrs).toEqual(preview(swa, { steps: 8 }).lrs);
    expect(r.lrs).toEqual(preview(plateau, { steps: 6, metrics }).lrs);
  });

  it("without --steps: what is left of a schedule with a length of its own; none of its own asks for --steps", () => {
    const opt = new torch.optim.SGD([param()], { lr: 0.1 });
    const cos = new lr_scheduler.CosineAnnealingLR(opt, { T_max: 10 });
    expect(previewLines(["cos"], { cos })[0].steps).toBe(10);
    for (let i = 0; i < 4; i++) { opt.step(); cos.step(); }
    const [p] = previewLines(["cos"], { cos });
    expect(p.lrs).toEqual(preview(cos, { steps: 6 }).lrs);
    const { sched } = stepLR();
    expect(thrown(() => previewLines(["sched"], { sched }))).toMatch(/^UsageError: --steps N is required for sched \(a StepLR: how many steps to simulate\); OneCycleLR, CosineAnnealingLR/);
  });

  it("two variable lines, and a variable line with a class-name line, overlay in one plot", () => {
    const a = stepLR().sched;
    const b = warmupCosine().sched;
    const two = previewLines(["a --steps 20", "b --steps 20"], { a, b });
    expect(two.map((p) => p.name)).toEqual(["a", "b"]);
    expect(two[0].lrs).toEqual(preview(a, { steps: 20 }).lrs);
    expect(two[1].lrs).toEqual(preview(b, { steps: 20 }).lrs);
    const mixed = previewLines(["a --steps 20", "StepLR step_size=5 gamma=0.5 --steps 20"], { a });
    expect(mixed.map((p) => p.name)).toEqual(["a", "StepLR(step_size=5, gamma=0.5)"]);
    // the same schedule built from the class line: the same rates
    expect(mixed[1].lrs).toEqual(mixed[0].lrs);
    const series = (bundle(mixed)["application/vnd.lrlab.plot+json"] as any).series.filter((s: any) => s.metric === "lr").map((s: any) => s.name);
    expect(series).toEqual(["a", "StepLR(step_size=5, gamma=0.5)"]);
  });

  it("--lr, --optimizer and key=value on a variable's line are a UsageError: the scheduler has its own optimizer and options", () => {
    const { sched } = stepLR();
    const said = "sched holds a StepLR your code built, which already has its optimizer and options (the preview steps it on that optimizer, "
      + "then puts both back as they were); a variable's line takes --steps N and --name label (and --metrics m1,m2,... for a ReduceLROnPlateau) only.";
    expect(thrown(() => previewLines(["sched --steps 10 --lr 0.01"], { sched }))).toBe(`UsageError: --lr 0.01: ${said} `
      + "To preview other options, write the class's line, e.g. %lr_schedule StepLR key=value ... --lr 0.1 --steps N");
    expect(thrown(() => previewLines(["sched step_size=3 --optimizer Adam --steps 10"], { sched }))).toContain(`UsageError: step_size=3 --optimizer Adam: ${said}`);
    expect(thrown(() => previewLines(["sched --metrics 1,2 --steps 2"], { sched }))).toMatch(/^UsageError: --metrics is the metric a ReduceLROnPlateau reacts to.*sched holds a StepLR, which takes none/);
  });

  it("a variable holding something else is named with what it holds and what is allowed", () => {
    const allowed = "%lr_schedule takes a scheduler class with its options (%lr_schedule StepLR step_size=5 --steps 100), "
      + "or a variable holding a scheduler your code built (%lr_schedule sched --steps 100; or a property or element of one: rq.sched, runs[0].sched)";
    expect(thrown(() => previewLines(["x --steps 10"], { x: 5 }))).toBe(`UsageError: x holds the number 5, not a learning-rate scheduler (an LRScheduler); ${allowed}`);
    expect(thrown(() => previewLines(["u --steps 10"], { u: undefined }))).toBe(`UsageError: u holds undefined, not a learning-rate scheduler (an LRScheduler); ${allowed}`);
    const { opt } = stepLR();
    expect(thrown(() => previewLines(["opt --steps 10"], { opt }))).toMatch(/^UsageError: opt holds an SGD optimizer, not a learning-rate scheduler .*; a scheduler is built on an optimizer \(new torch.optim.lr_scheduler.StepLR\(opt, /);
    // with a class-line option too: what it holds, not the options' error
    expect(thrown(() => previewLines(["x --lr 0.1 --steps 10"], { x: 5 }))).toMatch(/^UsageError: x holds the number 5, not a learning-rate scheduler/);
  });

  it("a name that is neither a class nor a variable: the unknown scheduler's error, which says a variable is accepted (and the close one)", () => {
    const { sched } = stepLR();
    const e = thrown(() => previewLines(["shed --steps 10"], { sched, n: 3 }));
    expect(e).toMatch(/^UsageError: unknown scheduler "shed" \(did you mean sched\?\); valid names: LambdaLR, .*, SWALR; or a variable \(or a property of one: rq\.sched\) holding a scheduler your code built \(yours: sched\), previewed as built/);
    expect(thrown(() => previewLines(["StepLRR step_size=2 --steps 5"]))).toMatch(/^UsageError: unknown scheduler "StepLRR" \(did you mean StepLR\?\); valid names: .*; or a variable \(or a property of one: rq\.sched\) holding a scheduler your code built, previewed as built/);
  });

  it("the scheduler and its optimizer are as they were after the preview (lr, last_epoch, state_dicts, gradients), and keep stepping as before", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      for (const make of [stepLR, warmupCosine]) {
        const { opt, sched } = make();
        // a run in progress: real gradients and optimizer state, the schedule part-way through
        for (let i = 0; i < 3; i++) {
          for (const g of opt.param_groups) for (const p of g.params as any[]) p.grad = torch.ones([1]);
          opt.step();
          sched.step();
        }
        const grads = opt.param_groups.flatMap((g) => (g.params as any[]).map((p) => p.grad));
        const snapshot = () => JSON.stringify({
          sched: sched.state_dict(), opt: opt.state_dict(), last_epoch: sched.last_epoch, last_lr: sched.get_last_lr(),
          groups: opt.param_groups.map((g) => Object.fromEntries(Object.entries(g).filter(([k]) => k !== "params"))),
          // the keys too (JSON leaves out a key set to undefined): restoring wrote `betas: undefined`
          // into SGD's groups and `momentum: undefined` into AdamW's, which SGD then warned of
          keys: opt.param_groups.map((g) => Object.keys(g)),
          weights: opt.param_groups.flatMap((g) => (g.params as any[]).map((p) => Array.from(p.data))),
        });
        const before = snapshot();
        previewLines(["sched --steps 40"], { sched });
        expect(snapshot()).toBe(before);
        expect(opt.param_groups.flatMap((g) => (g.params as any[]).map((p) => p.grad))).toEqual(grads);
        // and its next step is the one it would have taken (a twin that was never previewed)
        const twin = make();
        for (let i = 0; i < 4; i++) { twin.opt.step(); twin.sched.step(); }
        opt.step();
        sched.step();
        expect(sched.get_last_lr()).toEqual(twin.sched.get_last_lr());
      }
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});
