/**
 * The tracer's per-element pass in native code (kernel/native/trace_sums.c: 256-bit SIMD with
 * fused multiply-adds), used by wasm_sums.ts `wasmSums` in place of the WebAssembly pass when it
 * is available: the same output block in the module's memory, the same sums up to the order of
 * the additions, the same exact extremes of ρ (the C file says why), ~3× faster.
 *
 * Null (the WebAssembly pass runs) when the addon was not built (no C compiler or no Node headers
 * at set-up), cannot load, the processor lacks AVX2 and FMA, or LRLAB_TRACE_NATIVE=0 or
 * LRLAB_NATIVE=0 (every native addon off).
 */
import type { Storage } from "../tensor/tensor";
import { env } from "../wasm_host";
import { NATIVE_ADDON, nativeAddon } from "../native_addon";
import { keepPass, type StepSums } from "./sums";

/** The addon's pass: false when it did not run (the caller runs the WebAssembly pass). */
export type NativePass = (memory: Uint8Array, f32: boolean, theta: number, after: number, grad: number, n: number, out: number) => boolean;
/**
 * The addon's strided reads of sample.ts: ρ of the drawn elements with g ≠ 0 (`idx` increasing,
 * into the parts laid end to end; `parts` θ_t, g_t, θ_{t+1} of each part in turn) into `out`;
 * returns how many. The same float64 operations as the JavaScript loop, so the same values.
 */
export type NativeGather = (parts: ArrayLike<number>[], idx: Int32Array, out: Float64Array) => number;
/** The addon's pass over three typed arrays wherever they are, with or without draws (see trace_sums.c `sums_arrays`). */
type NativeArrays = {
  (theta: Storage, after: Storage, grad: Storage, out: Float64Array): boolean;
  (theta: Storage, after: Storage, grad: Storage, out: Float64Array, idx: Int32Array, j0: number, j1: number, base: number, rho: Float64Array): boolean;
};

/**
 * The draws of a ρ sample inside one parameter's arrays (sample.ts RhoDraws): idx[j0..j1), each
 * idx[j] − base an element of the arrays; draw j's ρ goes to values[j] (NaN where g = 0). The pass
 * takes them chunk by chunk (trace_sums.c Draws); then j0 is set to j1.
 */
export interface PassDraws {
  idx: Int32Array;
  j0: number;
  j1: number;
  base: number;
  values: Float64Array;
}

/** Where scripts/setup.mjs writes the addon (native_addon.ts). */
export const NATIVE_TRACE_SUMS = NATIVE_ADDON;

/** The addon's order statistics (select.h): false when a value is NaN (nothing done). */
export type NativeSelect = (a: Float64Array, n: number, ranks: Int32Array, out: Float64Array) => boolean;

interface Addon {
  /** Absent from an addon built before session 23 (then nothing is woken ahead of an update). */
  help_wake: (() => void) | null;
  /** Elements from which the addon cuts a pass or an update in two (pass_helper.h HELP_MIN). */
  help_min: number;
  sums: NativePass;
  sums_arrays: NativeArrays;
  rho_gather: NativeGather;
  /** Absent from an addon built before session 20 (then select.ts selects). */
  select: NativeSelect | null;
}

let loaded: Addon | null | undefined;

function addon(): Addon | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (env("LRLAB_TRACE_NATIVE") === "0") return null;
  const m = nativeAddon() as (Partial<Addon> & Record<string, unknown>) | null;
  if (m !== null && typeof m.sums === "function" && typeof m.sums_arrays === "function" && typeof m.rho_gather === "function") {
    const stats = typeof m.help_stats === "function" ? (m.help_stats as () => number[])() : null;
    loaded = {
      help_wake: typeof m.help_wake === "function" ? (m.help_wake as () => void) : null,
      help_min: stats !== null ? stats[2] : Infinity,
      sums: m.sums, sums_arrays: m.sums_arrays, rho_gather: m.rho_gather, select: typeof m.select === "function" ? m.select : null,
    };
  }
  return loaded;
}

/** The native pass, or null (see the file comment). */
export function native_pass(): NativePass | null {
  return addon()?.sums ?? null;
}

/** The native strided reads of ρ, or null (sample.ts then reads in JavaScript). */
export function native_rho_gather(): NativeGather | null {
  return addon()?.rho_gather ?? null;
}

/** The native order statistics, or null (quantiles.ts then selects with select.ts). */
export function native_select(): NativeSelect | null {
  return addon()?.select ?? null;
}

/**
 * Wakes the addon's helper thread when a step is about to update or measure a parameter of at
 * least `largest` elements that the addon cuts into chunks shared with it (trace_sums.c
 * pass_helper.h): the helper then is running when the update posts them (~25 µs sooner). The
 * tracer's pre-hook.
 */
export function native_help_wake(largest: number): void {
  const a = addon();
  if (a !== null && a.help_wake !== null && largest >= a.help_min) a.help_wake();
}

/** Whether the native pass over arrays in place is available (snapshot.ts's in-place measurement). */
export function native_in_place(): boolean {
  return addon() !== null;
}

const arrayOut = new Float64Array(9);

/**
 * The sums of one parameter from θ_t, g_t and θ_{t+1} wherever they are (the copy of θ_t, the live
 * gradient and parameter) into `s` (reset by the caller), as wasm_sums.ts `wasmSums` from the
 * module's memory: false when the addon is not there, a sum is not finite or a float64 sum of
 * squares underflowed (the caller redoes the careful JavaScript pass, sums.ts). With `draws`,
 * the pass also takes them when it runs (whatever it then says of the sums: ρ is read from the
 * arrays, not from the sums); draws.j0 = draws.j1 says they were taken.
 */
export function nativeArraySums(theta: Storage, grad: Storage, after: Storage, s: StepSums, draws: PassDraws | null = null): boolean {
  const a = addon();
  // one type and length (a parameter whose dtype changed in the step goes to the JS pass)
  if (a === null || after.constructor !== theta.constructor || grad.constructor !== theta.constructor || after.length !== theta.length || grad.length !== theta.length) return false;
  const o = arrayOut;
  if (draws === null) {
    if (!a.sums_arrays(theta, after, grad, o)) return false;
  } else {
    if (!a.sums_arrays(theta, after, grad, o, draws.idx, draws.j0, draws.j1, draws.base, draws.values)) return false;
    draws.j0 = draws.j1;
  }
  return nativeOutSums(o, theta, grad, after, s);
}

/**
 * The sums of one parameter from the native pass's output block `o` (sums_arrays's layout; also
 * what SGD's native update writes when it takes the pass along, optim/native_update.ts) into `s`:
 * false when a sum is not finite or a float64 sum of squares underflowed (the caller redoes the
 * careful JavaScript pass over the same arrays, sums.ts).
 */
export function nativeOutSums(o: Float64Array, theta: Storage, grad: Storage, after: Storage, s: StepSums): boolean {
  const n = theta.length;
  // e = θ − a = −d: Σ e·g and Σ θ·e come out negated, exactly
  s.dg = 0 - o[0];
  s.gg = o[1];
  s.dd = o[2];
  s.tt = o[3];
  s.aa = o[4];
  s.td = 0 - o[5];
  s.rho_min = o[6];
  s.rho_max = o[7];
  s.nonzero = n - o[8];
  s.n = n;
  return keepPass(s, theta instanceof Float32Array, () => [theta, grad, after]);
}

/** Switches the native code off (false) or back on (true): tests compare it with the WebAssembly and JavaScript code. */
export function set_native_pass_enabled(on: boolean): void {
  loaded = on ? undefined : null;
}

/** A byte view of the whole memory, kept while the memory's buffer is the same (it changes when it grows). */
const views = new WeakMap<ArrayBufferLike, Uint8Array>();
export function bytesOf(buffer: ArrayBufferLike): Uint8Array {
  let v = views.get(buffer);
  if (v === undefined) {
    v = new Uint8Array(buffer);
    views.set(buffer, v);
  }
  return v;
}
