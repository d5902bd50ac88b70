/**
 * The learning-rate schedulers of torch.optim.swa_utils (lrlab's list, like lr_scheduler/names.ts):
 * `%lr_schedule` accepts these names as well as lr_scheduler's.
 *
 * lrlab's, not PyTorch's: imported from this file, never exported by torch.optim.swa_utils. This
 * file imports nothing, so the kernel can load it at start without the training library.
 */
export const swa_scheduler_names = Object.freeze(["SWALR"] as const);
