/**
 * nn.BatchNorm3d, nn.InstanceNorm3d and nn.Dropout3d / F.dropout3d against real PyTorch
 * (test/fixtures/generate_conv3d.py): forward values, input and parameter gradients and running
 * statistics in float64 (1e-12) and float32 (1e-6, relative to the tensor's scale as in
 * helpers.ts); dropout3d's channel masks bit for bit for the same seed; reprs; PyTorch's messages.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import * as nn from "../../kernel/src/nn/index";
import * as F from "../../kernel/src/nn/functional/index";
import type { Module } from "../../kernel/src/nn/index";
import { checkLayerCase, expectExact, fixture, fromFixture } from "./helpers";
import type { LayerCase } from "./helpers";

/** The same constructors as NORM_CASES in generate_conv3d.py. */
const BUILD: Record<string, () => Module> = {
  batchnorm3d_train: () => new nn.BatchNorm3d(3, { momentum: 0.2 }),
  batchnorm3d_eval: () => new nn.BatchNorm3d(3).eval(),
  batchnorm3d_cumulative_noaffine: () => new nn.BatchNorm3d(3, { momentum: null, affine: false }),
  instancenorm3d: () => new nn.InstanceNorm3d(3),
  instancenorm3d_affine_track: () => new nn.InstanceNorm3d(3, { affine: true, track_running_stats: true }),
  instancenorm3d_unbatched_eval: () => new nn.InstanceNorm3d(3, { affine: true, track_running_stats: true }).eval(),
};

const fx = fixture("conv3d.json");
const cases = fx.norm_layers as LayerCase[];

/** Runs f with console.warn silenced, returning what it warned. */
function quiet<T>(f: () => T): [T, string[]] {
  const warn = console.warn;
  const said: string[] = [];
  console.warn = (m: string) => { said.push(m); };
  try {
    return [f(), said];
  } finally {
    console.warn = warn;
  }
}

describe("BatchNorm3d and InstanceNorm3d match PyTorch (forward, backward, running statistics)", () => {
  it("has a builder for every case", () => {
    for (const c of cases) expect(BUILD[c.name.replace(/_f32$/, "")], c.name).toBeTypeOf("function");
    expect(cases.length).toBe(2 * Object.keys(BUILD).length);
  });
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    checkLayerCase(BUILD[c.name.replace(/_f32$/, "")](), c);
  });
  it("BatchNorm3d is a BatchNorm1d (swa_utils.update_bn finds it), InstanceNorm3d an InstanceNorm1d", () => {
    expect(new nn.BatchNorm3d(2)).toBeInstanceOf(nn.BatchNorm1d);
    expect(new nn.InstanceNorm3d(2)).toBeInstanceOf(nn.InstanceNorm1d);
  });
});

describe("dropout3d draws PyTorch's channel mask for the same seed", () => {
  it.each((fx.dropout3d as any[]).map((c) => [`${c.x.shape.join("x")} ${c.x.dtype}`, c] as const))("%s", (_s, c) => {
    const x = fromFixture(c.x);
    torch.manual_seed(11);
    const [y, said] = quiet(() => F.dropout3d(x, c.p, true));
    expectExact(y, c.y, "dropout3d");
    // PyTorch warns about ranks other than 4 and 5
    expect(said.length).toBe(x.dim() === 4 || x.dim() === 5 ? 0 : 1);
    if (said.length) expect(said[0]).toContain(`dropout3d: Received a ${x.dim()}-D input to dropout3d, which is deprecated`);
  });
  it("nn.Dropout3d zeroes whole channels in training, scales the rest, passes gradients the same way; eval is the identity", () => {
    torch.manual_seed(0);
    const d = new nn.Dropout3d(0.5);
    const x = torch.ones([2, 6, 2, 2, 3], { requires_grad: true });
    const y = d.forward(x);
    y.sum().backward();
    for (let c = 0; c < 12; c++) {
      const vol = Array.from(y.data.subarray(c * 12, c * 12 + 12));
      expect(vol.every((v) => v === vol[0]) && (vol[0] === 0 || vol[0] === 2), `channel ${c}`).toBe(true);
      expect(Array.from(x.grad!.data.subarray(c * 12, c * 12 + 12))).toEqual(vol);
    }
    d.eval();
    expect(d.forward(x)).toBe(x);
  });
});

describe("prints as PyTorch", () => {
  const ctors: Record<string, () => Module> = {
    batchnorm: () => new nn.BatchNorm3d(3),
    batchnorm_options: () => new nn.BatchNorm3d(4, { eps: 1e-3, momentum: null, affine: false, track_running_stats: false }),
    instancenorm: () => new nn.InstanceNorm3d(3),
    instancenorm_options: () => new nn.InstanceNorm3d(3, { affine: true, track_running_stats: true }),
    dropout: () => new nn.Dropout3d(),
    dropout_p: () => new nn.Dropout3d(0.3),
  };
  it("has a builder for every repr", () => expect(Object.keys(ctors).sort()).toEqual(Object.keys(fx.norm_reprs).sort()));
  it.each(Object.keys(ctors))("%s", (name) => expect(ctors[name]().toString()).toBe(fx.norm_reprs[name]));
});

describe("errors (PyTorch's wording)", () => {
  it("names the ranks each layer takes", () => {
    expect(() => new nn.BatchNorm3d(3).forward(torch.randn(2, 3, 4, 4))).toThrow("expected 5D input (got 4D input)");
    expect(() => new nn.InstanceNorm3d(3).forward(torch.randn(2, 3, 4))).toThrow("expected 4D or 5D input (got 3D input)");
    expect(() => new nn.InstanceNorm3d(3, { affine: true }).forward(torch.randn(2, 4, 4, 4, 4)))
      .toThrow("expected input's size at dim=1 to match num_features (3), but got: 4.");
    expect(() => new nn.InstanceNorm3d(3).forward(torch.randn(3, 1, 1, 1))).toThrow("Expected more than 1 spatial element when training, got input size torch.Size([1, 3, 1, 1, 1])");
    expect(() => new nn.Dropout3d(1.5)).toThrow("dropout probability has to be between 0 and 1, but got 1.5");
    expect(() => F.dropout3d(torch.randn(2, 3, 4, 5), 1.5)).toThrow("dropout probability has to be between 0 and 1, but got 1.5");
    expect(() => quiet(() => F.dropout3d(torch.tensor(1), 0.5))).toThrow("Feature dropout requires at least 2 dimensions in the input");
  });
});
