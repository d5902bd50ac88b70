/**
 * Through the real kernel (a teacher's pass, /work/scratch/s15/userD findings.md 3): re-running a
 * `%%lr_trace --name X` cell replaced run X silently, and the %lr_compare output already in the
 * notebook no longer matched a re-run of it. The cell that replaces a run now says so, in one
 * line under its plot; the first run of a name, --append, another name and the default name
 * (a cell without --name) say nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, ofType } from "./client";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
  await k.execute(`
torch.manual_seed(0);
const X = torch.randn([32, 4]); const y = torch.randn([32, 1]);
const model = new torch.nn.Linear(4, 1);
const opt = new torch.optim.SGD(model.parameters(), { lr: 0.01 });
const lf = new torch.nn.MSELoss();
function steps(n: number, t: any) { for (let i = 0; i < n; i++) { opt.zero_grad(); const l = lf.forward(model.forward(X), y); l.backward(); t.log_loss(l); opt.step(); } }`);
}, 120_000);
afterAll(async () => { await k?.shutdown(); });

type Result = Awaited<ReturnType<KernelClient["execute"]>>;
const ok = (r: Result) => expect(r.reply.content.status, `${r.reply.content.ename}: ${r.reply.content.evalue}`).toBe("ok");
const REPLACED = /replaced the earlier run/;

describe("%%lr_trace --name X run again: the cell says that it replaced run X", () => {
  it("first run: no note; the second: one line after the plot, with the earlier run's steps and how to keep both", async () => {
    const first = await k.execute("%%lr_trace --name a --batch-size 32 --no-live\nsteps(5, _lr_trace);");
    ok(first);
    expect(first.stdout).not.toMatch(REPLACED);
    const second = await k.execute("%%lr_trace --name a --batch-size 32 --no-live\nsteps(7, _lr_trace);");
    ok(second);
    expect(second.stdout).toBe(`%%lr_trace: replaced the earlier run "a" (5 steps); to keep both, give this cell another --name, or --append to continue that run\n`);
    // after the plot, not above it
    const kinds = second.outputs.map((m) => (m.header.msg_type === "stream" ? "stream" : m.header.msg_type));
    expect(kinds.indexOf("display_data"), JSON.stringify(second.outputs.map((m) => [m.header.msg_type, m.content.name ?? "", m.content.text ?? ""]))).toBeLessThan(kinds.lastIndexOf("stream"));
    // the run is the new one, as the note says
    const cmp = await k.execute("%lr_compare a");
    ok(cmp);
    expect(String(ofType(cmp, "display_data").pop()?.content.data["text/plain"])).toContain("7 steps");
  }, 120_000);

  it("--append, another name, and the default name: no note", async () => {
    const appended = await k.execute("%%lr_trace --name a --append --no-live\nsteps(2, _lr_trace);");
    ok(appended);
    expect(appended.stdout).not.toMatch(REPLACED);
    const other = await k.execute("%%lr_trace --name b --batch-size 32 --no-live\nsteps(2, _lr_trace);");
    ok(other);
    expect(other.stdout).not.toMatch(REPLACED);
    for (let i = 0; i < 2; i++) {
      const unnamed = await k.execute("%%lr_trace --batch-size 32 --no-live\nsteps(2, _lr_trace);");
      ok(unnamed);
      expect(unnamed.stdout).not.toMatch(REPLACED);
    }
  }, 120_000);

  it("a seeded cell run again records the same numbers: no note (a re-run gives the same output)", async () => {
    const cell = `%%lr_trace --name seeded --batch-size 32 --no-live
torch.manual_seed(5);
const m5 = new torch.nn.Linear(4, 1); const o5 = new torch.optim.SGD(m5.parameters(), { lr: 0.05 });
for (let i = 0; i < 4; i++) { o5.zero_grad(); const l = lf.forward(m5.forward(X), y); l.backward(); _lr_trace.log_loss(l); o5.step(); }`;
    const outs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await k.execute(cell);
      ok(r);
      outs.push(r.stdout);
    }
    expect(outs[1]).not.toMatch(REPLACED);
    expect(outs[1]).toBe(outs[0]);
    // the same cell with another seed records other numbers: the note is back
    const changed = await k.execute(cell.replace("manual_seed(5)", "manual_seed(6)"));
    ok(changed);
    expect(changed.stdout).toMatch(/replaced the earlier run "seeded" \(4 steps\)/);
  }, 120_000);

  it("a cell that fails before any step keeps the earlier run, and says nothing of replacing it", async () => {
    const failed = await k.execute("%%lr_trace --name b --no-live\nthrow new Error(\"boom\");");
    expect(failed.reply.content.status).toBe("error");
    expect(failed.stdout).not.toMatch(REPLACED);
    const again = await k.execute("%%lr_trace --name b --batch-size 32 --no-live\nsteps(3, _lr_trace);");
    ok(again);
    expect(again.stdout).toMatch(/replaced the earlier run "b" \(2 steps\)/);
  }, 120_000);
});
