/**
 * Worker threads for large matrix products. Each worker instantiates the same compiled module on
 * the same shared memory (instance.ts); gemm.ts copies the operands in and packs op(A) once, then
 * every thread claims chunks of C from one shared description (blocked.ts `gemm_chunks`).
 *
 * Why threads: the micro-kernel runs at the limit of 128-bit WebAssembly SIMD on one core
 * (tensor/PERF.md), and PyTorch itself uses every core by default.
 *
 * Protocol, per worker, on a small Int32Array over a SharedArrayBuffer (`ctrl`):
 *   ctrl[STATE]: IDLE → POSTED (a product is described in `desc`) → RUNNING (the worker took it;
 *   a compare-and-swap, so it is either the worker's or the main thread's) → DONE (ctrl[FAILED]
 *   says whether its calls threw) → IDLE. STOP ends the worker. ctrl[GEN] is the generation of
 *   the product offered: a worker given an offer left over from an interrupted product sees that
 *   desc's generation moved on and gives up at once (blocked.ts).
 * After its own chunks the main thread takes back a product a worker has not started (POSTED →
 * IDLE: nothing to wait for, as when the worker is not scheduled on a busy machine) and waits
 * only for a worker that is RUNNING, i.e. at most for the chunk it is computing. Workers start
 * lazily on the first large product, in the background: until one is ready, products run on the
 * main thread alone.
 *
 * Threads: set_num_threads(n), else LRLAB_THREADS (1 = main thread only), else the number of
 * cores (at most MAX_THREADS by default); never more than max_threads() are started.
 */
import { gemm_chunks, D_LENGTH } from "./blocked";
import type { WasmInstance } from "./instance";
import { env } from "../../wasm_host";

const STATE = 0, FAILED = 1, READY = 2, GEN = 3;
const IDLE = 0, POSTED = 1, DONE = 2, STOP = 3, RUNNING = 4;
/** The default's cap: more threads than this rarely pay for a product of a notebook's size. */
const MAX_THREADS = 8;

/** Spins of the waiting side before it sleeps: a futex wake-up costs tens of microseconds. */
const SPIN = 500;

interface WorkerLike { unref(): void; terminate(): Promise<number>; on(event: string, f: (e: unknown) => void): void }

interface Helper {
  ctrl: Int32Array;
  worker: WorkerLike;
  alive: boolean;
}

let helpers: Helper[] = [];
let helpers_of: WasmInstance | null = null;
let started = false;
/** set_num_threads' value; null: LRLAB_THREADS or the number of cores. */
let requested: number | null = null;

/** The machine's cores (1 where that cannot be known). */
function cores(): number {
  try {
    const os = require("node:os") as { availableParallelism?: () => number; cpus(): unknown[] };
    return Math.max(1, os.availableParallelism ? os.availableParallelism() : os.cpus().length);
  } catch {
    return 1;
  }
}

/**
 * The most threads ever started, whatever was asked: each worker is a JavaScript isolate of
 * several megabytes, so `set_num_threads(1000)` must not start 999 of them. More threads than
 * cores cannot make a product faster anyway.
 */
export function max_threads(): number {
  return Math.max(MAX_THREADS, cores());
}

/** Threads products may use, the calling thread included (≥ 1). `torch.get_num_threads()`. */
export function get_num_threads(): number {
  if (requested !== null) return requested;
  const raw = env("LRLAB_THREADS");
  const set = Number(raw);
  if (raw !== undefined && raw !== "" && Number.isInteger(set) && set >= 1) return set;
  if (raw !== undefined && raw !== "" && !warnedThreads) {
    // It was ignored without a word: a typo looked like a setting that did nothing.
    warnedThreads = true;
    process.emitWarning(`LRLAB_THREADS=${JSON.stringify(raw)} is not a whole number ≥ 1: using ${Math.min(MAX_THREADS, cores())} (the cores)`);
  }
  return Math.min(MAX_THREADS, cores());
}
let warnedThreads = false;

/**
 * `torch.set_num_threads(n)`: the threads large matrix products use from now on, this one
 * included (n = 1: no worker threads). The current workers stop; n − 1 start on the next large
 * product.
 */
export function set_num_threads(n: number): void {
  // PyTorch's messages (RuntimeError there), with the value given.
  if (typeof n !== "number" || !Number.isInteger(n)) {
    throw new TypeError(`set_num_threads expects an int, but got ${typeof n === "number" ? "float" : typeof n} (${String(n)})`);
  }
  if (n < 1) throw new RangeError(`set_num_threads expects a positive integer, got ${n}`);
  requested = n;
  stop_threads();
}

/** The product being computed: written by gemm.ts, read by every thread (blocked.ts layout). */
export const desc = new Int32Array(new SharedArrayBuffer(4 * D_LENGTH));

/** The worker's whole program: instantiate, say ready, then take products until told to stop. */
function worker_source(): string {
  return `"use strict";
const { workerData } = require("node:worker_threads");
const { module, mem, ctrl, desc, tid } = workerData;
const gemm_chunks = ${gemm_chunks.toString()};
let ex = null;
try {
  ex = new WebAssembly.Instance(module, { env: { mem } }).exports;
  Atomics.store(ctrl, ${READY}, 1);
} catch (e) {
  Atomics.store(ctrl, ${READY}, 2);
}
while (ex !== null) {
  const s = Atomics.load(ctrl, ${STATE});
  if (s === ${STOP}) break;
  if (s === ${POSTED}) {
    if (Atomics.compareExchange(ctrl, ${STATE}, ${POSTED}, ${RUNNING}) !== ${POSTED}) continue;
    let failed = 0;
    try { gemm_chunks(ex, desc, tid, Atomics.load(ctrl, ${GEN})); } catch (e) { failed = 1; }
    Atomics.store(ctrl, ${FAILED}, failed);
    Atomics.store(ctrl, ${STATE}, ${DONE});
    Atomics.notify(ctrl, ${STATE});
    continue;
  }
  // Products come in bursts (forward, backward): spin a little before sleeping.
  let n = 0;
  while (n < ${SPIN} && Atomics.load(ctrl, ${STATE}) === s) n++;
  Atomics.wait(ctrl, ${STATE}, s);
}`;
}

function start(inst: WasmInstance, count: number): void {
  let Worker: new (code: string, opts: object) => WorkerLike;
  try {
    ({ Worker } = require("node:worker_threads") as { Worker: typeof Worker });
  } catch {
    return; // no worker threads here (e.g. a browser): the main thread does everything
  }
  const code = worker_source();
  for (let i = 0; i < count; i++) {
    const ctrl = new Int32Array(new SharedArrayBuffer(16));
    let worker: WorkerLike;
    try {
      worker = new Worker(code, { eval: true, workerData: { module: inst.module, mem: inst.mem, ctrl, desc, tid: i + 1 } });
    } catch {
      return;
    }
    const h: Helper = { ctrl, worker, alive: true };
    worker.on("error", () => { h.alive = false; });
    worker.on("exit", () => { h.alive = false; });
    worker.unref(); // an idle worker must not keep the process alive
    helpers.push(h);
  }
}

/** Stops the workers (a new module instance needs its own: instance.ts reload_wasm). */
export function stop_threads(): void {
  for (const h of helpers) {
    Atomics.store(h.ctrl, STATE, STOP);
    Atomics.notify(h.ctrl, STATE);
    void h.worker.terminate();
  }
  helpers = [];
  helpers_of = null;
  started = false;
}

/**
 * The workers ready to take a part of a product on `inst` now (possibly none). The first call
 * starts them; they become ready a few tens of milliseconds later.
 */
export function ready_helpers(inst: WasmInstance): Helper[] {
  // (The thread index of helpers[i] is i + 1: it picks the worker's scratch tile.)
  if (helpers_of !== inst) {
    if (helpers_of !== null) stop_threads();
    helpers_of = inst;
  }
  if (!started) {
    started = true;
    const n = Math.min(get_num_threads(), max_threads()) - 1;
    if (n > 0) start(inst, n);
  }
  return helpers.filter((h) => h.alive && Atomics.load(h.ctrl, READY) === 1);
}

/** Products in which a worker thread took part (tests check that the split happens). */
export let worker_runs = 0;

/** The most threads a product may use: the scratch tiles gemm.ts reserves. */
export function max_thread_index(): number {
  return helpers.length;
}

/**
 * Waits until no worker of `hs` runs a product: one may still be on an earlier product when the
 * main thread was interrupted while waiting for it (it gives up at its next chunk once the
 * product's generation changed, blocked.ts), or report one the main thread never joined.
 */
export function settle(hs: Helper[]): void {
  for (const h of hs) {
    for (;;) {
      const s = Atomics.load(h.ctrl, STATE);
      if (s === RUNNING && h.alive) { Atomics.wait(h.ctrl, STATE, RUNNING, 10); continue; }
      // an offer not taken, or a result not read: back to IDLE (unless the worker just took it)
      if ((s === POSTED || s === DONE) && Atomics.compareExchange(h.ctrl, STATE, s, IDLE) !== s) continue;
      break;
    }
  }
}

/** Offers product `gen`, described in `desc`, to `hs` (ready, settled workers); returns at once. */
export function post(hs: Helper[], gen: number): void {
  for (const h of hs) {
    Atomics.store(h.ctrl, GEN, gen);
    Atomics.store(h.ctrl, STATE, POSTED);
    Atomics.notify(h.ctrl, STATE);
  }
}

/**
 * After the caller's own chunks: takes back the offer from workers that did not start and waits
 * for those that did. False when a worker's calls threw (it should not): the caller redoes the
 * whole product.
 */
export function join(hs: Helper[]): boolean {
  let ok = true;
  for (const h of hs) {
    if (Atomics.compareExchange(h.ctrl, STATE, POSTED, IDLE) === POSTED) continue;
    let n = 0;
    while (Atomics.load(h.ctrl, STATE) === RUNNING) {
      if (!h.alive) { ok = false; break; }
      if (++n > SPIN) Atomics.wait(h.ctrl, STATE, RUNNING, 50);
    }
    if (Atomics.load(h.ctrl, FAILED) !== 0) ok = false;
    Atomics.store(h.ctrl, STATE, IDLE);
    worker_runs++;
  }
  return ok;
}
