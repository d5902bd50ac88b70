import { setGroupValue } from "./tensor_lr";
import { LRScheduler, checkOptimizer, groupValues, typeName } from "./lr_scheduler";
import { RuntimeError, TypeError_, ValueError } from "./errors";
import { closeWord, finiteNumber, isWord, quotedWords } from "./checks";
import { checkOptions, opt, schedulerArgs } from "./options";
import type { Positional } from "../positional";
import type { OptimizerLike, SchedulerStateDict } from "./types";
import { EPOCH_DEPRECATION_WARNING, warn } from "./warnings";

/**
 * The words mode and threshold_mode take (PyTorch's): the constructor (and load_state_dict) checks
 * against these lists, and `%lr_schedule ReduceLROnPlateau mode=` / `threshold_mode=` offer them on
 * Tab (magics/lr_schedule.ts WORD_VALUES).
 */
export const PLATEAU_MODES = Object.freeze(["min", "max"] as const);
export const PLATEAU_THRESHOLD_MODES = Object.freeze(["rel", "abs"] as const);

export interface ReduceLROnPlateauOptions {
  /** Reduce when the metric stops decreasing ("min") or stops increasing ("max"); default "min". */
  mode?: (typeof PLATEAU_MODES)[number];
  /** Factor applied on reduction, new_lr = lr · factor (< 1); default 0.1. */
  factor?: number;
  /** Epochs without improvement tolerated before reducing; default 10. */
  patience?: number;
  /** Minimum change that counts as an improvement; default 1e-4. */
  threshold?: number;
  /** Improvement measured relative to the best value ("rel") or absolutely ("abs"); default "rel". */
  threshold_mode?: (typeof PLATEAU_THRESHOLD_MODES)[number];
  /** Epochs to wait after a reduction before counting bad epochs again; default 0. */
  cooldown?: number;
  /** Lower bound on the rate, one for all groups or one per group; default 0. */
  min_lr?: number | number[];
  /** A reduction smaller than eps is skipped; default 1e-8. */
  eps?: number;
}

/**
 * `ReduceLROnPlateau`: reduces the rate when a metric stops improving. `step(metric)` each epoch:
 *
 *   better(a, best) =  a < best·(1 − threshold)   (min, rel)     a < best − threshold   (min, abs)
 *                      a > best·(1 + threshold)   (max, rel)     a > best + threshold   (max, abs)
 *
 * A better metric becomes `best` and resets the bad-epoch count; otherwise the count grows. During
 * cooldown bad epochs are not counted. When the count exceeds `patience`:
 *
 *   η ← max(η · factor, min_lr)   unless that changes η by no more than eps,
 *
 * then cooldown starts. There is no closed form: the schedule depends on the metric.
 * It is not chainable through ChainedScheduler/SequentialLR (its `step` needs the metric).
 */
export class ReduceLROnPlateau extends LRScheduler {
  declare factor: number;
  declare default_min_lr: number | null;
  declare min_lrs: number[];
  declare patience: number;
  declare cooldown: number;
  declare eps: number;
  declare mode: (typeof PLATEAU_MODES)[number];
  declare threshold: number;
  declare threshold_mode: (typeof PLATEAU_THRESHOLD_MODES)[number];
  declare mode_worse: number;
  declare best: number;
  declare cooldown_counter: number;
  declare num_bad_epochs: number;

  constructor(optimizer: OptimizerLike, options?: ReduceLROnPlateauOptions);
  constructor(
    optimizer: OptimizerLike,
    ...args: Positional<[mode: "min" | "max", factor: number, patience: number, threshold: number, threshold_mode: "rel" | "abs", cooldown: number, min_lr: number | number[], eps: number], ReduceLROnPlateauOptions>
  );
  constructor(optimizer: OptimizerLike, ...args: unknown[]) {
    super(optimizer, schedulerArgs("ReduceLROnPlateau", args) as any);
  }

  protected override _init(optimizer: OptimizerLike, options: ReduceLROnPlateauOptions): void {
    checkOptions("ReduceLROnPlateau", options, [], [
      "mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps",
    ]);
    const factor = finiteNumber("factor", opt(options, "factor", 0.1));
    if (factor >= 1.0) throw ValueError("Factor should be < 1.0.");
    this.factor = factor;
    this.optimizer = checkOptimizer(optimizer);
    const groups = this.optimizer.param_groups.length;
    const min_lr = opt<number | number[]>(options, "min_lr", 0);
    if (Array.isArray(min_lr)) {
      if (min_lr.length !== groups) throw ValueError(`expected ${groups} min_lrs, got ${min_lr.length}`);
      this.default_min_lr = null;
      this.min_lrs = [...min_lr];
    } else {
      this.default_min_lr = finiteNumber("min_lr", min_lr);
      this.min_lrs = Array.from({ length: groups }, () => min_lr);
    }
    this.patience = nonNegativeInteger("patience", opt(options, "patience", 10));
    this.cooldown = nonNegativeInteger("cooldown", opt(options, "cooldown", 0));
    this.eps = finiteNumber("eps", opt(options, "eps", 1e-8));
    this.last_epoch = 0;
    this._last_lr = groupValues(this.optimizer, "lr");
    this._init_is_better(opt(options, "mode", "min"), opt(options, "threshold", 1e-4), opt(options, "threshold_mode", "rel"));
    this._reset();
  }

  /** Forgets the best value, the bad-epoch count and the cooldown. */
  _reset(): void {
    this.best = this.mode_worse;
    this.cooldown_counter = 0;
    this.num_bad_epochs = 0;
  }

  /** Records one epoch's metric and reduces the rate if it has plateaued. `epoch` is deprecated. */
  override step(metrics?: number | { item(): number } | null, epoch?: number | null): void {
    const current = toFloat(metrics);
    if (epoch === undefined || epoch === null) epoch = this.last_epoch + 1;
    else warn(EPOCH_DEPRECATION_WARNING, this);
    this.last_epoch = epoch;

    if (this._is_better(current, this.best)) {
      this.best = current;
      this.num_bad_epochs = 0;
    } else {
      this.num_bad_epochs += 1;
    }
    if (this.in_cooldown) {
      this.cooldown_counter -= 1;
      this.num_bad_epochs = 0; // bad epochs during cooldown do not count
    }
    if (this.num_bad_epochs > this.patience) {
      this._reduce_lr(epoch);
      this.cooldown_counter = this.cooldown;
      this.num_bad_epochs = 0;
    }
    this._last_lr = groupValues(this.optimizer, "lr");
  }

  _reduce_lr(_epoch: number): void {
    const groups = this.optimizer.param_groups;
    if (groups.length !== this.min_lrs.length) {
      if (this.default_min_lr === null) {
        throw RuntimeError(
          `The number of param groups in the \`optimizer\` (${groups.length}) differs from when \`ReduceLROnPlateau\` ` +
            `was initialized (${this.min_lrs.length}), usually due to a new param group being added to the optimizer. ` +
            "Please modify the `min_lrs` field to match the length of the `optimizer` param groups.",
        );
      }
      this.min_lrs = groups.map(() => this.default_min_lr as number);
    }
    groups.forEach((group, i) => {
      const old_lr = Number(group.lr);
      const new_lr = Math.max(old_lr * this.factor, this.min_lrs[i]);
      if (old_lr - new_lr > this.eps) setGroupValue(group, "lr", new_lr); // (a Tensor lr: filled in place, as PyTorch)
    });
  }

  get in_cooldown(): boolean {
    return this.cooldown_counter > 0;
  }

  _is_better(a: number, best: number): boolean {
    if (this.mode === "min" && this.threshold_mode === "rel") return a < best * (1.0 - this.threshold);
    if (this.mode === "min" && this.threshold_mode === "abs") return a < best - this.threshold;
    if (this.mode === "max" && this.threshold_mode === "rel") return a > best * (this.threshold + 1.0);
    return a > best + this.threshold;
  }

  _init_is_better(mode: unknown, threshold: number, threshold_mode: unknown): void {
    // PyTorch's message, then the words it takes
    if (!isWord(mode, PLATEAU_MODES)) {
      throw ValueError(`mode ${String(mode)} is unknown! (expected ${quotedWords(PLATEAU_MODES)}${closeWord(mode, PLATEAU_MODES)})`);
    }
    if (!isWord(threshold_mode, PLATEAU_THRESHOLD_MODES)) {
      throw ValueError(
        `threshold mode ${String(threshold_mode)} is unknown! ` +
          `(expected ${quotedWords(PLATEAU_THRESHOLD_MODES)}${closeWord(threshold_mode, PLATEAU_THRESHOLD_MODES)})`,
      );
    }
    this.mode_worse = mode === "min" ? Infinity : -Infinity;
    this.mode = mode;
    this.threshold = finiteNumber("threshold", threshold);
    this.threshold_mode = threshold_mode;
  }

  /**
   * PyTorch 2.13's keys: its ReduceLROnPlateau never runs LRScheduler's `__init__`, so it has no
   * `_get_lr_called_within_step` nor `_is_initial` (nor `base_lrs`, `_step_count`); the base
   * constructor here sets the first two, so they are left out.
   */
  override state_dict(): SchedulerStateDict {
    const state = super.state_dict();
    delete state._get_lr_called_within_step;
    delete state._is_initial;
    return state;
  }

  override load_state_dict(state_dict: SchedulerStateDict): void {
    super.load_state_dict(state_dict);
    this._init_is_better(this.mode, this.threshold, this.threshold_mode);
    // JSON has no Infinity: a checkpoint taken before the first improvement stores best as null.
    if (this.best === null) this.best = this.mode_worse;
  }
}

function nonNegativeInteger(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw ValueError(`Expected non-negative integer ${name}, but got ${String(value)}`);
  }
  return value;
}

/** Python's `float(metrics)`: a number, or a one-element tensor (anything with `item()`). */
function toFloat(metrics: unknown): number {
  if (typeof metrics === "number") return metrics;
  if (metrics !== null && typeof metrics === "object" && typeof (metrics as any).item === "function") {
    return Number((metrics as any).item());
  }
  throw TypeError_(
    `ReduceLROnPlateau.step() expects the metric to monitor (a number or a one-element tensor), but got ${typeName(metrics)}`,
  );
}
