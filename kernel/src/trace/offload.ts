/**
 * The tracer's worker thread: measures traced steps (step_job.ts) off the main thread.
 *
 * Why: on a model of MLP size the measurement (one pass over θ_t, g_t, θ_{t+1}, a ρ sample and
 * its selection: ~0.35 ms) was most of the tracer's cost per step. The main thread still makes
 * the copies (they must be taken before and after the optimizer writes), then hands the step to
 * this thread at the *next* step's pre-hook, so the measurement runs while the optimizer steps,
 * when the matrix products leave the second core idle, and its results are read at that step's
 * post-hook or the pre-hook after (trace.ts: listeners hear of a step late; anything that reads
 * the trace waits for its results).
 *
 * Protocol: jobs and results are messages on a MessageChannel; the main thread receives results
 * synchronously (`receiveMessageOnPort`), after `Atomics.wait` on a counter the worker bumps per
 * finished job: a training loop never yields to the event loop. A trace's shared WebAssembly
 * memory goes to the worker with its first job (again after it grew: a worker's view of a shared
 * memory grown elsewhere keeps its old length) and is dropped there when the trace is stopped or
 * collected. If the worker is not ready yet, gone, or silent for WAIT_MS, the caller measures the
 * step itself (the copies are still in its memory): never a hang, never a lost step.
 *
 * Off (measure on the main thread): LRLAB_TRACE_WORKER=0, or no worker threads (a browser).
 */
import { env, type WasmMemory } from "../wasm_host";
import type { GroupResult, StepJob } from "./step_job";

/** The longest wait for one job before the worker counts as gone (a huge step takes ~0.1 s). */
const WAIT_MS = 10000;
/**
 * The shared counters: READY (1 once the worker listens), DONE (bumped per reply, to wake a
 * waiting main thread), REPLIED (the number of the last job replied to, stored after its reply was
 * posted: jobs are taken in order, so a job at or below it whose reply is nowhere was answered
 * and its reply lost, e.g. to an interrupt that unwound the thread taking it).
 */
const READY = 0, DONE = 1, REPLIED = 2;

interface Port {
  postMessage(m: unknown): void;
  unref?(): void;
  close(): void;
}
interface WorkerLike {
  unref(): void;
  on(event: string, f: (e: unknown) => void): void;
  terminate(): Promise<number>;
}

export type JobReply = { seq: number; results: GroupResult[] } | { seq: number; error: string };

let worker: WorkerLike | null = null;
let port: Port | null = null;
let ctrl: Int32Array | null = null;
let receive: ((p: Port) => { message: JobReply } | undefined) | null = null;
/** false once the worker failed to start or died: every step is measured on the main thread. */
let usable = env("LRLAB_TRACE_WORKER") !== "0";
let nextSeq = 1;
/** Replies received while waiting for another job (several traces share the worker). */
const early = new Map<number, JobReply>();
/** The traces whose memory the worker has, with the memory's size when it was sent. */
const known = new Map<number, number>();
let forgetRegistry: { register(o: object, id: number): void } | null = null;

/**
 * The worker's script: next to this file in the build; the tests run the TypeScript sources
 * (no .js here), and then the build's copy, which `npm test` makes first.
 */
function workerFile(): string {
  const path = require("node:path") as { join(...p: string[]): string; resolve(...p: string[]): string };
  const fs = require("node:fs") as { existsSync(p: string): boolean };
  const here = path.join(__dirname, "trace_worker.js");
  return fs.existsSync(here) ? here : path.resolve(__dirname, "..", "..", "dist", "trace", "trace_worker.js");
}

/** Jobs handed to the worker and replies taken from it (tests check the worker did the work). */
export const offload_stats = { posted: 0, replies: 0 };

function start(): void {
  try {
    const wt = require("node:worker_threads") as {
      Worker: new (file: string, o: object) => WorkerLike;
      MessageChannel: new () => { port1: Port; port2: Port };
      receiveMessageOnPort(p: Port): { message: JobReply } | undefined;
    };
    const channel = new wt.MessageChannel();
    ctrl = new Int32Array(new SharedArrayBuffer(12));
    worker = new wt.Worker(workerFile(), { workerData: { port: channel.port2, ctrl }, transferList: [channel.port2] });
    worker.unref(); // an idle worker must not keep the process alive
    worker.on("error", () => { usable = false; });
    worker.on("exit", () => { usable = false; });
    port = channel.port1;
    port.unref?.();
    receive = wt.receiveMessageOnPort;
    const FR = (globalThis as { FinalizationRegistry?: new (f: (id: number) => void) => { register(o: object, id: number): void } }).FinalizationRegistry;
    if (FR) forgetRegistry = new FR((id) => forget(id));
  } catch {
    usable = false;
  }
}

/**
 * Whether a step can be handed to the worker now. The first call starts it (in the background:
 * it is ready some tens of milliseconds later; until then, steps are measured where they are).
 */
export function worker_ready(): boolean {
  if (!usable) return false;
  if (worker === null) start();
  return usable && ctrl !== null && Atomics.load(ctrl, READY) === 1;
}

/**
 * Hands a job to the worker; returns its number for `wait_job`. `owner` is the trace (its memory
 * is dropped by the worker when `owner` is collected); `id` names its memory.
 */
export function post_job(owner: object, id: number, memory: WasmMemory, job: StepJob): number {
  const seq = nextSeq++;
  // Sent again when it has grown since: a worker's view of a shared memory grown on another
  // thread keeps its old length (V8), so its typed arrays could not reach the new pages.
  // Noted as known only once posted: an interrupt between the two then sends it again, rather
  // than leaving the worker without it (every later job would fail).
  const size = memory.buffer.byteLength;
  const send = known.get(id) !== size;
  (port as Port).postMessage({ seq, id, memory: send ? memory : undefined, job });
  if (send) {
    if (!known.has(id)) forgetRegistry?.register(owner, id);
    known.set(id, size);
  }
  offload_stats.posted++;
  return seq;
}

/** Keeps a reply for its trace; the oldest go when many pile up (their traces were dropped). */
function keep(reply: JobReply): void {
  offload_stats.replies++;
  early.set(reply.seq, reply);
  if (early.size > 64) early.delete(early.keys().next().value as number);
}

/** Moves every reply that has come into `early`. */
function drain(): void {
  if (port === null || receive === null) return;
  let r: { message: JobReply } | undefined;
  while ((r = receive(port)) !== undefined) keep(r.message);
}

/** The reply to job `seq` if it has come, without waiting (undefined: not yet). */
export function poll_job(seq: number): JobReply | undefined {
  if (ctrl !== null && Atomics.load(ctrl, DONE) !== 0) drain();
  return early.get(seq);
}

/**
 * The reply to job `seq`, or null when it cannot come (measure it yourself): the worker is gone
 * or silent, or it replied and the reply was lost. Each reply is put in `early` before it is
 * looked at, so an interrupt can lose one only between taking it off the port and keeping it;
 * a lost reply then costs one step measured here, not a wait of WAIT_MS and the worker.
 */
export function wait_job(seq: number): JobReply | null {
  if (port === null || ctrl === null || receive === null) return take(seq) ?? null;
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const seen = Atomics.load(ctrl, DONE);
    const replied = Atomics.load(ctrl, REPLIED); // read before draining: those replies are on the port
    drain();
    const reply = take(seq);
    if (reply !== undefined) return reply;
    if (replied >= seq) return null; // answered, and the answer lost: the worker is fine
    const left = deadline - Date.now();
    if (left <= 0 || !usable) {
      usable = false; // silent this long: do not count on it again
      return null;
    }
    Atomics.wait(ctrl, DONE, seen, Math.min(left, 100));
  }
}

/** Takes job `seq`'s reply out of `early` (undefined: not there). */
function take(seq: number): JobReply | undefined {
  const reply = early.get(seq);
  if (reply !== undefined) early.delete(seq);
  return reply;
}

/** The worker may drop the memory of trace `id` (stopped or collected). */
export function forget(id: number): void {
  if (!known.delete(id) || port === null) return;
  try {
    port.postMessage({ forget: id });
  } catch {
    // the worker is gone: nothing to drop
  }
}
