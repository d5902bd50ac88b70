/**
 * PyTorch's UserWarnings, on console.warn (the kernel shows them on stderr), each once per
 * scheduler. Tests in this file run in order; each uses fresh schedulers.
 */
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { zeros } from "../../../kernel/src/tensor/index";
import { SGD } from "../../../kernel/src/optim/sgd";
import { ExponentialLR, ReduceLROnPlateau, StepLR } from "../../../kernel/src/optim/lr_scheduler/index";
import { EPOCH_DEPRECATION_WARNING } from "../../../kernel/src/optim/lr_scheduler/warnings";

const ORDER =
  "UserWarning: Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you " +
  "should call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this " +
  "will result in PyTorch skipping the first value of the learning rate schedule. See more details at " +
  "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate";

const sgd = () => new SGD([zeros(2, { requires_grad: true })], { lr: 0.1 });
let warn: MockInstance<(...args: unknown[]) => void>;

beforeEach(() => {
  warn = vi.spyOn(console, "warn").mockImplementation(() => {});
});
afterEach(() => warn.mockRestore());

describe("lr_scheduler warnings", () => {
  it("optimizer.step() then scheduler.step(): no warning", () => {
    const opt = sgd();
    const sched = new StepLR(opt, { step_size: 2 });
    for (let i = 0; i < 5; i++) {
      opt.step();
      sched.step();
    }
    expect(warn).not.toHaveBeenCalled();
  });

  it("scheduler.step() before optimizer.step(): PyTorch's warning, once", () => {
    const opt = sgd();
    const sched = new StepLR(opt, { step_size: 2 });
    sched.step();
    opt.step();
    sched.step();
    sched.step();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(ORDER);
  });

  it("wraps optimizer.step once and keeps its return value and arguments", () => {
    const opt = sgd();
    const original = opt.step;
    new StepLR(opt, { step_size: 2 });
    const wrapped = opt.step;
    expect(wrapped).not.toBe(original);
    new ExponentialLR(opt, { gamma: 0.9 });
    expect(opt.step).toBe(wrapped); // a second scheduler does not wrap again
    expect(opt.step(() => 1.5)).toBe(1.5); // the closure's loss comes back
    expect(Object.keys(opt)).not.toContain("step"); // the optimizer's own data is untouched
  });

  it("optimizer.step replaced after the scheduler was made: PyTorch's 'overridden' warning", () => {
    const opt = sgd();
    const sched = new StepLR(opt, { step_size: 2 });
    opt.step = () => undefined;
    opt.step();
    sched.step();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/^UserWarning: Seems like `optimizer.step\(\)` has been overridden/);
  });

  it("deprecated step(epoch): EPOCH_DEPRECATION_WARNING once per scheduler", () => {
    const opt = sgd();
    const sched = new StepLR(opt, { step_size: 2 });
    opt.step();
    sched.step(1);
    sched.step(2);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(`UserWarning: ${EPOCH_DEPRECATION_WARNING}`);
    expect(EPOCH_DEPRECATION_WARNING).toMatch(/^The epoch parameter in `scheduler.step\(\)` was not necessary/);
  });

  it("ReduceLROnPlateau.step(metric, epoch) also warns about the epoch argument", () => {
    const sched = new ReduceLROnPlateau(sgd());
    sched.step(1.0, 5);
    expect(sched.last_epoch).toBe(5);
    expect(warn).toHaveBeenCalledWith(`UserWarning: ${EPOCH_DEPRECATION_WARNING}`);
  });

  it("get_lr() called directly: points to get_last_lr()", () => {
    const opt = sgd();
    const sched = new StepLR(opt, { step_size: 2 });
    sched.get_lr();
    expect(warn).toHaveBeenCalledWith(
      "UserWarning: To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
    );
  });
});
