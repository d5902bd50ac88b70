/**
 * User code that used to take the kernel down or leave it unusable: the kernel survives, the
 * cell gets a clear error or notice, and the next cells run with their state.
 * - process.kill of the kernel itself, process.abort, process.reallyExit ended the process;
 * - a replaced built-in the kernel runs on (Array.prototype.map) made every message fail to
 *   encode: no reply, the kernel hung for good; a deleted process.stdout.write sent prints to
 *   the kernel's terminal (builtins_guard.ts);
 * - a circular import of local .ts files overflowed the stack (engine.ts wrapRequire);
 * - execSync("sleep 100") held the kernel past an interrupt until the child ended (stuck_code.ts).
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KernelClient, ofType, resultText } from "./client";

const stderrOf = (r: { outputs: { header: { msg_type: string }; content: any }[] }) =>
  r.outputs.filter((m) => m.header.msg_type === "stream" && m.content.name === "stderr").map((m) => m.content.text).join("");

describe("the kernel survives abusive user code", () => {
  it("process.kill of itself, process.abort and process.reallyExit are errors; the kernel and its state stay", async () => {
    const k = await KernelClient.start();
    try {
      await k.execute("const keep = 42");
      for (const [code, what] of [
        ["process.kill(process.pid)", /process\.kill\(\d+, "SIGTERM"\) is disabled .*SIGTERM would end the kernel/],
        ["process.kill(process.pid, 'SIGKILL')", /SIGKILL would end the kernel/],
        ["process.abort()", /process\.abort\(\) is disabled/],
        ["(process as any).reallyExit(3)", /process\.reallyExit\(3\) is disabled/],
      ] as const) {
        const r = await k.execute(code, { timeoutMs: 20_000 });
        expect(r.reply.content.status, code).toBe("error");
        expect(r.reply.content.evalue, code).toMatch(what);
        expect(k.alive, code).toBe(true);
      }
      // a signal the cell listens to is delivered; signal 0 only probes
      const usr = await k.execute("process.once('SIGUSR2', () => console.log('got it')); process.kill(process.pid, 'SIGUSR2');\nawait new Promise((r) => setTimeout(r, 300))");
      expect(usr.stdout).toBe("got it\n");
      expect(resultText(await k.execute("process.kill(process.pid, 0)"))).toBe("true");
      expect(resultText(await k.execute("keep"))).toBe("42");
    } finally {
      await k.shutdown();
    }
  }, 90_000);

  it("a cell that replaces Array.prototype.map or deletes process.stdout.write gets its reply, a notice, and the kernel goes on", async () => {
    const k = await KernelClient.start();
    try {
      await k.execute("const keep = 42");
      const broke = await k.execute("(Array.prototype as any).map = function () { throw new Error('map broken'); };\n11", { timeoutMs: 20_000 });
      expect(broke.reply.content.status).toBe("ok");
      expect(resultText(broke)).toBe("11");
      expect(stderrOf(broke)).toMatch(/replaced or deleted Array\.prototype\.map, which the kernel itself runs on.*the original is back/);
      expect(resultText(await k.execute("[1, 2].map((x) => x * 2)", { timeoutMs: 20_000 }))).toBe("[ 2, 4 ]");

      const deleted = await k.execute("delete (process.stdout as any).write", { timeoutMs: 20_000 });
      expect(stderrOf(deleted)).toMatch(/process\.stdout\.write/);
      expect((await k.execute("console.log('still here')", { timeoutMs: 20_000 })).stdout).toBe("still here\n");

      // broken by a timer after its cell ended: put back before the next request is read
      await k.execute("setTimeout(() => { (Array.prototype as any).map = null; }, 50); 1");
      await new Promise((r) => setTimeout(r, 500));
      expect(resultText(await k.execute("keep", { timeoutMs: 20_000 }))).toBe("42");

      // added properties are the user's: left alone, and harmless
      await k.execute("(Object.prototype as any).polluted = 1");
      expect((await k.execute("%who", { timeoutMs: 20_000 })).stdout).toContain("keep");
      expect(resultText(await k.execute("({} as any).polluted"))).toBe("1");

      // a seeded Math.random is a tutorial's way to reproducible numbers: kept, no notice
      const seeded = await k.execute("let s = 1; Math.random = () => (s = (s * 16807) % 2147483647) / 2147483647;\nMath.random()");
      expect(stderrOf(seeded)).toBe("");
      expect(resultText(await k.execute("Math.random()"))).toBe(String(((16807 * 16807) % 2147483647) / 2147483647));
    } finally {
      await k.shutdown();
    }
  }, 90_000);

  it("imports local .ts modules that import each other", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lrlab-circ-"));
    writeFileSync(join(dir, "circ_a.ts"), 'import { b } from "./circ_b";\nexport const a = 1;\nexport function getB() { return b; }\n');
    writeFileSync(join(dir, "circ_b.ts"), 'import { a } from "./circ_a";\nexport const b = 2;\nexport function getA() { return a; }\n');
    const k = await KernelClient.start({ cwd: dir });
    try {
      const r = await k.execute('import { a, getB } from "./circ_a";\nimport { getA } from "./circ_b";\n[a, getB(), getA()]');
      expect(ofType(r, "error")).toEqual([]);
      expect(resultText(r)).toBe("[ 1, 2, 1 ]");
    } finally {
      await k.shutdown();
    }
  }, 60_000);

  it("an interrupt stops a cell waiting in execSync for a child process", async () => {
    const k = await KernelClient.start();
    try {
      await k.execute("const keep = 42");
      let sent = false;
      const cell = k.execute('require("child_process").execSync("sleep 100")', { timeoutMs: 60_000, onSent: () => { sent = true; } });
      while (!sent) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 1000));
      await k.interruptByMessage();
      const r = await cell;
      expect(r.reply.content.ename).toBe("KeyboardInterrupt");
      expect(resultText(await k.execute("keep"))).toBe("42");
    } finally {
      await k.shutdown();
    }
  }, 90_000);
});
