/**
 * torch.optim.swa_utils.SWALR against real PyTorch 2.13 (test/fixtures/swa_utils/SWALR.json, from
 * test/fixtures/generate_swa_utils.py): the lr sequences of cos and linear annealing, several
 * anneal_epochs (0 included), per-group swa_lr, after / alternating with other schedulers, the
 * deprecated step(epoch), state_dict keys and resume; then PyTorch's errors, the repr, the tracer,
 * lrlab.preview and %lr_schedule.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import * as torch from "../../../kernel/src/index";
import { zeros } from "../../../kernel/src/tensor/index";
import { SGD } from "../../../kernel/src/optim/sgd";
import { SWALR } from "../../../kernel/src/optim/swa_utils/index";
import { LRScheduler, CosineAnnealingLR, StepLR } from "../../../kernel/src/optim/lr_scheduler/index";
import { EPOCH_DEPRECATION_WARNING, GET_LR_OUTSIDE_STEP_WARNING } from "../../../kernel/src/optim/lr_scheduler/warnings";
import { scheduler_names } from "../../../kernel/src/optim/lr_scheduler/names";
import { swa_scheduler_names } from "../../../kernel/src/optim/swa_utils/names";
import { trace, preview } from "../../../kernel/src/trace/index";
import { textOf } from "../../../kernel/src/kernel/mime";
import { expectClose, loadSwalr, makeOptimizer, makeScheduler, runSwalrCase, type SwalrCase } from "./fixtures";

const fixture = loadSwalr();
const byName = (part: string): SwalrCase => {
  const c = fixture.cases.find((x) => x.name.includes(part));
  if (!c) throw new Error(`no fixture case with ${part}`);
  return c;
};
const sgd = (lrs = [0.1, 0.01]) => new SGD(lrs.map((lr) => ({ params: [zeros(2, { requires_grad: true })], lr })));
const quiet = <T>(fn: () => T): T => {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  try {
    return fn();
  } finally {
    warn.mockRestore();
  }
};

describe("SWALR against PyTorch 2.13.0", () => {
  it("the fixture was made by PyTorch 2.13.0 and covers cos, linear, anneal_epochs 0, per-group swa_lr and switches", () => {
    expect(fixture.torch.startsWith("2.13.0")).toBe(true);
    const names = fixture.cases.map((c) => c.name).join("\n");
    for (const s of ["anneal_strategy='cos'", "anneal_strategy='linear'", "anneal_epochs=0", "swa_lr=[0.05, 0.001]", "swa_start", "step(epoch)"]) {
      expect(names).toContain(s);
    }
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      quiet(() =>
        runSwalrCase(c, (i, lr, last) => {
          if (i < 0) return expectClose(lr, c.initial.lr, "after construction lr");
          expectClose(lr, c.records[i].lr, `after step ${i + 1} lr`);
          if (c.records[i].last_lr) expectClose(last!, c.records[i].last_lr!, `after step ${i + 1} get_last_lr()`);
        }),
      );
    });
  }

  it("state_dict() has PyTorch's keys (every attribute but the optimizer and anneal_func)", () => {
    const s = new SWALR(sgd(), { swa_lr: 0.05 });
    expect(Object.keys(s.state_dict()).sort()).toEqual(fixture.state_dict_keys);
    expect(s.state_dict()).toMatchObject({ _anneal_strategy: "cos", anneal_epochs: 10, base_lrs: [0.1, 0.01], last_epoch: 0, _step_count: 1 });
  });

  const resumable = fixture.cases.filter((c) => c.resume_at !== undefined);
  it("has resume cases", () => expect(resumable.length).toBeGreaterThanOrEqual(3));
  for (const c of resumable) {
    it(`resume after step ${c.resume_at} through JSON: ${c.name}`, () => {
      const k = c.resume_at!;
      const { optimizer, schedulers } = runSwalrCase(c, () => {}, k);
      const optState = optimizer.state_dict();
      const schedState = JSON.parse(JSON.stringify(schedulers[0]!.state_dict()));
      const opt2 = makeOptimizer(c.optimizer);
      const sched2 = makeScheduler(c.schedulers[0], opt2);
      opt2.load_state_dict(optState);
      sched2.load_state_dict(schedState);
      expectClose(opt2.param_groups.map((g) => g.lr as number), c.records[k - 1].lr, "resumed");
      for (let i = k; i < c.steps; i++) {
        opt2.step();
        sched2.step();
        expectClose(opt2.param_groups.map((g) => g.lr as number), c.records[i].lr, `resumed, after step ${i + 1}`);
      }
    });
  }

  it("load_state_dict restores the annealing function with the strategy", () => {
    const a = new SWALR(sgd([0.1]), { swa_lr: 0.05, anneal_strategy: "linear", anneal_epochs: 4 });
    const b = new SWALR(sgd([0.1]), { swa_lr: 0.05, anneal_strategy: "cos", anneal_epochs: 4 });
    expect(b.anneal_func(0.25)).toBeCloseTo((1 - Math.cos(Math.PI / 4)) / 2, 15);
    b.load_state_dict(a.state_dict());
    expect(b._anneal_strategy).toBe("linear");
    expect(b.anneal_func(0.25)).toBe(0.25);
    // a state_dict carrying anneal_func (an old or hand-made one) is accepted, the function derived
    b.load_state_dict({ ...a.state_dict(), _anneal_strategy: "cos", anneal_func: "ignored" });
    expect(b.anneal_func(0.5)).toBeCloseTo(0.5, 15);
    expect(Object.keys(b.state_dict())).not.toContain("anneal_func");
  });
});

describe("SWALR: what PyTorch accepts and refuses", () => {
  it("is an LRScheduler; swa_lr is written into each group", () => {
    const opt = sgd();
    const s = new SWALR(opt, { swa_lr: [0.05, 0.002] });
    expect(s).toBeInstanceOf(LRScheduler);
    expect(opt.param_groups.map((g) => g.swa_lr)).toEqual([0.05, 0.002]);
    expect(opt.param_groups.map((g) => g.initial_lr)).toEqual([0.1, 0.01]);
  });

  it("rejects what PyTorch rejects, with PyTorch's words", () => {
    const cases: [Record<string, unknown> | undefined, RegExp, string][] = [
      [{ swa_lr: 0.05, anneal_strategy: "foo" }, /^anneal_strategy must be one of 'cos' or 'linear', instead got foo$/, "ValueError"],
      [{ swa_lr: 0.05, anneal_epochs: -1 }, /^anneal_epochs must be equal or greater than 0, got -1$/, "ValueError"],
      [{ swa_lr: 0.05, anneal_epochs: 2.5 }, /^anneal_epochs must be equal or greater than 0, got 2\.5$/, "ValueError"],
      [{ swa_lr: 0.05, anneal_epochs: "3" }, /^anneal_epochs must be equal or greater than 0, got 3$/, "ValueError"],
      [{ swa_lr: [1, 2, 3] }, /^swa_lr must have the same length as optimizer\.param_groups\. swa_lr has 3 values, param_groups has 2\.$/, "ValueError"],
      // PyTorch's words, then what swa_lr is and what else SWALR takes (lr_scheduler/needs.ts)
      [{}, /^SWALR\.__init__\(\) missing 1 required argument: 'swa_lr' \(swa_lr: float, the lr it anneals to\), e\.g\. new SWALR\(optimizer, \{ swa_lr: 0\.05 \}\); optional: anneal_epochs=10, anneal_strategy=cos, last_epoch=-1$/, "TypeError"],
      [undefined, /^SWALR\.__init__\(\) missing 1 required argument: 'swa_lr' \(/, "TypeError"],
      [{ swa_lr: 0.05, foo: 1 }, /^SWALR\.__init__\(\) got an unexpected keyword argument 'foo'; accepted: swa_lr, anneal_epochs, anneal_strategy, last_epoch$/, "TypeError"],
      [{ swa_lr: 0.05, annealing_epochs: 5 }, /unexpected keyword argument 'annealing_epochs'/, "TypeError"],
      [{ swa_lr: "0.05" }, /^Expected a finite number for swa_lr, but got 0\.05$/, "ValueError"],
      [{ swa_lr: [0.05, NaN] }, /^Expected a finite number for swa_lr, but got NaN$/, "ValueError"],
    ];
    for (const [options, message, kind] of cases) {
      const opt = sgd();
      let error: Error | undefined;
      try {
        new SWALR(opt, options as any);
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message, JSON.stringify(options)).toMatch(message);
      expect(error?.name, JSON.stringify(options)).toBe(kind);
      // nothing was written into the groups
      expect(opt.param_groups.some((g) => "swa_lr" in g), JSON.stringify(options)).toBe(false);
    }
    expect(() => new SWALR({} as any, { swa_lr: 0.05 })).toThrow(/is not an Optimizer/);
    expect(() => new SWALR(sgd(), { swa_lr: 0.05, last_epoch: 3 })).toThrow(/param 'initial_lr' is not specified in param_groups\[0\]/);
  });

  it("a group added after construction has no swa_lr: PyTorch's KeyError, saying what to do", () => {
    const opt = sgd([0.1]);
    const s = new SWALR(opt, { swa_lr: 0.05, anneal_epochs: 3 });
    opt.add_param_group({ params: [zeros(2, { requires_grad: true })], lr: 0.2 });
    opt.step();
    expect(() => s.step()).toThrow(/^'swa_lr': param_groups\[1\] has no swa_lr .*set group\.swa_lr/);
    opt.param_groups[1].swa_lr = 0.05;
    s.step();
    expect(opt.param_groups[1].lr).toBeGreaterThan(0.05);
  });

  it("warns as the other schedulers: get_lr() outside step(), and the deprecated step(epoch)", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const opt = sgd([0.1]);
      const s = new SWALR(opt, { swa_lr: 0.05, anneal_epochs: 4 });
      s.get_lr();
      opt.step();
      s.step(3);
      const messages = warn.mock.calls.map((c) => String(c[0]));
      expect(messages).toContain(`UserWarning: ${GET_LR_OUTSIDE_STEP_WARNING}`);
      expect(messages).toContain(`UserWarning: ${EPOCH_DEPRECATION_WARNING}`);
      expect(s.last_epoch).toBe(3);
    } finally {
      warn.mockRestore();
    }
  });

  it("prints its settings, epoch and rates (echo = console.log = String)", () => {
    const opt = sgd();
    const s = new SWALR(opt, { swa_lr: [0.05, 0.001], anneal_epochs: 4, anneal_strategy: "linear" });
    for (let i = 0; i < 2; i++) {
      opt.step();
      s.step();
    }
    const text = "SWALR(swa_lr=[0.05, 0.001], anneal_epochs=4, anneal_strategy='linear', last_epoch=2, lr=[0.07500000000000001, 0.0055])";
    expect(textOf(s)).toBe(text);
    expect(String(s)).toBe(text);
    expect(String(new SWALR(sgd([0.1]), { swa_lr: 0.05 }))).toBe("SWALR(swa_lr=[0.05], anneal_epochs=10, anneal_strategy='cos', last_epoch=0, lr=[0.1])");
    // inside a composite scheduler's repr
    const o = sgd([0.1]);
    const seq = new torch.optim.lr_scheduler.SequentialLR(o, {
      schedulers: [new StepLR(o, { step_size: 2 }), new SWALR(o, { swa_lr: 0.05, anneal_epochs: 3 })],
      milestones: [4],
    });
    expect(String(seq)).toContain("SWALR(swa_lr=[0.05], anneal_epochs=3, anneal_strategy='cos')");
  });
});

describe("SWALR everywhere a scheduler goes", () => {
  it("lives in torch.optim.swa_utils (as in PyTorch), next to PyTorch's other names, not in lr_scheduler", () => {
    expect(torch.optim.swa_utils.SWALR).toBe(SWALR);
    // PyTorch's names and nothing else (lrlab's list of SWALR for %lr_schedule is swa_utils/names.ts's)
    expect(Object.keys(torch.optim.swa_utils).sort()).toEqual(
      ["AveragedModel", "SWALR", "get_ema_avg_fn", "get_ema_multi_avg_fn", "get_swa_avg_fn", "get_swa_multi_avg_fn", "update_bn"].sort(),
    );
    expect(swa_scheduler_names).toEqual(["SWALR"]);
    expect(scheduler_names).not.toContain("SWALR");
    expect((torch.optim.lr_scheduler as Record<string, unknown>).SWALR).toBeUndefined();
  });

  it("a traced run records the lr SWALR sets at every step (CosineAnnealingLR, then SWALR after swa_start)", () => {
    const c = byName("CosineAnnealingLR(T_max=40) until swa_start=15, then SWALR(swa_lr=0.05, anneal_epochs=5), both created");
    const p = new torch.Tensor(Float64Array.from([1, -2, 0.5]), [3], "float64", true);
    const opt = new SGD([p], { lr: 0.1 });
    const t = trace(opt);
    try {
      const cos = new CosineAnnealingLR(opt, { T_max: 40 });
      const swa = new SWALR(opt, { swa_lr: 0.05, anneal_epochs: 5 });
      const seen: number[] = [];
      for (let i = 0; i < c.steps; i++) {
        p.grad = new torch.Tensor(Float64Array.from([0.3, -0.1, 0.2]), [3], "float64");
        opt.step();
        seen.push(t.latest()!.lr);
        if (c.plan[i] === 0) cos.step();
        else swa.step();
      }
      // the rate in force at step i: after construction for i = 0, after the previous iteration's step otherwise
      const expected = [c.initial.lr[0], ...c.records.slice(0, -1).map((r) => r.lr[0])];
      expectClose(seen, expected, "traced lr");
      expect(t.errors).toEqual([]);
    } finally {
      t.stop();
    }
  });

  it("lrlab.preview simulates it (the lr in force at each step)", () => {
    const c = byName("SWALR(swa_lr=0.05, anneal_epochs=5, anneal_strategy='linear'), SGD lr=0.1");
    const pv = preview((o) => new SWALR(o, { swa_lr: 0.05, anneal_epochs: 5, anneal_strategy: "linear" }), { steps: c.steps, lr: 0.1 });
    expectClose(pv.lr, [c.initial.lr[0], ...c.records.slice(0, -1).map((r) => r.lr[0])], "preview lr");
    expect(String(pv)).toMatch(/^SWALR: 12 steps, lr 0\.1 → 0\.05/);
    // an existing instance is stepped and put back
    const opt = sgd([0.1]);
    const s = new SWALR(opt, { swa_lr: 0.05, anneal_epochs: 5, anneal_strategy: "linear" });
    expectClose(preview(s, { steps: 12 }).lr, pv.lr, "preview of an instance");
    expect(s.last_epoch).toBe(0);
    expect(opt.param_groups[0].lr).toBe(0.1);
  });
});

/**
 * The %lr_schedule magic, as the kernel loads it (kernel/dist, built by `npm test` / `tsc -p
 * kernel`): the magics reach the library through Node's require of the built modules.
 */
describe("%lr_schedule SWALR", () => {
  const load = createRequire(__filename);
  const DIST = join(__dirname, "../../../kernel/dist");
  const { lr_schedule } = load(join(DIST, "magics/lr_schedule.js")) as typeof import("../../../kernel/src/magics/lr_schedule");
  const { parseArgs } = load(join(DIST, "magics/parser.js")) as typeof import("../../../kernel/src/magics/parser");

  // the kernel's engine: the magic runs the preview through it (interruptible, as a cell)
  const { Engine } = load(join(DIST, "kernel/engine.js")) as typeof import("../../../kernel/src/kernel/engine");
  const { makePrelude } = load(join(DIST, "kernel/prelude_source.js")) as typeof import("../../../kernel/src/kernel/prelude_source");
  const engine = new Engine(makePrelude(DIST));

  async function run(line: string): Promise<Record<string, any>> {
    const shown: Record<string, any>[] = [];
    const ctx = { engine, display: (b: Record<string, any>) => shown.push(b), evaluate: async () => undefined } as any;
    const a = parseArgs(line, lr_schedule.options);
    await lr_schedule.run(ctx, a, undefined, [a]);
    expect(shown).toHaveLength(1);
    return shown[0];
  }

  it("plots PyTorch's sequence", async () => {
    const c = byName("SWALR(swa_lr=0.05, anneal_epochs=5, anneal_strategy='linear'), SGD lr=0.1");
    const b = await run("SWALR swa_lr=0.05 anneal_epochs=5 anneal_strategy=linear --steps 12 --lr 0.1");
    expect(b["text/plain"]).toContain('SWALR(swa_lr=0.05, anneal_epochs=5, anneal_strategy="linear"): 12 steps, lr 0.1 → 0.05');
    const series = b["application/vnd.lrlab.plot+json"].series.find((s: any) => s.metric === "lr");
    expectClose(series.mean, [c.initial.lr[0], ...c.records.slice(0, -1).map((r) => r.lr[0])], "%lr_schedule lr");
  });

  it("takes its length from anneal_epochs when --steps is left out (the annealing, then as long at swa_lr)", async () => {
    const b = await run("SWALR swa_lr=0.01 anneal_epochs=7");
    expect(b["text/plain"]).toContain("14 steps, lr 0.1 → 0.01");
    // the length its options give is named, and why it cannot be used
    await expect(run("SWALR swa_lr=0.01 anneal_epochs=0")).rejects.toThrow(
      "SWALR: without --steps the preview runs 2 × anneal_epochs steps, and that is 0 here (anneal_epochs=0), which is not a positive integer; give --steps N",
    );
  });

  it("is offered by Tab with its options, and a bad option names what SWALR accepts", async () => {
    expect(lr_schedule.complete!([], [], () => [])).toContain("SWALR");
    expect(lr_schedule.complete!(["SWALR"], ["swa_lr=0.1"], () => [])).toEqual(["anneal_epochs=", "anneal_strategy=", "last_epoch="]);
    // the magic names the close word before building the scheduler (lr_schedule.ts WORD_VALUES)
    await expect(run("SWALR swa_lr=0.05 anneal_strategy=cosine --steps 5")).rejects.toThrow(
      /^SWALR: anneal_strategy=cosine \(did you mean cos\?\); anneal_strategy is one of cos, linear$/,
    );
    await expect(run("SWALR swa_lr=0.05 anneal_epoch=3 --steps 5")).rejects.toThrow(
      /unexpected keyword argument 'anneal_epoch' \(did you mean anneal_epochs=\?\); accepted: swa_lr, anneal_epochs, anneal_strategy, last_epoch/,
    );
    await expect(run("SWALRR swa_lr=0.05 --steps 5")).rejects.toThrow(/unknown scheduler "SWALRR" \(did you mean SWALR\?\); valid names: .*CosineAnnealingWarmRestarts, SWALR/);
  });
});
