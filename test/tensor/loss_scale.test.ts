/**
 * A mean-reduced loss scaled by a number keeps its mark (kernel/src/tensor/loss_scale.ts): the
 * samples it averaged and the factor, through div, mul, torch.div and the in-place forms; nothing
 * else carries one, and values, gradients and grad_fn are those of the plain ops. The tracer's
 * use of it (a step's loss under gradient accumulation) is in test/trace/userpass19_loss.test.ts.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { lossScale } from "../../kernel/src/tensor/loss_scale";
import { trace_all } from "../../kernel/src/trace/index";

const MEAN_SAMPLES = Symbol.for("lrlab.loss.mean_samples");
const samplesOf = (t: unknown) => (t as Record<symbol, unknown>)[MEAN_SAMPLES];

function meanLoss() {
  torch.manual_seed(3);
  const w = new torch.nn.Parameter(torch.randn(4, 1));
  const loss = new torch.nn.MSELoss().forward(torch.randn(8, 4).matmul(w), torch.randn(8, 1));
  return { w, loss };
}

describe("a mean loss scaled by a number keeps its mark", () => {
  it("div, mul, torch.div, true_divide, and chains of them: the samples, and the factor composed", () => {
    const { loss } = meanLoss();
    expect(samplesOf(loss)).toBe(8);
    expect(lossScale(loss)).toBe(1);
    for (const [t, f] of [
      [loss.div(4), 0.25], [loss.mul(0.5), 0.5], [torch.div(loss, 2), 0.5], [loss.true_divide(8), 0.125], [loss.mul(0.5).div(2), 0.25],
    ] as const) {
      expect(samplesOf(t)).toBe(8);
      expect(lossScale(t)).toBe(f);
      expect(t.item()).toBe(Math.fround(loss.item() * f));
    }
  });

  it("in place (div_, mul_) under no_grad: the factor follows the value", () => {
    const { loss } = meanLoss();
    const l = loss.detach();
    expect(samplesOf(l)).toBeUndefined(); // detach gives a new tensor: no mark (as loss.mean() has none)
    const v = loss.item();
    torch.no_grad(() => {
      loss.div_(4);
      expect(lossScale(loss)).toBe(0.25);
      loss.mul_(2);
      expect(lossScale(loss)).toBe(0.5);
    });
    expect(loss.item()).toBe(Math.fround(Math.fround(v / 4) * 2));
  });

  it("nothing else carries it: a tensor factor, a rounding division, a non-loss tensor, a zero or non-finite factor", () => {
    const { loss } = meanLoss();
    expect(samplesOf(loss.mul(torch.tensor(0.5)))).toBeUndefined();
    expect(samplesOf(loss.div(2, { rounding_mode: "floor" }))).toBeUndefined();
    expect(samplesOf(torch.ones([]).div(4))).toBeUndefined();
    expect(samplesOf(loss.mul(0))).toBeUndefined();
    expect(samplesOf(loss.div(0))).toBeUndefined();
  });

  it("the same values, gradient and grad_fn as without it", () => {
    const a = meanLoss(), b = meanLoss();
    const la = a.loss.div(4), lb = b.loss.mul(torch.tensor(0.25));
    expect(la.grad_fn?.name()).toBe("DivBackward0");
    la.backward();
    lb.backward();
    expect(Array.from(a.w.grad!.data)).toEqual(Array.from(b.w.grad!.data));
  });

  it("a %%lr_trace run (trace_all) given loss.div(4) per micro-batch, from its first step on: each step's loss is the sum of the four", () => {
    torch.manual_seed(4);
    const g = trace_all({ name: "loss-scale-g", batch_size: 32 });
    try {
      const m = new torch.nn.Linear(6, 5);
      const opt = new torch.optim.SGD(m.parameters(), { lr: 0.05 });
      const crit = new torch.nn.CrossEntropyLoss();
      const want: number[] = [];
      for (let s = 0; s < 4; s++) {
        opt.zero_grad();
        let tot = 0;
        for (let k = 0; k < 4; k++) {
          const loss = crit.forward(m.forward(torch.randn(8, 6)), torch.randint(0, 5, [8])).div(4);
          loss.backward();
          tot += loss.item();
          g.log_loss(loss);
        }
        want.push(tot);
        opt.step();
      }
      g.stop();
      const got = g.series("loss")!.columns().mean;
      expect(got.length).toBe(4);
      got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
      expect(g.summary().some((l) => l.includes("the batch_size given"))).toBe(false);
    } finally {
      g.stop();
    }
  });
});
