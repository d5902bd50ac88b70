import { describe, expect, it } from "vitest";
import { BoundedSeries } from "../../kernel/src/trace/series";
import { panelsFor } from "../../kernel/src/plot/figure";
import { altText } from "../../kernel/src/plot/svg";
import { make_figure, toSvgSync, toVegaLite, type FigureSource, type PlotPayload } from "../../kernel/src/plot/index";

/** Buckets of one value per step (or per x given). */
function buckets(ys: number[], xs?: number[]) {
  const s = new BoundedSeries();
  ys.forEach((y, i) => s.push(xs ? xs[i] : i, y));
  return s.buckets();
}

function trace(projected: number[]): PlotPayload {
  const src: FigureSource = {
    name: "sgd",
    series: [
      { metric: "lr", group: 0, buckets: buckets(projected.map(() => 0.1)) },
      { metric: "lr_projected", group: 0, buckets: buckets(projected) },
      { metric: "update_ratio", group: 0, buckets: buckets(projected.map((_, i) => 1e-3 / (i + 1))) },
    ],
  };
  // (opened on the projected lr, as bundle() opens a trace: one opened on the configured lr is
  // titled "Configured learning rate" since session 21, figure.ts figureTitle)
  return make_figure([src], { kind: "trace", default_metric: "lr_projected" }).payload;
}

describe("the static fallback's axes follow the extension's rule for values <= 0", () => {
  it("a log panel whose lines have a value <= 0 is linear; others stay log", () => {
    const panels = panelsFor(trace([0.1, 0.05, -0.03, 0, 0.02]));
    expect(panels.find((p) => p.metrics.includes("lr_projected"))!.log).toBe(false);
    expect(panels.find((p) => p.metrics.includes("update_ratio"))!.log).toBe(true);
    expect(panelsFor(trace([0.1, 0.05, 0.03])).find((p) => p.metrics.includes("lr_projected"))!.log).toBe(true);
  });
});

describe("the element-wise panel when ρ has values <= 0", () => {
  const payload = (rho: number[], factor: number[]) => make_figure([{
    name: "adam",
    series: [
      { metric: "lr", group: 0, buckets: buckets(rho.map(() => 1e-3)) },
      { metric: "lr_elementwise", group: 0, buckets: buckets(rho) },
      { metric: "lr_preconditioned", group: 0, buckets: buckets(factor) },
    ],
  }], { kind: "trace" }).payload;

  it("gives the optimizer's factor (always > 0) a log panel of its own: on one linear axis it spans decades and flattened ρ onto zero", () => {
    // Adam on a CNN: median ρ turns negative, the factor reaches 1e6 where the gradient is ~0
    const split = panelsFor(payload([0.01, -0.002, 0.004], [0.5, 2e5, 1e6]));
    expect(split.map((p) => [p.title, p.metrics, p.log])).toEqual([
      ["learning rate", ["lr"], true],
      ["element-wise learning rate −Δ/g", ["lr_elementwise"], false],
      ["preconditioned learning rate", ["lr_preconditioned"], true],
    ]);
    // both positive: one log panel, as before
    const one = panelsFor(payload([0.01, 0.002, 0.004], [0.5, 2e5, 1e6]));
    expect(one.map((p) => [p.metrics, p.log])).toEqual([[["lr"], true], [["lr_elementwise", "lr_preconditioned"], true]]);
    // and the SVG draws the split panels
    expect(toSvgSync(payload([0.01, -0.002, 0.004], [0.5, 2e5, 1e6]))).toContain("preconditioned learning rate");
  });
});

describe("SVG fallback", () => {
  it("describes itself for screen readers and nbconvert (role, aria-label, <title>)", () => {
    const p = trace([0.1, 0.05, 0.03]);
    const svg = toSvgSync(p);
    expect(altText(p)).toMatch(/^Effective learning rate\. learning rate \(log axis\) against step: lr, projected lr/);
    expect(svg).toMatch(/^<svg[^>]* role="img" aria-label="Effective learning rate\. [^"]*"><title>Effective learning rate\. /);
  });

  it("gives long legend names a whole row, so cut names cannot become identical", () => {
    const long = (name: string): FigureSource => ({ name, series: [{ metric: "lr", group: 0, buckets: buckets([0.1, 0.05]) }, { metric: "momentum", group: 0, buckets: buckets([0.9, 0.8]) }] });
    // (the legend names each scheduler once, for its lr and momentum panels: the names alone are long)
    const p = make_figure([long("StepLR(step_size=30, gamma=0.5, last_epoch=-1)"), long("OneCycleLR(max_lr=0.1, total_steps=200, pct_start=0.3)")], { kind: "schedule" }).payload;
    const legend = JSON.stringify(toVegaLite(p));
    expect(legend).toContain('"columns":1');
    expect(legend).not.toContain('"labelLimit":280');
    const short = make_figure([long("StepLR"), long("OneCycleLR")], { kind: "schedule" }).payload;
    expect(JSON.stringify(toVegaLite(short))).toContain('"columns":2');
  });

  it("puts each range-test suggestion's label on its own row", () => {
    const lrs = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1];
    const src: FigureSource = {
      name: "range test",
      series: [{ metric: "loss", group: null, buckets: buckets(lrs.map((_, i) => 2 - i * 0.3), lrs) }],
      markers: ["steepest", "valley", "minimum/10"].map((k, i) => ({ kind: "suggestion", name: "range test", metric: "loss", x: 1e-3 * (1 + i * 0.1), y: 1.4, label: k })),
    };
    const spec = toVegaLite(make_figure([src], { kind: "range_test" }).payload) as any;
    const texts = spec.vconcat[0].layer.flatMap((l: any) => l.layer ?? []).filter((l: any) => l.mark.type === "text").map((l: any) => l.mark.y);
    expect(texts).toHaveLength(3);
    expect(new Set(texts).size).toBe(3);
  });
});

describe("the static fallback's log y axes", () => {
  /** The y tick labels the SVG shows (right-aligned left of the axis; Vega hides an overlapped one with opacity 0). */
  const yLabels = (svg: string, hidden = false) => [...svg.matchAll(/<text text-anchor="end" transform="translate\(-2,[^>]*?( opacity="0")?>([^<]*)<\/text>/g)]
    .filter((m) => !!m[1] === hidden).map((m) => m[2]);
  /** One trace panel: the update ratio of one group, from lo to hi, geometric. */
  const ratio = (lo: number, hi: number) => make_figure([{
    name: "r", series: [{ metric: "update_ratio", group: 0, buckets: buckets(Array.from({ length: 40 }, (_, i) => lo * (hi / lo) ** (i / 39))) }],
  }], { kind: "trace" }).payload;

  it("label the decades (it drew 0.1, 0.2, 0.4, 0.7, 2, 4, 7, 20, 40, 70: the 1 and the 10 hidden as overlapping)", () => {
    const svg = toSvgSync(ratio(0.1, 80));
    expect(yLabels(svg)).toEqual(["0.1", "1", "10", "100"]);
    expect(yLabels(svg, true)).toEqual([]);
    // under four decades: 1, 2 and 5 of each
    expect(yLabels(toSvgSync(ratio(0.02, 0.3)))).toEqual(["0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"]);
    // many decades: every second one, all with exponents once one needs them (it wrote "1e−4, 0.01":
    // a tester's pass), without "+" (a minus sign, U+2212, as plotly writes it: userpassB)
    expect(yLabels(toSvgSync(ratio(1e-6, 10)))).toEqual(["1e−6", "1e−4", "1e−2", "1e0"]);
    // a line within a decade: its two decades and 2 and 5 between them
    expect(yLabels(toSvgSync(ratio(2, 3)))).toEqual(["1", "2", "5", "10"]);
  });
});

describe("the static fallback's linear y axes: every tick its own value (a teacher's pass)", () => {
  const yLabels = (svg: string) => [...svg.matchAll(/<text text-anchor="end" transform="translate\(-2,[^>]*?( opacity="0")?>([^<]*)<\/text>/g)]
    .filter((m) => !m[1]).map((m) => m[2]);
  /** A schedule's lr (a warm-up), linear: from lo to hi. */
  const lr = (lo: number, hi: number) => make_figure([{
    name: "r", series: [{ metric: "lr", group: 0, buckets: buckets(Array.from({ length: 20 }, (_, i) => lo + ((hi - lo) * i) / 19)) }],
  }], { kind: "schedule" }).payload;

  it("below 1e-3 the labels keep their digits (a tick at 1.5e-4 read \"1e−4\" or \"2e−4\": two ticks alike)", () => {
    const small = yLabels(toSvgSync(lr(5e-5, 2e-4)));
    expect(small.length).toBeGreaterThanOrEqual(3);
    expect(new Set(small).size).toBe(small.length);
    expect(small).toContain("1.5e−4");
    const tiny = yLabels(toSvgSync(lr(7.5e-6, 3e-5)));
    expect(new Set(tiny).size).toBe(tiny.length);
    expect(tiny).toContain("2.5e−5");
  });

  it("a negative small value's every minus sign is U+2212 (the exponent's too)", () => {
    const labels = yLabels(toSvgSync(lr(-2e-4, 2e-4)));
    expect(labels).toContain("−1e−4");
    expect(labels.join(" ")).not.toContain("-");
  });
});
