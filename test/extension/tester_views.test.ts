/**
 * The JupyterLab views of a trace after a tester's pass in headless chromium. Each payload is the
 * kernel's, read by the extension's own functions as JupyterLab would.
 * - the x axis jumped when switching metrics: the views with the configured lr drawn under the
 *   measured rate (projected, realized, element-wise lr) spanned steps 0–20 of a 20-step run, one
 *   step past their data (the configured line's step tail), while the others ended at 19.
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
    { metric: "lr_elementwise", group: 0, buckets: q((i) => 1 + Math.sin(i)), low: q((i) => -60 + i), high: q((i) => 60 - i) },
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
