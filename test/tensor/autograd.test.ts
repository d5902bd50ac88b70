import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/tensor/index";
import { Tensor } from "../../kernel/src/tensor/tensor";

describe("autograd engine", () => {
  it("backpropagates through a 100,000-node chain (iterative, no stack overflow)", () => {
    const x = torch.tensor([1.0], { dtype: "float64", requires_grad: true });
    let y: Tensor = x;
    for (let i = 0; i < 100_000; i++) y = y.add(0.5);
    y = y.mul(y).sum();
    y.backward();
    // y = (x + 50000)^2, dy/dx = 2 (x + 50000)
    expect(x.grad!.data[0]).toBe(2 * 50001);
  });

  it("handles a wide fan-in (x used 10,000 times)", () => {
    const x = torch.tensor([2.0], { requires_grad: true });
    const terms: Tensor[] = [];
    for (let i = 0; i < 10_000; i++) terms.push(x.mul(i % 3));
    torch.stack(terms).sum().backward();
    let expected = 0;
    for (let i = 0; i < 10_000; i++) expected += i % 3;
    expect(x.grad!.data[0]).toBe(expected);
  });

  it("accumulates leaf gradients across backward calls, until zeroed", () => {
    const w = torch.tensor([1, 2, 3], { requires_grad: true });
    w.mul(w).sum().backward();
    expect(Array.from(w.grad!.data)).toEqual([2, 4, 6]);
    const g = w.grad!;
    w.mul(3).sum().backward();
    expect(Array.from(w.grad!.data)).toEqual([5, 7, 9]);
    expect(w.grad).toBe(g); // accumulated in place, as PyTorch
    w.grad = null;
    w.sum().backward();
    expect(Array.from(w.grad!.data)).toEqual([1, 1, 1]);
  });

  it("gradients of a leaf are its own tensor, not aliased to the incoming gradient", () => {
    const w = torch.tensor([1, 2], { requires_grad: true });
    const seed = torch.tensor([5, 6]);
    w.backward(seed);
    seed.data[0] = 100;
    expect(Array.from(w.grad!.data)).toEqual([5, 6]);
  });

  it("keeps non-leaf grads only with retain_grad()", () => {
    const x = torch.tensor([1, 2], { requires_grad: true });
    const h = x.mul(2);
    const k = x.mul(3);
    h.retain_grad();
    expect(h.retains_grad).toBe(true);
    h.mul(k).sum().backward();
    expect(Array.from(h.grad!.data)).toEqual([3, 6]);
    expect(k.grad).toBeNull();
    expect(Array.from(x.grad!.data)).toEqual([12, 24]);
  });

  it("takes an explicit gradient for non-scalar outputs and checks its shape", () => {
    const x = torch.tensor([1, 2, 3], { requires_grad: true });
    const y = x.mul(2);
    y.backward(torch.tensor([1, 0.5, 0]));
    expect(Array.from(x.grad!.data)).toEqual([2, 1, 0]);
    const z = x.mul(2);
    expect(() => z.backward(torch.ones(2))).toThrow(
      "Mismatch in shape: grad_output[0] has a shape of torch.Size([2]) and output[0] has a shape of torch.Size([3]).",
    );
  });

  it("uses PyTorch's messages for implicit grads and tensors outside the graph", () => {
    const x = torch.tensor([1, 2], { requires_grad: true });
    expect(() => x.mul(2).backward()).toThrow("grad can be implicitly created only for scalar outputs");
    expect(() => torch.tensor([1]).sum().backward()).toThrow(
      "element 0 of tensors does not require grad and does not have a grad_fn",
    );
  });

  it("frees saved tensors after backward unless retain_graph", () => {
    const x = torch.tensor([1, 2], { requires_grad: true });
    const y = x.mul(x).sum();
    y.backward(undefined, { retain_graph: true });
    y.backward();
    expect(Array.from(x.grad!.data)).toEqual([4, 8]);
    expect(() => y.backward()).toThrow(/Trying to backward through the graph a second time/);
    // Graphs without saved tensors can be walked again, as in PyTorch.
    const s = x.add(1).sum();
    s.backward();
    s.backward();
    expect(Array.from(x.grad!.data)).toEqual([6, 10]);
  });

  it("casts gradients back through type promotion", () => {
    const a = torch.tensor([1, 2], { requires_grad: true }); // float32
    const b = torch.tensor([3, 4], { dtype: "float64", requires_grad: true });
    const y = a.mul(b);
    expect(y.dtype).toBe("float64");
    y.sum().backward();
    expect(a.grad!.dtype).toBe("float32");
    expect(Array.from(a.grad!.data)).toEqual([3, 4]);
    expect(b.grad!.dtype).toBe("float64");
  });

  it("records grad_fn names as PyTorch", () => {
    const a = torch.tensor([[1, 2], [3, 4]], { requires_grad: true });
    const names: [Tensor, string][] = [
      [a.add(1), "AddBackward0"], [a.sub(a), "SubBackward0"], [a.mul(2), "MulBackward0"], [a.div(2), "DivBackward0"],
      [a.pow(2), "PowBackward0"], [a.pow(a), "PowBackward1"], [a.neg(), "NegBackward0"], [a.exp(), "ExpBackward0"],
      [a.log(), "LogBackward0"], [a.sqrt(), "SqrtBackward0"], [a.mm(a), "MmBackward0"], [a.matmul(a), "MmBackward0"],
      [a.sum(), "SumBackward0"], [a.sum(0), "SumBackward1"], [a.mean(), "MeanBackward0"], [a.mean(1), "MeanBackward1"],
      [a.relu(), "ReluBackward0"], [a.sigmoid(), "SigmoidBackward0"], [a.tanh(), "TanhBackward0"],
      [a.softmax(1), "SoftmaxBackward0"], [a.log_softmax(1), "LogSoftmaxBackward0"], [a.view(4), "ViewBackward0"],
      [a.t(), "TBackward0"], [a.transpose(0, 1), "TransposeBackward0"], [a.permute(1, 0), "PermuteBackward0"],
      [a.unsqueeze(0), "UnsqueezeBackward0"], [a.expand(2, 2, 2), "ExpandBackward0"], [torch.cat([a, a]), "CatBackward0"],
      [torch.stack([a, a]), "StackBackward0"], [a.select(0, 1), "SelectBackward0"], [a.narrow(0, 0, 1), "SliceBackward0"],
      [a.clamp(0, 1), "ClampBackward1"], [a.abs(), "AbsBackward0"], [a.max(), "MaxBackward1"], [a.max(1).values, "MaxBackward0"],
      [a.clone(), "CloneBackward0"], [a.var(), "VarBackward0"], [a.std(), "StdBackward0"], [a.norm(), "LinalgVectorNormBackward0"],
      [a.gather(1, torch.tensor([[0], [1]], { dtype: "int64" })), "GatherBackward0"], [a.rsqrt(), "RsqrtBackward0"],
      [a.index_select(0, torch.tensor([1], { dtype: "int64" })), "IndexSelectBackward0"], [a.double(), "ToCopyBackward0"],
      [torch.where(a.gt(2), a, 0), "WhereBackward0"], [a.maximum(a), "MaximumBackward0"], [a.logsumexp(1), "LogsumexpBackward0"],
      [torch.gelu(a), "GeluBackward0"], [a.lerp(a, 0.5), "LerpBackward0"], [a.prod(), "ProdBackward0"],
    ];
    for (const [t, n] of names) expect(t.grad_fn?.name(), n).toBe(n);
  });
});

describe("grad mode", () => {
  it("no_grad runs the function without recording and returns its result", () => {
    const x = torch.tensor([1, 2], { requires_grad: true });
    const y = torch.no_grad(() => x.mul(2));
    expect(y.requires_grad).toBe(false);
    expect(y.grad_fn).toBeNull();
    expect(torch.is_grad_enabled()).toBe(true);
  });
  it("restores the mode when the function throws", () => {
    expect(() => torch.no_grad(() => { throw new Error("boom"); })).toThrow("boom");
    expect(torch.is_grad_enabled()).toBe(true);
  });
  it("enable_grad inside no_grad, and set_grad_enabled", () => {
    const x = torch.tensor([1], { requires_grad: true });
    const y = torch.no_grad(() => torch.enable_grad(() => x.mul(2)));
    expect(y.requires_grad).toBe(true);
    torch.set_grad_enabled(false);
    try {
      expect(torch.is_grad_enabled()).toBe(false);
      expect(x.mul(2).requires_grad).toBe(false);
    } finally {
      torch.set_grad_enabled(true);
    }
    expect(torch.set_grad_enabled(false, () => torch.is_grad_enabled())).toBe(false);
    expect(torch.is_grad_enabled()).toBe(true);
  });
  it("keeps no_grad for the whole of an async function", async () => {
    const x = torch.tensor([1], { requires_grad: true });
    const y = await torch.no_grad(async () => {
      await Promise.resolve();
      return x.mul(2);
    });
    expect(y.requires_grad).toBe(false);
    expect(torch.is_grad_enabled()).toBe(true);
  });
});

describe("detach and requires_grad_", () => {
  it("detach shares data and leaves the graph", () => {
    const x = torch.tensor([1, 2], { requires_grad: true });
    const y = x.mul(2);
    const d = y.detach();
    expect(d.requires_grad).toBe(false);
    expect(d.grad_fn).toBeNull();
    expect(d.data).toBe(y.data);
    y.detach_();
    expect(y.is_leaf).toBe(true);
    expect(y.requires_grad).toBe(false);
  });
  it("requires_grad_ on leaves only and on floating dtypes only", () => {
    const x = torch.ones(2).requires_grad_();
    expect(x.requires_grad).toBe(true);
    expect(() => x.mul(2).requires_grad_(false)).toThrow(/you can only change requires_grad flags of leaf variables/);
    expect(() => torch.ones(2, { dtype: "int64" }).requires_grad_()).toThrow(/only Tensors of floating point dtype can require gradients/);
    expect(() => torch.tensor([1], { dtype: "int64", requires_grad: true })).toThrow(/Only Tensors of floating point and complex dtype can require gradients/);
  });
});

describe("in-place ops", () => {
  it("refuse leaves that require grad outside no_grad, with PyTorch's message", () => {
    const w = torch.tensor([1, 2], { requires_grad: true });
    const msg = "a leaf Variable that requires grad is being used in an in-place operation.";
    expect(() => w.add_(1)).toThrow(msg);
    expect(() => w.zero_()).toThrow(msg);
    expect(() => w.copy_(torch.zeros(2))).toThrow(msg);
    torch.no_grad(() => w.sub_(torch.tensor([0.5, 0.5]), { alpha: 2 }));
    expect(Array.from(w.data)).toEqual([0, 1]);
    expect(w.is_leaf).toBe(true);
  });
  it("do the optimizer updates in place", () => {
    torch.no_grad(() => {
      const p = torch.tensor([1, 2, 3], { dtype: "float64" });
      const data = p.data;
      const g = torch.tensor([0.5, -1, 2], { dtype: "float64" });
      const m = torch.zeros(3, { dtype: "float64" });
      const v = torch.zeros(3, { dtype: "float64" });
      m.mul_(0.9).add_(g, { alpha: 0.1 });
      v.mul_(0.999).addcmul_(g, g, { value: 0.001 });
      const denom = v.clone().sqrt_().add_(1e-8);
      p.addcdiv_(m, denom, { value: -0.01 });
      expect(p.data).toBe(data);
      for (let i = 0; i < 3; i++) {
        const mi = 0.1 * g.data[i];
        const vi = 0.001 * g.data[i] ** 2;
        expect(p.data[i]).toBeCloseTo([1, 2, 3][i] - (0.01 * mi) / (Math.sqrt(vi) + 1e-8), 14);
      }
      p.lerp_(torch.zeros(3, { dtype: "float64" }), 0.5).clamp_(0, 0.8).neg_();
      expect(Array.from(p.data).every((x) => x <= 0 && x >= -0.8)).toBe(true);
      p.fill_(2).div_(4).mul_(torch.tensor([1, 2, 3], { dtype: "float64" }));
      expect(Array.from(p.data)).toEqual([0.5, 1, 1.5]);
      p.zero_();
      expect(Array.from(p.data)).toEqual([0, 0, 0]);
      p.copy_(torch.tensor([7]));
      expect(Array.from(p.data)).toEqual([7, 7, 7]);
    });
  });
  it("broadcast only the other operand, and never make a float into an int64 tensor", () => {
    const a = torch.zeros(3);
    expect(() => a.add_(torch.ones(2, 3))).toThrow("output with shape [3] doesn't match the broadcast shape [2, 3]");
    const i = torch.zeros(3, { dtype: "int64" });
    expect(() => i.add_(0.5)).toThrow("result type Float can't be cast to the desired output type Long");
    i.add_(2);
    expect(Array.from(i.data)).toEqual([2, 2, 2]);
  });
});

describe("torch.autograd", () => {
  it("grad() returns gradients without touching .grad", () => {
    const x = torch.tensor([1, 2, 3], { requires_grad: true });
    const h = x.mul(2);
    const y = h.mul(h).sum();
    const [gx, gh] = torch.autograd.grad(y, [x, h]);
    expect(Array.from(gx!.data)).toEqual([8, 16, 24]);
    expect(Array.from(gh!.data)).toEqual([4, 8, 12]);
    expect(x.grad).toBeNull();
  });
  it("grad() with several outputs sums them, and checks unused inputs", () => {
    const x = torch.tensor([1, 2], { requires_grad: true });
    const z = torch.tensor([1, 2], { requires_grad: true });
    const [g] = torch.autograd.grad([x.sum(), x.mul(x).sum()], x);
    expect(Array.from(g!.data)).toEqual([3, 5]);
    expect(() => torch.autograd.grad(x.sum(), [x, z])).toThrow(/appears to not have been used in the graph/);
    expect(torch.autograd.grad(x.sum(), [x, z], { allow_unused: true })[1]).toBeNull();
  });
  it("backward() over several tensors accumulates", () => {
    const x = torch.tensor([1, 2], { requires_grad: true });
    torch.autograd.backward([x.sum(), x.mul(3).sum()]);
    expect(Array.from(x.grad!.data)).toEqual([4, 4]);
  });
  it("custom ops can record nodes with attach()", () => {
    const x = torch.tensor([1, 2], { requires_grad: true });
    const out = torch.tensor([2, 8]);
    torch.autograd.attach(out, "CubeTimesTwoBackward", [x], (g) => [g.mul(x.pow(2)).mul(6)]);
    expect(out.grad_fn!.name()).toBe("CubeTimesTwoBackward");
    out.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([6, 24]);
  });
});

describe("dtype promotion", () => {
  const f32 = torch.tensor([1.5]);
  const f64 = torch.tensor([1.5], { dtype: "float64" });
  const i64 = torch.tensor([2], { dtype: "int64" });
  const b = torch.tensor([true]);
  it("between tensors: float64 wins over float32, int64 with float becomes float, bool is lowest", () => {
    expect(f32.add(f64).dtype).toBe("float64");
    expect(i64.add(f32).dtype).toBe("float32");
    expect(i64.mul(f64).dtype).toBe("float64");
    expect(b.add(i64).dtype).toBe("int64");
    expect(b.mul(f32).dtype).toBe("float32");
    expect(b.add(b).dtype).toBe("bool");
  });
  it("a JS number does not promote a tensor within its category", () => {
    expect(f32.mul(2.5).dtype).toBe("float32");
    expect(i64.mul(3).dtype).toBe("int64");
    expect(i64.mul(0.5).dtype).toBe("float32");
    expect(b.add(1).dtype).toBe("int64");
    expect(i64.div(2).dtype).toBe("float32");
    expect(torch.result_type(i64, 2.5)).toBe("float32");
  });
  it("zero-dim tensors promote only across categories", () => {
    expect(f32.add(torch.tensor(1, { dtype: "float64" })).dtype).toBe("float32");
    expect(i64.add(torch.tensor(1.5, { dtype: "float64" })).dtype).toBe("float64");
    expect(torch.tensor(1.5).add(torch.tensor(1, { dtype: "float64" })).dtype).toBe("float64");
  });
  it("comparisons give bool, float ops of ints give the default float", () => {
    expect(i64.gt(1.5).dtype).toBe("bool");
    expect(i64.exp().dtype).toBe("float32");
    expect(i64.sum().dtype).toBe("int64");
    expect(b.sum().dtype).toBe("int64");
    expect(torch.where(torch.tensor([true]), i64, f64).dtype).toBe("float64");
  });
  it("rounds JS numbers to the tensor's float32 before computing, as PyTorch", () => {
    // 0.1 as float32 is 0.100000001490116...; 1 + fround(0.1) rounds to the float32 above 1.1
    expect(torch.tensor([1]).add(0.1).data[0]).toBe(Math.fround(1 + Math.fround(0.1)));
  });
});

describe("register_hook", () => {
  it("sees and can replace gradients of leaves and non-leaves; remove() unregisters", () => {
    const x = torch.tensor([1, 2], { requires_grad: true });
    const h = x.mul(3);
    const seen: number[][] = [];
    const handle = h.register_hook((g) => {
      seen.push(Array.from(g.data));
      return g.mul(10);
    });
    x.register_hook((g) => { seen.push(Array.from(g.data)); });
    h.sum().backward();
    expect(seen).toEqual([[1, 1], [30, 30]]);
    expect(Array.from(x.grad!.data)).toEqual([30, 30]);
    handle.remove();
    x.grad = null;
    x.mul(3).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([3, 3]);
    expect(() => torch.tensor([1]).register_hook(() => {})).toThrow("cannot register a hook on a tensor that doesn't require gradient");
  });
});
