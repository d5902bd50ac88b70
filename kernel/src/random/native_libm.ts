/**
 * The C library's `log`, for the float64 normal sampler (kernels.ts), through the small addon
 * kernel/native/libm.c that scripts/setup.mjs builds with the machine's C compiler.
 *
 * Why: PyTorch's kernel for float64 normals of 16+ elements calls the C library's log. glibc's is
 * accurate to ~0.52 ulp, not correctly rounded, and its exact results come from a private
 * 128-entry table chosen by a search; lrlab's own log (libm.ts, log_fast.ts) is correctly
 * rounded, so about 0.1% of those normals would differ from PyTorch's in the last bit. Calling the
 * same function from the same library gives PyTorch's bits.
 *
 * Null (callers use lrlab's correctly rounded log) when the addon was not built (no compiler or
 * no Node headers at set-up), cannot load, or LRLAB_NATIVE=0.
 */
import * as path from "node:path";
import { env } from "../wasm_host";

let loaded: ((x: number) => number) | null | undefined;

/** Where scripts/setup.mjs writes the addon (the same place from kernel/src and kernel/dist). */
export const NATIVE_LIBM = path.join(__dirname, "..", "..", "native", "build", "libm.node");

/** The C library's log, or null (see the file comment). */
export function native_log(): ((x: number) => number) | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (env("LRLAB_NATIVE") === "0") return null;
  try {
    const m = require(NATIVE_LIBM) as { log?: (x: number) => number };
    if (typeof m.log === "function" && m.log(1) === 0) loaded = m.log;
  } catch {
    // not built here: lrlab's own log
  }
  return loaded;
}

/** Switches the C library's log off (false) or back on: tests of lrlab's own log. */
export function set_native_libm_enabled(on: boolean): void {
  loaded = on ? undefined : null;
}

/** The log float64 normals use: the C library's when available, else lrlab's correctly rounded one. */
export function normal_log(fallback: (x: number) => number): (x: number) => number {
  return native_log() ?? fallback;
}
