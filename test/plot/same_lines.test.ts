/**
 * A static picture draws one line where the per-sample lr is the projected lr at every point (a
 * batch of 1, or a summed loss), with a note saying so: the two lines lay on top of each other and
 * the legend promised a dotted one that could not be seen (a reviewer of the companion notebooks).
 * With a batch of 4 both lines are drawn.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace } from "../../kernel/src/trace/index";
import { bundle, panelsFor, PLOT_MIME, type PlotPayload } from "../../kernel/src/plot/index";

function run(batch_size: number) {
  torch.manual_seed(0);
  const m = new torch.nn.Linear(3, 1);
  const o = new torch.optim.Adam(m.parameters(), { lr: 0.01 });
  const X = torch.randn(batch_size, 3), Y = torch.randn(batch_size, 1);
  const lf = new torch.nn.MSELoss();
  const t = trace(o, { name: `b${batch_size}`, batch_size });
  for (let k = 0; k < 12; k++) {
    o.zero_grad();
    const l = lf.forward(m.forward(X), Y);
    l.backward();
    t.log_loss(l);
    o.step();
  }
  t.stop();
  return bundle(t);
}

describe("per-sample lr equal to the projected lr: one line, and a note", () => {
  it("a batch of 1: the learning-rate panel draws the projected lr only, and says why", () => {
    const b = run(1);
    const panel = panelsFor(b[PLOT_MIME] as PlotPayload).find((p) => p.metrics.includes("lr_projected"))!;
    expect(panel.metrics).not.toContain("lr_per_sample");
    expect(panel.note).toContain("per-sample lr = projected lr here (a batch of 1, or a summed loss): one line");
    expect(b["image/svg+xml"] as string).toContain("per-sample lr = projected lr here");
    // the payload keeps the metric (the extension's selector shows it on its own)
    expect((b[PLOT_MIME] as PlotPayload).series.some((s) => s.metric === "lr_per_sample")).toBe(true);
  });

  it("a batch of 4: both lines", () => {
    const panel = panelsFor(run(4)[PLOT_MIME] as PlotPayload).find((p) => p.metrics.includes("lr_projected"))!;
    expect(panel.metrics).toContain("lr_per_sample");
    expect(panel.note ?? "").not.toContain("per-sample lr = projected lr");
  });
});
