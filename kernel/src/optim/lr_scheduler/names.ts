/**
 * Every scheduler torch.optim.lr_scheduler provides, by its PyTorch name (the base class
 * `LRScheduler` is not listed: it has no schedule of its own). The `%lr_schedule` magic prints
 * these as the valid names. `SWALR` is an LRScheduler too but lives in `torch.optim.swa_utils`,
 * as in PyTorch: the magic adds swa_utils/names.ts's list to these.
 *
 * lrlab's, not PyTorch's: imported from this file, never exported by torch.optim.lr_scheduler
 * (a cell's Tab after `torch.optim.lr_scheduler.` lists PyTorch's names only). This file imports
 * nothing, so the kernel can load it at start without the training library.
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
