import { closeMatches } from "../../close_matches";
import { TypeError_, ValueError, ZeroDivisionError } from "./errors";

/**
 * A bad value as a message shows it: String(value), but a list keeps its brackets, as Python
 * prints one (`T_max=[10]` read "Expected positive T_max, but got 10", naming a valid value).
 */
export function shown(value: unknown): string {
  return Array.isArray(value) ? `[${value.map(shown).join(", ")}]` : String(value);
}

/** PyTorch's wording for integer hyperparameters that must be positive (`Expected positive integer T_0, but got 0`). */
export function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw ValueError(`Expected positive integer ${name}, but got ${shown(value)}`);
  }
  return value;
}

/**
 * An integer ≥ 0 (`total_iters` of ConstantLR, LinearLR, PolynomialLR: PyTorch accepts 0, a schedule
 * that never ramps or decays), or a clear error naming the argument.
 */
export function nonNegativeInteger(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw ValueError(`Expected non-negative integer ${name}, but got ${shown(value)}`);
  }
  return value;
}

/** A finite number, or a clear error naming the argument. */
export function finiteNumber(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw ValueError(`Expected a finite number for ${name}, but got ${shown(value)}`);
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

/** Whether `value` is one of a word-valued option's `words` (and, for the checker, which type it then has). */
export function isWord<W extends string>(value: unknown, words: readonly W[]): value is W {
  return (words as readonly unknown[]).includes(value);
}

/**
 * `'cos' or 'linear'`, `'triangular', 'triangular2' or 'exp_range'`: the words a word-valued option
 * takes, quoted as PyTorch's messages quote them (Python's repr of a str).
 */
export function quotedWords(words: readonly string[]): string {
  const quoted = words.map((w) => `'${w}'`);
  return quoted.length < 2 ? quoted.join("") : `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
}

/**
 * `"; did you mean 'cos'?"` when `value` is a misspelling of one of `words`, else "". A misspelt
 * word would otherwise leave the user to compare it letter by letter with the list. The matching
 * is the magics' own (closeMatches, close_matches.ts), so `anneal_strategy: "cosin"` in code
 * and `anneal_strategy=cosin` on a `%lr_schedule` line name the same word.
 */
export function closeWord(value: unknown, words: readonly string[]): string {
  if (typeof value !== "string") return "";
  const near = closeMatches(value, words);
  return near.length ? `; did you mean ${quotedWords(near)}?` : "";
}

/**
 * What a user function (LambdaLR's and MultiplicativeLR's lr_lambda, CyclicLR's scale_fn) returned,
 * as the factor the lr is multiplied by; a result that is no number is PyTorch's TypeError. In
 * Python such a function fails where JavaScript goes on: `lambda e: e.foo` raises in the lambda,
 * and a None result raises in `base_lr * None` ("unsupported operand type(s) for *"); here `e.foo`
 * is undefined, and `base_lr * undefined` a NaN lr that nothing reported. Numbers pass, NaN and
 * infinities included (Python's float('nan') goes through silently too), as do booleans (True * lr)
 * and one-element tensors (a tensor result works in PyTorch; here it acts as its number).
 */
export function factorOf(what: string, meaning: string, value: unknown, at: string): number {
  if (typeof value === "number" || typeof value === "boolean") return value as number;
  if (typeof value === "object" && value !== null && Symbol.toPrimitive in value) return value as unknown as number;
  const got = value === null ? "None" : value === undefined ? "undefined" : typeof value === "string" ? `'${value}'`
    : Array.isArray(value) ? "a list" : typeof value === "object" ? ((value as object).constructor?.name ?? "an object") : typeof value;
  throw TypeError_(`${what} must return a number (${meaning}), but returned ${got} at ${at}`);
}
