#!/usr/bin/env node
// Every test of lrlab, after set-up: vitest (unit, kernel, extension, browser), then pytest in
// .venv (the official Jupyter conformance suite, notebooks under nbclient).
// Ends with one line "lrlab tests: N passed, N failed" over all runners; exits non-zero on any failure.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, mkdirSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// Every cell the tests run through a kernel or an engine also checks the CommonJS that
// engine_tslab.ts writes directly against TypeScript's own transform (a difference fails it).
process.env.LRLAB_CHECK_DIRECT_CJS ??= "1";
// ... and every cell a shared type checker served is converted again with a checker of its own:
// the results must be equal (kernel/src/kernel/shared_checker.ts).
process.env.LRLAB_CHECK_SHARED_CHECKER ??= "1";
// ... and the declarations copied from their text (kernel/src/kernel/decls_print.ts) are compared
// with what TypeScript's printer prints for them.
process.env.LRLAB_CHECK_DECLS_PRINT ??= "1";
// ... and the declaration diagnostics read from a cell's emit (kernel/src/kernel/decl_diagnostics.ts)
// are compared with TypeScript's getDeclarationDiagnostics.
process.env.LRLAB_CHECK_DECL_DIAGNOSTICS ??= "1";
// ... and every identifier the last transform did not ask the checker about (live_bindings.ts
// mayGoThroughExports) is looked up anyway: it must not have needed `exports`.
process.env.LRLAB_CHECK_LIVE_NAMES ??= "1";
const out = join(root, "test-output");
mkdirSync(out, { recursive: true });

// `npm test -- test/optim sgd`: those vitest files or filters only, with the same checks on
// (arguments were ignored, and the whole suite ran). Python tests: .venv/bin/python -m pytest test/...
const only = process.argv.slice(2);
if (only.length > 0) {
  console.log(`[test] vitest only, on: ${only.join(" ")} (no type-check, no pytest; \`npm test\` alone runs everything)`);
  const r = spawnSync(process.execPath, [join(root, "node_modules", "vitest", "vitest.mjs"), "run", ...only], { cwd: root, stdio: "inherit" });
  process.exit(r.status ?? 1);
}
let passed = 0, failed = 0, skipped = 0, broken = false;

function step(name, cmd, argv, env = {}) {
  console.log(`\n[test] ${name}: ${cmd} ${argv.join(" ")}`);
  const r = spawnSync(cmd, argv, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (r.error) { console.error(`[test] could not run ${name}: ${r.error.message}`); broken = true; return 1; }
  return r.status;
}

// 0. The type-check of every TypeScript project (library, tests, extension): one check.
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const typeErrors = ["tsconfig.json", "extension/tsconfig.json", "test/extension/tsconfig.json"]
  .map((p) => step(`typecheck ${p}`, process.execPath, [tsc, "-p", p, "--noEmit"]))
  .filter((status) => status !== 0).length;
if (typeErrors) failed++; else passed++;

// 1. vitest: counts come from its JSON report
const vitestJson = join(out, "vitest.json");
const vStatus = step("vitest", process.execPath, [join(root, "node_modules", "vitest", "vitest.mjs"), "run",
  "--reporter=default", "--reporter=json", `--outputFile.json=${vitestJson}`]);
if (existsSync(vitestJson)) {
  const j = JSON.parse(readFileSync(vitestJson, "utf8"));
  passed += j.numPassedTests; failed += j.numFailedTests; skipped += j.numPendingTests + (j.numTodoTests ?? 0);
  if (vStatus !== 0 && j.numFailedTests === 0) { console.error("[test] vitest failed outside any test (a suite did not load)"); broken = true; }
} else if (vStatus !== 0) broken = true;

// 2. pytest in .venv: conformance suite and notebooks (only test/**/test_*.py)
function hasPy(dir) {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { withFileTypes: true }).some(e => e.isDirectory() ? hasPy(join(dir, e.name)) : /^test_.*\.py$/.test(e.name));
}
if (hasPy(join(root, "test"))) {
  const junit = join(out, "pytest.xml");
  const pStatus = step("pytest", join(root, ".venv", "bin", "python"), ["-m", "pytest", "-q", "test", `--junitxml=${junit}`, "-p", "no:cacheprovider"]);
  if (existsSync(junit)) {
    const x = readFileSync(junit, "utf8");
    const m = /<testsuite [^>]*?errors="(\d+)" failures="(\d+)" skipped="(\d+)" tests="(\d+)"/.exec(x);
    if (m) { const [e, f, s, t] = m.slice(1).map(Number); failed += e + f; skipped += s; passed += t - e - f - s; }
    else broken = true;
  } else if (pStatus !== 0) broken = true;
  if (pStatus !== 0 && pStatus !== 1) broken = true;
}

console.log(`\nlrlab tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed || broken ? 1 : 0);
