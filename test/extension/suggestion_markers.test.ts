/**
 * A range test's suggestions are computed on the smoothed loss (kernel/src/trace/find.ts
 * suggest), so every representation puts their markers on the smoothed-loss curve: the
 * extension's figure (in its default, raw-loss, view too), the static plotly JSON and the static
 * SVG's vega-lite spec. The interactive plot once put them on the raw loss instead.
 */
import { describe, expect, it } from "vitest";
import { make_figure } from "../../kernel/src/plot/figure";
import { toPlotly } from "../../kernel/src/plot/plotly";
import { toVegaLite } from "../../kernel/src/plot/svg";
import { RangeTest } from "../../kernel/src/trace/find";
import { buildFigureWithRoles, markerY } from "../../extension/src/figure";
import { validatePayload } from "../../extension/src/payload";
import { applyControl, initialState } from "../../extension/src/state";
import { themeFrom } from "../../extension/src/theme";

const light = themeFrom(() => "", true);

// 40 rates over four decades; the raw loss zig-zags around the smoothed one (batch noise), so
// the two curves differ by 0.3 at every rate.
const lrs = Array.from({ length: 40 }, (_, i) => 1e-5 * 10 ** (i / 10));
const smoothed = lrs.map((_, i) => 2.5 - 1.5 / (1 + Math.exp(-(i - 20) / 3)));
const losses = smoothed.map((s, i) => s + (i % 2 === 0 ? 0.3 : -0.3));
const at = { steepest: 18, valley: 24, "minimum/10": 14 };
const test = new RangeTest("range test", lrs, losses, smoothed, { steepest: lrs[at.steepest], valley: lrs[at.valley], "minimum/10": lrs[at["minimum/10"]] }, null);
const payload = make_figure([test.to_figure_source()], { kind: "range_test", default_metric: "loss" }).payload;
// Marker y as the payload writes it: compared to a precision its rounding keeps.
const near = (a: number | null, b: number) => expect(a).toBeCloseTo(b, 3);
const expected = (label: string) => smoothed[at[label.split(" ")[0] as keyof typeof at]];

describe("range-test suggestion markers sit on the smoothed loss", () => {
  it("the kernel's payload carries them at the smoothed loss, not the raw one", () => {
    const ms = payload.markers.filter((m) => m.kind === "suggestion");
    expect(ms).toHaveLength(3);
    for (const m of ms) near(m.y, expected(m.label));
  });

  it("in the extension's figure, in the default (raw loss) view and in the smoothed-loss view", () => {
    const p = validatePayload(JSON.parse(JSON.stringify(payload)));
    let s = initialState(p);
    expect(s.metric).toBe("loss");
    for (const view of [s, applyControl(s, { type: "metric", metric: "smoothed_loss" }, p)]) {
      const f = buildFigureWithRoles(p, view, light);
      const t = f.data[f.roles.indexOf("suggestion")];
      expect(t.y).toHaveLength(3);
      (t.text as string[]).forEach((label, j) => {
        near(t.y[j], expected(label));
        // and not the raw loss (0.3 away)
        expect(Math.abs((t.y[j] as number) - losses[at[label.split(" ")[0] as keyof typeof at]])).toBeGreaterThan(0.2);
      });
      for (const m of p.markers) near(markerY(m, p, view), expected(m.label));
    }
    s = applyControl(s, { type: "log", on: true }, p);
    const f = buildFigureWithRoles(p, s, light);
    expect(f.data[f.roles.indexOf("suggestion")].y).toHaveLength(3);
  });

  it("the default (raw loss) view also draws the smoothed loss, dashed, in the run's colour and legend entry: the markers lie on it", () => {
    const p = validatePayload(JSON.parse(JSON.stringify(payload)));
    const s = initialState(p);
    const f = buildFigureWithRoles(p, s, light);
    expect(f.roles.filter((r) => r === "smoothed")).toHaveLength(1);
    const raw = f.data[f.roles.indexOf("line")], sm = f.data[f.roles.indexOf("smoothed")];
    expect(sm.line).toMatchObject({ dash: "dash", color: (raw.line as { color: string }).color });
    // in the legend under its own name (it was unexplained), toggling with its run
    expect([sm.legendgroup, sm.showlegend, sm.name]).toEqual([raw.legendgroup, true, "smoothed loss"]);
    expect(sm.y.length).toBe(lrs.length);
    sm.y.forEach((v: number | null, i: number) => near(v, smoothed[i]));
    // every marker sits on the drawn smoothed line at its rate
    const marks = f.data[f.roles.indexOf("suggestion")];
    marks.x.forEach((x, j) => near(marks.y[j], sm.y[sm.x.indexOf(x)] as number));
    // the smoothed-loss view has the smoothed line only; hiding the run hides both lines
    const smView = buildFigureWithRoles(p, applyControl(s, { type: "metric", metric: "smoothed_loss" }, p), light);
    expect(smView.roles).not.toContain("smoothed");
    const off = buildFigureWithRoles(p, { ...s, hiddenRuns: [p.series[0].name] }, light);
    expect(off.roles).not.toContain("smoothed");
    expect(off.roles).not.toContain("line");
  });

  it("in the static plotly JSON", () => {
    const fig = toPlotly(payload);
    const marks = fig.data.filter((t: any) => t.mode === "markers+text");
    expect(marks).toHaveLength(3);
    for (const t of marks as any[]) near(t.y[0], expected(t.text[0]));
  });

  it("in the static SVG's spec", () => {
    const spec = toVegaLite(payload) as any;
    const points = spec.vconcat.flatMap((c: any) => c.layer).filter((l: any) => l.layer?.some((m: any) => m.mark?.type === "point"));
    expect(points).toHaveLength(3);
    for (const l of points) near(l.data.values[0].y, expected(l.data.values[0].label));
  });
});
