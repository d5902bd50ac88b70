/**
 * F.unfold (im2col) and F.fold (col2im): sliding 2-D blocks of a [N, C, H, W] input as columns, and back.
 *
 * unfold(input [N, C, H, W] or [C, H, W], kernel_size, dilation = 1, padding = 0, stride = 1)
 *   → [N, C·kh·kw, L], L = Lh·Lw blocks, L_d = ⌊(size_d + 2·padding_d − dilation_d·(k_d − 1) − 1)/stride_d⌋ + 1;
 *   out[n, (c·kh + i)·kw + j, bh·Lw + bw] = input[n, c, bh·sh − ph + i·dh, bw·sw − pw + j·dw] (0 in the padding).
 * fold(input [N, C·kh·kw, L] or [C·kh·kw, L], output_size, kernel_size, dilation, padding, stride)
 *   → [N, C, H, W]: the adjoint, every column entry summed into its position (overlaps add up).
 * Each is the other's gradient; both run over one precomputed map from a column entry to its
 * input position (−1 in the padding). The optional arguments go positionally or as
 * `{ dilation, padding, stride }`; each is a number or a pair [h, w].
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import { checkFloat, record } from "../_autograd";

export type Pair = number | readonly number[];

export interface FoldOptions {
  dilation?: Pair;
  padding?: Pair;
  stride?: Pair;
}

const OPT_NAMES = ["dilation", "padding", "stride"];

function pair(v: unknown, what: string, op: string): [number, number] {
  const arr = typeof v === "number" ? [v, v] : Array.isArray(v) ? v : null;
  if (arr === null || arr.length !== 2 || arr.some((x) => typeof x !== "number" || !Number.isInteger(x))) {
    throw new TypeError(`${op}(): argument '${what}' must be an int or a pair of ints, got ${JSON.stringify(v)}`);
  }
  return [arr[0], arr[1]];
}

function parseOptions(op: string, args: unknown[]): Required<Record<"dilation" | "padding" | "stride", [number, number]>> {
  const last = args[args.length - 1];
  const kw = (typeof last === "object" && last !== null && !Array.isArray(last) ? args.pop() : {}) as Record<string, unknown>;
  for (const k of Object.keys(kw)) {
    if (!OPT_NAMES.includes(k)) throw new TypeError(`${op}() got an unexpected keyword argument '${k}' (allowed: ${OPT_NAMES.join(", ")})`);
  }
  if (args.length > 3) throw new TypeError(`${op}() takes at most 3 optional positional arguments (dilation, padding, stride) but ${args.length} were given`);
  const val = (i: number, k: string, dflt: number): unknown => {
    if (args[i] !== undefined && kw[k] !== undefined) throw new TypeError(`${op}() got multiple values for argument '${k}'`);
    return args[i] ?? kw[k] ?? dflt;
  };
  return { dilation: pair(val(0, "dilation", 1), "dilation", op), padding: pair(val(1, "padding", 0), "padding", op), stride: pair(val(2, "stride", 1), "stride", op) };
}

interface Geometry {
  k: [number, number];
  d: [number, number];
  p: [number, number];
  s: [number, number];
  H: number;
  W: number;
  Lh: number;
  Lw: number;
}

function t2(v: [number, number]): string {
  return `(${v[0]}, ${v[1]})`;
}

/** Checks the block geometry as PyTorch's im2col/col2im shape checks do, and counts the blocks. */
function geometry(op: string, H: number, W: number, k: [number, number], d: [number, number], p: [number, number], s: [number, number], spatialWhat: string): Geometry {
  if (k[0] <= 0 || k[1] <= 0) throw new RangeError(`kernel size should be greater than zero, but got kernel_height: ${k[0]} kernel_width: ${k[1]}`);
  if (s[0] <= 0 || s[1] <= 0) throw new RangeError(`stride should be greater than zero, but got stride_height: ${s[0]} stride_width: ${s[1]}`);
  if (d[0] <= 0 || d[1] <= 0) throw new RangeError(`dilation should be greater than zero, but got dilation_height: ${d[0]} dilation_width: ${d[1]}`);
  if (p[0] < 0 || p[1] < 0) throw new RangeError(`padding should be non-negative, but got pad_height: ${p[0]} pad_width: ${p[1]}`);
  // C's integer division (truncation), as PyTorch counts the blocks.
  const Lh = Math.trunc((H + 2 * p[0] - d[0] * (k[0] - 1) - 1) / s[0]) + 1;
  const Lw = Math.trunc((W + 2 * p[1] - d[1] * (k[1] - 1) - 1) / s[1]) + 1;
  // fold reports a bad count through its "number of sliding blocks" check instead (as PyTorch).
  if (op === "unfold" && (Lh < 1 || Lw < 1)) {
    throw new RangeError(
      `Given ${spatialWhat}, kernel_size=${t2(k)}, dilation=${t2(d)}, padding=${t2(p)}, ` +
      `calculated shape of the array of sliding blocks as (${Lh}, ${Lw}), but its components must be at least one.`,
    );
  }
  return { k, d, p, s, H, W, Lh, Lw };
}

/** For each column entry ((i·kw + j)·L + l) of one channel, its offset in the H×W plane, or −1 in the padding. */
function blockMap(g: Geometry): Int32Array {
  const { k, d, p, s, H, W, Lh, Lw } = g;
  const L = Lh * Lw;
  const map = new Int32Array(k[0] * k[1] * L);
  let q = 0;
  for (let i = 0; i < k[0]; i++) {
    for (let j = 0; j < k[1]; j++) {
      for (let bh = 0; bh < Lh; bh++) {
        const r = bh * s[0] - p[0] + i * d[0];
        for (let bw = 0; bw < Lw; bw++) {
          const c = bw * s[1] - p[1] + j * d[1];
          map[q++] = r >= 0 && r < H && c >= 0 && c < W ? r * W + c : -1;
        }
      }
    }
  }
  return map;
}

/** Columns [rows = NC, kk·L] from planes [NC, H·W] (gather). */
function im2col(x: ArrayLike<number>, out: Float32Array | Float64Array, NC: number, plane: number, map: Int32Array): void {
  const m = map.length;
  for (let nc = 0; nc < NC; nc++) {
    const xb = nc * plane;
    const ob = nc * m;
    for (let q = 0; q < m; q++) {
      const at = map[q];
      out[ob + q] = at < 0 ? 0 : x[xb + at];
    }
  }
}

/** Planes [NC, H·W] as the sum of columns [NC, kk·L] (scatter-add, in float64). */
function col2im(cols: ArrayLike<number>, NC: number, plane: number, map: Int32Array): Float64Array {
  const m = map.length;
  const acc = new Float64Array(NC * plane);
  for (let nc = 0; nc < NC; nc++) {
    const ab = nc * plane;
    const cb = nc * m;
    for (let q = 0; q < m; q++) {
      const at = map[q];
      if (at >= 0) acc[ab + at] += cols[cb + q];
    }
  }
  return acc;
}

function asStorage(acc: Float64Array, dtype: string): Float32Array | Float64Array {
  return dtype === "float32" ? Float32Array.from(acc) : acc;
}

/**
 * F.unfold(input, kernel_size, dilation = 1, padding = 0, stride = 1): the sliding blocks of input
 * [N, C, H, W] (or unbatched [C, H, W]) as columns [N, C·kh·kw, L] (see the file comment).
 */
export function unfold(input: Tensor, kernel_size: Pair, options?: FoldOptions): Tensor;
export function unfold(input: Tensor, kernel_size: Pair, dilation?: Pair, padding?: Pair, stride?: Pair): Tensor;
export function unfold(input: Tensor, kernel_size: Pair, ...args: unknown[]): Tensor {
  checkFloat(input, "unfold");
  const { dilation, padding, stride } = parseOptions("unfold", args);
  const k = pair(kernel_size, "kernel_size", "unfold");
  const batched = input.dim() === 4;
  if (input.dim() !== 3 && input.dim() !== 4) {
    throw new RangeError(`Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got: [${input.shape.join(", ")}]`);
  }
  const [N, C, H, W] = batched ? input.shape : [1, ...input.shape];
  const g = geometry("unfold", H, W, k, dilation, padding, stride, `input with spatial size (${H}, ${W})`);
  const map = blockMap(g);
  const L = g.Lh * g.Lw;
  const dtype = input.dtype;
  const out = storageFor(dtype, N * C * map.length);
  im2col(input.data, out, N * C, H * W, map);
  const shape = batched ? [N, C * k[0] * k[1], L] : [C * k[0] * k[1], L];
  return record(new Tensor(out, shape, dtype), "Im2ColBackward0", [input], (grad) => [
    new Tensor(asStorage(col2im(grad.data, N * C, H * W, map), dtype), input.shape, dtype),
  ]);
}

/**
 * F.fold(input, output_size, kernel_size, dilation = 1, padding = 0, stride = 1): columns
 * [N, C·kh·kw, L] (or unbatched [C·kh·kw, L]) summed back into [N, C, H, W], output_size = [H, W]
 * (see the file comment).
 */
export function fold(input: Tensor, output_size: Pair, kernel_size: Pair, options?: FoldOptions): Tensor;
export function fold(input: Tensor, output_size: Pair, kernel_size: Pair, dilation?: Pair, padding?: Pair, stride?: Pair): Tensor;
export function fold(input: Tensor, output_size: Pair, kernel_size: Pair, ...args: unknown[]): Tensor {
  checkFloat(input, "fold");
  const { dilation, padding, stride } = parseOptions("fold", args);
  const [H, W] = pair(output_size, "output_size", "fold");
  const k = pair(kernel_size, "kernel_size", "fold");
  const batched = input.dim() === 3;
  if (input.dim() !== 2 && input.dim() !== 3) {
    throw new RangeError(`Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero dimensions for input, but got: [${input.shape.join(", ")}]`);
  }
  if (H <= 0 || W <= 0) throw new RangeError(`output size should be greater than zero, but got output_height: ${H} output_width: ${W}`);
  const [N, CK, L] = batched ? input.shape : [1, ...input.shape];
  const kk = k[0] * k[1];
  const g = geometry("fold", H, W, k, dilation, padding, stride, `output_size=(${H}, ${W})`);
  if (CK % kk !== 0) {
    throw new RangeError(`Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=${CK} and kernel_size=${t2(k)}.`);
  }
  if (g.Lh < 1 || g.Lw < 1 || g.Lh * g.Lw !== L) {
    throw new RangeError(
      `Given output_size=${t2([H, W])}, kernel_size=${t2(k)}, dilation=${t2(dilation)}, padding=${t2(padding)}, stride=${t2(stride)}, ` +
      `expected size of input's dimension 2 to match the calculated number of sliding blocks ${g.Lh} * ${g.Lw} = ${g.Lh * g.Lw}, but got input.size(2)=${L}.`,
    );
  }
  const C = CK / kk;
  const map = blockMap(g);
  const dtype = input.dtype;
  const out = asStorage(col2im(input.data, N * C, H * W, map), dtype);
  const shape = batched ? [N, C, H, W] : [C, H, W];
  return record(new Tensor(out, shape, dtype), "Col2ImBackward0", [input], (grad) => {
    const gi = storageFor(dtype, input.data.length);
    im2col(grad.data, gi, N * C, H * W, map);
    return [new Tensor(gi, input.shape, dtype)];
  });
}
