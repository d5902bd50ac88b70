// Old-generation collections over 33 traced 20-step MLP runs in one job (PERF.md, session 21):
//   node --trace-gc bench/micro/trace_gc_count.cjs | grep -c Mark-Compact     (DIST=<kernel/dist> selects a build)
const path = require("node:path"); const dist = process.env.DIST || path.join(__dirname, "../../kernel/dist");
const torch = require(path.join(dist, "index.js")), tools = require(path.join(dist, "tools.js"));
function run() {
  const model = new torch.nn.Sequential(new torch.nn.Linear(784, 256), new torch.nn.ReLU(), new torch.nn.Linear(256, 10));
  const crit = new torch.nn.CrossEntropyLoss(); const opt = new torch.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = torch.randn(128, 784), y = torch.randint(0, 10, [128]);
  const tr = tools.trace(opt, { batch_size: 128, name: "m" });
  for (let s = 0; s < 20; s++) { opt.zero_grad(); crit.forward(model.forward(x), y).backward(); opt.step(); }
  tr.stop();
}
for (let i = 0; i < 33; i++) run();
const m = process.memoryUsage(); console.log("heapUsed", (m.heapUsed / 1e6).toFixed(1), "arrayBuffers", (m.arrayBuffers / 1e6).toFixed(1));
