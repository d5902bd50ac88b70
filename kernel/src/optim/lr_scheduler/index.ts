/**
 * `torch.optim.lr_scheduler`: every PyTorch learning-rate scheduler, with PyTorch's names,
 * semantics and call order (`optimizer.step()` then `scheduler.step()`). Python keyword arguments
 * are one options object: `new StepLR(optimizer, { step_size: 5, gamma: 0.5 })`.
 */
export { LRScheduler, _LRScheduler } from "./lr_scheduler";
export type { LRSchedulerOptions } from "./lr_scheduler";
export type { OptimizerLike, ParamGroup, SchedulerStateDict } from "./types";
export { EPOCH_DEPRECATION_WARNING } from "./warnings";
export { LambdaLR, type LambdaLROptions, type LrLambda } from "./lambda_lr";
export { MultiplicativeLR, type MultiplicativeLROptions } from "./multiplicative_lr";
export { StepLR, type StepLROptions } from "./step_lr";
export { MultiStepLR, type MultiStepLROptions } from "./multi_step_lr";
export { ConstantLR, type ConstantLROptions } from "./constant_lr";
export { LinearLR, type LinearLROptions } from "./linear_lr";
export { ExponentialLR, type ExponentialLROptions } from "./exponential_lr";
export { PolynomialLR, type PolynomialLROptions } from "./polynomial_lr";
export { CosineAnnealingLR, type CosineAnnealingLROptions } from "./cosine_annealing_lr";
export { ChainedScheduler, type ChainedSchedulerOptions } from "./chained_scheduler";
export { SequentialLR, type SequentialLROptions } from "./sequential_lr";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./reduce_lr_on_plateau";
export { CyclicLR, type CyclicLROptions, type CyclicMode, type ScaleFn } from "./cyclic_lr";
export { OneCycleLR, type OneCycleLROptions } from "./one_cycle_lr";
export { CosineAnnealingWarmRestarts, type CosineAnnealingWarmRestartsOptions } from "./cosine_annealing_warm_restarts";
export { scheduler_names, type SchedulerName } from "./names";
