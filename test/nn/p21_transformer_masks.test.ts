/**
 * Float masks in nn.TransformerEncoderLayer / nn.TransformerEncoder, against real PyTorch 2.13
 * (test/fixtures/generate_p21_transformer_masks.py). In eval mode with gradients off (no_grad, or
 * a frozen layer), PyTorch's fused path adds the masks and reads the sum as booleans: a float 0/1
 * src_key_padding_mask masks the 1s, an additive float src_mask masks wherever it is not 0. In
 * training, with gradients on, or where the fused path does not apply (odd heads, not
 * batch_first, a forward hook, unbatched input), float masks are added to the scores. lrlab added
 * them everywhere. Also PyTorch's warning for masks of mismatched dtypes. Float64, 1e-12.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import * as torch from "../../kernel/src/index";
import * as nn from "../../kernel/src/nn/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { expectClose, fixture, fromFixture } from "./helpers";
import type { FixtureTensor } from "./helpers";

interface Case {
  name: string;
  kind: "layer" | "encoder";
  nhead: number;
  layer: { batch_first: boolean; norm_first: boolean; activation: "relu" | "gelu" };
  mode: "train" | "eval";
  grad: boolean;
  frozen: boolean;
  hook: boolean;
  state: Record<string, FixtureTensor>;
  x: FixtureTensor;
  forward: Record<string, FixtureTensor>;
  out: FixtureTensor;
  warnings: string[];
  as_bool: boolean;
}

const cases = fixture<{ encoder_masks: Case[] }>("p21_transformer_masks.json").encoder_masks;

function build(c: Case): nn.Module {
  const layer = new nn.TransformerEncoderLayer(8, c.nhead, { dim_feedforward: 12, dropout: 0, dtype: "float64", ...c.layer });
  const m: nn.Module = c.kind === "layer" ? layer : new nn.TransformerEncoder(layer, 2, { enable_nested_tensor: false });
  m.load_state_dict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, fromFixture(v)])));
  if (c.mode === "eval") m.eval();
  else m.train();
  if (c.frozen) m.requires_grad_(false);
  if (c.hook) m.register_forward_hook(() => undefined);
  return m;
}

afterEach(() => vi.restoreAllMocks());

describe("float masks in TransformerEncoder(Layer): PyTorch's fused path reads them as booleans", () => {
  it("the fixture covers both readings", () => {
    expect(cases.filter((c) => c.as_bool).map((c) => c.name)).toEqual([
      "layer_eval_no_grad_kpm01", "layer_eval_no_grad_norm_first_gelu_kpm01", "layer_eval_no_grad_additive_src_mask",
      "layer_eval_no_grad_3d_src_mask_kpm", "layer_eval_no_grad_bool_kpm_float_src_mask", "layer_eval_frozen_grad_on_kpm01",
      "encoder_eval_no_grad_kpm01",
    ]);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const m = build(c);
    const x = fromFixture(c.x);
    const kwargs = Object.fromEntries(Object.entries(c.forward).map(([k, v]) => [k, fromFixture(v)]));
    const warned: string[] = [];
    vi.spyOn(console, "warn").mockImplementation((...a: unknown[]) => void warned.push(a.map(String).join(" ")));
    const run = () => m.forward(x, kwargs) as Tensor;
    const out = c.grad ? run() : torch.no_grad(run);
    expectClose(out, c.out, c.name);
    expect(warned).toEqual(c.warnings.map((w) => `UserWarning: ${w}`));
  });

  it("a bool mask and the float 0/-inf mask it stands for still agree on every path", () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dim_feedforward: 12, dropout: 0, batch_first: true, dtype: "float64" }).eval();
    const x = torch.randn([2, 4, 8], { dtype: "float64" });
    const pad = torch.tensor([[false, false, true, true], [false, false, false, true]], { dtype: "bool" });
    const inf = torch.zeros([2, 4], { dtype: "float64" }).masked_fill(pad, -Infinity);
    for (const grad of [true, false]) {
      const run = (m: Tensor) => () => layer.forward(x, { src_key_padding_mask: m }) as Tensor;
      const [a, b] = grad ? [run(pad)(), run(inf)()] : [torch.no_grad(run(pad)), torch.no_grad(run(inf))];
      expect(a.sub(b).abs().max().item()).toBeLessThan(1e-12);
    }
  });
});
