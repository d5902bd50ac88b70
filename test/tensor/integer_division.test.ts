/**
 * Integer division by zero: floor/trunc division and remainder of integer tensors raise
 * ZeroDivisionError, as PyTorch 2.13 (floats give inf/nan). floor_divide is not differentiable.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/tensor/index";

describe("integer division by zero", () => {
  const a = torch.tensor([5, 7], { dtype: "int64" });

  it("remainder of int64 by 0 raises (a scalar, a tensor, a 0-d tensor)", () => {
    // torch.remainder(torch.tensor([5, 7]), 0)                       -> RuntimeError: ZeroDivisionError
    // torch.remainder(torch.tensor([5, 7]), torch.tensor([0, 1]))     -> RuntimeError: ZeroDivisionError
    // torch.tensor([5, 7]).remainder(torch.tensor(0))                -> RuntimeError: ZeroDivisionError
    // torch.remainder(5, torch.tensor([0, 1]))                       -> RuntimeError: ZeroDivisionError
    expect(() => torch.remainder(a, 0)).toThrow("ZeroDivisionError");
    expect(() => torch.remainder(a, torch.tensor([0, 1], { dtype: "int64" }))).toThrow("ZeroDivisionError");
    expect(() => a.remainder(torch.tensor(0, { dtype: "int64" }))).toThrow("ZeroDivisionError");
    expect(() => torch.remainder(5, torch.tensor([0, 1], { dtype: "int64" }))).toThrow("ZeroDivisionError");
    // floor_divide and div(rounding_mode) already did
    expect(() => torch.floor_divide(a, 0)).toThrow("ZeroDivisionError");
    expect(() => torch.div(a, 0, { rounding_mode: "trunc" })).toThrow("ZeroDivisionError");
  });

  it("remainder by a nonzero int, and of floats by 0, still work", () => {
    // torch.remainder(torch.tensor([5, -7]), 3) -> tensor([2, 2]); torch.remainder(torch.tensor([5., 7]), 0) -> tensor([nan, nan])
    const r = torch.remainder(torch.tensor([5, -7], { dtype: "int64" }), 3);
    expect(r.dtype).toBe("int64");
    expect(r.tolist()).toEqual([2, 2]);
    expect(torch.remainder(torch.tensor([5, 7]), 0).tolist()).toEqual([NaN, NaN]);
  });

  it("floor_divide records a node whose backward raises, as PyTorch's", () => {
    // x = torch.tensor([1.5, -2.5], requires_grad=True); y = torch.floor_divide(x, 2)
    // y.grad_fn -> <NotImplemented>; y.sum().backward() -> RuntimeError: derivative for aten::floor_divide is not implemented
    const x = torch.tensor([1.5, -2.5], { requires_grad: true });
    const y = torch.floor_divide(x, 2);
    expect(y.tolist()).toEqual([0, -2]);
    expect(y.grad_fn!.name()).toBe("NotImplemented");
    expect(() => y.sum().backward()).toThrow("derivative for aten::floor_divide is not implemented");
  });
});
