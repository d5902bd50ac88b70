/**
 * Everything that draws random numbers, against PyTorch bit for bit: Linear's default init,
 * nn.init, dropout masks; plus clip_grad_norm_.
 */
import { describe, expect, it } from "vitest";
import * as nn from "../../kernel/src/nn/index";
import { init, functional as F, utils } from "../../kernel/src/nn/index";
import { manual_seed } from "../../kernel/src/random/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { expectClose, expectExact, fixture, fromFixture } from "./helpers";
import type { FixtureTensor } from "./helpers";

const fx = fixture("random_dependent.json");

describe("Linear's default init equals PyTorch's for the same seed", () => {
  it.each((fx.linear_init as any[]).map((c: any) => [`seed ${c.seed}, Linear(${c.in}, ${c.out}) ${c.dtype ?? "float32"}`, c] as [string, any]))("%s", (_n, c: any) => {
    manual_seed(c.seed);
    const m = new nn.Linear(c.in, c.out, { dtype: c.dtype });
    expectExact(m.weight, c.weight, "weight");
    expectExact(m.bias!, c.bias, "bias");
  });
});

function runInit(name: string, t: Tensor): void {
  switch (name) {
    case "xavier_uniform_": return void init.xavier_uniform_(t);
    case "xavier_uniform_gain": return void init.xavier_uniform_(t, init.calculate_gain("tanh"));
    case "xavier_normal_": case "xavier_normal_f32": return void init.xavier_normal_(t);
    case "kaiming_uniform_": return void init.kaiming_uniform_(t);
    case "kaiming_uniform_relu_fan_out": return void init.kaiming_uniform_(t, { mode: "fan_out", nonlinearity: "relu" });
    case "kaiming_normal_": return void init.kaiming_normal_(t);
    case "kaiming_normal_f32": return void init.kaiming_normal_(t, { nonlinearity: "relu" });
    case "uniform_": return void init.uniform_(t, -0.5, 2.0);
    case "normal_": return void init.normal_(t, 1.0, 0.1);
    case "trunc_normal_": return void init.trunc_normal_(t);
    case "trunc_normal_f32": return void init.trunc_normal_(t, { std: 0.02 });
    case "trunc_normal_narrow": return void init.trunc_normal_(t, { mean: 0, std: 1, a: 1.5, b: 2.5 });
    case "orthogonal_": return void init.orthogonal_(t);
    case "orthogonal_wide": return void init.orthogonal_(t, 2.0);
    case "eye_": return void init.eye_(t);
  }
  throw new Error(`no init ${name}`);
}

describe("nn.init matches PyTorch", () => {
  it.each((fx.init as any[]).map((c: any) => [c.name, c] as [string, any]))("%s", (_n, c: any) => {
    manual_seed(c.seed);
    const n = c.shape.reduce((a: number, b: number) => a * b, 1);
    const t = new Tensor(c.dtype === "float32" ? new Float32Array(n) : new Float64Array(n), c.shape, c.dtype);
    runInit(c.name, t);
    // Orthogonal goes through a QR factorisation (ours vs LAPACK's): equal up to rounding.
    if (c.name.startsWith("orthogonal")) expectClose(t, c.value, c.name);
    else expectExact(t, c.value, c.name);
  });

  it("calculate_gain", () => {
    for (const [k, v] of Object.entries(fx.gains)) {
      if (k === "leaky_relu_0.2") expect(init.calculate_gain("leaky_relu", 0.2)).toBe(v);
      else expect(init.calculate_gain(k as init.Nonlinearity)).toBe(v);
    }
    expect(() => init.calculate_gain("swish" as any)).toThrow(/Unsupported nonlinearity swish/);
  });

  it("fan computation errors on 1-D tensors (PyTorch's message)", () => {
    expect(() => init.xavier_uniform_(new Tensor(new Float32Array(3), [3]))).toThrow(
      "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions",
    );
    expect(() => init.kaiming_uniform_(new Tensor(new Float32Array(4), [2, 2]), { mode: "fan_avg" as any })).toThrow(
      "Mode fan_avg not supported, please use one of fan_in, fan_out",
    );
  });

  it("init on a parameter records no graph", () => {
    const p = new nn.Parameter(new Tensor(new Float32Array(6), [2, 3]));
    init.kaiming_uniform_(p);
    expect(p.grad_fn).toBeNull();
    expect(p.is_leaf).toBe(true);
  });
});

describe("dropout masks equal PyTorch's", () => {
  it.each((fx.dropout as any[]).map((c: any) => [`p=${c.p} n=${c.x.data.length} ${c.x.dtype}`, c] as [string, any]))("%s", (_n, c: any) => {
    const x = fromFixture(c.x, true);
    manual_seed(c.seed);
    const y = F.dropout(x, { p: c.p, training: true });
    expectExact(y, c.y, "y");
    y.backward(new Tensor(x.dtype === "float32" ? new Float32Array(y.numel()).fill(1) : new Float64Array(y.numel()).fill(1), y.shape, y.dtype));
    expectExact(x.grad!, c.grad_x, "grad");
  });

  it("eval mode and p = 0 pass the input through; p outside [0, 1] is an error", () => {
    const x = new Tensor(Float32Array.from([1, 2, 3]), [3], "float32");
    const d = new nn.Dropout(0.5).eval();
    expect(d.forward(x)).toBe(x);
    expect(F.dropout(x, { p: 0 })).toBe(x);
    expect(Array.from(F.dropout(x, { p: 1 }).data)).toEqual([0, 0, 0]);
    expect(() => new nn.Dropout(1.5)).toThrow("dropout probability has to be between 0 and 1, but got 1.5");
  });
});

describe("clip_grad_norm_ / clip_grad_value_", () => {
  it.each((fx.clip_grad_norm as any[]).map((c: any) => [`norm_type=${c.norm_type} max_norm=${c.max_norm}`, c] as [string, any]))("%s", (_n, c: any) => {
    const ps = c.grads.map((g: FixtureTensor) => {
      const p = new Tensor(g.dtype === "float32" ? new Float32Array(g.data.length) : new Float64Array(g.data.length), g.shape, g.dtype as any, true);
      p.grad = fromFixture(g);
      return p;
    });
    const total = utils.clip_grad_norm_(ps, c.max_norm, { norm_type: c.norm_type });
    const rtol = c.grads[0].dtype === "float32" ? 1e-6 : 1e-12;
    expect(Math.abs(total.data[0] - c.total)).toBeLessThanOrEqual(rtol * c.total);
    ps.forEach((p: Tensor, i: number) => expectClose(p.grad, c.clipped[i], `clipped ${i}`));
  });

  it("clip_grad_value_ clamps every element", () => {
    const p = new Tensor(new Float64Array(3), [3], "float64", true);
    p.grad = new Tensor(Float64Array.from([-3, 0.5, 2]), [3], "float64");
    utils.clip_grad_value_([p], 1);
    expect(Array.from(p.grad!.data)).toEqual([-1, 0.5, 1]);
  });
});
