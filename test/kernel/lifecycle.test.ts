/**
 * Start-up options and shutdown: unsigned (empty key) and hmac-sha512 sessions, the heartbeat
 * answering while a cell is busy, shutdown (with restart flag) ending the process even when a
 * cell is stuck in a synchronous loop.
 */
import { describe, expect, it } from "vitest";
import * as zmq from "zeromq";
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
