/**
 * F.conv_transpose1d and F.conv_transpose2d (PyTorch 2.13's semantics, names and messages), as the
 * adjoint of the convolution in conv.ts: the same column matrix (im2col/col2im, or conv_wasm.ts's
 * in-module builds for large products) and the library's matrix product, with the roles swapped.
 *
 * For input x [N, C_in, H, W] and weight w [C_in, C_out/g, kH, kW] (g = groups; Og = C_in/g rows
 * of w per group, CK = (C_out/g)·kH·kW columns), the output y [N, C_out, H_out, W_out] has
 *   H_out = (H − 1)·stride[0] − 2·padding[0] + dilation[0]·(kH − 1) + output_padding[0] + 1
 * (W likewise), and is the input gradient of conv2d(y-shaped input, w, stride, padding, dilation,
 * groups) at an output gradient equal to x. With x permuted to [C_in, (n, p)] (p over H·W):
 *   forward:  cols_g [CK, (n, p)] = w_gᵀ · x_g      y = col2im(cols)                  (+ b[c])
 *   backward: dL/dx_g = w_g · im2col(g_y)_g         dL/dw_g = x_g · im2col(g_y)_gᵀ    dL/db[c] = Σ g_y[n, c, ·]
 * i.e. backward is conv2d's forward (dL/dx) and conv2d's weight gradient (dL/dw) on the upstream
 * gradient. The adjoint convolution's geometry has H·W output positions, given (not derived), so
 * output_padding ≥ stride (allowed while it is < dilation) needs no special case. output_padding
 * adds rows/columns at the end that no input position reaches (only the bias). conv_transpose1d
 * is conv_transpose2d with H = 1. Padding is zeros only, as in PyTorch.
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import type { Storage } from "../../tensor/tensor";
import { gemm, WASM_MIN_WORK } from "../../tensor/gemm";
import { fresh_grad } from "../../tensor/autograd";
import { checkFloat, describe, record } from "../_autograd";
import { COLS_LIMIT, col2im, convGeometry, expandArg, im2col } from "./conv";
import { conv_forward_wasm, conv_input_grad_wasm, conv_weight_grad_wasm } from "./conv_wasm";
import { torchName } from "./linear";
import { nearKey } from "../../close_matches";
import { saves } from "../../tensor/version";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const BOTH_SAVES = saves("0, 1");

export interface ConvTransposeOptions {
  /** Step of the kernel over the output (int or one per spatial dim). Default 1. */
  stride?: number | number[];
  /** dilation·(kernel_size − 1) − padding zeros added to both sides of the input, i.e. `padding` removed from each side of the output (int or one per spatial dim). Default 0. */
  padding?: number | number[];
  /** Extra size added to one side of each output dim; must be smaller than stride or dilation. Default 0. */
  output_padding?: number | number[];
  /** Input and output channels split into this many independent groups. Default 1. */
  groups?: number;
  /** Spacing between kernel elements (int or one per spatial dim). Default 1. */
  dilation?: number | number[];
}

export interface ConvTransposeFnOptions extends ConvTransposeOptions {
  /** Optional bias of shape [out_channels]. */
  bias?: Tensor | null;
}

/** Resolved arguments: one int per spatial dim (nd of them). */
export interface ConvTransposeParams {
  stride: number[];
  padding: number[];
  output_padding: number[];
  dilation: number[];
  groups: number;
}

/** Python's positional-or-keyword parameters of F.conv_transpose1d/2d after (input, weight). */
const NAMES = ["bias", "stride", "padding", "output_padding", "groups", "dilation"] as const;

function isKeywords(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Tensor);
}

/** An int tuple argument: `expandArg` (conv.ts), with PyTorch's message for a string. */
function tupleArg(v: unknown, nd: number, name: string, op: string): number[] {
  if (typeof v === "string") {
    throw new TypeError(`${op}(): argument '${name}' must be tuple of ints, not str (transposed convolutions take no "same"/"valid" padding)`);
  }
  return expandArg(v, nd, name, op);
}

/** [h, w] for PyTorch's messages, which name 1-D parameters as 2-D ones (height 0 or 1). */
function hw(v: number[], nd: 1 | 2, one: number): [number, number] {
  return nd === 2 ? [v[0], v[1]] : [one, v[0]];
}

/**
 * Checks the arguments of F.conv_transpose1d/2d (and the modules) in PyTorch's order and with its
 * messages, and resolves them to one int per spatial dim.
 */
export function checkConvTranspose(
  op: string, nd: 1 | 2, input: Tensor, weight: Tensor, bias: Tensor | null | undefined,
  strideArg: unknown, paddingArg: unknown, outputPaddingArg: unknown, groupsArg: unknown, dilationArg: unknown,
): ConvTransposeParams {
  checkFloat(input, op, "input");
  checkFloat(weight, op, "weight");
  if (weight.dim() !== nd + 2) {
    throw new RangeError(
      `${op}(): weight must be ${nd + 2}-D [in_channels, out_channels / groups, ${nd === 2 ? "kH, kW" : "kW"}], got shape [${weight.shape.join(", ")}]`,
    );
  }
  const stride = tupleArg(strideArg, nd, "stride", op);
  const padding = tupleArg(paddingArg, nd, "padding", op);
  const output_padding = tupleArg(outputPaddingArg, nd, "output_padding", op);
  const dilation = tupleArg(dilationArg, nd, "dilation", op);
  if (typeof groupsArg !== "number" || !Number.isInteger(groupsArg)) {
    throw new TypeError(`${op}(): argument 'groups' must be int, not ${typeof groupsArg === "number" ? "float" : describe(groupsArg)}`);
  }
  const groups = groupsArg;
  if (input.dim() !== nd + 1 && input.dim() !== nd + 2) {
    throw new RangeError(
      `Expected ${nd + 1}D (unbatched) or ${nd + 2}D (batched) input to ${op}, but got input of size: [${input.shape.join(", ")}]`,
    );
  }
  if (stride.some((s) => s <= 0)) throw new RangeError("non-positive stride is not supported");
  if (padding.some((p) => p < 0)) throw new RangeError("negative padding is not supported");
  if (groups <= 0) throw new RangeError("non-positive groups is not supported");
  if (output_padding.some((p) => p < 0)) throw new RangeError("negative output_padding is not supported");
  if (dilation.some((d) => d <= 0)) {
    const [dh, dw] = hw(dilation, nd, 1);
    throw new RangeError(`dilation should be greater than zero, but got dilation_height: ${dh}, dilation_width: ${dw}`);
  }
  const ws = `[${weight.shape.join(", ")}]`;
  const Cin = weight.shape[0];
  if (Cin % groups !== 0) {
    // PyTorch's message has the doubled brackets
    throw new RangeError(`Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size [${ws}] instead`);
  }
  if (Cin === 0) throw new RangeError(`Given groups=${groups}, expected weight to be at least 1 at dimension 0, but got weight of size ${ws} instead`);
  const batched = input.dim() === nd + 2 ? input.shape : [1, ...input.shape];
  if (batched[1] !== Cin) {
    throw new RangeError(
      `Given transposed=1, weight of size ${ws}, expected input[${batched.join(", ")}] to have ${Cin} channels, but got ${batched[1]} channels instead`,
    );
  }
  const Cout = weight.shape[1] * groups;
  if (bias !== null && bias !== undefined) {
    checkFloat(bias, op, "bias");
    if (bias.dim() !== 1 || bias.shape[0] !== Cout) {
      throw new RangeError(
        `Given transposed=1, weight of size ${ws}, expected bias to be 1-dimensional with ${Cout} elements, but got bias of size [${bias.shape.join(", ")}] instead`,
      );
    }
  }
  if (output_padding.some((p, i) => p >= stride[i] && p >= dilation[i])) {
    const [oh, ow] = hw(output_padding, nd, 0), [sh, sw] = hw(stride, nd, 1), [dh, dw] = hw(dilation, nd, 1);
    throw new RangeError(
      `output padding must be smaller than either stride or dilation, but got output_padding_height: ${oh} output_padding_width: ${ow} ` +
      `stride_height: ${sh} stride_width: ${sw} dilation_height: ${dh} dilation_width: ${dw}`,
    );
  }
  const kernel = weight.shape.slice(2);
  const spatial = batched.slice(2);
  const out = spatial.map((s, i) => (s - 1) * stride[i] - 2 * padding[i] + dilation[i] * (kernel[i] - 1) + output_padding[i] + 1);
  if (out.some((o) => o < 1)) {
    const show = (v: number[]) => (nd === 2 ? v : [1, ...v]).join(" x ");
    throw new RangeError(`Given input size per channel: (${show(spatial)}). Calculated output size per channel: (${show(out)}). Output size is too small`);
  }
  if (input.dtype !== weight.dtype) {
    throw new TypeError(`expected scalar type ${torchName(input.dtype)} but found ${torchName(weight.dtype)} (input and weight must have the same dtype)`);
  }
  if (bias && bias.dtype !== input.dtype) {
    // PyTorch casts a bias of another dtype; lrlab asks for the input's
    throw new TypeError(`expected scalar type ${torchName(input.dtype)} but found ${torchName(bias.dtype)} (bias must have the input's dtype)`);
  }
  return { stride, padding, output_padding, dilation, groups };
}

/** src [n, Ch, P] (entries n0..n0+m) → dst [Ch, (n, p)], the layout of the products. */
function toChannelMajor(src: Storage, Ch: number, P: number, n0: number, m: number, dst: Storage): void {
  const L = m * P;
  for (let n = 0; n < m; n++) {
    for (let c = 0; c < Ch; c++) {
      const at = ((n0 + n) * Ch + c) * P;
      dst.set(src.subarray(at, at + P), c * L + n * P);
    }
  }
}

/**
 * The shared transposed convolution, on checked and resolved arguments (checkConvTranspose);
 * `nd` spatial dims (1 or 2).
 */
export function convolution_transpose(nd: 1 | 2, input: Tensor, weight: Tensor, bias: Tensor | null, p: ConvTransposeParams): Tensor {
  const { groups } = p;
  const unbatched = input.dim() === nd + 1;
  const [N, Cin, H, W] = nd === 2
    ? (unbatched ? [1, ...input.shape] : input.shape)
    : (unbatched ? [1, input.shape[0], 1, input.shape[1]] : [input.shape[0], input.shape[1], 1, input.shape[2]]);
  const kH = nd === 2 ? weight.shape[2] : 1;
  const kW = weight.shape[nd + 1];
  const two = (v: number[], one: number) => (nd === 2 ? v : [one, v[0]]);
  const [sH, sW] = two(p.stride, 1), [dH, dW] = two(p.dilation, 1), [pH, pW] = two(p.padding, 0), [oH, oW] = two(p.output_padding, 0);
  const Ho = (H - 1) * sH - 2 * pH + dH * (kH - 1) + oH + 1;
  const Wo = (W - 1) * sW - 2 * pW + dW * (kW - 1) + oW + 1;
  const Og = Cin / groups, Cout = weight.shape[1] * groups;
  // the adjoint convolution: input [N, Cout, Ho, Wo] (our output), weights [Cin, Cout/g, kH, kW], H × W positions (our input)
  const geo = convGeometry([N, Cout, Ho, Wo], Cin, groups, kH, kW, H, W, [sH, sW], [dH, dW], [pH, pW], "zeros");
  const dtype = input.dtype;
  const CK = (Cout / groups) * kH * kW, P = H * W, Q = Ho * Wo;
  const x = input.data, w = weight.data, b = bias ? bias.data : null;
  const y = storageFor(dtype, N * Cout * Q);
  const nb = Math.max(1, Math.min(N, Math.floor(COLS_LIMIT / Math.max(1, CK * P))));
  const inModule = (work: number) => work >= WASM_MIN_WORK;
  const xp = storageFor(dtype, Cin * nb * P);
  for (let n0 = 0; n0 < N; n0 += nb) {
    const m = Math.min(nb, N - n0);
    const L = m * P;
    if (L === 0) continue;
    toChannelMajor(x, Cin, P, n0, m, xp);
    for (let g = 0; g < groups; g++) {
      // the module's col2im sets this group's entries of y; the JS one adds to y's zeros
      if (inModule(CK * L * Og) && conv_input_grad_wasm(w, g * Og * CK, Og, xp, g * Og * L, geo, g, n0, m, y)) continue;
      const cols = storageFor(dtype, CK * L);
      gemm(true, false, CK, L, Og, w, g * Og * CK, xp, g * Og * L, cols, 0);
      col2im(cols, geo, g, n0, m, y);
    }
  }
  if (b) {
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < Cout; c++) {
        const bc = b[c];
        for (let q = (n * Cout + c) * Q, end = q + Q; q < end; q++) y[q] += bc;
      }
    }
  }
  const outShape = nd === 2 ? [N, Cout, Ho, Wo] : [N, Cout, Wo];
  const out = new Tensor(y, unbatched ? outShape.slice(1) : outShape, dtype);
  return record(out, "ConvolutionBackward0", [input, weight, bias], (gOut, need) => {
    const gd = gOut.data;
    const gx = need[0] ? storageFor(dtype, x.length) : null;
    const gw = need[1] ? storageFor(dtype, w.length) : null;
    const gwTmp = need[1] && nb < N ? storageFor(dtype, Og * CK) : null;
    let gb: Storage | null = null;
    if (need[2] && b) {
      const acc = new Float64Array(Cout);
      for (let n = 0; n < N; n++) {
        for (let c = 0; c < Cout; c++) {
          const base = (n * Cout + c) * Q;
          let s = 0;
          for (let q = 0; q < Q; q++) s += gd[base + q];
          acc[c] += s;
        }
      }
      gb = dtype === "float32" ? Float32Array.from(acc) : acc;
    }
    if (gx || gw) {
      const tmp = gx ? storageFor(dtype, Cin * nb * P) : null;
      for (let n0 = 0; n0 < N; n0 += nb) {
        const m = Math.min(nb, N - n0);
        const L = m * P;
        if (L === 0) continue;
        if (gw) toChannelMajor(x, Cin, P, n0, m, xp);
        for (let g = 0; g < groups; g++) {
          let cols: Storage | null = null; // im2col of g_y, built in JS once for both products if needed
          const colsOf = () => {
            if (!cols) {
              cols = storageFor(dtype, CK * L);
              im2col(gd, geo, g, n0, m, cols);
            }
            return cols;
          };
          if (tmp && !(inModule(Og * L * CK) && conv_forward_wasm(w, g * Og * CK, Og, gd, geo, g, n0, m, tmp, g * Og * L))) {
            gemm(false, false, Og, L, CK, w, g * Og * CK, colsOf(), 0, tmp, g * Og * L);
          }
          if (gw) {
            // the first chunk writes dL/dw, the others add theirs to it
            const dst = n0 === 0 ? gw : gwTmp!, off = n0 === 0 ? g * Og * CK : 0;
            if (!(inModule(Og * CK * L) && conv_weight_grad_wasm(xp, g * Og * L, Og, gd, geo, g, n0, m, dst, off))) {
              gemm(false, true, Og, CK, L, xp, g * Og * L, colsOf(), 0, dst, off);
            }
            if (n0 !== 0) {
              const at = g * Og * CK;
              for (let i = 0; i < Og * CK; i++) gw[at + i] += gwTmp![i];
            }
          }
        }
        if (gx && tmp) {
          // tmp [Cin, (n, p)] → dL/dx [n, Cin, p]
          for (let c = 0; c < Cin; c++) {
            for (let n = 0; n < m; n++) {
              const src = c * L + n * P;
              gx.set(tmp.subarray(src, src + P), ((n0 + n) * Cin + c) * P);
            }
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

function convTransposeFn(op: "conv_transpose1d" | "conv_transpose2d", nd: 1 | 2, input: Tensor, weight: Tensor, args: unknown[]): Tensor {
  const last = args.length > 0 ? args[args.length - 1] : undefined;
  const positional = isKeywords(last) ? args.slice(0, -1) : args;
  let n = positional.length;
  while (n > 0 && positional[n - 1] === undefined) n--;
  if (n > NAMES.length) {
    throw new TypeError(`${op}() takes at most ${NAMES.length + 2} arguments (input, weight, ${NAMES.join(", ")}) but ${n + 2} were given`);
  }
  const v: Record<string, unknown> = {};
  positional.forEach((a, i) => { if (a !== undefined) v[NAMES[i]] = a; });
  if (isKeywords(last)) {
    for (const [k, val] of Object.entries(last)) {
      if (!(NAMES as readonly string[]).includes(k)) {
        throw new TypeError(`${op}() got an unexpected keyword argument '${k}' (allowed: ${NAMES.join(", ")})${nearKey(k, NAMES)}`);
      }
      if (k in v) throw new TypeError(`${op}() got multiple values for argument '${k}'`);
      if (val !== undefined) v[k] = val;
    }
  }
  const bias = (v.bias ?? null) as Tensor | null;
  const p = checkConvTranspose(op, nd, input, weight, bias, v.stride ?? 1, v.padding ?? 0, v.output_padding ?? 0, v.groups ?? 1, v.dilation ?? 1);
  return convolution_transpose(nd, input, weight, bias, p);
}

/**
 * F.conv_transpose1d(input, weight, bias?, stride = 1, padding = 0, output_padding = 0,
 * groups = 1, dilation = 1): input [N, C_in, L] or [C_in, L], weight [C_in, C_out / groups, kW]
 * → [N, C_out, L_out] with
 *   L_out = (L − 1)·stride − 2·padding + dilation·(kW − 1) + output_padding + 1.
 * The gradient of conv1d with respect to its input. Positional as in Python (note: groups before
 * dilation) or keywords in a trailing object: `F.conv_transpose1d(x, w, { bias: b, stride: 2 })`.
 */
export function conv_transpose1d(
  input: Tensor, weight: Tensor, bias?: Tensor | null, stride?: number | number[], padding?: number | number[],
  output_padding?: number | number[], groups?: number, dilation?: number | number[],
): Tensor;
export function conv_transpose1d(input: Tensor, weight: Tensor, options: ConvTransposeFnOptions): Tensor;
export function conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | null, options: ConvTransposeOptions): Tensor;
export function conv_transpose1d(input: Tensor, weight: Tensor, ...args: unknown[]): Tensor {
  return convTransposeFn("conv_transpose1d", 1, input, weight, args);
}

/**
 * F.conv_transpose2d(input, weight, bias?, stride = 1, padding = 0, output_padding = 0,
 * groups = 1, dilation = 1): input [N, C_in, H, W] or [C_in, H, W], weight
 * [C_in, C_out / groups, kH, kW] → [N, C_out, H_out, W_out] with
 *   H_out = (H − 1)·stride[0] − 2·padding[0] + dilation[0]·(kH − 1) + output_padding[0] + 1
 * (W likewise). The gradient of conv2d with respect to its input; output_padding (smaller than
 * stride or dilation) picks among the sizes that conv2d maps back to H × W. stride, padding,
 * output_padding, dilation: an int or [h, w]. Positional as in Python (groups before dilation) or
 * keywords in a trailing object: `F.conv_transpose2d(x, w, b, { stride: 2, output_padding: 1 })`.
 */
export function conv_transpose2d(
  input: Tensor, weight: Tensor, bias?: Tensor | null, stride?: number | number[], padding?: number | number[],
  output_padding?: number | number[], groups?: number, dilation?: number | number[],
): Tensor;
export function conv_transpose2d(input: Tensor, weight: Tensor, options: ConvTransposeFnOptions): Tensor;
export function conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | null, options: ConvTransposeOptions): Tensor;
export function conv_transpose2d(input: Tensor, weight: Tensor, ...args: unknown[]): Tensor {
  return convTransposeFn("conv_transpose2d", 2, input, weight, args);
}
