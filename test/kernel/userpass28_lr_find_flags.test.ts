/**
 * A teacher's pass (userpass28): a bad value for a %lr_find option was named by the library's
 * option name with its prefix ("find: end_lr must be finite and greater than start_lr (1)"), not
 * by the flag the line had (--end-lr). The error names the flags typed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient } from "./client";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
  await k.execute(`
const X = torch.randn(64, 4); const Y = X.sum(1, true);
const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(X, Y), { batch_size: 16 });
const net = new torch.nn.Linear(4, 1);
const loss_fn = new torch.nn.MSELoss();`);
});
afterAll(async () => { await k?.shutdown(); });

const evalue = async (line: string) => {
  const r = await k.execute(line);
  expect(r.reply.content.status).toBe("error");
  return String(r.reply.content.evalue);
};

describe("%lr_find: a bad option value is named by its flag", () => {
  it("--end-lr below --start-lr", async () => {
    const e = await evalue("%lr_find model=net loss=loss_fn data=loader --start-lr 1 --end-lr 0.001");
    expect(e).toBe("--end-lr must be finite and greater than --start-lr (1), got 0.001");
  });

  it("--num-iter over the bound, --smooth-f out of (0, 1], --diverge-th of 1", async () => {
    expect(await evalue("%lr_find model=net loss=loss_fn data=loader --num-iter 50000")).toMatch(/^--num-iter must be an integer from 2 to \d+ .*got 50000$/);
    expect(await evalue("%lr_find model=net loss=loss_fn data=loader --smooth-f 2")).toBe("--smooth-f must be in (0, 1], got 2");
    expect(await evalue("%lr_find model=net loss=loss_fn data=loader --diverge-th 1")).toBe("--diverge-th must be > 1, got 1");
  });
});
