/**
 * The static plotly figure's legend in real plotly.js (the extension's own copy, in Debian's
 * chromium: see test/extension/browser/chromium.ts), as VS Code or jupyterlab-plotly show it:
 * what the legend lists, and what clicking an entry hides (the figures: test/plot/legend.test.ts).
 * Screenshots go to test-output/legend/.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PLOTLY_MIME, type MimeBundle } from "../../kernel/src/plot/index";
import { launchChromium } from "./browser/chromium";
import { compareBundle, threeGroups } from "../plot/legend_runs";

const ROOT = join(__dirname, "..", "..");
const SHOTS = join(ROOT, "test-output", "legend");
const PLOTLY = join(ROOT, "node_modules", "plotly.js-dist-min", "plotly.min.js");

let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
let page!: Page;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  chromium = await launchChromium();
  page = await chromium.context.newPage();
  await page.setContent(`<div id="plot" style="width: 900px"></div>`);
  await page.addScriptTag({ path: PLOTLY });
}, 120_000);

afterAll(async () => {
  await chromium?.close();
}, 60_000);

async function draw(b: MimeBundle): Promise<void> {
  await page.evaluate(async (fig: any) => {
    const w = window as any;
    w.Plotly.purge("plot");
    await w.Plotly.newPlot("plot", fig.data, fig.layout);
  }, b[PLOTLY_MIME] as any);
}

/** Each legend's entries as plotly drew them, and whether an entry can be clicked. */
function legends(): Promise<Record<string, { text: string; clickable: boolean }[]>> {
  return page.evaluate(() => {
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
const shown = (): Promise<string[]> => page.evaluate(() => (document.getElementById("plot") as any)._fullData
  .filter((t: any) => t.visible === true && t.x.some((v: unknown) => v !== null)).map((t: any) => `${t.name}@${t.yaxis}`));

async function click(legend: string, text: string): Promise<void> {
  await page.locator(`g.${legend} g.traces`, { hasText: text }).first().locator("rect.legendtoggle").click();
}

describe("a comparison's legend in plotly", () => {
  it("lists each run once, and its entry hides the run in both panels", async () => {
    await draw(compareBundle());
    const l = await legends();
    expect(l.legend.map((e) => e.text)).toEqual(["sgd", "adam"]);
    await page.screenshot({ path: join(SHOTS, "compare.png"), fullPage: true });
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
    expect(l.legend2).toEqual(["lr", "projected lr", "per-sample lr"].map((text) => ({ text, clickable: false })));
    await page.screenshot({ path: join(SHOTS, "three-groups.png"), fullPage: true });
    const before = await shown();
    const group1 = before.filter((n) => n.includes("group 1"));
    // lr, projected lr, per-sample lr, element-wise lr (and its band), ..., update ratio: 3+ panels
    expect(new Set(group1.map((n) => n.split("@")[1])).size).toBeGreaterThanOrEqual(3);
    await click("legend", "group 1");
    await expect.poll(shown).toEqual(before.filter((n) => !group1.includes(n)));
    await click("legend", "group 1");
    await expect.poll(shown).toEqual(before);
    // a sample of the key is no switch
    await page.locator("g.legend2 g.traces", { hasText: "projected lr" }).click();
    await page.waitForTimeout(300);
    expect(await shown()).toEqual(before);
  }, 60_000);
});
