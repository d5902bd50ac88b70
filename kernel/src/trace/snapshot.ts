/**
 * The tracer's per-step copies and its one pass over the elements.
 *
 * `capture` (pre-hook) copies θ_t and g_t of every parameter that has a gradient; `take_after`
 * (post-hook) copies θ_{t+1} next to them (or reads it in place on the JS path) and `measure_slot`
 * takes the sums of sums.ts. Copies keep the parameter's own type (a float32 copy of float32 data
 * is exact, and a memcpy of half the bytes).
 *
 * Parameters of at least WASM_MIN_ELEMENTS elements are copied into the memory of the WebAssembly
 * module of wasm_sums.ts (the copy is the snapshot; θ_{t+1} is copied there after the step) and
 * summed there, ~5× faster than the JS loop; smaller ones, or every one when the engine lacks
 * WebAssembly SIMD, keep per-parameter buffers allocated once and use the JS loop. Both give
 * the same sums up to the order of the additions.
 *
 * In place (`in_place`, where the native pass runs and the pipeline measures the step at once):
 * a large parameter's θ_t alone is copied, into its own buffer (by its tap once the update loop
 * filled one), and the gradient and θ_{t+1} are read where they are after the step: one copy
 * instead of three, and nothing read twice (steps.ts `in_place` says why).
 *
 * A step measured off the main thread (offload.ts) has every parameter in the module's memory,
 * which is then shared; its copies stay there until the worker is done, so the next step's go
 * into another region (`capture`'s `busy`).
 *
 * Taps (optim/wasm/tap.ts): for a parameter in the module's memory, the optimizer's WebAssembly
 * update loop (SGD, Adam, AdamW, RMSprop, Adagrad) can make the three copies itself, chunk by
 * chunk while the chunk is in the cache, instead of the pre-hook and post-hook reading the whole
 * parameter again. A tap is opened on every such parameter at each step; the pre-hook still copies
 * θ_t and g_t until the optimizer has filled the parameter's tap once (its first momentum step,
 * an optimizer without such a loop, or a small parameter never do), and after that leaves them to
 * the loop. A tap relied on and left empty makes the step fail as not measured (trace.errors), and
 * the copies resume: a step is never measured from stale copies. The values are the same either
 * way (the loop copies what the pre-hook would), except that a tap sees θ and ∇ as the optimizer
 * reads them: after any step pre-hook registered after the trace's, which the pre-hook's copies
 * come before.
 */
import { close_tap, open_tap, type FusedPass, type UpdateTap } from "../optim/wasm/tap";
import { env } from "../wasm_host";
import type { Storage, Tensor } from "../tensor/tensor";
import { partDraws, readDraws, RhoDraws, type ElementPart } from "./sample";
import { slotSums, WASM_MIN_ELEMENTS, type JobSlot } from "./step_job";
import { nativeArraySums, nativeOutSums, type PassDraws } from "./native_sums";
import { accumulate, StepSums } from "./sums";
import { MAIN_OUT, memoryView, reserve, sumsInstance, type SumsModule } from "./wasm_sums";

export { WASM_MIN_ELEMENTS };

/** How many parameters' own ρ samples (per_param) an update loop took along (tests check the path). */
export const param_draws_stats = { fused: 0, shared: 0 };

/** One parameter's per-step state, allocated once and reused. */
export interface ParamSlot extends ElementPart {
  p: Tensor;
  /** Index in its group's params (default names, "group.index"). */
  index: number;
  sums: StepSums;
  /** Set for this step when the parameter's copies are in the module's memory. */
  place: JobSlot | null;
  /** The JS path's own buffers (kept across steps). */
  own: { theta: Storage; grad: Storage } | null;
  /** This parameter's tap (optim/wasm/tap.ts), allocated once; `tapped`: the array it is open on. */
  tap: UpdateTap | null;
  tapped: Storage | null;
  /** Whether the optimizer filled the tap at the last step (then θ_t and g_t are not copied before). */
  tapOk: boolean;
  /** Whether θ_t and g_t were copied before this step (needed until a tap was filled once). */
  copied: boolean;
  /**
   * Measured in place at this step (`Snapshots.in_place`): θ_t copied into `own.theta` (by the
   * tap, or before the step), g_t and θ_{t+1} read where they are after the step.
   */
  inPlace: boolean;
  /**
   * In place: the pass the update loop may take as it updates (optim/native_update.ts; its tap
   * asks for it), allocated once. `done` after the step: the sums are in `fused.out` and the
   * parameter's draws taken.
   */
  fused: FusedPass | null;
  /** This step's share of its group's ρ sample (sample.ts RhoDraws), set by the pre-hook; null: none. */
  draws: PassDraws | null;
  /** The object `draws` points to when set (allocated once). */
  drawsBox: PassDraws | null;
  /**
   * With per_param: the parameter's own ρ sample (allocated once) and this step's draws of it
   * (null: none), taken along with `draws` by the same passes, for its own summary.
   */
  paramRho: RhoDraws | null;
  paramDraws: PassDraws | null;
  paramBox: PassDraws | null;
  /**
   * With per_param: where this step's own draws are the same elements as its share of the group's
   * (`sameDraws`), the index of that share's first draw in the group's values (the own sample reads
   * them there after the step, `viewShared`, instead of drawing them a second time); −1: drawn by
   * the passes.
   */
  paramShared: number;
  /** The last index sets `sameDraws` compared for this slot, and what it found (kept from step to step). */
  shareGroup: Int32Array | null;
  shareOwn: Int32Array | null;
  shareFound: boolean;
  /** The view of the group's values the own sample reads while shared (viewShared), and the own sample's array meanwhile. */
  shareView: Float64Array<ArrayBuffer> | null;
  paramValues: Float64Array<ArrayBuffer> | null;
}

/**
 * Whether a parameter's own draws `own` (strata(n, S) over its n elements) are the same elements,
 * in the same order, as its share `group` of its group's (strata(N, S) over the group): then the
 * same values too (both are −Δ/g, NaN where g = 0). So they are for a group's first parameter when
 * both sets' strata have one length L (the same seed draws the same offsets, stratum by stratum):
 * e.g. a 784-256-10 MLP's first weight, 200,704 of the group's 203,530 elements, L = 49 in both. A
 * per_param step then draws it once (PERF.md session 27: the second set cost the update loop 7-10 µs).
 * Compared element by element when the index sets change (they are strata's kept arrays, the same
 * from step to step), else the last answer.
 */
function sameDraws(slot: ParamSlot, group: PassDraws, own: PassDraws): boolean {
  if (group.base !== 0 || own.base !== 0 || group.j1 - group.j0 !== own.j1 - own.j0) return false;
  if (slot.shareGroup === group.idx && slot.shareOwn === own.idx && group.j0 === 0 && own.j0 === 0) return slot.shareFound;
  const a = group.idx, b = own.idx, k = group.j0 - own.j0;
  let same = true;
  for (let j = own.j0; j < own.j1; j++) {
    if (a[j + k] !== b[j]) {
      same = false;
      break;
    }
  }
  // kept only for the shares that start both sets (the one case that shares: base 0)
  if (group.j0 === 0 && own.j0 === 0) {
    slot.shareGroup = a;
    slot.shareOwn = b;
    slot.shareFound = same;
  }
  return same;
}

/**
 * The own draws' values: the group's share that holds the same draws, from its draw `from`, seen
 * through a view kept on the slot (not copied: a copy of the 4,096 values the update loop's threads
 * had just written cost ~15 µs, more than drawing them twice); marks them taken. The view replaces
 * the own sample's array until the next pre-hook (set_param_draws puts the array back), so no pass
 * ever writes through it.
 */
function viewShared(slot: ParamSlot, group: PassDraws, from: number, own: PassDraws): void {
  const rho = slot.paramRho as RhoDraws;
  const n = own.j1 - own.j0, values = group.values;
  let view = slot.shareView;
  if (view === null || view.buffer !== values.buffer || view.byteOffset !== values.byteOffset + from * 8 || view.length !== n) {
    // (a RhoDraws's array: an ArrayBuffer's, never shared memory)
    view = slot.shareView = values.subarray(from, from + n) as Float64Array<ArrayBuffer>;
  }
  slot.paramValues = rho.values;
  rho.values = view;
  own.values = view;
  own.j0 = own.j1;
  param_draws_stats.shared++;
}

/** Below this many elements copyInto copies in a loop (TypedArray.prototype.set costs ~20-40 ns a call). */
const LOOP_COPY_MAX = 64;

/**
 * `dst.set(src)` (same type and length): a small array in a loop, the same bits (a float32 value
 * converted to float64 and back is itself, except a signalling NaN, which would come back quiet:
 * at the first NaN the copy is left to `set`, which copies bytes).
 */
function copyInto(dst: Storage, src: Storage): void {
  const n = src.length;
  if (n > LOOP_COPY_MAX) {
    dst.set(src);
    return;
  }
  for (let i = 0; i < n; i++) {
    const x = src[i];
    if (x !== x) {
      dst.set(src);
      return;
    }
    dst[i] = x;
  }
}

/** A parameter's name for an error (take_after's `label`). */
function labelOf(slot: ParamSlot, label: string | ((slot: ParamSlot) => string)): string {
  return typeof label === "string" ? label : label(slot);
}

/** Storage of the same type and length as `like`: `prev` when it fits, else a spare one or a new one. */
function bufferLike(like: Storage, prev: Storage | undefined): Storage {
  if (prev !== undefined && prev.length === like.length && prev.constructor === like.constructor) return prev;
  const f32 = like instanceof Float32Array;
  return takeSpare(f32, like.length) ?? (f32 ? new Float32Array(like.length) : new Float64Array(like.length));
}

/**
 * The copy buffers (`own`) of stopped traces, for the next traces' parameters of the same sizes: a
 * new buffer's first step costs its page faults and, as external memory, garbage collections (~0.25
 * ms of the first traced step of a 784-256-10 MLP; a notebook makes a new trace each time a traced
 * cell runs again: PERF.md session 24). At most SPARE_BUFFERS of them, SPARE_BUFFER_BYTES in all.
 */
const spareBuffers: Storage[] = [];
let spareBytes = 0;
/** Buffers a trace took from the spares (tests check that the path was taken). */
export const spare_buffer_stats = { taken: 0 };
const SPARE_BUFFERS = 32;
const SPARE_BUFFER_BYTES = 32 << 20;

function takeSpare(f32: boolean, n: number): Storage | undefined {
  for (let k = spareBuffers.length - 1; k >= 0; k--) {
    const b = spareBuffers[k];
    if (b.length === n && b instanceof Float32Array === f32) {
      spareBuffers.splice(k, 1);
      spareBytes -= b.byteLength;
      spare_buffer_stats.taken++;
      return b;
    }
  }
  return undefined;
}

function giveSpare(b: Storage): void {
  if (spareBuffers.length >= SPARE_BUFFERS || spareBytes + b.byteLength > SPARE_BUFFER_BYTES) return;
  spareBuffers.push(b);
  spareBytes += b.byteLength;
}

const align16 = (n: number) => (n + 15) & ~15;
/** Where the copies start: after the two output blocks (wasm_sums.ts MAIN_OUT, WORKER_OUT). */
const BASE = 512;

/** Memories of stopped traces, for the next ones (at most SPARE_MEMORIES). */
const spare: SumsModule[] = [];
const SPARE_MEMORIES = 2;
/** Larger memories are let go (a big model's copies would stay resident otherwise). */
const SPARE_MAX_BYTES = 64 << 20;

/**
 * Taps still open when their Snapshots is collected: a kernel interrupt inside `optimizer.step()`
 * ends the step between the pre-hook (which opens them) and the post-hook (which closes them),
 * and a trace dropped then (the cell run again, `%reset`) would leave them in the update loop's
 * registry for good, holding the parameters' data and the trace's memory, and copied into at
 * every later step of those parameters. The held value is the `pending` lists (no reference to
 * the Snapshots).
 */
const tapsLeftOpen = typeof FinalizationRegistry === "function"
  ? new FinalizationRegistry<ParamSlot[][]>((pending) => {
    for (const list of pending) {
      if (list === undefined) continue;
      for (const slot of list) {
        if (slot.tapped !== null && slot.tap !== null) close_tap(slot.tapped, slot.tap);
        slot.tapped = null;
      }
    }
  })
  : null;

/** A byte range of the module's memory. */
export interface Region {
  start: number;
  end: number;
}

export class Snapshots {
  private readonly slotOf = new Map<Tensor, ParamSlot>();
  /** Per group: the slots captured by the last pre-hook (emptied by `release`). */
  readonly pending: ParamSlot[][] = [];
  /** When false, every parameter uses the JS pass (tests compare both paths). */
  use_wasm = true;
  /**
   * When false, θ_t, g_t and θ_{t+1} are always copied around the step, never taken by the
   * optimizer's update loop (tests compare both; LRLAB_TRACE_TAP=0 for before/after timings).
   */
  use_taps = env("LRLAB_TRACE_TAP") !== "0";
  /**
   * Measure large parameters in place (set by the pipeline for each step it measures at once
   * with the native pass, native_sums.ts): only θ_t is copied (by the update loop's tap when it
   * fills one), and the gradient and θ_{t+1} are read where they are once the step is done. The
   * optimizers' update loops never write the gradient; the gradient read is the array the
   * parameter held at the pre-hook, and it is read in place only when the tap was filled (the
   * update loop ran): otherwise it was copied before the step, as on the other paths.
   */
  in_place = false;
  /** Whether the module's memory should be shared (a worker thread may measure steps). */
  constructor(private readonly shared = false) {
    tapsLeftOpen?.register(this, this.pending);
  }
  /** This trace's WebAssembly instance (created on first need; null: unavailable). */
  private mod: SumsModule | null | undefined;

  /** Whether the module's memory is shared (a worker thread can read the copies). */
  shareable(): boolean {
    const mod = this.module();
    return mod !== null && typeof SharedArrayBuffer === "function" && mod.memory.buffer instanceof SharedArrayBuffer;
  }

  module(): SumsModule | null {
    if (!this.use_wasm) return null;
    if (this.mod === undefined) this.mod = (this.shared && spare.pop()) || sumsInstance(this.shared);
    return this.mod;
  }

  /**
   * A stopped trace's memory and copy buffers go to the next traces (their pages are mapped
   * already: new ones cost page faults and growth in the first steps). Nothing may use this
   * trace's copies after.
   */
  release_memory(): void {
    const mod = this.mod;
    this.mod = undefined;
    this.closeTaps();
    for (const list of this.pending) if (list !== undefined) list.length = 0;
    // (the taps are closed: no update loop writes into these any more)
    for (const slot of this.slotOf.values()) {
      if (slot.own === null) continue;
      giveSpare(slot.own.theta);
      giveSpare(slot.own.grad);
      slot.own = null;
    }
    this.slotOf.clear();
    if (mod && this.shared && spare.length < SPARE_MEMORIES && mod.memory.buffer.byteLength <= SPARE_MAX_BYTES) spare.push(mod);
  }

  /**
   * Pre-hook: copy θ_t and g_t of every parameter with a gradient, group by group. Large ones go
   * into the module's memory; with `all`, every one does (a step measured by runJob), placed
   * after `busy` (a region still being measured) or before it when there is room. Returns the
   * region of the copies when every parameter went into the module's memory, else null.
   */
  capture(groups: readonly { params: Tensor[] }[], all = false, busy: Region | null = null): Region | null {
    this.closeTaps(); // a step that threw between the hooks leaves its taps open
    // (an array's length set is a call into the runtime, ~50 ns, even to its own length: only when it changes)
    if (this.pending.length !== groups.length) this.pending.length = groups.length;
    let mod: SumsModule | null | undefined;
    const big: ParamSlot[] = [];
    let everyone = true;
    for (let gi = 0; gi < groups.length; gi++) {
      const list = this.pending[gi] ?? (this.pending[gi] = []);
      if (list.length !== 0) list.length = 0;
      const params = groups[gi].params;
      for (let i = 0; i < params.length; i++) {
        const p = params[i];
        const grad = p.grad;
        if (grad === null || grad === undefined) continue;
        let slot = this.slotOf.get(p);
        if (slot === undefined || slot.index !== i) {
          slot = {
            p, index: i, theta: p.data, grad: grad.data, after: p.data, sums: new StepSums(), place: null, own: null,
            tap: null, tapped: null, tapOk: false, copied: true, inPlace: false, fused: null, draws: null, drawsBox: null,
            paramRho: null, paramDraws: null, paramBox: null, paramShared: -1, shareGroup: null, shareOwn: null, shareFound: false,
            shareView: null, paramValues: null,
          };
          this.slotOf.set(p, slot);
        }
        const n = p.data.length;
        const f32 = p.data instanceof Float32Array;
        slot.place = null;
        slot.inPlace = false;
        slot.draws = null;
        slot.paramDraws = null;
        slot.paramShared = -1;
        if (!all && this.in_place && n >= WASM_MIN_ELEMENTS && grad.data.length === n && f32 === grad.data instanceof Float32Array) {
          this.captureInPlace(slot, grad.data);
          everyone = false;
        } else if ((all || n >= WASM_MIN_ELEMENTS) && grad.data.length === n && f32 === grad.data instanceof Float32Array && (mod ??= this.module()) !== null) {
          big.push(slot);
        } else {
          everyone = false;
          this.copyOwn(slot, p.data, grad.data);
        }
        list.push(slot);
      }
    }
    if (big.length === 0) return null;
    // the copies' layout, then where it goes: at BASE unless that overlaps `busy`
    let bytes = 0;
    const sizes = big.map((slot) => {
      const f32 = slot.p.data instanceof Float32Array;
      const size = align16(((slot.p.data.length + 3) & ~3) * (f32 ? 4 : 8));
      bytes += 3 * size;
      return size;
    });
    const start = busy === null || BASE + bytes <= busy.start ? BASE : align16(busy.end);
    if (mod === null || mod === undefined || !reserve(mod, start + bytes)) {
      // no room in the module: these go through the JS pass too
      for (const slot of big) this.copyOwn(slot, slot.p.data, (slot.p.grad as Tensor).data);
      return null;
    }
    let at = start;
    big.forEach((slot, k) => {
      const n = slot.p.data.length;
      const f32 = slot.p.data instanceof Float32Array;
      const size = sizes[k];
      const w: JobSlot = { theta: at, grad: at + size, after: at + 2 * size, padded: (n + 3) & ~3, f32, n };
      at += 3 * size;
      slot.place = w;
      // views of exactly n elements (what sample.ts reads); the pad elements are zeroed apart
      slot.theta = memoryView(mod as SumsModule, f32, w.theta, n);
      slot.grad = memoryView(mod as SumsModule, f32, w.grad, n);
      const grad = (slot.p.grad as Tensor).data;
      // Copied here unless the optimizer's update loop filled this parameter's tap last step:
      // then it copies them again as it updates (cheaper: optim/wasm/tap.ts). Until then the tap
      // is open as well, to learn whether it will be filled (the loop's copies are the same values).
      slot.copied = !(this.use_taps && slot.tapOk);
      if (slot.copied) {
        slot.theta.set(slot.p.data);
        slot.grad.set(grad);
      }
      if (this.use_taps) {
        const after = memoryView(mod as SumsModule, f32, w.after, n);
        const tap = slot.tap ?? (slot.tap = { theta: slot.theta, grad: slot.grad, after, gradSource: grad, filled: false });
        tap.theta = slot.theta;
        tap.grad = slot.grad;
        tap.after = after;
        tap.gradSource = grad;
        tap.fused = null;
        open_tap(slot.p.data, tap);
        slot.tapped = slot.p.data;
      }
      if (w.padded > n) {
        memoryView(mod as SumsModule, f32, w.theta + n * (f32 ? 4 : 8), w.padded - n).fill(0);
        memoryView(mod as SumsModule, f32, w.grad + n * (f32 ? 4 : 8), w.padded - n).fill(0);
      }
    });
    return everyone ? { start, end: at } : null;
  }

  /**
   * A parameter measured in place (`in_place`): θ_t into its own buffer (JavaScript memory: the
   * copy is a plain memcpy), by the update loop's tap once one was filled, else here with g_t.
   */
  private captureInPlace(slot: ParamSlot, grad: Storage): void {
    const p = slot.p;
    slot.inPlace = true;
    slot.copied = !(this.use_taps && slot.tapOk);
    if (slot.copied) this.copyOwn(slot, p.data, grad);
    else {
      const own = slot.own ?? (slot.own = { theta: bufferLike(p.data, undefined), grad: bufferLike(grad, undefined) });
      own.theta = bufferLike(p.data, own.theta);
      slot.theta = own.theta;
      slot.grad = grad;
    }
    if (this.use_taps) {
      const tap = slot.tap ?? (slot.tap = { theta: slot.theta, grad: null, after: null, gradSource: grad, filled: false });
      tap.theta = slot.theta;
      tap.grad = null;
      tap.after = null;
      tap.gradSource = grad;
      // an update loop that can takes the pass along (its draws are set by `set_draws`)
      const fused = slot.fused ?? (slot.fused = { out: new Float64Array(9), draws: null, own: null, done: false });
      fused.done = false;
      fused.draws = null;
      fused.own = null;
      tap.fused = fused;
      open_tap(p.data, tap);
      slot.tapped = p.data;
    }
  }

  /**
   * Pre-hook, after `capture`: each captured parameter's share of its group's ρ sample, in order
   * (the group's RhoDraws `next`), given to its fused pass too.
   */
  set_draws(slot: ParamSlot, group: RhoDraws): void {
    const box = slot.drawsBox ?? (slot.drawsBox = partDraws());
    slot.draws = group.next(slot.theta.length, box) ? box : null;
    if (this.fusedOf(slot) !== null) (slot.fused as FusedPass).draws = slot.draws;
  }

  /**
   * Pre-hook, with per_param: the parameter's own ρ sample for its own summary (sample.ts
   * RhoDraws over its n elements), taken by the same passes as its share of the group's: read
   * after the step, each of a large parameter's draws was a cache miss or two (PERF.md, session 22).
   */
  set_param_draws(slot: ParamSlot): void {
    const rho = slot.paramRho ?? (slot.paramRho = new RhoDraws());
    if (slot.paramValues !== null) {
      // its own array back (it read the group's last step: viewShared)
      rho.values = slot.paramValues;
      slot.paramValues = null;
    }
    const n = slot.theta.length;
    rho.begin(n);
    const box = slot.paramBox ?? (slot.paramBox = partDraws());
    slot.paramDraws = rho.next(n, box) ? box : null;
    const shared = slot.paramDraws !== null && slot.draws !== null && sameDraws(slot, slot.draws, slot.paramDraws);
    slot.paramShared = shared ? (slot.draws as PassDraws).j0 : -1;
    if (this.fusedOf(slot) !== null) (slot.fused as FusedPass).own = shared ? null : slot.paramDraws;
  }

  /** The pass this step's update loop takes along for `slot` (its tap asks for it), or null. */
  private fusedOf(slot: ParamSlot): FusedPass | null {
    return slot.inPlace && slot.fused !== null && slot.tap !== null && slot.tap.fused === slot.fused ? slot.fused : null;
  }

  /** The JS path's copies of θ_t and g_t, into buffers kept across steps. */
  private copyOwn(slot: ParamSlot, theta: Storage, grad: Storage): void {
    const own = slot.own ?? (slot.own = { theta: bufferLike(theta, undefined), grad: bufferLike(grad, undefined) });
    own.theta = bufferLike(theta, own.theta);
    own.grad = bufferLike(grad, own.grad);
    copyInto(own.theta, theta);
    copyInto(own.grad, grad);
    slot.theta = own.theta;
    slot.grad = own.grad;
  }

  /**
   * Post-hook: θ_{t+1} of one captured parameter: `slot.after` (a copy in the module's memory for
   * a placed parameter, else the live data). Throws when the parameter changed size during the step.
   * `label`: its name in the error, or what makes it (called only then: a string made at every
   * step for each parameter was one of the tracer's fixed costs, PERF.md session 22).
   */
  take_after(slot: ParamSlot, label: string | ((slot: ParamSlot) => string)): void {
    const same = slot.tapped === slot.p.data;
    const tap = this.closeTap(slot);
    if (tap !== null) {
      slot.tapOk = tap.filled && same;
      const w = slot.place;
      if (slot.tapOk && w !== null && tap.after !== null) {
        // θ_t, g_t and θ_{t+1} were copied by the update loop; the padding is zeroed here
        slot.after = tap.after;
        const n = tap.after.length;
        if (w.padded > n) memoryView(this.module() as SumsModule, w.f32, w.after + n * (w.f32 ? 4 : 8), w.padded - n).fill(0);
        return;
      }
      // in place, a filled tap copied θ_t (the gradient and θ_{t+1} are read below, where they are)
      if (!slot.copied && !(slot.inPlace && slot.tapOk)) {
        throw new Error(
          `trace: step not measured for parameter ${labelOf(slot, label)}: the optimizer did not update it through its WebAssembly loop this time, `
          + "which the tracer relied on to copy θ_t and g_t (from the next step on they are copied before the step again)",
        );
      }
    }
    const after = slot.p.data;
    if (after.length !== slot.theta.length) {
      throw new RangeError(`trace: parameter ${labelOf(slot, label)} changed size during step() (${slot.theta.length} → ${after.length} elements)`);
    }
    if (slot.inPlace) {
      // θ_{t+1} where it is (a parameter whose type changed in the step goes to the JS pass, which takes any storage)
      slot.after = after;
      return;
    }
    const w = slot.place;
    const mod = w !== null ? this.module() : null;
    if (w === null || mod === null || (after instanceof Float32Array) !== w.f32) {
      // the JS pass reads θ_{t+1} in place (θ_t, g_t stay where they are)
      slot.place = null;
      slot.after = after;
      return;
    }
    const n = after.length;
    slot.after = memoryView(mod, w.f32, w.after, n);
    slot.after.set(after);
    if (w.padded > n) memoryView(mod, w.f32, w.after + n * (w.f32 ? 4 : 8), w.padded - n).fill(0);
  }

  /**
   * Post-hook, after `take_after`: the sums of one captured parameter into `slot.sums`, and its
   * share of the group's ρ sample (`slot.draws`): both taken by the update loop when it took the
   * pass along (`slot.fused`), else by the native pass in place, else read right after the pass,
   * while the arrays are still in the cache.
   */
  measure_slot(slot: ParamSlot): void {
    const draws = slot.draws, own = slot.paramDraws;
    if (slot.inPlace) {
      const fused = slot.fused;
      if (fused !== null && fused.done) {
        if (draws !== null) draws.j0 = draws.j1; // taken by the update loop
        if (own !== null && fused.own === own) {
          own.j0 = own.j1;
          param_draws_stats.fused++;
        }
        // the careful JS pass when the sums say so (θ_t was copied, g_t and θ_{t+1} are in place)
        if (!nativeOutSums(fused.out, slot.theta, slot.grad, slot.after, slot.sums.reset())) accumulate(slot.theta, slot.grad, slot.after, slot.sums.reset());
      } else if (!nativeArraySums(slot.theta, slot.grad, slot.after, slot.sums.reset(), draws)) {
        // the native pass where the arrays are; the careful JS pass when it says so (sums.ts)
        accumulate(slot.theta, slot.grad, slot.after, slot.sums.reset());
      }
    } else {
      slotSums(slot.place !== null ? this.module() : null, slot, slot.place, slot.after.length, MAIN_OUT, slot.sums.reset());
    }
    if (draws !== null) readDraws(draws, slot);
    if (own !== null) {
      if (slot.paramShared >= 0) viewShared(slot, draws as PassDraws, slot.paramShared, own);
      else readDraws(own, slot);
    }
  }

  /** Closes a slot's open tap; returns it (null: none was open). */
  private closeTap(slot: ParamSlot): UpdateTap | null {
    if (slot.tapped === null || slot.tap === null) return null;
    close_tap(slot.tapped, slot.tap);
    slot.tapped = null;
    return slot.tap;
  }

  /** Closes every open tap of the captured parameters. */
  private closeTaps(): void {
    const pending = this.pending;
    for (let gi = 0; gi < pending.length; gi++) {
      const list = pending[gi];
      if (list !== undefined) for (let k = 0; k < list.length; k++) this.closeTap(list[k]);
    }
  }

  /** After the post-hook: forget this step's parameters (and the reference to their live data). */
  release(): void {
    this.closeTaps();
    const pending = this.pending;
    for (let gi = 0; gi < pending.length; gi++) {
      const list = pending[gi];
      if (list === undefined) continue;
      // (and of the gradient read in place)
      for (let k = 0; k < list.length; k++) {
        const slot = list[k];
        slot.after = slot.theta;
        if (slot.inPlace) slot.grad = slot.theta;
      }
      // emptied by pops: setting the length is a call into the runtime (see `capture`)
      while (list.length > 0) list.pop();
    }
  }

  /**
   * The per-group lists as `capture` leaves them after a step that it did not capture (steps.ts:
   * the small path took it): one for each of the G groups, empty (a parameter still in one, from
   * a step that threw between its hooks, is let go as `capture` would: its tap closed).
   */
  empty_lists(G: number): void {
    const pending = this.pending;
    for (let gi = 0; gi < pending.length; gi++) {
      if (pending[gi] !== undefined && pending[gi].length !== 0) {
        this.clear();
        break;
      }
    }
    if (pending.length !== G) pending.length = G;
    for (let gi = 0; gi < G; gi++) if (pending[gi] === undefined) pending[gi] = [];
  }

  /** Drop everything captured (a failing pre-hook). */
  clear(): void {
    this.closeTaps();
    for (const list of this.pending) if (list !== undefined) list.length = 0;
  }
}
