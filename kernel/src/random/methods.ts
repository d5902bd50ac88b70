/**
 * Installs the in-place samplers as Tensor methods (`t.normal_()`, `t.uniform_(a, b)`, ...) by
 * declaration merging; imported for its side effect from ./index.
 */

import { Tensor } from "../tensor/tensor";
import { bernoulli_, exponential_, normal_, random_, uniform_ } from "./inplace";
import { checkLeafInplace, type GeneratorArg } from "./options";

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
  checkLeafInplace(this, "uniform_");
  return uniform_(this, from, to, generator);
};
Tensor.prototype.normal_ = function (this: Tensor, mean?: number, std?: number, generator?: GeneratorArg): Tensor {
  checkLeafInplace(this, "normal_");
  return normal_(this, mean, std, generator);
};
Tensor.prototype.random_ = function (this: Tensor, from: number, to?: number | GeneratorArg, generator?: GeneratorArg): Tensor {
  checkLeafInplace(this, "random_");
  return random_(this, from, to, generator);
};
Tensor.prototype.bernoulli_ = function (this: Tensor, p?: number | Tensor, generator?: GeneratorArg): Tensor {
  checkLeafInplace(this, "bernoulli_");
  return bernoulli_(this, p, generator);
};
Tensor.prototype.exponential_ = function (this: Tensor, lambd?: number, generator?: GeneratorArg): Tensor {
  checkLeafInplace(this, "exponential_");
  return exponential_(this, lambd, generator);
};
