#!/usr/bin/env node
// `npm run bench`: lrlab side by side with its peers, measured in one run on this machine.
//
//   node bench/run.mjs [--quick] [--out FILE] [--only kernel,train,tracer,bundle]
//
// Prints ONE markdown table (figures, and speed ratios against the peers measured in the same run)
// and writes it, with a short header naming the machine and versions, to bench/results/latest.md
// (quick runs: test-output/bench-quick.md; --only: test-output/bench-<sections>.md). --quick runs small sizes in under a minute.
// Nothing here asserts a timing: the "meets" column compares against the targets of issue 7.
//
// Environment: LRLAB_BENCH_PYTHON = the Python with torch (default .venv/bin/python);
// LRLAB_BENCH_DIST = another build of kernel/ to measure (default kernel/dist).
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleRows, runBundles } from "./lib/bundle.mjs";
import { kernelRows, runKernels } from "./lib/kernels.mjs";
import { benchPython, probePython } from "./lib/python.mjs";
import { renderTable } from "./lib/table.mjs";
import { tracerRows } from "./lib/tracer.mjs";
import { runTraining, trainingRows } from "./lib/train.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SECTIONS = ["kernel", "train", "tracer", "bundle"];
const USAGE = "usage: node bench/run.mjs [--quick] [--out FILE] [--only " + SECTIONS.join(",") + "]";

function parseArgs(argv) {
  const a = { quick: false, out: null, only: SECTIONS };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    if (x === "--quick") a.quick = true;
    else if (x === "--out") a.out = argv[++i];
    else if (x === "--only") {
      a.only = (argv[++i] ?? "").split(",").filter(Boolean);
      const bad = a.only.filter((s) => !SECTIONS.includes(s));
      if (bad.length || a.only.length === 0) throw new Error(`--only: unknown section ${bad.join(", ") || "(none given)"}; valid: ${SECTIONS.join(", ")}`);
    } else if (x === "--help" || x === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${JSON.stringify(x)}\n${USAGE}`);
    if (x === "--out" && !a.out) throw new Error(`--out needs a file name\n${USAGE}`);
  }
  // bench/results/latest.md holds full runs only: a run of some sections or a quick one goes to test-output/
  const partial = a.only.length < SECTIONS.length;
  a.out ??= a.quick ? join(root, "test-output", "bench-quick.md")
    : partial ? join(root, "test-output", `bench-${a.only.join("-")}.md`) : join(root, "bench", "results", "latest.md");
  return a;
}

function log(msg) {
  process.stderr.write(`[bench] ${msg}\n`);
}

/** A section that throws becomes rows saying so, never a missing table. */
function section(name, run, rows, fallbackRows) {
  const t = Date.now();
  try {
    const r = rows(run());
    log(`${name}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    return r;
  } catch (e) {
    log(`${name} failed: ${e.stack ?? e}`);
    return fallbackRows(`failed: ${String(e.message ?? e).split("\n")[0]}`);
  }
}

/** The tracer section in a child process (bench/lib/tracer_child.mjs says why); its log passes through. */
function runTracerApart(quick) {
  const r = spawnSync(process.execPath, [join(root, "bench", "lib", "tracer_child.mjs"), ...(quick ? ["--quick"] : [])],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 16 << 20, env: process.env });
  if (r.status !== 0) throw new Error(`the tracer section's process ended with ${r.status ?? r.signal}`);
  return JSON.parse(r.stdout);
}

function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  const { quick } = args;
  const python = benchPython(root);
  const rows = [];
  const t0 = Date.now();
  if (args.only.includes("kernel")) {
    rows.push(...section("kernel", () => runKernels(root, { quick, python, log }), kernelRows, (why) => kernelRows({ error: why })));
  }
  if (args.only.includes("train")) {
    rows.push(...section("train", () => runTraining(root, { quick, python, log }), trainingRows, (why) => trainingRows({ error: why })));
  }
  if (args.only.includes("tracer")) {
    rows.push(...section("tracer", () => runTracerApart(quick), tracerRows, (why) => tracerRows({ error: why })));
  }
  if (args.only.includes("bundle")) {
    rows.push(...section("bundle", () => runBundles(root, { log }), bundleRows, (why) => bundleRows({ error: why })));
  }
  const py = probePython(python);
  const header = [
    `# lrlab bench${quick ? " (--quick: small sizes, few repeats)" : ""}`,
    "",
    `${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? "cpu"} · Node ${process.version}`
      + ` · bench Python ${python} (${py.ok ? `Python ${py.version}, torch ${py.torch ?? "not installed"}` : py.error}) · ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    "",
    "Speed ratios are lrlab's speed over the peer's (steps/s over steps/s; the peer's time over lrlab's time), measured in this run: above 1, lrlab is faster. Training times are the best of the repeats after a warm-up; kernel figures are medians and percentiles. \"meets\" compares with the targets of issue 7; nothing is asserted.",
    "",
  ].join("\n");
  const table = renderTable(rows);
  console.log(table);
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${header}\n${table}\n`);
  log(`written to ${args.out}`);
}

main();
