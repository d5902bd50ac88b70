/**
 * In-place ops through views (view, reshape, flatten, squeeze, unsqueeze, t, index(":")): the
 * base's history follows (PyTorch's CopySlices), other views rebuild theirs from the base, nodes
 * made before an in-place op keep the history they saw, and PyTorch's errors for views of leaves
 * and views made under no_grad. Expected numbers from PyTorch 2.13 (code in the comments).
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/tensor/index";
import * as nn from "../../kernel/src/nn/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { overwrite_ } from "../../kernel/src/tensor/inplace";

const f64 = (x: unknown, requires_grad = false) => torch.tensor(x as number[], { dtype: "float64", requires_grad });

function expectClose(actual: unknown, expected: unknown, what = ""): void {
  const a = (actual as number[]).flat(2) as number[];
  const e = (expected as number[]).flat(2) as number[];
  expect(a.length, what).toBe(e.length);
  a.forEach((v, i) => expect(Math.abs(v - e[i]), `${what}[${i}]: ${v} vs ${e[i]}`).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(e[i]))));
}

describe("in-place op through a view of a non-leaf", () => {
  it("reaches the base's gradient (the three repros)", () => {
    // a = torch.tensor([1., 2, 3, 4], dtype=torch.float64, requires_grad=True); b = a.mul(2)
    // b.view([2, 2]).mul_(3); b.sum().backward()  -> b [6, 12, 18, 24], a.grad [6, 6, 6, 6]
    const a = f64([1, 2, 3, 4], true);
    const b = a.mul(2);
    b.view([2, 2]).mul_(3);
    b.sum().backward();
    expect(b.tolist()).toEqual([6, 12, 18, 24]);
    expect(a.grad!.tolist()).toEqual([6, 6, 6, 6]);
    // c = tensor([1., 2, 3]); h = c.mul(2); h.unsqueeze(0).pow_(2); h.sum().backward() -> c.grad [8, 16, 24]
    const c = f64([1, 2, 3], true);
    const h = c.mul(2);
    h.unsqueeze(0).pow_(2);
    h.sum().backward();
    expect(h.tolist()).toEqual([4, 16, 36]);
    expect(c.grad!.tolist()).toEqual([8, 16, 24]);
    // e = tensor([[1., -2], [3, -4]]); f = e.mul(1); f.flatten().clamp_(0, 10); f.sum().backward() -> e.grad [[1, 0], [1, 0]]
    const e = f64([[1, -2], [3, -4]], true);
    const f = e.mul(1);
    f.flatten().clamp_(0, 10);
    f.sum().backward();
    expect(f.tolist()).toEqual([[1, 0], [3, 0]]);
    expect(e.grad!.tolist()).toEqual([[1, 0], [1, 0]]);
  });

  it("names the nodes as PyTorch: CopySlices on the base, AsStridedBackward0 on the view", () => {
    const a = f64([1, 2, 3, 4], true);
    const b = a.mul(2);
    const v = b.view(2, 2);
    v.mul_(3);
    expect(b.grad_fn!.name()).toBe("CopySlices");
    expect(v.grad_fn!.name()).toBe("AsStridedBackward0");
    expect(v.grad_fn!.inputs[0]).toBe(b);
  });

  // Every in-place op, through b.view(2, 2), with an operand o that requires grad:
  //   a = torch.tensor([0.5, 1.5, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
  //   o = torch.tensor([[0.25, 2.0], [1.5, 0.75]], dtype=torch.float64, requires_grad=True)
  //   b = a.mul(2); OP(b.view(2, 2), o)
  //   (b * torch.tensor([1.0, -2.0, 3.0, 0.5], dtype=torch.float64)).sum().backward()
  //   -> b, a.grad, o.grad (None when o is not used), type(b.grad_fn).__name__ == "CopySlices"
  const ops: Record<string, [(v: Tensor, o: Tensor) => unknown, { b: number[]; a: number[]; o: number[][] | null }]> = {
    // v.add_(o, alpha=2)
    add_: [(v, o) => v.add_(o, { alpha: 2 }), { b: [1.5, 7.0, 7.0, 7.5], a: [2.0, -4.0, 6.0, 1.0], o: [[2.0, -4.0], [6.0, 1.0]] }],
    // v.sub_(o, alpha=0.5)
    sub_: [(v, o) => v.sub_(o, { alpha: 0.5 }), { b: [0.875, 2.0, 3.25, 5.625], a: [2.0, -4.0, 6.0, 1.0], o: [[-0.5, 1.0], [-1.5, -0.25]] }],
    // v.mul_(o)
    mul_: [(v, o) => v.mul_(o), { b: [0.25, 6.0, 6.0, 4.5], a: [0.5, -8.0, 9.0, 0.75], o: [[1.0, -6.0], [12.0, 3.0]] }],
    // v.div_(o)
    div_: [(v, o) => v.div_(o), { b: [4.0, 1.5, 2.6666666666666665, 8.0], a: [8.0, -2.0, 4.0, 1.3333333333333333], o: [[-16.0, 1.5], [-5.333333333333333, -5.333333333333333]] }],
    // v.pow_(o)
    pow_: [(v, o) => v.pow_(o), { b: [1.0, 9.0, 8.0, 3.833658625477635], a: [0.5, -24.0, 18.0, 0.47920732818470435], o: [[0.0, -19.775021196025975], [33.27106466687737, 3.4344970719936807]] }],
    // v.addcmul_(o, o, value=0.5)
    addcmul_: [(v, o) => v.addcmul_(o, o, { value: 0.5 }), { b: [1.03125, 5.0, 5.125, 6.28125], a: [2.0, -4.0, 6.0, 1.0], o: [[0.25, -4.0], [4.5, 0.375]] }],
    // v.addcdiv_(o, o.add(1), value=2)
    addcdiv_: [(v, o) => v.addcdiv_(o, o.add(1), { value: 2 }), { b: [1.4, 4.333333333333333, 5.2, 6.857142857142857], a: [2.0, -4.0, 6.0, 1.0], o: [[1.28, -0.4444444444444444], [0.9600000000000004, 0.32653061224489793]] }],
    // v.lerp_(o, 0.25)
    lerp_: [(v, o) => v.lerp_(o, 0.25), { b: [0.8125, 2.75, 3.375, 4.6875], a: [1.5, -3.0, 4.5, 0.75], o: [[0.25, -0.5], [0.75, 0.125]] }],
    // v.clamp_(2, 5)
    clamp_: [(v) => v.clamp_(2, 5), { b: [2.0, 3.0, 4.0, 5.0], a: [0.0, -4.0, 6.0, 0.0], o: null }],
    // v.clamp_min_(3)
    clamp_min_: [(v) => v.clamp_min_(3), { b: [3.0, 3.0, 4.0, 6.0], a: [0.0, -4.0, 6.0, 1.0], o: null }],
    // v.clamp_max_(3)
    clamp_max_: [(v) => v.clamp_max_(3), { b: [1.0, 3.0, 3.0, 3.0], a: [2.0, -4.0, 0.0, 0.0], o: null }],
    // v.sqrt_()
    sqrt_: [(v) => v.sqrt_(), { b: [1.0, 1.7320508075688772, 2.0, 2.449489742783178], a: [1.0, -1.1547005383792517, 1.5, 0.20412414523193154], o: null }],
    // v.exp_()
    exp_: [(v) => v.exp_(), { b: [2.718281828459045, 20.085536923187668, 54.598150033144236, 403.4287934927351], a: [5.43656365691809, -80.34214769275067, 327.5889001988654, 403.4287934927351], o: null }],
    // v.log_()
    log_: [(v) => v.log_(), { b: [0.0, 1.0986122886681098, 1.3862943611198906, 1.791759469228055], a: [2.0, -1.3333333333333333, 1.5, 0.16666666666666666], o: null }],
    // v.neg_()
    neg_: [(v) => v.neg_(), { b: [-1.0, -3.0, -4.0, -6.0], a: [-2.0, 4.0, -6.0, -1.0], o: null }],
    // v.sub_(3).abs_()
    abs_: [(v) => v.sub_(3).abs_(), { b: [2.0, 0.0, 1.0, 3.0], a: [-2.0, -0.0, 6.0, 1.0], o: null }],
    // v.copy_(o)
    copy_: [(v, o) => v.copy_(o), { b: [0.25, 2.0, 1.5, 0.75], a: [0.0, 0.0, 0.0, 0.0], o: [[1.0, -2.0], [3.0, 0.5]] }],
    // v.zero_()
    zero_: [(v) => v.zero_(), { b: [0.0, 0.0, 0.0, 0.0], a: [0.0, 0.0, 0.0, 0.0], o: null }],
    // v.fill_(7)
    fill_: [(v) => v.fill_(7), { b: [7.0, 7.0, 7.0, 7.0], a: [0.0, 0.0, 0.0, 0.0], o: null }],
    // v.masked_fill_(torch.tensor([[True, False], [False, True]]), 9)
    masked_fill_: [(v) => v.masked_fill_(torch.tensor([[true, false], [false, true]]), 9), { b: [9.0, 3.0, 4.0, 9.0], a: [0.0, -4.0, 6.0, 0.0], o: null }],
  };
  for (const [name, [op, want]] of Object.entries(ops)) {
    it(`${name} through a view gives PyTorch's gradients`, () => {
      const a = f64([0.5, 1.5, 2.0, 3.0], true);
      const o = f64([[0.25, 2.0], [1.5, 0.75]], true);
      const b = a.mul(2);
      op(b.view(2, 2), o);
      b.mul(f64([1.0, -2.0, 3.0, 0.5])).sum().backward();
      expectClose(b.tolist(), want.b, `${name} b`);
      expectClose(a.grad!.tolist(), want.a, `${name} a.grad`);
      if (want.o === null) expect(o.grad).toBeNull();
      else expectClose(o.grad!.tolist(), want.o, `${name} o.grad`);
      expect(b.grad_fn!.name()).toBe("CopySlices");
    });
  }

  it("every kind of view reaches its base", () => {
    // for mk in (b.reshape(2, 2), b.unsqueeze(0).squeeze(0), b.view(2, 2).flatten(), b.unflatten(0, (2, 2)),
    //            b.t(), b[:], b.view_as(torch.zeros(2, 2))):
    //     a = tensor([1., 2, 3, 4]); b = a.mul(2); mk(b).mul_(3); b.sum().backward()  -> a.grad [6, 6, 6, 6]
    const makers: [string, (b: Tensor) => Tensor][] = [
      ["reshape", (b) => b.reshape(2, 2)],
      ["squeeze", (b) => b.unsqueeze(0).squeeze(0)],
      ["flatten", (b) => b.view(2, 2).flatten()],
      ["unflatten", (b) => b.unflatten(0, [2, 2])],
      ["t", (b) => b.t()],
      ['index(":")', (b) => b.index(":")],
      ["view_as", (b) => b.view_as(torch.zeros(2, 2))],
    ];
    for (const [name, mk] of makers) {
      const a = f64([1, 2, 3, 4], true);
      const b = a.mul(2);
      mk(b).mul_(3);
      b.sum().backward();
      expect(a.grad!.tolist(), name).toEqual([6, 6, 6, 6]);
    }
  });

  it("a view of a view of a view reaches the first base", () => {
    // b = a.mul(2); b.view(2, 2).view(4).unsqueeze(1).mul_(tensor([[1.], [2], [3], [4]])); b.sum().backward()
    // -> b [2, 8, 18, 32], a.grad [2, 4, 6, 8]
    const a = f64([1, 2, 3, 4], true);
    const b = a.mul(2);
    b.view(2, 2).view(4).unsqueeze(1).mul_(f64([[1], [2], [3], [4]]));
    b.sum().backward();
    expect(b.tolist()).toEqual([2, 8, 18, 32]);
    expect(a.grad!.tolist()).toEqual([2, 4, 6, 8]);
  });

  it("other views of the base, taken before, see the new history", () => {
    // b = a.mul(2); v = b.view(2, 2); v.mul_(3); u = b.view(4); u.add_(a); v.pow_(2); b.sum().backward()
    // -> b [49, 196, 441, 784], a.grad [98, 196, 294, 392]
    const a = f64([1, 2, 3, 4], true);
    const b = a.mul(2);
    const v = b.view(2, 2);
    v.mul_(3);
    const u = b.view(4);
    u.add_(a);
    v.pow_(2);
    b.sum().backward();
    expect(b.tolist()).toEqual([49, 196, 441, 784]);
    expect(a.grad!.tolist()).toEqual([98, 196, 294, 392]);
  });

  it("ops recorded before an in-place op keep the history they read", () => {
    // b = a.mul(2); v = b.view(2, 2); c = v.mul(5); b.mul_(3); (c.sum() + v.sum()).backward()  -> a.grad [16, 16, 16, 16]
    // (c read 2a: 10; v now holds 6a: 6); type(v.grad_fn).__name__ == "AsStridedBackward0"
    const a = f64([1, 2, 3, 4], true);
    const b = a.mul(2);
    const v = b.view(2, 2);
    const c = v.mul(5);
    b.mul_(3);
    expect(v.grad_fn!.name()).toBe("AsStridedBackward0");
    c.sum().add(v.sum()).backward();
    expect(a.grad!.tolist()).toEqual([16, 16, 16, 16]);
    // Without views: b = a.mul(2); c = b.add(1); b.mul_(3); c.sum().backward()  -> a.grad [2, 2, 2, 2]
    const a2 = f64([1, 2, 3, 4], true);
    const b2 = a2.mul(2);
    const c2 = b2.add(1);
    b2.mul_(3);
    c2.sum().backward();
    expect(a2.grad!.tolist()).toEqual([2, 2, 2, 2]);
  });

  it("a base that did not require grad does once an operand that does is written through a view", () => {
    // x = torch.zeros(4, dtype=torch.float64); v = x.view(2, 2); w = x.view(4); v.add_(a.view(2, 2))
    // -> type(x.grad_fn).__name__ "CopySlices", w.requires_grad True, w.grad_fn AsStridedBackward0
    // (x * x).sum().backward()  -> a.grad [2, 4, 6, 8]
    const a = f64([1, 2, 3, 4], true);
    const x = torch.zeros(4, { dtype: "float64" });
    const v = x.view(2, 2);
    const w = x.view(4);
    expect(w.requires_grad).toBe(false);
    v.add_(a.view(2, 2));
    expect(x.grad_fn!.name()).toBe("CopySlices");
    expect(w.requires_grad).toBe(true);
    expect(w.grad_fn!.name()).toBe("AsStridedBackward0");
    x.mul(x).sum().backward();
    expect(a.grad!.tolist()).toEqual([2, 4, 6, 8]);
  });

  it("nn.Flatten's output is a view too", () => {
    // m = a.mul(1).view(2, 2); fl = nn.Flatten(0)(m); fl.exp_(); m.sum().backward()  -> a.grad = exp(a)
    const a = f64([1, 2, 3, 4], true);
    const m = a.mul(1).view(2, 2);
    new nn.Flatten(0).forward(m).exp_();
    m.sum().backward();
    expectClose(a.grad!.tolist(), [2.718281828459045, 7.38905609893065, 20.085536923187668, 54.598150033144236]);
  });

  it("fill_, zero_ and copy_ give the overwritten values a zero gradient, not none", () => {
    // b = a*2; b.fill_(1); b.sum().backward() -> a.grad [0, 0, 0, 0] (FillBackward2); zero_ likewise (ZeroBackward0)
    // b = a*2; b.copy_(torch.zeros(4)) -> b.requires_grad True, CopyBackwards; backward -> a.grad [0, 0, 0, 0]
    // fill_(0) is FillBackward2 too: only zero_ is ZeroBackward0 (PyTorch 2.13; it read ZeroBackward0)
    for (const [op, name] of [[(b: Tensor) => b.fill_(1), "FillBackward2"], [(b: Tensor) => b.fill_(0), "FillBackward2"], [(b: Tensor) => b.zero_(), "ZeroBackward0"], [(b: Tensor) => b.copy_(torch.zeros(4, { dtype: "float64" })), "CopyBackwards"]] as const) {
      const a = f64([1, 2, 3, 4], true);
      const b = a.mul(2);
      op(b);
      expect(b.requires_grad).toBe(true);
      expect(b.grad_fn!.name()).toBe(name);
      b.sum().backward();
      expect(a.grad!.tolist()).toEqual([0, 0, 0, 0]);
    }
  });
});

describe("retain_grad and hooks around in-place ops", () => {
  it("retain_grad follows the tensor to its new values", () => {
    // a = torch.tensor([1., 2, 3, 4], requires_grad=True)
    // b = a * 2; b.retain_grad(); b.mul_(3); b.sum().backward()          -> b.grad [1, 1, 1, 1], a.grad [6, 6, 6, 6]
    // b = a * 2; b.retain_grad(); b.view(4).mul_(3); b.sum().backward()  -> the same
    // b = a * 2; v = b.view(2, 2); v.retain_grad(); b.mul_(3); v.sum().backward() -> v.grad [[1, 1], [1, 1]], a.grad [6, 6, 6, 6]
    for (const through of [(b: Tensor) => b, (b: Tensor) => b.view(4)]) {
      const a = torch.tensor([1, 2, 3, 4], { requires_grad: true });
      const b = a.mul(2);
      b.retain_grad();
      through(b).mul_(3);
      expect(b.retains_grad).toBe(true);
      b.sum().backward();
      expect(b.grad!.tolist()).toEqual([1, 1, 1, 1]);
      expect(a.grad!.tolist()).toEqual([6, 6, 6, 6]);
    }
    const a = torch.tensor([1, 2, 3, 4], { requires_grad: true });
    const b = a.mul(2);
    const v = b.view(2, 2);
    v.retain_grad();
    b.mul_(3);
    v.sum().backward();
    expect(v.grad!.tolist()).toEqual([[1, 1], [1, 1]]);
    expect(a.grad!.tolist()).toEqual([6, 6, 6, 6]);
  });

  it("a hook registered before an in-place op sees the old values' gradient, one registered after the new", () => {
    // b = a * 2; b.register_hook(before); b.view(4).mul_(3); b.register_hook(after)
    // (b * torch.tensor([1., 2, 3, 4])).sum().backward()
    // -> after gets [1, 2, 3, 4], then before gets [3, 6, 9, 12]; a.grad [6, 12, 18, 24]
    const a = torch.tensor([1, 2, 3, 4], { requires_grad: true });
    const b = a.mul(2);
    const seen: [string, unknown][] = [];
    b.register_hook((g) => void seen.push(["before", g.tolist()]));
    b.view(4).mul_(3);
    b.register_hook((g) => void seen.push(["after", g.tolist()]));
    b.mul(torch.tensor([1, 2, 3, 4])).sum().backward();
    expect(seen).toEqual([["after", [1, 2, 3, 4]], ["before", [3, 6, 9, 12]]]);
    expect(a.grad!.tolist()).toEqual([6, 12, 18, 24]);
  });
});

describe("overwrite_ (for in-place samplers kept outside tensor/)", () => {
  it("gives the overwritten values a zero gradient, through a view too", () => {
    // b = a * 2; b.view(2, 2).normal_(); type(b.grad_fn).__name__ -> CopySlices; b.sum().backward() -> a.grad [0, 0, 0, 0]
    // b = a * 2; b.normal_(); type(b.grad_fn).__name__ -> NormalBackward0
    const a = torch.tensor([1, 2, 3, 4], { requires_grad: true });
    const b = a.mul(2);
    overwrite_(b.view(2, 2), "NormalBackward0", (d) => d.fill(5));
    expect(b.tolist()).toEqual([5, 5, 5, 5]);
    expect(b.grad_fn!.name()).toBe("CopySlices");
    b.sum().backward();
    expect(a.grad!.tolist()).toEqual([0, 0, 0, 0]);
    const c = a.mul(2);
    overwrite_(c, "NormalBackward0", (d) => d.fill(1));
    expect(c.grad_fn!.name()).toBe("NormalBackward0");
    // and PyTorch's checks: a.normal_() / a.view(4).normal_() on a leaf that requires grad raise; under no_grad they fill
    expect(() => overwrite_(a, "NormalBackward0", (d) => d.fill(0))).toThrow("a leaf Variable that requires grad is being used in an in-place operation.");
    expect(() => overwrite_(a.view(4), "NormalBackward0", (d) => d.fill(0))).toThrow("a view of a leaf Variable that requires grad is being used in an in-place operation.");
    torch.no_grad(() => overwrite_(a.view(2, 2), "NormalBackward0", (d) => d.fill(0)));
    expect(a.tolist()).toEqual([0, 0, 0, 0]);
  });
});

describe("in-place op on a view: PyTorch's errors", () => {
  const VIEW_OF_LEAF = "a view of a leaf Variable that requires grad is being used in an in-place operation.";

  it("a view of a leaf that requires grad can't be modified in place (nor the parameter through it)", () => {
    // lin = torch.nn.Linear(2, 2); lin.weight.view([4]).mul_(0)
    // -> RuntimeError: a view of a leaf Variable that requires grad is being used in an in-place operation.
    const lin = new nn.Linear(2, 2);
    const before = lin.weight.tolist();
    expect(() => lin.weight.view([4]).mul_(0)).toThrow(VIEW_OF_LEAF);
    expect(lin.weight.tolist()).toEqual(before);
    const w = torch.ones(4, { requires_grad: true });
    const views: [string, () => Tensor][] = [
      ["view", () => w.view(2, 2)], ["reshape", () => w.reshape(4, 1)], ["unsqueeze", () => w.unsqueeze(0)],
      ["flatten", () => w.view(2, 2).flatten()], ["squeeze", () => w.unsqueeze(1).squeeze()], ['index(":")', () => w.index(":")],
    ];
    for (const [name, mk] of views) {
      expect(() => mk().mul_(0), name).toThrow(VIEW_OF_LEAF);
      expect(() => mk().zero_(), name).toThrow(VIEW_OF_LEAF);
      expect(() => mk().fill_(2), name).toThrow(VIEW_OF_LEAF);
      expect(() => mk().copy_(mk().detach()), name).toThrow(VIEW_OF_LEAF);
      expect(() => mk().masked_fill_(mk().detach().gt(0), 0), name).toThrow(VIEW_OF_LEAF);
    }
    expect(w.tolist()).toEqual([1, 1, 1, 1]);
  });

  it("under no_grad it is allowed, and writes the leaf", () => {
    // w = torch.ones(4, requires_grad=True)
    // with torch.no_grad(): w.view(2, 2).mul_(0)   -> w tensor([0., 0., 0., 0.], requires_grad=True)
    const w = torch.ones(4, { requires_grad: true });
    torch.no_grad(() => w.view(2, 2).mul_(0));
    expect(w.tolist()).toEqual([0, 0, 0, 0]);
    expect(w.is_leaf).toBe(true);
    // v = w.view(2, 2); with torch.no_grad(): v.add_(2)  -> allowed; v keeps requires_grad True
    const v = w.view(2, 2);
    torch.no_grad(() => v.add_(2));
    expect(w.tolist()).toEqual([2, 2, 2, 2]);
    expect(v.requires_grad).toBe(true);
  });

  it("a view made under no_grad can't be modified in place with grad mode on", () => {
    // b = a.mul(2)
    // with torch.no_grad(): v = b.view(2, 2)
    // v.mul_(3) -> RuntimeError: A view was created in no_grad mode and is being modified inplace with grad mode enabled. ...
    const msg = "A view was created in no_grad mode and is being modified inplace with grad mode enabled.";
    const a = f64([1, 2, 3, 4], true);
    const b = a.mul(2);
    const v = torch.no_grad(() => b.view(2, 2));
    expect(() => v.mul_(3)).toThrow(msg);
    // x = torch.zeros(4); with torch.no_grad(): v = x.view(2, 2); v.mul_(torch.ones(2, 2, requires_grad=True)) -> same error
    const x = torch.zeros(4);
    const xv = torch.no_grad(() => x.view(2, 2));
    expect(() => xv.mul_(torch.ones(2, 2, { requires_grad: true }))).toThrow(msg);
    // ... and a view of such a view too
    expect(() => v.view(4).mul_(3)).toThrow(msg);
    // without anything that requires grad it is allowed
    torch.no_grad(() => x.view(4)).add_(1);
    expect(x.tolist()).toEqual([1, 1, 1, 1]);
  });

  it("detach_() on a view is refused", () => {
    // b = a.mul(2); v = b.view(2, 2); v.detach_()  -> RuntimeError: Can't detach views in-place. Use detach() instead. ...
    const a = f64([1, 2, 3, 4], true);
    const v = a.mul(2).view(2, 2);
    expect(() => v.detach_()).toThrow("Can't detach views in-place. Use detach() instead.");
    expect(v.detach().requires_grad).toBe(false);
  });
});
