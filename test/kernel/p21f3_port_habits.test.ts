/**
 * Two PyTorch habits of a porting user's pass, through the real kernel (typed cells):
 * - `best = copy.deepcopy(model.state_dict())` ported as `structuredClone(model.state_dict())` was
 *   Node's bare "DataCloneError: #<Object> could not be cloned."; the error now has a hint naming
 *   the copy that works, and that copy is checked to be one (it does not follow the weights, and
 *   load_state_dict restores it).
 * - `clip_grad_norm_(model.parameters(), max_norm=1.0, norm_type=2)` ported as one options object
 *   was TS2345 ("not assignable to parameter of type 'number'"); it now compiles and clips.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, resultText } from "./client";
import { STATE_DICT_COPY } from "../../kernel/src/kernel/clone_hint";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
  const setup = await k.execute("torch.manual_seed(0); const model = new torch.nn.Sequential(new torch.nn.Linear(3, 4), new torch.nn.BatchNorm1d(4), new torch.nn.Linear(4, 1));");
  expect(setup.reply.content.status, JSON.stringify(setup.reply.content)).toBe("ok");
}, 120_000);
afterAll(async () => { await k?.shutdown(); });

const plain = (lines: unknown) => (lines as string[]).join("\n").replace(/\u001b\[[0-9;]*m/g, "");

describe("copying a state_dict (copy.deepcopy's port)", () => {
  it("structuredClone(model.state_dict()): the DataCloneError names the copy that works", async () => {
    const r = await k.execute("const best0 = structuredClone(model.state_dict());");
    expect(r.reply.content.status).toBe("error");
    expect(r.reply.content.ename).toBe("DataCloneError");
    const tb = plain(r.reply.content.traceback);
    expect(tb).toContain(`hint: structuredClone cannot copy lrlab's objects`);
    expect(tb).toContain(`Python's copy.deepcopy(model.state_dict()) is here const best = ${STATE_DICT_COPY}`);
    expect(tb).toContain("restored with model.load_state_dict(best)");
  }, 60_000);

  it("the hint's copy is a deep copy: it keeps the values when the weights change, and load_state_dict restores them", async () => {
    const r = await k.execute(`
const sd = model.state_dict();
const best = ${STATE_DICT_COPY};
const l0 = model.get_submodule("0") as torch.nn.Linear;
const w0 = Array.from(l0.weight.data);
torch.no_grad(() => { l0.weight.add_(1); });
model.get_submodule("1").train(); model.forward(torch.randn(8, 3));   // BatchNorm's running stats move too
const followed = sd["0.weight"].data[0] === l0.weight.data[0];
const kept = Array.from(best["0.weight"].data).join() === w0.join();
model.load_state_dict(best);
[followed, kept, Array.from(l0.weight.data).join() === w0.join(),
 best["1.running_mean"].data.every((v: number) => v === 0), best["1.num_batches_tracked"].item()]`);
    expect(r.reply.content.status, String(r.reply.content.evalue)).toBe("ok");
    expect(resultText(r)).toBe("[ true, true, true, true, 0 ]");
  }, 60_000);
});

describe("clip_grad_norm_ with max_norm by name, in a typed cell", () => {
  it("clip_grad_norm_(params, { max_norm: 1.0, norm_type: 2 }) and clip_grad_value_(params, { clip_value }) compile and clip", async () => {
    const r = await k.execute(`
const lin = new torch.nn.Linear(2, 1, false);
lin.weight.grad = torch.tensor([[3, -4]]);
const n = torch.nn.utils.clip_grad_norm_(lin.parameters(), { max_norm: 1.0, norm_type: 2 });
const after = Array.from(lin.weight.grad!.data).map((v) => Math.round(v * 1e4) / 1e4);
torch.nn.utils.clip_grad_value_(lin.parameters(), { clip_value: 0.5 });
[n.item(), after, Array.from(lin.weight.grad!.data).map((v) => Math.round(v * 1e4) / 1e4)]`);
    expect(r.reply.content.status, `${r.reply.content.ename}: ${r.reply.content.evalue}`).toBe("ok");
    expect(resultText(r)).toBe("[ 5, [ 0.6, -0.8 ], [ 0.5, -0.5 ] ]");
  }, 60_000);
});

describe("the DataCloneError hint is for state_dicts only", () => {
  it("structuredClone of an object with a function: Node's message alone (it names the function)", async () => {
    const r = await k.execute("const cfg = structuredClone({ lr: 0.1, f: () => 1 });");
    expect(r.reply.content.status).toBe("error");
    expect(r.reply.content.ename).toBe("DataCloneError");
    expect(plain(r.reply.content.traceback)).not.toContain("hint:");
  }, 60_000);

  it("a state_dict inside a checkpoint object: the hint too", async () => {
    const r = await k.execute("const ck = structuredClone({ epoch: 3, model: model.state_dict() });");
    expect(r.reply.content.status).toBe("error");
    expect(plain(r.reply.content.traceback)).toContain(`const best = ${STATE_DICT_COPY}`);
  }, 60_000);
});

describe("state[\"step\"] ported with .item()", () => {
  it("an optimizer's step count is a number here: the TypeError says so (it said only 'item is not a function')", async () => {
    const r = await k.execute(`
const ca = new torch.optim.AdamW(model.parameters(), { lr: 1e-3 });
model.forward(torch.randn(4, 3)).sum().backward(); ca.step();
const s0 = ca.state_dict()["state"][0];
console.log(s0["step"].item());`);
    expect(r.reply.content.status).toBe("error");
    expect(String(r.reply.content.evalue)).toContain("step.item is not a function");
    expect(plain(r.reply.content.traceback)).toContain(`hint: an optimizer's state["step"] is a number in lrlab (PyTorch's is a 0-dim tensor): use it as it is, without .item()`);
  }, 60_000);
});
