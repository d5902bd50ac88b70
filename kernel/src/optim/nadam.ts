/**
 * `torch.optim.NAdam` (Dozat, 2016): Adam with Nesterov momentum and a momentum schedule.
 *
 *   g_t ← ∇f(θ_{t−1}) (negated if maximize);  L2: g_t += λθ  or decoupled: θ ← θ(1 − γλ)
 *   μ_t ← β1 (1 − ½ · 0.96^{t ψ}),   μ_{t+1} ← β1 (1 − ½ · 0.96^{(t+1) ψ})   (momentum_decay ψ)
 *   m_t ← β1 m_{t−1} + (1 − β1) g_t,   v_t ← β2 v_{t−1} + (1 − β2) g_t²
 *   d_t ← √(v_t / (1 − β2^t)) + ε
 *   θ_t ← θ_{t−1} − γ (1 − μ_t)/(1 − Π_{i≤t} μ_i) · g_t/d_t − γ μ_{t+1}/(1 − Π_{i≤t+1} μ_i) · m_t/d_t
 *
 * Where PyTorch deviates from the paper: m_t itself is decayed with the constant β1 (the schedule
 * only enters the update), and ε is added after the bias correction. The running product
 * `mu_product` is a scalar tensor of PyTorch's default scalar dtype (float32, or float64 when the
 * default dtype is float64), so it is rounded to that at every step here too, whatever the
 * parameter's dtype; load_state_dict casts it to the parameter's dtype (as PyTorch casts every
 * floating state but `step`), and from then on it is rounded in that dtype.
 *
 * State: `step`, `mu_product`, `exp_avg`, `exp_avg_sq`. Accepts `foreach` (ignored),
 * `capturable` and `differentiable` (PyTorch's CPU errors at step; ImplementationFlags).
 */
import type { Tensor } from "../tensor/tensor";
import { Optimizer, pyStr, scalarStateRounder, type Closure, type ParamsT, setstateGroup, type ParamGroup, type StepOptions } from "./optimizer";
import { checkAdamFamily } from "./adam";
import { checkOptimizerOptions, optimizerArgs } from "./options";
import type { Positional } from "./positional";
import { checkLerpDtype,   check, decoupledDecay, effectiveGrad, emaSquareInPlace, lerpInPlace, pair, paramsWithGrad, rounder, scalarRounder, sqrt, zerosLike, evalClosure,
  type ImplementationFlags,
} from "./_functional";
import type { NAdamGroup } from "./groups";

export interface NAdamOptions extends Omit<ImplementationFlags, "fused"> {
  /** Learning rate γ; default 2e-3. */
  lr?: number | Tensor;
  /** Coefficients (β₁, β₂) for the running averages of the gradient and its square; default [0.9, 0.999]. */
  betas?: [number, number];
  /** Term ε added to the denominator for numerical stability; default 1e-8. */
  eps?: number;
  /** Weight decay λ: an L2 penalty g ← g + λθ, or θ ← θ(1 − γλ) with decoupled_weight_decay; default 0. */
  weight_decay?: number;
  /** Momentum decay ψ of the schedule μ_t = β₁(1 − ½·0.96^{tψ}); default 4e-3. */
  momentum_decay?: number;
  /** Decay the weights directly, θ ← θ(1 − γλ), as AdamW does, instead of the L2 penalty; default false. */
  decoupled_weight_decay?: boolean;
  /** Maximize the objective instead of minimizing it (the gradient's sign is flipped); default false. */
  maximize?: boolean;
}

export class NAdam extends Optimizer {
  /** Each group holds every option, its default filled in (groups.ts). */
  declare param_groups: NAdamGroup[];
  constructor(params: ParamsT, options?: NAdamOptions);
  constructor(
    params: ParamsT,
    ...args: Positional<[lr: number | Tensor, betas: [number, number], eps: number, weight_decay: number, momentum_decay: number, decoupled_weight_decay: boolean], NAdamOptions>
  );
  constructor(params: ParamsT, ...args: unknown[]) {
    const options = optimizerArgs("NAdam", args) as NAdamOptions;
    checkOptimizerOptions("NAdam", options);
    const { lr = 2e-3, eps = 1e-8, weight_decay = 0, momentum_decay = 4e-3, decoupled_weight_decay = false, maximize = false } = options;
    const betas = pair(options.betas ?? [0.9, 0.999], "betas");
    checkAdamFamily(lr, eps, betas, weight_decay);
    check(0 <= momentum_decay, `Invalid momentum_decay value: ${pyStr(momentum_decay)} (momentum_decay must be >= 0)`);
    super(params, {
      lr, betas, eps, weight_decay, momentum_decay, decoupled_weight_decay, maximize,
      foreach: options.foreach ?? null, capturable: options.capturable ?? false, differentiable: options.differentiable ?? false,
    });
  }

  /** `mu_product`: a 0-dim tensor in PyTorch, cast to the parameter's dtype on load. */
  protected override _scalar_state_keys(): readonly string[] {
    return ["mu_product"];
  }

  /** In-place ops PyTorch's step makes on each parameter (its version moves by as many): two `param.addcdiv_(...)`, after `param.mul_(...)` under decoupled weight decay. */
  protected override _param_writes(group: ParamGroup): number {
    return group.decoupled_weight_decay && group.weight_decay !== 0 ? 3 : 2;
  }

  /** PyTorch's `NAdam.__setstate__` on a loaded group (its `setdefault`s; see Optimizer._setstate_group). */
  protected override _setstate_group(group: ParamGroup, index: number): void {
    setstateGroup(this, group, index, { maximize: false, foreach: null, capturable: false, differentiable: false, decoupled_weight_decay: false });
  }

  step(closure?: Closure | StepOptions): number | Tensor | undefined {
    const loss = evalClosure(closure, this);
    for (const group of this.param_groups) {
      const { lr, eps, weight_decay, momentum_decay, decoupled_weight_decay, maximize } = group;
      const [beta1, beta2] = group.betas as [number, number];
      for (const { p, grad, state } of paramsWithGrad(group, (t) => this.stateOf(t), "NAdam")) {
        if (state.step === undefined) {
          state.step = 0;
          state.mu_product = 1;
          state.exp_avg = zerosLike(p);
          state.exp_avg_sq = zerosLike(p);
        }
        const r = rounder(p);
        const step = (state.step += 1);
        checkLerpDtype(state.exp_avg as Tensor, p.grad as Tensor, "NAdam");
        const bias_correction2 = 1 - beta2 ** step;
        let g: typeof grad;
        if (decoupled_weight_decay) {
          g = effectiveGrad(p, grad, maximize, 0);
          decoupledDecay(p, lr, weight_decay);
        } else {
          g = effectiveGrad(p, grad, maximize, weight_decay);
        }
        const mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentum_decay));
        const mu_next = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentum_decay));
        const sr = scalarStateRounder(state, p, scalarRounder());
        const mu_product = sr(state.mu_product * sr(mu));
        state.mu_product = mu_product;
        const m = (state.exp_avg as Tensor).data;
        const v = (state.exp_avg_sq as Tensor).data;
        lerpInPlace(m, g, 1 - beta1, r);
        emaSquareInPlace(v, g, beta2, r);
        const bc2 = r(bias_correction2);
        const epsR = r(eps);
        const cGrad = r((-lr * (1 - mu)) / (1 - mu_product));
        const cAvg = r((-lr * mu_next) / (1 - mu_product * mu_next));
        const theta = p.data;
        for (let i = 0; i < theta.length; i++) {
          const denom = r(r(sqrt(r(v[i] / bc2))) + epsR);
          const once = r(theta[i] + r(r(cGrad * g[i]) / denom));
          theta[i] = once + r(r(cAvg * m[i]) / denom);
        }
      }
    }
    return loss;
  }
}
