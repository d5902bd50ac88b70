/**
 * The kernel's second thread: it serves the control, heartbeat and stdin channels, so that they
 * answer while the main thread is busy running a synchronous cell.
 *
 * - heartbeat: echoes every frame back (REP socket).
 * - control: `interrupt_request` raises SIGINT in this process, which stops a synchronous cell
 *   through vm's `breakOnSigint` on the main thread (a JS handler there could not run while the
 *   cell is busy); `shutdown_request` replies at once, then asks the main thread to close and, if
 *   it is stuck, terminates the process; `kernel_info_request` is answered here; anything else is
 *   handed to the main thread, whose reply frames come back to be sent on this socket.
 * - stdin: the main thread posts an `input_request` and blocks in Atomics.wait on a shared buffer;
 *   this thread sends it, waits for the `input_reply`, writes the answer into the buffer and wakes
 *   the main thread. An interrupt while waiting wakes it with "interrupted".
 */
import { parentPort, workerData } from "node:worker_threads";
import * as zmq from "zeromq";
import { ConnectionInfo, Signer, decode, encode, endpoint, newHeader, Message, WireError } from "./wire";

export interface WorkerInit {
  info: ConnectionInfo;
  session: string;
  kernelInfo: Record<string, unknown>;
  /** Shared with the main thread for stdin: [state, byteLength, ...utf8 bytes]. */
  inputBuffer: SharedArrayBuffer;
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
  | { type: "control_request"; frames: Uint8Array[] }
  | { type: "status"; state: "busy" | "idle"; parent: Record<string, unknown> }
  | { type: "shutdown"; restart: boolean }
  | { type: "interrupt" }
  | { type: "log"; text: string };

function main(init: WorkerInit): void {
  const port = parentPort!;
  const { info, session } = init;
  const signer = new Signer(info.key, info.signature_scheme);
  const control = new zmq.Router({ sendTimeout: 0, linger: 0 });
  const hb = new zmq.Reply({ linger: 0 });
  const stdin = new zmq.Router({ sendTimeout: 0, linger: 0 });
  const state = new Int32Array(init.inputBuffer, 0, 2);
  const bytes = new Uint8Array(init.inputBuffer, 8);
  let inputWaiting = false;
  const post = (m: FromWorker) => port.postMessage(m);
  const log = (text: string) => post({ type: "log", text });

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
      post({ type: "status", state: "busy", parent: msg.header });
      // A cell blocked in prompt() is woken with "interrupted" (a signal could not reach it, and
      // a late one would stop the next cell); otherwise SIGINT breaks a busy synchronous cell.
      if (!wakeInput(INPUT_INTERRUPTED)) {
        post({ type: "interrupt" });
        process.kill(process.pid, "SIGINT");
      }
      reply(msg, "interrupt_reply", { status: "ok" });
      post({ type: "status", state: "idle", parent: msg.header });
    } else if (t === "shutdown_request") {
      const restart = !!msg.content.restart;
      post({ type: "status", state: "busy", parent: msg.header });
      reply(msg, "shutdown_reply", { status: "ok", restart });
      post({ type: "status", state: "idle", parent: msg.header });
      wakeInput(INPUT_INTERRUPTED);
      post({ type: "shutdown", restart });
      // The main thread may be stuck in a synchronous cell: break it, and end the process if
      // it has not closed by itself within two seconds.
      process.kill(process.pid, "SIGINT");
      setTimeout(() => process.kill(process.pid, "SIGTERM"), 2000).unref();
    } else if (t === "kernel_info_request") {
      post({ type: "status", state: "busy", parent: msg.header });
      reply(msg, "kernel_info_reply", init.kernelInfo);
      post({ type: "status", state: "idle", parent: msg.header });
    } else {
      post({ type: "control_request", frames });
    }
  }

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
      port.close();
    }
  });

  Promise.all([
    control.bind(endpoint(info, info.control_port)),
    hb.bind(endpoint(info, info.hb_port)),
    stdin.bind(endpoint(info, info.stdin_port)),
  ]).then(() => {
    post({ type: "ready" });
    const swallowClosed = (e: any) => { if (e?.code !== "EAGAIN" && !/closed/i.test(String(e?.message))) log(String(e?.stack ?? e)); };
    serveControl().catch(swallowClosed);
    serveHeartbeat().catch(swallowClosed);
    serveStdin().catch(swallowClosed);
  }, (e) => {
    log(`cannot bind control/hb/stdin: ${e.message}`);
    process.kill(process.pid, "SIGTERM");
  });
}

if (parentPort && workerData) main(workerData as WorkerInit);
