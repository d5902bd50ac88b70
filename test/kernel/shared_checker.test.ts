/**
 * One type checker shared by consecutive cells (kernel/src/kernel/shared_checker.ts). Every cell
 * below runs with the check mode on (LRLAB_CHECK_SHARED_CHECKER=1, as under npm test): a cell a
 * shared checker served is converted again by a converter whose programs build their own
 * checkers, and any difference in output, declarations or diagnostics fails the cell.
 */
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DIST, Engine, makePrelude, envForSuite } from "./dist";

const load = createRequire(__filename);
const shared = load(join(DIST, "kernel/shared_checker.js")) as typeof import("../../kernel/src/kernel/shared_checker");
const patched = load(join(DIST, "kernel/tslab_typescript.js")) as typeof import("../../kernel/src/kernel/tslab_typescript");

type Run = { hasValue: boolean; value: unknown };
const value = (engine: InstanceType<typeof Engine>, src: string): unknown => (engine.run(src) as Run).value;
/** The message of the type error `src` is (not the check mode's: that would mean the two checkers disagree). */
function typeError(engine: InstanceType<typeof Engine>, src: string): string {
  try {
    engine.run(src);
  } catch (e) {
    const message = (e as Error).message;
    expect(message).not.toMatch(/internal error/);
    return message;
  }
  throw new Error(`no type error in: ${src}`);
}

describe("the shared type checker", () => {
  envForSuite("LRLAB_CHECK_SHARED_CHECKER", "1");

  it("serves consecutive cells, each getting what a checker of its own gives", () => {
    const engine = new Engine(makePrelude(DIST), tmpdir());
    engine.run("1 + 1");
    expect([...patched.appliedPatches].sort()).toEqual(["absolutePath", "checker", "uptoDate"]);
    const before = { ...shared.sharedCheckerStats };
    // Cells whose checking or declarations could depend on what the checker met before: unions
    // and literal types (printed in the order the checker created them), generics, inferred
    // return types, redeclarations with another type, merged interfaces, enums, namespaces,
    // Node's modules, the library, a top-level await.
    const cells: [string, unknown][] = [
      ["let a = 1; a", 1],
      ["const xs = [1, 'a', true]; xs.length", 3],
      ["function g(b: boolean) { return b ? 1 : 's'; } g(false)", "s"],
      ["function h(b: boolean) { return b ? 's' : 1; } h(true)", "s"],
      ["const pair = { k: 'x' as 'x' | 'y' | 2, v: [1, 2] as const }; pair.v[1]", 2],
      ["function first<T extends { n: number }>(xs: T[]): T | undefined { return xs[0]; } first([{ n: 3, m: 'q' }])?.m", "q"],
      ["class P { constructor(public v: number) {} twice() { return this.v * 2; } }\nconst p = new P(4); p.twice()", 8],
      ["interface Shape { w: number }\nconst s: Shape = { w: 2 }; s.w", 2],
      ["let a = 'now a string'; a.length", 12],
      ["enum E { A, B } E.B", 1],
      ["namespace N { export const k = [1, 'z'] as const; } N.k[1]", "z"],
      ["import * as os from 'os'; typeof os.platform()", "string"],
      ["let total = 0; for (const x of [1, 2, 3]) total += x; total", 6],
      ["const m = new Map<string, number[] | string>(); m.set('a', [1]); m.size", 1],
      ["const t = torch.tensor([1, 2, 3]); t.shape", [3]],
      ["type U = 'x' | 1 | null; let u: U = 1; u", 1],
      ["g(true)", 1],
      ["p.twice() + a.length", 20],
    ];
    for (const [src, expected] of cells) expect(value(engine, src), src).toEqual(expected);
    expect(shared.sharedCheckerStats.shared - before.shared).toBeGreaterThan(cells.length / 2);
    engine.close();
  }, 120_000);

  it("tells the watch program whether a file changed as `some` does, asking the file that changed last time first", () => {
    const hook = patched.hooks.anyNotUptoDate;
    const files = ["a", "b", "c", "d"].map((n) => ({ n }));
    let changed = new Set(["c"]);
    const asked: string[] = [];
    const notUptoDate = (f: { n: string }) => { asked.push(f.n); return changed.has(f.n); };
    const ask = (want: boolean, order: string[] | null) => {
      asked.length = 0;
      expect(hook(files, notUptoDate)).toBe(want);
      expect(hook(files, notUptoDate)).toBe(files.some((f) => changed.has(f.n)));
      if (order) expect(asked.slice(0, order.length)).toEqual(order);
    };
    ask(true, null); // whatever an earlier program left: "c" is now the file that changed last
    ask(true, ["c", "c"]); // asked first, and only it
    changed = new Set(); // nothing changed since: every file is asked
    ask(false, ["c", "a", "b", "c", "d"]);
    changed = new Set(["a", "d"]);
    ask(true, ["a", "a"]); // after a miss, found in order
    changed = new Set(["d"]);
    ask(true, ["a", "a", "b", "c", "d", "d"]);
    ask(true, ["d", "d"]);
    expect(hook(files.slice(0, 2), notUptoDate)).toBe(false); // the remembered place past a shorter program
  });

  it("reports a type error again when the same cell runs again, and nothing a completion of broken code left", () => {
    const engine = new Engine(makePrelude(DIST), tmpdir());
    engine.run("const ok = 1;");
    engine.run("const ok2 = ok + 1;");
    expect(typeError(engine, "const bad: number = 'x';")).toMatch(/not assignable to type 'number'/);
    expect(typeError(engine, "const bad: number = 'x';")).toMatch(/not assignable to type 'number'/);
    expect(value(engine, "ok2")).toBe(2);
    // A completion checks the call in the text being typed, and its checker keeps the error
    // under the cell's file name: the next cells must neither see it nor lose their own.
    const redone = shared.sharedCheckerStats.redone;
    engine.complete("const c = [1].map((x: string) => x).", 36);
    expect(value(engine, "ok + 40")).toBe(41);
    expect(shared.sharedCheckerStats.redone).toBe(redone + 1);
    engine.complete("const c = [1].map((x: string) => x).", 36);
    expect(typeError(engine, "const c = [1].map((x: string) => x)")).toMatch(/not assignable to parameter/);
    expect(value(engine, "'still ' + ok2")).toBe("still 2");
    engine.close();
  }, 60_000);

  it("a program whose cell augments the global scope gets a checker of its own, never handed on", () => {
    const engine = new Engine(makePrelude(DIST), tmpdir());
    engine.run("const before = 1;");
    const created = shared.sharedCheckerStats.created;
    // a completion builds the program of the text being typed, augmentation included
    engine.complete("declare global { interface Array<T> { lrlabTestMark?: number } }\n[1].", 69);
    expect(shared.sharedCheckerStats.created).toBe(created + 1);
    // the cell after it must not see the augmentation its checker took in
    expect(typeError(engine, "[2].lrlabTestMark")).toMatch(/Property 'lrlabTestMark' does not exist/);
    expect(value(engine, "before + 1")).toBe(2);
    engine.close();
  }, 60_000);

  it("the check mode compares printed types with the members of unions in any order, and nothing else", () => {
    new Engine(makePrelude(DIST), tmpdir()).compile("1");
    const ts = load(join(DIST, "kernel/engine_tslab.js")).tslabTypeScript();
    const d = (t: string) => shared.withSortedUnions(ts, t, "declarations");
    expect(d('declare function h(b: boolean): "s" | 1;\ndeclare let u: (B & A) | null;\n'))
      .toBe(d('declare function h(b: boolean): 1 | "s";\ndeclare let u: null | (A & B);\n'));
    expect(d("declare let x: 1 | 2;\n")).not.toBe(d("declare let x: 1 | 3;\n"));
    const m = (t: string) => shared.withSortedUnions(ts, t, "message");
    expect(m("Type '\"s\" | 1' is not assignable to type 'string'.")).toBe(m("Type '1 | \"s\"' is not assignable to type 'string'."));
    expect(m("Type '1 | 2' is not assignable to type 'string'.")).not.toBe(m("Type '1 | 2' is not assignable to type 'number'."));
  }, 60_000);

  it("retires once the cell files it was handed add up to its budget of text", () => {
    const engine = new Engine(makePrelude(DIST), tmpdir());
    engine.run("const small1 = 1;");
    engine.run("const small2 = 2;");
    const created = shared.sharedCheckerStats.created;
    // a cell of 400,000 characters: served by the shared checker, which then retires
    const long = `const long = ${JSON.stringify("x".repeat(400_000))};\nlong.length`;
    expect(value(engine, long)).toBe(400_000);
    expect(shared.sharedCheckerStats.created).toBe(created);
    expect(value(engine, "small1 + small2")).toBe(3);
    expect(shared.sharedCheckerStats.created).toBe(created + 1);
    engine.close();
  }, 60_000);

  it("the check mode fails a cell whose shared answer differs from its own checker's", () => {
    const engine = new Engine(makePrelude(DIST), tmpdir());
    engine.run("const x0 = 1;");
    const real = patched.hooks.checkerFor!;
    // a shared checker that loses every diagnostic
    patched.hooks.checkerFor = (program, create) => {
      const c = real(program, create);
      return shared.lastProgramShared ? new Proxy(c, { get: (t, k) => (k === "getDiagnostics" ? () => [] : t[k]) }) : c;
    };
    try {
      expect(() => engine.run("const y: number = 'not a number';")).toThrow(/internal error: a cell checked by the shared type checker gave another result/);
    } finally {
      patched.hooks.checkerFor = real;
    }
    engine.close();
  }, 60_000);
});
