/**
 * A JupyterLab power user's pass (findings C and D) in a real browser: the extension's whole
 * renderer (renderer_page.ts) in Debian's chromium, handed live updates as JupyterLab hands them
 * (renderModel on the same widget).
 * - C: a live plot's y axis, log once shown, stays log while updates bring values ≤ 0 (its note
 *   says what is left off and that log y switches); the final payload applies the rule (linear).
 * - D: the hover label is in the plot's font (the theme's), not plotly's Arial 13 px.
 * Screenshots go to test-output/live_axis/.
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validatePayload, type PlotPayload } from "../../extension/src/payload";
import { launchChromium } from "./browser/chromium";
import { openRendererPage } from "./browser/renderer_page";

const SHOTS = join(__dirname, "..", "..", "test-output", "live_axis");

/** A live (or final) trace payload whose projected lr has the given points. */
function payload(values: number[], live: boolean): PlotPayload {
  const x = values.map((_, i) => i + 1);
  return validatePayload({
    version: 1, kind: "trace", title: "live", x_label: "step", x_log: false,
    metrics: [{ key: "lr_projected", label: "projected lr", log: true }, { key: "lr", label: "lr", log: true }],
    default_metric: "lr_projected",
    series: [
      { name: "live", metric: "lr_projected", group: 0, x, mean: values },
      { name: "live", metric: "lr", group: 0, x, mean: values.map(() => 0.003) },
    ],
    markers: [], live,
  });
}

let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
let page!: Page;
beforeAll(async () => {
  chromium = await launchChromium();
  page = await chromium.context.newPage();
  await page.setViewportSize({ width: 1100, height: 800 });
  await openRendererPage(page);
}, 120_000);
afterAll(async () => { await chromium?.close(); }, 60_000);

/** What the page shows: plotly's y axis type, the log y box, the notes drawn. */
function shown(): Promise<{ yType: string; logChecked: boolean; notes: string[] }> {
  return page.evaluate(() => {
    const gd = document.querySelector(".lrlab-Plot-figure") as any;
    return {
      yType: gd._fullLayout.yaxis.type,
      logChecked: (document.querySelector('[data-control="log"]') as HTMLInputElement).checked,
      notes: [...gd.querySelectorAll(".annotation")].map((a: Element) => a.textContent ?? ""),
    };
  });
}

describe("a live plot's y axis in the browser", () => {
  it("stays log through updates with values ≤ 0, says so, and goes linear with the final payload", async () => {
    const spread = [0.004, 0.012, 0.003, 0.015];
    await page.evaluate(async (p) => {
      const host = document.getElementById("host")!;
      host.style.width = "900px";
      await (window as any).lrlab.mount(host, p);
    }, payload(spread, true));
    await page.waitForSelector(".lrlab-Plot-figure .main-svg");
    expect((await shown()).yType).toBe("log");
    const types: string[] = [];
    let values = spread;
    for (let k = 0; k < 6; k++) {
      // the user's run: the projected rate goes ≤ 0 at some steps and back
      values = [...values, k % 2 === 0 ? -0.02 : 0.03, 0.01 + k / 1000];
      await page.evaluate((p) => (window as any).lrlab.update(p), payload(values, true));
      const s = await shown();
      types.push(s.yType);
      expect(s.logChecked).toBe(true);
    }
    expect(types).toEqual(Array(6).fill("log"));
    const live = await shown();
    expect(live.notes.join(" ")).toContain("3 points ≤ 0 not shown on a log axis");
    expect(live.notes.join(" ")).toContain("untick log y");
    await page.screenshot({ path: join(SHOTS, "live-held-log.png") });
    await page.evaluate((p) => (window as any).lrlab.update(p), payload(values, false));
    const final = await shown();
    expect(final.yType).toBe("linear");
    expect(final.logChecked).toBe(false);
    expect(final.notes).toEqual([]);
    await page.screenshot({ path: join(SHOTS, "final-linear.png") });
  }, 60_000);

  it("labels a hover in the plot's font", async () => {
    const box = await page.locator(".lrlab-Plot-figure .nsewdrag").first().boundingBox();
    // walk along the plot until a point is under the pointer
    for (let x = box!.x + 5; x < box!.x + box!.width; x += 10) {
      await page.mouse.move(x, box!.y + box!.height / 2);
      // (plotly draws the label on its next frame)
      await page.waitForTimeout(60);
      if (await page.locator(".hoverlayer .hovertext").count()) break;
    }
    const fonts = await page.evaluate(() => {
      const gd = document.querySelector(".lrlab-Plot-figure")!;
      const hover = gd.querySelector(".hoverlayer .hovertext text") as SVGTextElement | null;
      const tick = gd.querySelector(".xtick text") as SVGTextElement;
      return { hover: hover && { family: hover.style.fontFamily, size: hover.style.fontSize }, tick: { family: tick.style.fontFamily, size: tick.style.fontSize } };
    });
    expect(fonts.hover).not.toBeNull();
    expect(fonts.hover!.family).toBe(fonts.tick.family);
    expect(fonts.hover!.family).not.toMatch(/^"?Arial/);
    expect(fonts.hover!.size).toBe("12px");
  }, 60_000);
});
