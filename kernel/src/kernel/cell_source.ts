/**
 * Two things tslab's converter gets wrong about a cell's text, put right around it (engine.ts).
 *
 * 1. `export` on a declaration (`export const x = 1;`, pasted from a module) failed with
 *    "Cannot redeclare exported variable 'x'" twice, on lines the cell does not have: tslab
 *    exports every top-level name itself by appending `export { x }`. In a cell every top-level
 *    name is kept for the next cells anyway, so the keyword is blanked (spaces: every position,
 *    hence every error's line and column, stays). `export default`, `export { … }` lists and
 *    re-exports are left as they are.
 * 2. Top-level await that TypeScript parses without an error: tslab learns that a cell awaits at
 *    top level from the error TypeScript gives for `await x` outside an async function, and runs
 *    the cell in an async wrapper only then. `await (x)` (TypeScript re-parses a module's
 *    statements that use `await` as a name, and then sees an await it accepts) and `for await`
 *    give no error, so those cells ran in a plain function: "await is not defined", "Unexpected
 *    reserved word". hasTopLevelAwait finds them in the cell's syntax tree.
 */
type TS = any;

/** Functions, classes and namespaces: an `await` inside one is not the cell's. */
function isScopeBoundary(ts: TS, node: TS): boolean {
  return ts.isFunctionLike(node) || ts.isClassLike(node) || ts.isModuleDeclaration(node);
}

/** Parsed as tslab parses a cell: a module (its `export {};` line), so top-level await is await. */
function parseCell(ts: TS, src: string): TS {
  return ts.createSourceFile("cell.ts", "export {};\n" + src, ts.ScriptTarget.ES2022, /*setParentNodes*/ false, ts.ScriptKind.TS);
}
const PREFIX = "export {};\n".length;

/** Does the cell await at top level (an await expression or a `for await` outside any function or class)? */
export function hasTopLevelAwait(ts: TS, src: string): boolean {
  if (!/\bawait\b/.test(src)) return false;
  const visit = (node: TS): boolean => {
    if (isScopeBoundary(ts, node)) return false;
    if (node.kind === ts.SyntaxKind.AwaitExpression) return true;
    if (node.kind === ts.SyntaxKind.ForOfStatement && node.awaitModifier) return true;
    return ts.forEachChild(node, visit) === true;
  };
  return ts.forEachChild(parseCell(ts, src), visit) === true;
}

/** The cell with the `export` keyword of each top-level declaration replaced by spaces. */
export function withoutExportKeywords(ts: TS, src: string): string {
  if (!/\bexport\b/.test(src)) return src;
  const sf = parseCell(ts, src);
  let out = src;
  for (const st of sf.statements) {
    const mods: TS[] = st.modifiers ?? [];
    const exp = mods.find((m: TS) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exp || mods.some((m: TS) => m.kind === ts.SyntaxKind.DefaultKeyword)) continue;
    const start = exp.getStart(sf) - PREFIX;
    const end = exp.end - PREFIX;
    if (start < 0) continue;
    out = out.slice(0, start) + " ".repeat(end - start) + out.slice(end);
  }
  return out;
}
