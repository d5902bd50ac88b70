/**
 * torch.cat / concat / concatenate / stack take `dim` positionally or as Python's keyword in an
 * options object, `cat(tensors, { dim: 1 })`, as sum(x, { dim }) does (kernel/src/tensor/views.ts).
 * PyTorch 2.13: torch.cat([B, B], dim=1) == torch.cat([B, B], 1); torch.stack([B, B], dim=1).
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/tensor/index";

const B = () => torch.tensor([[1, 2], [3, 4]]);

describe("cat and stack: { dim }", () => {
  it("cat(tensors, { dim }) is cat(tensors, dim), for cat, concat and concatenate", () => {
    // torch.cat([B, B], dim=1) -> [[1, 2, 1, 2], [3, 4, 3, 4]]
    for (const f of [torch.cat, torch.concat, torch.concatenate]) {
      expect(f([B(), B()], { dim: 1 }).tolist()).toEqual([[1, 2, 1, 2], [3, 4, 3, 4]]);
      expect(f([B(), B()], { dim: -2 }).tolist()).toEqual(f([B(), B()], 0).tolist());
      expect(f([B(), B()], {}).tolist()).toEqual([[1, 2], [3, 4], [1, 2], [3, 4]]);
    }
  });

  it("stack(tensors, { dim }) is stack(tensors, dim)", () => {
    // torch.stack([B, B], dim=1) -> [[[1, 2], [1, 2]], [[3, 4], [3, 4]]]
    expect(torch.stack([B(), B()], { dim: 1 }).tolist()).toEqual([[[1, 2], [1, 2]], [[3, 4], [3, 4]]]);
    expect(torch.stack([B(), B()], { dim: 1 }).tolist()).toEqual(torch.stack([B(), B()], 1).tolist());
  });

  it("the gradient flows as for the positional dim", () => {
    const a = torch.tensor([[1, 2]], { requires_grad: true });
    torch.cat([a, a], { dim: 1 }).mul(torch.tensor([[1, 2, 3, 4]])).sum().backward();
    expect(a.grad!.tolist()).toEqual([[4, 6]]);
  });

  it("another keyword is refused, naming it", () => {
    expect(() => torch.cat([B(), B()], { axis: 1 } as never)).toThrow("cat() got an unexpected keyword argument 'axis' (allowed: dim)");
    expect(() => torch.stack([B(), B()], { dims: 1 } as never)).toThrow("stack() got an unexpected keyword argument 'dims' (allowed: dim)");
  });

  it("tolist() is typed so that its array use type-checks (its value is unchanged)", () => {
    const rows = B().tolist();
    expect(rows.length).toBe(2);
    expect(rows[1][0]).toBe(3);
    expect(torch.tensor(5).tolist() + 1).toBe(6);
  });
});
