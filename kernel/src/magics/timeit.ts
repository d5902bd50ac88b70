/**
 * %timeit: times one statement, IPython style. The statement is compiled once as the body of a
 * function in the cells' scope; then, with `-n` absent, the loop count goes 1, 2, 5, 10, 20, 50, ...
 * (IPython's autorange) until one run of the loop takes at least 0.2 s; `-r` repeats (default 7)
 * give the mean ± standard deviation of the per-loop time:  mean = Σtᵢ/r, std = sqrt(Σ(tᵢ-mean)²/r).
 *
 * An expression is compiled as the function's return value, and the loop keeps every value it
 * returns: otherwise V8's optimizer drops a pure expression whose value nobody reads, and
 * `%timeit Math.sqrt(2)` timed an empty loop.
 */
import type { Magic } from "./types";
import { didYouMean, MagicError, parseArgs } from "./parser";
import { formatSeconds } from "./time";

export const timeit: Magic = {
  name: "timeit",
  kind: "line",
  usage: "[-n N | --number N] [-r R | --repeat R] <statement>",
  help: "Times a statement: mean ± std. dev. of R runs of N loops each.\nExample: %timeit torch.randn(100, 100).matmul(torch.randn(100, 100))",
  options: [
    { name: "number", short: "n", type: "int", help: "loops per run (chosen automatically when absent)" },
    { name: "repeat", short: "r", type: "int", help: "runs", default: 7 },
  ],
  raw: true,
  codeStart(args: string): number {
    // leading options (--number N, --repeat=R, -n N, -nN, -r R), then the statement as written
    return /^(?:\s*(?:--(?:number|repeat)(?:=|\s+)|-[nr]\s*)\S+)*\s*/.exec(args)![0].length;
  },
  async run(ctx, rawArgs) {
    // Leading --number/--repeat options, then the statement exactly as written.
    const usage = "%timeit " + this.usage;
    const text = rawArgs.positional[0] ?? "";
    const at = this.codeStart!(text);
    // IPython's short forms -n N (or -nN), -r R are the options' `short` (parser.ts)
    const args = parseArgs(text.slice(0, at), this.options, usage);
    const stmt = text.slice(at);
    if (!stmt.trim()) throw new MagicError("%timeit needs a statement to time", usage);
    const repeat = Number(args.flags.repeat);
    if (repeat < 1) throw new MagicError("--repeat must be at least 1", usage);
    let fn: () => unknown;
    try {
      fn = await compileStatement(ctx.runCode, stmt);
    } catch (e) {
      // `-x 1+1`: an option this magic does not have, read as code, gave TypeScript's errors
      // ("Cannot find name 'x'"). A statement may start with - or -- (`-x + 1`, `--i`), so only
      // one that does not compile is taken for an option.
      const option = /^-{1,2}[A-Za-z][\w-]*/.exec(stmt)?.[0];
      if (option !== undefined) {
        // `%timeit -n` (nothing after it): the option's value is missing, not the option unknown
        const known = this.options.find((o) => option === `--${o.name}` || option === `-${o.short}`);
        if (known !== undefined && stmt.trim() === option) {
          throw new MagicError(`option -${known.short}/--${known.name} needs a value (${known.type}), then the statement`, usage);
        }
        const near = didYouMean(option, this.options.map((o) => `--${o.name}`));
        throw new MagicError(`unknown option ${option}${near}; allowed: ${this.options.map((o) => `-${o.short}/--${o.name}`).join(", ")} (before the statement)`, usage);
      }
      throw e;
    }
    // A statement that awaits (`%timeit await fetchBatch()`) is an async function, each call
    // awaited in the loop (as IPython times `await`); it was "'await' expressions are only
    // allowed within async functions".
    // Interruptible as a cell is (they ran to their end before): the synchronous loop runs
    // inside a script run that SIGINT stops (engine.runInterruptible), the asynchronous one is
    // awaited so that an interrupt ends it (engine.interruptible).
    const loop = !isAsync(stmt)
      ? async (n: number) => ctx.engine.runInterruptible(() => {
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < n; i++) sink[i & 1] = fn();
        const t = Number(process.hrtime.bigint() - t0) / 1e9;
        sink[0] = sink[1] = undefined;
        return t;
      })
      : async (n: number) => {
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < n; i++) sink[i & 1] = await fn();
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
    const per = isAsync(stmt) ? await ctx.engine.interruptible(measure) : await measure();
    const mean = per.reduce((a, b) => a + b, 0) / per.length;
    const std = Math.sqrt(per.reduce((a, b) => a + (b - mean) ** 2, 0) / per.length);
    const loops = number!;
    ctx.print(`${formatSeconds(mean)} ± ${formatSeconds(std)} per loop (mean ± std. dev. of ${repeat} run${repeat > 1 ? "s" : ""}, ${loops.toLocaleString("en-US")} loop${loops > 1 ? "s" : ""} each)`);
  },
};

/** Where the timed loop puts the statement's values, so that computing them cannot be skipped. */
const sink: unknown[] = [undefined, undefined];

/**
 * The statement as a function: `() => (stmt)` when it is one expression (its value is returned),
 * else `() => { stmt }`; a statement that compiles in neither form reports the block form's error.
 */
async function compileStatement(runCode: (code: string) => Promise<{ value: unknown }>, stmt: string): Promise<() => unknown> {
  const head = isAsync(stmt) ? "async () =>" : "() =>";
  if (!/;\s*$/.test(stmt)) {
    try {
      return (await runCode(`(${head} (${stmt}\n))`)).value as () => unknown;
    } catch {
      // not an expression (a declaration, several statements, ...): the block form below
    }
  }
  return (await runCode(`(${head} { ${stmt}\n})`)).value as () => unknown;
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
