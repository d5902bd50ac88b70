/**
 * What every WebAssembly module of lrlab needs from its host (tensor/wasm, optim/wasm, random,
 * trace): the engine's WebAssembly API, the LRLAB_WASM=0 switch, base64 decoding of the embedded
 * modules, and V8's relaxed-SIMD flag. The compile target's lib has no WebAssembly declarations:
 * the little used is typed here.
 */

export interface WasmMemory { readonly buffer: ArrayBufferLike; grow(pages: number): number }
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { exports: unknown };
  Memory: new (desc: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

/** An environment variable, where there is a `process` (Node). */
export function env(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

/**
 * The engine's WebAssembly, or undefined when it has none or LRLAB_WASM=0 (the switch of every
 * WebAssembly kernel of lrlab: callers then run their JS loops).
 */
export function wasm_api(): WasmApi | undefined {
  if (env("LRLAB_WASM") === "0") return undefined;
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

/** The bytes of an embedded module. */
export function decode_base64(b64: string): Uint8Array {
  const B = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B) return B.from(b64, "base64");
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

/**
 * Node 20's V8 (11.3) validates relaxed SIMD only with `--experimental-wasm-relaxed-simd` (on by
 * default from Node 22); the flag only widens what the validator accepts. False when it cannot be
 * set (not Node).
 */
export function allow_relaxed_simd(): boolean {
  try {
    const v8 = require("node:v8") as { setFlagsFromString(flags: string): void };
    v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
    return true;
  } catch {
    return false;
  }
}
