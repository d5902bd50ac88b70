/**
 * Convolution and pooling layers against real PyTorch (test/fixtures/generate_conv.py): forward
 * values, input and parameter gradients, running statistics, in float64 (1e-12) and float32
 * (1e-6, relative to the tensor's scale as in helpers.ts); seeded initialisation and dropout2d
 * masks bit for bit; max_pool2d's indices exactly; a tiny CNN trained 4 SGD steps.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import * as nn from "../../kernel/src/nn/index";
import * as F from "../../kernel/src/nn/functional/index";
import type { Module } from "../../kernel/src/nn/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { checkLayerCase, expectClose, expectExact, fixture, fromFixture } from "./helpers";
import type { FixtureTensor, LayerCase } from "./helpers";

/** The same constructors as CASES in generate_conv.py. */
const BUILD: Record<string, () => Module> = {
  conv2d_basic: () => new nn.Conv2d(3, 4, 3),
  conv2d_stride_pad: () => new nn.Conv2d(2, 4, [3, 2], { stride: [2, 1], padding: [1, 2] }),
  conv2d_dilation: () => new nn.Conv2d(2, 3, 3, { dilation: [2, 1], padding: 1 }),
  conv2d_groups: () => new nn.Conv2d(4, 6, 3, { groups: 2, stride: 2 }),
  conv2d_depthwise_nobias: () => new nn.Conv2d(3, 6, 3, { groups: 3, padding: 1, bias: false }),
  conv2d_same_even: () => new nn.Conv2d(2, 3, [4, 3], { padding: "same", dilation: [1, 2] }),
  conv2d_valid: () => new nn.Conv2d(2, 2, 2, { padding: "valid" }),
  conv2d_unbatched: () => new nn.Conv2d(2, 3, 3, 2), // stride positionally, as Python's Conv2d(2, 3, 3, 2)
  conv2d_1x1: () => new nn.Conv2d(5, 3, 1),
  conv2d_reflect: () => new nn.Conv2d(2, 3, 3, { padding: 2, padding_mode: "reflect" }),
  conv2d_replicate: () => new nn.Conv2d(2, 3, 3, { padding: [1, 2], padding_mode: "replicate" }),
  conv2d_circular: () => new nn.Conv2d(2, 3, [2, 3], { padding: [2, 1], stride: [1, 2], padding_mode: "circular" }),
  conv2d_wasm: () => new nn.Conv2d(3, 8, 3, { padding: 1 }),
  conv1d_basic: () => new nn.Conv1d(3, 4, 3),
  conv1d_all: () => new nn.Conv1d(4, 6, 3, { stride: 2, padding: 2, dilation: 2, groups: 2 }),
  conv1d_same: () => new nn.Conv1d(2, 3, 4, { padding: "same" }),
  conv1d_unbatched: () => new nn.Conv1d(2, 3, 2, { bias: false }),
  conv1d_reflect: () => new nn.Conv1d(2, 2, 3, { padding: 2, padding_mode: "reflect" }),
  maxpool_basic: () => new nn.MaxPool2d(2),
  maxpool_ceil: () => new nn.MaxPool2d(3, { stride: 2, padding: 1, ceil_mode: true }),
  maxpool_dilation: () => new nn.MaxPool2d([3, 2], { stride: [1, 2], padding: [1, 1], dilation: [2, 1] }),
  maxpool_unbatched: () => new nn.MaxPool2d(2, 1),
  maxpool_ties: () => new nn.MaxPool2d(3, { stride: 1, padding: 1 }),
  avgpool_basic: () => new nn.AvgPool2d(2),
  avgpool_exclude_pad: () => new nn.AvgPool2d(3, { stride: 2, padding: 1, count_include_pad: false }),
  avgpool_ceil: () => new nn.AvgPool2d(3, 2, 1, true),
  avgpool_ceil_exclude: () => new nn.AvgPool2d([2, 3], [2, 2], [1, 1], true, false),
  avgpool_divisor: () => new nn.AvgPool2d(2, { padding: 1, divisor_override: 3 }),
  adaptive_avg: () => new nn.AdaptiveAvgPool2d([3, null]),
  adaptive_avg_overlap: () => new nn.AdaptiveAvgPool2d(4),
  adaptive_avg_global_unbatched: () => new nn.AdaptiveAvgPool2d(1),
  batchnorm2d_train: () => new nn.BatchNorm2d(3, { momentum: 0.2 }),
  batchnorm2d_eval: () => new nn.BatchNorm2d(3).eval(),
  unflatten: () => new nn.Unflatten(1, [2, -1]),
  lenet: () => new nn.Sequential(
    new nn.Conv2d(1, 6, 5), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(6, 16, 3), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(16 * 2 * 2, 10),
  ),
};

const fx = fixture("conv.json");
const cases = fx.layers as LayerCase[];

describe("conv and pooling layers match PyTorch (forward and backward)", () => {
  it("has a builder for every case", () => {
    for (const c of cases) expect(BUILD[c.name.replace(/_f32$/, "")], c.name).toBeTypeOf("function");
    expect(cases.length).toBe(2 * Object.keys(BUILD).length);
  });
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const m = BUILD[c.name.replace(/_f32$/, "")]();
    checkLayerCase(m, c);
  });
});

describe("functional forms", () => {
  it("F.conv2d by hand: a 2×2 kernel over a 3×3 input, stride 1, padding 0", () => {
    // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,0],[0,-1]], b = 10:
    // y[0,0] = 1 - 5 + 10 = 6, y[0,1] = 2 - 6 + 10 = 6, y[1,0] = 4 - 8 + 10 = 6, y[1,1] = 5 - 9 + 10 = 6.
    // dL/dw for L = Σy: Σ of each window position's input: w[0,0] ← 1+2+4+5 = 12, w[0,1] ← 2+3+5+6 = 16,
    // w[1,0] ← 4+5+7+8 = 24, w[1,1] ← 5+6+8+9 = 28; dL/db = 4; dL/dx[1,1] = 1 + 0 + 0 - 1 = 0, dL/dx[0,0] = 1.
    const x = torch.tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]], { dtype: "float64", requires_grad: true });
    const w = torch.tensor([[[[1, 0], [0, -1]]]], { dtype: "float64", requires_grad: true });
    const b = torch.tensor([10], { dtype: "float64", requires_grad: true });
    const y = F.conv2d(x, w, b);
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y.data)).toEqual([6, 6, 6, 6]);
    y.sum().backward();
    expect(Array.from(w.grad!.data)).toEqual([12, 16, 24, 28]);
    expect(Array.from(b.grad!.data)).toEqual([4]);
    expect(Array.from(x.grad!.data)).toEqual([1, 1, 0, 1, 0, -1, 0, -1, -1]);
    expect(y.grad_fn!.name()).toBe("ConvolutionBackward0");
  });

  it("F.conv1d/F.conv2d positional and keyword options equal the module's forward", () => {
    torch.manual_seed(1);
    const m = new nn.Conv2d(4, 6, 3, { stride: 2, padding: 1, groups: 2 });
    const x = torch.randn(2, 4, 7, 6);
    const ref = m.forward(x);
    for (const y of [F.conv2d(x, m.weight, m.bias, 2, 1, 1, 2), F.conv2d(x, m.weight, { bias: m.bias, stride: 2, padding: 1, groups: 2 }), F.conv2d(x, m.weight, m.bias, { stride: [2, 2], padding: [1, 1], groups: 2 })]) {
      expect(Array.from(y.data)).toEqual(Array.from(ref.data));
    }
    const c1 = new nn.Conv1d(2, 3, 3, { padding: "same" });
    const x1 = torch.randn(2, 2, 5);
    expect(Array.from(F.conv1d(x1, c1.weight, c1.bias, { padding: "same" }).data)).toEqual(Array.from(c1.forward(x1).data));
  });

  it("F.max_pool2d by hand, with indices", () => {
    // x = [[1,5,2],[3,4,9],[0,8,7]], 2×2 windows with stride 1: [[5,9],[8,9]]; indices (flat h·3+w):
    // 5 at 1, 9 at 5, 8 at 7, 9 at 5. Backward of Σy: x[5] gets 2 (two windows), x[1] and x[7] get 1.
    const x = torch.tensor([[[1, 5, 2], [3, 4, 9], [0, 8, 7]]], { requires_grad: true });
    const [y, idx] = F.max_pool2d(x, 2, { stride: 1, return_indices: true });
    expect(Array.from(y.data)).toEqual([5, 9, 8, 9]);
    expect(idx.dtype).toBe("int64");
    expect(Array.from(idx.data)).toEqual([1, 5, 7, 5]);
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 1, 0, 0, 0, 2, 0, 1, 0]);
  });

  it("max_pool2d's indices equal PyTorch's", () => {
    const f = fx.indices;
    const [y, idx] = F.max_pool2d_with_indices(fromFixture(f.x), 3, { stride: 2, padding: 1, ceil_mode: true });
    expectExact(y, f.y, "values");
    expectExact(idx, f.indices, "indices");
  });

  it("max_pool2d's branch-free loops keep the first maximum, the last NaN, -0 before +0 and -inf windows", () => {
    // A plain reference with PyTorch's rule (`v > best || isnan(v)`, windows read row by row),
    // against the 2×2 stride-2 loop and the general one, on values that tie, NaN, ±0 and ±inf.
    const special = [0, -0, 1, 1, -1, NaN, Infinity, -Infinity, 2, 2];
    const rand = torch.randint(0, special.length, [2, 3, 9, 8]).data;
    const x = torch.tensor(Array.from(rand, (k) => special[k]), { dtype: "float64" }).reshape(2, 3, 9, 8);
    const reference = (k: number, s: number, p: number, d: number, ceil: boolean) => {
      const [y, idx] = F.max_pool2d(x, k, { stride: s, padding: p, dilation: d, ceil_mode: ceil, return_indices: true });
      const [Ho, Wo] = [y.shape[2], y.shape[3]];
      for (let pl = 0; pl < 6; pl++) {
        for (let oh = 0; oh < Ho; oh++) {
          for (let ow = 0; ow < Wo; ow++) {
            let best = -Infinity, at = -1;
            for (let i = 0; i < k; i++) {
              for (let j = 0; j < k; j++) {
                const ih = oh * s - p + i * d, iw = ow * s - p + j * d;
                if (ih < 0 || ih >= 9 || iw < 0 || iw >= 8) continue;
                const v = x.data[pl * 72 + ih * 8 + iw];
                if (at < 0) at = ih * 8 + iw;
                if (v > best || v !== v) { best = v; at = ih * 8 + iw; }
              }
            }
            const o = pl * Ho * Wo + oh * Wo + ow;
            expect(Object.is(y.data[o], best), `k${k} s${s} p${p} d${d} value at ${o}`).toBe(true);
            expect(idx.data[o], `k${k} s${s} p${p} d${d} index at ${o}`).toBe(at);
          }
        }
      }
    };
    reference(2, 2, 0, 1, false); // the unrolled 2×2 loop
    reference(2, 2, 0, 1, true); // ceil_mode: a last window past the input, the general loop
    reference(3, 2, 1, 1, false);
    reference(2, 1, 1, 2, true);
  });

  it("F.avg_pool2d by hand: padding, count_include_pad, divisor_override", () => {
    // x = [[1,2],[3,4]], kernel 2, stride 2, padding 1 → four windows, each holding one input value
    // and three padding zeros: with the pad counted y = x/4, without it y = x, with divisor 2 y = x/2.
    const x = torch.tensor([[[1, 2], [3, 4]]], { dtype: "float64" });
    expect(Array.from(F.avg_pool2d(x, 2, { padding: 1 }).data)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(Array.from(F.avg_pool2d(x, 2, 2, 1, false, false).data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(F.avg_pool2d(x, 2, { padding: 1, divisor_override: 2 }).data)).toEqual([0.5, 1, 1.5, 2]);
  });

  it("F.adaptive_avg_pool2d by hand: 3 columns to 2 cells overlap in the middle one", () => {
    // columns 0..1 (⌊0·3/2⌋ = 0 to ⌈3/2⌉ = 2) and 1..2: [1,2,3] → [(1+2)/2, (2+3)/2] = [1.5, 2.5]
    const x = torch.tensor([[[1, 2, 3]]], { dtype: "float64" });
    expect(Array.from(F.adaptive_avg_pool2d(x, [1, 2]).data)).toEqual([1.5, 2.5]);
  });
});

describe("seeded initialisation equals PyTorch's bit for bit", () => {
  const ctors: Record<string, () => Module> = {
    conv2d: () => new nn.Conv2d(3, 6, 5),
    conv2d_groups: () => new nn.Conv2d(4, 6, [3, 2], { groups: 2 }),
    conv1d: () => new nn.Conv1d(2, 4, 3),
    conv1d_nobias: () => new nn.Conv1d(3, 2, 4, { bias: false }),
  };
  it.each(Object.keys(ctors))("%s", (name) => {
    torch.manual_seed(7);
    const sd = ctors[name]().state_dict();
    const ref = fx.init[name] as Record<string, FixtureTensor>;
    expect(Object.keys(sd)).toEqual(Object.keys(ref));
    for (const [k, v] of Object.entries(ref)) expectExact(sd[k], v, `${name}.${k}`);
  });
});

describe("dropout2d draws PyTorch's channel mask for the same seed", () => {
  it.each((fx.dropout2d as any[]).map((c) => [c.x.shape.join("x"), c] as const))("%s", (_s, c) => {
    const x = fromFixture(c.x);
    torch.manual_seed(11);
    const warn = console.warn;
    console.warn = () => {};
    try {
      expectExact(F.dropout2d(x, c.p, true), c.y, "dropout2d");
    } finally {
      console.warn = warn;
    }
  });
  it("is the identity in eval mode and zeroes whole channels in training", () => {
    const d = new nn.Dropout2d(0.5);
    const x = torch.ones(2, 8, 3, 3);
    const y = d.forward(x);
    for (let c = 0; c < 16; c++) {
      const plane = Array.from(y.data.subarray(c * 9, c * 9 + 9));
      expect(plane.every((v) => v === plane[0]) && (plane[0] === 0 || plane[0] === 2)).toBe(true);
    }
    d.eval();
    expect(d.forward(x)).toBe(x);
  });
});

describe("a tiny CNN trained with SGD equals PyTorch's run", () => {
  it.each((fx.training as any[]).map((r) => [r.dtype, r] as const))("%s", (_d, run) => {
    const dtype = run.dtype as "float32" | "float64";
    torch.manual_seed(0);
    const model = new torch.nn.Sequential(
      new torch.nn.Conv2d(1, 4, 3, { padding: 1 }), new torch.nn.ReLU(), new torch.nn.MaxPool2d(2),
      new torch.nn.Conv2d(4, 6, 3, { groups: 2, stride: 1 }), new torch.nn.ReLU(), new torch.nn.AvgPool2d(2, { ceil_mode: true }),
      new torch.nn.Flatten(), new torch.nn.Linear(6 * 2 * 2, 3),
    ).to(dtype);
    const X = torch.randn([8, 1, 10, 10], { dtype });
    const y = torch.randint(0, 3, [8]);
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const losses: number[] = [];
    for (let i = 0; i < 4; i++) {
      opt.zero_grad();
      const loss = torch.nn.functional.cross_entropy(model.forward(X), y);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    const rtol = dtype === "float32" ? 1e-6 : 1e-12;
    losses.forEach((l, i) => expect(Math.abs(l - run.losses[i]), `loss ${i}`).toBeLessThanOrEqual(rtol * Math.abs(run.losses[i])));
    const sd = model.state_dict();
    for (const [k, v] of Object.entries(run.final) as [string, FixtureTensor][]) expectClose(sd[k], v, k);
  });
});

describe("lrlab.trace works on a CNN (optimizer-level: names from model.named_parameters())", () => {
  it("per_param metrics for 0.weight, 0.bias, 3.weight, ...", async () => {
    const lrlab = await import("../../kernel/src/tools");
    torch.manual_seed(0);
    const model = new nn.Sequential(
      new nn.Conv2d(1, 2, 3), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(2, 3, 2), new nn.Flatten(), new nn.Linear(3, 2),
    );
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    const t = lrlab.trace(opt, { per_param: true, named_parameters: model.named_parameters() });
    const X = torch.randn(4, 1, 6, 6);
    const y = torch.tensor([0, 1, 1, 0], { dtype: "int64" });
    for (let i = 0; i < 3; i++) {
      opt.zero_grad();
      F.cross_entropy(model.forward(X), y).backward();
      opt.step();
    }
    expect(t.param_names()).toEqual(["0.weight", "0.bias", "3.weight", "3.bias", "5.weight", "5.bias"]);
    const m = t.latest()!;
    expect(m.step).toBe(2); // steps count from 0, as in the tracer's own tests
    // plain SGD: the realized rate of every parameter is the configured one, lr_realized = ‖Δθ‖/‖g‖ = 0.1
    expect(Math.abs(t.latest_param("0.weight")!.lr_realized! - 0.1)).toBeLessThan(1e-6);
    expect(Math.abs(m.lr_realized! - 0.1)).toBeLessThan(1e-6);
    t.stop();
  });
});

describe("errors name what was wrong and what is allowed (PyTorch's wording)", () => {
  const x4 = () => torch.randn(1, 2, 5, 5);
  const w = () => torch.randn(4, 2, 3, 3);
  it("conv2d", () => {
    expect(() => F.conv2d(torch.randn(1, 2, 3, 5, 5), w())).toThrow("Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [1, 2, 3, 5, 5]");
    expect(() => F.conv1d(torch.randn(1, 2, 5, 5), torch.randn(4, 2, 3))).toThrow("Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [1, 2, 5, 5]");
    expect(() => F.conv2d(torch.randn(1, 3, 5, 5), w())).toThrow("Given groups=1, weight of size [4, 2, 3, 3], expected input[1, 3, 5, 5] to have 2 channels, but got 3 channels instead");
    expect(() => F.conv2d(torch.randn(3, 5, 5), w())).toThrow("expected input[1, 3, 5, 5] to have 2 channels, but got 3 channels instead");
    expect(() => F.conv2d(torch.randn(1, 2, 2, 2), w())).toThrow("Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater than actual input size");
    expect(() => F.conv2d(torch.randn(1, 2, 5, 4), w(), { padding: [1, 0], dilation: [1, 3] })).toThrow("Calculated padded input size per channel: (7 x 4). Kernel size: (3 x 7).");
    expect(() => F.conv2d(torch.randn(1, 4, 5, 5), torch.randn(6, 2, 3, 3), { groups: 4 })).toThrow("Given groups=4, expected weight to be divisible by 4 at dimension 0, but got weight of size [6, 2, 3, 3] instead");
    expect(() => F.conv2d(x4(), w(), { stride: 0 })).toThrow("non-positive stride is not supported");
    expect(() => F.conv2d(x4(), w(), { padding: -1 })).toThrow("negative padding is not supported");
    expect(() => F.conv2d(x4(), w(), { dilation: 0 })).toThrow("dilation should be greater than zero, but got [0, 0]");
    expect(() => F.conv2d(x4(), w(), { padding: "same", stride: 2 })).toThrow("padding='same' is not supported for strided convolutions");
    expect(() => F.conv2d(x4(), w(), { padding: "full" as "same" })).toThrow("Invalid padding string: 'full'");
    expect(() => F.conv2d(x4(), w(), { stride: [1, 1, 1] })).toThrow("expected stride to be a single integer value or a list of 2 values to match the convolution dimensions, but got stride=[1, 1, 1]");
    expect(() => F.conv2d(x4(), w(), torch.randn(3))).toThrow("Given weight of size [4, 2, 3, 3], expected bias to be 1-dimensional with 4 elements, but got bias of size [3] instead");
    expect(() => F.conv2d(x4().double(), w())).toThrow("expected scalar type Double but found Float");
    expect(() => F.conv2d(x4(), torch.randn(4, 2, 3))).toThrow("conv2d(): weight must be 4-D [out_channels, in_channels / groups, kH, kW], got shape [4, 2, 3]");
    expect(() => F.conv2d(x4(), w(), { strides: 2 } as object)).toThrow("conv2d() got an unexpected keyword argument 'strides' (allowed: bias, stride, padding, dilation, groups)");
  });
  it("Conv modules", () => {
    expect(() => new nn.Conv2d(4, 6, 3, { groups: 4 })).toThrow("out_channels must be divisible by groups");
    expect(() => new nn.Conv2d(4, 6, 3, { groups: 3 })).toThrow("in_channels must be divisible by groups");
    expect(() => new nn.Conv2d(4, 6, 3, { groups: 0 })).toThrow("groups must be a positive integer");
    expect(() => new nn.Conv2d(2, 4, 3, { padding: "same", stride: 2 })).toThrow("padding='same' is not supported for strided convolutions");
    expect(() => new nn.Conv2d(2, 4, 3, { padding: "full" as "same" })).toThrow("Invalid padding string 'full', should be one of {'valid', 'same'}");
    expect(() => new nn.Conv2d(2, 4, 3, { padding_mode: "foo" as "zeros" })).toThrow("padding_mode must be one of {'zeros', 'circular', 'reflect', 'replicate'}, but got padding_mode='foo'");
    expect(() => new nn.Conv2d(2, 4, 3, { strid: 2 } as object)).toThrow("Conv2d() got an unexpected keyword argument 'strid'");
    expect(() => new nn.Conv2d(2, 4, 3, { padding: 3, padding_mode: "reflect" }).forward(torch.randn(1, 2, 2, 2)))
      .toThrow("Padding size should be less than the corresponding input dimension, but got: padding (3, 3) at dimension 2 of input [1, 2, 2, 2]");
    expect(() => new nn.Conv2d(2, 4, 3, { padding: 3, padding_mode: "circular" }).forward(torch.randn(1, 2, 2, 2))).toThrow("Padding value causes wrapping around more than once.");
    expect(() => new nn.Conv2d(2, 4, 3).forward(torch.randn(1, 2, 5, 5, 5))).toThrow("Expected 3D (unbatched) or 4D (batched) input to conv2d");
  });
  it("pooling and the rest", () => {
    const x = torch.randn(1, 1, 5, 5);
    expect(() => F.max_pool2d(torch.randn(5, 5), 2)).toThrow("non-empty 3D or 4D (batch mode) tensor expected for input");
    expect(() => F.max_pool2d(x, 2, { padding: 2 })).toThrow("pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and dilation=1");
    expect(() => F.max_pool2d(x, 2, { stride: 0 })).toThrow("stride should not be zero");
    expect(() => F.max_pool2d(x, 2, { padding: -1 })).toThrow("pad must be non-negative, but got pad: -1");
    expect(() => F.max_pool2d(x, 2, { dilation: 0 })).toThrow("dilation should be greater than zero, but got dilationH: 0 dilationW: 0");
    expect(() => F.max_pool2d(torch.randn(1, 1, 2, 2), 3)).toThrow("Given input size: (1x2x2). Calculated output size: (1x0x0). Output size is too small");
    expect(() => F.avg_pool2d(torch.randn(1, 1, 2, 2), 3)).toThrow("Output size is too small");
    expect(() => F.avg_pool2d(x, 2, { divisor_override: 0 })).toThrow("divisor must be not zero");
    expect(() => F.adaptive_avg_pool2d(torch.randn(5, 5), 2)).toThrow("adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [5, 5]");
    expect(() => F.adaptive_avg_pool2d(torch.randn(1, 5, 5), -1)).toThrow("elements of output_size must be greater than or equal to 0 but received {-1, -1}");
    expect(() => new nn.BatchNorm2d(3).forward(torch.randn(2, 3, 4))).toThrow("expected 4D input (got 3D input)");
    expect(() => new nn.Unflatten(1, [2, 3]).forward(torch.randn(4, 5))).toThrow("unflatten: Provided sizes [2, 3] don't multiply up to the size of dim 1 (5) in the input tensor");
  });
});

describe("printing as PyTorch (repr)", () => {
  it("extra_repr of each layer", () => {
    expect(new nn.Conv2d(2, 4, 3, { stride: 2, padding: 1, groups: 2, bias: false, padding_mode: "reflect" }).extra_repr())
      .toBe("2, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), groups=2, bias=False, padding_mode=reflect");
    expect(new nn.Conv2d(2, 4, [3, 5], { dilation: 2, padding: "same" }).extra_repr()).toBe("2, 4, kernel_size=(3, 5), stride=(1, 1), padding=same, dilation=(2, 2)");
    expect(new nn.Conv1d(2, 4, 3).extra_repr()).toBe("2, 4, kernel_size=(3,), stride=(1,)");
    expect(new nn.MaxPool2d(2).extra_repr()).toBe("kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False");
    expect(new nn.MaxPool2d(3, 1, 1, 2, true, true).extra_repr()).toBe("kernel_size=3, stride=1, padding=1, dilation=2, ceil_mode=True");
    expect(new nn.AvgPool2d(3, 2, 1, true, false, 2).extra_repr()).toBe("kernel_size=3, stride=2, padding=1");
    expect(new nn.AdaptiveAvgPool2d([2, null]).extra_repr()).toBe("output_size=(2, None)");
    expect(new nn.AdaptiveAvgPool2d(1).extra_repr()).toBe("output_size=1");
    expect(new nn.BatchNorm2d(3).extra_repr()).toBe("3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True");
    expect(new nn.Dropout2d().extra_repr()).toBe("p=0.5, inplace=False");
    expect(new nn.Unflatten(1, [2, 3]).extra_repr()).toBe("dim=1, unflattened_size=(2, 3)");
  });
});

describe("large inputs and edge sizes", () => {
  it("a batch split into im2col chunks gives what each sample gives alone (forward and all gradients)", () => {
    // Conv2d(16, 4, 3, groups 2) on [20, 16, 60, 60]: a group's im2col holds 8·3·3 · 58·58 = 242,208
    // entries per sample, so the 2^22-entry limit takes 17 samples per chunk (two chunks); each
    // sample alone is one chunk.
    torch.manual_seed(3);
    const m = new nn.Conv2d(16, 4, 3, { groups: 2 }).double();
    const x = torch.randn([20, 16, 60, 60], { dtype: "float64", requires_grad: true });
    const y = m.forward(x);
    const g = torch.randn(y.shape, { dtype: "float64" });
    y.backward(g);
    const gw = m.weight.grad!.clone(), gb = m.bias!.grad!.clone(), gx = x.grad!;
    m.zero_grad();
    const per = 16 * 60 * 60, perOut = 4 * 58 * 58;
    const bad: string[] = []; // first mismatches (one expect at the end keeps the test fast)
    for (let n = 0; n < 20; n++) {
      const xn = new Tensor(Float64Array.from(x.data.subarray(n * per, (n + 1) * per)), [1, 16, 60, 60], "float64", true);
      const yn = m.forward(xn);
      for (let i = 0; i < perOut; i++) if (yn.data[i] !== y.data[n * perOut + i] && bad.length < 5) bad.push(`y[${n}][${i}]`);
      yn.backward(new Tensor(Float64Array.from(g.data.subarray(n * perOut, (n + 1) * perOut)), [1, 4, 58, 58], "float64"));
      for (let i = 0; i < per; i++) {
        const e = gx.data[n * per + i];
        if (!(Math.abs(xn.grad!.data[i] - e) <= 1e-12 * (1 + Math.abs(e))) && bad.length < 5) bad.push(`grad x[${n}][${i}]`);
      }
    }
    expect(bad).toEqual([]);
    // the per-sample weight gradients summed over the batch (another summation order: 1e-12 relative)
    const scale = Math.max(...Array.from(gw.data, Math.abs));
    gw.data.forEach((v, i) => expect(Math.abs(m.weight.grad!.data[i] - v)).toBeLessThanOrEqual(1e-12 * scale));
    gb.data.forEach((v, i) => expect(Math.abs(m.bias!.grad!.data[i] - v)).toBeLessThanOrEqual(1e-12 * Math.abs(v)));
  });

  it("an empty batch gives an empty output of the right shape", () => {
    // [0, 2, 5, 5] with a 3×3 kernel → [0, 4, 3, 3]; max pool 2 → [0, 4, 1, 1]
    const m = new nn.Conv2d(2, 4, 3);
    const y = m.forward(torch.randn(0, 2, 5, 5));
    expect(y.shape).toEqual([0, 4, 3, 3]);
    expect(F.max_pool2d(y, 2).shape).toEqual([0, 4, 1, 1]);
  });
});
