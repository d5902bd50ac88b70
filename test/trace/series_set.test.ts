// SeriesSet (series.ts): K series pushed together share one store and its bucket bookkeeping. Its
// views must be indistinguishable from K independent BoundedSeries given the same pushes: same
// buckets bit for bit (gaps, merges, ±0, ±Infinity and NaN as gaps), same JSON, same read API.
import { describe, expect, it } from "vitest";
import { BoundedSeries, SeriesSet } from "../../kernel/src/trace/series";
import { rng } from "../tensor/gradcheck";

/** The numbers of every bucket, with −0 told apart from 0 (toEqual would not). */
function dump(s: BoundedSeries): unknown {
  const sign = (x: number | null) => (x === null ? null : Object.is(x, -0) ? "-0" : x);
  return {
    length: s.length,
    steps: s.steps,
    width: s.bucket_width,
    last_value: sign(s.last_value),
    buckets: s.buckets().map((b) => [b.first_step, b.last_step, b.pushes, b.count, sign(b.sum), sign(b.mean), sign(b.min), sign(b.max), sign(b.last)]),
    columns: s.columns(),
    json: JSON.stringify(s.to_json()),
    print: s.toString(),
  };
}

/** A value as a trace's metric may be: ordinary, tiny, huge, ±0, a gap (null, NaN, ±Infinity), or a run of ties. */
function valueOf(r: () => number, k: number, step: number): number | null {
  const u = r();
  if (u < 0.08) return null;
  if (u < 0.12) return NaN;
  if (u < 0.14) return u < 0.13 ? Infinity : -Infinity;
  if (u < 0.18) return u < 0.16 ? 0 : -0;
  if (u < 0.25) return k; // ties
  if (u < 0.28) return (r() - 0.5) * 1e-300;
  if (u < 0.3) return (r() - 0.5) * 1e300;
  return Math.sin(step * 0.01 + k) * (1 + r());
}

function compare(capacity: number, k: number, steps: number, seed: number, gapColumns: number[] = []) {
  const r = rng(seed);
  const set = new SeriesSet(capacity, k);
  const lone = Array.from({ length: k }, () => new BoundedSeries(capacity));
  let step = 0;
  for (let i = 0; i < steps; i++) {
    // steps are not always consecutive (a trace's steps are, but the series must not rely on it)
    step += r() < 0.1 ? 1 + Math.floor(r() * 5) : 1;
    const row = set.begin(step);
    for (let c = 0; c < k; c++) {
      const v = gapColumns.includes(c) ? null : valueOf(r, c, step);
      set.put(row, c, v);
      lone[c].push(step, v);
    }
  }
  for (let c = 0; c < k; c++) {
    expect(dump(set.series[c])).toEqual(dump(lone[c]));
    expect(dump(BoundedSeries.from_json(set.series[c].to_json()))).toEqual(dump(lone[c]));
  }
  // narrow rows until the first merge (series.ts), wide after it
  expect(set.wide).toBe(set.total > capacity);
  return { set, lone };
}

describe("SeriesSet", () => {
  it("gives each column the buckets of an independent BoundedSeries (random pushes, gaps, merges)", () => {
    for (const [capacity, k, steps, seed] of [[2, 1, 50, 1], [4, 3, 37, 2], [8, 18, 1000, 3], [128, 18, 5000, 4], [2000, 18, 4500, 5], [6, 5, 7, 6], [64, 2, 64, 7], [64, 2, 65, 8]]) {
      compare(capacity, k, steps, seed);
    }
  });

  it("a column that is only gaps stays gaps after merges, next to columns with values", () => {
    const { set } = compare(8, 4, 300, 11, [0, 2]);
    for (const b of set.series[0].buckets()) expect([b.count, b.min, b.max, b.last, b.mean]).toEqual([0, null, null, null, null]);
    expect(set.series[0].last_value).toBe(null);
    expect(set.series[1].last_value).not.toBe(null);
  });

  it("merges a bucket without values with one that has some (min, max, last from the one with values)", () => {
    const set = new SeriesSet(4, 2);
    const lone = [new BoundedSeries(4), new BoundedSeries(4)];
    // column 0: values only in the right bucket of each pair; column 1: only in the left one
    const vals: [number | null, number | null][] = [[null, -3], [5, null], [null, 7], [-0, null], [2, 2]];
    vals.forEach(([a, b], step) => {
      const row = set.begin(step);
      set.put(row, 0, a);
      set.put(row, 1, b);
      lone[0].push(step, a);
      lone[1].push(step, b);
    });
    expect(set.series[0].bucket_width).toBe(2);
    expect(dump(set.series[0])).toEqual(dump(lone[0]));
    expect(dump(set.series[1])).toEqual(dump(lone[1]));
    expect(set.series[0].buckets().map((b) => [b.min, b.max, b.last])).toEqual([[5, 5, 5], [-0, -0, -0], [2, 2, 2]]);
    expect(set.series[1].buckets().map((b) => [b.min, b.max, b.last])).toEqual([[-3, -3, -3], [7, 7, 7], [2, 2, 2]]);
  });

  it("a single −0 sums to +0, as in a series of its own (0 + −0), in narrow and wide rows", () => {
    const set = new SeriesSet(4, 1);
    set.put(set.begin(0), 0, -0);
    const b = set.series[0].buckets()[0];
    expect(Object.is(b.sum, 0)).toBe(true);
    expect(Object.is(b.mean, 0)).toBe(true);
    expect(Object.is(b.min, -0)).toBe(true);
    for (let s = 1; s < 5; s++) set.put(set.begin(s), 0, s === 4 ? -0 : null);
    expect(set.wide).toBe(true);
    const w = set.series[0].buckets();
    expect(w.map((x) => [x.count, Object.is(x.sum, 0), Object.is(x.min, -0)])).toEqual([[1, true, true], [0, true, false], [1, true, true]]);
  });

  it("a wide series given back by from_json takes more pushes as the series it was", () => {
    const { set, lone } = compare(8, 2, 30, 31);
    const copies = set.series.map((s) => BoundedSeries.from_json(s.to_json()));
    for (let step = 100; step < 140; step++) {
      copies.forEach((c, k) => c.push(step, step % 5 === k ? null : step * (k + 1)));
      lone.forEach((c, k) => c.push(step, step % 5 === k ? null : step * (k + 1)));
    }
    copies.forEach((c, k) => expect(dump(c)).toEqual(dump(lone[k])));
  });

  it("compact() gives back the room of the whole set; pushes may follow; reads and from_json round-trip", () => {
    const { set, lone } = compare(2000, 6, 40, 21);
    // narrow rows (no merge yet): the step and 6 values, room for 64 buckets after one doubling (a
    // set the trace makes for a group takes FIRST_GROW rows instead: series_growth.test.ts)
    expect(set.series[0].byte_length).toBe(Math.ceil((64 * (1 + 6) * 8) / 6));
    set.series[3].compact();
    for (const s of set.series) expect(s.byte_length).toBe(Math.ceil((40 * (1 + 6) * 8) / 6));
    // a share of the set's bytes is at most what a series of its own would hold
    expect(set.series[0].byte_length).toBeLessThanOrEqual(40 * 64);
    const row = set.begin(99);
    for (let c = 0; c < 6; c++) {
      set.put(row, c, c + 0.5);
      lone[c].push(99, c + 0.5);
    }
    for (let c = 0; c < 6; c++) {
      expect(dump(set.series[c])).toEqual(dump(lone[c]));
      expect(dump(BoundedSeries.from_json(set.series[c].to_json()))).toEqual(dump(lone[c]));
    }
  });

  it("a series of a set is pushed with the set, not alone; a lone series still pushes", () => {
    const set = new SeriesSet(8, 3);
    set.series[1].name = "lr";
    expect(() => set.series[1].push(0, 1)).toThrow(/lr.*recorded by its trace/);
    const one = new SeriesSet(8, 1);
    one.series[0].push(0, 1);
    expect(one.series[0].buckets()[0].last).toBe(1);
    expect(() => new SeriesSet(3, 2)).toThrow(/even integer/);
  });
});
