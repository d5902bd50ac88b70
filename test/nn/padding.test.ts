/**
 * F.pad and the padding layers against real PyTorch (test/fixtures/generate_spatial.py →
 * nn/padding.json): values and input gradients in float64 and float32 for every mode, cropping,
 * unbatched inputs and padding of leading dims; reprs; PyTorch's error messages.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import * as nn from "../../kernel/src/nn/index";
import * as F from "../../kernel/src/nn/functional/index";
import type { Module } from "../../kernel/src/nn/index";
import type { Tensor } from "../../kernel/src/tensor/tensor";
import { checkLayerCase, fixture } from "./helpers";
import type { LayerCase } from "./helpers";
import { baseName, checkFnCase } from "./fn_case";
import type { FnCase } from "./fn_case";

const fx = fixture("padding.json");

/** The same constructors as PAD_LAYERS in generate_spatial.py. */
const BUILD: Record<string, () => Module> = {
  zeropad1d: () => new nn.ZeroPad1d([1, 2]),
  zeropad2d: () => new nn.ZeroPad2d([1, 0, 2, 1]),
  zeropad2d_crop: () => new nn.ZeroPad2d([-1, 2, 1, -2]),
  constpad1d: () => new nn.ConstantPad1d(2, 3.5),
  constpad2d: () => new nn.ConstantPad2d([1, 2, 0, 1], -1.5),
  reflpad1d: () => new nn.ReflectionPad1d([3, 1]),
  reflpad1d_unbatched: () => new nn.ReflectionPad1d(2),
  reflpad2d: () => new nn.ReflectionPad2d([1, 2, 2, 1]),
  reflpad2d_crop: () => new nn.ReflectionPad2d([-1, 2, 1, -1]),
  replpad1d: () => new nn.ReplicationPad1d([2, 3]),
  replpad2d: () => new nn.ReplicationPad2d([3, 1, 0, 2]),
  replpad2d_unbatched: () => new nn.ReplicationPad2d(1),
  circpad1d: () => new nn.CircularPad1d([2, 3]),
  circpad2d: () => new nn.CircularPad2d([1, 2, 3, 1]),
  circpad2d_crop: () => new nn.CircularPad2d([-1, 3, 2, -1]),
};

/** The same calls as PAD_FNS. */
const FNS: Record<string, (...xs: Tensor[]) => Tensor> = {
  pad_const_all_dims: (x) => F.pad(x, [1, 1, 0, 2, 2, 0], { value: 0.25 }),
  pad_const_leading: (x) => F.pad(x, [0, 0, 0, 0, 0, 0, 1, 1]),
  pad_const_1d: (x) => F.pad(x, [2, -1], "constant", 2.0),
  pad_reflect_3d: (x) => F.pad(x, [1, 2, 2, 1, 1, 1], { mode: "reflect" }),
  pad_replicate_3d: (x) => F.pad(x, [2, 0, 1, 1, 0, 3], "replicate"),
  pad_circular_3d: (x) => F.pad(x, [1, 2, 0, 1, 2, 1], { mode: "circular" }),
  pad_reflect_2d_on_3d: (x) => F.pad(x, [1, 1, 2, 2], "reflect"),
};

describe("padding layers match PyTorch (forward and backward)", () => {
  const cases = fx.layers as LayerCase[];
  it("has every case of the fixture", () => {
    expect(new Set(cases.map((c) => baseName(c.name)))).toEqual(new Set(Object.keys(BUILD)));
  });
  for (const c of cases) it(c.name, () => checkLayerCase(BUILD[baseName(c.name)]() as never, c));
});

describe("F.pad matches PyTorch (forward and backward)", () => {
  const cases = fx.fns as FnCase[];
  it("has every case of the fixture", () => {
    expect(new Set(cases.map((c) => baseName(c.name)))).toEqual(new Set(Object.keys(FNS)));
  });
  for (const c of cases) it(c.name, () => checkFnCase(FNS[baseName(c.name)], c));
});

describe("F.pad by hand", () => {
  it("reflect, replicate, circular and constant on [1, 2, 3]", () => {
    const x = torch.tensor([[[1, 2, 3]]]);
    expect(F.pad(x, [2, 2], "reflect").tolist()).toEqual([[[3, 2, 1, 2, 3, 2, 1]]]);
    expect(F.pad(x, [2, 1], "replicate").tolist()).toEqual([[[1, 1, 1, 2, 3, 3]]]);
    expect(F.pad(x, [2, 3], "circular").tolist()).toEqual([[[2, 3, 1, 2, 3, 1, 2, 3]]]);
    expect(F.pad(x, [1, -1], { value: 9 }).tolist()).toEqual([[[9, 1, 2]]]);
  });
  it("keeps integer dtypes in constant mode, and an empty pad copies", () => {
    const x = torch.tensor([[0, 1, 2], [3, 4, 5]], { dtype: "int64" });
    const y = F.pad(x, [1, 1], "constant", 7);
    expect(y.dtype).toBe("int64");
    expect(y.tolist()).toEqual([[7, 0, 1, 2, 7], [7, 3, 4, 5, 7]]);
    const z = F.pad(x, []);
    expect(z.tolist()).toEqual(x.tolist());
    expect(z.data).not.toBe(x.data);
  });
  it("pads a 4D input's last dim with the constant layers", () => {
    expect(new nn.ZeroPad1d(1).forward(torch.randn(2, 3, 4, 5)).shape).toEqual([2, 3, 4, 7]);
  });
  it("names the autograd node as PyTorch", () => {
    const x = torch.randn(1, 2, 3, { requires_grad: true });
    expect(F.pad(x, [1, 1]).grad_fn?.name()).toBe("ConstantPadNdBackward0");
    expect(F.pad(x, [1, 1], "reflect").grad_fn?.name()).toBe("ReflectionPad1DBackward0");
  });
});

describe("padding reprs and errors", () => {
  const R: Record<string, () => Module> = {
    ZeroPad1d: () => new nn.ZeroPad1d(2),
    ZeroPad2d: () => new nn.ZeroPad2d([1, 2, 3, 4]),
    ConstantPad1d: () => new nn.ConstantPad1d(2, 3.5),
    ConstantPad2d: () => new nn.ConstantPad2d([1, 0, 2, 1], -1.0),
    ReflectionPad1d: () => new nn.ReflectionPad1d([1, 2]),
    ReflectionPad2d: () => new nn.ReflectionPad2d(1),
    ReplicationPad1d: () => new nn.ReplicationPad1d(3),
    ReplicationPad2d: () => new nn.ReplicationPad2d([1, 1, 2, 0]),
    CircularPad1d: () => new nn.CircularPad1d(1),
    CircularPad2d: () => new nn.CircularPad2d([1, 2, 0, 1]),
  };
  it("prints as PyTorch", () => {
    for (const [k, r] of Object.entries(fx.reprs as Record<string, string>)) expect(R[k]().toString(), k).toBe(r);
  });
  const x3 = torch.randn(1, 2, 3);
  const E: Record<string, () => unknown> = {
    reflect_too_big: () => F.pad(x3, [3, 3], "reflect"),
    circular_wrap: () => F.pad(x3, [4, 0], "circular"),
    odd_length: () => F.pad(x3, [1]),
    too_long: () => F.pad(x3, [1, 1, 1, 1, 1, 1, 1, 1]),
    negative_size: () => F.pad(x3, [-2, -2]),
    reflect_1d_input: () => F.pad(torch.randn(3), [1, 1], "reflect"),
    bad_mode: () => F.pad(x3, [1, 1], "foo" as never),
    value_with_reflect: () => F.pad(x3, [1, 1], "reflect", 2),
    replicate_6_on_3d: () => F.pad(x3, [1, 1, 1, 1, 1, 1], "replicate"),
    circular_module_4d: () => new nn.CircularPad1d(1).forward(torch.randn(2, 3, 4, 5)),
    reflect_module_4d: () => new nn.ReflectionPad1d(1).forward(torch.randn(2, 3, 4, 5)),
    reflect_empty: () => F.pad(torch.randn(1, 0, 3), [1, 1], "reflect"),
  };
  for (const [k, msg] of Object.entries(fx.errors as Record<string, string>)) {
    it(`error ${k}`, () => expect(E[k]).toThrow(msg));
  }
});
