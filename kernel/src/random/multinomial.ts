/**
 * torch.multinomial (and Tensor.multinomial): indices drawn from the categories of each row of a
 * 1-D or 2-D tensor of non-negative weights, with PyTorch's CPU algorithms, so the same seed gives
 * the same samples:
 *   - without replacement, or one sample: q ~ Exp(1) of the input's shape (exponential_), then the
 *     top num_samples of input / q per row (argmax for one sample): the Gumbel-max trick.
 *   - with replacement: the row's cumulative sums normalised in the input's precision, then per
 *     sample one float64 uniform and a binary search for the first bucket >= it.
 * Not differentiable (an int64 result).
 */
import { Tensor } from "../tensor/tensor";
import { storage_for, SCALAR_TYPE_NAME } from "../tensor/dtype";
import { topk } from "../tensor/sorting";
import { RuntimeError } from "./generator";
import { fillExponential, uniformDouble01 } from "./kernels";
import { isPlainObject, resolveGenerator, type GeneratorArg } from "./options";

export interface MultinomialOptions {
  replacement?: boolean;
  generator?: GeneratorArg;
}

/**
 * `multinomial(input, num_samples, replacement = false, { generator })` (or
 * `multinomial(input, n, { replacement, generator })`): [num_samples] (or [rows, num_samples])
 * category indices, int64, drawn with probabilities proportional to input's rows.
 */
export function multinomial(input: Tensor, num_samples: number, replacement: boolean | MultinomialOptions = false, options?: { generator?: GeneratorArg }): Tensor {
  if (!(input instanceof Tensor)) throw new TypeError(`multinomial(): argument 'input' must be Tensor, not ${input === null ? "null" : typeof input}`);
  let gen_arg: GeneratorArg = options?.generator;
  if (isPlainObject(replacement)) {
    for (const k of Object.keys(replacement)) if (k !== "replacement" && k !== "generator") throw new TypeError(`multinomial() got an unexpected keyword argument '${k}' (allowed: replacement, generator)`);
    gen_arg = (replacement as MultinomialOptions).generator;
    replacement = (replacement as MultinomialOptions).replacement ?? false;
  }
  if (options !== undefined && options !== null) {
    for (const k of Object.keys(options)) if (k !== "generator") throw new TypeError(`multinomial() got an unexpected keyword argument '${k}' (allowed: generator)`);
  }
  if (typeof replacement !== "boolean") throw new TypeError(`multinomial(): argument 'replacement' must be bool, not ${typeof replacement}`);
  if (typeof num_samples !== "number" || !Number.isInteger(num_samples)) throw new TypeError(`multinomial(): argument 'num_samples' must be int, not ${JSON.stringify(num_samples)}`);
  if (input.dim() < 1 || input.dim() > 2) throw new RuntimeError("prob_dist must be 1 or 2 dim");
  if (input.dtype !== "float32" && input.dtype !== "float64") {
    throw new RuntimeError(`multinomial only supports floating-point dtypes for input, got: ${SCALAR_TYPE_NAME[input.dtype]}`);
  }
  if (num_samples <= 0) throw new RuntimeError("cannot sample n_sample <= 0 samples");
  const C = input.shape[input.dim() - 1];
  if (!replacement && num_samples > C) throw new RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement");
  if (C > 2 ** 24) throw new RuntimeError("number of categories cannot exceed 2^24");
  const gen = resolveGenerator(gen_arg, "multinomial");
  const rows = input.dim() === 1 ? 1 : input.shape[0];
  const out_shape = input.dim() === 1 ? [num_samples] : [rows, num_samples];
  const p = input.data;
  if (!replacement || num_samples === 1) {
    let bad = false;
    for (let i = 0; i < p.length; i++) if (!(p[i] >= 0 && p[i] < Infinity)) bad = true;
    if (bad) throw new RuntimeError("probability tensor contains either `inf`, `nan` or element < 0");
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let j = 0; j < C; j++) s += p[r * C + j];
      if (s === 0) throw new RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)");
    }
    // q ~ Exp(1), then input / q in the input's dtype (a Float32Array rounds as PyTorch's float kernel).
    const q = storage_for(input.dtype, p.length);
    fillExponential(q, 1, gen);
    for (let i = 0; i < q.length; i++) q[i] = p[i] / q[i];
    if (num_samples === 1) {
      const out = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        let best = 0;
        for (let j = 1; j < C; j++) if (q[r * C + j] > q[r * C + best]) best = j;
        out[r] = best;
      }
      return new Tensor(out, out_shape, "int64");
    }
    const idx = topk(new Tensor(q, input.shape, input.dtype), num_samples, -1).indices;
    return new Tensor(idx.data, out_shape, "int64");
  }
  const out = new Float64Array(rows * num_samples);
  const cum = storage_for(input.dtype, C);
  for (let r = 0; r < rows; r++) {
    // Cumulative sums in the input's precision (cum is a Float32Array for float32 input).
    let sum = 0;
    for (let j = 0; j < C; j++) {
      const v = p[r * C + j];
      if (!(v >= 0)) {
        if (v !== v) throw new RuntimeError("invalid multinomial distribution (encountering probability entry = infinity or NaN)");
        throw new RuntimeError("invalid multinomial distribution (encountering probability entry < 0)");
      }
      if (v === Infinity) throw new RuntimeError("invalid multinomial distribution (encountering probability entry = infinity or NaN)");
      cum[j] = sum + v;
      sum = cum[j];
    }
    if (!(sum > 0)) throw new RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)");
    for (let j = 0; j < C; j++) cum[j] = cum[j] / sum;
    cum[C - 1] = 1;
    for (let k = 0; k < num_samples; k++) {
      const u = uniformDouble01(gen);
      let lo = 0;
      let hi = C;
      while (hi - lo > 0) {
        const mid = lo + ((hi - lo) >> 1);
        if (cum[mid] < u) lo = mid + 1;
        else hi = mid;
      }
      out[r * num_samples + k] = lo;
    }
  }
  return new Tensor(out, out_shape, "int64");
}

declare module "../tensor/tensor" {
  interface Tensor {
    /** `num_samples` category indices per row, drawn with probabilities proportional to this tensor's rows (PyTorch's `Tensor.multinomial`). */
    multinomial(num_samples: number, replacement?: boolean | MultinomialOptions, options?: { generator?: GeneratorArg }): Tensor;
  }
}

Tensor.prototype.multinomial = function (this: Tensor, num_samples: number, replacement?: boolean | MultinomialOptions, options?: { generator?: GeneratorArg }): Tensor {
  return multinomial(this, num_samples, replacement, options);
};
