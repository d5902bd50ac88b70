/**
 * F.pad (PyTorch 2.13's torch.nn.functional.pad): pads or crops the trailing dims of a tensor.
 *
 * `pad` lists (left, right) amounts from the last dim backwards: [l_W, r_W, l_H, r_H, ...]; a
 * negative amount crops. Output size per padded dim: out = in + l + r. Output position o reads
 * input position i = o − l, mapped back into [0, in) by the mode:
 * - "constant": i outside [0, in) is `value` (any number of dims, any dtype);
 * - "reflect":  i < 0 → −i, i ≥ in → 2(in − 1) − i (the edge is not repeated; |pad| < in);
 * - "replicate": i clamped to [0, in − 1];
 * - "circular": i mod in (pad ≤ in; negative amounts crop first and the wrap runs over the rest).
 * The non-constant modes pad the last 1, 2 or 3 dims of an input with one or two more dims
 * (unbatched or batched), as PyTorch. Every output element is a copy of at most one input element,
 * so the gradient is dL/dx[i] = Σ over the outputs o that read i of dL/dy[o].
 *
 * The gather (one index map per dim, applied row by row) is shared with F.interpolate's nearest
 * modes (resample.ts), which are the same kind of copy.
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import { fresh_grad } from "../../tensor/autograd";
import { describe, record } from "../_autograd";
import { saves } from "../../tensor/version";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const SAVES_SELF = saves("0");

export type PadMode = "constant" | "reflect" | "replicate" | "circular";

export interface PadOptions {
  /** "constant" (default), "reflect", "replicate" or "circular". */
  mode?: PadMode;
  /** The fill value of "constant" mode (default 0); the other modes take none. */
  value?: number | null;
}

/**
 * Copies `input` into a tensor of `outShape`: output element (o_0, …, o_{n−1}) is
 * input[maps[0][o_0], …, maps[n−1][o_{n−1}]], or `fill` where any map gives −1. Differentiable
 * (the gradient adds each output's gradient into the input element it copied); `name` is the
 * autograd node's name.
 */
export function gatherByMaps(input: Tensor, outShape: readonly number[], maps: readonly Int32Array[], fill: number, name: string): Tensor {
  const nd = outShape.length;
  const dtype = input.dtype;
  const x = input.data;
  const total = outShape.reduce((a, b) => a * b, 1);
  const y = storageFor(dtype, total);
  if (nd === 0) {
    y[0] = x[0];
    return record(new Tensor(y, [], dtype), name, [input], (g) => [fresh_grad(new Tensor(g.data.slice(), [], dtype))]);
  }
  const inStride = new Array<number>(nd);
  let s = 1;
  for (let d = nd - 1; d >= 0; d--) { inStride[d] = s; s *= input.shape[d]; }
  const Wo = outShape[nd - 1];
  const rows = Wo === 0 ? 0 : total / Wo;
  // per output row: the input offset of its row, or −1 when a map puts the whole row in the fill
  const rowSrc = new Float64Array(rows);
  const ctr = new Array<number>(Math.max(nd - 1, 0)).fill(0);
  for (let r = 0; r < rows; r++) {
    let off = 0;
    for (let d = 0; d < nd - 1; d++) {
      const m = maps[d][ctr[d]];
      if (m < 0) { off = -1; break; }
      off += m * inStride[d];
    }
    rowSrc[r] = off;
    for (let d = nd - 2; d >= 0; d--) {
      if (++ctr[d] < outShape[d]) break;
      ctr[d] = 0;
    }
  }
  const last = maps[nd - 1];
  for (let r = 0; r < rows; r++) {
    const src = rowSrc[r];
    const ob = r * Wo;
    if (src < 0) {
      for (let j = 0; j < Wo; j++) y[ob + j] = fill;
    } else {
      for (let j = 0; j < Wo; j++) {
        const m = last[j];
        y[ob + j] = m < 0 ? fill : x[src + m];
      }
    }
  }
  return record(new Tensor(y, [...outShape], dtype), name, [input], (g) => {
    const gd = g.data;
    const gx = storageFor(dtype, x.length);
    for (let r = 0; r < rows; r++) {
      const src = rowSrc[r];
      if (src < 0) continue;
      const ob = r * Wo;
      for (let j = 0; j < Wo; j++) {
        const m = last[j];
        if (m >= 0) gx[src + m] += gd[ob + j];
      }
    }
    return [fresh_grad(new Tensor(gx, input.shape, dtype))];
  }, (name.startsWith("Reflection") || name.startsWith("Replication") ? SAVES_SELF : undefined));
}

/** The identity map of a dim of size n. */
export function identityMap(n: number): Int32Array {
  const m = new Int32Array(n);
  for (let i = 0; i < n; i++) m[i] = i;
  return m;
}

/** Output position → input position (or −1 for the fill) of one dim padded by (l, r). */
function padMap(inSize: number, l: number, r: number, mode: PadMode): Int32Array {
  const out = inSize + l + r;
  const m = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    let i = o - l;
    if (mode === "constant") {
      if (i < 0 || i >= inSize) i = -1;
    } else if (mode === "reflect") {
      if (i < 0) i = -i;
      if (i >= inSize) i = 2 * (inSize - 1) - i;
    } else if (mode === "replicate") {
      i = i < 0 ? 0 : i >= inSize ? inSize - 1 : i;
    } else {
      // negative amounts crop first; the wrap runs over what is left (as PyTorch's narrow + pad)
      const cl = Math.max(-l, 0), kept = inSize - cl - Math.max(-r, 0);
      i = (((o - Math.max(l, 0)) % kept) + kept) % kept + cl;
    }
    m[o] = i;
  }
  return m;
}

const MODES: readonly string[] = ["constant", "reflect", "replicate", "circular"];

/**
 * F.pad(input, pad, mode = "constant", value = null): `input` padded (or cropped, for negative
 * amounts) by `pad` = [left, right] pairs from the last dim backwards. Modes "constant" (fill
 * `value`, default 0), "reflect", "replicate", "circular". mode and value positionally or as
 * `{ mode, value }`: `F.pad(x, [1, 1, 2, 0], "reflect")`, `F.pad(x, [2, 2], { value: -1 })`.
 */
export function pad(input: Tensor, pad: readonly number[], options?: PadOptions): Tensor;
export function pad(input: Tensor, pad: readonly number[], mode?: PadMode, value?: number | null): Tensor;
export function pad(input: Tensor, padding: readonly number[], modeOrOptions?: PadMode | PadOptions, value?: number | null): Tensor {
  let mode: unknown = "constant";
  let fill: unknown = value ?? null;
  if (typeof modeOrOptions === "object" && modeOrOptions !== null) {
    for (const k of Object.keys(modeOrOptions)) {
      if (k !== "mode" && k !== "value") throw new TypeError(`pad() got an unexpected keyword argument '${k}' (allowed: mode, value)`);
    }
    mode = modeOrOptions.mode ?? "constant";
    fill = modeOrOptions.value ?? null;
  } else if (modeOrOptions !== undefined) {
    mode = modeOrOptions;
  }
  if (!(input instanceof Tensor)) throw new TypeError(`pad(): argument 'input' must be Tensor, not ${describe(input)}`);
  if (!Array.isArray(padding) || !padding.every((v) => typeof v === "number" && Number.isInteger(v))) {
    throw new TypeError(`pad(): argument 'pad' must be a list of ints, got ${Array.isArray(padding) ? `[${padding.join(", ")}]` : describe(padding)}`);
  }
  if (fill !== null && typeof fill !== "number") throw new TypeError(`pad(): argument 'value' must be a number or null, not ${describe(fill)}`);
  const nd = input.dim();
  if (padding.length % 2 !== 0) throw new RangeError("Padding length must be divisible by 2");
  if (padding.length / 2 > nd) {
    throw new RangeError(
      `Padding length should be less than or equal to two times the input dimension but got padding length ${padding.length} and input of dimension ${nd}`,
    );
  }
  if (typeof mode !== "string" || !MODES.includes(mode)) {
    throw new RangeError(`Unrecognised padding mode ${String(mode)} (allowed: "constant", "reflect", "replicate", "circular")`);
  }
  const k = padding.length / 2;
  if (mode !== "constant") {
    if (fill !== null && fill !== 0) throw new RangeError(`Padding mode "${mode}" doesn't take in value argument`);
    if (padding.length > 6) throw new RangeError("Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now");
    if (nd !== k + 1 && nd !== k + 2) {
      throw new RangeError(
        `Padding size ${padding.length} is not supported for ${nd}D input tensor. (mode "${mode}" pads the last ${k} dim(s) of a ${k + 1}D or ${k + 2}D input)`,
      );
    }
    if (input.shape.slice(nd - k - 1).some((d) => d === 0)) {
      throw new RangeError(
        `Expected ${k + 1}D or ${k + 2}D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: [${input.shape.join(", ")}]`,
      );
    }
  }
  const outShape = [...input.shape];
  const maps: Int32Array[] = input.shape.map((n) => identityMap(n));
  for (let i = 0; i < k; i++) {
    const d = nd - 1 - i;
    const l = padding[2 * i], r = padding[2 * i + 1];
    const n = input.shape[d];
    if (mode === "reflect" && (l >= n || r >= n)) {
      throw new RangeError(
        `Argument #${4 + 2 * i}: Padding size should be less than the corresponding input dimension, but got: padding (${l}, ${r}) at dimension ${d} of input [${input.shape.join(", ")}]`,
      );
    }
    if (mode === "circular" && (l > n || r > n)) throw new RangeError("Padding value causes wrapping around more than once.");
    const out = n + l + r;
    if (out < 0 || (mode !== "constant" && out === 0)) {
      throw new RangeError(
        `narrow(): length must be non-negative. (pad: input size ${n} at dimension ${d} plus padding ${l} and ${r} gives an output size of ${out})`,
      );
    }
    outShape[d] = out;
    maps[d] = padMap(n, l, r, mode as PadMode);
  }
  const name = mode === "constant" ? "ConstantPadNdBackward0" : mode === "reflect" ? `ReflectionPad${k}DBackward0`
    : mode === "replicate" ? `ReplicationPad${k}DBackward0` : "CircularPadBackward0";
  return gatherByMaps(input, outShape, maps, (fill as number | null) ?? 0, name);
}
