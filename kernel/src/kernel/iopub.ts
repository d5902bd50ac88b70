/**
 * The IOPub channel: everything the kernel broadcasts (status, streams, displays, results,
 * errors). The socket bound to the connection file's iopub port belongs to the control thread
 * (control_worker.ts), whose status messages (kernel_info, interrupt, shutdown on control) must
 * go out while a cell keeps this thread busy: this thread publishes on an inproc PUB socket, and
 * a zeromq proxy (native, on its own thread) forwards to the bound one.
 *
 * Sends never await: the socket's sendTimeout is 0, which makes zeromq queue each message
 * synchronously, and the proxy forwards it without this thread, so output sent from inside a
 * synchronous training loop leaves at once instead of waiting for the loop to end. Messages of
 * one thread keep their order; each request's messages all come from one thread (see
 * control_worker.ts), so a request's busy, outputs, and idle arrive in order.
 */
import * as zmq from "zeromq";
import { Header, Signer, encode, newHeader } from "./wire";

/** The inproc endpoint the main thread's messages reach the control thread's iopub socket by. */
export function iopubInproc(session: string): string {
  return `inproc://lrlab-iopub-${session}`;
}

/** Frames of an iopub message (topic `kernel.<session>.<msg_type>`, as ipykernel names it). */
export function iopubFrames(signer: Signer, session: string, msg_type: string, content: object,
  parent: object = {}, metadata: object = {}): Buffer[] {
  return encode(signer, [Buffer.from(`kernel.${session}.${msg_type}`)], newHeader(msg_type, session), parent, metadata, content);
}

export class Iopub {
  /**
   * To the proxy's inproc front end. A PUB drops what no subscriber wants (before a client has
   * joined) and never waits; the high-water mark is well above any burst, the proxy forwarding
   * as fast as messages come (a slow client makes the bound socket drop, not this one).
   */
  readonly socket = new zmq.Publisher({ sendTimeout: 0, linger: 200, sendHighWaterMark: 100_000 });
  constructor(private readonly signer: Signer, private readonly session: string,
    private readonly log: (s: string) => void) {}
  private joined = false;
  /** Called once, when the first subscriber has joined. */
  onJoin: (() => void) | null = null;

  /**
   * Whether a subscriber has joined (it receives what is published from now on). A client's
   * first messages can be lost before it has joined (ZeroMQ's "slow joiner"); jupyter_client and
   * Jupyter Server then ask kernel_info again (0.2 s and 0.5 s later), and the kernel must still
   * be free to answer: see the warm-up in kernel.ts. The control thread hears subscriptions,
   * welcomes each subscriber with `iopub_welcome` (JEP 65), and tells this thread: `joinedNow`.
   * (This socket hears of a subscription at about the same time: it drops what it sends before.)
   */
  get subscribed(): boolean {
    return this.joined;
  }

  /** The control thread saw a subscriber join. */
  joinedNow(): void {
    if (this.joined) return;
    this.joined = true;
    this.onJoin?.();
  }

  connect(): void {
    this.socket.connect(iopubInproc(this.session));
  }

  publish(msg_type: string, content: object, parent: Partial<Header> | Record<string, unknown> = {}, metadata: object = {}): void {
    const frames = iopubFrames(this.signer, this.session, msg_type, content, parent, metadata);
    try {
      this.socket.send(frames).catch((e) => this.log(`iopub ${msg_type} not sent: ${e.message}`));
    } catch (e: any) {
      this.log(`iopub ${msg_type} not sent: ${e.message}`);
    }
  }

  status(state: "busy" | "idle" | "starting", parent: object = {}): void {
    this.publish("status", { execution_state: state }, parent);
  }
}

/**
 * Captures process.stdout/stderr writes as `stream` messages of the request they belong to
 * (`parentOf`: parents.ts). Text is batched: flushed when 64 KB have gathered, when 50 ms passed
 * since the last flush (checked on each write, so a busy loop still streams), at the end of each
 * request, before text of the other stream is gathered (the two streams' text stays in the order it
 * was written), and before text of another request is gathered: one message never carries text of two
 * requests (a control cell's and a shell cell's, written in the same instant). Between requests
 * the output still belongs to the last cell, as in IPython (a timer's console.log shows under it).
 */
export class StreamCapture {
  private buf = { stdout: "", stderr: "" };
  private lastFlush = 0;
  /** The request the buffered text belongs to. */
  private parent: object | null = null;
  private timer: NodeJS.Timeout | null = null;
  readonly rawStderr: (s: string) => boolean;
  private readonly origOut: typeof process.stdout.write;
  private readonly origErr: typeof process.stderr.write;

  constructor(private readonly iopub: Iopub, private readonly parentOf: () => object | null) {
    this.origOut = process.stdout.write.bind(process.stdout);
    this.origErr = process.stderr.write.bind(process.stderr);
    this.rawStderr = (s: string) => this.origErr(s);
    const hook = (name: "stdout" | "stderr", orig: typeof process.stdout.write) =>
      ((chunk: any, enc?: any, cb?: any) => {
        const parent = this.parentOf();
        if (!parent) return orig(chunk, enc, cb);
        if (parent !== this.parent) {
          this.flush();
          this.parent = parent;
        } else if (this.buf[name === "stdout" ? "stderr" : "stdout"]) {
          // the other stream's text first: a cell's prints and errors keep their order
          // (`console.log(a); console.error(b); console.log(c)` showed a, c, then b)
          this.flush();
        }
        this.buf[name] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
        if (typeof enc === "function") enc(); else if (typeof cb === "function") cb();
        if (this.buf[name].length > 65536 || Date.now() - this.lastFlush > 50) this.flush();
        // Output written after a cell returned (timers, promises) goes out on a timer.
        else if (!this.timer) this.timer = setTimeout(() => { this.timer = null; this.flush(); }, 50).unref();
        return true;
      }) as typeof process.stdout.write;
    process.stdout.write = hook("stdout", this.origOut);
    process.stderr.write = hook("stderr", this.origErr);
  }

  flush(): void {
    this.lastFlush = Date.now();
    for (const name of ["stdout", "stderr"] as const) {
      if (this.buf[name] && this.parent) this.iopub.publish("stream", { name, text: this.buf[name] }, this.parent);
      this.buf[name] = "";
    }
  }
}
