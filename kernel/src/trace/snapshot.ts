/**
 * The tracer's per-step copies and its one pass over the elements.
 *
 * `capture` (pre-hook) copies θ_t and g_t of every parameter that has a gradient; `measure_slot`
 * (post-hook) takes the sums of sums.ts from them and θ_{t+1}, read in place. Copies keep the
 * parameter's own type (a float32 copy of float32 data is exact, and a memcpy of half the bytes).
 *
 * Parameters of at least WASM_MIN_ELEMENTS elements are copied into the memory of the WebAssembly
 * module of wasm_sums.ts (the copy is the snapshot; θ_{t+1} is copied there after the step) and
 * summed there, ~5× faster than the JS loop; smaller ones, or every one when the engine lacks
 * WebAssembly SIMD, keep per-parameter buffers allocated once and use the JS loop. Both give
 * the same sums up to the order of the additions.
 */
import type { Storage, Tensor } from "../tensor/tensor";
import type { ElementPart } from "./sample";
import { accumulate, StepSums } from "./sums";
import { reserve, sumsInstance, type SumsModule } from "./wasm_sums";

/** Elements from which a parameter goes through the WebAssembly pass (below, the copies dominate). */
export const WASM_MIN_ELEMENTS = 2048;

/** Where a parameter's arrays sit in the module's memory (byte offsets) for this step. */
interface WasmPlace {
  theta: number;
  grad: number;
  after: number;
  /** Elements rounded up to a multiple of 4 (zero pad elements). */
  padded: number;
  f32: boolean;
}

/** One parameter's per-step state, allocated once and reused. */
export interface ParamSlot extends ElementPart {
  p: Tensor;
  /** Index in its group's params (default names, "group.index"). */
  index: number;
  sums: StepSums;
  /** Set for this step when the parameter goes through the WebAssembly pass. */
  place: WasmPlace | null;
  /** The JS path's own buffers (kept across steps). */
  own: { theta: Storage; grad: Storage } | null;
}

/** Storage of the same type and length as `like`: `prev` when it fits, else a new one. */
function bufferLike(like: Storage, prev: Storage | undefined): Storage {
  if (prev !== undefined && prev.length === like.length && prev.constructor === like.constructor) return prev;
  return like instanceof Float32Array ? new Float32Array(like.length) : new Float64Array(like.length);
}

const align16 = (n: number) => (n + 15) & ~15;
/** Bytes of the module's output block: nine f64x2 vectors. */
const OUT_BYTES = 144;

function view(mod: SumsModule, f32: boolean, at: number, n: number): Storage {
  return f32 ? new Float32Array(mod.memory.buffer, at, n) : new Float64Array(mod.memory.buffer, at, n);
}

export class Snapshots {
  private readonly slotOf = new Map<Tensor, ParamSlot>();
  /** Per group: the slots captured by the last pre-hook (emptied by `release`). */
  readonly pending: ParamSlot[][] = [];
  /** When false, every parameter uses the JS pass (tests compare both paths). */
  use_wasm = true;
  /** This trace's WebAssembly instance (created on first need; null: unavailable). */
  private mod: SumsModule | null | undefined;

  private module(): SumsModule | null {
    if (!this.use_wasm) return null;
    if (this.mod === undefined) this.mod = sumsInstance();
    return this.mod;
  }

  /** Pre-hook: copy θ_t and g_t of every parameter with a gradient, group by group. */
  capture(groups: readonly { params: Tensor[] }[]): void {
    this.pending.length = groups.length;
    let mod: SumsModule | null | undefined;
    let bytes = OUT_BYTES;
    const big: ParamSlot[] = [];
    for (let gi = 0; gi < groups.length; gi++) {
      const list = this.pending[gi] ?? (this.pending[gi] = []);
      list.length = 0;
      const params = groups[gi].params;
      for (let i = 0; i < params.length; i++) {
        const p = params[i];
        const grad = p.grad;
        if (grad === null || grad === undefined) continue;
        let slot = this.slotOf.get(p);
        if (slot === undefined || slot.index !== i) {
          slot = { p, index: i, theta: p.data, grad: grad.data, after: p.data, sums: new StepSums(), place: null, own: null };
          this.slotOf.set(p, slot);
        }
        const n = p.data.length;
        const f32 = p.data instanceof Float32Array;
        if (n >= WASM_MIN_ELEMENTS && grad.data.length === n && f32 === grad.data instanceof Float32Array && (mod ??= this.module()) !== null) {
          const padded = (n + 3) & ~3;
          const size = align16(padded * (f32 ? 4 : 8));
          slot.place = { theta: bytes, grad: bytes + size, after: bytes + 2 * size, padded, f32 };
          bytes += 3 * size;
          big.push(slot);
        } else {
          slot.place = null;
          this.copyOwn(slot, p.data, grad.data);
        }
        list.push(slot);
      }
    }
    if (big.length === 0) return;
    if (mod === null || mod === undefined || !reserve(mod, bytes)) {
      // no room in the module: these go through the JS pass too
      for (const slot of big) {
        slot.place = null;
        this.copyOwn(slot, slot.p.data, (slot.p.grad as Tensor).data);
      }
      return;
    }
    for (const slot of big) {
      const w = slot.place as WasmPlace;
      const n = slot.p.data.length;
      // views of exactly n elements (what sample.ts reads); the pad elements are zeroed apart
      slot.theta = view(mod, w.f32, w.theta, n);
      slot.grad = view(mod, w.f32, w.grad, n);
      slot.theta.set(slot.p.data);
      slot.grad.set((slot.p.grad as Tensor).data);
      if (w.padded > n) {
        view(mod, w.f32, w.theta + n * (w.f32 ? 4 : 8), w.padded - n).fill(0);
        view(mod, w.f32, w.grad + n * (w.f32 ? 4 : 8), w.padded - n).fill(0);
      }
    }
  }

  /** The JS path's copies of θ_t and g_t, into buffers kept across steps. */
  private copyOwn(slot: ParamSlot, theta: Storage, grad: Storage): void {
    const own = slot.own ?? (slot.own = { theta: bufferLike(theta, undefined), grad: bufferLike(grad, undefined) });
    own.theta = bufferLike(theta, own.theta);
    own.grad = bufferLike(grad, own.grad);
    own.theta.set(theta);
    own.grad.set(grad);
    slot.theta = own.theta;
    slot.grad = own.grad;
  }

  /**
   * Post-hook: the sums of one captured parameter into `slot.sums`, and `slot.after` = θ_{t+1}.
   * Throws when the parameter changed size during the step.
   */
  measure_slot(slot: ParamSlot, label: string): void {
    const after = slot.p.data;
    if (after.length !== slot.theta.length) {
      throw new RangeError(`trace: parameter ${label} changed size during step() (${slot.theta.length} → ${after.length} elements)`);
    }
    slot.after = after;
    const s = slot.sums.reset();
    const w = slot.place;
    const mod = w !== null ? this.module() : null;
    if (w === null || mod === null || (after instanceof Float32Array) !== w.f32) {
      accumulate(slot.theta, slot.grad, after, s);
      return;
    }
    const n = after.length;
    view(mod, w.f32, w.after, n).set(after);
    if (w.padded > n) view(mod, w.f32, w.after + n * (w.f32 ? 4 : 8), w.padded - n).fill(0);
    const o = new Float64Array(mod.memory.buffer, 0, OUT_BYTES / 8);
    o.fill(0, 0, 12);
    o[12] = o[13] = Infinity;
    o[14] = o[15] = -Infinity;
    o[16] = o[17] = 0;
    (w.f32 ? mod.sums_f32 : mod.sums_f64)(w.theta, w.after, w.grad, w.padded, 0);
    // the module sums e = θ − a = −d: Σ e·g and Σ θ·e come out negated, exactly (0 − x: a zero
    // sum stays +0, as the direct sums give)
    s.dg = 0 - (o[0] + o[1]);
    s.gg = o[2] + o[3];
    s.dd = o[4] + o[5];
    s.tt = o[6] + o[7];
    s.aa = o[8] + o[9];
    s.td = 0 - (o[10] + o[11]);
    s.rho_min = o[13] < o[12] ? o[13] : o[12];
    s.rho_max = o[15] > o[14] ? o[15] : o[14];
    const c = new Uint32Array(mod.memory.buffer, 128, 4); // two little-endian i64 counts of g = 0
    s.nonzero = w.padded - (c[0] + c[2] + (c[1] + c[3]) * 4294967296);
    s.n = n;
    // a non-finite step: redo the pass in JS, which leaves those elements out (sums.ts)
    if (!(Number.isFinite(s.dd) && Number.isFinite(s.aa))) accumulate(slot.theta, slot.grad, after, s.reset());
  }

  /** After the post-hook: forget this step's parameters (and the reference to their live data). */
  release(): void {
    for (const list of this.pending) {
      if (list === undefined) continue;
      for (const slot of list) slot.after = slot.theta;
      list.length = 0;
    }
  }

  /** Drop everything captured (a failing pre-hook). */
  clear(): void {
    for (const list of this.pending) if (list !== undefined) list.length = 0;
  }
}
