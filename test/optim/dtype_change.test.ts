/**
 * An optimizer whose state was made for float32 parameters, stepped after `model.double()` (a
 * user's pass, session 20): Adam, AdamW, NAdam, RAdam and Adamax raise PyTorch's error from
 * `exp_avg.lerp_(grad, ...)`, with what to do; the optimizers whose state ops accept mixed dtypes
 * (SGD, RMSprop, Adagrad, Adadelta, ASGD, Rprop) step on, as in PyTorch 2.13 (checked with
 * /work/torchvenv: the same loop prints "ok" for those and the message below for the others).
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";

function stepAfterDouble(make: (ps: torch.Tensor[]) => torch.optim.Optimizer): () => void {
  torch.manual_seed(0);
  const m = new torch.nn.Linear(4, 2);
  const opt = make(m.parameters());
  m.forward(torch.randn(3, 4)).sum().backward();
  opt.step();
  opt.zero_grad();
  m.double();
  m.forward(torch.randn([3, 4], { dtype: "float64" })).sum().backward();
  return () => void opt.step();
}

describe("an optimizer's state made for float32, stepped after model.double()", () => {
  for (const [name, make] of [
    ["Adam", (ps: torch.Tensor[]) => new torch.optim.Adam(ps, { lr: 0.01 })],
    ["AdamW", (ps: torch.Tensor[]) => new torch.optim.AdamW(ps, { lr: 0.01 })],
    ["NAdam", (ps: torch.Tensor[]) => new torch.optim.NAdam(ps, { lr: 0.01 })],
    ["RAdam", (ps: torch.Tensor[]) => new torch.optim.RAdam(ps, { lr: 0.01 })],
    ["Adamax", (ps: torch.Tensor[]) => new torch.optim.Adamax(ps, { lr: 0.01 })],
  ] as const) {
    it(`${name}: PyTorch's RuntimeError, saying what changed and what to do`, () => {
      expect(stepAfterDouble(make)).toThrow(/^expected dtype float for `end` but got dtype double \(.*exp_avg is float32 and the gradient float64.*make the optimizer again/);
    });
  }
  for (const [name, make] of [
    ["SGD momentum", (ps: torch.Tensor[]) => new torch.optim.SGD(ps, { lr: 0.01, momentum: 0.9 })],
    ["RMSprop", (ps: torch.Tensor[]) => new torch.optim.RMSprop(ps, { lr: 0.01 })],
    ["Adagrad", (ps: torch.Tensor[]) => new torch.optim.Adagrad(ps, { lr: 0.01 })],
  ] as const) {
    it(`${name}: steps on, as in PyTorch`, () => {
      expect(stepAfterDouble(make)).not.toThrow();
    });
  }
});
