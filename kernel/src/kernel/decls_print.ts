/**
 * What tslab's `remainingDecls` prints: the previous cells' declarations that the new cell leaves
 * standing, which become (after the cell's own) the declarations of every later cell.
 *
 * tslab filters the statements of the declarations file in place and prints the whole file with
 * TypeScript's printer: every cell reprints every declaration made so far (7.6 ms per cell after
 * 1000 declared names). A statement tslab keeps whole is already written in the file's text, so
 * it is copied from there; only a statement tslab changed (a `declare const a, b;` or an import
 * losing some of its names) sends the file through the printer as before. The copy keeps the
 * layout the declaration emitter gave (`readonly [1, 2]` stays on one line, where stock tslab's
 * reprint spreads it over four); the declarations are the same. Afterwards the file's statements
 * are put back as they were, so that the parsed file stays a faithful parse of its text and the
 * next program can reuse it when the text is the same (engine_tslab.ts `reusingDeclarations`).
 *
 * Wired by patches to tslab's converter.js (engine_tslab.ts `CONVERTER_PATCHES`): `snapshot` at the
 * start of remainingDecls, `print` in place of its `printer.printFile(declsSF)`. Under npm test
 * (LRLAB_CHECK_DECLS_PRINT=1) every text written here is compared with the printer's, token by
 * token (ts_tokens.ts).
 */
import { sameTokens } from "./ts_tokens";

type TS = any;

interface Snapshot {
  statements: TS;
  /** var statements: their declarations; imports: their clause's parts. */
  parts: Map<TS, { declarations?: TS; name?: TS; namedBindings?: TS; elements?: TS }>;
}

/** Files whose statements tslab may have changed and that were not put back (an error in between). */
export const changed = new WeakSet<object>();

export function snapshot(ts: TS, sf: TS): Snapshot {
  changed.add(sf);
  const parts: Snapshot["parts"] = new Map();
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st)) parts.set(st, { declarations: st.declarationList.declarations });
    else if (ts.isImportDeclaration(st) && st.importClause) {
      const c = st.importClause;
      parts.set(st, { name: c.name, namedBindings: c.namedBindings, elements: c.namedBindings?.elements });
    }
  }
  return { statements: sf.statements, parts };
}

/** Whether tslab left statement `st` as it was parsed. */
function whole(st: TS, snap: Snapshot): boolean {
  const p = snap.parts.get(st);
  if (p === undefined) return true;
  // tslab puts the names it keeps in new arrays, all of them or not
  const same = (now: TS, was: TS) => now === was || (now !== undefined && was !== undefined && now.length === was.length && now.every((x: TS, i: number) => x === was[i]));
  if (p.declarations !== undefined) return same(st.declarationList.declarations, p.declarations);
  const c = st.importClause;
  return c.name === p.name && c.namedBindings === p.namedBindings && same(c.namedBindings?.elements, p.elements);
}

function restore(sf: TS, snap: Snapshot): void {
  changed.delete(sf);
  sf.statements = snap.statements;
  for (const [st, p] of snap.parts) {
    if (p.declarations !== undefined) { st.declarationList.declarations = p.declarations; continue; }
    const c = st.importClause;
    if (p.name === undefined) delete c.name; else c.name = p.name;
    if (p.namedBindings === undefined) delete c.namedBindings;
    else {
      c.namedBindings = p.namedBindings;
      if (p.elements !== undefined) p.namedBindings.elements = p.elements;
    }
  }
}

/**
 * The text of `sf`'s statements as tslab left them, one per line as the printer writes them: a
 * whole statement whose text stands on lines of its own is copied; otherwise the printer prints.
 */
export function print(ts: TS, printer: TS, sf: TS, snap: Snapshot): string {
  try {
    const text: string = sf.text;
    const pieces: string[] = [];
    let copied = sf.statements.length > 0;
    for (const st of sf.statements) {
      // on a line of its own: nothing between the previous line's end and it, a line end after it
      const start = st.pos + (text[st.pos] === "\n" ? 1 : 0);
      if (!whole(st, snap) || ts.skipTrivia(text, st.pos) !== start || (st.end < text.length && text[st.end] !== "\n")) {
        copied = false;
        break;
      }
      pieces.push(text.slice(start, st.end));
    }
    const out = copied ? pieces.join("\n") + "\n" : printer.printFile(sf);
    if (copied && process.env.LRLAB_CHECK_DECLS_PRINT === "1") {
      // The same declarations; the layout may differ (the printer lays out again what the
      // declaration emitter kept on one line, e.g. `readonly [1, 2]`).
      const printed = printer.printFile(sf);
      if (!sameTokens(ts, out, printed, "check.d.ts")) {
        throw new Error(`lrlab internal error: declarations copied from their text differ from TypeScript's printer's (decls_print.ts).\n--- copied ---\n${out}--- printed ---\n${printed}`);
      }
    }
    return out;
  } finally {
    restore(sf, snap);
  }
}
