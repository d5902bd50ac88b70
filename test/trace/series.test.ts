import { describe, expect, it } from "vitest";
import { BoundedSeries } from "../../kernel/src/trace/series";
import { rng } from "../tensor/gradcheck";

describe("BoundedSeries", () => {
  it("keeps every step while under capacity", () => {
    const s = new BoundedSeries(8);
    [3, 1, 4, 1, 5].forEach((v, i) => s.push(i, v));
    const c = s.columns();
    expect(c.x).toEqual([0, 1, 2, 3, 4]);
    expect(c.mean).toEqual([3, 1, 4, 1, 5]);
    expect(s.bucket_width).toBe(1);
  });

  it("merges neighbours pairwise when full, exactly", () => {
    const s = new BoundedSeries(4);
    for (let i = 0; i < 5; i++) s.push(i, i * 10);
    // buckets [0,1] [2,3] [4]: the fifth push triggered one merge of 4 buckets into 2
    const b = s.buckets();
    expect(b.map((x) => [x.first_step, x.last_step, x.count, x.mean, x.min, x.max, x.last])).toEqual([
      [0, 1, 2, 5, 0, 10, 10],
      [2, 3, 2, 25, 20, 30, 30],
      [4, 4, 1, 40, 40, 40, 40],
    ]);
    expect(s.bucket_width).toBe(2);
  });

  it("keeps gaps as gaps and absorbs them in mixed buckets", () => {
    const s = new BoundedSeries(4);
    s.push(0, 1);
    s.push(1, null);
    s.push(2, NaN);
    s.push(3, Infinity);
    s.push(4, 2);
    s.push(5, 3);
    const b = s.buckets();
    expect(b[0]).toMatchObject({ count: 1, pushes: 2, mean: 1, last: 1 });
    expect(b[1]).toMatchObject({ count: 0, pushes: 2, mean: null, min: null, max: null, last: null });
    expect(b[2]).toMatchObject({ count: 2, mean: 2.5, min: 2, max: 3 });
    expect(s.last_value).toBe(3);
  });

  it("a million steps: bounded memory and buckets equal to an exact computation", () => {
    const K = 2000;
    const N = 1_000_000;
    const r = rng(7);
    const raw = new Float64Array(N);
    const s = new BoundedSeries(K);
    for (let i = 0; i < N; i++) {
      // a decaying signal with noise, and a gap every 997 steps
      const v = i % 997 === 5 ? NaN : Math.exp(-i / 2e5) * (1 + 0.5 * (r() - 0.5));
      raw[i] = v;
      s.push(i, v);
    }
    expect(s.length).toBeLessThanOrEqual(K);
    expect(s.length).toBeGreaterThan(K / 2 - 1);
    expect(s.byte_length).toBeLessThanOrEqual(64 * K);
    expect(s.steps).toBe(N);
    const buckets = s.buckets();
    let covered = 0;
    for (const b of buckets) {
      let count = 0, sum = 0, min = Infinity, max = -Infinity, last = NaN;
      for (let i = b.first_step; i <= b.last_step; i++) {
        const v = raw[i];
        if (!Number.isFinite(v)) continue;
        count++; sum += v; last = v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      covered += b.last_step - b.first_step + 1;
      expect(b.pushes).toBe(b.last_step - b.first_step + 1);
      expect(b.count).toBe(count);
      expect(b.min).toBe(min);
      expect(b.max).toBe(max);
      expect(b.last).toBe(last);
      expect(Math.abs((b.mean as number) - sum / count)).toBeLessThan(1e-12 * Math.abs(sum / count));
    }
    expect(covered).toBe(N);
  }, 120_000);

  it("round-trips through JSON", () => {
    const s = new BoundedSeries(6);
    for (let i = 0; i < 23; i++) s.push(i, i % 5 === 0 ? null : Math.sin(i));
    const t = BoundedSeries.from_json(JSON.parse(JSON.stringify(s.to_json())));
    expect(t.buckets()).toEqual(s.buckets());
    t.push(23, 1);
    s.push(23, 1);
    expect(t.buckets()).toEqual(s.buckets());
  });

  it("rejects a bad capacity", () => {
    expect(() => new BoundedSeries(3)).toThrow(/even integer >= 2, got 3/);
  });
});
