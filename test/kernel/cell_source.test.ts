/**
 * What tslab's converter got wrong about a cell's text (kernel/src/kernel/cell_source.ts): top-level
 * await it did not see (`await (x)`, `for await`) and `export` on a declaration.
 */
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { DIST, Engine, makePrelude } from "./dist";

type Run = { value: unknown };
const value = async (e: InstanceType<typeof Engine>, src: string) => ((await e.run(src)) as Run).value;

describe("cells tslab's converter misread", () => {
  it("await at top level in the forms TypeScript parses without an error", async () => {
    const e = new Engine(makePrelude(DIST), tmpdir());
    // Each of these ran in a plain function before: "await is not defined" / "Unexpected reserved word".
    expect(await value(e, "await (Promise.resolve(5))")).toBe(5);
    expect(await value(e, "const r = await (async () => 2)(); r")).toBe(2);
    expect(await value(e, "const seen: number[] = [];\nfor await (const v of [1, Promise.resolve(2)]) seen.push(v);\nseen")).toEqual([1, 2]);
    expect(await value(e, "{ for await (const w of [3]) seen.push(w); }\nseen.length")).toBe(3);
    expect(await value(e, "if (seen.length) { label: for await (const w of [4]) { seen.push(w); break label; } }\nseen")).toEqual([1, 2, 3, 4]);
    // An await inside a function that is not async is still the type error it was.
    expect(() => e.run("function notAsync() { return await (1) }")).toThrow(/async function/);
    e.close();
  }, 60_000);

  it("export on declarations: the names are kept as every top-level name is, errors keep their places", async () => {
    const e = new Engine(makePrelude(DIST), tmpdir());
    // Before: "Cannot redeclare exported variable 'ex'" on lines 2 and 3 of a one-line cell.
    expect(await value(e, "export const ex = 1;\nexport function ef(): number { return ex + 1 }\nexport class EC { v = 3 }\nexport enum EE { A = 7 }\nef()")).toBe(2);
    expect(await value(e, "ex + new EC().v + EE.A")).toBe(11);
    expect(() => e.run("export const bad: string = 1;")).toThrow(/^1:14 - Type 'number' is not assignable to type 'string'/);
    e.close();
  }, 60_000);
});
