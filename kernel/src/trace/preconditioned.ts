/**
 * `lr_preconditioned`: the optimizer's own per-element learning rate, read from its state after
 * `step()` (so it is the factor that step used), following /work/shared/EFFECTIVE_LR.md. For every
 * optimizer below the step is Δ = −f ⊙ d (plus weight decay), where d is the direction the
 * optimizer moves along (g, or a momentum average of g) and f the per-element factor returned
 * here. t is `state.step` after the step; γ the group's lr.
 *
 *   SGD            f = γ                                         (PyTorch SGD docs)
 *   Adam, AdamW    f = (γ/(1−β1^t)) / (√v_t/√(1−β2^t) + ε),
 *                  v_t → max_exp_avg_sq under amsgrad            (Kingma & Ba 2015; PyTorch Adam docs:
 *                                                                 ε is added after bias correction)
 *   Adamax         f = (γ/(1−β1^t)) / u_t,  u_t = exp_inf        (Kingma & Ba 2015 §7)
 *   RMSprop        f = γ / (√ṽ_t + ε),  ṽ_t = v_t − ḡ_t² when centered,
 *                  times 1/(1−μ) (momentum steady state) when momentum μ > 0
 *                                                                (Hinton lecture 6e; PyTorch RMSprop docs)
 *   Adagrad        f = γ / (1 + (t−1)·lr_decay) / (√sum_t + ε)   (Duchi et al. 2011; PyTorch Adagrad docs)
 *   SparseAdam     f = (γ·√(1−β2^t)/(1−β1^t)) / (√v_t + ε), on the elements of the rows present in
 *                  this step's sparse gradient only (the others do not move: no factor applies);
 *                  t is the parameter's own step count              (PyTorch SparseAdam docs and
 *                                                                 _functional.sparse_adam: ε is added
 *                                                                 to √v before the bias correction)
 *
 * Elements whose state has seen no gradient yet have no factor: Adam's, RMSprop's and Adagrad's
 * (initial_accumulator_value 0) second moment is still exactly 0 there, Adamax's first moment
 * (its u is ε there). Their factor would read γ/((1−β1^t)·ε) or γ/ε (1e5 to 1e10 for the defaults)
 * while their step is 0: unused embedding rows, dead ReLU units, masked inputs made the quantiles
 * of a whole group read ~1e5 under Adam (a user's pass). They are left out of the quantiles and
 * the min/max, as lr_elementwise leaves out g = 0 and SparseAdam the rows its step did not touch;
 * a parameter none of whose elements has seen a gradient has no factor (null).
 *
 * Not covered (null; the measured lr_elementwise still describes them): NAdam and RAdam (their
 * factor mixes the momentum schedule and, for RAdam, a switch between SGD-like and adaptive
 * steps, so "the factor" depends on which term one divides by), Adadelta (the "lr" is a ratio
 * of two running RMS values with no separate factor), ASGD (averaging), Rprop (sign-based: the
 * step size does not multiply g), Adafactor (factored second moment with relative step sizes),
 * Muon (orthogonalised update, not element-wise), LBFGS (a quasi-Newton direction).
 *
 * `kind` is found from the class chain, so a user's subclass of Adam counts as Adam, as long as the
 * step it takes is Adam's own: a subclass that overrides `step()` (LARS or LAMB written over SGD's
 * groups, a projection after `super.step()`, a doubled step) takes another step than the formula
 * describes, so it has no factor (null, as an unknown optimizer), and `factorNote` says why (a
 * user's pass read "lr_preconditioned median 0.1" for a LARS whose measured rates were 0.067 and
 * 0.092).
 */
import type { Tensor } from "../tensor/tensor";

export type PreconditionedKind = "SGD" | "Adam" | "Adamax" | "RMSprop" | "Adagrad" | "SparseAdam";

const KINDS: Record<string, PreconditionedKind> = {
  SGD: "SGD",
  Adam: "Adam",
  AdamW: "Adam",
  Adamax: "Adamax",
  RMSprop: "RMSprop",
  Adagrad: "Adagrad",
  SparseAdam: "SparseAdam",
};

/** The classes whose factor is known, as `factorNote` lists them. */
const KNOWN = Object.keys(KINDS).join(", ");

/**
 * The step an optimizer's `step()` runs: what the wrapper of its step hooks wraps (optim/
 * optimizer.ts _patch_step_function records it as `__wrapped__`, as functools.wraps does), or,
 * when another wrapper is outermost (an LR scheduler's, which records nothing), the step its class
 * defines, which is what that wrapper was made of at construction.
 */
function stepThatRuns(optimizer: object): unknown {
  let f: unknown = (optimizer as { step?: unknown }).step;
  let wrapped = false;
  for (let i = 0; i < 8 && typeof f === "function" && (f as { __wrapped__?: unknown }).__wrapped__ !== undefined; i++) {
    f = (f as { __wrapped__?: unknown }).__wrapped__;
    wrapped = true;
  }
  return wrapped ? f : (Object.getPrototypeOf(optimizer) as { step?: unknown } | null)?.step;
}

/**
 * The optimizer's class name, and the first known one up its prototype chain (`kind`), unless the
 * step the optimizer runs is not that class's own (a subclass overriding `step()`: kind null,
 * `overrides` the known class's name).
 */
export function optimizerKind(optimizer: object): { name: string; kind: PreconditionedKind | null; overrides: string | null } {
  const name = optimizer.constructor?.name ?? "Optimizer";
  let proto: object | null = Object.getPrototypeOf(optimizer);
  while (proto !== null && proto !== Object.prototype) {
    const n = (proto as { constructor?: { name?: string } }).constructor?.name;
    if (n !== undefined && n in KINDS) {
      const own = (proto as { step?: unknown }).step;
      if (stepThatRuns(optimizer) !== own) return { name, kind: null, overrides: n };
      return { name, kind: KINDS[n], overrides: null };
    }
    proto = Object.getPrototypeOf(proto);
  }
  return { name, kind: null, overrides: null };
}

/**
 * The summary's line for an optimizer without a known factor (null for one with): a user could
 * not tell "not applicable" from "not recorded" or "broken" (a user's pass).
 */
export function factorNote(k: { name: string; kind: PreconditionedKind | null; overrides: string | null }): string | null {
  if (k.kind !== null) return null;
  const why = k.overrides !== null ? `its own step(), not ${k.overrides}'s` : `a factor is known for ${KNOWN}`;
  return `lr_preconditioned: not known for ${k.name} (${why}); the measured rates are shown`;
}

type Group = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type State = Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any

const data = (t: unknown): ArrayLike<number> | null =>
  t !== null && t !== undefined && typeof t === "object" && "data" in (t as object) ? (t as Tensor).data : null;

/** SparseAdam's step size γ·√(1−β2^t)/(1−β1^t) at its step t. */
function sparseAdamStepSize(group: Group, t: number): number {
  const [b1, b2] = group.betas as [number, number];
  return (Number(group.lr) * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
}

/**
 * Write the factor of each element of `p` into `out` starting at `offset`; returns false when the
 * state does not allow it (not stepped yet, unknown layout). SparseAdam's factors are those of the
 * elements at `present` (this step's sparse gradient's positions), n = present.length of them.
 */
export function preconditionedFactors(
  kind: PreconditionedKind,
  group: Group,
  state: State,
  n: number,
  out: Float64Array,
  offset: number,
  present: ArrayLike<number> | null = null,
): boolean {
  const lr = Number(group.lr);
  if (kind === "SparseAdam") {
    const t = Number(state?.step);
    const v = data(state?.exp_avg_sq);
    if (!(t >= 1) || v === null || present === null || present.length !== n) return false;
    const c = sparseAdamStepSize(group, t);
    for (let i = 0; i < n; i++) out[offset + i] = c / (Math.sqrt(v[present[i]]) + group.eps);
    return true;
  }
  if (kind === "SGD") {
    out.fill(lr, offset, offset + n);
    return true;
  }
  if (state === undefined) return false;
  const t = Number(state.step);
  if (!(t >= 1)) return false;
  if (kind === "Adam") {
    const [b1, b2] = group.betas as [number, number];
    const v = data(group.amsgrad ? state.max_exp_avg_sq : state.exp_avg_sq);
    if (v === null) return false;
    const step_size = lr / (1 - b1 ** t);
    const sqrt_bc2 = Math.sqrt(1 - b2 ** t);
    for (let i = 0; i < n; i++) out[offset + i] = step_size / (Math.sqrt(v[i]) / sqrt_bc2 + group.eps);
    return true;
  }
  if (kind === "Adamax") {
    const [b1] = group.betas as [number, number];
    const u = data(state.exp_inf);
    if (u === null) return false;
    const clr = lr / (1 - b1 ** t);
    for (let i = 0; i < n; i++) out[offset + i] = clr / u[i];
    return true;
  }
  if (kind === "RMSprop") {
    const v = data(state.square_avg);
    if (v === null) return false;
    const gbar = group.centered ? data(state.grad_avg) : null;
    const steady = group.momentum > 0 ? 1 / (1 - group.momentum) : 1;
    for (let i = 0; i < n; i++) {
      const vt = gbar ? v[i] - gbar[i] * gbar[i] : v[i];
      out[offset + i] = (lr * steady) / (Math.sqrt(vt) + group.eps);
    }
    return true;
  }
  // Adagrad
  const sum = data(state.sum);
  if (sum === null) return false;
  const clr = lr / (1 + (t - 1) * group.lr_decay);
  for (let i = 0; i < n; i++) out[offset + i] = clr / (Math.sqrt(sum[i]) + group.eps);
  return true;
}

/**
 * The factor of `preconditionedFactors` as a function of the element index, so the tracer can take
 * its exact min/max and a sample without writing n factors per step:
 *
 *   mode 0  f_i = c                        SGD
 *   mode 1  f_i = c / (√v_i / s + ε)       Adam/AdamW (s = √(1−β2^t)), RMSprop (s = 1), Adagrad (s = 1)
 *   mode 2  f_i = c / v_i                  Adamax (v = u_t)
 *   mode 3  f_i = c / (√(v_i − w_i²) + ε)  centered RMSprop (w = ḡ_t)
 *
 * Each expression is the one `preconditionedFactors` evaluates, operation for operation, so the
 * values are bit-identical. Min/max: f is a monotone function of x_i = v_i (mode 3: v_i − w_i²),
 * and IEEE-754 √, ÷ and + are correctly rounded, hence monotone too; so the extreme factors are
 * exactly f(min x) and f(max x), and only x needs a pass (no √ or ÷ per element).
 */
export interface FactorView {
  mode: 0 | 1 | 2 | 3;
  c: number;
  s: number;
  eps: number;
  v: ArrayLike<number> | null;
  w: ArrayLike<number> | null;
  n: number;
  /**
   * The state that tells whether an element has seen a gradient: its zero entries are left out
   * (the file comment). v itself in modes 1 and 3, Adamax's first moment in mode 2; null in mode 0
   * and for SparseAdam (its view holds only the rows its step touched).
   */
  seen: ArrayLike<number> | null;
}

/** Whether element i of the view counts (has seen a gradient; see FactorView.seen). */
export function counts(f: FactorView, i: number): boolean {
  return f.seen === null || f.seen[i] !== 0;
}

/**
 * The factor view of one parameter, or null when its state does not allow one (as
 * preconditionedFactors). SparseAdam's view holds the elements at `present` only (n of them:
 * the positions its sparse gradient had at this step; null: not known, no view).
 */
export function factorView(kind: PreconditionedKind, group: Group, state: State, n: number, present: ArrayLike<number> | null = null): FactorView | null {
  const lr = Number(group.lr);
  if (kind === "SparseAdam") {
    const t = Number(state?.step);
    const v = data(state?.exp_avg_sq);
    if (!(t >= 1) || v === null || v.length !== n || present === null) return null;
    const vp = new Float64Array(present.length);
    for (let i = 0; i < vp.length; i++) vp[i] = v[present[i]];
    return { mode: 1, c: sparseAdamStepSize(group, t), s: 1, eps: group.eps as number, v: vp, w: null, n: vp.length, seen: null };
  }
  if (kind === "SGD") return { mode: 0, c: lr, s: 1, eps: 0, v: null, w: null, n, seen: null };
  if (state === undefined) return null;
  const t = Number(state.step);
  if (!(t >= 1)) return null;
  let mode: FactorView["mode"] = 1, c: number, s = 1, eps = group.eps as number, w: ArrayLike<number> | null = null;
  let v: ArrayLike<number> | null;
  let seen: ArrayLike<number> | null = null;
  if (kind === "Adam") {
    const [b1, b2] = group.betas as [number, number];
    c = lr / (1 - b1 ** t);
    s = Math.sqrt(1 - b2 ** t);
    v = data(group.amsgrad ? state.max_exp_avg_sq : state.exp_avg_sq);
  } else if (kind === "Adamax") {
    const [b1] = group.betas as [number, number];
    mode = 2;
    c = lr / (1 - b1 ** t);
    eps = 0;
    v = data(state.exp_inf);
    seen = data(state.exp_avg);
    if (seen === null || seen.length !== n) return null;
  } else if (kind === "RMSprop") {
    c = lr * (group.momentum > 0 ? 1 / (1 - group.momentum) : 1);
    v = data(state.square_avg);
    if (group.centered) {
      mode = 3;
      w = data(state.grad_avg);
      if (w === null || w.length !== n) return null;
    }
  } else {
    c = lr / (1 + (t - 1) * group.lr_decay);
    v = data(state.sum);
  }
  if (v === null || v.length !== n) return null;
  return { mode, c, s, eps, v, w, n, seen: seen ?? v };
}

/** f_i of a factor view. */
export function factorAt(f: FactorView, i: number): number {
  switch (f.mode) {
    case 0: return f.c;
    case 1: return f.c / (Math.sqrt((f.v as ArrayLike<number>)[i]) / f.s + f.eps);
    case 2: return f.c / (f.v as ArrayLike<number>)[i];
    default: {
      const v = f.v as ArrayLike<number>, w = f.w as ArrayLike<number>;
      return f.c / (Math.sqrt(v[i] - w[i] * w[i]) + f.eps);
    }
  }
}

/** x_i of a factor view: v_i, or v_i − w_i² in mode 3 (the expression factorAt takes √ of). */
export function factorX(f: FactorView, i: number): number {
  const v = f.v as ArrayLike<number>;
  if (f.mode === 3) {
    const w = f.w as ArrayLike<number>;
    return v[i] - w[i] * w[i];
  }
  return v[i];
}

/** f as a function of x (x = v_i, or v_i − w_i² in mode 3): factorAt(f, i) = factorOf(f, factorX(f, i)). */
export function factorOf(f: FactorView, x: number): number {
  if (f.mode === 0) return f.c;
  if (f.mode === 2) return f.c / x;
  return f.c / (Math.sqrt(x) / f.s + f.eps);
}

/**
 * Exact [min, max] of the view's factors (see FactorView): one pass over x, none over f. NaN
 * entries of the state are passed over; [NaN, NaN] when every one is NaN. `xr`: the view's
 * factorXRange, when the caller has it.
 */
export function factorRange(f: FactorView, xr: XRange = factorXRange(f)): [number, number] {
  if (f.mode === 0) return [f.c, f.c];
  const [lo, hi] = xr;
  // every x NaN (a state gone non-finite), or no element counts: no range
  if (!(lo <= hi)) return [NaN, NaN];
  const a = factorOf(f, lo), b = factorOf(f, hi);
  return a <= b ? [a, b] : [b, a];
}

/** [min of x, max of x, how many elements count] of a factor view. */
export type XRange = [number, number, number];

/**
 * [min, max] of the view's x over the elements that count (`counts`), NaN entries passed over
 * ([Infinity, -Infinity] when none is left), and how many elements count (NaN ones included).
 */
export function factorXRange(f: FactorView): XRange {
  if (f.mode === 0) return [NaN, NaN, f.n];
  const v = f.v as ArrayLike<number>;
  let lo = Infinity, hi = -Infinity, m = 0;
  if (f.mode === 3) {
    const w = f.w as ArrayLike<number>;
    for (let i = 0; i < f.n; i++) {
      if (v[i] === 0) continue;
      m++;
      const x = v[i] - w[i] * w[i];
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  } else if (f.mode === 2) {
    const seen = f.seen as ArrayLike<number>;
    for (let i = 0; i < f.n; i++) {
      if (seen[i] === 0) continue;
      m++;
      const x = v[i];
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  } else if (f.seen === null) {
    for (let i = 0; i < f.n; i++) {
      const x = v[i];
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    m = f.n;
  } else {
    for (let i = 0; i < f.n; i++) {
      const x = v[i];
      if (x === 0) continue;
      m++;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  return [lo, hi, m];
}

/**
 * `lr_momentum_steady`: the step per unit gradient once momentum has built up under a constant
 * gradient. SGD: the buffer b ← μb + (1−τ)g converges to (1−τ)g/(1−μ), so the step is
 * γ(1−τ)/(1−μ) (Sutskever et al. 2013; PyTorch SGD docs). Nesterov (which requires τ = 0)
 * steps along g + μb → g(1 + μ/(1−μ)) = g/(1−μ): the same limit. RMSprop: γ/(1−μ) on top of its
 * preconditioner (which lr_preconditioned already includes). Null for other optimizers.
 */
export function momentumSteady(kind: PreconditionedKind | null, group: Group): number | null {
  if (kind === "SGD") {
    const mu = Number(group.momentum ?? 0);
    const tau = Number(group.dampening ?? 0);
    if (mu === 0) return Number(group.lr);
    return (Number(group.lr) * (1 - tau)) / (1 - mu);
  }
  if (kind === "RMSprop") return Number(group.lr) / (1 - Number(group.momentum ?? 0));
  return null;
}
