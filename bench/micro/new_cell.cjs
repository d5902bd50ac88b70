// Engine-only cost of compiling a NEW 10-line typed cell (the kernel bench's "typed10_new" row
// without Jupyter): the cell of bench/kernel_latency.py with a new comment each run, so the
// engine's cache never answers. Prints quartiles of engine.run() (compile and run) in ms.
//
//   node bench/micro/new_cell.cjs [N=300] [dist]     (or LRLAB_BENCH_DIST selects the build)
const { join, resolve } = require("node:path");
const { tmpdir } = require("node:os");
const n = Number(process.argv[2] ?? 300);
const dist = resolve(process.argv[3] ?? process.env.LRLAB_BENCH_DIST ?? join(__dirname, "../../kernel/dist"));
const { Engine } = require(join(dist, "kernel/engine.js"));
const { makePrelude } = require(join(dist, "kernel/prelude_source.js"));
const CELL = require("node:fs").readFileSync(join(__dirname, "..", "cells", "typed10.ts"), "utf8").replace(/\n$/, "");
const engine = new Engine(makePrelude(dist), tmpdir());
engine.warm();
for (let i = 0; i < 30; i++) engine.run(CELL + "\n// warm " + i);
const times = [];
for (let i = 0; i < n; i++) {
  const t = process.hrtime.bigint();
  engine.run(CELL + "\n// run " + i);
  times.push(Number(process.hrtime.bigint() - t) / 1e6);
}
times.sort((a, b) => a - b);
const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
console.log(`new typed10 cell, engine.run: p25 ${q(0.25).toFixed(2)} ms  p50 ${q(0.5).toFixed(2)} ms  p75 ${q(0.75).toFixed(2)} ms  (n=${n})`);
process.exit(0);
