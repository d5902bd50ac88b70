/**
 * A note over the preconditioned-lr view when its band's top is elements with a second moment near
 * zero: Adam's γ/(√v̂+ε) of a bias before a norm layer (its gradient is float noise) is ~γ/ε, and
 * the band of a no-decay group reached 1e6 over a median of 1 with no word (a porter's pass). A
 * model without such a bias gets no note.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace } from "../../kernel/src/trace/index";
import { bundle, panelsFor, PLOT_MIME, type PlotPayload } from "../../kernel/src/plot/index";

function run(norm: boolean) {
  torch.manual_seed(0);
  const nn = torch.nn;
  const m = norm ? new nn.Sequential(new nn.Linear(4, 8), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Linear(8, 1))
    : new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 1));
  const opt = new torch.optim.Adam(m.parameters(), { lr: 1e-3 });
  const t = trace(opt, { name: "bn" });
  const X = torch.randn(16, 4), Y = torch.randn(16, 1), lf = new torch.nn.MSELoss();
  for (let k = 0; k < 20; k++) {
    opt.zero_grad();
    lf.forward(m.forward(X), Y).backward();
    opt.step();
  }
  t.stop();
  return bundle(t)[PLOT_MIME] as PlotPayload;
}

describe("the preconditioned band's outliers are said", () => {
  it("a bias before BatchNorm: the note, over the preconditioned view only", () => {
    const p = run(true);
    const note = p.notes?.find((n) => n.metrics.includes("lr_preconditioned"));
    expect(note?.text).toMatch(/^preconditioned band: q95 up to \S+, \S+× the median's largest \|value\| \S+ \(\d+ of \d+ points\): at least 5% of the elements have a second moment near zero/);
    expect(note?.metrics).toEqual(["lr_preconditioned"]);
    expect(note?.band_range).toBeUndefined();
    expect(panelsFor(p).some((q) => q.note?.includes("preconditioned band"))).toBe(true);
  });

  it("no such bias: no note", () => {
    expect(run(false).notes?.some((n) => n.metrics.includes("lr_preconditioned")) ?? false).toBe(false);
  });
});
