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

/**
 * The run `%%lr_trace --name <name>` recorded (its traces: `.traces`, one per optimizer the cell
 * stepped; displayed, its plot), or undefined when there is none by that name.
 */
export function run(name: string): GlobalTrace | undefined {
  return runs.get(name);
}

/** The names of the recorded runs, oldest first. */
export function run_names(): string[] {
  return [...runs.keys()];
}
