/**
 * The one matrix kernel the fused layers need: C = A Bᵀ, i.e. C[m, n] = Σ_k A[m, k]·B[n, k]
 * (both operands read along contiguous rows). Linear's forward (x Wᵀ), and, after transposing an
 * operand once, its two backward products (g W = g (Wᵀ)ᵀ and gᵀ x) all have this form.
 *
 * Register blocking: 4 rows of A against 4 rows of B at a time, so each step of k loads 8 values
 * for 16 multiply-adds, with 16 independent double accumulators (float32 inputs are accumulated in
 * double and rounded once when stored).
 */
type Arr = Float32Array | Float64Array;

export function gemmNT(A: ArrayLike<number>, B: ArrayLike<number>, M: number, N: number, K: number, C: Arr, bias: ArrayLike<number> | null = null): void {
  let m = 0;
  for (; m + 3 < M; m += 4) {
    const a0 = m * K;
    const a1 = a0 + K;
    const a2 = a1 + K;
    const a3 = a2 + K;
    let n = 0;
    for (; n + 3 < N; n += 4) {
      const b0 = n * K;
      const b1 = b0 + K;
      const b2 = b1 + K;
      const b3 = b2 + K;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let k = 0; k < K; k++) {
        const y0 = B[b0 + k];
        const y1 = B[b1 + k];
        const y2 = B[b2 + k];
        const y3 = B[b3 + k];
        let x = A[a0 + k];
        c00 += x * y0; c01 += x * y1; c02 += x * y2; c03 += x * y3;
        x = A[a1 + k];
        c10 += x * y0; c11 += x * y1; c12 += x * y2; c13 += x * y3;
        x = A[a2 + k];
        c20 += x * y0; c21 += x * y1; c22 += x * y2; c23 += x * y3;
        x = A[a3 + k];
        c30 += x * y0; c31 += x * y1; c32 += x * y2; c33 += x * y3;
      }
      const d0 = bias ? bias[n] : 0;
      const d1 = bias ? bias[n + 1] : 0;
      const d2 = bias ? bias[n + 2] : 0;
      const d3 = bias ? bias[n + 3] : 0;
      let r = m * N + n;
      C[r] = c00 + d0; C[r + 1] = c01 + d1; C[r + 2] = c02 + d2; C[r + 3] = c03 + d3;
      r += N;
      C[r] = c10 + d0; C[r + 1] = c11 + d1; C[r + 2] = c12 + d2; C[r + 3] = c13 + d3;
      r += N;
      C[r] = c20 + d0; C[r + 1] = c21 + d1; C[r + 2] = c22 + d2; C[r + 3] = c23 + d3;
      r += N;
      C[r] = c30 + d0; C[r + 1] = c31 + d1; C[r + 2] = c32 + d2; C[r + 3] = c33 + d3;
    }
    for (; n < N; n++) {
      const b0 = n * K;
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let k = 0; k < K; k++) {
        const y = B[b0 + k];
        c0 += A[a0 + k] * y;
        c1 += A[a1 + k] * y;
        c2 += A[a2 + k] * y;
        c3 += A[a3 + k] * y;
      }
      const d = bias ? bias[n] : 0;
      C[m * N + n] = c0 + d;
      C[(m + 1) * N + n] = c1 + d;
      C[(m + 2) * N + n] = c2 + d;
      C[(m + 3) * N + n] = c3 + d;
    }
  }
  for (; m < M; m++) {
    const a0 = m * K;
    let n = 0;
    for (; n + 3 < N; n += 4) {
      const b0 = n * K;
      const b1 = b0 + K;
      const b2 = b1 + K;
      const b3 = b2 + K;
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let k = 0; k < K; k++) {
        const x = A[a0 + k];
        c0 += x * B[b0 + k];
        c1 += x * B[b1 + k];
        c2 += x * B[b2 + k];
        c3 += x * B[b3 + k];
      }
      const r = m * N + n;
      C[r] = c0 + (bias ? bias[n] : 0);
      C[r + 1] = c1 + (bias ? bias[n + 1] : 0);
      C[r + 2] = c2 + (bias ? bias[n + 2] : 0);
      C[r + 3] = c3 + (bias ? bias[n + 3] : 0);
    }
    for (; n < N; n++) {
      const b0 = n * K;
      let c = 0;
      for (let k = 0; k < K; k++) c += A[a0 + k] * B[b0 + k];
      C[m * N + n] = c + (bias ? bias[n] : 0);
    }
  }
}

/** The transpose of a row-major [R, C] matrix, as a new [C, R] array of the same kind. */
export function transpose(X: Arr, R: number, Cn: number): Arr {
  const out = new (X.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(R * Cn);
  // Blocked so both sides stay in cache for large matrices.
  const BS = 32;
  for (let r0 = 0; r0 < R; r0 += BS) {
    const r1 = Math.min(R, r0 + BS);
    for (let c0 = 0; c0 < Cn; c0 += BS) {
      const c1 = Math.min(Cn, c0 + BS);
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out[c * R + r] = X[r * Cn + c];
    }
  }
  return out;
}
