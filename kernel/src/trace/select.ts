/**
 * Order statistics without a full sort: after `select_ranks(a, n, ranks)`, `a[r]` holds the r-th
 * smallest of the first n values (0-based) for every r in `ranks`, as it would after sorting.
 *
 * Algorithm: quickselect generalised to several ranks ("multiselect"). Partition [lo, hi] around
 * a pivot (the median of a[lo], a[mid], a[hi]; of nine values spread over it from 64 values on) into a[lo..j) < pivot ≤ a[j..hi] (branchless Lomuto; when
 * fewer than 1/16 of the values fall below, the values equal to the pivot are gathered next, so
 * their ranks are settled and runs of ties cannot stall it). Only the sides that still contain a
 * wanted rank are processed further. Expected cost O(n·(1 + log k)) for k ranks,
 * against O(n log n) for a sort: the ten ranks of a quantile summary of a 4153-value ρ sample take
 * ~45 µs, against ~240 µs for `Float64Array.prototype.sort` of 4096 values (Node 20). Ranges of at most 24 values are finished by
 * insertion sort. Values must not be NaN (±Infinity is fine); with NaN values it still ends, with
 * the ranks unspecified.
 *
 * `select_values` (what the quantile summaries use) gives the same order statistics as values,
 * about twice as fast on a few thousand values: it first keeps only the values of the few buckets
 * (by exponent and leading mantissa bits) that hold the wanted ranks, and selects among those.
 */

const SMALL = 24;

/** `ranks` must be sorted ascending, each in [0, n). The first n entries of `a` are permuted. */
export function select_ranks(a: Float64Array, n: number, ranks: readonly number[]): void {
  if (n <= 1 || ranks.length === 0) return;
  range(a, 0, n - 1, ranks, 0, ranks.length);
}

function range(a: Float64Array, lo: number, hi: number, ranks: readonly number[], r0: number, r1: number): void {
  while (r0 < r1) {
    if (hi - lo < SMALL) {
      insertion(a, lo, hi);
      return;
    }
    const pivot = hi - lo + 1 >= NINTHER_FROM ? ninther(a, lo, hi) : med3(a[lo], a[(lo + hi) >>> 1], a[hi]);
    // Branchless Lomuto partition: a[lo..j) < pivot ≤ a[j..i). The comparison feeds an index
    // instead of a branch: on unordered values a branch mispredicts about every other element,
    // which cost more than the partition itself (~35% faster on a ρ sample than Hoare's scheme).
    let j = lo;
    for (let i = lo; i <= hi; i++) {
      const v = a[i];
      a[i] = a[j];
      a[j] = v;
      j += +(v < pivot);
    }
    // Few values below the pivot (it is the minimum of many ties, e.g. a constant array): gather
    // the values equal to it into a[j..k), whose ranks are then settled; this guarantees progress.
    let k = j;
    if (j - lo < (hi - lo + 1) >>> 4) {
      for (let i = j; i <= hi; i++) {
        const v = a[i];
        a[i] = a[k];
        a[k] = v;
        k += +(v <= pivot);
      }
    }
    // No progress only when the pivot is NaN (nothing compares with it). Values must not be NaN,
    // but a stray one must not hang the caller: finish by insertion, which always ends.
    if (k === lo) {
      insertion(a, lo, hi);
      return;
    }
    // ranks < j lie left, ranks ≥ k right, ranks in [j, k) hold the pivot's value and are done
    let left = r0;
    while (left < r1 && ranks[left] < j) left++;
    let right = left;
    while (right < r1 && ranks[right] < k) right++;
    if (left > r0) range(a, lo, j - 1, ranks, r0, left);
    lo = k;
    r0 = right;
  }
}

/** Ranges from which the pivot is a median of three medians of three (below, of three values). */
const NINTHER_FROM = 64;

/** The median of three values. */
function med3(x: number, y: number, z: number): number {
  return x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
}

/**
 * Tukey's ninther: the median of the medians of three triples spread over [lo, hi]. The median of
 * a[lo], a[mid], a[hi] alone is robust to sorted and reversed input, not to others: an organ pipe
 * (up, then down) of 4096 values took 8.0 ms and a reversed one 4.6 ms, against 43 µs for random
 * values (the native selection, select.h, had the same cases and takes the same pivot).
 */
function ninther(a: Float64Array, lo: number, hi: number): number {
  const e = Math.floor((hi - lo) / 8);
  const mid = (lo + hi) >>> 1;
  return med3(med3(a[lo], a[lo + e], a[lo + 2 * e]), med3(a[mid - e], a[mid], a[mid + e]), med3(a[hi - 2 * e], a[hi - e], a[hi]));
}

function insertion(a: Float64Array, lo: number, hi: number): void {
  for (let i = lo + 1; i <= hi; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= lo && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

/** Values from which `select_values` narrows down by buckets (below, the quickselect alone is as fast). */
const BUCKETED_MIN = 256;
/** Buckets over the values' keys: about n/2 of them, at most BUCKETS. */
const BUCKETS = 2048;
/** Magnitudes more than BINADES binades below the largest share one bucket (that of zero). */
const BINADES = 24;
/**
 * Whether a Float64Array element's high 32-bit word is the second of its two Int32Array words
 * (little-endian: every platform Node runs on today; otherwise no buckets). The loops below add
 * the literal 1 rather than a variable: with a variable index offset V8 compiled them ~40% slower.
 */
const LITTLE_ENDIAN = new Int32Array(new Float64Array([-1]).buffer)[1] < 0;
const one = new Float64Array(1);
const oneWords = new Int32Array(one.buffer);
const hist = new Int32Array(BUCKETS);
const mark = new Uint8Array(BUCKETS);
/**
 * Values `select_values` takes through buckets at most (the tracer's samples hold at most 2 ×
 * SAMPLE_SIZE + 1); more go to the quickselect. The buffers are allocated once: allocating them
 * inside the function made V8 compile its loops ~40% slower.
 */
const BUCKETED_MAX = 16384;
const codes = new Uint16Array(BUCKETED_MAX);
const kept = new Float64Array(BUCKETED_MAX);
const keptRanks: number[] = [];
/** An Int32Array over the last buffer `select_values` read (the sample buffers are kept across calls). */
let words: Int32Array<ArrayBufferLike> = new Int32Array(0);
let wordsOf: ArrayBufferLike | null = null;

function wordsFor(buffer: ArrayBufferLike): Int32Array<ArrayBufferLike> {
  if (wordsOf !== buffer) {
    wordsOf = buffer;
    words = new Int32Array(buffer, 0, buffer.byteLength >> 2);
  }
  return words;
}

/** The high 32 bits of v, sign cleared. */
function magnitudeWord(v: number): number {
  one[0] = v;
  return oneWords[1] & 0x7fffffff;
}

/** The key of v (see select_values): ±(its magnitude word − floor), clamped to [0, span], v's sign. */
function keyOf(v: number, floor: number, span: number): number {
  const m = Math.min(Math.max(magnitudeWord(v) - floor, 0), span);
  return v < 0 ? -m : m;
}

/**
 * The r-th smallest of the first n values of `a` (0-based) for every r in `ranks` (sorted
 * ascending, each in [0, n)) into `out[k]` (for ranks[k]): the values `select_ranks` leaves at
 * a[r] (of two zeros, either may be given). The first n entries of `a` may be permuted.
 *
 * `lo`, `hi`: about the smallest and largest value (e.g. the exact min and max of a set the values
 * are drawn from). They only set the buckets below: any lo ≤ hi, even wrong ones, give the same values.
 *
 * From BUCKETED_MIN to BUCKETED_MAX values, a value's key is its magnitude's high 32 bits
 * (exponent and 20 leading mantissa bits, an order-preserving integer for non-negative doubles),
 * counted from BINADES binades below the larger magnitude of lo and hi (smaller magnitudes count as
 * 0), negated for a negative value; the keys from lo's on are cut into equal buckets, hi's in the
 * last or before (a value whose key falls outside them, which the bounds should not leave, sends
 * all the values to the quickselect). A smaller value never has a later bucket. One pass counts
 * the buckets (a histogram), which gives the bucket of each wanted rank and the count of values
 * before it; a second pass keeps the values of those buckets (every value before them, in order,
 * is smaller), and the quickselect finds the ranks among the kept ones, shifted by the count of
 * values in the buckets before. Two light passes and a selection among a few hundred values,
 * instead of the quickselect's five to nine partitions of all of them: on the ρ and Adam-factor
 * values of 4096-element weights, 18-19 µs against 34-35 µs in a loop (PERF.md session 14). When
 * the wanted buckets hold more than a third of the values (values bunched within a few per cent:
 * ties, few distinct values) the quickselect runs on all of them instead. NaN values: as
 * select_ranks (it ends; the values are then unspecified).
 */
export function select_values(a: Float64Array, n: number, ranks: readonly number[], out: Float64Array, lo: number, hi: number): void {
  if (ranks.length === 0) return;
  if (n < BUCKETED_MIN || !bucketed(a, n, ranks, out, lo, hi)) {
    select_ranks(a, n, ranks);
    for (let k = 0; k < ranks.length; k++) out[k] = a[ranks[k]];
  }
}

/** select_values through buckets; false (nothing written) when the wanted buckets hold too many values. */
function bucketed(a: Float64Array, n: number, ranks: readonly number[], out: Float64Array, lo: number, hi: number): boolean {
  if (!(lo <= hi) || !LITTLE_ENDIAN || n > BUCKETED_MAX) return false;
  const w = wordsFor(a.buffer);
  const base = (a.byteOffset >> 2) + 1; // the high word of a[0]
  // key(v) = ±max(magnitudeWord(v) − floor, 0) with v's sign (keyOf also caps it at span, for lo and hi)
  const top = Math.max(magnitudeWord(lo), magnitudeWord(hi));
  let floor = top - (BINADES << 20);
  if (floor < 0) floor = 0;
  const span = top - floor;
  const klo = keyOf(lo, floor, span), khi = keyOf(hi, floor, span);
  // values within a few keys (e.g. SGD's ρ with fixed gradients: equal up to rounding) would fill
  // the wanted buckets: straight to the quickselect
  if (khi - klo < 16) return false;
  // nb buckets (a power of two, about n/2) of 2^shift keys from klo's: khi's is the last or before
  let nb = BUCKETS;
  while (nb > 256 && nb > n >>> 1) nb >>>= 1;
  let shift = 0;
  while ((khi - klo) >>> shift >= nb) shift++;
  const off = -klo;
  hist.fill(0, 0, nb);
  let any = 0;
  for (let i = 0; i < n; i++) {
    const x = w[base + 2 * i];
    let m = (x & 0x7fffffff) - floor;
    m = m > 0 ? m : 0;
    const s = x >> 31; // 0, or −1 for a negative value: (m ^ s) − s = −m
    const b = (((m ^ s) - s) + off) >>> shift;
    any |= b;
    codes[i] = b;
    hist[b]++;
  }
  // A value outside [lo, hi] may have a bucket past the last (or, below lo, a huge one): then some
  // bit at or above nb's is set in `any`, and the quickselect takes over. (A value above hi that
  // lands in a bucket before nb is in the right place: buckets only need to keep the order.)
  if (any >>> 0 >= nb) return false;
  // the bucket of each wanted rank, marked; its rank among the bucket's values
  mark.fill(0, 0, nb);
  const nr = ranks.length;
  const fr = keptRanks;
  fr.length = 0;
  let below = 0, b = 0, taken = 0;
  for (let k = 0; k < nr; k++) {
    const r = ranks[k];
    while (below + hist[b] <= r) below += hist[b++];
    if (mark[b] === 0) {
      mark[b] = 1;
      taken += hist[b];
    }
    fr.push(r - below);
  }
  if (3 * taken > n) return false;
  // its rank among the kept values: plus the kept values of the marked buckets before its own
  let keptBefore = 0;
  below = 0;
  b = 0;
  for (let k = 0; k < nr; k++) {
    const r = ranks[k];
    while (below + hist[b] <= r) {
      below += hist[b];
      if (mark[b] === 1) keptBefore += hist[b];
      b++;
    }
    fr[k] += keptBefore;
  }
  let j = 0;
  for (let i = 0; i < n; i++) {
    kept[j] = a[i];
    j += mark[codes[i]];
  }
  select_ranks(kept, taken, fr);
  for (let k = 0; k < nr; k++) out[k] = kept[fr[k]];
  return true;
}
