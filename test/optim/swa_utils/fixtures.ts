/**
 * The fixtures of test/fixtures/swa_utils/*.json (written by test/fixtures/generate_swa_utils.py
 * from real PyTorch 2.13) turned into lrlab objects: optimizers and schedulers for SWALR.json,
 * models, data and averaging configurations for AveragedModel.json.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { Tensor } from "../../../kernel/src/tensor/tensor";
import { zeros } from "../../../kernel/src/tensor/index";
import * as nn from "../../../kernel/src/nn/index";
import { SGD } from "../../../kernel/src/optim/sgd";
import { Adam } from "../../../kernel/src/optim/adam";
import * as lr_scheduler from "../../../kernel/src/optim/lr_scheduler/index";
import * as swa_utils from "../../../kernel/src/optim/swa_utils/index";
import type { LRScheduler } from "../../../kernel/src/optim/lr_scheduler/index";

const DIR = join(__dirname, "..", "..", "fixtures", "swa_utils");

// ---------------------------------------------------------------- SWALR.json

export interface SchedulerSpec {
  type: string;
  kwargs?: Record<string, unknown>;
  create_at?: number;
  /** SequentialLR's and ChainedScheduler's schedulers. */
  schedulers?: SchedulerSpec[];
}

export interface OptimizerSpec {
  type: "SGD" | "Adam";
  groups: Record<string, unknown>[];
  kwargs?: Record<string, unknown>;
}

export interface SwalrCase {
  name: string;
  optimizer: OptimizerSpec;
  schedulers: SchedulerSpec[];
  steps: number;
  plan: number[];
  step_args?: number[];
  resume_at?: number;
  initial: { lr: number[] };
  records: { lr: number[]; last_lr?: number[] }[];
}

export interface SwalrFixture {
  torch: string;
  state_dict_keys: string[];
  cases: SwalrCase[];
}

export function loadSwalr(): SwalrFixture {
  return JSON.parse(readFileSync(join(DIR, "SWALR.json"), "utf8"));
}

/** The generator's named lambdas, same formulas. */
const LAMBDAS: Record<string, (e: number) => number> = { const_0_9: () => 0.9 };

export function makeOptimizer(spec: OptimizerSpec): SGD | Adam {
  const groups = spec.groups.map((g) => ({ params: [zeros(2, { dtype: "float64", requires_grad: true })], ...g }));
  if (spec.type === "SGD") return new SGD(groups, (spec.kwargs ?? {}) as any);
  return new Adam(groups, (spec.kwargs ?? {}) as any);
}

export function makeScheduler(spec: SchedulerSpec, optimizer: SGD | Adam): LRScheduler {
  const kwargs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec.kwargs ?? {})) {
    kwargs[k] = v !== null && typeof v === "object" && "fn" in (v as object) ? LAMBDAS[(v as { fn: string }).fn] : v;
  }
  const sub = () => (spec.schedulers ?? []).map((s) => makeScheduler(s, optimizer));
  if (spec.type === "SequentialLR") return new lr_scheduler.SequentialLR(optimizer, { ...(kwargs as any), schedulers: sub() });
  if (spec.type === "ChainedScheduler") return new lr_scheduler.ChainedScheduler(sub(), kwargs);
  if (spec.type === "SWALR") return new swa_utils.SWALR(optimizer, kwargs as any);
  const Cls = (lr_scheduler as unknown as Record<string, new (o: unknown, k: unknown) => LRScheduler>)[spec.type];
  if (typeof Cls !== "function") throw new Error(`no scheduler ${spec.type}`);
  return new Cls(optimizer, kwargs);
}

/** |a − b| ≤ tol·|b| elementwise (exact for zeros), naming where it failed. */
export function expectClose(actual: readonly number[], expected: readonly number[], where: string, tol = 1e-12): void {
  expect(actual.length, `${where}: length`).toBe(expected.length);
  expected.forEach((e, i) => {
    const a = actual[i];
    const ok = a === e || Math.abs(a - e) <= tol * Math.abs(e);
    if (!ok) throw new Error(`${where}[${i}]: expected ${e}, got ${a} (relative error ${Math.abs(a - e) / Math.abs(e)})`);
  });
}

/**
 * Runs a SWALR.json case as the generator did (schedulers created at their `create_at`, the
 * optimizer stepped, then the planned scheduler), calling `check(i, lrs, last_lr)` after each
 * iteration (i = -1: after construction). Returns the optimizer and schedulers.
 */
export function runSwalrCase(
  c: SwalrCase,
  check: (i: number, lr: number[], last_lr: number[] | undefined) => void,
  until = c.steps,
): { optimizer: SGD | Adam; schedulers: (LRScheduler | null)[] } {
  const optimizer = makeOptimizer(c.optimizer);
  const schedulers: (LRScheduler | null)[] = c.schedulers.map(() => null);
  const create = (i: number) =>
    c.schedulers.forEach((s, k) => {
      if ((s.create_at ?? 0) === i) schedulers[k] = makeScheduler(s, optimizer);
    });
  const lrs = () => optimizer.param_groups.map((g) => g.lr as number);
  create(0);
  check(-1, lrs(), undefined);
  for (let i = 0; i < until; i++) {
    if (i > 0) create(i);
    optimizer.step();
    const k = c.plan[i];
    let last: number[] | undefined;
    if (k >= 0) {
      const s = schedulers[k]!;
      if (c.step_args) s.step(c.step_args[i]);
      else s.step();
      last = s.get_last_lr();
    }
    check(i, lrs(), last);
  }
  return { optimizer, schedulers };
}

// ---------------------------------------------------------------- AveragedModel.json

export interface TensorJSON {
  shape: number[];
  dtype: "float32" | "float64" | "int64";
  data: number[];
}

export type StateJSON = Record<string, TensorJSON>;

export interface AveragingJSON {
  name: string;
  fn?: "ema_multi" | "ema_avg" | "swa_multi" | "swa_avg" | "half" | "mix_0_7";
  decay?: number;
  use_buffers?: boolean;
  states: StateJSON[];
  n_averaged: number[];
}

export interface UpdateBnJSON {
  name: string;
  averaging: number;
  training_before: boolean;
  before: StateJSON;
  after: StateJSON;
  momentum: number;
  training: boolean;
  module_training: boolean;
}

export interface RunJSON {
  model: "mlp" | "bn";
  lr: number;
  momentum: number;
  steps: number;
  swa_start: number;
  initial: StateJSON;
  x: TensorJSON;
  y: TensorJSON;
  model_states: StateJSON[];
  averagings: AveragingJSON[];
  update_bn?: UpdateBnJSON[];
}

export function loadAveraged(): { torch: string; runs: RunJSON[] } {
  return JSON.parse(readFileSync(join(DIR, "AveragedModel.json"), "utf8"));
}

export function tensorOf(t: TensorJSON): Tensor {
  const data = t.dtype === "float32" ? Float32Array.from(t.data) : Float64Array.from(t.data);
  return new Tensor(data, t.shape, t.dtype);
}

export function stateOf(s: StateJSON): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, tensorOf(v)]));
}

/** The generator's models (nn.Sequential, same layers), with the fixture's initial weights. */
export function makeModel(kind: "mlp" | "bn"): nn.Sequential {
  return kind === "mlp"
    ? new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2))
    : new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.ReLU(), new nn.Linear(4, 2));
}

/** The generator's named averaging functions, same formulas: avg_fn "half", multi_avg_fn "mix_0_7". */
export function half(averaged: Tensor, current: Tensor): Tensor {
  return averaged.mul(0.5).add(current.mul(0.5));
}

export function mix_0_7(averaged: Tensor[], current: Tensor[]): void {
  averaged.forEach((a, i) => a.mul_(0.7).add_(current[i], { alpha: 0.3 }));
}

export function averagingOptions(a: AveragingJSON): swa_utils.AveragedModelOptions {
  const o: swa_utils.AveragedModelOptions = { use_buffers: a.use_buffers ?? false };
  switch (a.fn) {
    case "ema_multi": return { ...o, multi_avg_fn: swa_utils.get_ema_multi_avg_fn(a.decay!) };
    case "ema_avg": return { ...o, avg_fn: swa_utils.get_ema_avg_fn(a.decay!) };
    case "swa_multi": return { ...o, multi_avg_fn: swa_utils.get_swa_multi_avg_fn() };
    case "swa_avg": return { ...o, avg_fn: swa_utils.get_swa_avg_fn() };
    case "half": return { ...o, avg_fn: half };
    case "mix_0_7": return { ...o, multi_avg_fn: mix_0_7 };
    case undefined: return o;
  }
}

/**
 * Every tensor of `actual` (a state_dict) against the fixture's: same keys in the same order, same
 * shapes and dtypes, values within `tol` relative to the tensor's largest magnitude (∞-norm;
 * integers exactly).
 */
export function expectState(actual: Record<string, Tensor>, expected: StateJSON, where: string, tol: number): void {
  expect(Object.keys(actual), `${where}: keys`).toEqual(Object.keys(expected));
  for (const [k, e] of Object.entries(expected)) {
    const a = actual[k];
    expect(a.shape, `${where} ${k}: shape`).toEqual(e.shape);
    expect(a.dtype, `${where} ${k}: dtype`).toBe(e.dtype);
    if (e.dtype === "int64") {
      expect(Array.from(a.data), `${where} ${k}`).toEqual(e.data);
      continue;
    }
    const scale = Math.max(...e.data.map(Math.abs), 1e-30);
    const err = Math.max(...e.data.map((v, i) => Math.abs(a.data[i] - v))) / scale;
    expect(err, `${where} ${k}: ${Array.from(a.data)} vs ${e.data}`).toBeLessThanOrEqual(tol);
  }
}
