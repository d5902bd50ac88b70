/**
 * Sorting along a dim: sort (values and indices), argsort, topk. Unstable (the default, as in
 * PyTorch) is std::sort over (value, index) pairs compared by value, so tied values come out in
 * PyTorch's order (checked against PyTorch 2.13 for sizes 5 to 5000 with ties and NaNs: a stable
 * order differed from 16 tied elements on); `stable: true` keeps ties in their input order. The gradient of the
 * values goes back to the positions they came from (a scatter by the indices). NaN sorts as the
 * largest value, as in PyTorch.
 *
 * topk picks among tied values as PyTorch's CPU kernel (TopKImpl.h) does, so the same indices (and
 * the gradient reaches the same elements): the (value, index) pairs in index order, then
 * std::partial_sort of the first k when k * 64 <= n, else std::nth_element at k - 1 followed (when
 * `sorted`) by std::sort of the first k - 1, all with a comparator that looks at values only
 * (libstdc++'s algorithms, select_order.ts).
 */
import { Tensor, check_tensor } from "./tensor";
import { attach } from "./autograd";
import { storage_for } from "./dtype";
import { layout } from "./reduce";
import { ValuesIndices } from "./return_types";
import { wrap_dim } from "./shape";
import { heap_select, introsort, nth_element, sort_heap } from "./select_order";
import { pyArgs } from "../utils/py_args";
import { RuntimeRangeError } from "../errors";

function check(x: Tensor, op: string): void {
  check_tensor(x, op);
}

/** Puts a slice's positions (`order`, 0..size-1) in the order the op returns them, given `less(p, q)` on values. */
type Arrange = (order: number[], at: (p: number) => number) => void;

/** Orders each slice along dim, keeping the first `k` (all when k is undefined); `arrange` replaces the stable sort (topk). */
function ordered(x: Tensor, dim: number, descending: boolean, k: number | undefined, name: string, op: string, arrange?: Arrange): ValuesIndices {
  const d = x.dim() === 0 ? 0 : wrap_dim(dim, x.dim());
  const L = layout(x, x.dim() === 0 ? null : d, true);
  const { src, outer, size, inner } = L;
  const kk = k ?? size;
  const shape = [...x.shape];
  if (shape.length > 0) shape[d] = kk;
  const vals = storage_for(x.dtype, outer * kk * inner);
  const idx = new Float64Array(outer * kk * inner);
  const order = new Array<number>(size);
  // NaN is the largest value; ties keep their original order (stable sort).
  const key = (v: number) => (v !== v ? Infinity : v);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      for (let j = 0; j < size; j++) order[j] = j;
      if (arrange !== undefined) arrange(order, (p) => src[base + p * inner]);
      else order.sort((p, q) => {
        const a = src[base + p * inner];
        const b = src[base + q * inner];
        const an = a !== a;
        const bn = b !== b;
        if (an || bn) return an === bn ? p - q : (an ? 1 : -1) * (descending ? -1 : 1);
        const c = descending ? key(b) - key(a) : key(a) - key(b);
        return c !== 0 ? c : p - q;
      });
      for (let j = 0; j < kk; j++) {
        const at = o * kk * inner + j * inner + i;
        vals[at] = src[base + order[j] * inner];
        idx[at] = order[j];
      }
    }
  }
  const values = new Tensor(vals, shape, x.dtype);
  const indices = new Tensor(idx, shape, "int64");
  attach(values, name, [x], (g) => {
    const gx = storage_for(g.dtype, x.data.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        for (let j = 0; j < kk; j++) {
          const at = o * kk * inner + j * inner + i;
          gx[o * size * inner + idx[at] * inner + i] += g.data[at];
        }
      }
    }
    return [new Tensor(gx, x.shape, g.dtype)];
  });
  return new ValuesIndices(op, values, indices);
}

export interface SortOptions {
  dim?: number;
  /** numpy's name for `dim`, which PyTorch accepts too. */
  axis?: number;
  descending?: boolean;
  stable?: boolean;
}

/**
 * `sort(x, dim = -1, descending = false, stable = false)` or `sort(x, { dim, descending, stable })`,
 * or mixed (`sort(x, 1, { descending: true })`): { values, indices }. The trailing object holds
 * PyTorch's keywords (also its numpy alias `axis`); an object in a boolean slot or an unknown key
 * is an error (it used to count as `true`: `sort(x, 1, { descending: false })` sorted descending).
 */
export function sort(x: Tensor, dim?: number | SortOptions, descending?: boolean | SortOptions, stable?: boolean | SortOptions): ValuesIndices {
  return sortWith("sort", x, dim, descending, stable);
}

function sortWith(op: string, x: Tensor, dim: unknown, descending: unknown, stable: unknown): ValuesIndices {
  check(x, op);
  const a = pyArgs(op, [["dim", "number"], ["descending", "boolean"], ["stable", "boolean"]], [dim, descending, stable], [], true);
  const d = (a.dim as number | undefined) ?? -1;
  if (!Number.isInteger(d)) throw new TypeError(`${op}(): argument 'dim' must be int, not ${d}`);
  const desc = (a.descending as boolean | undefined) ?? false;
  const st = (a.stable as boolean | undefined) ?? false;
  return ordered(x, d, desc, undefined, "SortBackward0", "sort", st ? undefined : unstableOrder(desc));
}

/**
 * PyTorch's unstable sort (its CPU kernel): std::sort of the positions with a comparator on values
 * only, NaN the largest (first when descending).
 */
function unstableOrder(descending: boolean): Arrange {
  return (order, at) => introsort(order, valueLess(descending, at));
}

/**
 * PyTorch's CPU comparator on values only (ties compare equal): p before q when its value is
 * larger (`first_largest`, NaN first) or smaller (NaN last). sort's and topk's.
 */
function valueLess(firstLargest: boolean, at: (p: number) => number): (p: number, q: number) => boolean {
  return firstLargest
    ? (p, q) => {
        const a = at(p), b = at(q);
        return a > b || (a !== a && b === b);
      }
    : (p, q) => {
        const a = at(p), b = at(q);
        return a < b || (b !== b && a === a);
      };
}

export function argsort(x: Tensor, dim?: number | SortOptions, descending?: boolean | SortOptions, stable?: boolean | SortOptions): Tensor {
  return sortWith("argsort", x, dim, descending, stable).indices;
}

export interface TopkOptions {
  dim?: number;
  /** numpy's name for `dim`, which PyTorch accepts too. */
  axis?: number;
  largest?: boolean;
  sorted?: boolean;
}

/**
 * The k largest (or smallest, `largest: false`) elements along dim: torch.return_types.topk(values,
 * indices), sorted unless `sorted: false` (then in PyTorch's selection order). `topk(x, k, dim = -1,
 * largest = true, sorted = true)` or `topk(x, k, { dim, largest, sorted })`.
 */
export function topk(x: Tensor, k: number, dim?: number | TopkOptions, largest?: boolean | TopkOptions, sorted?: boolean | TopkOptions): ValuesIndices {
  check(x, "topk");
  // An object in a boolean slot used to count as true (`topk(x, 2, 1, { largest: false })` gave the largest).
  const a = pyArgs("topk", [["dim", "number"], ["largest", "boolean"], ["sorted", "boolean"]], [dim, largest, sorted], [], true);
  return topkWith(x, k, (a.dim as number | undefined) ?? -1, (a.largest as boolean | undefined) ?? true, (a.sorted as boolean | undefined) ?? true);
}

function topkWith(x: Tensor, k: number, dim: number, largest: boolean, sorted: boolean): ValuesIndices {
  if (!Number.isInteger(dim)) throw new TypeError(`topk(): argument 'dim' must be int, not ${dim}`);
  const d = x.dim() === 0 ? 0 : wrap_dim(dim, x.dim());
  const size = x.dim() === 0 ? 1 : x.shape[d];
  if (!Number.isInteger(k) || k < 0 || k > size) throw RuntimeRangeError(`selected index k out of range (k = ${k}, size of dim ${d} = ${size})`);
  const big = largest;
  const keep_sorted = sorted;
  const arrange: Arrange = (order, at) => {
    if (k === 0) return;
    // PyTorch's comparator: a before b when a > b (largest; < for smallest), NaN before numbers
    // for largest and after them for smallest; ties compare as equal.
    const less = valueLess(big, at);
    if (k * 64 <= order.length) {
      // std::partial_sort(first, first + k, last)
      heap_select(order, 0, k, order.length, less);
      sort_heap(order, 0, k, less);
    } else {
      nth_element(order, k - 1, less);
      if (keep_sorted && k > 2) {
        const head = order.slice(0, k - 1);
        introsort(head, less);
        for (let j = 0; j < k - 1; j++) order[j] = head[j];
      }
    }
  };
  return ordered(x, d, largest, k, "TopkBackward0", "topk", arrange);
}
