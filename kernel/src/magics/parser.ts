/**
 * Magic lines, IPython style: `%name args` (line magic, on a line of its own) and `%%name args`
 * (cell magic, a cell's first line; the rest of the cell is its body).
 *
 * Arguments: positional words, `--flag value`, `--flag` (booleans), `--no-flag` (a boolean set
 * false), `key=value` (an expression value may have spaces: it runs to the next option or
 * key=value), and "double" or 'single' quoted strings (with \" and \\ escapes).
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

/** Splits a magic's argument text into words, honouring quotes. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) break;
    let word = "";
    let depth = 0; // inside [..] or {..}, spaces do not split (key=[0.9, 0.999])
    while (i < text.length && (depth > 0 || !/\s/.test(text[i]))) {
      const c = text[i];
      if (c === '"' || c === "'") {
        const q = c;
        i++;
        let closed = false;
        while (i < text.length) {
          if (text[i] === "\\" && i + 1 < text.length && (text[i + 1] === q || text[i + 1] === "\\")) { word += text[i + 1]; i += 2; continue; }
          if (text[i] === q) { closed = true; i++; break; }
          word += text[i++];
        }
        if (!closed) throw new MagicError(`unterminated ${q} quote`);
        continue;
      }
      if (c === "[" || c === "{") depth++;
      if ((c === "]" || c === "}") && depth > 0) depth--;
      word += c;
      i++;
    }
    out.push(word);
  }
  return out;
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
 * Parses argument text against the option spec. Unknown --flags and badly typed values are a
 * MagicError naming the flag and what is allowed.
 */
export function parseArgs(text: string, options: OptionSpec[], usage = ""): ParsedArgs {
  const words = tokenize(text);
  const spec = new Map(options.map((o) => [o.name, o]));
  const res: ParsedArgs = { positional: [], flags: {}, kv: [], raw: {} };
  for (const o of options) if (o.default !== undefined) res.flags[o.name] = o.default;
  const known = () => options.length ? options.map((o) => "--" + o.name.replace(/_/g, "-")).join(", ") : "none";
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w.startsWith("--") && w.length > 2) {
      let name = w.slice(2), inline: string | undefined;
      const eq = name.indexOf("=");
      if (eq >= 0) { inline = name.slice(eq + 1); name = name.slice(0, eq); }
      name = name.replace(/-/g, "_");
      let o = spec.get(name);
      if (!o && name.startsWith("no_") && spec.get(name.slice(3))?.type === "boolean") {
        res.flags[name.slice(3)] = false;
        continue;
      }
      if (!o) throw new MagicError(`unknown option ${w.split("=")[0]}; allowed: ${known()}`, usage);
      if (o.type === "boolean") {
        res.flags[name] = inline === undefined ? true : convertValue(inline) === true;
        continue;
      }
      if (o.type === "list") {
        const items: string[] = inline !== undefined ? inline.split(",") : [];
        while (inline === undefined && i + 1 < words.length && !words[i + 1].startsWith("--") && !words[i + 1].includes("=")) {
          items.push(...words[++i].split(","));
        }
        const list = items.map((s) => s.trim()).filter(Boolean);
        if (list.length === 0) throw new MagicError(`option --${o.name.replace(/_/g, "-")} needs at least one value`, usage);
        res.flags[name] = list;
        continue;
      }
      const raw = inline ?? words[++i];
      if (raw === undefined) throw new MagicError(`option --${o.name.replace(/_/g, "-")} needs a value (${o.type})`, usage);
      res.flags[name] = checkType(`--${o.name.replace(/_/g, "-")}`, convertValue(raw), o.type, usage);
      continue;
    }
    const eq = w.indexOf("=");
    if (eq > 0 && /^[A-Za-z_][\w.]*$/.test(w.slice(0, eq))) {
      let value = w.slice(eq + 1);
      // An expression written with spaces (loss=new torch.nn.MSELoss(), lr_lambda=(e) => 0.9 ** e)
      // goes on to the next option or key=value. A number, boolean or JSON value does not: a word
      // after it is a word of its own (and a misplaced one gets its magic's own error).
      while (i + 1 < words.length && typeof convertValue(value) === "string" && !isOptionOrKeyValue(words[i + 1])) value += " " + words[++i];
      res.kv.push([w.slice(0, eq), convertValue(value)]);
      res.raw[w.slice(0, eq)] = value;
      continue;
    }
    res.positional.push(w);
  }
  return res;
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
