/**
 * Grad mode: whether ops record the autograd graph (torch.no_grad, torch.enable_grad,
 * torch.set_grad_enabled, torch.is_grad_enabled). Python's context managers become functions that
 * run a callback with the mode set and restore it afterwards, even when the callback throws.
 */

let enabled = true;
/** The mode set outside every scope: what an interrupted cell goes back to (see below). */
let topLevel = true;
/** Scopes (no_grad, enable_grad, set_grad_enabled with a callback) running now. */
let depth = 0;
/** Bumped by reset_grad_scopes: scopes opened before it leave the mode alone when they end. */
let generation = 0;

export function is_grad_enabled(): boolean {
  return enabled;
}

function run_with<T>(mode: boolean, fn: () => T): T {
  if (typeof fn !== "function") {
    throw new TypeError(`expected a function to run, got ${fn === null ? "null" : typeof fn}`);
  }
  const prev = enabled;
  const gen = generation;
  const restore = () => {
    if (gen !== generation) return;
    enabled = prev;
    depth--;
  };
  enabled = mode;
  depth++;
  try {
    const r = fn();
    // An async callback: keep the mode for its whole run, as `with torch.no_grad():` around awaits would.
    if (r !== null && typeof r === "object" && typeof (r as { then?: unknown }).then === "function") {
      return (r as unknown as Promise<unknown>).finally(restore) as unknown as T;
    }
    restore();
    return r;
  } catch (e) {
    restore();
    throw e;
  }
}

/**
 * Back to the top-level mode, forgetting every open scope. For the kernel, after an interrupted
 * cell: the interrupt terminates the script without running `finally` blocks (or leaves an
 * awaited callback pending), so a `no_grad` scope inside `optimizer.step()` would otherwise leave
 * gradients off for every later cell.
 */
export function reset_grad_scopes(): void {
  if (depth === 0) return;
  generation++;
  depth = 0;
  enabled = topLevel;
}

/** Runs `fn` without recording gradients and returns its result: `torch.no_grad(() => ...)`. */
export function no_grad<T>(fn: () => T): T {
  return run_with(false, fn);
}

/** Runs `fn` with gradient recording on (inside a no_grad block, for instance). */
export function enable_grad<T>(fn: () => T): T {
  return run_with(true, fn);
}

/**
 * `set_grad_enabled(mode)` sets the mode globally (as the Python function call does);
 * `set_grad_enabled(mode, fn)` runs `fn` with it and restores the previous mode.
 */
export function set_grad_enabled(mode: boolean): void;
export function set_grad_enabled<T>(mode: boolean, fn: () => T): T;
export function set_grad_enabled<T>(mode: boolean, fn?: () => T): T | void {
  if (typeof mode !== "boolean") throw new TypeError(`set_grad_enabled(): mode must be a boolean, got ${typeof mode}`);
  if (fn === undefined) {
    enabled = mode;
    if (depth === 0) topLevel = mode;
    return;
  }
  return run_with(mode, fn);
}

/** `inference_mode` behaves as no_grad here. */
export const inference_mode = no_grad;
