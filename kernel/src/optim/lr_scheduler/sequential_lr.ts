import { setGroupValue } from "./tensor_lr";
import { LRScheduler, checkOptimizer } from "./lr_scheduler";
import { checkComposable, compositeStateDict, rejectStepArguments, splitCompositeState } from "./composition";
import { KeyError, TypeError_, ValueError } from "./errors";
import { checkOptions, schedulerArgs } from "./options";
import type { Positional } from "../positional";
import type { OptimizerLike, SchedulerStateDict } from "./types";

export interface SequentialLROptions {
  /** The schedulers, in the order they take over. */
  schedulers: LRScheduler[];
  /** Epochs at which the next scheduler takes over; one fewer than `schedulers`. */
  milestones: number[];
  /** Index of the last epoch seen; default -1, which starts the schedule (other values resume a checkpoint). */
  last_epoch?: number;
}

/** Python's `bisect.bisect_right`: the insertion point after any entries equal to `x`. */
function bisectRight(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < a[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * `SequentialLR`: hands the schedule from one scheduler to the next at each milestone. With
 * milestones m_1 < m_2 < ..., scheduler k is in charge for m_k ≤ t < m_{k+1}; on reaching m_k it is
 * restarted at its own epoch 0 (closed form where it has one), so e.g. a warm-up LinearLR for 5
 * epochs followed by ExponentialLR gives η_t = η_0 · γ^{t−5} from t = 5.
 *
 * At construction the rates are reset to `initial_lr` (the child schedulers already made their
 * initial steps), every child's `last_epoch` is moved back one, and the first scheduler makes its
 * initial step again.
 */
export class SequentialLR extends LRScheduler {
  declare _schedulers: LRScheduler[];
  declare _milestones: number[];

  constructor(optimizer: OptimizerLike, options: SequentialLROptions);
  constructor(
    optimizer: OptimizerLike,
    ...args: Positional<[schedulers: LRScheduler[], milestones: number[], last_epoch: number], SequentialLROptions>
  );
  constructor(optimizer: OptimizerLike, ...args: unknown[]) {
    super(optimizer, schedulerArgs("SequentialLR", args));
  }

  protected override _init(optimizer: OptimizerLike, options: SequentialLROptions): void {
    checkOptions("SequentialLR", options, ["schedulers", "milestones"], ["last_epoch"]);
    const opt = checkOptimizer(optimizer);
    const schedulers = checkComposable(
      "SequentialLR",
      options.schedulers,
      opt,
      "SequentialLR expects at least one scheduler, but got no scheduler.",
    );
    const milestones = options.milestones as unknown;
    if (!Array.isArray(milestones) || !milestones.every((m) => typeof m === "number")) {
      throw TypeError_(`SequentialLR: milestones must be a list of integers, but got ${String(milestones)}`);
    }
    if (milestones.length !== schedulers.length - 1) {
      throw ValueError(
        "Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone " +
          `points, but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${milestones.length}`,
      );
    }
    this._schedulers = schedulers;
    this._milestones = [...(milestones as number[])];
    this.last_epoch = (options.last_epoch ?? -1) + 1;
    this.optimizer = opt;

    // Undo the children's initial steps: back to the starting rates and epochs.
    opt.param_groups.forEach((group, i) => {
      if (!("initial_lr" in group)) throw KeyError(`'initial_lr' missing in param_groups[${i}]`);
      setGroupValue(group, "lr", group.initial_lr); // (a Tensor lr: filled in place, as PyTorch)
    });
    this.recursive_undo();

    const idx = bisectRight(this._milestones, 0);
    this._schedulers[idx]._initial_step();
    this._last_lr = this._schedulers[idx].get_last_lr();
  }

  /** Moves every (nested) child's `last_epoch` back by one. */
  recursive_undo(sched?: LRScheduler): void {
    const target: any = sched ?? this;
    if (Array.isArray(target._schedulers)) {
      for (const child of target._schedulers) this.recursive_undo(child);
    } else if (typeof target.last_epoch === "number") {
      target.last_epoch -= 1;
    }
  }

  /**
   * Steps the scheduler in charge; at a milestone, restarts the next one at its epoch 0. No epoch
   * argument: PyTorch's `SequentialLR.step()` takes none (a TypeError), and so is it here.
   */
  override step(...args: []): void {
    rejectStepArguments("SequentialLR", args);
    this.last_epoch += 1;
    const idx = bisectRight(this._milestones, this.last_epoch);
    const scheduler = this._schedulers[idx];
    if (idx > 0 && this._milestones[idx - 1] === this.last_epoch) scheduler._update_lr(0);
    else scheduler.step();
    this._last_lr = scheduler.get_last_lr();
  }

  override state_dict(): SchedulerStateDict {
    return compositeStateDict(super.state_dict(), this._schedulers);
  }

  override load_state_dict(state_dict: SchedulerStateDict): void {
    const { own, children } = splitCompositeState("SequentialLR", state_dict, this._schedulers);
    super.load_state_dict(own);
    children.forEach((child, i) => this._schedulers[i].load_state_dict(child));
  }
}
