#!/usr/bin/env node
// JupyterLab on notebooks/ with the lrlab kernel and extension from the project's .venv.
import { spawn } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const jupyter = join(root, ".venv", "bin", "jupyter");
const extra = process.getuid && process.getuid() === 0 ? ["--allow-root"] : [];
console.log("[start] jupyter lab on notebooks/ (Ctrl-C to stop)");
const child = spawn(jupyter, ["lab", `--notebook-dir=${join(root, "notebooks")}`, ...extra, ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, JUPYTER_PATH: join(root, ".venv", "share", "jupyter") },
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 0));
