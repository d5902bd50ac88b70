/**
 * Stops user code that holds the main thread where SIGINT cannot reach it (runs on the control
 * thread).
 *
 * SIGINT stops code only inside a script run with `breakOnSigint` (sigint.ts): a synchronous
 * cell, library code a magic runs. Code that runs later, outside any script run, is out of its
 * reach: a cell's code after an `await` (`const data = await load(); for (...) step();`), a
 * timer's callback. Such code kept the kernel busy until it ended by itself; the stop button did
 * nothing, and the "interrupt" message the control thread posts waited behind it.
 *
 * So when the main thread has not taken that message within GRACE_MS (a thread that is free takes
 * it in about a millisecond), this thread attaches V8's inspector to the main thread, pauses it and
 * reads where it stands. If its stack holds the user's code (a cell, lrlab's library, a module
 * the user loaded), run from a timer, a tick or a promise, and none of the kernel's own (its protocol
 * and magics code, TypeScript, zeromq), it terminates that execution (Runtime.terminateExecution: V8 unwinds it and cancels
 * the termination once out of it, as DevTools' stop does), resumes, and tells the main thread
 * ("terminated", after the "interrupt" message): the cell, whose promise will never settle now,
 * ends with KeyboardInterrupt, as a synchronous cell does. Kernel code
 * is never terminated, nor Node's I/O code (see terminable): the thread is resumed and looked at
 * again RETRY_MS later, up to GIVE_UP_MS.
 *
 * A difference from SIGINT: the promise of the terminated code never settles, and V8 drops the
 * microtasks that were queued behind it (microtask-queue.cc). The kernel awaits the cell's
 * promise raced with its interrupt (engine.ts), so the cell ends; what the user's code had queued
 * in the same turn is lost with it.
 */
import type * as inspector from "node:inspector";
import * as path from "node:path";

const GRACE_MS = 250;
/** A heap stop's grace: a main thread that is free takes the message in about a millisecond. */
const URGENT_GRACE_MS = 20;
const RETRY_MS = 250;
/**
 * How long the main thread's heartbeat (interrupt_share.ts BEAT) must have stood still: on a
 * loaded machine a thread that is not held can take longer than GRACE_MS to take a message, and
 * its code, paused then, was terminated although it would have stopped by itself.
 */
const STUCK_MS = 400;
const CHECK_MS = 50;
const GIVE_UP_MS = 15_000;

/** The kernel's own code: never terminated. Directories of its build, and its dependencies. */
const KERNEL_DIRS = ["kernel", "magics", "cli"].map((d) => path.join(__dirname, "..", d) + path.sep);
const KERNEL_PACKAGES = ["zeromq", "typescript", "tslab"].map((p) => `${path.sep}node_modules${path.sep}${p}${path.sep}`);

/**
 * Node's own code that may sit under terminated code: the loops that run timers, ticks and
 * microtasks. Not its I/O or event-emitter code, whose state a termination could leave half-done.
 */
const NODE_CALLERS = new Set(["node:internal/process/task_queues", "node:internal/timers"]);

/**
 * Whether a paused stack (its frames' script URLs, innermost first) may be terminated: some frame
 * is the user's (a cell, lrlab's library, a module the user loaded), none is the kernel's, and
 * Node's own frames are only those that run timers, ticks and microtasks (NODE_CALLERS).
 */
export function terminable(urls: string[]): boolean {
  let user = false;
  for (const url of urls) {
    if (url === "" || url.startsWith("wasm:")) continue;
    if (url.startsWith("node:")) {
      if (NODE_CALLERS.has(url)) continue;
      return false;
    }
    const file = url.startsWith("file://") ? decodeURIComponent(new URL(url).pathname) : url;
    if (KERNEL_DIRS.some((d) => file.startsWith(d)) || KERNEL_PACKAGES.some((p) => file.includes(p))) return false;
    user = true;
  }
  return user;
}

const CLEAR_ASYNC_STACK = Symbol.for("lrlab.clearAsyncIdStack");

/**
 * On the main thread, at start: keeps Node's async-hooks stack clearer where the control thread
 * can call it while the thread is paused. Code terminated between Node's "before" and "after"
 * of a callback (a timer's, a promise's continuation run between timers) leaves its entry on
 * that stack; Node then finds it corrupted and aborts the process (measured, Node 20). Clearing
 * the stack first is what Node itself does after an uncaught exception. Taken once, without
 * the deprecation warning `process.binding` would print into the first cell's output.
 */
export function prepareMainThread(): boolean {
  const g = globalThis as Record<symbol, unknown>;
  if (g[CLEAR_ASYNC_STACK]) return true;
  const quiet = process.noDeprecation;
  process.noDeprecation = true;
  try {
    const b = (process as unknown as { binding?: (name: string) => { clearAsyncIdStack?: () => void } }).binding?.("async_wrap");
    if (typeof b?.clearAsyncIdStack === "function") Object.defineProperty(g, CLEAR_ASYNC_STACK, { value: b.clearAsyncIdStack.bind(b) });
  } catch {
    // not in this Node: the control thread terminates nothing (WorkerInit.stopsStuckCode)
  } finally {
    process.noDeprecation = quiet;
  }
  return !!g[CLEAR_ASYNC_STACK];
}

function post(s: inspector.Session, method: string): Promise<unknown> {
  return new Promise((resolve, reject) => s.post(method, (e, r) => (e ? reject(e) : resolve(r))));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class StuckCodeStopper {
  private posted = 0;
  private running = false;
  /**
   * Set by a heap stop (heap_limit.ts): the main thread's code is filling the heap, and V8 ends
   * the process if it goes on for long; it is stopped without waiting for the heartbeat to stand
   * still (the wait that keeps a merely slow thread from being taken for held code).
   */
  private urgent = false;

  /**
   * `seen()`: how many "interrupt" messages the main thread has taken; `mayBeUserCode()`: whether
   * the user's code may be running there now, or no kernel task is under way (interrupt_share.ts).
   */
  constructor(private readonly seen: () => number, private readonly beat: () => number, private readonly mayBeUserCode: () => boolean,
    private readonly log: (text: string) => void, private readonly terminated: () => void = () => {}) {}

  /**
   * Called right after the control thread posts an "interrupt" message to the main thread;
   * `urgent` for a heap stop (see above).
   */
  interruptPosted(urgent = false): void {
    this.posted++;
    if (urgent) this.urgent = true;
    if (!this.running) void this.watch();
  }

  private taken(): boolean {
    return this.seen() >= this.posted;
  }

  private async watch(): Promise<void> {
    this.running = true;
    try {
      await sleep(this.urgent ? URGENT_GRACE_MS : GRACE_MS);
      if (!this.taken()) await this.stop();
    } catch (e) {
      this.log(`stopping the main thread's code failed: ${(e as Error)?.stack ?? e}`);
    } finally {
      this.running = false;
      this.urgent = false;
    }
  }

  private async stop(): Promise<void> {
    let lastBeat = this.beat(), lastChange = Date.now();
    const stuck = (): boolean => {
      if (this.urgent) return true;
      const b = this.beat();
      if (b !== lastBeat) { lastBeat = b; lastChange = Date.now(); }
      return Date.now() - lastChange >= STUCK_MS;
    };
    // Paused only when held (its heartbeat stands still) by what may be the user's code: the
    // kernel's own work (a large cell's type check) ends by itself, and the main thread then
    // takes the interrupt.
    const end = Date.now() + GIVE_UP_MS;
    while (!this.taken() && !(stuck() && this.mayBeUserCode()) && Date.now() < end) await sleep(CHECK_MS);
    if (this.taken() || Date.now() >= end) return;
    // A main thread held in a native wait for a child process (execSync("sleep 100"), spawnSync)
    // runs no JavaScript to pause: the interrupt did nothing until the child ended. A terminal's
    // Ctrl-C (and jupyter_client's SIGINT to ipykernel's process group) reaches the child too;
    // here its direct children get SIGINT, the call returns, and the cell stops at once.
    const children = interruptChildren();
    if (children.length > 0) this.log(`interrupt: SIGINT sent to the kernel's child processes ${children.join(", ")} (the main thread waits for one)`);
    // loaded here: the main thread imports this module too, at start (prepareMainThread)
    const { Session } = require("node:inspector") as typeof inspector;
    const s = new Session();
    s.connectToMainThread();
    const urls = new Map<string, string>();
    s.on("Debugger.scriptParsed", (m) => urls.set(m.params.scriptId, m.params.url));
    let pausing = false;
    s.on("Debugger.paused", (m) => {
      pausing = false;
      const frames = m.params.callFrames.map((f) => urls.get(f.location.scriptId) ?? f.url ?? "");
      if (!this.taken() && stuck() && terminable(frames)) {
        this.log(`interrupt: terminating the user's code that held the main thread (${frames.find((u) => u && !u.startsWith("node:"))})`);
        // in order, on the paused thread: the async-hooks stack cleared (prepareMainThread), then the termination
        s.post("Debugger.evaluateOnCallFrame", { callFrameId: m.params.callFrames[0].callFrameId, expression: `globalThis[Symbol.for("lrlab.clearAsyncIdStack")]?.()` });
        s.post("Runtime.terminateExecution");
        // its awaiting cell's promise will never settle: the main thread ends the cell
        this.terminated();
      }
      s.post("Debugger.resume");
    });
    try {
      await post(s, "Debugger.enable");
      while (!this.taken() && Date.now() < end) {
        if (!pausing && stuck() && this.mayBeUserCode()) { pausing = true; s.post("Debugger.pause"); }
        await sleep(pausing ? RETRY_MS : CHECK_MS);
      }
      if (!this.taken()) this.log(`interrupt: the main thread took no interrupt in ${GIVE_UP_MS / 1000} s; what held it could not be stopped (the kernel's own code, or code under Node's I/O or events)`);
    } finally {
      // Disabling resumes a pause still pending or in effect; then the session goes.
      await post(s, "Debugger.disable").catch(() => undefined);
      s.disconnect();
    }
  }
}

/**
 * Sends SIGINT to the kernel process's descendants (Linux: read from /proc; elsewhere none), as a
 * terminal's Ctrl-C reaches its whole foreground group: execSync's `/bin/sh -c` waits for its own
 * child before it ends, so SIGINT to the shell alone stopped nothing. Returns their pids. The
 * kernel starts no process of its own: they are the user's.
 */
export function interruptChildren(): number[] {
  const { readdirSync, readFileSync } = require("node:fs") as typeof import("node:fs");
  let entries: string[];
  try { entries = readdirSync("/proc"); } catch { return []; }
  const childrenOf = new Map<number, number[]>();
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ")"
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      childrenOf.set(ppid, [...(childrenOf.get(ppid) ?? []), Number(e)]);
    } catch { /* gone meanwhile */ }
  }
  const pids: number[] = [];
  const visit = (pid: number) => {
    for (const c of childrenOf.get(pid) ?? []) {
      visit(c); // the deepest first: a shell that ends first could leave its child running
      try { process.kill(c, "SIGINT"); pids.push(c); } catch { /* gone meanwhile */ }
    }
  };
  visit(process.pid);
  return pids;
}
