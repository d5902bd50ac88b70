/**
 * A Tensor as a dataset, and datasets as iterables (kernel/src/data/dataset.ts). PyTorch takes any
 * sized indexable as a dataset (`random_split(torch.arange(10), [7, 3])`, `DataLoader(t)`), which
 * lrlab's types refused (a Tensor is not DatasetLike) and its run time too (no `length`); and
 * `list(subset)` works in Python, where `[...subset]` was "not iterable".
 *
 * What PyTorch 2.13 printed for the same code is quoted beside the checks.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import type { Tensor } from "../../kernel/src/tensor/tensor";

const { random_split, Subset, TensorDataset, DataLoader } = torch.utils.data;

describe("a Tensor as a dataset", () => {
  it("is split by random_split into Subsets of its rows, with PyTorch's draw", () => {
    const [a, b] = random_split(torch.arange(10), [7, 3], new torch.Generator().manual_seed(42));
    // a.indices, b.indices: [2, 6, 1, 8, 4, 5, 0] [9, 3, 7]
    expect(a.indices).toEqual([2, 6, 1, 8, 4, 5, 0]);
    expect(b.indices).toEqual([9, 3, 7]);
    // a[0]: tensor(2), a Tensor (t[i], 0-d for a 1-d tensor)
    const first: Tensor = a.get(0);
    expect(first.shape).toEqual([]);
    expect(first.item()).toBe(2);
    // list(DataLoader(b, batch_size=2)): [tensor([9, 3]), tensor([7])]
    expect([...new DataLoader(b, { batch_size: 2 })].map((t) => (t as Tensor).tolist())).toEqual([[9, 3], [7]]);
  });

  it("has t.shape[0] items, rows of t; a 0-d tensor has no length", () => {
    // list(DataLoader(torch.arange(6).view(3, 2), batch_size=2)): [tensor([[0, 1], [2, 3]]), tensor([[4, 5]])]
    const batches = [...new DataLoader(torch.arange(6).view(3, 2), { batch_size: 2 })] as Tensor[];
    expect(batches.map((t) => t.tolist())).toEqual([[[0, 1], [2, 3]], [[4, 5]]]);
    // random_split(torch.tensor(3.), [1]): TypeError len() of a 0-d tensor
    expect(() => random_split(torch.tensor(3.0), [1])).toThrow("len() of a 0-d tensor");
  });
});

describe("datasets iterate over their items", () => {
  const ds = new TensorDataset(torch.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]), torch.tensor([10.0, 11.0, 12.0]));
  const values = (items: Iterable<Tensor[]>): number[][][] => [...items].map((s) => s.map((t) => t.tolist() as number[]));

  it("a Subset, in its indices' order", () => {
    // list(Subset(ds, [2, 0])): [(tensor([4., 5.]), tensor(12.)), (tensor([0., 1.]), tensor(10.))]
    expect(values(new Subset(ds, [2, 0]))).toEqual([[[4, 5], 12], [[0, 1], 10]] as unknown as number[][][]);
    // list(a) of the split above: [tensor(2), tensor(6), tensor(1), tensor(8), tensor(4), tensor(5), tensor(0)]
    const [a] = random_split(torch.arange(10), [7, 3], new torch.Generator().manual_seed(42));
    expect([...a].map((t) => t.item())).toEqual([2, 6, 1, 8, 4, 5, 0]);
  });

  it("a TensorDataset, and a user's Dataset", () => {
    // list(ds): [(tensor([0., 1.]), tensor(10.)), (tensor([2., 3.]), tensor(11.)), (tensor([4., 5.]), tensor(12.))]
    expect(values(ds)).toEqual([[[0, 1], 10], [[2, 3], 11], [[4, 5], 12]] as unknown as number[][][]);
    class Squares extends torch.utils.data.Dataset<number> {
      readonly length = 4;
      get(i: number): number {
        return i * i;
      }
    }
    expect([...new Squares()]).toEqual([0, 1, 4, 9]);
  });
});
