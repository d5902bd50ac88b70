import { add, div, mul, sub, type Lr } from "./tensor_lr";
import { LRScheduler } from "./lr_scheduler";
import { finiteNumber, shown } from "./checks";
import { ValueError } from "./errors";
import { checkOptions, opt, schedulerArgs } from "./options";
import type { Positional } from "../positional";
import type { OptimizerLike } from "./types";

export interface CosineAnnealingLROptions {
  /** Half-period of the cosine, in epochs. */
  T_max: number;
  /** Minimum learning rate η_min; default 0.0. */
  eta_min?: number;
  /** Index of the last epoch seen; default -1, which starts the schedule (other values resume a checkpoint). */
  last_epoch?: number;
}

/**
 * `CosineAnnealingLR` (Loshchilov & Hutter, SGDR, arXiv:1608.03983, without restarts):
 *
 *   closed form:  η_t = η_min + ½ (η_0 − η_min) (1 + cos(π t / T_max))
 *   chainable:    η_t = η_min + (η_{t-1} − η_min) · (1 + cos(π t / T_max)) / (1 + cos(π (t−1) / T_max)).
 *
 * The ratio is 0/0 where the cosine bottoms out (t − 1 − T_max divisible by 2·T_max), so there
 * the step adds the closed form's increment instead:
 *   η_t = η_{t-1} + ½ (η_0 − η_min)(1 − cos(π / T_max)).
 * Past T_max the schedule keeps following the cosine back up (it is periodic, period 2·T_max).
 */
export class CosineAnnealingLR extends LRScheduler {
  declare T_max: number;
  declare eta_min: number;

  constructor(optimizer: OptimizerLike, options: CosineAnnealingLROptions);
  constructor(
    optimizer: OptimizerLike,
    ...args: Positional<[T_max: number, eta_min: number, last_epoch: number], CosineAnnealingLROptions>
  );
  constructor(optimizer: OptimizerLike, ...args: unknown[]) {
    super(optimizer, schedulerArgs("CosineAnnealingLR", args));
  }

  protected override _init(optimizer: OptimizerLike, options: CosineAnnealingLROptions): void {
    checkOptions("CosineAnnealingLR", options, ["T_max"], ["eta_min", "last_epoch"]);
    // PyTorch documents an int but accepts any positive number (e.g. epochs * 0.5).
    const T_max = options.T_max as unknown;
    if (typeof T_max !== "number" || !Number.isFinite(T_max) || T_max <= 0) {
      throw ValueError(`Expected positive T_max, but got ${shown(T_max)}`);
    }
    this.T_max = T_max;
    this.eta_min = finiteNumber("eta_min", opt(options, "eta_min", 0.0));
    super._init(optimizer, options);
  }

  override get_lr(): Lr[] {
    this._warn_get_lr_called_within_step();
    const groups = this.optimizer.param_groups;
    const { T_max, eta_min, last_epoch: t } = this;
    if (this._is_initial) return groups.map((g) => g.lr);
    if (this._step_count === 1 && t > 0) {
      // Stepped straight to t > 0 (resume): jump to the closed form.
      this._check_param_groups();
      return this.base_lrs.map((base_lr) => add(eta_min, div(mul(sub(base_lr, eta_min), 1 + Math.cos((t * Math.PI) / T_max)), 2)));
    }
    if ((t - 1 - T_max) % (2 * T_max) === 0) {
      this._check_param_groups(); // reads base_lrs[i]: NaN for a group added after construction
      return groups.map(
        (g, i) => add(g.lr, div(mul(sub(this.base_lrs[i], eta_min), 1 - Math.cos(Math.PI / T_max)), 2)),
      );
    }
    const ratio = (1 + Math.cos((Math.PI * t) / T_max)) / (1 + Math.cos((Math.PI * (t - 1)) / T_max));
    return groups.map((g) => add(mul(ratio, sub(g.lr, eta_min)), eta_min));
  }

  override _get_closed_form_lr(): Lr[] {
    const { T_max, eta_min, last_epoch: t } = this;
    return this.base_lrs.map((base_lr) => add(eta_min, div(mul(sub(base_lr, eta_min), 1 + Math.cos((Math.PI * t) / T_max)), 2)));
  }
}
