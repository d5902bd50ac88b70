/**
 * The whole output (toolbar and plot) in chromium, drawn by the extension's renderer outside
 * JupyterLab (browser/renderer_page.ts): at a narrow width nothing overflows sideways, and an
 * empty end of the step range follows a live run's data through updates.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./browser/chromium";
import { openRendererPage } from "./browser/renderer_page";
import { clone, fixture, upTo } from "./fixtures";

const SHOTS = join(__dirname, "..", "..", "test-output", "narrow");
let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
let page!: Page;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  chromium = await launchChromium();
  page = await chromium.context.newPage();
  // A 600 px window: JupyterLab with its left sidebar open left the output about 232 px.
  await page.setViewportSize({ width: 600, height: 800 });
  await openRendererPage(page);
}, 120_000);

afterAll(async () => {
  await chromium?.close();
}, 60_000);

async function mount(payload: unknown, width: number): Promise<void> {
  await page.evaluate(async ([payload, width]: any) => {
    const host = document.getElementById("host")!;
    host.style.width = `${width}px`;
    await (window as any).lrlab.mount(host, payload);
  }, [payload, width] as const);
  await page.waitForSelector(".lrlab-Plot-figure .main-svg");
}

/** Elements wider than they show, and how far the metric selector reaches past the output's edges. */
function overflow(): Promise<{ wide: string[]; selectOut: number; plotWidth: number }> {
  return page.evaluate(() => {
    const plot = document.querySelector<HTMLElement>(".lrlab-Plot")!;
    const wide = [plot, ...plot.querySelectorAll<HTMLElement>(".lrlab-Controls, .lrlab-Controls *, .lrlab-Plot-figure, .lrlab-Plot-figure .svg-container")]
      .filter((e) => !(e instanceof SVGElement) && e.scrollWidth > e.clientWidth + 0.5 && e.clientWidth > 0 && e.tagName !== "SELECT" && e.tagName !== "INPUT")
      .map((e) => `${e.tagName}.${e.className} ${e.scrollWidth} > ${e.clientWidth}`);
    const box = plot.getBoundingClientRect();
    const sel = document.querySelector<HTMLElement>('[data-control="metric"]')!.getBoundingClientRect();
    return { wide, selectOut: Math.max(0, box.left - sel.left, sel.right - box.right), plotWidth: box.width };
  });
}

describe("the output at a narrow width", () => {
  for (const name of ["trace_two_groups", "compare", "range_test"] as const) {
    it(`${name}: the toolbar wraps and the plot fits 232 px, with the metric selector in view`, async () => {
      await mount(fixture(name), 232);
      const o = await overflow();
      await page.screenshot({ path: join(SHOTS, `${name}-232.png`) });
      expect(o.plotWidth).toBe(232);
      expect(o.wide).toEqual([]);
      expect(o.selectOut).toBe(0);
      const host = await page.evaluate(() => { const h = document.getElementById("host")!; return [h.scrollWidth, h.clientWidth]; });
      expect(host[0]).toBeLessThanOrEqual(host[1]);
    }, 60_000);
  }

  it("a metric label wider than the output: the selector shrinks to fit", async () => {
    const p = clone(fixture("trace_two_groups"));
    for (const m of p.metrics) m.label = `${m.label} — ${"a long description of what it measures ".repeat(2)}`;
    await mount(p, 232);
    const o = await overflow();
    await page.screenshot({ path: join(SHOTS, "long-label-232.png") });
    expect(o.wide).toEqual([]);
    expect(o.selectOut).toBe(0);
  }, 60_000);
});

describe("a live plot in chromium", () => {
  it("an empty 'to' follows the data through two updates and the final payload", async () => {
    const p = fixture("trace_two_groups");
    const lastOf = (q: typeof p) => Math.max(...q.series.flatMap((t) => t.x));
    await mount(upTo(p, 6, true), 800);
    await page.fill('[data-control="from"]', "2");
    await page.press('[data-control="from"]', "Enter");
    const range = () => page.evaluate(() => [...(document.querySelector(".lrlab-Plot-figure") as any)._fullLayout.xaxis.range]);
    const to = () => page.inputValue('[data-control="to"]');
    await expect.poll(range).toEqual([2, lastOf(upTo(p, 6, true))]);
    expect(await to()).toBe("");
    for (const q of [upTo(p, 9, true), upTo(p, 12, true), p]) {
      await page.evaluate((q) => (window as any).lrlab.update(q), q as unknown);
      await expect.poll(range).toEqual([2, lastOf(q)]);
      expect(await to()).toBe("");
    }
    expect(lastOf(p)).toBeGreaterThan(lastOf(upTo(p, 6, true)));
  }, 60_000);
});
