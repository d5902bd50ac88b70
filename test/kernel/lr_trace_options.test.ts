/**
 * %%lr_trace's options and notes through the real kernel (a teacher's pass, session 17):
 * - without --batch-size, that lr_per_sample needs the batch size is said once, in the plot's text
 *   (the trace's summary); it was said again as a stdout line after the cell's own console.log;
 * - `--no-live=false` was taken as --no-live without a word: the --no-flag form takes no value
 *   now (an error saying to write --live=true/false; `--live=false` stays the boolean it says);
 * - `--every K` with `--no-live` was accepted with no effect: an error now (as %lr_schedule's
 *   --metrics for a scheduler that takes none), which says what --every does (it redraws the live
 *   plot; every step is recorded whatever K is: a user read it as recording every K-th step).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, ofType, resultText } from "./client";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
  await k.execute(`
torch.manual_seed(0);
const net = new torch.nn.Linear(3, 1);
const X = torch.randn(16, 3), Y = torch.randn(16, 1);
const loss_fn = new torch.nn.MSELoss();
function train(opt: torch.optim.Optimizer, steps: number) {
  for (let i = 0; i < steps; i++) { opt.zero_grad(); loss_fn.forward(net.forward(X), Y).backward(); opt.step(); }
}`);
}, 120_000);
afterAll(async () => { await k?.shutdown(); });

type Result = Awaited<ReturnType<KernelClient["execute"]>>;
const ok = (r: Result) => expect(r.reply.content.status, `${r.reply.content.ename}: ${r.reply.content.evalue}`).toBe("ok");
const NOTE = /lr_per_sample needs the batch size/g;
const finalText = (r: Result) => String([...ofType(r, "display_data"), ...ofType(r, "update_display_data")].pop()?.content.data["text/plain"] ?? "");

describe("a %%lr_trace without --batch-size", () => {
  it("says once, in the plot's text, that lr_per_sample needs the batch size; stdout is the cell's own", async () => {
    const r = await k.execute("%%lr_trace --name nobs --no-live\ntrain(new torch.optim.SGD(net.parameters(), { lr: 0.05 }), 3);\nconsole.log('mine');");
    ok(r);
    expect(r.stdout).toBe("mine\n");
    expect(finalText(r).match(NOTE)?.length, finalText(r)).toBe(1);
    const w = await k.execute("%%lr_trace --name withbs --batch-size 16 --no-live\ntrain(new torch.optim.SGD(net.parameters(), { lr: 0.05 }), 3);");
    ok(w);
    expect(w.stdout).toBe("");
    expect(finalText(w)).not.toMatch(NOTE);
  }, 60_000);
});

describe("%%lr_trace's boolean and live options", () => {
  it("--no-live=false is an error naming --live=true/false; --live=false is the boolean it says", async () => {
    const bad = await k.execute("%%lr_trace --name nl --no-live=false\ntrain(new torch.optim.SGD(net.parameters(), { lr: 0.05 }), 2);");
    expect(bad.reply.content.ename).toBe("UsageError");
    expect(bad.reply.content.evalue).toBe("--no-live takes no value, got --no-live=false: write --no-live alone, or --live=true / --live=false");
    const off = await k.execute("%%lr_trace --name lf --live=false\ntrain(new torch.optim.SGD(net.parameters(), { lr: 0.05 }), 2);");
    ok(off);
    expect(ofType(off, "update_display_data")).toEqual([]); // only the final plot
  }, 60_000);

  it("--every with --no-live (or --live=false) is an error; --every alone and --no-live alone are fine", async () => {
    for (const line of ["%%lr_trace --name ev --every 5 --no-live", "%%lr_trace --name ev --no-live --every 1", "%%lr_trace --name ev --live=false --every 5"]) {
      const r = await k.execute(`${line}\ntrain(new torch.optim.SGD(net.parameters(), { lr: 0.05 }), 2);`);
      expect(r.reply.content.ename, line).toBe("UsageError");
      expect(r.reply.content.evalue, line).toMatch(/^--every (\d) redraws the live plot at most every \1 steps \(every step is recorded whatever K is\), and --no-live turns the live plot off \(only the final plot is drawn\), so --every has nothing to pace: give one or the other$/);
    }
    ok(await k.execute("%%lr_trace --name ev --every 5\ntrain(new torch.optim.SGD(net.parameters(), { lr: 0.05 }), 7);"));
    // --every paces the drawing only: all 7 steps are recorded (as the message and README say)
    expect(resultText(await k.execute("lrlab.run('ev').traces[0].steps"))).toBe("7");
    ok(await k.execute("%%lr_trace --name ev2 --no-live\ntrain(new torch.optim.SGD(net.parameters(), { lr: 0.05 }), 2);"));
  }, 60_000);
  it("README's magic table and the option's help say what --every does (the table listed it with no word of it)", async () => {
    const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
    const row = readme.split("\n").find((l) => l.startsWith("| `%%lr_trace "));
    expect(row).toMatch(/`--every K`: redraws the live plot at most every K steps, while every step is recorded whatever K is; not with `--no-live`/);
    const help = await k.execute("%%lr_trace?");
    expect(String(help.reply.content.payload?.[0]?.data?.["text/plain"] ?? help.stdout)).toContain("--every <int>  redraw the live plot at most every K steps (default: 1); every step is recorded whatever K is");
  }, 60_000);
});
