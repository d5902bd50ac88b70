/**
 * PyTorch's positional constructor arguments of nn.MultiheadAttention and the transformer family
 * (kernel/src/nn/modules/transformer_args.ts): `new nn.TransformerEncoderLayer(8, 2, 16, 0.0)`,
 * `new nn.MultiheadAttention(8, 2, 0.1)` and `new nn.TransformerEncoder(layer, 2, new
 * nn.LayerNorm(8))` were refused ("pass the keyword arguments as one options object"; the LayerNorm
 * was read as an options object: "unexpected keyword argument 'normalized_shape'").
 *
 * From PyTorch 2.13 (test/fixtures/nn/transformer_positional.json, made by
 * test/fixtures/generate_transformer_positional.py): the parameter order (`inspect.signature`),
 * the repr and the attributes the repr leaves out of modules built positionally, and the output
 * of a seeded positional encoder. The typed calls below (no casts) are checked by `npm run
 * typecheck`, as the kernel checks a cell.
 */
import { describe, expect, test } from "vitest";
import * as nn from "../../kernel/src/nn/index";
import * as torch from "../../kernel/src/tensor/index";
import { manual_seed } from "../../kernel/src/random/index";
import { no_grad } from "../../kernel/src/tensor/grad_mode";
import { DECODER_PARAMS, ENCODER_PARAMS, LAYER_PARAMS, MHA_PARAMS, TRANSFORMER_PARAMS } from "../../kernel/src/nn/modules/transformer_args";
import type { Param } from "../../kernel/src/utils/py_args";
import { fixture } from "./helpers";

interface Fixture {
  torch: string;
  signatures: Record<string, string[]>;
  builds: { code: string; repr: string; attrs: Record<string, unknown> }[];
  forward: { code: string; output: number[] };
}
const FIX = fixture<Fixture>("transformer_positional.json");

/** The same constructions in lrlab, under the fixture's Python code. */
const BUILDS: Record<string, () => nn.Module> = {
  "MultiheadAttention(8, 2, 0.1)": () => new nn.MultiheadAttention(8, 2, 0.1),
  "MultiheadAttention(8, 2, 0.1, False, True, True, 4, 6, True)": () => new nn.MultiheadAttention(8, 2, 0.1, false, true, true, 4, 6, true),
  "TransformerEncoderLayer(8, 2, 16, 0.0)": () => new nn.TransformerEncoderLayer(8, 2, 16, 0.0),
  "TransformerEncoderLayer(8, 2, 16, 0.0, 'gelu', 1e-6, True, True, False)": () =>
    new nn.TransformerEncoderLayer(8, 2, 16, 0.0, "gelu", 1e-6, true, true, false),
  "TransformerDecoderLayer(8, 2, 16, 0.2, 'relu', 1e-3, True)": () => new nn.TransformerDecoderLayer(8, 2, 16, 0.2, "relu", 1e-3, true),
  "TransformerEncoder(TransformerEncoderLayer(8, 2, 16, 0.0), 2, LayerNorm(8), False)": () =>
    new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, 16, 0.0), 2, new nn.LayerNorm(8), false),
  "TransformerDecoder(TransformerDecoderLayer(8, 2, 16, 0.0), 1, LayerNorm(8))": () =>
    new nn.TransformerDecoder(new nn.TransformerDecoderLayer(8, 2, 16, 0.0), 1, new nn.LayerNorm(8)),
  "Transformer(8, 2, 1, 1, 16, 0.0, 'gelu', None, None, 1e-6, True)": () => new nn.Transformer(8, 2, 1, 1, 16, 0.0, "gelu", null, null, 1e-6, true),
};

/** The attributes the fixture lists, read from lrlab's module. */
function attrs(m: nn.Module): Record<string, unknown> {
  if (m instanceof nn.MultiheadAttention) {
    return { dropout: m.dropout, kdim: m.kdim, vdim: m.vdim, batch_first: m.batch_first, add_zero_attn: m.add_zero_attn, bias_k: m.bias_k !== null, in_proj_bias: m.in_proj_bias !== null };
  }
  if (m instanceof nn.TransformerEncoderLayer || m instanceof nn.TransformerDecoderLayer) {
    return { batch_first: m.self_attn.batch_first, norm_first: m.norm_first, dropout: m.self_attn.dropout };
  }
  if (m instanceof nn.TransformerEncoder) return { num_layers: m.num_layers, enable_nested_tensor: m.enable_nested_tensor, mask_check: m.mask_check };
  if (m instanceof nn.TransformerDecoder) return { num_layers: m.num_layers };
  if (m instanceof nn.Transformer) return { d_model: m.d_model, nhead: m.nhead, batch_first: m.batch_first };
  throw new Error(`no attributes for ${m.constructor.name}`);
}

describe("the positional order is PyTorch 2.13's", () => {
  test("the fixture is from PyTorch 2.13", () => expect(FIX.torch.startsWith("2.13.")).toBe(true));
  const tables: [string, readonly Param[], number][] = [
    ["MultiheadAttention", MHA_PARAMS, 2], ["TransformerEncoderLayer", LAYER_PARAMS, 2], ["TransformerDecoderLayer", LAYER_PARAMS, 2],
    ["TransformerEncoder", ENCODER_PARAMS, 2], ["TransformerDecoder", DECODER_PARAMS, 2], ["Transformer", TRANSFORMER_PARAMS, 0],
  ];
  test.each(tables)("%s", (cls, params, lead) => {
    expect(params.map((p) => p[0])).toEqual(FIX.signatures[cls].slice(lead));
  });
});

describe("built positionally, as PyTorch's", () => {
  test.each(FIX.builds.map((b) => [b.code, b] as const))("%s", (code, b) => {
    const m = BUILDS[code]();
    expect(m.toString()).toBe(b.repr);
    expect(attrs(m)).toEqual(b.attrs);
  });

  test("a seeded positional encoder computes PyTorch's output", () => {
    manual_seed(0);
    const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, 16, 0.0, "gelu", 1e-5, true), 2, new nn.LayerNorm(8)).double().eval();
    const x = torch.arange(48, { dtype: "float64" }).reshape(2, 3, 8).sin();
    const y = no_grad(() => enc.forward(x));
    const got = Array.from(y.data as Float64Array);
    FIX.forward.output.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThan(1e-12));
  });
});

describe("positional and options mix as in Python", () => {
  test("the options form is unchanged and equal to the positional one", () => {
    const a = new nn.TransformerEncoderLayer(8, 2, { dim_feedforward: 16, dropout: 0, batch_first: true });
    const b = new nn.TransformerEncoderLayer(8, 2, 16, 0.0, { batch_first: true });
    expect(a.toString()).toBe(b.toString());
    expect(b.self_attn.batch_first).toBe(true);
    expect(new nn.MultiheadAttention(8, 2, 0.1, { batch_first: true }).batch_first).toBe(true);
    expect(new nn.TransformerEncoder(a, 1, { norm: new nn.LayerNorm(8) }).norm).toBeInstanceOf(nn.LayerNorm);
    expect(new nn.TransformerDecoder(new nn.TransformerDecoderLayer(8, 2, 16), 1, null).norm).toBe(null);
  });

  // PyTorch: "TransformerEncoderLayer.__init__() got multiple values for argument 'dim_feedforward'",
  // "... got an unexpected keyword argument 'foo'", "... takes from 3 to 12 positional arguments but 13 were given".
  test("Python's errors", () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const Layer = nn.TransformerEncoderLayer as any;
    expect(() => new Layer(8, 2, 16, { dim_feedforward: 3 })).toThrow("got multiple values for argument 'dim_feedforward'");
    expect(() => new Layer(8, 2, { foo: 3 })).toThrow("got an unexpected keyword argument 'foo'");
    expect(() => new Layer(8, 2, 16, 0.0, "relu", 1e-5, false, false, true, null, null, 1)).toThrow("takes at most 9 optional positional arguments");
    expect(() => new Layer(8, 2, "16")).toThrow("argument 'dim_feedforward' must be a number, not string");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(() => new (nn.MultiheadAttention as any)(8, 2, 0.1, true, false, false, null, null, false, "cuda")).toThrow("argument 'device' must be \"cpu\" or null");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(() => new (nn.TransformerEncoder as any)(new Layer(8, 2, 16), 1, 3)).toThrow("norm must be a Module");
  });
});
