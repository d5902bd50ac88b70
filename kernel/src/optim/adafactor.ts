/**
 * `torch.optim.Adafactor` (Shazeer & Stern, 2018), as PyTorch implements it.
 *
 *   g_t ← ∇f(θ_{t−1}), negated if maximize
 *   β̂2_t ← 1 − t^c                               (beta2_decay c ≤ 0; the code keeps 1 − β̂2_t = t^c)
 *   ρ_t ← min(γ, 1/√t)
 *   α_t ← max(ε2, RMS(θ_{t−1})) ρ_t               (RMS(x) = ‖x‖₂ / √numel)
 *   θ_{t−1} ← θ_{t−1}(1 − γλ)                      (weight_decay λ, decoupled)
 *   matrices ([..., R, C]):
 *     R_t ← lerp(R_{t−1}, mean_cols(g_t²), t^c)      (row_var, shape [..., R, 1])
 *     C_t ← lerp(C_{t−1}, mean_rows(g_t²), t^c)      (col_var, shape [..., 1, C])
 *     v̂_t ← R_t C_t / max(mean_rows(R_t), ε1)
 *   vectors:  v̂_t ← lerp(v̂_{t−1}, g_t², t^c)         (variance)
 *   U_t ← g_t / √max(v̂_t, ε1²)
 *   θ_t ← θ_{t−1} − α_t / max(1, RMS(U_t)/d) · U_t
 *
 * Where PyTorch deviates from the paper: no first moment; ε1 defaults to the dtype's machine
 * epsilon and clamps the variance (ε1²) instead of being added to g²; the row/col means are means
 * of squares ‖·‖²/n; relative step sizes are always on; weight decay is decoupled.
 * State: `step`, `row_var` and `col_var` (≥2-D) or `variance` (1-D). Accepts and ignores `foreach`.
 */
import { Tensor, type Storage } from "../tensor/tensor";
import { Optimizer, pyStr, type Closure, type ParamState, type ParamsT, setstateGroup, type ParamGroup, type StepOptions } from "./optimizer";
import { check, checkLr, lerpInPlace, paramsWithGrad, rounder, sqrt, zerosLike, type ImplementationFlags, type Round, evalClosure } from "./_functional";
import { checkOptimizerOptions, optimizerArgs } from "./options";
import type { Positional } from "./positional";
import type { AdafactorGroup } from "./groups";

export interface AdafactorOptions extends Pick<ImplementationFlags, "foreach"> {
  /** Learning rate γ, the cap of the relative step size ρ_t = min(γ, 1/√t); default 1e-2. */
  lr?: number | Tensor;
  /** Decay rate c ≤ 0 of β₂, β̂₂_t = 1 − t^c; default -0.8. */
  beta2_decay?: number;
  /** Pair [ε₁, ε₂]: ε₁ floors the variance (null: the dtype's machine epsilon), ε₂ the scale RMS(θ); default [null, 1e-3]. */
  eps?: [number | null, number];
  /** Clipping threshold d of the update's RMS; default 1.0. */
  d?: number;
  /** Weight decay λ, decoupled, θ ← θ(1 − γλ); default 0.0. */
  weight_decay?: number;
  /** Maximize the objective instead of minimizing it (the gradient's sign is flipped); default false. */
  maximize?: boolean;
}

/**
 * `eps` is a pair [ε1, ε2]: ε1 a number or null (the dtype's machine epsilon), ε2 a number.
 * PyTorch indexes it (`eps[0]`), so a single number is its TypeError "'float' object is not
 * subscriptable"; here the message says what to pass.
 */
function epsPair(eps: unknown): [number | null, number] {
  const ok = Array.isArray(eps) && eps.length === 2 &&
    (eps[0] === null || eps[0] === undefined || typeof eps[0] === "number") && typeof eps[1] === "number";
  if (!ok) {
    throw new TypeError(
      `Adafactor: eps must be a pair [eps1, eps2] (eps1 a number >= 0, or null for the dtype's machine epsilon; ` +
        `eps2 a number >= 0; default [null, 0.001]), but got ${Array.isArray(eps) ? `[${eps.map(pyStr).join(", ")}]` : pyStr(eps)}`,
    );
  }
  return [(eps[0] ?? null) as number | null, eps[1] as number];
}

const FLOAT32_EPS = 2 ** -23;
const FLOAT64_EPS = 2 ** -52;

/** ‖x‖₂ as PyTorch returns it for the dtype (accumulated in double here, rounded once). */
function norm(x: Storage, r: Round): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return r(sqrt(s));
}

export class Adafactor extends Optimizer {
  /** Each group holds every option, its default filled in (groups.ts). */
  declare param_groups: AdafactorGroup[];
  constructor(params: ParamsT, options?: AdafactorOptions);
  constructor(
    params: ParamsT,
    ...args: Positional<[lr: number | Tensor, beta2_decay: number, eps: [number | null, number], d: number, weight_decay: number], AdafactorOptions>
  );
  constructor(params: ParamsT, ...args: unknown[]) {
    const options = optimizerArgs("Adafactor", args) as AdafactorOptions;
    checkOptimizerOptions("Adafactor", options);
    const { lr = 1e-2, beta2_decay = -0.8, d = 1.0, weight_decay = 0.0, maximize = false } = options;
    const eps = epsPair(options.eps ?? [null, 1e-3]);
    checkLr(lr, (v) => `Learning rate should be >= 0 but is: ${pyStr(v)}`);
    check(0 >= beta2_decay, `beta2_decay should be <= 0 but is: ${pyStr(beta2_decay)}`);
    check(eps[0] === null || 0 <= eps[0], `epsilon1 should be >= 0 but is: ${pyStr(eps[0])}`);
    check(0 <= eps[1], `epsilon2 should be >= 0 but is: ${pyStr(eps[1])}`);
    check(1 <= d, `Clipping threshold d should be >= 1 but is: ${pyStr(d)}`);
    check(0 <= weight_decay, `weight_decay should be >= 0 but is: ${pyStr(weight_decay)}`);
    super(params, { lr, beta2_decay, eps: [eps[0], eps[1]], d, weight_decay, foreach: options.foreach ?? null, maximize });
  }

  /**
   * Adafactor's state is factored for parameters of 2 or more dimensions: `row_var` of shape
   * [..., R, 1] and `col_var` of shape [..., 1, C]; `variance` (the parameter's shape) otherwise.
   */
  protected override _expected_state_shape(p: Tensor, key: string, value: Tensor): readonly number[] | null {
    const n = p.shape.length;
    if (key === "row_var" && n > 1) return [...p.shape.slice(0, -1), 1];
    if (key === "col_var" && n > 1) return [...p.shape.slice(0, -2), 1, p.shape[n - 1]];
    return super._expected_state_shape(p, key, value);
  }

  /** A matrix's state has no `variance`, a vector's no `row_var`/`col_var`: the state is another parameter's. */
  protected override _check_loaded_state(index: number, p: Tensor, state: ParamState): void {
    const matrix = p.shape.length > 1;
    for (const key of matrix ? ["variance"] : ["row_var", "col_var"]) {
      const t = state[key];
      if (!(t instanceof Tensor)) continue;
      throw new Error(
        `Adafactor.load_state_dict: the saved state of parameter ${index} has '${key}' of shape [${t.shape.join(", ")}], ` +
          `kept for a parameter of ${matrix ? "fewer than 2" : "2 or more"} dimensions, but parameter ${index} of this ` +
          `optimizer has shape [${p.shape.join(", ")}]. A state_dict loads only into an optimizer over parameters of ` +
          "the same shapes, in the same order (was it saved for another model?); nothing was loaded.",
      );
    }
    super._check_loaded_state(index, p, state);
  }

  /** In-place ops PyTorch's step makes on each parameter (its version moves by as many): `param.add_(...)`, after `param.mul_(1 - lr * weight_decay)` with weight decay. */
  protected override _param_writes(group: ParamGroup): number {
    return group.weight_decay !== 0 ? 2 : 1;
  }

  /** PyTorch's float defaults with integral values, printed as Python does (see Optimizer._float_defaults). */
  protected override _float_defaults(): Record<string, number> {
    return { d: 1.0, weight_decay: 0.0 };
  }

  /** PyTorch's `Adafactor.__setstate__` on a loaded group (its `setdefault`s; see Optimizer._setstate_group). */
  protected override _setstate_group(group: ParamGroup, index: number): void {
    setstateGroup(this, group, index, { foreach: null });
  }

  step(closure?: Closure | StepOptions): number | Tensor | undefined {
    const loss = evalClosure(closure, this);
    for (const group of this.param_groups) {
      const { lr, beta2_decay, d, weight_decay, maximize } = group;
      const [eps1Opt, eps2] = group.eps as [number | null, number];
      for (const { p, grad, state } of paramsWithGrad(group, (t) => this.stateOf(t), "Adafactor")) {
        const matrix = p.shape.length > 1;
        if (state.step === undefined) {
          state.step = 0;
          if (matrix) {
            const rowShape = [...p.shape];
            rowShape[rowShape.length - 1] = 1;
            const colShape = [...p.shape];
            colShape[colShape.length - 2] = 1;
            state.row_var = zerosOfShape(p, rowShape);
            state.col_var = zerosOfShape(p, colShape);
          } else {
            state.variance = zerosLike(p);
          }
        }
        const r = rounder(p);
        const eps1 = eps1Opt ?? (p.dtype === "float32" ? FLOAT32_EPS : FLOAT64_EPS);
        const step = (state.step += 1);
        const oneMinusBeta2 = step ** beta2_decay;
        const rho = Math.min(lr, 1 / sqrt(step));
        const theta = p.data;
        const n = theta.length;
        const alpha = Math.max(eps2, norm(theta, r) / sqrt(n)) * rho;
        if (weight_decay !== 0) {
          const f = r(1 - lr * weight_decay);
          for (let i = 0; i < n; i++) theta[i] = theta[i] * f;
        }
        const g = scratchGrad(p, grad, maximize);
        const update = updateScratch(p);
        if (matrix) {
          const C = p.shape[p.shape.length - 1];
          const R = p.shape[p.shape.length - 2];
          const batches = n / (R * C);
          const rowVar = (state.row_var as Tensor).data;
          const colVar = (state.col_var as Tensor).data;
          const rowMean = tmp(R * batches, p);
          const colMean = tmp(C * batches, p);
          for (let b = 0; b < batches; b++) {
            for (let i = 0; i < R; i++) {
              let s = 0;
              for (let j = 0; j < C; j++) s += g[(b * R + i) * C + j] ** 2;
              const nrm = r(sqrt(s));
              rowMean[b * R + i] = r(r(nrm * nrm) / C);
            }
            for (let j = 0; j < C; j++) {
              let s = 0;
              for (let i = 0; i < R; i++) s += g[(b * R + i) * C + j] ** 2;
              const nrm = r(sqrt(s));
              colMean[b * C + j] = r(r(nrm * nrm) / R);
            }
          }
          lerpInPlace(rowVar, rowMean, oneMinusBeta2, r);
          lerpInPlace(colVar, colMean, oneMinusBeta2, r);
          const floor = r(eps1);
          for (let b = 0; b < batches; b++) {
            let s = 0;
            for (let i = 0; i < R; i++) s += rowVar[b * R + i];
            const meanRow = Math.max(r(s / R), floor);
            for (let i = 0; i < R; i++) {
              for (let j = 0; j < C; j++) {
                update[(b * R + i) * C + j] = r(r(rowVar[b * R + i] * colVar[b * C + j]) / meanRow);
              }
            }
          }
        } else {
          const variance = (state.variance as Tensor).data;
          const sq = tmp(n, p);
          for (let i = 0; i < n; i++) sq[i] = g[i] * g[i];
          lerpInPlace(variance, sq, oneMinusBeta2, r);
          update.set(variance);
        }
        const floor2 = r(eps1 * eps1);
        for (let i = 0; i < n; i++) {
          const v = Math.max(update[i], floor2);
          update[i] = r(r(1 / r(sqrt(v))) * g[i]);
        }
        const denom = Math.max(1.0, norm(update, r) / (sqrt(n) * d));
        const coef = r(-alpha / denom);
        for (let i = 0; i < n; i++) theta[i] = theta[i] + coef * update[i];
      }
    }
    return loss;
  }
}

function zerosOfShape(p: Tensor, shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(p.dtype === "float32" ? new Float32Array(n) : new Float64Array(n), shape, p.dtype);
}

function tmp(n: number, p: Tensor): Storage {
  return p.dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
}

const gradScratch = new WeakMap<Tensor, Storage>();
const updScratch = new WeakMap<Tensor, Storage>();

function scratchIn(map: WeakMap<Tensor, Storage>, p: Tensor): Storage {
  let s = map.get(p);
  if (s === undefined || s.length !== p.data.length || s.constructor !== p.data.constructor) {
    s = tmp(p.data.length, p);
    map.set(p, s);
  }
  return s;
}

function scratchGrad(p: Tensor, grad: Storage, maximize: boolean): Storage {
  if (!maximize) return grad;
  const s = scratchIn(gradScratch, p);
  for (let i = 0; i < grad.length; i++) s[i] = -grad[i];
  return s;
}

function updateScratch(p: Tensor): Storage {
  return scratchIn(updScratch, p);
}
