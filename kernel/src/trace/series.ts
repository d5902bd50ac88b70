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
 * Storage is struct-of-arrays in typed arrays that start small and grow up to `capacity`, so a
 * short trace stays tiny.
 */

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
 * The eight columns of `size` buckets as views of one buffer: one allocation per growth instead of
 * eight (typed-array backing stores are costly to allocate and count as external memory for the
 * garbage collector; a trace of a tiny model grows ~20 series at once).
 */
function columns(size: number): Float64Array[] {
  const backing = new Float64Array(8 * size);
  const out: Float64Array[] = [];
  for (let k = 0; k < 8; k++) out.push(backing.subarray(k * size, (k + 1) * size));
  return out;
}
const INITIAL_ALLOCATION = 32;

export class BoundedSeries {
  /** The maximum number of buckets (even, at least 2). */
  readonly capacity: number;
  /** Pushes per full bucket (a power of two). */
  private width = 1;
  private n = 0;
  private total = 0;
  private firstStep: Float64Array;
  private lastStep: Float64Array;
  private pushCount: Float64Array;
  private cnt: Float64Array;
  private sums: Float64Array;
  private mins: Float64Array;
  private maxs: Float64Array;
  private lasts: Float64Array;

  constructor(capacity: number = DEFAULT_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 2 || capacity % 2 !== 0) {
      throw new RangeError(`BoundedSeries: capacity must be an even integer >= 2, got ${capacity}`);
    }
    this.capacity = capacity;
    const a = Math.min(INITIAL_ALLOCATION, capacity);
    [this.firstStep, this.lastStep, this.pushCount, this.cnt, this.sums, this.mins, this.maxs, this.lasts] = columns(a);
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

  /** Bytes held by the typed arrays: bounded by 64 · capacity. */
  get byte_length(): number {
    return this.firstStep.byteLength * 8;
  }

  /** The last finite value pushed, or null when none was. */
  get last_value(): number | null {
    for (let i = this.n - 1; i >= 0; i--) if (this.cnt[i] > 0) return this.lasts[i];
    return null;
  }

  /** Record the value of `step` (null/undefined/non-finite records a gap). O(1) amortised. */
  push(step: number, value: number | null | undefined): void {
    if (this.n === 0 || this.pushCount[this.n - 1] >= this.width) {
      if (this.n === this.capacity) this.mergePairs();
      if (this.n === this.firstStep.length) this.grow();
      const i = this.n++;
      this.firstStep[i] = step;
      this.pushCount[i] = 0;
      this.cnt[i] = 0;
      this.sums[i] = 0;
      this.mins[i] = Infinity;
      this.maxs[i] = -Infinity;
      this.lasts[i] = NaN;
    }
    const i = this.n - 1;
    this.lastStep[i] = step;
    this.pushCount[i] += 1;
    this.total += 1;
    if (value === null || value === undefined || !Number.isFinite(value)) return;
    this.cnt[i] += 1;
    this.sums[i] += value;
    if (value < this.mins[i]) this.mins[i] = value;
    if (value > this.maxs[i]) this.maxs[i] = value;
    this.lasts[i] = value;
  }

  /** A copy of the buckets, oldest first. */
  buckets(): Bucket[] {
    const out: Bucket[] = [];
    for (let i = 0; i < this.n; i++) {
      const c = this.cnt[i];
      out.push({
        first_step: this.firstStep[i],
        last_step: this.lastStep[i],
        pushes: this.pushCount[i],
        count: c,
        sum: this.sums[i],
        mean: c > 0 ? this.sums[i] / c : null,
        min: c > 0 ? this.mins[i] : null,
        max: c > 0 ? this.maxs[i] : null,
        last: c > 0 ? this.lasts[i] : null,
      });
    }
    return out;
  }

  /** The buckets as columns (x = last step of each bucket). */
  columns(): SeriesColumns {
    const cols: SeriesColumns = { x: [], mean: [], min: [], max: [], last: [], count: [] };
    for (let i = 0; i < this.n; i++) {
      const c = this.cnt[i];
      cols.x.push(this.lastStep[i]);
      cols.count.push(c);
      cols.mean.push(c > 0 ? this.sums[i] / c : null);
      cols.min.push(c > 0 ? this.mins[i] : null);
      cols.max.push(c > 0 ? this.maxs[i] : null);
      cols.last.push(c > 0 ? this.lasts[i] : null);
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
    while (s.firstStep.length < n) s.grow();
    s.width = j.width;
    s.n = n;
    for (let i = 0; i < n; i++) {
      s.firstStep[i] = j.first_step[i];
      s.lastStep[i] = j.last_step[i];
      s.pushCount[i] = j.pushes[i];
      s.cnt[i] = j.count[i];
      s.sums[i] = j.sum[i];
      s.mins[i] = j.min[i] ?? Infinity;
      s.maxs[i] = j.max[i] ?? -Infinity;
      s.lasts[i] = j.last[i] ?? NaN;
      s.total += j.pushes[i];
    }
    return s;
  }

  /**
   * Gives back the room allocated ahead for more buckets (a stopped trace's series hold up to
   * twice what they use otherwise). Pushes may follow: the storage grows again.
   */
  compact(): void {
    const size = Math.max(1, this.n);
    if (this.firstStep.length <= size) return;
    const old = [this.firstStep, this.lastStep, this.pushCount, this.cnt, this.sums, this.mins, this.maxs, this.lasts];
    const next = columns(size);
    for (let k = 0; k < 8; k++) next[k].set(old[k].subarray(0, size));
    [this.firstStep, this.lastStep, this.pushCount, this.cnt, this.sums, this.mins, this.maxs, this.lasts] = next;
  }

  private grow(): void {
    const size = Math.min(this.capacity, Math.max(2, this.firstStep.length * 2));
    const old = [this.firstStep, this.lastStep, this.pushCount, this.cnt, this.sums, this.mins, this.maxs, this.lasts];
    const next = columns(size);
    for (let k = 0; k < 8; k++) next[k].set(old[k]);
    [this.firstStep, this.lastStep, this.pushCount, this.cnt, this.sums, this.mins, this.maxs, this.lasts] = next;
  }

  /** Merge buckets (2i, 2i+1) into i: exact for count, sum, min, max; last from the right one. */
  private mergePairs(): void {
    const half = this.n >> 1;
    for (let i = 0; i < half; i++) {
      const a = 2 * i;
      const b = a + 1;
      this.firstStep[i] = this.firstStep[a];
      this.lastStep[i] = this.lastStep[b];
      this.pushCount[i] = this.pushCount[a] + this.pushCount[b];
      this.cnt[i] = this.cnt[a] + this.cnt[b];
      this.sums[i] = this.sums[a] + this.sums[b];
      this.mins[i] = Math.min(this.mins[a], this.mins[b]);
      this.maxs[i] = Math.max(this.maxs[a], this.maxs[b]);
      this.lasts[i] = this.cnt[b] > 0 ? this.lasts[b] : this.lasts[a];
    }
    this.n = half;
    this.width *= 2;
  }
}
