/**
 * The previous cells' declarations (kernel/src/kernel/decls_print.ts and the converter patches
 * of engine_tslab.ts): copied instead of reprinted, the parsed file reused while its text stays,
 * namespaces kept. Runs with LRLAB_CHECK_DECLS_PRINT=1 (as npm test does): every copy is also
 * compared with what TypeScript's printer prints, token by token.
 */
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DIST, Engine, latestProgram, makePrelude, envForSuite } from "./dist";

const load = createRequire(__filename);
const tslab = load(join(DIST, "kernel/engine_tslab.js")) as typeof import("../../kernel/src/kernel/engine_tslab");
const declsPrint = load(join(DIST, "kernel/decls_print.js")) as typeof import("../../kernel/src/kernel/decls_print");

type Run = { value: unknown };
const value = (e: InstanceType<typeof Engine>, src: string) => (e.run(src) as Run).value;
const declsFile = () => latestProgram().getSourceFiles().find((f: { fileName: string }) => f.fileName.endsWith("__prev__.d.ts"));

describe("the previous cells' declarations", () => {
  envForSuite("LRLAB_CHECK_DECLS_PRINT", "1");

  it("stay right through redeclarations of every kind, each copy checked against the printer", () => {
    const e = new Engine(makePrelude(DIST), tmpdir());
    e.run("1");
    expect([...tslab.appliedConverterPatches].sort()).toEqual(["declDiagnostics", "decls", "escapedNames", "importAliases", "liveBindings", "names", "namespaces"]);
    const cells: [string, unknown][] = [
      ["const a = 1, b = 'two'; const tup = [1, 2] as const; a", 1],
      ["import * as os from 'os'; import { join, dirname } from 'path'; typeof join", "function"],
      ["interface Shape { w: number } type Id = string | number; enum Dir { Up, Down } class Box { constructor(public s: Shape) {} }", undefined],
      ["function twice(x: number): number; function twice(x: string): string; function twice(x: any) { return x + x; } twice(2)", 4],
      // redeclare one name of a two-name statement, and one name of an import (the printer's path)
      ["const a = 'now a string'; a.length + b.length", 15],
      ["const join = 5; dirname('/x/y') + join", "/x5"],
      ["type Id = boolean; const id: Id = true; id", true],
      ["tup[1] + new Box({ w: 3 }).s.w + Dir.Down", 6],
      ["b + a + typeof os.platform()", "twonow a stringstring"],
    ];
    for (const [src, expected] of cells) expect(value(e, src), src).toEqual(expected);
    e.close();
  }, 60_000);

  it("keep a namespace a later cell does not redeclare (tslab dropped it at the next cell)", () => {
    const e = new Engine(makePrelude(DIST), tmpdir());
    e.run("namespace Geo { export const origin = [0, 0]; export type Pt = [number, number]; }");
    e.run("const unrelated = 1;");
    expect(value(e, "const p: Geo.Pt = [1, 2]; Geo.origin.length + p[1] + unrelated")).toBe(5);
    e.run("const Geo = 'replaced';");
    expect(value(e, "Geo.length")).toBe(8);
    e.close();
  }, 60_000);

  it("are parsed once while their text stays, and again when it changes", () => {
    const e = new Engine(makePrelude(DIST), tmpdir());
    e.run("const q = 1; q");
    e.run("const q = 1; q // again");
    const first = declsFile();
    e.run("const q = 1; q // and again");
    expect(declsFile()).toBe(first);
    // (a cell's program holds the declarations of the cells before it)
    e.run("const r = 2; r");
    expect(declsFile()).toBe(first);
    expect(value(e, "q + r")).toBe(3);
    expect(declsFile()).not.toBe(first);
    e.close();
  }, 60_000);

  it("the check fails a copy that is not the printer's declarations", () => {
    new Engine(makePrelude(DIST), tmpdir()).compile("1");
    const ts = tslab.tslabTypeScript();
    const sf = ts.createSourceFile("d.d.ts", "export {};\ndeclare const a: number;\ndeclare const b: string;\n", ts.ScriptTarget.Latest, true);
    const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
    const keep = () => { sf.statements = ts.factory.createNodeArray(sf.statements.slice(1)); };
    let snap = declsPrint.snapshot(ts, sf);
    keep();
    // until it is put back, the file is not offered for reuse (engine_tslab.ts)
    expect(declsPrint.changed.has(sf)).toBe(true);
    expect(declsPrint.print(ts, printer, sf, snap)).toBe("declare const a: number;\ndeclare const b: string;\n");
    expect(sf.statements.length).toBe(3); // put back as parsed
    expect(declsPrint.changed.has(sf)).toBe(false);
    // a change the copy cannot see (a name replaced in place): the check catches it
    snap = declsPrint.snapshot(ts, sf);
    keep();
    sf.statements[0].declarationList.declarations[0].name = ts.factory.createIdentifier("renamed");
    expect(() => declsPrint.print(ts, printer, sf, snap)).toThrow(/declarations copied from their text differ/);
  }, 60_000);
});
