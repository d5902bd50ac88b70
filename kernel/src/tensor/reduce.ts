/**
 * Reductions: sum mean prod var std norm logsumexp amax amin max min argmax argmin, over all
 * elements or along `dim` (a number or a list of dims), with `keepdim`.
 *
 * Layout: a reduction over one dim d views the input as [outer, size, inner] (no copy); over
 * several dims the input is first permuted so the reduced dims come last ([outer, size, 1]).
 * Sums accumulate in float64 and are rounded once on store.
 *
 * Gradients: sum -> g broadcast back; mean -> g / N; prod -> g * (product of the other elements,
 * from prefix and suffix products, so zeros are handled); var -> g * 2 (x - mean) / (N - correction);
 * std -> g (x - mean) / ((N - correction) std), 0 where std = 0; norm_p -> g x |x|^(p-2) / norm^(p-1),
 * 0 at x = 0 for p < 1 (as PyTorch's norm_backward masks it);
 * logsumexp -> g exp(x - lse); max/min without dim -> g shared evenly between the tied extrema;
 * max/min with dim -> g at the returned index.
 */
import { DType, Storage, Tensor, check_tensor } from "./tensor";
import { attach } from "./autograd";
import { SCALAR_TYPE_NAME, coerce_storage, is_floating, is_small_int, storage_for } from "./dtype";
import { contiguous_strides, strided_copy, wrap_dim } from "./shape";
import { permute_raw } from "./views";
import { maximum, minimum } from "./elementwise";
import { ValuesIndices } from "./return_types";
import { checkKeywords, numpyKeywords, pyArgs } from "../utils/py_args";
import { saves } from "./version";
import { RuntimeError, RuntimeRangeError, RuntimeTypeError } from "../errors";
import { wasm_exp_shifted } from "./transcendental_ops";
import { transcendental_wasm_for } from "./wasm/transcendental";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const SAVES_SELF = saves("0");
const SELF_AND_OUT = saves("0, out");

export { ValuesIndices };

export interface ReduceOptions {
  dim?: number | readonly number[] | null;
  keepdim?: boolean;
  /** numpy's name for `dim`, which PyTorch accepts too (not together with `dim`). */
  axis?: number | readonly number[] | null;
  /** numpy's name for `keepdim`, which PyTorch accepts too. */
  keepdims?: boolean;
  dtype?: DType;
}

export type DimArg = number | readonly number[] | null | undefined | ReduceOptions;
export type KeepArg = boolean | ReduceOptions | undefined;

/**
 * Parses PyTorch's (dim=None, keepdim=False, *, dtype=None) in positional or options-object form.
 * The options object takes `allowed` keys only (an unknown key is an error, never ignored), with
 * PyTorch's numpy aliases `axis` / `keepdims`; `op` names the function in errors.
 */
export function reduce_args(dim: DimArg, keepdim: KeepArg, op = "sum", allowed: readonly string[] = ["dim", "keepdim", "dtype"]): { dim: number | readonly number[] | null; keepdim: boolean; opts: ReduceOptions } {
  let opts: ReduceOptions = {};
  let d: number | readonly number[] | null = null;
  let k: unknown = false;
  const keywords = (o: object): ReduceOptions => {
    const kw = numpyKeywords(op, o as Record<string, unknown>);
    checkKeywords(op, kw, allowed);
    return kw as ReduceOptions;
  };
  if (dim !== null && typeof dim === "object" && !Array.isArray(dim)) {
    // (false is a wrapper's default for the keepdim slot, not a value given)
    if (keepdim !== undefined && keepdim !== false) throw new TypeError(`${op}(): the options object must be the last argument, got ${typeof keepdim} after it`);
    opts = keywords(dim);
    d = opts.dim ?? null;
    k = opts.keepdim ?? false;
  } else {
    d = (dim as number | readonly number[] | null | undefined) ?? null;
    if (typeof keepdim === "object" && keepdim !== null) {
      opts = keywords(keepdim);
      if (opts.dim !== undefined) throw new TypeError(`${op}() got multiple values for argument 'dim'`);
      k = opts.keepdim ?? false;
    } else k = keepdim ?? false;
  }
  if (typeof k !== "boolean") throw new TypeError(`${op}(): argument 'keepdim' must be bool, not ${k === null ? "None" : typeof k}`);
  return { dim: d, keepdim: k, opts };
}

/** PyTorch's (dim, keepdim) for an op that reduces one dim, as a trailing options object. */
export interface DimOptions {
  dim?: number | null;
  keepdim?: boolean;
  /** numpy's name for `dim`, which PyTorch accepts too (not together with `dim`). */
  axis?: number | null;
  /** numpy's name for `keepdim`, which PyTorch accepts too. */
  keepdims?: boolean;
}

/** The same for an op that reduces one dim or several (logsumexp, amax, amin). */
export interface DimsOptions {
  dim?: number | readonly number[] | null;
  keepdim?: boolean;
  /** numpy's name for `dim`, which PyTorch accepts too (not together with `dim`). */
  axis?: number | readonly number[] | null;
  /** numpy's name for `keepdim`, which PyTorch accepts too. */
  keepdims?: boolean;
}

/**
 * (dim, keepdim) positionally (`max(x, 1, true)`), as Python's keywords (`max(x, { dim: 1,
 * keepdim: true })`), or mixed (`max(x, 1, { keepdim: true })`), as sum and mean take them.
 * `one` ops (max, min, argmax, argmin) take a single int dim, as PyTorch's.
 */
function dim_args(dim: unknown, keepdim: unknown, op: string, one: boolean): { dim: number | readonly number[] | null; keepdim: boolean } {
  const a = reduce_args(dim as DimArg, keepdim as KeepArg, op, ["dim", "keepdim"]);
  const d = a.dim;
  if (d !== null && !(typeof d === "number" && Number.isInteger(d)) && !(Array.isArray(d) && !one)) {
    throw new TypeError(`${op}(): argument 'dim' must be ${one ? "an int" : "an int or a list of ints"}, not ${JSON.stringify(d)}`);
  }
  return { dim: d, keepdim: a.keepdim };
}

export interface Layout {
  src: Storage;
  outer: number;
  size: number;
  inner: number;
  /** The result's shape (keepdim applied) and the shape with the reduced dims kept as 1. */
  out_shape: number[];
  keep_shape: number[];
  /** Reduced dims, sorted, or null for a full reduction. */
  dims: number[] | null;
}

export function layout(x: Tensor, dim: number | readonly number[] | null, keepdim: boolean): Layout {
  const nd = x.dim();
  if (dim === null || (Array.isArray(dim) && dim.length === 0)) {
    const keep_shape = x.shape.map(() => 1);
    return { src: x.data, outer: 1, size: x.data.length, inner: 1, out_shape: keepdim ? keep_shape : [], keep_shape, dims: null };
  }
  const list = (typeof dim === "number" ? [dim] : [...(dim as number[])]).map((d) => wrap_dim(d, nd));
  const dims = [...new Set(list)].sort((a, b) => a - b);
  if (dims.length !== list.length) throw RuntimeRangeError(`dim ${list.find((d, i) => list.indexOf(d) !== i)} appears multiple times in the list of dims`);
  const keep_shape = x.shape.map((s, i) => (dims.includes(i) ? 1 : s));
  const out_shape = keepdim ? keep_shape : x.shape.filter((_, i) => !dims.includes(i));
  if (nd === 0) return { src: x.data, outer: 1, size: 1, inner: 1, out_shape: [], keep_shape: [], dims };
  if (dims.length === 1) {
    const d = dims[0];
    let outer = 1;
    for (let i = 0; i < d; i++) outer *= x.shape[i];
    let inner = 1;
    for (let i = d + 1; i < nd; i++) inner *= x.shape[i];
    return { src: x.data, outer, size: x.shape[d], inner, out_shape, keep_shape, dims };
  }
  const kept = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const p = permute_raw(x, [...kept, ...dims]);
  let size = 1;
  for (const d of dims) size *= x.shape[d];
  return { src: p.data, outer: x.data.length / size || 0, size, inner: 1, out_shape, keep_shape, dims };
}

/** Broadcasts `g` (shaped like `keep_shape`, the reduced dims as 1) to `shape` (no autograd). */
export function expand_raw(g: Tensor, keep_shape: readonly number[], shape: readonly number[], dtype: DType = g.dtype): Tensor {
  const st = contiguous_strides(keep_shape).map((s, i) => (keep_shape[i] === 1 ? 0 : s));
  const n = shape.reduce((a, b) => a * b, 1);
  const out = storage_for(dtype, n);
  strided_copy(g.data, 0, shape, st, out);
  return new Tensor(out, shape, dtype);
}

function check(x: Tensor, op: string): void {
  check_tensor(x, op);
}

/** Sums each slice into a float64 array of outer * inner. */
function slice_sums(L: Layout): Float64Array {
  const { src, outer, size, inner } = L;
  const acc = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    const base = o * size * inner;
    const ao = o * inner;
    if (inner === 1) {
      let s = 0;
      for (let k = 0; k < size; k++) s += src[base + k];
      acc[ao] = s;
    } else {
      for (let k = 0; k < size; k++) {
        const b = base + k * inner;
        for (let i = 0; i < inner; i++) acc[ao + i] += src[b + i];
      }
    }
  }
  return acc;
}

function finish(vals: ArrayLike<number>, shape: number[], dtype: DType): Tensor {
  const out = storage_for(dtype, vals.length);
  out.set(vals);
  if (is_small_int(dtype)) coerce_storage(out, dtype); // sum({ dtype: int8 }) wraps, as PyTorch's
  return new Tensor(out, shape, dtype);
}

export function sum(x: Tensor, dim?: DimArg, keepdim?: KeepArg): Tensor {
  check(x, "sum");
  const a = reduce_args(dim, keepdim, "sum");
  const L = layout(x, a.dim, a.keepdim);
  const dtype = a.opts.dtype ?? (is_floating(x.dtype) ? x.dtype : "int64");
  const out = finish(slice_sums(L), L.out_shape, dtype);
  // (PyTorch's dim overload, SumBackward1, whenever a dim is given: an empty list too)
  return attach(out, "SumBackward" + (a.dim === null || a.dim === undefined ? "0" : "1"), [x], (g) => [expand_raw(g, L.keep_shape, x.shape)], false);
}

export function mean(x: Tensor, dim?: DimArg, keepdim?: KeepArg): Tensor {
  check(x, "mean");
  const a = reduce_args(dim, keepdim, "mean");
  const dtype = a.opts.dtype ?? x.dtype;
  if (!is_floating(dtype)) {
    throw RuntimeTypeError(
      `mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${SCALAR_TYPE_NAME[dtype]}`,
    );
  }
  const L = layout(x, a.dim, a.keepdim);
  const s = slice_sums(L);
  for (let i = 0; i < s.length; i++) s[i] /= L.size;
  const out = finish(s, L.out_shape, dtype);
  const N = L.size;
  return attach(out, "MeanBackward" + (a.dim === null || a.dim === undefined ? "0" : "1"), [x], (g) => {
    const e = expand_raw(g, L.keep_shape, x.shape);
    for (let i = 0; i < e.data.length; i++) e.data[i] /= N;
    return [e];
  }, false);
}

export function prod(x: Tensor, dim?: number | null | ReduceOptions, keepdim?: KeepArg): Tensor {
  check(x, "prod");
  const a = reduce_args(dim, keepdim, "prod");
  if (Array.isArray(a.dim)) throw new TypeError("prod(): dim must be a single integer");
  const L = layout(x, a.dim, a.keepdim);
  const { src, outer, size, inner } = L;
  const vals = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let p = 1;
      for (let k = 0; k < size; k++) p *= src[o * size * inner + k * inner + i];
      vals[o * inner + i] = p;
    }
  }
  const dtype = a.opts.dtype ?? (is_floating(x.dtype) ? x.dtype : "int64");
  const out = finish(vals, L.out_shape, dtype);
  return attach(out, "ProdBackward" + (L.dims === null ? "0" : "1"), [x], (g) => {
    // d prod / d x_k = prod_{j<k} x_j * prod_{j>k} x_j
    const gx = new Float64Array(x.data.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const gv = g.data[o * inner + i];
        let pre = 1;
        for (let k = 0; k < size; k++) {
          const at = o * size * inner + k * inner + i;
          gx[at] = pre;
          pre *= src[at];
        }
        let suf = 1;
        for (let k = size - 1; k >= 0; k--) {
          const at = o * size * inner + k * inner + i;
          gx[at] *= suf * gv;
          suf *= src[at];
        }
      }
    }
    return [finish(gx, [...x.shape], g.dtype)];
  }, true, SELF_AND_OUT);
}

export interface VarOptions extends ReduceOptions {
  correction?: number;
  unbiased?: boolean;
}

/** Slice means (float64) and the x - mean deviations are recomputed where needed. */
function moments(L: Layout, correction: number): { means: Float64Array; vars: Float64Array } {
  const means = slice_sums(L);
  for (let i = 0; i < means.length; i++) means[i] /= L.size;
  const vars = new Float64Array(means.length);
  const { src, outer, size, inner } = L;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < size; k++) {
      const b = o * size * inner + k * inner;
      for (let i = 0; i < inner; i++) {
        const dlt = src[b + i] - means[o * inner + i];
        vars[o * inner + i] += dlt * dlt;
      }
    }
  }
  const denom = Math.max(0, L.size - correction);
  for (let i = 0; i < vars.length; i++) vars[i] /= denom;
  return { means, vars };
}

/** The keepdim slot after a positional `unbiased`: a boolean, or `{ keepdim }` (PyTorch's keyword). */
export type UnbiasedKeep = boolean | { keepdim?: boolean };

/** A JS argument as PyTorch's "invalid combination" message names its type. */
function arg_type(v: unknown): string {
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (v === null) return "NoneType";
  if (Array.isArray(v)) return "list";
  if (v instanceof Tensor) return "Tensor";
  if (typeof v === "object") return Object.keys(v as object).map((k) => `${k}=${arg_type((v as Record<string, unknown>)[k])}`).join(", ");
  return typeof v;
}

/**
 * PyTorch 2.13's three overloads of var / std / var_mean / std_mean:
 *   (dim, unbiased: bool, keepdim = false)   a boolean after dim is `unbiased`, not keepdim;
 *   (dim = null, { correction, keepdim })    keywords (also `unbiased`, not with `correction`);
 *   (unbiased: bool)                         over all elements.
 * Anything else is PyTorch's "received an invalid combination of arguments" TypeError.
 */
export function var_args(dim: unknown, o: unknown, k: unknown, op: string, extra: readonly unknown[] = []): { dim: number | readonly number[] | null; keepdim: boolean; correction: number } {
  const bad = (): TypeError => {
    const got = [dim, o, k, ...extra].slice(0, extra.length > 0 ? 3 + extra.length : k !== undefined ? 3 : o !== undefined ? 2 : 1).map(arg_type).join(", ");
    return new TypeError(
      `${op}() received an invalid combination of arguments - got (${got}), but expected one of:\n` +
        " * (dim: number | number[], unbiased: boolean = true, keepdim: boolean = false)\n" +
        " * (dim: number | number[] | null = null, { correction?: number, keepdim?: boolean })\n" +
        " * (unbiased: boolean = true)",
    );
  };
  const is_dim = (v: unknown): boolean => v === null || v === undefined || typeof v === "number" || Array.isArray(v);
  const is_opts = (v: unknown): boolean => v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Tensor);
  if (extra.length > 0) throw bad();
  // PyTorch's keywords (and numpy aliases axis / keepdims); an unknown one used to be ignored.
  const var_keywords = (kw: object): VarOptions => {
    const out = numpyKeywords(op, kw as Record<string, unknown>);
    checkKeywords(op, out, ["dim", "correction", "unbiased", "keepdim"]);
    return out as VarOptions;
  };
  let d: number | readonly number[] | null = null;
  let opts: VarOptions;
  if (typeof dim === "boolean") {
    // (unbiased)
    if (o !== undefined || k !== undefined) throw bad();
    opts = { unbiased: dim };
  } else if (is_opts(dim)) {
    // ({ dim, correction, unbiased, keepdim })
    if (o !== undefined || k !== undefined) throw bad();
    opts = var_keywords(dim as object);
    d = opts.dim ?? null;
  } else if (!is_dim(dim)) {
    throw bad();
  } else if (typeof o === "boolean" || (o === undefined && k !== undefined)) {
    // (dim, unbiased, keepdim); an undefined unbiased is its default (true)
    d = (dim as number | readonly number[] | null | undefined) ?? null;
    let keepdim = false;
    if (typeof k === "boolean") keepdim = k;
    else if (is_opts(k)) {
      const ko = k as Record<string, unknown>;
      if (Object.keys(ko).some((key) => key !== "keepdim")) throw bad();
      keepdim = (ko.keepdim as boolean | undefined) ?? false;
    } else if (k !== undefined) throw bad();
    opts = { unbiased: (o as boolean | undefined) ?? true, keepdim };
  } else if (o === undefined || is_opts(o)) {
    // (dim, { correction, unbiased, keepdim })
    if (k !== undefined) throw bad();
    d = (dim as number | readonly number[] | null | undefined) ?? null;
    opts = o === undefined ? {} : var_keywords(o as object);
    if (opts.dim !== undefined) throw new TypeError(`${op}() got multiple values for argument 'dim'`);
  } else throw bad();
  if (opts.correction !== undefined && opts.unbiased !== undefined) {
    throw new TypeError(`${op}(): cannot specify both correction and unbiased arguments`);
  }
  const correction = opts.correction ?? (opts.unbiased === false ? 0 : 1);
  return { dim: d, keepdim: opts.keepdim ?? false, correction };
}

/** Variance Σ(x - mean)² / max(0, N - correction), Bessel's `correction` 1 by default. PyTorch's overloads: `var(unbiased)`, `var(dim, unbiased, keepdim?)`, `var(dim?, { correction | unbiased, keepdim })`. */
export function var_(x: Tensor, unbiased: boolean): Tensor;
export function var_(x: Tensor, dim: number | readonly number[] | null | undefined, unbiased: boolean, keepdim?: UnbiasedKeep): Tensor;
export function var_(x: Tensor, dim?: DimArg | VarOptions, options?: VarOptions): Tensor;
export function var_(x: Tensor, dim?: unknown, options?: unknown, keepdim?: unknown, ...extra: unknown[]): Tensor {
  return var_std(x, dim, options, keepdim, false, "var", extra);
}

/** Standard deviation √var, with var's overloads: `std(unbiased)`, `std(dim, unbiased, keepdim?)`, `std(dim?, { correction | unbiased, keepdim })`. */
export function std(x: Tensor, unbiased: boolean): Tensor;
export function std(x: Tensor, dim: number | readonly number[] | null | undefined, unbiased: boolean, keepdim?: UnbiasedKeep): Tensor;
export function std(x: Tensor, dim?: DimArg | VarOptions, options?: VarOptions): Tensor;
export function std(x: Tensor, dim?: unknown, options?: unknown, keepdim?: unknown, ...extra: unknown[]): Tensor {
  return var_std(x, dim, options, keepdim, true, "std", extra);
}

/**
 * var or std from raw (not yet parsed) arguments; `op` names the caller in errors (var_mean too).
 * Backward as PyTorch's var_backward / std_backward: var -> g 2 (x - mean) / (N - correction),
 * over all elements with N - correction <= 0 -> g * (x == mean ? NaN : inf); std -> var's with
 * g / (2 std), which is 0 where std == 0 (a constant slice has a zero gradient, not 0/0).
 */
export function var_std(x: Tensor, dim: unknown, options: unknown, keepdim: unknown, is_std: boolean, op: string = is_std ? "std" : "var", extra: readonly unknown[] = []): Tensor {
  check(x, op);
  if (!is_floating(x.dtype)) throw RuntimeTypeError(`std and var only support floating point and complex dtypes (${op}() got ${x.dtype})`);
  const a = var_args(dim, options, keepdim, op, extra);
  const L = layout(x, a.dim, a.keepdim);
  const { means, vars } = moments(L, a.correction);
  const vals = is_std ? vars.map(Math.sqrt) : vars;
  const out = finish(vals, L.out_shape, x.dtype);
  const dof = L.size - a.correction;
  const all = a.dim === null || x.dim() === 0;
  const round = x.dtype === "float32" ? Math.fround : (v: number) => v;
  return attach(out, is_std ? "StdBackward0" : "VarBackward0", [x], (g) => {
    const gx = new Float64Array(x.data.length);
    const { src, outer, size, inner } = L;
    const direct = L.dims === null || L.dims.length === 1;
    // For multi-dim reductions the layout is permuted; compute there and permute back.
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < size; k++) {
        const b = o * size * inner + k * inner;
        for (let i = 0; i < inner; i++) {
          const j = o * inner + i;
          const gv = is_std ? (vals[j] === 0 ? 0 : g.data[j] / (2 * vals[j])) : g.data[j];
          const dev = src[b + i] - means[j];
          if (all && dof <= 0) gx[b + i] = gv * (src[b + i] === round(means[j]) ? NaN : Infinity);
          else gx[b + i] = (2 / dof) * gv * dev;
        }
      }
    }
    return [direct ? finish(gx, [...x.shape], g.dtype) : unpermute(gx, x, L.dims!, g.dtype)];
  }, true, (is_std ? SELF_AND_OUT : SAVES_SELF));
}

/** Undoes layout()'s permutation (kept dims first, reduced dims last). */
function unpermute(vals: Float64Array, x: Tensor, dims: number[], dtype: DType): Tensor {
  const kept = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const order = [...kept, ...dims];
  const pshape = order.map((d) => x.shape[d]);
  const inv = new Array<number>(order.length);
  order.forEach((d, i) => (inv[d] = i));
  return permute_raw(finish(vals, pshape, dtype), inv);
}

/** Maps a value computed per element of the layout back to the input's element order. */
function to_input_order(vals: Float64Array, x: Tensor, L: Layout, dtype: DType): Tensor {
  return L.dims === null || L.dims.length <= 1 ? finish(vals, [...x.shape], dtype) : unpermute(vals, x, L.dims, dtype);
}

/** Largest finite float32. */
const FLT_MAX = 3.4028234663852886e38;

export interface NormOptions {
  p?: number | "fro";
  dim?: number | readonly number[] | null;
  keepdim?: boolean;
  dtype?: DType | null;
}

/** The vector p-norm (default 2; "fro" = 2; Infinity = max |x|; 0 = count of nonzeros). */
export function norm(x: Tensor, pArg?: number | "fro" | NormOptions | null, dimArg?: number | readonly number[] | null | NormOptions, keepdimArg?: boolean | NormOptions): Tensor {
  check(x, "norm");
  // Keywords in any trailing slot (`norm(x, 1, 1, { keepdim: false })`: the object used to count
  // as true). torch.norm is a Python function: no numpy `axis` alias (PyTorch refuses it too).
  const a = pyArgs("norm", [["p", "any"], ["dim", "any"], ["keepdim", "boolean"]], [pArg, dimArg, keepdimArg], ["dtype"]);
  const p = a.p === undefined ? 2 : (a.p as number | "fro" | null);
  const dim = a.dim as number | readonly number[] | null | undefined;
  const keepdim = (a.keepdim as boolean | undefined) ?? false;
  if (dim !== undefined && dim !== null && typeof dim !== "number" && !Array.isArray(dim)) throw new TypeError(`norm(): argument 'dim' must be an int or a list of ints, not ${typeof dim}`);
  const pp = p === "fro" || p === null ? 2 : p;
  if (typeof pp !== "number") throw new TypeError(`norm(): p must be a number or "fro", got ${JSON.stringify(p)}`);
  if (!is_floating(x.dtype)) throw RuntimeTypeError(`linalg.vector_norm: Expected a floating point or complex tensor as input. Got ${SCALAR_TYPE_NAME[x.dtype]}`);
  // PyTorch's keyword-only dtype (of a floating input): the norm computed in and returned as that dtype
  if (a.dtype !== undefined && a.dtype !== null) x = x.to(a.dtype as DType);
  const L = layout(x, dim ?? null, keepdim);
  const { src, outer, size, inner } = L;
  const vals = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = pp === Infinity ? 0 : pp === -Infinity ? Infinity : 0;
      for (let k = 0; k < size; k++) {
        const v = Math.abs(src[o * size * inner + k * inner + i]);
        if (pp === Infinity) acc = v > acc || v !== v ? v : acc;
        else if (pp === -Infinity) acc = v < acc || v !== v ? v : acc;
        else if (pp === 0) acc += v !== 0 ? 1 : 0;
        else if (pp === 2) acc += v * v;
        else if (pp === 1) acc += v;
        else acc += Math.pow(v, pp);
      }
      // float32: PyTorch sums |x|^p in float32, so a sum past float32's range is inf (the seed's
      // Example 1 prints inf for a norm of ~4e20); we sum in double and reproduce the overflow.
      if (x.dtype === "float32" && pp > 0 && Number.isFinite(pp) && acc > FLT_MAX) acc = Infinity;
      vals[o * inner + i] = pp === 2 ? Math.sqrt(acc) : pp === 1 || pp === 0 || !Number.isFinite(pp) ? acc : Math.pow(acc, 1 / pp);
    }
  }
  const out = finish(vals, L.out_shape, x.dtype);
  return attach(out, "LinalgVectorNormBackward0", [x], (g) => {
    // p = 0 (a count) has PyTorch's undefined gradient: none reaches x (autograd.grad's None), not zeros
    if (pp === 0) return [null];
    const gx = new Float64Array(src.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const j = o * inner + i;
        const nv = vals[j];
        const gv = g.data[j];
        let ties = 0;
        if (!Number.isFinite(pp)) for (let k = 0; k < size; k++) if (Math.abs(src[o * size * inner + k * inner + i]) === nv) ties++;
        for (let k = 0; k < size; k++) {
          const at = o * size * inner + k * inner + i;
          const v = src[at];
          const sg = v > 0 ? 1 : v < 0 ? -1 : 0;
          if (!Number.isFinite(pp)) gx[at] = Math.abs(v) === nv ? (gv * sg) / ties : 0;
          else if (nv === 0) gx[at] = 0;
          else if (pp === 2) gx[at] = (gv * v) / nv;
          else if (pp === 1) gx[at] = gv * sg;
          else if (v === 0) gx[at] = 0; // p < 2: sgn(0) = 0; for p < 1 PyTorch masks the 0 * inf
          else gx[at] = (gv * sg * Math.pow(Math.abs(v), pp - 1)) / Math.pow(nv, pp - 1);
        }
      }
    }
    return [to_input_order(gx, x, L, g.dtype)];
  }, true, SELF_AND_OUT);
}

/** log(sum(exp(x))) along dim, computed as m + log(sum(exp(x - m))) with m the slice max. */
export function logsumexp(x: Tensor, dim: number | readonly number[] | DimsOptions, keepdim: boolean | DimsOptions = false): Tensor {
  check(x, "logsumexp");
  const a = dim_args(dim, keepdim, "logsumexp", false);
  if (a.dim === null) throw new TypeError("logsumexp() missing required argument 'dim'");
  return logsumexp_(x, a.dim, a.keepdim);
}

function logsumexp_(x: Tensor, dim: number | readonly number[], keepdim: boolean): Tensor {
  const dtype: DType = is_floating(x.dtype) ? x.dtype : "float32";
  const L = layout(x, dim, keepdim);
  const { src, outer, size, inner } = L;
  const vals = new Float64Array(outer * inner);
  if (!logsumexp_wasm(src, outer, size, inner, vals)) for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let m = -Infinity;
      for (let k = 0; k < size; k++) m = Math.max(m, src[o * size * inner + k * inner + i]);
      if (!Number.isFinite(m)) {
        vals[o * inner + i] = m === -Infinity ? -Infinity : m;
        continue;
      }
      let s = 0;
      for (let k = 0; k < size; k++) s += Math.exp(src[o * size * inner + k * inner + i] - m);
      vals[o * inner + i] = m + Math.log(s);
    }
  }
  const out = finish(vals, L.out_shape, dtype);
  return attach(out, "LogsumexpBackward0", [x], (g) => {
    const gx = new Float64Array(src.length);
    // exp(x − logsumexp) of every element from WebAssembly when large enough (same bits)
    const e = wasm_exp_shifted(src, outer, size, inner, vals);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const j = o * inner + i;
        for (let k = 0; k < size; k++) {
          const at = o * size * inner + k * inner + i;
          gx[at] = g.data[j] * (e !== null ? e[at] : Math.exp(src[at] - vals[j]));
        }
      }
    }
    return [to_input_order(gx, x, L, g.dtype)];
  }, true, SELF_AND_OUT);
}

/**
 * logsumexp_'s loops with the exponentials exp(x − m) from WebAssembly (transcendental_ops.ts, the
 * same bits as Math.exp): the maxima first, then every exp(x − m), then each slice's sum in the
 * same order (k from 0). A slice whose max is not finite gets it as before (its exps unused).
 * False when not taken.
 */
function logsumexp_wasm(src: ArrayLike<number>, outer: number, size: number, inner: number, vals: Float64Array): boolean {
  if (!transcendental_wasm_for(outer * size * inner)) return false; // before allocating the maxima
  const ms = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let m = -Infinity;
      for (let k = 0; k < size; k++) m = Math.max(m, src[o * size * inner + k * inner + i]);
      ms[o * inner + i] = m;
    }
  }
  const e = wasm_exp_shifted(src, outer, size, inner, ms);
  if (e === null) return false;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const m = ms[o * inner + i];
      if (!Number.isFinite(m)) {
        vals[o * inner + i] = m === -Infinity ? -Infinity : m;
        continue;
      }
      let s = 0;
      for (let k = 0; k < size; k++) s += e[o * size * inner + k * inner + i];
      vals[o * inner + i] = m + Math.log(s);
    }
  }
  return true;
}

/** Per slice: the extreme value (NaN wins) and the index of its first occurrence. */
function extreme(L: Layout, max: boolean): { vals: Float64Array; idx: Float64Array } {
  const { src, outer, size, inner } = L;
  const vals = new Float64Array(outer * inner);
  const idx = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = src[o * size * inner + i];
      let bi = 0;
      if (best === best) {
        for (let k = 1; k < size; k++) {
          const v = src[o * size * inner + k * inner + i];
          if (v !== v) {
            best = v;
            bi = k;
            break;
          }
          if (max ? v > best : v < best) {
            best = v;
            bi = k;
          }
        }
      }
      vals[o * inner + i] = best;
      idx[o * inner + i] = bi;
    }
  }
  return { vals, idx };
}

function empty_check(L: Layout, op: string): void {
  if (L.size === 0) {
    // PyTorch's kinds: max() / min() of everything is a RuntimeError, along a dim (and argmax /
    // argmin) an IndexError (lrlab's RangeError)
    const kind = L.dims === null && (op === "max" || op === "min") ? RuntimeRangeError : (m: string) => new RangeError(m);
    throw kind(
      L.dims === null
        ? `${op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`
        : `${op}(): Expected reduction dim ${L.dims[0]} to have non-zero size.`,
    );
  }
}

/** amax/amin: the extreme over dims; the gradient is shared evenly between tied elements. */
function amaxmin(x: Tensor, dim: number | readonly number[] | null, keepdim: boolean, max: boolean, name: string): Tensor {
  const L = layout(x, dim, keepdim);
  empty_check(L, max ? "max" : "min");
  const { vals } = extreme(L, max);
  const out = finish(vals, L.out_shape, x.dtype);
  return attach(out, name, [x], (g) => {
    const { src, outer, size, inner } = L;
    const gx = new Float64Array(src.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const j = o * inner + i;
        let ties = 0;
        for (let k = 0; k < size; k++) if (src[o * size * inner + k * inner + i] === vals[j]) ties++;
        for (let k = 0; k < size; k++) {
          const at = o * size * inner + k * inner + i;
          if (src[at] === vals[j]) gx[at] = g.data[j] / ties;
        }
      }
    }
    return [to_input_order(gx, x, L, g.dtype)];
  }, true, SELF_AND_OUT);
}

export function amax(x: Tensor, dim: number | readonly number[] | null | DimsOptions = null, keepdim: boolean | DimsOptions = false): Tensor {
  check(x, "amax");
  const a = dim_args(dim, keepdim, "amax", false);
  return amaxmin(x, a.dim, a.keepdim, true, "AmaxBackward0");
}

export function amin(x: Tensor, dim: number | readonly number[] | null | DimsOptions = null, keepdim: boolean | DimsOptions = false): Tensor {
  check(x, "amin");
  const a = dim_args(dim, keepdim, "amin", false);
  return amaxmin(x, a.dim, a.keepdim, false, "AminBackward0");
}

function minmax_dim(x: Tensor, dim: number, keepdim: boolean, max: boolean): ValuesIndices {
  const L = layout(x, dim, keepdim);
  empty_check(L, max ? "max" : "min");
  const { vals, idx } = extreme(L, max);
  const indices = finish(idx, L.out_shape, "int64");
  const values = finish(vals, L.out_shape, x.dtype);
  attach(values, max ? "MaxBackward0" : "MinBackward0", [x], (g) => {
    const { outer, size, inner } = L;
    const gx = new Float64Array(x.data.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const j = o * inner + i;
        gx[o * size * inner + idx[j] * inner + i] += g.data[j];
      }
    }
    return [finish(gx, [...x.shape], g.dtype)];
  });
  return new ValuesIndices(max ? "max" : "min", values, indices);
}

/** `max(x)`: the largest element; `max(x, dim, keepdim?)`: { values, indices }; `max(x, other)`: maximum. */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number | (DimOptions & { dim: number }), keepdim?: boolean | DimOptions): ValuesIndices;
export function max(x: Tensor, other: Tensor): Tensor;
export function max(x: Tensor, dim?: number | Tensor | DimOptions, keepdim: boolean | DimOptions = false): Tensor | ValuesIndices {
  check(x, "max");
  if (dim instanceof Tensor) {
    return maximum(x, dim);
  }
  const a = dim_args(dim, keepdim, "max", true);
  if (a.dim === null) return amaxmin(x, null, false, true, "MaxBackward1");
  return minmax_dim(x, a.dim as number, a.keepdim, true);
}

export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number | (DimOptions & { dim: number }), keepdim?: boolean | DimOptions): ValuesIndices;
export function min(x: Tensor, other: Tensor): Tensor;
export function min(x: Tensor, dim?: number | Tensor | DimOptions, keepdim: boolean | DimOptions = false): Tensor | ValuesIndices {
  check(x, "min");
  if (dim instanceof Tensor) {
    return minimum(x, dim);
  }
  const a = dim_args(dim, keepdim, "min", true);
  if (a.dim === null) return amaxmin(x, null, false, false, "MinBackward1");
  return minmax_dim(x, a.dim as number, a.keepdim, false);
}

function arg(x: Tensor, dim: unknown, keepdim: unknown, max: boolean): Tensor {
  const a = dim_args(dim, keepdim, max ? "argmax" : "argmin", true);
  const L = layout(x, a.dim, a.dim === null ? false : a.keepdim);
  empty_check(L, max ? "argmax" : "argmin");
  const { idx } = extreme(L, max);
  return finish(idx, L.out_shape, "int64");
}

export function argmax(x: Tensor, dim?: number | null | DimOptions, keepdim: boolean | DimOptions = false): Tensor {
  check(x, "argmax");
  if (x.dtype === "bool") throw RuntimeError("argmax(): does not support bool input"); // (PyTorch's RuntimeError)
  return arg(x, dim, keepdim, true);
}

export function argmin(x: Tensor, dim?: number | null | DimOptions, keepdim: boolean | DimOptions = false): Tensor {
  check(x, "argmin");
  if (x.dtype === "bool") throw RuntimeError("argmin(): does not support bool input"); // (PyTorch's RuntimeError)
  return arg(x, dim, keepdim, false);
}
