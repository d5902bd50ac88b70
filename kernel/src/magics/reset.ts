/** %reset: forgets every variable and declaration the user made; torch, lrlab, display stay. */
import type { Magic } from "./types";
import { MagicError } from "./parser";

export const reset: Magic = {
  name: "reset",
  kind: "line",
  usage: "[-f]",
  help: "Deletes all user variables, functions, classes and types. (No confirmation is asked: -f is accepted for IPython habits.)",
  // -f, as in IPython (there it skips the confirmation; none is asked here): --force, -g are errors naming it
  options: [{ name: "force", short: "f", type: "boolean", help: "accepted for IPython habits (no confirmation is asked)" }],
  run(ctx, args) {
    const extra = args.positional[0] ?? (args.kv.length ? `${args.kv[0][0]}=` : undefined);
    if (extra !== undefined) throw new MagicError(`%reset: unexpected argument ${extra}; %reset takes only -f`, "%reset [-f]");
    const n = ctx.engine.userNames().length;
    ctx.engine.reset();
    ctx.print(`Deleted ${n} name${n === 1 ? "" : "s"}.`);
  },
};
