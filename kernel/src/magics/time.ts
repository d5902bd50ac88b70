/**
 * %%time: runs the cell and prints its wall-clock and CPU time (IPython's format), then shows
 * the cell's value as its result. Magic lines in its body run as magics, as in IPython.
 */
import type { Magic, MagicContext } from "./types";
import { MagicError } from "./parser";
import { CellError } from "../kernel/engine";
import { runWithMagics } from "./run_cell";

/**
 * A duration as IPython prints it: three significant digits (%.3g) in ms, µs or ns, two decimals
 * in s. ns is the smallest unit, so a loop faster than 1 ns reads "0.253 ns", not "0 ns".
 */
export function formatSeconds(s: number): string {
  const g3 = (v: number) => Number(v.toPrecision(3));
  if (s >= 0.9995) return `${s.toFixed(2)} s`;
  if (g3(s * 1e3) >= 1) return `${g3(s * 1e3)} ms`;
  if (g3(s * 1e6) >= 1) return `${g3(s * 1e6)} µs`;
  return `${g3(s * 1e9)} ns`;
}

/**
 * Runs `code` once and prints its CPU and wall times as IPython does; its value is the result.
 * Code that ran prints its times even when it threw (IPython 9 does too); code that failed its
 * type check never ran, and prints only its error (IPython: a SyntaxError, no times); so does a
 * bad magic line in it (a UsageError: every magic line is checked before anything runs).
 */
async function timed(ctx: MagicContext, code: string): Promise<void> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let r: { hasValue: boolean; value: unknown } | undefined;
  let ran = true;
  try {
    r = await runWithMagics(ctx, code);
  } catch (e) {
    if (e instanceof CellError || e instanceof MagicError) ran = false;
    throw e;
  } finally {
    if (ran) {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu = process.cpuUsage(cpu0);
      const user = cpu.user / 1e6, sys = cpu.system / 1e6;
      ctx.print(`CPU times: user ${formatSeconds(user)}, sys: ${formatSeconds(sys)}, total: ${formatSeconds(user + sys)}\nWall time: ${formatSeconds(wall)}`);
    }
  }
  if (r?.hasValue) ctx.setResult(r.value);
}

export const time: Magic = {
  name: "time",
  kind: "cell",
  usage: "(then the code on the following lines)",
  help: "Runs the cell once and prints the CPU time (user, sys, total) and the wall time.",
  options: [],
  async run(ctx, args, body) {
    if (args.positional.length || args.kv.length) throw new MagicError("%%time takes no arguments: put the code on the following lines", "%%time");
    await timed(ctx, body ?? "");
  },
};

/** `%time statement`: the line form, as in IPython. */
export const timeLine: Magic = {
  name: "time",
  kind: "line",
  usage: "<statement>",
  help: "Runs the statement once and prints the CPU time (user, sys, total) and the wall time; its value is the result.\nExample: %time torch.randn(500, 500).matmul(torch.randn(500, 500))",
  options: [],
  raw: true,
  codeStart: () => 0,
  async run(ctx, rawArgs) {
    const code = rawArgs.positional[0] ?? "";
    if (!code.trim()) throw new MagicError("%time needs a statement to time", "%time " + this.usage);
    await timed(ctx, code);
  },
};
