import { add, div, mul, sub, type Lr } from "./tensor_lr";
import { LRScheduler, typeName } from "./lr_scheduler";
import { logFast } from "../../random/log_fast";
import { normal_log } from "../../random/native_libm";
import { ValueError } from "./errors";
import { checkOptions, opt, schedulerArgs } from "./options";
import type { Positional } from "../positional";
import type { OptimizerLike } from "./types";

export interface CosineAnnealingWarmRestartsOptions {
  /** Epochs until the first restart. */
  T_0: number;
  /** Each period is T_mult times the previous one (an integer ≥ 1); default 1. */
  T_mult?: number;
  /** Minimum learning rate η_min; default 0.0. */
  eta_min?: number;
  /** Index of the last epoch seen; default -1, which starts the schedule (other values resume a checkpoint). */
  last_epoch?: number;
}

/**
 * `CosineAnnealingWarmRestarts` (Loshchilov & Hutter, SGDR, arXiv:1608.03983):
 *
 *   η_t = η_min + ½ (η_0 − η_min) (1 + cos(π T_cur / T_i))
 *
 * where T_cur counts epochs since the last restart and T_i is the current period (T_0, then
 * T_0·T_mult, T_0·T_mult², ...). This is a closed form in (T_cur, T_i); the scheduler only keeps
 * those two counters. `step()` advances T_cur by 1 and restarts (T_cur −= T_i, T_i *= T_mult) when
 * it reaches T_i. `step(epoch)` accepts fractional epochs (e.g. `epoch + i / iters` inside an
 * epoch) and finds the period directly: with T_mult > 1 the restart index is
 *   n = ⌊log_{T_mult}(epoch/T_0 · (T_mult − 1) + 1)⌋,  T_cur = epoch − T_0 (T_mult^n − 1)/(T_mult − 1),
 *   T_i = T_0 · T_mult^n;
 * with T_mult = 1, T_cur = epoch mod T_0. Unlike other schedulers, `step(epoch)` here is not
 * deprecated (no warning), as in PyTorch.
 *
 * n is PyTorch's `int(math.log(x, T_mult))` = ⌊log(x) / log(T_mult)⌋ with the C library's `log`
 * (restartIndex). At a restart the exact quotient is an integer, so its last bit decides n: V8's
 * Math.log(3) is 1 ulp from glibc's, which put step(121) with T_0 = 1, T_mult = 3 in the next
 * period (T_i = 243, T_cur = 0, η = η_0) where PyTorch stays at the end of this one (T_i = 81,
 * T_cur = 81, η = η_min).
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  declare T_0: number;
  declare T_i: number;
  declare T_mult: number;
  declare eta_min: number;
  declare T_cur: number;

  constructor(optimizer: OptimizerLike, options: CosineAnnealingWarmRestartsOptions);
  constructor(
    optimizer: OptimizerLike,
    ...args: Positional<[T_0: number, T_mult: number, eta_min: number, last_epoch: number], CosineAnnealingWarmRestartsOptions>
  );
  constructor(optimizer: OptimizerLike, ...args: unknown[]) {
    super(optimizer, schedulerArgs("CosineAnnealingWarmRestarts", args));
  }

  protected override _init(optimizer: OptimizerLike, options: CosineAnnealingWarmRestartsOptions): void {
    checkOptions("CosineAnnealingWarmRestarts", options, ["T_0"], ["T_mult", "eta_min", "last_epoch"]);
    const { T_0 } = options;
    const T_mult = opt(options, "T_mult", 1);
    const eta_min = opt(options, "eta_min", 0.0);
    if (typeof T_0 !== "number" || T_0 <= 0 || !Number.isInteger(T_0)) {
      throw ValueError(`Expected positive integer T_0, but got ${String(T_0)}`);
    }
    if (typeof T_mult !== "number" || T_mult < 1 || !Number.isInteger(T_mult)) {
      throw ValueError(`Expected integer T_mult >= 1, but got ${String(T_mult)}`);
    }
    if (typeof eta_min !== "number") {
      // (Python's words for the value and its type: None of type <class 'NoneType'>, 0.1 of type <class 'str'>)
      const py: Record<string, string> = { string: "str", boolean: "bool", object: "dict", Object: "dict", undefined: "NoneType" };
      const kind = typeName(eta_min);
      const text = eta_min === null || eta_min === undefined ? "None" : Array.isArray(eta_min) ? `[${(eta_min as unknown[]).map(String).join(", ")}]` : String(eta_min);
      throw ValueError(`Expected float or int eta_min, but got ${text} of type <class '${py[kind] ?? kind}'>`);
    }
    this.T_0 = T_0;
    this.T_i = T_0;
    this.T_mult = T_mult;
    this.eta_min = eta_min;
    this.T_cur = opt(options, "last_epoch", -1);
    super._init(optimizer, options);
  }

  override get_lr(): Lr[] {
    this._warn_get_lr_called_within_step();
    this._check_param_groups();
    return this.base_lrs.map(
      (base_lr) => add(this.eta_min, div(mul(sub(base_lr, this.eta_min), 1 + Math.cos((Math.PI * this.T_cur) / this.T_i)), 2)),
    );
  }

  /** Advances one epoch, or jumps to `epoch` (fractional allowed, ≥ 0). */
  override step(epoch?: number | null): void {
    if ((epoch === undefined || epoch === null) && this.last_epoch < 0) epoch = 0;
    if (epoch === undefined || epoch === null) {
      epoch = this.last_epoch + 1;
      this.T_cur = this.T_cur + 1;
      if (this.T_cur >= this.T_i) {
        this.T_cur = this.T_cur % this.T_i;
        this.T_i = this.T_i * this.T_mult;
      }
    } else {
      if (typeof epoch !== "number" || !Number.isFinite(epoch) || epoch < 0) {
        throw ValueError(`Expected non-negative epoch, but got ${String(epoch)}`);
      }
      if (epoch >= this.T_0) {
        if (this.T_mult === 1) {
          this.T_cur = pyMod(epoch, this.T_0);
        } else {
          const n = restartIndex(epoch, this.T_0, this.T_mult);
          this.T_cur = epoch - (this.T_0 * (this.T_mult ** n - 1)) / (this.T_mult - 1);
          this.T_i = this.T_0 * this.T_mult ** n;
        }
      } else {
        this.T_i = this.T_0;
        this.T_cur = epoch;
      }
    }
    this.last_epoch = Math.floor(epoch);
    this._get_lr_called_within_step = true;
    let values: Lr[];
    try {
      values = this.get_lr();
    } finally {
      this._get_lr_called_within_step = false;
    }
    this._writeLrs(values);
  }
}

/** Python's float `%` (sign of the divisor); equal to JS `%` for the non-negative operands used here. */
function pyMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

/**
 * The restart index of `epoch` (≥ T_0, T_mult > 1): Python's
 * `int(math.log(epoch / T_0 * (T_mult - 1) + 1, T_mult))`, i.e. log(x) / log(T_mult) truncated,
 * each log from the C library as CPython calls it: the native addon's (kernel/native/libm.c, as
 * the float64 normal sampler uses) when built, else lrlab's correctly rounded log, which agrees
 * with glibc's but for rare near-halfway inputs (README, "Fidelity to PyTorch").
 */
export function restartIndex(epoch: number, T_0: number, T_mult: number): number {
  const log = normal_log(logFast);
  return Math.trunc(log((epoch / T_0) * (T_mult - 1) + 1) / log(T_mult));
}
