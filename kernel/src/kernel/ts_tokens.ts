/**
 * Whether two texts are the same program for TypeScript: the leaves of their parsed trees, kind
 * and text, JSDoc left out (a scanner alone cannot tell a regular expression or a template's
 * continuation from other tokens). Layout (line breaks, indentation) does not count. Used by the
 * test-time checks of text lrlab writes instead of TypeScript's printer (engine_tslab.ts
 * checkDirect, decls_print.ts).
 */
type TS = any;

export function sameTokens(ts: TS, a: string, b: string, fileName: string): boolean {
  if (a === b) return true;
  const kind = fileName.endsWith(".js") ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const tokens = (text: string): string[] => {
    const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, /*setParentNodes*/ true, kind);
    const out: string[] = [];
    const walk = (n: TS): void => {
      if (n.kind >= ts.SyntaxKind.FirstJSDocNode && n.kind <= ts.SyntaxKind.LastJSDocNode) return;
      const kids: TS[] = n.getChildren(sf);
      if (kids.length === 0) {
        if (n.kind !== ts.SyntaxKind.EndOfFileToken) out.push(`${n.kind}:${n.getText(sf)}`);
      } else for (const k of kids) walk(k);
    };
    walk(sf);
    return out;
  };
  const x = tokens(a), y = tokens(b);
  return x.length === y.length && x.every((t, i) => t === y[i]);
}
