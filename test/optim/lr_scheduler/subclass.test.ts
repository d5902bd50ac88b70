/**
 * A scheduler subclass written as in PyTorch: attributes set in the constructor after super(), or
 * as fields. JavaScript sets them only after super() returns, while the base constructor takes the
 * first step (epoch 0) inside it, so get_lr() read them as undefined: NaN rates, and the first
 * optimizer step made every weight NaN (a user's pass). The first step now waits for the
 * scheduler's (or its optimizer's) first use. Expected values are PyTorch 2.13's:
 *
 *   class Warm(LRScheduler):
 *       def __init__(self, opt, warm): self.warm = warm; super().__init__(opt)
 *       def get_lr(self): return [b * min(1, (self.last_epoch + 1) / self.warm) for b in self.base_lrs]
 *   p = nn.Parameter(torch.ones(2)); opt = SGD([p], lr=0.1); s = Warm(opt, 4)
 *   lrs: 0.025 (after construction), then after each opt.step(); s.step(): 0.05, 0.075, 0.1, 0.1, 0.1
 *   p after 5 steps: [0.46511998772621155, 0.46511998772621155]; s.last_epoch 5
 */
import { describe, expect, it } from "vitest";
import { ones } from "../../../kernel/src/tensor/index";
import { Parameter } from "../../../kernel/src/nn/parameter";
import { SGD } from "../../../kernel/src/optim/sgd";
import { LRScheduler } from "../../../kernel/src/optim/lr_scheduler/index";

class Warm extends LRScheduler {
  constructor(opt: SGD, public warm: number) {
    super(opt);
  }
  override get_lr(): number[] {
    return this.base_lrs.map((b) => b * Math.min(1, (this.last_epoch + 1) / this.warm));
  }
}

class WarmField extends LRScheduler {
  warm = 4;
  override get_lr(): number[] {
    return this.base_lrs.map((b) => b * Math.min(1, (this.last_epoch + 1) / this.warm));
  }
}

/** Attributes read through another object: a TypeError while they are missing. */
class Table extends LRScheduler {
  table: { at: number[] };
  constructor(opt: SGD) {
    super(opt);
    this.table = { at: [0.5, 0.25, 0.125] };
  }
  override get_lr(): number[] {
    return this.base_lrs.map((b) => b * this.table.at[Math.min(this.last_epoch, 2)]);
  }
}

function train(make: (opt: SGD) => LRScheduler) {
  const p = new Parameter(ones(2));
  const opt = new SGD([p], { lr: 0.1 });
  const s = make(opt);
  const lrs = [s.get_last_lr()[0]];
  for (let i = 0; i < 5; i++) {
    opt.zero_grad();
    p.pow(2).sum().backward();
    opt.step();
    s.step();
    lrs.push(opt.param_groups[0].lr);
  }
  return { lrs, p: p.tolist() as number[], s, opt };
}

describe("a scheduler subclass whose attributes are set after super() (PyTorch's way of writing it)", () => {
  it("gives PyTorch's rates and weights, with the attribute set in the constructor or as a field", () => {
    for (const make of [(o: SGD) => new Warm(o, 4), (o: SGD) => new WarmField(o)]) {
      const { lrs, p, s } = train(make);
      expect(lrs.map((v) => +v.toFixed(12))).toEqual([0.025, 0.05, 0.075, 0.1, 0.1, 0.1]);
      expect(p[0]).toBeCloseTo(0.46511998772621155, 6);
      expect(s.last_epoch).toBe(5);
    }
  });

  it("takes the first step at the optimizer's first step when the scheduler was not used before", () => {
    const p = new Parameter(ones(2));
    const opt = new SGD([p], { lr: 0.1 });
    const s = new Warm(opt, 4);
    // until then the group keeps its starting rate
    expect(opt.param_groups[0].lr).toBe(0.1);
    p.pow(2).sum().backward();
    opt.step(); // steps with 0.025: p = 1 - 0.025 * 2
    expect(p.tolist()).toEqual([0.949999988079071, 0.949999988079071]);
    expect(s.last_epoch).toBe(0);
    expect(s.get_last_lr()).toEqual([0.025]);
  });

  it("an attribute read through another object (a TypeError while missing) waits too", () => {
    const { lrs } = train((o) => new Table(o));
    expect(lrs).toEqual([0.05, 0.025, 0.0125, 0.0125, 0.0125, 0.0125]);
  });

  it("a rate still not finite once the scheduler is used is an error that says what to set, and when", () => {
    class Broken extends LRScheduler {
      override get_lr(): number[] {
        return this.base_lrs.map(() => NaN);
      }
    }
    const opt = new SGD([new Parameter(ones(2))], { lr: 0.1 });
    const s = new Broken(opt);
    expect(() => s.get_last_lr()).toThrow(/^Broken\.get_lr\(\) returned \["NaN"\] for the schedule's first step \(epoch 0\)\. Every attribute get_lr\(\) reads must be set/);
    // the optimizer's step does not run with a NaN rate either
    const opt2 = new SGD([new Parameter(ones(2))], { lr: 0.1 });
    new Broken(opt2);
    expect(() => opt2.step()).toThrow(/Broken\.get_lr\(\) returned/);
  });
});
