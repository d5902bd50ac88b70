// Micro-benchmark behind the tracer's worker thread (kernel/src/trace/PERF.md, round 3): the real
// MLP training loop (784-256-10, batch 128, SGD momentum) with a dummy job of about the tracer's
// measurement (a pass over 2.4 MB on another thread) handed over at the step's pre-hook (it then
// overlaps the optimizer's step) or at its post-hook (it then overlaps the next forward's matrix
// product), against no job. Also: the steady-state overhead of the real tracer on the same loop.
//   node bench/micro/tracer_overlap.cjs        (LRLAB_BENCH_DIST selects the build)
"use strict";
const { Worker } = require("node:worker_threads");
const { torch, tools } = require("../workloads.cjs");
const { measure } = require("../lib/measure.cjs");

const JOB_ELEMENTS = 150000; // ~0.3 ms on this repository's 2-core machine: the measurement's length
const ctrl = new Int32Array(new SharedArrayBuffer(8));
const data = new Float64Array(new SharedArrayBuffer(8 * 300000)).fill(0.5);
const worker = new Worker(`const { workerData: { ctrl, data, n } } = require("node:worker_threads");
let sink = 0;
for (;;) {
  Atomics.wait(ctrl, 0, 0);
  let s = 0;
  for (let i = 0; i < n; i++) { const v = data[i % data.length]; s += v * v + 1 / (v + 1.5); }
  sink += s;
  Atomics.store(ctrl, 0, 0);
}`, { eval: true, workerData: { ctrl, data, n: JOB_ELEMENTS } });
worker.unref();
const post = () => { Atomics.store(ctrl, 0, 1); Atomics.notify(ctrl, 0); };
const join = () => { while (Atomics.load(ctrl, 0) === 1); };

function mlp(traced) {
  torch.manual_seed(0);
  const model = new torch.nn.Sequential(new torch.nn.Linear(784, 256), new torch.nn.ReLU(), new torch.nn.Linear(256, 10));
  const crit = new torch.nn.CrossEntropyLoss();
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = torch.randn(128, 784), y = torch.randint(0, 10, [128]);
  const trace = traced ? tools.trace(opt, { batch_size: 128 }) : null;
  return { opt, trace, step: () => { opt.zero_grad(); crit.forward(model.forward(x), y).backward(); opt.step(); } };
}

/** Milliseconds per step: the bench's timing rule (best of `repeats` runs of `n` steps). */
const best = (step, n = 20, repeats = 15) =>
  (measure(() => { for (let i = 0; i < n; i++) step(); return n; }, { min: repeats, budget: 0 }).seconds * 1000) / n;

(async () => {
  const plain = mlp(false), traced = mlp(true), dummy = mlp(false);
  let mode = "none";
  dummy.opt.register_step_pre_hook(() => { if (mode === "pre") { join(); post(); } else if (mode === "post") join(); });
  dummy.opt.register_step_post_hook(() => { if (mode === "post") post(); });
  for (let i = 0; i < 20; i++) { plain.step(); traced.step(); dummy.step(); }
  await new Promise((r) => setTimeout(r, 300)); // the tracer's worker is ready
  let alone = Infinity;
  for (let r = 0; r < 20; r++) { const t = performance.now(); post(); join(); alone = Math.min(alone, performance.now() - t); }
  const res = { none: Infinity, pre: Infinity, post: Infinity };
  for (let k = 0; k < 5; k++) for (const m of ["none", "pre", "post"]) { mode = m; res[m] = Math.min(res[m], best(dummy.step, 20, 2)); join(); }
  mode = "none";
  const p = best(plain.step), t = best(traced.step);
  console.log(`dummy job alone: ${alone.toFixed(3)} ms`);
  console.log(`MLP step, no job:               ${res.none.toFixed(3)} ms`);
  console.log(`job handed over at the pre-hook:  ${res.pre.toFixed(3)} ms (+${(res.pre - res.none).toFixed(3)})`);
  console.log(`job handed over at the post-hook: ${res.post.toFixed(3)} ms (+${(res.post - res.none).toFixed(3)})`);
  console.log(`real tracer, steady state: ${t.toFixed(3)} vs ${p.toFixed(3)} ms (+${(t - p).toFixed(3)} ms, ${((t / p - 1) * 100).toFixed(1)}%), errors ${traced.trace.errors.length}`);
  process.exit(0);
})();
