/**
 * The arguments of torch.nn.utils' clipping functions (clip_grad.ts) in Python's two forms:
 * positional in PyTorch 2.13's order, `clip_grad_norm_(params, 1.0, 1)`,
 * `clip_grad_norm_(params, 1.0, Infinity, true)`, `clip_grad_value_(params, 0.5, true)`, or one
 * trailing options object, `clip_grad_norm_(params, 1.0, { norm_type: 1 })`, and both mixed
 * (`clip_grad_norm_(params, 1.0, 1, { foreach: true })`). Before, a positional norm_type was
 * ignored without a word in plain JS (the L2 norm instead of PyTorch's L1 / inf-norm).
 *
 * What Python would refuse is an error with Python's wording: too many positional values
 * ("takes from 2 to 5 positional arguments but 6 were given"), a value given both ways, an unknown
 * option (with the nearest name). A value of the wrong JS type is an error naming the parameter,
 * what it takes and what it got; there this file is stricter than Python, where `float(True)` is
 * 1.0 and any object is a truthy `foreach`: in JS a boolean in norm_type's place is far more
 * likely a shifted `error_if_nonfinite` than the 1-norm.
 *
 * norm_type is read as Python's `float(norm_type)` reads it: a number (Infinity for
 * `float('inf')`), or a string such as "inf", "-inf", "2"; any order vector_norm takes (0 counts
 * the non-zero entries, negative orders and -inf are PyTorch's too). "fro" is not a float: the
 * same ValueError as PyTorch's.
 *
 * The required arguments after the first may be given by name too, as Python scripts mostly write
 * them (`clip_grad_norm_(model.parameters(), max_norm=1.0)`): one options object in the place of
 * the first of them holds it and everything after (`clip_grad_norm_(params, { max_norm: 1.0,
 * norm_type: 2 })`, leadArgs). That was a bare type error (TS2345, "not assignable to parameter of
 * type 'number'") in a typed cell: a porting user's pass. A required one left out is Python's
 * "missing 1 required positional argument: 'max_norm'".
 */
import { TypeError_, ValueError } from "../../errors";
import { nearKey } from "../../close_matches";
import { shown } from "../../optim/positional";
import { isOptionsObject } from "../../utils/py_args";

/** PyTorch's norm_type: a number (Infinity for float('inf')) or a string float() reads ("inf", "-inf"). */
export type NormType = number | "inf" | "-inf" | (string & {});

type Kind = "norm" | "boolean" | "boolean?";

const TAKES: Record<Kind, [takes: string, ok: (v: unknown) => boolean]> = {
  "norm": ['a number (Infinity for float(\'inf\')) or a string float() reads, such as "inf"', (v) => typeof v === "number" || typeof v === "string"],
  "boolean": ["true or false", (v) => typeof v === "boolean"],
  "boolean?": ["true, false or null", (v) => v === null || typeof v === "boolean"],
};

/** One function's parameters after its required ones (`lead`), in PyTorch's order. */
export interface ClipSignature {
  readonly op: string;
  readonly lead: readonly string[];
  readonly params: readonly (readonly [name: string, kind: Kind])[];
}

export const CLIP_GRAD_NORM: ClipSignature = {
  op: "clip_grad_norm_",
  lead: ["parameters", "max_norm"],
  params: [["norm_type", "norm"], ["error_if_nonfinite", "boolean"], ["foreach", "boolean?"]],
};
export const GET_TOTAL_NORM: ClipSignature = {
  op: "get_total_norm",
  lead: ["tensors"],
  params: [["norm_type", "norm"], ["error_if_nonfinite", "boolean"], ["foreach", "boolean?"]],
};
export const CLIP_GRADS_WITH_NORM: ClipSignature = {
  op: "clip_grads_with_norm_",
  lead: ["parameters", "max_norm", "total_norm"],
  params: [["foreach", "boolean?"]],
};
export const CLIP_GRAD_VALUE: ClipSignature = {
  op: "clip_grad_value_",
  lead: ["parameters", "clip_value"],
  params: [["foreach", "boolean?"]],
};

/**
 * The lead arguments after the first (`rest` is every argument after it) and the arguments after
 * the lead ones, for clipArgs: as given, unless an options object stands in the place of a lead
 * argument (max_norm's): then the lead values from it by name and the rest of it as the trailing
 * options object. It must be the last argument (Python has no positional value after a keyword).
 */
export function leadArgs(sig: ClipSignature, rest: readonly unknown[]): { lead: unknown[]; args: unknown[] } {
  const { op, lead } = sig;
  const named = lead.slice(1);
  const at = rest.findIndex((v, i) => i < named.length && isOptionsObject(v));
  if (at < 0) return { lead: rest.slice(0, named.length), args: rest.slice(named.length) };
  const keywords = rest[at] as Record<string, unknown>;
  if (rest.slice(at + 1).some((v) => v !== undefined)) {
    throw TypeError_(`${op}(): the options object in '${named[at]}''s place holds '${named[at]}' and every argument after it by name, `
      + `so it is the last argument: write ${op}(${lead.slice(0, at + 1).join(", ")}, { ${[...named.slice(at), ...sig.params.map((p) => p[0])].map((n) => `${n}: ...`).join(", ")} }) `
      + `or give them positionally (the order is ${op}(${[...lead, ...sig.params.map((p) => p[0])].join(", ")}))`);
  }
  // as Python: a name it does not take first, then the required ones left out
  const names = [...named.slice(at), ...sig.params.map((p) => p[0])];
  const unknown = Object.keys(keywords).find((k) => !names.includes(k));
  if (unknown !== undefined) {
    throw TypeError_(`${op}() got an unexpected keyword argument '${unknown}' (it takes ${names.map((n) => `'${n}'`).join(", ")} `
      + `after ${lead.slice(0, at + 1).join(", ")})${nearKey(unknown, names)}`);
  }
  const own = { ...keywords };
  const values = named.map((name, i) => {
    if (i < at) return rest[i];
    const v = own[name];
    delete own[name];
    return v;
  });
  const missing = named.filter((name, i) => i >= at && values[i] === undefined);
  if (missing.length > 0) {
    const list = missing.map((n) => `'${n}'`);
    throw TypeError_(`${op}() missing ${missing.length} required positional argument${missing.length > 1 ? "s" : ""}: `
      + `${list.length > 1 ? `${list.slice(0, -1).join(", ")} and ${list[list.length - 1]}` : list[0]}`);
  }
  return { lead: values, args: Object.keys(own).length > 0 ? [own] : [] };
}

/** The values after the lead arguments as one keyword object (see the header). */
export function clipArgs(sig: ClipSignature, args: readonly unknown[]): Record<string, unknown> {
  const { op, lead, params } = sig;
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--; // trailing undefined: "not given"
  const last = n > 0 ? args[n - 1] : undefined;
  const keywords = isOptionsObject(last) ? last : null;
  const positional = args.slice(0, keywords ? n - 1 : n);
  const names = params.map((p) => p[0]);
  const signature = `${op}(${[...lead, ...names].join(", ")})`;
  if (positional.length > params.length) {
    throw TypeError_(
      `${op}() takes from ${lead.length} to ${lead.length + params.length} positional arguments but ` +
        `${lead.length + positional.length} were given (the order is ${signature})`,
    );
  }
  const out: Record<string, unknown> = {};
  positional.forEach((v, i) => {
    if (v !== undefined) out[names[i]] = v;
  });
  if (keywords) {
    for (const [k, v] of Object.entries(keywords)) {
      // a lead argument named again after it was given positionally (clip_grad_norm_(ps, 1.0, { max_norm: 1.0 })): Python's words
      if (lead.includes(k)) throw TypeError_(`${op}() got multiple values for argument '${k}' (given positionally and in the options object)`);
      if (!names.includes(k)) {
        throw TypeError_(`${op}() got an unexpected keyword argument '${k}' (it takes ${names.map((s) => `'${s}'`).join(", ")} after ${lead.join(", ")})${nearKey(k, names)}`);
      }
      if (v === undefined) continue;
      if (k in out) throw TypeError_(`${op}() got multiple values for argument '${k}' (given positionally and in the options object)`);
      out[k] = v;
    }
  }
  params.forEach(([name, kind], i) => {
    const v = out[name];
    if (v === undefined) return;
    const [takes, ok] = TAKES[kind];
    if (!ok(v)) {
      const where = i < positional.length && positional[i] === v ? `argument ${lead.length + i + 1} ` : "";
      throw TypeError_(`${op}(): ${where}'${name}' takes ${takes}, but got ${shown(v)} (the order is ${signature})`);
    }
  });
  return out;
}

/** Python's float(s) for a string: "inf", "-Infinity", "nan", "2", "1e-3", "1_0" (case and spaces as Python). */
function pyFloat(s: string): number | null {
  const t = s.trim().toLowerCase();
  const inf = /^([+-]?)(inf|infinity)$/.exec(t);
  if (inf) return inf[1] === "-" ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(t)) return NaN;
  if (!/^[+-]?(\d(_?\d)*(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)(e[+-]?\d(_?\d)*)?$/.test(t)) return null;
  return Number(t.replace(/_/g, ""));
}

/** norm_type as the number of the p-norm (Python's float(norm_type)). */
export function normOrder(op: string, norm_type: unknown): number {
  if (typeof norm_type === "number") return norm_type;
  if (typeof norm_type === "string") {
    const p = pyFloat(norm_type);
    if (p !== null) return p;
    throw ValueError(
      `could not convert string to float: '${norm_type}' (${op}'s norm_type is the order p of a p-norm: a number, ` +
        `Infinity or -Infinity, or a string float() reads such as "inf"${norm_type.trim().toLowerCase() === "fro" ? "; the Frobenius norm of the gradients is the 2-norm, norm_type 2" : ""})`,
    );
  }
  throw TypeError_(`${op}(): 'norm_type' takes ${TAKES.norm[0]}, but got ${shown(norm_type)}`);
}

/** An order as Python prints a float: 2.0, inf, -inf, nan, 0.5 (PyTorch's non-finite message). */
export function pyFloatRepr(p: number): string {
  if (Number.isNaN(p)) return "nan";
  if (!Number.isFinite(p)) return p > 0 ? "inf" : "-inf";
  return Number.isInteger(p) && Math.abs(p) < 1e16 ? p.toFixed(1) : String(p);
}
