/**
 * `torch.optim.RAdam` (Liu et al., 2020): Adam with a rectified adaptive learning rate.
 *
 *   g_t ← ∇f(θ_{t−1}) (negated if maximize);  L2: g_t += λθ  or decoupled: θ ← θ(1 − γλ)
 *   m_t ← β1 m_{t−1} + (1 − β1) g_t,   v_t ← β2 v_{t−1} + (1 − β2) g_t²,   m̂_t ← m_t / (1 − β1^t)
 *   ρ_∞ ← 2/(1 − β2) − 1,   ρ_t ← ρ_∞ − 2t β2^t / (1 − β2^t)
 *   if ρ_t > 5:  l_t ← √(1 − β2^t) / (√v_t + ε),  r_t ← √((ρ_t−4)(ρ_t−2)ρ_∞ / ((ρ_∞−4)(ρ_∞−2)ρ_t))
 *                θ_t ← θ_{t−1} − γ m̂_t l_t r_t
 *   else:        θ_t ← θ_{t−1} − γ m̂_t
 *
 * Where PyTorch deviates from the paper: ε is added to √v_t (the paper has none), and the
 * threshold is ρ_t > 5 (the paper's 4 plus the authors' implementation's margin).
 * State: `step`, `exp_avg`, `exp_avg_sq`. Accepts `foreach` (ignored),
 * `capturable` and `differentiable` (PyTorch's CPU errors at step; ImplementationFlags).
 */
import type { Tensor } from "../tensor/tensor";
import { Optimizer, type Closure, type ParamsT, setstateGroup, type ParamGroup, type StepOptions } from "./optimizer";
import { checkAdamFamily } from "./adam";
import { checkOptimizerOptions, optimizerArgs } from "./options";
import type { Positional } from "./positional";
import { checkLerpDtype,   decoupledDecay, effectiveGrad, emaSquareInPlace, lerpInPlace, pair, paramsWithGrad, rounder, sqrt, zerosLike, evalClosure,
  type ImplementationFlags,
} from "./_functional";
import type { RAdamGroup } from "./groups";

export interface RAdamOptions extends Omit<ImplementationFlags, "fused"> {
  /** Learning rate γ; default 1e-3. */
  lr?: number | Tensor;
  /** Coefficients (β₁, β₂) for the running averages of the gradient and its square; default [0.9, 0.999]. */
  betas?: [number, number];
  /** Term ε added to the denominator for numerical stability; default 1e-8. */
  eps?: number;
  /** Weight decay λ: an L2 penalty g ← g + λθ, or θ ← θ(1 − γλ) with decoupled_weight_decay; default 0. */
  weight_decay?: number;
  /** Decay the weights directly, θ ← θ(1 − γλ), as AdamW does, instead of the L2 penalty; default false. */
  decoupled_weight_decay?: boolean;
  /** Maximize the objective instead of minimizing it (the gradient's sign is flipped); default false. */
  maximize?: boolean;
}

export class RAdam extends Optimizer {
  /** Each group holds every option, its default filled in (groups.ts). */
  declare param_groups: RAdamGroup[];
  constructor(params: ParamsT, options?: RAdamOptions);
  constructor(
    params: ParamsT,
    ...args: Positional<[lr: number | Tensor, betas: [number, number], eps: number, weight_decay: number, decoupled_weight_decay: boolean], RAdamOptions>
  );
  constructor(params: ParamsT, ...args: unknown[]) {
    const options = optimizerArgs("RAdam", args) as RAdamOptions;
    checkOptimizerOptions("RAdam", options);
    const { lr = 1e-3, eps = 1e-8, weight_decay = 0, decoupled_weight_decay = false, maximize = false } = options;
    const betas = pair(options.betas ?? [0.9, 0.999], "betas");
    checkAdamFamily(lr, eps, betas, weight_decay);
    super(params, {
      lr, betas, eps, weight_decay, maximize, foreach: options.foreach ?? null, capturable: options.capturable ?? false,
      decoupled_weight_decay, differentiable: options.differentiable ?? false,
    });
  }

  /** In-place ops PyTorch's step makes on each parameter (its version moves by as many): `param.add_(...)`, after `param.mul_(...)` under decoupled weight decay. */
  protected override _param_writes(group: ParamGroup): number {
    return group.decoupled_weight_decay && group.weight_decay !== 0 ? 2 : 1;
  }

  /** PyTorch's `RAdam.__setstate__` on a loaded group (its `setdefault`s; see Optimizer._setstate_group). */
  protected override _setstate_group(group: ParamGroup, index: number): void {
    setstateGroup(this, group, index, { foreach: null, maximize: false, differentiable: false, decoupled_weight_decay: false, capturable: false });
  }

  step(closure?: Closure | StepOptions): number | Tensor | undefined {
    const loss = evalClosure(closure, this);
    for (const group of this.param_groups) {
      const { lr, eps, weight_decay, decoupled_weight_decay, maximize } = group;
      const [beta1, beta2] = group.betas as [number, number];
      for (const { p, grad, state } of paramsWithGrad(group, (t) => this.stateOf(t), "RAdam")) {
        if (state.step === undefined) {
          state.step = 0;
          state.exp_avg = zerosLike(p);
          state.exp_avg_sq = zerosLike(p);
        }
        const r = rounder(p);
        const step = (state.step += 1);
        checkLerpDtype(state.exp_avg as Tensor, p.grad as Tensor, "RAdam");
        let g: typeof grad;
        if (decoupled_weight_decay) {
          g = effectiveGrad(p, grad, maximize, 0);
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
        const bc1 = r(bias_correction1);
        const lrR = r(lr);
        const rho_inf = 2 / (1 - beta2) - 1;
        const rho_t = rho_inf - (2 * step * beta2 ** step) / bias_correction2;
        const theta = p.data;
        if (rho_t > 5.0) {
          const rect = r(sqrt(((rho_t - 4) * (rho_t - 2) * rho_inf) / ((rho_inf - 4) * (rho_inf - 2) * rho_t)));
          const bc2Sqrt = r(sqrt(bias_correction2));
          const epsR = r(eps);
          for (let i = 0; i < theta.length; i++) {
            // Python's `float / tensor` is `tensor.reciprocal() * float` (Tensor.__rdiv__).
            const adaptive = r(r(1 / r(r(sqrt(v[i])) + epsR)) * bc2Sqrt);
            theta[i] = theta[i] - r(r(r(r(m[i] / bc1) * lrR) * adaptive) * rect);
          }
        } else {
          for (let i = 0; i < theta.length; i++) theta[i] = theta[i] - r(r(m[i] / bc1) * lrR);
        }
      }
    }
    return loss;
  }
}
