/**
 * Runs recorded by `%%lr_trace --name N`, kept by name: `%lr_compare N` plots them, and
 * `lrlab.run("N")` gives one back to code (a later run with the same name replaces the earlier
 * one). Bounded so a long session does not hoard traces.
 */
import type { GlobalTrace } from "./global";

export const MAX_RUNS = 64;
const runs = new Map<string, GlobalTrace>();

/** @internal Records a run (the %%lr_trace magic does, for `--name`). */
export function saveRun(name: string, trace: GlobalTrace): void {
  runs.delete(name);
  runs.set(name, trace);
  while (runs.size > MAX_RUNS) runs.delete(runs.keys().next().value!);
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
 * The run `%%lr_trace --name <name>` recorded (its traces: `.traces`, one per optimizer the cell
 * stepped; displayed, its plot), or undefined when there is none by that name. In the cell that
 * records it, the run being recorded, once an optimizer has stepped.
 */
export function run(name: string): GlobalTrace | undefined {
  return recorded(name) ?? runs.get(name);
}

/** The names of the recorded runs, oldest first (a run being recorded last). */
export function run_names(): string[] {
  const names = [...runs.keys()].filter((n) => !recorded(n));
  return [...names, ...[...recordingRuns.keys()].filter((n) => recorded(n))];
}
