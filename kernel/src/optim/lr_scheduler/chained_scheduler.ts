import { LRScheduler, groupValues } from "./lr_scheduler";
import { checkComposable, compositeStateDict, rejectStepArguments, splitCompositeState } from "./composition";
import { checkOptions, schedulerArgs } from "./options";
import { isOptionsObject } from "../../utils/py_args";
import type { OptimizerLike, SchedulerStateDict } from "./types";

export interface ChainedSchedulerOptions {
  /** The optimizer all schedulers belong to; default null, meaning the first scheduler's. */
  optimizer?: OptimizerLike;
}

/**
 * `ChainedScheduler`: steps every scheduler in the list at each `step()`. Because each one's
 * chainable rule multiplies the group's current rate, the rates compose multiplicatively:
 * e.g. ConstantLR(factor 0.1, 2 iters) + ExponentialLR(0.9) gives η_t = η_0 · 0.9^t · (0.1 if t < 2).
 *
 * The first positional argument is the list of schedulers, as in PyTorch:
 * `new ChainedScheduler([a, b])` or `new ChainedScheduler([a, b], { optimizer })`.
 * Constructing it changes nothing: the schedulers already made their initial step.
 */
export class ChainedScheduler extends LRScheduler {
  declare _schedulers: LRScheduler[];

  constructor(schedulers: LRScheduler[], options?: ChainedSchedulerOptions);
  constructor(schedulers: LRScheduler[], optimizer: OptimizerLike | null);
  constructor(schedulers: LRScheduler[], ...args: unknown[]) {
    // an optimizer given positionally may be a plain object with param_groups (OptimizerLike)
    const only = args.length === 1 && isOptionsObject(args[0]) && "param_groups" in args[0];
    super(schedulers as any, only ? { optimizer: args[0] } : (schedulerArgs("ChainedScheduler", args, ["schedulers"]) as any));
  }

  protected override _init(schedulers: LRScheduler[], options: ChainedSchedulerOptions): void {
    checkOptions("ChainedScheduler", options, [], ["optimizer"]);
    const list = checkComposable(
      "ChainedScheduler",
      schedulers,
      options.optimizer ?? undefined,
      "ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.",
    );
    this._schedulers = list;
    this.optimizer = options.optimizer ?? list[0].optimizer;
    this._last_lr = groupValues(list[list.length - 1].optimizer, "lr");
  }

  /** Steps each scheduler in order. No epoch argument: PyTorch's takes none (a TypeError), and so is it here. */
  override step(...args: []): void {
    rejectStepArguments("ChainedScheduler", args);
    for (const scheduler of this._schedulers) scheduler.step();
    this._last_lr = groupValues(this._schedulers[this._schedulers.length - 1].optimizer, "lr");
  }

  override state_dict(): SchedulerStateDict {
    return compositeStateDict(super.state_dict(), this._schedulers);
  }

  override load_state_dict(state_dict: SchedulerStateDict): void {
    const { own, children } = splitCompositeState("ChainedScheduler", state_dict, this._schedulers);
    super.load_state_dict(own);
    children.forEach((child, i) => this._schedulers[i].load_state_dict(child));
  }
}
