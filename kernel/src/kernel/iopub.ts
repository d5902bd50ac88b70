/**
 * The IOPub channel: everything the kernel broadcasts (status, streams, displays, results,
 * errors). Sends never await: the socket's sendTimeout is 0, which makes zeromq hand each message
 * to its I/O thread synchronously, so output sent from inside a synchronous training loop leaves
 * at once instead of waiting for the loop to end.
 */
import * as zmq from "zeromq";
import { Header, Signer, encode, newHeader } from "./wire";

export class Iopub {
  /**
   * An XPUB socket (a PUB that also hears subscriptions): `subscribed` tells whether a client's
   * SUB socket has joined, i.e. whether a status message sent now reaches someone. A client's
   * first messages can be lost before it has joined (ZeroMQ's "slow joiner"); jupyter_client and
   * Jupyter Server then ask kernel_info again (0.2 s and 0.5 s later), and the kernel must still
   * be free to answer: see the warm-up in kernel.ts.
   */
  readonly socket = new zmq.XPublisher({ sendTimeout: 0, linger: 0 });
  constructor(private readonly signer: Signer, private readonly session: string,
    private readonly log: (s: string) => void) {
    // every subscription is heard, a second client's too (each gets its welcome)
    this.socket.verbosity = "allSubs";
  }
  private joined = false;
  /** Called once, when the first subscriber has joined. */
  onJoin: (() => void) | null = null;

  /** Whether a subscriber has joined (it receives what is published from now on). */
  get subscribed(): boolean {
    return this.joined;
  }

  /** Reads subscription messages (first byte 1: subscribe) until the socket closes; call after bind. */
  listen(): void {
    void (async () => {
      try {
        for await (const [m] of this.socket) {
          if (m.length === 0 || m[0] !== 1) continue;
          this.welcome(m.subarray(1));
          if (this.joined) continue;
          this.joined = true;
          this.onJoin?.();
        }
      } catch {
        // the socket was closed: nothing more to hear
      }
    })();
  }

  /**
   * `iopub_welcome` (JEP 65, as ipykernel sends it) to a subscriber that just joined, on its own
   * topic: the first message it is sure to receive. A client that checks its IOPub connection
   * after kernel_info (jupyter_client waits 0.2 s for any IOPub message, and asks again when none
   * came) no longer misses the status messages sent before it had joined: starts took 0.2 s more
   * in about half of the measured starts.
   */
  private welcome(subscription: Buffer): void {
    const frames = encode(this.signer, subscription.length > 0 ? [Buffer.from(subscription)] : [], newHeader("iopub_welcome", this.session), {}, {},
      { subscription: subscription.toString("utf8") });
    try {
      this.socket.send(frames).catch((e) => this.log(`iopub_welcome not sent: ${e.message}`));
    } catch (e: any) {
      this.log(`iopub_welcome not sent: ${e.message}`);
    }
  }

  publish(msg_type: string, content: object, parent: Partial<Header> | Record<string, unknown> = {}, metadata: object = {}): void {
    const topic = Buffer.from(`kernel.${this.session}.${msg_type}`);
    const frames = encode(this.signer, [topic], newHeader(msg_type, this.session), parent, metadata, content);
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
 * Captures process.stdout/stderr writes as `stream` messages of the running request. Text is
 * batched: flushed when 64 KB have gathered, when 50 ms passed since the last flush (checked on
 * each write, so a busy loop still streams), and at the end of each request. Between requests the
 * output still belongs to the last cell, as in IPython (a timer's console.log shows under it).
 */
export class StreamCapture {
  private buf = { stdout: "", stderr: "" };
  private lastFlush = 0;
  private parent: object | null = null;
  private timer: NodeJS.Timeout | null = null;
  readonly rawStderr: (s: string) => boolean;
  private readonly origOut: typeof process.stdout.write;
  private readonly origErr: typeof process.stderr.write;

  constructor(private readonly iopub: Iopub) {
    this.origOut = process.stdout.write.bind(process.stdout);
    this.origErr = process.stderr.write.bind(process.stderr);
    this.rawStderr = (s: string) => this.origErr(s);
    const hook = (name: "stdout" | "stderr", orig: typeof process.stdout.write) =>
      ((chunk: any, enc?: any, cb?: any) => {
        if (!this.parent) return orig(chunk, enc, cb);
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

  /** Output from now on belongs to `parent` (null: back to the real stdout/stderr). */
  setParent(parent: object | null): void {
    this.flush();
    this.parent = parent;
  }

  get currentParent(): object | null {
    return this.parent;
  }

  flush(): void {
    this.lastFlush = Date.now();
    for (const name of ["stdout", "stderr"] as const) {
      if (this.buf[name] && this.parent) this.iopub.publish("stream", { name, text: this.buf[name] }, this.parent);
      this.buf[name] = "";
    }
  }
}
