/**
 * Python's exception kinds for PyTorch-worded errors, shared by torch.nn, torch.optim and the
 * rest of the library: the `name` makes a stack trace read `ValueError: ...` as it would in
 * Python, and callers can still `instanceof Error` (TypeError_ gives a real TypeError).
 *
 * `throw ValueError("...")` builds the error here, but its stack starts at the caller (V8's
 * Error.captureStackTrace with the helper as the cut-off), so a user's traceback begins at the
 * op that raised, not at this module. (This lived in optim/lr_scheduler/errors.ts, which
 * re-exports it.)
 */

type Helper = (message: string) => Error;

/** V8's (Node's) stack capture; absent elsewhere, where the error keeps the stack it was born with. */
const captureStackTrace = (Error as { captureStackTrace?: (target: object, constructorOpt?: Function) => void }).captureStackTrace;

function named(name: string, ctor: ErrorConstructor, message: string, helper: Helper): Error {
  const error = new ctor(message);
  error.name = name;
  // re-taken after the name is set, so the stack's first line reads `ValueError: ...`
  if (typeof captureStackTrace === "function") captureStackTrace(error, helper);
  return error;
}

export function ValueError(message: string): Error {
  return named("ValueError", Error, message, ValueError);
}
export function KeyError(message: string): Error {
  return named("KeyError", Error, message, KeyError);
}
export function NotImplementedError(message: string): Error {
  return named("NotImplementedError", Error, message, NotImplementedError);
}
/** Python's TypeError, as a JS TypeError (the underscore keeps the global TypeError usable). */
export function TypeError_(message: string): Error {
  return named("TypeError", TypeError, message, TypeError_);
}
export function ZeroDivisionError(message: string): Error {
  return named("ZeroDivisionError", Error, message, ZeroDivisionError);
}
export function RuntimeError(message: string): Error {
  return named("RuntimeError", Error, message, RuntimeError);
}
/** Python's AttributeError (Module.get_submodule / get_parameter / get_buffer). */
export function AttributeError(message: string): Error {
  return named("AttributeError", Error, message, AttributeError);
}
export function AssertionError(message: string): Error {
  return named("AssertionError", Error, message, AssertionError);
}

/**
 * PyTorch's kind on the shape and dtype checks lrlab threw as JS RangeError / TypeError: the name
 * is PyTorch's (a traceback reads `RuntimeError: ...`), while `instanceof RangeError` /
 * `instanceof TypeError` stay true for code written against the kind lrlab threw before.
 */
export function RuntimeRangeError(message: string): Error {
  return named("RuntimeError", RangeError, message, RuntimeRangeError);
}
export function RuntimeTypeError(message: string): Error {
  return named("RuntimeError", TypeError, message, RuntimeTypeError);
}
/** PyTorch's ValueError where lrlab threw a RangeError (still one). */
export function ValueRangeError(message: string): Error {
  return named("ValueError", RangeError, message, ValueRangeError);
}
/** PyTorch's NotImplementedError ("... not implemented for 'Bool'") where lrlab threw a TypeError (still one). */
export function NotImplementedTypeError(message: string): Error {
  return named("NotImplementedError", TypeError, message, NotImplementedTypeError);
}
