/**
 * The native order statistics (kernel/native/select.h) against a sort, value for value and bit for
 * bit (Object.is: the zero at a rank where -0 and +0 tie is the sort's), for each of its partition
 * loops (one key at a time, AVX2, AVX-512: the optional fifth argument; a processor without one runs
 * the next below it), on the kinds of values a sample can hold and at sizes around the loops' edges
 * and the scratch buffer's. The values passed in are left as they were.
 */
import { describe, expect, it } from "vitest";
import { native_select, set_native_pass_enabled } from "../../kernel/src/trace/native_sums";
import { SAMPLE_SIZE, summarize, summarizeDecreasing } from "../../kernel/src/trace/quantiles";
import { rng } from "../tensor/gradcheck";

type Select = (a: Float64Array, n: number, ranks: Int32Array, out: Float64Array, isa?: number) => boolean;
const select = native_select() as Select | null;
const itNative = select !== null ? it : it.skip; // skipped only where the addon is absent (see native_sums.test.ts)

/** The ten ranks a summary of n values reads (quantiles.ts), with duplicates where n is small. */
function summaryRanks(n: number): number[] {
  const r: number[] = [];
  for (const q of [0.05, 0.25, 0.5, 0.75, 0.95]) {
    const lo = Math.floor(q * (n - 1));
    r.push(lo, Math.min(n - 1, lo + 1));
  }
  return r.sort((a, b) => a - b);
}

/** Value families, each a function of its size and a uniform generator. */
const families: Record<string, (n: number, u: () => number) => Float64Array> = {
  "ρ-like (bunched within 20%)": (n, u) => Float64Array.from({ length: n }, () => 0.01 * (1 + 0.2 * Math.sqrt(-2 * Math.log(u() + 1e-300)) * Math.cos(6.283 * u()))),
  uniform: (n, u) => Float64Array.from({ length: n }, () => u() - 0.5),
  "heavy-tailed (Cauchy)": (n, u) => Float64Array.from({ length: n }, () => Math.tan(Math.PI * (u() - 0.5))),
  "many binades, both signs": (n, u) => Float64Array.from({ length: n }, () => (u() < 0.3 ? -1 : 1) * Math.exp((u() - 0.5) * 1400)),
  sorted: (n) => Float64Array.from({ length: n }, (_, i) => i - n / 3),
  reversed: (n) => Float64Array.from({ length: n }, (_, i) => n - i),
  "all equal": (n) => new Float64Array(n).fill(-2.5),
  "two values": (n, u) => Float64Array.from({ length: n }, () => (u() < 0.3 ? 1 : 2)),
  "two values, one rare": (n, u) => Float64Array.from({ length: n }, () => (u() < 0.02 ? -1 : 3)),
  "runs of ties": (n, u) => Float64Array.from({ length: n }, () => Math.floor(u() * 7) - 3),
  "-0 and +0 only": (n, u) => Float64Array.from({ length: n }, () => (u() < 0.5 ? -0 : 0)),
  "zeros among others": (n, u) => Float64Array.from({ length: n }, () => { const x = u(); return x < 0.3 ? -0 : x < 0.6 ? 0 : x < 0.8 ? x - 0.7 : -x; }),
  "±Infinity": (n, u) => Float64Array.from({ length: n }, () => { const x = u(); return x < 0.2 ? Infinity : x < 0.35 ? -Infinity : x - 0.5; }),
  subnormals: (n, u) => Float64Array.from({ length: n }, () => { const x = u(); return (x < 0.5 ? -1 : 1) * Math.floor(u() * 20) * Number.MIN_VALUE + (x > 0.9 ? -0 : 0); }),
  "extremes of float64": (n, u) => Float64Array.from({ length: n }, () => [Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308, -0, 0, 1][Math.floor(u() * 8)]),
  "organ pipe": (n) => Float64Array.from({ length: n }, (_, i) => Math.min(i, n - 1 - i)),
  sawtooth: (n) => Float64Array.from({ length: n }, (_, i) => i % 97),
  "sorted but a few": (n, u) => { const a = Float64Array.from({ length: n }, (_, i) => i); for (let k = 0; k < 5; k++) a[Math.floor(u() * n)] = u() * n; return a; },
};

/** Sizes around the vector loops' edges (4 and 8 keys a step, 8 and 16 left to the one-key tail), the scratch buffer's (8448) and the tracer's samples. */
const sizes = [256, 257, 263, 300, 1000, 1023, 1024, 1025, 4095, 4096, 4097, 4153, SAMPLE_SIZE * 2 + 1, 8447, 8448, 8449, 20000];

function check(a: Float64Array, ranks: number[], isa: number | undefined, what: string): void {
  const n = a.length;
  const before = Float64Array.from(a);
  const sorted = Float64Array.from(a).sort();
  const out = new Float64Array(ranks.length).fill(NaN);
  expect(isa === undefined ? select!(a, n, Int32Array.from(ranks), out) : select!(a, n, Int32Array.from(ranks), out, isa), what).toBe(true);
  for (let k = 0; k < ranks.length; k++) {
    if (!Object.is(out[k], sorted[ranks[k]])) expect.fail(`${what}: rank ${ranks[k]} gave ${Object.is(out[k], -0) ? "-0" : out[k]}, a sort ${Object.is(sorted[ranks[k]], -0) ? "-0" : sorted[ranks[k]]}`);
  }
  for (let i = 0; i < n; i++) if (!Object.is(a[i], before[i])) expect.fail(`${what}: a[${i}] changed`);
}

describe("the native order statistics against a sort (kernel/native/select.h)", () => {
  for (const isa of [undefined, 1, 2, 3]) {
    const loop = isa === undefined ? "the fastest loop" : ["", "one key at a time", "AVX2", "AVX-512"][isa];
    itNative(`${loop}: every family, every size, the summary's ranks`, () => {
      const u = rng(2200 + (isa ?? 0));
      for (const [name, make] of Object.entries(families)) {
        for (const n of sizes) check(make(n, u), summaryRanks(n), isa, `${loop}, ${name}, n=${n}`);
      }
    });
  }

  itNative("any ranks: the first and last, adjacent runs, repeats, all of them", () => {
    const u = rng(2210);
    for (const isa of [1, 2, 3]) {
      for (const [name, make] of Object.entries(families)) {
        for (const n of [256, 1031, 4096]) {
          const a = make(n, u);
          check(a, [0, n - 1], isa, `${name}, n=${n}, extremes`);
          const some = Array.from({ length: 1 + Math.floor(u() * 40) }, () => Math.floor(u() * n)).sort((x, y) => x - y);
          check(a, some, isa, `${name}, n=${n}, ${some.length} random ranks`);
          const at = Math.floor(u() * (n - 30));
          check(a, Array.from({ length: 30 }, (_, k) => at + k), isa, `${name}, n=${n}, 30 adjacent ranks from ${at}`);
        }
      }
      const a = families["runs of ties"](600, u);
      check(a, Array.from({ length: 600 }, (_, k) => k), isa, "every rank");
      check(a, [5, 5, 5, 300, 300], isa, "repeated ranks");
    }
  });

  itNative("small sizes (the caller uses it from 256 values; below, insertion alone)", () => {
    const u = rng(2220);
    for (const isa of [1, 2, 3]) {
      for (const n of [1, 2, 3, 7, 24, 25, 26, 40, 63, 64, 65, 100]) {
        for (const make of Object.values(families)) check(make(n, u), summaryRanks(n), isa, `n=${n}`);
      }
    }
  });

  itNative("says no for a NaN wherever it is (the vector loops and the tail), writing nothing", () => {
    for (const isa of [1, 2, 3]) {
      for (const n of [300, 4096, 9000]) {
        for (const at of [0, 3, 7, n - 9, n - 1]) {
          const a = Float64Array.from({ length: n }, (_, i) => i);
          a[at] = NaN;
          const out = new Float64Array(10).fill(7);
          expect(select!(a, n, Int32Array.from(summaryRanks(n)), out, isa), `n=${n}, NaN at ${at}`).toBe(false);
          expect(Array.from(out)).toEqual(new Array(10).fill(7));
        }
      }
    }
  });

  itNative("summaries are bit for bit those of the JavaScript selection, zeros included", () => {
    const u = rng(2230);
    const f = (x: number) => 1 / (1 + x);
    for (const make of [families["zeros among others"], families["ρ-like (bunched within 20%)"], families["heavy-tailed (Cauchy)"], families["runs of ties"]]) {
      for (const n of [256, 4096, 4153]) {
        const v = make(n, u);
        let lo = Infinity, hi = -Infinity;
        for (const x of v) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
        const ax = Float64Array.from(v, (x) => Math.abs(x));
        let axlo = Infinity, axhi = -Infinity;
        for (const x of ax) { axlo = Math.min(axlo, x); axhi = Math.max(axhi, x); }
        set_native_pass_enabled(true);
        const a = summarize(Float64Array.from(v), n, lo, hi);
        const d = summarizeDecreasing(Float64Array.from(ax), n, f(axhi), f(axlo), f, axlo, axhi);
        set_native_pass_enabled(false);
        const b = summarize(Float64Array.from(v), n, lo, hi);
        const e = summarizeDecreasing(Float64Array.from(ax), n, f(axhi), f(axlo), f, axlo, axhi);
        set_native_pass_enabled(true);
        for (const k of Object.keys(a) as (keyof typeof a)[]) {
          expect(Object.is(a[k], b[k]), `n=${n} ${k}: ${a[k]} vs ${b[k]}`).toBe(true);
          expect(Object.is(d[k], e[k]), `n=${n} decreasing ${k}: ${d[k]} vs ${e[k]}`).toBe(true);
        }
      }
    }
  });
});
