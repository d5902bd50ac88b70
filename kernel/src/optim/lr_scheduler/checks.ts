import { ValueError, ZeroDivisionError } from "./errors";

/** PyTorch's wording for integer hyperparameters that must be positive (`Expected positive integer T_0, but got 0`). */
export function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw ValueError(`Expected positive integer ${name}, but got ${String(value)}`);
  }
  return value;
}

/**
 * An integer ≥ 0 (`total_iters` of ConstantLR, LinearLR, PolynomialLR: PyTorch accepts 0, a schedule
 * that never ramps or decays), or a clear error naming the argument.
 */
export function nonNegativeInteger(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw ValueError(`Expected non-negative integer ${name}, but got ${String(value)}`);
  }
  return value;
}

/** A finite number, or a clear error naming the argument. */
export function finiteNumber(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw ValueError(`Expected a finite number for ${name}, but got ${String(value)}`);
  }
  return value;
}

/** PyTorch's closed forms of LinearLR and PolynomialLR divide by total_iters: at 0, ZeroDivisionError. */
export function closedFormDivision(cls: string): Error {
  return ZeroDivisionError(
    `${cls} with total_iters=0 has no closed form (it divides by total_iters; PyTorch: ZeroDivisionError): ` +
      "step(epoch) and a SequentialLR milestone that restarts it need total_iters >= 1. Step it with step() instead.",
  );
}
