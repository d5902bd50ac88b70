/**
 * A cell that fills the JavaScript heap ends with a MemoryError; the kernel lives on.
 *
 * Before, a cell growing plain arrays or objects (`while (true) hog.push(new Array(1e6))`) reached
 * V8's old-generation limit (~4 GB by default, Node's --max-old-space-size) and V8 ended the
 * process: no reply, every variable lost. The addon kernel/native/heap_limit.cc (built by
 * scripts/setup.mjs) installs V8's near-heap-limit callback: while a cell's script runs (armed
 * here by the engine), it raises the limit by a margin so V8 can go on, and raises SIGINT, which
 * the script's watchdog turns into a termination `vm` reports as an interrupt; the engine then
 * asks takeHeapLimitHit() and throws MemoryError instead of KeyboardInterrupt. The names the
 * stopped cell declared that hold objects are cleared (MemoryError.cleared), what earlier cells
 * hold stays.
 *
 * Code that fills the heap outside a cell's script (an awaiting cell's code after an `await`, a
 * timer's callback) is stopped by the control thread, as for an interrupt (watchHeapStops: the
 * addon counts a stop in the kernel's shared slots; an awaiting cell's awaits throw, code that
 * holds the main thread is terminated, stuck_code.ts); the cell ends with MemoryError, a timer's
 * stop is reported under the last cell. That takes the control thread ~1 s, for which the limit
 * is raised up to twice its size and 256 MB more (above the limit where the stop began, when an
 * earlier stop's raise was still in effect); code that outgrows even that ends the process, as
 * before. The kernel's own code is never stopped (its limit is raised once). After a stop, what
 * the cleared names held is collected at once, which puts the limit back (heap_limit.cc Collect).
 * Without the addon (no C++ compiler at set-up, or LRLAB_NATIVE=0) nothing changes.
 */
import * as path from "node:path";
import { HEAP_STOPS, KERNEL_TASKS, USER_CODE } from "./interrupt_share";
import { markUnassigned } from "./unassigned";

interface Addon {
  arm(on: boolean): boolean; takeHit(): number; initialLimit(): number;
  watch(slots: Int32Array, userCode: number, kernelTasks: number, stops: number): void;
  /** Absent from an addon built before session 24. */
  collect?(): void;
}

/** Where scripts/setup.mjs writes the addon (the same place from kernel/src and kernel/dist). */
export const HEAP_LIMIT_ADDON = path.join(__dirname, "..", "..", "native", "build", "heap_limit.node");

let addon: Addon | null = null;

/**
 * Loads the addon on this thread (the kernel's main thread, once at start). Returns why it is not
 * in use, or null when it is.
 */
export function installHeapGuard(): string | null {
  if (addon) return null;
  if (process.env.LRLAB_NATIVE === "0") return "LRLAB_NATIVE=0";
  try {
    const m = require(HEAP_LIMIT_ADDON) as Partial<Addon>;
    if (typeof m.arm !== "function" || typeof m.takeHit !== "function" || typeof m.initialLimit !== "function" || typeof m.watch !== "function") return "the addon exports other functions (rebuild it: npm run setup)";
    addon = m as Addon;
    return null;
  } catch (e) {
    return (e as Error)?.message ?? String(e);
  }
}

/** Keeps the kernel's shared slots for the addon to read and count in (interrupt_share.ts). */
let watched: Int32Array | null = null;

/**
 * Lets the addon stop the user's code outside a script: it reads `share`'s USER_CODE and
 * KERNEL_TASKS slots and counts HEAP_STOPS, which the control thread watches.
 */
export function watchHeapStops(share: Int32Array): void {
  if (!addon) return;
  watched = share; // the addon holds a pointer into its buffer: kept alive here
  addon.watch(watched, USER_CODE, KERNEL_TASKS, HEAP_STOPS);
}

/** Arms (or disarms) the stop of a script that reaches the heap limit; returns the previous state. */
export function armHeapGuard(on: boolean): boolean {
  return addon ? addon.arm(on) : false;
}

/** The heap limit (bytes) at which the addon stopped a script since the last call, or 0. */
export function takeHeapLimitHit(): number {
  return addon ? addon.takeHit() : 0;
}

/** Why a name cleared by cleared() holds nothing (its cell had assigned it: unassigned.ts's default would say not). */
export const CLEARED = "it was cleared to free the heap when the cell that declares it stopped with a MemoryError; assign it again";

/**
 * Python's name for the same event: a cell stopped because the JavaScript heap was full. Unlike
 * Python's, the names the stopped cell declared that hold objects are cleared (cleared()): what they held filled
 * the heap, and the kernel's own next work (type-checking the next cell) then found no room and
 * V8 ended the process after all (measured). What earlier cells declared is kept.
 */
export class MemoryError extends Error {
  constructor(readonly limitBytes: number) {
    super("");
    this.name = "MemoryError";
    this.message = this.text([]);
  }

  private text(names: readonly string[]): string {
    const mb = Math.round(this.limitBytes / 2 ** 20);
    const cleared = names.length > 0 ? `the names it declared (${names.join(", ")}) were cleared to free the heap; ` : "";
    return `JavaScript heap out of memory: the cell was stopped when V8's heap reached its limit of ${mb} MB `
      + `(Node's --max-old-space-size); ${cleared}what earlier cells' variables hold is kept: set large ones to null, or restart the kernel. `
      + `Typed arrays (Float64Array) and tensors store their numbers outside this limit; for a larger one, add `
      + `--max-old-space-size=<MB> after the node path in the kernelspec's argv (jupyter kernelspec list).`;
  }

  /**
   * Clears those of the stopped cell's names `names` that hold an object (an array, a Map...) or
   * a long string in the cells' scope (unassigned.ts), and says so; numbers and short strings it
   * assigned stay, as Python keeps what a cell assigned before its MemoryError.
   */
  cleared(scope: Record<string, unknown>, names: readonly string[]): void {
    const large = names.filter((name) => {
      try {
        const v = scope[name];
        return (typeof v === "object" && v !== null) || (typeof v === "string" && v.length >= 1 << 20);
      } catch {
        return false; // not assigned yet: holds nothing
      }
    });
    markUnassigned(scope, large, CLEARED);
    this.message = this.text(large);
    // what they held is collected now: the limit raised for this stop goes back to the initial
    // one, and a next stop has the room above it (heap_limit.cc Collect)
    addon?.collect?.();
  }
}
