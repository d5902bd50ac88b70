// Section 2: training steps per second, lrlab vs PyTorch (1 thread and default) vs TF.js (wasm).
import { createRequire } from "node:module";
import { join } from "node:path";
import { fmtRate, fmtRatio, fmtTime } from "./stats.mjs";
import { probePython, runJson } from "./python.mjs";
import { ensureTfjs, tfjsEnv } from "./tfjs.mjs";
import { measure, repeatsFor } from "./measure.cjs";

export const TRAIN_WORKLOADS = [
  { key: "seed_example1", label: "seed Example 1 (SGD, batch accumulated by backward calls)", target: "seed" },
  { key: "seed_example2", label: "seed Example 2 (Adam, 20 steps)", target: "seed" },
  { key: "seed_example3", label: "seed Example 3 (SGD + StepLR, 100 steps)", target: "seed" },
  { key: "adam_linear", label: "Adam on Linear(10, 1), batch 32", target: null },
  { key: "mlp_sgd_momentum", label: "MLP 784-256-10, batch 128, SGD momentum", target: "mlp" },
  { key: "lenet_sgd_momentum", label: "LeNet-5 (conv 5×5 ×2, max pool, 3 linear), batch 64 of 1×28×28, SGD momentum", target: null },
];

export function loadWorkloads(root) {
  const require = createRequire(import.meta.url);
  return require(join(root, "bench", "workloads.cjs"));
}

/** { lrlab: {key: {seconds, steps}}, torch: {...} | {error}, tfjs: {...} | {error} } */
export function runTraining(root, { quick, python, log }) {
  const repeats = repeatsFor(quick);
  const { workloads, torch: lr } = loadWorkloads(root);
  const lrlab = {};
  for (const w of TRAIN_WORKLOADS) {
    log(`train: lrlab ${w.key}`);
    lrlab[w.key] = measure(() => workloads[w.key](quick), repeats);
  }
  // Large products use worker threads (torch.set_num_threads); the MLP on one thread too, so the
  // table shows what the threads bring.
  lrlab.threads = lr.get_num_threads();
  if (lrlab.threads > 1) {
    log("train: lrlab mlp_sgd_momentum, 1 thread");
    lr.set_num_threads(1);
    lrlab.mlp_sgd_momentum_1t = measure(() => workloads.mlp_sgd_momentum(quick), repeats);
    lr.set_num_threads(lrlab.threads);
  }
  log(`train: PyTorch (${python})`);
  const probe = probePython(python);
  let torch;
  if (!probe.ok || !probe.torch) torch = { error: `PyTorch not installed in ${python}: pip install torch==2.13.0` };
  else torch = runJson(python, [join(root, "bench", "torch_workloads.py"), ...(quick ? ["--quick"] : [])]);
  log("train: TF.js (wasm)");
  let tfjs;
  if (!ensureTfjs(root, { install: !quick })) tfjs = { error: "not installed (a full `npm run bench` installs it into bench/peers/)" };
  else tfjs = runJson(process.execPath, [join(root, "bench", "tfjs_workloads.cjs"), ...(quick ? ["--quick"] : [])], { cwd: root, env: tfjsEnv(root) });
  return { lrlab, torch, tfjs };
}

const rate = (m) => (m && m.seconds > 0 ? m.steps / m.seconds : NaN);

/** The rows; `res.error` (the section failed) gives the same rows saying so. */
export function trainingRows(res) {
  if (res.error) {
    return TRAIN_WORKLOADS.map((w) => ({ area: "training", measure: `${w.label}: steps/s`, lrlab: res.error, peers: "–", ratio: "–", target: "–", meets: null }));
  }
  const rows = [];
  const t = res.torch;
  const dt = t.error ? null : String(t.default_threads);
  const tf = res.tfjs;
  for (const w of TRAIN_WORKLOADS) {
    const mine = res.lrlab[w.key];
    const r = rate(mine);
    const peers = [];
    const ratios = [];
    let t1 = NaN, tdef = NaN;
    if (t.error) peers.push(t.error);
    else {
      t1 = rate(t["1"][w.key]);
      tdef = rate(t[dt][w.key]);
      peers.push(`PyTorch ${t.torch} 1 thread: ${fmtRate(t1)}/s (${fmtTime(1 / t1)}/step)`);
      ratios.push(`${fmtRatio(r / t1)} PyTorch 1t`);
      if (dt !== "1") {
        peers.push(`PyTorch ${dt} threads: ${fmtRate(tdef)}/s (${fmtTime(1 / tdef)}/step)`);
        ratios.push(`${fmtRatio(r / tdef)} PyTorch ${dt}t`);
      }
    }
    if (tf.error) peers.push(`TF.js wasm: ${tf.error}`);
    else if (tf[w.key]?.error) peers.push(`TF.js wasm: ${tf[w.key].error}`);
    else {
      const tr = rate(tf[w.key]);
      peers.push(`TF.js ${tf.version} wasm: ${fmtRate(tr)}/s (${fmtTime(1 / tr)}/step)`);
      ratios.push(`${fmtRatio(r / tr)} TF.js`);
    }
    let target = "–", meets = null;
    const bestTorch = Math.max(t1, Number.isFinite(tdef) ? tdef : t1);
    if (w.target === "seed") {
      target = "≥ 10× PyTorch steps/s (faster setting)";
      meets = Number.isFinite(bestTorch) ? r >= 10 * bestTorch : null;
    } else if (w.target === "mlp") {
      target = "step time ≤ 2× PyTorch 1 thread";
      meets = Number.isFinite(t1) ? 1 / r <= 2 / t1 : null;
    }
    let mineText = `${fmtRate(r)}/s (${fmtTime(1 / r)}/step)`;
    const one = res.lrlab[`${w.key}_1t`];
    if (one) {
      const r1 = rate(one);
      mineText = `${fmtRate(r)}/s (${fmtTime(1 / r)}/step, ${res.lrlab.threads} threads); 1 thread: ${fmtRate(r1)}/s (${fmtTime(1 / r1)}/step)`;
      if (Number.isFinite(t1)) ratios.push(`1 thread: ${fmtRatio(r1 / t1)} PyTorch 1t`);
    }
    rows.push({
      area: "training",
      measure: `${w.label}: steps/s`,
      lrlab: mineText,
      peers: peers.join("; "),
      ratio: ratios.join("; ") || "n/a",
      target,
      meets,
    });
  }
  return rows;
}
