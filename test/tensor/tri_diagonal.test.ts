/**
 * tril / triu take the diagonal as PyTorch's keyword too (`torch.triu(x, diagonal=1)`, the
 * Transformer tutorial's causal mask → `torch.triu(x, { diagonal: 1 })`), and have in-place forms.
 * An options object used to be read as the diagonal itself (NaN): every element was dropped, all
 * zeros, no error. PyTorch's values are quoted from torch 2.13:
 *   x = torch.arange(1., 10.).reshape(3, 3)
 *   torch.triu(x, diagonal=1)  -> [[0, 2, 3], [0, 0, 6], [0, 0, 0]]
 *   x.tril(diagonal=-1)        -> [[0, 0, 0], [4, 0, 0], [7, 8, 0]]
 *   torch.triu(x, diagonal=1.5) -> TypeError: triu(): argument 'diagonal' must be int, not float
 *   (x * 1).tril_(0).grad_fn   -> TrilBackward0 (x requiring grad)
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";

const x = () => torch.arange(1, 10, { dtype: torch.float32 }).reshape(3, 3);

describe("tril / triu's diagonal", () => {
  it("as an options object, as a number, and by default", () => {
    expect(torch.triu(x(), { diagonal: 1 }).tolist()).toEqual([[0, 2, 3], [0, 0, 6], [0, 0, 0]]);
    expect(x().tril({ diagonal: -1 }).tolist()).toEqual([[0, 0, 0], [4, 0, 0], [7, 8, 0]]);
    expect(x().triu(1).tolist()).toEqual([[0, 2, 3], [0, 0, 6], [0, 0, 0]]);
    expect(torch.tril(x(), {}).tolist()).toEqual(x().tril(0).tolist());
  });

  it("refuses what is not an int, and unknown keywords, with PyTorch's kind of message", () => {
    expect(() => torch.triu(x(), 1.5)).toThrow("triu(): argument 'diagonal' must be int, not float");
    expect(() => torch.tril(x(), { diagonal: "1" as unknown as number })).toThrow("tril(): argument 'diagonal' must be int, not string");
    expect(() => torch.tril(x(), { k: 1 } as unknown as { diagonal: number })).toThrow("tril() got an unexpected keyword argument 'k' (valid: diagonal)");
  });
});

describe("tril_ / triu_", () => {
  it("zero in place, and autograd records TrilBackward0 / TriuBackward0", () => {
    const y = x();
    expect(y.triu_({ diagonal: 1 })).toBe(y);
    expect(y.tolist()).toEqual([[0, 2, 3], [0, 0, 6], [0, 0, 0]]);
    const a = x().requires_grad_(true);
    const b = a.mul(1);
    b.tril_(0);
    expect(b.grad_fn!.name()).toBe("TrilBackward0");
    b.sum().backward();
    expect(a.grad!.tolist()).toEqual([[1, 0, 0], [1, 1, 0], [1, 1, 1]]);
    const c = a.mul(1);
    c.triu_();
    expect(c.grad_fn!.name()).toBe("TriuBackward0");
  });
});
