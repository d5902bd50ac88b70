/**
 * What every notebook cell sees besides `torch` and `lrlab`: display(), clear_output() and
 * prompt(). The kernel connects these to its channels through `connectPrelude`; outside a
 * kernel they fall back to the console.
 */
import { bundleOf, checkMimeData, MimeBundle, textOf } from "./mime";

/** Options of {@link display}. */
export interface DisplayOptions {
  /** Names this output so that later `update()` calls (or displays with the same id) replace it. */
  display_id?: string;
  /** `obj` is already a mime bundle ({ "text/html": "<b>hi</b>", ... }): send it as it is. */
  raw?: boolean;
  /** Output metadata, per mime type. */
  metadata?: Record<string, unknown>;
}

/** A displayed output that can be replaced in place. */
export interface DisplayHandle {
  readonly display_id: string;
  /** Replaces the output with `obj` (update_display_data). */
  update(obj: unknown, options?: { raw?: boolean }): void;
  /** Shows `obj` again as a new output carrying the same display id. */
  display(obj: unknown, options?: { raw?: boolean }): void;
  toString(): string;
}

/** Where the prelude sends outputs; the kernel provides it. */
export interface DisplaySink {
  display(data: MimeBundle, metadata: Record<string, unknown>, display_id: string | undefined, update: boolean): void;
  clear_output(wait: boolean): void;
  input(prompt: string, password: boolean): string;
}

let sink: DisplaySink | null = null;
let counter = 0;

/** Used by the kernel: route display/clear_output/prompt to its iopub and stdin channels. */
export function connectPrelude(s: DisplaySink | null): void {
  sink = s;
}

function toData(obj: unknown, raw: boolean | undefined, live = false): MimeBundle {
  if (!raw) return bundleOf(obj, { live });
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
    throw new TypeError(`display(obj, { raw: true }): obj must be a mime bundle object such as { "text/html": "<b>hi</b>" }, got ${textOf(obj)}`);
  }
  checkMimeData(obj as MimeBundle, "display(obj, { raw: true })");
  return obj as MimeBundle;
}

/**
 * Shows `obj` as an output of the running cell, as IPython's `display()` does: tensors as
 * PyTorch prints them, lrlab traces and previews as interactive plots, anything else as text.
 * Returns a handle whose `update(obj)` replaces the output in place (live plots).
 *
 *   const h = display(lrlab.preview(...));   // later: h.update(other)
 */
export function display(obj: unknown, options: DisplayOptions = {}): DisplayHandle {
  // The spec's transient.display_id is a string. Rejected rather than converted: 5 and "5" would
  // silently name the same output, and the handle's display_id is typed as a string.
  if (options.display_id !== undefined && typeof options.display_id !== "string") {
    throw new TypeError(`display(obj, { display_id }): display_id must be a string, got ${options.display_id === null ? "null" : typeof options.display_id}`);
  }
  const id = options.display_id ?? `lrlab-${process.pid}-${++counter}`;
  const send = (o: unknown, raw: boolean | undefined, update: boolean) => {
    const data = toData(o, raw);
    if (sink) sink.display(data, options.metadata ?? {}, id, update);
    else console.log(String(data["text/plain"] ?? ""));
  };
  send(obj, options.raw, false);
  const handle: DisplayHandle = {
    display_id: id,
    update: (o, opts = {}) => send(o, opts.raw ?? options.raw, true),
    display: (o, opts = {}) => send(o, opts.raw ?? options.raw, false),
    toString: () => `DisplayHandle(display_id=${JSON.stringify(id)})`,
  };
  // IPython's display() returns None unless a display_id was asked for: a `display(x)` ending a
  // cell must not add the handle as the cell's result. The kernel skips values marked so.
  if (options.display_id === undefined) Object.defineProperty(handle, SILENT_RESULT, { value: true });
  return handle;
}

/** Marks a value that the kernel should not show as a cell's execute_result. */
export const SILENT_RESULT = Symbol.for("lrlab.silent_result");

/**
 * Clears the cell's output. With `{ wait: true }` the clearing happens when the next output
 * arrives, which avoids flicker in animations.
 */
export function clear_output(options: { wait?: boolean } = {}): void {
  if (sink) sink.clear_output(!!options.wait);
}

/**
 * Asks the user for a line of text (Jupyter's stdin channel) and returns it. Blocks the cell
 * until the answer comes, like Python's `input()`.
 */
export function prompt(message = "", options: { password?: boolean } = {}): string {
  if (!sink) throw new Error("prompt(): no frontend to ask (not running in the lrlab kernel)");
  return sink.input(String(message), !!options.password);
}
