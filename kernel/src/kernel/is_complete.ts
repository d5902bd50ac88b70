/**
 * is_complete for a console: "complete" (run it), "incomplete" with the indent of the next line
 * (an open block, call or string awaits more), or "invalid" (a syntax error more input cannot
 * fix). Incomplete comes from tslab's isCompleteCode (the parser's "X expected" at end of input);
 * a cell it calls complete is then parsed again and any syntax error makes it invalid.
 */
import * as path from "node:path";

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
  if (/^\s*%%/.test(code)) return { status: "complete" };
  // Line magics are not TypeScript: blank them out before parsing.
  const src = code.split("\n").map((l) => (/^\s*%/.test(l) ? "" : l)).join("\n");
  if (src.trim() === "") return { status: "complete" };
  const { ts, isCompleteCode } = load();
  const r = isCompleteCode(src);
  if (!r.completed) return { status: "incomplete", indent: r.indent ?? "" };
  const sf = ts.createSourceFile("cell.ts", src, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const diags: unknown[] = sf.parseDiagnostics ?? [];
  return diags.length > 0 ? { status: "invalid" } : { status: "complete" };
}
