/**
 * %lr_schedule: previews a learning-rate scheduler without a model (lrlab.preview simulates it
 * on a fresh optimizer) and plots lr per step. Several %lr_schedule lines in a row, in one cell,
 * overlay in one plot.
 *
 *   %lr_schedule StepLR step_size=30 gamma=0.1 --steps 100 --lr 0.1
 *   %lr_schedule OneCycleLR max_lr=0.1 total_steps=100            (--steps: total_steps)
 *   %lr_schedule LambdaLR lr_lambda=(epoch) => 0.95 ** epoch --steps 50
 *   %lr_schedule LambdaLR lr_lambda=myLambda --steps 50           (a function the cells defined)
 *   %lr_schedule SWALR swa_lr=0.05 anneal_epochs=10               (torch.optim.swa_utils.SWALR)
 *   %lr_schedule OneCycleLR max_lr=[0.1,0.2] total_steps=100 --lr 0.01,0.02   (one param group per --lr value)
 *   %lr_schedule StepLR step_size=5 last_epoch=4 --steps 10       (a resumed run: from epoch 5)
 *   %lr_schedule sched --steps 100                                (a scheduler the cells built: scheduler_variable.ts)
 *   %lr_schedule rq.sched --steps 100                             (one a variable's property holds: value_path.ts)
 */
import type { Magic, MagicContext } from "./types";
import { booleanValue, didYouMean, expressionError, isInterrupt, MagicError, parseArgs, ParsedArgs } from "./parser";
import { tools, torch } from "./tools";
import { scheduler_names } from "../optim/lr_scheduler/names";
import { swa_scheduler_names } from "../optim/swa_utils/names";
import type * as OneCycleLRModule from "../optim/lr_scheduler/one_cycle_lr";
import type * as CyclicLRModule from "../optim/lr_scheduler/cyclic_lr";
import type * as ReduceLROnPlateauModule from "../optim/lr_scheduler/reduce_lr_on_plateau";
import type * as SWALRModule from "../optim/swa_utils/swalr";
import { listedSchedulers } from "./combined_options";
import { lineNeeds } from "../optim/lr_scheduler/needs";
import { classOptions, schedulerOf, schedulerVariables, unknownNameError, variableName, variablePreview, type OwnLength, type Scope } from "./scheduler_variable";

/**
 * The options that take a function (LambdaLR's and MultiplicativeLR's lr_lambda, CyclicLR's
 * scale_fn): their value is always TypeScript, so it may name a function the cells defined
 * (lr_lambda=myLam was the string "myLam"). Other keys keep words as words (mode=min stays "min"
 * even if a variable is called min).
 */
const FUNCTION_KEYS = new Set(["lr_lambda", "scale_fn"]);

/** Whether key=value's value is TypeScript: a function key's, or one written as an arrow function. */
function isExpression(key: string, v: unknown): boolean {
  return FUNCTION_KEYS.has(key) || (typeof v === "string" && v.includes("=>"));
}

/** The scheduler's options: values that are TypeScript (isExpression) evaluated in the cells' scope. */
async function functionValues(ctx: MagicContext, a: ParsedArgs, usage: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of a.kv) {
    if (isExpression(k, v)) {
      let value: unknown;
      try {
        value = await ctx.evaluate(a.raw[k]);
      } catch (e: any) {
        if (isInterrupt(e)) throw e;
        throw expressionError(k, a.raw[k], e, usage);
      }
      out[k] = FUNCTION_KEYS.has(k) ? checkedFunctions(k, value) : value;
    } else out[k] = v;
  }
  return out;
}

/** What a function option's argument is, for its error: LambdaLR's epoch, CyclicLR's scale_fn x. */
const FUNCTION_ARGUMENT: Record<string, (x: number) => string> = {
  lr_lambda: (x) => `at epoch ${x}`,
  scale_fn: (x) => `at x = ${x}`,
};

/**
 * The user's function (or list of them, one per group) as the preview calls it: a result that is
 * not a finite number is an error naming the option, what it returned and where. Without it
 * `lr_lambda=(e) => e.foo` previewed "lr NaN → NaN" with an empty plot and status ok. The library
 * itself raises only for a result that is no number (PyTorch's TypeError) and keeps a NaN silently,
 * as PyTorch does; a preview exists to show the schedule, so it says so for any of them.
 * A boolean passes, as Python's True * lr does.
 */
function checkedFunctions(key: string, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((f) => checkedFunctions(key, f));
  if (typeof value !== "function") return value; // the scheduler says what it takes
  const fn = value as (x: number) => unknown;
  const where = FUNCTION_ARGUMENT[key] ?? ((x: number) => `at ${x}`);
  return function checked(this: unknown, x: number): unknown {
    const r = fn.call(this, x);
    if (typeof r === "boolean" || (typeof r === "number" && Number.isFinite(r))) return r;
    const n = typeof r === "object" && r !== null && Symbol.toPrimitive in r ? Number(r) : NaN; // a one-element tensor
    if (Number.isFinite(n)) return r;
    const shown = typeof r === "number" ? String(r) : typeof r === "string" ? JSON.stringify(r) : r === undefined ? "undefined" : r === null ? "null"
      : typeof r === "object" ? (r.constructor?.name ?? "an object") : typeof r;
    throw new MagicError(`${key} returned ${shown} (not a finite number) ${where(x)}`);
  };
}

/**
 * The optimizers a preview can simulate on (for --optimizer): lrlab.preview's own list, so Tab
 * offers exactly what is accepted. (Tab offered all 14 of torch.optim, and LBFGS, Muon and
 * Adafactor were then rejected. They stay out: the optimizer only decides which momentum a
 * cycling scheduler moves (SGD's momentum, Adam's β₁), which those three lack, and the preview's
 * one-element dummy parameter suits neither Muon (2-D parameters) nor LBFGS (a closure per step).)
 */
function optimizerNames(): readonly string[] {
  return tools().PREVIEW_OPTIMIZERS;
}

/** A throw-away optimizer for probing schedulers (one zero parameter per group: a group per --lr value). */
function scratchOptimizer(lrs: number | number[] = 0.1): unknown {
  const t = torch();
  if (Array.isArray(lrs)) return new t.optim.SGD(lrs.map((lr) => ({ params: [t.zeros([1], { requires_grad: true })], lr })), { lr: lrs[0] });
  return new t.optim.SGD([t.zeros([1], { requires_grad: true })], { lr: lrs });
}

/**
 * Every scheduler a preview can build: torch.optim.lr_scheduler's, then torch.optim.swa_utils'
 * SWALR (an LRScheduler too, kept in swa_utils as in PyTorch). The lists come from their own
 * modules (which import nothing), not from torch.optim.lr_scheduler: they are lrlab's, and a
 * cell's Tab after `torch.optim.lr_scheduler.` shows PyTorch's names only.
 */
function schedulerNames(): readonly string[] {
  return [...scheduler_names, ...swa_scheduler_names];
}

/** The scheduler `word` names, bare (StepLR) or by PyTorch's path (torch.optim.lr_scheduler.StepLR); null: none. */
function schedulerNameOf(word: string): string | null {
  const name = /^(?:(?:torch\.)?(?:optim\.)?lr_scheduler\.)?(\w+)$/.exec(word)?.[1];
  return name !== undefined && schedulerNames().includes(name) ? name : null;
}

function schedulerClass(name: string): new (o: unknown, options: object) => any {
  const optim = torch().optim;
  const home = (swa_scheduler_names as readonly string[]).includes(name) ? optim.swa_utils : optim.lr_scheduler;
  return (home as unknown as Record<string, new (o: unknown, options: object) => any>)[name];
}

/** The schedulers that combine others (scheduler objects: not a magic line's key=value). */
const COMBINED: ReadonlySet<string> = new Set(["SequentialLR", "ChainedScheduler"]);

/**
 * A scheduler's keyword arguments, for Tab. The schedulers check their options against the list
 * they accept and name it in the error (lr_scheduler/options.ts), so a probe with an unknown key
 * on a throw-away optimizer reads that same list: no second copy of it to keep in step.
 */
function schedulerKeywords(name: string): string[] {
  try {
    new (schedulerClass(name))(scratchOptimizer(), { __lrlab_probe__: 1 });
  } catch (e) {
    const m = /accepted: (.*)$/.exec((e as Error)?.message ?? "");
    if (m) return m[1].split(", ");
  }
  return [];
}

/**
 * The length a schedule defines itself, read from the scheduler as it resolved its options, and
 * the options it comes from (for the message when it is no positive integer).
 */
const DEFINED_LENGTH: Record<string, { length: (s: any) => number; from: string; keys: readonly string[] }> = {
  // total_steps, or epochs × steps_per_epoch (PyTorch errs past it)
  OneCycleLR: { length: (s) => s.total_steps, from: "total_steps", keys: ["total_steps", "epochs", "steps_per_epoch"] },
  CosineAnnealingLR: { length: (s) => s.T_max, from: "T_max", keys: ["T_max"] }, // one period
  // two cycles (step_size_up + step_size_down each)
  CyclicLR: { length: (s) => 2 * s.total_size, from: "two cycles of step_size_up + step_size_down", keys: ["step_size_up", "step_size_down"] },
  PolynomialLR: { length: (s) => s.total_iters, from: "total_iters", keys: ["total_iters"] },
  // the annealing, then as long again at swa_lr
  SWALR: { length: (s) => 2 * s.anneal_epochs, from: "2 × anneal_epochs", keys: ["anneal_epochs"] },
};

/**
 * The length a scheduler object defines itself (a variable's line without --steps), by the nearest
 * class of its prototype chain that has one (a user's subclass of CosineAnnealingLR has T_max too).
 */
const ownLength: OwnLength = (sched) => {
  for (let p = Object.getPrototypeOf(sched); p !== null; p = Object.getPrototypeOf(p)) {
    const cls: unknown = p.constructor?.name;
    if (typeof cls === "string" && Object.hasOwn(DEFINED_LENGTH, cls)) return { length: DEFINED_LENGTH[cls].length(sched), from: DEFINED_LENGTH[cls].from };
  }
  return undefined;
};

/**
 * How many steps a schedule defines by itself, for a missing --steps: the scheduler is built on a
 * throw-away optimizer with the line's options and asked (so its defaults and derivations are the
 * scheduler's own). Undefined for the others (StepLR and the like have no end of their own).
 * Options that do not build the scheduler are the scheduler's error (`Expected positive T_max, but
 * got ten`), as with --steps: this used to swallow it and ask for --steps, "which CosineAnnealingLR
 * takes from its own options", contradicting itself. A length that is no positive integer
 * (T_max=10.5, total_iters=0) says which option gave it and asks for --steps.
 */
function definedSteps(name: string, o: Record<string, unknown>, a: ParsedArgs, lrs: number | number[], usage: string): number | undefined {
  const defined = DEFINED_LENGTH[name];
  if (defined === undefined) return undefined;
  let scheduler: unknown;
  try {
    scheduler = new (schedulerClass(name))(scratchOptimizer(lrs), o);
  } catch (e: any) {
    const err = schedulerError(name, e, usage);
    const more = groupsHint(err.message, lrs) || listHint(err.message);
    throw more ? new MagicError(err.message + more, usage) : err;
  }
  const v = defined.length(scheduler);
  if (Number.isInteger(v) && v > 0) return v;
  const given = defined.keys.filter((k) => a.raw[k] !== undefined).map((k) => `${k}=${a.raw[k]}`);
  // the option itself when it is the length (T_max=10.5), else the length and the options it came from
  const what = given.length === 1 && given[0].startsWith(`${defined.from}=`) ? given[0]
    : `that is ${v} here${given.length ? ` (${given.join(" ")})` : ""}, which`;
  throw new MagicError(`${name}: without --steps the preview runs ${defined.from} steps, and ${what} is not a positive integer; give --steps N`, usage);
}

/**
 * OneCycleLR stepped past its total_steps because --steps asked for more: PyTorch's "Tried to step
 * 101 times. The specified number of total steps is 100" alone did not say that --steps was the
 * cause, nor that the magic takes the length from total_steps when --steps is left out.
 */
function pastTotalSteps(message: string, steps: number, a: ParsedArgs, resume: number | undefined): string {
  const total = /Tried to step \d+ times\. The specified number of total steps is (\d+)/.exec(message)?.[1];
  if (total === undefined) return "";
  const from = a.raw.total_steps !== undefined ? `total_steps (${total})` : `total_steps = epochs × steps_per_epoch (${total})`;
  if (resume !== undefined) {
    // a resumed run starts at epoch k + 1: what is left of the schedule is total_steps − k − 1 steps
    const left = Number(total) - resume - 1;
    return `. From last_epoch=${resume}, --steps ${steps} runs past ${from}, where OneCycleLR's schedule ends; leave --steps out (the preview then runs the ${left} steps left), or give --steps ${left} or fewer`;
  }
  return `. --steps ${steps} exceeds ${from}, where OneCycleLR's schedule ends; leave --steps out (the preview then runs total_steps steps), or give --steps ${total} or fewer`;
}

/**
 * A scheduler's error as a MagicError, prefixed with its name once (its messages may already start
 * with it). lrlab.preview's own "preview: " prefix is dropped: the line is no call of preview(), and
 * "ReduceLROnPlateau: preview: ReduceLROnPlateau needs ..." named the scheduler twice.
 */
function schedulerError(name: string, e: any, usage: string): MagicError {
  const message = String(e?.message ?? e).replace(/^preview: /, "");
  return new MagicError(new RegExp(`^${name}[: ]`).test(message) ? message : `${name}: ${message}`, usage);
}

/**
 * A per-group list given for a one-group preview (`max_lr=[0.1,0.2]`: "max_lr has 2 values,
 * param_groups has 1", LambdaLR's "Expected 1 lr_lambdas, but got 2"): the preview's optimizer has
 * one group per --lr value, which the scheduler's message cannot say.
 */
function groupsHint(message: string, lrs: number | number[]): string {
  const n = /has (\d+) values, param_groups has \d+/.exec(message)?.[1] ?? /Expected \d+ lr_lambdas, but got (\d+)/.exec(message)?.[1];
  if (n === undefined) return "";
  const groups = Array.isArray(lrs) ? lrs.length : 1;
  const example = Array.from({ length: Number(n) }, (_, i) => (Array.isArray(lrs) ? lrs[i] ?? lrs[lrs.length - 1] : lrs)).join(",");
  return `${message.endsWith(".") ? " " : ". "}The preview's optimizer has one param group per --lr value (${groups} here): give --lr with one value per group, e.g. --lr ${example}`;
}

/**
 * A scheduler's keyword arguments that take one of a few words, and those words (PyTorch's): Tab
 * after `key=` offers them, and a misspelt one is named with the close word before anything runs.
 * Each list is the one the scheduler's constructor checks, exported next to that check, so a word
 * a scheduler gains is offered here too. Read on use (a getter per scheduler): the scheduler
 * modules load the tensor library, which the kernel does not load at start
 * (test/kernel/start_modules.test.ts). test/kernel/magic_messages.test.ts builds each scheduler
 * with each word and checks that a word outside them is refused.
 */
export const WORD_VALUES: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  get OneCycleLR() {
    const m: typeof OneCycleLRModule = require("../optim/lr_scheduler/one_cycle_lr");
    return { anneal_strategy: m.ONE_CYCLE_ANNEAL_STRATEGIES };
  },
  get SWALR() {
    const m: typeof SWALRModule = require("../optim/swa_utils/swalr");
    return { anneal_strategy: m.SWALR_ANNEAL_STRATEGIES };
  },
  get CyclicLR() {
    const m: typeof CyclicLRModule = require("../optim/lr_scheduler/cyclic_lr");
    return { mode: m.CYCLIC_MODES, scale_mode: m.CYCLIC_SCALE_MODES };
  },
  get ReduceLROnPlateau() {
    const m: typeof ReduceLROnPlateauModule = require("../optim/lr_scheduler/reduce_lr_on_plateau");
    return { mode: m.PLATEAU_MODES, threshold_mode: m.PLATEAU_THRESHOLD_MODES };
  },
};

/**
 * A scheduler's keyword arguments that are booleans (its options interface says `boolean`): on a
 * line they take true or false (True/False) only, checked as the line is parsed. Any other word
 * was passed on as a string, which the scheduler reads as Python reads a truthy value:
 * `cycle_momentum=no` cycled momentum, `three_phase=yes` ran three phases. A static list (the
 * types are gone at run time); test/kernel/magic_messages.test.ts checks it against the option
 * interfaces of the schedulers' sources.
 */
export const BOOLEAN_KEYS: Readonly<Record<string, readonly string[]>> = {
  OneCycleLR: ["cycle_momentum", "three_phase"],
  CyclicLR: ["cycle_momentum"],
};

/** `30,60`, `30, 60` or `(30,60)` as numbers; undefined for anything else. */
function numberList(v: unknown): number[] | undefined {
  if (typeof v !== "string") return undefined;
  const inner = /^\((.*)\)$/s.exec(v.trim())?.[1] ?? v;
  if (!inner.includes(",")) return undefined; // (0.5) is Python's number, not a tuple
  const items = inner.split(",").map((t) => t.trim());
  if (items[items.length - 1] === "" && items.length > 1) items.pop(); // (30,): Python's one-element tuple
  if (items.length === 0 || !items.every((t) => /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t))) return undefined;
  return items.map(Number);
}

/**
 * --lr: one number (one param group), or a list `0.1,0.01` / `[0.1,0.01]` (one group per value).
 */
function lrsOf(a: ParsedArgs, usage: string): number | number[] {
  const v = a.flags.lr ?? 0.1; // the default, or the list option's words (strings)
  if (typeof v === "number") return v;
  const words = (v as string[]).join(",").replace(/^\[|\]$/g, "").split(",").map((t) => t.trim()).filter(Boolean);
  const list = words.map((t) => (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t) ? Number(t) : NaN));
  const bad = list.findIndex((x) => !(Number.isFinite(x) && x >= 0));
  if (bad >= 0 || list.length === 0) {
    // `--lr 0.1 StepLR ...`: the list option took the scheduler's name
    const name = schedulerNames().includes(words[bad]) ? `; put the scheduler's name first: %lr_schedule ${words[bad]} key=value ... --lr ${words.slice(0, bad).join(",") || "0.1"}` : "";
    throw new MagicError(`--lr takes a number >= 0, or one per param group: --lr 0.1,0.01 (a group each), got ${words.join(",")}${name}`, usage);
  }
  return list.length === 1 ? list[0] : list;
}

/** The most epochs `last_epoch=k` may replay before the preview (preview's own limit of steps). */
const MAX_RESUME = 1_000_000;

/**
 * `last_epoch=k` (k >= 0): where a resumed run continues. PyTorch's scheduler then needs the state a
 * run that reached epoch k left in its optimizer (`initial_lr`, the current lr, OneCycleLR's
 * max_lr/min_lr, a cycled momentum): a fresh optimizer has none, and PyTorch's checkpoint-resume
 * KeyError ('initial_lr') was all the line gave, which nothing on it could fix. The preview runs
 * the same scheduler from the start for k steps on its optimizer (so the optimizer holds exactly
 * what a checkpoint taken at epoch k holds), then builds the line's scheduler with last_epoch=k
 * on it, as a resumed script does. Its constructor steps to epoch k + 1, the first step plotted.
 * Undefined when the line does not resume.
 */
function resumeEpoch(name: string, options: Record<string, unknown>, usage: string): number | undefined {
  const k = options.last_epoch;
  if (typeof k !== "number" || !Number.isInteger(k) || k < 0) return undefined; // -1 (start), or the scheduler's own error
  if (k >= MAX_RESUME) throw new MagicError(`${name}: last_epoch=${k}: the preview replays the schedule up to epoch ${k} first; at most ${MAX_RESUME - 1}`, usage);
  return k;
}

/**
 * Labels that tell the lines of an overlay apart. The same scheduler and options at two --lr (or on
 * SGD and Adam) had one label, and the plot merged the two lines into one zig-zag with no legend.
 * Lines whose labels are equal get the options that differ between them (`--lr 0.05`,
 * `--optimizer Adam`), and still-equal ones their line number; a --name given to two lines is an
 * error (the user chose both labels, and one cannot be changed for them).
 */
function overlayLabels(all: ParsedArgs[], defaults: string[], usage: string): string[] {
  const named = all.map((a) => a.flags.name as string | undefined);
  named.forEach((n, i) => {
    const j = named.indexOf(n);
    if (n !== undefined && j < i) {
      throw new MagicError(`--name ${n} is given to lines ${j + 1} and ${i + 1} of the overlay: each line needs its own label (its legend entry); `
        + "give another --name, or leave --name out to label a line with its scheduler and options", usage);
    }
  });
  const base = all.map((_, i) => named[i] ?? defaults[i]);
  const shown: Record<string, (a: ParsedArgs) => string | undefined> = {
    lr: (a) => { const v = a.flags.lr ?? 0.1; return Array.isArray(v) ? v.join(",").replace(/^\[|\]$/g, "") : String(v); },
    optimizer: (a) => (a.flags.optimizer as string | undefined) ?? "SGD",
    steps: (a) => (a.flags.steps === undefined ? undefined : String(a.flags.steps)),
    metrics: (a) => (a.flags.metrics === undefined ? undefined : (a.flags.metrics as string[]).join(",")),
  };
  const labels = base.map((label, i) => {
    if (named[i] !== undefined) return label;
    const same = all.map((_, j) => j).filter((j) => base[j] === label);
    if (same.length < 2) return label;
    const differ = Object.keys(shown).filter((f) => new Set(same.map((j) => shown[f](all[j]))).size > 1);
    const parts = differ.map((f) => shown[f](all[i])).map((v, n) => (v === undefined ? "" : ` --${differ[n]} ${v}`)).join("");
    return label + parts;
  });
  return labels.map((label, i) => (named[i] === undefined && labels.some((l, j) => j !== i && l === label) ? `${label} (line ${i + 1})` : label));
}

/**
 * The scheduler a line names, checked with its keys (a misspelt one is named with the close key);
 * run as the line is parsed (`check`), so a bad line runs nothing of its cell.
 */
function checkLine(a: ParsedArgs, usage: string): string {
  const names = schedulerNames();
  lrsOf(a, usage); // a bad --lr (or one that took the scheduler's name: `--lr 0.1 StepLR`) as the line is parsed
  if (a.positional.length === 0) throw new MagicError(`name a scheduler; valid names: ${names.join(", ")}`, usage);
  // PyTorch's full path names the same class: torch.optim.lr_scheduler.StepLR is StepLR
  const short = schedulerNameOf(a.positional[0]);
  if (short !== null) a.positional[0] = short;
  const name = a.positional[0];
  if (!names.includes(name)) {
    // StepLR(step_size=5, gamma=0.5): Python's call, which the line writes as key=value words
    const call = /^(\w+)\(/.exec(name);
    if (call !== null && names.includes(call[1])) {
      throw new MagicError(`${call[1]}(...) is Python's call: write the scheduler's options as key=value words after its name, `
        + `without parentheses or commas, e.g. %lr_schedule ${call[1]} ${(schedulerKeywords(call[1]).slice(0, 2).map((k) => k + "=...").join(" "))} --steps 100`, usage);
    }
    // A name that may be a variable holding a scheduler (scheduler_variable.ts): what it holds is
    // the cells' to say, checked by checkScope before the cell runs and by run when the line runs
    if (variableName(a, names) !== undefined) return name;
    throw unknownNameError(name, names, undefined, usage);
  }
  // ChainedScheduler's list is its first argument, positional here as in PyTorch, where a call may
  // also name it (schedulers=[...]): a line can only name it. Refused as unknown, that line never
  // reached combinedExample, which says how to preview it (a user's pass)
  const keys = name === "ChainedScheduler" ? ["schedulers", ...schedulerKeywords(name).filter((k) => k !== "schedulers")] : schedulerKeywords(name);
  const bad = keys.length ? a.kv.find(([k]) => !keys.includes(k)) : undefined;
  if (bad !== undefined) {
    // the scheduler's own words (PyTorch's), with the close key, or the magic's option (steps= → --steps)
    const near = didYouMean(bad[0], [...keys.map((k) => k + "="), "--steps", "--lr", "--optimizer", "--metrics", "--name"]);
    throw new MagicError(`${name}: ${name}.__init__() got an unexpected keyword argument '${bad[0]}'${near}; accepted: ${keys.join(", ")}`, usage);
  }
  // a required option left out: one line saying what it is and what else the scheduler takes
  // (it was the scheduler's own "missing 1 required argument", after --steps was asked for first)
  // (after a stray word, `StepLR 5`, which build() takes for a value without its key)
  const needs = COMBINED.has(name) || a.positional.length > 1 ? null : lineNeeds(name, a.kv.map(([k]) => k));
  if (needs !== null) throw new MagicError(needs, usage);
  // milestones=30,60 (or Python's tuple (30,60)): the list [30,60]. It was the string "30,60", which
  // MultiStepLR refused ("must be a list of integers, but got 30,60") without showing the [..] form.
  // No option takes text with commas, so a comma list of numbers is always a list.
  a.kv.forEach((kv, i) => {
    const list = numberList(kv[1]);
    if (list !== undefined && !isExpression(kv[0], kv[1])) a.kv[i] = [kv[0], list];
  });
  for (const [k, v] of a.kv) {
    if (BOOLEAN_KEYS[name]?.includes(k)) booleanValue(`${name}: ${k}`, v, usage);
    const words = WORD_VALUES[name]?.[k];
    if (words !== undefined && typeof v === "string" && !words.includes(v)) {
      throw new MagicError(`${name}: ${k}=${v}${didYouMean(v, words)}; ${k} is one of ${words.join(", ")}`, usage);
    }
  }
  return name;
}

/**
 * SequentialLR and ChainedScheduler take scheduler objects, which key=value cannot write: the
 * error gives the preview in code, built from what the line gave (--steps, --lr, milestones=,
 * schedulers=[LinearLR,CosineAnnealingLR]); it ignored them and wrote milestones [5] and lr 0.1
 * whatever the line said (a porter's pass). Each listed scheduler's options too, when the line gives
 * them in Python's call syntax (`LinearLR(start_factor=0.125,total_iters=7)`: combined_options.ts):
 * the code had start_factor 0.1 and total_iters 8 in their place, saying "the schedulers' options are
 * examples" of options the user had given (a teacher's pass). Examples stand only where the line
 * gives nothing readable, and the message names what is an example.
 */
function combinedExample(name: string, a: ParsedArgs): string {
  const steps = Number.isInteger(a.flags.steps) && (a.flags.steps as number) > 1 ? a.flags.steps as number : 50;
  const kv = new Map(a.kv);
  const given = kv.get("milestones");
  const milestones = ((Array.isArray(given) ? given : typeof given === "number" ? [given] : []) as unknown[]).filter((m): m is number => typeof m === "number" && Number.isInteger(m) && m > 0 && m < steps);
  const sequential = name === "SequentialLR";
  // the schedulers the line named (schedulers=[LinearLR,CosineAnnealingLR], with their options or not), else warm-up then cosine
  const listed = listedSchedulers(kv.get("schedulers"), schedulerNames());
  const chosen = listed.length >= 2 ? listed : [{ name: "LinearLR", options: null }, { name: "CosineAnnealingLR", options: null }];
  const names = chosen.map((c) => c.name);
  const ownMilestones = milestones.length === names.length - 1;
  const bounds = sequential ? (ownMilestones ? milestones : names.slice(1).map((_, i) => Math.max(1, Math.round(((i + 1) * steps) / (10 * names.length))))) : [];
  const spans = names.map((_, i) => (sequential ? (bounds[i] ?? steps) - (bounds[i - 1] ?? 0) : steps));
  const make = (n: string, span: number): string => {
    const opts: Record<string, string> = {
      LinearLR: `start_factor: 0.1, total_iters: ${span}`, ConstantLR: `factor: 0.1, total_iters: ${span}`, CosineAnnealingLR: `T_max: ${span}`,
      ExponentialLR: "gamma: 0.95", StepLR: `step_size: ${Math.max(1, Math.round(span / 3))}, gamma: 0.5`, PolynomialLR: `total_iters: ${span}, power: 1`,
    };
    return `new torch.optim.lr_scheduler.${n}(opt, { ${opts[n] ?? "/* its options */"} })`;
  };
  const vars = names.map((_, i) => `s${i}`);
  // the line's own options where it gave them, readable; else the examples
  const decls = chosen.map((c, i) => `const ${vars[i]} = ${c.options !== null ? `new torch.optim.lr_scheduler.${c.name}(opt, ${c.options})` : make(c.name, spans[i])}; `).join("");
  const invented = chosen.filter((c) => c.options === null).map((c) => c.name);
  const examples = [
    ...(invented.length === chosen.length ? ["the schedulers' options"] : invented.length ? [`the options of ${[...new Set(invented)].join(" and ")}`] : []),
    ...(sequential && !ownMilestones ? ["the milestones"] : []),
  ];
  const what = examples.length ? ` (${examples.join(" and ")} are examples: give yours)` : ", with the options your line gave";
  const combined = sequential
    ? `new torch.optim.lr_scheduler.SequentialLR(opt, { schedulers: [${vars.join(", ")}], milestones: [${bounds.join(", ")}] })`
    : `new torch.optim.lr_scheduler.ChainedScheduler([${vars.join(", ")}])`;
  // --lr is a number, or a list (one param group per value)
  const lrs = (Array.isArray(a.flags.lr) ? a.flags.lr : [a.flags.lr]).map(Number).filter((v) => Number.isFinite(v));
  const lr = lrs.length === 0 ? "" : `, lr: ${lrs.length === 1 ? lrs[0] : `[${lrs.join(", ")}]`}`;
  return `${name} combines other schedulers, which a magic line cannot build; preview it in code${what}:\n`
    + `  lrlab.preview((opt) => { ${decls}return ${combined}; }, { steps: ${steps}${lr} })\n`
    + `or, for a scheduler your code already built: lrlab.preview(scheduler, { steps: ${steps} }) (stepped on its own optimizer, then put back as it was)`;
}

function build(a: ParsedArgs, options: Record<string, unknown>, label: string, usage: string) {
  const names = schedulerNames();
  const name = checkLine(a, usage);
  if (a.positional.length > 1) {
    // a second scheduler's name, or a bare value (`StepLR 5`): the options are key=value
    const extra = a.positional[1];
    if (names.includes(extra)) throw new MagicError(`one scheduler per line, got ${a.positional.join(" ")}; put ${extra} on a line of its own`, usage);
    const keys = schedulerKeywords(name);
    throw new MagicError(`unexpected ${JSON.stringify(extra)}: a scheduler's options are key=value`
      + (keys.length ? ` (${name} takes ${keys.map((k) => k + "=").join(", ")}; e.g. ${keys[0]}=${extra})` : ""), usage);
  }
  const optimizer = a.flags.optimizer as string | undefined;
  if (optimizer !== undefined && !optimizerNames().includes(optimizer)) {
    throw new MagicError(`--optimizer ${optimizer}: a preview simulates on ${optimizerNames().join(", ")}`
      + " (the optimizer decides only which momentum a cycling scheduler moves)", usage);
  }
  if (COMBINED.has(name)) throw new MagicError(combinedExample(name, a), usage);
  // --metrics: what ReduceLROnPlateau.step(metrics) receives at each step, and nothing else
  const metricsText = a.flags.metrics as string[] | undefined;
  let metrics: number[] | undefined;
  if (metricsText !== undefined) {
    if (name !== "ReduceLROnPlateau") {
      throw new MagicError(`--metrics is the metric ReduceLROnPlateau reacts to, one number per step; ${name} takes none `
        + "(the plot shows lr, and the momentum or β₁ a scheduler cycles)", usage);
    }
    const bad = metricsText.find((t) => !Number.isFinite(Number(t)));
    if (bad !== undefined) throw new MagicError(`--metrics takes numbers (the metric of each step, e.g. a validation loss), got ${JSON.stringify(bad)}`, usage);
    metrics = metricsText.map(Number);
  }
  if (name === "ReduceLROnPlateau" && metrics === undefined) {
    throw new MagicError("ReduceLROnPlateau lowers lr when a metric stops improving: give the metric of each step, "
      + "e.g. --metrics 1,0.8,0.7,0.7,0.7,0.7 (one step per value), or trace a real run with %%lr_trace", usage);
  }
  const lrs = lrsOf(a, usage);
  const resume = resumeEpoch(name, options, usage);
  const fresh = resume === undefined ? options : { ...options, last_epoch: -1 };
  // a resumed schedule's own length is what is left of it after epoch k (OneCycleLR cannot step past total_steps)
  let steps = (a.flags.steps as number | undefined) ?? (metrics ? metrics.length : definedSteps(name, fresh, a, lrs, usage));
  if (steps !== undefined && resume !== undefined && a.flags.steps === undefined) {
    steps -= resume + 1;
    if (steps < 1) {
      throw new MagicError(`${name}: last_epoch=${resume} is at or past the end of the schedule's own length (${steps + resume + 1} steps), `
        + "from which the preview takes its length without --steps; give --steps N", usage);
    }
  }
  if (steps === undefined) {
    throw new MagicError(`--steps N is required for ${name} (how many steps to simulate); `
      + "OneCycleLR, CosineAnnealingLR, CyclicLR, PolynomialLR and SWALR take it from their own options", usage);
  }
  if (steps < 1) throw new MagicError(`--steps must be a positive integer, got ${steps}`, usage);
  if (metrics !== undefined && metrics.length < steps) {
    throw new MagicError(`ReduceLROnPlateau: --metrics has ${metrics.length} values for --steps ${steps}: give one metric per step, `
      + "or leave --steps out (one step per --metrics value)", usage);
  }
  const Sched = schedulerClass(name);
  const make = (opt: any) => {
    if (resume !== undefined) {
      // the run up to the checkpoint: optimizer.step() then scheduler.step(), as training does
      const before = new Sched(opt, fresh);
      for (let i = 0; i < resume; i++) {
        opt.step();
        before.step();
      }
    }
    return new Sched(opt, options);
  };
  let preview;
  try {
    preview = tools().preview(make, {
      steps,
      lr: lrs,
      ...(optimizer ? { optimizer: optimizer as any } : {}),
      ...(metrics ? { metrics } : {}),
      ...(resume !== undefined ? { first_step: resume + 1 } : {}),
      name: label,
    });
  } catch (e: any) {
    // the scheduler's own messages may already start with its name ("MultiStepLR: milestones ...")
    const err = schedulerError(name, e, usage);
    const past = name === "OneCycleLR" && a.flags.steps !== undefined ? pastTotalSteps(err.message, steps as number, a, resume) : "";
    const more = past || groupsHint(err.message, lrs) || listHint(err.message);
    throw more ? new MagicError(err.message + more, usage) : err;
  }
  // A schedule whose numbers alone reach a non-finite lr (ExponentialLR gamma=1e200): an empty plot
  // and "lr Infinity" with status ok said nothing of it. (A function option's result is checked as
  // it is called, by checkedFunctions, with its epoch.)
  const bad = preview.lr.findIndex((v: number) => !Number.isFinite(v));
  if (bad >= 0) throw new MagicError(`${name}: the lr is ${preview.lr[bad]} (not a finite number) from step ${bad}; the preview cannot plot it`, usage);
  return preview;
}

/** A line's label without --name: the scheduler and its options as written. */
function defaultLabel(a: ParsedArgs): string {
  // a variable's line: the variable's name (its options are the scheduler's own)
  if (variableName(a, schedulerNames()) !== undefined) return a.positional[0];
  return `${a.positional[0]}(${a.kv.map(([k, v]) => `${k}=${isExpression(k, v) ? a.raw[k] : JSON.stringify(v)}`).join(", ")})`;
}

/** A list option given a single word a list cannot be made of: the line's list syntax. */
function listHint(message: string): string {
  const key = /(\w+) must be a list of (?:integers|numbers)/.exec(message)?.[1];
  return key === undefined ? "" : `; on a %lr_schedule line a list is written ${key}=[30,60] (or ${key}=30,60)`;
}

export const lr_schedule: Magic = {
  name: "lr_schedule",
  kind: "line",
  usage: "Scheduler key=value ... [--steps N] [--lr γ[,γ2,...]] [--optimizer SGD|Adam|...] [--metrics m1,m2,...] [--name label]  |  variable [--steps N] [--name label]",
  help: "Plots the learning rate a torch.optim.lr_scheduler scheduler (or torch.optim.swa_utils.SWALR) gives at each step, simulated on a fresh optimizer.\n"
    + "key=value pairs are the scheduler's options (as in PyTorch; a boolean one takes true or false); several lines in one cell overlay.\n"
    + "--metrics feeds ReduceLROnPlateau one metric per step; lr_lambda and scale_fn are TypeScript (an arrow function or a function's name),\n"
    + "as is any value written as an arrow function. A list is [30,60] or 30,60; --lr 0.1,0.01 makes a param group per value (per-group lists).\n"
    + "last_epoch=k previews a resumed run: from epoch k + 1, after the same schedule's first k steps. Overlaid lines that differ only in --lr or --optimizer say so in their labels.\n"
    + "A variable holding a scheduler your code built (SequentialLR, ChainedScheduler included), or a property or element of one (rq.sched, runs[0].sched), is previewed as lrlab.preview(sched, { steps }) does: on its own optimizer, then put back;\n"
    + "its line takes --steps (optional when its options define a length), --name and, for a ReduceLROnPlateau, --metrics; it is labelled with the variable's name (or path).\n"
    + "Example:\n  %lr_schedule StepLR step_size=30 gamma=0.1 --steps 100\n  %lr_schedule CosineAnnealingLR T_max=100 --steps 100\n  %lr_schedule sched --steps 100",
  options: [
    { name: "steps", type: "int", help: "steps to simulate (required, except OneCycleLR: total_steps, CosineAnnealingLR: T_max, CyclicLR: two cycles, PolynomialLR: total_iters, SWALR: 2 × anneal_epochs, ReduceLROnPlateau: one per --metrics value)" },
    { name: "lr", type: "list", help: "the optimizer's initial lr; several (0.1,0.01) make one param group each, for per-group lists (max_lr=[0.1,0.2])", default: 0.1 },
    {
      name: "optimizer", type: "string", help: "optimizer of the simulation (SGD, Adam, ...)", values: optimizerNames,
      invalid: (v, near) => `--optimizer ${v}${near}: a preview simulates on ${optimizerNames().join(", ")} (the optimizer decides only which momentum a cycling scheduler moves)`,
    },
    { name: "metrics", type: "list", help: "ReduceLROnPlateau only: the metric of each step (numbers), what scheduler.step(metrics) receives" },
    { name: "name", type: "string", help: "legend label (default: the scheduler and its options, plus --lr/--optimizer where overlaid lines differ only in those; two lines may not share one)" },
  ],
  groupLines: true,
  keysOf(positional) {
    // the scheduler's own arguments, once the line has named one (PyTorch's full path too)
    const name = schedulerNameOf(positional[0] ?? "");
    return name !== null ? schedulerKeywords(name) : [];
  },
  check(args, usage) {
    checkLine(args, usage);
  },
  // A variable's line with class-line options (key=value, --lr, --optimizer) is wrong whatever the
  // cell's code above it does: refused before any of the cell runs, saying what the name holds
  checkScope(args, usage, user) {
    const name = variableName(args, schedulerNames());
    if (name !== undefined && classOptions(args).length) schedulerOf(args, name, schedulerNames(), user, usage);
  },
  // Shift-Tab on the scheduler's name: its class's docs (the magic's help is on the rest of the line)
  inspectWord: (word, index) => (index === 0 && schedulerNames().includes(word)
    ? `torch.optim.${(swa_scheduler_names as readonly string[]).includes(word) ? "swa_utils" : "lr_scheduler"}.${word}` : null),
  completeValue: (key, positional) => WORD_VALUES[positional[0]]?.[key] ?? (BOOLEAN_KEYS[positional[0]]?.includes(key) ? ["true", "false"] : []),
  complete(positional, kv, user) {
    const names = schedulerNames();
    // the cells' variables holding a scheduler, then the classes
    if (positional.length === 0) return [...schedulerVariables(user), ...names];
    const given = new Set(kv.map((w) => w.slice(0, w.indexOf("=") + 1)));
    // SequentialLR and ChainedScheduler take scheduler objects, which a line cannot write (run()
    // says how to preview them in code): their keys (schedulers=) were offered, then refused
    if (COMBINED.has(positional[0])) return [];
    return names.includes(positional[0]) ? schedulerKeywords(positional[0]).map((k) => `${k}=`).filter((k) => !given.has(k)) : [];
  },
  async run(ctx, args, _body, lines) {
    const usage = "%lr_schedule " + this.usage;
    const all = lines ?? [args];
    for (const a of all) checkLine(a, usage);
    const labels = overlayLabels(all, all.map(defaultLabel), usage);
    // the variables as the cell's code above the lines left them
    const scope: Scope = () => ctx.engine.userNames().map((n) => [n, ctx.engine.value(n)]);
    // every variable's scheduler first: a line naming no scheduler shows nothing of the overlay
    const variables = all.map((a) => {
      const name = variableName(a, schedulerNames());
      return name === undefined ? undefined : { name, sched: schedulerOf(a, name, schedulerNames(), scope, usage) };
    });
    // Build every preview before showing anything: one bad line shows nothing.
    const previews = [];
    // The preview calls the user's functions (lr_lambda=..., a LambdaLR's own): stopped by an
    // interrupt as a cell is (it ran to its end before, however long)
    for (const [i, a] of all.entries()) {
      const v = variables[i];
      if (v !== undefined) {
        previews.push(ctx.engine.runInterruptible(() => variablePreview(a, v.name, v.sched, labels[i], ownLength, usage)));
        continue;
      }
      const values = await functionValues(ctx, a, usage);
      previews.push(ctx.engine.runInterruptible(() => build(a, values, labels[i], usage)));
    }
    ctx.display(tools().bundle(previews.length === 1 ? previews[0] : previews));
  },
};

/**
 * The previews of a cell's %lr_schedule lines (each given as its argument text), without a kernel:
 * what `run` displays, for tests (test/trace/lr_schedule_preview.test.ts compares the rates with
 * PyTorch's). Lines with TypeScript values (lr_lambda=...) need the kernel's scope: not here.
 * `variables` stands for the cells' variables, for lines that name one (`sched --steps 100`).
 */
export function previewLines(texts: readonly string[], variables: Record<string, unknown> = {}) {
  const usage = "%lr_schedule " + lr_schedule.usage;
  const scope: Scope = () => Object.entries(variables);
  const all = texts.map((t) => parseArgs(t, lr_schedule.options ?? [], usage));
  // as the kernel checks a cell's lines: as parsed, then against the variables
  for (const a of all) checkLine(a, usage);
  for (const a of all) lr_schedule.checkScope?.(a, usage, scope);
  const labels = overlayLabels(all, all.map(defaultLabel), usage);
  const names = all.map((a) => variableName(a, schedulerNames()));
  const scheds = all.map((a, i) => (names[i] === undefined ? undefined : schedulerOf(a, names[i] as string, schedulerNames(), scope, usage)));
  return all.map((a, i) => (names[i] === undefined ? build(a, Object.fromEntries(a.kv), labels[i], usage)
    : variablePreview(a, names[i] as string, scheds[i] as object, labels[i], ownLength, usage)));
}
