/**
 * The JupyterLab views of a trace after a tester's pass in headless chromium. Each payload is the
 * kernel's, read by the extension's own functions as JupyterLab would.
 * - the x axis jumped when switching metrics: the views with the configured lr drawn under the
 *   measured rate (projected, realized, element-wise lr) spanned steps 0–20 of a 20-step run, one
 *   step past their data (the configured line's step tail), while the others ended at 19;
 * - the element-wise view of an Adam run drew its q05–q95 band over ±60, and the median (−0.5 to 2)
 *   lay flat on zero until "spread band" was unticked: the band is cut at 3× the median's largest
 *   |value| (the kernel's note, kernel/src/plot/notes.ts wideBandNote), which the view says.
 */
import { describe, expect, it } from "vitest";
import { make_figure, type SourceSeries } from "../../kernel/src/plot/figure";
import { bucketsOf } from "../../kernel/src/plot/downsample";
import { buildFigureWithRoles } from "../../extension/src/figure";
import { validatePayload, type PlotPayload } from "../../extension/src/payload";
import { initialState, type ViewState } from "../../extension/src/state";
import { themeFrom } from "../../extension/src/theme";

const light = themeFrom(() => "", true);

/** An Adam-like run of `steps` steps: a warm-up lr, measured rates, an element-wise spread, loss. */
function adamRun(steps = 20, name = "adam"): PlotPayload {
  const x = Array.from({ length: steps }, (_, i) => i);
  const lr = x.map((i) => 0.001 * Math.min(1, (i + 1) / 5));
  const q = (f: (i: number) => number) => bucketsOf(x, x.map(f));
  const series: SourceSeries[] = [
    { metric: "lr", group: 0, buckets: q((i) => lr[i]) },
    { metric: "lr_projected", group: 0, buckets: q((i) => lr[i] * (1.5 + Math.sin(i))) },
    { metric: "lr_realized", group: 0, buckets: q((i) => lr[i] * 2) },
    // Adam's ρ: a median of −0.5 to 2 (its sign flips: a linear view), a q05–q95 band of ±60
    { metric: "lr_elementwise", group: 0, buckets: q((i) => (i % 5 === 0 ? -0.5 : 1 + Math.sin(i))), low: q((i) => -60 + i), high: q((i) => 60 - i) },
    { metric: "lr_preconditioned", group: 0, buckets: q((i) => 10 + i), low: q(() => 1), high: q(() => 100) },
    { metric: "update_ratio", group: 0, buckets: q((i) => 0.01 / (1 + i)) },
    { metric: "grad_norm", group: 0, buckets: q((i) => 1 + i) },
    { metric: "loss", group: null, buckets: q((i) => 1 / (1 + i)) },
  ];
  const raw = make_figure([{ name, series }], { kind: "trace", default_metric: "lr_projected" }).payload;
  return validatePayload(JSON.parse(JSON.stringify(raw)));
}

const view = (p: PlotPayload, metric: string, over: Partial<ViewState> = {}) =>
  buildFigureWithRoles(p, { ...initialState(p), metric, ...over }, light);

/** The largest x any drawn trace reaches (what plotly's x autorange spans). */
function lastX(p: PlotPayload, metric: string): number {
  const f = view(p, metric);
  return Math.max(...f.data.filter((t) => t.visible !== "legendonly").flatMap((t) => (t.x as (number | null)[]).filter((v): v is number => v !== null)));
}

describe("one x range across the measured metrics' views", () => {
  it("the views with the configured lr under the measured rate end at the last step, as the others", () => {
    const p = adamRun(20);
    for (const m of ["lr_projected", "lr_realized", "lr_elementwise", "lr_preconditioned", "update_ratio", "grad_norm", "loss"]) {
      expect(lastX(p, m), m).toBe(19);
    }
    // the configured lr's own view keeps its last step's segment (README: drawn as steps)
    expect(lastX(p, "lr")).toBe(20);
  });
});

describe("the element-wise view keeps its median readable", () => {
  it("cuts a band much wider than the median, and says so", () => {
    const p = adamRun(20);
    const f = view(p, "lr_elementwise");
    const y = f.layout.yaxis as { type: string; range?: [number, number] };
    expect(y.type).toBe("linear");
    // the drawn extent: the band cut at ±3 × 2 (the median's largest |value| is 1 + sin(8) ≈ 1.99)
    const ys = f.data.flatMap((t) => (t.y as (number | null)[]).filter((v): v is number => v !== null));
    expect(Math.max(...ys)).toBeLessThan(6.1);
    expect(Math.min(...ys)).toBeGreaterThan(-6.1);
    const notes = ((f.layout.annotations as { text: string }[] | undefined) ?? []).map((a) => a.text.replace(/<br>/g, " ")).join(" ");
    expect(notes).toMatch(/element-wise band \(q05–q95\) reaches −?-?60 to 60.*cuts the band/);
  });

  it("a band near its median is drawn whole, with no note", () => {
    const x = Array.from({ length: 20 }, (_, i) => i);
    const b = (f: (i: number) => number) => bucketsOf(x, x.map(f));
    const raw = make_figure([{ name: "adam", series: [
      { metric: "lr_elementwise", group: 0, buckets: b((i) => (i % 5 === 0 ? -0.5 : 1)), low: b(() => -3), high: b(() => 4) },
    ] }], { kind: "trace", default_metric: "lr_elementwise" }).payload;
    expect(raw.notes ?? []).toEqual([]);
  });
});

describe("the hover of a line with a quantile band says the band", () => {
  it("each point of one step: its q05 and q95 beside the median, the band's own numbers (not its cut)", () => {
    const p = adamRun(20);
    const f = view(p, "lr_elementwise");
    const line = f.data[f.roles.indexOf("line")];
    const cd = line.customdata as [string, string][];
    // step 3: median 1 + sin(3), band −57 to 57 (drawn cut at ±6)
    expect(cd[3][1]).toBe("1.141 (q05–q95 band −57 to 57)");
    // a metric without a quantile band keeps its number alone
    const loss = view(p, "loss");
    expect((loss.data[loss.roles.indexOf("line")].customdata as [string, string][])[3][1]).toBe("0.25");
  });
});
