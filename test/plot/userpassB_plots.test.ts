/**
 * The plot findings of a teacher's pass ("what your learning rate really does", userpassB), in the
 * kernel's figure builders and static pictures:
 * - F1: every metric a trace records is plottable: `bundle(runs, { default_metric })` opens on
 *   angular_update, param_norm, lr_momentum_steady, momentum, beta2, weight_decay (it fell back
 *   to lr: "%lr_compare: ... was not recorded"), and a trace told `metrics: [...]` carries them all;
 * - F2: SGD momentum's steady-state rate γ(1−τ)/(1−μ) is a dashed reference beside the projected
 *   rate (payload Series.reference_for; the static rates' panel);
 * - F3: a min–max band of steps that reaches <= 0 opens the rates' panel on a linear axis (its
 *   band had fallen to a floor of 1.7e-9 on a log one); a quantile band is clipped, as before;
 * - F6: schedule previews are linear unless they span more than two decades over most of their
 *   steps; tick labels write one minus sign, U+2212;
 * - F7 (static): whole names in hovers; F10: a line of steps ends on a segment one step wide.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { preview, trace, type Trace } from "../../kernel/src/trace/index";
import {
  bucketsOf, bundle, make_figure, panelsFor, PLOT_MIME, PLOTLY_MIME, toPlotly, toSvgSync, toVegaLite, wideSchedule,
  type PlotPayload,
} from "../../kernel/src/plot/index";
import { stepTail } from "../../kernel/src/plot/plotly";
import { withRecordedMetrics } from "../../kernel/src/plot/recorded";
import { trainLogged } from "./saved";

/** A Linear(4, 1) on a fixed batch of 16, the loss logged: `make` builds the optimizer. */
function run(name: string, make: (params: torch.nn.Parameter[]) => torch.optim.Optimizer, steps = 30, options: Record<string, unknown> = {}): Trace {
  torch.manual_seed(0);
  const X = torch.randn(16, 4);
  const Y = X.sum(1, true);
  torch.manual_seed(1);
  const m = new torch.nn.Linear(4, 1);
  const o = make(m.parameters());
  return trainLogged(m, o, trace(o, { batch_size: 16, name, ...options }), X, Y, steps);
}
const sgd = () => run("sgd", (p) => new torch.optim.SGD(p, { lr: 0.05 }));
const mom = () => run("mom", (p) => new torch.optim.SGD(p, { lr: 0.05, momentum: 0.9 }));
const adam = () => run("adam", (p) => new torch.optim.Adam(p, { lr: 0.01, weight_decay: 1e-4 }));
const payloadOf = (b: Record<string, unknown>) => b[PLOT_MIME] as PlotPayload;

describe("F1: every metric a trace records can be plotted", () => {
  const runs = { sgd: sgd(), mom: mom(), adam: adam() };

  it("a comparison opens on each recorded metric asked for, with its catalogue label", () => {
    for (const metric of ["lr_momentum_steady", "angular_update", "param_norm", "momentum", "beta2", "weight_decay", "grad_norm", "lr_realized"]) {
      const p = payloadOf(bundle(runs, { default_metric: metric, svg: false }));
      expect(p.default_metric, metric).toBe(metric);
      const info = p.metrics.find((m) => m.key === metric)!;
      expect(info.label, metric).not.toBe(metric);
      expect(p.series.some((s) => s.metric === metric && s.mean.some((v) => v !== null)), metric).toBe(true);
    }
  });

  it("the values are the trace's: steady state 0.05/(1−0.9) = 0.5, momentum 0.9, Adam's β2 0.999 and weight decay", () => {
    const p = payloadOf(bundle(runs, { default_metric: "lr_momentum_steady", svg: false }));
    const steady = (name: string) => p.series.find((s) => s.name === name && s.metric === "lr_momentum_steady");
    expect(steady("mom")!.mean.every((v) => v !== null && Math.abs(v - 0.5) < 1e-9)).toBe(true);
    expect(steady("sgd")!.mean.every((v) => v === 0.05)).toBe(true);
    expect(steady("adam")).toBeUndefined(); // Adam has none (null at every step)
    const beta2 = payloadOf(bundle(runs, { default_metric: "beta2", svg: false })).series.filter((s) => s.metric === "beta2");
    expect(beta2.map((s) => s.name)).toEqual(["adam"]);
    expect(beta2[0].mean.every((v) => v === 0.999)).toBe(true);
    const wd = payloadOf(bundle({ adam: runs.adam }, { default_metric: "weight_decay", svg: false })).series.find((s) => s.metric === "weight_decay")!;
    expect(wd.mean.every((v) => v === 1e-4)).toBe(true);
  });

  it("a trace told which metrics to record carries each of them (--metrics lr_projected,lr_momentum_steady)", () => {
    const t = run("two", (p) => new torch.optim.SGD(p, { lr: 0.05, momentum: 0.9 }), 20, { metrics: ["lr_projected", "lr_momentum_steady"] });
    const p = payloadOf(t.bundle({ svg: false }));
    // the configured lr and the logged loss come too: they are recorded whatever `metrics` says (userpass17_metrics_zero)
    expect(p.metrics.map((m) => m.key)).toEqual(["lr", "lr_projected", "lr_momentum_steady", "loss"]);
  });

  it("a plot asked for nothing more keeps its usual lines (the budget's share), plus the steady-state reference", () => {
    const p = payloadOf(runs.sgd.bundle({ svg: false }));
    for (const m of ["angular_update", "param_norm", "beta2", "weight_decay"]) expect(p.metrics.map((x) => x.key)).not.toContain(m);
    const src = runs.mom.to_figure_source();
    expect(withRecordedMetrics(runs.mom, src).series.length).toBe(src.series.length + 1); // lr_momentum_steady only
    const plain = runs.sgd.to_figure_source();
    expect(withRecordedMetrics(runs.sgd, plain).series.length).toBe(plain.series.length); // its steady state is its lr
    expect(withRecordedMetrics({ plot_kind: "schedule" }, src)).toBe(src);
  });
});

describe("F2: momentum's steady-state rate beside the projected rate", () => {
  it("an SGD-momentum run's steady-state line is a reference on the projected-lr view; plain SGD's and Adam's are not", () => {
    const m = payloadOf(mom().bundle({ svg: false }));
    const ref = m.series.filter((s) => s.reference_for === "lr_projected");
    expect(ref.map((s) => s.metric)).toEqual(["lr_momentum_steady"]);
    expect(ref[0].mean[0]).toBeCloseTo(0.5, 9);
    expect(payloadOf(sgd().bundle({ svg: false })).series.some((s) => s.reference_for)).toBe(false);
    expect(payloadOf(adam().bundle({ svg: false })).series.some((s) => s.reference_for)).toBe(false);
  });

  it("the static rates' panel draws it dashed, named, with the projected rate; a comparison's projected-lr panel too", () => {
    const b = mom().bundle();
    const p = payloadOf(b);
    const rates = panelsFor(p).find((q) => q.metrics.includes("lr_projected"))!;
    expect(rates.metrics).toContain("lr_momentum_steady");
    const data = (b[PLOTLY_MIME] as { data: Record<string, any>[] }).data;
    const line = data.find((d) => typeof d.name === "string" && d.name.startsWith("steady-state lr γ(1−τ)/(1−μ)") && Array.isArray(d.x) && d.x.length > 1)!;
    expect(line.line.dash).not.toBe("solid");
    expect(line.y[0]).toBeCloseTo(0.5, 9);
    const c = payloadOf(bundle({ sgd: sgd(), mom: mom() }, { default_metric: "lr_projected", svg: false }));
    const panel = panelsFor(c)[0];
    expect(panel.metrics).toEqual(["lr_projected", "lr_momentum_steady"]);
    // only the momentum run's steady state is drawn there (plain SGD's is its lr)
    const drawn = (toPlotly(c).data as Record<string, any>[]).filter((d) => d.yaxis === "y" && Array.isArray(d.x) && d.x.length > 1 && d.line?.dash !== "solid" && !d.fill);
    expect(drawn.map((d) => d.name)).toEqual(["mom · steady-state lr γ(1−τ)/(1−μ)"]);
  });
});

describe("F3: a band of steps that reaches <= 0", () => {
  const n = 40;
  const x = Array.from({ length: n }, (_, i) => i * 4);
  const base = {
    version: 1 as const, kind: "trace" as const, title: "t", x_label: "step", x_log: false, live: false, markers: [],
  };

  it("opens the projected rate's panel on a linear axis: the band's true minimum shown, never a floor of 1e-9", () => {
    const p: PlotPayload = {
      ...base, default_metric: "lr_projected", metrics: [{ key: "lr_projected", label: "projected lr", log: true }],
      series: [{ name: "m", metric: "lr_projected", group: 0, x, mean: x.map(() => 0.01), min: x.map((_, i) => (i % 2 ? -0.07 : 1.666e-9)), max: x.map(() => 0.05) }],
    };
    expect(panelsFor(p)[0].log).toBe(false);
    const band = (toPlotly(p).data as Record<string, any>[]).find((d) => d.fill === "toself")!;
    expect(Math.min(...(band.y as number[]).filter((v) => v !== null))).toBe(-0.07);
    // all positive: log as before
    const pos: PlotPayload = { ...p, series: [{ ...p.series[0], min: x.map(() => 0.005) }] };
    expect(panelsFor(pos)[0].log).toBe(true);
  });

  it("an element-wise band (q05–q95 of elements) is clipped on its log axis, as before", () => {
    const p: PlotPayload = {
      ...base, default_metric: "lr_elementwise", metrics: [{ key: "lr_elementwise", label: "element-wise lr", log: true }],
      series: [{ name: "m", metric: "lr_elementwise", group: 0, x, mean: x.map(() => 0.01), min: x.map(() => -1), max: x.map(() => 0.05) }],
    };
    expect(panelsFor(p)[0].log).toBe(true);
    // and says so over the panel, as the extension's note does
    expect(panelsFor(p)[0].note).toBe("band cut at the axis where its q05 is ≤ 0 (40 points)");
    const notes = (toPlotly(p).layout.annotations as { text: string }[]).map((a) => a.text);
    expect(notes).toContain("band cut at the axis where its q05 is ≤ 0 (40 points)");
  });
});

describe("F6: schedule previews and tick labels", () => {
  const sched = torch.optim.lr_scheduler as any;
  const cosine = preview((o: any) => new sched.CosineAnnealingLR(o, { T_max: 100 }), { steps: 100, lr: 0.1 });
  const onecycle = preview((o: any) => new sched.OneCycleLR(o, { max_lr: 0.1, total_steps: 100 }), { steps: 100 });
  const exp = preview((o: any) => new sched.ExponentialLR(o, { gamma: 0.9 }), { steps: 100, lr: 0.1 });
  const step = preview((o: any) => new sched.StepLR(o, { step_size: 25, gamma: 0.1 }), { steps: 100, lr: 0.1 });

  it("cosine and OneCycleLR (whose last rate is 4e-7) are linear; ExponentialLR and a StepLR of γ = 0.1 are log", () => {
    const lrPanel = (pv: typeof cosine) => panelsFor(payloadOf(pv.bundle({ svg: false }))).find((q) => q.metrics.includes("lr"))!;
    expect(lrPanel(cosine).log).toBe(false);
    expect(lrPanel(onecycle).log).toBe(false);
    const last = payloadOf(onecycle.bundle({ svg: false })).series.find((s) => s.metric === "lr")!.mean.at(-1)!;
    expect(last).toBeLessThan(1e-6);
    expect(lrPanel(exp).log).toBe(true);
    expect(lrPanel(step).log).toBe(true);
    expect(wideSchedule({ series: [] }, ["lr"])).toBe(false);
  });

  it("the SVG's tick labels write U+2212, as plotly does: 1e−4, never 1e-4", () => {
    const svg = toSvgSync(payloadOf(step.bundle({ svg: false })));
    const labels = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(labels.some((l) => /1e−\d/.test(l)), labels.join(" ")).toBe(true);
    expect(labels.filter((l) => /\de-\d/.test(l))).toEqual([]);
  });
});

describe("F7, F10: static hovers and the last step of a line of steps", () => {
  it("plotly's hover keeps whole names (ReduceLROnPlateau, not ReduceLROnPl...)", () => {
    const sched = torch.optim.lr_scheduler as any;
    const pv = preview((o: any) => new sched.ReduceLROnPlateau(o, { factor: 0.5, patience: 2 }), { steps: 15, lr: 0.1, metrics: [1, 0.8, 0.7, 0.7, 0.7, 0.7, 0.69, 0.69, 0.69, 0.69, 0.5, 0.5, 0.5, 0.5, 0.5] });
    const fig = toPlotly(payloadOf(pv.bundle({ svg: false })));
    expect((fig.layout.hoverlabel as any).namelength).toBe(-1);
  });

  it("ends on a segment one step wide: plotly JSON, SVG; measured lines do not", () => {
    const x = Array.from({ length: 15 }, (_, i) => i);
    const lr = x.map((i) => (i < 6 ? 0.1 : i < 10 ? 0.05 : i < 14 ? 0.025 : 0.0125));
    const p = make_figure([{ name: "ReduceLROnPlateau", series: [{ metric: "lr", group: 0, buckets: bucketsOf(x, lr) }] }], { kind: "schedule", default_metric: "lr" }).payload;
    const s = p.series[0];
    expect(stepTail(s)).toEqual({ x: [14, 15], y: [0.0125, 0.0125] });
    expect(stepTail({ ...s, metric: "lr_projected" })).toBeNull();
    const tail = (toPlotly(p).data as Record<string, any>[]).find((d) => Array.isArray(d.x) && d.x.length === 2 && d.x[1] === 15)!;
    expect(tail.y).toEqual([0.0125, 0.0125]);
    expect(tail.hoverinfo).toBe("skip");
    const rows = (toVegaLite(p) as any).vconcat[0].layer.find((l: any) => l.mark.interpolate === "step-after").data.values;
    expect(rows.at(-1)).toMatchObject({ x: 15, y: 0.0125 });
  });
});

describe("user A's F9: runs of different batch sizes compared at equal data (x: samples)", () => {
  function batches(name: string, batch: number | null, steps: number): Trace {
    torch.manual_seed(0);
    const m = new torch.nn.Linear(4, 1);
    const o = new torch.optim.SGD(m.parameters(), { lr: 0.05 });
    const X = torch.randn(16, 4), Y = X.sum(1, true);
    return trainLogged(m, o, trace(o, { ...(batch !== null ? { batch_size: batch } : {}), name }), X, Y, steps);
  }

  it("puts (step + 1) × batch size on the x axis: 3 epochs of 96 samples end at 96·3 for both runs", () => {
    const p = payloadOf(bundle({ bs32: batches("bs32", 32, 9), bs8: batches("bs8", 8, 36) }, { default_metric: "loss", x: "samples", svg: false }));
    expect(p.x_label).toBe("samples seen");
    const loss = (name: string) => p.series.find((s) => s.name === name && s.metric === "loss")!;
    expect(loss("bs32").x).toEqual(Array.from({ length: 9 }, (_, t) => (t + 1) * 32));
    expect(loss("bs8").x[0]).toBe(8);
    expect(loss("bs8").x.at(-1)).toBe(288);
    expect(loss("bs32").x.at(-1)).toBe(288);
    // the static pictures say so too
    const fig = toPlotly(p);
    const bottom = Object.entries(fig.layout).filter(([k]) => /^xaxis\d*$/.test(k)).map(([, v]) => (v as any).title?.text).filter(Boolean);
    expect(bottom).toEqual(["samples seen"]);
  });

  it("a run without a batch size is an error naming it and how to give one; step stays the default", () => {
    const runs = { bs32: batches("bs32", 32, 3), nobs: batches("nobs", null, 3) };
    expect(() => bundle(runs, { x: "samples" })).toThrow(/run "nobs" has no batch size: trace it with one \(%%lr_trace --batch-size B, or lrlab\.trace\(optimizer, \{ batch_size: B \}\)\)/);
    expect(payloadOf(bundle(runs, { svg: false })).x_label).toBe("step");
    expect(() => bundle(runs, { x: "epochs" as any })).toThrow(/x must be "step" or "samples", got "epochs"/);
  });
});
