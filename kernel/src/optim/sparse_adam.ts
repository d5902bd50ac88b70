/**
 * `torch.optim.SparseAdam`: Adam for sparse gradients (`nn.Embedding(..., { sparse: true })`),
 * with PyTorch's "lazy" moments: only the entries present in the gradient move.
 *
 * For each parameter with a (sparse) gradient, its own step count t ← t + 1 (per parameter, even
 * when the gradient has no entry), then over the rows R present in the coalesced gradient
 * (repeated indices summed first: the update is not linear, PyTorch's `grad.coalesce()`):
 *
 *   g ← ∇f(θ_{t−1}) on R,  negated if maximize
 *   m_R ← m_R + (1 − β1)(g − m_R)                 (= β1 m_R + (1 − β1) g)
 *   v_R ← v_R + (1 − β2)(g² − v_R)                (= β2 v_R + (1 − β2) g²)
 *   θ_R ← θ_R − (γ √(1 − β2^t) / (1 − β1^t)) · m_R / (√v_R + ε)
 *
 * and every entry outside R (m, v and θ) stays as it is: the moments are not decayed on rows the
 * batch did not touch, which is where SparseAdam differs from Adam given the dense equivalent of
 * the same gradient. Where it differs from PyTorch's Adam on R: ε is added to √v itself, before
 * the bias correction (folded into the step size), as in Kingma & Ba's Algorithm 1 "efficient"
 * form; and t counts this parameter's steps, so bias correction is per parameter, not per row.
 * A gradient with no entry skips the update (its step is still counted).
 *
 * Errors, PyTorch's: a dense gradient ("SparseAdam does not support dense gradients, please
 * consider Adam instead"), a sparse parameter, lr ≤ 0, eps ≤ 0, betas outside [0, 1). SparseAdam
 * has no weight decay and none of the implementation flags (foreach, fused, ...).
 *
 * Float32: the op order of PyTorch's `_functional.sparse_adam` on the coalesced values, each
 * intermediate rounded (`fr`, see _functional.ts):
 *   u = fr(fr(g − m)·(1 − β1));  m ← fr(m + u)
 *   w = fr(fr(fr(g·g) − v)·(1 − β2));  v ← fr(v + w)
 *   θ ← fr(θ + fr(fr(fr(u + m_old) / fr(fr(√fr(w + v_old)) + ε)) · (−step_size)))
 *
 * State per parameter: `step` (a number), `exp_avg`, `exp_avg_sq` (dense, shaped like it).
 */
import { Tensor } from "../tensor/tensor";
import { SparseTensor } from "../tensor/sparse";
import { Optimizer, pyStr, type Closure, type ParamsT, setstateGroup, type ParamGroup, type StepOptions } from "./optimizer";
import { check, checkLr, evalClosure, pair, zerosLike } from "./_functional";
import { checkOptimizerOptions, optimizerArgs } from "./options";
import type { Positional } from "./positional";
import type { SparseAdamGroup } from "./groups";

export interface SparseAdamOptions {
  /** Learning rate γ (> 0); default 1e-3. */
  lr?: number | Tensor;
  /** Coefficients (β₁, β₂) for the running averages of the gradient and its square; default [0.9, 0.999]. */
  betas?: [number, number];
  /** Term ε (> 0) added to √v for numerical stability; default 1e-8. */
  eps?: number;
  /** Maximize the objective instead of minimizing it (the gradient's sign is flipped); default false. */
  maximize?: boolean;
}

export class SparseAdam extends Optimizer {
  /** Each group holds every option, its default filled in (groups.ts). */
  declare param_groups: SparseAdamGroup[];
  constructor(params: ParamsT, options?: SparseAdamOptions);
  constructor(params: ParamsT, ...args: Positional<[lr: number | Tensor, betas: [number, number], eps: number, maximize: boolean], SparseAdamOptions>);
  constructor(params: ParamsT, ...args: unknown[]) {
    const options = optimizerArgs("SparseAdam", args) as SparseAdamOptions;
    checkOptimizerOptions("SparseAdam", options);
    const { lr = 1e-3, eps = 1e-8, maximize = false } = options;
    const betas = pair(options.betas ?? [0.9, 0.999], "betas");
    const lrValue = checkLr(lr, (v) => `Invalid learning rate: ${pyStr(v)} (lr must be > 0)`);
    check(0 < lrValue, `Invalid learning rate: ${pyStr(lrValue)} (lr must be > 0)`);
    check(0 < eps, `Invalid epsilon value: ${pyStr(eps)} (eps must be > 0)`);
    check(0 <= betas[0] && betas[0] < 1, `Invalid beta parameter at index 0: ${pyStr(betas[0])} (betas must be in [0, 1))`);
    check(0 <= betas[1] && betas[1] < 1, `Invalid beta parameter at index 1: ${pyStr(betas[1])} (betas must be in [0, 1))`);
    super(params, { lr, betas, eps, maximize });
    const sparse: string[] = [];
    this.param_groups.forEach((group, gi) => group.params.forEach((p, i) => {
      if (p.is_sparse) sparse.push(`[${gi}, ${i}]`);
    }));
    if (sparse.length > 0) throw new Error(`Sparse params at indices [${sparse.join(", ")}]: SparseAdam requires dense parameter tensors`);
  }

  /** In-place ops PyTorch's step makes on each parameter (its version moves by as many): `param.add_(...)` of the sparse update. */
  protected override _param_writes(_group: ParamGroup): number {
    return 1;
  }

  /** PyTorch's `SparseAdam.__setstate__` on a loaded group (no defaults of its own; see Optimizer._setstate_group). */
  protected override _setstate_group(group: ParamGroup, index: number): void {
    setstateGroup(this, group, index, {});
  }

  step(closure?: Closure | StepOptions): number | Tensor | undefined {
    const loss = evalClosure(closure, this);
    for (const group of this.param_groups) {
      const [beta1, beta2] = group.betas as [number, number];
      const { lr, eps } = group;
      const maximize = group.maximize === true;
      // As PyTorch: every parameter's state is made and its step counted, then (a dense gradient
      // raising on the way, before any update) the updates.
      const work: { p: Tensor; grad: SparseTensor; step: number; m: Tensor; v: Tensor }[] = [];
      for (const p of group.params) {
        const grad = p.grad;
        if (grad === null) continue;
        if (!grad.is_sparse) throw new Error("SparseAdam does not support dense gradients, please consider Adam instead");
        const state = this.stateOf(p);
        if (Object.keys(state).length === 0) {
          state.step = 0;
          state.exp_avg = zerosLike(p);
          state.exp_avg_sq = zerosLike(p);
        }
        state.step += 1;
        work.push({ p, grad: grad as SparseTensor, step: state.step, m: state.exp_avg as Tensor, v: state.exp_avg_sq as Tensor });
      }
      for (const { p, grad, step, m, v } of work) {
        sparseAdamUpdate(p, maximize ? grad.neg() : grad, m, v, step, lr, beta1, beta2, eps);
      }
    }
    return loss;
  }
}

/** One parameter's update on the rows of its coalesced gradient (see the file comment). */
function sparseAdamUpdate(
  p: Tensor, grad: SparseTensor, mT: Tensor, vT: Tensor, step: number, lr: number, beta1: number, beta2: number, eps: number,
): void {
  const g = grad.coalesce();
  const nnz = g._nnz();
  const vals = g._values().data;
  if (vals.length === 0) return; // PyTorch: "Skip update for empty grad"
  const theta = p.data, m = mT.data, v = vT.data;
  const f32 = theta instanceof Float32Array;
  const r = f32 ? Math.fround : (x: number) => x;
  const B = vals.length / nnz;
  const starts = g._entry_offsets();
  const c1 = r(1 - beta1), c2 = r(1 - beta2), e = r(eps);
  const negStep = r(-((lr * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step)));
  for (let k = 0; k < nnz; k++) {
    for (let j = 0; j < B; j++) {
      const at = starts[k] + j;
      const gi = vals[k * B + j];
      const mOld = m[at], vOld = v[at];
      const u = r(r(gi - mOld) * c1);
      m[at] = mOld + u;
      const w = r(r(r(gi * gi) - vOld) * c2);
      v[at] = vOld + w;
      const q = r(r(u + mOld) / r(r(Math.sqrt(r(w + vOld))) + e));
      theta[at] = theta[at] + r(q * negStep);
    }
  }
}
