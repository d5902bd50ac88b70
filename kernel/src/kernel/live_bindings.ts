/**
 * One variable per top-level name across cells, as in IPython: a function a cell defines sees
 * what a later cell assigns to that cell's variables.
 *
 * The cells share one scope, the transpiled cell's `exports` (engine.ts `locals`). tslab compiles
 * a cell's top-level `let lr = 0.1` to a local binding copied to `exports.lr` after each write,
 * and a later cell's `lr` to `exports.lr`. A function of the first cell kept reading its local
 * `lr`, so
 *
 *     let lr = 0.1; function train() { ... lr ... }      // cell 1
 *     lr = 0.001; train()                                 // cell 2: trained at 0.1
 *
 * silently trained at the old rate (a sweep over a rate, re-declaring a constant, all alike).
 * Here, in tslab's last transform of a cell (the one that already writes `exports.x` for earlier
 * cells' names), a cell's own top-level variables (`let`, `const`, `var` statements of the cell's
 * top level) are read and written through `exports` as well:
 * - inside functions and classes (closures: they run later, after other cells);
 * - at top level too, when a closure of the cell writes that variable (`[1, 5].forEach((v) => {
 *   best = v; })` then `best`), except in the statement that declares it (the copy to `exports`
 *   comes right after that statement).
 * Top-level code of a cell that no closure writes keeps its local variables (a top-level loop
 * runs at local speed), and every top-level write is copied to `exports` as before.
 *
 * Functions a cell declares are read through `exports` in the cell's closures too, so a helper a
 * later cell declares again is what an earlier cell's `train()` calls (as in IPython, where a
 * function looks its globals up when it runs). A function is hoisted (code of the cell may call it
 * before its declaration), so its copy to `exports` is hoisted too: `withHoistedFunctions` puts
 * it at the cell's start. The cell's top-level code keeps its local binding. Classes stay local
 * bindings (a class is not hoisted: read through `exports` before its declaration ran, it would
 * be a declared-but-unassigned name, unassigned.ts, rather than JavaScript's "Cannot access 'A'
 * before initialization"), so a class declared again by a later cell is not seen by an earlier
 * cell's functions.
 *
 * Also: an object literal's shorthand `{ lr }` naming an earlier cell's variable (or, under the
 * rules above, the cell's own) becomes `{ lr: exports.lr }`. tslab rewrote only plain identifiers,
 * and `{ lr }` ran as a free name: "ReferenceError: lr is not defined" in every later cell.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
type TS = any;

/** Per cell source file: its top-level variables that some closure of the cell writes. */
const closureWritten = new WeakMap<object, Set<TS>>();

/** The top-level statement containing `node` (its ancestor whose parent is the source file). */
function topStatement(ts: TS, node: TS): TS {
  let n = node;
  while (n.parent && !ts.isSourceFile(n.parent)) n = n.parent;
  return n;
}

/** Whether `node` sits inside a function or class (below `stop`, the top-level statement). */
function inClosure(ts: TS, node: TS): boolean {
  for (let p = node.parent; p && !ts.isSourceFile(p); p = p.parent) {
    if (ts.isFunctionLike(p) || ts.isClassLike(p)) return true;
  }
  return false;
}

/**
 * The declaration statement when `symbol` is a variable declared by a `let`/`const`/`var`
 * statement at the top level of the cell `cell` (not of a library's or the earlier cells'
 * declarations: `declare var Error` is a top-level variable too), else null.
 */
function ownTopLevelVariable(ts: TS, symbol: TS, cell: TS): TS {
  for (const decl of symbol?.declarations ?? []) {
    if (!ts.isVariableDeclaration(decl) && !ts.isBindingElement(decl)) continue;
    const root = ts.getRootDeclaration(decl);
    const statement = root?.parent?.parent;
    if (!statement || !ts.isVariableStatement(statement) || !ts.isSourceFile(statement.parent)) continue;
    if (statement.parent !== cell) continue;
    return statement;
  }
  return null;
}

/** Whether `symbol` is a function the cell `cell` declares at its top level (with a body). */
function ownTopLevelFunction(ts: TS, symbol: TS, cell: TS): boolean {
  for (const decl of symbol?.declarations ?? []) if (decl.parent === cell && ts.isFunctionDeclaration(decl) && decl.body !== undefined) return true;
  return false;
}

/** Whether `symbol` is declared in the earlier cells' declarations file. */
function fromEarlierCell(symbol: TS, declsFile: TS): boolean {
  for (const decl of symbol?.declarations ?? []) if (decl.getSourceFile() === declsFile) return true;
  return false;
}

/** Whether `node` is the name a declaration declares (not a reference). */
function isDeclarationName(ts: TS, node: TS): boolean {
  const p = node.parent;
  return !!p && (ts.isVariableDeclaration(p) || ts.isBindingElement(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p)
    || ts.isClassDeclaration(p) || ts.isFunctionExpression(p) || ts.isClassExpression(p)) && p.name === node;
}

/**
 * Whether `node` names a property rather than a variable: the `a` of a destructuring's `{ a: b0 }`,
 * of an object literal's `{ a: 1 }`, of a class, interface or enum member. The checker resolves a
 * destructuring's property name to the property of the value's type, and when that type is an
 * earlier cell's (`const { a: b0 } = f()`, `arr.map(({ a: v }) => v)`), its declaration is in the
 * earlier cells' file, which made the name `exports.a`: printed as `{ exports, a: b0 }`, "Identifier
 * 'exports' has already been declared" at the top level, and a parameter shadowing `exports` in a
 * function.
 */
function isPropertyName(ts: TS, node: TS): boolean {
  const p = node.parent;
  if (!p) return false;
  if (ts.isBindingElement(p)) return p.propertyName === node;
  return (ts.isPropertyAssignment(p) || ts.isClassElement(p) || ts.isTypeElement(p) || ts.isEnumMember(p)) && p.name === node;
}

/** Whether `node` is written (assigned, incremented, a destructuring or for-in/of target). */
function isWrite(ts: TS, node: TS): boolean {
  let n = node;
  // up through destructuring patterns and parentheses to the assignment or loop they are the target of
  for (;;) {
    const p = n.parent;
    if (!p) return false;
    if (ts.isParenthesizedExpression(p) || ts.isArrayLiteralExpression(p) || ts.isSpreadElement(p)
      || (ts.isPropertyAssignment(p) && p.initializer === n) || ts.isShorthandPropertyAssignment(p)
      || ts.isObjectLiteralExpression(p) || ts.isSpreadAssignment(p)) {
      n = p;
      continue;
    }
    if (ts.isBinaryExpression(p)) {
      return p.left === n && p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && p.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
    }
    if (ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) {
      return p.operator === ts.SyntaxKind.PlusPlusToken || p.operator === ts.SyntaxKind.MinusMinusToken;
    }
    if (ts.isForInStatement(p) || ts.isForOfStatement(p)) return p.initializer === n;
    return false;
  }
}

/**
 * LRLAB_LIVE_NAMES and LRLAB_CHECK_LIVE_NAMES (see mayGoThroughExports), read once per convert()
 * by readLiveSwitches (engine_tslab.ts createConverter), not once per identifier: a read of
 * process.env is a call into Node's C++ side.
 */
const switches: { liveNames: string | undefined; checkLiveNames: boolean } = { liveNames: undefined, checkLiveNames: false };

/** Reads the switches above from the environment (before each convert()). */
export function readLiveSwitches(): void {
  switches.liveNames = process.env.LRLAB_LIVE_NAMES;
  switches.checkLiveNames = process.env.LRLAB_CHECK_LIVE_NAMES === "1";
}
readLiveSwitches();

/** The cell's top-level variables that a closure of the cell writes (computed once per source file). */
function writtenByClosures(ts: TS, checker: TS, sourceFile: TS): Set<TS> {
  let found = closureWritten.get(sourceFile);
  if (found) return found;
  found = new Set();
  // only a name the cell declares at its top level can be such a variable (the checker's answer
  // is asked for those alone; LRLAB_LIVE_NAMES=all asks for every written name, as before)
  const locals: Map<string, unknown> | undefined = switches.liveNames === "all" ? undefined : sourceFile.locals;
  const visit = (node: TS): void => {
    if (ts.isIdentifier(node) && (!locals || locals.has(node.escapedText)) && inClosure(ts, node) && isWrite(ts, node)) {
      const symbol = ts.isShorthandPropertyAssignment(node.parent) && node.parent.name === node
        ? checker.getShorthandAssignmentValueSymbol(node.parent)
        : checker.getSymbolAtLocation(node);
      if (symbol && ownTopLevelVariable(ts, symbol, sourceFile)) found!.add(symbol);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  closureWritten.set(sourceFile, found);
  return found;
}

/** Per earlier cells' declarations file: the names of what it declares (namesDeclaredIn). */
const declaredNames = new WeakMap<object, Set<string>>();

/**
 * The names (escaped, as the binder keeps them) of everything the earlier cells' declarations
 * file declares: top-level names, members, namespaces' contents, imports; all but the parameters
 * of its functions (and type parameters), which no name in a cell can refer to. A symbol with a
 * declaration in that file is found by one of these names: an identifier's symbol is looked up by
 * its text, and a declaration's symbol is named by the declaration's name (a property's name may be
 * a string or a number literal, or a computed literal: taken too). Unnamed declarations (`export
 * default`, `export =`) are found by the identifier `default` alone, which mayGoThroughExports
 * always asks about. Computed once per file object: the file is reused while its text stays
 * (engine_tslab.ts reusingDeclarations).
 */
function namesDeclaredIn(ts: TS, declsFile: TS): Set<string> {
  let names = declaredNames.get(declsFile);
  if (names) return names;
  const out = new Set<string>();
  const K = ts.SyntaxKind;
  const add = (name: TS): void => {
    if (!name) return;
    if (name.kind === K.Identifier || name.kind === K.PrivateIdentifier) out.add(name.escapedText);
    else if (ts.isStringLiteralLike(name) || name.kind === K.NumericLiteral) out.add(ts.escapeLeadingUnderscores(name.text));
    else if (name.kind === K.ComputedPropertyName) add(name.expression);
  };
  const visit = (node: TS): void => {
    // a parameter property (`constructor(public v)`) declares a member: kept
    if (node.kind !== K.TypeParameter && (node.kind !== K.Parameter || node.modifiers?.length)) add(node.name);
    ts.forEachChild(node, visit);
  };
  visit(declsFile);
  names = out;
  declaredNames.set(declsFile, names);
  return names;
}

/** What the fast path decided (read by test/kernel/live_bindings.test.ts): identifiers asked about and skipped. */
export const liveCounts = { asked: 0, skipped: 0 };

/**
 * Whether the identifier `node` can refer to an earlier cell's declaration or to a top-level
 * variable or function of its own cell: only then is the checker asked for its symbol
 * (throughExports). Each lookup is a walk of the scopes up to the file; a cell's identifiers are
 * mostly its locals, parameters and library names (`x`, `total`, `Math`), which can be neither.
 * The name must be one the earlier cells' file declares (namesDeclaredIn) or one the cell
 * declares at its top level (its binder's `locals`, which hold every top-level variable and
 * function of the cell). Also asked: `default` (an unnamed export's symbol).
 *
 * LRLAB_LIVE_NAMES=all asks for every identifier (as before); =misread asks for none, for the test
 * of the check. With LRLAB_CHECK_LIVE_NAMES=1 every skipped identifier
 * is looked up anyway and must not have needed `exports` (else the cell fails, naming it).
 */
function mayGoThroughExports(ts: TS, node: TS, declsFile: TS): boolean {
  const mode = switches.liveNames;
  if (mode === "all") return true;
  if (mode === "misread") return false;
  const name: string = node.escapedText;
  if (name === "default") return true;
  if (declsFile && namesDeclaredIn(ts, declsFile).has(name)) return true;
  const locals: Map<string, unknown> | undefined = node.getSourceFile().locals;
  return !locals || locals.has(name);
}

/** Check mode: an identifier the fast path left as it is must be one tslab's way leaves too. */
function checkSkipped(ts: TS, checker: TS, node: TS, declsFile: TS): void {
  const symbol = checker.getSymbolAtLocation(node);
  if (!throughExports(ts, checker, node, symbol, declsFile)) return;
  throw new Error(
    "lrlab internal error: a name the cell reads through `exports` was left as it is (live_bindings.ts "
    + `mayGoThroughExports): \`${ts.idText(node)}\` in\n${node.getSourceFile().text}`,
  );
}

/** Whether a reference at `node` to `symbol` goes through `exports` (see the file comment). */
function throughExports(ts: TS, checker: TS, node: TS, symbol: TS, declsFile: TS): boolean {
  if (!symbol) return false;
  if (fromEarlierCell(symbol, declsFile)) return true;
  const cell = node.getSourceFile();
  const statement = ownTopLevelVariable(ts, symbol, cell);
  if (!statement) return inClosure(ts, node) && ownTopLevelFunction(ts, symbol, cell);
  if (inClosure(ts, node)) return true;
  if (topStatement(ts, node) === statement) return false;
  return writtenByClosures(ts, checker, cell).has(symbol);
}

function exportsOf(ts: TS, name: TS): TS {
  return ts.factory.createPropertyAccessExpression(ts.factory.createIdentifier("exports"), name);
}

/**
 * The cell's transpiled code with `exports.f = f;` for each of its top-level functions `names`
 * (the names the cell declares) appended to its first line, TypeScript's CommonJS prologue, so
 * that the copies are made before anything of the cell runs, as the functions are hoisted (line
 * numbers are unchanged). A top-level function declaration is a line of its own at column 0 in
 * TypeScript's emit: `function f(`, `async function f(`, `function* f(`.
 */
export function withHoistedFunctions(js: string, names: readonly string[]): string {
  const nl = js.indexOf("\n");
  if (nl < 0 || names.length === 0) return js;
  let copies = "";
  for (const name of names) {
    if (new RegExp(`^(?:async )?function\\*? ?${name.replace(/\$/g, "\\$")}\\(`, "m").test(js)) copies += ` exports.${name} = ${name};`;
  }
  return copies === "" ? js : js.slice(0, nl) + copies + js.slice(nl);
}

/**
 * tslab's visitor for a cell's last transform (converter.js `wrapPrevIdentifier`) asks this first:
 * the node to put in place of `node`, or undefined to let tslab visit its children. Identifiers
 * are decided here, tslab's own rule included (an earlier cell's name: `exports.x`), and so is a
 * shorthand property.
 */
export function visitLive(ts: TS, checker: TS, declsFile: TS, node: TS, visit: (n: TS) => TS, context: TS): TS {
  // `export { ... }` lists name the cell's variables as they are
  if (ts.isExportDeclaration(node)) return node;
  if (ts.isShorthandPropertyAssignment(node)) {
    const original = ts.getOriginalNode(node);
    if (!original.parent) return ts.visitEachChild(node, visit, context);
    const symbol = checker.getShorthandAssignmentValueSymbol(original);
    if (!throughExports(ts, checker, original, symbol, declsFile)) return ts.visitEachChild(node, visit, context);
    const target = exportsOf(ts, ts.factory.createIdentifier(node.name.text));
    // `({ lr = 1 } = o)`: a default in a destructuring assignment
    const value = node.objectAssignmentInitializer
      ? ts.factory.createAssignment(target, ts.visitNode(node.objectAssignmentInitializer, visit))
      : target;
    return ts.factory.createPropertyAssignment(node.name.text, value);
  }
  if (!ts.isIdentifier(node)) return undefined;
  // An identifier is decided here, tslab's rule included (one symbol lookup, not two).
  if (!node.parent || isDeclarationName(ts, node) || isPropertyName(ts, node)) return node;
  if (ts.isPropertyAccessExpression(node.parent) && node.parent.name === node) return node;
  // the `target` of `new.target` (and `meta` of `import.meta`) is no variable: a top-level
  // function's `new.target` was printed `new.exports.target`, a syntax error
  if (ts.isMetaProperty(node.parent)) return node;
  if (!mayGoThroughExports(ts, node, declsFile)) {
    liveCounts.skipped++;
    if (switches.checkLiveNames) checkSkipped(ts, checker, node, declsFile);
    return node;
  }
  liveCounts.asked++;
  const symbol = checker.getSymbolAtLocation(node);
  return throughExports(ts, checker, node, symbol, declsFile) ? exportsOf(ts, node) : node;
}
