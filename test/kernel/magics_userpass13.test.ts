/**
 * A teacher's pass through JupyterLab (userpass13), through the real kernel: each test failed
 * before its fix. F3 a step's own batch size in a %%lr_trace cell; F8 a repeated %lr_find gives the
 * same suggestions and leaves the session's random state alone; F9 a series' echo; F10 re-run
 * trace cells do not stack tracers; F11 lrlab.run("nope"); F12 no "no optimizer stepped" note
 * for a cell that raised; F15 %lr_schedule OneCycleLR with --steps past total_steps.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, ofType, resultText } from "./client";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
  await k.execute(`
torch.manual_seed(0);
const X = torch.randn(100, 4); const Y = X.sum(1, true);
const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(X, Y), { batch_size: 32, shuffle: true });
const loss_fn = new torch.nn.MSELoss();`);
});
afterAll(async () => { await k?.shutdown(); });

type Result = Awaited<ReturnType<KernelClient["execute"]>>;
const stderrOf = (r: Result) => ofType(r, "stream").filter((m) => m.content.name === "stderr").map((m) => m.content.text).join("");
const texts = (r: Result) => r.outputs.filter((m) => m.header.msg_type === "display_data" || m.header.msg_type === "update_display_data")
  .map((m) => String(m.content.data["text/plain"] ?? "")).join("\n");

describe("F3: a step's own batch size in a %%lr_trace cell", () => {
  it("_lr_trace.log_loss(loss, { batch_size: x.shape[0] }): the last batch of 4 gets 0.1/4; the help says how", async () => {
    const r = await k.execute(`%%lr_trace --name partial --batch-size 32 --no-live
const m = new torch.nn.Linear(4, 1);
const o = new torch.optim.SGD(m.parameters(), { lr: 0.1 });
const seen: string[] = [];
for (const [x, y] of loader) {
  o.zero_grad(); const l = loss_fn.forward(m.forward(x), y); l.backward();
  _lr_trace.log_loss(l, { batch_size: x.shape[0] });
  o.step();
  seen.push(x.shape[0] + " " + lrlab.run("partial").latest().lr_per_sample.toPrecision(4));
}
seen.join(", ")`);
    expect(r.reply.content.status).toBe("ok");
    expect(resultText(r)).toBe("'32 0.003125, 32 0.003125, 32 0.003125, 4 0.02500'");
    const help = await k.execute("%%lr_trace?");
    const page = help.reply.content.payload[0].data["text/plain"];
    expect(page).toContain("_lr_trace.log_loss(loss, { batch_size: x.shape[0] })");
  });
});

describe("F8: %lr_find twice", () => {
  it("gives the same suggestions, and the random state after it is the one before", async () => {
    await k.execute(`
const net = new torch.nn.Linear(4, 1);
const opt = new torch.optim.Adam(net.parameters(), { lr: 0.01 });
const rngBefore = Array.from(torch.get_rng_state().data);`);
    const a = await k.execute("%lr_find model=net loss=loss_fn data=loader optimizer=opt --num-iter 30");
    const b = await k.execute("%lr_find model=net loss=loss_fn data=loader optimizer=opt --num-iter 30");
    expect(a.reply.content.status).toBe("ok");
    expect(a.stdout).toContain("suggested lr:");
    expect(b.stdout).toBe(a.stdout);
    expect(texts(b)).toBe(texts(a));
    expect(resultText(await k.execute("Array.from(torch.get_rng_state().data).every((v, i) => v === rngBefore[i])"))).toBe("true");
    const help = await k.execute("%lr_find?");
    expect(help.reply.content.payload[0].data["text/plain"]).toContain("the random generator");
  });
});

describe("F9, F11: a recorded run in code", () => {
  it("lrlab.run(name).series(metric) echoes its steps and values", async () => {
    const r = await k.execute('lrlab.run("partial").series("lr")');
    const text = resultText(r)!;
    expect(text.split("\n")[0]).toBe('BoundedSeries "lr": 4 steps (0 to 3), one value per step');
    expect(text).not.toMatch(/Float64Array|capacity:/);
  });

  it('lrlab.run("nope") is an error naming the recorded runs, as %lr_compare nope says it', async () => {
    const r = await k.execute('lrlab.run("nope").latest()');
    expect(r.reply.content.status).toBe("error");
    expect(r.reply.content.evalue).toMatch(/^lrlab\.run: no run named "nope"; recorded runs: .*partial/);
    const c = await k.execute("%lr_compare nope");
    expect(stderrOf(c) + c.stdout + JSON.stringify(ofType(c, "error").map((e) => e.content.evalue))).toContain('no run named \\"nope\\"; recorded runs: ');
    const near = await k.execute('lrlab.run("partail")');
    expect(near.reply.content.evalue).toContain('no run named "partail" (did you mean partial?)');
  });
});

describe("F10: re-running a trace cell", () => {
  it("replaces the optimizer's trace of the same name (a note on stderr); other names and %%lr_trace coexist", async () => {
    await k.execute(`const model10 = new torch.nn.Linear(4, 1);
const opt10 = new torch.optim.SGD(model10.parameters(), { lr: 0.1 });
const traces10: any[] = [];`);
    const first = await k.execute("const tr = lrlab.trace(opt10, { batch_size: 16 }); traces10.push(tr);");
    expect(stderrOf(first)).toBe("");
    const again = await k.execute("const tr = lrlab.trace(opt10, { batch_size: 16 }); traces10.push(tr);");
    expect(stderrOf(again)).toContain('lrlab.trace: this SGD optimizer\'s trace "trace" replaces the one it had (now stopped, with its 0 steps)');
    await k.execute("const tr = lrlab.trace(opt10, { batch_size: 16 }); traces10.push(tr);");
    await k.execute("%%lr_trace --name inner --no-live\nopt10.zero_grad(); model10.forward(X).pow(2).mean().backward(); opt10.step();");
    const r = await k.execute("JSON.stringify(traces10.map((t) => [t.active, t.steps]))");
    expect(resultText(r)).toBe(`'[[false,0],[false,0],[true,1]]'`);
  });
});

describe("F12: a %%lr_trace cell that raises before its first step", () => {
  it("shows its error alone (no 'no optimizer stepped' note above it); a cell that runs without a step still gets the note", async () => {
    const r = await k.execute(`%%lr_trace --name early
const m12 = new torch.nn.Linear(5, 1);
const o12 = new torch.optim.SGD(m12.parameters(), { lr: 0.1 });
o12.zero_grad(); loss_fn.forward(m12.forward(X), Y).backward(); o12.step();`);
    expect(r.reply.content.status).toBe("error");
    expect(texts(r) + r.stdout + stderrOf(r)).not.toContain("no optimizer stepped");
    const quiet = await k.execute("%%lr_trace --name nothing\nconst n12 = 1;");
    expect(quiet.reply.content.status).toBe("ok");
    expect(texts(quiet)).toContain("%%lr_trace: no optimizer stepped in this cell");
  });
});

describe("F15: %lr_schedule OneCycleLR with --steps past total_steps", () => {
  it("keeps PyTorch's message and says that --steps exceeds total_steps and can be left out", async () => {
    const r = await k.execute("%lr_schedule OneCycleLR max_lr=0.1 total_steps=100 --steps 150");
    expect(r.reply.content.status).toBe("error");
    const msg = ofType(r, "error").map((e) => e.content.evalue + "\n" + e.content.traceback.join("\n")).join("\n");
    expect(msg).toContain("Tried to step 101 times. The specified number of total steps is 100. --steps 150 exceeds total_steps (100), "
      + "where OneCycleLR's schedule ends; leave --steps out (the preview then runs total_steps steps), or give --steps 100 or fewer");
    const e = await k.execute("%lr_schedule OneCycleLR max_lr=0.1 epochs=2 steps_per_epoch=10 --steps 30");
    expect(ofType(e, "error").map((m) => m.content.evalue).join("")).toContain("--steps 30 exceeds total_steps = epochs × steps_per_epoch (20)");
    // what the hint promises: without --steps, and with total_steps steps, it runs
    expect((await k.execute("%lr_schedule OneCycleLR max_lr=0.1 total_steps=100")).reply.content.status).toBe("ok");
    expect((await k.execute("%lr_schedule OneCycleLR max_lr=0.1 total_steps=100 --steps 100")).reply.content.status).toBe("ok");
  });
});
