/**
 * The schedulers a `%lr_schedule SequentialLR schedulers=[...]` (or ChainedScheduler) line lists,
 * read with their options as written in Python's call syntax:
 * `schedulers=[LinearLR(start_factor=0.125,total_iters=7),CosineAnnealingLR(T_max=56)]`.
 *
 * A line cannot build a combined scheduler, so its error gives the preview in code
 * (lr_schedule.ts, combinedExample). That code wrote example options (start_factor 0.1,
 * total_iters 8) whatever the line gave, and a student who pasted it got another warm-up than the
 * one they had written (a teacher's pass). Each listed scheduler's options are turned into
 * TypeScript when every one of them can be read (numbers and arithmetic on them, True/False,
 * quoted strings, lists or tuples of those); otherwise (a bare name, positional arguments, a
 * lambda, None) the caller writes examples for it, and says they are examples.
 */

/** One scheduler of the list: its class name and its options as a TypeScript object, or null (not given or not readable). */
export interface ListedScheduler {
  name: string;
  options: string | null;
}

/** `text` cut at its commas outside brackets, parentheses, braces and quotes, each part trimmed. */
function topLevelParts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== null) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter((p, i) => p !== "" || i < parts.length - 1); // a trailing comma (Python's (30,)) adds nothing
}

/** A number, or arithmetic on numbers (`1/8`, `0.5 * 0.1`): the same text in TypeScript. */
const NUMBER_EXPRESSION = /^[-+]?[\d.]+(?:e[-+]?\d+)?(?:\s*[-+*/]\s*[-+]?[\d.]+(?:e[-+]?\d+)?)*$/i;

/** One Python value as TypeScript, or null when it cannot be read so. */
function tsValue(v: string): string | null {
  if (NUMBER_EXPRESSION.test(v)) return v;
  if (v === "True" || v === "true") return "true";
  if (v === "False" || v === "false") return "false";
  const quoted = /^(['"])(.*)\1$/s.exec(v);
  if (quoted !== null && !quoted[2].includes(quoted[1])) return JSON.stringify(quoted[2]);
  const list = /^[[(](.*)[\])]$/s.exec(v);
  if (list !== null) {
    const items = topLevelParts(list[1]).map(tsValue);
    return items.every((x) => x !== null) ? `[${items.join(", ")}]` : null;
  }
  return null;
}

/** `start_factor=0.125, total_iters=7` as `{ start_factor: 0.125, total_iters: 7 }`, or null when any part cannot be read. */
function tsOptions(args: string): string | null {
  const parts = topLevelParts(args);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === "")) return null; // LinearLR(): no options given
  const out: string[] = [];
  for (const p of parts) {
    const kv = /^(\w+)\s*=\s*(.+)$/s.exec(p);
    if (kv === null) return null; // a positional argument: which option it is, the line does not say
    const value = tsValue(kv[2].trim());
    if (value === null) return null;
    out.push(`${kv[1]}: ${value}`);
  }
  return `{ ${out.join(", ")} }`;
}

/**
 * The schedulers a `schedulers=` value lists, in order, those of `names` only (a word that is no
 * scheduler class is left out, as the line could not mean it), each with its options when readable.
 */
export function listedSchedulers(value: unknown, names: readonly string[]): ListedScheduler[] {
  const text = String(value ?? "").trim().replace(/^\[(.*)\]$/s, "$1");
  const out: ListedScheduler[] = [];
  for (const item of topLevelParts(text)) {
    const m = /^(?:torch\.)?(?:optim\.)?(?:lr_scheduler\.)?(\w+)\s*(?:\((.*)\))?$/s.exec(item);
    if (m === null || !names.includes(m[1])) continue;
    out.push({ name: m[1], options: m[2] === undefined ? null : tsOptions(m[2]) });
  }
  return out;
}
