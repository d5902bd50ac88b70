/**
 * F.linear(input, weight, bias?): y = x Wᵀ + b, for x of shape [..., in_features], W of shape
 * [out_features, in_features] and b of shape [out_features].
 *
 * Gradients (g = dL/dy, rows n over all leading dims):
 *   dL/dx[n, i] = Σ_o g[n, o] W[o, i]      dL/dW[o, i] = Σ_n g[n, o] x[n, i]      dL/db[o] = Σ_n g[n, o]
 * One fused node ("AddmmBackward0" for 2-D input as PyTorch names it). All three products run
 * through the tensor library's gemm (WebAssembly SIMD, float32 summed in float32 as PyTorch does),
 * which reads Wᵀ, gᵀ in place: no transpose is materialised.
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import { checkFloat, record } from "../_autograd";
import { gemm } from "../../tensor/gemm";
import { fresh_grad } from "../../tensor/autograd";
import { saves } from "../../tensor/version";
import { RuntimeRangeError } from "../../errors";
import { SCALAR_TYPE_NAME } from "../../tensor/dtype";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const LINEAR_SAVES = saves("0 if 1, 1 if 0 as t");
const LINEAR_ND_SAVES = saves("0 if 1 as rows, 1 if 0 as t");

export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  checkFloat(input, "linear", "input");
  checkFloat(weight, "linear", "weight");
  if (weight.dim() !== 2) {
    throw new RangeError(`linear(): weight must be 2-D [out_features, in_features], got shape [${weight.shape.join(", ")}]`);
  }
  if (input.dim() === 0) throw new RangeError("linear(): input must have at least 1 dimension, got a 0-D tensor");
  const [O, I] = weight.shape;
  const inF = input.shape[input.dim() - 1];
  const N = input.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  if (inF !== I) {
    throw RuntimeRangeError(`mat1 and mat2 shapes cannot be multiplied (${N}x${inF} and ${I}x${O})`); // PyTorch's RuntimeError (still a RangeError)
  }
  if (input.dtype !== weight.dtype) {
    throw new TypeError(`mat1 and mat2 must have the same dtype, but got ${torchName(input.dtype)} and ${torchName(weight.dtype)}`);
  }
  if (bias !== null && bias !== undefined) {
    checkFloat(bias, "linear", "bias");
    if (bias.data.length !== O || bias.dim() > 1) {
      throw new RangeError(`linear(): bias must have shape [${O}], got [${bias.shape.join(", ")}]`);
    }
    if (bias.dtype !== input.dtype) {
      throw new TypeError(`linear(): bias dtype ${bias.dtype} does not match input dtype ${input.dtype}`);
    }
  }
  const dtype = input.dtype;
  const x = input.data;
  const w = weight.data;
  const b = bias ? bias.data : null;
  const y = storageFor(dtype, N * O);
  gemm(false, true, N, O, I, x, 0, w, 0, y, 0, b);
  const outShape = [...input.shape.slice(0, -1), O];
  const out = new Tensor(y, outShape, dtype);
  const name = bias ? (input.dim() === 2 ? "AddmmBackward0" : "ViewBackward0") : input.dim() === 2 ? "MmBackward0" : "ViewBackward0";
  return record(out, name, [input, weight, bias], (g, need) => {
    const gd = g.data;
    let gxT: Tensor | null = null;
    let gwT: Tensor | null = null;
    let gb: Tensor | null = null;
    if (need[0]) {
      // dL/dx = g W
      const gx = storageFor(dtype, N * I);
      gemm(false, false, N, I, O, gd, 0, w, 0, gx, 0);
      gxT = fresh_grad(new Tensor(gx, input.shape, dtype));
    }
    if (need[1]) {
      // dL/dW = gᵀ x
      const gw = storageFor(dtype, O * I);
      gemm(true, false, O, I, N, gd, 0, x, 0, gw, 0);
      gwT = fresh_grad(new Tensor(gw, weight.shape, dtype));
    }
    if (need[2] && bias) gb = fresh_grad(new Tensor(cast(columnSums(gd, N, O), dtype), bias.shape, dtype));
    return [gxT, gwT, gb];
  }, input.dim() <= 2 ? LINEAR_SAVES : LINEAR_ND_SAVES);
}

/**
 * The sums of the columns of a [rows, cols] matrix, in float64 (as F.linear's bias gradient).
 * Four rows at a time: one load and store of the accumulator per four elements instead of one
 * per element, which halves the time of the loop.
 */
export function columnSums(m: Float32Array | Float64Array, rows: number, cols: number): Float64Array {
  const acc = new Float64Array(cols);
  let r = 0;
  for (; r + 3 < rows; r += 4) {
    const a = r * cols;
    const b = a + cols;
    const c = b + cols;
    const d = c + cols;
    for (let o = 0; o < cols; o++) acc[o] += (m[a + o] + m[b + o]) + (m[c + o] + m[d + o]);
  }
  for (; r < rows; r++) for (let o = 0; o < cols; o++) acc[o] += m[r * cols + o];
  return acc;
}

/** A double accumulator as the storage of `dtype` (rounds once for float32). */
export function cast(acc: Float64Array, dtype: string): Float32Array | Float64Array {
  return dtype === "float32" ? Float32Array.from(acc) : acc;
}

/** PyTorch's scalar type names for messages ("Float", "Double", "Long", "Bool"). */
export function torchName(dtype: string): string {
  return (SCALAR_TYPE_NAME as Record<string, string>)[dtype] ?? dtype;
}
