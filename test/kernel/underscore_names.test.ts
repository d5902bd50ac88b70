/**
 * Top-level names that start with two underscores (`__x`, `___y`). TypeScript keeps such a name
 * escaped in its symbol tables (one more underscore: "___x"), and tslab's convert() wrote the
 * binder's names into the cell's `export { ... }` list as they were: every such cell failed with
 * "Cannot find name '___x'. Did you mean '__x'?". The engine writes them as spelt in that list
 * (engine_tslab.ts `escapedNames`) and in the CommonJS it writes (esModuleToCommonJsDirect), and
 * they work as any other name: in later cells, through functions (live bindings), reassigned,
 * destructured, as types, enums and namespaces. Under `npm test` every cell is also checked against
 * TypeScript's own CommonJS transform (LRLAB_CHECK_DIRECT_CJS).
 */
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIST, Engine, makePrelude } from "./dist";

type Run = { value: unknown };
let e: InstanceType<typeof Engine>;
const value = async (src: string) => ((await e.run(src)) as Run).value;

beforeAll(() => {
  e = new Engine(makePrelude(DIST), tmpdir());
});
afterAll(() => e.close());

describe("names that start with two underscores", () => {
  it("a const, a let, a function and a class, in their cell and the next ones", async () => {
    expect(await value("const __h = 5;\n__h")).toBe(5);
    expect(await value("__h + 1")).toBe(6);
    expect(await value("let ___y = 2;\n___y")).toBe(2);
    expect(await value("___y + __h")).toBe(7);
    expect(await value("function __f() { return 3; }\n__f()")).toBe(3);
    expect(await value("__f() * 2")).toBe(6);
    expect(await value("class __C { v = 7; }\nnew __C().v")).toBe(7);
    expect(await value("new __C().v + 1")).toBe(8);
    // redeclared with another type
    expect(await value("const __h = 'again';\n__h")).toBe("again");
    expect(await value("__h.length")).toBe(5);
  });

  it("a let that a function of its cell writes, reassigned by later cells", async () => {
    expect(await value("let __n = 0;\nfunction __inc() { __n++; return __n; }\n__inc()")).toBe(1);
    expect(await value("__inc();\n__n")).toBe(2);
    expect(await value("__n = 10;\n__inc()")).toBe(11);
    expect(await value("__n += 1;\n__n")).toBe(12);
    expect(await value("__n++;\n__n")).toBe(13);
  });

  it("destructured, and as an interface, a type alias, an enum and a namespace", async () => {
    expect(await value("const { __a, b: __b } = { __a: 1, b: 2 };\n__a + __b")).toBe(3);
    expect(await value("__a * __b")).toBe(2);
    expect(await value("interface __I { x: number }\nconst __o: __I = { x: 4 };\n__o.x")).toBe(4);
    expect(await value("const __p: __I = { x: 5 };\n__p.x + __o.x")).toBe(9);
    expect(await value("type __T = number;\nconst __v: __T = 3;\n__v")).toBe(3);
    expect(await value("enum __E { A = 1 }\n__E.A")).toBe(1);
    expect(await value("__E.A + 1")).toBe(2);
    expect(await value("namespace __NS { export const q = 9; }\n__NS.q")).toBe(9);
    expect(await value("__NS.q + 1")).toBe(10);
  });
});
