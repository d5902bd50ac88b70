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
 * Accepts `foreach` (ignored), `capturable` and `differentiable` (PyTorch's CPU errors at step; ImplementationFlags).
 */
import type { Tensor } from "../tensor/tensor";
import { Optimizer, pyStr, type Closure, type ParamsT, setstateGroup, type ParamGroup, type StepOptions } from "./optimizer";
import { check, checkLr, paramsWithGrad, zerosLike, type ImplementationFlags, evalClosure } from "./_functional";
import { rmsprop_wasm, WASM_MIN_ELEMENTS } from "./wasm/update";
import { rmsprop_native } from "./native_update";
import { checkOptimizerOptions, optimizerArgs } from "./options";
import type { Positional } from "./positional";
import type { RMSpropGroup } from "./groups";

export interface RMSpropOptions extends Omit<ImplementationFlags, "fused"> {
  /** Learning rate γ; default 1e-2. */
  lr?: number | Tensor;
  /** Smoothing constant α of the running average of the squared gradient; default 0.99. */
  alpha?: number;
  /** Term ε added to the denominator for numerical stability; default 1e-8. */
  eps?: number;
  /** Weight decay λ (L2 penalty), g ← g + λθ; default 0. */
  weight_decay?: number;
  /** Momentum factor μ (0: no momentum buffer); default 0. */
  momentum?: number;
  /** Centered RMSprop: divide by an estimate of the gradient's variance, v_t − ḡ_t²; default false. */
  centered?: boolean;
  /** Maximize the objective instead of minimizing it (the gradient's sign is flipped); default false. */
  maximize?: boolean;
}

export class RMSprop extends Optimizer {
  /** Each group holds every option, its default filled in (groups.ts). */
  declare param_groups: RMSpropGroup[];
  constructor(params: ParamsT, options?: RMSpropOptions);
  constructor(
    params: ParamsT,
    ...args: Positional<[lr: number | Tensor, alpha: number, eps: number, weight_decay: number, momentum: number, centered: boolean, capturable: boolean, foreach: boolean | null, maximize: boolean, differentiable: boolean], RMSpropOptions>
  );
  constructor(params: ParamsT, ...args: unknown[]) {
    const options = optimizerArgs("RMSprop", args) as RMSpropOptions;
    checkOptimizerOptions("RMSprop", options);
    const { lr = 1e-2, alpha = 0.99, eps = 1e-8, weight_decay = 0, momentum = 0, centered = false, maximize = false } = options;
    checkLr(lr);
    check(0 <= eps, `Invalid epsilon value: ${pyStr(eps)} (eps must be >= 0)`);
    check(0 <= momentum, `Invalid momentum value: ${pyStr(momentum)} (momentum must be >= 0)`);
    check(0 <= weight_decay, `Invalid weight_decay value: ${pyStr(weight_decay)} (weight_decay must be >= 0)`);
    check(0 <= alpha, `Invalid alpha value: ${pyStr(alpha)} (alpha must be >= 0)`);
    super(params, {
      lr, momentum, alpha, eps, centered, weight_decay, capturable: options.capturable ?? false,
      foreach: options.foreach ?? null, maximize, differentiable: options.differentiable ?? false,
    });
  }

  /** A Tensor lr is used only as its value here, as in PyTorch: any dtype is exact (Optimizer._check_tensor_lr). */
  protected override _lr_tensor_any_dtype(): boolean {
    return true;
  }

  /** In-place ops PyTorch's step makes on each parameter (its version moves by as many): `param.addcdiv_(...)` (or `param.add_(buf, ...)` with momentum). */
  protected override _param_writes(_group: ParamGroup): number {
    return 1;
  }

  /** PyTorch's `RMSprop.__setstate__` on a loaded group (its `setdefault`s; see Optimizer._setstate_group). */
  protected override _setstate_group(group: ParamGroup, index: number): void {
    setstateGroup(this, group, index, { momentum: 0, centered: false, foreach: null, maximize: false, differentiable: false, capturable: false });
  }

  step(closure?: Closure | StepOptions): number | Tensor | undefined {
    const loss = evalClosure(closure, this);
    for (const group of this.param_groups) {
      const { lr, alpha, eps, weight_decay, momentum, centered, maximize } = group;
      for (const { p, grad, state } of paramsWithGrad(group, (t) => this.stateOf(t), "RMSprop")) {
        if (state.step === undefined) {
          state.step = 0;
          state.square_avg = zerosLike(p);
          if (momentum > 0) state.momentum_buffer = zerosLike(p);
          if (centered) state.grad_avg = zerosLike(p);
        }
        state.step += 1;
        const theta = p.data;
        const f32 = theta instanceof Float32Array;
        const r = f32 ? Math.fround : (x: number) => x;
        const w = r(1 - alpha); // grad_avg.lerp_(g, 1 − α)
        const s: RMSpropScalars = {
          maximize, wd: r(weight_decay), alpha: r(alpha), oneMinusAlpha: r(1 - alpha),
          lerpFromAvg: Math.abs(w) < 0.5, w, wMinus1: r(w - 1), mom: r(momentum), negLr: r(-lr), eps: r(eps),
        };
        const sq = (state.square_avg as Tensor).data;
        const ga = centered ? (state.grad_avg as Tensor).data : null;
        const buf = momentum > 0 ? (state.momentum_buffer as Tensor).data : null;
        // Large parameters: the same update in native code where the arrays are, else in
        // WebAssembly SIMD (both bit-identical; native_update.ts, wasm/update.ts).
        if (f32 && theta.length >= WASM_MIN_ELEMENTS && rmsprop_native(theta, grad, sq, ga, buf, s)) continue;
        if (rmsprop_wasm(theta, grad, sq, ga, buf, s)) continue;
        if (f32) {
          rmspropUpdate32(theta, grad as Float32Array, sq as Float32Array, ga as Float32Array | null, buf as Float32Array | null, s);
        } else {
          rmspropUpdate64(
            theta as Float64Array, grad as Float64Array, sq as Float64Array, ga as Float64Array | null, buf as Float64Array | null, s,
          );
        }
      }
    }
    return loss;
  }
}

/** One step's scalars, already in the parameter's dtype (rounded to float32 for float32 storage). */
export interface RMSpropScalars {
  maximize: boolean;
  wd: number; // λ
  alpha: number; // α
  oneMinusAlpha: number; // 1 − α
  /** Which of ATen's two lerp forms `grad_avg.lerp_(g, w)` uses: |w| < 0.5. */
  lerpFromAvg: boolean;
  w: number;
  wMinus1: number;
  mom: number; // μ
  negLr: number; // −γ
  eps: number; // ε
}

/*
 * The update, one pass per element, in PyTorch's single-tensor op order:
 *   g ← −∇ if maximize;  g ← fr(g + λθ)                              (weight decay)
 *   v ← fr(fr(v·α) + fr((1 − α)·g)·g)                                 (mul_ then fused addcmul_)
 *   ḡ ← ḡ.lerp(g, 1 − α)  (as in adam.ts);  a ← fr(√fr(v − ḡ·ḡ))    (centered; fused addcmul)
 *   a ← fr(√v)                                                        (otherwise)
 *   a ← fr(a + ε)
 *   b ← fr(fr(b·μ) + fr(g / a));  θ ← θ − γb                          (momentum > 0)
 *   θ ← θ + fr(fr(−γ·g) / a)                                          (otherwise)
 * `fr` (Math.fround) marks every float32 intermediate PyTorch materialises (_functional.ts).
 * The loop is bound by its square root, division and float32 conversions, so the option tests
 * inside it cost little. Why two copies: see adam.ts (a loop V8 has run on both array types
 * runs about twice as slow); the float64 copy is the same code without rounding.
 */
const fr = Math.fround;

function rmspropUpdate32(
  theta: Float32Array, grad: Float32Array, v: Float32Array, ga: Float32Array | null, b: Float32Array | null, s: RMSpropScalars,
): void {
  const { maximize, wd, alpha, oneMinusAlpha, lerpFromAvg, w, wMinus1, mom, negLr, eps } = s;
  const n = theta.length;
  for (let i = 0; i < n; i++) {
    const t = theta[i];
    let g = maximize ? -grad[i] : grad[i];
    if (wd !== 0) g = fr(g + wd * t);
    const vi = fr(fr(v[i] * alpha) + fr(oneMinusAlpha * g) * g);
    v[i] = vi;
    let a: number;
    if (ga !== null) {
      const old = ga[i];
      const d = fr(g - old);
      const gi = fr(lerpFromAvg ? old + w * d : g + wMinus1 * d);
      ga[i] = gi;
      a = fr(fr(Math.sqrt(fr(vi - gi * gi))) + eps);
    } else {
      a = fr(fr(Math.sqrt(vi)) + eps);
    }
    if (b !== null) {
      const bi = fr(fr(b[i] * mom) + fr(g / a));
      b[i] = bi;
      theta[i] = t + negLr * bi;
    } else {
      theta[i] = t + fr(fr(negLr * g) / a);
    }
  }
}

/** rmspropUpdate32 for float64 storage: the same loop without rounding (see above for why a copy). */
function rmspropUpdate64(
  theta: Float64Array, grad: Float64Array, v: Float64Array, ga: Float64Array | null, b: Float64Array | null, s: RMSpropScalars,
): void {
  const { maximize, wd, alpha, oneMinusAlpha, lerpFromAvg, w, wMinus1, mom, negLr, eps } = s;
  const n = theta.length;
  for (let i = 0; i < n; i++) {
    const t = theta[i];
    let g = maximize ? -grad[i] : grad[i];
    if (wd !== 0) g = g + wd * t;
    const vi = v[i] * alpha + oneMinusAlpha * g * g;
    v[i] = vi;
    let a: number;
    if (ga !== null) {
      const old = ga[i];
      const d = g - old;
      const gi = lerpFromAvg ? old + w * d : g + wMinus1 * d;
      ga[i] = gi;
      a = Math.sqrt(vi - gi * gi) + eps;
    } else {
      a = Math.sqrt(vi) + eps;
    }
    if (b !== null) {
      const bi = b[i] * mom + g / a;
      b[i] = bi;
      theta[i] = t + negLr * bi;
    } else {
      theta[i] = t + (negLr * g) / a;
    }
  }
}
