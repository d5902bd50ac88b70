/**
 * A JupyterLab power user's pass (finding B2) in a real JupyterLab and Debian's chromium: the view
 * chosen in a plot (metric, log y, step range) is saved with the notebook.
 * - change the view, save: the .ipynb holds it in the output's metadata; the plot was redrawn in
 *   place (no re-created output: writing the metadata does not flicker);
 * - reload the page: the view is back, and the notebook opens unmodified (reading writes nothing);
 * - a notebook with such metadata opened fresh shows that view;
 * - "Create New View for Output": a change there reaches the cell's own plot.
 * Screenshots go to test-output/saved_view/.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PLOT_MIME } from "../../extension/src/payload";
import { withSavedView } from "../../extension/src/saved_view";
import { launchChromium } from "./browser/chromium";
import { type Lab, ROOT, startLab } from "./browser/jupyter";
import { fixture } from "./fixtures";

const SHOTS = join(ROOT, "test-output", "saved_view");
const VIEW = { metric: "loss", log: { loss: true }, xrange: [10, 30] as [number, number] };

function notebookWith(metadata: Record<string, unknown>) {
  const p = fixture("trace_two_groups");
  return {
    cells: [{
      cell_type: "code", execution_count: 1, id: "plot", metadata: {}, source: ["%%lr_trace\n"],
      outputs: [{ output_type: "display_data", data: { [PLOT_MIME]: p, "text/plain": `lrlab plot: ${p.title}` }, metadata }],
    }],
    metadata: { kernelspec: { display_name: "Python 3 (ipykernel)", language: "python", name: "python3" }, language_info: { name: "python" } },
    nbformat: 4, nbformat_minor: 5,
  };
}

let lab: Lab | undefined;
let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
let page!: Page;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  chromium = await launchChromium();
  lab = await startLab();
  writeFileSync(join(lab.notebooks, "view.ipynb"), JSON.stringify(notebookWith({})));
  writeFileSync(join(lab.notebooks, "viewed.ipynb"), JSON.stringify(notebookWith(withSavedView({}, PLOT_MIME, VIEW))));
}, 180_000);

afterAll(async () => {
  if (lab) writeFileSync(join(SHOTS, "jupyterlab.log"), lab.log());
  await chromium?.close();
  await lab?.stop();
}, 60_000);

async function openNotebook(name: string): Promise<void> {
  const old: Page | undefined = page;
  page = await chromium!.context.newPage();
  page.on("dialog", (d) => void (d.type() === "beforeunload" ? d.accept() : d.dismiss()));
  if (old) await old.close();
  await page.goto(`${lab!.url}/lab/workspaces/${name.replace(/\W/g, "-")}/tree/${name}?token=${lab!.token}`);
  await waitForLab();
}

async function waitForLab(): Promise<void> {
  await page.locator(".jp-Notebook").first().waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => (window as any).jupyterapp?.started !== undefined, undefined, { timeout: 60_000 });
  await page.locator(".lrlab-Plot .lrlab-Plot-figure .main-svg").first().waitFor({ timeout: 60_000 });
}

/** What plotly draws, and the toolbar. */
function view(plot: Locator): Promise<{ yTitle: string; yType: string; xRange: number[]; metric: string; log: boolean }> {
  return plot.evaluate((el) => {
    const gd = el.querySelector(".lrlab-Plot-figure") as any;
    return {
      yTitle: gd._fullLayout.yaxis.title.text, yType: gd._fullLayout.yaxis.type, xRange: [...gd._fullLayout.xaxis.range],
      metric: (el.querySelector('[data-control="metric"]') as HTMLSelectElement).value,
      log: (el.querySelector('[data-control="log"]') as HTMLInputElement).checked,
    };
  });
}

/**
 * Waits for the notebook's kernel to be up: its kernel_info (language_info) lands in the
 * notebook's metadata, which marks the notebook modified when it differs from the file's; the
 * checks of "opening it writes nothing" must not race with it.
 */
async function kernelSettled(): Promise<void> {
  await page.waitForFunction(() => (window as any).jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.status === "idle", undefined, { timeout: 60_000 });
  await page.evaluate(() => (window as any).jupyterapp.shell.currentWidget.sessionContext.session.kernel.info);
  await page.waitForTimeout(500);
}

const dirty = () => page.evaluate(() => (window as any).jupyterapp.shell.currentWidget.context.model.dirty as boolean);
const command = (id: string) => page.evaluate((i) => (window as any).jupyterapp.commands.execute(i), id);
const savedOutput = () => JSON.parse(readFileSync(join(lab!.notebooks, "view.ipynb"), "utf8")).cells[0].outputs[0];
const CHOSEN = { yTitle: "loss", yType: "log", xRange: [10, 30], metric: "loss", log: true };

describe("the plot's view saved with the notebook, in a real JupyterLab", () => {
  it("is written to the output's metadata, in place, and saved", async () => {
    await openNotebook("view.ipynb");
    const plot = page.locator(".lrlab-Plot").first();
    expect(await view(plot)).toMatchObject({ yTitle: "projected LR", yType: "linear", metric: "lr_projected", log: false });
    // the kernel's language_info, when it lands, marks the notebook modified (this file has only
    // {name: "python"}); it lands at a time that depends on the host's load, so it is waited for
    // and saved first: from then on only a write of ours can mark the notebook modified
    await kernelSettled();
    await command("docmanager:save");
    await expect.poll(dirty, { timeout: 20_000 }).toBe(false);
    expect(savedOutput().metadata).toEqual({}); // showing the plot wrote nothing of its own
    // the plot's nodes are marked: a re-created output (flicker) would lose the mark
    await plot.evaluate((el) => {
      (el.querySelector(".lrlab-Plot-figure") as any).__mark = "same";
      (window as any).__removed = 0;
      new MutationObserver((ms) => {
        for (const m of ms) for (const n of m.removedNodes) if (n instanceof HTMLElement && (n.matches(".lrlab-Plot, .lrlab-Plot-figure") || n.querySelector(".lrlab-Plot"))) (window as any).__removed++;
      }).observe(el.closest(".jp-Notebook")!, { childList: true, subtree: true });
    });
    await plot.locator('[data-control="metric"]').selectOption("loss");
    await plot.locator('[data-control="log"]').check();
    await plot.locator('[data-control="from"]').fill("10");
    await plot.locator('[data-control="to"]').fill("30");
    await plot.locator('[data-control="to"]').press("Tab");
    await expect.poll(() => view(plot)).toEqual(CHOSEN);
    expect(await dirty()).toBe(true);
    expect(await plot.evaluate((el) => (el.querySelector(".lrlab-Plot-figure") as any).__mark)).toBe("same");
    expect(await page.evaluate(() => (window as any).__removed)).toBe(0);
    await kernelSettled();
    await command("docmanager:save");
    await expect.poll(() => savedOutput().metadata, { timeout: 20_000 }).toEqual({ [PLOT_MIME]: { view: VIEW } });
    // the payload is saved as it came
    expect(savedOutput().data[PLOT_MIME]).toEqual(fixture("trace_two_groups"));
    await page.screenshot({ path: join(SHOTS, "chosen.png") });
  }, 120_000);

  it("is back after a reload of the page, and opening it leaves the notebook unmodified", async () => {
    await page.reload();
    await waitForLab();
    const plot = page.locator(".lrlab-Plot").first();
    await expect.poll(() => view(plot), { timeout: 20_000 }).toEqual(CHOSEN);
    await kernelSettled();
    expect(await dirty()).toBe(false);
    await page.screenshot({ path: join(SHOTS, "reloaded.png") });
  }, 120_000);

  it("is shown by a notebook with such metadata opened fresh", async () => {
    // with the notebook metadata the kernel writes (saved by the first test), so that only a
    // write of ours could mark it modified
    const saved = JSON.parse(readFileSync(join(lab!.notebooks, "view.ipynb"), "utf8"));
    writeFileSync(join(lab!.notebooks, "viewed.ipynb"), JSON.stringify({ ...notebookWith(withSavedView({}, PLOT_MIME, VIEW)), metadata: saved.metadata }));
    await openNotebook("viewed.ipynb");
    await expect.poll(() => view(page.locator(".lrlab-Plot").first()), { timeout: 20_000 }).toEqual(CHOSEN);
    await kernelSettled();
    expect(await dirty()).toBe(false);
  }, 120_000);

  it("reaches the cell's plot from a new view of the output", async () => {
    await page.locator(".jp-Cell").first().click({ position: { x: 5, y: 5 } });
    await command("notebook:create-output-view");
    const linked = page.locator(".jp-LinkedOutputView .lrlab-Plot");
    await linked.locator(".main-svg").first().waitFor({ timeout: 30_000 });
    expect(await view(linked)).toEqual(CHOSEN);
    await linked.locator('[data-control="metric"]').selectOption("update_ratio");
    const cellPlot = page.locator(".jp-Notebook .lrlab-Plot").first();
    await expect.poll(async () => (await view(cellPlot)).metric, { timeout: 10_000 }).toBe("update_ratio");
    expect((await view(cellPlot)).yTitle).toBe("update ratio");
    await page.screenshot({ path: join(SHOTS, "output-view.png") });
  }, 120_000);
});
