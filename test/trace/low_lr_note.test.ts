/**
 * The summary's "lr far too low?" line (summary_lines.ts lowLrLine): a run whose weights moved by
 * a median update ratio ‖Δ‖/‖θ‖ under 1e-5 per step while its loss changed by under 1% over the
 * run says so, with both numbers and the rule of thumb (updates of ~1e-3 of the weights per step).
 * A healthy run, a short one, and a run whose loss is not logged but whose updates are only small
 * (not under 1e-6) do not. (The loss's change is its trend since session 19: the mean of its last
 * quarter against its first; userpass19_loss.test.ts has the mini-batch cases.)
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace } from "../../kernel/src/trace/index";

function run(lr: number, steps: number, o: { log?: boolean } = {}) {
  torch.manual_seed(0);
  const m = new torch.nn.Sequential(new torch.nn.Linear(8, 16), new torch.nn.Tanh(), new torch.nn.Linear(16, 1));
  const opt = new torch.optim.SGD(m.parameters(), { lr });
  const X = torch.randn(64, 8), Y = torch.randn(64, 1);
  const lf = new torch.nn.MSELoss();
  const t = trace(opt, { name: "low", batch_size: 64 });
  for (let k = 0; k < steps; k++) {
    opt.zero_grad();
    const l = lf.forward(m.forward(X), Y);
    l.backward();
    if (o.log !== false) t.log_loss(l);
    opt.step();
  }
  t.stop();
  return t.summary();
}

const noteOf = (lines: string[]) => lines.find((l) => l.includes("lr far too low?"));

describe("lr far too low: said when the weights and the loss hardly move", () => {
  it("SGD at lr 1e-6 for 50 steps: the line, with the median ratio, the loss change and the rule of thumb", () => {
    const note = noteOf(run(1e-6, 50));
    expect(note).toMatch(/^ {4}lr far too low\? the updates moved the weights by a median (\S+) of their norm per step and the loss's trend changed by (\S+)% over 50 steps \(updates of ~1e-3 of the weights per step are a common rule of thumb\)$/);
    const [, ratio, change] = /median (\S+) of .* by (\S+)%/.exec(note!)!;
    expect(Number(ratio)).toBeGreaterThan(0);
    expect(Number(ratio)).toBeLessThan(1e-5);
    expect(Number(change)).toBeLessThan(1);
  });

  it("a healthy lr, a run under 10 steps, or updates only small without a logged loss: no line", () => {
    expect(noteOf(run(0.05, 50))).toBeUndefined();
    expect(noteOf(run(1e-6, 9))).toBeUndefined();
    // lr 1e-5: ratios ~1e-6 to 1e-5; without a loss only a ratio under 1e-6 is said
    const lines = run(3e-5, 50, { log: false });
    expect(noteOf(lines)).toBeUndefined();
    expect(noteOf(run(1e-8, 50, { log: false }))).toMatch(/median \S+ of their norm per step over 50 steps \(/);
  });
});
