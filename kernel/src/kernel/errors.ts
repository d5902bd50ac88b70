/**
 * Exceptions → Jupyter `error` content: ename, evalue and a traceback that points at the user's
 * own lines. Type errors list each diagnostic as `line:col` with the source line and a caret;
 * runtime errors show the cell line that threw, then the stack with cell frames rewritten to
 * cell lines and the kernel's own frames left out.
 */
import { CellError, Engine, KeyboardInterrupt } from "./engine";
import { MagicError } from "../magics/parser";
import { cellHints } from "./ts_hints";

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

const RED = "\u001b[0;31m", RESET = "\u001b[0m";

export function errorContent(e: unknown, engine: Engine | null, source?: string): ErrorContent {
  if (e instanceof CellError) {
    const lines = (source ?? "").split("\n");
    const tb: string[] = [];
    const hints: string[] = [];
    for (const d of e.diagnostics) {
      // code 0: an error of lrlab's own check (tensor_index.ts), not a TypeScript diagnostic
      tb.push(`${RED}${d.line}:${d.column} - error ${d.code === 0 ? "lrlab" : `TS${d.code}`}: ${d.message}${RESET}`);
      const src = lines[d.line - 1];
      if (src !== undefined) tb.push(`${String(d.line).padStart(4)} | ${src}`, `     | ${" ".repeat(Math.max(0, d.column - 1))}^`);
      if (d.hint !== undefined) hints.push(d.hint);
    }
    tb.push(...cellHints(hints));
    return { ename: "TSError", evalue: e.diagnostics.map((d) => `${d.line}:${d.column} - ${d.message}`).join("; "), traceback: tb };
  }
  if (e instanceof KeyboardInterrupt) {
    return { ename: "KeyboardInterrupt", evalue: "execution interrupted", traceback: [`${RED}KeyboardInterrupt${RESET}: execution interrupted`] };
  }
  if (e instanceof MagicError) {
    const tb = [`${RED}UsageError${RESET}: ${e.message}`];
    if (e.usage) tb.push("", e.usage);
    return { ename: "UsageError", evalue: e.message, traceback: tb };
  }
  if (!(e instanceof Error) && !(typeof e === "object" && e !== null && "stack" in e)) {
    let text: string;
    try { text = typeof e === "string" ? e : JSON.stringify(e) ?? String(e); } catch { text = String(e); }
    return { ename: "Uncaught", evalue: text, traceback: [`${RED}Uncaught${RESET} ${text}`] };
  }
  const err = e as Error;
  const ename = err.name || err.constructor?.name || "Error";
  const evalue = String(err.message ?? "");
  const tb: string[] = [];
  const frames = String(err.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l));
  let pointed = false;
  const kept: string[] = [];
  for (const f of frames) {
    const m = /(<cell \d+>):(\d+):(\d+)/.exec(f);
    if (m && engine) {
      const u = engine.userLine(m[1], Number(m[2]) - 1);
      if (u) {
        if (!pointed) { tb.push(`${RED}cell line ${u.line}${RESET}: ${u.text.trim()}`); pointed = true; }
        kept.push(f.replace(/<cell \d+>:\d+:\d+/, `cell line ${u.line}`));
      }
      continue; // a cell frame with no user line is the kernel's wrapper around the cell
    }
    if (/node:vm|node:internal|\/dist\/kernel\/|\/dist\/magics\//.test(f)) continue;
    kept.push(f);
  }
  tb.push(`${RED}${ename}${RESET}: ${evalue}`, ...kept);
  return { ename, evalue, traceback: tb };
}
