/**
 * `t[0]` on a tensor: Python's indexing. TypeScript, not strict as tslab configures it, types it
 * `any` without a word, and JavaScript answers undefined: a PyTorch user's `x[0]` showed nothing
 * and went on as undefined. After a cell type-checks, its program is searched for element
 * accesses with a number on a value typed Tensor; each becomes an error of the cell (code 0:
 * lrlab's, not TypeScript's) with a hint saying what to write.
 */
import { latestProgram, tslabTypeScript } from "./engine_tslab";
import { isLibraryTensorSymbol } from "./dts_bundle";

type TS = any;

export interface IndexError {
  start: { offset: number; line: number; character: number };
  messageText: string;
  code: number;
  category: number;
}

/** The part of the cell file before the user's text (tslab's converter: `srcPrefix`). */
const PREFIX = "export {};\n";

/** What to write instead of t[i] (shown under the error). */
export const TENSOR_INDEX_HINT = "hint: tensors have no [i] indexing in JavaScript: t.index(i) is PyTorch's t[i] "
  + "(t.index(i, \"1:3\") is t[i, 1:3], t.index(null, j) is t[:, j]); to write: t.index_put_([i, j], v) is t[i, j] = v (int64 / bool index tensors), "
  + "t.index(i, \"1:3\").copy_(v) or .fill_(v) writes through a slice, t.masked_fill_(mask, v), or t.data (the values, row-major); "
  + "t.item() is the number of a one-element tensor";

/** The `t[i]` of the cell just converted (call right after a conversion without diagnostics). */
export function tensorIndexErrors(src: string): IndexError[] {
  if (!src.includes("[")) return [];
  const ts = tslabTypeScript();
  const program = latestProgram();
  const sf = program?.getSourceFiles().find((f: TS) => /[\\/]__tslab__\.ts$/.test(f.fileName));
  if (!sf || !sf.text.startsWith(PREFIX + src)) return [];
  const checker = program.getTypeChecker();
  // lrlab's Tensor, or nn.Parameter (declared apart)
  const isTensor = (t: TS): boolean => isLibraryTensorSymbol(ts, t?.getSymbol?.());
  const out: IndexError[] = [];
  const visit = (n: TS): void => {
    if (n.kind === ts.SyntaxKind.ElementAccessExpression && n.argumentExpression
      && (checker.getTypeAtLocation(n.argumentExpression).flags & ts.TypeFlags.NumberLike) && isTensor(checker.getTypeAtLocation(n.expression))) {
      const offset = n.argumentExpression.getStart(sf) - 1 - PREFIX.length; // at the "["
      if (offset >= 0 && offset < src.length) {
        const before = src.slice(0, offset);
        const line = (before.match(/\n/g) ?? []).length;
        const expr = src.slice(n.expression.getStart(sf) - PREFIX.length, n.expression.end - PREFIX.length);
        out.push({
          start: { offset, line, character: offset - (before.lastIndexOf("\n") + 1) },
          messageText: `${expr} is a Tensor: ${expr}[i] does not index it in JavaScript (a read gives undefined, a write a stray property)`,
          code: 0,
          category: 1,
        });
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}
