// @vitest-environment jsdom
/**
 * The plot findings of a student's pass through JupyterLab (userpass16, userF items 2 and 4) and
 * a porter's pass (userH item 8), in the extension (the kernel's side is
 * test/plot/userpass16_plots.test.ts):
 * - hovers write numbers in the axis's notation (7.813e−5, not 0.00007813), and a wide log axis
 *   labels its decades in one notation;
 * - the "spread band" box is unchecked while it does not apply;
 * - a compare plot's configured-lr hover names the run once;
 * - the steady-state rate's symbols (τ dampening, μ momentum) are said in its hover and note, and
 *   every metric menu entry has a one-line description;
 * - the spread band has a legend entry saying what is shaded;
 * - the reset-zoom and reset buttons wrap together;
 * - the payload's notes (SGD's rounding, an element-wise band of near-zero gradients) are shown
 *   over their metric's view, and a linear axis cuts such a band so the medians are readable.
 */
import { describe, expect, it } from "vitest";
import { BUTTONS_CLASS, Controls } from "../../extension/src/controls";
import { BAND_LEGEND, buildFigureWithRoles, hoverData, hoverNumber, tickLabels } from "../../extension/src/figure";
import { METRIC_HELP } from "../../extension/src/metric_help";
import { type PlotPayload, validatePayload } from "../../extension/src/payload";
import { applyControl, initialState } from "../../extension/src/state";
import { themeFrom } from "../../extension/src/theme";

const light = themeFrom(() => "", true);
const steps = [0, 1, 2, 3];
const metrics = [
  { key: "lr", label: "configured lr", log: true },
  { key: "lr_projected", label: "projected lr −⟨Δ,g⟩/‖g‖²", log: true },
  { key: "lr_per_sample", label: "per-sample lr", log: true },
  { key: "lr_elementwise", label: "element-wise lr −Δ/g (median, q05–q95)", log: true },
  { key: "lr_momentum_steady", label: "momentum steady-state lr γ(1−τ)/(1−μ)", log: true },
];

function payload(extra: Partial<PlotPayload> = {}, kind: PlotPayload["kind"] = "trace"): PlotPayload {
  const run = (name: string) => [
    { name, metric: "lr", group: 0, x: steps, mean: [0.01, 0.01, 0.01, 0.01] },
    { name, metric: "lr_projected", group: 0, x: steps, mean: [0.0005, 0.0003, 0.0002, 0.0001], min: [0.0004, 0.0002, 0.0001, 0.00005], max: [0.0006, 0.0004, 0.0003, 0.0002], spans: [4, 8] },
    { name, metric: "lr_per_sample", group: 0, x: steps, mean: [7.813e-5, 7.813e-5, 7.813e-5, 7.813e-5] },
    { name, metric: "lr_momentum_steady", group: 0, x: steps, mean: [0.5, 0.5, 0.5, 0.5], reference_for: "lr_projected" },
  ];
  return validatePayload({
    version: 1, kind, title: "t", x_label: "step", x_log: false, live: false, markers: [], default_metric: "lr_projected",
    metrics, series: kind === "compare" ? [...run("adam"), ...run("sgd")] : run("sgd"), ...extra,
  });
}

describe("hover numbers and log ticks in the axis's notation", () => {
  it("0.00007813 reads 7.813e−5, 0.05 stays 0.05; a step stays a whole number", () => {
    expect(hoverNumber(0.00007813)).toBe("7.813e\u22125");
    expect(hoverNumber(0.000005254)).toBe("5.254e\u22126");
    expect(hoverNumber(0.05)).toBe("0.05");
    expect(hoverNumber(-0.0001)).toBe("\u22121e\u22124");
    expect(hoverData([12, 13], [0.00007813, null])).toEqual([["12", "7.813e\u22125"], ["13", ""]]);
  });

  it("a line's hover reads its value from customdata, in that notation, with the merged steps' min and max alike", () => {
    const p = payload();
    const s = applyControl(initialState(p), { type: "metric", metric: "lr_per_sample" }, p);
    const f = buildFigureWithRoles(p, s, light);
    const line = f.data[f.roles.indexOf("line")];
    expect(line.hovertemplate).toBe("%{meta[0]} %{customdata[0]} · %{meta[1]} %{customdata[1]} · %{fullData.name}<extra></extra>");
    expect((line.customdata as string[][])[0]).toEqual(["0", "7.813e\u22125"]);
    const proj = buildFigureWithRoles(p, initialState(p), light);
    const texts = proj.data[proj.roles.indexOf("line")].hovertext as string[];
    expect(texts.some((t) => t.includes("min 1e\u22124") || t.includes("min 5e\u22125"))).toBe(true);
    expect(texts.join(" ")).not.toMatch(/0\.000/);
  });

  it("a wide log axis labels decades in one notation", () => {
    expect(tickLabels([1e-4, 1e-3, 0.01, 0.1, 1, 10]).every((t) => t.includes("e"))).toBe(true);
    const p = payload();
    const wide = { ...p, series: p.series.map((t) => (t.metric === "lr_projected" ? { ...t, mean: [1e-6, 1e-3, 0.1, 10], min: undefined, max: undefined, spans: undefined } : t)) } as PlotPayload;
    const y = buildFigureWithRoles(wide, { ...initialState(wide), log: { lr_projected: true } }, light).layout.yaxis as Record<string, unknown>;
    expect(y.type).toBe("log");
    expect(y.tickmode).toBe("array");
    const text = y.ticktext as string[];
    expect(text.length).toBeGreaterThanOrEqual(3);
    expect(text.every((t) => t.includes("e"))).toBe(true);
  });
});

describe("the spread band", () => {
  it("its box is unchecked and disabled over a metric without bands, checked again where there is one", () => {
    const p = payload();
    const c = new Controls(document, () => undefined);
    const box = c.node.querySelector<HTMLInputElement>('[data-control="band"]')!;
    c.update(p, applyControl(initialState(p), { type: "metric", metric: "lr_per_sample" }, p));
    expect([box.checked, box.disabled]).toEqual([false, true]);
    c.update(p, initialState(p));
    expect([box.checked, box.disabled]).toEqual([true, false]);
  });

  it("has a legend entry saying what is shaded: the min–max of merged steps, or the elements' q05–q95", () => {
    const p = payload();
    const f = buildFigureWithRoles(p, initialState(p), light);
    const entry = f.data[f.roles.indexOf("band-legend")];
    expect(entry.uid).toBe(BAND_LEGEND);
    expect(entry.name).toBe("shaded: min–max of the steps a point merges");
    expect(entry.showlegend).toBe(true);
    // none without a band drawn
    const off = buildFigureWithRoles(p, applyControl(initialState(p), { type: "band", on: false }, p), light);
    expect(off.roles).not.toContain("band-legend");
  });
});

describe("reference lines' hovers", () => {
  it("a compare plot's configured lr names its run once", () => {
    const p = payload({}, "compare");
    const f = buildFigureWithRoles(p, initialState(p), light);
    const conf = f.data.filter((_, i) => f.roles[i] === "configured");
    expect(conf.map((t) => t.name)).toEqual(["configured lr", "configured lr"]);
    // (userpass16b: its value is said in the hover of the run's line it is drawn under, which
    // names the run once; the dotted line took the hover from it)
    expect(conf.map((t) => t.hoverinfo)).toEqual(["skip", "skip"]);
    const lines = f.data.filter((_, i) => f.roles[i] === "line");
    expect(lines.map((t) => t.name)).toEqual(["adam", "sgd"]);
    expect(lines.map((t) => (t.customdata as string[][])[0][2])).toEqual([" · configured 0.01", " · configured 0.01"]);
  });

  it("the steady-state rate's hover and note say what τ and μ are", () => {
    const p = payload();
    const f = buildFigureWithRoles(p, initialState(p), light);
    const ref = f.data[f.roles.indexOf("reference")];
    expect(ref.hovertemplate).toBe("%{meta[0]} %{customdata[0]} · %{meta[1]} %{customdata[1]} %{meta[3]} · %{meta[2]}<extra></extra>");
    expect((ref.meta as string[])[3]).toBe("(γ the lr, μ the momentum, τ the dampening)");
    const notes = ((f.layout.annotations as { text: string }[]) ?? []).map((a) => a.text).join(" ");
    expect(notes).toContain("beyond the axis: steady-state lr γ(1−τ)/(1−μ) (up to 0.5) (γ the lr, μ the momentum, τ the dampening)");
  });

  it("every metric menu entry has a one-line description", () => {
    const p = payload();
    const c = new Controls(document, () => undefined);
    c.update(p, initialState(p));
    const options = [...c.node.querySelectorAll<HTMLOptionElement>('[data-control="metric"] option')];
    expect(options.map((o) => o.title)).toEqual(metrics.map((m) => METRIC_HELP[m.key]));
    expect(options.find((o) => o.value === "lr_momentum_steady")!.title).toContain("μ the momentum, τ the dampening");
    expect(c.node.querySelector<HTMLSelectElement>('[data-control="metric"]')!.title).toBe(METRIC_HELP.lr_projected);
  });
});

describe("the toolbar", () => {
  it("keeps reset zoom and reset in one span, which wraps as one", () => {
    const c = new Controls(document, () => undefined);
    const span = c.node.querySelector(`.${BUTTONS_CLASS}`)!;
    expect([...span.querySelectorAll("button")].map((b) => b.dataset.control)).toEqual(["reset-zoom", "reset"]);
  });
});

describe("the payload's notes", () => {
  it("a note over the projected-lr view is shown there, in lines that fit the plot, not over other metrics", () => {
    const text = "projected lr below half the configured lr at 38,012 of 40,000 steps (steps 1,988–39,999): plain SGD's updates γ·g there are below float32's resolution of θ and round away (as in PyTorch), the rate set did not change";
    const p = payload({ notes: [{ metrics: ["lr_projected", "lr_per_sample"], text }] });
    const f = buildFigureWithRoles(p, initialState(p), light, 700);
    const note = (f.layout.annotations as { text: string }[]).find((a) => a.text.includes("round away"))!;
    expect(note.text.split("<br>").length).toBeGreaterThan(1);
    expect(note.text.replace(/<br>/g, " ")).toBe(text.replace(/&/g, "&amp;"));
    const base = buildFigureWithRoles(payload(), initialState(payload()), light, 700);
    expect(f.layout.height as number).toBeGreaterThan(base.layout.height as number);
    const other = buildFigureWithRoles(p, applyControl(initialState(p), { type: "metric", metric: "lr_momentum_steady" }, p), light);
    expect(((other.layout.annotations as { text: string }[]) ?? []).some((a) => a.text.includes("round away"))).toBe(false);
  });

  it("an element-wise band of near-zero gradients is cut on a linear axis, so the medians span it", () => {
    const x = Array.from({ length: 20 }, (_, i) => i);
    const p = validatePayload({
      version: 1, kind: "trace", title: "t", x_label: "step", x_log: false, live: false, markers: [], default_metric: "lr_elementwise",
      metrics: [metrics[3]],
      series: [{ name: "adamw", metric: "lr_elementwise", group: 0, x, mean: x.map((i) => (i === 3 ? -0.01 : 0.1)), min: x.map(() => -0.2), max: x.map((i) => (i % 2 ? 8e4 : 0.3)) }],
      notes: [{ metrics: ["lr_elementwise"], text: "element-wise band: q95 up to 80000 …", band_range: [-0.2, 0.3] }],
    });
    const s = initialState(p);
    const f = buildFigureWithRoles(p, s, light);
    expect((f.layout.yaxis as { type: string }).type).toBe("linear");
    const band = f.data[f.roles.indexOf("band-min")];
    expect(Math.max(...(band.y.filter((v) => v !== null) as number[]))).toBeLessThanOrEqual(0.3);
    const range = (f.layout.yaxis as { range?: number[] }).range;
    // fitted to what is drawn (plotly's autorange otherwise): the medians' 0.1 is a third of it
    if (range) expect(range[1]).toBeLessThan(1);
    expect((f.layout.annotations as { text: string }[]).some((a) => a.text.includes("q95 up to 80000"))).toBe(true);
    // on a log axis the band is drawn whole
    const log = buildFigureWithRoles(p, applyControl(s, { type: "log", on: true }, p), light);
    const top = log.data[log.roles.indexOf("band-max")];
    expect(Math.max(...(top.y.filter((v) => v !== null) as number[]))).toBe(8e4);
  });
});
