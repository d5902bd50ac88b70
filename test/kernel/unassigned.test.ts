/**
 * A name a cell declares but never assigned, because it threw first (kernel/src/kernel/unassigned.ts).
 * Before: `const el = f()` throwing left `el` declared and `undefined`; the next cell's `el.length`
 * failed with "Cannot read properties of undefined (reading 'length')", and a re-declared `x` read
 * `undefined` under its new type. Now reading it is a ReferenceError naming it and why.
 */
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { DIST, Engine, makePrelude } from "./dist";
import { createRequire } from "node:module";
import { join } from "node:path";

const { withoutResets } = createRequire(__filename)(join(DIST, "kernel/unassigned.js")) as typeof import("../../kernel/src/kernel/unassigned");

type Run = { value: unknown };
const value = async (e: InstanceType<typeof Engine>, src: string) => ((await e.run(src)) as Run).value;
const UNASSIGNED = (name: string) => new RegExp(`^${name} is not defined: the cell that declares it stopped with an error before assigning it`);

async function failure(e: InstanceType<typeof Engine>, src: string): Promise<Error> {
  try {
    await e.run(src);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`expected ${JSON.stringify(src)} to throw`);
}

describe("names a failed cell declared but did not assign", () => {
  it("read as a ReferenceError naming them; what the cell assigned before the error keeps its value", async () => {
    const e = new Engine(makePrelude(DIST), tmpdir());
    await e.run("let x: number = 1;\nfunction f(): string { throw new Error('boom'); }");
    expect((await failure(e, "const a0 = 5;\nconst el = f();\nconst after = 2;")).message).toBe("boom");
    expect(await value(e, "a0")).toBe(5);
    for (const name of ["el", "after"]) {
      const err = await failure(e, `String(${name})`);
      expect(err).toBeInstanceOf(ReferenceError);
      expect(err.message).toMatch(UNASSIGNED(name));
    }
    // a name re-declared by a failed cell is unassigned too (it held 1 under type number; now type string)
    expect((await failure(e, "const x = f();")).message).toBe("boom");
    expect((await failure(e, "x")).message).toMatch(UNASSIGNED("x"));
    // the names list and the values the kernel reads (%who, Tab on magic lines, %lr_compare) skip them
    expect(e.userNames().sort()).toEqual(["a0", "f"]);
    expect(e.value("el")).toBeUndefined();
    // declaring it again in a cell that runs gives it a value
    expect(await value(e, "const el = 'ok';\nel.length")).toBe(2);
    expect(await value(e, "el")).toBe("ok");
    expect(e.userNames()).toContain("el");
    e.close();
  }, 60_000);

  it("in cells with top-level await, and for every kind of declaration; a cell that runs through assigns them all", async () => {
    const e = new Engine(makePrelude(DIST), tmpdir());
    expect((await failure(e, "const z = await Promise.reject(new Error('async boom'));\nconst w = 1;")).message).toBe("async boom");
    expect((await failure(e, "w")).message).toMatch(UNASSIGNED("w"));
    const cell = "var v = 1; function g() { return 2 } class K {} enum E { A } namespace N { export const q = 1 }\n"
      + "let [p, q] = [1, 2]; const { r } = { r: 3 }; let s: number; let t = 0; for (let i = 0; i < 3; i++) t += i;\n"
      + "v + g() + E.A + N.q + p + q + r + t";
    expect(await value(e, cell)).toBe(1 + 2 + 0 + 1 + 1 + 2 + 3 + 3);
    expect(await value(e, "[v, g(), new K() instanceof K, p, q, r, t, s]")).toEqual([1, 2, true, 1, 2, 3, 3, undefined]);
    e.close();
  }, 60_000);
});

describe("withoutResets", () => {
  it("blanks TypeScript's reset statements (lines kept) and lists their names, tsLastExpr aside", () => {
    const names = Array.from({ length: 60 }, (_, i) => `n${i}`);
    // TypeScript writes 50 names per statement: two statements for 60 names (and the kernel's tsLastExpr)
    const resets = [`exports.tsLastExpr = ${names.slice(0, 49).map((n) => `exports.${n}`).join(" = ")} = void 0;`,
      `${names.slice(49).map((n) => `exports.${n}`).join(" = ")} = void 0;`];
    const js = `Object.defineProperty(exports, "__esModule", { value: true });\n${resets.join("\n")}\nconst n0 = 1;\nexports.n0 = n0;`;
    const out = withoutResets(js);
    expect(out.names).toEqual(names);
    expect(out.js.split("\n")).toHaveLength(js.split("\n").length);
    expect(out.js).toBe(`Object.defineProperty(exports, "__esModule", { value: true });\n\n\nconst n0 = 1;\nexports.n0 = n0;`);
    // no prologue (not a module), no resets, a reset-looking line further down: unchanged
    expect(withoutResets("1 + 1;")).toEqual({ js: "1 + 1;", names: [] });
    const later = `Object.defineProperty(exports, "__esModule", { value: true });\nf();\nexports.a = void 0;`;
    expect(withoutResets(later)).toEqual({ js: later, names: [] });
  });
});
