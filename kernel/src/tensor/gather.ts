/**
 * Index-tensor ops: index_select, gather, scatter, scatter_add.
 *
 * gather(x, dim, idx)[p] = x[p with p[dim] replaced by idx[p]]; its backward scatter-adds the
 * gradient back (the adjoint of a gather is a scatter-add, since an index may repeat).
 */
import { Tensor, check_tensor } from "./tensor";
import { attach } from "./autograd";
import { check_scalar_fits, coerce, storage_for } from "./dtype";
import { checkKeywords } from "../utils/py_args";
import { contiguous_strides, fmt_shape, wrap_dim } from "./shape";
import { saves } from "./version";
import { RuntimeError, RuntimeRangeError, RuntimeTypeError } from "../errors";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const SAVES_X0 = saves("x0");
const SELF_X0 = saves("0, x0");
const SCATTER_ADD_SAVES = saves("x0 if 1");

function check(x: Tensor, op: string): void {
  check_tensor(x, op);
}

function check_index(idx: Tensor, op: string): void {
  check_tensor(idx, op, "index");
  if (idx.dtype !== "int64" && idx.dtype !== "int32") throw RuntimeTypeError(`${op}(): Expected dtype int32 or int64 for index (got ${idx.dtype})`);
}

/** Picks entries `idx` (1-D or 0-D int64) along dim `d`; differentiable. */
export function index_select_raw_checked(x: Tensor, d: number, idx: Tensor): Tensor {
  const size = x.shape[d];
  const ids = Array.from(idx.data, (v) => {
    if (v < -size || v >= size) throw new RangeError(`index ${v} is out of bounds for dimension ${d} with size ${size}`);
    return v < 0 ? v + size : v;
  });
  let outer = 1;
  for (let k = 0; k < d; k++) outer *= x.shape[k];
  let inner = 1;
  for (let k = d + 1; k < x.dim(); k++) inner *= x.shape[k];
  const m = ids.length;
  const data = storage_for(x.dtype, outer * m * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const src = (o * size + ids[j]) * inner;
      const dst = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) data[dst + i] = x.data[src + i];
    }
  }
  const shape = [...x.shape];
  shape[d] = m;
  const out = new Tensor(data, shape, x.dtype);
  return attach(out, "IndexSelectBackward0", [x], (g) => {
    const z = storage_for(g.dtype, x.data.length);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < m; j++) {
        const dst = (o * size + ids[j]) * inner;
        const src = (o * m + j) * inner;
        for (let i = 0; i < inner; i++) z[dst + i] += g.data[src + i];
      }
    }
    return [new Tensor(z, x.shape, g.dtype)];
  }, true, SAVES_X0, [idx]);
}

export function index_select(x: Tensor, dim: number, index: Tensor): Tensor {
  check(x, "index_select");
  check_index(index, "index_select");
  if (index.dim() > 1) throw new RangeError("index_select(): Index is supposed to be a vector");
  const d = wrap_dim(dim, x.dim());
  if (x.dim() === 0) return index_select_raw_checked(new Tensor(x.data, [1], x.dtype), 0, index);
  return index_select_raw_checked(x, d, index);
}

/** Offsets into x (and into idx) for every element of idx, with bounds checks. */
function gather_offsets(x: Tensor, d: number, idx: Tensor, op: string): Int32Array | Float64Array {
  const nd = x.dim();
  if (idx.dim() !== nd && !(nd === 0 && idx.dim() <= 1)) {
    throw RuntimeRangeError(`Index tensor must have the same number of dimensions as ${op === "gather" ? "input" : "self"} tensor`);
  }
  for (let k = 0; k < nd; k++) {
    if (k !== d && idx.shape[k] > x.shape[k]) {
      throw new RangeError(`Size does not match at dimension ${k} expected index ${fmt_shape(idx.shape)} to be no larger than ${op === "gather" ? "input" : "self"} ${fmt_shape(x.shape)} apart from dimension ${d}`);
    }
  }
  const xs = contiguous_strides(x.shape);
  const n = idx.data.length;
  const offs = new Float64Array(n);
  const is = idx.shape;
  const pos = new Array<number>(is.length).fill(0);
  const size = nd === 0 ? 1 : x.shape[d];
  for (let e = 0; e < n; e++) {
    const v = idx.data[e];
    if (v < -size || v >= size) throw new RangeError(`index ${v} is out of bounds for dimension ${d} with size ${size}`);
    let off = 0;
    for (let k = 0; k < nd; k++) off += (k === d ? (v < 0 ? v + size : v) : pos[k]) * xs[k];
    offs[e] = off;
    for (let k = is.length - 1; k >= 0; k--) {
      if (++pos[k] < is[k]) break;
      pos[k] = 0;
    }
  }
  return offs;
}

/** out[p] = x[p with p[dim] = index[p]]; the result has index's shape. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  check(x, "gather");
  check_index(index, "gather");
  const d = wrap_dim(dim, x.dim());
  const offs = gather_offsets(x, d, index, "gather");
  const data = storage_for(x.dtype, offs.length);
  for (let e = 0; e < offs.length; e++) data[e] = x.data[offs[e]];
  const out = new Tensor(data, index.shape, x.dtype);
  return attach(out, "GatherBackward0", [x], (g) => {
    const z = storage_for(g.dtype, x.data.length);
    for (let e = 0; e < offs.length; e++) z[offs[e]] += g.data[e];
    return [new Tensor(z, x.shape, g.dtype)];
  }, true, SELF_X0, [index]);
}

export interface ScatterOptions {
  /** PyTorch's (deprecated but working) scatter reduce: src added to / multiplied into x instead of written. */
  reduce?: "add" | "multiply";
}

/**
 * A copy of x with x[p with p[dim] = index[p]] = src[p] (or `value`); with `{ reduce: "add" }` /
 * `{ reduce: "multiply" }` (PyTorch's keyword) src is added / multiplied in (it used to be ignored).
 * Not differentiable with a reduce, as PyTorch ("derivative for aten::scatter is not implemented").
 */
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | number, options?: ScatterOptions): Tensor {
  return scatter_impl(x, dim, index, src, "scatter", scatter_reduce_arg(options, "scatter"));
}

/** `{ reduce }` checked: the keyword and its two values only. */
export function scatter_reduce_arg(options: unknown, op: string): "set" | "add" | "multiply" {
  if (options === undefined) return "set";
  if (options === null || typeof options !== "object" || Array.isArray(options) || options instanceof Tensor) {
    throw new TypeError(`${op}(): the argument after src must be an options object { reduce }, got ${options === null ? "null" : typeof options}`);
  }
  checkKeywords(op, options, ["reduce"]);
  const r = (options as ScatterOptions).reduce;
  if (r === undefined) return "set";
  if (r !== "add" && r !== "multiply") throw new RangeError(`${op}(): reduce argument must be either add or multiply, got ${JSON.stringify(r)}`);
  return r;
}

/** A copy of x with src[p] added at x[p with p[dim] = index[p]]; d/dx = 1, d/dsrc = gather(g). */
export function scatter_add(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return scatter_impl(x, dim, index, src, "scatter_add", "add");
}

function scatter_impl(x: Tensor, dim: number, index: Tensor, src: Tensor | number, op: string, mode: "set" | "add" | "multiply"): Tensor {
  const add = op === "scatter_add";
  check(x, op);
  check_index(index, op);
  const d = wrap_dim(dim, x.dim());
  const offs = gather_offsets(x, d, index, op);
  const data = x.data.slice() as typeof x.data;
  const put = mode === "add" ? (o: number, v: number) => (data[o] = coerce(data[o] + v, x.dtype))
    : mode === "multiply" ? (o: number, v: number) => (data[o] = coerce(data[o] * v, x.dtype))
    : (o: number, v: number) => (data[o] = v);
  if (typeof src === "number") {
    check_scalar_fits(src, x.dtype); // scatter_(dim, index, 300) of a uint8 tensor: PyTorch's overflow error
    const v = mode === "set" ? coerce(src, x.dtype) : src;
    for (let e = 0; e < offs.length; e++) put(offs[e], v);
  }
  else {
    if (!(src instanceof Tensor)) throw new TypeError(`${op}(): src must be a Tensor or a number`);
    const ss = contiguous_strides(src.shape);
    const is = index.shape;
    const pos = new Array<number>(is.length).fill(0);
    for (let e = 0; e < offs.length; e++) {
      let so = 0;
      for (let k = 0; k < is.length; k++) so += pos[k] * ss[k];
      put(offs[e], src.data[so]);
      for (let k = is.length - 1; k >= 0; k--) {
        if (++pos[k] < is[k]) break;
        pos[k] = 0;
      }
    }
  }
  if (!add && mode !== "set") {
    const out = new Tensor(data, x.shape, x.dtype);
    return attach(out, "ScatterBackward0", [x, src], () => {
      throw RuntimeError("derivative for aten::scatter is not implemented");
    });
  }
  const out = new Tensor(data, x.shape, x.dtype);
  return attach(out, add ? "ScatterAddBackward0" : "ScatterBackward0", [x, src], (g, need) => {
    let gx: Tensor | null = null;
    if (need[0]) {
      const z = g.data.slice() as typeof g.data;
      if (!add) for (let e = 0; e < offs.length; e++) z[offs[e]] = 0;
      gx = new Tensor(z, g.shape, g.dtype);
    }
    let gs: Tensor | null = null;
    if (need[1] && src instanceof Tensor) {
      const v = storage_for(g.dtype, src.data.length);
      const ss = contiguous_strides(src.shape);
      const is = index.shape;
      const pos = new Array<number>(is.length).fill(0);
      for (let e = 0; e < offs.length; e++) {
        let so = 0;
        for (let k = 0; k < is.length; k++) so += pos[k] * ss[k];
        v[so] = g.data[offs[e]];
        for (let k = is.length - 1; k >= 0; k--) {
          if (++pos[k] < is[k]) break;
          pos[k] = 0;
        }
      }
      gs = new Tensor(v, src.shape, g.dtype);
    }
    return [gx, gs];
  }, true, (add ? SCATTER_ADD_SAVES : SAVES_X0), [index]);
}
