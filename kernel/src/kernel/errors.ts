/**
 * Exceptions → Jupyter `error` content: ename, evalue and a traceback that points at the user's
 * own lines. Type errors list each diagnostic as `line:col` with the source line and a caret;
 * runtime errors show the cell line that threw, then the stack with cell frames rewritten to
 * cell lines and the kernel's own frames left out.
 */
import * as path from "node:path";
import { inspect } from "node:util";
import { CellError, Engine, KeyboardInterrupt } from "./engine";
import { MagicError } from "../magics/parser";
import { MemoryError } from "./heap_limit";
import { cellHints, runtimeHint } from "./ts_hints";

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

const RED = "\u001b[0;31m", RESET = "\u001b[0m";
/** kernel/dist/ (this file is kernel/dist/kernel/errors.js), as stack frames write it. */
const LIBRARY_DIR = path.resolve(__dirname, "..") + path.sep;

/**
 * The error content of `e`; never throws. A thrown value whose own getters throw (a lazy `stack`
 * or `message`, a Proxy) made the formatting throw, and the kernel then sent no reply at all: the
 * frontend kept the cell running forever (a hostile tester's pass). It now gets what can be read.
 */
export function errorContent(e: unknown, engine: Engine | null, source?: string): ErrorContent {
  try {
    return contentOf(e, engine, source);
  } catch (inner) {
    const ename = tryRead(() => { const n = (e as { name?: unknown })?.name; return typeof n === "string" && n !== "" ? n : "Error"; }, "Error");
    const why = tryRead(() => String((inner as { message?: unknown })?.message ?? inner), "an error");
    const message = tryRead(() => { const m = (e as { message?: unknown })?.message; return typeof m === "string" ? m : ""; }, "");
    const evalue = `${message !== "" ? `${message} ` : ""}(the error could not be shown whole: reading it threw ${why})`;
    return { ename, evalue, traceback: [`${RED}${ename}${RESET}: ${evalue}`] };
  }
}

/** `read()`, or `fallback` when reading throws. */
function tryRead(read: () => string, fallback: string): string {
  try {
    return read();
  } catch {
    return fallback;
  }
}

function contentOf(e: unknown, engine: Engine | null, source?: string): ErrorContent {
  if (e instanceof CellError) {
    const lines = (source ?? "").split("\n");
    const tb: string[] = [];
    const hints: string[] = [];
    for (const d of e.diagnostics) {
      // code 0: an error of lrlab's own check (tensor_index.ts), not a TypeScript diagnostic
      const at = `${d.file ? `${d.file}:` : ""}${d.line}:${d.column}`;
      tb.push(`${RED}${at} - error ${d.code === 0 ? "lrlab" : `TS${d.code}`}: ${d.message}${RESET}`);
      // an overload error's chain: why each overload did not fit, as tsc prints it under the error
      for (const detail of d.details ?? []) tb.push(`  ${detail}`);
      // an imported module's error shows that module's line, not the cell's line of that number
      const src = d.file ? d.text : lines[d.line - 1];
      if (src !== undefined) tb.push(`${String(d.line).padStart(4)} | ${src}`, `     | ${" ".repeat(Math.max(0, d.column - 1))}^`);
      if (d.hint !== undefined) hints.push(d.hint);
    }
    tb.push(...cellHints(hints));
    return { ename: "TSError", evalue: e.diagnostics.map((d) => `${d.file ? `${d.file}:` : ""}${d.line}:${d.column} - ${d.message}`).join("; "), traceback: tb };
  }
  if (e instanceof KeyboardInterrupt) {
    return { ename: "KeyboardInterrupt", evalue: "execution interrupted", traceback: [`${RED}KeyboardInterrupt${RESET}: execution interrupted`] };
  }
  if (e instanceof MemoryError) {
    // the kernel stopped the cell (heap_limit.ts): where it stood says nothing more
    return { ename: "MemoryError", evalue: e.message, traceback: [`${RED}MemoryError${RESET}: ${e.message}`] };
  }
  if (e instanceof MagicError) {
    const tb = [`${RED}UsageError${RESET}: ${e.message}`];
    if (e.usage) tb.push("", e.usage);
    return { ename: "UsageError", evalue: e.message, traceback: tb };
  }
  if (!(e instanceof Error) && !(typeof e === "object" && e !== null && "stack" in e)) {
    // As Node's REPL shows a thrown value: `throw 42n` is "Uncaught 42n", not "42".
    const text = typeof e === "string" ? e : inspect(e, { depth: 2, breakLength: Infinity });
    return { ename: "Uncaught", evalue: text, traceback: [`${RED}Uncaught${RESET} ${text}`] };
  }
  const err = e as Error;
  const { ename, evalue } = nameAndValue(err);
  const { pointed, frames } = userFrames(err, engine);
  const tb: string[] = [];
  if (pointed) tb.push(`${RED}${lineName(pointed)}${RESET}: ${pointed.text.trim()}`);
  tb.push(`${RED}${ename}${RESET}: ${evalue}`, ...frames, ...causes(err, engine));
  // what a runtime error from a habit means (a null read after trace.latest()), as type errors get
  const hint = runtimeHint(err, pointed?.text, source);
  if (hint !== null) tb.push(hint);
  return { ename, evalue, traceback: tb };
}

/**
 * An Error shown as a value (a cell's result, display(err)): its name, message and the user's
 * frames, as when it is thrown (Node's inspect showed the kernel's frames and the transpiled
 * cell's positions).
 */
export function errorText(err: Error, engine: Engine | null): string {
  const { ename, evalue } = nameAndValue(err);
  return [`${ename}: ${evalue}`, ...userFrames(err, engine).frames, ...causes(err, engine)].join("\n").replace(/\u001b\[[0-9;]*m/g, "");
}

function nameAndValue(err: Error): { ename: string; evalue: string } {
  return { ename: err.name || err.constructor?.name || "Error", evalue: String(err.message ?? "") };
}

/** A cell line as frames name it: `cell line 6` in the cell running now, `In [3] line 6` in another. */
function lineName(u: { line: number; cell: string | null }): string {
  return u.cell === null ? `cell line ${u.line}` : `${u.cell} line ${u.line}`;
}

/**
 * The stack's frames in the user's terms: cell frames as cell lines (another cell's named by its
 * prompt: a function an earlier cell defined), the kernel's own left out.
 */
function userFrames(err: Error, engine: Engine | null): { pointed: { line: number; text: string; cell: string | null } | null; frames: string[] } {
  return keptFrames(String(err.stack ?? "").split("\n").filter((l) => FRAME.test(l)), engine);
}

/** A stack's frame line, as V8 writes it (indented by Node's inspect when nested). */
const FRAME = /^\s+at /;

/** `frames` (V8's `    at ...` lines) in the user's terms: see userFrames. Each keeps its indentation. */
function keptFrames(frames: string[], engine: Engine | null): { pointed: { line: number; text: string; cell: string | null } | null; frames: string[] } {
  // Below the cell's outermost frame is whatever ran the cell (the kernel, a magic): not the user's.
  let outermost = frames.length - 1;
  while (outermost >= 0 && !/<cell \d+>:\d+:\d+/.test(frames[outermost])) outermost--;
  if (outermost >= 0) frames = frames.slice(0, outermost + 1);
  let pointed: { line: number; text: string; cell: string | null } | null = null;
  const kept: string[] = [];
  for (const f of frames) {
    const m = /(<cell \d+>):(\d+):(\d+)/.exec(f);
    if (m && engine) {
      const u = engine.userLine(m[1], Number(m[2]) - 1);
      if (u) {
        pointed ??= u;
        // a function the cell's last expression held is named after the kernel's own variable
        // for it (`exports.tsLastExpr`, %timeit's statement): not a name the user wrote
        kept.push(f.replace(/<cell \d+>:\d+:\d+/, lineName(u)).replace(/at exports\.tsLastExpr\d* \(([^()]*line \d+)\)$/, "at $1"));
      }
      continue; // a cell frame with no user line is the kernel's wrapper around the cell
    }
    if (/node:vm|node:internal|\/dist\/kernel\/|\/dist\/magics\//.test(f)) continue;
    // The library's frames by its own paths (lrlab/tensor/tensor.js:942), not this machine's
    // (/home/…/kernel/dist/tensor/tensor.js): shorter, and the same in a notebook saved anywhere.
    kept.push(f.split(LIBRARY_DIR).join("lrlab/"));
  }
  return { pointed, frames: kept };
}

/**
 * Node's inspect of a value holding errors (`{ err: new Error("x") }`, a rejected promise) with
 * each error's frames in the user's terms, as a thrown error's: cell lines, not the transpiled
 * cell's positions; the kernel's frames left out (they showed `Script.runInThisContext`, the
 * kernel's files). An error with properties of its own ends its last frame line with ` {`: kept.
 */
export function cleanStacks(text: string, engine: Engine | null): string {
  if (!/\n\s+at /.test(text)) return text;
  const lines = text.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length;) {
    if (!FRAME.test(lines[i])) { out.push(lines[i++]); continue; }
    const block: string[] = [];
    while (i < lines.length && FRAME.test(lines[i])) block.push(lines[i++]);
    const opens = / \{$/.test(block[block.length - 1]);
    const kept = keptFrames(block.map((l) => l.replace(/ \{$/, "")), engine).frames;
    out.push(...kept);
    if (opens && out.length > 0) out[out.length - 1] += " {";
  }
  return out.join("\n");
}

/**
 * What the error wraps: its `cause` chain and an AggregateError's errors (Node's inspect shows
 * both; the traceback showed neither), each as "name: message" and its user frames.
 */
function causes(err: Error, engine: Engine | null, depth = 0): string[] {
  if (depth >= 5) return [];
  const out: string[] = [];
  const describe = (label: string, c: unknown) => {
    if (c instanceof Error) {
      const { ename, evalue } = nameAndValue(c);
      out.push("", `${label}${RED}${ename}${RESET}: ${evalue}`, ...userFrames(c, engine).frames, ...causes(c, engine, depth + 1));
    } else {
      out.push("", `${label}${typeof c === "string" ? c : inspect(c, { depth: 2, breakLength: Infinity })}`);
    }
  };
  if (err instanceof AggregateError && Array.isArray(err.errors)) err.errors.slice(0, 10).forEach((c, i) => describe(`[error ${i}] `, c));
  if ("cause" in err && err.cause !== undefined) describe("Caused by: ", err.cause);
  return out;
}
