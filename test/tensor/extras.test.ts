import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/tensor/index";

describe("values of cumulative, rearranging and sorting ops", () => {
  const x = torch.tensor([[3, 1, 2], [0, 5, 4]]);
  it("cumsum/cumprod", () => {
    expect(x.cumsum(1).tolist()).toEqual([[3, 4, 6], [0, 5, 9]]);
    expect(x.cumprod(0).tolist()).toEqual([[3, 1, 2], [0, 5, 8]]);
    expect(torch.tensor([1, 2], { dtype: "int64" }).cumsum(0).dtype).toBe("int64");
  });
  it("flip/repeat/tril/triu", () => {
    expect(x.flip(1).tolist()).toEqual([[2, 1, 3], [4, 5, 0]]);
    expect(x.flip([0, 1]).tolist()).toEqual([[4, 5, 0], [2, 1, 3]]);
    expect(torch.tensor([1, 2]).repeat(2, 2).tolist()).toEqual([[1, 2, 1, 2], [1, 2, 1, 2]]);
    expect(torch.ones(3, 3).tril().tolist()).toEqual([[1, 0, 0], [1, 1, 0], [1, 1, 1]]);
    expect(torch.ones(2, 3).triu(1).tolist()).toEqual([[0, 1, 1], [0, 0, 1]]);
  });
  it("sort/argsort/topk (stable, NaN last)", () => {
    const s = torch.tensor([2, NaN, 1, 2, 0]).sort();
    expect(s.values.tolist()).toEqual([0, 1, 2, 2, NaN]);
    expect(s.indices.tolist()).toEqual([4, 2, 0, 3, 1]);
    const [v, i] = x.sort(1, true);
    expect(v.tolist()).toEqual([[3, 2, 1], [5, 4, 0]]);
    expect(i.tolist()).toEqual([[0, 2, 1], [1, 2, 0]]);
    expect(x.argsort(0).tolist()).toEqual([[1, 0, 0], [0, 1, 1]]);
    expect(x.topk(2).values.tolist()).toEqual([[3, 2], [5, 4]]);
    expect(x.topk(1, 1, false).indices.tolist()).toEqual([[1], [0]]);
    expect(() => x.topk(4)).toThrow("selected index k out of range (k = 4, size of dim 1 = 3)");
  });
  it("max along a dim destructures like PyTorch's named tuple", () => {
    const [values, indices] = x.max(1);
    expect(values.tolist()).toEqual([3, 5]);
    expect(indices.tolist()).toEqual([0, 1]);
    expect(x.min(0).indices.tolist()).toEqual([1, 0, 0]);
    expect(x.argmax().item()).toBe(4);
  });
  it("comparisons, predicates and closeness", () => {
    expect(x.eq(2).tolist()).toEqual([[false, false, true], [false, false, false]]);
    expect(x.ge(torch.tensor([1, 5, 4])).tolist()).toEqual([[true, false, false], [false, true, true]]);
    expect(torch.tensor([1, NaN, Infinity]).isfinite().tolist()).toEqual([true, false, false]);
    expect(torch.tensor([1, NaN]).isnan().any().item()).toBe(true);
    expect(x.gt(-1).all().item()).toBe(true);
    expect(torch.equal(x, x.clone())).toBe(true);
    expect(torch.equal(x, x.view(3, 2))).toBe(false);
    expect(torch.allclose(torch.tensor([1, 2]), torch.tensor([1 + 1e-7, 2]))).toBe(true);
    expect(torch.allclose(torch.tensor([1, 2]), torch.tensor([1.1, 2]))).toBe(false);
    expect(torch.allclose(torch.tensor([NaN]), torch.tensor([NaN]), { equal_nan: true })).toBe(true);
  });
  it("index() mirrors Python indexing", () => {
    const t = torch.arange(24, { dtype: "float32" }).reshape(2, 3, 4);
    expect(t.index(0, "1:3").tolist()).toEqual([[4, 5, 6, 7], [8, 9, 10, 11]]);
    expect(t.index(null, -1, "::2").tolist()).toEqual([[8, 10], [20, 22]]);
    expect(t.index("...", -1).shape).toEqual([2, 3]);
    expect(t.index(1, "-2:", "1:-1").tolist()).toEqual([[17, 18], [21, 22]]);
    expect(t.index(0, "5:").shape).toEqual([0, 4]);
    expect(t.index(torch.tensor([1, 1], { dtype: "int64" })).shape).toEqual([2, 3, 4]);
    expect(t.index(t.gt(21)).tolist()).toEqual([22, 23]);
  });
  it("split/chunk sizes as PyTorch", () => {
    const v = torch.arange(5);
    expect(v.split(2).map((p) => p.tolist())).toEqual([[0, 1], [2, 3], [4]]);
    expect(v.chunk(3).map((p) => p.tolist())).toEqual([[0, 1], [2, 3], [4]]);
    expect(torch.arange(6).chunk(4).map((p) => p.shape[0])).toEqual([2, 2, 2]);
  });
});

describe("erf, nonzero, count_nonzero", () => {
  it("erf matches reference values and has the right gradient", () => {
    const x = torch.tensor([0, 0.5, -1, 2, 3.5], { dtype: "float64" });
    const ref = [0, 0.5204998778130465, -0.8427007929497149, 0.9953222650189527, 0.9999992569016276];
    (x.erf().tolist() as number[]).forEach((v, i) => expect(v).toBeCloseTo(ref[i], 14));
  });
  it("nonzero and count_nonzero", () => {
    const x = torch.tensor([[0, 1, 0], [2, 0, 3]]);
    expect(x.nonzero().tolist()).toEqual([[0, 1], [1, 0], [1, 2]]);
    expect(x.nonzero().dtype).toBe("int64");
    expect(x.count_nonzero().item()).toBe(3);
    expect(torch.count_nonzero(x, 0).tolist()).toEqual([1, 1, 1]);
  });
});
