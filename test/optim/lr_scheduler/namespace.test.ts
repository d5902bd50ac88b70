/** Users reach the schedulers as `torch.optim.lr_scheduler.X` with the real optimizers. */
import { describe, expect, it } from "vitest";
import * as torch from "../../../kernel/src/index";

describe("torch.optim.lr_scheduler namespace", () => {
  it("new torch.optim.lr_scheduler.StepLR(new torch.optim.SGD(...), { step_size: 5, gamma: 0.5 })", () => {
    const optimizer = new torch.optim.SGD([torch.zeros(2, { requires_grad: true })], { lr: 0.1 });
    const scheduler = new torch.optim.lr_scheduler.StepLR(optimizer, { step_size: 5, gamma: 0.5 });
    for (let i = 0; i < 5; i++) {
      optimizer.step();
      scheduler.step();
    }
    expect(scheduler.get_last_lr()).toEqual([0.05]);
    expect(optimizer.param_groups[0].lr).toBe(0.05);
  });

  it("every name in scheduler_names is a class of the namespace", () => {
    for (const name of torch.optim.lr_scheduler.scheduler_names) {
      expect(typeof (torch.optim.lr_scheduler as Record<string, unknown>)[name]).toBe("function");
    }
  });
});
