import { ValueError } from "./errors";

/** PyTorch's wording for integer hyperparameters that must be positive (`Expected positive integer T_0, but got 0`). */
export function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw ValueError(`Expected positive integer ${name}, but got ${String(value)}`);
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
