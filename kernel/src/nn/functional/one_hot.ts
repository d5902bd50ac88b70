/**
 * F.one_hot (PyTorch 2.13's semantics and messages): int64 class indices of any shape to int64
 * one-hot vectors in a new last dim of size num_classes (inferred as max + 1 when −1). Not
 * differentiable (integer in, integer out).
 */
import { checkKeywords } from "../../utils/py_args";
import { Tensor } from "../../tensor/tensor";
import { describe } from "../_autograd";

/**
 * F.one_hot(tensor, num_classes = -1): y[..., c] = 1 where tensor[...] = c, else 0; shape
 * [...tensor.shape, num_classes], int64. num_classes = −1 takes the largest index + 1.
 */
export function one_hot(tensor: Tensor, num_classes: number | { num_classes?: number } = -1): Tensor {
  if (typeof num_classes === "object" && num_classes !== null) checkKeywords("one_hot", num_classes, ["num_classes"]);
  const n0 = typeof num_classes === "object" && num_classes !== null ? num_classes.num_classes ?? -1 : num_classes;
  if (!(tensor instanceof Tensor)) throw new TypeError(`one_hot(): argument 'input' must be Tensor, not ${describe(tensor)}`);
  if (typeof n0 !== "number" || !Number.isInteger(n0)) throw new TypeError(`one_hot(): argument 'num_classes' must be int, not ${describe(n0)}`);
  if (tensor.dtype !== "int64") throw new TypeError(`one_hot is only applicable to index tensor of type LongTensor. (got ${tensor.dtype}; use .long())`);
  const x = tensor.data;
  let n = n0;
  if (n === -1 && x.length === 0) throw new RangeError("Can not infer total number of classes from empty tensor.");
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < x.length; i++) { if (x[i] < lo) lo = x[i]; if (x[i] > hi) hi = x[i]; }
  if (x.length > 0 && lo < 0) throw new RangeError("Class values must be non-negative.");
  if (n === -1) n = hi + 1;
  else if (n < -1) throw new RangeError(`num_classes should be -1 or a non-negative integer, got ${n}`);
  else if (x.length > 0 && hi >= n) throw new RangeError("Class values must be smaller than num_classes.");
  const y = new Float64Array(x.length * n);
  for (let i = 0; i < x.length; i++) y[i * n + x[i]] = 1;
  return new Tensor(y, [...tensor.shape, n], "int64");
}
