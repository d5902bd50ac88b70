/**
 * Destructuring of a value whose type an earlier cell declared (kernel/src/kernel/live_bindings.ts,
 * isPropertyName). Before: the `a` of `{ a: b0 }` resolved to the property of the earlier cell's
 * type and was rewritten like an earlier cell's variable, to `exports.a`, printed `{ exports, a: b0 }`:
 * `const { opt: o0, sched: s0 } = make_opt(model, 100)` failed with "SyntaxError: Identifier
 * 'exports' has already been declared" (a user's pass), and in a parameter (`rows.map(({ x: v }) =>
 * v * scale)`) it silently bound a local `exports`, so the function's reads of the cells' names failed.
 * Every destructuring form, declared by let/const/var, of values from the same cell and from earlier ones.
 */
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIST, Engine, makePrelude } from "./dist";

type Run = { value: unknown };
let e: InstanceType<typeof Engine>;
const value = async (src: string) => ((await e.run(src)) as Run).value;

beforeAll(async () => {
  e = new Engine(makePrelude(DIST), tmpdir());
  // `a` and `b` are also variables of their own: a property named like a variable stays the property
  await e.run(`const o = { a: 1, b: 2, n: { c: [10, 20, 30, 40] }, extra: 5 };
const xs = [1, 2, 3, 4, 5];
function f() { return { a: 1, b: 2, n: { c: [10, 20, 30, 40] }, extra: 5 }; }
const rows = [{ x: 1, y: 2 }, { x: 3, y: 4 }];
const scale = 10;
let a = 100; let b = 200;`);
});
afterAll(() => e.close());

describe("object destructuring of an earlier cell's value", () => {
  it("with renames, by let, const and var, of a variable and of a call", async () => {
    expect(await value("let { b: c0 } = o;\nc0")).toBe(2);
    expect(await value("c0")).toBe(2);
    expect(await value("const { a: b0 } = f();\nb0")).toBe(1);
    expect(await value("var { a: v0, b: v1 } = o;\n[v0, v1]")).toEqual([1, 2]);
    expect(await value("const r = f(); const { a: b1 } = r;\nb1")).toBe(1);
    expect(await value("[a, b]")).toEqual([100, 200]);
  });

  it("with defaults, nested patterns and a rest", async () => {
    expect(await value("const { a: d0 = 9, missing: d1 = 7 } = o as { a: number; missing?: number };\n[d0, d1]")).toEqual([1, 7]);
    expect(await value("const { n: { c: [n0, , n2] } } = f();\n[n0, n2]")).toEqual([10, 30]);
    expect(await value("const { a: r0, ...others } = o;\n[r0, others]")).toEqual([1, { b: 2, n: { c: [10, 20, 30, 40] }, extra: 5 }]);
    expect(await value("const { ['b']: computed } = o;\ncomputed")).toBe(2);
  });

  it("the PyTorch port's case: two results of a helper renamed (a second run of make_opt)", async () => {
    await e.run(`function make_opt(model: torch.nn.Module, warmup: number) {
  const opt = new torch.optim.AdamW(model.parameters(), { lr: 1e-3 });
  const sched = new torch.optim.lr_scheduler.LambdaLR(opt, { lr_lambda: (s: number) => Math.min(1, (s + 1) / warmup) });
  return { opt, sched };
}
const model = new torch.nn.Linear(2, 1);`);
    expect(await value("const { opt: o0, sched: s0 } = make_opt(model, 100);\ns0.get_last_lr()")).toEqual([1e-5]);
    expect(await value("o0.param_groups[0].lr")).toBe(1e-5);
  });
});

describe("array destructuring of an earlier cell's value", () => {
  it("with holes, defaults and a rest, by let, const and var", async () => {
    expect(await value("const [x0, , x2] = xs;\n[x0, x2]")).toEqual([1, 3]);
    expect(await value("let [y0 = 5, , , , , y5 = 6] = xs;\n[y0, y5]")).toEqual([1, 6]);
    expect(await value("var [z0, ...zr] = xs;\n[z0, zr]")).toEqual([1, [2, 3, 4, 5]]);
    expect(await value("const [{ x: px }, { y: py }] = rows;\n[px, py]")).toEqual([1, 4]);
  });
});

describe("destructuring in the same cell as the value (as before)", () => {
  it("every form", async () => {
    expect(await value(`const q = { a: 1, b: [2, 3, 4], c: { d: 5 } };
const { a: qa, b: [, qb1, ...qbr], c: { d: qd = 0 }, ...qrest } = q;
let [w0 = 1, , w2] = [undefined, 8, 9];
var { zz = 4 } = {} as { zz?: number };
[qa, qb1, qbr, qd, qrest, w0, w2, zz]`)).toEqual([1, 3, [4], 5, {}, 1, 9, 4]);
  });
});

describe("destructuring parameters and loops over an earlier cell's value", () => {
  it("a parameter pattern with renames still reads the cells' names (no local `exports`)", async () => {
    expect(await value("rows.map(({ x: v }) => v * scale)")).toEqual([10, 30]);
    expect(await value("function sum_xy({ x: p, y: q }: (typeof rows)[number]) { return (p + q) * scale; }\nsum_xy(rows[1])")).toBe(70);
    expect(await value("let tot = 0;\nfor (const { y: yy } of rows) tot += yy * scale;\ntot")).toBe(60);
  });

  it("a destructuring assignment with renames, to the cells' variables", async () => {
    expect(await value("let m0 = 0, m1 = 0;\n({ a: m0, b: m1 } = o);\n[m0, m1]")).toEqual([1, 2]);
    expect(await value("({ b: a } = o);\n[a, b]")).toEqual([2, 200]);
  });

  it("a renamed variable is one variable across cells: a function of its cell sees a later write", async () => {
    await e.run("let { a: live0 } = f();\nconst read_live = () => live0;");
    await e.run("live0 = 42;");
    expect(await value("read_live()")).toBe(42);
  });
});
