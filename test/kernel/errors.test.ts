/**
 * Errors as the user reads them (kernel/src/kernel/errors.ts): the cell line that threw, the
 * user's frames, what an error wraps, thrown values that are not errors.
 */
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DIST, Engine, makePrelude } from "./dist";

const load = createRequire(__filename);
const { errorContent, errorText } = load(join(DIST, "kernel/errors.js")) as typeof import("../../kernel/src/kernel/errors");

const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");
function thrown(e: InstanceType<typeof Engine>, src: string): unknown {
  try { e.run(src); } catch (err) { return err; }
  throw new Error(`cell did not throw: ${src}`);
}

describe("errors as the user reads them", () => {
  it("point at the cell line that threw when TypeScript's printer split that line", () => {
    const e = new Engine(makePrelude(DIST), tmpdir());
    // The emit prints the one-line try/catch on six lines; the throw's JS line shares a few tokens
    // with line 1 ("throw new Error('low')"), and all of them with line 2. It was reported as line 1.
    const err = thrown(e, "function inner() { throw new Error('low') }\ntry { inner() } catch (x) { throw new Error('high', { cause: x }) }");
    const tb = errorContent(err, e).traceback.map(plain);
    expect(tb[0]).toBe("cell line 2: try { inner() } catch (x) { throw new Error('high', { cause: x }) }");
    // ... and what it wraps follows it, with its own frames (not shown before)
    expect(tb.join("\n")).toMatch(/Error: high\n {4}at cell line 2\n\nCaused by: Error: low\n {4}at inner \(cell line 1\)\n {4}at cell line 2/);
    e.close();
  }, 60_000);

  it("show an AggregateError's errors, and a thrown non-error as Node's REPL does", () => {
    const e = new Engine(makePrelude(DIST), tmpdir());
    const agg = errorContent(thrown(e, "throw new AggregateError([new TypeError('one'), 'two'], 'several')"), e).traceback.map(plain).join("\n");
    expect(agg).toContain("AggregateError: several");
    expect(agg).toMatch(/\[error 0\] TypeError: one\n {4}at cell line 1/);
    expect(agg).toContain("[error 1] two");
    expect(errorContent(42n, e).evalue).toBe("42n"); // was "42"
    expect(errorContent({ a: [1, 2] }, e).evalue).toBe("{ a: [ 1, 2 ] }");
    expect(errorContent("plain", e).evalue).toBe("plain");
    e.close();
  }, 60_000);

  it("name the library's frames by its own paths, not this machine's", () => {
    const e = new Engine(makePrelude(DIST), tmpdir());
    const tb = errorContent(thrown(e, "torch.zeros([2, 3]).matmul(torch.zeros([2, 3]))"), e).traceback.map(plain).join("\n");
    // was "at Object.matmul (/…/kernel/dist/tensor/linalg.js:104:19)": a saved notebook carried the path
    expect(tb).toMatch(/\(lrlab\/tensor\/\w+\.js:\d+:\d+\)/);
    expect(tb).not.toContain(DIST);
    e.close();
  }, 60_000);

  it("read as a value with the user's frames only", () => {
    const e = new Engine(makePrelude(DIST), tmpdir());
    const r = e.run("function mk() { return new RangeError('x') }\nmk()") as { value: Error };
    // Node's inspect gave the kernel's frames (engine.js, kernel.js) and `<cell N>:3:12` positions.
    expect(errorText(r.value, e)).toBe("RangeError: x\n    at mk (cell line 1)\n    at cell line 2");
    e.close();
  }, 60_000);

  /**
   * A read of a trace's not-yet-there result (`setup` made the trace `t`, no step): `direct` reads
   * it on the call's line and fails with `message`, `two` through a variable set from the call;
   * both end with `hint`; `other`, the same kind of read of something else, has no hint.
   */
  function readHint(c: { setup: string; hint: string; direct: string; message: string; two: string; other: string }): void {
    const e = new Engine(makePrelude(DIST), tmpdir());
    e.run(c.setup);
    const direct = errorContent(thrown(e, c.direct), e, c.direct).traceback.map(plain);
    expect(direct).toContain(c.message);
    expect(direct[direct.length - 1]).toBe(c.hint);
    // through a variable the cell set from the call (the line that threw does not name it)
    expect(errorContent(thrown(e, c.two), e, c.two).traceback.map(plain)).toContain(c.hint);
    expect(errorContent(thrown(e, c.other), e, c.other).traceback.map(plain).join("\n")).not.toContain("hint:");
    e.close();
  }

  it("explain a null read after trace.latest() (it was a bare 'Cannot read properties of null'): latest() is null before the first step", () => {
    readHint({
      setup: "const hopt = new torch.optim.SGD([torch.zeros([1], { requires_grad: true })], { lr: 0.1 }); const t0 = lrlab.trace(hopt);",
      hint: "hint: latest() is null until the traced optimizer's first step() (latest_param(name): until that parameter's): "
        + "step first, or test it: const m = t.latest(); if (m) { ... } (or t.latest()?.lr)",
      direct: "t0.latest().lr",
      message: "TypeError: Cannot read properties of null (reading 'lr')",
      two: "const m0 = t0.latest();\nconsole.log(m0.lr_projected);",
      other: "const nothing: any = null;\nnothing.lr",
    });
  }, 60_000);

  it("explain an undefined read after trace.series(): series() is undefined before the first step", () => {
    readHint({
      setup: "const sopt = new torch.optim.SGD([torch.zeros([1], { requires_grad: true })], { lr: 0.1 }); const ts0 = lrlab.trace(sopt);",
      hint: "hint: series(metric) is undefined until the traced optimizer's first step(), and for a metric the trace does not record "
        + "(its metrics option): step first, or test it: const s = t.series(\"lr\"); if (s) { ... } (or t.series(\"lr\")?.last_value)",
      direct: "ts0.series(\"lr\").last_value",
      message: "TypeError: Cannot read properties of undefined (reading 'last_value')",
      two: "const s0 = ts0.series(\"lr_projected\");\nconsole.log(s0.buckets().length);",
      other: "const nothing: any = undefined;\nnothing.values",
    });
  }, 60_000);

  it("hint for `x = 5` (an undeclared name): declare it; the keyword-argument hint only inside a call's arguments", () => {
    const e = new Engine(makePrelude(DIST), tmpdir());
    const hints = (src: string) => errorContent(thrown(e, src), e, src).traceback.map(plain).filter((l) => l.startsWith("hint:"));
    // it said "x=... is a Python keyword argument"
    expect(hints("x = 5")).toEqual(["hint: x is not declared: declare it where it is first set, let x = 5 (const x = 5 if it never changes)"]);
    expect(hints("for (i = 0; i < 3; i++) {}")).toEqual(["hint: i is not declared: declare it where it is first set, let i = 0 (const i = 0 if it never changes)"]);
    // read against the called function's signature (keyword_hint.ts): dtype is one of tensor's options
    expect(hints("torch.tensor([1, 2], dtype=torch.float64)")[0]).toBe("hint: dtype=... is a Python keyword argument; tensor takes dtype in one options object: torch.tensor([1, 2], { dtype: torch.float64 })");
    expect(hints("torch.tensor([1, 2],\n  requires_grad=true)")[0]).toMatch(/^hint: requires_grad=\.\.\. is a Python keyword argument/);
    e.close();
  }, 60_000);
});
