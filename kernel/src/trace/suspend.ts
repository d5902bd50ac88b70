/**
 * Tracing pause: `preview()` steps a throw-away optimizer and `find()` steps the user's own
 * through a range of rates; neither should show up in a trace (a `%%lr_trace` cell running a
 * preview, or a Trace on the optimizer being range-tested). While `suspended()` is true the
 * tracers ignore steps.
 */
let depth = 0;
/** Bumped by reset_suspend: pauses begun before it do not touch `depth` when they end. */
let generation = 0;

export function suspended(): boolean {
  return depth > 0;
}

/** Run `fn` with tracing paused (nestable). */
export function withoutTracing<T>(fn: () => T): T {
  const gen = generation;
  depth++;
  try {
    return fn();
  } finally {
    if (gen === generation) depth--;
  }
}

/** No pause open any more: for the kernel after an interrupted cell (grad_mode.ts says why). */
export function reset_suspend(): void {
  generation++;
  depth = 0;
}
