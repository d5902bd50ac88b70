/**
 * Batched exp, tanh, sigmoid = 1 / (1 + exp(−x)) and expm1 over typed arrays, with exactly the bits
 * of V8's Math.exp / Math.tanh / Math.expm1 (and of JS's `1 / (1 + Math.exp(-x))`), in WebAssembly SIMD (module:
 * kernel/scripts/gen_transcendental_wasm.cjs, which explains why the bits are the same;
 * test/tensor/fast_exp.test.ts checks millions of inputs).
 *
 * Why: Math.exp / Math.tanh are calls into V8's C++ (fdlibm), ~15-25 ns an element here; the
 * vector version costs ~6 (exp, sigmoid) and ~15 (tanh) ns (kernel alone, loaded machine; PERF.md).
 *
 * The module has its own 64 KiB memory (CHUNK doubles): values are copied in (a Float32Array's
 * exactly widened to double), computed in place and copied back (rounded to float32 by the
 * typed-array store, as the JS loops' stores round the double result). Below MIN_ELEMENTS, with
 * WebAssembly unavailable, or after set_transcendental_wasm_enabled(false), the functions return
 * false and callers run their JS loops.
 */
import { TRANSC_CHUNK, TRANSC_WASM_BASE64 } from "./transcendental_bytes";
import { decode_base64, wasm_api } from "../../wasm_host";

type F = Float32Array | Float64Array;
type Kernel = (start: number, end: number) => void;
export type Transcendental = "exp" | "tanh" | "sigmoid" | "expm1";

/** Elements from which the copies pay (measured: 100 elements are already faster; PERF.md). */
export const TRANSC_MIN_ELEMENTS = 64;

interface Module { exp: Kernel; tanh: Kernel; sigmoid: Kernel; expm1: Kernel; mem: Float64Array }

let instance: Module | null | undefined;
let enabled = true;

function load(): Module | null {
  const WA = wasm_api();
  if (WA === undefined) return null;
  try {
    const m = new WA.Module(decode_base64(TRANSC_WASM_BASE64));
    const ex = new WA.Instance(m, { env: { exp: Math.exp, tanh: Math.tanh, expm1: Math.expm1 } }).exports as Record<string, unknown>;
    const mem = new Float64Array((ex.mem as { buffer: ArrayBuffer }).buffer);
    return { exp: ex.exp_f64 as Kernel, tanh: ex.tanh_f64 as Kernel, sigmoid: ex.sigmoid_f64 as Kernel, expm1: ex.expm1_f64 as Kernel, mem };
  } catch {
    return null; // CompileError: no SIMD in this engine
  }
}

function module(n: number): Module | null {
  if (!enabled || n < TRANSC_MIN_ELEMENTS) return null;
  if (instance === undefined) instance = load();
  return instance;
}

/** Switches the WebAssembly path off (false) or back on: tests compare it with the JS loops. */
export function set_transcendental_wasm_enabled(on: boolean): void {
  enabled = on;
}

/** Whether an array of `n` elements takes the WebAssembly path (callers allocate its output only then). */
export function transcendental_wasm_for(n: number): boolean {
  return module(n) !== null;
}

/** True when the WebAssembly module is in use (tests check that this path was taken). */
export function transcendental_wasm_available(): boolean {
  return module(TRANSC_MIN_ELEMENTS) !== null;
}

/**
 * dst[dstAt + i] = f(src[srcAt + i]) for i < n (f = exp, tanh or sigmoid); src and dst may be the
 * same array (in place). False (nothing done) when the WebAssembly path is not taken.
 */
export function wasm_transcendental(f: Transcendental, src: F, srcAt: number, dst: F, dstAt: number, n: number): boolean {
  const m = module(n);
  if (m === null) return false;
  const k = m[f];
  const mem = m.mem;
  for (let s = 0; s < n; s += TRANSC_CHUNK) {
    const c = Math.min(TRANSC_CHUNK, n - s);
    mem.set(src.subarray(srcAt + s, srcAt + s + c));
    k(0, ((c + 1) & ~1) * 8); // an odd count's extra lane is computed on a stale double, not copied out
    dst.set(mem.subarray(0, c), dstAt + s);
  }
  return true;
}

/** The JS function each kernel reproduces, for one value. */
function scalar(f: Transcendental, v: number): number {
  return f === "exp" ? Math.exp(v) : f === "tanh" ? Math.tanh(v) : f === "expm1" ? Math.expm1(v) : 1 / (1 + Math.exp(-v));
}

/**
 * In place over `rows` rows of `rowLen` elements of x: for each segment [f, start, len], x[row·rowLen
 * + start + j] = f(...) for j < len (the gate blocks of a fused RNN step). False when not taken.
 */
export function wasm_transcendental_rows(x: F, rows: number, rowLen: number, segments: readonly (readonly [Transcendental, number, number])[]): boolean {
  if (rowLen > TRANSC_CHUNK) return false;
  const m = module(rows * rowLen);
  if (m === null) return false;
  const mem = m.mem;
  const per = Math.floor(TRANSC_CHUNK / rowLen);
  for (let r0 = 0; r0 < rows; r0 += per) {
    const r1 = Math.min(rows, r0 + per);
    mem.set(x.subarray(r0 * rowLen, r1 * rowLen));
    for (const [f, start, len] of segments) {
      const k = m[f];
      const even = len & ~1;
      for (let r = 0; r < r1 - r0; r++) {
        const at = r * rowLen + start;
        if (even > 0) k(at * 8, (at + even) * 8);
        // An odd segment's last element in JS: a vector there would overwrite the next element.
        if (even !== len) mem[at + even] = scalar(f, mem[at + even]);
      }
    }
    x.set(mem.subarray(0, (r1 - r0) * rowLen), r0 * rowLen);
  }
  return true;
}
