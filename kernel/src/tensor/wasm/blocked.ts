/**
 * The blocked loop of the matrix product in chunks of C that threads claim one at a time (gemm.ts
 * copies the operands in, packs op(A) and describes the product; threads.ts runs the workers).
 *
 * C is cut into a grid of rectangles ("chunks"): row blocks of `rh` rows × column blocks of `cw`
 * columns (multiples of the micro-kernel's MR and NR). Each thread, the caller included, takes the
 * next unclaimed chunk (Atomics.add on d[NEXT]) until none is left, so a thread that starts late
 * or is descheduled just takes fewer chunks. For a chunk, every KC-deep slice of K in order: pack
 * the chunk's columns of that slice of op(B) into the thread's own buffer (NR-wide panels, still in
 * cache when used), then run the macro-kernel over MC-row blocks of the packed op(A) (the first
 * slice stores into C, later slices add). Every entry of C is thus the same sequence of operations
 * whatever the split and the thread count: the bits never depend on them.
 *
 * Written in plain JavaScript apart from the type annotations, and self-contained (no imports or
 * outer names): threads.ts sends its source text to the workers (`gemm_chunks.toString()`).
 */

/** Layout of the product's description `d` (an Int32Array over a SharedArrayBuffer). */
export const D_NEXT = 0, D_A_READY = 1, D_GEN = 21, D_F32 = 2, D_M = 3, D_N = 4, D_K = 5, D_B = 6, D_RS_B = 7, D_CS_B = 8;
export const D_C = 9, D_PA = 10, D_WORK = 11, D_WORK_BYTES = 12, D_RH = 13, D_CW = 14, D_COL_BLOCKS = 15;
export const D_CHUNKS = 16, D_MC = 17, D_KC = 18, D_MR = 19, D_NR = 20;
export const D_LENGTH = 22;

/**
 * Claims and computes chunks until none is left. `ex`: the module's exports; `tid`: the thread's
 * index (0 = the caller), which picks its scratch at d[D_WORK] + tid·d[D_WORK_BYTES] (a packed
 * slice of B's chunk columns, then one MR×NR tile). `gen`: the generation of the product the
 * thread was given; it gives up as soon as d[D_GEN] differs (an offer left over from an
 * interrupted product, or the caller began another one). Waits (spinning) until d[D_A_READY]
 * holds the generation, i.e. the caller has packed op(A): slice s of K (depth kc) at
 * d[D_PA] + Mp·s·KC elements, MR-row panels of kc·MR (Mp: M rounded up to MR). B (bytes d[D_B])
 * holds op(B)[k, j] at element k·rs_b + j·cs_b.
 */
export function gemm_chunks(ex: any, d: Int32Array, tid: number, gen: number): void {
  const f32 = d[2] === 1, M = d[3], N = d[4], K = d[5], b_at = d[6], rs_b = d[7], cs_b = d[8];
  const c_at = d[9], pa_at = d[10], rh = d[13], cw = d[14], col_blocks = d[15], chunks = d[16];
  const MC = d[17], KC = d[18], MR = d[19], NR = d[20];
  const esz = f32 ? 4 : 8;
  const pb = d[11] + tid * d[12];
  const tmp = pb + Math.ceil(cw / NR) * NR * Math.min(KC, K) * esz;
  const Mp = Math.ceil(M / MR) * MR;
  const macro = f32 ? ex.macro_f32 : ex.macro_f64;
  const pack_b = f32 ? ex.pack_b_f32 : ex.pack_b_f64;
  // the caller is packing op(A): microseconds
  while (Atomics.load(d, 1) !== gen) if (Atomics.load(d, 21) !== gen) return;
  for (;;) {
    if (Atomics.load(d, 21) !== gen) return;
    const c = Atomics.add(d, 0, 1);
    if (c >= chunks) return;
    const i0 = Math.floor(c / col_blocks) * rh, j0 = (c % col_blocks) * cw;
    const i1 = Math.min(M, i0 + rh), j1 = Math.min(N, j0 + cw);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      pack_b(b_at + (pc * rs_b + j0 * cs_b) * esz, cs_b * esz, rs_b * esz, kc, j1 - j0, pb);
      const pa = pa_at + Mp * pc * esz;
      for (let ic = i0; ic < i1; ic += MC) {
        macro(pa + ic * kc * esz, pb, Math.min(MC, i1 - ic), j1 - j0, kc, c_at + (ic * N + j0) * esz, N * esz, pc > 0 ? 1 : 0, tmp);
      }
    }
  }
}
