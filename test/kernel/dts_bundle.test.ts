/**
 * lrlab's declarations as one file for the cells' type checker (kernel/src/kernel/dts_bundle.ts):
 * scripts/setup.mjs writes kernel/dist/types/lrlab-kernel/index.d.ts (npm test runs it first).
 * With it the cells' program holds ~150 files instead of ~390, and every lrlab type must still
 * resolve (an import the program cannot resolve makes every lrlab type `any`: no error left to
 * see). Without it, or when kernel/dist was rebuilt after it, the prelude imports the per-file
 * declarations as before: the same results.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { bundleFile, freshBundle, prefixModules, writeBundle } from "../../kernel/src/kernel/dts_bundle";
import { tidyMessage } from "../../kernel/src/kernel/ts_hints";
import { DIST, Engine, latestProgram, makePrelude } from "./dist";

const { declaredOverloads, withoutImportPaths } = require(join(DIST, "kernel/module_docs.js")) as typeof import("../../kernel/src/kernel/module_docs");

/** What the cells below must give, bundle or not: errors as the user reads them. */
const CELLS: [string, RegExp | null][] = [
  ["const a = torch.tensor([1]);\na.foo", /^Property 'foo' does not exist on type 'Tensor'\.$/],
  ["torch.nn.Conv4d", /^Property 'Conv4d' does not exist on type 'typeof torch\.nn'\. Did you mean 'Conv1d'\?$/],
  ["import nn = torch.optim;\nlet q: nn.Linear;", /^Namespace 'torch\.optim' has no exported member 'Linear'\.$/],
  ["let z: number = torch.nn;", /^Type 'typeof torch\.nn' is not assignable to type 'number'\.$/],
  // every namespace of the library by its name, not its module's ("lrlab-kernel:data/index", or a
  // path of this machine without the bundle)
  ["let dd: string = torch.utils.data;", /^Type 'typeof torch\.utils\.data' is not assignable to type 'string'\.$/],
  ["let u: number = torch.utils;", /^Type '\{ data: typeof torch\.utils\.data; hooks: typeof torch\.utils\.hooks; \}' is not assignable to type 'number'\.$/],
  ["torch.utils.data.DataLoder", /^Property 'DataLoder' does not exist on type 'typeof torch\.utils\.data'\. Did you mean 'DataLoader'\?$/],
  ...["torch.linalg", "torch.autograd", "torch.nn.utils", "torch.nn.utils.rnn", "torch.optim.optimizer", "torch.utils.hooks"].map((ns): [string, RegExp] =>
    [`let ns: number = ${ns};`, new RegExp(`^Type 'typeof ${ns.replace(/\./g, "\\.")}' is not assignable to type 'number'\\.$`)]),
  // the options' keys and a literal union's members, read from the library's declarations
  ["const m = new torch.nn.Linear(2, 2);\nconst o = new torch.optim.Adam(m.parameters(), { lrr: 1 });", /^Adam has no option 'lrr'; accepted: lr, betas/],
  ["const t = torch.ones(2);\nif (t) {}", /^This condition will always return true since 't' is a Tensor/],
  ["const t = torch.ones(2);\nt[0]", /^t is a Tensor: t\[i\] does not index it/],
  ["const t = torch.ones(2);\nt == t", /^'t == t' compares two tensor objects/],
  ["let d: number = lrlab.trace;", /^Type '\(optimizer: TraceableOptimizer, options\?: TraceOptions\) => Trace' is not assignable to type 'number'\.$/],
  ["const ok = torch.zeros(2, 3).sum().item();\nok", null],
  // methods other modules add to Tensor (module augmentations: random/methods.ts, tensor/inplace_unary.ts)
  ["const lin = new torch.nn.Linear(2, 3);\ntorch.no_grad(() => lin.weight.normal_(0.0, 0.02));\ntorch.ones(3).multinomial(2).shape", null],
  ["const p = torch.zeros(3);\np.sigmoid_().exponential_().shape", null],
  ["torch.ones(2).normal_(0, 1, 2, 3)", /^Expected 0-3 arguments, but got 4\.$/],
];

function messages(engine: InstanceType<typeof Engine>, src: string): string[] {
  try {
    engine.compile(src);
    return [];
  } catch (e) {
    return ((e as { diagnostics?: { message: string }[] }).diagnostics ?? [{ message: String(e) }]).map((d) => d.message);
  }
}

function checkCells(engine: InstanceType<typeof Engine>): void {
  for (const [src, expected] of CELLS) {
    const got = messages(engine, src);
    if (expected === null) expect(got, src).toEqual([]);
    else expect(got.some((m) => expected.test(m)), `${src}\n${got.join("\n")}`).toBe(true);
  }
}

const temps: string[] = [];
afterAll(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });

describe("lrlab's declaration bundle", () => {
  it("is built by setup and fresh for kernel/dist", () => {
    expect(existsSync(bundleFile(DIST))).toBe(true);
    expect(freshBundle(DIST)).toBe(join(DIST, "types"));
  });

  it("names only modules it declares (or Node's): every import in it resolves within it", () => {
    const sf = ts.createSourceFile("b.d.ts", readFileSync(bundleFile(DIST), "utf8"), ts.ScriptTarget.Latest, true);
    const declared = new Set<string>();
    const used = new Set<string>();
    const visit = (n: ts.Node): void => {
      if (ts.isModuleDeclaration(n) && ts.isStringLiteral(n.name)) declared.add(n.name.text);
      if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) used.add(n.moduleSpecifier.text);
      if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) used.add(n.argument.literal.text);
      ts.forEachChild(n, visit);
    };
    visit(sf);
    expect(declared.size).toBeGreaterThan(200);
    for (const d of declared) expect(d).toMatch(/^lrlab-kernel:/);
    for (const u of used) expect(declared.has(u) || u.startsWith("node:"), u).toBe(true);
    for (const root of ["index", "tools", "kernel/prelude"]) expect(declared.has(`lrlab-kernel:${root}`)).toBe(true);
  });

  it("is what the cells' program holds, ~150 files instead of ~390, and the types resolve", () => {
    const prelude = makePrelude(DIST);
    expect(prelude.typeRoot).toBe(join(DIST, "types"));
    expect(prelude.declarations).toContain('import * as torch from "lrlab-kernel:index";');
    const engine = new Engine(prelude, tmpdir());
    engine.compile("1");
    const files: string[] = latestProgram().getSourceFiles().map((f: { fileName: string }) => f.fileName);
    expect(files.length).toBeLessThan(200);
    expect(files).toContain(bundleFile(DIST).split("\\").join("/"));
    // none of dist's per-file declarations
    expect(files.filter((f) => f.startsWith(DIST.split("\\").join("/")) && !f.includes("/types/lrlab-kernel/"))).toEqual([]);
    checkCells(engine);
  }, 60_000);

  it("is not used when missing or older than kernel/dist: the per-file declarations, the same results", () => {
    const prelude = makePrelude(DIST, false);
    expect(prelude.typeRoot).toBeUndefined();
    expect(prelude.declarations).toContain(JSON.stringify(join(DIST, "index").split("\\").join("/")));
    const engine = new Engine(prelude, tmpdir());
    engine.compile("1");
    expect(latestProgram().getSourceFiles().length).toBeGreaterThan(300);
    checkCells(engine);
  }, 60_000);

  it("is stale once dist's declarations change (a rebuild with plain tsc), or missing", () => {
    const dist = mkdtempSync(join(tmpdir(), "lrlab-dist-"));
    temps.push(dist);
    mkdirSync(join(dist, "nn"));
    writeFileSync(join(dist, "index.d.ts"), "export * as nn from \"./nn/index\";\n");
    writeFileSync(join(dist, "nn", "index.d.ts"), "export declare const x = 1;\n");
    expect(freshBundle(dist)).toBeNull(); // none yet
    writeBundle(dist, 'declare module "nn/index" {\n    export const x = 1;\n}\ndeclare module "index" {\n    export * as nn from "nn/index";\n}\n');
    expect(freshBundle(dist)).toBe(join(dist, "types"));
    expect(readFileSync(bundleFile(dist), "utf8")).toContain('export * as nn from "lrlab-kernel:nn/index";');
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dist, "nn", "index.d.ts"), later, later); // written again by tsc
    expect(freshBundle(dist)).toBeNull();
    writeBundle(dist, 'declare module "nn/index" {\n}\ndeclare module "index" {\n}\n');
    expect(freshBundle(dist)).toBe(join(dist, "types"));
    writeFileSync(join(dist, "nn", "index.d.ts"), "export declare const x = 2;\n"); // same size, rewritten
    expect(freshBundle(dist)).toBeNull();
    expect(writeBundle(dist, 'declare module "nn/index" {\n}\n')).toBe(true);
    rmSync(join(dist, "nn", "index.d.ts")); // a module gone
    expect(freshBundle(dist)).toBeNull();
    // a bundle of modules dist has no declarations for: not stamped, not used
    expect(writeBundle(dist, 'declare module "nn/index" {\n}\n')).toBe(false);
    expect(freshBundle(dist)).toBeNull();
    writeFileSync(join(dist, "nn", "index.d.ts"), "export declare const x = 1;\n");
    expect(writeBundle(dist, 'declare module "nn/index" {\n}\n')).toBe(true);
    expect(freshBundle(dist)).toBe(join(dist, "types"));
    rmSync(bundleFile(dist));
    expect(freshBundle(dist)).toBeNull();
    // a copy of kernel/dist whose files were all written again: the prelude falls back
    const copy = mkdtempSync(join(tmpdir(), "lrlab-dist-copy-"));
    temps.push(copy);
    cpSync(DIST, copy, { recursive: true });
    expect(makePrelude(copy).typeRoot).toBeUndefined();
    expect(makePrelude(copy).declarations).toContain(JSON.stringify(join(copy, "index").split("\\").join("/")));
  }, 60_000);

  it("renames every module it declares, and only those", () => {
    const amd = [
      'declare module "tensor/tensor" {',
      '    import { inspect } from "node:util";',
      '    /** e.g. import * as torch from "lrlab"; */',
      '    export function f(): typeof import("nn/index");',
      '}',
      'declare module "nn/index" {',
      '    module "tensor/tensor" {',
      '        interface Tensor { a(): void; }',
      '    }',
      '    export * from "tensor/tensor";',
      '    import "tensor/tensor";',
      '    const r: typeof require("tensor/tensor");',
      '}',
      '',
    ].join("\n");
    expect(prefixModules(amd)).toBe([
      'declare module "lrlab-kernel:tensor/tensor" {',
      '    import { inspect } from "node:util";',
      '    /** e.g. import * as torch from "lrlab"; */',
      '    export function f(): typeof import("lrlab-kernel:nn/index");',
      '}',
      'declare module "lrlab-kernel:nn/index" {',
      '    module "lrlab-kernel:tensor/tensor" {',
      '        interface Tensor { a(): void; }',
      '    }',
      '    export * from "lrlab-kernel:tensor/tensor";',
      '    import "lrlab-kernel:tensor/tensor";',
      '    const r: typeof require("lrlab-kernel:tensor/tensor");',
      '}',
      '',
    ].join("\n"));
  });

  it("names its modules as the per-file declarations were: messages, types and overloads", () => {
    expect(tidyMessage("Property 'Conv4d' does not exist on type 'typeof import(\"lrlab-kernel:nn/index\")'.")).toBe("Property 'Conv4d' does not exist on type 'typeof torch.nn'.");
    expect(tidyMessage("Namespace '\"lrlab-kernel:optim/index\"' has no exported member 'Linear'.")).toBe("Namespace 'torch.optim' has no exported member 'Linear'.");
    expect(tidyMessage("Type 'import(\"lrlab-kernel:tensor/tensor\").Tensor' is not assignable to type 'number'.")).toBe("Type 'Tensor' is not assignable to type 'number'.");
    expect(tidyMessage("'typeof import(\"lrlab-kernel:data/sampler\")'")).toBe("'typeof import(\"lrlab-kernel:data/sampler\")'");
    expect(withoutImportPaths("typeof import(\"lrlab-kernel:data/index\")")).toBe("typeof import(\"lrlab/data\")");
    expect(withoutImportPaths("typeof import(\"lrlab-kernel:index\")")).toBe("typeof import(\"lrlab\")");
    expect(withoutImportPaths("import(\"lrlab-kernel:data/sampler\").Sampler")).toBe("Sampler");
    const engine = new Engine(makePrelude(DIST), tmpdir());
    const src = "torch.nn.functional.pad";
    expect(engine.inspect(src, src.length)).toMatch(/^function pad\(/);
    const overloads = declaredOverloads(src, src.length);
    expect(overloads?.file).toBe("pad.d.ts");
    expect(overloads?.text).toMatch(/^function pad\(input: Tensor, pad: readonly number\[\], options\?: PadOptions\): Tensor;\nfunction pad\(/);
    // a module's quick info reads as before: `module torch.nn`, not its bundle's name
    expect(engine.inspect("torch.nn", 8)).toMatch(/^module torch\.nn\n/);
    expect(engine.inspect("torch", 5)).toMatch(/^module torch\n/);
  }, 60_000);
});
