// The tracer's cost per training step on a model with many parameter tensors: 7 × (Linear(W, W),
// LayerNorm(W)) with ReLU between, 28 tensors (7 weights of W² elements, 21 vectors of W), batch
// 32, Adam and SGD momentum; untraced, traced, traced per_param. Per case: the median wall time
// of a step and the main thread's CPU time per step (from /proc/self/task/<pid>/schedstat, Linux:
// on a shared machine the wall time of a step that runs longer than the scheduler's slice grows
// with the load, its CPU time does not). Cases interleaved in blocks of steps; a trace restarts
// every 2000 steps, as cells do. PERF.md session 14.
//   node bench/micro/trace_per_param.cjs [W=64] [blocks=30] [steps per block=20] [adam|sgd|both]
//   (LRLAB_BENCH_DIST selects the build; W=64: 30,016 elements, measured on the main thread;
//   W=128: 117,376, handed to the worker thread)
"use strict";
const fs = require("node:fs");
const { torch, tools } = require("../workloads.cjs");
const [W = 64, B = 30, K = 20] = process.argv.slice(2, 5).map(Number);
const which = process.argv[5] || "both";
const schedstat = `/proc/self/task/${process.pid}/schedstat`;
const threadCpu = fs.existsSync(schedstat) ? () => Number(fs.readFileSync(schedstat, "utf8").split(" ")[0]) : () => NaN;

function setup(optName, options) {
  torch.manual_seed(0);
  const layers = [];
  for (let i = 0; i < 7; i++) {
    layers.push(new torch.nn.Linear(W, W), new torch.nn.LayerNorm(W));
    if (i < 6) layers.push(new torch.nn.ReLU());
  }
  const model = new torch.nn.Sequential(...layers);
  const opt = optName === "adam" ? new torch.optim.Adam(model.parameters(), { lr: 1e-3 }) : new torch.optim.SGD(model.parameters(), { lr: 1e-2, momentum: 0.9 });
  const x = torch.randn(32, W), y = torch.randn(32, W), lossf = new torch.nn.MSELoss();
  const traceIt = () => tools.trace(opt, { ...options, name: `${optName} ${JSON.stringify(options)}`, named_parameters: model.named_parameters() });
  let t = options ? traceIt() : null;
  const times = [];
  let steps = 0, cpu = 0, cpuSteps = 0;
  const run = (n, rec) => {
    const c0 = threadCpu();
    for (let s = 0; s < n; s++) {
      const a = process.hrtime.bigint();
      opt.zero_grad();
      const l = lossf.forward(model.forward(x), y);
      l.backward();
      if (t) t.log_loss(l);
      opt.step();
      if (rec) times.push(Number(process.hrtime.bigint() - a) / 1e3);
      if (t && ++steps % 2000 === 0) {
        t.stop();
        t = traceIt();
      }
    }
    if (rec) {
      cpu += threadCpu() - c0;
      cpuSteps += n;
    }
  };
  return { run, times, model, cpu: () => cpu / cpuSteps / 1e3 };
}

const cases = {};
for (const o of which === "both" ? ["adam", "sgd"] : [which]) {
  cases[`${o} untraced`] = setup(o, null);
  cases[`${o} traced`] = setup(o, { batch_size: 32 });
  cases[`${o} per_param`] = setup(o, { batch_size: 32, per_param: true });
}
const first = Object.values(cases)[0].model.parameters();
console.log(`W ${W}: ${first.length} parameter tensors, ${first.reduce((a, p) => a + p.numel(), 0)} elements`);
for (const c of Object.values(cases)) c.run(30, false);
for (let b = 0; b < B; b++) for (const c of Object.values(cases)) c.run(K, true);
const med = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
const base = {};
for (const [k, c] of Object.entries(cases)) {
  const o = k.split(" ")[0], wall = med(c.times), cpu = c.cpu();
  if (k.endsWith("untraced")) base[o] = { wall, cpu };
  const rel = (v, b) => (k.endsWith("untraced") ? "" : ` (+${(v - b).toFixed(0)} µs, ${(v / b).toFixed(2)}x)`);
  console.log(`${k.padEnd(14)} wall median ${wall.toFixed(0).padStart(5)} µs${rel(wall, base[o].wall).padEnd(22)}  main thread CPU ${cpu.toFixed(0).padStart(5)} µs${rel(cpu, base[o].cpu)}`);
}
