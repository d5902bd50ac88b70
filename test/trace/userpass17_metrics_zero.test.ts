/**
 * A practitioner's pass (userP findings 2 and 3):
 * - with `metrics: [...]` (`%%lr_trace --metrics lr_projected,angular_update`) a logged loss was
 *   dropped (no loss panel, series("loss") empty) while the summary printed it; the configured lr
 *   was not recorded, so the summary's "over the run" line and the plot's configured-lr line and
 *   rates legend were gone; the metrics asked for (angular_update, param_norm) were in the
 *   extension's menu only, not in the static picture. Now the lr and the loss are always
 *   recorded and the metrics asked for get panels of their own;
 * - a gradient exactly 0 looked healthy: a dead-ReLU MLP whose elements mostly had g = 0 read
 *   "lr_projected 0.01 ... no divergence", and an all-zero gradient read "lr_projected —" without
 *   a word. The summary now says both (summary_lines.ts zeroGradLines).
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { SGD } from "../../kernel/src/optim/index";
import { trace, Trace, type Trace as TraceT } from "../../kernel/src/trace/index";
import { panelsFor, PLOT_MIME, SVG_MIME, type PlotPayload } from "../../kernel/src/plot/index";
import { ZERO_GRAD_SHARE } from "../../kernel/src/trace/summary_lines";

const payloadOf = (b: Record<string, unknown>) => b[PLOT_MIME] as PlotPayload;

/** Linear(20, 1) under SGD(lr 0.01), `steps` steps, the loss logged (finding 2's cell). */
function linearRun(options: Record<string, unknown>, steps = 20): TraceT {
  torch.manual_seed(0);
  const X = torch.randn(64, 20);
  const Y = X.sum(1, true);
  torch.manual_seed(1);
  const m = new torch.nn.Linear(20, 1);
  const o = new torch.optim.SGD(m.parameters(), { lr: 0.01, weight_decay: 1e-3 });
  const t = trace(o, { batch_size: 64, ...options });
  const lf = new torch.nn.MSELoss();
  for (let i = 0; i < steps; i++) {
    o.zero_grad();
    const loss = lf.forward(m.forward(X), Y);
    loss.backward();
    t.log_loss(loss);
    o.step();
  }
  t.stop();
  return t;
}

describe("a metrics subset still records the loss and the configured lr", () => {
  const t = linearRun({ name: "m2", metrics: ["lr_projected", "angular_update", "param_norm"] });
  const all = linearRun({ name: "all" });

  it("a logged loss is recorded (series, plot) as without `metrics`", () => {
    expect(t.series("loss")!.columns().x.length).toBe(20);
    expect(t.series("loss")!.columns().mean).toEqual(all.series("loss")!.columns().mean);
    expect(payloadOf(t.bundle({ svg: false })).series.some((s) => s.metric === "loss")).toBe(true);
    // and survives a save (to_json / from_json)
    expect(Trace.from_json(JSON.parse(JSON.stringify(t.to_json()))).series("loss")!.columns().x.length).toBe(20);
  });

  it("the configured lr is recorded: the summary's 'over the run' line is there", () => {
    expect(t.series("lr")!.columns().mean.every((v) => v === 0.01)).toBe(true);
    const over = t.summary().find((l) => l.includes("over the run"));
    // (its medians are those of the series recorded: update_ratio's only when asked for)
    expect(over).toBe("    over the run: lr_projected median 0.009999");
    expect(all.summary()).toContain("    over the run: lr_projected median 0.009999, update_ratio median 0.08182");
    // the option keeps the list given (append compares it)
    expect(t.metrics).toEqual(["lr_projected", "angular_update", "param_norm"]);
  });

  it("the static figure draws every metric asked for, and its rates panel has the configured lr", () => {
    const p = payloadOf(t.bundle({ svg: false }));
    const panels = panelsFor(p);
    expect(panels[0].metrics).toEqual(expect.arrayContaining(["lr", "lr_projected"]));
    for (const m of ["angular_update", "param_norm"]) expect(panels.some((x) => x.metrics.includes(m)), m).toBe(true);
    // a trace recording every metric keeps those in the menu only (the usual panels)
    const usual = panelsFor(payloadOf(all.bundle({ svg: false })));
    expect(usual.some((x) => x.metrics.includes("angular_update") || x.metrics.includes("param_norm"))).toBe(false);
    expect(panels[0].title).toBe(usual[0].title);
  });

  it("the SVG has those panels and the rates legend of a run without `metrics`", () => {
    const svg = t.bundle()[SVG_MIME] as string;
    const usual = all.bundle()[SVG_MIME] as string;
    expect(svg).toContain("angular update");
    expect(svg).toContain("parameter norm");
    // the rates panel's key of dashes: the configured lr's line beside the projected rate's
    for (const label of [">lr</text>", ">projected lr</text>"]) {
      expect(usual, label).toContain(label);
      expect(svg, label).toContain(label);
    }
  });
});

const param = (values: number[]) => new Tensor(Float64Array.from(values), [values.length], "float64", true);
const grad = (values: number[]) => new Tensor(Float64Array.from(values), [values.length], "float64");

describe("zero gradients are said, not shown as healthy rates", () => {
  it("a gradient exactly 0 at the last step explains the '—', with how many steps had ‖g‖ = 0", () => {
    const p = param([1, 2, 3]);
    const opt = new SGD([p], { lr: 0.1 });
    const t = trace(opt, { name: "deadall" });
    for (let i = 0; i < 10; i++) {
      p.grad = grad([0, 0, 0]);
      opt.step();
    }
    const s = t.summary();
    expect(s.find((l) => l.includes("group 0"))).toContain("lr_projected —");
    expect(s).toContain("  (—: the gradient is exactly 0 at step 9: no rate; ‖g‖ = 0 at 10 of 10 steps)");
    expect(s.some((l) => l.includes("NaN"))).toBe(false);
  });

  it("some steps with ‖g‖ = 0, the last one not: counted", () => {
    const p = param([1, 2]);
    const opt = new SGD([p], { lr: 0.1 });
    const t = trace(opt, { name: "some" });
    for (let i = 0; i < 10; i++) {
      p.grad = grad(i % 3 === 1 ? [0, 0] : [1, -1]); // steps 1, 4, 7
      opt.step();
    }
    expect(t.summary()).toContain("  ‖g‖ = 0 at 3 of 10 steps: no rate at those steps");
    // saved and loaded, the summary says the same
    expect(Trace.from_json(JSON.parse(JSON.stringify(t.to_json()))).summary()).toEqual(t.summary());
  });

  it(`from ${ZERO_GRAD_SHARE * 100}% of elements with g = 0 at the last step, the share is said; below, nothing`, () => {
    const p = param([1, 2, 3, 4, 5, 6, 7, 8]);
    const opt = new SGD([p], { lr: 0.1 });
    const t = trace(opt, { name: "mostly" });
    p.grad = grad([1, 1, 1, 1, 1, 0, 0, 0]); // 37.5%: silent
    opt.step();
    expect(t.summary().some((l) => l.includes("g = 0"))).toBe(false);
    p.grad = grad([1, 0, 0, 0, 0, 0, 0, 0]); // 87.5%
    opt.step();
    expect(t.summary()).toContain("  87.5% of the elements have g = 0 at step 1: left out of the element-wise rates; dead units or unused parameters?");
  });

  it("a dead-ReLU MLP (finding 3's cell): most elements have g = 0, and the summary says so", () => {
    torch.manual_seed(0);
    const X = torch.randn(64, 20);
    const Y = X.sum(1, true);
    torch.manual_seed(1);
    const md = new torch.nn.Sequential(new torch.nn.Linear(20, 64), new torch.nn.ReLU(), new torch.nn.Linear(64, 64), new torch.nn.ReLU(), new torch.nn.Linear(64, 1));
    torch.no_grad(() => { (md.get(0) as torch.nn.Linear).bias!.fill_(-100); });
    const od = new torch.optim.SGD(md.parameters(), { lr: 0.01 });
    const t = trace(od, { name: "dead", batch_size: 64 });
    const lf = new torch.nn.MSELoss();
    for (let i = 0; i < 5; i++) {
      od.zero_grad();
      const loss = lf.forward(md.forward(X), Y);
      loss.backward();
      t.log_loss(loss);
      od.step();
    }
    t.stop();
    // elements: 20·64+64 + 64·64+64 + 64+1 = 5569; with g ≠ 0 only the last bias and the second
    // layer's bias (ReLU(0 + b2) > 0 where b2 > 0) and the last weights of live units
    const line = t.summary().find((l) => l.includes("of the elements have g = 0 at step 4"));
    expect(line).toBeDefined();
    const pct = Number(/^ {2}([\d.]+)%/.exec(line!)![1]);
    expect(pct).toBeGreaterThan(95);
    expect(pct).toBeLessThan(100);
  });

  it("a step that is not finite (a NaN lr) says nothing of zeros: its count leaves out the non-finite updates", () => {
    // before: "100% of the elements have g = 0 ... dead units?" with ‖g‖ = 3.25 and no zero in g
    const p = param([1, 2, 3]);
    const opt = new SGD([p], { lr: 0.1 });
    opt.param_groups[0].lr = NaN; // set after construction, which refuses it
    const t = trace(opt, { name: "nanlr" });
    p.grad = grad([1.5, -2, 2]);
    opt.step();
    expect(t.diverged_at).not.toBeNull();
    expect(t.summary().some((l) => l.includes("g = 0"))).toBe(false);
  });

  it("a healthy run says nothing of zeros", () => {
    const t = linearRun({ name: "healthy" });
    expect(t.summary().some((l) => l.includes("g = 0") || l.includes("‖g‖ = 0"))).toBe(false);
  });
});
