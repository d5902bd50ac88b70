/**
 * TypeScript's compiler runs under a larger V8 interrupt budget, the cell's own code under V8's
 * (kernel/src/kernel/compiler_tiering.ts). V8 has no getter for a flag, so the flag's sets are
 * watched: the raised budget before the compile, V8's own back before the cell's code runs, also
 * when the compile throws.
 */
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DIST, Engine, makePrelude } from "./dist";

const req = createRequire(__filename);
// the module object the kernel's code calls through (vitest's ESM namespace of node:v8 is frozen)
const v8 = req("node:v8") as typeof import("node:v8");
const setFlags = v8.setFlagsFromString;
const { underCompilerBudget } = req(join(DIST, "kernel/compiler_tiering.js")) as typeof import("../../kernel/src/kernel/compiler_tiering");

const RAISED = "--interrupt-budget=1000000";
const V8_OWN = "--interrupt-budget=67584"; // Node 20's default; the kernel is started without the flag

let sets: string[] = [];
let e: InstanceType<typeof Engine>;

beforeAll(() => {
  e = new Engine(makePrelude(DIST), tmpdir());
  // recorded, then set for real
  v8.setFlagsFromString = (flags: string) => { sets.push(flags); setFlags(flags); };
});
afterAll(() => { v8.setFlagsFromString = setFlags; e.close(); });
afterEach(() => { sets = []; delete process.env.LRLAB_COMPILER_BUDGET; });

describe("the compiler's interrupt budget", () => {
  it("a new cell is compiled under the raised budget and runs under V8's own", async () => {
    const seen: string[][] = [];
    (globalThis as any).__lrlab_budget_probe = () => { seen.push([...sets]); };
    await e.run("const probeA: number = 1;\n(globalThis as any).__lrlab_budget_probe();");
    // one raise and one restore around the compile (warm-up and cell compile share one span)
    expect(sets).toEqual([RAISED, V8_OWN]);
    // when the cell's code ran, the budget was already back
    expect(seen).toEqual([[RAISED, V8_OWN]]);
    delete (globalThis as any).__lrlab_budget_probe;
  });

  it("a cell with a type error: raised, then put back", async () => {
    await expect(Promise.resolve().then(() => e.run("const probeB: number = 'x';"))).rejects.toThrow(/not assignable/);
    expect(sets).toEqual([RAISED, V8_OWN]);
  });

  it("a re-run the engine's cache answers sets nothing", async () => {
    await e.run("1 + 41");
    sets = [];
    await e.run("1 + 41");
    expect(sets).toEqual([]);
  });

  it("put back when the wrapped work throws, once for nested spans", () => {
    expect(() => underCompilerBudget(() => underCompilerBudget(() => { throw new Error("boom"); }))).toThrow("boom");
    expect(sets).toEqual([RAISED, V8_OWN]);
    expect(underCompilerBudget(() => 7)).toBe(7);
    expect(sets).toEqual([RAISED, V8_OWN, RAISED, V8_OWN]);
  });

  it("LRLAB_COMPILER_BUDGET picks the budget; 0 leaves V8's alone; a bad value is ignored", () => {
    process.env.LRLAB_COMPILER_BUDGET = "300000";
    underCompilerBudget(() => 0);
    process.env.LRLAB_COMPILER_BUDGET = "0";
    underCompilerBudget(() => 0);
    process.env.LRLAB_COMPILER_BUDGET = "lots";
    underCompilerBudget(() => 0);
    expect(sets).toEqual(["--interrupt-budget=300000", V8_OWN, RAISED, V8_OWN]);
  });

  it("the warm-up's compiles run under their own, smaller budget; LRLAB_COMPILER_BUDGET overrides it too", () => {
    // Engine.warmCompile: one compile of the warm-up cell, under WARM_COMPILE_BUDGET (200,000)
    expect(e.warmCompile(0)).toBe(true);
    expect(sets).toEqual(["--interrupt-budget=200000", V8_OWN]);
    sets = [];
    expect(underCompilerBudget(() => 3, 123_456)).toBe(3);
    expect(sets).toEqual(["--interrupt-budget=123456", V8_OWN]);
    sets = [];
    process.env.LRLAB_COMPILER_BUDGET = "0";
    expect(e.warmCompile(1)).toBe(true);
    expect(sets).toEqual([]);
  });

  it("on a V8 whose default budget is not known (Node 22 and later), the budget is left alone", () => {
    const own = Object.getOwnPropertyDescriptor(process.versions, "v8")!;
    Object.defineProperty(process.versions, "v8", { ...own, value: "12.4.254.21-node.33" });
    try {
      expect(underCompilerBudget(() => 5)).toBe(5);
    } finally {
      Object.defineProperty(process.versions, "v8", own);
    }
    expect(sets).toEqual([]);
  });
});
