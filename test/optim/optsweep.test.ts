/**
 * Optimizer and scheduler API edges where lrlab differed from PyTorch 2.13, found by a side-by-side
 * sweep (each expectation is PyTorch's, from test/fixtures/generate_optsweep.py):
 * - capturable=True raised nothing (PyTorch on the CPU: AssertionError at step()); differentiable=True
 *   was ignored (PyTorch: a leaf that requires grad is an in-place error, foreach its own error; a
 *   non-leaf parameter got a silently stale autograd graph, now refused); SGD and Adagrad took
 *   fused with foreach or differentiable; a non-leaf that retains its grad was refused;
 * - state_dict(): 'params' came first in each group (PyTorch: last), a parameter listed twice got
 *   another index; load_state_dict() ran no __setstate__ (missing keys stayed missing, AdamW kept
 *   an Adam state_dict's decoupled_weight_decay=False, another optimizer's state_dict loaded and
 *   stepped without its hyperparameters); torch.optim.optimizer.required was missing;
 * - scheduler state_dicts' key order; ConstantLR(factor=0) wrote NaN rates where PyTorch raises;
 * - printouts: a 0-dim Tensor lr, float defaults (Adadelta lr 1.0), a few messages;
 * - step(closure=fn), PyTorch's keyword form, written step({ closure: fn }): it ran `{}` as the closure.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import * as optim from "../../kernel/src/optim/index";
import * as S from "../../kernel/src/optim/lr_scheduler/index";
import { SWALR } from "../../kernel/src/optim/swa_utils/index";
import { required } from "../../kernel/src/optim/optimizer";
import { tensor, zeros } from "../../kernel/src/tensor/index";
import { no_grad } from "../../kernel/src/tensor/grad_mode";
import type { Tensor } from "../../kernel/src/tensor/tensor";
import { relErr } from "./helpers";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const fixture = JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "optim", "optsweep.json"), "utf8")) as any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const Optimizers = optim as unknown as Record<string, new (...a: any[]) => optim.Optimizer>;
const f64 = (values: number[], requires_grad = true): Tensor => tensor(values, { dtype: "float64", requires_grad });

/** Runs what the fixture's flag_case ran: two steps (gradients (0.5, −0.25, 1)·k) or the first error. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function flagCase(c: any): { where: string | null; error: string | null; params: number[] | null } {
  const p = f64([1.0, -2.0, 0.5], c.requires_grad);
  let opt: optim.Optimizer;
  try {
    opt = new Optimizers[c.optimizer]([p], { lr: 0.1, ...c.options });
  } catch (e) {
    return { where: "ctor", error: (e as Error).message, params: null };
  }
  try {
    for (let k = 0; k < 2; k++) {
      if (c.grad) p.grad = tensor([0.5, -0.25, 1.0], { dtype: "float64" }).mul(k + 1);
      opt.step();
    }
  } catch (e) {
    return { where: "step", error: (e as Error).message, params: null };
  }
  return { where: null, error: null, params: Array.from(p.data) };
}

/** differentiable=True on a parameter that does not require grad, where PyTorch's differentiable step rounds otherwise. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const refusedDifferentiable = (c: any): boolean =>
  c.options.differentiable === true && !c.requires_grad && c.error === null && ["Adam", "AdamW", "NAdam", "Adagrad", "RMSprop"].includes(c.optimizer);

describe("implementation flags as PyTorch 2.13 on the CPU", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const c of fixture.flags as any[]) {
    const label = `${c.optimizer}(${JSON.stringify(c.options)}) requires_grad=${c.requires_grad}${c.grad ? "" : " without a gradient"}`;
    it(label, () => {
      const got = flagCase(c);
      if (refusedDifferentiable(c)) {
        // PyTorch steps, with other roundings than lrlab's: refused, saying so
        expect(got.where).toBe("step");
        expect(got.error).toMatch(/differentiable=True is not supported by lrlab here/);
        return;
      }
      expect(got.where).toBe(c.where);
      if (c.error !== null) {
        // PyTorch's words first; lrlab may add why and what to do after them
        expect(got.error?.startsWith(c.error), `${got.error}\n  should start with\n${c.error}`).toBe(true);
      } else {
        expect(relErr(got.params!, c.params)).toBeLessThan(1e-12);
      }
    });
  }

  it("a param group's own capturable=True is refused at step too", () => {
    const p = f64([1, 2]);
    p.grad = f64([0.1, 0.2], false);
    const opt = new optim.Adam([{ params: [p], capturable: true }], { lr: 0.1 });
    expect(() => opt.step()).toThrow(fixture.group_capturable);
  });

  it("differentiable=True: the leaf error even inside no_grad (PyTorch turns autograd on for the step)", () => {
    const p = f64([1, 2]);
    p.grad = f64([0.1, 0.2], false);
    const opt = new optim.SGD([p], { lr: 0.1, differentiable: true });
    expect(() => no_grad(() => opt.step())).toThrow("a leaf Variable that requires grad is being used in an in-place operation.");
    expect(Array.from(p.data)).toEqual([1, 2]);
  });

  it("differentiable=True on a non-leaf parameter is refused (lrlab cannot record the update in autograd)", () => {
    const w = f64([1, 2]);
    const p = w.mul(1.0);
    p.grad = f64([0.5, 0.5], false);
    const opt = new optim.Adam([p], { lr: 0.1, differentiable: true });
    expect(() => opt.step()).toThrow(/differentiable=True on a non-leaf parameter is not supported by lrlab/);
    expect(Array.from(p.data)).toEqual([1, 2]);
  });

  it("a non-leaf that retains its grad is optimized, as in PyTorch (without differentiable)", () => {
    const w = f64([1.0, -2.0]);
    const p = w.mul(3.0);
    p.retain_grad();
    p.mul(p).sum().backward();
    const opt = new optim.SGD([p], { lr: 0.1 });
    opt.step();
    expect(Array.from(p.grad!.data)).toEqual(fixture.retains_grad.grad);
    expect(relErr(Array.from(p.data), fixture.retains_grad.params)).toBeLessThan(1e-15);
    // a plain non-leaf is still refused
    expect(() => new optim.SGD([w.mul(2)], { lr: 0.1 })).toThrow("can't optimize a non-leaf Tensor");
  });
});

describe("state_dict() and load_state_dict() as PyTorch 2.13", () => {
  for (const [name, keys] of Object.entries(fixture.group_keys as Record<string, string[]>)) {
    it(`${name}: a packed group's keys in PyTorch's order, 'params' last`, () => {
      const opt = new Optimizers[name]([zeros(2, 2, { dtype: "float64", requires_grad: true })]);
      expect(Object.keys(opt.state_dict().param_groups[0])).toEqual(keys);
    });
  }

  it("a parameter listed twice in a group: PyTorch's indices (its last place)", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const ps = [f64([1, -2]), f64([0.5])];
      const opt = new optim.SGD([ps[0], ps[0], ps[1]], { lr: 0.1, momentum: 0.9 });
      for (const p of ps) p.grad = tensor(Array(p.numel()).fill(1), { dtype: "float64" });
      opt.step();
      const sd = opt.state_dict();
      expect(sd.param_groups[0].params).toEqual(fixture.duplicates.params);
      expect(Object.keys(sd.state).map(Number)).toEqual(fixture.duplicates.state_keys);
      // and it loads back into the same layout
      const qs = [f64([1, -2]), f64([0.5])];
      const opt2 = new optim.SGD([qs[0], qs[0], qs[1]], { lr: 0.1, momentum: 0.9 });
      opt2.load_state_dict(sd);
      expect(opt2.state.get(qs[1])?.momentum_buffer).toBeDefined();
    } finally {
      warn.mockRestore();
    }
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const c of fixture.setstate as any[]) {
    it(`${c.optimizer}.load_state_dict fills ${c.dropped.join(", ")} in as PyTorch's __setstate__`, () => {
      const sd = new Optimizers[c.optimizer]([f64([1, 2])], { lr: 0.1 }).state_dict();
      for (const key of c.dropped) delete sd.param_groups[0][key];
      const opt = new Optimizers[c.optimizer]([f64([1, 2])], { lr: 0.1 });
      opt.load_state_dict(sd);
      const g = opt.param_groups[0];
      expect(Object.keys(g).filter((k) => k !== "params")).toEqual(c.keys);
      for (const key of c.dropped) expect(g[key]).toEqual(c.values[key]);
    });
  }

  it("AdamW loading Adam's state_dict decays decoupled (PyTorch forces decoupled_weight_decay)", () => {
    const sd = new optim.Adam([f64([1, 2])], { lr: 0.1, weight_decay: 0.5 }).state_dict();
    const q = f64([1, 2]);
    const opt = new optim.AdamW([q], { lr: 0.3 });
    opt.load_state_dict(sd);
    expect(opt.param_groups[0].decoupled_weight_decay).toBe(fixture.adam_into_adamw.decoupled_weight_decay);
    q.grad = f64([0.25, -0.5], false);
    opt.step();
    expect(relErr(Array.from(q.data), fixture.adam_into_adamw.params)).toBeLessThan(1e-15);
  });

  it("SGD loading Adam's state_dict: refused at load, naming the key PyTorch's step() raises KeyError for", () => {
    const sd = new optim.Adam([f64([1, 2])], { lr: 0.1 }).state_dict();
    const q = f64([1, 2]);
    const opt = new optim.SGD([q], { lr: 0.3 });
    const before = opt.param_groups[0];
    expect(() => opt.load_state_dict(sd)).toThrow(`'${fixture.adam_into_sgd.step_error}' (the loaded param group 0 has no 'momentum', 'dampening'`);
    expect(opt.param_groups[0]).toBe(before); // nothing was loaded
  });

  it("a user's own optimizer loads any group (no __setstate__ of its own)", () => {
    class Plain extends optim.Optimizer {
      constructor(params: Tensor[]) {
        super(params, { lr: 0.5, beta: 0.9 });
      }
      step(): undefined {
        return undefined;
      }
    }
    const opt = new Plain([f64([1])]);
    opt.load_state_dict({ state: {}, param_groups: [{ params: [0], lr: 0.2 }] });
    expect(opt.param_groups[0].lr).toBe(0.2);
    expect("beta" in opt.param_groups[0]).toBe(false);
  });

  it("torch.optim.optimizer.required: a group that does not give the hyperparameter is PyTorch's ValueError", () => {
    class Custom extends optim.Optimizer {
      constructor(params: optim.ParamsT) {
        super(params, { lr: required, momentum: 0 });
      }
      step(): undefined {
        return undefined;
      }
    }
    expect(() => new Custom([f64([1])])).toThrow(fixture.messages.required);
    expect(new Custom([{ params: [f64([1])], lr: 0.3 }]).param_groups[0].lr).toBe(fixture.messages.custom_group_lr);
    expect(String(optim.optimizer.required)).toBe(fixture.messages.required_repr);
  });

  it("add_param_group of a list: PyTorch's TypeError text", () => {
    const opt = new optim.SGD([f64([1])], { lr: 0.1 });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(() => opt.add_param_group([f64([2])] as any)).toThrow(fixture.messages.add_param_group_list);
  });
});

describe("step(closure=fn) as step({ closure: fn })", () => {
  for (const [name, ref] of Object.entries(fixture.step_keyword as Record<string, any>)) { // eslint-disable-line @typescript-eslint/no-explicit-any
    it(`${name}: the closure's loss and step, the hooks see a keyword, an unknown keyword is PyTorch's TypeError`, () => {
      const p = f64([1, 2]);
      const opt = new Optimizers[name]([p], { lr: 0.1 });
      const seen: unknown[] = [];
      opt.register_step_pre_hook((_o, args, kwargs) => {
        seen.push([args.length, Object.keys(kwargs).sort()]);
      });
      const closure = (): Tensor => {
        opt.zero_grad();
        const loss = p.mul(p).sum();
        loss.backward();
        return loss;
      };
      const loss = opt.step({ closure });
      expect(Number(loss)).toBe(ref.loss);
      expect(relErr(Array.from(p.data), ref.params)).toBeLessThan(1e-12);
      expect(seen[0]).toEqual(ref.hook);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      expect(() => opt.step({ foo: 1 } as any)).toThrow(ref.unknown_keyword);
    });
  }
});

describe("schedulers as PyTorch 2.13", () => {
  const sgd = () =>
    new optim.SGD([{ params: [zeros(2, { requires_grad: true })], lr: 0.1 }, { params: [zeros(2, { requires_grad: true })], lr: 0.01 }], {
      lr: 0.5,
      momentum: 0.9,
    });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const make: Record<string, (o: optim.Optimizer) => any> = {
    StepLR: (o) => new S.StepLR(o, { step_size: 3 }),
    MultiStepLR: (o) => new S.MultiStepLR(o, { milestones: [2, 5] }),
    ConstantLR: (o) => new S.ConstantLR(o),
    LinearLR: (o) => new S.LinearLR(o),
    ExponentialLR: (o) => new S.ExponentialLR(o, { gamma: 0.9 }),
    PolynomialLR: (o) => new S.PolynomialLR(o),
    CosineAnnealingLR: (o) => new S.CosineAnnealingLR(o, { T_max: 6 }),
    LambdaLR: (o) => new S.LambdaLR(o, (e: number) => 0.9 ** e),
    MultiplicativeLR: (o) => new S.MultiplicativeLR(o, () => 0.9),
    CosineAnnealingWarmRestarts: (o) => new S.CosineAnnealingWarmRestarts(o, { T_0: 3 }),
    CyclicLR: (o) => new S.CyclicLR(o, { base_lr: 0.01, max_lr: 0.1, step_size_up: 3 }),
    OneCycleLR: (o) => new S.OneCycleLR(o, { max_lr: 0.1, total_steps: 30 }),
    SWALR: (o) => new SWALR(o, { swa_lr: 0.05 }),
  };
  for (const [name, keys] of Object.entries(fixture.scheduler_keys as Record<string, string[]>)) {
    it(`${name}.state_dict(): PyTorch's key order`, () => {
      const opt = sgd();
      const s = make[name](opt);
      for (let k = 0; k < 2; k++) {
        opt.step();
        s.step();
      }
      expect(Object.keys(s.state_dict())).toEqual(keys);
    });
  }

  it("ConstantLR(factor=0): PyTorch's ZeroDivisionError at epoch total_iters, then the rate stays 0 (not NaN)", () => {
    const opt = sgd();
    const s = new S.ConstantLR(opt, { factor: 0.0, total_iters: 3 });
    const steps = fixture.constant_lr_zero;
    expect(opt.param_groups.map((g) => g.lr)).toEqual(steps[0].lr);
    for (let i = 1; i < steps.length; i++) {
      opt.step();
      let error: string | null = null;
      try {
        s.step();
      } catch (e) {
        error = (e as Error).message;
        expect((e as Error).name).toBe("ZeroDivisionError");
      }
      if (steps[i].error === null) expect(error).toBeNull();
      else expect(error?.startsWith(steps[i].error)).toBe(true);
      expect(opt.param_groups.map((g) => g.lr)).toEqual(steps[i].lr);
      expect(s.last_epoch).toBe(steps[i].last_epoch);
    }
  });

  it("CosineAnnealingWarmRestarts' eta_min type error names Python's type", () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(() => new S.CosineAnnealingWarmRestarts(sgd(), { T_0: 2, eta_min: "0.1" as any })).toThrow(fixture.messages.cawr_eta_min_str);
  });
});

describe("optimizer printouts as PyTorch 2.13", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const c of fixture.repr as any[]) {
    it(`${c.optimizer}(${JSON.stringify(c.options)})`, () => {
      const options: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(c.options)) {
        const tensorLr = Array.isArray(v) && (v[0] === "tensor" || v[0] === "tensor1");
        options[k] = tensorLr ? tensor(v[0] === "tensor" ? v[1] : [v[1]], { dtype: v[2] as "float32" | "float64" }) : v;
      }
      expect(String(new Optimizers[c.optimizer]([zeros(2, { requires_grad: true })], options))).toBe(c.repr);
    });
  }
});
