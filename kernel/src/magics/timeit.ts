/**
 * %timeit: times one statement, IPython style. The statement is compiled once as the body of a
 * function in the cells' scope; then, with `-n` absent, the loop count goes 1, 2, 5, 10, 20, 50, ...
 * (IPython's autorange) until one run of the loop takes at least 0.2 s; `-r` repeats (default 7)
 * give the mean ± standard deviation of the per-loop time:  mean = Σtᵢ/r, std = sqrt(Σ(tᵢ-mean)²/r).
 *
 * An expression is compiled as the function's return value, and the loop keeps every value it
 * returns: otherwise V8's optimizer drops a pure expression whose value nobody reads, and
 * `%timeit Math.sqrt(2)` timed an empty loop.
 *
 * %%timeit, the cell form (IPython's too): times the lines after the first; a statement on the
 * first line, after the options, is setup, run before each run of the loop and not timed, its
 * names visible to the timed code. It was "%%timeit is not a cell magic; use %timeit".
 */
import type { Magic, MagicContext } from "./types";
import { didYouMean, MagicError, parseArgs } from "./parser";
import { formatSeconds } from "./time";

const OPTIONS: Magic["options"] = [
  { name: "number", short: "n", type: "int", help: "loops per run (chosen automatically when absent)" },
  { name: "repeat", short: "r", type: "int", help: "runs", default: 7 },
];

/** Leading options (--number N, --repeat=R, -n N, -nN, -r R): where the code after them starts. */
function codeStart(args: string): number {
  return /^(?:\s*(?:--(?:number|repeat)(?:=|\s+)|-[nr]\s*)\S+)*\s*/.exec(args)![0].length;
}

export const timeit: Magic = {
  name: "timeit",
  kind: "line",
  usage: "[-n N | --number N] [-r R | --repeat R] <statement>",
  help: "Times a statement: mean ± std. dev. of R runs of N loops each.\nExample: %timeit torch.randn(100, 100).matmul(torch.randn(100, 100))",
  options: OPTIONS,
  raw: true,
  codeStart,
  async run(ctx, rawArgs) {
    // Leading --number/--repeat options, then the statement exactly as written.
    const usage = "%timeit " + this.usage;
    const text = rawArgs.positional[0] ?? "";
    const at = codeStart(text);
    const stmt = text.slice(at);
    if (!stmt.trim()) throw new MagicError("%timeit needs a statement to time", usage);
    await timeCode(ctx, this, usage, text.slice(0, at), "", stmt);
  },
};

export const timeitCell: Magic = {
  name: "timeit",
  kind: "cell",
  usage: "[-n N | --number N] [-r R | --repeat R] [setup statement] (then the code to time on the following lines)",
  help: "Times the cell's code, the lines after the first: mean ± std. dev. of R runs of N loops each.\n"
    + "A statement on the first line, after the options, is setup: run before each run, not timed; the code sees its names.\n"
    + "Example:\n  %%timeit -n 20 const x = torch.randn(256, 256);\n  const y = x.matmul(x);\n  y.relu();",
  options: OPTIONS,
  raw: true,
  codeStart,
  async run(ctx, rawArgs, body) {
    const usage = "%%timeit " + this.usage;
    const text = rawArgs.positional[0] ?? "";
    const at = codeStart(text);
    const code = body ?? "";
    if (!code.trim()) {
      throw new MagicError("%%timeit times the code on the lines after %%timeit, and there is none; for one statement: %timeit <statement>", usage);
    }
    await timeCode(ctx, this, usage, text.slice(0, at), text.slice(at), code);
  },
};

/**
 * Times `stmt` (after `setup`, run before each run of the loop) and prints IPython's line.
 * `options` is the text of the leading options; a cell's `stmt` starts with the newlines that keep
 * its lines numbered as in the cell.
 */
async function timeCode(ctx: MagicContext, magic: Magic, usage: string, options: string, setup: string, stmt: string): Promise<void> {
  // IPython's short forms -n N (or -nN), -r R are the options' `short` (parser.ts)
  const args = parseArgs(options, magic.options, usage);
  const repeat = Number(args.flags.repeat);
  if (repeat < 1) throw new MagicError("--repeat must be at least 1", usage);
  let factory: () => unknown;
  try {
    factory = await compileStatement(ctx.runCode, stmt, setup);
  } catch (e) {
    // `-x 1+1`: an option this magic does not have, read as code, gave TypeScript's errors
    // ("Cannot find name 'x'"). A statement may start with - or -- (`-x + 1`, `--i`), so only
    // one that does not compile is taken for an option.
    const first = setup.trim() !== "" || magic.kind === "cell" ? setup : stmt;
    const option = /^-{1,2}[A-Za-z][\w-]*/.exec(first)?.[0];
    if (option !== undefined) {
      // `%timeit -n` (nothing after it): the option's value is missing, not the option unknown
      const known = magic.options.find((o) => option === `--${o.name}` || option === `-${o.short}`);
      if (known !== undefined && first.trim() === option) {
        throw new MagicError(`option -${known.short}/--${known.name} needs a value (${known.type}), then the ${magic.kind === "cell" ? "setup, if any" : "statement"}`, usage);
      }
      const near = didYouMean(option, magic.options.map((o) => `--${o.name}`));
      throw new MagicError(`unknown option ${option}${near}; allowed: ${magic.options.map((o) => `-${o.short}/--${o.name}`).join(", ")} (before the ${magic.kind === "cell" ? "setup" : "statement"})`, usage);
    }
    throw e;
  }
  // A statement that awaits (`%timeit await fetchBatch()`) is an async function, each call
  // awaited in the loop (as IPython times `await`); it was "'await' expressions are only
  // allowed within async functions". A setup that awaits is awaited before each run.
  // Interruptible as a cell is (they ran to their end before): the synchronous loop runs
  // inside a script run that SIGINT stops (engine.runInterruptible), the asynchronous one is
  // awaited so that an interrupt ends it (engine.interruptible).
  const asyncStmt = isAsync(stmt);
  const anyAsync = asyncStmt || isAsync(setup);
  const loop = !anyAsync
    ? async (n: number) => ctx.engine.runInterruptible(() => {
      const fn = factory() as () => unknown;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) sink[i & 1] = fn();
      const t = Number(process.hrtime.bigint() - t0) / 1e9;
      sink[0] = sink[1] = undefined;
      return t;
    })
    : async (n: number) => {
      const fn = (await factory()) as () => unknown;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) sink[i & 1] = asyncStmt ? await fn() : fn();
      const t = Number(process.hrtime.bigint() - t0) / 1e9;
      sink[0] = sink[1] = undefined;
      return t;
    };
  let number = args.flags.number as number | undefined;
  if (number !== undefined && number < 1) throw new MagicError("--number must be at least 1", usage);
  const measure = async (): Promise<number[]> => {
    const n = number ?? await autorange(loop);
    number = n;
    const per: number[] = [];
    for (let r = 0; r < repeat; r++) per.push((await loop(n)) / n);
    return per;
  };
  const per = anyAsync ? await ctx.engine.interruptible(measure) : await measure();
  const mean = per.reduce((a, b) => a + b, 0) / per.length;
  const std = Math.sqrt(per.reduce((a, b) => a + (b - mean) ** 2, 0) / per.length);
  const loops = number!;
  ctx.print(`${formatSeconds(mean)} ± ${formatSeconds(std)} per loop (mean ± std. dev. of ${repeat} run${repeat > 1 ? "s" : ""}, ${loops.toLocaleString("en-US")} loop${loops > 1 ? "s" : ""} each)`);
}

/** Where the timed loop puts the statement's values, so that computing them cannot be skipped. */
const sink: unknown[] = [undefined, undefined];

/**
 * A function that makes the timed function: the statement as `() => (stmt)` when it is one
 * expression (its value is returned), else `() => { stmt }` (a statement that compiles in neither
 * form reports the block form's error); with a setup, the maker runs it first, and the timed
 * function sees its names. A cell's statement starts with a newline per line above it: with a
 * setup, the setup's line stands for the first (the lines keep the cell's numbers).
 */
async function compileStatement(runCode: (code: string, shown?: string) => Promise<{ value: unknown }>, stmt: string, setup = ""): Promise<() => unknown> {
  const head = isAsync(stmt) ? "async () =>" : "() =>";
  const hasSetup = setup.trim() !== "";
  const body = hasSetup && stmt.startsWith("\n") ? stmt.slice(1) : stmt;
  // The code and what errors quote for its lines: the user's text, the wrapper's own blanked
  // (a runtime error's "cell line 1:" quoted `(() => (JSON.parse("{")`).
  const wrap = (parts: (string | { user: string })[]) => ({
    code: parts.map((p) => (typeof p === "string" ? p : p.user)).join(""),
    shown: parts.map((p) => (typeof p === "string" ? p.replace(/[^\n]/g, " ") : p.user)).join(""),
  });
  const compile = async (timed: (string | { user: string })[]) => {
    if (hasSetup) {
      const w = wrap([`(${isAsync(setup) ? "async " : ""}() => { `, { user: setup }, "\n; return ", ...timed, "; })"]);
      return (await runCode(w.code, w.shown)).value as () => unknown;
    }
    const w = wrap(timed);
    const fn = (await runCode(w.code, w.shown)).value;
    return () => fn;
  };
  if (!/;\s*$/.test(stmt)) {
    try {
      return await compile([`(${head} (`, { user: body }, "\n))"]);
    } catch {
      // not an expression (a declaration, several statements, ...): the block form below
    }
  }
  return await compile([`(${head} { `, { user: body }, "\n})"]);
}

/** Does the statement await (then it is timed as an async function, each call awaited)? */
function isAsync(stmt: string): boolean {
  return /\bawait\b/.test(stmt);
}

/** IPython's autorange: the first loop count of 1, 2, 5, 10, 20, 50, ... whose run takes ≥ 0.2 s (at most 1e9). */
async function autorange(loop: (n: number) => Promise<number>): Promise<number> {
  for (let base = 1; ; base *= 10) {
    for (const k of [1, 2, 5]) {
      const n = k * base;
      if ((await loop(n)) >= 0.2 || n >= 1e9) return n;
    }
  }
}
