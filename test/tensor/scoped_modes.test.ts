/**
 * Scoped library modes after an interrupted cell. An interrupt terminates the script without
 * running `finally` blocks, or leaves an awaited callback pending: the kernel then calls
 * reset_grad_scopes / reset_suspend (engine.ts; the real interrupt is tested in
 * test/kernel/live.test.ts). Here the never-ending scope is an async callback that never settles;
 * with_cleanup is checked on the paths that do end (the interrupted one is a kernel test).
 */
import { describe, expect, it } from "vitest";
import { enable_grad, is_grad_enabled, no_grad, reset_grad_scopes, set_grad_enabled } from "../../kernel/src/tensor/grad_mode";
import { reset_suspend, suspended, withoutTracing } from "../../kernel/src/trace/suspend";
import { run_interrupted_cleanups, with_cleanup } from "../../kernel/src/interrupt_cleanup";

describe("reset_grad_scopes", () => {
  it("forgets scopes that never ended and goes back to the mode set at top level", async () => {
    let finish: () => void = () => {};
    const pending = no_grad(() => new Promise<void>((r) => { finish = r; }));
    expect(is_grad_enabled()).toBe(false);
    reset_grad_scopes();
    expect(is_grad_enabled()).toBe(true);
    // the old scope ending later leaves the mode alone (it was reset: not the scope's any more)
    set_grad_enabled(false);
    finish();
    await pending;
    expect(is_grad_enabled()).toBe(false);
    set_grad_enabled(true);
  });

  it("keeps a mode set at top level, and does nothing when no scope is open", () => {
    set_grad_enabled(false);
    reset_grad_scopes();
    expect(is_grad_enabled()).toBe(false);
    void enable_grad(() => new Promise<void>(() => {})); // open, never ends
    expect(is_grad_enabled()).toBe(true);
    reset_grad_scopes();
    expect(is_grad_enabled()).toBe(false);
    set_grad_enabled(true);
    // a set_grad_enabled inside a scope is the scope's business: the scope's end restores
    no_grad(() => set_grad_enabled(true));
    expect(is_grad_enabled()).toBe(true);
    reset_grad_scopes();
    expect(is_grad_enabled()).toBe(true);
  });
});

describe("reset_suspend", () => {
  it("ends a tracing pause that never ended; pauses begun before leave the count alone", () => {
    let inner = false;
    const paused = withoutTracing(() => {
      reset_suspend(); // as if the kernel reset mid-pause
      inner = suspended();
      return 1;
    });
    expect(paused).toBe(1);
    expect(inner).toBe(false);
    expect(suspended()).toBe(false); // the pause's end did not drive the count below zero
    withoutTracing(() => expect(suspended()).toBe(true));
    expect(suspended()).toBe(false);
  });
});

describe("with_cleanup (interrupt_cleanup.ts)", () => {
  it("runs the clean-up once when the code returns or throws, and leaves nothing for an interrupt", () => {
    const ran: string[] = [];
    expect(with_cleanup(() => ran.push("a"), () => 7)).toBe(7);
    expect(() => with_cleanup(() => ran.push("b"), () => { throw new Error("boom"); })).toThrow("boom");
    with_cleanup(() => ran.push("outer"), () => with_cleanup(() => ran.push("inner"), () => null));
    expect(ran).toEqual(["a", "b", "inner", "outer"]);
    expect(run_interrupted_cleanups()).toEqual([]);
    expect(ran).toEqual(["a", "b", "inner", "outer"]);
  });
});
