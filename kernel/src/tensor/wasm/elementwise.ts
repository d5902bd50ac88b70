/**
 * ReLU and its gradient in WebAssembly SIMD (the module's relu_* / relu_bwd_* exports):
 *   relu(x) = max(x, 0)   (NaN stays NaN; -0 gives +0)        relu'(y, g) = y > 0 ? g : 0
 * Branch-free: in JS the data-dependent branch mispredicts on about half of a layer's
 * activations, which made ReLU cost ~10 ns per element; here it is a vector max or select.
 * Arrays are copied in and out of the module's memory (memcpy), so small inputs stay in JS.
 */
import { align16, reserve, wasm } from "./instance";

type F = Float32Array | Float64Array;

/** Elements from which the WebAssembly version pays for its copies. */
export const WASM_MIN_ELEMENTS = 2048;

/** out = relu(x); false (nothing done) when the module is unavailable. x and out: same type. */
export function wasm_relu(x: F, out: F): boolean {
  const n = x.length;
  const inst = n >= WASM_MIN_ELEMENTS && x.constructor === out.constructor ? wasm() : null;
  if (inst === null) return false;
  const f32 = x instanceof Float32Array;
  const esz = f32 ? 4 : 8;
  const o = align16(n * esz);
  if (!reserve(inst, 2 * o)) return false;
  const view = (f32 ? inst.f32 : inst.f64) as Float64Array;
  view.set(x as Float64Array, 0);
  (f32 ? inst.ex.relu_f32 : inst.ex.relu_f64)(0, o, n);
  (out as Float64Array).set(view.subarray(o / esz, o / esz + n));
  return true;
}

/** out = (y > 0 ? g : 0) element-wise (ReLU's backward from its output y); false when unavailable. */
export function wasm_relu_backward(y: F, g: F, out: F): boolean {
  const n = y.length;
  const same = y.constructor === out.constructor && g.constructor === out.constructor;
  const inst = n >= WASM_MIN_ELEMENTS && same ? wasm() : null;
  if (inst === null) return false;
  const f32 = y instanceof Float32Array;
  const esz = f32 ? 4 : 8;
  const o = align16(n * esz);
  if (!reserve(inst, 3 * o)) return false;
  const view = (f32 ? inst.f32 : inst.f64) as Float64Array;
  view.set(y as Float64Array, 0);
  view.set(g as Float64Array, o / esz);
  (f32 ? inst.ex.relu_bwd_f32 : inst.ex.relu_bwd_f64)(0, o, 2 * o, n);
  (out as Float64Array).set(view.subarray((2 * o) / esz, (2 * o) / esz + n));
  return true;
}
