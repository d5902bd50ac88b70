/**
 * Through the real kernel (session 17, an optimization researcher's pass): each test failed
 * before its fix.
 *   1  two optimizers in one `%%lr_trace` cell split one loss series between them (step 0's to
 *      the first, the others to the one that stepped last; the text showed step 0's loss as the
 *      first run's latest): each run's steps all get the loss `_lr_trace.log_loss` logs, and
 *      `_lr_trace.get(opt).log_loss` logs one run's own;
 *   2  LBFGS with the loss logged in the closure: `%%lr_trace` dropped step 0 and each step's loss
 *      was the last line-search evaluation's; it is the first (what step() returns), from either
 *      `_lr_trace.log_loss` or `lrlab.trace(opt).log_loss`;
 *   3  `%lr_compare gan:Adam gan:SGD` (the labels the legend and text write) said there was no
 *      run of that name: they are names, in %lr_compare and lrlab.run.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, ofType, resultText } from "./client";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
  const r = await k.execute(`
torch.manual_seed(0);
const X = torch.randn([64, 6]); const Y = torch.randn([64, 1]);
const loss_fn = new torch.nn.MSELoss();
let seed = 1;
function mkmodel() { torch.manual_seed(seed++); return new torch.nn.Sequential(new torch.nn.Linear(6, 8), new torch.nn.Tanh(), new torch.nn.Linear(8, 1)); }
function mkloader(b: number): [any, any][] { const out: [any, any][] = []; for (let i = 0; i < 64; i += b) out.push([X.narrow(0, i, b), Y.narrow(0, i, b)]); return out; }
const lossX = (name: string) => { const c = lrlab.run(name).series("loss")!.columns(); return [c.x, c.mean]; };`);
  expect(r.reply.content.status, `${r.reply.content.evalue}`).toBe("ok");
}, 120_000);
afterAll(async () => { await k?.shutdown(); });

type Result = Awaited<ReturnType<KernelClient["execute"]>>;
const ok = (r: Result) => expect(r.reply.content.status, `${r.reply.content.ename}: ${r.reply.content.evalue}`).toBe("ok");
const plotText = (r: Result) => [...ofType(r, "display_data"), ...ofType(r, "update_display_data")].map((m) => String(m.content.data["text/plain"] ?? "")).pop() ?? "";
const value = async (code: string) => {
  const r = await k.execute(`JSON.stringify(${code})`);
  ok(r);
  return JSON.parse(eval(resultText(r) as string) as string);
};

describe("1: two optimizers in one %%lr_trace cell", () => {
  it("each run's four steps get the cell's loss; the text's latest loss is the last step's", async () => {
    const cell = await k.execute(`%%lr_trace --name gan --batch-size 16 --no-live
const g1 = mkmodel(); const g2 = mkmodel(); const ls: number[] = [];
const og1 = new torch.optim.Adam(g1.parameters(), { lr: 0.01 }); const og2 = new torch.optim.SGD(g2.parameters(), { lr: 0.05 });
for (const [x, y] of mkloader(16)) { og1.zero_grad(); og2.zero_grad(); const l = loss_fn.forward(g1.forward(x).add(g2.forward(x)), y);
  l.backward(); ls.push(l.item()); _lr_trace.log_loss(l); og1.step(); og2.step(); }`);
    ok(cell);
    const ls: number[] = await value("ls");
    expect(ls).toHaveLength(4);
    expect(await value(`lossX("gan:Adam")`)).toEqual([[0, 1, 2, 3], ls]);
    expect(await value(`lossX("gan:SGD")`)).toEqual([[0, 1, 2, 3], ls]);
    expect(await value(`lrlab.run("gan").traces.map((t) => t.latest()!.loss)`)).toEqual([ls[3], ls[3]]);
    const text = plotText(cell);
    const lossLines = text.split("\n").filter((s) => /^\s+loss /.test(s));
    expect(lossLines).toHaveLength(2);
    expect(lossLines[0]).toBe(lossLines[1]); // both the last step's (was: step 0's for Adam)
    expect(text).toContain("gan:Adam (Adam): 4 steps");
  }, 120_000);

  it("two SGDs; a loss logged on one run is that run's only", async () => {
    ok(await k.execute(`%%lr_trace --name two --no-live
const a = mkmodel(); const b = mkmodel(); const la: number[] = [], lb: number[] = [];
const oa = new torch.optim.SGD(a.parameters(), { lr: 0.05 }); const ob = new torch.optim.SGD(b.parameters(), { lr: 0.05, momentum: 0.9 });
for (const [x, y] of mkloader(16)) { oa.zero_grad(); ob.zero_grad();
  const l1 = loss_fn.forward(a.forward(x), y), l2 = loss_fn.forward(b.forward(x), y); l1.backward(); l2.backward();
  la.push(l1.item()); lb.push(l2.item()); oa.step(); ob.step(); _lr_trace.get(oa)!.log_loss(l1); _lr_trace.get(ob)!.log_loss(l2); }`));
    expect(await value(`lossX("two:SGD")`)).toEqual([[0, 1, 2, 3], await value("la")]);
    expect(await value(`lossX("two:SGD#2")`)).toEqual([[0, 1, 2, 3], await value("lb")]);
  }, 120_000);
});

describe("2: LBFGS, the loss logged in its closure", () => {
  it("%%lr_trace: steps 0..3, each the closure's first evaluation (what step() returns)", async () => {
    ok(await k.execute(`%%lr_trace --name lb4 --batch-size 64 --no-live
const m5 = mkmodel(); const o5 = new torch.optim.LBFGS(m5.parameters(), { lr: 1, max_iter: 5 }); const r5: number[] = [];
for (let i = 0; i < 4; i++) { r5.push(o5.step(() => { o5.zero_grad(); const l = loss_fn.forward(m5.forward(X), Y); l.backward(); _lr_trace.log_loss(l); return l; }).item()); }`));
    expect(await value(`lossX("lb4")`)).toEqual([[0, 1, 2, 3], await value("r5")]);
  }, 120_000);

  it("lrlab.trace(opt, { name }) and its log_loss: the same", async () => {
    ok(await k.execute(`const m6 = mkmodel(); const o6 = new torch.optim.LBFGS(m6.parameters(), { lr: 1, max_iter: 5 }); const r6: number[] = [];
const tr6 = lrlab.trace(o6, { name: "lb6" });
for (let i = 0; i < 4; i++) { r6.push(o6.step(() => { o6.zero_grad(); const l = loss_fn.forward(m6.forward(X), Y); l.backward(); tr6.log_loss(l); return l; }).item()); }`));
    expect(await value(`lossX("lb6")`)).toEqual([[0, 1, 2, 3], await value("r6")]);
  }, 120_000);
});

describe("3: the labels of a run of several optimizers are names", () => {
  it("%lr_compare gan:Adam gan:SGD plots the two; lrlab.run takes them; an unknown label lists them", async () => {
    const cmp = await k.execute("%lr_compare gan:Adam gan:SGD --metric loss");
    ok(cmp);
    const p = ofType(cmp, "display_data").map((m) => m.content.data["application/vnd.lrlab.plot+json"]).find((x) => x);
    expect(p).toBeTruthy();
    const names = [...new Set((p.series as { name: string; metric: string }[]).filter((s) => s.metric === "loss").map((s) => s.name))];
    expect(names).toEqual(["gan:Adam", "gan:SGD"]);
    expect(await value(`lrlab.run("gan:SGD").single().optimizer_name`)).toBe("SGD");
    const bad = await k.execute("%lr_compare gan:RMSprop");
    expect(bad.reply.content.status).toBe("error");
    expect(bad.reply.content.evalue, bad.reply.content.evalue).toMatch(/no run named "gan:RMSprop" \(did you mean gan[^)]*\); recorded runs: gan \(gan:Adam, gan:SGD\)/);
  }, 120_000);
});
