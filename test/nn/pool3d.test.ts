/**
 * nn.MaxPool3d, nn.AvgPool3d, nn.AdaptiveAvgPool3d and their functional forms against real PyTorch
 * (test/fixtures/generate_conv3d.py): forward values and input gradients in float64 (1e-12) and
 * float32 (1e-6, relative to the tensor's scale as in helpers.ts); max_pool3d's indices exactly,
 * with ties, NaN, ±0 and ±inf; reprs; PyTorch's messages for bad arguments.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import * as nn from "../../kernel/src/nn/index";
import * as F from "../../kernel/src/nn/functional/index";
import type { Module } from "../../kernel/src/nn/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { checkLayerCase, expectExact, fixture, fromFixture } from "./helpers";
import type { LayerCase } from "./helpers";

/** The same constructors as POOL_CASES in generate_conv3d.py. */
const BUILD: Record<string, () => Module> = {
  maxpool3d_basic: () => new nn.MaxPool3d(2),
  maxpool3d_stride_pad_ceil: () => new nn.MaxPool3d([2, 3, 2], { stride: [1, 2, 2], padding: [1, 1, 0], ceil_mode: true }),
  maxpool3d_dilation: () => new nn.MaxPool3d(2, { stride: 1, padding: [1, 0, 1], dilation: [2, 1, 2] }),
  maxpool3d_unbatched: () => new nn.MaxPool3d([1, 2, 2], [1, 1, 2]),
  maxpool3d_depth_only: () => new nn.MaxPool3d([3, 1, 1], { stride: [2, 1, 1], padding: [1, 0, 0] }),
  maxpool3d_ties: () => new nn.MaxPool3d(3, { stride: 1, padding: 1 }),
  avgpool3d_basic: () => new nn.AvgPool3d(2),
  avgpool3d_pad_include: () => new nn.AvgPool3d(3, { stride: 2, padding: 1 }),
  avgpool3d_pad_exclude_ceil: () => new nn.AvgPool3d([2, 3, 2], [2, 2, 1], [1, 1, 0], true, false),
  avgpool3d_ceil_include: () => new nn.AvgPool3d(2, 2, 1, true),
  avgpool3d_divisor_unbatched: () => new nn.AvgPool3d([1, 2, 2], { padding: [0, 1, 1], divisor_override: 3 }),
  adaptive_avg3d: () => new nn.AdaptiveAvgPool3d([2, null, 3]),
  adaptive_avg3d_overlap: () => new nn.AdaptiveAvgPool3d(3),
  adaptive_avg3d_global_unbatched: () => new nn.AdaptiveAvgPool3d(1),
};

const fx = fixture("conv3d.json");
const cases = fx.pool_layers as LayerCase[];

describe("3-d pooling layers match PyTorch (forward and backward)", () => {
  it("has a builder for every case", () => {
    for (const c of cases) expect(BUILD[c.name.replace(/_f32$/, "")], c.name).toBeTypeOf("function");
    expect(cases.length).toBe(2 * Object.keys(BUILD).length);
  });
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    checkLayerCase(BUILD[c.name.replace(/_f32$/, "")](), c);
  });
});

/** The values generate_conv3d.py's SPECIAL codes stand for (JSON has no NaN or ±inf). */
const SPECIAL = [0, -0, 1, -1, NaN, Infinity, -Infinity, 2];

describe("max_pool3d's indices equal PyTorch's", () => {
  it.each((fx.pool_indices as any[]).map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const x = c.x ? fromFixture(c.x) : new Tensor(Float64Array.from(c.x_codes as number[], (k) => SPECIAL[k]), c.shape, "float64");
    const { kernel_size, ...kw } = c.kw;
    const [y, idx] = F.max_pool3d_with_indices(x, kernel_size, kw);
    expectExact(idx, c.indices, "indices");
    if (c.y) expectExact(y, c.y, "values");
    else {
      // Object.is: NaN equals NaN, -0 differs from +0
      const bad = (c.y_codes as number[]).map((k, i) => (Object.is(y.data[i], SPECIAL[k]) ? -1 : i)).filter((i) => i >= 0);
      expect(bad, "values that differ").toEqual([]);
    }
  });
});

describe("functional forms", () => {
  it("F.max_pool3d by hand, with indices and its gradient", () => {
    // x [1, 2, 2, 2] = slices [[1, 5], [2, 0]] and [[3, 5], [9, 4]]: one 2×2×2 window per channel.
    // channel 0: max 5 first at flat index 1 (the 5 at index 5 ties and loses); gradient 1 there.
    const x = torch.tensor([[[[1, 5], [2, 0]], [[3, 5], [-9, 4]]], [[[0, 0], [0, 0]], [[0, 0], [0, 7]]]], { requires_grad: true });
    const [y, idx] = F.max_pool3d(x, 2, { return_indices: true });
    expect(y.shape).toEqual([2, 1, 1, 1]);
    expect(Array.from(y.data)).toEqual([5, 7]);
    expect(Array.from(idx.data)).toEqual([1, 7]);
    expect(idx.dtype).toBe("int64");
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(y.grad_fn!.name()).toBe("MaxPool3DWithIndicesBackward0");
  });

  it("F.avg_pool3d by hand: padding, count_include_pad, divisor_override", () => {
    // x [1, 1, 1, 2] = [[[1, 2]]], kernel [1, 1, 2], stride [1, 1, 2], padding [0, 0, 1]: windows
    // {pad, 1} and {2, pad}: with the pad counted y = x/2, without it y = x, with divisor 4 y = x/4.
    const x = torch.tensor([[[[1, 2]]]], { dtype: "float64" });
    const kw = { stride: [1, 1, 2], padding: [0, 0, 1] };
    expect(Array.from(F.avg_pool3d(x, [1, 1, 2], kw).data)).toEqual([0.5, 1]);
    expect(Array.from(F.avg_pool3d(x, [1, 1, 2], [1, 1, 2], [0, 0, 1], false, false).data)).toEqual([1, 2]);
    expect(Array.from(F.avg_pool3d(x, [1, 1, 2], { ...kw, divisor_override: 4 }).data)).toEqual([0.25, 0.5]);
    expect(F.avg_pool3d(x.requires_grad_(), [1, 1, 2], kw).grad_fn!.name()).toBe("AvgPool3DBackward0");
  });

  it("F.adaptive_avg_pool3d by hand: 3 slices to 2 cells overlap in the middle one", () => {
    const x = torch.tensor([[[[1]], [[2]], [[3]]]], { dtype: "float64", requires_grad: true });
    const y = F.adaptive_avg_pool3d(x, [2, 1, 1]);
    expect(Array.from(y.data)).toEqual([1.5, 2.5]);
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0.5, 1, 0.5]);
    expect(y.grad_fn!.name()).toBe("AdaptiveAvgPool3DBackward0");
  });

  it("positional and keyword options equal the modules' forward", () => {
    torch.manual_seed(2);
    const x = torch.randn(2, 3, 5, 6, 4);
    const m = Array.from(new nn.MaxPool3d(3, [1, 2, 1], 1, 1, false, true).forward(x).data);
    expect(Array.from(F.max_pool3d(x, 3, [1, 2, 1], 1, 1, true).data)).toEqual(m);
    expect(Array.from(F.max_pool3d(x, [3, 3, 3], { stride: [1, 2, 1], padding: 1, ceil_mode: true }).data)).toEqual(m);
    const a = Array.from(new nn.AvgPool3d(2, { stride: 1, padding: 1, count_include_pad: false }).forward(x).data);
    expect(Array.from(F.avg_pool3d(x, 2, 1, 1, false, false).data)).toEqual(a);
    expect(Array.from(F.adaptive_avg_pool3d(x, [2, 3, null]).data)).toEqual(Array.from(new nn.AdaptiveAvgPool3d([2, 3, null]).forward(x).data));
  });

  it("a depth window of 1 is max_pool2d / avg_pool2d on each slice", () => {
    torch.manual_seed(3);
    const x = torch.randn(2, 3, 7, 6);
    const slices = x.reshape(6, 1, 7, 6);
    const [y3, i3] = F.max_pool3d(x.reshape(2, 1, 3, 7, 6), [1, 3, 2], { stride: [1, 2, 1], padding: [0, 1, 1], return_indices: true });
    const [y2, i2] = F.max_pool2d(slices, [3, 2], { stride: [2, 1], padding: [1, 1], return_indices: true });
    expect(Array.from(y3.data)).toEqual(Array.from(y2.data));
    // the 3-d index counts whole slices before the 2-d one
    const per = y2.numel() / 6;
    expect(Array.from(i3.data)).toEqual(Array.from(i2.data, (v, i) => v + (Math.floor(i / per) % 3) * 42));
    expect(Array.from(F.avg_pool3d(x.reshape(2, 1, 3, 7, 6), [1, 2, 2]).data)).toEqual(Array.from(F.avg_pool2d(slices, 2).data));
  });
});

describe("prints as PyTorch", () => {
  const ctors: Record<string, () => Module> = {
    maxpool: () => new nn.MaxPool3d(2),
    maxpool_all: () => new nn.MaxPool3d([1, 2, 3], { stride: [1, 2, 2], padding: [0, 1, 1], dilation: [1, 1, 2], ceil_mode: true }),
    avgpool: () => new nn.AvgPool3d(2),
    avgpool_all: () => new nn.AvgPool3d([1, 2, 3], { stride: 1, padding: [0, 1, 1], ceil_mode: true, count_include_pad: false, divisor_override: 2 }),
    adaptive: () => new nn.AdaptiveAvgPool3d([2, null, 3]),
    adaptive_int: () => new nn.AdaptiveAvgPool3d(1),
  };
  it("has a builder for every repr", () => expect(Object.keys(ctors).sort()).toEqual(Object.keys(fx.pool_reprs).sort()));
  it.each(Object.keys(ctors))("%s", (name) => expect(ctors[name]().toString()).toBe(fx.pool_reprs[name]));
});

describe("errors name what was wrong and what is allowed (PyTorch's wording)", () => {
  const x = () => torch.randn(1, 1, 5, 5, 5);
  it("max_pool3d", () => {
    expect(() => F.max_pool3d(torch.randn(5, 5, 5), 2)).toThrow("non-empty 4D or 5D (batch mode) tensor expected for input");
    expect(() => F.max_pool3d(torch.randn(1, 1, 0, 5, 5), 2))
      .toThrow("max_pool3d_with_indices_out_cpu_template(): Expected input's non-batch dimensions to have positive length, but input has a shape of [1, 1, 0, 5, 5] and non-batch dimension 0 has length zero!");
    expect(() => F.max_pool3d(x(), 2, { padding: 2 })).toThrow("pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and dilation=1");
    expect(() => F.max_pool3d(x(), 2, { stride: 0 })).toThrow("stride should not be zero");
    expect(() => F.max_pool3d(x(), 2, { stride: -1 })).toThrow("stride should be greater than zero, but got dT: -1 dH: -1 dW: -1");
    expect(() => F.max_pool3d(x(), 0, { stride: 1 })).toThrow("kernel size should be greater than zero, but got kT: 0 kH: 0 kW: 0");
    expect(() => F.max_pool3d(x(), 2, { padding: -1 })).toThrow("pad must be non-negative, but got pad: -1");
    expect(() => F.max_pool3d(x(), 2, { dilation: 0 })).toThrow("dilation should be greater than zero, but got dilationT: 0 dilationH: 0 dilationW: 0");
    expect(() => F.max_pool3d(x(), [2, 2])).toThrow("max_pool3d: kernel_size must either be a single int, or a tuple of three ints");
    expect(() => F.max_pool3d(x(), 2, { stride: [2, 2] })).toThrow("max_pool3d: stride must either be omitted, a single int, or a tuple of three ints");
    expect(() => F.max_pool3d(x(), 2, { padding: [1, 1] })).toThrow("max_pool3d: padding must either be a single int, or a tuple of three ints");
    expect(() => F.max_pool3d(x(), 2, { dilation: [1, 1] })).toThrow("max_pool3d: dilation must be either a single int, or a tuple of three ints");
    expect(() => F.max_pool3d(torch.randn(1, 1, 2, 5, 5), 3)).toThrow("Given input size: (1x2x5x5). Calculated output size: (1x0x1x1). Output size is too small");
    expect(() => F.max_pool3d(x(), 2, { strides: 1 } as object)).toThrow("max_pool3d() got an unexpected keyword argument 'strides'");
  });
  it("avg_pool3d and adaptive_avg_pool3d", () => {
    expect(() => F.avg_pool3d(torch.randn(1, 1, 2, 2, 2), 3, { padding: 1 })).toThrow("input image (T: 2 H: 2 W: 2) smaller than kernel size (kT: 3 kH: 3 kW: 3)");
    expect(() => F.avg_pool3d(x(), 2, { divisor_override: 0 })).toThrow("divisor must be not zero");
    expect(() => F.avg_pool3d(x(), 2, { divisor_override: 1.5 })).toThrow("avg_pool3d(): argument 'divisor_override' must be int, not float");
    expect(() => F.avg_pool3d(torch.randn(5, 5, 5), 2)).toThrow("non-empty 4D or 5D (batch mode) tensor expected for input");
    expect(() => F.avg_pool3d(torch.randn(1, 0, 5, 5, 5), 2))
      .toThrow("avg_pool3d(): Expected input's non-batch dimensions to have positive length, but input has a shape of [1, 0, 5, 5, 5] and non-batch dimension 0 has length zero!");
    expect(() => F.avg_pool3d(x(), [2, 2])).toThrow("avg_pool3d: kernel_size must be a single int, or a tuple of three ints");
    expect(() => F.avg_pool3d(x(), 2, { stride: [2, 2] })).toThrow("avg_pool3d: stride must be omitted, a single int, or a tuple of three ints");
    expect(() => F.avg_pool3d(x(), 2, { padding: [1, 1] })).toThrow("avg_pool3d: padding must be a single int, or a tuple of three ints");
    expect(() => F.avg_pool3d(x(), [1, 2, 2], { padding: [1, 0, 0] })).toThrow("pad should be at most half of effective kernel size, but got pad=1, kernel_size=1 and dilation=1");
    expect(() => F.adaptive_avg_pool3d(torch.randn(5, 5, 5), 2)).toThrow("adaptive_avg_pool3d(): Expected 4D or 5D tensor, but got [5, 5, 5]");
    expect(() => F.adaptive_avg_pool3d(torch.randn(1, 5, 5, 5), [2, -1, 3])).toThrow("adaptive_avg_pool3d: elements of output_size must be greater than or equal to 0 but received {2, -1,3}");
    expect(() => F.adaptive_avg_pool3d(torch.randn(1, 5, 5, 5), [2, 2])).toThrow("adaptive_avg_pool3d: output_size must be 3");
    expect(() => F.adaptive_avg_pool3d(torch.randn(1, 0, 5, 5), 2))
      .toThrow("adaptive_avg_pool3d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes [1, 0, 5, 5] with dimension 1 being empty");
  });
  it("an empty batch pools to an empty output of the right shape", () => {
    const x0 = torch.randn(0, 1, 5, 5, 5);
    expect(F.max_pool3d(x0, 2).shape).toEqual([0, 1, 2, 2, 2]);
    expect(F.avg_pool3d(x0, 2).shape).toEqual([0, 1, 2, 2, 2]);
    expect(F.adaptive_avg_pool3d(x0, 2).shape).toEqual([0, 1, 2, 2, 2]);
  });
});
