/**
 * `%lr_find`'s result in code (kernel/src/trace/range_tests.ts), through the real kernel: a
 * teacher's next cell takes the suggested rate from `lrlab.range_test(name)` instead of copying the
 * printed number by hand (before: `lrlab.run("myfind")` said no run of that name, and nothing else
 * held it).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, resultText } from "./client";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
  const setup = await k.execute(`
torch.manual_seed(0);
const Xr = torch.randn(64, 3), Yr = Xr.sum(1, true);
const ds_r = new torch.utils.data.TensorDataset(Xr, Yr);
const loader_r = new torch.utils.data.DataLoader(ds_r, { batch_size: 16 });
const net_r = new torch.nn.Linear(3, 1);
const loss_r = new torch.nn.MSELoss();`);
  expect(setup.reply.content.status, JSON.stringify(setup.reply.content)).toBe("ok");
}, 120_000);
afterAll(async () => { await k?.shutdown(); });

/** The valley rate as the magic printed it ("suggested lr: steepest a, valley b, ..."). */
function printedValley(stdout: string): number {
  const m = stdout.match(/valley ([0-9.e+-]+)/);
  expect(m, stdout).not.toBeNull();
  return Number(m![1]);
}

describe("lrlab.range_test", () => {
  it("gives the named %lr_find's RangeTest: its valley is the printed one, and the next cell can train with it", async () => {
    const r = await k.execute("%lr_find model=net_r loss=loss_r data=loader_r --start-lr 1e-4 --end-lr 1 --num-iter 40 --name myfind");
    expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
    const printed = printedValley(r.stdout);
    const v = await k.execute(`const lr_v = lrlab.range_test("myfind").suggestion("valley")!;\nlr_v`);
    // printed with 4 significant digits
    expect(Math.abs(Number(resultText(v)) / printed - 1)).toBeLessThan(5e-4);
    const t = await k.execute(`const opt_v = new torch.optim.SGD(net_r.parameters(), { lr: lr_v });\nopt_v.param_groups[0].lr === lr_v`);
    expect(resultText(t)).toBe("true");
  });

  it("without a name: the last %lr_find; a later test of the same name replaces it", async () => {
    await k.execute("%lr_find model=net_r loss=loss_r data=loader_r --start-lr 1e-3 --end-lr 1 --num-iter 30");
    expect(resultText(await k.execute(`lrlab.range_test() === lrlab.range_test("lr_find")`))).toBe("true");
    expect(resultText(await k.execute(`lrlab.range_test().lrs[0]`))).toBe("0.001");
    await k.execute("%lr_find model=net_r loss=loss_r data=loader_r --start-lr 1e-2 --end-lr 1 --num-iter 30");
    expect(resultText(await k.execute(`lrlab.range_test("lr_find").lrs[0]`))).toBe("0.01");
  });

  it("an unknown name is an error naming the tests that ran, with a close match", async () => {
    const r = await k.execute(`lrlab.range_test("myfnd")`);
    expect(r.reply.content.status).toBe("error");
    expect(String(r.reply.content.evalue)).toBe('lrlab.range_test: no %lr_find named "myfnd" (did you mean myfind?); ran: myfind, lr_find');
  });
});
