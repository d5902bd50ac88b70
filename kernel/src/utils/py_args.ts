/**
 * Python's "positional or keyword" parameters in JavaScript: `F.elu(x, 0.3)`, `F.elu(x, { alpha:
 * 0.3 })` and `F.elu(x, 0.3, { inplace: true })` all mean PyTorch's `F.elu(x, 0.3)` /
 * `F.elu(x, alpha=0.3)`. Positional values fill the parameters in Python's order; a trailing plain
 * object holds the keywords. Anything else (too many values, a value given twice, an unknown
 * keyword, a value of the wrong type) is an error with Python's wording, never a silent default.
 */
import { Generator } from "../random/generator";
import { nearKey } from "../close_matches";

/** A plain object `{ ... }`: the options (class instances such as a Tensor or an optimizer are values). */
export function isOptionsObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

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
 * PyTorch's numpy-style keyword aliases for native ops (python_arg_parser.cpp's
 * numpy_compatibility_arg_names): `axis` for `dim`, `keepdims` for `keepdim`, so
 * `torch.sum(x, axis=1, keepdims=True)` works. Given together with the name they alias, PyTorch
 * reports the alias as unexpected (`sum() got an unexpected keyword argument 'axis'`).
 * Python-level functions (torch.norm, F.*) have no aliases: don't pass them through this.
 */
export function numpyKeywords(op: string, kw: Record<string, unknown>): Record<string, unknown> {
  if (!("axis" in kw) && !("keepdims" in kw)) return kw;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kw)) {
    const name = k === "axis" ? "dim" : k === "keepdims" ? "keepdim" : k;
    if (name !== k && name in kw) throw new TypeError(`${op}() got an unexpected keyword argument '${k}'`);
    out[name] = v;
  }
  return out;
}

/**
 * The `{ dim }` (or PyTorch's alias `{ axis }`) object of a native op taking only `dim` as a
 * keyword: its dim, an unknown key being an error.
 */
export function dimKeyword<T>(op: string, kw: object): T {
  const o = numpyKeywords(op, kw as Record<string, unknown>);
  checkKeywords(op, o, ["dim"]);
  return o.dim as T;
}

/**
 * Rejects a keyword `op` doesn't take, in PyTorch's words plus what is allowed and the likely
 * intended name: an unknown key must never be silently ignored.
 */
export function checkKeywords(op: string, kw: object, allowed: readonly string[]): void {
  for (const k of Object.keys(kw)) {
    if (!allowed.includes(k)) throw new TypeError(`${op}() got an unexpected keyword argument '${k}' (allowed: ${allowed.join(", ")})${nearKey(k, allowed)}`);
  }
}

/**
 * Merges `args` (what followed the leading arguments) into one keyword object for `params`.
 * `extra` names keywords that exist only as keywords (e.g. dropout's `generator`).
 */
export function pyArgs(op: string, params: readonly Param[], args: readonly unknown[], extra: readonly string[] = [], numpy = false): Record<string, unknown> {
  // Trailing `undefined`s are JS's "not given" (a wrapper forwarding its own optional parameters,
  // e.g. `sort(x, dim, descending, stable)` called as `sort(x, 1, { descending })`), so the
  // keywords object is the last argument that was given.
  let given = args.length;
  while (given > 0 && args[given - 1] === undefined) given--;
  const last = given > 0 ? args[given - 1] : undefined;
  const kw = isKeywords(last) ? (numpy ? numpyKeywords(op, last) : last) : {};
  const positional = isKeywords(last) ? args.slice(0, given - 1) : args.slice(0, given);
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
