/**
 * %timeit: times one statement, IPython style. The statement is compiled once as the body of a
 * function in the cells' scope; then, with `-n` absent, the loop count grows ×10 until one run of
 * the loop takes at least 0.2 s; `-r` repeats (default 7) give the mean ± standard deviation of
 * the per-loop time:  mean = Σtᵢ/r, std = sqrt(Σ(tᵢ-mean)²/r).
 */
import type { Magic } from "./types";
import { MagicError, parseArgs } from "./parser";
import { formatSeconds } from "./time";

export const timeit: Magic = {
  name: "timeit",
  kind: "line",
  usage: "[--number N] [--repeat R] <statement>",
  help: "Times a statement: mean ± std. dev. of R runs of N loops each.\nExample: %timeit torch.randn(100, 100).matmul(torch.randn(100, 100))",
  options: [
    { name: "number", type: "int", help: "loops per run (chosen automatically when absent)" },
    { name: "repeat", type: "int", help: "runs", default: 7 },
  ],
  raw: true,
  async run(ctx, rawArgs) {
    // Leading --number/--repeat options, then the statement exactly as written.
    const text = rawArgs.positional[0] ?? "";
    const lead = /^((?:\s*--(?:number|repeat)(?:=|\s+)\S+)*)\s*([\s\S]*)$/.exec(text)!;
    const args = parseArgs(lead[1], this.options, "%timeit " + this.usage);
    const stmt = lead[2];
    if (!stmt.trim()) throw new MagicError("%timeit needs a statement to time", "%timeit " + this.usage);
    const repeat = Number(args.flags.repeat);
    if (repeat < 1) throw new MagicError("--repeat must be at least 1", "%timeit " + this.usage);
    const fn = (await ctx.runCode(`(() => { ${stmt}\n})`)).value as () => unknown;
    const loop = (n: number) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) fn();
      return Number(process.hrtime.bigint() - t0) / 1e9;
    };
    let number = args.flags.number as number | undefined;
    if (number !== undefined && number < 1) throw new MagicError("--number must be at least 1", "%timeit " + this.usage);
    if (number === undefined) {
      number = 1;
      while (loop(number) < 0.2 && number < 1e9) number *= 10;
    }
    const per: number[] = [];
    for (let r = 0; r < repeat; r++) per.push(loop(number) / number);
    const mean = per.reduce((a, b) => a + b, 0) / per.length;
    const std = Math.sqrt(per.reduce((a, b) => a + (b - mean) ** 2, 0) / per.length);
    ctx.print(`${formatSeconds(mean)} ± ${formatSeconds(std)} per loop (mean ± std. dev. of ${repeat} run${repeat > 1 ? "s" : ""}, ${number} loop${number > 1 ? "s" : ""} each)`);
  },
};
