/**
 * An ML engineer's pass (userpass14, /work/scratch/s14/userA), through the real kernel: each test
 * failed before its fix (the cells are the pass's, c12, c13, c49, c50 and the others it names).
 *   1   _lr_trace.log_loss every 3 steps, between backward() and step(): steps 0, 3, 6, 9 (it
 *       stored them at 0, 2, 5, 8); with { batch_size } from step 2 on, no warning blaming the
 *       placement and the losses on steps 2, 3, 4;
 *   10  _lr_trace.latest() before the first step is null (it threw and stopped the cell);
 *   9   on_step listeners: a large model's (the worker's) exactly two steps behind in the cell,
 *       and every step heard by the end of the cell (the last ones came only when the trace was
 *       read); a small model's at once; a %%lr_trace cell's listener hears every step;
 *   16  a trace saved with to_json() and read back: %lr_compare and lrlab.bundle say
 *       lrlab.Trace.from_json;
 *   17  log_loss of a per-sample loss; series(metric, group, name) with the wrong group; no
 *       change history in lrlab.run's docs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, ofType, resultText } from "./client";
import { native_in_place } from "../../kernel/src/trace/native_sums";

/** Whether the kernel measures large traced steps in place (the same addon loads in its process). */
const nativeInPlace = native_in_place() && process.env.LRLAB_TRACE_IN_PLACE !== "0";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
  await k.execute(`
torch.manual_seed(0);
const model = new torch.nn.Linear(4, 1);
const X = torch.randn([16, 4]); const y = torch.randn([16, 1]);
const loss_fn = new torch.nn.MSELoss();
const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });`);
}, 120_000);
afterAll(async () => { await k?.shutdown(); });

type Result = Awaited<ReturnType<KernelClient["execute"]>>;
const stderrOf = (r: Result) => ofType(r, "stream").filter((m) => m.content.name === "stderr").map((m) => m.content.text).join("");
const ok = (r: Result) => expect(r.reply.content.status, `${r.reply.content.ename}: ${r.reply.content.evalue}`).toBe("ok");

describe("1: log_loss every K steps in a %%lr_trace cell", () => {
  it("losses logged at i = 0, 3, 6, 9 are at steps 0, 3, 6, 9", async () => {
    const r = await k.execute(`%%lr_trace --name e3 --batch-size 16 --no-live
const logged: number[][] = [];
for (let i = 0; i < 10; i++) {
  opt.zero_grad(); const l = loss_fn.forward(model.forward(X), y); l.backward();
  if (i % 3 == 0) { _lr_trace.log_loss(l); logged.push([i, l.item()]); }
  opt.step();
}`);
    ok(r);
    const c = await k.execute(`const c = lrlab.run("e3").series("loss").columns();
JSON.stringify(c.x.map((x, i) => [x, c.mean[i]])) === JSON.stringify(logged) ? "same" : JSON.stringify([c.x, logged])`);
    expect(resultText(c)).toBe("'same'");
  }, 120_000);

  it("{ batch_size } with the loss from step 2 on: steps 2, 3, 4, their per-sample rates, and no warning", async () => {
    const r = await k.execute(`const tr = lrlab.trace(opt, { batch_size: 16, name: "bs" });
for (let i = 0; i < 5; i++) {
  opt.zero_grad(); const l = loss_fn.forward(model.forward(X), y); l.backward();
  if (i >= 2) tr.log_loss(l, { batch_size: 8 });
  opt.step();
}
tr.stop();
JSON.stringify([tr.series("loss").columns().x, tr.series("lr_per_sample").columns().mean.map((v) => Math.round(0.1 / v))])`);
    ok(r);
    expect(resultText(r)).toBe("'[[2,3,4],[16,16,8,8,8]]'");
    expect(stderrOf(r)).not.toContain("batch_size");
  }, 120_000);
});

describe("10: _lr_trace.latest() before the first step", () => {
  it("is null, and the cell goes on to train", async () => {
    const r = await k.execute(`%%lr_trace --name early --no-live
console.log("before:", _lr_trace.latest(), _lr_trace.steps);
opt.zero_grad(); loss_fn.forward(model.forward(X), y).backward(); opt.step();
console.log("after:", _lr_trace.latest()!.step);`);
    ok(r);
    expect(r.stdout).toContain("before: null 0");
    expect(r.stdout).toContain("after: 0");
  }, 120_000);
});

describe("9: when on_step listeners hear of a step", () => {
  it("a large model (the worker's): two steps behind in the cell, every time; all five by the end of the cell", async () => {
    ok(await k.execute(`
torch.manual_seed(0);
const big = new torch.nn.Linear(300, 300);
const bigOpt = new torch.optim.Adam(big.parameters(), { lr: 1e-3 });
const XB = torch.randn([64, 300]);
const bigTrace = lrlab.trace(bigOpt, { batch_size: 64, name: "big" });
(bigTrace as any)._use_worker = true; // the worker's timing, even where the native pass measures in place (steps.ts in_place)
const seen: number[] = [];
bigTrace.on_step((tr, ms) => { seen.push(ms[0]!.step); });`));
    for (let rep = 0; rep < 3; rep++) {
      const r = await k.execute(`seen.length = 0;
const first = bigTrace.steps;
for (let i = 0; i < 5; i++) { bigOpt.zero_grad(); big.forward(XB).pow(2).mean().backward(); bigOpt.step(); }
console.log("end of cell", JSON.stringify(seen.map((s) => s - first)));`);
      ok(r);
      expect(r.stdout).toContain("end of cell [0,1,2]");
      // the next cell: every step heard, without reading the trace
      expect(resultText(await k.execute("JSON.stringify(seen.map((s) => s - first))"))).toBe("'[0,1,2,3,4]'");
    }
  }, 180_000);

  it("a large model measured in place (where the native pass runs): every step at once", async () => {
    const r = await k.execute(`
const bigIp = new torch.nn.Linear(300, 300);
const bigIpOpt = new torch.optim.Adam(bigIp.parameters(), { lr: 1e-3 });
const ipTrace = lrlab.trace(bigIpOpt, { batch_size: 64, name: "big-in-place" });
const heardIp: number[] = [];
ipTrace.on_step((tr, ms) => { heardIp.push(ms[0]!.step); });
for (let i = 0; i < 5; i++) { bigIpOpt.zero_grad(); bigIp.forward(XB).pow(2).mean().backward(); bigIpOpt.step(); }
console.log("end of cell", JSON.stringify(heardIp));
ipTrace.stop();`);
    ok(r);
    // where the native pass is not built, the worker measures these steps: two behind
    expect(r.stdout).toContain(nativeInPlace ? "end of cell [0,1,2,3,4]" : "end of cell [0,1,2]");
  }, 120_000);

  it("a small model: every step at once", async () => {
    const r = await k.execute(`const small = lrlab.trace(opt, { name: "small" });
const heard: number[] = [];
small.on_step((tr, ms) => { heard.push(ms[0]!.step); });
for (let i = 0; i < 5; i++) { opt.zero_grad(); loss_fn.forward(model.forward(X), y).backward(); opt.step(); }
console.log("end of cell", JSON.stringify(heard));
small.stop();`);
    ok(r);
    expect(r.stdout).toContain("end of cell [0,1,2,3,4]");
  }, 120_000);

  it("a %%lr_trace cell's listener (a large model) hears every step by the cell's end", async () => {
    const r = await k.execute(`%%lr_trace --name bigcell --no-live
const cellSeen: number[] = [];
_lr_trace.on_step((tr, ms) => { cellSeen.push(ms[0]!.step); });
for (let i = 0; i < 5; i++) { bigOpt.zero_grad(); big.forward(XB).pow(2).mean().backward(); bigOpt.step(); }`);
    ok(r);
    expect(resultText(await k.execute("JSON.stringify(cellSeen)"))).toBe("'[0,1,2,3,4]'");
  }, 120_000);
});

describe("16: a trace saved with to_json() and read back", () => {
  it("%lr_compare and lrlab.bundle point to lrlab.Trace.from_json, which plots it", async () => {
    ok(await k.execute(`const back = JSON.parse(JSON.stringify(lrlab.run("e3").to_json()));`));
    const cmp = await k.execute("%lr_compare back e3");
    expect(cmp.reply.content.status).toBe("error");
    expect(cmp.reply.content.evalue).toContain("lrlab.Trace.from_json(back)");
    const b = await k.execute("display(lrlab.bundle(back))");
    expect(b.reply.content.status).toBe("error");
    expect(b.reply.content.evalue).toContain("lrlab.Trace.from_json(saved)");
    ok(await k.execute("const back_trace = lrlab.Trace.from_json(back);"));
    ok(await k.execute("%lr_compare back_trace e3"));
  }, 120_000);
});

describe("17: messages", () => {
  it("log_loss of a per-sample loss says log_loss takes one number: .mean()", async () => {
    const r = await k.execute(`const t17 = lrlab.trace(opt, { name: "t17" });
opt.zero_grad();
const perSample = new torch.nn.MSELoss({ reduction: "none" }).forward(model.forward(X), y);
t17.log_loss(perSample);`);
    expect(r.reply.content.status).toBe("error");
    expect(r.reply.content.evalue).toContain("the loss is one number per step, got a tensor of 16 elements (shape [16, 1]); reduce it first: loss.mean()");
    ok(await k.execute("t17.stop();"));
  }, 120_000);

  it("series(metric, group, name) with a group that does not hold the parameter names the group that does", async () => {
    ok(await k.execute(`%%lr_trace --name groups --per-param --no-live
const o2 = new torch.optim.SGD([{ params: [model.weight] }, { params: [model.bias], lr: 0.01 }], { lr: 0.1 });
o2.zero_grad(); loss_fn.forward(model.forward(X), y).backward(); o2.step();`));
    const r = await k.execute(`lrlab.run("groups").series("lr_per_sample", 0, "bias")`);
    expect(r.reply.content.status).toBe("error");
    expect(r.reply.content.evalue).toContain('parameter "bias" is in group 1, not group 0');
    expect(resultText(await k.execute(`lrlab.run("groups").series("lr", 1, "bias").last_value`))).toBe("0.01");
  }, 120_000);

  it("lrlab.run?? has no change history, and says how a saved run comes back", async () => {
    const r = await k.execute("lrlab.run??");
    const page = String(r.reply.content.payload[0].data["text/plain"]);
    expect(page).not.toContain("it returned undefined");
    expect(page).not.toContain("was a bare");
    expect(page).toContain("lrlab.Trace.from_json");
  }, 120_000);
});
