/**
 * Python's "positional or keyword" parameters for torch.nn.utils.rnn, as utils/py_args.ts's pyArgs
 * does for numbers and booleans: `pad_sequence(seqs, true, 0, "left")` and
 * `pad_sequence(seqs, { batch_first: true, padding_side: "left" })` mean the same call. This
 * module's parameters also take strings (`padding_side`) and `null` (`total_length`), which pyArgs
 * does not, hence this small variant: each parameter names the kinds of value it accepts.
 */
import { Tensor } from "../../../tensor/tensor";
import { nearKey } from "../../../close_matches";

/** The kinds of value a parameter accepts ("int": an integer number). */
export type Kind = "boolean" | "number" | "int" | "string" | "null";

/** A parameter: its Python name and the kinds of value it accepts. */
export type RnnParam = readonly [name: string, kinds: readonly Kind[]];

function isKeywords(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Tensor);
}

function fits(v: unknown, k: Kind): boolean {
  switch (k) {
    case "boolean": return typeof v === "boolean";
    case "number": return typeof v === "number";
    case "int": return typeof v === "number" && Number.isInteger(v);
    case "string": return typeof v === "string";
    case "null": return v === null;
  }
}

const KIND_NAMES: Record<Kind, string> = { boolean: "a boolean", number: "a number", int: "an int", string: "a string", null: "null" };

/** Python's name of a JS value's type, for "must be X, not Y". */
function typeName(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (Array.isArray(v)) return "Array";
  if (v instanceof Tensor) return "Tensor";
  return typeof v;
}

/**
 * Merges `args` (what followed the leading arguments of `op`) into one keyword object for
 * `params`: positional values fill the parameters in Python's order, a trailing plain object holds
 * keywords. Too many values, a value given twice, an unknown keyword or a value of the wrong kind is
 * an error with Python's wording and the allowed names or kinds.
 */
export function rnnArgs(op: string, params: readonly RnnParam[], args: readonly unknown[]): Record<string, unknown> {
  const last = args.length > 0 ? args[args.length - 1] : undefined;
  const kw = isKeywords(last) ? last : {};
  const positional = isKeywords(last) ? args.slice(0, -1) : args;
  let n = positional.length;
  while (n > 0 && positional[n - 1] === undefined) n--; // JS's "not given"
  const names = params.map((p) => p[0]);
  if (n > params.length) {
    throw new TypeError(`${op}() takes at most ${params.length} optional positional argument${params.length === 1 ? "" : "s"} (${names.join(", ")}) but ${n} were given`);
  }
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) if (positional[i] !== undefined) out[names[i]] = positional[i];
  for (const [k, v] of Object.entries(kw)) {
    if (!names.includes(k)) throw new TypeError(`${op}() got an unexpected keyword argument '${k}' (allowed: ${names.join(", ")})${nearKey(k, names)}`);
    if (k in out) throw new TypeError(`${op}() got multiple values for argument '${k}'`);
    if (v !== undefined) out[k] = v;
  }
  for (const [name, kinds] of params) {
    const v = out[name];
    if (v !== undefined && !kinds.some((k) => fits(v, k))) {
      throw new TypeError(`${op}(): argument '${name}' must be ${kinds.map((k) => KIND_NAMES[k]).join(" or ")}, not ${typeName(v)}`);
    }
  }
  return out;
}
