/**
 * Values → Jupyter mime bundles. Objects that know how to show themselves implement
 * `_repr_mimebundle_(options?)` (IPython's name; lrlab's traces, previews and range tests do, see
 * kernel/src/plot/bundle.ts); everything else gets `text/plain`: its own `toString()` when it
 * defines one (tensors print like PyTorch), Node's inspect otherwise.
 */
import { inspect } from "node:util";

export type MimeBundle = Record<string, unknown>;

/** The method name displayable objects implement (same as kernel/src/plot's REPR_BUNDLE). */
export const REPR_METHOD = "_repr_mimebundle_";

export function hasOwnToString(x: object): boolean {
  for (let p: any = x; p && p !== Object.prototype && p !== Array.prototype && p !== Function.prototype; p = Object.getPrototypeOf(p)) {
    if (Object.prototype.hasOwnProperty.call(p, "toString")) return !(x instanceof Error);
  }
  return false;
}

/**
 * How an Error value reads (the kernel sets errors.ts's errorText: the user's frames, not the
 * kernel's, and cell lines, not the transpiled cell's positions). Unset outside a kernel.
 */
let errorTextOf: ((e: Error) => string) | null = null;
/** And the frames of errors inside other values, in Node's inspect of them (errors.ts cleanStacks). */
let stacksCleaned: ((text: string) => string) | null = null;
export function formatErrorsWith(f: ((e: Error) => string) | null, stacks: ((text: string) => string) | null = null): void {
  errorTextOf = f;
  stacksCleaned = stacks;
}

/** Plain-text form of a value, as a REPL shows it. */
export function textOf(value: unknown): string {
  if (value instanceof Error && errorTextOf) {
    try { return errorTextOf(value); } catch { /* fall through to inspect */ }
  }
  if (typeof value === "string") return inspect(value);
  // typed arrays, Buffers and DataViews have a toString of their own (Array's join, a Buffer's
  // UTF-8 text): shown with it, the type was lost and a large one flooded the output
  // (`Float64Array(200)` as 200 numbers on a line); Node's inspect shows them as nested ones are
  if (value instanceof Promise) hideAsyncBookkeeping(value);
  if (typeof value === "object" && value !== null && hasOwnToString(value) && !Array.isArray(value) && !ArrayBuffer.isView(value)) {
    try { return String(value); } catch { /* fall through to inspect */ }
  }
  const text = inspect(value, { depth: 4, colors: false, maxArrayLength: 100 });
  if (stacksCleaned) {
    try { return stacksCleaned(text); } catch { /* as inspect wrote it */ }
  }
  return text;
}

/**
 * Node's async hooks put their bookkeeping on every promise made while a hook or an
 * AsyncLocalStorage is enabled (the kernel's run tokens: await_guard.ts, parents.ts), as
 * enumerable symbol properties, so a promise read `Promise { 5, [Symbol(async_id_symbol)]: 660,
 * ..., [Symbol(kResourceStore)]: RunToken {...} }`. They are made non-enumerable (Node reads them
 * by key only), and the promise shows as Node's REPL shows it: `Promise { 5 }`.
 */
const ASYNC_BOOKKEEPING = new Set(["async_id_symbol", "trigger_async_id_symbol", "kResourceStore"]);
function hideAsyncBookkeeping(p: Promise<unknown>): void {
  for (const sym of Object.getOwnPropertySymbols(p)) {
    if (!ASYNC_BOOKKEEPING.has(sym.description ?? "")) continue;
    const d = Object.getOwnPropertyDescriptor(p, sym);
    if (d?.enumerable && d.configurable) Object.defineProperty(p, sym, { ...d, enumerable: false });
  }
}

/** JSON mime types (`application/json`, `application/vnd.plotly.v1+json`): their data is any JSON value. */
const JSON_MIME = /^application\/(?:[^;]*\+)?json$/i;

/**
 * Throws a TypeError naming the mime type whose data is not a string: the spec sends every other
 * type's data (text/*, image/png as base64, image/svg+xml) as a string; a number went out as it
 * was and frontends showed nothing or failed. `where` says which call it was.
 */
export function checkMimeData(bundle: MimeBundle, where: string): void {
  for (const [mime, data] of Object.entries(bundle)) {
    if (JSON_MIME.test(mime) || typeof data === "string") continue;
    const got = data === null ? "null" : Array.isArray(data) ? "an array" : typeof data;
    throw new TypeError(`${where}: the data of ${JSON.stringify(mime)} must be a string (only JSON mime types such as application/json take other values), got ${got}`);
  }
}

/**
 * The bundle of a value. `live` asks displayable objects for their cheap live form (no SVG).
 * Throws what the object's own method throws: the caller reports it as an error output.
 */
export function bundleOf(value: unknown, options: { live?: boolean } = {}): MimeBundle {
  if (typeof value === "object" && value !== null && typeof (value as any)[REPR_METHOD] === "function") {
    const b = (value as any)[REPR_METHOD](options.live ? { live: true } : {});
    if (typeof b !== "object" || b === null) throw new TypeError(`${REPR_METHOD}() must return an object of mime type → data`);
    const out: MimeBundle = { ...b };
    checkMimeData(out, `${REPR_METHOD}()`);
    if (!("text/plain" in out)) out["text/plain"] = textOf(value);
    return out;
  }
  return { "text/plain": textOf(value) };
}
