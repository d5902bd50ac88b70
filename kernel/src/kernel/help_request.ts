/**
 * A help request (`?` / `??` before or after) on something `?` cannot look up: `1+1??`, `??`
 * alone, `x.?`. kernel.ts pages help for a name or a property path (HELP_LINE below); anything else
 * went on to TypeScript, which answered "Expression expected". This says what was wrong and what
 * `?` takes, as IPython answers "Object `1+1` not found.".
 *
 * A request is a cell whose first token is `?`/`??`, or whose last token is (at the end of its
 * last line), and which does not parse: a `?` in a comment or a string is no token, and valid
 * code (a ternary split over lines) parses.
 */
type TS = any;

/**
 * A help request on a name or a property path (a magic's `%name` too): `name?`, `name??`,
 * `?name`, `??a.b`. Group 1 is the mark before, 2 the name, 3 the mark after. The kernel pages help
 * for a cell (or a cell's last line) that matches with a mark, and is_complete calls such a cell
 * complete: one rule for both, or a console added a line where Enter should have run it.
 */
export const HELP_LINE = /^\s*(\?{1,2})?\s*(%{0,2}[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*)\s*(\?{1,2})?\s*$/;

/** HELP_LINE's match for `line` when it carries a `?`/`??` mark (a bare name is no request), else null. */
export function helpLine(line: string): RegExpExecArray | null {
  const m = HELP_LINE.exec(line);
  return m && (m[1] || m[3]) ? m : null;
}

const WHAT_IS_ALLOWED =
  "`?` and `??` look up a name or a property path (`x?`, `torch.optim.SGD??`, `?model.forward`; " +
  "`??` adds the source)";

/** The message for a help request `?` cannot answer, or null when `code` is no such request. */
export function helpRequestError(code: string, ts: TS): string | null {
  // every cell comes here: most end their scan at this test (no `?` first or last)
  if (!/^\s*\?|\?\s*$/.test(code)) return null;
  const question = new Set([ts.SyntaxKind.QuestionToken, ts.SyntaxKind.QuestionQuestionToken]);
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, /*skipTrivia*/ true, ts.LanguageVariant.Standard, code);
  const kinds: number[] = [];
  for (let k = scanner.scan(); k !== ts.SyntaxKind.EndOfFileToken; k = scanner.scan()) kinds.push(k);
  if (kinds.length === 0) return null;
  const before = question.has(kinds[0]), after = question.has(kinds[kinds.length - 1]);
  if (!before && !after) return null;
  const sf = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  if ((sf.parseDiagnostics ?? []).length === 0) return null;
  // what was to be looked up: the last line's, or the whole (one-line) cell's, without the marks
  const lines = code.trimEnd().split("\n");
  let target = after ? lines[lines.length - 1] : code;
  target = target.trim().replace(/\?+$/, "");
  if (before && (lines.length === 1 || !after)) target = target.replace(/^\s*\?+/, "");
  target = target.trim();
  if (target === "") return `Nothing to look up: ${WHAT_IS_ALLOWED}.`;
  return `Object \`${target}\` not found: ${WHAT_IS_ALLOWED}, not other code.`;
}
