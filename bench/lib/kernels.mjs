// Section 1: kernel start-to-ready and cell round trips, lrlab vs ipykernel (.venv) vs tslab 1.0.22,
// measured by bench/kernel_latency.py (jupyter_client) in the .venv's Python.
//
// The peers' kernelspecs go into a temporary Jupyter data dir on JUPYTER_PATH for the bench only:
// tslab's from `tslab install --prefix`, and, when the .venv's Python cannot import torch but
// LRLAB_BENCH_PYTHON can (same Python version), an ipykernel spec that adds torch's site-packages
// to PYTHONPATH so the Python peer can run the seed's Example 3 as well.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fmtRatio, fmtTime, quantile } from "./stats.mjs";
import { probePython, runJson, venvPython } from "./python.mjs";

export const KERNEL_CELLS = [
  { key: "1+1", label: "`1+1`" },
  { key: "typed10", label: "a 10-line typed cell, re-run unchanged" },
  { key: "typed10_new", label: "a 10-line typed cell, new text each run" },
  { key: "seed_example3", label: "seed Example 3 (100 steps)" },
];
export const KERNEL_PEERS = ["ipykernel", "tslab"];

function tslabVersion(root) {
  try {
    return JSON.parse(readFileSync(join(root, "node_modules", "tslab", "package.json"), "utf8")).version;
  } catch {
    return null;
  }
}

/** Sets up the temporary kernelspecs; returns { dir, specs: {label: spec}, torchLabels, notes }. */
function prepareSpecs(root, venvPy, benchPy) {
  const dir = mkdtempSync(join(tmpdir(), "lrlab-bench-jupyter-"));
  const specs = { lrlab: "lrlab", ipykernel: "python3" };
  const notes = {};
  const torchLabels = [];
  const tslabBin = join(root, "node_modules", ".bin", "tslab");
  if (existsSync(tslabBin)) {
    const r = spawnSync(tslabBin, ["install", "--python", venvPy, "--binary", tslabBin, "--prefix", dir], { encoding: "utf8" });
    if (r.status === 0) specs.tslab = "tslab";
    else notes.tslab = `tslab install failed: ${(r.stderr || r.stdout || "").trim().split("\n").pop()}`;
  } else notes.tslab = "not installed (node_modules/tslab missing: npm ci)";
  const venv = probePython(venvPy);
  if (venv.torch) torchLabels.push("ipykernel");
  else if (benchPy !== venvPy) {
    const b = probePython(benchPy);
    if (b.torch && b.version === venv.version) {
      const kdir = join(dir, "share", "jupyter", "kernels", "lrlab-bench-ipykernel");
      mkdirSync(kdir, { recursive: true });
      writeFileSync(join(kdir, "kernel.json"), JSON.stringify({
        argv: [venvPy, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        display_name: "Python 3 (ipykernel + torch, bench)",
        language: "python",
        env: { PYTHONPATH: b.torch_site },
      }));
      specs.ipykernel = "lrlab-bench-ipykernel";
      torchLabels.push("ipykernel");
    }
  }
  return { dir, specs, torchLabels, notes };
}

export function runKernels(root, { quick, python, log }) {
  const venvPy = venvPython(root);
  if (!venvPy) return { error: "no .venv (run `npm run setup`)" };
  const { dir, specs, torchLabels, notes } = prepareSpecs(root, venvPy, python);
  try {
    const env = { ...process.env, JUPYTER_PATH: [join(dir, "share", "jupyter"), process.env.JUPYTER_PATH].filter(Boolean).join(":") };
    const kernels = Object.entries(specs).map(([l, s]) => `${l}=${s}`).join(",");
    log(`kernels: ${kernels}`);
    const res = runJson(venvPy, [join(root, "bench", "kernel_latency.py"), "--kernels", kernels,
      "--repeats", quick ? "5" : "30", "--starts", quick ? "1" : "3", "--torch-kernels", torchLabels.join(","),
      "--timeout", quick ? "30" : "120"], { cwd: root, env, timeout: quick ? 120_000 : 900_000 });
    for (const [label, why] of Object.entries(notes)) res[label] = { error: why };
    res.versions = { tslab: tslabVersion(root) };
    return res;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const NAMES = { ipykernel: "ipykernel", tslab: "tslab" };

function describe(res, label, pick) {
  const r = res[label];
  if (!r) return { text: "not measured", value: NaN };
  if (r.error) return { text: `not available: ${r.error}`, value: NaN };
  return pick(r);
}

export function kernelRows(res) {
  const rows = [];
  if (res.error) {
    const na = { area: "kernel", lrlab: res.error, peers: "–", ratio: "–", target: "–", meets: null };
    rows.push({ ...na, measure: "start to ready" });
    rows.push({ ...na, measure: "first cell, 2 s after ready" });
    for (const c of KERNEL_CELLS) for (const p of ["p50", "p90"]) rows.push({ ...na, measure: `cell round trip ${p}, ${c.label}` });
    return rows;
  }
  const name = (l) => (l === "tslab" && res.versions?.tslab ? `tslab ${res.versions.tslab}` : NAMES[l]);
  const row = (measure, pick, target, meetsVs) => {
    const mine = describe(res, "lrlab", pick);
    const peers = KERNEL_PEERS.map((l) => ({ l, ...describe(res, l, pick) }));
    const ratios = peers.filter((p) => Number.isFinite(p.value) && Number.isFinite(mine.value))
      .map((p) => `${fmtRatio(p.value / mine.value)} ${name(p.l)}`);
    const ref = peers.find((p) => p.l === meetsVs);
    rows.push({
      area: "kernel",
      measure,
      lrlab: mine.text,
      peers: peers.map((p) => `${name(p.l)}: ${p.text}`).join("; "),
      ratio: ratios.join("; ") || "n/a",
      target,
      meets: target !== "–" && Number.isFinite(mine.value) && Number.isFinite(ref?.value) ? mine.value <= ref.value : null,
    });
  };
  const startPick = (r) => {
    const m = quantile(r.start, 0.5);
    return { value: m, text: `${fmtTime(m)} (median of ${r.start.length})` };
  };
  row("start to ready (kernel_info_reply)", startPick, "≤ ipykernel", "ipykernel");
  const firstPick = (r) => {
    if (!r.first?.length) return { value: NaN, text: r.failures?.first ? `failed: ${r.failures.first.first}` : "not run" };
    const m = quantile(r.first, 0.5);
    return { value: m, text: `${fmtTime(m)} (median of ${r.first.length})` };
  };
  row("first cell, 2 s after ready: a 10-line typed cell", firstPick, "–", "ipykernel");
  for (const c of KERNEL_CELLS) {
    for (const [p, q] of [["p50", 0.5], ["p90", 0.9]]) {
      const pick = (r) => {
        const xs = r.cells?.[c.key];
        if (!xs) return { value: NaN, text: r.skipped?.[c.key] ?? "not run" };
        const v = quantile(xs, q);
        const f = r.failures?.[c.key];
        const failed = f ? `; ${f.count} of ${f.of} runs failed: ${f.first}` : "";
        return { value: v, text: `${fmtTime(v)} (n=${xs.length}${failed})` };
      };
      row(`cell round trip ${p}, ${c.label}`, pick, p === "p50" ? "≤ ipykernel" : "–", "ipykernel");
    }
  }
  return rows;
}
