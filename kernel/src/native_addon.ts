/**
 * The native addon kernel/native/build/trace_sums.node (built by scripts/setup.mjs with the
 * machine's C compiler): the tracer's pass and selection (trace/native_sums.ts) and the
 * optimizers' update loops (optim/native_update.ts). Loaded here once for both; null when it was
 * not built, cannot load, its fast loops do not run on this processor (no AVX2 and FMA), or
 * LRLAB_NATIVE=0. Each user adds its own switch (LRLAB_TRACE_NATIVE, LRLAB_OPTIM_NATIVE).
 */
import * as path from "node:path";
import { env } from "./wasm_host";

/** Where scripts/setup.mjs writes the addon (the same place from kernel/src and kernel/dist). */
export const NATIVE_ADDON = path.join(__dirname, "..", "native", "build", "trace_sums.node");

let loaded: Record<string, unknown> | null | undefined;

export function nativeAddon(): Record<string, unknown> | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (env("LRLAB_NATIVE") === "0") return null;
  try {
    const m = require(NATIVE_ADDON) as Record<string, unknown>;
    if (typeof m.level === "function" && (m.level as () => string)() !== "") loaded = m;
  } catch {
    // not built here, or not loadable in this process: the WebAssembly code runs
  }
  return loaded;
}
