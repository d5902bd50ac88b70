/**
 * One variable per top-level name across cells (kernel/src/kernel/live_bindings.ts). Before: a
 * function kept reading its own cell's copy of a variable, so `lr = 0.001` in a later cell, then
 * `train()`, trained at the old rate; and `{ lr, momentum }` naming an earlier cell's variables
 * threw "ReferenceError: lr is not defined" (both inherited from tslab; a user's pass found them).
 */
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIST, Engine, makePrelude } from "./dist";

type Run = { value: unknown };
let e: InstanceType<typeof Engine>;
const value = async (src: string) => ((await e.run(src)) as Run).value;

beforeAll(() => { e = new Engine(makePrelude(DIST), tmpdir()); });
afterAll(() => e.close());

describe("a cell's functions see what later cells assign", () => {
  it("a later assignment reaches an earlier function (the sweep: set lr, call train)", async () => {
    await e.run(`let lr = 0.1;
const model = new torch.nn.Linear(2, 1);
function train(steps: number): number {
  const opt = new torch.optim.SGD(model.parameters(), { lr: lr });
  for (let i = 0; i < steps; i++) { opt.zero_grad(); model.forward(torch.ones([1, 2])).sum().backward(); opt.step(); }
  return opt.param_groups[0].lr;
}`);
    expect(await value("lr = 0.001;\ntrain(1)")).toBe(0.001);
    expect(await value("lr = 0.5;\n[lr, train(1)]")).toEqual([0.5, 0.5]);
  });

  it("a later cell's re-declaration (let or const) reaches an earlier function", async () => {
    await e.run("let rate = 1; const wd = 0; const cfg = () => ({ rate: rate, wd: wd });");
    await e.run("let rate = 2; const wd = 0.5;");
    expect(await value("cfg()")).toEqual({ rate: 2, wd: 0.5 });
  });

  it("a write from an earlier function is seen by later cells, and by the cell's own top level", async () => {
    await e.run("let counter = 0; function bump() { counter++; }");
    expect(await value("bump(); bump(); counter")).toBe(2);
    expect(await value("let best = 0;\n[1, 5, 3].forEach((v) => { if (v > best) best = v; });\nbest")).toBe(5);
    expect(await value("best")).toBe(5);
    expect(await value("best = 9;\nlet seen = 0;\n(() => { seen = best; })();\nseen")).toBe(9);
  });

  it("methods, class fields, async functions and timers read the shared variable", async () => {
    await e.run(`let k = 1;
class Holder { v = k; get now() { return k; } }
const later = async () => { await null; return k; };
let fromTimer = 0;`);
    await e.run("k = 7;");
    expect(await value("new Holder().v + new Holder().now")).toBe(14);
    expect(await value("await later()")).toBe(7);
    expect(await value("await new Promise((r) => setTimeout(() => { fromTimer = k; r(fromTimer); }, 1))")).toBe(7);
  });

  it("hoisted functions still call each other before their declarations", async () => {
    expect(await value("function first() { return second(); }\nfunction second() { return 3; }\nfirst()")).toBe(3);
  });
});

describe("object shorthand", () => {
  it("names an earlier cell's variables, at top level and in every kind of function", async () => {
    await e.run("const lr_s = 0.1; const momentum_s = 0.9; const net_s = new torch.nn.Linear(2, 1);");
    const opt = await value("const o_s = new torch.optim.SGD(net_s.parameters(), { lr: lr_s, momentum: momentum_s });\n({ lr_s, momentum_s })");
    expect(opt).toEqual({ lr_s: 0.1, momentum_s: 0.9 });
    expect(await value("const mk_s = () => ({ lr_s });\nmk_s()")).toEqual({ lr_s: 0.1 });
    expect(await value("class C_s { opt() { return { momentum_s }; } }\nnew C_s().opt()")).toEqual({ momentum_s: 0.9 });
    expect(await value("[1, 2].map((i) => ({ lr_s, i }))")).toEqual([{ lr_s: 0.1, i: 1 }, { lr_s: 0.1, i: 2 }]);
    expect(await value("function pack_s() { return { net_s }; }\npack_s().net_s === net_s")).toBe(true);
  });

  it("as a destructuring target, with and without a default, writes the shared variable", async () => {
    await e.run("let dq = 1; const readDq = () => dq;");
    expect(await value("({ dq } = { dq: 7 });\n[dq, readDq()]")).toEqual([7, 7]);
    expect(await value("({ dq = 3 } = {} as { dq?: number });\n[dq, readDq()]")).toEqual([3, 3]);
  });
});

describe("what stays local", () => {
  it("a top-level loop over the cell's own variables (no closure writes them) runs on locals", () => {
    const js = (e as unknown as { compile(src: string): { output: string } }).compile("let acc2 = 0;\nfor (let i = 0; i < 4; i++) acc2 += i;\nacc2").output;
    expect(js).toContain("exports.acc2 = acc2 += i");
    expect(js).not.toContain("exports.acc2 += i");
  });

  it("library globals are not the cell's variables (Error, Math, console)", async () => {
    expect(await value("const mkErr = () => new Error('boom').message + Math.max(1, 2);\nmkErr()")).toBe("boom2");
  });
});
