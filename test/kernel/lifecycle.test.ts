/**
 * Start-up options and shutdown: unsigned (empty key) and hmac-sha512 sessions, the heartbeat
 * answering while a cell is busy, shutdown (with restart flag) ending the process even when a
 * cell is stuck in a synchronous loop; a kernel whose starter died shuts itself down, and one
 * whose output pipes were closed does not loop on the write errors.
 */
import { describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectionFile, KernelClient, resultText, ROOT } from "./client";
import { Signer, decode, encode, newHeader } from "../../kernel/src/kernel/wire";

/** Whether process `pid` runs (a zombie, exited but not yet reaped, does not). */
function running(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    return readFileSync(stat, "utf8").replace(/^.*\) /, "")[0] !== "Z";
  } catch {
    return false; // gone between the two reads
  }
}

/**
 * A kernel spawned on a connection file of its own, no client attached, with LRLAB_KERNEL_LOG
 * naming a log file (with it set the kernel also says when it warms up, on stderr too): the
 * warm-up test's kernel. `log()`: its stderr so far.
 */
async function spawnLogged() {
  const { info, file } = await connectionFile();
  const logFile = join(mkdtempSync(join(tmpdir(), "lrlab-log-")), "kernel.log");
  const proc = spawn(process.execPath, [join(ROOT, "kernel", "bin", "lrlab.js"), "kernel", "--connection-file", file],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LRLAB_KERNEL_LOG: logFile } });
  let stderr = "";
  proc.stderr!.on("data", (d) => { stderr += String(d); });
  return { info, proc, logFile, log: () => stderr, signer: new Signer(info.key, info.signature_scheme) };
}

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

  it("an error in an imported local module points into that module, at its line (the caret was under the cell's line of that number)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lrlab-cwd-"));
    writeFileSync(join(dir, "bad.ts"), "// a helper module\nexport const a: number = ;\n");
    const k = await KernelClient.start({ cwd: dir });
    try {
      const r = await k.execute("import { a } from './bad';\n// the cell's own line 2\na");
      expect(r.reply.content.evalue).toBe("bad.ts:2:26 - Expression expected.");
      const tb = (r.reply.content.traceback as string[]).map((l) => l.replace(/\u001b\[[0-9;]*m/g, ""));
      // bad.ts's line 2, the caret under its column 26 (where the expression is missing)
      expect(tb.slice(0, 3)).toEqual(["bad.ts:2:26 - error TS1109: Expression expected.", "   2 | export const a: number = ;", `     | ${" ".repeat(25)}^`]);
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
      // the kernel ends itself within ~2 s (SIGINT, then SIGTERM: control_worker.ts); 15 s of margin
      // for a loaded machine (a CI run beside other jobs took more than 5 s to see the exit)
      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r("timeout"), 15000))]);
      expect(code).not.toBe("timeout");
      expect(k.alive).toBe(false);
    } finally {
      hb.close();
      await k.shutdown();
    }
  }, 60_000);

  it("shuts down by itself when the process that started it dies (no one is left to ask it)", async () => {
    // A parent that starts the kernel, then is killed: a crashed Jupyter server or nbclient.
    const { info, file } = await connectionFile();
    const bin = join(ROOT, "kernel", "bin", "lrlab.js");
    const starter = spawn(process.execPath, ["-e", `
      const c = require("node:child_process").spawn(process.execPath, [${JSON.stringify(bin)}, "kernel", "--connection-file", ${JSON.stringify(file)}], { stdio: "ignore" });
      console.log(c.pid);
      setInterval(() => {}, 1000);`], { stdio: ["ignore", "pipe", "inherit"] });
    const pid = await new Promise<number>((resolve) => starter.stdout!.once("data", (d) => resolve(Number(String(d).trim()))));
    const hb = new zmq.Request({ linger: 0, receiveTimeout: 30_000 });
    try {
      expect(pid).toBeGreaterThan(0);
      // up and running: its heartbeat echoes
      hb.connect(`tcp://127.0.0.1:${info.hb_port}`);
      await hb.send("ping");
      expect(String((await hb.receive())[0])).toBe("ping");
      expect(running(pid)).toBe(true);
      starter.kill("SIGKILL");
      const deadline = Date.now() + 10_000;
      while (running(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(running(pid), "the orphaned kernel is still running 10 s after its parent died").toBe(false);
    } finally {
      hb.close();
      starter.kill("SIGKILL");
      try { process.kill(pid, "SIGKILL"); } catch { /* gone, as it should be */ }
    }
  }, 60_000);

  it("keeps working when its stdout and stderr pipes are closed, and reports a late error once", async () => {
    // Once the reader of its stderr is gone, every log line fails with EPIPE; that failure was an
    // uncaught exception, reported as an error and logged to stderr, failing again: an endless
    // stream of error messages at 100% CPU.
    const k = await KernelClient.start();
    try {
      k.proc.stderr!.destroy();
      k.proc.stdout!.destroy();
      const r = await k.execute('setTimeout(() => { throw new Error("late, after the pipes closed"); }, 50); 1');
      const msgId = String(r.reply.parent_header.msg_id);
      await new Promise((res) => setTimeout(res, 1500));
      const errors = k.iopubLog.filter((m) => m.parent_header.msg_id === msgId && m.header.msg_type === "error");
      expect(errors.map((m) => m.content.evalue)).toEqual(["late, after the pipes closed"]);
      expect(resultText(await k.execute("1 + 1"))).toBe("2");
    } finally {
      await k.shutdown();
    }
  }, 60_000);

  it("the warm-up waits for a kernel_info reply that reached an iopub subscriber (a client asking again must be answered)", async () => {
    // A client whose iopub joined late misses the reply's status messages and asks kernel_info
    // again (jupyter_client after 0.2 s, Jupyter Server after 0.5 s). A warm-up started 100 ms
    // after the first reply held that second answer ~1.5 s: 2 of 5 starts took 1.8 s.
    const { info, proc, logFile, log, signer } = await spawnLogged();
    const shell = new zmq.Dealer({ linger: 0, receiveTimeout: 20_000 });
    const sub = new zmq.Subscriber({ linger: 0, receiveTimeout: 300 });
    const session = "test";
    const kernelInfo = async () => {
      await shell.send(encode(signer, [], newHeader("kernel_info_request", session), {}, {}, {}));
      for (;;) {
        const m = decode((await shell.receive()) as Buffer[], signer);
        if (m.header.msg_type === "kernel_info_reply") return;
      }
    };
    try {
      shell.connect(`tcp://127.0.0.1:${info.shell_port}`);
      await kernelInfo(); // no subscriber yet: its status messages reach no one
      await new Promise((r) => setTimeout(r, 1000));
      expect(log()).not.toContain("warm-up:");
      sub.connect(`tcp://127.0.0.1:${info.iopub_port}`);
      sub.subscribe();
      // ask again until a status arrives, as jupyter_client does
      let heard = false;
      for (let i = 0; i < 20 && !heard; i++) {
        await kernelInfo();
        try {
          await sub.receive();
          heard = true;
        } catch { /* not joined yet */ }
      }
      expect(heard).toBe(true);
      // the line goes to stderr, then to the log file: wait for the file (read on its own, the
      // stderr line can arrive before the kernel has appended it)
      const fileLog = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
      const deadline = Date.now() + 10_000;
      while (!fileLog().includes("warm-up:") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      // after a reply a subscriber had (or one it may have had: it joined just after; a client
      // that missed it would have asked again), not the 3 s fallback
      expect(fileLog()).toMatch(/warm-up: after (a kernel_info reply that reached a subscriber|a subscriber joined just after a kernel_info reply)/);
      expect(log()).toMatch(/warm-up: after (a kernel_info reply that reached a subscriber|a subscriber joined just after a kernel_info reply)/);
    } finally {
      shell.close();
      sub.close();
      proc.kill("SIGKILL");
    }
  }, 60_000);

  it("while no cell has come, the warm-up compiles its cell 15 times more, one turn of the event loop each", async () => {
    const logFile = join(mkdtempSync(join(tmpdir(), "lrlab-log-")), "kernel.log");
    const k = await KernelClient.start({ env: { LRLAB_KERNEL_LOG: logFile }, probe: "kernel_info" });
    try {
      const fileLog = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
      const deadline = Date.now() + 20_000;
      while (!fileLog().includes("warm-up compiles:") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(fileLog()).toMatch(/warm-up compiles: 15 in \d+ ms \(all done\)/);
      // they declare nothing and leave no value: the names of the warm-up cell are the user's
      expect((await k.execute("%who")).stdout.trim()).toBe("Interactive namespace is empty.");
      expect(resultText(await k.execute("const xs = 'mine'; const point = 2;\nxs + point"))).toBe("'mine2'");
    } finally {
      await k.shutdown();
    }
  }, 60_000);

  it("a cell that comes before the warm-up's compiles are done ends them", async () => {
    const logFile = join(mkdtempSync(join(tmpdir(), "lrlab-log-")), "kernel.log");
    const k = await KernelClient.start({ env: { LRLAB_KERNEL_LOG: logFile }, probe: "kernel_info" });
    try {
      // at once after kernel_info: the cell waits at most for the compiler's load and one compile
      expect(resultText(await k.execute("const n: number = 6;\nn * 7"))).toBe("42");
      const fileLog = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
      const deadline = Date.now() + 20_000;
      while (!fileLog().includes("warm-up compiles:") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      // none, or the one under way when the request was read
      expect(fileLog()).toMatch(/warm-up compiles: [01] in \d+ ms \(an execute request came\)/);
    } finally {
      await k.shutdown();
    }
  }, 60_000);

  it("the warm-up after kernel_info (a typical cell type-checked, a preview's plot made) shows and declares nothing", async () => {
    const k = await KernelClient.start();
    try {
      await new Promise((r) => setTimeout(r, 4000)); // warm-up: ~1.5 s after the first kernel_info
      const shown = k.iopubLog.filter((m) => ["display_data", "update_display_data", "stream", "error", "clear_output"].includes(m.header.msg_type));
      expect(shown.map((m) => m.header.msg_type)).toEqual([]);
      expect((await k.execute("%who")).stdout.trim()).toBe("Interactive namespace is empty.");
      // the names the warm-up cell uses are free, with types of the user's choosing
      expect(resultText(await k.execute("const trace = 'mine'; const model = 2;\ntrace + model"))).toBe("'mine2'");
    } finally {
      await k.shutdown();
    }
  }, 60_000);
});
