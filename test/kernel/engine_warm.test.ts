/**
 * Engine.warm() (called after the first kernel_info) loads the compiler and type-checks a typical
 * cell so that the user's first cells do not run TypeScript cold. It must leave no trace: no
 * declaration carried to the next cell, no value, no cached result for a text the user types.
 */
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { DIST, Engine, makePrelude, WARM_CELL } from "./dist";

describe("Engine.warm", () => {
  it("type-checks without declaring or running anything", () => {
    const engine = new Engine(makePrelude(DIST), tmpdir());
    const before = (engine as any).prevDecl as string;
    engine.warm();
    expect((engine as any).prevDecl).toBe(before);
    expect(engine.userNames()).toEqual([]);
    // the warm-up cell declares `model`, `optimizer`, `xs`: the user's may too, with other types
    const r = engine.run("const model: string = 'mine';\nconst xs = 4;\nmodel + xs") as { hasValue: boolean; value: unknown };
    expect(r.value).toBe("mine4");
    expect(engine.userNames().sort()).toEqual(["model", "xs"]);
    // the warm-up cell itself checks cleanly (else warm() would warm less, and say nothing)
    expect(new Engine(makePrelude(DIST), tmpdir()).compile(WARM_CELL).diagnostics).toEqual([]);
    // and a type error is still one (the checker was not left in some other state)
    expect(() => engine.run("const n: number = 'x';")).toThrow(/not assignable to type 'number'/);
  }, 60_000);

  it("warmCompile: false before the compiler loads; after, compiles the warm-up cell without a trace", () => {
    const engine = new Engine(makePrelude(DIST), tmpdir());
    expect(engine.warmCompile(0)).toBe(false); // it never loads the compiler itself (warm() does)
    engine.warm();
    const before = (engine as any).prevDecl as string;
    for (let i = 0; i < 3; i++) expect(engine.warmCompile(i)).toBe(true);
    expect((engine as any).prevDecl).toBe(before);
    expect(engine.userNames()).toEqual([]);
    const r = engine.run("const point: string = 'mine';\npoint") as { value: unknown };
    expect(r.value).toBe("mine");
    expect(() => engine.run("const total: number = 'x';")).toThrow(/not assignable to type 'number'/);
  }, 60_000);
});

