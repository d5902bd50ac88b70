/**
 * Module forward hooks run by forward itself (kernel/src/nn/forward_hooks.ts) and
 * load_state_dict's printed result (kernel/src/nn/param_assign.ts). Numbers and messages from
 * PyTorch 2.13: test/fixtures/generate_hooks.py ("module_hooks", "incompatible_keys").
 */
import { inspect } from "node:util";
import { describe, expect, it, vi } from "vitest";
import * as torch from "../../kernel/src/index";
import type { Tensor } from "../../kernel/src/tensor/tensor";
import { fixture } from "./helpers";

const nn = torch.nn;
const ref = fixture("hooks.json");
const f64 = (v: number[][]) => torch.tensor(v, { dtype: torch.float64 });

function linear(): InstanceType<typeof nn.Linear> {
  const l = new nn.Linear(2, 2, { dtype: torch.float64 });
  l.weight.data.set([0.5, -1, 2, 0.25]);
  l.bias!.data.set([0.1, -0.2]);
  return l;
}

describe("forward hooks run under model.forward(x), once", () => {
  it("a pre-hook's and a hook's replacements, through forward and through call", () => {
    const l = linear();
    const calls: string[] = [];
    l.register_forward_pre_hook((_m, inp) => (calls.push("pre"), [(inp[0] as Tensor).mul(2)]));
    l.register_forward_hook((_m, inp, out) => (calls.push("post"), out.add((inp[0] as Tensor).sum())));
    expect(l.forward(f64([[1, 2]])).tolist()).toEqual(ref.module_hooks.linear.y);
    expect(calls).toEqual(ref.module_hooks.linear.calls);
    calls.length = 0;
    expect(l.call(f64([[1, 2]])).tolist()).toEqual(ref.module_hooks.linear.y);
    expect(calls).toEqual(ref.module_hooks.linear.calls);
  });

  it("hooks on a built-in layer's submodules fire (TransformerEncoderLayer runs them with .forward)", () => {
    const enc = new nn.TransformerEncoderLayer(4, 2, { dim_feedforward: 8, dropout: 0 });
    const counts: Record<string, number> = {};
    for (const name of Object.keys(ref.module_hooks.encoder_counts)) {
      enc.get_submodule(name).register_forward_hook(() => void (counts[name] = (counts[name] ?? 0) + 1));
    }
    enc.forward(torch.zeros([3, 1, 4]));
    expect(counts).toEqual(ref.module_hooks.encoder_counts);
    enc.call(torch.zeros([3, 1, 4]));
    for (const k of Object.keys(counts)) expect(counts[k]).toBe(2 * ref.module_hooks.encoder_counts[k]);
  });

  it("a module in a Sequential runs its hooks once", () => {
    const l = linear();
    let n = 0;
    l.register_forward_hook(() => void n++);
    new nn.Sequential(l, new nn.ReLU()).forward(f64([[1, 2]]));
    expect(n).toBe(1);
  });

  it("a subclass calling super.forward runs the hooks once", () => {
    class Twice extends nn.Linear {
      override forward(x: Tensor): Tensor {
        return super.forward(x).mul(2);
      }
    }
    const m = new Twice(2, 2);
    let n = 0;
    m.register_forward_hook((_m, _i, out) => (n++, out.add(1)));
    const x = torch.ones([1, 2]);
    const y = m.forward(x);
    expect(n).toBe(1);
    expect(y.tolist()).toEqual(nn.Linear.prototype.forward.call(m, x).mul(2).add(1).tolist());
  });

  it("a class-field arrow forward is wrapped, and is its own property again after the last remove()", () => {
    class Net extends nn.Module {
      fc = new nn.Linear(2, 1);
      override forward = (x: Tensor): Tensor => this.fc.forward(x).mul(3);
    }
    const net = new Net();
    const own = net.forward;
    let n = 0;
    const h1 = net.register_forward_hook(() => void n++);
    const h2 = net.register_forward_pre_hook(() => void n++);
    const x = torch.ones([1, 2]);
    const detached = net.forward; // usable detached, as the arrow function was
    expect(detached(x).tolist()).toEqual(own(x).tolist());
    expect(n).toBe(2);
    h1.remove();
    expect(Object.getOwnPropertyDescriptor(net, "forward")!.get).toBeDefined(); // one hook left
    h2.remove();
    h2.remove(); // idempotent
    expect(net.forward).toBe(own);
    expect(Object.keys(net)).toEqual(["fc", "forward"]);
    net.forward(x);
    expect(n).toBe(2);
  });

  it("without hooks the instance has no own forward; with them, parameters, state_dict, keys and printout are unchanged", () => {
    const l = linear();
    expect(Object.getOwnPropertyDescriptor(l, "forward")).toBeUndefined();
    const before = { keys: Object.keys(l), names: l.named_parameters().map(([n]) => n), sd: Object.keys(l.state_dict()), repr: String(l) };
    const h = l.register_forward_hook(() => undefined);
    expect({ keys: Object.keys(l), names: l.named_parameters().map(([n]) => n), sd: Object.keys(l.state_dict()), repr: String(l) }).toEqual(before);
    expect(inspect(l)).toBe(before.repr);
    h.remove();
    expect(Object.getOwnPropertyDescriptor(l, "forward")).toBeUndefined();
    expect(l.forward).toBe(nn.Linear.prototype.forward);
  });

  it("always_call: the hook runs when forward throws (output null), and the error is rethrown", () => {
    const m = new nn.Linear(2, 2);
    const seen: boolean[] = [];
    m.register_forward_hook((_m, _i, o) => void seen.push(o === null), { always_call: true });
    expect(() => m.forward(torch.zeros([1, 3]))).toThrow(/mat1 and mat2 shapes cannot be multiplied|shape/);
    expect(seen).toEqual(ref.module_hooks.always_call);
    // an always_call hook that throws then is only warned about
    const m2 = new nn.Linear(2, 2);
    m2.register_forward_hook(() => {
      throw new Error("inner");
    }, { always_call: true });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(() => m2.forward(torch.zeros([1, 3]))).toThrow(/shape/);
    expect(warn.mock.calls[0][0]).toMatch(/always_call=True`` raised an exception that was silenced as another error was raised in forward: inner/);
    warn.mockRestore();
  });

  it("prepend puts a hook first", () => {
    const m = new nn.Identity();
    const order: string[] = [];
    m.register_forward_hook(() => void order.push("a"));
    m.register_forward_hook(() => void order.push("b"), { prepend: true });
    m.register_forward_pre_hook(() => void order.push("pa"));
    m.register_forward_pre_hook(() => void order.push("pb"), { prepend: true });
    m.forward(torch.zeros([1]));
    expect(order).toEqual(ref.module_hooks.prepend);
  });

  it("with_kwargs: the trailing options object is the hooks' kwargs", () => {
    const mha = new nn.MultiheadAttention(4, 2);
    const q = torch.randn([3, 1, 4]);
    const seen: unknown[] = [];
    mha.register_forward_pre_hook((_m, args, kwargs) => {
      seen.push([args.length, { ...kwargs }]);
      return [args, { ...kwargs, need_weights: false }];
    }, { with_kwargs: true });
    mha.register_forward_hook((_m, args, kwargs, out) => void seen.push([args.length, { ...kwargs }, out[1]]), { with_kwargs: true });
    const [, w] = mha.forward(q, q, q, { need_weights: true });
    expect(w).toBe(null);
    expect(seen).toEqual([[3, { need_weights: true }], [3, { need_weights: false }, null]]);
    // no options object: kwargs is {}
    const l = new nn.Linear(4, 2);
    let kw: unknown;
    l.register_forward_pre_hook((_m, _a, k) => void (kw = k), { with_kwargs: true });
    l.forward(q);
    expect(kw).toEqual({});
  });

  it("bad hooks and options are named", () => {
    const m = new nn.Identity();
    expect(() => m.register_forward_hook(3 as never)).toThrow("register_forward_hook(): hook must be a function, got number");
    expect(() => m.register_forward_pre_hook(() => undefined, { always_call: true } as never)).toThrow(
      "register_forward_pre_hook() got an unexpected keyword argument 'always_call'; accepted: prepend, with_kwargs",
    );
    m.register_forward_pre_hook(() => 5 as never, { with_kwargs: true });
    expect(() => m.forward(torch.zeros([1]))).toThrow(/forward pre-hook must return None or a tuple of \(new_args, new_kwargs\), but got number 5/);
  });

  it("AveragedModel's copy keeps the hooks, run on the copy", () => {
    const l = linear();
    const seen: unknown[] = [];
    l.register_forward_hook((m) => void seen.push(m));
    const swa = new torch.optim.swa_utils.AveragedModel(l);
    swa.forward(f64([[1, 2]]));
    expect(seen).toEqual([swa.module]);
    expect(seen[0]).not.toBe(l);
  });

  it("a copy of a hooked module whose forward is a class-field arrow function refuses to run, saying why", () => {
    class Net extends nn.Module {
      fc = new nn.Linear(2, 1);
      override forward = (x: Tensor): Tensor => this.fc.forward(x);
    }
    const net = new Net();
    net.register_forward_hook(() => undefined);
    const swa = new torch.optim.swa_utils.AveragedModel(net);
    expect(() => swa.forward(torch.ones([1, 2]))).toThrow(/a copy \(e\.g\. AveragedModel's\) of a module with forward hooks whose forward is an own property/);
    expect(net.forward(torch.ones([1, 2])).shape).toEqual([1, 1]); // the original runs
  });
});

describe("load_state_dict's result prints as PyTorch's", () => {
  it("<All keys matched successfully>, and _IncompatibleKeys(...) in PyTorch's key order", () => {
    const m = new nn.Sequential(new nn.Linear(2, 2));
    const sd = m.state_dict();
    const ok = m.load_state_dict(sd);
    expect(String(ok)).toBe(ref.incompatible_keys.ok);
    expect(`${ok}`).toBe(ref.incompatible_keys.ok_str);
    expect(inspect(ok)).toBe(ref.incompatible_keys.ok);
    const bad = { "0.weight": sd["0.weight"], "0.extra": torch.zeros([1]), "1.x": torch.zeros([1]) };
    const r = m.load_state_dict(bad, { strict: false });
    expect(String(r)).toBe(ref.incompatible_keys.bad);
    expect(inspect(r)).toBe(ref.incompatible_keys.bad);
    const [missing, unexpected] = r;
    expect([missing, unexpected]).toEqual([r.missing_keys, r.unexpected_keys]);
    expect(r).toEqual({ missing_keys: ["0.bias"], unexpected_keys: ["1.x", "0.extra"] });
  });
});
