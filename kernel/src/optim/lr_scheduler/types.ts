/**
 * What a scheduler needs from an optimizer. Schedulers are structural: they work on
 * `torch.optim.*` optimizers and on any object with `param_groups` (the tracer's preview
 * builds schedules on a bare `{ param_groups: [{ lr }] }`).
 */

/**
 * One parameter group as schedulers see it: a plain object with at least `lr` (a number).
 * Schedulers also read or write `initial_lr` (the schedule's starting rate, set by the first
 * scheduler constructed with `last_epoch = -1`), `momentum` (SGD/RMSprop) or `betas: [β1, β2]`
 * (Adam family) for CyclicLR/OneCycleLR, and OneCycleLR's `max_lr`, `min_lr`, `max_momentum`,
 * `base_momentum`. Only an index signature, so the optimizers' own group type fits.
 */
export interface ParamGroup {
  [key: string]: any;
}

/** The optimizer surface a scheduler reads and writes. */
export interface OptimizerLike {
  param_groups: ParamGroup[];
  /** The optimizer's defaults; CyclicLR/OneCycleLR look for `momentum` or `betas` here. */
  defaults?: Record<string, any>;
  /** Wrapped by the scheduler (as PyTorch does) to detect `scheduler.step()` before `optimizer.step()`. */
  step?: (...args: any[]) => any;
}

/** `state_dict()` output: the scheduler's own attributes (never the optimizer), deep-copied. */
export type SchedulerStateDict = Record<string, any>;
