/**
 * Turns the JSON specs of test/fixtures/lr_scheduler/*.json (written by
 * test/fixtures/generate_lr_scheduler.py from real PyTorch) into real optimizers and schedulers.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { zeros } from "../../../kernel/src/tensor/index";
import { SGD } from "../../../kernel/src/optim/sgd";
import { Adam } from "../../../kernel/src/optim/adam";
import * as lr_scheduler from "../../../kernel/src/optim/lr_scheduler/index";
import type { LRScheduler } from "../../../kernel/src/optim/lr_scheduler/index";

export const FIXTURES = join(__dirname, "..", "..", "fixtures", "lr_scheduler");

/** The generator's named functions, same formulas. */
export const LAMBDAS: Record<string, (x: number) => number> = {
  pow_0_95: (e) => 0.95 ** e,
  inv_sqrt: (e) => 1.0 / Math.sqrt(e + 1),
  warmup_10: (e) => Math.min(1.0, (e + 1) / 10),
  const_0_99: () => 0.99,
  every_10_by_0_9: (e) => (e % 10 === 0 ? 0.9 : 1.0),
  harmonic: (x) => 1.0 / (1.0 + 0.1 * x),
};

export interface Snapshot {
  last_lr: number[];
  lr: number[];
  momentum?: number[];
  betas?: number[][];
}

export interface SchedulerSpec {
  type: string;
  kwargs?: Record<string, unknown>;
  schedulers?: SchedulerSpec[];
}

export interface FixtureCase {
  name: string;
  optimizer: { type: "SGD" | "Adam"; groups: Record<string, unknown>[]; kwargs?: Record<string, unknown> };
  scheduler: SchedulerSpec;
  steps: number;
  step_args?: number[];
  record?: { momentum?: boolean; betas?: boolean };
  resume_at?: number;
  initial: Snapshot;
  records: Snapshot[];
}

export function loadFixture(name: string): { torch: string; cases: FixtureCase[] } {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8"));
}

export function fixtureNames(): string[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.replace(/\.json$/, ""))
    .sort();
}

function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (value !== null && typeof value === "object" && Object.keys(value).length === 1 && "fn" in value) {
    const fn = LAMBDAS[(value as { fn: string }).fn];
    if (!fn) throw new Error(`unknown named function ${(value as { fn: string }).fn}`);
    return fn;
  }
  return value;
}

export type RealOptimizer = SGD | Adam;

export function makeOptimizer(spec: FixtureCase["optimizer"]): RealOptimizer {
  const groups = spec.groups.map((g) => ({ params: [zeros(2, { dtype: "float64", requires_grad: true })], ...g }));
  if (spec.type === "SGD") return new SGD(groups, (spec.kwargs ?? {}) as any);
  return new Adam(groups, (spec.kwargs ?? {}) as any);
}

export function makeScheduler(spec: SchedulerSpec, optimizer: RealOptimizer): LRScheduler {
  const kwargs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec.kwargs ?? {})) kwargs[k] = resolve(v);
  const sub = () => (spec.schedulers ?? []).map((s) => makeScheduler(s, optimizer));
  if (spec.type === "ChainedScheduler") return new lr_scheduler.ChainedScheduler(sub(), kwargs);
  if (spec.type === "SequentialLR") {
    return new lr_scheduler.SequentialLR(optimizer, { ...(kwargs as any), schedulers: sub() });
  }
  const Cls = (lr_scheduler as unknown as Record<string, new (o: unknown, k: unknown) => LRScheduler>)[spec.type];
  if (typeof Cls !== "function") throw new Error(`no scheduler ${spec.type}`);
  return new Cls(optimizer, kwargs);
}

export function snapshot(optimizer: RealOptimizer, scheduler: LRScheduler, record: FixtureCase["record"] = {}): Snapshot {
  const snap: Snapshot = {
    last_lr: scheduler.get_last_lr(),
    lr: optimizer.param_groups.map((g) => g.lr as number),
  };
  if (record.momentum) snap.momentum = optimizer.param_groups.map((g) => g.momentum as number);
  if (record.betas) snap.betas = optimizer.param_groups.map((g) => [...(g.betas as number[])]);
  return snap;
}

/** One training-loop iteration as the fixtures ran it: optimizer.step(), then scheduler.step(arg?). */
export function stepOnce(optimizer: RealOptimizer, scheduler: LRScheduler, arg: number | undefined): void {
  optimizer.step();
  if (arg === undefined) scheduler.step();
  else scheduler.step(arg);
}

/** |a − b| ≤ tol·|b| elementwise (exact equality for zeros), with a message naming where it failed. */
export function expectClose(actual: unknown, expected: unknown, where: string, tol = 1e-12): void {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      throw new Error(`${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    }
    expected.forEach((e, i) => expectClose(actual[i], e, `${where}[${i}]`, tol));
    return;
  }
  const a = actual as number;
  const e = expected as number;
  const ok = typeof a === "number" && (a === e || Math.abs(a - e) <= tol * Math.abs(e));
  if (!ok) throw new Error(`${where}: expected ${e}, got ${a} (relative error ${Math.abs(a - e) / Math.abs(e)})`);
}

export function expectSnapshot(actual: Snapshot, expected: Snapshot, where: string): void {
  for (const key of Object.keys(expected) as (keyof Snapshot)[]) {
    expectClose(actual[key], expected[key], `${where} ${key}`);
  }
}
