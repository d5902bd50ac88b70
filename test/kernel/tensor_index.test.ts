/**
 * `t[i]` on a tensor (Python's indexing) is an error of the cell with a hint (tensor_index.ts):
 * TypeScript as tslab configures it lets it through as `any`, and JavaScript reads undefined.
 * Indexing what is not a tensor (its data, its shape, an array of tensors) stays allowed.
 */
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { DIST, Engine, makePrelude } from "./dist";

type Diag = { line: number; column: number; message: string; code: number; hint?: string };

describe("t[i] on a tensor", () => {
  it("is an error naming the tensor, at the bracket, with what to write; other indexing runs", () => {
    const engine = new Engine(makePrelude(DIST), tmpdir());
    engine.run("const x = torch.randn(3, 4);\nconst m = new torch.nn.Linear(2, 2);\nconst arr = [x, x];");
    const errorOf = (src: string): Diag[] => {
      try {
        engine.compile(src);
      } catch (e) {
        return (e as { diagnostics: Diag[] }).diagnostics;
      }
      return [];
    };
    const [read] = errorOf("x[0]");
    expect(read).toMatchObject({ line: 1, column: 2, code: 0 });
    expect(read.message).toBe("x is a Tensor: x[i] does not index it in JavaScript (a read gives undefined, a write a stray property)");
    expect(read.hint).toMatch(/^hint: tensors have no \[i\] indexing in JavaScript: t\.index\(i\) is PyTorch's t\[i\]/);
    expect(errorOf("const k = 1;\nconst row = x[k].sum();")).toMatchObject([{ line: 2, column: 14, code: 0 }]);
    expect(errorOf("x[-1] = 0;")).toMatchObject([{ code: 0 }]); // a write: a stray property
    expect(errorOf("m.weight[0]")).toMatchObject([{ code: 0, message: expect.stringMatching(/^m\.weight is a Tensor/) }]); // nn.Parameter
    // not tensors: their data, their shape, arrays of them, a property by name
    for (const ok of ["x.data[0] > -100", "x.shape[0]", "arr[1].shape[1]", "x['shape']"]) expect(errorOf(ok), ok).toEqual([]);
    // the cell with t[i] did not run: nothing it declares exists
    expect(errorOf("const y = x[0];")).toHaveLength(1);
    expect(engine.userNames()).not.toContain("y");
  }, 60_000);
});
