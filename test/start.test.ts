/**
 * `npm start` (scripts/setup.mjs, then scripts/start.mjs): JupyterLab serving notebooks/ with the
 * lrlab kernelspec and extension, as the README promises. The set-up half runs before every test
 * run (npm test does it); this starts the real script on a free port with its own config and
 * runtime folders, asks the server what a browser would, starts a kernel, then stops it as a
 * process manager would (SIGTERM to the script: with npm's `setup && start` shell in between,
 * that left JupyterLab and its kernels running) or as Ctrl-C would (SIGINT).
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "./kernel/client";

const root = join(__dirname, "..");

describe("npm start", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) it(`serves notebooks/ in JupyterLab with the lrlab kernel and extension, and stops with its kernels on ${signal}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "lrlab-start-"));
    const port = await freePort();
    const token = randomBytes(16).toString("hex");
    const env = { ...process.env, JUPYTER_CONFIG_DIR: join(dir, "config"), JUPYTER_RUNTIME_DIR: join(dir, "runtime"),
      JUPYTERLAB_WORKSPACES_DIR: join(dir, "workspaces"), JUPYTER_PLATFORM_DIRS: "1" };
    const args = ["--no-browser", `--port=${port}`, "--ip=127.0.0.1", `--IdentityProvider.token=${token}`, "--ServerApp.port_retries=0",
      "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"];
    // SIGTERM goes to `npm start` itself, as a process manager sends it; SIGINT to the script.
    const proc = signal === "SIGTERM"
      ? spawn("npm", ["start", "--silent", "--", ...args], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] })
      : spawn(process.execPath, [join(root, "scripts", "start.mjs"), ...args], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    proc.stdout!.on("data", (b) => (out += b));
    proc.stderr!.on("data", (b) => (out += b));
    const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
    const url = `http://127.0.0.1:${port}`;
    const get = async (path: string) => fetch(`${url}${path}`, { headers: { Authorization: `token ${token}` } });
    try {
      const deadline = Date.now() + 90_000;
      for (;;) {
        expect(proc.exitCode, `scripts/start.mjs exited early:\n${out}`).toBeNull();
        const ok = await get("/api/status").then((r) => r.ok, () => false);
        if (ok) break;
        expect(Date.now() < deadline, `no answer on ${url} within 90 s:\n${out}`).toBe(true);
        await new Promise((r) => setTimeout(r, 250));
      }
      const specs = (await (await get("/api/kernelspecs")).json()) as { kernelspecs: Record<string, { spec: { display_name: string } }> };
      expect(Object.keys(specs.kernelspecs)).toContain("lrlab");
      expect(specs.kernelspecs.lrlab.spec.display_name).toBe("TypeScript (lrlab)");
      const contents = (await (await get("/api/contents")).json()) as { content: { name: string }[] };
      const names = contents.content.map((c: { name: string }) => c.name);
      expect(names).toEqual(expect.arrayContaining(["01-batch-size.ipynb", "02-adam.ipynb", "03-steplr.ipynb"]));
      // the page a browser gets lists the extension among the federated ones
      const page = await (await get("/lab")).text();
      expect(page).toContain("lrlab-jupyterlab");
      const kernel = (await (await fetch(`${url}/api/kernels`, { method: "POST", headers: { Authorization: `token ${token}` }, body: JSON.stringify({ name: "lrlab" }) })).json()) as { id: string };
      const running = () => spawnSync("ps", ["-eo", "args"], { encoding: "utf8" }).stdout.split("\n").some((l) => l.includes(kernel.id) && !l.includes("ps -eo"));
      await expect.poll(running, { timeout: 30_000 }).toBe(true);
      proc.kill(signal);
      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r("still running"), 20_000))]);
      expect(code, out).not.toBe("still running");
      // 30 s: under a full suite beside other jobs (load ~15 on 2 cores) the kernel took more than
      // 10 s to go once the server had exited (session 17; ~1 s when quiet)
      await expect.poll(running, { timeout: 30_000 }).toBe(false);
    } finally {
      if (proc.exitCode === null) proc.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
