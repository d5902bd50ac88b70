// @vitest-environment jsdom
/**
 * Per-parameter traces in the extension: the group's lines and one parameter's own lines (the
 * first of the selector until the user picks another, or none: test/extension/u1_per_param_first),
 * in the colour the static SVG/plotly panel gives it.
 */
import { describe, expect, it, vi } from "vitest";
vi.hoisted(() => {
  (globalThis as any).DragEvent ??= class DragEvent extends MouseEvent {};
});
import { Controls } from "../../extension/src/controls";
import { buildFigureWithRoles } from "../../extension/src/figure";
import { validatePayload, type PlotPayload } from "../../extension/src/payload";
import { applyControl, initialState, reconcile, type ControlEvent } from "../../extension/src/state";
import { LIGHT_PALETTE, themeFrom } from "../../extension/src/theme";
import { make_figure, seriesLabel, type FigureSource } from "../../kernel/src/plot/figure";
import { lineStyles, toPlotly } from "../../kernel/src/plot/plotly";
import { toVegaLite } from "../../kernel/src/plot/svg";

const light = themeFrom(() => "", true);
const steps = (n: number, f: (t: number) => number) =>
  Array.from({ length: n }, (_, t) => ({ first_step: t, last_step: t, pushes: 1, count: 1, sum: f(t), mean: f(t), min: f(t), max: f(t), last: f(t) }));

/** A per_param trace's source: group lines, then 12 parameters ranked (as trace.ts does). */
function source(): FigureSource {
  const names = Array.from({ length: 12 }, (_, k) => `${k}.weight`);
  const series: FigureSource["series"] = [];
  for (const metric of ["lr", "lr_projected", "update_ratio"]) series.push({ metric, group: 0, param: null, buckets: steps(40, (t) => 0.01 / (1 + t)) });
  names.forEach((n, k) => {
    for (const metric of ["lr_projected", "update_ratio"]) series.push({ metric, group: 0, param: n, buckets: steps(40, (t) => (k + 1) * 1e-3 / (1 + t)) });
  });
  series.push({ metric: "loss", group: null, buckets: steps(40, (t) => 1 / (1 + t)) });
  return { name: "deep", series, params: { names, criterion: "mean update ratio ‖Δ‖/‖θ‖" } };
}

const payload = validatePayload(JSON.parse(JSON.stringify(make_figure([source()], { kind: "trace", default_metric: "update_ratio" }).payload))) as PlotPayload;

const lines = (p: PlotPayload, s: ReturnType<typeof initialState>) => {
  const f = buildFigureWithRoles(p, s, light);
  return f.data.filter((_, i) => f.roles[i] === "line");
};

describe("a per-parameter payload in the extension", () => {
  it("keeps param_info through validation", () => {
    expect(payload.param_info).toEqual({ total: 12, omitted: 0, criterion: "mean update ratio ‖Δ‖/‖θ‖" });
  });

  it("draws the group's line and the first parameter's by default, not one line per parameter", () => {
    const s = initialState(payload);
    expect(s.param).toBe("0.weight");
    expect(lines(payload, s).map((t) => t.name)).toEqual(["deep", "deep · 0.weight"]);
    const none = applyControl(s, { type: "param", param: null }, payload);
    expect(lines(payload, none).map((t) => t.name)).toEqual(["deep"]);
  });

  it("the selector adds one chosen parameter's line, in the colour of the static panel", () => {
    const s = applyControl(initialState(payload), { type: "param", param: "3.weight" }, payload);
    const drawn = lines(payload, s);
    expect(drawn.map((t) => t.name)).toEqual(["deep", "deep · 3.weight"]);
    // the static panel of per-parameter update ratios draws 3.weight too, in the same colour
    const styles = lineStyles(payload);
    const series = payload.series.find((t) => t.param === "3.weight" && t.metric === "update_ratio")!;
    const style = styles.get(seriesLabel(series, payload))!;
    expect((drawn[1].line as any).color).toBe(style.colour);
    expect(style.colour).toBe(LIGHT_PALETTE[4]);
    const plotly = toPlotly(payload).data.find((d) => d.name === seriesLabel(series, payload))!;
    expect((plotly.line as any).color).toBe(style.colour);
    const spec = JSON.stringify(toVegaLite(payload));
    expect(spec).toContain("5 of 12 parameters, by mean update ratio ‖Δ‖/‖θ‖");
    // a metric the parameter has no line of its own for: said, not silent
    const lr = applyControl(s, { type: "metric", metric: "lr" }, payload);
    const f = buildFigureWithRoles(payload, lr, light);
    expect((f.layout.annotations as any[]).map((a) => a.text)).toContain("3.weight: no line of its own for this metric (its group's holds for it)");
  });

  it("a live update keeps the chosen parameter while the payload still carries it", () => {
    const s = applyControl(initialState(payload), { type: "param", param: "3.weight" }, payload);
    expect(reconcile(s, payload).param).toBe("3.weight");
    const without = { ...payload, series: payload.series.filter((t) => t.param !== "3.weight") };
    expect(reconcile(s, without).param).toBeNull();
  });

  it("the toolbar lists the parameters and says how many of how many, by what", () => {
    const events: ControlEvent[] = [];
    const c = new Controls(document, (e) => events.push(e));
    c.update(payload, initialState(payload));
    const select = c.node.querySelector<HTMLSelectElement>('[data-control="param"]')!;
    expect([...select.options].map((o) => o.value)).toEqual(["", ...Array.from({ length: 12 }, (_, k) => `${k}.weight`)]);
    expect(c.node.querySelector('[data-control="param-note"]')!.textContent).toBe("drawn beside its group's line (12 of 12 tensors)");
    expect(c.node.querySelector<HTMLElement>('[data-control="param-note"]')!.title).toBe("listed by mean update ratio ‖Δ‖/‖θ‖");
    select.value = "5.weight";
    select.dispatchEvent(new Event("change"));
    expect(events).toEqual([{ type: "param", param: "5.weight" }]);
    // hidden without per-parameter lines
    const plain = { ...payload, series: payload.series.filter((t) => !t.param), param_info: undefined };
    c.update(plain, initialState(plain));
    expect((select.parentElement as HTMLElement).hidden).toBe(true);
  });
});
