/**
 * How many points a trace's plot keeps (kernel/src/plot/figure.ts, "Budget"): every step while
 * the saved output fits SAVED_BUDGET, else as many as the bytes allow, shared out among the lines
 * — never a fixed count per line that leaves most of the budget unused (a 2-group, 80-step
 * %%lr_trace cell came out with 27 points in 72 KB). And how the configured lr is drawn: as
 * steps only while each point is one step, never a smooth schedule as stairs.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace, type Trace } from "../../kernel/src/trace/index";
import { PLOT_MIME, PLOTLY_MIME, SAVED_BUDGET, toVegaLite, type PlotPayload } from "../../kernel/src/plot/index";
import { savedBytes, trainLogged } from "./saved";

/** Adam on `groups` parameter groups (a Linear(4, 4) each), CosineAnnealingLR stepped every step, the loss logged. */
function run(groups: number, steps: number, schedule: "cosine" | "step" = "cosine"): Trace {
  torch.manual_seed(0);
  const layers = Array.from({ length: groups }, () => new torch.nn.Linear(4, 4));
  const model = new torch.nn.Sequential(...layers);
  const optimizer = new torch.optim.Adam(layers.map((l, g) => ({ params: l.parameters(), lr: 0.01 * (g + 1) })), { lr: 0.01 });
  const sched = schedule === "cosine"
    ? new torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, { T_max: steps })
    : new torch.optim.lr_scheduler.StepLR(optimizer, { step_size: 10, gamma: 0.5 });
  const t = trace(optimizer, { batch_size: 8 });
  const x = torch.randn(8, 4);
  const y = torch.randn(8, 4);
  return trainLogged(model, optimizer, t, x, y, steps, () => sched.step());
}

/** Series that carry a band of their own (the spread of element-wise rates): the others' bands come from merging steps. */
const QUANTILES = ["lr_elementwise", "lr_preconditioned"];

describe("a short trace keeps every step", () => {
  it.each([[1, 80], [2, 60], [3, 40]])("%i group(s), %i steps: every series has every step, and no band from merging", (groups, steps) => {
    const b = run(groups, steps).bundle();
    const p = b[PLOT_MIME] as PlotPayload;
    const all = Array.from({ length: steps }, (_, i) => i);
    for (const s of p.series) {
      expect(s.x, `${s.metric} ${s.group}`).toEqual(all);
      if (!QUANTILES.includes(s.metric)) expect(s.min, `${s.metric} ${s.group}`).toBeUndefined();
    }
    expect(savedBytes(b)).toBeLessThan(SAVED_BUDGET);
  }, 60_000);
});

describe("a longer trace keeps as many points as the bytes allow", () => {
  it.each([[2, 80], [4, 80], [1, 2000], [4, 500]])("%i group(s), %i steps: the saved output fills most of the budget, and stays under it", (groups, steps) => {
    const b = run(groups, steps).bundle();
    const p = b[PLOT_MIME] as PlotPayload;
    const size = savedBytes(b);
    const points = p.series.map((s) => s.x.length);
    console.log(`${groups} group(s) × ${steps} steps: ${Math.min(...points)}-${Math.max(...points)} points a series, saved ${size} B`);
    expect(size).toBeLessThan(SAVED_BUDGET);
    expect(size).toBeGreaterThan(0.8 * SAVED_BUDGET);
    for (const s of p.series) {
      // A point that merges less than two steps on average shows no spread worth a band's bytes.
      if (!QUANTILES.includes(s.metric) && s.x.length > steps / 2) expect(s.min, `${s.metric} ${s.group}`).toBeUndefined();
    }
  }, 60_000);
});

/** The plotly line shape and whether the SVG draws steps, of group 0's configured lr. */
function lrShapes(b: Record<string, unknown>): { plotly: string; svgSteps: boolean } {
  const p = b[PLOT_MIME] as PlotPayload;
  const plotly = (b[PLOTLY_MIME] as any).data.find((d: any) => d.name === "lr" && Array.isArray(d.x) && d.x.length > 1 && d.line?.width > 0);
  const spec = toVegaLite(p) as any;
  const layers = spec.vconcat[0].layer.filter((l: any) => l.mark.type === "line");
  const svgSteps = layers.some((l: any) => l.mark.interpolate === "step-after" && l.data.values.some((r: any) => r.series === "lr" || r.metric === "lr"));
  return { plotly: plotly.line.shape, svgSteps };
}

describe("the configured lr is drawn as it was", () => {
  it("a schedule changed every step, merged into points of several steps, is a line through them, not stairs", () => {
    for (const steps of [200, 2000]) {
      const b = run(1, steps).bundle();
      const lr = (b[PLOT_MIME] as PlotPayload).series.find((s) => s.metric === "lr")!;
      expect(lr.x.length, `${steps} steps`).toBeLessThan(steps);
      expect(lrShapes(b), `${steps} steps`).toEqual({ plotly: "linear", svgSteps: false });
    }
  }, 60_000);

  it("a StepLR drawn a point a step keeps its steps, in plotly and in the SVG", () => {
    const b = run(1, 60, "step").bundle();
    expect(lrShapes(b)).toEqual({ plotly: "hv", svgSteps: true });
  }, 60_000);

  it("the SVG's thinned line of a per-step schedule is not drawn as stairs", () => {
    // 150 steps of one group are kept whole in the payload, and thinned to at most 120 in the SVG
    const b = run(1, 150).bundle();
    const lr = (b[PLOT_MIME] as PlotPayload).series.find((s) => s.metric === "lr")!;
    expect(lr.x.length).toBeGreaterThan(120);
    expect(lrShapes(b).svgSteps).toBe(false);
  }, 60_000);
});
