/**
 * A tensor iterates over its slices along dim 0, as PyTorch's (`for row in t`, `list(t)`,
 * `a, b = t`): `for (const row of t)`, `[...t]`, `Array.from(t)`, `const [a, b] = t`. Each slice is
 * a view (a write through it reaches the tensor) and carries the gradient; a 0-d tensor is not
 * iterable (PyTorch: TypeError "iteration over a 0-d tensor"). Where PyTorch refuses a tensor for
 * a list of parameters by name, so does lrlab, although a tensor is now an iterable.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";

describe("iterating a tensor", () => {
  it("gives its rows, in order, as views of it", () => {
    const t = torch.tensor([[1, 2, 3], [4, 5, 6]]);
    const rows: number[][] = [];
    for (const row of t) {
      expect(row.shape).toEqual([3]);
      rows.push(row.tolist() as number[]);
    }
    expect(rows).toEqual([[1, 2, 3], [4, 5, 6]]);
    // a view: a write through a row is a write to t (PyTorch: `for r in t: r.mul_(10)` changes t)
    for (const row of t) row.mul_(10);
    expect(t.tolist()).toEqual([[10, 20, 30], [40, 50, 60]]);
  });

  it("spreads, destructures and converts: 0-d tensors from a 1-d one", () => {
    const v = torch.tensor([7, 8, 9]);
    const items = [...v];
    expect(items.length).toBe(3);
    expect(items.map((x) => x.dim())).toEqual([0, 0, 0]);
    expect(items.map((x) => x.item())).toEqual([7, 8, 9]);
    const [a, b] = torch.tensor([[1, 2], [3, 4]]);
    expect([a.tolist(), b.tolist()]).toEqual([[1, 2], [3, 4]]);
    expect(Array.from(torch.zeros(5, 2)).length).toBe(5);
    expect([...torch.zeros(0, 4)]).toEqual([]);
  });

  it("carries the gradient through each slice", () => {
    const w = torch.tensor([[1, 2], [3, 4], [5, 6]], { requires_grad: true });
    let loss = torch.tensor(0);
    let k = 1;
    // the k-th row weighted by k: d(loss)/dw = [[1, 1], [2, 2], [3, 3]]
    for (const row of w) loss = loss.add(row.sum().mul(k++));
    loss.backward();
    expect(w.grad!.tolist()).toEqual([[1, 1], [2, 2], [3, 3]]);
  });

  it("a 0-d tensor is not iterable: TypeError, as PyTorch", () => {
    expect(() => [...torch.tensor(3)]).toThrow(TypeError);
    expect(() => [...torch.tensor(3)]).toThrow("iteration over a 0-d tensor");
  });

  it("is still not a list of parameters where PyTorch says so", () => {
    const p = new torch.nn.Parameter(torch.zeros(2, 2));
    expect(() => new torch.optim.SGD(p as never, { lr: 0.1 })).toThrow(/iterable of Tensors or dicts, but got/);
    expect(() => new torch.nn.ParameterList().extend(p as never)).toThrow("ParameterList.extend should be called with an iterable, but got Parameter");
  });

  it("leaves the tests' toEqual comparing tensors by their fields (test/setup/tensor_equality.ts)", () => {
    expect(torch.tensor([1, 2])).toEqual(torch.tensor([1, 2]));
    expect(torch.tensor([1, 2])).not.toEqual(torch.tensor([1, 3]));
    expect(torch.tensor([[1, 2]])).not.toEqual(torch.tensor([1, 2]));
    expect({ w: torch.tensor(0.5) }).toEqual({ w: torch.tensor(0.5) });
    expect({ w: torch.tensor(0.5) }).not.toEqual({ w: torch.tensor(0.25) });
  });
});
