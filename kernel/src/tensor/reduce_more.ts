/**
 * More reductions with PyTorch's semantics, beyond reduce.ts:
 *   order statistics: median nanmedian (lower median; along a dim with PyTorch's index: the
 *     element of rank (n-1)/2 in (value, index) order, or the first NaN for median), mode (the
 *     most frequent value, the smallest on ties, at its last index), quantile nanquantile (q a
 *     number or a 1-d tensor; interpolation linear, lower, higher, nearest, midpoint);
 *   NaN-ignoring sums: nansum nanmean;  two at once: var_mean std_mean aminmax;
 *   running extrema: cummax cummin (values and indices; ties and NaN move the index forward);
 *   differences: diff (n, dim, prepend, append, built from cat/narrow/sub so autograd is theirs).
 * Gradients: a selected element gets the gradient at its index (median/mode/cummax along a dim),
 * a full median shares it evenly between the elements equal to the result, quantile splits it
 * between the two neighbours it interpolates (1 - w, w), nansum/nanmean skip NaN positions.
 */
import { DType, Tensor, check_tensor } from "./tensor";
import { attach, rename } from "./autograd";
import { is_floating, storage_for, SCALAR_TYPE_NAME } from "./dtype";
import { wrap_dim } from "./shape";
import { ValuesIndices } from "./return_types";
import { Layout, expand_raw, layout, mean, var_args, var_std } from "./reduce";
import type { UnbiasedKeep, VarOptions } from "./reduce";
import { cat, clone } from "./views";
import { narrow } from "./indexing";
import { sub } from "./elementwise";
import { logical_xor } from "./compare";
import { introsort, nth_element } from "./select_order";
import { bump_version, saves } from "./version";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const SELF_AND_OUT = saves("0, out");
const SAVES_SELF = saves("0");
const AMINMAX_MAX_SAVES = saves("0, out@1");

/** PyTorch's named tuple `torch.return_types.aminmax(min=..., max=...)`. */
export class MinMax {
  readonly min: Tensor;
  readonly max: Tensor;
  constructor(min: Tensor, max: Tensor) {
    this.min = min;
    this.max = max;
  }
  get 0(): Tensor {
    return this.min;
  }
  get 1(): Tensor {
    return this.max;
  }
  get length(): number {
    return 2;
  }
  *[Symbol.iterator](): Iterator<Tensor> {
    yield this.min;
    yield this.max;
  }
  toString(): string {
    return `torch.return_types.aminmax(\nmin=${String(this.min)},\nmax=${String(this.max)})`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

export interface DimKeepOptions {
  dim?: number | null;
  keepdim?: boolean;
}

/**
 * (dim, keepdim) given positionally or with an options object in either place: the object (none
 * when both are positional) and the two values. `dim_lists`: an array in `dim` is a dim list.
 */
function split_options(dim: unknown, keepdim: unknown, dim_lists: boolean): { o: Record<string, unknown> | undefined; dim: unknown; keepdim: unknown } {
  if (dim !== null && typeof dim === "object" && !(dim_lists && Array.isArray(dim))) {
    const o = dim as Record<string, unknown>;
    return { o, dim: o.dim, keepdim: o.keepdim };
  }
  if (keepdim !== null && typeof keepdim === "object") {
    const o = keepdim as Record<string, unknown>;
    return { o, dim, keepdim: o.keepdim };
  }
  return { o: undefined, dim, keepdim };
}

/** (dim, keepdim) positionally or as `{ dim, keepdim }` (also mixed), checking the keys. */
function dim_keep(dim: unknown, keepdim: unknown, op: string, allowed: readonly string[] = ["dim", "keepdim"]): { dim: number | null; keepdim: boolean; opts: Record<string, unknown> } {
  const { o, dim: d, keepdim: k } = split_options(dim, keepdim, true);
  const opts = o ?? {};
  const bad = Object.keys(opts).find((key) => !allowed.includes(key));
  if (bad !== undefined) throw new TypeError(`${op}() got an unexpected keyword argument '${bad}' (allowed: ${allowed.join(", ")})`);
  if (d !== undefined && d !== null && !(typeof d === "number" && Number.isInteger(d))) {
    throw new TypeError(`${op}(): argument 'dim' must be int, not ${JSON.stringify(d)}`);
  }
  if (k !== undefined && typeof k !== "boolean") throw new TypeError(`${op}(): argument 'keepdim' must be bool, not ${typeof k}`);
  return { dim: (d as number | null | undefined) ?? null, keepdim: (k as boolean | undefined) ?? false, opts };
}

function finish(vals: ArrayLike<number>, shape: readonly number[], dtype: DType): Tensor {
  const out = storage_for(dtype, vals.length);
  out.set(vals);
  return new Tensor(out, shape, dtype);
}

/** The elements of slice (o, i) of a layout, in order. */
function slice_of(L: Layout, o: number, i: number, buf: Float64Array): Float64Array {
  const { src, size, inner } = L;
  const base = o * size * inner + i;
  for (let k = 0; k < size; k++) buf[k] = src[base + k * inner];
  return buf;
}

/** Indices 0..n-1 of `v` ordered by (value, index), NaN last (a total order, as PyTorch's comparators). */
function order_of(v: Float64Array, n: number): number[] {
  const idx = Array.from({ length: n }, (_, k) => k);
  idx.sort((p, q) => {
    const a = v[p];
    const b = v[q];
    const an = a !== a;
    const bn = b !== b;
    if (an || bn) return an === bn ? p - q : an ? 1 : -1;
    return a < b ? -1 : a > b ? 1 : p - q;
  });
  return idx;
}

/** The gradient of a full reduction that picked `value`: shared evenly between equal elements (NaN: between the NaNs). */
function evenly(x: Tensor, value: number, g: Tensor): Tensor {
  const n = x.data.length;
  const hit = (v: number) => (value !== value ? v !== v : v === value);
  let count = 0;
  for (let k = 0; k < n; k++) if (hit(x.data[k])) count++;
  const gx = storage_for(g.dtype, n);
  const gv = g.data[0] / count;
  for (let k = 0; k < n; k++) if (hit(x.data[k])) gx[k] = gv;
  return new Tensor(gx, x.shape, g.dtype);
}

/** The gradient of a selection along a dim: g goes to the selected index of each slice. */
function select_backward(x: Tensor, L: Layout, idx: Float64Array, g: Tensor): Tensor {
  const { outer, size, inner } = L;
  const gx = storage_for(g.dtype, x.data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const j = o * inner + i;
      gx[o * size * inner + idx[j] * inner + i] += g.data[j];
    }
  }
  return new Tensor(gx, x.shape, g.dtype);
}

/**
 * A selection along `dim` (median, mode): `pick` gives the index it selects in each slice (the
 * slice's values in order); torch.return_types.<op>(values, indices), the gradient going to the
 * selected index (node `node`).
 */
function select_along(x: Tensor, dim: number, keepdim: boolean, op: string, node: string, pick: (v: Float64Array, size: number) => number): ValuesIndices {
  const d = wrap_dim(dim, x.dim());
  const L = layout(x, x.dim() === 0 ? null : d, keepdim);
  if (x.dim() === 0 && keepdim) L.out_shape = [];
  const { outer, size, inner } = L;
  if (size === 0) throw new RangeError(`${op}(): Expected reduction dim ${d} to have non-zero size.`);
  const vals = new Float64Array(outer * inner);
  const idx = new Float64Array(outer * inner);
  const buf = new Float64Array(size);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const v = slice_of(L, o, i, buf);
      const k = pick(v, size);
      vals[o * inner + i] = v[k];
      idx[o * inner + i] = k;
    }
  }
  const values = finish(vals, L.out_shape, x.dtype);
  const indices = finish(idx, L.out_shape, "int64");
  attach(values, node, [x], (g) => [select_backward(x, L, idx, g)]);
  return new ValuesIndices(op, values, indices);
}

function median_impl(x: Tensor, dim: unknown, keepdim: unknown, nan: boolean): Tensor | ValuesIndices {
  const op = nan ? "nanmedian" : "median";
  check_tensor(x, op);
  const a = dim_keep(dim, keepdim, op);
  if (a.dim === null) {
    // The whole tensor: PyTorch's no-dim overload (a value, no index).
    const n = x.data.length;
    const buf = Float64Array.from(x.data);
    let value: number;
    const first_nan = nan ? -1 : buf.findIndex((v) => v !== v);
    if (first_nan >= 0 || n === 0) value = NaN;
    else {
      const valid = nan ? buf.filter((v) => v === v) : buf;
      if (valid.length === 0) value = NaN;
      else {
        const sorted = valid.sort();
        value = sorted[Math.floor((valid.length - 1) / 2)];
      }
    }
    const out = finish([value], [], x.dtype);
    return attach(out, nan ? "NanmedianBackward0" : "MedianBackward0", [x], (g) => [evenly(x, value, g)], true, SELF_AND_OUT);
  }
  return select_along(x, a.dim, a.keepdim, op, nan ? "NanmedianBackward1" : "MedianBackward1", (v, size) => {
    const first_nan = nan ? -1 : v.findIndex((e) => e !== e);
    if (first_nan >= 0) return first_nan;
    let nans = 0;
    if (nan) for (let k = 0; k < size; k++) if (v[k] !== v[k]) nans++;
    // C++'s (n - 1) / 2 truncates toward zero: an all-NaN slice takes rank 0. As PyTorch,
    // std::nth_element over indices ordered by (value, index), NaN last (NaNs tie).
    const rank = Math.trunc((size - nans - 1) / 2);
    const ord = Array.from({ length: size }, (_, k) => k);
    nth_element(ord, rank, (p, q) => v[p] < v[q] || (v[p] === v[q] && p < q) || (v[q] !== v[q] && v[p] === v[p]));
    return ord[rank];
  });
}

/**
 * `median(x)`: the lower median of all elements (NaN if any is NaN); `median(x, dim, keepdim?)`
 * or `median(x, { dim, keepdim })`: torch.return_types.median(values, indices).
 */
export function median(x: Tensor): Tensor;
export function median(x: Tensor, dim: number | (DimKeepOptions & { dim: number }), keepdim?: boolean | DimKeepOptions): ValuesIndices;
export function median(x: Tensor, dim?: number | DimKeepOptions | null, keepdim?: boolean | DimKeepOptions): Tensor | ValuesIndices;
export function median(x: Tensor, dim?: number | DimKeepOptions | null, keepdim?: boolean | DimKeepOptions): Tensor | ValuesIndices {
  return median_impl(x, dim, keepdim, false);
}

/** As median, ignoring NaN (NaN only where a slice is all NaN). */
export function nanmedian(x: Tensor): Tensor;
export function nanmedian(x: Tensor, dim: number | (DimKeepOptions & { dim: number }), keepdim?: boolean | DimKeepOptions): ValuesIndices;
export function nanmedian(x: Tensor, dim?: number | DimKeepOptions | null, keepdim?: boolean | DimKeepOptions): Tensor | ValuesIndices;
export function nanmedian(x: Tensor, dim?: number | DimKeepOptions | null, keepdim?: boolean | DimKeepOptions): Tensor | ValuesIndices {
  return median_impl(x, dim, keepdim, true);
}

/** The most frequent value along `dim` (default -1; the smallest on ties) and its last index: torch.return_types.mode. */
export function mode(x: Tensor, dim?: number | DimKeepOptions, keepdim?: boolean | DimKeepOptions): ValuesIndices {
  check_tensor(x, "mode");
  const a = dim_keep(dim, keepdim, "mode");
  return select_along(x, a.dim ?? -1, a.keepdim, "mode", "ModeBackward0", (v, size) => {
    // The last index of the longest run of equal values in (value, index) order (the first such run: the smallest value).
    const ord = order_of(v, size);
    let best = 0;
    let run = 0;
    let bi = 0;
    for (let k = 0; k < size; k++) {
      run++;
      const cur = v[ord[k]];
      const next = k + 1 < size ? v[ord[k + 1]] : undefined;
      const same = next !== undefined && (next === cur || (next !== next && cur !== cur));
      if (!same) {
        if (run > best) {
          best = run;
          bi = ord[k];
        }
        run = 0;
      }
    }
    return bi;
  });
}

export type Interpolation = "linear" | "lower" | "higher" | "nearest" | "midpoint";

export interface QuantileOptions {
  dim?: number | null;
  keepdim?: boolean;
  interpolation?: Interpolation;
}

/** Round half to even (torch.round). */
function round_even(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function quantile_impl(x: Tensor, q: number | Tensor, dim: unknown, keepdim: unknown, options: QuantileOptions | undefined, nan: boolean): Tensor {
  const op = nan ? "nanquantile" : "quantile";
  check_tensor(x, op);
  const u = split_options(dim, keepdim, false);
  const o = u.o ?? (options as Record<string, unknown> | undefined) ?? {};
  const a = dim_keep({ ...o, dim: u.dim, keepdim: u.keepdim }, undefined, op, ["dim", "keepdim", "interpolation"]);
  const interp = (o.interpolation ?? "linear") as string;
  if (!["linear", "lower", "higher", "midpoint", "nearest"].includes(interp)) {
    throw new RangeError(`${op}() interpolation must be one of linear, lower, higher, midpoint or nearest, but got ${interp}`);
  }
  if (x.data.length === 0) throw new RangeError(`${op}() input tensor must be non-empty`);
  if (!is_floating(x.dtype)) throw new TypeError(`${op}() input tensor must be either float or double dtype`);
  let qs: number[];
  let q_dim = false;
  if (q instanceof Tensor) {
    if (q.dim() > 1) throw new RangeError(`${op}() q must be a scalar or 1D tensor`);
    if (q.dtype !== x.dtype) throw new TypeError(`${op}() q tensor must be same dtype as the input tensor`);
    qs = Array.from(q.data);
    q_dim = q.dim() === 1;
  } else if (typeof q === "number") qs = [q];
  else throw new TypeError(`${op}(): argument 'q' must be a number or a Tensor, not ${q === null ? "null" : typeof q}`);
  if (qs.some((v) => !(v >= 0 && v <= 1))) {
    throw new RangeError(q instanceof Tensor ? `${op}() q values must be in the range [0, 1]` : `${op}() q must be in the range [0, 1] but got ${q}`);
  }
  const f32 = x.dtype === "float32";
  const rnd = (v: number) => (f32 ? Math.fround(v) : v);
  const L = a.dim === null ? layout(x, null, a.keepdim) : layout(x, x.dim() === 0 ? null : wrap_dim(a.dim, x.dim()), a.keepdim);
  if (x.dim() === 0) L.out_shape = [];
  const { outer, size, inner } = L;
  const m = outer * inner;
  const nq = qs.length;
  const vals = new Float64Array(nq * m);
  // Per output element: the two input positions (flat, in the layout's order) and the weight of the upper one.
  const lo_at = new Float64Array(nq * m);
  const hi_at = new Float64Array(nq * m);
  const wts = new Float64Array(nq * m);
  const dq = new Float64Array(nq * m);
  const buf = new Float64Array(size);
  for (let oo = 0; oo < outer; oo++) {
    for (let i = 0; i < inner; i++) {
      const v = slice_of(L, oo, i, buf);
      // As PyTorch's (unstable) sort: std::sort of (value, index) pairs by value, NaN last.
      const ord = Array.from({ length: size }, (_, k) => k);
      introsort(ord, (p, r) => (v[p] === v[p] && v[r] !== v[r]) || v[p] < v[r]);
      let valid = 0;
      for (let k = 0; k < size; k++) if (v[k] === v[k]) valid++;
      for (let qi = 0; qi < nq; qi++) {
        // As PyTorch: rank = q (n - 1) in the input's dtype; a NaN makes quantile take the last
        // (NaN) element, an all-NaN slice makes nanquantile take the first.
        const raw = rnd(rnd(qs[qi]) * ((nan ? valid : size) - 1));
        const fixed = nan ? raw < 0 : valid < size;
        let rank = fixed ? (nan ? 0 : size - 1) : raw;
        if (interp === "lower") rank = Math.floor(rank);
        else if (interp === "higher") rank = Math.ceil(rank);
        else if (interp === "nearest") rank = round_even(rank);
        const below = Math.floor(rank);
        const above = Math.ceil(rank);
        const w = interp === "midpoint" ? 0.5 : interp === "linear" ? rnd(rank - below) : 0;
        const vb = v[ord[below]];
        const va = v[ord[above]];
        const j = qi * m + oo * inner + i;
        // torch.lerp's two-sided formula (exact at both ends).
        vals[j] = w === 0 ? vb : w < 0.5 ? vb + w * (va - vb) : va - (va - vb) * (1 - w);
        lo_at[j] = oo * size * inner + ord[below] * inner + i;
        hi_at[j] = oo * size * inner + ord[above] * inner + i;
        wts[j] = w;
        // d out / d q = (above - below) (n - 1) where the rank follows q (linear only).
        dq[j] = interp === "linear" && !fixed ? (va - vb) * ((nan ? valid : size) - 1) : 0;
      }
    }
  }
  const shape = q_dim ? [nq, ...L.out_shape] : L.out_shape;
  const out = finish(vals, shape, x.dtype);
  // (PyTorch's result comes out of in-place reshaping ops: version 2, 4 with a tensor of q's)
  bump_version(out, q_dim ? 4 : 2);
  const q_in = q instanceof Tensor ? q : null;
  return attach(out, "SqueezeBackward4", [x, q_in], (g, need) => {
    let gx: Tensor | null = null;
    if (need[0]) {
      const gl = new Float64Array(L.src.length);
      for (let j = 0; j < nq * m; j++) {
        gl[lo_at[j]] += g.data[j] * (1 - wts[j]);
        gl[hi_at[j]] += g.data[j] * wts[j];
      }
      // One dim or all: the layout's order is the input's.
      gx = finish(gl, x.shape, g.dtype);
    }
    let gq: Tensor | null = null;
    // Only linear interpolation connects q to the result (the other modes round the rank).
    if (need[1] && q_in !== null && interp === "linear") {
      const acc = new Float64Array(nq);
      for (let j = 0; j < nq * m; j++) acc[Math.floor(j / m)] += g.data[j] * dq[j];
      gq = finish(acc, q_in.shape, q_in.dtype);
    }
    return [gx, gq];
  });
}

/**
 * The q-th quantiles (q a number or 1-d tensor in [0, 1]) over all elements or along `dim`,
 * interpolating between the two nearest ranks (`interpolation`: linear | lower | higher |
 * nearest | midpoint); a tensor q adds a leading dim. NaN in a slice gives NaN.
 */
export function quantile(x: Tensor, q: number | Tensor, dim?: number | null | QuantileOptions, keepdim?: boolean | QuantileOptions, options?: QuantileOptions): Tensor {
  return quantile_impl(x, q, dim, keepdim, options, false);
}

/** As quantile, ignoring NaN (NaN only where a slice is all NaN). */
export function nanquantile(x: Tensor, q: number | Tensor, dim?: number | null | QuantileOptions, keepdim?: boolean | QuantileOptions, options?: QuantileOptions): Tensor {
  return quantile_impl(x, q, dim, keepdim, options, true);
}

export interface NanReduceOptions {
  dim?: number | readonly number[] | null;
  keepdim?: boolean;
  dtype?: DType;
}

function nan_args(dim: unknown, keepdim: unknown, op: string): { dim: number | readonly number[] | null; keepdim: boolean; dtype: DType | undefined } {
  const u = split_options(dim, keepdim, true);
  const o = u.o ?? {};
  const bad = Object.keys(o).find((k) => !["dim", "keepdim", "dtype"].includes(k));
  if (bad !== undefined) throw new TypeError(`${op}() got an unexpected keyword argument '${bad}' (allowed: dim, keepdim, dtype)`);
  return { dim: (u.dim as number | number[] | null | undefined) ?? null, keepdim: (u.keepdim as boolean | undefined) ?? false, dtype: o.dtype as DType | undefined };
}

/** Sums (and counts) of the non-NaN elements of each slice. */
function nan_sums(L: Layout): { sums: Float64Array; counts: Float64Array } {
  const { src, outer, size, inner } = L;
  const sums = new Float64Array(outer * inner);
  const counts = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < size; k++) {
      const b = o * size * inner + k * inner;
      for (let i = 0; i < inner; i++) {
        const v = src[b + i];
        if (v === v) {
          sums[o * inner + i] += v;
          counts[o * inner + i]++;
        }
      }
    }
  }
  return { sums, counts };
}

/** g (shaped like the kept result) broadcast to x, times 1/count, and 0 at x's NaNs. */
function nan_grad(x: Tensor, L: Layout, g: Tensor, counts: Float64Array | null): Tensor {
  let gk = g;
  if (counts !== null) {
    gk = finish(g.data, g.shape, "float64");
    for (let j = 0; j < gk.data.length; j++) gk.data[j] /= counts[j];
  }
  const e = expand_raw(gk, L.keep_shape, x.shape, g.dtype);
  // PyTorch multiplies by the not-NaN mask: an infinite gradient (a mean over no elements) gives NaN there.
  for (let k = 0; k < e.data.length; k++) if (x.data[k] !== x.data[k]) e.data[k] *= 0;
  return e;
}

/** Sum treating NaN as zero, over all elements or `dim` (a dim or list), with `keepdim` and `dtype`. */
export function nansum(x: Tensor, dim?: number | readonly number[] | null | NanReduceOptions, keepdim?: boolean | NanReduceOptions): Tensor {
  check_tensor(x, "nansum");
  const a = nan_args(dim, keepdim, "nansum");
  const L = layout(x, a.dim, a.keepdim);
  const { sums } = nan_sums(L);
  const out = finish(sums, L.out_shape, a.dtype ?? (is_floating(x.dtype) ? x.dtype : "int64"));
  return attach(out, "NansumBackward0", [x], (g) => [nan_grad(x, L, g, null)], true, SAVES_SELF);
}

/** Mean of the non-NaN elements (NaN where there are none); floats only. */
export function nanmean(x: Tensor, dim?: number | readonly number[] | null | NanReduceOptions, keepdim?: boolean | NanReduceOptions): Tensor {
  check_tensor(x, "nanmean");
  const a = nan_args(dim, keepdim, "nanmean");
  const dtype = a.dtype ?? x.dtype;
  if (!is_floating(dtype)) {
    throw new TypeError(`nanmean(): expected input to have floating point or complex dtype but got ${SCALAR_TYPE_NAME[dtype]}`);
  }
  const L = layout(x, a.dim, a.keepdim);
  const { sums, counts } = nan_sums(L);
  for (let j = 0; j < sums.length; j++) sums[j] /= counts[j];
  const out = finish(sums, L.out_shape, dtype);
  return attach(out, "DivBackward0", [x], (g) => [nan_grad(x, L, g, counts)], true, SAVES_SELF);
}

/** [var, mean] in one call (a tuple), with var's overloads: `(unbiased)`, `(dim, unbiased, keepdim?)`, `(dim?, { correction | unbiased, keepdim })`. */
export function var_mean(x: Tensor, unbiased: boolean): [Tensor, Tensor];
export function var_mean(x: Tensor, dim: number | readonly number[] | null | undefined, unbiased: boolean, keepdim?: UnbiasedKeep): [Tensor, Tensor];
export function var_mean(x: Tensor, dim?: number | readonly number[] | null | VarOptions, options?: VarOptions): [Tensor, Tensor];
export function var_mean(x: Tensor, dim?: unknown, options?: unknown, keepdim?: unknown, ...extra: unknown[]): [Tensor, Tensor] {
  check_tensor(x, "var_mean");
  const v = var_std(x, dim, options, keepdim, false, "var_mean", extra);
  const a = var_args(dim, options, keepdim, "var_mean");
  return [rename(v, "VarMeanBackward0"), rename(mean(x, a.dim, a.keepdim), "VarMeanBackward0")];
}

/** [std, mean] in one call (a tuple), with std's overloads: `(unbiased)`, `(dim, unbiased, keepdim?)`, `(dim?, { correction | unbiased, keepdim })`. */
export function std_mean(x: Tensor, unbiased: boolean): [Tensor, Tensor];
export function std_mean(x: Tensor, dim: number | readonly number[] | null | undefined, unbiased: boolean, keepdim?: UnbiasedKeep): [Tensor, Tensor];
export function std_mean(x: Tensor, dim?: number | readonly number[] | null | VarOptions, options?: VarOptions): [Tensor, Tensor];
export function std_mean(x: Tensor, dim?: unknown, options?: unknown, keepdim?: unknown, ...extra: unknown[]): [Tensor, Tensor] {
  check_tensor(x, "std_mean");
  const s = var_std(x, dim, options, keepdim, true, "std_mean", extra);
  const a = var_args(dim, options, keepdim, "std_mean");
  return [rename(s, "StdMeanBackward0"), rename(mean(x, a.dim, a.keepdim), "StdMeanBackward0")];
}

/** The min and max over all elements or along `dim` (keyword-only in PyTorch): torch.return_types.aminmax(min, max). */
export function aminmax(x: Tensor, options?: DimKeepOptions): MinMax {
  check_tensor(x, "aminmax");
  const a = dim_keep(options ?? {}, undefined, "aminmax");
  const L = layout(x, a.dim === null ? null : x.dim() === 0 ? null : wrap_dim(a.dim, x.dim()), a.keepdim);
  if (L.size === 0) {
    throw new RangeError(
      a.dim === null
        ? "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity."
        : `aminmax(): Expected reduction dim ${a.dim} to have non-zero size.`,
    );
  }
  const { src, outer, size, inner } = L;
  const lo = new Float64Array(outer * inner);
  const hi = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let mn = Infinity;
      let mx = -Infinity;
      for (let k = 0; k < size; k++) {
        const v = src[o * size * inner + k * inner + i];
        // NaN wins, as amin/amax.
        if (v !== v || v < mn) mn = mn !== mn ? mn : v;
        if (v !== v || v > mx) mx = mx !== mx ? mx : v;
      }
      lo[o * inner + i] = mn;
      hi[o * inner + i] = mx;
    }
  }
  const out_shape = x.dim() === 0 ? [] : L.out_shape;
  // As PyTorch's: g / count * (x == result) per slice, so a NaN result (count 0) gives NaN over its slice.
  const grad = (vals: Float64Array) => (g: Tensor): Tensor[] => {
    const gx = storage_for(g.dtype, src.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const j = o * inner + i;
        let count = 0;
        for (let k = 0; k < size; k++) if (src[o * size * inner + k * inner + i] === vals[j]) count++;
        const share = g.data[j] / count;
        for (let k = 0; k < size; k++) {
          const at = o * size * inner + k * inner + i;
          gx[at] = src[at] === vals[j] ? share : share * 0;
        }
      }
    }
    return [new Tensor(gx, x.shape, g.dtype)];
  };
  const mn = attach(finish(lo, out_shape, x.dtype), "AminmaxBackward0", [x], grad(lo), true, SELF_AND_OUT);
  const mx = attach(finish(hi, out_shape, x.dtype), "AminmaxBackward0", [x], grad(hi), true, AMINMAX_MAX_SAVES);
  return new MinMax(mn, mx);
}

function cum_extreme(x: Tensor, dim: unknown, max: boolean): ValuesIndices {
  const op = max ? "cummax" : "cummin";
  check_tensor(x, op);
  let d = dim;
  if (d !== null && typeof d === "object" && !Array.isArray(d)) {
    const bad = Object.keys(d).find((k) => k !== "dim");
    if (bad !== undefined) throw new TypeError(`${op}() got an unexpected keyword argument '${bad}' (allowed: dim)`);
    d = (d as { dim?: number }).dim;
  }
  if (typeof d !== "number" || !Number.isInteger(d)) throw new TypeError(`${op}() missing required argument 'dim' (an int), got ${JSON.stringify(d)}`);
  const L = layout(x, x.dim() === 0 ? null : wrap_dim(d, x.dim()), true);
  if (x.dim() === 0) wrap_dim(d, 0);
  const { src, outer, size, inner } = L;
  const vals = storage_for(x.dtype, src.length);
  const idx = new Float64Array(src.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = 0;
      let bi = 0;
      for (let k = 0; k < size; k++) {
        const at = o * size * inner + k * inner + i;
        const v = src[at];
        // As PyTorch: ties and every NaN move the index forward; once NaN, the value stays NaN.
        if (k === 0 || v !== v || (best === best && (max ? v >= best : v <= best))) {
          best = v;
          bi = k;
        }
        vals[at] = best;
        idx[at] = bi;
      }
    }
  }
  const values = new Tensor(vals, x.shape, x.dtype);
  const indices = new Tensor(idx, x.shape, "int64");
  attach(values, max ? "CummaxBackward0" : "CumminBackward0", [x], (g) => {
    const gx = storage_for(g.dtype, src.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        for (let k = 0; k < size; k++) {
          const at = o * size * inner + k * inner + i;
          gx[o * size * inner + idx[at] * inner + i] += g.data[at];
        }
      }
    }
    return [new Tensor(gx, x.shape, g.dtype)];
  }, true, SAVES_SELF);
  return new ValuesIndices(op, values, indices);
}

/** Running maximum along `dim` and the index where it was taken: torch.return_types.cummax. */
export function cummax(x: Tensor, dim: number | { dim: number }): ValuesIndices {
  return cum_extreme(x, dim, true);
}

/** Running minimum along `dim` and the index where it was taken: torch.return_types.cummin. */
export function cummin(x: Tensor, dim: number | { dim: number }): ValuesIndices {
  return cum_extreme(x, dim, false);
}

export interface DiffOptions {
  n?: number;
  dim?: number;
  prepend?: Tensor | null;
  append?: Tensor | null;
}

/**
 * The n-th forward difference along `dim` (default -1): out[i] = x[i+1] - x[i], repeated n times
 * (bool: x[i+1] xor x[i]), after concatenating `prepend` and `append` along dim.
 */
export function diff(x: Tensor, n?: number | DiffOptions, dim?: number, prepend?: Tensor | null, append?: Tensor | null): Tensor {
  check_tensor(x, "diff");
  if (n !== null && typeof n === "object") {
    const bad = Object.keys(n).find((k) => !["n", "dim", "prepend", "append"].includes(k));
    if (bad !== undefined) throw new TypeError(`diff() got an unexpected keyword argument '${bad}' (allowed: n, dim, prepend, append)`);
    ({ n, dim, prepend, append } = n);
  }
  const order = n ?? 1;
  if (typeof order !== "number" || !Number.isInteger(order)) throw new TypeError(`diff(): argument 'n' must be int, not ${JSON.stringify(order)}`);
  if (x.dim() === 0) throw new RangeError("diff expects input to be at least one-dimensional");
  if (order < 0) throw new RangeError(`order must be non-negative but got ${order}`);
  const d = wrap_dim(dim ?? -1, x.dim());
  for (const [name, t] of [["prepend", prepend], ["append", append]] as const) {
    if (t === undefined || t === null) continue;
    check_tensor(t, "diff", name);
    if (t.dim() !== x.dim()) throw new RangeError("diff expects prepend or append to be the same dimension as input");
  }
  let cur = x;
  if ((prepend ?? null) !== null || (append ?? null) !== null) {
    cur = cat([...(prepend ? [prepend] : []), x, ...(append ? [append] : [])], d);
  }
  // n = 0: a copy, as PyTorch's (CopyBackwards).
  if (order === 0) return rename(clone(cur), "CopyBackwards");
  for (let k = 0; k < order; k++) {
    const len = cur.shape[d];
    if (len === 0) break;
    const hi = narrow(cur, d, 1, len - 1);
    const lo = narrow(cur, d, 0, len - 1);
    cur = cur.dtype === "bool" ? logical_xor(hi, lo) : sub(hi, lo);
  }
  return cur;
}
