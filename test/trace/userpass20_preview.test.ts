/**
 * userpass20 (a teacher's report-only pass), findings 1, 4 and 5, in-process (kernel/dist, as the
 * kernel loads it). Each case failed before its fix.
 *
 * V1: `%lr_schedule sched` and `lrlab.preview(sched, ...)` of a scheduler that had already been
 *     stepped drew the rest of its run from "scheduler step 0", with nothing saying so. Now the x
 *     axis starts at its last_epoch k and the text says "from step k (the scheduler has taken k
 *     steps)"; a fresh scheduler's preview is as it was. The rates stay PyTorch 2.13's: a scheduler
 *     stepped k times, then stepped on (PYTORCH below).
 * V4: the SequentialLR line's error wrote example options (start_factor 0.1, total_iters 8) in place
 *     of those the line gave; now it reuses them, and says which parts are examples.
 * V5: "recorded runs: none yet" after a kernel restart now says a restart drops the runs, and how
 *     to keep one (to_json / Trace.from_json).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";

const load = createRequire(__filename);
const DIST = join(__dirname, "../../kernel/dist");
const { previewLines } = load(join(DIST, "magics/lr_schedule.js")) as typeof import("../../kernel/src/magics/lr_schedule");
const { preview } = load(join(DIST, "trace/preview.js")) as typeof import("../../kernel/src/trace/preview");
const { unknown_run_message } = load(join(DIST, "trace/runs.js")) as typeof import("../../kernel/src/trace/runs");
const torch = load(join(DIST, "index.js")) as typeof import("../../kernel/src/index");
const { lr_scheduler } = torch.optim;

/**
 * The rates PyTorch 2.13 (/work/torchvenv) gives after each case's first steps, one per further
 * step (the lr in force before each optimizer.step(); scheduler.step() after it), from:
 *
 * import json, torch
 * from torch.optim.lr_scheduler import *
 * def opt(mom=0.9): return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=mom)
 * out = {}
 * # SequentialLR(LinearLR 1/8 over 7, CosineAnnealingLR 56) milestones [8]: 32 steps taken, then 64 more
 * o = opt(); s = SequentialLR(o, [LinearLR(o, start_factor=1/8, total_iters=7), CosineAnnealingLR(o, T_max=56)], milestones=[8])
 * for _ in range(32): o.step(); s.step()
 * before = {"last_epoch": getattr(s, "last_epoch", None), "step_count": getattr(s, "_step_count", None)}
 * lrs = []
 * for _ in range(64): lrs.append(o.param_groups[0]["lr"]); o.step(); s.step()
 * out["seq"] = {"last_epoch": s.last_epoch, "step_count": getattr(s, "_step_count", None), "lrs": lrs, "before": before}
 * # CosineAnnealingWarmRestarts(T_0=1, T_mult=2, eta_min=1e-3) stepped by fractional epochs (7 x 16), then 20 step()
 * o = opt(); s = CosineAnnealingWarmRestarts(o, T_0=1, T_mult=2, eta_min=1e-3)
 * import warnings; warnings.simplefilter("ignore")
 * for ep in range(7):
 *     for i in range(16): o.step(); s.step(ep + i / 16)
 * before = {"last_epoch": getattr(s, "last_epoch", None), "step_count": getattr(s, "_step_count", None)}
 * lrs = []
 * for _ in range(20): lrs.append(o.param_groups[0]["lr"]); o.step(); s.step()
 * out["wr"] = {"last_epoch": s.last_epoch, "step_count": getattr(s, "_step_count", None), "lrs": lrs, "before": before}
 * # ChainedScheduler(StepLR(2, 0.5), ExponentialLR(0.9)): 5 steps, then 10
 * o = opt(); s = ChainedScheduler([StepLR(o, step_size=2, gamma=0.5), ExponentialLR(o, gamma=0.9)])
 * for _ in range(5): o.step(); s.step()
 * before = {"last_epoch": getattr(s, "last_epoch", None), "step_count": getattr(s, "_step_count", None)}
 * lrs = []
 * for _ in range(10): lrs.append(o.param_groups[0]["lr"]); o.step(); s.step()
 * out["chained"] = {"lrs": lrs, "has_last_epoch": hasattr(s, "last_epoch")}
 * # ReduceLROnPlateau(factor 0.5, patience 1): metrics 1, 1, 1 then 1, 0.5, 0.5, 0.5, 0.5
 * o = opt(); s = ReduceLROnPlateau(o, factor=0.5, patience=1)
 * for m in [1, 1, 1]: o.step(); s.step(m)
 * before = {"last_epoch": getattr(s, "last_epoch", None), "step_count": getattr(s, "_step_count", None)}
 * lrs = []
 * for m in [1, 0.5, 0.5, 0.5, 0.5]: lrs.append(o.param_groups[0]["lr"]); o.step(); s.step(m)
 * out["plateau"] = {"last_epoch": s.last_epoch, "lrs": lrs, "before": before}
 * print(json.dumps(out))
 */
const PYTORCH: Record<string, number[]> = {
  seq: [0.06112604669781573, 0.05837531116523684, 0.0555982238051654, 0.05280352236185961, 0.05000000000000002, 0.04719647763814043, 0.04440177619483463, 0.041624688834763196, 0.038873953302184294, 0.036158224428757546, 0.03348604690224165, 0.030865828381745522, 0.028305813044122104, 0.02581405564473802, 0.023398396174233185, 0.02106643519100972, 0.01882550990706333, 0.01668267110239981, 0.014644660940672632, 0.012717891755841725, 0.010908425876598531, 0.009221956552036994, 0.007663790038585796, 0.006238828904562318, 0.004951556604879051, 0.0038060233744356647, 0.0028058334845816224, 0.0019541339027450266, 0.0012536043909088142, 0.0007064490740882061, 0.00031438950533787, 7.865924910916982e-05, 0.0, 7.865924910916978e-05, 0.00031438950533786984, 0.0007064490740882058, 0.0012536043909088137, 0.0019541339027450205, 0.002805833484581622, 0.0038060233744356582, 0.004951556604879044, 0.006238828904562311, 0.00766379003858579, 0.009221956552036989, 0.010908425876598526, 0.01271789175584172, 0.01464466094067262, 0.016682671102399804, 0.018825509907063318, 0.02106643519100969, 0.02339839617423317, 0.025814055644737995, 0.02830581304412209, 0.03086582838174553, 0.03348604690224165, 0.03615822442875755, 0.03887395330218428, 0.04162468883476316, 0.04440177619483462, 0.047196477638140444, 0.05000000000000001, 0.052803522361859624, 0.05559822380516541, 0.058375311165236816],
  wr: [0.0010596249178439659, 0.09668314354231958, 0.08635023060609763, 0.070559445043247, 0.05171479081188416, 0.032685195691518086, 0.01636774303551519, 0.005246617092675231, 0.0010149084745378896, 0.09916372162784522, 0.09646105098342418, 0.09199212292496449, 0.08592867585154902, 0.07850372463378885, 0.07000260598302188, 0.06075201312151482, 0.05110744114514314, 0.041439525546220525, 0.032119798899384044, 0.023506413073108714],
  chained: [0.014762250000000005, 0.0066430125000000026, 0.005978711250000003, 0.0026904200625000015, 0.0024213780562500013, 0.0010896201253125005, 0.0009806581127812504, 0.0004412961507515627, 0.00039716653567640646, 0.00017872494105438292],
  plateau: [0.05, 0.05, 0.05, 0.05, 0.025],
};

const sgd = () => new torch.optim.SGD([torch.zeros([1], { requires_grad: true })], { lr: 0.1, momentum: 0.9 });

/** The teacher's SequentialLR: warm-up over 8 steps, then a cosine over 56 (64 in all). */
function sequential() {
  const o = sgd();
  const s = new lr_scheduler.SequentialLR(o, [new lr_scheduler.LinearLR(o, { start_factor: 1 / 8, total_iters: 7 }),
    new lr_scheduler.CosineAnnealingLR(o, { T_max: 56 })], { milestones: [8] });
  return { o, s };
}

function close(actual: readonly number[], expected: readonly number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]), `step ${i}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected[i]))));
}

/** The x of the plot's first lr point. */
const firstX = (p: ReturnType<typeof preview>) => p.to_figure_source().series[0].buckets[0].first_step;

/** The message of what `f` throws, or "no error". */
function thrown(f: () => unknown): string {
  try {
    f();
  } catch (e: any) {
    return e.message;
  }
  return "no error";
}

describe("V1: the preview of a scheduler that has already been stepped says it goes on from there", () => {
  it("a fresh scheduler: as before (x from 0, no note)", () => {
    const { s } = sequential();
    const p = preview(s, { steps: 64 });
    expect(String(p)).toBe("SequentialLR: 64 steps, lr 0.0125 → 7.866e-5 (min 7.866e-5, max 0.1)");
    expect(p.first_step).toBe(0);
    expect(p.continued).toBeNull();
    expect(firstX(p)).toBe(0);
  });

  it("SequentialLR stepped 32 times: x from 32, the text says so, PyTorch's rates; lrlab.preview and the magic line alike", () => {
    const { o, s } = sequential();
    for (let i = 0; i < 32; i++) { o.step(); s.step(); }
    const p = preview(s, { steps: 64 });
    close(p.lrs[0], PYTORCH.seq);
    expect(p.first_step).toBe(32);
    expect(p.continued).toEqual({ last_epoch: 32, step_calls: 32 });
    expect(firstX(p)).toBe(32);
    expect(String(p)).toBe("SequentialLR: 64 steps from step 32 (the scheduler has taken 32 steps), lr 0.06113 → 0.05838 (min 0, max 0.06113)");
    expect(p.to_figure_source().summary?.[0]).toBe(String(p));
    const [line] = previewLines(["s2 --steps 64"], { s2: s });
    expect(String(line)).toBe("s2: 64 steps from step 32 (the scheduler has taken 32 steps), lr 0.06113 → 0.05838 (min 0, max 0.06113)");
    close(line.lrs[0], PYTORCH.seq);
    expect(firstX(line)).toBe(32);
    // and the scheduler is where it was
    expect(s.last_epoch).toBe(32);
  });

  it("one step taken: singular", () => {
    const o = sgd();
    const s = new lr_scheduler.StepLR(o, { step_size: 2 });
    o.step(); s.step();
    expect(String(preview(s, { steps: 3 }))).toMatch(/^StepLR: 3 steps from step 1 \(the scheduler has taken 1 step\), /);
  });

  it("CosineAnnealingWarmRestarts stepped by fractional epochs: from its last_epoch, saying how it was stepped; PyTorch's rates", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const o = sgd();
      const s = new lr_scheduler.CosineAnnealingWarmRestarts(o, { T_0: 1, T_mult: 2, eta_min: 1e-3 });
      for (let ep = 0; ep < 7; ep++) for (let i = 0; i < 16; i++) { o.step(); s.step(ep + i / 16); }
      const p = preview(s, { steps: 20 });
      close(p.lrs[0], PYTORCH.wr);
      expect(firstX(p)).toBe(6);
      expect(String(p)).toMatch(/^CosineAnnealingWarmRestarts: 20 steps from step 6 \(the scheduler is at last_epoch=6, stepped by fractional epochs\), lr 0\.00106 → /);
      // stepped by whole epochs, its last_epoch counts its steps
      const o2 = sgd();
      const w = new lr_scheduler.CosineAnnealingWarmRestarts(o2, { T_0: 4 });
      for (let i = 0; i < 3; i++) { o2.step(); w.step(); }
      expect(String(preview(w, { steps: 4 }))).toMatch(/^CosineAnnealingWarmRestarts: 4 steps from step 3 \(the scheduler has taken 3 steps\), /);
    } finally {
      warn.mockRestore();
    }
  });

  it("ChainedScheduler (no last_epoch of its own: its schedulers') and ReduceLROnPlateau: from where they are, PyTorch's rates", () => {
    const o = sgd();
    const c = new lr_scheduler.ChainedScheduler([new lr_scheduler.StepLR(o, { step_size: 2, gamma: 0.5 }), new lr_scheduler.ExponentialLR(o, { gamma: 0.9 })]);
    for (let i = 0; i < 5; i++) { o.step(); c.step(); }
    const pc = preview(c, { steps: 10 });
    close(pc.lrs[0], PYTORCH.chained);
    expect(String(pc)).toMatch(/^ChainedScheduler: 10 steps from step 5 \(the scheduler has taken 5 steps\), /);
    expect(firstX(pc)).toBe(5);
    const o2 = sgd();
    const r = new lr_scheduler.ReduceLROnPlateau(o2, { factor: 0.5, patience: 1 });
    for (const m of [1, 1, 1]) { o2.step(); r.step(m); }
    const pr = preview(r, { steps: 5, metrics: [1, 0.5, 0.5, 0.5, 0.5] });
    close(pr.lrs[0], PYTORCH.plateau);
    expect(String(pr)).toMatch(/^ReduceLROnPlateau: 5 steps from step 3 \(the scheduler has taken 3 steps\), /);
  });

  it("a scheduler built with last_epoch=k (a resumed script) says where it is; first_step given by the caller wins", () => {
    const o = sgd();
    const s0 = new lr_scheduler.StepLR(o, { step_size: 5 });
    for (let i = 0; i < 4; i++) { o.step(); s0.step(); }
    const s = new lr_scheduler.StepLR(o, { step_size: 5, last_epoch: 4 });
    const p = preview(s, { steps: 3 });
    expect(String(p)).toMatch(/^StepLR: 3 steps from step 5 \(the scheduler is at last_epoch=5, after 0 step\(\) calls\), /);
    expect(preview(s, { steps: 3, first_step: 100 }).first_step).toBe(100);
  });

  it("the class line's last_epoch=k preview is unchanged (from k + 1, no scheduler-instance note)", () => {
    const [p] = previewLines(["StepLR step_size=5 gamma=0.5 last_epoch=4 --steps 10"]);
    expect(String(p)).toBe("StepLR(step_size=5, gamma=0.5, last_epoch=4): 10 steps from step 5, lr 0.05 → 0.025 (min 0.025, max 0.05)");
  });
});

describe("V4: the SequentialLR line's code reuses the options the line gave", () => {
  it("schedulers with their options in Python's call syntax: those options, no word of examples", () => {
    const e = thrown(() => previewLines(["SequentialLR schedulers=[LinearLR(start_factor=0.125,total_iters=7),CosineAnnealingLR(T_max=56)] milestones=[8] --lr 0.1 --steps 64"]));
    expect(e).toContain("preview it in code, with the options your line gave:\n");
    expect(e).toContain("const s0 = new torch.optim.lr_scheduler.LinearLR(opt, { start_factor: 0.125, total_iters: 7 }); "
      + "const s1 = new torch.optim.lr_scheduler.CosineAnnealingLR(opt, { T_max: 56 }); "
      + "return new torch.optim.lr_scheduler.SequentialLR(opt, { schedulers: [s0, s1], milestones: [8] }); }, { steps: 64, lr: 0.1 })");
    expect(e).not.toContain("example");
  });

  it("the code it gives runs and previews the line's schedule", () => {
    const e = thrown(() => previewLines(["SequentialLR schedulers=[LinearLR(start_factor=1/8, total_iters=7), CosineAnnealingLR(T_max=56)] milestones=[8] --steps 64"]));
    const code = /^  (lrlab\.preview\(.*\))$/m.exec(e)?.[1];
    expect(code).toBeDefined();
    const lrlab = { preview };
    const p = new Function("lrlab", "torch", `return ${code};`)(lrlab, torch);
    expect(p.lrs[0]).toEqual(preview(sequential().s, { steps: 64 }).lrs[0]);
  });

  it("what the line does not give (a bare name, a lambda, positional arguments, milestones) is an example, and said so", () => {
    const bare = thrown(() => previewLines(["SequentialLR schedulers=[LinearLR,CosineAnnealingLR] milestones=[8] --steps 64"]));
    expect(bare).toContain("preview it in code (the schedulers' options are examples: give yours):");
    const mixed = thrown(() => previewLines(["SequentialLR schedulers=[LinearLR(start_factor=0.125,total_iters=7),StepLR(5)] --steps 64"]));
    expect(mixed).toContain("(the options of StepLR and the milestones are examples: give yours):");
    expect(mixed).toContain("LinearLR(opt, { start_factor: 0.125, total_iters: 7 })");
    const lambda = thrown(() => previewLines(["SequentialLR schedulers=[LambdaLR(lr_lambda=lambda e: 0.9**e),ExponentialLR(gamma=0.9)] milestones=[8] --steps 64"]));
    expect(lambda).toContain("(the options of LambdaLR are examples: give yours):");
    expect(lambda).toContain("ExponentialLR(opt, { gamma: 0.9 })");
  });

  it("lists, booleans and quoted words are read as TypeScript", () => {
    const e = thrown(() => previewLines(["SequentialLR schedulers=[MultiStepLR(milestones=[2, 4],gamma=0.5),OneCycleLR(max_lr=0.1,total_steps=20,anneal_strategy='linear',three_phase=True)] milestones=[6] --steps 26"]));
    expect(e).toContain("MultiStepLR(opt, { milestones: [2, 4], gamma: 0.5 })");
    expect(e).toContain("OneCycleLR(opt, { max_lr: 0.1, total_steps: 20, anneal_strategy: \"linear\", three_phase: true })");
    expect(e).toContain("with the options your line gave");
  });
});

describe("V5: no run recorded at all (a kernel restart): the message says runs live in the kernel", () => {
  it("names the restart, re-running the training cells, and to_json / Trace.from_json", () => {
    const m = unknown_run_message("lam", []);
    expect(m).toBe("no run named \"lam\"; recorded runs: none yet (use %%lr_trace --name N). Runs live in the kernel: a restart drops them, "
      + "so re-run the cells that trained them; to keep one across restarts, save lrlab.run(\"N\").to_json() (or trace.to_json()) to a file "
      + "with JSON.stringify and read it back with lrlab.Trace.from_json(JSON.parse(text))");
  });
});
