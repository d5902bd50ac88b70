/**
 * The magic findings of a teacher's pass (userpassB), through the real kernel:
 * - F1: `%lr_compare a b --metric lr_momentum_steady` (angular_update, param_norm, momentum...)
 *   opens on the metric the runs recorded (it said "was not recorded ... showing lr"), and
 *   `%%lr_trace --metrics lr_projected,lr_momentum_steady` plots both (it dropped the second); a
 *   run that records a metric without values (Adam's steady state) is told so truthfully;
 * - F15: a `%%lr_trace` without a batch size says under its plot that the per-sample lr needs one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient } from "./client";

const PLOT = "application/vnd.lrlab.plot+json";
let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
  await k.execute(`
torch.manual_seed(0);
const net = new torch.nn.Linear(3, 1);
const X = torch.randn(16, 3), Y = torch.randn(16, 1);
const loss_fn = new torch.nn.MSELoss();
function train(opt: torch.optim.Optimizer, steps: number) {
  for (let i = 0; i < steps; i++) {
    opt.zero_grad();
    const l = loss_fn.forward(net.forward(X), Y);
    l.backward();
    opt.step();
  }
}`);
}, 120_000);
afterAll(async () => { await k?.shutdown(); });

type Reply = Awaited<ReturnType<KernelClient["execute"]>>;
const plotOf = (r: Reply) => {
  const m = r.outputs.filter((o) => (o.header.msg_type === "display_data" || o.header.msg_type === "update_display_data") && o.content.data[PLOT]);
  return m[m.length - 1]?.content.data[PLOT];
};

describe("every recorded metric can be plotted", () => {
  it("%lr_compare --metric opens on lr_momentum_steady, angular_update, param_norm, momentum", async () => {
    await k.execute("%%lr_trace --name bsgd --batch-size 16 --no-live\ntrain(new torch.optim.SGD(net.parameters(), { lr: 0.05 }), 5);");
    await k.execute("%%lr_trace --name bmom --batch-size 16 --no-live\ntrain(new torch.optim.SGD(net.parameters(), { lr: 0.05, momentum: 0.9 }), 5);");
    for (const metric of ["lr_momentum_steady", "angular_update", "param_norm", "momentum", "weight_decay"]) {
      const r = await k.execute(`%lr_compare bsgd bmom --metric ${metric}`);
      expect(r.reply.content.status, metric).toBe("ok");
      expect(r.stdout, metric).toBe("");
      expect(plotOf(r).default_metric, metric).toBe(metric);
    }
    const steady = plotOf(await k.execute("%lr_compare bmom --metric lr_momentum_steady")).series.find((s: any) => s.metric === "lr_momentum_steady");
    expect(steady.mean[0]).toBeCloseTo(0.5, 9);
  }, 120_000);

  it("%%lr_trace --metrics lr_projected,lr_momentum_steady plots both", async () => {
    const r = await k.execute("%%lr_trace --name twoM --batch-size 16 --no-live --metrics lr_projected,lr_momentum_steady\n"
      + "train(new torch.optim.SGD(net.parameters(), { lr: 0.05, momentum: 0.9 }), 5);");
    // and the configured lr, recorded whatever --metrics says (session 17: the 'over the run' line needs it)
    expect(plotOf(r).metrics.map((m: { key: string }) => m.key)).toEqual(["lr", "lr_projected", "lr_momentum_steady"]);
  }, 60_000);

  it("a run that records a metric without values is told so, not 'was not recorded'", async () => {
    await k.execute("%%lr_trace --name badam --batch-size 16 --no-live\ntrain(new torch.optim.Adam(net.parameters(), { lr: 0.01 }), 5);");
    const r = await k.execute("%lr_compare badam --metric lr_momentum_steady");
    expect(r.stdout).toMatch(/^%lr_compare: badam recorded no value of lr_momentum_steady \(only SGD and RMSprop have one: γ\(1−τ\)\/\(1−μ\)\); showing \w+\n?$/);
  }, 60_000);
});

describe("a %%lr_trace without --batch-size", () => {
  it("says under its plot that the per-sample lr needs the batch size; with it, nothing", async () => {
    const r = await k.execute("%%lr_trace --name nobs --no-live\ntrain(new torch.optim.SGD(net.parameters(), { lr: 0.05 }), 3);");
    expect(plotOf(r).metrics.map((m: { key: string }) => m.key)).not.toContain("lr_per_sample");
    // said once, in the plot's text (its stdout repeat was dropped: test/kernel/lr_trace_options.test.ts)
    expect(r.stdout).toBe("");
    const w = await k.execute("%%lr_trace --name withbs --batch-size 16 --no-live\ntrain(new torch.optim.SGD(net.parameters(), { lr: 0.05 }), 3);");
    expect(w.stdout).toBe("");
  }, 60_000);
});

describe("user A's F9: %lr_compare --x samples", () => {
  it("compares runs of different batch sizes at equal data; a run without one is a usage error", async () => {
    await k.execute("%%lr_trace --name xs16 --batch-size 16 --no-live\ntrain(new torch.optim.SGD(net.parameters(), { lr: 0.05 }), 4);");
    await k.execute("%%lr_trace --name xs64 --batch-size 64 --no-live\ntrain(new torch.optim.SGD(net.parameters(), { lr: 0.05 }), 1);");
    const r = await k.execute("%lr_compare xs16 xs64 --x samples");
    expect(r.reply.content.status).toBe("ok");
    const p = plotOf(r);
    expect(p.x_label).toBe("samples seen");
    const lr = (name: string) => p.series.find((s: any) => s.name === name && s.metric === "lr");
    expect(lr("xs16").x).toEqual([16, 32, 48, 64]);
    expect(lr("xs64").x).toEqual([64]);
    await k.execute("%%lr_trace --name xsnone --no-live\ntrain(new torch.optim.SGD(net.parameters(), { lr: 0.05 }), 2);");
    const bad = await k.execute("%lr_compare xs16 xsnone --x samples");
    expect(bad.reply.content.ename).toBe("UsageError");
    expect(bad.reply.content.evalue).toContain('run "xsnone" has no batch size');
    const wrong = await k.execute("%lr_compare xs16 --x epochs");
    expect(wrong.reply.content.ename).toBe("UsageError");
  }, 60_000);
});
