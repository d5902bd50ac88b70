/**
 * Two magic messages from a user's pass (session 19, userT 10) through the real kernel, each of
 * which failed before:
 * - `%lr_find model=<Tab>` offered every variable in the order made (`sched, opt, Foo, mdl2,
 *   model, helper`): it now offers the modules first, then what may lead to one (a function, an
 *   object), and not the optimizer, the scheduler, a class, a tensor or a number
 *   (magics/value_kinds.ts); `optimizer=<Tab>` likewise offers the optimizers first;
 * - `%reset` with one recorded run said "The run ... stay": one run stays, several stay.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient } from "./client";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
  // the user's variables, in the order of the pass (a scheduler and an optimizer before the models)
  const r = await k.execute([
    "const p = torch.zeros([1], { requires_grad: true });",
    "const opt = new torch.optim.SGD([p], { lr: 0.1 });",
    "const sched = new torch.optim.lr_scheduler.StepLR(opt, { step_size: 2 });",
    "class Foo { x = 1; }",
    "const mdl2 = new torch.nn.Linear(2, 1);",
    "const model = new torch.nn.Sequential(new torch.nn.Linear(3, 4), new torch.nn.ReLU(), new torch.nn.Linear(4, 1));",
    "function helper() { return model; }",
    "const bag = { model, opt };",
    "const n = 3;",
    "const t = torch.ones([2]);",
  ].join("\n"));
  expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
});
afterAll(async () => { await k?.shutdown(); });

const complete = async (code: string) => ((await k.request("complete_request", { code, cursor_pos: code.length })).content as { matches: string[] }).matches;

describe("%lr_find key=<Tab>", () => {
  it("model= offers the modules first, then what may lead to one; not the optimizer, scheduler, class, tensor or number", async () => {
    expect(await complete("%lr_find model=")).toEqual(["mdl2", "model", "bag", "helper"]);
    expect(await complete("%lr_find model=m")).toEqual(["mdl2", "model"]);
    expect(await complete("%lr_find loss=new torch.nn.MSELoss() model=")).toEqual(["mdl2", "model", "bag", "helper"]);
  });

  it("optimizer= offers the optimizers first; loss= and data= any of the user's names, as before", async () => {
    expect(await complete("%lr_find model=model optimizer=")).toEqual(["opt", "bag", "helper", "sched"]);
    expect(await complete("%lr_find model=model data=")).toEqual(expect.arrayContaining(["t", "n", "model", "opt"]));
  });
});

describe("%reset's note of the runs it keeps", () => {
  it("one run stays, several runs stay", async () => {
    const one = await k.execute("%%lr_trace --name r1 --no-live\nconst o1 = new torch.optim.SGD([torch.zeros([1], { requires_grad: true })], { lr: 0.1 }); o1.step();");
    expect(one.reply.content.status).toBe("ok");
    const a = await k.execute("%reset -f");
    expect(a.stdout).toMatch(/^Deleted \d+ names\. The run recorded by %%lr_trace --name \/ lrlab\.trace stays \(lrlab\.run_names\(\)\); lrlab\.clear_runs\(\) deletes it\.\n$/);
    const two = await k.execute("%%lr_trace --name r2 --no-live\nconst o2 = new torch.optim.SGD([torch.zeros([1], { requires_grad: true })], { lr: 0.1 }); o2.step();");
    expect(two.reply.content.status).toBe("ok");
    const b = await k.execute("%reset -f");
    expect(b.stdout).toMatch(/^Deleted \d+ names?\. The 2 runs recorded by %%lr_trace --name \/ lrlab\.trace stay \(lrlab\.run_names\(\)\); lrlab\.clear_runs\(\) deletes them, lrlab\.drop_run\(name\) one\.\n$/);
  });
});
