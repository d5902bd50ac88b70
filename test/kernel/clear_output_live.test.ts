/**
 * `clear_output({ wait: true }); console.log(epoch)` inside a %%lr_trace loop (the common idiom)
 * removed the live plot, and every later update, the final figure's included, went to a display
 * that was gone: the saved notebook had no plot (a user's pass, /work/scratch/s15/userC finding 2).
 * Now a magic's update after a clear_output is sent as a display_data of the same id
 * (kernel.ts magicDisplay). Failed before: the last figure message was an update_display_data
 * after the last clear_output.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient } from "./client";

let k: KernelClient;
beforeAll(async () => { k = await KernelClient.start(); });
afterAll(async () => { await k?.shutdown(); });

describe("clear_output inside a %%lr_trace cell", () => {
  it("the final figure is shown whole after the user's last clear_output", async () => {
    const r = await k.execute(`%%lr_trace --name co --batch-size 8
const model = new torch.nn.Linear(10, 1);
const optimizer = new torch.optim.SGD(model.parameters(), { lr: 1e-2 });
const X = torch.randn([8, 10]), Y = torch.randn([8, 1]);
for (let i = 0; i < 300; i++) {
  optimizer.zero_grad();
  const loss = torch.nn.functional.mse_loss(model.forward(X), Y);
  loss.backward();
  optimizer.step();
  if (i % 100 == 0) { clear_output({ wait: true }); console.log("epoch", i, loss.item()); }
}`);
    expect(r.reply.content.status).toBe("ok");
    const kinds = r.outputs.map((m) => m.header.msg_type);
    const lastClear = kinds.lastIndexOf("clear_output");
    expect(lastClear).toBeGreaterThan(0);
    const after = r.outputs.slice(lastClear + 1).filter((m) => m.header.msg_type === "display_data" || m.header.msg_type === "update_display_data");
    // a whole display of the trace's id follows the clear (its later updates, if any, reach it)
    expect(after.length).toBeGreaterThan(0);
    expect(after[0].header.msg_type).toBe("display_data");
    const id = after[0].content.transient.display_id;
    expect(id).toMatch(/^lr_trace-co/);
    expect(after.every((m) => m.content.transient.display_id === id)).toBe(true);
    expect(Object.keys(after[after.length - 1].content.data)).toContain("image/svg+xml");
  });

  it("without clear_output the live display is updated in place, as before", async () => {
    const r = await k.execute(`%%lr_trace --name co2 --batch-size 8
const m2 = new torch.nn.Linear(10, 1);
const o2 = new torch.optim.SGD(m2.parameters(), { lr: 1e-2 });
const X2 = torch.randn([8, 10]), Y2 = torch.randn([8, 1]);
for (let i = 0; i < 300; i++) {
  o2.zero_grad();
  torch.nn.functional.mse_loss(m2.forward(X2), Y2).backward();
  o2.step();
}`);
    const shows = r.outputs.filter((m) => m.header.msg_type === "display_data" && /^lr_trace-co2/.test(m.content.transient?.display_id ?? ""));
    expect(shows).toHaveLength(1);
  });
});
