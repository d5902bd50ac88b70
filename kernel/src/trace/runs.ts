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
 */
import type { GlobalTrace } from "./global";
import type { Trace } from "./trace";
import { closeMatches } from "../close_matches";

export const MAX_RUNS = 64;
const runs = new Map<string, GlobalTrace>();

/** @internal Records a run (the %%lr_trace magic does, for `--name`). */
export function saveRun(name: string, trace: GlobalTrace): void {
  runs.delete(name);
  runs.set(name, trace);
  while (runs.size > MAX_RUNS) runs.delete(runs.keys().next().value!);
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
 * @internal "no run named "x" (did you mean y?); recorded runs: ..." (%lr_compare and lrlab.run
 * say it alike). `others`: more names to match against (variables holding traces).
 */
export function unknown_run_message(name: string, others: readonly string[], detail = ""): string {
  const known = run_names();
  const near = closeMatches(name, [...known, ...run_labels(), ...others]);
  // a run of several optimizers is listed with its optimizers' labels, which are names too
  const listed = known.map((n) => {
    const r = recorded(n) ?? runs.get(n);
    return r !== undefined && r.traces.length > 1 ? `${n} (${r.traces.map((t) => t.name).join(", ")})` : n;
  });
  return `no run named ${JSON.stringify(name)}${detail}${near.length ? ` (did you mean ${near.join(" or ")}?)` : ""}; `
    + `recorded runs: ${known.length ? listed.join(", ") : "none yet (use %%lr_trace --name N)"}`;
}

/** @internal The run of that name, or undefined (what run() finds, without its error). */
export function find_run(name: string): GlobalTrace | undefined {
  return recorded(name) ?? runs.get(name) ?? labelled(name);
}

/** The runs of several optimizers, by name (a run being recorded in place of the one it replaces). */
function multiRuns(): GlobalTrace[] {
  const out: GlobalTrace[] = [];
  for (const n of run_names()) {
    const r = recorded(n) ?? runs.get(n);
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
  const near = closeMatches(name, run_names());
  return near.length ? `no run named ${JSON.stringify(name)} to continue, so this starts it (did you mean ${near.join(" or ")}?)` : null;
}

/** The names of the recorded runs, oldest first (a run being recorded last). */
export function run_names(): string[] {
  const names = [...runs.keys()].filter((n) => !recorded(n));
  return [...names, ...[...recordingRuns.keys()].filter((n) => recorded(n))];
}
