/**
 * Update taps: a reader asks for copies of one parameter's θ_t, ∇ and θ_{t+1}, and the
 * WebAssembly update loop (update.ts `inChunks`) makes them as it passes over the parameter.
 *
 * Why: the tracer needs the three arrays of every traced step in its own (shared) memory. Copied
 * around the step (θ_t and ∇ in its pre-hook, θ_{t+1} in its post-hook) each copy reads the whole
 * parameter from memory again: three cold reads of 0.8 MB per step on the MLP bench, ~0.25 ms,
 * most of the tracer's cost on the main thread. The update loop has each chunk of θ and ∇ in the
 * L2 cache already (it copies them into its module to update them), so copies taken there only
 * cost the writes (kernel/src/trace/PERF.md, round 4).
 *
 * The reader opens a tap before the step and closes it after. A tap is keyed by the parameter's
 * data array, so only an update of that very array fills it; `filled` says whether all three were
 * copied. Only the update loop fills taps: an optimizer that updates a parameter any other way
 * (JS loops, other optimizers) leaves it unfilled, and the reader must then have copied θ_t and ∇
 * itself (the tracer does until a tap of that parameter has been filled once, and reports a step
 * it could not measure when a tap it relied on stays empty: never a silently wrong value).
 */
import type { Storage } from "../../tensor/tensor";

export interface UpdateTap {
  /**
   * Where θ_t, ∇ and θ_{t+1} go: the parameter's type and length. A null ∇ or θ_{t+1} is not
   * copied (a reader that takes them where they are after the step: trace/snapshot.ts's in-place
   * measurement).
   */
  theta: Storage;
  grad: Storage | null;
  after: Storage | null;
  /** The gradient to copy (the parameter's `grad` data when the tap was opened). */
  gradSource: Storage;
  /** Set by the update loop once all three are copied. */
  filled: boolean;
  /**
   * Asked by an in-place reader (θ_t alone, `grad` and `after` null): an update loop that can
   * (optim/native_update.ts) also takes the tracer's pass over θ_t, ∇ and θ_{t+1} as it updates,
   * into `fused` (then `fused.done`); any other loop leaves it and copies θ_t as above.
   */
  fused?: FusedPass | null;
}

/**
 * The tracer's pass taken by the update loop (trace_sums.c `sgd`): the sums block (9 numbers, the
 * layout of native_sums.ts's pass), and the ρ sample's draws in this parameter (null: none).
 */
export interface FusedPass {
  out: Float64Array;
  draws: FusedDraws | null;
  /** A second sample of this parameter taken along (its own, under per_param), or null. */
  own: FusedDraws | null;
  done: boolean;
}

/** Draws idx[j0..j1) (less `base`) of a ρ sample, their values into `values` (trace/sample.ts). */
export interface FusedDraws {
  idx: Int32Array;
  j0: number;
  j1: number;
  base: number;
  values: Float64Array;
}

/** Open taps by parameter data array (two traces of one optimizer each open their own). */
const taps = new Map<Storage, UpdateTap[]>();

/** How many taps the update loop filled (tests check that the path was taken). */
export const tap_stats = { filled: 0 };

/** Opens `tap` on the parameter whose data array is `theta` (again: it is emptied). */
export function open_tap(theta: Storage, tap: UpdateTap): void {
  tap.filled = false;
  const list = taps.get(theta);
  if (list === undefined) taps.set(theta, [tap]);
  else if (!list.includes(tap)) list.push(tap);
}

export function close_tap(theta: Storage, tap: UpdateTap): void {
  const list = taps.get(theta);
  if (list === undefined) return;
  const k = list.indexOf(tap);
  if (k >= 0) list.splice(k, 1);
  if (list.length === 0) taps.delete(theta);
}

/** The open taps on `theta` that fit it (its type and length); empty when there are none. */
export function taps_on(theta: Storage): UpdateTap[] {
  if (taps.size === 0) return NONE;
  const list = taps.get(theta);
  if (list === undefined) return NONE;
  const fits = (a: Storage | null) => a === null || (a.length === theta.length && a.constructor === theta.constructor);
  return list.filter((t) => fits(t.theta) && fits(t.grad) && fits(t.after) && t.gradSource.length === theta.length);
}
const NONE: UpdateTap[] = [];
