/**
 * A chromium page with the extension's renderer (bundled from renderer_entry.ts by esbuild, which
 * comes with vite), its stylesheet and plotly.js: for tests of the whole output (toolbar and plot)
 * at a given width, without starting JupyterLab.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import type { Page } from "playwright-core";

const ROOT = join(__dirname, "..", "..", "..");

export async function openRendererPage(page: Page): Promise<void> {
  const out = await build({ entryPoints: [join(__dirname, "renderer_entry.ts")], bundle: true, write: false, format: "iife", target: "es2022", logLevel: "silent" });
  await page.setContent(`<!doctype html><html><head><style>body { margin: 0; }</style></head><body><div id="host"></div></body></html>`);
  await page.addStyleTag({ content: readFileSync(join(ROOT, "extension", "style", "index.css"), "utf8") });
  await page.addScriptTag({ path: join(ROOT, "node_modules", "plotly.js-dist-min", "plotly.min.js") });
  await page.addScriptTag({ content: out.outputFiles[0].text });
}
