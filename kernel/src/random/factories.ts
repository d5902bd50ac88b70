/**
 * The user-facing random functions, with PyTorch's signatures mapped to TypeScript:
 *   rand(2, 3) · rand([2, 3], { dtype, generator, requires_grad }) · randn(...) (same forms)
 *   randint(high, size, opts?) · randint(low, high, size, opts?)       (int64 by default)
 *   randperm(n, opts?)                                                  (int64 by default)
 *   normal(mean, std, size, opts?) · normal(meanTensor, std | stdTensor, opts?) · normal(mean, stdTensor, opts?)
 *   rand_like(t, opts?) · randn_like(t, opts?) · randint_like(t, low?, high, opts?)
 *   bernoulli(probs, opts?)
 (the in-place samplers are in inplace.ts).
 */

import { Tensor } from "../tensor/tensor";
import { Generator, RuntimeError, default_generator } from "./generator";
import { fillBernoulliTensor, fillNormal, fillNormalSerial, fillRandomInt, fillRandperm, fillUniform } from "./kernels";
import { memory_index } from "../tensor/memory_order";
import {
  checkIntDtypeBounds, checkIntRange, checkOptions, checkProbabilities, checkStd, describe, floatDtype, isPlainObject, make, numelOf,
  parseSizeArgs, resolveGenerator, sizeOf, storage, type RandomOptions,
} from "./options";

export type { GeneratorArg, RandomOptions } from "./options";

// ---- factories ----------------------------------------------------------------------------------

export type RandSizeArgs = (number | readonly number[] | RandomOptions)[];

/** Uniform samples in [0, 1): `rand(2, 3)`, `rand([2, 3], { dtype, generator, requires_grad })`. */
export function rand(...args: RandSizeArgs): Tensor {
  const { size, options } = parseSizeArgs(args, "rand");
  const dtype = floatDtype(options.dtype, "rand", "check_uniform_bounds");
  const data = storage(dtype, numelOf(size));
  fillUniform(data, dtype === "float32", 0, 1, options.generator ?? default_generator);
  return make(data, size, dtype, options.requires_grad, "rand");
}

/** Standard-normal samples: `randn(2, 3)`, `randn([2, 3], { dtype, generator, requires_grad })`. */
export function randn(...args: RandSizeArgs): Tensor {
  const { size, options } = parseSizeArgs(args, "randn");
  const dtype = floatDtype(options.dtype, "randn", "normal_kernel_cpu");
  const data = storage(dtype, numelOf(size));
  fillNormal(data, dtype === "float32", 0, 1, options.generator ?? default_generator);
  return make(data, size, dtype, options.requires_grad, "randn");
}


/**
 * Integers uniform in [low, high): `randint(high, size, opts?)` or `randint(low, high, size, opts?)`;
 * `size` is an array (or a single number). dtype defaults to int64.
 */
export function randint(high: number, size: number | readonly number[], options?: RandomOptions): Tensor;
export function randint(low: number, high: number, size: number | readonly number[], options?: RandomOptions): Tensor;
export function randint(a: number, b: number | readonly number[], c?: number | readonly number[] | RandomOptions, d?: RandomOptions): Tensor {
  let low = 0;
  let high: number;
  let size: number | readonly number[];
  let opts: unknown;
  if (typeof b === "number" && c !== undefined && !isPlainObject(c)) {
    low = a;
    high = b;
    size = c as number | readonly number[];
    opts = d;
  } else {
    high = a;
    size = b;
    opts = c;
  }
  if (size === undefined) throw new TypeError(`randint() missing 1 required positional argument: "size"`);
  checkIntRange(low, high, "randint");
  const options = checkOptions(opts, "randint");
  const shape = sizeOf(size, "randint");
  const dtype = options.dtype ?? "int64";
  if (dtype === "bool") throw new TypeError(`randint(): dtype bool is not supported; use an integer dtype ("int64", "int32", "int16", "int8", "uint8"), "float32" or "float64"`);
  checkIntDtypeBounds(dtype, low, high);
  const data = storage(dtype, numelOf(shape));
  fillRandomInt(data, low, high, options.generator ?? default_generator);
  return make(data, shape, dtype, options.requires_grad, "randint");
}

/** A random permutation of 0..n−1 (int64 by default). */
export function randperm(n: number, options?: RandomOptions): Tensor {
  if (typeof n !== "number" || !Number.isSafeInteger(n)) throw new TypeError(`randperm(): n must be an integer, got ${n}`);
  if (n < 0) throw new RuntimeError(`n must be non-negative, got${n}`);
  const o = checkOptions(options, "randperm");
  const dtype = o.dtype ?? "int64";
  if (dtype === "bool") throw new TypeError(`randperm(): dtype bool is not supported; use an integer dtype ("int64", "int32", "int16", "int8", "uint8"), "float32" or "float64"`);
  if (dtype === "float32" && n > 2 ** 24 + 1) {
    throw new RuntimeError(`n cannot be greater than 2^24+1 for Float type.`);
  }
  const data = storage(dtype, n);
  fillRandperm(data, o.generator ?? default_generator);
  return make(data, [n], dtype, o.requires_grad, "randperm");
}

/**
 * `r`, whose values were drawn in sequence, laid out as `t` (PyTorch's empty_like keeps t's
 * strides): for a `t` PyTorch holds permuted the k-th draw goes to t's k-th element in memory.
 */
function laidOutLike(r: Tensor, t: Tensor): Tensor {
  const order = t._memory_order;
  if (order === null) return r;
  const drawn = r.data.slice();
  const idx = memory_index(t.shape, order);
  for (let k = 0; k < idx.length; k++) r.data[idx[k]] = drawn[k];
  r._memory_order = order;
  return r;
}

/** Uniform samples shaped like `t` (its dtype unless `dtype` is given; drawn in t's memory order, as PyTorch's). */
export function rand_like(t: Tensor, options?: RandomOptions): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`rand_like(): expected a Tensor, got ${describe(t)}`);
  const o = checkOptions(options, "rand_like");
  return laidOutLike(rand(t.shape, { ...o, dtype: o.dtype ?? t.dtype }), t);
}

/**
 * Standard-normal samples shaped like `t` (its dtype unless `dtype` is given). For a `t` PyTorch
 * holds permuted (x.t(), ...) PyTorch draws one scalar sample per element in memory order (its
 * non-contiguous path), and so does this.
 */
export function randn_like(t: Tensor, options?: RandomOptions): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`randn_like(): expected a Tensor, got ${describe(t)}`);
  const o = checkOptions(options, "randn_like");
  if (t._memory_order === null) return randn(t.shape, { ...o, dtype: o.dtype ?? t.dtype });
  const dtype = floatDtype(o.dtype ?? t.dtype, "randn_like", "normal_kernel_cpu");
  const data = storage(dtype, t.numel());
  fillNormalSerial(data, 0, 1, o.generator ?? default_generator);
  return laidOutLike(make(data, t.shape, dtype, o.requires_grad, "randn_like"), t);
}

/** Integers in [low, high) shaped like `t`: `randint_like(t, high)` or `randint_like(t, low, high)` (drawn in t's memory order, as PyTorch's). */
export function randint_like(t: Tensor, a: number, b?: number | RandomOptions, options?: RandomOptions): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`randint_like(): expected a Tensor, got ${describe(t)}`);
  const [low, high, opts] = typeof b === "number" ? [a, b, options] : [0, a, b];
  const o = checkOptions(opts, "randint_like");
  return laidOutLike(randint(low, high, t.shape, { ...o, dtype: o.dtype ?? t.dtype }), t);
}

/**
 * Normal samples. `normal(mean, std, size, opts?)` with numbers; `normal(meanT, std)`,
 * `normal(mean, stdT)` and `normal(meanT, stdT)` with tensors of one shape (PyTorch draws N(0, 1)
 * — or N(0, std) when only mean is a tensor — then scales and shifts element-wise).
 */
export function normal(mean: number | Tensor, std: number | Tensor, size?: number | readonly number[] | RandomOptions, options?: RandomOptions): Tensor {
  if (typeof mean === "number" && typeof std === "number") {
    if (size === undefined || isPlainObject(size)) {
      throw new TypeError(`normal() with number mean and std needs a size: normal(mean, std, size, options?)`);
    }
    checkStd(std);
    const o = checkOptions(options, "normal");
    const shape = sizeOf(size as number | readonly number[], "normal");
    const dtype = floatDtype(o.dtype, "normal", "normal_kernel_cpu");
    const data = storage(dtype, numelOf(shape));
    fillNormal(data, dtype === "float32", mean, std, o.generator ?? default_generator);
    return make(data, shape, dtype, o.requires_grad, "normal");
  }
  if (size !== undefined && !isPlainObject(size)) {
    throw new TypeError(`normal(): a size is only allowed when mean and std are both numbers`);
  }
  const o = checkOptions(size, "normal");
  const gen = o.generator ?? default_generator;
  const meanT = mean instanceof Tensor ? mean : null;
  const stdT = std instanceof Tensor ? std : null;
  if (!meanT && typeof mean !== "number") throw new TypeError(`normal(): mean must be a number or a Tensor, got ${describe(mean)}`);
  if (!stdT && typeof std !== "number") throw new TypeError(`normal(): std must be a number or a Tensor, got ${describe(std)}`);
  const ref = (meanT ?? stdT) as Tensor;
  if (meanT && stdT && (meanT.shape.length !== stdT.shape.length || meanT.shape.some((d, i) => d !== stdT.shape[i]))) {
    throw new RangeError(`normal(): mean and std must have the same shape, got [${meanT.shape.join(", ")}] and [${stdT.shape.join(", ")}]`);
  }
  // PyTorch allocates the output with the options of mean (or of std when mean is a number)
  const dtype = o.dtype ?? ref.dtype;
  floatDtype(dtype, "normal", "normal_kernel_cpu");
  if (stdT) {
    for (const s of stdT.data) if (s < 0) throw new RuntimeError(`normal expects all elements of std >= 0.0`);
  } else checkStd(std as number);
  const single = dtype === "float32";
  const out = storage(dtype, ref.numel());
  const r = single ? Math.fround : (x: number) => x;
  if (meanT && !stdT) {
    // normal_(0, std) then add_(mean)
    fillNormal(out, single, 0, std as number, gen);
    for (let i = 0; i < out.length; i++) out[i] = r(out[i] + meanT.data[i]);
  } else {
    // normal_(0, 1) then mul_(std).add_(mean)
    fillNormal(out, single, 0, 1, gen);
    for (let i = 0; i < out.length; i++) {
      const s = stdT ? stdT.data[i] : (std as number);
      const m = meanT ? meanT.data[i] : (mean as number);
      out[i] = r(r(out[i] * s) + m);
    }
  }
  return make(out, ref.shape, dtype, o.requires_grad, "normal");
}

/** Draws 0/1 with the probabilities in `input` (same shape and dtype). */
export function bernoulli(input: Tensor, options?: { generator?: Generator | null }): Tensor {
  if (!(input instanceof Tensor)) throw new TypeError(`bernoulli(): expected a Tensor of probabilities, got ${describe(input)}`);
  const gen = resolveGenerator(options, "bernoulli");
  const dtype = floatDtype(input.dtype, "bernoulli", "bernoulli_tensor_cpu_p_");
  checkProbabilities(input, "bernoulli");
  const out = storage(dtype, input.numel());
  fillBernoulliTensor(out, input.data, dtype === "float32", gen);
  return new Tensor(out, input.shape, dtype);
}
