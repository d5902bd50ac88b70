/**
 * Every scheduler on an optimizer whose lr is a Tensor, against real PyTorch 2.13.0 (fixture:
 * test/fixtures/generate_p21_tensor_lr_schedulers.py). PyTorch keeps the lr a tensor, updates it
 * in place, computes each rate in the tensor's dtype, and get_last_lr() returns copies of the
 * tensors; lrlab must give the same values (float32 bit for bit), the same kinds (tensor or
 * number) and the same tensor objects, through state_dict()/load_state_dict() too.
 */
import { describe, expect, it, vi } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SGD } from "../../../kernel/src/optim/sgd";
import * as lr_scheduler from "../../../kernel/src/optim/lr_scheduler/index";
import { scheduler_names } from "../../../kernel/src/optim/lr_scheduler/names";
import type { LRScheduler } from "../../../kernel/src/optim/lr_scheduler/index";
import { Tensor } from "../../../kernel/src/tensor/tensor";
import { zeros } from "../../../kernel/src/tensor/index";
import { tensorOf, type DTypeName } from "../helpers";
import { expectClose, makeScheduler, type FixtureCase } from "./specs";

interface Snap {
  lr: number[];
  lr_kind: string[];
  last_lr: number[];
  last_lr_kind: string[];
}
interface Case {
  name: string;
  lr_dtype: DTypeName;
  scheduler: FixtureCase["scheduler"];
  steps: number;
  step_args?: number[];
  initial: Snap;
  records: Snap[];
  same_tensors: boolean;
  state_dict_tensor_keys: string[];
}

const fixture = JSON.parse(
  readFileSync(join(__dirname, "..", "..", "fixtures", "lr_scheduler_tensor_lr", "p21_tensor_lr_schedulers.json"), "utf8"),
) as { torch: string; cases: Case[] };

const LRS = [0.1, 0.01];

function makeOptimizer(dtype: DTypeName): SGD {
  return new SGD(LRS.map((lr) => ({ params: [zeros(2, { dtype: "float64", requires_grad: true })], lr: tensorOf([lr], [], dtype) })));
}

/** The generator's kind(): "tensor" for a tensor of the lr's dtype, "number" for a number. */
function kind(value: unknown, dtype: DTypeName): string {
  if (value instanceof Tensor) return value.dtype === dtype ? "tensor" : `tensor ${value.dtype}`;
  return typeof value === "number" ? "number" : typeof value;
}

function snap(opt: SGD, s: LRScheduler, dtype: DTypeName): Snap {
  const last = s.get_last_lr() as unknown[];
  return {
    lr: opt.param_groups.map((g) => Number(g.lr)),
    lr_kind: opt.param_groups.map((g) => kind(g.lr, dtype)),
    last_lr: last.map((v) => Number(v)),
    last_lr_kind: last.map((v) => kind(v, dtype)),
  };
}

/**
 * float32: bit for bit (each op rounded to float32 hides the last bits of the doubles). float64:
 * within parity.test.ts's 1e-12 relative, as for a number lr: V8's Math.pow and Math.cos differ
 * from the C library's by an ulp at times (PolynomialLR's power, ExponentialLR's closed form,
 * OneCycleLR's cosine). The kinds (tensor or number) exactly.
 */
function expectSnap(actual: Snap, expected: Snap, dtype: DTypeName, where: string): void {
  expect({ lr_kind: actual.lr_kind, last_lr_kind: actual.last_lr_kind }, where).toEqual({
    lr_kind: expected.lr_kind,
    last_lr_kind: expected.last_lr_kind,
  });
  if (dtype === "float32") expect({ lr: actual.lr, last_lr: actual.last_lr }, where).toEqual({ lr: expected.lr, last_lr: expected.last_lr });
  else {
    expectClose(actual.lr, expected.lr, `${where} lr`);
    expectClose(actual.last_lr, expected.last_lr, `${where} last_lr`);
  }
}

function step(opt: SGD, s: LRScheduler, arg: number | undefined): void {
  opt.step();
  if (arg === undefined) s.step();
  else s.step(arg); // ReduceLROnPlateau's metric, or the deprecated epoch
}

function tensorKeys(s: LRScheduler): string[] {
  return Object.entries(s.state_dict())
    .filter(([, v]) => (Array.isArray(v) ? v : [v]).some((x) => x instanceof Tensor))
    .map(([k]) => k)
    .sort();
}

describe("a Tensor lr in every scheduler, as PyTorch 2.13.0", () => {
  it("the fixture is PyTorch 2.13.0's and covers every scheduler, in float32 and float64", () => {
    expect(fixture.torch.startsWith("2.13.0")).toBe(true);
    const covered = new Set(fixture.cases.map((c) => c.scheduler.type));
    expect([...covered].sort()).toEqual([...scheduler_names].sort());
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      try {
        const opt = makeOptimizer(c.lr_dtype);
        const tensors = opt.param_groups.map((g) => g.lr as unknown);
        const s = makeScheduler(c.scheduler, opt as never);
        // the values, and what they are (tensors of the lr's dtype)
        expectSnap(snap(opt, s, c.lr_dtype), c.initial, c.lr_dtype, "after construction");
        const args = c.step_args ?? [];
        const half = Math.floor(c.steps / 2);
        let saved: { opt: ReturnType<SGD["state_dict"]>; sched: ReturnType<LRScheduler["state_dict"]> } | null = null;
        for (let i = 0; i < c.steps; i++) {
          step(opt, s, args[i]);
          expectSnap(snap(opt, s, c.lr_dtype), c.records[i], c.lr_dtype, `after step ${i + 1}`);
          if (i + 1 === half) saved = { opt: opt.state_dict(), sched: s.state_dict() };
        }
        expect(opt.param_groups.every((g, i) => (g.lr as unknown) === tensors[i])).toBe(c.same_tensors);
        expect(tensorKeys(s)).toEqual(c.state_dict_tensor_keys);

        // resume from the half-way state: the same rates, still tensors, as PyTorch (its state_dict
        // and load_state_dict keep the tensors)
        const opt2 = makeOptimizer(c.lr_dtype);
        const s2 = makeScheduler(c.scheduler, opt2 as never);
        opt2.load_state_dict(saved!.opt);
        s2.load_state_dict(saved!.sched);
        for (let i = half; i < c.steps; i++) {
          step(opt2, s2, args[i]);
          expectSnap(snap(opt2, s2, c.lr_dtype), c.records[i], c.lr_dtype, `resumed, after step ${i + 1}`);
        }
      } finally {
        warn.mockRestore();
      }
    });
  }
});

describe("a Tensor lr: what else PyTorch does", () => {
  it("get_last_lr() returns copies: changing one leaves the optimizer's lr alone", () => {
    const opt = makeOptimizer("float32");
    const s = new lr_scheduler.StepLR(opt, { step_size: 1, gamma: 0.5 });
    const last = s.get_last_lr() as unknown as Tensor[];
    expect(last[0]).toBeInstanceOf(Tensor);
    expect(last[0]).not.toBe(opt.param_groups[0].lr);
    last[0].fill_(7);
    expect(Number(opt.param_groups[0].lr)).toBe(Math.fround(0.1));
    // initial_lr is a copy too: the schedule's start stays put while lr is updated in place
    opt.step();
    s.step();
    expect(Number(opt.param_groups[0].initial_lr)).toBe(Math.fround(0.1));
    expect(Number(opt.param_groups[0].lr)).toBe(Math.fround(Math.fround(0.1) * 0.5));
  });

  it("a cell may assign a Tensor lr and still read group.lr as a number (the type of ParamGroup.lr)", () => {
    const opt = new SGD([zeros(2, { requires_grad: true })], { lr: 0.1 });
    const group = opt.param_groups[0];
    group.lr = tensorOf([0.05], [], "float64"); // type-checks: the setter takes number | Tensor
    const doubled: number = group.lr * 2; // type-checks: the getter is number; a 1-element tensor acts as one
    expect(doubled).toBe(0.1);
    const s = new lr_scheduler.ExponentialLR(opt, { gamma: 0.5 });
    opt.step();
    s.step();
    expect(group.lr).toBeInstanceOf(Tensor);
    expect(Number(group.lr)).toBe(0.025);
  });

  it("an integer Tensor lr is refused by the schedulers, saying what to pass", () => {
    const opt = new SGD([zeros(2, { requires_grad: true })], { lr: 0.1 });
    opt.param_groups[0].lr = new Tensor(Float64Array.of(1), [], "int64");
    expect(() => new lr_scheduler.StepLR(opt, { step_size: 1 })).toThrow(
      "param_groups[0]['lr'] is a int64 Tensor: lrlab's learning-rate schedulers take a float32 or float64 Tensor lr " +
        "(PyTorch would write each rate back into the int64 tensor, truncated). Use lr: torch.tensor(1, { dtype: torch.float64 }) or a number.",
    );
  });
});
