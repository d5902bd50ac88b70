/**
 * What the static picture (the SVG nbconvert exports alone, and the plotly JSON) carries, from a
 * lecturer's and an engineer's report-only passes (session 21):
 * - a comparison's caption keeps every run's headline and "group k:" lines (it stopped after 12
 *   lines, "… (7 more lines in the text summary)": a third run's numbers were nowhere in the HTML);
 * - a preview past T_max says so once (caption and panel note said it twice);
 * - the panels share one x domain (a preview past the run drew the lr panel over 0–48 and the loss
 *   panel over 0–23, under the loss panel's tick labels alone);
 * - the preconditioned band's note names the parameters a per_param trace carries, and does not ask
 *   for --per-param when it is on; two bands in one panel differ in opacity and a note names them.
 */
import { numberMinus } from "../../kernel/src/plot/ticks";
import { describe, expect, it } from "vitest";
import * as vl from "vega-lite";
import * as torch from "../../kernel/src/index";
import * as lrlab from "../../kernel/src/tools";
import { trace } from "../../kernel/src/trace/index";
import { bundle, make_figure, panelsFor, PLOT_MIME, SVG_MIME, TEXT_MIME, previewAsRun, type PlotPayload } from "../../kernel/src/plot/index";
import { SAVED_BUDGET } from "../../kernel/src/plot/figure";
import { captionLines, toVegaLite } from "../../kernel/src/plot/svg";
import { toPlotly } from "../../kernel/src/plot/plotly";
import type { Tensor } from "../../kernel/src/tensor/tensor";

/** The text of every <text>/<tspan> of an SVG, unescaped, no-break spaces as spaces. */
const texts = (svg: string) => [...svg.matchAll(/<text\b[^>]*>(.*?)<\/text>/g)]
  .flatMap((m) => (m[1].includes("<tspan") ? [...m[1].matchAll(/<tspan\b[^>]*>([^<]*)<\/tspan>/g)].map((t) => t[1]) : [m[1]]))
  .map((t) => t.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/\u00a0/g, " "));

/** A run of two param groups (weight, bias at half its lr), `steps` steps, loss logged. */
function twoGroups(name: string, lr: number, Opt: any, options: Record<string, unknown> = {}, steps = 30) {
  torch.manual_seed(0);
  const X = torch.randn(64, 4), Y = X.matmul(torch.randn(4, 1));
  const model = new torch.nn.Linear(4, 1);
  const opt = new Opt([{ params: [model.weight], lr }, { params: [model.bias], lr: lr / 2 }], { lr, ...options });
  const t = lrlab.trace(opt, { name, batch_size: 16 });
  const lf = new torch.nn.MSELoss();
  for (let i = 0; i < steps; i++) {
    opt.zero_grad();
    const l = lf.forward(model.forward(X), Y) as Tensor;
    l.backward();
    t.log_loss(l);
    opt.step();
  }
  t.stop();
  return t;
}

describe("a comparison's caption (Y 3)", () => {
  const runs = { sgd_b16: twoGroups("sgd_b16", 0.01, torch.optim.SGD, { momentum: 0.9 }), sgd_b64: twoGroups("sgd_b64", 0.04, torch.optim.SGD), adam: twoGroups("adam", 1e-3, torch.optim.Adam) };
  const b = lrlab.bundle(runs, {});

  it("keeps every run's headline and group lines, whatever the cap, and says what is left to the text", () => {
    const summary = String(b[TEXT_MIME]).split("\n");
    const shown = texts(b[SVG_MIME] as string).join("\n");
    const kept = summary.filter((l) => !l.startsWith(" ") || /^ +group \d+:/.test(l)).slice(1);
    expect(kept.length).toBe(9);
    // (its numbers with the ticks' minus sign: ticks.ts numberMinus)
    for (const line of kept) for (const word of numberMinus(line).trim().split(" ")) expect(shown, line).toContain(word);
    expect(shown).toContain("adam (Adam): 30 steps");
    expect(shown).toMatch(/… \(\d+ more lines in the text summary\)/);
    expect(JSON.stringify(b).length).toBeLessThan(SAVED_BUDGET);
  });

  it("captionLines: the other lines fill what is left, in their order", () => {
    const group = (g: number) => `  group ${g}: lr 0.1`;
    const summary = ["T", ...["a", "b", "c", "d"].flatMap((r) => [`${r} (SGD): 5 steps`, group(0), group(1), "  loss 1", "  no divergence"])];
    const lines = captionLines(summary, "T").map((l) => l.replace(/\u00a0/g, " "));
    // 12 headline and group lines, then the marker: no room for the others
    expect(lines).toHaveLength(13);
    expect(lines.filter((l) => /\(SGD\)|group/.test(l))).toHaveLength(12);
    expect(lines[12]).toBe("… (8 more lines in the text summary)");
    // two runs: room for the others, in their order
    const two = captionLines(summary.slice(0, 11), "T").map((l) => l.replace(/\u00a0/g, " "));
    expect(two).toEqual(summary.slice(1, 11));
  });
});

describe("a preview past T_max (Y 7)", () => {
  it("says so once in the picture: over the lr panel, not again in the caption", () => {
    const pv = lrlab.preview((o: any) => new torch.optim.lr_scheduler.CosineAnnealingLR(o, { T_max: 50 }), { steps: 80 });
    const b = pv.bundle();
    expect(String(b[TEXT_MIME])).toContain("is past T_max=50");
    const shown = texts(b[SVG_MIME] as string).join(" ");
    expect(shown.match(/past T_max/g)).toHaveLength(1);
  });
});

describe("one x domain for every panel (X F3)", () => {
  it("a preview past the run: the lr and loss panels share the x scale, so the run's steps line up", () => {
    torch.manual_seed(0);
    const model = new torch.nn.Linear(4, 1);
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    const t = lrlab.trace(opt, { name: "fast" });
    for (let i = 0; i < 12; i++) {
      opt.zero_grad();
      const l = model.forward(torch.randn(8, 4)).pow(2).mean() as Tensor;
      l.backward();
      t.log_loss(l);
      opt.step();
    }
    t.stop();
    const pv = lrlab.preview((o: any) => new torch.optim.lr_scheduler.LinearLR(o, { start_factor: 1, end_factor: 0, total_iters: 24 }), { steps: 24 });
    const payload = lrlab.bundle({ fast: t, "pv (preview)": previewAsRun(pv, "pv (preview)") }, { default_metric: "lr" })[PLOT_MIME] as PlotPayload;
    expect(panelsFor(payload).map((p) => p.metrics[0])).toEqual(["lr", "loss"]);
    const scales = (vl.compile(toVegaLite(payload) as any).spec.scales ?? []).map((s: any) => s.name);
    // one x scale over both panels (it was concat_0_x and concat_1_x, each over its own data)
    expect(scales.filter((n: string) => /(^|_)x$/.test(n))).toEqual(["x"]);
    // the legend draws the preview's entry dashed, as its line, the run's solid (it drew both solid)
    const svg = String(lrlab.bundle({ fast: t, "pv (preview)": previewAsRun(pv, "pv (preview)") }, { default_metric: "lr" })[SVG_MIME]);
    // (a legend symbol: a 10 px stroke, its entry's text after it)
    const entries = [...svg.matchAll(/<path transform="translate\(6,6\)" d="M-5,0L5,0"[^>]*?stroke-dasharray="([^"]*)"\/>.*?<text [^>]*>([^<]*)<\/text>/g)]
      .map((m) => [m[2], m[1]]);
    expect(entries).toEqual([["fast", "1,0"], ["pv (preview)", "6,3"]]);
  });
});

/** Adam on Linear → BatchNorm → Linear: the first Linear's bias has a float-noise gradient. */
function bnRun(per_param: boolean) {
  torch.manual_seed(0);
  const nn = torch.nn;
  const m = new nn.Sequential(new nn.Linear(4, 8), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Linear(8, 1));
  const opt = new torch.optim.Adam(m.parameters(), { lr: 1e-3 });
  const t = trace(opt, { name: "bn", ...(per_param ? { per_param: true, named_parameters: m.named_parameters() } : {}) });
  const X = torch.randn(16, 4), Y = torch.randn(16, 1), lf = new torch.nn.MSELoss();
  for (let k = 0; k < 20; k++) {
    opt.zero_grad();
    lf.forward(m.forward(X), Y).backward();
    opt.step();
  }
  t.stop();
  return bundle(t)[PLOT_MIME] as PlotPayload;
}

describe("the preconditioned band's note (X F7)", () => {
  it("with per-parameter lines, names the parameters whose factor reaches that far, and asks for nothing that is on", () => {
    const note = bnRun(true).notes?.find((n) => n.metrics.includes("lr_preconditioned"))?.text ?? "";
    expect(note).toMatch(/: here 0\.bias/);
    expect(note).not.toContain("--per-param");
    expect(note).toContain("an attention key bias");
  });

  it("without them, says per_param names them", () => {
    expect(bnRun(false).notes?.find((n) => n.metrics.includes("lr_preconditioned"))?.text).toContain("per_param: true (--per-param) names them");
  });
});

describe("two bands in one panel (Y 6)", () => {
  /** ρ and the factor of one group in one log panel, each with a band. */
  function payload(): PlotPayload {
    const x = Array.from({ length: 60 }, (_, i) => i);
    const bucket = (v: number, i: number) => ({ first_step: i, last_step: i, pushes: 1, count: 1, sum: v, mean: v, min: v, max: v, last: v });
    const band = (mid: number) => ({ buckets: x.map((i) => bucket(mid, i)), low: x.map((i) => bucket(mid / 3, i)), high: x.map((i) => bucket(mid * 3, i)) });
    return make_figure([{
      name: "adam",
      series: [
        { metric: "lr", group: 0, buckets: x.map((i) => bucket(1e-3, i)) },
        { metric: "lr_elementwise", group: 0, ...band(2e-3) },
        { metric: "lr_preconditioned", group: 0, ...band(1e-3) },
      ],
    }], { kind: "trace", default_metric: "lr_elementwise" }).payload;
  }

  it("differ in opacity in plotly and the SVG, and a note over the panel says whose is whose", () => {
    const p = payload();
    const panel = panelsFor(p).find((q) => q.metrics.includes("lr_elementwise") && q.metrics.includes("lr_preconditioned"))!;
    expect(panel.note).toContain("bands (each line's spread): element-wise lr darker, preconditioned lr lighter");
    const fills = (toPlotly(p).data as any[]).filter((d) => d.fill === "toself").map((d) => d.fillcolor);
    expect(new Set(fills).size).toBe(2);
    const spec = JSON.stringify(toVegaLite(p));
    expect(spec).toContain('"opacity":{"field":"band","type":"ordinal"');
  });
});
