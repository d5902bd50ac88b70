/**
 * β1^t and β2^t of Adam's last step (adam.ts `adamScalars` writes them as it computes them).
 * The tracer's measure of Adam's factor at the same step needs the same two powers
 * (trace/preconditioned.ts `adamView`): it reads them here when (t, β1, β2) are the ones it
 * needs, rather than computing them again (two calls of V8's pow, ~0.1 µs of a tiny model's
 * ~8 µs step). Only the last step's: it saves the tracer's work within a step, never across
 * runs. The same numbers either way: `**` is a function of its operands.
 */
export const adamPowers = { t: NaN, b1: NaN, b2: NaN, p1: NaN, p2: NaN };

/** β^t of `beta1` and `beta2`, kept as the last step's (numbers only: a β given as a tensor is not kept). */
export function takeAdamPowers(t: number, beta1: number, beta2: number): void {
  const k = adamPowers;
  if (typeof beta1 === "number" && typeof beta2 === "number") {
    k.t = t;
    k.b1 = beta1;
    k.b2 = beta2;
    k.p1 = beta1 ** t;
    k.p2 = beta2 ** t;
  } else {
    // (NaN never equals: a reader computes its own)
    k.t = NaN;
    k.p1 = beta1 ** t;
    k.p2 = beta2 ** t;
  }
}
