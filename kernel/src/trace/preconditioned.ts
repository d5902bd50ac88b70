/**
 * `lr_preconditioned`: the optimizer's own per-element learning rate, read from its state after
 * `step()` (so it is the factor that step used; where the state has moved past what the step
 * read, Adadelta's acc_delta and ASGD's eta, that value is recovered: below), following
 * /work/shared/EFFECTIVE_LR.md. For every optimizer below the step is Δ = −f ⊙ d (plus weight
 * decay), where d is the direction the optimizer moves along (g, or a momentum average of g) and
 * f the per-element factor returned here. t is `state.step` after the step; γ the group's lr.
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
 *   NAdam          f = γ(a_t + b_t) / (√v_t/√(1−β2^t) + ε),  a_t = (1−μ_t)/(1−Π_t),
 *                  b_t = μ_{t+1}/(1−Π_t·μ_{t+1}),  μ_k = β1(1 − ½·0.96^{kψ}) (momentum_decay ψ),
 *                  Π_t = mu_product = Π_{k≤t} μ_k;  direction d = (a_t·g_t + b_t·m_t)/(a_t + b_t)
 *                                                                (optim/nadam.ts; Dozat 2016)
 *   RAdam          ρ_t = ρ_∞ − 2tβ2^t/(1−β2^t), ρ_∞ = 2/(1−β2) − 1;
 *                  ρ_t > 5:  f = (γ·r_t·√(1−β2^t)/(1−β1^t)) / (√v_t + ε),
 *                            r_t = √((ρ_t−4)(ρ_t−2)ρ_∞ / ((ρ_∞−4)(ρ_∞−2)ρ_t))
 *                  ρ_t ≤ 5:  f = γ/(1−β1^t), the same for every element (no √v)
 *                                                                (optim/radam.ts; Liu et al. 2020)
 *   Adadelta       f = γ·√(u_{t−1} + ε) / √(v_t + ε),  u = acc_delta, v = square_avg, d = g_t
 *                                                                (optim/adadelta.ts; Zeiler 2012)
 *   ASGD           f = η_{t−1} = γ/(1 + λγ(t−1))^α, the same for every element, d = g_t
 *                                                                (optim/asgd.ts; Bottou 2012)
 *   Adafactor      f = α_t / max(1, RMS(U_t)/d_clip) / √max(v̂_t, ε1²),  d = g_t,
 *                  α_t = max(ε2, RMS(θ_{t−1}))·min(γ, 1/√t),  U_t = g_t/√max(v̂_t, ε1²),
 *                  v̂_t = R_t C_t / max(mean(R_t), ε1) (matrices: row_var, col_var), v_t (vectors)
 *                                                                (optim/adafactor.ts; Shazeer & Stern 2018)
 *
 * The convention is Adam's: f holds every coefficient of the step, scalar and per-element, and d
 * is the raw vector the step reads (Adam: d = m_t, and its bias correction 1/(1−β1^t) is in f;
 * RAdam the same). NAdam's step combines two vectors, g_t and m_t, with two coefficients γa_t/D_i
 * and γb_t/D_i (D_i = √(v_t/(1−β2^t)) + ε): f holds their sum, d their weighted mean; with a_t = 0
 * this is Adam's f and d. g_t includes λθ under L2 weight decay; a decoupled decay θ(1 − γλ) is
 * the "plus weight decay". test/fixtures/generate_trace_factors.py checks Δ = −f ⊙ d against
 * PyTorch's real steps for each of the five. Where each one is exact:
 * - NAdam, RAdam: exactly, from the state after the step (v_t, mu_product = Π_t).
 * - Adadelta: the step reads u_{t−1} (acc_delta before this step's update) and v_t (square_avg
 *   after it), but the state holds u_t = ρu_{t−1} + (1−ρ)Δx_t², Δx_t² = (u_{t−1}+ε)·q,
 *   q = g_t²/(v_t+ε). That is solved for u_{t−1} with the step's g_t (the tracer's copy, negated
 *   under maximize, plus λθ_t under weight_decay): u_{t−1} = (u_t − (1−ρ)εq) / (ρ + (1−ρ)q);
 *   exact up to the rounding of the stored u_t (a few ulps of √(u+ε)). Where ρ + (1−ρ)q = 0
 *   (ρ = 0 and g = 0: a step of 0) the factor is not known (NaN, left out of the quantiles).
 * - ASGD: the step uses η_{t−1}, the eta the previous step left; the state now holds η_t. η_{t−1}
 *   is recomputed from the group's lr, lambd, alpha and t, rounded as the state is (the default
 *   scalar dtype): exact when lr did not change since the previous step (a scheduler that changes
 *   lr every step makes it the eta for the current lr). Its decay θ(1 − λη) counts as weight decay.
 * - Adafactor: α_t and RMS(U_t) are scalars of the whole tensor, taken from the tracer's copies of
 *   θ_{t−1} (before the decoupled decay, as the step takes it) and g_t; exact up to rounding.
 *
 * Elements whose state has seen no gradient yet have no factor: Adam's, RMSprop's and Adagrad's
 * (initial_accumulator_value 0) second moment is still exactly 0 there, Adamax's first moment
 * (its u is ε there). Their factor would read γ/((1−β1^t)·ε) or γ/ε (1e5 to 1e10 for the defaults)
 * while their step is 0: unused embedding rows, dead ReLU units, masked inputs made the quantiles
 * of a whole group read ~1e5 under Adam (a user's pass). They are left out of the quantiles and
 * the min/max, as lr_elementwise leaves out g = 0 and SparseAdam the rows its step did not touch;
 * a parameter none of whose elements has seen a gradient has no factor (null).
 *
 * NAdam's, RAdam's (adaptive branch), Adadelta's (v_t = 0) and Adafactor's (v̂_t = 0) unseen
 * elements are left out the same way.
 *
 * Not covered (null; the measured lr_elementwise still describes them): Rprop (sign-based: the
 * step size does not multiply g), Muon (orthogonalised update, not element-wise), LBFGS (a
 * quasi-Newton direction).
 *
 * `kind` is found from the class chain, so a user's subclass of Adam counts as Adam, as long as the
 * step it takes is Adam's own: a subclass that overrides `step()` (LARS or LAMB written over SGD's
 * groups, a projection after `super.step()`, a doubled step) takes another step than the formula
 * describes, so it has no factor (null, as an unknown optimizer), and `factorNote` says why (a
 * user's pass read "lr_preconditioned median 0.1" for a LARS whose measured rates were 0.067 and
 * 0.092).
 */
import type { Tensor } from "../tensor/tensor";
import { get_default_dtype } from "../tensor/dtype";
import { adamPowers } from "../optim/adam_powers";

export type PreconditionedKind =
  | "SGD" | "Adam" | "Adamax" | "RMSprop" | "Adagrad" | "SparseAdam" | "NAdam" | "RAdam" | "Adadelta" | "ASGD" | "Adafactor";

const KINDS: Record<string, PreconditionedKind> = {
  SGD: "SGD",
  Adam: "Adam",
  AdamW: "Adam",
  Adamax: "Adamax",
  RMSprop: "RMSprop",
  Adagrad: "Adagrad",
  SparseAdam: "SparseAdam",
  NAdam: "NAdam",
  RAdam: "RAdam",
  Adadelta: "Adadelta",
  ASGD: "ASGD",
  Adafactor: "Adafactor",
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

/** The tracer's copies of the step's θ_t and g_t (snapshot.ts), which Adadelta's and Adafactor's factors need. */
export interface StepCopies {
  theta: ArrayLike<number>;
  grad: ArrayLike<number>;
}

/** The kinds whose factor view needs the step's copies of θ_t and g_t (factorView's `copies`). */
export const NEEDS_COPIES: ReadonlySet<PreconditionedKind> = new Set<PreconditionedKind>(["Adadelta", "Adafactor"]);

/** NAdam's μ_k = β1(1 − ½·0.96^{kψ}), as optim/nadam.ts computes it. */
const nadamMu = (b1: number, psi: number, k: number) => b1 * (1 - 0.5 * 0.96 ** (k * psi));

/**
 * RAdam's scalar factor at step t: [c, adaptive]. Adaptive (ρ_t > 5): c = γ·r_t·√(1−β2^t)/(1−β1^t),
 * f_i = c/(√v_i + ε); else c = γ/(1−β1^t) for every element.
 */
function radamScalar(group: Group, t: number): [number, boolean] {
  const [b1, b2] = group.betas as [number, number];
  const lr = Number(group.lr);
  const bc1 = 1 - b1 ** t, bc2 = 1 - b2 ** t;
  const rhoInf = 2 / (1 - b2) - 1;
  const rhoT = rhoInf - (2 * t * b2 ** t) / bc2;
  if (!(rhoT > 5)) return [lr / bc1, false];
  const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
  return [(lr * rect * Math.sqrt(bc2)) / bc1, true];
}

/**
 * Adadelta's factors γ√(u_{t−1}+ε)/√(v_t+ε) (u_{t−1} solved from the state, file comment) into a
 * new array; null when the state or copies do not fit.
 */
function adadeltaFactors(group: Group, state: Record<string, any>, n: number, copies: StepCopies | null): Float64Array | null { // eslint-disable-line @typescript-eslint/no-explicit-any
  const v = data(state.square_avg), u = data(state.acc_delta);
  if (v === null || u === null || copies === null || v.length !== n || u.length !== n || copies.grad.length !== n || copies.theta.length !== n) return null;
  const lr = Number(group.lr), rho = Number(group.rho), eps = Number(group.eps), wd = Number(group.weight_decay ?? 0);
  const sign = group.maximize ? -1 : 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // the gradient the step read (optim/_functional.ts effectiveGrad): ±g_t + λθ_t
    const g = sign * copies.grad[i] + wd * copies.theta[i];
    const q = (g * g) / (v[i] + eps);
    const den = rho + (1 - rho) * q;
    const prev = Math.max(0, (u[i] - (1 - rho) * eps * q) / den);
    out[i] = den === 0 ? NaN : (lr * Math.sqrt(prev + eps)) / Math.sqrt(v[i] + eps);
  }
  return out;
}

/**
 * Adafactor's factors α_t / max(1, RMS(U_t)/d) / √max(v̂_i, ε1²) (file comment) into a new array,
 * and which elements count (v̂_i ≠ 0); null when the state or copies do not fit.
 */
function adafactorFactors(group: Group, state: Record<string, any>, n: number, copies: StepCopies | null): [Float64Array, Uint8Array] | null { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (copies === null || copies.grad.length !== n || copies.theta.length !== n) return null;
  const t = Number(state.step);
  const [eps1Opt, eps2] = group.eps as [number | null, number];
  const vhat = new Float64Array(n);
  const row = data(state.row_var), col = data(state.col_var), vec = data(state.variance);
  let f32: boolean;
  if (vec !== null) {
    if (vec.length !== n) return null;
    f32 = vec instanceof Float32Array;
    for (let i = 0; i < n; i++) vhat[i] = vec[i];
  } else {
    if (row === null || col === null) return null;
    const shape = (state.row_var as Tensor).shape;
    const R = shape[shape.length - 2], C = (state.col_var as Tensor).shape.at(-1) as number;
    const batches = n / (R * C);
    if (!(R > 0 && C > 0) || !Number.isInteger(batches) || row.length !== R * batches || col.length !== C * batches) return null;
    f32 = row instanceof Float32Array;
    const eps1 = eps1Opt ?? (f32 ? 2 ** -23 : 2 ** -52);
    for (let b = 0; b < batches; b++) {
      let s = 0;
      for (let i = 0; i < R; i++) s += row[b * R + i];
      const meanRow = Math.max(s / R, eps1);
      for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) vhat[(b * R + i) * C + j] = (row[b * R + i] * col[b * C + j]) / meanRow;
    }
  }
  const eps1 = eps1Opt ?? (f32 ? 2 ** -23 : 2 ** -52);
  const floor = eps1 * eps1;
  let th = 0, uu = 0;
  const out = new Float64Array(n), seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    th += copies.theta[i] * copies.theta[i];
    const inv = 1 / Math.sqrt(Math.max(vhat[i], floor));
    out[i] = inv;
    seen[i] = vhat[i] !== 0 ? 1 : 0;
    const u = copies.grad[i] * inv;
    uu += u * u;
  }
  const alpha = Math.max(eps2, Math.sqrt(th) / Math.sqrt(n)) * Math.min(Number(group.lr), 1 / Math.sqrt(t));
  const c = alpha / Math.max(1, Math.sqrt(uu) / (Math.sqrt(n) * Number(group.d)));
  for (let i = 0; i < n; i++) out[i] *= c;
  return [out, seen];
}

/** ASGD's η_{t−1} = γ/(1 + λγ(t−1))^α, rounded as its state (file comment). */
function asgdEta(group: Group, t: number): number {
  const lr = Number(group.lr);
  const eta = lr / (1 + Number(group.lambd) * lr * (t - 1)) ** Number(group.alpha);
  // as optim/_functional.ts scalarRounder: the default scalar dtype (not imported from there, so
  // the tracer's worker thread, which loads this file through sample.ts, does not load optim/)
  return get_default_dtype() === "float64" ? eta : Math.fround(eta);
}

/**
 * Write the factor of each element of `p` into `out` starting at `offset`; returns false when the
 * state does not allow it (not stepped yet, unknown layout). SparseAdam's factors are those of the
 * elements at `present` (this step's sparse gradient's positions), n = present.length of them.
 * NAdam, RAdam, Adadelta, ASGD and Adafactor: the factors of their view (factorView, which for
 * Adadelta and Adafactor holds the factors themselves), `copies` as there.
 */
export function preconditionedFactors(
  kind: PreconditionedKind,
  group: Group,
  state: State,
  n: number,
  out: Float64Array,
  offset: number,
  present: ArrayLike<number> | null = null,
  copies: StepCopies | null = null,
): boolean {
  const lr = Number(group.lr);
  if (kind === "NAdam" || kind === "RAdam" || kind === "Adadelta" || kind === "ASGD" || kind === "Adafactor") {
    const f = factorView(kind, group, state, n, null, copies);
    if (f === null) return false;
    for (let i = 0; i < n; i++) out[offset + i] = factorAt(f, i);
    return true;
  }
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
 *   mode 4  f_i = v_i                      Adadelta, Adafactor: v holds the factors, computed once
 *                                          per step (they depend on two arrays, or on scalars of the
 *                                          whole tensor, so no one x orders them)
 *
 * NAdam and adaptive RAdam are mode 1 (NAdam s = √(1−β2^t); RAdam s = 1, ε added to √v before
 * its scalar), RAdam before its switch and ASGD mode 0.
 *
 * Each expression is the one `preconditionedFactors` evaluates, operation for operation, so the
 * values are bit-identical. Min/max: f is a monotone function of x_i = v_i (mode 3: v_i − w_i²),
 * and IEEE-754 √, ÷ and + are correctly rounded, hence monotone too; so the extreme factors are
 * exactly f(min x) and f(max x), and only x needs a pass (no √ or ÷ per element).
 */
export interface FactorView {
  mode: 0 | 1 | 2 | 3 | 4;
  c: number;
  s: number;
  eps: number;
  v: ArrayLike<number> | null;
  w: ArrayLike<number> | null;
  n: number;
  /**
   * The state that tells whether an element has seen a gradient: its zero entries are left out
   * (the file comment). v itself in modes 1 and 3, Adamax's first moment in mode 2; null in mode 0
   * and for SparseAdam (its view holds only the rows its step touched); in mode 4 Adadelta's v_t,
   * Adafactor's marks of v̂_t ≠ 0.
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
 * the positions its sparse gradient had at this step; null: not known, no view). `into`: a view
 * to refresh and return instead of a new one (the tracer keeps one per parameter).
 */
export function factorView(
  kind: PreconditionedKind,
  group: Group,
  state: State,
  n: number,
  present: ArrayLike<number> | null = null,
  copies: StepCopies | null = null,
  into: FactorView | null = null,
): FactorView | null {
  const lr = Number(group.lr);
  if (kind === "SparseAdam") {
    const t = Number(state?.step);
    const v = data(state?.exp_avg_sq);
    if (!(t >= 1) || v === null || v.length !== n || present === null) return null;
    const vp = new Float64Array(present.length);
    for (let i = 0; i < vp.length; i++) vp[i] = v[present[i]];
    return viewOf(into, 1, sparseAdamStepSize(group, t), 1, group.eps as number, vp, null, vp.length, null);
  }
  if (kind === "SGD") return viewOf(into, 0, lr, 1, 0, null, null, n, null);
  if (state === undefined) return null;
  const t = Number(state.step);
  if (!(t >= 1)) return null;
  let mode: FactorView["mode"] = 1, c: number, s = 1, eps = group.eps as number, w: ArrayLike<number> | null = null;
  let v: ArrayLike<number> | null;
  let seen: ArrayLike<number> | null = null;
  if (kind === "ASGD") return viewOf(into, 0, asgdEta(group, t), 1, 0, null, null, n, null);
  if (kind === "RAdam") {
    const [cr, adaptive] = radamScalar(group, t);
    if (!adaptive) return viewOf(into, 0, cr, 1, 0, null, null, n, null);
    c = cr;
    v = data(state.exp_avg_sq);
  } else if (kind === "Adadelta") {
    const fs = adadeltaFactors(group, state, n, copies);
    if (fs === null) return null;
    return viewOf(into, 4, 1, 1, 0, fs, null, n, data(state.square_avg));
  } else if (kind === "Adafactor") {
    const fs = adafactorFactors(group, state, n, copies);
    if (fs === null) return null;
    return viewOf(into, 4, 1, 1, 0, fs[0], null, n, fs[1]);
  } else if (kind === "NAdam") {
    const [b1, b2] = group.betas as [number, number];
    const psi = Number(group.momentum_decay), prod = Number(state.mu_product);
    const mu = nadamMu(b1, psi, t), muNext = nadamMu(b1, psi, t + 1);
    c = lr * ((1 - mu) / (1 - prod) + muNext / (1 - prod * muNext));
    s = Math.sqrt(1 - b2 ** t);
    v = data(state.exp_avg_sq);
  } else if (kind === "Adam") {
    return adamView(lr, group.betas, eps, group.amsgrad, state, n, into);
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
  return viewOf(into, mode, c, s, eps, v, w, n, seen ?? v);
}

/**
 * factorView of Adam/AdamW from the group's values (γ as a number, betas, ε, amsgrad), which the
 * caller reads once for all the group's parameters (steps.ts's small path: a group's property
 * read is a megamorphic load, one per property a step rather than one per parameter).
 */
export function adamView(lr: number, betas: unknown, eps: number, amsgrad: unknown, state: State, n: number, into: FactorView | null = null): FactorView | null {
  if (state === undefined) return null;
  const t = Number(state.step);
  if (!(t >= 1)) return null;
  const b1 = (betas as [number, number])[0], b2 = (betas as [number, number])[1];
  // the parameters of a group share c and s at a step: the powers once per group, not per tensor
  // (numbers only: a β given as a tensor is read each time; Object.is: γ = −0 gives c = −0)
  const k = adamScalars;
  if (k.t !== t || !Object.is(k.lr, lr) || k.b1 !== b1 || k.b2 !== b2 || typeof b1 !== "number" || typeof b2 !== "number") {
    k.t = t;
    k.lr = lr;
    k.b1 = b1;
    k.b2 = b2;
    // (β1^t and β2^t: the optimizer's own of this step when they are the ones needed)
    const p = adamPowers;
    const same = p.t === t && p.b1 === b1 && p.b2 === b2;
    k.c = lr / (1 - (same ? p.p1 : b1 ** t));
    k.s = Math.sqrt(1 - (same ? p.p2 : b2 ** t));
  }
  const v = data(amsgrad ? state.max_exp_avg_sq : state.exp_avg_sq);
  if (v === null || v.length !== n) return null;
  return viewOf(into, 1, k.c, k.s, eps, v, null, n, v);
}

/**
 * A factor view of these fields: `into` refreshed when given (a tracer's view kept from one step
 * to the next: PERF.md session 22), else a new one; one shape for every mode.
 */
function viewOf(
  into: FactorView | null, mode: FactorView["mode"], c: number, s: number, eps: number,
  v: ArrayLike<number> | null, w: ArrayLike<number> | null, n: number, seen: ArrayLike<number> | null,
): FactorView {
  if (into === null) return { mode, c, s, eps, v, w, n, seen };
  into.mode = mode;
  into.c = c;
  into.s = s;
  into.eps = eps;
  into.v = v;
  into.w = w;
  into.n = n;
  into.seen = seen;
  return into;
}

/**
 * Adam's c = γ/(1 − β1^t) and s = √(1 − β2^t) of the last (γ, β1, β2, t) factorView saw (NaN: none
 * yet, and NaN never equals, so a NaN γ or β is computed each time, as before).
 */
const adamScalars = { t: NaN, lr: NaN, b1: NaN, b2: NaN, c: NaN, s: NaN };

/** f_i of a factor view. */
export function factorAt(f: FactorView, i: number): number {
  switch (f.mode) {
    case 0: return f.c;
    case 1: return f.c / (Math.sqrt((f.v as ArrayLike<number>)[i]) / f.s + f.eps);
    case 2: return f.c / (f.v as ArrayLike<number>)[i];
    case 4: return (f.v as ArrayLike<number>)[i];
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

/** f as a function of x (x = v_i, or v_i − w_i² in mode 3; mode 4: f = x): factorAt(f, i) = factorOf(f, factorX(f, i)). */
export function factorOf(f: FactorView, x: number): number {
  if (f.mode === 0) return f.c;
  if (f.mode === 4) return x;
  if (f.mode === 2) return f.c / x;
  return f.c / (Math.sqrt(x) / f.s + f.eps);
}

/**
 * Exact [min, max] of the view's factors (see FactorView): one pass over x, none over f. NaN
 * entries of the state are passed over; [NaN, NaN] when every one is NaN. `xr`: the view's
 * factorXRange, when the caller has it. `into`: a pair to write and return instead of a new one.
 */
export function factorRange(f: FactorView, xr: XRange = factorXRange(f), into: [number, number] | null = null): [number, number] {
  let a: number, b: number;
  if (f.mode === 0) a = b = f.c;
  else {
    const lo = xr[0], hi = xr[1];
    // every x NaN (a state gone non-finite), or no element counts: no range
    if (!(lo <= hi)) a = b = NaN;
    else {
      const flo = factorOf(f, lo), fhi = factorOf(f, hi);
      a = flo <= fhi ? flo : fhi;
      b = flo <= fhi ? fhi : flo;
    }
  }
  if (into === null) return [a, b];
  into[0] = a;
  into[1] = b;
  return into;
}

/** [min of x, max of x, how many elements count] of a factor view. */
export type XRange = [number, number, number];

/**
 * [min, max] of the view's x over the elements that count (`counts`), NaN entries passed over
 * ([Infinity, -Infinity] when none is left), and how many elements count (NaN ones included).
 * `into`: a triple to write and return instead of a new one.
 */
export function factorXRange(f: FactorView, into: XRange | null = null): XRange {
  if (f.mode === 0) return xrangeOf(into, NaN, NaN, f.n);
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
  } else if (f.seen !== null && f.seen !== v) {
    // modes 2 and 4: the elements that count are marked by another array than x
    const seen = f.seen;
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
  return xrangeOf(into, lo, hi, m);
}

function xrangeOf(into: XRange | null, lo: number, hi: number, m: number): XRange {
  if (into === null) return [lo, hi, m];
  into[0] = lo;
  into[1] = hi;
  into[2] = m;
  return into;
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
