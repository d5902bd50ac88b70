/** %who: the names the user defined in this session (optionally only those of given types). */
import type { Magic } from "./types";

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "function") return /^class\s/.test(Function.prototype.toString.call(v)) ? "class" : "function";
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}

export const who: Magic = {
  name: "who",
  kind: "line",
  usage: "[type ...]",
  help: "Lists the variables you defined, sorted (not those starting with _). With type names (number, Tensor, function, ...) only those.\nExample: %who Tensor",
  options: [],
  run(ctx, args) {
    const want = new Set(args.positional);
    const locals = ctx.engine.locals;
    // Names starting with "_" are hidden, as in IPython (`_lr_trace` of a %%lr_trace cell, `_` ...).
    const names = ctx.engine.userNames().filter((n) => !n.startsWith("_") && (want.size === 0 || want.has(typeName(locals[n])))).sort();
    ctx.print(names.length ? names.join("\t") : "Interactive namespace is empty.");
  },
};
