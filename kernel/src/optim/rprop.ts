/**
 * `torch.optim.Rprop` (Riedmiller & Braun, 1993): resilient backpropagation, sign-based steps.
 *
 *   g_t ← ∇f(θ_{t−1}), negated if maximize
 *   s ← sign(g_t · g_{t−1}),  η_t,i ← η+ (s > 0), η− (s < 0), 1 (s = 0)
 *   Δ_t ← clamp(η_t Δ_{t−1}, Δmin, Δmax)                  (Δ_0 = γ, step_sizes = (Δmin, Δmax))
 *   g_t,i ← 0 where η_t,i = η−                              (the "Rprop−" backtracking-free variant)
 *   θ_t ← θ_{t−1} − sign(g_t) Δ_t,   g_{t−1} ← g_t
 *
 * Where PyTorch deviates from the paper: it implements Rprop without weight backtracking (iRprop−
 * of Igel & Hüsken, 2000): after a sign change the gradient is zeroed, so the next step skips
 * that element. γ only sets the initial step size.
 * State: `step`, `prev`, `step_size`. Accepts `foreach` (ignored),
 * `capturable` and `differentiable` (PyTorch's CPU errors at step; ImplementationFlags).
 */
import type { Tensor } from "../tensor/tensor";
import { Optimizer, pyStr, type Closure, type ParamsT, setstateGroup, type ParamGroup, type StepOptions } from "./optimizer";
import { check, checkLr, fullLike, pair, paramsWithGrad, rounder, zerosLike, type ImplementationFlags, evalClosure } from "./_functional";
import { checkOptimizerOptions, optimizerArgs } from "./options";
import type { Positional } from "./positional";
import type { RpropGroup } from "./groups";

export interface RpropOptions extends Omit<ImplementationFlags, "fused"> {
  /** Learning rate γ: the initial step size Δ₀ of every element; default 1e-2. */
  lr?: number | Tensor;
  /** Pair (η⁻, η⁺) of multiplicative decrease and increase factors of the step size; default [0.5, 1.2]. */
  etas?: [number, number];
  /** Pair (Δmin, Δmax) of the minimal and maximal allowed step sizes; default [1e-6, 50]. */
  step_sizes?: [number, number];
  /** Maximize the objective instead of minimizing it (the gradient's sign is flipped); default false. */
  maximize?: boolean;
}

export class Rprop extends Optimizer {
  /** Each group holds every option, its default filled in (groups.ts). */
  declare param_groups: RpropGroup[];
  constructor(params: ParamsT, options?: RpropOptions);
  constructor(params: ParamsT, ...args: Positional<[lr: number | Tensor, etas: [number, number], step_sizes: [number, number]], RpropOptions>);
  constructor(params: ParamsT, ...args: unknown[]) {
    const options = optimizerArgs("Rprop", args) as RpropOptions;
    checkOptimizerOptions("Rprop", options);
    const { lr = 1e-2, maximize = false } = options;
    const etas = pair(options.etas ?? [0.5, 1.2], "etas");
    const step_sizes = pair(options.step_sizes ?? [1e-6, 50], "step_sizes");
    checkLr(lr);
    check(
      0 < etas[0] && etas[0] < 1 && 1 < etas[1],
      `Invalid eta values: ${pyStr(etas[0])}, ${pyStr(etas[1])} (etas must be [etaminus, etaplus] with 0 < etaminus < 1 < etaplus)`,
    );
    super(params, {
      lr, etas, step_sizes, foreach: options.foreach ?? null, maximize,
      differentiable: options.differentiable ?? false, capturable: options.capturable ?? false,
    });
  }

  /** A Tensor lr is used only as its value here, as in PyTorch: any dtype is exact (Optimizer._check_tensor_lr). */
  protected override _lr_tensor_any_dtype(): boolean {
    return true;
  }

  /** In-place ops PyTorch's step makes on each parameter (its version moves by as many): `param.addcmul_(...)`. */
  protected override _param_writes(_group: ParamGroup): number {
    return 1;
  }

  /** PyTorch's `Rprop.__setstate__` on a loaded group (its `setdefault`s; see Optimizer._setstate_group). */
  protected override _setstate_group(group: ParamGroup, index: number): void {
    setstateGroup(this, group, index, { foreach: null, maximize: false, differentiable: false, capturable: false });
  }

  step(closure?: Closure | StepOptions): number | Tensor | undefined {
    const loss = evalClosure(closure, this);
    for (const group of this.param_groups) {
      const { maximize } = group;
      const [etaminus, etaplus] = group.etas as [number, number];
      const [step_size_min, step_size_max] = group.step_sizes as [number, number];
      for (const { p, grad, state } of paramsWithGrad(group, (t) => this.stateOf(t), "Rprop")) {
        if (state.step === undefined) {
          state.step = 0;
          state.prev = zerosLike(p);
          state.step_size = fullLike(p, group.lr);
        }
        const r = rounder(p);
        state.step += 1;
        const prev = (state.prev as Tensor).data;
        const size = (state.step_size as Tensor).data;
        const theta = p.data;
        const minus = r(etaminus);
        const plus = r(etaplus);
        const lo = r(step_size_min);
        const hi = r(step_size_max);
        for (let i = 0; i < theta.length; i++) {
          const g = maximize ? -grad[i] : grad[i];
          // The product is a float32 tensor in PyTorch: its sign is taken after rounding.
          const prod = r(g * prev[i]);
          const factor = prod > 0 ? plus : prod < 0 ? minus : prod === 0 ? 1 : prod;
          const scaled = r(size[i] * factor);
          size[i] = Number.isNaN(scaled) ? scaled : Math.min(Math.max(scaled, lo), hi);
          const gKept = factor === minus ? 0 : g;
          theta[i] = theta[i] - Math.sign(gKept) * size[i];
          prev[i] = gKept;
        }
      }
    }
    return loss;
  }
}
