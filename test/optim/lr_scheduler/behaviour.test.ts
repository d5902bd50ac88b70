/** The scheduler protocol, the options objects and PyTorch's error messages for bad input. */
import { describe, expect, it, vi } from "vitest";
import { zeros } from "../../../kernel/src/tensor/index";
import { SGD } from "../../../kernel/src/optim/sgd";
import { Adam } from "../../../kernel/src/optim/adam";
import * as S from "../../../kernel/src/optim/lr_scheduler/index";
import { scheduler_names } from "../../../kernel/src/optim/lr_scheduler/names";
import { restartIndex } from "../../../kernel/src/optim/lr_scheduler/cosine_annealing_warm_restarts";
import { set_native_libm_enabled } from "../../../kernel/src/random/native_libm";

const sgd = (lrs = [0.1], momentum = 0.9) =>
  new SGD(lrs.map((lr) => ({ params: [zeros(2, { requires_grad: true })], lr })), { momentum });
const adam = () => new Adam([zeros(2, { requires_grad: true })], { lr: 0.001 });

describe("LRScheduler protocol (PyTorch semantics)", () => {
  it("StepLR(step_size=2): sets initial_lr, base_lrs, last_epoch = 0 after construction", () => {
    const opt = sgd([0.1, 0.01]);
    const s = new S.StepLR(opt, { step_size: 2 });
    expect(opt.param_groups.map((g) => g.initial_lr)).toEqual([0.1, 0.01]);
    expect(s.base_lrs).toEqual([0.1, 0.01]);
    expect(s.last_epoch).toBe(0);
    expect(s.get_last_lr()).toEqual([0.1, 0.01]);
    opt.step();
    s.step();
    expect(s.last_epoch).toBe(1);
  });

  it("a second scheduler keeps the first one's initial_lr (setdefault)", () => {
    const opt = sgd();
    new S.ConstantLR(opt, { factor: 0.5, total_iters: 2 });
    const e = new S.ExponentialLR(opt, { gamma: 0.9 });
    expect(opt.param_groups[0].initial_lr).toBe(0.1);
    expect(e.base_lrs).toEqual([0.1]);
  });

  it("last_epoch >= 0 without initial_lr: PyTorch's KeyError", () => {
    expect(() => new S.StepLR(sgd(), { step_size: 2, last_epoch: 3 })).toThrow(
      /param 'initial_lr' is not specified in param_groups\[0\] when resuming scheduler with last_epoch >= 0/,
    );
  });

  it("works on any object with param_groups (no optimizer.step to wrap)", () => {
    const bare = { param_groups: [{ lr: 1.0 }] };
    const s = new S.CosineAnnealingLR(bare, { T_max: 4 });
    const lrs = [bare.param_groups[0].lr];
    for (let i = 0; i < 4; i++) {
      s.step();
      lrs.push(s.get_last_lr()[0]);
    }
    expect(lrs[0]).toBe(1);
    expect(lrs[2]).toBeCloseTo(0.5, 15);
    expect(lrs[4]).toBeCloseTo(0, 15);
  });

  it("not an optimizer: TypeError naming the type", () => {
    expect(() => new S.StepLR(42 as any, { step_size: 1 })).toThrow(/number is not an Optimizer/);
    expect(() => new S.StepLR({} as any, { step_size: 1 })).toThrow(/Object is not an Optimizer/);
  });

  it("state_dict() has the attributes but not the optimizer; LambdaLR saves its lambdas as null", () => {
    const opt = sgd();
    const s = new S.LambdaLR(opt, { lr_lambda: (e) => 0.5 ** e });
    const sd = s.state_dict();
    expect(sd.optimizer).toBeUndefined();
    expect(sd.lr_lambdas).toEqual([null]);
    expect(sd.base_lrs).toEqual([0.1]);
    expect(sd.last_epoch).toBe(0);
    sd.base_lrs.push(9); // a deep copy: the scheduler is unaffected
    expect(s.base_lrs).toEqual([0.1]);
  });

  it("ChainedScheduler takes the list positionally and optimizer in options (PyTorch 2.13)", () => {
    const opt = sgd();
    const a = new S.ConstantLR(opt, { factor: 0.5, total_iters: 1 });
    const b = new S.ExponentialLR(opt, { gamma: 0.5 });
    const c = new S.ChainedScheduler([a, b], { optimizer: opt });
    expect(c.optimizer).toBe(opt);
    expect(c.get_last_lr()).toEqual([0.05]);
    opt.step();
    c.step();
    expect(c.get_last_lr()[0]).toBeCloseTo(0.1 * 0.5, 15);
  });

  it("CyclicLR and OneCycleLR cycle Adam's betas[0] and keep betas[1]", () => {
    const opt = adam();
    new S.OneCycleLR(opt, { max_lr: 0.01, total_steps: 10 });
    expect(opt.param_groups[0].betas).toEqual([0.95, 0.999]);
    const opt2 = adam();
    new S.CyclicLR(opt2, { base_lr: 0.001, max_lr: 0.01, step_size_up: 4 });
    expect(opt2.param_groups[0].betas).toEqual([0.9, 0.999]);
    expect(opt2.param_groups[0].lr).toBe(0.001);
  });

  it("OneCycleLR stepped past total_steps: PyTorch's ValueError", () => {
    const opt = sgd();
    const s = new S.OneCycleLR(opt, { max_lr: 0.1, total_steps: 3 });
    for (let i = 0; i < 3; i++) {
      opt.step();
      s.step();
    }
    expect(() => s.step()).toThrow("Tried to step 4 times. The specified number of total steps is 3");
  });

  it("CosineAnnealingWarmRestarts.step(epoch) rejects a negative epoch", () => {
    const s = new S.CosineAnnealingWarmRestarts(sgd(), { T_0: 2 });
    expect(() => s.step(-1)).toThrow("Expected non-negative epoch, but got -1");
  });

  it("ReduceLROnPlateau accepts a one-element tensor-like metric and rejects a missing one", () => {
    const opt = sgd();
    const s = new S.ReduceLROnPlateau(opt, { patience: 0 });
    s.step({ item: () => 1.0 });
    s.step({ item: () => 2.0 });
    expect(opt.param_groups[0].lr).toBeCloseTo(0.01, 15);
    expect(() => (s as any).step()).toThrow(/expects the metric to monitor/);
  });

  it("scheduler_names lists all 15 schedulers, each an exported class", () => {
    expect(scheduler_names).toHaveLength(15);
    for (const name of scheduler_names) {
      expect(typeof (S as Record<string, unknown>)[name]).toBe("function");
      expect((S as any)[name].prototype).toBeInstanceOf(S.LRScheduler);
    }
  });
});

describe("PyTorch's errors for invalid arguments", () => {
  const cases: [string, () => unknown, string | RegExp][] = [
    ["ConstantLR(factor=1.5)", () => new S.ConstantLR(sgd(), { factor: 1.5 }),
      "Constant multiplicative factor expected to be between 0 and 1."],
    ["LinearLR(start_factor=0)", () => new S.LinearLR(sgd(), { start_factor: 0 }),
      "Starting multiplicative factor expected to be greater than 0 and less or equal to 1."],
    ["LinearLR(end_factor=2)", () => new S.LinearLR(sgd(), { end_factor: 2 }),
      "Ending multiplicative factor expected to be between 0 and 1."],
    ["LambdaLR(lr_lambda=[f]) with 2 groups", () => new S.LambdaLR(sgd([0.1, 0.2]), { lr_lambda: [() => 1] }),
      "Expected 2 lr_lambdas, but got 1"],
    ["MultiplicativeLR(lr_lambda=3)", () => new S.MultiplicativeLR(sgd(), { lr_lambda: 3 as any }),
      "lr_lambda should be a function, but got number"],
    ["ReduceLROnPlateau(factor=1.0)", () => new S.ReduceLROnPlateau(sgd(), { factor: 1.0 }), "Factor should be < 1.0."],
    ["ReduceLROnPlateau(mode='avg')", () => new S.ReduceLROnPlateau(sgd(), { mode: "avg" as any }), /mode avg is unknown!/],
    ["ReduceLROnPlateau(threshold_mode='pct')", () => new S.ReduceLROnPlateau(sgd(), { threshold_mode: "pct" as any }),
      /threshold mode pct is unknown!/],
    ["ReduceLROnPlateau(min_lr=[0, 0]) with 1 group", () => new S.ReduceLROnPlateau(sgd(), { min_lr: [0, 0] }),
      "expected 1 min_lrs, got 2"],
    ["CyclicLR(mode='square')", () => new S.CyclicLR(sgd(), { base_lr: 0.1, max_lr: 1, mode: "square" as any }),
      "mode is invalid and scale_fn is None"],
    ["CyclicLR on an optimizer without momentum or betas",
      () => new S.CyclicLR({ param_groups: [{ lr: 0.1 }], defaults: { lr: 0.1 } }, { base_lr: 0.1, max_lr: 1 }),
      "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"],
    ["CyclicLR(max_lr=[1, 2]) with 1 group", () => new S.CyclicLR(sgd(), { base_lr: 0.1, max_lr: [1, 2] }),
      "max_lr must have the same length as optimizer.param_groups. max_lr has 2 values, param_groups has 1."],
    ["OneCycleLR without total_steps or epochs", () => new S.OneCycleLR(sgd(), { max_lr: 0.1 }),
      "You must define either total_steps OR (epochs AND steps_per_epoch)"],
    ["OneCycleLR(total_steps=0)", () => new S.OneCycleLR(sgd(), { max_lr: 0.1, total_steps: 0 }),
      "Expected positive integer total_steps, but got 0"],
    ["OneCycleLR(epochs=2.5)", () => new S.OneCycleLR(sgd(), { max_lr: 0.1, epochs: 2.5, steps_per_epoch: 4 }),
      "Expected positive integer epochs, but got 2.5"],
    ["OneCycleLR(pct_start=1.5)", () => new S.OneCycleLR(sgd(), { max_lr: 0.1, total_steps: 9, pct_start: 1.5 }),
      "Expected float between 0 and 1 pct_start, but got 1.5"],
    ["OneCycleLR(anneal_strategy='exp')",
      () => new S.OneCycleLR(sgd(), { max_lr: 0.1, total_steps: 9, anneal_strategy: "exp" as any }),
      "anneal_strategy must be one of 'cos' or 'linear', instead got exp"],
    ["CosineAnnealingWarmRestarts(T_0=0)", () => new S.CosineAnnealingWarmRestarts(sgd(), { T_0: 0 }),
      "Expected positive integer T_0, but got 0"],
    ["CosineAnnealingWarmRestarts(T_mult=1.5)", () => new S.CosineAnnealingWarmRestarts(sgd(), { T_0: 2, T_mult: 1.5 }),
      "Expected integer T_mult >= 1, but got 1.5"],
    ["ChainedScheduler([])", () => new S.ChainedScheduler([]),
      "ChainedScheduler expects at least one scheduler to be chained, but got no scheduler."],
    ["SequentialLR(schedulers=[])", () => new S.SequentialLR(sgd(), { schedulers: [], milestones: [] }),
      "SequentialLR expects at least one scheduler, but got no scheduler."],
    ["SequentialLR with 2 schedulers and 2 milestones", () => {
      const opt = sgd();
      return new S.SequentialLR(opt, {
        schedulers: [new S.ConstantLR(opt), new S.ExponentialLR(opt, { gamma: 0.9 })], milestones: [2, 4],
      });
    }, /^Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers 2 and the number of milestones to be equal to 2$/],
    ["SequentialLR with a ReduceLROnPlateau", () => {
      const opt = sgd();
      return new S.SequentialLR(opt, { schedulers: [new S.ConstantLR(opt), new S.ReduceLROnPlateau(opt)], milestones: [2] });
    }, /SequentialLR does not support `ReduceLROnPlateau` scheduler .* at index 1/],
    ["ChainedScheduler over two optimizers", () => {
      const a = new S.ConstantLR(sgd());
      const b = new S.ConstantLR(sgd());
      return new S.ChainedScheduler([a, b]);
    }, /ChainedScheduler expects all schedulers to belong to the same optimizer, but got scheduler ConstantLR at index 1/],
    ["StepLR without step_size", () => new S.StepLR(sgd(), {} as any),
      "StepLR.__init__() missing 1 required argument: 'step_size'"],
    ["StepLR with a misspelt option", () => new S.StepLR(sgd(), { step_size: 2, gama: 0.5 } as any),
      "StepLR.__init__() got an unexpected keyword argument 'gama'; accepted: step_size, gamma, last_epoch"],
    ["StepLR(step_size=0)", () => new S.StepLR(sgd(), { step_size: 0 }), "Expected positive integer step_size, but got 0"],
    ["MultiStepLR(milestones=5)", () => new S.MultiStepLR(sgd(), { milestones: 5 as any }),
      "MultiStepLR: milestones must be a list of integers, but got 5"],
  ];
  for (const [what, make, message] of cases) {
    it(what, () => {
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      try {
        expect(make).toThrow(message);
      } finally {
        warn.mockRestore();
      }
    });
  }
});

describe("a user function (lr_lambda, scale_fn) that returns no number: PyTorch's TypeError, not a NaN lr", () => {
  // Python raises where JavaScript computed NaN: `lambda e: e.foo` fails in the lambda, and a
  // lambda returning None fails in `base_lr * None` (TypeError: unsupported operand type(s)).
  // A number that is NaN or infinite stays silent, as float('nan') does in PyTorch.
  it("LambdaLR: at construction (epoch 0), naming the value and the epoch", () => {
    const bad = (e: number) => (e as any).foo as number;
    expect(() => new S.LambdaLR(sgd(), { lr_lambda: bad })).toThrow(
      /^lr_lambda must return a number \(the factor of the initial lr\), but returned undefined at epoch 0$/);
    expect(() => new S.LambdaLR(sgd(), { lr_lambda: (() => null) as any })).toThrow(/returned None at epoch 0$/);
    expect(() => new S.LambdaLR(sgd(), { lr_lambda: (() => "0.5") as any })).toThrow(/returned '0\.5' at epoch 0$/);
    try { new S.LambdaLR(sgd(), { lr_lambda: bad }); } catch (e) { expect((e as Error).name).toBe("TypeError"); }
    const o = sgd();
    const s = new S.LambdaLR(o, { lr_lambda: (e) => (e < 2 ? 1 : (undefined as any)) });
    o.step();
    s.step();
    o.step();
    expect(() => s.step()).toThrow(/returned undefined at epoch 2$/);
  });

  it("MultiplicativeLR: at the first step that calls it", () => {
    const o = sgd();
    const s = new S.MultiplicativeLR(o, { lr_lambda: (() => undefined) as any });
    o.step();
    expect(() => s.step()).toThrow(/^lr_lambda must return a number \(the factor of the current lr\), but returned undefined at epoch 1$/);
  });

  it("CyclicLR: a scale_fn returning no number", () => {
    expect(() => new S.CyclicLR(sgd(), { base_lr: 0.01, max_lr: 0.1, scale_fn: (() => undefined) as any })).toThrow(
      /^scale_fn must return a number \(the amplitude's scale\), but returned undefined at x = 1$/);
  });

  it("numbers (NaN included, as in PyTorch), booleans and one-element tensors are factors", () => {
    const nan = new S.LambdaLR(sgd(), { lr_lambda: () => NaN });
    expect(nan.get_last_lr()[0]).toBeNaN();
    expect(new S.LambdaLR(sgd(), { lr_lambda: ((e: number) => e < 1) as any }).get_last_lr()).toEqual([0.1]);
    expect(new S.LambdaLR(sgd(), { lr_lambda: (() => zeros(1).add(0.5)) as any }).get_last_lr()).toEqual([0.05]);
    const o = sgd();
    const m = new S.MultiplicativeLR(o, { lr_lambda: () => 0.5 });
    o.step();
    m.step();
    expect(m.get_last_lr()).toEqual([0.05]);
  });
});

describe("a param group added after the scheduler was created (PyTorch 2.13 raises where lrlab wrote NaN)", () => {
  /** One group at lr 0.1, the scheduler, then a second group at lr 0.05. */
  const withAddedGroup = (make: (o: SGD) => S.LRScheduler) => {
    const opt = sgd();
    const sched = make(opt);
    opt.add_param_group({ params: [zeros(2, { requires_grad: true })], lr: 0.05 });
    return { opt, sched };
  };
  const CLEAR = /was created for an optimizer with 1 param group, but the optimizer now has 2.*Create the scheduler after adding all param groups/;
  const quiet = () => vi.spyOn(console, "warn").mockImplementation(() => {});

  // [scheduler, maker, the step that raises in PyTorch 2.13 (1-based)]; PyTorch's error in the comment.
  const raising: [string, (o: SGD) => S.LRScheduler, number][] = [
    // ValueError: zip() argument 2 is shorter than argument 1
    ["LambdaLR", (o) => new S.LambdaLR(o, { lr_lambda: (e) => 0.9 ** e }), 1],
    // ValueError: zip() argument 2 is longer than argument 1 (lrlab: "this.lr_lambdas[i] is not a function")
    ["MultiplicativeLR", (o) => new S.MultiplicativeLR(o, { lr_lambda: () => 0.9 }), 1],
    // ValueError: zip() argument 2 is longer than argument 1, at the restart branch T_max + 1 (lrlab: lr NaN)
    ["CosineAnnealingLR", (o) => new S.CosineAnnealingLR(o, { T_max: 2 }), 3],
    // ValueError: zip() argument 2 is shorter than argument 1
    ["CosineAnnealingWarmRestarts", (o) => new S.CosineAnnealingWarmRestarts(o, { T_0: 2 }), 1],
    ["CyclicLR", (o) => new S.CyclicLR(o, { base_lr: 0.01, max_lr: 0.1, step_size_up: 2 }), 1],
    // KeyError: 'initial_lr' (lrlab: lr NaN)
    ["OneCycleLR", (o) => new S.OneCycleLR(o, { max_lr: 0.2, total_steps: 20 }), 1],
    // ValueError: zip() ... when the milestone restarts ExponentialLR by its closed form
    ["SequentialLR", (o) => new S.SequentialLR(o, {
      schedulers: [new S.ConstantLR(o, { factor: 0.5, total_iters: 2 }), new S.ExponentialLR(o, { gamma: 0.9 })], milestones: [2],
    }), 2],
  ];
  for (const [name, make, at] of raising) {
    it(`${name}: a clear error at step ${at} (as PyTorch raises there), no NaN rate or momentum`, () => {
      const warn = quiet();
      try {
        const { opt, sched } = withAddedGroup(make);
        for (let i = 1; i < at; i++) {
          opt.step();
          sched.step();
        }
        const before = opt.param_groups.map((g) => ({ lr: g.lr, momentum: g.momentum }));
        opt.step();
        expect(() => sched.step()).toThrow(CLEAR);
        // Nothing was written: every group keeps its rate and momentum, none NaN.
        expect(opt.param_groups.map((g) => ({ lr: g.lr, momentum: g.momentum }))).toEqual(before);
        for (const g of opt.param_groups) expect(Number.isNaN(g.lr) || Number.isNaN(g.momentum)).toBe(false);
      } finally {
        warn.mockRestore();
      }
    });
  }

  it("OneCycleLR's error is a KeyError naming the group and the missing key, as PyTorch's KeyError 'initial_lr'", () => {
    const { opt, sched } = withAddedGroup((o) => new S.OneCycleLR(o, { max_lr: 0.2, total_steps: 20 }));
    opt.step();
    let err: Error | undefined;
    try {
      sched.step();
    } catch (e) {
      err = e as Error;
    }
    expect(err?.name).toBe("KeyError");
    expect(err?.message).toContain("param_groups[1] has no 'initial_lr'");
  });

  it("the chainable schedulers go on scheduling the new group from its own lr, as in PyTorch", () => {
    // PyTorch 2.13: opt = SGD([zeros(2)], lr=0.1, momentum=0.9); s = StepLR(opt, step_size=2, gamma=0.5);
    // opt.add_param_group(dict(params=[ones(2)], lr=0.05)); then opt.step(); s.step() six times:
    // [[0.1, 0.05], [0.05, 0.025], [0.05, 0.025], [0.025, 0.0125], [0.025, 0.0125], [0.0125, 0.00625]]
    const { opt, sched } = withAddedGroup((o) => new S.StepLR(o, { step_size: 2, gamma: 0.5 }));
    const seen: number[][] = [];
    for (let i = 0; i < 6; i++) {
      opt.step();
      sched.step();
      seen.push(opt.param_groups.map((g) => g.lr));
    }
    expect(seen).toEqual([[0.1, 0.05], [0.05, 0.025], [0.05, 0.025], [0.025, 0.0125], [0.025, 0.0125], [0.0125, 0.00625]]);
  });

  it("the deprecated step(epoch) (closed form, from base_lrs) raises the same clear error", () => {
    const warn = quiet();
    try {
      const { sched } = withAddedGroup((o) => new S.StepLR(o, { step_size: 2, gamma: 0.5 }));
      expect(() => sched.step(3)).toThrow(CLEAR); // PyTorch: ValueError: zip() argument 2 is shorter than argument 1
    } finally {
      warn.mockRestore();
    }
  });
});

describe("total_iters = 0 and step_size_down = 0 (accepted by PyTorch 2.13; schedules in the fixtures)", () => {
  it("ConstantLR, LinearLR and PolynomialLR accept total_iters=0 and refuse a negative one", () => {
    for (const make of [
      (n: number) => new S.ConstantLR(sgd(), { factor: 0.5, total_iters: n }),
      (n: number) => new S.LinearLR(sgd(), { start_factor: 0.5, total_iters: n }),
      (n: number) => new S.PolynomialLR(sgd(), { total_iters: n }),
    ]) {
      expect(make(0).total_iters).toBe(0);
      expect(() => make(-1)).toThrow("Expected non-negative integer total_iters, but got -1");
    }
  });

  it("LinearLR and PolynomialLR with total_iters=0 have no closed form: PyTorch's ZeroDivisionError, said clearly (not NaN)", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      // PyTorch 2.13: LinearLR(opt, start_factor=0.5, total_iters=0).step(3) -> ZeroDivisionError: float division by zero
      for (const [name, s] of [
        ["LinearLR", new S.LinearLR(sgd(), { start_factor: 0.5, total_iters: 0 })],
        ["PolynomialLR", new S.PolynomialLR(sgd(), { total_iters: 0 })],
      ] as const) {
        const lr = s.optimizer.param_groups[0].lr;
        expect(() => s.step(3)).toThrow(`${name} with total_iters=0 has no closed form`);
        expect(s.optimizer.param_groups[0].lr).toBe(lr);
      }
      // ConstantLR's closed form does not divide: PyTorch gives base_lr, so does lrlab.
      const c = new S.ConstantLR(sgd(), { factor: 0.5, total_iters: 0 });
      c.step(3);
      expect(c.get_last_lr()).toEqual([0.1]);
    } finally {
      warn.mockRestore();
    }
  });

  it("CyclicLR accepts step_size_down=0 (a sawtooth) but not a negative one, nor step_size_up=0", () => {
    expect(() => new S.CyclicLR(sgd(), { base_lr: 0.01, max_lr: 0.1, step_size_up: 4, step_size_down: 0 })).not.toThrow();
    expect(() => new S.CyclicLR(sgd(), { base_lr: 0.01, max_lr: 0.1, step_size_up: 4, step_size_down: -1 })).toThrow(
      "Expected non-negative step_size_down, but got -1",
    );
    expect(() => new S.CyclicLR(sgd(), { base_lr: 0.01, max_lr: 0.1, step_size_up: 0 })).toThrow(
      "Expected positive step_size_up, but got 0",
    );
  });
});

describe("CosineAnnealingWarmRestarts.step(epoch) at a restart: the C library's log, as Python's math.log", () => {
  // Python 3 / PyTorch 2.13: int(math.log(epoch / T_0 * (T_mult - 1) + 1, T_mult)) for T_mult = 3 at
  // these restarts (V8's Math.log(3) is 1 ulp from glibc's: Math.log gave one more, the next period).
  const cases: [number, number[], number[]][] = [
    [1, [121, 29524, 797161, 7174453, 64570081], [4, 9, 12, 14, 16]],
    [2, [242, 59048, 1594322], [4, 9, 12]],
    [5, [605, 147620, 3985805], [4, 9, 12]],
  ];
  for (const native of [true, false]) {
    it(`restartIndex matches Python ${native ? "with the native addon's log (when built)" : "with lrlab's own correctly rounded log"}`, () => {
      set_native_libm_enabled(native);
      try {
        for (const [T_0, epochs, n] of cases) expect(epochs.map((e) => restartIndex(e, T_0, 3))).toEqual(n);
      } finally {
        set_native_libm_enabled(true);
      }
    });
  }

  it("step(121) with T_0=1, T_mult=3 ends the period of 81 (PyTorch: T_i=81, T_cur=81, lr=0.0), not a restart at lr=1", () => {
    const opt = sgd([1.0]);
    const s = new S.CosineAnnealingWarmRestarts(opt, { T_0: 1, T_mult: 3 });
    s.step(121);
    expect([s.T_i, s.T_cur, opt.param_groups[0].lr]).toEqual([81, 81, 0]);
  });
});

describe("SequentialLR.step() and ChainedScheduler.step() take no epoch (PyTorch: TypeError)", () => {
  it("step(10) is a TypeError instead of an ignored argument", () => {
    const opt = sgd();
    const seq = new S.SequentialLR(opt, {
      schedulers: [new S.ConstantLR(opt, { factor: 0.5, total_iters: 2 }), new S.ExponentialLR(opt, { gamma: 0.9 })], milestones: [2],
    });
    opt.step();
    // PyTorch 2.13: TypeError: SequentialLR.step() takes 1 positional argument but 2 were given
    expect(() => (seq.step as (e: number) => void)(10)).toThrow(/^SequentialLR\.step\(\) takes no arguments, but got 1 \(10\)/);
    expect(seq.last_epoch).toBe(0);
    const opt2 = sgd();
    const chained = new S.ChainedScheduler([new S.StepLR(opt2, { step_size: 2 }), new S.ExponentialLR(opt2, { gamma: 0.9 })]);
    opt2.step();
    expect(() => (chained.step as (e: number) => void)(10)).toThrow(/^ChainedScheduler\.step\(\) takes no arguments/);
    expect(opt2.param_groups[0].lr).toBe(0.1);
    seq.step();
    expect(seq.last_epoch).toBe(1);
  });
});

describe("extending and checkpointing", () => {
  it("a user-defined LRScheduler subclass: _init sets attributes, then super._init (PyTorch's __init__ order)", () => {
    class WarmupThenHalf extends S.LRScheduler {
      declare warmup: number;
      constructor(optimizer: S.OptimizerLike, options: { warmup: number; last_epoch?: number }) {
        super(optimizer, options);
      }
      protected override _init(optimizer: S.OptimizerLike, options: { warmup: number; last_epoch?: number }): void {
        this.warmup = options.warmup;
        super._init(optimizer, options);
      }
      override get_lr(): number[] {
        const t = this.last_epoch;
        return this.base_lrs.map((lr) => (t < this.warmup ? (lr * (t + 1)) / this.warmup : lr / 2));
      }
    }
    const opt = sgd();
    const s = new WarmupThenHalf(opt, { warmup: 2 });
    const seen = [s.get_last_lr()[0]];
    for (let i = 0; i < 3; i++) {
      opt.step();
      s.step();
      seen.push(s.get_last_lr()[0]);
    }
    expect(seen).toEqual([0.05, 0.1, 0.05, 0.05]);
    expect(s.state_dict().warmup).toBe(2);
  });

  it("ReduceLROnPlateau(mode='min') checkpointed through JSON before any metric still starts from best = inf", () => {
    const opt = sgd();
    const a = new S.ReduceLROnPlateau(opt, { patience: 0 });
    const b = new S.ReduceLROnPlateau(opt, { patience: 0 });
    b.load_state_dict(JSON.parse(JSON.stringify(a.state_dict())));
    expect(b.best).toBe(Infinity);
    b.step(5.0);
    expect(b.best).toBe(5.0);
    expect(b.num_bad_epochs).toBe(0);
  });

  it("LRScheduler itself has no schedule: get_lr() is NotImplementedError", () => {
    expect(() => new S.LRScheduler(sgd())).toThrow("LRScheduler must implement get_lr()");
  });
});
