/**
 * PyTorch tutorial idioms ported as they are, through the kernel's error path (type-check, then
 * errors.ts): `.data` used as a tensor, `Tensor.type(dtype)`, Dataset/DataLoader/device habits,
 * and names lrlab does not have. Each hint's suggestion is run too: a hint must not send the user
 * to code that fails.
 */
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { errorEngine } from "./cell_errors";

const { engine: e, traceback } = errorEngine("const outputs = torch.randn(4, 3); const lin = new torch.nn.Linear(2, 3); const w = torch.zeros(1, 3, { requires_grad: true });");

/** The hint lines under the error `src` raises (it must raise). */
const hints = (src: string): string[] => traceback(src).filter((l) => l.startsWith("hint:"));
/** The value of a cell that must run. */
const run = (src: string): unknown => (e().run(src) as { value: unknown }).value;

describe("`.data` is lrlab's raw storage: PyTorch's tensor idioms on it get a hint", () => {
  const STORAGE = /^hint: in lrlab \.data is the raw storage \(a typed array\), not a tensor/;

  it("torch.max(outputs.data, 1): one hint naming the tensor to use (it was a bare 7-part overload error)", () => {
    const h = hints("torch.max(outputs.data, 1)");
    expect(h).toHaveLength(1);
    expect(h[0]).toMatch(STORAGE);
    expect(h[0]).toContain("use outputs itself (or outputs.detach(), its values outside autograd)");
    // the suggestion runs
    expect(run("torch.max(outputs.detach(), 1).indices.shape")).toEqual([4]);
  }, 60_000);

  it("in-place initialisation through .data: normal_, zero_, fill_ (not Float32Array's fill), and mul", () => {
    const normal = hints("lin.weight.data.normal_(0.0, 0.02)");
    expect(normal).toEqual([expect.stringMatching(STORAGE)]);
    expect(normal[0]).toContain("torch.no_grad(() => lin.weight.normal_(0.0, 0.02))");
    expect(normal[0]).toContain("torch.nn.init.normal_(lin.weight, 0.0, 0.02)");
    expect(hints("lin.bias.data.zero_()")[0]).toContain("torch.no_grad(() => lin.bias.zero_())");
    const fill = hints("lin.bias.data.fill_(0)");
    expect(fill).toHaveLength(1);
    expect(fill[0]).toContain("torch.no_grad(() => lin.bias.fill_(0))");
    expect(hints("lin.bias.data.mul(0)")[0]).toContain("lin.bias.mul(0) (or lin.bias.detach().mul(0))");
    // the suggestions run on parameters (leaves that require grad)
    run("torch.no_grad(() => lin.weight.normal_(0.0, 0.02)); torch.nn.init.normal_(lin.weight, 0.0, 0.02); torch.no_grad(() => lin.bias.fill_(0)); torch.no_grad(() => lin.bias.zero_())");
    expect(run("lin.bias.tolist()")).toEqual([0, 0, 0]);
    expect(run("lin.weight.requires_grad && lin.weight.grad_fn === null")).toBe(true);
    expect(run("lin.bias.detach().mul(0).shape")).toEqual([3]);
    // a name that is no tensor method: no hint
    expect(hints("lin.bias.data.nonsense_()")).toEqual([]);
  }, 60_000);

  it("w.data = tensor: copy_ under no_grad", () => {
    const h = hints("w.data = torch.ones(1, 3)");
    expect(h).toEqual([expect.stringMatching(STORAGE)]);
    expect(h[0]).toContain("torch.no_grad(() => w.copy_(torch.ones(1, 3)))");
    run("torch.no_grad(() => w.copy_(torch.ones(1, 3)))");
    expect(run("w.tolist()")).toEqual([[1, 1, 1]]);
  }, 60_000);
});

describe("Tensor.type", () => {
  it("type(dtype) is a Tensor and type() a string, as PyTorch's overloads", () => {
    expect(run("outputs.type(torch.float64).dtype")).toBe("float64");
    expect(run("outputs.type().toUpperCase()")).toBe("TORCH.FLOATTENSOR");
  }, 60_000);
});

describe("tutorial Dataset, DataLoader and device code", () => {
  it("a Dataset written with __len__/__getitem__ names length/get", () => {
    expect(hints("class MyDS extends torch.utils.data.Dataset<number> { __len__() { return 3 } __getitem__(i: number) { return i } }"))
      .toEqual([expect.stringMatching(/^hint: an lrlab Dataset implements get\(index\) and a length getter \(PyTorch's __getitem__ and __len__\)/)]);
  }, 60_000);

  it("DataLoader accepts pin_memory (no effect: lrlab runs on the CPU)", () => {
    expect(run("[...new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(outputs), { batch_size: 2, pin_memory: true })].length")).toBe(2);
  }, 60_000);

  it("torch.device('cpu') and .to(device) on tensors and modules (the same object back)", () => {
    expect(run("const device = torch.device('cpu'); outputs.to(device) === outputs && lin.to(device) === lin && outputs.to({ device }) === outputs")).toBe(true);
    expect(run("String(torch.device('cpu'))")).toBe("cpu");
    expect(run("torch.device('cpu').type")).toBe("cpu");
    expect(hints("torch.device('cuda')")).toEqual([expect.stringMatching(/^hint: lrlab runs on the CPU/)]);
    expect(() => run("torch.device('cuda' as any)")).toThrow(/lrlab runs on the CPU/);
  }, 60_000);

  it("numpy, half, a misspelt nn class, load, save, cuda: what to use instead", () => {
    expect(hints("outputs.numpy()")[0]).toMatch(/t\.tolist\(\)/);
    expect(hints("outputs.half()")[0]).toMatch(/^hint: lrlab has no float16 \(half precision\): its dtypes are float32 .*float64.*t\.float\(\)/);
    expect(run("outputs.float().dtype + outputs.to(torch.float32).dtype")).toBe("float32float32");
    expect(hints("outputs.to(torch.float16)")[0]).toMatch(/^hint: lrlab's torch has no float16: lrlab's dtypes are float32/);
    expect(hints("outputs.to('cuda')")[0]).toMatch(/^hint: lrlab runs on the CPU/);
    expect(hints("new torch.nn.EmbeddingBagLayer()")[0]).toMatch(/^hint: lrlab's torch\.nn has no EmbeddingBagLayer; the closest: .*\bEmbedding\b.*\(Tab after the dot lists all \d+\)$/);
    expect(run("new torch.nn.LSTM(1, 2).forward(torch.randn(3, 1))[0].shape.join('x')")).toBe("3x2");
    expect(run("new torch.nn.Conv2d(1, 2, 3).forward(torch.randn(1, 1, 5, 5)).shape.join('x')")).toBe("1x2x3x3");
    // a tutorial's checkpoint lines run as written (torch.save / torch.load, lrlab's own file format)
    const file = JSON.stringify(join(tmpdir(), `lrlab-ckpt-${process.pid}.pt`));
    run(`torch.save(lin.state_dict(), ${file}); torch.no_grad(() => lin.bias.fill_(5)); lin.load_state_dict(torch.load(${file}))`);
    expect(run("lin.bias.tolist()")).not.toContain(5);
    rmSync(JSON.parse(file), { force: true });
    expect(hints("torch.cuda.is_available()")[0]).toMatch(/^hint: lrlab's torch has no cuda: lrlab runs on the CPU/);
  }, 60_000);
});
