/**
 * Magic lines, IPython style: `%name args` (line magic, on a line of its own) and `%%name args`
 * (cell magic, a cell's first line; the rest of the cell is its body).
 *
 * Arguments: positional words, `--flag value`, `--flag` (booleans), `--no-flag` (a boolean set
 * false), `key=value` (an expression value may have spaces: it runs to the next option or
 * key=value, and is kept as written, quotes included), "double" or 'single' quoted strings (a
 * word or value that is one quoted string loses its quotes; \" and \\ escape), and `-n 5` for
 * an option with a short form. A key or option may be given once.
 * Values become numbers when they read as numbers, booleans for true/false, arrays/objects for
 * JSON-looking text ([0.9, 0.999]), strings otherwise; each magic's option spec checks types.
 */

/** A bad magic line: the kernel prints the message and the magic's usage and runs nothing. */
export class MagicError extends Error {
  constructor(message: string, readonly usage = "") {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * A MagicError for a `key=expression` whose TypeScript failed: the key, the expression and the
 * error, without the checker's "1:2 - " positions (they count in the wrapped one-line expression,
 * not in anything the user sees); several errors are joined by "; ".
 */
export function expressionError(key: string, expr: string, e: unknown, usage: string): MagicError {
  const message = String((e as Error)?.message ?? e).split("\n").map((l) => l.replace(/^\d+:\d+ - /, "")).join("; ");
  return new MagicError(`${key}=${expr}: ${message}`, usage);
}

export type MagicValue = string | number | boolean | unknown[] | Record<string, unknown>;

/** One option a magic accepts. */
export interface OptionSpec {
  name: string;
  type: "string" | "number" | "int" | "boolean" | "list" | "any";
  help: string;
  default?: MagicValue;
  /** A one-letter short form, IPython style (`-n 5`, `-n5` for --number 5). */
  short?: string;
  /** The values Tab offers for it (for a list: for each item). */
  values?: () => readonly string[];
}

export interface ParsedArgs {
  positional: string[];
  /** --flags, by name (dashes in names become underscores). */
  flags: Record<string, MagicValue>;
  /** key=value pairs, in order, values converted. */
  kv: [string, MagicValue][];
  /** key=value pairs as written (for values that are expressions, e.g. model=net). */
  raw: Record<string, string>;
}

/**
 * Splits a magic's argument text into words as written: quotes (and backquotes) and [..] / {..}
 * group spaces into a word, and stay in it. Whether a quote is the word's delimiter or part of
 * an expression (`lr_lambda=(e) => 'ab'.length`) is for `unquote` to say, once the word's role
 * is known: stripping every quote here turned 'ab'.length into ab.length.
 */
export function splitWords(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) break;
    const start = i;
    let depth = 0; // inside [..] or {..}, spaces do not split (key=[0.9, 0.999])
    while (i < text.length && (depth > 0 || !/\s/.test(text[i]))) {
      const c = text[i];
      if (c === '"' || c === "'" || c === "`") {
        i = quoteEnd(text, i);
        continue;
      }
      if (c === "[" || c === "{") depth++;
      if ((c === "]" || c === "}") && depth > 0) depth--;
      i++;
    }
    out.push(text.slice(start, i));
  }
  return out;
}

/** The index after the quote that closes the one at `open` (\" and \\ escape); unclosed: an error. */
function quoteEnd(text: string, open: number): number {
  const q = text[open];
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === "\\") { i++; continue; }
    if (text[i] === q) return i + 1;
  }
  throw new MagicError(`unterminated ${q} quote`);
}

/**
 * A word whose text is one quoted string ("my run", 'd \' e') → its contents, escapes resolved;
 * any other word stays as written, quotes included (an expression's string literals).
 */
export function unquote(word: string): string {
  const q = word[0];
  if ((q !== '"' && q !== "'") || word.length < 2) return word;
  let end: number;
  try { end = quoteEnd(word, 0); } catch { return word; }
  if (end !== word.length) return word;
  return word.slice(1, -1).replace(/\\(["'\\])/g, "$1");
}

/** Splits a magic's argument text into words, each unquoted when it is one quoted string. */
export function tokenize(text: string): string[] {
  return splitWords(text).map(unquote);
}

/** Text → number / boolean / JSON value / string. */
export function convertValue(s: string): MagicValue {
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) || /^[+-]?Infinity$/.test(s)) return Number(s);
  if (s === "true" || s === "True") return true;
  if (s === "false" || s === "False") return false;
  if (/^[[{]/.test(s)) {
    try { return JSON.parse(s); } catch { /* not JSON: keep the text */ }
  }
  return s;
}

/**
 * Parses argument text against the option spec. Unknown --flags, badly typed values, a key or an
 * option given twice and a key without a value are a MagicError naming it and what is allowed.
 */
export function parseArgs(text: string, options: OptionSpec[], usage = ""): ParsedArgs {
  const words = splitWords(text);
  const spec = new Map(options.map((o) => [o.name, o]));
  const res: ParsedArgs = { positional: [], flags: {}, kv: [], raw: {} };
  for (const o of options) if (o.default !== undefined) res.flags[o.name] = o.default;
  const known = () => options.length ? options.map((o) => (o.short ? `-${o.short}/` : "") + flagName(o.name)).join(", ") : "none";
  // A repeated key or option used to be taken silently (the last one won, while a legend still
  // showed both): now it is an error, as is a key with no value.
  const given = new Map<string, string>();
  const once = (what: string, as: string) => {
    const first = given.get(what);
    if (first !== undefined) throw new MagicError(`${what} given twice (${first} and ${as}); give it once`, usage);
    given.set(what, as);
  };
  for (let i = 0; i < words.length; i++) {
    let w = words[i];
    // IPython's short forms of the options that have one: -n 5, -n5 (%timeit)
    const short = /^-([A-Za-z])(.*)$/.exec(w);
    const shortSpec = short ? options.find((o) => o.short === short[1]) : undefined;
    if (short && shortSpec) w = `--${shortSpec.name}${short[2] ? "=" + short[2] : ""}`;
    if (w.startsWith("--") && w.length > 2) {
      let name = w.slice(2), inline: string | undefined;
      const eq = name.indexOf("=");
      if (eq >= 0) { inline = unquote(name.slice(eq + 1)); name = name.slice(0, eq); }
      name = name.replace(/-/g, "_");
      const o = spec.get(name);
      if (!o && name.startsWith("no_") && spec.get(name.slice(3))?.type === "boolean") {
        once(flagName(name.slice(3)), words[i]);
        res.flags[name.slice(3)] = false;
        continue;
      }
      if (!o) throw new MagicError(`unknown option ${words[i].split("=")[0]}; allowed: ${known()}`, usage);
      const written = words[i];
      if (o.type === "boolean") {
        once(flagName(o.name), written);
        res.flags[name] = inline === undefined ? true : convertValue(inline) === true;
        continue;
      }
      if (o.type === "list") {
        const items: string[] = inline !== undefined ? inline.split(",") : [];
        while (inline === undefined && i + 1 < words.length && !words[i + 1].startsWith("--") && !words[i + 1].includes("=")) {
          items.push(...unquote(words[++i]).split(","));
        }
        const list = items.map((s) => s.trim()).filter(Boolean);
        if (list.length === 0) throw new MagicError(`option ${flagName(o.name)} needs at least one value`, usage);
        once(flagName(o.name), inline !== undefined ? written : `${written} ${list.join(",")}`);
        res.flags[name] = list;
        continue;
      }
      const raw = inline ?? (i + 1 < words.length ? unquote(words[++i]) : undefined);
      if (raw === undefined) throw new MagicError(`option ${flagName(o.name)} needs a value (${o.type})`, usage);
      once(flagName(o.name), inline !== undefined ? written : `${written} ${raw}`);
      res.flags[name] = checkType(flagName(o.name), convertValue(raw), o.type, usage);
      continue;
    }
    const eq = w.indexOf("=");
    if (eq > 0 && /^[A-Za-z_][\w.]*$/.test(w.slice(0, eq))) {
      const key = w.slice(0, eq);
      let value = w.slice(eq + 1);
      if (value === "") {
        throw new MagicError(`${key}= has no value: write ${key}=<value>, with no space after the =`, usage);
      }
      if (unquote(value) !== value) {
        // a quoted value ends at its closing quote: the quotes were what delimited it
        value = unquote(value);
      } else {
        // An expression written with spaces (loss=new torch.nn.MSELoss(), lr_lambda=(e) => 0.9 ** e)
        // goes on to the next option or key=value, kept as written (its quotes are string
        // literals). A number, boolean or JSON value does not: a word after it is a word of its
        // own (and a misplaced one gets its magic's own error).
        while (i + 1 < words.length && typeof convertValue(value) === "string" && !isOptionOrKeyValue(words[i + 1])) value += " " + words[++i];
      }
      once(key, `${key}=${value}`);
      res.kv.push([key, convertValue(value)]);
      res.raw[key] = value;
      continue;
    }
    res.positional.push(unquote(w));
  }
  return res;
}

/** An option's name as written on the line: steps → --steps, start_lr → --start-lr. */
export function flagName(name: string): string {
  return "--" + name.replace(/_/g, "-");
}

/** `--flag`, `--flag=v` or `key=value` (not `=>` or `==` inside an expression). */
export function isOptionOrKeyValue(word: string): boolean {
  return (word.startsWith("--") && word.length > 2) || /^[A-Za-z_][\w.]*=(?![=>])/.test(word);
}

export function checkType(what: string, v: MagicValue, type: OptionSpec["type"], usage = ""): MagicValue {
  const bad = (want: string) => new MagicError(`${what} must be ${want}, got ${JSON.stringify(v)}`, usage);
  switch (type) {
    case "number": if (typeof v !== "number" || Number.isNaN(v)) throw bad("a number"); return v;
    case "int": if (typeof v !== "number" || !Number.isInteger(v)) throw bad("an integer"); return v;
    case "string": return typeof v === "string" ? v : String(v);
    default: return v;
  }
}

/** A cell, split into what runs: code chunks and line magics, or one cell magic. */
export type CellPart =
  | { kind: "code"; code: string; firstLine: number }
  | { kind: "line"; name: string; args: string; help: boolean; line: number }
  | { kind: "cell"; name: string; args: string; body: string; help: boolean; firstLine: number };

const MAGIC_LINE = /^%([A-Za-z_]\w*)(\?{1,2})?(?:[ \t]+(.*))?$/;

/**
 * Splits a cell. `%%name` on the first line makes the whole cell a cell magic. Otherwise lines of
 * the form `%name ...` are line magics and the text between them is code.
 */
export function splitCell(src: string): CellPart[] {
  const lines = src.split("\n");
  const first = lines.findIndex((l) => l.trim() !== "");
  if (first >= 0 && /^%%/.test(lines[first].trim())) {
    const m = /^%%([A-Za-z_]\w*)(\?{1,2})?(?:[ \t]+(.*))?$/.exec(lines[first].trim());
    if (!m) throw new MagicError(`bad cell magic line: ${lines[first].trim()}`);
    return [{ kind: "cell", name: m[1], help: !!m[2], args: (m[3] ?? "").trim(), body: lines.slice(first + 1).join("\n"), firstLine: first + 1 }];
  }
  const parts: CellPart[] = [];
  let code: string[] = [], codeStart = 0;
  const flushCode = () => {
    if (code.some((l) => l.trim() !== "")) parts.push({ kind: "code", code: code.join("\n"), firstLine: codeStart });
    code = [];
  };
  lines.forEach((l, i) => {
    const m = MAGIC_LINE.exec(l.trim());
    if (m && /^\s*%/.test(l)) {
      flushCode();
      parts.push({ kind: "line", name: m[1], help: !!m[2], args: (m[3] ?? "").trim(), line: i + 1 });
      codeStart = i + 1;
    } else {
      if (code.length === 0) codeStart = i;
      code.push(l);
    }
  });
  flushCode();
  return parts;
}

/** Whether a cell uses magics at all (plain code goes straight to the engine). */
export function hasMagic(src: string): boolean {
  return /^\s*%/m.test(src);
}
