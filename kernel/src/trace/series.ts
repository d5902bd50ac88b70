/**
 * A bounded time series: at most `capacity` buckets however many values are pushed.
 *
 * Every bucket summarises a run of consecutive pushes (steps): how many of them carried a finite
 * value (`count`), their `sum` (so `mean = sum / count`), `min`, `max`, the `last` finite value,
 * and the `first_step` / `last_step` it covers. A bucket whose pushes were all gaps (no value,
 * NaN or ±Infinity) has `count = 0` and stays a gap: plots break the line there.
 *
 * Algorithm (a power-of-two histogram of the step axis): every bucket spans `width` pushes.
 * Pushes fill the last bucket; when it is full a new one opens. When all `capacity` buckets are
 * full, neighbours are merged pairwise (count and sum add, min/max combine, last/last_step come
 * from the right one), halving the number of buckets, and `width` doubles. A merge costs O(K) and
 * happens after K/2 · width new pushes, so each push is O(1) amortised and memory is O(K).
 * Merging is exact: a bucket's min/max/mean equal those of the raw values it covers.
 *
 * Storage is one typed array of bucket rows that starts small and grows up to `capacity`, so a
 * short trace stays tiny.
 */

import { fmt } from "../plot/text";

/** One bucket, as returned by `BoundedSeries.buckets()`. `mean`, `min`, `max`, `last` are null for gaps. */
export interface Bucket {
  first_step: number;
  last_step: number;
  /** Pushes (steps) this bucket covers, gaps included. */
  pushes: number;
  /** Pushes with a finite value. */
  count: number;
  sum: number;
  mean: number | null;
  min: number | null;
  max: number | null;
  last: number | null;
}

/** Column form used by the figure builders: x is each bucket's last step; null marks a gap. */
export interface SeriesColumns {
  x: number[];
  mean: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
  last: (number | null)[];
  count: number[];
}

/** JSON form of a BoundedSeries (see `to_json` / `BoundedSeries.from_json`). */
export interface SeriesJSON {
  capacity: number;
  width: number;
  first_step: number[];
  last_step: number[];
  pushes: number[];
  count: number[];
  sum: number[];
  min: (number | null)[];
  max: (number | null)[];
  last: (number | null)[];
}

export const DEFAULT_CAPACITY = 2000;

/**
 * Storage: one Float64Array of ROW = 8 numbers per bucket (first step, last step, pushes, count,
 * sum, min, max, last), bucket after bucket. Why rows: while a series is short (one push per
 * bucket) every push opens a bucket and writes all eight numbers; in rows they are one 64-byte
 * cache line, in eight columns they were eight, and a trace pushes ~18 series per step (the
 * pushes were ~40% of the tracer's cost on a tiny model, PERF.md "Session 10"). One allocation
 * per growth (typed-array backing stores are costly to allocate and count as external memory for
 * the garbage collector).
 */
const ROW = 8;
const FIRST = 0, LAST_STEP = 1, PUSHES = 2, COUNT = 3, SUM = 4, MIN = 5, MAX = 6, LAST = 7;
const INITIAL_ALLOCATION = 32;

/** Rows a printed series shows at most (the first and last half of them), see `toString`. */
const PRINTED_ROWS = 10;

export class BoundedSeries {
  /** The maximum number of buckets (even, at least 2). */
  readonly capacity: number;
  /** What it records (the metric, e.g. "lr_projected"), for its printed form; null: unnamed. */
  name: string | null = null;
  /** Pushes per full bucket (a power of two). */
  private width = 1;
  private n = 0;
  private total = 0;
  /** Pushes in the last bucket (its PUSHES, kept here to decide without a load). */
  private fill = 0;
  /** ROW numbers per bucket; room for `rows.length / ROW` buckets. */
  private rows: Float64Array;

  constructor(capacity: number = DEFAULT_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 2 || capacity % 2 !== 0) {
      throw new RangeError(`BoundedSeries: capacity must be an even integer >= 2, got ${capacity}`);
    }
    this.capacity = capacity;
    this.rows = new Float64Array(ROW * Math.min(INITIAL_ALLOCATION, capacity));
  }

  /** Number of buckets held now (at most `capacity`). */
  get length(): number {
    return this.n;
  }

  /** Number of pushes (steps) seen since creation, gaps included. */
  get steps(): number {
    return this.total;
  }

  /** Pushes per bucket at the current resolution. */
  get bucket_width(): number {
    return this.width;
  }

  /** Bytes held by the typed array: bounded by 64 · capacity. */
  get byte_length(): number {
    return this.rows.byteLength;
  }

  /** The last finite value pushed, or null when none was. */
  get last_value(): number | null {
    const r = this.rows;
    for (let i = this.n - 1; i >= 0; i--) if (r[i * ROW + COUNT] > 0) return r[i * ROW + LAST];
    return null;
  }

  /** Record the value of `step` (null/undefined/non-finite records a gap). O(1) amortised. */
  push(step: number, value: number | null | undefined): void {
    if (this.n === 0 || this.fill >= this.width) {
      if (this.n === this.capacity) this.mergePairs();
      if (this.n * ROW === this.rows.length) this.grow();
      const o = this.n++ * ROW;
      const r = this.rows;
      r[o + FIRST] = step;
      r[o + COUNT] = 0;
      r[o + SUM] = 0;
      r[o + MIN] = Infinity;
      r[o + MAX] = -Infinity;
      r[o + LAST] = NaN;
      this.fill = 0;
    }
    const r = this.rows;
    const o = (this.n - 1) * ROW;
    r[o + LAST_STEP] = step;
    r[o + PUSHES] = ++this.fill;
    this.total += 1;
    if (value === null || value === undefined || !Number.isFinite(value)) return;
    r[o + COUNT] += 1;
    r[o + SUM] += value;
    if (value < r[o + MIN]) r[o + MIN] = value;
    if (value > r[o + MAX]) r[o + MAX] = value;
    r[o + LAST] = value;
  }

  /** A copy of the buckets, oldest first. */
  buckets(): Bucket[] {
    const out: Bucket[] = [];
    const r = this.rows;
    for (let i = 0; i < this.n; i++) {
      const o = i * ROW;
      const c = r[o + COUNT];
      out.push({
        first_step: r[o + FIRST],
        last_step: r[o + LAST_STEP],
        pushes: r[o + PUSHES],
        count: c,
        sum: r[o + SUM],
        mean: c > 0 ? r[o + SUM] / c : null,
        min: c > 0 ? r[o + MIN] : null,
        max: c > 0 ? r[o + MAX] : null,
        last: c > 0 ? r[o + LAST] : null,
      });
    }
    return out;
  }

  /** The buckets as columns (x = last step of each bucket). */
  columns(): SeriesColumns {
    const cols: SeriesColumns = { x: [], mean: [], min: [], max: [], last: [], count: [] };
    const r = this.rows;
    for (let i = 0; i < this.n; i++) {
      const o = i * ROW;
      const c = r[o + COUNT];
      cols.x.push(r[o + LAST_STEP]);
      cols.count.push(c);
      cols.mean.push(c > 0 ? r[o + SUM] / c : null);
      cols.min.push(c > 0 ? r[o + MIN] : null);
      cols.max.push(c > 0 ? r[o + MAX] : null);
      cols.last.push(c > 0 ? r[o + LAST] : null);
    }
    return cols;
  }

  to_json(): SeriesJSON {
    const b = this.buckets();
    return {
      capacity: this.capacity,
      width: this.width,
      first_step: b.map((x) => x.first_step),
      last_step: b.map((x) => x.last_step),
      pushes: b.map((x) => x.pushes),
      count: b.map((x) => x.count),
      sum: b.map((x) => x.sum),
      min: b.map((x) => x.min),
      max: b.map((x) => x.max),
      last: b.map((x) => x.last),
    };
  }

  static from_json(j: SeriesJSON): BoundedSeries {
    const s = new BoundedSeries(j.capacity);
    const n = j.first_step.length;
    if (n > j.capacity) throw new RangeError(`BoundedSeries.from_json: ${n} buckets exceed capacity ${j.capacity}`);
    while (s.rows.length < n * ROW) s.grow();
    s.width = j.width;
    s.n = n;
    const r = s.rows;
    for (let i = 0; i < n; i++) {
      const o = i * ROW;
      r[o + FIRST] = j.first_step[i];
      r[o + LAST_STEP] = j.last_step[i];
      r[o + PUSHES] = j.pushes[i];
      r[o + COUNT] = j.count[i];
      r[o + SUM] = j.sum[i];
      r[o + MIN] = j.min[i] ?? Infinity;
      r[o + MAX] = j.max[i] ?? -Infinity;
      r[o + LAST] = j.last[i] ?? NaN;
      s.total += j.pushes[i];
    }
    s.fill = n > 0 ? r[(n - 1) * ROW + PUSHES] : 0;
    return s;
  }

  /**
   * `BoundedSeries "lr": 50 steps (0 to 49), one value per step` and a table of its first and last
   * steps (or buckets: steps, mean, min to max), "—" where a step had no finite value. It printed
   * its internals (capacity, width, n, the Float64Array of rows) in a cell's echo (a user's pass).
   */
  toString(): string {
    const b = this.buckets();
    const label = this.name !== null ? ` ${JSON.stringify(this.name)}` : "";
    if (b.length === 0) return `BoundedSeries${label}: no steps yet (at most ${this.capacity} buckets)`;
    const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
    const perStep = b.every((x) => x.pushes === 1);
    const span = `${b[0].first_step} to ${b[b.length - 1].last_step}`;
    const head = `BoundedSeries${label}: ${plural(this.total, "step")} (${span}), `
      + (perStep ? "one value per step" : `in ${plural(b.length, "bucket")} of up to ${this.width} steps (mean, min to max)`);
    const v = (x: number | null) => (x === null ? "—" : fmt(x));
    const rows: string[][] = perStep ? [["step", "value"]] : [["steps", "mean", "min to max"]];
    const shown = b.length <= PRINTED_ROWS ? b.map((x, i) => [x, i] as const)
      : [...b.slice(0, PRINTED_ROWS / 2).map((x, i) => [x, i] as const), ...b.slice(-PRINTED_ROWS / 2).map((x, i) => [x, b.length - PRINTED_ROWS / 2 + i] as const)];
    let prev = -1;
    for (const [x, i] of shown) {
      if (i !== prev + 1) rows.push(["...", `(${plural(i - prev - 1, perStep ? "more step" : "more bucket")})`, ...(perStep ? [] : [""])]);
      prev = i;
      if (perStep) rows.push([String(x.first_step), v(x.last)]);
      else {
        const steps = x.first_step === x.last_step ? String(x.first_step) : `${x.first_step}–${x.last_step}`;
        rows.push([steps, v(x.mean), x.count === 0 ? "—" : `${fmt(x.min)} to ${fmt(x.max)}`]);
      }
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
    const body = rows.map((r) => "  " + r.map((cell, c) => (c === 0 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join("  ").trimEnd());
    const gaps = b.filter((x) => x.count === 0).length;
    const unit = perStep ? "step" : "bucket";
    const gapNote = gaps > 0 ? `; ${plural(gaps, unit)} without a finite value (—)` : "";
    return [head, ...body, `  .buckets(), .columns() or .to_json() give every ${unit}${gapNote}`].join("\n");
  }

  /**
   * What `JSON.stringify(series)` writes, the data `toString()` prints: `{ name, steps, values }`
   * (a step and its value, null where it had no finite value), and when steps were merged into
   * buckets, `steps` is each bucket's last step, `values` its mean, and `buckets` gives every
   * bucket's `first_step`, `last_step`, `count`, `mean`, `min`, `max`. It wrote the private
   * Float64Array of rows as `"rows":{"0":0,"1":0,...}` (a user's pass). `to_json()` stays the
   * form `BoundedSeries.from_json` reads back.
   */
  toJSON(): { name: string | null; steps: number[]; values: (number | null)[]; bucket_width?: number; buckets?: Pick<Bucket, "first_step" | "last_step" | "count" | "mean" | "min" | "max">[] } {
    const b = this.buckets();
    const steps = b.map((x) => x.last_step);
    if (b.every((x) => x.pushes === 1)) return { name: this.name, steps, values: b.map((x) => x.last) };
    return {
      name: this.name,
      steps,
      values: b.map((x) => x.mean),
      bucket_width: this.width,
      buckets: b.map((x) => ({ first_step: x.first_step, last_step: x.last_step, count: x.count, mean: x.mean, min: x.min, max: x.max })),
    };
  }

  /** `console.log(series)` and a cell's echo print `toString()`, not the typed array of rows. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /**
   * Gives back the room allocated ahead for more buckets (a stopped trace's series hold up to
   * twice what they use otherwise). Pushes may follow: the storage grows again.
   */
  compact(): void {
    const size = Math.max(1, this.n) * ROW;
    if (this.rows.length <= size) return;
    this.rows = this.rows.slice(0, size);
  }

  private grow(): void {
    const size = Math.min(this.capacity, Math.max(2, (this.rows.length / ROW) * 2));
    const next = new Float64Array(size * ROW);
    next.set(this.rows);
    this.rows = next;
  }

  /** Merge buckets (2i, 2i+1) into i: exact for count, sum, min, max; last from the right one. */
  private mergePairs(): void {
    const half = this.n >> 1;
    const r = this.rows;
    for (let i = 0; i < half; i++) {
      const o = i * ROW, a = 2 * o, b = a + ROW;
      const cb = r[b + COUNT];
      r[o + FIRST] = r[a + FIRST];
      r[o + LAST_STEP] = r[b + LAST_STEP];
      r[o + PUSHES] = r[a + PUSHES] + r[b + PUSHES];
      r[o + COUNT] = r[a + COUNT] + cb;
      r[o + SUM] = r[a + SUM] + r[b + SUM];
      r[o + MIN] = Math.min(r[a + MIN], r[b + MIN]);
      r[o + MAX] = Math.max(r[a + MAX], r[b + MAX]);
      r[o + LAST] = cb > 0 ? r[b + LAST] : r[a + LAST];
    }
    this.n = half;
    this.width *= 2;
    this.fill = this.n > 0 ? r[(this.n - 1) * ROW + PUSHES] : 0;
  }
}
