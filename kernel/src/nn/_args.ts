/**
 * Python's "positional or keyword" parameters in JavaScript: `F.elu(x, 0.3)`, `F.elu(x, { alpha:
 * 0.3 })` and `F.elu(x, 0.3, { inplace: true })` all mean PyTorch's `F.elu(x, 0.3)` /
 * `F.elu(x, alpha=0.3)`. Positional values fill the parameters in Python's order; a trailing plain
 * object holds the keywords. Anything else (too many values, a value given twice, an unknown
 * keyword, a value of the wrong type) is an error with Python's wording, never a silent default.
 */
import { Generator } from "../random/generator";
import { nearKey } from "../close_matches";
import { isOptionsObject } from "../optim/positional";

/**
 * A parameter: its Python name and what its value must be ("number?": a number or null,
 * "generator?": a torch.Generator or null, as nn.init's `generator`; "device": PyTorch's factory
 * keyword, "cpu" or null here; "any": the caller checks it).
 */
export type Param = readonly [name: string, type: ParamType];
export type ParamType = "number" | "boolean" | "string" | "number?" | "generator?" | "device" | "any";

const TAKES: Record<ParamType, [takes: string, ok: (v: unknown) => boolean]> = {
  "number": ["a number", (v) => typeof v === "number"],
  "boolean": ["a boolean", (v) => typeof v === "boolean"],
  "string": ["a string", (v) => typeof v === "string"],
  "number?": ["a number or null", (v) => v === null || typeof v === "number"],
  "generator?": ["a torch.Generator or null", (v) => v === null || v instanceof Generator],
  "device": ['"cpu" or null (lrlab runs on the CPU)', (v) => v === null || v === "cpu" || (typeof v === "object" && (v as { type?: unknown }).type === "cpu")],
  // checked by the caller, with its own (PyTorch's) message
  "any": ["anything", () => true],
};

// Only a plain `{ ... }` is the keywords object: a class instance is a value, e.g. a Generator
// (nn.init's last positional argument) or a Module (TransformerEncoder's `norm`, whose fields
// would otherwise be read as unknown keywords).
function isKeywords(v: unknown): v is Record<string, unknown> {
  return isOptionsObject(v);
}

/**
 * Merges `args` (what followed the leading arguments) into one keyword object for `params`.
 * `extra` names keywords that exist only as keywords (e.g. dropout's `generator`).
 */
export function pyArgs(op: string, params: readonly Param[], args: readonly unknown[], extra: readonly string[] = []): Record<string, unknown> {
  const last = args.length > 0 ? args[args.length - 1] : undefined;
  const kw = isKeywords(last) ? last : {};
  const positional = isKeywords(last) ? args.slice(0, -1) : args;
  // Trailing `undefined`s are JS's "not given" (a wrapper forwarding its own optional parameters).
  let n = positional.length;
  while (n > 0 && positional[n - 1] === undefined) n--;
  if (n > params.length) {
    throw new TypeError(`${op}() takes at most ${params.length} optional positional argument${params.length === 1 ? "" : "s"} (${params.map((p) => p[0]).join(", ")}) but ${n} were given`);
  }
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    if (positional[i] === undefined) continue;
    out[params[i][0]] = positional[i];
  }
  for (const [k, v] of Object.entries(kw)) {
    if (!params.some((p) => p[0] === k) && !extra.includes(k)) {
      const allowed = [...params.map((p) => p[0]), ...extra].join(", ");
      throw new TypeError(`${op}() got an unexpected keyword argument '${k}' (allowed: ${allowed})${nearKey(k, [...params.map((p) => p[0]), ...extra])}`);
    }
    if (k in out) throw new TypeError(`${op}() got multiple values for argument '${k}'`);
    if (v !== undefined) out[k] = v;
  }
  for (const [name, type] of params) {
    const v = out[name];
    const [takes, ok] = TAKES[type];
    if (v !== undefined && !ok(v)) {
      throw new TypeError(`${op}(): argument '${name}' must be ${takes}, not ${v === null ? "null" : typeof v}`);
    }
  }
  return out;
}
