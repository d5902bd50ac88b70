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
 * short trace stays tiny (past 32 steps it takes a default trace's room at once: FIRST_GROW).
 * Series always pushed at the same steps (a trace's metrics of one group or parameter) share it:
 * `SeriesSet` keeps their buckets' common numbers once and grows once for all of them; each of its
 * series is a BoundedSeries, read as any other.
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
 * Storage (SeriesSet): one Float64Array of bucket rows shared by K series that are always pushed
 * at the same steps (a trace's ~18 series of one group or parameter). Why shared: the K series of
 * a trace have the same buckets (same width, fill, merges), so doing that bookkeeping K times and
 * growing K arrays one by one (32 → 64 → … → 2000 rows: an allocation and a copy per series per
 * doubling) was most of the cost of the pushes on a tiny model (PERF.md "Session 18"). Why rows:
 * while a series is short every push opens a bucket; the numbers it writes are then a few cache
 * lines, not one per column (PERF.md "Session 10").
 *
 * Two row layouts. Narrow, while every bucket is one push (width 1, until the first merge): the
 * step and each series' value (NaN: a gap), 1 + K numbers. Wide, from the first merge on: the
 * bookkeeping once (first step, last step, pushes) and each series' count, sum, min, max, last,
 * 3 + 5K numbers. A narrow row is what a wide one says of a single push (count 0 or 1, sum 0 + v,
 * min = max = last = v), so reads give the same numbers from either; the first merge writes the
 * narrow rows out wide and merges those. Why narrow first: a trace of up to `capacity` steps never
 * merges, and its series' memory is touched for the first time as it fills: on this VM each new
 * 4 KB page costs a page fault of a few µs, which was most of what the series cost in a trace
 * (2000 steps of 18 series: ~480 faults wide, 744 B a step; narrow rows are 152 B).
 */
const FIRST = 0, LAST_STEP = 1, PUSHES = 2, HEAD = 3;
/** Offsets inside a series' five numbers (wide rows), which start at HEAD + 5·column. */
const COUNT = 0, SUM = 1, MIN = 2, MAX = 3, LAST = 4, PER = 5;
const INITIAL_ALLOCATION = 32;
/**
 * Rows a group's narrow store takes at its first grow (at most its capacity; doubling after; a
 * set's `firstGrow`, which the trace sets for its groups' sets only): a trace past its first
 * INITIAL_ALLOCATION steps goes straight to the room of a default-capacity trace. Why: in
 * a training loop each new store costs tens of µs (fresh pages and the ArrayBuffer's bookkeeping
 * amid the tensors' buffers: a 4.8 KB one took a median 29 µs there against ~1 µs alone), and the
 * doubling made 7 of them in a 2000-step trace (32 → 64 → … → 1024 → 2000 rows, ~600 KB): ~0.2 µs
 * a step of the tiny model's ~5 µs (PERF.md session 28). Two now (~310 KB). The most a set holds
 * over a long trace is unchanged (past its capacity its wide store is 5× this), only reached
 * sooner; stop() gives the room not used back (compact). Not for the parameters' sets of a
 * per_param trace (a model's hundred parameters would hold ~30 MB from step 33 on), nor wide
 * stores (from_json): they double.
 */
export const FIRST_GROW = DEFAULT_CAPACITY;

/** Rows a printed series shows at most (the first and last half of them), see `toString`. */
const PRINTED_ROWS = 10;

/**
 * K series pushed together, step by step: `begin(step)` does the step's bookkeeping once and
 * returns the row, then `put(row, column, value)` records each series' value (each column at
 * most once a step); a column not put at a step has a gap there, as a push of null. `series[k]` are the BoundedSeries views of the
 * columns, the read API. Wide rows past the last bucket are all zeros (begin, mergePairs, widen).
 */
export class SeriesSet {
  /** The maximum number of buckets (even, at least 2). */
  readonly capacity: number;
  /** Series (columns) in the set. */
  readonly k: number;
  /** Whether rows are wide (see above); narrow until the first merge. */
  wide = false;
  /** Numbers per bucket row: 1 + k narrow, HEAD + PER·k wide. */
  stride: number;
  /** Pushes per full bucket (a power of two). */
  width = 1;
  n = 0;
  total = 0;
  /** Pushes in the last bucket (its PUSHES, kept here to decide without a load). */
  fill = 0;
  /** `stride` numbers per bucket; room for `rows.length / stride` buckets. */
  rows: Float64Array;
  /** One view per column (made by the constructor; a lone series makes its own set). */
  readonly series: BoundedSeries[] = [];

  constructor(capacity: number, k: number, views: boolean = true) {
    if (!Number.isInteger(capacity) || capacity < 2 || capacity % 2 !== 0) {
      throw new RangeError(`BoundedSeries: capacity must be an even integer >= 2, got ${capacity}`);
    }
    this.capacity = capacity;
    this.k = k;
    this.stride = 1 + k;
    this.rows = new Float64Array(this.stride * Math.min(INITIAL_ALLOCATION, capacity));
    if (views) for (let c = 0; c < k; c++) this.series.push(new BoundedSeries(capacity, this, c));
  }

  /** Opens step `step` (a new bucket when the last one is full) and returns its row's offset. */
  begin(step: number): number {
    if (!this.wide) {
      if (this.n < this.capacity) {
        // narrow: every push is a bucket of its own; its values start as gaps
        const S = this.stride;
        if (this.n * S === this.rows.length) this.grow();
        const o = this.n++ * S;
        const r = this.rows;
        r[o] = step;
        for (let p = o + 1, end = o + S; p < end; p++) r[p] = NaN;
        this.fill = 1;
        this.total += 1;
        return o;
      }
      this.widen(this.capacity);
    }
    const S = this.stride;
    if (this.n === 0 || this.fill >= this.width) {
      if (this.n === this.capacity) this.mergePairs();
      if (this.n * S === this.rows.length) this.grow();
      // rows past the last bucket are all zeros (count 0, sum 0: see put), so opening one
      // writes its first step only, not 5K numbers
      this.rows[this.n++ * S + FIRST] = step;
      this.fill = 0;
    }
    const o = (this.n - 1) * S;
    const r = this.rows;
    r[o + LAST_STEP] = step;
    r[o + PUSHES] = ++this.fill;
    this.total += 1;
    return o;
  }

  /**
   * Records column `column`'s value at the step `begin` opened (null/undefined/non-finite: a gap).
   * Wide: a bucket's min, max and last mean something only once its count is > 0 (every reader
   * checks the count): the first value sets them, as min(+∞, v), max(−∞, v) did, and is added to
   * the zero sum as before (0 + −0 is +0).
   */
  put(row: number, column: number, value: number | null | undefined): void {
    if (value === null || value === undefined || !Number.isFinite(value)) return;
    const r = this.rows;
    if (!this.wide) {
      r[row + 1 + column] = value;
      return;
    }
    const p = row + HEAD + PER * column;
    const c = r[p + COUNT];
    r[p + COUNT] = c + 1;
    r[p + SUM] += value;
    if (c === 0) {
      r[p + MIN] = value;
      r[p + MAX] = value;
    } else {
      if (value < r[p + MIN]) r[p + MIN] = value;
      if (value > r[p + MAX]) r[p + MAX] = value;
    }
    r[p + LAST] = value;
  }

  /**
   * `put` of several columns at once: values[k] into column columns[k] for each k with
   * columns[k] ≥ 0 (NaN or ±Infinity: a gap, as a null put). Narrow rows are written in one loop
   * (18 calls of `put` were ~75 ns of the tiny model's step, PERF.md session 22).
   */
  putRow(row: number, columns: Int32Array, values: Float64Array): void {
    const K = columns.length;
    if (this.wide) {
      for (let k = 0; k < K; k++) if (columns[k] >= 0) this.put(row, columns[k], values[k]);
      return;
    }
    const r = this.rows, b = row + 1;
    for (let k = 0; k < K; k++) {
      const c = columns[k], v = values[k];
      // finite: v − v is 0 (NaN for NaN and ±Infinity), as put's Number.isFinite
      if (c >= 0 && v - v === 0) r[b + c] = v;
    }
  }

  /**
   * `begin(step)` then `putRow` of its row, in one pass over a narrow row (each column written
   * once: its value, or NaN for a gap, where `begin` wrote NaN and `putRow` then the finite
   * values). `columns` must name every column of the set once (a trace's pushSeries slots).
   */
  pushRow(step: number, columns: Int32Array, values: Float64Array): void {
    const o = this.openNarrow(step);
    if (o < 0) {
      this.putRow(this.begin(step), columns, values);
      return;
    }
    const r = this.rows, b = o + 1;
    const K = columns.length;
    for (let k = 0; k < K; k++) {
      const c = columns[k], v = values[k];
      if (c >= 0) r[b + c] = v - v === 0 ? v : NaN;
    }
  }

  /**
   * A narrow row opened for step `step`, whose k values the caller then writes, each column once
   * (its finite value, or NaN for a gap: what `pushRow` writes), at `rows[offset + 1 + column]`;
   * −1 (nothing opened) when rows are wide or the set is full: then `pushRow`.
   */
  openNarrow(step: number): number {
    if (this.wide || this.n >= this.capacity) return -1;
    const S = this.stride;
    if (this.n * S === this.rows.length) this.grow();
    const o = this.n++ * S;
    this.rows[o] = step;
    this.fill = 1;
    this.total += 1;
    return o;
  }

  /** Bucket i of column `column` (0 ≤ i < n), as `BoundedSeries.buckets()` gives it. */
  bucket(i: number, column: number): Bucket {
    const r = this.rows, S = this.stride;
    if (!this.wide) {
      const step = r[i * S], v = r[i * S + 1 + column];
      const c = v === v ? 1 : 0;
      return { first_step: step, last_step: step, pushes: 1, count: c, sum: c > 0 ? 0 + v : 0, mean: c > 0 ? (0 + v) / 1 : null, min: c > 0 ? v : null, max: c > 0 ? v : null, last: c > 0 ? v : null };
    }
    const h = i * S, o = h + HEAD + PER * column;
    const c = r[o + COUNT];
    return {
      first_step: r[h + FIRST],
      last_step: r[h + LAST_STEP],
      pushes: r[h + PUSHES],
      count: c,
      sum: r[o + SUM],
      mean: c > 0 ? r[o + SUM] / c : null,
      min: c > 0 ? r[o + MIN] : null,
      max: c > 0 ? r[o + MAX] : null,
      last: c > 0 ? r[o + LAST] : null,
    };
  }

  /** The last finite value of column `column`, or null when none was pushed. */
  lastValue(column: number): number | null {
    const r = this.rows, S = this.stride;
    if (!this.wide) {
      for (let i = this.n - 1; i >= 0; i--) {
        const v = r[i * S + 1 + column];
        if (v === v) return v;
      }
      return null;
    }
    const at = HEAD + PER * column;
    for (let i = this.n - 1; i >= 0; i--) if (r[i * S + at + COUNT] > 0) return r[i * S + at + LAST];
    return null;
  }

  /** Gives back the room allocated ahead for more buckets (see BoundedSeries.compact). */
  compact(): void {
    const size = Math.max(1, this.n) * this.stride;
    if (this.rows.length <= size) return;
    this.rows = this.rows.slice(0, size);
  }

  /**
   * Rows the narrow store takes at least when it grows (0: it doubles); the trace sets FIRST_GROW
   * for its groups' sets.
   */
  firstGrow = 0;

  /** @internal Room for at least one more bucket (doubling, up to `capacity`; narrow: `firstGrow` at least). */
  grow(): void {
    const S = this.stride;
    const twice = (this.rows.length / S) * 2;
    const size = Math.min(this.capacity, Math.max(2, this.wide ? twice : Math.max(twice, this.firstGrow)));
    const next = new Float64Array(size * S);
    next.set(this.rows);
    this.rows = next;
  }

  /**
   * @internal Switches to wide rows, with room for `room` buckets (at least n): each narrow row
   * written as the wide row of its one push (count 0 or 1, sum 0 + v, min = max = last = v).
   */
  widen(room: number): void {
    if (this.wide) return;
    const K = this.k, N = 1 + K, S = HEAD + PER * K;
    const from = this.rows;
    const r = new Float64Array(S * Math.max(room, this.n, 1));
    for (let i = 0; i < this.n; i++) {
      const a = i * N, h = i * S;
      r[h + FIRST] = from[a];
      r[h + LAST_STEP] = from[a];
      r[h + PUSHES] = 1;
      for (let c = 0; c < K; c++) {
        const v = from[a + 1 + c];
        if (v !== v) continue;
        const o = h + HEAD + PER * c;
        r[o + COUNT] = 1;
        r[o + SUM] = 0 + v;
        r[o + MIN] = v;
        r[o + MAX] = v;
        r[o + LAST] = v;
      }
    }
    this.rows = r;
    this.stride = S;
    this.wide = true;
    this.fill = this.n > 0 ? 1 : 0;
  }

  /** Merge buckets (2i, 2i+1) into i: exact for count, sum, min, max; last from the right one. */
  private mergePairs(): void {
    const half = this.n >> 1;
    const r = this.rows;
    const S = this.stride;
    for (let i = 0; i < half; i++) {
      const o = i * S, a = 2 * o, b = a + S;
      r[o + FIRST] = r[a + FIRST];
      r[o + LAST_STEP] = r[b + LAST_STEP];
      r[o + PUSHES] = r[a + PUSHES] + r[b + PUSHES];
      for (let c = HEAD; c < S; c += PER) {
        const ca = r[a + c + COUNT], cb = r[b + c + COUNT];
        r[o + c + COUNT] = ca + cb;
        r[o + c + SUM] = r[a + c + SUM] + r[b + c + SUM];
        // min/max/last of a bucket without values are not set (put): the other bucket's
        if (ca === 0 || cb === 0) {
          const from = ca === 0 ? b : a;
          r[o + c + MIN] = r[from + c + MIN];
          r[o + c + MAX] = r[from + c + MAX];
          r[o + c + LAST] = r[from + c + LAST];
        } else {
          r[o + c + MIN] = Math.min(r[a + c + MIN], r[b + c + MIN]);
          r[o + c + MAX] = Math.max(r[a + c + MAX], r[b + c + MAX]);
          r[o + c + LAST] = r[b + c + LAST];
        }
      }
    }
    // the rows given up are zeros again, as rows past the last bucket must be (begin)
    r.fill(0, half * S, this.n * S);
    this.n = half;
    this.width *= 2;
    this.fill = this.n > 0 ? r[(this.n - 1) * S + PUSHES] : 0;
  }
}

export class BoundedSeries {
  /** The maximum number of buckets (even, at least 2). */
  readonly capacity: number;
  /** What it records (the metric, e.g. "lr_projected"), for its printed form; null: unnamed. */
  name: string | null = null;
  /** Where its buckets are: its own set of one, or a column of a trace's set. */
  private readonly set: SeriesSet;
  /** Its column in the set. */
  private readonly column: number;

  /** `set`/`column` are for SeriesSet's views; `new BoundedSeries(capacity)` is a series of its own. */
  constructor(capacity: number = DEFAULT_CAPACITY, set?: SeriesSet, column: number = 0) {
    this.set = set ?? new SeriesSet(capacity, 1, false);
    this.capacity = this.set.capacity;
    this.column = column;
  }

  /** Number of buckets held now (at most `capacity`). */
  get length(): number {
    return this.set.n;
  }

  /** Number of pushes (steps) seen since creation, gaps included. */
  get steps(): number {
    return this.set.total;
  }

  /** Pushes per bucket at the current resolution. */
  get bucket_width(): number {
    return this.set.width;
  }

  /**
   * Bytes held by the typed array (this series' share of it when it is one of a set's K series):
   * bounded by 64 · capacity.
   */
  get byte_length(): number {
    return Math.ceil(this.set.rows.byteLength / this.set.k);
  }

  /** The last finite value pushed, or null when none was. */
  get last_value(): number | null {
    return this.set.lastValue(this.column);
  }

  /**
   * Record the value of `step` (null/undefined/non-finite records a gap). O(1) amortised. A
   * series that is one of a trace's set is pushed with the others (SeriesSet), not alone.
   */
  push(step: number, value: number | null | undefined): void {
    const set = this.set;
    if (set.k !== 1) throw new Error(`BoundedSeries.push: ${this.name ?? "this series"} is recorded by its trace, together with its other series; it cannot be pushed alone`);
    set.put(set.begin(step), 0, value);
  }

  /** A copy of the buckets, oldest first. */
  buckets(): Bucket[] {
    const out: Bucket[] = [];
    for (let i = 0; i < this.set.n; i++) out.push(this.set.bucket(i, this.column));
    return out;
  }

  /** The buckets as columns (x = last step of each bucket). */
  columns(): SeriesColumns {
    const cols: SeriesColumns = { x: [], mean: [], min: [], max: [], last: [], count: [] };
    for (let i = 0; i < this.set.n; i++) {
      const b = this.set.bucket(i, this.column);
      cols.x.push(b.last_step);
      cols.count.push(b.count);
      cols.mean.push(b.mean);
      cols.min.push(b.min);
      cols.max.push(b.max);
      cols.last.push(b.last);
    }
    return cols;
  }

  to_json(): SeriesJSON {
    const b = this.buckets();
    return {
      capacity: this.capacity,
      width: this.set.width,
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
    const set = s.set;
    const n = j.first_step.length;
    if (n > j.capacity) throw new RangeError(`BoundedSeries.from_json: ${n} buckets exceed capacity ${j.capacity}`);
    // wide rows whatever the buckets hold (any width; pushes may follow)
    set.widen(Math.min(INITIAL_ALLOCATION, j.capacity));
    const S = set.stride;
    while (set.rows.length < n * S) set.grow();
    set.width = j.width;
    set.n = n;
    const r = set.rows;
    for (let i = 0; i < n; i++) {
      const h = i * S, o = h + HEAD;
      r[h + FIRST] = j.first_step[i];
      r[h + LAST_STEP] = j.last_step[i];
      r[h + PUSHES] = j.pushes[i];
      r[o + COUNT] = j.count[i];
      r[o + SUM] = j.sum[i];
      r[o + MIN] = j.min[i] ?? Infinity;
      r[o + MAX] = j.max[i] ?? -Infinity;
      r[o + LAST] = j.last[i] ?? NaN;
      set.total += j.pushes[i];
    }
    set.fill = n > 0 ? r[(n - 1) * S + PUSHES] : 0;
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
    const head = `BoundedSeries${label}: ${plural(this.set.total, "step")} (${span}), `
      + (perStep ? "one value per step" : `in ${plural(b.length, "bucket")} of up to ${this.set.width} steps (mean, min to max)`);
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
      bucket_width: this.set.width,
      buckets: b.map((x) => ({ first_step: x.first_step, last_step: x.last_step, count: x.count, mean: x.mean, min: x.min, max: x.max })),
    };
  }

  /** `console.log(series)` and a cell's echo print `toString()`, not the typed array of rows. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /**
   * Gives back the room allocated ahead for more buckets (a stopped trace's series hold up to
   * twice what they use otherwise), for its whole set. Pushes may follow: the storage grows again.
   */
  compact(): void {
    this.set.compact();
  }
}
