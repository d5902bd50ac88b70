/**
 * Tracing pause: `preview()` steps a throw-away optimizer and `find()` steps the user's own
 * through a range of rates; neither should show up in a trace (a `%%lr_trace` cell running a
 * preview, or a Trace on the optimizer being range-tested). While `suspended()` is true the
 * tracers ignore steps.
 */
let depth = 0;

export function suspended(): boolean {
  return depth > 0;
}

/** Run `fn` with tracing paused (nestable). */
export function withoutTracing<T>(fn: () => T): T {
  depth++;
  try {
    return fn();
  } finally {
    depth--;
  }
}
