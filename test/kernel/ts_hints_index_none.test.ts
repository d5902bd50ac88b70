/**
 * ts_hints.ts: `None` ported into an index. Python's `x[None, 1]` is a new axis; index()'s `null`
 * is a whole dim (`:`), so the generic "None is null" would silently change the result: inside
 * `.index(` the hint names index()'s new-axis marker "None" (tensor/indexing.ts), and the generic
 * hint says it too. The marker's result is PyTorch's `X[None, 1]` (tensor([[4., 5., 6., 7.]])).
 */
import { describe, expect, it } from "vitest";
import { hintFor, useLibrary } from "../../kernel/src/kernel/ts_hints";
import * as torch from "../../kernel/src/index";
import * as lrlab from "../../kernel/src/tools";
import { run_names } from "../../kernel/src/trace/runs";

useLibrary({ torch, lrlab, run_names });

describe("None in an index", () => {
  it("inside x.index(...) the hint gives the new-axis marker, not null", () => {
    const h = hintFor(2304, "Cannot find name 'None'.", "None, 1)", "const y = X.index(");
    expect(h).toBe('hint: None in an index is a new axis (size 1): write the string "None", x.index("None", 1) for x[None, 1] (or x.unsqueeze(d)); null in index() is a whole dim, ":"');
    expect(hintFor(2304, "Cannot find name 'None'.", "None)", "X.index(0, ")).toMatch(/new axis/);
  });

  it("elsewhere None is null, and the hint says what an index does with it", () => {
    expect(hintFor(2304, "Cannot find name 'None'.", "None;", "let best = ")).toBe(
      "hint: None is Python; here: null (or undefined); in an index, PyTorch's x[None] (a new axis) is x.index(\"None\")",
    );
    // a call nested inside index()'s arguments is not index()'s own argument list
    expect(hintFor(2304, "Cannot find name 'None'.", "None))", "X.index(f(")).toMatch(/^hint: None is Python/);
  });

  it("what the hint says to write is PyTorch's X[None, 1], and null is X[:, 1]", () => {
    const X = torch.arange(12, { dtype: torch.float32 }).reshape([3, 4]);
    expect(X.index("None", 1).shape).toEqual([1, 4]);
    expect(X.index("None", 1).tolist()).toEqual([[4, 5, 6, 7]]);
    expect(X.index(null, 1).tolist()).toEqual([1, 5, 9]);
  });
});
