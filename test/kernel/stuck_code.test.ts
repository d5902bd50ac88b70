/**
 * Which stacks the control thread may terminate when the main thread does not take an interrupt
 * (kernel/src/kernel/stuck_code.ts): the user's code run from a timer, a tick or a promise,
 * never the kernel's own code or code under Node's I/O and event code.
 */
import { describe, expect, it } from "vitest";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { terminable } from "../../kernel/src/kernel/stuck_code";

// the module places the kernel's code beside itself: its build, or (here, under vitest) its sources
const dist = join(__dirname, "..", "..", "kernel", "src");
const url = (...p: string[]) => pathToFileURL(join(dist, ...p)).href;

describe("terminable", () => {
  it("a cell's continuation, with or without library frames above it or Node's task queues below", () => {
    expect(terminable(["<cell 3>"])).toBe(true);
    expect(terminable([url("tensor", "ops.ts"), url("optim", "sgd.ts"), "<cell 3>"])).toBe(true);
    expect(terminable(["<cell 8>", "node:internal/process/task_queues"])).toBe(true);
    // a timer's callback, or a continuation run between timers
    expect(terminable(["<cell 4>", "node:internal/timers", "node:internal/timers"])).toBe(true);
    expect(terminable(["<cell 7>", "node:internal/process/task_queues", "node:internal/timers", "node:internal/timers"])).toBe(true);
    expect(terminable(["/home/me/project/helpers.js", ""])).toBe(true);
  });

  it("not with the kernel's own code anywhere on the stack", () => {
    expect(terminable(["<cell 3>", url("kernel", "kernel.ts")])).toBe(false);
    expect(terminable([url("magics", "lr_find.ts"), "<cell 3>"])).toBe(false);
    expect(terminable(["/x/node_modules/typescript/lib/typescript.js"])).toBe(false);
    expect(terminable(["<cell 3>", "/x/node_modules/zeromq/lib/index.js"])).toBe(false);
  });

  it("not under Node's I/O or event code, and not a stack of Node's own code only", () => {
    expect(terminable(["<cell 4>", "node:internal/fs/utils"])).toBe(false);
    expect(terminable(["<cell 4>", "node:events"])).toBe(false);
    expect(terminable(["node:internal/process/task_queues"])).toBe(false);
    expect(terminable([])).toBe(false);
  });
});
