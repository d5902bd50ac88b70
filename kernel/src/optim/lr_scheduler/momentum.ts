import { ValueError } from "./errors";
import type { OptimizerLike, ParamGroup } from "./types";

/**
 * CyclicLR and OneCycleLR cycle "momentum" inversely to the rate. For SGD/RMSprop that is
 * `group.momentum`; for the Adam family it is β1, `group.betas[0]`. As in PyTorch, the choice is
 * made from the optimizer's defaults (for a bare `{ param_groups }` object, from its first group).
 */
export function usesBeta1(optimizer: OptimizerLike): boolean {
  const source: Record<string, any> = optimizer.defaults ?? optimizer.param_groups[0] ?? {};
  if (!("momentum" in source) && !("betas" in source)) {
    throw ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled");
  }
  return "betas" in source;
}

/** Writes `momentum` into the group: `momentum`, or β1 keeping β2 (a new array, like Python's new tuple). */
export function setMomentum(group: ParamGroup, useBeta1: boolean, momentum: number): void {
  if (useBeta1) group.betas = [momentum, ...(group.betas ?? []).slice(1)];
  else group.momentum = momentum;
}

const BUILT = new WeakMap<ParamGroup, number>();

/**
 * Records each group's `momentum` as it is before a scheduler cycling momentum first writes it
 * (the optimizer's own, or a checkpoint's): the tracer's summary says when the cycled momentum
 * came to a group that had none (trace.ts noteMomentum), group by group, as a group can be given
 * its own momentum under the optimizer's default. β1 is not recorded (Adam always has one).
 */
export function recordBuiltMomentum(groups: readonly ParamGroup[], useBeta1: boolean): void {
  if (useBeta1) return;
  for (const g of groups) if (!BUILT.has(g) && typeof g.momentum === "number") BUILT.set(g, g.momentum);
}

/** The group's momentum before a scheduler cycled it; undefined when none did (or for β1). */
export function momentumBeforeCycling(group: object): number | undefined {
  return BUILT.get(group as ParamGroup);
}
