/**
 * The text a text-only client reads of a running %%lr_trace (a teacher's pass, in jupyter console:
 * it prints display_data's text/plain and ignores update_display_data, so the first live output is
 * all it shows). That text was the summary of the steps so far, "adam (Adam): 1 step", which read
 * as a run of one step. Now it says what is traced, the latest step's configured and effective lr
 * (and loss), the step count from the second step on, and how to read the summary in such a
 * client; the final update is the run's summary. Through the real kernel, README's Adam cell.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, errorText as error } from "../kernel/client";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
});
afterAll(async () => { await k?.shutdown(); });

const README_CELL = [
  "%%lr_trace --name adam --batch-size 32 --per-param",
  "torch.manual_seed(0);",
  "const X = torch.randn([256, 10]);",
  "const Y = X.matmul(torch.randn([10, 1])).add(torch.randn([256, 1]).mul(0.1));",
  "const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(X, Y), { batch_size: 32, shuffle: true });",
  "const model = new torch.nn.Sequential(new torch.nn.Linear(10, 32), new torch.nn.ReLU(), new torch.nn.Linear(32, 1));",
  "const optimizer = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });",
  "const loss_fn = new torch.nn.MSELoss();",
  "for (let epoch = 0; epoch < 60; epoch++) {",
  "  for (const [x, y] of loader) {",
  "    optimizer.zero_grad();",
  "    const loss = loss_fn.forward(model.forward(x), y);",
  "    loss.backward();",
  "    _lr_trace.log_loss(loss);",
  "    optimizer.step();",
  "  }",
  // a pause half-way, longer than the live updates' interval (lr_trace.ts LIVE_INTERVAL_MS): the
  // run gets at least one update between its first output and its summary however fast it trains
  "  if (epoch === 30) { const until = Date.now() + 300; while (Date.now() < until) {} }",
  "}",
].join("\n");

describe("a running %%lr_trace's text", () => {
  it("says from its first output what is traced and the first step's rates, then the step count, and ends on the summary", async () => {
    const r = await k.execute(README_CELL);
    expect(r.reply.content.status, error(r)).toBe("ok");
    const texts = r.outputs
      .filter((m) => m.header.msg_type === "display_data" || m.header.msg_type === "update_display_data")
      .map((m) => ({ type: m.header.msg_type, text: String(m.content.data["text/plain"]) }));
    // what a client that ignores updates (jupyter console) shows: the first output alone
    expect(texts[0].type).toBe("display_data");
    const first = texts[0].text;
    expect(first).not.toMatch(/\b1 step\b/);
    expect(first.split("\n")[0]).toBe("%%lr_trace adam: tracing Adam (1 parameter group, with per-parameter lines), running");
    expect(first).toMatch(/\n {2}first step: lr 0\.001, effective lr \(lr_projected\) [0-9.e-]+; loss [0-9.e-]+\n/);
    expect(first).toContain("lrlab.run(\"adam\") after the cell");
    // the live updates: the step count
    const live = texts.slice(1, -1);
    expect(live.length).toBeGreaterThan(0);
    for (const t of live) expect(t.text).toMatch(/\n {2}step \d+: lr 0\.001, effective lr \(lr_projected\) /);
    // the last: the run's summary
    const last = texts[texts.length - 1].text;
    expect(last.split("\n").slice(0, 2)).toEqual(["Effective learning rate", "adam (Adam): 480 steps"]);
    expect(last).not.toContain("running");
    // and what the first output names, for a console: the same summary
    const again = await k.execute("lrlab.run(\"adam\")");
    expect(again.outputs.find((m) => m.header.msg_type === "execute_result")?.content.data["text/plain"]).toBe(last);
  }, 120_000);
});
