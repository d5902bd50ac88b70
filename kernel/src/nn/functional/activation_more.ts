/**
 * The rest of torch.nn.functional's element-wise activations, one fused node each (its own loop
 * over the typed array, no per-element closure), plus softmin, glu and prelu:
 *
 *   hardtanh(x; lo, hi) = clamp(x, lo, hi)              ∂ = [lo < x < hi]
 *   relu6(x)            = hardtanh(x; 0, 6)
 *   hardsigmoid(x)      = clamp(x/6 + 1/2, 0, 1)        ∂ = 1/6 on -3 < x < 3, else 0
 *   hardswish(x)        = x · relu6(x + 3)/6            ∂ = 0 (x ≤ -3), x/3 + 1/2 (-3 < x < 3), 1 (x ≥ 3)
 *   mish(x)             = x tanh(softplus(x))           ∂ = t + x σ(x)(1 - t²),  t = tanh(softplus(x))
 *   selu(x)             = s·x (x > 0), s·α(e^x - 1)     ∂ = s, or s·α e^x (x ≤ 0)
 *   celu(x; α)          = x (x > 0), α(e^{x/α} - 1)     ∂ = 1, or e^{x/α} (x ≤ 0)
 *   logsigmoid(x)       = log σ(x) = min(x, 0) - log1p(e^{-|x|})      ∂ = σ(-x)
 *   softsign(x)         = x / (1 + |x|)                 ∂ = 1/(1 + |x|)²
 *   tanhshrink(x)       = x - tanh x                    ∂ = tanh² x
 *   softshrink(x; λ)    = x - λ (x > λ), x + λ (x < -λ), else 0         ∂ = [|x| > λ]
 *   hardshrink(x; λ)    = x if |x| > λ else 0           ∂ = [|x| > λ]    (PyTorch's test is x < -λ or x > λ)
 *   threshold(x; t, v)  = x if x > t else v             ∂ = [x > t]
 *   softmin(x, dim)     = softmax(-x, dim)
 *   glu(x, dim)         = a ⊙ σ(b), [a, b] = x split in halves along dim
 *   prelu(x, w)         = x (x > 0), w_c·x (x ≤ 0), c the channel (dim 1; a single weight for < 2-D)
 *
 * The derivative at the kinks is PyTorch's (checked by test/fixtures/generate_activations.py on
 * inputs that hit them). Values are computed in double precision and rounded once on store; the
 * scalar arguments (min_val, max_val, lambd, threshold, value, alpha) are first rounded to a
 * float32 input's dtype, as PyTorch converts them, so `threshold(x, 0.3, ...)` compares a float32
 * 0.3 with 0.3f as PyTorch does.
 * `inplace` (wherever PyTorch has it) writes the result into the input and returns the input, as
 * PyTorch's relu6_/hardtanh_/... do (nn/_inplace.ts: lrlab's rules for in-place ops under autograd).
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import type { DType } from "../../tensor/tensor";
import { checkFloat, describe, record } from "../_autograd";
import { pyArgs } from "../../utils/py_args";
import { needs_grad } from "../../tensor/autograd";
import { sigmoidOf, sigmoidScalar, softmax, wrapDim } from "./activation";
import { maybeInplace } from "../_inplace";
import { ELU_NEGATIVE } from "./pointwise";
import { saves, type SaveSpec } from "../../tensor/version";
import { wasm_map, wasm_of } from "../../tensor/transcendental_ops";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const SAVES_SELF = saves("0");
const PRELU_SAVES = saves("0, x0");

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/**
 * A result shaped and typed like `input` over `y`, with backward filling `gx` from `gd`. The node
 * saves the input (as PyTorch's for these ops), unless `saved` says otherwise (null: nothing).
 */
function unary(input: Tensor, node: string, y: Float32Array | Float64Array, fill: (gd: ArrayLike<number>, gx: Float32Array | Float64Array) => void, saved: SaveSpec | null = SAVES_SELF): Tensor {
  const out = new Tensor(y, input.shape, input.dtype);
  return record(out, node, [input], (g) => {
    const gx = storageFor(input.dtype, y.length) as Float32Array | Float64Array;
    fill(g.data, gx);
    return [new Tensor(gx, input.shape, input.dtype)];
  }, saved ?? undefined);
}

function data(input: Tensor, op: string): [ArrayLike<number>, Float32Array | Float64Array] {
  checkFloat(input, op);
  return [input.data, storageFor(input.dtype, input.data.length) as Float32Array | Float64Array];
}

type InplaceOnly = { inplace?: boolean };

/** A scalar argument as PyTorch's kernel sees it: rounded to float32 for a float32 input. */
function scalarFor(input: Tensor, v: number): number {
  return input.dtype === "float32" ? Math.fround(v) : v;
}

/** PyTorch's hardsigmoid_backward slope, the float constant 1.0f / 6.0f (in every dtype). */
const ONE_SIXTH_F = Math.fround(1 / 6);

/** Reads the lone `inplace` flag of `f(input, inplace = false)` (positional or keyword). */
function inplaceOnly(op: string, inplace: boolean | InplaceOnly | undefined): boolean {
  const o = pyArgs(op, [["inplace", "boolean"]], inplace === undefined ? [] : [inplace]) as InplaceOnly;
  return o.inplace ?? false;
}

// ---------------------------------------------------------------- clamps

function hardtanhCore(input: Tensor, lo_: number, hi_: number, op: string): Tensor {
  const [x, y] = data(input, op);
  const lo = scalarFor(input, lo_);
  const hi = scalarFor(input, hi_);
  const n = y.length;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    y[i] = v < lo ? lo : v > hi ? hi : v; // NaN passes through
  }
  return unary(input, "HardtanhBackward0", y, (gd, gx) => {
    for (let i = 0; i < n; i++) gx[i] = x[i] > lo && x[i] < hi ? gd[i] : 0;
  });
}

export interface HardtanhOptions {
  min_val?: number;
  max_val?: number;
  /** Write the result into the input and return it (PyTorch's in-place form). */
  inplace?: boolean;
}

/** Clamps to [min_val, max_val] (defaults -1, 1): `hardtanh(x, -2, 2)` or `hardtanh(x, { min_val, max_val })`. ∂ = 1 strictly inside, else 0. */
export function hardtanh(input: Tensor, min_val?: number, max_val?: number, inplace?: boolean): Tensor;
export function hardtanh(input: Tensor, options?: HardtanhOptions): Tensor;
export function hardtanh(input: Tensor, ...args: unknown[]): Tensor {
  const { min_val = -1.0, max_val = 1.0, inplace = false } = pyArgs("hardtanh", [["min_val", "number"], ["max_val", "number"], ["inplace", "boolean"]], args) as HardtanhOptions;
  if (min_val > max_val) throw new RangeError("min_val cannot be greater than max_val");
  return maybeInplace(input, inplace, (t) => hardtanhCore(t, min_val, max_val, "hardtanh"));
}

/** min(max(x, 0), 6), shape kept: `relu6(x)`; `relu6(x, true)` writes into x. */
export function relu6(input: Tensor, inplace?: boolean | InplaceOnly): Tensor {
  return maybeInplace(input, inplaceOnly("relu6", inplace), (t) => hardtanhCore(t, 0, 6, "relu6"));
}

/** clamp(x/6 + 1/2, 0, 1), shape kept; ∂ = 1/6 on -3 < x < 3. `hardsigmoid(x, true)` writes into x. */
export function hardsigmoid(input: Tensor, inplace?: boolean | InplaceOnly): Tensor {
  return maybeInplace(input, inplaceOnly("hardsigmoid", inplace), hardsigmoidCore);
}

function hardsigmoidCore(input: Tensor): Tensor {
  const [x, y] = data(input, "hardsigmoid");
  const n = y.length;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    y[i] = v <= -3 ? 0 : v >= 3 ? 1 : (v + 3) / 6;
  }
  return unary(input, "HardsigmoidBackward0", y, (gd, gx) => {
    for (let i = 0; i < n; i++) gx[i] = x[i] > -3 && x[i] < 3 ? gd[i] * ONE_SIXTH_F : 0;
  });
}

/** x · relu6(x + 3)/6, shape kept. `hardswish(x, true)` writes into x. */
export function hardswish(input: Tensor, inplace?: boolean | InplaceOnly): Tensor {
  return maybeInplace(input, inplaceOnly("hardswish", inplace), hardswishCore);
}

function hardswishCore(input: Tensor): Tensor {
  const [x, y] = data(input, "hardswish");
  const n = y.length;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    y[i] = v <= -3 ? 0 : v >= 3 ? v : (v * (v + 3)) / 6;
  }
  return unary(input, "HardswishBackward0", y, (gd, gx) => {
    for (let i = 0; i < n; i++) {
      const v = x[i];
      gx[i] = v <= -3 ? 0 : v < 3 ? gd[i] * (v / 3 + 0.5) : gd[i];
    }
  });
}

// ---------------------------------------------------------------- smooth

/** log(1 + e^x) without overflow. */
function softplus1(v: number): number {
  return Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
}

/** x · tanh(softplus(x)), shape kept. `mish(x, true)` writes into x. */
export function mish(input: Tensor, inplace?: boolean | InplaceOnly): Tensor {
  return maybeInplace(input, inplaceOnly("mish", inplace), mishCore);
}

function mishCore(input: Tensor): Tensor {
  const [x, y] = data(input, "mish");
  const n = y.length;
  const t = mishTanh(x);
  if (t !== null) for (let i = 0; i < n; i++) y[i] = x[i] * t.tanh[i];
  else for (let i = 0; i < n; i++) y[i] = x[i] * Math.tanh(softplus1(x[i]));
  return unary(input, "MishBackward0", y, (gd, gx) => {
    const w = mishTanh(x);
    for (let i = 0; i < n; i++) {
      const v = x[i];
      const t = w !== null ? w.tanh[i] : Math.tanh(softplus1(v));
      const sig = w !== null ? sigmoidOf(v, w.e[i]) : sigmoidScalar(v);
      gx[i] = gd[i] * (t + v * sig * (1 - t * t));
    }
  });
}

/**
 * e = exp(−|x|) and tanh(softplus1(x)) of every element from WebAssembly (tensor/transcendental_ops.ts:
 * the same bits as Math.exp / Math.tanh), for mish; null when not taken. softplus1(v) is
 * max(v, 0) + log1p(e), the same operations on the same e.
 */
function mishTanh(x: ArrayLike<number>): { e: Float64Array; tanh: Float64Array } | null {
  const n = x.length;
  const e = wasm_map("exp", n, (a) => { for (let i = 0; i < n; i++) a[i] = -Math.abs(x[i]); });
  if (e === null) return null;
  const tanh = wasm_map("tanh", n, (a) => { for (let i = 0; i < n; i++) a[i] = Math.max(x[i], 0) + Math.log1p(e[i]); });
  return tanh === null ? null : { e, tanh };
}

/** scale·(max(0, x) + min(0, α(e^x − 1))), α ≈ 1.6733, scale ≈ 1.0507; shape kept. `selu(x, true)` writes into x. */
export function selu(input: Tensor, inplace?: boolean | InplaceOnly): Tensor {
  return maybeInplace(input, inplaceOnly("selu", inplace), seluCore, "EluBackward1");
}

function seluCore(input: Tensor): Tensor {
  const [x, y] = data(input, "selu");
  const n = y.length;
  // (no WebAssembly exp / expm1 here, as elu: pointwise.ts)
  for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? SELU_SCALE * x[i] : SELU_SCALE * SELU_ALPHA * Math.expm1(x[i]);
  return unary(input, "EluBackward0", y, (gd, gx) => {
    for (let i = 0; i < n; i++) gx[i] = x[i] > 0 ? gd[i] * SELU_SCALE : gd[i] * SELU_SCALE * SELU_ALPHA * Math.exp(x[i]);
  });
}

export interface CeluOptions {
  alpha?: number;
  /** Write the result into the input and return it (PyTorch's in-place form). */
  inplace?: boolean;
}

/** max(0, x) + min(0, α(e^{x/α} − 1)) (α = 1): `celu(x, 0.5)` or `celu(x, { alpha: 0.5 })`; α = 0 is an error. */
export function celu(input: Tensor, alpha?: number, inplace?: boolean): Tensor;
export function celu(input: Tensor, options?: CeluOptions): Tensor;
export function celu(input: Tensor, ...args: unknown[]): Tensor {
  const { alpha: a = 1.0, inplace = false } = pyArgs("celu", [["alpha", "number"], ["inplace", "boolean"]], args) as CeluOptions;
  if (a === 0) throw new RangeError("ZeroDivisionError: alpha cannot be 0 for CELU");
  return maybeInplace(input, inplace, (t) => celuCore(t, a, inplace && a < 0), "CeluBackward1");
}

/** `refuse`: backward raises PyTorch's error for an in-place celu with a negative alpha. */
function celuCore(input: Tensor, a: number, refuse: boolean): Tensor {
  const [x, y] = data(input, "celu");
  const alpha = scalarFor(input, a);
  const n = y.length;
  const inv = 1 / alpha;
  // (no WebAssembly exp / expm1 here, as elu: pointwise.ts)
  for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : alpha * Math.expm1(x[i] * inv);
  return unary(input, "EluBackward0", y, (gd, gx) => {
    if (refuse) throw new Error(ELU_NEGATIVE);
    for (let i = 0; i < n; i++) gx[i] = x[i] > 0 ? gd[i] : gd[i] * Math.exp(x[i] * inv);
  });
}

/** log σ(x) = −softplus(−x), shape kept; ∂ = σ(−x). */
export function logsigmoid(input: Tensor): Tensor {
  const [x, y] = data(input, "logsigmoid");
  const n = y.length;
  // e = exp(−|−x|) from WebAssembly when large enough: softplus1(−x) = max(−x, 0) + log1p(e) and
  // sigmoidScalar(−x) = sigmoidOf(−x, e), the same operations on the same value
  const e = wasm_map("exp", n, (a) => { for (let i = 0; i < n; i++) a[i] = -Math.abs(-x[i]); });
  if (e !== null) for (let i = 0; i < n; i++) y[i] = -(Math.max(-x[i], 0) + Math.log1p(e[i]));
  else for (let i = 0; i < n; i++) y[i] = -softplus1(-x[i]);
  return unary(input, "LogSigmoidBackward0", y, (gd, gx) => {
    const e = wasm_map("exp", n, (a) => { for (let i = 0; i < n; i++) a[i] = -Math.abs(-x[i]); });
    if (e !== null) for (let i = 0; i < n; i++) gx[i] = gd[i] * sigmoidOf(-x[i], e[i]);
    else for (let i = 0; i < n; i++) gx[i] = gd[i] * sigmoidScalar(-x[i]);
  });
}

/** x / (1 + |x|), shape kept; ∂ = 1/(1 + |x|)². */
export function softsign(input: Tensor): Tensor {
  const [x, y] = data(input, "softsign");
  const n = y.length;
  for (let i = 0; i < n; i++) y[i] = x[i] / (1 + Math.abs(x[i]));
  return unary(input, "SoftsignBackward", y, (gd, gx) => {
    for (let i = 0; i < n; i++) {
      const d = 1 + Math.abs(x[i]);
      gx[i] = gd[i] / (d * d);
    }
  });
}

/** x − tanh(x), shape kept; ∂ = tanh²(x). */
export function tanhshrink(input: Tensor): Tensor {
  const [x, y] = data(input, "tanhshrink");
  const n = y.length;
  // PyTorch's x - tanh(x) saves only tanh's result, which the user cannot reach (backward reads it
  // here too: the input may change in place before backward, which PyTorch allows)
  // (tanh from WebAssembly when large enough: the same bits as Math.tanh)
  const fast = wasm_of("tanh", x);
  const th = fast ?? new Float64Array(n);
  if (fast === null) for (let i = 0; i < n; i++) th[i] = Math.tanh(x[i]);
  for (let i = 0; i < n; i++) y[i] = x[i] - th[i];
  return unary(input, "TanhshrinkBackward", y, (gd, gx) => {
    for (let i = 0; i < n; i++) gx[i] = gd[i] * th[i] * th[i];
  }, null);
}

// ---------------------------------------------------------------- shrinks and threshold

/** `lambd` given positionally or as `{ lambd }`. */
function lambdArg(op: string, args: unknown[]): number {
  const { lambd = 0.5 } = pyArgs(op, [["lambd", "number"]], args) as { lambd?: number };
  return lambd;
}

/** x − λ above λ, x + λ below −λ, 0 between (λ = 0.5): `softshrink(x, 0.3)` or `softshrink(x, { lambd: 0.3 })`; λ < 0 is an error. */
export function softshrink(input: Tensor, lambd?: number | { lambd?: number }): Tensor {
  const l0 = lambdArg("softshrink", lambd === undefined ? [] : [lambd]);
  checkFloat(input, "softshrink");
  const l = scalarFor(input, l0);
  const max = input.dtype === "float32" ? "3.40282e+38" : "1.79769e+308";
  if (!(l >= 0 && l <= (input.dtype === "float32" ? 3.4028234663852886e38 : Number.MAX_VALUE))) {
    throw new RangeError(`lambda must be in range [0, ${max}] for input dtype ${input.dtype === "float32" ? "Float" : "Double"}, but found ${l0}`);
  }
  const [x, y] = data(input, "softshrink");
  const n = y.length;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    y[i] = v > l ? v - l : v < -l ? v + l : v === v ? 0 : v;
  }
  return unary(input, "SoftshrinkBackward0", y, (gd, gx) => {
    for (let i = 0; i < n; i++) gx[i] = x[i] >= -l && x[i] <= l ? 0 : gd[i];
  });
}

/** x where x < −λ or x > λ, else 0 (λ = 0.5): `hardshrink(x, 0.3)` or `hardshrink(x, { lambd: 0.3 })`. */
export function hardshrink(input: Tensor, lambd?: number | { lambd?: number }): Tensor {
  const [x, y] = data(input, "hardshrink");
  const l = scalarFor(input, lambdArg("hardshrink", lambd === undefined ? [] : [lambd]));
  const n = y.length;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    y[i] = v >= -l && v <= l ? 0 : v;
  }
  return unary(input, "HardshrinkBackward0", y, (gd, gx) => {
    for (let i = 0; i < n; i++) gx[i] = x[i] >= -l && x[i] <= l ? 0 : gd[i];
  });
}

export interface ThresholdOptions {
  threshold?: number;
  value?: number;
  /** Write the result into the input and return it (PyTorch's in-place form). */
  inplace?: boolean;
}

/** x where x > threshold, else value: `threshold(x, 0.1, 20)` or `threshold(x, { threshold: 0.1, value: 20 })`; both are required. */
export function threshold(input: Tensor, threshold: number, value: number, inplace?: boolean): Tensor;
export function threshold(input: Tensor, threshold: number, options: { value: number; inplace?: boolean }): Tensor;
export function threshold(input: Tensor, options: ThresholdOptions): Tensor;
export function threshold(input: Tensor, ...args: unknown[]): Tensor {
  const o = pyArgs("threshold", [["threshold", "number"], ["value", "number"], ["inplace", "boolean"]], args) as ThresholdOptions;
  const missing = ["threshold", "value"].filter((k) => (o as Record<string, unknown>)[k] === undefined);
  if (missing.length > 0) {
    throw new TypeError(`threshold() missing ${missing.length} required positional argument${missing.length > 1 ? "s" : ""}: ${missing.map((k) => `'${k}'`).join(" and ")}`);
  }
  return maybeInplace(input, o.inplace ?? false, (t) => thresholdCore(t, o.threshold as number, o.value as number), "ThresholdBackward1");
}

function thresholdCore(input: Tensor, threshold: number, value: number): Tensor {
  const [x, y] = data(input, "threshold");
  const t = scalarFor(input, threshold);
  const val = scalarFor(input, value);
  const n = y.length;
  for (let i = 0; i < n; i++) y[i] = x[i] > t ? x[i] : Number.isNaN(x[i]) ? x[i] : val;
  return unary(input, "ThresholdBackward0", y, (gd, gx) => {
    for (let i = 0; i < n; i++) gx[i] = x[i] <= t ? 0 : gd[i];
  });
}

// ---------------------------------------------------------------- softmin, glu, prelu

export interface SoftminOptions {
  dim?: number | null;
  /** Casts the input to this dtype first (PyTorch's `dtype`). */
  dtype?: DType | null;
}

/** PyTorch's legacy dim when none is given: 0 for 0-, 1- and 3-D inputs, else 1, with its warning. */
export function implicitSoftmaxDim(op: string, ndim: number): number {
  console.warn(`UserWarning: Implicit dimension choice for ${op} has been deprecated. Change the call to include dim=X as an argument.`);
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

/**
 * softmax(−x) along `dim`, shape kept: `softmin(x, 1)` or `softmin(x, { dim: 1, dtype })`. A
 * missing dim picks PyTorch's legacy one with its warning.
 */
export function softmin(input: Tensor, dim?: number | null | SoftminOptions, options?: { dtype?: DType | null }): Tensor {
  let d: number | null | undefined;
  let dtype: DType | null | undefined;
  if (typeof dim === "object" && dim !== null) {
    for (const k of Object.keys(dim)) {
      if (k !== "dim" && k !== "dtype" && k !== "_stacklevel") throw new TypeError(`softmin() got an unexpected keyword argument '${k}' (allowed: dim, dtype)`);
    }
    d = dim.dim;
    dtype = dim.dtype;
  } else {
    d = dim;
    dtype = options?.dtype;
  }
  checkFloat(input, "softmin");
  if (d !== null && d !== undefined && typeof d !== "number") throw new TypeError(`softmin(): argument 'dim' must be an int, not ${describe(d)}`);
  const x = dtype !== null && dtype !== undefined && dtype !== input.dtype ? input.to(dtype) : input;
  const axis = d === null || d === undefined ? implicitSoftmaxDim("softmin", x.dim()) : d;
  return softmax(x.neg(), axis);
}

/** (outer, size, inner) around `dim`: element (o, j, k) sits at (o·size + j)·inner + k. */
function around(shape: readonly number[], dim: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < dim; i++) outer *= shape[i];
  for (let i = dim + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape[dim], inner];
}

/** The gated linear unit a ⊙ σ(b), a and b the halves of the input along `dim` (default −1): that dim halves. */
export function glu(input: Tensor, dim?: number | { dim?: number }): Tensor {
  const { dim: dd = -1 } = pyArgs("glu", [["dim", "number"]], dim === undefined ? [] : [dim]) as { dim?: number };
  checkFloat(input, "glu");
  if (input.dim() === 0) throw new RangeError("glu does not support scalars because halving size must be even");
  const d = wrapDim(dd, input.dim());
  const [outer, size, inner] = around(input.shape, d);
  if (size % 2 !== 0) throw new RangeError(`Halving dimension must be even, but dimension ${d} is size ${size}`);
  const h = size / 2;
  const x = input.data;
  const shape = [...input.shape];
  shape[d] = h;
  const m = h * inner;
  const y = storageFor(input.dtype, outer * m);
  const s = new Float64Array(outer * m); // σ(b), kept for backward
  for (let o = 0; o < outer; o++) {
    const a0 = o * size * inner;
    const b0 = a0 + m;
    const y0 = o * m;
    for (let k = 0; k < m; k++) {
      const sg = sigmoidScalar(x[b0 + k]);
      s[y0 + k] = sg;
      y[y0 + k] = x[a0 + k] * sg;
    }
  }
  const out = new Tensor(y, shape, input.dtype);
  return record(out, "GluBackward0", [input], (g) => {
    const gd = g.data;
    const gx = storageFor(input.dtype, x.length);
    for (let o = 0; o < outer; o++) {
      const a0 = o * size * inner;
      const b0 = a0 + m;
      const y0 = o * m;
      for (let k = 0; k < m; k++) {
        const sg = s[y0 + k];
        gx[a0 + k] = gd[y0 + k] * sg;
        gx[b0 + k] = gd[y0 + k] * x[a0 + k] * sg * (1 - sg);
      }
    }
    return [new Tensor(gx, input.shape, input.dtype)];
  }, SAVES_SELF);
}

/**
 * x where x > 0, else w_c·x, with one learnable weight per channel (dim 1 of an input of 2 or more
 * dims) or a single weight (any input). `weight` is 0-D or 1-D with 1 or C entries.
 */
export function prelu(input: Tensor, weight: Tensor): Tensor {
  checkFloat(input, "prelu");
  checkFloat(weight, "prelu", "weight");
  if (weight.dim() > 1) throw new RangeError(`prelu: Expected \`weight\` to be a scalar or 1D tensor, but got: ndim = ${weight.dim()}`);
  const nw = weight.numel();
  if (input.dim() === 0 && nw !== 1) throw new RangeError("Not allow zero-dim input tensor.");
  const channels = input.dim() >= 2 ? input.shape[1] : 1;
  if (nw !== 1 && nw !== channels) {
    throw new RangeError(`Mismatch of parameter numbers and input channel size. Found parameter numbers = ${nw} and channel size = ${channels}.`);
  }
  if (input.dtype !== weight.dtype) {
    throw new TypeError(`prelu: expected input and weight of the same dtype, got ${input.dtype} and ${weight.dtype}`);
  }
  const x = input.data;
  const w = weight.data;
  const n = x.length;
  // element i is in channel ((i / inner) | 0) % C, inner = product of the dims after 1
  const inner = input.dim() >= 2 ? input.shape.slice(2).reduce((a, b) => a * b, 1) : n;
  const C = nw === 1 ? 1 : channels;
  const y = storageFor(input.dtype, n);
  for (let i = 0; i < n; i++) {
    const v = x[i];
    y[i] = v > 0 ? v : w[C === 1 ? 0 : Math.floor(i / inner) % C] * v;
  }
  const out = new Tensor(y, input.shape, input.dtype);
  // PyTorch saves the weight as a view shaped to broadcast over the input ([1, C, 1, ...])
  const saved_w = needs_grad(input, weight) ? weight.reshape(input.shape.map((_, i) => (i === 1 ? nw : 1))) : null;
  return record(out, "PreluKernelBackward0", [input, weight], (g, need) => {
    const gd = g.data;
    const gx = need[0] ? storageFor(input.dtype, n) : null;
    const gw = new Float64Array(nw);
    for (let i = 0; i < n; i++) {
      const c = C === 1 ? 0 : Math.floor(i / inner) % C;
      const v = x[i];
      if (v > 0) {
        if (gx) gx[i] = gd[i];
      } else {
        if (gx) gx[i] = w[c] * gd[i];
        gw[c] += v * gd[i];
      }
    }
    const gwt = need[1] ? new Tensor(weight.dtype === "float32" ? Float32Array.from(gw) : gw, weight.shape, weight.dtype) : null;
    return [gx ? new Tensor(gx, input.shape, input.dtype) : null, gwt];
  }, PRELU_SAVES, [saved_w]);
}
