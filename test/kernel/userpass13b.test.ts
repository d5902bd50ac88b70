/**
 * A researcher's pass (userpass13b), through the real kernel: each test failed before its fix.
 *   1  display(lrlab.run("tp").bundle({ params: [name] })), the call README and the plot's note
 *      recommend, shows the plot (it printed a JSON dump); a misspelt name is an error;
 *   2  a trace made with a name: lrlab.run(name) and %lr_compare name find it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, ofType } from "./client";

const PLOT_MIME = "application/vnd.lrlab.plot+json";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
  await k.execute(`
torch.manual_seed(0);
const X = torch.randn(16, 4); const Y = X.sum(1, true);
const loss_fn = new torch.nn.MSELoss();
function train(m: torch.nn.Module, o: torch.optim.Optimizer, n: number) {
  for (let s = 0; s < n; s++) { o.zero_grad(); loss_fn.forward(m.forward(X), Y).backward(); o.step(); }
}`);
}, 120_000);
afterAll(async () => { await k?.shutdown(); });

type Result = Awaited<ReturnType<KernelClient["execute"]>>;
const displays = (r: Result) => ofType(r, "display_data").map((m) => m.content.data as Record<string, unknown>);

describe("1: display(bundle)", () => {
  it("shows the plot of lrlab.run(name).bundle({ params }), and a misspelt name is an error", async () => {
    const rec = await k.execute(`%%lr_trace --name tp --per-param --no-live
const m2 = new torch.nn.Sequential(new torch.nn.Linear(4, 8), new torch.nn.Linear(8, 1));
train(m2, new torch.optim.AdamW(m2.named_parameters(), { lr: 3e-3 }), 5);`);
    expect(rec.reply.content.status).toBe("ok");
    const r = await k.execute(`display(lrlab.run("tp").bundle({ params: ["1.weight"] }))`);
    expect(r.reply.content.status).toBe("ok");
    const d = displays(r);
    expect(d.length).toBe(1);
    expect(Object.keys(d[0])).toContain(PLOT_MIME);
    expect(String(d[0]["text/plain"])).toMatch(/^Effective learning rate/);
    expect(ofType(r, "execute_result")).toEqual([]);
    const bad = await k.execute(`display(lrlab.run("tp").bundle({ params: ["1.weightt"] }))`);
    expect(bad.reply.content.status).toBe("error");
    expect(bad.reply.content.evalue).toMatch(/no parameter named "1\.weightt" \(did you mean 1\.weight\?\)/);
  }, 120_000);
});

describe("2: a named lrlab.trace is a run", () => {
  it("lrlab.run(\"mine\") and %lr_compare mine find lrlab.trace(opt, { name: \"mine\" })", async () => {
    const r = await k.execute(`
const net = new torch.nn.Linear(4, 1);
const opt = new torch.optim.SGD(net.parameters(), { lr: 0.05 });
const tr = lrlab.trace(opt, { name: "mine" });
train(net, opt, 4);
lrlab.run("mine").steps`);
    expect(r.reply.content.status).toBe("ok");
    expect(ofType(r, "execute_result")[0].content.data["text/plain"]).toBe("4");
    const cmp = await k.execute("%lr_compare mine tp");
    expect(cmp.reply.content.status).toBe("ok");
    const d = displays(cmp);
    expect(d.length).toBe(1);
    const names = new Set((d[0][PLOT_MIME] as { series: { name: string }[] }).series.map((s) => s.name));
    expect([...names].sort()).toEqual(["mine", "tp"]);
  }, 120_000);
});
