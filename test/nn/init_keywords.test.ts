/**
 * torch.nn.init with PyTorch's keywords as an options object (`normal_(w, { std: 0.02 })` for
 * `normal_(w, std=0.02)`), mixed with positional values, and positionally where lrlab took an
 * options object only (`kaiming_uniform_(w, Math.sqrt(5))`), against real PyTorch 2.13
 * (test/fixtures/generate_samplers.py → fixtures/nn/samplers.json, "init"): the values for a seed
 * are PyTorch's bit for bit (orthogonal_ to float32 rounding, as test/nn/inplace_init.test.ts says).
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import * as nn from "../../kernel/src/nn/index";
import type { Tensor } from "../../kernel/src/tensor/tensor";
import { expectExact, fixture, type FixtureTensor } from "./helpers";

const fx = fixture<any>("samplers.json").init;
const g = () => new torch.Generator().manual_seed(3);

/** The tensor `fill` writes into torch.empty(shape) after torch.manual_seed(0), as the generator does. */
function filled(shape: number[], fill: (w: Tensor) => Tensor): Tensor {
  torch.manual_seed(0);
  const w = torch.empty(shape);
  expect(fill(w)).toBe(w);
  return w;
}

const CASES: [name: string, shape: number[], fill: (w: Tensor) => Tensor][] = [
  ["normal_std", [3, 4], (w) => nn.init.normal_(w, { std: 0.02 })],
  ["normal_mean_std_generator", [3, 4], (w) => nn.init.normal_(w, { mean: 0.5, std: 0.02, generator: g() })],
  ["normal_mean_std_generator", [3, 4], (w) => nn.init.normal_(w, 0.5, { std: 0.02, generator: g() })],
  ["normal_positional_generator", [3, 4], (w) => nn.init.normal_(w, 0.5, 0.02, g())],
  ["uniform_ab", [3, 4], (w) => nn.init.uniform_(w, { a: -0.1, b: 0.1 })],
  ["uniform_b", [3, 4], (w) => nn.init.uniform_(w, { b: 0.1 })],
  ["xavier_uniform_gain", [4, 5], (w) => nn.init.xavier_uniform_(w, { gain: 2 })],
  ["xavier_normal_gain_generator", [4, 5], (w) => nn.init.xavier_normal_(w, { gain: 0.5, generator: g() })],
  ["xavier_normal_gain_generator", [4, 5], (w) => nn.init.xavier_normal_(w, 0.5, g())],
  ["kaiming_uniform_positional", [4, 5], (w) => nn.init.kaiming_uniform_(w, Math.sqrt(5))],
  ["kaiming_normal_positional", [4, 5], (w) => nn.init.kaiming_normal_(w, 0, "fan_out", "relu")],
  ["kaiming_normal_positional", [4, 5], (w) => nn.init.kaiming_normal_(w, 0, { mode: "fan_out", nonlinearity: "relu" })],
  ["trunc_normal_positional", [4, 5], (w) => nn.init.trunc_normal_(w, 0, 0.02, -0.04, 0.04)],
  ["trunc_normal_keywords", [4, 5], (w) => nn.init.trunc_normal_(w, { std: 0.02, a: -0.03, b: 0.03, generator: g() })],
  ["constant_val", [2, 3], (w) => nn.init.constant_(w, { val: 0.25 })],
  ["sparse_keywords", [5, 3], (w) => nn.init.sparse_(w, { sparsity: 0.4, std: 0.1 })],
  ["sparse_keywords", [5, 3], (w) => nn.init.sparse_(w, 0.4, { std: 0.1 })],
  ["dirac_groups", [4, 2, 3], (w) => nn.init.dirac_(w, { groups: 2 })],
];

describe("nn.init takes PyTorch's keywords as options, positionally too, with PyTorch's values", () => {
  it.each(CASES.map((c, i) => [`${c[0]} #${i}`, ...c] as const))("%s", (_n, name, shape, fill) => {
    expectExact(filled(shape, fill), fx[name] as FixtureTensor, name);
  });

  it("orthogonal_(w, { gain: 2 }) is PyTorch's to float32 rounding", () => {
    const w = filled([3, 5], (t) => nn.init.orthogonal_(t, { gain: 2 }));
    const e = fx.orthogonal_gain as FixtureTensor;
    const maxAbs = Math.max(...e.data.map((v, i) => Math.abs(w.data[i] - v)));
    expect(maxAbs).toBeLessThan(2e-6);
  });

  it("calculate_gain('leaky_relu', { param: 0.2 })", () => {
    expect(nn.init.calculate_gain("leaky_relu", { param: 0.2 })).toBe(fx.calculate_gain_param);
  });

  it("PyTorch's errors: a required value missing, an unknown keyword, a value given twice", () => {
    expect(() => (nn.init.constant_ as unknown as (w: Tensor) => Tensor)(torch.empty([2]))).toThrow(fx.errors.constant_missing.message);
    expect(() => (nn.init.sparse_ as unknown as (w: Tensor) => Tensor)(torch.empty([2, 2]))).toThrow(fx.errors.sparse_missing.message);
    expect(() => nn.init.normal_(torch.empty([2]), { sdt: 1 } as never)).toThrow(fx.errors.normal_unknown.message);
    expect(() => nn.init.normal_(torch.empty([2]), 0, { mean: 1 })).toThrow(fx.errors.normal_twice.message);
    expect(() => nn.init.normal_(torch.empty([2]), 0, 1, 5 as never)).toThrow("normal_(): argument 'generator' must be a torch.Generator or null, not number");
  });
});
