/**
 * Findings of a teacher's pass (userpassB) as real plotly.js draws them (Debian's chromium, the
 * extension's plotly.js): hovers name the axes and keep whole trace names; a range test's three
 * close suggestions get labels that do not overlap on screen; a schedule's last step is a
 * segment, not a bare tick; a StepLR preview's ticks write U+2212 in the extension and in the
 * static plotly JSON; SGD momentum's steady-state reference line is drawn dashed; and, in the
 * whole renderer (toolbar and plot), a drag-zoom fills the step boxes with whole steps.
 * Screenshots go to test-output/userpassB/.
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { preview, trace } from "../../kernel/src/trace/index";
import { bucketsOf, bundle, make_figure, PLOT_MIME, toPlotly } from "../../kernel/src/plot/index";
import { RangeTest } from "../../kernel/src/trace/find";
import { buildFigure, buildFigureWithRoles } from "../../extension/src/figure";
import { validatePayload } from "../../extension/src/payload";
import { initialState } from "../../extension/src/state";
import { themeFrom } from "../../extension/src/theme";
import { launchChromium } from "./browser/chromium";
import { usePlotlyPage } from "./browser/plotly_page";
import { openRendererPage } from "./browser/renderer_page";
import { trainLogged } from "../plot/saved";

const SHOTS = join(__dirname, "..", "..", "test-output", "userpassB");
const light = themeFrom(() => "", true);
const plotly = usePlotlyPage(SHOTS);
const page = (): Page => plotly.page();
const ext = (p: unknown) => validatePayload(JSON.parse(JSON.stringify(p)));

function run(name: string, make: (params: torch.nn.Parameter[]) => torch.optim.Optimizer, steps = 30) {
  torch.manual_seed(0);
  const X = torch.randn(16, 4);
  const Y = X.sum(1, true);
  torch.manual_seed(1);
  const m = new torch.nn.Linear(4, 1);
  const o = make(m.parameters());
  return trainLogged(m, o, trace(o, { batch_size: 16, name }), X, Y, steps);
}

/** Hovers point `point` of trace `curve` and returns the hover's text. */
function hover(curve: number, point: number): Promise<string> {
  return page().evaluate(async ([curve, point]) => {
    const w = window as any;
    const gd = document.getElementById("plot") as any;
    w.Plotly.Fx.hover(gd, [{ curveNumber: curve, pointNumber: point }]);
    await new Promise((r) => setTimeout(r, 200));
    return [...gd.querySelectorAll(".hoverlayer text")].map((e: Element) => e.textContent).join(" | ");
  }, [curve, point] as const);
}

describe("hovers", () => {
  it("name the axes: 'step 12 · loss … · b128'", async () => {
    const p = ext(bundle({ b32: run("b32", (q) => new torch.optim.SGD(q, { lr: 0.05 })), b128: run("b128", (q) => new torch.optim.SGD(q, { lr: 0.1 })) }, { default_metric: "loss", svg: false })[PLOT_MIME]);
    const f = buildFigureWithRoles(p, initialState(p), light);
    await plotly.draw(f as any);
    const curve = f.data.findIndex((t, i) => f.roles[i] === "line" && t.name === "b128");
    const text = await hover(curve, 12);
    await page().screenshot({ path: join(SHOTS, "hover-loss.png") });
    expect(text).toMatch(/^step 12 · loss \d+(\.\d+)? · b128$/);
  }, 60_000);

  it("keep a long trace name whole: ReduceLROnPlateau, never ReduceLROnPl...", async () => {
    const sched = torch.optim.lr_scheduler as any;
    const pv = preview((o: any) => new sched.ReduceLROnPlateau(o, { factor: 0.5, patience: 2 }), { steps: 15, lr: 0.1, metrics: [1, 0.8, 0.7, 0.7, 0.7, 0.7, 0.69, 0.69, 0.69, 0.69, 0.5, 0.5, 0.5, 0.5, 0.5] });
    const p = ext(bundle([pv, preview((o: any) => new sched.StepLR(o, { step_size: 5, gamma: 0.5 }), { steps: 15, lr: 0.1 })], { svg: false })[PLOT_MIME]);
    const f = buildFigureWithRoles(p, initialState(p), light);
    await plotly.draw(f as any);
    const curve = f.data.findIndex((t, i) => f.roles[i] === "line" && String(t.name).startsWith("ReduceLROnPlateau"));
    const text = await hover(curve, 7);
    await page().screenshot({ path: join(SHOTS, "hover-plateau.png") });
    expect(text).toContain("ReduceLROnPlateau");
    expect(text).not.toContain("...");
    // a schedule preview's x axis is "scheduler step" (scheduler.step() calls)
    expect(text).toMatch(/^scheduler step 7 · (configured )?lr 0\.05 · ReduceLROnPlateau/);
  }, 60_000);
});

describe("a range test's suggestions", () => {
  it("three stars within a few pixels get labels that do not overlap on screen", async () => {
    // the pass's notebook 03: steepest 0.0475, valley 0.0757, minimum/10 0.087 on 1e-4 … 10
    const lrs = Array.from({ length: 100 }, (_, i) => 1e-4 * 10 ** ((5 * i) / 99));
    const smoothed = lrs.map((lr) => 5 - 4 / (1 + (0.3 / lr) ** 1.5) + (lr > 1 ? 20 * (lr - 1) : 0));
    const near = (v: number) => lrs.reduce((a, b) => (Math.abs(Math.log(b / v)) < Math.abs(Math.log(a / v)) ? b : a));
    const rt = new RangeTest("lr_find", lrs, smoothed, smoothed, { steepest: near(0.04751), valley: near(0.07565), "minimum/10": near(0.08697) }, null);
    const p = ext(make_figure([rt.to_figure_source()], { kind: "range_test", default_metric: "loss" }).payload);
    await plotly.draw(buildFigure(p, initialState(p), light) as any);
    await page().screenshot({ path: join(SHOTS, "suggestions.png") });
    const boxes = await page().evaluate(() => [...document.querySelectorAll("#plot .scatterlayer .textpoint text")].map((e) => {
      const r = (e as Element).getBoundingClientRect();
      return { text: e.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom };
    }));
    // (the recommended one named so, its label longer: suggestion_markers.test.ts)
    expect(boxes.map((b) => b.text).sort()).toEqual(["minimum/10", "steepest", "valley (recommended)"]);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        const overlap = Math.min(a.x1, b.x1) > Math.max(a.x0, b.x0) && Math.min(a.y1, b.y1) > Math.max(a.y0, b.y0);
        expect(overlap, `${a.text} and ${b.text}: ${JSON.stringify([a, b])}`).toBe(false);
      }
    }
    const legend = await page().evaluate(() => [...document.querySelectorAll("#plot .legendtext")].map((e) => e.textContent));
    expect(legend.some((t) => /^suggested lr \(on the smoothed loss\): /.test(t ?? ""))).toBe(true);
  }, 60_000);
});

describe("schedules", () => {
  it("the last step of a line of steps is drawn one step wide", async () => {
    const x = Array.from({ length: 15 }, (_, i) => i);
    const lr = x.map((i) => (i < 6 ? 0.1 : i < 10 ? 0.05 : i < 14 ? 0.025 : 0.0125));
    const p = ext(make_figure([{ name: "ReduceLROnPlateau", series: [{ metric: "lr", group: 0, buckets: bucketsOf(x, lr) }] }], { kind: "schedule", default_metric: "lr" }).payload);
    const f = buildFigureWithRoles(p, initialState(p), light);
    await plotly.draw(f as any);
    await page().screenshot({ path: join(SHOTS, "plateau-tail.png") });
    const widths = await page().evaluate(() => [...document.querySelectorAll("#plot .scatterlayer .trace")].map((t) => {
      const path = t.querySelector("path.js-line");
      return path ? (path as SVGGraphicsElement).getBBox().width : 0;
    }));
    const tail = f.roles.indexOf("tail");
    expect(tail).toBeGreaterThan(-1);
    // one step of a 15-step axis (plus the step itself): about 1/15 of the plot's width
    expect(widths[tail]).toBeGreaterThan(20);
  }, 60_000);

  it("a StepLR preview of γ = 0.1: log axis, ticks written 1e−4 in the extension and the static plotly JSON", async () => {
    const sched = torch.optim.lr_scheduler as any;
    const b = preview((o: any) => new sched.StepLR(o, { step_size: 25, gamma: 0.1 }), { steps: 100, lr: 0.1 }).bundle({ svg: false });
    const p = ext(b[PLOT_MIME]);
    for (const [name, fig] of [["extension", buildFigure(p, initialState(p), light)], ["static plotly", toPlotly(b[PLOT_MIME] as any)]] as const) {
      await plotly.draw(fig as any);
      await page().screenshot({ path: join(SHOTS, `steplr-ticks-${name.replace(/\W+/g, "-")}.png`) });
      const labels = await page().evaluate(() => [...document.querySelectorAll("#plot g.ytick text")].map((t) => t.textContent ?? ""));
      expect(labels.some((l) => /e\u2212\d/.test(l)), `${name}: ${labels.join(" ")}`).toBe(true);
      expect(labels.filter((l) => l.includes("-")), `${name}: ${labels.join(" ")}`).toEqual([]);
    }
  }, 60_000);
});

describe("SGD momentum's steady state", () => {
  it("is a dashed line on the projected-lr view", async () => {
    const p = ext(run("mom", (q) => new torch.optim.SGD(q, { lr: 0.05, momentum: 0.9 })).bundle({ svg: false })[PLOT_MIME]);
    const f = buildFigureWithRoles(p, initialState(p), light);
    await plotly.draw(f as any);
    await page().screenshot({ path: join(SHOTS, "momentum-steady.png") });
    const i = f.roles.indexOf("reference");
    const dash = await page().evaluate((i) => {
      const path = document.querySelectorAll("#plot .scatterlayer .trace")[i]?.querySelector("path.js-line") as SVGElement | null;
      return path?.style.strokeDasharray ?? "";
    }, i);
    expect(dash).not.toBe("");
    const legend = await page().evaluate(() => [...document.querySelectorAll("#plot .legendtext")].map((e) => e.textContent));
    expect(legend.some((t) => /steady-state lr γ\(1−τ\)\/\(1−μ\)$/.test(t ?? ""))).toBe(true);
  }, 60_000);
});

describe("the step boxes after a drag-zoom (the whole renderer)", () => {
  let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let rp!: Page;
  beforeAll(async () => {
    chromium = await launchChromium();
    rp = await chromium.context.newPage();
    await rp.setViewportSize({ width: 900, height: 700 });
    await openRendererPage(rp);
  }, 120_000);
  afterAll(async () => { await chromium?.close(); }, 60_000);

  it("show whole steps: 18 and 38 for a zoom from 18.9358 to 37.9786", async () => {
    const p = run("zoom", (q) => new torch.optim.SGD(q, { lr: 0.05 }), 60).bundle({ svg: false })[PLOT_MIME];
    await rp.evaluate(async (payload) => {
      const host = document.getElementById("host")!;
      host.style.width = "800px";
      await (window as any).lrlab.mount(host, payload);
    }, p as unknown);
    await rp.waitForSelector(".lrlab-Plot-figure .main-svg");
    // what a drag-zoom does: plotly moves the axis and reports the range in plotly_relayout
    await rp.evaluate(async () => {
      const gd = document.querySelector(".lrlab-Plot-figure") as any;
      await (window as any).Plotly.relayout(gd, { "xaxis.range[0]": 18.9358, "xaxis.range[1]": 37.9786 });
    });
    await expect.poll(() => rp.inputValue('[data-control="from"]')).toBe("18");
    expect(await rp.inputValue('[data-control="to"]')).toBe("38");
    await rp.screenshot({ path: join(SHOTS, "zoom-boxes.png") });
  }, 60_000);
});
