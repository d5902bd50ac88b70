/**
 * Grad mode: whether ops record the autograd graph (torch.no_grad, torch.enable_grad,
 * torch.set_grad_enabled, torch.is_grad_enabled). Python's context managers become functions that
 * run a callback with the mode set and restore it afterwards, even when the callback throws.
 */

let enabled = true;

export function is_grad_enabled(): boolean {
  return enabled;
}

function run_with<T>(mode: boolean, fn: () => T): T {
  if (typeof fn !== "function") {
    throw new TypeError(`expected a function to run, got ${fn === null ? "null" : typeof fn}`);
  }
  const prev = enabled;
  enabled = mode;
  try {
    const r = fn();
    // An async callback: keep the mode for its whole run, as `with torch.no_grad():` around awaits would.
    if (r !== null && typeof r === "object" && typeof (r as { then?: unknown }).then === "function") {
      return (r as unknown as Promise<unknown>).finally(() => {
        enabled = prev;
      }) as unknown as T;
    }
    enabled = prev;
    return r;
  } catch (e) {
    enabled = prev;
    throw e;
  }
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
    return;
  }
  return run_with(mode, fn);
}

/** `inference_mode` behaves as no_grad here. */
export const inference_mode = no_grad;
