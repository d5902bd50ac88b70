/**
 * `torch.optim.swa_utils`: Stochastic Weight Averaging (Izmailov et al., UAI 2018,
 * arXiv:1803.05407) and exponential moving averages of a model's weights, with PyTorch 2.13's
 * names and semantics.
 *
 * - `AveragedModel(model, { avg_fn?, multi_avg_fn?, use_buffers? })`: a copy of the model whose
 *   weights are the running average of the model's (`update_parameters(model)`);
 * - `SWALR(optimizer, { swa_lr, anneal_epochs?, anneal_strategy? })`: the learning-rate scheduler
 *   that anneals to the constant SWA rate (an LRScheduler: `%lr_schedule SWALR ...`, tracers,
 *   state_dict, as the others);
 * - `update_bn(loader, model)`: BatchNorm statistics recomputed for the averaged weights;
 * - `get_ema_multi_avg_fn(decay)`, `get_swa_multi_avg_fn()`, `get_ema_avg_fn(decay)`,
 *   `get_swa_avg_fn()`: the averaging functions.
 *
 *   const swa_model = new torch.optim.swa_utils.AveragedModel(model);
 *   const scheduler = new torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, { T_max: 100 });
 *   const swa_scheduler = new torch.optim.swa_utils.SWALR(optimizer, { swa_lr: 0.05 });
 *   for (let epoch = 0; epoch < 100; epoch++) {
 *     for (const [x, y] of loader) { optimizer.zero_grad(); loss_fn.forward(model.forward(x), y).backward(); optimizer.step(); }
 *     if (epoch > swa_start) { swa_model.update_parameters(model); swa_scheduler.step(); }
 *     else scheduler.step();
 *   }
 *   torch.optim.swa_utils.update_bn(loader, swa_model);
 */
export { AveragedModel, type AveragedModelOptions } from "./averaged_model";
export { SWALR, type SWALROptions, type AnnealStrategy } from "./swalr";
export { update_bn } from "./update_bn";
export {
  get_ema_multi_avg_fn,
  get_swa_multi_avg_fn,
  get_ema_avg_fn,
  get_swa_avg_fn,
  type AvgFn,
  type MultiAvgFn,
} from "./avg_fn";
