/**
 * F.interpolate (modes "nearest", "nearest-exact", "linear", "bilinear"), F.pixel_shuffle and
 * F.pixel_unshuffle (PyTorch 2.13's semantics and messages).
 *
 * interpolate resizes the spatial dims of input [N, C, d1, .., dk] to `size`, or to
 * ⌊d·scale_factor⌋. The source position of output index o along a dim (in → out) uses
 * scale = 1/scale_factor when a scale_factor was given (and not recomputed), else in/out:
 * - nearest:       i = min(⌊o·scale⌋, in − 1)            (o itself when out = in; o/2 when out = 2·in)
 * - nearest-exact: i = min(⌊(o + ½)·scale⌋, in − 1)
 * - linear / bilinear (per dim; bilinear is their product over H and W):
 *     align_corners: s = o·(in − 1)/(out − 1);  else s = max(scale·(o + ½) − ½, 0)
 *     i0 = min(⌊s⌋, in − 1), i1 = i0 + (i0 < in − 1), λ1 = s − i0, λ0 = 1 − λ1
 *     y = Σ λ x[i]; dL/dx[i] += λ·dL/dy.   (out = in copies: i0 = i1 = o, λ0 = 1.)
 * Like PyTorch's CPU kernels, the nearest modes compute the scale and positions in float32, the
 * linear modes in float32 for float32 input and in double for float64, so indices and weights are
 * PyTorch's.
 *
 * pixel_shuffle: [*, C·r², H, W] → [*, C, H·r, W·r], y[c, h·r + i, w·r + j] = x[c·r² + i·r + j, h, w];
 * pixel_unshuffle is its inverse. Both are a reshape, a permute and a reshape (differentiable).
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import { fresh_grad } from "../../tensor/autograd";
import { checkFloat, describe, record } from "../_autograd";
import { gatherByMaps, identityMap } from "./pad";

export type InterpolateMode = "nearest" | "nearest-exact" | "linear" | "bilinear";

export interface InterpolateOptions {
  /** The output's spatial size: an int (every spatial dim) or one int per spatial dim. */
  size?: number | number[] | null;
  /** A multiplier for the spatial size: a number or one per spatial dim. */
  scale_factor?: number | number[] | null;
  /** "nearest" (default), "nearest-exact", "linear" (3D input) or "bilinear" (4D input). */
  mode?: InterpolateMode;
  /** Linear modes: align the corner pixels' centres (true) or their edges (false, the default). */
  align_corners?: boolean | null;
  /** Compute the sampling scale from the output size rather than from scale_factor. */
  recompute_scale_factor?: boolean | null;
  /** Not in lrlab (anti-aliased downsampling): false only. */
  antialias?: boolean;
}

const NAMES = ["size", "scale_factor", "mode", "align_corners", "recompute_scale_factor", "antialias"];
const MODES_MSG = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact";

const pyList = (v: readonly number[]): string => `(${v.join(", ")}${v.length === 1 ? "," : ""})`;

/** Scale as the kernels compute it: 1/scale_factor if one was given (> 0), else in/out. */
function scaleValue(scale: number | null, inSize: number, outSize: number, f32: boolean): number {
  const r = scale !== null && scale > 0 ? 1 / scale : f32 ? Math.fround(inSize) / outSize : inSize / outSize;
  return f32 ? Math.fround(r) : r;
}

function nearestMap(inSize: number, outSize: number, scale: number | null, exact: boolean): Int32Array {
  const m = new Int32Array(outSize);
  if (!exact && outSize === inSize) return identityMap(outSize);
  // the kernels compute the nearest index in float whatever the dtype
  const s = scaleValue(scale, inSize, outSize, true);
  for (let o = 0; o < outSize; o++) {
    if (!exact && outSize === 2 * inSize) { m[o] = o >> 1; continue; }
    const src = exact ? Math.fround((o + 0.5) * s) : Math.fround(o * s);
    m[o] = Math.min(Math.floor(src), inSize - 1);
  }
  return m;
}

/** Per output index: the two source indices and their weights along one dim. */
interface LinearDim { i0: Int32Array; i1: Int32Array; l0: Float64Array; l1: Float64Array }

function linearDim(inSize: number, outSize: number, scale: number | null, align: boolean, f32: boolean): LinearDim {
  const i0 = new Int32Array(outSize), i1 = new Int32Array(outSize), l0 = new Float64Array(outSize), l1 = new Float64Array(outSize);
  const fr = f32 ? Math.fround : (v: number): number => v;
  const ratio = align ? (outSize > 1 ? fr((inSize - 1) / (outSize - 1)) : 0) : scaleValue(scale, inSize, outSize, f32);
  for (let o = 0; o < outSize; o++) {
    if (outSize === inSize) { i0[o] = o; i1[o] = o; l0[o] = 1; l1[o] = 0; continue; }
    let s: number;
    if (align) s = fr(ratio * o);
    else {
      s = fr(fr(ratio * fr(o + 0.5)) - 0.5);
      if (s < 0) s = 0;
    }
    const a = Math.min(Math.floor(s), inSize - 1);
    const lam = Math.min(Math.max(fr(s - a), 0), 1);
    i0[o] = a;
    i1[o] = a + (a < inSize - 1 ? 1 : 0);
    l1[o] = lam;
    l0[o] = fr(1 - lam);
  }
  return { i0, i1, l0, l1 };
}

/** Linear interpolation over the last two dims (H = 1 for 1-d); one node. */
function linearResample(input: Tensor, H: number, W: number, hd: LinearDim, wd: LinearDim, outShape: number[], name: string): Tensor {
  const x = input.data;
  const dtype = input.dtype;
  const Ho = hd.i0.length, Wo = wd.i0.length;
  const planes = H * W === 0 ? 0 : x.length / (H * W);
  const y = storageFor(dtype, planes * Ho * Wo);
  for (let pl = 0; pl < planes; pl++) {
    const xb = pl * H * W, yb = pl * Ho * Wo;
    for (let oh = 0; oh < Ho; oh++) {
      const r0 = xb + hd.i0[oh] * W, r1 = xb + hd.i1[oh] * W;
      const a0 = hd.l0[oh], a1 = hd.l1[oh];
      for (let ow = 0; ow < Wo; ow++) {
        const c0 = wd.i0[ow], c1 = wd.i1[ow], b0 = wd.l0[ow], b1 = wd.l1[ow];
        y[yb + oh * Wo + ow] = a0 * (b0 * x[r0 + c0] + b1 * x[r0 + c1]) + a1 * (b0 * x[r1 + c0] + b1 * x[r1 + c1]);
      }
    }
  }
  return record(new Tensor(y, outShape, dtype), name, [input], (g) => {
    const gd = g.data;
    const gx = storageFor(dtype, x.length);
    for (let pl = 0; pl < planes; pl++) {
      const xb = pl * H * W, yb = pl * Ho * Wo;
      for (let oh = 0; oh < Ho; oh++) {
        const r0 = xb + hd.i0[oh] * W, r1 = xb + hd.i1[oh] * W;
        const a0 = hd.l0[oh], a1 = hd.l1[oh];
        for (let ow = 0; ow < Wo; ow++) {
          const c0 = wd.i0[ow], c1 = wd.i1[ow], b0 = wd.l0[ow], b1 = wd.l1[ow];
          const v = gd[yb + oh * Wo + ow];
          gx[r0 + c0] += a0 * b0 * v;
          gx[r0 + c1] += a0 * b1 * v;
          gx[r1 + c0] += a1 * b0 * v;
          gx[r1 + c1] += a1 * b1 * v;
        }
      }
    }
    return [fresh_grad(new Tensor(gx, input.shape, dtype))];
  });
}

/**
 * F.interpolate(input, size = null, scale_factor = null, mode = "nearest", align_corners = null,
 * recompute_scale_factor = null): input [N, C, d1, .., dk] resized in its spatial dims, to `size`
 * or by `scale_factor` (exactly one of them). Modes "nearest" and "nearest-exact" (3D, 4D, 5D
 * input), "linear" (3D) and "bilinear" (4D), with align_corners for the linear modes. Arguments
 * positionally in Python's order or as one options object: `F.interpolate(x, { scale_factor: 2,
 * mode: "bilinear" })`. Not in lrlab: "bicubic", "trilinear", "area", antialias.
 */
export function interpolate(input: Tensor, options?: InterpolateOptions): Tensor;
export function interpolate(
  input: Tensor, size?: number | number[] | null, scale_factor?: number | number[] | null, mode?: InterpolateMode,
  align_corners?: boolean | null, recompute_scale_factor?: boolean | null,
): Tensor;
export function interpolate(input: Tensor, ...args: unknown[]): Tensor {
  let o: InterpolateOptions = {};
  if (args.length === 1 && typeof args[0] === "object" && args[0] !== null && !Array.isArray(args[0])) {
    o = args[0] as InterpolateOptions;
    for (const k of Object.keys(o)) if (!NAMES.includes(k)) throw new TypeError(`interpolate() got an unexpected keyword argument '${k}' (allowed: ${NAMES.join(", ")})`);
  } else {
    if (args.length > NAMES.length) throw new TypeError(`interpolate() takes at most ${NAMES.length + 1} positional arguments but ${args.length + 1} were given`);
    const r: Record<string, unknown> = {};
    args.forEach((v, i) => { r[NAMES[i]] = v; });
    o = r as InterpolateOptions;
  }
  return resample(input, o);
}

function resample(input: Tensor, o: InterpolateOptions): Tensor {
  const op = "interpolate";
  checkFloat(input, op);
  const mode = o.mode ?? "nearest";
  const size = o.size ?? null, sf = o.scale_factor ?? null;
  let align = o.align_corners ?? null;
  const recompute = o.recompute_scale_factor ?? null;
  if (o.antialias) throw new RangeError("interpolate(): antialias is not implemented in lrlab (only antialias: false)");
  const nearest = mode === "nearest" || mode === "nearest-exact";
  if (nearest || (mode as string) === "area") {
    if (align !== null) throw new RangeError("align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear");
  } else if (align === null) align = false;
  const dim = input.dim() - 2;
  const spatial = input.shape.slice(2);
  let outSize: number[];
  let scales: (number | null)[];
  if (size !== null && sf !== null) throw new RangeError("only one of size or scale_factor should be defined");
  else if (size !== null) {
    if (Array.isArray(size)) {
      if (size.length !== dim) {
        throw new RangeError(
          `Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of [${spatial.join(", ")}] and output size of ${pyList(size)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`,
        );
      }
      outSize = [...size];
    } else outSize = new Array<number>(Math.max(dim, 0)).fill(size);
    if (!outSize.every((v) => Number.isInteger(v))) throw new TypeError(`interpolate(): size must be ints, got ${JSON.stringify(size)}`);
    if (recompute) throw new RangeError("recompute_scale_factor is not meaningful with an explicit size.");
    scales = outSize.map(() => null);
  } else if (sf !== null) {
    let f: number[];
    if (Array.isArray(sf)) {
      if (sf.length !== dim) {
        throw new RangeError(
          `Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of [${spatial.join(", ")}] and scale_factor of shape ${pyList(sf)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.`,
        );
      }
      f = [...sf];
    } else f = new Array<number>(Math.max(dim, 0)).fill(sf);
    if (!f.every((v) => typeof v === "number")) throw new TypeError(`interpolate(): scale_factor must be numbers, got ${JSON.stringify(sf)}`);
    outSize = f.map((s, i) => Math.floor(spatial[i] * s));
    scales = recompute ? f.map(() => null) : f;
  } else throw new RangeError("either size or scale_factor should be defined");

  const nd = input.dim();
  const supported = nearest ? nd >= 3 && nd <= 5 : mode === "linear" ? nd === 3 : mode === "bilinear" ? nd === 4 : false;
  if (!supported) {
    if (mode === "bilinear" && (nd === 3 || nd === 5)) throw new RangeError(`Got ${nd}D input, but bilinear mode needs 4D input`);
    if (mode === "linear" && (nd === 4 || nd === 5)) throw new RangeError(`Got ${nd}D input, but linear mode needs 3D input`);
    if (["bicubic", "trilinear", "area", "lanczos"].includes(mode as string) && nd >= 3 && nd <= 5) {
      throw new RangeError(`interpolate(): mode "${mode}" is not implemented in lrlab (modes: "nearest", "nearest-exact", "linear", "bilinear")`);
    }
    throw new RangeError(`Input Error: Only 3D, 4D and 5D input Tensors supported (got ${nd}D) for the modes: ${MODES_MSG} (got ${String(mode)})`);
  }
  if (spatial.some((v) => v <= 0) || outSize.some((v) => v <= 0)) {
    const L = ["D", "H", "W"].slice(3 - dim);
    const show = (v: number[]): string => v.map((n, i) => `${L[i]}: ${n}`).join(", ");
    throw new RangeError(`Input and output sizes should be greater than 0, but got input (${show(spatial)}) output (${show(outSize)})`);
  }
  const outShape = [...input.shape.slice(0, 2), ...outSize];
  const f32 = input.dtype === "float32";
  if (nearest) {
    const maps = input.shape.map((n, i) => (i < 2 ? identityMap(n) : nearestMap(n, outSize[i - 2], scales[i - 2], mode === "nearest-exact")));
    const name = `Upsample${mode === "nearest" ? "Nearest" : "NearestExact"}${dim}DBackward0`;
    return gatherByMaps(input, outShape, maps, 0, name);
  }
  if (mode === "linear") {
    const W = spatial[0];
    const hd = linearDim(1, 1, null, false, f32);
    return linearResample(input, 1, W, hd, linearDim(W, outSize[0], scales[0], align as boolean, f32), outShape, "UpsampleLinear1DBackward0");
  }
  const [H, W] = spatial;
  const hd = linearDim(H, outSize[0], scales[0], align as boolean, f32);
  const wd = linearDim(W, outSize[1], scales[1], align as boolean, f32);
  return linearResample(input, H, W, hd, wd, outShape, "UpsampleBilinear2DBackward0");
}

function checkFactor(v: unknown, op: string, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw new TypeError(`${op}(): argument '${what}' must be int, not ${describe(v)}`);
  if (v <= 0) throw new RangeError(`${op} expects a positive ${what}, but got ${v}`);
  return v;
}

/**
 * F.pixel_shuffle(input, upscale_factor): [*, C·r², H, W] → [*, C, H·r, W·r], moving each
 * group of r² channels into an r×r block of pixels (sub-pixel convolution's last step).
 */
export function pixel_shuffle(input: Tensor, upscale_factor: number): Tensor {
  const op = "pixel_shuffle";
  if (!(input instanceof Tensor)) throw new TypeError(`pixel_shuffle(): argument 'input' must be Tensor, not ${describe(input)}`);
  const nd = input.dim();
  if (nd < 3) throw new RangeError(`pixel_shuffle expects input to have at least 3 dimensions, but got input with ${nd} dimension(s)`);
  const r = checkFactor(upscale_factor, op, "upscale_factor");
  const [C, H, W] = input.shape.slice(nd - 3);
  if (C % (r * r) !== 0) {
    throw new RangeError(`pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=${C} is not divisible by ${r * r}`);
  }
  const B = input.shape.slice(0, nd - 3);
  const b = B.map((_, i) => i), k = B.length;
  return input.reshape([...B, C / (r * r), r, r, H, W]).permute([...b, k, k + 3, k + 1, k + 4, k + 2]).reshape([...B, C / (r * r), H * r, W * r]);
}

/**
 * F.pixel_unshuffle(input, downscale_factor): [*, C, H·r, W·r] → [*, C·r², H, W], the inverse of
 * pixel_shuffle (each r×r block of pixels becomes r² channels).
 */
export function pixel_unshuffle(input: Tensor, downscale_factor: number): Tensor {
  const op = "pixel_unshuffle";
  if (!(input instanceof Tensor)) throw new TypeError(`pixel_unshuffle(): argument 'input' must be Tensor, not ${describe(input)}`);
  const nd = input.dim();
  if (nd < 3) throw new RangeError(`pixel_unshuffle expects input to have at least 3 dimensions, but got input with ${nd} dimension(s)`);
  const r = checkFactor(downscale_factor, op, "downscale_factor");
  const [C, H, W] = input.shape.slice(nd - 3);
  if (H % r !== 0) throw new RangeError(`pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)=${H} is not divisible by ${r}`);
  if (W % r !== 0) throw new RangeError(`pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)=${W} is not divisible by ${r}`);
  const B = input.shape.slice(0, nd - 3);
  const b = B.map((_, i) => i), k = B.length;
  return input.reshape([...B, C, H / r, r, W / r, r]).permute([...b, k, k + 2, k + 4, k + 1, k + 3]).reshape([...B, C * r * r, H / r, W / r]);
}
