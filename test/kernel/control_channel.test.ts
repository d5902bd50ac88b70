/**
 * Requests on the control channel while a shell request is running (messaging spec: control
 * carries every shell request type too; ipykernel serves it concurrently, on its control thread):
 *
 * - an execute_request on control runs at once, between the awaits of a shell cell, and every
 *   output carries its own request's parent header: the shell cell's later output its own, the
 *   control cell's its own, and no stream message mixes text of the two (streams are batched);
 * - kernel_info_request / interrupt_request on control, answered by the control thread, publish
 *   their busy/idle status at once, also while a synchronous cell keeps the main thread busy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { spawnSync } from "node:child_process";
import { createServer, Server } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { KernelClient, Received, ROOT, connectionFile } from "./client";

let k: KernelClient;
beforeAll(async () => { k = await KernelClient.start(); });
afterAll(async () => { await k?.shutdown(); });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends an execute_request on `channel` with a known msg_id; resolves with its reply. */
function executeOn(channel: "shell" | "control", code: string, msgId = randomUUID()) {
  const reply = k.request("execute_request", {
    code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true,
  }, { channel, msgId, timeout: 30_000 });
  return { msgId, reply };
}

/** iopub messages (status and execute_input left out) whose text or data contains `marker`. */
function carrying(from: number, marker: string): Received[] {
  return k.iopubLog.slice(from).filter((m) => m.header.msg_type !== "status" && m.header.msg_type !== "execute_input"
    && JSON.stringify(m.content).includes(marker));
}

const parentOf = (msgs: Received[]) => [...new Set(msgs.map((m) => m.parent_header.msg_id))];

describe("execute_request on control while a shell cell awaits", () => {
  it("runs at once; each request's outputs carry its own parent header", async () => {
    const start = k.iopubLog.length;
    const shell = executeOn("shell", `console.log("shell-before");
await new Promise((r) => setTimeout(r, 2500));
console.log("shell-after");
"shell-result-" + (40 + 2)`);
    await sleep(200);
    const ctl = executeOn("control", `console.log("ctl-print");
"ctl-result-" + (3 + 4)`);
    let shellAnswered = false;
    void shell.reply.then(() => { shellAnswered = true; });
    const ctlReply = await ctl.reply;
    // ran concurrently: answered while the shell cell still waits
    expect(shellAnswered).toBe(false);
    expect(ctlReply.content.status).toBe("ok");
    const shellReply = await shell.reply;
    expect(shellReply.content.status).toBe("ok");
    await k.iopubUntilIdle(shell.msgId, start);
    await k.iopubUntilIdle(ctl.msgId, start);
    expect(parentOf(carrying(start, "shell-before"))).toEqual([shell.msgId]);
    expect(parentOf(carrying(start, "shell-after"))).toEqual([shell.msgId]);
    expect(parentOf(carrying(start, "shell-result-42"))).toEqual([shell.msgId]);
    expect(parentOf(carrying(start, "ctl-print"))).toEqual([ctl.msgId]);
    expect(parentOf(carrying(start, "ctl-result-7"))).toEqual([ctl.msgId]);
    // each request: busy first, idle last, its execute_result between
    for (const id of [shell.msgId, ctl.msgId]) {
      const mine = k.iopubLog.slice(start).filter((m) => m.parent_header.msg_id === id).map((m) => m.header.msg_type === "status" ? m.content.execution_state : m.header.msg_type);
      expect(mine[0]).toBe("busy");
      expect(mine[mine.length - 1]).toBe("idle");
      expect(mine).toContain("execute_result");
    }
  });

  it("batched stream text of two requests written in the same instant is never merged into one message", async () => {
    const start = k.iopubLog.length;
    // The shell cell waits on a gate that the control cell opens: the three prints happen in one
    // turn of the event loop, well within the 50 ms the stream batching gathers.
    const shell = executeOn("shell", `(globalThis as any).gateOpen = null;
await new Promise<void>((r) => { (globalThis as any).gateOpen = r; });
console.log("S-after-gate");`);
    await sleep(200);
    const ctl = executeOn("control", `while (!(globalThis as any).gateOpen) await new Promise((r) => setTimeout(r, 10));
console.log("C-before-open");
(globalThis as any).gateOpen();
await null; await null; await null;
console.log("C-after-open");`);
    expect((await ctl.reply).content.status).toBe("ok");
    expect((await shell.reply).content.status).toBe("ok");
    await k.iopubUntilIdle(shell.msgId, start);
    await k.iopubUntilIdle(ctl.msgId, start);
    const streams = k.iopubLog.slice(start).filter((m) => m.header.msg_type === "stream");
    for (const s of streams) {
      const text = String(s.content.text);
      if (text.includes("S-after-gate")) {
        expect(s.parent_header.msg_id).toBe(shell.msgId);
        expect(text).not.toMatch(/C-/);
      }
      if (/C-(before|after)-open/.test(text)) {
        expect(s.parent_header.msg_id).toBe(ctl.msgId);
        expect(text).not.toMatch(/S-/);
      }
    }
    expect(carrying(start, "S-after-gate").length).toBe(1);
    expect(carrying(start, "C-before-open").length).toBe(1);
    expect(carrying(start, "C-after-open").length).toBe(1);
  });

  it("a timer started by a cell that has finished writes to the running cell, as before", async () => {
    // Output of a callback whose request is over goes to the latest execute request still
    // running (else the last one): the cell a notebook still shows output under.
    const first = await k.execute(`setTimeout(() => console.log("late-timer-line"), 300); 1`);
    const firstId = String(first.reply.parent_header.msg_id);
    const start = k.iopubLog.length;
    const second = executeOn("shell", `await new Promise((r) => setTimeout(r, 700)); 2`);
    await second.reply;
    await k.iopubUntilIdle(second.msgId, start);
    expect(parentOf(carrying(start, "late-timer-line"))).toEqual([second.msgId]);
    expect(firstId).not.toBe(second.msgId);
  });
});

describe("control thread status messages while the main thread is busy", () => {
  /** busy and idle of request `msgId`, with arrival times. */
  async function statusOf(msgId: string, timeoutMs = 5000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mine = k.iopubLog.filter((m) => m.parent_header.msg_id === msgId && m.header.msg_type === "status");
      if (mine.some((m) => m.content.execution_state === "idle") || Date.now() > deadline) return mine;
      await sleep(10);
    }
  }

  it("kernel_info_request on control: reply and busy/idle at once during a synchronous 2 s cell", async () => {
    const start = k.iopubLog.length;
    const cell = executeOn("shell", "const t0s = Date.now(); while (Date.now() - t0s < 2000) { /* busy */ } 'done'");
    await sleep(300);
    const msgId = randomUUID();
    const t0 = Date.now();
    const reply = await k.request("kernel_info_request", {}, { channel: "control", msgId, timeout: 5000 });
    expect(reply.content.implementation).toBe("lrlab");
    expect(Date.now() - t0).toBeLessThan(500);
    const statuses = await statusOf(msgId);
    expect(statuses.map((m) => m.content.execution_state)).toEqual(["busy", "idle"]);
    // at once, not when the cell ends (~1.7 s after the request)
    expect(statuses[1].at - t0).toBeLessThan(500);
    expect((await cell.reply).content.status).toBe("ok");
    await k.iopubUntilIdle(cell.msgId, start);
  });

  it("interrupt_request on control: busy and idle at once while the main thread is blocked in native code", async () => {
    // execSync blocks the main thread outside JavaScript: SIGINT stops the cell only once it
    // returns, so the main thread stays busy ~1.7 s after the interrupt.
    const start = k.iopubLog.length;
    const cell = executeOn("shell", `require("node:child_process").execSync("sleep 2"); "slept"`);
    await sleep(300);
    const msgId = randomUUID();
    const t0 = Date.now();
    const reply = await k.request("interrupt_request", {}, { channel: "control", msgId, timeout: 5000 });
    expect(reply.content.status).toBe("ok");
    const statuses = await statusOf(msgId);
    expect(statuses.map((m) => m.content.execution_state)).toEqual(["busy", "idle"]);
    expect(statuses[1].at - t0).toBeLessThan(500);
    await cell.reply;
    await k.iopubUntilIdle(cell.msgId, start);
    const r = await k.execute("1 + 1");
    expect(r.outputs.find((m) => m.header.msg_type === "execute_result")?.content.data["text/plain"]).toBe("2");
  });

  it("shutdown_request on control: reply, busy and idle at once while the main thread is blocked", async () => {
    const k2 = await KernelClient.start();
    try {
      const from = k2.iopubLog.length;
      void k2.request("execute_request", { code: `require("node:child_process").execSync("sleep 3")`, silent: false, store_history: true,
        user_expressions: {}, allow_stdin: false, stop_on_error: true }, { timeout: 10_000 }).catch(() => {});
      await sleep(300);
      const msgId = randomUUID();
      const t0 = Date.now();
      const exited = new Promise((r) => k2.proc.once("exit", r));
      const reply = await k2.request("shutdown_request", { restart: false }, { channel: "control", msgId, timeout: 5000 });
      expect(reply.content).toEqual({ status: "ok", restart: false });
      for (let i = 0; i < 100 && !k2.iopubLog.slice(from).some((m) => m.parent_header.msg_id === msgId && m.content.execution_state === "idle"); i++) await sleep(10);
      const statuses = k2.iopubLog.slice(from).filter((m) => m.parent_header.msg_id === msgId && m.header.msg_type === "status");
      expect(statuses.map((m) => m.content.execution_state)).toEqual(["busy", "idle"]);
      expect(statuses[1].at - t0).toBeLessThan(500);
      await Promise.race([exited, sleep(5000)]);
      expect(k2.alive).toBe(false);
    } finally {
      await k2.shutdown();
    }
  }, 30_000);
});

describe("start, when a port of the control thread is taken", () => {
  it("exits with code 1 naming the cause (iopub and control are bound by the control thread)", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const taken = (blocker.address() as { port: number }).port;
    try {
      for (const which of ["iopub_port", "control_port"] as const) {
        const { info, file } = await connectionFile();
        writeFileSync(file, JSON.stringify({ ...info, [which]: taken }));
        const r = spawnSync(process.execPath, [join(ROOT, "kernel", "bin", "lrlab.js"), "kernel", "--connection-file", file], { encoding: "utf8", timeout: 30_000 });
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/cannot bind iopub\/control\/hb\/stdin: Address already in use/);
        expect(r.stderr).not.toMatch(/terminate called/);
      }
    } finally {
      blocker.close();
    }
  });
});
