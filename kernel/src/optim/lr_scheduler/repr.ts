/**
 * How a scheduler prints (its `toString()`, used by a cell's echo and by `console.log`):
 *
 *   StepLR(step_size=5, gamma=0.5, last_epoch=7, lr=[0.05])
 *
 * the class name, the settings that define the schedule, then where it is (`last_epoch`) and the
 * rates it last wrote (`get_last_lr()`). PyTorch prints only `<...StepLR object at 0x...>`; the
 * object's fields are no better, since they hold the whole optimizer and its parameters.
 * Numbers are written as Python's repr writes them (as in the optimizer's printout).
 */
import { pyFloat } from "../optimizer";
import type { LRScheduler } from "./lr_scheduler";

/* eslint-disable @typescript-eslint/no-explicit-any */

type Settings = (s: any) => [string, unknown][];

/** The settings of each built-in scheduler, by class name (a subclass gets its parent's). */
const SETTINGS: Record<string, Settings> = {
  // (the lambdas themselves are functions: nothing short to show)
  LambdaLR: () => [],
  MultiplicativeLR: () => [],
  StepLR: (s) => [["step_size", s.step_size], ["gamma", s.gamma]],
  MultiStepLR: (s) => [["milestones", milestoneList(s.milestones)], ["gamma", s.gamma]],
  ConstantLR: (s) => [["factor", s.factor], ["total_iters", s.total_iters]],
  LinearLR: (s) => [["start_factor", s.start_factor], ["end_factor", s.end_factor], ["total_iters", s.total_iters]],
  ExponentialLR: (s) => [["gamma", s.gamma]],
  PolynomialLR: (s) => [["total_iters", s.total_iters], ["power", s.power]],
  CosineAnnealingLR: (s) => [["T_max", s.T_max], ["eta_min", s.eta_min]],
  CosineAnnealingWarmRestarts: (s) => [["T_0", s.T_0], ["T_mult", s.T_mult], ["eta_min", s.eta_min], ["T_cur", s.T_cur]],
  CyclicLR: (s) => [
    ["base_lr", s.base_lrs],
    ["max_lr", s.max_lrs],
    // the constructor keeps only the cycle length and the ratio; undo the division's rounding
    ["step_size_up", typeof s.total_size === "number" ? Number((s.total_size * s.step_ratio).toPrecision(12)) : undefined],
    ["mode", s.mode],
  ],
  OneCycleLR: (s) => [
    ["max_lr", s.optimizer?.param_groups?.map((g: any) => g.max_lr)],
    ["total_steps", s.total_steps],
    ["anneal_strategy", s._anneal_func_type],
  ],
  ReduceLROnPlateau: (s) => [
    ["mode", s.mode],
    ["factor", s.factor],
    ["patience", s.patience],
    ["best", s.best],
    ["num_bad_epochs", s.num_bad_epochs],
  ],
  SWALR: (s) => [
    ["swa_lr", s.optimizer?.param_groups?.map((g: any) => g.swa_lr)],
    ["anneal_epochs", s.anneal_epochs],
    ["anneal_strategy", s._anneal_strategy],
  ],
  ChainedScheduler: (s) => [["schedulers", children(s)]],
  SequentialLR: (s) => [["schedulers", children(s)], ["milestones", s._milestones]],
};

/** Text that is already a repr (the nested schedulers of a composite one). */
class Raw {
  constructor(readonly text: string) {}
}

/** A value as Python would print it; undefined (a field not set) means "leave the key out". */
function show(v: unknown): string {
  if (v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return pyFloat(v);
  if (typeof v === "string") return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(show).join(", ")}]`;
  if (v instanceof Raw) return v.text;
  return String(v);
}

/** MultiStepLR keeps its milestones as a multiset `{ "30": 1, "80": 2 }`: back to `[30, 80, 80]`. */
function milestoneList(m: Record<string, number> | undefined): number[] | undefined {
  if (!m || typeof m !== "object") return undefined;
  return Object.entries(m)
    .flatMap(([k, n]) => Array.from({ length: n }, () => Number(k)))
    .sort((a, b) => a - b);
}

/** The schedulers inside a ChainedScheduler / SequentialLR, by their settings only (short). */
function children(s: any): Raw[] | undefined {
  if (!Array.isArray(s._schedulers)) return undefined;
  return s._schedulers.map((c: LRScheduler) => new Raw(scheduler_repr(c, false)));
}

/** The settings of the nearest built-in class on `s`'s prototype chain (none for a direct LRScheduler subclass). */
function settingsOf(s: LRScheduler): [string, unknown][] {
  for (let p = Object.getPrototypeOf(s); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const name = p.constructor?.name;
    if (typeof name === "string" && Object.prototype.hasOwnProperty.call(SETTINGS, name)) return SETTINGS[name](s);
  }
  return [];
}

/**
 * `Name(setting=..., ..., last_epoch=N, lr=[...])`; with `state` false, the settings alone
 * (how a composite scheduler lists the ones it holds).
 */
export function scheduler_repr(s: LRScheduler, state = true): string {
  const items: [string, unknown][] = settingsOf(s);
  if (state) {
    items.push(["last_epoch", (s as any).last_epoch]);
    items.push(["lr", (s as any)._last_lr]);
  }
  const body = items.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${show(v)}`).join(", ");
  return `${s.constructor.name}(${body})`;
}
