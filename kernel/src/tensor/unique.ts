/**
 * Counting and searching: unique / unique_consecutive (distinct values or slices, with the inverse
 * map and counts), bincount (occurrences of non-negative ints, optionally weighted), histc (an
 * equal-width histogram, PyTorch's bin formula in the input's precision), searchsorted / bucketize
 * (insertion points in sorted sequences). None of them is differentiable in PyTorch; none records.
 *
 * Deviations: `unique(..., { sorted: false })` returns the sorted result too (PyTorch's CPU
 * order for sorted=False is unspecified).
 */
import { pyArgs } from "../utils/py_args";
import { DType, Tensor, check_tensor } from "./tensor";
import { is_floating, storage_for } from "./dtype";
import { fmt_shape, wrap_dim } from "./shape";
import { movedim } from "./rearrange_more";
import { SCALAR_TYPE_NAME as TORCH_NAME } from "./dtype";


export interface UniqueOptions {
  sorted?: boolean;
  return_inverse?: boolean;
  return_counts?: boolean;
  dim?: number | null;
}

function check_keys(o: object, allowed: readonly string[], op: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new TypeError(`${op}() got an unexpected keyword argument '${k}' (allowed: ${allowed.join(", ")})`);
}

/** Rows of x along `dim` (moved to the front, the rest flattened): [n, width], or x's elements as [numel, 1] when dim is null. */
function rows(x: Tensor, dim: number | null | undefined): { data: ArrayLike<number>; n: number; width: number; d: number | null } {
  if (dim === undefined || dim === null) return { data: x.data, n: x.numel(), width: 1, d: null };
  const d = wrap_dim(dim, x.dim());
  const m = movedim(x.detach(), d, 0);
  const n = x.shape[d];
  return { data: m.data, n, width: n === 0 ? 0 : m.numel() / n, d };
}

function cmp_rows(data: ArrayLike<number>, width: number, a: number, b: number): number {
  for (let k = 0; k < width; k++) {
    const u = data[a * width + k];
    const v = data[b * width + k];
    if (u !== v) {
      if (u !== u) return v !== v ? 0 : 1; // NaN sorts last
      if (v !== v) return -1;
      return u < v ? -1 : 1;
    }
  }
  return 0;
}

function same_rows(data: ArrayLike<number>, width: number, a: number, b: number): boolean {
  for (let k = 0; k < width; k++) if (data[a * width + k] !== data[b * width + k]) return false; // NaN != NaN: kept apart
  return true;
}

/** Groups consecutive equal rows of `order`: the output rows, the inverse and the counts. */
function group(x: Tensor, R: ReturnType<typeof rows>, order: number[], opts: UniqueOptions): Tensor | Tensor[] {
  const { data, width } = R;
  const firsts: number[] = [];
  const counts: number[] = [];
  const inverse = new Float64Array(R.n);
  for (let i = 0; i < order.length; i++) {
    const r = order[i];
    if (i === 0 || !same_rows(data, width, order[i - 1], r)) {
      firsts.push(r);
      counts.push(0);
    }
    counts[counts.length - 1]++;
    inverse[r] = firsts.length - 1;
  }
  const vals = storage_for(x.dtype, firsts.length * width);
  firsts.forEach((r, i) => {
    for (let k = 0; k < width; k++) vals[i * width + k] = data[r * width + k];
  });
  let out: Tensor;
  if (R.d === null) out = new Tensor(vals, [firsts.length], x.dtype);
  else {
    const moved = [firsts.length, ...x.shape.filter((_, k) => k !== R.d)];
    out = movedim(new Tensor(vals, moved, x.dtype), 0, R.d);
  }
  const inv = new Tensor(inverse, R.d === null ? x.shape : [R.n], "int64");
  const cnt = new Tensor(Float64Array.from(counts), [counts.length], "int64");
  if (!opts.return_inverse && !opts.return_counts) return out;
  const res = [out];
  if (opts.return_inverse) res.push(inv);
  if (opts.return_counts) res.push(cnt);
  return res;
}

/**
 * `unique(x, { sorted, return_inverse, return_counts, dim })`: the distinct elements in ascending
 * order (or, with dim, the distinct slices along dim, ordered lexicographically); with
 * return_inverse / return_counts an array [output, inverse?, counts?] as PyTorch's tuple.
 */
export function unique(x: Tensor, options: UniqueOptions & ({ return_inverse: true } | { return_counts: true })): Tensor[];
export function unique(x: Tensor, options?: UniqueOptions): Tensor;
export function unique(x: Tensor, sorted: boolean, return_inverse: true, ...rest: (boolean | number | null | UniqueOptions | undefined)[]): Tensor[];
export function unique(x: Tensor, sorted: boolean, return_inverse: boolean, return_counts: true, ...rest: (number | null | UniqueOptions | undefined)[]): Tensor[];
export function unique(x: Tensor, ...args: (boolean | number | null | UniqueOptions | undefined)[]): Tensor | Tensor[];
export function unique(x: Tensor, ...args: unknown[]): Tensor | Tensor[] {
  check_tensor(x, "unique");
  // PyTorch's positional order too: `unique(v, true, true, true)` (positional flags used to be dropped).
  const options = pyArgs("unique", [["sorted", "boolean"], ["return_inverse", "boolean"], ["return_counts", "boolean"], ["dim", "number?"]], args) as UniqueOptions;
  if (options.dim === undefined || options.dim === null) return unique_flat(x, options);
  const R = rows(x, options.dim);
  const order = Array.from({ length: R.n }, (_, i) => i);
  order.sort((a, b) => cmp_rows(R.data, R.width, a, b) || a - b);
  return group(x, R, order, options);
}

/** unique without dim: a numeric typed-array sort (NaNs last, each its own value), inverse by binary search. */
function unique_flat(x: Tensor, opts: UniqueOptions): Tensor | Tensor[] {
  const sorted = Float64Array.from(x.data).sort();
  let nan = 0;
  while (nan < sorted.length && sorted[sorted.length - 1 - nan] !== sorted[sorted.length - 1 - nan]) nan++;
  const finite = sorted.length - nan;
  const vals: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < finite; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) {
      vals.push(sorted[i]);
      counts.push(0);
    }
    counts[counts.length - 1]++;
  }
  const distinct = vals.length;
  for (let i = 0; i < nan; i++) {
    vals.push(NaN);
    counts.push(1);
  }
  const out_data = storage_for(x.dtype, vals.length);
  out_data.set(vals);
  const out = new Tensor(out_data, [vals.length], x.dtype);
  if (!opts.return_inverse && !opts.return_counts) return out;
  const res = [out];
  if (opts.return_inverse) {
    const inv = new Float64Array(x.numel());
    let next_nan = distinct;
    for (let i = 0; i < inv.length; i++) {
      const v = x.data[i];
      if (v !== v) {
        inv[i] = next_nan++;
        continue;
      }
      let lo = 0;
      let hi = distinct - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (vals[mid] < v) lo = mid + 1;
        else hi = mid;
      }
      inv[i] = lo;
    }
    res.push(new Tensor(inv, x.shape, "int64"));
  }
  if (opts.return_counts) res.push(new Tensor(Float64Array.from(counts), [counts.length], "int64"));
  return res;
}

/**
 * `unique_consecutive(x, { return_inverse, return_counts, dim })`: collapses runs of equal
 * consecutive elements (or slices along dim) into one; an array with inverse / counts when asked.
 */
export function unique_consecutive(x: Tensor, options: Omit<UniqueOptions, "sorted"> & ({ return_inverse: true } | { return_counts: true })): Tensor[];
export function unique_consecutive(x: Tensor, options?: Omit<UniqueOptions, "sorted">): Tensor;
export function unique_consecutive(x: Tensor, return_inverse: true, ...rest: (boolean | number | null | Omit<UniqueOptions, "sorted"> | undefined)[]): Tensor[];
export function unique_consecutive(x: Tensor, return_inverse: boolean, return_counts: true, ...rest: (number | null | Omit<UniqueOptions, "sorted"> | undefined)[]): Tensor[];
export function unique_consecutive(x: Tensor, ...args: (boolean | number | null | Omit<UniqueOptions, "sorted"> | undefined)[]): Tensor | Tensor[];
export function unique_consecutive(x: Tensor, ...args: unknown[]): Tensor | Tensor[] {
  check_tensor(x, "unique_consecutive");
  const options = pyArgs("unique_consecutive", [["return_inverse", "boolean"], ["return_counts", "boolean"], ["dim", "number?"]], args) as UniqueOptions;
  const R = rows(x, options.dim);
  return group(x, R, Array.from({ length: R.n }, (_, i) => i), options);
}

export interface BincountOptions {
  weights?: Tensor | null;
  minlength?: number;
}

/**
 * `bincount(x, weights = null, minlength = 0)` (or `{ weights, minlength }`): out[v] = how often v
 * occurs in the 1-D non-negative int64 x (or the sum of the weights where it does); length
 * max(max(x) + 1, minlength). int64 without weights; with them, the weights' float dtype (float64
 * for integer weights).
 */
export function bincount(x: Tensor, weights?: Tensor | null | BincountOptions, minlength = 0): Tensor {
  check_tensor(x, "bincount");
  let w: Tensor | null | undefined = weights as Tensor | null | undefined;
  if (weights !== null && weights !== undefined && !(weights instanceof Tensor)) {
    check_keys(weights, ["weights", "minlength"], "bincount");
    w = weights.weights;
    minlength = weights.minlength ?? 0;
  }
  if (!Number.isInteger(minlength)) throw new TypeError(`bincount(): argument 'minlength' must be int, not ${minlength}`);
  if (x.dtype === "float32" || x.dtype === "float64") throw new TypeError(`"bincount_cpu" not implemented for '${TORCH_NAME[x.dtype]}'`);
  if (minlength < 0) throw new RangeError("minlength should be >= 0");
  if (x.dim() === 1 && x.numel() === 0) {
    const dt: DType = w instanceof Tensor ? (w.dtype === "float32" ? "float32" : "float64") : "int64";
    return new Tensor(storage_for(dt, minlength), [minlength], dt);
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < x.data.length; i++) {
    lo = Math.min(lo, x.data[i]);
    hi = Math.max(hi, x.data[i]);
  }
  if (x.dim() !== 1 || lo < 0) throw new RangeError("bincount only supports 1-d non-negative integral inputs.");
  if (w !== null && w !== undefined) {
    check_tensor(w, "bincount", "weights");
    if (w.dim() !== 1 || w.numel() !== x.numel()) throw new RangeError("weights should be 1-d and have the same length as input");
  }
  const n = Math.max(hi + 1, minlength);
  const dt: DType = w === null || w === undefined ? "int64" : w.dtype === "float32" ? "float32" : "float64";
  const out = storage_for(dt, n);
  if (w === null || w === undefined) for (let i = 0; i < x.data.length; i++) out[x.data[i]]++;
  else for (let i = 0; i < x.data.length; i++) out[x.data[i]] += w.data[i]; // a Float32Array rounds each sum, as PyTorch's float kernel
  return new Tensor(out, [n], dt);
}

/** A bound as C++ prints it: nan, inf, -inf. */
function num(v: number): string {
  return v !== v ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : String(v);
}

export interface HistcOptions {
  bins?: number;
  min?: number;
  max?: number;
}

/**
 * `histc(x, bins = 100, min = 0, max = 0)` (or `{ bins, min, max }`): counts of x's elements in
 * `bins` equal-width bins over [min, max] (the data's range when min = max = 0; the last bin
 * includes max; elements outside are ignored). Float input only; the result has x's dtype.
 */
export function histc(x: Tensor, bins: number | HistcOptions = 100, min = 0, max = 0): Tensor {
  check_tensor(x, "histc");
  if (typeof bins === "object" && bins !== null) {
    check_keys(bins, ["bins", "min", "max"], "histc");
    min = bins.min ?? 0;
    max = bins.max ?? 0;
    bins = bins.bins ?? 100;
  }
  if (!is_floating(x.dtype)) throw new TypeError(`"histogram_cpu" not implemented for '${TORCH_NAME[x.dtype]}'`);
  if (!Number.isInteger(bins) || bins <= 0) throw new RangeError(`torch.histogram(): bins must be > 0, but got ${bins} for dimension 0`);
  let lo = min;
  let hi = max;
  if (lo === hi && x.numel() > 0) {
    lo = Infinity;
    hi = -Infinity;
    for (let i = 0; i < x.data.length; i++) {
      lo = Math.min(lo, x.data[i]);
      hi = Math.max(hi, x.data[i]);
    }
  }
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) throw new RangeError(`torch.histc: range of [${num(lo)}, ${num(hi)}] is not finite`);
  if (lo > hi) throw new RangeError("torch.histc: max must be larger than min");
  const f32 = x.dtype === "float32";
  const r = f32 ? Math.fround : (v: number) => v;
  const left = r(lo);
  const right = r(hi);
  const width = r(right - left);
  const out = storage_for(x.dtype, bins);
  for (let i = 0; i < x.data.length; i++) {
    const v = x.data[i];
    if (!(v >= left && v <= right)) continue;
    // pos = (v - left) * bins / (right - left), each step in the input's precision, as PyTorch.
    let pos = Math.trunc(r(r(r(v - left) * bins) / width));
    if (pos === bins) pos -= 1;
    out[pos] += 1;
  }
  return new Tensor(out, [bins], x.dtype);
}

export interface SearchsortedOptions {
  out_int32?: boolean;
  right?: boolean;
  side?: "left" | "right" | null;
  sorter?: Tensor | null;
}

/** First index in seq[off .. off + n) (read through `sorter` if given) whose value is >= v (> v when right). */
function bound(seq: ArrayLike<number>, off: number, n: number, sorter: ArrayLike<number> | null, v: number, right: boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = seq[off + (sorter === null ? mid : sorter[off + mid])];
    // NaN in the sequence sorts last; a NaN value goes after everything.
    const before = right ? !(s > v) && !(s !== s) : s < v || (v !== v && s === s);
    if (before) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * `searchsorted(sorted_sequence, values, { right, side, sorter, out_int32 })`: for each value the
 * index where it would be inserted to keep the innermost dim of sorted_sequence sorted (the first
 * such index, or the last with `right: true` / `side: "right"`). A 1-D sequence serves every value;
 * else the leading dims of sequence and values must match. `sorter` gives the order of an unsorted
 * sequence (as argsort would). int64 indices, or int32 with `out_int32: true`.
 */
export function searchsorted(sorted_sequence: Tensor, values: Tensor | number, options: SearchsortedOptions = {}): Tensor {
  check_tensor(sorted_sequence, "searchsorted", "sorted_sequence");
  check_keys(options, ["out_int32", "right", "side", "sorter"], "searchsorted");
  const side = options.side ?? null;
  if (side !== null && side !== "left" && side !== "right") throw new RangeError(`torch.searchsorted(): side can only be 'left' or 'right' but got ${side}`);
  if (side === "left" && options.right === true) throw new RangeError("torch.searchsorted(): side and right can't be set to opposites, got side of left while right was True");
  const right = side === "right" || options.right === true;
  const scalar = !(values instanceof Tensor);
  if (scalar && typeof values !== "number") throw new TypeError(`searchsorted(): argument 'input' must be a Tensor or a number, not ${values === null ? "null" : typeof values}`);
  const vals: Tensor = scalar ? new Tensor(Float64Array.of(values as number), [], "float64") : (values as Tensor);
  const seq = sorted_sequence;
  if (seq.dim() === 0) throw new RangeError("torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension");
  if (seq.dim() > 1 && (vals.dim() !== seq.dim() || seq.shape.slice(0, -1).some((s, i) => s !== vals.shape[i]))) {
    throw new RangeError(`torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match, but we got boundaries tensor ${fmt_shape(seq.shape)} and input value tensor ${fmt_shape(vals.shape)}`);
  }
  const sorter = options.sorter ?? null;
  if (sorter !== null) {
    check_tensor(sorter, "searchsorted", "sorter");
    if (sorter.dtype !== "int64") throw new TypeError(`torch.searchsorted(): sorter must be a tensor of long dtype but got dtype ${TORCH_NAME[sorter.dtype]}`);
    if (sorter.dim() !== seq.dim() || sorter.shape.some((s, i) => s !== seq.shape[i])) {
      throw new RangeError(`torch.searchsorted(): boundary and sorter must have the same size, but got boundary tensor ${fmt_shape(seq.shape)}and got sorter tensor ${fmt_shape(sorter.shape)}`);
    }
    const n = seq.shape[seq.dim() - 1];
    for (let i = 0; i < sorter.data.length; i++) {
      if (sorter.data[i] < 0 || sorter.data[i] >= n) throw new RangeError("torch.searchsorted(): sorter index out of range");
    }
  }
  const n = seq.shape[seq.dim() - 1];
  const rows_seq = seq.numel() / Math.max(n, 1);
  const per_row = seq.dim() === 1 ? vals.numel() : vals.numel() / Math.max(rows_seq, 1);
  const out = new Float64Array(vals.numel());
  for (let i = 0; i < out.length; i++) {
    const row = seq.dim() === 1 ? 0 : Math.floor(i / per_row);
    out[i] = bound(seq.data, row * n, n, sorter === null ? null : sorter.data, vals.data[i], right);
  }
  return new Tensor(out, vals.shape, options.out_int32 === true ? "int32" : "int64");
}

/**
 * `bucketize(input, boundaries, { right, out_int32 })`: for each element the index of its bucket
 * among the sorted 1-D boundaries (searchsorted(boundaries, input); `right` puts values equal to
 * a boundary in the bucket after it).
 */
export function bucketize(input: Tensor | number, boundaries: Tensor, options: { out_int32?: boolean; right?: boolean } = {}): Tensor {
  check_tensor(boundaries, "bucketize", "boundaries");
  check_keys(options, ["out_int32", "right"], "bucketize");
  if (boundaries.dim() !== 1) throw new RangeError(`boundaries tensor must be 1 dimension, but got dim(${boundaries.dim()})`);
  return searchsorted(boundaries, input, { right: options.right ?? false, out_int32: options.out_int32 ?? false });
}
