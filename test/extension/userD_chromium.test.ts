/**
 * A teacher's pass (userD) in a real browser: the extension's whole renderer (toolbar and plot,
 * renderer_page.ts) in Debian's chromium, on the bundles of real traces.
 * - 1: SGD momentum 0.9 with a per-epoch cosine: the projected-rate view draws the configured lr
 *   (dotted) beside the measured rate, and the y axis is fitted to the measured rate, not to the
 *   steady state ten times above it (which the note names), as the static picture's panel (session 21);
 * - 2: a 400-step OneCycleLR run's final figure draws over 100 points a line (it drew 53);
 * - 6: at a narrow width the title and the modebar do not overlap.
 * Screenshots go to test-output/userD/.
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace } from "../../kernel/src/trace/index";
import { bundle, panelsFor, PLOT_MIME, type PlotPayload } from "../../kernel/src/plot/index";
import { launchChromium } from "./browser/chromium";
import { openRendererPage } from "./browser/renderer_page";
import { trainLogged } from "../plot/saved";

const SHOTS = join(__dirname, "..", "..", "test-output", "userD");

/** SGD momentum 0.9 on Linear(10, 1), `epochs` × 16 steps; `sched` makes the scheduler and says when it steps. */
function sgd(name: string, steps: number, sched: (o: torch.optim.Optimizer) => (step: number) => void) {
  torch.manual_seed(0);
  const model = new torch.nn.Linear(10, 1);
  const o = new torch.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const each = sched(o);
  let step = 0;
  return trainLogged(model, o, trace(o, { batch_size: 32, name }), torch.randn(64, 10), torch.randn(64, 1), steps, () => each(step++));
}

let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
let page!: Page;
beforeAll(async () => {
  chromium = await launchChromium();
  page = await chromium.context.newPage();
  await page.setViewportSize({ width: 1000, height: 800 });
  await openRendererPage(page);
}, 120_000);
afterAll(async () => { await chromium?.close(); }, 60_000);

async function mount(payload: unknown, width: number): Promise<void> {
  await page.evaluate(async ([payload, width]) => {
    const host = document.getElementById("host")!;
    host.style.width = `${width}px`;
    await (window as any).lrlab.mount(host, payload);
  }, [payload, width] as const);
  await page.waitForSelector(".lrlab-Plot-figure .main-svg");
}

/** The drawn plot's traces (name, points, dash) and its y axis range. */
function drawn(): Promise<{ traces: { name: string; n: number; dash?: string; uid?: string }[]; range: number[]; type: string; notes: string[] }> {
  return page.evaluate(() => {
    const gd = document.querySelector(".lrlab-Plot-figure") as any;
    return {
      traces: gd.data.map((t: any) => ({ name: t.name, n: (t.x ?? []).filter((v: unknown) => v !== null).length, dash: t.line?.dash, uid: t.uid })),
      range: gd._fullLayout.yaxis.range,
      type: gd._fullLayout.yaxis.type,
      notes: [...document.querySelectorAll(".lrlab-Plot-figure .annotation-text")].map((e) => e.textContent ?? ""),
    };
  });
}

describe("finding 1: the configured lr beside the measured rate", () => {
  it("drawn dotted on the projected view; the y axis fits the measured rate, the steady state is named", async () => {
    const t = sgd("sgd_cosine", 320, (o) => {
      const s = new torch.optim.lr_scheduler.CosineAnnealingLR(o, { T_max: 20 });
      return (step) => { if (step % 16 === 15) s.step(); };
    });
    const payload = t.bundle({ svg: false })[PLOT_MIME];
    await mount(payload, 960);
    const d = await drawn();
    await page.screenshot({ path: join(SHOTS, "configured-lr.png") });
    const configured = d.traces.filter((x) => x.uid?.startsWith("configured-lr"));
    expect(configured).toHaveLength(1);
    expect(configured[0].dash).toBe("dot");
    expect(configured[0].n).toBeGreaterThan(10);
    // the configured lr (at most 0.05) is on the axis; the steady state (0.5) is not
    const top = d.type === "log" ? 10 ** d.range[1] : d.range[1];
    expect(top).toBeGreaterThan(0.05);
    expect(top).toBeLessThan(0.4);
    // the static picture's range and note (session 21: its lr panel, kernel/src/plot/figure.ts withClippedReferences)
    const panel = panelsFor(payload as PlotPayload)[0];
    expect(d.type).toBe("linear");
    expect(d.range[0]).toBeCloseTo(panel.y_range![0], 9);
    expect(d.range[1]).toBeCloseTo(panel.y_range![1], 9);
    expect(d.notes.join(" ")).toContain("steady-state lr γ(1−τ)/(1−μ) reaches 0.5, above this axis: cut at its top");
    // its legend entry toggles it with plotly's own toggle (the other lines stay)
    await page.evaluate(() => {
      const gd = document.querySelector(".lrlab-Plot-figure") as any;
      const i = gd.data.findIndex((t: any) => t.uid?.startsWith("configured-lr"));
      return (window as any).Plotly.restyle(gd, { visible: "legendonly" }, [i]);
    });
    expect((await drawn()).traces.filter((x) => x.uid?.includes("mean")).length).toBeGreaterThan(0);
  }, 120_000);
});

describe("finding 2: the final figure of a 400-step run", () => {
  it("draws over 100 points a line (it drew 53, each with a band)", async () => {
    const t = sgd("slow", 400, (o) => {
      const s = new torch.optim.lr_scheduler.OneCycleLR(o, { max_lr: 0.1, total_steps: 400 });
      return () => s.step();
    });
    await mount(bundle(t)[PLOT_MIME], 960);
    const d = await drawn();
    await page.screenshot({ path: join(SHOTS, "onecycle-400.png") });
    const line = d.traces.find((x) => x.uid === "line0-mean")!;
    expect(line.n).toBeGreaterThanOrEqual(100);
    expect(d.traces.some((x) => x.uid === "line0-min")).toBe(false);
  }, 120_000);
});

describe("finding 6: a narrow plot's title", () => {
  it("does not run under the modebar", async () => {
    const a = sgd("sgd_cosine", 60, () => () => undefined);
    const b = sgd("adam", 60, () => () => undefined);
    await mount(bundle({ sgd_cosine: a, adam: b }, { svg: false })[PLOT_MIME], 360);
    await page.hover(".lrlab-Plot-figure .main-svg");
    const boxes = await page.evaluate(() => {
      const r = (sel: string) => {
        const b = document.querySelector(sel)!.getBoundingClientRect();
        return { left: b.left, right: b.right, top: b.top, bottom: b.bottom };
      };
      return { title: r(".lrlab-Plot-figure .gtitle"), modebar: r(".lrlab-Plot-figure .modebar") };
    });
    await page.screenshot({ path: join(SHOTS, "narrow-title.png") });
    const overlap = boxes.title.right > boxes.modebar.left && boxes.title.left < boxes.modebar.right
      && boxes.title.bottom > boxes.modebar.top && boxes.title.top < boxes.modebar.bottom;
    expect(overlap, JSON.stringify(boxes)).toBe(false);
  }, 120_000);
});

describe("the plot's toolbar sends nothing off the machine", () => {
  it("has no plotly cloud button (it offered to upload the figure: a power user's pass, session 17)", async () => {
    const a = sgd("sgd_cosine", 30, () => () => undefined);
    await mount(bundle(a, { svg: false })[PLOT_MIME], 960);
    await page.hover(".lrlab-Plot-figure .main-svg");
    const titles = await page.evaluate(() => Array.from(document.querySelectorAll(".lrlab-Plot-figure .modebar-btn")).map((b) => b.getAttribute("data-title") ?? ""));
    expect(titles.length, "the modebar's buttons are there").toBeGreaterThan(2);
    expect(titles.filter((t) => /cloud|share|chart studio/i.test(t)), titles.join(" | ")).toEqual([]);
  }, 120_000);
});

