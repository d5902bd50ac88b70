import { it, expect } from "vitest";
import * as torch from "../../kernel/src/tensor/index";
it("smoke", () => {
  const a = torch.tensor([[1, 2, 3], [4, 5, 6]], { requires_grad: true });
  const b = torch.tensor([10, 20, 30]);
  const c = a.mul(b).add(1).exp().log();
  console.log(c.data, c.grad_fn?.name, c.dtype);
  const x = torch.tensor([1, 2, 3], { dtype: "float64", requires_grad: true });
  const y = x.mul(x).mul(x);
  y.backward(torch.ones(3, { dtype: "float64" }));
  console.log(x.grad?.data);
  console.log(torch.arange(5).data, torch.arange(0, 1, 0.25).data, torch.linspace(0, 1, 5).data, torch.eye(2, 3).data);
});
