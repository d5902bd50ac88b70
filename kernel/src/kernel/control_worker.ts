/**
 * The kernel's second thread: it serves the control, heartbeat and stdin channels, and publishes
 * on iopub, so that they answer while the main thread is busy running a synchronous cell.
 *
 * - heartbeat: echoes every frame back (REP socket).
 * - control: `interrupt_request` raises SIGINT in this process, which stops a synchronous cell
 *   through vm's `breakOnSigint` on the main thread (a JS handler there could not run while the
 *   cell is busy), and posts the main thread an "interrupt" message, which stops an awaiting
 *   cell; code that holds the main thread out of SIGINT's reach is stopped by stuck_code.ts; `shutdown_request` replies at once, then asks the main thread to close and, if
 *   it is stuck, terminates the process; `kernel_info_request` is answered here; anything else is
 *   handed to the main thread, whose reply frames come back to be sent on this socket. The busy
 *   and idle status of the requests answered here are published here, at once (ipykernel's
 *   control thread does the same); the main thread publishes those of the requests it answers.
 * - iopub: this thread owns the socket bound to the iopub port, so that a busy main thread does
 *   not hold up the messages of this one (ipykernel has an IOPub thread for the same reason). A
 *   zeromq proxy (zmq_proxy, on a thread of libuv's pool: no JavaScript in the way) forwards to it
 *   what both threads publish on an inproc XSUB; this thread also hears subscriptions there and
 *   welcomes each subscriber (`iopub_welcome`, JEP 65) on its topic. Each thread's messages keep
 *   their order, and every message of one request comes from one thread, so a request's busy,
 *   outputs and idle arrive in order.
 * - stdin: the main thread posts an `input_request` and blocks in Atomics.wait on a shared buffer;
 *   this thread sends it, waits for the `input_reply`, writes the answer into the buffer and wakes
 *   the main thread. An interrupt while waiting wakes it with "interrupted".
 */
import { parentPort, workerData } from "node:worker_threads";
import * as zmq from "zeromq";
import { ConnectionInfo, Signer, decode, encode, endpoint, newHeader, Message, WireError } from "./wire";
import { iopubFrames, iopubInproc } from "./iopub";
import { BEAT, HEAP_STOPS, interruptShare, INTERRUPTS_SEEN, KERNEL_TASKS, SIGINTS_SENT, USER_CODE, WORKING } from "./interrupt_share";
import { StuckCodeStopper } from "./stuck_code";

export interface WorkerInit {
  info: ConnectionInfo;
  session: string;
  kernelInfo: Record<string, unknown>;
  /** Shared with the main thread for stdin: [state, byteLength, ...utf8 bytes]. */
  inputBuffer: SharedArrayBuffer;
  /** The interrupt slots shared with the main thread (interrupt_share.ts). */
  interrupts: SharedArrayBuffer;
  /** Whether the main thread is prepared for its stuck code to be terminated (stuck_code.ts). */
  stopsStuckCode: boolean;
}

/** Values of the state slot of the stdin buffer. */
export const INPUT_PENDING = 0, INPUT_DONE = 1, INPUT_INTERRUPTED = 2;

/** Messages the main thread sends to this worker. */
export type ToWorker =
  | { type: "control_reply"; frames: Uint8Array[] }
  | { type: "input_request"; frames: Uint8Array[] }
  | { type: "close" };

/** Messages this worker sends to the main thread. */
export type FromWorker =
  | { type: "ready" }
  | { type: "bind_failed"; text: string }
  | { type: "iopub_joined" }
  | { type: "control_request"; frames: Uint8Array[] }
  | { type: "shutdown"; restart: boolean }
  | { type: "interrupt" }
  /** stuck_code.ts terminated code that held the main thread. */
  | { type: "terminated" }
  | { type: "log"; text: string };

function main(init: WorkerInit): void {
  const port = parentPort!;
  const { info, session } = init;
  const signer = new Signer(info.key, info.signature_scheme);
  // handover: a client that connects with the identity of one still attached takes its place
  // (ipykernel's router_handover on shell, control and stdin; kernel.ts says why)
  const control = new zmq.Router({ sendTimeout: 0, linger: 0, handover: true });
  const hb = new zmq.Reply({ linger: 0 });
  const stdin = new zmq.Router({ sendTimeout: 0, linger: 0, handover: true });
  /**
   * iopub: the proxy's back end, bound to the port (an XPUB passes the clients' subscriptions on,
   * every one of them: a second client's too, so that each gets its welcome); its front end, the
   * inproc XSUB both threads publish to; and this thread's own publisher, an XPUB connected to the
   * front end, which hears the subscriptions the XSUB passes on. sendTimeout 0 everywhere: a
   * message is queued at once, and a client too slow to read makes the bound socket drop messages
   * (PUB semantics), never wait.
   */
  const iopubBound = new zmq.XPublisher({ sendTimeout: 0, linger: 0 });
  iopubBound.verbosity = "allSubs";
  const iopubFront = new zmq.XSubscriber({ linger: 0 });
  const iopub = new zmq.XPublisher({ sendTimeout: 0, linger: 0 });
  iopub.verbosity = "allSubs";
  let proxy: zmq.Proxy | null = null;
  let joined = false;
  const state = new Int32Array(init.inputBuffer, 0, 2);
  const interrupts = interruptShare(init.interrupts);
  const bytes = new Uint8Array(init.inputBuffer, 8);
  let inputWaiting = false;
  const post = (m: FromWorker) => port.postMessage(m);
  const log = (text: string) => post({ type: "log", text });
  const stopper = init.stopsStuckCode
    ? new StuckCodeStopper(() => Atomics.load(interrupts, INTERRUPTS_SEEN), () => Atomics.load(interrupts, BEAT),
      () => Atomics.load(interrupts, USER_CODE) === 1 || Atomics.load(interrupts, KERNEL_TASKS) === 0, log,
      () => post({ type: "terminated" }))
    : null;

  /** Wakes the main thread blocked in prompt(); false when it was not waiting. */
  function wakeInput(code: number, value = ""): boolean {
    if (!inputWaiting) return false;
    inputWaiting = false;
    const b = Buffer.from(value, "utf8").subarray(0, bytes.length);
    bytes.set(b);
    Atomics.store(state, 1, b.length);
    Atomics.store(state, 0, code);
    Atomics.notify(state, 0);
    return true;
  }

  function publish(frames: Buffer[], what: string): void {
    try {
      iopub.send(frames).catch((e) => log(`iopub ${what} not sent: ${e.message}`));
    } catch (e: any) {
      log(`iopub ${what} not sent: ${e.message}`);
    }
  }

  /** Status of a request answered on this thread, published from here (not by the main thread, which may be busy). */
  function status(state: "busy" | "idle", parent: Record<string, unknown>): void {
    publish(iopubFrames(signer, session, "status", { execution_state: state }, parent), "status");
  }

  /**
   * `iopub_welcome` (JEP 65, as ipykernel sends it) to a subscriber that just joined, on its own
   * topic: the first message it is sure to receive. A client that checks its IOPub connection
   * after kernel_info (jupyter_client waits 0.2 s for any IOPub message, and asks again when none
   * came) no longer misses the status messages sent before it had joined: starts took 0.2 s more
   * in about half of the measured starts.
   */
  function welcome(subscription: Buffer): void {
    publish(encode(signer, subscription.length > 0 ? [Buffer.from(subscription)] : [], newHeader("iopub_welcome", session), {}, {},
      { subscription: subscription.toString("utf8") }), "iopub_welcome");
  }

  /** Reads subscription messages (first byte 1: subscribe) until the socket closes. */
  async function serveSubscriptions(): Promise<void> {
    for await (const [m] of iopub) {
      if (m.length === 0 || m[0] !== 1) continue;
      welcome(m.subarray(1));
      if (joined) continue;
      joined = true;
      post({ type: "iopub_joined" });
    }
  }

  function reply(req: Message, type: string, content: object): void {
    const frames = encode(signer, req.idents, newHeader(type, session), req.header, {}, content);
    control.send(frames).catch((e) => log(`control send failed: ${e.message}`));
  }

  async function serveControl(): Promise<void> {
    for await (const frames of control) {
      let msg: Message;
      try {
        msg = decode(frames as Buffer[], signer);
      } catch (e) {
        if (e instanceof WireError) { log(`dropped a control message: ${e.message}`); continue; }
        throw e;
      }
      try {
        handleControl(msg, frames as Buffer[]);
      } catch (e) {
        // One bad request must not end the loop: control is how the kernel is interrupted and shut down.
        log(`control request ${msg.header.msg_type} failed: ${(e as Error)?.stack ?? e}`);
      }
    }
  }

  function handleControl(msg: Message, frames: Buffer[]): void {
    const t = msg.header.msg_type;
    if (t === "interrupt_request") {
      status("busy", msg.header);
      interruptMain();
      reply(msg, "interrupt_reply", { status: "ok" });
      status("idle", msg.header);
    } else if (t === "shutdown_request") {
      const restart = !!msg.content.restart;
      status("busy", msg.header);
      reply(msg, "shutdown_reply", { status: "ok", restart });
      status("idle", msg.header);
      wakeInput(INPUT_INTERRUPTED);
      post({ type: "shutdown", restart });
      // The main thread may be stuck in a synchronous cell: break it, and end the process if
      // it has not closed by itself within two seconds.
      process.kill(process.pid, "SIGINT");
      setTimeout(() => process.kill(process.pid, "SIGTERM"), 2000).unref();
    } else if (t === "kernel_info_request") {
      status("busy", msg.header);
      reply(msg, "kernel_info_reply", init.kernelInfo);
      status("idle", msg.header);
    } else {
      post({ type: "control_request", frames });
    }
  }

  /** An interrupt_request's work, also a heap stop's (below: `urgent`, stuck_code.ts). */
  function interruptMain(urgent = false): void {
    // A cell blocked in prompt() is woken with "interrupted" (a signal could not reach it, and
    // a late one would stop the next cell); otherwise SIGINT breaks a busy synchronous cell.
    if (wakeInput(INPUT_INTERRUPTED)) return;
    post({ type: "interrupt" });
    stopper?.interruptPosted(urgent);
    // only when a cell runs or is about to: a SIGINT while idle would stay in the watchdog's
    // record and stop the next cell (sigint.ts); counted, for the main thread to take its
    // record at the request's end (kernel.ts doneWorking)
    if (Atomics.load(interrupts, WORKING) === 1) {
      Atomics.add(interrupts, SIGINTS_SENT, 1);
      process.kill(process.pid, "SIGINT");
    }
  }

  // The heap-limit guard (heap_limit.ts) found the heap full while the user's code ran outside a
  // script (an awaiting cell, a timer): stopped as an interrupt stops it; the main thread's
  // engine then reports a MemoryError instead of KeyboardInterrupt.
  let heapStops = Atomics.load(interrupts, HEAP_STOPS);
  setInterval(() => {
    const n = Atomics.load(interrupts, HEAP_STOPS);
    if (n === heapStops) return;
    heapStops = n;
    log("the JavaScript heap is full while the user's code runs outside a script: stopping it");
    interruptMain(true);
  }, 50).unref();

  async function serveHeartbeat(): Promise<void> {
    for await (const frames of hb) await hb.send(frames);
  }

  async function serveStdin(): Promise<void> {
    for await (const frames of stdin) {
      let msg: Message;
      try {
        msg = decode(frames as Buffer[], signer);
      } catch (e) {
        if (e instanceof WireError) { log(`dropped a stdin message: ${e.message}`); continue; }
        throw e;
      }
      try {
        if (msg.header.msg_type === "input_reply") wakeInput(INPUT_DONE, String(msg.content.value ?? ""));
      } catch (e) {
        // A value String() cannot convert ({"toString": 1}) ended this loop: every later prompt() hung.
        log(`dropped an input_reply: ${(e as Error)?.message ?? e}`);
      }
    }
  }

  port.on("message", (m: ToWorker) => {
    if (m.type === "control_reply") control.send(m.frames.map((f) => Buffer.from(f))).catch((e) => log(e.message));
    else if (m.type === "input_request") {
      inputWaiting = true;
      stdin.send(m.frames.map((f) => Buffer.from(f))).catch((e) => { log(e.message); wakeInput(INPUT_INTERRUPTED); });
    } else if (m.type === "close") {
      control.close(); hb.close(); stdin.close();
      // iopub a moment later: what the main thread sent last (a shutdown's idle) goes out first.
      // The proxy closes its two sockets when it ends.
      setTimeout(() => {
        iopub.close();
        try { proxy?.terminate(); } catch { /* already ended */ }
        port.close();
      }, 30);
    }
  });

  const binds = [
    iopubBound.bind(endpoint(info, info.iopub_port)),
    iopubFront.bind(iopubInproc(session)),
    control.bind(endpoint(info, info.control_port)),
    hb.bind(endpoint(info, info.hb_port)),
    stdin.bind(endpoint(info, info.stdin_port)),
  ];
  // all settled: a socket closed while its bind was still under way aborted the process at exit
  Promise.allSettled(binds).then((results) => {
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) {
      // the main thread ends the process, saying why (a client starts again on other ports)
      for (const s of [control, hb, stdin, iopub, iopubFront, iopubBound]) s.close();
      post({ type: "bind_failed", text: `cannot bind iopub/control/hb/stdin: ${failed.reason?.message ?? failed.reason}` });
      return;
    }
    const swallowClosed = (e: any) => { if (e?.code !== "EAGAIN" && !/closed/i.test(String(e?.message))) log(String(e?.stack ?? e)); };
    proxy = new zmq.Proxy(iopubFront, iopubBound);
    proxy.run().catch((e) => log(`iopub proxy ended: ${e.message}`));
    iopub.connect(iopubInproc(session));
    serveControl().catch(swallowClosed);
    serveHeartbeat().catch(swallowClosed);
    serveStdin().catch(swallowClosed);
    serveSubscriptions().catch(swallowClosed);
    post({ type: "ready" });
  });
}

if (parentPort && workerData) main(workerData as WorkerInit);
