/**
 * The WebAssembly SIMD matrix product: C[M, N] = op(A) · op(B) (+ bias[N] on every row), for
 * float32 (f32x4, float32 sums, as PyTorch's CPU kernels) and float64 (f64x2), with fused
 * multiply-adds when the engine has relaxed SIMD (see instance.ts).
 *
 * op(A) is A [M, K] or, with `trans_a`, the transpose of A stored as [K, M]; op(B) is B [K, N] or,
 * with `trans_b`, the transpose of B stored as [N, K]. Transposed operands are never materialised:
 * the packing step reads them with swapped strides.
 *
 * Blocking (Goto/BLIS): for each NC-wide column block of op(B) and each KC-deep slice of K, the
 * slice of op(B) is packed into NR-wide panels (kept in L2, each panel in L1 while used); for each
 * MC-row block of op(A) the slice is packed into MR-row panels; the module's macro kernel then runs
 * its MR×NR register-tiled micro-kernel over every tile (see kernel/scripts/gen_gemm_wasm.cjs).
 * The KC slices after the first add into C, so a float32 entry is a float32 sum of float32 partial
 * sums over K in steps of KC.
 *
 * Operands live in ordinary typed arrays, so each call copies A and B into the module's memory
 * (O(MK + KN), a memcpy) and C back out (O(MN)) around the O(MNK) work.
 */
import { MR, NR_F32, NR_F64 } from "./gemm_bytes";
import { align16, reserve, wasm } from "./instance";

type F = Float32Array | Float64Array;

// Block sizes (elements): a KC×NR packed B panel is 8 KB (f32 and f64), L1-resident; an MC×KC
// packed A block 80 KB (f32), L2-resident; NC×KC of packed B ≤ 1 MB (f32). On the 128×784×256
// benchmark, KC 128–512, MC 80–256 and NC 512–1024 measured within noise of each other.
const KC = 256;
const MC = MR * 20;
const NC = 1024;

/**
 * C[c_off .. c_off + M·N) = op(A) · op(B) (+ bias), A read from a_off and B from b_off. A, B, C
 * (and bias) must all be Float32Array or all Float64Array. Returns false (doing nothing) when the
 * WebAssembly kernel is not available.
 */
export function wasm_gemm(
  trans_a: boolean, trans_b: boolean, M: number, N: number, K: number,
  A: F, a_off: number, B: F, b_off: number, C: F, c_off: number, bias: F | null = null,
): boolean {
  const inst = wasm();
  if (inst === null) return false;
  const f32 = C instanceof Float32Array;
  const esz = f32 ? 4 : 8;
  const NR = f32 ? NR_F32 : NR_F64;
  if (M === 0 || N === 0) return true;
  const mc_max = Math.min(MC, Math.ceil(M / MR) * MR);
  const nc_max = Math.min(NC, N);
  const kc_max = Math.max(1, Math.min(KC, K));
  // Layout (bytes): A | B | C | bias | packed A | packed B | one tile of scratch.
  const a_at = 0;
  const b_at = align16(a_at + M * K * esz);
  const c_at = align16(b_at + K * N * esz);
  const bias_at = align16(c_at + M * N * esz);
  const pa_at = align16(bias_at + (bias ? N * esz : 0));
  const pb_at = align16(pa_at + Math.ceil(mc_max / MR) * MR * kc_max * esz);
  const tmp_at = align16(pb_at + Math.ceil(nc_max / NR) * NR * kc_max * esz);
  if (!reserve(inst, tmp_at + MR * NR * esz)) return false;
  const view = f32 ? inst.f32 : inst.f64;
  // (A, B, C share one element type, checked by the callers; the casts only merge the unions.)
  (view as Float64Array).set((A as Float64Array).subarray(a_off, a_off + M * K), a_at / esz);
  (view as Float64Array).set((B as Float64Array).subarray(b_off, b_off + K * N), b_at / esz);
  const ex = inst.ex;
  const pack_a = f32 ? ex.pack_a_f32 : ex.pack_a_f64;
  const pack_b = f32 ? ex.pack_b_f32 : ex.pack_b_f64;
  const macro = f32 ? ex.macro_f32 : ex.macro_f64;
  // Element strides of op(A)[i, k] and op(B)[k, j] in the stored arrays.
  const rs_a = trans_a ? 1 : K, cs_a = trans_a ? M : 1;
  const rs_b = trans_b ? 1 : N, cs_b = trans_b ? K : 1;
  if (K === 0) view.fill(0, c_at / esz, c_at / esz + M * N);
  for (let jc = 0; jc < N; jc += NC) {
    const nc = Math.min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      pack_b(b_at + (pc * rs_b + jc * cs_b) * esz, cs_b * esz, rs_b * esz, kc, nc, pb_at);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = Math.min(MC, M - ic);
        pack_a(a_at + (ic * rs_a + pc * cs_a) * esz, rs_a * esz, cs_a * esz, kc, mc, pa_at);
        macro(pa_at, pb_at, mc, nc, kc, c_at + (ic * N + jc) * esz, N * esz, pc > 0 ? 1 : 0, tmp_at);
      }
    }
  }
  if (bias) {
    (view as Float64Array).set((bias as Float64Array).subarray(0, N), bias_at / esz);
    (f32 ? ex.add_rows_f32 : ex.add_rows_f64)(c_at, bias_at, M, N);
  }
  (C as Float64Array).set((view as Float64Array).subarray(c_at / esz, c_at / esz + M * N), c_off);
  return true;
}
