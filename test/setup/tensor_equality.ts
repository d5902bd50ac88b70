/**
 * Tensors are iterable (their slices along dim 0, as PyTorch's: tensor.ts `[Symbol.iterator]`), and
 * vitest's toEqual compares iterables by iterating them: two tensors would be compared row by row,
 * down to 0-d tensors, whose iteration is a TypeError. The tests compared tensors (and objects
 * holding them) by their fields before: this keeps that, for tensors of any build (kernel/src, or
 * kernel/dist through test/kernel/dist.ts: two Tensor classes, told by their shape).
 */
import { expect } from "vitest";
import type { Tester, TesterContext } from "@vitest/expect";

type Fields = Record<string | symbol, unknown>;

const isTensor = (x: unknown): x is Fields =>
  typeof x === "object" && x !== null && Symbol.iterator in x && Array.isArray((x as Fields).shape)
  && typeof (x as Fields).dtype === "string" && typeof (x as Fields).select === "function";

expect.addEqualityTesters([
  function tensorFields(this: TesterContext, a: unknown, b: unknown, testers: Tester[]) {
    if (!isTensor(a) || !isTensor(b)) return undefined;
    // their own fields as plain objects (what toEqual compared before), nested tensors by this again
    return this.equals({ ...a }, { ...b }, testers);
  },
]);
