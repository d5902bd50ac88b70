/**
 * One colour rule in both places a line is drawn: the extension (interactive) and the kernel's
 * static fallback (SVG and plotly JSON). The two packages cannot import each other, so each keeps
 * its copy of the palette and of the assignment; these tests hold them equal.
 */
import { describe, expect, it } from "vitest";
import { buildFigureWithRoles, colourSlots as extSlots, DEFAULT_TITLES as EXT_TITLES } from "../../extension/src/figure";
import { validatePayload, type PlotPayload } from "../../extension/src/payload";
import { applyControl, initialState } from "../../extension/src/state";
import { LIGHT_PALETTE, themeFrom } from "../../extension/src/theme";
import { DEFAULT_TITLES, type FigureSource, make_figure, seriesLabel } from "../../kernel/src/plot/figure";
import { colourSlots as kernelSlots, legendOf, lineStyles, PALETTE, toPlotly } from "../../kernel/src/plot/plotly";
import { toVegaLite } from "../../kernel/src/plot/svg";
import { fixture } from "./fixtures";

const light = themeFrom(() => "", true);

function buckets(values: number[]) {
  return values.map((v, step) => ({ first_step: step, last_step: step, pushes: 1, count: 1, sum: v, mean: v, min: v, max: v, last: v }));
}
const steps = (n: number, f: (t: number) => number) => buckets(Array.from({ length: n }, (_, t) => f(t)));

function run(name: string, lr: number, groups = 1, param?: string): FigureSource {
  const series: FigureSource["series"] = [];
  for (let g = 0; g < groups; g++) {
    for (const metric of ["lr", "lr_projected", "update_ratio"]) series.push({ metric, group: g, param, buckets: steps(30, (t) => lr * (g + 1) / (1 + t)) });
  }
  series.push({ metric: "loss", group: null, buckets: steps(30, (t) => 1 / (1 + t)) });
  return { name, series };
}

const schedule = (name: string): FigureSource => ({
  name,
  series: [{ metric: "lr", group: 0, buckets: steps(20, (t) => 0.1 / (1 + t)) }, { metric: "momentum", group: 0, buckets: steps(20, (t) => 0.9 - t / 100) }],
});

const payloads: [string, PlotPayload][] = [
  ["trace, two groups", make_figure([run("sgd", 0.1, 2)], { kind: "trace" }).payload as PlotPayload],
  ["trace, per parameter", make_figure([{ ...run("sgd", 0.1, 1, "fc.weight"), series: [...run("sgd", 0.1, 1, "fc.weight").series, ...run("sgd", 0.1, 1, "fc.bias").series.slice(0, 3)] }], { kind: "trace" }).payload as PlotPayload],
  ["compare", make_figure([run("b32", 0.1), run("b128", 0.2), run("b512", 0.4)], { kind: "compare", default_metric: "lr_projected" }).payload as PlotPayload],
  ["compare, two groups", make_figure([run("a", 0.1, 2), run("b", 0.2, 2)], { kind: "compare", default_metric: "lr" }).payload as PlotPayload],
  ["schedules", make_figure([schedule("StepLR"), schedule("OneCycleLR"), schedule("CosineAnnealingLR")], { kind: "schedule" }).payload as PlotPayload],
  ["fixture compare", validatePayload(fixture("compare"))],
  ["fixture two groups", validatePayload(fixture("trace_two_groups"))],
];

/** The colour the extension draws each series in, on its metric's view. */
function extensionColours(p: PlotPayload): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of p.metrics) {
    const f = buildFigureWithRoles(p, applyControl(initialState(p), { type: "metric", metric: m.key }, p), light);
    const lines = f.data.filter((_, i) => f.roles[i] === "line");
    const shown = p.series.filter((t) => t.metric === m.key);
    shown.forEach((t, i) => out.set(JSON.stringify([t.name, t.metric, t.group, t.param ?? null]), (lines[i].line as any).color));
  }
  return out;
}

describe("one palette, one assignment", () => {
  it("the static pictures use the extension's light palette, in its order", () => {
    expect([...PALETTE]).toEqual([...LIGHT_PALETTE]);
  });

  it("the kernel's plot titles are the ones the extension knows", () => {
    expect(EXT_TITLES).toEqual(DEFAULT_TITLES);
  });

  for (const [what, p] of payloads) {
    it(`${what}: the same slot for every series, and the SVG and plotly draw each in the extension's colour`, () => {
      expect(kernelSlots(p)).toEqual(extSlots(p));
      const ext = extensionColours(p);
      const styles = lineStyles(p);
      const spec = JSON.stringify(toVegaLite(p));
      const plotly = toPlotly(p).data.filter((d) => d.mode === "lines" && (d.line as any).width > 0);
      for (const t of p.series) {
        const label = seriesLabel(t, p);
        const style = styles.get(label);
        if (!style) continue; // not in a static panel (the extension's selector reaches it)
        expect(style.colour, `${label} (${t.metric})`).toBe(ext.get(JSON.stringify([t.name, t.metric, t.group, t.param ?? null])));
        expect(plotly.find((d) => d.name === label)!.line).toMatchObject({ color: style.colour });
      }
      // The SVG's colour scale is the legend's entries (one per line, or per metric of a single
      // line: plotly.ts legendOf), each in the colour of the series it stands for.
      const scale = JSON.parse(spec).vconcat[0].layer.find((l: any) => l.mark.type === "line").encoding.color.scale;
      const legend = legendOf(p);
      expect(Object.fromEntries(scale.domain.map((d: string, i: number) => [d, scale.range[i]]))).toEqual(Object.fromEntries(legend.entries.map((e) => [e.label, e.colour])));
      p.series.forEach((t, i) => {
        const entry = legend.of[i];
        if (entry) expect(entry.colour, `${seriesLabel(t, p)}'s entry ${entry.label}`).toBe(styles.get(seriesLabel(t, p))!.colour);
      });
    });
  }

  it("a comparison's runs are blue, orange, green in both, on every metric", () => {
    const p = payloads[2][1];
    const ext = extensionColours(p);
    for (const t of p.series) expect(ext.get(JSON.stringify([t.name, t.metric, t.group, null]))).toBe(LIGHT_PALETTE[["b32", "b128", "b512"].indexOf(t.name)]);
    expect([...lineStyles(p)].map(([l, st]) => [l, st.colour])).toEqual([["b32", LIGHT_PALETTE[0]], ["b128", LIGHT_PALETTE[1]], ["b512", LIGHT_PALETTE[2]]]);
  });

  it("schedulers keep their colour from the lr panel to the momentum panel", () => {
    const styles = lineStyles(payloads[4][1]);
    for (const [k, name] of ["StepLR", "OneCycleLR", "CosineAnnealingLR"].entries()) {
      expect(styles.get(`${name} · lr`)).toEqual({ colour: LIGHT_PALETTE[k], dash: "solid" });
      expect(styles.get(`${name} · momentum`)).toEqual({ colour: LIGHT_PALETTE[k], dash: "solid" });
    }
  });

  it("metrics of one line sharing a static panel keep the line's colour and differ by dash", () => {
    const styles = lineStyles(payloads[0][1]);
    expect(styles.get("lr · group 0")).toEqual({ colour: LIGHT_PALETTE[0], dash: "solid" });
    expect(styles.get("projected lr · group 0")).toEqual({ colour: LIGHT_PALETTE[0], dash: "dash" });
    expect(styles.get("projected lr · group 1")).toEqual({ colour: LIGHT_PALETTE[1], dash: "dash" });
    // the run's loss is no group's line: its own colour after the groups' (it was group 0's blue,
    // and the legend listed "loss" in group 0's colour)
    expect(styles.get("loss")).toEqual({ colour: LIGHT_PALETTE[2], dash: "solid" });
    // Two groups: the SVG's colour legend names the lines, and the panel's own key the dashes.
    const line = (toVegaLite(payloads[0][1]) as any).vconcat[0].layer.find((l: any) => l.mark.type === "line").encoding;
    expect(line.color.scale.domain).toEqual(["group 0", "group 1", "loss"]);
    expect(line.strokeDash.field).toBe("metric");
    expect(line.strokeDash.scale.domain).toEqual(["lr", "projected lr"]);
    expect(line.strokeDash.scale.range[1]).toEqual([6, 3]);
    // One line: nothing for a colour to tell apart, so no colour legend (its entries, one per
    // metric in one colour, told nothing); the panel of two metrics gets its key of dashes.
    const one = make_figure([run("sgd", 0.1)], { kind: "trace" }).payload as PlotPayload;
    const single = (toVegaLite(one) as any).vconcat[0].layer.find((l: any) => l.mark.type === "line").encoding;
    expect(single.color.legend).toBeNull();
    expect(single.strokeDash.field).toBe("metric");
    expect(single.strokeDash.scale.domain).toEqual(["lr", "projected lr"]);
    expect(single.strokeDash.scale.range[1]).toEqual([6, 3]);
  });
});
