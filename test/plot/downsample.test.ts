import { describe, expect, it } from "vitest";
import { BoundedSeries } from "../../kernel/src/trace/series";
import { bucketsOf, downsample, pointStep, spansOf } from "../../kernel/src/plot/downsample";
import { make_figure, type FigureSource } from "../../kernel/src/plot/figure";
import { toVegaLite } from "../../kernel/src/plot/svg";

/** A series of `n` steps (0..n-1) of `f(step)`, through the tracer's bounded buckets. */
function series(n: number, f: (step: number) => number, capacity?: number) {
  const s = new BoundedSeries(capacity);
  for (let t = 0; t < n; t++) s.push(t, f(t));
  return s;
}

describe("where a downsampled point sits", () => {
  // 128 steps into 32 points: 4 steps a point, as b32 of the batch-size comparison.
  const f = (t: number) => 1 + Math.sin(t);
  const buckets = series(128, f).buckets();
  const p = downsample(buckets, 32);

  it("a line starts at the run's first step and ends at its last", () => {
    expect(p.x).toHaveLength(32);
    expect(p.x[0]).toBe(0);
    expect(p.x[31]).toBe(127);
  });

  it("every point sits on a true step of its own bucket, whose band it carries", () => {
    // the first and the last step alone; steps 1..126 in 30 points: the first 126 mod 30 = 6 of
    // 5 steps, the others of 4
    const ranges: number[][] = [[0]];
    for (let k = 0, start = 1; k < 30; k++) {
      const len = k < 6 ? 5 : 4;
      ranges.push(Array.from({ length: len }, (_, i) => start + i));
      start += len;
    }
    ranges.push([127]);
    ranges.forEach((steps, k) => {
      expect(Number.isInteger(p.x[k])).toBe(true);
      expect(steps).toContain(p.x[k]);
      const v = steps.map(f);
      expect(p.min[k]).toBe(Number(Math.min(...v).toPrecision(4)));
      expect(p.max[k]).toBe(Number(Math.max(...v).toPrecision(4)));
      expect(p.mean[k]).toBe(Number((v.reduce((a, b) => a + b, 0) / v.length).toPrecision(4)));
    });
    // The inner points sit in the middle of their buckets, not at their ends.
    expect(p.x.slice(1, 4)).toEqual([3, 8, 13]);
    // and each point's steps are said (payload spans): one, six of five, 24 of four, one
    expect(p.first.slice(0, 3)).toEqual([0, 1, 6]);
    expect(p.last.slice(0, 3)).toEqual([0, 5, 10]);
    expect(spansOf(p)).toEqual([1, 1, 6, 5, 24, 4, 1, 1]);
  });

  it("a merged line opens on the first step's own value (SGD's first step is exactly lr)", () => {
    const rate = (t: number) => (t === 0 ? 0.05 : 0.1 + 0.01 * Math.sin(t));
    const q = downsample(series(480, rate).buckets(), 174);
    expect(q.x).toHaveLength(174);
    expect([q.x[0], q.mean[0], q.first[0], q.last[0]]).toEqual([0, 0.05, 0, 0]);
    expect([q.x[173], q.first[173], q.last[173]]).toEqual([479, 479, 479]);
  });

  it("spans are left out when nothing merges, or x are not consecutive steps", () => {
    expect(spansOf(downsample(series(10, f).buckets(), 200))).toBeUndefined();
    const lrs = Array.from({ length: 100 }, (_, i) => 1e-4 * 10 ** (i / 20));
    expect(spansOf(downsample(bucketsOf(lrs, lrs), 30))).toBeUndefined();
  });

  it("a merged line ends on the last step's own value (a schedule's end is not a mean of its last steps)", () => {
    const anneal = (t: number) => 0.1 * 10 ** (-t / 20); // falls 10× every 20 steps
    const q = downsample(series(160, anneal).buckets(), 40);
    expect(q.x).toHaveLength(40);
    expect(q.x[39]).toBe(159);
    expect(q.mean[39]).toBe(Number(anneal(159).toPrecision(4)));
  });

  it("the tracer's own wide buckets start at their first step too", () => {
    // Capacity 8: 64 steps are 8 buckets of 8 steps before any display downsampling.
    const wide = series(64, f, 8).buckets();
    expect(wide[0]).toMatchObject({ first_step: 0, last_step: 7 });
    const q = downsample(wide, 200);
    expect(q.x[0]).toBe(0);
    expect(q.x[q.x.length - 1]).toBe(63);
    expect(q.x.slice(1, -1).every((x, i) => x >= wide[i + 1].first_step && x <= wide[i + 1].last_step)).toBe(true);
  });

  it("learning rates of a range test stay sampled rates (no midpoint that was never tried)", () => {
    const lrs = Array.from({ length: 100 }, (_, i) => 1e-4 * 10 ** (i / 20));
    const q = downsample(bucketsOf(lrs, lrs.map((_, i) => 1 / (i + 1))), 30);
    expect(q.x[0]).toBe(lrs[0]);
    expect(q.x[q.x.length - 1]).toBe(lrs[99]);
    for (const x of q.x) expect(lrs).toContain(x);
  });

  it("a single point is the latest step; an unmerged series keeps its steps", () => {
    expect(pointStep(buckets, 0, buckets.length)).toBe(127);
    expect(downsample(series(10, f).buckets(), 200).x).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe("runs of different lengths in one comparison", () => {
  const src = (name: string, steps: number): FigureSource => ({
    name,
    series: [
      { metric: "lr_per_sample", group: 0, buckets: series(steps, () => 1e-4).buckets() },
      { metric: "loss", group: null, buckets: series(steps, (t) => 1 / (1 + t)).buckets() },
    ],
  });
  const payload = make_figure([src("b32", 128), src("b128", 32), src("b512", 8)], { kind: "compare", default_metric: "lr_per_sample", max_points: 32 }).payload;

  it("every run's line starts at step 0 and ends at its last step", () => {
    for (const s of payload.series) {
      expect(s.x[0]).toBe(0);
      expect(s.x[s.x.length - 1]).toBe({ b32: 127, b128: 31, b512: 7 }[s.name]);
    }
  });

  it("the SVG's thinned lines span the run too", () => {
    const long = make_figure([src("long", 1000)], { kind: "compare", default_metric: "lr_per_sample", max_points: 200 }).payload;
    const spec = toVegaLite(long) as any;
    const rows = spec.vconcat[0].layer.filter((l: any) => l.mark.type === "line").flatMap((l: any) => l.data.values);
    const xs = rows.map((r: any) => r.x);
    expect(xs.length).toBeLessThan(200);
    expect(xs[0]).toBe(0);
    expect(xs[xs.length - 1]).toBe(999);
    // Each is a step of the payload's line.
    for (const x of xs) expect(long.series[0].x).toContain(x);
  });
});
