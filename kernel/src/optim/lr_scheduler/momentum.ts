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
