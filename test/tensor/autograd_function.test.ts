/**
 * torch.autograd.Function (custom ops with forward/backward and ctx) and torch.autograd.gradcheck,
 * against PyTorch 2.13 (test/fixtures/generate_autograd_function.py ->
 * test/fixtures/tensor/autograd_function.json); hand-computed values where marked.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../../kernel/src/index";

type Tensor = torch.Tensor;
type Ctx = torch.autograd.FunctionCtx;
const ref = JSON.parse(readFileSync(join(__dirname, "../fixtures/tensor/autograd_function.json"), "utf8")).cases;

function close(actual: unknown, expected: unknown, tol = 1e-6): void {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual)).toBe(true);
    expect((actual as unknown[]).length).toBe(expected.length);
    expected.forEach((e, i) => close((actual as unknown[])[i], e, tol));
  } else expect(Math.abs((actual as number) - (expected as number))).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected as number)));
}

class MyExp extends torch.autograd.Function {
  static override forward(ctx: Ctx, x: Tensor): Tensor {
    const y = x.exp();
    ctx.save_for_backward(y);
    return y;
  }
  static override backward(ctx: Ctx, g: Tensor): Tensor {
    const [y] = ctx.saved_tensors;
    return g.mul(y);
  }
}

/** (a*b*k, a+b): two tensors and a number in, two tensors out. */
class MulAdd extends torch.autograd.Function {
  static override forward(ctx: Ctx, a: Tensor, b: Tensor, k: number): [Tensor, Tensor] {
    ctx.save_for_backward(a, b);
    ctx.k = k;
    return [a.mul(b).mul(k), a.add(b)];
  }
  static override backward(ctx: Ctx, g1: Tensor, g2: Tensor): [Tensor, Tensor, null] {
    const [a, b] = ctx.saved_tensors;
    return [g1.mul(b).mul(ctx.k).add(g2), g1.mul(a).mul(ctx.k).add(g2), null];
  }
}

class ScaledExp extends torch.autograd.Function {
  static override forward(x: Tensor, k: number): Tensor {
    return x.exp().mul(k);
  }
  static override setup_context(ctx: Ctx, inputs: [Tensor, number], output: Tensor): void {
    ctx.k = inputs[1];
    ctx.save_for_backward(output);
  }
  static override backward(ctx: Ctx, g: Tensor): [Tensor, null] {
    const [y] = ctx.saved_tensors;
    return [g.mul(y), null];
  }
}

class SortND extends torch.autograd.Function {
  static override forward(ctx: Ctx, x: Tensor): [Tensor, Tensor] {
    const { values, indices } = x.sort();
    ctx.mark_non_differentiable(indices);
    ctx.save_for_backward(indices);
    return [values, indices];
  }
  static override backward(ctx: Ctx, gv: Tensor, gi: Tensor): Tensor {
    ctx.gi = gi;
    const [i] = ctx.saved_tensors;
    const r = torch.zeros_like(gv);
    const idx = i.tolist() as number[];
    idx.forEach((src, k) => (r.data[src] = gv.data[k]));
    return r;
  }
}

class Double_ extends torch.autograd.Function {
  static override forward(ctx: Ctx, x: Tensor): Tensor {
    x.mul_(2);
    ctx.mark_dirty(x);
    return x;
  }
  static override backward(_ctx: Ctx, g: Tensor): Tensor {
    return g.mul(2);
  }
}

describe("torch.autograd.Function", () => {
  it("MyExp: values, gradient, grad_fn name and repr as PyTorch", () => {
    const c = ref.myexp;
    const x = torch.tensor(c.x, { requires_grad: true });
    const y = MyExp.apply(x);
    close(y.tolist(), c.y);
    expect(y.grad_fn!.name()).toBe(c.grad_fn);
    expect(y.toString()).toBe(c.repr);
    y.mul(torch.tensor(c.w)).sum().backward();
    close(x.grad!.tolist(), c.grad);
  });

  it("saved tensors are freed after backward: a second backward is PyTorch's error", () => {
    const x = torch.tensor([0.5, 1], { requires_grad: true });
    const y = MyExp.apply(x);
    y.sum().backward({ retain_graph: true });
    y.sum().backward(); // retained once: works
    expect(x.grad!.tolist()).toEqual(x.exp().mul(2).tolist());
    expect(() => y.sum().backward()).toThrow(ref.myexp.second_backward.message);
  });

  it("several inputs and outputs, a number argument, ctx attributes", () => {
    const c = ref.muladd;
    const a = torch.tensor(c.a, { requires_grad: true });
    const b = torch.tensor(c.b, { requires_grad: true });
    const [p, q] = MulAdd.apply(a, b, c.k);
    close(p.tolist(), c.p);
    close(q.tolist(), c.q);
    expect(p.grad_fn!.name()).toBe(c.grad_fn);
    expect(q.grad_fn!.name()).toBe(c.grad_fn);
    p.mul(torch.tensor(c.wp)).add(q.pow(2)).sum().backward();
    close(a.grad!.tolist(), c.grad_a);
    close(b.grad!.tolist(), c.grad_b);
  });

  it("an output that gets no gradient is given zeros (materialized), backward runs once", () => {
    const c = ref.muladd;
    const a = torch.tensor(c.a, { requires_grad: true });
    const b = torch.tensor(c.b, { requires_grad: true });
    const spy = vi.spyOn(MulAdd, "backward");
    const [p, q] = MulAdd.apply(a, b, c.k);
    p.sum().backward();
    close(a.grad!.tolist(), c.first_only_grad_a);
    expect(spy).toHaveBeenCalledTimes(1);
    expect((spy.mock.calls[0][2] as Tensor).tolist()).toEqual([[0, 0], [0, 0]]);
    // both used: still one call of backward, with both gradients
    spy.mockClear();
    const [p2, q2] = MulAdd.apply(a, b, c.k);
    p2.add(q2).sum().backward();
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    void q;
  });

  it("set_materialize_grads(false): backward gets null for an unused output (hand-computed)", () => {
    const seen: (Tensor | null)[] = [];
    class Two extends torch.autograd.Function {
      static override forward(ctx: Ctx, x: Tensor): [Tensor, Tensor] {
        ctx.set_materialize_grads(false);
        return [x.mul(2), x.mul(3)];
      }
      static override backward(_ctx: Ctx, g1: Tensor | null, g2: Tensor | null): Tensor {
        seen.push(g1, g2);
        let r = torch.zeros([2]);
        if (g1 !== null) r = r.add(g1.mul(2));
        if (g2 !== null) r = r.add(g2.mul(3));
        return r;
      }
    }
    const x = torch.tensor([1, 2], { requires_grad: true });
    const [p] = Two.apply(x);
    p.sum().backward();
    expect(seen[0]!.tolist()).toEqual([1, 1]);
    expect(seen[1]).toBeNull();
    expect(x.grad!.tolist()).toEqual([2, 2]);
  });

  it("a backward pass that threw midway leaves nothing behind for the next pass", () => {
    const seen: (Tensor | null)[][] = [];
    class Two extends torch.autograd.Function {
      static override forward(ctx: Ctx, x: Tensor): [Tensor, Tensor] {
        ctx.set_materialize_grads(false);
        return [x.mul(2), x.mul(3)];
      }
      static override backward(_ctx: Ctx, g1: Tensor | null, g2: Tensor | null): Tensor {
        seen.push([g1, g2]);
        return g1!.mul(2);
      }
    }
    const x = torch.tensor([1, 2], { requires_grad: true });
    const [p, q] = Two.apply(x);
    const h = p.register_hook(() => {
      throw new Error("hook failed");
    });
    expect(() => p.sum().add(q.sum()).backward({ retain_graph: true })).toThrow("hook failed");
    h.remove();
    p.sum().backward();
    expect(seen.length).toBe(1);
    expect(seen[0][0]!.tolist()).toEqual([1, 1]);
    expect(seen[0][1]).toBeNull(); // not q's gradient of the pass that threw
    expect(x.grad!.tolist()).toEqual([2, 2]);
  });

  it("setup_context style: forward without ctx", () => {
    const c = ref.setup_context;
    const x = torch.tensor(c.x, { requires_grad: true });
    const y = ScaledExp.apply(x, 3);
    close(y.tolist(), c.y);
    expect(y.grad_fn!.name()).toBe(c.grad_fn);
    y.sum().backward();
    close(x.grad!.tolist(), c.grad);
  });

  it("mark_non_differentiable: indices need no grad and get zeros in backward", () => {
    const c = ref.sort_nd;
    const x = torch.tensor(c.x, { requires_grad: true });
    const spy = vi.spyOn(SortND, "backward");
    const [v, i] = SortND.apply(x);
    expect(v.tolist()).toEqual(c.v);
    expect(i.tolist()).toEqual(c.i);
    expect(i.requires_grad).toBe(c.i_requires_grad);
    expect(i.grad_fn).toBeNull();
    v.mul(torch.tensor([1, 2, 3])).sum().backward();
    expect(x.grad!.tolist()).toEqual(c.grad);
    const gi = spy.mock.calls[0][2] as Tensor;
    expect(gi.dtype).toBe("int64");
    expect(gi.tolist()).toEqual([0, 0, 0]);
    spy.mockRestore();
  });

  it("mark_dirty: in-place in forward, same object returned, history rebased; a leaf is PyTorch's error", () => {
    const c = ref.dirty;
    const x = torch.tensor(c.x, { requires_grad: true });
    const h = x.mul(1.5);
    const o = Double_.apply(h);
    expect(o === h).toBe(c.same_object);
    expect(h.grad_fn!.name()).toBe(c.grad_fn);
    expect(o.tolist()).toEqual(c.out);
    o.mul(torch.tensor([1, 3])).sum().backward();
    expect(x.grad!.tolist()).toEqual(c.grad);
    expect(() => Double_.apply(torch.tensor([1], { requires_grad: true }))).toThrow(c.leaf_error.message);
  });

  it("needs_input_grad; forward and backward run under no_grad; a gradient for an input without requires_grad is dropped", () => {
    const log: unknown[] = [];
    class Probe extends torch.autograd.Function {
      static override forward(ctx: Ctx, x: Tensor, z: Tensor, k: number): Tensor {
        log.push(["forward", torch.is_grad_enabled(), [...ctx.needs_input_grad]]);
        return x.mul(z).mul(k);
      }
      static override backward(ctx: Ctx, g: Tensor): (Tensor | null)[] {
        log.push(["backward", torch.is_grad_enabled(), [...ctx.needs_input_grad]]);
        return [g, g, null];
      }
    }
    const x = torch.tensor([1, 2], { requires_grad: true });
    const z = torch.ones([2]);
    const y = Probe.apply(x, z, 2);
    expect(y.requires_grad).toBe(true);
    y.sum().backward();
    expect(log).toEqual([["forward", false, [true, false, false]], ["backward", false, [true, false, false]]]);
    expect(x.grad!.tolist()).toEqual([1, 1]);
    expect(z.grad).toBeNull();
  });

  it("no node when nothing requires grad or under no_grad; an input returned unmodified gets a new tensor", () => {
    expect(MyExp.apply(torch.tensor([1])).requires_grad).toBe(false);
    const x = torch.tensor([1, 2], { requires_grad: true });
    expect(torch.no_grad(() => MyExp.apply(x)).grad_fn).toBeNull();
    class Ident extends torch.autograd.Function {
      static override forward(_ctx: Ctx, t: Tensor): Tensor {
        return t;
      }
      static override backward(_ctx: Ctx, g: Tensor): Tensor {
        return g.mul(3);
      }
    }
    const o = Ident.apply(x);
    expect(o === x).toBe(false);
    expect(x.is_leaf).toBe(true);
    expect(o.grad_fn!.name()).toBe("IdentBackward");
    o.sum().backward();
    expect(x.grad!.tolist()).toEqual([3, 3]);
  });

  it("a non-tensor output is returned as it is and gets null in backward; vjp may stand for backward (hand-computed)", () => {
    let second: unknown = "unset";
    class RetNum extends torch.autograd.Function {
      static override forward(_ctx: Ctx, t: Tensor): [Tensor, number] {
        return [t.mul(2), 5];
      }
      static override vjp(_ctx: Ctx, g: Tensor, g2: unknown): Tensor {
        second = g2;
        return g.mul(2);
      }
    }
    const x = torch.tensor([1, 2], { requires_grad: true });
    const [y, n] = RetNum.apply(x);
    expect(n).toBe(5);
    y.sum().backward();
    expect(second).toBeNull();
    expect(x.grad!.tolist()).toEqual([2, 2]);
  });

  it("inside a Module's forward, the parameters get the custom op's gradient (hand-computed)", () => {
    class ScaleOp extends torch.autograd.Function {
      static override forward(ctx: Ctx, t: Tensor, w: Tensor): Tensor {
        ctx.save_for_backward(t, w);
        return t.mul(w);
      }
      static override backward(ctx: Ctx, g: Tensor): [Tensor | null, Tensor | null] {
        const [t, w] = ctx.saved_tensors;
        return [ctx.needs_input_grad[0] ? g.mul(w) : null, ctx.needs_input_grad[1] ? g.mul(t).sum(0) : null];
      }
    }
    class Scale extends torch.nn.Module {
      weight = new torch.nn.Parameter(torch.tensor([2, -1]));
      override forward(t: Tensor): Tensor {
        return ScaleOp.apply(t, this.weight);
      }
    }
    const m = new Scale();
    m.forward(torch.tensor([[1, 2], [3, 4]])).sum().backward();
    expect(m.weight.grad!.tolist()).toEqual([4, 6]);
  });

  it("a gradient the input's shape broadcasts to is summed down to it", () => {
    class Broadcast extends torch.autograd.Function {
      static override forward(_ctx: Ctx, t: Tensor): Tensor {
        return t.mul(3);
      }
      static override backward(_ctx: Ctx, g: Tensor): Tensor {
        return g.unsqueeze(0).expand([2, ...g.shape]).mul(1.5);
      }
    }
    const x = torch.tensor([1, 2], { requires_grad: true });
    Broadcast.apply(x).sum().backward();
    expect(x.grad!.tolist()).toEqual(ref.broadcast_grad.grad);
  });

  it("PyTorch's errors for backward's result", () => {
    const e = ref.errors;
    class BadCount extends torch.autograd.Function {
      static override forward(_ctx: Ctx, t: Tensor, k: number): Tensor {
        return t.mul(k);
      }
      static override backward(_ctx: Ctx, g: Tensor): Tensor {
        return g;
      }
    }
    class BadShape extends torch.autograd.Function {
      static override forward(_ctx: Ctx, t: Tensor): Tensor {
        return t.mul(2);
      }
      static override backward(): Tensor {
        return torch.ones([3]);
      }
    }
    class GradForNumber extends torch.autograd.Function {
      static override forward(_ctx: Ctx, t: Tensor, k: number): Tensor {
        return t.mul(k);
      }
      static override backward(_ctx: Ctx, g: Tensor): Tensor[] {
        return [g, g];
      }
    }
    class NotATensor extends torch.autograd.Function {
      static override forward(_ctx: Ctx, t: Tensor): Tensor {
        return t.mul(2);
      }
      static override backward(): number {
        return 3;
      }
    }
    const x = torch.tensor([1, 2], { requires_grad: true });
    expect(() => BadCount.apply(x, 2).sum().backward()).toThrow(e.count.message);
    expect(() => BadShape.apply(x).sum().backward()).toThrow(e.shape.message);
    expect(() => GradForNumber.apply(x, 2).sum().backward()).toThrow(e.number.message);
    expect(() => NotATensor.apply(x).sum().backward()).toThrow("expected Variable or None (got number)");
  });

  it("errors for a class without forward/backward, a non-static forward, instantiation, save_for_backward of a non-tensor", () => {
    class NoForward extends torch.autograd.Function {}
    class NoBackward extends torch.autograd.Function {
      static override forward(_ctx: Ctx, t: Tensor): Tensor {
        return t.mul(2);
      }
    }
    class Legacy extends torch.autograd.Function {
      forward(t: Tensor): Tensor {
        return t;
      }
    }
    class SavesNumber extends torch.autograd.Function {
      static override forward(ctx: Ctx, t: Tensor): Tensor {
        ctx.save_for_backward(t, 3 as never);
        return t.mul(1);
      }
    }
    const x = torch.tensor([1, 2], { requires_grad: true });
    expect(() => NoForward.apply(x)).toThrow("You must implement the forward function for custom autograd.Function.");
    expect(() => NoBackward.apply(x).sum().backward()).toThrow("You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.");
    expect(() => Legacy.apply(x)).toThrow(/Legacy autograd function with non-static forward method is deprecated/);
    expect(() => new MyExp()).toThrow(/MyExp should not be instantiated.*MyExp\.apply/);
    expect(() => SavesNumber.apply(x)).toThrow("save_for_backward can only save variables, but argument 1 is of type number");
  });

  it("once_differentiable wraps backward (run under no_grad)", () => {
    let mode: boolean | null = null;
    class OD extends torch.autograd.Function {
      static override forward(_ctx: Ctx, t: Tensor): Tensor {
        return t.mul(2);
      }
      static override backward = torch.autograd.once_differentiable((_ctx: Ctx, g: Tensor) => {
        mode = torch.is_grad_enabled();
        return g.mul(2);
      });
    }
    const x = torch.tensor([1, 2], { requires_grad: true });
    OD.apply(x).sum().backward();
    expect(mode).toBe(false);
    expect(x.grad!.tolist()).toEqual([2, 2]);
  });

  it("apply is typed from forward (compile-time checks)", () => {
    const x = torch.tensor([1], { requires_grad: true });
    const y: Tensor = MyExp.apply(x);
    const [p, q]: [Tensor, Tensor] = MulAdd.apply(x, x, 2);
    const s: Tensor = ScaledExp.apply(x, 2);
    // @ts-expect-error: forward takes one tensor
    expect(() => MyExp.apply(x, 1)).not.toThrow();
    // @ts-expect-error: the third argument of MulAdd is a number
    void (() => MulAdd.apply(x, x, x));
    // @ts-expect-error: with setup_context, apply takes forward's own arguments (no ctx)
    void (() => ScaledExp.apply(x));
    expect([y, p, q, s].every((t) => t instanceof torch.Tensor)).toBe(true);
  });
});

describe("torch.autograd.gradcheck", () => {
  afterEach(() => vi.restoreAllMocks());
  const g = ref.gradcheck;
  class BadExp extends torch.autograd.Function {
    static override forward(ctx: Ctx, x: Tensor): Tensor {
      const y = x.exp();
      ctx.save_for_backward(y);
      return y;
    }
    static override backward(ctx: Ctx, gy: Tensor): Tensor {
      const [y] = ctx.saved_tensors;
      return gy.mul(y).mul(2);
    }
  }
  class WrongSecond extends torch.autograd.Function {
    static override forward(ctx: Ctx, a: Tensor, b: Tensor): Tensor {
      ctx.save_for_backward(a, b);
      return a.mul(b);
    }
    static override backward(ctx: Ctx, gy: Tensor): Tensor[] {
      const [a, b] = ctx.saved_tensors;
      return [gy.mul(b), gy.mul(a).mul(0)];
    }
  }
  const x64 = () => torch.tensor(g.x, { dtype: "float64", requires_grad: true });

  it("passes for a right backward (custom Function, built-in ops, several inputs/outputs, number arguments)", () => {
    expect(torch.autograd.gradcheck((t: Tensor) => MyExp.apply(t), [x64()])).toBe(g.myexp);
    expect(torch.autograd.gradcheck(MyExp.apply.bind(MyExp), x64())).toBe(true);
    const a = torch.tensor([[1, 2], [3, -4]], { dtype: "float64", requires_grad: true });
    const b = torch.tensor([[0.5, -1.5], [2, 1]], { dtype: "float64", requires_grad: true });
    expect(torch.autograd.gradcheck((u: Tensor, v: Tensor, k: number) => MulAdd.apply(u, v, k), [a, b, 2.5])).toBe(true);
    expect(torch.autograd.gradcheck((u: Tensor, v: Tensor) => [u.mul(v.sum()), u.sum().mul(3)], [a, b])).toBe(true);
    expect(torch.autograd.gradcheck((u: Tensor) => SortND.apply(u), [torch.tensor([3, 1, 2], { dtype: "float64", requires_grad: true })])).toBe(true);
    expect(a.tolist()).toEqual([[1, 2], [3, -4]]); // inputs restored
  });

  it("fails for a wrong backward with PyTorch's GradcheckError message", () => {
    const x = x64();
    let err: unknown = null;
    try {
      torch.autograd.gradcheck((t: Tensor) => BadExp.apply(t), [x]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(torch.autograd.GradcheckError);
    expect((err as Error).name).toBe(g.bad.type);
    expect((err as Error).message).toBe(g.bad.message);
    expect(torch.autograd.gradcheck((t: Tensor) => BadExp.apply(t), [x], { raise_exception: false })).toBe(g.bad_no_raise);
    const y = x64();
    expect(() => torch.autograd.gradcheck((u: Tensor, v: Tensor) => WrongSecond.apply(u, v), [x, y])).toThrow(g.wrong_second.message);
  });

  it("PyTorch's other failures: no input requires grad, an output cut from the graph, backward not reentrant", () => {
    expect(() => torch.autograd.gradcheck((t: Tensor) => t.mul(2), [torch.ones([2], { dtype: "float64" })])).toThrow(g.none.message);
    expect(() => torch.autograd.gradcheck((t: Tensor) => t.detach().mul(2), [x64()])).toThrow(g.detached.message);
    let calls = 0;
    class NotReentrant extends torch.autograd.Function {
      static override forward(_ctx: Ctx, t: Tensor): Tensor {
        return t.mul(2);
      }
      static override backward(_ctx: Ctx, gy: Tensor): Tensor {
        return gy.mul(2).add(calls++ * 1e-3);
      }
    }
    expect(() => torch.autograd.gradcheck((t: Tensor) => NotReentrant.apply(t), [x64()], { atol: 1e-2 })).toThrow(
      /^Backward is not reentrant, i\.e\., running backward with same input and grad_output multiple times gives different values, although analytical gradient matches numerical gradient\.The tolerance for nondeterminism was 0\.0\./,
    );
  });

  it("float32 inputs give PyTorch's UserWarning", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const x = torch.tensor(g.x, { requires_grad: true });
    expect(torch.autograd.gradcheck((t: Tensor) => t.mul(2), [x], { eps: 1e-3, atol: 1e-2 })).toBe(g.float32_result);
    expect(warn).toHaveBeenCalledWith(`UserWarning: ${g.float32_warning[0]}`);
  });

  it("options are checked: unknown keys and unsupported modes", () => {
    expect(() => torch.autograd.gradcheck((t: Tensor) => t, [x64()], { epsilon: 1 } as never)).toThrow(/unexpected keyword argument 'epsilon'/);
    expect(() => torch.autograd.gradcheck((t: Tensor) => t, [x64()], { fast_mode: true })).toThrow(/fast_mode=true is not supported/);
    expect((torch.autograd as Record<string, unknown>).gradgradcheck).toBeUndefined();
  });
});
