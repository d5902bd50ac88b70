/**
 * F.interpolate / nn.Upsample (nearest, nearest-exact, linear, bilinear, with and without
 * align_corners, by size and by scale factor, up and down), F.pixel_shuffle / F.pixel_unshuffle
 * and their modules against real PyTorch (test/fixtures/generate_spatial.py → nn/resample.json):
 * values and input gradients in float64 and float32, reprs, PyTorch's error messages.
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

const fx = fixture("resample.json");

/** The same constructors as RES_LAYERS in generate_spatial.py. */
const BUILD: Record<string, () => Module> = {
  up_nearest_2x: () => new nn.Upsample({ scale_factor: 2 }),
  up_nearest_size: () => new nn.Upsample({ size: [5, 7] }),
  up_nearest_down: () => new nn.Upsample([2, 3]),
  up_nearest_frac: () => new nn.Upsample({ scale_factor: [1.7, 2.3] }),
  up_nearest_1d: () => new nn.Upsample(null, 3),
  up_nearest_1d_size: () => new nn.Upsample({ size: 9 }),
  up_linear: () => new nn.Upsample({ scale_factor: 2.5, mode: "linear" }),
  up_linear_ac: () => new nn.Upsample({ size: 7, mode: "linear", align_corners: true }),
  up_linear_down: () => new nn.Upsample({ size: 3, mode: "linear" }),
  up_bilinear: () => new nn.Upsample(null, 2, "bilinear"),
  up_bilinear_ac: () => new nn.Upsample({ size: [5, 6], mode: "bilinear", align_corners: true }),
  up_bilinear_frac: () => new nn.Upsample({ scale_factor: [1.5, 0.6], mode: "bilinear" }),
  up_bilinear_down_ac: () => new nn.Upsample({ size: [2, 3], mode: "bilinear", align_corners: true }),
  up_bilinear_size1: () => new nn.Upsample({ size: [1, 4], mode: "bilinear", align_corners: true }),
  upsampling_nearest2d: () => new nn.UpsamplingNearest2d({ scale_factor: 2 }),
  upsampling_bilinear2d: () => new nn.UpsamplingBilinear2d({ size: [4, 5] }),
  pixel_shuffle: () => new nn.PixelShuffle(2),
  pixel_shuffle_5d: () => new nn.PixelShuffle(3),
  pixel_unshuffle: () => new nn.PixelUnshuffle(2),
  pixel_unshuffle_3d: () => new nn.PixelUnshuffle(3),
};

/** The same calls as RES_FNS. */
const FNS: Record<string, (...xs: Tensor[]) => Tensor> = {
  interp_nearest_3d: (x) => F.interpolate(x, { scale_factor: [2, 1.5, 0.5] }),
  interp_nearest_recompute: (x) => F.interpolate(x, { scale_factor: 1.7, recompute_scale_factor: true }),
  interp_bilinear_recompute: (x) => F.interpolate(x, null, 1.7, "bilinear", null, true),
  interp_bilinear_same: (x) => F.interpolate(x, { size: [3, 8], mode: "bilinear" }),
  interp_linear_sf: (x) => F.interpolate(x, { scale_factor: 0.7, mode: "linear" }),
  interp_nearest_exact: (x) => F.interpolate(x, { size: [5, 3], mode: "nearest-exact" }),
};

describe("resampling layers match PyTorch (forward and backward)", () => {
  const cases = fx.layers as LayerCase[];
  it("has every case of the fixture", () => {
    expect(new Set(cases.map((c) => baseName(c.name)))).toEqual(new Set(Object.keys(BUILD)));
  });
  for (const c of cases) it(c.name, () => checkLayerCase(BUILD[baseName(c.name)]() as never, c));
});

describe("F.interpolate matches PyTorch", () => {
  const cases = fx.fns as FnCase[];
  it("has every case of the fixture", () => {
    expect(new Set(cases.map((c) => baseName(c.name)))).toEqual(new Set(Object.keys(FNS)));
  });
  for (const c of cases) it(c.name, () => checkFnCase(FNS[baseName(c.name)], c));
});

describe("resampling by hand", () => {
  it("nearest doubles, linear interpolates, pixel_unshuffle inverts pixel_shuffle", () => {
    const x = torch.tensor([[[0, 10]]]);
    expect(F.interpolate(x, { scale_factor: 2 }).tolist()).toEqual([[[0, 0, 10, 10]]]);
    expect(F.interpolate(x, { size: 3, mode: "linear", align_corners: true }).tolist()).toEqual([[[0, 5, 10]]]);
    expect(F.interpolate(x, { size: 4, mode: "linear" }).tolist()).toEqual([[[0, 2.5, 7.5, 10]]]);
    const y = torch.randn(2, 8, 3, 2);
    expect(F.pixel_unshuffle(F.pixel_shuffle(y, 2), 2).tolist()).toEqual(y.tolist());
  });
});

describe("resampling reprs and errors", () => {
  const R: Record<string, () => Module> = {
    Upsample: () => new nn.Upsample({ scale_factor: 2 }),
    Upsample_size: () => new nn.Upsample({ size: [3, 4], mode: "bilinear", align_corners: true }),
    Upsample_tuple: () => new nn.Upsample({ scale_factor: [2, 1.5], mode: "bilinear" }),
    Upsample_linear: () => new nn.Upsample(5, null, "linear"),
    PixelShuffle: () => new nn.PixelShuffle(2),
    PixelUnshuffle: () => new nn.PixelUnshuffle(3),
    UpsamplingNearest2d: () => new nn.UpsamplingNearest2d({ scale_factor: 2 }),
    UpsamplingBilinear2d: () => new nn.UpsamplingBilinear2d(4),
  };
  it("prints as PyTorch", () => {
    for (const [k, r] of Object.entries(fx.reprs as Record<string, string>)) expect(R[k]().toString(), k).toBe(r);
  });
  const xr = torch.randn(1, 2, 4);
  const E: Record<string, () => unknown> = {
    both: () => F.interpolate(xr, { size: 3, scale_factor: 2 }),
    neither: () => F.interpolate(xr),
    size_len: () => F.interpolate(xr, { size: [2, 2] }),
    scale_len: () => F.interpolate(xr, { scale_factor: [2, 2] }),
    align_nearest: () => F.interpolate(xr, { scale_factor: 2, align_corners: true }),
    bilinear_3d: () => F.interpolate(xr, { scale_factor: 2, mode: "bilinear" }),
    linear_4d: () => F.interpolate(torch.randn(1, 1, 2, 2), { scale_factor: 2, mode: "linear" }),
    bad_mode: () => F.interpolate(xr, { scale_factor: 2, mode: "cubic" as never }),
    rank2: () => F.interpolate(torch.randn(2, 4), { scale_factor: 2 }),
    shuffle_rank: () => F.pixel_shuffle(torch.randn(4, 4), 2),
    shuffle_channels: () => F.pixel_shuffle(torch.randn(1, 5, 2, 2), 2),
    shuffle_zero: () => F.pixel_shuffle(torch.randn(1, 4, 2, 2), 0),
    unshuffle_rank: () => F.pixel_unshuffle(torch.randn(4, 4), 2),
    unshuffle_height: () => F.pixel_unshuffle(torch.randn(1, 1, 5, 4), 2),
    unshuffle_width: () => F.pixel_unshuffle(torch.randn(1, 1, 4, 5), 2),
  };
  for (const [k, msg] of Object.entries(fx.errors as Record<string, string>)) {
    it(`error ${k}`, () => expect(E[k]).toThrow(msg));
  }
});
