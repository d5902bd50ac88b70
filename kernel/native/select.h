/*
 * Order statistics for the tracer's quantile summaries (kernel/src/trace/quantiles.ts `pick`):
 * select_f64(a, n, ranks, nr, out) writes the ranks[k]-th smallest of a[0..n) to out[k], the values
 * a sort leaves there (Float64Array.prototype.sort, which puts -0 before +0), or says 0, writing
 * nothing, when a value is NaN. a is only read.
 *
 * Why: a summary selects ten ranks of a ~4,100-value sample at every traced step (one a group, one
 * more a large parameter with per_param). Session 20's version, select.ts's multi-rank quickselect
 * in C (a branchless Lomuto partition in place, one value at a time), took ~26 µs for 4096 values.
 *
 * How (session 22, PERF.md): the values become int64 keys with the doubles' order (a negative
 * double's bits with all but the sign flipped: -0 < +0 as in a sort) in a per-thread scratch
 * buffer, and the multi-rank quickselect runs on the keys with each partition out of place, from
 * one scratch buffer to the other at the same indices: keys below the pivot are written forward
 * from the range's start, the others backward from its end. Out of place, the partition is a few
 * vector instructions for 8 keys (AVX-512: compress) or 4 (AVX2: a permutation from a table by the
 * comparison's four bits), ~0.25-0.3 ns a key against ~0.65 ns one at a time (the portable loop,
 * about as fast as the old one in place). The order statistics do not depend on the algorithm:
 * the same values as before; where -0 and +0 tie at a rank, the sort's zero, where the old
 * version gave either (the summaries are the same for either: quantiles.ts `level` adds a zero to
 * a zero, and the factors' f is not evaluated at a zero whose sign matters, sample.ts).
 *
 * The quickselect (as select.ts): partition [lo, hi] around a pivot into keys < pivot and keys ≥
 * pivot; when fewer than 1/16 fall below, the keys equal to the pivot are gathered next (the ranks
 * among them are settled: runs of ties cannot stall it); only the sides holding a wanted rank go
 * on; ranges of at most SELECT_SMALL keys are finished by insertion sort. The pivot: see
 * select_pivot.
 */

#define SELECT_SMALL 24
#define SELECT_NINTHER 64
/* Values the per-thread scratch holds (the tracer's samples: at most 2 × 4096 + 1); more: malloc. */
#define SELECT_SCRATCH 8448

/* The order-preserving key of a double and back (the same map both ways). */
static inline int64_t select_key(double v) {
  int64_t b;
  memcpy(&b, &v, sizeof b);
  return b ^ (int64_t)((uint64_t)(b >> 63) >> 1);
}
static inline double select_value(int64_t k) {
  int64_t b = k ^ (int64_t)((uint64_t)(k >> 63) >> 1);
  double v;
  memcpy(&v, &b, sizeof v);
  return v;
}

/*
 * A partition of src[lo..hi] into dst[lo..hi]: dst[lo..j) < p ≤ dst[j..hi]; returns j. Writes only
 * dst[lo..hi], reads only src[lo..hi].
 */
typedef int64_t (*select_part_fn)(const int64_t *src, int64_t *dst, int64_t lo, int64_t hi, int64_t p);

/* Keys of a, and whether one is NaN; the vector versions below do the same. */
typedef int (*select_keys_fn)(const double *a, int64_t *k, int64_t n);

/* One key at a time: both cursors are written, one advances (no branch on the comparison). */
static inline int64_t select_part_tail(const int64_t *src, int64_t *dst, int64_t i, int64_t j, int64_t k, int64_t hi, int64_t p) {
  for (; i <= hi; i++) {
    int64_t v = src[i];
    int64_t lt = v < p;
    dst[j] = v;
    dst[k] = v;
    j += lt;
    k -= 1 - lt;
  }
  return j;
}

static int64_t select_part_scalar(const int64_t *src, int64_t *dst, int64_t lo, int64_t hi, int64_t p) {
  return select_part_tail(src, dst, lo, lo, hi, hi, p);
}

static int select_keys_scalar(const double *a, int64_t *k, int64_t n) {
  uint64_t nan = 0;
  for (int64_t i = 0; i < n; i++) {
    int64_t b;
    memcpy(&b, a + i, sizeof b);
    /* the top bit set when b's magnitude is above +Infinity's: a NaN */
    nan |= (uint64_t)0x7ff0000000000000 - (uint64_t)(b & 0x7fffffffffffffff);
    k[i] = b ^ (int64_t)((uint64_t)(b >> 63) >> 1);
  }
  return (int)(nan >> 63);
}

#if HAVE_X86
/* For the comparison's four bits m: the 32-bit lanes that move the keys below the pivot to the front
 * (in order), and those that move the others to the back. */
static const int32_t select_front[16][8] = {
  {0, 0, 0, 0, 0, 0, 0, 0}, {0, 1, 0, 0, 0, 0, 0, 0}, {2, 3, 0, 0, 0, 0, 0, 0}, {0, 1, 2, 3, 0, 0, 0, 0},
  {4, 5, 0, 0, 0, 0, 0, 0}, {0, 1, 4, 5, 0, 0, 0, 0}, {2, 3, 4, 5, 0, 0, 0, 0}, {0, 1, 2, 3, 4, 5, 0, 0},
  {6, 7, 0, 0, 0, 0, 0, 0}, {0, 1, 6, 7, 0, 0, 0, 0}, {2, 3, 6, 7, 0, 0, 0, 0}, {0, 1, 2, 3, 6, 7, 0, 0},
  {4, 5, 6, 7, 0, 0, 0, 0}, {0, 1, 4, 5, 6, 7, 0, 0}, {2, 3, 4, 5, 6, 7, 0, 0}, {0, 1, 2, 3, 4, 5, 6, 7},
};
static const int32_t select_back[16][8] = {
  {0, 1, 2, 3, 4, 5, 6, 7}, {0, 0, 2, 3, 4, 5, 6, 7}, {0, 0, 0, 1, 4, 5, 6, 7}, {0, 0, 0, 0, 4, 5, 6, 7},
  {0, 0, 0, 1, 2, 3, 6, 7}, {0, 0, 0, 0, 2, 3, 6, 7}, {0, 0, 0, 0, 0, 1, 6, 7}, {0, 0, 0, 0, 0, 0, 6, 7},
  {0, 0, 0, 1, 2, 3, 4, 5}, {0, 0, 0, 0, 2, 3, 4, 5}, {0, 0, 0, 0, 0, 1, 4, 5}, {0, 0, 0, 0, 0, 0, 4, 5},
  {0, 0, 0, 0, 0, 1, 2, 3}, {0, 0, 0, 0, 0, 0, 2, 3}, {0, 0, 0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 0, 0, 0},
};

/*
 * Four keys a step while at least eight remain: the front vector is stored at j, the back one ending
 * at k; both lie within dst[j..k], whose length is the count of keys not yet placed (≥ 8), so the
 * lanes past the moved keys land where later keys go. The last keys go one at a time.
 */
__attribute__((target("avx2"))) static int64_t select_part_avx2(const int64_t *src, int64_t *dst, int64_t lo, int64_t hi, int64_t p) {
  const __m256i vp = _mm256_set1_epi64x(p);
  int64_t i = lo, j = lo, k = hi;
  for (; hi - i >= 7; i += 4) {
    __m256i v = _mm256_loadu_si256((const __m256i *)(src + i));
    int m = _mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(vp, v)));
    int c = __builtin_popcount((unsigned)m);
    __m256i f = _mm256_permutevar8x32_epi32(v, _mm256_loadu_si256((const __m256i *)select_front[m]));
    __m256i b = _mm256_permutevar8x32_epi32(v, _mm256_loadu_si256((const __m256i *)select_back[m]));
    _mm256_storeu_si256((__m256i *)(dst + j), f);
    _mm256_storeu_si256((__m256i *)(dst + k - 3), b);
    j += c;
    k -= 4 - c;
  }
  return select_part_tail(src, dst, i, j, k, hi, p);
}

__attribute__((target("avx2"))) static int select_keys_avx2(const double *a, int64_t *k, int64_t n) {
  __m256d nan = _mm256_setzero_pd();
  const __m256i zero = _mm256_setzero_si256();
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    __m256d v = _mm256_loadu_pd(a + i);
    nan = _mm256_or_pd(nan, _mm256_cmp_pd(v, v, _CMP_UNORD_Q));
    __m256i b = _mm256_castpd_si256(v);
    __m256i s = _mm256_srli_epi64(_mm256_cmpgt_epi64(zero, b), 1);
    _mm256_storeu_si256((__m256i *)(k + i), _mm256_xor_si256(b, s));
  }
  return _mm256_movemask_pd(nan) != 0 || select_keys_scalar(a + i, k + i, n - i);
}

/* As select_part_avx2, eight keys a step while at least sixteen remain (compress, then the back
 * ones expanded to the vector's top lanes). */
__attribute__((target("avx512f"))) static int64_t select_part_avx512(const int64_t *src, int64_t *dst, int64_t lo, int64_t hi, int64_t p) {
  const __m512i vp = _mm512_set1_epi64(p);
  int64_t i = lo, j = lo, k = hi;
  for (; hi - i >= 15; i += 8) {
    __m512i v = _mm512_loadu_si512((const void *)(src + i));
    __mmask8 m = _mm512_cmplt_epi64_mask(v, vp);
    int c = __builtin_popcount((unsigned)m);
    __m512i f = _mm512_maskz_compress_epi64(m, v);
    __m512i b = _mm512_maskz_expand_epi64((__mmask8)(0xFF << c), _mm512_maskz_compress_epi64((__mmask8)~m, v));
    _mm512_storeu_si512((void *)(dst + j), f);
    _mm512_storeu_si512((void *)(dst + k - 7), b);
    j += c;
    k -= 8 - c;
  }
  return select_part_tail(src, dst, i, j, k, hi, p);
}

__attribute__((target("avx512f"))) static int select_keys_avx512(const double *a, int64_t *k, int64_t n) {
  __mmask8 nan = 0;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m512d v = _mm512_loadu_pd(a + i);
    nan |= _mm512_cmp_pd_mask(v, v, _CMP_UNORD_Q);
    __m512i b = _mm512_castpd_si512(v);
    _mm512_storeu_si512((void *)(k + i), _mm512_xor_si512(b, _mm512_srli_epi64(_mm512_srai_epi64(b, 63), 1)));
  }
  return nan != 0 || select_keys_scalar(a + i, k + i, n - i);
}
#endif

static void select_insertion(int64_t *a, int64_t lo, int64_t hi) {
  for (int64_t i = lo + 1; i <= hi; i++) {
    int64_t v = a[i];
    int64_t j = i - 1;
    while (j >= lo && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

static inline int64_t select_median3(int64_t x, int64_t y, int64_t z) {
  return x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
}

/*
 * The median of the first, middle and last keys; from SELECT_NINTHER keys on, the median of three
 * such medians of keys spread over the range (about 1/5 fewer keys partitioned in all than with
 * the median of three alone, for the ten ranks of a summary). Once a partition has left more than
 * 7/8 of its range on one side (*rnd set: inputs made against these places, e.g. an organ pipe,
 * on which the median of three took milliseconds), the nine keys are taken at pseudo-random places.
 */
static inline int64_t select_pivot(const int64_t *a, int64_t lo, int64_t hi, uint32_t *rnd) {
  int64_t m = hi - lo + 1, mid = lo + ((hi - lo) >> 1);
  if (m < SELECT_NINTHER) return select_median3(a[lo], a[mid], a[hi]);
  int64_t x[9];
  if (*rnd != 0) {
    for (int t = 0; t < 9; t++) {
      uint32_t r = *rnd;
      r ^= r << 13;
      r ^= r >> 17;
      r ^= r << 5;
      *rnd = r;
      x[t] = a[lo + (int64_t)(r % (uint64_t)m)];
    }
  } else {
    int64_t e = m >> 3;
    int64_t at[9] = {lo, lo + e, lo + 2 * e, mid - e, mid, mid + e, hi - 2 * e, hi - e, hi};
    for (int t = 0; t < 9; t++) x[t] = a[at[t]];
  }
  return select_median3(select_median3(x[0], x[1], x[2]), select_median3(x[3], x[4], x[5]), select_median3(x[6], x[7], x[8]));
}

/*
 * ranks[r0..r1) ascending, inside [lo, hi], whose keys are in cur (alt: the other buffer, free
 * there); out[r] for each.
 */
static void select_range(int64_t *cur, int64_t *alt, int64_t lo, int64_t hi, const int32_t *ranks, size_t r0, size_t r1, double *out, select_part_fn part, uint32_t *rnd) {
  while (r0 < r1) {
    if (hi - lo < SELECT_SMALL) {
      select_insertion(cur, lo, hi);
      for (size_t r = r0; r < r1; r++) out[r] = select_value(cur[ranks[r]]);
      return;
    }
    int64_t pivot = select_pivot(cur, lo, hi, rnd);
    /* alt[lo..j) < pivot ≤ alt[j..hi]; the pivot is one of the keys, so j ≤ hi */
    int64_t j = part(cur, alt, lo, hi, pivot);
    int64_t k = j;
    int64_t *right = alt, *spare = cur;
    if (j - lo < (hi - lo + 1) >> 4) {
      /* cur[j..k) = pivot < cur[k..hi] (keys are not NaN: pivot + 1 does not overflow); k > j */
      k = part(alt, cur, j, hi, pivot + 1);
      right = cur;
      spare = alt;
    }
    int64_t big = (hi - lo + 1) - ((hi - lo + 1) >> 3);
    if (*rnd == 0 && (j - lo > big || hi - k + 1 > big)) *rnd = 0x9e3779b9u;
    size_t left = r0;
    while (left < r1 && ranks[left] < j) left++;
    size_t r = left;
    for (; r < r1 && ranks[r] < k; r++) out[r] = select_value(pivot);
    if (left > r0) select_range(alt, cur, lo, j - 1, ranks, r0, left, out, part, rnd);
    cur = right;
    alt = spare;
    lo = k;
    r0 = r;
  }
}

static _Thread_local int64_t select_scratch[2 * SELECT_SCRATCH] __attribute__((aligned(64)));

/*
 * isa: 0 the fastest this processor runs, else at most 1 (one key at a time), 2 (AVX2) or 3
 * (AVX-512) (the tests run each). ranks ascending, each in [0, n). Returns 0, writing nothing,
 * when a value is NaN or more than SELECT_SCRATCH values find no memory; else 1.
 */
static int select_f64(const double *a, int64_t n, const int32_t *ranks, size_t nr, double *out, int isa) {
  select_part_fn part = select_part_scalar;
  select_keys_fn keys = select_keys_scalar;
#if HAVE_X86
  __builtin_cpu_init();
  if ((isa == 0 || isa >= 3) && __builtin_cpu_supports("avx512f")) {
    part = select_part_avx512;
    keys = select_keys_avx512;
  } else if ((isa == 0 || isa >= 2) && __builtin_cpu_supports("avx2")) {
    part = select_part_avx2;
    keys = select_keys_avx2;
  }
#else
  (void)isa;
#endif
  int64_t *buf = select_scratch;
  if (n > SELECT_SCRATCH) {
    buf = (int64_t *)malloc(2 * (size_t)n * sizeof *buf);
    if (buf == NULL) return 0;
  }
  int nan = keys(a, buf, n);
  uint32_t rnd = 0;
  if (!nan && nr > 0) select_range(buf, buf + (n > SELECT_SCRATCH ? n : SELECT_SCRATCH), 0, n - 1, ranks, 0, nr, out, part, &rnd);
  if (buf != select_scratch) free(buf);
  return !nan;
}
