/**
 * `%lr_schedule rq.sched --steps N` through the real kernel: a scheduler named by a path into a
 * variable (userS's pass, 4.1: a helper returned `{ opt, sched }`, and the line was an "unknown
 * scheduler" while `const sq = rq.sched` then `%lr_schedule sq` worked). The plot is
 * lrlab.preview(rq.sched, { steps })'s, labelled with the path; an element path works too; a path
 * holding something else is named with what it holds; class-line options on a path's line are
 * refused before any of the cell runs; Tab offers the paths one step into a plain object. Each
 * failed before. In-process, with more paths and errors: test/trace/lr_schedule_path.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, resultText, errorText as error, plotData as plot } from "./client";

const PLOT = "application/vnd.lrlab.plot+json";
type Result = Awaited<ReturnType<KernelClient["execute"]>>;
const lrNames = (r: Result) => plot(r)[PLOT].series.filter((s: { metric: string }) => s.metric === "lr").map((s: { name: string }) => s.name);

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
  // the porter's helper, as in userS's cells sched4/sched5
  const r = await k.execute([
    "function make_opt(total: number) {",
    "  const opt = new torch.optim.AdamW([torch.zeros([2], { requires_grad: true })], { lr: 0.003 });",
    "  const sched = new torch.optim.lr_scheduler.OneCycleLR(opt, { max_lr: 0.003, total_steps: total });",
    "  return { opt, sched };",
    "}",
    "const rq = make_opt(400);",
    "const runs = [make_opt(100), make_opt(200)];",
  ].join("\n"));
  expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
});
afterAll(async () => { await k?.shutdown(); });

describe("%lr_schedule <path>", () => {
  it("rq.sched is previewed as lrlab.preview(rq.sched, { steps }) does, labelled with the path", async () => {
    const r = await k.execute("%lr_schedule rq.sched --steps 400");
    expect(r.reply.content.status, error(r)).toBe("ok");
    expect(lrNames(r)).toEqual(["rq.sched"]);
    const expected = String(resultText(await k.execute("String(lrlab.preview(rq.sched, { steps: 400, name: 'rq.sched' }))")));
    expect(expected).toMatch(/^'rq\.sched: 400 steps, lr /);
    expect(plot(r)["text/plain"]).toContain(expected.slice(1, -1));
  });

  it("runs[1].sched overlays with rq.sched; without --steps a OneCycleLR runs its total_steps", async () => {
    const r = await k.execute("%lr_schedule runs[1].sched\n%lr_schedule rq.sched");
    expect(r.reply.content.status, error(r)).toBe("ok");
    expect(lrNames(r)).toEqual(["runs[1].sched", "rq.sched"]);
    expect(plot(r)["text/plain"]).toContain("runs[1].sched: 200 steps");
    expect(plot(r)["text/plain"]).toContain("rq.sched: 400 steps");
  });

  it("a path holding an optimizer, or a missing property, is named with what it holds", async () => {
    const opt = await k.execute("%lr_schedule rq.opt --steps 10");
    expect(error(opt)).toMatch(/^UsageError: rq\.opt holds an AdamW optimizer, not a learning-rate scheduler \(an LRScheduler\); /);
    const missing = await k.execute("%lr_schedule rq.shed --steps 10");
    expect(error(missing)).toBe("UsageError: rq.shed: rq holds an Object, which has no .shed (did you mean sched?); its properties: opt, sched; rq.sched holds a scheduler");
  });

  it("--lr on a path's line is refused before any of the cell runs", async () => {
    const r = await k.execute("globalThis.ranPath = true;\n%lr_schedule rq.sched --steps 20 --lr 0.1");
    expect(error(r)).toMatch(/^UsageError: --lr 0\.1: rq\.sched holds a OneCycleLR your code built, which already has its optimizer and options/);
    expect(resultText(await k.execute("(globalThis as any).ranPath === undefined"))).toBe("true");
  });

  it("Tab offers the paths one step into a plain object that hold a scheduler", async () => {
    const complete = async (code: string) => ((await k.request("complete_request", { code, cursor_pos: code.length })).content as { matches: string[] }).matches;
    expect(await complete("%lr_schedule rq.")).toEqual(["rq.sched"]);
    expect(await complete("%lr_schedule ")).toContain("rq.sched");
  });
});
