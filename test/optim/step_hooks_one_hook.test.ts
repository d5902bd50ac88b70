/**
 * With one pre-hook and one post-hook (a traced step), Optimizer.step's wrapper calls the lone hook
 * without the hook array and, when the hooks' argument list holds the optimizer alone, calls the
 * step without copying it (optimizer.ts; kernel/src/trace/PERF.md session 29). What must not
 * change: the list and the keywords a pre-hook changes in place or returns are what the step and
 * the post-hooks get, as with several hooks.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Tensor } from "../../kernel/src/tensor/tensor";
import { SGD, register_optimizer_step_pre_hook } from "../../kernel/src/optim/index";
import type { RemovableHandle } from "../../kernel/src/utils/hooks";

function setup() {
  const p = new Tensor(new Float32Array([1, 2]), [2], "float32", true);
  const opt = new SGD([p], { lr: 0.5 });
  let calls = 0;
  const closure = () => {
    calls++;
    p.grad = new Tensor(new Float32Array([1, 1]), [2], "float32");
    return 3;
  };
  return { p, opt, closure, calls: () => calls };
}

const handles: RemovableHandle[] = [];
afterEach(() => {
  for (const h of handles.splice(0)) h.remove();
});

describe("step() with one pre-hook", () => {
  it("a closure the hook pushes onto its argument list reaches the step", () => {
    const { p, opt, closure, calls } = setup();
    opt.register_step_pre_hook((_o, args) => {
      args.push(closure);
    });
    expect(opt.step()).toBe(3);
    expect(calls()).toBe(1);
    expect(Array.from(p.data)).toEqual([0.5, 1.5]);
  });

  it("a closure the hook puts in the keywords reaches the step", () => {
    const { opt, closure, calls } = setup();
    opt.register_step_pre_hook((_o, _args, kwargs) => {
      kwargs.closure = closure;
    });
    expect(opt.step()).toBe(3);
    expect(calls()).toBe(1);
  });

  it("the (args, kwargs) the hook returns are the step's and the post-hook's", () => {
    const { opt, closure, calls } = setup();
    const seen: unknown[][] = [];
    opt.register_step_pre_hook((o) => [[o, closure], {}]);
    opt.register_step_post_hook((_o, args, kwargs) => {
      seen.push([...args], [kwargs]);
    });
    expect(opt.step()).toBe(3);
    expect(calls()).toBe(1);
    expect(seen[0]).toEqual([opt, closure]);
  });

  it("the hook's argument list holds the optimizer alone, and the post-hook gets the same list and keywords", () => {
    const { opt, p } = setup();
    p.grad = new Tensor(new Float32Array([1, 1]), [2], "float32");
    let pre: [unknown[], Record<string, unknown>] | null = null;
    let post: [unknown[], Record<string, unknown>] | null = null;
    opt.register_step_pre_hook((_o, args, kwargs) => {
      pre = [args, kwargs];
    });
    opt.register_step_post_hook((_o, args, kwargs) => {
      post = [args, kwargs];
    });
    opt.step();
    expect(pre![0]).toEqual([opt]);
    expect(post![0]).toBe(pre![0]);
    expect(post![1]).toBe(pre![1]);
  });

  it("a global pre-hook alone changes the step's arguments too", () => {
    const { opt, closure, calls } = setup();
    handles.push(register_optimizer_step_pre_hook((_o, args) => {
      if (_o === opt) args.push(closure);
    }));
    expect(opt.step()).toBe(3);
    expect(calls()).toBe(1);
  });

  it("a hook returning something else than None or a pair is refused, naming what it got", () => {
    const { opt } = setup();
    opt.register_step_pre_hook(() => 5 as never);
    expect(() => opt.step()).toThrow("SGD.step must return None or a tuple of (new_args, new_kwargs), but got 5.");
  });

  it("a hook registered by the lone pre-hook runs from the next step", () => {
    const { opt, p } = setup();
    const order: string[] = [];
    opt.register_step_pre_hook(() => {
      order.push("a");
      if (order.length === 1) opt.register_step_pre_hook(() => { order.push("b"); });
    });
    p.grad = new Tensor(new Float32Array([1, 1]), [2], "float32");
    opt.step();
    opt.step();
    expect(order).toEqual(["a", "a", "b"]);
  });
});
