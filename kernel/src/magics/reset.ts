/**
 * %reset: forgets every variable and declaration the user made; torch, lrlab, display stay. The
 * runs the tracer recorded stay too (its history, as a file saved is; IPython's %reset has no
 * such thing to clear): the output says so, and how to delete them (lrlab.clear_runs()).
 */
import type { Magic } from "./types";
import { MagicError } from "./parser";
import { run_names } from "../trace/runs";

export const reset: Magic = {
  name: "reset",
  kind: "line",
  usage: "[-f]",
  help: "Deletes all user variables, functions, classes and types. (No confirmation is asked: -f is accepted for IPython habits.)\n"
    + "Recorded runs (%%lr_trace --name) stay: lrlab.clear_runs() deletes them, lrlab.drop_run(name) one.",
  // -f, as in IPython (there it skips the confirmation; none is asked here): --force, -g are errors naming it
  options: [{ name: "force", short: "f", type: "boolean", help: "accepted for IPython habits (no confirmation is asked)" }],
  run(ctx, args) {
    const extra = args.positional[0] ?? (args.kv.length ? `${args.kv[0][0]}=` : undefined);
    if (extra !== undefined) throw new MagicError(`%reset: unexpected argument ${extra}; %reset takes only -f`, "%reset [-f]");
    const n = ctx.engine.userNames().length;
    ctx.engine.reset();
    // runs are the tracer's history, not names: they stay (lost work otherwise), and it says so
    ctx.print(`Deleted ${n} name${n === 1 ? "" : "s"}.${keptRunsNote(run_names().length)}`);
  },
};

/**
 * What %reset says of the runs it keeps, after "Deleted n names.": nothing without runs, and the
 * verb and pronoun agreeing with their number (one run "stays", not "stay": a user's pass).
 */
export function keptRunsNote(runs: number): string {
  if (runs === 0) return "";
  if (runs === 1) return " The run recorded by %%lr_trace --name / lrlab.trace stays (lrlab.run_names()); lrlab.clear_runs() deletes it.";
  return ` The ${runs} runs recorded by %%lr_trace --name / lrlab.trace stay (lrlab.run_names()); `
    + "lrlab.clear_runs() deletes them, lrlab.drop_run(name) one.";
}
