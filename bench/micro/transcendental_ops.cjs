// Micro-benchmark of the exp/tanh-based ops that take their exponentials from the WebAssembly
// module (kernel/src/tensor/transcendental_ops.ts): softmax / log_softmax (torch's and
// nn.functional's), cross_entropy, logsumexp over 128×10 and 128×1000; silu, softplus, gelu (tanh),
// elu, selu, celu, expm1, mish, binary_cross_entropy_with_logits, exp_ over 1e5 elements; forward, and forward + backward. float32, values uniform in
// [−4, 4). Two builds in one process, timed alternately (A then B, then B then A, ...), best of
// --reps rounds of enough calls for ~0.1 s each; prints µs per call and the ratio B/A.
//   node bench/micro/transcendental_ops.cjs <build A dist> <build B dist> [--reps N] [--only substring]
// e.g. A = a build of main (before), B = kernel/dist (after). With one dist, its module is
// switched off (A: set_transcendental_wasm_enabled(false), the JS loops) and on (B).
"use strict";
const path = require("node:path");

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); if (i < 0) return d; const v = args[i + 1]; args.splice(i, 2); return v; };
const reps = Number(opt("--reps", 5));
const only = opt("--only", "");
const dists = args.length > 0 ? args.map((a) => path.resolve(a)) : [path.join(__dirname, "..", "..", "kernel", "dist")];

function load(dist) {
  return { torch: require(path.join(dist, "index.js")), wasm: require(path.join(dist, "tensor", "wasm", "transcendental.js")) };
}

/** [name, elements, (torch) => () => void] */
const CASES = [];
const F = (t) => t.nn.functional;
for (const [r, c] of [[128, 10], [128, 1000]]) {
  const shape = `${r}x${c}`;
  const x = (t, grad = false) => { t.manual_seed(0); return t.rand([r, c]).mul(8).sub(4).requires_grad_(grad); };
  CASES.push([`torch.softmax ${shape}`, (t) => { const a = x(t); return () => t.softmax(a, 1); }]);
  CASES.push([`torch.log_softmax ${shape}`, (t) => { const a = x(t); return () => t.log_softmax(a, 1); }]);
  CASES.push([`F.softmax ${shape}`, (t) => { const a = x(t); return () => F(t).softmax(a, 1); }]);
  CASES.push([`F.log_softmax ${shape}`, (t) => { const a = x(t); return () => F(t).log_softmax(a, 1); }]);
  CASES.push([`torch.logsumexp ${shape}`, (t) => { const a = x(t); return () => t.logsumexp(a, 1); }]);
  CASES.push([`F.log_softmax fwd+bwd ${shape}`, (t) => { const a = x(t, true); return () => { F(t).log_softmax(a, 1).sum().backward(); a.grad = null; }; }]);
  CASES.push([`F.softmax fwd+bwd ${shape}`, (t) => { const a = x(t, true); return () => { F(t).softmax(a, 1).pow(2).sum().backward(); a.grad = null; }; }]);
  CASES.push([`F.cross_entropy ${shape}`, (t) => { const a = x(t); const y = t.randint(0, c, [r]); return () => F(t).cross_entropy(a, y); }]);
  CASES.push([`F.cross_entropy fwd+bwd ${shape}`, (t) => { const a = x(t, true); const y = t.randint(0, c, [r]); return () => { F(t).cross_entropy(a, y).backward(); a.grad = null; }; }]);
}
const N = 100000;
const v = (t, grad = false) => { t.manual_seed(0); return t.rand([N]).mul(8).sub(4).requires_grad_(grad); };
const unary = [
  ["torch.silu", (t) => (a) => t.silu(a)],
  ["F.silu", (t) => (a) => F(t).silu(a)],
  ["torch.softplus", (t) => (a) => t.softplus(a)],
  ["F.softplus", (t) => (a) => F(t).softplus(a)],
  ["torch.gelu tanh", (t) => (a) => t.gelu(a, "tanh")],
  ["F.gelu tanh", (t) => (a) => F(t).gelu(a, { approximate: "tanh" })],
  ["F.elu", (t) => (a) => F(t).elu(a)],
  ["F.selu", (t) => (a) => F(t).selu(a)],
  ["F.celu", (t) => (a) => F(t).celu(a, 0.7)],
  ["torch.expm1", (t) => (a) => t.expm1(a)],
  ["F.mish", (t) => (a) => F(t).mish(a)],
];
for (const [name, mk] of unary) {
  CASES.push([`${name} 1e5`, (t) => { const a = v(t); const f = mk(t); return () => f(a); }]);
  CASES.push([`${name} fwd+bwd 1e5`, (t) => { const a = v(t, true); const f = mk(t); const g = t.ones([N]); return () => { f(a).backward(g); a.grad = null; }; }]);
}
CASES.push(["F.bce_with_logits fwd+bwd 1e5", (t) => { const a = v(t, true); const y = t.rand([N]); return () => { F(t).binary_cross_entropy_with_logits(a, y).backward(); a.grad = null; }; }]);
CASES.push(["copy_ + exp_ 1e5", (t) => { const src = v(t); const a = src.clone(); return () => a.copy_(src).exp_(); }]);

const builds = dists.length === 1
  ? [{ ...load(dists[0]), wasmOn: false }, { ...load(dists[0]), wasmOn: true }]
  : dists.map((d) => ({ ...load(d), wasmOn: true }));

function time(build, fn, calls) {
  build.wasm.set_transcendental_wasm_enabled(build.wasmOn);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) fn();
  return Number(process.hrtime.bigint() - t0) / calls / 1000;
}

console.log(`µs per call, best of ${reps} alternated rounds; A = ${dists.length === 1 ? "module off" : dists[0]}, B = ${dists.length === 1 ? "module on" : dists[1]}`);
for (const [name, mk] of CASES) {
  if (only && !name.includes(only)) continue;
  const fns = builds.map((b) => mk(b.torch));
  const one = time(builds[0], fns[0], 3); // warm-up, and the calls for ~0.1 s
  const calls = Math.max(3, Math.round(100000 / Math.max(one, 1)));
  for (let i = 0; i < 2; i++) time(builds[i], fns[i], calls);
  const best = [Infinity, Infinity];
  for (let k = 0; k < reps; k++) {
    const order = k % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) best[i] = Math.min(best[i], time(builds[i], fns[i], calls));
  }
  console.log(`${name.padEnd(30)} A ${best[0].toFixed(1).padStart(8)}   B ${best[1].toFixed(1).padStart(8)}   B/A ${(best[1] / best[0]).toFixed(2)}`);
}
for (const b of builds) b.wasm.set_transcendental_wasm_enabled(true);
