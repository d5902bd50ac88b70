// Micro-benchmark: one optimizer step over the MLP's parameters (784·256 + 256 + 256·10 + 10 =
// 203,530 float32 values) with fixed gradients, per optimizer. Used to measure the optimizer
// loops before and after an optimisation (bench/NOTES.md).
//   node bench/micro/optim_step.cjs [name...]     (LRLAB_BENCH_DIST selects the build)
"use strict";
const { torch } = require("../workloads.cjs");

const CASES = {
  "SGD": { cls: "SGD", o: { lr: 0.01 } },
  "SGD momentum": { cls: "SGD", o: { lr: 0.01, momentum: 0.9 } },
  "SGD nesterov+wd": { cls: "SGD", o: { lr: 0.01, momentum: 0.9, nesterov: true, weight_decay: 1e-4 } },
  "Adam": { cls: "Adam", o: { lr: 1e-3 } },
  "AdamW": { cls: "AdamW", o: { lr: 1e-3 } },
  "RMSprop": { cls: "RMSprop", o: { lr: 1e-3 } },
  "Adagrad": { cls: "Adagrad", o: { lr: 1e-2 } },
};

function bench(name) {
  const c = CASES[name];
  const shapes = [[256, 784], [256], [10, 256], [10]];
  const params = shapes.map((s) => torch.randn(...s).requires_grad_());
  const grads = shapes.map((s) => torch.randn(...s).mul(0.01));
  const opt = new torch.optim[c.cls](params, c.o);
  const run = (n) => { for (let s = 0; s < n; s++) { params.forEach((p, i) => { p.grad = grads[i]; }); opt.step(); } };
  run(20);
  let best = Infinity;
  for (let r = 0; r < 15; r++) {
    const t = process.hrtime.bigint();
    run(10);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6 / 10);
  }
  return best;
}

const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(CASES);
for (const n of names) console.log(`${n.padEnd(18)} ${bench(n).toFixed(3)} ms/step`);
