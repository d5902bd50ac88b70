/**
 * %lr_find after an evaluate() cell (a user's pass, porting a Transformer classifier): the model
 * was left in eval mode, and the range test ran every forward with dropout off, silently
 * (torch-lr-finder calls model.train() for its test). Now both forms (step= and loss=) train in
 * train mode, put the model back in eval mode and say so in one line; in train mode, no line.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient } from "./client";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
  const setup = await k.execute(`
torch.manual_seed(0);
class Net extends torch.nn.Module {
  fc1 = new torch.nn.Linear(4, 16);
  drop = new torch.nn.Dropout(0.3);
  fc2 = new torch.nn.Linear(16, 1);
  forward(x: torch.Tensor) { return this.fc2.forward(this.drop.forward(this.fc1.forward(x).relu())); }
}
const net = new Net();
const modes: boolean[] = [];
net.drop.register_forward_hook((mod: torch.nn.Module) => { modes.push(mod.training); });
const X = torch.randn(64, 4), Y = X.sum(1, true);
const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(X, Y), { batch_size: 16, shuffle: true });
const crit = new torch.nn.MSELoss();
const opt = new torch.optim.Adam(net.parameters(), { lr: 1e-3 });`);
  expect(setup.reply.content.status, JSON.stringify(setup.reply.content)).toBe("ok");
}, 120_000);
afterAll(async () => { await k?.shutdown(); });

const NOTE = "  the model was in eval mode (model.training false): the range test ran it in train mode "
  + "(dropout on, BatchNorm on batch statistics, as training runs it (torch-lr-finder calls model.train())); it is back in eval mode\n";

describe("%lr_find runs the range test in train mode", () => {
  it("after model.eval(), step= form: every forward in train mode, eval mode back, the note printed", async () => {
    const r = await k.execute(`modes.length = 0; net.eval();
%lr_find model=net step=(b, m) => crit.forward(m.forward(b[0]), b[1]) data=loader optimizer=opt --num-iter 20
console.log(JSON.stringify([[...new Set(modes)], modes.length === lrlab.range_test().losses.length, modes.length > 10, net.training, net.drop.training]))`);
    expect(r.reply.content.status, String(r.reply.content.evalue)).toBe("ok");
    expect(r.stdout).toContain(`\n${NOTE}`);
    expect(r.stdout.trim().split("\n").pop()).toBe("[[true],true,true,false,false]");
  }, 120_000);

  it("loss= form after eval(): the same; the suggestions equal those of the model in train mode", async () => {
    const ev = await k.execute(`modes.length = 0; net.eval();
%lr_find model=net loss=crit data=loader optimizer=opt --num-iter 30 --start-lr 1e-4 --end-lr 1
console.log(JSON.stringify([[...new Set(modes)], net.training]))`);
    expect(ev.reply.content.status, String(ev.reply.content.evalue)).toBe("ok");
    expect(ev.stdout).toContain(NOTE);
    expect(ev.stdout.trim().split("\n").pop()).toBe("[[true],false]");
    const tr = await k.execute(`net.train();
%lr_find model=net loss=crit data=loader optimizer=opt --num-iter 30 --start-lr 1e-4 --end-lr 1
console.log(net.training)`);
    expect(tr.reply.content.status, String(tr.reply.content.evalue)).toBe("ok");
    expect(tr.stdout).not.toMatch(/eval mode/);
    expect(tr.stdout.split("\n")[0]).toBe(ev.stdout.split("\n")[0]);
    expect(tr.stdout.trim().split("\n").pop()).toBe("true");
  }, 120_000);
});
