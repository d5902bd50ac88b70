/**
 * A long session with the tracer on, against the real kernel (kernel/dist): prints RSS and heap
 * (after a full GC) across many %%lr_trace runs of an MLP 784-256-10 (batch 64), across runs with
 * lrlab.trace, and after interrupted traced loops. Numbers only; run with
 *   SOAK_RUNS=50 SOAK_STEPS=200 npx vitest run --config bench/micro/vitest.soak.config.mjs
 */
import { afterAll, beforeAll, it } from "vitest";
import { KernelClient, resultText } from "../../test/kernel/client";

const RUNS = Number(process.env.SOAK_RUNS ?? 50);
const STEPS = Number(process.env.SOAK_STEPS ?? 200);
let k: KernelClient;
beforeAll(async () => { k = await KernelClient.start(); });
afterAll(async () => { await k?.shutdown(); });

async function run(code: string): Promise<string> {
  const r = await k.execute(code, { timeoutMs: 600_000 });
  if (r.reply.content.status !== "ok") throw new Error(`${code.slice(0, 80)}: ${r.reply.content.ename}: ${r.reply.content.evalue}`);
  return r.stdout.trim() || (resultText(r) ?? "");
}
async function mem(label: string): Promise<void> {
  const out = await run(`{
  const v8 = require("node:v8"); v8.setFlagsFromString("--expose-gc");
  const gc = require("node:vm").runInNewContext("gc");
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage(); const mb = (x: number) => (x / 1048576).toFixed(1);
  console.log(\`heap \${mb(m.heapUsed)} MB, external \${mb(m.external)} MB, arrayBuffers \${mb(m.arrayBuffers)} MB, rss \${mb(m.rss)} MB\`);
}`);
  console.log(`${label.padEnd(28)} ${out}`);
}

it("memory across traced runs", async () => {
  await run(`
torch.manual_seed(0);
const xs = torch.randn(64, 784), ys = torch.randint(0, 10, [64]);
const lossf = new torch.nn.CrossEntropyLoss();
function mlp() { return new torch.nn.Sequential(new torch.nn.Linear(784, 256), new torch.nn.ReLU(), new torch.nn.Linear(256, 10)); }
let model = mlp();
let opt = new torch.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
function train(n: number) { for (let s = 0; s < n; s++) { opt.zero_grad(); const l = lossf.forward(model.forward(xs), ys); l.backward(); opt.step(); } }
0`);
  await mem("start");
  const t0 = Date.now();
  for (let r = 1; r <= RUNS; r++) {
    const name = process.env.SOAK_SAME_NAME ? "run" : `run${r}`;
    await run(`%%lr_trace --name ${name} --batch-size 64
model = mlp();
opt = new torch.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
for (let s = 0; s < ${STEPS}; s++) { opt.zero_grad(); const l = lossf.forward(model.forward(xs), ys); l.backward(); _lr_trace.log_loss(l); opt.step(); }`);
    if (r % 10 === 0) await mem(`%%lr_trace run ${r} (${((Date.now() - t0) / r / 1000).toFixed(1)} s/run)`);
  }
  for (let r = 1; r <= RUNS; r++) {
    await run(`model = mlp(); opt = new torch.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
const t${r} = lrlab.trace(opt, { batch_size: 64 }); train(${STEPS}); t${r}.stop(); 0`);
    if (r % 10 === 0) await mem(`lrlab.trace run ${r}`);
  }
});
