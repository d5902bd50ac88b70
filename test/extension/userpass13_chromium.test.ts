/**
 * Findings of a teacher's pass (userpass13) as real plotly.js draws them (Debian's chromium, the
 * extension's plotly.js): a 150,000-step run's step axis reads "50k, 100k" in the extension's
 * figure and in the static plotly JSON (it read "0.1e+5 … 1.2e+5"); a merged point's hover says
 * which steps it averages; the range test's suggestions are named on the plot. Screenshots go to
 * test-output/userpass13/.
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace } from "../../kernel/src/trace/index";
import { bucketsOf, make_figure, PLOT_MIME, toPlotly } from "../../kernel/src/plot/index";
import { RangeTest } from "../../kernel/src/trace/find";
import { buildFigure } from "../../extension/src/figure";
import { validatePayload } from "../../extension/src/payload";
import { initialState } from "../../extension/src/state";
import { themeFrom } from "../../extension/src/theme";
import { usePlotlyPage } from "./browser/plotly_page";
import { trainLogged } from "../plot/saved";

const SHOTS = join(__dirname, "..", "..", "test-output", "userpass13");
const light = themeFrom(() => "", true);
const plotly = usePlotlyPage(SHOTS);
const page = (): Page => plotly.page();

/** The tick labels plotly drew on an axis ("x", "y"...). */
function ticks(axis: string): Promise<string[]> {
  return page().evaluate((axis) => [...document.querySelectorAll<SVGTextElement>(`#plot g.${axis}tick text`)]
    .map((t) => t.textContent ?? "").filter((t) => t !== ""), axis);
}

describe("a 150,000-step run's step axis", () => {
  const steps = Array.from({ length: 151 }, (_, i) => i * 1000);
  const payload = make_figure(
    [{ name: "long", series: [{ metric: "lr", group: 0, buckets: bucketsOf(steps, steps.map((x) => 0.01 * (1 + Math.cos((Math.PI * x) / 150_000)) + 1e-4)) }] }],
    { kind: "trace", default_metric: "lr" },
  ).payload;
  const p = validatePayload(JSON.parse(JSON.stringify(payload)));

  it("reads 50k, 100k in the extension and in the static plotly JSON, never 0.1e+5", async () => {
    for (const [name, fig] of [["extension", buildFigure(p, initialState(p), light)], ["static plotly", toPlotly(payload)]] as const) {
      await plotly.draw(fig as any);
      await page().screenshot({ path: join(SHOTS, `x-150k-${name.replace(/\W+/g, "-")}.png`), fullPage: true });
      const labels = await ticks("x");
      expect(labels.filter((l) => /e[+−-]/.test(l)), `${name}: ${labels.join(" ")}`).toEqual([]);
      expect(labels, `${name}: ${labels.join(" ")}`).toContain("100k");
    }
  }, 60_000);
});

describe("a 480-step run's merged points and a range test's suggestions", () => {
  it("the hover of a merged point says which steps it averages", async () => {
    torch.manual_seed(0);
    const X = torch.randn(64, 4);
    const Y = X.sum(1, true);
    torch.manual_seed(1);
    const m = new torch.nn.Linear(4, 1);
    const o = new torch.optim.SGD(m.parameters(), { lr: 0.05, momentum: 0.9 });
    const t = trainLogged(m, o, trace(o, { batch_size: 64, name: "t480" }), X, Y, 480);
    const p = validatePayload(JSON.parse(JSON.stringify(t.bundle()[PLOT_MIME])));
    await plotly.draw(buildFigure(p, initialState(p), light) as any);
    // hover the 11th point of the line (trace 0: no band on the projected lr)
    const text = await page().evaluate(async () => {
      const w = window as any;
      const gd = document.getElementById("plot") as any;
      w.Plotly.Fx.hover(gd, [{ curveNumber: 0, pointNumber: 10 }]);
      await new Promise((r) => setTimeout(r, 200));
      return [...gd.querySelectorAll(".hoverlayer text")].map((e: Element) => e.textContent).join(" | ");
    });
    await page().screenshot({ path: join(SHOTS, "hover-480.png"), fullPage: true });
    expect(text).toMatch(/mean of steps \d+–\d+/);
  }, 60_000);

  it("suggestions are named on the plot", async () => {
    const lrs = Array.from({ length: 60 }, (_, i) => 1e-5 * 10 ** (i / 12));
    const loss = lrs.map((_, i) => 2.5 - 1.5 / (1 + Math.exp(-(i - 30) / 4)) + (i > 50 ? (i - 50) ** 2 / 20 : 0));
    const rt = new RangeTest("range test", lrs, loss, loss, { steepest: lrs[30], valley: lrs[36], "minimum/10": lrs[38] }, null);
    const payload = make_figure([rt.to_figure_source()], { kind: "range_test", default_metric: "loss" }).payload;
    const p = validatePayload(JSON.parse(JSON.stringify(payload)));
    for (const [name, fig] of [["extension", buildFigure(p, initialState(p), light)], ["static plotly", toPlotly(payload)]] as const) {
      await plotly.draw(fig as any);
      await page().screenshot({ path: join(SHOTS, `lr-find-${name.replace(/\W+/g, "-")}.png`), fullPage: true });
      const words = await page().evaluate(() => [...document.querySelectorAll("#plot text")].map((e) => e.textContent ?? ""));
      for (const k of ["steepest", "valley", "minimum/10"]) expect(words.some((w) => w.includes(k)), `${name}: ${k}`).toBe(true);
      expect(words.some((w) => w.includes("smoothed loss")), name).toBe(true);
    }
  }, 60_000);
});
