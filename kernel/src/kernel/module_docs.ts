/**
 * Fallback documentation for Shift-Tab and `expr?`: when a library symbol has no doc comment of
 * its own, show the doc comment at the top of the file that declares it. The library documents
 * one class or function per file that way (e.g. optim/adam.ts opens with Adam's update rule), and
 * TypeScript's quick info only reads comments attached to the declaration itself.
 *
 * How: the dotted name at the cursor (`torch.optim.Adam`) is resolved from the prelude root it
 * starts with (`torch` → dist/index.d.ts, `lrlab` → dist/tools.d.ts), following re-exports, with
 * the checker of the cells' latest program (which holds the package's declarations: the prelude
 * imports them), else of a program over the package's declarations built here once (0.6 s: every
 * file parsed and bound again); the declaring file's leading JSDoc block is returned when it exists.
 * When the cells' program holds lrlab's declaration bundle (dts_bundle.ts) instead of the per-file
 * declarations, the root is its module (`"lrlab-kernel:index"`) and the declaring "file" the
 * bundle's `declare module` block around the declaration, whose first comment is that file's.
 *
 * Also here, read with the checker of the program the quick info or completion just built for the
 * cell: the callee of the call the cursor is in (calleeAt), a class's construct signature and an
 * options object's keys (signatureNotes), types without this machine's paths (withoutImportPaths),
 * what the library's re-exported names are (aliasTypes, for completion types), and the values of a
 * string-literal union alias (literalUnionMembers, for the type-error hint that lists them).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { latestProgram } from "./engine_tslab";
import { bundleModuleAround, libraryStatements, MODULE_PREFIX } from "./dts_bundle";

const tslabDir = path.dirname(require.resolve("tslab/package.json"));
/** tslab's TypeScript, loaded on first use (not at kernel start). */
let tsModule: any = null;
const tsLib = (): any => (tsModule ??= require(require.resolve("@tslab/typescript-for-tslab", { paths: [tslabDir] })));

const ROOTS: Record<string, string> = { torch: "index.d.ts", lrlab: "tools.d.ts" };
const programs = new Map<string, any>();

/** The dotted identifier path around `pos` in `src` (e.g. "torch.optim.Adam"), or null. */
export function dottedNameAt(src: string, pos: number): string | null {
  let a = pos, b = pos;
  while (a > 0 && /[\w$.]/.test(src[a - 1])) a--;
  while (b < src.length && /[\w$]/.test(src[b])) b++;
  const name = src.slice(a, b).replace(/^\.+|\.+$/g, "");
  return /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(name) ? name : null;
}

function leadingDoc(sf: any): string | null {
  return leadingDocOf(sf.getFullText());
}

function leadingDocOf(text: string): string | null {
  const ranges = tsLib().getLeadingCommentRanges(text, 0) ?? [];
  const r = ranges.find((c: { pos: number; end: number }) => text.startsWith("/**", c.pos));
  if (!r) return null;
  return text.slice(r.pos + 3, r.end - 2).split("\n").map((l: string) => l.replace(/^\s*\* ?/, "")).join("\n").trim();
}

/** dist's per-file declarations read for their header (the bundle's blocks lose some, see declaringDoc). */
const declarationTexts = new Map<string, string | null>();

/**
 * The leading doc of the file that declares `decl`. In lrlab's declaration bundle: of dist's own
 * declaration file of the module block around it (its per-file .d.ts, which the bundle was stamped
 * for): tsc's bundler drops the first file's header and re-indents the others' comment lines.
 */
function declaringDoc(decl: any, distDir: string): string | null {
  const block = bundleModuleAround(tsLib(), decl);
  if (!block) return leadingDoc(decl.getSourceFile());
  const file = path.join(distDir, `${block.name.text.slice(MODULE_PREFIX.length)}.d.ts`);
  if (!declarationTexts.has(file)) {
    let text: string | null = null;
    try { text = fs.readFileSync(file, "utf8"); } catch { /* no doc then */ }
    declarationTexts.set(file, text);
  }
  const text = declarationTexts.get(file);
  return text ? leadingDocOf(text) : null;
}

/** The symbol of the bundle's module `"lrlab-kernel:<rel>"` in `program`, or undefined. */
function bundleModule(program: any, rel: string): any {
  if (typeof program?.getTypeChecker !== "function") return undefined;
  const quoted = `"${MODULE_PREFIX}${rel}"`;
  return program.getTypeChecker().getAmbientModules().find((m: any) => m.escapedName === quoted);
}

/** The declaring file's header comment for `name` (a path from a prelude root, or the root itself), or null. */
export function moduleDoc(name: string, distDir = path.resolve(__dirname, ".."), cellProgram: any = latestProgram()): string | null {
  const [root, ...rest] = name.split(".");
  const file = ROOTS[root];
  if (!file) return null;
  try {
    const rootFile = path.join(distDir, file);
    let program = cellProgram?.getSourceFile(rootFile) ? cellProgram : undefined;
    // the cells' program with lrlab's declaration bundle: the root is the bundle's module
    const bundled = program ? undefined : bundleModule(cellProgram, file.replace(/\.d\.ts$/, ""));
    if (bundled) program = cellProgram;
    program ??= programs.get(rootFile);
    if (!program) {
      program = tsLib().createProgram([rootFile], { noEmit: true, skipLibCheck: true, types: [] });
      programs.set(rootFile, program);
    }
    const checker = program.getTypeChecker();
    const sf = bundled ? undefined : program.getSourceFile(rootFile);
    // the root itself (`torch`, `lrlab`): its own header
    if (rest.length === 0) return bundled ? declaringDoc(bundled.declarations[0], distDir) : sf ? leadingDoc(sf) : null;
    let sym = bundled ?? (sf && checker.getSymbolAtLocation(sf));
    for (const part of rest) {
      if (!sym) return null;
      if (sym.flags & tsLib().SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
      const exports = checker.getExportsOfModule(sym);
      sym = exports.find((s: any) => s.name === part);
    }
    if (!sym) return null;
    if (sym.flags & tsLib().SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
    const decl = sym.declarations?.[0];
    return decl ? declaringDoc(decl, distDir) : null;
  } catch {
    return null;
  }
}

// ---- what Shift-Tab adds to TypeScript's quick info, read with the checker ----------------------

/**
 * The cell being inspected in the converter's latest program (the quick info just computed built
 * it): its source file and where the cell's text starts in it (tslab puts a prefix before it).
 */
function cellFile(src: string): { program: any; sf: any; off: number } | null {
  const program = latestProgram();
  if (!program) return null;
  const root = program.getRootFileNames().find((n: string) => /(^|\/)__tslab__\.ts$/.test(n));
  const sf = root && program.getSourceFile(root);
  if (!sf || !sf.text.endsWith(src)) return null;
  return { program, sf, off: sf.text.length - src.length };
}

/**
 * Where to ask for quick info when the cursor is inside a call's arguments but on no name
 * (`new torch.optim.SGD(params, |`, `torch.randn(2, 3|)`, in a string argument): the end of the
 * called function's name, as ipykernel inspects the callable around the cursor. Null when the
 * cursor is in no call's parentheses. Reads the program of the quick info just asked for `src`.
 */
export function calleeAt(src: string, pos: number): number | null {
  const cell = cellFile(src);
  if (!cell) return null;
  const ts = tsLib();
  const p = cell.off + pos;
  const starts = [ts.getTokenAtPosition(cell.sf, p), ts.findPrecedingToken(p, cell.sf)];
  for (const start of starts) {
    for (let n = start; n && !ts.isSourceFile(n); n = n.parent) {
      if (!(ts.isCallExpression(n) || ts.isNewExpression(n)) || !n.arguments) continue;
      // inside the parentheses: after "(" and up to ")", or, while ")" is not typed yet, up to
      // the blanks after the last argument (`f(a, |`)
      const closed = n.end > n.arguments.end && cell.sf.text[n.end - 1] === ")";
      if (p < n.arguments.pos || (closed ? p > n.end - 1 : cell.sf.text.slice(n.end, p).trim() !== "")) continue;
      let callee = n.expression;
      while (ts.isParenthesizedExpression(callee) || ts.isNonNullExpression(callee)) callee = callee.expression;
      if (ts.isPropertyAccessExpression(callee)) callee = callee.name;
      if (!ts.isIdentifier(callee) || callee.end - cell.off < 0) return null;
      return callee.end - cell.off;
    }
  }
  return null;
}

const MAX_TYPE_COLUMN = 44;

/**
 * Lines Shift-Tab shows after the quick info's signature, for the name at `pos` in `src` (the
 * position quick info answered for; it read the program used here):
 * - a class named outside a `new` expression: how to construct it
 *   (`new Adam(params: ParamsT, options?: AdamOptions)`), as IPython's "Init signature";
 * - the options object of the signature (a parameter typed `...Options`): each key with its type
 *   and its doc comment's summary (docSummary), as PyTorch's keyword arguments read in IPython.
 */
export function signatureNotes(src: string, pos: number): string[] {
  try {
    const cell = cellFile(src);
    if (!cell) return [];
    const ts = tsLib();
    const checker = cell.program.getTypeChecker();
    const node = ts.getTouchingPropertyName(cell.sf, cell.off + pos);
    if (!node || !ts.isIdentifier(node)) return [];
    const out: string[] = [];
    let signatures: any[] = [];
    const callee = ts.isPropertyAccessExpression(node.parent) && node.parent.name === node ? node.parent : node;
    const call = callee.parent;
    let compact = false;
    if (call && ts.isNewExpression(call) && call.expression === callee && call.arguments === undefined) {
      // `new torch.optim.Adam` before its "(": quick info shows the first construct signature, and
      // there is no call to resolve yet; the options of every one, on one line each (names and
      // defaults: what a user looks for first, above the class's long header comment)
      signatures = checker.getTypeAtLocation(callee).getConstructSignatures();
      compact = true;
    } else if (call && (ts.isCallExpression(call) || ts.isNewExpression(call)) && call.expression === callee) {
      // the call being typed: quick info shows the signature it resolves to
      const sig = checker.getResolvedSignature(call);
      if (sig && sig.declaration) signatures = [sig];
    } else {
      let sym = checker.getSymbolAtLocation(node);
      if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
      if (!sym) return [];
      const type = checker.getTypeOfSymbolAtLocation(sym, node);
      if (sym.flags & ts.SymbolFlags.Class) {
        signatures = type.getConstructSignatures().filter((s: any) => s.declaration || type.getConstructSignatures().length === 1);
        for (const s of signatures) out.push(`new ${sym.name}(${parameterList(checker, s, node)})`);
      } else if (sym.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Method)) {
        signatures = type.getCallSignatures();
      }
    }
    const seen = new Set<any>();
    for (const s of signatures) {
      for (const p of s.parameters) {
        const t = optionsType(checker, checker.getTypeOfSymbolAtLocation(p, node));
        if (!t || seen.has(t)) continue;
        seen.add(t);
        const props = checker.getPropertiesOfType(t);
        if (props.length === 0) continue;
        if (compact) {
          out.push(compactOptions(parameterName(p), props.map((prop: any) => ({
            name: prop.name, optional: !!(prop.flags & ts.SymbolFlags.Optional), doc: ts.displayPartsToString(prop.getDocumentationComment(checker)),
          }))));
          continue;
        }
        out.push(`${parameterName(p)}:`);
        const rows = props.map((prop: any) => {
          const optional = prop.flags & ts.SymbolFlags.Optional ? "?" : "";
          const type = withoutImportPaths(checker.typeToString(checker.getTypeOfSymbolAtLocation(prop, node), node, ts.TypeFormatFlags.NoTruncation));
          const doc = docSummary(ts.displayPartsToString(prop.getDocumentationComment(checker)));
          return { key: `${prop.name}${optional}: ${type}`, doc };
        });
        const width = Math.max(0, ...rows.map((r: { key: string }) => r.key.length).filter((n: number) => n <= MAX_TYPE_COLUMN));
        for (const r of rows) out.push(`  ${r.doc ? r.key.padEnd(width) + "  " + r.doc : r.key}`);
      }
    }
    return out;
  } catch {
    return [];
  }
}

/**
 * An options object on one line, each key with the default its doc comment gives ("Learning rate
 * γ; default 1e-3."): `options: { lr: 1e-3, betas: [0.9, 0.999], ... }`, a required key bare;
 * the keys accepted and ignored (PyTorch's implementation switches) named after it.
 */
export function compactOptions(name: string, props: { name: string; optional: boolean; doc: string }[]): string {
  const used: string[] = [], ignored: string[] = [];
  for (const p of props) {
    const doc = p.doc.replace(/\s+/g, " ").trim();
    if (/^Accepted and ignored\b/i.test(doc)) { ignored.push(p.name); continue; }
    const value = defaultIn(doc);
    used.push(value !== undefined && value.length <= 24 ? `${p.name}: ${value}` : p.optional ? `${p.name}?` : p.name);
  }
  return `${name}: { ${used.join(", ")} }${ignored.length > 0 ? `; accepted and ignored: ${ignored.join(", ")}` : ""}`;
}

/**
 * The value after "default" in an option's doc ("...; default [0.9, 0.999].", "default -1, which
 * starts ..."): up to a `;`, `,` or `)` outside brackets, or a sentence's end. Undefined when none.
 */
function defaultIn(doc: string): string | undefined {
  const m = /(?:^|[\s;(])[Dd]efaults? (?:is |to )?/.exec(doc);
  if (m === null) return undefined;
  const rest = doc.slice(m.index + m[0].length);
  let depth = 0, end = rest.length;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === "[" || c === "{" || c === "(") depth++;
    else if (depth > 0 && (c === "]" || c === "}" || c === ")")) depth--;
    else if (depth === 0 && (c === ";" || c === "," || c === ")" || (c === "." && (i + 1 === rest.length || rest[i + 1] === " ")))) { end = i; break; }
  }
  const value = rest.slice(0, end).trim();
  return value === "" ? undefined : value;
}

/**
 * The overload signatures a declaration file declares for the function or method named at (or
 * just before) `pos` in `src`, as written there (without `export declare`), with that file's
 * name; null for one signature, or a name declared in no .d.ts (a cell's). `name??` shows them
 * before the compiled JavaScript, which has lost them. Reads the program of the quick info just
 * asked for `src`.
 */
export function declaredOverloads(src: string, pos: number): { file: string; text: string } | null {
  try {
    const cell = cellFile(src);
    if (!cell) return null;
    const ts = tsLib();
    const checker = cell.program.getTypeChecker();
    for (const p of [pos, pos - 1]) {
      const node = p >= 0 ? ts.getTouchingPropertyName(cell.sf, cell.off + p) : null;
      if (!node || !ts.isIdentifier(node)) continue;
      let sym = checker.getSymbolAtLocation(node);
      if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
      const decls = (sym?.declarations ?? []).filter((d: any) => ts.isFunctionLike(d) && d.getSourceFile().isDeclarationFile);
      if (decls.length < 2) return null;
      const text = decls.map((d: any) => {
        const sf = d.getSourceFile();
        const start = d.getStart(sf);
        const column = sf.getLineAndCharacterOfPosition(start).character;
        const [first, ...rest] = sf.text.slice(start, d.end).split("\n");
        // continuation lines lose the declaration's indentation, as it reads on its own
        return [first.replace(/^(export\s+)?(declare\s+)?/, ""), ...rest.map((l: string) => l.slice(Math.min(column, l.length - l.trimStart().length)))].join("\n");
      }).join("\n");
      // (in lrlab's declaration bundle: the file its module block stands for)
      const block = bundleModuleAround(ts, decls[0]);
      const file = block ? `${path.posix.basename(block.name.text.slice(MODULE_PREFIX.length))}.d.ts` : path.basename(decls[0].getSourceFile().fileName);
      return { file, text };
    }
    return null;
  } catch {
    return null;
  }
}

/** `params: ParamsT, options?: AdamOptions`: a signature's parameters as TypeScript writes them. */
function parameterList(checker: any, sig: any, at: any): string {
  return sig.parameters.map((p: any) => {
    const decl = p.valueDeclaration;
    const rest = decl?.dotDotDotToken ? "..." : "";
    const optional = decl && !rest && checker.isOptionalParameter(decl) ? "?" : "";
    const type = withoutImportPaths(checker.typeToString(checker.getTypeOfSymbolAtLocation(p, at), at));
    return `${rest}${parameterName(p)}${optional}: ${type}`;
  }).join(", ");
}

/** A parameter's name; `options` for a destructured one (its symbol is named `__0`). */
function parameterName(p: any): string {
  const decl = p.valueDeclaration;
  return decl && tsLib().isIdentifier(decl.name) ? decl.name.text : "options";
}

/** The object type of an options parameter (named `...Options`, `| undefined` dropped), or null. */
function optionsType(checker: any, type: any): any {
  const ts = tsLib();
  let t = type;
  if (t.isUnion && t.isUnion()) {
    const parts = t.types.filter((u: any) => !(u.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
    if (parts.length !== 1) return null;
    t = parts[0];
  }
  if (!(t.flags & ts.TypeFlags.Object)) return null;
  const name = t.aliasSymbol?.name ?? t.symbol?.name ?? "";
  return /Options$/.test(name) && checker.getSignaturesOfType(t, ts.SignatureKind.Call).length === 0 ? t : null;
}

/** Abbreviations whose period ends no sentence ("e.g. { momentum: 0.9 }"). */
const ABBREVIATION = /(?:^|[\s(])(?:e\.g|i\.e|cf|vs)\.$/i;

/**
 * An option's doc comment on one line, for the list beside its key: its first sentence, and the
 * sentence that gives its default when that comes later ("Starting lr ... (factory form). Default
 * 0.1."): the default is what a user looks for there. A period after e.g./i.e./cf./vs. ends no
 * sentence (the list used to stop at "Extra options for that optimizer, e.g.").
 */
export function docSummary(doc: string): string {
  const one = doc.replace(/\s+/g, " ").trim();
  const sentences: string[] = [];
  const end = /[.!?](?=\s|$)/g;
  let start = 0;
  for (let m = end.exec(one); m !== null; m = end.exec(one)) {
    const stop = m.index + 1;
    if (ABBREVIATION.test(one.slice(start, stop))) continue;
    sentences.push(one.slice(start, stop).trim());
    start = stop;
  }
  if (start < one.length) sentences.push(one.slice(start).trim());
  if (sentences.length === 0) return one;
  const byDefault = sentences.slice(1).find((x) => /^Defaults?\b/.test(x));
  return byDefault === undefined ? sentences[0] : `${sentences[0]} ${byDefault}`;
}

/**
 * A type as a user reads it: a library type the cell cannot name (not re-exported by `torch` or
 * `lrlab`, e.g. the DataLoader's `Sampler`) is written by TypeScript as
 * `import("/abs/path/kernel/dist/data/sampler").Sampler`, a path of this machine: `Sampler`; a
 * module's type (`typeof import("/abs/path/kernel/dist/data/index")`, or of the declaration bundle's
 * `typeof import("lrlab-kernel:data/index")`) as `typeof import("lrlab/data")`.
 */
export function withoutImportPaths(text: string, distDir = path.resolve(__dirname, "..")): string {
  const dist = distDir.split(path.sep).join("/").replace(/\/$/, "") + "/";
  return text
    .replace(/\bimport\((["'])[^"'\n]*\1\)\./g, "")
    .replace(/\bimport\((["'])([^"'\n]*)\1\)/g, (all, q: string, file: string) => {
      if (file.startsWith(MODULE_PREFIX)) return `import(${q}${("lrlab/" + file.slice(MODULE_PREFIX.length)).replace(/\/index$/, "")}${q})`;
      if (!path.isAbsolute(file)) return all;
      const short = file.startsWith(dist) ? "lrlab/" + file.slice(dist.length).replace(/(^|\/)index$/, "")
        : file.includes("/node_modules/") ? file.slice(file.lastIndexOf("/node_modules/") + 14) : path.basename(file);
      return `import(${q}${short.replace(/\/$/, "")}${q})`;
    });
}

/**
 * What the names TypeScript's completion calls "alias" are (the library's re-exports:
 * `torch.optim.Adam`, `torch.add`; the prelude's imports): "class", "function", "module",
 * "instance" or "alias" when unknown, read in the program of the completion just made for `src`
 * at `start` (where the completed word starts). For Jupyter's completion types.
 */
export function aliasTypes(src: string, start: number, names: string[]): Map<string, string> {
  const out = new Map<string, string>();
  try {
    const cell = cellFile(src);
    if (!cell || names.length === 0) return out;
    const ts = tsLib();
    const checker = cell.program.getTypeChecker();
    const at = cell.off + start;
    const dot = ts.findPrecedingToken(at, cell.sf);
    let symbols: any[];
    if (dot && dot.kind === ts.SyntaxKind.DotToken && ts.isPropertyAccessExpression(dot.parent)) {
      const type = checker.getTypeAtLocation(dot.parent.expression);
      symbols = names.map((n) => type.getProperty(n));
    } else {
      const node = ts.getTokenAtPosition(cell.sf, at);
      const inScope = new Map(checker.getSymbolsInScope(node, ts.SymbolFlags.Alias).map((s: any) => [s.name, s]));
      symbols = names.map((n) => inScope.get(n));
    }
    names.forEach((n, i) => {
      let s = symbols[i];
      if (!s) return;
      if (s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
      const f = s.flags, F = ts.SymbolFlags;
      out.set(n, f & F.Class ? "class" : f & (F.Function | F.Method) ? "function" : f & (F.ValueModule | F.NamespaceModule) || s.valueDeclaration?.kind === ts.SyntaxKind.SourceFile ? "module"
        : f & F.Variable ? variableType(checker, s) : f & (F.Interface | F.TypeAlias | F.Enum) ? "class" : "alias");
    });
  } catch {
    // types are a nicety: without them the completion is the same
  }
  return out;
}

/**
 * A variable as completion names it: "function" when it holds one (`export const arccos = acos`,
 * torch's aliases: they read as "instance", as if not callable), "class" for a constructor,
 * "instance" otherwise.
 */
function variableType(checker: any, s: any): string {
  const type = checker.getTypeOfSymbol(s);
  if (type.getConstructSignatures().length > 0) return "class";
  return type.getCallSignatures().length > 0 ? "function" : "instance";
}

/**
 * What `read` gives for the top-level declarations named `name` that `matches` (outside
 * TypeScript's default libs), read with the checker of the cells' latest program: the value when
 * every such declaration gives one and they agree (compared by `key`), else null (none, one that
 * reads null, or two that disagree).
 */
function agreedDeclaration<T>(name: string, matches: (st: any) => boolean, read: (st: any, checker: any) => T | null,
  key: (value: T) => string): T | null {
  const program = latestProgram();
  if (!program) return null;
  const checker = program.getTypeChecker();
  const found = new Set<string>();
  let value: T | null = null;
  for (const sf of program.getSourceFiles()) {
    if (program.isSourceFileDefaultLibrary(sf)) continue;
    // (lrlab's declaration bundle: the statements of its module blocks, as its files' own)
    for (const st of libraryStatements(tsLib(), sf)) {
      if (!matches(st) || st.name.text !== name) continue;
      value = read(st, checker);
      if (value === null) return null;
      found.add(key(value));
    }
  }
  return found.size === 1 ? value : null;
}

/**
 * The keys of the options type a type error names (`AdamOptions`, `Partial<StepLROptions>`, the
 * inline `{ p?: number; inplace?: boolean; }`), in declaration order (inherited keys after the
 * type's own), read with the checker of the cells' latest program (the one that just reported the
 * error), for the one-line error of a misspelt option (ts_hints.ts unknownOption). Null for a type
 * that is no plain options object (a class such as Tensor, an array, a primitive), for a name no
 * top-level interface or alias has, or one whose declarations disagree.
 */
export function optionKeys(typeText: string): string[] | null {
  try {
    const ts = tsLib();
    const text = typeText.trim().replace(/^Partial<(.*)>$/, "$1");
    if (text.startsWith("{")) {
      // an inline type literal: its members, as the message writes them
      const sf = ts.createSourceFile("t.ts", `type T = ${text};`, ts.ScriptTarget.Latest, true);
      const lit = sf.statements[0]?.type;
      if (!lit || !ts.isTypeLiteralNode(lit) || lit.members.length === 0) return null;
      if (!lit.members.every((m: any) => ts.isPropertySignature(m) && m.name && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)))) return null;
      return lit.members.map((m: any) => m.name.text);
    }
    if (!/^[A-Za-z_$][\w$]*$/.test(text)) return null;
    return agreedDeclaration(text, (st) => ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st), (st, checker) => {
      const props: any[] = checker.getPropertiesOfType(checker.getTypeAtLocation(st.name));
      // options are data: a type with methods (a class's instance type) is not one
      if (props.length === 0 || props.some((p) => p.flags & ts.SymbolFlags.Method)) return null;
      return props.map((p) => p.name as string);
    }, (keys) => JSON.stringify(keys));
  } catch {
    return null; // the error is then TypeScript's own
  }
}

/**
 * The values of type alias `name` when it is a union of string literals (the library's
 * `InterpolateMode`, `PadMode`, `Reduction`, or a cell's own alias), read with the checker of the
 * cells' latest program (the one that just reported the error naming it), for the hint that lists
 * what a mistyped option may be (ts_hints.ts). Null when no top-level alias has that name, when
 * it is no such union, or when two declarations of the name disagree.
 */
export function literalUnionMembers(name: string): string[] | null {
  try {
    const ts = tsLib();
    return agreedDeclaration(name, (st) => ts.isTypeAliasDeclaration(st), (st, checker) => {
      const type = checker.getTypeAtLocation(st.name);
      const parts: any[] = type.isUnion() ? type.types : [type];
      if (!parts.every((t) => t.isStringLiteral())) return null;
      return parts.map((t) => t.value as string);
    }, (members) => JSON.stringify([...members].sort()));
  } catch {
    return null; // a hint is a nicety: without it the error is the same
  }
}
