/**
 * /work/shared/EFFECTIVE_LR.md, last bullet: StepLR(step_size=5, gamma=0.5) from γ=0.1 stepped
 * once per epoch. The rate in force is 0.1 in epochs 0–4, 0.05 in 5–9, 0.025 from 10;
 * get_last_lr() read after each epoch's scheduler.step() gives 0.1 for epochs 0–3, 0.05 for 4–8,
 * 0.025 for 9.
 */
import { describe, expect, it } from "vitest";
import { zeros } from "../../../kernel/src/tensor/index";
import { SGD } from "../../../kernel/src/optim/sgd";
import { StepLR } from "../../../kernel/src/optim/lr_scheduler/index";
import { loadFixture } from "./specs";

describe("EFFECTIVE_LR.md: StepLR(step_size=5, gamma=0.5) from lr=0.1, one step per epoch", () => {
  const run = () => {
    const optimizer = new SGD([zeros(3, { requires_grad: true })], { lr: 0.1 });
    const scheduler = new StepLR(optimizer, { step_size: 5, gamma: 0.5 });
    const inForce: number[] = [];
    const afterStep: number[] = [];
    for (let epoch = 0; epoch < 12; epoch++) {
      inForce.push(optimizer.param_groups[0].lr);
      optimizer.step();
      scheduler.step();
      afterStep.push(scheduler.get_last_lr()[0]);
    }
    return { inForce, afterStep };
  };

  it("rate in force: 0.1 in epochs 0-4, 0.05 in 5-9, 0.025 from 10", () => {
    expect(run().inForce).toEqual([0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025]);
  });

  it("get_last_lr() after each epoch's step: 0.1 for epochs 0-3, 0.05 for 4-8, 0.025 for 9", () => {
    expect(run().afterStep.slice(0, 10)).toEqual([0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.025]);
  });

  it("is what PyTorch 2.13.0 prints (fixture StepLR(step_size=5, gamma=0.5), SGD lr=0.1)", () => {
    const c = loadFixture("StepLR").cases.find((x) => x.name === "StepLR(step_size=5, gamma=0.5), SGD lr=0.1");
    expect(c).toBeDefined();
    expect(c!.records.map((r) => r.last_lr[0])).toEqual(run().afterStep.slice(0, 10));
  });
});
