/**
 * The static picture (SVG) after a tester's pass in JupyterLab and its HTML export:
 * - the x axis of a long run (15,000 steps, SI ticks) began at "0k";
 * - the parts of a linear lr panel split by scale were titled "learning rate" over whichever
 *   metrics shared the first scale (lr with the per-sample lr in one run, with the projected lr
 *   in another), so two pictures of one kind of trace named different lines alike;
 * - `%lr_compare a b --metric update_ratio` was titled "Effective learning rate: comparison" in
 *   the SVG while JupyterLab said "Update ratio ‖Δ‖/‖θ‖: comparison";
 * - an interrupted run's final plot did not say it had stopped early.
 */
import { describe, expect, it } from "vitest";
import { bucketsOf } from "../../kernel/src/plot/downsample";
import { make_figure, panelsFor, figureTitle, type FigureSource } from "../../kernel/src/plot/figure";
import { bundle, PLOT_MIME, SVG_MIME, TEXT_MIME, toSvgSync, type PlotPayload } from "../../kernel/src/plot/index";
import { figure } from "../../kernel/src/plot/bundle";
import type { Plottable } from "../../kernel/src/plot/bundle";

/** The text of every <text>/<tspan> of an SVG. */
const texts = (svg: string) => [...svg.matchAll(/<text\b[^>]*>(.*?)<\/text>/g)]
  .flatMap((m) => (m[1].includes("<tspan") ? [...m[1].matchAll(/<tspan\b[^>]*>([^<]*)<\/tspan>/g)].map((t) => t[1]) : [m[1]]))
  .map((t) => t.replace(/&amp;/g, "&").replace(/\u00a0/g, " "));

/**
 * One run's rates over `steps` steps: a configured lr, a projected lr that turns negative (so its
 * panel is linear and split by scale) `projected` times the lr, and the per-sample lr at
 * `perSample` times the lr.
 */
function run(name: string, steps: number, projected: number, perSample: number): FigureSource {
  const x = Array.from({ length: steps }, (_, i) => i);
  const lr = x.map(() => 0.03);
  const proj = x.map((i) => (i % 7 === 3 ? -0.1 : 1) * projected * 0.03 * (1 + 0.1 * Math.sin(i)));
  return {
    name,
    series: [
      { metric: "lr", group: 0, buckets: bucketsOf(x, lr) },
      { metric: "lr_projected", group: 0, buckets: bucketsOf(x, proj) },
      { metric: "lr_per_sample", group: 0, buckets: bucketsOf(x, proj.map((v) => (v * perSample) / projected)) },
      { metric: "update_ratio", group: 0, buckets: bucketsOf(x, x.map((i) => 0.1 / (1 + i))) },
      { metric: "loss", group: null, buckets: bucketsOf(x, x.map((i) => 1 / (1 + i))) },
    ],
  };
}

const plottable = (src: FigureSource): Plottable => ({ plot_kind: "trace", to_figure_source: () => src });

describe("the static picture's step axis", () => {
  it("a long run's first tick reads 0, not 0k, and the others keep their SI suffix", () => {
    const payload = make_figure([run("live", 15_000, 10, 0.3)], { kind: "trace", default_metric: "lr_projected" }).payload;
    const shown = texts(toSvgSync(payload));
    expect(shown).toContain("0");
    expect(shown).not.toContain("0k");
    expect(shown).toContain("10k");
  });
});

describe("the parts of a split lr panel", () => {
  it("each names the metrics it draws, whichever share a scale", () => {
    // a long run: lr pairs with the per-sample lr; a short one: with the projected lr
    const long = panelsFor(make_figure([run("a", 300, 20, 0.3)], { kind: "trace" }).payload);
    const short = panelsFor(make_figure([run("b", 80, 2, 0.05)], { kind: "trace" }).payload);
    const rates = (ps: typeof long) => ps.filter((p) => p.metrics.some((m) => m.startsWith("lr"))).map((p) => [p.title, p.metrics]);
    expect(rates(long)).toEqual([["lr, per-sample lr", ["lr", "lr_per_sample"]], ["projected lr", ["lr_projected"]]]);
    expect(rates(short)).toEqual([["lr, projected lr", ["lr", "lr_projected"]], ["per-sample lr", ["lr_per_sample"]]]);
  });
});

describe("the static title names the metric the figure opens on, as the extension does", () => {
  const compare = (metric: string, title?: string) => make_figure([run("no_warmup", 40, 2, 0.05), run("warmup", 40, 2, 0.05)],
    { kind: "compare", default_metric: metric, ...(title ? { title } : {}) }).payload;

  it("a comparison of update ratios: the SVG, the plotly JSON's and the text's title", () => {
    const p = compare("update_ratio");
    expect(figureTitle(p)).toBe("Update ratio ‖Δ‖/‖θ‖: comparison");
    const svg = toSvgSync(p);
    expect(texts(svg)).toContain("Update ratio ‖Δ‖/‖θ‖: comparison");
    expect(svg).not.toContain("Effective learning rate");
  });

  it("rates keep the default, the configured lr says so, a given title stays", () => {
    expect(figureTitle(compare("lr_projected"))).toBe("Effective learning rate: comparison");
    expect(figureTitle(compare("lr"))).toBe("Configured learning rate: comparison");
    expect(figureTitle(compare("update_ratio", "mine"))).toBe("mine");
    const one: PlotPayload = make_figure([run("seq", 40, 2, 0.05)], { kind: "trace", default_metric: "loss" }).payload;
    expect(figureTitle(one)).toBe("Loss");
  });
});

describe("an interrupted run's plot says so", () => {
  const src = run("live", 2728, 10, 0.3);

  it("in every view's note, the SVG and the text summary", () => {
    const b = bundle(plottable(src), { interrupted: true });
    const payload = b[PLOT_MIME] as PlotPayload;
    const note = payload.notes?.find((n) => n.text === "interrupted at step 2727");
    expect(note).toBeDefined();
    for (const m of payload.metrics) expect(note!.metrics).toContain(m.key);
    expect(texts(b[SVG_MIME] as string).join("\n")).toContain("interrupted at step 2727");
    expect(String(b[TEXT_MIME])).toContain("interrupted at step 2727");
  });

  it("not when it was not interrupted", () => {
    expect(JSON.stringify(figure(plottable(src)).payload)).not.toContain("interrupted");
  });
});
