/**
 * The WebAssembly SIMD matrix product: C[M, N] = op(A) · op(B) (+ bias[N] on every row), for
 * float32 (f32x4, float32 sums, as PyTorch's CPU kernels) and float64 (f64x2), with fused
 * multiply-adds when the engine has relaxed SIMD (see instance.ts).
 *
 * op(A) is A [M, K] or, with `trans_a`, the transpose of A stored as [K, M]; op(B) is B [K, N] or,
 * with `trans_b`, the transpose of B stored as [N, K]. Transposed operands are never materialised:
 * the packing step reads them with swapped strides.
 *
 * Blocking (Goto/BLIS): K is cut into KC-deep slices; each slice of op(A) is packed into MR-row
 * panels and each slice of op(B) into NR-wide panels (a KC×NR panel stays in L1 while used); the
 * module's macro kernel runs its MR×NR register-tiled micro-kernel over every tile of a chunk of C
 * (see kernel/scripts/gen_gemm_wasm.cjs and blocked.ts). The KC slices after the first add into C,
 * so a float32 entry is a float32 sum of float32 partial sums over K in steps of KC, whatever the
 * number of threads.
 *
 * Operands live in ordinary typed arrays, so each call copies A and B into the module's memory
 * (O(MK + KN), a memcpy) and C back out (O(MN)) around the O(MNK) work.
 */
import { MR, NR_F32, NR_F64 } from "./gemm_bytes";
import { align16, reserve, wasm } from "./instance";
import {
  gemm_chunks, D_NEXT, D_A_READY, D_GEN, D_F32, D_M, D_N, D_K, D_B, D_RS_B, D_CS_B, D_C, D_PA, D_WORK, D_WORK_BYTES, D_RH, D_CW,
  D_COL_BLOCKS, D_CHUNKS, D_MC, D_KC, D_MR, D_NR,
} from "./blocked";
import { desc, join, max_thread_index, post, ready_helpers, settle } from "./threads";

type F = Float32Array | Float64Array;

// Block sizes (elements): a KC×NR packed B panel is 8 KB (f32 and f64), L1-resident; an MC×KC
// packed A block 80 KB (f32), L2-resident; NC×KC of packed B ≤ 1 MB (f32). On the 128×784×256
// benchmark, KC 128–512, MC 80–256 and NC 512–1024 measured within noise of each other.
const KC = 256;
const MC = MR * 20;
const NC = 1024;

/**
 * Multiply-adds (M·N·K) from which a product is offered to worker threads (threads.ts). Below,
 * waking a worker (microseconds when it spins, tens when it sleeps) costs more than it saves.
 */
export const THREAD_MIN_WORK = 1 << 20;
/** Chunks per thread when threads share a product: enough for one to make up for a late one. */
const CHUNKS_PER_THREAD = 4;
/** The least work (multiply-adds) of a chunk: each costs a few calls and a thread claim. */
const CHUNK_MIN_WORK = 1 << 18;

const round_up = (n: number, m: number): number => Math.ceil(n / m) * m;

/**
 * C[c_off .. c_off + M·N) = op(A) · op(B) (+ bias), A read from a_off and B from b_off. A, B, C
 * (and bias) must all be Float32Array or all Float64Array. Returns false (doing nothing) when the
 * WebAssembly kernel is not available.
 *
 * Steps: wake the ready worker threads (large products only); copy A and B into the module's
 * memory; pack every KC-deep slice of op(A) into MR-row panels; compute C in chunks, each packing
 * its own columns of op(B) (blocked.ts), on this thread and the workers; add the bias; copy C out.
 */
/**
 * For callers that keep an operand in the module's memory (a convolution builds its column matrix
 * there, nn/functional/conv_wasm.ts): B is already where `gemm_offsets` says, so it is not copied
 * in (`B` is not read); C is left there, not copied out (`C` is not written).
 */
export interface GemmPlacement {
  b_in_module?: boolean;
  c_stays?: boolean;
}

/** Where wasm_gemm keeps B and C in the module's memory (byte addresses) for an M×N×K product. */
export function gemm_offsets(M: number, N: number, K: number, f32: boolean): { b_at: number; c_at: number } {
  const esz = f32 ? 4 : 8;
  const b_at = align16(M * K * esz);
  return { b_at, c_at: align16(b_at + K * N * esz) };
}

export function wasm_gemm(
  trans_a: boolean, trans_b: boolean, M: number, N: number, K: number,
  A: F, a_off: number, B: F, b_off: number, C: F, c_off: number, bias: F | null = null, place: GemmPlacement | null = null,
): boolean {
  const inst = wasm();
  if (inst === null) return false;
  const f32 = C instanceof Float32Array;
  const esz = f32 ? 4 : 8;
  const NR = f32 ? NR_F32 : NR_F64;
  if (M === 0 || N === 0) return true;
  const work = M * N * K;
  const helpers = work >= THREAD_MIN_WORK ? ready_helpers(inst) : [];
  const Mp = round_up(M, MR);
  const kc_max = Math.max(1, Math.min(KC, K));
  // The chunk grid. One thread: NC-wide column blocks of all rows (the Goto/BLIS loop order).
  // Several: about CHUNKS_PER_THREAD chunks each, cut along the longer side of C.
  let rh = M, cw = Math.min(NC, N);
  if (helpers.length > 0) {
    const threads = helpers.length + 1;
    const target = Math.max(threads, Math.min(threads * CHUNKS_PER_THREAD, Math.floor(work / CHUNK_MIN_WORK)));
    if (N >= M) cw = Math.min(NC, round_up(Math.ceil(N / target), NR));
    else rh = round_up(Math.ceil(M / target), MR);
  }
  // Per thread: a packed slice of B's chunk columns and one scratch tile.
  const work_bytes = align16(round_up(cw, NR) * kc_max * esz) + align16(MR * NR * esz);
  // Layout (bytes): A | B | C | bias | packed op(A) | per thread scratch.
  const a_at = 0;
  const { b_at, c_at } = gemm_offsets(M, N, K, f32);
  const bias_at = align16(c_at + M * N * esz);
  const pa_at = align16(bias_at + (bias ? N * esz : 0));
  const work_at = align16(pa_at + Mp * K * esz);
  if (!reserve(inst, work_at + (max_thread_index() + 1) * work_bytes)) return false;
  // Element strides of op(A)[i, k] and op(B)[k, j] in the stored arrays.
  const rs_a = trans_a ? 1 : K, cs_a = trans_a ? M : 1;
  const rs_b = trans_b ? 1 : N, cs_b = trans_b ? K : 1;
  const col_blocks = Math.ceil(N / cw);
  const d = desc;
  // A new generation: a worker still on an interrupted product gives up; wait until none runs.
  const gen = ((d[D_GEN] + 1) | 0) || 1;
  Atomics.store(d, D_GEN, gen);
  settle(helpers);
  d[D_A_READY] = 0;
  d[D_F32] = f32 ? 1 : 0; d[D_M] = M; d[D_N] = N; d[D_K] = K; d[D_B] = b_at; d[D_RS_B] = rs_b; d[D_CS_B] = cs_b;
  d[D_C] = c_at; d[D_PA] = pa_at; d[D_WORK] = work_at; d[D_WORK_BYTES] = work_bytes;
  d[D_RH] = rh; d[D_CW] = cw; d[D_COL_BLOCKS] = col_blocks; d[D_CHUNKS] = Math.ceil(M / rh) * col_blocks;
  d[D_MC] = MC; d[D_KC] = KC; d[D_MR] = MR; d[D_NR] = NR;
  Atomics.store(d, D_NEXT, 0);
  const view = f32 ? inst.f32 : inst.f64;
  // (A, B, C share one element type, checked by the callers; the casts only merge the unions.)
  (view as Float64Array).set((A as Float64Array).subarray(a_off, a_off + M * K), a_at / esz);
  if (!place?.b_in_module) (view as Float64Array).set((B as Float64Array).subarray(b_off, b_off + K * N), b_at / esz);
  const ex = inst.ex;
  const pack_a = f32 ? ex.pack_a_f32 : ex.pack_a_f64;
  for (let pc = 0; pc < K; pc += KC) {
    pack_a(a_at + pc * cs_a * esz, rs_a * esz, cs_a * esz, Math.min(KC, K - pc), M, pa_at + Mp * pc * esz);
  }
  if (K === 0) view.fill(0, c_at / esz, c_at / esz + M * N);
  Atomics.store(d, D_A_READY, gen);
  // Workers are offered the product once op(A) is packed (had they waited for it spinning, they
  // could have taken the core this thread needs on a busy machine).
  post(helpers, gen);
  gemm_chunks(ex, d, 0, gen);
  if (!join(helpers)) {
    // A worker's calls threw (they should not): the whole product again, on this thread.
    Atomics.store(d, D_NEXT, 0);
    gemm_chunks(ex, d, 0, gen);
  }
  if (bias) {
    (view as Float64Array).set((bias as Float64Array).subarray(0, N), bias_at / esz);
    (f32 ? ex.add_rows_f32 : ex.add_rows_f64)(c_at, bias_at, M, N);
  }
  if (!place?.c_stays) (C as Float64Array).set((view as Float64Array).subarray(c_at / esz, c_at / esz + M * N), c_off);
  return true;
}
