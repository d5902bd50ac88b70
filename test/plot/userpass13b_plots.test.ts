/**
 * A researcher's pass (userpass13b), the plot's side: each test failed before its fix.
 *   1  display(trace.bundle({ params: [name] })) shows the plot (it printed a JSON dump), and a
 *      misspelt name in `params` is an error saying the near one (it was ignored);
 *   3  per-parameter lines take the points the bytes allow: every step of a short run (a 40-step
 *      run of 12 tensors had 10 points a line in a bundle far under its budget).
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace } from "../../kernel/src/trace/index";
import { bundle, PLOT_MIME, SAVED_BUDGET, SVG_MIME, TEXT_MIME, type MimeBundle, type PlotPayload } from "../../kernel/src/plot/index";
import { bundleOf } from "../../kernel/src/kernel/mime";
import { connectPrelude, display } from "../../kernel/src/kernel/prelude";
import { savedBytes } from "./saved";

/** `layers` × Linear(16, 16) (2 tensors each), AdamW, `steps` steps, per_param. */
function perParamRun(layers: number, steps: number) {
  torch.manual_seed(0);
  const model = new torch.nn.Sequential(...Array.from({ length: layers }, () => new torch.nn.Linear(16, 16)));
  const opt = new torch.optim.AdamW(model.named_parameters(), { lr: 3e-3 });
  const t = trace(opt, { per_param: true, batch_size: 8, name: "up13b-pp" });
  const x = torch.randn(8, 16), y = torch.randn(8, 16);
  for (let s = 0; s < steps; s++) {
    opt.zero_grad();
    const l = new torch.nn.MSELoss().forward(model.forward(x), y);
    l.backward();
    t.log_loss(l);
    opt.step();
  }
  t.stop();
  return t;
}

const paramLines = (b: MimeBundle) => (b[PLOT_MIME] as PlotPayload).series.filter((s) => s.param);

describe("1: display(trace.bundle({ params }))", () => {
  const t = perParamRun(2, 6);

  it("a bundle displays as its mime types, not as a JSON dump of them", () => {
    const b = t.bundle({ params: ["1.weight"] });
    const shown = bundleOf(b);
    expect(Object.keys(shown).sort()).toEqual(Object.keys(b).sort());
    expect(shown[PLOT_MIME]).toBe(b[PLOT_MIME]);
    expect(String(shown[TEXT_MIME])).toMatch(/^Effective learning rate/);
    // through display(), as a cell calls it
    const sent: MimeBundle[] = [];
    connectPrelude({ display: (data) => { sent.push(data); }, clear_output: () => {}, input: () => "" });
    try {
      display(b);
      display(b, { raw: true });
    } finally {
      connectPrelude(null);
    }
    expect(sent.map((d) => Object.keys(d).sort())).toEqual([Object.keys(b).sort(), Object.keys(b).sort()]);
    // the mark is not data: JSON, spreads and the saved size hold the mime types only
    expect(Object.keys(JSON.parse(JSON.stringify(b))).sort()).toEqual([PLOT_MIME, "application/vnd.plotly.v1+json", SVG_MIME, TEXT_MIME].sort());
    expect(Object.keys({ ...b })).toEqual(Object.keys(b));
  });

  it("a plain object of mime types still displays as text (IPython's display(dict))", () => {
    const shown = bundleOf({ "text/html": "<b>hi</b>" });
    expect(Object.keys(shown)).toEqual([TEXT_MIME]);
    expect(String(shown[TEXT_MIME])).toContain("<b>hi</b>");
  });

  it("a misspelt parameter name is an error naming the near one and the traced ones", () => {
    expect(() => t.bundle({ params: ["1.weightt"] })).toThrow(
      /^bundle\(\{ params \}\): no parameter named "1\.weightt" \(did you mean 1\.weight\?\); traced: .*0\.weight/);
    expect(() => bundle(t, { params: ["nope"] })).toThrow(/no parameter named "nope"/);
    // the runs of %%lr_trace say it alike
    expect(() => t._repr_mimebundle_({ params: ["1.weightt"] })).toThrow(/did you mean 1\.weight\?/);
  });

  it("params of a trace without per-parameter lines is an error saying how to get them", () => {
    torch.manual_seed(0);
    const m = new torch.nn.Linear(2, 1);
    const opt = new torch.optim.SGD(m.parameters(), { lr: 0.1 });
    const plain = trace(opt);
    opt.zero_grad();
    m.forward(torch.randn(4, 2)).sum().backward();
    opt.step();
    plain.stop();
    expect(() => plain.bundle({ params: ["weight"] })).toThrow(/no per-parameter lines \(trace with per_param: true, or %%lr_trace --per-param/);
  });
});

describe("3: per-parameter lines take the points the bytes allow", () => {
  it("a 20-step run of 12 tensors: every parameter, every step", () => {
    const b = perParamRun(6, 20).bundle();
    const lines = paramLines(b);
    expect(new Set(lines.map((s) => s.param)).size).toBe(12);
    for (const s of lines) expect(s.x).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(savedBytes(b)).toBeLessThanOrEqual(SAVED_BUDGET);
  }, 60_000);

  it("a 10-step run of 12 tensors carries all 12 (one was left out at 67 KB)", () => {
    const b = perParamRun(6, 10).bundle();
    expect((b[PLOT_MIME] as PlotPayload).param_info).toMatchObject({ total: 12, omitted: 0 });
    for (const s of paramLines(b)) expect(s.x.length).toBe(10);
  }, 60_000);

  it("a 40-step run of 12 tensors: more than 10 points a line (every second step), within the budget", () => {
    const b = perParamRun(6, 40).bundle();
    const lines = paramLines(b);
    expect(new Set(lines.map((s) => s.param)).size).toBe(12);
    const points = Math.min(...lines.map((s) => s.x.length));
    expect(points).toBeGreaterThanOrEqual(20);
    // points of 2 steps draw no min–max band of merged steps (only the element-wise quantiles' own)
    for (const s of lines) if (s.metric === "lr_projected" || s.metric === "update_ratio") expect(s.min).toBeUndefined();
    expect(savedBytes(b)).toBeLessThanOrEqual(SAVED_BUDGET);
  }, 60_000);
});
