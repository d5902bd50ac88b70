/**
 * Tensor hooks as PyTorch runs them (kernel/src/tensor/autograd.ts run_backward): a hook on a leaf
 * runs once per backward with the leaf's total gradient (not once per use with a share of it:
 * x*x, weight tying, slices), torch.autograd.grad runs the hooks on its way to the inputs (and
 * only those) and returns the gradients after them, and backward takes its options alone,
 * `y.backward({ retain_graph: true })`. Numbers from PyTorch 2.13: test/fixtures/generate_hooks.py.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import type { Tensor } from "../../kernel/src/tensor/tensor";
import { fixture } from "../nn/helpers";

const ref = fixture("hooks.json").leaf_hooks;
const f64 = (v: number[] | number[][]) => torch.tensor(v, { dtype: torch.float64, requires_grad: true });
const list = (t: Tensor | null) => (t === null ? null : t.tolist());

describe("a hook on a leaf runs once per backward, with the total gradient", () => {
  it("x*x: one call with [2, 4] (was two calls with [1, 2])", () => {
    const x = f64([1, 2]);
    const seen: unknown[] = [];
    x.register_hook((g) => void seen.push(g.tolist()));
    x.mul(x).sum().backward();
    expect(seen).toEqual(ref.square_seen.seen);
    expect(list(x.grad)).toEqual(ref.square_seen.grad);
  });

  it("a clipping hook clips the total: w.grad [1, 1] (was [2, 2])", () => {
    const w = f64([1, 2]);
    w.register_hook((g) => g.clamp(-1, 1));
    w.mul(w).sum().backward();
    expect(list(w.grad)).toEqual(ref.square_clamp.grad);
  });

  it("weight tying: a Linear used twice calls the hook on its weight once", () => {
    const l = new torch.nn.Linear(2, 2, { bias: false, dtype: torch.float64 });
    l.weight.data.set(ref.tied.weight.flat());
    const seen: unknown[] = [];
    l.weight.register_hook((g) => (seen.push(g.tolist()), g.clamp(-3, 3)));
    new torch.nn.Sequential(l, l).forward(torch.tensor([[1, 2]], { dtype: torch.float64 })).pow(2).sum().backward();
    expect(seen).toEqual(ref.tied.seen);
    expect(list(l.weight.grad)).toEqual(ref.tied.grad);
  });

  it("slices of one leaf: the hook sees their sum; a second backward calls it again", () => {
    const x = f64([1, 2, 3, 4]);
    const seen: unknown[] = [];
    x.register_hook((g) => (seen.push(g.tolist()), g.mul(2)));
    x.narrow(0, 0, 2).mul(3).sum().add(x.narrow(0, 1, 2).pow(2).sum()).backward();
    expect(list(x.grad)).toEqual(ref.slices.grad_first);
    x.mul(x).sum().backward();
    expect(seen).toEqual(ref.slices.seen);
    expect(list(x.grad)).toEqual(ref.slices.grad);
  });

  it("a removed hook no longer runs", () => {
    const x = f64([1, 2]);
    let n = 0;
    const h = x.register_hook(() => void n++);
    x.mul(x).sum().backward();
    h.remove();
    x.mul(x).sum().backward();
    expect(n).toBe(1);
    expect(list(x.grad)).toEqual([4, 8]);
  });
});

describe("torch.autograd.grad runs tensor hooks as backward does", () => {
  it("a leaf's hook: called once, the result is after it, .grad untouched", () => {
    const x = f64([1, 2]);
    const seen: unknown[] = [];
    x.register_hook((g) => (seen.push(g.tolist()), g.mul(10)));
    const r = torch.autograd.grad(x.mul(x).sum(), x)[0];
    expect(list(r)).toEqual(ref.grad_leaf.result);
    expect(seen).toEqual(ref.grad_leaf.seen);
    expect(x.grad).toBe(null);
  });

  it("a non-leaf's hook, for the gradient w.r.t. the leaf and w.r.t. the non-leaf itself", () => {
    const x = f64([1, 2]);
    let y = x.mul(1);
    y.register_hook((g) => g.mul(10));
    expect(list(torch.autograd.grad(y.mul(y).sum(), x)[0])).toEqual(ref.grad_nonleaf.wrt_x);
    y = x.mul(1);
    y.register_hook((g) => g.mul(10));
    expect(list(torch.autograd.grad(y.mul(y).sum(), y)[0])).toEqual(ref.grad_nonleaf.wrt_y);
  });

  it("only the hooks on the way to the inputs run (as PyTorch's engine); backward then runs them all", () => {
    const x = f64([1, 2]);
    const w = f64([3, -1]);
    const calls = { w: 0, b: 0, a: 0 };
    w.register_hook(() => void calls.w++);
    const a = x.mul(2);
    a.register_hook(() => void calls.a++);
    const b = w.mul(3);
    b.register_hook(() => void calls.b++);
    const z = a.mul(b).sum();
    const r = torch.autograd.grad(z, x, { retain_graph: true })[0];
    expect(list(r)).toEqual(ref.grad_pruned.result);
    expect({ ...calls }).toEqual(ref.grad_pruned.calls_after_grad);
    z.backward();
    expect({ ...calls }).toEqual(ref.grad_pruned.calls_after_backward);
    expect(list(x.grad)).toEqual(ref.grad_pruned.x_grad);
    expect(list(w.grad)).toEqual(ref.grad_pruned.w_grad);
  });

  it("a branch grad() did not need keeps its saved tensors (PyTorch frees only what ran)", () => {
    // PyTorch 2.13: a = (2x).exp(); z = (a * w.exp()).sum(); grad(z, w); a.sum().backward() works
    // (x.grad = 2 exp(2x)), and z.backward() then fails: the path to w ran and was freed.
    const x = f64([1, 2]);
    const w = f64([3, -1]);
    const a = x.mul(2).exp();
    const z = a.mul(w.exp()).sum();
    torch.autograd.grad(z, w);
    a.sum().backward();
    expect(list(x.grad)).toEqual([2 * Math.exp(2), 2 * Math.exp(4)]);
    expect(() => z.backward()).toThrow(/backward through the graph a second time/);
  });

  it("two inputs, one a hooked leaf used twice", () => {
    const x = f64([0.5, -2]);
    const w = f64([1.5, 2]);
    const seen: unknown[] = [];
    x.register_hook((g) => (seen.push(g.tolist()), g.sign()));
    const [rx, rw] = torch.autograd.grad(x.mul(w).sum().add(x.pow(3).sum()), [x, w]);
    expect(seen).toEqual(ref.grad_two.seen);
    expect(list(rx)).toEqual(ref.grad_two.x);
    expect(list(rw)).toEqual(ref.grad_two.w);
  });
});

describe("backward's options alone: y.backward({ retain_graph: true })", () => {
  it("is accepted as PyTorch's backward(retain_graph=True)", () => {
    const x = f64([1, 2]);
    const y = x.mul(x).sum();
    y.backward({ retain_graph: true });
    y.backward();
    expect(list(x.grad)).toEqual(ref.retain_graph_kw.grad);
  });

  it("keys are checked as in the two-argument form; options twice is an error", () => {
    const x = f64([1, 2]);
    expect(() => x.sum().backward({ retain_grad: true } as never)).toThrow("backward() got an unexpected keyword argument 'retain_grad'; accepted: retain_graph");
    expect(() => x.sum().backward({ retain_graph: true } as never, {})).toThrow(/options were given twice/);
    // an array is not an options object: still the gradient error
    expect(() => x.sum().backward([1] as never)).toThrow(/gradient must be a Tensor/);
  });
});
