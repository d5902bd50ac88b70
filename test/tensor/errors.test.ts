/** Bad input gives a clear error naming the op, the shapes or dtypes, and what is allowed (PyTorch's words where it has them). */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/tensor/index";

const a23 = () => torch.zeros(2, 3);

describe("error messages", () => {
  it("a tensor too large to allocate names its elements and size (V8 said 'Invalid typed array length: 10000000000')", () => {
    // 1e5 · 1e5 = 1e10 float32 elements, 4 bytes each: 40.0 GB, beyond a typed array's 2^32 elements
    expect(() => torch.zeros(1e5, 1e5)).toThrow(RangeError);
    expect(() => torch.zeros(1e5, 1e5)).toThrow(/^cannot allocate a tensor of 10000000000 float32 elements \(40\.0 GB\): Invalid typed array length: 10000000000\. .*use a smaller shape or batch\.$/);
    expect(() => torch.ones(1e5, 1e5, { dtype: torch.float64 })).toThrow(/tensor of 10000000000 float64 elements \(80\.0 GB\)/);
  });
  it("expand() too large to allocate says it copies, unlike PyTorch's view, and what to do instead", () => {
    // [1, 1] -> [1e5, 1e5]: PyTorch makes a stride-0 view; lrlab's copy would be 1e10 float32 elements (40.0 GB)
    const x = torch.ones(1, 1);
    expect(() => x.expand(1e5, 1e5)).toThrow(
      /^expand\(\[1, 1\] -> \[100000, 100000\]\): lrlab's expand\(\) copies the broadcast tensor \(it is not a view as in PyTorch\), and cannot allocate a tensor of 10000000000 float32 elements \(40\.0 GB\).* pass the smaller tensor to the op instead of expanding it first\.$/,
    );
    expect(x.expand(2, 3).shape).toEqual([2, 3]);
  });
  it("broadcasting", () => {
    expect(() => torch.zeros(2, 3).add(torch.zeros(2, 4))).toThrow(
      "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1",
    );
    expect(() => torch.zeros(5, 3).mul(torch.zeros(4, 1))).toThrow(
      "The size of tensor a (5) must match the size of tensor b (4) at non-singleton dimension 0",
    );
    expect(() => torch.broadcast_shapes([2], [3])).toThrow(/non-singleton dimension 0/);
    // both dimensions mismatch: PyTorch 2.13 names the last one
    expect(() => torch.zeros(2, 3).add(torch.ones(3, 2))).toThrow(
      "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1",
    );
  });
  it("matrix products", () => {
    expect(() => torch.zeros(2, 3).matmul(torch.zeros(4, 5))).toThrow("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)");
    expect(() => torch.mm(torch.zeros(2, 3), torch.zeros(4, 5))).toThrow("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)");
    expect(() => torch.zeros(3).matmul(torch.zeros(4))).toThrow(
      "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but got 3 and 4 elements respectively",
    );
    expect(() => torch.zeros(2, 3).matmul(torch.zeros(4))).toThrow("size mismatch, got input (2), mat (2x3), vec (4)");
    expect(() => torch.bmm(torch.zeros(2, 3, 4), torch.zeros(2, 5, 6))).toThrow(
      "Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [2, 5].",
    );
    expect(() => torch.zeros(2, 3, 4).matmul(torch.zeros(3, 4, 5))).toThrow(/The size of tensor a \(2\) must match the size of tensor b \(3\)/);
    expect(() => torch.zeros(2, 2).matmul(torch.zeros(2, 2, { dtype: "float64" }))).toThrow(/expected m1 and m2 to have the same dtype/);
    expect(() => torch.tensor(1).matmul(torch.zeros(2))).toThrow(/both arguments to matmul need to be at least 1D/);
    expect(() => torch.mm(torch.zeros(2), torch.zeros(2, 2))).toThrow(/self must be a matrix/);
  });
  it("shapes and dims", () => {
    expect(() => a23().view(4, 2)).toThrow("shape '[4, 2]' is invalid for input of size 6");
    expect(() => a23().reshape(-1, -1)).toThrow("only one dimension can be inferred");
    expect(() => a23().sum(2)).toThrow("Dimension out of range (expected to be in range of [-2, 1], but got 2)");
    expect(() => a23().transpose(0, 3)).toThrow(/Dimension out of range/);
    expect(() => a23().permute(0)).toThrow(/input.dim\(\) = 2 is not equal to len\(dims\) = 1/);
    expect(() => a23().expand(2, 4)).toThrow(
      "The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1.  Target sizes: [2, 4].  Tensor sizes: [2, 3]",
    );
    expect(() => torch.cat([a23(), torch.zeros(3, 2)])).toThrow(
      "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 2 for tensor number 1 in the list.",
    );
    expect(() => torch.cat([a23(), torch.zeros(3)])).toThrow("Tensors must have same number of dimensions: got 2 and 1");
    expect(() => torch.stack([a23(), torch.zeros(3, 2)])).toThrow("stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [3, 2] at entry 1");
    expect(() => a23().split([1, 2])).toThrow(/split_with_sizes expects split_sizes to sum exactly to 2/);
    expect(() => torch.zeros(2, 3, 4).t()).toThrow("t() expects a tensor with <= 2 dimensions, but self is 3D");
  });
  it("indexing", () => {
    expect(() => a23().select(0, 2)).toThrow("select(): index 2 out of range for tensor of size [2, 3] at dimension 0");
    expect(() => a23().index(0, 5)).toThrow("index 5 is out of bounds for dimension 1 with size 3");
    expect(() => a23().index(0, 0, 0)).toThrow("too many indices for tensor of dimension 2 (got 3)");
    expect(() => a23().index("1:2:0")).toThrow("slice step cannot be zero");
    expect(() => a23().index("a:b")).toThrow(/invalid slice "a:b"/);
    expect(() => a23().narrow(1, 2, 2)).toThrow("start (2) + length (2) exceeds dimension size (3).");
    expect(() => a23().gather(1, torch.tensor([[0, 3]], { dtype: "int64" }))).toThrow("index 3 is out of bounds for dimension 1 with size 3");
    expect(() => a23().gather(1, torch.tensor([[0]]))).toThrow(/Expected dtype int32 or int64 for index \(got float32\)/);
    expect(() => a23().index_select(0, torch.tensor([2], { dtype: "int64" }))).toThrow("index 2 is out of bounds for dimension 0 with size 2");
    expect(() => a23().masked_fill(torch.ones(2, 3), 0)).toThrow(/masked_fill_ only supports boolean masks/);
  });
  it("dtypes and arguments", () => {
    expect(() => torch.zeros(2, { dtype: "int64" }).mean()).toThrow(
      "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long",
    );
    expect(() => torch.tensor([true]).sub(torch.tensor([true]))).toThrow(/Subtraction, the `-` operator, with two bool tensors is not supported/);
    expect(() => torch.tensor([true]).neg()).toThrow(/Negation, the `-` operator, on a bool tensor is not supported/);
    expect(() => torch.zeros(2).add([1, 2] as never)).toThrow("add(): argument 'other' must be a Tensor or a number, not an array (wrap it with torch.tensor)");
    expect(() => torch.zeros(2).to("half" as never)).toThrow(/to\(\): unsupported dtype "half"/);
    expect(() => torch.zeros(2).clamp()).toThrow("torch.clamp: At least one of 'min' or 'max' must not be None");
    expect(() => torch.softmax(torch.zeros(2), undefined as never)).toThrow(/softmax\(\) missing 1 required positional arguments: "dim"/);
    expect(() => torch.tensor([1, 2], { dtype: "int64" }).pow(-1)).toThrow("Integers to negative integer powers are not allowed.");
    expect(() => torch.zeros(0).max()).toThrow(/Expected reduction dim to be specified for input.numel\(\) == 0/);
    expect(() => torch.zeros(2).var({ correction: 1, unbiased: true })).toThrow(/cannot specify both correction and unbiased/);
  });
  it("never a silent wrong shape: -1 dims, squeezes and empty tensors", () => {
    expect(torch.zeros(2, 1, 3).squeeze(1).shape).toEqual([2, 3]);
    expect(torch.zeros(2, 1, 3).squeeze(0).shape).toEqual([2, 1, 3]);
    expect(torch.zeros(0, 3).sum(0).shape).toEqual([3]);
    expect(torch.zeros(0, 3).sum().item()).toBe(0);
    expect(torch.zeros(4, 0).matmul(torch.zeros(0, 2)).tolist()).toEqual([[0, 0], [0, 0], [0, 0], [0, 0]]);
  });
});
