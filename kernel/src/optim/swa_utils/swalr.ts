import { LRScheduler, checkOptimizer, formatParam } from "../lr_scheduler/lr_scheduler";
import { closeWord, finiteNumber, isWord, quotedWords } from "../lr_scheduler/checks";
import { KeyError, ValueError } from "../lr_scheduler/errors";
import { checkOptions, opt, schedulerArgs } from "../lr_scheduler/options";
import type { Positional } from "../positional";
import type { OptimizerLike, SchedulerStateDict } from "../lr_scheduler/types";

/**
 * The words anneal_strategy takes (PyTorch's): the constructor checks against this list, and
 * `%lr_schedule SWALR anneal_strategy=` offers it on Tab (magics/lr_schedule.ts WORD_VALUES).
 */
export const SWALR_ANNEAL_STRATEGIES = Object.freeze(["cos", "linear"] as const);

export type AnnealStrategy = (typeof SWALR_ANNEAL_STRATEGIES)[number];

export interface SWALROptions {
  /** The rate to anneal to: one for every param group, or one per group. Written to each group as `swa_lr`. */
  swa_lr: number | number[];
  /** Number of epochs of the annealing phase (an integer ≥ 0); default 10. */
  anneal_epochs?: number;
  /** Annealing, "cos" (cosine) or "linear"; default "cos". */
  anneal_strategy?: AnnealStrategy;
  /** Index of the last epoch seen; default -1, which starts the schedule (other values resume a checkpoint). */
  last_epoch?: number;
}

/**
 * `torch.optim.swa_utils.SWALR`: anneals each group's learning rate to a fixed `swa_lr` over
 * `anneal_epochs` epochs, then holds it there, for Stochastic Weight Averaging (Izmailov et al.,
 * "Averaging Weights Leads to Wider Optima and Better Generalization", UAI 2018,
 * arXiv:1803.05407; see AveragedModel).
 *
 * With s the number of `step()` calls since construction (PyTorch counts `_step_count − 1`, not
 * `last_epoch`), T = anneal_epochs and the annealing function
 *
 *   a(τ) = τ                         (anneal_strategy "linear")
 *   a(τ) = (1 − cos(π τ)) / 2        (anneal_strategy "cos"),
 *
 * with α_s = a(clamp(s / max(1, T), 0, 1)), the rate after step s is
 *
 *   η_s = α_s · swa_lr + (1 − α_s) · η_start,
 *
 * a blend from the starting rate η_start to swa_lr; η_s = swa_lr from s = T on. The schedule is
 * chainable as PyTorch computes it: η_start is not stored but recovered from the group's current
 * rate by inverting the previous step's blend,
 *
 *   η_start = (η − α_{s−1} · swa_lr) / (1 − α_{s−1})     (η_start = swa_lr when α_{s−1} = 1),
 *
 * so a rate another scheduler changed between two steps becomes the new starting point.
 *
 * PyTorch's quirks, kept:
 * - s counts the steps of *this* scheduler since it was made: a SWALR created at the start and
 *   first stepped after `swa_start` epochs of another scheduler begins its annealing then, from
 *   the rate it finds.
 * - anneal_epochs = 0 takes s = max(1, s): the rate is swa_lr already after construction (the
 *   constructor's initial step), not after the first step.
 * - The deprecated `step(epoch)` sets `last_epoch` but the schedule ignores it (there is no closed
 *   form; PyTorch's rate depends on the step count only).
 * - Where PyTorch deviates from the paper: the paper averages under a constant (or cyclical) rate
 *   α_SWA and reaches it, in its experiments, by a linear decay during the ordinary training
 *   before averaging starts (Sec. 3.1 and 4); SWALR instead anneals within the averaging phase,
 *   over its first `anneal_epochs` steps, with a cosine by default.
 *
 * Example (PyTorch's AveragedModel docstring): CosineAnnealingLR until `swa_start`, then SWALR.
 *
 *   const scheduler = new torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, { T_max: 100 });
 *   const swa_scheduler = new torch.optim.swa_utils.SWALR(optimizer, { swa_lr: 0.05, anneal_epochs: 5 });
 *   for (let epoch = 0; epoch < 100; epoch++) {
 *     train_one_epoch();
 *     if (epoch > swa_start) { swa_model.update_parameters(model); swa_scheduler.step(); }
 *     else scheduler.step();
 *   }
 */
export class SWALR extends LRScheduler {
  declare anneal_epochs: number;
  declare _anneal_strategy: AnnealStrategy;

  constructor(optimizer: OptimizerLike, options: SWALROptions);
  constructor(
    optimizer: OptimizerLike,
    ...args: Positional<[swa_lr: number | number[], anneal_epochs: number, anneal_strategy: "cos" | "linear", last_epoch: number], SWALROptions>
  );
  constructor(optimizer: OptimizerLike, ...args: unknown[]) {
    super(optimizer, schedulerArgs("SWALR", args));
  }

  protected override _init(optimizer: OptimizerLike, options: SWALROptions): void {
    checkOptions("SWALR", options, ["swa_lr"], ["anneal_epochs", "anneal_strategy", "last_epoch"]);
    const o = checkOptimizer(optimizer);
    // PyTorch's order of checks: swa_lr's length, anneal_strategy, anneal_epochs. (PyTorch writes
    // swa_lr into the groups before the other two checks; here a failed construction leaves the
    // groups untouched.)
    const swa_lrs = formatParam("swa_lr", o, options.swa_lr).map((v) => finiteNumber("swa_lr", v));
    const strategy = opt<unknown>(options, "anneal_strategy", "cos");
    if (!isWord(strategy, SWALR_ANNEAL_STRATEGIES)) {
      throw ValueError(
        `anneal_strategy must be one of ${quotedWords(SWALR_ANNEAL_STRATEGIES)}, instead got ${String(strategy)}` +
          closeWord(strategy, SWALR_ANNEAL_STRATEGIES),
      );
    }
    const anneal_epochs = opt<unknown>(options, "anneal_epochs", 10);
    if (typeof anneal_epochs !== "number" || !Number.isInteger(anneal_epochs) || anneal_epochs < 0) {
      throw ValueError(`anneal_epochs must be equal or greater than 0, got ${String(anneal_epochs)}`);
    }
    o.param_groups.forEach((group, i) => {
      group.swa_lr = swa_lrs[i];
    });
    this._anneal_strategy = strategy;
    this.anneal_epochs = anneal_epochs;
    super._init(optimizer, options);
  }

  /** τ ↦ τ ("linear"). */
  static _linear_anneal(t: number): number {
    return t;
  }

  /** τ ↦ (1 − cos(π τ)) / 2 ("cos"). */
  static _cosine_anneal(t: number): number {
    return (1 - Math.cos(Math.PI * t)) / 2;
  }

  /** The starting rate the blend `lr = α · swa_lr + (1 − α) · start` came from. */
  static _get_initial_lr(lr: number, swa_lr: number, alpha: number): number {
    if (alpha === 1) return swa_lr;
    return (lr - alpha * swa_lr) / (1 - alpha);
  }

  /**
   * The annealing function of `anneal_strategy` (PyTorch's attribute `anneal_func`). A getter, so
   * it is never part of `state_dict()` (PyTorch leaves it out too) and follows `_anneal_strategy`
   * after `load_state_dict()`.
   */
  get anneal_func(): (t: number) => number {
    return this._anneal_strategy === "cos" ? SWALR._cosine_anneal : SWALR._linear_anneal;
  }

  override get_lr(): number[] {
    this._warn_get_lr_called_within_step();
    let step = this._step_count - 1;
    if (this.anneal_epochs === 0) step = Math.max(1, step);
    const span = Math.max(1, this.anneal_epochs);
    const prev_alpha = this.anneal_func(Math.max(0, Math.min(1, (step - 1) / span)));
    const alpha = this.anneal_func(Math.max(0, Math.min(1, step / span)));
    return this.optimizer.param_groups.map((group, i) => {
      const swa_lr = group.swa_lr;
      if (typeof swa_lr !== "number") {
        // PyTorch: KeyError: 'swa_lr'
        throw KeyError(
          `'swa_lr': param_groups[${i}] has no swa_lr (SWALR writes it into the groups the optimizer has when the ` +
            "scheduler is created; set group.swa_lr on a group added later, or create SWALR after adding all param groups)",
        );
      }
      const prev_lr = SWALR._get_initial_lr(group.lr, swa_lr, prev_alpha);
      return swa_lr * alpha + prev_lr * (1 - alpha);
    });
  }

  /** Every attribute but the optimizer (and `anneal_func`, which is derived): PyTorch's keys. */
  override state_dict(): SchedulerStateDict {
    const state = super.state_dict();
    delete state.anneal_func;
    return state;
  }

  override load_state_dict(state_dict: SchedulerStateDict): void {
    if (state_dict !== null && typeof state_dict === "object" && "anneal_func" in state_dict) {
      const { anneal_func: _ignored, ...rest } = state_dict;
      super.load_state_dict(rest);
    } else {
      super.load_state_dict(state_dict);
    }
  }
}
