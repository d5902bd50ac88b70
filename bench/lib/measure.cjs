// The timing rule of every training workload (bench/lib/train.mjs for lrlab, the TF.js child
// bench/tfjs_workloads.cjs; bench/torch_workloads.py states the same rule in Python): best wall
// time over repeated runs after one warm-up run, at least `min` runs, then more until `budget`
// seconds were spent (at most 50). Best-of, because on a shared machine noise only ever adds time.
"use strict";

/** `fn` returns the number of steps it ran; the result is { seconds (best run), steps }. */
function measure(fn, { min, budget }) {
  fn();
  let best = Infinity, steps = 0, spent = 0;
  for (let i = 0; i < 50 && (i < min || spent < budget); i++) {
    const t = process.hrtime.bigint();
    steps = fn();
    const dt = Number(process.hrtime.bigint() - t) / 1e9;
    best = Math.min(best, dt);
    spent += dt;
  }
  return { seconds: best, steps };
}

/** Repeats of the training workloads: quick { min 1, budget 0.3 s }, full { min 3, budget 2 s }. */
const repeatsFor = (quick) => (quick ? { min: 1, budget: 0.3 } : { min: 3, budget: 2 });

module.exports = { measure, repeatsFor };
