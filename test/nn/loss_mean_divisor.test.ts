/**
 * The samples a mean-reduced loss is marked as averaging (_reduce.ts MEAN_SAMPLES) are what its mean
 * divided by: for NLLLoss / CrossEntropyLoss with class-index targets, PyTorch divides by the number
 * of targets not equal to ignore_index (by the sum of their class weights with `weight`), not by the
 * rows. A user's pass (userS 1.1): a padded token-level model (ignore_index PAD, ~300 of 512 tokens
 * real) read "45 of the losses logged averaged 512 samples" and was told --batch-size 512. Each test
 * failed before the fix.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { lossSamples, trace } from "../../kernel/src/trace/trace";

const F = torch.nn.functional;
const idx = (v: number[]) => torch.tensor(v, { dtype: "int64" });

describe("the divisor a classification loss's mean is marked with", () => {
  const x = torch.randn(6, 3);

  it("ignore_index: the non-ignored targets (CrossEntropyLoss, NLLLoss, F.*), label smoothing too", () => {
    const t = idx([0, 1, 2, -100, 1, -100]);
    expect(lossSamples(F.cross_entropy(x, t))).toBe(4);
    expect(lossSamples(new torch.nn.CrossEntropyLoss({ ignore_index: 1, label_smoothing: 0.1 }).forward(x, idx([0, 1, 2, 0, 1, 2])))).toBe(4);
    expect(lossSamples(F.nll_loss(x.log_softmax(1), t))).toBe(4);
    expect(lossSamples(new torch.nn.NLLLoss({ ignore_index: 2 }).forward(x.log_softmax(1), idx([2, 2, 2, 0, 1, 2])))).toBe(2);
    // the mean is the sum over those (PyTorch: sum / 4)
    expect(F.cross_entropy(x, t).item()).toBeCloseTo(F.cross_entropy(x, t, { reduction: "sum" }).item() / 4, 5);
  });

  it("class weights: the sum of the targets' weights; no ignore and no weight: the rows, as before", () => {
    const w = torch.tensor([1, 2, 0.5]);
    expect(lossSamples(F.cross_entropy(x, idx([0, 1, 2, 0, 1, 0]), { weight: w }))).toBe(7.5);
    expect(lossSamples(F.nll_loss(x.log_softmax(1), idx([0, 1, 2, -100, 1, -100]), { weight: w }))).toBe(5.5);
    expect(lossSamples(F.cross_entropy(x, idx([0, 1, 2, 0, 1, 0])))).toBe(6);
    // a sequence model's per-token loss ([N, C, T]): every token of the mean
    expect(lossSamples(F.cross_entropy(torch.randn(2, 3, 5), torch.randint(0, 3, [2, 5])))).toBe(10);
  });

  it("the tracer's batch-size hint then names the real counts (a range), and counts every loss logged", () => {
    torch.manual_seed(0);
    const m = new torch.nn.Linear(4, 3);
    const opt = new torch.optim.SGD(m.parameters(), { lr: 0.1 });
    const tr = trace(opt, { name: "div-hint", batch_size: 64 });
    const crit = new torch.nn.CrossEntropyLoss({ ignore_index: 0 });
    const targets = [idx([0, 1, 2, 1, 0, 2, 1, 1]), idx([0, 0, 2, 1, 0, 2, 0, 1])]; // 6 and 4 real
    for (let s = 0; s < 3; s++) {
      opt.zero_grad();
      for (const y of targets) {
        const l = crit.forward(m.forward(torch.randn(8, 4)), y);
        l.div(2).backward();
        tr.log_loss(l);
      }
      opt.step();
    }
    tr.stop();
    // each step's gradient: the two losses, of 6 and 4 real targets (session 20: the accumulated batch's hint)
    expect(tr.summary().filter((l) => l.includes("the batch_size given"))).toEqual([
      expect.stringMatching(/while each step's gradient averaged 10 samples \(2 losses, gradient accumulation\): .*lr_projected\/10 \(--batch-size 10,/),
    ]);
  });

  it("micro-batches whose counts add up differently from step to step: the hint names the losses' counts (a range)", () => {
    torch.manual_seed(0);
    const m = new torch.nn.Linear(4, 3);
    const opt = new torch.optim.SGD(m.parameters(), { lr: 0.1 });
    const tr = trace(opt, { name: "div-hint-range", batch_size: 64 });
    const crit = new torch.nn.CrossEntropyLoss({ ignore_index: 0 });
    const targets = [idx([0, 1, 2, 1, 0, 2, 1, 1]), idx([0, 0, 2, 1, 0, 2, 0, 1])]; // 6 and 4 real
    for (let s = 0; s < 3; s++) {
      opt.zero_grad();
      for (const y of s === 1 ? [targets[0], targets[0]] : targets) {
        const l = crit.forward(m.forward(torch.randn(8, 4)), y);
        l.div(2).backward();
        tr.log_loss(l);
      }
      opt.step();
    }
    tr.stop();
    expect(tr.summary().find((l) => l.includes("the batch_size given"))).toMatch(/while 6 of the losses logged averaged 4 to 6 samples: .*--batch-size 6,/);
  });

  it("a weighted loss's divisor (a sum of weights) reads as it is, the suggested --batch-size rounded", () => {
    const m = new torch.nn.Linear(4, 3);
    const opt = new torch.optim.SGD(m.parameters(), { lr: 0.1 });
    const tr = trace(opt, { name: "div-weighted", batch_size: 64 });
    const crit = new torch.nn.CrossEntropyLoss({ weight: torch.tensor([1, 2, 0.5]) });
    opt.zero_grad();
    const l = crit.forward(m.forward(torch.randn(6, 4)), idx([0, 1, 2, 0, 1, 0]));
    l.backward();
    tr.log_loss(l);
    opt.step();
    tr.stop();
    expect(tr.summary().find((x) => x.includes("the batch_size given"))).toMatch(/while 1 of the losses logged averaged 7\.5 samples: .*--batch-size 8,/);
  });
});
