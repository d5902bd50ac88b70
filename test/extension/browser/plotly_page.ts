/**
 * A chromium page with the extension's plotly.js loaded and one `#plot` div, for tests that draw
 * figures in real plotly and measure or click what it drew (legend_chromium, axis_ticks_chromium).
 * Registers its own beforeAll/afterAll; `page()` is the page once the suite has started.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launchChromium } from "./chromium";

const PLOTLY = join(__dirname, "..", "..", "..", "node_modules", "plotly.js-dist-min", "plotly.min.js");

export interface PlotlyPage {
  page(): Page;
  /** Draws `fig` in `#plot`, `width` pixels wide (the last figure purged first). */
  draw(fig: { data: unknown[]; layout: Record<string, unknown> }, width?: number): Promise<void>;
}

/** The suite's plotly page; `shots` is made for the suite's screenshots. */
export function usePlotlyPage(shots: string): PlotlyPage {
  let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let page: Page | undefined;
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    await page.setContent(`<div id="plot" style="width: 900px"></div>`);
    await page.addScriptTag({ path: PLOTLY });
  }, 120_000);
  afterAll(async () => {
    await chromium?.close();
  }, 60_000);
  const get = (): Page => {
    if (page === undefined) throw new Error("the plotly page is used before its suite started");
    return page;
  };
  return {
    page: get,
    async draw(fig, width = 900) {
      await get().evaluate(async ([fig, width]: any) => {
        const w = window as any;
        document.getElementById("plot")!.style.width = `${width}px`;
        w.Plotly.purge("plot");
        await w.Plotly.newPlot("plot", fig.data, fig.layout);
      }, [fig, width] as const);
    },
  };
}
