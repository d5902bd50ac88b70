/**
 * Python's positional arguments for the optimizers and schedulers: `new SGD(params, 0.1, 0.9)`,
 * `new StepLR(opt, 30, 0.1)`, `new OneCycleLR(opt, 0.1, 100)` mean PyTorch's `SGD(params, 0.1,
 * 0.9)`, ...; the options-object form (`new SGD(params, { lr: 0.1 })`) is unchanged, and both
 * mix as in Python: positional values first, then one options object for the rest
 * (`new StepLR(opt, 30, { gamma: 0.5 })`). The same idea as torch.nn's layers (utils/py_args.ts,
 * nn/modules/conv.ts convLayerArgs), shared here by every class of torch.optim, with the
 * parameter lists (PyTorch 2.13's order) in optim/options.ts and lr_scheduler/options.ts.
 *
 * What Python would refuse is an error naming what was wrong: more positional values than the
 * signature has (PyTorch's keyword-only arguments, after its `*`, go in the options object only),
 * a value of the wrong JS type in a position (the parameter, what it takes, what it got), and
 * the same parameter given positionally and in the options. Values themselves (a negative lr, an
 * unknown mode) are checked by each class as before, whichever way they came.
 */
import { TypeError_ } from "../errors";
import { Tensor } from "../tensor/tensor";
import { isOptionsObject } from "../utils/py_args";

/**
 * The arguments of the positional form in TypeScript: any leading part of the positional
 * parameters `P` (a labelled tuple, Python's order), then optionally the options object for the
 * others. Shift-Tab shows it as e.g. `...args: Positional<[step_size: number, gamma: number,
 * last_epoch: number], StepLROptions>`.
 */
export type Positional<P extends readonly unknown[], O> = [...P, options?: Rest<O>] | Shorter<P, O>;
/** The same with fewer positional values (one at least: none is the options form). */
type Shorter<P extends readonly unknown[], O> = P extends readonly [...infer H, unknown]
  ? H extends readonly [] ? never : [...H, options?: Rest<O>] | Shorter<H, O>
  : never;
/** The trailing options: `O` itself when every key is optional (its name shows in type errors), else `Partial<O>` (a required key may be positional). */
type Rest<O> = {} extends O ? O : Partial<O>;

/** What a positional value must be (its JS type; the value's range is checked by the class). */
export type ArgType =
  | "number" | "number|Tensor" | "number?" | "boolean" | "boolean?" | "string" | "string?" | "array" | "number|array"
  | "function|array" | "function?" | "object?";

/** A positional parameter: its Python name and what it takes. */
export type PositionalParam = readonly [name: string, type: ArgType];

const ACCEPTS: Record<ArgType, [takes: string, ok: (v: unknown) => boolean]> = {
  "number": ["a number", (v) => typeof v === "number"],
  "number|Tensor": ["a number or a 1-element Tensor", (v) => typeof v === "number" || v instanceof Tensor],
  "number?": ["a number or null", (v) => v === null || typeof v === "number"],
  "boolean": ["true or false", (v) => typeof v === "boolean"],
  "boolean?": ["true, false or null", (v) => v === null || typeof v === "boolean"],
  "string": ["a string", (v) => typeof v === "string"],
  "string?": ["a string or null", (v) => v === null || typeof v === "string"],
  "array": ["an array", (v) => Array.isArray(v)],
  "number|array": ["a number, or an array of numbers (one per param group)", (v) => typeof v === "number" || Array.isArray(v)],
  "function|array": ["a function, or an array of functions (one per param group)", (v) => typeof v === "function" || Array.isArray(v)],
  "function?": ["a function or null", (v) => v === null || typeof v === "function"],
  "object?": ["an optimizer or null", (v) => v === null || (typeof v === "object" && !Array.isArray(v))],
};

/** A value as the messages show it: `0.1`, `"0.1"`, `true`, `[0.9, 0.999]`, `a Tensor` (nn/positional.ts too). */
export function shown(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "function") return "a function";
  if (Array.isArray(v)) {
    try {
      const s = JSON.stringify(v);
      if (s !== undefined && s.length <= 40) return `${s} (an array)`;
    } catch { /* a cyclic array: no contents */ }
    return "an array";
  }
  if (v instanceof Tensor) return "a Tensor";
  if (typeof v === "object" && v !== null) return `a ${(v as object).constructor?.name ?? "object"}`;
  return `${String(v)} (${v === null ? "null" : typeof v})`;
}

/**
 * One options object from what followed the leading arguments (`lead`: "params", "optimizer",
 * ...) of `cls`'s constructor: the options object itself when that is all there is (the same
 * object, so the options form is as before), else the positional values under `params`' names
 * merged with the trailing options object. `keywordOnly` are PyTorch's keyword-only options (for
 * the message when too many values are given).
 */
export function positionalArgs(
  cls: string,
  lead: readonly string[],
  params: readonly PositionalParam[],
  args: readonly unknown[],
  keywordOnly: readonly string[] = [],
): Record<string, unknown> {
  // Trailing `undefined`s are JS's "not given" (a wrapper forwarding its own optional arguments).
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  if (n === 0) return {};
  if (n === 1 && (isOptionsObject(args[0]) || args[0] === null)) return (args[0] ?? {}) as Record<string, unknown>;
  const last = args[n - 1];
  const keywords = isOptionsObject(last) ? last : null;
  const positional = args.slice(0, keywords ? n - 1 : n);
  const signature = [...lead, ...params.map((p) => p[0])].join(", ");
  if (positional.length > params.length) {
    const rest = keywordOnly.length > 0
      ? `; ${keywordOnly.join(", ")} ${keywordOnly.length === 1 ? "is" : "are"} keyword-only: pass ${keywordOnly.length === 1 ? "it" : "them"} in the options object, e.g. new ${cls}(${lead.join(", ")}, { ${keywordOnly[0]}: ... })`
      : "";
    throw TypeError_(
      `${cls}.__init__() takes at most ${lead.length + params.length} positional arguments (${signature}) ` +
        `but ${lead.length + positional.length} were given${rest}`,
    );
  }
  const out: Record<string, unknown> = {};
  positional.forEach((v, i) => {
    if (v === undefined) return;
    const [name, type] = params[i];
    const [takes, ok] = ACCEPTS[type];
    if (!ok(v)) {
      throw TypeError_(
        `${cls}.__init__(): argument ${lead.length + i + 1} is '${name}', which takes ${takes}, but got ${shown(v)} ` +
          `(the positional order is ${cls}(${signature}))`,
      );
    }
    out[name] = v;
  });
  if (keywords) {
    for (const [k, v] of Object.entries(keywords)) {
      if (v === undefined && k in out) continue; // { lr: undefined } is "not given"
      if (k in out) throw TypeError_(`${cls}.__init__() got multiple values for argument '${k}' (given positionally and in the options object)`);
      out[k] = v;
    }
  }
  return out;
}
