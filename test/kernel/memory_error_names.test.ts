/**
 * What a name reads as after a MemoryError cleared it (heap_limit.ts MemoryError.cleared,
 * unassigned.ts). Before: "arr is not defined: the cell that declares it stopped with an error
 * before assigning it", also for a name the cell had assigned and the MemoryError then cleared (a
 * user's pass); now each says what happened. The kernel's own run is in robustness_userC.test.ts.
 */
import { describe, expect, it } from "vitest";
import { MemoryError } from "../../kernel/src/kernel/heap_limit";
import { markUnassigned } from "../../kernel/src/kernel/unassigned";

/** The ReferenceError message a read of `scope[name]` throws. */
function readError(scope: Record<string, unknown>, name: string): string {
  try {
    void scope[name];
  } catch (e) {
    expect(e).toBeInstanceOf(ReferenceError);
    return (e as Error).message;
  }
  throw new Error(`reading ${name} did not throw`);
}

describe("names of a cell stopped by a MemoryError", () => {
  it("a name the cell assigned and the MemoryError cleared says it was cleared; one never assigned says so; small values stay", () => {
    // the engine marks every name the cell declares as unassigned when it starts; the cell assigned two
    const scope: Record<string, unknown> = {};
    markUnassigned(scope, ["arr", "n", "later"]);
    scope.arr = [1, 2, 3];
    scope.n = 4;
    const err = new MemoryError(160 * 2 ** 20);
    err.cleared(scope, ["arr", "n", "later"]);
    expect(err.message).toContain("the names it declared (arr) were cleared to free the heap");
    expect(readError(scope, "arr")).toBe("arr is not defined: it was cleared to free the heap when the cell that declares it stopped with a MemoryError; assign it again");
    expect(readError(scope, "later")).toBe("later is not defined: the cell that declares it stopped with an error before assigning it");
    expect(scope.n).toBe(4);
    // assigned again: a value as any other
    scope.arr = [];
    expect(scope.arr).toEqual([]);
  });
});
