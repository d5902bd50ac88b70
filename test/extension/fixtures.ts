/** Fixture payloads (generated from real PyTorch runs by test/fixtures/generate_extension.py). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PlotPayload } from "../../extension/src/payload";

export const FIXTURES = join(__dirname, "..", "fixtures", "extension");

export function fixture(name: "trace_two_groups" | "compare" | "range_test"): PlotPayload {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8")) as PlotPayload;
}

/** A deep copy to mutate in a test. */
export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** `p` as a live (or final) update that has reached its first `n` points: each series cut there. */
export function upTo(p: PlotPayload, n: number, live: boolean): PlotPayload {
  const q = clone(p);
  for (const s of q.series) for (const k of ["x", "mean", "min", "max"] as const) if ((s as any)[k]) (s as any)[k] = (s as any)[k].slice(0, n);
  q.live = live;
  return q;
}
