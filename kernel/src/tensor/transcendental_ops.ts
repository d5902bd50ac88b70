/**
 * The forward of the element-wise exp, tanh and sigmoid ops on WebAssembly SIMD
 * (wasm/transcendental.ts: the same bits as the JS kernels `Math.exp(a)`, `Math.tanh(a)`,
 * `1 / (1 + Math.exp(-a))`, several times fewer ns an element). Null when that path is not taken
 * (not a float tensor, too small, no WebAssembly): the caller runs its JS kernel.
 */
import { DType, Tensor } from "./tensor";
import { storage_for } from "./dtype";
import { elementwise_order } from "./memory_order";
import { type Transcendental, transcendental_wasm_for, wasm_transcendental } from "./wasm/transcendental";

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
