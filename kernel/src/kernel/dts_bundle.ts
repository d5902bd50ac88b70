/**
 * lrlab's declarations as one file for the cells' type checker.
 *
 * The prelude's imports (prelude_source.ts) used to name dist/index.d.ts, dist/tools.d.ts and
 * dist/kernel/prelude.d.ts, which put 238 of lrlab's declaration files into every cell's program
 * (~389 files in all). Each new cell rebuilds that program, and TypeScript's per-file loops over
 * it (reusing the old program's structure, checking options) cost ~1.6 µs a file. Bundled, the
 * program has ~152 files: a new typed cell ~0.3-0.6 ms faster, the kernel's warm-up ~0.1 s shorter
 * (bench/NOTES.md).
 *
 * The bundle: scripts/setup.mjs runs tsc's own declaration bundler (kernel/tsconfig.dts-bundle.json:
 * outFile, AMD modules) over the prelude's entry points, which writes a `declare module
 * "tensor/tensor" { ... }` block for every module they reach, and writeBundle prefixes every one of
 * those module names with `lrlab-kernel:` (so that no name of a cell's own imports can meet them),
 * writing dist/types/lrlab-kernel/index.d.ts and a stamp of dist's declarations it was made for. The cells'
 * program takes it in as a type root (`types: ["node", "lrlab-kernel"]`, watch_host.ts) and the
 * prelude imports `"lrlab-kernel:index"`. The kernel never runs tsc: when the bundle is missing,
 * or kernel/dist was rebuilt after it (plain `tsc -p kernel/tsconfig.json`), the prelude imports
 * the per-file declarations as before (freshBundle), the same types, only slower.
 * LRLAB_DTS_BUNDLE=0 does that too.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The bundle's package name under its type root, and the prefix of its module names. */
export const BUNDLE_PACKAGE = "lrlab-kernel";
export const MODULE_PREFIX = `${BUNDLE_PACKAGE}:`;
/** The entry points bundled (under kernel/src): what the prelude imports. */
export const BUNDLE_ENTRIES = ["index.ts", "tools.ts", "kernel/prelude.ts"];

/** The type root holding the bundle (dist/types). */
export function bundleTypesDir(distDir: string): string {
  return path.join(distDir, "types");
}

/** The bundle file (dist/types/lrlab-kernel/index.d.ts). */
export function bundleFile(distDir: string): string {
  return path.join(bundleTypesDir(distDir), BUNDLE_PACKAGE, "index.d.ts");
}

/** The stamp: each bundled module's per-file declaration under dist, as it was when bundled. */
function stampFile(distDir: string): string {
  return path.join(bundleTypesDir(distDir), BUNDLE_PACKAGE, "dist-stamp.txt");
}

/**
 * A line of the stamp: dist's declaration file of bundled module `name`, with its size and
 * modification time (a tsc build writes it again: a rebuild after the bundle changes it; stats
 * only, ~2 ms for the ~320 modules, no reads, no directory walk), or null when it is missing.
 */
function stampLine(distDir: string, name: string): string | null {
  try {
    const st = fs.statSync(path.join(distDir, `${name}.d.ts`));
    return `${name}\t${st.size}\t${st.mtimeMs}`;
  } catch {
    return null;
  }
}

/**
 * The type root to give the cells' program when the bundle of `distDir` is there and was made for
 * dist's declarations as they are (each module it bundles has its .d.ts in dist, unchanged since);
 * null otherwise (missing, or dist rebuilt since: stale).
 */
export function freshBundle(distDir: string): string | null {
  try {
    if (!fs.existsSync(bundleFile(distDir))) return null;
    const lines = fs.readFileSync(stampFile(distDir), "utf8").split("\n").filter((l) => l !== "");
    if (lines.length === 0) return null;
    for (const line of lines) if (stampLine(distDir, line.slice(0, line.indexOf("\t"))) !== line) return null;
    return bundleTypesDir(distDir);
  } catch {
    return null;
  }
}

/** The modules tsc's AMD declaration bundle `text` declares (`declare module "x" {` at a line's start). */
function declaredModules(text: string): Set<string> {
  const declared = new Set<string>();
  for (const m of text.matchAll(/^declare module "([^"\n]+)" \{$/gm)) declared.add(m[1]);
  return declared;
}

/**
 * tsc's AMD declaration bundle with every module it declares renamed `lrlab-kernel:<name>`: the
 * `declare module "x"` blocks and every reference to them (`from "x"`, `import("x")`,
 * `require("x")`, `import "x"`, and the augmentations `module "x" { ... }` inside a block, which
 * add Tensor's in-place random methods: left as they were, they augment nothing and
 * `t.normal_()` is an error). Other names (`node:util`, a name in a doc comment's example such
 * as `from "lrlab"`) stay.
 */
export function prefixModules(text: string): string {
  const declared = declaredModules(text);
  return text.replace(/(^\s*(?:declare )?module |\bfrom |\bimport\(|\brequire\(|^\s*import )"([^"\n]+)"/gm,
    (all, before: string, name: string) => (declared.has(name) ? `${before}"${MODULE_PREFIX}${name}"` : all));
}

/**
 * Writes the bundle from tsc's output `amdText` (prefixModules) and stamps it for `distDir` as it
 * is now (scripts/setup.mjs, after building kernel/dist). False (written, not stamped: not used)
 * when a module it declares has no declaration file in dist.
 */
export function writeBundle(distDir: string, amdText: string): boolean {
  const file = bundleFile(distDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.rmSync(stampFile(distDir), { force: true });
  fs.writeFileSync(file, prefixModules(amdText));
  const lines = [...declaredModules(amdText)].map((name) => stampLine(distDir, name));
  // a module dist has no declaration file for: not the dist it was made from (no stamp: not used)
  if (lines.length === 0 || lines.includes(null)) return false;
  fs.writeFileSync(stampFile(distDir), lines.join("\n") + "\n");
  return true;
}

// ---- reading the cells' program, whichever declarations it holds ---------------------------------

type TS = any;

/**
 * The `declare module "lrlab-kernel:…"` block of the bundle that `node` is in, or undefined (a
 * per-file declaration, a cell's, another package's).
 */
export function bundleModuleAround(ts: TS, node: TS): TS {
  for (let n = node; n; n = n.parent) {
    if (ts.isModuleDeclaration(n) && ts.isStringLiteral(n.name) && n.name.text.startsWith(MODULE_PREFIX)) return n;
  }
  return undefined;
}

/**
 * The module of lrlab (its path under dist/ without extension, "tensor/tensor") that declares
 * `decl`: the bundle's block around it, else its declaration file's path ending in one of
 * `modules` (as the per-file declarations are named); null when it is none of `modules`.
 */
export function libraryModuleOf(ts: TS, decl: TS, modules: readonly string[]): string | null {
  const block = bundleModuleAround(ts, decl);
  if (block) {
    const name = block.name.text.slice(MODULE_PREFIX.length);
    return modules.includes(name) ? name : null;
  }
  const file: string = decl.getSourceFile().fileName.split("\\").join("/");
  return modules.find((m) => file.endsWith(`/${m}.d.ts`)) ?? null;
}

/**
 * A file's top-level statements as lrlab's per-file declarations would have them: for the bundle,
 * those of each `declare module "lrlab-kernel:…"` block; other files' own.
 */
export function libraryStatements(ts: TS, sf: TS): readonly TS[] {
  if (!sf.isDeclarationFile || !sf.statements.some((st: TS) => bundleModuleAround(ts, st))) return sf.statements;
  const out: TS[] = [];
  for (const st of sf.statements) {
    if (bundleModuleAround(ts, st) && st.body && ts.isModuleBlock(st.body)) out.push(...st.body.statements);
    else out.push(st);
  }
  return out;
}

/** Where lrlab's Tensor and nn.Parameter (declared apart) are declared. */
const TENSOR_MODULES = ["tensor/tensor", "nn/parameter"];

/**
 * Whether `s` is lrlab's Tensor or nn.Parameter symbol, in the bundle or the per-file declarations
 * (the tensor checks of tensor_index.ts, tensor_condition.ts, tensor_equality.ts).
 */
export function isLibraryTensorSymbol(ts: TS, s: TS): boolean {
  const name = s?.getName();
  return (name === "Tensor" || name === "Parameter")
    && (s.declarations ?? []).some((d: TS) => libraryModuleOf(ts, d, TENSOR_MODULES) !== null);
}
