/**
 * `torch.utils.hooks.RemovableHandle`, where PyTorch has it: the handle every hook registration
 * returns (an optimizer's step hooks, the global ones, a module's forward hooks). It is not one
 * of `torch.optim`'s names (PyTorch's `torch.optim` has no RemovableHandle).
 */
import { describe, expect, test } from "vitest";
import * as torch from "../../kernel/src/index";

describe("torch.utils.hooks.RemovableHandle", () => {
  test("is torch.utils.hooks' class, and not among torch.optim's names", () => {
    expect(typeof torch.utils.hooks.RemovableHandle).toBe("function");
    expect(Object.keys(torch.optim)).not.toContain("RemovableHandle");
  });

  test("every hook registration returns one; remove() unregisters, and again does nothing", () => {
    const p = torch.tensor([1], { requires_grad: true });
    const opt = new torch.optim.SGD([p], { lr: 0.1 });
    const model = new torch.nn.Linear(1, 1);
    let calls = 0;
    const handles = [
      opt.register_step_pre_hook(() => void calls++),
      opt.register_step_post_hook(() => void calls++),
      torch.optim.register_optimizer_step_pre_hook(() => void calls++),
      torch.optim.register_optimizer_step_post_hook(() => void calls++),
      model.register_forward_hook(() => void calls++),
      model.register_forward_pre_hook(() => void calls++),
    ];
    for (const h of handles) expect(h).toBeInstanceOf(torch.utils.hooks.RemovableHandle);
    p.grad = torch.tensor([1]);
    opt.step();
    model.call(torch.ones(1, 1));
    expect(calls).toBe(6);
    for (const h of handles) { h.remove(); h.remove(); }
    opt.step();
    model.call(torch.ones(1, 1));
    expect(calls).toBe(6);
  });
});
