/**
 * %lr_schedule previews (userpass16, a scheduler engineer's pass), in-process: a resumed schedule
 * (`last_epoch=k`, which failed with PyTorch's checkpoint KeyError 'initial_lr') and several param
 * groups (`--lr 0.1,0.2`, which did not exist: `max_lr=[0.1,0.2]` failed) give PyTorch 2.13's rates
 * and momenta step for step (test/fixtures/generate_lr_schedule_preview.py); overlaid lines that
 * differ only in --lr/--optimizer get labels that say so; list values written with commas; the
 * messages for a per-group list on one group and for too few --metrics. Each failed before.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";

// As the kernel loads them (kernel/dist, built by the test setup): the magic requires its
// scheduler modules on use, which a require from the TypeScript sources cannot resolve.
const load = createRequire(__filename);
const DIST = join(__dirname, "../../kernel/dist");
const { previewLines } = load(join(DIST, "magics/lr_schedule.js")) as typeof import("../../kernel/src/magics/lr_schedule");
const { preview } = load(join(DIST, "trace/preview.js")) as typeof import("../../kernel/src/trace/preview");
const torch = load(join(DIST, "index.js")) as typeof import("../../kernel/src/index");

interface Case {
  scheduler: string; options: Record<string, unknown>; steps: number; lr: number[]; optimizer: string;
  lrs: number[][]; momentums: number[][];
}
const fixture: { cases: Case[] } = JSON.parse(readFileSync(join(__dirname, "../fixtures/trace/preview_resume_groups.json"), "utf8"));

/** The magic line of a case: options as key=value (lists as [a,b]), --lr a,b, --optimizer. */
function lineOf(c: Case): string {
  const kv = Object.entries(c.options).map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(",")}]` : v}`);
  return `${c.scheduler} ${kv.join(" ")} --steps ${c.steps} --lr ${c.lr.join(",")} --optimizer ${c.optimizer}`;
}

function close(actual: readonly number[], expected: readonly number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected[i]))));
}

describe("%lr_schedule last_epoch=k and --lr a,b: PyTorch 2.13's rates", () => {
  for (const c of fixture.cases) {
    it(lineOf(c), () => {
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      try {
        const [p] = previewLines([lineOf(c)]);
        expect(p.lrs.length).toBe(c.lr.length);
        p.lrs.forEach((lr, g) => close(lr, c.lrs[g]));
        p.momentums.forEach((m, g) => close(m as number[], c.momentums[g]));
        const k = c.options.last_epoch as number | undefined;
        // a resumed schedule is drawn from the epoch its constructor steps to, k + 1
        expect(p.first_step).toBe(k === undefined ? 0 : k + 1);
        const x = p.to_figure_source().series[0].buckets.map((b) => b.first_step);
        expect(x[0]).toBe(k === undefined ? 0 : k + 1);
        expect(warn).not.toHaveBeenCalled();
      } finally {
        warn.mockRestore();
      }
    });
  }

  it("last_epoch=k without --steps runs what is left of a schedule with a length of its own; past it asks for --steps", () => {
    const [p] = previewLines(["OneCycleLR max_lr=0.1 total_steps=20 last_epoch=5"]);
    expect(p.steps).toBe(14);
    expect(String(p)).toMatch(/^OneCycleLR\(max_lr=0\.1, total_steps=20, last_epoch=5\): 14 steps from step 6, lr /);
    expect(() => previewLines(["CosineAnnealingLR T_max=10 last_epoch=9"])).toThrow(
      /^CosineAnnealingLR: last_epoch=9 is at or past the end of the schedule's own length \(10 steps\).*give --steps N$/);
    expect(previewLines(["CosineAnnealingLR T_max=10 last_epoch=9 --steps 5"])[0].steps).toBe(5);
    expect(() => previewLines(["OneCycleLR max_lr=0.1 total_steps=20 last_epoch=5 --steps 20"])).toThrow(
      /From last_epoch=5, --steps 20 runs past total_steps \(20\), where OneCycleLR's schedule ends; leave --steps out \(the preview then runs the 14 steps left\), or give --steps 14 or fewer$/);
    expect(previewLines(["OneCycleLR max_lr=0.1 total_steps=20 last_epoch=5 --steps 14"])[0].steps).toBe(14);
    // -1 is the start, as before
    expect(previewLines(["StepLR step_size=2 gamma=0.5 last_epoch=-1 --steps 3"])[0].lr).toEqual([0.1, 0.1, 0.05]);
  });

  it("a multi-group preview's text describes every group", () => {
    const [p] = previewLines(["CyclicLR base_lr=0.001 max_lr=[0.1,0.2] step_size_up=3 --lr 0.1,0.2"]);
    expect(String(p)).toBe("CyclicLR(base_lr=0.001, max_lr=[0.1,0.2], step_size_up=3): 12 steps, 2 groups; "
      + "group 0: lr 0.001 → 0.034 (min 0.001, max 0.1); group 1: lr 0.001 → 0.06733 (min 0.001, max 0.2)");
  });
});

describe("%lr_schedule messages and values", () => {
  it("a per-group list on the one-group preview points to --lr a,b", () => {
    expect(() => previewLines(["CyclicLR base_lr=0.001 max_lr=[0.1,0.2] step_size_up=3"])).toThrow(
      "CyclicLR: max_lr must have the same length as optimizer.param_groups. max_lr has 2 values, param_groups has 1. "
      + "The preview's optimizer has one param group per --lr value (1 here): give --lr with one value per group, e.g. --lr 0.1,0.1");
    expect(() => previewLines(["StepLR step_size=2 --steps 3 --lr 0.1,x"])).toThrow(
      /^--lr takes a number >= 0, or one per param group: --lr 0\.1,0\.01 \(a group each\), got 0\.1,x$/);
    for (const lr of ["[0.1,0.01]", "0.1, 0.01", "0.1,0.01"]) {
      expect(previewLines([`StepLR step_size=2 gamma=0.5 --steps 3 --lr ${lr}`])[0].lrs).toEqual([[0.1, 0.1, 0.05], [0.01, 0.01, 0.005]]);
    }
    expect(previewLines(["StepLR step_size=2 gamma=0.5 --steps 3 --lr 1e-3"])[0].lrs).toEqual([[0.001, 0.001, 0.0005]]);
    // a list option before the scheduler's name takes it: the message says to put the name first
    expect(() => previewLines(["--lr 0.1 StepLR step_size=2 --steps 3"])).toThrow(
      "--lr takes a number >= 0, or one per param group: --lr 0.1,0.01 (a group each), got 0.1,StepLR; put the scheduler's name first: %lr_schedule StepLR key=value ... --lr 0.1");
  });

  it("--lr refuses a negative rate in a list", () => {
    expect(() => previewLines(["StepLR step_size=2 --steps 3 --lr 0.1,-1"])).toThrow(/^--lr takes a number >= 0/);
  });

  it("milestones=30,60 (and Python's (30,60)) is the list [30,60]", () => {
    const [a, b, c] = previewLines(["MultiStepLR milestones=30,60 --steps 100", "MultiStepLR milestones=(30,60) gamma=0.5 --steps 100",
      "MultiStepLR milestones=[30,60] gamma=0.2 --steps 100"]);
    expect(a.name).toBe("MultiStepLR(milestones=[30,60])");
    for (const p of [a, b, c]) expect([p.lr[29], p.lr[30], p.lr[59], p.lr[60]].map((v) => v < 0.1)).toEqual([false, true, true, true]);
    expect(b.lr[60]).toBeCloseTo(0.025, 12);
    // a list that is not one of numbers: the line's syntax in the message
    expect(() => previewLines(["MultiStepLR milestones=thirty --steps 10"])).toThrow(
      "MultiStepLR: milestones must be a list of integers, but got thirty; on a %lr_schedule line a list is written milestones=[30,60] (or milestones=30,60)");
  });

  it("ReduceLROnPlateau with fewer --metrics than --steps: named once, no 'preview:'", () => {
    expect(() => previewLines(["ReduceLROnPlateau patience=0 --metrics 1,1,1 --steps 6"])).toThrow(
      /^ReduceLROnPlateau: --metrics has 3 values for --steps 6: give one metric per step, or leave --steps out \(one step per --metrics value\)$/);
  });
});

describe("%lr_schedule overlay labels", () => {
  it("lines that differ only in --lr or --optimizer are labelled with it; identical lines by their number", () => {
    const lr = previewLines(["StepLR step_size=10 gamma=0.5 --steps 40 --lr 0.1", "StepLR step_size=10 gamma=0.5 --steps 40 --lr 0.05"]);
    expect(lr.map((p) => p.name)).toEqual(["StepLR(step_size=10, gamma=0.5) --lr 0.1", "StepLR(step_size=10, gamma=0.5) --lr 0.05"]);
    const opt = previewLines(["OneCycleLR max_lr=0.1 total_steps=40", "OneCycleLR max_lr=0.1 total_steps=40 --optimizer Adam"]);
    expect(opt.map((p) => p.name)).toEqual(["OneCycleLR(max_lr=0.1, total_steps=40) --optimizer SGD", "OneCycleLR(max_lr=0.1, total_steps=40) --optimizer Adam"]);
    const same = previewLines(["StepLR step_size=2 --steps 5", "ExponentialLR gamma=0.9 --steps 5", "StepLR step_size=2 --steps 5"]);
    expect(same.map((p) => p.name)).toEqual(["StepLR(step_size=2) (line 1)", "ExponentialLR(gamma=0.9)", "StepLR(step_size=2) (line 3)"]);
    // a --name equal to another line's label: that line gets the difference
    const named = previewLines(["StepLR step_size=2 --steps 5 --name StepLR(step_size=2)", "StepLR step_size=2 --steps 5 --lr 0.2"]);
    expect(named.map((p) => p.name)).toEqual(["StepLR(step_size=2)", "StepLR(step_size=2) --lr 0.2"]);
    // distinct labels stay as they were
    expect(previewLines(["StepLR step_size=2 --steps 5", "StepLR step_size=3 --steps 5"]).map((p) => p.name))
      .toEqual(["StepLR(step_size=2)", "StepLR(step_size=3)"]);
  });

  it("the same --name on two lines is an error", () => {
    expect(() => previewLines(["LinearLR start_factor=0.1 total_iters=5 --steps 10 --name warmup", "CosineAnnealingLR T_max=10 --steps 10 --name warmup"]))
      .toThrow(/^--name warmup is given to lines 1 and 2 of the overlay: each line needs its own label \(its legend entry\); give another --name/);
  });
});

describe("lrlab.preview: lr per group, first_step", () => {
  it("lr: [a, b] makes a group each; the text has a part per group; bad values are named", () => {
    const p = preview((o) => new torch.optim.lr_scheduler.OneCycleLR(o, [0.1, 0.2, 0.3], 30), { steps: 30, lr: [0.1, 0.05, 0.01] });
    expect(p.lrs.length).toBe(3);
    expect(String(p)).toMatch(/^OneCycleLR: 30 steps, 3 groups; group 0: lr 0\.004 → .*max 0\.1\); group 1: .*max 0\.2\); group 2: .*max 0\.3\)$/);
    expect(() => preview((o) => new torch.optim.lr_scheduler.StepLR(o, 2), { steps: 3, lr: [] })).toThrow(
      "preview: lr must be a finite number >= 0, or a non-empty list of them (one param group each), got []");
    expect(() => preview((o) => new torch.optim.lr_scheduler.StepLR(o, 2), { steps: 3, first_step: -1 })).toThrow(
      "preview: first_step must be an integer >= 0, got -1");
  });
});

describe("lrlab.preview of a scheduler whose optimizer has a Tensor lr", () => {
  it("puts the Tensor back, the same object with its value (the schedulers fill it in place)", () => {
    const lr = torch.tensor(0.1);
    const opt = new torch.optim.SGD([torch.zeros([2], { requires_grad: true })], { lr });
    const sched = new torch.optim.lr_scheduler.StepLR(opt, { step_size: 2, gamma: 0.5 });
    const before = Number(opt.param_groups[0].lr);
    const p = preview(sched, { steps: 10 }) as unknown as { lrs: number[][] };
    // the preview's own rates: halved every 2 steps, from the tensor's float32 0.1
    expect(p.lrs[0][9]).toBeCloseTo(Math.fround(0.1) / 16, 9);
    expect(opt.param_groups[0].lr).toBe(lr);
    expect(Number(opt.param_groups[0].lr)).toBe(before);
    expect(Number(lr)).toBe(Math.fround(0.1));
  });
});
