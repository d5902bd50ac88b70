/**
 * A custom Function's `apply` taken off the class, the PyTorch tutorial's idiom
 * (`P3 = LegendrePolynomial3.apply; y_pred = a + b * P3(c + d * x)`): before, a type error
 * ("The 'this' context of type 'void' is not assignable...") and at run time "Cannot read
 * properties of undefined (reading 'prototype')" (kernel/src/tensor/autograd_function.ts).
 *
 * What PyTorch 2.13 printed for the same code is quoted beside the checks.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import type { Tensor } from "../../kernel/src/tensor/tensor";

class LegendrePolynomial3 extends torch.autograd.Function {
  static override forward(ctx: torch.autograd.FunctionCtx, input: Tensor): Tensor {
    ctx.save_for_backward(input);
    return input.pow(3).mul(5).sub(input.mul(3)).mul(0.5);
  }

  static override backward(ctx: torch.autograd.FunctionCtx, grad_output: Tensor): Tensor {
    const [input] = ctx.saved_tensors;
    return grad_output.mul(1.5).mul(input.pow(2).mul(5).sub(1));
  }
}

describe("Function.apply unbound", () => {
  it("runs the op and its backward for the class it was taken from", () => {
    const x = torch.tensor([-1.0, -0.5, 0.25, 2.0], { dtype: "float64", requires_grad: true });
    const P3 = LegendrePolynomial3.apply;
    const y = P3(x) as Tensor;
    // y: tensor([-1.0000, 0.4375, -0.3359, 17.0000], dtype=torch.float64, grad_fn=<LegendrePolynomial3Backward>)
    expect(Array.from(y.data)).toEqual([-1, 0.4375, -0.3359375, 17]);
    expect(y.grad_fn!.name()).toBe("LegendrePolynomial3Backward");
    y.sum().backward();
    // x.grad: tensor([ 6.0000, 0.3750, -1.0312, 28.5000], dtype=torch.float64)
    expect(Array.from(x.grad!.data)).toEqual([6, 0.375, -1.03125, 28.5]);
  });

  it("is one function per class, and each class's own", () => {
    class Twice extends torch.autograd.Function {
      static override forward(_ctx: torch.autograd.FunctionCtx, x: Tensor): Tensor {
        return x.mul(2);
      }

      static override backward(_ctx: torch.autograd.FunctionCtx, g: Tensor): Tensor {
        return g.mul(2);
      }
    }
    // PyTorch: LegendrePolynomial3.apply == LegendrePolynomial3.apply is True (a bound method of the class)
    expect(LegendrePolynomial3.apply).toBe(LegendrePolynomial3.apply);
    expect(Twice.apply).not.toBe(LegendrePolynomial3.apply);
    const f = Twice.apply;
    expect(Array.from((f(torch.tensor([1.5])) as Tensor).data)).toEqual([3]);
    // Called on the class it stays typed from forward: a Tensor, with no cast.
    const y: Tensor = Twice.apply(torch.tensor([1.0], { requires_grad: true }));
    expect(y.grad_fn!.name()).toBe("TwiceBackward");
  });
});
