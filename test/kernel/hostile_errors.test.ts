/**
 * A thrown value whose own getters throw, through the real kernel (kernel/src/kernel/errors.ts
 * errorContent). Before, formatting it threw inside the kernel and no execute_reply was sent: the
 * frontend kept the cell running forever, nbconvert waited for its timeout (a hostile tester's
 * pass). Now the reply is an error with what could be read, and the kernel goes on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, resultText } from "./client";

let k: KernelClient;
beforeAll(async () => { k = await KernelClient.start(); await k.execute("const kept_h = 41;"); }, 120_000);
afterAll(async () => { await k?.shutdown(); });

describe("an error that cannot be read whole", () => {
  const cases: [string, string, string, RegExp][] = [
    ["an Error whose stack getter throws", `const e = new Error("x"); Object.defineProperty(e, "stack", { get() { throw new Error("stackget"); } }); throw e`,
      "Error", /^x \(the error could not be shown whole: reading it threw stackget\)$/],
    ["an object whose message and stack getters throw", `throw { get message() { throw new Error("getter"); }, get stack() { throw new Error("stack getter"); } }`,
      "Error", /^\(the error could not be shown whole: reading it threw .*getter\)$/],
    // a thrown non-Error is "Uncaught" as before (Node's inspect shows a Proxy without its traps)
    ["a Proxy that throws on every read", `throw new Proxy({}, { get() { throw new Error("trap"); } })`,
      "Uncaught", /./],
  ];
  for (const [what, code, ename, evalue] of cases) {
    it(`${what}: an error reply, and the kernel and its variables go on`, async () => {
      const r = await k.execute(code, { timeoutMs: 20_000 });
      expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("error");
      expect(r.reply.content.ename).toBe(ename);
      expect(r.reply.content.evalue).toMatch(evalue);
      expect(r.outputs.filter((m) => m.header.msg_type === "error")).toHaveLength(1);
      expect(resultText(await k.execute("kept_h + 1"))).toBe("42");
    });
  }
});

describe("%who <type>, the first in a kernel", () => {
  it("says nothing of built-ins the user replaced (it read Node's lazy globals, which replace themselves)", async () => {
    const fresh = await KernelClient.start();
    try {
      const r = await fresh.execute("%who Array");
      expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
      const stderr = r.outputs.filter((m) => m.header.msg_type === "stream" && m.content.name === "stderr").map((m) => m.content.text).join("");
      expect(stderr).toBe("");
      expect(r.stdout).toBe("No variables match your requested type.\n");
    } finally {
      await fresh.shutdown();
    }
  }, 120_000);
});

describe("a line magic inside a %%lr_trace cell", () => {
  it("is an error saying it does not run there (it was read as code: 8 TypeScript errors and a hint to declare its keys)", async () => {
    const r = await k.execute("%%lr_trace --name lm\n%lr_schedule StepLR step_size=5 --steps 10");
    expect(r.reply.content.ename).toBe("UsageError");
    expect(r.reply.content.evalue).toBe("line 2: %lr_schedule is a line magic, and the lines below %%lr_trace are its code, where magics do not run: "
      + "put %lr_schedule in a cell of its own (or run both under %%time)");
    // %%time runs the magics in its body, as before
    const t = await k.execute("%%time\n%lr_scale linear lr=0.1 batch_size=256 new_batch_size=1024");
    expect(t.reply.content.status, JSON.stringify(t.reply.content)).toBe("ok");
  });
});

describe("built-ins the guard missed (a hostile tester's pass: each left the kernel answering nothing until a restart)", () => {
  const cases: [string, string, string][] = [
    // the guard's own for-of over what it watches went through the replaced iterator: nothing was put back
    ["Array.prototype[Symbol.iterator]", "(Array.prototype as any)[Symbol.iterator] = function* () {}; 1", "[...[1, 2, 3]].length"],
    // Node's Buffer is an accessor with a setter: the descriptor stays the same, only its value changes
    ["globalThis.Buffer = null", "(globalThis as any).Buffer = null; 1", "typeof Buffer"],
    // the kernel settles a cell's run through Promise.prototype.then before the after-cell check:
    // put back as the cell's code returns (engine.ts afterCode), in a cell with await too
    ["Promise.prototype.then", "(Promise.prototype as any).then = function () { return this; }; 1", "[1, 2, 3].length"],
    ["Promise.prototype.then, awaiting", "await null; (Promise.prototype as any).then = function () { return this; }; 1", "[1, 2, 3].length"],
  ];
  for (const [what, code, check] of cases) {
    it(`${what}: put back after the cell, said in it, and the kernel answers`, async () => {
      const r = await k.execute(code, { timeoutMs: 20_000 });
      expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
      const stderr = r.outputs.filter((m) => m.header.msg_type === "stream" && m.content.name === "stderr").map((m) => m.content.text).join("");
      expect(stderr).toMatch(/lrlab: this code replaced or deleted .*the original is back in place/);
      const c = await k.execute(check, { timeoutMs: 20_000 });
      expect(resultText(c)).toBe(what.startsWith("globalThis") ? "'function'" : "3");
      expect(resultText(await k.execute("kept_h + 1"))).toBe("42");
    });
  }
});
