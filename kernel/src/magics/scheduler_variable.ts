/**
 * `%lr_schedule sched --steps 100`: a line that names a variable holding a scheduler the cells
 * built (any LRScheduler: StepLR ... SequentialLR, ChainedScheduler, SWALR, a user's subclass).
 * It previews that scheduler as `lrlab.preview(sched, { steps })` does (stepped on its own
 * optimizer, then put back as it was: trace/preview.ts), labelled with the variable's name.
 *
 * A porter had built `SequentialLR(LinearLR, CosineAnnealingLR)` in a cell and found no line to
 * see it: `%lr_schedule` took class names only, and a combined scheduler cannot be written as
 * key=value (userR's pass, item 5). Such a scheduler already has its optimizer and options, so
 * its line takes --steps and --name only (and --metrics for a ReduceLROnPlateau, which is what
 * its step() receives, not one of its options): key=value, --lr and --optimizer are an error
 * saying so.
 *
 * The name may be a path into a variable (`rq.sched`, `runs[0].sched`: value_path.ts), as a
 * porter's helper returns `{ opt, sched }`; it is labelled and named in errors as written.
 *
 * The scope a line sees is the cells' variables (`Scope`, as the magics' Tab gets them). What a
 * name holds is read twice: before any part of the cell runs (`checkScope`: a line with options
 * is wrong whatever the code above it does, so it runs nothing), and when the line runs (the
 * cell's code above it may define or change the variable).
 */
import { didYouMean, MagicError, type ParsedArgs } from "./parser";
import { tools } from "./tools";
import { kindOf } from "./value_kinds";
import { dataProperties, parsePath, readPath, written } from "./value_path";

/** The cells' variables, each name with its value (engine.userNames(); the magics' `user()`). */
export type Scope = () => [string, unknown][];

/**
 * A class's path written in PyTorch's modules (`lr_scheduler.StepLRR`): a misspelt class, said as
 * the line is parsed, not a path into a variable.
 */
const CLASS_PATH = /^(?:torch\.)?(?:optim\.)?(?:lr_scheduler|swa_utils)\./;

/**
 * The variable a line's first word names: a variable or a path into one (`sched`, `rq.sched`,
 * `runs[0].sched`; a call or an operator is none) that is no scheduler class; else undefined.
 */
export function variableName(a: ParsedArgs, classNames: readonly string[]): string | undefined {
  const word = a.positional[0];
  return word !== undefined && parsePath(word) !== undefined && !CLASS_PATH.test(word) && !classNames.includes(word) ? word : undefined;
}

/**
 * Whether `v` is a learning-rate scheduler: an object whose class derives from LRScheduler, found
 * by the class names of its prototype chain rather than `instanceof`, so that Tab (which lists
 * the variables holding one) does not load the training library for a kernel that never did
 * (test/kernel/start_modules.test.ts). Every scheduler lrlab has, SWALR and ReduceLROnPlateau
 * included, is one, as in PyTorch 2.
 */
export function isScheduler(v: unknown): boolean {
  return kindOf(v) === "LRScheduler";
}

/** The class a scheduler (or any object) is of, for messages: StepLR, SequentialLR, Tensor, ... */
export function className(v: object): string {
  return (v as { constructor?: { name?: string } }).constructor?.name || "object";
}

/** Whether `v` is a plain object (`{ opt, sched }`) or an array: the containers Tab looks into. */
function isContainer(v: unknown): v is object {
  if (Array.isArray(v)) return true;
  if (typeof v !== "object" || v === null) return false;
  const p = Object.getPrototypeOf(v);
  return p === null || p === Object.prototype;
}

/** A container's own data properties that hold a scheduler, as paths after `at` (`rq.sched`, `scheds[0]`). */
function schedulersIn(at: string, v: object): string[] {
  if (Array.isArray(v) && v.length > 1000) return [];
  return dataProperties(v).filter(([, x]) => isScheduler(x)).map(([k]) => at + written(Array.isArray(v) ? Number(k) : k));
}

/**
 * The names of the cells' variables that hold a scheduler, sorted, and the paths one step into a
 * plain object or array that do (`rq.sched` of `const rq = { opt, sched }`; no getter is run):
 * for Tab and "did you mean".
 */
export function schedulerVariables(scope: Scope): string[] {
  const visible = scope().filter(([n]) => !n.startsWith("_"));
  return [
    ...visible.filter(([, v]) => isScheduler(v)).map(([n]) => n),
    ...visible.filter(([, v]) => isContainer(v)).flatMap(([n, v]) => schedulersIn(n, v as object)),
  ].sort();
}

/** A in English before a class or type name (an SGD, an Adam, a StepLR, a OneCycleLR). */
function article(word: string): string {
  // a vowel letter said as a consonant: "a OneCycleLR" (it said "an OneCycleLR"), "a Uniform"
  if (/^(One|Uni|Use)/i.test(word)) return "a";
  return /^([AEIOU]|S[A-Z]|[FHLMNRX][A-Z])/.test(word) || /^[aeiou]/.test(word) ? "an" : "a";
}

/** What a value is, for "sched holds ...": `the number 5`, `an SGD optimizer`, `undefined`. */
export function holds(v: unknown): string {
  if (v === undefined || v === null) return String(v);
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return `the ${typeof v} ${String(v)}`;
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  if (typeof v === "function") {
    return /^class\s/.test(Function.prototype.toString.call(v)) || isScheduler((v as { prototype?: unknown }).prototype)
      ? `the class ${(v as { name: string }).name || "(anonymous)"}` : "a function";
  }
  if (typeof v !== "object") return `a ${typeof v}`;
  const name = className(v);
  // an optimizer: the scheduler is built on it, not it
  return kindOf(v) === "Optimizer" ? `${article(name)} ${name} optimizer` : `${article(name)} ${name}`;
}

/** What a line may name, for the errors below. */
export const ALLOWED = "a scheduler class with its options (%lr_schedule StepLR step_size=5 --steps 100), "
  + "or a variable holding a scheduler your code built (%lr_schedule sched --steps 100; or a property or element of one: rq.sched, runs[0].sched)";

/** What a variable's line takes besides --steps: the words of the errors below. */
const VARIABLE_OPTIONS = "--steps N and --name label (and --metrics m1,m2,... for a ReduceLROnPlateau)";

/**
 * A line naming a variable that holds no scheduler: the variable, what it holds, and what is
 * allowed. An optimizer is the common slip (the scheduler is built on it), and a scheduler class
 * kept in a variable is written by its name.
 */
export function notSchedulerError(name: string, v: unknown, classNames: readonly string[], usage: string): MagicError {
  let more = "";
  if (typeof v === "function" && classNames.includes((v as { name: string }).name)) {
    const cls = (v as { name: string }).name;
    more = `; a scheduler class is written by its name with its options: %lr_schedule ${cls} key=value ... --steps N`;
  } else if (/ optimizer$/.test(holds(v))) {
    more = `; a scheduler is built on an optimizer (new torch.optim.lr_scheduler.StepLR(${name}, { step_size: 5 })): name the variable that holds the scheduler`;
  }
  return new MagicError(`${name} holds ${holds(v)}, not a learning-rate scheduler (an LRScheduler); %lr_schedule takes ${ALLOWED}${more}`, usage);
}

/** Whether --lr was given: its default is the number 0.1, a given --lr is its list of words. */
function lrGiven(a: ParsedArgs): boolean {
  return a.flags.lr !== undefined && typeof a.flags.lr !== "number";
}

/** The class-line options a variable's line was given (key=value, --lr, --optimizer), as written. */
export function classOptions(a: ParsedArgs): string[] {
  const lr = a.flags.lr;
  return [
    ...a.kv.map(([k]) => `${k}=${a.raw[k] ?? ""}`),
    ...(lrGiven(a) ? [`--lr ${(Array.isArray(lr) ? lr : [lr]).join(",")}`] : []),
    ...(a.flags.optimizer !== undefined ? [`--optimizer ${String(a.flags.optimizer)}`] : []),
  ];
}

/**
 * key=value, --lr or --optimizer on the line of a variable holding a scheduler: that scheduler
 * was built with its optimizer and options, which the preview uses as they are (and then puts
 * back), so none of these can apply. The error says so, what the line takes, and how to preview
 * other options: the class's own line, on a fresh optimizer.
 */
export function optionsError(name: string, sched: object, given: readonly string[], usage: string): MagicError {
  const cls = className(sched);
  return new MagicError(`${given.join(" ")}: ${name} holds ${article(cls)} ${cls} your code built, which already has its optimizer and options `
    + `(the preview steps it on that optimizer, then puts both back as they were); a variable's line takes ${VARIABLE_OPTIONS} only. `
    + `To preview other options, write the class's line, e.g. %lr_schedule ${cls} key=value ... --lr 0.1 --steps N`, usage);
}

/** How many steps a scheduler's own options define (OneCycleLR's total_steps, ...), and which option. */
export type OwnLength = (sched: object) => { length: number; from: string } | undefined;

/**
 * The steps a variable's preview runs without --steps: what is left of the schedule's own length
 * after the steps it has taken (`last_epoch`: 0 for a fresh one, as a class line's length). A
 * scheduler with no length of its own (StepLR, SequentialLR, ...) needs --steps, as on a class line.
 */
function stepsLeft(name: string, sched: any, own: OwnLength, usage: string): number {
  const cls = className(sched);
  const defined = own(sched);
  if (defined === undefined) {
    throw new MagicError(`--steps N is required for ${name} (${article(cls)} ${cls}: how many steps to simulate); `
      + "OneCycleLR, CosineAnnealingLR, CyclicLR, PolynomialLR and SWALR take it from their own options", usage);
  }
  const at = Number.isInteger(sched.last_epoch) && sched.last_epoch > 0 ? sched.last_epoch : 0;
  const left = defined.length - at;
  if (Number.isInteger(left) && left > 0) return left;
  const taken = at > 0 ? `, of which it has taken ${at} (last_epoch=${at})` : "";
  throw new MagicError(`${name}: without --steps the preview runs what is left of ${cls}'s ${defined.from} (${defined.length} steps${taken}), `
    + "which is no positive number of steps; give --steps N", usage);
}

/**
 * The preview of a variable's scheduler: `lrlab.preview(sched, { steps, metrics?, name })`, its
 * errors prefixed with the variable's name, and a non-finite lr refused as a class line's is.
 */
export function variablePreview(a: ParsedArgs, name: string, sched: object, label: string, own: OwnLength, usage: string) {
  const cls = className(sched);
  const plateau = isPlateau(sched);
  const metricsText = a.flags.metrics as string[] | undefined;
  let metrics: number[] | undefined;
  if (metricsText !== undefined) {
    if (!plateau) {
      throw new MagicError(`--metrics is the metric a ReduceLROnPlateau reacts to, one number per step; ${name} holds ${article(cls)} ${cls}, which takes none`, usage);
    }
    const bad = metricsText.find((t) => !Number.isFinite(Number(t)));
    if (bad !== undefined) throw new MagicError(`--metrics takes numbers (the metric of each step, e.g. a validation loss), got ${JSON.stringify(bad)}`, usage);
    metrics = metricsText.map(Number);
  } else if (plateau) {
    throw new MagicError(`${name} holds a ReduceLROnPlateau, which lowers lr when a metric stops improving: give the metric of each step, `
      + "e.g. --metrics 1,0.8,0.7,0.7,0.7,0.7 (one step per value)", usage);
  }
  const steps = (a.flags.steps as number | undefined) ?? metrics?.length ?? stepsLeft(name, sched, own, usage);
  if (steps < 1) throw new MagicError(`--steps must be a positive integer, got ${steps}`, usage);
  if (metrics !== undefined && metrics.length < steps) {
    throw new MagicError(`${name}: --metrics has ${metrics.length} values for --steps ${steps}: give one metric per step, `
      + "or leave --steps out (one step per --metrics value)", usage);
  }
  let preview;
  try {
    preview = tools().preview(sched as never, { steps, name: label, ...(metrics ? { metrics } : {}) });
  } catch (e: any) {
    throw new MagicError(`${name}: ${String(e?.message ?? e).replace(/^preview: /, "")}`, usage);
  }
  // as on a class line: a schedule that reaches a non-finite lr (a LambdaLR's NaN) is said, not drawn empty
  const bad = preview.lrs.map((lr) => lr.findIndex((v) => !Number.isFinite(v)));
  const g = bad.findIndex((i) => i >= 0);
  if (g >= 0) {
    throw new MagicError(`${name}: the lr${preview.lrs.length > 1 ? ` of group ${g}` : ""} is ${preview.lrs[g][bad[g]]} (not a finite number) from step ${bad[g]}; the preview cannot plot it`, usage);
  }
  return preview;
}

function isPlateau(v: object): boolean {
  for (let p = Object.getPrototypeOf(v); p !== null; p = Object.getPrototypeOf(p)) {
    if (p.constructor?.name === "ReduceLROnPlateau") return true;
  }
  return false;
}

/**
 * A line whose first word is neither a scheduler class nor a variable of the cells: the unknown
 * scheduler's error (the close class names, the valid ones), which now also says that a variable
 * holding a scheduler is accepted, with the close names of those the cells have.
 */
export function unknownNameError(name: string, classNames: readonly string[], scope: Scope | undefined, usage: string): MagicError {
  const variables = scope ? schedulerVariables(scope) : [];
  const near = didYouMean(name, [...classNames, ...variables]);
  const held = variables.length ? ` (yours: ${variables.join(", ")})` : "";
  return new MagicError(`unknown scheduler ${JSON.stringify(name)}${near}; valid names: ${classNames.join(", ")}; `
    + `or a variable (or a property of one: rq.sched) holding a scheduler your code built${held}, previewed as built, with ${VARIABLE_OPTIONS} only: %lr_schedule sched --steps 100`, usage);
}

/**
 * The scheduler a variable's line names, read from `scope`: a MagicError when the name is not a
 * variable (the unknown scheduler's), holds no scheduler, or the line gives it class-line options.
 */
export function schedulerOf(a: ParsedArgs, name: string, classNames: readonly string[], scope: Scope, usage: string): object {
  // a step of a path that is not there names the path so far, what it holds, and its schedulers
  const inside = (at: string, v: object) => {
    const found = schedulersIn(at, v);
    return found.length ? `; ${found.join(", ")} hold${found.length === 1 ? "s" : ""} a scheduler` : "";
  };
  const found = readPath(name, scope, holds, inside, usage);
  if (found === undefined) throw unknownNameError(name, classNames, scope, usage);
  const v = found.value;
  if (!isScheduler(v)) throw notSchedulerError(name, v, classNames, usage);
  const given = classOptions(a);
  if (given.length) throw optionsError(name, v as object, given, usage);
  if (a.positional.length > 1) {
    throw new MagicError(`unexpected ${JSON.stringify(a.positional[1])}: ${name} holds a scheduler with its options; a variable's line takes ${VARIABLE_OPTIONS}, `
      + "one scheduler per line", usage);
  }
  return v as object;
}
