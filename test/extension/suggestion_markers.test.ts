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
import { SVG_MIME, TEXT_MIME } from "../../kernel/src/plot/bundle";
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

/**
 * The recommended suggestion (RangeTest.recommended: valley, else steepest, else minimum/10; the
 * text output lists it first, "(recommended)") is singled out in every picture: the figures drew
 * three alike markers, and nothing on them said which one the text recommends (a user's pass).
 */
describe("the recommended suggestion is marked in every picture", () => {
  const rates = { steepest: lrs[at.steepest], valley: lrs[at.valley], "minimum/10": lrs[at["minimum/10"]] };
  // valley recommended; without a valley, steepest
  const withValley = test;
  const noValley = new RangeTest("range test", lrs, losses, smoothed, { ...rates, valley: null }, null);
  const cases = [["valley", withValley], ["steepest", noValley]] as const;
  const payloadOf = (rt: RangeTest) => make_figure([rt.to_figure_source()], { kind: "range_test", default_metric: "loss" }).payload;
  const method = (label: string) => label.split(" ")[0];

  it("the payload flags its marker, and only its, and lists it first", () => {
    for (const [best, rt] of cases) {
      expect(rt.recommended).toBe(best);
      const ms = payloadOf(rt).markers.filter((m) => m.kind === "suggestion");
      expect(ms.filter((m) => m.recommended).map((m) => method(m.label))).toEqual([best]);
      expect(method(ms[0].label)).toBe(best);
      // and the extension's validator keeps the flag
      const v = validatePayload(JSON.parse(JSON.stringify(payloadOf(rt))));
      expect(v.markers.filter((m) => m.recommended).map((m) => method(m.label))).toEqual([best]);
    }
  });

  it("in the extension's figure: a larger filled star named '(recommended)' beside it, in the legend and its hover; the others open stars", () => {
    for (const [best, rt] of cases) {
      const p = validatePayload(JSON.parse(JSON.stringify(payloadOf(rt))));
      const f = buildFigureWithRoles(p, initialState(p), light);
      const t = f.data[f.roles.indexOf("suggestion")] as any;
      const i = (t.text as string[]).findIndex((s) => s.includes("recommended"));
      expect(t.text[i]).toBe(`${best} (recommended)`);
      expect((t.text as string[]).filter((s) => s.includes("recommended"))).toHaveLength(1);
      // first: the legend's swatch is drawn from the first point
      expect(i).toBe(0);
      expect(t.marker.symbol[i]).toBe("star");
      (t.text as string[]).forEach((_, j) => {
        if (j === i) return;
        expect(t.marker.symbol[j]).toBe("star-open");
        expect(t.marker.size[j]).toBeLessThan(t.marker.size[i]);
      });
      expect(t.name).toContain(`${best} (recommended)`);
      expect(t.hovertext[i]).toMatch(new RegExp(`^suggested lr, ${best} \\S+, recommended \\(found on the smoothed loss`));
    }
  });

  it("in the static plotly JSON: a larger filled diamond, its trace and label saying '(recommended)'; the others open diamonds", () => {
    for (const [best, rt] of cases) {
      const marks = toPlotly(payloadOf(rt)).data.filter((t: any) => t.mode === "markers+text") as any[];
      expect(marks).toHaveLength(best === "valley" ? 3 : 2);
      const rec = marks.filter((t) => t.name.endsWith(" (recommended)"));
      expect(rec.map((t) => method(t.name))).toEqual([best]);
      expect(rec[0].text[0]).toBe(rec[0].name);
      expect(rec[0].marker.symbol).toBe("diamond");
      for (const t of marks.filter((t) => t !== rec[0])) {
        expect(t.marker.symbol).toBe("diamond-open");
        expect(t.marker.size).toBeLessThan(rec[0].marker.size);
        expect(t.text[0]).not.toContain("recommended");
      }
    }
  });

  it("in the static SVG: a larger filled diamond and a bold label saying '(recommended)' on the top row; the others open", () => {
    for (const [best, rt] of cases) {
      const p = payloadOf(rt);
      const spec = toVegaLite(p) as any;
      const layers = spec.vconcat.flatMap((c: any) => c.layer).filter((l: any) => l.layer?.some((m: any) => m.mark?.type === "point"));
      const part = (l: any, type: string) => l.layer.find((m: any) => m.mark.type === type).mark;
      const rec = layers.filter((l: any) => l.data.values[0].label.endsWith(" (recommended)"));
      expect(rec.map((l: any) => method(l.data.values[0].label))).toEqual([best]);
      expect(part(rec[0], "point")).toMatchObject({ filled: true, shape: "diamond" });
      expect(part(rec[0], "text").fontWeight).toBe("bold");
      expect(part(rec[0], "text").y).toBe(Math.min(...layers.map((l: any) => part(l, "text").y)));
      for (const l of layers.filter((l: any) => l !== rec[0])) {
        expect(part(l, "point").filled).toBe(false);
        expect(part(l, "point").size).toBeLessThan(part(rec[0], "point").size);
      }
      // and in the bundle's SVG: beside its marker and in the caption's suggestions line
      const svg = rt.bundle()[SVG_MIME] as string;
      expect(svg.match(/\(recommended\)/g)?.length).toBe(2);
      expect(svg).toMatch(new RegExp(`>${best.replace("/", "\\/")} [^<]* \\(recommended\\)</text>`));
    }
  });

  it("a payload that flags none (one from before the flag) keeps its markers as they were: filled, none named recommended", () => {
    const p = payloadOf(withValley);
    p.markers = p.markers.map(({ recommended: _, ...m }) => m);
    const v = validatePayload(JSON.parse(JSON.stringify(p)));
    const t = buildFigureWithRoles(v, initialState(v), light).data.find((d) => d.uid === "suggestion") as any;
    expect(t.marker.symbol).toBe("star");
    expect(t.text.some((s: string) => s.includes("recommended"))).toBe(false);
    expect(toPlotly(p).data.filter((d: any) => d.mode === "markers+text").map((d: any) => d.marker.symbol)).toEqual(["diamond", "diamond", "diamond"]);
    const points = (toVegaLite(p) as any).vconcat.flatMap((c: any) => c.layer).flatMap((l: any) => l.layer ?? []).filter((m: any) => m.mark.type === "point");
    expect(points.map((m: any) => m.mark.filled)).toEqual([true, true, true]);
  });

  it("the text/plain summary names it", () => {
    for (const [best, rt] of cases) {
      const text = rt.bundle({ svg: false })[TEXT_MIME] as string;
      expect(text).toMatch(new RegExp(`suggestions: ${best} \\S+ \\(recommended\\)`));
    }
  });
});
