/**
 * The iopub proxy holds one thread of libuv's pool for good (control_worker.ts); the kernel asks
 * for one more than the user did (cli/main.ts), so that asynchronous fs calls in cells still run
 * with UV_THREADPOOL_SIZE=1 (with no thread left, they waited forever).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { KernelClient, resultText } from "./client";

let k: KernelClient;
beforeAll(async () => {
  const saved = process.env.UV_THREADPOOL_SIZE;
  process.env.UV_THREADPOOL_SIZE = "1"; // the kernel inherits it
  try { k = await KernelClient.start(); } finally {
    if (saved === undefined) delete process.env.UV_THREADPOOL_SIZE; else process.env.UV_THREADPOOL_SIZE = saved;
  }
});
afterAll(async () => { await k?.shutdown(); });

it("with UV_THREADPOOL_SIZE=1, a cell's fs.promises call completes (the pool keeps the thread asked for)", async () => {
  const r = await k.execute(`const fsp = require("node:fs/promises");
await Promise.race([fsp.readFile(${JSON.stringify(__filename)}, "utf8").then((t) => t.length > 0 ? "read" : "empty"),
  new Promise((ok) => setTimeout(() => ok("timed out"), 3000))])`);
  expect(resultText(r), JSON.stringify(r.reply.content)).toBe("'read'");
  expect(resultText(await k.execute("process.env.UV_THREADPOOL_SIZE"))).toBe("'2'");
});
