/**
 * torch.linalg's factorisations (dense.ts does the arithmetic): qr (reduced / complete / r), eigh
 * and eigvalsh (eigenvalues ascending), svd and svdvals (singular values descending, full_matrices),
 * and what they give: pinv and matrix_rank. Batched over leading dims, float32 and float64, with
 * PyTorch's gradients (each output is its own graph node; their gradients add up, as the
 * backward formulas are linear in the output gradients):
 *   qr (m ≥ n):  dA = [ḡQ + Q·copyltu(M)]·R⁻ᵀ, M = R ḡRᵀ − ḡQᵀ Q (m < n: A = [X | Y] split)
 *   eigh:        dA = V (diag(ḡλ) + skew(Vᵀ ḡV) / E) Vᵀ, skew X = (X − Xᵀ)/2, E_ij = λ_j − λ_i
 *   svd:         dA = U [(skew(Uᵀ ḡU) S + S skew(Vᵀ ḡV)) / E + diag(ḡS)] Vᵀ (+ the parts off
 *                U's and V's spans), skew X = X − Xᵀ, E_jk = S_k² − S_j²
 * Eigenvectors and singular vectors are defined up to sign (per column; per pair u_i, v_i for
 * the SVD): lrlab's methods (QL, Jacobi) may pick other signs than PyTorch's LAPACK, as PyTorch's own
 * documentation warns between backends; quantities that do not depend on the signs (V diag(λ) Vᵀ,
 * U diag(S) Vh, |V|, S, λ) agree. QR follows LAPACK's Householder convention, so Q and R match.
 */
import { Tensor } from "../tensor";
import { attach } from "../autograd";
import { saves } from "../version";
import { check_matrix, eps_of, from_blocks, grad_blocks, matrices } from "./common";
import * as D from "./dense";
import { pyArgs } from "../../utils/py_args";
import { nearKey } from "../../close_matches";
import type { Mat } from "./dense";
import { named } from "./return_types";
import type { EighResult, QRResult, SVDResult } from "./return_types";

// What PyTorch's nodes save (each lrlab output has a node of its own; each saves what the one
// PyTorch node saves, all of the op's outputs, each named as PyTorch's output i of the op)
const TWO_OUTPUTS = saves("x0@0, x1@1");
const THREE_OUTPUTS = saves("x0@0, x1@1, x2@2");
/** eigvalsh: PyTorch's node saves the eigenvalues (output 0) and eigenvectors no one else holds. */
const EIGVALS_SAVES = saves("out");
/** svdvals: the singular values are output 1 of PyTorch's LinalgSvd node. */
const SVDVALS_SAVES = saves("out@1");
const PINV_SAVES = saves("0, out");

export interface QROptions {
  /** "reduced" (default: Q m×k, R k×n), "complete" (Q m×m, R m×n) or "r" (R only; Q empty). */
  mode?: "reduced" | "complete" | "r";
}

/** `torch.linalg.qr(A, { mode })`: A = Q R with orthonormal Q and upper-triangular R (Householder, LAPACK's signs). */
export function qr(A: Tensor, mode: QROptions["mode"] | QROptions = "reduced"): QRResult {
  // an unknown key used to be ignored
  const md = (pyArgs("linalg.qr", [["mode", "any"]], [mode]).mode as string | undefined) ?? "reduced";
  if (md !== "reduced" && md !== "complete" && md !== "r") {
    throw new RangeError(`qr received unrecognized mode '${String(md)}' but expected one of 'reduced' (default), 'r', or 'complete'`);
  }
  check_matrix(A, "linalg.qr", false);
  const { batch, m, n, mats } = matrices(A);
  const k = Math.min(m, n);
  const complete = md === "complete";
  const fs = mats.map((a) => D.qr(a, m, n, complete));
  const qc = complete ? m : k;
  const rr = complete ? m : k;
  const Q = md === "r" ? new Tensor(new (A.dtype === "float32" ? Float32Array : Float64Array)(0), [0], A.dtype) : from_blocks(fs.map((f) => f.Q), [...batch, m, qc], A.dtype);
  const R = from_blocks(fs.map((f) => f.R), [...batch, rr, n], A.dtype);
  const backward = (gQs: D.Mat[] | null, gRs: D.Mat[] | null, dtype: Tensor["dtype"]): Tensor => {
    if (md === "r") {
      throw new Error("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.");
    }
    if (complete && m > n) throw new Error("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.");
    const blocks = fs.map((f, b) => qr_backward(mats[b], f.Q, f.R, gQs?.[b] ?? null, gRs?.[b] ?? null, m, n));
    return from_blocks(blocks, A.shape, dtype);
  };
  const outs = [Q, R];
  const Qa = md === "r" ? Q : attach(Q, "LinalgQrBackward0", [A], (g) => [backward(grad_blocks(g, mats.length), null, g.dtype)], true, TWO_OUTPUTS, outs);
  const Ra = attach(R, "LinalgQrBackward0", [A], (g) => [backward(null, grad_blocks(g, mats.length), g.dtype)], true, TWO_OUTPUTS, outs);
  return named<QRResult>("linalg_qr", ["Q", "R"], [Qa, Ra]);
}

/** The QR gradient for one matrix (Q m×k, R k×n; reduced, or complete with m ≤ n). */
function qr_backward(a: D.Mat, Q: D.Mat, R: D.Mat, gQ: D.Mat | null, gR: D.Mat | null, m: number, n: number): D.Mat {
  const k = Math.min(m, n);
  if (m < n) {
    // A = [X | Y] with X m×m: X = Q U, Y = Q V. V = Qᵀ Y adds Y ḡVᵀ to ḡQ; ḡY = Q ḡV.
    const U = cols(R, k, n, 0, m);
    const gU = gR === null ? null : cols(gR, k, n, 0, m);
    const gV = gR === null ? null : cols(gR, k, n, m, n - m);
    let gQx: Mat = gQ === null ? new Float64Array(m * m) : gQ.slice();
    if (gV !== null) {
      const Y = cols(a, m, n, m, n - m);
      gQx = add(gQx, D.mm(Y, gV, m, n - m, m, false, true));
    }
    const gX = qr_backward(cols(a, m, n, 0, m), Q, U, gQx, gU, m, m);
    const gY = gV === null ? new Float64Array(m * (n - m)) : D.mm(Q, gV, m, m, n - m);
    const out = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) out[i * n + j] = gX[i * m + j];
      for (let j = 0; j < n - m; j++) out[i * n + m + j] = gY[i * (n - m) + j];
    }
    return out;
  }
  // m ≥ n, k = n: M = R ḡRᵀ − ḡQᵀ Q; gA = (ḡQ + Q copyltu(M)) R⁻ᵀ
  const gq = gQ ?? new Float64Array(m * k);
  let M: Mat = new Float64Array(k * k);
  if (gR !== null) M = add(M, D.mm(R, gR, k, n, k, false, true));
  if (gQ !== null) M = add(M, D.mm(gQ, Q, k, m, k, true).map((v) => -v));
  const C = new Float64Array(k * k); // copyltu: the lower triangle mirrored onto the upper one
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) C[i * k + j] = i >= j ? M[i * k + j] : M[j * k + i];
  const B = add(gq, D.mm(Q, C, m, k, k));
  // B R⁻ᵀ = (R⁻¹ Bᵀ)ᵀ
  return D.tr(D.tri_solve(R, D.tr(B, m, k), k, m, false), k, m);
}

function cols(a: D.Mat, r: number, c: number, from: number, count: number): D.Mat {
  const out = new Float64Array(r * count);
  for (let i = 0; i < r; i++) for (let j = 0; j < count; j++) out[i * count + j] = a[i * c + from + j];
  return out;
}

function add(a: D.Mat, b: D.Mat): D.Mat {
  const out = a.slice();
  for (let i = 0; i < out.length; i++) out[i] += b[i];
  return out;
}

function check_uplo(UPLO: unknown): boolean {
  if (UPLO !== "L" && UPLO !== "U") throw new RangeError(`Expected UPLO argument to be 'L' or 'U', but got ${String(UPLO)}`);
  return UPLO === "L";
}

export interface EighOptions {
  /** Which triangle of A is read: "L" (default) or "U". */
  UPLO?: "L" | "U";
}

/** `torch.linalg.eigh(A, UPLO="L")`: eigenvalues (ascending) and orthonormal eigenvectors (columns) of symmetric A [..., n, n]. */
export function eigh(A: Tensor, UPLO: "L" | "U" | EighOptions = "L"): EighResult {
  const lower = check_uplo(pyArgs("linalg.eigh", [["UPLO", "any"]], [UPLO]).UPLO ?? "L");
  check_matrix(A, "linalg.eigh", true);
  const { batch, n, mats } = matrices(A);
  const es = mats.map((a) => D.eigh(a, n, lower));
  const L = from_blocks(es.map((e) => e.w), [...batch, n], A.dtype);
  const V = from_blocks(es.map((e) => e.V), A.shape, A.dtype);
  const backward = (gLs: D.Mat[] | null, gVs: D.Mat[] | null, dtype: Tensor["dtype"]) =>
    from_blocks(es.map((e, b) => eigh_backward(e.w, e.V, gLs?.[b] ?? null, gVs?.[b] ?? null, n)), A.shape, dtype);
  const outs = [L, V];
  const La = attach(L, "LinalgEighBackward0", [A], (g) => [backward(grad_blocks(g, mats.length), null, g.dtype)], true, TWO_OUTPUTS, outs);
  const Va = attach(V, "LinalgEighBackward0", [A], (g) => [backward(null, grad_blocks(g, mats.length), g.dtype)], true, TWO_OUTPUTS, outs);
  return named<EighResult>("linalg_eigh", ["eigenvalues", "eigenvectors"], [La, Va]);
}

/** `torch.linalg.eigvalsh(A, UPLO="L")`: the eigenvalues of symmetric A, ascending. */
export function eigvalsh(A: Tensor, UPLO: "L" | "U" | EighOptions = "L"): Tensor {
  const lower = check_uplo(pyArgs("linalg.eigvalsh", [["UPLO", "any"]], [UPLO]).UPLO ?? "L");
  check_matrix(A, "linalg.eigvalsh", true);
  const { batch, n, mats } = matrices(A);
  const es = mats.map((a) => D.eigh(a, n, lower));
  const L = from_blocks(es.map((e) => e.w), [...batch, n], A.dtype);
  return attach(L, "LinalgEighBackward0", [A], (g) => {
    const gs = grad_blocks(g, mats.length);
    return [from_blocks(es.map((e, b) => eigh_backward(e.w, e.V, gs[b], null, n)), A.shape, g.dtype)];
  }, true, EIGVALS_SAVES);
}

function eigh_backward(w: Float64Array, V: D.Mat, gL: D.Mat | null, gV: D.Mat | null, n: number): D.Mat {
  const inner = new Float64Array(n * n);
  if (gV !== null) {
    const VhgV = D.mm(V, gV, n, n, n, true);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      if (i !== j) inner[i * n + j] = (0.5 * (VhgV[i * n + j] - VhgV[j * n + i])) / (w[j] - w[i]);
    }
  }
  if (gL !== null) for (let i = 0; i < n; i++) inner[i * n + i] = gL[i];
  return D.mm(D.mm(V, inner, n, n, n), V, n, n, n, false, true);
}

export interface SVDOptions {
  /** true (default): U m×m and Vh n×n; false: U m×k and Vh k×n, k = min(m, n). */
  full_matrices?: boolean;
}

/** `torch.linalg.svd(A, full_matrices=True)`: U, S (descending), Vh with A = U diag(S) Vh, batched. */
export function svd(A: Tensor, full_matrices: boolean | SVDOptions = true): SVDResult {
  const full = (pyArgs("linalg.svd", [["full_matrices", "any"]], [full_matrices]).full_matrices as boolean | undefined) ?? true;
  check_matrix(A, "linalg.svd", false);
  const { batch, m, n, mats } = matrices(A);
  const k = Math.min(m, n);
  const fs = mats.map((a) => D.svd(a, m, n, full));
  const uc = full ? m : k;
  const vc = full ? n : k;
  const U = from_blocks(fs.map((f) => cols(f.U, m, f.uc, 0, uc)), [...batch, m, uc], A.dtype);
  const S = from_blocks(fs.map((f) => f.S.subarray(0, k)), [...batch, k], A.dtype);
  const Vh = from_blocks(fs.map((f) => D.tr(cols(f.V, n, f.vc, 0, vc), n, vc)), [...batch, vc, n], A.dtype);
  type G = { gU?: D.Mat[]; gS?: D.Mat[]; gVh?: D.Mat[] };
  const backward = (gs: G, dtype: Tensor["dtype"]) =>
    from_blocks(fs.map((f, b) => svd_backward(f, gs.gU ? cols(gs.gU[b], m, uc, 0, k) : null, gs.gS?.[b] ?? null, gs.gVh ? gs.gVh[b].subarray(0, k * n) : null, m, n)), A.shape, dtype);
  const outs = [U, S, Vh];
  const Ua = attach(U, "LinalgSvdBackward0", [A], (g) => [backward({ gU: grad_blocks(g, mats.length) }, g.dtype)], true, THREE_OUTPUTS, outs);
  const Sa = attach(S, "LinalgSvdBackward0", [A], (g) => [backward({ gS: grad_blocks(g, mats.length) }, g.dtype)], true, THREE_OUTPUTS, outs);
  const Vha = attach(Vh, "LinalgSvdBackward0", [A], (g) => [backward({ gVh: grad_blocks(g, mats.length) }, g.dtype)], true, THREE_OUTPUTS, outs);
  return named<SVDResult>("linalg_svd", ["U", "S", "Vh"], [Ua, Sa, Vha]);
}

/** `torch.linalg.svdvals(A)`: the singular values of each matrix, descending. */
export function svdvals(A: Tensor): Tensor {
  check_matrix(A, "linalg.svdvals", false);
  const { batch, m, n, mats } = matrices(A);
  const k = Math.min(m, n);
  const fs = mats.map((a) => D.svd(a, m, n, false));
  const S = from_blocks(fs.map((f) => f.S.subarray(0, k)), [...batch, k], A.dtype);
  return attach(S, "LinalgSvdBackward0", [A], (g) => {
    const gs = grad_blocks(g, mats.length);
    return [from_blocks(fs.map((f, b) => svd_backward(f, null, gs[b], null, m, n)), A.shape, g.dtype)];
  }, true, SVDVALS_SAVES);
}

/** The SVD gradient for one matrix from the reduced factors (U m×k, V n×k) and ḡU (m×k), ḡS (k), ḡVh (k×n). */
function svd_backward(f: { U: D.Mat; S: Float64Array; V: D.Mat; uc: number; vc: number }, gU: D.Mat | null, gS: D.Mat | null, gVh: D.Mat | null, m: number, n: number): D.Mat {
  const k = Math.min(m, n);
  const U = cols(f.U, m, f.uc, 0, k);
  const V = cols(f.V, n, f.vc, 0, k);
  const S = f.S;
  const ret = new Float64Array(k * k);
  const UhgU = gU === null ? null : D.mm(U, gU, k, m, k, true);
  const gV = gVh === null ? null : D.tr(gVh, k, n); // n×k
  const VhgV = gV === null ? null : D.mm(V, gV, k, n, k, true);
  for (let j = 0; j < k; j++) for (let l = 0; l < k; l++) {
    if (j === l) continue;
    const E = S[l] * S[l] - S[j] * S[j];
    let v = 0;
    if (UhgU !== null) v += (UhgU[j * k + l] - UhgU[l * k + j]) * S[l];
    if (VhgV !== null) v += S[j] * (VhgV[j * k + l] - VhgV[l * k + j]);
    ret[j * k + l] = v / E;
  }
  if (gS !== null) for (let j = 0; j < k; j++) ret[j * k + j] += gS[j];
  let inner: D.Mat; // m×n before the final products: gA = U·inner_k·Vᵀ plus the off-span parts
  if (m > k && gU !== null) {
    // gA = [U ret + (I − U Uᵀ) ḡU S⁻¹] Vᵀ
    const gUS = gU.slice();
    for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) gUS[i * k + j] /= S[j];
    const proj = D.mm(U, D.mm(U, gUS, k, m, k, true), m, k, k);
    const left = add(add(D.mm(U, ret, m, k, k), gUS), proj.map((x) => -x));
    inner = D.mm(left, V, m, k, n, false, true);
  } else if (n > k && gV !== null) {
    // gA = U [ret Vᵀ + (ḡV S⁻¹)ᵀ (I − V Vᵀ)]
    const gVS = gV.slice();
    for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) gVS[i * k + j] /= S[j];
    const gVSt = D.tr(gVS, n, k); // k×n
    const proj = D.mm(D.mm(gVSt, V, k, n, k), V, k, k, n, false, true);
    const right = add(add(D.mm(ret, V, k, k, n, false, true), gVSt), proj.map((x) => -x));
    inner = D.mm(U, right, m, k, n);
  } else {
    inner = D.mm(D.mm(U, ret, m, k, k), V, m, k, n, false, true);
  }
  return inner;
}

export interface PinvOptions {
  /** Absolute tolerance: singular values ≤ max(atol, rtol·σ₁) count as zero (default 0). */
  atol?: number | null;
  /** Relative tolerance (default eps·max(m, n) when atol is not given, else 0). */
  rtol?: number | null;
  /** A is symmetric: use eigh (|λ| against the tolerance) instead of the SVD. */
  hermitian?: boolean;
}

/** pinv's legacy overload `pinv(A, rcond, hermitian = false)`: rcond is a relative tolerance (rtol). */
export interface PinvRcondOptions {
  rcond?: number;
  hermitian?: boolean;
}
/** matrix_rank's legacy overload `matrix_rank(A, tol, hermitian = false)`: tol is an absolute tolerance (atol). */
export interface MatrixRankTolOptions {
  tol?: number;
  hermitian?: boolean;
}

/**
 * PyTorch 2.13's two overloads: `(A, *, atol, rtol, hermitian)` and the legacy `(A, rcond |
 * tol, hermitian = false)` (positionally or as keywords; pinv's rcond is relative, matrix_rank's
 * tol absolute). An unknown keyword, or the legacy name mixed with atol / rtol, is an error (the
 * legacy keywords used to be ignored silently).
 */
function tol_args(op: string, legacy: "rcond" | "tol", args: readonly unknown[]): PinvOptions {
  const last = args.length > 0 ? args[args.length - 1] : undefined;
  const kw = (last !== null && typeof last === "object" && !(last instanceof Tensor) ? last : {}) as Record<string, unknown>;
  const positional = last === kw ? args.slice(0, -1) : args;
  const legacyForm = positional.length > 0 || legacy in kw;
  const overloads = `(A, *, atol = None, rtol = None, hermitian = False) or (A, ${legacy}, hermitian = False)`;
  if (legacyForm) {
    const a = pyArgs(op, [[legacy, "number"], ["hermitian", "boolean"]], args);
    if (a[legacy] === undefined) throw new TypeError(`${op}() missing required argument '${legacy}' of the overload (A, ${legacy}, hermitian = False)`);
    const h = a.hermitian as boolean | undefined;
    return legacy === "rcond" ? { atol: 0, rtol: a.rcond as number, hermitian: h } : { atol: a.tol as number, rtol: 0, hermitian: h };
  }
  const bad = Object.keys(kw).find((k) => !["atol", "rtol", "hermitian"].includes(k));
  if (bad !== undefined) throw new TypeError(`${op}() got an unexpected keyword argument '${bad}'; its overloads are ${overloads}${nearKey(bad, ["atol", "rtol", "hermitian", legacy])}`);
  for (const k of ["atol", "rtol"]) {
    const v = kw[k];
    if (v !== undefined && v !== null && typeof v !== "number") throw new TypeError(`${op}(): argument '${k}' must be a number or null, not ${typeof v}`);
  }
  if (kw.hermitian !== undefined && typeof kw.hermitian !== "boolean") throw new TypeError(`${op}(): argument 'hermitian' must be bool, not ${typeof kw.hermitian}`);
  return kw as PinvOptions;
}

/** PyTorch's default tolerances: rtol = eps·max(m, n) when neither is given, else 0; atol 0. */
function tolerances(A: Tensor, o: PinvOptions): { atol: number; rtol: number } {
  const m = A.shape[A.dim() - 2];
  const n = A.shape[A.dim() - 1];
  const atol = o.atol ?? 0;
  const rtol = o.rtol ?? (o.atol === undefined || o.atol === null ? eps_of(A.dtype) * Math.max(m, n) : 0);
  return { atol, rtol };
}

/**
 * `torch.linalg.pinv(A, { atol, rtol, hermitian })`: the Moore–Penrose pseudo-inverse
 * V diag(1/σ) Uᵀ of each m×n matrix, σ ≤ max(atol, rtol·σ₁) dropped (hermitian: from eigh, |λ|).
 * Gradient (PyTorch's, for locally constant rank), P = A⁺:
 * dA = −Pᵀ G Pᵀ + (I − A P) Gᵀ P Pᵀ + Pᵀ P Gᵀ (I − P A).
 */
export function pinv(A: Tensor, options?: PinvOptions | PinvRcondOptions): Tensor;
export function pinv(A: Tensor, rcond: number, hermitian?: boolean | { hermitian?: boolean }): Tensor;
export function pinv(A: Tensor, ...args: unknown[]): Tensor {
  const options = tol_args("linalg.pinv", "rcond", args);
  check_matrix(A, "linalg.pinv", options.hermitian === true);
  const { atol, rtol } = tolerances(A, options);
  const { batch, m, n, mats } = matrices(A);
  const round = A.dtype === "float32" ? Math.fround : (v: number) => v;
  const Ps = mats.map((a) => {
    let U: D.Mat, V: D.Mat, s: Float64Array, k: number;
    if (options.hermitian) {
      const e = D.eigh(a, n, true);
      U = e.V;
      V = e.V;
      s = e.w;
      k = n;
    } else {
      const f = D.svd(a, m, n, false);
      k = Math.min(m, n);
      U = cols(f.U, m, f.uc, 0, k);
      V = cols(f.V, n, f.vc, 0, k);
      s = f.S;
    }
    const smax = s.reduce((x, v) => Math.max(x, Math.abs(round(v))), 0);
    const tol = Math.max(atol, rtol * smax);
    const Vs = V.slice(); // V diag(1/σ)
    for (let j = 0; j < k; j++) {
      const inv = Math.abs(round(s[j])) > tol ? 1 / s[j] : 0;
      for (let i = 0; i < n; i++) Vs[i * k + j] *= inv;
    }
    return D.mm(Vs, U, n, k, m, false, true);
  });
  const out = from_blocks(Ps, [...batch, n, m], A.dtype);
  return attach(out, "LinalgPinvBackward0", [A], (g) => {
    const gs = grad_blocks(g, mats.length);
    const blocks = Ps.map((P, b) => {
      const a = mats[b];
      const G = gs[b]; // n×m
      const t1 = D.mm(D.mm(P, G, m, n, m, true), P, m, m, n, false, true); // Pᵀ G Pᵀ
      const AP = D.mm(a, P, m, n, m);
      const IAP = D.eye(m).map((v, i) => v - AP[i]);
      const t2 = D.mm(D.mm(D.mm(IAP, G, m, m, n, false, true), P, m, n, m), P, m, m, n, false, true); // (I − AP) Gᵀ P Pᵀ
      const IPA = D.mm(P, a, n, m, n);
      for (let i = 0; i < n * n; i++) IPA[i] = (i % (n + 1) === 0 ? 1 : 0) - IPA[i];
      const t3 = D.mm(D.mm(D.mm(P, P, m, n, m, true), G, m, m, n, false, true), IPA, m, n, n); // Pᵀ P Gᵀ (I − PA)
      const out = new Float64Array(m * n);
      for (let i = 0; i < m * n; i++) out[i] = -t1[i] + t2[i] + t3[i];
      return out;
    });
    return [from_blocks(blocks, A.shape, g.dtype)];
  }, true, PINV_SAVES);
}

/** `torch.linalg.matrix_rank(A, { atol, rtol, hermitian })`: the number of singular values above max(atol, rtol·σ₁) (int64). */
export function matrix_rank(A: Tensor, options?: PinvOptions | MatrixRankTolOptions): Tensor;
export function matrix_rank(A: Tensor, tol: number, hermitian?: boolean | { hermitian?: boolean }): Tensor;
export function matrix_rank(A: Tensor, ...args: unknown[]): Tensor {
  const options = tol_args("linalg.matrix_rank", "tol", args);
  check_matrix(A, "linalg.matrix_rank", options.hermitian === true);
  const { batch, m, n, mats } = matrices(A);
  const { atol, rtol } = tolerances(A, options);
  const ranks = mats.map((a) => {
    const s = options.hermitian ? Array.from(D.eigh(a, n, true).w, Math.abs) : Array.from(D.svd(a, m, n, false).S);
    const sr = A.dtype === "float32" ? s.map(Math.fround) : s;
    const smax = sr.reduce((x, y) => Math.max(x, y), 0);
    const tol = Math.max(atol, rtol * smax);
    return sr.filter((v) => v > tol).length;
  });
  return from_blocks([Float64Array.from(ranks)], batch, "int64");
}
