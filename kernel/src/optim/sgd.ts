/**
 * `torch.optim.SGD`: stochastic gradient descent with optional momentum and Nesterov momentum.
 *
 *   g_t ← ∇f(θ_{t−1}),  negated if maximize
 *   g_t ← g_t + λ θ_{t−1}                          (weight_decay λ ≠ 0)
 *   if μ ≠ 0:
 *     b_t ← g_t                                    (t = 1)
 *     b_t ← μ b_{t−1} + (1 − τ) g_t                (t > 1; dampening τ)
 *     g_t ← g_t + μ b_t   if nesterov, else  g_t ← b_t
 *   θ_t ← θ_{t−1} − γ g_t
 *
 * Where PyTorch deviates from Sutskever et al. (2013): the velocity is `b ← μb + g` and the step
 * `θ ← θ − γb`, so γ multiplies the buffer rather than each gradient (same for constant γ, differs
 * when a scheduler changes γ); the first buffer is the gradient itself, not dampened.
 *
 * State per parameter: `momentum_buffer` (only when momentum ≠ 0; PyTorch keeps no `step`).
 * Accepts and ignores `foreach`, `fused`, `differentiable` (see ImplementationFlags).
 */
import type { Tensor } from "../tensor/tensor";
import { Optimizer, pyStr, type Closure, type ParamsT } from "./optimizer";
import { check, checkLr, cloneAs, effectiveGrad, paramsWithGrad, rounder, type ImplementationFlags, evalClosure } from "./_functional";

export interface SGDOptions extends ImplementationFlags {
  lr?: number;
  momentum?: number;
  dampening?: number;
  weight_decay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

export class SGD extends Optimizer {
  constructor(params: ParamsT, options: SGDOptions = {}) {
    const { lr = 1e-3, momentum = 0, dampening = 0, weight_decay = 0, nesterov = false, maximize = false } = options;
    checkLr(lr);
    check(!(momentum < 0), `Invalid momentum value: ${pyStr(momentum)}`);
    check(!(weight_decay < 0), `Invalid weight_decay value: ${pyStr(weight_decay)}`);
    check(!(nesterov && (momentum <= 0 || dampening !== 0)), "Nesterov momentum requires a momentum and zero dampening");
    super(params, {
      lr, momentum, dampening, weight_decay, nesterov, maximize,
      foreach: options.foreach ?? null, differentiable: options.differentiable ?? false, fused: options.fused ?? null,
    });
  }

  step(closure?: Closure): number | Tensor | undefined {
    const loss = evalClosure(closure);
    for (const group of this.param_groups) {
      const { lr, momentum, dampening, weight_decay, nesterov, maximize } = group;
      for (const { p, grad, state } of paramsWithGrad(group, (t) => this.stateOf(t), "SGD")) {
        const r = rounder(p);
        const g = effectiveGrad(p, grad, maximize, weight_decay);
        const theta = p.data;
        const n = theta.length;
        const negLr = r(-lr);
        if (momentum === 0) {
          for (let i = 0; i < n; i++) theta[i] = theta[i] + negLr * g[i];
          continue;
        }
        const mom = r(momentum);
        let buf = state.momentum_buffer as Tensor | undefined | null;
        const first = buf === undefined || buf === null;
        if (first) {
          buf = cloneAs(p, g);
          state.momentum_buffer = buf;
        }
        const b = (buf as Tensor).data;
        const keep = r(1 - dampening);
        // One pass per element: the buffer update and the parameter update are fused (one read of
        // b, g and θ instead of two; bench/NOTES.md). `v` is the buffer's stored value (rounded
        // as the store into b rounds), so the result is bit-identical to two separate loops.
        if (nesterov) {
          // grad.add(buf, alpha=momentum) is materialised before the parameter update.
          for (let i = 0; i < n; i++) {
            const v = first ? b[i] : r(r(b[i] * mom) + keep * g[i]);
            b[i] = v;
            theta[i] = theta[i] + negLr * r(g[i] + mom * v);
          }
        } else if (first) {
          for (let i = 0; i < n; i++) theta[i] = theta[i] + negLr * b[i];
        } else {
          for (let i = 0; i < n; i++) {
            const v = r(r(b[i] * mom) + keep * g[i]);
            b[i] = v;
            theta[i] = theta[i] + negLr * v;
          }
        }
      }
    }
    return loss;
  }
}
