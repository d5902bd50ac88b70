/**
 * The extra activations (ReLU6 ... PReLU), their functional forms and the extra dropouts
 * (Dropout1d, AlphaDropout, FeatureAlphaDropout) against real PyTorch
 * (test/fixtures/generate_activations.py): forward values, input and weight gradients in float64
 * (1e-12) and float32 (1e-6 relative to the tensor's scale), on inputs that hit every kink;
 * dropout masks and values bit for bit for the same seed; reprs and error messages.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import * as nn from "../../kernel/src/nn/index";
import * as F from "../../kernel/src/nn/functional/index";
import type { Module } from "../../kernel/src/nn/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { checkLayerCase, expectClose, expectExact, fixture, fromFixture } from "./helpers";
import type { FixtureTensor, LayerCase } from "./helpers";

const fx = fixture("activations.json");

/** The same constructors as CASES in generate_activations.py. */
const BUILD: Record<string, () => Module> = {
  relu6: () => new nn.ReLU6(),
  hardtanh: () => new nn.Hardtanh(),
  hardtanh_range: () => new nn.Hardtanh(-0.3, 0.5),
  hardsigmoid: () => new nn.Hardsigmoid(),
  hardswish: () => new nn.Hardswish(),
  mish: () => new nn.Mish(),
  selu: () => new nn.SELU(),
  celu: () => new nn.CELU(),
  celu_alpha: () => new nn.CELU(0.5),
  logsigmoid: () => new nn.LogSigmoid(),
  softsign: () => new nn.Softsign(),
  tanhshrink: () => new nn.Tanhshrink(),
  softshrink: () => new nn.Softshrink(),
  softshrink_03: () => new nn.Softshrink(0.3),
  hardshrink: () => new nn.Hardshrink(),
  hardshrink_03: () => new nn.Hardshrink({ lambd: 0.3 }),
  threshold: () => new nn.Threshold(0.3, 20.0),
  threshold_neg: () => new nn.Threshold({ threshold: -1.0, value: -2.5 }),
  softmin: () => new nn.Softmin(1),
  softmin_3d: () => new nn.Softmin({ dim: 0 }),
  glu: () => new nn.GLU(),
  glu_dim1_3d: () => new nn.GLU(1),
  glu_1d: () => new nn.GLU({ dim: 0 }),
  prelu: () => new nn.PReLU(),
  prelu_channels: () => new nn.PReLU(3, 0.1),
  prelu_channels_2d: () => new nn.PReLU({ num_parameters: 3 }),
  prelu_channels_4d: () => new nn.PReLU(2, { init: -0.2 }),
  prelu_1d: () => new nn.PReLU(),
};

describe("activations match PyTorch (forward, input and weight gradients, float64 and float32)", () => {
  const cases = fx.layers as LayerCase[];
  it("covers every constructor in both dtypes", () => {
    expect(cases.length).toBe(2 * Object.keys(BUILD).length);
  });
  it.each(cases.map((c) => [c.name, c] as const))("%s", (name, c) => {
    checkLayerCase(BUILD[name.replace(/_f32$/, "")]() as any, c);
  });
});

/** The functional form of each module, with the module's arguments. */
const FUNCTIONAL: Record<string, (x: Tensor, m: any) => Tensor> = {
  relu6: (x) => F.relu6(x),
  hardtanh: (x) => F.hardtanh(x),
  hardtanh_range: (x) => F.hardtanh(x, -0.3, 0.5),
  hardsigmoid: (x) => F.hardsigmoid(x, false),
  hardswish: (x) => F.hardswish(x, { inplace: false }),
  mish: (x) => F.mish(x),
  selu: (x) => F.selu(x),
  celu: (x) => F.celu(x),
  celu_alpha: (x) => F.celu(x, { alpha: 0.5 }),
  logsigmoid: (x) => F.logsigmoid(x),
  softsign: (x) => F.softsign(x),
  tanhshrink: (x) => F.tanhshrink(x),
  softshrink: (x) => F.softshrink(x),
  softshrink_03: (x) => F.softshrink(x, 0.3),
  hardshrink: (x) => F.hardshrink(x),
  hardshrink_03: (x) => F.hardshrink(x, { lambd: 0.3 }),
  threshold: (x) => F.threshold(x, 0.3, 20.0),
  threshold_neg: (x) => F.threshold(x, -1.0, { value: -2.5 }),
  softmin: (x) => F.softmin(x, 1),
  softmin_3d: (x) => F.softmin(x, { dim: 0 }),
  glu: (x) => F.glu(x),
  glu_dim1_3d: (x) => F.glu(x, 1),
  glu_1d: (x) => F.glu(x, { dim: 0 }),
};

describe("the functional forms give the modules' values and gradients", () => {
  const cases = (fx.layers as LayerCase[]).filter((c) => c.name.replace(/_f32$/, "") in FUNCTIONAL);
  it.each(cases.map((c) => [c.name, c] as const))("%s", (name, c) => {
    const x = fromFixture(c.x, true);
    const y = FUNCTIONAL[name.replace(/_f32$/, "")](x, null);
    expectClose(y, c.y, `${name} forward`);
    y.backward(fromFixture(c.upstream));
    expectClose(x.grad, c.grad_x, `${name} grad x`);
  });

  it("prelu with a 0-D weight and a 0-D input", () => {
    for (const c of (fx.functional as any[]).filter((f) => f.name.startsWith("prelu"))) {
      const x = fromFixture(c.x, true);
      const w = fromFixture(c.w, true);
      const y = F.prelu(x, w);
      expectClose(y, c.y, `${c.name} forward`);
      y.backward(fromFixture(c.upstream));
      expectClose(x.grad, c.grad_x, `${c.name} grad x`);
      expectClose(w.grad, c.grad_w, `${c.name} grad w`);
    }
  });

  it("softmin casts to `dtype` first", () => {
    const c = (fx.functional as any[]).find((f) => f.name === "softmin_dtype");
    expectClose(F.softmin(fromFixture(c.x), 1, { dtype: "float64" }), c.y, "softmin dtype");
    expectClose(F.softmin(fromFixture(c.x), { dim: 1, dtype: "float64" }), c.y, "softmin dtype keyword");
  });

  it("a missing softmin dim takes PyTorch's legacy choice, with its warning", () => {
    const warn = console.warn;
    const seen: string[] = [];
    console.warn = (m: string) => seen.push(m);
    try {
      const x = torch.randn(2, 3);
      expect(Array.from(new nn.Softmin().forward(x).data)).toEqual(Array.from(F.softmin(x, 1).data));
      expect(Array.from(F.softmin(torch.randn(4)).sum().data)[0]).toBeCloseTo(1, 6);
    } finally {
      console.warn = warn;
    }
    expect(seen[0]).toContain("Implicit dimension choice for softmin has been deprecated");
  });

  it("inplace writes the result into the input and returns it, as PyTorch (test/nn/inplace_init.test.ts has the values)", () => {
    const ops: ((x: Tensor) => Tensor)[] = [(x) => F.relu6(x, true), (x) => F.hardtanh(x, -1, 1, true), (x) => F.hardsigmoid(x, true),
      (x) => F.hardswish(x, true), (x) => F.mish(x, true), (x) => F.selu(x, true), (x) => F.celu(x, 1, true), (x) => F.threshold(x, 0, 5, true),
      (x) => new nn.ReLU6(true).forward(x), (x) => new nn.SELU({ inplace: true }).forward(x)];
    for (const op of ops) {
      const x = torch.tensor([-4, -1, 0.2, 7]);
      const expected = Array.from(op(x.clone()).data);
      expect(op(x)).toBe(x);
      expect(Array.from(x.data)).toEqual(expected);
    }
  });

  it("PReLU's weight is a Parameter of shape [num_parameters] filled with init, in the default or given dtype", () => {
    const m = new nn.PReLU(3, 0.1, { dtype: "float64" });
    expect(m.weight).toBeInstanceOf(nn.Parameter);
    expect(m.weight.shape).toEqual([3]);
    expect(m.weight.dtype).toBe("float64");
    expect(Array.from(m.weight.data)).toEqual([0.1, 0.1, 0.1]);
    expect(Object.keys(m.state_dict())).toEqual(["weight"]);
    m.weight.data.fill(2);
    m.reset_parameters();
    expect(Array.from(m.weight.data)).toEqual([0.1, 0.1, 0.1]);
    expect(new nn.PReLU().weight.dtype).toBe("float32");
  });
});

describe("reprs are PyTorch's", () => {
  const mods = () => [
    new nn.ReLU6(), new nn.ReLU6(true), new nn.Hardtanh(), new nn.Hardtanh(-2.0, 3.0, true), new nn.Hardsigmoid(), new nn.Hardsigmoid(true),
    new nn.Hardswish(true), new nn.Mish(), new nn.Mish({ inplace: true }), new nn.SELU(), new nn.SELU(true), new nn.CELU(),
    new nn.CELU(0.5, true), new nn.LogSigmoid(), new nn.Softsign(), new nn.Tanhshrink(), new nn.Softshrink(), new nn.Softshrink(0.3),
    new nn.Hardshrink(), new nn.Hardshrink(0.25), new nn.Threshold(0.1, 20.0), new nn.Threshold(0.1, 20.0, true), new nn.Softmin(),
    new nn.Softmin(1), new nn.GLU(), new nn.GLU(1), new nn.PReLU(), new nn.PReLU(3, 0.1), new nn.Dropout1d(), new nn.AlphaDropout(0.2),
    new nn.FeatureAlphaDropout(0.3, { inplace: true }),
  ];
  it.each(mods().map((m, i) => [m._get_name(), i] as const))("%s", (_n, i) => {
    expect(String(mods()[i])).toBe(fx.repr[i]);
  });
  it("covers the fixture", () => expect(mods().length).toBe(fx.repr.length));
});

describe("bad arguments raise PyTorch's errors", () => {
  const e = fx.errors as Record<string, string>;
  const x = () => torch.randn(2, 5);
  it.each([
    ["softshrink_neg", () => F.softshrink(x(), -1.0)],
    ["softshrink_neg_f64", () => F.softshrink(x().double(), -1.0)],
    ["hardtanh_order", () => F.hardtanh(x(), 2.0, 1.0)],
    ["Hardtanh_order", () => new nn.Hardtanh(2.0, 1.0)],
    ["celu_zero", () => F.celu(x(), 0.0)],
    ["glu_odd", () => F.glu(x(), 1)],
    ["glu_scalar", () => F.glu(torch.tensor(1.0))],
    ["glu_dim", () => F.glu(x(), 3)],
    ["prelu_channels", () => F.prelu(torch.randn(2, 4), torch.randn(3))],
    ["prelu_1d", () => F.prelu(torch.randn(4), torch.randn(4))],
    ["prelu_0d", () => F.prelu(torch.tensor(-1.0), torch.randn(3))],
    ["prelu_weight_2d", () => F.prelu(torch.randn(2, 3), torch.randn(3, 1))],
    ["dropout1d_4d", () => F.dropout1d(torch.randn(2, 3, 4, 5))],
    ["dropout1d_p", () => F.dropout1d(torch.randn(2, 3), 1.5)],
    ["alpha_dropout_p", () => F.alpha_dropout(x(), -0.1)],
    ["AlphaDropout_p", () => new nn.AlphaDropout(2.5)],
    ["feature_alpha_1d", () => F.feature_alpha_dropout(torch.randn(5), 0.5, true)],
    ["threshold_missing", () => new (nn.Threshold as any)(0.1)],
  ] as [string, () => unknown][])("%s", (key, f) => {
    expect(f).toThrow(e[key]);
  });
  it("wrong argument types and unknown keywords are errors, never silent defaults", () => {
    expect(() => F.hardtanh(x(), { min: -2 } as any)).toThrow("hardtanh() got an unexpected keyword argument 'min'");
    expect(() => new nn.CELU("1" as any)).toThrow("CELU(): argument 'alpha' must be a number, not string");
    expect(() => F.relu6(torch.tensor([1, 2], { dtype: "int64" }))).toThrow("relu6(): expected a floating point input");
  });
});

describe("dropout1d, alpha_dropout and feature_alpha_dropout draw PyTorch's masks for the same seed", () => {
  const fns: Record<string, (x: Tensor, p: number) => Tensor> = {
    dropout1d: (x, p) => F.dropout1d(x, p, true),
    alpha_dropout: (x, p) => F.alpha_dropout(x, p, true),
    feature_alpha_dropout: (x, p) => F.feature_alpha_dropout(x, { p, training: true }),
    alpha_dropout_p1: (x, p) => F.alpha_dropout(x, p, true),
  };
  it.each((fx.dropout as any[]).map((c) => [`${c.kind} ${c.x.shape.join("x")} p=${c.p} ${c.x.dtype}`, c] as const))("%s", (_n, c) => {
    const x = fromFixture(c.x, true);
    torch.manual_seed(11);
    const y = fns[c.kind](x, c.p);
    expectExact(y, c.y as FixtureTensor, "y");
    y.backward(fromFixture(c.upstream));
    expectExact(x.grad!, c.grad_x as FixtureTensor, "grad x");
  });

  it("the modules draw the same in training mode and are the identity in eval mode", () => {
    for (const [M, f] of [
      [nn.Dropout1d, (x: Tensor) => F.dropout1d(x, 0.3)],
      [nn.AlphaDropout, (x: Tensor) => F.alpha_dropout(x, 0.3, true)],
      [nn.FeatureAlphaDropout, (x: Tensor) => F.feature_alpha_dropout(x, 0.3, true)],
    ] as const) {
      const m = new (M as any)(0.3);
      const x = torch.randn(4, 6, 5);
      torch.manual_seed(1);
      const a = m.forward(x);
      torch.manual_seed(1);
      expect(Array.from(a.data)).toEqual(Array.from(f(x).data));
      m.eval();
      expect(m.forward(x)).toBe(x);
    }
  });

  it("alpha dropouts default to training = false in the functional form, as PyTorch", () => {
    const x = torch.randn(3, 4);
    expect(F.alpha_dropout(x, 0.5)).toBe(x);
    expect(F.feature_alpha_dropout(x)).toBe(x);
    expect(F.dropout1d(x, 0.5, false)).toBe(x);
  });
});
