/**
 * 1-d pooling (max_pool1d, avg_pool1d, adaptive_avg_pool1d) and adaptive max pooling (1-d and 2-d)
 * against real PyTorch (test/fixtures/generate_spatial.py → nn/pooling_more.json): values and input
 * gradients in float64 and float32, unbatched inputs, indices exactly (ties keep the first maximum),
 * reprs, PyTorch's error messages.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import * as nn from "../../kernel/src/nn/index";
import * as F from "../../kernel/src/nn/functional/index";
import type { Module } from "../../kernel/src/nn/index";
import type { Tensor } from "../../kernel/src/tensor/tensor";
import { checkLayerCase, expectExact, fixture, fromFixture } from "./helpers";
import type { FixtureTensor, LayerCase } from "./helpers";
import { baseName, checkFnCase } from "./fn_case";
import type { FnCase } from "./fn_case";

const fx = fixture("pooling_more.json");

/** The same constructors as POOL_LAYERS in generate_spatial.py. */
const BUILD: Record<string, () => Module> = {
  maxpool1d_basic: () => new nn.MaxPool1d(2),
  maxpool1d_all: () => new nn.MaxPool1d(3, { stride: 2, padding: 1, dilation: 2, ceil_mode: true }),
  maxpool1d_unbatched: () => new nn.MaxPool1d(3, 1, 1),
  maxpool1d_ceil: () => new nn.MaxPool1d(2, { ceil_mode: true }),
  avgpool1d_basic: () => new nn.AvgPool1d(3),
  avgpool1d_pad: () => new nn.AvgPool1d(3, 2, 1),
  avgpool1d_exclude: () => new nn.AvgPool1d(4, { stride: 3, padding: 2, ceil_mode: true, count_include_pad: false }),
  avgpool1d_unbatched: () => new nn.AvgPool1d(2, 1, 0, true),
  adaptive_avg1d: () => new nn.AdaptiveAvgPool1d(4),
  adaptive_avg1d_up: () => new nn.AdaptiveAvgPool1d(7),
  adaptive_max1d: () => new nn.AdaptiveMaxPool1d(3),
  adaptive_max1d_unbatched: () => new nn.AdaptiveMaxPool1d(5),
  adaptive_max2d: () => new nn.AdaptiveMaxPool2d([3, 2]),
  adaptive_max2d_none: () => new nn.AdaptiveMaxPool2d([null, 3]),
  adaptive_max2d_unbatched: () => new nn.AdaptiveMaxPool2d(1),
};

/** The same calls as POOL_FNS. */
const FNS: Record<string, (...xs: Tensor[]) => Tensor> = {
  max_pool1d_fn: (x) => F.max_pool1d(x, 3, 2, 1),
  avg_pool1d_fn: (x) => F.avg_pool1d(x, 3, { stride: 2, padding: 1, count_include_pad: false }),
  adaptive_max_pool2d_fn: (x) => F.adaptive_max_pool2d(x, 3),
};

describe("1-d and adaptive max pooling layers match PyTorch (forward and backward)", () => {
  const cases = fx.layers as LayerCase[];
  it("has every case of the fixture", () => {
    expect(new Set(cases.map((c) => baseName(c.name)))).toEqual(new Set(Object.keys(BUILD)));
  });
  for (const c of cases) it(c.name, () => checkLayerCase(BUILD[baseName(c.name)]() as never, c));
});

describe("1-d and adaptive max pooling functions match PyTorch", () => {
  const cases = fx.fns as FnCase[];
  for (const c of cases) it(c.name, () => checkFnCase(FNS[baseName(c.name)], c));
});

describe("indices equal PyTorch's (ties keep the first maximum)", () => {
  type Ix = { x: FixtureTensor; y: FixtureTensor; indices: FixtureTensor };
  const ix = fx.indices as Record<string, Ix>;
  const run: Record<string, (x: Tensor) => [Tensor, Tensor]> = {
    max_pool1d: (x) => F.max_pool1d(x, 3, { stride: 2, padding: 1, dilation: 1, ceil_mode: true, return_indices: true }),
    MaxPool1d_dilation: (x) => new nn.MaxPool1d(2, { dilation: 2, return_indices: true }).forward(x),
    adaptive_max_pool1d: (x) => F.adaptive_max_pool1d(x, 4, true),
    adaptive_max_pool2d: (x) => F.adaptive_max_pool2d(x, [3, 4], { return_indices: true }),
    AdaptiveMaxPool2d_unbatched: (x) => new nn.AdaptiveMaxPool2d(2, true).forward(x),
  };
  it("covers every fixture", () => expect(Object.keys(run).sort()).toEqual(Object.keys(ix).sort()));
  for (const [k, c] of Object.entries(ix)) {
    it(k, () => {
      const [y, i] = run[k](fromFixture(c.x));
      expectExact(y, c.y, `${k} values`);
      expect(i.dtype).toBe("int64");
      expectExact(i, c.indices, `${k} indices`);
    });
  }
});

describe("1-d pooling by hand", () => {
  it("max_pool1d keeps the last NaN and pads with -inf; avg_pool1d counts padding", () => {
    const x = torch.tensor([[[1, NaN, 3, NaN, 0]]]);
    const [y, i] = F.max_pool1d(x, 2, { stride: 1, return_indices: true });
    expect(Array.from(y.data).map(String)).toEqual(["NaN", "NaN", "NaN", "NaN"]);
    expect(Array.from(i.data)).toEqual([1, 1, 3, 3]);
    const z = torch.tensor([[[2, 4, 6]]]);
    expect(Array.from(F.avg_pool1d(z, 2, 2, 1).data)).toEqual([1, 5]);
    expect(Array.from(F.avg_pool1d(z, 2, 2, 1, false, false).data)).toEqual([2, 5]);
    expect(Array.from(F.adaptive_avg_pool1d(z, 2).data)).toEqual([3, 5]);
  });
});

describe("pooling reprs and errors", () => {
  const R: Record<string, () => Module> = {
    MaxPool1d: () => new nn.MaxPool1d(3),
    MaxPool1d_all: () => new nn.MaxPool1d(3, 2, 1, 2, true, true),
    AvgPool1d: () => new nn.AvgPool1d(3),
    AvgPool1d_all: () => new nn.AvgPool1d(3, 2, 1, true, false),
    AdaptiveAvgPool1d: () => new nn.AdaptiveAvgPool1d(3),
    AdaptiveMaxPool1d: () => new nn.AdaptiveMaxPool1d(2, true),
    AdaptiveMaxPool2d_none: () => new nn.AdaptiveMaxPool2d([2, null]),
    AdaptiveMaxPool2d: () => new nn.AdaptiveMaxPool2d(3),
  };
  it("prints as PyTorch", () => {
    for (const [k, r] of Object.entries(fx.reprs as Record<string, string>)) expect(R[k]().toString(), k).toBe(r);
  });
  const xp = torch.randn(2, 3, 8);
  const E: Record<string, () => unknown> = {
    max1d_rank: () => F.max_pool1d(torch.randn(8), 2),
    max1d_pad: () => F.max_pool1d(xp, 2, { padding: 2 }),
    max1d_stride0: () => F.max_pool1d(xp, 2, { stride: 0 }),
    max1d_kernel0: () => F.max_pool1d(xp, 0),
    max1d_dilation0: () => F.max_pool1d(xp, 2, { dilation: 0 }),
    max1d_negpad: () => F.max_pool1d(xp, 2, { padding: -1 }),
    max1d_too_small: () => F.max_pool1d(xp, 10),
    max1d_pair: () => F.max_pool1d(xp, [2, 2]),
    avg1d_rank: () => F.avg_pool1d(torch.randn(8), 2),
    avg1d_pad: () => F.avg_pool1d(xp, 2, { padding: 2 }),
    avg1d_too_small: () => F.avg_pool1d(xp, 10),
    avg1d_stride0: () => F.avg_pool1d(xp, 2, { stride: 0 }),
    avg1d_pair: () => F.avg_pool1d(xp, [2, 2]),
    adaptive_avg1d_rank: () => F.adaptive_avg_pool1d(torch.randn(8), 2),
    adaptive_avg1d_pair: () => F.adaptive_avg_pool1d(xp, [2, 2]),
    adaptive_max1d_rank: () => F.adaptive_max_pool1d(torch.randn(8), 2),
    adaptive_max2d_rank: () => F.adaptive_max_pool2d(torch.randn(3, 4), 2),
    adaptive_max2d_empty: () => F.adaptive_max_pool2d(torch.randn(1, 0, 3, 4), 2),
    adaptive_max2d_negative: () => F.adaptive_max_pool2d(torch.randn(1, 2, 3, 4), [2, -1]),
  };
  for (const [k, msg] of Object.entries(fx.errors as Record<string, string>)) {
    it(`error ${k}`, () => expect(E[k]).toThrow(msg));
  }
});
