/**
 * Protocol details a tester found wrong, against the real kernel (test/kernel/client.ts):
 * is_complete on help requests, the order of replies after a failed cell with stop_on_error,
 * wrong-typed request fields and display() arguments, and prompt() after its cell ended.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, ofType, resultText } from "./client";
import type { Message } from "../../kernel/src/kernel/wire";

let k: KernelClient;
beforeAll(async () => { k = await KernelClient.start(); });
afterAll(async () => { await k?.shutdown(); });

const execContent = (code: unknown, more: Record<string, unknown> = {}) => ({
  code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...more,
});

describe("is_complete on help requests", () => {
  it("is complete for `?`/`??` on a name or a property path, as executing them pages help", async () => {
    const ask = async (code: string) => (await k.request("is_complete_request", { code })).content;
    for (const code of ["torch?", "torch.nn.Linear?", "torch??", "?torch.optim", "??torch", "const q = 1\nq?", "%lr_find?"]) {
      expect([code, await ask(code)]).toEqual([code, { status: "complete" }]);
    }
    // a help line inside an open block is not a request yet; a ternary still awaits its branches
    expect((await ask("if (true) {\n  q?")).status).toBe("incomplete");
    expect((await ask("const t = 1 > 0 ?")).status).toBe("incomplete");
  });
});

describe("stop_on_error", () => {
  it("replies to the failing cell first, then aborts the queued ones", async () => {
    // the order the replies arrive in on shell (k.execute would wait for each one's idle too)
    const order: string[] = [];
    const counts: Record<string, unknown> = {};
    const track = (name: string, code: string) =>
      k.request("execute_request", execContent(code)).then((r) => {
        order.push(`${name} ${r.content.status}`);
        counts[name] = r.content.execution_count;
      });
    await Promise.all([
      track("m1", "await new Promise((r) => setTimeout(r, 300)); throw new Error('first')"),
      track("m2", "1"),
      track("m3", "2"),
    ]);
    expect(order).toEqual(["m1 error", "m2 aborted", "m3 aborted"]);
    // an aborted cell never ran: no execution count (as ipykernel), so JupyterLab shows [ ]: and
    // not the failing cell's number
    expect(typeof counts.m1).toBe("number");
    expect(counts.m2).toBeUndefined();
    expect(counts.m3).toBeUndefined();
    expect(resultText(await k.execute("40 + 2"))).toBe("42");
  });
});

describe("wrong-typed request fields", () => {
  const expectFieldError = (reply: Message, field: string, expected: string, got: string) => {
    expect(reply.content.status).toBe("error");
    expect(reply.content.ename).toBe("TypeError");
    expect(reply.content.evalue).toContain(field);
    expect(reply.content.evalue).toContain(expected);
    expect(reply.content.evalue).toContain(got);
  };

  it("execute_request: code, silent, user_expressions are checked; nothing runs; the kernel goes on", async () => {
    const before = (await k.execute("1")).reply.content.execution_count;
    expectFieldError(await k.request("execute_request", execContent(123)), "content.code", "a string", "number");
    expectFieldError(await k.request("execute_request", execContent("(globalThis as any).ranSilent = 1", { silent: "yes" })), "content.silent", "a boolean", "string");
    expectFieldError(await k.request("execute_request", execContent("(globalThis as any).ranUx = 1", { user_expressions: [1, 2] })), "content.user_expressions", "an object", "array");
    expectFieldError(await k.request("execute_request", execContent("(globalThis as any).ranUx = 1", { user_expressions: { a: 1 } })), "content.user_expressions.a", "a string", "number");
    const r = await k.execute("[typeof (globalThis as any).ranSilent, typeof (globalThis as any).ranUx].join()");
    expect(resultText(r)).toBe("'undefined,undefined'");
    expect(r.reply.content.execution_count).toBe(before + 1); // the rejected requests counted nothing
    // fields the spec makes optional may be left out
    const bare = await k.request("execute_request", { code: "5" });
    expect(bare.content.status).toBe("ok");
  });

  it("complete, inspect and history requests check their main fields", async () => {
    expectFieldError(await k.request("complete_request", { code: 5, cursor_pos: 1 }), "content.code", "a string", "number");
    expectFieldError(await k.request("complete_request", { code: "torch.", cursor_pos: "6" }), "content.cursor_pos", "an integer", "string");
    expectFieldError(await k.request("inspect_request", { code: "torch", cursor_pos: 1.5, detail_level: 0 }), "content.cursor_pos", "an integer", "1.5");
    expectFieldError(await k.request("inspect_request", { code: "torch", cursor_pos: 5, detail_level: "1" }), "content.detail_level", "0 or 1", "string");
    expectFieldError(await k.request("is_complete_request", { code: null }), "content.code", "a string", "null");
    expectFieldError(await k.request("history_request", { hist_access_type: "tail", n: "3", output: false, raw: true }), "content.n", "an integer", "string");
    expectFieldError(await k.request("history_request", { hist_access_type: 7, output: false, raw: true }), "content.hist_access_type", "\"range\", \"tail\" or \"search\"", "number");
    // optional fields left out still work
    expect((await k.request("history_request", { hist_access_type: "tail", n: 2 })).content.status).toBe("ok");
    expect((await k.request("complete_request", { code: "torch.", cursor_pos: 6 })).content.status).toBe("ok");
  });

  it("display() rejects a non-string display_id and raw mime data of the wrong type, naming it", async () => {
    const id = await k.execute('display("x", { display_id: 5 as any })');
    expect(id.reply.content.ename).toBe("TypeError");
    expect(id.reply.content.evalue).toContain("display_id must be a string");
    expect(id.reply.content.evalue).toContain("number");
    const raw = await k.execute('display({ "text/plain": 1 }, { raw: true })');
    expect(raw.reply.content.ename).toBe("TypeError");
    expect(raw.reply.content.evalue).toContain("text/plain");
    expect(raw.reply.content.evalue).toContain("string");
    const png = await k.execute('display({ "image/png": { a: 1 }, "text/plain": "p" }, { raw: true })');
    expect(png.reply.content.evalue).toContain("image/png");
    // JSON mime types carry any JSON value
    const ok = await k.execute('display({ "application/json": { a: [1] }, "application/vnd.x+json": [1], "text/plain": "j" }, { raw: true })');
    expect(ok.reply.content.status).toBe("ok");
    expect(ofType(ok, "display_data")[0].content.data["application/json"]).toEqual({ a: [1] });
  });
});

describe("prompt() after its cell ended", () => {
  it("says no cell is running to ask for input, not that allow_stdin is false", async () => {
    await k.execute(
      'setTimeout(() => { try { prompt("late?"); } catch (e) { (globalThis as any).lateError = (e as Error).message; } }, 50);',
      { allow_stdin: true },
    );
    await new Promise((r) => setTimeout(r, 400));
    const msg = resultText(await k.execute("(globalThis as any).lateError"));
    expect(msg).toContain("no cell is running");
    expect(msg).not.toContain("allow_stdin is false");
  });
});
