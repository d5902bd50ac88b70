/**
 * `_lr_trace` outside its %%lr_trace cell (ts_hints.ts lrTraceOutside). A porter's `train()` kept
 * in a cell of its own, logging with `_lr_trace.log_loss(loss)`, got only "Cannot find name
 * '_lr_trace'" (a user's pass): the magic declares it for its own cell's code. The hint says so and
 * names the ways that work; each of them is run here through the real kernel.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hintFor, useLibrary } from "../../kernel/src/kernel/ts_hints";
import * as torch from "../../kernel/src/index";
import * as lrlab from "../../kernel/src/tools";
import { run_names } from "../../kernel/src/trace/runs";
import { KernelClient, resultText } from "./client";

useLibrary({ torch, lrlab, run_names });

describe("the hint", () => {
  it("says where _lr_trace exists and what to write instead", () => {
    const h = hintFor(2304, "Cannot find name '_lr_trace'.", "_lr_trace.log_loss(loss);", "function train() {\n  ");
    expect(h).toMatch(/^hint: _lr_trace is the run a %%lr_trace cell records, declared for that cell's code/);
    expect(h).toContain("function train(..., tr: lrlab.GlobalTrace) { ... tr.log_loss(loss) }, called in the %%lr_trace cell as train(..., _lr_trace)");
    expect(h).toContain("(l) => _lr_trace.log_loss(l)");
    expect(h).toContain("const trace = lrlab.trace(optimizer), then trace.log_loss(loss)");
    expect(hintFor(2552, "Cannot find name '_lr_trace'. Did you mean '_lr_tracer'?", "_lr_trace")).toBe(h);
    // another name: not this hint
    expect(hintFor(2304, "Cannot find name '_lr_traces'.", "_lr_traces")).toBeNull();
  });
});

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
  const r = await k.execute(`torch.manual_seed(0);
const X = torch.randn([32, 4]); const Y = torch.randn([32, 1]);
const model = new torch.nn.Linear(4, 1);
const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
const loss_fn = new torch.nn.MSELoss();`);
  expect(r.reply.content.status, `${r.reply.content.evalue}`).toBe("ok");
}, 120_000);
afterAll(async () => { await k?.shutdown(); });

const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");
type Result = Awaited<ReturnType<KernelClient["execute"]>>;
const ok = (r: Result) => expect(r.reply.content.status, plain(((r.reply.content.traceback as string[] | undefined) ?? []).join("\n"))).toBe("ok");
/** A value of the kernel's, through JSON (its result is the string's repr). */
const value = async (code: string) => {
  const r = await k.execute(`JSON.stringify(${code})`);
  ok(r);
  return JSON.parse(eval(resultText(r) as string) as string);
};
const steps = (run: string) => value(`lrlab.run(${JSON.stringify(run)}).series("loss")!.columns().x`);

describe("through the kernel", () => {
  it("a function of another cell using _lr_trace, before any %%lr_trace cell ran: the error and the hint", async () => {
    const r = await k.execute(`function train_bad(steps: number) {
  for (let i = 0; i < steps; i++) { opt.zero_grad(); const loss = loss_fn.forward(model.forward(X), Y); loss.backward(); _lr_trace.log_loss(loss); opt.step(); }
}`);
    expect(r.reply.content.status).toBe("error");
    const tb = (r.reply.content.traceback as string[]).map(plain);
    expect(tb.some((l) => /error TS2304: Cannot find name '_lr_trace'/.test(l)), tb.join("\n")).toBe(true);
    expect(tb.filter((l) => l.startsWith("hint: _lr_trace is the run a %%lr_trace cell records"))).toHaveLength(1);
    // at a plain cell's top level too
    const top = await k.execute("_lr_trace.log_loss(1);");
    expect((top.reply.content.traceback as string[]).map(plain).filter((l) => l.startsWith("hint: _lr_trace is the run"))).toHaveLength(1);
  }, 60_000);

  it("the hint's first way: the run passed in as lrlab.GlobalTrace", async () => {
    ok(await k.execute(`function train_tr(steps: number, tr: lrlab.GlobalTrace) {
  for (let i = 0; i < steps; i++) { opt.zero_grad(); const loss = loss_fn.forward(model.forward(X), Y); loss.backward(); tr.log_loss(loss); opt.step(); }
}`));
    ok(await k.execute("%%lr_trace --name passed --no-live\ntrain_tr(3, _lr_trace);"));
    expect(await steps("passed")).toEqual([0, 1, 2]);
  }, 60_000);

  it("a callback, and lrlab.trace in code", async () => {
    ok(await k.execute(`function train_cb(steps: number, log: (loss: torch.Tensor) => void) {
  for (let i = 0; i < steps; i++) { opt.zero_grad(); const loss = loss_fn.forward(model.forward(X), Y); loss.backward(); log(loss); opt.step(); }
}`));
    ok(await k.execute("%%lr_trace --name callback --no-live\ntrain_cb(2, (l) => _lr_trace.log_loss(l));"));
    expect(await steps("callback")).toEqual([0, 1]);
    ok(await k.execute("const trace = lrlab.trace(opt);\ntrain_cb(2, (l) => trace.log_loss(l));\ntrace.stop();"));
    expect(await value("trace.series('loss')!.columns().x")).toEqual([0, 1]);
  }, 60_000);
});
