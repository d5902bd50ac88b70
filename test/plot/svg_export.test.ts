/**
 * The static picture as HTML/Markdown exports, GitHub and nbviewer show it (a teacher's pass,
 * /work/scratch/s15/userD findings.md 5): the key of dashes cut "steady-state lr γ(1−τ)/(1−μ)" to
 * "steady-state lr γ(…"; the x axis ran to 350 for a run of 320 steps; and the text summary (the
 * numbers) was in none of the exports, which show the SVG alone. The picture now carries the
 * summary as a caption under its title, the key's labels whole, and an x axis
 * that ends where the data do.
 */
import { describe, expect, it } from "vitest";
import { BoundedSeries } from "../../kernel/src/trace/series";
import { captionLines, toVegaLite } from "../../kernel/src/plot/svg";
import { numberMinus } from "../../kernel/src/plot/ticks";
import { bundle, make_figure, SVG_MIME, TEXT_MIME, type FigureSource, type PlotPayload } from "../../kernel/src/plot/index";
import * as lrlab from "../../kernel/src/tools";
import * as torch from "../../kernel/src/index";
import type { Tensor } from "../../kernel/src/tensor/tensor";

/** SGD with momentum 0.9 under a StepLR, 320 steps: the plot has the steady-state reference line. */
function momentumRun() {
  torch.manual_seed(0);
  const X = torch.randn(64, 4);
  const Y = X.matmul(torch.randn(4, 1));
  const model = new torch.nn.Linear(4, 1);
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const sch = new torch.optim.lr_scheduler.StepLR(opt, { step_size: 100, gamma: 0.5 });
  const lf = new torch.nn.MSELoss();
  const t = lrlab.trace(opt, { batch_size: 64, name: "sgd" });
  for (let i = 0; i < 320; i++) {
    opt.zero_grad();
    const l = lf.forward(model.forward(X), Y) as Tensor;
    l.backward();
    t.log_loss(l);
    opt.step();
    sch.step();
  }
  t.stop();
  return t;
}

/** The text of every <text> (each <tspan> of a multi-line one, the caption's lines, on its own). */
const texts = (svg: string) => [...svg.matchAll(/<text\b[^>]*>(.*?)<\/text>/g)]
  .flatMap((m) => (m[1].includes("<tspan") ? [...m[1].matchAll(/<tspan\b[^>]*>([^<]*)<\/tspan>/g)].map((t) => t[1]) : [m[1]]));
const unescape = (t: string) => t.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");

describe("the static picture of a trace", () => {
  const t = momentumRun();
  const b = t.bundle();
  const svg = b[SVG_MIME] as string;

  it("writes the key's labels whole: steady-state lr γ(1−τ)/(1−μ)", () => {
    const labels = texts(svg).map(unescape);
    expect(labels.some((l) => l.includes("steady-state lr γ(1−τ)/(1−μ)")), labels.join(" | ")).toBe(true);
    expect(labels.some((l) => l.includes("…")), labels.join(" | ")).toBe(false);
  });

  it("ends its x axis at the last step (320 steps: not drawn out to 350)", () => {
    const spec = JSON.stringify(toVegaLite(b["application/vnd.lrlab.plot+json"] as PlotPayload));
    expect(spec).not.toContain('"nice":true');
    expect(spec).toContain('"nice":false');
    // no tick label past the data: Vega's nice domain labelled 350
    expect(texts(svg)).not.toContain("350");
    expect(texts(svg)).toContain("300");
  });

  it("carries the text summary: a caption under the title, the title not repeated", () => {
    const summary = String(b[TEXT_MIME]).split("\n");
    expect(summary[0]).toBe("Effective learning rate");
    const shown = texts(svg).map((l) => unescape(l).replace(/\u00a0/g, " "));
    // each summary line after the title is in the picture (long lines broken at a space)
    const caption = shown.join("\n");
    for (const line of summary.slice(1)) {
      // (its numbers with the ticks' minus sign: ticks.ts numberMinus)
      for (const word of numberMinus(line).trim().split(" ")) expect(caption, line).toContain(word);
    }
    expect(shown.filter((l) => l === "Effective learning rate")).toHaveLength(1);
    // described for screen readers: role, label and title first in the root (the caption's text is read too)
    expect(svg).toMatch(/^<svg\b[^>]* role="img" aria-label="[^"]+"><title>[^<]+<\/title>/);
  });
});

describe("captionLines", () => {
  it("drops the title line, keeps the indentation, breaks long lines at a space, and caps the count", () => {
    const long = "  group 0: " + Array.from({ length: 30 }, (_, i) => `m${i} 0.125`).join(", ");
    const lines = captionLines(["Title", "run (SGD): 5 steps", long], "Title");
    expect(lines[0]).toBe("run (SGD): 5 steps");
    expect(lines[1].startsWith("\u00a0\u00a0group 0:")).toBe(true);
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
    expect(lines.slice(1).join(" ").replace(/\u00a0/g, " ").replace(/\s+/g, " ").trim()).toBe(long.trim());
    const many = captionLines(["Title", ...Array.from({ length: 30 }, (_, i) => `run ${i}`)], "Title");
    expect(many).toHaveLength(12);
    expect(many[11]).toBe("… (19 more lines in the text summary)");
  });

  it("no summary, no caption (toVegaLite without one, as the extension's tests call it)", () => {
    expect(captionLines([], "Title")).toEqual([]);
    const s = new BoundedSeries();
    [1, 2, 3].forEach((v, i) => s.push(i, v));
    const src: FigureSource = { name: "x", series: [{ metric: "loss", group: null, buckets: s.buckets() }] };
    const spec = toVegaLite(make_figure([src], { kind: "trace" }).payload) as { title: Record<string, unknown> };
    expect(spec.title.subtitle).toBeUndefined();
  });
});

describe("the divergence label of a range test", () => {
  it("is drawn over the panel, left of its rule when the rule is right of the middle (it ran out of the picture)", () => {
    const lrs = Array.from({ length: 40 }, (_, i) => 1e-4 * 10 ** (i / 10));
    const loss = new BoundedSeries();
    lrs.forEach((x, i) => loss.push(x, i < 20 ? 5 : 1));
    const src: FigureSource = {
      name: "rt",
      series: [{ metric: "loss", group: null, buckets: loss.buckets() }],
      markers: [
        { kind: "suggestion", name: "rt", metric: "loss", x: lrs[18], y: 5, label: "steepest" },
        { kind: "divergence", name: "rt", x: lrs[39], y: null, label: "loss off the scale from lr 1 (30)" },
      ],
    };
    const spec = toVegaLite(make_figure([src], { kind: "range_test" }).payload) as { vconcat: { layer: { layer?: { mark: Record<string, unknown> }[] }[] }[] };
    const text = spec.vconcat[0].layer.flatMap((l) => l.layer ?? []).map((l) => l.mark).filter((m) => m.type === "text" && m.color === "#d62728" && m.fontSize === 10 && (m.y as number) < 0);
    expect(text).toHaveLength(1);
    expect(text[0].align).toBe("right");
    const svg = bundle(make_figure([src], { kind: "range_test" }))[SVG_MIME] as string;
    expect(svg).toContain("loss off the scale from lr 1 (30)");
  });
});
