/**
 * The plot findings of a teacher's pass (userpass13) in the extension's figure (the static
 * figures' side is test/plot/userpass13_plots.test.ts):
 * - F2: a point that merges steps says so in its hover ("mean of steps 175–177", with its min and
 *   max when the line has them); the first point is the first step's own value; the "spread
 *   band" control is offered only for a metric whose lines have a band;
 * - F4: the step axis of a long run is labelled "20k … 140k";
 * - F5: on a log axis a band whose minimum is <= 0 is clipped, one shape, no slivers;
 * - F7: range-test suggestions named beside their stars and in the legend; the smoothed loss in
 *   the legend;
 * - F13: a diverged run opens on its loss.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace } from "../../kernel/src/trace/index";
import { bucketsOf, make_figure, PLOT_MIME, type PlotPayload as KernelPayload } from "../../kernel/src/plot/index";
import { RangeTest } from "../../kernel/src/trace/find";
import { buildFigureWithRoles, hoverTexts, LABEL_POSITIONS, stepTickFormat } from "../../extension/src/figure";
import { pointSteps, validatePayload } from "../../extension/src/payload";
import { applyControl, hasBand, initialState } from "../../extension/src/state";
import { themeFrom } from "../../extension/src/theme";

const light = themeFrom(() => "", true);

/** SGD lr `lr` (momentum 0.9 unless it diverges) on a Linear(4, 1), full batch, the loss logged. */
function sgd(steps: number, lr = 0.05) {
  torch.manual_seed(0);
  const X = torch.randn(64, 4);
  const Y = X.sum(1, true);
  torch.manual_seed(1);
  const m = new torch.nn.Linear(4, 1);
  const o = new torch.optim.SGD(m.parameters(), { lr, momentum: lr > 1 ? 0 : 0.9 });
  const t = trace(o, { batch_size: 64, name: "sgd" });
  const loss_fn = new torch.nn.MSELoss();
  for (let i = 0; i < steps; i++) {
    o.zero_grad();
    const l = loss_fn.forward(m.forward(X), Y);
    l.backward();
    t.log_loss(l);
    o.step();
  }
  t.stop();
  return validatePayload(JSON.parse(JSON.stringify(t.bundle()[PLOT_MIME])));
}

describe("F2: hovers of merged points", () => {
  const p = sgd(480);
  const s = initialState(p);

  it("the projected lr opens on step 0's value, each point's hover names its steps", () => {
    expect(s.metric).toBe("lr_projected");
    const f = buildFigureWithRoles(p, s, light);
    const line = f.data[f.roles.indexOf("line")];
    const t = p.series.find((x) => x.metric === "lr_projected")!;
    expect(line.y[0]).toBeCloseTo(0.05, 6);
    const steps = pointSteps(t)!;
    expect(steps[0]).toEqual([0, 0]);
    expect(steps[steps.length - 1]).toEqual([479, 479]);
    const hover = line.hovertext as string[];
    // (named axes since userpassB: "mean of steps 1–4 · projected lr 0.05 · t480")
    // (customdata[2]: the configured lr drawn under it, userpass16b)
    expect(line.hovertemplate).toMatch(/^%\{hovertext\} · %\{meta\[1\]\} %\{customdata\[1\]\}%\{customdata\[2\]\} · %\{fullData\.name\}<extra><\/extra>$/);
    expect(hover[0]).toBe("step 0");
    expect(hover[1]).toMatch(/^mean of steps 1–\d+$/);
    expect(hover[hover.length - 1]).toBe("step 479");
    hover.forEach((h, i) => {
      const [a, b] = steps[i];
      expect(h).toBe(a === b ? `step ${a}` : `mean of steps ${a}–${b}`);
      expect(t.x[i]).toBeGreaterThanOrEqual(a);
      expect(t.x[i]).toBeLessThanOrEqual(b);
    });
  });

  it("with a band: its min and max (a quantile band: q05–q95) in the hover", () => {
    const banded = { ...p.series[0], x: [0, 2, 5], mean: [1, 2, 3], min: [1, 1.5, 2], max: [1, 2.5, 4], spans: [1, 1, 1, 4, 1, 1] };
    expect(hoverTexts(banded)).toEqual(["step 0", "mean of steps 1–4 (min 1.5, max 2.5)", "step 5"]);
    expect(hoverTexts({ ...banded, metric: "lr_elementwise" })?.[1]).toBe("mean of steps 1–4 (q05–q95 band 1.5 to 2.5)");
    expect(hoverTexts({ ...banded, spans: undefined })).toBeNull();
  });

  it("a run of one step a point keeps plotly's own hover", () => {
    const q = sgd(60);
    const f = buildFigureWithRoles(q, initialState(q), light);
    const line = f.data[f.roles.indexOf("line")];
    // its step and value, with the axes named (userpassB): "step 12 · projected lr 0.05 · t60"
    expect([line.hovertemplate, line.hovertext]).toEqual(["%{meta[0]} %{customdata[0]} · %{meta[1]} %{customdata[1]}%{customdata[2]} · %{fullData.name}<extra></extra>", undefined]);
    expect(line.meta).toEqual(["step", "projected lr"]);
  });

  it("the spread band is offered for a metric whose lines have one, not for the others", () => {
    expect(p.series.find((x) => x.metric === "lr_projected")!.min).toBeUndefined();
    expect(hasBand(p, "lr_projected")).toBe(false);
    expect(hasBand(p, "lr_elementwise")).toBe(true);
    expect(hasBand(p)).toBe(true);
  });

  it("malformed spans are dropped by the validator, not fatal", () => {
    const raw = JSON.parse(JSON.stringify(p));
    raw.series[0].spans = [1, 0];
    expect(validatePayload(raw).series[0].spans).toBeUndefined();
    raw.series[0].spans = "1,1";
    expect(validatePayload(raw).series[0].spans).toBeUndefined();
  });
});

describe("F4: the step axis of a long run", () => {
  const steps = Array.from({ length: 150 }, (_, i) => i * 1000);
  const payload = (last: number) => validatePayload(JSON.parse(JSON.stringify(make_figure(
    [{ name: "r", series: [{ metric: "lr", group: 0, buckets: bucketsOf(steps.map((x) => Math.round((x * last) / 149_000)), steps.map(() => 0.01)) }] }],
    { kind: "trace", default_metric: "lr" },
  ).payload)));

  it("carries SI suffixes from 10,000 steps on", () => {
    const long = payload(150_000);
    expect(stepTickFormat(long)).toBe("~s");
    expect((buildFigureWithRoles(long, initialState(long), light).layout.xaxis as any).tickformat).toBe("~s");
    const short = payload(9_000);
    expect((buildFigureWithRoles(short, initialState(short), light).layout.xaxis as any).tickformat).toBeUndefined();
  });
});

describe("F5: a band whose minimum is <= 0 on a log axis", () => {
  it("is one shape clipped at the lowest positive value drawn", () => {
    const n = 30;
    const x = Array.from({ length: n }, (_, i) => i);
    const p = validatePayload({
      version: 1, kind: "trace", title: "t", x_label: "step", x_log: false, default_metric: "update_ratio", live: false, markers: [],
      metrics: [{ key: "update_ratio", label: "update ratio", log: true }],
      series: [{ name: "r", metric: "update_ratio", group: 0, x, mean: x.map(() => 1e-3), min: x.map((i) => (i % 4 === 0 ? -1e-4 : 6e-4)), max: x.map(() => 2e-3) }],
    });
    // (since userpassB a min–max band of steps reaching <= 0 opens on a linear axis; log chosen:)
    expect((buildFigureWithRoles(p, initialState(p), light).layout.yaxis as any).type).toBe("linear");
    const f = buildFigureWithRoles(p, applyControl(initialState(p), { type: "log", on: true }, p), light);
    expect((f.layout.yaxis as any).type).toBe("log");
    const band = f.data[f.roles.indexOf("band-min")];
    expect(band.y.filter((v) => v === null)).toEqual([]);
    expect(band.y).toHaveLength(2 * n);
    expect(Math.min(...(band.y as number[]))).toBe(6e-4);
  });
});

describe("F7: range-test suggestions and the smoothed loss", () => {
  const lrs = Array.from({ length: 40 }, (_, i) => 1e-5 * 10 ** (i / 10));
  const smoothed = lrs.map((_, i) => 2.5 - 1.5 / (1 + Math.exp(-(i - 20) / 3)));
  const rt = new RangeTest("range test", lrs, smoothed, smoothed, { steepest: lrs[18], valley: lrs[24], "minimum/10": lrs[14] }, null);
  const p = validatePayload(JSON.parse(JSON.stringify(make_figure([rt.to_figure_source()], { kind: "range_test", default_metric: "loss" }).payload)));

  it("each suggestion named beside its star, in the legend and in its hover with its rate", () => {
    const f = buildFigureWithRoles(p, initialState(p), light);
    const t = f.data[f.roles.indexOf("suggestion")];
    expect(t.mode).toBe("markers+text");
    // (the recommended one, valley, named so: suggestion_markers.test.ts)
    expect([...(t.text as string[])].sort()).toEqual(["minimum/10", "steepest", "valley (recommended)"]);
    expect(t.name).toBe(`suggested lr (on the smoothed loss): ${(t.text as string[]).join(", ")}`);
    (t.hovertext as string[]).forEach((h, i) => {
      const name = (t.text as string[])[i].split(" ")[0];
      expect(h.startsWith(`suggested lr, ${name} `)).toBe(true);
      expect(h).toMatch(/\(found on the smoothed loss, [\d.]+ here\)$/);
    });
    // each label where it meets no other (labelPositions: userpassB_figure.test.ts)
    expect((t.textposition as string[]).every((q) => (LABEL_POSITIONS as readonly string[]).includes(q))).toBe(true);
  });

  it("the dashed smoothed loss has its legend entry", () => {
    const f = buildFigureWithRoles(p, initialState(p), light);
    const sm = f.data[f.roles.indexOf("smoothed")];
    expect([sm.name, sm.showlegend]).toEqual(["smoothed loss", true]);
  });

  it("switched off in the legend, the suggestions keep a named entry", () => {
    const off = applyControl(initialState(p), { type: "marker", kind: "suggestion" }, p);
    const f = buildFigureWithRoles(p, off, light);
    const t = f.data[f.roles.indexOf("suggestion")];
    expect(t.visible).toBe("legendonly");
    expect(t.name).toMatch(/^suggested lr \(on the smoothed loss\): /);
  });
});

describe("F13: a diverged run", () => {
  it("opens on its loss, with the divergence marker on it", () => {
    const p = sgd(50, 1e3);
    const s = initialState(p);
    expect(s.metric).toBe("loss");
    const f = buildFigureWithRoles(p, s, light);
    expect(f.roles).toContain("divergence");
    expect((f.layout.yaxis as any).type).toBe("log");
    expect((f.layout.shapes as unknown[]).length).toBe(1);
    const kp = p as unknown as KernelPayload;
    expect(kp.markers[0].label).toMatch(/^diverged at step \d+/);
  });
});
