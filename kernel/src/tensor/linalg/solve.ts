/**
 * torch.linalg on square systems, through LU and Cholesky (dense.ts): det, slogdet, inv, solve,
 * cholesky — batched over leading dims, float32/float64, with PyTorch's errors (singular matrix,
 * not positive-definite with the failing leading minor) and gradients:
 *   det:       dA = g·det(A)·A⁻ᵀ, i.e. g times the cofactor matrix, computed as such when A is
 *              singular (PyTorch 2.13 gives zeros there, which is not the derivative when rank A = n − 1)
 *   slogdet:   dA = g·A⁻ᵀ (logabsdet; sign has no gradient)
 *   inv:       dA = −Xᵀ g Xᵀ, X = A⁻¹
 *   solve:     dB = A⁻ᵀ g, dA = −dB Xᵀ (summed over broadcast batch dims)
 *   cholesky:  dA = ½(S + Sᵀ), S = L⁻ᵀ Φ(Lᵀ ḡ) L⁻¹, Φ = lower triangle with the diagonal halved
 */
import { pyArgs } from "../../utils/py_args";
import { Tensor, check_tensor } from "../tensor";
import { attach } from "../autograd";
import { broadcast_shapes } from "../shape";
import { sum_to } from "../sum_to";
import { check_matrix, from_blocks, grad_blocks, linalg_error, matrices, torch_type } from "./common";
import * as D from "./dense";
import { named } from "./return_types";
import type { SlogdetResult } from "./return_types";
import { saves } from "../version";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const SELF_AND_OUT = saves("0, out");
const SAVES_OUT = saves("out");
const SAVES_SELF = saves("0");

/** The transposed inverse of each matrix, or null where singular. */
function inv_t(mats: D.Mat[], n: number): (D.Mat | null)[] {
  return mats.map((a) => {
    const f = D.lu(a, n);
    return f.info !== 0 ? null : D.tr(D.lu_solve(f, D.eye(n), n, n), n, n);
  });
}

/** The cofactor matrix (adj(A)ᵀ) by the minors' determinants: det's gradient at a singular A. */
function cofactors(a: D.Mat, n: number): D.Mat {
  const C = new Float64Array(n * n);
  if (n === 1) {
    C[0] = 1;
    return C;
  }
  const minor = new Float64Array((n - 1) * (n - 1));
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let w = 0;
    for (let r = 0; r < n; r++) if (r !== i) for (let c = 0; c < n; c++) if (c !== j) minor[w++] = a[r * n + c];
    C[i * n + j] = ((i + j) % 2 === 0 ? 1 : -1) * D.lu_det(D.lu(minor, n - 1), n - 1);
  }
  return C;
}

/** `torch.linalg.det(A)`: the determinant of each n×n matrix of A [..., n, n] (via LU). */
export function det(A: Tensor): Tensor {
  check_matrix(A, "linalg.det", true);
  const { batch, n, mats } = matrices(A);
  const dets = mats.map((a) => D.lu_det(D.lu(a, n), n));
  const out = from_blocks([Float64Array.from(dets)], batch, A.dtype);
  return attach(out, "LinalgDetBackward0", [A], (g) => {
    const invs = inv_t(mats, n);
    const blocks = mats.map((a, b) => {
      const gd = g.data[b];
      const G = invs[b] !== null ? (invs[b] as D.Mat).map((v) => v * dets[b]) : cofactors(a, n);
      return G.map((v) => v * gd);
    });
    return [from_blocks(blocks, A.shape, g.dtype)];
  }, true, SELF_AND_OUT);
}

/** `torch.linalg.slogdet(A)`: (sign, logabsdet) with det = sign·exp(logabsdet); sign 0 and logabsdet −inf when singular. */
export function slogdet(A: Tensor): SlogdetResult {
  check_matrix(A, "linalg.slogdet", true);
  const { batch, n, mats } = matrices(A);
  const signs = new Float64Array(mats.length);
  const logs = new Float64Array(mats.length);
  mats.forEach((a, b) => {
    const f = D.lu(a, n);
    let s = f.sign;
    let l = 0;
    for (let i = 0; i < n; i++) {
      const d = f.lu[i * n + i];
      s *= Math.sign(d);
      l += Math.log(Math.abs(d));
    }
    signs[b] = s;
    logs[b] = s === 0 ? -Infinity : l;
  });
  // (sign is an output of the same node in PyTorch, with no gradient of its own)
  const sign = attach(from_blocks([signs], batch, A.dtype), "LinalgSlogdetBackward0", [A], () => [null]);
  const logabsdet = attach(from_blocks([logs], batch, A.dtype), "LinalgSlogdetBackward0", [A], (g) => {
    const invs = inv_t(mats, n);
    const blocks = invs.map((it, b) => (it === null ? new Float64Array(n * n).fill(NaN) : it.map((v) => v * g.data[b])));
    return [from_blocks(blocks, A.shape, g.dtype)];
  }, true, SAVES_SELF);
  return named<SlogdetResult>("linalg_slogdet", ["sign", "logabsdet"], [sign, logabsdet]);
}

/** `torch.linalg.inv(A)`: the inverse of each n×n matrix (LU); singular matrices raise PyTorch's error. */
export function inv(A: Tensor): Tensor {
  check_matrix(A, "linalg.inv", true);
  const { n, mats } = matrices(A);
  const invs = mats.map((a, b) => {
    const f = D.lu(a, n);
    if (f.info !== 0) {
      throw linalg_error("linalg.inv", A, b, `The diagonal element ${f.info} is zero, the inversion could not be completed because the input matrix is singular.`);
    }
    return D.lu_solve(f, D.eye(n), n, n);
  });
  const out = from_blocks(invs, A.shape, A.dtype);
  return attach(out, "LinalgInvExBackward0", [A], (g) => {
    const gs = grad_blocks(g, mats.length);
    const blocks = invs.map((X, b) => D.mm(D.mm(X, gs[b], n, n, n, true), X, n, n, n, false, true).map((v) => -v));
    return [from_blocks(blocks, A.shape, g.dtype)];
  }, true, SAVES_OUT);
}

export interface SolveOptions {
  /** true (default): solve A X = B; false: X A = B. */
  left?: boolean;
}

/**
 * `torch.linalg.solve(A, B, { left })`: X with A X = B (left, default) or X A = B; A [..., n, n],
 * B [..., n, k] or a vector [..., n] (when B.ndim is 1 or B's shape is A's without its last dim);
 * batch dims broadcast.
 */
export function solve(A: Tensor, B: Tensor, options: SolveOptions = {}): Tensor {
  check_matrix(A, "linalg.solve", true);
  check_tensor(B, "linalg_solve", "B");
  const left = (pyArgs("linalg.solve", [["left", "boolean"]], [options]).left as boolean | undefined) ?? true;
  if (B.dtype !== A.dtype) {
    throw new TypeError(`linalg.solve: Expected A and B to have the same dtype, but found A of type ${torch_type(A.dtype)} and B of type ${torch_type(B.dtype)} instead`);
  }
  const n = A.shape[A.dim() - 1];
  const vector = B.dim() === 1 || (B.dim() === A.dim() - 1 && B.shape.every((d, i) => d === A.shape[i]));
  // as a matrix: left: [..., n, k]; right (X A = B): [..., k, n]
  const Bm = vector ? new Tensor(B.data, left ? [...B.shape, 1] : [...B.shape.slice(0, -1), 1, B.shape[B.dim() - 1]], B.dtype) : B;
  const eq = left ? "AX = B" : "XA = B";
  const rows = Bm.shape[Bm.dim() - 2];
  const cols = Bm.shape[Bm.dim() - 1];
  if (Bm.dim() < 2 || (left ? rows : cols) !== n) {
    throw new RangeError(`linalg.solve: Incompatible shapes of A and B for the equation ${eq} (${n}x${n} and ${rows}x${cols})`);
  }
  const k = left ? cols : rows;
  const batch = broadcast_shapes(A.shape.slice(0, -2), Bm.shape.slice(0, -2));
  const nb = batch.reduce((x, y) => x * y, 1);
  const Ae = expand_batch(A, batch);
  const Be = expand_batch(Bm, batch);
  const facts: D.LU[] = [];
  const Xs: D.Mat[] = [];
  for (let b = 0; b < nb; b++) {
    const f = D.lu(Ae[b], n);
    if (f.info !== 0) {
      const e = new Error(`torch.linalg.solve: ${batch.length > 0 ? `(Batch element ${b}): ` : ""}The solver failed because the input matrix is singular.`);
      e.name = "LinAlgError";
      throw e;
    }
    facts.push(f);
    // right: X A = B ⇔ Aᵀ Xᵀ = Bᵀ
    Xs.push(left ? D.lu_solve(f, Be[b], n, k) : D.tr(solve_t(f, D.tr(Be[b], k, n), n, k), n, k));
  }
  const xshape = vector ? [...batch, n] : left ? [...batch, n, k] : [...batch, k, n];
  const out = from_blocks(Xs, xshape, A.dtype);
  return attach(out, "LinalgSolveExBackward0", [A, B], (g, need) => {
    const gs = grad_blocks(g, nb);
    const gA: D.Mat[] = [];
    const gB: D.Mat[] = [];
    for (let b = 0; b < nb; b++) {
      if (left) {
        const gb = solve_t(facts[b], gs[b], n, k); // A⁻ᵀ g  (n×k)
        gB.push(gb);
        gA.push(D.mm(gb, Xs[b], n, k, n, false, true).map((v) => -v)); // −gB Xᵀ
      } else {
        const gb = D.tr(D.lu_solve(facts[b], D.tr(gs[b], k, n), n, k), n, k); // g A⁻ᵀ  (k×n)
        gB.push(gb);
        gA.push(D.mm(Xs[b], gb, n, k, n, true).map((v) => -v)); // −Xᵀ gB
      }
    }
    const ga = need[0] ? sum_to(from_blocks(gA, [...batch, n, n], g.dtype), A.shape) : null;
    const gbm = need[1] ? from_blocks(gB, left ? [...batch, n, k] : [...batch, k, n], g.dtype) : null;
    const gb = gbm === null ? null : sum_to(vector ? new Tensor(gbm.data, [...batch, n], g.dtype) : gbm, B.shape);
    return [ga, gb];
  }, true, SELF_AND_OUT);
}

/** Solves Aᵀ X = B from A's LU (PA = LU ⇒ Aᵀ = Uᵀ Lᵀ P). */
function solve_t(f: D.LU, B: D.Mat, n: number, r: number): D.Mat {
  const y = D.tri_solve(f.lu, B, n, r, false, true); // Uᵀ y = B
  // Lᵀ z = y (unit lower L)
  for (let i = n - 1; i >= 0; i--) for (let kk = i + 1; kk < n; kk++) {
    const l = f.lu[kk * n + i];
    if (l !== 0) for (let j = 0; j < r; j++) y[i * r + j] -= l * y[kk * r + j];
  }
  for (let kk = n - 1; kk >= 0; kk--) {
    const p = f.piv[kk];
    if (p !== kk) for (let j = 0; j < r; j++) {
      const t = y[kk * r + j];
      y[kk * r + j] = y[p * r + j];
      y[p * r + j] = t;
    }
  }
  return y;
}

/** The matrices of T [..., r, c] for each entry of the broadcast batch shape `batch`. */
function expand_batch(T: Tensor, batch: readonly number[]): D.Mat[] {
  const d = T.dim();
  const size = T.shape[d - 2] * T.shape[d - 1];
  const own = T.shape.slice(0, d - 2);
  const nb = batch.reduce((x, y) => x * y, 1);
  const out: D.Mat[] = [];
  for (let b = 0; b < nb; b++) {
    let rem = b;
    let off = 0;
    let stride = 1;
    for (let i = batch.length - 1; i >= 0; i--) {
      const q = rem % batch[i];
      rem = Math.floor(rem / batch[i]);
      const j = i - (batch.length - own.length);
      if (j >= 0) {
        if (own[j] !== 1) off += q * stride;
        stride *= own[j];
      }
    }
    out.push(Float64Array.from(T.data.subarray(off * size, (off + 1) * size)));
  }
  return out;
}

export interface CholeskyOptions {
  /** Return the upper factor U = Lᵀ (A = Uᵀ U) instead of L. */
  upper?: boolean;
}

/**
 * `torch.linalg.cholesky(A, { upper })`: the lower factor L with A = L Lᵀ of each symmetric
 * positive-definite matrix (read from A's lower triangle), or U = Lᵀ when `upper`.
 */
export function cholesky(A: Tensor, options: CholeskyOptions = {}): Tensor {
  check_matrix(A, "linalg.cholesky", true);
  const upper = (pyArgs("linalg.cholesky", [["upper", "boolean"]], [options]).upper as boolean | undefined) ?? false;
  const { n, mats } = matrices(A);
  const Ls = mats.map((a, b) => {
    const { L, info } = D.cholesky(a, n);
    if (info !== 0) {
      throw linalg_error("linalg.cholesky", A, b, `The factorization could not be completed because the input is not positive-definite (the leading minor of order ${info} is not positive-definite).`);
    }
    return L;
  });
  const out = from_blocks(upper ? Ls.map((L) => D.tr(L, n, n)) : Ls, A.shape, A.dtype);
  return attach(out, "LinalgCholeskyExBackward0", [A], (g) => {
    const gs = grad_blocks(g, mats.length);
    const blocks = Ls.map((L, b) => {
      const gL = upper ? D.tr(gs[b], n, n) : gs[b];
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) gL[i * n + j] = 0; // the lower triangle of ḡ
      const P = D.mm(L, gL, n, n, n, true); // Lᵀ ḡ
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) P[i * n + j] = 0;
        P[i * n + i] *= 0.5;
      }
      // S = L⁻ᵀ P L⁻¹: solve Lᵀ Y = P, then S Lᵀ... S = Y L⁻¹ ⇔ Sᵀ = L⁻ᵀ Yᵀ
      const Y = D.tri_solve(L, P, n, n, true, true);
      const S = D.tr(D.tri_solve(L, D.tr(Y, n, n), n, n, true, true), n, n);
      const G = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) G[i * n + j] = 0.5 * (S[i * n + j] + S[j * n + i]);
      return G;
    });
    return [from_blocks(blocks, A.shape, g.dtype)];
  }, true, SAVES_OUT);
}

