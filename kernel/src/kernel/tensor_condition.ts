/**
 * A tensor used as a condition: `if (x.sum().gt(0))`, `if (torch.isnan(loss)) break;`,
 * `loss.gt(best) ? a : b`, `!mask`, `while (t.lt(1))`, `Boolean(t)`. A tensor is a JavaScript
 * object, so it is always true there: PyTorch's `bool(t)` reads the value, JavaScript does not,
 * and ported code took the wrong branch silently (a divergence guard broke out of training at the
 * first step). TypeScript says nothing (objects may be tested), so after a cell type-checks its
 * conditions are searched, as tensor_index.ts searches `t[i]`: each one whose value is surely a
 * Tensor becomes an error of the cell (code 0: lrlab's), before anything runs.
 *
 * "Surely": tslab checks without strictNullChecks, so `p.grad` (declared `Tensor | null`) has the
 * type Tensor, and `if (p.grad)` is a legitimate null check. A condition is reported only when
 * where its value comes from cannot be null: a call or `new` whose declared return type has no
 * null/undefined; a property declared without `?` and with such a type (or a non-null
 * initializer); a `const` (or a `let` this cell never sets to null) initialized that way; a name
 * from an earlier cell whose value is a tensor now (a `const`). Parameters, element accesses (`xs[i]`,
 * `sd[key]`), optional chains and anything unknown are left alone.
 *
 * Positions searched: the conditions of if / while / do / for and `?:`, the operand of `!`, the
 * argument of `Boolean(...)`, the left operand of `&&` / `||` (JavaScript tests it), and both
 * operands of `&&` / `||` standing in one of those positions. Cost: one walk of the cell's syntax
 * tree when its text has one of these tokens, and a type look-up per condition.
 */
import { latestProgram, tslabTypeScript } from "./engine_tslab";
import { isLibraryTensorSymbol } from "./dts_bundle";

type TS = any;

export interface ConditionError {
  start: { offset: number; line: number; character: number };
  messageText: string;
  code: number;
  category: number;
  /** Shown under the error (engine.ts compile). */
  hint: string;
}

/** The part of the cell file before the user's text (tslab's converter: `srcPrefix`). */
export const PREFIX = "export {};\n";

/**
 * The cell just converted as its program holds it (the converter's latest program; null when that
 * program is another cell's), with where the user's text ends in its file: what the cell checks
 * (this file's, tensor_equality.ts) walk with the program's type checker.
 */
export function convertedCell(src: string): { ts: TS; program: TS; sf: TS; srcEnd: number } | null {
  const ts = tslabTypeScript();
  const program = latestProgram();
  const sf = program?.getSourceFiles().find((f: TS) => /[\\/]__tslab__\.ts$/.test(f.fileName));
  if (!sf || !sf.text.startsWith(PREFIX + src)) return null;
  return { ts, program, sf, srcEnd: PREFIX.length + src.length };
}

/** Shown under the errors (once a cell: the same text for each). */
export const TENSOR_CONDITION_HINT = "hint: JavaScript reads every object as true, a tensor too, whatever its values (PyTorch's bool(t) reads the value): "
  + "t.item() is the number of a one-element tensor (0 is false), t.any().item() / t.all().item() test a tensor of several elements; "
  + "two one-element tensors compare with < and > (a < b)";

/** Tokens without which a cell has no condition to search. */
const CONDITION_TOKENS = /\b(?:if|while|for|Boolean)\b|[?!]|&&|\|\|/;

/** How deep `const a = b; const b = c.gt(0)` chains are followed. */
const MAX_DEPTH = 4;

/**
 * The tensor conditions of the cell just converted (call right after a conversion without
 * diagnostics). `tensorNow(name)`: whether an earlier cell's variable `name` holds a tensor now.
 */
export function tensorConditionErrors(src: string, tensorNow: (name: string) => boolean = () => false): ConditionError[] {
  if (!CONDITION_TOKENS.test(src)) return [];
  const cell = convertedCell(src);
  if (cell === null) return [];
  const { ts, program, sf, srcEnd } = cell;
  const checker = program.getTypeChecker();
  const K = ts.SyntaxKind;
  const reported = new Set<TS>();
  /** The `&&` / `||` expressions searched as conditions (both operands). */
  const inCondition = new Set<TS>();
  const out: ConditionError[] = [];

  const isTensorSymbol = (s: TS): boolean => isLibraryTensorSymbol(ts, s);
  // lrlab's Tensor, a subclass of it (Parameter, a user's), or a union of those
  const isTensorType = (t: TS, depth = 0): boolean => {
    if (!t || depth > 5) return false;
    if (t.isUnion?.()) return t.types.length > 0 && t.types.every((u: TS) => isTensorType(u, depth + 1));
    if (isTensorSymbol(t.getSymbol?.())) return true;
    if (!(t.flags & ts.TypeFlags.Object) || !(t.objectFlags & ts.ObjectFlags.Class)) return false;
    return (checker.getBaseTypes(t) ?? []).some((b: TS) => isTensorType(b, depth + 1));
  };

  // a type written with null, undefined, void, any or unknown in it (aliases followed)
  const nullableTypeNode = (node: TS, depth = 0): boolean => {
    if (!node || depth > MAX_DEPTH) return true;
    switch (node.kind) {
      case K.UnionType: return node.types.some((u: TS) => nullableTypeNode(u, depth + 1));
      case K.ParenthesizedType: return nullableTypeNode(node.type, depth + 1);
      case K.LiteralType: return node.literal.kind === K.NullKeyword;
      case K.NullKeyword: case K.UndefinedKeyword: case K.VoidKeyword: case K.AnyKeyword: case K.UnknownKeyword: return true;
      case K.ThisType: return false;
      case K.TypeReference: {
        let s = checker.getSymbolAtLocation(node.typeName);
        if (s && s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
        const alias = (s?.declarations ?? []).find((d: TS) => d.kind === K.TypeAliasDeclaration);
        return alias !== undefined ? nullableTypeNode(alias.type, depth + 1) : false;
      }
      default: return true;
    }
  };

  // set to null or undefined somewhere in the cell: `best = null`
  const setToNull = (name: string): boolean => new RegExp(`(?:^|[^\\w$.])${name.replace(/\$/g, "\\$")}\\s*=\\s*(?:null|undefined)\\b`).test(src);

  // whether the value of `e` (typed Tensor) cannot be null or undefined, from where it comes
  const surely = (e: TS, depth = 0): boolean => {
    if (depth > MAX_DEPTH) return false;
    if (ts.isOptionalChain?.(e)) return false;
    switch (e.kind) {
      case K.ParenthesizedExpression: case K.NonNullExpression: return surely(e.expression, depth + 1);
      case K.AsExpression: case K.TypeAssertionExpression: case K.SatisfiesExpression:
        return !nullableTypeNode(e.type) && (e.kind !== K.SatisfiesExpression || surely(e.expression, depth + 1));
      case K.NewExpression: return true;
      case K.CallExpression: {
        const decl = checker.getResolvedSignature(e)?.declaration;
        // a function of the cell without a declared return type: not followed (its returns may be null)
        return decl?.type !== undefined && !nullableTypeNode(decl.type);
      }
      case K.Identifier: return surelyName(e, depth);
      case K.PropertyAccessExpression: {
        const s = checker.getSymbolAtLocation(e.name);
        const d = s?.valueDeclaration ?? s?.declarations?.[0];
        if (!d) return false;
        if (d.kind === K.GetAccessor) return d.type !== undefined && !nullableTypeNode(d.type);
        // (a constructor's parameter property is a parameter: its callers may pass null)
        if (d.kind !== K.PropertyDeclaration && d.kind !== K.PropertySignature) return false;
        if (d.questionToken) return false;
        // a field this cell sets to null somewhere (`this.best = null`)
        if (new RegExp(`\\.\\s*${e.name.text.replace(/\$/g, "\\$")}\\s*=\\s*(?:null|undefined)\\b`).test(src)) return false;
        if (d.type !== undefined) return !nullableTypeNode(d.type);
        return d.initializer !== undefined && surely(d.initializer, depth + 1);
      }
      default: return false;
    }
  };
  const surelyName = (id: TS, depth: number): boolean => {
    const s = checker.getSymbolAtLocation(id);
    const d = s?.valueDeclaration;
    if (!d || d.kind !== K.VariableDeclaration || d.name.kind !== K.Identifier) return false;
    const isConst = (d.parent.flags & ts.NodeFlags.Const) !== 0;
    const name = d.name.text as string;
    // an earlier cell's const (declared in tslab's __prev__.d.ts, its type printed without
    // null): what it holds now, for good (a let may be set to null by any cell)
    if (d.getSourceFile() !== sf) return isConst && /[\\/]__prev__\.d\.ts$/.test(d.getSourceFile().fileName) && tensorNow(name);
    if (d.type !== undefined && nullableTypeNode(d.type)) return false;
    if (!isConst && setToNull(name)) return false;
    return d.initializer !== undefined && surely(d.initializer, depth + 1);
  };

  const textOf = (e: TS): string => src.slice(e.getStart(sf) - PREFIX.length, e.end - PREFIX.length);
  const report = (e: TS, what: "condition" | "not" | "Boolean"): void => {
    if (reported.has(e)) return;
    reported.add(e);
    const offset = e.getStart(sf) - PREFIX.length;
    if (offset < 0 || offset >= src.length) return;
    const text = textOf(e);
    const shown = text.length <= 60 && !text.includes("\n") ? text : "t";
    // what a method call can follow without parentheses: a name, a call, a member
    const base = /^[\w$.]+$/.test(shown) || (shown.endsWith(")") && !/^[(!]|\s/.test(shown)) ? shown : `(${shown})`;
    const fix = /\.(?:any|all)\(\)$/.test(base) ? `write ${base}.item()`
      : `write ${base}.item() for a one-element tensor, ${base}.any().item() or ${base}.all().item() for several elements`;
    const why = `'${shown}' is a Tensor, an object`;
    const head = what === "not" ? `!${base} will always return false since ${why}`
      : what === "Boolean" ? `Boolean(${shown}) will always return true since ${why}`
      : `This condition will always return true since ${why}`;
    const before = src.slice(0, offset);
    const line = (before.match(/\n/g) ?? []).length;
    out.push({
      start: { offset, line, character: offset - (before.lastIndexOf("\n") + 1) },
      messageText: `${head}: ${fix}`,
      code: 0,
      category: 1,
      hint: TENSOR_CONDITION_HINT,
    });
  };
  const isTensorValue = (e: TS): boolean => isTensorType(checker.getTypeAtLocation(e)) && surely(e);

  const isAndOr = (e: TS): boolean => e.kind === K.BinaryExpression
    && (e.operatorToken.kind === K.AmpersandAmpersandToken || e.operatorToken.kind === K.BarBarToken);
  // `e` stands where its truth is tested: `a && b` there tests both, `(x)` tests x
  const condition = (e: TS | undefined, what: "condition" | "not" | "Boolean" = "condition"): void => {
    if (!e) return;
    while (e.kind === K.ParenthesizedExpression) e = e.expression;
    if (isAndOr(e)) {
      inCondition.add(e); // its own operand check (visit) would say it again
      condition(e.left);
      condition(e.right);
      return;
    }
    if (e.kind === K.PrefixUnaryExpression && e.operator === K.ExclamationToken) return; // visited itself
    if (isTensorValue(e)) report(e, what);
  };

  const visit = (n: TS): void => {
    if (n.pos >= srcEnd) return;
    switch (n.kind) {
      case K.IfStatement: case K.WhileStatement: case K.DoStatement: condition(n.expression); break;
      case K.ForStatement: condition(n.condition); break;
      case K.ConditionalExpression: condition(n.condition); break;
      case K.PrefixUnaryExpression:
        if (n.operator === K.ExclamationToken) condition(n.operand, "not");
        break;
      case K.CallExpression:
        if (n.expression.kind === K.Identifier && n.expression.text === "Boolean" && n.arguments.length === 1
          && checker.getSymbolAtLocation(n.expression)?.declarations?.some((d: TS) => program.isSourceFileDefaultLibrary(d.getSourceFile()))) {
          condition(n.arguments[0], "Boolean");
        }
        break;
      case K.BinaryExpression:
        // JavaScript tests the left operand of && and || wherever they stand (`t || x` is t)
        if (isAndOr(n) && !inCondition.has(n)) condition(n.left);
        break;
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out.sort((a, b) => a.start.offset - b.start.offset);
}
