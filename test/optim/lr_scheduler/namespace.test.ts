/** Users reach the schedulers as `torch.optim.lr_scheduler.X` with the real optimizers. */
import { describe, expect, it } from "vitest";
import * as torch from "../../../kernel/src/index";
import { scheduler_names } from "../../../kernel/src/optim/lr_scheduler/names";
import { swa_scheduler_names } from "../../../kernel/src/optim/swa_utils/names";

/**
 * lrlab's own helpers in the scheduler modules, with no counterpart among PyTorch's public names
 * of torch.optim.lr_scheduler (its `__all__`) or torch.optim.swa_utils. The magics and tests
 * import them from their modules; a cell must not meet them after `torch.optim.lr_scheduler.`.
 */
const INTERNAL = [
  "scheduler_names", // names.ts: the schedulers %lr_schedule accepts
  "swa_scheduler_names", // swa_utils/names.ts: the same for swa_utils (SWALR)
  "SchedulerName", // names.ts: the type of one of them (a type: never at run time, listed for completeness)
  "EPOCH_DEPRECATION_WARNING", // warnings.ts: the texts of PyTorch's UserWarnings
  "STEP_BEFORE_OPTIMIZER_WARNING",
  "STEP_OVERRIDDEN_WARNING",
  "GET_LR_OUTSIDE_STEP_WARNING",
  "warn",
  "ONE_CYCLE_ANNEAL_STRATEGIES", // the word lists each scheduler checks (and %lr_schedule offers)
  "SWALR_ANNEAL_STRATEGIES",
  "CYCLIC_MODES",
  "CYCLIC_SCALE_MODES",
  "PLATEAU_MODES",
  "PLATEAU_THRESHOLD_MODES",
];

/**
 * PyTorch 2.13's `torch.optim.lr_scheduler.__all__`, plus `_LRScheduler` (PyTorch's deprecated
 * alias of LRScheduler, still an attribute of the module).
 */
const PYTORCH = [
  "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
  "SequentialLR", "CosineAnnealingLR", "ChainedScheduler", "ReduceLROnPlateau", "CyclicLR",
  "CosineAnnealingWarmRestarts", "OneCycleLR", "PolynomialLR", "LRScheduler", "_LRScheduler",
];

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
    for (const name of scheduler_names) {
      expect(typeof (torch.optim.lr_scheduler as Record<string, unknown>)[name]).toBe("function");
    }
  });

  it("holds PyTorch's names and none of lrlab's internal helpers, at run time", () => {
    const lr_scheduler = torch.optim.lr_scheduler as Record<string, unknown>;
    for (const name of INTERNAL) expect(lr_scheduler[name], `torch.optim.lr_scheduler.${name}`).toBeUndefined();
    for (const name of INTERNAL) {
      expect((torch.optim.swa_utils as Record<string, unknown>)[name], `torch.optim.swa_utils.${name}`).toBeUndefined();
    }
    // exactly PyTorch's names: a helper added to index.ts later fails here, not in a user's Tab
    expect(Object.keys(lr_scheduler).sort()).toEqual([...PYTORCH].sort());
    for (const name of PYTORCH) expect(typeof lr_scheduler[name], name).toBe("function");
    // the internal lists still name exactly the namespaces' schedulers
    expect([...scheduler_names].sort()).toEqual(PYTORCH.filter((n) => !n.includes("LRScheduler")).sort());
    expect(swa_scheduler_names.every((n) => typeof (torch.optim.swa_utils as Record<string, unknown>)[n] === "function")).toBe(true);
  });
});
