/**
 * The types of a request's content fields (messaging spec 5.4). A wrong-typed field was taken as
 * something else without a word: `code: 123` ran "123", `silent: "yes"` was true,
 * `user_expressions: [1, 2]` ran under the keys "0" and "1". Each request's main fields are
 * checked before it is handled; a wrong one is answered with an error reply that names the field,
 * the type it must have and what came (kernel.ts). Fields the spec makes optional, or that clients
 * leave out in practice (cursor_pos, history's fields), may be absent or null: the defaults apply.
 */

/** A field's check: whether a present value is right, and what it must be, in words. */
interface FieldType { ok(v: unknown): boolean; expected: string }

const str: FieldType = { ok: (v) => typeof v === "string", expected: "a string" };
const bool: FieldType = { ok: (v) => typeof v === "boolean", expected: "a boolean" };
const int: FieldType = { ok: (v) => Number.isInteger(v), expected: "an integer" };
const index: FieldType = { ok: (v) => Number.isInteger(v) && (v as number) >= 0, expected: "an integer ≥ 0" };
const oneOf = (...values: unknown[]): FieldType => ({
  ok: (v) => values.includes(v),
  expected: values.map((x) => JSON.stringify(x)).join(", ").replace(/, ([^,]*)$/, " or $1"),
});
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Per request type: field → [type, required]. */
const FIELDS: Record<string, Record<string, [FieldType, boolean]>> = {
  execute_request: {
    code: [str, true], silent: [bool, false], store_history: [bool, false], allow_stdin: [bool, false], stop_on_error: [bool, false],
    // user_expressions: its own check below (an object of strings)
  },
  complete_request: { code: [str, true], cursor_pos: [index, false] },
  inspect_request: { code: [str, true], cursor_pos: [index, false], detail_level: [oneOf(0, 1), false] },
  is_complete_request: { code: [str, true] },
  history_request: {
    output: [bool, false], raw: [bool, false], hist_access_type: [oneOf("range", "tail", "search"), false],
    session: [int, false], start: [int, false], stop: [int, false], n: [int, false], pattern: [str, false], unique: [bool, false],
  },
  comm_info_request: { target_name: [str, false] },
  shutdown_request: { restart: [bool, false] },
};

/** What a wrong value was, for the message: its JSON type, and the value when short. */
function received(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  const kind = Array.isArray(v) ? "array" : typeof v;
  let text: string;
  try { text = JSON.stringify(v) ?? String(v); } catch { text = String(v); }
  return text.length <= 40 ? `${kind} ${text}` : kind;
}

const wrong = (type: string, field: string, expected: string, v: unknown) =>
  `${type}: content.${field} must be ${expected}, got ${received(v)}`;

/** The message for the first wrong-typed field of a request's content, or null when all are right. */
export function fieldError(type: string, content: Record<string, unknown>): string | null {
  for (const [name, [t, required]] of Object.entries(FIELDS[type] ?? {})) {
    const v = content[name];
    if ((v === undefined || v === null) && !required) continue;
    if (!t.ok(v)) return wrong(type, name, t.expected, v);
  }
  if (type === "execute_request") {
    const ux = content.user_expressions;
    if (ux !== undefined && ux !== null) {
      if (!isObject(ux)) return wrong(type, "user_expressions", "an object of name → expression", ux);
      for (const [k, src] of Object.entries(ux)) if (typeof src !== "string") return wrong(type, `user_expressions.${k}`, "a string (an expression)", src);
    }
  }
  return null;
}

/** A request whose content has a wrong-typed field: answered with an error reply (kernel.ts). */
export class RequestFieldError extends TypeError {
  constructor(message: string) { super(message); this.name = "TypeError"; }
}
