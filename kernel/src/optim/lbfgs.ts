/**
 * `torch.optim.LBFGS`: limited-memory BFGS (Nocedal, 1980; Liu & Nocedal, 1989), after minFunc,
 * with an optional strong-Wolfe line search (Nocedal & Wright, Algorithms 3.5 and 3.6).
 *
 * One `step(closure)` runs up to `max_iter` iterations on the flattened parameters x:
 *   d ← −H g, with H applied by the two-loop recursion over the last `history_size` pairs
 *       s_i = x_{i+1} − x_i, y_i = g_{i+1} − g_i (pairs with yᵀs ≤ 1e-10 are skipped),
 *       initial scaling H₀ = (yᵀs / yᵀy) I of the newest pair;
 *   t ← min(1, 1/‖g‖₁)·γ on the very first iteration, γ afterwards;
 *   x ← x + t d, with t from the strong-Wolfe search when line_search_fn = "strong_wolfe".
 * It stops when max|g| ≤ tolerance_grad, max|t d| ≤ tolerance_change, |Δloss| < tolerance_change,
 * gᵀd > −tolerance_change, or the iteration/evaluation budget is spent.
 *
 * As in PyTorch: one parameter group only; the closure must re-evaluate the loss and set the
 * gradients (here: assign `p.grad`); the state lives under the first parameter (`func_evals`,
 * `n_iter`, `d`, `t`, `old_dirs`, `old_stps`, `ro`, `H_diag`, `prev_flat_grad`, `prev_loss`, `al`).
 * All parameters must share one dtype. Float32 runs round every vector op and every dot product
 * to float32, but the step length t, which PyTorch sometimes holds as a 0-dim float32 tensor and
 * sometimes as a Python float, stays in double here; LBFGS amplifies such last-bit differences,
 * so float32 runs agree with PyTorch to about 1e-5 (float64 to 1e-12; see the tests).
 * Deviation: an unknown `line_search_fn` is rejected by the constructor (PyTorch: at step()).
 */
import { Tensor, type Storage } from "../tensor/tensor";
import { Optimizer, notTensorStateMessage, type Closure, type ParamState, type ParamsT, setstateGroup, type ParamGroup, type StepOptions } from "./optimizer";
import { bump_version } from "../tensor/version";
import { checkLr, evalClosure, rounder, type Round } from "./_functional";
import { checkOptimizerOptions, optimizerArgs } from "./options";
import type { Positional } from "./positional";
import type { LBFGSGroup } from "./groups";

export interface LBFGSOptions {
  /** Learning rate γ: the step length t, before any line search; default 1. */
  lr?: number | Tensor;
  /** Maximal number of iterations per optimization step; default 20. */
  max_iter?: number;
  /** Maximal number of function evaluations per optimization step; default null, meaning max_iter · 5/4 (25). */
  max_eval?: number | null;
  /** Termination tolerance on first-order optimality, max|g|; default 1e-7. */
  tolerance_grad?: number;
  /** Termination tolerance on the change of the loss or the parameters; default 1e-9. */
  tolerance_change?: number;
  /** Number of (s, y) pairs kept for the inverse-Hessian approximation; default 100. */
  history_size?: number;
  /** Line search: "strong_wolfe", or null for none (fixed step t); default null. */
  line_search_fn?: "strong_wolfe" | null;
}

function lossValue(v: number | Tensor): number {
  if (typeof v === "number") return v;
  if (v instanceof Tensor) {
    if (v.data.length !== 1) throw new Error("LBFGS: the closure must return a scalar loss (a number or a 1-element tensor)");
    return v.data[0];
  }
  throw new TypeError(`LBFGS: the closure must return the loss as a number or a Tensor, got ${typeof v}`);
}

function dot(a: Storage, b: Storage, r: Round): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return r(s);
}

function absMax(a: Storage): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v > m || Number.isNaN(v)) m = v;
  }
  return m;
}

/** Minimiser of the cubic through (x1, f1, g1), (x2, f2, g2), clamped to bounds. */
export function cubic_interpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [xmin, xmax] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2sq = d1 * d1 - g1 * g2;
  if (d2sq >= 0) {
    const d2 = Math.sqrt(d2sq);
    const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, xmin), xmax);
  }
  return (xmin + xmax) / 2;
}

type ObjFunc = (t: number) => [number, Storage];

/** Strong-Wolfe line search along d from t (PyTorch's `_strong_wolfe`); returns [f, g, t, evals]. */
function strongWolfe(
  obj: ObjFunc, t: number, d: Storage, f: number, g: Storage, gtd: number, r: Round,
  c1 = 1e-4, c2 = 0.9, tolerance_change = 1e-9, max_ls = 25,
): [number, Storage, number, number] {
  const dNorm = absMax(d);
  g = g.slice();
  let [fNew, gNew] = obj(t);
  let evals = 1;
  let gtdNew = dot(gNew, d, r);
  let tPrev = 0;
  let fPrev = f;
  let gPrev = g;
  let gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [];
  let bracketF: number[] = [];
  let bracketG: Storage[] = [];
  let bracketGtd: number[] = [];
  while (lsIter < max_ls) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew.slice()]; bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      bracket = [t]; bracketF = [fNew]; bracketG = [gNew]; done = true;
      break;
    }
    if (gtdNew >= 0) {
      bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew.slice()]; bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubic_interpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp; fPrev = fNew; gPrev = gNew.slice(); gtdPrev = gtdNew;
    [fNew, gNew] = obj(t);
    evals++;
    gtdNew = dot(gNew, d, r);
    lsIter++;
  }
  if (lsIter === max_ls) {
    bracket = [0, t]; bracketF = [f, fNew]; bracketG = [g, gNew];
  }
  let insufProgress = false;
  let [low, high] = bracketF[0] <= bracketF[bracketF.length - 1] ? [0, 1] : [1, 0];
  while (!done && lsIter < max_ls) {
    if (Math.abs(bracket[1] - bracket[0]) * dNorm < tolerance_change) break;
    t = cubic_interpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
    const bMax = Math.max(...bracket);
    const bMin = Math.min(...bracket);
    const eps = 0.1 * (bMax - bMin);
    if (Math.min(bMax - t, t - bMin) < eps) {
      if (insufProgress || t >= bMax || t <= bMin) {
        t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
        insufProgress = false;
      } else insufProgress = true;
    } else insufProgress = false;
    [fNew, gNew] = obj(t);
    evals++;
    gtdNew = dot(gNew, d, r);
    lsIter++;
    if (fNew > f + c1 * t * gtd || fNew >= bracketF[low]) {
      bracket[high] = t; bracketF[high] = fNew; bracketG[high] = gNew.slice(); bracketGtd[high] = gtdNew;
      [low, high] = bracketF[0] <= bracketF[1] ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
      else if (gtdNew * (bracket[high] - bracket[low]) >= 0) {
        bracket[high] = bracket[low]; bracketF[high] = bracketF[low]; bracketG[high] = bracketG[low]; bracketGtd[high] = bracketGtd[low];
      }
      bracket[low] = t; bracketF[low] = fNew; bracketG[low] = gNew.slice(); bracketGtd[low] = gtdNew;
    }
  }
  return [bracketF[low], bracketG[low], bracket[low], evals];
}

export class LBFGS extends Optimizer {
  /** Each group holds every option, its default filled in (groups.ts). */
  declare param_groups: LBFGSGroup[];
  private readonly _params: Tensor[];

  constructor(params: ParamsT, options?: LBFGSOptions);
  constructor(
    params: ParamsT,
    ...args: Positional<[lr: number | Tensor, max_iter: number, max_eval: number | null, tolerance_grad: number, tolerance_change: number, history_size: number, line_search_fn: "strong_wolfe" | null], LBFGSOptions>
  );
  constructor(params: ParamsT, ...args: unknown[]) {
    const options = optimizerArgs("LBFGS", args) as LBFGSOptions;
    checkOptimizerOptions("LBFGS", options);
    const {
      lr = 1, max_iter = 20, tolerance_grad = 1e-7, tolerance_change = 1e-9, history_size = 100, line_search_fn = null,
    } = options;
    checkLr(lr);
    const max_eval = options.max_eval ?? Math.floor((max_iter * 5) / 4);
    if (line_search_fn !== null && line_search_fn !== "strong_wolfe") {
      throw new Error(`only 'strong_wolfe' is supported (line_search_fn must be "strong_wolfe" or null, got ${JSON.stringify(line_search_fn)})`);
    }
    super(params, { lr, max_iter, max_eval, tolerance_grad, tolerance_change, history_size, line_search_fn });
    if (this.param_groups.length !== 1) throw new Error("LBFGS doesn't support per-parameter options (parameter groups)");
    this._params = this.param_groups[0].params;
    if (this._params.some((p) => p.dtype !== this._params[0].dtype)) {
      throw new TypeError(`LBFGS: all parameters must share one dtype, got ${[...new Set(this._params.map((p) => p.dtype))].join(" and ")}`);
    }
  }

  /**
   * PyTorch's LBFGS state holds `ro` and `al` as lists of 0-dim tensors and `H_diag` (and, after
   * a strong-Wolfe search, sometimes `t`) as 0-dim tensors; lrlab keeps those as numbers. A
   * 0-dim (or 1-element) tensor there is taken as its number, cast to the parameters' dtype as
   * PyTorch's load_state_dict casts every floating state tensor, so a PyTorch checkpoint
   * continues as in PyTorch. `d`, `prev_flat_grad` must be tensors (or null), `old_dirs` and
   * `old_stps` lists of tensors; anything else (a JSON round trip's arrays) is refused here.
   */
  protected override _prepare_loaded_state(index: number, p: Tensor, state: ParamState): ParamState {
    const r = rounder(p);
    const refuse = (key: string, value: unknown, allowed: string): never => {
      throw new TypeError(notTensorStateMessage("LBFGS", index, key, value, allowed));
    };
    const scalar = (key: string, v: unknown, allowNull: boolean): number | null => {
      if (typeof v === "number") return v;
      if (v === null && allowNull) return null;
      if (v instanceof Tensor && v.data.length === 1 && !v.is_sparse) {
        const x = Number(v.data[0]);
        return v.dtype === "float32" || v.dtype === "float64" ? r(x) : x;
      }
      return refuse(key, v, `a number${allowNull ? " or null" : ""} (a 0-dim tensor is taken as its value)`);
    };
    if (state === null || typeof state !== "object" || Array.isArray(state) || state instanceof Tensor) {
      return super._prepare_loaded_state(index, p, state);
    }
    for (const [key, value] of Object.entries(state)) {
      if (value === undefined) continue;
      if (key === "old_dirs" || key === "old_stps") {
        if (!Array.isArray(value) || value.some((t) => !(t instanceof Tensor))) refuse(key, value, "a list of tensors");
      } else if (key === "ro" || key === "al") {
        if (!Array.isArray(value)) refuse(key, value, "a list of numbers");
        state[key] = (value as unknown[]).map((v) => scalar(key, v, key === "al"));
      } else if (key === "d" || key === "prev_flat_grad") {
        if (value !== null && !(value instanceof Tensor)) refuse(key, value, "a Tensor or null");
      } else if (key === "t" || key === "H_diag" || key === "prev_loss" || key === "func_evals" || key === "n_iter") {
        state[key] = scalar(key, value, false);
      } else if (!(value === null || value instanceof Tensor || typeof value === "number" || typeof value === "boolean" || typeof value === "string")) {
        refuse(key, value, "a Tensor or a number");
      }
    }
    return state;
  }

  /**
   * LBFGS keeps flat vectors over all its parameters (`d`, `prev_flat_grad`, each of `old_dirs`
   * and `old_stps`), under its first parameter: each must have as many elements as the parameters
   * together, or the next step would read past their end.
   */
  protected override _check_loaded_state(index: number, _p: Tensor, state: ParamState): void {
    const N = this._numel();
    for (const [key, value] of Object.entries(state)) {
      const tensors = Array.isArray(value) ? value : [value];
      for (const t of tensors) {
        if (!(t instanceof Tensor) || (t.shape.length === 1 && t.shape[0] === N)) continue;
        throw new Error(
          `LBFGS.load_state_dict: the saved state of parameter ${index} has '${key}' of shape [${t.shape.join(", ")}], ` +
            `but this optimizer's parameters have ${N} elements in all (LBFGS keeps flat vectors of that length over ` +
            "all its parameters). A state_dict loads only into an optimizer over parameters of the same shapes, " +
            "in the same order (was it saved for another model?); nothing was loaded.",
        );
      }
    }
  }

  private _numel(): number {
    return this._params.reduce((n, p) => n + p.data.length, 0);
  }

  private _alloc(n: number): Storage {
    return this._params[0].data instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
  }

  private _gather_flat_grad(): Storage {
    const out = this._alloc(this._numel());
    let off = 0;
    for (const p of this._params) {
      // a sparse gradient is densified, as PyTorch's _gather_flat_grad (`p.grad.to_dense()`)
      if (p.grad !== null) out.set(p.grad.is_sparse ? p.grad.to_dense().data : p.grad.data, off);
      off += p.data.length;
    }
    return out;
  }

  /** x ← x + t·d, PyTorch's `p.add_(d, alpha=t)` (one in-place op on each parameter: its version moves). */
  private _add_grad(t: number, d: Storage, r: Round): void {
    const tr = r(t);
    let off = 0;
    for (const p of this._params) {
      const x = p.data;
      for (let i = 0; i < x.length; i++) x[i] = x[i] + tr * d[off + i];
      off += x.length;
      bump_version(p);
    }
  }

  /** A Tensor lr is used only as its value here, as in PyTorch: any dtype is exact (Optimizer._check_tensor_lr). */
  protected override _lr_tensor_any_dtype(): boolean {
    return true;
  }

  /** PyTorch's `LBFGS.__setstate__` on a loaded group (no defaults of its own; see Optimizer._setstate_group). */
  protected override _setstate_group(group: ParamGroup, index: number): void {
    setstateGroup(this, group, index, {});
  }

  /** One L-BFGS step; returns what the closure returned at its first evaluation (PyTorch's `orig_loss`), so `opt.step(closure).item()` type-checks. */
  step<L extends number | Tensor>(closure: (() => L) | { closure: () => L }): L;
  step(closure?: Closure | StepOptions): number | Tensor | undefined;
  step(closure?: Closure | StepOptions): number | Tensor | undefined {
    // (step({ closure }) arrives here as step(closure): the step wrapper, Optimizer._patch_step_function;
    // an object with another key is refused as PyTorch's unexpected keyword)
    if (typeof closure === "object" && closure !== null) evalClosure(closure, this);
    if (typeof closure !== "function") {
      throw new TypeError("LBFGS.step() requires a closure that re-evaluates the model and returns the loss");
    }
    const evaluate = () => evalClosure(closure) as number | Tensor;
    const group = this.param_groups[0];
    const { max_iter, max_eval, tolerance_grad, tolerance_change, line_search_fn, history_size } = group;
    const lr = Number(group.lr); // (a Tensor lr: its value, so the state's `t` never aliases it)
    const r = rounder(this._params[0]);
    const N = this._numel();
    const state = this.stateOf(this._params[0]);
    state.func_evals ??= 0;
    state.n_iter ??= 0;

    const origLoss = evaluate();
    let loss = lossValue(origLoss);
    let currentEvals = 1;
    state.func_evals += 1;
    let flatGrad = this._gather_flat_grad();
    let optCond = absMax(flatGrad) <= tolerance_grad;
    if (optCond) return origLoss;

    const asData = (t: Tensor | undefined | null): Storage | null => (t instanceof Tensor ? t.data : null);
    let d = asData(state.d);
    let t: number = state.t ?? 0;
    let oldDirs: Storage[] = (state.old_dirs ?? []).map((x: Tensor) => x.data);
    let oldStps: Storage[] = (state.old_stps ?? []).map((x: Tensor) => x.data);
    let ro: number[] = state.ro ?? [];
    let H_diag: number = state.H_diag ?? 1;
    let prevFlatGrad = asData(state.prev_flat_grad);
    let prevLoss: number = state.prev_loss ?? 0;

    let nIter = 0;
    while (nIter < max_iter) {
      nIter++;
      state.n_iter += 1;
      if (state.n_iter === 1 || d === null || prevFlatGrad === null) {
        d = this._alloc(N);
        for (let i = 0; i < N; i++) d[i] = -flatGrad[i];
        oldDirs = [];
        oldStps = [];
        ro = [];
        H_diag = 1;
      } else {
        const y = this._alloc(N);
        const s = this._alloc(N);
        const tr = r(t);
        for (let i = 0; i < N; i++) {
          y[i] = flatGrad[i] - prevFlatGrad[i];
          s[i] = d[i] * tr;
        }
        const ys = dot(y, s, r);
        if (ys > 1e-10) {
          if (oldDirs.length === history_size) {
            oldDirs.shift();
            oldStps.shift();
            ro.shift();
          }
          oldDirs.push(y);
          oldStps.push(s);
          ro.push(r(1.0 / ys));
          H_diag = r(ys / dot(y, y, r));
        }
        const numOld = oldDirs.length;
        if (!Array.isArray(state.al)) state.al = new Array(history_size).fill(null);
        const al: number[] = state.al;
        const q = this._alloc(N);
        for (let i = 0; i < N; i++) q[i] = -flatGrad[i];
        for (let i = numOld - 1; i >= 0; i--) {
          al[i] = r(dot(oldStps[i], q, r) * ro[i]);
          const a = r(-al[i]);
          const dir = oldDirs[i];
          for (let k = 0; k < N; k++) q[k] = q[k] + a * dir[k];
        }
        const hd = r(H_diag);
        d = this._alloc(N);
        for (let k = 0; k < N; k++) d[k] = q[k] * hd;
        for (let i = 0; i < numOld; i++) {
          const be_i = r(dot(oldDirs[i], d, r) * ro[i]);
          const a = r(al[i] - be_i);
          const stp = oldStps[i];
          for (let k = 0; k < N; k++) d[k] = d[k] + a * stp[k];
        }
      }
      if (prevFlatGrad === null) prevFlatGrad = flatGrad.slice();
      else prevFlatGrad.set(flatGrad);
      prevLoss = loss;

      if (state.n_iter === 1) {
        let abs1 = 0;
        for (let i = 0; i < N; i++) abs1 += Math.abs(flatGrad[i]);
        t = Math.min(1.0, r(1.0 / r(abs1))) * lr;
      } else {
        t = lr;
      }
      const gtd = dot(flatGrad, d, r);
      if (gtd > -tolerance_change) break;

      let lsEvals = 0;
      if (line_search_fn !== null && line_search_fn !== undefined) {
        const xInit = this._params.map((p) => p.data.slice());
        const dir = d;
        const obj: ObjFunc = (step) => {
          this._add_grad(step, dir, r);
          const f = lossValue(evaluate());
          const g = this._gather_flat_grad();
          // PyTorch's _set_param: `p.copy_(pdata)`, an in-place op
          this._params.forEach((p, i) => {
            p.data.set(xInit[i]);
            bump_version(p);
          });
          return [f, g];
        };
        [loss, flatGrad, t, lsEvals] = strongWolfe(obj, t, d, loss, flatGrad, gtd, r, 1e-4, 0.9, 1e-9, max_eval - currentEvals);
        this._add_grad(t, d, r);
        optCond = absMax(flatGrad) <= tolerance_grad;
      } else {
        this._add_grad(t, d, r);
        if (nIter !== max_iter) {
          loss = lossValue(evaluate());
          flatGrad = this._gather_flat_grad();
          optCond = absMax(flatGrad) <= tolerance_grad;
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      state.func_evals += lsEvals;

      if (nIter === max_iter) break;
      if (currentEvals >= max_eval) break;
      if (optCond) break;
      let stepMax = 0;
      for (let i = 0; i < N; i++) stepMax = Math.max(stepMax, Math.abs(r(d[i] * t)));
      if (stepMax <= tolerance_change) break;
      if (Math.abs(loss - prevLoss) < tolerance_change) break;
    }

    const dtype = this._params[0].dtype;
    const wrap = (x: Storage): Tensor => new Tensor(x, [x.length], dtype);
    state.d = d === null ? null : wrap(d);
    state.t = t;
    state.old_dirs = oldDirs.map(wrap);
    state.old_stps = oldStps.map(wrap);
    state.ro = ro;
    state.H_diag = H_diag;
    state.prev_flat_grad = prevFlatGrad === null ? null : wrap(prevFlatGrad);
    state.prev_loss = prevLoss;
    return origLoss;
  }
}
