#!/usr/bin/env node
// lrlab's one set-up: idempotent, non-interactive, each step says what it does.
//   node scripts/setup.mjs              npm deps, build, .venv, kernelspec + labextension
//   node scripts/setup.mjs --for-tests  the same, plus what the tests need (chromium)
//   node scripts/setup.mjs --build-only npm deps and build
// A step that is already done is skipped (stamps in .venv/ and node_modules/ say so).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync, statSync, mkdirSync, readdirSync, realpathSync, rmSync } from "node:fs";
import { join, dirname } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));
const forTests = args.has("--for-tests");
const buildOnly = args.has("--build-only");
const venv = join(root, ".venv");
const venvBin = join(venv, "bin");

function say(msg) { console.log(`[setup] ${msg}`); }
function fail(msg) { console.error(`[setup] ERROR: ${msg}`); process.exit(1); }
function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: "inherit", ...opts });
  if (r.error) fail(`could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${argv.join(" ")} exited with ${r.status}`);
}
function has(cmd) { return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0; }
function hashFiles(files) {
  const h = createHash("sha256");
  for (const f of files) h.update(existsSync(join(root, f)) ? readFileSync(join(root, f)) : "");
  return h.digest("hex");
}
function stamp(file, value) { mkdirSync(dirname(file), { recursive: true }); writeFileSync(file, value); }
function stamped(file, value) { return existsSync(file) && readFileSync(file, "utf8") === value; }
function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

// 1. Node and npm dependencies
// 20.19: the extension's bundler (@rspack/core) and vitest's vite declare ^20.19.0 || >=22.12.0
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) fail(`Node.js 20.19 or newer is needed, found ${process.version}`);
const lockHash = hashFiles(["package-lock.json", "package.json", "kernel/package.json", "extension/package.json"]);
const npmStamp = join(root, "node_modules", ".lrlab-npm-stamp");
if (!stamped(npmStamp, lockHash)) {
  say("installing npm dependencies (npm ci)");
  run("npm", ["ci", "--no-audit", "--no-fund"]);
  stamp(npmStamp, lockHash);
} else say("npm dependencies: up to date");

// 2. Build the kernel package (tsc) and the extension (tsc + labextension bundle)
const kernelSrc = newestMtime(join(root, "kernel", "src"));
if (kernelSrc > newestMtime(join(root, "kernel", "dist")) || !existsSync(join(root, "kernel", "dist", "index.js"))) {
  say("building kernel/ (tsc)");
  run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "kernel/tsconfig.json"]);
} else say("kernel/: built");
// lrlab's declarations as one file for the cells' type checker (kernel/src/kernel/dts_bundle.ts):
// made again when missing or older than kernel/dist's declarations; without it the cells read the
// per-file ones (slower, the same types).
{
  const distDir = join(root, "kernel", "dist");
  const bundle = createRequire(import.meta.url)(join(distDir, "kernel", "dts_bundle.js"));
  if (bundle.freshBundle(distDir) !== null) say("kernel/ declaration bundle: built");
  else {
    say("bundling kernel/'s declarations for the cells (tsc)");
    const amd = join(distDir, "types", "lrlab-kernel.amd.d.ts");
    const r = spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "kernel/tsconfig.dts-bundle.json"], { cwd: root, stdio: "inherit" });
    if (r.status !== 0 || !existsSync(amd)) say("kernel/ declaration bundle: tsc failed, skipped (cells read the per-file declarations, slower)");
    else if (!bundle.writeBundle(distDir, readFileSync(amd, "utf8"))) say("kernel/ declaration bundle: its modules are not kernel/dist's, not used (cells read the per-file declarations)");
    rmSync(amd, { force: true });
  }
}
const extIndex = join(root, "extension", "src", "index.ts");
if (existsSync(extIndex)) {
  const extOut = join(root, "extension", "labextension", "package.json");
  if (!existsSync(extOut) || newestMtime(join(root, "extension", "src")) > statSync(extOut).mtimeMs) {
    say("building extension/ (tsc + @jupyter/builder)");
    run("npm", ["run", "build", "-w", "lrlab-jupyterlab"]);
  } else say("extension/: built");
}
/**
 * An optional native addon of kernel/native: built with `compiler` against Node's headers (which
 * must hold `header`), rebuilt when its source or Node changes; skipped, saying what the kernel
 * does without it, when the compiler or the headers are missing.
 */
function buildAddon({ what, source, includes = [], output, stampName, compiler, compilerName, header, flags, libs = [], without }) {
  const src = join(root, "kernel", "native", source);
  const out = join(root, "kernel", "native", "build", output);
  const headers = join(dirname(dirname(realpathSync(process.execPath))), "include", "node");
  // (the files it includes from kernel/native count too: a change there rebuilds it)
  const key = hashFiles([source, ...includes].map((f) => `kernel/native/${f}`)) + " " + flags.join(" ") + " " + process.version;
  const stampFile = join(root, "kernel", "native", "build", stampName);
  if (existsSync(out) && stamped(stampFile, key)) say(`${what}: built`);
  else if (!has(compiler) || !existsSync(join(headers, header))) {
    say(`${what}: skipped (${has(compiler) ? `no Node headers in ${headers}` : `no ${compilerName}`}): ${without}`);
  } else {
    say(`building kernel/native/${output} (${compiler})`);
    mkdirSync(dirname(out), { recursive: true });
    run(compiler, [...flags, "-shared", "-fPIC", `-I${headers}`, src, "-o", out, ...libs]);
    stamp(stampFile, key);
  }
}
// The C library's log for float64 normals (kernel/native/libm.c): optional, needs a C compiler and
// Node's headers; without it lrlab uses its correctly rounded log (see kernel/src/random/native_libm.ts).
buildAddon({
  what: "kernel/native", source: "libm.c", output: "libm.node", stampName: ".lrlab-native-stamp",
  compiler: "cc", compilerName: "C compiler", header: "node_api.h", flags: ["-O2"], libs: ["-lm"],
  without: "float64 normals use lrlab's own log",
});
// The tracer's per-element pass with 256-bit SIMD (kernel/native/trace_sums.c), and SGD's update of
// float32 parameters with that pass along (sgd_update.h): optional, needs a C compiler and Node's
// headers; without it (or on a processor without AVX2) the WebAssembly pass and update run.
buildAddon({
  what: "kernel/native tracer pass", source: "trace_sums.c", includes: ["sgd_update.h", "adam_update.h", "rmsprop_update.h", "adagrad_update.h", "select.h", "pass_helper.h"], output: "trace_sums.node", stampName: ".lrlab-trace-sums-stamp",
  // no contraction of a multiply and an add into one rounding: SGD's update must round as JavaScript does
  compiler: "cc", compilerName: "C compiler", header: "node_api.h", flags: ["-O2", "-ffp-contract=off"], libs: ["-lm", "-lpthread"],
  without: "the tracer sums in WebAssembly (~3× slower on a large model)",
});
// The kernel's heap-limit guard (kernel/native/heap_limit.cc): V8's API, so C++ and Node's own
// headers; optional: without it a cell that fills the JavaScript heap ends the kernel's process.
buildAddon({
  what: "kernel/native heap limit guard", source: "heap_limit.cc", output: "heap_limit.node", stampName: ".lrlab-heap-limit-stamp",
  compiler: "c++", compilerName: "C++ compiler", header: "v8.h", flags: ["-O2", "-std=c++17"],
  without: "a cell that fills the JavaScript heap ends the kernel",
});
if (buildOnly) process.exit(0);

// 3. Project-local Python environment with pinned packages
const python = ["python3", "python"].find(has);
if (!python) fail("no python3 on the PATH: install Python 3.10 or newer (e.g. apt-get install -y python3 python3-venv)");
// A .venv that a failed run left behind (no pip: python3-venv was missing) or one made by an older
// Python is made again; it was kept, and every later run failed inside pip.
const usable = (py) => spawnSync(py, ["-c", "import sys, pip; sys.exit(0 if sys.version_info >= (3, 10) else 1)"], { stdio: "ignore" }).status === 0;
if (existsSync(venv) && !(existsSync(join(venvBin, "python")) && usable(join(venvBin, "python")))) {
  say(".venv is incomplete or older than Python 3.10: making it again");
  rmSync(venv, { recursive: true, force: true });
}
if (!existsSync(join(venvBin, "python"))) {
  const version = spawnSync(python, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" }).stdout.trim();
  const [pyMajor, pyMinor] = version.split(".").map(Number);
  if (!(pyMajor > 3 || (pyMajor === 3 && pyMinor >= 10))) fail(`${python} is Python ${version || "(unknown)"}: Python 3.10 or newer is needed (put it first on the PATH)`);
  say(`creating .venv with ${python} (Python ${version})`);
  const made = spawnSync(python, ["-m", "venv", venv], { cwd: root, stdio: "inherit" });
  if (made.status !== 0 || !usable(join(venvBin, "python"))) {
    rmSync(venv, { recursive: true, force: true });
    fail(`${python} -m venv failed (on Debian/Ubuntu: apt-get install -y python3-venv), then run this again`);
  }
}
const reqHash = hashFiles(["requirements-dev.txt"]);
const pipStamp = join(venv, ".lrlab-pip-stamp");
if (!stamped(pipStamp, reqHash)) {
  say("installing pinned Python packages into .venv (requirements-dev.txt)");
  run(join(venvBin, "python"), ["-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", "requirements-dev.txt"]);
  stamp(pipStamp, reqHash);
} else say(".venv: Python packages up to date");

// 4. Register the kernel and the extension with the .venv's Jupyter
const cli = join(root, "kernel", "bin", "lrlab.js");
if (existsSync(join(root, "kernel", "dist", "cli", "main.js"))) {
  say("installing the lrlab kernelspec and labextension into .venv");
  run(process.execPath, [cli, "install", "--prefix", venv, "--quiet"]);
} else say("kernel CLI not built yet: kernelspec not installed");

// 5. What the tests need beyond that: a real browser (Debian's chromium)
if (forTests && !existsSync("/usr/bin/chromium")) {
  if (process.getuid && process.getuid() === 0 && has("apt-get")) {
    say("installing chromium for the browser tests (apt-get install -y chromium)");
    run("apt-get", ["update", "-qq"]);
    run("apt-get", ["install", "-y", "-qq", "chromium"], { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  } else {
    say("chromium is missing and this is not root: browser tests will say so and fail; run `sudo apt-get install -y chromium`");
  }
}
say("done");
