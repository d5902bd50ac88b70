/**
 * The forward of the element-wise exp, tanh and sigmoid ops on WebAssembly SIMD
 * (wasm/transcendental.ts: the same bits as the JS kernels `Math.exp(a)`, `Math.tanh(a)`,
 * `1 / (1 + Math.exp(-a))`, several times fewer ns an element), and the helpers through which the
 * other exp/tanh-based ops (softmax, logsumexp, silu, softplus, gelu, ELU, losses) get their
 * exponentials from it. Each returns null when that path is not taken (not a float tensor, too
 * small, no WebAssembly, switched off): the caller then runs its own JS loop, unchanged.
 *
 * Why the results keep their bits: the module returns exactly Math.exp(v) / Math.tanh(v) as a
 * double for every double v; the callers compute the same argument v as their JS loop did, keep
 * the result as a double (Float64Array, never rounded to float32 in between) and combine it with
 * the same operations in the same order (sums included) as before.
 */
import { DType, Tensor } from "./tensor";
import { storage_for } from "./dtype";
import { elementwise_order } from "./memory_order";
import { type Transcendental, transcendental_wasm_for, wasm_transcendental } from "./wasm/transcendental";

type F = Float32Array | Float64Array;

export function wasm_unary(f: Transcendental, x: Tensor, dt: DType): Tensor | null {
  if (x.dtype !== dt || (dt !== "float32" && dt !== "float64")) return null;
  const n = x.data.length;
  // (decided before the output is allocated: small tensors, the usual case of tiny models, go to
  // the caller's JS kernel without a discarded array)
  if (!transcendental_wasm_for(n)) return null;
  const y = storage_for(dt, n) as Float32Array | Float64Array;
  if (!wasm_transcendental(f, x.data as Float32Array | Float64Array, 0, y, 0, n)) return null;
  const out = new Tensor(y, x.shape, dt);
  // as ew(): the result keeps the input's memory layout
  if (x._memory_order !== null) out._memory_order = elementwise_order([x], x.shape);
  return out;
}

/**
 * Above this many elements the helpers below decline (the caller's JS loop runs): their array of
 * n doubles would add 8 bytes an element to the op's memory (134 MB here), which a tensor that
 * large may not have to spare.
 */
export const WASM_MAP_MAX_ELEMENTS = 1 << 24;

function taken(n: number): boolean {
  return n <= WASM_MAP_MAX_ELEMENTS && transcendental_wasm_for(n);
}

/**
 * f(args[i]) for i < n as doubles: `fill` writes the n arguments (each computed exactly as the
 * caller's JS loop computes the argument of Math.exp / Math.tanh), the module replaces them by
 * their exp / tanh. Null (fill not called, nothing allocated) when the module does not take n
 * elements.
 */
export function wasm_map(f: Transcendental, n: number, fill: (args: Float64Array) => void): Float64Array | null {
  if (!taken(n)) return null;
  const a = new Float64Array(n);
  fill(a);
  if (!wasm_transcendental(f, a, 0, a, 0, n)) return null;
  return a;
}

/** f(src[i]) for every element of a float array, as doubles (a float32 element is widened exactly). */
export function wasm_of(f: Transcendental, src: ArrayLike<number>): Float64Array | null {
  const n = src.length;
  if (!(src instanceof Float64Array || src instanceof Float32Array) || !taken(n)) return null;
  const a = new Float64Array(n);
  if (!wasm_transcendental(f, src as F, 0, a, 0, n)) return null;
  return a;
}

/**
 * exp(src[at] − m[slice]) for the outer·inner slices of `size` elements (element (o, k, i) at
 * (o·size + k)·inner + i, slice o·inner + i): the exponentials of softmax / logsumexp, as doubles
 * in src's layout. Null when not taken.
 */
export function wasm_exp_shifted(src: ArrayLike<number>, outer: number, size: number, inner: number, m: Float64Array): Float64Array | null {
  return wasm_map("exp", outer * size * inner, (e) => {
    if (inner === 1) {
      for (let o = 0; o < outer; o++) {
        const mo = m[o];
        const base = o * size;
        for (let k = 0; k < size; k++) e[base + k] = src[base + k] - mo;
      }
      return;
    }
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < size; k++) {
        const at = (o * size + k) * inner;
        for (let i = 0; i < inner; i++) e[at + i] = src[at + i] - m[o * inner + i];
      }
    }
  });
}

/** Whether an element-wise kernel over (g, x) is a plain loop over both arrays (same shape, float g). */
export function same_shape(g: Tensor, x: Tensor): boolean {
  if (g.dtype !== "float32" && g.dtype !== "float64") return false;
  return g.data.length === x.data.length && g.shape.length === x.shape.length && g.shape.every((d, i) => d === x.shape[i]);
}

/** `out` (computed element by element over same_shape g and x) as ew() would return it: x's shape, ew's memory layout. */
export function ew_like(out: F, g: Tensor, x: Tensor): Tensor {
  const res = new Tensor(out, x.shape, g.dtype);
  if (g._memory_order !== null || x._memory_order !== null) res._memory_order = elementwise_order([g, x], x.shape);
  return res;
}

/** An output whose element i is computed by the caller from e[i] (unary ops): x's shape and layout, as ew(). */
export function unary_like(out: F, x: Tensor, dt: DType): Tensor {
  const res = new Tensor(out, x.shape, dt);
  if (x._memory_order !== null) res._memory_order = elementwise_order([x], x.shape);
  return res;
}
