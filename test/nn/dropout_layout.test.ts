/**
 * Random fills of tensors PyTorch holds non-contiguous, against real PyTorch 2.13
 * (test/fixtures/generate_dropout_layout.py → fixtures/nn/dropout_layout.json). PyTorch draws
 * dropout / alpha_dropout masks, rand_like / randn_like / randint_like and the in-place samplers in
 * the tensor's memory order, so `F.dropout(x.t(), p)` needs lrlab's record of that order
 * (kernel/src/tensor/memory_order.ts) to give PyTorch's mask for the same seed; the channel-wise
 * dropouts, torch.bernoulli(p) and torch.normal(meanT) draw in logical order. The layouts come
 * from transpose / permute / t / mT / swapaxes / movedim, element-wise ops keep them, and
 * MultiheadAttention(batch_first) and LSTM(batch_first) return one: TransformerEncoderLayer and
 * TransformerDecoderLayer (batch_first, dropout > 0) in training give PyTorch's output for the
 * same seed.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import * as nn from "../../kernel/src/nn/index";
import * as F from "../../kernel/src/nn/functional/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { elementwise_order, memory_index } from "../../kernel/src/tensor/memory_order";
import { expectClose, expectExact, fixture, fromFixture, type FixtureTensor } from "./helpers";

const fx = fixture<any>("dropout_layout.json");
const B4 = fromFixture(fx.bias4);
const P64 = fromFixture(fx.p64);

/** The same table as the generator's CASES and INPLACE: the op on the source tensor s. */
const OPS: Record<string, (s: Tensor) => Tensor> = {
  dropout_t: (s) => F.dropout(s.t(), 0.5),
  dropout_t_f64: (s) => F.dropout(s.t(), 0.3),
  dropout_permute3: (s) => F.dropout(s.permute(2, 0, 1), 0.3),
  dropout_transpose02: (s) => F.dropout(s.transpose(0, 2), 0.5),
  dropout_swapaxes: (s) => F.dropout(s.swapaxes(1, 2), 0.5),
  dropout_mT_of_permute: (s) => F.dropout(s.permute(2, 0, 1).mT, 0.5),
  dropout_movedim: (s) => F.dropout(s.movedim(0, 2), 0.5),
  dropout_tt: (s) => F.dropout(s.t().t(), 0.5),
  dropout_t_contiguous: (s) => F.dropout(s.t().contiguous(), 0.5),
  dropout_t_clone: (s) => F.dropout(s.t().clone(), 0.5),
  dropout_t_exp: (s) => F.dropout(s.t().exp(), 0.5),
  dropout_t_relu: (s) => F.dropout(F.relu(s.t()), 0.5),
  dropout_t_gelu: (s) => F.dropout(F.gelu(s.t()), 0.5),
  dropout_t_tanh: (s) => F.dropout(torch.tanh(s.t()), 0.5),
  dropout_t_masked_fill: (s) => F.dropout(s.t().masked_fill(s.t().gt(1), 0.0), 0.5),
  dropout_t_where: (s) => F.dropout(torch.where(s.t().gt(1), s.t(), 0.0), 0.5),
  dropout_t_mul2: (s) => F.dropout(s.t().mul(2), 0.5),
  dropout_t_plus_y: (s) => F.dropout(s.t().add(s.t().contiguous().mul(0.5)), 0.5),
  dropout_y_plus_t: (s) => F.dropout(s.t().contiguous().mul(0.5).add(s.t()), 0.5),
  dropout_t_plus_bias: (s) => F.dropout(s.t().add(B4), 0.5),
  dropout_bias_plus_t: (s) => F.dropout(B4.add(s.t()), 0.5),
  dropout_twice: (s) => F.dropout(F.dropout(s.t(), 0.2), 0.5),
  nn_Dropout_t: (s) => new nn.Dropout(0.4).forward(s.t()),
  alpha_dropout_t: (s) => F.alpha_dropout(s.t(), 0.5, true),
  feature_alpha_dropout_perm: (s) => F.feature_alpha_dropout(s.permute(1, 0, 2, 3), 0.5, true),
  feature_alpha_dropout_t2d: (s) => F.feature_alpha_dropout(s.t(), 0.5, true),
  dropout2d_perm: (s) => F.dropout2d(s.permute(1, 0, 2, 3), 0.5),
  dropout1d_perm: (s) => F.dropout1d(s.permute(1, 0, 2), 0.5),
  dropout3d_perm: (s) => F.dropout3d(s.permute(1, 0, 2, 3, 4), 0.5),
  bernoulli_t: (s) => torch.bernoulli(s.t().sigmoid()),
  rand_like_t: (s) => torch.rand_like(s.t()),
  rand_like_t_f64: (s) => torch.rand_like(s.t()),
  randn_like_t: (s) => torch.randn_like(s.t()),
  randn_like_t_f64: (s) => torch.randn_like(s.t()),
  randn_like_t_small: (s) => torch.randn_like(s.t()),
  randint_like_t: (s) => torch.randint_like(s.t(), 10),
  normal_meanT_t: (s) => torch.normal(s.t(), 1.0),
  bernoulli__t: (s) => s.clone().t().bernoulli_(0.5),
  bernoulli__t_p: (s) => s.clone().t().bernoulli_(P64),
  uniform__t: (s) => s.clone().t().uniform_(-1, 2),
  normal__t: (s) => s.clone().t().normal_(1, 2),
  normal__t_f64: (s) => s.clone().t().normal_(),
  exponential__t: (s) => s.clone().t().exponential_(2),
  random__t: (s) => s.clone().t().random_(0, 10),
};

const CLOSE = new Set(["dropout_t_gelu"]);

describe("random fills of tensors PyTorch holds permuted draw PyTorch's numbers", () => {
  it("covers every fixture case", () => {
    expect(Object.keys(OPS).sort()).toEqual(Object.keys(fx.cases).sort());
  });

  it.each(Object.keys(fx.cases))("%s", (name) => {
    const c = fx.cases[name];
    const s = fromFixture(c.src);
    torch.manual_seed(fx.seed);
    const y = OPS[name](s);
    if (CLOSE.has(name)) {
      // lrlab's gelu may differ from PyTorch's in the last bit: the mask (zeros) exactly, the values closely
      expect(Array.from(y.data, (v) => v === 0)).toEqual((c.out as FixtureTensor).data.map((v) => v === 0));
      expectClose(y, c.out as FixtureTensor, name);
    } else expectExact(y, c.out as FixtureTensor, name);
    expect(y.is_contiguous()).toBe(c.contiguous);
  });

  it("the issue's repro: dropout(randn(4, 6).t(), 0.5).sum() is PyTorch's 6.2831", () => {
    torch.manual_seed(3);
    const y = torch.randn(4, 6).t();
    expect(F.dropout(y, 0.5).sum().item()).toBeCloseTo(6.283142566680908, 5);
    torch.manual_seed(3);
    const z = torch.randn(4, 6).t();
    expect(F.dropout(z.contiguous(), 0.5).sum().item()).toBeCloseTo(1.166886568, 5);
  });

  it("an in-place fill of a transposed view writes back to its base as PyTorch's", () => {
    const c = fx.cases["uniform__t"];
    const base = fromFixture(c.src).clone();
    torch.manual_seed(fx.seed);
    base.t().uniform_(-1, 2);
    expectExact(base.t(), c.out as FixtureTensor, "base");
  });
});

describe("the record of PyTorch's memory order", () => {
  it("is absent on contiguous tensors and on the results of non-element-wise ops", () => {
    const x = torch.randn(3, 4);
    expect(x._memory_order).toBeNull();
    expect(x.add(1)._memory_order).toBeNull();
    expect(x.t()._memory_order).toEqual([1, 0]);
    expect(x.t().t()._memory_order).toBeNull();
    expect(x.t().contiguous()._memory_order).toBeNull();
    expect(x.t().matmul(x)._memory_order).toBeNull();
    expect(x.t().reshape(12)._memory_order).toBeNull();
    expect(x.t().masked_fill(x.t().gt(0), 0)._memory_order).toBeNull(); // PyTorch: a contiguous clone
    expect(x.t().softmax(-1)._memory_order).toBeNull();
    expect(F.layer_norm(x.t(), [3])._memory_order).toBeNull();
  });

  it("follows TensorIterator for element-wise ops (first operand with distinct strides decides)", () => {
    expect(elementwise_order([{ shape: [6, 4], _memory_order: [1, 0] }, { shape: [6, 4], _memory_order: null }], [6, 4])).toEqual([1, 0]);
    expect(elementwise_order([{ shape: [6, 4], _memory_order: null }, { shape: [6, 4], _memory_order: [1, 0] }], [6, 4])).toBeNull();
    expect(elementwise_order([{ shape: [4], _memory_order: null }, { shape: [6, 4], _memory_order: [1, 0] }], [6, 4])).toEqual([1, 0]);
    expect(elementwise_order([{ shape: [6, 1], _memory_order: null }, { shape: [6, 4], _memory_order: [1, 0] }], [6, 4])).toEqual([1, 0]);
    expect(elementwise_order([2, { shape: [4, 2, 3], _memory_order: [1, 2, 0] }], [4, 2, 3])).toEqual([1, 2, 0]);
  });

  it("memory_index lists logical positions in memory order", () => {
    expect([...memory_index([3, 2], [1, 0])]).toEqual([0, 2, 4, 1, 3, 5]);
    expect([...memory_index([2, 2, 2], [2, 0, 1])]).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
  });
});

describe("nn.LSTM(batch_first)'s output is held transposed, as PyTorch's", () => {
  it("dropout on it draws PyTorch's mask", () => {
    const c = fx.lstm;
    const lstm = new nn.LSTM(4, 5, { num_layers: 2, batch_first: true });
    lstm.load_state_dict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, fromFixture(v as FixtureTensor)])));
    const [out] = lstm.forward(fromFixture(c.x)) as [Tensor, unknown];
    expect(out.is_contiguous()).toBe(false);
    torch.manual_seed(fx.seed);
    expectClose(F.dropout(out, 0.5), c.out, "dropout(lstm output)");
  });
});

describe("TransformerEncoderLayer(batch_first, dropout 0.1) in training matches PyTorch for the same seed", () => {
  const e = fx.encoder_layer;
  it("MultiheadAttention's batch_first output is held transposed, as PyTorch's", () => {
    const mha = new nn.MultiheadAttention(16, 4, { batch_first: true });
    const x = torch.randn(3, 5, 16);
    const [out] = mha.forward(x, x, x, { need_weights: false });
    expect(out.is_contiguous()).toBe(e.mha_out_contiguous);
    expect(out._memory_order).toEqual([1, 0, 2]);
  });

  it("forward and backward", () => {
    const layer = new nn.TransformerEncoderLayer(16, 4, { dim_feedforward: 32, dropout: 0.1, batch_first: true });
    layer.load_state_dict(Object.fromEntries(Object.entries(e.state).map(([k, v]) => [k, fromFixture(v as FixtureTensor)])));
    layer.train();
    const x = fromFixture(e.x, true);
    torch.manual_seed(11);
    const out = layer.forward(x) as Tensor;
    expectClose(out, e.out, "out");
    out.backward(fromFixture(e.g));
    expectClose(x.grad, e.x_grad, "x grad");
    for (const [k, p] of layer.named_parameters()) expectClose(p.grad, e.param_grads[k], `${k} grad`);
  });

  it("TransformerDecoderLayer(batch_first, dropout 0.2): forward and backward", () => {
    const d = fx.decoder_layer;
    const layer = new nn.TransformerDecoderLayer(16, 4, { dim_feedforward: 32, dropout: 0.2, batch_first: true });
    layer.load_state_dict(Object.fromEntries(Object.entries(d.state).map(([k, v]) => [k, fromFixture(v as FixtureTensor)])));
    layer.train();
    const tgt = fromFixture(d.tgt, true);
    torch.manual_seed(12);
    const out = layer.forward(tgt, fromFixture(d.memory));
    expectClose(out, d.out, "out");
    out.backward(fromFixture(d.g));
    expectClose(tgt.grad, d.tgt_grad, "tgt grad");
  });
});
