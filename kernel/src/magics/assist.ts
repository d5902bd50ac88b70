/**
 * Tab completion and Shift-Tab help in cells with magics.
 *
 * - On a magic line (`%lr_schedule Step|`, `%%lr_trace --met|`): the magic's options, and what
 *   the magic says its words may be (`complete` on the Magic: scheduler names, their keyword
 *   arguments, rules, run names, metric names after `--metrics a,`).
 * - Elsewhere: TypeScript's completion and quick info on the cell's code as the kernel runs it:
 *   magic lines blanked (offsets kept), `%timeit`'s statement kept, and in a `%%lr_trace` cell
 *   the `_lr_trace` it declares. (The whole cell used to go to TypeScript as is, so a `%%` line
 *   completed TypeScript's globals, and Shift-Tab anywhere in a magic cell showed the magic's help.)
 */
import type { Magic } from "./types";
import { CodeLines } from "./code_lines";
import { findMagic } from "./registry";
import { convertValue, isOptionOrKeyValue } from "./parser";

/** A magic line around a position: the magic, its text after the name, and where the word being typed starts. */
export interface MagicLineAt {
  magic: Magic;
  /** The completed words between the magic's name and the word at the cursor. */
  words: string[];
  /** The word at the cursor, up to the cursor. */
  word: string;
  /** Index (in the cell) where `word` starts. */
  wordStart: number;
}

const LINE = /^(\s*)(%{1,2})([A-Za-z_]\w*)/;

function lineBounds(code: string, pos: number): [number, number] {
  const start = code.lastIndexOf("\n", pos - 1) + 1;
  const nl = code.indexOf("\n", pos);
  return [start, nl < 0 ? code.length : nl];
}

/** The magic a LINE match names (null: none by that name and kind). */
function magicOf(m: RegExpExecArray): Magic | null {
  try {
    return findMagic(m[3], m[2] === "%%" ? "cell" : "line");
  } catch {
    return null;
  }
}

/** Whether line `[start, end)` is the cell's `%%` line (its first non-blank line) or a `%` line. */
function magicOn(code: string, start: number, end: number): RegExpExecArray | null {
  const m = LINE.exec(code.slice(start, end));
  if (!m) return null;
  if (m[2] === "%%" && code.slice(0, start).trim() !== "") return null;
  return m;
}

/**
 * The magic line the cursor is on, past the magic's name (null: not on one, on the name itself,
 * an unknown magic, or in the code of a magic whose arguments are code, as `%timeit`'s
 * statement; its own options, before the code, are the magic's: `%timeit -<Tab>`).
 */
export function magicLineAt(code: string, pos: number): MagicLineAt | null {
  const [start, end] = lineBounds(code, pos);
  const m = magicOn(code, start, end);
  if (!m) return null;
  const nameEnd = start + m[0].length;
  if (pos <= nameEnd) return null;
  const magic = magicOf(m);
  if (magic === null) return null;
  const before = code.slice(nameEnd, pos);
  const wordStart = pos - (/\S*$/.exec(before)?.[0].length ?? 0);
  if (magic.raw && !inRawOptions(magic, code.slice(nameEnd, wordStart), code.slice(wordStart, pos))) return null;
  const words = code.slice(nameEnd, wordStart).trim().split(/\s+/).filter(Boolean);
  return { magic, words, word: code.slice(wordStart, pos), wordStart };
}

/**
 * Whether `word`, after `before` on a raw magic's line, is one of the magic's options or an
 * option's value being typed: only options come before it, and it starts with "-" (`%timeit -`)
 * or a value there would still be options (`%timeit -n `). Tab there offered TypeScript's ~190
 * globals.
 */
function inRawOptions(magic: Magic, before: string, word: string): boolean {
  const codeStart = magic.codeStart;
  if (magic.options.length === 0 || codeStart === undefined) return false;
  return (word.startsWith("-") && codeStart(before) === before.length) || codeStart(before + "0") === before.length + 1;
}

/**
 * The TypeScript expression of a `key=value` the cursor is in, on a magic line
 * (`%lr_find loss=new torch.nn.MSE|`, `lr_lambda=(e) => Math.|`): where its text starts in the
 * cell and where it ends (the next option or key=value, as parser.ts reads it, or the line's end).
 * Null when the cursor is elsewhere, or the value so far is a bare name or nothing (the magic
 * offers those: the user's variables, option values).
 */
export function expressionAt(code: string, pos: number): { start: number; end: number } | null {
  const [lineStart, lineEnd] = lineBounds(code, pos);
  const m = magicOn(code, lineStart, lineEnd);
  if (!m) return null;
  const nameEnd = lineStart + m[0].length;
  const magic = magicOf(m);
  if (pos <= nameEnd || magic === null || magic.raw) return null;
  const text = code.slice(0, lineEnd);
  const words: { text: string; start: number }[] = [];
  const re = /\S+/g;
  re.lastIndex = nameEnd;
  for (let w: RegExpExecArray | null; (w = re.exec(text)) !== null;) words.push({ text: w[0], start: w.index });
  // the last option or key=value that starts before the cursor
  let i = -1;
  for (let j = 0; j < words.length && words[j].start < pos; j++) if (isOptionOrKeyValue(words[j].text)) i = j;
  if (i < 0 || words[i].text.startsWith("--")) return null;
  const word = words[i];
  const start = word.start + word.text.indexOf("=") + 1;
  // a number, boolean or JSON value ends at its word (parser.ts)
  if (pos < start || (pos > word.start + word.text.length && typeof convertValue(word.text.slice(start - word.start)) !== "string")) return null;
  // What precedes the name being typed decides. Nothing: the value is a bare name, which the
  // magic completes (the user's variables). A finished expression and a space: a new word, the
  // magic's too (`loss=new torch.nn.MSELoss() da|` -> data=). Anything else, or an operator or
  // keyword that wants an operand (`new Lin|`, `(e) => e|`, `f(a, b|`): TypeScript's.
  const typed = code.slice(start, pos);
  const before = typed.slice(0, typed.length - (/[A-Za-z_$][\w$]*$/.exec(typed)?.[0].length ?? 0));
  if (before === "") return null;
  if (/\s$/.test(before) && !WANTS_OPERAND.test(before)) return null;
  // `data=loader --<Tab>`, `-<Tab>`: an option being started, after a finished expression, is the
  // magic's (it was taken for a minus, and TypeScript offered its globals)
  const option = /(^|\s)(-{1,2}[\w-]*)$/.exec(typed);
  if (option && !WANTS_OPERAND.test(typed.slice(0, typed.length - option[2].length))) return null;
  const next = words.slice(i + 1).find((w) => w.start >= pos && isOptionOrKeyValue(w.text));
  return { start, end: next ? text.slice(0, next.start).trimEnd().length : lineEnd };
}

/** Text that ends wanting an operand (`new `, `=> `, `f(a, `): a name typed after it is code. */
const WANTS_OPERAND = /(\bnew|\btypeof|\bawait|=>|[([{,=+\-*/%&|^!?:<>])\s*$/;

/**
 * The magic whose line the cursor is on (its name included), with its prefix ("%%time", "%time",
 * for findMagic): Shift-Tab shows its help. Null off magic lines, and in the code of a magic whose
 * arguments are code (`%timeit net.forw|`: that code's docs, as in a `%%time` body; it showed
 * %timeit's help).
 */
export function magicNameAt(code: string, pos: number): string | null {
  const [start, end] = lineBounds(code, pos);
  const m = magicOn(code, start, end);
  if (!m) return null;
  const magic = magicOf(m);
  const nameEnd = start + m[0].length;
  if (magic?.raw && magic.codeStart && pos > nameEnd) {
    const rest = code.slice(nameEnd, end);
    if (pos > nameEnd + magic.codeStart(rest)) return null;
  }
  return m[2] + m[3];
}

/**
 * For Shift-Tab on a magic line: the expression whose docs the word at the cursor stands for
 * (the magic's `inspectWord`: `%lr_schedule OneCycleLR` → the scheduler's class), or null (the
 * magic's help then). The word is the whole one around the cursor, or the one ending at it.
 */
export function magicWordDocs(code: string, pos: number): string | null {
  const [start, end] = lineBounds(code, pos);
  const m = magicOn(code, start, end);
  if (!m) return null;
  const magic = magicOf(m);
  const nameEnd = start + m[0].length;
  if (!magic?.inspectWord || pos <= nameEnd) return null;
  const line = code.slice(nameEnd, end), at = pos - nameEnd;
  const re = /\S+/g;
  for (let w: RegExpExecArray | null, index = 0; (w = re.exec(line)) !== null; index++) {
    if (w.index <= at && at <= w.index + w[0].length) return magic.inspectWord(w[0], index);
  }
  return null;
}

const flag = (name: string) => `--${name.replace(/_/g, "-")}`;

/** The option a word names: `--name`, or `-n` for an option with that short form. */
function optionNamed(magic: Magic, word: string) {
  return magic.options.find((o) => flag(o.name) === word || (o.short !== undefined && word === `-${o.short}`));
}

/** A magic line's completions: where they start, the matches, and each match's kind. */
export interface MagicCompletions {
  start: number;
  matches: string[];
  /**
   * Each match's kind, for the reply's `_jupyter_types_experimental` (JupyterLab shows it beside
   * the match, as for TypeScript's): "param" (a scheduler's `step_size=`), "option" (`--steps`),
   * "instance" (a variable of the user's), "class" (a scheduler's name), "value" (an option's value).
   * The reply had none (metadata {}), unlike every other completion of the kernel's.
   */
  types: string[];
}

/** The kind of a magic line's match (see MagicCompletions.types). */
function matchKind(magic: Magic, match: string, isUser: (name: string) => boolean): string {
  if (match.startsWith("-")) return "option";
  if (/^[A-Za-z_]\w*=$/.test(match)) return "param";
  if (magic.inspectWord?.(match, 0)) return "class";
  if (isUser(match)) return "instance";
  return "value";
}

/**
 * Completions for the word at the cursor on a magic line, and where they start (they may replace
 * only the part after `=` or after the last comma of a list).
 */
export function completeMagicLine(at: MagicLineAt, user: () => [string, unknown][]): MagicCompletions {
  const { magic, words, word, wordStart } = at;
  // names starting with "_" (the last %%lr_trace cell's _lr_trace) only once "_" is typed, as
  // TypeScript's completion here and IPython's do
  const pick = (start: number, typed: string, all: readonly string[]): MagicCompletions => {
    const matches = [...new Set(all)].filter((c) => c.startsWith(typed) && (typed.startsWith("_") || !c.startsWith("_")));
    let names: Set<string> | undefined;
    const isUser = (c: string) => (names ??= new Set(user().map(([n]) => n))).has(c);
    return { start, matches, types: matches.map((c) => matchKind(magic, c, isUser)) };
  };
  // --option=value, or the word after --option
  const eq = /^(--[\w-]+)=(.*)$/.exec(word);
  const optionName = eq ? eq[1] : word.startsWith("-") ? null : words.length > 0 && words[words.length - 1].startsWith("-") ? words[words.length - 1] : null;
  if (optionName !== null) {
    const spec = optionNamed(magic, optionName);
    if (spec && spec.type !== "boolean") {
      const typed = eq ? eq[2] : word;
      const values = spec.values?.() ?? [];
      const comma = spec.type === "list" ? typed.lastIndexOf(",") + 1 : 0;
      return pick(wordStart + (eq ? eq[1].length + 1 : 0) + comma, typed.slice(comma), values);
    }
  }
  if (word.startsWith("-")) {
    const names = magic.options.flatMap((o) => [
      ...(o.short !== undefined ? [`-${o.short}`] : []),
      ...(o.type === "boolean" && o.default === true ? [flag(o.name), flag("no_" + o.name)] : [flag(o.name)]),
    ]);
    return pick(wordStart, word, names);
  }
  const positional = words.filter((w, i) => !w.startsWith("--") && !(i > 0 && words[i - 1].startsWith("--") && !words[i - 1].includes("=")
    && optionNamed(magic, words[i - 1])?.type !== "boolean"));
  const kv = /^([A-Za-z_]\w*)=(.*)$/.exec(word);
  if (kv) {
    // the value of key=: names the user defined (a model, a loss, a loader), when the magic says so
    const values = magic.completeValue?.(kv[1], positional, user) ?? [];
    const all = values === "user" ? user().map(([k]) => k) : values;
    return pick(wordStart + kv[1].length + 1, kv[2], all);
  }
  return pick(wordStart, word, magic.complete?.(positional.filter((w) => !w.includes("=")), positional.filter((w) => w.includes("=")), user) ?? []);
}

/**
 * The cell as TypeScript should see it for completion and quick info: each magic line blanked
 * (same length, so positions are unchanged), `%timeit`'s statement kept, and the declarations a
 * cell magic gives its body (`_lr_trace`) appended.
 */
export function codeView(code: string): string {
  const lines = code.split("\n");
  let extra = "";
  let seenCode = false;
  // a `%` line in a template literal or a comment is text, inside brackets the remainder operator
  // unless it names a magic (parser.ts splitCell)
  const lexer = new CodeLines();
  const out = lines.map((line) => {
    const at = lexer.start;
    let m = at.quoted ? null : LINE.exec(line);
    if (m !== null && at.depth > 0 && magicOf(m) === null) m = null;
    if (m === null) lexer.feed(line);
    const cellLine = m !== null && m[2] === "%%" && !seenCode;
    if (line.trim() !== "") seenCode = true;
    if (!m || (m[2] === "%%" && !cellLine)) return line;
    const magic = magicOf(m);
    if (cellLine && magic?.bodyDeclarations) extra += "\n" + magic.bodyDeclarations;
    // %timeit's statement stays (after its options), as code
    if (magic?.raw && magic.codeStart) {
      const rest = line.slice(m[0].length);
      const at = magic.codeStart(rest);
      return " ".repeat(m[0].length + at) + rest.slice(at);
    }
    return " ".repeat(line.length);
  });
  return out.join("\n") + extra;
}
