/**
 * Through the real kernel (userpassP findings 1 and 5, /work/scratch/s17/userP c10.txt, c3.txt):
 * a %%lr_trace run outlives 64 named traces that never stepped; pushed out by 64 runs that did, it
 * is said on stderr in the cell, and `lrlab.run`, `%lr_compare` and `--append` of its name say it
 * was dropped; `lrlab.drop_run`/`clear_runs` delete runs; `%reset` says the runs stay. Each failed
 * before (the run vanished silently, "no run named", --append started again at step 0).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, ofType, resultText } from "./client";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
  await k.execute(`
torch.manual_seed(0);
const X = torch.randn([32, 5]); const y = torch.randn([32, 1]);
const model = new torch.nn.Linear(5, 1);
const opt = new torch.optim.SGD(model.parameters(), { lr: 1e-2 });
const lf = new torch.nn.MSELoss();
function steps(o: any, n: number) { for (let i = 0; i < n; i++) { o.zero_grad(); lf.forward(model.forward(X), y).backward(); o.step(); } }`);
}, 120_000);
afterAll(async () => { await k?.shutdown(); });

type Result = Awaited<ReturnType<KernelClient["execute"]>>;
const stderrOf = (r: Result) => ofType(r, "stream").filter((m) => m.content.name === "stderr").map((m) => m.content.text).join("");
const stdoutOf = (r: Result) => ofType(r, "stream").filter((m) => m.content.name === "stdout").map((m) => m.content.text).join("");
const ok = (r: Result) => expect(r.reply.content.status, `${r.reply.content.ename}: ${r.reply.content.evalue}`).toBe("ok");

describe("the run limit and deleting runs", () => {
  it("64 named traces that never stepped leave a run alone; 64 that did drop it, and say so", async () => {
    ok(await k.execute(`%%lr_trace --name keep --no-live
steps(opt, 6);`));
    const empty = await k.execute(`for (let i = 0; i < 64; i++) lrlab.trace(opt, { name: "x" + i }).stop();
JSON.stringify([lrlab.run_names().includes("keep"), lrlab.run_names().length])`);
    ok(empty);
    expect(resultText(empty)).toBe("'[true,65]'");
    const many = await k.execute(`for (let i = 0; i < 64; i++) { const t = lrlab.trace(opt, { name: "s" + i }); steps(opt, 1); t.stop(); }
lrlab.run_names().filter((n) => !n.startsWith("x")).length`);
    ok(many);
    expect(resultText(many)).toBe("64");
    const said = stderrOf(many);
    expect(said).toContain('lrlab: dropped the run "keep" (6 steps): at most 64 runs that took steps are kept');
    expect(said.match(/dropped the run/g)?.length).toBe(1);
  }, 120_000);

  it("lrlab.run, %lr_compare and --append of the dropped run say it was dropped", async () => {
    const r = await k.execute(`lrlab.run("keep")`);
    expect(r.reply.content.status).toBe("error");
    expect(r.reply.content.evalue).toMatch(/^lrlab\.run: the run "keep" was dropped \(6 steps, at \d\d:\d\d:\d\d, when the run "s63" was recorded/);
    const cmp = await k.execute(`%lr_compare keep s1`);
    expect(cmp.reply.content.status).toBe("error");
    expect(cmp.reply.content.evalue).toContain('the run "keep" was dropped (6 steps');
    expect(cmp.reply.content.evalue).not.toContain("no run named");
    const ap = await k.execute(`%%lr_trace --name keep --append --no-live
steps(opt, 1);`);
    expect(ap.reply.content.status).toBe("error");
    expect(ap.reply.content.evalue).toContain('--append continues the run "keep", but the run "keep" was dropped (6 steps');
    const after = await k.execute(`lrlab.run_names().includes("keep")`);
    expect(resultText(after)).toBe("false");
  }, 120_000);

  it("drop_run and clear_runs delete runs; %reset keeps them and says how to delete them", async () => {
    ok(await k.execute(`for (let i = 0; i < 64; i++) lrlab.drop_run("x" + i); lrlab.drop_run("s0")`));
    const bad = await k.execute(`lrlab.drop_run("nope")`);
    expect(bad.reply.content.evalue).toMatch(/^lrlab\.drop_run: no run named "nope"; recorded runs: s1, s2/);
    const reset = await k.execute("%reset -f");
    ok(reset);
    expect(stdoutOf(reset)).toMatch(/Deleted \d+ names\. The 63 runs recorded by %%lr_trace --name \/ lrlab\.trace stay \(lrlab\.run_names\(\)\); lrlab\.clear_runs\(\) deletes them/);
    const n = await k.execute(`lrlab.clear_runs()`);
    expect(resultText(n)).toBe("63");
    const again = await k.execute("%reset -f");
    expect(stdoutOf(again)).not.toContain("runs");
  }, 120_000);
});
