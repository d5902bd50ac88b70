/**
 * %who: the names the user defined in this session (optionally only those of given types).
 *
 * A type is what `typeName` calls a value (number, string, boolean, function, class, null, ...)
 * or the name of a class in its prototype chain (Tensor, Linear, and Module for every module).
 * A name that is none of these, nor a class the user, the library (torch, lrlab) or JavaScript
 * defines, is an error naming the types there are: `%who Tensorr` and `%who -x` used to print "Interactive namespace is empty."
 * while variables existed, as if the filter were right and matched nothing.
 */
import type { Magic } from "./types";
import { didYouMean, MagicError } from "./parser";
import { tools, torch } from "./tools";

/** What `typeof` can say, with null, function and class told apart: always valid filters. */
const PRIMITIVES = ["number", "string", "boolean", "bigint", "symbol", "undefined", "null", "function", "class", "object"];

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "function") return /^class\s/.test(Function.prototype.toString.call(v)) ? "class" : "function";
  if (typeof v === "object") return (v as object).constructor?.name || "object";
  return typeof v;
}

/** Every type name `v` answers to: its own, and (an object) the classes it inherits from. */
function typeNames(v: unknown): string[] {
  const names = [typeName(v)];
  if (typeof v === "object" && v !== null) {
    for (let p = Object.getPrototypeOf(Object.getPrototypeOf(v)); p !== null; p = Object.getPrototypeOf(p)) {
      const n = p.constructor?.name;
      if (n && n !== "Object" && !names.includes(n)) names.push(n);
    }
  }
  return names;
}

/** The classes of namespaces (torch, torch.nn, ...; JavaScript's globals), by name. */
function classNames(ns: object, depth: number, out = new Set<string>(), seen = new Set<object>()): Set<string> {
  if (seen.has(ns)) return out;
  seen.add(ns);
  for (const k of Object.getOwnPropertyNames(ns)) {
    // A global's getter is not called: Node defines some classes (TextEncoder, TextDecoder, ...) as
    // getters that replace themselves with the value on first read, which the built-ins guard then
    // took for the user's change ("this code replaced or deleted TextEncoder": a hostile tester's
    // pass, at the first %who <type>). A capitalized one is taken as the class it is.
    if (ns === globalThis) {
      const d = Object.getOwnPropertyDescriptor(ns, k);
      if (d !== undefined && !("value" in d)) {
        if (/^[A-Z]/.test(k)) out.add(k);
        continue;
      }
    }
    let v: unknown;
    try { v = (ns as Record<string, unknown>)[k]; } catch { continue; }
    if (typeof v === "function" && /^[A-Z]/.test(k)) out.add(k);
    else if (depth > 0 && typeof v === "object" && v !== null && /^[a-z_]/.test(k)) classNames(v, depth - 1, out, seen);
  }
  return out;
}

let libraryClasses: Set<string> | null = null;

export const who: Magic = {
  name: "who",
  kind: "line",
  usage: "[type ...]",
  help: "Lists the variables you defined, sorted (not those starting with _).\n"
    + "With type names only those: number, string, boolean, function, class, object, null, ..., or a class "
    + "(Tensor; Module lists every module).\nExample: %who Tensor",
  options: [],
  // Tab: the type names it takes (it offered nothing), those of the user's variables first (what
  // will match), then the user's classes and the primitive ones; not those already on the line
  complete(positional, _kv, user) {
    const vars = user().filter(([n]) => !n.startsWith("_"));
    const inUse = [...new Set(vars.flatMap(([, v]) => typeNames(v)))].sort();
    const classes = vars.filter(([, v]) => typeName(v) === "class").map(([n]) => n).sort();
    return [...new Set([...inUse, ...classes, ...PRIMITIVES])].filter((t) => !positional.includes(t));
  },
  run(ctx, args) {
    const usage = "%who " + this.usage;
    if (args.kv.length) throw new MagicError(`unexpected ${args.kv[0][0]}=...; %who takes type names`, usage);
    const locals = ctx.engine.locals;
    // Names starting with "_" are hidden, as in IPython (`_lr_trace` of a %%lr_trace cell, `_` ...).
    const names = ctx.engine.userNames().filter((n) => !n.startsWith("_"));
    const types = new Map(names.map((n) => [n, typeNames(locals[n])]));
    const option = args.positional.find((p) => p.startsWith("-"));
    if (option !== undefined) throw new MagicError(`unknown option ${option}; %who takes no options, only type names (e.g. %who Tensor number)`, usage);
    const known = new Set([...PRIMITIVES, ...[...types.values()].flat(), ...names.filter((n) => types.get(n)![0] === "class")]);
    if (args.positional.some((t) => !known.has(t))) {
      libraryClasses ??= new Set([...classNames(torch(), 3), ...classNames(tools(), 0), ...classNames(globalThis, 0)]);
      for (const c of libraryClasses) known.add(c);
    }
    const unknown = args.positional.find((t) => !known.has(t));
    if (unknown !== undefined) {
      const inUse = [...new Set([...types.values()].map((t) => t[0]))].sort();
      throw new MagicError(`unknown type ${JSON.stringify(unknown)}${didYouMean(unknown, [...known].sort())}; `
        + `types of your variables: ${inUse.length ? inUse.join(", ") : "none yet"}; also: ${PRIMITIVES.filter((t) => !inUse.includes(t)).join(", ")}, `
        + "or a class name (Tensor, Module, ...)", usage);
    }
    const want = new Set(args.positional);
    const shown = names.filter((n) => want.size === 0 || types.get(n)!.some((t) => want.has(t))).sort();
    if (shown.length) ctx.print(shown.join("\t"));
    else ctx.print(want.size ? "No variables match your requested type." : "Interactive namespace is empty.");
  },
};
