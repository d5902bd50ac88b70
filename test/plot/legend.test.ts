/**
 * The legend of the static figures (plotly JSON for VS Code, nteract and jupyterlab-plotly; the
 * SVG for GitHub, nbviewer, nbconvert), from real traces: one entry per line (a run of a
 * comparison, a parameter group of a trace), whatever the panels and metrics it is drawn in, and
 * clicking that entry toggles the line everywhere (its traces share one legendgroup). The
 * metrics that share a panel differ by dash, and a key over the panel says which is which, so
 * the entries lost nothing they used to say. legend_chromium.test.ts clicks them in real plotly.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { PLOT_MIME, PLOTLY_MIME, toVegaLite, type MimeBundle, type PlotPayload } from "../../kernel/src/plot/index";
import { panelsFor, seriesLabel } from "../../kernel/src/plot/figure";
import { DASHES } from "../../kernel/src/plot/plotly";
import { compareBundle, mixedCompareBundle, threeGroups } from "./legend_runs";
import { tracedRun } from "./saved";

type Trace1 = {
  name: string; legendgroup?: string; showlegend?: boolean; legend?: string; x: unknown[]; y: unknown[]; yaxis: string;
  line?: { color?: string; dash?: string; width?: number }; fill?: string; hoverinfo?: string;
};

const plotlyOf = (b: MimeBundle) => b[PLOTLY_MIME] as { data: Trace1[]; layout: Record<string, any> };
/** What the main legend lists, in order (the key legends, legend2..., apart). */
const mainLegend = (b: MimeBundle) => plotlyOf(b).data.filter((d) => d.showlegend !== false && (d.legend ?? "legend") === "legend").map((d) => d.name);
/** The SVG's legend of colours (its colour scale's domain: Vega-Lite draws one entry per value). */
const svgColours = (b: MimeBundle, panel = 0) => (toVegaLite(b[PLOT_MIME] as PlotPayload) as any).vconcat[panel].layer.find((l: any) => l.mark.type === "line").encoding.color.scale.domain as string[];

describe("the legend of a comparison (%lr_compare's plot)", () => {
  const b = compareBundle();

  it("lists each run once, though it is drawn in two panels", () => {
    const { data } = plotlyOf(b);
    // the metric's panel and the loss panel both draw each run
    for (const run of ["sgd", "adam"]) expect(new Set(data.filter((d) => d.name === run).map((d) => d.yaxis))).toEqual(new Set(["y", "y2"]));
    expect(mainLegend(b)).toEqual(["sgd", "adam"]);
    expect(svgColours(b)).toEqual(["sgd", "adam"]);
  });

  it("the traces of a run share one legendgroup, so its entry toggles it in every panel", () => {
    const { data } = plotlyOf(b);
    const groups = new Map<string, Set<string | undefined>>();
    for (const d of data.filter((t) => t.x.length > 0)) {
      const run = d.name.replace(/ band$/, "");
      if (!groups.has(run)) groups.set(run, new Set());
      groups.get(run)!.add(d.legendgroup);
    }
    expect([...groups.keys()].sort()).toEqual(["adam", "sgd"]);
    const [a, s] = [[...groups.get("adam")!], [...groups.get("sgd")!]];
    expect(a).toHaveLength(1);
    expect(s).toHaveLength(1);
    expect(a[0]).toBeTruthy();
    expect(a[0]).not.toBe(s[0]);
  });
});

describe("the legend of a comparison of a run of two groups with a run of one group", () => {
  const b = mixedCompareBundle();
  const { data } = plotlyOf(b);
  /** The legendgroup of each entry of the main legend, by its label. */
  const groupOf = new Map(data.filter((d) => d.showlegend !== false && (d.legend ?? "legend") === "legend").map((d) => [d.name, d.legendgroup]));

  it("lists each group of the run of groups and the other run once: the run's loss has no entry of its own", () => {
    // The loss of `two` is drawn (loss panel) but is no line beside its groups' lines: an entry
    // "two" toggled that loss alone, while "two · group 0/1" left it on.
    expect(data.some((d) => d.name === "two" && d.yaxis === "y2" && d.x.length > 0)).toBe(true);
    expect(mainLegend(b)).toEqual(["two · group 0", "two · group 1", "adam · group 0"]);
    expect(svgColours(b)).toEqual(["two · group 0", "two · group 1", "adam · group 0"]);
  });

  it("every drawn trace belongs to an entry of the legend, so a click reaches everything", () => {
    const listed = new Set(groupOf.values());
    for (const d of data.filter((t) => t.x.length > 0 && (t.legend ?? "legend") === "legend")) expect(listed, d.name).toContain(d.legendgroup);
  });

  it("the loss of the run of groups follows each of its groups' entries: it goes when all of them are hidden", () => {
    const loss = data.filter((d) => d.name === "two" && d.yaxis === "y2" && !d.fill);
    // one copy per group entry, drawn alike, hovered once (x unified would list it twice)
    expect(loss.map((d) => d.legendgroup)).toEqual([groupOf.get("two · group 0"), groupOf.get("two · group 1")]);
    expect(new Set(loss.map((d) => JSON.stringify([d.x, d.y, d.line])))).toHaveLength(1);
    expect(loss.filter((d) => d.hoverinfo !== "skip")).toHaveLength(1);
    expect(loss.every((d) => d.showlegend === false)).toBe(true);
    // the one-group run's loss is that run's entry's
    expect(data.filter((d) => d.name === "adam" && d.yaxis === "y2" && !d.fill).map((d) => d.legendgroup)).toEqual([groupOf.get("adam · group 0")]);
  });
});

describe("the legend of a trace of three parameter groups", () => {
  const b = threeGroups(30)._repr_mimebundle_();
  const p = b[PLOT_MIME] as PlotPayload;
  const { data, layout } = plotlyOf(b);

  it("has one entry per group (and the run's loss), not one per group × metric", () => {
    // The rates' panel alone draws lr, projected lr and per-sample lr of each group: nine
    // entries there once, and one per group and metric across the panels (16 in all). (SGD with
    // momentum: its steady-state rate γ/(1−μ) is a reference line there too, userpassB.)
    expect(panelsFor(p)[0].metrics).toEqual(["lr", "lr_projected", "lr_per_sample", "lr_momentum_steady"]);
    expect(mainLegend(b)).toEqual(["group 0", "group 1", "group 2", "loss"]);
    expect(svgColours(b)).toEqual(["group 0", "group 1", "group 2", "loss"]);
  });

  it("puts every trace of a group, in every panel, in that group's legendgroup", () => {
    for (const g of [0, 1, 2]) {
      // its lines ("projected lr · group 1"), their bands ("... band") and its legend entry
      const own = data.filter((d) => d.name.replace(/ band$/, "").split(" · ").includes(`group ${g}`));
      expect(new Set(own.map((d) => d.yaxis)).size).toBeGreaterThanOrEqual(3);
      expect(new Set(own.map((d) => d.legendgroup)).size).toBe(1);
      expect(data.filter((d) => d.legendgroup === own[0].legendgroup)).toEqual(own);
    }
  });

  it("loses nothing: each line keeps its full name (hover), and each panel of several metrics a key of its dashes", () => {
    // every line drawn, named by metric and group as before
    for (const s of p.series) {
      const panel = panelsFor(p).find((x) => x.metrics.includes(s.metric) && !s.param);
      if (!panel) continue;
      const t = data.find((d) => d.name === seriesLabel(s, p) && d.x.length > 0 && !d.fill);
      expect(t, seriesLabel(s, p)).toBeDefined();
    }
    // the key over the rates' panel: its metrics, each in the dash its lines are drawn with
    const key = data.filter((d) => d.legend === "legend2");
    expect(key.map((d) => d.name)).toEqual(["lr", "projected lr", "per-sample lr", "steady-state lr γ(1−τ)/(1−μ)"]);
    expect(key.map((d) => d.line?.dash)).toEqual(DASHES.slice(0, 4));
    for (const k of key) {
      // (a line of steps ends on a segment of its own, which the hover skips: userpassB)
      const lines = data.filter((d) => d.yaxis === "y" && d.name.startsWith(`${k.name} · group`) && d.hoverinfo !== "skip");
      expect(lines).toHaveLength(3);
      for (const l of lines) expect(l.line?.dash).toBe(k.line?.dash);
    }
    // a key is not a switch: clicking a sample would hide nothing
    expect(layout.legend2).toMatchObject({ itemclick: false, itemdoubleclick: false });
    // the element-wise panel has its key too (element-wise and the optimizer's own factor)
    const second = panelsFor(p)[1];
    if (second.metrics.length > 1) expect(data.filter((d) => d.legend === "legend3").map((d) => d.name)).toHaveLength(second.metrics.length);
    // the SVG says the same: the rates' panel's key of dashes
    const spec = toVegaLite(p) as any;
    const dash = spec.vconcat[0].layer.find((l: any) => l.mark.type === "line").encoding.strokeDash;
    expect(dash.scale.domain).toEqual(["lr", "projected lr", "per-sample lr", "steady-state lr γ(1−τ)/(1−μ)"]);
    expect(dash.scale.range).toEqual([[1, 0], [6, 3], [2, 2], [6, 3, 2, 3]]);
  });
});

describe("the legend of a trace of one group", () => {
  it("still has an entry per metric: one colour tells nothing apart, so the entries name the dashes", () => {
    const b = tracedRun((params) => {
      const optimizer = new torch.optim.SGD(params, { lr: 0.1 });
      return { optimizer, sched: { step() {} } };
    }, 20, "one");
    const bb = b._repr_mimebundle_();
    expect(mainLegend(bb)).toEqual(["lr", "projected lr", "per-sample lr", "element-wise lr", "preconditioned lr", "update ratio", "loss"]);
    expect(plotlyOf(bb).data.some((d) => d.legend !== undefined)).toBe(false);
  });
});
