/**
 * An interrupted cell that awaits stops at its next `await`.
 *
 * The kernel interrupts an awaiting cell by ending its request (engine.ts: the race it awaits
 * is rejected), but nothing stopped the cell's own code: a loop such as
 * `while (true) { step(); await sleep(10); }` went on in the background after KeyboardInterrupt
 * was shown, training the model and printing under the next cells. So every `await` in a cell's
 * code (its top level and the functions it defines) waits through `__lrlab_await__` (a
 * `for await` loop through `__lrlab_await_iter__`), which throws KeyboardInterrupt there when
 * the run is interrupted (RunToken): the cell's code unwinds as from any exception, its
 * `finally` blocks run, and then its request ends.
 *
 * Which run: each awaiting cell runs in an AsyncLocalStorage context of its own (its token),
 * which its promises, timers and the functions it calls carry with them. A function a cell
 * defined and a later cell calls runs in the later cell's context. Code a cell started without
 * awaiting it (a timer's callback, a promise left running) is the cell's too, and stops at its
 * next await as well.
 *
 * The text is spliced: `await e` becomes `await __lrlab_await__(e)` on the same line, so the
 * cell's line map (line_map.ts) still holds; columns after it move by the call's length.
 */
import { AsyncLocalStorage } from "node:async_hooks";

type TS = any;

/**
 * A cell's run, as its awaits see it.
 *
 * An interrupt of a run that is still going (`interrupt`) is one KeyboardInterrupt, as Python's
 * Ctrl-C is: the awaits pending now throw it at once (the code unwinds, its `finally` blocks
 * run, and the cell's request ends with its promise, its output under it); when none is
 * pending, the next await throws it once its value has come. Code that catches it goes on: the
 * cell is still running, and a second interrupt is a second KeyboardInterrupt.
 *
 * Once the run's request has ended by an interrupt (`end`: its script was terminated, or a
 * synchronous cell was stopped), every later await of the run throws, for the work the cell
 * left running. Never synchronously and never before the awaited value has come: a loop that
 * catches it around its await still waits as it did, instead of spinning without yielding
 * (which held the kernel at 100% CPU, growing, until it was killed).
 */
/** RunTokens made so far: each token's serial, in the order runs started. */
let made = 0;

export class RunToken {
  /** Runs started later have larger serials (kernel.ts: whose cell an uncaught error is). */
  readonly serial = ++made;
  /** The run's request ended by an interrupt. */
  ended = false;
  /** An interrupt no await has taken yet. */
  private pending = false;
  /** The awaits pending now, each stopped by calling it. */
  readonly waiting = new Set<() => void>();

  interrupt(): void {
    if (this.waiting.size === 0) { this.pending = true; return; }
    const stops = [...this.waiting];
    this.waiting.clear();
    for (const stop of stops) stop();
  }

  end(): void {
    this.ended = true;
    this.interrupt();
  }

  /** Whether an await that just got its value must throw instead (and takes the interrupt). */
  takeInterrupt(): boolean {
    if (this.ended) return true;
    if (!this.pending) return false;
    this.pending = false;
    return true;
  }
}

const runs = new AsyncLocalStorage<RunToken>();

/** The serial the next run's token gets. */
export function nextRunSerial(): number {
  return made + 1;
}

/**
 * The run whose asynchronous context this is, if any: inside Node's uncaughtException and
 * unhandledRejection handlers, the context the error was raised in (a timer or promise a cell
 * started carries that cell's run).
 */
export function currentRun(): RunToken | undefined {
  return runs.getStore();
}

/** Runs `fn` (a cell's script) in `token`'s context: its awaits check that token. */
export function inRun<T>(token: RunToken, fn: () => T): T {
  return runs.run(token, fn);
}

export const GUARD = "__lrlab_await__";
export const GUARD_ITER = "__lrlab_await_iter__";

/**
 * Installs the globals the guarded code calls. `interrupted()` makes the error thrown in an
 * interrupted run (the kernel's KeyboardInterrupt).
 */
export function installGuard(interrupted: () => Error): void {
  const g = globalThis as Record<string, unknown>;
  if (g[GUARD]) return;
  const guard = (value: unknown): unknown => {
    const token = runs.getStore();
    if (token === undefined) return value; // not inside a cell's run: as plain `await`
    return new Promise((resolve, reject) => {
      let settled = false;
      const stop = () => { if (!settled) { settled = true; reject(interrupted()); } };
      token.waiting.add(stop);
      const settle = (ok: boolean, v: unknown) => {
        token.waiting.delete(stop);
        if (settled) return;
        settled = true;
        if (token.takeInterrupt()) reject(interrupted());
        else if (ok) resolve(v);
        else reject(v);
      };
      Promise.resolve(value).then((v) => settle(true, v), (e) => settle(false, e));
    });
  };
  Object.defineProperty(g, GUARD, { value: guard, enumerable: false, configurable: true });
  // `for await (x of it)`: the loop's own awaits, one per element, through the same guard
  async function* guardIter(iterable: AsyncIterable<unknown> | Iterable<unknown>): AsyncGenerator<unknown> {
    for await (const v of iterable) yield await guard(v);
  }
  Object.defineProperty(g, GUARD_ITER, { value: guardIter, enumerable: false, configurable: true });
}

/**
 * `js` with each `await e` as `await __lrlab_await__(e)` and each `for await (x of e)` as
 * `for await (x of __lrlab_await_iter__(e))`; `js` itself when it has no await.
 * `topLevelAwait`: whether the engine runs `js` in an async function.
 */
export function guardAwaits(js: string, ts: TS, topLevelAwait = true): string {
  if (!/\bawait\b/.test(js)) return js;
  // Parsed inside the function the engine runs it in (async for a cell with top-level await):
  // at a script's top level `await (x)` reads as a call of a function named await.
  const head = topLevelAwait ? "(async function () {\n" : "(function () {\n";
  const sf = ts.createSourceFile("cell.js", `${head}${js}\n})`, ts.ScriptTarget.Latest, /*setParentNodes*/ false, ts.ScriptKind.JS);
  const inserts: { at: number; text: string; order: number }[] = [];
  const visit = (node: TS): void => {
    const wrapped = node.kind === ts.SyntaxKind.AwaitExpression ? [node.expression, GUARD]
      : node.kind === ts.SyntaxKind.ForOfStatement && node.awaitModifier ? [node.expression, GUARD_ITER] : null;
    if (wrapped) {
      const [operand, fn] = wrapped;
      // opening before closing at one position never happens: an operand is never empty
      inserts.push({ at: operand.getStart(sf) - head.length, text: `${fn}(`, order: 0 });
      inserts.push({ at: operand.end - head.length, text: ")", order: 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (inserts.length === 0) return js;
  inserts.sort((a, b) => b.at - a.at || b.order - a.order);
  let out = js;
  for (const ins of inserts) out = out.slice(0, ins.at) + ins.text + out.slice(ins.at);
  return out;
}
