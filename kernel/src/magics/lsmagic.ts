/** %lsmagic: lists the available line and cell magics. */
import type { Magic } from "./types";
import { MagicError } from "./parser";

export const lsmagic: Magic = {
  name: "lsmagic",
  kind: "line",
  usage: "",
  help: "Lists the available magics. `%name?` shows one magic's help.",
  options: [],
  run(ctx, args) {
    if (args.positional.length || args.kv.length) throw new MagicError("%lsmagic takes no arguments", "%lsmagic");
    const ms = ctx.magics();
    const line = ms.filter((m) => m.kind === "line").map((m) => "%" + m.name);
    const cell = ms.filter((m) => m.kind === "cell").map((m) => "%%" + m.name);
    ctx.print(`Available line magics:\n${line.join("  ")}\n\nAvailable cell magics:\n${cell.join("  ")}\n\n`
      + "Append ? to a magic for its help, e.g. %lr_schedule?");
  },
};
