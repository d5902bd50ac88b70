/**
 * The Optimizer base: param groups, add_param_group's errors, zero_grad, the step hooks
 * (per optimizer and global: order and removal), state_dict / load_state_dict (format, deep copy,
 * bit-identical resume), and the PyTorch-style printout.
 */
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, test } from "vitest";
import * as optim from "../../kernel/src/optim/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import type { RemovableHandle } from "../../kernel/src/utils/hooks";
import { relErr, tensorOf } from "./helpers";
import { set_default_dtype } from "../../kernel/src/tensor/dtype";

const param = (values: number[], dtype: "float32" | "float64" = "float32") => tensorOf(values, [values.length], dtype, true);

/** Deterministic gradients: g_t = sin(θ·(t+1)) + cos(t) per element. */
function setGrads(params: Tensor[], t: number) {
  for (const p of params) {
    const g = p.data instanceof Float32Array ? new Float32Array(p.data.length) : new Float64Array(p.data.length);
    for (let i = 0; i < g.length; i++) g[i] = Math.sin(p.data[i] * (t + 1)) + Math.cos(t + i);
    p.grad = new Tensor(g, p.shape, p.dtype);
  }
}

describe("param groups", () => {
  test("a list of tensors becomes one group with every default filled in", () => {
    const p = param([1, 2]);
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    expect(opt.param_groups).toHaveLength(1);
    const g = opt.param_groups[0];
    expect(g.params).toEqual([p]);
    expect(g).toMatchObject({ lr: 0.1, momentum: 0.9, dampening: 0, weight_decay: 0, nesterov: false, maximize: false });
    expect(opt.defaults.lr).toBe(0.1);
  });

  test("group options override defaults; other keys come from defaults", () => {
    const a = param([1]);
    const b = param([2]);
    const opt = new optim.Adam([{ params: [a] }, { params: b, lr: 0.5, betas: [0.5, 0.6] }], { lr: 0.01 });
    expect(opt.param_groups[0].lr).toBe(0.01);
    expect(opt.param_groups[1].lr).toBe(0.5);
    expect(opt.param_groups[1].betas).toEqual([0.5, 0.6]);
    expect(opt.param_groups[1].params).toEqual([b]);
    expect(opt.param_groups[0].betas).toEqual([0.9, 0.999]);
    // Defaults are copied per group: mutating one group's betas leaves the others alone.
    opt.param_groups[0].betas[0] = 0.1;
    expect(opt.param_groups[1].betas[0]).toBe(0.5);
    expect(opt.defaults.betas).toEqual([0.9, 0.999]);
  });

  test("add_param_group appends a group; PyTorch's errors for bad groups", () => {
    const a = param([1]);
    const opt = new optim.SGD([a], { lr: 0.1 });
    const b = param([2]);
    opt.add_param_group({ params: [b], lr: 0.01 });
    expect(opt.param_groups[1]).toMatchObject({ lr: 0.01, momentum: 0 });
    expect(() => opt.add_param_group({ params: [a] })).toThrow("some parameters appear in more than one parameter group");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(() => opt.add_param_group({ params: [3 as any] })).toThrow("optimizer can only optimize Tensors, but one of the params is int");
    expect(() => opt.add_param_group({ params: new Set([param([0])]) })).toThrow("ordered collections");
    const nonLeaf = param([1]);
    nonLeaf.grad_fn = { name: () => "MulBackward0", inputs: [], backward: () => [], next_functions: [] };
    expect(() => opt.add_param_group({ params: [nonLeaf] })).toThrow("can't optimize a non-leaf Tensor");
  });

  test("the constructor's errors", () => {
    const p = param([1]);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(() => new optim.SGD(p as any)).toThrow(
      "params argument given to the optimizer should be an iterable of Tensors or dicts, but got torch.FloatTensor",
    );
    expect(() => new optim.SGD([])).toThrow("optimizer got an empty parameter list");
    expect(() => new optim.SGD([{ params: [p] }, { params: [p] }])).toThrow("some parameters appear in more than one parameter group");
  });

  test("group objects made in another realm (a notebook's vm context) are recognised", () => {
    const p = param([1]);
    const group = runInNewContext("({ lr: 0.5 })") as { lr: number; params?: Tensor[] };
    group.params = [p];
    const opt = new optim.SGD([group as { params: Tensor[] }], { lr: 0.1 });
    expect(opt.param_groups[0].lr).toBe(0.5);
    expect(opt.param_groups[0].params).toEqual([p]);
  });

  test("named parameters ([name, tensor] pairs) record param_names", () => {
    const p = param([1]);
    const opt = new optim.SGD([["fc.weight", p]] as Iterable<[string, Tensor]>, { lr: 0.1 });
    expect(opt.param_groups[0].param_names).toEqual(["fc.weight"]);
    expect(opt.param_groups[0].params).toEqual([p]);
    expect(() => opt.add_param_group({ params: [param([2])] })).toThrow(
      "all optimizer param groups should be with/without names. cannot add param group without names to the optimizer",
    );
  });

  test("parameters without a gradient are skipped", () => {
    const a = param([1]);
    const b = param([1]);
    const opt = new optim.Adam([a, b], { lr: 0.1 });
    a.grad = tensorOf([1], [1], "float32");
    opt.step();
    expect(b.data[0]).toBe(1);
    expect(opt.state.has(b)).toBe(false);
    expect(opt.state.get(a)!.step).toBe(1);
  });
});

describe("zero_grad", () => {
  test("sets gradients to null by default, zeroes them in place with set_to_none=false", () => {
    const p = param([1, 2]);
    const opt = new optim.SGD([p], { lr: 0.1 });
    p.grad = tensorOf([3, 4], [2], "float32");
    const g = p.grad;
    opt.zero_grad({ set_to_none: false });
    expect(p.grad).toBe(g);
    expect(Array.from(g.data)).toEqual([0, 0]);
    opt.zero_grad();
    expect(p.grad).toBeNull();
  });
});

describe("step hooks", () => {
  const handles: RemovableHandle[] = [];
  afterEach(() => handles.splice(0).forEach((h) => h.remove()));

  test("the wrapper around step keeps the optimizer's own step as __wrapped__ (for `opt.step??`), as functools.wraps", () => {
    const opt = new optim.SGD([param([1])], { lr: 0.1 });
    expect(Object.hasOwn(opt, "step")).toBe(true);
    expect((opt.step as { __wrapped__?: unknown }).__wrapped__).toBe(optim.SGD.prototype.step);
    expect(Object.keys(opt)).not.toContain("step");
  });

  test("order: global pre, own pre, step, own post, global post; args hold the optimizer then step's arguments", () => {
    const p = param([1]);
    const opt = new optim.SGD([p], { lr: 0.1 });
    const log: string[] = [];
    handles.push(optim.register_optimizer_step_pre_hook((o, args) => void log.push(`global pre ${o === opt} ${args[0] === opt}`)));
    handles.push(optim.register_optimizer_step_post_hook(() => void log.push("global post")));
    handles.push(opt.register_step_pre_hook(() => void log.push("pre 1")));
    handles.push(opt.register_step_pre_hook(() => void log.push(`pre 2 θ=${p.data[0]}`)));
    handles.push(opt.register_step_post_hook(() => void log.push(`post θ=${p.data[0].toFixed(2)}`)));
    p.grad = tensorOf([1], [1], "float32");
    const loss = opt.step(() => {
      log.push("closure");
      return 42;
    });
    expect(loss).toBe(42);
    expect(log).toEqual(["global pre true true", "pre 1", "pre 2 θ=1", "closure", "post θ=0.90", "global post"]);
  });

  test("remove() unregisters a hook, twice is harmless, and other hooks keep running", () => {
    const p = param([1]);
    const opt = new optim.Adam([p]);
    const log: string[] = [];
    const a = opt.register_step_pre_hook(() => void log.push("a"));
    handles.push(opt.register_step_pre_hook(() => void log.push("b")));
    const g = optim.register_optimizer_step_post_hook(() => void log.push("g"));
    p.grad = tensorOf([1], [1], "float32");
    opt.step();
    a.remove();
    a.remove();
    g.remove();
    opt.step();
    expect(log).toEqual(["a", "b", "g", "b"]);
  });

  test("global hooks see every optimizer, of any class", () => {
    const seen: string[] = [];
    handles.push(optim.register_optimizer_step_post_hook((o) => void seen.push(o.constructor.name)));
    const p = param([1]);
    const q = param([1]);
    p.grad = tensorOf([1], [1], "float32");
    q.grad = tensorOf([1], [1], "float32");
    new optim.SGD([p], { lr: 0.1 }).step();
    new optim.RMSprop([q]).step();
    expect(seen).toEqual(["SGD", "RMSprop"]);
  });

  test("a pre hook may replace the arguments; anything else but undefined is an error", () => {
    const p = param([1]);
    const opt = new optim.SGD([p], { lr: 0.1 });
    p.grad = tensorOf([1], [1], "float32");
    const h = opt.register_step_pre_hook((o) => [[o, () => 7], {}]);
    expect(opt.step()).toBe(7);
    h.remove();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    handles.push(opt.register_step_pre_hook((() => 5) as any));
    expect(() => opt.step()).toThrow("must return None or a tuple of (new_args, new_kwargs), but got 5.");
  });

  test("hooks wrap a user's own subclass's step too", () => {
    class Sign extends optim.Optimizer {
      constructor(params: Tensor[]) {
        super(params, { lr: 0.5 });
      }
      step() {
        for (const g of this.param_groups) for (const p of g.params) p.data[0] -= g.lr * Math.sign(p.grad!.data[0]);
        return undefined;
      }
    }
    const p = param([1]);
    const opt = new Sign([p]);
    let calls = 0;
    handles.push(optim.register_optimizer_step_pre_hook(() => void calls++));
    p.grad = tensorOf([3], [1], "float32");
    opt.step();
    expect(calls).toBe(1);
    expect(p.data[0]).toBe(0.5);
  });
});

describe("state_dict / load_state_dict", () => {
  test("PyTorch's packed format: state by parameter index, groups with indices", () => {
    const a = param([1, 2]);
    const b = param([3]);
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
    setGrads([a, b], 0);
    opt.step();
    const sd = opt.state_dict();
    expect(sd.param_groups.map((g) => g.params)).toEqual([[0], [1]]);
    expect(sd.param_groups[1]).toMatchObject({ lr: 0.5, momentum: 0.9, dampening: 0, nesterov: false });
    expect(Object.keys(sd.state)).toEqual(["0", "1"]);
    expect(sd.state[0].momentum_buffer).toBeInstanceOf(Tensor);
    // Deep copy: stepping again does not change the snapshot.
    const before = Array.from(sd.state[0].momentum_buffer.data as Float32Array);
    setGrads([a, b], 1);
    opt.step();
    expect(Array.from(sd.state[0].momentum_buffer.data as Float32Array)).toEqual(before);
    expect(sd.state[0].momentum_buffer.data).not.toBe(opt.state.get(a)!.momentum_buffer.data);
  });

  const resumable: [string, (ps: Tensor[]) => optim.Optimizer][] = [
    ["SGD(momentum=0.9, nesterov=True)", (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true })],
    ["Adam(amsgrad=True)", (ps) => new optim.Adam(ps, { lr: 0.01, amsgrad: true })],
    ["AdamW", (ps) => new optim.AdamW(ps, { lr: 0.01 })],
    ["NAdam", (ps) => new optim.NAdam(ps, { lr: 0.01 })],
    ["RAdam", (ps) => new optim.RAdam(ps, { lr: 0.01 })],
    ["RMSprop(centered=True, momentum=0.5)", (ps) => new optim.RMSprop(ps, { lr: 0.01, centered: true, momentum: 0.5 })],
    ["Adagrad", (ps) => new optim.Adagrad(ps, { lr: 0.1 })],
    ["Adadelta", (ps) => new optim.Adadelta(ps)],
    ["Adamax", (ps) => new optim.Adamax(ps)],
    ["ASGD(t0=3)", (ps) => new optim.ASGD(ps, { lr: 0.05, t0: 3 })],
    ["Rprop", (ps) => new optim.Rprop(ps)],
    ["Adafactor", (ps) => new optim.Adafactor(ps)],
  ];

  for (const [name, make] of resumable) {
    for (const dtype of ["float32", "float64"] as const) {
      // Not in PyTorch either: NAdam's mu_product is a float32 scalar until load_state_dict casts
      // it to the float64 parameter's dtype, so a resumed run differs in the last bits (the
      // resumed run's own PyTorch numbers are checked in "scalar state after load_state_dict").
      if (name === "NAdam" && dtype === "float64") continue;
      test(`${name} [${dtype}]: a run resumed from state_dict mid-way continues bit-identically`, () => {
        const init = () => [tensorOf([0.5, -1, 2, 0.25, -0.75, 1.5], [2, 3], dtype, true), param([1, -2, 3], dtype)];
        // Reference: 12 uninterrupted steps.
        const ref = init();
        const refOpt = make(ref);
        for (let t = 0; t < 12; t++) {
          setGrads(ref, t);
          refOpt.step();
        }
        // Resumed: 6 steps, save, fresh params + optimizer loaded from the save, 6 more steps.
        const first = init();
        const firstOpt = make(first);
        for (let t = 0; t < 6; t++) {
          setGrads(first, t);
          firstOpt.step();
        }
        const saved = firstOpt.state_dict();
        const second = first.map((p) => new Tensor(p.data.slice(), p.shape, p.dtype, true));
        const secondOpt = make(second);
        secondOpt.load_state_dict(saved);
        // The loaded state is a copy: running the first optimizer on does not disturb it.
        setGrads(first, 99);
        firstOpt.step();
        for (let t = 6; t < 12; t++) {
          setGrads(second, t);
          secondOpt.step();
        }
        second.forEach((p, i) => expect(Array.from(p.data)).toEqual(Array.from(ref[i].data)));
      });
    }
  }

  for (const dtype of ["float32", "float64"] as const) {
    test(`Muon(nesterov=True) [${dtype}]: a run resumed from state_dict mid-way continues bit-identically`, () => {
      // Muon takes 2-D parameters only, so it has its own set-up.
      const init = () => [tensorOf([0.5, -1, 2, 0.25, -0.75, 1.5], [2, 3], dtype, true), tensorOf([1, -2, 3, 0.5, 0.1, -0.4, 2, -1], [4, 2], dtype, true)];
      const make = (ps: Tensor[]) => new optim.Muon(ps, { lr: 0.02, nesterov: true });
      const ref = init();
      const refOpt = make(ref);
      for (let t = 0; t < 12; t++) { setGrads(ref, t); refOpt.step(); }
      const first = init();
      const firstOpt = make(first);
      for (let t = 0; t < 6; t++) { setGrads(first, t); firstOpt.step(); }
      const saved = firstOpt.state_dict();
      const second = first.map((p) => new Tensor(p.data.slice(), p.shape, p.dtype, true));
      const secondOpt = make(second);
      secondOpt.load_state_dict(saved);
      setGrads(first, 99);
      firstOpt.step();
      for (let t = 6; t < 12; t++) { setGrads(second, t); secondOpt.step(); }
      second.forEach((p, i) => expect(Array.from(p.data)).toEqual(Array.from(ref[i].data)));
    });
  }

  test("LBFGS resumes bit-identically from state_dict (history, direction, step)", () => {
    const quad = (ps: Tensor[]) => () => {
      let loss = 0;
      for (const p of ps) {
        const g = new Float64Array(p.data.length);
        for (let i = 0; i < g.length; i++) {
          const c = i + 1;
          loss += 0.5 * c * p.data[i] ** 2 + 0.25 * p.data[i] ** 4;
          g[i] = c * p.data[i] + p.data[i] ** 3;
        }
        p.grad = new Tensor(g, p.shape, "float64");
      }
      return loss;
    };
    const make = (ps: Tensor[]) => new optim.LBFGS(ps, { max_iter: 2, history_size: 3 });
    const ref = [param([1, -2, 0.5], "float64")];
    const refOpt = make(ref);
    for (let k = 0; k < 6; k++) refOpt.step(quad(ref));
    const first = [param([1, -2, 0.5], "float64")];
    const firstOpt = make(first);
    for (let k = 0; k < 3; k++) firstOpt.step(quad(first));
    const second = [new Tensor(first[0].data.slice(), [3], "float64", true)];
    const secondOpt = make(second);
    secondOpt.load_state_dict(firstOpt.state_dict());
    for (let k = 0; k < 3; k++) secondOpt.step(quad(second));
    expect(Array.from(second[0].data)).toEqual(Array.from(ref[0].data));
  });

  test("load_state_dict restores hyperparameters and refuses mismatched layouts", () => {
    const a = param([1]);
    const opt = new optim.SGD([a], { lr: 0.1 });
    const sd = opt.state_dict();
    sd.param_groups[0].lr = 0.01;
    const b = param([1]);
    const other = new optim.SGD([b], { lr: 0.5 });
    other.load_state_dict(sd);
    expect(other.param_groups[0].lr).toBe(0.01);
    expect(other.param_groups[0].params).toEqual([b]);
    const two = new optim.SGD([{ params: [param([1])] }, { params: [param([1])] }], { lr: 0.1 });
    expect(() => two.load_state_dict(sd)).toThrow("loaded state dict has a different number of parameter groups");
    const wide = new optim.SGD([param([1]), param([2])], { lr: 0.1 });
    expect(() => wide.load_state_dict(sd)).toThrow(
      "loaded state dict contains a parameter group that doesn't match the size of optimizer's group",
    );
  });
});

describe("load_state_dict refuses state saved for parameters of other shapes", () => {
  // PyTorch 2.13 loads it and fails at the next step ("RuntimeError: The size of tensor a (2) must
  // match the size of tensor b (5) at non-singleton dimension 0"); lrlab stepped on silently,
  // writing NaN (past the end of the saved state) or using part of it. Now load_state_dict says so.
  const all: [string, (ps: Tensor[]) => optim.Optimizer][] = [
    ["SGD", (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9 })],
    ["Adam", (ps) => new optim.Adam(ps, { lr: 0.01, amsgrad: true })],
    ["AdamW", (ps) => new optim.AdamW(ps)],
    ["Adamax", (ps) => new optim.Adamax(ps)],
    ["NAdam", (ps) => new optim.NAdam(ps)],
    ["RAdam", (ps) => new optim.RAdam(ps)],
    ["RMSprop", (ps) => new optim.RMSprop(ps, { centered: true, momentum: 0.5 })],
    ["Adagrad", (ps) => new optim.Adagrad(ps)],
    ["Adadelta", (ps) => new optim.Adadelta(ps)],
    ["ASGD", (ps) => new optim.ASGD(ps)],
    ["Rprop", (ps) => new optim.Rprop(ps)],
    ["Adafactor", (ps) => new optim.Adafactor(ps)],
  ];
  const mat = (rows: number, cols: number) => tensorOf(Array.from({ length: rows * cols }, (_, i) => i / 7 - 0.3), [rows, cols], "float32", true);
  const vec = (n: number) => tensorOf(Array.from({ length: n }, (_, i) => 1 - i / 3), [n], "float32", true);

  for (const [name, make] of all) {
    test(`${name}: a vector state of [3] into a parameter of [4] names the parameter, the key and both shapes`, () => {
      const source = [mat(2, 3), vec(3)];
      const saved = make(source);
      setGrads(source, 0);
      saved.step();
      const target = [mat(2, 3), vec(4)];
      const opt = make(target);
      const lr = opt.param_groups[0].lr;
      const stateBefore = new Map(opt.state);
      let err: Error | undefined;
      try {
        opt.load_state_dict(saved.state_dict());
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message).toMatch(
        new RegExp(`^${name}\\.load_state_dict: the saved state of parameter 1 has '\\w+' of shape \\[3\\], but parameter 1 of this optimizer has shape \\[4\\]`),
      );
      expect(err?.message).toContain("nothing was loaded");
      // Nothing was loaded: the optimizer still steps with its own (fresh) state.
      expect(opt.param_groups[0].lr).toBe(lr);
      expect(opt.state).toEqual(stateBefore);
      setGrads(target, 1);
      opt.step();
      for (const p of target) expect(Array.from(p.data).every(Number.isFinite)).toBe(true);
    });

    test(`${name}: a matrix state of [2, 3] into a parameter of [3, 2] (same size, other shape) is refused too`, () => {
      const source = [mat(2, 3)];
      const saved = make(source);
      setGrads(source, 0);
      saved.step();
      expect(() => make([mat(3, 2)]).load_state_dict(saved.state_dict())).toThrow(/parameter 0 of this optimizer has shape \[3, 2\]/);
    });
  }

  test("Muon: the momentum buffer of a [3, 2] matrix into a [2, 3] one", () => {
    const source = [mat(2, 3), mat(3, 2)];
    const saved = new optim.Muon(source, { lr: 0.02 });
    setGrads(source, 0);
    saved.step();
    expect(() => new optim.Muon([mat(2, 3), mat(2, 3)], { lr: 0.02 }).load_state_dict(saved.state_dict())).toThrow(
      "Muon.load_state_dict: the saved state of parameter 1 has 'momentum_buffer' of shape [3, 2], but parameter 1 of this optimizer has shape [2, 3]",
    );
  });

  test("Adafactor: factored row_var/col_var checked against [..., R, 1] / [..., 1, C]; a matrix's state into a vector", () => {
    const source = [mat(2, 3)];
    const saved = new optim.Adafactor(source);
    setGrads(source, 0);
    saved.step();
    expect(() => new optim.Adafactor([mat(4, 3)]).load_state_dict(saved.state_dict())).toThrow(
      "the saved state of parameter 0 has 'row_var' of shape [2, 1], but parameter 0 of this optimizer has shape [4, 3] (so 'row_var' should have shape [4, 1])",
    );
    expect(() => new optim.Adafactor([vec(6)]).load_state_dict(saved.state_dict())).toThrow(
      "the saved state of parameter 0 has 'row_var' of shape [2, 1], kept for a parameter of 2 or more dimensions, but parameter 0 of this optimizer has shape [6]",
    );
  });

  test("LBFGS: its flat vectors must have as many elements as all the parameters", () => {
    const quad = (ps: Tensor[]) => () => {
      let loss = 0;
      for (const p of ps) {
        const g = new Float32Array(p.data.length);
        for (let i = 0; i < g.length; i++) {
          loss += 0.5 * (i + 1) * p.data[i] ** 2;
          g[i] = (i + 1) * p.data[i];
        }
        p.grad = new Tensor(g, p.shape, "float32");
      }
      return loss;
    };
    const source = [vec(3)];
    const saved = new optim.LBFGS(source, { max_iter: 3 });
    saved.step(quad(source));
    expect(() => new optim.LBFGS([vec(4)], { max_iter: 3 }).load_state_dict(saved.state_dict())).toThrow(
      /^LBFGS\.load_state_dict: the saved state of parameter 0 has '(d|old_dirs|old_stps|prev_flat_grad)' of shape \[3\], but this optimizer's parameters have 4 elements in all/,
    );
  });
});

describe("scalar state after load_state_dict takes the parameter's dtype, as in PyTorch", () => {
  // PyTorch casts every floating state tensor but `step` to the parameter's dtype on load
  // (Optimizer._process_value_according_to_param_policy): NAdam's mu_product and ASGD's eta and mu,
  // created in the default scalar dtype, change dtype there. Each expected number below was printed
  // by PyTorch 2.13.0 for:
  //   torch.set_default_dtype(DEFAULT)
  //   p = torch.tensor([1.0, -2.0, 3.0], dtype=DTYPE, requires_grad=True); opt = Cls([p], **kw)
  //   grad = lambda k: torch.tensor([math.sin(k), math.cos(k), 0.5], dtype=DTYPE)
  //   for k in range(3): p.grad = grad(k); opt.step()
  //   sd = opt.state_dict(); opt = Cls([p], **kw); opt.load_state_dict(sd)
  //   for k in range(3, 10): p.grad = grad(k); opt.step()
  //   print(repr(opt.state[p][key].item()), p.tolist(), opt.state[p]["ax"].tolist())
  afterEach(() => set_default_dtype("float32"));
  const run = (make: (ps: Tensor[]) => optim.Optimizer, dtype: "float32" | "float64", dflt: "float32" | "float64") => {
    set_default_dtype(dflt);
    const p = tensorOf([1, -2, 3], [3], dtype, true);
    const grad = (k: number) => tensorOf([Math.sin(k), Math.cos(k), 0.5], [3], dtype);
    let opt = make([p]);
    for (let k = 0; k < 3; k++) {
      p.grad = grad(k);
      opt.step();
    }
    const sd = opt.state_dict();
    opt = make([p]);
    opt.load_state_dict(sd);
    for (let k = 3; k < 10; k++) {
      p.grad = grad(k);
      opt.step();
    }
    return { p: Array.from(p.data), state: opt.state.get(p)! };
  };

  test("NAdam, float64 parameters (default float32): mu_product goes on in float64", () => {
    const { p, state } = run((ps) => new optim.NAdam(ps, { lr: 0.1 }), "float64", "float32");
    // lrlab kept rounding it to float32: 0.00034357458935119212, and the parameters drifted by 2e-11.
    expect(relErr([state.mu_product], [0.0003435745601892928])).toBeLessThan(1e-15);
    expect(relErr(p, [0.7645286309468584, -2.0866426740250414, 2.19212118516189])).toBeLessThan(1e-12);
  });

  test("NAdam, float32 parameters under a float64 default dtype: mu_product goes on in float32", () => {
    const { p, state } = run((ps) => new optim.NAdam(ps, { lr: 0.1 }), "float32", "float64");
    expect(state.mu_product).toBe(0.0003435745893511921);
    expect(relErr(p, [0.7645286321640015, -2.0866425037384033, 2.1921210289001465])).toBeLessThan(1e-6);
  });

  test("ASGD, float32 parameters under a float64 default dtype: eta and mu are copied into float32", () => {
    const { p, state } = run((ps) => new optim.ASGD(ps, { lr: 0.1, lambd: 0.01, t0: 2 }), "float32", "float64");
    expect(state.eta).toBe(0.0992565006017685);
    expect(state.mu).toBe(0.125);
    expect(relErr(p, [0.7960598468780518, -2.0218732357025146, 2.4741413593292236])).toBeLessThan(1e-6);
    expect(relErr((state.ax as Tensor).data, [0.8914770483970642, -2.033350944519043, 2.631120204925537])).toBeLessThan(1e-6);
  });

  test("ASGD, float64 parameters (default float32): eta stays a float32 value (torch.as_tensor), as before the load", () => {
    const { p, state } = run((ps) => new optim.ASGD(ps, { lr: 0.1, lambd: 0.01, t0: 2 }), "float64", "float32");
    expect(state.eta).toBe(0.0992565006017685);
    expect(relErr(p, [0.796059952562012, -2.0218730308623325, 2.4741416365907583])).toBeLessThan(1e-12);
  });
});

describe("SGD without momentum keeps no state, as PyTorch", () => {
  test("state is empty and state_dict().state is {} (PyTorch 2.13: {}; lrlab had {\"0\": {}})", () => {
    const p = param([1, 1]);
    const opt = new optim.SGD([p], { lr: 0.1 });
    p.grad = tensorOf([1, 1], [2], "float32");
    opt.step();
    expect(opt.state.size).toBe(0);
    expect(opt.state_dict().state).toEqual({});
    expect(Array.from(p.data)).toEqual([Math.fround(0.9), Math.fround(0.9)]);
    // With momentum it has its buffer.
    const withMomentum = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    withMomentum.step();
    expect(Object.keys(withMomentum.state_dict().state[0])).toEqual(["momentum_buffer"]);
  });
});

describe("toString", () => {
  test("prints like PyTorch's repr", () => {
    const p = param([0, 0]);
    // PyTorch 2.13: repr(torch.optim.SGD([p], lr=0.1, momentum=0.9))
    expect(String(new optim.SGD([p], { lr: 0.1, momentum: 0.9 }))).toBe(
      "SGD (\nParameter Group 0\n    dampening: 0\n    differentiable: False\n    foreach: None\n    fused: None\n    lr: 0.1\n    maximize: False\n    momentum: 0.9\n    nesterov: False\n    weight_decay: 0\n)",
    );
    const q = param([0]);
    // PyTorch 2.13: repr(torch.optim.Adam([{'params': [p]}, {'params': [q], 'lr': 0.01}], lr=1e-3))
    expect(String(new optim.Adam([{ params: [p] }, { params: [q], lr: 0.01 }], { lr: 1e-3 }))).toBe(
      "Adam (\nParameter Group 0\n    amsgrad: False\n    betas: (0.9, 0.999)\n    capturable: False\n    decoupled_weight_decay: False\n    differentiable: False\n    eps: 1e-08\n    foreach: None\n    fused: None\n    lr: 0.001\n    maximize: False\n    weight_decay: 0\n\nParameter Group 1\n    amsgrad: False\n    betas: (0.9, 0.999)\n    capturable: False\n    decoupled_weight_decay: False\n    differentiable: False\n    eps: 1e-08\n    foreach: None\n    fused: None\n    lr: 0.01\n    maximize: False\n    weight_decay: 0\n)",
    );
  });
});
