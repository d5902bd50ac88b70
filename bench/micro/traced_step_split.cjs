// Micro-benchmark: where a traced MLP step's time goes (bench/NOTES.md, session 17). The MLP
// 784-256-10, batch 128, SGD momentum, traced (lrlab.trace, all metrics) and untraced, alternated;
// per step: forward + backward, opt.step(), and, traced, the tracer's pre- and post-hook
// (StepPipeline.before/after, wrapped with timers). Medians of 7 runs of 100 steps.
//   node bench/micro/traced_step_split.cjs        (LRLAB_BENCH_DIST selects the build)
"use strict";
const path = require("node:path");
const dist = path.resolve(process.env.LRLAB_BENCH_DIST || path.join(__dirname, "..", "..", "kernel", "dist"));
const torch = require(path.join(dist, "index.js"));
const tools = require(path.join(dist, "tools.js"));
const P = require(path.join(dist, "trace", "steps.js")).StepPipeline.prototype;

const hooks = { before: 0, after: 0 };
for (const k of ["before", "after"]) {
  const f = P[k];
  P[k] = function (...a) {
    const t = process.hrtime.bigint();
    try { return f.apply(this, a); } finally { hooks[k] += Number(process.hrtime.bigint() - t); }
  };
}

function run(traced, n) {
  const model = new torch.nn.Sequential(new torch.nn.Linear(784, 256), new torch.nn.ReLU(), new torch.nn.Linear(256, 10));
  const crit = new torch.nn.CrossEntropyLoss();
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const tr = traced ? tools.trace(opt, { batch_size: 128, name: "split" }) : null;
  const x = torch.randn(128, 784), y = torch.randint(0, 10, [128]);
  hooks.before = hooks.after = 0;
  let fb = 0, st = 0;
  for (let s = 0; s < n; s++) {
    opt.zero_grad();
    let t = process.hrtime.bigint();
    crit.forward(model.forward(x), y).backward();
    fb += Number(process.hrtime.bigint() - t);
    t = process.hrtime.bigint();
    opt.step();
    st += Number(process.hrtime.bigint() - t);
  }
  if (tr) tr.stop();
  return { fb: fb / n / 1e6, step: st / n / 1e6, before: hooks.before / n / 1e6, after: hooks.after / n / 1e6 };
}

for (let i = 0; i < 3; i++) { run(false, 50); run(true, 50); }
const res = { untraced: [], traced: [] };
for (let i = 0; i < 7; i++) { res.untraced.push(run(false, 100)); res.traced.push(run(true, 100)); }
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1].toFixed(3);
for (const [k, rs] of Object.entries(res)) {
  const line = [`${k}: forward+backward ${med(rs.map((r) => r.fb))} ms`, `opt.step() ${med(rs.map((r) => r.step))} ms`];
  if (k === "traced") line.push(`pre-hook ${med(rs.map((r) => r.before))} ms`, `post-hook ${med(rs.map((r) => r.after))} ms`);
  console.log(line.join(", "));
}
