import { mul, type Lr } from "./tensor_lr";
import { ValueError, TypeError_ } from "./errors";
import { LRScheduler, checkOptimizer, typeName } from "./lr_scheduler";
import { checkOptions, schedulerArgs } from "./options";
import type { Positional } from "../positional";
import { factorOf } from "./checks";
import type { OptimizerLike, SchedulerStateDict } from "./types";

export type LrLambda = (epoch: number) => number;

export interface LambdaLROptions {
  /** A function of the epoch giving the factor of the initial lr (a number: anything else is a TypeError), or one per param group. */
  lr_lambda: LrLambda | LrLambda[];
  /** Index of the last epoch seen; default -1, which starts the schedule (other values resume a checkpoint). */
  last_epoch?: number;
}

/** One lambda per group from a single function or a per-group list (shared by LambdaLR and MultiplicativeLR). */
export function lrLambdaList(optimizer: OptimizerLike, lr_lambda: LrLambda | LrLambda[]): LrLambda[] {
  const groups = optimizer.param_groups.length;
  let lambdas: LrLambda[];
  if (Array.isArray(lr_lambda)) {
    if (lr_lambda.length !== groups) throw ValueError(`Expected ${groups} lr_lambdas, but got ${lr_lambda.length}`);
    lambdas = [...lr_lambda];
  } else {
    lambdas = Array.from({ length: groups }, () => lr_lambda);
  }
  for (const fn of lambdas) {
    if (typeof fn !== "function") throw TypeError_(`lr_lambda should be a function, but got ${typeName(fn)}`);
  }
  return lambdas;
}

/** state_dict without the lambdas: functions cannot be saved, so (as PyTorch does for plain functions) each is `null`. */
export function stateWithoutLambdas(scheduler: { lr_lambdas: LrLambda[] }, state: SchedulerStateDict): SchedulerStateDict {
  // PyTorch builds the dict without it and then sets it, so the key comes last
  delete state.lr_lambdas;
  state.lr_lambdas = scheduler.lr_lambdas.map(() => null);
  return state;
}

/**
 * `LambdaLR`: each group's rate is its initial rate times a user function of the epoch,
 *
 *   η_t = η_0 · λ(t).
 *
 * This is already a closed form, so the chainable and the closed form coincide: `get_lr()` reads
 * only `base_lrs` and `last_epoch`, never the group's current `lr`.
 */
export class LambdaLR extends LRScheduler {
  declare lr_lambdas: LrLambda[];

  constructor(optimizer: OptimizerLike, options: LambdaLROptions);
  constructor(
    optimizer: OptimizerLike,
    ...args: Positional<[lr_lambda: LrLambda | LrLambda[], last_epoch: number], LambdaLROptions>
  );
  constructor(optimizer: OptimizerLike, ...args: unknown[]) {
    super(optimizer, schedulerArgs("LambdaLR", args));
  }

  protected override _init(optimizer: OptimizerLike, options: LambdaLROptions): void {
    checkOptions("LambdaLR", options, ["lr_lambda"], ["last_epoch"]);
    this.optimizer = checkOptimizer(optimizer);
    this.lr_lambdas = lrLambdaList(this.optimizer, options.lr_lambda);
    super._init(optimizer, options);
  }

  override get_lr(): Lr[] {
    this._warn_get_lr_called_within_step();
    this._check_param_groups();
    const epoch = this.last_epoch;
    // A tensor the lambda returns counts as its number (a number lr stays a number: lrlab's choice;
    // PyTorch would turn the group's lr into that tensor's product); a Tensor lr is computed in its dtype.
    return this.base_lrs.map((base_lr, i) => mul(base_lr, Number(factorOf("lr_lambda", "the factor of the initial lr", this.lr_lambdas[i](epoch), `epoch ${epoch}`))));
  }

  /** The lambdas stay those of this scheduler; the saved ones are `null`. */
  override state_dict(): SchedulerStateDict {
    return stateWithoutLambdas(this, super.state_dict());
  }

  override load_state_dict(state_dict: SchedulerStateDict): void {
    const { lr_lambdas: _ignored, ...rest } = state_dict;
    super.load_state_dict(rest);
  }
}
