/**
 * `torch.optim.AdamW` (Loshchilov & Hutter, 2019): Adam with decoupled weight decay,
 *
 *   θ_{t−1} ← θ_{t−1}(1 − γλ),  then the Adam update (see adam.ts) on the undecayed gradient.
 *
 * PyTorch multiplies the decay by γ (the paper schedules it with η_t separately). Default
 * weight_decay is 1e-2. It is `Adam` with `decoupled_weight_decay` forced to true.
 */
import type { Tensor } from "../tensor/tensor";
import { Adam } from "./adam";
import type { ImplementationFlags } from "./_functional";
import type { ParamGroup, ParamsT } from "./optimizer";
import { checkOptimizerOptions, optimizerArgs } from "./options";
import type { Positional } from "./positional";

/** AdamOptions without `decoupled_weight_decay` (always on), and with AdamW's weight_decay default. */
export interface AdamWOptions extends ImplementationFlags {
  /** Learning rate γ; default 1e-3. */
  lr?: number | Tensor;
  /** Coefficients (β₁, β₂) for the running averages of the gradient and its square; default [0.9, 0.999]. */
  betas?: [number, number];
  /** Term ε added to the denominator for numerical stability; default 1e-8. */
  eps?: number;
  /** Weight decay λ, decoupled, θ ← θ(1 − γλ); default 1e-2. */
  weight_decay?: number;
  /** Use the AMSGrad variant, which divides by the running maximum of v_t; default false. */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it (the gradient's sign is flipped); default false. */
  maximize?: boolean;
}

export class AdamW extends Adam {
  constructor(params: ParamsT, options?: AdamWOptions);
  constructor(
    params: ParamsT,
    ...args: Positional<[lr: number | Tensor, betas: [number, number], eps: number, weight_decay: number, amsgrad: boolean], AdamWOptions>
  );
  constructor(params: ParamsT, ...args: unknown[]) {
    const options = optimizerArgs("AdamW", args) as AdamWOptions;
    checkOptimizerOptions("AdamW", options); // no decoupled_weight_decay: always on
    super(params, { ...options, weight_decay: options.weight_decay ?? 1e-2, decoupled_weight_decay: true });
  }

  /** PyTorch's `AdamW.__setstate__`: Adam's defaults, then `decoupled_weight_decay` forced to True (an Adam state_dict loaded into AdamW decays decoupled). */
  protected override _setstate_group(group: ParamGroup, index: number): void {
    super._setstate_group(group, index);
    group.decoupled_weight_decay = true;
  }
}
