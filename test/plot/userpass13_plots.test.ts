/**
 * The plot findings of a teacher's pass through JupyterLab (userpass13), in the figure builders:
 * - F2: a merged line opens on the run's first step's own value, says which steps each point
 *   averages (payload `spans`, the static hover), and offers a band only where it has one;
 * - F4: a long run's step axis reads "20k … 140k", not "0.1e+5 … 1.2e+5" (plotly) nor "1e+5" for
 *   100,000 and 120,000 alike (SVG);
 * - F5: on a log axis, a band whose minimum is <= 0 is clipped at the panel's bottom, one shape,
 *   not floating slivers (a min–max band of steps that reaches <= 0 now opens the panel on a
 *   linear axis instead: userpassB_plots.test.ts; the clipping holds for quantile bands);
 * - F6: a linear "learning rate" panel (a projected rate that turned negative) does not flatten
 *   the per-sample rate (lr/B) onto zero under the configured rate: each scale its own panel;
 * - F7 (static): range-test suggestions' labels alternate above and below their diamonds;
 * - F13: a diverged run opens on its loss (or its update ratio when no loss was logged).
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace, type Trace } from "../../kernel/src/trace/index";
import {
  bucketsOf, bundle, make_figure, panelsFor, PLOT_MIME, PLOTLY_MIME, SVG_MIME, toPlotly, toSvgSync, toVegaLite,
  type FigureSource, type PlotPayload,
} from "../../kernel/src/plot/index";
import { bandEdges, logBandFloor, mergedHover, stepTickFormat, thinned } from "../../kernel/src/plot/plotly";
import { BoundedSeries } from "../../kernel/src/trace/series";
import { savedBytes } from "./saved";

/** c3.txt of the pass: SGD lr 0.05 momentum 0.9 on a Linear(4, 1), full batch of 64, the loss logged. */
function sgdRun(steps: number, name = `t${steps}`, lr = 0.05, logLoss = true): Trace {
  torch.manual_seed(0);
  const X = torch.randn(64, 4);
  const Y = X.sum(1, true);
  torch.manual_seed(1);
  const m = new torch.nn.Linear(4, 1);
  const o = new torch.optim.SGD(m.parameters(), { lr, momentum: lr > 1 ? 0 : 0.9 });
  const t = trace(o, { batch_size: 64, name });
  const loss_fn = new torch.nn.MSELoss();
  for (let i = 0; i < steps; i++) {
    o.zero_grad();
    const l = loss_fn.forward(m.forward(X), Y);
    l.backward();
    if (logLoss) t.log_loss(l);
    o.step();
  }
  t.stop();
  return t;
}

/** The steps each point covers, from a series' spans (as the extension reads them). */
function covered(s: { x: number[]; spans?: number[] }): [number, number][] {
  const out: [number, number][] = [];
  let at = s.x[0];
  for (let i = 0; i < (s.spans ?? []).length; i += 2) {
    for (let k = 0; k < s.spans![i]; k++) {
      out.push([at, at + s.spans![i + 1] - 1]);
      at += s.spans![i + 1];
    }
  }
  return out;
}

describe("F2: a short run's merged points", () => {
  const t = sgdRun(480);
  const b = t.bundle();
  const p = b[PLOT_MIME] as PlotPayload;
  const proj = p.series.find((s) => s.metric === "lr_projected")!;

  it("open on the first step's own value (SGD's first step is exactly lr), and end on the last's", () => {
    expect(proj.x.length).toBeLessThan(480);
    expect(proj.x[0]).toBe(0);
    expect(proj.mean[0]).toBe(0.05);
    expect(t.series("lr_projected")!.buckets()[0].mean).toBeCloseTo(0.05, 6);
    expect(proj.x[proj.x.length - 1]).toBe(479);
    expect(savedBytes(b)).toBeLessThan(150_000);
  });

  it("say which steps each point averages: spans cover every step once, in order", () => {
    for (const s of p.series) {
      const c = covered(s);
      expect(c, s.metric).toHaveLength(s.x.length);
      expect(c[0][0]).toBe(0);
      expect(c[c.length - 1][1]).toBe(479);
      c.forEach(([a, z], i) => {
        expect(s.x[i], `${s.metric} point ${i}`).toBeGreaterThanOrEqual(a);
        expect(s.x[i], `${s.metric} point ${i}`).toBeLessThanOrEqual(z);
        if (i > 0) expect(a).toBe(c[i - 1][1] + 1);
      });
      // the point is the mean of exactly those steps (4 significant digits)
      const steps = t.series(s.metric.startsWith("lr_elementwise") || s.metric.startsWith("lr_preconditioned") ? `${s.metric}.q50` : s.metric)?.buckets();
      if (steps && steps.length === 480) {
        c.forEach(([a, z], i) => {
          const vs = steps.slice(a, z + 1).filter((x) => x.mean !== null).map((x) => x.mean as number);
          if (vs.length === 0) return;
          expect(s.mean[i], `${s.metric} ${a}–${z}`).toBeCloseTo(vs.reduce((u, v) => u + v, 0) / vs.length, 3);
        });
      }
    }
  });

  it("the static plotly JSON's hover says a point is a mean of steps; a run of one step a point has no such hover", () => {
    const fig = b[PLOTLY_MIME] as { data: Record<string, any>[] };
    // (the plotly JSON thins its lines to PLOTLY_POINTS: plotly.ts thinned)
    const line = fig.data.find((d) => d.name === "projected lr" && d.mode === "lines" && Array.isArray(d.x) && d.x.length === thinned(proj).x.length)!;
    expect(line.hovertemplate).toMatch(/^%\{y\} \(mean of \d+(–\d+)? steps\)$/);
    expect(mergedHover(thinned(proj))).toBe(line.hovertemplate);
    const short = sgdRun(100).bundle();
    const sp = short[PLOT_MIME] as PlotPayload;
    for (const s of sp.series) {
      expect(s.x, s.metric).toHaveLength(100);
      expect(s.spans, s.metric).toBeUndefined();
    }
    expect((short[PLOTLY_MIME] as { data: Record<string, any>[] }).data.some((d) => d.hovertemplate)).toBe(false);
  });
});

describe("F4: a long run's step axis", () => {
  const steps = Array.from({ length: 150 }, (_, i) => i * 1000);
  const src = (n: number): FigureSource => ({ name: "long", series: [{ metric: "lr", group: 0, buckets: bucketsOf(steps.map((x) => (x * n) / 150_000), steps.map(() => 0.01)) }] });
  const long = make_figure([src(150_000)], { kind: "trace", default_metric: "lr" }).payload;
  const short = make_figure([src(5_000)], { kind: "trace", default_metric: "lr" }).payload;

  it("is labelled with SI suffixes in the plotly JSON from 10,000 steps on, plain below", () => {
    expect(stepTickFormat(long)).toBe("~s");
    expect((toPlotly(long).layout.xaxis as any).tickformat).toBe("~s");
    expect(stepTickFormat(short)).toBeUndefined();
    expect((toPlotly(short).layout.xaxis as any).tickformat).toBeUndefined();
    // a learning-rate axis keeps its exponents
    const rt = make_figure([{ name: "rt", series: [{ metric: "loss", group: null, buckets: bucketsOf([1e-5, 1e-3, 1e5], [1, 2, 3]) }] }], { kind: "range_test" }).payload;
    expect(stepTickFormat(rt)).toBeUndefined();
  });

  it("and in the SVG: 50k, 100k, never 1e+5", () => {
    const svg = toSvgSync(long);
    const labels = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(labels).toContain("100k");
    expect(labels.filter((l) => /e\+/.test(l))).toEqual([]);
    const plain = [...toSvgSync(short).matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(plain, plain.join(" ")).toContain("2,000");
  });
});

describe("F5: a band whose minimum is <= 0 on a log axis", () => {
  // element-wise rates around 1e-3, their q05 down to 0 at every third point (an element whose
  // step was zero). (A min–max band of steps reaching 0 opens on a linear axis: userpassB.)
  const n = 60;
  const x = Array.from({ length: n }, (_, i) => i);
  const payload: PlotPayload = {
    version: 1, kind: "trace", title: "t", x_label: "step", x_log: false, default_metric: "lr_elementwise", live: false, markers: [],
    metrics: [{ key: "lr_elementwise", label: "element-wise lr", log: true }],
    series: [{ name: "r", metric: "lr_elementwise", group: 0, x, mean: x.map((i) => 1e-3 * (1 + i / n)), min: x.map((i) => (i % 3 === 0 ? 0 : 5e-4)), max: x.map(() => 4e-3) }],
  };

  it("is clipped at the panel's bottom: one closed shape, no slivers, the axis unmoved", () => {
    expect(panelsFor(payload)[0].log).toBe(true);
    const band = toPlotly(payload).data.find((d) => d.fill === "toself")!;
    const ys = band.y as (number | null)[];
    expect(ys.filter((v) => v === null)).toEqual([]);
    expect(ys).toHaveLength(2 * n);
    expect(Math.min(...(ys as number[]))).toBe(5e-4);
    expect(logBandFloor(payload.series)).toBe(5e-4);
  });

  it("bandEdges: a maximum <= 0 is a gap; linear axes keep the edges", () => {
    expect(bandEdges([-1, 0, 2, null], [1, -1, 3, 4], true, 0.5)).toEqual({ lo: [0.5, null, 2, null], hi: [1, null, 3, null] });
    expect(bandEdges([-1, 0], [1, 2], false, 0.5)).toEqual({ lo: [-1, 0], hi: [1, 2] });
  });

  it("the SVG's band has every point", () => {
    const spec = toVegaLite(payload) as any;
    const rows = spec.vconcat[0].layer.find((l: any) => l.mark.type === "area").data.values;
    expect(rows).toHaveLength(n);
    for (const r of rows) expect(r.lo).toBeGreaterThan(0);
  });
});

describe("F6: a linear panel of rates of different magnitudes", () => {
  const p = sgdRun(480).bundle({ svg: false })[PLOT_MIME] as PlotPayload;

  it("the projected rate turned negative: per-sample lr (lr/64) gets a panel of its own, not a flat line under lr", () => {
    expect(p.series.find((s) => s.metric === "lr_projected")!.mean.some((v) => v !== null && v < 0)).toBe(true);
    const panels = panelsFor(p);
    const rates = panels.filter((q) => q.metrics.some((m) => ["lr", "lr_projected", "lr_per_sample"].includes(m)));
    // (SGD momentum's steady-state rate, a reference line, goes with the projected rate: userpassB)
    expect(rates.map((q) => q.metrics)).toEqual([["lr", "lr_projected", "lr_momentum_steady"], ["lr_per_sample"]]);
    expect(rates[1].title).toBe("per-sample lr");
    // the same in the plotly JSON: a y axis each
    const layout = toPlotly(p).layout as Record<string, any>;
    const titles = Object.keys(layout).filter((k) => /^yaxis\d*$/.test(k)).map((k) => layout[k].title.text);
    expect(titles).toContain("per-sample lr");
  });

  it("a positive run keeps the three rates in one log panel", () => {
    const pos = sgdRun(40, "short", 0.01).bundle({ svg: false })[PLOT_MIME] as PlotPayload;
    if (pos.series.some((s) => s.metric.startsWith("lr") && s.mean.some((v) => v !== null && v <= 0))) return; // (not this run's case)
    const rates = panelsFor(pos).filter((q) => q.metrics.includes("lr"));
    expect(rates).toHaveLength(1);
    expect(rates[0]).toMatchObject({ metrics: ["lr", "lr_projected", "lr_per_sample"], log: true });
  });
});

describe("F7: range-test suggestions in the static plotly JSON", () => {
  it("each its own named trace, labels above and below in turn by rate", () => {
    const lrs = Array.from({ length: 40 }, (_, i) => 1e-5 * 10 ** (i / 10));
    const payload = make_figure([{
      name: "rt",
      series: [
        { metric: "loss", group: null, buckets: bucketsOf(lrs, lrs.map((_, i) => 2 - i / 40)) },
        { metric: "smoothed_loss", group: null, buckets: bucketsOf(lrs, lrs.map((_, i) => 2 - i / 40)) },
      ],
      markers: [["steepest", 18], ["valley", 24], ["minimum/10", 14]].map(([k, i]) => ({ kind: "suggestion" as const, name: "rt", metric: "smoothed_loss", x: lrs[i as number], y: 1, label: `${k} ${lrs[i as number].toPrecision(2)}` })),
    }], { kind: "range_test", default_metric: "loss" }).payload;
    const fig = toPlotly(payload);
    const marks = fig.data.filter((d) => d.mode === "markers+text");
    expect(marks.map((d) => (d.name as string).split(" ")[0])).toEqual(["steepest", "valley", "minimum/10"]);
    expect(marks.map((d) => d.textposition)).toEqual(["bottom center", "top center", "top center"]);
    // the legend names the smoothed loss
    expect(fig.data.some((d) => d.name === "smoothed loss" && d.showlegend !== false)).toBe(true);
  });
});

describe("F13: a diverged run opens on a metric that shows the blow-up", () => {
  it("its loss when logged (lr 1e3 SGD: the projected lr is a flat 1000)", () => {
    const t = sgdRun(50, "diverge", 1e3);
    expect(t.diverged_at).not.toBeNull();
    const p = t.bundle({ svg: false })[PLOT_MIME] as PlotPayload;
    expect(p.default_metric).toBe("loss");
    expect(p.markers.map((m) => m.kind)).toEqual(["divergence"]);
  });

  it("its update ratio when no loss was logged; a metric the caller names is kept; a healthy run opens on the projected lr", () => {
    const t = sgdRun(50, "diverge", 1e3, false);
    expect(t.diverged_at).not.toBeNull();
    expect((t.bundle({ svg: false })[PLOT_MIME] as PlotPayload).default_metric).toBe("update_ratio");
    expect((t.bundle({ svg: false, default_metric: "lr" })[PLOT_MIME] as PlotPayload).default_metric).toBe("lr");
    expect((sgdRun(20, "ok").bundle({ svg: false })[PLOT_MIME] as PlotPayload).default_metric).toBe("lr_projected");
    // a comparison keeps its metric (the runs answer one question)
    const s = new BoundedSeries();
    for (let i = 0; i < 5; i++) s.push(i, 0.1);
    const b = bundle([t, sgdRun(20, "ok")]);
    expect((b[PLOT_MIME] as PlotPayload).default_metric).toBe("lr_projected");
    expect(typeof b[SVG_MIME]).toBe("string");
  });
});
