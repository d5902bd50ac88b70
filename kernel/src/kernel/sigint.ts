/**
 * SIGINT for cells, without a thread started and joined per cell.
 *
 * A synchronous cell is stopped by Node's SIGINT watchdog: `vm.runInThisContext(code,
 * { breakOnSigint: true })` starts it (a helper thread and a native SIGINT handler that terminates
 * the running script), runs the script and stops it (the thread joined, the handler put back).
 * That start and stop cost ~0.15 ms per run on this project's machines, more than the whole of
 * running `1+1` in the kernel (bench/NOTES.md, session 8). Node counts starts: while one start is
 * outstanding, a run's start and stop only move the count. So the kernel holds one start for its
 * whole life (holdSigintWatchdog) and every run costs microseconds.
 *
 * What holding changes, and how each is kept as it was:
 * - SIGINT while no script runs (a cell awaiting a promise, or idle) no longer reaches
 *   `process.on("SIGINT")`: the watchdog's handler only records it. The engine polls the record
 *   while a cell awaits (takePendingSigint) and interrupts it, as the kernel's listener did. (The
 *   kernel's usual interrupt, interrupt_request, also tells the main thread by message.)
 * - Node's vm removes every SIGINT listener around a run and adds them back after; adding one
 *   back installs libuv's handler in place of the watchdog's, and during the run SIGINT would
 *   then kill the process. So as long as anyone (a user's cell) listens to SIGINT, the hold is let
 *   go (beforeBreakOnSigint) and the listeners are re-added so libuv's handler is the one
 *   installed (letting go puts Node's exit-on-SIGINT handler back); runs then start and stop the
 *   watchdog themselves, as before. The hold is taken again once nobody listens.
 * - The record of a SIGINT that came while idle is cleared by the next run's stop (Node clears it
 *   when a nested stop leaves the count above zero), so it never stops a later cell.
 *
 * The watchdog's controls are Node's `contextify` binding (what Node's REPL uses for the same
 * purpose), reached through `process.binding`. Where that is missing, nothing is held and the
 * kernel listens to SIGINT as before (holdSigintWatchdog returns false).
 */

interface Watchdog {
  startSigintWatchdog(): void;
  stopSigintWatchdog(): boolean;
  watchdogHasPendingSigint(): boolean;
}

let watchdog: Watchdog | null | undefined;
/** Whether this module holds a start of the watchdog now. */
let held = false;
/** Whether the kernel asked to hold it (holdSigintWatchdog). */
let wanted = false;

function binding(): Watchdog | null {
  if (watchdog !== undefined) return watchdog;
  watchdog = null;
  try {
    const b = (process as unknown as { binding?: (name: string) => Partial<Watchdog> }).binding?.("contextify");
    if (b && typeof b.startSigintWatchdog === "function" && typeof b.stopSigintWatchdog === "function"
      && typeof b.watchdogHasPendingSigint === "function") watchdog = b as Watchdog;
  } catch {
    // not available in this Node: runs start and stop the watchdog themselves
  }
  return watchdog;
}

/**
 * Holds one start of Node's SIGINT watchdog for the life of the process (the kernel calls it
 * once). Returns false when it cannot: the caller then listens to SIGINT itself.
 */
export function holdSigintWatchdog(): boolean {
  if (!binding()) return false;
  wanted = true;
  beforeBreakOnSigint();
  return true;
}

/**
 * Called before each run with `breakOnSigint`: lets the hold go while someone listens to SIGINT
 * (header), takes it again when nobody does.
 */
export function beforeBreakOnSigint(): void {
  if (!wanted) return;
  const listening = process.listenerCount("SIGINT") > 0;
  if (held && listening) {
    held = false;
    watchdog!.stopSigintWatchdog();
    // The last stop installed Node's exit handler; re-adding the listeners installs libuv's.
    const listeners = process.rawListeners("SIGINT") as ((...a: unknown[]) => void)[];
    process.removeAllListeners("SIGINT");
    for (const l of listeners) process.addListener("SIGINT", l);
  } else if (!held && !listening) {
    watchdog!.startSigintWatchdog();
    held = true;
  }
}

/** SIGINTs acted on: records taken, and script runs the watchdog terminated (noteRunInterrupted). */
let handled = 0;

/**
 * Whether a SIGINT came while no script ran since the last run (and forgets it). Always false
 * when nothing is held: a listener gets the signal then.
 */
export function takePendingSigint(): boolean {
  if (!held || !watchdog!.watchdogHasPendingSigint()) return false;
  // A nested start and stop clears the record and keeps the thread (the count stays above zero).
  watchdog!.startSigintWatchdog();
  watchdog!.stopSigintWatchdog();
  handled++;
  return true;
}

/**
 * Whether a SIGINT came while no script ran and is not taken yet, without taking it: a cell's type
 * check asks it to stop early (decl_diagnostics.ts), and the run then takes it (engine.ts).
 */
export function sigintPending(): boolean {
  return held && watchdog!.watchdogHasPendingSigint();
}

/** The engine saw a script run end because the watchdog terminated it. */
export function noteRunInterrupted(): void {
  handled++;
}

/** How many SIGINTs have been acted on so far (see settleSigints). */
export function sigintsHandled(): number {
  return handled;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * At the end of a request during which `owed` SIGINTs were raised and not acted on: waits up to
 * `ms` for the watchdog to record them, and forgets the record. A signal is delivered to the
 * watchdog's own thread, which records it; a cell stopped meanwhile by the "interrupt" message
 * could end before that thread ran (a loaded machine), and the record, made after the request's
 * end, then stopped the next cell. Returns whether a record was taken.
 */
export function settleSigints(owed: number, ms = 100): boolean {
  if (owed <= 0 || !held) return takePendingSigint();
  const end = performance.now() + ms;
  while (!watchdog!.watchdogHasPendingSigint() && performance.now() < end) Atomics.wait(pause, 0, 0, 1);
  return takePendingSigint();
}

/** Whether the watchdog is held now (for tests and the kernel log). */
export function sigintWatchdogHeld(): boolean {
  return held;
}
