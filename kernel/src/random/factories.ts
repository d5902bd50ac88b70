/**
 * The user-facing random functions, with PyTorch's signatures mapped to TypeScript:
 *   rand(2, 3) · rand([2, 3], { dtype, generator, requires_grad }) · randn(...) (same forms)
 *   randint(high, size, opts?) · randint(low, high, size, opts?)       (int64 by default)
 *   randperm(n, opts?)                                                  (int64 by default)
 *   normal(mean, std, size, opts?) · normal(meanTensor, std | stdTensor, opts?) · normal(mean, stdTensor, opts?)
 *   rand_like(t, opts?) · randn_like(t, opts?) · randint_like(t, low?, high, opts?)
 *   bernoulli(probs, opts?)
 * and in-place samplers taking the tensor first (also installed as Tensor methods, which add
 * PyTorch's "leaf Variable that requires grad" check; the functions skip it, as nn.init does):
 *   uniform_(t, from = 0, to = 1, generator?) · normal_(t, mean = 0, std = 1, generator?)
 *   random_(t, from?, to?, generator?) · bernoulli_(t, p = 0.5, generator?) · exponential_(t, lambd = 1, generator?)
 * `generator` may be a Generator, null/undefined (the default generator) or `{ generator }`.
 */

import { Tensor, type DType } from "../tensor/tensor";
import { check_dtype, get_default_dtype } from "../tensor/dtype";
import { is_grad_enabled } from "../tensor/grad_mode";
import { Generator, RuntimeError, default_generator } from "./generator";
import {
  fillBernoulliScalar, fillBernoulliTensor, fillExponential, fillNormal, fillRandomInt, fillRandperm, fillUniform,
} from "./kernels";

export interface RandomOptions {
  dtype?: DType;
  generator?: Generator | null;
  requires_grad?: boolean;
}
export type GeneratorArg = Generator | null | undefined | { generator?: Generator | null };

const OPTION_KEYS = ["dtype", "generator", "requires_grad", "device", "layout", "pin_memory", "memory_format"];

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x) && !ArrayBuffer.isView(x) && !(x instanceof Tensor) && !(x instanceof Generator);
}

function checkOptions(o: unknown, where: string): RandomOptions {
  if (o === undefined || o === null) return {};
  if (!isPlainObject(o)) throw new TypeError(`${where}(): options must be an object like { dtype, generator, requires_grad }`);
  for (const k of Object.keys(o)) {
    if (!OPTION_KEYS.includes(k)) throw new TypeError(`${where}() got an unexpected keyword argument '${k}'`);
  }
  const out: RandomOptions = {};
  if (o.dtype !== undefined && o.dtype !== null) out.dtype = check_dtype(o.dtype, `${where}()`);
  if (o.generator !== undefined && o.generator !== null) out.generator = checkGenerator(o.generator, where);
  if (o.requires_grad !== undefined) {
    if (typeof o.requires_grad !== "boolean") throw new TypeError(`${where}(): requires_grad must be a boolean`);
    out.requires_grad = o.requires_grad;
  }
  return out;
}

function checkGenerator(g: unknown, where: string): Generator {
  if (!(g instanceof Generator)) throw new TypeError(`${where}(): generator must be a torch.Generator, got ${describe(g)}`);
  return g;
}

/** Resolves a trailing generator argument (Generator, null/undefined, or { generator }). */
export function resolveGenerator(g: GeneratorArg, where: string): Generator {
  if (g === undefined || g === null) return default_generator;
  if (g instanceof Generator) return g;
  if (isPlainObject(g)) {
    for (const k of Object.keys(g)) {
      if (k !== "generator") throw new TypeError(`${where}() got an unexpected keyword argument '${k}'`);
    }
    return g.generator === undefined || g.generator === null ? default_generator : checkGenerator(g.generator, where);
  }
  throw new TypeError(`${where}(): generator must be a torch.Generator, got ${describe(g)}`);
}

function describe(x: unknown): string {
  if (x instanceof Tensor) return "Tensor";
  if (Array.isArray(x)) return "array";
  return x === null ? "null" : typeof x;
}

function checkSize(list: readonly unknown[], where: string): number[] {
  const out: number[] = [];
  for (const d of list) {
    if (typeof d !== "number" || !Number.isInteger(d)) {
      throw new TypeError(`${where}(): size must be a sequence of integers, got ${JSON.stringify(list)}`);
    }
    if (d < 0) throw new RangeError(`${where}(): Trying to create tensor with negative dimension ${d}: [${list.join(", ")}]`);
    out.push(d);
  }
  return out;
}

/** `f(2, 3)`, `f([2, 3])`, either optionally followed by an options object. */
function parseSizeArgs(args: readonly unknown[], where: string): { size: number[]; options: RandomOptions } {
  let list = args;
  let options: RandomOptions = {};
  if (list.length > 0 && isPlainObject(list[list.length - 1])) {
    options = checkOptions(list[list.length - 1], where);
    list = list.slice(0, -1);
  }
  if (list.length === 1 && Array.isArray(list[0])) list = list[0] as unknown[];
  else if (list.length === 0) throw new TypeError(`${where}() missing 1 required positional argument: "size"`);
  return { size: checkSize(list, where), options };
}

function sizeOf(size: number | readonly number[], where: string): number[] {
  return checkSize(typeof size === "number" ? [size] : Array.isArray(size) ? size : [size as never], where);
}

function numelOf(size: readonly number[]): number {
  let n = 1;
  for (const d of size) n *= d;
  return n;
}

function floatDtype(dtype: DType | undefined, where: string, kernel: string): DType {
  const dt = dtype ?? get_default_dtype();
  if (dt !== "float32" && dt !== "float64") {
    throw new TypeError(`${where}(): "${kernel}" not implemented for '${dt}'; use dtype "float32" or "float64"`);
  }
  return dt;
}

function storage(dtype: DType, n: number): Float32Array | Float64Array {
  return dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
}

function make(data: Float32Array | Float64Array, size: readonly number[], dtype: DType, requires_grad: boolean | undefined, where: string): Tensor {
  if (requires_grad && dtype !== "float32" && dtype !== "float64") {
    throw new RuntimeError(`${where}(): Only Tensors of floating point dtype can require gradients`);
  }
  return new Tensor(data, size, dtype, requires_grad ?? false);
}

function checkInplace(t: unknown, where: string): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${where}(): expected a Tensor, got ${describe(t)}`);
  return t;
}

/**
 * PyTorch's autograd check for in-place ops, applied by the Tensor methods (`t.normal_()`); the
 * functions in this file skip it, like torch.nn.init's samplers (which run under no_grad).
 */
export function checkLeafInplace(t: Tensor, where: string): void {
  if (t.requires_grad && t.is_leaf && is_grad_enabled()) {
    throw new RuntimeError(`${where}(): a leaf Variable that requires grad is being used in an in-place operation.`);
  }
}

function checkNumber(x: unknown, name: string, where: string): number {
  if (typeof x !== "number" || Number.isNaN(x)) throw new TypeError(`${where}(): ${name} must be a number, got ${describe(x)}`);
  return x;
}

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

function checkIntRange(low: number, high: number, where: string): void {
  if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
    throw new TypeError(`${where}(): low and high must be integers (safe integers), got low=${low}, high=${high}`);
  }
  if (low >= high) throw new RuntimeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
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
  if (dtype === "bool") throw new TypeError(`randint(): dtype bool is not supported; use "int64", "float32" or "float64"`);
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
  if (dtype === "bool") throw new TypeError(`randperm(): dtype bool is not supported; use "int64", "float32" or "float64"`);
  if (dtype === "float32" && n > 2 ** 24 + 1) {
    throw new RuntimeError(`n cannot be greater than 2^24+1 for Float type.`);
  }
  const data = storage(dtype, n);
  fillRandperm(data, o.generator ?? default_generator);
  return make(data, [n], dtype, o.requires_grad, "randperm");
}

/** Uniform samples shaped like `t` (its dtype unless `dtype` is given). */
export function rand_like(t: Tensor, options?: RandomOptions): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`rand_like(): expected a Tensor, got ${describe(t)}`);
  const o = checkOptions(options, "rand_like");
  return rand(t.shape, { ...o, dtype: o.dtype ?? t.dtype });
}

/** Standard-normal samples shaped like `t` (its dtype unless `dtype` is given). */
export function randn_like(t: Tensor, options?: RandomOptions): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`randn_like(): expected a Tensor, got ${describe(t)}`);
  const o = checkOptions(options, "randn_like");
  return randn(t.shape, { ...o, dtype: o.dtype ?? t.dtype });
}

/** Integers in [low, high) shaped like `t`: `randint_like(t, high)` or `randint_like(t, low, high)`. */
export function randint_like(t: Tensor, a: number, b?: number | RandomOptions, options?: RandomOptions): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`randint_like(): expected a Tensor, got ${describe(t)}`);
  const [low, high, opts] = typeof b === "number" ? [a, b, options] : [0, a, b];
  const o = checkOptions(opts, "randint_like");
  return randint(low, high, t.shape, { ...o, dtype: o.dtype ?? t.dtype });
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
  const dtype = o.dtype ?? (ref.dtype === "float64" || (meanT?.dtype ?? stdT?.dtype) === "float64" ? "float64" : ref.dtype);
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

function checkStd(std: number): void {
  if (!(std >= 0)) throw new RuntimeError(`normal expects std >= 0.0, but found std ${std}`);
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

function checkProbabilities(p: Tensor, where: string): void {
  for (const v of p.data) {
    if (!(v >= 0 && v <= 1)) throw new RuntimeError(`${where}(): expected all probabilities in [0, 1], found ${v}`);
  }
}

// ---- in-place samplers --------------------------------------------------------------------------

/** Fills `t` with uniform samples in [from, to). Returns `t`. */
export function uniform_(t: Tensor, from = 0, to = 1, generator?: GeneratorArg): Tensor {
  const x = checkInplace(t, "uniform_");
  checkNumber(from, "from", "uniform_");
  checkNumber(to, "to", "uniform_");
  floatDtype(x.dtype, "uniform_", "check_uniform_bounds");
  if (!(from <= to)) throw new RuntimeError(`uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
  fillUniform(x.data, x.dtype === "float32", from, to, resolveGenerator(generator, "uniform_"));
  return x;
}

/** Fills `t` with samples of N(mean, std²). Returns `t`. */
export function normal_(t: Tensor, mean = 0, std = 1, generator?: GeneratorArg): Tensor {
  const x = checkInplace(t, "normal_");
  checkNumber(mean, "mean", "normal_");
  checkNumber(std, "std", "normal_");
  floatDtype(x.dtype, "normal_", "normal_kernel_cpu");
  checkStd(std);
  fillNormal(x.data, x.dtype === "float32", mean, std, resolveGenerator(generator, "normal_"));
  return x;
}

/**
 * Fills `t` with integers: `random_(t, from, to)` uniform in [from, to), `random_(t, to)` in
 * [0, to). (PyTorch's no-bound form `random_()` is not provided.)
 */
export function random_(t: Tensor, a: number, b?: number | GeneratorArg, generator?: GeneratorArg): Tensor {
  const x = checkInplace(t, "random_");
  const [from, to, g] = typeof b === "number" ? [a, b, generator] : [0, a, b];
  checkIntRange(from, to, "random_");
  if (x.dtype === "bool" && (from < 0 || to > 2)) throw new RuntimeError(`random_ expects 'from' and 'to' within [0, 2) for bool, got from=${from}, to=${to}`);
  fillRandomInt(x.data, from, to, resolveGenerator(g, "random_"));
  return x;
}

/** Fills `t` with 0/1 draws: `p` a Tensor of probabilities (same shape as t) or a number. */
export function bernoulli_(t: Tensor, p: number | Tensor = 0.5, generator?: GeneratorArg): Tensor {
  const x = checkInplace(t, "bernoulli_");
  const gen = resolveGenerator(generator, "bernoulli_");
  if (p instanceof Tensor) {
    if (p.numel() !== x.numel() || p.shape.some((d, i) => d !== x.shape[i])) {
      throw new RangeError(`bernoulli_(): p must have the shape of self, got [${p.shape.join(", ")}] for [${x.shape.join(", ")}]`);
    }
    floatDtype(p.dtype, "bernoulli_", "bernoulli_tensor_cpu_p_");
    checkProbabilities(p, "bernoulli_");
    fillBernoulliTensor(x.data, p.data, p.dtype === "float32", gen);
    return x;
  }
  checkNumber(p, "p", "bernoulli_");
  if (!(p >= 0 && p <= 1)) throw new RuntimeError(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
  fillBernoulliScalar(x.data, p, gen);
  return x;
}

/** Fills `t` with samples of the exponential distribution of rate `lambd`. Returns `t`. */
export function exponential_(t: Tensor, lambd = 1, generator?: GeneratorArg): Tensor {
  const x = checkInplace(t, "exponential_");
  checkNumber(lambd, "lambd", "exponential_");
  floatDtype(x.dtype, "exponential_", "exponential_cpu");
  if (!(lambd > 0)) throw new RuntimeError(`exponential_ expects lambda > 0.0, but found lambda=${lambd}`);
  fillExponential(x.data, lambd, resolveGenerator(generator, "exponential_"));
  return x;
}
