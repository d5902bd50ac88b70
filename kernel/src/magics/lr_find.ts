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
    + "The model, the optimizer and the random generator (torch's default one, and data's own generator) are restored afterwards:\n"
    + "run again, it gives the same suggestions, and the training after it is the same as without it.\n"
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
    const lossFn = lossFunction(loss, model, args.raw, usage);
    let batches: () => Iterator<any>;
    if (Array.isArray(data) && data.length === 2 && !Array.isArray(data[0])) {
      batches = () => [data][Symbol.iterator]();
    } else if (data && typeof data[Symbol.iterator] === "function") {
      batches = () => data[Symbol.iterator]();
    } else {
      throw new MagicError(`data=${args.raw.data} must be a DataLoader, an iterable of [input, target], or one [input, target] pair`, usage);
    }
    if (values.optimizer !== undefined) checkOptimizer(values.optimizer, model, args.raw, usage);
    const optimizer = values.optimizer ?? new (torch().optim.SGD)(model.parameters(), { lr: args.flags.start_lr as number });
    // The random state comes back as it was before the line (find() restores it to the state at its
    // own start; making the loader's iterator, just below, already draws its seed): a repeated
    // %lr_find draws the same batches, and the training after it is the one without it. A
    // DataLoader with a generator of its own shuffles from that one: restored too.
    const rngState = torch().get_rng_state();
    const own = data !== null && typeof data === "object" && data.generator instanceof torch().Generator ? data.generator : null;
    const ownState = own?.get_state();
    const restoreRandom = () => {
      torch().set_rng_state(rngState);
      if (own !== null) own.set_state(ownState);
    };
    let it = batches();
    const step_fn = (i: number, lr: number) => {
      let n = it.next();
      if (n.done) { it = batches(); n = it.next(); }
      if (n.done) throw new MagicError(`data=${args.raw.data} yielded no batch`, usage);
      const when = i === 0 ? "on the first batch" : `on step ${i + 1} (lr ${fmt(lr)})`;
      const v = n.value;
      // an [input, target] array, or another iterable of the two (not a tensor: rows are no pair)
      if (!(Array.isArray(v) ? v.length >= 2 : v !== null && typeof v === "object" && !Array.isArray(v.shape) && typeof v[Symbol.iterator] === "function")) {
        throw new MagicError(`data=${args.raw.data} yielded ${describe(v)} ${when}, not an [input, target] pair`, usage);
      }
      const [x, y] = v;
      optimizer.zero_grad();
      // Each part runs under its own name: a wrong object in one option (loss=model) failed deep
      // in the library with only its words ("mat1 and mat2 shapes cannot be multiplied").
      const out = step(() => model.forward(x), (e) => `model=${args.raw.model} failed ${when} of data=${args.raw.data}: `
        + `model.forward(input) with input ${describe(x)} threw: ${e}`, usage);
      const l = step(() => lossFn(out, y), (e) => `loss=${args.raw.loss} failed ${when}: loss(output, target) with output ${describe(out)} `
        + `and target ${describe(y)} threw: ${e}${modelAsLoss(loss, args.raw.loss)}`, usage);
      if (l === null || typeof l !== "object" || typeof l.backward !== "function") {
        throw new MagicError(`loss=${args.raw.loss} returned ${describe(l)} ${when}, not a loss tensor${modelAsLoss(loss, args.raw.loss)}`, usage);
      }
      if (typeof l.numel === "function" && l.numel() !== 1) {
        throw new MagicError(`loss=${args.raw.loss} returned a tensor of shape ${describe(l)} ${when}, not one number: `
          + `the range test needs the batch's loss (a loss module's reduction "mean" or "sum")${modelAsLoss(loss, args.raw.loss)}`, usage);
      }
      step(() => l.backward(), (e) => `backward() of the loss from loss=${args.raw.loss} failed ${when}: ${e}`, usage);
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
    } finally {
      restoreRandom();
    }
    ctx.display(tools().bundle(rt));
    // The suggestions as the plot's summary line writes them (trace/find.ts summary(): the same
    // order, names and numbers; it printed valley first, and "none" where the summary has "—").
    const s = rt.suggestions;
    const summary = rt.summary().find((l: string) => /^\s*suggestions: /.test(l))?.trim().replace(/^suggestions: /, "");
    ctx.print(`suggested lr: ${summary ?? `steepest ${fmt(s.steepest)}, valley ${fmt(s.valley)}, minimum/10 ${fmt(s["minimum/10"])}`}`);
    // why a suggestion is missing ("—"): printed too, not only in the plot's text
    for (const note of rt.notes ?? []) ctx.print(`  ${note}`);
  },
};

/** `x` for a message: a tensor's shape ("[16, 5]"), else what it is. */
function describe(x: any): string {
  if (x !== null && typeof x === "object" && Array.isArray(x.shape)) return `[${x.shape.join(", ")}]`;
  if (Array.isArray(x)) return `an array of ${x.length}`;
  if (x === null || x === undefined) return String(x);
  return typeof x === "object" ? `a ${x.constructor?.name ?? "object"}` : `a ${typeof x}`;
}

/** An interrupt (engine.ts: KeyboardInterrupt, or the script's termination) must pass unchanged. */
function isInterrupt(e: any): boolean {
  return e?.name === "KeyboardInterrupt" || e?.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED";
}

/** Runs one part of a training step; its error becomes a UsageError saying which part and option (the original is its cause). */
function step<T>(f: () => T, message: (e: string) => string, usage: string): T {
  try {
    return f();
  } catch (e: any) {
    if (e instanceof MagicError || isInterrupt(e)) throw e;
    const err = new MagicError(message(String(e?.message ?? e)), usage);
    (err as { cause?: unknown }).cause = e;
    throw err;
  }
}

/** "; loss=X is a Linear with parameters: a model, not a loss?" when loss= has parameters (loss modules have none). */
function modelAsLoss(loss: any, raw: string): string {
  if (typeof loss?.parameters !== "function") return "";
  const n = Array.from(loss.parameters() as Iterable<unknown>).length;
  return n > 0 ? `; loss=${raw} is a ${loss.constructor?.name ?? "module"} with parameters: a model, not a loss?` : "";
}

/**
 * loss= as a function (output, target) => loss: a loss module's forward, or the function given.
 * What cannot be one is a UsageError before anything runs.
 */
function lossFunction(loss: any, model: any, raw: Record<string, string>, usage: string): (out: unknown, y: unknown) => any {
  if (loss === model) {
    throw new MagicError(`loss=${raw.loss} is the model itself (model=${raw.model}): loss= takes a loss, e.g. loss=new torch.nn.MSELoss(), `
      + "or a function (output, target) => loss", usage);
  }
  if (typeof loss === "function" && /^class\b/.test(Function.prototype.toString.call(loss))) {
    throw new MagicError(`loss=${raw.loss} is a class, not a loss: write loss=new ${raw.loss}()`, usage);
  }
  if (typeof loss?.forward === "function") return (o, y) => loss.forward(o, y);
  if (typeof loss === "function") return loss;
  throw new MagicError(`loss=${raw.loss} is neither a loss module nor a function (output, target) => loss`, usage);
}

/** optimizer= must be an optimizer over the model's parameters: another model's trains nothing here. */
function checkOptimizer(opt: any, model: any, raw: Record<string, string>, usage: string): void {
  if (opt === null || typeof opt !== "object" || !Array.isArray(opt.param_groups) || typeof opt.step !== "function" || typeof opt.zero_grad !== "function") {
    throw new MagicError(`optimizer=${raw.optimizer} is not a torch.optim optimizer (it needs param_groups, step() and zero_grad())`, usage);
  }
  const mine = new Set(Array.from(model.parameters() as Iterable<unknown>));
  if (!opt.param_groups.some((g: { params: unknown[] }) => g.params.some((p) => mine.has(p)))) {
    throw new MagicError(`optimizer=${raw.optimizer} does not update any parameter of model=${raw.model}: the range test would train nothing; `
      + `make it over ${raw.model}.parameters(), or leave optimizer= out for SGD`, usage);
  }
}
