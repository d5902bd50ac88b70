/**
 * Piecewise-constant ops have a zero gradient, which reaches `.grad` as zeros (not null), as in
 * PyTorch 2.13.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/tensor/index";
import type { Tensor } from "../../kernel/src/tensor/tensor";

describe("zero gradients of piecewise-constant ops", () => {
  it("floor, ceil, round and sign give zeros", () => {
    // a = torch.tensor([1.5, -2.5], requires_grad=True); getattr(a, op)().sum().backward(); a.grad -> tensor([0., 0.])
    for (const [name, op] of [["floor", (t: Tensor) => t.floor()], ["ceil", (t: Tensor) => t.ceil()], ["round", (t: Tensor) => t.round()], ["sign", (t: Tensor) => t.sign()]] as const) {
      const a = torch.tensor([1.5, -2.5], { requires_grad: true });
      op(a).sum().backward();
      expect(a.grad, name).not.toBeNull();
      expect(a.grad!.tolist(), name).toEqual([0, 0]);
      expect(a.grad!.dtype, name).toBe("float32");
    }
  });

  it("and add up with the other paths' gradients", () => {
    // a = torch.tensor([1.5, -2.5], requires_grad=True); (a.floor() + a * 3).sum().backward(); a.grad -> tensor([3., 3.])
    const a = torch.tensor([1.5, -2.5], { requires_grad: true });
    a.floor().add(a.mul(3)).sum().backward();
    expect(a.grad!.tolist()).toEqual([3, 3]);
  });

  it("div with a rounding mode gives zeros to both operands", () => {
    // a = torch.tensor([1.5, -2.5], requires_grad=True); b = torch.tensor([2.0], requires_grad=True)
    // a.div(b, rounding_mode='floor').sum().backward() -> a.grad tensor([0., 0.]), b.grad tensor([0.])
    const a = torch.tensor([1.5, -2.5], { requires_grad: true });
    const b = torch.tensor([2.0], { requires_grad: true });
    a.div(b, { rounding_mode: "floor" }).sum().backward();
    expect(a.grad!.tolist()).toEqual([0, 0]);
    expect(b.grad!.tolist()).toEqual([0]);
  });
});
