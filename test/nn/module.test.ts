/** Module: discovery from fields, names, state_dict round trip, printout, modes, hooks, errors. */
import { describe, expect, it } from "vitest";
import { inspect } from "node:util";
import * as nn from "../../kernel/src/nn/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { fixture } from "./helpers";

const repr = fixture("repr.json");

class Net extends nn.Module {
  fc = new nn.Linear(10, 1);
  override forward(x: Tensor): Tensor {
    return this.fc.forward(x);
  }
}

class Block extends nn.Module {
  body = new nn.Sequential(new nn.Linear(4, 8), new nn.GELU(), new nn.Dropout(0.1), new nn.Linear(8, 4, { bias: false }));
  norm = new nn.LayerNorm(4);
  bn = new nn.BatchNorm1d(4, { momentum: null });
  heads = new nn.ModuleList([new nn.Linear(4, 2), new nn.Linear(4, 2), new nn.Linear(4, 2), new nn.Linear(4, 3)]);
  act = new nn.Softmax(1);
  loss = new nn.CrossEntropyLoss({ label_smoothing: 0.1 });
}

/** The same block with a plain array instead of a ModuleList. */
class ArrayBlock extends nn.Module {
  body = new nn.Sequential(new nn.Linear(4, 8), new nn.GELU(), new nn.Dropout(0.1), new nn.Linear(8, 4, { bias: false }));
  norm = new nn.LayerNorm(4);
  bn = new nn.BatchNorm1d(4, { momentum: null });
  heads = [new nn.Linear(4, 2), new nn.Linear(4, 2), new nn.Linear(4, 2), new nn.Linear(4, 3)];
  act = new nn.Softmax(1);
  loss = new nn.CrossEntropyLoss({ label_smoothing: 0.1 });
}

const f32 = (data: number[], shape: number[]) => new Tensor(Float32Array.from(data), shape, "float32");

describe("discovery and names", () => {
  it("finds parameters, buffers and submodules from fields, in declaration order (PyTorch's names)", () => {
    const b = new Block();
    expect(b.named_parameters().map(([k]) => k)).toEqual(repr.block_named_parameters);
    expect(Object.keys(b.state_dict())).toEqual(repr.block_state_dict_keys);
    expect(b.named_modules().map(([k]) => k)).toEqual(repr.block_named_modules);
    expect(b.parameters().length).toBe(repr.block_named_parameters.length);
    expect(b.named_buffers().map(([k]) => k)).toEqual(["bn.running_mean", "bn.running_var", "bn.num_batches_tracked"]);
    expect(b.named_children().map(([k]) => k)).toEqual(["body", "norm", "bn", "heads", "act", "loss"]);
    const a = new ArrayBlock();
    expect(a.named_parameters().map(([k]) => k)).toEqual(repr.block_named_parameters);
    expect(Object.keys(a.state_dict())).toEqual(repr.block_state_dict_keys);
  });

  it("register_parameter / register_buffer / add_module", () => {
    const m = new nn.Module();
    m.register_parameter("w", new nn.Parameter(f32([1, 2], [2])));
    m.register_buffer("steps", f32([0], [1]));
    m.register_buffer("scratch", f32([0], [1]), { persistent: false });
    m.add_module("inner", new nn.Linear(2, 1));
    expect(m.named_parameters().map(([k]) => k)).toEqual(["w", "inner.weight", "inner.bias"]);
    expect(Object.keys(m.state_dict())).toEqual(["w", "steps", "inner.weight", "inner.bias"]);
    expect(m.named_buffers().map(([k]) => k)).toEqual(["steps", "scratch"]);
    expect(() => m.register_parameter("a.b", null)).toThrow(`parameter name can't contain "."`);
    expect(() => m.register_parameter("x", f32([1], [1]) as any)).toThrow(
      "cannot assign 'torch.FloatTensor' object to parameter 'x' (torch.nn.Parameter or None required)",
    );
    expect(() => m.add_module("train", new nn.ReLU())).toThrow("attribute 'train' already exists");
  });

  it("get_submodule follows dotted paths (arrays and containers too)", () => {
    const b = new ArrayBlock();
    expect(b.get_submodule("body.3")).toBe(b.body.get(3));
    expect(b.get_submodule("heads.1")).toBe(b.heads[1]);
    expect(() => b.get_submodule("body.9")).toThrow("Sequential has no attribute `9`");
  });

  it("parameters_to_vector / vector_to_parameters round trip", () => {
    const net = new Net();
    const v = nn.utils.parameters_to_vector(net.parameters());
    expect(v.shape).toEqual([11]);
    const doubled = new Tensor(v.data.map((x) => 2 * x), [11], "float32");
    nn.utils.vector_to_parameters(doubled, net.parameters());
    expect(Array.from(nn.utils.parameters_to_vector(net.parameters()).data)).toEqual(Array.from(doubled.data));
  });

  it("shared parameters are listed once", () => {
    const lin = new nn.Linear(3, 3);
    const seq = new nn.Sequential(lin, new nn.ReLU(), lin);
    expect(seq.named_parameters().map(([k]) => k)).toEqual(["0.weight", "0.bias"]);
  });

  it("a plain tensor field is not a parameter (as in PyTorch)", () => {
    class M extends nn.Module {
      scale = f32([2], [1]);
      p = new nn.Parameter(f32([1], [1]));
    }
    expect(new M().named_parameters().map(([k]) => k)).toEqual(["p"]);
  });
});

describe("printout", () => {
  it("matches PyTorch's repr", () => {
    expect(String(new Net())).toBe(repr.net);
    expect(String(new Block())).toBe(repr.block);
    expect(String(new ArrayBlock())).toBe(repr.block.replace(/^Block/, "ArrayBlock"));
    expect(inspect(new Net())).toBe(repr.net);
    expect(String(new nn.Linear(3, 2))).toBe(repr.linear);
    expect(String(new nn.Sequential())).toBe(repr.empty_sequential);
    const misc = [
      new nn.ReLU(), new nn.Tanh(), new nn.Sigmoid(), new nn.GELU({ approximate: "tanh" }), new nn.LogSoftmax(-1),
      new nn.Flatten(), new nn.Identity(), new nn.Dropout(), new nn.BatchNorm1d(3, { eps: 1e-3, affine: false }),
      new nn.LayerNorm([3, 4], { elementwise_affine: false }), new nn.MSELoss(), new nn.BCEWithLogitsLoss(),
      new nn.LeakyReLU(), new nn.LeakyReLU(0.2), new nn.ELU(), new nn.ELU({ alpha: 0.5 }), new nn.SiLU(), new nn.Softplus(),
      new nn.ReLU({ inplace: true }),
    ];
    expect(misc.map(String)).toEqual(repr.misc);
  });
});

describe("state_dict", () => {
  it("round-trips into a fresh model, copying values (not sharing)", () => {
    const a = new Block();
    const b = new Block();
    const sd = a.state_dict();
    const res = b.load_state_dict(sd);
    expect(res).toEqual({ missing_keys: [], unexpected_keys: [] });
    for (const [k, v] of Object.entries(b.state_dict())) expect(Array.from(v.data)).toEqual(Array.from(sd[k].data));
    b.body.get(0).state_dict()["weight"].data[0] = 123;
    expect(a.state_dict()["body.0.weight"].data[0]).not.toBe(123);
  });

  it("state_dict tensors share storage and are detached", () => {
    const l = new nn.Linear(2, 2);
    const sd = l.state_dict();
    expect(sd.weight.data).toBe(l.weight.data);
    expect(sd.weight.requires_grad).toBe(false);
  });

  it("strict loading reports missing and unexpected keys in PyTorch's words", () => {
    const net = new Net();
    const sd = net.state_dict();
    const bad: Record<string, Tensor> = { "fc.weight": sd["fc.weight"], "fc.extra": sd["fc.bias"] };
    // PyTorch lists the missing keys first (both go in front of error_msgs, missing last)
    expect(() => net.load_state_dict(bad)).toThrow(
      'Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: "fc.bias". \n\tUnexpected key(s) in state_dict: "fc.extra". ',
    );
    expect(net.load_state_dict(bad, { strict: false })).toEqual({ missing_keys: ["fc.bias"], unexpected_keys: ["fc.extra"] });
    expect(() => net.load_state_dict({ "fc.weight": f32([1, 2], [1, 2]), "fc.bias": sd["fc.bias"] })).toThrow(
      "size mismatch for fc.weight: copying a param with shape torch.Size([1, 2]) from checkpoint, the shape in current model is torch.Size([1, 10]).",
    );
  });
});

describe("modes, grads, dtype, hooks", () => {
  it("train/eval propagate to every submodule", () => {
    const b = new Block();
    expect(b.training).toBe(true);
    b.eval();
    expect(b.modules().every((m) => m.training === false)).toBe(true);
    b.train();
    expect(b.bn.training).toBe(true);
    expect(Object.keys(b)).not.toContain("training");
  });

  it("zero_grad sets grads to null by default, or to zeros", () => {
    const net = new Net();
    const x = f32(Array.from({ length: 10 }, (_, i) => i / 10), [1, 10]);
    net.forward(x).backward();
    expect(net.fc.weight.grad).not.toBeNull();
    net.zero_grad({ set_to_none: false });
    expect(Array.from(net.fc.weight.grad!.data).every((v) => v === 0)).toBe(true);
    net.zero_grad();
    expect(net.fc.weight.grad).toBeNull();
  });

  it("requires_grad_(false) freezes, apply visits children first, double() converts", () => {
    const net = new Net();
    net.requires_grad_(false);
    expect(net.parameters().every((p) => !p.requires_grad)).toBe(true);
    const seen: string[] = [];
    new Block().apply((m) => seen.push(m._get_name()));
    expect(seen[seen.length - 1]).toBe("Block");
    expect(seen.slice(0, 5)).toEqual(["Linear", "GELU", "Dropout", "Linear", "Sequential"]);
    const b = new Block().double();
    expect(b.parameters().every((p) => p.dtype === "float64")).toBe(true);
    expect(b.bn.running_mean!.dtype).toBe("float64");
    expect(b.bn.num_batches_tracked!.dtype).toBe("int64");
    expect(() => b.to("int64")).toThrow("nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=torch.int64");
  });

  it("call() runs forward pre-hooks and hooks; handles remove them", () => {
    const net = new Net();
    const log: string[] = [];
    const h1 = net.register_forward_pre_hook(() => void log.push("pre"));
    const h2 = net.register_forward_hook((_m, _i, out) => {
      log.push("post");
      return out;
    });
    net.call(f32(new Array(10).fill(1), [1, 10]));
    h1.remove();
    h2.remove();
    net.call(f32(new Array(10).fill(1), [1, 10]));
    expect(log).toEqual(["pre", "post"]);
  });

  it("a module without forward says so", () => {
    expect(() => new nn.Module().forward()).toThrow('Module [Module] is missing the required "forward" function');
  });
});

describe("containers", () => {
  it("Sequential chains, indexes (negative too), appends", () => {
    const s = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());
    expect(s.length).toBe(2);
    expect(s.get(-1)).toBeInstanceOf(nn.ReLU);
    expect(s.get<nn.Linear>(0).weight.shape).toEqual([3, 2]);
    expect(s[0]).toBe(s.get(0));
    s.append(new nn.Linear(3, 1));
    expect(s.forward(f32([1, 2], [1, 2])).shape).toEqual([1, 1]);
    expect(() => s.get(3)).toThrow("index 3 is out of range");
    expect([...s].length).toBe(3);
    const named = new nn.Sequential({ fc: new nn.Linear(2, 2), act: new nn.Tanh() });
    expect(named.named_parameters().map(([k]) => k)).toEqual(["fc.weight", "fc.bias"]);
  });

  it("ModuleList insert renumbers; it has no forward", () => {
    const l = new nn.ModuleList([new nn.ReLU(), new nn.Tanh()]);
    l.insert(1, new nn.Sigmoid());
    expect([...l].map((m) => m._get_name())).toEqual(["ReLU", "Sigmoid", "Tanh"]);
    expect(l.pop(0)._get_name()).toBe("ReLU");
    expect([...l].map((m) => m._get_name())).toEqual(["Sigmoid", "Tanh"]);
    expect(() => l.forward()).toThrow(/ModuleList is not callable/);
  });
});

describe("Parameter", () => {
  it("is a leaf requiring grad sharing the wrapped tensor's storage", () => {
    const t = f32([1, 2], [2]);
    const p = new nn.Parameter(t);
    expect(p).toBeInstanceOf(Tensor);
    expect(p.requires_grad).toBe(true);
    expect(p.is_leaf).toBe(true);
    expect(p.data).toBe(t.data);
    expect(new nn.Parameter(t, false).requires_grad).toBe(false);
  });
  it("prints like PyTorch", () => {
    expect(String(new nn.Parameter(f32([1, 2], [2])))).toBe("Parameter containing:\ntensor([1., 2.], requires_grad=True)");
  });
});
