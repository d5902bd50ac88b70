/** %reset: forgets every variable and declaration the user made; torch, lrlab, display stay. */
import type { Magic } from "./types";
import { MagicError } from "./parser";

export const reset: Magic = {
  name: "reset",
  kind: "line",
  usage: "[-f]",
  help: "Deletes all user variables, functions, classes and types. (No confirmation is asked: -f is accepted for IPython habits.)",
  options: [],
  run(ctx, args) {
    const extra = args.positional.filter((p) => p !== "-f");
    if (extra.length || args.kv.length) throw new MagicError(`%reset: unexpected argument ${extra[0] ?? args.kv[0][0]}`, "%reset [-f]");
    const n = ctx.engine.userNames().length;
    ctx.engine.reset();
    ctx.print(`Deleted ${n} name${n === 1 ? "" : "s"}.`);
  },
};
