/**
 * More element-wise activations, one fused node each:
 *   leaky_relu(x) = x if x > 0 else s·x                 ∂ = 1 or s            (s = negative_slope)
 *   elu(x)        = x if x > 0 else α(e^x - 1)          ∂ = 1 or α e^x
 *   silu(x)       = x σ(x)                              ∂ = σ(x)(1 + x(1 - σ(x)))
 *   softplus(x)   = log(1 + e^{βx})/β, or x where βx > threshold (PyTorch's linear regime)
 *                                                       ∂ = σ(βx), or 1 above the threshold
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import { checkFloat, record } from "../_autograd";
import { sigmoidScalar } from "./activation";

/** y = f(x) element-wise with ∂y/∂x = df(x), as one node named `node`. */
function pointwise(op: string, node: string, input: Tensor, f: (x: number) => number, df: (x: number) => number): Tensor {
  checkFloat(input, op);
  const x = input.data;
  const n = x.length;
  const y = storageFor(input.dtype, n);
  for (let i = 0; i < n; i++) y[i] = f(x[i]);
  const out = new Tensor(y, input.shape, input.dtype);
  return record(out, node, [input], (g) => {
    const gd = g.data;
    const gx = storageFor(input.dtype, n);
    for (let i = 0; i < n; i++) gx[i] = gd[i] * df(x[i]);
    return [new Tensor(gx, input.shape, input.dtype)];
  });
}

export function leaky_relu(input: Tensor, { negative_slope = 0.01 }: { negative_slope?: number } = {}): Tensor {
  const s = negative_slope;
  return pointwise("leaky_relu", "LeakyReluBackward0", input, (x) => (x > 0 ? x : x * s), (x) => (x > 0 ? 1 : s));
}

export function elu(input: Tensor, { alpha = 1.0 }: { alpha?: number } = {}): Tensor {
  return pointwise("elu", "EluBackward0", input, (x) => (x > 0 ? x : alpha * Math.expm1(x)), (x) => (x > 0 ? 1 : alpha * Math.exp(x)));
}

export function silu(input: Tensor): Tensor {
  return pointwise("silu", "SiluBackward0", input, (x) => x * sigmoidScalar(x), (x) => {
    const s = sigmoidScalar(x);
    return s * (1 + x * (1 - s));
  });
}

export function softplus(input: Tensor, { beta = 1.0, threshold = 20.0 }: { beta?: number; threshold?: number } = {}): Tensor {
  return pointwise(
    "softplus",
    "SoftplusBackward0",
    input,
    (x) => (x * beta > threshold ? x : (Math.max(x * beta, 0) + Math.log1p(Math.exp(-Math.abs(x * beta)))) / beta),
    (x) => (x * beta > threshold ? 1 : sigmoidScalar(x * beta)),
  );
}
