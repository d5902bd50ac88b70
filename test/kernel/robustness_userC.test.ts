/**
 * userC's robustness findings (scratch/s15/userC/findings.md), each against a real kernel:
 * a cell that fills the JavaScript heap ends with a MemoryError and the kernel lives on
 * (heap_limit.ts; the kernel runs with a small --max-old-space-size so the test takes seconds);
 * a second client with the same session id (identity) takes the first one's place (ROUTER
 * handover, as ipykernel); `exit` / `quit` answer ipykernel's ask_exit payload; an unfinished
 * cell's syntax error stands at its end and names what is open; typed arrays, Buffers and
 * promises print as Node shows them; is_complete's indent after `{\n`; a rejection with
 * undefined reads as `throw undefined`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as zmq from "zeromq";
import { KernelClient, resultText, ROOT } from "./client";
import { decode, encode, newHeader, Message } from "../../kernel/src/kernel/wire";

/**
 * Starts a kernel whose node runs with `nodeOptions` (NODE_OPTIONS, read by the spawned node only),
 * and `env` added to its environment.
 */
async function startWith(nodeOptions: string, env?: Record<string, string>): Promise<KernelClient> {
  const before = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = nodeOptions;
  try {
    return await KernelClient.start(env ? { env } : {});
  } finally {
    if (before === undefined) delete process.env.NODE_OPTIONS; else process.env.NODE_OPTIONS = before;
  }
}

/** Runs `body` on a kernel from startWith(), printing its stderr when the body fails; shuts it down. */
async function withKernel(nodeOptions: string, env: Record<string, string> | undefined, body: (k: KernelClient) => Promise<void>): Promise<void> {
  const k = await startWith(nodeOptions, env);
  try {
    await body(k);
  } catch (e) {
    console.log("kernel stderr (the test failed):\n" + k.stderr.slice(-4000));
    throw e;
  } finally {
    await k.shutdown();
  }
}

describe("a cell that fills the JavaScript heap", () => {
  const built = existsSync(join(ROOT, "kernel", "native", "build", "heap_limit.node"));
  // the addon is optional (no C++ compiler at set-up): then this protection is absent, said so here
  it.skipIf(!built)("ends with a MemoryError naming the limit; the kernel and earlier variables stay", async () => {
    // 256 MB: under `npm test` every cell is also checked a second way (scripts/test.mjs), and the
    // kernel's own heap is ~170 MB: at 160 MB its own work had raised the limit before the first
    // stop, no collection could bring it back (V8 does below 90% of the initial limit), and each
    // stop began higher, the third one with too little room: V8 ended the process (session 24)
    await withKernel("--max-old-space-size=256", undefined, async (k) => {
      expect(resultText(await k.execute("const keep = 41;\nconst small: number[] = [1, 2, 3];\nkeep"))).toBe("41");
      const t0 = Date.now();
      const r = await k.execute("const hog: number[][] = [];\nwhile (true) hog.push(new Array(1e5).fill(1.5));", { timeoutMs: 120_000 });
      expect(k.alive).toBe(true);
      expect(r.reply.content.status).toBe("error");
      expect(r.reply.content.ename).toBe("MemoryError");
      expect(r.reply.content.evalue).toMatch(/heap out of memory.*limit of \d+ MB/);
      expect(Number(/limit of (\d+) MB/.exec(r.reply.content.evalue)![1]), r.reply.content.evalue).toBeGreaterThanOrEqual(100);
      expect(Number(/limit of (\d+) MB/.exec(r.reply.content.evalue)![1]), r.reply.content.evalue).toBeLessThanOrEqual(400);
      expect(r.outputs.find((m) => m.header.msg_type === "error")?.content.ename).toBe("MemoryError");
      expect(Date.now() - t0).toBeLessThan(60_000);
      expect(resultText(await k.execute("keep + small.length"))).toBe("44");
      // what the stopped cell's names held is let go (else the next cell's type check found no room)
      expect(r.reply.content.evalue).toContain("the names it declared (hog) were cleared");
      const cleared = await k.execute("hog");
      expect(cleared.reply.content.ename).toBe("ReferenceError");
      // it had been assigned: "cleared", not "stopped ... before assigning it" (a user's pass)
      expect(cleared.reply.content.evalue).toBe("hog is not defined: it was cleared to free the heap when the cell that declares it stopped with a MemoryError; assign it again");
      expect(resultText(await k.execute("const again: string[] = [];\nfor (let i = 0; i < 1000; i++) again.push('x' + i);\nagain.length"))).toBe("1000");
      // filling an earlier cell's array: stopped again; the array is the user's to free
      await k.execute("const big: object[] = [];");
      const r2 = await k.execute("while (true) big.push({ a: [1.5, 2.5, 3.5, 4.5] });", { timeoutMs: 120_000 });
      expect(r2.reply.content.ename).toBe("MemoryError");
      expect(resultText(await k.execute("big.length > 0 && keep"))).toBe("41");
      await k.execute("big.length = 0;");
      // after an await (the cell's code runs outside its script: the control thread stops it);
      // a number the cell assigned before stays
      const r3 = await k.execute("const keep3 = 3;\nawait null;\nconst hog3: number[][] = [];\nwhile (true) hog3.push(new Array(1e5).fill(2.5));", { timeoutMs: 120_000 });
      expect(r3.reply.content.ename, JSON.stringify(r3.reply.content)).toBe("MemoryError");
      expect(resultText(await k.execute("keep + keep3"))).toBe("44");
      // in a timer, after its cell: stopped, reported under that cell, the kernel goes on
      const timer = await k.execute("let hog4: number[][] = [];\nsetTimeout(() => { while (true) hog4.push(new Array(1e5).fill(3.5)); }, 50);\n'set'");
      const deadline = Date.now() + 60_000;
      const late = () => k.iopubLog.find((m) => m.header.msg_type === "error" && m.parent_header.msg_id === timer.reply.parent_header.msg_id);
      while (!late() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(late()?.content.ename).toBe("MemoryError");
      expect(resultText(await k.execute("hog4 = [];\nkeep"))).toBe("41");
      expect(k.alive).toBe(true);
      expect(k.stderr).not.toMatch(/FATAL ERROR/);
    });
  }, 240_000);

  it.skipIf(!built)("what a stopped cell's cleared names held is collected at once: the limit raised for the stop is back where it was", async () => {
    // the cross-checks of `npm test` off (a kernel as users run it, ~120 MB of its own), so that
    // 160 MB is a limit the heap can fall back under (heap_limit.cc Collect)
    const off = { LRLAB_CHECK_DIRECT_CJS: "0", LRLAB_CHECK_SHARED_CHECKER: "0", LRLAB_CHECK_DECLS_PRINT: "0", LRLAB_CHECK_DECL_DIAGNOSTICS: "0" };
    await withKernel("--max-old-space-size=160", off, async (k) => {
      const limit = "require('v8').getHeapStatistics().heap_size_limit"; // the same text twice: no new compile between
      const before = Number(resultText(await k.execute(limit)));
      const r = await k.execute("const hog: number[][] = [];\nwhile (true) hog.push(new Array(1e5).fill(1.5));", { timeoutMs: 120_000 });
      expect(r.reply.content.ename).toBe("MemoryError");
      expect(Number(resultText(await k.execute(limit)))).toBe(before);
    });
  }, 120_000);
});

describe("a second client with the same session id", () => {
  it("gets replies (ROUTER handover), as jupyter_client's km.client() twice does with ipykernel", async () => {
    const k = await KernelClient.start();
    const socks: zmq.Dealer[] = [];
    try {
      // a second client of the same session: same identity on shell and control as the first
      const url = (p: number) => `tcp://127.0.0.1:${p}`;
      const shell2 = new zmq.Dealer({ routingId: k.session, linger: 0 });
      const control2 = new zmq.Dealer({ routingId: k.session + "-c", linger: 0 });
      socks.push(shell2, control2);
      shell2.connect(url(k.info.shell_port));
      control2.connect(url(k.info.control_port));
      const ask = async (sock: zmq.Dealer, type: string, content: object): Promise<Message> => {
        const header = newHeader(type, k.session);
        await sock.send(encode(k.signer, [], header, {}, {}, content));
        const deadline = Date.now() + 10_000;
        for (;;) {
          const frames = await Promise.race([sock.receive(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
          if (frames === null) throw new Error(`no reply to the second client's ${type}`);
          const m = decode(frames as Buffer[], k.signer);
          if (m.parent_header.msg_id === header.msg_id) return m;
        }
      };
      expect((await ask(shell2, "kernel_info_request", {})).content.implementation).toBe("lrlab");
      expect((await ask(control2, "kernel_info_request", {})).content.implementation).toBe("lrlab");
      const r = await ask(shell2, "execute_request", { code: "6 * 7", silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
      expect(r.content.status).toBe("ok");
    } finally {
      for (const s of socks) s.close();
      await k.shutdown();
    }
  }, 60_000);
});

describe("console and display findings", () => {
  let k: KernelClient;
  beforeAll(async () => { k = await KernelClient.start(); }, 120_000);
  afterAll(async () => { await k?.shutdown(); });

  it("exit / quit ask the console to leave (ipykernel's payload); a user's own exit is a value", async () => {
    for (const code of ["exit", "quit", "exit()", "quit();", "  exit  "]) {
      const r = await k.execute(code);
      expect(r.reply.content.status, code).toBe("ok");
      expect(r.reply.content.payload, code).toEqual([{ source: "ask_exit", keepkernel: false }]);
      expect(r.outputs.filter((m) => m.header.msg_type === "error"), code).toEqual([]);
    }
    expect(k.alive).toBe(true);
    // not a request to leave: other code that mentions exit, and a user's variable of that name
    expect((await k.execute("const exitCode = 3;\nexitCode")).reply.content.payload).toEqual([]);
    const own = await k.execute("const quit = () => 'my quit';\nquit()");
    expect(own.reply.content.payload).toEqual([]);
    expect(resultText(own)).toBe("'my quit'");
    expect(resultText(await k.execute("quit"))).toMatch(/Function|=>/);
  }, 60_000);

  it("an unfinished cell's syntax error stands at the end of its last line, with the line and what is open", async () => {
    const cases: [string, RegExp, RegExp][] = [
      ["function f(x: number) {", /^1:24 - '}' expected: the cell ends inside the block opened at 1:23\.$/, /^ {3}1 \| function f\(x: number\) \{$/],
      ["const a1 = 1;\nfunction g() {", /^2:15 - '}' expected: the cell ends inside the block opened at 2:14\.$/, /^ {3}2 \| function g\(\) \{$/],
      ["const x = (", /^1:12 - Expression expected: the cell ends before its code is complete\.$/, /^ {3}1 \| const x = \($/],
      ["const s = `ab", /^1:14 - Unterminated template literal: the cell ends inside a template literal/, /^ {3}1 \| const s = `ab$/],
    ];
    for (const [code, evalue, line] of cases) {
      const r = await k.execute(code);
      expect(r.reply.content.ename, code).toBe("TSError");
      expect(r.reply.content.evalue, code).toMatch(evalue);
      const tb = (r.reply.content.traceback as string[]).map((t) => t.replace(/\u001b\[[0-9;]*m/g, ""));
      expect(tb.some((t) => line.test(t)), `${code}: ${tb.join("\n")}`).toBe(true);
    }
  }, 60_000);

  it("typed arrays and Buffers as a cell's value print as Node shows them (type, length, cut-off)", async () => {
    expect(resultText(await k.execute("new Float32Array([1.5, 2, 3])"))).toBe("Float32Array(3) [ 1.5, 2, 3 ]");
    expect(resultText(await k.execute("new Uint8Array([1, 2, 3])"))).toBe("Uint8Array(3) [ 1, 2, 3 ]");
    expect(resultText(await k.execute('Buffer.from("hi")'))).toBe("<Buffer 68 69>");
    const big = resultText(await k.execute("new Float64Array(200)"))!;
    expect(big.startsWith("Float64Array(200) [")).toBe(true);
    expect(big).toContain("... 100 more items");
    expect(resultText(await k.execute("torch.ones([2]).data"))).toBe("Float32Array(2) [ 1, 1 ]");
    // a tensor still prints as PyTorch does (its own toString)
    expect(resultText(await k.execute("torch.ones([2])"))).toBe("tensor([1., 1.])");
  }, 60_000);

  it("a promise as a cell's value prints as Node shows it, without the kernel's async bookkeeping", async () => {
    expect(resultText(await k.execute("Promise.resolve(5)"))).toBe("Promise { 5 }");
    // settled or not by the time the kernel shows it (after the cell's turn), never the internals
    expect(resultText(await k.execute("(async () => { await 0; return 7 })()"))).toMatch(/^Promise \{ (7|<pending>) \}$/);
    expect(resultText(await k.execute("const p = new Promise((r) => setTimeout(() => r(42), 200));\np"))).toBe("Promise { <pending> }");
    // once its 200 ms timer has fired in the kernel (on a loaded host it fires late: asked again
    // until it has, for up to 10 s, instead of once after a fixed 300 ms)
    let shown = "";
    for (const until = Date.now() + 10_000; Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 300));
      shown = resultText(await k.execute("p")) ?? "";
      if (shown !== "Promise { <pending> }") break;
    }
    expect(shown).toBe("Promise { 42 }");
  }, 60_000);

  it("is_complete indents after an opening line that ends with a newline, as after one without", async () => {
    const isComplete = async (code: string) => (await k.request("is_complete_request", { code })).content;
    expect(await isComplete("for (const x of [1,2]) {\n")).toEqual({ status: "incomplete", indent: "  " });
    expect(await isComplete("for (const x of [1,2]) {")).toEqual({ status: "incomplete", indent: "  " });
    expect(await isComplete("function f() {\n  if (x) {\n")).toEqual({ status: "incomplete", indent: "    " });
    expect(await isComplete("if (a) {\n  b;\n")).toEqual({ status: "incomplete", indent: "  " });
  }, 60_000);

  it("await Promise.reject(undefined) reads as throw undefined", async () => {
    const thrown = (await k.execute("throw undefined")).reply.content;
    const rejected = (await k.execute("await Promise.reject(undefined)")).reply.content;
    expect([thrown.ename, thrown.evalue]).toEqual(["Uncaught", "undefined"]);
    expect([rejected.ename, rejected.evalue]).toEqual(["Uncaught", "undefined"]);
    expect((await k.execute("await Promise.reject(null)")).reply.content.evalue).toBe("null");
    expect(resultText(await k.execute("await Promise.resolve(undefined); 1"))).toBe("1");
  }, 60_000);
});
