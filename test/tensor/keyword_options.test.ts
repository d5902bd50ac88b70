/**
 * PyTorch's keyword arguments as the trailing options object, where each call below used to give
 * a silently wrong result (the kwsweep found them): an options object in a boolean slot counted as
 * `true`, one in a number slot was read as NaN, a keyword PyTorch has was ignored, positional
 * arguments were dropped. PyTorch's answers are quoted from torch 2.13, with
 *   x = torch.tensor([[3., 1., 2.], [0., 5., 4.]])
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";

const x = () => torch.tensor([[3, 1, 2], [0, 5, 4]]);
const long = (a: number[] | number[][]) => torch.tensor(a, { dtype: torch.int64 });

describe("an options object in a boolean slot is read as keywords, not as true", () => {
  it("sort / argsort: torch.sort(x, 1, descending=False) sorts ascending", () => {
    // torch.sort(x, 1, descending=False).values -> [[1, 2, 3], [0, 4, 5]]
    expect(torch.sort(x(), 1, { descending: false }).values.tolist()).toEqual([[1, 2, 3], [0, 4, 5]]);
    expect(x().sort(1, { descending: false }).values.tolist()).toEqual([[1, 2, 3], [0, 4, 5]]);
    expect(torch.sort(x(), 1, { stable: true }).values.tolist()).toEqual([[1, 2, 3], [0, 4, 5]]);
    // torch.argsort(x, 1, descending=False) -> [[1, 2, 0], [0, 2, 1]]
    expect(torch.argsort(x(), 1, { descending: false }).tolist()).toEqual([[1, 2, 0], [0, 2, 1]]);
    expect(torch.argsort(x(), 1, { descending: true }).tolist()).toEqual([[0, 2, 1], [1, 2, 0]]);
  });

  it("topk: torch.topk(x, 2, 1, largest=False) gives the smallest", () => {
    // torch.topk(x, 2, 1, largest=False).values -> [[1, 2], [0, 4]]
    expect(torch.topk(x(), 2, 1, { largest: false }).values.tolist()).toEqual([[1, 2], [0, 4]]);
    expect(x().topk(2, 1, true, { sorted: true }).values.tolist()).toEqual([[3, 2], [5, 4]]);
  });

  it("kthvalue and norm: keepdim=False drops the dim", () => {
    // torch.kthvalue(x, 2, 1, keepdim=False).values -> [2., 4.]
    expect(torch.kthvalue(x(), 2, 1, { keepdim: false }).values.tolist()).toEqual([2, 4]);
    // torch.norm(x, 1, 1, keepdim=False) -> [6., 9.]
    expect(torch.norm(x(), 1, 1, { keepdim: false }).tolist()).toEqual([6, 9]);
    expect(x().norm(1, { dim: 1, keepdim: true }).shape).toEqual([2, 1]);
  });

  it("put / put_: accumulate=False writes", () => {
    // torch.put(torch.zeros(3), torch.tensor([0, 0]), torch.tensor([1., 2.]), accumulate=False) -> [2., 0., 0.]
    // (accumulate=True -> [3., 0., 0.])
    const ix = long([0, 0]);
    expect(torch.put(torch.zeros(3), ix, torch.tensor([1, 2]), { accumulate: false }).tolist()).toEqual([2, 0, 0]);
    expect(torch.zeros(3).put_(ix, torch.tensor([1, 2]), { accumulate: false }).tolist()).toEqual([2, 0, 0]);
    expect(torch.zeros(3).put_(ix, torch.tensor([1, 2]), { accumulate: true }).tolist()).toEqual([3, 0, 0]);
  });

  it("requires_grad_(requires_grad=False) stores false, not the object", () => {
    expect(torch.zeros(3).requires_grad_({ requires_grad: false }).requires_grad).toBe(false);
    expect(torch.zeros(3).requires_grad_().requires_grad).toBe(true);
  });

  it("refuses an unknown keyword or an object where a value goes, naming it", () => {
    expect(() => torch.sort(x(), { zzz: 1 } as never)).toThrow("sort() got an unexpected keyword argument 'zzz' (allowed: dim, descending, stable)");
    expect(() => torch.topk(x(), 2, { dim: 1, largst: false } as never)).toThrow(/topk\(\) got an unexpected keyword argument 'largst'.*did you mean 'largest'/);
    expect(() => torch.sort(x(), { dim: 1 }, true)).toThrow("sort(): argument 'dim' must be a number, not object");
    expect(() => torch.zeros(3).requires_grad_({ grad: true } as never)).toThrow("requires_grad_() got an unexpected keyword argument 'grad'");
    expect(() => torch.put(torch.zeros(3), long([0]), torch.tensor([1]), { acc: true } as never)).toThrow("put() got an unexpected keyword argument 'acc'");
  });
});

describe("an options object in a number slot is read as keywords, not as NaN", () => {
  it("masked_fill_ / masked_fill(value=0)", () => {
    // x.masked_fill_(x > 2, value=0) -> [[0, 1, 2], [0, 0, 0]]
    const m = x().gt(2);
    expect(x().masked_fill_(m, { value: 0 }).tolist()).toEqual([[0, 1, 2], [0, 0, 0]]);
    expect(x().masked_fill(m, { value: 0 }).tolist()).toEqual([[0, 1, 2], [0, 0, 0]]);
    expect(() => x().masked_fill_(m, { vale: 0 } as never)).toThrow("masked_fill_() got an unexpected keyword argument 'vale' (allowed: value)");
  });

  it("full_like(fill_value=2) and new_full(fill_value=3)", () => {
    // torch.full_like(x, fill_value=2) -> all 2.; x.new_full([2], fill_value=3) -> [3., 3.]
    expect(torch.full_like(x(), { fill_value: 2 }).tolist()).toEqual([[2, 2, 2], [2, 2, 2]]);
    expect(torch.full_like(x(), { fill_value: 2, dtype: torch.int64 }).dtype).toBe("int64");
    expect(x().new_full([2], { fill_value: 3 }).tolist()).toEqual([3, 3]);
    expect(() => torch.full_like(x(), { value: 2 } as never)).toThrow("full_like() missing required argument 'fill_value'");
    expect(() => x().new_full([2], "3" as never)).toThrow("new_full(): argument 'fill_value' must be a number or a boolean");
  });
});

describe("keywords PyTorch has are honoured", () => {
  it("reductions take dim / keepdim and PyTorch's numpy aliases axis / keepdims", () => {
    // torch.sum(x, axis=1) -> [6., 9.]; torch.sum(x, dim=1, keepdims=True) -> [[6.], [9.]]
    // torch.mean(x, axis=1) -> [2., 3.]; torch.prod(x, axis=1) -> [6., 0.]
    // torch.var(x, axis=1, keepdims=True) -> [[1.], [7.]]; torch.std(x, axis=1) -> [1.0000, 2.6458]
    // torch.all(x > 0, axis=1) -> [True, False]; torch.any(x > 0, axis=1) -> [True, True]
    // torch.sort(x, axis=0).indices -> [[1, 0, 0], [0, 1, 1]]; torch.amax(x, axis=0) -> [3., 5., 4.]
    expect(torch.sum(x(), { axis: 1 }).tolist()).toEqual([6, 9]);
    expect(torch.sum(x(), { dim: 1, keepdims: true }).tolist()).toEqual([[6], [9]]);
    expect(x().sum({ axis: 1 }).tolist()).toEqual([6, 9]);
    expect(torch.mean(x(), { axis: 1 }).tolist()).toEqual([2, 3]);
    expect(torch.prod(x(), { axis: 1 }).tolist()).toEqual([6, 0]);
    expect(torch.var(x(), { axis: 1, keepdims: true }).tolist()).toEqual([[1], [7]]);
    expect(torch.std(x(), { axis: 1 }).tolist()[1]).toBeCloseTo(2.6458, 4);
    expect(torch.all(x().gt(0), { axis: 1 }).tolist()).toEqual([true, false]);
    expect(torch.any(x().gt(0), { axis: 1 }).tolist()).toEqual([true, true]);
    expect(torch.sort(x(), { axis: 0 }).indices.tolist()).toEqual([[1, 0, 0], [0, 1, 1]]);
    expect(torch.amax(x(), { axis: 0 }).tolist()).toEqual([3, 5, 4]);
  });

  it("refuses axis given with dim (PyTorch's message), unknown keys, and axis where PyTorch has none", () => {
    // torch.sum(x, dim=1, axis=1) -> TypeError: sum() got an unexpected keyword argument 'axis'
    // torch.norm(x, axis=0) -> TypeError: norm() got an unexpected keyword argument 'axis'
    expect(() => torch.sum(x(), { dim: 1, axis: 1 })).toThrow("sum() got an unexpected keyword argument 'axis'");
    expect(() => torch.sum(x(), { zzz: 1, dim: 1 } as never)).toThrow("sum() got an unexpected keyword argument 'zzz' (allowed: dim, keepdim, dtype)");
    expect(() => torch.mean(x(), { dim: 1, keepdm: true } as never)).toThrow(/mean\(\) got an unexpected keyword argument 'keepdm'.*did you mean 'keepdim'/);
    expect(() => torch.var(x(), { zzz: 1, dim: 1 } as never)).toThrow("var() got an unexpected keyword argument 'zzz'");
    expect(() => torch.all(x().gt(0), { dim: 1, dtype: torch.float32 } as never)).toThrow("all() got an unexpected keyword argument 'dtype' (allowed: dim, keepdim)");
    expect(() => torch.norm(x(), { axis: 0 } as never)).toThrow("norm() got an unexpected keyword argument 'axis'");
    expect(() => torch.sum(x(), 1, "yes" as never)).toThrow("sum(): argument 'keepdim' must be bool, not string");
  });

  it("scatter's reduce='add' / 'multiply' (tensor or scalar src), in place too", () => {
    // x = torch.ones(2, 3); idx = torch.tensor([[0, 0], [1, 0]]); src = torch.tensor([[2., 3.], [4., 5.]])
    // torch.scatter(x, 1, idx, src, reduce='add')      -> [[6, 1, 1], [6, 5, 1]]
    // torch.scatter(x, 1, idx, src, reduce='multiply') -> [[6, 1, 1], [5, 4, 1]]
    // torch.scatter(x, 1, idx, 2.0, reduce='add')      -> [[5, 1, 1], [3, 3, 1]]
    // torch.scatter(x, 1, idx, 2.0, reduce='multiply') -> [[4, 1, 1], [2, 2, 1]]
    // torch.scatter(x, 1, idx, src, reduce='sum')      -> RuntimeError: reduce argument must be either add or multiply.
    // with x.requires_grad: backward -> RuntimeError: derivative for aten::scatter is not implemented
    const ones = () => torch.ones(2, 3);
    const idx = long([[0, 0], [1, 0]]);
    const src = torch.tensor([[2, 3], [4, 5]]);
    expect(torch.scatter(ones(), 1, idx, src, { reduce: "add" }).tolist()).toEqual([[6, 1, 1], [6, 5, 1]]);
    expect(torch.scatter(ones(), 1, idx, src, { reduce: "multiply" }).tolist()).toEqual([[6, 1, 1], [5, 4, 1]]);
    expect(torch.scatter(ones(), 1, idx, 2, { reduce: "add" }).tolist()).toEqual([[5, 1, 1], [3, 3, 1]]);
    expect(torch.scatter(ones(), 1, idx, 2, { reduce: "multiply" }).tolist()).toEqual([[4, 1, 1], [2, 2, 1]]);
    expect(ones().scatter_(1, idx, src, { reduce: "add" }).tolist()).toEqual([[6, 1, 1], [6, 5, 1]]);
    expect(ones().scatter(1, idx, src).tolist()).toEqual([[3, 1, 1], [5, 4, 1]]);
    expect(() => torch.scatter(ones(), 1, idx, src, { reduce: "sum" } as never)).toThrow("reduce argument must be either add or multiply");
    expect(() => ones().scatter_(1, idx, src, { reduc: "add" } as never)).toThrow("scatter_() got an unexpected keyword argument 'reduc'");
    const a = ones().requires_grad_();
    expect(() => torch.scatter(a, 1, idx, src, { reduce: "add" }).sum().backward()).toThrow("derivative for aten::scatter is not implemented");
  });

  it("new_zeros / new_ones / new_full take dtype (and sizes as PyTorch's varargs)", () => {
    // x.new_zeros([2], dtype=torch.int64) -> tensor([0, 0]); x.new_full([2], 3, dtype=torch.int64) -> tensor([3, 3])
    // x.new_zeros(2, 3).shape -> [2, 3]; x.new_zeros([2], foo=1) -> TypeError: new_zeros() got an unexpected keyword argument 'foo'
    expect(x().new_zeros([2], { dtype: torch.int64 }).dtype).toBe("int64");
    expect(x().new_ones([2], { dtype: torch.int64 }).tolist()).toEqual([1, 1]);
    expect(x().new_ones([2], { dtype: torch.int64 }).dtype).toBe("int64");
    expect(x().new_full([2], 3, { dtype: torch.int64 }).dtype).toBe("int64");
    expect(x().new_zeros(2, 3).shape).toEqual([2, 3]);
    expect(x().new_ones([2], { requires_grad: true }).requires_grad).toBe(true);
    expect(long([1]).new_zeros([2]).dtype).toBe("int64");
    expect(() => x().new_zeros([2], { foo: 1 } as never)).toThrow("new_zeros() got an unexpected keyword argument 'foo'");
  });
});

describe("positional arguments PyTorch takes are not dropped", () => {
  it("isclose / allclose(a, b, rtol, atol, equal_nan)", () => {
    // a = torch.tensor([1., 2.]); b = torch.tensor([1.5, 2.])
    // torch.isclose(a, b, 10, 0) -> [True, True]; torch.allclose(a, b, 0.1) -> False
    // torch.isclose(a, b, 0, 0, True) -> [False, True]
    const a = torch.tensor([1, 2]);
    const b = torch.tensor([1.5, 2]);
    expect(torch.isclose(a, b, 10, 0).tolist()).toEqual([true, true]);
    expect(a.isclose(b, 10).tolist()).toEqual([true, true]);
    expect(torch.allclose(a, b, 0.1)).toBe(false);
    expect(torch.allclose(a, b, 1)).toBe(true);
    expect(torch.isclose(a, b, 0, 0, true).tolist()).toEqual([false, true]);
    expect(torch.isclose(a, b, { rtol: 10 }).tolist()).toEqual([true, true]);
    expect(() => torch.isclose(a, b, { rtoll: 1 } as never)).toThrow(/isclose\(\) got an unexpected keyword argument 'rtoll'.*did you mean 'rtol'/);
  });

  it("unique(v, sorted, return_inverse, return_counts) / unique_consecutive(v, return_inverse, return_counts) return the tuple", () => {
    // v = torch.tensor([3, 1, 1, 2])
    // torch.unique(v, True, True, True) -> ([1, 2, 3], [2, 0, 0, 1], [2, 1, 1])
    // torch.unique_consecutive(v, True, True) -> ([3, 1, 2], [0, 1, 1, 2], [1, 2, 1])
    // torch.unique(v, True, True, True, 0, 1) -> TypeError: ... takes from 1 to 5 positional arguments but 6 were given
    const v = long([3, 1, 1, 2]);
    expect(torch.unique(v, true, true, true).map((t) => t.tolist())).toEqual([[1, 2, 3], [2, 0, 0, 1], [2, 1, 1]]);
    expect(v.unique(true, true).map((t) => t.tolist())).toEqual([[1, 2, 3], [2, 0, 0, 1]]);
    expect(torch.unique_consecutive(v, true, true).map((t) => t.tolist())).toEqual([[3, 1, 2], [0, 1, 1, 2], [1, 2, 1]]);
    expect(() => torch.unique(v, true, true, true, 0, 1 as never)).toThrow("unique() takes at most 4 optional positional arguments");
  });
});
