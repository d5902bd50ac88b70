/**
 * Installs the in-place samplers as Tensor methods (`t.normal_()`, `t.uniform_(a, b)`, ...) by
 * declaration merging; imported for its side effect from ./index.
 */

import { Tensor } from "../tensor/tensor";
import { overwrite_ } from "../tensor/inplace";
import { bernoulli_, exponential_, normal_, random_, uniform_ } from "./inplace";
import { type GeneratorArg } from "./options";

/**
 * `self` filled by `sample` as an in-place op autograd knows of (tensor/inplace.ts overwrite_):
 * the old values get a zero gradient, a view's base its new history, and a leaf that requires
 * grad (or a view of one) is PyTorch's error. A sample into a non-leaf left its history as it
 * was: `b.view(2, 2).normal_()` kept a's gradient through b's old values ([2, 2, 2, 2] where
 * PyTorch gives zeros).
 */
function sampled(self: Tensor, node: string, sample: (t: Tensor) => void): Tensor {
  return overwrite_(self, node, (data) => {
    const t = new Tensor(data, self.shape, self.dtype);
    t._memory_order = self._memory_order; // PyTorch fills in memory order
    sample(t);
  });
}

declare module "../tensor/tensor" {
  interface Tensor {
    /** Fills with uniform samples in [from, to) (PyTorch's `Tensor.uniform_`). */
    uniform_(from?: number, to?: number, generator?: GeneratorArg): Tensor;
    /** Fills with samples of N(mean, std²) (PyTorch's `Tensor.normal_`). */
    normal_(mean?: number, std?: number, generator?: GeneratorArg): Tensor;
    /** Fills with integers in [from, to), or [0, to) with one bound (PyTorch's `Tensor.random_`). */
    random_(from: number, to?: number | GeneratorArg, generator?: GeneratorArg): Tensor;
    /** Fills with 0/1 draws of probability p (number or Tensor) (PyTorch's `Tensor.bernoulli_`). */
    bernoulli_(p?: number | Tensor, generator?: GeneratorArg): Tensor;
    /** Fills with exponential samples of rate lambd (PyTorch's `Tensor.exponential_`). */
    exponential_(lambd?: number, generator?: GeneratorArg): Tensor;
  }
}

Tensor.prototype.uniform_ = function (this: Tensor, from?: number, to?: number, generator?: GeneratorArg): Tensor {
  return sampled(this, "UniformBackward0", (t) => uniform_(t, from, to, generator));
};
Tensor.prototype.normal_ = function (this: Tensor, mean?: number, std?: number, generator?: GeneratorArg): Tensor {
  return sampled(this, "NormalBackward0", (t) => normal_(t, mean, std, generator));
};
Tensor.prototype.random_ = function (this: Tensor, from: number, to?: number | GeneratorArg, generator?: GeneratorArg): Tensor {
  return sampled(this, "RandomBackward0", (t) => random_(t, from, to, generator));
};
Tensor.prototype.bernoulli_ = function (this: Tensor, p?: number | Tensor, generator?: GeneratorArg): Tensor {
  return sampled(this, "BernoulliBackward0", (t) => bernoulli_(t, p, generator));
};
Tensor.prototype.exponential_ = function (this: Tensor, lambd?: number, generator?: GeneratorArg): Tensor {
  return sampled(this, "ExponentialBackward0", (t) => exponential_(t, lambd, generator));
};
