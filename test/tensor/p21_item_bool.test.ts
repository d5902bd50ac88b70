/**
 * `.item()` and `.tolist()` of a bool tensor give JS booleans, as PyTorch gives Python's
 * True/False (`torch.tensor(True).item()` is `True`, `torch.tensor([True, False]).tolist()` is
 * `[True, False]`); `item()` returned 1/0. Its type lets a cell use the result either way.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/tensor/index";

describe("item() and tolist() of bool tensors (PyTorch: True/False)", () => {
  it("item() of a bool tensor is a boolean", () => {
    expect(torch.tensor(true, { dtype: "bool" }).item()).toBe(true);
    expect(torch.tensor([false], { dtype: "bool" }).item()).toBe(false);
    expect(torch.tensor([1, NaN]).isnan().any().item()).toBe(true);
    expect(torch.tensor([1, 2]).gt(1).all().item()).toBe(false);
    expect(torch.tensor([[true]], { dtype: "bool" }).item()).toBe(true);
  });

  it("item() of other dtypes is still a number", () => {
    expect(torch.tensor(2.5).item()).toBe(2.5);
    expect(torch.tensor(3, { dtype: "int64" }).item()).toBe(3);
    expect(torch.tensor([1, 2]).sum().item()).toBe(3);
  });

  it("tolist() of a bool tensor gives booleans, at every depth", () => {
    expect(torch.tensor(true, { dtype: "bool" }).tolist()).toBe(true);
    expect(torch.tensor([[1, 0], [0, 1]]).eq(1).tolist()).toEqual([[true, false], [false, true]]);
  });

  it("type-checks as a boolean and as a number (PyTorch's Number)", () => {
    // both compile under `npm run typecheck`: `=== true` (refused for a `number`) and number methods
    const ok: boolean = torch.tensor([1, 2]).gt(0).all().item() === true;
    const s: string = torch.tensor(0.25).item().toFixed(2);
    let total = 0;
    total += torch.tensor(1.5).item();
    expect([ok, s, total]).toEqual([true, "0.25", 1.5]);
  });

  it("a bool tensor still counts as 1/0 in arithmetic, as Python's True + 1", () => {
    expect(+torch.tensor(true, { dtype: "bool" }) + 1).toBe(2);
  });
});
