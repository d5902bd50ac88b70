// Micro-benchmark: one optimizer step over the MLP's parameters (784·256 + 256 + 256·10 + 10 =
// 203,530 float32 values) with fixed gradients, per optimizer. Used to measure the optimizer
// loops before and after an optimisation (bench/NOTES.md).
//   node bench/micro/optim_step.cjs [--mixed] [name...]     (LRLAB_BENCH_DIST selects the build)
// --mixed first runs every case on float64 parameters, then times float32 as usual: the situation
// of a kernel whose notebook (or test suite) has used both dtypes, where a loop shared by the two
// has seen both array types and both rounding functions (polymorphic code).
// SGD, Adam/AdamW, RMSprop and Adagrad run their WebAssembly SIMD loops (kernel/src/optim/wasm)
// on parameters of 256 elements or more; LRLAB_WASM=0 times the JS loops instead.
"use strict";
const { torch } = require("../workloads.cjs");

const CASES = {
  "SGD": { cls: "SGD", o: { lr: 0.01 } },
  "SGD momentum": { cls: "SGD", o: { lr: 0.01, momentum: 0.9 } },
  "SGD nesterov+wd": { cls: "SGD", o: { lr: 0.01, momentum: 0.9, nesterov: true, weight_decay: 1e-4 } },
  "Adam": { cls: "Adam", o: { lr: 1e-3 } },
  "AdamW": { cls: "AdamW", o: { lr: 1e-3 } },
  "RMSprop": { cls: "RMSprop", o: { lr: 1e-3 } },
  "RMSprop centered+mom": { cls: "RMSprop", o: { lr: 1e-3, centered: true, momentum: 0.9 } },
  "Adagrad": { cls: "Adagrad", o: { lr: 1e-2 } },
  "Adagrad wd+lr_decay": { cls: "Adagrad", o: { lr: 1e-2, weight_decay: 1e-4, lr_decay: 1e-3 } },
};
const SHAPES = [[256, 784], [256], [10, 256], [10]];

function setup(name, dtype) {
  const c = CASES[name];
  const params = SHAPES.map((s) => torch.randn(...s, { dtype }).requires_grad_());
  const grads = SHAPES.map((s) => torch.randn(...s, { dtype }).mul(0.01));
  const opt = new torch.optim[c.cls](params, c.o);
  return (n) => { for (let s = 0; s < n; s++) { params.forEach((p, i) => { p.grad = grads[i]; }); opt.step(); } };
}

function bench(name) {
  const run = setup(name, "float32");
  run(20);
  let best = Infinity;
  for (let r = 0; r < 15; r++) {
    const t = process.hrtime.bigint();
    run(10);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6 / 10);
  }
  return best;
}

const args = process.argv.slice(2);
const mixed = args.includes("--mixed");
const picked = args.filter((a) => a !== "--mixed");
const names = picked.length ? picked : Object.keys(CASES);
for (const n of names) if (!(n in CASES)) throw new Error(`unknown case ${JSON.stringify(n)}; cases: ${Object.keys(CASES).join(", ")}`);
if (mixed) for (const n of Object.keys(CASES)) setup(n, "float64")(20);
for (const n of names) console.log(`${n.padEnd(18)} ${bench(n).toFixed(3)} ms/step`);
