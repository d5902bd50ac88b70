/**
 * GroupNorm, InstanceNorm1d/2d, LocalResponseNorm, F.normalize, F.cosine_similarity,
 * F.pairwise_distance (and their modules) and F.one_hot against real PyTorch
 * (test/fixtures/generate_spatial.py → nn/norms_more.json): values, input and parameter gradients
 * in float64 and float32, running statistics before and after, unbatched inputs, eval mode, reprs,
 * PyTorch's error messages.
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

const fx = fixture("norms_more.json");

/** The same constructors as NORM_LAYERS in generate_spatial.py (parameters come from the fixture). */
const BUILD: Record<string, () => Module> = {
  groupnorm: () => new nn.GroupNorm(2, 4),
  groupnorm_4d: () => new nn.GroupNorm(3, 6, { eps: 1e-3 }),
  groupnorm_noaffine: () => new nn.GroupNorm(1, 3, { affine: false }),
  groupnorm_2d_input: () => new nn.GroupNorm(2, 6),
  groupnorm_instance: () => new nn.GroupNorm(4, 4),
  instnorm1d: () => new nn.InstanceNorm1d(3),
  instnorm1d_unbatched: () => new nn.InstanceNorm1d(3),
  instnorm1d_affine: () => new nn.InstanceNorm1d(3, { affine: true }),
  instnorm1d_track: () => new nn.InstanceNorm1d(3, { track_running_stats: true, momentum: 0.3 }),
  instnorm1d_track_eval: () => new nn.InstanceNorm1d(3, { affine: true, track_running_stats: true }).eval(),
  instnorm1d_nontrack_eval: () => new nn.InstanceNorm1d(3).eval(),
  instnorm2d_affine: () => new nn.InstanceNorm2d(2, { affine: true }),
  instnorm2d_track: () => new nn.InstanceNorm2d(2, { affine: true, track_running_stats: true }),
  instnorm2d_track_cumulative: () => new nn.InstanceNorm2d(2, { track_running_stats: true, momentum: null }),
  instnorm2d_unbatched_eval: () => new nn.InstanceNorm2d(2, { affine: true, track_running_stats: true }).eval(),
  lrn: () => new nn.LocalResponseNorm(3),
  lrn_4d: () => new nn.LocalResponseNorm(2, { alpha: 0.5, beta: 0.6, k: 2.0 }),
  lrn_big: () => new nn.LocalResponseNorm(4, 1.0, 1.2, 0.5),
  lrn_5d: () => new nn.LocalResponseNorm(5, { alpha: 0.1 }),
};

/** The same calls as NORM_FNS and NORM_LAYERS_MORE. */
const FNS: Record<string, (...xs: Tensor[]) => Tensor> = {
  group_norm_fn: (x, w, b) => F.group_norm(x, 2, w, b, 1e-4),
  group_norm_weight_only: (x, w) => F.group_norm(x, 3, { weight: w }),
  instance_norm_fn: (x, w, b) => F.instance_norm(x, { weight: w, bias: b, eps: 1e-3 }),
  instance_norm_stats: (x, w, b) => F.instance_norm(
    x, torch.tensor([-0.5, 0.0, 0.5], { dtype: x.dtype }), torch.tensor([0.5, 1.0, 1.5], { dtype: x.dtype }), w, b, false,
  ),
  local_response_norm_fn: (x) => F.local_response_norm(x, 3, { alpha: 0.2, beta: 0.5, k: 1.5 }),
  normalize_default: (x) => F.normalize(x),
  normalize_p1_dim0: (x) => F.normalize(x, { p: 1, dim: 0 }),
  normalize_p3_last: (x) => F.normalize(x, 3.0, -1),
  normalize_inf: (x) => F.normalize(x, Infinity, 1),
  normalize_eps: (x) => F.normalize(x, { dim: 1, eps: 2.0 }),
  cosine_similarity: (a, b) => F.cosine_similarity(a, b),
  cosine_similarity_dim: (a, b) => F.cosine_similarity(a, b, { dim: -1, eps: 1e-6 }),
  cosine_similarity_bcast: (a, b) => F.cosine_similarity(a, b, 0),
  cosine_similarity_1d: (a, b) => F.cosine_similarity(a, b, 0),
  cosine_similarity_eps: (a, b) => F.cosine_similarity(a, b, { eps: 1.0 }),
  pairwise_distance: (a, b) => F.pairwise_distance(a, b),
  pairwise_distance_p1_keep: (a, b) => F.pairwise_distance(a, b, { p: 1.0, eps: 1e-3, keepdim: true }),
  pairwise_distance_p3_bcast: (a, b) => F.pairwise_distance(a, b, 3.0),
  pairwise_distance_inf: (a, b) => F.pairwise_distance(a, b, Infinity),
  pairwise_distance_1d: (a, b) => F.pairwise_distance(a, b),
  cosine_module: (a, b) => new nn.CosineSimilarity({ dim: 0, eps: 1e-6 }).forward(a, b),
  pairwise_module: (a, b) => new nn.PairwiseDistance({ p: 1.5, keepdim: true }).forward(a, b),
};

describe("group, instance and local response norm layers match PyTorch", () => {
  const cases = fx.layers as LayerCase[];
  it("has every case of the fixture", () => {
    expect(new Set(cases.map((c) => baseName(c.name)))).toEqual(new Set(Object.keys(BUILD)));
  });
  for (const c of cases) it(c.name, () => checkLayerCase(BUILD[baseName(c.name)]() as never, c));
});

describe("normalisation and distance functions match PyTorch", () => {
  const cases = fx.fns as FnCase[];
  it("has every case of the fixture", () => {
    expect(new Set(cases.map((c) => baseName(c.name)))).toEqual(new Set(Object.keys(FNS)));
  });
  for (const c of cases) it(c.name, () => checkFnCase(FNS[baseName(c.name)], c));
});

describe("F.instance_norm with use_input_stats = false", () => {
  it("normalises with the running statistics, by hand (gradients of input, weight, bias)", () => {
    const x = torch.tensor([[[1, 2, 3], [4, 5, 6]]], { dtype: "float64", requires_grad: true });
    const rm = torch.tensor([1, 2], { dtype: "float64" }), rv = torch.tensor([4, 9], { dtype: "float64" });
    const w = torch.tensor([2, 3], { dtype: "float64", requires_grad: true }), b = torch.tensor([0.5, -1], { dtype: "float64", requires_grad: true });
    const y = F.instance_norm(x, rm, rv, w, b, false, 0.1, 0);
    expect(y.tolist()).toEqual([[[0.5, 1.5, 2.5], [1, 2, 3]]]);
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([[[1, 1, 1], [1, 1, 1]]]);
    expect(w.grad!.tolist()).toEqual([1.5, 3]);
    expect(b.grad!.tolist()).toEqual([3, 3]);
    expect(() => F.instance_norm(x, { use_input_stats: false })).toThrow("Expected running_mean and running_var to be defined when use_input_stats is false");
  });
  it("InstanceNorm does not count num_batches_tracked, as PyTorch", () => {
    const m = new nn.InstanceNorm1d(2, { track_running_stats: true });
    m.forward(torch.randn(2, 2, 3));
    m.forward(torch.randn(2, 2, 3));
    const st = fx.instnorm_state as Record<string, FixtureTensor>;
    expect(Array.from(m.state_dict().num_batches_tracked.data)).toEqual(st.num_batches_tracked.data);
  });
});

describe("F.one_hot matches PyTorch", () => {
  for (const [i, c] of (fx.one_hot as { x: FixtureTensor; num_classes: number; y: FixtureTensor }[]).entries()) {
    it(`case ${i}`, () => {
      const y = F.one_hot(fromFixture(c.x), c.num_classes);
      expect(y.dtype).toBe("int64");
      expectExact(y, c.y);
    });
  }
});

describe("norm and distance reprs and errors", () => {
  const R: Record<string, () => Module> = {
    GroupNorm: () => new nn.GroupNorm(2, 4),
    GroupNorm_noaffine: () => new nn.GroupNorm(1, 3, { eps: 1e-3, affine: false }),
    InstanceNorm1d: () => new nn.InstanceNorm1d(3),
    InstanceNorm2d: () => new nn.InstanceNorm2d(3, { affine: true, track_running_stats: true, momentum: null }),
    LocalResponseNorm: () => new nn.LocalResponseNorm(3),
    LocalResponseNorm_all: () => new nn.LocalResponseNorm(2, 1e-3, 0.5, 2.5),
    CosineSimilarity: () => new nn.CosineSimilarity(0, 1e-6),
    PairwiseDistance: () => new nn.PairwiseDistance(1.0, 1e-3, true),
  };
  it("prints as PyTorch", () => {
    for (const [k, r] of Object.entries(fx.reprs as Record<string, string>)) expect(R[k]().toString(), k).toBe(r);
  });
  const xg = torch.randn(2, 4, 3);
  const E: Record<string, () => unknown> = {
    groupnorm_ctor: () => new nn.GroupNorm(3, 4),
    group_norm_channels: () => F.group_norm(torch.randn(2, 3, 4), 2),
    group_norm_rank: () => F.group_norm(torch.randn(4), 2),
    group_norm_weight: () => F.group_norm(xg, 2, torch.ones(3)),
    instnorm_features: () => new nn.InstanceNorm1d(3, { affine: true }).forward(torch.randn(2, 4, 5)),
    instnorm1d_rank: () => new nn.InstanceNorm1d(3).forward(torch.randn(2, 3, 4, 5)),
    instnorm2d_rank: () => new nn.InstanceNorm2d(3).forward(torch.randn(3, 4)),
    instance_norm_one_value: () => F.instance_norm(torch.randn(2, 3, 1)),
    lrn_rank: () => F.local_response_norm(torch.randn(3, 4), 2),
    one_hot_dtype: () => F.one_hot(torch.tensor([1.0, 2.0]), 3),
    one_hot_negative: () => F.one_hot(torch.tensor([1, -1], { dtype: "int64" }), 3),
    one_hot_too_big: () => F.one_hot(torch.tensor([1, 3], { dtype: "int64" }), 3),
    one_hot_empty: () => F.one_hot(torch.zeros([0], { dtype: "int64" })),
    cosine_shapes: () => F.cosine_similarity(torch.randn(2, 3), torch.randn(2, 4)),
  };
  for (const [k, msg] of Object.entries(fx.errors as Record<string, string>)) {
    it(`error ${k}`, () => expect(E[k]).toThrow(msg));
  }
});

