import { mul, type Lr } from "./tensor_lr";
import { LRScheduler } from "./lr_scheduler";
import { ValueError, ZeroDivisionError } from "./errors";
import { nonNegativeInteger } from "./checks";
import { checkOptions, opt, schedulerArgs } from "./options";
import type { Positional } from "../positional";
import type { OptimizerLike } from "./types";

export interface ConstantLROptions {
  /** Factor applied to the rate until `total_iters`; default 1/3. */
  factor?: number;
  /** Number of epochs the factor applies (≥ 0); default 5. */
  total_iters?: number;
  /** Index of the last epoch seen; default -1, which starts the schedule (other values resume a checkpoint). */
  last_epoch?: number;
}

/**
 * `ConstantLR`: multiplies each group's rate by a constant `factor` for the first `total_iters`
 * epochs, then restores it,
 *
 *   closed form:  η_t = η_0 · (factor if t < total_iters else 1)
 *   chainable:    η_0 = factor · η, η_{total_iters} = η_{total_iters−1} / factor, otherwise unchanged.
 *
 * With total_iters = 0 (accepted, as in PyTorch) the chainable steps hold factor · η for good
 * (epoch 0 multiplies, and no later epoch equals total_iters), while the closed form gives η.
 */
export class ConstantLR extends LRScheduler {
  declare factor: number;
  declare total_iters: number;

  constructor(optimizer: OptimizerLike, options?: ConstantLROptions);
  constructor(
    optimizer: OptimizerLike,
    ...args: Positional<[factor: number, total_iters: number, last_epoch: number], ConstantLROptions>
  );
  constructor(optimizer: OptimizerLike, ...args: unknown[]) {
    super(optimizer, schedulerArgs("ConstantLR", args));
  }

  protected override _init(optimizer: OptimizerLike, options: ConstantLROptions): void {
    checkOptions("ConstantLR", options, [], ["factor", "total_iters", "last_epoch"]);
    const factor = opt(options, "factor", 1.0 / 3);
    if (typeof factor !== "number" || Number.isNaN(factor) || factor > 1.0 || factor < 0) {
      throw ValueError("Constant multiplicative factor expected to be between 0 and 1.");
    }
    this.factor = factor;
    this.total_iters = nonNegativeInteger("total_iters", opt(options, "total_iters", 5));
    super._init(optimizer, options);
  }

  override get_lr(): Lr[] {
    this._warn_get_lr_called_within_step();
    const groups = this.optimizer.param_groups;
    if (this.last_epoch === 0) return groups.map((g) => mul(g.lr, this.factor));
    if (this.last_epoch !== this.total_iters) return groups.map((g) => g.lr);
    // PyTorch's `1.0 / self.factor` raises for factor 0 (the rate stays 0; later epochs leave it
    // there); 1/0 here would write Infinity·0 = NaN rates, and NaN weights at the next step
    if (this.factor === 0) {
      throw ZeroDivisionError(
        "float division by zero (ConstantLR with factor=0 restores the rate at epoch total_iters by dividing it by factor, " +
          "as PyTorch does, which raises there too; the rate stays 0. For a zero-rate warm-up use LambdaLR(opt, (e) => " +
          "(e < total_iters ? 0 : 1)), whose rate comes from the base rate rather than from the current one.)",
      );
    }
    return groups.map((g) => mul(g.lr, 1.0 / this.factor));
  }

  override _get_closed_form_lr(): Lr[] {
    const f = this.factor + (this.last_epoch >= this.total_iters ? 1 : 0) * (1 - this.factor);
    return this.base_lrs.map((base_lr) => mul(base_lr, f));
  }
}
