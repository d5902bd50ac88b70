/**
 * `torch.optim.Adam` (Kingma & Ba, 2015), with PyTorch's options.
 *
 *   g_t ← ∇f(θ_{t−1}),  negated if maximize
 *   θ_{t−1} ← θ_{t−1}(1 − γλ)                    (decoupled_weight_decay: AdamW)
 *   g_t ← g_t + λ θ_{t−1}                        (otherwise, weight_decay λ ≠ 0: L2)
 *   m_t ← β1 m_{t−1} + (1 − β1) g_t              (computed as lerp(m, g, 1 − β1))
 *   v_t ← β2 v_{t−1} + (1 − β2) g_t²
 *   v̂max_t ← max(v̂max_{t−1}, v_t)               (amsgrad; v_t below is then v̂max_t)
 *   θ_t ← θ_{t−1} − (γ / (1 − β1^t)) · m_t / (√v_t / √(1 − β2^t) + ε)
 *
 * Where PyTorch deviates from the paper: ε is added after the bias correction of v (the paper's
 * "ε-hat" form), and amsgrad keeps the max of the raw v_t (Reddi et al. 2018 as PyTorch reads it).
 *
 * State: `step`, `exp_avg`, `exp_avg_sq`, and `max_exp_avg_sq` under amsgrad.
 * Accepts `foreach` and `fused` (ignored), `capturable` and `differentiable` (PyTorch's CPU errors at step; ImplementationFlags).
 */
import { Tensor } from "../tensor/tensor";
import { Optimizer, pyStr, type Closure, type ParamsT, setstateGroup, type ParamGroup, type StepOptions } from "./optimizer";
import { checkLerpDtype, check, checkLr, pair, paramsWithGrad, sqrt, zerosLike, evalClosure, type ImplementationFlags } from "./_functional";
import { adam_wasm, WASM_MIN_ELEMENTS } from "./wasm/update";
import { adam_native } from "./native_update";
import { adamPowers, takeAdamPowers } from "./adam_powers";
import { checkOptimizerOptions, optimizerArgs } from "./options";
import type { Positional } from "./positional";
import type { AdamGroup } from "./groups";

export interface AdamOptions extends ImplementationFlags {
  /** Learning rate γ; default 1e-3. */
  lr?: number | Tensor;
  /** Coefficients (β₁, β₂) for the running averages of the gradient and its square; default [0.9, 0.999]. */
  betas?: [number, number];
  /** Term ε added to the denominator for numerical stability; default 1e-8. */
  eps?: number;
  /** Weight decay λ: an L2 penalty g ← g + λθ, or θ ← θ(1 − γλ) with decoupled_weight_decay; default 0. */
  weight_decay?: number;
  /** Use the AMSGrad variant, which divides by the running maximum of v_t; default false. */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it (the gradient's sign is flipped); default false. */
  maximize?: boolean;
  /** Decay the weights directly, θ ← θ(1 − γλ), instead of adding λθ to the gradient (this is AdamW); default false. */
  decoupled_weight_decay?: boolean;
}

/** Validation shared by the Adam family (Adam, AdamW, Adamax, NAdam, RAdam): PyTorch's messages. */
export function checkAdamFamily(lr: number | Tensor, eps: number, betas: [number, number], weight_decay: number): void {
  checkLr(lr);
  check(0 <= eps, `Invalid epsilon value: ${pyStr(eps)} (eps must be >= 0)`);
  check(0 <= betas[0] && betas[0] < 1, `Invalid beta parameter at index 0: ${pyStr(betas[0])} (betas must be in [0, 1))`);
  check(0 <= betas[1] && betas[1] < 1, `Invalid beta parameter at index 1: ${pyStr(betas[1])} (betas must be in [0, 1))`);
  check(0 <= weight_decay, `Invalid weight_decay value: ${pyStr(weight_decay)} (weight_decay must be >= 0)`);
}

export class Adam extends Optimizer {
  /** Each group holds every option, its default filled in (groups.ts). */
  declare param_groups: AdamGroup[];
  constructor(params: ParamsT, options?: AdamOptions);
  constructor(
    params: ParamsT,
    ...args: Positional<[lr: number | Tensor, betas: [number, number], eps: number, weight_decay: number, amsgrad: boolean], AdamOptions>
  );
  constructor(params: ParamsT, ...args: unknown[]) {
    const options = optimizerArgs("Adam", args) as AdamOptions;
    checkOptimizerOptions("Adam", options);
    const { lr = 1e-3, eps = 1e-8, weight_decay = 0, amsgrad = false, maximize = false, decoupled_weight_decay = false } = options;
    if (lr instanceof Tensor && options.foreach && !options.capturable) {
      throw new Error("lr as a Tensor is not supported for capturable=False and foreach=True");
    }
    const betas = pair(options.betas ?? [0.9, 0.999], "betas");
    checkAdamFamily(lr, eps, betas, weight_decay);
    if (options.fused && options.differentiable) throw new Error("`fused` does not support `differentiable`");
    if (options.fused && options.foreach) throw new Error("`fused` and `foreach` cannot be `True` together.");
    super(params, {
      lr, betas, eps, weight_decay, amsgrad, maximize,
      foreach: options.foreach ?? null, capturable: options.capturable ?? false,
      differentiable: options.differentiable ?? false, fused: options.fused ?? null, decoupled_weight_decay,
    });
  }

  /** In-place ops PyTorch's step makes on each parameter (its version moves by as many): `param.addcdiv_(...)`, after `param.mul_(1 - lr * weight_decay)` under decoupled weight decay (AdamW). */
  protected override _param_writes(group: ParamGroup): number {
    return group.decoupled_weight_decay && group.weight_decay !== 0 ? 2 : 1;
  }

  /** PyTorch's `Adam.__setstate__` on a loaded group (its `setdefault`s; see Optimizer._setstate_group). */
  protected override _setstate_group(group: ParamGroup, index: number): void {
    setstateGroup(this, group, index, { amsgrad: false, maximize: false, foreach: null, capturable: false, differentiable: false, decoupled_weight_decay: false, fused: null });
  }

  step(closure?: Closure | StepOptions): number | Tensor | undefined {
    const loss = evalClosure(closure, this);
    for (const group of this.param_groups) {
      const { lr, eps, weight_decay, amsgrad, maximize, decoupled_weight_decay } = group;
      const [beta1, beta2] = group.betas as [number, number];
      // One step's scalars serve every parameter of the group at that step count and dtype (the
      // usual case: they step together): two powers, a square root and a dozen roundings a
      // parameter were ~0.15 µs each on a tiny model's ~8 µs step. The same numbers: a function
      // of (group, step, dtype) alone.
      let shared: AdamScalars | null = null, sharedStep = -1, sharedF32 = false;
      for (const { p, grad, state } of paramsWithGrad(group, (t) => this.stateOf(t), this.constructor.name)) {
        if (state.step === undefined) {
          state.step = 0;
          state.exp_avg = zerosLike(p);
          state.exp_avg_sq = zerosLike(p);
          if (amsgrad) state.max_exp_avg_sq = zerosLike(p);
        }
        const step = (state.step += 1);
        checkLerpDtype(state.exp_avg as Tensor, p.grad as Tensor, this.constructor.name);
        const theta = p.data;
        const f32 = theta instanceof Float32Array;
        const s = shared !== null && step === sharedStep && f32 === sharedF32
          ? shared
          : (shared = adamScalars(f32, step, lr, beta1, beta2, eps, weight_decay, maximize, decoupled_weight_decay));
        sharedStep = step;
        sharedF32 = f32;
        const m = (state.exp_avg as Tensor).data;
        const v = (state.exp_avg_sq as Tensor).data;
        const vMax = amsgrad ? (state.max_exp_avg_sq as Tensor).data : null;
        // Large parameters: the same update in native code where the arrays are, else in
        // WebAssembly SIMD (both bit-identical; native_update.ts, wasm/update.ts).
        if (f32 && theta.length >= WASM_MIN_ELEMENTS && adam_native(theta, grad, m, v, vMax, s)) continue;
        if (adam_wasm(theta, grad, m, v, vMax, s)) continue;
        if (f32) adamUpdate32(theta, grad as Float32Array, m as Float32Array, v as Float32Array, vMax as Float32Array | null, s);
        else adamUpdate64(theta as Float64Array, grad as Float64Array, m as Float64Array, v as Float64Array, vMax as Float64Array | null, s);
      }
    }
    return loss;
  }
}

/** The scalars of a step `step` of a group's parameters of one dtype (read-only: shared by them). */
function adamScalars(
  f32: boolean, step: number, lr: number, beta1: number, beta2: number, eps: number, weight_decay: number,
  maximize: boolean, decoupled_weight_decay: boolean,
): AdamScalars {
  const r = f32 ? Math.fround : (x: number) => x;
  // (the two powers kept for the tracer's measure of this step: adam_powers.ts)
  takeAdamPowers(step, beta1, beta2);
  const bias_correction1 = 1 - adamPowers.p1;
  const bias_correction2 = 1 - adamPowers.p2;
  const w = r(1 - beta1); // m.lerp_(g, 1 − β1)
  return {
    maximize,
    decay: decoupled_weight_decay && weight_decay !== 0 ? r(1 - lr * weight_decay) : 1,
    wd: decoupled_weight_decay ? 0 : r(weight_decay),
    lerpFromM: Math.abs(w) < 0.5,
    w,
    wMinus1: r(w - 1),
    beta2: r(beta2),
    oneMinusBeta2: r(1 - beta2),
    negStepSize: r(-(lr / bias_correction1)),
    bc2Sqrt: r(sqrt(bias_correction2)),
    eps: r(eps),
  };
}

/** One step's scalars, already in the parameter's dtype (rounded to float32 for float32 storage). */
export interface AdamScalars {
  maximize: boolean;
  /** 1 − γλ under decoupled weight decay (AdamW), else exactly 1 (no decay pass). */
  decay: number;
  /** λ of the coupled (L2) weight decay, 0 under decoupled decay. */
  wd: number;
  /** Which of ATen's two lerp forms applies: |w| < 0.5 (always, unless β1 ≤ 0.5). */
  lerpFromM: boolean;
  w: number;
  wMinus1: number;
  beta2: number;
  oneMinusBeta2: number;
  negStepSize: number; // −γ / (1 − β1^t)
  bc2Sqrt: number; // √(1 − β2^t)
  eps: number;
}

/*
 * The update, one pass per element, in PyTorch's single-tensor op order:
 *   g ← −∇ if maximize;  θ ← fr(θ·(1 − γλ)) (AdamW)  or  g ← fr(g + λθ) (L2)
 *   m ← m.lerp(g, w): fr(m + w·fr(g − m)) when |w| < 0.5, else fr(g + (w − 1)·fr(g − m))
 *   v ← fr(fr(v·β2) + fr((1 − β2)·g)·g)                          (mul_ then fused addcmul_)
 *   v̂ ← max(v̂, v) (NaN propagates)                              (amsgrad)
 *   θ ← θ + fr(fr(−step_size·m) / fr(fr(fr(√v)/√bc2) + ε))
 * `fr` (Math.fround) marks every float32 intermediate PyTorch materialises (_functional.ts); a
 * store into a Float32Array rounds by itself. The loop is bound by its square root, two divisions
 * and the float32 conversions, so the option tests inside it cost little (a loop per option
 * path measured no faster); fusing the three passes saves re-reading m, v and g.
 * Why two copies (adamUpdate32, adamUpdate64): a loop V8 has run on both Float32Array and
 * Float64Array is compiled for both and runs about twice as slow (bench/NOTES.md); the float64
 * copy is the same code without rounding. The loops call `Math.sqrt` directly: an imported
 * function is a property load on the module object in the CommonJS build, repeated per element.
 */
const fr = Math.fround;

function adamUpdate32(
  theta: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, vMax: Float32Array | null, s: AdamScalars,
): void {
  const { maximize, decay, wd, lerpFromM, w, wMinus1, beta2, oneMinusBeta2, negStepSize, bc2Sqrt, eps } = s;
  const n = theta.length;
  for (let i = 0; i < n; i++) {
    let t = theta[i];
    let g = maximize ? -grad[i] : grad[i];
    if (decay !== 1) t = fr(t * decay);
    else if (wd !== 0) g = fr(g + wd * t);
    const mOld = m[i];
    const d = fr(g - mOld);
    const mi = fr(lerpFromM ? mOld + w * d : g + wMinus1 * d);
    m[i] = mi;
    let vi = fr(fr(v[i] * beta2) + fr(oneMinusBeta2 * g) * g);
    v[i] = vi;
    if (vMax !== null) {
      if (vi > vMax[i] || vi !== vi) vMax[i] = vi;
      else vi = vMax[i];
    }
    theta[i] = t + fr(fr(negStepSize * mi) / fr(fr(fr(Math.sqrt(vi)) / bc2Sqrt) + eps));
  }
}

/** adamUpdate32 for float64 storage: the same loop without rounding (see above for why a copy). */
function adamUpdate64(
  theta: Float64Array, grad: Float64Array, m: Float64Array, v: Float64Array, vMax: Float64Array | null, s: AdamScalars,
): void {
  const { maximize, decay, wd, lerpFromM, w, wMinus1, beta2, oneMinusBeta2, negStepSize, bc2Sqrt, eps } = s;
  const n = theta.length;
  for (let i = 0; i < n; i++) {
    let t = theta[i];
    let g = maximize ? -grad[i] : grad[i];
    if (decay !== 1) t = t * decay;
    else if (wd !== 0) g = g + wd * t;
    const mOld = m[i];
    const d = g - mOld;
    const mi = lerpFromM ? mOld + w * d : g + wMinus1 * d;
    m[i] = mi;
    let vi = v[i] * beta2 + oneMinusBeta2 * g * g;
    v[i] = vi;
    if (vMax !== null) {
      if (vi > vMax[i] || vi !== vi) vMax[i] = vi;
      else vi = vMax[i];
    }
    theta[i] = t + (negStepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
  }
}
