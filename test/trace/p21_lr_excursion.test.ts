/**
 * Session 21, finding 3 (a researcher's pass, s20/userU section 5): a OneCycleLR resumed the usual
 * wrong way (optimizer.load_state_dict, then a new OneCycleLR, then scheduler.load_state_dict) runs
 * its first resumed step at max_lr/div_factor, in PyTorch too. The trace recorded it, but the
 * summary's "over the run: lr 4e-4..0.009875" hid it. The summary now says when a group's lr left
 * its level for one step and came back (summary_lines.ts lrExcursions), and never for a real
 * schedule: StepLR/MultiStepLR drops, warm restarts, cyclic schedules, OneCycleLR's phases,
 * ReduceLROnPlateau, a cosine through eta_min = 0 (each previewed here, then read as a trace's lr).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const load = createRequire(__filename);
const DIST = join(__dirname, "../../kernel/dist");
const torch = load(join(DIST, "index.js")) as typeof import("../../kernel/src/index");
const lrlab = load(join(DIST, "tools.js")) as typeof import("../../kernel/src/tools");
const { lrExcursions, lrExcursionLines } = load(join(DIST, "trace/summary_lines.js")) as typeof import("../../kernel/src/trace/summary_lines");
const { BoundedSeries } = load(join(DIST, "trace/series.js")) as typeof import("../../kernel/src/trace/series");
const { lr_scheduler } = torch.optim;

/**
 * PyTorch 2.13's rates (/work/torchvenv) of Adam + OneCycleLR(max_lr 0.01, total_steps 20), 5 steps,
 * then resumed the wrong way and the right way, 4 steps more:
 *
 * import torch
 * from torch.optim.lr_scheduler import OneCycleLR
 * def run(order):
 *     p = torch.zeros(1, requires_grad=True); o = torch.optim.Adam([p], lr=1e-2); s = OneCycleLR(o, max_lr=0.01, total_steps=20)
 *     lrs = []
 *     for t in range(5): lrs.append(o.param_groups[0]['lr']); o.step(); s.step()
 *     osd, ssd = o.state_dict(), s.state_dict()
 *     p2 = torch.zeros(1, requires_grad=True); o2 = torch.optim.Adam([p2], lr=1e-2)
 *     if order == "wrong":
 *         o2.load_state_dict(osd); s2 = OneCycleLR(o2, max_lr=0.01, total_steps=20); s2.load_state_dict(ssd)
 *     else:
 *         s2 = OneCycleLR(o2, max_lr=0.01, total_steps=20); o2.load_state_dict(osd); s2.load_state_dict(ssd)
 *     for t in range(5, 9): lrs.append(o2.param_groups[0]['lr']); o2.step(); s2.step()
 *     print(order, lrs)
 * run("wrong"); run("right")
 */
const PYTORCH = {
  wrong: [0.0003999999999999993, 0.0013167184270002508, 0.003716718427000252, 0.006683281572999748, 0.009083281572999747,
    0.0003999999999999993, 0.009874640062350875, 0.009504846320134737, 0.0089091617757105],
  right: [0.0003999999999999993, 0.0013167184270002508, 0.003716718427000252, 0.006683281572999748, 0.009083281572999747,
    0.01, 0.009874640062350875, 0.009504846320134737, 0.0089091617757105],
};

/** A traced Adam + OneCycleLR run of 5 steps, resumed (same optimizer object, so the one trace sees it all) for 4 more. */
function resumedRun(order: "wrong" | "right", groups = 1) {
  const params = Array.from({ length: groups }, () => new torch.nn.Parameter(torch.tensor([1, -2, 3])));
  let opt = new torch.optim.Adam(params.map((p) => ({ params: [p] })), { lr: 1e-2 });
  let sched = new lr_scheduler.OneCycleLR(opt, { max_lr: 0.01, total_steps: 20 });
  const tr = lrlab.trace(opt, { name: `p21_resume_${order}_${groups}` });
  const step = () => {
    opt.zero_grad();
    params.reduce((l, p) => l.add(p.pow(2).sum()), torch.tensor(0)).backward();
    opt.step();
    sched.step();
  };
  for (let t = 0; t < 5; t++) step();
  const osd = opt.state_dict(), ssd = sched.state_dict();
  if (order === "wrong") {
    opt.load_state_dict(osd);
    sched = new lr_scheduler.OneCycleLR(opt, { max_lr: 0.01, total_steps: 20 });
    sched.load_state_dict(ssd);
  } else {
    sched = new lr_scheduler.OneCycleLR(opt, { max_lr: 0.01, total_steps: 20 });
    opt.load_state_dict(osd);
    sched.load_state_dict(ssd);
  }
  for (let t = 5; t < 9; t++) step();
  tr.stop();
  return tr;
}

/** The values as a trace's lr series holds them (one bucket a step up to its capacity). */
function series(values: readonly number[], capacity?: number) {
  const s = new BoundedSeries(capacity);
  values.forEach((v, i) => s.push(i, v));
  return s;
}

const hint = /lr (fell|rose) ×.* and (rose|fell) again/;

describe("a one-step lr excursion (a scheduler restarted on resume) is said in the summary", () => {
  it("the researcher's OneCycleLR resumed the wrong way: PyTorch's rates recorded, and the summary says the fall", () => {
    const tr = resumedRun("wrong");
    const lr = (tr.series("lr") as InstanceType<typeof BoundedSeries>).columns().last as number[];
    lr.forEach((v, i) => expect(v).toBeCloseTo(PYTORCH.wrong[i], 12));
    const lines = tr.summary();
    const line = lines.find((l) => hint.test(l));
    // (OneCycleLR reset β1 for that step too: said in the same line since s21 f1, a teacher's pass)
    expect(line).toBe("  lr fell ×22.7 at step 5 (0.009083 → 4e-4) and rose again the next step (0.009875), and β1 0.8595 → 0.95 → 0.8513 with it "
      + "(that step ran with β1 0.95): a scheduler restarted on resume? "
      + "A scheduler built after optimizer.load_state_dict sets the lr of the first step after it (OneCycleLR: max_lr/div_factor; a warm-up: its first factor of the lr); "
      + "build the scheduler first, then load the optimizer's state and the scheduler's");
    // the range line is still there
    expect(lines.some((l) => l.includes("over the run: lr 4e-4..0.009875"))).toBe(true);
  });

  it("resumed the right way: PyTorch's rates, no such line", () => {
    const tr = resumedRun("right");
    ((tr.series("lr") as InstanceType<typeof BoundedSeries>).columns().last as number[]).forEach((v, i) => expect(v).toBeCloseTo(PYTORCH.right[i], 12));
    expect(tr.summary().some((l) => hint.test(l))).toBe(false);
  });

  it("several groups: a line per group, naming it", () => {
    const lines = resumedRun("wrong", 2).summary().filter((l) => hint.test(l));
    expect(lines.map((l) => l.slice(0, 34))).toEqual(["  group 0: lr fell ×22.7 at step 5", "  group 1: lr fell ×22.7 at step 5"]);
  });

  it("a rise and return (a spike) is said too, and an --append'ed trace's merged series beyond its capacity: in a bucket of steps", () => {
    const spike = Array.from({ length: 12 }, (_, i) => (i === 6 ? 0.1 : 0.001));
    expect(lrExcursionLines([series([0.01, 0.01, 0, 0.01, 0.01])])[0]).toMatch(/^ {2}lr fell to 0 at step 2 \(0\.01 → 0\) and rose again the next step \(0\.01\): /);
    expect(lrExcursionLines([series(spike)])[0]).toMatch(/^ {2}lr rose ×100 at step 6 \(0\.001 → 0\.1\) and fell again the next step \(0\.001\): /);
    // 5000 steps in 8 buckets: the fall at step 3001 is in a bucket of several steps
    const long = Array.from({ length: 5000 }, (_, i) => (i === 3001 ? 4e-4 : 0.01 * (1 - i / 1e5)));
    const s = series(long, 8);
    expect(s.bucket_width).toBeGreaterThan(1);
    expect(lrExcursionLines([s])[0]).toMatch(/^ {2}lr fell ×2\d\.?\d* in steps \d+–\d+ \(.*\) and rose again within those steps/);
  });

  it("needs a level of two steps on each side, not heading for it: else it is not said", () => {
    expect(lrExcursions(series([0.0004, 0.01, 0.01, 0.01, 0.01]).buckets())).toEqual([]);
    expect(lrExcursions(series([0.01, 0.0004, 0.01, 0.01, 0.01]).buckets())).toEqual([]);
    expect(lrExcursions(series([0.01, 0.01, 0.01, 0.0004, 0.01]).buckets())).toEqual([]);
    expect(lrExcursions(series([0.01, 0.01, 0.0004, 0.01, 0.01]).buckets())).toHaveLength(1);
    // a V within a factor of 2 (a triangular cycle's turn): both sides lead to it
    expect(lrExcursions(series([0.1, 0.05, 1e-4, 0.05, 0.1]).buckets())).toEqual([]);
    // a gap (a step without a recorded lr) is no level
    const gap = new BoundedSeries();
    [0.01, 0.01, null, 0.0004, 0.01, 0.01].forEach((v, i) => gap.push(i, v));
    expect(lrExcursions(gap.buckets())).toEqual([]);
  });
});

/** The rates of `steps` steps of a scheduler (a fresh SGD at lr 0.1), as a trace records them. */
const rates = (make: (o: any) => any, steps: number, metrics?: number[]) => lrlab.preview(make, { steps, ...(metrics ? { metrics } : {}) }).lrs[0];

describe("real schedules never read as an excursion", () => {
  const cases: [string, number[]][] = [
    ["StepLR gamma 0.1", rates((o) => new lr_scheduler.StepLR(o, { step_size: 5, gamma: 0.1 }), 40)],
    ["StepLR step_size 1 gamma 0.01", rates((o) => new lr_scheduler.StepLR(o, { step_size: 1, gamma: 0.01 }), 30)],
    ["MultiStepLR", rates((o) => new lr_scheduler.MultiStepLR(o, { milestones: [3, 4, 10], gamma: 0.1 }), 20)],
    ["ExponentialLR", rates((o) => new lr_scheduler.ExponentialLR(o, { gamma: 0.5 }), 40)],
    ["ReduceLROnPlateau", rates((o) => new lr_scheduler.ReduceLROnPlateau(o, { factor: 0.1, patience: 0 }), 12, [1, 1, 1, 0.5, 0.5, 0.5, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2])],
    ["CosineAnnealingLR through eta_min = 0 and past it", rates((o) => new lr_scheduler.CosineAnnealingLR(o, { T_max: 10 }), 60)],
    ["CosineAnnealingLR T_max 1000 through 0", rates((o) => new lr_scheduler.CosineAnnealingLR(o, { T_max: 1000 }), 2100)],
    ["CosineAnnealingLR eta_min 1e-6", rates((o) => new lr_scheduler.CosineAnnealingLR(o, { T_max: 500, eta_min: 1e-6 }), 1200)],
    ["LinearLR warm-up", rates((o) => new lr_scheduler.LinearLR(o, { start_factor: 0.001, total_iters: 4 }), 20)],
    ["ConstantLR", rates((o) => new lr_scheduler.ConstantLR(o, { factor: 0.01, total_iters: 3 }), 20)],
    ["PolynomialLR", rates((o) => new lr_scheduler.PolynomialLR(o, { total_iters: 8, power: 3 }), 20)],
    ["SequentialLR warm-up then cosine", rates((o) => new lr_scheduler.SequentialLR(o, { schedulers: [new lr_scheduler.LinearLR(o, { start_factor: 0.01, total_iters: 3 }), new lr_scheduler.CosineAnnealingLR(o, { T_max: 5 })], milestones: [3] }), 30)],
    ["SWALR", rates((o) => new torch.optim.swa_utils.SWALR(o, { swa_lr: 0.001, anneal_epochs: 2 }), 20)],
  ];
  for (const T_0 of [2, 3, 4, 5, 10]) {
    for (const eta_min of [0, 1e-4]) {
      cases.push([`CosineAnnealingWarmRestarts T_0 ${T_0} eta_min ${eta_min}`, rates((o) => new lr_scheduler.CosineAnnealingWarmRestarts(o, { T_0, eta_min }), 60)]);
      cases.push([`CosineAnnealingWarmRestarts T_0 ${T_0} T_mult 2 eta_min ${eta_min}`, rates((o) => new lr_scheduler.CosineAnnealingWarmRestarts(o, { T_0, T_mult: 2, eta_min }), 80)]);
    }
  }
  for (const [up, down] of [[1, 1], [1, 2], [2, 1], [2, 2], [1, 20], [20, 1], [3, 3]]) {
    for (const mode of ["triangular", "triangular2", "exp_range"] as const) {
      cases.push([`CyclicLR ${mode} up ${up} down ${down}`, rates((o) => new lr_scheduler.CyclicLR(o, { base_lr: 1e-4, max_lr: 0.1, step_size_up: up, step_size_down: down, mode, gamma: 0.9, cycle_momentum: false }), 80)]);
    }
  }
  for (let total_steps = 3; total_steps <= 40; total_steps++) {
    for (const anneal_strategy of ["cos", "linear"] as const) {
      for (const three_phase of [false, true]) {
        cases.push([`OneCycleLR total_steps ${total_steps} ${anneal_strategy}${three_phase ? " three_phase" : ""}`,
          rates((o) => new lr_scheduler.OneCycleLR(o, { max_lr: 0.1, total_steps, anneal_strategy, three_phase }), total_steps)]);
      }
    }
  }

  it.each(cases)("%s", (_name, lr) => {
    expect(lrExcursions(series(lr).buckets())).toEqual([]);
    // as a series beyond its capacity too (buckets of several steps)
    expect(lrExcursions(series(lr, 8).buckets())).toEqual([]);
  });

  it("a traced StepLR run: its summary has no such line", () => {
    const p = new torch.nn.Parameter(torch.tensor([1, 2]));
    const opt = new torch.optim.SGD([p], { lr: 0.1 });
    const sched = new lr_scheduler.StepLR(opt, { step_size: 3, gamma: 0.05 });
    const tr = lrlab.trace(opt, { name: "p21_steplr" });
    for (let t = 0; t < 12; t++) { opt.zero_grad(); p.pow(2).sum().backward(); opt.step(); sched.step(); }
    tr.stop();
    expect(tr.summary().some((l) => hint.test(l))).toBe(false);
  });
});
