import { mul, type Lr } from "./tensor_lr";
import { LRScheduler } from "./lr_scheduler";
import { finiteNumber, positiveInteger } from "./checks";
import { checkOptions, opt, schedulerArgs } from "./options";
import type { Positional } from "../positional";
import type { OptimizerLike } from "./types";

export interface StepLROptions {
  /** Period of the decay, in epochs. */
  step_size: number;
  /** Multiplicative factor γ of the decay; default 0.1. */
  gamma?: number;
  /** Index of the last epoch seen; default -1, which starts the schedule (other values resume a checkpoint). */
  last_epoch?: number;
}

/**
 * `StepLR`: decays each group's rate by `gamma` every `step_size` epochs,
 *
 *   closed form:  η_t = η_0 · γ^⌊t / step_size⌋
 *   chainable:    η_t = γ · η_{t-1} if t > 0 and t mod step_size = 0, else η_{t-1}.
 *
 * Example (EFFECTIVE_LR.md): step_size 5, γ 0.5 from 0.1 gives 0.1 for epochs 0–4, 0.05 for 5–9.
 */
export class StepLR extends LRScheduler {
  declare step_size: number;
  declare gamma: number;

  constructor(optimizer: OptimizerLike, options: StepLROptions);
  constructor(
    optimizer: OptimizerLike,
    ...args: Positional<[step_size: number, gamma: number, last_epoch: number], StepLROptions>
  );
  constructor(optimizer: OptimizerLike, ...args: unknown[]) {
    super(optimizer, schedulerArgs("StepLR", args));
  }

  protected override _init(optimizer: OptimizerLike, options: StepLROptions): void {
    checkOptions("StepLR", options, ["step_size"], ["gamma", "last_epoch"]);
    this.step_size = positiveInteger("step_size", options.step_size);
    this.gamma = finiteNumber("gamma", opt(options, "gamma", 0.1));
    super._init(optimizer, options);
  }

  override get_lr(): Lr[] {
    this._warn_get_lr_called_within_step();
    const groups = this.optimizer.param_groups;
    if (this.last_epoch === 0 || this.last_epoch % this.step_size !== 0) return groups.map((g) => g.lr);
    return groups.map((g) => mul(g.lr, this.gamma));
  }

  override _get_closed_form_lr(): Lr[] {
    return this.base_lrs.map((base_lr) => mul(base_lr, this.gamma ** Math.floor(this.last_epoch / this.step_size)));
  }
}
