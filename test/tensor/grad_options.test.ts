/**
 * backward()/autograd.grad() options, checked at run time (kernel/src/tensor/autograd.ts
 * check_grad_options): in plain JavaScript no type check catches them.
 *
 * PyTorch 2.13: x.pow(3).sum().backward(retain_grap=True)
 *   -> TypeError: backward() got an unexpected keyword argument 'retain_grap'
 */
import { describe, expect, it } from "vitest";
import * as torch from "../../kernel/src/index";

describe("backward and grad options", () => {
  it("create_graph: true is refused (double backward is not supported): it was ignored", () => {
    const x = torch.tensor([1, 2, 3], { requires_grad: true });
    expect(() => torch.autograd.grad(x.pow(3).sum(), x, { create_graph: true } as never)).toThrow(/create_graph=true is not supported/);
    expect(() => x.pow(3).sum().backward(undefined, { create_graph: true } as never)).toThrow(/create_graph=true is not supported/);
    // create_graph: false is PyTorch's default, and is accepted
    x.pow(2).sum().backward(undefined, { create_graph: false } as never);
    expect(x.grad!.tolist()).toEqual([2, 4, 6]);
  });

  it("an unknown key is PyTorch's TypeError, naming it and what is accepted", () => {
    const x = torch.tensor([1, 2], { requires_grad: true });
    expect(() => x.sum().backward(undefined, { retain_grap: true } as never)).toThrow("backward() got an unexpected keyword argument 'retain_grap'; accepted: retain_graph");
    expect(() => torch.autograd.grad(x.sum(), x, { allow_unsued: true } as never)).toThrow(/grad\(\) got an unexpected keyword argument 'allow_unsued'; accepted: grad_outputs, retain_graph, allow_unused/);
  });
});
