// Timing script for kernel/src/tensor/PERF.md: the matmul and MLP-step figures quoted there.
//   node kernel/scripts/perf_mlp_step.cjs [dist-dir]      (default kernel/dist; build first)
// Each figure is the best of 5 repeats (after a warm-up) of the mean time per call over a batch
// of calls, so a loaded machine shows up as noise in the repeats, not in the best.
"use strict";
const path = require("node:path");
const dist = path.resolve(process.argv[2] || path.join(__dirname, "..", "dist"));
const torch = require(path.join(dist, "index.js"));

function best(fn, inner, repeats = 5) {
  for (let i = 0; i < inner; i++) fn();
  let b = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    for (let i = 0; i < inner; i++) fn();
    b = Math.min(b, (performance.now() - t) / inner);
  }
  return b;
}

torch.manual_seed(0);
const rows = [];
for (const dtype of ["float32", "float64"]) {
  const a = torch.randn(128, 784, { dtype }), b = torch.randn(784, 256, { dtype });
  rows.push([`matmul 128x784 @ 784x256 ${dtype}`, best(() => torch.matmul(a, b), 10)]);
  const w = torch.randn(256, 784, { dtype });
  rows.push([`F.linear 128x784, W 256x784 ${dtype}`, best(() => torch.nn.functional.linear(a, w), 10)]);
}
{
  const model = new torch.nn.Sequential(new torch.nn.Linear(784, 256), new torch.nn.ReLU(), new torch.nn.Linear(256, 10));
  const crit = new torch.nn.CrossEntropyLoss();
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = torch.randn(128, 784), y = torch.randint(0, 10, [128]);
  const step = () => { opt.zero_grad(); crit.forward(model.forward(x), y).backward(); opt.step(); };
  rows.push(["MLP 784-256-10 b128 SGD momentum step", best(step, 10)]);
  const fwd = () => torch.no_grad(() => crit.forward(model.forward(x), y));
  rows.push(["  of which forward (no_grad)", best(fwd, 10)]);
}
for (const [name, ms] of rows) console.log(`${name.padEnd(44)} ${ms.toFixed(3)} ms`);
