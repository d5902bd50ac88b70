/**
 * The source `obj??` and inspection at detail level 1 show (IPython's `??`): the code of a
 * function or class. One a cell defined is shown as the cell wrote it, in TypeScript with its
 * types: its compiled text (Function.prototype.toString) is found in that cell's JavaScript,
 * the line is mapped back to the cell's (line_map.ts), and the declaration that starts there is
 * cut from the cell's source, with the overload declarations written before it. Anything else
 * shows its JavaScript (lrlab's library is compiled TypeScript), cut after MAX_COMPILED_LINES;
 * Node's and V8's built-ins have none.
 *
 * As IPython's `??`: a wrapper shows what it wraps (`__wrapped__`, as functools.wraps records it:
 * an optimizer's hooked `step`), an instance its class, and a property defined by a getter the
 * getter (and its setter), not the value it returns.
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
  /**
   * For compiled source: the overload signatures its declaration file (.d.ts) declares, which
   * the JavaScript has lost (engine.ts adds them; module_docs.ts declaredOverloads).
   */
  overloads?: { file: string; text: string };
}

/** Longer compiled source (Tensor's class: 865 lines) is cut there: `??` on one method shows it. */
export const MAX_COMPILED_LINES = 200;

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
    // an instance: its class's, a cell's or the library's (as IPython shows an instance's class)
    const ctor = value !== null && typeof value === "object" ? (value as { constructor?: unknown }).constructor : undefined;
    return typeof ctor === "function" ? sourceOf(ctor, cells, ts) : null;
  }
  let js: string;
  try {
    // a wrapper: what it wraps (a bounded walk, in case of a cycle)
    for (let i = 0; i < 10; i++) {
      const inner = (fn as { __wrapped__?: unknown }).__wrapped__;
      if (typeof inner !== "function" || inner === fn) break;
      fn = inner;
    }
    js = Function.prototype.toString.call(fn);
  } catch {
    return null;
  }
  if (/\{\s*\[native code\]\s*\}$/.test(js)) return null;
  const own = fromCells(js, cells, ts);
  return own ? { text: own, from: "cell" } : { text: capped(dedented(js)), from: "compiled" };
}

/**
 * The source of the property `key` of `obj` when a getter or setter defines it (on the object or
 * its prototype chain), or null. Only accessors written as such (`get x() {...}`): a CommonJS
 * module's re-exports are accessors too (`Object.defineProperty(exports, "SGD", { get: function
 * () {...} })`), and there the value they return (the class) is what the name means.
 */
export function accessorSource(obj: unknown, key: string, cells: CellSource[], ts: TS): Source | null {
  if (obj === null || (typeof obj !== "object" && typeof obj !== "function")) return null;
  let desc: PropertyDescriptor | undefined;
  for (let o: object | null = obj as object; o && !desc; o = Object.getPrototypeOf(o)) desc = Object.getOwnPropertyDescriptor(o, key);
  const written = (f: unknown): boolean => {
    try {
      return typeof f === "function" && /^(?:get|set)\s+[^\s(]/.test(Function.prototype.toString.call(f));
    } catch {
      return false;
    }
  };
  const parts = [desc?.get, desc?.set].filter(written).map((f) => sourceOf(f, cells, ts)).filter((x): x is Source => x !== null);
  if (parts.length === 0) return null;
  return { text: parts.map((p) => p.text).join("\n\n"), from: parts[0].from };
}

/**
 * A method's text as V8 gives it: its first line starts at the method's name, the others keep
 * the file's indentation. They lose as much as the least indented (the closing brace's), as the
 * method reads on its own.
 */
function dedented(js: string): string {
  const [first, ...rest] = js.split("\n");
  const indents = rest.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length);
  const cut = indents.length > 0 ? Math.min(...indents) : 0;
  return cut === 0 ? js : [first, ...rest.map((l) => l.slice(Math.min(cut, l.length - l.trimStart().length)))].join("\n");
}

/** At most MAX_COMPILED_LINES lines, then how many more there are. */
function capped(js: string): string {
  const lines = js.split("\n");
  if (lines.length <= MAX_COMPILED_LINES) return js;
  const more = lines.length - MAX_COMPILED_LINES;
  return [...lines.slice(0, MAX_COMPILED_LINES), `… ${more} more lines (\`??\` on one of its methods shows that method)`].join("\n");
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
    return declarationAt(cell.ts, tsLine, ts, memberOf(js));
  }
  return null;
}

/**
 * What a function's, class's, method's or accessor's text (as V8 gives it: `function f(a) {...}`,
 * `class P {...}`, `get v() {...}`, `pick(a) {...}`) declares, to find it on a line that holds
 * more (a class written on one line, `const a = 1; function f() {...}`); null for other text.
 */
function memberOf(js: string): { kinds: string[]; name: string } | null {
  const fn = /^(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*[(<]/.exec(js);
  if (fn) return { kinds: ["FunctionDeclaration"], name: fn[1] };
  const cls = /^class\s+([A-Za-z_$][\w$]*)/.exec(js);
  if (cls) return { kinds: ["ClassDeclaration"], name: cls[1] };
  const m = /^(?:(get|set)\s+|static\s+|async\s+|\*\s*)*([A-Za-z_$#][\w$]*)\s*\(/.exec(js);
  if (!m || m[2] === "function") return null;
  return { kinds: m[1] === "get" ? ["GetAccessor"] : m[1] === "set" ? ["SetAccessor"] : ["MethodDeclaration"], name: m[2] };
}

/**
 * The outermost declaration (or statement) of `src` that starts on line `line` (0-based); for a
 * `member`, that member if it starts there.
 */
function declarationAt(src: string, line: number, ts: TS, member: { kinds: string[]; name: string } | null = null): string | null {
  const sf = ts.createSourceFile("cell.ts", src, ts.ScriptTarget.Latest, /*setParentNodes*/ true, ts.ScriptKind.TS);
  // by number: SyntaxKind's reverse names are ambiguous (VariableStatement is also FirstStatement)
  const kinds = new Set(DECLARATION_KINDS.map((k) => ts.SyntaxKind[k]));
  const memberKinds = new Set(member?.kinds.map((k) => ts.SyntaxKind[k]) ?? []);
  let found: TS = null;
  let outermost: TS = null;
  const visit = (node: TS): void => {
    if (found) return;
    const start = node.getStart(sf);
    const { line: startLine } = sf.getLineAndCharacterOfPosition(start);
    const endLine = sf.getLineAndCharacterOfPosition(node.end).line;
    if (startLine > line || endLine < line) return; // not around that line
    // (the implementation, with a body: the JavaScript came from it, not from an overload)
    if (startLine === line && memberKinds.has(node.kind) && (node.body || ts.isClassDeclaration(node)) && node.name?.getText(sf) === member?.name) {
      found = node;
      return;
    }
    if (startLine === line && kinds.has(node.kind)) {
      outermost ??= node;
      if (!member) return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  found ??= outermost;
  if (!found) return null;
  // An overloaded function, method or constructor: its overload declarations (no body) written
  // just before the implementation are part of what it is.
  let head: TS = found;
  const siblings: TS[] | undefined = found.body && (ts.isFunctionDeclaration(found) || ts.isMethodDeclaration(found) || ts.isConstructorDeclaration(found))
    ? (found.parent?.statements ?? found.parent?.members)
    : undefined;
  if (siblings) {
    const nameOf = (n: TS): string | undefined => n.name?.getText(sf);
    for (let i = siblings.indexOf(found) - 1; i >= 0; i--) {
      const prev = siblings[i];
      if (prev.kind !== found.kind || prev.body || nameOf(prev) !== nameOf(found)) break;
      head = prev;
    }
  }
  const start = head.getStart(sf);
  // A declaration nested in a block: its first line starts at its column, so its other lines
  // lose as much indentation (where they have it), as the source reads when shown on its own.
  const column = sf.getLineAndCharacterOfPosition(start).character;
  const [first, ...rest] = src.slice(start, found.end).split("\n");
  return [first, ...rest.map((l) => (/^\s*$/.test(l.slice(0, column)) ? l.slice(Math.min(column, l.length - l.trimStart().length)) : l))].join("\n");
}
