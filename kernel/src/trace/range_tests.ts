/**
 * The range tests `%lr_find` ran, by their `--name`, for code to use: the magic plots and prints
 * its suggestions, and the next cell wants the number (`const lr = lrlab.range_test().suggestion("valley")`)
 * rather than a copy typed by hand, which a re-run on other data would silently leave stale.
 * (`lrlab.find(optimizer, step_fn)` returns its RangeTest itself; only the magic records here.)
 */
import { closeMatches } from "../close_matches";
import type { RangeTest } from "./find";

const tests = new Map<string, RangeTest>();
let last: RangeTest | null = null;

/** @internal The magic's result, under its name (a later test of that name replaces it). */
export function record_range_test(name: string, rt: RangeTest): void {
  tests.delete(name); // the newest goes last in the list an error shows
  tests.set(name, rt);
  last = rt;
}

/**
 * The RangeTest of the `%lr_find` that ran with `--name name` (its default name is "lr_find"),
 * or, without a name, of the last `%lr_find`: `suggestion("valley")`, `suggestions_for(group)`,
 * `lrs`, `losses`, `smoothed`.
 */
export function range_test(name?: string): RangeTest {
  if (name === undefined) {
    if (last === null) throw new Error("lrlab.range_test: no %lr_find has run yet in this kernel");
    return last;
  }
  if (typeof name !== "string") throw new TypeError(`lrlab.range_test: expected the --name of a %lr_find (a string), got ${name === null ? "null" : typeof name}`);
  const rt = tests.get(name);
  if (rt !== undefined) return rt;
  const known = [...tests.keys()];
  const near = closeMatches(name, known);
  throw new Error(`lrlab.range_test: no %lr_find named ${JSON.stringify(name)}${near.length ? ` (did you mean ${near.join(" or ")}?)` : ""}; `
    + `ran: ${known.length ? known.join(", ") : "none yet"}`);
}
