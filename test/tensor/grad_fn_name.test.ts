/**
 * `grad_fn.name()` is a method, as PyTorch's: y = torch.ones(2, requires_grad=True) * 2;
 * y.grad_fn.name() -> 'MulBackward0', and print(y) still ends grad_fn=<MulBackward0>.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/tensor/index";

describe("grad_fn.name()", () => {
  it("is called, and the printout is unchanged", () => {
    const y = torch.ones([2], { requires_grad: true }).mul(2);
    expect(typeof y.grad_fn!.name).toBe("function");
    expect(y.grad_fn!.name()).toBe("MulBackward0");
    expect(String(y)).toBe("tensor([2., 2.], grad_fn=<MulBackward0>)");
  });
});
