/**
 * Fallback documentation for Shift-Tab and `expr?`: when a library symbol has no doc comment of
 * its own, show the doc comment at the top of the file that declares it. The library documents
 * one class or function per file that way (e.g. optim/adam.ts opens with Adam's update rule), and
 * TypeScript's quick info only reads comments attached to the declaration itself.
 *
 * How: the dotted name at the cursor (`torch.optim.Adam`) is resolved from the prelude root it
 * starts with (`torch` → dist/index.d.ts, `lrlab` → dist/tools.d.ts), following re-exports, with
 * the checker of the cells' latest program (which holds the package's declarations: the prelude
 * imports them), else of a program over the package's declarations built here once (0.6 s: every
 * file parsed and bound again); the declaring file's leading JSDoc block is returned when it exists.
 */
import * as path from "node:path";
import { latestProgram } from "./engine_tslab";

const tslabDir = path.dirname(require.resolve("tslab/package.json"));
/** tslab's TypeScript, loaded on first use (not at kernel start). */
let tsModule: any = null;
const tsLib = (): any => (tsModule ??= require(require.resolve("@tslab/typescript-for-tslab", { paths: [tslabDir] })));

const ROOTS: Record<string, string> = { torch: "index.d.ts", lrlab: "tools.d.ts" };
const programs = new Map<string, any>();

/** The dotted identifier path around `pos` in `src` (e.g. "torch.optim.Adam"), or null. */
export function dottedNameAt(src: string, pos: number): string | null {
  let a = pos, b = pos;
  while (a > 0 && /[\w$.]/.test(src[a - 1])) a--;
  while (b < src.length && /[\w$]/.test(src[b])) b++;
  const name = src.slice(a, b).replace(/^\.+|\.+$/g, "");
  return /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(name) ? name : null;
}

function leadingDoc(sf: any): string | null {
  const text: string = sf.getFullText();
  const ranges = tsLib().getLeadingCommentRanges(text, 0) ?? [];
  const r = ranges.find((c: { pos: number; end: number }) => text.startsWith("/**", c.pos));
  if (!r) return null;
  return text.slice(r.pos + 3, r.end - 2).split("\n").map((l: string) => l.replace(/^\s*\* ?/, "")).join("\n").trim();
}

/** The declaring file's header comment for `name` (a path from a prelude root), or null. */
export function moduleDoc(name: string, distDir = path.resolve(__dirname, ".."), cellProgram: any = latestProgram()): string | null {
  const [root, ...rest] = name.split(".");
  const file = ROOTS[root];
  if (!file || rest.length === 0) return null;
  try {
    const rootFile = path.join(distDir, file);
    let program = cellProgram?.getSourceFile(rootFile) ? cellProgram : programs.get(rootFile);
    if (!program) {
      program = tsLib().createProgram([rootFile], { noEmit: true, skipLibCheck: true, types: [] });
      programs.set(rootFile, program);
    }
    const checker = program.getTypeChecker();
    const sf = program.getSourceFile(rootFile);
    let sym = sf && checker.getSymbolAtLocation(sf);
    for (const part of rest) {
      if (!sym) return null;
      if (sym.flags & tsLib().SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
      const exports = checker.getExportsOfModule(sym);
      sym = exports.find((s: any) => s.name === part);
    }
    if (!sym) return null;
    if (sym.flags & tsLib().SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
    const decl = sym.declarations?.[0];
    return decl ? leadingDoc(decl.getSourceFile()) : null;
  } catch {
    return null;
  }
}
