/**
 * F.conv1d, F.conv2d and F.conv3d (PyTorch 2.13's semantics, names and messages), by im2col and
 * the tensor library's matrix product (gemm.ts: WebAssembly SIMD, worker threads for large products).
 *
 * For input x [N, C, H, W], weight w [O, C/g, kH, kW] (g = groups, Cg = C/g, Og = O/g) and output
 * y [N, O, Ho, Wo] with P = Ho·Wo positions, each group is one product over a chunk of the batch:
 *   cols[(c, i, j), (n, p)] = x[n, g·Cg + c, oh·s_h − pad_t + i·d_h, ow·s_w − pad_l + j·d_w]   (0 outside)
 *   y_g [Og, (n, p)] = w_g [Og, Cg·kH·kW] · cols [Cg·kH·kW, (n, p)]          (+ b[o])
 * and backward, with g_y permuted to [O, (n, p)]:
 *   dL/dw_g = g_y,g · colsᵀ      dL/dcols = w_gᵀ · g_y,g  (scattered back to x: col2im)      dL/db[o] = Σ_{n,p} g_y[n, o, p]
 * The (kernel offset, output position) → input index maps are tabulated per spatial dim, which
 * also implements padding_mode "reflect", "replicate" and "circular" (the index folds back into
 * the input; col2im then adds the gradient where the value came from, which is the gradient of
 * PyTorch's F.pad followed by an unpadded convolution). conv1d is conv2d with H = 1.
 *
 * conv3d is conv2d over rows: x [N, C, D, H, W] is read as [N, C, D·H, W], the kernel's kD·kH rows
 * (a, i) and the output's Do·Ho rows (od, oh) are flattened the same way (the weight's
 * [O, Cg, kD, kH, kW] and the output's [N, O, Do, Ho, Wo] layouts already are), and the row table
 * maps (kernel row, output row) to the input row id·H + ih, or −1 when id or ih is padding. The
 * W dim, the products, the WebAssembly kernels and backward are the 2-d ones unchanged.
 *
 * Float32 products sum in float32 (as PyTorch's CPU kernels); the bias is added after the product.
 * With padding "zeros" and a product large enough for the WebAssembly kernel, cols is built in
 * the module's memory where the product reads it, and built again there for backward; the
 * product gets its bias there and goes from there into the output's layout (conv_wasm.ts: bit
 * for bit the same results as the JS loops below, several times faster).
 * Otherwise it is built here, kept for backward when the batch fits in one chunk (at most
 * COLS_LIMIT entries), else rebuilt chunk by chunk.
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import type { Storage } from "../../tensor/tensor";
import { gemm, WASM_MIN_WORK } from "../../tensor/gemm";
import { conv_forward_wasm_into, conv_input_grad_wasm, conv_weight_grad_wasm, scatterOutput } from "./conv_wasm";
import { fresh_grad } from "../../tensor/autograd";
import { checkFloat, record } from "../_autograd";
import { torchName } from "./linear";
import { saves } from "../../tensor/version";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const BOTH_SAVES = saves("0, 1");

/** Entries of one im2col buffer from which the batch is split into chunks. */
export const COLS_LIMIT = 1 << 22;

export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";
/** An int, a tuple (array) of one int per spatial dim, or "same" / "valid". */
export type ConvPadding = number | number[] | "same" | "valid";

export interface ConvOptions {
  /** Step of the kernel over the input (int or one per spatial dim). Default 1. */
  stride?: number | number[];
  /** Zeros added on both sides (int or one per spatial dim), or "valid" (none) / "same" (output as large as the input; stride 1 only). Default 0. */
  padding?: ConvPadding;
  /** Spacing between kernel elements (int or one per spatial dim). Default 1. */
  dilation?: number | number[];
  /** Input and output channels split into this many independent groups. Default 1. */
  groups?: number;
}

/** Python's repr of an int tuple: (3,) or (3, 3). */
export function pyTuple(v: readonly number[]): string {
  return v.length === 1 ? `(${v[0]},)` : `(${v.join(", ")})`;
}

/** An int or an array of `n` ints, as PyTorch's `_single`/`_pair` with its message for a wrong length. */
export function expandArg(v: unknown, n: number, name: string, op = "convolution"): number[] {
  if (typeof v === "number") {
    if (!Number.isInteger(v)) throw new TypeError(`${op}(): argument '${name}' must be an int or a tuple of ${n} ints, but got ${v}`);
    return new Array(n).fill(v);
  }
  if (Array.isArray(v) && v.every((e) => typeof e === "number" && Number.isInteger(e))) {
    if (v.length === 1) return new Array(n).fill(v[0]);
    if (v.length === n) return [...v];
    throw new RangeError(
      `expected ${name} to be a single integer value or a list of ${n} values to match the convolution dimensions, but got ${name}=[${v.join(", ")}]`,
    );
  }
  throw new TypeError(`${op}(): argument '${name}' must be an int or a tuple of ${n} ints, but got ${describeArg(v)}`);
}

function describeArg(v: unknown): string {
  if (typeof v === "string") return `"${v}"`;
  if (Array.isArray(v)) return `[${v.map(String).join(", ")}]`;
  return String(v);
}

/**
 * One spatial dim's index map: idx[k·Out + o] is the input index the kernel offset k reads at
 * output position o, or −1 for a zero (padding "zeros").
 */
function indexMap(In: number, K: number, Out: number, stride: number, dil: number, padL: number, mode: PaddingMode): Int32Array {
  const idx = new Int32Array(K * Out);
  for (let k = 0; k < K; k++) {
    for (let o = 0; o < Out; o++) {
      let i = o * stride - padL + k * dil;
      if (i < 0 || i >= In) {
        if (mode === "zeros") i = -1;
        else if (mode === "reflect") i = i < 0 ? -i : 2 * (In - 1) - i;
        else if (mode === "replicate") i = i < 0 ? 0 : In - 1;
        else i = ((i % In) + In) % In;
      }
      idx[k * Out + o] = i;
    }
  }
  return idx;
}

export interface Geometry {
  /** H, kH, Ho and hIdx count rows: for a 3-d convolution D·H, kD·kH, Do·Ho and the (depth, row) table. */
  N: number; C: number; H: number; W: number;
  O: number; groups: number; kH: number; kW: number;
  Ho: number; Wo: number;
  hIdx: Int32Array; wIdx: Int32Array;
  /** Padding "zeros": per kernel column j, the output columns wLo..wHi-1 that read the input (at wStart + ow·sW); wLo = −1 for other padding modes. */
  wLo: Int32Array; wHi: Int32Array; wStart: Int32Array; sW: number;
}

/** A 3-d convolution's depth dim: input size, kernel size, output size, stride, dilation, padding before. */
export interface DepthDim { D: number; kD: number; Do: number; sD: number; dD: number; padF: number }

/**
 * The geometry of a convolution of x [N, C, H, W] by weights [O, C/groups, kH, kW] to Ho × Wo
 * output positions (stride, dilation and the padding before, as [h, w]). Ho and Wo are given, not
 * derived: conv_transpose.ts uses the same tables for the adjoint, whose Ho × Wo is its input size.
 * With `depth` (a 3-d convolution of x [N, C, D, H, W]) the rows are folded as the header says.
 */
export function convGeometry(
  [N, C, H, W]: number[], O: number, groups: number, kH: number, kW: number, Ho: number, Wo: number,
  [sH, sW]: number[], [dH, dW]: number[], [padT, padL]: number[], mode: PaddingMode, depth?: DepthDim,
): Geometry {
  const wLo = new Int32Array(kW).fill(-1), wHi = new Int32Array(kW), wStart = new Int32Array(kW);
  if (mode === "zeros") {
    for (let j = 0; j < kW; j++) {
      const start = j * dW - padL; // input column read at ow = 0
      let lo = 0;
      while (lo < Wo && start + lo * sW < 0) lo++;
      let hi = lo;
      while (hi < Wo && start + hi * sW < W) hi++;
      wLo[j] = lo; wHi[j] = hi; wStart[j] = start;
    }
  }
  const hIdx = indexMap(H, kH, Ho, sH, dH, padT, mode), wIdx = indexMap(W, kW, Wo, sW, dW, padL, mode);
  if (depth) {
    const { D, kD, Do } = depth;
    const dIdx = indexMap(D, kD, Do, depth.sD, depth.dD, depth.padF, mode);
    const rows = new Int32Array(kD * kH * Do * Ho);
    const R = Do * Ho;
    for (let a = 0; a < kD; a++) {
      for (let i = 0; i < kH; i++) {
        const r = (a * kH + i) * R;
        for (let od = 0; od < Do; od++) {
          const id = dIdx[a * Do + od];
          for (let oh = 0; oh < Ho; oh++) {
            const ih = hIdx[i * Ho + oh];
            rows[r + od * Ho + oh] = id < 0 || ih < 0 ? -1 : id * H + ih;
          }
        }
      }
    }
    return { N, C, H: D * H, W, O, groups, kH: kD * kH, kW, Ho: Do * Ho, Wo, hIdx: rows, wIdx, wLo, wHi, wStart, sW };
  }
  return { N, C, H, W, O, groups, kH, kW, Ho, Wo, hIdx, wIdx, wLo, wHi, wStart, sW };
}

/**
 * cols [Cg·kH·kW, nb·P] of group g for batch entries n0..n0+nb; `cols` must be zero-filled (entries
 * that read padding zeros are not written).
 */
export function im2col(x: Storage, geo: Geometry, g: number, n0: number, nb: number, cols: Storage): void {
  const { C, H, W, groups, kH, kW, Ho, Wo, hIdx, wIdx, wLo, wHi, wStart, sW } = geo;
  const Cg = C / groups;
  const P = Ho * Wo;
  const rowLen = nb * P;
  for (let c = 0; c < Cg; c++) {
    for (let i = 0; i < kH; i++) {
      for (let j = 0; j < kW; j++) {
        const row = ((c * kH + i) * kW + j) * rowLen;
        const wOff = j * Wo;
        // padding "zeros": the output columns lo..hi-1 read x[.., wStart[j] + ow·sW], the others 0
        const lo = wLo[j], hi = wHi[j], w0 = wStart[j];
        for (let n = 0; n < nb; n++) {
          const xb = ((n0 + n) * C + g * Cg + c) * H * W;
          let d = row + n * P;
          for (let oh = 0; oh < Ho; oh++, d += Wo) {
            const ih = hIdx[i * Ho + oh];
            if (ih < 0) continue;
            const src = xb + ih * W;
            if (lo >= 0) {
              for (let ow = lo, q = src + w0 + lo * sW; ow < hi; ow++, q += sW) cols[d + ow] = x[q];
            } else {
              for (let ow = 0; ow < Wo; ow++) cols[d + ow] = x[src + wIdx[wOff + ow]];
            }
          }
        }
      }
    }
  }
}

/** The adjoint of im2col: gx[...] += gcols[...] for every entry that im2col read. */
export function col2im(gcols: Storage, geo: Geometry, g: number, n0: number, nb: number, gx: Storage): void {
  const { C, H, W, groups, kH, kW, Ho, Wo, hIdx, wIdx, wLo, wHi, wStart, sW } = geo;
  const Cg = C / groups;
  const P = Ho * Wo;
  const rowLen = nb * P;
  for (let c = 0; c < Cg; c++) {
    for (let i = 0; i < kH; i++) {
      for (let j = 0; j < kW; j++) {
        const row = ((c * kH + i) * kW + j) * rowLen;
        const wOff = j * Wo;
        // padding "zeros": the output columns lo..hi-1 came from x[.., wStart[j] + ow·sW] (as im2col)
        const lo = wLo[j], hi = wHi[j], w0 = wStart[j];
        for (let n = 0; n < nb; n++) {
          const xb = ((n0 + n) * C + g * Cg + c) * H * W;
          let d = row + n * P;
          for (let oh = 0; oh < Ho; oh++, d += Wo) {
            const ih = hIdx[i * Ho + oh];
            if (ih < 0) continue;
            const dst = xb + ih * W;
            if (lo >= 0) {
              for (let ow = lo, q = dst + w0 + lo * sW; ow < hi; ow++, q += sW) gx[q] += gcols[d + ow];
            } else {
              for (let ow = 0; ow < Wo; ow++) gx[dst + wIdx[wOff + ow]] += gcols[d + ow];
            }
          }
        }
      }
    }
  }
}

/**
 * dL/db[o] = Σ_n Σ_p g_y[n, o, p] in float64: each (n, o) row in four interleaved partial sums
 * (p = 4i, 4i+1, 4i+2, 4i+3, the last P mod 4 into the first; then (s0 + s1) + (s2 + s3)), added
 * to acc[o] in n order. Why four: one running sum is bound by the latency of an add (~1.3 ns per
 * entry, 2 ms per step of a small CIFAR CNN's two convolutions); four run ~3× faster. The order
 * moves the float64 sum by ~1e-16 relative, far below the float32 result's rounding.
 */
function biasGrad(gd: Storage, N: number, O: number, P: number): Float64Array {
  const acc = new Float64Array(O);
  const P4 = P & ~3;
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const base = (n * O + o) * P;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let p = 0;
      for (; p < P4; p += 4) {
        s0 += gd[base + p]; s1 += gd[base + p + 1]; s2 += gd[base + p + 2]; s3 += gd[base + p + 3];
      }
      for (; p < P; p++) s0 += gd[base + p];
      acc[o] += (s0 + s1) + (s2 + s3);
    }
  }
  return acc;
}

/** The spatial dims of a 1-d, 2-d or 3-d argument as 3 (depth, height, width), `fill` in front. */
function asDHW<T>(v: readonly T[], fill: T): T[] {
  return v.length === 3 ? [...v] : v.length === 2 ? [fill, ...v] : [fill, fill, v[0]];
}

/**
 * The shared convolution: `nd` spatial dims (1, 2 or 3), `pads` as [before, after] per spatial dim
 * (already resolved from "same"/"valid"), `mode` the padding mode (checked by the caller).
 */
export function convolution(
  op: string, nd: 1 | 2 | 3, input: Tensor, weight: Tensor, bias: Tensor | null,
  stride: number[], pads: [number, number][], dilation: number[], groups: number, mode: PaddingMode,
): Tensor {
  const unbatched = input.dim() === nd + 1;
  const batched = unbatched ? [1, ...input.shape] : input.shape;
  const N = batched[0], C = batched[1];
  // conv1d is conv2d with H = 1; conv3d passes its depth dim to convGeometry (header)
  const [D, H, W] = asDHW(batched.slice(2), 1);
  const O = weight.shape[0];
  const [kD, kH, kW] = asDHW(weight.shape.slice(2), 1);
  const [sD, sH, sW] = asDHW(stride, 1);
  const [dD, dH, dW] = asDHW(dilation, 1);
  const [pD, pH, pW] = asDHW(pads, [0, 0] as [number, number]);
  const Do = Math.floor((D + pD[0] + pD[1] - dD * (kD - 1) - 1) / sD) + 1;
  const Ho = Math.floor((H + pH[0] + pH[1] - dH * (kH - 1) - 1) / sH) + 1;
  const Wo = Math.floor((W + pW[0] + pW[1] - dW * (kW - 1) - 1) / sW) + 1;
  const depth = nd === 3 ? { D, kD, Do, sD, dD, padF: pD[0] } : undefined;
  const geo = convGeometry([N, C, H, W], O, groups, kH, kW, Ho, Wo, [sH, sW], [dH, dW], [pH[0], pW[0]], mode, depth);
  const dtype = input.dtype;
  const Cg = C / groups, Og = O / groups, CK = Cg * geo.kH * kW, P = geo.Ho * Wo;
  const x = input.data, w = weight.data, b = bias ? bias.data : null;
  const y = storageFor(dtype, N * O * P);
  const nb = Math.max(1, Math.min(N, Math.floor(COLS_LIMIT / Math.max(1, CK * P))));
  const single = nb >= N;
  // Padding "zeros" and a product the WebAssembly kernel takes: the column matrix is built in the
  // module's memory, not kept for backward (conv_wasm.ts); otherwise in JS, kept per group when
  // the batch is one chunk (null: built in the module).
  const inModule = (work: number) => mode === "zeros" && work >= WASM_MIN_WORK;
  const saved: (Storage | null)[] = [];
  // the JS path's products [Og, (n, p)], before they go into y's layout (made when first needed)
  let tmp: Storage | null = null;
  for (let n0 = 0; n0 < N; n0 += nb) {
    const m = Math.min(nb, N - n0);
    const L = m * P;
    if (L === 0) continue;
    for (let g = 0; g < groups; g++) {
      if (inModule(Og * L * CK) && conv_forward_wasm_into(w, g * Og * CK, Og, x, geo, g, n0, m, y, b, g * Og, O)) {
        if (single) saved.push(null);
        continue;
      }
      const cols = storageFor(dtype, CK * L);
      im2col(x, geo, g, n0, m, cols);
      if (single) saved.push(cols);
      tmp ??= storageFor(dtype, Og * nb * P);
      gemm(false, false, Og, L, CK, w, g * Og * CK, cols, 0, tmp, 0);
      scatterOutput(tmp, 0, y, b, n0, m, g * Og, Og, O, P);
    }
  }
  const outShape = [N, O, ...[Do, Ho, Wo].slice(3 - nd)];
  const out = new Tensor(y, unbatched ? outShape.slice(1) : outShape, dtype);
  return record(out, "ConvolutionBackward0", [input, weight, bias], (gOut, need) => {
    const gd = gOut.data;
    const gx = need[0] ? storageFor(dtype, x.length) : null;
    const gw = need[1] ? storageFor(dtype, w.length) : null;
    const gwTmp = need[1] && !single ? storageFor(dtype, Og * CK) : null;
    let gb: Storage | null = null;
    if (need[2] && b) {
      const acc = biasGrad(gd, N, O, P);
      gb = dtype === "float32" ? Float32Array.from(acc) : acc;
    }
    if (gx || gw) {
      const gp = storageFor(dtype, O * nb * P);
      for (let n0 = 0; n0 < N; n0 += nb) {
        const m = Math.min(nb, N - n0);
        const L = m * P;
        if (L === 0) continue;
        // g_y [n, O, p] → gp [O, (n, p)]
        for (let n = 0; n < m; n++) {
          for (let o = 0; o < O; o++) {
            const src = ((n0 + n) * O + o) * P;
            gp.set(gd.subarray(src, src + P), o * L + n * P);
          }
        }
        for (let g = 0; g < groups; g++) {
          if (gw) {
            // the first chunk writes dL/dw, the others add theirs to it
            const dst = n0 === 0 ? gw : gwTmp!, off = n0 === 0 ? g * Og * CK : 0;
            if (!(inModule(Og * CK * L) && conv_weight_grad_wasm(gp, g * Og * L, Og, x, geo, g, n0, m, dst, off))) {
              let cols = single ? saved[g] : null;
              if (!cols) {
                cols = storageFor(dtype, CK * L);
                im2col(x, geo, g, n0, m, cols);
              }
              gemm(false, true, Og, CK, L, gp, g * Og * L, cols, 0, dst, off);
            }
            if (n0 !== 0) {
              const at = g * Og * CK;
              for (let i = 0; i < Og * CK; i++) gw[at + i] += gwTmp![i];
            }
          }
          if (gx && !(inModule(CK * L * Og) && conv_input_grad_wasm(w, g * Og * CK, Og, gp, g * Og * L, geo, g, n0, m, gx))) {
            const gcols = storageFor(dtype, CK * L);
            gemm(true, false, CK, L, Og, w, g * Og * CK, gp, g * Og * L, gcols, 0);
            col2im(gcols, geo, g, n0, m, gx);
          }
        }
      }
    }
    return [
      gx ? fresh_grad(new Tensor(gx, input.shape, dtype)) : null,
      gw ? fresh_grad(new Tensor(gw, weight.shape, dtype)) : null,
      gb && bias ? fresh_grad(new Tensor(gb, bias.shape, dtype)) : null,
    ];
  }, BOTH_SAVES);
}

/**
 * Checks and resolves the arguments of F.conv1d / F.conv2d / F.conv3d (and the modules), in PyTorch's order
 * and with its messages; returns the padding as [before, after] per spatial dim.
 */
export function checkConv(
  op: string, nd: 1 | 2 | 3, input: Tensor, weight: Tensor, bias: Tensor | null | undefined,
  strideArg: unknown, paddingArg: unknown, dilationArg: unknown, groups: unknown, mode: PaddingMode,
): { stride: number[]; pads: [number, number][]; dilation: number[] } {
  checkFloat(input, op, "input");
  checkFloat(weight, op, "weight");
  if (weight.dim() !== nd + 2) {
    throw new RangeError(
      `${op}(): weight must be ${nd + 2}-D [out_channels, in_channels / groups, ${["kD", "kH", "kW"].slice(3 - nd).join(", ")}], got shape [${weight.shape.join(", ")}]`,
    );
  }
  const stride = expandArg(strideArg, nd, "stride", op);
  const dilation = expandArg(dilationArg, nd, "dilation", op);
  if (typeof groups !== "number" || !Number.isInteger(groups)) {
    throw new TypeError(`${op}(): argument 'groups' must be int, not ${describeArg(groups)}`);
  }
  let padding: number[] | "same" | "valid";
  if (typeof paddingArg === "string") {
    if (paddingArg !== "same" && paddingArg !== "valid") {
      throw new RangeError(`Invalid padding string: '${paddingArg}' (allowed: "valid", "same", an int or a tuple of ${nd} ints)`);
    }
    padding = paddingArg;
  } else padding = expandArg(paddingArg, nd, "padding", op);
  if (stride.some((s) => s <= 0)) throw new RangeError(`non-positive stride is not supported (got stride=${pyTuple(stride)})`);
  if (Array.isArray(padding) && padding.some((p) => p < 0)) {
    throw new RangeError(`negative padding is not supported (got padding=${pyTuple(padding)})`);
  }
  if (dilation.some((d) => d <= 0)) throw new RangeError(`dilation should be greater than zero, but got [${dilation.join(", ")}]`);
  if (groups <= 0) throw new RangeError(`non-positive groups is not supported (got groups=${groups})`);
  if (padding === "same" && stride.some((s) => s !== 1)) throw new RangeError("padding='same' is not supported for strided convolutions");
  if (input.dim() !== nd + 1 && input.dim() !== nd + 2) {
    throw new RangeError(
      `Expected ${nd + 1}D (unbatched) or ${nd + 2}D (batched) input to ${op}, but got input of size: [${input.shape.join(", ")}]`,
    );
  }
  if (input.dtype !== weight.dtype) {
    throw new TypeError(`expected scalar type ${torchName(input.dtype)} but found ${torchName(weight.dtype)} (input and weight must have the same dtype)`);
  }
  const batched = input.dim() === nd + 2 ? input.shape : [1, ...input.shape];
  const O = weight.shape[0];
  if (O % groups !== 0) {
    throw new RangeError(
      `Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size [${weight.shape.join(", ")}] instead`,
    );
  }
  if (batched[1] !== weight.shape[1] * groups) {
    throw new RangeError(
      `Given groups=${groups}, weight of size [${weight.shape.join(", ")}], expected input[${batched.join(", ")}] to have ${weight.shape[1] * groups} channels, but got ${batched[1]} channels instead`,
    );
  }
  if (bias !== null && bias !== undefined) {
    checkFloat(bias, op, "bias");
    if (bias.dim() !== 1 || bias.shape[0] !== O) {
      throw new RangeError(
        `Given weight of size [${weight.shape.join(", ")}], expected bias to be 1-dimensional with ${O} elements, but got bias of size [${bias.shape.join(", ")}] instead`,
      );
    }
    if (bias.dtype !== input.dtype) {
      throw new TypeError(`expected scalar type ${torchName(input.dtype)} but found ${torchName(bias.dtype)} (bias must have the input's dtype)`);
    }
  }
  const kernel = weight.shape.slice(2);
  const pads: [number, number][] = kernel.map((k, i) => {
    if (padding === "valid") return [0, 0];
    if (padding === "same") {
      const total = dilation[i] * (k - 1);
      const left = Math.floor(total / 2);
      return [left, total - left];
    }
    return [padding[i], padding[i]];
  });
  const spatial = batched.slice(2);
  const padded = spatial.map((s, i) => s + pads[i][0] + pads[i][1]);
  const eff = kernel.map((k, i) => dilation[i] * (k - 1) + 1);
  if (padded.some((p, i) => p < eff[i])) {
    throw new RangeError(
      `Calculated padded input size per channel: (${padded.join(" x ")}). Kernel size: (${eff.join(" x ")}). Kernel size can't be greater than actual input size`,
    );
  }
  if (mode === "reflect" || mode === "circular") {
    for (let i = 0; i < nd; i++) {
      const [a, b] = pads[i];
      if (mode === "reflect" && (a >= spatial[i] || b >= spatial[i])) {
        throw new RangeError(
          `Padding size should be less than the corresponding input dimension, but got: padding (${a}, ${b}) at dimension ${i + 2 + (batched.length - 2 - nd)} of input [${batched.join(", ")}]`,
        );
      }
      if (mode === "circular" && (a > spatial[i] || b > spatial[i])) throw new RangeError("Padding value causes wrapping around more than once.");
    }
  }
  return { stride, pads, dilation };
}

function convFn(op: "conv1d" | "conv2d" | "conv3d", nd: 1 | 2 | 3, input: Tensor, weight: Tensor, args: unknown[]): Tensor {
  const names = ["bias", "stride", "padding", "dilation", "groups"];
  const last = args.length > 0 ? args[args.length - 1] : undefined;
  const isKw = typeof last === "object" && last !== null && !Array.isArray(last) && !(last instanceof Tensor);
  const positional = isKw ? args.slice(0, -1) : args;
  if (positional.length > names.length) {
    throw new TypeError(`${op}() takes at most ${names.length + 2} arguments (input, weight, ${names.join(", ")}) but ${positional.length + 2} were given`);
  }
  const v: Record<string, unknown> = {};
  positional.forEach((a, i) => { if (a !== undefined) v[names[i]] = a; });
  if (isKw) {
    for (const [k, val] of Object.entries(last as Record<string, unknown>)) {
      if (!names.includes(k)) throw new TypeError(`${op}() got an unexpected keyword argument '${k}' (allowed: ${names.join(", ")})`);
      if (k in v) throw new TypeError(`${op}() got multiple values for argument '${k}'`);
      if (val !== undefined) v[k] = val;
    }
  }
  const bias = (v.bias ?? null) as Tensor | null;
  const groups = v.groups ?? 1;
  const { stride, pads, dilation } = checkConv(op, nd, input, weight, bias, v.stride ?? 1, v.padding ?? 0, v.dilation ?? 1, groups, "zeros");
  return convolution(op, nd, input, weight, bias, stride, pads, dilation, groups as number, "zeros");
}

export interface Conv1dOptions extends ConvOptions {
  /** Optional bias of shape [out_channels]. */
  bias?: Tensor | null;
}

/**
 * F.conv1d(input, weight, bias?, stride = 1, padding = 0, dilation = 1, groups = 1): input
 * [N, C_in, L] or [C_in, L], weight [C_out, C_in / groups, kW] → [N, C_out, L_out] with
 * L_out = ⌊(L + 2·padding − dilation·(kW − 1) − 1) / stride⌋ + 1. Positional as in Python
 * (`F.conv1d(x, w, b, 2)`) or keywords in a trailing object (`F.conv1d(x, w, { bias: b, stride: 2 })`).
 */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, stride?: number | number[], padding?: ConvPadding, dilation?: number | number[], groups?: number): Tensor;
export function conv1d(input: Tensor, weight: Tensor, options: Conv1dOptions): Tensor;
export function conv1d(input: Tensor, weight: Tensor, bias: Tensor | null, options: ConvOptions): Tensor;
export function conv1d(input: Tensor, weight: Tensor, ...args: unknown[]): Tensor {
  return convFn("conv1d", 1, input, weight, args);
}

/**
 * F.conv2d(input, weight, bias?, stride = 1, padding = 0, dilation = 1, groups = 1): input
 * [N, C_in, H, W] or [C_in, H, W], weight [C_out, C_in / groups, kH, kW] → [N, C_out, H_out, W_out]
 * with H_out = ⌊(H + 2·padding[0] − dilation[0]·(kH − 1) − 1) / stride[0]⌋ + 1 (W likewise).
 * stride, padding, dilation: an int or [h, w]; padding also "valid" or "same" (stride 1; an odd
 * total padding puts the extra zero after, as PyTorch). Positional as in Python or keywords in a
 * trailing object: `F.conv2d(x, w, b, { padding: 1 })`.
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, stride?: number | number[], padding?: ConvPadding, dilation?: number | number[], groups?: number): Tensor;
export function conv2d(input: Tensor, weight: Tensor, options: Conv1dOptions): Tensor;
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null, options: ConvOptions): Tensor;
export function conv2d(input: Tensor, weight: Tensor, ...args: unknown[]): Tensor {
  return convFn("conv2d", 2, input, weight, args);
}

/**
 * F.conv3d(input, weight, bias?, stride = 1, padding = 0, dilation = 1, groups = 1): input
 * [N, C_in, D, H, W] or [C_in, D, H, W], weight [C_out, C_in / groups, kD, kH, kW] →
 * [N, C_out, D_out, H_out, W_out] with D_out = ⌊(D + 2·padding[0] − dilation[0]·(kD − 1) − 1) /
 * stride[0]⌋ + 1 (H, W likewise). stride, padding, dilation: an int or [d, h, w]; padding also
 * "valid" or "same" (stride 1). Positional as in Python or keywords in a trailing object:
 * `F.conv3d(x, w, b, { padding: 1 })`.
 */
export function conv3d(input: Tensor, weight: Tensor, bias?: Tensor | null, stride?: number | number[], padding?: ConvPadding, dilation?: number | number[], groups?: number): Tensor;
export function conv3d(input: Tensor, weight: Tensor, options: Conv1dOptions): Tensor;
export function conv3d(input: Tensor, weight: Tensor, bias: Tensor | null, options: ConvOptions): Tensor;
export function conv3d(input: Tensor, weight: Tensor, ...args: unknown[]): Tensor {
  return convFn("conv3d", 3, input, weight, args);
}
