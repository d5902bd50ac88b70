/**
 * nn.RMSNorm / F.rms_norm, nn.TransformerDecoderLayer / nn.TransformerDecoder / nn.Transformer,
 * nn.Bilinear / F.bilinear, F.unfold / F.fold / nn.Unfold / nn.Fold and F.gumbel_softmax against
 * real PyTorch 2.13 (test/fixtures/generate_nn_more.py → fixtures/nn/nn_more.json): outputs and the
 * gradients of every input and parameter in float64 (1e-12) and float32 (1e-6, relative to the
 * tensor's scale as in helpers.ts), PyTorch's parameters copied in through load_state_dict; seeded
 * initialisation bit for bit, reprs, error messages, and gumbel_softmax's samples for a seed.
 */
import { describe, expect, it, vi } from "vitest";
import * as torch from "../../kernel/src/index";
import * as nn from "../../kernel/src/nn/index";
import * as F from "../../kernel/src/nn/functional/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { expectClose, expectExact, fixture, fromFixture } from "./helpers";
import type { FixtureTensor } from "./helpers";

const fx = fixture("nn_more.json");

function tensorOf(f: FixtureTensor, requires_grad = false): Tensor {
  const data = (f.data as unknown[]).map((v) => (v === "-inf" ? -Infinity : (v as number)));
  return fromFixture({ ...f, data }, requires_grad);
}
const isFixtureTensor = (v: unknown): v is FixtureTensor => typeof v === "object" && v !== null && "shape" in v && "data" in v;
function kwargs(j: Record<string, unknown>): Record<string, any> {
  return Object.fromEntries(Object.entries(j).map(([k, v]) => [k, isFixtureTensor(v) ? tensorOf(v) : v]));
}
const f64 = (c: { name: string }): boolean => !c.name.endsWith("_f32");

/**
 * expectClose, or for float32 with `f32rtol` set, the same scale-relative check at that tolerance
 * (a whole nn.Transformer in float32 stacks five attention blocks and seven LayerNorms: rounding
 * compounds past helpers.ts's 1e-6, while the float64 cases agree to 1e-12).
 */
function close(actual: Tensor | null | undefined, expected: FixtureTensor, what: string, f32rtol?: number): void {
  if (f32rtol === undefined || expected.dtype !== "float32") return expectClose(actual, expected, what);
  expect(actual, what).toBeTruthy();
  expect(actual!.shape, `${what}: shape`).toEqual(expected.shape);
  const scale = Math.max(0, ...expected.data.map(Math.abs));
  expected.data.forEach((e, i) => {
    const v = actual!.data[i];
    if (!(Math.abs(v - e) <= f32rtol * (Math.abs(e) + scale))) throw new Error(`${what}: element ${i} is ${v}, PyTorch has ${e}`);
  });
}

/** Loads PyTorch's state into m, runs forward on the case's inputs, and checks output and every gradient. */
function checkModuleCase(m: nn.Module, c: any, f32rtol?: number): void {
  if (f64(c)) m.double();
  const sd = m.state_dict();
  expect(Object.keys(sd)).toEqual(Object.keys(c.state_before));
  m.load_state_dict(Object.fromEntries(Object.entries(c.state_before as Record<string, FixtureTensor>).map(([k, v]) => [k, tensorOf(v)])));
  const inputs = (c.inputs as FixtureTensor[]).map((t) => tensorOf(t, true));
  const out = (m.forward as (...a: unknown[]) => Tensor)(...inputs, ...(Object.keys(c.forward).length ? [kwargs(c.forward)] : []));
  close(out, c.out, `${c.name} out`, f32rtol);
  out.backward(tensorOf(c.upstream));
  inputs.forEach((x, i) => close(x.grad, c.input_grads[i], `${c.name} grad input ${i}`, f32rtol));
  const params = Object.fromEntries(m.named_parameters());
  expect(Object.keys(params)).toEqual(Object.keys(c.param_grads));
  for (const [k, g] of Object.entries(c.param_grads as Record<string, FixtureTensor>)) close(params[k].grad, g, `${c.name} grad ${k}`, f32rtol);
}

function checkSeededInit(name: string, build: () => nn.Module): void {
  torch.manual_seed(7);
  const sd = build().state_dict();
  const want = fx.init[name] as Record<string, FixtureTensor>;
  expect(Object.keys(sd)).toEqual(Object.keys(want));
  for (const [k, v] of Object.entries(want)) expectExact(sd[k], v, `${name} ${k}`);
}

describe("RMSNorm and F.rms_norm match PyTorch", () => {
  it.each((fx.rms_norm.functional as any[]).map((c) => [c.name, c] as const))("F.rms_norm %s", (_n, c) => {
    const x = tensorOf(c.x, true);
    const w = c.weight === null ? null : tensorOf(c.weight, true);
    const out = F.rms_norm(x, c.normalized_shape, w, c.eps);
    expectClose(out, c.out, `${c.name} out`);
    out.backward(tensorOf(c.upstream));
    expectClose(x.grad, c.grad_x, `${c.name} grad x`);
    if (w !== null) expectClose(w.grad, c.grad_weight, `${c.name} grad weight`);
    // the options form gives the same values
    expectClose(F.rms_norm(tensorOf(c.x), c.normalized_shape, { weight: w, eps: c.eps }), c.out, `${c.name} options form`);
  });

  it.each((fx.rms_norm.module as any[]).map((c) => [c.name, c] as const))("nn.RMSNorm %s", (_n, c) => {
    const { normalized_shape, ...rest } = c.ctor;
    checkModuleCase(new nn.RMSNorm(normalized_shape, rest), c);
  });

  it("eps null is torch.finfo(dtype).eps; positional arguments as in Python; repr; seeded init", () => {
    expect(new nn.RMSNorm(6).eps).toBeNull();
    const tiny = torch.full([1, 4], 1e-9, { dtype: "float64" });
    const want = 1e-9 / Math.sqrt(1e-18 + fx.rms_norm.finfo_eps.float64);
    expect(Math.abs(F.rms_norm(tiny, 4).data[0] - want)).toBeLessThan(1e-15);
    const m = new nn.RMSNorm([2, 3], 1e-6, false);
    expect(m.eps).toBe(1e-6);
    expect(m.weight).toBeNull();
    expect(String(new nn.RMSNorm(6))).toBe(fx.rms_norm.repr.default);
    expect(String(m)).toBe(fx.rms_norm.repr.eps);
    expect(String(new nn.RMSNorm([2, 3], { eps: 1e-6, elementwise_affine: false }))).toBe(fx.rms_norm.repr.eps);
    checkSeededInit("rms_norm", () => new nn.RMSNorm([2, 3]));
    expect(() => new nn.RMSNorm(4, { epsilon: 1 } as any)).toThrow("unexpected keyword argument 'epsilon'");
    expect(() => F.rms_norm(torch.randn(2, 3), [4])).toThrow("expected input with shape [*, 4]");
  });
});

describe("nn.TransformerDecoderLayer and nn.TransformerDecoder match PyTorch", () => {
  it.each((fx.decoder as any[]).map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const layer = new nn.TransformerDecoderLayer(4, 2, { dropout: 0, ...c.layer });
    const m: nn.Module = c.num_layers === null ? layer : new nn.TransformerDecoder(layer, c.num_layers, { norm: c.norm ? new nn.LayerNorm(4) : null });
    checkModuleCase(m, c);
  });

  it("the decoder's layers are independent deep copies; dropout works in training only", () => {
    torch.manual_seed(1);
    const layer = new nn.TransformerDecoderLayer(8, 2, { dim_feedforward: 16, dropout: 0.5 });
    const dec = new nn.TransformerDecoder(layer, 2);
    const [a, b] = [...dec.layers] as nn.TransformerDecoderLayer[];
    expect(a).not.toBe(layer);
    expect(a.multihead_attn.in_proj_weight).not.toBe(b.multihead_attn.in_proj_weight);
    expect(dec.parameters().length).toBe(2 * layer.parameters().length);
    const t = torch.randn(3, 2, 8), mem = torch.randn(4, 2, 8);
    expect(torch.equal(dec.forward(t, mem), dec.forward(t, mem))).toBe(false);
    dec.eval();
    expect(torch.equal(dec.forward(t, mem), dec.forward(t, mem))).toBe(true);
  });

  it("forward hooks on the attention submodules fire", () => {
    const layer = new nn.TransformerDecoderLayer(8, 2, { dim_feedforward: 16, dropout: 0 });
    const seen: string[] = [];
    layer.self_attn.register_forward_hook(() => { seen.push("self_attn"); });
    layer.multihead_attn.register_forward_hook(() => { seen.push("multihead_attn"); });
    layer.norm3.register_forward_hook(() => { seen.push("norm3"); });
    layer.forward(torch.randn(3, 2, 8), torch.randn(4, 2, 8));
    expect(seen).toEqual(["self_attn", "multihead_attn", "norm3"]);
  });

  it("seeded initialisation, reprs and errors as PyTorch's", () => {
    checkSeededInit("decoder_layer", () => new nn.TransformerDecoderLayer(8, 2, { dim_feedforward: 16 }));
    checkSeededInit("decoder", () => new nn.TransformerDecoder(new nn.TransformerDecoderLayer(8, 2, { dim_feedforward: 16 }), 2, { norm: new nn.LayerNorm(8) }));
    const layer = new nn.TransformerDecoderLayer(16, 2, { dim_feedforward: 32 });
    expect(String(layer)).toBe(fx.transformer_misc.repr.decoder_layer);
    expect(String(new nn.TransformerDecoder(layer, 2, { norm: new nn.LayerNorm(16) }))).toBe(fx.transformer_misc.repr.decoder);
    expect(String(new nn.TransformerDecoder(layer, 2, new nn.LayerNorm(16)))).toBe(fx.transformer_misc.repr.decoder);
    expect(() => new nn.TransformerDecoderLayer(8, 2, { activation: "tanh" as any })).toThrow(fx.transformer_misc.errors.activation.message);
    expect(() => layer.forward(torch.randn(3, 2, 16), torch.randn(3, 2, 16), { src_mask: torch.zeros(3, 3) } as any)).toThrow(/unexpected keyword argument 'src_mask'/);
  });
});

describe("nn.Transformer matches PyTorch", () => {
  it.each((fx.transformer as any[]).map((c) => [c.name, c] as const))("%s", (_n, c) => {
    checkModuleCase(new nn.Transformer(c.ctor), c, 3e-5);
  });

  it("seeded initialisation (xavier_uniform_ on every matrix), repr, causal mask and errors", () => {
    checkSeededInit("transformer", () => new nn.Transformer({ d_model: 8, nhead: 2, num_encoder_layers: 1, num_decoder_layers: 2, dim_feedforward: 12 }));
    const t = new nn.Transformer({ d_model: 8, nhead: 2, num_encoder_layers: 1, num_decoder_layers: 1, dim_feedforward: 12 });
    expect(String(t)).toBe(fx.transformer_misc.repr.transformer);
    const mask = nn.Transformer.generate_square_subsequent_mask(4);
    expect(Array.from(mask.data)).toEqual((fx.transformer_misc.mask.data as unknown[]).map((v) => (v === "-inf" ? -Infinity : v)));
    checkSeededInit("transformer", () => new nn.Transformer(8, 2, 1, 2, 12));
    expect(() => new nn.Transformer(8, 2, { d_model: 8 } as never)).toThrow("multiple values for argument 'd_model'");
    const x = torch.randn(3, 2, 8);
    expect(() => t.forward(x, torch.randn(3, 4, 8))).toThrow(fx.transformer_misc.errors.batch.message);
    expect(() => t.forward(x, torch.randn(3, 2, 6))).toThrow(fx.transformer_misc.errors.feature.message);
  });
});

describe("nn.Bilinear and F.bilinear match PyTorch", () => {
  it.each((fx.bilinear.functional as any[]).map((c) => [c.name, c] as const))("F.bilinear %s", (_n, c) => {
    const [x1, x2, w] = [tensorOf(c.x1, true), tensorOf(c.x2, true), tensorOf(c.weight, true)];
    const b = c.bias === null ? null : tensorOf(c.bias, true);
    const out = F.bilinear(x1, x2, w, b);
    expectClose(out, c.out, `${c.name} out`);
    out.backward(tensorOf(c.upstream));
    expectClose(x1.grad, c.grad_x1, `${c.name} grad x1`);
    expectClose(x2.grad, c.grad_x2, `${c.name} grad x2`);
    expectClose(w.grad, c.grad_weight, `${c.name} grad weight`);
    if (b !== null) expectClose(b.grad, c.grad_bias, `${c.name} grad bias`);
  });

  it.each((fx.bilinear.module as any[]).map((c) => [c.name, c] as const))("nn.Bilinear %s", (_n, c) => {
    checkModuleCase(new nn.Bilinear(3, 4, 2), c);
  });

  it("seeded init, repr, positional bias, errors", () => {
    checkSeededInit("bilinear", () => new nn.Bilinear(3, 4, 2));
    expect(String(new nn.Bilinear(3, 4, 2))).toBe(fx.bilinear.repr.bias);
    expect(String(new nn.Bilinear(3, 4, 2, false))).toBe(fx.bilinear.repr.no_bias);
    expect(String(new nn.Bilinear(3, 4, 2, { bias: false }))).toBe(fx.bilinear.repr.no_bias);
    const m = new nn.Bilinear(3, 4, 2);
    expect(() => m.forward(torch.randn(5, 3), torch.randn(5, 5))).toThrow("input2 size does not match weight size");
    expect(() => m.forward(torch.randn(5, 3), torch.randn(4, 4))).toThrow("input batch dimensions do not match");
  });
});

describe("F.unfold, F.fold, nn.Unfold and nn.Fold match PyTorch", () => {
  it.each((fx.fold.unfold as any[]).map((c) => [c.name, c] as const))("unfold %s", (_n, c) => {
    const x = tensorOf(c.x, true);
    const out = F.unfold(x, c.kernel_size, c.dilation, c.padding, c.stride);
    expectClose(out, c.out, `${c.name} out`);
    out.backward(tensorOf(c.upstream));
    expectClose(x.grad, c.grad_x, `${c.name} grad x`);
    const m = new nn.Unfold(c.kernel_size, { dilation: c.dilation, padding: c.padding, stride: c.stride });
    expectClose(m.forward(tensorOf(c.x)), c.out, `${c.name} module`);
  });

  it.each((fx.fold.fold as any[]).map((c) => [c.name, c] as const))("fold %s", (_n, c) => {
    const x = tensorOf(c.x, true);
    const out = F.fold(x, c.output_size, c.kernel_size, { dilation: c.dilation, padding: c.padding, stride: c.stride });
    expectClose(out, c.out, `${c.name} out`);
    out.backward(tensorOf(c.upstream));
    expectClose(x.grad, c.grad_x, `${c.name} grad x`);
    const m = new nn.Fold(c.output_size, c.kernel_size, c.dilation, c.padding, c.stride);
    expectClose(m.forward(tensorOf(c.x)), c.out, `${c.name} module`);
  });

  it("reprs as PyTorch's", () => {
    expect(String(new nn.Unfold([2, 3], 1, 1, 2))).toBe(fx.fold.repr.unfold);
    expect(String(new nn.Fold([4, 5], 2, { stride: [1, 2] }))).toBe(fx.fold.repr.fold);
  });

  const errors: Record<string, () => unknown> = {
    unfold_too_big: () => F.unfold(torch.randn(1, 1, 3, 3), 4),
    unfold_kernel_zero: () => F.unfold(torch.randn(1, 1, 3, 3), [0, 1]),
    unfold_stride_zero: () => F.unfold(torch.randn(1, 1, 3, 3), 2, { stride: 0 }),
    unfold_dilation_zero: () => F.unfold(torch.randn(1, 1, 3, 3), 2, { dilation: 0 }),
    unfold_padding_negative: () => F.unfold(torch.randn(1, 1, 3, 3), 2, { padding: -1 }),
    fold_not_divisible: () => F.fold(torch.randn(1, 5, 9), [4, 4], 2),
    fold_blocks: () => F.fold(torch.randn(1, 4, 8), [4, 4], 2),
    fold_4d: () => F.fold(torch.randn(1, 4, 9, 1), [4, 4], 2),
  };
  it.each(Object.keys(errors))("error %s has PyTorch's message", (k) => {
    expect(errors[k]).toThrow(fx.fold.errors[k].message);
  });
  it("a 2-D unfold input names the shapes allowed (PyTorch 2.13 raises an IndexError from inside its Python wrapper)", () => {
    expect(fx.fold.errors.unfold_2d.type).toBe("IndexError");
    expect(() => F.unfold(torch.randn(3, 4), 2)).toThrow("Expected 3D or 4D (batch mode) tensor");
  });
});

describe("F.gumbel_softmax draws PyTorch's sample for a seed", () => {
  it.each((fx.gumbel as any[]).map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const logits = tensorOf(c.logits, true);
    torch.manual_seed(c.seed);
    const out = F.gumbel_softmax(logits, c.kw);
    expectClose(out, c.out, `${c.name} out`);
    out.backward(tensorOf(c.upstream));
    expectClose(logits.grad, c.grad_logits, `${c.name} grad logits`);
  });

  it("positional arguments; a deprecated eps warns", () => {
    const c = (fx.gumbel as any[]).find((x) => x.name === "hard");
    torch.manual_seed(c.seed);
    expectClose(F.gumbel_softmax(tensorOf(c.logits), 1, true), c.out, "positional");
    const spy = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    F.gumbel_softmax(tensorOf(c.logits), { eps: 1e-5 });
    expect(spy.mock.calls.some((a) => String(a[0]).includes("`eps` parameter is deprecated"))).toBe(true);
    spy.mockRestore();
  });
});
