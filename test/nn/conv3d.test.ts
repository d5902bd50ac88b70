/**
 * nn.Conv3d and F.conv3d against real PyTorch (test/fixtures/generate_conv3d.py): forward values,
 * input, weight and bias gradients in float64 (1e-12) and float32 (1e-6, relative to the tensor's
 * scale as in helpers.ts), through the WebAssembly column matrix and the JS one; seeded
 * initialisation bit for bit; reprs; PyTorch's messages for bad arguments.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import * as nn from "../../kernel/src/nn/index";
import * as F from "../../kernel/src/nn/functional/index";
import type { Module } from "../../kernel/src/nn/index";
import { conv_wasm_stats, set_conv_wasm } from "../../kernel/src/nn/functional/conv_wasm";
import { checkLayerCase, expectClose, expectExact, fixture, fromFixture } from "./helpers";
import type { FixtureTensor, LayerCase } from "./helpers";

/** The same constructors as CONV_CASES in generate_conv3d.py. */
const BUILD: Record<string, () => Module> = {
  conv3d_basic: () => new nn.Conv3d(2, 3, 2),
  conv3d_stride_pad: () => new nn.Conv3d(2, 4, [2, 3, 2], { stride: [2, 1, 2], padding: [1, 0, 2] }),
  conv3d_dilation: () => new nn.Conv3d(2, 2, 2, { dilation: [2, 1, 1], padding: 1 }),
  conv3d_groups_nobias: () => new nn.Conv3d(4, 4, 2, { groups: 2, stride: 2, bias: false }),
  conv3d_depthwise: () => new nn.Conv3d(2, 4, [1, 2, 2], { groups: 2, padding: [0, 1, 1] }),
  conv3d_same: () => new nn.Conv3d(2, 3, [2, 3, 2], { padding: "same", dilation: [1, 1, 2] }),
  conv3d_valid: () => new nn.Conv3d(2, 2, 2, { padding: "valid" }),
  conv3d_unbatched: () => new nn.Conv3d(2, 3, 2, 2), // stride positionally, as Python's Conv3d(2, 3, 2, 2)
  conv3d_1x1x1: () => new nn.Conv3d(3, 2, 1),
  conv3d_reflect: () => new nn.Conv3d(2, 3, 3, { padding: [1, 2, 1], padding_mode: "reflect" }),
  conv3d_replicate: () => new nn.Conv3d(2, 2, 2, { padding: [1, 2, 0], padding_mode: "replicate" }),
  conv3d_circular: () => new nn.Conv3d(2, 3, [2, 2, 3], { padding: [1, 0, 2], stride: [1, 2, 1], padding_mode: "circular" }),
  conv3d_reflect_unbatched: () => new nn.Conv3d(1, 2, 2, { padding: 1, padding_mode: "reflect", bias: false }),
};

const fx = fixture("conv3d.json");
const cases = fx.conv_layers as LayerCase[];

describe("nn.Conv3d matches PyTorch (forward and backward)", () => {
  afterEach(() => set_conv_wasm(true));
  it("has a builder for every case", () => {
    for (const c of cases) expect(BUILD[c.name.replace(/_f32$/, "")], c.name).toBeTypeOf("function");
    expect(cases.length).toBe(2 * Object.keys(BUILD).length);
  });
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    checkLayerCase(BUILD[c.name.replace(/_f32$/, "")](), c);
  });
  it("padding 'zeros' takes the WebAssembly column matrix, and the JS one gives the same", () => {
    // conv3d_basic: Og·L·CK = 3 · (2·2·3·3) · (2·8) = 1728 multiply-adds, past gemm's WASM_MIN_WORK
    const zeros = cases.filter((c) => !/reflect|replicate|circular/.test(c.name));
    const before = conv_wasm_stats.im2col;
    for (const c of zeros) checkLayerCase(BUILD[c.name.replace(/_f32$/, "")](), c);
    expect(conv_wasm_stats.im2col).toBeGreaterThan(before);
    set_conv_wasm(false);
    const after = conv_wasm_stats.im2col;
    for (const c of zeros) checkLayerCase(BUILD[c.name.replace(/_f32$/, "")](), c);
    expect(conv_wasm_stats.im2col).toBe(after);
  });
  it("a depth of 1 is Conv2d on the same planes, bit for bit (forward and all gradients)", () => {
    torch.manual_seed(4);
    const m3 = new nn.Conv3d(3, 4, [1, 3, 2], { stride: [1, 2, 1], padding: [0, 1, 1], groups: 1 });
    const m2 = new nn.Conv2d(3, 4, [3, 2], { stride: [2, 1], padding: [1, 1] });
    m2.weight.data.set(m3.weight.data);
    m2.bias!.data.set(m3.bias!.data);
    const x3 = torch.randn([2, 3, 1, 7, 6], { requires_grad: true });
    const x2 = torch.tensor(x3.detach().reshape(2, 3, 7, 6).tolist() as number[][][][], { requires_grad: true });
    const y3 = m3.forward(x3), y2 = m2.forward(x2);
    expect(y3.shape).toEqual([2, 4, 1, 4, 7]);
    expect(Array.from(y3.data)).toEqual(Array.from(y2.data));
    const g = torch.randn(y2.shape);
    y3.backward(g.reshape(y3.shape));
    y2.backward(g);
    expect(Array.from(x3.grad!.data)).toEqual(Array.from(x2.grad!.data));
    expect(Array.from(m3.weight.grad!.data)).toEqual(Array.from(m2.weight.grad!.data));
    expect(Array.from(m3.bias!.grad!.data)).toEqual(Array.from(m2.bias!.grad!.data));
  });
});

describe("F.conv3d", () => {
  it.each((fx.conv_functional as any[]).map((c) => [`${c.name} ${c.dtype}`, c] as const))("%s equals PyTorch with its gradients", (_n, c) => {
    const x = fromFixture(c.x, true), w = fromFixture(c.w, true), b = c.b ? fromFixture(c.b, true) : null;
    const y = F.conv3d(x, w, { bias: b, ...c.kw });
    expectClose(y, c.y, "y");
    y.backward(fromFixture(c.upstream));
    expectClose(x.grad, c.grad_x, "grad x");
    expectClose(w.grad, c.grad_w, "grad w");
    if (b) expectClose(b.grad, c.grad_b, "grad b");
    expect(y.grad_fn!.name()).toBe("ConvolutionBackward0");
  });

  it("by hand: a 2×1×1 kernel sums two depth slices", () => {
    // x [1, 1, 2, 1, 2] = slices [[1, 2]] and [[3, 4]]; w = [1, 10] along depth; y = [1 + 30, 2 + 40]
    const x = torch.tensor([[[[[1, 2]], [[3, 4]]]]], { dtype: "float64", requires_grad: true });
    const w = torch.tensor([[[[[1]], [[10]]]]], { dtype: "float64", requires_grad: true });
    const y = F.conv3d(x, w);
    expect(y.shape).toEqual([1, 1, 1, 1, 2]);
    expect(Array.from(y.data)).toEqual([31, 42]);
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([1, 1, 10, 10]);
    expect(Array.from(w.grad!.data)).toEqual([3, 7]);
  });

  it("positional and keyword options equal the module's forward", () => {
    torch.manual_seed(1);
    const m = new nn.Conv3d(4, 6, [2, 3, 2], { stride: [1, 2, 1], padding: 1, groups: 2 });
    const x = torch.randn(2, 4, 3, 5, 4);
    const ref = Array.from(m.forward(x).data);
    for (const y of [
      F.conv3d(x, m.weight, m.bias, [1, 2, 1], 1, 1, 2),
      F.conv3d(x, m.weight, { bias: m.bias, stride: [1, 2, 1], padding: [1, 1, 1], groups: 2 }),
      F.conv3d(x, m.weight, m.bias, { stride: [1, 2, 1], padding: 1, dilation: [1, 1, 1], groups: 2 }),
    ]) expect(Array.from(y.data)).toEqual(ref);
  });
});

describe("seeded initialisation equals PyTorch's bit for bit", () => {
  const ctors: Record<string, () => Module> = {
    conv3d: () => new nn.Conv3d(2, 3, 3),
    conv3d_groups: () => new nn.Conv3d(4, 6, [1, 2, 3], { groups: 2 }),
    conv3d_nobias: () => new nn.Conv3d(3, 2, 2, { bias: false }),
  };
  it.each(Object.keys(ctors))("%s", (name) => {
    torch.manual_seed(7);
    const sd = ctors[name]().state_dict();
    const ref = fx.conv_init[name] as Record<string, FixtureTensor>;
    expect(Object.keys(sd)).toEqual(Object.keys(ref));
    for (const [k, v] of Object.entries(ref)) expectExact(sd[k], v, `${name}.${k}`);
  });
});

describe("prints as PyTorch", () => {
  const ctors: Record<string, () => Module> = {
    default: () => new nn.Conv3d(2, 4, 3),
    all_options: () => new nn.Conv3d(2, 4, 3, { stride: 2, padding: [1, 0, 2], dilation: [1, 2, 1], groups: 2, bias: false, padding_mode: "replicate" }),
    same: () => new nn.Conv3d(2, 4, [1, 2, 3], { padding: "same" }),
    valid_positional: () => new nn.Conv3d(2, 2, 2, 1, "valid"),
    sequential: () => new nn.Sequential(new nn.Conv3d(1, 2, [3, 1, 1], { padding_mode: "circular", padding: 1 })),
  };
  it("has a builder for every repr", () => expect(Object.keys(ctors).sort()).toEqual(Object.keys(fx.conv_reprs).sort()));
  it.each(Object.keys(ctors))("%s", (name) => expect(ctors[name]().toString()).toBe(fx.conv_reprs[name]));
});

describe("errors name what was wrong and what is allowed (PyTorch's wording)", () => {
  const x = () => torch.randn(1, 2, 5, 5, 5);
  const w = () => torch.randn(4, 2, 3, 3, 3);
  it("F.conv3d", () => {
    expect(() => F.conv3d(torch.randn(2, 5, 5, 5, 5, 5), w())).toThrow("Expected 4D (unbatched) or 5D (batched) input to conv3d, but got input of size: [2, 5, 5, 5, 5, 5]");
    // a 4-D input is unbatched [C, D, H, W], as in PyTorch
    expect(() => F.conv3d(torch.randn(1, 2, 5, 5), w())).toThrow("Given groups=1, weight of size [4, 2, 3, 3, 3], expected input[1, 1, 2, 5, 5] to have 2 channels, but got 1 channels instead");
    expect(() => F.conv3d(torch.randn(1, 3, 5, 5, 5), w())).toThrow("Given groups=1, weight of size [4, 2, 3, 3, 3], expected input[1, 3, 5, 5, 5] to have 2 channels, but got 3 channels instead");
    expect(() => F.conv3d(torch.randn(1, 2, 2, 2, 2), w())).toThrow("Calculated padded input size per channel: (2 x 2 x 2). Kernel size: (3 x 3 x 3). Kernel size can't be greater than actual input size");
    expect(() => F.conv3d(torch.randn(1, 2, 4, 4, 2), w(), { padding: [3, 0, 0] })).toThrow("Calculated padded input size per channel: (10 x 4 x 2). Kernel size: (3 x 3 x 3).");
    expect(() => F.conv3d(x(), w(), { stride: [1, 1] })).toThrow("expected stride to be a single integer value or a list of 3 values to match the convolution dimensions, but got stride=[1, 1]");
    expect(() => F.conv3d(x(), w(), { dilation: 0 })).toThrow("dilation should be greater than zero, but got [0, 0, 0]");
    expect(() => F.conv3d(x(), w(), { padding: "full" as "same" })).toThrow("Invalid padding string: 'full'");
    expect(() => F.conv3d(x(), w(), { padding: "same", stride: 2 })).toThrow("padding='same' is not supported for strided convolutions");
    expect(() => F.conv3d(x().double(), w())).toThrow("expected scalar type Double but found Float");
    expect(() => F.conv3d(torch.randn(1, 4, 4, 4, 4), torch.randn(6, 2, 3, 3, 3), { groups: 4 })).toThrow("Given groups=4, expected weight to be divisible by 4 at dimension 0, but got weight of size [6, 2, 3, 3, 3] instead");
    expect(() => F.conv3d(x(), w(), torch.randn(3))).toThrow("Given weight of size [4, 2, 3, 3, 3], expected bias to be 1-dimensional with 4 elements, but got bias of size [3] instead");
    // lrlab's own message (PyTorch reads the dims from the weight and complains about stride's length)
    expect(() => F.conv3d(x(), torch.randn(4, 2, 3, 3))).toThrow("conv3d(): weight must be 5-D [out_channels, in_channels / groups, kD, kH, kW], got shape [4, 2, 3, 3]");
    expect(() => F.conv3d(x(), w(), { strides: 2 } as object)).toThrow("conv3d() got an unexpected keyword argument 'strides' (allowed: bias, stride, padding, dilation, groups)");
  });
  it("nn.Conv3d", () => {
    expect(() => new nn.Conv3d(4, 6, 3, { groups: 4 })).toThrow("out_channels must be divisible by groups");
    // lrlab checks kernel_size's length in the constructor, as stride's (PyTorch builds a 4-D weight and fails in forward)
    expect(() => new nn.Conv3d(2, 4, [3, 3])).toThrow("expected kernel_size to be a single integer value or a list of 3 values");
    expect(() => new nn.Conv3d(2, 4, 3, { padding: "same", stride: 2 })).toThrow("padding='same' is not supported for strided convolutions");
    expect(() => new nn.Conv3d(2, 4, 3, { padding_mode: "foo" as "zeros" })).toThrow("padding_mode must be one of {'zeros', 'circular', 'reflect', 'replicate'}, but got padding_mode='foo'");
    expect(() => new nn.Conv3d(2, 4, 3, { strid: 2 } as object)).toThrow("Conv3d() got an unexpected keyword argument 'strid'");
    // only W is too small for its padding: PyTorch names dimension 4 too
    expect(() => new nn.Conv3d(2, 4, 3, { padding: [0, 0, 3], padding_mode: "reflect" }).forward(torch.randn(1, 2, 4, 4, 2)))
      .toThrow("Padding size should be less than the corresponding input dimension, but got: padding (3, 3) at dimension 4 of input [1, 2, 4, 4, 2]");
    expect(() => new nn.Conv3d(2, 4, 3, { padding: [3, 0, 0], padding_mode: "circular" }).forward(torch.randn(1, 2, 2, 4, 4))).toThrow("Padding value causes wrapping around more than once.");
    expect(() => new nn.Conv3d(2, 4, 3).forward(torch.randn(1, 2, 5, 5))).toThrow("expected input[1, 1, 2, 5, 5] to have 2 channels, but got 1 channels instead");
  });
});

describe("edge sizes", () => {
  it("an empty batch gives an empty output of the right shape", () => {
    const y = new nn.Conv3d(2, 4, 3).forward(torch.randn(0, 2, 5, 4, 3));
    expect(y.shape).toEqual([0, 4, 3, 2, 1]);
  });
});
