/**
 * A cell's top-level names read from its syntax tree, without binding it.
 *
 * tslab's convert() needs the names a cell declares at its top level (the binder's `locals` of the
 * cell file: every one is exported by an `export { ... }` appended to the cell) before it builds
 * the program it checks and emits. engine_tslab.ts `cellNames` gets them from the cell parsed on
 * its own; binding that parse took ~2/3 of it (a kernel's profile: bind 0.33 ms, parse 0.13 ms
 * per new cell), although only the names and their order are read, and the program binds the
 * same text again moments later. This reads them off the parsed file: the declarations the
 * binder puts into a module file's `locals`, in the order it puts them there (see topLevelNames).
 *
 * The answer is checked, not trusted: the program built with `export { names }` binds the cell,
 * and the converter (the `names` patch, engine_tslab.ts) compares its `locals` with the names
 * used; on any difference it builds the program again with the binder's names, as tslab did. So a
 * wrong answer here costs one rebuild, never a wrong cell; `counts.redone` counts them (the tests
 * require none on their corpora). Cells of a shape the reading is not sure of (a `var` or a
 * declaration in a nested statement it does not follow, `declare global`, `export` modifiers,
 * syntax errors) answer undefined and are bound as before.
 */
type TS = any;

/** Cells whose names were read here, were bound instead (undefined here), and were rebuilt after a wrong reading. */
export const counts = { read: 0, bound: 0, redone: 0 };

/**
 * The binder's top-level names of `sf` (parsed, not bound, a TypeScript module), in its order, or
 * undefined when unsure.
 *
 * What the binder does for a module file (TypeScript 5.0 binder.ts), and so what is read here:
 * - it binds the function declarations of a statement list first, then the other statements
 *   (bindEachFunctionsFirst); a name declared twice keeps its first place (a Map's key);
 * - into the file's locals go the top-level declarations without `export` (function, class,
 *   interface, type alias, enum, namespace, `let`/`const`/`var` names, binding patterns' names
 *   in order, import clauses' names, import aliases), and every `var` (with binding patterns) of
 *   a nested statement outside functions and classes (blocks, loops, `if`, `try`, `switch`,
 *   labels), in document order;
 * - not: declarations in a block, a loop's head or a catch clause (their own scopes), expressions
 *   (functions and classes in them are scopes), `export { ... }` lists and `export =` (the
 *   module's exports).
 * Declarations the binder would also put into the file's locals from a nested position (a
 * function or `let` as the body of an `if` without braces) are not followed: undefined.
 */
export function topLevelNames(ts: TS, sf: TS): string[] | undefined {
  const K = ts.SyntaxKind;
  if (sf.parseDiagnostics?.length || !sf.externalModuleIndicator || ts.isSourceFileJS(sf)) return undefined;
  const names = new Set<string>();
  let sure = true;
  const identifier = (n: TS): void => {
    if (n?.kind === K.Identifier && n.escapedText !== "") names.add(n.escapedText);
    else sure = false;
  };
  const binding = (n: TS): void => {
    if (n.kind === K.ObjectBindingPattern || n.kind === K.ArrayBindingPattern) {
      for (const e of n.elements) if (e.kind !== K.OmittedExpression) binding(e.name);
    } else identifier(n);
  };
  const declarationList = (list: TS): void => { for (const d of list.declarations) binding(d.name); };
  const isVar = (list: TS) => (list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) === 0;
  const plain = (st: TS) => !(st.modifiers ?? []).some((m: TS) => m.kind === K.ExportKeyword || m.kind === K.DefaultKeyword);

  /**
   * A statement below the top level, or a top-level statement that is not a declaration: its
   * `var`s are the file's. `inBlock`: it sits in a scope of its own (a block, a loop's body, a
   * case clause), where a function, class, `let`... declared is that scope's; elsewhere (the body
   * of an `if`, a label) it would be the file's: not followed.
   */
  const nested = (st: TS | undefined, inBlock: boolean): void => {
    if (!st || !sure) return;
    switch (st.kind) {
      case K.VariableStatement:
        if (isVar(st.declarationList)) declarationList(st.declarationList);
        else if (!inBlock) sure = false;
        return;
      case K.Block: for (const s of st.statements) nested(s, true); return;
      case K.IfStatement: nested(st.thenStatement, false); nested(st.elseStatement, false); return;
      case K.DoStatement: case K.WhileStatement: case K.LabeledStatement: case K.WithStatement: nested(st.statement, false); return;
      case K.ForStatement: case K.ForInStatement: case K.ForOfStatement:
        if (st.initializer?.kind === K.VariableDeclarationList && isVar(st.initializer)) declarationList(st.initializer);
        nested(st.statement, true);
        return;
      case K.TryStatement:
        nested(st.tryBlock, true);
        if (st.catchClause) nested(st.catchClause.block, true);
        nested(st.finallyBlock, true);
        return;
      case K.SwitchStatement: for (const c of st.caseBlock.clauses) for (const s of c.statements) nested(s, true); return;
      case K.ExpressionStatement: case K.EmptyStatement: case K.ReturnStatement: case K.ThrowStatement:
      case K.BreakStatement: case K.ContinueStatement: case K.DebuggerStatement:
        return;
      case K.FunctionDeclaration: case K.ClassDeclaration: case K.InterfaceDeclaration: case K.TypeAliasDeclaration: case K.EnumDeclaration:
        if (!inBlock) sure = false;
        return;
      default:
        // a namespace or an import in a block is bound into the file (a grammar error the checker
        // reports), and anything else is not followed
        sure = false;
    }
  };

  for (const st of sf.statements) {
    if (st.kind !== K.FunctionDeclaration) continue;
    if (!plain(st)) return undefined;
    identifier(st.name);
  }
  for (const st of sf.statements) {
    if (!sure) return undefined;
    switch (st.kind) {
      case K.FunctionDeclaration: break;
      case K.VariableStatement: case K.ClassDeclaration: case K.InterfaceDeclaration: case K.TypeAliasDeclaration:
      case K.EnumDeclaration: case K.ModuleDeclaration: case K.ImportEqualsDeclaration:
        if (!plain(st)) return undefined;
        if (st.kind === K.VariableStatement) declarationList(st.declarationList);
        // `declare global`, `declare module "m"`: augmentations, not names
        else if (st.kind === K.ModuleDeclaration && (st.name.kind !== K.Identifier || st.flags & ts.NodeFlags.GlobalAugmentation)) return undefined;
        else identifier(st.name);
        break;
      case K.ImportDeclaration: {
        const clause = st.importClause;
        if (!clause) break;
        if (clause.name) identifier(clause.name);
        const b = clause.namedBindings;
        if (b?.kind === K.NamespaceImport) identifier(b.name);
        else if (b) for (const e of b.elements) identifier(e.name);
        break;
      }
      // the module's exports, not its locals
      case K.ExportDeclaration: case K.ExportAssignment: break;
      default: nested(st, false);
    }
  }
  return sure ? [...names] : undefined;
}

/** Whether `locals` (the bound cell's table) differs from `names` in any name or in their order. */
export function differ(locals: Map<string, unknown> | undefined, names: Set<string>): boolean {
  if ((locals?.size ?? 0) !== names.size) return true;
  if (!locals) return false;
  const it = names.values();
  for (const key of locals.keys()) if (it.next().value !== key) return true;
  return false;
}
