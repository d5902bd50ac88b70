/**
 * Runs recorded by `%%lr_trace --name N`, kept by name for `%lr_compare` (a later run with the
 * same name replaces the earlier one). Bounded so a long session does not hoard traces.
 */
export const MAX_RUNS = 64;
const runs = new Map<string, unknown>();

export function saveRun(name: string, trace: unknown): void {
  runs.delete(name);
  runs.set(name, trace);
  while (runs.size > MAX_RUNS) runs.delete(runs.keys().next().value!);
}

export function getRun(name: string): unknown {
  return runs.get(name);
}

export function runNames(): string[] {
  return [...runs.keys()];
}
