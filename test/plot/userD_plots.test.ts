/**
 * A teacher's pass (userD, findings 2 and 8): the final figure of a traced run of a few hundred
 * steps was much coarser than the live plot (400 steps: 53 points a line, each with a min–max
 * band, the configured lr's too), and a per-epoch schedule's configured lr was drawn with slanted
 * risers. The configured lr (a set metric) carries no band and, when its line would merge steps,
 * its exact stairs (downsample.stairs); the plotly fallback is thinned to PLOTLY_POINTS a line, so
 * the payload (what the extension draws) keeps more points within the same saved budget.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace, type Trace } from "../../kernel/src/trace/index";
import { PLOT_MIME, PLOTLY_MIME, SAVED_BUDGET, type PlotPayload } from "../../kernel/src/plot/index";
import { bucketsOf, stairs } from "../../kernel/src/plot/downsample";
import { hasBand, lineBytes, PLOTLY_POINTS, SET_METRICS, xBytes } from "../../kernel/src/plot/figure";
import { thinned } from "../../kernel/src/plot/plotly";
import type { Series } from "../../kernel/src/plot/payload";
import { savedBytes, trainLogged } from "./saved";

/** SGD(momentum 0.9) on Linear(10, 1), the loss logged; `sched` steps the scheduler after each step. */
function run(steps: number, sched: (o: torch.optim.Optimizer) => ((step: number) => void) | null): Trace {
  torch.manual_seed(0);
  const model = new torch.nn.Linear(10, 1);
  const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.02, momentum: 0.9 });
  const each = sched(optimizer);
  const t = trace(optimizer, { batch_size: 32 });
  let step = 0;
  return trainLogged(model, optimizer, t, torch.randn(32, 10), torch.randn(32, 1), steps, () => each?.(step++));
}

const series = (p: PlotPayload, metric: string) => p.series.find((s) => s.metric === metric && !s.param)!;

describe("stairs of a set metric", () => {
  it("two points a run of one value, one for a run of one step; merged buckets are points of their own", () => {
    const x = Array.from({ length: 10 }, (_, i) => i);
    const p = stairs(bucketsOf(x, [1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.1]))!;
    expect(p.x).toEqual([0, 2, 3, 4, 5, 8, 9]);
    expect(p.mean).toEqual([1, 1, 0.5, 0.5, 0.25, 0.25, 0.1]);
    // the points' steps tile the run (payload spans)
    expect(p.first).toEqual([0, 2, 3, 4, 5, 8, 9]);
    expect(p.last).toEqual([1, 2, 3, 4, 7, 8, 9]);
    // a bucket that merged two values (the trace's own merging) is its mean
    const merged = stairs([...bucketsOf([0], [1]), { first_step: 1, last_step: 2, pushes: 2, count: 2, sum: 1.5, mean: 0.75, min: 0.5, max: 1, last: 0.5 }])!;
    expect(merged.x).toEqual([0, 2]);
    expect(merged.mean).toEqual([1, 0.75]);
    // a range test's rates are not steps
    expect(stairs(bucketsOf([1e-7, 1e-6], [1, 1]))).toBeNull();
  });

  it("a set metric never carries a band of merged steps", () => {
    const s = { metric: "lr", group: 0, buckets: bucketsOf(Array.from({ length: 400 }, (_, i) => i), Array.from({ length: 400 }, (_, i) => 0.1 * Math.cos(i / 100))) };
    for (const m of SET_METRICS) expect(hasBand({ ...s, metric: m }, 20)).toBe(false);
    expect(hasBand({ ...s, metric: "lr_projected" }, 20)).toBe(true);
  });
});

describe("the final figure of a run of a few hundred steps", () => {
  it("a 400-step OneCycleLR run: over 100 points a line (was 53), no band on the configured lr or momentum", () => {
    const t = run(400, (o) => {
      const s = new torch.optim.lr_scheduler.OneCycleLR(o, { max_lr: 0.1, total_steps: 400 });
      return () => s.step();
    });
    const b = t.bundle();
    const p = b[PLOT_MIME] as PlotPayload;
    for (const s of p.series) expect(s.x.length, s.metric).toBeGreaterThanOrEqual(100);
    expect(series(p, "lr").min).toBeUndefined();
    expect(series(p, "momentum").min).toBeUndefined();
    // fewer than BAND_STEPS steps a point: no min–max band on the measured rates either
    expect(series(p, "lr_projected").min).toBeUndefined();
    expect(savedBytes(b)).toBeLessThan(SAVED_BUDGET);
  }, 60_000);

  it("a per-epoch StepLR: its configured lr is its exact stairs, in two points an epoch", () => {
    const t = run(640, (o) => {
      const s = new torch.optim.lr_scheduler.StepLR(o, { step_size: 1, gamma: 0.8 });
      return (step) => { if (step % 32 === 31) s.step(); };
    });
    const b = t.bundle();
    const p = b[PLOT_MIME] as PlotPayload;
    const lr = series(p, "lr");
    expect(lr.x.length).toBe(40);
    expect(lr.min).toBeUndefined();
    for (let e = 0; e < 20; e++) {
      expect(lr.x.slice(2 * e, 2 * e + 2)).toEqual([32 * e, 32 * e + 31]);
      expect(lr.mean[2 * e]).toBe(Number((0.02 * 0.8 ** e).toPrecision(7))); // set metrics keep 7 digits (downsample.SET_DIGITS)
      expect(lr.mean[2 * e + 1]).toBe(lr.mean[2 * e]);
    }
    expect(series(p, "lr_projected").x.length).toBeGreaterThan(150);
    expect(savedBytes(b)).toBeLessThan(SAVED_BUDGET);
  }, 60_000);

  it("a 1000-step constant-lr run keeps over 200 points a line (was 81 with bands); its lr is two points", () => {
    const b = run(1000, () => null).bundle();
    const p = b[PLOT_MIME] as PlotPayload;
    expect(series(p, "lr").x).toEqual([0, 999]);
    for (const s of p.series) if (s.metric !== "lr") expect(s.x.length, s.metric).toBeGreaterThan(200);
    expect(savedBytes(b)).toBeLessThan(SAVED_BUDGET);
    // the plotly fallback draws at most PLOTLY_POINTS a line
    for (const d of (b[PLOTLY_MIME] as { data: { x: unknown[]; fill?: string }[] }).data) if (!d.fill) expect(d.x.length).toBeLessThanOrEqual(PLOTLY_POINTS + 1);
  }, 120_000);
});

describe("the plotly fallback's thinning", () => {
  it("keeps the first and last points, weights means by the steps they merge, and says so in spans", () => {
    const n = 250;
    const s: Series = { name: "r", metric: "loss", group: null, x: Array.from({ length: n }, (_, i) => i), mean: Array.from({ length: n }, (_, i) => i) };
    const t = thinned(s, 100);
    expect(t.x).toHaveLength(100);
    expect([t.x[0], t.mean[0], t.x[99], t.mean[99]]).toEqual([0, 0, 249, 249]);
    let steps = 0;
    for (let i = 0; i < t.spans!.length; i += 2) steps += t.spans![i] * t.spans![i + 1];
    expect(steps).toBe(n);
    // a point of steps 1-3 (weights 1 each) is their mean
    expect(t.mean[1]).toBe(2);
    // a line short enough is returned as it is
    expect(thinned(s, 300)).toBe(s);
    // merged points' weights: a point of 3 steps counts three times a point of one
    const w: Series = { ...s, x: [0, 2, 3, 5, 6], mean: [0, 1, 4, 1, 0], spans: [1, 1, 1, 3, 1, 1, 1, 3, 1, 1] };
    expect(thinned(w, 3).mean[1]).toBeCloseTo((1 * 3 + 4 + 1 * 3) / 7, 3);
  });

  it("the budget counts a step's x at its digits and a drawn line's plotly numbers at most PLOTLY_POINTS", () => {
    const s = { metric: "loss", group: null, buckets: bucketsOf(Array.from({ length: 40 }, (_, i) => i), Array.from({ length: 40 }, () => 1)) };
    expect(xBytes(s)).toBe(14);
    expect(lineBytes(1000, true, false) - lineBytes(999, true, false)).toBeLessThan(lineBytes(50, true, false) - lineBytes(49, true, false));
  });
});
