/**
 * A JupyterLab power user's pass (finding B), in a real JupyterLab with the lrlab kernel and
 * Debian's chromium: "Copy Output to Clipboard" (the output's context menu) on a plot copies the
 * plot's summary, the output's own text/plain ("adam (Adam): 40 steps …"), and, as HTML, the
 * output's SVG picture (which draws that summary as its caption); it copied the control strip's labels ("metric\nprojected
 * lr …\nlog y …reset"). A text selected inside the plot by hand still copies as selected.
 * Screenshots and the JupyterLab log go to test-output/copy_output/.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./browser/chromium";
import { hasKernelspec, type Lab, ROOT, startLab } from "./browser/jupyter";

const SHOTS = join(ROOT, "test-output", "copy_output");
const STEPS = 40;

/** A %%lr_trace cell for the lrlab kernel: Adam, a fixed number of steps. */
function writeNotebook(dir: string): void {
  const source = `%%lr_trace --name adam
const model = new torch.nn.Linear(4, 1);
const optimizer = new torch.optim.Adam(model.parameters(), { lr: 0.01 });
const criterion = new torch.nn.MSELoss();
const x = torch.randn(32, 4);
const y = torch.randn(32, 1);
for (let i = 0; i < ${STEPS}; i++) {
  optimizer.zero_grad();
  criterion.forward(model.forward(x), y).backward();
  optimizer.step();
}
`;
  const nb = {
    cells: [{ cell_type: "code", execution_count: null, id: "train", metadata: {}, outputs: [], source: source.split(/(?<=\n)/) }],
    metadata: { kernelspec: { display_name: "TypeScript (lrlab)", language: "typescript", name: "lrlab" }, language_info: { name: "typescript" } },
    nbformat: 4, nbformat_minor: 5,
  };
  writeFileSync(join(dir, "copy.ipynb"), JSON.stringify(nb, null, 1));
}

let lab: Lab | undefined;
let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
let page!: Page;

beforeAll(async () => {
  if (!hasKernelspec("lrlab")) {
    throw new Error("the lrlab kernelspec is not installed in .venv: run `npm run setup` (it runs `lrlab install --prefix .venv`)");
  }
  mkdirSync(SHOTS, { recursive: true });
  chromium = await launchChromium();
  lab = await startLab();
  writeNotebook(lab.notebooks);
  await chromium.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: lab.url });
  page = await chromium.context.newPage();
  page.on("dialog", (d) => void (d.type() === "beforeunload" ? d.accept() : d.dismiss()));
  await page.goto(`${lab.url}/lab/workspaces/copy/tree/copy.ipynb?token=${lab.token}`);
  await page.locator(".jp-Notebook").first().waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => (window as any).jupyterapp?.started !== undefined, undefined, { timeout: 60_000 });
  await page.waitForFunction(() => (window as any).jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel, undefined, { timeout: 60_000 });
  await page.evaluate(() => void (window as any).jupyterapp.commands.execute("notebook:run-all-cells"));
  await page.locator(".lrlab-Plot .lrlab-Plot-figure .main-svg").first().waitFor({ timeout: 120_000 });
  // the run is over: the kernel is idle and the output is the final bundle (with its SVG)
  await page.waitForFunction(() => {
    const nb = (window as any).jupyterapp.shell.currentWidget;
    const out = nb.content.widgets[0].model.outputs.get(0);
    return nb.sessionContext.session.kernel.status === "idle" && out?.data["image/svg+xml"] !== undefined;
  }, undefined, { timeout: 120_000 });
}, 300_000);

afterAll(async () => {
  if (lab) writeFileSync(join(SHOTS, "jupyterlab.log"), lab.log());
  await chromium?.close();
  await lab?.stop();
}, 60_000);

/** The clipboard's text/plain and text/html (empty when absent). */
function clipboard(): Promise<{ text: string; html: string }> {
  return page.evaluate(async () => {
    let text = "", html = "";
    for (const item of await navigator.clipboard.read()) {
      if (item.types.includes("text/plain")) text = await (await item.getType("text/plain")).text();
      if (item.types.includes("text/html")) html = await (await item.getType("text/html")).text();
    }
    return { text, html };
  });
}

/** Something else on the clipboard, so that a copy that did nothing cannot pass. */
const clearClipboard = () => page.evaluate(() => navigator.clipboard.writeText("(nothing copied)"));

/** The cell's output as the notebook holds it. */
const outputText = () => page.evaluate(() => {
  const out = (window as any).jupyterapp.shell.currentWidget.content.widgets[0].model.outputs.get(0);
  const t = out.data["text/plain"];
  return Array.isArray(t) ? t.join("") : (t as string);
});

describe("Copy Output to Clipboard on an lrlab plot, in a real JupyterLab", () => {
  it("copies the plot's summary and its picture, not the control labels", async () => {
    await clearClipboard();
    const plot = page.locator(".lrlab-Plot").first();
    // the output's context menu, as a user opens it (on the plot's toolbar, left of its controls)
    await plot.click({ button: "right", position: { x: 3, y: 3 } });
    const item = page.locator(".lm-Menu .lm-Menu-item", { hasText: "Copy Output to Clipboard" });
    await item.waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(SHOTS, "context-menu.png") });
    await item.click();
    await expect.poll(async () => (await clipboard()).text, { timeout: 10_000 }).not.toBe("(nothing copied)");
    const { text, html } = await clipboard();
    const summary = await outputText();
    expect(summary).toMatch(new RegExp(`^adam \\(Adam\\): ${STEPS} steps$`, "m"));
    expect(text).toBe(summary);
    expect(text).toContain("lr 0.01");
    // the control strip's labels were what got copied
    for (const label of ["log y", "spread band", "reset"]) expect(text).not.toContain(label);
    // the HTML: the output's SVG as a picture, the summary its alt text
    const img = /<img [^>]*src="data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)"/.exec(html);
    expect(img, html.slice(0, 300)).not.toBeNull();
    const svg = Buffer.from(img![1], "base64").toString("utf8");
    expect(svg).toBe(await page.evaluate(() => {
      const s = (window as any).jupyterapp.shell.currentWidget.content.widgets[0].model.outputs.get(0).data["image/svg+xml"];
      return Array.isArray(s) ? s.join("") : (s as string);
    }));
    expect(html).toMatch(new RegExp(`<img alt="[^"]*adam \\(Adam\\): ${STEPS} steps`));
    expect(html).not.toContain("<select");
    expect(html).not.toContain("log y");
    // pasted into a rich text editor: the picture (drawn: it has a size), the summary its alt text
    await page.evaluate(() => {
      const editor = document.createElement("div");
      editor.id = "paste-target";
      editor.contentEditable = "true";
      editor.style.cssText = "position:fixed;left:0;top:0;width:700px;height:500px;background:white;z-index:10000;overflow:auto";
      document.body.append(editor);
      editor.focus();
    });
    await page.keyboard.press("Control+V");
    const editor = page.locator("#paste-target");
    await editor.locator("img").waitFor({ timeout: 10_000 });
    await expect.poll(() => editor.locator("img").evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);
    expect(await editor.locator("img").getAttribute("alt")).toBe(summary);
    await page.screenshot({ path: join(SHOTS, "pasted.png") });
    await editor.evaluate((e) => e.remove());
  }, 60_000);

  it("leaves a selection made inside the plot alone: Ctrl+C copies what was selected", async () => {
    const plot = page.locator(".lrlab-Plot").first();
    // Plotly's text (ticks, legend, title) is user-select: none: a mouse selects none of it. What
    // a user can select is the toolbar's text: one label, or a drag over a few of them.
    // [what, first text node, its offset, last text node, its offset (-1: its end)], among the
    // toolbar's non-blank text nodes outside its menus
    const selections: [string, number, number, number, number][] = [
      ["one label", 0, 0, 0, -1],
      ["a drag from the first label into the third", 0, 2, 2, 2],
    ];
    for (const [name, from, fromOffset, to, toOffset] of selections) {
      await clearClipboard();
      const expected = await plot.evaluate((el, [from, fromOffset, to, toOffset]) => {
        const walk = document.createTreeWalker(el.firstElementChild!, NodeFilter.SHOW_TEXT);
        const texts: Text[] = [];
        for (let n = walk.nextNode(); n; n = walk.nextNode()) if ((n.textContent ?? "").trim() && !n.parentElement!.closest("select")) texts.push(n as Text);
        const range = document.createRange();
        range.setStart(texts[from], fromOffset);
        range.setEnd(texts[to], toOffset < 0 ? texts[to].length : toOffset);
        const s = window.getSelection()!;
        s.removeAllRanges();
        s.addRange(range);
        return s.toString();
      }, [from, fromOffset, to, toOffset] as const);
      expect(expected.trim(), name).not.toBe("");
      await page.keyboard.press("Control+C");
      // the browser's own copy: the selected text. Over several elements it differs from
      // Selection.toString in its white space and in a menu's chosen option (which the browser
      // copies, toString leaves out); its ends are the selection's.
      const words = (t: string) => t.replace(/\s+/g, " ").trim();
      await expect.poll(async () => (await clipboard()).text, { timeout: 10_000, message: name }).not.toBe("(nothing copied)");
      const got = words((await clipboard()).text);
      const want = words(expected).split(" ");
      expect(got.startsWith(want[0]), `${name}: ${got}`).toBe(true);
      expect(got.endsWith(want.slice(-2).join(" ")), `${name}: ${got}`).toBe(true);
      expect(got).not.toContain("Adam");
      if (from === to) expect(got).toBe(words(expected));
    }
  }, 60_000);
});
