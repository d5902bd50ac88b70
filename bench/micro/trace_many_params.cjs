// A deep MLP with 50 parameter tensors (25 Linear(64, 64)), Adam: the tracer's cost per step
// with and without per_param, and the final bundle (size, traces in the plotly figure, time).
//   node bench/micro/trace_many_params.cjs [steps=300]
"use strict";
const { torch, tools } = require("../workloads.cjs");
const [S = 300] = process.argv.slice(2).map(Number);
function setup(options) {
  torch.manual_seed(0);
  const layers = [];
  for (let i = 0; i < 25; i++) { layers.push(new torch.nn.Linear(64, 64)); if (i < 24) layers.push(new torch.nn.ReLU()); }
  const model = new torch.nn.Sequential(...layers);
  const opt = new torch.optim.Adam(model.named_parameters ? model.parameters() : model.parameters(), { lr: 1e-3 });
  const x = torch.randn(64, 64), y = torch.randn(64, 64), lossf = new torch.nn.MSELoss();
  const t = options ? tools.trace(opt, { ...options, named_parameters: model.named_parameters() }) : null;
  const run = (n) => { for (let s = 0; s < n; s++) { opt.zero_grad(); const l = lossf.forward(model.forward(x), y); l.backward(); if (t) t.log_loss(l); opt.step(); } };
  return { run, t, model };
}
const cases = { untraced: setup(null), traced: setup({ batch_size: 64 }), per_param: setup({ batch_size: 64, per_param: true }) };
console.log("parameter tensors:", cases.untraced.model.parameters().length);
const best = Object.fromEntries(Object.keys(cases).map((k) => [k, Infinity]));
for (const c of Object.values(cases)) c.run(5);
for (let r = 0; r < 8; r++) for (const [k, c] of Object.entries(cases)) {
  const a = process.hrtime.bigint(); c.run(10); best[k] = Math.min(best[k], Number(process.hrtime.bigint() - a) / 1e6 / 10);
}
for (const [k, v] of Object.entries(best)) console.log(`${k.padEnd(10)} ${v.toFixed(3)} ms/step${k === "untraced" ? "" : `  (+${(v - best.untraced).toFixed(3)} ms, ${((v / best.untraced - 1) * 100).toFixed(0)}%)`}`);
for (const k of ["traced", "per_param"]) {
  const c = cases[k];
  c.run(S);
  const a = performance.now(); const b = c.t.bundle(); const ms = performance.now() - a;
  const plotly = b["application/vnd.plotly.v1+json"], payload = b["application/vnd.lrlab.plot+json"];
  const legend = plotly.data.filter((d) => d.showlegend !== false).length;
  const size = (o) => (JSON.stringify(o).length / 1024).toFixed(0) + " KB";
  const saved = (o) => (JSON.stringify(o, null, 1).length / 1024).toFixed(0) + " KB";
  console.log(`${k}: bundle ${ms.toFixed(0)} ms; payload ${size(payload)} (${payload.series.length} series), plotly ${size(plotly)} (${plotly.data.length} traces, ${legend} in legend), svg ${(b["image/svg+xml"].length / 1024).toFixed(0)} KB; as saved (indent 1): ${saved(b)}`);
  const pts = payload.series.map((s) => (s.x ?? s.points?.x ?? []).length);
  console.log(`   points per series: ${Math.min(...pts)}-${Math.max(...pts)}; svg legend entries: ${(b["image/svg+xml"].match(/class="legend/g) || []).length}`);
}
