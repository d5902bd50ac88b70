/**
 * View or copy, as PyTorch decides it, against real PyTorch 2.13
 * (test/fixtures/generate_contiguity.py → fixtures/nn/contiguity.json). PyTorch's `contiguous()`,
 * `reshape` and `flatten` return a view of their input when its strides allow one and a copy
 * otherwise, and `view` fails where no view exists. lrlab stores every tensor contiguously and
 * derives PyTorch's strides from what it records (kernel/src/tensor/torch_strides.ts). Before,
 * `x.index(":", "0:2").contiguous()` and `x.t().reshape(-1)` were the slice itself or a view of
 * it, and an in-place op on them wrote back into x, which PyTorch's copy never does (a user's
 * `f.sub_(f.mean(0))` on a column slice changed the data it came from).
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { no_grad } from "../../kernel/src/tensor/grad_mode";
import { view_strides } from "../../kernel/src/tensor/torch_strides";
import { fixture } from "../nn/helpers";

const fx = fixture<any>("contiguity.json");
const b2 = () => torch.arange(24, { dtype: torch.float32 }).reshape(4, 6);
const b3 = () => torch.arange(24, { dtype: torch.float32 }).reshape(2, 3, 4);

/** The generator's CASES: the source and the op on it. */
const CASES: Record<string, [() => Tensor, (b: Tensor) => Tensor]> = {
  col_slice_contiguous: [b2, (b) => b.index(":", "1:3").contiguous()],
  col_select_contiguous: [b2, (b) => b.index(":", 2).contiguous()],
  row_slice_contiguous: [b2, (b) => b.index("1:3").contiguous()],
  row_select_contiguous: [b2, (b) => b.index(1).contiguous()],
  narrow_col_contiguous: [b2, (b) => b.narrow(1, 0, 1).contiguous()],
  step_slice_contiguous: [b2, (b) => b.index(":", "::2").contiguous()],
  diagonal_contiguous: [b2, (b) => b.diagonal().contiguous()],
  t_contiguous: [b2, (b) => b.t().contiguous()],
  t_reshape: [b2, (b) => b.t().reshape(24)],
  t_flatten: [b2, (b) => b.t().flatten()],
  t_reshape_same: [b2, (b) => b.t().reshape(6, 4)],
  t_row_slice_contiguous: [b2, (b) => b.t().index("1:3").contiguous()],
  col_slice_t_reshape: [b2, (b) => b.index(":", "0:2").t().reshape(8)],
  col_slice_reshape_split: [b2, (b) => b.index(":", "0:4").reshape(4, 2, 2)],
  col_slice_reshape_merge: [b2, (b) => b.index(":", "0:4").reshape(16)],
  col_slice_unsqueeze: [b2, (b) => b.index(":", "0:4").unsqueeze(1)],
  col_slice_unsqueeze_reshape: [b2, (b) => b.index(":", "0:4").unsqueeze(1).reshape(4, 4)],
  row_slice_reshape: [b2, (b) => b.index("1:3").reshape(12)],
  permute_reshape: [b3, (b) => b.permute(0, 2, 1).reshape(2, 12)],
  permute_reshape_keep: [b3, (b) => b.permute(1, 0, 2).reshape(3, 8)],
  inner_slice_flatten_outer: [b3, (b) => b.index(":", ":", "0:2").flatten(0, 1)],
  inner_slice_flatten_inner: [b3, (b) => b.index(":", ":", "0:2").flatten(1)],
  select_middle_flatten: [b3, (b) => b.index(":", 1).flatten()],
  select_outer_flatten: [b3, (b) => b.index(1).flatten()],
};

/** The generator's VIEWS: the source, the op, the shape viewed. */
const VIEWS: Record<string, [() => Tensor, (b: Tensor) => Tensor, number[]]> = {
  t_view_flat: [b2, (b) => b.t(), [24]],
  t_view_same: [b2, (b) => b.t(), [6, 4]],
  col_slice_view_split: [b2, (b) => b.index(":", "0:4"), [4, 2, 2]],
  col_slice_view_merge: [b2, (b) => b.index(":", "0:4"), [16]],
  row_slice_view: [b2, (b) => b.index("1:3"), [12]],
  permute_view_keep: [b3, (b) => b.permute(1, 0, 2), [3, 8]],
  permute_view_merge: [b3, (b) => b.permute(0, 2, 1), [2, 12]],
};

/** The generator's LAYOUTS: PyTorch's is_contiguous() of each. */
const LAYOUTS: Record<string, [() => Tensor, (b: Tensor) => Tensor]> = {
  col_slice: [b2, (b) => b.index(":", "1:3")],
  col_select: [b2, (b) => b.index(":", 2)],
  row_slice: [b2, (b) => b.index("1:3")],
  row_select: [b2, (b) => b.index(1)],
  narrow_col: [b2, (b) => b.narrow(1, 0, 1)],
  narrow_row: [b2, (b) => b.narrow(0, 1, 1)],
  step_slice: [b2, (b) => b.index(":", "::2")],
  diagonal: [b2, (b) => b.diagonal()],
  t: [b2, (b) => b.t()],
  t_of_one_row: [() => torch.zeros([1, 5]), (b) => b.t()],
  col_of_one_col: [() => torch.zeros([4, 1]), (b) => b.index(":", 0)],
  t_times_one: [b2, (b) => b.t().mul(1)],
  t_clone: [b2, (b) => b.t().clone()],
  permute3: [b3, (b) => b.permute(2, 0, 1)],
  select_middle: [b3, (b) => b.index(":", 1)],
  inner_slice: [b3, (b) => b.index(":", ":", "0:2")],
  t_t: [b2, (b) => b.t().t()],
  empty_col_slice: [b2, (b) => b.index(":", "0:0")],
};

describe("an in-place op on the result of contiguous() / reshape / flatten changes the source exactly when PyTorch's does", () => {
  it("covers the generator's cases", () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(fx.cases).sort());
    expect(Object.keys(VIEWS).sort()).toEqual(Object.keys(fx.views).sort());
    expect(Object.keys(LAYOUTS).sort()).toEqual(Object.keys(fx.layouts).sort());
  });
  for (const [name, [src, op]] of Object.entries(CASES)) {
    it(name, () => {
      const want = fx.cases[name];
      const b = src();
      const r = op(b);
      expect(r.shape).toEqual(want.shape);
      expect(r.is_contiguous()).toBe(want.is_contiguous);
      no_grad(() => r.fill_(-1));
      expect(b.reshape(-1).tolist()).toEqual(want.source_after);
      const g = src().requires_grad_(true);
      expect(op(g).grad_fn?.name()).toBe(want.grad_fn);
    });
  }
});

describe("view", () => {
  for (const [name, [src, op, shape]] of Object.entries(VIEWS)) {
    it(`${name}: ${fx.views[name] === "ok" ? "a view" : "refused, with PyTorch's message"}`, () => {
      const x = op(src());
      if (fx.views[name] === "ok") expect(x.view(shape).shape).toEqual(shape);
      else expect(() => x.view(shape)).toThrow(fx.views[name]);
    });
  }
});

describe("is_contiguous()", () => {
  for (const [name, [src, op]] of Object.entries(LAYOUTS)) {
    it(`${name}: ${fx.layouts[name]}`, () => {
      expect(op(src()).is_contiguous()).toBe(fx.layouts[name]);
    });
  }
});

describe("gradients through a reshape that copies", () => {
  it("reach the source as through a view", () => {
    // d/dx of (x.t().reshape(-1) * w).sum() is w laid back out as x.t(), then transposed
    const x = torch.arange(6, { dtype: torch.float32 }).reshape(2, 3).requires_grad_(true);
    const w = torch.arange(6, { dtype: torch.float32 }).add(1);
    x.t().reshape(-1).mul(w).sum().backward();
    // x.t() is [[x00, x10], [x01, x11], [x02, x12]]: flat order x00 x10 x01 x11 x02 x12 gets w = 1..6
    expect(x.grad!.tolist()).toEqual([[1, 3, 5], [2, 4, 6]]);
  });

  it("an in-place op on the copy is recorded on the copy (PyTorch runs it; lrlab refused the write-back)", () => {
    const x = torch.ones([2, 3], { requires_grad: true });
    const c = x.mul(1).index(":", 0).contiguous();
    c.mul_(2);
    c.sum().backward();
    // PyTorch: x.grad = [[2, 0, 0], [2, 0, 0]]
    expect(x.grad!.tolist()).toEqual([[2, 0, 0], [2, 0, 0]]);
  });
});

describe("view_strides (PyTorch's computeStride)", () => {
  it("merges and splits only runs of dims contiguous with each other", () => {
    // x[:, 0:4] of a 4×6: strides (6, 1)
    expect(view_strides([4, 4], [6, 1], [4, 2, 2])).toEqual([6, 2, 1]);
    expect(view_strides([4, 4], [6, 1], [16])).toBeNull();
    expect(view_strides([4, 4], [6, 1], [4, 1, 4])).toEqual([6, 4, 1]);
    // a transposed 4×6: strides (1, 6)
    expect(view_strides([6, 4], [1, 6], [24])).toBeNull();
    expect(view_strides([6, 4], [1, 6], [6, 2, 2])).toEqual([1, 12, 6]);
    // 0-d and empty
    expect(view_strides([], [], [1, 1])).toEqual([1, 1]);
    // (an empty tensor's new strides are row-major, a size 0 counting as 1)
    expect(view_strides([0, 3], [3, 1], [3, 0])).toEqual([1, 1]);
  });
});
