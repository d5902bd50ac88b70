/**
 * A convolution's column matrix built where the matrix product reads it: in the WebAssembly
 * module's memory (tensor/wasm), for padding "zeros" (conv.ts documents the layout and the
 * products).
 *
 * Why: built in JS (conv.ts im2col) the column matrix costs ~1.3-2.4 ns per entry, one typed-array
 * element at a time, and is then copied into the module by the product: for LeNet's first layer
 * (batch 64, 5×5 kernels) 921,600 entries, more time than the product itself. Here the batch's
 * input block (Cg·kH·kW times smaller) is copied in, the module's im2col writes the matrix at the
 * product's B operand (vectors along each row), and the product runs on it in place
 * (wasm/gemm.ts GemmPlacement). Backward builds it again the same way for dL/dw instead of keeping
 * it from forward (no 3.7 MB held per layer between forward and backward), and for dL/dx adds the
 * product's C (left in the module) back into the input's shape with the module's col2im, in the
 * JS loop's order (the same float sums). Every function returns false, having done nothing, when
 * the module is missing or its memory cannot grow: conv.ts then takes its JS path.
 */
import { align16, reserve, wasm, type WasmInstance } from "../../tensor/wasm/instance";
import { gemm_offsets, wasm_gemm } from "../../tensor/wasm/gemm";

/** The geometry conv.ts passes (padding "zeros": wLo[j] ≥ 0). */
export interface ConvGeometry {
  C: number; H: number; W: number; groups: number; kH: number; kW: number; Ho: number; Wo: number;
  hIdx: Int32Array; wLo: Int32Array; wHi: Int32Array; wStart: Int32Array; sW: number;
}

/** The order of the descriptor's i32 fields: gen_gemm_wasm.cjs CONV_FIELDS (a test checks both agree). */
export const CONV_FIELDS = ["Cg", "kH", "kW", "Ho", "Wo", "nb", "plane", "sample", "rowW", "sWb", "hTab", "wTab"] as const;

type F = Float32Array | Float64Array;

/** How many times the module built a column matrix (tests check that this path was taken). */
export const conv_wasm_stats = { im2col: 0, col2im: 0 };

let enabled = true;
/** Switches this path off (false: conv.ts builds the matrix in JS) or back on; tests compare both. */
export function set_conv_wasm(on: boolean): void {
  enabled = on;
}

/** The module, when this path is on and the module is available. */
function moduleFor(): WasmInstance | null {
  return enabled ? wasm() : null;
}

/**
 * Writes the descriptor and its tables at `at` for the block of batch entries n0..n0+nb of group g
 * whose input sits (as [nb, Cg, H, W]) at `x_at`; returns the descriptor's address, or -1 when the
 * memory cannot hold it. `extra`: bytes that must fit after the tables (a block of dL/dx).
 */
function writeDescriptor(inst: WasmInstance, geo: ConvGeometry, nb: number, esz: number, at: number, extra = 0): number {
  const { C, H, W, groups, kH, kW, Ho, Wo, hIdx, wLo, wHi, wStart, sW } = geo;
  const Cg = C / groups;
  const tab = align16(at);
  const desc = align16(tab + (kH * Ho + 3 * kW) * 4);
  if (!reserve(inst, desc + CONV_FIELDS.length * 4 + extra)) return -1;
  const i32 = new Int32Array(inst.mem.buffer, tab, (desc - tab) / 4 + CONV_FIELDS.length);
  i32.set(hIdx.subarray(0, kH * Ho), 0);
  for (let j = 0; j < kW; j++) {
    i32[kH * Ho + 3 * j] = wLo[j];
    i32[kH * Ho + 3 * j + 1] = wHi[j];
    i32[kH * Ho + 3 * j + 2] = wStart[j];
  }
  const d = (desc - tab) / 4;
  const fields = [Cg, kH, kW, Ho, Wo, nb, H * W * esz, Cg * H * W * esz, W * esz, sW * esz, tab, tab + kH * Ho * 4];
  for (let q = 0; q < fields.length; q++) i32[d + q] = fields[q];
  return desc;
}

/** Copies x's entries n0..n0+nb, channels of group g, into the module at `x_at` as [nb, Cg, H, W]. */
function stageInput(inst: WasmInstance, x: F, geo: ConvGeometry, g: number, n0: number, nb: number, x_at: number): void {
  const { C, H, W, groups } = geo;
  const Cg = C / groups;
  const block = Cg * H * W;
  const view = (x instanceof Float32Array ? inst.f32 : inst.f64) as F;
  const at = x_at / (x instanceof Float32Array ? 4 : 8);
  for (let n = 0; n < nb; n++) {
    const src = ((n0 + n) * C + g * Cg) * H * W;
    (view as Float64Array).set((x as Float64Array).subarray(src, src + block), at + n * block);
  }
}

/** Builds the column matrix [Cg·kH·kW, nb·P] of (g, n0..n0+nb) at byte address `cols_at`; false if it did not fit. */
function buildCols(inst: WasmInstance, x: F, geo: ConvGeometry, g: number, n0: number, nb: number, cols_at: number): boolean {
  const { C, H, W, groups, kH, kW, Ho, Wo } = geo;
  const f32 = x instanceof Float32Array;
  const esz = f32 ? 4 : 8;
  const Cg = C / groups;
  const x_at = align16(cols_at + Cg * kH * kW * nb * Ho * Wo * esz);
  const desc = writeDescriptor(inst, geo, nb, esz, x_at + nb * Cg * H * W * esz);
  if (desc < 0) return false;
  stageInput(inst, x, geo, g, n0, nb, x_at);
  (f32 ? inst.ex.im2col_f32 : inst.ex.im2col_f64)(x_at, cols_at, desc);
  conv_wasm_stats.im2col++;
  return true;
}

/**
 * A product with the column matrix of (g, n0..n0+nb) as its B operand, built in place:
 * out[c_off ..] = A · cols for forward (A the weights [M, CK] from a_off), or, with `transposed`,
 * A · colsᵀ for dL/dw (A the output's gradient [M, L]). Returns false (nothing done) when the
 * module cannot take it.
 */
function colsProduct(
  transposed: boolean, A: F, a_off: number, M: number, x: F, geo: ConvGeometry, g: number, n0: number, nb: number, out: F, c_off: number,
  c_stays = false,
): boolean {
  const inst = moduleFor();
  if (inst === null || A.constructor !== x.constructor || out.constructor !== x.constructor) return false;
  const CK = (geo.C / geo.groups) * geo.kH * geo.kW, L = nb * geo.Ho * geo.Wo;
  const [N, K] = transposed ? [CK, L] : [L, CK];
  const { b_at } = gemm_offsets(M, N, K, x instanceof Float32Array);
  if (!buildCols(inst, x, geo, g, n0, nb, b_at)) return false;
  return wasm_gemm(false, transposed, M, N, K, A, a_off, x, 0, out, c_off, null, { b_in_module: true, c_stays });
}

/** out[c_off ..] = w · cols (w [M, CK] from w_off): the forward product of one group and batch block. */
export function conv_forward_wasm(w: F, w_off: number, M: number, x: F, geo: ConvGeometry, g: number, n0: number, nb: number, out: F, c_off: number): boolean {
  return colsProduct(false, w, w_off, M, x, geo, g, n0, nb, out, c_off);
}

/**
 * The forward product of one group and batch block written straight into the output: rows
 * o0..o0+M (this group's channels) of y [N, O, P] for batch entries n0..n0+nb, plus the bias.
 * Why: conv_forward_wasm copies the product [M, nb·P] out into a buffer, which JS then copied into
 * y's layout adding the bias, one entry at a time (~2.5 ns per entry: 2.6 ms of the 6.4 ms
 * forward of a small CIFAR CNN's first layer, batch 64, 3→16 channels). Here the module adds the
 * bias in place (add_cols, vectors; the same float sums) and rows are copied out as blocks of P.
 */
export function conv_forward_wasm_into(
  w: F, w_off: number, M: number, x: F, geo: ConvGeometry, g: number, n0: number, nb: number, y: F, bias: F | null, o0: number, O: number,
): boolean {
  if (bias !== null && bias.constructor !== x.constructor) return false;
  if (!colsProduct(false, w, w_off, M, x, geo, g, n0, nb, y, 0, true)) return false;
  const inst = wasm()!;
  const f32 = x instanceof Float32Array;
  const esz = f32 ? 4 : 8;
  const CK = (geo.C / geo.groups) * geo.kH * geo.kW, P = geo.Ho * geo.Wo, L = nb * P;
  const { c_at } = gemm_offsets(M, L, CK, f32);
  const bias_at = align16(c_at + M * L * esz);
  // the bias goes just after C, over the product's packed A and scratch (no longer needed)
  if (bias !== null && !reserve(inst, bias_at + M * esz)) return false;
  const view = (f32 ? inst.f32 : inst.f64) as Float64Array; // (after reserve: it may renew the views)
  if (bias !== null) {
    view.set((bias as Float64Array).subarray(o0, o0 + M), bias_at / esz);
    (f32 ? inst.ex.add_cols_f32 : inst.ex.add_cols_f64)(c_at, bias_at, M, L);
  }
  // C [M, (n, p)] → y [n, O, p]
  const c0 = c_at / esz;
  for (let o = 0; o < M; o++) {
    for (let n = 0; n < nb; n++) {
      const s = c0 + o * L + n * P;
      (y as Float64Array).set(view.subarray(s, s + P), ((n0 + n) * O + o0 + o) * P);
    }
  }
  return true;
}

/**
 * src [Og, (n, p)] from s_off (channels o0..o0+Og of batch entries n0..n0+m) → y [n, O, p], plus
 * the bias: conv.ts's JS path (products in a JS buffer).
 */
export function scatterOutput(src: F, s_off: number, y: F, b: F | null, n0: number, m: number, o0: number, Og: number, O: number, P: number): void {
  const L = m * P;
  for (let o = 0; o < Og; o++) {
    const bo = b ? b[o0 + o] : 0;
    for (let n = 0; n < m; n++) {
      const s = s_off + o * L + n * P;
      const d = ((n0 + n) * O + o0 + o) * P;
      if (b) for (let p = 0; p < P; p++) y[d + p] = src[s + p] + bo;
      else y.set(src.subarray(s, s + P), d);
    }
  }
}

/** out[c_off ..] = G · colsᵀ (G [M, L] from g_off): dL/dw of one group and batch block. */
export function conv_weight_grad_wasm(G: F, g_off: number, M: number, x: F, geo: ConvGeometry, g: number, n0: number, nb: number, out: F, c_off: number): boolean {
  return colsProduct(true, G, g_off, M, x, geo, g, n0, nb, out, c_off);
}

/**
 * dL/dx of (g, n0..n0+nb) into gx: wᵀ · G (w [M, CK] from w_off, G [M, L] from g_off) scattered
 * back by col2im. Each (group, batch block) owns its own entries of gx, which are written (set).
 */
export function conv_input_grad_wasm(w: F, w_off: number, M: number, G: F, g_off: number, geo: ConvGeometry, g: number, n0: number, nb: number, gx: F): boolean {
  const inst = moduleFor();
  if (inst === null || w.constructor !== G.constructor || gx.constructor !== G.constructor) return false;
  const { C, H, W, groups, kH, kW, Ho, Wo } = geo;
  const f32 = G instanceof Float32Array;
  const esz = f32 ? 4 : 8;
  const Cg = C / groups, CK = Cg * kH * kW, L = nb * Ho * Wo;
  if (!wasm_gemm(true, false, CK, L, M, w, w_off, G, g_off, gx, 0, null, { c_stays: true })) return false;
  const { c_at } = gemm_offsets(CK, L, M, f32);
  const block = Cg * H * W;
  const gx_at = align16(c_at + CK * L * esz);
  // the product's C stays where it is while the memory grows (if it must) for the block of dL/dx
  const desc = writeDescriptor(inst, geo, nb, esz, gx_at + nb * block * esz);
  if (desc < 0) return false;
  const view = (f32 ? inst.f32 : inst.f64) as F;
  view.fill(0, gx_at / esz, gx_at / esz + nb * block);
  (f32 ? inst.ex.col2im_f32 : inst.ex.col2im_f64)(gx_at, c_at, desc);
  conv_wasm_stats.col2im++;
  for (let n = 0; n < nb; n++) {
    const dst = ((n0 + n) * C + g * Cg) * H * W;
    (gx as Float64Array).set((view as Float64Array).subarray(gx_at / esz + n * block, gx_at / esz + (n + 1) * block), dst);
  }
  return true;
}

