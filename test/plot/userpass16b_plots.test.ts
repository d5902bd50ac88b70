/**
 * Plot findings of a schedule engineer's pass (userpass16 userE 1.2 and 5), on the kernel's side
 * (the extension's: test/extension/userpass16b_figure.test.ts):
 * - a trace of several param groups draws each group's configured lr exactly (a 100-step
 *   CyclicLR of 3 groups was a beat pattern of 4-step means peaking at 0.086 instead of 0.1),
 *   within the saved budget, its measured lines keeping their points;
 * - a set metric keeps 7 significant digits, so a slow ExponentialLR is drawn smooth, not as a
 *   staircase of 4-digit levels;
 * - downsample.exactLine: a ramp as its ends, a held value as its first and last step.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { preview, trace } from "../../kernel/src/trace/index";
import { bundle, PLOT_MIME, SAVED_BUDGET, type PlotPayload } from "../../kernel/src/plot/index";
import { exactLine, bucketsOf } from "../../kernel/src/plot/downsample";
import { savedBytes } from "./saved";

const lf = new torch.nn.MSELoss();

/** userE's repro (h/pk.js): a 4-8-1 MLP, 3 param groups (lr 0.1/0.05/0.01), SGD momentum 0.9. */
function threeGroups(steps: number, make: (o: torch.optim.SGD) => { step(): void }, groups = 3) {
  torch.manual_seed(0);
  const X = torch.randn(16, 4), Y = torch.randn(16, 1);
  torch.manual_seed(1);
  const model = new torch.nn.Sequential(new torch.nn.Linear(4, 8), new torch.nn.ReLU(), new torch.nn.Linear(8, 1));
  const ps = [...model.parameters()];
  const o = groups === 1 ? new torch.optim.SGD(ps, { lr: 0.1, momentum: 0.9 })
    : new torch.optim.SGD([{ params: [ps[0]], lr: 0.1 }, { params: [ps[1]], lr: 0.05 }, { params: [ps[2], ps[3]], lr: 0.01 }], { momentum: 0.9 });
  const s = make(o);
  const t = trace(o, { batch_size: 16, name: "cyc" });
  for (let i = 0; i < steps; i++) {
    o.zero_grad();
    const l = lf.forward(model.forward(X), Y);
    l.backward();
    t.log_loss(l);
    o.step();
    s.step();
  }
  t.stop();
  return t;
}

/** The value of a payload line at step x, straight between its points. */
function at(s: { x: number[]; mean: (number | null)[] }, x: number): number {
  let k = 0;
  while (k + 1 < s.x.length && s.x[k + 1] <= x) k++;
  const [x0, y0, x1, y1] = [s.x[k], s.mean[k] as number, s.x[k + 1] ?? s.x[k], (s.mean[k + 1] ?? s.mean[k]) as number];
  return x1 > x0 ? y0 + ((y1 - y0) * (x - x0)) / (x1 - x0) : y0;
}

describe("E1.2: each group's configured lr is drawn exactly", () => {
  const t = threeGroups(100, (o) => new torch.optim.lr_scheduler.CyclicLR(o, 0.001, 0.1, 4, 6));
  const b = bundle(t);
  const p = b[PLOT_MIME] as PlotPayload;

  it("every step's configured lr of every group lies on its line (peak 0.1, trough 0.001), within the budget", () => {
    expect(savedBytes(b)).toBeLessThanOrEqual(SAVED_BUDGET);
    for (const g of [0, 1, 2]) {
      const line = p.series.find((s) => s.metric === "lr" && s.group === g)!;
      const truth = t.series("lr", g)!.buckets().map((k) => k.last as number);
      expect(truth.length).toBe(100);
      truth.forEach((v, step) => expect(Math.abs(at(line, step) - v)).toBeLessThan(1e-6 * 0.1));
      expect(Math.max(...(line.mean as number[]))).toBe(0.1);
      // a triangle wave: its corners, not 100 points
      expect(line.x.length).toBeLessThan(30);
      expect(line.exact).toBe(true);
      // and so momentum, cycled against it
      const mom = p.series.find((s) => s.metric === "momentum" && s.group === g)!;
      t.series("momentum", g)!.buckets().forEach((k, step) => expect(Math.abs(at(mom, step) - (k.last as number))).toBeLessThan(1e-6));
    }
  });

  it("the measured lines keep the points they had (30 a line for 100 steps)", () => {
    for (const s of p.series.filter((x) => x.metric === "lr_projected")) expect(s.x.length).toBeGreaterThanOrEqual(30);
  });

  it("one group and a short run keep every step, as before", () => {
    for (const [groups, steps] of [[1, 100], [3, 40]] as const) {
      const u = threeGroups(steps, (o) => new torch.optim.lr_scheduler.CyclicLR(o, 0.001, 0.1, 4, 6), groups);
      const q = bundle(u)[PLOT_MIME] as PlotPayload;
      expect(q.series.find((s) => s.metric === "lr" && s.group === 0)!.x.length).toBe(steps);
    }
  });

  it("a schedule whose merged points lie on it (a 1000-step cosine) leaves the measured lines their points", () => {
    const u = threeGroups(1000, (o) => new torch.optim.lr_scheduler.CosineAnnealingLR(o, 1000), 1);
    const q = bundle(u)[PLOT_MIME] as PlotPayload;
    const lr = q.series.find((s) => s.metric === "lr")!;
    const projected = q.series.find((s) => s.metric === "lr_projected")!;
    expect(lr.x.length).toBeLessThan(1000);
    expect(projected.x.length).toBeGreaterThanOrEqual(100);
  });
});

describe("E5: a set metric keeps 7 significant digits", () => {
  it("ExponentialLR(γ = 0.99999) over 300 steps: 300 distinct values, not 31 levels, within the budget", () => {
    const w = new torch.nn.Parameter(torch.ones(2));
    const o = new torch.optim.SGD([w], { lr: 0.1 });
    const pv = preview(new torch.optim.lr_scheduler.ExponentialLR(o, 0.99999), { steps: 300 });
    const b = bundle(pv);
    const lr = (b[PLOT_MIME] as PlotPayload).series.find((s) => s.metric === "lr")!;
    expect(new Set(lr.mean).size).toBe(300);
    expect(lr.mean[3]).toBe(Number((0.1 * 0.99999 ** 3).toPrecision(7)));
    expect(savedBytes(b)).toBeLessThanOrEqual(SAVED_BUDGET);
  });
});

describe("exactLine", () => {
  it("a ramp is its ends, a held value its first and last step, a gap a point of its own", () => {
    const ys = [0, 1, 2, 3, 3, 3, 3, 2, 1, null, 5, 5];
    const p = exactLine(bucketsOf(ys.map((_, i) => i), ys))!;
    expect(p.x).toEqual([0, 3, 6, 8, 9, 10, 11]);
    expect(p.mean).toEqual([0, 3, 3, 1, null, 5, 5]);
    // each point covers the steps up to the next one's
    expect(p.first).toEqual([0, 3, 6, 8, 9, 10, 11]);
    expect(p.last).toEqual([2, 5, 7, 8, 9, 10, 11]);
  });

  it("null when a bucket merged steps of different values, or the x are not steps", () => {
    const merged = bucketsOf([0, 1], [1, 2]);
    merged[0] = { ...merged[0], last_step: 0, pushes: 2, count: 2, sum: 3, min: 1, max: 2 };
    expect(exactLine(merged)).toBeNull();
    expect(exactLine(bucketsOf([0.1, 0.2], [1, 2]))).toBeNull();
  });
});
