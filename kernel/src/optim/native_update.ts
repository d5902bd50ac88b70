/**
 * SGD's update of large float32 parameters in native code (kernel/native/sgd_update.h, built into
 * the tracer's addon kernel/native/build/trace_sums.node by set-up): the same bits as the
 * JavaScript and WebAssembly loops (sgd.ts sgdUpdate32, wasm/update.ts), read and written where the
 * arrays are, ~0.11 ms a step for a 784-256-10 MLP against ~0.2 ms for the WebAssembly loop's
 * copies in and out of its memory (PERF.md, session 20).
 *
 * Taps (wasm/tap.ts): an in-place tap asking for the tracer's pass (`fused`) gets it from the same
 * loop, with θ_t copied into it; a tap that wants ∇ and θ_{t+1} copied (the tracer's worker and
 * copy paths) leaves the update to the WebAssembly loop, which copies them (false here).
 *
 * Null (false: the caller updates another way) when the addon was not built, cannot load, the
 * processor lacks AVX2 and FMA, or LRLAB_OPTIM_NATIVE=0 or LRLAB_NATIVE=0 (every native addon off).
 */
import * as path from "node:path";
import type { Storage } from "../tensor/tensor";
import { env } from "../wasm_host";
import { taps_on, tap_stats } from "./wasm/tap";

type NativeSgd = {
  (theta: Float32Array, grad: Float32Array, buf: Float32Array | null, kind: number, maximize: boolean, negLr: number, wd: number, mom: number, keep: number): boolean;
  (theta: Float32Array, grad: Float32Array, buf: Float32Array | null, kind: number, maximize: boolean, negLr: number, wd: number, mom: number, keep: number,
    out: Float64Array, copy: Float32Array): boolean;
  (theta: Float32Array, grad: Float32Array, buf: Float32Array | null, kind: number, maximize: boolean, negLr: number, wd: number, mom: number, keep: number,
    out: Float64Array, copy: Float32Array, idx: Int32Array, j0: number, j1: number, base: number, rho: Float64Array): boolean;
};

/** Where scripts/setup.mjs writes the addon (the same place from kernel/src and kernel/dist). */
const ADDON = path.join(__dirname, "..", "..", "native", "build", "trace_sums.node");

let loaded: NativeSgd | null | undefined;

function nativeSgd(): NativeSgd | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (env("LRLAB_OPTIM_NATIVE") === "0" || env("LRLAB_NATIVE") === "0") return null;
  try {
    const m = require(ADDON) as { sgd?: NativeSgd; level?: () => string };
    if (typeof m.sgd === "function" && typeof m.level === "function" && m.level() !== "") loaded = m.sgd;
  } catch {
    // not built here, or not loadable in this process: the WebAssembly loop
  }
  return loaded;
}

/** Switches the native update off (false) or back on (true): tests compare it with the other loops. */
export function set_native_update_enabled(on: boolean): void {
  loaded = on ? undefined : null;
}

/** How many updates ran here, and how many took the tracer's pass along (tests check the path). */
export const native_update_stats = { updates: 0, fused: 0 };

/**
 * SGD's step on float32 θ, ∇ and the momentum buffer (null for plain SGD), as sgd.ts's loops (kind:
 * 0 plain, 1 momentum, 2 Nesterov; the scalars float32-rounded as there). False when it did not
 * run (no addon, other types, or a tap that wants copies): the caller updates another way.
 */
export function sgd_native(
  theta: Storage, grad: Storage, buf: Storage | null, kind: number, maximize: boolean,
  negLr: number, wd: number, mom: number, keep: number,
): boolean {
  const sgd = nativeSgd();
  if (sgd === null || !(theta instanceof Float32Array) || !(grad instanceof Float32Array) || grad.length !== theta.length) return false;
  if (buf !== null && (!(buf instanceof Float32Array) || buf.length !== theta.length)) return false;
  const taps = taps_on(theta);
  if (taps.length === 0) {
    if (!sgd(theta, grad, buf, kind, maximize, negLr, wd, mom, keep)) return false;
    native_update_stats.updates++;
    return true;
  }
  // one in-place tap asking for the pass, on the gradient being read: the fused loop
  const tap = taps[0];
  const fused = tap.fused ?? null;
  if (taps.length !== 1 || fused === null || tap.grad !== null || tap.after !== null || tap.gradSource !== grad || !(tap.theta instanceof Float32Array)) return false;
  const d = fused.draws;
  const ran = d === null
    ? sgd(theta, grad, buf, kind, maximize, negLr, wd, mom, keep, fused.out, tap.theta)
    : sgd(theta, grad, buf, kind, maximize, negLr, wd, mom, keep, fused.out, tap.theta, d.idx, d.j0, d.j1, d.base, d.values);
  if (!ran) return false;
  fused.done = true;
  tap.filled = true;
  tap_stats.filled++;
  native_update_stats.updates++;
  native_update_stats.fused++;
  return true;
}
