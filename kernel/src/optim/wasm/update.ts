/**
 * Drivers of the WebAssembly SIMD update loops (module: gen_optim_wasm.cjs, instance.ts): per
 * chunk of CHUNK elements, the parameter, its gradient and its state are copied into the module's
 * memory, one kernel runs, and the parameter and state are copied back. The results are
 * bit-identical to the JS loops in sgd.ts / adam.ts / rmsprop.ts / adagrad.ts
 * (test/optim/wasm_update.test.ts).
 *
 * Why copies: the module cannot address JS-owned typed arrays, and a copy is cheap next to the
 * JS loops (an 814 KB Float32Array in ~0.02 ms, while JS's Adam spends ~11 ns per element on
 * float32 conversions); chunks keep the regions in the L2 cache between copy-in, update and
 * copy-out. Below WASM_MIN_ELEMENTS the fixed cost (views, calls) exceeds the saving and the
 * callers keep their JS loops (measured: /work/notes/optim_wasm.md).
 *
 * Each driver returns false (nothing done) when the module is unavailable (instance.ts).
 */
import type { Storage } from "../../tensor/tensor";
import { CHUNK, optim_wasm, type OptimWasm } from "./instance";
import { taps_on, tap_stats } from "./tap";
import type { AdamScalars } from "../adam";
import type { RMSpropScalars } from "../rmsprop";

/** The smallest parameter (in elements) worth the copies; smaller ones use the JS loops. */
export const WASM_MIN_ELEMENTS = 256;

/** How many parameter updates ran here (tests check that the WebAssembly path was taken). */
export const optim_wasm_stats = { updates: 0 };

/** Copies src[start, start + cnt) into `view` at element `at` (the whole array without a view). */
function copyIn(view: Storage, at: number, src: Storage, start: number, cnt: number): void {
  view.set(cnt === src.length ? src : src.subarray(start, start + cnt), at);
}

/** Copies `cnt` elements of `view` from element `at` back into dst at `start`. */
function copyOut(dst: Storage, start: number, view: Storage, at: number, cnt: number): void {
  dst.set(view.subarray(at, at + cnt), start);
}

/** The module when `n` elements are worth it, else null. */
function moduleFor(n: number): OptimWasm | null {
  return n < WASM_MIN_ELEMENTS ? null : optim_wasm();
}

/**
 * Runs `kernel(cnt)` chunk by chunk over θ = arrays[0]: region r of the module's memory (element
 * r·stride, stride = CHUNK·8 bytes) holds arrays[r] (null: unused by this path); the regions with
 * `written[r]` are copied back after each chunk. The kernels address their operands by region.
 */
function inChunks(w: OptimWasm, arrays: readonly (Storage | null)[], written: readonly boolean[], kernel: (cnt: number) => void): void {
  const theta = arrays[0] as Storage;
  const n = theta.length;
  const f32 = theta instanceof Float32Array;
  const view: Storage = f32 ? w.f32 : w.f64;
  const stride = f32 ? 2 * CHUNK : CHUNK;
  optim_wasm_stats.updates++;
  // Taps (tap.ts) take θ_t and ∇ of each chunk after its copy-in and θ_{t+1} after the update,
  // from the module's memory while the chunk is in the cache; ∇ from the tap's own source when
  // the caller passed another array (a scratch copy).
  const taps = taps_on(theta);
  for (let start = 0; start < n; start += CHUNK) {
    const cnt = Math.min(CHUNK, n - start);
    for (let r = 0; r < arrays.length; r++) {
      const a = arrays[r];
      if (a !== null) copyIn(view, r * stride, a, start, cnt);
    }
    for (const tap of taps) {
      tap.theta.set(view.subarray(0, cnt), start);
      tap.grad?.set(arrays[1] === tap.gradSource ? view.subarray(stride, stride + cnt) : tap.gradSource.subarray(start, start + cnt), start);
    }
    kernel(cnt);
    for (const tap of taps) tap.after?.set(view.subarray(0, cnt), start);
    for (let r = 0; r < arrays.length; r++) {
      const a = arrays[r];
      if (a !== null && written[r]) copyOut(a, start, view, r * stride, cnt);
    }
  }
  for (const tap of taps) {
    tap.filled = true;
    tap_stats.filled++;
  }
}

/**
 * SGD's steady-state step (sgd.ts sgdUpdate32/64) on θ, ∇ and the momentum buffer `buf` (null
 * for plain SGD). kind: 0 plain, 1 momentum, 2 nesterov; maximize negates ∇ on the fly. The
 * scalars are in the parameter's dtype (float32-rounded for float32), as the JS loops take them.
 */
export function sgd_wasm(
  theta: Storage, grad: Storage, buf: Storage | null, kind: number, maximize: boolean,
  negLr: number, wd: number, mom: number, keep: number,
): boolean {
  const n = theta.length;
  const w = moduleFor(n);
  if (w === null) return false;
  const keep1 = kind > 0 && keep === 1 ? 1 : 0;
  const kernel = (theta instanceof Float32Array ? w.sgd32 : w.sgd64)[4 * kind + 2 * keep1 + (wd !== 0 ? 1 : 0)];
  const neg = maximize ? 1 : 0;
  inChunks(w, [theta, grad, buf], [true, false, true], (cnt) => kernel(cnt, neg, negLr, wd, mom, keep));
  return true;
}

/**
 * Adam/AdamW's step (adam.ts adamUpdate32/64) on θ, ∇, exp_avg `m`, exp_avg_sq `v` and, under
 * amsgrad, max_exp_avg_sq `vMax`. The weight-decay mode follows the JS loop's tests: decoupled
 * when decay ≠ 1, else L2 when wd ≠ 0.
 */
export function adam_wasm(
  theta: Storage, grad: Storage, m: Storage, v: Storage, vMax: Storage | null, s: AdamScalars,
): boolean {
  const n = theta.length;
  const w = moduleFor(n);
  if (w === null) return false;
  const mode = s.decay !== 1 ? 1 : s.wd !== 0 ? 2 : 0;
  const kernel = (theta instanceof Float32Array ? w.adam32 : w.adam64)[4 * mode + (s.lerpFromM ? 2 : 0) + (vMax !== null ? 1 : 0)];
  const neg = s.maximize ? 1 : 0;
  const coef = s.lerpFromM ? s.w : s.wMinus1;
  const { decay, wd, beta2, oneMinusBeta2, negStepSize, bc2Sqrt, eps } = s;
  inChunks(w, [theta, grad, m, v, vMax], [true, false, true, true, true],
    (cnt) => kernel(cnt, neg, decay, wd, coef, beta2, oneMinusBeta2, negStepSize, bc2Sqrt, eps));
  return true;
}

/**
 * RMSprop's step (rmsprop.ts rmspropUpdate32/64) on θ, ∇, square_avg `v`, grad_avg `ga`
 * (centered, else null) and momentum_buffer `b` (momentum > 0, else null).
 */
export function rmsprop_wasm(
  theta: Storage, grad: Storage, v: Storage, ga: Storage | null, b: Storage | null, s: RMSpropScalars,
): boolean {
  const n = theta.length;
  const w = moduleFor(n);
  if (w === null) return false;
  const path = (b !== null ? 8 : 0) + (ga !== null ? 4 : 0) + (ga !== null && s.lerpFromAvg ? 2 : 0) + (s.wd !== 0 ? 1 : 0);
  const kernel = (theta instanceof Float32Array ? w.rmsprop32 : w.rmsprop64)[path];
  const neg = s.maximize ? 1 : 0;
  const coef = s.lerpFromAvg ? s.w : s.wMinus1;
  const { wd, alpha, oneMinusAlpha, mom, negLr, eps } = s;
  inChunks(w, [theta, grad, v, b, ga], [true, false, true, true, true],
    (cnt) => kernel(cnt, neg, wd, alpha, oneMinusAlpha, coef, mom, negLr, eps));
  return true;
}

/** Adagrad's step (adagrad.ts adagradUpdate32/64) on θ, ∇ and `sum`; scalars in θ's dtype. */
export function adagrad_wasm(
  theta: Storage, grad: Storage, sum: Storage, maximize: boolean, wd: number, negClr: number, eps: number,
): boolean {
  const n = theta.length;
  const w = moduleFor(n);
  if (w === null) return false;
  const kernel = (theta instanceof Float32Array ? w.adagrad32 : w.adagrad64)[wd !== 0 ? 1 : 0];
  const neg = maximize ? 1 : 0;
  inChunks(w, [theta, grad, sum], [true, false, true], (cnt) => kernel(cnt, neg, wd, negClr, eps));
  return true;
}
