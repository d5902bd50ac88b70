/**
 * `%lr_compare run pv` through the real kernel (userV finding 2): a variable holding
 * `lrlab.preview(...)` is found among the cells' variables, drawn over the run's configured lr, and
 * the cell prints whether they agree; Tab offers the variable. It was "no run named "pv" (that
 * variable is not a trace)". The cases in detail, in-process: p21_compare_preview.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, errorText as error, plotData as plot } from "../kernel/client";

const PLOT = "application/vnd.lrlab.plot+json";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
});
afterAll(async () => { await k?.shutdown(); });

describe("%lr_compare with a preview, through the kernel", () => {
  it("draws pv over the run's lr, prints that they agree, and Tab offers pv", async () => {
    const run = await k.execute([
      "%%lr_trace --name oc --no-live",
      "const w = torch.zeros([1], { requires_grad: true });",
      "const o = new torch.optim.SGD([w], { lr: 0.1 });",
      "const s = new torch.optim.lr_scheduler.OneCycleLR(o, { max_lr: 0.1, total_steps: 64 });",
      "for (let i = 0; i < 64; i++) { o.zero_grad(); w.grad = torch.ones([1]); o.step(); s.step(); }",
    ].join("\n"));
    expect(run.reply.content.status, error(run)).toBe("ok");
    const made = await k.execute("const pv = lrlab.preview((opt) => new torch.optim.lr_scheduler.OneCycleLR(opt, { max_lr: 0.1, total_steps: 64 }), { steps: 64 });");
    expect(made.reply.content.status, error(made)).toBe("ok");
    const r = await k.execute("%lr_compare oc pv");
    expect(r.reply.content.status, error(r)).toBe("ok");
    expect(r.stdout).toContain("oc vs pv (preview): lr agrees at all 64 common steps (0–63): max abs diff 0, max rel diff 0");
    const data = plot(r);
    expect(data[PLOT].default_metric).toBe("lr");
    expect(data[PLOT].series.some((s: { name: string; metric: string }) => s.name === "pv (preview)" && s.metric === "lr")).toBe(true);
    expect(data["text/plain"]).toMatch(/^Configured learning rate: comparison\n/);
    const c = await k.request("complete_request", { code: "%lr_compare oc p", cursor_pos: 16 });
    expect(c.content.matches).toContain("pv");
  });
});
