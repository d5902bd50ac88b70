// Which Python runs what: the .venv's (Jupyter, ipykernel) and the bench's PyTorch Python.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export function venvPython(root) {
  const p = join(root, ".venv", "bin", "python");
  return existsSync(p) ? p : null;
}

/** `LRLAB_BENCH_PYTHON`, default the .venv's python. */
export function benchPython(root) {
  return process.env.LRLAB_BENCH_PYTHON || join(root, ".venv", "bin", "python");
}

/**
 * What `py` has: { ok, version, torch: version | null, torch_site: dir holding the torch package
 * | null, threads, error }. One short subprocess.
 */
export function probePython(py) {
  const code = [
    "import json, sys, os",
    "r = {'version': '%d.%d' % sys.version_info[:2]}",
    "try:",
    "    import torch",
    "    r['torch'] = torch.__version__",
    "    r['torch_site'] = os.path.dirname(os.path.dirname(torch.__file__))",
    "    r['threads'] = torch.get_num_threads()",
    "except Exception as e:",
    "    r['torch'] = None; r['torch_error'] = type(e).__name__ + ': ' + str(e)",
    "print(json.dumps(r))",
  ].join("\n");
  const r = spawnSync(py, ["-c", code], { encoding: "utf8", timeout: 60_000 });
  if (r.error || r.status !== 0) {
    return { ok: false, error: r.error ? r.error.message : (r.stderr || "").trim().split("\n").pop(), torch: null };
  }
  try {
    return { ok: true, ...JSON.parse(r.stdout.trim().split("\n").pop()) };
  } catch {
    return { ok: false, error: `unexpected output: ${r.stdout.slice(0, 200)}`, torch: null };
  }
}

/** Runs `py args...` and parses the JSON object on the last line of its stdout. */
export function runJson(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20, timeout: opts.timeout ?? 900_000, cwd: opts.cwd, env: opts.env ?? process.env });
  if (r.error) return { error: `${cmd}: ${r.error.message}` };
  const last = (r.stdout || "").trim().split("\n").pop() || "";
  if (r.status !== 0 || !last.startsWith("{")) {
    const why = (r.stderr || "").trim().split("\n").filter(Boolean).pop() || `exit ${r.status}`;
    return { error: `${args[0] ?? cmd} failed: ${why}`.slice(0, 300) };
  }
  try {
    return JSON.parse(last);
  } catch (e) {
    return { error: `bad JSON from ${args[0] ?? cmd}: ${e.message}` };
  }
}
