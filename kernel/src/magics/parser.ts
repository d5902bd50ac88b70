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
 * JSON-looking text ([0.9, 0.999]), strings otherwise; each magic's option spec checks types. A
 * boolean option's value (`--live=false`, `three_phase=true`) is true, false, True or False only
 * (booleanValue); the `--no-flag` form takes none (`--no-live=false` is an error).
 *
 * An unknown magic, option, key or value is an error naming it, what is allowed, and the close one
 * when there is one (`closeMatches` / `didYouMean`, used by every magic: --batchsize → --batch-size,
 * new_bs= → new_batch_size=, %lr_scal → %lr_scale).
 */

import { closeMatches } from "../close_matches";
import { CodeLines } from "./code_lines";
export { closeMatches, editDistance } from "../close_matches";

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
/**
 * Whether `e` stops the cell rather than describing a bad argument: an interrupt (engine.ts
 * KeyboardInterrupt, or a script's termination by SIGINT) or a MemoryError (the heap guard). A
 * magic passes these on unchanged: wrapped as a UsageError, an interrupt that came while an
 * option's expression ran read as a wrong option (`%lr_find`, under load).
 */
export function isInterrupt(e: unknown): boolean {
  const x = e as { name?: unknown; code?: unknown } | null;
  return x?.name === "KeyboardInterrupt" || x?.name === "MemoryError" || x?.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED";
}

export function expressionError(key: string, expr: string, e: unknown, usage: string): MagicError {
  const message = String((e as Error)?.message ?? e).split("\n").map((l) => l.replace(/^\d+:\d+ - /, "")).join("; ");
  return new MagicError(`${key}=${expr}: ${message}`, usage);
}

/** For an error message, after the unknown name: " (did you mean X?)", " (did you mean X or Y?)", or "". */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const near = closeMatches(word, candidates);
  return near.length ? ` (did you mean ${near.join(" or ")}?)` : "";
}

/** `%name` of a usage line ("%lr_scale rule ..."), for messages. */
function magicNameOf(usage: string): string {
  return /^%{1,2}\w+/.exec(usage)?.[0] ?? "this magic";
}

/**
 * What a magic checks of a line beyond its options: the key=value keys it takes, and its own
 * check of the parsed line. registry.ts links each magic's option list to these, so that
 * parseArgs, which every caller gives that list, checks them as the line is parsed; and every
 * magic line of a cell is parsed before any part of it runs (run_cell.ts), so a mistyped key or
 * a bad rule runs nothing, not the code above it.
 */
export interface LineRules {
  /** The keys it takes (others are an error naming the close one); absent: the magic checks its keys. */
  keys?: readonly string[];
  /** Keys that depend on the positional words so far (types.ts Magic.keysOf). */
  keysOf?: (positional: readonly string[]) => readonly string[];
  check?: (args: ParsedArgs, usage: string) => void;
}

const lineRules = new WeakMap<readonly OptionSpec[], LineRules>();

export function setLineRules(options: readonly OptionSpec[], rules: LineRules): void {
  lineRules.set(options, rules);
}

/**
 * A MagicError for key=value keys not in `keys`, naming the first, the close key or option
 * (`num_iter=` → --num-iter) and the keys there are.
 */
export function checkKeys(args: ParsedArgs, keys: readonly string[], options: readonly OptionSpec[], usage = ""): void {
  for (const [k] of args.kv) {
    if (keys.includes(k)) continue;
    const name = magicNameOf(usage);
    const near = didYouMean(k, [...keys.map((x) => x + "="), ...options.map((o) => flagName(o.name))]);
    throw new MagicError(`unknown key ${k}=${near}; ${keys.length ? `${name} takes ${keys.map((x) => x + "=").join(", ")}` : `${name} takes no key=value`}`, usage);
  }
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
  /**
   * The values it takes (for a list: each item): Tab offers them, and parseArgs rejects any other,
   * naming the close one (`--step-mode expo` → did you mean exp?).
   */
  values?: () => readonly string[];
  /** The message for a value not in `values` (`suggestion` is didYouMean's, maybe ""), instead of the parser's. */
  invalid?: (value: string, suggestion: string) => string;
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
  const known = () => options.map((o) => (o.short ? `-${o.short}/` : "") + flagName(o.name)).join(", ");
  const rules = lineRules.get(options);
  const keys = rules?.keys ?? [];
  // an unknown --option (or -option): the close option, or the key it may have meant (--batch-size → batch_size=)
  const unknownOption = (written: string) => {
    // argparse's habit: the help is the line's name with a ? (IPython's way), or Shift-Tab on it
    if (written === "--help" || written === "-h") {
      return new MagicError(`${written}: a magic's help is ${magicNameOf(usage)}? (a cell of that alone), or Shift-Tab on its line`, usage);
    }
    // `--step_size 10` on %lr_schedule StepLR: the scheduler's own argument, written as an option
    const asKey = written.replace(/^-+/, "").replace(/-/g, "_");
    if (res.positional.length > 0 && (rules?.keysOf?.(res.positional) ?? []).includes(asKey)) {
      return new MagicError(`unknown option ${written}: ${asKey} is ${res.positional[0]}'s own argument, written key=value (${asKey}=<value>); `
        + `the --options are the magic's: ${known()}`, usage);
    }
    const names = options.flatMap((o) => [flagName(o.name), ...(o.type === "boolean" && o.default === true ? [flagName("no_" + o.name)] : [])]);
    const near = didYouMean(written, [...names, ...keys.map((k) => k + "=")]);
    const takes = options.length ? `allowed: ${known()}`
      : `${magicNameOf(usage)} takes no options${keys.length ? `, only key=value: ${keys.map((k) => k + "=").join(", ")}` : ""}`;
    return new MagicError(`unknown option ${written}${near}; ${takes}`, usage);
  };
  // a value an option does not take (its `values`), with the close one
  const checkValue = (o: OptionSpec, v: string) => {
    const valid = o.values?.();
    if (valid === undefined || valid.includes(v)) return;
    const near = didYouMean(v, valid);
    const what = (o.type === "list" ? o.name.replace(/s$/, "") : o.name).replace(/_/g, " "); // --metrics a,b: "unknown metric"
    throw new MagicError(o.invalid ? o.invalid(v, near) : `unknown ${what} ${JSON.stringify(v)}${near}; valid: ${valid.join(", ")}`, usage);
  };
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
    // `-num-iter`, `-x`: an option misspelt (a magic with neither options nor keys reads it itself: %reset -f)
    else if (short && (options.length || keys.length)) throw unknownOption(w.split("=")[0]);
    if (w.startsWith("--") && w.length > 2) {
      let name = w.slice(2), inline: string | undefined;
      const eq = name.indexOf("=");
      if (eq >= 0) { inline = unquote(name.slice(eq + 1)); name = name.slice(0, eq); }
      name = name.replace(/-/g, "_");
      const o = spec.get(name);
      if (!o && name.startsWith("no_") && spec.get(name.slice(3))?.type === "boolean") {
        // `--no-live=false`: a value on the negated form was dropped (it read as --no-live); as
        // argparse's --no-flag, it takes none (the value goes on the flag itself: --live=false)
        if (inline !== undefined) {
          const base = flagName(name.slice(3));
          throw new MagicError(`${flagName(name)} takes no value, got ${words[i]}: write ${flagName(name)} alone, or ${base}=true / ${base}=false`, usage);
        }
        once(flagName(name.slice(3)), words[i]);
        res.flags[name.slice(3)] = false;
        continue;
      }
      if (!o) throw unknownOption(words[i].split("=")[0]);
      const written = words[i];
      if (o.type === "boolean") {
        once(flagName(o.name), written);
        res.flags[name] = inline === undefined ? true : booleanValue(flagName(o.name), convertValue(inline), usage);
        continue;
      }
      if (o.type === "list") {
        const items: string[] = inline !== undefined ? inline.split(",") : [];
        while (inline === undefined && i + 1 < words.length && !words[i + 1].startsWith("--") && !words[i + 1].includes("=")) {
          items.push(...unquote(words[++i]).split(","));
        }
        const list = items.map((s) => s.trim()).filter(Boolean);
        if (list.length === 0) throw new MagicError(`option ${flagName(o.name)} needs at least one value`, usage);
        for (const v of list) checkValue(o, v);
        once(flagName(o.name), inline !== undefined ? written : `${written} ${list.join(",")}`);
        res.flags[name] = list;
        continue;
      }
      const raw = inline ?? (i + 1 < words.length ? unquote(words[++i]) : undefined);
      // named as written: `-n abc` is "-n/--number must be an integer" (it said --number alone)
      const as = shortSpec && o === shortSpec ? `-${o.short}/${flagName(o.name)}` : flagName(o.name);
      if (raw === undefined) throw new MagicError(`option ${as} needs a value (${o.type})`, usage);
      once(flagName(o.name), inline !== undefined ? written : `${written} ${raw}`);
      res.flags[name] = checkType(as, convertValue(raw), o.type, usage);
      if (typeof res.flags[name] === "string") checkValue(o, res.flags[name] as string);
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
    // `step_size = 5`, `step_size =5` (Python's spacing of a call's keywords): a key=value
    // written with spaces around the =, which otherwise read as words ("step_size", "=", "5")
    // and failed later with a message about a bare word
    const next = words[i + 1];
    if (next !== undefined && /^[A-Za-z_]\w*$/.test(w) && /^=(?![=>])/.test(next) && (options.length || keys.length)) {
      const value = next.length > 1 ? next.slice(1) : words[i + 2] ?? "<value>";
      throw new MagicError(`${w} ${next}${next.length > 1 ? "" : ` ${value}`}: write ${w}=${value}, with no spaces around the =`, usage);
    }
    res.positional.push(unquote(w));
  }
  if (rules?.keys) checkKeys(res, rules.keys, options, usage);
  rules?.check?.(res, usage);
  return res;
}

/**
 * A boolean written as a value (`--live=false`, a scheduler's `three_phase=true`): true/false or
 * True/False (convertValue's booleans), else a MagicError naming what was written. Any other word
 * used to be taken silently (`--live=yes` was false, `cycle_momentum=no` true). 1 and 0 are refused
 * too: a cell's options object would not take them (`{ three_phase: 0 }` is a type error), and one
 * spelling per value keeps `three_phase=0` from reading as either.
 */
export function booleanValue(what: string, v: MagicValue, usage = ""): boolean {
  if (typeof v === "boolean") return v;
  throw new MagicError(`${what} must be true or false, got ${JSON.stringify(v)}`, usage);
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
  // a number as written (JSON.stringify wrote Infinity and NaN as null: "--steps must be an integer, got null")
  const shown = typeof v === "number" ? String(v) : JSON.stringify(v);
  const bad = (want: string) => new MagicError(`${what} must be ${want}, got ${shown}`, usage);
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
 *
 * A `%` line inside a template literal or a block comment is text (code_lines.ts), and so is one
 * inside brackets unless `isMagic` knows its name: that is the remainder operator continuing an
 * expression (`a\n  % b`); a magic's name there is an error that says where magics go (IPython
 * runs a magic inside a function body; lrlab's run when the cell runs, not when the function does).
 */
export function splitCell(src: string, isMagic: (name: string) => boolean = () => false): CellPart[] {
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
  const lexer = new CodeLines();
  lines.forEach((l, i) => {
    const at = lexer.start;
    // `%%name` below the first line: TypeScript would read it as code ("Expression expected",
    // "Cannot find name 'lr_trace'", one error per word of its options)
    const cellMagic = at.quoted ? null : /^\s*%%([A-Za-z_]\w*)/.exec(l);
    if (cellMagic) {
      throw new MagicError(`line ${i + 1}: %%${cellMagic[1]} is a cell magic: it goes on the first line of its cell, the code on the lines below it (as in IPython); code above it goes in a cell of its own`);
    }
    const m = at.quoted || !/^\s*%/.test(l) ? null : MAGIC_LINE.exec(l.trim());
    if (m !== null && at.depth > 0 && isMagic(m[1])) {
      throw new MagicError(`line ${i + 1}: %${m[1]} inside a block ({...}, (...) or [...] opened above it): a line magic goes at the top level of its cell, `
        + "on a line of its own; it runs when the cell runs, so it cannot run inside a function, a loop or an expression (IPython's can)");
    }
    if (m !== null && at.depth === 0) {
      flushCode();
      parts.push({ kind: "line", name: m[1], help: !!m[2], args: (m[3] ?? "").trim(), line: i + 1 });
      codeStart = i + 1;
      return;
    }
    if (code.length === 0) codeStart = i;
    code.push(l);
    lexer.feed(l);
  });
  flushCode();
  return parts;
}

/** Whether a cell uses magics at all (plain code goes straight to the engine). */
export function hasMagic(src: string): boolean {
  return /^\s*%/m.test(src);
}
