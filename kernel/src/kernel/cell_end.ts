/**
 * Where an unfinished cell's syntax error is shown: at the end of the user's text, saying the
 * cell ends inside an open block.
 *
 * tslab type-checks a cell with a line of its own after it (`export {names}`, the cell's names),
 * so an error the parser reports at the end of the input (`function f(x: number) {` -> "'}'
 * expected.") stood on a line the user never wrote ("2:11"), and the traceback had no source line
 * to show. A half-typed cell is common in `jupyter console --simple-prompt`, which sends each line
 * as a cell. Here the error moves to the end of the user's last line (where `tsc` puts it:
 * "1:24"), and its message names the bracket left open (TypeScript's related information: the
 * `{`, `(` or `[` it expected to close), or says the cell ends inside a template literal or an
 * unfinished expression.
 */

/** What an opening token leaves open, for the message. */
const OPENED: Record<string, string> = { "'}'": "the block", "')'": "the parentheses", "']'": "the brackets" };

/**
 * For a cell whose diagnostic starts at `offset`, past the end of its text (`src` trimmed): the
 * offset of that end and what to add to the message; null when the error is inside the text.
 */
export function unfinishedCell(ts: any, src: string, offset: number): { offset: number; note: string } | null {
  const end = src.replace(/\s+$/, "").length;
  if (offset < end) return null;
  const sf = ts.createSourceFile("cell.ts", src, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const diags: { start?: number; messageText: unknown; code: number; relatedInformation?: { start?: number }[] }[] = sf.parseDiagnostics ?? [];
  const atEnd = diags.find((d) => (d.start ?? 0) >= end) ?? diags[diags.length - 1];
  let note = "the cell ends before its code is complete";
  const expected = typeof atEnd?.messageText === "string" ? /^('.'|\S+) expected\.$/.exec(atEnd.messageText)?.[1] : undefined;
  const opener = atEnd?.relatedInformation?.find((r) => r.start !== undefined)?.start;
  if (atEnd?.code === UNTERMINATED_TEMPLATE) note = "the cell ends inside a template literal (`...`)";
  else if (expected && OPENED[expected] && opener !== undefined) {
    const before = src.slice(0, opener).split("\n");
    note = `the cell ends inside ${OPENED[expected]} opened at ${before.length}:${before[before.length - 1].length + 1}`;
  }
  return { offset: end, note };
}

/** TypeScript's "Unterminated template literal." */
const UNTERMINATED_TEMPLATE = 1160;
