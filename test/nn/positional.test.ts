/**
 * PyTorch's positional constructor arguments of torch.nn's layers and losses
 * (kernel/src/nn/positional.ts): `new nn.Linear(2, 3, false)`, `new nn.BatchNorm1d(4, 1e-3, 0.5,
 * false)`, `new nn.Embedding(10, 3, 0)`, `new nn.CrossEntropyLoss(w)`, ..., `model.zero_grad(false)`,
 * `model.load_state_dict(sd, false)`; and `new nn.Parameter(int64 tensor)` refused as PyTorch does.
 *
 * From PyTorch 2.13 (test/fixtures/nn/nn_positional.json, made by
 * test/fixtures/generate_nn_positional.py): each class's parameter order (`inspect.signature`),
 * the repr of layers built positionally (the repr names every option, so a value in the wrong
 * place shows) and the value of losses built positionally. Here also: the positional form gives
 * the same parameters, buffers and outputs as the options form, and what Python refuses is an
 * error naming the parameter. The typed calls below (no casts) are checked by `npm run typecheck`,
 * as the kernel checks a cell.
 */
import { describe, expect, test } from "vitest";
import * as nn from "../../kernel/src/nn/index";
import * as torch from "../../kernel/src/tensor/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { manual_seed, randn } from "../../kernel/src/random/index";
import { NN_POSITIONAL } from "../../kernel/src/nn/positional";
import { fixture } from "./helpers";

interface Fixture {
  torch: string;
  inputs: { logits: number[][]; classes: number[]; probs: number[][]; target01: number[][] };
  signatures: Record<string, { positional: string[]; keyword_only: string[] }>;
  reprs: { cls: string; args: unknown[]; repr: string }[];
  losses: { cls: string; args: unknown[]; input: string; target: string; value: number }[];
}
const FIX = fixture<Fixture>("nn_positional.json");

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ctor = (name: string): any => (nn as any)[name];
/** A fixture argument as JS: {"tensor": [...]} → a float64 Tensor. */
const arg = (a: unknown): unknown =>
  typeof a === "object" && a !== null && !Array.isArray(a) && "tensor" in a ? torch.tensor((a as { tensor: number[] }).tensor, { dtype: "float64" }) : a;

/**
 * The options form of a positional construction: the required leading values, then one object
 * with the others under PyTorch's names (from the fixture's signature, so the test does not
 * depend on lrlab's table). The deprecated size_average / reduce (null) are left out.
 */
function optionsForm(cls: string, args: unknown[]): unknown[] {
  const names = FIX.signatures[cls].positional;
  const lead = NN_POSITIONAL[cls]?.lead.length ?? 0;
  const o: Record<string, unknown> = {};
  args.slice(lead).forEach((v, i) => {
    const name = names[lead + i];
    if (!(name === "size_average" || name === "reduce")) o[name] = arg(v);
  });
  return [...args.slice(0, lead), o];
}

/** An input for a layer of the reprs list (float64). */
function inputFor(m: nn.Module, cls: string): Tensor {
  manual_seed(7);
  const shapes: Record<string, number[]> = {
    Linear: [4, 2], BatchNorm1d: [5, 4], BatchNorm2d: [2, 3, 4, 4], BatchNorm3d: [2, 3, 2, 2, 2], GroupNorm: [3, 4, 5],
    InstanceNorm1d: [2, 4, 6], InstanceNorm2d: [2, 4, 3, 3], InstanceNorm3d: [2, 4, 2, 2, 2], Dropout: [4, 6], Dropout1d: [2, 4, 6],
    Dropout2d: [2, 4, 3, 3], Dropout3d: [2, 4, 2, 2, 2], AlphaDropout: [4, 6], FeatureAlphaDropout: [2, 4, 3, 3],
    LeakyReLU: [3, 4], ELU: [3, 4], Softmax: [3, 4], LogSoftmax: [3, 4], Flatten: [2, 3, 4, 2],
  };
  if (cls === "Embedding") return torch.tensor([[1, 0, 9], [3, 3, 2]], { dtype: "int64" });
  if (cls === "LayerNorm") return randn([3, ...(m as nn.LayerNorm).normalized_shape], { dtype: "float64" });
  const dtype = cls === "Linear" ? (m as nn.Linear).weight.dtype : "float64";
  return randn(shapes[cls], { dtype });
}

function sameTensor(a: Tensor | null, b: Tensor | null, what: string): void {
  expect(a === null, `${what}: null`).toBe(b === null);
  if (a === null || b === null) return;
  expect(a.shape, `${what}: shape`).toEqual(b.shape);
  expect(a.dtype, `${what}: dtype`).toBe(b.dtype);
  expect(Array.from(a.data), `${what}: values`).toEqual(Array.from(b.data));
}

describe("the positional order is PyTorch 2.13's", () => {
  test("the fixture is from PyTorch 2.13", () => expect(FIX.torch.startsWith("2.13.")).toBe(true));
  // MultiMarginLoss and MultiLabelSoftMarginLoss take their positional values with lossArgs
  // (functional/_loss_more.ts), up to `weight`; their order is checked by the loss runs below.
  const viaLossArgs = ["MultiMarginLoss", "MultiLabelSoftMarginLoss"];
  for (const [name, sig] of Object.entries(FIX.signatures)) {
    if (viaLossArgs.includes(name)) continue;
    test(`${name}(${sig.positional.join(", ")}${sig.keyword_only.length ? ", *, " + sig.keyword_only.join(", ") : ""})`, () => {
      const ours = NN_POSITIONAL[name];
      expect(ours, `NN_POSITIONAL has ${name}`).toBeDefined();
      expect([...ours.lead, ...ours.params.map((p) => p[0])]).toEqual(sig.positional);
      expect([...ours.keywordOnly]).toEqual(sig.keyword_only);
    });
  }
  test("every NN_POSITIONAL entry is checked against PyTorch", () => {
    for (const name of Object.keys(NN_POSITIONAL)) expect(FIX.signatures, name).toHaveProperty([name]);
  });
});

describe("layers built positionally are PyTorch's, and equal the options form", () => {
  for (const { cls, args, repr } of FIX.reprs) {
    test(`${cls}(${args.map((a) => JSON.stringify(a)).join(", ")})`, () => {
      manual_seed(0);
      const pos = new (ctor(cls))(...args.map(arg)) as nn.Module;
      expect(pos.toString()).toBe(repr);
      manual_seed(0);
      const opt = new (ctor(cls))(...optionsForm(cls, args)) as nn.Module;
      expect(opt.toString()).toBe(repr);
      const sp = pos.state_dict();
      const so = opt.state_dict();
      expect(Object.keys(sp)).toEqual(Object.keys(so));
      for (const k of Object.keys(sp)) sameTensor(sp[k], so[k], `${cls} ${k}`);
      expect([...pos.parameters()].map((p) => p.requires_grad)).toEqual([...opt.parameters()].map((p) => p.requires_grad));
      const x = inputFor(pos, cls);
      manual_seed(1);
      const yp = pos.forward(x.clone());
      manual_seed(1);
      const yo = opt.forward(x.clone());
      sameTensor(yp, yo, `${cls} output`);
    });
  }
});

describe("losses built positionally give PyTorch's values, and equal the options form", () => {
  const input = (kind: string): Tensor => {
    const x = torch.tensor(FIX.inputs.logits, { dtype: "float64" });
    if (kind === "logits") return x;
    if (kind === "log_probs") return x.log_softmax(1);
    if (kind === "probs") return torch.tensor(FIX.inputs.probs, { dtype: "float64" });
    if (kind === "classes") return torch.tensor(FIX.inputs.classes, { dtype: "int64" });
    return torch.tensor(FIX.inputs.target01, { dtype: "float64" });
  };
  for (const run of FIX.losses) {
    test(`${run.cls}(${run.args.map((a) => JSON.stringify(a)).join(", ")})`, () => {
      const pos = new (ctor(run.cls))(...run.args.map(arg)) as nn.Module;
      const v = pos.forward(input(run.input), input(run.target)).item();
      expect(Math.abs(v - run.value)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(run.value)));
      const opt = new (ctor(run.cls))(...optionsForm(run.cls, run.args)) as nn.Module;
      expect(opt.forward(input(run.input), input(run.target)).item()).toBe(v);
    });
  }
  test("class weights given positionally are the weight buffer", () => {
    const w = torch.tensor([0.5, 2.0, 1.0]);
    const ce = new nn.CrossEntropyLoss(w);
    expect(ce.weight).toBe(w);
    expect(Object.keys(ce.state_dict())).toEqual(["weight"]);
    const bce = new nn.BCEWithLogitsLoss(null, null, null, "sum", w);
    expect(bce.pos_weight).toBe(w);
    expect(bce.weight).toBeNull();
    expect(bce.reduction).toBe("sum");
    expect(new nn.NLLLoss(w, null, 0).ignore_index).toBe(0);
    expect(new nn.CrossEntropyLoss(w, { label_smoothing: 0.1 }).label_smoothing).toBe(0.1);
  });
});

describe("the typed positional forms (checked by npm run typecheck, as a kernel cell)", () => {
  test("layers", () => {
    expect(new nn.Linear(2, 3, false).bias).toBeNull();
    expect(new nn.Linear(2, 3, true, "cpu", "float64").weight.dtype).toBe("float64");
    expect(new nn.Linear(2, 3, false, { dtype: "float64" }).weight.dtype).toBe("float64");
    expect(new nn.LayerNorm(4, 1e-6).eps).toBe(1e-6);
    expect(new nn.LayerNorm([2, 3], 1e-3, true, false).bias).toBeNull();
    const bn = new nn.BatchNorm1d(4, 1e-3, 0.5, false);
    expect([bn.eps, bn.momentum, bn.affine, bn.track_running_stats]).toEqual([1e-3, 0.5, false, true]);
    expect(new nn.BatchNorm2d(4, 1e-3, null).momentum).toBeNull();
    expect(new nn.BatchNorm3d(4, 1e-3, { bias: false }).bias).toBeNull();
    const gn = new nn.GroupNorm(2, 4, 1e-3, false);
    expect([gn.eps, gn.affine, gn.weight]).toEqual([1e-3, false, null]);
    expect(new nn.InstanceNorm2d(4, 1e-3, 0.2, true, true).running_mean).not.toBeNull();
    expect(new nn.Embedding(10, 3, 0).padding_idx).toBe(0);
    expect(new nn.Embedding(10, 3, null, null, 2.0, false, true).sparse).toBe(true);
    expect(new nn.Softmax({ dim: 1 }).dim).toBe(1);
    expect(new nn.Flatten(0, { end_dim: 1 }).end_dim).toBe(1);
    expect(new nn.HuberLoss("sum", 0.5).delta).toBe(0.5);
    expect(new nn.MSELoss(null, null, "sum").reduction).toBe("sum");
    expect(new nn.Dropout(0.2, true).inplace).toBe(true);
    expect(new nn.Dropout2d(0.2, true).inplace).toBe(true);
    expect(new nn.LeakyReLU(0.2, true).inplace).toBe(true);
    expect(new nn.ELU(0.3, true).inplace).toBe(true);
    expect(new nn.BCELoss(torch.ones(3), null, null, "sum").reduction).toBe("sum");
    expect(new nn.MultiMarginLoss(2, 0.5, torch.ones(3)).margin).toBe(0.5);
  });
});

describe("errors name the parameter", () => {
  test("too many positional values", () => {
    expect(() => new (ctor("Linear"))(2, 3, true, "cpu", "float32", 5)).toThrow(
      "Linear.__init__() takes at most 5 positional arguments (in_features, out_features, bias, device, dtype) but 6 were given",
    );
    // BatchNorm's bias is keyword-only in PyTorch
    expect(() => new (ctor("BatchNorm1d"))(4, 1e-5, 0.1, true, true, null, null, false)).toThrow(
      /BatchNorm1d\.__init__\(\) takes at most 7 positional arguments .* but 8 were given; bias is keyword-only: pass it in the options object/,
    );
    expect(() => new (ctor("Softmax"))(1, 2)).toThrow("Softmax.__init__() takes at most 1 positional arguments (dim) but 2 were given");
  });
  test("a value of the wrong type", () => {
    expect(() => new (ctor("Linear"))(2, 3, "no")).toThrow(
      `Linear.__init__(): argument 3 is 'bias', which takes true or false, but got "no" (the positional order is Linear(in_features, out_features, bias, device, dtype))`,
    );
    expect(() => new (ctor("BatchNorm2d"))(4, 1e-3, false)).toThrow("BatchNorm2d.__init__(): argument 3 is 'momentum', which takes a number or null, but got false (boolean)");
    expect(() => new (ctor("CrossEntropyLoss"))([0.5, 1])).toThrow("CrossEntropyLoss.__init__(): argument 1 is 'weight', which takes a Tensor or null, but got [0.5,1] (an array)");
    expect(() => new (ctor("GroupNorm"))(2, 4, "1e-3")).toThrow("argument 3 is 'eps', which takes a number");
    expect(() => new (ctor("Embedding"))(10, 3, "0")).toThrow("argument 3 is 'padding_idx', which takes a number or null");
    expect(() => new (ctor("Flatten"))("1")).toThrow("argument 1 is 'start_dim', which takes a number");
    expect(() => new (ctor("Linear"))(2, 3, true, "cuda")).toThrow(`argument 4 is 'device', which takes "cpu" or null (lrlab runs on the CPU), but got "cuda"`);
  });
  test("the deprecated size_average / reduce take only null", () => {
    expect(() => new (ctor("NLLLoss"))(null, true)).toThrow("argument 2 is 'size_average', which takes only null (deprecated in PyTorch and not in lrlab: use reduction");
    expect(() => new (ctor("MSELoss"))({ reduce: false })).toThrow("MSELoss.__init__(): 'reduce' takes only null");
  });
  test("a value given both ways", () => {
    expect(() => new (ctor("Linear"))(2, 3, false, { bias: true })).toThrow(
      "Linear.__init__() got multiple values for argument 'bias' (given positionally and in the options object)",
    );
    expect(() => new (ctor("CrossEntropyLoss"))(torch.ones(3), { weight: null })).toThrow("got multiple values for argument 'weight'");
  });
  test("an unknown option, with the nearest name", () => {
    expect(() => new (ctor("Linear"))(2, 3, { biass: false })).toThrow(/Linear\.__init__\(\) got an unexpected keyword argument 'biass' \(allowed: bias, device, dtype\).*did you mean 'bias'/);
    expect(() => new (ctor("CrossEntropyLoss"))({ label_smooting: 0.1 })).toThrow(/unexpected keyword argument 'label_smooting'.*did you mean 'label_smoothing'/);
  });
  test("a subclass's super() call names the base class", () => {
    class MyLinear extends nn.Linear {
      constructor() {
        super(2, 3, "x" as never);
      }
    }
    expect(() => new MyLinear()).toThrow("Linear.__init__(): argument 3 is 'bias'");
  });
});

describe("Module.zero_grad and load_state_dict take their flags positionally", () => {
  const withGrad = () => {
    const m = new nn.Linear(2, 1);
    m.forward(torch.ones(3, 2)).sum().backward();
    return m;
  };
  test("zero_grad(false) zeroes the gradients in place", () => {
    const m = withGrad();
    const g = m.weight.grad!;
    m.zero_grad(false);
    expect(m.weight.grad).toBe(g);
    expect(Array.from(g.data)).toEqual([0, 0]);
    m.forward(torch.ones(1, 2)).sum().backward();
    m.zero_grad({ set_to_none: false });
    expect(m.weight.grad).toBe(g);
    m.zero_grad();
    expect(m.weight.grad).toBeNull();
    const m2 = withGrad();
    m2.zero_grad(true);
    expect(m2.weight.grad).toBeNull();
    expect(() => (m2.zero_grad as (...a: unknown[]) => void)(false, 1)).toThrow("Module.zero_grad() takes at most 1 positional arguments (set_to_none) but 2 were given");
    expect(() => (m2.zero_grad as (...a: unknown[]) => void)("no")).toThrow("argument 1 is 'set_to_none', which takes true or false");
  });
  test("load_state_dict(sd, false) is non-strict", () => {
    const m = new nn.Linear(2, 1);
    const sd: Record<string, Tensor> = { ...new nn.Linear(2, 1).state_dict(), extra: torch.ones(1) };
    expect(() => m.load_state_dict(sd)).toThrow(/Unexpected key\(s\) in state_dict: "extra"/);
    const r = m.load_state_dict(sd, false);
    expect(r.unexpected_keys).toEqual(["extra"]);
    expect(Array.from(m.weight.data)).toEqual(Array.from(sd.weight.data));
    expect(m.load_state_dict(sd, { strict: false }).unexpected_keys).toEqual(["extra"]);
    expect(() => m.load_state_dict(sd, true)).toThrow(/Unexpected key/);
    // assign (third, positionally): the checkpoint's tensors take the parameters' places
    m.load_state_dict(sd, false, true);
    expect(m.weight.data).toBe(sd.weight.data);
    expect(() => (m.load_state_dict as (...a: unknown[]) => unknown)(sd, "no")).toThrow("Module.load_state_dict(): argument 2 is 'strict', which takes true or false");
  });
});

describe("nn.Parameter of a non-floating tensor", () => {
  test("requires_grad: PyTorch's RuntimeError", () => {
    const msg = "Only Tensors of floating point and complex dtype can require gradients";
    expect(() => new nn.Parameter(torch.tensor([1, 2], { dtype: "int64" }))).toThrow(msg);
    expect(() => new nn.Parameter(torch.tensor([true, false]))).toThrow(msg);
    try {
      new nn.Parameter(torch.tensor([1, 2], { dtype: "int64" }));
    } catch (e) {
      expect((e as Error).name).toBe("RuntimeError");
    }
  });
  test("frozen, or floating: allowed", () => {
    const p = new nn.Parameter(torch.tensor([1, 2], { dtype: "int64" }), false);
    expect(p.dtype).toBe("int64");
    expect(p.requires_grad).toBe(false);
    expect(new nn.Parameter(torch.tensor([1.5], { dtype: "float64" })).requires_grad).toBe(true);
  });
});
