/**
 * Activations and normalised exponentials: relu leaky_relu sigmoid tanh gelu silu softplus
 * softmax log_softmax.
 *
 * softmax(x)_i = exp(x_i - m) / sum_j exp(x_j - m) with m the slice max (no overflow);
 * log_softmax(x)_i = x_i - m - log(sum_j exp(x_j - m)).
 * Backward: softmax: y * (g - sum(g * y)); log_softmax: g - exp(y) * sum(g).
 * gelu(x) = x * Phi(x) with Phi the normal CDF (exact, via erf), or PyTorch's "tanh"
 * approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
 */
import { checkKeywords, numpyKeywords } from "../utils/py_args";
import { DType, Tensor, check_tensor } from "./tensor";
import { attach } from "./autograd";
import { storage_for, SCALAR_TYPE_NAME, is_floating } from "./dtype";
import { ew, float_type } from "./operand";
import { kernel } from "./kernels";
import { layout } from "./reduce";
import { wrap_dim } from "./shape";
import { WASM_MIN_ELEMENTS, wasm_relu, wasm_relu_backward } from "./wasm/elementwise";
import { saves } from "./version";
import { NotImplementedTypeError, RuntimeTypeError } from "../errors";
import { ew_like, same_shape, unary_like, wasm_exp_shifted, wasm_map, wasm_of, wasm_unary } from "./transcendental_ops";
import { transcendental_wasm_for } from "./wasm/transcendental";

type F = Float32Array | Float64Array;

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const SAVES_SELF = saves("0");
const SAVES_OUT = saves("out");

function check(x: Tensor, op: string): void {
  check_tensor(x, op);
}

/** max(x, 0); the gradient passes where the output is positive. */
export function relu(x: Tensor): Tensor {
  check(x, "relu");
  if (x.dtype === "bool") throw RuntimeTypeError("Boolean inputs not supported for relu");
  // Large inputs: WebAssembly SIMD (branch-free, see wasm/elementwise.ts); otherwise a JS kernel.
  const big = x.data.length >= WASM_MIN_ELEMENTS && is_floating(x.dtype);
  const y = big ? storage_for(x.dtype, x.data.length) : null;
  const out = y !== null && wasm_relu(x.data, y) ? new Tensor(y, x.shape, x.dtype) : ew("a > 0 ? a : (a !== a ? a : 0)", [x], x.dtype);
  out._memory_order = x._memory_order; // PyTorch's output keeps the input's layout (memory_order.ts)
  return attach(out, "ReluBackward0", [x], (g) => {
    const gx = big && g.dtype === out.dtype ? storage_for(g.dtype, g.data.length) : null;
    if (gx !== null && wasm_relu_backward(out.data, g.data, gx)) return [new Tensor(gx, g.shape, g.dtype)];
    return [ew("b > 0 ? a : 0", [g, out], g.dtype)];
  }, true, SAVES_OUT);
}

/** x for x > 0, negative_slope * x otherwise. */
export function leaky_relu(x: Tensor, negative_slope = 0.01): Tensor {
  check(x, "leaky_relu");
  const dt = float_type(x.dtype);
  const out = ew(kernel("a > 0 ? a : a * s", 1, ["s"]), [x], dt, dt, [negative_slope]);
  return attach(out, "LeakyReluBackward0", [x], (g) => [ew(kernel("b > 0 ? a : a * s", 2, ["s"]), [g, x], g.dtype, g.dtype, [negative_slope])], true, SAVES_SELF);
}

/**
 * 1 / (1 + exp(-x)), as PyTorch's kernel (for x < -709, exp(-x) = Infinity still gives 0); d/dx =
 * y (1 - y). Branch-free: a branch on the sign mispredicts on half of typical inputs.
 */
export function sigmoid(x: Tensor): Tensor {
  check(x, "sigmoid");
  const dt = float_type(x.dtype);
  // Large float tensors: the same bits in WebAssembly SIMD (transcendental_ops.ts)
  const out = wasm_unary("sigmoid", x, dt) ?? ew("1 / (1 + Math.exp(-a))", [x], dt);
  return attach(out, "SigmoidBackward0", [x], (g) => [ew("a * b * (1 - b)", [g, out], g.dtype)], true, SAVES_OUT);
}

/** d/dx tanh(x) = 1 - y^2. */
export function tanh(x: Tensor): Tensor {
  check(x, "tanh");
  const dt = float_type(x.dtype);
  const out = wasm_unary("tanh", x, dt) ?? ew("Math.tanh(a)", [x], dt); // see sigmoid
  return attach(out, "TanhBackward0", [x], (g) => [ew("a * (1 - b * b)", [g, out], g.dtype)], true, SAVES_OUT);
}

/** x * sigmoid(x); d/dx = s (1 + x (1 - s)). */
export function silu(x: Tensor): Tensor {
  check(x, "silu");
  const dt = float_type(x.dtype);
  const out = silu_wasm(x, dt) ?? ew("a / (1 + Math.exp(-a))", [x], dt);
  return attach(out, "SiluBackward0", [x], (g) => [
    silu_grad_wasm(g, x) ?? ew("(1 / (1 + Math.exp(-b))) * (1 + b * (1 - 1 / (1 + Math.exp(-b)))) * a", [g, x], g.dtype),
  ], true, SAVES_SELF);
}

// The WebAssembly versions of silu's / softplus's kernels (null: not taken): the exponentials
// Math.exp(arg) come from the module (transcendental_ops.ts), each element's formula is the
// kernel's with that value, so the bytes are the same.

function silu_wasm(x: Tensor, dt: DType): Tensor | null {
  if (x.dtype !== dt) return null;
  const xd = x.data;
  const e = wasm_map("exp", xd.length, (a) => { for (let i = 0; i < a.length; i++) a[i] = -xd[i]; });
  if (e === null) return null;
  const y = storage_for(dt, xd.length) as F;
  for (let i = 0; i < y.length; i++) y[i] = xd[i] / (1 + e[i]);
  return unary_like(y, x, dt);
}

function silu_grad_wasm(g: Tensor, x: Tensor): Tensor | null {
  if (!same_shape(g, x)) return null;
  const xd = x.data;
  const gd = g.data;
  const e = wasm_map("exp", xd.length, (a) => { for (let i = 0; i < a.length; i++) a[i] = -xd[i]; });
  if (e === null) return null;
  const gx = storage_for(g.dtype, xd.length) as F;
  for (let i = 0; i < gx.length; i++) {
    const b = xd[i];
    const s = 1 / (1 + e[i]); // both of the kernel's 1 / (1 + Math.exp(-b))
    gx[i] = s * (1 + b * (1 - s)) * gd[i];
  }
  return ew_like(gx, g, x);
}

/** log(1 + exp(beta x)) / beta, linear above `threshold` (as PyTorch); d/dx = sigmoid(beta x). */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  check(x, "softplus");
  const dt = float_type(x.dtype);
  const out = softplus_wasm(x, dt, beta, threshold) ?? ew(kernel("a * beta > th ? a : Math.log1p(Math.exp(a * beta)) / beta", 1, ["beta", "th"]), [x], dt, dt, [beta, threshold]);
  return attach(out, "SoftplusBackward0", [x], (g) => [
    softplus_grad_wasm(g, x, beta, threshold) ??
      ew(kernel("b * beta > th ? a : a / (1 + Math.exp(-b * beta))", 2, ["beta", "th"]), [g, x], g.dtype, g.dtype, [beta, threshold]),
  ], true, SAVES_SELF);
}

function softplus_wasm(x: Tensor, dt: DType, beta: number, th: number): Tensor | null {
  if (x.dtype !== dt || typeof beta !== "number" || typeof th !== "number") return null;
  const xd = x.data;
  // (the exponentials of the linear region's elements are computed and not used, as the kernel
  // would not compute them: exp has no side effect)
  const e = wasm_map("exp", xd.length, (a) => { for (let i = 0; i < a.length; i++) a[i] = xd[i] * beta; });
  if (e === null) return null;
  const y = storage_for(dt, xd.length) as F;
  for (let i = 0; i < y.length; i++) {
    const a = xd[i];
    y[i] = a * beta > th ? a : Math.log1p(e[i]) / beta;
  }
  return unary_like(y, x, dt);
}

function softplus_grad_wasm(g: Tensor, x: Tensor, beta: number, th: number): Tensor | null {
  if (!same_shape(g, x) || typeof beta !== "number" || typeof th !== "number") return null;
  const xd = x.data;
  const gd = g.data;
  const e = wasm_map("exp", xd.length, (a) => { for (let i = 0; i < a.length; i++) a[i] = -xd[i] * beta; });
  if (e === null) return null;
  const gx = storage_for(g.dtype, xd.length) as F;
  for (let i = 0; i < gx.length; i++) gx[i] = xd[i] * beta > th ? gd[i] : gd[i] / (1 + e[i]);
  return ew_like(gx, g, x);
}

/**
 * erf(x) to about 1e-15: the Maclaurin series for |x| < 2.5, otherwise 1 - erfc(x) with erfc from
 * its continued fraction (Lentz's method).
 */
export function erf_scalar(x: number): number {
  if (x !== x) return x;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
    let term = ax;
    let s = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      s += add;
      if (Math.abs(add) < 1e-17 * Math.abs(s)) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * s;
    return x < 0 ? -r : r;
  }
  if (ax > 6) return x < 0 ? -1 : 1;
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
  const tiny = 1e-300;
  let f = ax;
  let C = ax;
  let D = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    D = ax + an * D;
    D = D === 0 ? tiny : D;
    C = ax + an / C;
    C = C === 0 ? tiny : C;
    D = 1 / D;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return x < 0 ? erfc - 1 : 1 - erfc;
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const K_TANH = Math.sqrt(2 / Math.PI);

export interface GeluOptions {
  approximate?: "none" | "tanh";
}

export function gelu(x: Tensor, options?: GeluOptions | "none" | "tanh"): Tensor {
  check(x, "gelu");
  const approximate = typeof options === "string" ? options : options?.approximate ?? "none";
  if (approximate !== "none" && approximate !== "tanh") {
    throw new RangeError(`approximate argument must be either none or tanh.`);
  }
  const dt: DType = float_type(x.dtype);
  const n = x.data.length;
  const src = x.data;
  const out = storage_for(dt, n);
  if (approximate === "none") for (let i = 0; i < n; i++) out[i] = 0.5 * src[i] * (1 + erf_scalar(src[i] * SQRT1_2));
  else {
    // the tanh of every element from WebAssembly when large enough (the same bits as Math.tanh)
    const t = wasm_map("tanh", n, (a) => { for (let i = 0; i < n; i++) { const v = src[i]; a[i] = K_TANH * (v + 0.044715 * v * v * v); } });
    if (t !== null) for (let i = 0; i < n; i++) out[i] = 0.5 * src[i] * (1 + t[i]);
    else {
      for (let i = 0; i < n; i++) {
        const v = src[i];
        out[i] = 0.5 * v * (1 + Math.tanh(K_TANH * (v + 0.044715 * v * v * v)));
      }
    }
  }
  const res = new Tensor(out, x.shape, dt);
  return attach(res, "GeluBackward0", [x], (g) => {
    const gx = storage_for(g.dtype, n);
    const gd = g.data;
    if (approximate === "none") {
      // d/dx x Phi(x) = Phi(x) + x phi(x)
      for (let i = 0; i < n; i++) {
        const v = src[i];
        gx[i] = gd[i] * (0.5 * (1 + erf_scalar(v * SQRT1_2)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
      }
    } else {
      const ts = wasm_map("tanh", n, (a) => { for (let i = 0; i < n; i++) { const v = src[i]; a[i] = K_TANH * (v + 0.044715 * v * v * v); } });
      for (let i = 0; i < n; i++) {
        const v = src[i];
        const t = ts !== null ? ts[i] : Math.tanh(K_TANH * (v + 0.044715 * v * v * v));
        gx[i] = gd[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * K_TANH * (1 + 3 * 0.044715 * v * v));
      }
    }
    return [new Tensor(gx, x.shape, g.dtype)];
  }, true, SAVES_SELF);
}

/**
 * The shift m of one softmax slice (elements base + k·inner, k < size): its maximum, NaN if it
 * holds one, and 0 when all are −∞ (exp(x − 0) = 0 everywhere, giving NaN as PyTorch).
 */
function slice_max(src: ArrayLike<number>, base: number, size: number, inner: number): number {
  let m = -Infinity;
  for (let k = 0; k < size; k++) {
    const v = src[base + k * inner];
    if (v > m || v !== v) m = v;
  }
  return m === -Infinity ? 0 : m;
}

/** Computes softmax or log_softmax along `dim` into new storage (no autograd). */
function softmax_raw(x: Tensor, dim: number, dtype: DType, log: boolean): Tensor {
  const L = layout(x, dim, true);
  const { src, outer, size, inner } = L;
  const out = storage_for(dtype, src.length);
  const fast = softmax_wasm(src, outer, size, inner, out, log);
  if (fast !== null) return new Tensor(fast, x.shape, dtype);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      const m = slice_max(src, base, size, inner);
      let s = 0;
      for (let k = 0; k < size; k++) s += Math.exp(src[base + k * inner] - m);
      if (log) {
        const ls = m + Math.log(s);
        for (let k = 0; k < size; k++) out[base + k * inner] = src[base + k * inner] - ls;
      } else {
        for (let k = 0; k < size; k++) out[base + k * inner] = Math.exp(src[base + k * inner] - m) / s;
      }
    }
  }
  return new Tensor(out, x.shape, dtype);
}

/**
 * softmax_raw's loops with the exponentials exp(x − m) from WebAssembly (transcendental_ops.ts):
 * the maxima first, then every exp(x − m) at once, then each slice's sum in the same order (k
 * from 0) and the same outputs (softmax's second exp(x − m) is the first's value). Null when not
 * taken.
 */
function softmax_wasm(src: ArrayLike<number>, outer: number, size: number, inner: number, out: F, log: boolean): F | null {
  if (!transcendental_wasm_for(outer * size * inner)) return null; // before allocating the maxima
  const ms = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) ms[o * inner + i] = slice_max(src, o * size * inner + i, size, inner);
  }
  const e = wasm_exp_shifted(src, outer, size, inner, ms);
  if (e === null) return null;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let s = 0;
      for (let k = 0; k < size; k++) s += e[base + k * inner];
      if (log) {
        const ls = ms[o * inner + i] + Math.log(s);
        for (let k = 0; k < size; k++) out[base + k * inner] = src[base + k * inner] - ls;
      } else {
        for (let k = 0; k < size; k++) out[base + k * inner] = e[base + k * inner] / s;
      }
    }
  }
  return out;
}

function dim_arg(x: Tensor, dim: number | undefined | null, op: string): number {
  if (dim === undefined || dim === null) {
    throw new TypeError(`${op}() missing 1 required positional arguments: "dim" (PyTorch's implicit dim choice is deprecated)`);
  }
  return wrap_dim(dim, x.dim());
}

/** softmax's `dim` (and `dtype`) positionally or as Python's keywords: `softmax(x, { dim: 1 })`. */
export interface SoftmaxOptions {
  dim?: number;
  dtype?: DType;
}

function sm(x: Tensor, dim: number | SoftmaxOptions | undefined | null, options: SoftmaxOptions | undefined, log: boolean): Tensor {
  const op = log ? "log_softmax" : "softmax";
  check(x, op);
  const kw = typeof dim === "object" && dim !== null;
  // PyTorch's keywords (axis: its numpy alias of dim); an unknown key used to be ignored
  if (kw) dim = numpyKeywords(op, dim as Record<string, unknown>) as SoftmaxOptions;
  if (kw) checkKeywords(op, dim as object, ["dim", "dtype"]);
  if (options !== undefined && options !== null) checkKeywords(op, options, ["dtype"]);
  const d = dim_arg(x, kw ? (dim as SoftmaxOptions).dim : (dim as number | undefined | null), op);
  const asked = (kw ? (dim as SoftmaxOptions).dtype : undefined) ?? options?.dtype;
  if (asked === undefined && !is_floating(x.dtype)) {
    // PyTorch's CPU kernels have no integer version: ask for a dtype ({ dtype: "float32" }) to convert first
    const kernel_name = `${op}_${d === x.dim() - 1 || x.dim() === 0 ? "lastdim_" : ""}kernel_impl`;
    throw NotImplementedTypeError(`"${kernel_name}" not implemented for '${SCALAR_TYPE_NAME[x.dtype]}'`);
  }
  const dt = asked ?? float_type(x.dtype);
  const src = dt === x.dtype ? x : x.to(dt);
  const y = softmax_raw(src, d, dt, log);
  return attach(y, log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", [src], (g) => {
    const L = layout(g, d, true);
    const { outer, size, inner } = L;
    const gd = g.data;
    const yd = y.data;
    const gx = storage_for(g.dtype, gd.length);
    // log_softmax: exp(y) of every element from WebAssembly when large enough (same bits)
    const ey = log ? wasm_of("exp", yd) : null;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * size * inner + i;
        let s = 0;
        if (log) {
          for (let k = 0; k < size; k++) s += gd[base + k * inner];
          if (ey !== null) for (let k = 0; k < size; k++) gx[base + k * inner] = gd[base + k * inner] - ey[base + k * inner] * s;
          else for (let k = 0; k < size; k++) gx[base + k * inner] = gd[base + k * inner] - Math.exp(yd[base + k * inner]) * s;
        } else {
          for (let k = 0; k < size; k++) s += gd[base + k * inner] * yd[base + k * inner];
          for (let k = 0; k < size; k++) gx[base + k * inner] = yd[base + k * inner] * (gd[base + k * inner] - s);
        }
      }
    }
    return [new Tensor(gx, g.shape, g.dtype)];
  }, true, SAVES_OUT);
}

export function softmax(x: Tensor, dim: number | SoftmaxOptions, options?: SoftmaxOptions): Tensor {
  return sm(x, dim, options, false);
}

export function log_softmax(x: Tensor, dim: number | SoftmaxOptions, options?: SoftmaxOptions): Tensor {
  return sm(x, dim, options, true);
}

/** The error function, element-wise; d/dx erf(x) = 2 / sqrt(pi) * exp(-x^2). */
export function erf(x: Tensor): Tensor {
  check(x, "erf");
  const dt: DType = float_type(x.dtype);
  const n = x.data.length;
  const out = storage_for(dt, n);
  for (let i = 0; i < n; i++) out[i] = erf_scalar(x.data[i]);
  const res = new Tensor(out, x.shape, dt);
  return attach(res, "ErfBackward0", [x], (g) => {
    const gx = storage_for(g.dtype, n);
    const c = 2 / Math.sqrt(Math.PI);
    for (let i = 0; i < n; i++) gx[i] = g.data[i] * c * Math.exp(-x.data[i] * x.data[i]);
    return [new Tensor(gx, x.shape, g.dtype)];
  }, true, SAVES_SELF);
}
