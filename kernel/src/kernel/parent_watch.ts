/**
 * A kernel must not outlive the process that started it, nor spin when its output pipes close.
 *
 * - The Jupyter server (or nbclient, `jupyter console`, ...) starts the kernel as its child and
 *   asks it to shut down at the end. When that process dies instead (killed, crashed), nothing
 *   will ever ask: the orphaned kernel would run on forever. Like ipykernel's ParentPollerUnix,
 *   the kernel checks once a second whether it was orphaned (its parent pid changed, to init or
 *   a subreaper) and then shuts down.
 * - Its stdout/stderr are pipes to that process. Once the reader is gone every write fails with
 *   EPIPE, emitted as an 'error' event; with no listener that is an uncaught exception, which the
 *   kernel logs to stderr, which fails again: a loop at 100% CPU (seen on orphaned kernels).
 *   Write errors on the process's own streams are therefore ignored: logging is best effort.
 */

/** Ignore write errors (EPIPE, ...) on process.stdout and process.stderr. */
export function ignoreBrokenPipes(): void {
  for (const s of [process.stdout, process.stderr]) s.on("error", () => { /* the reader is gone: nothing to tell it */ });
}

/** The parent when this module loaded (the kernel imports it first thing): the one to outlive not. */
const startParent = process.ppid;

/**
 * Calls `onGone` (once) when the parent this process had when it started has exited, checked
 * every `everyMs` (so also when it died before this was called). Returns a function that stops
 * watching. The timer does not keep the process alive.
 */
export function watchParent(onGone: () => void, everyMs = 1000, parent = startParent): () => void {
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
