/**
 * flatten's keyword form: Python's `torch.flatten(x, start_dim=1)` as `torch.flatten(x, { start_dim: 1 })`
 * (and the method), as argmax({ dim }) takes one; it was a type error with no hint (a porter's pass).
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";

describe("flatten({ start_dim, end_dim })", () => {
  it("is flatten(start_dim, end_dim)", () => {
    const x = torch.randn([2, 3, 4, 5]);
    expect(torch.flatten(x, { start_dim: 1 }).shape).toEqual([2, 60]);
    expect(x.flatten({ start_dim: 1, end_dim: 2 }).shape).toEqual([2, 12, 5]);
    expect(x.flatten({ end_dim: 1 }).shape).toEqual([6, 4, 5]);
    expect(torch.flatten(x, { start_dim: 1 }).tolist()).toEqual(torch.flatten(x, 1).tolist());
  });
  it("an unknown key is PyTorch's unexpected keyword argument", () => {
    expect(() => torch.flatten(torch.randn([2, 3]), { start: 1 } as never)).toThrow("flatten() got an unexpected keyword argument 'start' (valid: start_dim, end_dim)");
  });
});
