// Training workloads for `npm run bench`, in lrlab. bench/torch_workloads.py runs the same ones in
// PyTorch: keep the two files in step (same models, sizes, step counts).
"use strict";
// LRLAB_BENCH_DIST: another build of kernel/ (e.g. before/after an optimisation); default kernel/dist.
const path = require("node:path");
const dist = path.resolve(process.env.LRLAB_BENCH_DIST || path.join(__dirname, "..", "kernel", "dist"));
const torch = require(path.join(dist, "index.js"));
const tools = require(path.join(dist, "tools.js"));

function simpleModel() {
  return new torch.nn.Linear(10, 1);
}

/** Each workload returns the number of "steps" it ran (optimizer steps). `attach(optimizer)`, when
 *  given, is called once the optimizer exists and returns a function called at the end (the
 *  tracer-overhead rows hook the tracer this way). The MLP takes a step count for the tracer's
 *  long runs (lrlab only: PyTorch is compared on the default count). */
const workloads = {
  // The seed's Example 1: 3 batch sizes x 10 steps, each step `bs` backward calls on one sample.
  seed_example1: (q) => {
    const model = simpleModel(), crit = new torch.nn.MSELoss();
    const x = torch.randn(1, 10), y = torch.randn(1, 1);
    let steps = 0;
    for (const bs of q ? [32] : [32, 128, 512]) {
      const opt = new torch.optim.SGD(model.parameters(), { lr: 0.01 });
      for (let s = 0; s < 10; s++) {
        for (let i = 0; i < bs; i++) crit.forward(model.forward(x), y).backward();
        opt.step(); opt.zero_grad(); steps++;
      }
    }
    return steps;
  },
  // The seed's Example 2: Adam, 20 steps.
  seed_example2: () => {
    const model = simpleModel(), crit = new torch.nn.MSELoss();
    const opt = new torch.optim.Adam(model.parameters(), { lr: 0.01 });
    const x = torch.randn(1, 10), y = torch.randn(1, 1);
    for (let s = 0; s < 20; s++) { crit.forward(model.forward(x), y).backward(); opt.step(); opt.zero_grad(); }
    return 20;
  },
  // The seed's Example 3: SGD + StepLR, 10 epochs x 10 steps.
  seed_example3: () => {
    const model = simpleModel(), crit = new torch.nn.MSELoss();
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    const sched = new torch.optim.lr_scheduler.StepLR(opt, { step_size: 5, gamma: 0.5 });
    const x = torch.randn(1, 10), y = torch.randn(1, 1);
    for (let e = 0; e < 10; e++) {
      for (let s = 0; s < 10; s++) { crit.forward(model.forward(x), y).backward(); opt.step(); opt.zero_grad(); }
      sched.step();
    }
    return 100;
  },
  // Adam on Linear(10, 1), batch 32.
  adam_linear: (q, attach) => {
    const model = simpleModel(), crit = new torch.nn.MSELoss();
    const opt = new torch.optim.Adam(model.parameters(), { lr: 0.001 });
    const detach = attach ? attach(opt, model) : null;
    const x = torch.randn(32, 10), y = torch.randn(32, 1);
    const n = q ? 200 : 2000;
    for (let s = 0; s < n; s++) { opt.zero_grad(); crit.forward(model.forward(x), y).backward(); opt.step(); }
    if (detach) detach();
    return n;
  },
  // MLP 784-256-10, batch 128, SGD momentum 0.9, cross-entropy.
  mlp_sgd_momentum: (q, attach, steps) => {
    const model = new torch.nn.Sequential(new torch.nn.Linear(784, 256), new torch.nn.ReLU(), new torch.nn.Linear(256, 10));
    const crit = new torch.nn.CrossEntropyLoss();
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    const detach = attach ? attach(opt, model) : null;
    const x = torch.randn(128, 784), y = torch.randint(0, 10, [128]);
    const n = steps ?? (q ? 5 : 20);
    for (let s = 0; s < n; s++) { opt.zero_grad(); crit.forward(model.forward(x), y).backward(); opt.step(); }
    if (detach) detach();
    return n;
  },
  // LeNet-5 (two 5×5 convolutions with ReLU and 2×2 max pooling, three linear layers) on
  // batch 64 of 1×28×28, SGD momentum 0.9, cross-entropy.
  lenet_sgd_momentum: (q) => {
    const nn = torch.nn;
    const model = new nn.Sequential(
      new nn.Conv2d(1, 6, 5), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Flatten(), new nn.Linear(256, 120), new nn.ReLU(), new nn.Linear(120, 84), new nn.ReLU(), new nn.Linear(84, 10));
    const crit = new nn.CrossEntropyLoss();
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    const x = torch.randn(64, 1, 28, 28), y = torch.randint(0, 10, [64]);
    const n = q ? 2 : 10;
    for (let s = 0; s < n; s++) { opt.zero_grad(); crit.forward(model.forward(x), y).backward(); opt.step(); }
    return n;
  },
};

module.exports = { torch, tools, dist, workloads };
