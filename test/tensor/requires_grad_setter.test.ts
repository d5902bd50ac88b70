/**
 * `t.requires_grad = r` runs PyTorch's checks (THPVariable_set_requires_grad), which are stricter
 * than requires_grad_()'s: PyTorch 2.13's messages are quoted in each test.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/tensor/index";

describe("the requires_grad setter", () => {
  it("refuses true on a non-floating dtype", () => {
    // x = torch.ones(2, dtype=torch.int64); x.requires_grad = True
    // -> RuntimeError: only Tensors of floating point and complex dtype can require gradients
    const x = torch.ones([2], { dtype: torch.int64 });
    expect(() => { x.requires_grad = true; }).toThrow(/^only Tensors of floating point and complex dtype can require gradients$/);
    expect(x.requires_grad).toBe(false);
    // x.requires_grad = False on a bool tensor -> fine
    const b = torch.ones([2], { dtype: torch.bool });
    b.requires_grad = false;
    expect(b.requires_grad).toBe(false);
  });

  it("refuses false on a non-leaf, with the detach hint", () => {
    // w = torch.ones(2, requires_grad=True); y = w * 2; y.requires_grad = False -> RuntimeError: you can only change
    // requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't
    // require differentiation use var_no_grad = var.detach().
    const y = torch.ones([2], { requires_grad: true }).mul(2);
    let msg = "";
    try { y.requires_grad = false; } catch (e) { msg = (e as Error).message; }
    expect(msg).toBe("you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
    expect(y.requires_grad).toBe(true);
  });

  it("refuses true on a non-leaf too, where requires_grad_(true) is allowed", () => {
    // y.requires_grad = True -> RuntimeError: you can only change requires_grad flags of leaf variables.
    // y.requires_grad_(True) -> fine, y.requires_grad True
    const y = torch.ones([2], { requires_grad: true }).mul(2);
    let msg = "";
    try { y.requires_grad = true; } catch (e) { msg = (e as Error).message; }
    expect(msg).toBe("you can only change requires_grad flags of leaf variables.");
    expect(y.requires_grad_(true).requires_grad).toBe(true);
  });

  it("refuses a value that is not a boolean", () => {
    // x.requires_grad = 1 -> RuntimeError: requires_grad must be a bool
    const x = torch.ones([2]);
    expect(() => { (x as { requires_grad: unknown }).requires_grad = 1; }).toThrow(/^requires_grad must be a bool$/);
  });
});
