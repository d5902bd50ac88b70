/**
 * The static plotly figure's legend in real plotly.js (the extension's own copy, in Debian's
 * chromium: see test/extension/browser/chromium.ts), as VS Code or jupyterlab-plotly show it:
 * what the legend lists, and what clicking an entry hides (the figures: test/plot/legend.test.ts);
 * and where the legend sits, the extension's too: under the x-axis title, never on it.
 * Screenshots go to test-output/legend/.
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { PLOTLY_MIME, type MimeBundle } from "../../kernel/src/plot/index";
import { make_figure, panelsFor, type FigureOptions, type FigureSource } from "../../kernel/src/plot/figure";
import { toPlotly } from "../../kernel/src/plot/plotly";
import { buildFigure } from "../../extension/src/figure";
import { validatePayload } from "../../extension/src/payload";
import { initialState } from "../../extension/src/state";
import { themeFrom } from "../../extension/src/theme";
import { usePlotlyPage } from "./browser/plotly_page";
import { compareBundle, mixedCompareBundle, threeGroups } from "../plot/legend_runs";

const ROOT = join(__dirname, "..", "..");
const SHOTS = join(ROOT, "test-output", "legend");

const plotly = usePlotlyPage(SHOTS);
const page = (): Page => plotly.page();

async function draw(b: MimeBundle): Promise<void> {
  await drawFigure(b[PLOTLY_MIME] as { data: unknown[]; layout: Record<string, unknown> });
}

const drawFigure = plotly.draw;

/** Each legend's entries as plotly drew them, and whether an entry can be clicked. */
function legends(): Promise<Record<string, { text: string; clickable: boolean }[]>> {
  return page().evaluate(() => {
    const out: Record<string, { text: string; clickable: boolean }[]> = {};
    for (const g of document.querySelectorAll<SVGGElement>("g.infolayer > g[class^='legend']")) {
      out[g.getAttribute("class")!] = [...g.querySelectorAll("g.traces")].map((t) => ({
        text: t.textContent ?? "",
        clickable: t.querySelector("rect.legendtoggle") !== null,
      }));
    }
    return out;
  });
}

/** Names of the traces with data that plotly draws (visible, not hidden from the legend). */
const shown = (): Promise<string[]> => page().evaluate(() => (document.getElementById("plot") as any)._fullData
  .filter((t: any) => t.visible === true && t.x.some((v: unknown) => v !== null)).map((t: any) => `${t.name}@${t.yaxis}`));

async function click(legend: string, text: string): Promise<void> {
  await page().locator(`g.${legend} g.traces`, { hasText: text }).first().locator("rect.legendtoggle").click();
}

describe("a comparison's legend in plotly", () => {
  it("lists each run once, and its entry hides the run in both panels", async () => {
    await draw(compareBundle());
    const l = await legends();
    expect(l.legend.map((e) => e.text)).toEqual(["sgd", "adam"]);
    await page().screenshot({ path: join(SHOTS, "compare.png"), fullPage: true });
    const before = await shown();
    expect(before).toEqual(expect.arrayContaining(["sgd@y", "sgd@y2", "adam@y", "adam@y2"]));
    await click("legend", "sgd");
    await expect.poll(shown).toEqual(before.filter((n) => !n.startsWith("sgd")));
    await click("legend", "sgd");
    await expect.poll(shown).toEqual(before);
  }, 60_000);
});

describe("a three-group trace's legend in plotly", () => {
  it("one entry per group hides the group in every panel; each panel's key names its dashes and hides nothing", async () => {
    await draw(threeGroups(30)._repr_mimebundle_());
    const l = await legends();
    expect(l.legend).toEqual(["group 0", "group 1", "group 2", "loss"].map((text) => ({ text, clickable: true })));
    // (SGD momentum: its steady-state rate is a reference line in the rates' panel too, userpassB)
    expect(l.legend2).toEqual(["lr", "projected lr", "per-sample lr", "steady-state lr γ(1−τ)/(1−μ)"].map((text) => ({ text, clickable: false })));
    await page().screenshot({ path: join(SHOTS, "three-groups.png"), fullPage: true });
    const before = await shown();
    const group1 = before.filter((n) => n.includes("group 1"));
    // lr, projected lr, per-sample lr, element-wise lr (and its band), ..., update ratio: 3+ panels
    expect(new Set(group1.map((n) => n.split("@")[1])).size).toBeGreaterThanOrEqual(3);
    await click("legend", "group 1");
    await expect.poll(shown).toEqual(before.filter((n) => !group1.includes(n)));
    await click("legend", "group 1");
    await expect.poll(shown).toEqual(before);
    // a sample of the key is no switch
    await page().locator("g.legend2 g.traces", { hasText: "projected lr" }).click();
    await page().waitForTimeout(300);
    expect(await shown()).toEqual(before);
  }, 60_000);
});

describe("a comparison of a run of two groups with a run of one group, in plotly", () => {
  it("lists the groups and the run once each; the run's loss goes when all its groups are hidden, and comes back with any", async () => {
    await draw(mixedCompareBundle());
    const l = await legends();
    expect(l.legend.map((e) => e.text)).toEqual(["two · group 0", "two · group 1", "adam · group 0"]);
    await page().screenshot({ path: join(SHOTS, "mixed-compare.png"), fullPage: true });
    // what is drawn, each line once (the loss of `two` is one trace per group entry of its run)
    const drawn = async () => [...new Set(await shown())].sort();
    const before = await drawn();
    expect(before).toEqual(expect.arrayContaining(["two · group 0@y", "two · group 1@y", "two@y2", "adam · group 0@y", "adam@y2"]));
    const but = (hidden: (n: string) => boolean) => before.filter((n) => !hidden(n));
    const of = (run: string) => (n: string) => n === `${run}@y2` || n.startsWith(`${run} ·`);
    // a group's lines: its projected lr, and its steady-state reference line ("two · steady-state lr … · group 0", userpassB)
    const group0 = (n: string) => n.startsWith("two · ") && n.endsWith(" · group 0@y") || n.startsWith("two · group 0");
    // one group hidden: its lines go, the run's loss stays with the other group
    await click("legend", "two · group 0");
    await expect.poll(drawn).toEqual(but(group0));
    // both hidden: nothing of the run is left
    await click("legend", "two · group 1");
    await expect.poll(drawn).toEqual(but(of("two")));
    // either one back brings the loss back
    await click("legend", "two · group 1");
    await expect.poll(drawn).toEqual(but(group0));
    await click("legend", "two · group 0");
    await expect.poll(drawn).toEqual(before);
    // the one-group run's entry hides all of it
    await click("legend", "adam · group 0");
    await expect.poll(drawn).toEqual(but(of("adam")));
    await click("legend", "adam · group 0");
    await expect.poll(drawn).toEqual(before);
    // a double click isolates one group of the run: its lines and its run's loss
    await page().locator("g.legend g.traces", { hasText: "two · group 1" }).first().locator("rect.legendtoggle").dblclick();
    await expect.poll(drawn).toEqual(before.filter((n) => n.startsWith("two · group 1") || (n.startsWith("two · ") && n.endsWith(" · group 1@y")) || n === "two@y2"));
  }, 60_000);
});

/**
 * Where the legend sits: under the bottom panel's x-axis title ("step"), never on it, whatever
 * the number of panels, of legend rows (a narrow plot, many runs) and after a resize.
 */
describe("the legend and the x-axis title", () => {
  const steps = (n: number, f: (t: number) => number) =>
    Array.from({ length: n }, (_, t) => ({ first_step: t, last_step: t, pushes: 1, count: 1, sum: f(t), mean: f(t), min: f(t), max: f(t), last: f(t) }));
  /** A run of `groups` parameter groups recording `metrics` (and its loss) over 50 steps. */
  const run = (name: string, metrics: string[], groups = 1): FigureSource => ({
    name,
    series: [
      ...Array.from({ length: groups }, (_, g) => metrics.map((metric) => ({ metric, group: g, buckets: steps(50, (t) => (0.01 * (g + 1)) / (1 + t)) }))).flat(),
      { metric: "loss", group: null, buckets: steps(50, (t) => 1 / (1 + t)) },
    ],
  });
  const runs = (n: number) => Array.from({ length: n }, (_, i) => run(`run ${i}`, ["lr_projected"]));
  const cases: [string, number, FigureSource[], FigureOptions][] = [
    ["a comparison of losses", 1, runs(2), { kind: "compare", default_metric: "loss" }],
    ["a comparison of losses, many runs", 1, runs(12), { kind: "compare", default_metric: "loss" }],
    ["a comparison", 2, runs(2), { kind: "compare" }],
    ["a comparison, many runs", 2, runs(12), { kind: "compare" }],
    ["a trace of two groups", 3, [run("t", ["lr", "update_ratio"], 2)], { kind: "trace" }],
  ];

  /** The boxes (page pixels) of the main legend, of the x-axis titles that have text, and of the figure. */
  const boxes = () => page().evaluate(() => {
    const box = (e: Element) => {
      const r = e.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom };
    };
    const legend = document.querySelector("#plot g.infolayer > g.legend")!;
    const titles = [...document.querySelectorAll("#plot g.infolayer [class^='g-x'][class$='title']")].filter((t) => (t.textContent ?? "") !== "");
    return { legend: box(legend), titles: titles.map((t) => ({ text: t.textContent, ...box(t) })), figure: box(document.querySelector("#plot .main-svg")!) };
  });

  async function expectApart(what: string): Promise<void> {
    const b = await boxes();
    expect(b.titles.map((t) => t.text), what).toEqual(["step"]);
    const [title] = b.titles;
    // below the title (half a pixel for rounding), and within the figure
    expect(b.legend.top, what).toBeGreaterThanOrEqual(title.bottom - 0.5);
    expect(b.legend.bottom, what).toBeLessThanOrEqual(b.figure.bottom + 0.5);
  }

  it("the static figure (plotly JSON) puts its legend under the title, with 1, 2 or 3 panels", async () => {
    for (const [name, panels, sources, options] of cases) {
      const { payload } = make_figure(sources, options);
      expect(panelsFor(payload), name).toHaveLength(panels);
      for (const width of [900, 420]) {
        await drawFigure(toPlotly(payload), width);
        if (width < 900) await page().screenshot({ path: join(SHOTS, `axis-title-${panels}-panels-${name.replace(/\W+/g, "-")}.png`), fullPage: true });
        await expectApart(`${name}, ${panels} panel(s), ${width} px`);
      }
    }
  }, 60_000);

  it("the extension's figure puts its legend under the title, at any width and after a resize", async () => {
    const light = themeFrom(() => "", true);
    for (const [name, , sources, options] of cases) {
      const p = validatePayload(JSON.parse(JSON.stringify(make_figure(sources, options).payload)));
      for (const width of [900, 420]) {
        await drawFigure(buildFigure(p, initialState(p), light), width);
        await expectApart(`${name}, ${width} px`);
      }
      // drawn wide, then narrowed as a side panel narrows the notebook (the renderer's resize)
      await drawFigure(buildFigure(p, initialState(p), light), 900);
      await page().evaluate(async () => {
        const w = window as any;
        document.getElementById("plot")!.style.width = "420px";
        await w.Plotly.Plots.resize("plot");
      });
      await expectApart(`${name}, resized to 420 px`);
    }
  }, 60_000);
});
