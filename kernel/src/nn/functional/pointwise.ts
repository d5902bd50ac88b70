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
import { pyArgs } from "../../utils/py_args";
import { sigmoidOf, sigmoidScalar } from "./activation";
import { maybeInplace } from "../_inplace";
import { saves } from "../../tensor/version";
import { wasm_map } from "../../tensor/transcendental_ops";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const SAVES_SELF = saves("0");

type F = Float32Array | Float64Array;

/**
 * A whole-array version of f (gd null: out[i] = f(x[i])) or of the gradient (out[i] = gd[i] ·
 * df(x[i])) that takes its exponentials from WebAssembly (tensor/transcendental_ops.ts: the same
 * bits as Math.exp) and otherwise the same operations; false (nothing written) when not taken.
 * Own loops: a per-element closure call would cost about what the exponential saves.
 */
type Fast = (x: ArrayLike<number>, out: F, gd: ArrayLike<number> | null) => boolean;

/**
 * y = f(x) element-wise with ∂y/∂x = df(x), as one node named `node`; `fast` (when given) is
 * tried first, for forward and backward.
 */
function pointwise(op: string, node: string, input: Tensor, f: (x: number) => number, df: (x: number) => number, fast: Fast | null = null): Tensor {
  checkFloat(input, op);
  const x = input.data;
  const n = x.length;
  const y = storageFor(input.dtype, n);
  if (fast === null || !fast(x, y, null)) for (let i = 0; i < n; i++) y[i] = f(x[i]);
  const out = new Tensor(y, input.shape, input.dtype);
  return record(out, node, [input], (g) => {
    const gd = g.data;
    const gx = storageFor(input.dtype, n);
    if (fast === null || !fast(x, gx, gd)) for (let i = 0; i < n; i++) gx[i] = gd[i] * df(x[i]);
    return [new Tensor(gx, input.shape, input.dtype)];
  }, SAVES_SELF);
}

/** e = exp(−|x·scale|) of every element (sigmoidOf's argument; x·1 is x) from WebAssembly; null when not taken. */
function expNegAbs(x: ArrayLike<number>, scale: number): Float64Array | null {
  return wasm_map("exp", x.length, (a) => { for (let i = 0; i < a.length; i++) a[i] = -Math.abs(x[i] * scale); });
}

/** silu: x·sigmoidScalar(x) and its derivative s(1 + x(1 − s)), with s = sigmoidOf(x, exp(−|x|)). */
const siluFast: Fast = (x, out, gd) => {
  const e = expNegAbs(x, 1);
  if (e === null) return false;
  if (gd === null) for (let i = 0; i < out.length; i++) out[i] = x[i] * sigmoidOf(x[i], e[i]);
  else {
    for (let i = 0; i < out.length; i++) {
      const v = x[i];
      const s = sigmoidOf(v, e[i]);
      out[i] = gd[i] * (s * (1 + v * (1 - s)));
    }
  }
  return true;
};

const LEAKY_NEGATIVE =
  "In-place leakyReLu backward calculation is triggered with a negative slope which is not supported. This is caused by calling in-place forward " +
  "function with a negative slope, please call out-of-place version instead. File an issue at https://github.com/pytorch/pytorch if you do require " +
  "supporting in-place leakRelu backward calculation with negative slope";
/** PyTorch's error for backward through elu_/celu_ with a negative alpha (shared with activation_more.ts). */
export const ELU_NEGATIVE =
  "In-place elu backward calculation is triggered with a negative slope which is not supported. This is caused by calling in-place forward " +
  "function with a negative slope, please call out-of-place version instead.";

/** A derivative that raises PyTorch's error when backward reaches it. */
export function refuse(message: string): (x: number) => number {
  return () => {
    throw new Error(message);
  };
}

export interface LeakyReluOptions {
  negative_slope?: number;
  /** Write the result into the input and return it (PyTorch's leaky_relu_). */
  inplace?: boolean;
}

/** `leaky_relu(x, 0.2)`, `leaky_relu(x, 0.2, true)` or `leaky_relu(x, { negative_slope: 0.2, inplace })` (PyTorch's positional or keyword form). */
export function leaky_relu(input: Tensor, negative_slope?: number, inplace?: boolean): Tensor;
export function leaky_relu(input: Tensor, negative_slope?: number, options?: { inplace?: boolean }): Tensor;
export function leaky_relu(input: Tensor, options?: LeakyReluOptions): Tensor;
export function leaky_relu(input: Tensor, ...args: unknown[]): Tensor {
  const { negative_slope = 0.01, inplace = false } = pyArgs("leaky_relu", [["negative_slope", "number"], ["inplace", "boolean"]], args) as LeakyReluOptions;
  const s = negative_slope;
  // PyTorch's in-place backward reads the result, whose sign a negative slope flips: it refuses
  const df = inplace && s < 0 ? refuse(LEAKY_NEGATIVE) : (x: number) => (x > 0 ? 1 : s);
  return maybeInplace(input, inplace, (t) => pointwise("leaky_relu", "LeakyReluBackward0", t, (x) => (x > 0 ? x : x * s), df), "LeakyReluBackward1");
}

export interface EluOptions {
  alpha?: number;
  /** Write the result into the input and return it (PyTorch's elu_). */
  inplace?: boolean;
}

/** `elu(x, 0.3)`, `elu(x, 0.3, true)` or `elu(x, { alpha: 0.3, inplace })` (PyTorch's positional or keyword form). */
export function elu(input: Tensor, alpha?: number, inplace?: boolean): Tensor;
export function elu(input: Tensor, alpha?: number, options?: { inplace?: boolean }): Tensor;
export function elu(input: Tensor, options?: EluOptions): Tensor;
export function elu(input: Tensor, ...args: unknown[]): Tensor {
  const { alpha = 1.0, inplace = false } = pyArgs("elu", [["alpha", "number"], ["inplace", "boolean"]], args) as EluOptions;
  const df = inplace && alpha < 0 ? refuse(ELU_NEGATIVE) : (x: number) => (x > 0 ? 1 : alpha * Math.exp(x));
  // (no WebAssembly here: expm1 / exp are needed only where x ≤ 0, which the JS loops skip
  // otherwise, while the module computes every element; with mixed signs that measured no faster
  // for exp and 1.5× slower for expm1: PERF.md)
  return maybeInplace(input, inplace, (t) => pointwise("elu", "EluBackward0", t, (x) => (x > 0 ? x : alpha * Math.expm1(x)), df), "EluBackward1");
}

/** x·σ(x): `silu(x)`; `silu(x, true)` or `silu(x, { inplace: true })` writes the result into x (PyTorch's silu_). */
export function silu(input: Tensor, inplace?: boolean | { inplace?: boolean }): Tensor {
  const o = pyArgs("silu", [["inplace", "boolean"]], inplace === undefined ? [] : [inplace]) as { inplace?: boolean };
  return maybeInplace(input, o.inplace ?? false, (t) => pointwise("silu", "SiluBackward0", t, (x) => x * sigmoidScalar(x), (x) => {
    const s = sigmoidScalar(x);
    return s * (1 + x * (1 - s));
  }, siluFast));
}

export interface SoftplusOptions {
  beta?: number;
  threshold?: number;
}

/** `softplus(x, 2)`, `softplus(x, 2, 10)` or `softplus(x, { beta: 2, threshold: 10 })` (PyTorch's positional or keyword form). */
export function softplus(input: Tensor, beta?: number, threshold?: number): Tensor;
export function softplus(input: Tensor, beta: number, options: { threshold?: number }): Tensor;
export function softplus(input: Tensor, options?: SoftplusOptions): Tensor;
export function softplus(input: Tensor, ...args: unknown[]): Tensor {
  const { beta = 1.0, threshold = 20.0 } = pyArgs("softplus", [["beta", "number"], ["threshold", "number"]], args) as SoftplusOptions;
  return pointwise(
    "softplus",
    "SoftplusBackward0",
    input,
    (x) => (x * beta > threshold ? x : (Math.max(x * beta, 0) + Math.log1p(Math.exp(-Math.abs(x * beta)))) / beta),
    (x) => (x * beta > threshold ? 1 : sigmoidScalar(x * beta)),
    // the same with e = exp(−|x·β|) (sigmoidScalar(x·β)'s exponential too)
    (x, out, gd) => {
      const e = expNegAbs(x, beta);
      if (e === null) return false;
      if (gd === null) {
        for (let i = 0; i < out.length; i++) {
          const v = x[i];
          out[i] = v * beta > threshold ? v : (Math.max(v * beta, 0) + Math.log1p(e[i])) / beta;
        }
      } else for (let i = 0; i < out.length; i++) out[i] = gd[i] * (x[i] * beta > threshold ? 1 : sigmoidOf(x[i] * beta, e[i]));
      return true;
    },
  );
}
