/**
 * nn.ModuleDict, nn.ParameterList and nn.ParameterDict against real PyTorch
 * (test/fixtures/generate_activations.py, "containers"): a model holding all three gives
 * PyTorch's repr, parameter and state_dict names (in PyTorch's order), forward values and every
 * gradient; the dict and list methods; PyTorch's error messages.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import * as nn from "../../kernel/src/nn/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { expectClose, fixture, fromFixture } from "./helpers";

const fx = fixture("activations.json").containers;

/** The same model as Net in generate_activations.py's gen_containers. */
class Net extends nn.Module {
  heads = new nn.ModuleDict([["b", new nn.Linear(3, 2)], ["a", new nn.Linear(3, 2, { bias: false })], ["2", new nn.ReLU()]]);
  scales = new nn.ParameterList([new nn.Parameter(torch.randn(2)), torch.randn(2, { dtype: "float64" }), torch.randn([])]);
  extra = new nn.ParameterDict({ w: new nn.Parameter(torch.randn(2, 3)), "2": torch.randn(2), bias: torch.randn(2) });

  override forward(x: Tensor): Tensor {
    const h = this.heads.get("2").forward(this.heads.get("b").forward(x)).mul(this.scales[0]).add(this.heads.a.forward(x).mul(this.scales.get(2)));
    return h.add(this.extra.bias).add(x.matmul(this.extra.get("w").t()).mul(this.extra["2"]));
  }
}

/** Python's str() of a KeyError quotes its message; the JS error carries the message itself. */
function keyErrorText(s: string): string {
  return s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

describe("a model holding a ModuleDict, a ParameterList and a ParameterDict matches PyTorch", () => {
  it("prints as PyTorch", () => {
    expect(String(new Net())).toBe(fx.repr);
  });

  it("names its parameters, state_dict entries and modules as PyTorch, in PyTorch's order", () => {
    const net = new Net();
    expect(Object.keys(net.state_dict())).toEqual(fx.state_dict_keys);
    expect(net.named_parameters().map(([k]) => k)).toEqual(fx.named_parameters);
    expect(net.named_modules().map(([k]) => k)).toEqual(fx.named_modules);
    expect(net.get_submodule("heads.b")).toBe(net.heads.b);
  });

  it("forward values and every gradient equal PyTorch's", () => {
    const net = new Net();
    const sd: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(fx.state_before)) sd[k] = fromFixture(v as any);
    net.load_state_dict(sd);
    const x = fromFixture(fx.x, true);
    const y = net.forward(x);
    expectClose(y, fx.y, "forward");
    y.backward(fromFixture(fx.upstream));
    expectClose(x.grad, fx.grad_x, "grad x");
    const params = Object.fromEntries(net.named_parameters());
    for (const [k, g] of Object.entries(fx.param_grads)) expectClose(params[k].grad, g as any, `grad ${k}`);
    // the float64 entry of the list takes no part in forward: no gradient, as in PyTorch
    expect(Object.keys(fx.param_grads)).not.toContain("scales.1");
    expect(net.scales[1].grad).toBeNull();
  });

  it("train()/eval() and to() reach the containers' contents", () => {
    const net = new Net();
    net.eval();
    expect(net.heads.b.training).toBe(false);
    net.double();
    expect(net.scales[0].dtype).toBe("float64");
    expect(net.extra.w.dtype).toBe("float64");
  });
});

describe("reprs", () => {
  it("each container prints as PyTorch", () => {
    const net = new Net();
    expect(String(net.heads)).toBe(fx.moduledict_repr);
    expect(String(net.scales)).toBe(fx.parameterlist_repr);
    expect(String(net.extra)).toBe(fx.parameterdict_repr);
    expect(String(new nn.ParameterList([new nn.Parameter(torch.zeros(3))]))).toBe(fx.parameterlist_single_repr);
    expect(String(new nn.ParameterList([new nn.Parameter(torch.zeros(2, 3)), 5, "x"]))).toBe(fx.parameterlist_objects_repr);
    expect(String(new nn.ParameterDict(new Map<string, unknown>([["z", torch.zeros(2, { dtype: "float64" })], ["a", 3]])))).toBe(fx.parameterdict_objects_repr);
    expect([String(new nn.ModuleDict()), String(new nn.ParameterList()), String(new nn.ParameterDict())]).toEqual(fx.empty_reprs);
  });
});

describe("ModuleDict", () => {
  it("keys, values, items, has, length, iteration, set, pop, delete, clear, update keep insertion order", () => {
    const a = new nn.ReLU();
    const b = new nn.Tanh();
    const md = new nn.ModuleDict(new Map<string, nn.Module>([["x", a]]));
    md.set("10", b);
    md.update({ z: new nn.Sigmoid() });
    md.update([["y", new nn.GELU()]]);
    expect(md.keys()).toEqual(["x", "10", "z", "y"]);
    expect([...md]).toEqual(["x", "10", "z", "y"]);
    expect(md.length).toBe(4);
    expect(md.has("10")).toBe(true);
    expect(md.has("keys")).toBe(false);
    expect(md.values()[1]).toBe(b);
    expect(md.items()[0]).toEqual(["x", a]);
    expect(md.get("x")).toBe(a);
    expect(md.x).toBe(a);
    md.set("x", b); // replacing keeps the position
    expect(md.keys()).toEqual(["x", "10", "z", "y"]);
    expect(md.pop("10")).toBe(b);
    md.delete("z");
    expect(md.keys()).toEqual(["x", "y"]);
    expect(md.children().length).toBe(2);
    const copy = new nn.ModuleDict(md);
    expect(copy.keys()).toEqual(["x", "y"]);
    md.clear();
    expect(md.length).toBe(0);
    expect(md.x).toBeUndefined();
    expect(Object.keys(md.state_dict())).toEqual([]);
  });

  it("raises PyTorch's errors", () => {
    const e = fx.errors;
    expect(() => new nn.ModuleDict({ keys: new nn.ReLU() })).toThrow(keyErrorText(e.moduledict_keys));
    expect(() => new nn.ModuleDict({ training: new nn.ReLU() })).toThrow(keyErrorText(e.moduledict_training));
    expect(() => new nn.ModuleDict().get("zz")).toThrow(e.moduledict_missing);
    expect(() => new nn.ModuleDict().pop("zz")).toThrow(e.moduledict_missing);
    expect(() => new nn.ModuleDict({ a: 3 as any })).toThrow(e.moduledict_not_module);
    expect(() => new nn.ModuleDict().update(3 as any)).toThrow(e.moduledict_update_int);
    expect(() => new nn.ModuleDict().update([["a"]] as any)).toThrow(e.moduledict_update_pair);
    expect(() => new nn.ModuleDict().forward()).toThrow(e.moduledict_call);
  });
});

describe("ParameterList", () => {
  it("wraps tensors as Parameters sharing storage; indexing, get/set, append, extend, length, iteration", () => {
    const t = torch.zeros(2);
    const pl = new nn.ParameterList([t]);
    expect(pl[0]).toBeInstanceOf(nn.Parameter);
    expect(pl[0].requires_grad).toBe(true);
    expect(pl[0].data).toBe(t.data);
    pl.append(torch.ones(3)).extend([torch.ones(1), torch.ones(4)]);
    expect(pl.length).toBe(4);
    expect(pl.get(-1).shape).toEqual([4]);
    pl.set(1, torch.zeros(5));
    expect(pl[1]).toBeInstanceOf(nn.Parameter);
    expect([...pl].map((p) => p.shape[0])).toEqual([2, 5, 1, 4]);
    expect(pl.parameters().length).toBe(4);
    expect(Object.keys(pl.state_dict())).toEqual(["0", "1", "2", "3"]);
    const many = new nn.ParameterList(Array.from({ length: 12 }, () => torch.zeros(1)));
    expect(many.named_parameters().map(([k]) => k)).toEqual(Array.from({ length: 12 }, (_, i) => String(i)));
  });

  it("raises PyTorch's errors", () => {
    const e = fx.errors;
    expect(() => new nn.ParameterList([torch.ones(1)]).get(5)).toThrow(e.parameterlist_index);
    expect(() => new nn.ParameterList([torch.ones(1)]).set(-2, torch.ones(1))).toThrow("index -2 is out of range");
    expect(() => new nn.ParameterList().forward()).toThrow(e.parameterlist_call);
  });
});

describe("ParameterDict", () => {
  it("sorts a plain object's keys as PyTorch sorts a dict; a Map or pairs keep their order", () => {
    const one = () => torch.ones(1);
    expect(new nn.ParameterDict({ b: one(), a: one(), "10": one(), "9": one() }).keys()).toEqual(fx.sorted_dict_keys);
    expect(new nn.ParameterDict([["b", one()], ["a", one()]]).keys()).toEqual(["b", "a"]);
  });

  it("get with a default, set, setdefault, pop, popitem, delete, has, copy, fromkeys, update, iteration", () => {
    const pd = new nn.ParameterDict([["w", torch.ones(2)]]);
    expect(pd.get("w")).toBeInstanceOf(nn.Parameter);
    expect(pd.get("nope")).toBeNull();
    expect(pd.get("nope", 7)).toBe(7);
    pd.set("0", torch.zeros(3));
    expect(pd.keys()).toEqual(["w", "0"]);
    expect(pd.named_parameters().map(([k]) => k)).toEqual(["w", "0"]);
    // state_dict() is a plain object: JS lists an integer-like key first whatever the insertion
    // order (only at the top level; under a prefix, "extra.2", the order is PyTorch's, see above)
    expect(Object.keys(pd.state_dict()).sort()).toEqual(["0", "w"]);
    expect(pd.setdefault("w", torch.zeros(9)).shape).toEqual([2]);
    expect(pd.setdefault("q", torch.zeros(9)).shape).toEqual([9]);
    expect([...pd]).toEqual(["w", "0", "q"]);
    expect(pd.has("q")).toBe(true);
    expect(pd.popitem()[0]).toBe("q");
    const c = pd.copy();
    expect(c.keys()).toEqual(["w", "0"]);
    expect(c.w).toBe(pd.w);
    pd.delete("0");
    expect(pd.length).toBe(1);
    expect(pd.values()[0]).toBe(pd.w);
    expect(pd.items()[0][0]).toBe("w");
    pd.update(new Map([["x", torch.ones(1)]]));
    expect(pd.keys()).toEqual(["w", "x"]);
    expect(pd.fromkeys(["a", "b"]).keys()).toEqual(["a", "b"]);
    pd.clear();
    expect(pd.parameters()).toEqual([]);
  });

  it("raises PyTorch's errors", () => {
    const e = fx.errors;
    expect(() => new nn.ParameterDict().pop("nope")).toThrow(e.parameterdict_missing_pop);
    expect(() => new nn.ParameterDict().update(3 as any)).toThrow(e.parameterdict_update_int);
    expect(() => new nn.ParameterDict().update([["a"]] as any)).toThrow(e.parameterdict_update_pair);
    expect(() => new nn.ParameterDict().set(3 as any, torch.zeros(1))).toThrow(e.parameterdict_int_key);
    expect(() => new nn.ParameterDict().set("keys", torch.zeros(1))).toThrow(keyErrorText(e.parameterdict_keys));
    expect(() => new nn.ParameterDict().popitem()).toThrow(e.parameterdict_popitem);
    expect(() => new nn.ParameterDict().forward()).toThrow(e.parameterdict_call);
  });
});
