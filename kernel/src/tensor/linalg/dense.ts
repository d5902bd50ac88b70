/**
 * Dense float64 matrix kernels for torch.linalg: LU with partial pivoting (det, slogdet, solve,
 * inv), Cholesky, Householder QR with LAPACK's sign convention (so Q and R match PyTorch's, not
 * only up to signs), the symmetric eigendecomposition by Householder tridiagonalisation and
 * implicit QL (EISPACK's tred2/tql2), and the SVD by one-sided (Hestenes) Jacobi. Every matrix is
 * a row-major Float64Array; each function works on one matrix
 * (the ops loop over batches). Everything runs in float64, float32 inputs included, and is rounded
 * once on output: PyTorch's float32 LAPACK rounds at every step, so float32 results agree with
 * PyTorch's to about 1e-6 relative (more on ill-conditioned inputs), float64 to about 1e-14.
 */

export type Mat = Float64Array;

/** C[m×n] = op(A)·op(B) with A m×k (or k×m when ta) and B k×n (or n×k when tb). */
export function mm(A: Mat, B: Mat, m: number, k: number, n: number, ta = false, tb = false): Mat {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const a = ta ? A[p * m + i] : A[i * k + p];
      if (a === 0) continue;
      for (let j = 0; j < n; j++) C[i * n + j] += a * (tb ? B[j * k + p] : B[p * n + j]);
    }
  }
  return C;
}

/** The transpose of an m×n matrix. */
export function tr(A: Mat, m: number, n: number): Mat {
  const T = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) T[j * m + i] = A[i * n + j];
  return T;
}

export function eye(n: number): Mat {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return I;
}

export interface LU {
  lu: Mat;
  piv: Int32Array;
  /** +1 or -1: the permutation's sign. */
  sign: number;
  /** LAPACK's getrf info: the 1-based index of the first exactly-zero pivot, 0 if none. */
  info: number;
}

/** PA = LU with partial pivoting (n×n), as LAPACK's getrf (first largest |pivot|). */
export function lu(A: Mat, n: number): LU {
  const a = A.slice();
  const piv = new Int32Array(n);
  let sign = 1;
  let info = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(a[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k]);
      if (v > best || (best !== best)) {
        best = v;
        p = i;
      }
    }
    piv[k] = p;
    if (p !== k) {
      sign = -sign;
      for (let j = 0; j < n; j++) {
        const t = a[k * n + j];
        a[k * n + j] = a[p * n + j];
        a[p * n + j] = t;
      }
    }
    const d = a[k * n + k];
    if (d === 0) {
      if (info === 0) info = k + 1;
      continue;
    }
    for (let i = k + 1; i < n; i++) {
      const f = (a[i * n + k] /= d);
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) a[i * n + j] -= f * a[k * n + j];
    }
  }
  return { lu: a, piv, sign, info };
}

/** Solves A X = B (B n×r) from A's LU (no zero pivot). */
export function lu_solve(f: LU, B: Mat, n: number, r: number): Mat {
  const x = B.slice();
  const { lu: a, piv } = f;
  for (let k = 0; k < n; k++) {
    const p = piv[k];
    if (p !== k) for (let j = 0; j < r; j++) {
      const t = x[k * r + j];
      x[k * r + j] = x[p * r + j];
      x[p * r + j] = t;
    }
  }
  for (let i = 0; i < n; i++) for (let k = 0; k < i; k++) {
    const l = a[i * n + k];
    if (l !== 0) for (let j = 0; j < r; j++) x[i * r + j] -= l * x[k * r + j];
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      const u = a[i * n + k];
      if (u !== 0) for (let j = 0; j < r; j++) x[i * r + j] -= u * x[k * r + j];
    }
    const d = a[i * n + i];
    for (let j = 0; j < r; j++) x[i * r + j] /= d;
  }
  return x;
}

/** det from an LU factorisation. */
export function lu_det(f: LU, n: number): number {
  let d = f.sign;
  for (let i = 0; i < n; i++) d *= f.lu[i * n + i];
  return d;
}

/** The lower Cholesky factor of the symmetric matrix whose lower triangle is A's; `info` the order of the first leading minor that is not positive-definite (0 if none). */
export function cholesky(A: Mat, n: number): { L: Mat; info: number } {
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let s = A[j * n + j];
    for (let k = 0; k < j; k++) s -= L[j * n + k] * L[j * n + k];
    if (!(s > 0)) return { L, info: j + 1 };
    const d = Math.sqrt(s);
    L[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let t = A[i * n + j];
      for (let k = 0; k < j; k++) t -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = t / d;
    }
  }
  return { L, info: 0 };
}

/** Solves T X = B for triangular T (n×n; lower or upper; transposed when `trans`), B n×r. */
export function tri_solve(T: Mat, B: Mat, n: number, r: number, lower: boolean, trans = false): Mat {
  const x = B.slice();
  const at = (i: number, j: number) => (trans ? T[j * n + i] : T[i * n + j]);
  const low = lower !== trans; // the effective triangle
  if (low) {
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < i; k++) {
        const l = at(i, k);
        if (l !== 0) for (let j = 0; j < r; j++) x[i * r + j] -= l * x[k * r + j];
      }
      const d = at(i, i);
      for (let j = 0; j < r; j++) x[i * r + j] /= d;
    }
  } else {
    for (let i = n - 1; i >= 0; i--) {
      for (let k = i + 1; k < n; k++) {
        const u = at(i, k);
        if (u !== 0) for (let j = 0; j < r; j++) x[i * r + j] -= u * x[k * r + j];
      }
      const d = at(i, i);
      for (let j = 0; j < r; j++) x[i * r + j] /= d;
    }
  }
  return x;
}

/**
 * Householder QR of an m×n matrix as LAPACK's geqrf + orgqr: each reflector from dlarfg
 * (β = −sign(α)·‖(α, x)‖, none when x = 0), so the signs of Q's columns and R's rows are PyTorch's.
 * Returns Q (m×m when `complete`, else m×k) and R (m×n when `complete`, else k×n), k = min(m, n).
 */
export function qr(A: Mat, m: number, n: number, complete: boolean): { Q: Mat; R: Mat; qc: number; rr: number } {
  const a = A.slice();
  const k = Math.min(m, n);
  const taus = new Float64Array(k);
  const vs: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const alpha = a[j * n + j];
    let xn = 0;
    for (let i = j + 1; i < m; i++) xn = Math.hypot(xn, a[i * n + j]);
    const v = new Float64Array(m);
    v[j] = 1;
    if (xn === 0) {
      taus[j] = 0;
      vs.push(v);
      continue;
    }
    const beta = -Math.sign(alpha || 1) * Math.hypot(alpha, xn);
    const tau = (beta - alpha) / beta;
    const scale = 1 / (alpha - beta);
    for (let i = j + 1; i < m; i++) v[i] = a[i * n + j] * scale;
    taus[j] = tau;
    vs.push(v);
    // apply H = I − τ v vᵀ to the remaining columns
    a[j * n + j] = beta;
    for (let i = j + 1; i < m; i++) a[i * n + j] = 0;
    for (let c = j + 1; c < n; c++) {
      let s = 0;
      for (let i = j; i < m; i++) s += v[i] * a[i * n + c];
      s *= tau;
      for (let i = j; i < m; i++) a[i * n + c] -= s * v[i];
    }
  }
  const qc = complete ? m : k;
  const Q = new Float64Array(m * qc);
  for (let i = 0; i < qc; i++) Q[i * qc + i] = 1;
  for (let j = k - 1; j >= 0; j--) {
    const v = vs[j];
    const tau = taus[j];
    if (tau === 0) continue;
    for (let c = 0; c < qc; c++) {
      let s = 0;
      for (let i = j; i < m; i++) s += v[i] * Q[i * qc + c];
      s *= tau;
      for (let i = j; i < m; i++) Q[i * qc + c] -= s * v[i];
    }
  }
  const rr = complete ? m : k;
  const R = new Float64Array(rr * n);
  for (let i = 0; i < Math.min(rr, m); i++) for (let j = i; j < n; j++) R[i * n + j] = a[i * n + j];
  return { Q, R, qc, rr };
}

/**
 * Eigenvalues (ascending) and orthonormal eigenvectors (columns of V) of the symmetric n×n matrix
 * whose `lower` (or upper) triangle is A's: Householder reduction to tridiagonal form, then the
 * implicit QL iteration with Wilkinson shifts (the EISPACK tred2/tql2 pair), O(n³).
 */
export function eigh(A: Mat, n: number, lower: boolean): { w: Float64Array; V: Mat } {
  const w = new Float64Array(n);
  const Vout = new Float64Array(n * n);
  if (n === 0) return { w, V: Vout };
  // V starts as the full symmetric matrix (rows as arrays: the loops below index V[i][j])
  const V: Float64Array[] = [];
  let finite = true;
  for (let i = 0; i < n; i++) {
    const row = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const v = (lower ? i >= j : i <= j) ? A[i * n + j] : A[j * n + i];
      row[j] = v;
      if (!Number.isFinite(v)) finite = false;
    }
    V.push(row);
  }
  if (!finite) return { w: w.fill(NaN), V: Vout.fill(NaN) };
  const d = w;
  const e = new Float64Array(n);
  tred2(V, d, e, n);
  // the QL sweeps rotate columns of V: work on its transpose, whose rows are those columns
  const Vt: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const col = new Float64Array(n);
    for (let k = 0; k < n; k++) col[k] = V[k][j];
    Vt.push(col);
  }
  tql2(Vt, d, e, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i] - d[j]);
  const ws = new Float64Array(n);
  order.forEach((src, dst) => {
    ws[dst] = d[src];
    const col = Vt[src];
    for (let k = 0; k < n; k++) Vout[k * n + dst] = col[k];
  });
  return { w: ws, V: Vout };
}

/** Householder reduction of the symmetric V to tridiagonal form (diagonal d, subdiagonal e); V becomes the orthogonal transform. */
function tred2(V: Float64Array[], d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = V[n - 1][j];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = V[i - 1][j];
        V[i][j] = 0;
        V[j][i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        V[j][i] = f;
        g = e[j] + V[j][j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[k][j] * d[k];
          e[k] += V[k][j] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) V[k][j] -= f * e[k] + g * d[k];
        d[j] = V[i - 1][j];
        V[i][j] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    V[n - 1][i] = V[i][i];
    V[i][i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[k][i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[k][i + 1] * V[k][j];
        for (let k = 0; k <= i; k++) V[k][j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) V[k][i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[n - 1][j];
    V[n - 1][j] = 0;
  }
  V[n - 1][n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL iteration on the tridiagonal (d, e); Vt's rows (the eigenvectors) are rotated along. */
function tql2(Vt: Float64Array[], d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && !(Math.abs(e[m]) <= eps * tst1)) m++;
    if (m > l) {
      for (let iter = 0; iter < 60; iter++) {
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          const vi = Vt[i];
          const vi1 = Vt[i + 1];
          for (let k = 0; k < n; k++) {
            const t = vi1[k];
            vi1[k] = s * vi[k] + c * t;
            vi[k] = c * vi[k] - s * t;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (!(Math.abs(e[l]) > eps * tst1)) break;
      }
    }
    d[l] += f;
    e[l] = 0;
  }
}

/** Completes the first `r` orthonormal columns of the m×c matrix Q (column-wise) to c orthonormal columns. */
function complete_basis(Q: Mat, m: number, c: number, r: number): void {
  let next = 0;
  for (let col = r; col < c; col++) {
    for (;;) {
      const v = new Float64Array(m);
      v[next % m] = 1;
      next++;
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < col; j++) {
          let d = 0;
          for (let i = 0; i < m; i++) d += Q[i * c + j] * v[i];
          for (let i = 0; i < m; i++) v[i] -= d * Q[i * c + j];
        }
      }
      let nv = 0;
      for (let i = 0; i < m; i++) nv = Math.hypot(nv, v[i]);
      if (nv > 1e-8) {
        for (let i = 0; i < m; i++) Q[i * c + col] = v[i] / nv;
        break;
      }
    }
  }
}

/**
 * The SVD A = U diag(S) Vᵀ of an m×n matrix (S descending, k = min(m, n)) by one-sided Jacobi
 * (after a QR when m > n, on Aᵀ when m < n):
 * U m×k and V n×k, or U m×m and V n×n when `full`. Columns for zero singular values (and the
 * extra columns of `full`) are completed to an orthonormal basis.
 */
export function svd(A: Mat, m: number, n: number, full: boolean): { U: Mat; S: Float64Array; V: Mat; uc: number; vc: number } {
  if (m < n) {
    const t = svd(tr(A, m, n), n, m, full);
    return { U: t.V, S: t.S, V: t.U, uc: t.vc, vc: t.uc };
  }
  if (m > n) {
    // tall: A = Q R first, then the SVD of the n×n R (U = Q U_R): the sweeps run on n rows, not m
    const f = qr(A, m, n, false);
    const r = svd(f.R, n, n, false);
    const U = new Float64Array(m * (full ? m : n));
    const uc = full ? m : n;
    const QU = mm(f.Q, r.U, m, n, n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) U[i * uc + j] = QU[i * n + j];
    if (full) complete_basis(U, m, m, n);
    return { U, S: r.S, V: r.V, uc, vc: n };
  }
  // m == n (or after the QR above): orthogonalise the columns of W = A V (each column its own contiguous array)
  // From n = 32 the sweeps start from V₀, the eigenvectors of AᵀA (tridiagonal QL, fast): W = A V₀
  // is then nearly orthogonal and a few sweeps finish it to full accuracy (instead of ~12 from I).
  const V0 = n >= 32 ? eigh(mm(A, A, n, m, n, true), n, true).V : eye(n);
  const AV = n >= 32 ? mm(A, V0, m, n, n) : A;
  const W: Float64Array[] = [];
  const Vc: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const col = new Float64Array(m);
    for (let i = 0; i < m; i++) col[i] = AV[i * n + j];
    W.push(col);
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = V0[i * n + j];
    Vc.push(v);
  }
  const sq = new Float64Array(n); // squared column norms: recomputed each sweep, updated by each rotation
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let j = 0; j < n; j++) {
      let a = 0;
      for (let i = 0; i < m; i++) a += W[j][i] * W[j][i];
      sq[j] = a;
    }
    for (let p = 0; p < n - 1; p++) for (let q = p + 1; q < n; q++) {
      const wp = W[p];
      const wq = W[q];
      const alpha = sq[p];
      const beta = sq[q];
      let gamma = 0;
      for (let i = 0; i < m; i++) gamma += wp[i] * wq[i];
      if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
      rotated = true;
      const zeta = (beta - alpha) / (2 * gamma);
      const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
      const c = 1 / Math.sqrt(1 + t * t);
      const s = c * t;
      sq[p] = alpha - t * gamma;
      sq[q] = beta + t * gamma;
      for (let i = 0; i < m; i++) {
        const a = wp[i];
        const b = wq[i];
        wp[i] = c * a - s * b;
        wq[i] = s * a + c * b;
      }
      const vp = Vc[p];
      const vq = Vc[q];
      for (let i = 0; i < n; i++) {
        const a = vp[i];
        const b = vq[i];
        vp[i] = c * a - s * b;
        vq[i] = s * a + c * b;
      }
    }
    if (!rotated) break;
  }
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s = Math.hypot(s, W[j][i]);
    norms[j] = s;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => norms[j] - norms[i]);
  const uc = full ? m : n;
  const S = new Float64Array(n);
  const U = new Float64Array(m * uc);
  const Vs = new Float64Array(n * n);
  const smax = norms[order[0]] ?? 0;
  let rank = 0;
  order.forEach((src, dst) => {
    S[dst] = norms[src];
    for (let i = 0; i < n; i++) Vs[i * n + dst] = Vc[src][i];
    // a column of W whose norm is at rounding level is no direction: its U column is completed below
    if (norms[src] > smax * Math.max(m, n) * 2.220446049250313e-16 && norms[src] > 0) {
      for (let i = 0; i < m; i++) U[i * uc + dst] = W[src][i] / norms[src];
      rank = dst + 1;
    }
  });
  // columns of U for zero singular values, and the extra ones of `full`, complete a basis
  if (rank < uc) complete_basis(U, m, uc, rank);
  return { U, S, V: Vs, uc, vc: n };
}
