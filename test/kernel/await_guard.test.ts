/**
 * The text await_guard.ts splices into a cell's JavaScript: every `await e` becomes
 * `await __lrlab_await__(e)` on the same line, nested awaits included, a `for await` loop's
 * iterable goes through `__lrlab_await_iter__`; strings and comments are left alone, and the
 * cell's lines stay where they were (its line map holds).
 */
import { describe, expect, it } from "vitest";
import * as ts from "typescript";
import { guardAwaits, GUARD, GUARD_ITER } from "../../kernel/src/kernel/await_guard";

describe("guardAwaits", () => {
  it("wraps each await's operand, nested ones too, keeping the lines", () => {
    const js = "const a = await f(1) + 2;\nconst b = await (await g(), h());\nawait await x;\n";
    const out = guardAwaits(js, ts);
    expect(out).toBe(`const a = await ${GUARD}(f(1)) + 2;\nconst b = await ${GUARD}((await ${GUARD}(g()), h()));\nawait ${GUARD}(await ${GUARD}(x));\n`);
    expect(out.split("\n").length).toBe(js.split("\n").length);
  });

  it("inside functions and for-await loops; not in strings, comments or text without await", () => {
    const js = "async function f() {\n  for await (const v of gen()) { await use(v); }\n  return 'await me'; // await\n}\n";
    expect(guardAwaits(js, ts)).toBe(`async function f() {\n  for await (const v of ${GUARD_ITER}(gen())) { await ${GUARD}(use(v)); }\n  return 'await me'; // await\n}\n`);
    const plain = "const x = 1;\n";
    expect(guardAwaits(plain, ts)).toBe(plain);
  });
});
