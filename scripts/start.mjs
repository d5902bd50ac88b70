#!/usr/bin/env node
// `npm start`: the set-up that is missing (scripts/setup.mjs), then JupyterLab on notebooks/ with
// the lrlab kernel and extension from the project's .venv.
//
// A SIGTERM to `npm start` (a process manager's, an IDE's) left JupyterLab and its kernels
// running: npm ends its `sh -c` and not what the shell started. This script now also stops
// JupyterLab when the process that started it is gone. JupyterLab stops at the first Ctrl-C
// (answer_yes: it asked "Shut down this Jupyter server (y/[n])?" and went on after 5 s).
import { spawn, spawnSync } from "node:child_process";
import { constants } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const setup = spawnSync(process.execPath, [join(root, "scripts", "setup.mjs")], { cwd: root, stdio: "inherit" });
if (setup.status !== 0) process.exit(setup.status ?? 1);

const jupyter = join(root, ".venv", "bin", "jupyter");
const extra = process.getuid && process.getuid() === 0 ? ["--allow-root"] : [];
console.log("[start] jupyter lab on notebooks/ (Ctrl-C to stop)");
const child = spawn(jupyter, ["lab", `--notebook-dir=${join(root, "notebooks")}`, "--ServerApp.answer_yes=True", ...extra, ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, JUPYTER_PATH: join(root, ".venv", "share", "jupyter") },
});
// Ctrl-C in a terminal reaches JupyterLab itself (same process group); a signal sent to this
// process alone is passed on. Either way JupyterLab shuts its kernels down before it exits.
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
// npm runs this through `sh -c`, and a SIGTERM to npm ends npm and that shell but not this
// process: when the process that started this one is gone, JupyterLab is stopped as for SIGTERM.
const parent = process.ppid;
const watch = setInterval(() => { if (process.ppid !== parent) child.kill("SIGTERM"); }, 500);
// Ended by a signal: the shell's convention, 128 + its number (it was 130, SIGINT's, for any signal).
child.on("exit", (code, signal) => { clearInterval(watch); process.exit(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 0)); });
