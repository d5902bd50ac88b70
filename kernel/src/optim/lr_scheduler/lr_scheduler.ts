import { KeyError, NotImplementedError, TypeError_, ValueError } from "./errors";
import type { OptimizerLike, ParamGroup, SchedulerStateDict } from "./types";
import { scheduler_repr } from "./repr";
import { positionalArgs } from "../positional";
import { Tensor } from "../../tensor/tensor";
import { checkTensorLr, copyLr, setGroupValue, type Lr } from "./tensor_lr";
import { SCHEDULER_POSITIONAL } from "./options";
import {
  EPOCH_DEPRECATION_WARNING,
  GET_LR_OUTSIDE_STEP_WARNING,
  STEP_BEFORE_OPTIMIZER_WARNING,
  STEP_OVERRIDDEN_WARNING,
  warn,
} from "./warnings";

export interface LRSchedulerOptions {
  /** Index of the last epoch seen; default -1, which starts the schedule (other values resume a checkpoint). */
  last_epoch?: number;
}

/** Marker PyTorch puts on the wrapped `optimizer.step` so it is wrapped only once. */
const WRAPPED = "_wrapped_by_lr_sched";

/** Python's `type(x).__name__` for error messages. */
export function typeName(value: unknown): string {
  if (value === null) return "NoneType";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "list";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value;
}

/** Throws PyTorch's `TypeError: X is not an Optimizer` unless `optimizer` has `param_groups`. */
export function checkOptimizer(optimizer: unknown): OptimizerLike {
  const groups = (optimizer as OptimizerLike | null | undefined)?.param_groups;
  if (typeof optimizer !== "object" || optimizer === null || !Array.isArray(groups)) {
    throw TypeError_(
      `${typeName(optimizer)} is not an Optimizer (expected a torch.optim optimizer or an object with param_groups)`,
    );
  }
  // A Tensor lr (which the optimizers take) is kept a tensor and updated in place, as PyTorch does
  // (tensor_lr.ts); only float32 and float64 ones are taken.
  (groups as Array<{ lr?: unknown }>).forEach((g, i) => {
    if (g !== null && typeof g === "object" && g.lr instanceof Tensor) checkTensorLr(g.lr, `param_groups[${i}]['lr']`);
  });
  return optimizer as OptimizerLike;
}


/**
 * One value per param group from a scalar or a per-group list (PyTorch's `_format_param`):
 * `max_lr: 0.1` means 0.1 for every group, `max_lr: [0.1, 0.01]` one per group.
 */
export function formatParam(name: string, optimizer: OptimizerLike, param: number | readonly number[]): number[] {
  if (Array.isArray(param)) {
    if (param.length !== optimizer.param_groups.length) {
      throw ValueError(
        `${name} must have the same length as optimizer.param_groups. ${name} has ${param.length} values, ` +
          `param_groups has ${optimizer.param_groups.length}.`,
      );
    }
    return [...param];
  }
  return optimizer.param_groups.map(() => param as number);
}

/** Each group's `key` as a list (PyTorch's `_param_groups_val_list`: a Tensor value is cloned, never aliased). */
export function groupValues(optimizer: OptimizerLike, key: string): number[] {
  return optimizer.param_groups.map((group) => copyLr(group[key]));
}

/** Deep copy of plain data (arrays, plain objects, a Tensor lr); functions and other values are kept as they are. */
export function deepCopy<T>(value: T): T {
  if (value instanceof Tensor) return value.clone() as T;
  if (Array.isArray(value)) return value.map(deepCopy) as T;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = deepCopy(v);
    return out as T;
  }
  return value;
}

/** Sets a property that `Object.keys`/JSON do not see, so wrapping leaves the optimizer's data alone. */
function defineHidden(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: false });
}

/**
 * A subclass written as in PyTorch (`constructor(opt, warm) { super(opt); this.warm = warm; }`, or
 * a field `warm = 4`; one that does not override `_init`) has its attributes set only after `super()` returns, but the base
 * constructor takes the first step (epoch 0) inside `super()`: its `get_lr()` read `this.warm` as
 * undefined and wrote NaN rates, and the first optimizer step made every weight NaN. So when that
 * first step's `get_lr()` gives a rate that is not finite, or fails with a TypeError (an attribute
 * not there yet), the step is put off until the scheduler or its optimizer is first used (its
 * `step()`, `get_last_lr()`, `state_dict()`, or `optimizer.step()`), by which time the constructor
 * has finished; if it fails then, the error says why. Until then the groups keep their starting
 * rate (`initial_lr`).
 */
const DEFERRED = new WeakSet<LRScheduler>();
/** Schedulers whose first step is being taken again (errors then propagate). */
const SETTLING = new WeakSet<LRScheduler>();
/** The deferred schedulers of each optimizer, for its step wrapper. */
const PENDING = new WeakMap<object, Set<LRScheduler>>();

/**
 * A subclass written as in PyTorch: its class does not override `_init`, which every scheduler of
 * the library does (their first step, with PyTorch's errors for a bad lr_lambda and NaN factors,
 * stays in the constructor).
 */
function writtenAsInPyTorch(s: LRScheduler): boolean {
  return !Object.prototype.hasOwnProperty.call(Object.getPrototypeOf(s), "_init");
}

/** Thrown inside the first step to put it off (caught by `_initial_step`). */
class FirstStepPutOff extends Error {}

/** Takes the put-off first step of `s` now (see DEFERRED). */
function settle(s: LRScheduler): void {
  if (!DEFERRED.has(s)) return;
  DEFERRED.delete(s);
  PENDING.get(s.optimizer)?.delete(s);
  SETTLING.add(s);
  try {
    s._initial_step();
  } finally {
    SETTLING.delete(s);
  }
}

/** The error of a first step that still fails once the constructor has finished. */
function firstStepError(s: LRScheduler, what: string): Error {
  const name = s.constructor.name;
  return ValueError(
    `${name}.get_lr() ${what} for the schedule's first step (epoch 0). Every attribute get_lr() reads must be set by the time ` +
      `the scheduler is first used; in JavaScript a subclass's constructor runs after super(), so set them there (this.warm = warm) ` +
      `or as fields, and lrlab takes the first step once the constructor is done. (Or override _init(optimizer, options), set them ` +
      `and call super._init(optimizer, options): see LRScheduler's documentation.)`,
  );
}

/**
 * Base class of every scheduler (`torch.optim.lr_scheduler.LRScheduler`).
 *
 * Protocol, as in PyTorch: `last_epoch` counts `step()` calls (`-1` before the first one); the
 * constructor records each group's starting rate as `group.initial_lr` (`base_lrs`) and performs
 * one initial step to epoch 0, so `optimizer.param_groups[i].lr` holds the schedule's first value
 * as soon as the scheduler exists. Each later `step()` advances `last_epoch` and writes
 * `get_lr()` into the groups; `get_last_lr()` returns what was written.
 *
 * Schedulers are *chainable*: `get_lr()` computes the new rate from the group's current `lr`
 * (a recursive form), so two schedulers on one optimizer compose multiplicatively. Where a
 * scheduler also has a closed form `lr(t)` from `base_lrs`, `step(epoch)` (deprecated) uses it.
 *
 * Subclassing: JavaScript forbids touching `this` before `super()`, so where PyTorch sets
 * attributes and then calls `super().__init__`, a subclass here sets them after `super(optimizer)`
 * (or as fields), and the first step waits for the scheduler's first use when its `get_lr()`
 * could not run inside `super()` (DEFERRED above). The library's own schedulers instead override
 * `_init(optimizer, options)`, set their attributes, then call `super._init(optimizer, options)`
 * (attributes set there are declared with `declare`: a field initializer would run after the
 * constructor and overwrite them), so their first step is taken in the constructor, as PyTorch's.
 */
export class LRScheduler {
  declare optimizer: OptimizerLike;
  /** Each group's starting rate (`initial_lr`); a copy of the tensor where the lr is a Tensor, as in PyTorch. */
  declare base_lrs: number[];
  declare last_epoch: number;
  declare _step_count: number;
  declare _last_lr: number[];
  declare _get_lr_called_within_step: boolean;
  declare _is_initial: boolean;
  /** Closed form `lr(last_epoch)` used by the deprecated `step(epoch)`, where the schedule has one. */
  _get_closed_form_lr?(): Lr[];

  constructor(optimizer: OptimizerLike, options?: LRSchedulerOptions);
  constructor(optimizer: OptimizerLike, last_epoch: number);
  constructor(first: any, ...args: any[]) {
    this._get_lr_called_within_step = false;
    this._is_initial = false;
    // a subclass passes its options object (schedulerArgs); Python's LRScheduler(opt, last_epoch) too
    this._init(first, positionalArgs(new.target.name, ["optimizer"], SCHEDULER_POSITIONAL.LRScheduler, args));
  }

  /** PyTorch's `__init__`: subclasses set their attributes, then call `super._init`. */
  protected _init(optimizer: any, options: any): void {
    this._initBase(optimizer, (options as LRSchedulerOptions).last_epoch ?? -1);
  }

  /** The base-class part of `__init__`: `initial_lr`, `base_lrs`, the step wrapper, the initial step. */
  protected _initBase(optimizer: OptimizerLike, last_epoch: number): void {
    const opt = checkOptimizer(optimizer);
    if (!Number.isInteger(last_epoch) || last_epoch < -1) {
      throw ValueError(`last_epoch must be -1 (start) or a non-negative integer, but got ${last_epoch}`);
    }
    this.optimizer = opt;
    if (last_epoch === -1) {
      // setdefault: a second scheduler on the same optimizer keeps the first one's starting rate.
      // A Tensor lr: its clone, so the schedule's start stays put when the lr is updated in place.
      for (const group of opt.param_groups) if (!("initial_lr" in group)) group.initial_lr = copyLr(group.lr);
    } else {
      opt.param_groups.forEach((group, i) => {
        if (!("initial_lr" in group)) {
          throw KeyError(
            `param 'initial_lr' is not specified in param_groups[${i}] when resuming scheduler with last_epoch >= 0.\n` +
              "This typically happens when:\n" +
              "1. You're trying to resume training from a checkpoint but haven't properly loaded the optimizer state\n" +
              "2. You're using last_epoch >= 0 for a fresh training run (not recommended)",
          );
        }
      });
    }
    this.base_lrs = groupValues(opt, "initial_lr");
    this.last_epoch = last_epoch;
    this._wrapOptimizerStep();
    this._initial_step();
  }

  /**
   * Wraps `optimizer.step` (once per optimizer) so it records that it ran; `step()` uses that to
   * warn when the scheduler is stepped first, which would skip the schedule's first value.
   */
  private _wrapOptimizerStep(): void {
    const opt = this.optimizer;
    const original = opt.step;
    if (typeof original !== "function" || (original as any)[WRAPPED]) return;
    const wrapper = function (...args: any[]): any {
      // a scheduler whose first step waits for its subclass's constructor takes it now (DEFERRED)
      const pending = PENDING.get(opt);
      if (pending !== undefined && pending.size > 0) for (const s of [...pending]) settle(s);
      defineHidden(opt, "_opt_called", true);
      return original.apply(opt, args);
    };
    defineHidden(wrapper, WRAPPED, true);
    defineHidden(opt, "step", wrapper);
  }

  /** Resets the step counter and steps once to epoch 0 in "initial" mode (used by the constructor and SequentialLR). */
  _initial_step(): void {
    const epoch = this.last_epoch;
    this._step_count = 0;
    this._is_initial = true;
    try {
      this.step();
    } catch (e) {
      if (!(e instanceof FirstStepPutOff)) throw e;
      // a subclass's attributes are not set yet: the step waits for the scheduler's first use
      this.last_epoch = epoch;
      this._step_count = 0;
      DEFERRED.add(this);
      let set = PENDING.get(this.optimizer);
      if (!set) PENDING.set(this.optimizer, (set = new Set()));
      set.add(this);
    } finally {
      this._is_initial = false;
    }
  }

  /**
   * The scheduler's state: every attribute except the optimizer, deep-copied, in PyTorch's order
   * (its `__dict__`'s): the two step flags, which lrlab sets first, come after `_step_count`, where
   * PyTorch's `_initial_step` first sets them.
   */
  state_dict(): SchedulerStateDict {
    settle(this);
    const state: SchedulerStateDict = {};
    const flags = ["_is_initial", "_get_lr_called_within_step"];
    const putFlags = (): void => {
      for (const key of flags) if (key in this) state[key] = (this as any)[key];
    };
    let flagsPut = false;
    for (const [key, value] of Object.entries(this)) {
      if (key === "optimizer" || flags.includes(key)) continue;
      state[key] = deepCopy(value);
      if (key === "_step_count") {
        putFlags();
        flagsPut = true;
      }
    }
    if (!flagsPut) putFlags();
    return state;
  }

  /** Restores attributes saved by `state_dict()`. */
  load_state_dict(state_dict: SchedulerStateDict): void {
    if (state_dict === null || typeof state_dict !== "object") {
      throw TypeError_(`load_state_dict expects the object returned by state_dict(), got ${typeName(state_dict)}`);
    }
    for (const [key, value] of Object.entries(state_dict)) {
      if (key !== "optimizer") (this as any)[key] = deepCopy(value);
    }
  }

  /**
   * The learning rates the last `step()` wrote, one per param group. Where a group's lr is a
   * Tensor, its entry is a copy of that tensor, as in PyTorch (typed `number` all the same: a
   * 1-element tensor acts as its number in arithmetic and comparisons, and most code reads numbers).
   */
  get_last_lr(): number[] {
    settle(this);
    return [...this._last_lr];
  }

  /**
   * The chainable rule: the next rates from the current ones. Subclasses implement it. Where the
   * groups' lr is a Tensor, the library's schedulers return tensors computed in its dtype, as PyTorch.
   */
  get_lr(): Lr[] {
    throw NotImplementedError(`${this.constructor.name} must implement get_lr()`);
  }

  /**
   * Advances the schedule one epoch. `epoch` is PyTorch's deprecated argument: it warns, sets
   * `last_epoch = epoch` and uses the closed form where the scheduler has one.
   */
  step(epoch?: number | null): void {
    if (!this._is_initial) settle(this);
    if (this._step_count === 1) {
      const stepFn = this.optimizer.step as any;
      if (typeof stepFn === "function") {
        if (!stepFn[WRAPPED]) warn(STEP_OVERRIDDEN_WARNING, this);
        else if (!(this.optimizer as any)._opt_called) warn(STEP_BEFORE_OPTIMIZER_WARNING, this);
      }
    }
    this._step_count += 1;
    if (epoch !== undefined && epoch !== null) warn(EPOCH_DEPRECATION_WARNING, this);
    this._update_lr(epoch);
  }

  /** Computes the rates for the next epoch (or for `epoch`, closed form) and writes them to the groups. */
  _update_lr(epoch?: number | null): void {
    let values: Lr[];
    this._get_lr_called_within_step = true;
    try {
      if (epoch === undefined || epoch === null) {
        this.last_epoch += 1;
        if (this._is_initial && writtenAsInPyTorch(this)) {
          try {
            values = this.get_lr();
          } catch (e) {
            if (!(e instanceof TypeError)) throw e;
            if (!SETTLING.has(this)) throw new FirstStepPutOff();
            throw firstStepError(this, `failed (${e.message})`);
          }
          const finite = (v: unknown) => (typeof v === "number" || v instanceof Tensor) && Number.isFinite(Number(v));
          if (values.some((v) => !finite(v))) {
            if (!SETTLING.has(this)) throw new FirstStepPutOff();
            throw firstStepError(this, `returned ${JSON.stringify(values.map((v) => (typeof v === "number" || v instanceof Tensor ? String(Number(v)) : v)))}`);
          }
        } else {
          values = this.get_lr();
        }
      } else {
        if (typeof epoch !== "number" || !Number.isFinite(epoch)) {
          throw TypeError_(`step(epoch): epoch must be a finite number, got ${typeName(epoch)} ${String(epoch)}`);
        }
        this.last_epoch = epoch;
        // The closed form reads base_lrs: one per group the scheduler was created for.
        if (this._get_closed_form_lr) this._check_param_groups();
        values = this._get_closed_form_lr ? this._get_closed_form_lr() : this.get_lr();
      }
    } finally {
      this._get_lr_called_within_step = false;
    }
    this._writeLrs(values);
  }

  /** Writes one rate per group and records them as `_last_lr`. */
  protected _writeLrs(values: Lr[]): void {
    const groups = this.optimizer.param_groups;
    if (values.length !== groups.length) {
      this._check_param_groups();
      throw ValueError(
        `${this.constructor.name}.get_lr() returned ${values.length} learning rates for ${groups.length} param groups`,
      );
    }
    // a Tensor lr is filled in place (PyTorch's _update_param_group_val), a number replaced
    groups.forEach((group: ParamGroup, i) => setGroupValue(group, "lr", values[i]));
    this._last_lr = groupValues(this.optimizer, "lr");
  }

  /**
   * Throws unless the optimizer still has the param groups this scheduler was created for (as
   * many as `base_lrs`). Called wherever a schedule reads the per-group values it recorded at
   * construction (`base_lrs`, lr_lambdas, max_lrs, momenta): PyTorch raises there too (a `zip()`
   * length error, or KeyError 'initial_lr'), where plain indexing here would write NaN rates.
   * The purely chainable steps (StepLR's `lr · γ`, ...) read only each group's current `lr` and
   * keep working on a group added later, as in PyTorch.
   */
  _check_param_groups(): void {
    const expected = Array.isArray(this.base_lrs) ? this.base_lrs.length : undefined;
    const have = this.optimizer.param_groups.length;
    if (expected === undefined || expected === have) return;
    throw ValueError(paramGroupsChangedMessage(this.constructor.name, have, expected));
  }

  /**
   * `StepLR(step_size=5, gamma=0.5, last_epoch=7, lr=[0.05])` (repr.ts): what a cell's value and
   * `String(scheduler)` show, instead of the fields (which hold the whole optimizer).
   */
  toString(): string {
    return scheduler_repr(this);
  }

  /** `console.log(scheduler)` shows the same text (Node's util.inspect looks for this symbol). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** PyTorch warns when `get_lr()` is called by user code: the value it wants is `get_last_lr()`. */
  protected _warn_get_lr_called_within_step(): void {
    if (!this._get_lr_called_within_step) warn(GET_LR_OUTSIDE_STEP_WARNING, this);
  }
}

const groupsText = (n: number): string => `${n} param group${n === 1 ? "" : "s"}`;

/**
 * The error for a scheduler whose optimizer gained (or lost) param groups after the scheduler was
 * created: the counts, why it cannot go on, and what to do instead.
 */
export function paramGroupsChangedMessage(cls: string, have: number, expected: number, detail = ""): string {
  const why =
    have > expected
      ? "a param group added with add_param_group() after the scheduler was created has no place in its " +
        "schedule (no base_lr/initial_lr of its own)"
      : "its schedule has values for groups the optimizer no longer has";
  return (
    `${cls} was created for an optimizer with ${groupsText(expected)}, but the optimizer now has ${have}${detail}: ` +
    `${why}. Create the scheduler after adding all param groups (or create a new one now).`
  );
}

/** PyTorch's old name, kept as an alias as PyTorch does. */
export const _LRScheduler = LRScheduler;
