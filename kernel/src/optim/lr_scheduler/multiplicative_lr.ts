import { mul, type Lr } from "./tensor_lr";
import { LRScheduler, checkOptimizer } from "./lr_scheduler";
import { lrLambdaList, stateWithoutLambdas, type LrLambda } from "./lambda_lr";
import { checkOptions, schedulerArgs } from "./options";
import type { Positional } from "../positional";
import { factorOf } from "./checks";
import type { OptimizerLike, SchedulerStateDict } from "./types";

export interface MultiplicativeLROptions {
  /** A function of the epoch giving the factor for that epoch (a number: anything else is a TypeError), or one per param group. */
  lr_lambda: LrLambda | LrLambda[];
  /** Index of the last epoch seen; default -1, which starts the schedule (other values resume a checkpoint). */
  last_epoch?: number;
}

/**
 * `MultiplicativeLR`: each step multiplies the group's current rate by a user function of the
 * epoch,
 *
 *   η_t = η_{t-1} · λ(t)   (t ≥ 1),   η_0 = initial lr,
 *
 * i.e. the closed form η_t = η_0 · ∏_{s=1..t} λ(s). Only the chainable form is implemented (as in
 * PyTorch), so it composes with other schedulers on the same optimizer.
 */
export class MultiplicativeLR extends LRScheduler {
  declare lr_lambdas: LrLambda[];

  constructor(optimizer: OptimizerLike, options: MultiplicativeLROptions);
  constructor(
    optimizer: OptimizerLike,
    ...args: Positional<[lr_lambda: LrLambda | LrLambda[], last_epoch: number], MultiplicativeLROptions>
  );
  constructor(optimizer: OptimizerLike, ...args: unknown[]) {
    super(optimizer, schedulerArgs("MultiplicativeLR", args));
  }

  protected override _init(optimizer: OptimizerLike, options: MultiplicativeLROptions): void {
    checkOptions("MultiplicativeLR", options, ["lr_lambda"], ["last_epoch"]);
    this.optimizer = checkOptimizer(optimizer);
    this.lr_lambdas = lrLambdaList(this.optimizer, options.lr_lambda);
    super._init(optimizer, options);
  }

  override get_lr(): Lr[] {
    this._warn_get_lr_called_within_step();
    const groups = this.optimizer.param_groups;
    // The initial step leaves the rates alone: λ applies from epoch 1 on.
    if (this._is_initial) return groups.map((g) => g.lr);
    this._check_param_groups(); // one lambda per group it was created for
    const epoch = this.last_epoch;
    // A tensor the lambda returns counts as its number (a number lr stays a number: lrlab's choice;
    // PyTorch would turn the group's lr into that tensor's product); a Tensor lr is computed in its dtype.
    return groups.map((g, i) => mul(g.lr, Number(factorOf("lr_lambda", "the factor of the current lr", this.lr_lambdas[i](epoch), `epoch ${epoch}`))));
  }

  override state_dict(): SchedulerStateDict {
    return stateWithoutLambdas(this, super.state_dict());
  }

  override load_state_dict(state_dict: SchedulerStateDict): void {
    const { lr_lambdas: _ignored, ...rest } = state_dict;
    super.load_state_dict(rest);
  }
}
