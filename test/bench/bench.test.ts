/**
 * `node bench/run.mjs --quick` runs end to end and prints its one table with every row present.
 * Values are not asserted (no timing assertions anywhere): a peer that is missing still produces
 * its rows saying so. Checked: the table's shape, every row, and that the sections measuring the
 * library itself (training, tracer, bundle) did not fail.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..");
const out = join(root, "test-output", "bench-quick.md");

const EXPECTED_ROWS: [string, RegExp][] = [
  ["kernel", /^start to ready/],
  ["kernel", /^first cell, 2 s after ready/],
  ...["`1+1`", "a 10-line typed cell, re-run unchanged", "a 10-line typed cell, new text each run", "seed Example 3"].flatMap((c) =>
    ["p50", "p90"].map((p): [string, RegExp] => ["kernel", new RegExp(`^cell round trip ${p}, ${c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`)])),
  ["training", /^seed Example 1 .*steps\/s$/],
  ["training", /^seed Example 2 .*steps\/s$/],
  ["training", /^seed Example 3 .*steps\/s$/],
  ["training", /^Adam on Linear\(10, 1\).*steps\/s$/],
  ["training", /^MLP 784-256-10.*steps\/s$/],
  ["training", /^LeNet-5 .*steps\/s$/],
  ["tracer", /^overhead, MLP 784-256-10 \(SGD momentum\), all metrics$/],
  ["tracer", /^overhead, MLP 784-256-10, per_param: true, all metrics$/],
  ["tracer", /^overhead, MLP 784-256-10 \(SGD momentum\), 200-step runs, all metrics$/],
  ["tracer", /^overhead, Adam on Linear\(10, 1\), all metrics$/],
  ["bundle", /trace of 1e3 steps/],
  ["bundle", /trace of 1e5 steps/],
  ["bundle", /trace of 1e6 steps/],
];

/** The table's rows as arrays of cells (header and separator dropped). */
function tableRows(md: string): string[][] {
  const lines = md.split("\n").filter((l) => l.startsWith("|"));
  return lines.slice(2).map((l) => l.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
}

describe("bench/run.mjs --quick", () => {
  it("prints one table with every row, and writes it to test-output/bench-quick.md", () => {
    // PyTorch is used when LRLAB_BENCH_PYTHON (default .venv/bin/python) has it; either way the
    // rows are there.
    const r = spawnSync(process.execPath, [join(root, "bench", "run.mjs"), "--quick"], { cwd: root, encoding: "utf8", timeout: 170_000 });
    expect(r.error).toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    const printed = tableRows(r.stdout);
    const written = tableRows(readFileSync(out, "utf8"));
    expect(written).toEqual(printed);
    // One table: the header, its separator, then rows; 7 columns each.
    expect(r.stdout.trim().split("\n").every((l) => l.startsWith("|"))).toBe(true);
    for (const row of printed) expect(row).toHaveLength(7);
    expect(printed).toHaveLength(EXPECTED_ROWS.length);
    EXPECTED_ROWS.forEach(([area, measure], i) => {
      expect(printed[i][0]).toBe(area);
      expect(printed[i][1]).toMatch(measure);
      // Every row says something in the lrlab column (a figure, or why there is none).
      expect(printed[i][2].length).toBeGreaterThan(0);
      // The library's own sections must run (the kernel rows may name a missing kernelspec).
      if (area !== "kernel") expect(printed[i][2], `${printed[i][1]}`).not.toMatch(/^(failed|not measured)/);
      // lrlab's own kernel and ipykernel (.venv) are always there: every kernel row has their
      // figures (ipykernel has no seed Example 3 without torch), whatever the peers' order of runs
      if (area === "kernel") {
        expect(printed[i][2], `${printed[i][1]}`).toMatch(/^\d/);
        if (!/seed Example 3/.test(printed[i][1])) expect(printed[i][3], `${printed[i][1]}`).toMatch(/ipykernel: \d/);
      }
    });
  }, 180_000);

  it("a run of some sections writes to test-output/bench-<sections>.md, never over the full run's latest.md", () => {
    const latest = join(root, "bench", "results", "latest.md");
    const before = readFileSync(latest, "utf8");
    const r = spawnSync(process.execPath, [join(root, "bench", "run.mjs"), "--only", "bundle"], { cwd: root, encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(join(root, "test-output", "bench-bundle.md"));
    expect(tableRows(readFileSync(join(root, "test-output", "bench-bundle.md"), "utf8")).map((row) => row[0])).toEqual(["bundle", "bundle", "bundle"]);
    expect(readFileSync(latest, "utf8")).toBe(before);
  }, 130_000);
});
