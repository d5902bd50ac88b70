import { mul, type Lr } from "./tensor_lr";
import { LRScheduler } from "./lr_scheduler";
import { finiteNumber } from "./checks";
import { checkOptions, schedulerArgs } from "./options";
import type { Positional } from "../positional";
import type { OptimizerLike } from "./types";

export interface ExponentialLROptions {
  /** Multiplicative factor per epoch. */
  gamma: number;
  /** Index of the last epoch seen; default -1, which starts the schedule (other values resume a checkpoint). */
  last_epoch?: number;
}

/**
 * `ExponentialLR`: decays each group's rate by `gamma` every epoch,
 *
 *   closed form:  η_t = η_0 · γ^t
 *   chainable:    η_t = γ · η_{t-1}.
 *
 * The two differ in the last bits after many steps (t products vs one power); PyTorch uses the
 * chainable form for `step()` and the closed form for the deprecated `step(epoch)`.
 */
export class ExponentialLR extends LRScheduler {
  declare gamma: number;

  constructor(optimizer: OptimizerLike, options: ExponentialLROptions);
  constructor(optimizer: OptimizerLike, ...args: Positional<[gamma: number, last_epoch: number], ExponentialLROptions>);
  constructor(optimizer: OptimizerLike, ...args: unknown[]) {
    super(optimizer, schedulerArgs("ExponentialLR", args));
  }

  protected override _init(optimizer: OptimizerLike, options: ExponentialLROptions): void {
    checkOptions("ExponentialLR", options, ["gamma"], ["last_epoch"]);
    this.gamma = finiteNumber("gamma", options.gamma);
    super._init(optimizer, options);
  }

  override get_lr(): Lr[] {
    this._warn_get_lr_called_within_step();
    const groups = this.optimizer.param_groups;
    if (this._is_initial) return groups.map((g) => g.lr);
    return groups.map((g) => mul(g.lr, this.gamma));
  }

  override _get_closed_form_lr(): Lr[] {
    return this.base_lrs.map((base_lr) => mul(base_lr, this.gamma ** this.last_epoch));
  }
}
