/**
 * Loads tslab's converter (tslab/dist/converter: tslab's own code on tslab's TypeScript 5.0) and
 * takes eight kinds of waste out of converting a new cell, without changing any result but for the
 * layout of printed types (5. the order of a union's members, see shared_checker.ts; 6. the line
 * breaks of kept declarations, see decls_print.ts), and fixes two bugs of tslab's (namespaces and
 * import aliases dropped from the carried declarations).
 * test/kernel/engine_converter.test.ts runs stock tslab and this side by side on the same cells
 * and requires identical output, declarations, diagnostics and emitted local modules.
 *
 * 1. The builder program. tslab drives TypeScript's watch program and passes no `createProgram`
 *    to `createWatchCompilerHost`, so TypeScript picks its EmitAndSemanticDiagnosticsBuilder.
 *    That builder exists for incremental multi-file emit: on every rebuild it walks every file
 *    of the program (55 lib files, @types/node, the whole torch .d.ts tree: ~280 files) to map
 *    who references whom, creating a type checker to do so; a third of a new cell's cost. tslab
 *    uses none of it but `getAllDependencies(cell)` (the user's .ts files the cell imports,
 *    checked and emitted with it). Here the builder is TypeScript's plain `createAbstractBuilder`
 *    (just the program: same files, options, checker, diagnostics, emit) plus that query
 *    (allDependencies) and binding on `getSourceFile` (tslab reads the cell's binder table
 *    `locals`, which the old builder's checker had filled as a side effect).
 * 2. The first of convert()'s two rebuilds, made only to learn the cell's top-level names, is
 *    left out when the cell declares names: they are read from the cell parsed on its own
 *    (cellNames, cell_names.ts; bound, when that reading is unsure), and the program built with
 *    them binds the cell and must find the same names, else it is built again with its binder's
 *    (CONVERTER_PATCHES `names`).
 * 3. The ES-module-to-CommonJS pass skips a type check whose result nobody reads
 *    (transpileModuleUnchecked).
 * 4. For the usual shape of a cell's module (declarations, statements, an export list) that pass
 *    needs no compiler at all: the CommonJS text is spliced from the ES module text
 *    (esModuleToCommonJsDirect), the same text TypeScript prints, without a program and a
 *    checker per cell.
 * 5. Consecutive cells share one type checker instead of building one per cell (shared_checker.ts,
 *    through a hook tslab_typescript.ts puts into TypeScript's createProgram).
 * 6. The previous cells' declarations are copied instead of reprinted for every cell, and their
 *    parsed file is reused while its text stays (decls_print.ts, reusingDeclarations).
 * 7. The declaration transform ran twice per cell: once for the declaration diagnostics, once
 *    in the emit. The emit's run now reports them (decl_diagnostics.ts).
 * 8. tslab's last transform of a cell (wrapPrevIdentifier, through live_bindings.ts visitLive)
 *    asked the checker for the symbol of every identifier of the cell, to find the earlier cells'
 *    names; only a name the earlier cells' declarations file declares, or one the cell declares at
 *    its top level, can be rewritten, so only those are looked up (mayGoThroughExports; a cell's
 *    parameters, locals and library names are not). The same for the walk that finds the cell's
 *    variables written by its closures. Checked: LRLAB_CHECK_LIVE_NAMES=1 looks every skipped name
 *    up anyway (test/kernel/live_bindings.test.ts), and test/kernel/engine_converter.test.ts runs
 *    stock tslab with every identifier looked up (LRLAB_LIVE_NAMES=all).
 * The bugs: tslab dropped a namespace, and an import alias (`import nn = torch.nn;`), from the
 * declarations at the next cell (CONVERTER_PATCHES).
 *
 * How the converter gets them: converter.js reads `createWatchCompilerHost` and
 * `transpileModule` from the module `@tslab/typescript-for-tslab` when it calls them. A private
 * copy of converter.js, compiled from its text with CONVERTER_PATCHES (6. and the bugs), is loaded
 * with that module id mapped, during the load only, to an object that inherits everything from
 * the real TypeScript module and overrides those two functions; each converter's convert() is
 * wrapped to mark its first rebuild. The real module and any other user of converter.js
 * (is_complete.ts) are untouched.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as declDiagnostics from "./decl_diagnostics";
import * as declsPrint from "./decls_print";
import { applyTextPatches, moduleFor, type LoadableModule, type TextPatch } from "./patched_module";
import { readLiveSwitches, visitLive } from "./live_bindings";
import { checkerFor, lastProgramShared, withoutSharing, withSortedUnions } from "./shared_checker";
import { counts as cellNamesCounts, differ as namesDiffer, topLevelNames } from "./cell_names";
import { hooks, loadTslabTypeScript } from "./tslab_typescript";
import { sameTokens } from "./ts_tokens";
import { cellCompilerOptions, withoutNodeModulesWatches } from "./watch_host";

type TS = any;

const tslabDir = path.dirname(require.resolve("tslab/package.json"));
const tsPath = require.resolve("@tslab/typescript-for-tslab", { paths: [tslabDir] });
const converterPath = require.resolve("tslab/dist/converter");

/** TypeScript as tslab loads it (a TypeScript 5.0 with tslab's additions); loaded on first use. */
let ts: TS = null;

/** tslab's TypeScript module (loaded now if not yet), with the hooks of tslab_typescript.ts. */
export function tslabTypeScript(): TS {
  if (!ts) {
    ts = loadTslabTypeScript(tsPath);
    hooks.checkerFor = (program, create) => checkerFor(ts, program, create);
  }
  return ts;
}

/**
 * The files `sourceFile` depends on, itself first: the transitive closure over resolved imports,
 * referenced files, resolved type references and multiply-declared ambient modules, visited with
 * a stack as TypeScript's BuilderState.getAllDependencies does (so emit order is unchanged).
 */
export function allDependencies(program: TS, sourceFile: TS): string[] {
  // tslab keeps only the .ts/.js sources among the dependencies. When the program has no such
  // file besides this one (no cell imported a local file), the walk could find nothing else.
  const isSource = (f: string) => f.endsWith(".js") || (f.endsWith(".ts") && !f.endsWith(".d.ts"));
  if (!program.getSourceFiles().some((f: TS) => f !== sourceFile && isSource(f.fileName))) return [sourceFile.fileName];
  const byPath = (p: string) => program.getSourceFileByPath(p);
  let ambient: string[] | null = null;
  const ambientFiles = (): string[] => {
    if (ambient) return ambient;
    const out = new Set<string>();
    for (const m of program.getTypeChecker().getAmbientModules()) {
      if (m.declarations && m.declarations.length > 1) for (const d of m.declarations) out.add(d.getSourceFile().resolvedPath);
    }
    return (ambient = [...out]);
  };
  const referenced = (sf: TS): string[] => {
    const out: string[] = [];
    for (const imp of sf.imports ?? []) {
      const r = ts.getResolvedModule(sf, imp.text, ts.getModeForUsageLocation(sf, imp));
      const target = r && program.getSourceFile(r.resolvedFileName);
      if (target) out.push(target.resolvedPath);
    }
    const dir = path.posix.dirname(sf.resolvedPath);
    for (const ref of sf.referencedFiles ?? []) {
      const target = program.getSourceFile(ts.resolvePath(dir, ref.fileName));
      if (target) out.push(target.resolvedPath);
    }
    sf.resolvedTypeReferenceDirectiveNames?.forEach((r: TS) => {
      const target = r?.resolvedTypeReferenceDirective && program.getSourceFile(r.resolvedTypeReferenceDirective.resolvedFileName);
      if (target) out.push(target.resolvedPath);
    });
    for (const name of sf.moduleAugmentations ?? []) {
      if (!ts.isStringLiteral(name)) continue;
      const symbol = program.getTypeChecker().getSymbolAtLocation(name);
      for (const d of symbol?.declarations ?? []) if (d.getSourceFile() !== sf) out.push(d.getSourceFile().resolvedPath);
    }
    for (const p of ambientFiles()) if (p !== sf.resolvedPath) out.push(p);
    return out;
  };
  const seen = new Set<string>();
  const stack: string[] = [sourceFile.resolvedPath];
  while (stack.length) {
    const p = stack.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    const sf = byPath(p);
    if (sf) stack.push(...new Set(referenced(sf)));
  }
  return [...seen].map((p) => byPath(p)?.fileName ?? p);
}

/** The program of the converter's latest build (null before the first). */
let lastProgram: TS = null;

/**
 * The program the converter built last: it holds the library's declarations, parsed and bound,
 * which module_docs.ts reads instead of parsing them all again (0.6 s on first use).
 */
export function latestProgram(): TS {
  return lastProgram;
}

/** The previous cells' declarations file each watch host (converter) parsed last. */
const lastDeclarations = new WeakMap<object, TS>();

/**
 * The watch host, except that the previous cells' declarations file is the one parsed last when
 * its text is the same. tslab tells the watch that the file changed before every rebuild, so it
 * was parsed and bound again for every cell although most cells leave it as it was (a cell
 * redeclaring its own names, a cell that declares nothing): 10 ms per cell after 1000 declared
 * names. The parsed file is as its text says: remainingDecls, which filtered its statements in
 * place, puts them back (decls_print.ts); a file it did not put back (an error in between) is
 * parsed again.
 */
function reusingDeclarations(host: TS, options: TS): TS {
  const isDecls = (f: string) => /(^|\/)__prev__\.d\.ts$/.test(f);
  const wrap = (original: (...a: TS[]) => TS) => (fileName: string, ...rest: TS[]): TS => {
    if (!isDecls(fileName)) return original(fileName, ...rest);
    const last = lastDeclarations.get(host);
    if (last && last.fileName === fileName && last.options === options && !declsPrint.changed.has(last.sf)
      && host.readFile(fileName) === last.sf.text) return last.sf;
    const sf = original(fileName, ...rest);
    if (sf) lastDeclarations.set(host, { fileName, options, sf });
    return sf;
  };
  const wrapped = Object.create(host);
  wrapped.getSourceFile = wrap(host.getSourceFile.bind(host));
  if (host.getSourceFileByPath) wrapped.getSourceFileByPath = wrap(host.getSourceFileByPath.bind(host));
  return wrapped;
}

/** createProgram for the watch host: the program itself as a builder (header, point 1). */
function createPlainBuilder(rootNames: TS, options: TS, host: TS, oldBuilder: TS, configDiagnostics: TS, references: TS): TS {
  const builder = ts.createAbstractBuilder(rootNames, options, reusingDeclarations(host, options), oldBuilder, configDiagnostics, references);
  const program = builder.getProgram();
  lastProgram = program;
  builder.getSourceFile = (fileName: string) => {
    const sf = program.getSourceFile(fileName);
    if (sf && !sf.locals) ts.bindSourceFile(sf, program.getCompilerOptions());
    return sf;
  };
  builder.getAllDependencies = (sf: TS) => allDependencies(program, sf);
  return builder;
}

/**
 * `ts.transpileModule` as tslab calls it (ES module output of the cell -> CommonJS), minus the
 * type check. TypeScript 5.0's emit asks the checker for its "emit resolver", which first
 * type-checks the whole file; for a JavaScript file in a lib-less, isolated program that check
 * only produces diagnostics nobody reads (transpileModule does not report semantic ones), yet it
 * was 40% of transpileModule and a quarter of it went to looking up "did you mean another lib?"
 * suggestions for every global name. The resolver's answers that the CommonJS module transform
 * needs (which declaration an identifier refers to, whether an export is a value) are computed
 * on demand, so the output is the same; test/kernel/engine_converter.test.ts compares it with
 * `ts.transpileModule` on every cell of a session and on a corpus of module shapes.
 *
 * Same steps as transpileModule otherwise: its option fix-ups and defaults, the options every
 * transpile forces (isolatedModules, noLib, noResolve, ...), one parsed file, one program, one
 * emit. The check is skipped the way TypeScript skips it for files it must not check: the
 * checker asks its host (the program) `isSourceOfProjectReferenceRedirect(file)`.
 * Calls with any other transpile option go to the real transpileModule.
 */
export function transpileModuleUnchecked(input: string, transpileOptions: TS): TS {
  tslabTypeScript();
  const keys = Object.keys(transpileOptions);
  const co = transpileOptions.compilerOptions;
  if (keys.some((k) => k !== "fileName" && k !== "compilerOptions") || !co || co.verbatimModuleSyntax || !transpileOptions.fileName) {
    return ts.transpileModule(input, transpileOptions);
  }
  if (isTslabCommonJs(co) && transpileOptions.fileName.endsWith(".js")) {
    const direct = esModuleToCommonJsDirect(input, co.target);
    if (direct !== undefined) {
      if (process.env.LRLAB_CHECK_DIRECT_CJS === "1") checkDirect(input, direct, transpileProgram(input, transpileOptions).outputText);
      return { outputText: direct, diagnostics: [], sourceMapText: undefined };
    }
  }
  return transpileProgram(input, transpileOptions);
}

/**
 * With LRLAB_CHECK_DIRECT_CJS=1 (npm test sets it, so every cell the test suite runs through a
 * kernel or an engine is checked), each module written by esModuleToCommonJsDirect is compared
 * with what TypeScript's transform prints for it, token by token: the same program. (Not text:
 * the printer lays out again what it kept on one line from the user's source, e.g. a one-line
 * function body, so the two texts may differ in line breaks.) A difference fails the cell,
 * naming both.
 */
export function checkDirect(input: string, direct: string, printed: string): void {
  if (sameTokens(ts, direct, printed, "check.js")) return;
  throw new Error(
    "lrlab internal error: the CommonJS written for this cell differs from TypeScript's "
    + `(esModuleToCommonJsDirect).\n--- module ---\n${input}--- written ---\n${direct}--- TypeScript ---\n${printed}`,
  );
}

/** transpileModuleUnchecked's program path: one parsed file, one program, one emit, no check. */
function transpileProgram(input: string, transpileOptions: TS): TS {
  const co = transpileOptions.compilerOptions;
  const diagnostics: TS[] = [];
  const options = ts.fixupCompilerOptions(co, diagnostics);
  const defaults = ts.getDefaultCompilerOptions();
  for (const k of Object.keys(defaults)) if (options[k] === undefined) options[k] = defaults[k];
  for (const o of ts.transpileOptionValueCompilerOptions) options[o.name] = o.transpileOptionValue;
  options.suppressOutputPathCheck = true;
  options.allowNonTsExtensions = true;
  const fileName: string = transpileOptions.fileName;
  const newLine = ts.getNewLineCharacter(options);
  let outputText: string | undefined;
  const host = {
    getSourceFile: (f: string) => (f === ts.normalizePath(fileName) ? sourceFile : undefined),
    writeFile: (name: string, text: string) => { if (!name.endsWith(".map")) outputText = text; },
    getDefaultLibFileName: () => "lib.d.ts",
    useCaseSensitiveFileNames: () => false,
    getCanonicalFileName: (f: string) => f,
    getCurrentDirectory: () => "",
    getNewLine: () => newLine,
    fileExists: (f: string) => f === fileName,
    readFile: () => "",
    directoryExists: () => true,
    getDirectories: () => [],
  };
  const sourceFile = ts.createSourceFile(fileName, input, {
    languageVersion: ts.getEmitScriptTarget(options),
    impliedNodeFormat: ts.getImpliedNodeFormatForFile(ts.toPath(fileName, "", host.getCanonicalFileName), undefined, host, options),
    setExternalModuleIndicator: ts.getSetExternalModuleIndicator(options),
  });
  const program = ts.createProgram([fileName], options, host);
  const redirect = program.isSourceOfProjectReferenceRedirect;
  program.isSourceOfProjectReferenceRedirect = (f: string) => f === sourceFile.fileName || redirect(f);
  program.emit();
  if (outputText === undefined) throw new Error(`transpile of ${fileName} produced no output`);
  return { outputText, diagnostics, sourceMapText: undefined };
}

/** Exactly the compiler options tslab's esModuleToCommonJSModule passes, for a Node >= 18 target. */
function isTslabCommonJs(co: TS): boolean {
  const keys = Object.keys(co);
  return keys.length === 5 && co.module === ts.ModuleKind.CommonJS && co.esModuleInterop === true && co.target === ts.ScriptTarget.ES2022
    && co.newLine === ts.NewLineKind.LineFeed && co.noImplicitUseStrict === true;
}

/**
 * The CommonJS text of tslab's ES module output for the common shape of a cell, written directly;
 * undefined when the module is not of that shape (then transpileModuleUnchecked runs TypeScript).
 *
 * Why: the transpile builds a program and a type checker for a file of a few lines; that was
 * 2-3 ms of a new cell's ~10 ms and a quarter of everything it allocates (more garbage
 * collection). For the shape below, TypeScript's CommonJS transform only moves exports around
 * and prints every other statement unchanged, and its printer reprints its own output as it
 * was (the input was printed by it, same options; the one exception found, a one-line function
 * body holding a statement printed on a line of its own, is declined below), so the result can
 * be spliced from the input text: the `__esModule` marker, `exports.x = ... = void 0;` for the exported names (last
 * first), every statement as it is (with its comments), `exports.x = x;` after the statement
 * declaring x, `export const x = e;` as `exports.x = e;`, writes to exported `let`s prefixed with
 * `exports.x = `, and the `export {...}` lists dropped with their comments.
 * test/kernel/engine_converter.test.ts compares this with stock tslab and with
 * ts.transpileModule on a corpus of cells and modules, in and out of the shape; and under
 * `npm test` every cell of every test is checked against TypeScript's transform as it runs
 * (LRLAB_CHECK_DIRECT_CJS, checkDirect).
 *
 * The shape, checked on the parsed input; anything else (or unsure) answers undefined:
 * - no syntax errors, no import/require/module/import.meta/decorators/`accessor`, no
 *   `exports` except as `exports.name`, no `this` outside functions and classes, no
 *   declarations named Object/exports/require/module, no directive prologue;
 * - exports only as `export { a, b }` of names declared once by top-level `function`, `class`,
 *   or `const`/`let` statements with plain identifiers, plus `export const x = e;` (one
 *   declarator, x used nowhere else); at most 50 exported names; an exported name is written
 *   only by whole expression statements (`x = e;`, `x += e;`, `x++;`, ...) and only if it is a
 *   `let` declared nowhere else (those the transform rewrites as `exports.x = x = e;` and
 *   `exports.x = (x++, x);`; other writes need its temporaries);
 * - the layout of printer output: each top-level statement starts a line, only comments follow
 *   it on its line, no blank lines, nothing after the last statement. Comments before a
 *   statement go with it (before the first one: after the two header lines, as TypeScript
 *   prints them).
 */
export function esModuleToCommonJsDirect(input: string, target: number): string | undefined {
  tslabTypeScript();
  const K = ts.SyntaxKind;
  // names are compared as the parser keeps them (escapedText: `__x` is "___x") and written as
  // they are spelt
  const unescaped = (name: string): string => ts.unescapeLeadingUnderscores(name);
  if (input.startsWith("#!") || input.includes("\n\n") || input.includes("\r")) return undefined;
  if (!input.endsWith("\n")) return undefined;
  // without parent pointers (the walk below passes each node's parent): setting them was a second
  // pass over the tree, ~0.2 ms of a new cell in a kernel (p50 of alternated cells)
  const sf = ts.createSourceFile("custom.js", input, target, /*setParentNodes*/ false, ts.ScriptKind.JS);
  if (sf.parseDiagnostics?.length) return undefined;
  const statements: TS[] = sf.statements;
  if (statements.length === 0) return undefined;

  // Top level: what is exported, by which statement, and how.
  const exported: string[] = [];
  const declaredBy = new Map<string, TS>();
  const lastExpr = new Map<TS, string>(); // `export const x = e;` statements
  let declaredTwice = false;
  const declare = (name: string, stmt: TS) => { declaredTwice ||= declaredBy.has(name); declaredBy.set(name, stmt); };
  const hasModifier = (n: TS, kind: number) => (n.modifiers ?? []).some((m: TS) => m.kind === kind);
  {
    for (const st of statements) {
      if (st.kind === K.ExportDeclaration) {
        if (st.moduleSpecifier || st.isTypeOnly || st.assertClause || st.modifiers?.length) return undefined;
        const clause = st.exportClause;
        if (clause && clause.kind !== K.NamedExports) return undefined;
        for (const sp of clause?.elements ?? []) {
          if (sp.propertyName || sp.isTypeOnly || sp.name.kind !== K.Identifier) return undefined;
          exported.push(sp.name.escapedText);
        }
        continue;
      }
      if (st.kind === K.VariableStatement) {
        const list = st.declarationList;
        if (hasModifier(st, K.ExportKeyword)) {
          const d = list.declarations[0];
          if (st.modifiers.length !== 1 || !(list.flags & ts.NodeFlags.Const) || list.declarations.length !== 1 || d.name.kind !== K.Identifier || !d.initializer || d.exclamationToken || d.type) return undefined;
          const name: string = d.name.escapedText;
          // exactly `export const x = e;` (the printer's spelling), e right after "= "
          if (input.slice(st.getStart(sf), d.initializer.pos) !== `export const ${name} =` || d.initializer.getStart(sf) !== d.initializer.pos + 1) return undefined;
          exported.push(name);
          declare(name, st);
          lastExpr.set(st, name);
          continue;
        }
        if (st.modifiers?.length || !(list.flags & (ts.NodeFlags.Const | ts.NodeFlags.Let))) return undefined;
        for (const d of list.declarations) {
          if (d.name.kind !== K.Identifier) return undefined;
          declare(d.name.escapedText, st);
        }
        continue;
      }
      if (st.kind === K.FunctionDeclaration || st.kind === K.ClassDeclaration) {
        if (st.modifiers?.some((m: TS) => m.kind !== K.AsyncKeyword) || !st.name) return undefined;
        declare(st.name.escapedText, st);
        continue;
      }
      if (st.kind === K.ExpressionStatement && st.expression.kind === K.StringLiteral) return undefined; // a prologue
    }
  }
  if (declaredTwice || exported.length > 50 || new Set(exported).size !== exported.length) return undefined;
  const exportedSet = new Set(exported);
  for (const name of exported) if (!declaredBy.has(name)) return undefined;
  for (const [st, name] of lastExpr) if (declaredBy.get(name) !== st) return undefined;

  // Everywhere: nothing the module transform rewrites.
  const written = new Set<string>();
  // Writes TypeScript rewrites without temporaries: a whole expression statement `x = e;`,
  // `x op= e;`, `++x;`/`--x;` (-> `exports.x = ...;`) or `x++;`/`x--;` (-> `exports.x = (x++, x);`)
  // where x is an exported `let` declared nowhere else. Any other write to an exported name
  // declines the module.
  const exportedLets = new Set(exported.filter((n) => {
    const st = declaredBy.get(n);
    return st.kind === K.VariableStatement && !lastExpr.has(st) && (st.declarationList.flags & ts.NodeFlags.Let);
  }));
  const exempt = new Set<TS>();
  const edits: { pos: number; end: number; text: string; name: string }[] = [];
  const declarations = new Map<string, number>();
  const statementWrite = (st: TS): void => {
    const e = st.expression;
    const isAssign = e.kind === K.BinaryExpression && e.operatorToken.kind >= K.FirstAssignment && e.operatorToken.kind <= K.LastAssignment;
    const isStep = (e.kind === K.PrefixUnaryExpression || e.kind === K.PostfixUnaryExpression) && (e.operator === K.PlusPlusToken || e.operator === K.MinusMinusToken);
    const target = isAssign ? e.left : isStep ? e.operand : undefined;
    if (!target || target.kind !== K.Identifier || !exportedLets.has(target.escapedText)) return;
    const name: string = target.escapedText;
    const written = unescaped(name);
    const start = e.getStart(sf);
    if (e.kind === K.PostfixUnaryExpression) {
      const op = e.operator === K.PlusPlusToken ? "++" : "--";
      if (input.slice(start, e.end) !== written + op) return; // the printer's spelling, or decline
      edits.push({ pos: start, end: e.end, text: `exports.${written} = (${written}${op}, ${written})`, name });
    } else {
      edits.push({ pos: start, end: start, text: `exports.${written} = `, name });
    }
    exempt.add(e);
  };
  const targets = (e: TS): void => {
    switch (e.kind) {
      case K.Identifier: written.add(e.escapedText); return;
      case K.ParenthesizedExpression: targets(e.expression); return;
      case K.ObjectLiteralExpression:
        for (const p of e.properties) {
          if (p.kind === K.PropertyAssignment) targets(p.initializer);
          else if (p.kind === K.ShorthandPropertyAssignment) written.add(p.name.escapedText);
          else if (p.kind === K.SpreadAssignment) targets(p.expression);
        }
        return;
      case K.ArrayLiteralExpression:
        for (const el of e.elements) {
          if (el.kind === K.SpreadElement) targets(el.expression);
          else if (el.kind === K.BinaryExpression && el.operatorToken.kind === K.EqualsToken) targets(el.left);
          else targets(el);
        }
        return;
      case K.BinaryExpression: if (e.operatorToken.kind === K.EqualsToken) targets(e.left); return;
    }
  };
  const identifierCount = new Map<string, number>();
  const reserved = new Set(["require", "module", "__esModule", "__importStar", "__importDefault", "__createBinding", "__setModuleDefault", "__exportStar", "__exportDefault"]);
  const noDeclare = new Set(["Object", "exports", "require", "module"]);
  let ok = true;
  const line = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line;
  const FUNCTION_LIKE = new Set([K.FunctionDeclaration, K.FunctionExpression, K.ArrowFunction, K.MethodDeclaration, K.Constructor, K.GetAccessor, K.SetAccessor, K.ClassStaticBlockDeclaration]);
  const visit = (n: TS, inFunction: boolean, parent: TS): void => {
    if (!ok) return;
    if (FUNCTION_LIKE.has(n.kind)) {
      // A body the first print kept on the user's one line, with a statement the printer put on
      // a line of its own (`{ let s = 0; for (...)\n    s += v; return s; }`), is laid out
      // again by a second print: the same program, another text. Declined, so that the output
      // stays TypeScript's text (engine_converter.test.ts compares it with stock tslab's).
      const body = n.body;
      if (body?.kind === K.Block && body.statements.length > 0) {
        const open = line(body.getStart(sf));
        if (open !== line(body.end) && line(body.statements[0].getStart(sf)) === open) { ok = false; return; }
      }
    }
    switch (n.kind) {
      case K.ImportDeclaration: case K.ImportEqualsDeclaration: case K.ImportKeyword: case K.MetaProperty:
      case K.ExportAssignment: case K.Decorator: case K.AccessorKeyword: case K.ExportDeclaration:
        if (n.kind !== K.ExportDeclaration || parent !== sf) { ok = false; return; }
        break;
      case K.ThisKeyword: if (!inFunction) { ok = false; return; } break;
      case K.Identifier: {
        const t: string = n.escapedText;
        if (reserved.has(t)) { ok = false; return; }
        identifierCount.set(t, (identifierCount.get(t) ?? 0) + 1);
        const p = parent;
        if (t === "exports" && !(p.kind === K.PropertyAccessExpression && p.expression === n)) { ok = false; return; }
        if (noDeclare.has(t) && p.name === n && p.kind !== K.PropertyAccessExpression && p.kind !== K.PropertyAssignment && p.kind !== K.ExportSpecifier) { ok = false; return; }
        break;
      }
      case K.ExpressionStatement: statementWrite(n); break;
      case K.VariableDeclaration: case K.Parameter: case K.BindingElement: case K.FunctionDeclaration:
      case K.FunctionExpression: case K.ClassDeclaration: case K.ClassExpression:
        if (n.name?.kind === K.Identifier) declarations.set(n.name.escapedText, (declarations.get(n.name.escapedText) ?? 0) + 1);
        break;
      case K.BinaryExpression: {
        const op = n.operatorToken.kind;
        if (op >= K.FirstAssignment && op <= K.LastAssignment && !exempt.has(n)) targets(n.left);
        break;
      }
      case K.PrefixUnaryExpression: case K.PostfixUnaryExpression:
        if ((n.operator === K.PlusPlusToken || n.operator === K.MinusMinusToken) && !exempt.has(n)) targets(n.operand);
        break;
      case K.ForInStatement: case K.ForOfStatement:
        if (n.initializer.kind !== K.VariableDeclarationList) targets(n.initializer);
        break;
    }
    const fn = n.kind === K.FunctionDeclaration || n.kind === K.FunctionExpression || n.kind === K.MethodDeclaration || n.kind === K.Constructor
      || n.kind === K.GetAccessor || n.kind === K.SetAccessor || n.kind === K.ClassDeclaration || n.kind === K.ClassExpression;
    ts.forEachChild(n, (c: TS) => visit(c, inFunction || fn, n));
  };
  for (const st of statements) visit(st, false, sf);
  if (!ok) return undefined;
  for (const name of written) if (exportedSet.has(name)) return undefined;
  for (const e of edits) if (declarations.get(e.name) !== 1) return undefined;
  for (const name of lastExpr.values()) if (identifierCount.get(name) !== 1) return undefined;

  // Layout, and the output.
  edits.sort((a, b) => a.pos - b.pos);
  /** input[from, to) with the write edits inside it applied. */
  const edited = (from: number, to: number): string => {
    let text = "", at = from;
    for (const e of edits) {
      if (e.pos < from || e.pos >= to) continue;
      text += input.slice(at, e.pos) + e.text;
      at = e.end;
    }
    return text + input.slice(at, to);
  };
  let out = 'Object.defineProperty(exports, "__esModule", { value: true });\n';
  if (exported.length) out += exported.slice().reverse().map((n) => `exports.${unescaped(n)} = `).join("") + "void 0;\n";
  let chunkStart = 0;
  for (let i = 0; i < statements.length; i++) {
    const st = statements[i];
    const start = st.getStart(sf);
    if (start > 0 && input.charCodeAt(start - 1) !== 10) return undefined;
    let end = st.end;
    for (const c of ts.getTrailingCommentRanges(input, st.end) ?? []) end = c.end;
    const nl = input.indexOf("\n", end);
    const lineEnd = nl < 0 ? input.length : nl + 1;
    if (input.slice(end, nl < 0 ? input.length : nl).trim() !== "") return undefined;
    if (st.kind !== K.ExportDeclaration) {
      const name = lastExpr.get(st);
      out += name === undefined ? edited(chunkStart, lineEnd) : edited(chunkStart, start) + `exports.${unescaped(name)} =` + edited(st.declarationList.declarations[0].initializer.pos, lineEnd);
      if (name === undefined) {
        const names: string[] = st.kind === K.VariableStatement ? st.declarationList.declarations.map((d: TS) => d.name.escapedText)
          : st.kind === K.FunctionDeclaration || st.kind === K.ClassDeclaration ? [st.name.escapedText] : [];
        for (const n of names) if (exportedSet.has(n)) out += `exports.${unescaped(n)} = ${unescaped(n)};\n`;
      }
    }
    chunkStart = lineEnd;
  }
  if (chunkStart !== input.length) return undefined;
  return out;
}

/**
 * The top-level names of a cell, for tslab's convert(), which rebuilt the whole program once only
 * to read them (the binder's `locals` of the cell file) and then again with `export { those
 * names }` appended, using that second program for everything. A rebuild of the watch program
 * costs more than parsing the cell on its own, with the same text and the options of the program
 * (so the same names, in the same order). The names are read off the parsed cell (cell_names.ts;
 * the converter checks them against the program's binder and rebuilds when they differ), or,
 * when that reading is unsure, from the cell bound on its own (always with LRLAB_CELL_NAMES=bind;
 * LRLAB_CELL_NAMES=0 rebuilds as tslab did). When the cell declares nothing
 * (null here), tslab keeps the first program, so it is built as before.
 */
export function cellNames(builder: TS, fileName: string, text: string): Map<string, unknown> | null {
  if (process.env.LRLAB_CELL_NAMES === "0") return null;
  const options = builder.getProgram().getCompilerOptions();
  const cell = ts.createSourceFile(fileName, text, {
    languageVersion: ts.getEmitScriptTarget(options),
    setExternalModuleIndicator: ts.getSetExternalModuleIndicator(options),
  });
  const mode = process.env.LRLAB_CELL_NAMES;
  let read = mode === "bind" ? undefined : topLevelNames(ts, cell);
  // a wrong reading on purpose (LRLAB_CELL_NAMES=misread), for the test of the converter's check
  if (read !== undefined && read.length > 0 && mode === "misread") read = [...read.reverse(), "lrlabMisread"];
  if (read !== undefined) {
    cellNamesCounts.read++;
    return read.length > 0 ? new Map(read.map((n) => [n, true])) : null;
  }
  cellNamesCounts.bound++;
  ts.bindSourceFile(cell, options);
  return cell.locals && cell.locals.size > 0 ? cell.locals : null;
}

/**
 * The `names` patch's check, after the program was built with the names cellNames gave (`keys`):
 * whether the program's binder found other names in the cell (then the converter builds it again
 * with the binder's names, tslab's way).
 */
export function cellNamesDiffer(srcFile: TS, keys: Set<string>): boolean {
  const differs = namesDiffer(srcFile.locals, keys);
  if (differs) cellNamesCounts.redone++;
  return differs;
}

let createConverterFn: ((options: TS) => TS) | null = null;

/**
 * Changes to tslab's converter.js, applied to its text by name (patched_module.ts; a name's parts
 * all or none), test/kernel/decls_print.test.ts requires all of them:
 * - `decls`: remainingDecls prints through decls_print.ts (copies the declarations it keeps whole
 *   instead of reprinting every one, and puts the parsed file back as it was);
 * - `declDiagnostics`: a cell's declaration diagnostics are read from its emit instead of a
 *   declaration transform of their own (decl_diagnostics.ts, header point 7);
 * - `names`: convert() learns the cell's names from cellNames instead of a rebuild, and builds
 *   again with the binder's names when those differ (header point 2);
 * - `namespaces`: remainingDecls keeps a namespace a later cell does not redeclare (tslab dropped
 *   every namespace from the declarations at the next cell: `N.z` was "Cannot find name 'N'").
 * - `importAliases`: remainingDecls keeps an import alias (`import nn = torch.nn;`) a later cell
 *   does not redeclare, as tslab keeps an `import * as nn`: tslab dropped it at the next cell, so
 *   `nn` was "Cannot find name 'nn'" and a class declared `extends nn.Module` lost its base class
 *   (`net.parameters()` did not exist). A cell that redeclares the name's value (or, for an alias
 *   of a type, its type) replaces the alias; a value left without its declaration then stays as
 *   `let name: any`, as tslab does for an import whose type was redeclared.
 * - `escapedNames`: the cell's `export { ... }` list spells its names as written, not as the
 *   binder keeps them (`__x` is "___x" there: tslab failed every cell declaring such a name);
 * - `liveBindings`: a cell's functions read and write its top-level variables through `exports`,
 *   so they see what later cells assign, and `{ lr }` naming an earlier cell's variable works
 *   (live_bindings.ts).
 */
/**
 * The one patch that changes what a cell does (live_bindings.ts); test/kernel/engine_converter.test.ts
 * applies it to stock tslab too, to compare the rest. The converter's module must define `__lrlabLive`.
 */
export const LIVE_BINDINGS_PATCH: TextPatch = {
  name: "liveBindings",
  find: "        function wrapPrevIdentifier(node) {\n            var _a, _b;\n",
  replace: "        function wrapPrevIdentifier(node) {\n            var _a, _b;\n"
    + "            const lrlabLive = __lrlabLive(ts, checker, declsFile, node, wrapPrevIdentifier, nullTransformationContext);\n"
    + "            if (lrlabLive !== undefined) return lrlabLive;\n",
};

const CONVERTER_PATCHES: TextPatch[] = [
  LIVE_BINDINGS_PATCH,
  {
    // the binder's names are TypeScript's escaped ones (`__h` is "___h" in `locals`): the
    // `export { ... }` list wants them as written (tslab exported "___h": "Cannot find name
    // '___h'" for every top-level name starting with two underscores)
    name: "escapedNames",
    find: "const suffix = \"\\nexport {\" + Array.from(keys).join(\", \") + \"}\";",
    replace: "const suffix = \"\\nexport {\" + Array.from(keys, (k) => ts.unescapeLeadingUnderscores(k)).join(\", \") + \"}\";",
  },
  {
    name: "decls",
    find: "function remainingDecls(checker, srcSF, declsSF) {\n        const declLocals = declsSF.locals;",
    replace: "function remainingDecls(checker, srcSF, declsSF) {\n        const lrlabDecls = __lrlabDecls.snapshot(ts, declsSF);\n        const declLocals = declsSF.locals;",
  },
  {
    name: "decls",
    find: "return printer.printFile(declsSF) + anyVarsDecls.join(\"\");",
    replace: "return __lrlabDecls.print(ts, printer, declsSF, lrlabDecls) + anyVarsDecls.join(\"\");",
  },
  {
    name: "names",
    find: "        updateContent(prevDecl, src);\n        let declsFile = builder.getSourceFile(declFilename);\n"
      + "        let srcFile = builder.getSourceFile(srcFilename);\n        const locals = srcFile.locals;\n",
    replace: "        const lrlabNames = __lrlabCellNames(builder, srcFilename, srcPrefix + src);\n"
      + "        let declsFile, srcFile;\n"
      + "        if (!lrlabNames) {\n"
      + "            updateContent(prevDecl, src);\n"
      + "            declsFile = builder.getSourceFile(declFilename);\n"
      + "            srcFile = builder.getSourceFile(srcFilename);\n"
      + "        }\n"
      + "        const locals = lrlabNames || srcFile.locals;\n",
  },
  {
    name: "names",
    find: "            updateContent(prevDecl, src + suffix);\n            declsFile = builder.getSourceFile(declFilename);\n"
      + "            srcFile = builder.getSourceFile(srcFilename);\n        }\n",
    replace: "            updateContent(prevDecl, src + suffix);\n            declsFile = builder.getSourceFile(declFilename);\n"
      + "            srcFile = builder.getSourceFile(srcFilename);\n        }\n"
      + "        if (lrlabNames && __lrlabCellNamesDiffer(srcFile, keys)) {\n"
      + "            keys.clear();\n"
      + "            if (srcFile.locals) srcFile.locals.forEach((_, key) => { keys.add(key); });\n"
      + "            updateContent(prevDecl, keys.size > 0 ? src + \"\\nexport {\" + Array.from(keys, (k) => ts.unescapeLeadingUnderscores(k)).join(\", \") + \"}\" : src);\n"
      + "            declsFile = builder.getSourceFile(declFilename);\n"
      + "            srcFile = builder.getSourceFile(srcFilename);\n"
      + "        }\n",
  },
  {
    name: "declDiagnostics",
    find: "const diag = convertDiagnostics(getPreEmitDiagnosticsWithDependencies(builder, srcFile));",
    replace: "const lrlabPreEmit = __lrlabDeclDiagnostics.beforeEmit(ts, builder, srcFile, getAllSrcDependencies, getPreEmitDiagnosticsWithDependencies);\n"
      + "        let diag = convertDiagnostics(lrlabPreEmit.diagnostics);\n"
      + "        if (diag.diagnostics.length > 0 && lrlabPreEmit.deferred) diag = convertDiagnostics(getPreEmitDiagnosticsWithDependencies(builder, srcFile));",
  },
  {
    name: "declDiagnostics",
    find: "        if (sideOutputs) {\n",
    replace: "        if (lrlabPreEmit.deferred && lrlabPreEmit.emitReported()) {\n"
      + "            const late = convertDiagnostics(getPreEmitDiagnosticsWithDependencies(builder, srcFile));\n"
      + "            if (late.diagnostics.length > 0) return { diagnostics: late.diagnostics };\n"
      + "        }\n"
      + "        if (sideOutputs) {\n",
  },
  {
    name: "namespaces",
    find: "                // TODO: Support more kinds.",
    replace: "                if (ts.isModuleDeclaration(node)) {\n                    if (keep.type && keep.value) addName(node, key);\n                    return;\n                }\n                // TODO: Support more kinds.",
  },
  {
    name: "importAliases",
    find: "                // TODO: Support more kinds.",
    replace: "                if (ts.isImportEqualsDeclaration(node)) {\n"
      + "                    if (keep.type && keep.value) { addName(node, key); return; }\n"
      + "                    const aliased = checker.getAliasedSymbol(sym);\n"
      + "                    const isValue = (aliased.flags & ts.SymbolFlags.Value) !== 0;\n"
      + "                    if ((!keep.value && isValue) || (!keep.type && (aliased.flags & ts.SymbolFlags.Type) !== 0)) {\n"
      + "                        if (keep.value && isValue && !valueNames.has(key)) anyVars.add(key);\n"
      + "                        return;\n"
      + "                    }\n"
      + "                    addName(node, key);\n"
      + "                    return;\n"
      + "                }\n"
      + "                // TODO: Support more kinds.",
  },
];

/** Names of the converter patches applied (a name is listed once all its parts applied). */
export const appliedConverterPatches: string[] = [];

/** tslab's converter.js, compiled from its text with CONVERTER_PATCHES (all of a name, or none). */
function loadPatchedConverter(): { createConverter: (options: TS) => TS } {
  const { text, applied } = applyTextPatches(fs.readFileSync(converterPath, "utf8"), CONVERTER_PATCHES);
  appliedConverterPatches.push(...applied);
  const m = moduleFor(converterPath, module) as LoadableModule & { lrlabDecls: unknown; lrlabDeclDiagnostics: unknown; lrlabCellNames: unknown; lrlabCellNamesDiffer: unknown; lrlabLive: unknown };
  m.lrlabDecls = declsPrint;
  m.lrlabLive = visitLive;
  m.lrlabDeclDiagnostics = declDiagnostics;
  m.lrlabCellNames = cellNames;
  m.lrlabCellNamesDiffer = cellNamesDiffer;
  m._compile(text + "\nvar __lrlabDecls = module.lrlabDecls;\nvar __lrlabDeclDiagnostics = module.lrlabDeclDiagnostics;\n"
    + "var __lrlabCellNames = module.lrlabCellNames;\nvar __lrlabCellNamesDiffer = module.lrlabCellNamesDiffer;\nvar __lrlabLive = module.lrlabLive;\n", converterPath);
  return m.exports;
}

/**
 * The type root of lrlab's declaration bundle for the converter being created (tslab's
 * createConverter makes its watch host at once): see createConverter.
 */
let creatingWithTypeRoot: string | undefined;

/**
 * tslab's createConverter, from a private copy of converter.js wired as described in the header.
 * `typeRoot`: the type root of lrlab's declaration bundle (the prelude's `typeRoot`,
 * prelude_source.ts), which the cells' program then takes in (watch_host.ts cellCompilerOptions).
 */
export function createConverter(options: { isJS: boolean; isBrowser: boolean }, typeRoot?: string): TS {
  if (!createConverterFn) {
    tslabTypeScript();
    const shim = Object.create(ts);
    Object.defineProperty(shim, "__esModule", { value: true });
    // An own property: the inherited one is a getter only.
    Object.defineProperty(shim, "createWatchCompilerHost", {
      value: (roots: TS, opts: TS, system: TS, createProgram: TS, ...rest: TS[]) =>
        ts.createWatchCompilerHost(roots, cellCompilerOptions(opts, creatingWithTypeRoot), withoutNodeModulesWatches(system), createProgram ?? createPlainBuilder, ...rest),
    });
    Object.defineProperty(shim, "transpileModule", { value: transpileModuleUnchecked });
    const cache = require.cache as Record<string, NodeModule | undefined>;
    const savedTs = cache[tsPath];
    const savedConverter = cache[converterPath];
    try {
      cache[tsPath] = { ...savedTs, id: tsPath, filename: tsPath, loaded: true, exports: shim } as NodeModule;
      delete cache[converterPath];
      createConverterFn = loadPatchedConverter().createConverter;
    } finally {
      if (savedTs) cache[tsPath] = savedTs; else delete cache[tsPath];
      if (savedConverter) cache[converterPath] = savedConverter; else delete cache[converterPath];
    }
  }
  const create = (): TS => {
    creatingWithTypeRoot = typeRoot;
    try {
      return createConverterFn!(options);
    } finally {
      creatingWithTypeRoot = undefined;
    }
  };
  const converter = create();
  const tslabConvert = converter.convert;
  converter.convert = (prevDecl: string, src: string) => {
    readLiveSwitches();
    return tslabConvert(prevDecl, src);
  };
  if (process.env.LRLAB_CHECK_SHARED_CHECKER !== "1") return converter;
  // Check mode (shared_checker.ts): a second converter, fed the same cells, whose programs each
  // build their own checker; whatever a shared checker served must equal its result.
  const unshared = withoutSharing(create);
  const convert = converter.convert;
  converter.convert = (prevDecl: string, src: string) => {
    const out = convert(prevDecl, src);
    const shared = lastProgramShared;
    const fresh = withoutSharing(() => unshared.convert(prevDecl, src));
    if (shared) checkShared(src, out, fresh);
    return out;
  };
  const close = converter.close;
  converter.close = () => { unshared.close(); close(); };
  return converter;
}

/** Check mode: a convert() served by a shared checker must give what a checker of its own gives. */
function checkShared(src: string, shared: TS, fresh: TS): void {
  // Compared with the members of unions in sorted order (withSortedUnions says why).
  const show = (r: TS) => JSON.stringify({
    output: r.output,
    declOutput: r.declOutput === undefined ? undefined : withSortedUnions(ts, r.declOutput, "declarations"),
    diagnostics: r.diagnostics?.map((d: TS) => ({ ...d, messageText: withSortedUnions(ts, String(d.messageText), "message") })),
    hasToplevelAwait: r.hasToplevelAwait, lastExpressionVar: r.lastExpressionVar, sideOutputs: r.sideOutputs,
  }, null, 1);
  const a = show(shared), b = show(fresh);
  if (a === b) return;
  throw new Error(
    "lrlab internal error: a cell checked by the shared type checker gave another result than with a checker of its own "
    + `(shared_checker.ts).\n--- cell ---\n${src}\n--- shared ---\n${a}\n--- own checker ---\n${b}`,
  );
}
