// A switch's effect on compiling a NEW 10-line typed cell, inside one process (the host's speed
// drifts more between processes than the effect of a small change): new_cell.cjs's cell, with
// the environment variable NAME set to VALUE for half the cells (ABBA order), unset for the rest.
// Prints quartiles of engine.run() per side, in ms.
//
//   node bench/micro/new_cell_switch.cjs NAME VALUE [N=600] [dist]
const { join, resolve } = require("node:path");
const { tmpdir } = require("node:os");
const [name, value] = process.argv.slice(2, 4);
if (!name || value === undefined) throw new Error("usage: new_cell_switch.cjs NAME VALUE [N=600] [dist]");
const n = Number(process.argv[4] ?? 600);
const dist = resolve(process.argv[5] ?? process.env.LRLAB_BENCH_DIST ?? join(__dirname, "../../kernel/dist"));
const { Engine } = require(join(dist, "kernel/engine.js"));
const { makePrelude } = require(join(dist, "kernel/prelude_source.js"));
const CELL = require("node:fs").readFileSync(join(__dirname, "..", "cells", "typed10.ts"), "utf8").replace(/\n$/, "");
const engine = new Engine(makePrelude(dist), tmpdir());
engine.warm();
for (let i = 0; i < 60; i++) {
  if (i % 2) process.env[name] = value; else delete process.env[name];
  engine.run(CELL + "\n// warm " + i);
}
const times = { off: [], on: [] };
for (let i = 0; i < n; i++) {
  const on = (i % 4 === 1 || i % 4 === 2);
  if (on) process.env[name] = value; else delete process.env[name];
  const t = process.hrtime.bigint();
  engine.run(CELL + "\n// run " + i);
  times[on ? "on" : "off"].push(Number(process.hrtime.bigint() - t) / 1e6);
}
for (const side of ["off", "on"]) {
  const ts = times[side].sort((a, b) => a - b);
  const q = (p) => ts[Math.min(ts.length - 1, Math.floor(p * ts.length))].toFixed(2);
  console.log(`${side === "on" ? `${name}=${value}` : `${name} unset`}: p25 ${q(0.25)}  p50 ${q(0.5)}  p75 ${q(0.75)} ms  (n=${ts.length})`);
}
process.exit(0);
