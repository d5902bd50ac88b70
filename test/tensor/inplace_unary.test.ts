/**
 * In-place forms lrlab lacked (relu_, sigmoid_, tanh_, floor_, ceil_, round_, trunc_, scatter_,
 * scatter_add_, ...): values, PyTorch's errors and autograd as PyTorch 2.13, whose output is quoted
 * with each check.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";

const x = () => torch.tensor([0.5, -1.5, 2.25]);
const close = (t: torch.Tensor, want: number[]) => (t.tolist() as number[]).forEach((v, i) => expect(v).toBeCloseTo(want[i], 4));

describe("unary in-place methods", () => {
  it("write into self and return it", () => {
    const a = x();
    expect(a.relu_()).toBe(a);
    expect(a.tolist()).toEqual([0.5, 0, 2.25]); // tensor([0.5000, 0.0000, 2.2500])
    close(x().sigmoid_(), [0.6225, 0.1824, 0.9047]);
    expect(x().floor_().tolist()).toEqual([0, -2, 2]);
    expect(x().ceil_().tolist()).toEqual([1, -1, 3]);
    expect(x().trunc_().tolist()).toEqual([0, -1, 2]);
    close(x().round_({ decimals: 1 }), [0.5, -1.5, 2.2]); // x.round_(decimals=1) -> tensor([ 0.5000, -1.5000,  2.2000])
    // torch.relu_(t), F.relu_(t) -> tensor([0., 2.])
    expect(torch.relu_(torch.tensor([-1, 2])).tolist()).toEqual([0, 2]);
    expect(torch.nn.functional.relu_(torch.tensor([-1, 2])).tolist()).toEqual([0, 2]);
  });

  it("refuse what PyTorch refuses", () => {
    // torch.tensor([1, 2]).sigmoid_() -> RuntimeError: result type Float can't be cast to the desired output type Long
    expect(() => torch.tensor([1, 2], { dtype: torch.int64 }).sigmoid_()).toThrow("result type Float can't be cast to the desired output type Long");
    // torch.ones(2, requires_grad=True).relu_() -> a leaf Variable that requires grad is being used in an in-place operation.
    expect(() => torch.ones([2], { requires_grad: true }).relu_()).toThrow("a leaf Variable that requires grad is being used in an in-place operation.");
  });

  it("rebase a non-leaf's history, named as PyTorch's in-place node", () => {
    // w = torch.tensor([0.5, -1.5, 2.25], requires_grad=True); y = w * 1; y.tanh_(); y.sum().backward()
    // -> type(y.grad_fn).__name__ TanhBackward0, w.grad tensor([0.7864, 0.1807, 0.0435])
    const w = x().requires_grad_();
    const y = w.mul(1);
    y.tanh_();
    expect(y.grad_fn!.name()).toBe("TanhBackward0");
    y.sum().backward();
    close(w.grad!, [0.7864, 0.1807, 0.0435]);
    const r = w.mul(1).round_({ decimals: 1 });
    expect(r.grad_fn!.name()).toBe("RoundBackward1"); // round_(decimals=1) -> RoundBackward1
  });
});

describe("scatter_ and scatter_add_", () => {
  const idx = () => torch.tensor([[1, 0, 1]], { dtype: torch.int64 });

  it("write into self", () => {
    // torch.zeros(2, 3).scatter_(0, tensor([[1, 0, 1]]), tensor([[1., 2., 3.]])) -> [[0, 2, 0], [1, 0, 3]]
    expect(torch.zeros([2, 3]).scatter_(0, idx(), torch.tensor([[1, 2, 3]])).tolist()).toEqual([[0, 2, 0], [1, 0, 3]]);
    // torch.ones(2, 3).scatter_add_(0, ...) -> [[1, 3, 1], [2, 1, 4]]
    expect(torch.ones([2, 3]).scatter_add_(0, idx(), torch.tensor([[1, 2, 3]])).tolist()).toEqual([[1, 3, 1], [2, 1, 4]]);
  });

  it("record the src's gradient", () => {
    // s = torch.tensor([1., 2., 3.], requires_grad=True); z = torch.zeros(2, 3); z.scatter_add_(0, idx, s.view(1, 3))
    // (z * [[1, 2, 3], [4, 5, 6]]).sum().backward() -> ScatterAddBackward0, s.grad tensor([4., 2., 6.])
    const s = torch.tensor([1, 2, 3], { requires_grad: true });
    const z = torch.zeros([2, 3]);
    z.scatter_add_(0, idx(), s.view(1, 3));
    expect(z.grad_fn!.name()).toBe("ScatterAddBackward0");
    z.mul(torch.tensor([[1, 2, 3], [4, 5, 6]])).sum().backward();
    expect(s.grad!.tolist()).toEqual([4, 2, 6]);
  });
});
