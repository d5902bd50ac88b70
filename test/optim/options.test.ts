/**
 * The options object of every optimizer is Python's keyword arguments (kernel/src/optim/options.ts):
 * an unknown key is PyTorch's TypeError ("__init__() got an unexpected keyword argument"), named,
 * with the accepted keys listed; a param group keeps any key, as PyTorch does, but one that looks
 * like a mistake is warned about.
 */
import { afterEach, beforeEach, describe, expect, test, vi, type MockInstance } from "vitest";
import * as optim from "../../kernel/src/optim/index";
import { OPTIMIZER_OPTIONS, type OptimizerName } from "../../kernel/src/optim/options";
import { tensorOf } from "./helpers";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const Cls = (name: string): any => (optim as any)[name];
const matrix = () => tensorOf([0, 0, 0, 0], [2, 2], "float32", true);

describe("an option the optimizer does not have is PyTorch's TypeError, naming it and listing the accepted ones", () => {
  test("the accepted keys are PyTorch 2.13's __init__ keyword arguments", () => {
    // /work/torchvenv/bin/python: [p for p in inspect.signature(torch.optim.X.__init__).parameters if p not in ("self", "params")]
    expect(OPTIMIZER_OPTIONS.SGD).toEqual(["lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize", "foreach", "differentiable", "fused"]);
    expect(OPTIMIZER_OPTIONS.AdamW).not.toContain("decoupled_weight_decay");
    expect(OPTIMIZER_OPTIONS.Adam).toContain("decoupled_weight_decay");
    expect(OPTIMIZER_OPTIONS.Muon).toEqual(["lr", "weight_decay", "momentum", "nesterov", "ns_coefficients", "eps", "ns_steps", "adjust_lr_fn"]);
    expect(OPTIMIZER_OPTIONS.Rprop).toEqual(["lr", "etas", "step_sizes", "capturable", "foreach", "maximize", "differentiable"]);
    expect(OPTIMIZER_OPTIONS.LBFGS).toEqual(["lr", "max_iter", "max_eval", "tolerance_grad", "tolerance_change", "history_size", "line_search_fn"]);
    expect(Object.keys(OPTIMIZER_OPTIONS).sort()).toEqual(
      ["ASGD", "Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS", "Muon", "NAdam", "RAdam", "RMSprop", "Rprop", "SGD", "SparseAdam"],
    );
    expect(OPTIMIZER_OPTIONS.SparseAdam).toEqual(["lr", "betas", "eps", "maximize"]);
  });

  // PyTorch 2.13: TypeError: SGD.__init__() got an unexpected keyword argument 'momentun' (and so on);
  // lrlab adds the option a typo meant (the first two), never a guess from a shared prefix
  // (LBFGS's maximize is not a misspelt max_iter).
  const meant: Record<string, string> = { momentun: "; did you mean 'momentum'?", weight_decy: "; did you mean 'weight_decay'?" };
  const cases: [OptimizerName, string][] = [
    ["SGD", "momentun"],
    ["Adam", "weight_decy"],
    ["Muon", "maximize"], // PyTorch's Muon has no maximize: lrlab minimised silently
    ["Rprop", "weight_decay"],
    ["LBFGS", "maximize"],
    ["AdamW", "decoupled_weight_decay"], // always on in AdamW
    ["SGD", "capturable"],
    ["Adamax", "fused"],
    ["Adagrad", "capturable"],
    ["Adafactor", "amsgrad"],
    ["NAdam", "amsgrad"],
    ["RAdam", "momentum"],
    ["RMSprop", "nesterov"],
    ["Adadelta", "betas"],
    ["ASGD", "momentum"],
    ["SparseAdam", "weight_decay"], // PyTorch's SparseAdam has no weight decay (nor foreach, fused, ...)
  ];
  for (const [name, key] of cases) {
    test(`${name}({ ${key} }) → TypeError`, () => {
      const accepted = OPTIMIZER_OPTIONS[name].join(", ");
      let err: unknown;
      try {
        new (Cls(name))([matrix()], { lr: 0.1, [key]: 0.9 });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TypeError);
      expect((err as Error).message).toBe(`${name}.__init__() got an unexpected keyword argument '${key}'; accepted: ${accepted}${meant[key] ?? ""}`);
    });
  }

  test("every accepted key is accepted by every optimizer (none of them is refused by the check)", () => {
    for (const name of Object.keys(OPTIMIZER_OPTIONS) as OptimizerName[]) {
      for (const key of OPTIMIZER_OPTIONS[name]) {
        let err: unknown;
        try {
          new (Cls(name))([matrix()], { [key]: undefined });
        } catch (e) {
          err = e;
        }
        expect(err, `${name}({ ${key} })`).toBeUndefined();
      }
    }
  });

  test("options that are not one object are Python's positional arguments (test/optim/positional.test.ts): lr, or a type error naming it", () => {
    expect(new (Cls("SGD"))([matrix()], 0.1).defaults.lr).toBe(0.1);
    expect(() => new (Cls("Adam"))([matrix()], [0.1])).toThrow(/Adam\.__init__\(\): argument 2 is 'lr', which takes a number or a 1-element Tensor, but got \[0\.1\] \(an array\)/);
  });
});

describe("param group keys: any key is kept, as in PyTorch; a likely mistake is warned about", () => {
  let warn: MockInstance;
  beforeEach(() => {
    warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  });
  afterEach(() => warn.mockRestore());
  const warnings = () => warn.mock.calls.map((c) => String(c[0]));

  test("a misspelt hyperparameter in add_param_group: kept (PyTorch keeps any key), with a did-you-mean warning", () => {
    const opt = new optim.SGD([matrix()], { lr: 0.1 });
    opt.add_param_group({ params: [matrix()], momentun: 0.9 });
    expect(opt.param_groups[1].momentun).toBe(0.9);
    expect(opt.param_groups[1].momentum).toBe(0);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatch(/^UserWarning: SGD: the param group key 'momentun' is not a hyperparameter of SGD \(did you mean 'momentum'\?\)/);
    expect(warnings()[0]).toContain("SGD's hyperparameters: lr, momentum, dampening, weight_decay, nesterov, maximize");
  });

  test("another optimizer's hyperparameter in a group given to the constructor (Muon has no maximize)", () => {
    new optim.Muon([{ params: [matrix()], maximize: true }], { lr: 0.02 });
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toContain("the param group key 'maximize' is not a hyperparameter of Muon (an option of other optimizers");
  });

  test("keys that are no hyperparameter at all (a group's name, initial_lr) pass without a word", () => {
    const opt = new optim.Adam([{ params: [matrix()], name: "encoder", initial_lr: 0.1 }], { lr: 0.1 });
    opt.add_param_group({ params: [matrix()], name: "head", lr: 0.01, betas: [0.8, 0.9] });
    expect(opt.param_groups.map((g) => g.name)).toEqual(["encoder", "head"]);
    expect(warnings()).toEqual([]);
  });

  test("once per optimizer and key", () => {
    const opt = new optim.Adam([{ params: [matrix()], weight_decy: 0.1 }, { params: [matrix()], weight_decy: 0.2 }]);
    opt.add_param_group({ params: [matrix()], weight_decy: 0.3 });
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toContain("(did you mean 'weight_decay'?)");
  });
});
