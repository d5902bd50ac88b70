/**
 * F.embedding(input, weight, { padding_idx }): row input[p] of `weight` for every index p, so the
 * result has shape [...input.shape, embedding_dim] (PyTorch's torch.nn.functional.embedding).
 *
 * Gradient: dL/dW[r] = Σ over positions p with input[p] = r of g[p] (a scatter-add: an index may
 * repeat), except the row `padding_idx`, whose gradient stays zero (PyTorch's embedding_backward
 * skips it; its forward still reads the row as it is). "EmbeddingBackward0", as PyTorch names it.
 *
 * With `sparse: true` the weight's gradient is a sparse COO tensor (tensor/sparse.ts), as PyTorch's
 * embedding_sparse_backward makes it: one entry per position p whose index is not padding_idx, in
 * the order of the (flattened) input, index input[p] and values g[p]; repeats are not summed
 * (the tensor is not coalesced unless it has fewer than two entries).
 *
 * With `scale_grad_by_freq: true` each position's gradient is divided by how often its index
 * occurs in this input (dense gradients only, as PyTorch's).
 */
import { checkKeywords } from "../../utils/py_args";
import { Tensor, storageFor } from "../../tensor/tensor";
import { checkFloat, describe, record } from "../_autograd";
import { fresh_grad } from "../../tensor/autograd";
import { SparseTensor } from "../../tensor/sparse";
import { saves } from "../../tensor/version";
import { fma } from "../../random/fpmath";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const INDICES_SAVES = saves("x0 if 1");

export interface EmbeddingOptions {
  /** A row whose gradient stays zero (negative: counted from the end). */
  padding_idx?: number | null;
  /**
   * Before the lookup, each row the input reads whose `norm_type`-norm (default 2) exceeds
   * `max_norm` is scaled in place, under no_grad, to norm `max_norm` (PyTorch's
   * embedding_renorm_: factor max_norm / (norm + 1e-7)); the weight itself changes.
   */
  max_norm?: number | null;
  norm_type?: number;
  /**
   * Each position's gradient divided by the number of times its index occurs in this input, so a
   * frequent row's gradient is an average, not a sum (word embeddings: common words would
   * otherwise take the largest steps). Dense gradients only: with `sparse: true` backward raises
   * PyTorch's error.
   */
  scale_grad_by_freq?: boolean;
  /** The weight's gradient as a sparse COO tensor (rows of the indices seen only); default false. */
  sparse?: boolean;
}

/** padding_idx as a row number in [0, num), or null; PyTorch's assertion messages. */
export function paddingRow(padding_idx: number | null | undefined, num: number): number | null {
  if (padding_idx === null || padding_idx === undefined) return null;
  if (!Number.isInteger(padding_idx)) throw new TypeError(`padding_idx must be an integer or null, got ${String(padding_idx)}`);
  if (padding_idx > 0 && padding_idx >= num) throw new RangeError("Padding_idx must be within num_embeddings");
  if (padding_idx < 0 && padding_idx < -num) throw new RangeError("Padding_idx must be within num_embeddings");
  return padding_idx < 0 ? padding_idx + num : padding_idx;
}

/** The options' types: an error naming the option and what it takes, never a silent misreading. */
export function checkOptionTypes(o: EmbeddingOptions, op: string): void {
  if (o.max_norm !== null && o.max_norm !== undefined && typeof o.max_norm !== "number") throw new TypeError(`${op}: max_norm must be a number or null, got ${String(o.max_norm)}`);
  if (o.norm_type !== undefined && typeof o.norm_type !== "number") throw new TypeError(`${op}: norm_type must be a number, got ${String(o.norm_type)}`);
  if (o.scale_grad_by_freq !== undefined && typeof o.scale_grad_by_freq !== "boolean") throw new TypeError(`${op}: scale_grad_by_freq must be a boolean, got ${String(o.scale_grad_by_freq)}`);
}

/**
 * PyTorch's embedding_renorm_ (CPU): every distinct row of `weight` that `ids` reads, whose
 * p-norm exceeds `max_norm`, is multiplied in place by max_norm / (norm + 1e-7). No autograd
 * record (PyTorch runs it under no_grad).
 */
function renorm_(weight: Tensor, ids: ArrayLike<number>, max_norm: number, p: number): void {
  const [, dim] = weight.shape;
  const w = weight.data;
  const seen = new Set<number>();
  for (let i = 0; i < ids.length; i++) {
    const r = ids[i];
    if (seen.has(r)) continue;
    seen.add(r);
    const o = r * dim;
    let norm = 0;
    if (p === Infinity) for (let k = 0; k < dim; k++) norm = Math.max(norm, Math.abs(w[o + k]));
    else if (p === 1) for (let k = 0; k < dim; k++) norm += Math.abs(w[o + k]);
    else if (p === 2) {
      for (let k = 0; k < dim; k++) norm += w[o + k] * w[o + k];
      norm = Math.sqrt(norm);
    } else if (p === 0) for (let k = 0; k < dim; k++) norm += w[o + k] !== 0 ? 1 : 0;
    else {
      for (let k = 0; k < dim; k++) norm += Math.abs(w[o + k]) ** p;
      norm **= 1 / p;
    }
    if (norm > max_norm) {
      const scale = max_norm / (norm + 1e-7);
      // PyTorch multiplies a float32 row by the scale in float32
      const s = weight.dtype === "float32" ? Math.fround(scale) : scale;
      for (let k = 0; k < dim; k++) w[o + k] *= s;
    }
  }
}

export function embedding(input: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  if (!(input instanceof Tensor)) throw new TypeError(`embedding(): argument 'input' must be Tensor, not ${describe(input)}`);
  checkFloat(weight, "embedding", "weight");
  if (weight.dim() !== 2) throw new RangeError(`embedding(): weight must be 2-D [num_embeddings, embedding_dim], got shape [${weight.shape.join(", ")}]`);
  if (input.dtype !== "int64" && input.dtype !== "int32") {
    throw new TypeError(`Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ${String(input.type())} instead (while checking arguments for embedding)`);
  }
  // PyTorch's F.embedding keywords; an unknown one used to be ignored
  checkKeywords("embedding", options, ["padding_idx", "max_norm", "norm_type", "scale_grad_by_freq", "sparse"]);
  checkOptionTypes(options, "embedding");
  const [num, dim] = weight.shape;
  const pad = paddingRow(options.padding_idx, num);
  const ids = input.data;
  const n = ids.length;
  for (let p = 0; p < n; p++) {
    const r = ids[p];
    if (!(r >= 0 && r < num)) throw new RangeError(`index out of range in self (index ${r}, num_embeddings ${num})`);
  }
  if (options.max_norm !== null && options.max_norm !== undefined) renorm_(weight, ids, options.max_norm, options.norm_type ?? 2);
  const w = weight.data;
  const y = storageFor(weight.dtype, n * dim);
  for (let p = 0; p < n; p++) y.set(w.subarray(ids[p] * dim, ids[p] * dim + dim), p * dim);
  const out = new Tensor(y, [...input.shape, dim], weight.dtype);
  if (options.sparse === true) {
    return record(out, "EmbeddingBackward0", [null, weight], (g) => {
      if (options.scale_grad_by_freq === true) throw new Error("embedding_backward: scale_grad_by_freq not supported with sparse gradients");
      let m = 0;
      for (let p = 0; p < n; p++) if (ids[p] !== pad) m++;
      const idx = new Float64Array(m);
      const vals = storageFor(weight.dtype, m * dim);
      const gd = g.data;
      for (let p = 0, k = 0; p < n; p++) {
        if (ids[p] === pad) continue;
        idx[k] = ids[p];
        vals.set(gd.subarray(p * dim, p * dim + dim), k * dim);
        k++;
      }
      return [null, new SparseTensor(new Tensor(idx, [1, m], "int64"), new Tensor(vals, [m, dim], weight.dtype), weight.shape)];
    }, INDICES_SAVES, [input]);
  }
  return record(out, "EmbeddingBackward0", [null, weight], (g) => {
    const gw = storageFor(weight.dtype, num * dim);
    const gd = g.data;
    if (options.scale_grad_by_freq === true) {
      addScaledByFreq(gw, gd, ids, num, dim, pad, weight.dtype === "float32");
      return [null, fresh_grad(new Tensor(gw, weight.shape, weight.dtype))];
    }
    for (let p = 0; p < n; p++) {
      const r = ids[p];
      if (r === pad) continue;
      const dst = r * dim, src = p * dim;
      for (let k = 0; k < dim; k++) gw[dst + k] += gd[src + k];
    }
    return [null, fresh_grad(new Tensor(gw, weight.shape, weight.dtype))];
  }, INDICES_SAVES, [input]);
}

/**
 * gw[r] += g[p] / count(r) for every position p (index r ≠ pad), in position order: PyTorch's
 * embedding_dense_backward_cpu, which counts every index of the input (padding included) and adds
 * `grad[p]` with alpha = 1/count as one fused multiply-add per element. float32: alpha rounded to
 * float32 first (PyTorch's Scalar → float), s·g exact in double, one rounding of the sum (checked
 * bit for bit against PyTorch 2.13: test/fixtures/generate_embedding_freq.py).
 */
function addScaledByFreq(gw: Float32Array | Float64Array, gd: ArrayLike<number>, ids: ArrayLike<number>, num: number, dim: number, pad: number | null, f32: boolean): void {
  const counts = new Float64Array(num);
  for (let p = 0; p < ids.length; p++) counts[ids[p]]++;
  for (let p = 0; p < ids.length; p++) {
    const r = ids[p];
    if (r === pad) continue;
    const dst = r * dim, src = p * dim;
    if (f32) {
      const s = Math.fround(1 / counts[r]);
      for (let k = 0; k < dim; k++) gw[dst + k] = gw[dst + k] + s * gd[src + k];
    } else {
      const s = 1 / counts[r];
      for (let k = 0; k < dim; k++) gw[dst + k] = fma(s, gd[src + k], gw[dst + k]);
    }
  }
}
