/**
 * `x[:, 0::2] = v` (a sinusoidal positional encoding's buffer): PyTorch's index_put_ refuses a
 * slice among its indices, and so does lrlab, with PyTorch's message; lrlab's adds the two forms
 * that write it (a porter's pass: the message named neither). Both forms give the same tensor.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";

describe("index_put_ with a slice among the indices", () => {
  it("keeps PyTorch's message and names the two forms that write a strided slice, which agree", () => {
    const pe = torch.zeros([3, 4]);
    const v = torch.arange(6).reshape([3, 2]).to("float32");
    expect(() => pe.index_put_([":" as never, torch.arange(0, 4, 2)], v)).toThrow(
      /^expected Tensor as element 0 in argument 0, but got string: a slice is not an index here\. For x\[:, 0::2\] = v write through the slice, x\.index\(":", "0::2"\)\.copy_\(v\) .*x\.index_put_\(\[torch\.arange\(n\)\.unsqueeze\(1\), torch\.arange\(0, d, 2\)\], v\)$/,
    );
    // the message's two forms
    const a = torch.zeros([3, 4]);
    a.index(":", "0::2").copy_(v);
    const b = torch.zeros([3, 4]);
    b.index_put_([torch.arange(3).unsqueeze(1), torch.arange(0, 4, 2)], v);
    expect(a.tolist()).toEqual([[0, 0, 1, 0], [2, 0, 3, 0], [4, 0, 5, 0]]);
    expect(b.tolist()).toEqual(a.tolist());
  });

  it("another non-tensor index (a number, null) gets PyTorch's message alone", () => {
    expect(() => torch.zeros([3, 4]).index_put_([torch.arange(2), 3 as never], torch.ones([2]))).toThrow(
      /^expected Tensor as element 1 in argument 0, but got number$/,
    );
    expect(() => torch.zeros([3, 4]).index_put_([null as never], torch.ones([2]))).toThrow(/^expected Tensor as element 0 in argument 0, but got null$/);
  });
});
