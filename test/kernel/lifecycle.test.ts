/**
 * Start-up options and shutdown: unsigned (empty key) and hmac-sha512 sessions, the heartbeat
 * answering while a cell is busy, shutdown (with restart flag) ending the process even when a
 * cell is stuck in a synchronous loop.
 */
import { describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KernelClient, resultText } from "./client";

describe("kernel lifecycle", () => {
  it("runs unsigned with an empty key, and with hmac-sha512", async () => {
    for (const opts of [{ key: "" }, { scheme: "hmac-sha512" }]) {
      const k = await KernelClient.start(opts);
      try {
        expect(resultText(await k.execute("1 + 2"))).toBe("3");
      } finally {
        await k.shutdown();
      }
    }
  }, 60_000);

  it("imports a local .ts module created during the session and picks up its edits (converter recovery)", async () => {
    // A failed import makes TypeScript watch the folder; files appearing then used to leave tslab's
    // converter broken for good ("Unexpected pending rebuildTimer"). The engine restarts it.
    const dir = mkdtempSync(join(tmpdir(), "lrlab-cwd-"));
    const k = await KernelClient.start({ cwd: dir });
    try {
      const missing = await k.execute('import { v } from "./mod";\nv');
      expect(missing.reply.content.evalue).toContain("Cannot find module './mod'");
      writeFileSync(join(dir, "mod.ts"), "export const v: number = 5;\n");
      mkdirSync(join(dir, "node_modules", "pkg"), { recursive: true });
      writeFileSync(join(dir, "node_modules", "pkg", "index.js"), "exports.z = 1;");
      await new Promise((r) => setTimeout(r, 1500));
      expect(resultText(await k.execute('import { v } from "./mod";\nv'))).toBe("5");
      writeFileSync(join(dir, "mod.ts"), "export const v: number = 6;\n");
      await new Promise((r) => setTimeout(r, 1500));
      expect(resultText(await k.execute('import { v } from "./mod";\nv'))).toBe("6");
      expect(resultText(await k.execute("torch.tensor([3]).shape[0]"))).toBe("1");
    } finally {
      await k.shutdown();
    }
  }, 60_000);

  it("the heartbeat echoes while a cell is busy; shutdown ends a stuck kernel", async () => {
    const k = await KernelClient.start();
    const hb = new zmq.Request({ linger: 0, receiveTimeout: 2000 });
    hb.connect(`tcp://127.0.0.1:${k.info.hb_port}`);
    try {
      void k.execute("for (;;) {}").catch(() => {});
      await new Promise((r) => setTimeout(r, 500));
      const t0 = Date.now();
      await hb.send("ping");
      const [echo] = await hb.receive();
      expect(echo.toString()).toBe("ping");
      expect(Date.now() - t0).toBeLessThan(500);
      const exited = new Promise<number | null>((r) => k.proc.once("exit", (code) => r(code)));
      const rep = await k.request("shutdown_request", { restart: true }, { channel: "control", timeout: 5000 });
      expect(rep.content).toEqual({ status: "ok", restart: true });
      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r("timeout"), 5000))]);
      expect(code).not.toBe("timeout");
      expect(k.alive).toBe(false);
    } finally {
      hb.close();
      await k.shutdown();
    }
  }, 60_000);
});
