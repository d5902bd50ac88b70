/*
 * Order statistics for the tracer's quantile summaries (kernel/src/trace/quantiles.ts), the
 * multi-rank quickselect of kernel/src/trace/select.ts `select_ranks` in C (included by
 * trace_sums.c): after it, a[r] holds the r-th smallest of the first n values for every wanted r.
 *
 * Why: a summary selects ten ranks of a ~4,100-value sample at every traced step; in a step the
 * JavaScript selection took ~50 µs (its code and data cold after the training step's work), ~20%
 * of a traced MLP step's tracer cost (PERF.md, session 20). The values it leaves at the wanted
 * ranks are the order statistics, whatever the algorithm: the same numbers as select.ts.
 *
 * Partition [lo, hi] around the median of a[lo], a[mid], a[hi] into a[lo..j) < pivot ≤ a[j..hi]
 * (branchless Lomuto); when fewer than 1/16 fall below, the values equal to the pivot are gathered
 * next (ties settle their ranks: runs of equal values cannot stall it); only the sides holding a
 * wanted rank go on; ranges of at most 24 values are finished by insertion sort. The caller keeps
 * NaN out (trace_sums.c checks).
 */

#define SELECT_SMALL 24

static void select_insertion(double *a, int64_t lo, int64_t hi) {
  for (int64_t i = lo + 1; i <= hi; i++) {
    double v = a[i];
    int64_t j = i - 1;
    while (j >= lo && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

/* ranks[r0..r1) ascending, inside [lo, hi]. */
static void select_range(double *a, int64_t lo, int64_t hi, const int32_t *ranks, size_t r0, size_t r1) {
  while (r0 < r1) {
    if (hi - lo < SELECT_SMALL) {
      select_insertion(a, lo, hi);
      return;
    }
    int64_t mid = lo + ((hi - lo) >> 1);
    double x = a[lo], y = a[mid], z = a[hi];
    double pivot = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
    int64_t j = lo;
    for (int64_t i = lo; i <= hi; i++) {
      double v = a[i];
      a[i] = a[j];
      a[j] = v;
      j += v < pivot;
    }
    int64_t k = j;
    if (j - lo < (hi - lo + 1) >> 4) {
      for (int64_t i = j; i <= hi; i++) {
        double v = a[i];
        a[i] = a[k];
        a[k] = v;
        k += v <= pivot;
      }
    }
    if (k == lo) {
      /* no progress: only a NaN pivot does this, which the caller keeps out; end anyway */
      select_insertion(a, lo, hi);
      return;
    }
    size_t left = r0;
    while (left < r1 && ranks[left] < j) left++;
    size_t right = left;
    while (right < r1 && ranks[right] < k) right++;
    if (left > r0) select_range(a, lo, j - 1, ranks, r0, left);
    lo = k;
    r0 = right;
  }
}
