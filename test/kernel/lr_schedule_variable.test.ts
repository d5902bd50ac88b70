/**
 * `%lr_schedule sched --steps N` through the real kernel: a scheduler a cell built, previewed by
 * its variable's name (a porter's SequentialLR(LinearLR, CosineAnnealingLR) had no line: the magic
 * took class names only). The plot and text are lrlab.preview(sched, { steps })'s, labelled with
 * the name; variable and class lines overlay; class-line options on a variable's line are refused
 * before any of the cell runs; a variable holding something else is named with what it holds;
 * the scheduler and its optimizer are unchanged afterwards; Tab offers the variables holding a
 * scheduler; the kernel goes on. Each failed before. The numbers in-process, against
 * lrlab.preview and more schedulers: test/trace/lr_schedule_variable.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, resultText, errorText as error, plotData as plot } from "./client";

const PLOT = "application/vnd.lrlab.plot+json";
type Result = Awaited<ReturnType<KernelClient["execute"]>>;
const lrNames = (r: Result) => plot(r)[PLOT].series.filter((s: { metric: string }) => s.metric === "lr").map((s: { name: string }) => s.name);

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
  // the porter's cell: AdamW on two groups, warm-up then cosine, part-way through a run
  const r = await k.execute([
    "const w = torch.zeros([2], { requires_grad: true }); const b = torch.zeros([2], { requires_grad: true });",
    "const opt = new torch.optim.AdamW([{ params: [w], weight_decay: 0.05 }, { params: [b], weight_decay: 0 }], { lr: 0.003 });",
    "const warm = new torch.optim.lr_scheduler.LinearLR(opt, { start_factor: 0.1, total_iters: 5 });",
    "const cos = new torch.optim.lr_scheduler.CosineAnnealingLR(opt, { T_max: 15 });",
    "const sched = new torch.optim.lr_scheduler.SequentialLR(opt, { schedulers: [warm, cos], milestones: [5] });",
    "for (let i = 0; i < 2; i++) { w.grad = torch.ones([2]); b.grad = torch.ones([2]); opt.step(); sched.step(); }",
    "const sopt = new torch.optim.SGD([torch.zeros([1], { requires_grad: true })], { lr: 0.1 });",
    "const step = new torch.optim.lr_scheduler.StepLR(sopt, { step_size: 5, gamma: 0.5 });",
    "const n = 5;",
  ].join("\n"));
  expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
});
afterAll(async () => { await k?.shutdown(); });

/** What the cells' scheduler and optimizer hold, as text to compare before and after. */
const STATE = "JSON.stringify([sched.state_dict(), opt.state_dict(), sched.last_epoch, sched.get_last_lr(), opt.param_groups.map((g) => g.lr), Array.from(w.grad!.data), Array.from(w.data)])";

describe("%lr_schedule <variable>", () => {
  it("previews a SequentialLR variable as lrlab.preview(sched, { steps }) does, labelled with its name, and leaves it as it was", async () => {
    const before = resultText(await k.execute(STATE));
    const r = await k.execute("%lr_schedule sched --steps 20");
    expect(r.reply.content.status, error(r)).toBe("ok");
    expect(lrNames(r)).toEqual(["sched", "sched"]); // one line per param group
    const expected = String(resultText(await k.execute("String(lrlab.preview(sched, { steps: 20, name: 'sched' }))")));
    // the cell stepped it twice: the preview goes on from there and says so (userpass20, V1)
    expect(expected).toMatch(/^'sched: 20 steps from step 2 \(the scheduler has taken 2 steps\), 2 groups; group 0: lr /);
    expect(plot(r)["text/plain"]).toContain(expected.slice(1, -1));
    // the plotted rates are lrlab.preview's (20 steps: one point per step; the payload keeps 7 digits)
    const rates: number[][] = JSON.parse(resultText(await k.execute("JSON.stringify(lrlab.preview(sched, { steps: 20 }).lrs)"))!.slice(1, -1));
    const series = plot(r)[PLOT].series.filter((s: { metric: string }) => s.metric === "lr");
    series.forEach((s: { mean: number[] }, g: number) => {
      expect(s.mean.length).toBe(20);
      s.mean.forEach((v, i) => expect(Math.abs(v - rates[g][i])).toBeLessThanOrEqual(1e-6 * rates[g][i]));
    });
    expect(resultText(await k.execute(STATE))).toBe(before);
  });

  it("overlays two variable lines, and a variable line with a class-name line, in one plot", async () => {
    const two = await k.execute("%lr_schedule step --steps 20\n%lr_schedule sched --steps 20 --name warm+cos");
    expect(two.reply.content.status, error(two)).toBe("ok");
    expect(lrNames(two)).toEqual(["step", "warm+cos", "warm+cos"]);
    const mixed = await k.execute("%lr_schedule step --steps 20\n%lr_schedule StepLR step_size=5 gamma=0.5 --steps 20");
    expect(mixed.reply.content.status, error(mixed)).toBe("ok");
    expect(lrNames(mixed)).toEqual(["step", "StepLR(step_size=5, gamma=0.5)"]);
    expect(plot(mixed)["text/plain"]).toContain("step: 20 steps, lr 0.1 → 0.0125");
  });

  it("a variable defined by the cell's code above the line is previewed", async () => {
    const r = await k.execute("const late = new torch.optim.lr_scheduler.ExponentialLR(new torch.optim.SGD([torch.zeros([1], { requires_grad: true })], { lr: 1 }), { gamma: 0.5 });\n%lr_schedule late --steps 4");
    expect(r.reply.content.status, error(r)).toBe("ok");
    expect(plot(r)["text/plain"]).toContain("late: 4 steps, lr 1 → 0.125");
  });

  it("--lr on a variable's line is a UsageError saying the scheduler has its own optimizer, and runs nothing of the cell", async () => {
    const r = await k.execute("globalThis.ranBefore = true;\n%lr_schedule sched --steps 20 --lr 0.1");
    expect(r.reply.content.status).toBe("error");
    expect(error(r)).toMatch(/^UsageError: --lr 0\.1: sched holds a SequentialLR your code built, which already has its optimizer and options .*; a variable's line takes --steps N and --name label/);
    expect(plot(r)).toBeUndefined();
    expect(resultText(await k.execute("(globalThis as any).ranBefore === undefined"))).toBe("true");
  });

  it("a variable holding a number (or not defined) is an error naming it and what is allowed", async () => {
    const r = await k.execute("%lr_schedule n --steps 10");
    expect(error(r)).toMatch(/^UsageError: n holds the number 5, not a learning-rate scheduler \(an LRScheduler\); %lr_schedule takes a scheduler class with its options/);
    expect(plot(r)).toBeUndefined();
    const none = await k.execute("%lr_schedule shed --steps 10");
    expect(error(none)).toMatch(/^UsageError: unknown scheduler "shed" \(did you mean sched\?\); valid names: .*; or a variable \(or a property of one: rq\.sched\) holding a scheduler your code built \(yours: cos, late, sched, step, warm\)/);
  });

  it("Tab after %lr_schedule offers the variables holding a scheduler, then the classes", async () => {
    const complete = async (code: string) => ((await k.request("complete_request", { code, cursor_pos: code.length })).content as { matches: string[] }).matches;
    const all = await complete("%lr_schedule ");
    expect(all.slice(0, 5)).toEqual(["cos", "late", "sched", "step", "warm"]);
    expect(all).toContain("StepLR");
    expect(all).not.toContain("opt");
    expect(all).not.toContain("n");
    expect(await complete("%lr_schedule sc")).toEqual(["sched"]);
  });

  it("the kernel keeps running, its variables intact", async () => {
    expect(resultText(await k.execute("sched.constructor.name + ' ' + (1 + 1)"))).toBe("'SequentialLR 2'");
  });
});
