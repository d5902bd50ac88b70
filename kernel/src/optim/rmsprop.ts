/**
 * `torch.optim.RMSprop` (Hinton, Coursera lecture 6e; centered form from Graves, 2013).
 *
 *   g_t ← ∇f(θ_{t−1}) (negated if maximize) + λ θ_{t−1}
 *   v_t ← α v_{t−1} + (1 − α) g_t²
 *   ṽ_t ← v_t − ḡ_t²,  ḡ_t ← α ḡ_{t−1} + (1 − α) g_t      (centered)
 *   ṽ_t ← v_t                                              (otherwise)
 *   if μ > 0:  b_t ← μ b_{t−1} + g_t / (√ṽ_t + ε);  θ_t ← θ_{t−1} − γ b_t
 *   else:      θ_t ← θ_{t−1} − γ g_t / (√ṽ_t + ε)
 *
 * Where PyTorch deviates from the lecture: ε is added outside the square root, and momentum
 * accumulates the preconditioned gradient (as Graves does), with γ applied after.
 * State: `step`, `square_avg`, `momentum_buffer` (momentum > 0), `grad_avg` (centered).
 * Accepts and ignores `foreach`, `capturable`, `differentiable`.
 */
import type { Tensor } from "../tensor/tensor";
import { Optimizer, pyStr, type Closure, type ParamsT } from "./optimizer";
import { check, checkLr, effectiveGrad, emaSquareInPlace, lerpInPlace, paramsWithGrad, rounder, sqrt, zerosLike, type ImplementationFlags, evalClosure } from "./_functional";

export interface RMSpropOptions extends ImplementationFlags {
  lr?: number;
  alpha?: number;
  eps?: number;
  weight_decay?: number;
  momentum?: number;
  centered?: boolean;
  maximize?: boolean;
}

export class RMSprop extends Optimizer {
  constructor(params: ParamsT, options: RMSpropOptions = {}) {
    const { lr = 1e-2, alpha = 0.99, eps = 1e-8, weight_decay = 0, momentum = 0, centered = false, maximize = false } = options;
    checkLr(lr);
    check(0 <= eps, `Invalid epsilon value: ${pyStr(eps)}`);
    check(0 <= momentum, `Invalid momentum value: ${pyStr(momentum)}`);
    check(0 <= weight_decay, `Invalid weight_decay value: ${pyStr(weight_decay)}`);
    check(0 <= alpha, `Invalid alpha value: ${pyStr(alpha)}`);
    super(params, {
      lr, momentum, alpha, eps, centered, weight_decay, capturable: options.capturable ?? false,
      foreach: options.foreach ?? null, maximize, differentiable: options.differentiable ?? false,
    });
  }

  step(closure?: Closure): number | Tensor | undefined {
    const loss = evalClosure(closure);
    for (const group of this.param_groups) {
      const { lr, alpha, eps, weight_decay, momentum, centered, maximize } = group;
      for (const { p, grad, state } of paramsWithGrad(group, (t) => this.stateOf(t), "RMSprop")) {
        if (state.step === undefined) {
          state.step = 0;
          state.square_avg = zerosLike(p);
          if (momentum > 0) state.momentum_buffer = zerosLike(p);
          if (centered) state.grad_avg = zerosLike(p);
        }
        const r = rounder(p);
        state.step += 1;
        const g = effectiveGrad(p, grad, maximize, weight_decay);
        const sq = (state.square_avg as Tensor).data;
        emaSquareInPlace(sq, g, alpha, r);
        const ga = centered ? (state.grad_avg as Tensor).data : null;
        if (ga) lerpInPlace(ga, g, 1 - alpha, r);
        const epsR = r(eps);
        const negLr = r(-lr);
        const theta = p.data;
        const n = theta.length;
        if (momentum > 0) {
          const buf = (state.momentum_buffer as Tensor).data;
          const mom = r(momentum);
          for (let i = 0; i < n; i++) {
            const avg = r((ga ? r(sqrt(r(sq[i] - ga[i] * ga[i]))) : r(sqrt(sq[i]))) + epsR);
            buf[i] = r(buf[i] * mom) + r(g[i] / avg);
            theta[i] = theta[i] + negLr * buf[i];
          }
        } else {
          for (let i = 0; i < n; i++) {
            const avg = r((ga ? r(sqrt(r(sq[i] - ga[i] * ga[i]))) : r(sqrt(sq[i]))) + epsR);
            theta[i] = theta[i] + r(r(negLr * g[i]) / avg);
          }
        }
      }
    }
    return loss;
  }
}
