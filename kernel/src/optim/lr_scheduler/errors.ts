/**
 * Python's exception kinds (ValueError, RuntimeError, ...): moved to kernel/src/errors.ts, a
 * neutral module shared with torch.nn; re-exported here so the scheduler's and swa_utils' imports
 * keep working.
 */
export { AssertionError, KeyError, NotImplementedError, RuntimeError, TypeError_, ValueError, ZeroDivisionError } from "../../errors";
