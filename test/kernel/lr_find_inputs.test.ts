/**
 * %lr_find for models of several inputs and batches of any shape, through the real kernel:
 * [x1, ..., xk, target] batches call model.forward(x1, ..., xk) (fastai's convention, the last
 * element is the target), and step=(batch, model) => loss reads any other batch (objects, a loss
 * of more than (output, target)). Each range test is checked against the same training written by
 * hand with lrlab.find (the way from code): the suggestions must be the same numbers. Then every
 * misuse of the new forms: a UsageError naming the option, the step and the values.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, resultText } from "./client";

type Result = Awaited<ReturnType<KernelClient["execute"]>>;
let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
  const setup = await k.execute(`
torch.manual_seed(0);
class TwoTower extends torch.nn.Module {
  a = new torch.nn.Linear(3, 8);
  b = new torch.nn.Linear(2, 8);
  head = new torch.nn.Linear(8, 1);
  forward(xa: torch.Tensor, xb: torch.Tensor) { return this.head.forward(this.a.forward(xa).add(this.b.forward(xb)).tanh()); }
}
class Masked extends torch.nn.Module {
  fc = new torch.nn.Linear(4, 1);
  forward(src: torch.Tensor, mask: torch.Tensor) { return this.fc.forward(src.mul(mask)); }
}
const tower = new TwoTower();
const A = torch.randn(64, 3), B = torch.randn(64, 2);
const Yt = A.sum(1, true).sub(B.sum(1, true).mul(2));
const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(A, B, Yt), { batch_size: 16, shuffle: true });
const loss_fn = new torch.nn.MSELoss();
const masked = new Masked();
const S = torch.randn(64, 4), M = torch.rand(64, 4).gt(0.3).float(), W = torch.rand(64, 1);
const T = S.mul(M).sum(1, true);
const objs = [0, 1, 2, 3].map((i) => ({ src: S.narrow(0, i * 16, 16), mask: M.narrow(0, i * 16, 16), tgt: T.narrow(0, i * 16, 16), w: W.narrow(0, i * 16, 16) }));
const lin = new torch.nn.Linear(3, 1);
/** lrlab.find by hand over an iterable of batches, cycling through it as %lr_find does: the suggestions line and the notes. */
function byHand(opt: torch.optim.Optimizer, model: torch.nn.Module, data: Iterable<any>, lossOf: (batch: any) => torch.Tensor, o: any) {
  let it = data[Symbol.iterator]();
  const r = lrlab.find(opt, () => {
    let n = it.next();
    if (n.done) { it = data[Symbol.iterator](); n = it.next(); }
    opt.zero_grad();
    const loss = lossOf(n.value);
    loss.backward();
    return loss;
  }, { ...o, model });
  // as %lr_find prints it: its suggestions line, then the notes
  return r.summary().slice(1).map((l, j) => (j === 0 ? l.replace(/^\\s*suggestions: /, "suggested lr: ") : l)).join("\\n") + "\\n";
}
const weightsOf = (m: torch.nn.Module) => Array.from(m.parameters()).map((p) => Array.from(p.data).join(",")).join(";");`);
  expect(setup.reply.content.status, JSON.stringify(setup.reply.content)).toBe("ok");
});
afterAll(async () => { await k?.shutdown(); });

/**
 * What %lr_find printed, without the optimizer it names at the end of its first line (checked
 * here: the one of optimizer=, else the SGD it made); the cell must have succeeded and its
 * suggestions be numbers (an all-"—" match would prove nothing).
 */
async function magic(line: string): Promise<string> {
  const r: Result = await k.execute(line);
  expect(r.reply.content.status, `${line}: ${r.reply.content.evalue}`).toBe("ok");
  // the recommended one first, then the others by rate (trace/find_order.ts)
  expect(r.stdout).toMatch(/^suggested lr: valley \d\S* \(recommended\), (steepest \d\S*, minimum\/10 \d\S*|minimum\/10 \d\S*, steepest \d\S*) \(with [^\n]*\)\n/);
  const given = /\boptimizer=(\S+)/.exec(line)?.[1];
  const used = given === undefined
    ? " (with SGD(lr) over model.parameters(), since no optimizer= was given: pass optimizer=opt to test yours)"
    : ` (with ${(await text(`${given}.constructor.name`))}, optimizer=${given})`;
  const [first, ...rest] = r.stdout.split("\n");
  expect(first.endsWith(used), `${first} ends with ${used}`).toBe(true);
  return [first.slice(0, -used.length), ...rest].join("\n");
}
/** The value of an expression that is a string, as the kernel's stdout carries it (JSON). */
async function text(code: string): Promise<string> {
  const r = await k.execute(`console.log(JSON.stringify(${code}))`);
  expect(r.reply.content.status, `${code}: ${r.reply.content.evalue}`).toBe("ok");
  return JSON.parse(r.stdout);
}

describe("%lr_find: several inputs, any batch", () => {
  it("a model of two inputs on [a, b, y] batches runs model.forward(a, b): the suggestions of lrlab.find by hand", async () => {
    const before = await text("weightsOf(tower)");
    const printed = await magic("%lr_find model=tower loss=loss_fn data=loader --start-lr 1e-4 --end-lr 3 --num-iter 50");
    expect(await text("weightsOf(tower)")).toBe(before);
    const hand = await text(`byHand(new torch.optim.SGD(tower.parameters(), { lr: 1e-4 }), tower, loader,
      ([a, b, y]) => loss_fn.forward(tower.forward(a, b), y), { start_lr: 1e-4, end_lr: 3, num_iter: 50 })`);
    expect(printed).toBe(hand);
    // the comparison sees the second input: without it (zeros), other numbers
    const blind = await text(`byHand(new torch.optim.SGD(tower.parameters(), { lr: 1e-4 }), tower, loader,
      ([a, b, y]) => loss_fn.forward(tower.forward(a, torch.zeros_like(b)), y), { start_lr: 1e-4, end_lr: 3, num_iter: 50 })`);
    expect(blind).not.toBe(printed);
  });

  it("one batch of three tensors, data=[A, B, Yt], with the user's Adam: forward(A, B), target Yt", async () => {
    await k.execute("const adam = new torch.optim.Adam(tower.parameters(), { lr: 0.01 });");
    const printed = await magic("%lr_find model=tower loss=loss_fn data=[A, B, Yt] optimizer=adam --start-lr 1e-5 --end-lr 1 --num-iter 40");
    const hand = await text(`byHand(adam, tower, [[A, B, Yt]], ([a, b, y]) => loss_fn.forward(tower.forward(a, b), y), { start_lr: 1e-5, end_lr: 1, num_iter: 40 })`);
    expect(printed).toBe(hand);
    // [input, target] pairs as before: a one-input model on [X, Y]
    await k.execute("const X1 = torch.randn(32, 3), Y1 = X1.sum(1, true);");
    const pair = await magic("%lr_find model=lin loss=loss_fn data=[X1, Y1] --start-lr 1e-4 --end-lr 3 --num-iter 40");
    expect(pair).toBe(await text(`byHand(new torch.optim.SGD(lin.parameters(), { lr: 1e-4 }), lin, [[X1, Y1]],
      ([x, y]) => loss_fn.forward(lin.forward(x), y), { start_lr: 1e-4, end_lr: 3, num_iter: 40 })`));
  });

  it("step=(batch, model) => loss reads object batches and a weighted loss; loss= is not needed", async () => {
    const before = await text("weightsOf(masked)");
    const printed = await magic("%lr_find model=masked data=objs step=(b, m) => m.forward(b.src, b.mask).sub(b.tgt).pow(2).mul(b.w).mean() --start-lr 1e-4 --end-lr 3 --num-iter 50");
    expect(await text("weightsOf(masked)")).toBe(before);
    const hand = await text(`byHand(new torch.optim.SGD(masked.parameters(), { lr: 1e-4 }), masked, objs,
      (b) => masked.forward(b.src, b.mask).sub(b.tgt).pow(2).mul(b.w).mean(), { start_lr: 1e-4, end_lr: 3, num_iter: 50 })`);
    expect(printed).toBe(hand);
    // the weights count: without them, other numbers
    const unweighted = await text(`byHand(new torch.optim.SGD(masked.parameters(), { lr: 1e-4 }), masked, objs,
      (b) => masked.forward(b.src, b.mask).sub(b.tgt).pow(2).mean(), { start_lr: 1e-4, end_lr: 3, num_iter: 50 })`);
    expect(unweighted).not.toBe(printed);
  });

  it("step= on a shuffling DataLoader, on an array of two object batches, on [S, M] and on one object batch (data=objs[0])", async () => {
    const printed = await magic("%lr_find model=tower data=loader step=([a, b, y], m) => loss_fn.forward(m.forward(a, b), y) --start-lr 1e-4 --end-lr 3 --num-iter 50");
    expect(printed).toBe(await text(`byHand(new torch.optim.SGD(tower.parameters(), { lr: 1e-4 }), tower, loader,
      ([a, b, y]) => loss_fn.forward(tower.forward(a, b), y), { start_lr: 1e-4, end_lr: 3, num_iter: 50 })`));
    // an array of two object batches is two batches (an array of two tensors is one [input, target])
    const two = await magic("%lr_find model=masked data=objs.slice(0, 2) step=(b, m) => loss_fn.forward(m.forward(b.src, b.mask), b.tgt) --start-lr 1e-4 --end-lr 3 --num-iter 40");
    expect(two).toBe(await text(`byHand(new torch.optim.SGD(masked.parameters(), { lr: 1e-4 }), masked, objs.slice(0, 2),
      (b) => loss_fn.forward(masked.forward(b.src, b.mask), b.tgt), { start_lr: 1e-4, end_lr: 3, num_iter: 40 })`));
    // with step=, an array of tensors is one batch, as without it
    const auto = await magic("%lr_find model=masked data=[S, M] step=([s, mm], m) => m.forward(s, mm).pow(2).mean() --start-lr 1e-4 --end-lr 3 --num-iter 40");
    expect(auto).toBe(await text(`byHand(new torch.optim.SGD(masked.parameters(), { lr: 1e-4 }), masked, [[S, M]],
      ([s, mm]) => masked.forward(s, mm).pow(2).mean(), { start_lr: 1e-4, end_lr: 3, num_iter: 40 })`));
    const one = await magic("%lr_find model=masked data=objs[0] step=(b, m) => loss_fn.forward(m.forward(b.src, b.mask), b.tgt) --start-lr 1e-4 --end-lr 3 --num-iter 40");
    expect(one).toBe(await text(`byHand(new torch.optim.SGD(masked.parameters(), { lr: 1e-4 }), masked, [objs[0]],
      (b) => loss_fn.forward(masked.forward(b.src, b.mask), b.tgt), { start_lr: 1e-4, end_lr: 3, num_iter: 40 })`));
  });

  it("Tab offers step=, and not once loss= is written (nor loss= after step=); the help and usage show it", async () => {
    const complete = async (code: string) => (await k.request("complete_request", { code, cursor_pos: code.length })).content.matches as string[];
    expect(await complete("%lr_find ")).toEqual(["model=", "loss=", "data=", "optimizer=", "step="]);
    expect(await complete("%lr_find model=tower st")).toEqual(["step="]);
    expect(await complete("%lr_find model=tower loss=loss_fn ")).toEqual(["data=", "optimizer="]);
    expect(await complete("%lr_find model=tower step=f ")).toEqual(["data=", "optimizer="]);
    // inside step='s expression: TypeScript's completion of it
    expect(await complete("%lr_find model=tower data=loader step=(b, m) => loss_f")).toEqual(["loss_fn"]);
    const page = (await k.execute("%lr_find?")).reply.content.payload[0].data["text/plain"] as string;
    expect(page).toContain("model=M (loss=L | step=S) data=D");
    expect(page).toContain("[x1, ..., xk, target] runs\nloss(model.forward(x1, ..., xk), target)");
    expect(page).toContain("step=(batch, model) => loss");
    expect(page).toContain("lrlab.find(optimizer, step_fn, options)");
    // which optimizer is tested without optimizer= (it was said only in the source)
    expect(page).toContain("Without it,\nthe test uses SGD(lr) over model.parameters() (no momentum), and the output line says so.");
    // and lrlab.find's own documentation (Shift-Tab, ?) shows how to read any batch from code
    const doc = (await k.execute("lrlab.find?")).reply.content.payload[0].data["text/plain"] as string;
    expect(doc).toContain("any model and batch shape work");
    expect(doc).toContain("const loss = loss_fn.forward(model.forward(a, b), y);");
  });
});

describe("%lr_find: misuse of batches and step= is named", () => {
  const evalue = async (code: string) => {
    const r = await k.execute(code);
    expect(r.reply.content.ename, code).toBe("UsageError");
    return r.reply.content.evalue as string;
  };

  it("loss= with step=, neither of them, a step= that is no function", async () => {
    expect(await evalue("%lr_find model=tower loss=loss_fn data=loader step=(b, m) => loss_fn.forward(m.forward(b[0], b[1]), b[2])")).toBe(
      "loss=loss_fn and step=(b, m) => loss_fn.forward(m.forward(b[0], b[1]), b[2]) both given: step= computes the loss itself "
      + "(step=(batch, model) => loss); give one of them (a loss used inside step= is written there, not as loss=)");
    expect(await evalue("%lr_find model=tower data=loader")).toBe(
      "loss= missing: %lr_find needs model=, loss=, data= (or step=(batch, model) => loss in place of loss=; optional: optimizer=)");
    expect(await evalue("%lr_find model=tower data=loader step=42")).toBe(
      "step=42 is a number, not a function: step= takes a function (batch, model) => loss, e.g. step=(b, m) => loss_fn.forward(m.forward(b.x, b.mask), b.y)");
    expect(await evalue("%lr_find model=tower data=loader step=tower")).toMatch(/^step=tower is the model itself \(model=tower\): step= takes a function \(batch, model\) => loss/);
    expect(await evalue("%lr_find model=tower data=loader step=loss_fn")).toBe(
      "step=loss_fn is a MSELoss, not a function (batch, model) => loss (a loss module goes in loss=, with [input, target] batches)");
    expect(await evalue("%lr_find model=tower data=loader step=TwoTower")).toBe("step=TwoTower is a class, not a function (batch, model) => loss");
    expect(await evalue("%lr_find model=tower data=loader step=nosuchfn")).toBe("step=nosuchfn: Cannot find name 'nosuchfn'.");
  });

  it("a step= that returns no loss tensor, runs backward() itself, or throws: the step, the batch and what came back", async () => {
    const data = "data=[A, B, Yt]";
    expect(await evalue(`%lr_find model=tower ${data} step=(b, m) => { loss_fn.forward(m.forward(b[0], b[1]), b[2]); }`)).toBe(
      "step=(b, m) => { loss_fn.forward(m.forward(b[0], b[1]), b[2]); } returned undefined on the first batch, not a loss tensor "
      + "(a function whose body is in { } needs `return`)");
    expect(await evalue(`%lr_find model=tower ${data} step=(b, m) => loss_fn.forward(m.forward(b[0], b[1]), b[2]).item()`)).toMatch(
      /^step=\(b, m\) => loss_fn\.forward\(m\.forward\(b\[0\], b\[1\]\), b\[2\]\)\.item\(\) returned the number \d[\d.]* on the first batch, not a loss tensor: return the tensor itself \(not loss\.item\(\)\), whose backward\(\) %lr_find runs$/);
    expect(await evalue(`%lr_find model=tower ${data} step=(b, m) => m.forward(b[0], b[1]).sub(b[2]).pow(2)`)).toBe(
      "step=(b, m) => m.forward(b[0], b[1]).sub(b[2]).pow(2) returned a tensor of shape [64, 1] on the first batch, not one number: "
      + 'the range test needs the batch\'s loss (a loss module\'s reduction "mean" or "sum")');
    expect(await evalue(`%lr_find model=tower ${data} step=(b, m) => loss_fn.forward(m.forward(b[0], b[1]), b[2]).detach()`)).toMatch(
      /^step=.* returned a loss that does not require grad on the first batch: it does not come from the model's parameters \(computed under torch\.no_grad\(\), detached, or made from numbers\)/);
    expect(await evalue(`%lr_find model=tower ${data} step=async (b, m) => loss_fn.forward(m.forward(b[0], b[1]), b[2])`)).toMatch(
      /^step=async .* returned a Promise on the first batch, not a loss tensor: it must run synchronously \(not async\)$/);
    expect(await evalue(`%lr_find model=tower ${data} step=(b, m) => { const l = loss_fn.forward(m.forward(b[0], b[1]), b[2]); l.backward(); return l; }`)).toMatch(
      /^step=.* ran backward\(\) itself on the first batch: step= returns the loss, and %lr_find runs zero_grad\(\), backward\(\) and optimizer\.step\(\) around it$/);
    expect(await evalue(`%lr_find model=tower ${data} step=(b, m) => loss_fn.forward(m.forward(b.src), b.tgt)`)).toMatch(new RegExp(
      "^step=\\(b, m\\) => loss_fn\\.forward\\(m\\.forward\\(b\\.src\\), b\\.tgt\\) failed on the first batch of data=\\[A, B, Yt\\]: "
      + "step\\(batch, model\\) with batch an array of 3 \\(\\[64, 3\\], \\[64, 2\\], \\[64, 1\\]\\) threw: "));
    // the model was left as it was by every failed test
    expect(resultText(await k.execute("tower.a.weight.shape.join(',')"))).toBe("'8,3'");
  });

  it("a batch that matches no convention: too many inputs for forward, no target, an object or a tensor without step=", async () => {
    // a one-input model on [x, y, w]: the inputs would be x, y (JavaScript drops the extra argument silently)
    await k.execute("const Wt = torch.rand(64, 1);");
    expect(await evalue("%lr_find model=lin loss=loss_fn data=[A, Yt, Wt]")).toBe(
      "data=[A, Yt, Wt] yielded a batch of 3 on the first batch ([64, 3], [64, 1], [64, 1]): its inputs are all but the last, 2 of them, "
      + "but model.forward(input) of model=lin takes 1; for this batch write step=(batch, model) => loss in place of loss=, "
      + "e.g. step=(b, m) => loss_fn.forward(m.forward(b[0], b[1]), b[2])");
    expect(await evalue("%lr_find model=tower loss=loss_fn data=[[A]]")).toBe(
      "data=[[A]] yielded a batch of 1 ([64, 3]) on the first batch, not an [input, target] pair or [x1, ..., xk, target]; "
      + "for other batches write step=(batch, model) => loss in place of loss=, e.g. step=(b, m) => loss_fn.forward(m.forward(b[0], b[1]), b[2])");
    expect(await evalue("%lr_find model=masked loss=loss_fn data=objs")).toBe(
      "data=objs yielded an object {src: [16, 4], mask: [16, 4], tgt: [16, 1], w: [16, 1]} on the first batch, not an [input, target] pair or [x1, ..., xk, target]; "
      + "for other batches write step=(batch, model) => loss in place of loss=, e.g. step=(b, m) => loss_fn.forward(m.forward(b.x), b.y) with this batch's keys (src, mask, tgt, w)");
    expect(await evalue("%lr_find model=masked loss=loss_fn data=objs[0]")).toBe(
      "data=objs[0] is an object {src: [16, 4], mask: [16, 4], tgt: [16, 1], w: [16, 1]}: without step=, %lr_find reads [input, target] or [x1, ..., xk, target] batches; "
      + "for this one write step=(batch, model) => loss in place of loss=, e.g. step=(b, m) => loss_fn.forward(m.forward(b.x), b.y) with this batch's keys (src, mask, tgt, w)");
    expect(await evalue("%lr_find model=lin loss=loss_fn data=[A]")).toMatch(/^data=\[A\] yielded \[64, 3\] on the first batch, not an \[input, target\] pair or \[x1, \.\.\., xk, target\]; for other batches write step=/);
    expect(await evalue("%lr_find model=lin loss=loss_fn data=42")).toBe(
      "data=42 must be a DataLoader, an iterable of batches ([input, target] or [x1, ..., xk, target]), or one batch as an array of tensors");
    // fewer inputs than forward declares: its error, and the count
    expect(await evalue("%lr_find model=tower loss=loss_fn data=[A, Yt]")).toMatch(
      /^model=tower failed on the first batch of data=\[A, Yt\]: model\.forward\(input\) with input \[64, 3\] threw: .*\(model\.forward\(xa, xb\) declares 2 inputs, the batch gave 1\)$/);
    // two inputs that do not fit: both shapes named
    expect(await evalue("%lr_find model=tower loss=loss_fn data=[B, A, Yt]")).toMatch(
      /^model=tower failed on the first batch of data=\[B, A, Yt\]: model\.forward\(x1, x2\) with inputs \[64, 2\], \[64, 3\] threw: mat1 and mat2 shapes cannot be multiplied/);
  });
});
