// Micro-benchmark: a small CIFAR-like CNN with BatchNorm (a user's port, /work/scratch/s18/userR
// finding 3): each layer's forward and backward as it runs inside the model (the input an
// intermediate tensor, or data without grad for the first convolution; backward by
// autograd.grad of the layer alone, so no leaf .grad is accumulated), and one whole training step
// (AdamW with two groups, label smoothing, clip_grad_norm_), best of N after a warm-up, against
// PyTorch on one thread (bench/micro/cnn_step.py, the same cases timed the same way).
//   node bench/micro/cnn_step.cjs [--reps N] [--threads N] [--no-torch]
// LRLAB_BENCH_DIST selects the lrlab build; LRLAB_BENCH_PYTHON the Python with torch (default
// /work/torchvenv/bin/python). kernel/src/tensor/PERF.md, "Session 18", has the numbers.
"use strict";
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { torch } = require("../workloads.cjs");
const nn = torch.nn;

// name: [module, input shape, input requires grad]
const LAYERS = {
  conv1: [() => new nn.Conv2d(3, 16, 3, { padding: 1 }), [64, 3, 32, 32], false],
  bn1: [() => new nn.BatchNorm2d(16), [64, 16, 32, 32], true],
  relu1: [() => new nn.ReLU(), [64, 16, 32, 32], true],
  pool1: [() => new nn.MaxPool2d(2), [64, 16, 32, 32], true],
  conv2: [() => new nn.Conv2d(16, 32, 3, { padding: 1 }), [64, 16, 16, 16], true],
  bn2: [() => new nn.BatchNorm2d(32), [64, 32, 16, 16], true],
  pool2: [() => new nn.MaxPool2d(2), [64, 32, 16, 16], true],
  drop: [() => new nn.Dropout(0.25), [64, 32, 8, 8], true],
};
const now = () => Number(process.hrtime.bigint()) / 1e6;

function layer(name, reps) {
  const [mk, shape, grad] = LAYERS[name];
  torch.manual_seed(0);
  const m = mk();
  m.train();
  const leaf = torch.randn(shape, { requires_grad: grad });
  let fwd = Infinity, bwd = Infinity;
  for (let r = 0; r < reps + 3; r++) {
    const x = grad ? leaf.mul(1) : leaf;
    const t0 = now();
    const y = m.forward(x);
    const t1 = now();
    const g = torch.ones(y.shape);
    const inputs = grad ? [x, ...m.parameters()] : [...m.parameters()];
    const t2 = now();
    if (inputs.length > 0) torch.autograd.grad([y], inputs, { grad_outputs: [g] });
    const t3 = now();
    if (r >= 3) { fwd = Math.min(fwd, t1 - t0); bwd = Math.min(bwd, t3 - t2); }
  }
  return [fwd, bwd];
}

class Net extends nn.Module {
  constructor() {
    super();
    this.features = new nn.Sequential(
      new nn.Conv2d(3, 16, 3, { padding: 1 }), new nn.BatchNorm2d(16), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Conv2d(16, 32, 3, { padding: 1 }), new nn.BatchNorm2d(32), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Dropout(0.25));
    this.head = new nn.Linear(32 * 8 * 8, 10);
  }
  forward(x) { return this.head.forward(torch.flatten(this.features.forward(x), 1)); }
}

function step(reps) {
  torch.manual_seed(0);
  const model = new Net();
  const decay = [], noDecay = [];
  for (const [, p] of model.named_parameters()) (p.ndim <= 1 ? noDecay : decay).push(p);
  const opt = new torch.optim.AdamW([{ params: decay, weight_decay: 0.05 }, { params: noDecay, weight_decay: 0 }], { lr: 3e-3 });
  const lossFn = new nn.CrossEntropyLoss({ label_smoothing: 0.1 });
  const X = torch.randn([64, 3, 32, 32]), y = torch.randint(0, 10, [64]);
  model.train();
  let best = Infinity;
  for (let r = 0; r < reps + 3; r++) {
    const t0 = now();
    opt.zero_grad();
    lossFn.forward(model.forward(X), y).backward();
    nn.utils.clip_grad_norm_(model.parameters(), 1.0);
    opt.step();
    if (r >= 3) best = Math.min(best, now() - t0);
  }
  return best;
}

function torchTimes(reps) {
  const py = process.env.LRLAB_BENCH_PYTHON || "/work/torchvenv/bin/python";
  try {
    return JSON.parse(execFileSync(py, [path.join(__dirname, "cnn_step.py"), "--reps", String(reps)], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }));
  } catch (e) {
    console.log(`(no PyTorch timings: ${String(e.message).split("\n")[0]})`);
    return null;
  }
}

const args = process.argv.slice(2);
const r = args.indexOf("--reps");
const reps = r >= 0 ? Number(args[r + 1]) : 15;
const th = args.indexOf("--threads");
torch.set_num_threads(th >= 0 ? Number(args[th + 1]) : 1);
const ours = Object.fromEntries(Object.keys(LAYERS).map((n) => [n, layer(n, reps)]));
const ourStep = step(reps);
const theirs = args.includes("--no-torch") ? null : torchTimes(reps);
console.log(`best of ${reps} after 3 warm-up runs, ms; lrlab ${torch.get_num_threads()} thread(s)${theirs ? ", PyTorch 1 thread" : ""}`);
const f = (v) => v.toFixed(2).padStart(6);
for (const n of Object.keys(LAYERS)) {
  const [a, b] = ours[n];
  const t = theirs ? `   PyTorch ${f(theirs.layers[n][0])} ${f(theirs.layers[n][1])}` : "";
  console.log(`${n.padEnd(6)} fwd ${f(a)} bwd ${f(b)}${t}`);
}
console.log(`step   ${f(ourStep)}${theirs ? `   PyTorch ${f(theirs.step)}` : ""}`);
