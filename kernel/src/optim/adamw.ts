/**
 * `torch.optim.AdamW` (Loshchilov & Hutter, 2019): Adam with decoupled weight decay,
 *
 *   θ_{t−1} ← θ_{t−1}(1 − γλ),  then the Adam update (see adam.ts) on the undecayed gradient.
 *
 * PyTorch multiplies the decay by γ (the paper schedules it with η_t separately). Default
 * weight_decay is 1e-2. It is `Adam` with `decoupled_weight_decay` forced to true.
 */
import { Adam, type AdamOptions } from "./adam";
import type { ParamsT } from "./optimizer";
import { checkOptimizerOptions } from "./options";

export type AdamWOptions = Omit<AdamOptions, "decoupled_weight_decay">;

export class AdamW extends Adam {
  constructor(params: ParamsT, options: AdamWOptions = {}) {
    checkOptimizerOptions("AdamW", options); // no decoupled_weight_decay: always on
    super(params, { ...options, weight_decay: options.weight_decay ?? 1e-2, decoupled_weight_decay: true });
  }
}
