/**
 * Against real PyTorch 2.13 (test/fixtures/generate_inplace_init.py → fixtures/nn/inplace_init.json):
 *   - `inplace` wherever PyTorch has it (activations, dropouts; positional and keyword, functional
 *     and module): the result is written into the input, which is returned, with PyTorch's values,
 *     the gradient reaching the leaf behind it and the in-place node's name; a leaf that requires
 *     grad is PyTorch's error;
 *   - nn.RReLU / F.rrelu: the slopes drawn for a seed bit for bit, eval mode, gradients, reprs;
 *   - nn.init.sparse_ (bit for bit for a seed) and dirac_, with their argument errors;
 *   - nn.init.orthogonal_: how far lrlab's float32 values are from PyTorch's (see the README).
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import * as nn from "../../kernel/src/nn/index";
import * as F from "../../kernel/src/nn/functional/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import type { DType } from "../../kernel/src/tensor/tensor";
import { expectClose, expectExact, fixture, fromFixture, type FixtureTensor } from "./helpers";

const fx = fixture<any>("inplace_init.json");

/** The generator's FUNCTIONAL and CHANNEL tables: the op with its `inplace` flag, and the input's shape. */
const OPS: Record<string, [number[] | null, (x: Tensor, i: boolean) => Tensor]> = {
  relu: [null, (x, i) => F.relu(x, i)],
  relu6: [null, (x, i) => F.relu6(x, i)],
  leaky_relu: [null, (x, i) => F.leaky_relu(x, 0.2, i)],
  elu: [null, (x, i) => F.elu(x, 0.7, i)],
  celu: [null, (x, i) => F.celu(x, 0.5, i)],
  selu: [null, (x, i) => F.selu(x, i)],
  silu: [null, (x, i) => F.silu(x, i)],
  mish: [null, (x, i) => F.mish(x, i)],
  hardswish: [null, (x, i) => F.hardswish(x, i)],
  hardsigmoid: [null, (x, i) => F.hardsigmoid(x, i)],
  hardtanh: [null, (x, i) => F.hardtanh(x, -1.0, 1.0, i)],
  threshold: [null, (x, i) => F.threshold(x, 0.25, 5.0, i)],
  rrelu_eval: [null, (x, i) => F.rrelu(x, 0.1, 0.3, false, i)],
  dropout: [null, (x, i) => F.dropout(x, 0.4, true, i)],
  alpha_dropout: [null, (x, i) => F.alpha_dropout(x, 0.4, true, i)],
  rrelu_train: [null, (x, i) => F.rrelu(x, 0.1, 0.3, true, i)],
  dropout1d: [[2, 7], (x, i) => F.dropout1d(x, 0.5, true, i)],
  dropout2d: [[1, 2, 7, 1], (x, i) => F.dropout2d(x, 0.5, true, i)],
  dropout3d: [[2, 7, 1, 1], (x, i) => F.dropout3d(x, 0.5, true, i)],
  feature_alpha_dropout: [[2, 7], (x, i) => F.feature_alpha_dropout(x, 0.5, true, i)],
};
// PyTorch's in-place channel dropouts end in an unsqueeze's node (SqueezeBackward4): an artefact
// of its implementation, not checked
const NAME_UNCHECKED = new Set(["dropout1d", "dropout3d"]);

function xs(dtype: DType, shape: number[] | null): Tensor {
  const t = torch.tensor(fx.xs as number[], { dtype });
  return shape === null ? t : t.reshape(shape);
}

describe("inplace=true writes into the input, as PyTorch (values, gradient, node name)", () => {
  it("covers every op in both dtypes", () => expect(fx.inplace.length).toBe(2 * Object.keys(OPS).length));
  it.each((fx.inplace as any[]).map((c) => [c.name, c] as const))("%s", (name, c) => {
    const base = name.replace(/_f32$/, "");
    const dtype: DType = name.endsWith("_f32") ? "float32" : "float64";
    const [shape, op] = OPS[base];
    const leaf = xs(dtype, shape).requires_grad_(true);
    const x = leaf.mul(1.0);
    torch.manual_seed(3);
    const y = op(x, true);
    expect(y).toBe(x);
    const random = base.includes("dropout") || base === "rrelu_train";
    if (random) expectExact(x.detach(), c.out, "values");
    else expectClose(x.detach(), c.out as FixtureTensor, "values");
    const up = torch.arange(1, (fx.xs as number[]).length + 1, { dtype }).reshape(x.shape).div(4);
    x.mul(up).sum().backward();
    expectClose(leaf.grad, c.grad as FixtureTensor, "grad");
    if (!NAME_UNCHECKED.has(base)) expect(x.grad_fn?.name()).toBe(c.grad_fn);
  });

  it("without autograd, the input's own storage takes the values (a view's base too)", () => {
    const x = torch.tensor([[-1, 2], [3, -4]]);
    const v = x.view(4);
    expect(F.relu(v, { inplace: true })).toBe(v);
    expect(Array.from(x.data)).toEqual([0, 2, 3, 0]);
    for (const m of [new nn.ReLU(true), new nn.SiLU(true), new nn.LeakyReLU(0.2, true), new nn.ELU(1.0, true), new nn.ReLU6(true),
      new nn.Hardtanh(-1, 1, true), new nn.CELU(1.0, true), new nn.SELU(true), new nn.Mish(true), new nn.Hardswish(true),
      new nn.Hardsigmoid(true), new nn.Threshold(0.1, 2, true), new nn.RReLU(0.1, 0.3, true), new nn.Dropout(0.5, true), new nn.AlphaDropout(0.5, true)]) {
      const y = torch.tensor([-2, 0.5]);
      const before = Array.from(y.data);
      const out = m.forward(y);
      expect(out, m._get_name()).toBe(y);
      expect(Array.from(y.data), m._get_name()).not.toEqual(before);
    }
  });

  it("the inplace flag of the modules: positional and keyword, off by default (a new tensor)", () => {
    const x = torch.tensor([-1, 1]);
    expect(new nn.ReLU().forward(x)).not.toBe(x);
    expect(new nn.SiLU({ inplace: false }).forward(x)).not.toBe(x);
    expect(new nn.ReLU({ inplace: true }).inplace).toBe(true);
    expect(new nn.SiLU({ inplace: true }).inplace).toBe(true);
    expect(Array.from(x.data)).toEqual([-1, 1]);
    const d = new nn.Dropout(0.5, true);
    d.eval();
    expect(d.forward(x)).toBe(x);
    expect(F.dropout(x, 0.5, false, true)).toBe(x);
    expect(F.silu(x, { inplace: true })).toBe(x);
    expect(F.elu(x, 1.0, { inplace: true })).toBe(x);
  });

  it("a leaf that requires grad is PyTorch's error; under no_grad it is written", () => {
    const w = torch.randn(3).requires_grad_(true);
    expect(() => F.relu(w, true)).toThrow(fx.leaf_error);
    expect(() => new nn.Dropout(0.5, true).forward(w)).toThrow(fx.leaf_error);
    torch.no_grad(() => F.relu(w, true));
    expect(Array.from(w.data).every((v) => v >= 0)).toBe(true);
  });

  it("a later op sees the new values and history (backward through two in-place activations)", () => {
    const leaf = torch.tensor([-1.0, 0.5, 2.0], { requires_grad: true, dtype: "float64" });
    const h = leaf.mul(2);
    F.hardtanh(h, -3, 3, true);
    F.relu(h, true);
    h.mul(h).sum().backward();
    expect(Array.from(leaf.grad!.data)).toEqual([0, 4, 0]); // PyTorch's
    // relu_ saved its result, which leaky_relu_ then changes: PyTorch's error (test/tensor/version_counter.test.ts)
    const h2 = leaf.mul(2);
    F.relu(h2, true);
    F.leaky_relu(h2, 0.1, true);
    expect(() => h2.mul(h2).sum().backward()).toThrow("which is output 0 of Relu, is at version 2; expected version 1 instead.");
  });

  it("backward through leaky_relu/elu/celu done in place with a negative slope is PyTorch's error", () => {
    for (const [op, msg] of [[(x: Tensor) => F.leaky_relu(x, -0.2, true), fx.negative_slope_errors.leaky_relu],
      [(x: Tensor) => F.elu(x, -0.5, true), fx.negative_slope_errors.elu], [(x: Tensor) => F.celu(x, -0.5, true), fx.negative_slope_errors.celu]] as const) {
      const leaf = torch.randn(4).requires_grad_(true);
      const y = op(leaf.mul(1));
      expect(() => y.sum().backward()).toThrow(msg);
    }
    const leaf = torch.randn(4).requires_grad_(true);
    F.leaky_relu(leaf.mul(1), -0.2).sum().backward(); // out of place: fine
    expect(leaf.grad).not.toBeNull();
  });

  it("wrong types are errors naming the parameter", () => {
    const x = torch.randn(2);
    expect(() => F.relu(x, 1 as never)).toThrow("relu(): argument 'inplace' must be a boolean, not number");
    expect(() => new nn.SiLU(1 as never)).toThrow("SiLU(): argument 'inplace' must be a boolean, not number");
    expect(() => F.silu(x, { inplce: true } as never)).toThrow("silu() got an unexpected keyword argument 'inplce' (allowed: inplace)");
  });
});

describe("nn.RReLU / F.rrelu match PyTorch", () => {
  it.each((fx.rrelu as any[]).map((c) => [`${c.dtype} lower=${c.lower} upper=${c.upper} training=${c.training} seed=${c.seed}`, c] as const))("%s", (_n, c) => {
    const leaf = torch.tensor(fx.rrelu_x as number[], { dtype: c.dtype, requires_grad: true });
    torch.manual_seed(c.seed);
    const y = F.rrelu(leaf, c.lower, c.upper, c.training);
    expectExact(torch.rand(2, { dtype: "float64" }), c.after, "generator state after the draws");
    expectExact(y.detach(), c.out, "values");
    y.mul(torch.arange((fx.rrelu_x as number[]).length, { dtype: c.dtype }).sub(4).div(4)).sum().backward();
    expectExact(leaf.grad!, c.grad, "grad");
    expect(y.grad_fn?.name()).toBe(c.grad_fn);
  });

  it("NaN passes through and draws nothing, as PyTorch's (x <= 0 is false for it)", () => {
    torch.manual_seed(0);
    const y = F.rrelu(torch.tensor([NaN, -1]), 0.1, 0.3, true);
    torch.manual_seed(0);
    const z = F.rrelu(torch.tensor([-1]), 0.1, 0.3, true);
    expect(Number.isNaN(y.data[0])).toBe(true);
    expect(y.data[1]).toBe(z.data[0]);
  });

  it("nn.RReLU on [64, 33] float32: training draws and eval mode bit for bit", () => {
    const x = fromFixture(fx.rrelu_big.x);
    const m = new nn.RReLU();
    torch.manual_seed(12);
    expectExact(m.forward(x), fx.rrelu_big.out, "training");
    m.eval();
    expectExact(m.forward(x), fx.rrelu_big.eval, "eval");
  });

  it("reprs, the bound check and the keyword form", () => {
    const mods = [new nn.ReLU(true), new nn.ReLU(), new nn.SiLU(true), new nn.SiLU(), new nn.RReLU(), new nn.RReLU(0.1, 0.3),
      new nn.RReLU({ lower: 0.1, upper: 0.3, inplace: true }), new nn.LeakyReLU(0.2, true), new nn.Dropout(0.5, true)];
    expect(mods.map(String)).toEqual(fx.reprs);
    expect(() => F.rrelu(torch.randn(3), 0.3, 0.1, true)).toThrow(fx.rrelu_error);
    const x = torch.tensor([-2, 1]);
    expect(Array.from(F.rrelu(x, { lower: 0.2, upper: 0.4 }).data)).toEqual([Math.fround(-2 * Math.fround(0.3)), 1]);
  });
});

describe("nn.init.sparse_ and dirac_ match PyTorch", () => {
  it.each((fx.sparse as any[]).map((c) => [`${c.dtype} [${c.shape}] sparsity=${c.sparsity} std=${c.std} seed=${c.seed}`, c] as const))("sparse_ %s", (_n, c) => {
    torch.manual_seed(c.seed);
    const w = torch.empty(c.shape, { dtype: c.dtype });
    expect(nn.init.sparse_(w, c.sparsity, c.std)).toBe(w);
    expectExact(w, c.out, "values");
    expectExact(torch.rand(2, { dtype: "float64" }), c.after, "generator state after");
  });

  it("sparse_ draws the normals from `generator`, the permutations from the default generator", () => {
    torch.manual_seed(2);
    const g = new torch.Generator().manual_seed(1);
    const w = torch.empty([4, 3]);
    nn.init.sparse_(w, 0.5, 0.01, g);
    expectExact(w, fx.sparse_gen.out, "values");
    expectExact(torch.rand(2, { dtype: "float64" }), fx.sparse_gen.after, "default generator after");
  });

  it.each((fx.dirac as any[]).map((c) => [`[${c.shape}] groups=${c.groups}`, c] as const))("dirac_ %s", (_n, c) => {
    const w = torch.full(c.shape, 7.0);
    expect(nn.init.dirac_(w, c.groups)).toBe(w);
    expectExact(w, c.out, "values");
  });

  it("argument errors are PyTorch's", () => {
    expect(() => nn.init.sparse_(torch.empty([3]), 0.1)).toThrow(fx.sparse_error);
    expect(() => nn.init.dirac_(torch.empty([3, 3]))).toThrow(fx.dirac_errors.dims);
    expect(() => nn.init.dirac_(torch.empty([3, 3, 3]), 2)).toThrow(fx.dirac_errors.groups);
  });
});

describe("nn.init.orthogonal_ against PyTorch", () => {
  it.each((fx.orthogonal as any[]).map((c) => [`${c.dtype} [${c.shape}] seed=${c.seed} gain=${c.gain}`, c] as const))("%s", (_n, c) => {
    torch.manual_seed(c.seed);
    const w = torch.empty(c.shape, { dtype: c.dtype });
    nn.init.orthogonal_(w, c.gain);
    // float32: PyTorch's QR (LAPACK sgeqrf/sorgqr) runs in float32, lrlab's in double and rounds
    // once, so the two differ by float32 rounding (a few ulp, measured in the README); float64:
    // rounding of two QR algorithms
    const e = c.out as FixtureTensor;
    let maxAbs = 0;
    for (let i = 0; i < e.data.length; i++) maxAbs = Math.max(maxAbs, Math.abs(w.data[i] - e.data[i]));
    expect(maxAbs).toBeLessThan(c.dtype === "float32" ? 1e-6 * c.gain : 1e-13 * c.gain);
  });
});
