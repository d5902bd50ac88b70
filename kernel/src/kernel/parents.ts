/**
 * Which request an output belongs to: the parent header a stream, display, clear_output or late
 * error is published with.
 *
 * Shell requests run one at a time; an execute_request on control runs at once, on the main
 * thread, between the awaits of a shell cell that is waiting (ipykernel runs it at once too, on its
 * control thread). So two cells can be running, and a single "current parent" variable gave the
 * shell cell's later output the control request's parent.
 *
 * - Code of a control execute runs in an AsyncLocalStorage context holding its request: its
 *   output, and that of the callbacks and promises it starts, is its own while it runs.
 * - Anything else (no such context) belongs to the running shell execute request, and between
 *   requests to the last one: output of a timer whose cell is over shows under the cell that is
 *   running now, as IPython routes output of threads (and as this kernel always did).
 * - A control request's context, once the request is over, counts as "no context".
 *
 * The AsyncLocalStorage is enabled only while a control execute runs: on Node 20 an enabled one
 * installs promise hooks that tag every promise of the process, user code's too (measured: an
 * `await null` loop 2-3 times slower). Shell cells never pay for it.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Message } from "./wire";

export interface RequestScope {
  readonly msg: Message;
  readonly channel: "shell" | "control";
  /** Set when the request has been answered: its context no longer claims output. */
  done: boolean;
}

export class Parents<S extends RequestScope> {
  private readonly als = new AsyncLocalStorage<S>();
  private shell: S | null = null;
  private last: S | null = null;
  private control = 0;

  /** Runs a shell execute request: output with no control request's context is its own. */
  async runShell<T>(scope: S, fn: () => Promise<T>): Promise<T> {
    this.shell = scope;
    this.last = scope;
    try {
      return await fn();
    } finally {
      scope.done = true;
      if (this.shell === scope) this.shell = null;
    }
  }

  /** Runs a control execute request in its own asynchronous context. */
  async runControl<T>(scope: S, fn: () => Promise<T>): Promise<T> {
    this.last = scope;
    this.control++;
    try {
      return await this.als.run(scope, fn);
    } finally {
      scope.done = true;
      // The last one over: the hooks go (what it left running falls back to the rule above).
      if (--this.control === 0) this.als.disable();
    }
  }

  /** The request output made now belongs to (null: none yet, output goes to the real stdout). */
  current(): S | null {
    const s = this.control > 0 ? this.als.getStore() : undefined;
    if (s && !s.done) return s;
    return this.shell ?? this.last;
  }

  /** The request whose asynchronous context this is, if it is running; else the running shell execute. */
  get running(): S | null {
    const s = this.control > 0 ? this.als.getStore() : undefined;
    if (s && !s.done) return s;
    return this.shell;
  }
}
