/**
 * Values at the edges, from a hostile tester's pass (session 17), through the library the magics
 * call and the magics' parser: each a clear error naming what was given.
 */
import { describe, expect, it } from "vitest";
import { parseArgs } from "../../kernel/src/magics/parser";
import { scale } from "../../kernel/src/trace/scale";
import { find, MAX_NUM_ITER } from "../../kernel/src/trace/find";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { SGD } from "../../kernel/src/optim/index";

describe("edge values", () => {
  it("an integer option given Infinity or NaN names it as written (it said 'got null')", () => {
    const spec = [{ name: "steps", type: "int" as const, help: "" }];
    expect(() => parseArgs("--steps Infinity", spec)).toThrow(/^--steps must be an integer, got Infinity$/);
    expect(() => parseArgs("--steps -Infinity", spec)).toThrow(/^--steps must be an integer, got -Infinity$/);
  });

  it("%lr_scale: a rule whose result overflows is an error, not 'lr Infinity'", () => {
    // linear: 1e308 × (1e308 / 1) overflows
    expect(() => scale({ rule: "linear", lr: 1e308, batch_size: 1, new_batch_size: 1e308 }))
      .toThrow("scale: the linear rule gives lr = Infinity for these values (it overflows a float64): check lr, batch_size and new_batch_size");
    expect(scale({ rule: "linear", lr: 0.1, batch_size: 256, new_batch_size: 1024 }).lr).toBeCloseTo(0.4, 15);
  });

  it("%lr_find: num_iter has an upper bound (1e9 was accepted and ran for ever; the valley rule is quadratic)", () => {
    const p = new Tensor(Float32Array.from([1]), [1], "float32", true);
    const opt = new SGD([p], { lr: 0.1 });
    expect(() => find(opt, () => 1, { num_iter: 1e9 })).toThrow(`find: num_iter must be an integer from 2 to ${MAX_NUM_ITER} (a range test takes 100 to 1000 steps), got 1000000000`);
    expect(MAX_NUM_ITER).toBe(10_000);
  });
});
