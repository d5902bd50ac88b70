/**
 * Tick labels as real plotly.js draws them (the extension's copy, in Debian's chromium: see
 * test/extension/browser/chromium.ts), for the extension's figure and the static plotly JSON:
 * - a constant or nearly constant line on a log y axis gets a readable axis, its labels apart
 *   (a per-parameter SGD run at lr 2 drew "2.2 / 2 / 1.8" on top of each other: ticks chosen
 *   for a tenth of a decade on the two decades of plotly's own range);
 * - learning rates on an x axis are written with exponents, as the SVG writes them ("1e-7"),
 *   never with SI prefixes ("100n", "1μ").
 * Screenshots go to test-output/axes/.
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace } from "../../kernel/src/trace/index";
import { bucketsOf, make_figure, PLOT_MIME, toPlotly, toSvgSync, type FigureSource, type PlotPayload } from "../../kernel/src/plot/index";
import { buildFigure } from "../../extension/src/figure";
import { validatePayload } from "../../extension/src/payload";
import { applyControl, initialState } from "../../extension/src/state";
import { themeFrom } from "../../extension/src/theme";
import { usePlotlyPage } from "./browser/plotly_page";
import { trainLogged } from "../plot/saved";

const ROOT = join(__dirname, "..", "..");
const SHOTS = join(ROOT, "test-output", "axes");
const light = themeFrom(() => "", true);

const plotly = usePlotlyPage(SHOTS);
const page = (): Page => plotly.page();

const draw = plotly.draw;

interface Tick { text: string; top: number; bottom: number; left: number; right: number }

/** The tick labels plotly drew on an axis ("x", "y", "y2"...), with their boxes in page pixels. */
function ticks(axis: string): Promise<Tick[]> {
  return page().evaluate((axis) => [...document.querySelectorAll<SVGTextElement>(`#plot g.${axis}tick text`)]
    .filter((t) => (t.textContent ?? "") !== "" && t.getBoundingClientRect().height > 0)
    .map((t) => {
      const r = t.getBoundingClientRect();
      return { text: t.textContent ?? "", top: r.top, bottom: r.bottom, left: r.left, right: r.right };
    }), axis);
}

/** Labels stacked on a y axis: at least three, each below the last with no overlap. */
function expectApart(labels: Tick[], what: string): void {
  expect(labels.length, `${what}: ${labels.map((t) => t.text).join(" / ")}`).toBeGreaterThanOrEqual(3);
  const byTop = [...labels].sort((a, b) => a.top - b.top);
  for (let i = 1; i < byTop.length; i++) {
    expect(byTop[i].top, `${what}: "${byTop[i - 1].text}" and "${byTop[i].text}" overlap`).toBeGreaterThanOrEqual(byTop[i - 1].bottom - 0.5);
  }
}

/** Plotly writes negative exponents with U+2212; the SVG with "-". */
const ascii = (s: string) => s.replace(/\u2212/g, "-");

/** A trace payload of one group whose `metric` takes the values `f(step)` over `n` steps. */
function linePayload(metric: string, n: number, f: (t: number) => number): PlotPayload {
  const steps = Array.from({ length: n }, (_, t) => t);
  const src: FigureSource = { name: "run", series: [{ metric, group: 0, buckets: bucketsOf(steps, steps.map(f)) }] };
  return validatePayload(JSON.parse(JSON.stringify(make_figure([src], { kind: "trace", default_metric: metric }).payload)));
}

/** `%%lr_trace --per-param` around SGD at lr 2, which diverges within a few steps. */
function divergingPerParam(): PlotPayload {
  torch.manual_seed(0);
  const model = new torch.nn.Sequential(new torch.nn.Linear(4, 8), new torch.nn.ReLU(), new torch.nn.Linear(8, 1));
  const opt = new torch.optim.SGD(model.parameters(), { lr: 2 });
  const t = trace(opt, { batch_size: 8, per_param: true, named_parameters: model.named_parameters() });
  const x = torch.randn(8, 4), y = torch.randn(8, 1);
  trainLogged(model, opt, t, x, y, 10);
  expect(t.diverged_at).not.toBeNull();
  return validatePayload(JSON.parse(JSON.stringify(t.bundle({ svg: false })[PLOT_MIME])));
}

describe("y tick labels of a (nearly) constant line on a log axis", () => {
  const cases: [string, () => PlotPayload, string][] = [
    ["a diverging SGD run's projected lr (2 until it diverges)", divergingPerParam, "lr_projected"],
    ["a constant configured lr", () => linePayload("lr", 50, () => 0.05), "lr"],
    ["a rate within 0.3% of 0.05", () => linePayload("lr_projected", 50, (t) => 0.05 * (1 + 0.003 * Math.sin(t))), "lr_projected"],
    ["a rate from 0.011 to 0.099", () => linePayload("lr_projected", 50, (t) => 0.011 + (0.088 * t) / 49), "lr_projected"],
    ["a rate from 2 to 3", () => linePayload("lr_projected", 50, (t) => 2 + t / 49), "lr_projected"],
  ];
  it.each(cases)("%s: labels apart, at 900 and 420 px", async (name, payload, metric) => {
    const p = payload();
    // log chosen: a line within a factor of 2 now opens on a linear axis (state.ts nearlyFlat)
    const s = applyControl(applyControl(initialState(p), { type: "metric", metric }, p), { type: "log", on: true }, p);
    const fig = buildFigure(p, s, light);
    expect((fig.layout.yaxis as any).type, name).toBe("log");
    for (const width of [900, 420]) {
      await draw(fig, width);
      if (width === 900) await page().screenshot({ path: join(SHOTS, `y-${name.replace(/\W+/g, "-")}.png`), fullPage: true });
      expectApart(await ticks("y"), `${name}, ${width} px`);
      // the line is inside the range the axis shows
      const [lo, hi] = await page().evaluate(() => (document.getElementById("plot") as any)._fullLayout.yaxis.range as [number, number]);
      const values = p.series.filter((t) => t.metric === metric).flatMap((t) => t.mean).filter((v): v is number => v !== null);
      expect(Math.log10(Math.min(...values)), name).toBeGreaterThanOrEqual(lo);
      expect(Math.log10(Math.max(...values)), name).toBeLessThanOrEqual(hi);
    }
  }, 60_000);
});

describe("learning rates on an x axis are written with exponents", () => {
  const lrs = Array.from({ length: 100 }, (_, i) => 1e-7 * 10 ** ((7 * i) / 99));
  const loss = lrs.map((lr, i) => 2 - Math.log10(lr / 1e-7) / 10 + Math.max(0, i - 90));
  const payload = make_figure([{ name: "range test", series: [{ metric: "loss", group: null, buckets: bucketsOf(lrs, loss) }] }], { kind: "range_test" }).payload;
  const p = validatePayload(JSON.parse(JSON.stringify(payload)));
  const SI = /[yzafpnμµmkMGTP]$/;

  it("in the layouts the extension and the static figure build", () => {
    expect((buildFigure(p, initialState(p), light).layout.xaxis as any).exponentformat).toBe("e");
    const layout = toPlotly(payload).layout as any;
    expect(layout.xaxis.exponentformat).toBe("e");
    for (const [key, axis] of Object.entries(layout)) if (/^yaxis\d*$/.test(key)) expect((axis as any).exponentformat, key).toBe("e");
  });

  it("in the ticks plotly draws, as in the SVG: one notation, 1e-7 … 1e0 (a tester's pass: 1e-4, 1e-3 beside 0.01, 0.1, 1)", async () => {
    const svg = toSvgSync(payload);
    // (the SVG writes U+2212, as plotly does: userpassB; compared in ASCII)
    const svgLabels = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => ascii(m[1]));
    // (the SVG gives every second decade of seven)
    for (const label of ["1e-7", "1e-5", "1e-3", "1e-1"]) expect(svgLabels, label).toContain(label);
    for (const label of ["0.01", "0.1"]) expect(svgLabels, label).not.toContain(label);
    const decades = ["1e-7", "1e-6", "1e-5", "1e-4", "1e-3", "1e-2", "1e-1", "1e0"];
    const fig = buildFigure(p, initialState(p), light);
    await draw(fig as any);
    await page().screenshot({ path: join(SHOTS, "x-range-test-extension.png"), fullPage: true });
    const labels = (await ticks("x")).map((t) => ascii(t.text));
    expect(labels.filter((l) => SI.test(l)), labels.join(" ")).toEqual([]);
    expect(labels, labels.join(" ")).toEqual(decades);
    // the static plotly JSON (a fallback for other frontends) keeps plotly's own labels: no SI
    await draw(toPlotly(payload) as any);
    const plain = (await ticks("x")).map((t) => ascii(t.text));
    expect(plain.filter((l) => SI.test(l)), plain.join(" ")).toEqual([]);
  }, 60_000);
});
