/**
 * How many times a gradient tensor was zeroed in place: by `zero_grad(false)` (Optimizer's or
 * Module's; `set_to_none: false`), or by hand (`p.grad.zero_()`, `fill_(0)`: any tensor's zero_()
 * is noted). The tracer tells gradient accumulation (backward() adds into the same gradient
 * between two logged losses) from zeroing between them (trace.ts microLoss): a gradient replaced
 * (set_to_none, the default) says it, and for one zeroed in place this count does (users' passes:
 * zero_grad(false), then p.grad.zero_(), in the micro-batch loop were called accumulation). A
 * WeakMap, so a gradient's count goes with it; the tensors' own shape is untouched.
 */
import type { Tensor } from "./tensor";

const ZEROED = new WeakMap<Tensor, number>();

/** Notes that `g` was zeroed in place. */
export function noteZeroed(g: Tensor): void {
  ZEROED.set(g, (ZEROED.get(g) ?? 0) + 1);
}

/** How many times `g` was zeroed in place (0: never). */
export function zeroedCount(g: Tensor): number {
  return ZEROED.get(g) ?? 0;
}
