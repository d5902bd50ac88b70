/**
 * `torch.optim.Adamax` (Kingma & Ba 2015, §7.1): Adam with the infinity norm.
 *
 *   g_t ← ∇f(θ_{t−1}) (negated if maximize) + λ θ_{t−1}
 *   m_t ← β1 m_{t−1} + (1 − β1) g_t
 *   u_t ← max(β2 u_{t−1}, |g_t| + ε)
 *   θ_t ← θ_{t−1} − (γ / (1 − β1^t)) · m_t / u_t
 *
 * Where PyTorch deviates from the paper: ε is added to |g_t| inside the max (the paper has no ε).
 * State: `step`, `exp_avg`, `exp_inf`. Accepts `foreach` (ignored),
 * `capturable` and `differentiable` (PyTorch's CPU errors at step; ImplementationFlags).
 */
import type { Tensor } from "../tensor/tensor";
import { Optimizer, type Closure, type ParamsT, setstateGroup, type ParamGroup, type StepOptions } from "./optimizer";
import { checkAdamFamily } from "./adam";
import { checkOptimizerOptions, optimizerArgs } from "./options";
import type { Positional } from "./positional";
import { checkLerpDtype, effectiveGrad, lerpInPlace, pair, paramsWithGrad, rounder, zerosLike, type ImplementationFlags, evalClosure } from "./_functional";
import type { AdamaxGroup } from "./groups";

export interface AdamaxOptions extends Omit<ImplementationFlags, "fused"> {
  /** Learning rate γ; default 2e-3. */
  lr?: number | Tensor;
  /** Coefficients (β₁, β₂) for the running average of the gradient and the infinity norm u_t; default [0.9, 0.999]. */
  betas?: [number, number];
  /** Term ε added to |g_t| inside the infinity norm, for numerical stability; default 1e-8. */
  eps?: number;
  /** Weight decay λ (L2 penalty), g ← g + λθ; default 0. */
  weight_decay?: number;
  /** Maximize the objective instead of minimizing it (the gradient's sign is flipped); default false. */
  maximize?: boolean;
}

export class Adamax extends Optimizer {
  /** Each group holds every option, its default filled in (groups.ts). */
  declare param_groups: AdamaxGroup[];
  constructor(params: ParamsT, options?: AdamaxOptions);
  constructor(
    params: ParamsT,
    ...args: Positional<[lr: number | Tensor, betas: [number, number], eps: number, weight_decay: number, foreach: boolean | null], AdamaxOptions>
  );
  constructor(params: ParamsT, ...args: unknown[]) {
    const options = optimizerArgs("Adamax", args) as AdamaxOptions;
    checkOptimizerOptions("Adamax", options);
    const { lr = 2e-3, eps = 1e-8, weight_decay = 0, maximize = false } = options;
    const betas = pair(options.betas ?? [0.9, 0.999], "betas");
    checkAdamFamily(lr, eps, betas, weight_decay);
    super(params, {
      lr, betas, eps, weight_decay, foreach: options.foreach ?? null, maximize,
      differentiable: options.differentiable ?? false, capturable: options.capturable ?? false,
    });
  }

  /** In-place ops PyTorch's step makes on each parameter (its version moves by as many): `param.addcdiv_(...)`. */
  protected override _param_writes(_group: ParamGroup): number {
    return 1;
  }

  /** PyTorch's `Adamax.__setstate__` on a loaded group (its `setdefault`s; see Optimizer._setstate_group). */
  protected override _setstate_group(group: ParamGroup, index: number): void {
    setstateGroup(this, group, index, { foreach: null, maximize: false, differentiable: false, capturable: false });
  }

  step(closure?: Closure | StepOptions): number | Tensor | undefined {
    const loss = evalClosure(closure, this);
    for (const group of this.param_groups) {
      const { lr, eps, weight_decay, maximize } = group;
      const [beta1, beta2] = group.betas as [number, number];
      for (const { p, grad, state } of paramsWithGrad(group, (t) => this.stateOf(t), "Adamax")) {
        if (state.step === undefined) {
          state.step = 0;
          state.exp_avg = zerosLike(p);
          state.exp_inf = zerosLike(p);
        }
        const r = rounder(p);
        const step = (state.step += 1);
        checkLerpDtype(state.exp_avg as Tensor, p.grad as Tensor, "Adamax");
        const g = effectiveGrad(p, grad, maximize, weight_decay);
        const m = (state.exp_avg as Tensor).data;
        const u = (state.exp_inf as Tensor).data;
        lerpInPlace(m, g, 1 - beta1, r);
        const b2 = r(beta2);
        const epsR = r(eps);
        for (let i = 0; i < u.length; i++) {
          const decayed = r(u[i] * b2);
          const fresh = r(Math.abs(g[i]) + epsR);
          u[i] = Number.isNaN(decayed) || Number.isNaN(fresh) ? NaN : Math.max(decayed, fresh);
        }
        const negClr = r(-(lr / (1 - beta1 ** step)));
        const theta = p.data;
        for (let i = 0; i < theta.length; i++) theta[i] = theta[i] + r(r(negClr * m[i]) / u[i]);
      }
    }
    return loss;
  }
}
