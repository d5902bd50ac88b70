/**
 * `torch.optim.Adam` (Kingma & Ba, 2015), with PyTorch's options.
 *
 *   g_t ← ∇f(θ_{t−1}),  negated if maximize
 *   θ_{t−1} ← θ_{t−1}(1 − γλ)                    (decoupled_weight_decay: AdamW)
 *   g_t ← g_t + λ θ_{t−1}                        (otherwise, weight_decay λ ≠ 0: L2)
 *   m_t ← β1 m_{t−1} + (1 − β1) g_t              (computed as lerp(m, g, 1 − β1))
 *   v_t ← β2 v_{t−1} + (1 − β2) g_t²
 *   v̂max_t ← max(v̂max_{t−1}, v_t)               (amsgrad; v_t below is then v̂max_t)
 *   θ_t ← θ_{t−1} − (γ / (1 − β1^t)) · m_t / (√v_t / √(1 − β2^t) + ε)
 *
 * Where PyTorch deviates from the paper: ε is added after the bias correction of v (the paper's
 * "ε-hat" form), and amsgrad keeps the max of the raw v_t (Reddi et al. 2018 as PyTorch reads it).
 *
 * State: `step`, `exp_avg`, `exp_avg_sq`, and `max_exp_avg_sq` under amsgrad.
 * Accepts and ignores `foreach`, `fused`, `capturable`, `differentiable`.
 */
import type { Tensor } from "../tensor/tensor";
import { Optimizer, pyStr, type Closure, type ParamsT } from "./optimizer";
import {
  check, checkLr, decoupledDecay, effectiveGrad, emaSquareInPlace, lerpInPlace, pair, paramsWithGrad, rounder, sqrt,
  zerosLike, evalClosure, type ImplementationFlags,
} from "./_functional";

export interface AdamOptions extends ImplementationFlags {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weight_decay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
  decoupled_weight_decay?: boolean;
}

/** Validation shared by the Adam family (Adam, AdamW, Adamax, NAdam, RAdam): PyTorch's messages. */
export function checkAdamFamily(lr: number, eps: number, betas: [number, number], weight_decay: number): void {
  checkLr(lr);
  check(0 <= eps, `Invalid epsilon value: ${pyStr(eps)}`);
  check(0 <= betas[0] && betas[0] < 1, `Invalid beta parameter at index 0: ${pyStr(betas[0])}`);
  check(0 <= betas[1] && betas[1] < 1, `Invalid beta parameter at index 1: ${pyStr(betas[1])}`);
  check(0 <= weight_decay, `Invalid weight_decay value: ${pyStr(weight_decay)}`);
}

export class Adam extends Optimizer {
  constructor(params: ParamsT, options: AdamOptions = {}) {
    const { lr = 1e-3, eps = 1e-8, weight_decay = 0, amsgrad = false, maximize = false, decoupled_weight_decay = false } = options;
    const betas = pair(options.betas ?? [0.9, 0.999], "betas");
    checkAdamFamily(lr, eps, betas, weight_decay);
    if (options.fused && options.differentiable) throw new Error("`fused` does not support `differentiable`");
    if (options.fused && options.foreach) throw new Error("`fused` and `foreach` cannot be `True` together.");
    super(params, {
      lr, betas, eps, weight_decay, amsgrad, maximize,
      foreach: options.foreach ?? null, capturable: options.capturable ?? false,
      differentiable: options.differentiable ?? false, fused: options.fused ?? null, decoupled_weight_decay,
    });
  }

  step(closure?: Closure): number | Tensor | undefined {
    const loss = evalClosure(closure);
    for (const group of this.param_groups) {
      const { lr, eps, weight_decay, amsgrad, maximize, decoupled_weight_decay } = group;
      const [beta1, beta2] = group.betas as [number, number];
      for (const { p, grad, state } of paramsWithGrad(group, (t) => this.stateOf(t), this.constructor.name)) {
        if (state.step === undefined) {
          state.step = 0;
          state.exp_avg = zerosLike(p);
          state.exp_avg_sq = zerosLike(p);
          if (amsgrad) state.max_exp_avg_sq = zerosLike(p);
        }
        const r = rounder(p);
        const step = (state.step += 1);
        let g = grad;
        if (decoupled_weight_decay) {
          if (maximize) g = effectiveGrad(p, grad, true, 0);
          decoupledDecay(p, lr, weight_decay);
        } else {
          g = effectiveGrad(p, grad, maximize, weight_decay);
        }
        const m = (state.exp_avg as Tensor).data;
        const v = (state.exp_avg_sq as Tensor).data;
        lerpInPlace(m, g, 1 - beta1, r);
        emaSquareInPlace(v, g, beta2, r);
        const bias_correction1 = 1 - beta1 ** step;
        const bias_correction2 = 1 - beta2 ** step;
        const negStepSize = r(-(lr / bias_correction1));
        const bc2Sqrt = r(sqrt(bias_correction2));
        const epsR = r(eps);
        const theta = p.data;
        let vHat = v;
        if (amsgrad) {
          vHat = (state.max_exp_avg_sq as Tensor).data;
          for (let i = 0; i < v.length; i++) if (v[i] > vHat[i] || Number.isNaN(v[i])) vHat[i] = v[i];
        }
        for (let i = 0; i < theta.length; i++) {
          const denom = r(r(r(sqrt(vHat[i])) / bc2Sqrt) + epsR);
          theta[i] = theta[i] + r(r(negStepSize * m[i]) / denom);
        }
      }
    }
    return loss;
  }
}
