/**
 * A param-group key set after construction (`opt.param_groups[0].lrr = 0.01`) type-checks
 * (ParamGroup keeps any key, as PyTorch's dict) and changes nothing; `step()` warns about one that
 * looks like a mistake, as `add_param_group` does, once per optimizer and key (PyTorch does not
 * warn: a deliberate addition). A key that does not look like one (`name`) stays silent.
 */
import { afterEach, beforeEach, describe, expect, test, vi, type MockInstance } from "vitest";
import * as optim from "../../kernel/src/optim/index";
import { tensorOf } from "./helpers";

const param = () => tensorOf([1, 2, 3, 4], [2, 2], "float32", true);
const withGrad = (p: ReturnType<typeof param>) => {
  p.grad = tensorOf([1, 1, 1, 1], [2, 2], "float32");
  return p;
};

describe("step() warns about a param-group key set since the last check that looks like a mistake", () => {
  let warn: MockInstance;
  beforeEach(() => {
    warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  });
  afterEach(() => warn.mockRestore());
  const warnings = () => warn.mock.calls.map((c) => String(c[0]));

  test("param_groups[0].lrr = 0.01: a did-you-mean warning at the next step, once; lr unchanged", () => {
    const p = withGrad(param());
    const opt = new optim.SGD([p], { lr: 0.1 });
    opt.step();
    expect(warnings()).toHaveLength(0);
    opt.param_groups[0].lrr = 0.01;
    opt.step();
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatch(/^UserWarning: SGD: the param group key 'lrr' is not a hyperparameter of SGD \(did you mean 'lr'\?\)/);
    expect(opt.param_groups[0].lr).toBe(0.1);
    opt.step();
    opt.param_groups[0].lrr = 0.02;
    opt.step();
    expect(warnings()).toHaveLength(1);
    // four steps of lr = 0.1 (lrr changed nothing), in float32
    Array.from(p.data).forEach((v, i) => expect(v).toBeCloseTo(i + 1 - 0.4, 5));
  });

  test("another optimizer's hyperparameter set on a group (Adam has no momentum); a custom key (name) is silent", () => {
    const opt = new optim.Adam([withGrad(param())], { lr: 1e-3 });
    opt.param_groups[0].name = "encoder";
    opt.step();
    expect(warnings()).toHaveLength(0);
    opt.param_groups[0].momentum = 0.9;
    opt.step();
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toContain("the param group key 'momentum' is not a hyperparameter of Adam (an option of other optimizers");
  });

  test("a group added later is checked too, and a subclass's own step is covered (step is wrapped per instance)", () => {
    class Plain extends optim.Optimizer {
      constructor(params: optim.ParamsT, lr: number) {
        super(params, { lr });
      }
      step(): undefined {
        return undefined;
      }
    }
    const opt = new Plain([withGrad(param())], 0.1);
    opt.add_param_group({ params: [withGrad(param())] });
    opt.param_groups[1].Lr = 0.5;
    opt.step();
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toContain("the param group key 'Lr' is not a hyperparameter of Plain (did you mean 'lr'?)");
  });
});
