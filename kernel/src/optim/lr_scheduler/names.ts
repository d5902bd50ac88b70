/**
 * Every scheduler this module provides, by its PyTorch name (the base class `LRScheduler` is not
 * listed: it has no schedule of its own). The `%lr_schedule` magic prints these as the valid
 * names, and the README's list is checked against it. `SWALR` is an LRScheduler too but lives in
 * `torch.optim.swa_utils`, as in PyTorch: the magic adds `swa_utils.scheduler_names` to these.
 */
export const scheduler_names = Object.freeze([
  "LambdaLR",
  "MultiplicativeLR",
  "StepLR",
  "MultiStepLR",
  "ConstantLR",
  "LinearLR",
  "ExponentialLR",
  "PolynomialLR",
  "CosineAnnealingLR",
  "ChainedScheduler",
  "SequentialLR",
  "ReduceLROnPlateau",
  "CyclicLR",
  "OneCycleLR",
  "CosineAnnealingWarmRestarts",
] as const);

export type SchedulerName = (typeof scheduler_names)[number];
