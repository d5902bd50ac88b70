/**
 * F.* functions and layer constructors refuse an unknown key in their options object (the kwsweep
 * found them ignoring `{ zzz_bogus: 1, ... }`), and F.softmax / F.log_softmax honour PyTorch's
 * `dtype` (it was ignored: the result kept the input's dtype). PyTorch 2.13:
 *   x = torch.tensor([[3., 1., 2.], [0., 5., 4.]])
 *   F.softmax(x, dim=1, dtype=torch.float64).dtype -> torch.float64; F.log_softmax(x, 1, dtype=torch.float64).dtype -> torch.float64
 *   F.softmax(x, axis=1) -> TypeError: softmax() got an unexpected keyword argument 'axis' (a Python function: no numpy alias)
 *   F.gelu(x, approx='tanh') -> TypeError: gelu() got an unexpected keyword argument 'approx'
 *   F.one_hot(torch.tensor([1]), num_class=3) -> TypeError: one_hot() got an unexpected keyword argument 'num_class'
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";

const F = torch.nn.functional;
const nn = torch.nn;
const x = () => torch.tensor([[3, 1, 2], [0, 5, 4]]);
// typed as a plain object so `{ ...bogus, alpha: 2 }` still type-checks as the function's options
const bogus = { zzz_bogus: 1 } as object;
const un = /got an unexpected keyword argument 'zzz_bogus'/;

describe("F.softmax / F.log_softmax", () => {
  it("take dtype (the input is cast first, as PyTorch)", () => {
    expect(F.softmax(x(), { dim: 1, dtype: torch.float64 }).dtype).toBe("float64");
    expect(F.log_softmax(x(), 1, { dtype: torch.float64 }).dtype).toBe("float64");
    const s = F.softmax(x(), { dim: 1, dtype: torch.float64 }).sum(1).tolist() as number[];
    s.forEach((v) => expect(v).toBeCloseTo(1, 12));
  });

  it("refuse unknown keys, and axis (F.softmax is a Python function in PyTorch)", () => {
    expect(() => F.softmax(x(), { ...bogus, dim: 1 })).toThrow(un);
    expect(() => F.log_softmax(x(), { ...bogus, dim: 1 })).toThrow(un);
    expect(() => F.softmax(x(), { axis: 1 } as never)).toThrow("softmax() got an unexpected keyword argument 'axis'");
  });
});

describe("other F.* options objects", () => {
  it("gelu, one_hot, embedding", () => {
    expect(() => F.gelu(x(), { approx: "tanh" } as never)).toThrow("gelu() got an unexpected keyword argument 'approx'");
    expect(() => F.one_hot(torch.tensor([1], { dtype: torch.int64 }), { num_class: 3 } as never)).toThrow("one_hot() got an unexpected keyword argument 'num_class'");
    expect(() => F.embedding(torch.tensor([0], { dtype: torch.int64 }), torch.ones(3, 2), { ...bogus, padding_idx: 0 })).toThrow(un);
  });
});

describe("layer constructors", () => {
  it("AdaptiveMaxPool1d/2d, Softmin, CosineSimilarity, PairwiseDistance, UpsamplingNearest2d/Bilinear2d", () => {
    expect(() => new nn.AdaptiveMaxPool2d(2, { ...bogus, return_indices: true })).toThrow(un);
    expect(() => new nn.AdaptiveMaxPool1d(4, { ...bogus, return_indices: true })).toThrow(un);
    expect(() => new nn.Softmin({ ...bogus, dim: 0 })).toThrow(un);
    expect(() => new nn.CosineSimilarity({ ...bogus, dim: 0 })).toThrow(un);
    expect(() => new nn.PairwiseDistance({ ...bogus, p: 1 })).toThrow(un);
    expect(() => new nn.UpsamplingNearest2d({ ...bogus, scale_factor: 2 })).toThrow(un);
    expect(() => new nn.UpsamplingBilinear2d({ ...bogus, size: [3, 3] })).toThrow(un);
    // the positional and keyword forms still work
    expect(new nn.PairwiseDistance(1, 1e-3, true).keepdim).toBe(true);
    expect(new nn.CosineSimilarity({ dim: 0 }).dim).toBe(0);
    expect(new nn.CosineSimilarity(0, 1e-6).eps).toBe(1e-6);
  });
});
