// Micro-benchmark: the tracer's own cost per optimizer step at the MLP's size (203,530 float32
// parameters, SGD momentum, fixed gradients, no forward/backward), untraced vs traced with all
// metrics, per group and with per_param. Interleaved best-of timings.
//   node bench/micro/tracer_step.cjs        (LRLAB_BENCH_DIST selects the build)
"use strict";
const { torch, tools } = require("../workloads.cjs");

function setup(options) {
  const shapes = [[256, 784], [256], [10, 256], [10]];
  const params = shapes.map((s) => torch.randn(...s).requires_grad_());
  const grads = shapes.map((s) => torch.randn(...s).mul(0.01));
  const opt = new torch.optim.SGD(params, { lr: 0.01, momentum: 0.9 });
  if (options) tools.trace(opt, options);
  return (n) => { for (let s = 0; s < n; s++) { params.forEach((p, i) => { p.grad = grads[i]; }); opt.step(); } };
}

const cases = { untraced: setup(null), traced: setup({ batch_size: 128 }), "traced per_param": setup({ batch_size: 128, per_param: true }) };
const best = Object.fromEntries(Object.keys(cases).map((k) => [k, Infinity]));
for (const run of Object.values(cases)) run(5);
for (let r = 0; r < 10; r++) {
  for (const [k, run] of Object.entries(cases)) {
    const t = process.hrtime.bigint();
    run(5);
    best[k] = Math.min(best[k], Number(process.hrtime.bigint() - t) / 1e6 / 5);
  }
}
for (const [k, v] of Object.entries(best)) {
  console.log(`${k.padEnd(18)} ${v.toFixed(3)} ms/step${k === "untraced" ? "" : `  (tracer: +${(v - best.untraced).toFixed(3)} ms)`}`);
}
