/**
 * The source `obj??` and inspection at detail level 1 show (IPython's `??`): the code of a
 * function or class. One a cell defined is shown as the cell wrote it, in TypeScript with its
 * types: its compiled text (Function.prototype.toString) is found in that cell's JavaScript,
 * the line is mapped back to the cell's (line_map.ts), and the declaration that starts there is
 * cut from the cell's source. Anything else shows its JavaScript (lrlab's library is compiled
 * TypeScript); Node's and V8's built-ins have none.
 */
import { alignLines } from "./line_map";

type TS = any;

/** A cell's compiled JavaScript and its TypeScript (engine.ts keeps the last 50). */
export interface CellSource {
  js: string;
  ts: string;
  lines?: number[];
}

export interface Source {
  text: string;
  /** "cell": the cell's TypeScript; "compiled": JavaScript, as the function's own text. */
  from: "cell" | "compiled";
}

const DECLARATION_KINDS = [
  "FunctionDeclaration", "ClassDeclaration", "VariableStatement", "MethodDeclaration", "Constructor",
  "GetAccessor", "SetAccessor", "PropertyDeclaration", "PropertyAssignment", "ExpressionStatement",
  "ArrowFunction", "FunctionExpression", "ClassExpression",
];

/**
 * The source of `value` (a function or a class; for another object, its class when a cell
 * defined it), or null when it has none to show. `cells`: newest last.
 */
export function sourceOf(value: unknown, cells: CellSource[], ts: TS): Source | null {
  let fn: unknown = value;
  if (typeof fn !== "function") {
    const ctor = value !== null && typeof value === "object" ? (value as { constructor?: unknown }).constructor : undefined;
    if (typeof ctor !== "function") return null;
    const own = fromCells(Function.prototype.toString.call(ctor), cells, ts);
    return own ? { text: own, from: "cell" } : null;
  }
  let js: string;
  try {
    js = Function.prototype.toString.call(fn);
  } catch {
    return null;
  }
  if (/\{\s*\[native code\]\s*\}$/.test(js)) return null;
  const own = fromCells(js, cells, ts);
  return own ? { text: own, from: "cell" } : { text: js, from: "compiled" };
}

/** The TypeScript declaration in the newest cell whose JavaScript holds `js`, or null. */
function fromCells(js: string, cells: CellSource[], ts: TS): string | null {
  for (let i = cells.length - 1; i >= 0; i--) {
    const cell = cells[i];
    const at = cell.js.indexOf(js);
    if (at < 0) continue;
    cell.lines ??= alignLines(cell.js, cell.ts);
    let jsLine = 0;
    for (let k = cell.js.indexOf("\n"); k >= 0 && k < at; k = cell.js.indexOf("\n", k + 1)) jsLine++;
    const tsLine = cell.lines[jsLine];
    if (tsLine === undefined || tsLine < 0) return null;
    return declarationAt(cell.ts, tsLine, ts);
  }
  return null;
}

/** The outermost declaration (or statement) of `src` that starts on line `line` (0-based). */
function declarationAt(src: string, line: number, ts: TS): string | null {
  const sf = ts.createSourceFile("cell.ts", src, ts.ScriptTarget.Latest, /*setParentNodes*/ true, ts.ScriptKind.TS);
  // by number: SyntaxKind's reverse names are ambiguous (VariableStatement is also FirstStatement)
  const kinds = new Set(DECLARATION_KINDS.map((k) => ts.SyntaxKind[k]));
  let found: TS = null;
  const visit = (node: TS): void => {
    if (found) return;
    const start = node.getStart(sf);
    const { line: startLine } = sf.getLineAndCharacterOfPosition(start);
    const endLine = sf.getLineAndCharacterOfPosition(node.end).line;
    if (startLine > line || endLine < line) return; // not around that line
    if (startLine === line && kinds.has(node.kind)) {
      found = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  if (!found) return null;
  const start = found.getStart(sf);
  // A declaration nested in a block: its first line starts at its column, so its other lines
  // lose as much indentation (where they have it), as the source reads when shown on its own.
  const column = sf.getLineAndCharacterOfPosition(start).character;
  const [first, ...rest] = src.slice(start, found.end).split("\n");
  return [first, ...rest.map((l) => (/^\s*$/.test(l.slice(0, column)) ? l.slice(Math.min(column, l.length - l.trimStart().length)) : l))].join("\n");
}
