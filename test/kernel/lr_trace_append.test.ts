/**
 * Through the real kernel (userpass14, /work/scratch/s14/userA c17.txt, c21.txt): each test failed
 * before its fix.
 *   8   `%%lr_trace --name resume --append`: training split over cells, and resumed from a
 *       checkpoint with a new optimizer, is one run (steps 0..14, its plot and %lr_compare show
 *       all of them); another model is an error naming the difference; a continued run does not
 *       update an earlier cell's live plot; `%%lr_trace?` and Tab list --append;
 *   10  a sum-reduced loss logged to a mean-reduced trace warns once, in a %%lr_trace cell and
 *       for lrlab.trace; not with --reduction sum.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, ofType, resultText } from "./client";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
  await k.execute(`
torch.manual_seed(0);
const X = torch.randn([128, 10]); const y = torch.randn([128, 1]);
const model = new torch.nn.Sequential(new torch.nn.Linear(10, 32), new torch.nn.Tanh(), new torch.nn.Linear(32, 1));
const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-2 });
const lf = new torch.nn.MSELoss();
function steps(m: any, o: any, n: number) { for (let i = 0; i < n; i++) { o.zero_grad(); const l = lf.forward(m.forward(X), y); l.backward(); o.step(); } }`);
}, 120_000);
afterAll(async () => { await k?.shutdown(); });

type Result = Awaited<ReturnType<KernelClient["execute"]>>;
const stderrOf = (r: Result) => ofType(r, "stream").filter((m) => m.content.name === "stderr").map((m) => m.content.text).join("");
const ok = (r: Result) => expect(r.reply.content.status, `${r.reply.content.ename}: ${r.reply.content.evalue}`).toBe("ok");
const plotText = (r: Result) => [...ofType(r, "display_data"), ...ofType(r, "update_display_data")].map((m) => String(m.content.data["text/plain"] ?? "")).pop() ?? "";

describe("8: %%lr_trace --append", () => {
  it("two cells and a checkpoint reload are one run of 15 steps; its plot and %lr_compare carry them all", async () => {
    ok(await k.execute(`%%lr_trace --name resume --batch-size 128 --no-live
steps(model, opt, 5);`));
    const two = await k.execute(`%%lr_trace --name resume --append --no-live
steps(model, opt, 5);`);
    ok(two);
    expect(plotText(two)).toContain("resume (Adam): 10 steps");
    ok(await k.execute(`const ck = { m: model.state_dict(), o: opt.state_dict() };
const m2 = new torch.nn.Sequential(new torch.nn.Linear(10, 32), new torch.nn.Tanh(), new torch.nn.Linear(32, 1));
m2.load_state_dict(ck.m);
const o2 = new torch.optim.Adam(m2.parameters(), { lr: 1e-2 });
o2.load_state_dict(ck.o);`));
    const three = await k.execute(`%%lr_trace --name resume --append --no-live
steps(m2, o2, 5);`);
    ok(three);
    expect(stderrOf(three)).toBe("");
    const r = await k.execute(`const r = lrlab.run("resume"); JSON.stringify([r.steps, r.series("lr").columns().x, r.latest()!.lr_per_sample! > 0, r.single().optimizer === null])`);
    // the cell stopped the run: it keeps its series, not the optimizer (trace.ts `optimizer`)
    expect(resultText(r)).toBe(`'[15,[${Array.from({ length: 15 }, (_, i) => i).join(",")}],true,true]'`);
    const cmp = await k.execute("%lr_compare resume --metric lr_per_sample");
    ok(cmp);
    const payload = JSON.stringify(ofType(cmp, "display_data").map((m) => m.content.data["application/vnd.lrlab.plot+json"] ?? null));
    expect(payload).toContain("14"); // the last step is on the plot
    expect(plotText(cmp)).toContain("15 steps");
  }, 120_000);

  it("a model of other shapes is an error naming the difference; the run keeps its steps", async () => {
    const bad = await k.execute(`%%lr_trace --name resume --append --no-live
const m3 = new torch.nn.Sequential(new torch.nn.Linear(10, 16), new torch.nn.Tanh(), new torch.nn.Linear(16, 1));
const o3 = new torch.optim.Adam(m3.parameters(), { lr: 1e-2 });
steps(m3, o3, 1);`);
    expect(bad.reply.content.status).toBe("error");
    expect(bad.reply.content.evalue).toContain('this Adam optimizer cannot continue the run "resume": its group 0, parameter 0 (the run\'s "0.0") has shape [16, 10], the run\'s had [32, 10]');
    expect(bad.reply.content.evalue).toContain("give it another name");
    expect(resultText(await k.execute(`lrlab.run("resume").steps`))).toBe("15");
    const opts = await k.execute(`%%lr_trace --name resume --append --reduction sum --no-live
steps(m2, o2, 1);`);
    expect(opts.reply.content.status).toBe("error");
    expect(opts.reply.content.evalue).toContain('--append continues the run "resume" as it was recorded, and this gives reduction "sum" (the run\'s: "mean")');
    // in code: lrlab.trace(optimizer, { name, append: true }) type-checks and goes on from step 15
    const code = await k.execute(`const tr = lrlab.trace(o2, { name: "resume", append: true });
steps(m2, o2, 2); tr.stop();
JSON.stringify([tr.steps, lrlab.run("resume").steps, tr.latest()!.step])`);
    ok(code);
    expect(resultText(code)).toBe("'[17,17,16]'");
  }, 120_000);

  it("a continued run's live plot is the new cell's: the first cell's plot is not updated", async () => {
    const first = await k.execute(`%%lr_trace --name livecont
steps(model, opt, 3);`);
    ok(first);
    const firstIds = new Set([...ofType(first, "display_data"), ...ofType(first, "update_display_data")].map((m) => m.content.transient?.display_id));
    expect(firstIds.size).toBe(1);
    const log = (k as unknown as { iopubLog: { header: { msg_type: string }; content: { transient?: { display_id?: string } } }[] }).iopubLog;
    const from = log.length;
    const second = await k.execute(`%%lr_trace --name livecont --append
steps(model, opt, 3);`);
    ok(second);
    const touched = log.slice(from).filter((m) => /display_data/.test(m.header.msg_type)).map((m) => m.content.transient?.display_id);
    expect(touched.length).toBeGreaterThan(0);
    for (const id of touched) expect(firstIds.has(id)).toBe(false);
    expect(plotText(second)).toContain("livecont (Adam): 6 steps");
  }, 120_000);

  it("%%lr_trace? and Tab list --append", async () => {
    const help = await k.execute("%%lr_trace?");
    const page = String(help.reply.content.payload[0].data["text/plain"]);
    expect(page).toContain("--append");
    expect(page).toContain("continues the run of that --name");
    const c = (await k.request("complete_request", { code: "%%lr_trace --app", cursor_pos: 16 })).content;
    expect(c.matches).toEqual(["--append"]);
  }, 120_000);
});

describe("10: a sum-reduced loss under the default reduction", () => {
  it("a %%lr_trace cell logging CrossEntropyLoss({ reduction: 'sum' }) warns once; --reduction sum does not", async () => {
    ok(await k.execute(`
torch.manual_seed(0);
const Xc = torch.randn([64, 8]); const yc = torch.randint(0, 3, [64]);
const head = new torch.nn.Linear(8, 3);
const oh = new torch.optim.SGD(head.parameters(), { lr: 0.1 });
const ce_sum = new torch.nn.CrossEntropyLoss({ reduction: "sum" });
function sumSteps(n: number, log: (l: any) => void) { for (let i = 0; i < n; i++) { oh.zero_grad(); const loss = ce_sum.forward(head.forward(Xc), yc); loss.backward(); log(loss); oh.step(); } }`));
    const r = await k.execute(`%%lr_trace --name two --batch-size 64 --no-live
sumSteps(5, (l) => _lr_trace.log_loss(l));`);
    ok(r);
    const err = stderrOf(r);
    expect(err.match(/computed with reduction "sum"/g)?.length).toBe(1);
    expect(err).toContain("--reduction sum");
    const s = await k.execute(`%%lr_trace --name two_sum --batch-size 64 --reduction sum --no-live
sumSteps(2, (l) => _lr_trace.log_loss(l));`);
    ok(s);
    expect(stderrOf(s)).toBe("");
    expect(resultText(await k.execute(`Math.abs(lrlab.run("two_sum").latest()!.lr_per_sample! - 0.1) < 1e-6`))).toBe("true");
  }, 120_000);

  it("lrlab.trace: the user's cell (c17 ptrace) warns; a number logged does not", async () => {
    const r = await k.execute(`const t = lrlab.trace(oh, { batch_size: 64, name: "sumcheck" });
sumSteps(1, (l) => t.log_loss(l)); t.stop();`);
    ok(r);
    expect(stderrOf(r)).toContain('the loss logged to the trace "sumcheck" was computed with reduction "sum"');
    const n = await k.execute(`const t2 = lrlab.trace(oh, { batch_size: 64, name: "sumnum" });
sumSteps(1, (l) => t2.log_loss(l.item())); t2.stop();`);
    ok(n);
    expect(stderrOf(n)).toBe("");
  }, 120_000);
});
