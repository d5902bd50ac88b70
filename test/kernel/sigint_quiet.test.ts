/**
 * A SIGINT while the kernel is idle is dropped without a word on stderr: jupyter_client
 * interrupts the kernel as it shuts it down, so every headless run (jupyter nbconvert --execute,
 * jupyter execute, papermill) ended with "[lrlab] a SIGINT that came while the kernel was idle was
 * dropped (it stops nothing)" on stderr (a teacher). The line now goes to the kernel's log file
 * (LRLAB_KERNEL_LOG) only, and to stderr when LRLAB_KERNEL_DEBUG is set (sigint.test.ts). The
 * log file is how this test knows the kernel has dropped the signal before it looks at stderr.
 */
import { mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, resultText } from "./client";

const dir = mkdtempSync(join(tmpdir(), "lrlab-sigint-quiet-"));
const logFile = join(dir, "kernel.log");
let k: KernelClient;
beforeAll(async () => { k = await KernelClient.start({ env: { LRLAB_KERNEL_LOG: logFile } }); }, 120_000);
afterAll(async () => {
  await k?.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DROPPED = /a SIGINT (that came while the kernel was idle|recorded as the last request ended) was dropped/g;
const logged = () => (existsSync(logFile) ? readFileSync(logFile, "utf8").match(DROPPED)?.length ?? 0 : 0);

describe("an idle SIGINT without LRLAB_KERNEL_DEBUG", () => {
  it("is dropped into the log file, with nothing on stderr; the next cell runs", async () => {
    expect(logged()).toBe(0);
    k.interruptBySignal();
    const end = Date.now() + 20_000;
    while (logged() === 0 && Date.now() < end) await sleep(20);
    expect(logged(), `the kernel's log file:\n${existsSync(logFile) ? readFileSync(logFile, "utf8") : "(none)"}`).toBe(1);
    await sleep(200); // a line on stderr would have come with the log file's
    expect(k.stderr).not.toMatch(DROPPED);
    expect(k.stderr).not.toContain("SIGINT");
    expect(k.alive).toBe(true);
    expect(resultText(await k.execute("1 + 1"))).toBe("2");
  }, 60_000);
});
