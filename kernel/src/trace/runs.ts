/**
 * Runs recorded by `%%lr_trace --name N` (and traces made by `lrlab.trace(optimizer, { name: N })`),
 * kept by name: `%lr_compare N` plots them, and
 * `lrlab.run("N")` gives one back to code (a later run with the same name replaces the earlier
 * one, unless it continues it: `--append`, `{ append: true }`, append.ts). Bounded so a long
 * session does not hoard traces.
 *
 * A run of several optimizers labels each one's trace `N:Class` (`gan:Adam`, `gan:SGD`, `#2` for a
 * second of a class: global.ts), as its legend and text say: those labels are names too
 * (`%lr_compare gan:Adam gan:SGD`, `lrlab.run("gan:Adam")`), of a run of that one trace. A run
 * named exactly so comes first.
 *
 * The limit (MAX_RUNS) counts runs that took a step: named traces stopped before their first step
 * do not count, and go first (a sweep helper that made traces and stopped them pushed a 5,000-step
 * run out, a user's pass). A run pushed out is said once on stderr, and `lrlab.run`, `%lr_compare` and
 * `--append` of its name say it was dropped (`dropped`), not that there never was such a run.
 * `drop_run(name)` and `clear_runs()` delete runs by hand.
 */
import type { GlobalTrace } from "./global";
import type { Trace } from "./trace";
import { closeMatches } from "../close_matches";

/**
 * The most runs that took a step kept at once (the oldest is dropped first, with a note). Memory
 * bound: each recorded series holds at most DEFAULT_CAPACITY = 2,000 buckets of 64 bytes (128 KB),
 * whatever the run's length, and a trace records ~20 series per parameter group (12 scalar
 * metrics, 3 quantiles of 2, the loss, clipping's; as many again per parameter with per_param), so
 * a run is at most ~2.6 MB per group (or per parameter), and 64 runs ~165 MB per group. Measured (a user's pass): 21 runs of 5k to 200k steps, one of them
 * per_param, held the kernel under 350 MB RSS. A larger limit would let per_param runs of large
 * models pass a gigabyte, so it stays 64; `drop_run`/`clear_runs` make room by hand.
 */
export const MAX_RUNS = 64;
const runs = new Map<string, GlobalTrace>();

/** What is known of a run that was pushed out by the limit: for the errors of its name. */
interface Dropped { steps: number[]; at: Date; by: string }
const dropped = new Map<string, Dropped>();
/** Names of dropped runs remembered (a few bytes each), oldest forgotten first. */
const MAX_DROPPED = 1000;

const stepsOf = (r: GlobalTrace): number => r.traces.reduce((s, t) => s + t.steps, 0);
/** The run kept under `name` (not one being recorded in a cell). */
const kept = (name: string): GlobalTrace | undefined => runs.get(name);
const stepWords = (steps: number[]): string => {
  const n = (k: number) => `${k} step${k === 1 ? "" : "s"}`;
  return steps.length === 1 ? n(steps[0]) : `${steps.length} optimizers, ${steps.map(n).join(" and ")}`;
};

/** @internal Records a run (the %%lr_trace magic does, for `--name`). */
export function saveRun(name: string, trace: GlobalTrace): void {
  runs.delete(name);
  dropped.delete(name);
  runs.set(name, trace);
  trim();
}

/**
 * Keeps MAX_RUNS runs that took steps, dropping the oldest (said once on stderr). Stopped traces
 * that never stepped do not count: they hold nothing, and at most MAX_RUNS of them are kept
 * (besides the newest), the oldest dropped first, silently. At each save and each look-up: a named trace is saved when it
 * is made, before its steps, so the run that makes one too many may be a trace that stepped since.
 */
function trim(): void {
  let name: string | undefined;
  for (const n of runs.keys()) name = n; // the newest is never the one dropped
  // (the newest is not counted: a named trace is saved before it is hooked to its optimizer)
  let empty = 0;
  for (const [n, r] of runs) if (n !== name && stepsOf(r) === 0 && !r.active) empty++;
  for (const [n, r] of runs) {
    if (empty <= MAX_RUNS) break;
    if (n !== name && stepsOf(r) === 0 && !r.active) {
      runs.delete(n);
      empty--;
    }
  }
  let counted = 0;
  for (const r of runs.values()) if (stepsOf(r) > 0) counted++;
  for (const [n, r] of runs) {
    if (counted <= MAX_RUNS) break;
    if (n === name || stepsOf(r) === 0) continue;
    runs.delete(n);
    counted--;
    const d: Dropped = { steps: r.traces.map((t) => t.steps), at: new Date(), by: name! };
    dropped.set(n, d);
    while (dropped.size > MAX_DROPPED) dropped.delete(dropped.keys().next().value!);
    process.stderr.write(`lrlab: dropped the run ${JSON.stringify(n)} (${stepWords(d.steps)}): at most ${MAX_RUNS} runs that took steps are kept, `
      + `and recording ${JSON.stringify(name)} made ${MAX_RUNS + 1}, so the oldest went. To keep a run, save lrlab.run(name).to_json() `
      + "(lrlab.Trace.from_json reads it back), or delete runs you no longer need with lrlab.drop_run(name) or lrlab.clear_runs()\n");
  }
}

/**
 * @internal Why `name` has no run when the limit pushed its run out ("the run "keep" was dropped
 * (5000 steps, at 14:02:11, when ...)"); null when it was not.
 */
export function dropped_run_note(name: string): string | null {
  const d = typeof name === "string" ? dropped.get(name) : undefined;
  if (d === undefined) return null;
  return `the run ${JSON.stringify(name)} was dropped (${stepWords(d.steps)}, at ${d.at.toTimeString().slice(0, 8)}, when the run `
    + `${JSON.stringify(d.by)} was recorded: at most ${MAX_RUNS} runs that took steps are kept, the oldest dropped first; `
    + "lrlab.run(name).to_json() saves a run, lrlab.drop_run(name) makes room)";
}

/**
 * @internal The error of continuing (`--append`, `{ append: true }`) a run the limit dropped: its
 * steps are gone, and starting it again from step 0 silently looked like a continued run. Null
 * when the run of that name was not dropped.
 */
export function append_dropped_message(name: string): string | null {
  const note = dropped_run_note(name);
  if (note === null) return null;
  return `--append continues the run ${JSON.stringify(name)}, but ${note}. Its steps are gone: leave out --append `
    + "(append: true) to start a new run of that name, or give another name";
}

/**
 * `lrlab.drop_run(name)`: deletes the run of that name (its plot and series are let go; a variable
 * holding its trace keeps it). An unknown name is an error naming the recorded runs. A run of
 * several optimizers goes whole (its labels, `gan:Adam`, name no run of their own to delete).
 */
export function drop_run(name: string): void {
  if (typeof name !== "string") throw new TypeError(`lrlab.drop_run: expected a run's name (a string), got ${name === null ? "null" : typeof name}`);
  if (recordingRuns.has(name)) {
    throw new Error(`lrlab.drop_run: the run ${JSON.stringify(name)} is being recorded by this %%lr_trace cell; drop it in a later cell`);
  }
  if (kept(name) === undefined) {
    const whole = multiRuns().find((r) => r.traces.some((t) => t.name === name));
    const owner = whole === undefined ? undefined : run_names().find((n) => (recorded(n) ?? kept(n)) === whole);
    if (owner !== undefined) {
      throw new Error(`lrlab.drop_run: ${JSON.stringify(name)} is one optimizer's trace in the run ${JSON.stringify(owner)}; `
        + `lrlab.drop_run(${JSON.stringify(owner)}) deletes that run`);
    }
    throw new Error(`lrlab.drop_run: ${unknown_run_message(name, [])}`);
  }
  runs.delete(name);
}

/**
 * `lrlab.clear_runs()`: deletes every recorded run (and what is remembered of runs the limit
 * dropped); returns how many runs it deleted. A run being recorded by the running %%lr_trace cell
 * is recorded when the cell ends.
 */
export function clear_runs(): number {
  trim();
  const n = runs.size;
  runs.clear();
  dropped.clear();
  return n;
}

/**
 * @internal Records a trace made by `lrlab.trace(optimizer, { name })` under its name, as a run
 * of one trace: `lrlab.run("mine")` said there was no run named "mine" (and `%lr_compare mine`
 * failed) while `%lr_compare tr`, the variable, worked (a user's pass). A name given is the
 * user's name for the run, as `%%lr_trace --name` is; the default name ("trace") is not recorded.
 * The latest run or trace of a name replaces the earlier one, as runs do.
 */
export function saveNamedTrace(name: string, t: Trace): void {
  if (asRun === null) pending.push([name, t]);
  else saveRun(name, asRun(t));
}

/**
 * How a Trace becomes a run (GlobalTrace._of), given by global.ts when it loads: this module does
 * not import it, because the magics import this module and the kernel loads the magics before it
 * answers kernel_info, without the training library (test/kernel/start_modules.test.ts). A named
 * trace made before that (global.ts not loaded yet) waits in `pending`.
 */
let asRun: ((t: Trace) => GlobalTrace) | null = null;
const pending: [string, Trace][] = [];

/** @internal global.ts: see `asRun`. */
export function _set_trace_run(f: (t: Trace) => GlobalTrace): void {
  asRun = f;
  for (const [name, t] of pending.splice(0)) saveRun(name, f(t));
}

/** Runs of %%lr_trace cells still running, by name (see `recording`). */
const recordingRuns = new Map<string, GlobalTrace>();

/**
 * @internal A %%lr_trace cell's run while its code runs (null: the cell ended): from its first
 * step, `lrlab.run(name)` in the cell's own code is that run. It was undefined there until the
 * cell ended (`lrlab.run("adam").diverged_at` at the end of the cell threw "Cannot read
 * properties of undefined"), while the run already plotted.
 */
export function recording(name: string, trace: GlobalTrace | null): void {
  if (trace) recordingRuns.set(name, trace);
  else recordingRuns.delete(name);
}

const recorded = (name: string): GlobalTrace | undefined => {
  const r = recordingRuns.get(name);
  return r && r.traces.length > 0 ? r : undefined;
};

/**
 * The run `%%lr_trace --name <name>` recorded, or `lrlab.trace(optimizer, { name })` made (its
 * traces: `.traces`, one per optimizer the cell stepped; displayed, its plot). In the cell that
 * records it, the run being recorded, once an optimizer has stepped. A name with no run is an
 * error naming the recorded runs, in the words of `%lr_compare name`;
 * `lrlab.run_names().includes(name)` tests for one. A run saved with `to_json()` is a trace
 * again with `lrlab.Trace.from_json(saved)`.
 */
export function run(name: string): GlobalTrace {
  const r = find_run(name);
  if (r !== undefined) return r;
  if (typeof name !== "string") throw new TypeError(`lrlab.run: expected a run's name (a string), got ${name === null ? "null" : typeof name}`);
  if (recordingRuns.has(name)) {
    throw new Error(`lrlab.run: the run ${JSON.stringify(name)} is being recorded by this %%lr_trace cell, and no optimizer has stepped in it yet `
      + "(it is lrlab.run(name) from the first optimizer.step(); _lr_trace is the run in the cell)");
  }
  throw new Error(`lrlab.run: ${unknown_run_message(name, [])}`);
}

/**
 * What "recorded runs:" says when there is none at all. After a kernel restart a student re-ran
 * only the comparison cell and read "none yet" with no word that the restart had dropped the runs
 * (a teacher's pass): they live in the kernel's memory, and only a saved trace outlives it.
 */
const NO_RUNS = "none yet (use %%lr_trace --name N). Runs live in the kernel: a restart drops them, so re-run the cells that trained them; "
  + "to keep one across restarts, save lrlab.run(\"N\").to_json() (or trace.to_json()) to a file with JSON.stringify "
  + "and read it back with lrlab.Trace.from_json(JSON.parse(text))";

/**
 * @internal "no run named "x" (did you mean y?); recorded runs: ..." (%lr_compare and lrlab.run
 * say it alike). `others`: more names to match against (variables holding traces).
 */
export function unknown_run_message(name: string, others: readonly string[], detail = ""): string {
  const known = run_names();
  const near = closeMatches(name, [...known, ...run_labels(), ...others]);
  // a run of several optimizers is listed with its optimizers' labels, which are names too
  const listed = known.map((n) => {
    const r = recorded(n) ?? kept(n);
    return r !== undefined && r.traces.length > 1 ? `${n} (${r.traces.map((t) => t.name).join(", ")})` : n;
  });
  const recordedRuns = `recorded runs: ${known.length ? listed.join(", ") : NO_RUNS}`;
  // a run the limit pushed out: say so, not "no run named" as if it never was
  const gone = dropped_run_note(name);
  if (gone !== null) return `${gone}${detail}; ${recordedRuns}`;
  return `no run named ${JSON.stringify(name)}${detail}${near.length ? ` (did you mean ${near.join(" or ")}?)` : ""}; ${recordedRuns}`;
}

/** @internal The run of that name, or undefined (what run() finds, without its error). */
export function find_run(name: string): GlobalTrace | undefined {
  trim();
  return recorded(name) ?? kept(name) ?? labelled(name);
}

/** The runs of several optimizers, by name (a run being recorded in place of the one it replaces). */
function multiRuns(): GlobalTrace[] {
  const out: GlobalTrace[] = [];
  for (const n of run_names()) {
    const r = recorded(n) ?? kept(n);
    if (r !== undefined && r.traces.length > 1) out.push(r);
  }
  return out;
}

/** One optimizer's trace of a run of several, by its label (`gan:Adam`), as a run of it. */
function labelled(name: string): GlobalTrace | undefined {
  if (typeof name !== "string" || !name.includes(":") || asRun === null) return undefined;
  for (const r of multiRuns().reverse()) {
    const t = r.traces.find((x) => x.name === name);
    if (t !== undefined) return asRun(t);
  }
  return undefined;
}

/** The labels of the traces of the runs of several optimizers (`gan:Adam`, `gan:SGD`): names too. */
export function run_labels(): string[] {
  return multiRuns().flatMap((r) => r.traces.map((t) => t.name));
}

/**
 * @internal A run continued (`--append`, `{ append: true }`) under a name that has no run starts
 * it; when the name is close to a recorded run's (a typo?), a note saying so (null: no note).
 */
export function new_run_note(name: string): string | null {
  const gone = dropped_run_note(name);
  if (gone !== null) return `${gone}, so this starts a new run of that name from step 0`;
  const near = closeMatches(name, run_names());
  return near.length ? `no run named ${JSON.stringify(name)} to continue, so this starts it (did you mean ${near.join(" or ")}?)` : null;
}

/** The names of the recorded runs, oldest first (a run being recorded last). */
export function run_names(): string[] {
  trim();
  const names = [...runs.keys()].filter((n) => !recorded(n));
  return [...names, ...[...recordingRuns.keys()].filter((n) => recorded(n))];
}
