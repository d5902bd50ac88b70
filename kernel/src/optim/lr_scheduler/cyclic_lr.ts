import { setGroupValue } from "./tensor_lr";
import { LRScheduler, checkOptimizer, formatParam } from "./lr_scheduler";
import { TypeError_, ValueError } from "./errors";
import { closeWord, factorOf, finiteNumber, isWord, quotedWords, shown } from "./checks";
import { recordBuiltMomentum, setMomentum, usesBeta1 } from "./momentum";
import { checkOptions, opt, schedulerArgs } from "./options";
import type { Positional } from "../positional";
import type { OptimizerLike, SchedulerStateDict } from "./types";

/**
 * The words mode and scale_mode take (PyTorch's): the constructor checks against these lists, and
 * `%lr_schedule CyclicLR mode=` / `scale_mode=` offer them on Tab (magics/lr_schedule.ts WORD_VALUES).
 */
export const CYCLIC_MODES = Object.freeze(["triangular", "triangular2", "exp_range"] as const);
export const CYCLIC_SCALE_MODES = Object.freeze(["cycle", "iterations"] as const);

export type CyclicMode = (typeof CYCLIC_MODES)[number];
export type ScaleFn = (x: number) => number;

export interface CyclicLROptions {
  /** Lower rate boundary, one for all groups or one per group. */
  base_lr: number | number[];
  /** Upper rate boundary, one for all groups or one per group. */
  max_lr: number | number[];
  /** Iterations in the rising half of a cycle; default 2000. */
  step_size_up?: number;
  /** Iterations in the falling half (0: a sawtooth); default null, meaning step_size_up. */
  step_size_down?: number | null;
  /** Built-in amplitude policy, ignored when `scale_fn` is given; default "triangular". */
  mode?: CyclicMode;
  /** Amplitude factor γ per iteration of the "exp_range" policy, γ^iteration; default 1.0. */
  gamma?: number;
  /** Custom amplitude policy, 0 ≤ scale_fn(x) ≤ 1, instead of `mode`; default null. */
  scale_fn?: ScaleFn | null;
  /** What `scale_fn` is evaluated on, the cycle number or the iteration; default "cycle". */
  scale_mode?: (typeof CYCLIC_SCALE_MODES)[number];
  /** Cycle momentum (or Adam's β₁) inversely to the rate; default true. */
  cycle_momentum?: boolean;
  /** Momentum at the rate's peak, one for all groups or one per group; default 0.8. */
  base_momentum?: number | number[];
  /** Momentum at the rate's trough, one for all groups or one per group; default 0.9. */
  max_momentum?: number | number[];
  /** Index of the last epoch seen; default -1, which starts the schedule (other values resume a checkpoint). */
  last_epoch?: number;
}

/**
 * `CyclicLR` (Smith, Cyclical Learning Rates, arXiv:1506.01186): the rate moves between `base_lr`
 * and `max_lr` in triangles of `total = step_size_up + step_size_down` iterations. With t the
 * iteration (`last_epoch`) and r = step_size_up / total:
 *
 *   cycle = ⌊1 + t / total⌋,   x = 1 + t / total − cycle ∈ [0, 1)
 *   s = x / r  if x ≤ r,  else (x − 1) / (r − 1)          (the triangle, 0 → 1 → 0)
 *   η_t = base_lr + (max_lr − base_lr) · s · scale(c)
 *   m_t = max_m − (max_m − base_m) · s · scale(c)          (momentum, inverse to η)
 *
 * where scale is 1 (triangular), 1 / 2^{cycle−1} (triangular2, evaluated on the cycle), γ^t
 * (exp_range, evaluated on the iteration t), or the user's `scale_fn` on `scale_mode`.
 * This is a closed form in t; there is no separate chainable form (not chainable).
 */
export class CyclicLR extends LRScheduler {
  declare max_lrs: number[];
  declare total_size: number;
  declare step_ratio: number;
  declare mode: string;
  declare gamma: number;
  declare _scale_fn_custom: ScaleFn | null;
  declare scale_mode: (typeof CYCLIC_SCALE_MODES)[number];
  declare cycle_momentum: boolean;
  declare use_beta1: boolean;
  declare base_momentums: number[];
  declare max_momentums: number[];

  constructor(optimizer: OptimizerLike, options: CyclicLROptions);
  constructor(
    optimizer: OptimizerLike,
    ...args: Positional<[base_lr: number | number[], max_lr: number | number[], step_size_up: number, step_size_down: number | null, mode: "triangular" | "triangular2" | "exp_range", gamma: number, scale_fn: ScaleFn | null, scale_mode: "cycle" | "iterations", cycle_momentum: boolean, base_momentum: number | number[], max_momentum: number | number[], last_epoch: number], CyclicLROptions>
  );
  constructor(optimizer: OptimizerLike, ...args: unknown[]) {
    super(optimizer, schedulerArgs("CyclicLR", args));
  }

  protected override _init(optimizer: OptimizerLike, options: CyclicLROptions): void {
    checkOptions("CyclicLR", options, ["base_lr", "max_lr"], [
      "step_size_up", "step_size_down", "mode", "gamma", "scale_fn", "scale_mode",
      "cycle_momentum", "base_momentum", "max_momentum", "last_epoch",
    ]);
    const opt_ = checkOptimizer(optimizer);
    this.optimizer = opt_;
    const last_epoch = opt(options, "last_epoch", -1);
    const base_lrs = formatParam("base_lr", opt_, options.base_lr);
    // The cycle starts at base_lr: it replaces the optimizer's lr (and becomes initial_lr).
    if (last_epoch === -1) opt_.param_groups.forEach((g, i) => setGroupValue(g, "lr", base_lrs[i])); // (a Tensor lr: in place)
    this.max_lrs = formatParam("max_lr", opt_, options.max_lr);

    const up = positiveSize("step_size_up", opt(options, "step_size_up", 2000));
    const down = nonNegativeSize("step_size_down", opt(options, "step_size_down", up)); // 0: a sawtooth
    this.total_size = up + down;
    this.step_ratio = up / this.total_size;

    const mode = opt<unknown>(options, "mode", "triangular");
    const scale_fn = opt<ScaleFn | null>(options, "scale_fn", null);
    if (scale_fn !== null && typeof scale_fn !== "function") {
      throw TypeError_(`CyclicLR: scale_fn must be a function of one number, but got ${typeof scale_fn}`);
    }
    if (!isWord(mode, CYCLIC_MODES) && scale_fn === null) {
      // PyTorch's message, then which mode was given and which it takes
      throw ValueError(
        `mode is invalid and scale_fn is None: mode must be one of ${quotedWords(CYCLIC_MODES)} ` +
          `(or give scale_fn), instead got ${String(mode)}${closeWord(mode, CYCLIC_MODES)}`,
      );
    }
    this.mode = mode as string;
    this.gamma = finiteNumber("gamma", opt(options, "gamma", 1.0));
    this._scale_fn_custom = scale_fn;
    const scale_mode = opt<unknown>(options, "scale_mode", "cycle");
    if (!isWord(scale_mode, CYCLIC_SCALE_MODES)) {
      throw ValueError(
        `scale_mode must be ${quotedWords(CYCLIC_SCALE_MODES)}, but got ${String(scale_mode)}` +
          closeWord(scale_mode, CYCLIC_SCALE_MODES),
      );
    }
    this.scale_mode = scale_mode;
    this._init_scale_fn();

    this.cycle_momentum = opt(options, "cycle_momentum", true);
    if (this.cycle_momentum) {
      this.use_beta1 = usesBeta1(opt_);
      recordBuiltMomentum(opt_.param_groups, this.use_beta1);
      this.base_momentums = formatParam("base_momentum", opt_, opt(options, "base_momentum", 0.8));
      this.max_momentums = formatParam("max_momentum", opt_, opt(options, "max_momentum", 0.9));
      if (last_epoch === -1) {
        opt_.param_groups.forEach((g, i) => {
          setMomentum(g, this.use_beta1, this.max_momentums[i]);
          g.max_momentum = this.max_momentums[i];
          g.base_momentum = this.base_momentums[i];
        });
      }
    }
    super._init(optimizer, options);
    this.base_lrs = base_lrs;
  }

  /** The built-in policies fix what they are evaluated on: the cycle, or the iteration for exp_range. */
  _init_scale_fn(): void {
    if (this._scale_fn_custom !== null) return;
    if (this.mode === "triangular" || this.mode === "triangular2") this.scale_mode = "cycle";
    else if (this.mode === "exp_range") this.scale_mode = "iterations";
  }

  /** The amplitude factor: the user's `scale_fn`, or the mode's policy. */
  scale_fn(x: number): number {
    if (this._scale_fn_custom !== null) return factorOf("scale_fn", "the amplitude's scale", this._scale_fn_custom(x), `x = ${x}`);
    if (this.mode === "triangular") return 1.0;
    if (this.mode === "triangular2") return 1 / 2.0 ** (x - 1);
    return this.gamma ** x;
  }

  override get_lr(): number[] {
    this._warn_get_lr_called_within_step();
    // base_lrs, max_lrs and the momenta are per group: checked before any momentum is written.
    this._check_param_groups();
    const t = this.last_epoch;
    const cycle = Math.floor(1 + t / this.total_size);
    const x = 1.0 + t / this.total_size - cycle;
    const scale_factor = x <= this.step_ratio ? x / this.step_ratio : (x - 1) / (this.step_ratio - 1);
    const scale = this.scale_fn(this.scale_mode === "cycle" ? cycle : t);

    const lrs = this.base_lrs.map((base_lr, i) => base_lr + (this.max_lrs[i] - base_lr) * scale_factor * scale);
    if (this.cycle_momentum) {
      this.optimizer.param_groups.forEach((g, i) => {
        const max_m = this.max_momentums[i];
        const momentum = max_m - (max_m - this.base_momentums[i]) * scale_factor * scale;
        setMomentum(g, this.use_beta1, momentum);
      });
    }
    return lrs;
  }

  /**
   * The custom `scale_fn` is a function and is not saved (`null`), as PyTorch does for plain
   * functions; PyTorch pops the key and puts it back, so it comes last.
   */
  override state_dict(): SchedulerStateDict {
    const { _scale_fn_custom: _fn, ...rest } = super.state_dict();
    return { ...rest, _scale_fn_custom: null };
  }

  override load_state_dict(state_dict: SchedulerStateDict): void {
    const { _scale_fn_custom: _ignored, ...rest } = state_dict;
    super.load_state_dict(rest);
    this._init_scale_fn();
  }
}

/** step_size_down may be 0 (PyTorch accepts it): the rate rises over step_size_up and drops back at once. */
function nonNegativeSize(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw ValueError(`Expected non-negative ${name}, but got ${shown(value)}`);
  }
  return value;
}

/** step_size_up must be > 0: PyTorch divides by it at the first step (ZeroDivisionError). */
function positiveSize(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw ValueError(`Expected positive ${name}, but got ${shown(value)}`);
  }
  return value;
}
