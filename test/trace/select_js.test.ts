/**
 * The JavaScript multi-rank selection (kernel/src/trace/select.ts `select_ranks`: the path where
 * the native one does not run: no addon, fewer than 256 values, a NaN) against a sort, on the input
 * orders whose median-of-three pivot went quadratic (an organ pipe of 4096 values took 8 ms, a
 * reversed one 4.6 ms, against ~40 µs random): now a ninther from 64 values on. The answers were
 * right before too; this guards them across the pivot change (the timings: PERF.md, session 22).
 */
import { describe, expect, it } from "vitest";
import { select_ranks } from "../../kernel/src/trace/select";

const families: Record<string, (i: number, n: number) => number> = {
  random: () => Math.random() - 0.5,
  sorted: (i) => i,
  reversed: (i, n) => n - i,
  "organ pipe": (i, n) => (i < n / 2 ? i : n - i),
  sawtooth: (i) => i % 64,
  "three values": (i) => i % 3,
  constant: () => 7,
  "±0 and ties": (i) => (i % 4 === 0 ? -0 : i % 4 === 1 ? 0 : i % 4 === 2 ? -1 : 1),
  "heavy tail": (i) => (i % 97 === 0 ? 1e9 * i : Math.sin(i)),
};

describe("select_ranks (JavaScript) against a sort", () => {
  for (const [name, f] of Object.entries(families)) {
    it(`${name}: every wanted rank holds the sorted value`, () => {
      for (const n of [2, 23, 24, 25, 63, 64, 65, 100, 1000, 4096, 4153]) {
        const src = Float64Array.from({ length: n }, (_, i) => f(i, n));
        const sorted = Float64Array.from(src).sort();
        const ranks = [...new Set([0, 1, Math.floor(0.05 * (n - 1)), Math.floor(0.25 * (n - 1)), Math.floor(0.5 * (n - 1)), Math.floor(0.5 * (n - 1)) + 1, Math.floor(0.95 * (n - 1)), n - 1].filter((r) => r < n))].sort((a, b) => a - b);
        const a = Float64Array.from(src);
        select_ranks(a, n, ranks);
        // as values (a selection may leave either zero where -0 and +0 tie at a rank)
        for (const r of ranks) expect(a[r] === sorted[r], `${name}, n=${n}, rank ${r}`).toBe(true);
        // a permutation of the input
        expect(Array.from(Float64Array.from(a).sort())).toEqual(Array.from(sorted));
      }
    });
  }
});
