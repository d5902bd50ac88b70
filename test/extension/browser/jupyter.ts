/**
 * A real JupyterLab for the browser tests: the one in the project's .venv, on a free localhost
 * port, with a random token and its own config, data, runtime, settings and workspace folders
 * (nothing of the user's Jupyter set-up leaks in, nothing leaks out).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(__dirname, "..", "..", "..");
export const VENV = join(ROOT, ".venv");
export const LABEXTENSION = join(ROOT, "extension", "labextension");

export interface Lab {
  url: string;
  token: string;
  dir: string;
  /** Notebook folder the server serves. */
  notebooks: string;
  log: () => string;
  stop: () => Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => ok(port));
    });
  });
}

/** Runs a .venv tool with the given Jupyter environment; returns its output. */
export function venvRun(tool: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(join(VENV, "bin", tool), args, { encoding: "utf8", env: { ...process.env, ...env } });
  if (r.error) throw r.error;
  return `${r.stdout}${r.stderr}`;
}

/**
 * Makes sure the built extension is installed in the .venv prefix. The kernel CLI
 * (`lrlab install --prefix .venv`, run by `npm run setup`) normally does this; until it has,
 * link the build there so the test runs the current build.
 */
export function ensureExtensionInstalled(): string {
  if (!existsSync(join(LABEXTENSION, "package.json"))) {
    throw new Error(`the extension is not built (${LABEXTENSION} is missing): run \`npm run build\``);
  }
  const dir = join(VENV, "share", "jupyter", "labextensions");
  const target = join(dir, "lrlab-jupyterlab");
  let present = false;
  try {
    present = lstatSync(target) !== undefined;
  } catch {
    present = false;
  }
  if (!present) {
    mkdirSync(dir, { recursive: true });
    symlinkSync(LABEXTENSION, target, "dir");
  }
  return lstatSync(target).isSymbolicLink() ? readlinkSync(target) : target;
}

/**
 * Starts JupyterLab; once more on a new port (up to three times) when the free port found was
 * taken before the server bound it (a race every launcher that picks ports this way has).
 */
export async function startLab(extraArgs: string[] = []): Promise<Lab> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startLabOnce(extraArgs);
    } catch (e) {
      if (attempt >= 3 || !/already in use|Errno 98/i.test(String(e))) throw e;
    }
  }
}

async function startLabOnce(extraArgs: string[]): Promise<Lab> {
  if (!existsSync(join(VENV, "bin", "jupyter-lab"))) {
    throw new Error(`JupyterLab is not installed in ${VENV}: run \`npm run setup\``);
  }
  const dir = mkdtempSync(join(tmpdir(), "lrlab-lab-"));
  const notebooks = join(dir, "notebooks");
  for (const d of ["config", "runtime", "settings", "workspaces", "notebooks", "labextensions"]) mkdirSync(join(dir, d), { recursive: true });
  // This checkout's build, ahead of the one installed in the .venv (extra_labextensions_path is
  // searched first): a git worktree shares the .venv (a symlink), whose installed extension is a
  // link to another checkout's build, so its browser tests ran that build, not the code under test.
  if (existsSync(join(LABEXTENSION, "package.json"))) symlinkSync(LABEXTENSION, join(dir, "labextensions", "lrlab-jupyterlab"), "dir");
  // No "get notified about Jupyter news?" toast over the plots.
  const apputils = join(dir, "settings", "@jupyterlab", "apputils-extension");
  mkdirSync(apputils, { recursive: true });
  writeFileSync(join(apputils, "notification.jupyterlab-settings"), JSON.stringify({ fetchNews: "false" }));
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  const args = [
    "--no-browser", `--port=${port}`, "--ip=127.0.0.1", `--IdentityProvider.token=${token}`,
    `--ServerApp.root_dir=${notebooks}`, "--ServerApp.port_retries=0", "--LabApp.expose_app_in_browser=True",
    `--LabApp.extra_labextensions_path=${join(dir, "labextensions")}`,
    "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
  ];
  if (process.getuid?.() === 0) args.push("--allow-root");
  args.push(...extraArgs);
  const env = {
    ...process.env,
    JUPYTER_CONFIG_DIR: join(dir, "config"),
    JUPYTER_RUNTIME_DIR: join(dir, "runtime"),
    JUPYTERLAB_SETTINGS_DIR: join(dir, "settings"),
    JUPYTERLAB_WORKSPACES_DIR: join(dir, "workspaces"),
    JUPYTER_PLATFORM_DIRS: "1",
    PYTHONUNBUFFERED: "1",
  };
  let out = "";
  const proc: ChildProcess = spawn(join(VENV, "bin", "jupyter-lab"), args, { env, stdio: ["ignore", "pipe", "pipe"] });
  proc.stdout!.on("data", (b) => (out += b));
  proc.stderr!.on("data", (b) => (out += b));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`jupyter lab exited with ${proc.exitCode}:\n${out}`);
    try {
      const r = await fetch(`${url}/api/status`, { headers: { Authorization: `token ${token}` } });
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`jupyter lab did not answer on ${url} within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url, token, dir, notebooks, log: () => out,
    stop: async () => {
      if (proc.exitCode === null) {
        // SIGTERM: the server shuts its kernels down before it exits.
        await new Promise<void>((ok) => {
          proc.once("exit", () => ok());
          proc.kill("SIGTERM");
          setTimeout(() => proc.kill("SIGKILL"), 10_000).unref();
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether a kernelspec is installed in the .venv (the lrlab kernel lands via `lrlab install`). */
export function hasKernelspec(name: string): boolean {
  return existsSync(join(VENV, "share", "jupyter", "kernels", name, "kernel.json"));
}
