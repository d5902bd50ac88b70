import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";

describe("norm in float32 overflows as PyTorch's does", () => {
  it("gives inf when the sum of squares passes float32's range, a finite value in float64", () => {
    // PyTorch 2.13: torch.tensor([3e20, 1.0]).norm() -> tensor(inf); in float64 -> 3e20.
    expect(torch.tensor([3e20, 1]).norm().item()).toBe(Infinity);
    expect(torch.tensor([3e20, 1], { dtype: "float64" }).norm().item()).toBeCloseTo(3e20, -10);
    // Below the limit nothing changes: sqrt(3e18^2 * 10) stays finite in float32.
    expect(Number.isFinite(torch.full([10], 3e18).norm().item())).toBe(true);
  });
});
