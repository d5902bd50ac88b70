/**
 * `torch.optim.Adagrad` (Duchi et al., 2011).
 *
 *   g_t ← ∇f(θ_{t−1}) (negated if maximize) + λ θ_{t−1}
 *   γ̃_t ← γ / (1 + (t − 1) η)                    (lr_decay η)
 *   s_t ← s_{t−1} + g_t²                          (s_0 = initial_accumulator_value)
 *   θ_t ← θ_{t−1} − γ̃_t g_t / (√s_t + ε)
 *
 * Where PyTorch deviates from the paper: ε is added outside the square root, and the optional
 * lr_decay is PyTorch's own. As in PyTorch, `sum` starts at the constructor's
 * initial_accumulator_value for every group (a group's own value is ignored). State: `step`, `sum`.
 * Accepts `foreach` and `fused` (ignored), `differentiable` (PyTorch's errors at step; ImplementationFlags).
 *
 * Sparse gradients (`nn.Embedding(..., { sparse: true })`), as PyTorch: the gradient is coalesced
 * (repeated rows summed), then only its rows R change: s_R ← s_R + g_R², θ_R ← θ_R − γ̃ g_R / (√s_R + ε)
 * (float32: fr(s + fr(g·g)), then θ + fr(−γ̃)·fr(g / fr(fr(√s) + ε))). Weight decay with a sparse
 * gradient is PyTorch's error ("weight_decay option is not compatible with sparse gradients", after
 * the step is counted), and so is `fused: true`.
 */
import type { Tensor } from "../tensor/tensor";
import { Optimizer, pyStr, type Closure, type ParamsT, setstateGroup, type ParamGroup, type StepOptions } from "./optimizer";
import { check, checkFusedFlags, checkLr, fullLike, hasSparseGrad, paramsWithGrad, type ImplementationFlags, evalClosure, sparseWeightDecayMessage } from "./_functional";
import type { SparseTensor } from "../tensor/sparse";
import { adagrad_wasm, WASM_MIN_ELEMENTS } from "./wasm/update";
import { adagrad_native } from "./native_update";
import { checkOptimizerOptions, optimizerArgs } from "./options";
import type { Positional } from "./positional";
import type { AdagradGroup } from "./groups";

export interface AdagradOptions extends Omit<ImplementationFlags, "capturable"> {
  /** Learning rate γ; default 1e-2. */
  lr?: number | Tensor;
  /** Learning-rate decay η: step t uses γ / (1 + (t − 1)η); default 0. */
  lr_decay?: number;
  /** Weight decay λ (L2 penalty), g ← g + λθ; default 0. */
  weight_decay?: number;
  /** Initial value τ of the sum of squared gradients (the constructor's value, for every group); default 0. */
  initial_accumulator_value?: number;
  /** Term ε added to the denominator for numerical stability; default 1e-10. */
  eps?: number;
  /** Maximize the objective instead of minimizing it (the gradient's sign is flipped); default false. */
  maximize?: boolean;
}

export class Adagrad extends Optimizer {
  /** Each group holds every option, its default filled in (groups.ts). */
  declare param_groups: AdagradGroup[];
  constructor(params: ParamsT, options?: AdagradOptions);
  constructor(
    params: ParamsT,
    ...args: Positional<[lr: number | Tensor, lr_decay: number, weight_decay: number, initial_accumulator_value: number, eps: number, foreach: boolean | null], AdagradOptions>
  );
  constructor(params: ParamsT, ...args: unknown[]) {
    const options = optimizerArgs("Adagrad", args) as AdagradOptions;
    checkOptimizerOptions("Adagrad", options);
    const { lr = 1e-2, lr_decay = 0, weight_decay = 0, initial_accumulator_value = 0, eps = 1e-10, maximize = false } = options;
    checkLr(lr);
    check(0 <= lr_decay, `Invalid lr_decay value: ${pyStr(lr_decay)} (lr_decay must be >= 0)`);
    check(0 <= weight_decay, `Invalid weight_decay value: ${pyStr(weight_decay)} (weight_decay must be >= 0)`);
    check(
      0 <= initial_accumulator_value,
      `Invalid initial_accumulator_value value: ${pyStr(initial_accumulator_value)} (initial_accumulator_value must be >= 0)`,
    );
    check(0 <= eps, `Invalid epsilon value: ${pyStr(eps)} (eps must be >= 0)`);
    super(params, {
      lr, lr_decay, eps, weight_decay, initial_accumulator_value, foreach: options.foreach ?? null, maximize,
      differentiable: options.differentiable ?? false, fused: options.fused ?? null,
    });
    checkFusedFlags(options);
    // PyTorch creates the state eagerly in the constructor (so `sum` exists before the first step),
    // filled with the constructor's initial_accumulator_value: a group's own value is ignored.
    for (const group of this.param_groups) {
      for (const p of group.params) {
        const state = this.stateOf(p);
        state.step = 0;
        state.sum = fullLike(p, initial_accumulator_value);
      }
    }
  }

  /** In-place ops PyTorch's step makes on each parameter (its version moves by as many): `param.addcdiv_(...)` (`param.add_(...)` for a sparse gradient). */
  protected override _param_writes(_group: ParamGroup): number {
    return 1;
  }

  /** PyTorch's `Adagrad.__setstate__` on a loaded group (its `setdefault`s; see Optimizer._setstate_group). */
  protected override _setstate_group(group: ParamGroup, index: number): void {
    setstateGroup(this, group, index, { foreach: null, maximize: false, differentiable: false, fused: null });
  }

  step(closure?: Closure | StepOptions): number | Tensor | undefined {
    const loss = evalClosure(closure, this);
    for (const group of this.param_groups) {
      const { lr, lr_decay, weight_decay, eps, maximize } = group;
      if (hasSparseGrad(group)) {
        if (group.fused === true) throw new Error("`fused` does not support sparse grad or complex param");
        for (const p of group.params) {
          if (p.grad === null || !p.grad.is_sparse) continue;
          const state = this.stateOf(p);
          if (state.sum === undefined) {
            state.step = 0;
            state.sum = fullLike(p, group.initial_accumulator_value);
          }
          const step = (state.step += 1);
          if (weight_decay !== 0) throw new Error(sparseWeightDecayMessage("Adagrad", weight_decay, "weight_decay option is not compatible with sparse gradients"));
          const g = p.grad as SparseTensor;
          adagradSparse(p, (maximize ? g.neg() : g).coalesce(), (state.sum as Tensor).data, lr / (1 + (step - 1) * lr_decay), eps);
        }
      }
      for (const { p, grad, state } of paramsWithGrad(group, (t) => this.stateOf(t), "Adagrad", "skip")) {
        if (state.sum === undefined) {
          // A group added after construction: PyTorch would fail here (no `sum`); we start it from
          // the group's initial_accumulator_value instead.
          state.step = 0;
          state.sum = fullLike(p, group.initial_accumulator_value);
        }
        const step = (state.step += 1);
        const theta = p.data;
        const sum = (state.sum as Tensor).data;
        const f32 = theta instanceof Float32Array;
        const r = f32 ? Math.fround : (x: number) => x;
        const s: AdagradScalars = { maximize, wd: r(weight_decay), negClr: r(-(lr / (1 + (step - 1) * lr_decay))), eps: r(eps) };
        // Large parameters: the same update in native code where the arrays are, else in
        // WebAssembly SIMD (both bit-identical; native_update.ts, wasm/update.ts).
        if (f32 && theta.length >= WASM_MIN_ELEMENTS && adagrad_native(theta, grad, sum, maximize, s.wd, s.negClr, s.eps)) continue;
        if (adagrad_wasm(theta, grad, sum, maximize, s.wd, s.negClr, s.eps)) continue;
        if (f32) adagradUpdate32(theta, grad as Float32Array, sum as Float32Array, s);
        else adagradUpdate64(theta as Float64Array, grad as Float64Array, sum as Float64Array, s);
      }
    }
    return loss;
  }
}

/** One parameter's step on the rows of its coalesced sparse gradient `g` (see the file comment). */
function adagradSparse(p: Tensor, g: SparseTensor, sum: Tensor["data"], clr: number, eps: number): void {
  const nnz = g._nnz();
  if (nnz === 0) return;
  const theta = p.data;
  const r = theta instanceof Float32Array ? Math.fround : (x: number) => x;
  const vals = g._values().data;
  const B = vals.length / nnz;
  const starts = g._entry_offsets();
  const negClr = r(-clr), e = r(eps);
  for (let k = 0; k < nnz; k++) {
    for (let j = 0; j < B; j++) {
      const at = starts[k] + j;
      const gi = vals[k * B + j];
      const si = r(sum[at] + r(gi * gi));
      sum[at] = si;
      theta[at] = theta[at] + negClr * r(gi / r(r(Math.sqrt(si)) + e));
    }
  }
}

/** One step's scalars, already in the parameter's dtype (rounded to float32 for float32 storage). */
interface AdagradScalars {
  maximize: boolean;
  wd: number; // λ
  negClr: number; // −γ̃_t
  eps: number; // ε
}

/*
 * The update, one pass per element, in PyTorch's single-tensor op order:
 *   g ← −∇ if maximize;  g ← fr(g + λθ)                 (weight decay)
 *   s ← fr(s + g·g)                                      (addcmul_(g, g, value=1): one fused multiply-add)
 *   θ ← θ + fr(fr(−γ̃·g) / fr(fr(√s) + ε))
 * `fr` (Math.fround) marks every float32 intermediate PyTorch materialises (_functional.ts); the
 * store into a Float32Array rounds by itself. Why two copies: see adam.ts (a loop V8 has run on
 * both array types runs about twice as slow); the float64 copy is the same code without rounding.
 */
const fr = Math.fround;

function adagradUpdate32(theta: Float32Array, grad: Float32Array, sum: Float32Array, s: AdagradScalars): void {
  const { maximize, wd, negClr, eps } = s;
  const n = theta.length;
  for (let i = 0; i < n; i++) {
    const t = theta[i];
    let g = maximize ? -grad[i] : grad[i];
    if (wd !== 0) g = fr(g + wd * t);
    const si = fr(sum[i] + g * g);
    sum[i] = si;
    theta[i] = t + fr(fr(negClr * g) / fr(fr(Math.sqrt(si)) + eps));
  }
}

/** adagradUpdate32 for float64 storage: the same loop without rounding (see above for why a copy). */
function adagradUpdate64(theta: Float64Array, grad: Float64Array, sum: Float64Array, s: AdagradScalars): void {
  const { maximize, wd, negClr, eps } = s;
  const n = theta.length;
  for (let i = 0; i < n; i++) {
    const t = theta[i];
    let g = maximize ? -grad[i] : grad[i];
    if (wd !== 0) g = g + wd * t;
    const si = sum[i] + g * g;
    sum[i] = si;
    theta[i] = t + (negClr * g) / (Math.sqrt(si) + eps);
  }
}
