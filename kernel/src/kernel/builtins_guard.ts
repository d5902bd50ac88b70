/**
 * The built-ins the kernel itself runs on, kept working whatever a cell does to them.
 *
 * Cells run in the kernel's own realm (tslab's design), so a cell that replaces or deletes a
 * built-in method breaks the kernel's code too: `Array.prototype.map = () => { throw ... }` made
 * every message fail to encode and decode (no reply, no idle, the kernel hung for good), `delete
 * process.stdout.write` sent the cells' prints to the kernel's terminal instead of the notebook,
 * and `globalThis.setTimeout = null` broke `%time` and the kernel's shutdown. Python's built-in
 * types cannot be patched, so ipykernel never meets this.
 *
 * A snapshot of the own properties of the intrinsics (and of a few globals and process members)
 * is taken at start; after each cell (and when a message fails to decode) every property the
 * snapshot holds that was replaced or deleted is put back, and the kernel says which in the cell
 * (stderr). Properties a cell adds (`Object.prototype.x = 1`, a polyfill) are left alone: they
 * do not break the kernel's code. The check reads ~2,000 properties (~0.1 ms), once per cell.
 */
import { EventEmitter } from "node:events";

// Taken now, before any cell can replace them: restore() must not run on what it repairs.
const getDesc = Object.getOwnPropertyDescriptor;
const defineProp = Reflect.defineProperty;
const ownKeys = Reflect.ownKeys;
const getProto = Object.getPrototypeOf;

/**
 * A watched property: its descriptor, and for a global accessor with a setter (Node's `Buffer`),
 * the value its getter gave: `globalThis.Buffer = null` goes through the setter and leaves the
 * descriptor as it was, so only the value tells (the kernel then failed to send any reply).
 */
interface Saved { label: string; owner: object; key: PropertyKey; desc: PropertyDescriptor; value?: { v: unknown } }

/** Globals the kernel (and the libraries under it: zeromq, TypeScript, tslab) use by name. */
const GLOBAL_NAMES = [
  "Object", "Function", "Array", "String", "Number", "Boolean", "Symbol", "BigInt", "Error", "TypeError", "RangeError",
  "SyntaxError", "Promise", "Map", "Set", "WeakMap", "WeakSet", "WeakRef", "RegExp", "Date", "JSON", "Math", "Reflect", "Proxy",
  "ArrayBuffer", "SharedArrayBuffer", "DataView", "Atomics", "Uint8Array", "Int8Array", "Uint16Array", "Int16Array",
  "Uint32Array", "Int32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array", "Buffer", "TextEncoder",
  "TextDecoder", "URL", "process", "performance", "setTimeout", "clearTimeout", "setInterval", "clearInterval",
  "setImmediate", "clearImmediate", "queueMicrotask", "structuredClone", "globalThis",
];

/**
 * Properties a user (or the kernel's own error formatting) may set on purpose, and the kernel
 * does not run on: `Math.random` replaced by a seeded generator is a tutorial's way to make a
 * notebook reproducible (the kernel draws its ids from `crypto`).
 */
const SKIP = new Set(["Error.prepareStackTrace", "Error.stackTraceLimit", "Math.random"]);

export class BuiltinsGuard {
  private readonly saved: Saved[] = [];
  /** The watched members of Promise and Promise.prototype, and the global Promise (`restorePromises`). */
  private readonly promises: Saved[] = [];
  /** What `restorePromises` put back since the last `restore` (which reports it). */
  private early: string[] = [];

  /** Takes the snapshot: call it once the kernel's own patches (stream capture, process.exit) are in place. */
  constructor() {
    const g = globalThis as any;
    const iter = (it: Iterator<unknown>) => getProto(it);
    const typedArray = getProto(Uint8Array);
    const owners: [string, object][] = [
      ["Object", Object], ["Object.prototype", Object.prototype], ["Function.prototype", Function.prototype],
      ["Array", Array], ["Array.prototype", Array.prototype], ["ArrayIterator.prototype", iter([][Symbol.iterator]())],
      ["Iterator.prototype", getProto(iter([][Symbol.iterator]()))],
      ["String", String], ["String.prototype", String.prototype], ["StringIterator.prototype", iter(""[Symbol.iterator]())],
      ["Number", Number], ["Number.prototype", Number.prototype], ["Boolean.prototype", Boolean.prototype],
      ["Symbol", Symbol], ["Symbol.prototype", Symbol.prototype], ["BigInt.prototype", BigInt.prototype],
      ["JSON", JSON], ["Math", Math], ["Reflect", Reflect], ["Promise", Promise], ["Promise.prototype", Promise.prototype],
      ["Map.prototype", Map.prototype], ["MapIterator.prototype", iter(new Map()[Symbol.iterator]())],
      ["Set.prototype", Set.prototype], ["SetIterator.prototype", iter(new Set()[Symbol.iterator]())],
      ["WeakMap.prototype", WeakMap.prototype], ["WeakSet.prototype", WeakSet.prototype],
      ["Error", Error], ["Error.prototype", Error.prototype], ["RegExp", RegExp], ["RegExp.prototype", RegExp.prototype],
      ["Date", Date], ["Date.prototype", Date.prototype], ["ArrayBuffer", ArrayBuffer], ["ArrayBuffer.prototype", ArrayBuffer.prototype],
      ["TypedArray", typedArray], ["TypedArray.prototype", typedArray.prototype], ["Uint8Array.prototype", Uint8Array.prototype],
      ["DataView.prototype", DataView.prototype], ["Atomics", Atomics], ["Buffer", Buffer], ["Buffer.prototype", Buffer.prototype],
      ["EventEmitter.prototype", EventEmitter.prototype], ["process", process],
    ];
    for (const [label, owner] of owners) {
      for (const key of ownKeys(owner)) this.save(`${label}.${String(key)}`, owner, key);
    }
    for (const name of GLOBAL_NAMES) if (name in g) this.save(name, g, name);
    this.save("process.stdout.write", process.stdout, "write");
    this.save("process.stderr.write", process.stderr, "write");
    for (const s of this.saved) if (s.owner === Promise || s.owner === Promise.prototype || (s.owner === g && s.key === "Promise")) this.promises.push(s);
  }

  /**
   * Puts back Promise's members at once, as the cell's code returns (engine.ts), not after the
   * cell: the kernel's own code settles the cell's run through them before the after-cell check
   * (resolving with a promise calls its `then`), so `Promise.prototype.then = () => {}` left the
   * cell running for ever and the kernel answering nothing. `restore` reports what this put back.
   */
  restorePromises(): void {
    // (index writes: a cell may have replaced Array.prototype.push too)
    const r = this.check(this.promises);
    for (let i = 0; i < r.restored.length; i++) this.early[this.early.length] = r.restored[i];
    for (let i = 0; i < r.failed.length; i++) this.early[this.early.length] = r.failed[i];
  }

  private save(label: string, owner: object, key: PropertyKey): void {
    if (SKIP.has(label)) return;
    const desc = getDesc(owner, key);
    // what cannot be changed needs no watch; of the members, the methods and accessors (values
    // such as process.argv or process.env a user may set on purpose)
    if (!desc || !(desc.configurable || desc.writable)) return;
    if (owner !== globalThis && !desc.get && !desc.set && typeof desc.value !== "function") return;
    const saved: Saved = { label, owner, key, desc };
    if (owner === globalThis && desc.get && desc.set) {
      // a lazy global's getter replaces itself with the value when read (TextEncoder): put back
      // as it was, and watched by its descriptor only
      const v = desc.get.call(owner);
      const after = getDesc(owner, key);
      if (after && after.get === desc.get) saved.value = { v };
      else defineProp(owner, key, desc);
    }
    this.saved[this.saved.length] = saved;
  }

  /**
   * Puts back every watched property a cell replaced or deleted. Returns what was put back, and
   * what could not be (a cell froze its owner after replacing it).
   */
  restore(): { restored: string[]; failed: string[] } {
    const r = this.check(this.saved);
    const early = this.early;
    if (early.length === 0) return r;
    this.early = [];
    // put back early, named first (a frozen Promise.prototype comes again under `failed`)
    const restored: string[] = [];
    for (let i = 0; i < early.length; i++) {
      let failedToo = false;
      for (let j = 0; j < r.failed.length; j++) if (r.failed[j] === early[i]) failedToo = true;
      if (!failedToo) restored[restored.length] = early[i];
    }
    for (let i = 0; i < r.restored.length; i++) restored[restored.length] = r.restored[i];
    return { restored, failed: r.failed };
  }

  private check(saved: Saved[]): { restored: string[]; failed: string[] } {
    const restored: string[] = [], failed: string[] = [];
    // index loops and index writes: a cell may have replaced Array.prototype[Symbol.iterator]
    // (for-of over `saved` then saw nothing, and nothing was put back) or push
    for (let i = 0; i < saved.length; i++) {
      const s = saved[i];
      const now = getDesc(s.owner, s.key);
      const same = now && now.value === s.desc.value && now.get === s.desc.get && now.set === s.desc.set;
      if (same && (s.value === undefined || (s.desc.get as () => unknown).call(s.owner) === s.value.v)) continue;
      let ok = defineProp(s.owner, s.key, s.desc);
      if (ok && s.value !== undefined && s.desc.set) {
        try { (s.desc.set as (v: unknown) => void).call(s.owner, s.value.v); } catch { ok = false; }
      }
      if (ok) restored[restored.length] = s.label; else failed[failed.length] = s.label;
    }
    return { restored, failed };
  }
}

/** What the kernel says in the cell after restore(): names what was put back, and why. */
export function restoredNotice(r: { restored: string[]; failed: string[] }): string | null {
  if (r.restored.length === 0 && r.failed.length === 0) return null;
  const list = (names: string[]) => names.length > 6 ? `${names.slice(0, 6).join(", ")} and ${names.length - 6} more` : names.join(", ");
  let text = "";
  if (r.restored.length) {
    text += `lrlab: this code replaced or deleted ${list(r.restored)}, which the kernel itself runs on ` +
      "(cells share the kernel's JavaScript built-ins); the original is back in place. Use your own function or a subclass instead.\n";
  }
  if (r.failed.length) {
    text += `lrlab: ${list(r.failed)} could not be put back (frozen): the kernel may not work; restart it.\n`;
  }
  return text;
}
