/**
 * Transposed convolutions (nn.ConvTranspose1d/2d, F.conv_transpose1d/2d) against real PyTorch
 * (test/fixtures/generate_conv_transpose.py): forward values and input, weight and bias gradients
 * over a grid of configurations (stride, padding, output_padding, dilation, groups, bias, batched
 * and unbatched, forward's output_size) in float64 (1e-12) and float32 (1e-6 relative to the
 * tensor's scale, helpers.ts), with the column matrix built in the WebAssembly module and in JS;
 * seeded initialisation bit for bit; reprs and error messages word for word; a tiny convolutional
 * autoencoder trained 4 SGD steps. Also independent of the fixtures: a hand-computed case, the
 * adjoint identity ⟨conv2d(a, w), x⟩ = ⟨a, conv_transpose2d(x, w)⟩, and a batch split into chunks.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import * as nn from "../../kernel/src/nn/index";
import * as F from "../../kernel/src/nn/functional/index";
import type { Module } from "../../kernel/src/nn/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { conv_wasm_stats, set_conv_wasm } from "../../kernel/src/nn/functional/conv_wasm";
import { WASM_MIN_WORK } from "../../kernel/src/tensor/gemm";
import { checkLayerCase, expectClose, expectExact, fixture, fromFixture } from "./helpers";
import type { FixtureTensor, LayerCase } from "./helpers";

/** The same constructors as CASES in generate_conv_transpose.py. */
const BUILD: Record<string, () => nn.ConvTranspose1d | nn.ConvTranspose2d> = {
  ct2d_basic: () => new nn.ConvTranspose2d(3, 4, 3),
  ct2d_stride_pad: () => new nn.ConvTranspose2d(2, 4, [3, 2], { stride: [2, 1], padding: [1, 0] }),
  ct2d_output_padding: () => new nn.ConvTranspose2d(2, 3, 3, { stride: 2, padding: 1, output_padding: 1 }),
  ct2d_op_dilation: () => new nn.ConvTranspose2d(2, 3, 3, { dilation: 3, output_padding: 2 }),
  ct2d_mixed: () => new nn.ConvTranspose2d(2, 3, [2, 3], { stride: [2, 3], padding: [1, 2], output_padding: [1, 2], dilation: [2, 1] }),
  ct2d_groups: () => new nn.ConvTranspose2d(4, 6, 3, { stride: 2, groups: 2 }),
  ct2d_depthwise_nobias: () => new nn.ConvTranspose2d(3, 6, 3, { padding: 1, groups: 3, bias: false }),
  ct2d_unbatched: () => new nn.ConvTranspose2d(2, 3, 3, 2), // stride positionally, as Python's ConvTranspose2d(2, 3, 3, 2)
  ct2d_1x1: () => new nn.ConvTranspose2d(5, 3, 1),
  ct2d_crop: () => new nn.ConvTranspose2d(2, 3, 5, { stride: 2, padding: 3 }),
  ct2d_tiny: () => new nn.ConvTranspose2d(1, 1, 2, { padding: [0, 1] }),
  ct2d_large: () => new nn.ConvTranspose2d(8, 3, 3, { stride: 2, padding: 1, output_padding: 1 }),
  ct2d_output_size: () => new nn.ConvTranspose2d(3, 2, 3, { stride: 2, padding: 1 }),
  ct2d_output_size_full: () => new nn.ConvTranspose2d(3, 2, 3, { stride: 3, groups: 1 }),
  ct1d_basic: () => new nn.ConvTranspose1d(3, 4, 3),
  ct1d_all: () => new nn.ConvTranspose1d(4, 6, 3, { stride: 2, padding: 2, output_padding: 1, groups: 2, dilation: 2 }),
  ct1d_unbatched_nobias: () => new nn.ConvTranspose1d(2, 3, 2, { bias: false }),
  ct1d_op_dilation: () => new nn.ConvTranspose1d(2, 2, 3, { stride: 2, output_padding: 2, dilation: 3 }),
  ct1d_large: () => new nn.ConvTranspose1d(16, 8, 5, { stride: 2 }),
  ct1d_output_size: () => new nn.ConvTranspose1d(2, 3, 4, { stride: 3, padding: 1 }),
};

type CtCase = LayerCase & { output_size: number[] | null };
const fx = fixture("conv_transpose.json");
const cases = fx.layers as CtCase[];

afterEach(() => set_conv_wasm(true));

/** checkLayerCase on module `m`, whose forward gets the case's output_size. */
function checkCase(m: nn.ConvTranspose1d | nn.ConvTranspose2d, c: CtCase): void {
  const view = {
    double: () => m.double(),
    load_state_dict: (sd: Record<string, Tensor>) => m.load_state_dict(sd),
    forward: (x: Tensor) => (c.output_size ? m.forward(x, c.output_size) : m.forward(x)),
    named_parameters: () => m.named_parameters(),
    state_dict: () => m.state_dict(),
  };
  checkLayerCase(view, c);
}

describe("transposed convolutions match PyTorch (forward and backward)", () => {
  it("has a builder for every case, and the case table is the generator's", () => {
    for (const c of cases) expect(BUILD[c.name.replace(/_f32$/, "")], c.name).toBeTypeOf("function");
    expect(cases.length).toBe(2 * Object.keys(BUILD).length);
  });
  it.each(cases.map((c) => [c.name, c] as const))("%s (column matrix in the WebAssembly module when large enough)", (_name, c) => {
    const before = conv_wasm_stats.col2im;
    const m = BUILD[c.name.replace(/_f32$/, "")]();
    checkCase(m, c);
    // each group's product: Og = C_in/groups rows, CK = (C_out/groups)·kernel columns, L = N·(input positions)
    const spatial = c.x.shape.slice(-m.kernel_size.length);
    const N = c.x.shape.length === m.kernel_size.length + 2 ? c.x.shape[0] : 1;
    const work = (m.in_channels / m.groups) * (m.out_channels / m.groups) * m.kernel_size.reduce((a, b) => a * b) * N * spatial.reduce((a, b) => a * b);
    if (work >= WASM_MIN_WORK) expect(conv_wasm_stats.col2im, "forward scattered in the module").toBeGreaterThan(before);
    else expect(conv_wasm_stats.col2im, "a small product stays in JS").toBe(before);
  });
  it.each(cases.map((c) => [c.name, c] as const))("%s (column matrix in JS)", (_name, c) => {
    set_conv_wasm(false);
    const before = { ...conv_wasm_stats };
    checkCase(BUILD[c.name.replace(/_f32$/, "")](), c);
    expect(conv_wasm_stats).toEqual(before);
  });
});

describe("functional forms", () => {
  it.each((fx.functional as any[]).map((c, i) => [`${c.fn} #${i}`, c] as const))("%s with positional arguments equals PyTorch", (_n, c) => {
    const x = fromFixture(c.x, true), w = fromFixture(c.weight, true);
    const b = c.bias ? fromFixture(c.bias, true) : null;
    const fn = c.fn === "conv_transpose2d" ? F.conv_transpose2d : F.conv_transpose1d;
    const [stride, padding, output_padding, groups, dilation] = c.args;
    const y = fn(x, w, b, stride, padding, output_padding, groups, dilation);
    expectClose(y, c.y, "y");
    y.backward(fromFixture(c.upstream));
    expectClose(x.grad, c.grad_x, "grad x");
    expectClose(w.grad, c.grad_weight, "grad weight");
    if (c.bias) expectClose(b!.grad, c.grad_bias, "grad bias");
  });

  it("F.conv_transpose2d by hand: a 2×2 kernel of ones over [[1, 2], [3, 4]]", () => {
    // stride 1: each input value is added into a 2×2 block at its position → 3×3
    //   [[1, 1+2, 2], [1+3, 1+2+3+4, 2+4], [3, 3+4, 4]] = [[1, 3, 2], [4, 10, 6], [3, 7, 4]], + bias 0.5.
    // L = Σy: dL/dx = Σw = 4 for each input, dL/dw = Σx = 10 for each tap, dL/db = 9 output positions.
    // stride 2: the blocks do not overlap → 4×4; padding 1 crops one row/column each side → 2×2 centre.
    const x = torch.tensor([[[[1, 2], [3, 4]]]], { dtype: "float64", requires_grad: true });
    const w = torch.tensor([[[[1, 1], [1, 1]]]], { dtype: "float64", requires_grad: true });
    const b = torch.tensor([0.5], { dtype: "float64", requires_grad: true });
    const y = F.conv_transpose2d(x, w, b);
    expect(y.shape).toEqual([1, 1, 3, 3]);
    expect(Array.from(y.data)).toEqual([1.5, 3.5, 2.5, 4.5, 10.5, 6.5, 3.5, 7.5, 4.5]);
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([4, 4, 4, 4]);
    expect(Array.from(w.grad!.data)).toEqual([10, 10, 10, 10]);
    expect(Array.from(b.grad!.data)).toEqual([9]);
    expect(y.grad_fn!.name()).toBe("ConvolutionBackward0");
    expect(Array.from(F.conv_transpose2d(x, w, { stride: 2 }).data)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    expect(Array.from(F.conv_transpose2d(x, w, null, 2, 1).data)).toEqual([1, 2, 3, 4]);
    // output_padding 1 adds a last row and column that no input reaches: only the bias
    const yp = F.conv_transpose2d(x, w, b, { stride: 2, output_padding: 1 });
    expect(yp.shape).toEqual([1, 1, 5, 5]);
    expect(Array.from(yp.data.subarray(20, 25))).toEqual([0.5, 0.5, 0.5, 0.5, 0.5]);
  });

  it("is the adjoint of conv2d/conv1d: ⟨conv(a, w), x⟩ = ⟨a, conv_transpose(x, w)⟩", () => {
    // conv2d(a) has x's size, or more when output_padding ≥ stride (allowed below dilation): its
    // extra last rows/columns are not part of the adjoint, so the product runs over x's positions.
    torch.manual_seed(5);
    const dot = (p: Tensor, q: Tensor) => {
      const [H, W] = q.shape.slice(-2), [Hp, Wp] = p.shape.slice(-2);
      let s = 0;
      for (let pl = 0; pl < q.numel() / (H * W); pl++) {
        for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) s += p.data[(pl * Hp + i) * Wp + j] * q.data[(pl * H + i) * W + j];
      }
      return s;
    };
    const configs = [
      { stride: [2, 3], padding: [1, 2], dilation: [2, 1], groups: 2, output_padding: [1, 2] },
      { stride: 1, padding: 0, dilation: 3, groups: 1, output_padding: 2 },
      { stride: 3, padding: 1, dilation: 1, groups: 3, output_padding: 0 },
    ];
    for (const { output_padding, ...o } of configs) {
      const w = torch.randn([6, 2, 3, 2], { dtype: "float64" });
      const x = torch.randn([2, 6, 4, 5], { dtype: "float64" });
      const y = F.conv_transpose2d(x, w, { ...o, output_padding });
      const a = torch.randn(y.shape, { dtype: "float64" });
      const c = F.conv2d(a, w, o);
      expect(c.shape.slice(0, 2)).toEqual(x.shape.slice(0, 2));
      const lhs = dot(c, x), rhs = dot(y, a);
      expect(Math.abs(lhs - rhs), `${JSON.stringify(o)}: ${lhs} vs ${rhs}`).toBeLessThan(1e-10 * (Math.abs(lhs) + 1));
    }
    const w1 = torch.randn([4, 3, 4], { dtype: "float64" });
    const x1 = torch.randn([3, 4, 7], { dtype: "float64" });
    const y1 = F.conv_transpose1d(x1, w1, { stride: 2, padding: 1, output_padding: 1 });
    const a1 = torch.randn(y1.shape, { dtype: "float64" });
    const lhs = dot(F.conv1d(a1, w1, { stride: 2, padding: 1 }), x1), rhs = dot(a1, y1);
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-10 * (Math.abs(lhs) + 1));
  });

  it("positional and keyword options equal the module's forward", () => {
    torch.manual_seed(1);
    const m = new nn.ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, output_padding: 1, groups: 2, dilation: 2 });
    const x = torch.randn(2, 4, 5, 4);
    const ref = m.forward(x);
    for (const y of [
      F.conv_transpose2d(x, m.weight, m.bias, 2, 1, 1, 2, 2),
      F.conv_transpose2d(x, m.weight, { bias: m.bias, stride: 2, padding: 1, output_padding: 1, groups: 2, dilation: 2 }),
      F.conv_transpose2d(x, m.weight, m.bias, { stride: [2, 2], padding: [1, 1], output_padding: [1, 1], groups: 2, dilation: [2, 2] }),
    ]) {
      expect(Array.from(y.data)).toEqual(Array.from(ref.data));
    }
    const m1 = new nn.ConvTranspose1d(2, 3, 3, 2, 1, 1); // stride, padding, output_padding positionally
    expect(m1.extra_repr()).toBe("2, 3, kernel_size=(3,), stride=(2,), padding=(1,), output_padding=(1,)");
    const x1 = torch.randn(2, 2, 5);
    expect(Array.from(F.conv_transpose1d(x1, m1.weight, m1.bias, { stride: 2, padding: 1, output_padding: 1 }).data)).toEqual(Array.from(m1.forward(x1).data));
  });

  it("output_size picks output_padding: a strided Conv2d's input size comes back", () => {
    // Conv2d(k 3, stride 2, padding 1) maps both 7 and 8 to 4; ConvTranspose2d gives 7 by default
    // (output_padding 0) and 8 when asked, through output_size with or without the leading dims.
    const down = new nn.Conv2d(2, 4, 3, { stride: 2, padding: 1 });
    const up = new nn.ConvTranspose2d(4, 2, 3, { stride: 2, padding: 1 });
    const h = down.forward(torch.randn(1, 2, 8, 7));
    expect(h.shape).toEqual([1, 4, 4, 4]);
    expect(up.forward(h).shape).toEqual([1, 2, 7, 7]);
    expect(up.forward(h, [8, 7]).shape).toEqual([1, 2, 8, 7]);
    expect(up.forward(h, [1, 2, 8, 8]).shape).toEqual([1, 2, 8, 8]);
    expect(up._output_padding(h, [8, 7])).toEqual([1, 0]);
    expect(up.output_padding).toEqual([0, 0]); // the layer's own option is unchanged
  });
});

describe("seeded initialisation equals PyTorch's bit for bit", () => {
  const ctors: Record<string, () => Module> = {
    ct2d: () => new nn.ConvTranspose2d(3, 6, 5),
    ct2d_groups: () => new nn.ConvTranspose2d(4, 6, [3, 2], { groups: 2 }),
    ct1d: () => new nn.ConvTranspose1d(2, 4, 3),
    ct1d_nobias: () => new nn.ConvTranspose1d(3, 2, 4, { bias: false }),
  };
  it.each(Object.keys(ctors))("%s", (name) => {
    torch.manual_seed(7);
    const sd = ctors[name]().state_dict();
    const ref = fx.init[name] as Record<string, FixtureTensor>;
    expect(Object.keys(sd)).toEqual(Object.keys(ref));
    for (const [k, v] of Object.entries(ref)) expectExact(sd[k], v, `${name}.${k}`);
  });
  it("weight is [in_channels, out_channels / groups, ...kernel_size]; the layer keeps PyTorch's attributes", () => {
    const m = new nn.ConvTranspose2d(4, 6, [3, 2], { groups: 2 });
    expect(m.weight.shape).toEqual([4, 3, 3, 2]);
    expect(m.bias!.shape).toEqual([6]);
    expect([m.transposed, m.output_padding, m.padding, m.padding_mode]).toEqual([true, [0, 0], [0, 0], "zeros"]);
    expect(new nn.ConvTranspose1d(4, 6, 5, { groups: 2, dtype: "float64" }).weight.shape).toEqual([4, 3, 5]);
  });
});

describe("errors name what was wrong and what is allowed (PyTorch's wording)", () => {
  const x = () => torch.randn(1, 4, 5, 5);
  const w = () => torch.randn(4, 3, 3, 3);
  const m = () => new nn.ConvTranspose2d(3, 4, 3, { stride: 2, padding: 1 });
  const m1 = () => new nn.ConvTranspose1d(3, 4, 3, { stride: 3, dilation: 2 });
  /** The same calls as gen_errors in generate_conv_transpose.py. */
  const calls: Record<string, () => unknown> = {
    output_padding: () => F.conv_transpose2d(x(), w(), { output_padding: 1 }),
    output_padding_mixed: () => F.conv_transpose2d(x(), w(), { stride: 2, output_padding: [2, 1] }),
    output_padding_1d: () => F.conv_transpose1d(torch.randn(1, 4, 5), torch.randn(4, 3, 3), { output_padding: 1 }),
    output_padding_negative: () => F.conv_transpose2d(x(), w(), { stride: 2, output_padding: -1 }),
    groups_weight: () => F.conv_transpose2d(x(), w(), { groups: 3 }),
    groups_zero: () => F.conv_transpose2d(x(), w(), { groups: 0 }),
    channels: () => F.conv_transpose2d(torch.randn(1, 3, 5, 5), w()),
    channels_unbatched: () => F.conv_transpose2d(torch.randn(3, 5, 5), w()),
    dims: () => F.conv_transpose2d(torch.randn(1, 1, 4, 5, 5), w()),
    dims_1d: () => F.conv_transpose1d(torch.randn(1, 4, 5, 5), torch.randn(4, 3, 3)),
    bias: () => F.conv_transpose2d(x(), w(), torch.randn(4)),
    bias_groups: () => F.conv_transpose2d(x(), w(), torch.randn(3), { groups: 2 }),
    stride: () => F.conv_transpose2d(x(), w(), { stride: 0 }),
    padding: () => F.conv_transpose2d(x(), w(), { padding: -1 }),
    dilation: () => F.conv_transpose2d(x(), w(), { dilation: 0 }),
    dilation_1d: () => F.conv_transpose1d(torch.randn(1, 4, 1), torch.randn(4, 3, 2), { dilation: 0 }),
    stride_length: () => F.conv_transpose2d(x(), w(), { stride: [1, 1, 1] }),
    output_padding_length: () => F.conv_transpose2d(x(), w(), { output_padding: [1, 1, 1] }),
    too_small: () => F.conv_transpose2d(x(), w(), { padding: 4 }),
    too_small_zero: () => F.conv_transpose2d(torch.randn(1, 4, 1, 1), torch.randn(4, 3, 2, 2), { padding: 1 }),
    too_small_1d: () => F.conv_transpose1d(torch.randn(1, 4, 1), torch.randn(4, 3, 2), { padding: 3 }),
    dtype: () => F.conv_transpose2d(x().double(), w()),
    order_groups_before_output_padding: () => F.conv_transpose2d(x(), w(), { output_padding: 2, groups: 3 }),
    order_channels_before_output_padding: () => F.conv_transpose2d(torch.randn(1, 3, 5, 5), w(), { output_padding: 3 }),
    order_output_padding_before_size: () => F.conv_transpose2d(x(), w(), { padding: 9, output_padding: 3 }),
    module_padding_mode: () => new nn.ConvTranspose2d(4, 3, 3, { padding_mode: "reflect" as "zeros" }),
    module_padding_mode_1d: () => new nn.ConvTranspose1d(4, 3, 3, { padding_mode: "circular" as "zeros" }),
    module_groups_out: () => new nn.ConvTranspose2d(4, 3, 3, { groups: 2 }),
    module_groups_in: () => new nn.ConvTranspose2d(3, 4, 3, { groups: 2 }),
    module_groups_zero: () => new nn.ConvTranspose2d(3, 4, 3, { groups: 0 }),
    module_output_padding: () => new nn.ConvTranspose2d(3, 4, 3, { output_padding: 1 }).forward(torch.randn(1, 3, 5, 5)),
    output_size_range: () => m().forward(torch.randn(1, 3, 5, 5), [11, 10]),
    output_size_range_unbatched: () => m().forward(torch.randn(3, 5, 5), [11, 10]),
    output_size_length: () => m().forward(torch.randn(1, 3, 5, 5), [10]),
    output_size_length_unbatched: () => m().forward(torch.randn(3, 5, 5), [1, 4, 10, 10]),
    output_size_1d: () => m1().forward(torch.randn(1, 3, 5), [20]),
  };
  it("the table covers every recorded message", () => {
    expect(Object.keys(calls).sort()).toEqual(Object.keys(fx.errors).sort());
  });
  it.each(Object.entries(fx.errors as Record<string, string>))("%s", (name, message) => {
    expect(calls[name]).toThrow(message);
  });
  it("lrlab's own argument errors", () => {
    expect(() => F.conv_transpose2d(x(), torch.randn(4, 3, 3))).toThrow("conv_transpose2d(): weight must be 4-D [in_channels, out_channels / groups, kH, kW], got shape [4, 3, 3]");
    expect(() => F.conv_transpose2d(x(), w(), { padding: "same" as unknown as number })).toThrow("conv_transpose2d(): argument 'padding' must be tuple of ints, not str");
    expect(() => F.conv_transpose2d(x(), w(), { strides: 2 } as object)).toThrow("conv_transpose2d() got an unexpected keyword argument 'strides' (allowed: bias, stride, padding, output_padding, groups, dilation)");
    expect(() => F.conv_transpose2d(x(), w(), { groups: 1.5 })).toThrow("conv_transpose2d(): argument 'groups' must be int, not float");
    expect(() => F.conv_transpose2d(x(), w(), { output_padding: 1.5 })).toThrow("conv_transpose2d(): argument 'output_padding' must be an int or a tuple of 2 ints");
    expect(() => F.conv_transpose2d(x(), w(), torch.randn(3).double())).toThrow("expected scalar type Float but found Double (bias must have the input's dtype)");
    expect(() => new nn.ConvTranspose2d(2, 4, 3, { padding: "same" } as object)).toThrow("ConvTranspose2d: padding must be an int or a tuple of 2 ints, got 'same'");
    expect(() => new nn.ConvTranspose2d(2, 4, 3, { outputpadding: 1 } as object)).toThrow("ConvTranspose2d() got an unexpected keyword argument 'outputpadding'");
    const c = new nn.ConvTranspose2d(2, 4, 3);
    (c as { padding_mode: string }).padding_mode = "reflect";
    expect(() => c.forward(torch.randn(1, 2, 5, 5))).toThrow("Only `zeros` padding mode is supported for ConvTranspose2d");
  });
});

describe("printing as PyTorch (repr)", () => {
  it("equals PyTorch's repr", () => {
    const mine = [
      new nn.ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, output_padding: 1, groups: 2, bias: false, dilation: 2 }),
      new nn.ConvTranspose1d(4, 6, 3),
      new nn.ConvTranspose2d(4, 6, [3, 2], { output_padding: [0, 1], stride: [1, 2] }),
      new nn.Sequential(new nn.Conv2d(1, 4, 3, { stride: 2, padding: 1 }), new nn.ConvTranspose2d(4, 1, 3, 2, 1, 1)),
    ];
    expect(mine.map((m) => m.toString())).toEqual(fx.reprs);
  });
});

describe("a tiny convolutional autoencoder trained with SGD equals PyTorch's run", () => {
  it.each((fx.training as any[]).map((r) => [r.dtype, r] as const))("%s", (_d, run) => {
    const dtype = run.dtype as "float32" | "float64";
    torch.manual_seed(0);
    const model = new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { stride: 2, padding: 1 }), new nn.ReLU(),
      new nn.ConvTranspose2d(4, 1, 3, { stride: 2, padding: 1, output_padding: 1 }),
    ).to(dtype);
    const X = torch.randn([6, 1, 8, 8], { dtype });
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const losses: number[] = [];
    for (let i = 0; i < 4; i++) {
      opt.zero_grad();
      const loss = F.mse_loss(model.forward(X), X);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    const rtol = dtype === "float32" ? 1e-6 : 1e-12;
    losses.forEach((l, i) => expect(Math.abs(l - run.losses[i]), `loss ${i}`).toBeLessThanOrEqual(rtol * Math.abs(run.losses[i])));
    const sd = model.state_dict();
    expect(Object.keys(sd)).toEqual(Object.keys(run.final));
    for (const [k, v] of Object.entries(run.final) as [string, FixtureTensor][]) expectClose(sd[k], v, k);
  });
});

describe("large inputs and edge sizes", () => {
  it("a batch split into column-matrix chunks gives what each sample gives alone (forward and all gradients)", () => {
    // ConvTranspose2d(4, 16, 3): CK = 16·3·3 = 144 columns over 48·48 input positions, 331,776
    // entries per sample, so the 2^22-entry limit takes 12 samples per chunk: 14 samples are two chunks.
    torch.manual_seed(3);
    const m = new nn.ConvTranspose2d(4, 16, 3, { stride: 1 }).double();
    const N = 14, per = 4 * 48 * 48, perOut = 16 * 50 * 50;
    const x = torch.randn([N, 4, 48, 48], { dtype: "float64", requires_grad: true });
    const y = m.forward(x);
    const g = torch.randn(y.shape, { dtype: "float64" });
    y.backward(g);
    const gw = m.weight.grad!.clone(), gb = m.bias!.grad!.clone(), gx = x.grad!;
    m.zero_grad();
    const bad: string[] = []; // first mismatches (one expect at the end keeps the test fast)
    const sumW = new Float64Array(gw.data.length), sumB = new Float64Array(gb.data.length);
    for (let n = 0; n < N; n++) {
      const xn = new Tensor(Float64Array.from(x.data.subarray(n * per, (n + 1) * per)), [1, 4, 48, 48], "float64", true);
      const yn = m.forward(xn);
      for (let i = 0; i < perOut; i++) if (yn.data[i] !== y.data[n * perOut + i] && bad.length < 5) bad.push(`y[${n}][${i}]`);
      yn.backward(new Tensor(Float64Array.from(g.data.subarray(n * perOut, (n + 1) * perOut)), [1, 16, 50, 50], "float64"));
      for (let i = 0; i < per; i++) {
        const e = gx.data[n * per + i];
        if (!(Math.abs(xn.grad!.data[i] - e) <= 1e-12 * (1 + Math.abs(e))) && bad.length < 5) bad.push(`grad x[${n}][${i}]`);
      }
      m.weight.grad!.data.forEach((v, i) => { sumW[i] += v; });
      m.bias!.grad!.data.forEach((v, i) => { sumB[i] += v; });
      m.zero_grad();
    }
    expect(bad).toEqual([]);
    const scale = Math.max(...Array.from(gw.data, Math.abs));
    let worst = 0;
    gw.data.forEach((v, i) => { worst = Math.max(worst, Math.abs(sumW[i] - v)); });
    expect(worst).toBeLessThanOrEqual(1e-12 * scale);
    gb.data.forEach((v, i) => expect(Math.abs(sumB[i] - v)).toBeLessThanOrEqual(1e-12 * Math.abs(v)));
  });

  it("the module's and the JS column matrix give the same bits (float32, groups, stride, dilation)", () => {
    const run = () => {
      torch.manual_seed(4);
      const m = new nn.ConvTranspose2d(6, 4, [3, 2], { stride: [2, 3], padding: 1, output_padding: [1, 0], groups: 2, dilation: [1, 2] });
      const x = torch.randn([3, 6, 9, 7]).requires_grad_(true);
      const y = m.forward(x);
      y.mul(torch.randn(y.shape)).sum().backward();
      return [y.data, x.grad!.data, m.weight.grad!.data, m.bias!.grad!.data].map((a) => Array.from(a));
    };
    const before = conv_wasm_stats.im2col;
    const inModule = run();
    expect(conv_wasm_stats.im2col).toBeGreaterThan(before);
    set_conv_wasm(false);
    expect(run()).toEqual(inModule);
  });

  it("an empty batch gives an empty output of the right shape", () => {
    // [0, 2, 5, 5], kernel 3, stride 2 → (5 − 1)·2 + 3 = 11
    const m = new nn.ConvTranspose2d(2, 4, 3, { stride: 2 });
    const x = torch.randn([0, 2, 5, 5]).requires_grad_(true);
    const y = m.forward(x);
    expect(y.shape).toEqual([0, 4, 11, 11]);
    y.sum().backward();
    expect(x.grad!.shape).toEqual([0, 2, 5, 5]);
    expect(Array.from(m.weight.grad!.data).every((v) => v === 0)).toBe(true);
  });
});
