/**
 * Python's exception kinds for PyTorch-worded errors: the `name` makes a stack trace read
 * `ValueError: ...` as it would in Python, and callers can still `instanceof Error`.
 */

function named(name: string, ctor: ErrorConstructor, message: string): Error {
  const error = new ctor(message);
  error.name = name;
  return error;
}

export const ValueError = (message: string): Error => named("ValueError", Error, message);
export const KeyError = (message: string): Error => named("KeyError", Error, message);
export const NotImplementedError = (message: string): Error => named("NotImplementedError", Error, message);
export const TypeError_ = (message: string): Error => named("TypeError", TypeError, message);
export const ZeroDivisionError = (message: string): Error => named("ZeroDivisionError", Error, message);
export const RuntimeError = (message: string): Error => named("RuntimeError", Error, message);
export const AssertionError = (message: string): Error => named("AssertionError", Error, message);
