import { mul, type Lr } from "./tensor_lr";
import { LRScheduler } from "./lr_scheduler";
import { finiteNumber } from "./checks";
import { TypeError_ } from "./errors";
import { checkOptions, opt, schedulerArgs } from "./options";
import type { Positional } from "../positional";
import type { OptimizerLike } from "./types";

export interface MultiStepLROptions {
  /** Epoch indices at which to decay; a repeated milestone decays that many times. */
  milestones: number[];
  /** Multiplicative factor γ of the decay; default 0.1. */
  gamma?: number;
  /** Index of the last epoch seen; default -1, which starts the schedule (other values resume a checkpoint). */
  last_epoch?: number;
}

/**
 * `MultiStepLR`: decays each group's rate by `gamma` at each milestone,
 *
 *   closed form:  η_t = η_0 · γ^{#{m ∈ milestones : m ≤ t}}
 *   chainable:    η_t = η_{t-1} · γ^{count(t)}, count(t) = how many times t appears in milestones.
 *
 * Milestones are kept as a multiset (PyTorch's `Counter`): `{ "30": 1, "80": 2 }`.
 */
export class MultiStepLR extends LRScheduler {
  declare milestones: Record<string, number>;
  declare gamma: number;

  constructor(optimizer: OptimizerLike, options: MultiStepLROptions);
  constructor(
    optimizer: OptimizerLike,
    ...args: Positional<[milestones: number[], gamma: number, last_epoch: number], MultiStepLROptions>
  );
  constructor(optimizer: OptimizerLike, ...args: unknown[]) {
    super(optimizer, schedulerArgs("MultiStepLR", args));
  }

  protected override _init(optimizer: OptimizerLike, options: MultiStepLROptions): void {
    checkOptions("MultiStepLR", options, ["milestones"], ["gamma", "last_epoch"]);
    const milestones = options.milestones as unknown;
    if (!Array.isArray(milestones) || !milestones.every((m) => Number.isInteger(m))) {
      throw TypeError_(`MultiStepLR: milestones must be a list of integers, but got ${String(milestones)}`);
    }
    this.milestones = {};
    for (const m of milestones as number[]) this.milestones[m] = (this.milestones[m] ?? 0) + 1;
    this.gamma = finiteNumber("gamma", opt(options, "gamma", 0.1));
    super._init(optimizer, options);
  }

  override get_lr(): Lr[] {
    this._warn_get_lr_called_within_step();
    const groups = this.optimizer.param_groups;
    const count = this.milestones[this.last_epoch];
    if (count === undefined) return groups.map((g) => g.lr);
    return groups.map((g) => mul(g.lr, this.gamma ** count));
  }

  override _get_closed_form_lr(): Lr[] {
    let passed = 0;
    for (const [m, count] of Object.entries(this.milestones)) if (Number(m) <= this.last_epoch) passed += count;
    return this.base_lrs.map((base_lr) => mul(base_lr, this.gamma ** passed));
  }
}
