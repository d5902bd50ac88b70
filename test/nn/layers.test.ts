/** Layers against real PyTorch: forward values, input and parameter gradients, running stats. */
import { describe, expect, it } from "vitest";
import * as nn from "../../kernel/src/nn/index";
import type { Module } from "../../kernel/src/nn/index";
import type { Tensor } from "../../kernel/src/tensor/tensor";
import { checkLayerCase, expectClose, fixture, fromFixture } from "./helpers";
import type { FixtureTensor, LayerCase } from "./helpers";

function build(name: string): Module {
  const base = name.replace(/_f32$/, "");
  switch (base) {
    case "linear":
    case "linear_3d":
      return new nn.Linear(5, 3);
    case "linear_nobias":
      return new nn.Linear(5, 3, { bias: false });
    case "relu":
      return new nn.ReLU();
    case "tanh":
      return new nn.Tanh();
    case "sigmoid":
      return new nn.Sigmoid();
    case "gelu":
      return new nn.GELU();
    case "gelu_tanh":
      return new nn.GELU({ approximate: "tanh" });
    case "leaky_relu":
      return new nn.LeakyReLU(0.2);
    case "elu":
      return new nn.ELU({ alpha: 0.5 });
    case "silu":
      return new nn.SiLU();
    case "softplus":
      return new nn.Softplus({ beta: 2.0, threshold: 3.0 });
    case "softmax":
      return new nn.Softmax(1);
    case "softmax_dim0":
      return new nn.Softmax(0);
    case "log_softmax":
      return new nn.LogSoftmax(-1);
    case "log_softmax_3d":
      return new nn.LogSoftmax(1);
    case "batchnorm_train_2d":
      return new nn.BatchNorm1d(3);
    case "batchnorm_train_3d":
      return new nn.BatchNorm1d(4, { momentum: 0.3 });
    case "batchnorm_train_cma":
      return new nn.BatchNorm1d(3, { momentum: null });
    case "batchnorm_eval":
      return new nn.BatchNorm1d(3).eval();
    case "batchnorm_noaffine_notrack":
      return new nn.BatchNorm1d(3, { affine: false, track_running_stats: false });
    case "layernorm":
      return new nn.LayerNorm(5);
    case "layernorm_2d":
      return new nn.LayerNorm([3, 4], { eps: 1e-3 });
    case "layernorm_noaffine":
      return new nn.LayerNorm(4, { elementwise_affine: false });
    case "flatten":
      return new nn.Flatten();
    case "sequential":
      return new nn.Sequential(new nn.Linear(4, 6), new nn.ReLU(), new nn.Linear(6, 2));
  }
  throw new Error(`no builder for ${name}`);
}

const cases = fixture<LayerCase[]>("layers.json");

describe("layers match PyTorch (forward and backward)", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const m = build(c.name);
    checkLayerCase(m, c);
  });
});
