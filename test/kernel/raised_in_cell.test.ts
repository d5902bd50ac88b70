/**
 * Errors a cell raises without throwing them, against the real kernel (kernel.ts installGuards):
 * a promise it rejects with no handler, reported as the event loop turns after its code or while
 * it awaits, fails the cell as a thrown error does (status "error", no result), shown once under
 * it; one an earlier cell's timer raises meanwhile is said to be that cell's and fails nothing.
 * Also how values holding errors read (errors.ts cleanStacks) and the order of a cell's stdout
 * and stderr (iopub.ts StreamCapture).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, ofType, resultText } from "./client";

let k: KernelClient;
beforeAll(async () => { k = await KernelClient.start(); });
afterAll(async () => { await k?.shutdown(); });

const errors = (r: Awaited<ReturnType<KernelClient["execute"]>>) => ofType(r, "error").map((m) => m.content);

describe("a promise the cell rejects with no handler", () => {
  it("fails the cell: one error output saying so, status error, no result", async () => {
    const r = await k.execute("Promise.reject(new Error('rej_a'))");
    expect(r.reply.content.status).toBe("error");
    expect(r.reply.content.evalue).toBe("rej_a");
    const shown = errors(r);
    expect(shown.map((c) => c.evalue)).toEqual(["rej_a"]);
    expect(shown[0].traceback[0]).toBe("(unhandled promise rejection, raised while its cell ran)");
    expect(resultText(r)).toBeUndefined();
  });

  it("an async function the cell calls and does not await", async () => {
    const r = await k.execute("async function af_r() { throw new Error('af_r') }\naf_r(); 'x'");
    expect(r.reply.content.status).toBe("error");
    expect(r.reply.content.evalue).toBe("af_r");
    expect(errors(r)[0].traceback.join("\n")).toContain("at af_r (cell line 1)");
    expect(resultText(r)).toBeUndefined();
  });

  it("while a cell awaits: shown at once, the cell runs to its end, then fails", async () => {
    const r = await k.execute("let reached_r = 0;\nawait new Promise(r => setTimeout(r, 10));\n"
      + "Promise.reject(new Error('in_tla'));\nawait new Promise(r => setTimeout(r, 50));\nreached_r = 1;\n'after'");
    expect(r.reply.content.status).toBe("error");
    expect(errors(r).map((c) => c.evalue)).toEqual(["in_tla"]);
    expect(resultText(r)).toBeUndefined();
    expect(resultText(await k.execute("reached_r"))).toBe("1");
  });

  it("one an earlier cell's timer raises while a later cell runs is that cell's: the later cell succeeds", async () => {
    // 200 ms, then a 1.5 s cell: the next request must start before the timer fires (with 30 ms
    // and 300 ms a CI run at load ~10 sent it too late, and the rejection came between the cells)
    expect(resultText(await k.execute("setTimeout(() => Promise.reject(new Error('late_r')), 200); 'set'"))).toBe("'set'");
    const r = await k.execute("await new Promise(r => setTimeout(r, 1500)); 7");
    expect(r.reply.content.status).toBe("ok");
    expect(resultText(r)).toBe("7");
    const late = errors(r);
    expect(late.map((c) => c.evalue)).toEqual(["late_r"]);
    expect(late[0].traceback[0]).toBe("(unhandled promise rejection, raised after its cell had returned)");
  });

  it("a rejection the cell handles is not an error", async () => {
    const r = await k.execute("const handled_r = Promise.reject(new Error('h')); handled_r.catch(() => {}); 3");
    expect(r.reply.content.status).toBe("ok");
    expect(errors(r)).toEqual([]);
    expect(resultText(r)).toBe("3");
  });
});

describe("values holding errors", () => {
  it("show each error's frames as cell lines, without the kernel's frames", async () => {
    const nested = resultText(await k.execute("({ err: new Error('nested_v') })"))!;
    expect(nested).toBe("{\n  err: Error: nested_v\n      at cell line 1\n}");
    const promise = resultText(await k.execute("const pr_v = Promise.reject(new Error('rej_v')); pr_v.catch(() => {}); pr_v"))!;
    expect(promise).toBe("Promise {\n  <rejected> Error: rej_v\n      at cell line 1\n}");
  });

  it("an error with properties of its own keeps them, braces included", async () => {
    const text = resultText(await k.execute("const e_v = new Error('props_v'); (e_v as any).code = 'E_V';\n[e_v]"))!;
    expect(text).toBe("[\n  Error: props_v\n      at cell line 1 {\n    code: 'E_V'\n  }\n]");
  });

  it("a function's frames: the function's line and the caller's", async () => {
    const text = resultText(await k.execute("function mk_v() {\n  return new Error('deep_v');\n}\n[mk_v()]"))!;
    expect(text).toBe("[\n  Error: deep_v\n      at mk_v (cell line 2)\n      at cell line 4\n]");
  });
});

describe("stdout and stderr", () => {
  it("keep the order the cell wrote them in", async () => {
    const r = await k.execute("console.log('one'); console.error('two'); console.log('three'); console.error('four')");
    expect(ofType(r, "stream").map((m) => `${m.content.name}:${m.content.text}`))
      .toEqual(["stdout:one\n", "stderr:two\n", "stdout:three\n", "stderr:four\n"]);
  });
});
