/**
 * The in-place samplers (`t.normal_()`, ...) as in-place ops autograd knows of
 * (kernel/src/random/methods.ts), checked against PyTorch 2.13:
 *
 *   a = torch.ones(4, requires_grad=True); b = a.mul(2); b.view(2, 2).normal_(); b.sum().backward()
 *   a.grad  -> tensor([0., 0., 0., 0.])     (lrlab gave [2, 2, 2, 2]: b's old history)
 *   w = torch.zeros(4, requires_grad=True); w.view(2, 2).normal_()
 *   -> RuntimeError: a view of a leaf Variable that requires grad is being used in an in-place operation.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";

describe("in-place samplers and autograd", () => {
  for (const [name, call] of [
    ["normal_", (t: torch.Tensor) => t.normal_()],
    ["uniform_", (t: torch.Tensor) => t.uniform_(-1, 1)],
    ["bernoulli_", (t: torch.Tensor) => t.bernoulli_(0.5)],
    ["exponential_", (t: torch.Tensor) => t.exponential_()],
    ["random_", (t: torch.Tensor) => t.random_(0, 10)],
  ] as const) {
    it(`${name}: the overwritten values pass no gradient, through a view too`, () => {
      const a = torch.ones([4], { requires_grad: true });
      const b = a.mul(2);
      call(b.view([2, 2]));
      b.sum().backward();
      expect(Array.from(a.grad!.data)).toEqual([0, 0, 0, 0]);
      const c = a.mul(3);
      call(c);
      c.sum().backward();
      expect(Array.from(a.grad!.data)).toEqual([0, 0, 0, 0]);
    });
  }

  it("a leaf that requires grad, or a view of one, is PyTorch's error, and is left as it was; under no_grad it is filled", () => {
    const w = torch.zeros([4], { requires_grad: true });
    expect(() => w.normal_()).toThrow(/a leaf Variable that requires grad is being used in an in-place operation/);
    expect(() => w.view([2, 2]).normal_()).toThrow(/a view of a leaf Variable that requires grad is being used in an in-place operation/);
    expect(Array.from(w.data)).toEqual([0, 0, 0, 0]);
    torch.no_grad(() => w.view([2, 2]).uniform_(1, 2));
    expect(Array.from(w.data).every((v) => v >= 1 && v < 2)).toBe(true);
  });

  it("draws the same numbers whether autograd records the op or not", () => {
    torch.manual_seed(7);
    const plain = torch.zeros([6]).normal_();
    torch.manual_seed(7);
    const recorded = torch.ones([6], { requires_grad: true }).mul(1).normal_();
    expect(Array.from(recorded.data)).toEqual(Array.from(plain.data));
    expect(recorded.grad_fn?.name()).toBe("NormalBackward0");
  });
});
