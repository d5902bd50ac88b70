/**
 * `Tensor.shape` is typed `readonly number[]` (PyTorch's torch.Size is immutable): the type check
 * refuses writes to a tensor's own shape array, which would change its metadata without its data
 * (a user's pass: `t.shape[0] = 5` printed garbage past the data, `s = t.shape; s.push(1)` made a
 * 4-element tensor of shape [2, 2, 3] that took part in ops). The refusals are checked by the
 * typecheck (`npm run typecheck` compiles this file: an unused `@ts-expect-error` is an error);
 * the run-time tests check that the reading idioms keep working with a readonly shape. The array
 * is not frozen at run time: Object.freeze per tensor made a small MLP's training step ~17%
 * slower and a chain of tiny ops ~60% slower (measured interleaved, best of 40 rounds).
 */
import { describe, expect, test } from "vitest";
import * as torch from "../../kernel/src/index";
import type { Tensor } from "../../kernel/src/tensor/tensor";

/** Never run: each marked line must be a type error. */
function refusedWrites(t: Tensor): void {
  // @ts-expect-error index signature in type 'readonly number[]' only permits reading
  t.shape[0] = 5;
  // @ts-expect-error push does not exist on type 'readonly number[]'
  t.shape.push(1);
  const s = t.shape;
  // @ts-expect-error sort does not exist on type 'readonly number[]'
  s.sort();
  // @ts-expect-error a readonly array is not a number[]
  const m: number[] = t.shape;
  void m;
}

describe("Tensor.shape is readonly number[]", () => {
  test("the refused writes above are a type error (compiled by the typecheck, never run)", () => {
    expect(typeof refusedWrites).toBe("function");
  });

  test("reading idioms work on a readonly shape and leave the tensor as it was", () => {
    const x = torch.tensor([[1, 2], [3, 4], [5, 6]]);
    const s: readonly number[] = x.shape;
    expect(s).toEqual([3, 2]);
    // a copy to change: size() or a spread
    const c = x.size();
    c.push(1);
    const d = [...x.shape, 1];
    expect(x.reshape(d).shape).toEqual([3, 2, 1]);
    expect(x.reshape(c).shape).toEqual([3, 2, 1]);
    expect(x.shape).toEqual([3, 2]);
    // a readonly shape goes wherever a size goes
    expect(torch.zeros(x.shape).shape).toEqual([3, 2]);
    expect(torch.ones(x.shape).shape).toEqual([3, 2]);
    expect(torch.randn(x.shape).shape).toEqual([3, 2]);
    expect(x.view(x.shape).shape).toEqual([3, 2]);
    expect(torch.ones([2]).expand([3, 2]).broadcast_to(x.shape).shape).toEqual([3, 2]);
    expect(x.shape.map((n) => n * 2)).toEqual([6, 4]);
    expect(x.sum().item()).toBe(21);
  });

  test("each tensor has its own shape array (a view's is not its base's)", () => {
    const x = torch.ones([2, 3]);
    const v = x.view([2, 3]);
    expect(v.shape).not.toBe(x.shape);
    const y = new torch.Tensor(x.data, x.shape);
    expect(y.shape).not.toBe(x.shape);
    expect(y.shape).toEqual([2, 3]);
  });
});
