/**
 * F.rrelu(input, lower = 1/8, upper = 1/3, training = false, inplace = false): the randomized
 * leaky ReLU (Xu et al. 2015).
 *
 *   training:  y = x (x > 0), r·x (x ≤ 0) with r ~ U(lower, upper) drawn per element;  ∂ = 1 or r
 *   eval:      leaky_relu(x, (lower + upper)/2)
 *
 * The draws are PyTorch's CPU kernel's (rrelu_with_noise): elements in order, one 64-bit draw
 * for each element with x ≤ 0 only (positive ones and NaN draw nothing), r = u·(upper − lower) +
 * lower with u = (draw & (2^53 − 1))·2^-53 in double, the bounds first rounded to the input's
 * dtype, r then rounded to it and y = x·r in it; so `torch.manual_seed` gives PyTorch's values
 * bit for bit. As PyTorch 2.13, the backward in training multiplies by the drawn slopes (its
 * `noise`, 1 for x > 0) even when upper − lower is tiny; in eval mode it is leaky_relu's.
 * `lower > upper` is PyTorch's error. `inplace` writes into the input (nn/_inplace.ts).
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import { default_generator } from "../../random/generator";
import { checkFloat, record } from "../_autograd";
import { pyArgs } from "../../utils/py_args";
import { maybeInplace } from "../_inplace";

const TWO_POW_M53 = 2 ** -53;

export interface RreluOptions {
  lower?: number;
  upper?: number;
  training?: boolean;
  /** Write the result into the input and return it (PyTorch's rrelu_). */
  inplace?: boolean;
}

/** `rrelu(x)`, `rrelu(x, 0.1, 0.3, true)` or `rrelu(x, { lower, upper, training, inplace })` (PyTorch's positional or keyword form). */
export function rrelu(input: Tensor, lower?: number, upper?: number, training?: boolean, inplace?: boolean): Tensor;
export function rrelu(input: Tensor, lower: number, upper: number, options: { training?: boolean; inplace?: boolean }): Tensor;
export function rrelu(input: Tensor, options?: RreluOptions): Tensor;
export function rrelu(input: Tensor, ...args: unknown[]): Tensor {
  const params = [["lower", "number"], ["upper", "number"], ["training", "boolean"], ["inplace", "boolean"]] as const;
  const { lower = 1 / 8, upper = 1 / 3, training = false, inplace = false } = pyArgs("rrelu", params, args) as RreluOptions;
  checkFloat(input, "rrelu");
  if (!(lower <= upper)) throw new RangeError("Lower bound should be less than or equal to the upper bound");
  return maybeInplace(input, inplace, (t) => rreluCore(t, lower, upper, training), "RreluWithNoiseBackward1");
}

function rreluCore(input: Tensor, lower: number, upper: number, training: boolean): Tensor {
  const dtype = input.dtype;
  const r = dtype === "float32" ? Math.fround : (v: number) => v;
  const x = input.data;
  const n = x.length;
  const y = storageFor(dtype, n);
  // per element in training, the factor of the backward: the drawn slope, or 1 for x > 0
  const noise = training ? storageFor(dtype, n) : y;
  if (training) {
    const lo = r(lower);
    const span = r(upper) - lo;
    const gen = default_generator;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      if (v <= 0) {
        const slope = r(gen.random53() * TWO_POW_M53 * span + lo);
        y[i] = v * slope;
        noise[i] = slope;
      } else {
        y[i] = v;
        noise[i] = 1;
      }
    }
  }
  const slope = r((lower + upper) / 2);
  if (!training) for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : x[i] * slope;
  const out = new Tensor(y, input.shape, dtype);
  return record(out, "RreluWithNoiseBackward0", [input], (g) => {
    const gd = g.data;
    const gx = storageFor(dtype, n);
    if (training) for (let i = 0; i < n; i++) gx[i] = gd[i] * noise[i];
    else for (let i = 0; i < n; i++) gx[i] = x[i] > 0 ? gd[i] : gd[i] * slope;
    return [new Tensor(gx, input.shape, dtype)];
  });
}
