/**
 * is_complete for a console: "complete" (run it), "incomplete" with the indent of the next line
 * (an open block, call or template literal awaits more), or "invalid" (a syntax error more input
 * cannot fix). Incomplete comes from tslab's isCompleteCode (the parser's "X expected" at end of
 * input) and from an unterminated template literal; a cell it calls complete is then parsed again
 * and any syntax error makes it invalid. A cell magic is complete once an empty line ends it
 * (IPython's rule).
 */
import * as path from "node:path";
import { helpLine } from "./help_request";

const tslabDir = path.dirname(require.resolve("tslab/package.json"));
const tsPackage = require.resolve("@tslab/typescript-for-tslab/package.json", { paths: [tslabDir] });
/**
 * The TypeScript version of tslab's checker, from its package.json: kernel_info reports it, and
 * loading the compiler itself (~130 ms) would delay the kernel's first answer.
 */
export const tsVersion: string = require(tsPackage).version;

/** TypeScript and tslab's isCompleteCode, loaded on the first is_complete request. */
let parser: { ts: any; isCompleteCode(src: string): { completed: boolean; indent?: string } } | null = null;
function load(): NonNullable<typeof parser> {
  return (parser ??= {
    ts: require(path.dirname(tsPackage)),
    isCompleteCode: require("tslab/dist/converter").isCompleteCode,
  });
}

export function isCompleteCell(code: string): { status: "complete" | "incomplete" | "invalid"; indent?: string } {
  const lines = code.replace(/\n$/, "").split("\n");
  const first = lines.findIndex((l) => l.trim() !== "");
  if (first >= 0 && /^\s*%%/.test(lines[first])) {
    // A cell magic ends with an empty line, as in IPython: its body may be any number of lines,
    // and without one the magic has nothing to run (`%%time` alone was "complete").
    if (lines.length > first + 1 && lines[lines.length - 1].trim() === "") return { status: "complete" };
    const body = lines.slice(first + 1).join("\n");
    const r = body.trim() === "" ? null : codeStatus(body);
    return { status: "incomplete", indent: r?.status === "incomplete" ? r.indent : "" };
  }
  return codeStatus(code);
}

/** Code with line magics: incomplete, invalid or complete as TypeScript. */
function codeStatus(code: string): { status: "complete" | "incomplete" | "invalid"; indent?: string } {
  // A help request (`torch?`, `??a.b`) runs as the kernel runs it (kernel.ts's runCell, same
  // rule): the whole cell, or its last line after code that is complete by itself. To the parser
  // `x?` is a ternary awaiting its branches ("incomplete"): a console added a line instead of
  // running it. After an open block (`if (c) {\n q?`) the cell as a whole decides.
  const lines = code.replace(/\s+$/, "").split("\n");
  const last = lines.length - 1;
  if (helpLine(code)) return { status: "complete" };
  if (last > 0 && helpLine(lines[last]) && codeStatus(lines.slice(0, last).join("\n")).status === "complete") return { status: "complete" };
  // Line magics are not TypeScript: blank them out before parsing.
  const src = code.split("\n").map((l) => (/^\s*%/.test(l) ? "" : l)).join("\n");
  if (src.trim() === "") return { status: "complete" };
  const { ts, isCompleteCode } = load();
  const r = isCompleteCode(src);
  if (!r.completed) return { status: "incomplete", indent: afterCloser(src, indentAfter(src, r.indent ?? "")) };
  const sf = ts.createSourceFile("cell.ts", src, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const diags: { code: number }[] = sf.parseDiagnostics ?? [];
  // An unterminated template literal may go on over lines: more input completes it (it was
  // "invalid"). Its next line starts where the user puts it: any indent would be in the string.
  if (diags.some((d) => d.code === UNTERMINATED_TEMPLATE)) return { status: "incomplete", indent: "" };
  return diags.length > 0 ? { status: "invalid" } : { status: "complete" };
}

/** TypeScript's "Unterminated template literal." */
const UNTERMINATED_TEMPLATE = 1160;

/**
 * The next line's indent when the code ends with a newline (`for (...) {\n`: a console's
 * continuation): tslab reads the indent from the last line, which is then empty (indent "", while
 * `function f() {` without the newline got "  "). Read from the line the newline ends instead.
 */
function indentAfter(src: string, indent: string): string {
  if (!src.endsWith("\n")) return indent;
  const r = load().isCompleteCode(src.slice(0, -1));
  return r.completed ? indent : r.indent ?? indent;
}

/**
 * After a line that starts by closing a block (`  }` ending a method inside a class), the next
 * line stays at that line's indent: the user already put the closer at the enclosing block's
 * level. tslab's indentOnEnter takes two more spaces off it, VS Code's rule for the line being
 * typed, not for the line after it (`class A {\n  m() {\n    return 1;\n  }` gave "", not "  ";
 * `} else {` gave "", not "  ").
 */
function afterCloser(src: string, indent: string): string {
  const line = src.replace(/\n$/, "").match(/[^\n]*$/)![0];
  if (!/^\s*[}\]]/.test(line)) return indent;
  const own = /^\s*/.exec(line)![0];
  // `} else {`, `}, {`: the line opens a block again (tslab's own rule for an opening line)
  return /^((?!\/\/).)*(\{[^}"'`]*|\([^)"'`]*|\[[^\]"'`]*)$/.test(line) ? own + "  " : own;
}
