/**
 * The orderings PyTorch's CPU kernels get from the C++ standard library (GNU libstdc++), redone
 * here so that tied elements land where PyTorch puts them:
 *   - `introsort` is std::sort (quicksort with a median-of-three pivot, heapsort past a depth
 *     limit, insertion sort below 16 elements). PyTorch's unstable sort (which quantile uses)
 *     sorts (value, index) pairs by value only, so which of two equal values comes first, and so
 *     which input position a quantile's gradient reaches, depends on these exact steps.
 *   - `nth_element` is std::nth_element (introselect), which median/nanmedian along a dim use:
 *     with NaNs compared as equals, the index of an all-NaN slice's result depends on it.
 *   - `heap_select` + `sort_heap` are std::partial_sort, which topk uses for small k (sorting.ts).
 * Both permute an array of indices in place with a strict weak order `less(i, j)` over them.
 * Written from the algorithms' description (the same steps, so the same permutation).
 */

export type Less = (i: number, j: number) => boolean;

/** std::__move_median_to_first: puts the median of a, b, c at `result`. */
function median_to_first(v: number[], result: number, a: number, b: number, c: number, less: Less): void {
  let m: number;
  if (less(v[a], v[b])) {
    if (less(v[b], v[c])) m = b;
    else if (less(v[a], v[c])) m = c;
    else m = a;
  } else if (less(v[a], v[c])) m = a;
  else if (less(v[b], v[c])) m = c;
  else m = b;
  swap(v, result, m);
}

function swap(v: number[], i: number, j: number): void {
  const t = v[i];
  v[i] = v[j];
  v[j] = t;
}

/** std::__unguarded_partition around the element at `pivot`; returns the cut. */
function unguarded_partition(v: number[], first: number, last: number, pivot: number, less: Less): number {
  for (;;) {
    while (less(v[first], v[pivot])) first++;
    last--;
    while (less(v[pivot], v[last])) last--;
    if (!(first < last)) return first;
    swap(v, first, last);
    first++;
  }
}

function partition_pivot(v: number[], first: number, last: number, less: Less): number {
  const mid = first + Math.floor((last - first) / 2);
  median_to_first(v, first, first + 1, mid, last - 1, less);
  return unguarded_partition(v, first + 1, last, first, less);
}

/** std::__unguarded_linear_insert. */
function linear_insert(v: number[], last: number, less: Less): void {
  const val = v[last];
  let next = last - 1;
  while (less(val, v[next])) {
    v[last] = v[next];
    last = next;
    next--;
  }
  v[last] = val;
}

/** std::__insertion_sort over [first, last). */
function insertion_sort(v: number[], first: number, last: number, less: Less): void {
  if (first === last) return;
  for (let i = first + 1; i < last; i++) {
    if (less(v[i], v[first])) {
      const val = v[i];
      for (let k = i; k > first; k--) v[k] = v[k - 1];
      v[first] = val;
    } else linear_insert(v, i, less);
  }
}

/** std::__push_heap over the heap at `first`. */
function push_heap(v: number[], first: number, hole: number, top: number, value: number, less: Less): void {
  let parent = Math.floor((hole - 1) / 2);
  while (hole > top && less(v[first + parent], value)) {
    v[first + hole] = v[first + parent];
    hole = parent;
    parent = Math.floor((hole - 1) / 2);
  }
  v[first + hole] = value;
}

/** std::__adjust_heap. */
function adjust_heap(v: number[], first: number, hole: number, len: number, value: number, less: Less): void {
  const top = hole;
  let child = hole;
  while (child < Math.floor((len - 1) / 2)) {
    child = 2 * (child + 1);
    if (less(v[first + child], v[first + child - 1])) child--;
    v[first + hole] = v[first + child];
    hole = child;
  }
  if ((len & 1) === 0 && child === Math.floor((len - 2) / 2)) {
    child = 2 * (child + 1);
    v[first + hole] = v[first + child - 1];
    hole = child - 1;
  }
  push_heap(v, first, hole, top, value, less);
}

function make_heap(v: number[], first: number, last: number, less: Less): void {
  const len = last - first;
  if (len < 2) return;
  for (let parent = Math.floor((len - 2) / 2); ; parent--) {
    adjust_heap(v, first, parent, len, v[first + parent], less);
    if (parent === 0) return;
  }
}

/** std::__pop_heap: moves the top to `result`, re-heaping [first, last). */
function pop_heap(v: number[], first: number, last: number, result: number, less: Less): void {
  const value = v[result];
  v[result] = v[first];
  adjust_heap(v, first, 0, last - first, value, less);
}

/** std::__heap_select: the smallest (middle - first) elements into a heap at first. */
export function heap_select(v: number[], first: number, middle: number, last: number, less: Less): void {
  make_heap(v, first, middle, less);
  for (let i = middle; i < last; i++) if (less(v[i], v[first])) pop_heap(v, first, middle, i, less);
}

/** std::__sort_heap. */
export function sort_heap(v: number[], first: number, last: number, less: Less): void {
  while (last - first > 1) {
    last--;
    pop_heap(v, first, last, last, less);
  }
}

const lg = (n: number): number => 31 - Math.clz32(n);

/** std::nth_element(v.begin(), v.begin() + nth, v.end(), less). */
export function nth_element(v: number[], nth: number, less: Less): void {
  let first = 0;
  let last = v.length;
  if (first === last || nth === last) return;
  let depth = lg(last - first) * 2;
  while (last - first > 3) {
    if (depth === 0) {
      heap_select(v, first, nth + 1, last, less);
      swap(v, first, nth);
      return;
    }
    depth--;
    const cut = partition_pivot(v, first, last, less);
    if (cut <= nth) first = cut;
    else last = cut;
  }
  insertion_sort(v, first, last, less);
}

const THRESHOLD = 16;

function introsort_loop(v: number[], first: number, last: number, depth: number, less: Less): void {
  while (last - first > THRESHOLD) {
    if (depth === 0) {
      // std::__partial_sort(first, last, last): heapsort.
      heap_select(v, first, last, last, less);
      sort_heap(v, first, last, less);
      return;
    }
    depth--;
    const cut = partition_pivot(v, first, last, less);
    introsort_loop(v, cut, last, depth, less);
    last = cut;
  }
}

/** std::sort(v.begin(), v.end(), less). */
export function introsort(v: number[], less: Less): void {
  const n = v.length;
  if (n < 2) return;
  introsort_loop(v, 0, n, lg(n) * 2, less);
  // std::__final_insertion_sort
  if (n > THRESHOLD) {
    insertion_sort(v, 0, THRESHOLD, less);
    for (let i = THRESHOLD; i < n; i++) linear_insert(v, i, less);
  } else insertion_sort(v, 0, n, less);
}
