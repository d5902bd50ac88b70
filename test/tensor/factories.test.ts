import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/tensor/index";
// the library's own helper (not a PyTorch name, so not torch.from_array)
import { from_array } from "../../kernel/src/tensor/factories";

describe("factories", () => {
  it("tensor(): numbers default to float32, booleans to bool, dtype and requires_grad options", () => {
    const t = torch.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.dtype).toBe("float32");
    expect(t.shape).toEqual([2, 3]);
    expect(t.tolist()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(torch.tensor([true, false]).dtype).toBe("bool");
    expect(torch.tensor([true, false]).tolist()).toEqual([true, false]);
    const i = torch.tensor([1.7, -2.7], { dtype: "int64" });
    expect(i.tolist()).toEqual([1, -2]);
    expect(torch.tensor(3.5).shape).toEqual([]);
    expect(torch.tensor(3.5).item()).toBe(3.5);
    expect(torch.tensor([[]]).shape).toEqual([1, 0]);
    const r = torch.tensor([1, 2], { requires_grad: true, dtype: torch.float64 });
    expect(r.requires_grad && r.is_leaf && r.dtype === "float64").toBe(true);
    expect(torch.tensor([0.1]).data[0]).toBe(Math.fround(0.1));
  });
  it("tensor() rejects ragged and non-numeric data", () => {
    expect(() => torch.tensor([[1, 2], [3]])).toThrow("expected sequence of length 2 at dim 1 (got 1)");
    expect(() => torch.tensor([[1, 2], 3] as never)).toThrow(/expected sequence of length 2 at dim 1/);
    expect(() => torch.tensor(["a"] as never)).toThrow(/expected a number or boolean/);
    expect(() => torch.tensor([1], { dtype: "float16" as never })).toThrow(/unsupported dtype "float16"; allowed: "float32", "float64", "int64", "int32", "int16", "int8", "uint8", "bool"/);
    expect(() => torch.tensor([1], { requires_grad: "yes" as never })).toThrow(/requires_grad must be a boolean/);
  });
  it("zeros/ones/empty/full take sizes as PyTorch does", () => {
    expect(torch.zeros(2, 3).shape).toEqual([2, 3]);
    expect(torch.zeros([2, 3]).shape).toEqual([2, 3]);
    expect(torch.zeros().shape).toEqual([]);
    const o = torch.ones(2, 2, { dtype: "float64", requires_grad: true });
    expect(o.dtype).toBe("float64");
    expect(o.requires_grad).toBe(true);
    expect(Array.from(o.data)).toEqual([1, 1, 1, 1]);
    expect(torch.empty([3]).shape).toEqual([3]);
    expect(torch.full([2], 7).tolist()).toEqual([7, 7]);
    expect(torch.full([2], 7).dtype).toBe("float32");
    expect(torch.full([1], true).dtype).toBe("bool");
    expect(() => torch.zeros(2, -1)).toThrow("zeros: Dimension size must be non-negative. (got size [2, -1])");
    expect(() => torch.ones(2, -1)).toThrow(/negative dimension -1/);
    expect(() => torch.zeros(2.5)).toThrow("zeros(): argument 'size' (position 1) must be tuple of ints, not float (got 2.5)");
    // PyTorch's words, then the size as written (JSON.stringify wrote NaN and Infinity as null: "got [null,2]")
    expect(() => torch.zeros([NaN, 2])).toThrow("zeros(): argument 'size' (position 1) must be tuple of ints, but found element of type float at pos 0 (got [NaN, 2])");
    expect(() => torch.empty([3, Infinity])).toThrow(`empty(): argument 'size' failed to unpack the object at pos 2 with error "type must be tuple of ints,but got float" (got [3, Infinity])`);
    expect(() => torch.ones([2, "3"] as never)).toThrow(`ones(): argument 'size' failed to unpack the object at pos 2 with error "type must be tuple of ints,but got str" (got [2, "3"])`);
    expect(() => torch.zeros(2, { dtyp: "float64" } as never)).toThrow(/unexpected keyword argument 'dtyp'/);
  });
  it("*_like copy shape and dtype", () => {
    const x = torch.tensor([[1, 2]], { dtype: "float64" });
    expect(torch.zeros_like(x).dtype).toBe("float64");
    expect(torch.ones_like(x).tolist()).toEqual([[1, 1]]);
    expect(torch.full_like(x, 3, { dtype: "int64" }).tolist()).toEqual([[3, 3]]);
    expect(torch.empty_like(x).shape).toEqual([1, 2]);
  });
  it("arange, linspace, eye", () => {
    expect(torch.arange(5).tolist()).toEqual([0, 1, 2, 3, 4]);
    expect(torch.arange(5).dtype).toBe("int64");
    expect(torch.arange(1, 2, 0.25).dtype).toBe("float32");
    expect(torch.arange(1, 2, 0.25).tolist()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(torch.arange(5, 0, -2).tolist()).toEqual([5, 3, 1]);
    expect(torch.arange(3, { dtype: "float64" }).dtype).toBe("float64");
    expect(() => torch.arange(0, 5, -1)).toThrow(/upper bound and lower bound inconsistent with step sign/);
    expect(torch.linspace(0, 1, 5).tolist()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(torch.linspace(2, 2, 1).tolist()).toEqual([2]);
    expect(torch.eye(2).tolist()).toEqual([[1, 0], [0, 1]]);
    expect(torch.eye(2, 3).tolist()).toEqual([[1, 0, 0], [0, 1, 0]]);
  });
  it("from_array wraps typed arrays without copying when it can", () => {
    const f = new Float32Array([1, 2, 3, 4]);
    const t = from_array(f, [2, 2]);
    expect(t.data).toBe(f);
    expect(t.dtype).toBe("float32");
    const d = from_array(new Float64Array([1, 2]));
    expect(d.dtype).toBe("float64");
    const c = from_array(new Int32Array([1, 2]), undefined, { dtype: "int64" });
    expect(c.dtype).toBe("int64");
    expect(() => from_array(f, [3])).toThrow("from_array(): shape [3] is invalid for input of size 4");
  });
  it("dtype constants and the default dtype", () => {
    expect([torch.float32, torch.float64, torch.int64, torch.bool]).toEqual(["float32", "float64", "int64", "bool"]);
    expect([torch.float, torch.double, torch.long]).toEqual(["float32", "float64", "int64"]);
    expect(torch.get_default_dtype()).toBe("float32");
    torch.set_default_dtype(torch.float64);
    try {
      expect(torch.tensor([1]).dtype).toBe("float64");
      expect(torch.zeros(1).dtype).toBe("float64");
      expect(torch.tensor([1], { dtype: "int64" }).add(0.5).dtype).toBe("float64");
    } finally {
      torch.set_default_dtype("float32");
    }
    expect(() => torch.set_default_dtype("int64")).toThrow(/only floating-point types are supported as the default type/);
  });
});

describe("conversions and inspection", () => {
  it("torch.is_floating_point(t), as PyTorch's: float dtypes yes, integer and bool no, a non-tensor a TypeError", () => {
    expect(torch.is_floating_point(torch.tensor([1.5]))).toBe(true);
    expect(torch.is_floating_point(torch.tensor([1], { dtype: torch.float64 }))).toBe(true);
    expect(torch.is_floating_point(torch.tensor([1], { dtype: torch.int64 }))).toBe(false);
    expect(torch.is_floating_point(torch.tensor([true]))).toBe(false);
    expect(() => torch.is_floating_point(1.5 as any)).toThrow(TypeError);
  });

  it("to/float/double/long/bool, item, tolist, size", () => {
    const x = torch.tensor([[1.5, -2.5], [0, 3]]);
    expect(x.to("float32")).toBe(x);
    expect(x.double().dtype).toBe("float64");
    expect(x.long().tolist()).toEqual([[1, -2], [0, 3]]);
    expect(x.bool().tolist()).toEqual([[true, true], [false, true]]);
    expect(x.to({ dtype: "int64" }).dtype).toBe("int64");
    expect(x.size()).toEqual([2, 2]);
    expect(x.size(-1)).toBe(2);
    expect(() => x.size(2)).toThrow("Dimension out of range (expected to be in range of [-2, 1], but got 2)");
    expect(() => x.item()).toThrow("a Tensor with 4 elements cannot be converted to Scalar");
    expect(x.sum().item()).toBe(2);
    expect(torch.tensor(5).tolist()).toBe(5);
    expect(x.numel()).toBe(4);
    expect(x.dim()).toBe(2);
  });
  it("reshape/view share storage with their input", () => {
    const x = torch.arange(6, { dtype: "float32" });
    const v = x.view(2, 3);
    v.data[0] = 42;
    expect(x.data[0]).toBe(42);
    expect(x.reshape([3, -1]).shape).toEqual([3, 2]);
  });
});

describe("JSON", () => {
  it("JSON.stringify gives the nested values", () => {
    expect(JSON.stringify(torch.tensor([[1, 2], [3, 4.5]]))).toBe("[[1,2],[3,4.5]]");
    expect(JSON.stringify({ flag: torch.tensor([true, false]) })).toBe('{"flag":[true,false]}');
  });
});
