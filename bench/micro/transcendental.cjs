// Micro-benchmark: ns per element of torch.exp, torch.tanh, torch.sigmoid (no grad) on contiguous
// float32 and float64 tensors of 1e3, 1e4 and 1e6 elements, values uniform in [-4, 4); best of
// --reps timings of enough calls for ~0.2 s each. Used to measure the WebAssembly exp/tanh/sigmoid
// (kernel/src/tensor/wasm/transcendental.ts) against the Math.* loops (kernel/src/tensor/PERF.md).
//   node bench/micro/transcendental.cjs [--reps N]      (LRLAB_BENCH_DIST: the build to time)
"use strict";
const { torch } = require("../workloads.cjs");

const args = process.argv.slice(2);
const r = args.indexOf("--reps");
const reps = r >= 0 ? Number(args[r + 1]) : 5;
const OPS = ["exp", "tanh", "sigmoid"];
console.log("ns/element, best of " + reps);
for (const dtype of ["float32", "float64"]) {
  for (const n of [1e3, 1e4, 1e6]) {
    torch.manual_seed(0);
    const x = torch.rand([n], { dtype }).mul(8).sub(4);
    const cols = [];
    for (const op of OPS) {
      const calls = Math.max(3, Math.round(4e6 / n));
      let best = Infinity;
      for (let k = 0; k < reps + 1; k++) {
        const t0 = process.hrtime.bigint();
        for (let c = 0; c < calls; c++) torch[op](x);
        const ns = Number(process.hrtime.bigint() - t0) / calls / n;
        if (k > 0) best = Math.min(best, ns); // the first is the warm-up
      }
      cols.push(`${op} ${best.toFixed(2).padStart(6)}`);
    }
    console.log(`${dtype} ${String(n).padStart(7)}  ${cols.join("   ")}`);
  }
}
