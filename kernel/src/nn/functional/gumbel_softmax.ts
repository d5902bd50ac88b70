/**
 * F.gumbel_softmax(logits, tau = 1, hard = false, eps = 1e-10, dim = -1): samples from the
 * Gumbel-Softmax (Concrete) distribution (Jang et al., 2016; Maddison et al., 2016):
 *   g = −log(E),  E ~ Exponential(1) (one draw per element, as PyTorch's `exponential_`)
 *   y_soft = softmax((logits + g)/τ, dim)
 *   hard:  y = one_hot(argmax(y_soft, dim)) − y_soft.detach() + y_soft   (straight-through: the
 *          forward value is one-hot, the gradient is y_soft's)
 * The draws come from the same generator and in the same order as PyTorch's CPU kernel
 * (random/kernels.ts `fillExponential`, bit for bit), so `torch.manual_seed(s)` gives PyTorch's
 * sample. `eps` is deprecated and unused, as in PyTorch (a value other than 1e-10 warns).
 * Composed of differentiable ops: the gradient flows to logits through the softmax.
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import { checkFloat } from "../_autograd";
import { exponential_ } from "../../random/inplace";
import { warn } from "../../optim/lr_scheduler/warnings";
import { softmax } from "./activation";
import { pyArgs } from "../../utils/py_args";

export interface GumbelSoftmaxOptions {
  /** Temperature τ > 0. Default 1. */
  tau?: number;
  /** Return one-hot samples (straight-through gradient). Default false. */
  hard?: boolean;
  /** Deprecated, no effect. Default 1e-10. */
  eps?: number;
  /** The dim the softmax runs over. Default -1. */
  dim?: number;
}

const PARAMS = [["tau", "number"], ["hard", "boolean"], ["eps", "number"], ["dim", "number"]] as const;
const OWNER = {};

/**
 * F.gumbel_softmax(logits, tau = 1, hard = false, eps = 1e-10, dim = -1): softmax((logits + Gumbel noise)/τ)
 * over `dim`, one-hot in the forward pass when `hard` (see the file comment). logits [*] → [*].
 */
export function gumbel_softmax(logits: Tensor, options?: GumbelSoftmaxOptions): Tensor;
export function gumbel_softmax(logits: Tensor, tau?: number, hard?: boolean, eps?: number, dim?: number, options?: GumbelSoftmaxOptions): Tensor;
export function gumbel_softmax(logits: Tensor, ...args: unknown[]): Tensor {
  checkFloat(logits, "gumbel_softmax", "logits");
  const o = pyArgs("gumbel_softmax", PARAMS, args) as GumbelSoftmaxOptions;
  const { tau = 1, hard = false, eps = 1e-10, dim = -1 } = o;
  if (eps !== 1e-10) warn("`eps` parameter is deprecated and has no effect.", OWNER);
  const noise = new Tensor(storageFor(logits.dtype, logits.data.length), logits.shape, logits.dtype);
  exponential_(noise);
  const gumbels = logits.add(noise.log().neg()).div(tau);
  const y_soft = softmax(gumbels, dim);
  if (!hard) return y_soft;
  const index = y_soft.argmax({ dim, keepdim: true });
  const y_hard = new Tensor(storageFor(logits.dtype, logits.data.length), logits.shape, logits.dtype).scatter(dim, index, 1.0);
  return y_hard.sub(y_soft.detach()).add(y_soft);
}
