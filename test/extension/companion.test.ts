/**
 * The companion notebooks as a reader meets them: the saved files of notebooks/ opened in a real
 * JupyterLab (from .venv, through Debian's chromium) WITHOUT running anything, and with no
 * kernel at all (the lab offers only python3, as for a reader who has the extension but not the
 * kernel, so "No Kernel" is chosen). Every plot must render from the saved bundle with the lrlab
 * renderer, in the light and in the dark theme (text readable on the background), and again after
 * the notebook is closed and reopened. Screenshots go to test-output/browser/companion-*.png.
 */
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./browser/chromium";
import { ensureExtensionInstalled, type Lab, ROOT, startLab } from "./browser/jupyter";

const SHOTS = join(ROOT, "test-output", "browser");
const PLOT_MIME = "application/vnd.lrlab.plot+json";
const NOTEBOOKS = ["01-batch-size.ipynb", "02-adam.ipynb", "03-steplr.ipynb", "04-adam-warmup.ipynb"];

let lab: Lab | undefined;
let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
let page!: Page;
/** Errors the pages raised or logged, with the notebook open at the time: the last test reads them. */
const pageErrors: string[] = [];

/** The titles of the lrlab plots saved in a notebook, in order. */
function savedPlots(name: string): string[] {
  const nb = JSON.parse(readFileSync(join(ROOT, "notebooks", name), "utf8"));
  return nb.cells.flatMap((c: any) => (c.outputs ?? []).filter((o: any) => o.data?.[PLOT_MIME]).map((o: any) => o.data[PLOT_MIME].title));
}

/** Relative luminance (WCAG) of a colour as the browser resolves it, "rgb(r, g, b)" or "rgba(...)". */
function luminance(colour: string): number {
  const m = colour.match(/rgba?\(([^)]+)\)/);
  if (!m) throw new Error(`not a resolved colour: ${colour}`);
  const rgb = m[1].split(",").slice(0, 3).map((v) => Number(v.trim()));
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

async function openWithoutKernel(name: string): Promise<void> {
  const old: Page | undefined = page;
  page = await chromium!.context.newPage();
  page.on("dialog", (d) => void (d.type() === "beforeunload" ? d.accept() : d.dismiss()));
  page.on("pageerror", (e) => pageErrors.push(`${name}: uncaught ${e.stack ?? e}`));
  page.on("console", (m) => void (m.type() === "error" && pageErrors.push(`${name}: console.error ${m.text()}`)));
  if (old) await old.close();
  await page.goto(`${lab!.url}/lab/workspaces/${name.replace(/\W/g, "-")}/tree/${name}?token=${lab!.token}`);
  await page.locator(".jp-Notebook").first().waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => (window as any).jupyterapp?.started !== undefined, undefined, { timeout: 60_000 });
  await chooseNoKernel();
}

/** The lrlab kernelspec is not offered: JupyterLab asks for a kernel; the reader declines. */
async function chooseNoKernel(): Promise<void> {
  const dialog = page.locator(".jp-Dialog");
  try {
    await dialog.waitFor({ timeout: 15_000 });
  } catch {
    return; // no dialog: JupyterLab settled on no kernel by itself
  }
  const noKernel = dialog.locator("select option", { hasText: "No Kernel" });
  if ((await noKernel.count()) > 0) {
    await dialog.locator("select").selectOption({ label: (await noKernel.first().textContent())!.trim() });
    await dialog.locator(".jp-mod-accept").click();
  } else {
    await dialog.locator("button", { hasText: /No Kernel|Cancel/ }).first().click();
  }
  await dialog.waitFor({ state: "detached", timeout: 10_000 });
}

async function noKernelRunning(): Promise<boolean> {
  return page.evaluate(() => !(window as any).jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel);
}

/** Each lrlab plot of the page: scrolled into view, drawn by plotly, titled as saved. */
async function expectPlotsRendered(name: string, theme: "light" | "dark"): Promise<void> {
  const titles = savedPlots(name);
  expect(titles.length).toBeGreaterThan(0);
  const plots = page.locator(".lrlab-Plot");
  await expect.poll(() => plots.count(), { timeout: 30_000 }).toBe(titles.length);
  // The lrlab renderer wins over the SVG and the plotly JSON of the same bundle.
  expect(await page.locator(".jp-OutputArea-output.jp-RenderedSVG").count()).toBe(0);
  expect(await page.locator(".lrlab-PlotError").count()).toBe(0);
  for (let i = 0; i < titles.length; i++) {
    const plot: Locator = plots.nth(i);
    await plot.scrollIntoViewIfNeeded();
    await expect.poll(() => plot.locator(".scatterlayer .trace").count(), { timeout: 20_000 }).toBeGreaterThan(0);
    const state = await plot.locator(".lrlab-Plot-figure").evaluate((gd: any) => {
      // Any CSS colour (a name, #rgb, rgba) as the browser resolves it: "rgb(r, g, b)".
      const css = (c: string) => {
        const el = document.createElement("span");
        el.style.color = c;
        document.body.appendChild(el);
        const out = getComputedStyle(el).color;
        el.remove();
        return out;
      };
      return {
        title: gd._fullLayout.title.text as string,
        bg: css(gd._fullLayout.paper_bgcolor),
        font: css(gd._fullLayout.font.color),
        legend: css(gd._fullLayout.legend?.font?.color ?? gd._fullLayout.font.color),
        xTitle: gd._fullLayout.xaxis.title.text as string,
        yTitle: gd._fullLayout.yaxis.title.text as string,
        pageBg: css(getComputedStyle(document.body).getPropertyValue("--jp-layout-color0").trim()),
      };
    });
    // The default title is replaced by the metric's name over a metric that is not a rate.
    expect(state.title.length).toBeGreaterThan(0);
    expect(state.xTitle).toMatch(/step|learning rate/);
    expect(state.yTitle.length).toBeGreaterThan(0);
    expect(contrast(state.font, state.bg)).toBeGreaterThan(4.5);
    expect(contrast(state.legend, state.bg)).toBeGreaterThan(4.5);
    expect(state.bg).toBe(state.pageBg);
    if (i === 0) await page.screenshot({ path: join(SHOTS, `companion-${name.replace(".ipynb", "")}-${theme}.png`) });
  }
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  chromium = await launchChromium();
  ensureExtensionInstalled();
  lab = await startLab(["--KernelSpecManager.allowed_kernelspecs=python3"]);
  for (const name of NOTEBOOKS) copyFileSync(join(ROOT, "notebooks", name), join(lab.notebooks, name));
}, 180_000);

afterAll(async () => {
  await chromium?.close();
  await lab?.stop();
}, 60_000);

describe("the companion notebooks opened from their files, no kernel", () => {
  for (const name of NOTEBOOKS) {
    it(`${name}: every saved plot renders (light theme), with no kernel`, async () => {
      await openWithoutKernel(name);
      expect(await noKernelRunning()).toBe(true);
      await expectPlotsRendered(name, "light");
    }, 120_000);
  }

  it("in JupyterLab Dark, every plot recolours and stays readable", async () => {
    await openWithoutKernel("02-adam.ipynb");
    await page.evaluate(() => (window as any).jupyterapp.commands.execute("apputils:change-theme", { theme: "JupyterLab Dark" }));
    await page.waitForFunction(() => document.body.dataset.jpThemeLight === "false", undefined, { timeout: 30_000 });
    for (const name of NOTEBOOKS) {
      await openWithoutKernel(name);
      await page.waitForFunction(() => document.body.dataset.jpThemeLight === "false", undefined, { timeout: 30_000 });
      await expectPlotsRendered(name, "dark");
    }
    await page.evaluate(() => (window as any).jupyterapp.commands.execute("apputils:change-theme", { theme: "JupyterLab Light" }));
    await page.waitForFunction(() => document.body.dataset.jpThemeLight === "true", undefined, { timeout: 30_000 });
  }, 240_000);

  it("closed and reopened in the same session, the plots render again", async () => {
    const name = "03-steplr.ipynb";
    await openWithoutKernel(name);
    await expectPlotsRendered(name, "light");
    await page.evaluate(() => (window as any).jupyterapp.commands.execute("application:close-all"));
    await expect.poll(() => page.locator(".jp-Notebook").count(), { timeout: 20_000 }).toBe(0);
    await page.evaluate((p) => (window as any).jupyterapp.commands.execute("docmanager:open", { path: p }), name);
    await page.locator(".jp-Notebook").first().waitFor({ timeout: 60_000 });
    await chooseNoKernel();
    await expectPlotsRendered(name, "light");
    expect(await noKernelRunning()).toBe(true);
  }, 120_000);
});

describe("the pages of all the tests above", () => {
  it("raised no error and logged no console error", () => {
    expect(pageErrors).toEqual([]);
  });
});
