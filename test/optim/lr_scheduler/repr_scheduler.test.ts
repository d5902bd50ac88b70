/**
 * How schedulers print: `Name(settings, last_epoch=N, lr=[...])`, the same in a cell's echo
 * (text/plain from toString, kernel/src/kernel/mime.ts) and in console.log (util.inspect),
 * instead of their fields, which held the whole optimizer and its parameters (~2 KB).
 */
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { zeros } from "../../../kernel/src/tensor/index";
import { SGD } from "../../../kernel/src/optim/sgd";
import * as S from "../../../kernel/src/optim/lr_scheduler/index";
import { textOf } from "../../../kernel/src/kernel/mime";

const sgd = (lrs = [0.1]) => new SGD(lrs.map((lr) => ({ params: [zeros(2, { requires_grad: true })], lr })), { momentum: 0.9 });

/** Echo and console.log of `s`, checked to be the same text. */
function shown(s: object): string {
  const echo = textOf(s);
  expect(inspect(s)).toBe(echo);
  return echo;
}

describe("scheduler repr", () => {
  it("StepLR: settings, epoch and last rate; echo = console.log = String()", () => {
    const opt = sgd();
    const s = new S.StepLR(opt, { step_size: 5, gamma: 0.5 });
    for (let i = 0; i < 7; i++) {
      opt.step();
      s.step();
    }
    expect(shown(s)).toBe("StepLR(step_size=5, gamma=0.5, last_epoch=7, lr=[0.05])");
    expect(String(s)).toBe("StepLR(step_size=5, gamma=0.5, last_epoch=7, lr=[0.05])");
  });

  it("every built-in scheduler, one rate per group", () => {
    const cases: [(o: SGD) => object, string][] = [
      [(o) => new S.LambdaLR(o, { lr_lambda: (e: number) => 0.9 ** e }), "LambdaLR(last_epoch=0, lr=[0.1, 0.01])"],
      [(o) => new S.MultiplicativeLR(o, { lr_lambda: () => 0.9 }), "MultiplicativeLR(last_epoch=0, lr=[0.1, 0.01])"],
      [(o) => new S.MultiStepLR(o, { milestones: [80, 30, 80] }), "MultiStepLR(milestones=[30, 80, 80], gamma=0.1, last_epoch=0, lr=[0.1, 0.01])"],
      [(o) => new S.ConstantLR(o, { factor: 0.5, total_iters: 3 }), "ConstantLR(factor=0.5, total_iters=3, last_epoch=0, lr=[0.05, 0.005])"],
      [(o) => new S.LinearLR(o, { start_factor: 0.5 }), "LinearLR(start_factor=0.5, end_factor=1, total_iters=5, last_epoch=0, lr=[0.05, 0.005])"],
      [(o) => new S.ExponentialLR(o, { gamma: 0.9 }), "ExponentialLR(gamma=0.9, last_epoch=0, lr=[0.1, 0.01])"],
      [(o) => new S.PolynomialLR(o, { power: 2 }), "PolynomialLR(total_iters=5, power=2, last_epoch=0, lr=[0.1, 0.01])"],
      [(o) => new S.CosineAnnealingLR(o, { T_max: 10, eta_min: 1e-5 }), "CosineAnnealingLR(T_max=10, eta_min=1e-05, last_epoch=0, lr=[0.1, 0.01])"],
      [(o) => new S.CosineAnnealingWarmRestarts(o, { T_0: 10, T_mult: 2 }), "CosineAnnealingWarmRestarts(T_0=10, T_mult=2, eta_min=0, T_cur=0, last_epoch=0, lr=[0.1, 0.01])"],
      [
        (o) => new S.CyclicLR(o, { base_lr: 0.01, max_lr: [0.1, 0.2], step_size_up: 3 }),
        "CyclicLR(base_lr=[0.01, 0.01], max_lr=[0.1, 0.2], step_size_up=3, mode='triangular', last_epoch=0, lr=[0.01, 0.01])",
      ],
      [
        (o) => new S.OneCycleLR(o, { max_lr: 1, total_steps: 100 }),
        "OneCycleLR(max_lr=[1, 1], total_steps=100, anneal_strategy='cos', last_epoch=0, lr=[0.040000000000000036, 0.040000000000000036])",
      ],
      [(o) => new S.ReduceLROnPlateau(o, { patience: 3 }), "ReduceLROnPlateau(mode='min', factor=0.1, patience=3, best=inf, num_bad_epochs=0, last_epoch=0, lr=[0.1, 0.01])"],
    ];
    for (const [make, expected] of cases) expect(shown(make(sgd([0.1, 0.01])))).toBe(expected);
  });

  it("composites list what they hold by settings only; subclasses get their parent's settings", () => {
    const o = sgd();
    const chained = new S.ChainedScheduler([new S.ConstantLR(o, { factor: 0.5, total_iters: 2 }), new S.ExponentialLR(o, { gamma: 0.9 })]);
    expect(shown(chained)).toBe("ChainedScheduler(schedulers=[ConstantLR(factor=0.5, total_iters=2), ExponentialLR(gamma=0.9)], lr=[0.05])");
    const o2 = sgd();
    const seq = new S.SequentialLR(o2, {
      schedulers: [new S.LinearLR(o2, { start_factor: 0.1, total_iters: 5 }), new S.StepLR(o2, { step_size: 3 })],
      milestones: [5],
    });
    expect(shown(seq)).toBe(
      "SequentialLR(schedulers=[LinearLR(start_factor=0.1, end_factor=1, total_iters=5), StepLR(step_size=3, gamma=0.1)], milestones=[5], last_epoch=0, lr=[0.010000000000000002])",
    );
    class Warm extends S.StepLR {}
    expect(shown(new Warm(sgd(), { step_size: 2 }))).toBe("Warm(step_size=2, gamma=0.1, last_epoch=0, lr=[0.1])");
    class Flat extends S.LRScheduler {
      override get_lr(): number[] {
        return this.base_lrs;
      }
    }
    expect(shown(new Flat(sgd()))).toBe("Flat(last_epoch=0, lr=[0.1])");
  });

  it("stays short whatever the optimizer holds", () => {
    const big = new SGD([zeros(1000, { requires_grad: true })], { lr: 0.1 });
    expect(shown(new S.StepLR(big, { step_size: 1 })).length).toBeLessThan(80);
  });
});
