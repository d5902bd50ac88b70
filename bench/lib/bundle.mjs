// Section 4: the display bundle of one plot (lrlab payload + plotly JSON + SVG + text) for a trace
// of 1e3, 1e5 and 1e6 steps. The trace is real: SGD with momentum on Linear(10, 1), all metrics
// (per group, as %%lr_trace records by default), fed fixed gradients so that a million steps take
// seconds, not the model's time. A first bundle is built and thrown away (loads vega for the SVG).
import { fmtBytes, fmtTime } from "./stats.mjs";
import { loadWorkloads } from "./train.mjs";

export const BUNDLE_STEPS = [1e3, 1e5, 1e6];
const TARGET = 150 * 1024;

// The same sizes in --quick: a million traced steps take ~6 s, and the bounded size is the point.
export function runBundles(root, { log }) {
  const { torch, tools } = loadWorkloads(root);
  const out = {};
  let warm = false;
  for (const n of BUNDLE_STEPS) {
    log(`bundle: trace of ${n} steps`);
    const model = new torch.nn.Linear(10, 1);
    const params = model.parameters();
    const grads = params.map((p) => torch.randn(...p.shape));
    const opt = new torch.optim.SGD(params, { lr: 0.01, momentum: 0.9 });
    const tr = tools.trace(opt, { batch_size: 32, name: `${n} steps` });
    const t0 = process.hrtime.bigint();
    for (let s = 0; s < n; s++) {
      params.forEach((p, i) => { p.grad = grads[i]; });
      opt.step();
    }
    const stepTime = Number(process.hrtime.bigint() - t0) / 1e9 / n;
    tr.stop();
    if (!warm) { tools.bundle(tr); warm = true; }
    const t1 = process.hrtime.bigint();
    const b = tools.bundle(tr);
    const buildTime = Number(process.hrtime.bigint() - t1) / 1e9;
    const parts = {};
    let total = 0;
    for (const [mime, v] of Object.entries(b)) {
      parts[mime] = Buffer.byteLength(typeof v === "string" ? v : JSON.stringify(v));
      total += parts[mime];
    }
    out[n] = { total, parts, buildTime, stepTime, errors: tr.errors.length };
  }
  return out;
}

const SHORT = {
  "application/vnd.lrlab.plot+json": "lrlab",
  "application/vnd.plotly.v1+json": "plotly",
  "image/svg+xml": "SVG",
  "text/plain": "text",
};

/** The rows; `res.error` (the section failed) gives the same rows saying so. */
export function bundleRows(res) {
  return BUNDLE_STEPS.map((n) => {
    const r = res.error ? { skipped: res.error } : res[n];
    const measure = `plot bundle size, trace of ${n.toExponential(0).replace("+", "")} steps (all mime types)`;
    if (!r || r.skipped) {
      return { area: "bundle", measure, lrlab: r?.skipped ?? "not measured", peers: "–", ratio: "–", target: "≤ 150 KB", meets: null };
    }
    return {
      area: "bundle",
      measure,
      lrlab: `${fmtBytes(r.total)} (built in ${fmtTime(r.buildTime)})` + (r.errors ? `; ${r.errors} tracer errors` : ""),
      peers: Object.entries(r.parts).map(([m, s]) => `${SHORT[m] ?? m} ${fmtBytes(s)}`).join(", ") + `; traced step ${fmtTime(r.stepTime)}`,
      ratio: "–",
      target: "≤ 150 KB",
      meets: r.total <= TARGET,
    };
  });
}
