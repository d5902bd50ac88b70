/**
 * The plot findings of a student's pass through JupyterLab (userpass16, userF items 2–4) and a
 * porter's pass (userH item 8), on the kernel's side (the extension's side is
 * test/extension/userpass16_figure.test.ts):
 * - F2: plain SGD's projected lr falling below the configured lr in a converged run (its updates
 *   round away in float32) is said in a note over the rates' views, naming the steps;
 * - F3: a short per_param run's parameter lines carry every step, "short" as README says it
 *   (steps × tensors ≤ 160: 40 steps of 4 tensors);
 * - H8: an element-wise band whose top is elements of near-zero gradient is said in a note, and
 *   cut on a linear axis so the medians are readable.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace } from "../../kernel/src/trace/index";
import { bundle, make_figure, panelsFor, PLOT_MIME, PLOTLY_MIME, SAVED_BUDGET, type PlotPayload } from "../../kernel/src/plot/index";
import { BAND_CUT, elementwiseNote, OUTLIER_RATIO } from "../../kernel/src/plot/notes";
import { savedBytes } from "./saved";

const lf = new torch.nn.MSELoss();

/** userF's repro, shortened: a small MLP under plain SGD lr 0.01 on a fixed batch until it converges. */
function sgdPlain(steps: number, options: { momentum?: number; maximize?: boolean } = {}) {
  torch.manual_seed(0);
  const m = new torch.nn.Sequential(new torch.nn.Linear(4, 16), new torch.nn.ReLU(), new torch.nn.Linear(16, 1));
  const o = new torch.optim.SGD(m.parameters(), { lr: 0.5, ...options });
  const X = torch.randn(8, 4), Y = torch.randn(8, 1);
  const t = trace(o, { name: "sgd_plain" });
  for (let k = 0; k < steps; k++) {
    o.zero_grad();
    const l = lf.forward(m.forward(X), Y);
    l.backward();
    t.log_loss(l);
    o.step();
  }
  t.stop();
  return t;
}

describe("F2: plain SGD's updates below float32's resolution are said", () => {
  const t = sgdPlain(3000);

  it("the run does reach steps whose projected lr is far below the configured one", () => {
    const last = t.latest()!;
    expect((last as any).lr_projected).toBeLessThan(0.25);
  });

  it("a note over the projected-lr view names the steps and the cause", () => {
    const p = bundle(t)[PLOT_MIME] as PlotPayload;
    const note = p.notes?.find((n) => n.metrics.includes("lr_projected"));
    expect(note).toBeDefined();
    expect(note!.text).toMatch(/^projected lr below half the configured lr at [\d,]+ of 3,000 steps \(steps [\d,]+–2,999\): plain SGD's updates γ·g there are below float32's resolution of θ and most of them round away \(in PyTorch too\)/);
    // the static picture's learning-rate panel says it too
    const panels = panelsFor(p);
    const panel = panels.find((q) => q.metrics.includes("lr_projected"))!;
    expect(panel.note).toContain("round away");
    // once: not again over the element-wise panel, which the note concerns too (it was printed twice)
    expect(panels.filter((q) => q.note?.includes("round away")).length).toBe(1);
    expect(panels.some((q) => q.metrics.includes("lr_elementwise"))).toBe(true);
    const svg = bundle(t)["image/svg+xml"] as string;
    expect(svg).toContain("below float32");
  });

  it("a short run that did not converge, momentum, or a maximized loss carry no such note", () => {
    for (const run of [sgdPlain(30), sgdPlain(300, { momentum: 0.9 }), sgdPlain(30, { maximize: true })]) {
      const p = bundle(run)[PLOT_MIME] as PlotPayload;
      expect(p.notes?.some((n) => n.text.includes("round away")) ?? false).toBe(false);
    }
  });
});

/** userF's per-parameter repro: Adam (4 per-parameter metrics, two with bands: the costliest), `tensors` tensors, `steps` steps. */
function perParam(tensors: number, steps: number) {
  torch.manual_seed(0);
  const mods: torch.nn.Module[] = [];
  const layers = tensors / 2;
  for (let i = 0; i < layers; i++) {
    mods.push(new torch.nn.Linear(i === 0 ? 20 : 16, i === layers - 1 ? 1 : 16));
    if (i < layers - 1) mods.push(new torch.nn.ReLU());
  }
  const m = new torch.nn.Sequential(...mods);
  const o = new torch.optim.Adam(m.parameters(), { lr: 0.01 });
  const X = torch.randn(64, 20), Y = torch.randn(64, 1);
  const t = trace(o, { name: "pp", batch_size: 64, per_param: true, named_parameters: m.named_parameters() });
  for (let k = 0; k < steps; k++) {
    o.zero_grad();
    const l = lf.forward(m.forward(X), Y);
    l.backward();
    t.log_loss(l);
    o.step();
  }
  t.stop();
  return t;
}

/**
 * Every step of 4 tensors at 100 steps does not fit: their 16 lines alone take ~83 KB as saved
 * (x, mean, and q05/q95 of the two element-wise rates), with the group's lines, the plotly JSON
 * and the SVG over 165 KB even at half their points. README says where "short" ends instead:
 * steps × tensors ≤ SHORT_PARAM_STEPS (one group, every tensor carried), checked here.
 */
const SHORT_PARAM_STEPS = 160;

describe("F3: a short run's parameter lines carry every step (README: steps × tensors ≤ 160)", () => {
  for (const tensors of [2, 4, 8]) {
    const steps = SHORT_PARAM_STEPS / tensors;
    it(`${steps} steps of ${tensors} tensors: every step of each parameter line, within the saved budget`, () => {
      const b = bundle(perParam(tensors, steps));
      const p = b[PLOT_MIME] as PlotPayload;
      const lines = p.series.filter((s) => s.param);
      expect(new Set(lines.map((s) => s.param)).size).toBe(tensors);
      for (const s of lines) expect(s.x.length).toBe(steps);
      expect(savedBytes(b)).toBeLessThanOrEqual(SAVED_BUDGET);
    });
  }
});

describe("H8: an element-wise band whose top is elements of near-zero gradient", () => {
  /** A payload of one group's ρ: medians ~0.01 (some < 0), q95 up to 5e4 at 30 of 60 points. */
  function payload(): PlotPayload {
    const x = Array.from({ length: 60 }, (_, i) => i);
    const mean = x.map((i) => (i % 7 === 3 ? -0.002 : 0.01 + 0.0001 * i));
    const min = mean.map((v) => v - 0.05);
    const max = x.map((i) => (i % 2 === 0 ? 5e4 : 0.05));
    const bucket = (v: number, i: number) => ({ first_step: i, last_step: i, pushes: 1, count: 1, sum: v, mean: v, min: v, max: v, last: v });
    const fig = make_figure([{
      name: "adamw",
      series: [
        { metric: "lr", group: 0, buckets: x.map((i) => bucket(0.003, i)) },
        { metric: "lr_elementwise", group: 0, buckets: mean.map(bucket), low: min.map(bucket), high: max.map(bucket) },
      ],
    }], { kind: "trace", default_metric: "lr_elementwise" });
    return fig.payload;
  }

  it("the payload says where the band's top comes from, and cuts it on a linear axis at a few medians", () => {
    const p = payload();
    const note = p.notes?.find((n) => n.metrics.includes("lr_elementwise"));
    expect(note).toBeDefined();
    expect(note!.text).toContain("q95 up to 50000");
    expect(note!.text).toContain("(30 of 60 points)");
    expect(note!.text).toContain("gradient near zero");
    const top = BAND_CUT * Math.max(...p.series.find((s) => s.metric === "lr_elementwise")!.mean.map((v) => Math.abs(v!)));
    expect(note!.band_range![1]).toBeCloseTo(top, 9);
  });

  it("the static panel is cut there, with the note, so the median line spans the axis", () => {
    const p = payload();
    const panel = panelsFor(p).find((q) => q.metrics.includes("lr_elementwise"))!;
    expect(panel.log).toBe(false);
    expect(panel.band_range).toEqual(p.notes![0].band_range);
    expect(panel.note).toContain("gradient near zero");
    const fig = bundle({ payload: p, summary: ["x"] } as never)[PLOTLY_MIME] as { data: { y: (number | null)[]; fill?: string }[] };
    const band = fig.data.find((d) => d.fill === "toself")!;
    expect(Math.max(...band.y.filter((v): v is number => v !== null))).toBeLessThanOrEqual(p.notes![0].band_range![1] + 1e-12);
  });

  it("a band within OUTLIER_RATIO of its median has no note", () => {
    const p = payload();
    const s = p.series.find((x) => x.metric === "lr_elementwise")!;
    s.max = s.max!.map((v) => Math.min(v as number, 0.5 * OUTLIER_RATIO * 0.0159));
    expect(elementwiseNote(p)).toBeNull();
  });
});
