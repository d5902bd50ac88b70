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
 * Sparse gradients (`nn.Embedding(..., { sparse: true })`), as PyTorch's single-tensor SGD: the
 * same ops on the sparse tensor (tensor/sparse.ts): the step adds −γ·(each entry) to its row, so
 * rows absent from the gradient do not move; with momentum the buffer is the first gradient
 * itself (sparse), then b ← μb + (1 − τ)g merges the new entries in (rows ever touched keep
 * decaying); weight decay with a sparse gradient is an error naming the option and the way out,
 * then PyTorch's words ("add(sparse, dense) is not supported. Use add(dense, sparse) instead."),
 * and `fused: true` is PyTorch's error.
 *
 * State per parameter: `momentum_buffer` (only when momentum ≠ 0; PyTorch keeps no `step`).
 * Accepts `foreach` and `fused` (ignored), `differentiable` (PyTorch's errors at step; see ImplementationFlags).
 */
import type { Tensor } from "../tensor/tensor";
import { Optimizer, pyStr, type Closure, type ParamsT, setstateGroup, type ParamGroup, type StepOptions } from "./optimizer";
import { check, checkFusedFlags, checkLr, cloneAs, effectiveGrad, hasSparseGrad, paramsWithGrad, type ImplementationFlags, evalClosure, sparseWeightDecayMessage } from "./_functional";
import { add_sparse_into, type SparseTensor } from "../tensor/sparse";
import { no_grad } from "../tensor/grad_mode";
import { sgd_wasm, WASM_MIN_ELEMENTS } from "./wasm/update";
import { sgd_native } from "./native_update";
import { checkOptimizerOptions, optimizerArgs } from "./options";
import type { Positional } from "./positional";
import type { SGDGroup } from "./groups";

export interface SGDOptions extends Omit<ImplementationFlags, "capturable"> {
  /** Learning rate γ; default 1e-3. */
  lr?: number | Tensor;
  /** Momentum factor μ (0: no momentum buffer); default 0. */
  momentum?: number;
  /** Dampening τ of the momentum, b ← μb + (1 − τ)g; default 0. */
  dampening?: number;
  /** Weight decay λ (L2 penalty), g ← g + λθ; default 0. */
  weight_decay?: number;
  /** Use Nesterov momentum, g ← g + μb (needs μ > 0 and τ = 0); default false. */
  nesterov?: boolean;
  /** Maximize the objective instead of minimizing it (the gradient's sign is flipped); default false. */
  maximize?: boolean;
}

/** The update's scalars, already in the tensor's dtype (rounded to float32 for float32 storage). */
interface SGDScalars {
  negLr: number; // −γ
  wd: number; // λ
  mom: number; // μ
  keep: number; // 1 − τ
  nesterov: boolean;
}

export class SGD extends Optimizer {
  /** Each group holds every option, its default filled in (groups.ts). */
  declare param_groups: SGDGroup[];
  constructor(params: ParamsT, options?: SGDOptions);
  constructor(
    params: ParamsT,
    ...args: Positional<[lr: number | Tensor, momentum: number, dampening: number, weight_decay: number, nesterov: boolean], SGDOptions>
  );
  constructor(params: ParamsT, ...args: unknown[]) {
    const options = optimizerArgs("SGD", args) as SGDOptions;
    checkOptimizerOptions("SGD", options);
    const { lr = 1e-3, momentum = 0, dampening = 0, weight_decay = 0, nesterov = false, maximize = false } = options;
    checkLr(lr);
    check(!(momentum < 0), `Invalid momentum value: ${pyStr(momentum)} (momentum must be >= 0)`);
    check(!(weight_decay < 0), `Invalid weight_decay value: ${pyStr(weight_decay)} (weight_decay must be >= 0)`);
    check(
      !(nesterov && (momentum <= 0 || dampening !== 0)),
      "Nesterov momentum requires a momentum and zero dampening " +
        `(nesterov=True needs momentum > 0 and dampening = 0; got momentum=${pyStr(momentum)}, dampening=${pyStr(dampening)})`,
    );
    super(params, {
      lr, momentum, dampening, weight_decay, nesterov, maximize,
      foreach: options.foreach ?? null, differentiable: options.differentiable ?? false, fused: options.fused ?? null,
    });
    checkFusedFlags(options);
  }

  /** A Tensor lr is used only as its value here, as in PyTorch: any dtype is exact (Optimizer._check_tensor_lr). */
  protected override _lr_tensor_any_dtype(): boolean {
    return true;
  }

  /** In-place ops PyTorch's step makes on each parameter (its version moves by as many): `param.add_(...)`. */
  protected override _param_writes(_group: ParamGroup): number {
    return 1;
  }

  /** PyTorch's `SGD.__setstate__` on a loaded group (its `setdefault`s; see Optimizer._setstate_group). */
  protected override _setstate_group(group: ParamGroup, index: number): void {
    setstateGroup(this, group, index, { nesterov: false, maximize: false, foreach: null, differentiable: false, fused: false });
  }

  step(closure?: Closure | StepOptions): number | Tensor | undefined {
    const loss = evalClosure(closure, this);
    for (const group of this.param_groups) {
      const { lr, momentum, dampening, weight_decay, nesterov, maximize } = group;
      // Without momentum SGD keeps no per-parameter state, as in PyTorch (state_dict().state is {}).
      const stateOf = momentum !== 0 ? (t: Tensor) => this.stateOf(t) : () => ({});
      if (hasSparseGrad(group)) {
        if (group.fused === true) throw new Error("`_fused_sgd` does not support sparse gradients");
        for (const p of group.params) if (p.grad !== null && p.grad.is_sparse) sgdSparse(p, p.grad, stateOf(p), group);
      }
      // Parameters whose buffer this step created: PyTorch reads every buffer before it updates
      // any, so a parameter listed twice in a group (PyTorch warns) starts two buffers on its first
      // step, and the later one is kept.
      let fresh: Set<Tensor> | null = null;
      for (const { p, grad, state } of paramsWithGrad(group, stateOf, "SGD", "skip")) {
        const theta = p.data;
        let buf: Tensor | null = null;
        if (momentum !== 0) {
          buf = (state.momentum_buffer as Tensor | undefined | null) ?? null;
          if (buf !== null && fresh !== null && fresh.has(p)) buf = null;
          if (buf !== null && buf.is_sparse) {
            // a buffer left sparse by earlier sparse gradients: PyTorch's ops (and its error for a dense gradient)
            sgdSparse(p, p.grad as Tensor, state, group);
            continue;
          }
          if (buf === null) {
            // First step: b_1 = g_1 (weight decay included), then θ ← θ − γ b_1.
            const g1 = maximize ? effectiveGrad(p, grad, true, 0) : grad;
            state.momentum_buffer = cloneAs(p, effectiveGrad(p, g1, false, weight_decay));
            (fresh ??= new Set()).add(p);
            // b_1 = ∇ itself (no maximize, no weight decay): θ − γ b_1 is plain SGD's step on ∇,
            // which the native loop takes (the tracer's pass with it: its gradient is ∇)
            const plain = !nesterov && !maximize && weight_decay === 0 && theta instanceof Float32Array && theta.length >= WASM_MIN_ELEMENTS;
            if (plain && sgd_native(theta, grad, null, 0, false, Math.fround(-lr), 0, 0, 1)) continue;
            sgdFirstMomentumStep(p, state.momentum_buffer as Tensor, lr, momentum, nesterov);
            continue;
          }
        }
        const f32 = theta instanceof Float32Array;
        const r = f32 ? Math.fround : (x: number) => x;
        const s: SGDScalars = { negLr: r(-lr), wd: r(weight_decay), mom: r(momentum), keep: r(1 - dampening), nesterov };
        // Large parameters: the same update in native code where the arrays are, else in
        // WebAssembly SIMD (both bit-identical; native_update.ts, wasm/update.ts).
        const kind = buf === null ? 0 : nesterov ? 2 : 1;
        if (f32 && theta.length >= WASM_MIN_ELEMENTS && sgd_native(theta, grad, buf === null ? null : buf.data, kind, maximize, s.negLr, s.wd, s.mom, s.keep)) continue;
        if (sgd_wasm(theta, grad, buf === null ? null : buf.data, kind, maximize, s.negLr, s.wd, s.mom, s.keep)) continue;
        // maximize negates ∇ in a scratch buffer (rare; kept out of the update loops).
        const g = maximize ? effectiveGrad(p, grad, true, 0) : grad;
        if (f32) sgdUpdate32(theta, g as Float32Array, buf === null ? null : (buf.data as Float32Array), s);
        else sgdUpdate64(theta as Float64Array, g as Float64Array, buf === null ? null : (buf.data as Float64Array), s);
      }
    }
    return loss;
  }
}

/**
 * One parameter's step with a sparse gradient (or a sparse momentum buffer): PyTorch's
 * single-tensor ops on the tensors (see the file comment).
 */
function sgdSparse(p: Tensor, g: Tensor, state: Record<string, unknown>, group: Record<string, any>): void { // eslint-disable-line @typescript-eslint/no-explicit-any
  const { lr, momentum, dampening, weight_decay, nesterov, maximize } = group;
  no_grad(() => {
    let grad: Tensor = maximize ? g.neg() : g;
    if (weight_decay !== 0) {
      // sparse + dense: PyTorch's error, which names an operation the user never wrote
      try {
        grad = grad.add(p, { alpha: weight_decay });
      } catch (e) {
        throw new Error(sparseWeightDecayMessage("SGD", weight_decay, (e as Error).message));
      }
    }
    if (momentum !== 0) {
      let buf = (state.momentum_buffer as Tensor | undefined | null) ?? null;
      if (buf === null) {
        buf = grad.clone();
        state.momentum_buffer = buf;
      } else buf.mul_(momentum).add_(grad, { alpha: 1 - dampening });
      grad = nesterov ? grad.add(buf, { alpha: momentum }) : buf;
    }
    if (grad.is_sparse) add_sparse_into(p.data, grad as SparseTensor, -lr);
    else p.data.set(p.detach().add(grad, { alpha: -lr }).data);
  });
}

/** θ ← θ − γ b_1 with b_1 = g_1 (or, with nesterov, θ ← θ − γ(g_1 + μ b_1) = θ − γ(b_1 + μ b_1)). Once per parameter. */
function sgdFirstMomentumStep(p: Tensor, bufT: Tensor, lr: number, momentum: number, nesterov: boolean): void {
  const r = p.data instanceof Float32Array ? Math.fround : (x: number) => x;
  const theta = p.data;
  const b = bufT.data;
  const negLr = r(-lr);
  const mom = r(momentum);
  for (let i = 0; i < theta.length; i++) theta[i] = theta[i] + negLr * (nesterov ? r(b[i] + mom * b[i]) : b[i]);
}

/*
 * The steady-state update, one pass per element (each of θ, ∇, b read once), for each option
 * path. Why two copies, sgdUpdate32 and sgdUpdate64, and one loop per path: V8 compiles a function
 * once for all the array types and callees it has seen, so a loop shared by Float32Array and
 * Float64Array (or calling `Math.fround` through a variable that is sometimes the identity)
 * becomes polymorphic and about twice as slow once a process has used both dtypes; and V8 does
 * not hoist a loop-invariant `if` out of a loop (a weight-decay test per element costs 15-50%).
 * Measurements: bench/NOTES.md. The float32 copy rounds with
 * `fr` (= Math.fround) every intermediate PyTorch materialises in float32 (see _functional.ts);
 * the float64 copy is the same code without the rounding. A store into a typed array rounds by
 * itself, which is why the last operation of each line carries no `fr`.
 *
 * With weight decay, g = fr(∇ + λθ) (PyTorch's `grad.add(param, alpha=λ)`, a fused multiply-add).
 * Momentum: v = fr(fr(b·μ) + (1 − τ)·g) is the buffer's stored value; Nesterov's step direction
 * fr(g + μ·v) is materialised before the parameter update, as in PyTorch.
 */
const fr = Math.fround;

function sgdUpdate32(theta: Float32Array, grad: Float32Array, b: Float32Array | null, s: SGDScalars): void {
  const { negLr, wd, mom, keep } = s;
  const n = theta.length;
  if (b === null) {
    if (wd === 0) {
      let i = 0; // unrolled ×4, as below
      for (; i + 3 < n; i += 4) {
        theta[i] = theta[i] + negLr * grad[i];
        theta[i + 1] = theta[i + 1] + negLr * grad[i + 1];
        theta[i + 2] = theta[i + 2] + negLr * grad[i + 2];
        theta[i + 3] = theta[i + 3] + negLr * grad[i + 3];
      }
      for (; i < n; i++) theta[i] = theta[i] + negLr * grad[i];
    } else for (let i = 0; i < n; i++) theta[i] = theta[i] + negLr * fr(grad[i] + wd * theta[i]);
  } else if (!s.nesterov) {
    if (wd === 0) {
      // The most common path (plain momentum), unrolled ×4: V8 re-checks each array's type,
      // length and base pointer on every loop iteration; unrolling pays that once per 4 elements
      // (−15% on the 203,530-value MLP, bench/NOTES.md). The elements stay independent.
      let i = 0;
      for (; i + 3 < n; i += 4) {
        const v0 = fr(fr(b[i] * mom) + keep * grad[i]);
        const v1 = fr(fr(b[i + 1] * mom) + keep * grad[i + 1]);
        const v2 = fr(fr(b[i + 2] * mom) + keep * grad[i + 2]);
        const v3 = fr(fr(b[i + 3] * mom) + keep * grad[i + 3]);
        b[i] = v0; b[i + 1] = v1; b[i + 2] = v2; b[i + 3] = v3;
        theta[i] = theta[i] + negLr * v0;
        theta[i + 1] = theta[i + 1] + negLr * v1;
        theta[i + 2] = theta[i + 2] + negLr * v2;
        theta[i + 3] = theta[i + 3] + negLr * v3;
      }
      for (; i < n; i++) {
        const v = fr(fr(b[i] * mom) + keep * grad[i]);
        b[i] = v;
        theta[i] = theta[i] + negLr * v;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const t = theta[i];
        const v = fr(fr(b[i] * mom) + keep * fr(grad[i] + wd * t));
        b[i] = v;
        theta[i] = t + negLr * v;
      }
    }
  } else if (wd === 0) {
    for (let i = 0; i < n; i++) {
      const g = grad[i];
      const v = fr(fr(b[i] * mom) + keep * g);
      b[i] = v;
      theta[i] = theta[i] + negLr * fr(g + mom * v);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const t = theta[i];
      const g = fr(grad[i] + wd * t);
      const v = fr(fr(b[i] * mom) + keep * g);
      b[i] = v;
      theta[i] = t + negLr * fr(g + mom * v);
    }
  }
}

/** sgdUpdate32 for float64 storage: the same loops without rounding (see above for why a copy). */
function sgdUpdate64(theta: Float64Array, grad: Float64Array, b: Float64Array | null, s: SGDScalars): void {
  const { negLr, wd, mom, keep } = s;
  const n = theta.length;
  if (b === null) {
    if (wd === 0) for (let i = 0; i < n; i++) theta[i] = theta[i] + negLr * grad[i];
    else for (let i = 0; i < n; i++) theta[i] = theta[i] + negLr * (grad[i] + wd * theta[i]);
  } else if (!s.nesterov) {
    if (wd === 0) {
      for (let i = 0; i < n; i++) {
        const v = b[i] * mom + keep * grad[i];
        b[i] = v;
        theta[i] = theta[i] + negLr * v;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const t = theta[i];
        const v = b[i] * mom + keep * (grad[i] + wd * t);
        b[i] = v;
        theta[i] = t + negLr * v;
      }
    }
  } else if (wd === 0) {
    for (let i = 0; i < n; i++) {
      const g = grad[i];
      const v = b[i] * mom + keep * g;
      b[i] = v;
      theta[i] = theta[i] + negLr * (g + mom * v);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const t = theta[i];
      const g = grad[i] + wd * t;
      const v = b[i] * mom + keep * g;
      b[i] = v;
      theta[i] = t + negLr * (g + mom * v);
    }
  }
}
