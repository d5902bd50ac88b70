/**
 * Optimizer.step's wrapper skips its argument lists and the copies of the hook maps when no hook
 * is registered (optimizer.ts; ~60 ns of a tiny Adam's ~0.55 µs opt.step()). What must not change:
 * the step gets its arguments (a closure, its loss back), and a hook registered while the step runs
 * (before its post-hooks are looked up) is called, with the step's arguments, as before.
 */
import { describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { SGD } from "../../kernel/src/optim/index";

describe("step() without hooks, and hooks registered during the step", () => {
  it("the closure reaches the step and its loss comes back, with no hook registered", () => {
    const p = new Tensor(new Float32Array([1, 2]), [2], "float32", true);
    const opt = new SGD([p], { lr: 0.5 });
    let calls = 0;
    const loss = opt.step(() => {
      calls++;
      p.grad = new Tensor(new Float32Array([1, 1]), [2], "float32");
      return 3;
    });
    expect(calls).toBe(1);
    expect(loss).toBe(3);
    expect(Array.from(p.data)).toEqual([0.5, 1.5]);
  });

  it("a post-hook registered by the closure during the step is called after it, with the step's arguments", () => {
    const p = new Tensor(new Float32Array([1]), [1], "float32", true);
    p.grad = new Tensor(new Float32Array([1]), [1], "float32");
    const opt = new SGD([p], { lr: 0.5 });
    const seen: unknown[][] = [];
    const closure = () => {
      // registered while the step runs, before the wrapper looks for post-hooks
      if (seen.length === 0) opt.register_step_post_hook((_o: unknown, args: unknown[]) => { seen.push(args); });
      return 1;
    };
    opt.step(closure);
    expect(seen.length).toBe(1);
    expect(seen[0][0]).toBe(opt);
    expect(seen[0][1]).toBe(closure);
  });
});
