// Soak: memory of many traced runs in one process (as a long notebook session makes them).
//   node --expose-gc bench/micro/trace_soak.cjs [runs=50] [steps=300] [mode=trace|all|all_pp]
// Each run: a new MLP 784-256-10 and SGD momentum, fixed gradients (the tracer's cost only),
// traced with lrlab.trace (mode trace, the trace then dropped after stop()), or with trace_all +
// the run kept under its own name as %%lr_trace --name does (mode all; all_pp: per_param too).
// Prints heap / external / arrayBuffers / RSS after a full GC every 10 runs.
"use strict";
const { torch, tools } = require("../workloads.cjs");
const path = require("node:path");
const dist = path.resolve(process.env.LRLAB_BENCH_DIST || path.join(__dirname, "..", "..", "kernel", "dist"));
const runs = require(path.join(dist, "trace", "runs.js"));
const [R = 50, S = 300] = process.argv.slice(2, 4).map(Number);
const mode = process.argv[4] || "trace";
const mb = (x) => (x / 1048576).toFixed(1);
async function mem(label) {
  for (let i = 0; i < 3; i++) { global.gc(); await new Promise((r) => setTimeout(r, 20)); }
  const m = process.memoryUsage();
  console.log(`${label.padEnd(10)} heap ${mb(m.heapUsed)} MB  external ${mb(m.external)} MB  arrayBuffers ${mb(m.arrayBuffers)} MB  rss ${mb(m.rss)} MB`);
}
(async () => {
  await mem("start");
  for (let r = 1; r <= R; r++) {
    const shapes = [[256, 784], [256], [10, 256], [10]];
    const params = shapes.map((s) => torch.randn(...s).requires_grad_());
    const grads = shapes.map((s) => torch.randn(...s).mul(0.01));
    const opt = new torch.optim.SGD(params, { lr: 0.01, momentum: 0.9 });
    let t;
    if (mode === "trace") t = tools.trace(opt, { batch_size: 64 });
    else t = tools.trace_all({ batch_size: 64, name: `run${r}`, per_param: mode === "all_pp" });
    for (let s = 0; s < S; s++) { params.forEach((p, i) => { p.grad = grads[i]; }); opt.step(); }
    t.latest();
    t.stop();
    if (mode !== "trace") runs.saveRun(`run${r}`, t);
    t.bundle({ live: true });
    if (r % 10 === 0) await mem(`run ${r}`);
    await new Promise((res) => setTimeout(res, 0));
  }
})();
