/**
 * Clean-ups that must run even when a kernel interrupt ends the code that owns them.
 *
 * The kernel interrupts a busy cell by terminating its script (Node's `breakOnSigint`), which
 * unwinds without running `finally` blocks. Library code whose `finally` puts the user's objects
 * back (the range test restores the model, a schedule preview the optimizer) registers that
 * clean-up here for its extent; after an interrupted cell the kernel runs what is left, newest
 * first (kernel/engine.ts). Outside a kernel, or without an interrupt, `finally` runs it as usual
 * and nothing is left here.
 */

const pending: (() => void)[] = [];

/** Runs `fn`, then `cleanup` (in `finally`), and `cleanup` after an interrupt that ends `fn`. */
export function with_cleanup<T>(cleanup: () => void, fn: () => T): T {
  pending.push(cleanup);
  try {
    return fn();
  } finally {
    const at = pending.lastIndexOf(cleanup);
    if (at >= 0) pending.splice(at, 1);
    cleanup();
  }
}

/**
 * The clean-ups of code an interrupt ended, newest first; returns the errors they threw (each is
 * run whatever the others do).
 */
export function run_interrupted_cleanups(): unknown[] {
  const errors: unknown[] = [];
  while (pending.length > 0) {
    const c = pending.pop() as () => void;
    try {
      c();
    } catch (e) {
      errors.push(e);
    }
  }
  return errors;
}
