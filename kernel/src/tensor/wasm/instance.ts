/**
 * The one instance of the generated WebAssembly module (gemm_bytes.ts), shared by the matrix
 * product (gemm.ts), the element-wise kernels (elementwise.ts) and a convolution's column matrix
 * (nn/functional/conv_wasm.ts), with its growable memory.
 *
 * Loading, synchronous (the module is ~6 KB), in order of preference:
 * 1. the module whose micro-kernel uses relaxed-SIMD fused multiply-adds (f32x4.relaxed_madd: one
 *    FMA instead of a multiply and an add, twice the arithmetic per cycle). Node ≥ 22 validates it
 *    as is; Node 20's V8 (11.3) has relaxed SIMD behind `--experimental-wasm-relaxed-simd`, a flag
 *    that only widens what the wasm validator accepts, so it is switched on for this one compile.
 *    LRLAB_WASM_FMA=0 skips this step.
 * 2. the plain SIMD module (multiply then add);
 * 3. nothing (no WebAssembly, no SIMD, or LRLAB_WASM=0): callers use their JS kernels.
 */
import { GEMM_WASM_BASE64, GEMM_WASM_FUSED_BASE64 } from "./gemm_bytes";
import { allow_relaxed_simd, decode_base64, env, wasm_api, type WasmApi, type WasmMemory } from "../../wasm_host";

type Fn3 = (a: number, b: number, c: number) => void;
type Fn4 = (a: number, b: number, c: number, d: number) => void;
type Fn6 = (a: number, b: number, c: number, d: number, e: number, f: number) => void;
type Fn9 = (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number) => void;

export interface WasmExports {
  pack_a_f32: Fn6; pack_b_f32: Fn6; macro_f32: Fn9; add_rows_f32: Fn4; relu_f32: Fn3; relu_bwd_f32: Fn4; im2col_f32: Fn3; col2im_f32: Fn3; add_cols_f32: Fn4;
  pack_a_f64: Fn6; pack_b_f64: Fn6; macro_f64: Fn9; add_rows_f64: Fn4; relu_f64: Fn3; relu_bwd_f64: Fn4; im2col_f64: Fn3; col2im_f64: Fn3; add_cols_f64: Fn4;
}

export interface WasmInstance {
  ex: WasmExports;
  /** The compiled module: a worker thread instantiates it on the same memory (threads.ts). */
  module: object;
  /** True when the micro-kernel uses fused multiply-adds. */
  fused: boolean;
  /** Shared (a SharedArrayBuffer underneath), so that a worker thread can work on it too. */
  mem: WasmMemory;
  buffer: ArrayBufferLike | null;
  f32: Float32Array;
  f64: Float64Array;
}

let instance: WasmInstance | null | undefined;
let enabled = true;

function instantiate(WA: WasmApi, b64: string, mem: WasmMemory): { ex: WasmExports; module: object } | null {
  try {
    const module = new WA.Module(decode_base64(b64));
    return { ex: new WA.Instance(module, { env: { mem } }).exports as WasmExports, module };
  } catch {
    return null; // CompileError: the engine lacks a feature the module uses
  }
}

function load(fma: boolean): WasmInstance | null {
  const WA = wasm_api();
  if (WA === undefined) return null;
  let mem: WasmMemory;
  try {
    mem = new WA.Memory({ initial: 16, maximum: MAX_BYTES / 65536, shared: true });
  } catch {
    return null; // no shared memory (SharedArrayBuffer) in this engine
  }
  let ex: { ex: WasmExports; module: object } | null = null;
  let fused = false;
  if (fma) {
    ex = instantiate(WA, GEMM_WASM_FUSED_BASE64, mem);
    if (ex === null && allow_relaxed_simd()) ex = instantiate(WA, GEMM_WASM_FUSED_BASE64, mem);
    fused = ex !== null;
  }
  if (ex === null) ex = instantiate(WA, GEMM_WASM_BASE64, mem);
  if (ex === null) return null;
  return { ex: ex.ex, module: ex.module, fused, mem, buffer: null, f32: new Float32Array(0), f64: new Float64Array(0) };
}

/** The module instance, or null when WebAssembly SIMD is unavailable or switched off. */
export function wasm(): WasmInstance | null {
  if (!enabled) return null;
  if (instance === undefined) instance = load(env("LRLAB_WASM_FMA") !== "0");
  return instance;
}

/** Re-instantiates the module, with or without fused multiply-adds (tests of both variants). */
export function reload_wasm(fma: boolean): void {
  instance = load(fma);
}

/** What the WebAssembly kernels run on: null (JS fallback), "simd" or "simd+fma". */
export function wasm_kind(): "simd" | "simd+fma" | null {
  const w = wasm();
  return w === null ? null : w.fused ? "simd+fma" : "simd";
}

/** Switches the WebAssembly kernels off (false) or back on (tests of the JS fallback). */
export function set_wasm_enabled(on: boolean): void {
  enabled = on;
}

/**
 * The most memory the kernels use (1 GiB): the module addresses memory with i32 arithmetic, and a
 * product needing more is left to the JS kernels rather than pinning that much memory.
 */
export const MAX_BYTES = 2 ** 30;

/**
 * Grows the memory to at least `bytes` and refreshes the typed views over it; false (nothing
 * changed) when that is more than MAX_BYTES or the engine refuses to grow. The memory is kept
 * for later calls (it never shrinks).
 */
export function reserve(inst: WasmInstance, bytes: number): boolean {
  const have = inst.mem.buffer.byteLength;
  if (bytes > MAX_BYTES) return false;
  if (bytes > have) {
    try {
      inst.mem.grow(Math.ceil((bytes - have) / 65536));
    } catch {
      return false; // RangeError: out of memory
    }
  }
  if (inst.buffer !== inst.mem.buffer) {
    inst.buffer = inst.mem.buffer;
    inst.f32 = new Float32Array(inst.buffer);
    inst.f64 = new Float64Array(inst.buffer);
  }
  return true;
}

export const align16 = (n: number): number => (n + 15) & ~15;
