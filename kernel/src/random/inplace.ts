/**
 * In-place samplers taking the tensor first (also installed as Tensor methods by methods.ts, which
 * add PyTorch's "leaf Variable that requires grad" check; these functions skip it, as nn.init's
 * samplers do under no_grad):
 *   uniform_(t, from = 0, to = 1, generator?) · normal_(t, mean = 0, std = 1, generator?)
 *   random_(t, from?, to?, generator?) · bernoulli_(t, p = 0.5, generator?) · exponential_(t, lambd = 1, generator?)
 * `generator` may be a Generator, null/undefined (the default generator) or `{ generator }`.
 * A tensor PyTorch holds permuted (x.t(), ...) is filled in its memory order, as PyTorch's.
 */

import { Tensor } from "../tensor/tensor";
import { written } from "../tensor/slice_window";
import { RuntimeError } from "./generator";
import { fillBernoulliScalar, fillBernoulliTensor, fillExponential, fillNormal, fillNormalSerial, fillRandomInt, fillUniform } from "./kernels";
import { fill_in_memory_order, gather_memory_order } from "../tensor/memory_order";
import {
  checkInplace, checkIntDtypeBounds, checkIntRange, checkNumber, checkProbabilities, checkStd, floatDtype, resolveGenerator, type GeneratorArg,
} from "./options";

/** Fills `t` with uniform samples in [from, to). Returns `t`. */
export function uniform_(t: Tensor, from = 0, to = 1, generator?: GeneratorArg): Tensor {
  const x = checkInplace(t, "uniform_");
  checkNumber(from, "from", "uniform_");
  checkNumber(to, "to", "uniform_");
  floatDtype(x.dtype, "uniform_", "check_uniform_bounds");
  if (!(from <= to)) throw new RuntimeError(`uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
  const gen = resolveGenerator(generator, "uniform_");
  fill_in_memory_order(x.data, x.shape, x._memory_order, (d) => fillUniform(d, x.dtype === "float32", from, to, gen));
  return written(x);
}

/** Fills `t` with samples of N(mean, std²). Returns `t`. */
export function normal_(t: Tensor, mean = 0, std = 1, generator?: GeneratorArg): Tensor {
  const x = checkInplace(t, "normal_");
  checkNumber(mean, "mean", "normal_");
  checkNumber(std, "std", "normal_");
  floatDtype(x.dtype, "normal_", "normal_kernel_cpu");
  checkStd(std);
  const gen = resolveGenerator(generator, "normal_");
  // PyTorch fills a non-contiguous tensor by its serial path, in memory order
  if (x._memory_order === null) fillNormal(x.data, x.dtype === "float32", mean, std, gen);
  else fill_in_memory_order(x.data, x.shape, x._memory_order, (d) => fillNormalSerial(d, mean, std, gen));
  return written(x);
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
  checkIntDtypeBounds(x.dtype, from, to);
  const gen = resolveGenerator(g, "random_");
  fill_in_memory_order(x.data, x.shape, x._memory_order, (d) => fillRandomInt(d, from, to, gen));
  return written(x);
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
    // self's layout sets the order of the draws; p is read at the same elements
    const pm = x._memory_order === null ? p.data : gather_memory_order(p.data, p.shape, x._memory_order);
    fill_in_memory_order(x.data, x.shape, x._memory_order, (d) => fillBernoulliTensor(d, pm, p.dtype === "float32", gen));
    return written(x);
  }
  checkNumber(p, "p", "bernoulli_");
  if (!(p >= 0 && p <= 1)) throw new RuntimeError(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
  fill_in_memory_order(x.data, x.shape, x._memory_order, (d) => fillBernoulliScalar(d, p, gen));
  return written(x);
}

/** Fills `t` with samples of the exponential distribution of rate `lambd`. Returns `t`. */
export function exponential_(t: Tensor, lambd = 1, generator?: GeneratorArg): Tensor {
  const x = checkInplace(t, "exponential_");
  checkNumber(lambd, "lambd", "exponential_");
  floatDtype(x.dtype, "exponential_", "exponential_cpu");
  if (!(lambd > 0)) throw new RuntimeError(`exponential_ expects lambda > 0.0, but found lambda=${lambd}`);
  const gen = resolveGenerator(generator, "exponential_");
  fill_in_memory_order(x.data, x.shape, x._memory_order, (d) => fillExponential(d, lambd, gen));
  return written(x);
}
