/**
 * `torch.optim.lr_scheduler`: every PyTorch learning-rate scheduler, with PyTorch's names,
 * semantics and call order (`optimizer.step()` then `scheduler.step()`). Python keyword arguments
 * are one options object: `new StepLR(optimizer, { step_size: 5, gamma: 0.5 })`.
 */
// (Not in the doc comment above, which Shift-Tab shows on `torch.optim.lr_scheduler`.) Only
// PyTorch's public names (its `__all__`, and `_LRScheduler`) and the options' types are exported
// here: this module is what a cell sees, and what Tab lists, after `torch.optim.lr_scheduler.`.
// lrlab's own helpers (the scheduler names in names.ts, the warning texts in warnings.ts, the word
// lists next to each scheduler) are imported from their modules by the code that needs them (the
// magics, swa_utils, the tests); test/optim/lr_scheduler/namespace.test.ts holds the list.
export { LRScheduler, _LRScheduler } from "./lr_scheduler";
export type { LRSchedulerOptions } from "./lr_scheduler";
export type { OptimizerLike, ParamGroup, SchedulerStateDict } from "./types";
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
