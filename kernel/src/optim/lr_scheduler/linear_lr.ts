import { mul, type Lr } from "./tensor_lr";
import { LRScheduler } from "./lr_scheduler";
import { ValueError } from "./errors";
import { closedFormDivision, nonNegativeInteger } from "./checks";
import { checkOptions, opt, schedulerArgs } from "./options";
import type { Positional } from "../positional";
import type { OptimizerLike } from "./types";

export interface LinearLROptions {
  /** Factor at epoch 0, in (0, 1]; default 1/3. */
  start_factor?: number;
  /** Factor from `total_iters` on, in [0, 1]; default 1.0. */
  end_factor?: number;
  /** Epochs of the linear ramp (≥ 0); default 5. */
  total_iters?: number;
  /** Index of the last epoch seen; default -1, which starts the schedule (other values resume a checkpoint). */
  last_epoch?: number;
}

/**
 * `LinearLR`: ramps each group's factor linearly from `start_factor` to `end_factor` over
 * `total_iters` epochs (s = start_factor, e = end_factor, T = total_iters),
 *
 *   closed form:  η_t = η_0 · (s + (e − s) · min(t, T) / T)
 *   chainable:    η_t = η_{t-1} · (1 + (e − s) / (T·s + (t − 1)(e − s)))  for 1 ≤ t ≤ T,
 *
 * the ratio of consecutive closed-form factors; unchanged after T.
 *
 * With T = 0 (accepted, as in PyTorch) the chainable steps hold s · η for good: epoch 0 multiplies
 * by s and every later epoch is past T. The closed form divides by T, so `step(epoch)` (and a
 * SequentialLR restarting this scheduler) is PyTorch's ZeroDivisionError.
 */
export class LinearLR extends LRScheduler {
  declare start_factor: number;
  declare end_factor: number;
  declare total_iters: number;

  constructor(optimizer: OptimizerLike, options?: LinearLROptions);
  constructor(
    optimizer: OptimizerLike,
    ...args: Positional<[start_factor: number, end_factor: number, total_iters: number, last_epoch: number], LinearLROptions>
  );
  constructor(optimizer: OptimizerLike, ...args: unknown[]) {
    super(optimizer, schedulerArgs("LinearLR", args));
  }

  protected override _init(optimizer: OptimizerLike, options: LinearLROptions): void {
    checkOptions("LinearLR", options, [], ["start_factor", "end_factor", "total_iters", "last_epoch"]);
    const start = opt(options, "start_factor", 1.0 / 3);
    const end = opt(options, "end_factor", 1.0);
    if (typeof start !== "number" || Number.isNaN(start) || start > 1.0 || start <= 0) {
      throw ValueError("Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
    }
    if (typeof end !== "number" || Number.isNaN(end) || end > 1.0 || end < 0) {
      throw ValueError("Ending multiplicative factor expected to be between 0 and 1.");
    }
    this.start_factor = start;
    this.end_factor = end;
    this.total_iters = nonNegativeInteger("total_iters", opt(options, "total_iters", 5));
    super._init(optimizer, options);
  }

  override get_lr(): Lr[] {
    this._warn_get_lr_called_within_step();
    const groups = this.optimizer.param_groups;
    if (this.last_epoch === 0) return groups.map((g) => mul(g.lr, this.start_factor));
    if (this._is_initial || this.last_epoch > this.total_iters) return groups.map((g) => g.lr);
    const ds = this.end_factor - this.start_factor;
    const ratio = 1.0 + ds / (this.total_iters * this.start_factor + (this.last_epoch - 1) * ds);
    return groups.map((g) => mul(g.lr, ratio));
  }

  override _get_closed_form_lr(): Lr[] {
    if (this.total_iters === 0) throw closedFormDivision("LinearLR");
    const ds = this.end_factor - this.start_factor;
    return this.base_lrs.map(
      (base_lr) => mul(base_lr, this.start_factor + (ds * Math.min(this.total_iters, this.last_epoch)) / this.total_iters),
    );
  }
}
