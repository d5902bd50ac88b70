import { no_grad } from "../../tensor/grad_mode";
import { Module } from "../../nn/module";
import { BatchNorm1d } from "../../nn/modules/normalization";
import { TypeError_, ValueError } from "../lr_scheduler/errors";
import { typeName } from "../lr_scheduler/lr_scheduler";

/**
 * `torch.optim.swa_utils.update_bn(loader, model, device?)`: recomputes the BatchNorm running
 * statistics of `model` with one pass over `loader`, for the averaged weights of an
 * AveragedModel (whose buffers were copied from, not computed with, the averaged weights).
 *
 * As PyTorch: every BatchNorm module of `model` (lrlab has BatchNorm1d, and its subclasses) has
 * its running statistics reset (running_mean 0, running_var 1, num_batches_tracked 0) and its
 * `momentum` set to null, so that the pass computes the cumulative average over all batches,
 *
 *   running_stat = (1/N) Σ_k batch_stat_k      (momentum factor 1/num_batches_tracked);
 *
 * the model runs in training mode under no_grad on each batch (a batch that is an array, such as
 * a DataLoader's `[x, y]`, gives its first element), then the momenta and the model's training
 * mode are restored. A model without BatchNorm is left alone. (PyTorch restores them after a
 * complete pass; here also when a batch throws.)
 *
 *   torch.optim.swa_utils.update_bn(loader, swa_model);
 */
export function update_bn(
  loader: Iterable<unknown>,
  model: Module,
  device: "cpu" | null | { device?: "cpu" | null } = null,
): void {
  if (device !== null && typeof device === "object" && !Array.isArray(device)) {
    const bad = Object.keys(device).find((k) => k !== "device");
    if (bad !== undefined) throw TypeError_(`update_bn() got an unexpected keyword argument '${bad}'; accepted: device`);
    device = device.device ?? null;
  }
  if (device !== null && device !== undefined && device !== "cpu") {
    throw ValueError(`lrlab runs on the CPU only; got device ${String(device)} (use "cpu" or leave device out)`);
  }
  if (!(model instanceof Module)) throw TypeError_(`update_bn: model must be a torch.nn.Module, got ${typeName(model)}`);
  if (loader === null || loader === undefined || typeof (loader as any)[Symbol.iterator] !== "function") {
    throw TypeError_(
      `update_bn: loader must be iterable (a DataLoader, or an array of batches: tensors or [x, y] arrays), got ${typeName(loader)}`,
    );
  }
  no_grad(() => {
    const momenta = new Map<BatchNorm1d, number | null>();
    for (const m of model.modules()) {
      if (m instanceof BatchNorm1d) {
        m.reset_running_stats();
        momenta.set(m, m.momentum);
      }
    }
    if (momenta.size === 0) return;
    const was_training = model.training;
    model.train();
    for (const m of momenta.keys()) m.momentum = null;
    try {
      for (let input of loader) {
        if (Array.isArray(input)) input = input[0];
        model.call(input);
      }
    } finally {
      for (const [m, momentum] of momenta) m.momentum = momentum;
      model.train(was_training);
    }
  });
}
