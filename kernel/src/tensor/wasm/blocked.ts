/**
 * The macro loop of the matrix product over pre-packed operands, in chunks of C that threads
 * claim one at a time (gemm.ts packs and describes the product; threads.ts runs the workers).
 *
 * C is cut into a grid of rectangles ("chunks"): row blocks of `rh` rows × column blocks of `cw`
 * columns (multiples of the micro-kernel's MR and NR). Each thread, the caller included, takes the
 * next unclaimed chunk (Atomics.add on d[NEXT]) until none is left, so a thread that starts late
 * or is descheduled just takes fewer chunks. For a chunk, every KC-deep slice of K in order: the
 * macro-kernel over MC-row blocks (first slice stores, later slices add). Every entry of C is thus
 * the same sequence of calls whatever the split and thread count: the bits never depend on them.
 *
 * Written in plain JavaScript apart from the type annotations, and self-contained (no imports or
 * outer names): threads.ts sends its source text to the workers (`gemm_chunks.toString()`).
 */

/** Layout of the product's description `d` (an Int32Array over a SharedArrayBuffer). */
export const D_NEXT = 0, D_F32 = 1, D_M = 2, D_N = 3, D_K = 4, D_C = 5, D_PA = 6, D_PB = 7, D_TMP = 8;
export const D_RH = 9, D_CW = 10, D_COL_BLOCKS = 11, D_CHUNKS = 12, D_MC = 13, D_KC = 14, D_MR = 15, D_NR = 16;
export const D_LENGTH = 17;

/**
 * Claims and computes chunks until none is left. `ex`: the module's exports; `tid`: the thread's
 * index (0 = the caller), which picks its scratch tile at d[D_TMP] + tid·MR·NR elements.
 * Packed operands (gemm.ts): slice s of K (depth kc) of op(A) at d[D_PA] + Mp·s·KC elements, MR-row
 * panels of kc·MR; of op(B) at d[D_PB] + Np·s·KC, NR-column panels of kc·NR (Mp, Np: M, N rounded
 * up to MR, NR).
 */
export function gemm_chunks(ex: any, d: Int32Array, tid: number): void {
  const f32 = d[1] === 1, M = d[2], N = d[3], K = d[4], c_at = d[5], pa_at = d[6], pb_at = d[7];
  const rh = d[9], cw = d[10], col_blocks = d[11], chunks = d[12], MC = d[13], KC = d[14], MR = d[15], NR = d[16];
  const esz = f32 ? 4 : 8;
  const tmp = d[8] + tid * MR * NR * esz;
  const Mp = Math.ceil(M / MR) * MR, Np = Math.ceil(N / NR) * NR;
  const macro = f32 ? ex.macro_f32 : ex.macro_f64;
  for (;;) {
    const c = Atomics.add(d, 0, 1);
    if (c >= chunks) return;
    const i0 = Math.floor(c / col_blocks) * rh, j0 = (c % col_blocks) * cw;
    const i1 = Math.min(M, i0 + rh), j1 = Math.min(N, j0 + cw);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      const pa = pa_at + Mp * pc * esz, pb = pb_at + (Np * pc + j0 * kc) * esz;
      for (let ic = i0; ic < i1; ic += MC) {
        macro(pa + ic * kc * esz, pb, Math.min(MC, i1 - ic), j1 - j0, kc, c_at + (ic * N + j0) * esz, N * esz, pc > 0 ? 1 : 0, tmp);
      }
    }
  }
}
