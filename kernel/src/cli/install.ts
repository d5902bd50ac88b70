/**
 * `lrlab install` / `lrlab uninstall`: the kernelspec (kernels/lrlab/kernel.json + logos) and the
 * JupyterLab extension (share/jupyter/labextensions/lrlab-jupyterlab) in a Jupyter data dir:
 *   --user        the user's data dir (JUPYTER_DATA_DIR, else ~/.local/share/jupyter on Linux,
 *                 ~/Library/Jupyter on macOS, %APPDATA%\jupyter on Windows)
 *   --sys-prefix  <sys.prefix>/share/jupyter of the `python3` on the PATH (a venv's, when active)
 *   --prefix DIR  DIR/share/jupyter
 * The kernelspec's argv holds the absolute path of this node and of this package's bin, so the
 * kernel runs from any folder.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";

export const KERNEL_NAME = "lrlab";
export const DISPLAY_NAME = "TypeScript (lrlab)";
export const EXTENSION_NAME = "lrlab-jupyterlab";

export interface Target { kind: "user" | "sys-prefix" | "prefix"; dir?: string }

const pkgRoot = path.resolve(__dirname, "..", "..");

export function dataDir(t: Target): string {
  if (t.kind === "prefix") return path.join(path.resolve(t.dir!), "share", "jupyter");
  if (t.kind === "sys-prefix") {
    const py = process.env.VIRTUAL_ENV ? path.join(process.env.VIRTUAL_ENV, "bin", "python") : "python3";
    let prefix: string;
    try {
      prefix = execFileSync(py, ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8" }).trim();
    } catch (e: any) {
      throw new Error(`--sys-prefix needs python3 on the PATH to find sys.prefix (${e.message}); use --prefix DIR instead`);
    }
    return path.join(prefix, "share", "jupyter");
  }
  if (process.env.JUPYTER_DATA_DIR) return path.resolve(process.env.JUPYTER_DATA_DIR);
  if (process.platform === "darwin") return path.join(os.homedir(), "Library", "Jupyter");
  if (process.platform === "win32") return path.join(process.env.APPDATA ?? os.homedir(), "jupyter");
  return path.join(process.env.XDG_DATA_HOME ?? path.join(os.homedir(), ".local", "share"), "jupyter");
}

export function kernelSpec(): Record<string, unknown> {
  return {
    argv: [process.execPath, path.join(pkgRoot, "bin", "lrlab.js"), "kernel", "--connection-file", "{connection_file}"],
    display_name: DISPLAY_NAME,
    language: "typescript",
    interrupt_mode: "message",
    env: {},
    metadata: { debugger: false },
  };
}

/** Where the built labextension is: the workspace's extension/labextension, when present. */
export function findLabextension(): string | null {
  const candidates = [
    path.join(pkgRoot, "..", "extension", "labextension"),
    path.join(pkgRoot, "labextension"),
  ];
  for (const c of candidates) if (fs.existsSync(path.join(c, "package.json"))) return path.resolve(c);
  try {
    const p = path.dirname(require.resolve(`${EXTENSION_NAME}/package.json`));
    if (fs.existsSync(path.join(p, "labextension", "package.json"))) return path.join(p, "labextension");
  } catch { /* not installed as a package */ }
  return null;
}

export function install(t: Target, say: (s: string) => void): void {
  const data = dataDir(t);
  const kdir = path.join(data, "kernels", KERNEL_NAME);
  fs.mkdirSync(kdir, { recursive: true });
  fs.writeFileSync(path.join(kdir, "kernel.json"), JSON.stringify(kernelSpec(), null, 2) + "\n");
  for (const logo of ["logo-32x32.png", "logo-64x64.png"]) {
    const src = path.join(pkgRoot, "assets", logo);
    if (fs.existsSync(src)) fs.copyFileSync(src, path.join(kdir, logo));
  }
  say(`installed kernelspec ${KERNEL_NAME} (${DISPLAY_NAME}) in ${kdir}`);
  const ext = findLabextension();
  const edir = path.join(data, "labextensions", EXTENSION_NAME);
  if (!ext) {
    say(`labextension not built (no extension/labextension): skipped; build it with npm run build -w ${EXTENSION_NAME}`);
    return;
  }
  fs.mkdirSync(path.dirname(edir), { recursive: true });
  fs.rmSync(edir, { recursive: true, force: true });
  // A symlink keeps a development install current; copy where links are not possible.
  try {
    fs.symlinkSync(ext, edir, "dir");
    say(`linked labextension ${EXTENSION_NAME} → ${ext}`);
  } catch {
    fs.cpSync(ext, edir, { recursive: true });
    say(`copied labextension ${EXTENSION_NAME} to ${edir}`);
  }
}

export function uninstall(t: Target, say: (s: string) => void): void {
  const data = dataDir(t);
  const kdir = path.join(data, "kernels", KERNEL_NAME);
  const edir = path.join(data, "labextensions", EXTENSION_NAME);
  let any = false;
  for (const d of [kdir, edir]) {
    if (fs.existsSync(d) || isLink(d)) { fs.rmSync(d, { recursive: true, force: true }); say(`removed ${d}`); any = true; }
  }
  if (!any) say(`nothing to remove in ${data}`);
}

function isLink(p: string): boolean {
  try { return fs.lstatSync(p).isSymbolicLink(); } catch { return false; }
}
