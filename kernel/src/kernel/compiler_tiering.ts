/**
 * TypeScript's compiler runs under a larger V8 interrupt budget than the rest of the kernel.
 *
 * V8 counts the bytecode a function runs against its "interrupt budget"; each time the budget is
 * used up, the function is considered for its optimizing compiler (TurboFan). Node 20's V8 uses
 * 67,584 bytes. TypeScript's checker, binder and emitter are large and polymorphic: under that
 * budget, a kernel that compiles new cells keeps optimizing them (and deoptimizing some), on the
 * compiler threads the kernel shares two cores with, and a new 10-line cell took anywhere from
 * 2.5 to 16 ms of compile for the same work. Under a budget of 1,000,000 the same cells take
 * 3-4 ms, steadily (bench/NOTES.md, "Session 30").
 *
 * The budget is a V8 flag, read whenever a function's budget is renewed, so it can be set for a
 * span of code: raised while the converter runs (a cell's check and emit, the warm-up's), put back
 * before the cell's own code runs. The training library is not compiled under it: set for the
 * whole process, the larger budget made its steady state up to ~25% slower (seed Example 1, Adam
 * on Linear(10, 1)), because its hot functions reach TurboFan later. One set costs ~2 µs.
 *
 * A script with a V8 code cache (TypeScript itself, code_cache.ts) is loaded outside the span:
 * V8 checks a cache against the flags of the moment, and the cache is written under V8's own.
 *
 * Node's documentation warns that a flag changed after start may race with V8's other threads.
 * This one is an integer that V8 reads, on the thread of the isolate concerned, when it renews a
 * function's budget; nothing is allocated or freed by the change. One fresh-clone test run of
 * session 30 had a kernel stop answering mid-file (live.test.ts), not seen again in the runs
 * after nor reproduced under load; bench/NOTES.md "Session 30" says what to try if it recurs.
 *
 * LRLAB_COMPILER_BUDGET=<bytes> picks another budget; 0 leaves V8's alone (for A/B runs, and to
 * rule this out).
 */
import * as v8 from "node:v8";

/**
 * V8's own budget in this process, to put back: the one Node was started with, else the default
 * of a V8 whose default is known (Node 20's V8 11.3: 67,584). Null for another V8 (Node 22 and
 * later tier up differently; their default is not read from V8 and nothing was measured there):
 * then the budget is left alone.
 */
function defaultBudget(): number | null {
  for (const a of process.execArgv) {
    const m = /^--interrupt[-_]budget=(\d+)$/.exec(a);
    if (m) return Number(m[1]);
  }
  return process.versions.v8.startsWith("11.3.") ? 67_584 : null;
}

const COMPILER_BUDGET = 1_000_000;

function compilerBudget(): number {
  const env = process.env.LRLAB_COMPILER_BUDGET;
  if (env === undefined || env === "") return COMPILER_BUDGET;
  const n = Number(env);
  return Number.isInteger(n) && n >= 0 ? n : COMPILER_BUDGET;
}

let depth = 0;

/**
 * The budget of the kernel's warm-up compiles (Engine.warmCompile), smaller than the cells': they
 * run only to get TypeScript's checker and emitter optimized before the user's first cell, and
 * under it 15 of them warm the compiler as much as 40 under the cells' budget (a new 10-line cell
 * after them: p50 4.81 against 4.88 ms, 5.95 ms with none; 8 alternated runs of 30 cells each,
 * bench/NOTES.md "Session 32") in less than half the time (~0.3 s against ~0.7 s on a 2-core
 * machine), so that they are done before a first cell that comes ~2 s after the kernel is ready.
 */
export const WARM_COMPILE_BUDGET = 200_000;

/**
 * Runs `f` (TypeScript's compiler at work) under the compiler's interrupt budget, or under
 * `budget` (the warm-up's) when given and the budget is not set by LRLAB_COMPILER_BUDGET.
 */
export function underCompilerBudget<T>(f: () => T, budget?: number): T {
  // the outermost span raises the budget and puts V8's own (`back`) back; nested ones do nothing
  const to = depth === 0 ? (budget !== undefined && !process.env.LRLAB_COMPILER_BUDGET ? budget : compilerBudget()) : 0;
  const back = to > 0 ? defaultBudget() : null;
  if (back !== null) v8.setFlagsFromString(`--interrupt-budget=${to}`);
  depth++;
  try {
    return f();
  } finally {
    depth--;
    if (back !== null) v8.setFlagsFromString(`--interrupt-budget=${back}`);
  }
}
