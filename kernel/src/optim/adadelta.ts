/**
 * `torch.optim.Adadelta` (Zeiler, 2012).
 *
 *   g_t ← ∇f(θ_{t−1}) (negated if maximize) + λ θ_{t−1}
 *   v_t ← ρ v_{t−1} + (1 − ρ) g_t²
 *   Δx_t ← (√(u_{t−1} + ε) / √(v_t + ε)) g_t
 *   u_t ← ρ u_{t−1} + (1 − ρ) Δx_t²
 *   θ_t ← θ_{t−1} − γ Δx_t
 *
 * Where PyTorch deviates from the paper: a learning rate γ (default 1.0) scales the step; the
 * paper has none. State: `step`, `square_avg`, `acc_delta`.
 * Accepts `foreach` (ignored), `capturable` and `differentiable` (PyTorch's CPU errors at step; ImplementationFlags).
 */
import type { Tensor } from "../tensor/tensor";
import { Optimizer, pyStr, type Closure, type ParamsT, setstateGroup, type ParamGroup, type StepOptions } from "./optimizer";
import { check, checkLr, effectiveGrad, emaSquareInPlace, paramsWithGrad, rounder, sqrt, zerosLike, type ImplementationFlags, evalClosure } from "./_functional";
import { checkOptimizerOptions, optimizerArgs } from "./options";
import type { Positional } from "./positional";
import type { AdadeltaGroup } from "./groups";

export interface AdadeltaOptions extends Omit<ImplementationFlags, "fused"> {
  /** Coefficient γ that scales the delta before it is applied to the parameters; default 1.0. */
  lr?: number | Tensor;
  /** Coefficient ρ for the running averages of the squared gradient and the squared delta; default 0.9. */
  rho?: number;
  /** Term ε added inside both square roots for numerical stability; default 1e-6. */
  eps?: number;
  /** Weight decay λ (L2 penalty), g ← g + λθ; default 0. */
  weight_decay?: number;
  /** Maximize the objective instead of minimizing it (the gradient's sign is flipped); default false. */
  maximize?: boolean;
}

export class Adadelta extends Optimizer {
  /** Each group holds every option, its default filled in (groups.ts). */
  declare param_groups: AdadeltaGroup[];
  constructor(params: ParamsT, options?: AdadeltaOptions);
  constructor(
    params: ParamsT,
    ...args: Positional<[lr: number | Tensor, rho: number, eps: number, weight_decay: number, foreach: boolean | null], AdadeltaOptions>
  );
  constructor(params: ParamsT, ...args: unknown[]) {
    const options = optimizerArgs("Adadelta", args) as AdadeltaOptions;
    checkOptimizerOptions("Adadelta", options);
    const { lr = 1.0, rho = 0.9, eps = 1e-6, weight_decay = 0, maximize = false } = options;
    checkLr(lr);
    check(0 <= rho && rho <= 1, `Invalid rho value: ${pyStr(rho)} (rho must be in [0, 1])`);
    check(0 <= eps, `Invalid epsilon value: ${pyStr(eps)} (eps must be >= 0)`);
    check(0 <= weight_decay, `Invalid weight_decay value: ${pyStr(weight_decay)} (weight_decay must be >= 0)`);
    super(params, {
      lr, rho, eps, weight_decay, maximize, capturable: options.capturable ?? false,
      foreach: options.foreach ?? null, differentiable: options.differentiable ?? false,
    });
  }

  /** A Tensor lr is used only as its value here, as in PyTorch: any dtype is exact (Optimizer._check_tensor_lr). */
  protected override _lr_tensor_any_dtype(): boolean {
    return true;
  }

  /** In-place ops PyTorch's step makes on each parameter (its version moves by as many): `param.add_(...)`. */
  protected override _param_writes(_group: ParamGroup): number {
    return 1;
  }

  /** PyTorch's float defaults with integral values, printed as Python does (see Optimizer._float_defaults). */
  protected override _float_defaults(): Record<string, number> {
    return { lr: 1.0 };
  }

  /** PyTorch's `Adadelta.__setstate__` on a loaded group (its `setdefault`s; see Optimizer._setstate_group). */
  protected override _setstate_group(group: ParamGroup, index: number): void {
    setstateGroup(this, group, index, { foreach: null, maximize: false, differentiable: false, capturable: false });
  }

  step(closure?: Closure | StepOptions): number | Tensor | undefined {
    const loss = evalClosure(closure, this);
    for (const group of this.param_groups) {
      const { lr, rho, eps, weight_decay, maximize } = group;
      for (const { p, grad, state } of paramsWithGrad(group, (t) => this.stateOf(t), "Adadelta")) {
        if (state.step === undefined) {
          state.step = 0;
          state.square_avg = zerosLike(p);
          state.acc_delta = zerosLike(p);
        }
        const r = rounder(p);
        state.step += 1;
        const g = effectiveGrad(p, grad, maximize, weight_decay);
        const sq = (state.square_avg as Tensor).data;
        const acc = (state.acc_delta as Tensor).data;
        emaSquareInPlace(sq, g, rho, r);
        const epsR = r(eps);
        const rhoR = r(rho);
        const keep = r(1 - rho);
        const negLr = r(-lr);
        const theta = p.data;
        for (let i = 0; i < theta.length; i++) {
          const std = r(sqrt(r(sq[i] + epsR)));
          const delta = r(r(r(sqrt(r(acc[i] + epsR))) / std) * g[i]);
          acc[i] = r(acc[i] * rhoR) + r(keep * delta) * delta;
          theta[i] = theta[i] + negLr * delta;
        }
      }
    }
    return loss;
  }
}
