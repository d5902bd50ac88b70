/**
 * What the main thread and the control thread share about interrupts: Int32 slots of one
 * SharedArrayBuffer, made by the kernel (kernel.ts) and handed to the control thread in its
 * WorkerInit. Atomics only: the control thread reads them while the main thread is busy.
 */

/** 1 while a cell runs or is about to (an execute request until its reply, the warm-up), else 0. */
export const WORKING = 0;
/** How many SIGINTs the control thread has raised for interrupt_requests (never decreases). */
export const SIGINTS_SENT = 1;
/** How many "interrupt" messages the main thread has received from the control thread. */
export const INTERRUPTS_SEEN = 2;

/** How many of the kernel's own tasks (requests, the warm-up) are under way on the main thread. */
export const KERNEL_TASKS = 3;
/** 1 while the user's code may be running inside one of them: a cell's script, an awaiting cell. */
export const USER_CODE = 4;

/** Bumped by a timer of the main thread every BEAT_MS: it stands still while code holds the thread. */
export const BEAT = 5;
export const BEAT_MS = 100;

/**
 * How many times the heap-limit guard (heap_limit.ts, native) found the heap full while the
 * user's code ran outside a script (an awaiting cell, a timer): the control thread then stops it
 * as it stops it for an interrupt. Counted by the addon, from inside V8's garbage collector.
 */
export const HEAP_STOPS = 6;

const SLOTS = 7;

/** The slots over `buffer`, or over a new buffer. */
export function interruptShare(buffer: SharedArrayBuffer = new SharedArrayBuffer(4 * SLOTS)): Int32Array {
  return new Int32Array(buffer, 0, SLOTS);
}

/** The main thread's slots, once the kernel has made them (null in a process without a kernel). */
let mainShare: Int32Array | null = null;

export function setMainShare(share: Int32Array): void {
  mainShare = share;
}

/**
 * Marks the user's code as (possibly) running on the main thread, or not; returns the previous
 * mark, to be put back. The control thread pauses the main thread to look for stuck code only
 * then, or when no kernel task is under way (stuck_code.ts): pausing costs the paused code its
 * optimised state, and a cell being type-checked (seconds, for a large one) ran twice as long.
 */
export function markUserCode(on: boolean): boolean {
  if (!mainShare) return false;
  return Atomics.exchange(mainShare, USER_CODE, on ? 1 : 0) === 1;
}

/** SIGINTs the control thread has raised so far (0 in a process without a kernel). */
export function controlSigints(): number {
  return mainShare ? Atomics.load(mainShare, SIGINTS_SENT) : 0;
}

/** Counts a kernel task in (+1) or out (-1). */
export function countKernelTask(delta: 1 | -1): void {
  if (mainShare) Atomics.add(mainShare, KERNEL_TASKS, delta);
}
