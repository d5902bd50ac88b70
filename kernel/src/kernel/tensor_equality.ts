/**
 * `==` / `!=` on a tensor: `if (pred == y)`, `const same = a != b`. PyTorch's `==` compares
 * elements (a bool tensor); JavaScript's compares the two objects, so two tensors are never `==`
 * unless they are the same object, and ported code took the wrong branch silently (a porter's
 * pass). TypeScript says nothing when both sides are objects (Tensor with Tensor, with a
 * Parameter, with any object type): after a cell type-checks, its `==` / `!=` are searched, as
 * tensor_condition.ts searches conditions, and each one with a tensor on a side becomes an error
 * of the cell (code 0: lrlab's), at the operator, before anything runs.
 *
 * Not reported:
 * - `===` / `!==`: an identity check is legitimate JavaScript (`p === model.weight`), and it is
 *   what the error tells a reader who meant the same object to write;
 * - a side that is `null`, `undefined` or `void 0`, or typed null / undefined (`t == null` is the
 *   usual null check);
 * - a side typed `any` or `unknown`, or a union with a primitive member (`v: Tensor | number`):
 *   it may hold null, or a number, which a one-element tensor is `==` to by value through
 *   Tensor's Symbol.toPrimitive;
 * - what TypeScript already rejects (`t == 2`: TS2367, with its hint in ts_hints.ts): this runs
 *   only on a cell without diagnostics.
 * A tensor side is lrlab's Tensor, a subclass of it (Parameter, a user's class), a type parameter
 * constrained to one, or a union of those with null / undefined (`Tensor | null`: tslab checks
 * without strictNullChecks, where that is Tensor; with or without, `==` on it is the objects'
 * identity, or both null).
 *
 * Cost: nothing on a cell whose text has no `==` / `!=` (a text test, ~3 µs for 40 lines);
 * otherwise one walk of its syntax tree and a few type look-ups per `==` / `!=` (~2.6 ms for 40
 * lines each with one, against ~150 ms for that cell's type check).
 */
import { convertedCell, PREFIX, type ConditionError } from "./tensor_condition";
import { isLibraryTensorSymbol } from "./dts_bundle";

type TS = any;


/** `==` or `!=` that is not part of `===` / `!==` (or of `<=`, `>=`, `=>`). */
const EQUALITY_TOKEN = /(?<![=!<>])[=!]=(?!=)/;

/** Shown under the errors (once a cell: the same text for each). */
export const TENSOR_EQUALITY_HINT = "hint: tensors have no operators in JavaScript, == and != included (they compare objects): "
  + "a.eq(b) / a.ne(b) compare elements, as PyTorch's == / != do (a bool tensor: .sum().item() counts the matches, "
  + ".all().item() is one boolean), and lt, le, gt, ge likewise; torch.equal(a, b) is one boolean (same shape and values)";

/**
 * The tensor `==` / `!=` of the cell just converted (call right after a conversion without
 * diagnostics: the converter's latest program is this cell's).
 */
export function tensorEqualityErrors(src: string): ConditionError[] {
  if (!EQUALITY_TOKEN.test(src)) return [];
  const cell = convertedCell(src);
  if (cell === null) return [];
  const { ts, program, sf, srcEnd } = cell;
  const checker = program.getTypeChecker();
  const K = ts.SyntaxKind;
  const F = ts.TypeFlags;
  const out: ConditionError[] = [];

  const isTensorSymbol = (s: TS): boolean => isLibraryTensorSymbol(ts, s);
  const isNullish = (t: TS): boolean => (t.flags & (F.Null | F.Undefined | F.Void)) !== 0;
  // lrlab's Tensor, a subclass of it, a type parameter constrained to one, a union of those (and null)
  const isTensorType = (t: TS, depth = 0): boolean => {
    if (!t || depth > 5) return false;
    if (t.flags & F.TypeParameter) return isTensorType(checker.getBaseConstraintOfType(t), depth + 1);
    if (t.isUnion?.()) {
      const real = t.types.filter((u: TS) => !isNullish(u));
      return real.length > 0 && real.every((u: TS) => isTensorType(u, depth + 1));
    }
    if (isTensorSymbol(t.getSymbol?.())) return true;
    if (!(t.flags & F.Object) || !(t.objectFlags & ts.ObjectFlags.Class)) return false;
    return (checker.getBaseTypes(t) ?? []).some((b: TS) => isTensorType(b, depth + 1));
  };
  // an object type: a class or interface, an object literal's, `object`, an intersection, a type
  // parameter constrained to one (primitives are TS2367 with a tensor: not reached here)
  const isObjectType = (t: TS, depth = 0): boolean => {
    if (!t || depth > 5) return false;
    if (t.flags & F.TypeParameter) return isObjectType(checker.getBaseConstraintOfType(t), depth + 1);
    return (t.flags & (F.Object | F.NonPrimitive | F.Intersection)) !== 0;
  };
  // the side a tensor is compared with, when what it holds is surely an object: not null /
  // undefined (written or typed), not any / unknown, not a union with a member that may be a
  // primitive (`v: Tensor | number`: `t == v` is legitimate when v is a number)
  const isObjectSide = (e: TS): boolean => {
    while (e.kind === K.ParenthesizedExpression) e = e.expression;
    if (e.kind === K.NullKeyword || e.kind === K.VoidExpression) return false;
    if (e.kind === K.Identifier && e.text === "undefined") return false;
    const t = checker.getTypeAtLocation(e);
    if (!t) return false;
    return t.isUnion?.() ? t.types.every((u: TS) => isObjectType(u)) : isObjectType(t);
  };

  // a side as the message writes it: its text when short and on one line
  const shownText = (e: TS): string | null => {
    const text = src.slice(e.getStart(sf) - PREFIX.length, e.end - PREFIX.length);
    return text.length <= 60 && !text.includes("\n") ? text : null;
  };
  const report = (n: TS, bothTensors: boolean): void => {
    const op = n.operatorToken.getText(sf) as "==" | "!=";
    const offset = n.operatorToken.getStart(sf) - PREFIX.length;
    if (offset < 0 || offset >= src.length) return;
    // both sides written out, or a and b for both (`a == y` would read as a name of the cell)
    const [left, right] = [shownText(n.left), shownText(n.right)];
    const [a, b] = left !== null && right !== null ? [left, right] : ["a", "b"];
    // what a method call can follow without parentheses: a name, `this`, a call, a member, `x!`
    const callable = (e: TS, s: string): string => [K.Identifier, K.ThisKeyword, K.CallExpression, K.PropertyAccessExpression,
      K.ElementAccessExpression, K.NonNullExpression, K.ParenthesizedExpression].includes(e.kind) || s === "a" || s === "b" ? s : `(${s})`;
    const not = op === "!=";
    const what = bothTensors ? "compares two tensor objects in JavaScript (always false unless they are the same object)"
      : "compares objects in JavaScript (true only for the same object)";
    const verdict = not ? "true" : "false";
    const head = bothTensors ? what.replace("always false", `always ${verdict}`) : what;
    // the element-wise method is the tensor side's: `y.eq(x)` when only the right side is one
    const tensorLeft = isTensorType(checker.getTypeAtLocation(n.left));
    const [t, other] = tensorLeft ? [a, b] : [b, a];
    const fix = `use ${callable(tensorLeft ? n.left : n.right, t)}.${not ? "ne" : "eq"}(${other}) (element-wise, a bool tensor)`
      + (bothTensors ? `, ${not ? "!" : ""}torch.equal(${a}, ${b}) (same shape and values)` : "")
      + `, or ${not ? "!==" : "==="} if you mean ${not ? "not " : ""}the same object`;
    const before = src.slice(0, offset);
    const line = (before.match(/\n/g) ?? []).length;
    out.push({
      start: { offset, line, character: offset - (before.lastIndexOf("\n") + 1) },
      messageText: `'${a} ${op} ${b}' ${head}, not their elements as PyTorch's ${op} does: ${fix}`,
      code: 0,
      category: 1,
      hint: TENSOR_EQUALITY_HINT,
    });
  };

  const visit = (n: TS): void => {
    if (n.pos >= srcEnd) return;
    if (n.kind === K.BinaryExpression
      && (n.operatorToken.kind === K.EqualsEqualsToken || n.operatorToken.kind === K.ExclamationEqualsToken)) {
      const left = isTensorType(checker.getTypeAtLocation(n.left));
      const right = isTensorType(checker.getTypeAtLocation(n.right));
      if ((left && isObjectSide(n.right)) || (right && isObjectSide(n.left))) report(n, left && right);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}
