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
