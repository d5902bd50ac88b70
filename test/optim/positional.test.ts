/**
 * PyTorch's positional arguments for every optimizer and scheduler (kernel/src/optim/positional.ts):
 * `new SGD(params, 0.1)`, `new StepLR(opt, 30, 0.1)`, `new OneCycleLR(opt, 0.5, 10)`, and positional
 * values followed by an options object for the rest (`new StepLR(opt, 30, { gamma: 0.5 })`), in
 * PyTorch 2.13's order, with the options-object form unchanged. The order is checked against
 * `inspect.signature` and a few positional constructions against what PyTorch computes with them
 * (test/fixtures/positional/positional.json, made by test/fixtures/generate_positional.py).
 * What Python refuses is an error naming the fault: too many positional values (keyword-only
 * options), a value of the wrong type in a position, a parameter given twice.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test, vi } from "vitest";
import * as torch from "../../kernel/src/index";
import * as optim from "../../kernel/src/optim/index";
import * as S from "../../kernel/src/optim/lr_scheduler/index";
import { SWALR } from "../../kernel/src/optim/swa_utils/index";
import { OPTIMIZER_POSITIONAL, type OptimizerName } from "../../kernel/src/optim/options";
import { SCHEDULER_POSITIONAL } from "../../kernel/src/optim/lr_scheduler/options";
import { tensorOf } from "./helpers";

interface Fixture {
  torch: string;
  signatures: Record<string, { positional: string[]; keyword_only: string[] }>;
  runs: {
    optimizers: { optimizer: string; args: unknown[]; steps: number; param: number[] }[];
    schedulers: { scheduler: string; args: unknown[]; lr: number; optimizer: string; metrics: number[] | null; lrs: number[] }[];
  };
}
const FIXTURE = JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "positional", "positional.json"), "utf8")) as Fixture;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const Opt = (name: string): any => (optim as any)[name];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const Sched = (name: string): any => (name === "SWALR" ? SWALR : (S as any)[name]);
const param = () => tensorOf([0, 0], [2], "float32", true);
const relErr = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i]) / Math.max(1e-12, Math.abs(b[i]))));

describe("the positional order is PyTorch 2.13's", () => {
  test("the fixture is from PyTorch 2.13", () => expect(FIXTURE.torch.startsWith("2.13.")).toBe(true));
  for (const [name, sig] of Object.entries(FIXTURE.signatures)) {
    test(`${name}(${sig.positional.join(", ")}${sig.keyword_only.length ? ", *, " + sig.keyword_only.join(", ") : ""})`, () => {
      const ours = name in OPTIMIZER_POSITIONAL ? OPTIMIZER_POSITIONAL[name as OptimizerName] : SCHEDULER_POSITIONAL[name];
      expect(ours.map((p) => p[0])).toEqual(sig.positional);
    });
  }
  test("every optimizer and scheduler has an entry", () => {
    expect(Object.keys(FIXTURE.signatures).sort()).toEqual([...Object.keys(OPTIMIZER_POSITIONAL), ...Object.keys(SCHEDULER_POSITIONAL)].sort());
  });
});

describe("positional constructions give PyTorch's results", () => {
  for (const run of FIXTURE.runs.optimizers) {
    test(`${run.optimizer}(params, ${run.args.map((a) => JSON.stringify(a)).join(", ")})`, () => {
      const w = tensorOf([0.5, -1.0, 2.0, 0.25], [2, 2], "float64", true);
      const t = tensorOf([1.0, 0.0, -1.0, 0.5], [2, 2], "float64");
      const c = tensorOf([1.0, 2.0, 0.5, 3.0], [2, 2], "float64");
      const opt = new (Opt(run.optimizer))([w], ...run.args);
      for (let i = 0; i < run.steps; i++) {
        opt.zero_grad();
        w.sub(t).pow(2).mul(c).sum().backward();
        opt.step();
      }
      expect(relErr(Array.from(w.data), run.param)).toBeLessThan(1e-12);
    });
  }
  for (const run of FIXTURE.runs.schedulers) {
    test(`${run.scheduler}(opt, ${run.args.map((a) => JSON.stringify(a)).join(", ")})`, () => {
      const opt = new (Opt(run.optimizer))([param()], { lr: run.lr });
      const sched = new (Sched(run.scheduler))(opt, ...run.args);
      const lrs = [opt.param_groups[0].lr];
      for (let i = 0; i < run.lrs.length - 1; i++) {
        opt.step();
        if (run.metrics === null) sched.step();
        else sched.step(run.metrics[i]);
        lrs.push(opt.param_groups[0].lr);
      }
      for (let i = 0; i < lrs.length; i++) expect(lrs[i]).toBeCloseTo(run.lrs[i], 12);
    });
  }
});

describe("the forms of the brief", () => {
  test("SGD(params, 0.1), Adam(params, 0.01, [0.9, 0.999]) equal their options forms", () => {
    const a = new optim.SGD([param()], 0.1);
    expect(a.defaults).toEqual(new optim.SGD([param()], { lr: 0.1 }).defaults);
    const b = new optim.Adam([param()], 0.01, [0.8, 0.99]);
    expect(b.param_groups[0].betas).toEqual([0.8, 0.99]);
    expect(b.defaults).toEqual(new optim.Adam([param()], { lr: 0.01, betas: [0.8, 0.99] }).defaults);
  });

  test("positional values then an options object for the rest, keyword-only options included", () => {
    const o = new optim.SGD([param()], 0.1, 0.9, { nesterov: true, maximize: true });
    expect([o.defaults.lr, o.defaults.momentum, o.defaults.nesterov, o.defaults.maximize]).toEqual([0.1, 0.9, true, true]);
    const s = new S.StepLR(new optim.SGD([param()], 1), 30, { gamma: 0.5 });
    expect([s.step_size, s.gamma]).toEqual([30, 0.5]);
    const m = new S.MultiStepLR(new optim.SGD([param()], 1), [30, 80], 0.1);
    expect(m.gamma).toBe(0.1); // its milestones: the fixture run above
  });

  test("LambdaLR(opt, fn), ExponentialLR(opt, 0.9), ReduceLROnPlateau(opt, 'max', ...)", () => {
    const opt = new optim.SGD([param()], 1);
    const l = new S.LambdaLR(opt, (e: number) => 0.9 ** e);
    opt.step();
    l.step();
    expect(opt.param_groups[0].lr).toBeCloseTo(0.9, 15);
    const e = new S.ExponentialLR(new optim.SGD([param()], 1), 0.9);
    expect(e.gamma).toBe(0.9);
    const r = new S.ReduceLROnPlateau(new optim.SGD([param()], 1), "max", 0.5, 3);
    expect([r.mode, r.factor, r.patience]).toEqual(["max", 0.5, 3]);
  });

  test("ChainedScheduler(schedulers, optimizer) and LRScheduler(optimizer, last_epoch) by position", () => {
    const opt = new optim.SGD([param()], 1);
    const a = new S.ExponentialLR(opt, 0.5);
    const c = new S.ChainedScheduler([a], opt);
    expect(c.optimizer).toBe(opt);
    const o2 = new optim.SGD([param()], 1);
    o2.param_groups[0].initial_lr = 1;
    class Constant extends S.LRScheduler {
      override get_lr(): number[] { return this.base_lrs; }
    }
    expect(new Constant(o2, 4).last_epoch).toBe(5);
  });

  test("the options form is unchanged: the same object, its keys checked as before", () => {
    const opt = new optim.Adam([param()], { lr: 0.01, betas: [0.8, 0.9] });
    expect(opt.defaults.betas).toEqual([0.8, 0.9]);
    expect(() => new optim.SGD([param()], { lr: 0.1, momentun: 0.9 } as never)).toThrow(/unexpected keyword argument 'momentun'/);
    expect(() => new S.StepLR(opt, { step_size: 2, gama: 0.5 } as never)).toThrow(/unexpected keyword argument 'gama'/);
    expect(() => new S.StepLR(opt, {} as never)).toThrow("StepLR.__init__() missing 1 required argument: 'step_size'");
    // an unknown key after positional values is the same error
    expect(() => new optim.SGD([param()], 0.1, { momentun: 0.9 } as never)).toThrow(/unexpected keyword argument 'momentun'/);
  });
});

describe("what Python refuses is an error naming the fault", () => {
  test("too many positional values: the signature, and the keyword-only options to pass in the object", () => {
    expect(() => new (Opt("SGD"))([param()], 0.1, 0.9, 0, 0, false, true)).toThrow(
      "SGD.__init__() takes at most 6 positional arguments (params, lr, momentum, dampening, weight_decay, nesterov) but 7 were given; " +
        "maximize, foreach, differentiable, fused are keyword-only: pass them in the options object, e.g. new SGD(params, { maximize: ... })",
    );
    expect(() => new (Sched("StepLR"))(new optim.SGD([param()], 1), 3, 0.5, -1, 7)).toThrow(
      "StepLR.__init__() takes at most 4 positional arguments (optimizer, step_size, gamma, last_epoch) but 5 were given",
    );
  });

  test("a wrong type in a position names the parameter, what it takes and what it got", () => {
    expect(() => new (Opt("SGD"))([param()], 0.1, true)).toThrow(
      "SGD.__init__(): argument 3 is 'momentum', which takes a number, but got true (boolean) " +
        "(the positional order is SGD(params, lr, momentum, dampening, weight_decay, nesterov))",
    );
    expect(() => new (Opt("Adam"))([param()], [0.1])).toThrow(/^Adam\.__init__\(\): argument 2 is 'lr', which takes a number or a 1-element Tensor, but got \[0\.1\] \(an array\)/);
    expect(() => new (Opt("SGD"))([param()], "0.1")).toThrow(/argument 2 is 'lr', which takes a number or a 1-element Tensor, but got "0\.1"/);
    expect(() => new (Sched("LambdaLR"))(new optim.SGD([param()], 1), 0.9)).toThrow(
      /LambdaLR\.__init__\(\): argument 2 is 'lr_lambda', which takes a function, or an array of functions \(one per param group\), but got 0\.9 \(number\)/,
    );
    expect(() => new (Sched("ReduceLROnPlateau"))(new optim.SGD([param()], 1), 0.5)).toThrow(/argument 2 is 'mode', which takes a string, but got 0\.5/);
    // a Tensor lr is PyTorch's too (state_io.test.ts): positionally as in the options object
    expect(new (Opt("SGD"))([param()], torch.tensor(0.1)).param_groups[0].lr).toBeInstanceOf(torch.Tensor);
  });

  test("the same parameter positionally and in the options object", () => {
    expect(() => new (Opt("SGD"))([param()], 0.1, { lr: 0.2 })).toThrow(
      "SGD.__init__() got multiple values for argument 'lr' (given positionally and in the options object)",
    );
    expect(() => new (Sched("StepLR"))(new optim.SGD([param()], 1), 3, { step_size: 4 })).toThrow(/got multiple values for argument 'step_size'/);
  });

  test("a value of the right type is still checked by the class (PyTorch's message)", () => {
    expect(() => new optim.SGD([param()], -1)).toThrow("Invalid learning rate: -1");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      expect(() => new S.StepLR(new optim.SGD([param()], 1), 0)).toThrow(/step_size/);
    } finally {
      warn.mockRestore();
    }
  });
});
