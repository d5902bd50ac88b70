/**
 * Tab after `opt.param_groups[0].` offers exactly the keys the optimizer's groups hold (its
 * options with their defaults filled in, `lr` and `params`; optim/groups.ts), for every
 * optimizer: before, only `lr`, `params` and `param_names` were typed (a user pass, session 28,
 * looked for `momentum` and `betas` there). `param_names` (present for named parameters) is
 * offered too.
 */
import { describe, expect, it } from "vitest";
import { tmpdir } from "node:os";
import { DIST, Engine, makePrelude } from "./dist";

const OPTIMIZERS = ["Adadelta", "Adafactor", "Adagrad", "Adam", "Adamax", "AdamW", "ASGD", "LBFGS", "Muon", "NAdam", "RAdam", "RMSprop", "Rprop", "SGD", "SparseAdam"];

describe("param_groups[0]. completes to the group's keys", () => {
  const engine = new Engine(makePrelude(DIST), tmpdir());
  for (const name of OPTIMIZERS) {
    it(name, () => {
      const v = `o_${name.toLowerCase()}`;
      const lr = name === "SGD" ? "{ lr: 0.1 }" : "{}";
      const r = engine.run(`const ${v} = new torch.optim.${name}([torch.zeros([2, 2], { requires_grad: true })], ${lr});\nObject.keys(${v}.param_groups[0]).join(",")`) as { value: unknown };
      const keys = String(r.value).split(",");
      const src = `${v}.param_groups[0].`;
      const offered = engine.complete(src, src.length).candidates;
      expect([...offered].sort()).toEqual([...new Set([...keys, "param_names"])].sort());
    }, 30_000);
  }

  it("a group's option has its type: SGD's momentum is a number, Adam's betas a pair", () => {
    expect(() => engine.run("const m: string = o_sgd.param_groups[0].momentum;")).toThrow(/Type 'number' is not assignable to type 'string'/);
    expect(() => engine.run("const b: number = o_adam.param_groups[0].betas;")).toThrow(/Type '\[number, number\]' is not assignable to type 'number'/);
    // other keys are still allowed, as in PyTorch's dict
    expect((engine.run("o_sgd.param_groups[0].note = 'mine';\no_sgd.param_groups[0].note") as { value: unknown }).value).toBe("mine");
  }, 30_000);
});
