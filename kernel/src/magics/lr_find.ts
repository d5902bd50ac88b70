/**
 * %lr_find: the learning-rate range test (lrlab.find): the rate grows step by step (exponentially
 * by default) while the model trains on batches of `data`; the loss against the rate is plotted
 * with the suggested rates, and the model and optimizer are restored afterwards.
 *
 *   %lr_find model=net loss=criterion data=loader optimizer=opt --num-iter 100
 *
 * model, loss, data and optimizer are TypeScript expressions evaluated in the cells' scope:
 * `data` is a DataLoader (or any iterable of [input, target]) or one [input, target] pair;
 * `loss` a loss module (its forward is called) or a function (output, target) => loss.
 * Without optimizer=, an SGD optimizer over model.parameters() is made.
 */
import type { Magic } from "./types";
import { didYouMean, expressionError, flagName, MagicError } from "./parser";
import { tools, torch } from "./tools";
import { fmt } from "../plot/text";

const EXPR_KEYS = ["model", "loss", "data", "optimizer"];

export const lr_find: Magic = {
  name: "lr_find",
  kind: "line",
  usage: "model=M loss=L data=D [optimizer=O] [--start-lr a] [--end-lr b] [--num-iter n] [--step-mode exp|linear] [--smooth-f f] [--diverge-th t] [--name N]",
  help: "Runs a learning-rate range test and plots loss against learning rate with the suggestions (steepest, valley, minimum/10).\n"
    + "The model and optimizer are restored afterwards.\n"
    + "Example:\n  %lr_find model=net loss=loss_fn data=loader --end-lr 1 --num-iter 100",
  complete: (_positional, kv) => ["model=", "loss=", "data=", "optimizer="].filter((k) => !kv.some((w) => w.startsWith(k))),
  completeValue: () => "user",
  options: [
    { name: "start_lr", type: "number", help: "first rate", default: 1e-7 },
    { name: "end_lr", type: "number", help: "last rate", default: 10 },
    { name: "num_iter", type: "int", help: "steps", default: 100 },
    { name: "step_mode", type: "string", help: "exp or linear", default: "exp", values: () => ["exp", "linear"] },
    { name: "smooth_f", type: "number", help: "loss smoothing factor", default: 0.05 },
    { name: "diverge_th", type: "number", help: "stop when loss > th × best", default: 5 },
    { name: "name", type: "string", help: "legend label", default: "lr_find" },
  ],
  keys: EXPR_KEYS,
  // as the line is parsed, before any part of the cell runs (unknown keys: parseArgs, from `keys`)
  check(args, usage) {
    const p = args.positional[0];
    if (p !== undefined) {
      // `model net` (a key without its =), or a bare word: what the line takes, with the close key or option
      const near = EXPR_KEYS.includes(p) ? ` (write ${p}=<value>)` : didYouMean(p, [...EXPR_KEYS.map((k) => k + "="), ...this.options.map((o) => flagName(o.name))]);
      throw new MagicError(`unexpected ${p}${near}: %lr_find takes model=, loss=, data=, optimizer= and --options`, usage);
    }
    const missing = ["model", "loss", "data"].filter((k) => !(k in args.raw));
    if (missing.length) throw new MagicError(`${missing.map((k) => k + "=").join(", ")} missing: %lr_find needs model=, loss=, data= (optional: optimizer=)`, usage);
  },
  async run(ctx, args) {
    const usage = "%lr_find " + this.usage;
    const values: Record<string, any> = {};
    for (const k of EXPR_KEYS) {
      if (!(k in args.raw)) continue;
      try {
        values[k] = await ctx.evaluate(args.raw[k]);
      } catch (e: any) {
        throw expressionError(k, args.raw[k], e, usage);
      }
    }
    const { model, loss, data } = values;
    if (!model || typeof model.forward !== "function" || typeof model.parameters !== "function") {
      throw new MagicError(`model=${args.raw.model} is not a torch.nn.Module (needs forward() and parameters())`, usage);
    }
    // A module without parameters (a loss, ReLU) has nothing to train: it was the optimizer's
    // raw "optimizer got an empty parameter list", with the library's stack frames.
    if (Array.from(model.parameters() as Iterable<unknown>).length === 0) {
      throw new MagicError(`model=${args.raw.model} has no parameters (it is a ${model.constructor?.name ?? "module"}): `
        + "the range test trains the model's parameters; pass the network, e.g. model=net", usage);
    }
    const lossFn: (out: unknown, y: unknown) => any =
      typeof loss?.forward === "function" ? (o, y) => loss.forward(o, y)
        : typeof loss === "function" ? loss
          : (() => { throw new MagicError(`loss=${args.raw.loss} is neither a loss module nor a function (output, target) => loss`, usage); })();
    let batches: () => Iterator<any>;
    if (Array.isArray(data) && data.length === 2 && !Array.isArray(data[0])) {
      batches = () => [data][Symbol.iterator]();
    } else if (data && typeof data[Symbol.iterator] === "function") {
      batches = () => data[Symbol.iterator]();
    } else {
      throw new MagicError(`data=${args.raw.data} must be a DataLoader, an iterable of [input, target], or one [input, target] pair`, usage);
    }
    const optimizer = values.optimizer ?? new (torch().optim.SGD)(model.parameters(), { lr: args.flags.start_lr as number });
    let it = batches();
    const step_fn = () => {
      let n = it.next();
      if (n.done) { it = batches(); n = it.next(); }
      if (n.done) throw new MagicError(`data=${args.raw.data} yielded no batch`, usage);
      const [x, y] = n.value;
      optimizer.zero_grad();
      const l = lossFn(model.forward(x), y);
      l.backward();
      return l;
    };
    let rt;
    try {
      // interruptible like a cell; the model and optimizer are restored then too (find.ts)
      rt = ctx.engine.runInterruptible(() => tools().find(optimizer, step_fn, {
        start_lr: args.flags.start_lr as number, end_lr: args.flags.end_lr as number, num_iter: args.flags.num_iter as number,
        step_mode: args.flags.step_mode as "exp" | "linear", smooth_f: args.flags.smooth_f as number,
        diverge_th: args.flags.diverge_th as number, model, name: args.flags.name as string,
      }));
    } catch (e: any) {
      if (e instanceof MagicError) throw e;
      throw e instanceof TypeError || e instanceof RangeError ? new MagicError(e.message, usage) : e;
    }
    ctx.display(tools().bundle(rt));
    // The suggestions as the plot's summary line writes them (trace/find.ts summary(): the same
    // order, names and numbers; it printed valley first, and "none" where the summary has "—").
    const s = rt.suggestions;
    const summary = rt.summary().find((l: string) => /^\s*suggestions: /.test(l))?.trim().replace(/^suggestions: /, "");
    ctx.print(`suggested lr: ${summary ?? `steepest ${fmt(s.steepest)}, valley ${fmt(s.valley)}, minimum/10 ${fmt(s["minimum/10"])}`}`);
  },
};
