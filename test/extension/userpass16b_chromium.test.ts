/**
 * userpass16 (userF items 2 and 4) in a real browser: the extension's whole renderer (toolbar and
 * plot, renderer_page.ts) in Debian's chromium, on the bundles of real traces.
 * - plain SGD's rounding note (kernel/src/plot/notes.ts) over the projected-lr view: drawn inside
 *   the figure, clear of the title and the modebar;
 * - the toolbar of a per-parameter trace (with its parameter selector) at 1100 px (a 1400 px
 *   window with the file browser open): the reset buttons stay on a row with other controls;
 * - a hover over the measured line where the configured lr runs under it names the measured rate
 *   (the configured lr's value comes with it).
 * Screenshots go to test-output/userpass16b/.
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace } from "../../kernel/src/trace/index";
import { bundle, PLOT_MIME } from "../../kernel/src/plot/index";
import { find } from "../../kernel/src/trace/find";
import { launchChromium } from "./browser/chromium";
import { openRendererPage } from "./browser/renderer_page";

const SHOTS = join(__dirname, "..", "..", "test-output", "userpass16b");
const lf = new torch.nn.MSELoss();

/** A small MLP under `o` on a fixed batch for `steps` steps, traced. */
function run(name: string, steps: number, make: (m: torch.nn.Module) => torch.optim.Optimizer, options: { per_param?: boolean } = {}) {
  torch.manual_seed(0);
  const m = new torch.nn.Sequential(new torch.nn.Linear(4, 16), new torch.nn.ReLU(), new torch.nn.Linear(16, 1));
  const o = make(m);
  const X = torch.randn(8, 4), Y = torch.randn(8, 1);
  const t = trace(o, { name, batch_size: 8, ...(options.per_param ? { per_param: true, named_parameters: m.named_parameters() } : {}) });
  for (let k = 0; k < steps; k++) {
    o.zero_grad();
    const l = lf.forward(m.forward(X), Y);
    l.backward();
    t.log_loss(l);
    o.step();
  }
  t.stop();
  return t;
}

let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
let page!: Page;
beforeAll(async () => {
  chromium = await launchChromium();
  page = await chromium.context.newPage();
  await page.setViewportSize({ width: 1200, height: 800 });
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

type Box = { x: number; y: number; w: number; h: number };
const overlaps = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

describe("plain SGD's rounding note in the browser", () => {
  it("is drawn inside the figure, in lines clear of the title and the modebar", async () => {
    const t = run("sgd_plain", 3000, (m) => new torch.optim.SGD(m.parameters(), { lr: 0.5 }));
    const p = t.bundle({ svg: false })[PLOT_MIME] as { notes?: { text: string }[] };
    expect(p.notes?.length ?? 0).toBeGreaterThan(0);
    await mount(p, 960);
    await page.hover(".lrlab-Plot-figure .main-svg");
    await page.screenshot({ path: join(SHOTS, "sgd-note.png") });
    const r = await page.evaluate(() => {
      const box = (e: Element | null) => { const b = e!.getBoundingClientRect(); return { x: b.x, y: b.y, w: b.width, h: b.height }; };
      const fig = document.querySelector(".lrlab-Plot-figure")!;
      return {
        fig: box(fig),
        title: box(fig.querySelector(".gtitle")),
        modebar: box(fig.querySelector(".modebar")),
        notes: [...fig.querySelectorAll(".annotation")].map((a) => ({ text: a.textContent ?? "", ...box(a) })),
      };
    });
    const notes = r.notes.filter((n) => /float32|round/.test(n.text));
    expect(notes.length).toBeGreaterThan(0);
    for (const n of notes) {
      expect(n.x).toBeGreaterThanOrEqual(r.fig.x - 1);
      expect(n.x + n.w).toBeLessThanOrEqual(r.fig.x + r.fig.w + 1);
      expect(overlaps(n, r.title)).toBe(false);
      expect(overlaps(n, r.modebar)).toBe(false);
    }
  }, 120_000);
});

describe("a per-parameter trace's toolbar at 1100 px", () => {
  it("the reset buttons share a row with other controls", async () => {
    const t = run("pp", 200, (m) => new torch.optim.Adam(m.parameters(), { lr: 0.01 }), { per_param: true });
    await mount(t.bundle({ svg: false })[PLOT_MIME], 1100);
    await page.screenshot({ path: join(SHOTS, "toolbar-1100.png") });
    const rows = await page.evaluate(() => {
      const bar = document.querySelector(".lrlab-Controls")!;
      const items = [...bar.children].filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => ({ cls: e.className, text: (e.textContent ?? "").trim().slice(0, 30), top: Math.round(e.getBoundingClientRect().top) }));
      return items;
    });
    // rows: items whose tops are within 20 px (a two-line note sits a few px higher than a button)
    const tops: { top: number; n: number }[] = [];
    for (const it of [...rows].sort((a, b) => a.top - b.top)) {
      const row = tops.find((r) => Math.abs(r.top - it.top) < 20);
      if (row) row.n++;
      else tops.push({ top: it.top, n: 1 });
    }
    // no row holds a lone item (the reset button alone on a second line: userF's screenshot)
    if (tops.length > 1) for (const r of tops) expect(r.n, JSON.stringify(rows)).toBeGreaterThan(1);
    expect(tops.length).toBeLessThanOrEqual(2);
  }, 120_000);
});

describe("a hover over the measured line with the configured lr under it", () => {
  it("names the measured rate, with the configured lr's value", async () => {
    const t = run("sgd_h", 60, (m) => new torch.optim.SGD(m.parameters(), { lr: 0.05 }));
    await mount(t.bundle({ svg: false })[PLOT_MIME], 960);
    // the point of the measured line at step 30, in page pixels
    const at = await page.evaluate(() => {
      const gd = document.querySelector(".lrlab-Plot-figure") as any;
      const i = gd.data.findIndex((d: any) => d.uid?.endsWith("-mean") && !d.uid.startsWith("configured"));
      const tr = gd.data[i];
      const k = tr.x.indexOf(30);
      const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
      const y = ya.type === "log" ? Math.log10(tr.y[k]) : tr.y[k];
      const b = gd.querySelector(".main-svg").getBoundingClientRect();
      return { x: b.x + xa._offset + xa.l2p(tr.x[k]), y: b.y + ya._offset + ya.l2p(y) };
    });
    await page.mouse.move(at.x, at.y);
    await page.waitForSelector(".lrlab-Plot-figure .hovertext", { timeout: 5000 });
    const text = await page.evaluate(() => [...document.querySelectorAll(".lrlab-Plot-figure .hovertext")].map((e) => e.textContent ?? "").join(" | "));
    await page.screenshot({ path: join(SHOTS, "hover.png") });
    expect(text).toMatch(/projected lr/);
    expect(text).toMatch(/configured 0\.05/);
  }, 120_000);
});

describe("a range test in the browser", () => {
  it("its ✖ is named for what it marks, and no suggestion label covers the loss line", async () => {
    torch.manual_seed(0);
    const model = new torch.nn.Sequential(new torch.nn.Linear(10, 16), new torch.nn.ReLU(), new torch.nn.Linear(16, 1));
    const X = torch.randn(64, 10), Y = torch.randn(64, 1);
    const opt = new torch.optim.SGD(model.parameters(), { lr: 1e-7 });
    const r = find(opt, () => {
      opt.zero_grad();
      const l = lf.forward(model.forward(X), Y);
      l.backward();
      return l;
    }, { model, start_lr: 1e-4, end_lr: 10, num_iter: 100 });
    const p = bundle(r, { svg: false })[PLOT_MIME] as { markers: { kind: string; label: string }[] };
    await mount(p, 960);
    await page.screenshot({ path: join(SHOTS, "range-test.png") });
    const d = await page.evaluate(() => {
      const gd = document.querySelector(".lrlab-Plot-figure") as any;
      const texts = [...gd.querySelectorAll(".scatterlayer .textpoint text")].map((e: any) => { const b = e.getBoundingClientRect(); return { text: e.textContent, x: b.x, y: b.y, w: b.width, h: b.height }; });
      // the drawn loss line's points in page pixels
      const b = gd.querySelector(".main-svg").getBoundingClientRect();
      const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
      const line = gd.data.find((t: any) => t.uid?.endsWith("-mean"));
      const pts = line.x.map((x: number, i: number) => (line.y[i] === null ? null : [b.x + xa._offset + xa.l2p(Math.log10(x)), b.y + ya._offset + ya.l2p(ya.type === "log" ? Math.log10(line.y[i]) : line.y[i])])).filter(Boolean);
      const names = gd.data.filter((t: any) => t.uid === "divergence").map((t: any) => t.name);
      return { texts, pts, names };
    });
    const div = p.markers.find((m) => m.kind === "divergence");
    if (div) expect(d.names).toEqual([div.label.startsWith("loss off the scale") ? "loss off the scale" : "diverged"]);
    // samples along the line inside a label's box: none
    for (const t of d.texts) {
      let inside = 0;
      for (let k = 1; k < d.pts.length; k++) {
        const [a, c] = [d.pts[k - 1], d.pts[k]];
        for (let j = 0; j <= 10; j++) {
          const [x, y] = [a[0] + ((c[0] - a[0]) * j) / 10, a[1] + ((c[1] - a[1]) * j) / 10];
          if (x > t.x + 1 && x < t.x + t.w - 1 && y > t.y + 1 && y < t.y + t.h - 1) inside++;
        }
      }
      expect(inside, t.text).toBe(0);
    }
  }, 120_000);
});
