/**
 * Element-wise activations and (log-)softmax, each one fused node with its exact derivative.
 *
 *   relu(x) = max(x, 0)                     relu'(x) = [x > 0]
 *   tanh'(x) = 1 - tanh²(x)                 sigmoid(x) = 1/(1 + e^{-x}),  σ' = σ(1 - σ)
 *   gelu(x) = x Φ(x) = x/2 · (1 + erf(x/√2)),  gelu'(x) = Φ(x) + x φ(x)
 *   gelu_tanh(x) = x/2 · (1 + tanh(u)),  u = √(2/π)(x + 0.044715 x³)
 *       gelu_tanh'(x) = (1 + tanh u)/2 + x/2 · (1 - tanh² u) · √(2/π)(1 + 3·0.044715 x²)
 *   softmax(x)_j = e^{x_j - m} / Σ_k e^{x_k - m}   (m = max_k x_k, for stability)
 *       backward: dx_j = y_j (g_j - Σ_k g_k y_k)
 *   log_softmax(x)_j = x_j - m - log Σ_k e^{x_k - m};  backward: dx_j = g_j - e^{y_j} Σ_k g_k
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import { checkFloat, record } from "../_autograd";
import { erfc } from "../_math";
import { wasm_relu, wasm_relu_backward } from "../../tensor/wasm/elementwise";
import { checkKeywords, pyArgs } from "../../utils/py_args";
import type { DType } from "../../tensor/tensor";
import { maybeInplace } from "../_inplace";
import { RuntimeError } from "../../errors";
import { saves } from "../../tensor/version";
import { relu as tensor_relu } from "../../tensor/activation";
import { transcendental_wasm_for, wasm_transcendental } from "../../tensor/wasm/transcendental";
import { wasm_exp_shifted, wasm_map, wasm_of } from "../../tensor/transcendental_ops";
import { is_floating } from "../../tensor/dtype";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const SAVES_SELF = saves("0");
const SAVES_OUT = saves("out");

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;
const SQRT_2_OVER_PI = 0.7978845608028654;

/** max(x, 0): `relu(x)`; `relu(x, true)` or `relu(x, { inplace: true })` writes the result into x (PyTorch's relu_). */
export function relu(input: Tensor, inplace?: boolean | { inplace?: boolean }): Tensor {
  const o = pyArgs("relu", [["inplace", "boolean"]], inplace === undefined ? [] : [inplace]) as { inplace?: boolean };
  return maybeInplace(input, o.inplace ?? false, reluCore);
}

function reluCore(input: Tensor): Tensor {
  // integer inputs: PyTorch's relu takes them (bool is its error); torch.relu has that path
  if (input instanceof Tensor && !is_floating(input.dtype)) return tensor_relu(input);
  checkFloat(input, "relu");
  const x = input.data;
  const y = storageFor(input.dtype, x.length);
  // WebAssembly SIMD for large inputs (branch-free; see tensor/wasm/elementwise.ts), else JS.
  if (!wasm_relu(x, y)) for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : Number.isNaN(x[i]) ? NaN : 0;
  const out = new Tensor(y, input.shape, input.dtype);
  out._memory_order = input._memory_order; // PyTorch's output keeps the input's layout (tensor/memory_order.ts)
  return record(out, "ReluBackward0", [input], (g) => {
    const gd = g.data;
    const gx = storageFor(input.dtype, x.length);
    if (!wasm_relu_backward(y, gd, gx)) for (let i = 0; i < x.length; i++) gx[i] = y[i] > 0 ? gd[i] : 0;
    return [new Tensor(gx, input.shape, input.dtype)];
  }, SAVES_OUT);
}

export function tanh(input: Tensor): Tensor {
  checkFloat(input, "tanh");
  const x = input.data;
  const y = storageFor(input.dtype, x.length);
  // Large inputs: the same bits from WebAssembly SIMD (tensor/wasm/transcendental.ts)
  if (!wasm_transcendental("tanh", x, 0, y, 0, x.length)) for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]);
  const out = new Tensor(y, input.shape, input.dtype);
  out._memory_order = input._memory_order; // PyTorch's output keeps the input's layout
  return record(out, "TanhBackward0", [input], (g) => {
    const gd = g.data;
    const gx = storageFor(input.dtype, x.length);
    for (let i = 0; i < x.length; i++) gx[i] = gd[i] * (1 - y[i] * y[i]);
    return [new Tensor(gx, input.shape, input.dtype)];
  }, SAVES_OUT);
}

export function sigmoid(input: Tensor): Tensor {
  checkFloat(input, "sigmoid");
  const x = input.data;
  const y = storageFor(input.dtype, x.length);
  if (!sigmoidWasm(x, y)) for (let i = 0; i < x.length; i++) y[i] = sigmoidScalar(x[i]);
  const out = new Tensor(y, input.shape, input.dtype);
  out._memory_order = input._memory_order; // PyTorch's output keeps the input's layout
  return record(out, "SigmoidBackward0", [input], (g) => {
    const gd = g.data;
    const gx = storageFor(input.dtype, x.length);
    for (let i = 0; i < x.length; i++) gx[i] = gd[i] * (1 - y[i]) * y[i];
    return [new Tensor(gx, input.shape, input.dtype)];
  }, SAVES_OUT);
}

/**
 * sigmoidScalar over x into y with the exponentials from WebAssembly SIMD (the same bits as
 * Math.exp): e = exp(−|x|) is Math.exp(−x) for x ≥ 0 and Math.exp(x) for x < 0, so each element
 * gets sigmoidScalar's formula on the same e (NaN: sigmoidScalar itself). False when not taken.
 */
function sigmoidWasm(x: Float32Array | Float64Array, y: Float32Array | Float64Array): boolean {
  const n = x.length;
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) e[i] = -Math.abs(x[i]);
  if (!wasm_transcendental("exp", e, 0, e, 0, n)) return false;
  for (let i = 0; i < n; i++) y[i] = sigmoidOf(x[i], e[i]);
  return true;
}

/**
 * sigmoidScalar(v) given e = exp(−|v|) (from WebAssembly, the same bits as Math.exp): that is
 * Math.exp(−v) for v ≥ 0 and Math.exp(v) for v < 0, the very value sigmoidScalar's formula uses.
 * NaN: sigmoidScalar itself (−|v| may carry another NaN than v).
 */
export function sigmoidOf(v: number, e: number): number {
  return v >= 0 ? 1 / (1 + e) : v !== v ? sigmoidScalar(v) : e / (1 + e);
}

/** σ(x) without overflow for large |x|. */
export function sigmoidScalar(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export type GeluApproximate = "none" | "tanh";

export function gelu(input: Tensor, options: { approximate?: GeluApproximate } = {}): Tensor {
  checkKeywords("gelu", options, ["approximate"]); // an unknown key used to be ignored
  const { approximate = "none" } = options;
  checkFloat(input, "gelu");
  if (approximate !== "none" && approximate !== "tanh") {
    throw RuntimeError(`approximate argument must be either none or tanh. (got ${String(approximate)})`);
  }
  const x = input.data;
  const n = x.length;
  const y = storageFor(input.dtype, n);
  if (approximate === "none") {
    // Φ(x) = erfc(-x/√2)/2 keeps Φ accurate relative to itself for very negative x.
    for (let i = 0; i < n; i++) y[i] = 0.5 * x[i] * erfc(-x[i] * SQRT1_2);
  } else {
    // tanh(u) of every element from WebAssembly when large enough (the same bits as Math.tanh)
    const t = wasm_map("tanh", n, (a) => { for (let i = 0; i < n; i++) { const v = x[i]; a[i] = SQRT_2_OVER_PI * (v + 0.044715 * v * v * v); } });
    if (t !== null) for (let i = 0; i < n; i++) y[i] = 0.5 * x[i] * (1 + t[i]);
    else {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
      }
    }
  }
  const out = new Tensor(y, input.shape, input.dtype);
  out._memory_order = input._memory_order; // PyTorch's output keeps the input's layout
  return record(out, "GeluBackward0", [input], (g) => {
    const gd = g.data;
    const gx = storageFor(input.dtype, n);
    if (approximate === "none") {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const cdf = 0.5 * erfc(-v * SQRT1_2);
        const pdf = INV_SQRT_2PI * Math.exp(-0.5 * v * v);
        gx[i] = gd[i] * (cdf + v * pdf);
      }
    } else {
      const ts = wasm_map("tanh", n, (a) => { for (let i = 0; i < n; i++) { const v = x[i]; a[i] = SQRT_2_OVER_PI * (v + 0.044715 * v * v * v); } });
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const t = ts !== null ? ts[i] : Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v));
        const du = SQRT_2_OVER_PI * (1 + 3 * 0.044715 * v * v);
        gx[i] = gd[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * du);
      }
    }
    return [new Tensor(gx, input.shape, input.dtype)];
  }, SAVES_SELF);
}

/** Normalises a possibly negative `dim` for a tensor of `ndim` dims, with PyTorch's message. */
export function wrapDim(dim: number, ndim: number): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new RangeError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + n : dim;
}

/** (outer, size, inner) of a reduction along `dim`: element (o, j, k) is at (o·size + j)·inner + k. */
function split(shape: readonly number[], dim: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < dim; i++) outer *= shape[i];
  for (let i = dim + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape.length === 0 ? 1 : shape[dim], inner];
}

/** The shift of one log-softmax slice (elements base + j·inner): its maximum (NaN if any), 0 when all are −∞. */
function sliceShift(x: ArrayLike<number>, base: number, size: number, inner: number): number {
  let m = -Infinity;
  for (let j = 0; j < size; j++) m = Math.max(m, x[base + j * inner]);
  return m === -Infinity ? 0 : m;
}

/** Shared kernel: log-softmax along `dim` (double math, rounded on store). */
function logSoftmaxData(input: Tensor, dim: number): Float64Array {
  const [outer, size, inner] = split(input.shape, dim);
  const x = input.data;
  const out = new Float64Array(x.length);
  if (logSoftmaxWasm(x, outer, size, inner, out)) return out;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const base = o * size * inner + k;
      const m = sliceShift(x, base, size, inner);
      let s = 0;
      for (let j = 0; j < size; j++) s += Math.exp(x[base + j * inner] - m);
      const lse = m + Math.log(s);
      for (let j = 0; j < size; j++) out[base + j * inner] = x[base + j * inner] - lse;
    }
  }
  return out;
}

/**
 * logSoftmaxData's loops with the exponentials exp(x − m) from WebAssembly (tensor/transcendental_ops.ts,
 * the same bits as Math.exp): the maxima first, then every exp(x − m), then each slice's sum in the
 * same order (j from 0). False when not taken.
 */
function logSoftmaxWasm(x: ArrayLike<number>, outer: number, size: number, inner: number, out: Float64Array): boolean {
  if (!transcendental_wasm_for(outer * size * inner)) return false; // before allocating the maxima
  const ms = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) ms[o * inner + k] = sliceShift(x, o * size * inner + k, size, inner);
  }
  const e = wasm_exp_shifted(x, outer, size, inner, ms);
  if (e === null) return false;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const base = o * size * inner + k;
      let s = 0;
      for (let j = 0; j < size; j++) s += e[base + j * inner];
      const lse = ms[o * inner + k] + Math.log(s);
      for (let j = 0; j < size; j++) out[base + j * inner] = x[base + j * inner] - lse;
    }
  }
  return true;
}

/** Log-softmax of `input` along `dim`, in double precision (for the fused losses). */
export function logSoftmaxRaw(input: Tensor, dim: number): Float64Array {
  return logSoftmaxData(input, dim);
}

/** `dim` given positionally or as Python's keyword (`{ dim: 1 }`). */
/** F.softmax / F.log_softmax's (dim, _stacklevel, dtype) keywords. */
export interface FSoftmaxOptions {
  dim?: number;
  /** Cast the input to this dtype first (PyTorch's; it used to be ignored). */
  dtype?: DType | null;
  /** Python's warning stack level: accepted and unused. */
  _stacklevel?: number;
}

/** `dtype` from `{ dim, dtype }` or a trailing `{ dtype }` (after a number dim); null when not given. */
function softmaxDtype(op: string, dim: number | FSoftmaxOptions, options: FSoftmaxOptions | undefined): DType | null {
  if (options !== undefined && options !== null) checkKeywords(op, options, ["_stacklevel", "dtype"]);
  const a = typeof dim === "object" && dim !== null ? dim.dtype : undefined;
  const b = options?.dtype;
  if (a !== undefined && a !== null && b !== undefined && b !== null) throw new TypeError(`${op}() got multiple values for argument 'dtype'`);
  return a ?? b ?? null;
}

/** The dim of F.softmax-style (dim | { dim, dtype, _stacklevel }) arguments; an unknown key is an error. */
function dimArg(dim: number | FSoftmaxOptions, op: string): number {
  if (typeof dim === "object" && dim !== null) checkKeywords(op, dim, ["dim", "_stacklevel", "dtype"]);
  const d = typeof dim === "object" && dim !== null ? dim.dim : dim;
  if (typeof d !== "number") throw new TypeError(`${op}(): argument 'dim' must be an int (implicit dim is deprecated)`);
  return d;
}

export function log_softmax(input: Tensor, dim: number | FSoftmaxOptions, options?: FSoftmaxOptions): Tensor {
  const dtype = softmaxDtype("log_softmax", dim, options);
  if (dtype !== null) input = input.to(dtype); // PyTorch casts first (input.log_softmax(dim, dtype=dtype))
  checkFloat(input, "log_softmax");
  const d = wrapDim(dimArg(dim, "log_softmax"), input.dim());
  const ls = logSoftmaxData(input, d);
  const y = input.dtype === "float32" ? Float32Array.from(ls) : ls;
  const out = new Tensor(y, input.shape, input.dtype);
  return record(out, "LogSoftmaxBackward0", [input], (g) => {
    const [outer, size, inner] = split(input.shape, d);
    const gd = g.data;
    const gx = storageFor(input.dtype, y.length);
    const el = wasm_of("exp", ls); // exp(ls) of every element from WebAssembly when large enough
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < inner; k++) {
        const base = o * size * inner + k;
        let s = 0;
        for (let j = 0; j < size; j++) s += gd[base + j * inner];
        for (let j = 0; j < size; j++) {
          const at = base + j * inner;
          gx[at] = gd[at] - (el !== null ? el[at] : Math.exp(ls[at])) * s;
        }
      }
    }
    return [new Tensor(gx, input.shape, input.dtype)];
  }, SAVES_OUT);
}

export function softmax(input: Tensor, dim: number | FSoftmaxOptions, options?: FSoftmaxOptions): Tensor {
  const dtype = softmaxDtype("softmax", dim, options);
  if (dtype !== null) input = input.to(dtype); // PyTorch casts first (input.softmax(dim, dtype=dtype))
  checkFloat(input, "softmax");
  const d = wrapDim(dimArg(dim, "softmax"), input.dim());
  const ls = logSoftmaxData(input, d);
  const y = storageFor(input.dtype, ls.length);
  if (!wasm_transcendental("exp", ls, 0, y, 0, ls.length)) for (let i = 0; i < ls.length; i++) y[i] = Math.exp(ls[i]);
  const out = new Tensor(y, input.shape, input.dtype);
  return record(out, "SoftmaxBackward0", [input], (g) => {
    const [outer, size, inner] = split(input.shape, d);
    const gd = g.data;
    const gx = storageFor(input.dtype, y.length);
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < inner; k++) {
        const base = o * size * inner + k;
        let s = 0;
        for (let j = 0; j < size; j++) s += gd[base + j * inner] * y[base + j * inner];
        for (let j = 0; j < size; j++) {
          const at = base + j * inner;
          gx[at] = y[at] * (gd[at] - s);
        }
      }
    }
    return [new Tensor(gx, input.shape, input.dtype)];
  }, SAVES_OUT);
}
