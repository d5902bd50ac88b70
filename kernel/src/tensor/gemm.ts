/**
 * The matrix product every other op uses: C[M, N] = op(A) · op(B) (+ bias[N] on every row), where
 * op(A) is A [M, K] or (trans_a) the transpose of A stored [K, M], and op(B) is B [K, N] or
 * (trans_b) the transpose of B stored [N, K]. Operands are addressed from offsets, so batch entries
 * and views need no copies.
 *
 * Three implementations:
 * - wasm/gemm.ts, WebAssembly SIMD with cache blocking and register tiling, for products with at
 *   least WASM_MIN_WORK multiply-adds (below that the copies into the module cost more than they
 *   save). float32 is summed in float32 there, as PyTorch's CPU kernels do.
 * - gemm_small below, a strided triple loop without any allocation, for small products (tiny
 *   layers run it thousands of times per second, where allocation would dominate).
 * - gemm_nt below, register-blocked JS, for large products when WebAssembly SIMD is missing.
 * The JS kernels sum in float64 and round once on store (bias included).
 */
import type { Storage } from "./tensor";
import { transpose_last2 } from "./shape";
import { wasm_gemm } from "./wasm/gemm";

/**
 * Multiply-adds (M·N·K) from which the WebAssembly kernel is used. Measured (Node 20, x64): a
 * 1×1×10 product takes 0.06 µs in JS and 0.8 µs through the module (copies, calls); they break
 * even near 400 multiply-adds; at 16×16×16 JS takes 7 µs, the module 0.4 µs.
 */
export const WASM_MIN_WORK = 1 << 10;

type F = Float32Array | Float64Array;

export function gemm(
  trans_a: boolean, trans_b: boolean, M: number, N: number, K: number,
  A: Storage, a_off: number, B: Storage, b_off: number, C: Storage, c_off: number, bias: Storage | null = null,
): void {
  if (M * N * K < WASM_MIN_WORK) {
    gemm_small(trans_a, trans_b, M, N, K, A, a_off, B, b_off, C, c_off, bias);
    return;
  }
  if (A.constructor === C.constructor && B.constructor === C.constructor
      && (bias === null || bias.constructor === C.constructor)
      && wasm_gemm(trans_a, trans_b, M, N, K, A as F, a_off, B as F, b_off, C as F, c_off, bias as F | null)) {
    return;
  }
  // Blocked JS: rows of op(A) against rows of op(B)ᵀ, both as contiguous float64 (one O(n²) copy,
  // so the O(n³) loop reads a single array type, which V8 compiles tighter).
  const ad = rows_f64(A, a_off, M, K, trans_a);
  const bd = rows_f64(B, b_off, N, K, !trans_b);
  gemm_nt(ad, 0, bd, 0, C, c_off, M, K, N, bias);
}

/** C[i, j] = Σ_k op(A)[i, k]·op(B)[k, j] (+ bias[j]) with strided reads, summed in float64. */
function gemm_small(
  trans_a: boolean, trans_b: boolean, M: number, N: number, K: number,
  A: Storage, a_off: number, B: Storage, b_off: number, C: Storage, c_off: number, bias: Storage | null,
): void {
  // op(A)[i, k] = A[a_off + i·ra + k·ka], op(B)[k, j] = B[b_off + k·kb + j·rb]
  const ra = trans_a ? 1 : K, ka = trans_a ? M : 1;
  const kb = trans_b ? 1 : N, rb = trans_b ? K : 1;
  for (let i = 0; i < M; i++) {
    const o = c_off + i * N;
    for (let j = 0; j < N; j++) {
      let s = 0;
      let pa = a_off + i * ra;
      let pb = b_off + j * rb;
      for (let k = 0; k < K; k++) {
        s += A[pa] * B[pb];
        pa += ka;
        pb += kb;
      }
      C[o + j] = bias === null ? s : s + bias[j];
    }
  }
}

/**
 * An [R, K] matrix as contiguous float64 rows: `x` from `off` holds it as [R, K], or transposed as
 * [K, R] when `transposed`.
 */
function rows_f64(x: Storage, off: number, R: number, K: number, transposed: boolean): Float64Array {
  const src = x.subarray(off, off + R * K);
  if (!transposed && src instanceof Float64Array) return src;
  const out = new Float64Array(R * K);
  if (transposed) transpose_last2(src, out, 1, K, R);
  else out.set(src);
  return out;
}

/**
 * C[M, N] (at c0) = A[M, K] (at a0) @ Bt[N, K]ᵀ (at b0) (+ bias[N]): both operands are read along contiguous
 * rows of length K. 4x4 register blocks: each step of k loads 8 values for 16 multiply-adds into
 * 16 independent double accumulators (float32 results are rounded once, on store).
 */
export function gemm_nt(A: Float64Array, a0: number, Bt: Float64Array, b0: number, C: Storage, c0: number, M: number, K: number, N: number, bias: Storage | null = null): void {
  let m = 0;
  for (; m + 3 < M; m += 4) {
    const r0 = a0 + m * K;
    const r1 = r0 + K;
    const r2 = r1 + K;
    const r3 = r2 + K;
    let n = 0;
    for (; n + 3 < N; n += 4) {
      const q0 = b0 + n * K;
      const q1 = q0 + K;
      const q2 = q1 + K;
      const q3 = q2 + K;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let k = 0; k < K; k++) {
        const y0 = Bt[q0 + k];
        const y1 = Bt[q1 + k];
        const y2 = Bt[q2 + k];
        const y3 = Bt[q3 + k];
        let x = A[r0 + k];
        c00 += x * y0; c01 += x * y1; c02 += x * y2; c03 += x * y3;
        x = A[r1 + k];
        c10 += x * y0; c11 += x * y1; c12 += x * y2; c13 += x * y3;
        x = A[r2 + k];
        c20 += x * y0; c21 += x * y1; c22 += x * y2; c23 += x * y3;
        x = A[r3 + k];
        c30 += x * y0; c31 += x * y1; c32 += x * y2; c33 += x * y3;
      }
      const d0 = bias ? bias[n] : 0, d1 = bias ? bias[n + 1] : 0, d2 = bias ? bias[n + 2] : 0, d3 = bias ? bias[n + 3] : 0;
      let o = c0 + m * N + n;
      C[o] = c00 + d0; C[o + 1] = c01 + d1; C[o + 2] = c02 + d2; C[o + 3] = c03 + d3;
      o += N;
      C[o] = c10 + d0; C[o + 1] = c11 + d1; C[o + 2] = c12 + d2; C[o + 3] = c13 + d3;
      o += N;
      C[o] = c20 + d0; C[o + 1] = c21 + d1; C[o + 2] = c22 + d2; C[o + 3] = c23 + d3;
      o += N;
      C[o] = c30 + d0; C[o + 1] = c31 + d1; C[o + 2] = c32 + d2; C[o + 3] = c33 + d3;
    }
    for (; n < N; n++) {
      const q = b0 + n * K;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < K; k++) {
        const y = Bt[q + k];
        s0 += A[r0 + k] * y;
        s1 += A[r1 + k] * y;
        s2 += A[r2 + k] * y;
        s3 += A[r3 + k] * y;
      }
      const d = bias ? bias[n] : 0;
      const o = c0 + m * N + n;
      C[o] = s0 + d;
      C[o + N] = s1 + d;
      C[o + 2 * N] = s2 + d;
      C[o + 3 * N] = s3 + d;
    }
  }
  for (; m < M; m++) {
    const r = a0 + m * K;
    for (let n = 0; n < N; n++) {
      const q = b0 + n * K;
      let acc = 0;
      for (let k = 0; k < K; k++) acc += A[r + k] * Bt[q + k];
      C[c0 + m * N + n] = bias ? acc + bias[n] : acc;
    }
  }
}

