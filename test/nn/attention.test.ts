/**
 * Attention against real PyTorch (test/fixtures/generate_attention.py): F.scaled_dot_product_attention
 * (each mask kind, causal, custom scale, broadcast batch dims, a query with no key to attend to),
 * nn.MultiheadAttention (self- and cross-attention, batch_first both ways, unbatched, masks,
 * weights averaged or per head, kdim/vdim, bias_k/bias_v and zero attention), nn.TransformerEncoderLayer
 * (post- and pre-norm, relu/gelu, masks) and nn.TransformerEncoder (2 layers, final norm, causal mask
 * detection), in float64 (1e-12) and float32 (1e-6, relative to the tensor's scale as in helpers.ts):
 * outputs, the gradients of every input and parameter, and the parameters after one Adam step.
 * Also: seeded initialisation bit for bit, SDPA's dropout with a seed, PyTorch's reprs and error
 * messages, a tiny encoder trained with Adam and LinearLR warm-up (PyTorch's losses), and the
 * effective-LR tracer on it with per-parameter names.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import * as nn from "../../kernel/src/nn/index";
import * as F from "../../kernel/src/nn/functional/index";
import { CAUSAL_MASK_HINT } from "../../kernel/src/nn/functional/attention";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { Adam } from "../../kernel/src/optim/index";
import { LinearLR } from "../../kernel/src/optim/lr_scheduler/index";
import { trace } from "../../kernel/src/trace/index";
import { expectClose, expectExact, fixture, fromFixture } from "./helpers";
import type { FixtureTensor } from "./helpers";

const fx = fixture("attention.json");

/** A fixture tensor, with the generator's "-inf" strings as −∞. */
function tensorOf(f: FixtureTensor, requires_grad = false): Tensor {
  const data = (f.data as unknown[]).map((v) => (v === "-inf" ? -Infinity : (v as number)));
  return fromFixture({ ...f, data }, requires_grad);
}

const isFixtureTensor = (v: unknown): v is FixtureTensor => typeof v === "object" && v !== null && "shape" in v && "data" in v;

/** A case's keyword arguments with its tensors as tensors. */
function kwargs(j: Record<string, unknown>): Record<string, any> {
  return Object.fromEntries(Object.entries(j).map(([k, v]) => [k, isFixtureTensor(v) ? tensorOf(v) : v]));
}

function loadState(m: nn.Module, c: { state_before: Record<string, FixtureTensor> }, f64: boolean): void {
  if (f64) m.double();
  m.load_state_dict(Object.fromEntries(Object.entries(c.state_before).map(([k, v]) => [k, tensorOf(v)])));
}

/** Every parameter's gradient, then one Adam step (lr 0.01) and the parameters after it. */
function checkGradsAndAdam(m: nn.Module, c: { name: string; param_grads: Record<string, FixtureTensor>; after_adam: Record<string, FixtureTensor> }): void {
  const params = Object.fromEntries(m.named_parameters());
  expect(Object.keys(params)).toEqual(Object.keys(c.param_grads));
  for (const [k, g] of Object.entries(c.param_grads)) expectClose(params[k].grad, g, `${c.name} grad ${k}`);
  // As the generator (zero_key_bias_grad_): the key bias's gradient is 0 up to rounding noise, which
  // Adam would amplify to steps of up to lr; it is set to exactly 0 before the step on both sides.
  for (const mha of m.modules()) {
    if (mha instanceof nn.MultiheadAttention && mha.in_proj_bias !== null && mha.bias_k === null && !mha.add_zero_attn) {
      mha.in_proj_bias.grad!.data.fill(0, mha.embed_dim, 2 * mha.embed_dim);
    }
  }
  new Adam(m.parameters(), { lr: 0.01 }).step();
  const after = m.state_dict();
  expect(Object.keys(after)).toEqual(Object.keys(c.after_adam));
  for (const [k, v] of Object.entries(c.after_adam)) expectClose(after[k], v, `${c.name} after Adam ${k}`);
}

describe("F.scaled_dot_product_attention matches PyTorch's math path", () => {
  it.each((fx.sdpa as any[]).map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const [q, k, v] = [tensorOf(c.q, true), tensorOf(c.k, true), tensorOf(c.v, true)];
    const mask = c.attn_mask === null ? null : tensorOf(c.attn_mask, c.attn_mask.dtype !== "bool");
    const out = F.scaled_dot_product_attention(q, k, v, { attn_mask: mask, is_causal: c.is_causal, scale: c.scale });
    expectClose(out, c.out, `${c.name} out`);
    out.backward(tensorOf(c.upstream));
    expectClose(q.grad, c.grad_q, `${c.name} grad q`);
    expectClose(k.grad, c.grad_k, `${c.name} grad k`);
    expectClose(v.grad, c.grad_v, `${c.name} grad v`);
    if (c.grad_mask !== null) expectClose(mask!.grad, c.grad_mask, `${c.name} grad mask`);
  });

  it("a query whose keys are all masked gets 0 (PyTorch's _safe_softmax), and no NaN reaches the gradients", () => {
    const c = (fx.sdpa as any[]).find((x) => x.name === "bool_mask_full_row");
    const q = tensorOf(c.q, true);
    const out = F.scaled_dot_product_attention(q, tensorOf(c.k), tensorOf(c.v), { attn_mask: tensorOf(c.attn_mask) });
    expect(Array.from(out.index(0, 0, 1).data)).toEqual(new Array(6).fill(0));
    out.sum().backward();
    expect(Array.from(q.grad!.data).every(Number.isFinite)).toBe(true);
  });

  it("positional attn_mask, dropout_p, is_causal as in Python; a mask given twice is an error", () => {
    const c = (fx.sdpa as any[]).find((x) => x.name === "bool_mask");
    const [q, k, v, m] = [tensorOf(c.q), tensorOf(c.k), tensorOf(c.v), tensorOf(c.attn_mask)];
    expectClose(F.scaled_dot_product_attention(q, k, v, m, 0, false), c.out, "positional");
    expect(() => F.scaled_dot_product_attention(q, k, v, m, 0, false, { attn_mask: m } as any)).toThrow("multiple values for argument 'attn_mask'");
  });

  it("dropout_p draws PyTorch's mask for the same seed", () => {
    const d = fx.sdpa_dropout;
    torch.manual_seed(d.seed);
    const out = F.scaled_dot_product_attention(tensorOf(d.q), tensorOf(d.k), tensorOf(d.v), { dropout_p: d.dropout_p });
    expectClose(out, d.out, "sdpa dropout");
  });
});

describe("nn.MultiheadAttention matches PyTorch (outputs, weights, gradients, one Adam step)", () => {
  it.each((fx.mha as any[]).map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const f64 = !c.name.endsWith("_f32");
    const m = new nn.MultiheadAttention(8, 2, c.ctor);
    loadState(m, c, f64);
    if (!c.train) m.eval();
    // the same tensor where PyTorch's case passed one (self-attention: query is key is value)
    const query = tensorOf(c.inputs.query, true);
    const key = c.inputs.key ? tensorOf(c.inputs.key, true) : query;
    const value = c.inputs.value ? tensorOf(c.inputs.value, true) : key;
    const [out, weights] = m.forward(query, key, value, kwargs(c.forward));
    expectClose(out, c.out, `${c.name} out`);
    if (c.weights === null) expect(weights).toBeNull();
    else expectClose(weights, c.weights, `${c.name} weights`);
    let loss = out.mul(tensorOf(c.upstream)).sum();
    if (weights !== null) loss = loss.add(weights.mul(tensorOf(c.upstream_w)).sum());
    loss.backward();
    const inputs: Record<string, Tensor> = { query, key, value };
    for (const [k, g] of Object.entries(c.input_grads as Record<string, FixtureTensor>)) expectClose(inputs[k].grad, g, `${c.name} grad ${k}`);
    checkGradsAndAdam(m, c);
  });
});

describe("nn.TransformerEncoderLayer and nn.TransformerEncoder match PyTorch", () => {
  it.each((fx.encoder as any[]).map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const f64 = !c.name.endsWith("_f32");
    const layer = new nn.TransformerEncoderLayer(8, 2, { dropout: 0, ...c.layer });
    const m: nn.Module = c.num_layers === null ? layer : new nn.TransformerEncoder(layer, c.num_layers, { norm: c.norm ? new nn.LayerNorm(8) : null });
    loadState(m, c, f64);
    const x = tensorOf(c.x, true);
    const out = m.forward(x, kwargs(c.forward)) as Tensor;
    expectClose(out, c.out, `${c.name} out`);
    out.backward(tensorOf(c.upstream));
    expectClose(x.grad, c.grad_x, `${c.name} grad x`);
    checkGradsAndAdam(m, c);
  });

  it("the encoder's layers are independent deep copies of the layer it was given", () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dim_feedforward: 16 });
    const enc = new nn.TransformerEncoder(layer, 2);
    const [a, b] = [...enc.layers] as nn.TransformerEncoderLayer[];
    expect(a).not.toBe(layer);
    expect(a.self_attn.in_proj_weight).not.toBe(b.self_attn.in_proj_weight);
    expect(Array.from(a.self_attn.in_proj_weight!.data)).toEqual(Array.from(layer.self_attn.in_proj_weight!.data));
    expect(a).toBeInstanceOf(nn.TransformerEncoderLayer);
    expect(enc.parameters().length).toBe(2 * layer.parameters().length);
  });

  it("dropout works in training mode and is off in eval mode", () => {
    torch.manual_seed(1);
    const layer = new nn.TransformerEncoderLayer(8, 2, { dim_feedforward: 16, dropout: 0.5 });
    const x = torch.randn(4, 2, 8);
    const y1 = layer.forward(x);
    const y2 = layer.forward(x);
    expect(torch.equal(y1, y2)).toBe(false);
    layer.eval();
    expect(torch.equal(layer.forward(x), layer.forward(x))).toBe(true);
  });
});

describe("seeded initialisation equals PyTorch's", () => {
  const build: Record<string, () => nn.Module> = {
    mha: () => new nn.MultiheadAttention(8, 2),
    mha_kdim_vdim_bias_kv: () => new nn.MultiheadAttention(6, 3, { kdim: 4, vdim: 5, add_bias_kv: true }),
    mha_no_bias: () => new nn.MultiheadAttention(4, 1, { bias: false }),
    encoder_layer: () => new nn.TransformerEncoderLayer(8, 2, { dim_feedforward: 16 }),
    encoder: () => new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, { dim_feedforward: 16 }), 2),
  };
  it.each(Object.keys(build))("%s", (name) => {
    torch.manual_seed(7);
    const sd = build[name]().state_dict();
    const want = fx.init[name] as Record<string, FixtureTensor>;
    expect(Object.keys(sd)).toEqual(Object.keys(want));
    for (const [k, v] of Object.entries(want)) expectExact(sd[k], v, `${name} ${k}`);
  });
});

describe("reprs and errors as PyTorch's", () => {
  it("prints as PyTorch", () => {
    const layer = new nn.TransformerEncoderLayer(16, 2, { dim_feedforward: 32 });
    expect(String(new nn.MultiheadAttention(8, 2))).toBe(fx.repr.mha);
    expect(String(new nn.MultiheadAttention(8, 2, { kdim: 4, vdim: 6, bias: false, add_bias_kv: true, batch_first: true, dropout: 0.1 }))).toBe(fx.repr.mha_kdim);
    expect(String(layer)).toBe(fx.repr.layer);
    expect(String(new nn.TransformerEncoder(layer, 2, { norm: new nn.LayerNorm(16) }))).toBe(fx.repr.encoder);
  });

  it("a Module activation is a child, printed last, and a function works too", () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dim_feedforward: 16, activation: new nn.GELU() });
    expect(String(layer)).toContain("(dropout2): Dropout(p=0.1, inplace=False)\n  (activation): GELU(approximate='none')\n)");
    expect(layer.activation_relu_or_gelu).toBe(2);
    const fn = new nn.TransformerEncoderLayer(8, 2, { dim_feedforward: 16, activation: (t: Tensor) => t.tanh(), dropout: 0 });
    expect(fn.activation_relu_or_gelu).toBe(0);
    expect(fn.forward(torch.randn(3, 8)).shape).toEqual([3, 8]);
  });

  const mha = () => new nn.MultiheadAttention(8, 2);
  const x = () => torch.randn(3, 2, 8);
  const q = torch.randn(2, 3, 4), k = torch.randn(2, 5, 4), v = torch.randn(2, 5, 6);
  const cases: Record<string, () => unknown> = {
    not_divisible: () => new nn.MultiheadAttention(10, 3),
    non_positive: () => new nn.MultiheadAttention(0, 2),
    attn_mask_2d: () => { const t = x(); return mha().forward(t, t, t, { attn_mask: torch.zeros(4, 3) }); },
    attn_mask_3d: () => { const t = x(); return mha().forward(t, t, t, { attn_mask: torch.zeros(5, 3, 3) }); },
    attn_mask_4d: () => { const t = x(); return mha().forward(t, t, t, { attn_mask: torch.zeros(1, 2, 3, 3) }); },
    key_padding_mask_len: () => { const t = x(); return mha().forward(t, t, t, { key_padding_mask: torch.zeros([2, 4], { dtype: "bool" }) }); },
    key_padding_mask_batch: () => { const t = x(); return mha().forward(t, t, t, { key_padding_mask: torch.zeros([3, 3], { dtype: "bool" }) }); },
    key_padding_mask_int: () => { const t = x(); return mha().forward(t, t, t, { key_padding_mask: torch.zeros([2, 3], { dtype: "int64" }) }); },
    embed_dim: () => { const t = x(); return mha().forward(t.narrow(2, 0, 4), t, t); },
    key_value_shape: () => { const t = x(); return mha().forward(t, t.narrow(0, 0, 2), t); },
    query_1d: () => { const t = x(); return mha().forward(t.index(0, 0), t, t); },
    key_2d: () => { const t = x(); return mha().forward(t, t.index(0), t.index(0)); },
    causal_without_mask: () => { const t = x(); return mha().forward(t, t, t, { is_causal: true }); },
    sdpa_mask_and_causal: () => F.scaled_dot_product_attention(q, k, v, { attn_mask: torch.ones([3, 5], { dtype: "bool" }), is_causal: true }),
    sdpa_dtype: () => F.scaled_dot_product_attention(q, k.double(), v),
    sdpa_1d: () => F.scaled_dot_product_attention(q.index(0, 0), k.index(0, 0), v.index(0, 0)),
    sdpa_mask_dtype: () => F.scaled_dot_product_attention(q, k, v, { attn_mask: torch.ones([3, 5], { dtype: "int64" }) }),
    activation: () => new nn.TransformerEncoderLayer(8, 2, { activation: "tanh" as any }),
  };
  it("a misspelt keyword or a mask passed where the options go is an error, not ignored", () => {
    const t = x();
    expect(() => mha().forward(t, t, t, { atn_mask: torch.zeros(3, 3) } as any)).toThrow(/unexpected keyword argument 'atn_mask'.*did you mean 'attn_mask'/);
    expect(() => mha().forward(t, t, t, torch.zeros(3, 3) as any)).toThrow("pass the keyword arguments as one options object");
    expect(() => new nn.TransformerEncoderLayer(8, 2, { dim_feed_forward: 16 } as any)).toThrow(/did you mean 'dim_feedforward'/);
    const layer = new nn.TransformerEncoderLayer(8, 2, { dim_feedforward: 16 });
    expect(() => new nn.TransformerEncoder(layer, 2).forward(t, { src_mask: torch.zeros(3, 3) } as any)).toThrow(/unexpected keyword argument 'src_mask'/);
  });
  it("scaled_dot_product_attention names the argument whose shape is wrong (PyTorch's own errors come from inside its products)", () => {
    const q = torch.randn(2, 4, 5, 8), k = torch.randn(2, 4, 5, 8), v = torch.randn(2, 4, 5, 8);
    expect(() => F.scaled_dot_product_attention(q, torch.randn(2, 4, 5, 6), v)).toThrow(
      "query and key must have the same last dimension E (the scores are query · keyᵀ), got query [2, 4, 5, 8] and key [2, 4, 5, 6]");
    expect(() => F.scaled_dot_product_attention(q, k, torch.randn(2, 4, 7, 8))).toThrow("key and value must have the same sequence length S");
    expect(() => F.scaled_dot_product_attention(q, k, v, { attn_mask: torch.zeros(6, 6) })).toThrow(
      "attn_mask [6, 6] does not broadcast to the attention scores [..., L=5, S=5]");
    // masks that broadcast are fine
    expect(F.scaled_dot_product_attention(q, k, v, { attn_mask: torch.zeros(1, 5) }).shape).toEqual([2, 4, 5, 8]);
  });
  it("has every error case of the fixture", () => expect(Object.keys(cases).sort()).toEqual(Object.keys(fx.errors).sort()));
  it.each(Object.keys(cases))("%s", (name) => {
    const want = fx.errors[name] as { type: string; message: string };
    let err: any = null;
    try { cases[name](); } catch (e) { err = e; }
    expect(err, name).not.toBeNull();
    // PyTorch's message, and where it names something lrlab lacks, how to do it here
    expect(err.message).toBe(want.message + (name === "causal_without_mask" ? CAUSAL_MASK_HINT : ""));
    expect(err.name).toBe(want.type);
  });
});

/** The tiny encoder of generate_attention.gen_training: 2 layers, d_model 16, 2 heads, and a linear head. */
class Tiny extends nn.Module {
  encoder = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(16, 2, { dim_feedforward: 32, dropout: 0, batch_first: true }), 2);
  head = new nn.Linear(16, 1);
  override forward(x: Tensor): Tensor {
    return this.head.forward(this.encoder.forward(x).select(1, 0));
  }
}

describe("training a tiny encoder with Adam and LinearLR warm-up", () => {
  const t = fx.training;
  it("follows PyTorch's losses and learning rates step by step, and the loss falls", () => {
    torch.manual_seed(0);
    const model = new Tiny().double();
    const [X, y] = [tensorOf(t.X), tensorOf(t.y)];
    const opt = new Adam(model.parameters(), { lr: 0.01 });
    const sched = new LinearLR(opt, { start_factor: 0.1, total_iters: 4 });
    const losses: number[] = [];
    const lrs: number[] = [];
    for (let i = 0; i < 8; i++) {
      opt.zero_grad();
      const loss = F.mse_loss(model.forward(X), y);
      loss.backward();
      lrs.push(opt.param_groups[0].lr);
      opt.step();
      sched.step();
      losses.push(loss.item());
    }
    lrs.forEach((lr, i) => expect(lr).toBeCloseTo(t.lrs[i], 15));
    losses.forEach((l, i) => expect(Math.abs(l - t.losses[i]) / t.losses[i], `step ${i}`).toBeLessThan(1e-9));
    expect(losses[7]).toBeLessThan(losses[0] / 2);
  });

  it("the tracer follows it per parameter, under PyTorch's parameter names", () => {
    torch.manual_seed(0);
    const model = new Tiny();
    const [X, y] = [tensorOf(t.X).float(), tensorOf(t.y).float()];
    const opt = new Adam(model.parameters(), { lr: 0.01 });
    const sched = new LinearLR(opt, { start_factor: 0.1, total_iters: 4 });
    const tr = trace(opt, { per_param: true, named_parameters: model.named_parameters(), batch_size: 16 });
    for (let i = 0; i < 5; i++) {
      opt.zero_grad();
      F.mse_loss(model.forward(X), y).backward();
      opt.step();
      sched.step();
    }
    tr.stop();
    const names = tr.param_names();
    expect(names).toEqual(model.named_parameters().map(([n]) => n));
    for (const n of ["encoder.layers.0.self_attn.in_proj_weight", "encoder.layers.0.self_attn.out_proj.weight", "encoder.layers.1.linear2.bias", "encoder.layers.1.norm2.weight"]) {
      expect(names).toContain(n);
    }
    // the warm-up: step 5 runs at lr = 0.01·(0.1 + 0.9·4/4) = 0.01; Adam's own factor is recorded per parameter
    const last = tr.latest()!;
    expect(last.lr).toBeCloseTo(0.01, 12);
    expect(tr.latest_param("encoder.layers.0.self_attn.in_proj_weight")!.lr_preconditioned).not.toBeNull();
    expect(tr.series("lr")!.columns().mean.map((v) => Number(v!.toFixed(6)))).toEqual([0.001, 0.00325, 0.0055, 0.00775, 0.01]);
  });
});
