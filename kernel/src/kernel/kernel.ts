/**
 * The lrlab kernel: Jupyter messaging 5.4 over ZeroMQ, on the main thread the shell channel and
 * the engine; control, heartbeat, stdin and the socket bound to the iopub port on a worker thread
 * (control_worker.ts) so that interrupts, input replies and the control thread's status messages
 * get through while a cell is busy (this thread publishes on iopub through an inproc proxy).
 *
 * Requests on shell are handled one at a time, in arrival order. After a cell fails with
 * `stop_on_error`, execute requests already queued are answered "aborted" without running.
 * Requests on control that the control thread does not answer itself (any shell request type:
 * the spec allows them there) are handled at once, on this thread, as ipykernel handles them at
 * once on its control thread: an execute_request on control runs between the awaits of a shell
 * cell that is waiting; each one's outputs carry its own parent header (parents.ts).
 */
import * as path from "node:path";
import { appendFileSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { randomUUID } from "node:crypto";
import { Worker } from "node:worker_threads";
import * as zmq from "zeromq";
import { ConnectionInfo, Message, Signer, WireError, decode, encode, endpoint, newHeader, PROTOCOL_VERSION } from "./wire";
import { Iopub, StreamCapture } from "./iopub";
import { Parents, RequestScope } from "./parents";
import { CellError, Engine, KeyboardInterrupt } from "./engine";
import { makePrelude } from "./prelude_source";
import { connectPrelude, DisplaySink, SILENT_RESULT } from "./prelude";
import { History } from "./history";
import { bundleOf, formatErrorsWith, MimeBundle } from "./mime";
import { cleanStacks, errorContent, errorText } from "./errors";
import { INPUT_DONE, INPUT_PENDING, FromWorker, ToWorker, WorkerInit } from "./control_worker";
import { hasMagic, MagicError } from "../magics/parser";
import { currentRun, nextRunSerial } from "./await_guard";
import { MagicContext, fullHelp } from "../magics/types";
import { findMagic, allMagics } from "../magics/registry";
import { runWithMagics } from "../magics/run_cell";
import { codeView, completeMagicLine, expressionAt, magicLineAt, magicNameAt, magicWordDocs } from "../magics/assist";
import { isCompleteCell, tsVersion } from "./is_complete";
import { codePointsToIndex, indexToCodePoints } from "./unicode";
import { ignoreBrokenPipes, watchParent } from "./parent_watch";
import type * as PreviewModule from "../trace/preview";
import type * as SchedulersModule from "../optim/lr_scheduler";
import { installHeapGuard, watchHeapStops } from "./heap_limit";
import { ASK_EXIT, isExitRequest } from "./exit_request";
import { holdSigintWatchdog, settleSigints, sigintsHandled, takePendingSigint } from "./sigint";
import { BEAT, BEAT_MS, countKernelTask, interruptShare, INTERRUPTS_SEEN, setMainShare, SIGINTS_SENT, WORKING } from "./interrupt_share";
import { prepareMainThread } from "./stuck_code";
import { dottedNameAt } from "./module_docs";
import { helpLine, helpRequestError } from "./help_request";
import { fieldError, RequestFieldError } from "./request_fields";
import { tslabTypeScript } from "./engine_tslab";
import { BuiltinsGuard, restoredNotice } from "./builtins_guard";

const VERSION: string = require("../../package.json").version;
/** The real process.exit, kept before cells get a guarded one. */
const realExit = process.exit.bind(process);
/** process.exit ends the process through process.reallyExit (Node's internals read it at each call). */
const realReallyExit = (process as any).reallyExit as (code?: number) => never;
const realKill = process.kill.bind(process);

/**
 * Whether `process.kill(pid, signal)` from a cell would end or stop the kernel: a signal to the
 * kernel itself (or its process group) whose default action ends or stops a process, with no
 * listener of the cell's. SIGINT is the kernel's interrupt (a KeyboardInterrupt, as Python's
 * `os.kill(os.getpid(), SIGINT)`); signal 0 only probes.
 */
function killsKernel(pid: unknown, signal: unknown): string | null {
  if (pid !== process.pid && pid !== 0) return null;
  const sig = signal ?? "SIGTERM";
  const name = typeof sig === "number" ? Object.keys(osConstants.signals).find((k) => (osConstants.signals as any)[k] === sig) : String(sig);
  if (sig === 0 || !name) return null; // no such signal: Node's own error says so
  if (["SIGINT", "SIGCHLD", "SIGWINCH", "SIGURG", "SIGCONT"].includes(name) || process.listenerCount(name as NodeJS.Signals) > 0) return null;
  return name;
}

export function kernelInfo(): Record<string, unknown> {
  const ts = { version: tsVersion };
  return {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "lrlab",
    implementation_version: VERSION,
    language_info: {
      name: "typescript",
      version: ts.version,
      mimetype: "text/typescript",
      file_extension: ".ts",
      codemirror_mode: { name: "javascript", typescript: true },
      pygments_lexer: "typescript",
    },
    banner: `lrlab ${VERSION}: TypeScript (tslab engine, TypeScript ${ts.version}) with torch = lrlab, lrlab = lrlab/tools.\n`
      + "display(obj), clear_output(), prompt(); %lsmagic lists the magics; expr? shows documentation.",
    // no link to lrlab's README: the project declares no public address (a github.com/lrlab URL
    // here was made up; a power user's pass); `%lsmagic` and `name?` are its help in the notebook
    help_links: [
      { text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/intro.html" },
      { text: "PyTorch optimizers (names mirrored)", url: "https://pytorch.org/docs/stable/optim.html" },
    ],
    debugger: false,
  };
}

const defaultLogger = (s: string) => { process.stderr.write(`[lrlab] ${s}\n`); };

/** An execute request while it runs: what its outputs and reply are made of. */
interface ExecState extends RequestScope {
  payload: object[];
  result: { has: boolean; value: unknown };
  /**
   * The first uncaught exception or unhandled rejection raised while this request ran (shown
   * when raised): the cell ends as failed with it, as a cell that throws.
   */
  raised?: { ename: string; evalue: string; traceback: string[] };
  /** The serial of this request's first run (await_guard.ts): runs before it are earlier cells'. */
  firstRun?: number;
}

type Channel = "shell" | "control";

/** A request that ended with an error output; the reply carries the same content. */
class CellFailed extends Error {
  /** `shown`: its error output went out already (ExecState.raised). */
  constructor(readonly content: { ename: string; evalue: string; traceback: string[] }, readonly shown = false) { super(content.evalue); }
}

/**
 * The warm-up starts this long after a kernel_info reply, not at once: it blocks the event loop
 * for ~1.5 s, and the reply's status messages on iopub only leave when the loop polls the socket.
 * jupyter_client's wait_for_ready wants one of them within 0.2 s of the reply, else it asks
 * again, and that second request waited for the whole warm-up (ready in 2 s instead of 0.45 s).
 */
const WARM_AFTER_INFO_MS = 100;
/**
 * The warm-up of a kernel whose clients have not (yet) received a kernel_info reply's status: a
 * client that never asks, or whose iopub joined late. Measured before this rule: 2 of 5 starts
 * through jupyter_client took 1.8 s instead of 0.45 s (the client's second kernel_info, sent
 * because the first reply's status was lost, waited for a warm-up started 100 ms after that reply).
 */
const WARM_FALLBACK_MS = 3000;

/**
 * Compiles of the warm-up cell after the compiler has loaded, while no cell has come yet
 * (Kernel.warmCompiles): 15 x ~20 ms on a 2-core machine, under the warm-up's own V8 budget
 * (compiler_tiering.ts WARM_COMPILE_BUDGET), done in the time a user takes to type a first cell,
 * after which a new cell compiles at about the speed it reaches after thirty cells.
 */
const WARM_COMPILES = 15;
/**
 * The warm-up after a subscriber joined just after a kernel_info reply (the kernel hears of a
 * subscription a turn of its event loop after ZeroMQ has it, so that reply's status may or may not
 * have reached it). The control thread welcomes every subscriber as it joins (`iopub_welcome`, a
 * message on iopub whatever the main thread is doing), and that is all both clients wait for
 * after a reply: jupyter_client asks kernel_info again only when no iopub message came within
 * 0.2 s of the reply, Jupyter Server's nudge also takes the control thread's kernel_info reply.
 * Longer than jupyter_client's 0.2 s all the same, so that a client that heard nothing asks again
 * before the warm-up holds the main thread (that answer restarts the wait). It was 700 ms (longer
 * than the nudge's 0.5 s too), set before the welcome was sent: with jupyter_client the join
 * comes after the reply in most starts, and the warm-up then ended after a first cell sent 2 s
 * after ready (that cell waited 0.1-0.3 s, bench/NOTES.md "Session 32").
 */
const WARM_AFTER_JOIN_MS = 250;

export class Kernel {
  private readonly signer: Signer;
  private readonly session = randomUUID();
  /**
   * handover: a client connecting with the identity (session id) of one still attached takes its
   * place, as ipykernel sets router_handover on its ROUTERs (ipykernel#270, libzmq#2892). Without
   * it the new connection was refused and its requests got no reply: a second `km.client()` of
   * one KernelManager (they share its session), or a front end reconnecting before the stale
   * connection had gone (jupyter_server reuses the session id), saw a dead kernel.
   */
  private readonly shell = new zmq.Router({ sendTimeout: 0, linger: 0, handover: true });
  /** installGuards' report of an error raised after its cell (an uncaught exception's path). */
  private reportLate: ((e: unknown, what: string) => void) | null = null;
  private readonly iopub: Iopub;
  private streams!: StreamCapture;
  private worker!: Worker;
  private engine!: Engine;
  private readonly history = new History();
  private executionCount = 0;
  private queue: Message[] = [];
  private busy = false;
  /** Which execute request outputs made now belong to (and the last one, for late async errors). */
  private readonly parents = new Parents<ExecState>();
  private readonly inputBuffer = new SharedArrayBuffer(8 + (1 << 20));
  /**
   * Shared with the control thread (interrupt_share.ts). WORKING is 1 while a cell is running or
   * about to run (from the start of an execute request to its reply) or the warm-up holds the
   * main thread, else 0: an interrupt_request sends SIGINT only then (control_worker.ts). A
   * SIGINT sent while idle stopped nothing but stayed in the watchdog's record (sigint.ts), which
   * the next cell would have taken as its own interrupt.
   */
  private readonly interrupts = interruptShare();
  /** SIGINTs raised and acted on before the current execute request (see doneWorking). */
  private sigintsBefore = { sent: 0, handled: 0 };
  private closing = false;
  private readonly shellSend = (frames: Buffer[]) => { this.shell.send(frames).catch((e) => this.log(`shell send: ${e.message}`)); };

  constructor(private readonly info: ConnectionInfo, private readonly logger = defaultLogger) {
    this.signer = new Signer(info.key, info.signature_scheme);
    this.iopub = new Iopub(this.signer, this.session, (s) => this.log(s));
  }

  private log(s: string): void {
    if (this.streams) this.streams.rawStderr(`[lrlab] ${s}\n`); else this.logger(s);
    this.logFile(s);
  }

  private logFile(s: string): void {
    if (process.env.LRLAB_KERNEL_LOG) {
      try { appendFileSync(process.env.LRLAB_KERNEL_LOG, `${new Date().toISOString()} ${s}\n`); } catch { /* logging is best effort */ }
    }
  }

  /**
   * A note for whoever debugs the kernel, not for the notebook's reader: the log file
   * (LRLAB_KERNEL_LOG) only, and stderr too when LRLAB_KERNEL_DEBUG is set (not "" or "0"). The
   * dropped idle SIGINT: jupyter_client interrupts the kernel as it shuts it down, so every
   * headless run (nbconvert --execute, jupyter execute, papermill) printed it on stderr (a teacher).
   */
  private debug(s: string): void {
    const on = process.env.LRLAB_KERNEL_DEBUG;
    if (on !== undefined && on !== "" && on !== "0") this.log(s);
    else this.logFile(s);
  }

  async start(): Promise<void> {
    this.iopub.onJoin = () => {
      if (this.lastInfoAt > 0) this.warmSoon(WARM_AFTER_JOIN_MS, "after a subscriber joined just after a kernel_info reply");
    };
    await this.shell.bind(endpoint(this.info, this.info.shell_port));
    const init: WorkerInit = { info: this.info, session: this.session, kernelInfo: kernelInfo(), inputBuffer: this.inputBuffer, interrupts: this.interrupts.buffer as SharedArrayBuffer, stopsStuckCode: prepareMainThread() };
    setMainShare(this.interrupts);
    // the heartbeat the control thread reads before it stops code that holds this thread
    // and, while idle, the drop of a SIGINT recorded while idle (dropIdleSigint), whenever it was recorded
    setInterval(() => {
      Atomics.add(this.interrupts, BEAT, 1);
      if (!this.busy) this.dropIdleSigint();
    }, BEAT_MS).unref();
    // the control thread binds iopub, control, hb and stdin
    this.worker = new Worker(path.join(__dirname, "control_worker.js"), { workerData: init });
    this.worker.on("message", (m: FromWorker) => this.onWorker(m));
    this.worker.on("error", (e) => this.log(`control thread failed: ${e.stack}`));
    await new Promise<void>((resolve, reject) => {
      const h = (m: FromWorker) => {
        if (m.type === "ready") { this.worker.off("message", h); resolve(); }
        if (m.type === "bind_failed") { this.worker.off("message", h); reject(new Error(m.text)); }
      };
      this.worker.on("message", h);
    });
    this.iopub.connect();
    this.streams = new StreamCapture(this.iopub, () => this.parents.current()?.msg.header ?? null);
    this.engine = new Engine(makePrelude(), process.cwd(), (s) => this.log(s));
    connectPrelude(this.sink());
    formatErrorsWith((e) => errorText(e, this.engine), (t) => cleanStacks(t, this.engine));
    this.installGuards();
    ignoreBrokenPipes();
    watchParent(() => {
      this.log(`the process that started this kernel is gone (its parent is now pid ${process.ppid}): shutting down`);
      this.shutdown();
    });
    this.iopub.status("starting");
    this.readShell().catch((e) => { if (!this.closing) this.log(`shell reader stopped: ${e.stack ?? e}`); });
    // Clients ask kernel_info first (the warm-up follows 100 ms after a reply that reached a
    // subscriber); a client that does not still gets a warm compiler a while after start.
    this.warmSoon(WARM_FALLBACK_MS, "no client asked kernel_info");
  }

  private warmTimer: NodeJS.Timeout | null = null;
  /** When the last kernel_info reply went out (0: none yet). */
  private lastInfoAt = 0;
  private warmed = false;
  /** An execute request has come: the warm-up's extra compiles stop (warmCompiles). */
  private executeSeen = false;

  /** Loads the TypeScript compiler after `ms`, once; see Engine.warm(). `why` is logged when LRLAB_KERNEL_LOG names a log file. */
  private warmSoon(ms: number, why: string): void {
    if (this.warmed) return;
    if (this.warmTimer) clearTimeout(this.warmTimer);
    this.warmTimer = setTimeout(() => {
      this.warmed = true;
      if (process.env.LRLAB_KERNEL_LOG) this.log(`warm-up: ${why}`);
      // only when idle: while a request is handled (a cell awaiting a promise) a SIGINT recorded
      // is that cell's, and dropping it as an idle one left the cell awaiting (a CI run, session
      // 23: "SIGINT stops a cell awaiting a promise")
      if (!this.busy) this.dropIdleSigint();
      Atomics.store(this.interrupts, WORKING, 1);
      countKernelTask(1);
      try { this.engine.warm(); } catch (e) { this.log(`compiler warm-up failed: ${(e as Error)?.stack ?? e}`); }
      countKernelTask(-1);
      Atomics.store(this.interrupts, WORKING, this.busy ? 1 : 0);
      this.busyEnded = performance.now();
      // a separate turn of the event loop: a request that came in meanwhile goes first
      setTimeout(() => { this.warmPlots(); this.warmCompiles(WARM_COMPILES); }, 0).unref();
    }, ms);
    this.warmTimer.unref();
  }

  /**
   * More compiles of the warm-up cell while the kernel waits for its first cell, one per turn of
   * the event loop: a request that comes meanwhile waits for one compile at most (~5-10 ms), and
   * the first execute request ends them (the user's cells warm the compiler from then on).
   * See Engine.warmCompile.
   */
  private warmCompiles(left: number, startedAt = performance.now()): void {
    const done = WARM_COMPILES - left;
    const stop = left <= 0 ? "all done" : this.executeSeen ? "an execute request came" : null;
    if (stop) {
      if (process.env.LRLAB_KERNEL_LOG) this.log(`warm-up compiles: ${done} in ${Math.round(performance.now() - startedAt)} ms (${stop})`);
      return;
    }
    // a request being handled or waiting goes first; the compiles go on once the kernel is idle
    if (this.busy || this.queue.length > 0) {
      setTimeout(() => this.warmCompiles(left, startedAt), 50).unref();
      return;
    }
    // no request is waiting: a SIGINT recorded since the last compile came while the user saw an
    // idle kernel, and stops nothing (the heartbeat's drop needs 50 ms without work, and the
    // compiles leave less than that between them)
    if (takePendingSigint()) this.debug("a SIGINT that came between the warm-up's compiles was dropped (it stops nothing)");
    Atomics.store(this.interrupts, WORKING, 1);
    countKernelTask(1);
    const ok = this.engine.warmCompile(done);
    countKernelTask(-1);
    Atomics.store(this.interrupts, WORKING, 0);
    this.busyEnded = performance.now();
    if (ok) setTimeout(() => this.warmCompiles(left - 1, startedAt), 0).unref();
    else if (process.env.LRLAB_KERNEL_LOG) this.log(`warm-up compiles: ${done} (compile ${done} failed)`);
  }

  /**
   * The first plot loads Vega (the SVG part of every bundle) and runs the plot code cold: ~150 ms
   * more than later ones (measured: a first trace's bundle 199 ms, the next 48 ms; 54 ms after
   * this). A tiny schedule preview's bundle, made and dropped here, takes that out of the user's
   * first plot. It shows nothing, and draws no random numbers (preview.ts).
   */
  private warmPlots(): void {
    try {
      // required here, not imported: the library loads in the warm-up, after kernel_info's reply
      const { preview } = require("../trace/preview") as typeof PreviewModule;
      const { StepLR } = require("../optim/lr_scheduler") as typeof SchedulersModule;
      bundleOf(preview((o: any) => new StepLR(o, { step_size: 2 }), { steps: 8 }));
    } catch (e) {
      this.log(`plot warm-up failed: ${(e as Error)?.stack ?? e}`);
    }
  }

  /** User code must never take the kernel down: late errors become error outputs. */
  private installGuards(): void {
    // SIGINT stops a running cell through Node's watchdog, held between cells (sigint.ts); where
    // it cannot be held, a listener interrupts an awaiting cell.
    if (!holdSigintWatchdog()) process.on("SIGINT", () => { this.engine.interrupt(); });
    // a cell that fills the JavaScript heap ends with a MemoryError, not the process (heap_limit.ts)
    const noHeapGuard = installHeapGuard();
    if (noHeapGuard !== null) this.log(`heap limit guard not in use (${noHeapGuard}): a cell that fills the JavaScript heap ends the kernel`);
    else watchHeapStops(this.interrupts);
    const report = (e: unknown, what: string) => {
      const scope = this.parents.current();
      const parent = scope?.msg;
      this.log(`${what}: ${(e as Error)?.stack ?? e}`);
      if (!parent) return;
      try {
        const c = errorContent(e, this.engine);
        // While its request runs (a promise the cell rejected with no handler, reported as the
        // event loop turns after the cell's code, or while it awaits), the error is the cell's:
        // it fails as a cell that throws (it showed the error, "raised after its cell had
        // returned", and replied "ok" with the value).
        // (not one an earlier cell's timer or promise raised meanwhile: said as before)
        const from = currentRun();
        const running = scope && !scope.done && "result" in scope
          && !(from && from.serial < ((scope as ExecState).firstRun ?? 0));
        if (running) (scope as ExecState).raised ??= c;
        c.traceback.unshift(`(${what}, raised ${running ? "while its cell ran" : "after its cell had returned"})`);
        this.streams.flush();
        this.iopub.publish("error", c, parent.header);
      } catch (err) {
        this.log(`could not report ${what}: ${err}`);
      }
    };
    this.reportLate = report;
    // process.exit() from a cell would end the kernel: it throws instead (the kernel keeps the real one).
    process.exit = ((code?: number) => {
      throw new Error(`process.exit(${code ?? ""}) is disabled in the lrlab kernel: it would stop the kernel; restart or shut it down from the notebook instead`);
    }) as typeof process.exit;
    // The other ways a cell ended the kernel at once (the notebook then only said "kernel died"):
    // Node's own exit path (the real exit at shutdown goes through it), an abort (a core dump),
    // a terminating signal sent to itself. IPython turns sys.exit() into an error shown in the
    // cell, the kernel keeping the user's variables: the same here.
    (process as any).reallyExit = (code?: number) => {
      if (this.closing) return realReallyExit(code);
      throw new Error(`process.reallyExit(${code ?? ""}) is disabled in the lrlab kernel: it would stop the kernel; restart or shut it down from the notebook instead`);
    };
    process.abort = (() => {
      throw new Error("process.abort() is disabled in the lrlab kernel: it would kill the kernel (and dump core); restart or shut it down from the notebook instead");
    }) as typeof process.abort;
    process.kill = ((pid: number, signal?: string | number) => {
      const name = killsKernel(pid, signal);
      if (name) {
        throw new Error(`process.kill(${pid}, ${JSON.stringify(signal ?? "SIGTERM")}) is disabled in the lrlab kernel: ${name} would ${name === "SIGSTOP" || name === "SIGTSTP" ? "freeze" : "end"} the kernel's own process; `
          + "restart or shut it down from the notebook instead (a signal the cell listens to with process.on is sent)");
      }
      return realKill(pid, signal);
    }) as typeof process.kill;
    process.on("uncaughtException", (e) => report(e, "uncaught exception"));
    process.on("unhandledRejection", (e) => {
      // code an interrupted cell left running, stopped at its next await (await_guard.ts): the
      // interrupt was already shown under its cell
      if (e instanceof KeyboardInterrupt) { this.log(`after an interrupt: ${e.stack ?? e}`); return; }
      report(e, "unhandled promise rejection");
    });
    // last: its snapshot holds the kernel's own replacements above (process.exit, stream capture)
    this.builtins = new BuiltinsGuard();
    const builtins = this.builtins;
    this.engine.afterCode = () => builtins.restorePromises();
  }

  private builtins!: BuiltinsGuard;

  /**
   * Puts back the built-ins user code replaced or deleted (builtins_guard.ts) and says so under
   * `parent`'s cell: after each cell, before each execute (a timer may have done it meanwhile),
   * and when a message failed to decode.
   */
  private repairBuiltins(parent: object | null): void {
    const notice = restoredNotice(this.builtins.restore());
    if (!notice) return;
    this.log(notice.trim());
    if (!parent) return;
    this.streams.flush();
    this.iopub.publish("stream", { name: "stderr", text: notice }, parent);
  }

  private sink(): DisplaySink {
    return {
      display: (data, metadata, display_id, update) => {
        const parent = this.parents.current()?.msg;
        if (!parent) return;
        this.streams.flush();
        this.iopub.publish(update ? "update_display_data" : "display_data",
          { data, metadata, transient: display_id ? { display_id } : {} }, parent.header);
      },
      clear_output: (wait) => {
        const parent = this.parents.current()?.msg;
        if (!parent) return;
        this.streams.flush();
        this.clears++;
        this.iopub.publish("clear_output", { wait }, parent.header);
      },
      input: (prompt, password) => this.input(prompt, password),
    };
  }

  /** Blocks the main thread until the frontend answers on stdin (the worker owns the socket). */
  private input(prompt: string, password: boolean): string {
    const running = this.parents.running;
    if (running?.channel === "control") {
      // stdin is routed to the client's shell identity; ipykernel also answers input for shell requests only
      throw new Error("prompt(): not available in a request sent on the control channel");
    }
    const req = running?.msg;
    // No request running (a timer or callback after its cell ended): the stdin socket answers
    // the request of a running cell only. Saying "allow_stdin is false" here misled: it was true.
    if (!req) {
      throw new Error("prompt(): no cell is running to ask the frontend for input: input can only be requested while a cell runs (not from a timer or callback after its cell ended)");
    }
    if (!req.content.allow_stdin) {
      throw new Error("prompt(): this frontend does not accept input (allow_stdin is false)");
    }
    this.streams.flush();
    const state = new Int32Array(this.inputBuffer, 0, 2);
    Atomics.store(state, 0, INPUT_PENDING);
    const frames = encode(this.signer, req.idents, newHeader("input_request", this.session), req.header, {}, { prompt, password });
    this.worker.postMessage({ type: "input_request", frames } satisfies ToWorker);
    while (Atomics.wait(state, 0, INPUT_PENDING, 100) === "timed-out") { /* wait for the reply */ }
    if (Atomics.load(state, 0) !== INPUT_DONE) throw new KeyboardInterrupt();
    const n = Atomics.load(state, 1);
    return Buffer.from(new Uint8Array(this.inputBuffer, 8, n)).toString("utf8");
  }

  private onWorker(m: FromWorker): void {
    switch (m.type) {
      case "log": this.log(m.text); break;
      case "iopub_joined": this.iopub.joinedNow(); break;
      case "interrupt": Atomics.add(this.interrupts, INTERRUPTS_SEEN, 1); this.engine?.interrupt(); break;
      case "terminated": {
        // code outside any run (a timer's) stopped because it filled the heap: said under the last cell
        const late = this.engine?.terminated();
        if (late) this.reportLate?.(late, "the heap's limit reached by code running after its cell");
        break;
      }
      case "shutdown": this.shutdown(); break;
      case "control_request": {
        let msg: Message;
        try { msg = decode(m.frames.map((f) => Buffer.from(f)), this.signer); } catch (e) { this.log(String(e)); return; }
        this.handle(msg, (frames) => this.worker.postMessage({ type: "control_reply", frames } satisfies ToWorker), "control")
          .catch((e) => this.log(`control ${msg.header.msg_type} failed: ${e.stack ?? e}`));
        break;
      }
    }
  }

  private async readShell(): Promise<void> {
    for await (const frames of this.shell) {
      let msg: Message;
      try {
        msg = decode(frames as Buffer[], this.signer);
      } catch {
        // a built-in the decoder uses, broken by a timer's code since the last cell: put back, then decoded again
        this.repairBuiltins(this.parents.current()?.msg.header ?? null);
        try {
          msg = decode(frames as Buffer[], this.signer);
        } catch (e2) {
          if (e2 instanceof WireError) { this.log(`dropped a shell message: ${e2.message}`); continue; }
          throw e2;
        }
      }
      this.queue.push(msg);
      this.pump();
    }
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.dropIdleSigint();
    this.busy = true;
    try {
      while (this.queue.length > 0) {
        const msg = this.queue.shift()!;
        try {
          await this.handle(msg, this.shellSend, "shell");
        } catch (e: any) {
          this.log(`${msg.header.msg_type} failed: ${e?.stack ?? e}`);
        }
      }
    } finally {
      // the queue is empty: a SIGINT recorded by now was for the requests just done, none is waiting
      if (takePendingSigint()) this.debug("a SIGINT recorded as the last request ended was dropped (it stops nothing)");
      this.busy = false;
      this.busyEnded = performance.now();
    }
  }

  /**
   * The end of an execute request: idle for interrupt_request (WORKING), and a SIGINT recorded
   * during it (one that came while the cell awaited and was stopped by the "interrupt" message
   * instead) is dropped: it was this request's. One raised during it and not yet recorded (the
   * watchdog's thread had not run yet) is waited for, briefly: recorded later, it stopped the
   * next cell (a CI run, on a loaded machine).
   */
  private doneWorking(): void {
    Atomics.store(this.interrupts, WORKING, 0);
    const sent = Atomics.load(this.interrupts, SIGINTS_SENT) - this.sigintsBefore.sent;
    settleSigints(sent - (sigintsHandled() - this.sigintsBefore.handled));
  }

  /** When the main thread last finished work (requests, the warm-up): see dropIdleSigint. */
  private busyEnded = 0;

  /**
   * An interrupt that came while the kernel was idle stops nothing, and must not stop the next
   * cell; one that came while the main thread was busy before a cell could run (the warm-up with
   * the cell queued behind it, the cell's compile) must stop that cell: before, it found no script
   * to stop and was lost, and the cell ran to its end. The watchdog keeps a record of a SIGINT
   * that came while no script ran (sigint.ts), which the engine checks before it runs a cell. This
   * drops that record when the kernel has been idle for more than 50 ms: it came while idle.
   * Called when work starts, and by the heartbeat timer while idle: a SIGINT the watchdog's thread
   * recorded late (a loaded machine) was otherwise taken by the next cell when that came within
   * 50 ms of the kernel's last work (a CI run: "SIGINT while idle" stopped the next cell).
   */
  private dropIdleSigint(): void {
    if (performance.now() - this.busyEnded > 50 && takePendingSigint()) {
      this.debug("a SIGINT that came while the kernel was idle was dropped (it stops nothing)");
    }
  }

  private reply(req: Message, send: (frames: Buffer[]) => void, content: object, metadata: object = {}): void {
    const type = req.header.msg_type.replace(/_request$/, "_reply");
    send(encode(this.signer, req.idents, newHeader(type, this.session), req.header, metadata, content));
  }

  private async handle(msg: Message, send: (frames: Buffer[]) => void, channel: Channel): Promise<void> {
    const t = msg.header.msg_type;
    this.iopub.status("busy", msg.header);
    let idleSent = false;
    countKernelTask(1);
    try {
      const wrongField = fieldError(t, msg.content);
      if (wrongField) throw new RequestFieldError(wrongField);
      switch (t) {
        case "kernel_info_request":
          this.reply(msg, send, kernelInfo());
          // Only once this reply's status messages reach a subscriber: else the client asks again
          // (see Iopub.socket), and a warm-up already running would hold that answer ~1.5 s.
          this.lastInfoAt = Date.now();
          if (this.iopub.subscribed) this.warmSoon(WARM_AFTER_INFO_MS, "after a kernel_info reply that reached a subscriber");
          else this.warmSoon(WARM_FALLBACK_MS, "no kernel_info reply reached a subscriber");
          break;
        case "execute_request": this.executeSeen = true; await this.execute(msg, send, channel); break;
        // fields checked above (request_fields.ts): `code` is a string, cursor_pos and detail_level integers when given
        case "complete_request": this.reply(msg, send, this.complete(msg.content.code, msg.content.cursor_pos)); break;
        case "inspect_request": this.reply(msg, send, this.inspect(msg.content.code, msg.content.cursor_pos, msg.content.detail_level ?? 0)); break;
        case "is_complete_request": this.reply(msg, send, isCompleteCell(msg.content.code)); break;
        case "history_request": this.reply(msg, send, this.historyReply(msg.content)); break;
        case "comm_info_request": this.reply(msg, send, { status: "ok", comms: {} }); break;
        case "comm_open":
          // No comm targets are registered: close it at once so the frontend does not wait.
          this.iopub.publish("comm_close", { comm_id: msg.content.comm_id, data: {} }, msg.header);
          this.log(`comm_open for unknown target ${JSON.stringify(msg.content.target_name)}: closed`);
          break;
        case "comm_msg": case "comm_close": break;
        case "shutdown_request":
          this.reply(msg, send, { status: "ok", restart: !!msg.content.restart });
          this.iopub.status("idle", msg.header);
          idleSent = true; // once: the finally below would publish a second idle
          this.shutdown();
          return;
        case "interrupt_request":
          this.engine.interrupt();
          this.reply(msg, send, { status: "ok" });
          break;
        default:
          this.log(`unsupported message type ${t}`);
          if (t.endsWith("_request")) this.reply(msg, send, { status: "error", ename: "NotImplemented", evalue: `${t} is not supported`, traceback: [] });
      }
    } catch (e) {
      // A request the kernel could not answer (a complete_request without `code`) still gets its
      // reply, an error one: the client was left waiting. execute_request answers its own errors.
      this.log(`${t} failed: ${(e as Error)?.stack ?? e}`);
      if (e instanceof RequestFieldError && t === "execute_request") {
        // Nothing ran and nothing is counted; the error shows in the cell as a cell's would.
        // Queued cells are not aborted: it is the client's mistake, not the code's.
        const error = { ename: e.name, evalue: e.message, traceback: [`${e.name}: ${e.message}`] };
        this.iopub.publish("error", error, msg.header);
        this.reply(msg, send, { status: "error", execution_count: this.executionCount, ...error, user_expressions: {}, payload: [] });
      } else if (t.endsWith("_request") && t !== "execute_request") {
        this.reply(msg, send, { status: "error", ename: (e as Error)?.name ?? "Error", evalue: String((e as Error)?.message ?? e), traceback: [] });
      } else throw e;
    } finally {
      countKernelTask(-1);
      if (!idleSent) this.iopub.status("idle", msg.header);
    }
  }

  // ---- execute ------------------------------------------------------------------------------

  private async execute(msg: Message, send: (frames: Buffer[]) => void, channel: Channel): Promise<void> {
    const st: ExecState = { msg, channel, done: false, payload: [], result: { has: false, value: undefined } };
    // built-ins a timer of the last cell broke meanwhile: said under that cell
    this.repairBuiltins(this.parents.current()?.msg.header ?? null);
    // text a timer of the last cell left in the buffer goes out under that cell, before this one starts
    this.streams.flush();
    if (channel === "shell") await this.parents.runShell(st, () => this.executeIn(st, send));
    else await this.parents.runControl(st, () => this.executeIn(st, send));
  }

  private async executeIn(st: ExecState, send: (frames: Buffer[]) => void): Promise<void> {
    const msg = st.msg;
    const code = String(msg.content.code ?? "");
    const silent = !!msg.content.silent;
    const storeHistory = silent ? false : msg.content.store_history !== false;
    const stopOnError = msg.content.stop_on_error !== false;
    if (storeHistory) this.executionCount++;
    const count = this.executionCount;
    // error frames name an earlier cell by its prompt, `In [3] line 6` (engine.ts cellLabel)
    this.engine.cellLabel = storeHistory ? `In [${count}]` : undefined;
    if (!silent) this.iopub.publish("execute_input", { code, execution_count: count }, msg.header);
    if (storeHistory) this.history.add(count, code);
    let error: { ename: string; evalue: string; traceback: string[] } | null = null;
    this.sigintsBefore = { sent: Atomics.load(this.interrupts, SIGINTS_SENT), handled: sigintsHandled() };
    Atomics.store(this.interrupts, WORKING, 1);
    st.firstRun = nextRunSerial();
    try {
      try {
        await this.runCell(code, st);
      } finally {
        // first: the error report and the messages below use the built-ins a cell may have broken
        this.repairBuiltins(msg.header);
        // A promise the cell rejected without a handler is reported by Node once the event loop
        // turns: let it turn while this request is still the cell's, or the error went out after
        // the reply and idle, which JupyterLab no longer routes to the cell (it was lost).
        await new Promise((r) => setImmediate(r));
      }
      if (st.raised) throw new CellFailed(st.raised, true);
      const shown = st.result.has && st.result.value !== undefined && !(st.result.value as any)?.[SILENT_RESULT];
      if (shown && !silent) {
        let data: MimeBundle;
        try { data = bundleOf(st.result.value); } catch (e) { throw new CellFailed(errorContent(e, this.engine)); }
        this.streams.flush();
        this.iopub.publish("execute_result", { execution_count: count, data, metadata: {} }, msg.header);
        if (storeHistory) this.history.setOutput(count, String(data["text/plain"] ?? ""));
      }
    } catch (e) {
      error = e instanceof CellFailed ? e.content : errorContent(e, this.engine, code);
      if (process.env.LRLAB_KERNEL_LOG) this.log(`cell ${count} failed: ${(e as Error)?.stack ?? e}`);
      this.streams.flush();
      if (!(e instanceof CellFailed && e.shown)) this.iopub.publish("error", error, msg.header);
    }
    // Not after a failed cell (as ipykernel): its error reply carries none, and they could have effects.
    const user_expressions = error ? {} : this.userExpressions(msg.content.user_expressions ?? {});
    // As after the cell: a promise an expression rejected is reported before this request ends.
    if (Object.keys(user_expressions).length > 0) await new Promise((r) => setImmediate(r));
    this.streams.flush(); // later output (timers) still goes to this cell, until another one starts (parents.ts)
    if (error) {
      // The requests to abort are those queued before the client could know of the error: taken
      // off the queue before the reply, with no await between, so that a request sent after the
      // error reply arrived is never aborted. They are answered after it, as ipykernel does
      // (the failing cell's reply first: they were aborted because of it). As ipykernel, after a
      // failed execute on control too; the aborted requests are shell's, answered on shell.
      const aborted = stopOnError ? await this.takeQueuedExecutes() : [];
      this.doneWorking(); // before the reply: a client that got it sees the kernel idle
      this.reply(msg, send, { status: "error", execution_count: count, ...error, user_expressions: {}, payload: [] }, { started: new Date().toISOString() });
      this.abort(aborted);
    } else {
      this.doneWorking();
      this.reply(msg, send, { status: "ok", execution_count: count, payload: st.payload, user_expressions }, { started: new Date().toISOString() });
    }
  }

  /** After a failed cell: the queued execute requests, taken off the queue (see abort). */
  private async takeQueuedExecutes(): Promise<Message[]> {
    // Let requests that arrived while the cell ran come off the socket first.
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    const taken = this.queue.filter((m) => m.header.msg_type === "execute_request");
    this.queue = this.queue.filter((m) => m.header.msg_type !== "execute_request");
    return taken;
  }

  /**
   * Answers execute requests "aborted", without running them (each with its busy and idle). No
   * execution_count, as ipykernel: a front end shows a reply's count as the cell's, and these
   * cells did not run (JupyterLab showed the failing cell's number on every one after it).
   */
  private abort(requests: Message[]): void {
    for (const m of requests) {
      this.iopub.status("busy", m.header);
      this.reply(m, this.shellSend, { status: "aborted" });
      this.iopub.status("idle", m.header);
    }
  }

  private userExpressions(exprs: Record<string, string>): Record<string, object> {
    const out: Record<string, object> = {};
    for (const [k, src] of Object.entries(exprs)) {
      try {
        const r = this.engine.run(String(src));
        if (r instanceof Promise) throw new Error("user_expressions cannot await");
        out[k] = { status: "ok", data: bundleOf(r.value), metadata: {} };
      } catch (e) {
        out[k] = { status: "error", ...errorContent(e, this.engine, String(src)) };
      }
    }
    return out;
  }

  /** A whole cell: pager requests, magics, or plain TypeScript. */
  private async runCell(code: string, st: ExecState): Promise<void> {
    // `exit` / `quit`: the console leaves, as with ipykernel (exit_request.ts)
    if (isExitRequest(code, (name) => Object.hasOwn(this.engine.locals, name) || name in globalThis)) {
      st.payload.push({ ...ASK_EXIT });
      return;
    }
    const page = helpLine(code);
    if (page) {
      this.page(page[2].replace(/\s+/g, ""), st, detailOf(page));
      return;
    }
    // A help request on the cell's last line, after code (IPython's `obj?` at the end of a cell):
    // the code runs, then the help shows. It was a syntax error pointing past the cell's end.
    const lines = code.split("\n");
    let last = lines.length - 1;
    while (last > 0 && lines[last].trim() === "") last--;
    const help = last > 0 ? helpLine(lines[last]) : null;
    if (help && !/^\s*%/.test(lines[last])) {
      await this.runCell(lines.slice(0, last).join("\n"), st);
      st.result = { has: false, value: undefined };
      this.page(help[2].replace(/\s+/g, ""), st, detailOf(help));
      return;
    }
    // `?` / `??` on something else than a name (`1+1??`, `??`): said so before anything runs,
    // not TypeScript's "Expression expected" (help_request.ts). Magic lines are not TypeScript.
    const notFound = hasMagic(code) ? null : helpRequestError(code, tslabTypeScript());
    if (notFound) throw new MagicError(notFound);
    // Code and magics, each magic line checked before anything runs (magics/run_cell.ts).
    const r = await runWithMagics(this.context(st), code, (text) => this.pageText(text, st));
    if (r.hasValue) st.result = { has: true, value: r.value };
  }

  /** clear_output calls so far (magicDisplay compares it with when each display was shown). */
  private clears = 0;
  /** The `clears` count when a magic's display was last sent whole, by display id. */
  private readonly shownAt = new Map<string, number>();

  /**
   * A magic's display (the live plot of %%lr_trace, its final figure). An update of a display
   * that a clear_output has removed since it was shown reaches nothing: the user's
   * `clear_output({ wait: true }); console.log(epoch)` in a traced loop (the common idiom) lost
   * the plot for good, the final figure included (a user's pass). Such an update is sent as a
   * display_data of the same id instead, so the plot comes back and later updates reach it.
   */
  private magicDisplay(bundle: Parameters<DisplaySink["display"]>[0], id: string | undefined, update: boolean): void {
    if (id !== undefined) {
      if (update && this.shownAt.get(id) !== this.clears) update = false;
      if (!update) {
        this.shownAt.set(id, this.clears);
        if (this.shownAt.size > 200) this.shownAt.delete(this.shownAt.keys().next().value!);
      }
    }
    this.sink().display(bundle, {}, id, update);
  }

  private context(st: ExecState): MagicContext {
    return {
      engine: this.engine,
      runCode: async (code, shown) => await this.engine.run(code, shown),
      evaluate: async (expr) => (await this.engine.run(`(${expr})`)).value,
      display: (bundle, o = {}) => this.magicDisplay(bundle, o.display_id, !!o.update),
      displayValue: (value, o = {}) => this.magicDisplay(bundleOf(value, { live: o.live }), o.display_id, !!o.update),
      print: (text) => process.stdout.write(text.endsWith("\n") ? text : text + "\n"),
      setResult: (value) => { st.result = { has: true, value }; },
      magics: () => allMagics(),
    };
  }

  /** `expr?` / `expr??` / `?expr`: documentation in the pager, as IPython shows it. */
  private page(expr: string, st: ExecState, detail = 0): void {
    if (expr.startsWith("%")) {
      const name = expr.replace(/^%+/, "");
      this.pageText(fullHelp(findMagic(name, expr.startsWith("%%") ? "cell" : undefined)), st);
      return;
    }
    // The name must exist: the checker rejects unknown names (quick info would still answer).
    // A type's name (an interface, a type alias) exists but is no value (TS2693): its docs show,
    // read where a type is written.
    let typeOnly = false;
    try { this.engine.compile(expr); } catch (e) {
      if (!(e instanceof CellError)) throw e;
      typeOnly = e.diagnostics.length > 0 && e.diagnostics.every((d) => d.code === 2693);
      if (!typeOnly) throw new MagicError(`Object \`${expr}\` not found.`);
    }
    const typeHead = "let __lrlab_type__: ";
    const text = typeOnly
      ? this.engine.inspect(typeHead + expr + ";", typeHead.length + expr.length - 1)
      : this.engine.inspect(expr, expr.length) ?? this.engine.inspect(expr, Math.max(0, expr.length - 1));
    if (!text) throw new MagicError(`Object \`${expr}\` not found.`);
    this.pageText(detail > 0 ? this.withSource(text, expr) : text, st);
  }

  /**
   * Detail level 1 (`name??`, inspect_request's detail_level 1): the text, then the source of
   * what `name` holds now (source_of.ts), as IPython's `??` adds it.
   */
  private withSource(text: string, name: string | null): string {
    const source = name ? this.engine.sourceOf(name) : null;
    if (!source) return text;
    // overloads the compiled JavaScript has lost come first, from the declaration file
    const overloads = source.overloads ? `\n\nOverloads (from ${source.overloads.file}):\n${source.overloads.text}` : "";
    return `${text}${overloads}\n\n${source.from === "cell" ? "Source:" : "Source (compiled JavaScript):"}\n${source.text}`;
  }

  private pageText(text: string, st: ExecState): void {
    st.payload.push({ source: "page", data: { "text/plain": text }, start: 0 });
  }

  // ---- completion, inspection, history ---------------------------------------------------------

  private complete(code: string, cursorPos: number): object {
    const pos = codePointsToIndex(code, cursorPos ?? code.length);
    const lineStart = code.lastIndexOf("\n", pos - 1) + 1;
    const m = /^\s*(%{1,2})([\w]*)$/.exec(code.slice(lineStart, pos));
    if (m) {
      const kind = m[1] === "%%" ? "cell" : undefined;
      const matches = allMagics().filter((x) => (!kind || x.kind === kind) && x.name.startsWith(m[2])).map((x) => (x.kind === "cell" ? "%%" : "%") + x.name);
      const start = pos - m[1].length - m[2].length;
      return completeReply(matches, matches.map(() => "magic"), indexToCodePoints(code, start), indexToCodePoints(code, pos));
    }
    try {
      // in a key=value's expression on a magic line: TypeScript's completion of that expression
      const expr = expressionAt(code, pos);
      if (expr) {
        const r = this.engine.complete(code.slice(expr.start, expr.end), pos - expr.start);
        return completeReply(r.candidates, r.types, indexToCodePoints(code, expr.start + r.start), indexToCodePoints(code, expr.start + r.end));
      }
      const line = magicLineAt(code, pos);
      if (line) {
        const r = completeMagicLine(line, () => this.engine.userNames().map((n) => [n, this.engine.locals[n]]));
        return completeReply(r.matches, r.types, indexToCodePoints(code, r.start), indexToCodePoints(code, pos));
      }
      const r = this.engine.complete(hasMagic(code) ? codeView(code) : code, pos);
      return completeReply(r.candidates, r.types, indexToCodePoints(code, r.start), indexToCodePoints(code, r.end));
    } catch (e: any) {
      this.log(`complete failed: ${e.stack ?? e}`);
      return { status: "ok", matches: [], cursor_start: cursorPos, cursor_end: cursorPos, metadata: {} };
    }
  }

  private inspect(code: string, cursorPos: number, detail = 0): object {
    const pos = codePointsToIndex(code, cursorPos ?? code.length);
    let text: string | null = null;
    // on a magic's line: its help; elsewhere the code, as the kernel runs it (assist.ts)
    const magic = magicNameAt(code, pos);
    const expr = magic ? expressionAt(code, pos) : null;
    if (expr) {
      // in a key=value's expression: the quick info of that expression's code
      const src = code.slice(expr.start, expr.end), at = pos - expr.start;
      text = this.engine.inspect(src, at) ?? (at > 0 ? this.engine.inspect(src, at - 1) : null);
    } else if (magic) {
      // a word the magic says stands for code (a scheduler's name): that code's docs; else the magic's help
      const docs = magicWordDocs(code, pos);
      text = docs ? this.engine.inspect(docs, docs.length) : null;
      if (text && detail > 0) text = this.withSource(text, docs);
      if (!text) try { text = fullHelp(findMagic(magic)); } catch { text = null; }
    } else {
      const view = hasMagic(code) ? codeView(code) : code;
      text = this.engine.inspect(view, pos) ?? (pos > 0 ? this.engine.inspect(view, pos - 1) : null);
      if (text && detail > 0) text = this.withSource(text, dottedNameAt(view, pos) ?? (pos > 0 ? dottedNameAt(view, pos - 1) : null));
    }
    return { status: "ok", found: !!text, data: text ? { "text/plain": text } : {}, metadata: {} };
  }

  private historyReply(c: Record<string, any>): object {
    const output = !!c.output;
    let history: unknown[];
    switch (c.hist_access_type) {
      case "tail": history = this.history.tail(Number(c.n ?? 10), output); break;
      case "range": history = this.history.range(Number(c.session ?? 0), Number(c.start ?? 0), c.stop == null ? null : Number(c.stop), output); break;
      case "search": history = this.history.search(String(c.pattern ?? "*"), c.n == null ? null : Number(c.n), !!c.unique, output); break;
      default: history = [];
    }
    return { status: "ok", history };
  }

  // ---- shutdown ------------------------------------------------------------------------------

  shutdown(): void {
    if (this.closing) return;
    this.closing = true;
    setTimeout(() => {
      try { this.worker.postMessage({ type: "close" } satisfies ToWorker); } catch { /* already gone */ }
      try { this.shell.close(); this.iopub.socket.close(); } catch { /* closing anyway */ }
      try { this.engine.close(); } catch { /* closing anyway */ }
      setTimeout(() => realExit(0), 100);
    }, 50);
  }
}

/** `??` before or after the name (help_request.ts's HELP_LINE): detail level 1 (with the source). */
const detailOf = (m: RegExpExecArray): number => ((m[1] ?? m[3]) === "??" ? 1 : 0);

export async function runKernel(info: ConnectionInfo): Promise<Kernel> {
  const k = new Kernel(info);
  await k.start();
  return k;
}

/**
 * A complete_reply with each match's kind (class, function, module, property, instance, magic...)
 * in `_jupyter_types_experimental`, as ipykernel sends them: JupyterLab's completer shows an icon
 * and the kind beside each match.
 */
function completeReply(matches: string[], types: string[], start: number, end: number): object {
  const experimental = matches.map((text, i) => ({ start, end, text, type: types[i] ?? "<unknown>" }));
  return { status: "ok", matches, cursor_start: start, cursor_end: end, metadata: { _jupyter_types_experimental: experimental } };
}
