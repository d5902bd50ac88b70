/**
 * `torch.optim.ASGD`: averaged SGD (Polyak & Juditsky, 1992), with the step-size schedule of
 * Bottou (2012, "Stochastic Gradient Descent Tricks").
 *
 *   g_t ← ∇f(θ_{t−1}) (negated if maximize) + λ_w θ_{t−1}        (weight_decay λ_w)
 *   θ_t ← θ_{t−1}(1 − λ η_{t−1}) − η_{t−1} g_t                    (lambd λ)
 *   ā_t ← ā_{t−1} + μ_{t−1}(θ_t − ā_{t−1})   if μ_{t−1} ≠ 1, else ā_t ← θ_t
 *   η_t ← γ / (1 + λ γ t)^α,    μ_t ← 1 / max(1, t − t0)
 *
 * `ax` (ā) is the averaged iterate; the parameters themselves follow plain decayed SGD. As in
 * PyTorch, `eta` and `mu` are scalars of the default scalar dtype (float32, or float64 when the default
 * dtype is float64) whatever the parameter's dtype, so they are rounded to it here too. load_state_dict
 * casts them to the parameter's dtype (as PyTorch casts every floating state but `step`); each new
 * value is still made in the default dtype (`torch.as_tensor`), then copied into that one (which
 * only changes anything for float32 parameters under a float64 default dtype).
 *
 * State: `step`, `eta`, `mu`, `ax`. Accepts `foreach` (ignored),
 * `capturable` and `differentiable` (PyTorch's CPU errors at step; ImplementationFlags).
 */
import type { Tensor } from "../tensor/tensor";
import { Optimizer, pyStr, scalarStateRounder, type Closure, type ParamsT, setstateGroup, type ParamGroup, type StepOptions } from "./optimizer";
import { check, checkLr, effectiveGrad, paramsWithGrad, rounder, scalarRounder, zerosLike, type ImplementationFlags, evalClosure } from "./_functional";
import { checkOptimizerOptions, optimizerArgs } from "./options";
import type { Positional } from "./positional";
import type { ASGDGroup } from "./groups";

export interface ASGDOptions extends Omit<ImplementationFlags, "fused"> {
  /** Learning rate γ; default 1e-2. */
  lr?: number | Tensor;
  /** Decay term λ, in θ ← θ(1 − λη) and η_t = γ / (1 + λγt)^α; default 1e-4. */
  lambd?: number;
  /** Power α of the step-size schedule η_t = γ / (1 + λγt)^α; default 0.75. */
  alpha?: number;
  /** Step t₀ at which averaging starts, μ_t = 1 / max(1, t − t₀); default 1e6. */
  t0?: number;
  /** Weight decay λ_w (L2 penalty), g ← g + λ_w θ; default 0. */
  weight_decay?: number;
  /** Maximize the objective instead of minimizing it (the gradient's sign is flipped); default false. */
  maximize?: boolean;
}

export class ASGD extends Optimizer {
  /** Each group holds every option, its default filled in (groups.ts). */
  declare param_groups: ASGDGroup[];
  constructor(params: ParamsT, options?: ASGDOptions);
  constructor(
    params: ParamsT,
    ...args: Positional<[lr: number | Tensor, lambd: number, alpha: number, t0: number, weight_decay: number, foreach: boolean | null, maximize: boolean, differentiable: boolean, capturable: boolean], ASGDOptions>
  );
  constructor(params: ParamsT, ...args: unknown[]) {
    const options = optimizerArgs("ASGD", args) as ASGDOptions;
    checkOptimizerOptions("ASGD", options);
    const { lr = 1e-2, lambd = 1e-4, alpha = 0.75, t0 = 1e6, weight_decay = 0, maximize = false } = options;
    checkLr(lr);
    check(0 <= weight_decay, `Invalid weight_decay value: ${pyStr(weight_decay)} (weight_decay must be >= 0)`);
    super(params, {
      lr, lambd, alpha, t0, weight_decay, foreach: options.foreach ?? null, maximize,
      differentiable: options.differentiable ?? false, capturable: options.capturable ?? false,
    });
  }

  /** `eta` and `mu`: 0-dim tensors in PyTorch, cast to the parameter's dtype on load. */
  protected override _scalar_state_keys(): readonly string[] {
    return ["eta", "mu"];
  }

  /** In-place ops PyTorch's step makes on each parameter (its version moves by as many): `param.mul_(1 - lambd * eta)` then `param.add_(grad, alpha=-eta)`. */
  protected override _param_writes(_group: ParamGroup): number {
    return 2;
  }

  /** PyTorch's float defaults with integral values, printed as Python does (see Optimizer._float_defaults). */
  protected override _float_defaults(): Record<string, number> {
    return { t0: 1e6 };
  }

  /** PyTorch's `ASGD.__setstate__` on a loaded group (its `setdefault`s; see Optimizer._setstate_group). */
  protected override _setstate_group(group: ParamGroup, index: number): void {
    setstateGroup(this, group, index, { foreach: null, maximize: false, differentiable: false, capturable: false });
  }

  step(closure?: Closure | StepOptions): number | Tensor | undefined {
    const loss = evalClosure(closure, this);
    for (const group of this.param_groups) {
      const { lr, lambd, alpha, t0, weight_decay, maximize } = group;
      for (const { p, grad, state } of paramsWithGrad(group, (t) => this.stateOf(t), "ASGD")) {
        if (state.step === undefined) {
          state.step = 0;
          state.eta = scalarRounder()(lr);
          state.mu = 1;
          state.ax = zerosLike(p);
        }
        const r = rounder(p);
        const step = (state.step += 1);
        const g = effectiveGrad(p, grad, maximize, weight_decay);
        const eta = state.eta as number;
        const mu = state.mu as number;
        const decay = r(1 - lambd * eta);
        const negEta = r(-eta);
        const theta = p.data;
        const ax = (state.ax as Tensor).data;
        for (let i = 0; i < theta.length; i++) {
          const decayed = r(theta[i] * decay);
          theta[i] = decayed + negEta * g[i];
        }
        if (mu !== 1) {
          const muR = r(mu);
          for (let i = 0; i < ax.length; i++) ax[i] = ax[i] + r(r(theta[i] - ax[i]) * muR);
        } else {
          ax.set(theta);
        }
        // PyTorch: eta.copy_(torch.as_tensor(value)): a tensor of the default dtype, copied into
        // eta's dtype (the default scalar dtype, or the parameter's once loaded); the same for mu.
        const asTensor = scalarRounder();
        const into = scalarStateRounder(state, p, asTensor);
        state.eta = into(asTensor(lr / (1 + lambd * lr * step) ** alpha));
        state.mu = into(asTensor(1 / Math.max(1, step - t0)));
      }
    }
    return loss;
  }
}
