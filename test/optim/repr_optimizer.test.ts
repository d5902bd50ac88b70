/**
 * `console.log(optimizer)` prints what the cell's echo prints (PyTorch's `Adam (Parameter Group 0
 * ...)`, the optimizer's toString), not the raw object with its defaults, state and hooks.
 */
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { zeros } from "../../kernel/src/tensor/index";
import { Adam, SGD } from "../../kernel/src/optim/index";
import { Optimizer } from "../../kernel/src/optim/optimizer";
import { textOf } from "../../kernel/src/kernel/mime";

describe("optimizer printout in console.log", () => {
  it("util.inspect gives the PyTorch printout, as the echo does", () => {
    const adam = new Adam([zeros(2, { requires_grad: true })], { lr: 0.01 });
    expect(inspect(adam)).toBe(textOf(adam));
    expect(inspect(adam)).toMatch(/^Adam \(\nParameter Group 0\n    amsgrad: False\n/);
    // nested in a plain object too (as console.log({ opt }) shows it)
    expect(inspect({ opt: new SGD([zeros(1, { requires_grad: true })], { lr: 0.1 }) })).toMatch(/opt: SGD \(\n\s*Parameter Group 0/);
  });

  it("a user's own optimizer inherits it", () => {
    class Plain extends Optimizer {
      constructor(params: ReturnType<typeof zeros>[]) {
        super(params, { lr: 0.5 });
      }
      step(): undefined { return undefined; }
    }
    expect(inspect(new Plain([zeros(1, { requires_grad: true })]))).toBe("Plain (\nParameter Group 0\n    lr: 0.5\n)");
  });
});
