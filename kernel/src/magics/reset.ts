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
    const runs = run_names().length;
    const kept = runs === 0 ? "" : ` The ${runs === 1 ? "run" : `${runs} runs`} recorded by %%lr_trace --name / lrlab.trace stay (lrlab.run_names()); `
      + "lrlab.clear_runs() deletes them, lrlab.drop_run(name) one.";
    ctx.print(`Deleted ${n} name${n === 1 ? "" : "s"}.${kept}`);
  },
};
