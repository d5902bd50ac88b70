// Micro-benchmark: one training step of a recurrent layer, split into forward (with grad),
// backward of output.sum() and an Adam step; best of N after a warm-up, against PyTorch on one
// thread (bench/micro/rnn_step.py, the same cases timed the same way). Used to measure the
// recurrences of nn.RNN/LSTM/GRU before and after an optimisation (kernel/src/tensor/PERF.md).
//   node bench/micro/rnn_step.cjs [--reps N] [--threads N] [--no-torch] [case...]
// LRLAB_BENCH_DIST selects the lrlab build; LRLAB_BENCH_PYTHON the Python with torch (default
// /work/torchvenv/bin/python; --no-torch, or a Python without torch, prints lrlab alone).
// "_xgrad" cases give the input requires_grad (as after an Embedding): its gradient then flows
// back through the per-step slices of the input.
"use strict";
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { torch } = require("../workloads.cjs");

// One thread on both sides (lrlab shares products of >= 2^20 multiply-adds with worker threads
// by default); --threads N to change lrlab's.

// name: [class, input_size, hidden_size, num_layers, seq_len, batch, input requires grad]
const CASES = {
  lstm: ["LSTM", 32, 64, 2, 50, 32, false],
  lstm_xgrad: ["LSTM", 32, 64, 2, 50, 32, true],
  lstm_xgrad_L200: ["LSTM", 32, 64, 2, 200, 32, true],
  gru: ["GRU", 32, 64, 2, 50, 32, false],
};
const PARTS = ["forward", "backward", "step"];

function bench(name, reps) {
  const [cls, hin, hid, layers, seq, batch, xgrad] = CASES[name];
  torch.manual_seed(0);
  const model = new torch.nn[cls](hin, hid, { num_layers: layers });
  const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = torch.randn(seq, batch, hin, { requires_grad: xgrad });
  const best = { forward: Infinity, backward: Infinity, step: Infinity };
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  for (let r = 0; r < reps + 3; r++) { // the first 3 are the warm-up
    opt.zero_grad();
    x.grad = null;
    const t0 = now();
    const [out] = model.forward(x);
    const t1 = now();
    out.sum().backward();
    const t2 = now();
    opt.step();
    const t3 = now();
    if (r >= 3) {
      best.forward = Math.min(best.forward, t1 - t0);
      best.backward = Math.min(best.backward, t2 - t1);
      best.step = Math.min(best.step, t3 - t2);
    }
  }
  return best;
}

function torchTimes(names, reps) {
  const py = process.env.LRLAB_BENCH_PYTHON || "/work/torchvenv/bin/python";
  try {
    const out = execFileSync(py, [path.join(__dirname, "rnn_step.py"), "--reps", String(reps), ...names], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    return JSON.parse(out);
  } catch (e) {
    console.log(`(no PyTorch timings: ${String(e.message).split("\n")[0]})`);
    return null;
  }
}

const args = process.argv.slice(2);
let reps = 10;
const r = args.indexOf("--reps");
if (r >= 0) { reps = Number(args[r + 1]); args.splice(r, 2); }
const th = args.indexOf("--threads");
torch.set_num_threads(th >= 0 ? Number(args.splice(th, 2)[1]) : 1);
const noTorch = args.includes("--no-torch");
const names = args.filter((a) => a !== "--no-torch");
const picked = names.length ? names : Object.keys(CASES);
for (const n of picked) if (!(n in CASES)) throw new Error(`unknown case ${JSON.stringify(n)}; cases: ${Object.keys(CASES).join(", ")}`);

const ours = Object.fromEntries(picked.map((n) => [n, bench(n, reps)]));
const theirs = noTorch ? null : torchTimes(picked, reps);
console.log(`best of ${reps} after 3 warm-up steps, ms; lrlab ${torch.get_num_threads()} thread(s)${theirs ? `, PyTorch ${theirs.torch} 1 thread` : ""}`);
for (const n of picked) {
  const [cls, hin, hid, layers, seq, batch] = CASES[n];
  console.log(`${n}: ${cls}(${hin}, ${hid}, num_layers=${layers}), L=${seq}, N=${batch}, float32`);
  for (const p of PARTS) {
    const a = ours[n][p];
    const line = `  ${p.padEnd(9)} lrlab ${a.toFixed(2).padStart(8)}`;
    if (!theirs) console.log(line);
    else {
      const b = theirs[n][p];
      console.log(`${line}   torch ${b.toFixed(2).padStart(7)}   ratio ${(a / b).toFixed(1).padStart(6)}x`);
    }
  }
}
