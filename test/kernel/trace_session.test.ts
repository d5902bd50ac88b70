/**
 * A long notebook session with the tracer: traced loops interrupted (interrupt_request) and
 * started again, a trace alive across %reset, and what the kernel's memory does meanwhile. The
 * interrupts land anywhere in the loop, often inside optimizer.step() between the tracer's hooks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, resultText } from "./client";

let k: KernelClient;
beforeAll(async () => { k = await KernelClient.start(); });
afterAll(async () => { await k?.shutdown(); });

async function ok(code: string): Promise<string | undefined> {
  const r = await k.execute(code, { timeoutMs: 60_000 });
  expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
  return resultText(r);
}

/** Runs `code` (a loop that never ends), interrupts it after `ms`; expects KeyboardInterrupt. */
async function interruptAfter(code: string, ms: number): Promise<void> {
  const p = k.execute(code, { timeoutMs: 60_000 });
  await k.started();
  await new Promise((r) => setTimeout(r, ms));
  await k.interruptByMessage();
  const r = await p;
  expect(r.reply.content.ename).toBe("KeyboardInterrupt");
}

const MLP = `
torch.manual_seed(0);
const xs = torch.randn(64, 784), ys = torch.randint(0, 10, [64]), lossf = new torch.nn.CrossEntropyLoss();
let model = new torch.nn.Sequential(new torch.nn.Linear(784, 256), new torch.nn.ReLU(), new torch.nn.Linear(256, 10));
let opt = new torch.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
function fresh() {
  model = new torch.nn.Sequential(new torch.nn.Linear(784, 256), new torch.nn.ReLU(), new torch.nn.Linear(256, 10));
  opt = new torch.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
}
function step() { opt.zero_grad(); lossf.forward(model.forward(xs), ys).backward(); opt.step(); }
0`;

describe("interrupted traced loops, again and again", () => {
  it("an interrupted %%lr_trace run stops tracing; the next run starts clean and measures every step", async () => {
    await ok(MLP);
    for (let i = 0; i < 3; i++) {
      await interruptAfter(`%%lr_trace --name intr --batch-size 64
fresh();
for (;;) step();`, 1500 + 150 * i); // well after the cell's type check, even on a loaded machine (an interrupt then stops the cell before it steps)
      // the interrupted run kept its steps and stopped: stepping outside a traced cell adds none
      await ok(`const n${i} = lrlab.run("intr")!.steps; step(); step();`);
      expect(await ok(`lrlab.run("intr")!.steps === n${i} && n${i} > 0`)).toBe("true");
    }
    const r = await k.execute(`%%lr_trace --name after --batch-size 64
fresh();
for (let s = 0; s < 20; s++) step();`);
    expect(r.reply.content.status).toBe("ok");
    expect(await ok(`const ra = lrlab.run("after")!; [ra.steps, ra.errors.length, ra.latest()!.lr_projected! > 0].join(",")`)).toBe("'20,0,true'");
  }, 60_000);

  it("lrlab.trace interrupted inside its loop, then dropped: the parameters it was copying are let go", async () => {
    await ok(`const refs: WeakRef<object>[] = [];`);
    for (let i = 0; i < 3; i++) {
      await interruptAfter(`fresh(); refs.push(new WeakRef(opt.param_groups[0].params[0].data));
let tr = lrlab.trace(opt, { batch_size: 64 });
for (;;) step();`, 600 + 170 * i);
    }
    // the session moves on: new model, new optimizer; the old ones are unreachable
    await ok(`fresh(); tr = lrlab.trace(opt); step(); tr.stop(); 0`);
    const alive = await ok(`{
  require("node:v8").setFlagsFromString("--expose-gc");
  const gc = require("node:vm").runInNewContext("gc");
  for (let i = 0; i < 5; i++) { gc(); await new Promise((r) => setTimeout(r, 20)); }
  globalThis.__alive = refs.filter((r) => r.deref() !== undefined).length;
}`);
    void alive;
    expect(await ok(`(globalThis as any).__alive`)).toBe("0");
  }, 60_000);

  it("%reset while a trace is alive: the next traced cell works, and the reset trace's optimizer is let go", async () => {
    await ok(MLP);
    await ok(`const live = lrlab.trace(opt, { batch_size: 64 }); step(); step(); (globalThis as any).__optRef = new WeakRef(opt); 0`);
    await ok(`%reset -f`);
    const r = await k.execute(`%%lr_trace --name postreset
const m2 = new torch.nn.Linear(10, 1), o2 = new torch.optim.Adam(m2.parameters(), { lr: 1e-3 });
for (let s = 0; s < 5; s++) { o2.zero_grad(); m2.forward(torch.randn(4, 10)).sum().backward(); o2.step(); }`);
    expect(r.reply.content.status).toBe("ok");
    expect(await ok(`lrlab.run("postreset")!.steps`)).toBe("5");
    await ok(`{
  require("node:v8").setFlagsFromString("--expose-gc");
  const gc = require("node:vm").runInNewContext("gc");
  for (let i = 0; i < 5; i++) { gc(); await new Promise((r) => setTimeout(r, 20)); }
}`);
    expect(await ok(`(globalThis as any).__optRef.deref() === undefined`)).toBe("true");
  }, 60_000);
});
