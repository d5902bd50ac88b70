/**
 * %lr_find: the learning-rate range test (lrlab.find): the rate grows step by step (exponentially
 * by default) while the model trains on batches of `data`; the loss against the rate is plotted
 * with the suggested rates, and the model and optimizer are restored afterwards.
 *
 *   %lr_find model=net loss=criterion data=loader optimizer=opt --num-iter 100
 *
 * model, loss, data, optimizer and step are TypeScript expressions evaluated in the cells' scope:
 * `data` is a DataLoader (or any iterable of batches) or one batch given as an array of tensors;
 * `loss` a loss module (its forward is called) or a function (output, target) => loss.
 * Without optimizer=, an SGD optimizer over model.parameters() is made (its output line says so).
 * An optimizer of several param groups is swept at the ratio of its groups' rates (find.ts): the
 * output line gives each group's suggestions, and a line under it which group's rate the x axis is.
 *
 * The batches it reads by itself (fastai's convention, n_inp = length − 1: the last element is
 * the target, everything before it the model's inputs):
 *   [input, target]                → loss(model.forward(input), target)
 *   [x1, x2, ..., xk, target]      → loss(model.forward(x1, x2, ..., xk), target)
 * torch-lr-finder instead reads `input, label, *rest` and drops the rest; here a batch with more
 * inputs than model.forward declares is an error (JavaScript would drop the extra arguments
 * silently, where Python raises a TypeError), pointing to step=.
 * Any other batch (an object {x, y, mask}, a loss with more than (output, target), a target that
 * is not last): `step=(batch, model) => loss` runs the forward and the loss of one batch and
 * returns the loss tensor; %lr_find zeroes the gradients, calls backward() and steps the optimizer
 * (step= does none of them). With step=, loss= is left out. From code, lrlab.find(optimizer,
 * step_fn) takes such a step function already (trace/find.ts).
 */
import type { Magic } from "./types";
import { didYouMean, expressionError, flagName, isInterrupt, MagicError } from "./parser";
import { tools, torch } from "./tools";
import { record_range_test } from "../trace/range_tests";
import { fmt } from "../plot/text";
import { namesFor } from "./value_kinds";

const EXPR_KEYS = ["model", "loss", "data", "optimizer", "step"];

export const lr_find: Magic = {
  name: "lr_find",
  kind: "line",
  usage: "model=M (loss=L | step=S) data=D [optimizer=O] [--start-lr a] [--end-lr b] [--num-iter n] [--step-mode exp|linear] [--smooth-f f] [--diverge-th t] [--name N]",
  help: "Runs a learning-rate range test and plots loss against learning rate with the suggestions (steepest, valley, minimum/10),\n"
    + "taken on the smoothed loss: a centred running median of the losses (no lag behind them), the blow-up at the end left out.\n"
    + "The model trains in train mode (model.train(), as torch-lr-finder; a model in eval mode is said, and each module's mode put back).\n"
    + "The model, the optimizer and the random generator (torch's default one, and data's own generator) are restored afterwards:\n"
    + "run again, it gives the same suggestions, and the training after it is the same as without it.\n"
    + "Batches: [input, target] runs loss(model.forward(input), target); [x1, ..., xk, target] runs\n"
    + "loss(model.forward(x1, ..., xk), target) (the last element is the target, as fastai's default).\n"
    + "Any other batch ({x, y, mask}, a loss that needs more than (output, target)): step=(batch, model) => loss\n"
    + "runs one batch's forward and loss and returns the loss tensor, in place of loss=; %lr_find zeroes the\n"
    + "gradients, calls backward() and steps the optimizer. From code: lrlab.find(optimizer, step_fn, options).\n"
    + "optimizer=: the optimizer whose rates are tested (yours, e.g. an AdamW: its suggestions differ from SGD's). Without it,\n"
    + "the test uses SGD(lr) over model.parameters() (no momentum), and the output line says so.\n"
    + "Several param groups keep the ratio of their lrs (each group's lr = its lr × the swept rate / group 0's lr): the rates\n"
    + "tested and the x axis are group 0's, and the output gives each group's suggestions.\n"
    + "Examples:\n  %lr_find model=net loss=loss_fn data=loader --end-lr 1 --num-iter 100\n"
    + "  %lr_find model=two_tower loss=loss_fn data=[A, B, Y]\n"
    + "  %lr_find model=transformer data=loader step=(b, m) => loss_fn.forward(m.forward(b.src, b.mask), b.tgt)",
  // loss= and step= exclude each other: once one is written, the other is not offered
  complete: (_positional, kv) => ["model=", "loss=", "data=", "optimizer=", "step="].filter((k) => !kv.some((w) => w.startsWith(k)))
    .filter((k) => !(k === "loss=" && kv.some((w) => w.startsWith("step="))) && !(k === "step=" && kv.some((w) => w.startsWith("loss=")))),
  // model= and optimizer=: the variables of that kind first, then those that may lead to one
  // (value_kinds.ts); loss=, data=, step= any of the user's names
  completeValue: (key, _positional, user) => (key === "model" ? namesFor("Module", ["Optimizer", "LRScheduler", "Tensor"], user)
    : key === "optimizer" ? namesFor("Optimizer", ["Module", "Tensor"], user) : "user"),
  options: [
    { name: "start_lr", type: "number", help: "first rate", default: 1e-7 },
    { name: "end_lr", type: "number", help: "last rate", default: 10 },
    { name: "num_iter", type: "int", help: "steps", default: 100 },
    { name: "step_mode", type: "string", help: "exp or linear", default: "exp", values: () => ["exp", "linear"] },
    { name: "smooth_f", type: "number", help: "weight of the newest loss in the running average that stops the test (--diverge-th); the plotted curve is a centred median over a tenth of the rates at most (±5 of 100)", default: 0.05 },
    { name: "diverge_th", type: "number", help: "stop when loss > th × best", default: 5 },
    { name: "name", type: "string", help: "legend label; lrlab.range_test(name) gives the result to code", default: "lr_find" },
  ],
  keys: EXPR_KEYS,
  // as the line is parsed, before any part of the cell runs (unknown keys: parseArgs, from `keys`)
  check(args, usage) {
    const p = args.positional[0];
    if (p !== undefined) {
      // `model net` (a key without its =), or a bare word: what the line takes, with the close key or option
      const near = EXPR_KEYS.includes(p) ? ` (write ${p}=<value>)` : didYouMean(p, [...EXPR_KEYS.map((k) => k + "="), ...this.options.map((o) => flagName(o.name))]);
      throw new MagicError(`unexpected ${p}${near}: %lr_find takes model=, loss=, data=, optimizer=, step= and --options`, usage);
    }
    if ("loss" in args.raw && "step" in args.raw) {
      throw new MagicError(`loss=${args.raw.loss} and step=${args.raw.step} both given: step= computes the loss itself (step=(batch, model) => loss); `
        + "give one of them (a loss used inside step= is written there, not as loss=)", usage);
    }
    const missing = ["model", ..."step" in args.raw ? [] : ["loss"], "data"].filter((k) => !(k in args.raw));
    if (missing.length) {
      throw new MagicError(`${missing.map((k) => k + "=").join(", ")} missing: %lr_find needs model=, loss=, data= `
        + "(or step=(batch, model) => loss in place of loss=; optional: optimizer=)", usage);
    }
  },
  async run(ctx, args) {
    const usage = "%lr_find " + this.usage;
    const values: Record<string, any> = {};
    for (const k of EXPR_KEYS) {
      if (!(k in args.raw)) continue;
      try {
        values[k] = await ctx.evaluate(args.raw[k]);
      } catch (e: any) {
        if (isInterrupt(e)) throw e;
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
    const userStep = "step" in values ? stepFunction(values.step, model, args.raw, usage) : null;
    const lossFn = userStep === null ? lossFunction(loss, model, args.raw, usage) : null;
    let batches: () => Iterator<any>;
    // one batch: [input, target] (as before), or an array of 3+ tensors [x1, ..., target]; with
    // step=, an array of tensors (an array of two objects is two batches then), or one object
    // batch ({ x, y, mask }), which has no iterator
    const plainObject = data !== null && typeof data === "object" && !isTensor(data) && typeof data[Symbol.iterator] !== "function";
    const oneBatch = Array.isArray(data) && (userStep !== null ? data.length >= 1 && data.every(isTensor)
      : (data.length === 2 && !Array.isArray(data[0])) || (data.length >= 3 && data.every(isTensor)));
    if (oneBatch) {
      batches = () => [data][Symbol.iterator]();
    } else if (data && typeof data[Symbol.iterator] === "function") {
      batches = () => data[Symbol.iterator]();
    } else if (userStep !== null && plainObject) {
      batches = () => [data][Symbol.iterator]();
    } else if (plainObject) {
      throw new MagicError(`data=${args.raw.data} is ${describeBatch(data)}: without step=, %lr_find reads [input, target] or [x1, ..., xk, target] batches; `
        + `for this one write step=(batch, model) => loss in place of loss=${stepExample(data)}`, usage);
    } else {
      throw new MagicError(`data=${args.raw.data} must be a DataLoader, an iterable of batches ([input, target] or [x1, ..., xk, target]), `
        + "or one batch as an array of tensors", usage);
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
    const arity = forwardArity(model.forward);
    const step_fn = (i: number, lr: number) => {
      let n = it.next();
      if (n.done) { it = batches(); n = it.next(); }
      if (n.done) throw new MagicError(`data=${args.raw.data} yielded no batch`, usage);
      const when = i === 0 ? "on the first batch" : `on step ${i + 1} (lr ${fmt(lr)})`;
      const v = n.value;
      if (userStep !== null) {
        optimizer.zero_grad();
        const params = optimizer.param_groups.flatMap((g: { params: { grad: unknown }[] }) => g.params);
        const cleared = params.map((p: { grad: unknown }) => p.grad === null || p.grad === undefined);
        const l = step(() => userStep(v, model), (e) => `step=${args.raw.step} failed ${when} of data=${args.raw.data}: `
          + `step(batch, model) with batch ${describeBatch(v)} threw: ${e}`, usage);
        checkLoss(l, `step=${args.raw.step}`, when, "", usage);
        // zero_grad() left the gradients None: one there now means the step ran backward() itself,
        // and %lr_find's own would add a second gradient (or fail on the freed graph)
        if (params.some((p: { grad: unknown }, j: number) => cleared[j] && p.grad !== null && p.grad !== undefined)) {
          throw new MagicError(`step=${args.raw.step} ran backward() itself ${when}: step= returns the loss, and %lr_find runs `
            + "zero_grad(), backward() and optimizer.step() around it", usage);
        }
        step(() => l.backward(), (e) => `backward() of the loss from step=${args.raw.step} failed ${when}: ${e}`, usage);
        return l;
      }
      // an array [x1, ..., xk, target], or another iterable of them (not a tensor: rows are no batch)
      const parts = Array.isArray(v) ? v : v !== null && typeof v === "object" && !isTensor(v) && typeof v[Symbol.iterator] === "function" ? Array.from(v) : null;
      if (parts === null || parts.length < 2) {
        const what = parts === null ? describeBatch(v) : `a batch of ${parts.length} (${parts.map(describe).join(", ")})`;
        throw new MagicError(`data=${args.raw.data} yielded ${what} ${when}, not an [input, target] pair or [x1, ..., xk, target]; `
          + `for other batches write step=(batch, model) => loss in place of loss=${stepExample(v)}`, usage);
      }
      const xs = parts.slice(0, -1);
      const y = parts[parts.length - 1];
      if (arity !== null && xs.length > arity.count) {
        throw new MagicError(`data=${args.raw.data} yielded a batch of ${parts.length} ${when} (${parts.map(describe).join(", ")}): its inputs are `
          + `all but the last, ${xs.length} of them, but model.forward(${arity.params}) of model=${args.raw.model} takes ${arity.count}; `
          + `for this batch write step=(batch, model) => loss in place of loss=${stepExample(v)}`, usage);
      }
      optimizer.zero_grad();
      // Each part runs under its own name: a wrong object in one option (loss=model) failed deep
      // in the library with only its words ("mat1 and mat2 shapes cannot be multiplied").
      const call = xs.length === 1 ? `model.forward(input) with input ${describe(xs[0])}`
        : `model.forward(${xs.map((_, j) => `x${j + 1}`).join(", ")}) with inputs ${xs.map(describe).join(", ")}`;
      const fewer = arity !== null && xs.length < arity.count ? ` (model.forward(${arity.params}) declares ${arity.count} inputs, the batch gave ${xs.length})` : "";
      const out = step(() => model.forward(...xs), (e) => `model=${args.raw.model} failed ${when} of data=${args.raw.data}: `
        + `${call} threw: ${e}${fewer}`, usage);
      const l = step(() => lossFn!(out, y), (e) => `loss=${args.raw.loss} failed ${when}: loss(output, target) with output ${describe(out)} `
        + `and target ${describe(y)} threw: ${e}${modelAsLoss(loss, args.raw.loss)}`, usage);
      checkLoss(l, `loss=${args.raw.loss}`, when, modelAsLoss(loss, args.raw.loss), usage);
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
      throw e instanceof TypeError || e instanceof RangeError ? new MagicError(inFlags(e.message), usage) : e;
    } finally {
      restoreRandom();
    }
    // for the next cell's code: lrlab.range_test(name) (range_tests.ts)
    record_range_test(args.flags.name as string, rt);
    ctx.display(tools().bundle(rt));
    // The suggestions as the plot's summary line writes them (trace/find.ts summary(): the same
    // order, names and numbers; it printed valley first, and "none" where the summary has "—").
    const s = rt.suggestions;
    const summary = rt.summary().find((l: string) => /^\s*suggestions: /.test(l))?.trim().replace(/^suggestions: /, "");
    // which optimizer's rates these are: SGD's differ from Adam's (the user pass read SGD's as AdamW's)
    const used = values.optimizer !== undefined
      ? `with ${values.optimizer.constructor?.name ?? "the optimizer"}, optimizer=${args.raw.optimizer}`
      : "with SGD(lr) over model.parameters(), since no optimizer= was given: pass optimizer=opt to test yours";
    ctx.print(`suggested lr: ${summary ?? `steepest ${fmt(s.steepest)}, valley ${fmt(s.valley)}, minimum/10 ${fmt(s["minimum/10"])}`} (${used})`);
    // several param groups: swept at the ratio of their rates, whose rate the numbers are (find.ts)
    const groups = rt.groups_line();
    if (groups !== null) ctx.print(`  ${groups}`);
    // why a suggestion is missing ("—"): printed too, not only in the plot's text
    for (const note of rt.notes ?? []) ctx.print(`  ${note}`);
  },
};

/**
 * A check of lrlab.find's options in the words of the magic line: "find: end_lr must be ... than
 * start_lr (1)" named options the user had not written (a user's pass typed --end-lr), so it
 * reads "--end-lr must be ... than --start-lr (1)".
 */
export function inFlags(message: string): string {
  if (!message.startsWith("find: ")) return message;
  return message.slice("find: ".length)
    .replace(/\b(start_lr|end_lr|num_iter|step_mode|smooth_f|diverge_th)\b/g, (k) => `--${k.replace(/_/g, "-")}`);
}

/** `x` for a message: a tensor's shape ("[16, 5]"), else what it is. */
function describe(x: any): string {
  if (x !== null && typeof x === "object" && Array.isArray(x.shape)) return `[${x.shape.join(", ")}]`;
  if (Array.isArray(x)) return `an array of ${x.length}`;
  if (x === null || x === undefined) return String(x);
  return typeof x === "object" ? `a ${x.constructor?.name ?? "object"}` : `a ${typeof x}`;
}

function isTensor(x: any): boolean {
  return x !== null && typeof x === "object" && Array.isArray(x.shape);
}

/** A batch for a message: an array's parts ("an array of 3 ([16, 3], [16, 5], [16, 1])"), an object's keys with their values, else `describe`. */
function describeBatch(v: any): string {
  const some = (xs: string[]) => (xs.length > 8 ? [...xs.slice(0, 8), "..."] : xs).join(", ");
  if (Array.isArray(v)) return `an array of ${v.length} (${some(v.map(describe))})`;
  if (v === null || typeof v !== "object" || isTensor(v)) return describe(v);
  const name = v.constructor === Object || v.constructor === undefined ? "an object" : `a ${v.constructor.name}`;
  return `${name} {${some(Object.keys(v).map((k) => `${k}: ${describe(v[k])}`))}}`;
}

/** How step= would read this batch, for a message: with an object's own keys named. */
function stepExample(v: any): string {
  if (v !== null && typeof v === "object" && !Array.isArray(v) && !isTensor(v) && typeof v[Symbol.iterator] !== "function") {
    return `, e.g. step=(b, m) => loss_fn.forward(m.forward(b.x), b.y) with this batch's keys (${Object.keys(v).join(", ")})`;
  }
  return ", e.g. step=(b, m) => loss_fn.forward(m.forward(b[0], b[1]), b[2])";
}

/**
 * What model.forward declares: its number of parameters and their text, or null when that is no
 * bound (a default or rest parameter, `arguments`, a native function): then the batch is not checked.
 */
function forwardArity(f: any): { count: number; params: string } | null {
  if (typeof f !== "function" || f.length === 0) return null;
  const src = Function.prototype.toString.call(f);
  if (src.includes("[native code]")) return null;
  const list = parameterList(src);
  if (list === null || /\.\.\.|=/.test(list)) return null;
  return { count: f.length, params: list.replace(/\s+/g, " ").trim() };
}

/** The parameter list of a function's source: `a` of `a => ...`, else the text in its first (...), strings and nesting skipped. */
function parameterList(src: string): string | null {
  const bare = /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(src);
  if (bare) return bare[1];
  const open = src.indexOf("(");
  if (open < 0) return null;
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (c === '"' || c === "'" || c === "`") {
      for (i++; i < src.length && src[i] !== c; i++) if (src[i] === "\\") i++;
    } else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      if (--depth === 0) return src.slice(open + 1, i);
    }
  }
  return null;
}

/**
 * What loss= or step= (`who`) returned must be the batch's loss: a one-number tensor with a graph
 * to the parameters, for backward(). `extra` ends the message (loss=: a model given as the loss).
 */
function checkLoss(l: any, who: string, when: string, extra: string, usage: string): void {
  if (typeof l === "number") {
    throw new MagicError(`${who} returned the number ${fmt(l)} ${when}, not a loss tensor: return the tensor itself (not loss.item()), `
      + `whose backward() %lr_find runs${extra}`, usage);
  }
  if (l !== null && typeof l === "object" && typeof l.then === "function") {
    throw new MagicError(`${who} returned a Promise ${when}, not a loss tensor: it must run synchronously (not async)`, usage);
  }
  if (l === null || typeof l !== "object" || typeof l.backward !== "function") {
    const hint = l === undefined ? " (a function whose body is in { } needs `return`)" : "";
    throw new MagicError(`${who} returned ${describe(l)} ${when}, not a loss tensor${hint}${extra}`, usage);
  }
  if (typeof l.numel === "function" && l.numel() !== 1) {
    throw new MagicError(`${who} returned a tensor of shape ${describe(l)} ${when}, not one number: `
      + `the range test needs the batch's loss (a loss module's reduction "mean" or "sum")${extra}`, usage);
  }
  if (l.requires_grad === false) {
    throw new MagicError(`${who} returned a loss that does not require grad ${when}: it does not come from the model's parameters `
      + `(computed under torch.no_grad(), detached, or made from numbers), so backward() has nothing to train${extra}`, usage);
  }
}

/** step= as a function (batch, model) => loss; what cannot be one is a UsageError before anything runs. */
function stepFunction(f: any, model: any, raw: Record<string, string>, usage: string): (batch: unknown, model: unknown) => any {
  const takes = "step= takes a function (batch, model) => loss, e.g. step=(b, m) => loss_fn.forward(m.forward(b.x, b.mask), b.y)";
  if (f === model) throw new MagicError(`step=${raw.step} is the model itself (model=${raw.model}): ${takes}`, usage);
  if (typeof f === "function" && /^class\b/.test(Function.prototype.toString.call(f))) {
    throw new MagicError(`step=${raw.step} is a class, not a function (batch, model) => loss`, usage);
  }
  if (typeof f?.forward === "function") {
    throw new MagicError(`step=${raw.step} is a ${f.constructor?.name ?? "module"}, not a function (batch, model) => loss `
      + "(a loss module goes in loss=, with [input, target] batches)", usage);
  }
  if (typeof f !== "function") throw new MagicError(`step=${raw.step} is ${describe(f)}, not a function: ${takes}`, usage);
  return f;
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
