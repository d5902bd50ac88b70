import { describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";

describe("Tensor core", () => {
  it("wraps typed arrays with a shape and infers the dtype", () => {
    const t = new Tensor(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect(t.dtype).toBe("float32");
    expect(t.shape).toEqual([2, 3]);
    expect(t.numel()).toBe(6);
    expect(t.is_leaf).toBe(true);
  });
  it("rejects a shape that does not fit the data, naming both", () => {
    expect(() => new Tensor(new Float64Array(5), [2, 3])).toThrow(/\[2, 3\] needs 6 elements, got 5/);
  });
  it("checks an assigned grad's shape", () => {
    const t = new Tensor(new Float32Array(3), [3]);
    expect(() => { t.grad = new Tensor(new Float32Array(2), [2]); }).toThrow("attempting to assign a gradient of size '[2]' to a tensor of size '[3]'");
    t.grad = new Tensor(new Float32Array(3), [3]);
    expect(t.grad!.shape).toEqual([3]);
  });
});
