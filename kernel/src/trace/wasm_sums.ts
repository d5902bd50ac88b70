/**
 * The tracer's per-element pass (sums.ts `accumulate`) in WebAssembly SIMD, for large parameters.
 *
 * The module is emitted byte by byte below (no tool-chain); each trace instantiates it with its
 * own memory, where the tracer keeps θ_t and g_t (the pre-hook copies them there: that is the snapshot) and copies
 * θ_{t+1} after the step (a memcpy). It exports, for T in {f32, f64}:
 *
 *   sums_T(theta, after, grad, n, out)   byte addresses; n a multiple of 4 (callers pad with zeros)
 *
 * which walks the elements four at a time as two f64x2 pairs (float32 values promoted exactly) and
 * adds into nine f64x2 vectors at `out` (which the caller initialises: zeros, +Inf for lo, −Inf
 * for hi): the lane-wise partial sums −dg, gg, dd, tt, aa, −td (see sums.ts; negated because the
 * loop uses e = θ − a), min and max of ρ = −d/g = e/g over the lanes with g ≠ 0 (NaN elsewhere,
 * which `pmin`/`pmax`, i.e. `r < lo ? r : lo` as the JS loop, never pick), and the count of g = 0
 * (as two i64 lanes). JS adds the two lanes. Padding elements (θ = a = g = 0) add nothing to the
 * sums and count as g = 0. The sums are float64 as in JS; only the order of the additions differs
 * (by lane and pair, then added), a rounding-level change.
 * Non-finite values, or a float64 overflow, make a sum non-finite, and the caller then redoes the
 * careful JS pass (sums.ts), which handles both; so it does when float64 values are so small
 * that a sum of squares underflowed (below sums.ts TINY while the vector is not zero).
 *
 * Measured (Node 20, x64, 200,704 float32 elements, data beyond L2): ~0.5 ms for the JS pass,
 * ~0.21 ms here, plus the copy of θ_{t+1}.
 */
import { wasm_api, type WasmMemory } from "../wasm_host";
import { bytesOf, native_pass } from "./native_sums";
import { keepPass, type StepSums } from "./sums";

/* eslint-disable no-bitwise */

const uleb = (n: number): number[] => {
  const o: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    o.push(b);
  } while (n !== 0);
  return o;
};
const sleb = (n: number): number[] => {
  const o: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      o.push(b);
      return o;
    }
    o.push(b | 0x80);
  }
};
const name = (s: string): number[] => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const f64pair = (v: number): number[] => {
  const b = new Uint8Array(new Float64Array([v, v]).buffer);
  return [...b];
};

// Opcodes (WebAssembly core and SIMD specifications).
const LOCAL_GET = 0x20, LOCAL_SET = 0x21, I32_CONST = 0x41, I32_ADD = 0x6a, I32_SHL = 0x74, I32_GE_U = 0x4f;
const BLOCK = 0x02, LOOP = 0x03, BR = 0x0c, BR_IF = 0x0d, END = 0x0b, VOID = 0x40;
const V128_LOAD = 0x00, V128_STORE = 0x0b, V128_CONST = 0x0c, LOAD64_ZERO = 0x5d, PROMOTE_LOW = 0x5f;
const V128_OR = 0x50, F64X2_EQ = 0x47, I64X2_SUB = 0xd1;
const F64X2_ADD = 0xf0, F64X2_SUB = 0xf1, F64X2_MUL = 0xf2, F64X2_DIV = 0xf3, F64X2_PMIN = 0xf6, F64X2_PMAX = 0xf7;

/**
 * Body of sums_T. Params 0..4: theta, after, grad, n, out. Four elements per iteration, as two
 * f64x2 halves whose products are added together before they reach the accumulators: one
 * dependent addition per accumulator per four elements (the loop is latency-bound otherwise).
 *
 * Fewer instructions than the direct transcription (the loop is bound by their number):
 * - it works with e = θ − a = −d (exactly: rounding is symmetric), so ρ = e/g needs no negation,
 *   and Σ e·g = −dg, Σ θ·e = −td, Σ e² = dd exactly (JS negates the two);
 * - the lanes with g = 0 get ρ = e/g OR (g == 0): the all-ones mask is a NaN, which pmin/pmax
 *   pass over, so one compare and one OR replace compare, negate and select; the same mask
 *   counts the zeros (the caller subtracts them from n).
 * The accumulators start from `out` (zeros, ±Inf for lo/hi: the caller writes them), so a long
 * array may be summed in several calls with the same result as one.
 */
function sumsBody(f32: boolean): number[] {
  // locals: 5 = i, 6 = end (i32); v128: 7..15 the accumulators dg gg dd tt aa td lo hi zeros,
  // 16..21 T0 A0 G0 T1 A1 G1, 22 E0, 23 E1, 24 Z0, 25 Z1
  const i = 5, end = 6;
  const [dg, gg, dd, tt, aa, td, lo, hi, cnt] = [7, 8, 9, 10, 11, 12, 13, 14, 15];
  const [T0, A0, G0, T1, A1, G1, E0, E1, Z0, Z1] = [16, 17, 18, 19, 20, 21, 22, 23, 24, 25];
  const get = (l: number) => [LOCAL_GET, l];
  const set = (l: number) => [LOCAL_SET, l];
  const c: number[] = [];
  const emit = (...parts: number[][]) => { for (const p of parts) c.push(...p); };
  const esz = f32 ? 4 : 8;
  const load = (base: number, half: number, dst: number) =>
    emit(get(base), get(i), [I32_ADD], f32 ? [...simd(LOAD64_ZERO), 3, ...uleb(8 * half), ...simd(PROMOTE_LOW)] : [...simd(V128_LOAD), 4, ...uleb(16 * half)], set(dst));
  // acc += x0·y0 + x1·y1
  const acc = (dst: number, x0: number, y0: number, x1: number, y1: number) =>
    emit(get(dst), get(x0), get(y0), simd(F64X2_MUL), get(x1), get(y1), simd(F64X2_MUL), simd(F64X2_ADD), simd(F64X2_ADD), set(dst));
  // E ← ρ = e/g where g ≠ 0, NaN (all ones) where g = 0
  const rho = (e: number, g: number, z: number) => emit(get(e), get(g), simd(F64X2_DIV), get(z), simd(V128_OR), set(e));
  const accs = [dg, gg, dd, tt, aa, td, lo, hi, cnt];
  accs.forEach((l, k) => emit(get(4), simd(V128_LOAD), [4, ...uleb(16 * k)], set(l)));
  emit(get(3), [I32_CONST, ...sleb(f32 ? 2 : 3)], [I32_SHL], set(end));
  emit([BLOCK, VOID, LOOP, VOID]);
  emit(get(i), get(end), [I32_GE_U, BR_IF, 1]);
  load(0, 0, T0); load(1, 0, A0); load(2, 0, G0);
  load(0, 1, T1); load(1, 1, A1); load(2, 1, G1);
  emit(get(T0), get(A0), simd(F64X2_SUB), set(E0));
  emit(get(T1), get(A1), simd(F64X2_SUB), set(E1));
  acc(dg, E0, G0, E1, G1);
  acc(gg, G0, G0, G1, G1);
  acc(dd, E0, E0, E1, E1);
  acc(tt, T0, T0, T1, T1);
  acc(aa, A0, A0, A1, A1);
  acc(td, T0, E0, T1, E1);
  // Z = (g == 0): all ones there (false for NaN, which counts as g ≠ 0, as `g !== 0`)
  emit(get(G0), simd(V128_CONST), f64pair(0), simd(F64X2_EQ), set(Z0));
  emit(get(G1), simd(V128_CONST), f64pair(0), simd(F64X2_EQ), set(Z1));
  rho(E0, G0, Z0);
  rho(E1, G1, Z1);
  // lo = pmin(pmin(lo, ρ0), ρ1), pmin(a, b) = b < a ? b : a, as `if (r < lo) lo = r`. The
  // accumulator must be the first operand of each: pmin(ρ0, ρ1) would return ρ0's NaN and lose ρ1.
  emit(get(lo), get(E0), simd(F64X2_PMIN), get(E1), simd(F64X2_PMIN), set(lo));
  emit(get(hi), get(E0), simd(F64X2_PMAX), get(E1), simd(F64X2_PMAX), set(hi));
  // zeros as i64 lanes: a true mask is −1, so cnt − mask adds one
  emit(get(cnt), get(Z0), simd(I64X2_SUB), get(Z1), simd(I64X2_SUB), set(cnt));
  emit(get(i), [I32_CONST, ...sleb(4 * esz)], [I32_ADD], set(i));
  emit([BR, 0, END, END]);
  accs.forEach((l, k) => emit(get(4), get(l), simd(V128_STORE), [4, ...uleb(16 * k)]));
  const locals = [...uleb(2), ...uleb(2), 0x7f, ...uleb(19), 0x7b];
  const body = [...locals, ...c, END];
  return [...uleb(body.length), ...body];
}

/**
 * Most pages a trace's shared memory may grow to: 4 GiB, WebAssembly's 32-bit limit, as an own
 * memory has (~170M float32 parameters with two steps' copies in it). A shared memory reserves
 * its maximum as address space up front, not as memory.
 */
const MAX_PAGES = 65536;

/**
 * The module imports its memory (`env.mem`): shared when the trace's steps may be measured on the
 * tracer's worker thread (offload.ts), which instantiates the same module on the same memory.
 */
function moduleBytes(shared: boolean): Uint8Array {
  const type = [1, 0x60, 5, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0];
  const imports = [1, ...name("env"), ...name("mem"), 0x02, ...(shared ? [0x03, 1, ...uleb(MAX_PAGES)] : [0x00, 1])];
  const funcs = [2, 0, 0];
  const exports = [2, ...name("sums_f32"), 0x00, 0, ...name("sums_f64"), 0x00, 1];
  const code = [2, ...sumsBody(true), ...sumsBody(false)];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, type), ...section(2, imports), ...section(3, funcs), ...section(7, exports), ...section(10, code),
  ]);
}

export interface SumsModule {
  memory: WasmMemory;
  sums_f32(theta: number, after: number, grad: number, n: number, out: number): void;
  sums_f64(theta: number, after: number, grad: number, n: number, out: number): void;
}

/** The compiled module, own memory [0] and shared memory [1] (null: this engine cannot). */
const compiled: (object | null | undefined)[] = [undefined, undefined];

function compiledModule(shared: boolean): object | null {
  const WA = wasm_api();
  if (WA === undefined) return null;
  const k = shared ? 1 : 0;
  if (compiled[k] === undefined) {
    try {
      compiled[k] = new WA.Module(moduleBytes(shared));
    } catch {
      compiled[k] = null;
    }
  }
  return compiled[k] as object | null;
}

/**
 * A new instance of the module with a new memory (each trace has one, so traces never share
 * their snapshots; the memory goes with the trace), shared when `shared` and the engine allows
 * (else its own), or null when this engine has no WebAssembly SIMD or LRLAB_WASM=0 (the switch
 * of the tensor kernels' module too): the JS pass is used then. The module is compiled once.
 */
export function sumsInstance(shared = false): SumsModule | null {
  const WA = wasm_api();
  if (WA === undefined) return null;
  if (shared && typeof SharedArrayBuffer === "function") {
    try {
      const mod = sumsOn(new WA.Memory({ initial: 1, maximum: MAX_PAGES, shared: true }));
      if (mod !== null) return mod;
    } catch {
      // no shared memory here: an own memory below
    }
  }
  try {
    return sumsOn(new WA.Memory({ initial: 1 }));
  } catch {
    return null;
  }
}

/** The module instantiated on an existing memory (the worker thread's view of a trace's memory). */
export function sumsOn(memory: WasmMemory): SumsModule | null {
  const WA = wasm_api();
  const shared = typeof SharedArrayBuffer === "function" && memory.buffer instanceof SharedArrayBuffer;
  const compiledMod = compiledModule(shared);
  if (WA === undefined || compiledMod === null) return null;
  try {
    const ex = new WA.Instance(compiledMod, { env: { mem: memory } }).exports as unknown as Pick<SumsModule, "sums_f32" | "sums_f64">;
    return { memory, sums_f32: ex.sums_f32, sums_f64: ex.sums_f64 };
  } catch {
    return null;
  }
}

/** A typed view of `n` elements (float32 or float64) of the module's memory at byte `at`. */
export function memoryView(mod: SumsModule, f32: boolean, at: number, n: number): Float32Array | Float64Array {
  return f32 ? new Float32Array(mod.memory.buffer, at, n) : new Float64Array(mod.memory.buffer, at, n);
}

/** Grow the module's memory to at least `bytes`; false when the engine refuses. */
export function reserve(mod: SumsModule, bytes: number): boolean {
  const have = mod.memory.buffer.byteLength;
  if (have >= bytes) return true;
  try {
    mod.memory.grow(Math.ceil((bytes - have) / 65536));
    return true;
  } catch {
    return false;
  }
}

/** Bytes of the module's output block: nine f64x2 vectors. */
export const OUT_BYTES = 144;
/** The output blocks: the main thread's at 0, the worker thread's (offload.ts) at WORKER_OUT. */
export const MAIN_OUT = 0, WORKER_OUT = 256;

/** Where a parameter's three arrays sit in the module's memory (byte offsets). */
export interface WasmPlace {
  theta: number;
  grad: number;
  after: number;
  /** Elements rounded up to a multiple of 4 (zero pad elements). */
  padded: number;
  f32: boolean;
}

/**
 * The module's pass over one parameter placed at `w` (n elements, pads zeroed), with its output
 * block at byte `out`: the sums into `s` (reset by the caller). The native pass (native_sums.ts:
 * the same block, 256-bit vectors, ~3× faster) runs instead where it was built and the processor
 * has AVX2. Returns false when a sum is not
 * finite (non-finite values, or an overflow) or underflowed: the caller redoes the careful JS
 * pass (sums.ts).
 */
export function wasmSums(mod: SumsModule, w: WasmPlace, n: number, out: number, s: StepSums): boolean {
  const o = new Float64Array(mod.memory.buffer, out, OUT_BYTES / 8);
  o.fill(0, 0, 12);
  o[12] = o[13] = Infinity;
  o[14] = o[15] = -Infinity;
  o[16] = o[17] = 0;
  const nat = native_pass();
  if (nat === null || !nat(bytesOf(mod.memory.buffer), w.f32, w.theta, w.after, w.grad, w.padded, out)) {
    (w.f32 ? mod.sums_f32 : mod.sums_f64)(w.theta, w.after, w.grad, w.padded, out);
  }
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
  const c = new Uint32Array(mod.memory.buffer, out + 128, 4); // two little-endian i64 counts of g = 0
  s.nonzero = w.padded - (c[0] + c[2] + (c[1] + c[3]) * 4294967296);
  s.n = n;
  return keepPass(s, w.f32, () => [memoryView(mod, false, w.theta, n), memoryView(mod, false, w.grad, n), memoryView(mod, false, w.after, n)]);
}
