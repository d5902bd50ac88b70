// A view of a tensor that does not require grad, made a leaf by requires_grad_(), then written in
// place (under no_grad, or through its base): it stays a leaf that requires grad and gets its
// gradient, as in PyTorch 2.13 (checked there: requires_grad True, grad_fn None, grad 3s).
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";

describe("a view made a leaf by requires_grad_(), modified in place", () => {
  it("under no_grad: still a leaf that requires grad, and backward reaches it", () => {
    const a = torch.linspace(-0.5, 0.5, 8).reshape(2, 4).requires_grad_(true);
    torch.no_grad(() => a.mul_(2));
    expect([a.requires_grad, a.is_leaf, a.grad_fn, a._version]).toEqual([true, true, null, 1]);
    a.mul(3).sum().backward();
    expect(a.grad!.tolist()).toEqual([[3, 3, 3, 3], [3, 3, 3, 3]]);
  });

  it("through its base: the same", () => {
    const b = torch.ones(8);
    const a = b.view(2, 4).requires_grad_(true);
    b.mul_(2);
    expect([a.requires_grad, a.is_leaf, a.grad_fn, a._version]).toEqual([true, true, null, 1]);
    a.mul(3).sum().backward();
    expect(a.grad!.tolist()).toEqual([[3, 3, 3, 3], [3, 3, 3, 3]]);
  });
});
