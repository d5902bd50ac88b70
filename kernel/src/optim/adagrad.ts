/**
 * `torch.optim.Adagrad` (Duchi et al., 2011).
 *
 *   g_t ← ∇f(θ_{t−1}) (negated if maximize) + λ θ_{t−1}
 *   γ̃_t ← γ / (1 + (t − 1) η)                    (lr_decay η)
 *   s_t ← s_{t−1} + g_t²                          (s_0 = initial_accumulator_value)
 *   θ_t ← θ_{t−1} − γ̃_t g_t / (√s_t + ε)
 *
 * Where PyTorch deviates from the paper: ε is added outside the square root, and the optional
 * lr_decay is PyTorch's own. As in PyTorch, `sum` starts at the constructor's
 * initial_accumulator_value for every group (a group's own value is ignored). State: `step`, `sum`. Sparse gradients are not supported (lrlab has
 * no sparse tensors). Accepts and ignores `foreach`, `fused`, `differentiable`.
 */
import type { Tensor } from "../tensor/tensor";
import { Optimizer, pyStr, type Closure, type ParamsT } from "./optimizer";
import { check, checkLr, effectiveGrad, fullLike, paramsWithGrad, rounder, sqrt, type ImplementationFlags, evalClosure } from "./_functional";

export interface AdagradOptions extends ImplementationFlags {
  lr?: number;
  lr_decay?: number;
  weight_decay?: number;
  initial_accumulator_value?: number;
  eps?: number;
  maximize?: boolean;
}

export class Adagrad extends Optimizer {
  constructor(params: ParamsT, options: AdagradOptions = {}) {
    const { lr = 1e-2, lr_decay = 0, weight_decay = 0, initial_accumulator_value = 0, eps = 1e-10, maximize = false } = options;
    checkLr(lr);
    check(0 <= lr_decay, `Invalid lr_decay value: ${pyStr(lr_decay)}`);
    check(0 <= weight_decay, `Invalid weight_decay value: ${pyStr(weight_decay)}`);
    check(0 <= initial_accumulator_value, `Invalid initial_accumulator_value value: ${pyStr(initial_accumulator_value)}`);
    check(0 <= eps, `Invalid epsilon value: ${pyStr(eps)}`);
    super(params, {
      lr, lr_decay, eps, weight_decay, initial_accumulator_value, foreach: options.foreach ?? null, maximize,
      differentiable: options.differentiable ?? false, fused: options.fused ?? null,
    });
    // PyTorch creates the state eagerly in the constructor (so `sum` exists before the first step),
    // filled with the constructor's initial_accumulator_value: a group's own value is ignored.
    for (const group of this.param_groups) {
      for (const p of group.params) {
        const state = this.stateOf(p);
        state.step = 0;
        state.sum = fullLike(p, initial_accumulator_value);
      }
    }
  }

  step(closure?: Closure): number | Tensor | undefined {
    const loss = evalClosure(closure);
    for (const group of this.param_groups) {
      const { lr, lr_decay, weight_decay, eps, maximize } = group;
      for (const { p, grad, state } of paramsWithGrad(group, (t) => this.stateOf(t), "Adagrad")) {
        if (state.sum === undefined) {
          // A group added after construction: PyTorch would fail here (no `sum`); we start it from
          // the group's initial_accumulator_value instead.
          state.step = 0;
          state.sum = fullLike(p, group.initial_accumulator_value);
        }
        const r = rounder(p);
        const step = (state.step += 1);
        const g = effectiveGrad(p, grad, maximize, weight_decay);
        const negClr = r(-(lr / (1 + (step - 1) * lr_decay)));
        const epsR = r(eps);
        const sum = (state.sum as Tensor).data;
        const theta = p.data;
        for (let i = 0; i < theta.length; i++) {
          sum[i] = sum[i] + g[i] * g[i]; // addcmul_(g, g, value=1): one fused multiply-add
          theta[i] = theta[i] + r(r(negClr * g[i]) / r(r(sqrt(sum[i])) + epsR));
        }
      }
    }
    return loss;
  }
}
