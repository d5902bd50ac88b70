/**
 * Every invalid-hyperparameter message, as PyTorch 2.13.0 words it (each expected string was
 * printed by PyTorch for the same arguments), followed, where PyTorch does not say it, by what is
 * allowed: "Invalid learning rate: -0.1 (lr must be >= 0)". JS has one number type, so a Python
 * float with an integral value (`1.0`) prints as `1` here; every other value prints as Python's
 * repr would.
 */
import { describe, expect, test } from "vitest";
import * as optim from "../../kernel/src/optim/index";
import { tensorOf } from "./helpers";

/** [optimizer, options, PyTorch 2.13's message, what lrlab adds: what is allowed ("" when PyTorch says it)]. */
const CASES: [string, Record<string, unknown>, string, string][] = [
  ["SGD", { lr: -1 }, "Invalid learning rate: -1", " (lr must be >= 0)"],
  ["SGD", { lr: -0.1 }, "Invalid learning rate: -0.1", " (lr must be >= 0)"],
  ["SGD", { momentum: -0.5 }, "Invalid momentum value: -0.5", " (momentum must be >= 0)"],
  ["SGD", { weight_decay: -0.1 }, "Invalid weight_decay value: -0.1", " (weight_decay must be >= 0)"],
  ["SGD", { nesterov: true }, "Nesterov momentum requires a momentum and zero dampening",
    " (nesterov=True needs momentum > 0 and dampening = 0; got momentum=0, dampening=0)"],
  ["SGD", { nesterov: true, momentum: 0.9, dampening: 0.1 }, "Nesterov momentum requires a momentum and zero dampening",
    " (nesterov=True needs momentum > 0 and dampening = 0; got momentum=0.9, dampening=0.1)"],
  ["Adam", { lr: -1 }, "Invalid learning rate: -1", " (lr must be >= 0)"],
  ["Adam", { eps: -1e-8 }, "Invalid epsilon value: -1e-08", " (eps must be >= 0)"],
  ["Adam", { betas: [1.5, 0.999] }, "Invalid beta parameter at index 0: 1.5", " (betas must be in [0, 1))"],
  ["Adam", { betas: [1, 0.999] }, "Invalid beta parameter at index 0: 1", " (betas must be in [0, 1))"],
  ["Adam", { betas: [0.9, 1.0] }, "Invalid beta parameter at index 1: 1", " (betas must be in [0, 1))"],
  ["Adam", { weight_decay: -1 }, "Invalid weight_decay value: -1", " (weight_decay must be >= 0)"],
  ["AdamW", { betas: [-0.1, 0.9] }, "Invalid beta parameter at index 0: -0.1", " (betas must be in [0, 1))"],
  ["Adamax", { lr: -0.5 }, "Invalid learning rate: -0.5", " (lr must be >= 0)"],
  ["Adamax", { betas: [0.9, 2] }, "Invalid beta parameter at index 1: 2", " (betas must be in [0, 1))"],
  ["NAdam", { momentum_decay: -1 }, "Invalid momentum_decay value: -1", " (momentum_decay must be >= 0)"],
  ["NAdam", { eps: -1 }, "Invalid epsilon value: -1", " (eps must be >= 0)"],
  ["RAdam", { weight_decay: -2 }, "Invalid weight_decay value: -2", " (weight_decay must be >= 0)"],
  ["RMSprop", { lr: -1 }, "Invalid learning rate: -1", " (lr must be >= 0)"],
  ["RMSprop", { eps: -1 }, "Invalid epsilon value: -1", " (eps must be >= 0)"],
  ["RMSprop", { momentum: -1 }, "Invalid momentum value: -1", " (momentum must be >= 0)"],
  ["RMSprop", { weight_decay: -1 }, "Invalid weight_decay value: -1", " (weight_decay must be >= 0)"],
  ["RMSprop", { alpha: -1 }, "Invalid alpha value: -1", " (alpha must be >= 0)"],
  ["Adagrad", { lr: -1 }, "Invalid learning rate: -1", " (lr must be >= 0)"],
  ["Adagrad", { lr_decay: -1 }, "Invalid lr_decay value: -1", " (lr_decay must be >= 0)"],
  ["Adagrad", { weight_decay: -1 }, "Invalid weight_decay value: -1", " (weight_decay must be >= 0)"],
  ["Adagrad", { initial_accumulator_value: -1 }, "Invalid initial_accumulator_value value: -1",
    " (initial_accumulator_value must be >= 0)"],
  ["Adagrad", { eps: -1 }, "Invalid epsilon value: -1", " (eps must be >= 0)"],
  ["Adadelta", { lr: -1 }, "Invalid learning rate: -1", " (lr must be >= 0)"],
  ["Adadelta", { rho: 1.5 }, "Invalid rho value: 1.5", " (rho must be in [0, 1])"],
  ["Adadelta", { eps: -1 }, "Invalid epsilon value: -1", " (eps must be >= 0)"],
  ["Adadelta", { weight_decay: -1 }, "Invalid weight_decay value: -1", " (weight_decay must be >= 0)"],
  ["ASGD", { lr: -1 }, "Invalid learning rate: -1", " (lr must be >= 0)"],
  ["ASGD", { weight_decay: -1 }, "Invalid weight_decay value: -1", " (weight_decay must be >= 0)"],
  ["Rprop", { lr: -1 }, "Invalid learning rate: -1", " (lr must be >= 0)"],
  ["Rprop", { etas: [1.5, 1.2] }, "Invalid eta values: 1.5, 1.2", " (etas must be [etaminus, etaplus] with 0 < etaminus < 1 < etaplus)"],
  ["Rprop", { etas: [0.5, 0.9] }, "Invalid eta values: 0.5, 0.9", " (etas must be [etaminus, etaplus] with 0 < etaminus < 1 < etaplus)"],
  ["Adafactor", { lr: -1 }, "Learning rate should be >= 0 but is: -1", ""],
  ["Adafactor", { beta2_decay: 0.5 }, "beta2_decay should be <= 0 but is: 0.5", ""],
  ["Adafactor", { eps: [-1, 0.001] }, "epsilon1 should be >= 0 but is: -1", ""],
  ["Adafactor", { eps: [null, -1] }, "epsilon2 should be >= 0 but is: -1", ""],
  ["Adafactor", { d: 0.5 }, "Clipping threshold d should be >= 1 but is: 0.5", ""],
  ["Adafactor", { weight_decay: -1 }, "weight_decay should be >= 0 but is: -1", ""],
  ["Muon", { lr: -1 }, "Learning rate should be >= 0 but is: -1", ""],
  ["Muon", { momentum: -1 }, "momentum should be >= 0 but is: -1", ""],
  ["Muon", { weight_decay: -1 }, "weight decay should be >= 0 but is: -1", ""],
  ["Muon", { adjust_lr_fn: "foo" }, "Adjust learning rate function foo is not supported",
    ' (adjust_lr_fn must be "original", "match_rms_adamw" or null)'],
  ["LBFGS", { lr: -1 }, "Invalid learning rate: -1", " (lr must be >= 0)"],
];

describe("invalid hyperparameters are rejected with PyTorch's messages", () => {
  for (const [name, options, pytorch, allowed] of CASES) {
    const message = pytorch + allowed;
    test(`${name}(${JSON.stringify(options)}) → ${message}`, () => {
      const p = tensorOf([0, 0, 0, 0], [2, 2], "float32", true);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const Cls = (optim as any)[name];
      let err: unknown;
      try {
        new Cls([p], options);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toBe(message);
      // PyTorch's text comes first, so code matching PyTorch's message still matches.
      expect((err as Error).message.startsWith(pytorch)).toBe(true);
    });
  }

  test("Adafactor's eps is a pair [eps1, eps2]: one number is refused saying so (PyTorch: TypeError, 'float' object is not subscriptable)", () => {
    const p = tensorOf([0, 0, 0, 0], [2, 2], "float32", true);
    for (const [eps, shown] of [[1e-3, "0.001"], [-1e-8, "-1e-08"], [[1e-3], "[0.001]"], [[1e-30, "x"], "[1e-30, x]"]] as const) {
      let err: unknown;
      try {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        new optim.Adafactor([p], { eps: eps as any });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TypeError);
      expect((err as Error).message).toBe(
        "Adafactor: eps must be a pair [eps1, eps2] (eps1 a number >= 0, or null for the dtype's machine epsilon; " +
          `eps2 a number >= 0; default [null, 0.001]), but got ${shown}`,
      );
    }
    expect(new optim.Adafactor([p], { eps: [null, 1e-2] }).param_groups[0].eps).toEqual([null, 0.01]);
    expect(new optim.Adafactor([p], { eps: [1e-30, 1e-2] }).param_groups[0].eps).toEqual([1e-30, 0.01]);
  });

  test("Muon rejects a parameter that is not 2-D", () => {
    expect(() => new optim.Muon([tensorOf([0, 0, 0], [3], "float32", true)])).toThrow(
      "Muon only supports 2D parameters whereas we found a parameter with size: torch.Size([3])",
    );
  });

  test("a learning rate that is not a number is refused with what is allowed", () => {
    const p = tensorOf([0], [1], "float32", true);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(() => new optim.SGD([p], { lr: "0.1" as any })).toThrow("lr must be a number or a 1-element Tensor, got string");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(() => new optim.Adam([p], { betas: [0.9] as any })).toThrow("betas must be an array of two numbers");
  });

  test("foreach, fused, capturable and differentiable are accepted and kept in the group", () => {
    const p = tensorOf([0], [1], "float32", true);
    const opt = new optim.Adam([p], { foreach: true, capturable: true });
    expect(opt.param_groups[0].foreach).toBe(true);
    expect(opt.param_groups[0].capturable).toBe(true);
    expect(opt.param_groups[0].fused).toBe(null);
    expect(() => new optim.Adam([p], { fused: true, foreach: true })).toThrow("`fused` and `foreach` cannot be `True` together.");
  });
});
