/**
 * SGD's, Adam's (AdamW's), RMSprop's and Adagrad's updates of large float32 parameters in native
 * code (kernel/native/sgd_update.h, adam_update.h, rmsprop_update.h, adagrad_update.h, built into
 * the tracer's addon kernel/native/build/trace_sums.node by set-up): the same bits as the
 * JavaScript and WebAssembly loops (sgd.ts sgdUpdate32, adam.ts adamUpdate32, rmsprop.ts,
 * adagrad.ts, wasm/update.ts), read and written where the
 * arrays are: SGD's ~0.11 ms a step for a 784-256-10 MLP against ~0.2 ms for the WebAssembly
 * loop's copies in and out of its memory (PERF.md, session 20).
 *
 * Taps (wasm/tap.ts): an in-place tap asking for the tracer's pass (`fused`) gets it from the same
 * loop, with θ_t copied into it; a tap that wants ∇ and θ_{t+1} copied (the tracer's worker and
 * copy paths) leaves the update to the WebAssembly loop, which copies them (false here).
 *
 * Null (false: the caller updates another way) when the addon was not built, cannot load, the
 * processor lacks AVX2 and FMA, or LRLAB_OPTIM_NATIVE=0 or LRLAB_NATIVE=0 (every native addon off).
 */
import type { Storage } from "../tensor/tensor";
import { env } from "../wasm_host";
import { nativeAddon } from "../native_addon";
import { taps_on, tap_stats, type FusedPass, type UpdateTap } from "./wasm/tap";

type NativeSgd = {
  (theta: Float32Array, grad: Float32Array, buf: Float32Array | null, kind: number, maximize: boolean, negLr: number, wd: number, mom: number, keep: number): boolean;
  (theta: Float32Array, grad: Float32Array, buf: Float32Array | null, kind: number, maximize: boolean, negLr: number, wd: number, mom: number, keep: number,
    out: Float64Array, copy: Float32Array): boolean;
  (theta: Float32Array, grad: Float32Array, buf: Float32Array | null, kind: number, maximize: boolean, negLr: number, wd: number, mom: number, keep: number,
    out: Float64Array, copy: Float32Array, idx: Int32Array, j0: number, j1: number, base: number, rho: Float64Array): boolean;
};

/** The addon's Adam (adam_update.h): the scalars of adam.ts's AdamScalars, then the pass's arguments as sgd's. */
type NativeAdam = (theta: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, vMax: Float32Array | null, maximize: boolean,
  decay: number, wd: number, lerpFromM: boolean, w: number, wMinus1: number, beta2: number, oneMinusBeta2: number, negStepSize: number,
  bc2Sqrt: number, eps: number, ...pass: unknown[]) => boolean;

/** An update of the addon with its scalars, then the pass's arguments (rmsprop, adagrad). */
type NativeUpdate = (...args: unknown[]) => boolean;

interface Loops {
  sgd: NativeSgd;
  adam: NativeAdam | null;
  rmsprop: NativeUpdate | null;
  adagrad: NativeUpdate | null;
}

let loaded: Loops | null | undefined;

function addon(): Loops | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (env("LRLAB_OPTIM_NATIVE") === "0") return null;
  const m = nativeAddon() as { sgd?: NativeSgd; adam?: NativeAdam; rmsprop?: NativeUpdate; adagrad?: NativeUpdate } | null;
  if (m !== null && typeof m.sgd === "function") {
    const fn = <T>(f: T | undefined): T | null => (typeof f === "function" ? f : null);
    loaded = { sgd: m.sgd, adam: fn(m.adam), rmsprop: fn(m.rmsprop), adagrad: fn(m.adagrad) };
  }
  return loaded;
}

/**
 * The tap of `theta` asking for the pass on this gradient (an in-place one alone), its request;
 * null when there is no tap (a plain update); undefined when a tap wants something else (copies of
 * ∇ and θ_{t+1}: the WebAssembly loop makes them).
 */
function fusedRequest(theta: Float32Array, grad: Float32Array): { tap: UpdateTap; fused: FusedPass } | null | undefined {
  const taps = taps_on(theta);
  if (taps.length === 0) return null;
  const tap = taps[0];
  const fused = tap.fused ?? null;
  if (taps.length !== 1 || fused === null || tap.grad !== null || tap.after !== null || tap.gradSource !== grad || !(tap.theta instanceof Float32Array)) return undefined;
  return { tap, fused };
}

/** The pass's arguments for the addon: out, copy, and the draws when there are any (the group's, then the parameter's own). */
function passArgs(tap: UpdateTap, fused: FusedPass): unknown[] {
  const args: unknown[] = [fused.out, tap.theta];
  const d = fused.draws, own = fused.own;
  if (d !== null) args.push(d.idx, d.j0, d.j1, d.base, d.values);
  if (own !== null) args.push(own.idx, own.j0, own.j1, own.base, own.values);
  return args;
}

/** A fused update that ran: its tap is filled. */
function filled(tap: UpdateTap, fused: FusedPass): void {
  fused.done = true;
  tap.filled = true;
  tap_stats.filled++;
  native_update_stats.fused++;
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
  const a = addon();
  if (a === null || !f32Like(theta, grad) || (buf !== null && !f32Like(theta, buf))) return false;
  const req = fusedRequest(theta as Float32Array, grad as Float32Array);
  if (req === undefined) return false;
  const args = [theta, grad, buf, kind, maximize, negLr, wd, mom, keep, ...(req === null ? [] : passArgs(req.tap, req.fused))];
  if (!(a.sgd as (...x: unknown[]) => boolean)(...args)) return false;
  native_update_stats.updates++;
  if (req !== null) filled(req.tap, req.fused);
  return true;
}

/** Whether `x` is a Float32Array as long as the float32 `theta`. */
function f32Like(theta: Storage, x: Storage): boolean {
  return theta instanceof Float32Array && x instanceof Float32Array && x.length === theta.length;
}

/**
 * Adam's (and AdamW's) step on float32 θ, ∇, exp_avg `m`, exp_avg_sq `v` and, under amsgrad,
 * max_exp_avg_sq `vMax`, as adam.ts's loop with its scalars `s`. False when it did not run (as sgd_native).
 */
export function adam_native(
  theta: Storage, grad: Storage, m: Storage, v: Storage, vMax: Storage | null,
  s: { maximize: boolean; decay: number; wd: number; lerpFromM: boolean; w: number; wMinus1: number; beta2: number; oneMinusBeta2: number; negStepSize: number; bc2Sqrt: number; eps: number },
): boolean {
  const a = addon();
  if (a === null || a.adam === null || !f32Like(theta, grad) || !f32Like(theta, m) || !f32Like(theta, v) || (vMax !== null && !f32Like(theta, vMax))) return false;
  const req = fusedRequest(theta as Float32Array, grad as Float32Array);
  if (req === undefined) return false;
  if (!a.adam(theta as Float32Array, grad as Float32Array, m as Float32Array, v as Float32Array, vMax as Float32Array | null, s.maximize,
    s.decay, s.wd, s.lerpFromM, s.w, s.wMinus1, s.beta2, s.oneMinusBeta2, s.negStepSize, s.bc2Sqrt, s.eps, ...(req === null ? [] : passArgs(req.tap, req.fused)))) return false;
  native_update_stats.updates++;
  if (req !== null) filled(req.tap, req.fused);
  return true;
}

/**
 * RMSprop's step on float32 θ, ∇, square_avg `v`, grad_avg `ga` (centered, else null) and
 * momentum_buffer `b` (momentum > 0, else null), as rmsprop.ts's loop with its scalars `s`. False
 * when it did not run (as sgd_native).
 */
export function rmsprop_native(
  theta: Storage, grad: Storage, v: Storage, ga: Storage | null, b: Storage | null,
  s: { maximize: boolean; wd: number; alpha: number; oneMinusAlpha: number; lerpFromAvg: boolean; w: number; wMinus1: number; mom: number; negLr: number; eps: number },
): boolean {
  const a = addon();
  if (a === null || a.rmsprop === null || !f32Like(theta, grad) || !f32Like(theta, v) || (ga !== null && !f32Like(theta, ga)) || (b !== null && !f32Like(theta, b))) return false;
  const req = fusedRequest(theta as Float32Array, grad as Float32Array);
  if (req === undefined) return false;
  if (!a.rmsprop(theta, grad, v, ga, b, s.maximize, s.wd, s.alpha, s.oneMinusAlpha, s.lerpFromAvg, s.w, s.wMinus1, s.mom, s.negLr, s.eps,
    ...(req === null ? [] : passArgs(req.tap, req.fused)))) return false;
  native_update_stats.updates++;
  if (req !== null) filled(req.tap, req.fused);
  return true;
}

/** Adagrad's step on float32 θ, ∇ and `sum`, as adagrad.ts's loop (scalars in θ's dtype). False when it did not run. */
export function adagrad_native(theta: Storage, grad: Storage, sum: Storage, maximize: boolean, wd: number, negClr: number, eps: number): boolean {
  const a = addon();
  if (a === null || a.adagrad === null || !f32Like(theta, grad) || !f32Like(theta, sum)) return false;
  const req = fusedRequest(theta as Float32Array, grad as Float32Array);
  if (req === undefined) return false;
  if (!a.adagrad(theta, grad, sum, maximize, wd, negClr, eps, ...(req === null ? [] : passArgs(req.tap, req.fused)))) return false;
  native_update_stats.updates++;
  if (req !== null) filled(req.tap, req.fused);
  return true;
}
