import { mul, type Lr } from "./tensor_lr";
import { LRScheduler } from "./lr_scheduler";
import { closedFormDivision, finiteNumber, nonNegativeInteger } from "./checks";
import { checkOptions, opt, schedulerArgs } from "./options";
import type { Positional } from "../positional";
import type { OptimizerLike } from "./types";

export interface PolynomialLROptions {
  /** Epochs until the rate reaches 0 (≥ 0; 0 leaves it alone); default 5. */
  total_iters?: number;
  /** Power of the polynomial (1: linear decay); default 1.0. */
  power?: number;
  /** Index of the last epoch seen; default -1, which starts the schedule (other values resume a checkpoint). */
  last_epoch?: number;
}

/**
 * `PolynomialLR`: decays each group's rate polynomially to 0 over `total_iters` epochs
 * (T = total_iters, p = power),
 *
 *   closed form:  η_t = η_0 · (1 − min(t, T)/T)^p
 *   chainable:    η_t = η_{t-1} · ((1 − t/T) / (1 − (t−1)/T))^p  for 1 ≤ t ≤ T; unchanged after T.
 *
 * With T = 0 (accepted, as in PyTorch) the chainable steps leave η alone; the closed form divides
 * by T, so `step(epoch)` is PyTorch's ZeroDivisionError.
 */
export class PolynomialLR extends LRScheduler {
  declare total_iters: number;
  declare power: number;

  constructor(optimizer: OptimizerLike, options?: PolynomialLROptions);
  constructor(
    optimizer: OptimizerLike,
    ...args: Positional<[total_iters: number, power: number, last_epoch: number], PolynomialLROptions>
  );
  constructor(optimizer: OptimizerLike, ...args: unknown[]) {
    super(optimizer, schedulerArgs("PolynomialLR", args));
  }

  protected override _init(optimizer: OptimizerLike, options: PolynomialLROptions): void {
    checkOptions("PolynomialLR", options, [], ["total_iters", "power", "last_epoch"]);
    this.total_iters = nonNegativeInteger("total_iters", opt(options, "total_iters", 5));
    this.power = finiteNumber("power", opt(options, "power", 1.0));
    super._init(optimizer, options);
  }

  override get_lr(): Lr[] {
    this._warn_get_lr_called_within_step();
    const groups = this.optimizer.param_groups;
    if (this._is_initial || this.last_epoch > this.total_iters) return groups.map((g) => g.lr);
    const T = this.total_iters;
    const decay = ((1.0 - this.last_epoch / T) / (1.0 - (this.last_epoch - 1) / T)) ** this.power;
    return groups.map((g) => mul(g.lr, decay));
  }

  override _get_closed_form_lr(): Lr[] {
    if (this.total_iters === 0) throw closedFormDivision("PolynomialLR");
    const T = this.total_iters;
    return this.base_lrs.map((base_lr) => mul(base_lr, (1.0 - Math.min(T, this.last_epoch) / T) ** this.power));
  }
}
