// One long traced run of a small model: memory and time per step along the run.
//   node --expose-gc bench/micro/trace_long.cjs [steps=200000] [per_param=0] [listener=0]
// Linear(10,1) -> ReLU -> Linear(1.. ) style small MLP (10-32-1), Adam, real forward/backward.
// Prints per 20k steps: µs/step of that block, heap, external, rss; then the cost of the final
// plot (bundle with SVG), t.plot-like bundles and to_json at the end.
"use strict";
const { torch, tools } = require("../workloads.cjs");
const [S = 200000, PP = 0, LIS = 0] = process.argv.slice(2).map(Number);
const mb = (x) => (x / 1048576).toFixed(1);
torch.manual_seed(0);
const model = new torch.nn.Sequential(new torch.nn.Linear(10, 32), new torch.nn.ReLU(), new torch.nn.Linear(32, 1));
const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
const lossf = new torch.nn.MSELoss();
const x = torch.randn(16, 10), y = torch.randn(16, 1);
const t = tools.trace(opt, { batch_size: 16, per_param: !!PP });
let liveMs = 0, lives = 0, lastLive = 0;
if (LIS) t.on_step(() => { const now = Date.now(); if (now - lastLive < 250) return; lastLive = now; const a = performance.now(); t.bundle({ live: true }); liveMs += performance.now() - a; lives++; });
let t0 = performance.now();
const BLOCK = 20000;
for (let s = 1; s <= S; s++) {
  opt.zero_grad();
  const loss = lossf.forward(model.forward(x), y);
  loss.backward();
  t.log_loss(loss);
  opt.step();
  if (s % BLOCK === 0) {
    const dt = (performance.now() - t0) / BLOCK * 1000;
    global.gc();
    const m = process.memoryUsage();
    console.log(`step ${String(s).padStart(7)}  ${dt.toFixed(1)} µs/step  heap ${mb(m.heapUsed)} MB  external ${mb(m.external)} MB  rss ${mb(m.rss)} MB${LIS ? `  live bundles ${lives}, ${(liveMs / Math.max(1, lives)).toFixed(1)} ms each` : ""}`);
    liveMs = 0; lives = 0;
    t0 = performance.now();
  }
}
const time = (label, f) => { const a = performance.now(); const r = f(); console.log(`${label.padEnd(22)} ${(performance.now() - a).toFixed(1)} ms${r !== undefined ? `  (${r})` : ""}`); };
time("bundle live", () => JSON.stringify(t.bundle({ live: true })).length + " bytes");
time("bundle final (svg)", () => JSON.stringify(t.bundle()).length + " bytes");
time("bundle final again", () => JSON.stringify(t.bundle()).length + " bytes");
time("to_json", () => JSON.stringify(t.to_json()).length + " bytes");
t.stop();
