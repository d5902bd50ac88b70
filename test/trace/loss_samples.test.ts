/**
 * A torch.nn loss reduced by "mean" carries how many samples it averaged (_reduce.ts MEAN_SAMPLES),
 * and a trace whose declared batch_size differs says so in its summary, with both fixes: a batch of
 * 4096 declared over a data set of 2048 read lr_per_sample as γ/4096 where every batch held 2048
 * (a reviewer of the companion notebooks). Nothing is said when they agree, when a per-step batch
 * size is given, or without a declared batch size (the summary asks for one then).
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { trace } from "../../kernel/src/trace/index";
import { lossSamples } from "../../kernel/src/trace/trace";

function run(data: number, batch_size: number | undefined, perStep = false) {
  torch.manual_seed(0);
  const m = new torch.nn.Linear(4, 1);
  const opt = new torch.optim.SGD(m.parameters(), { lr: 0.01 });
  const X = torch.randn(data, 4), Y = torch.randn(data, 1);
  const lf = new torch.nn.MSELoss();
  const t = trace(opt, { name: "b", ...(batch_size !== undefined ? { batch_size } : {}) });
  for (let k = 0; k < 5; k++) {
    opt.zero_grad();
    const l = lf.forward(m.forward(X), Y);
    l.backward();
    if (perStep) t.record({ loss: l, batch_size: data });
    else t.log_loss(l);
    opt.step();
  }
  t.stop();
  return t.summary();
}

const noteOf = (lines: string[]) => lines.find((l) => l.includes("the batch_size given"));

describe("the samples a mean-reduced loss averaged", () => {
  it("are marked on the loss: the leading dimension (1 unbatched); sum and none carry none", () => {
    const x = torch.randn(6, 3), y = torch.randn(6, 3);
    expect(lossSamples(new torch.nn.MSELoss().forward(x, y))).toBe(6);
    expect(lossSamples(new torch.nn.CrossEntropyLoss().forward(torch.randn(5, 3), torch.tensor([0, 1, 2, 0, 1], { dtype: "int64" })))).toBe(5);
    expect(lossSamples(new torch.nn.CrossEntropyLoss().forward(torch.randn(3), torch.tensor(1, { dtype: "int64" })))).toBe(1);
    expect(lossSamples(new torch.nn.MSELoss({ reduction: "sum" }).forward(x, y))).toBeNull();
    // a loss computed from it is another tensor: not marked, but for one scaled by a number (tensor/loss_scale.ts)
    expect(lossSamples(new torch.nn.MSELoss().forward(x, y).add(2))).toBeNull();
    expect(lossSamples(new torch.nn.MSELoss().forward(x, y).div(2))).toBe(6);
  });

  it("a declared batch_size other than the losses' samples: the summary says so, with both readings", () => {
    const note = noteOf(run(2048, 4096));
    expect(note).toBe("  (lr_per_sample is lr_projected/4096, the batch_size given, while 5 of the losses logged averaged 2048 samples: "
      + "if a step's gradient is one such loss's, B is that (--batch-size 2048, or trace.record({ loss, batch_size }) before each step); "
      + "with gradients accumulated over several losses a step, 4096 may be right)");
  });

  it("nothing when they agree, with per-step batch sizes, or with no batch size declared", () => {
    expect(noteOf(run(64, 64))).toBeUndefined();
    expect(noteOf(run(2048, 4096, true))).toBeUndefined();
    expect(noteOf(run(64, undefined))).toBeUndefined();
  });
});
