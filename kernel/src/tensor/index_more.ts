/**
 * More index-tensor ops: index_add / index_copy / index_fill (slices of a dim picked by a 1-D
 * index, added to / overwritten / filled; each with its in-place `_` form), take (flat positions),
 * take_along_dim (gather with broadcasting), put / put_ (write at flat positions).
 *
 * Gradients: what was overwritten gets none; what was read or added gets the matching slices of
 * the output's gradient. The in-place forms compute the op out of place on a snapshot of self when
 * autograd records it and rebase self's history on the result (as inplace.ts does).
 */
import { dimKeyword } from "../utils/py_args";
import { pyArgs } from "../utils/py_args";
import { DType, Tensor, check_tensor } from "./tensor";
import { attach } from "./autograd";
import { is_grad_enabled } from "./grad_mode";
import { check_scalar_fits, coerce, storage_for, is_floating } from "./dtype";
import { broadcast_shapes, fmt_shape, wrap_dim } from "./shape";
import { check_inplace, rebase_history } from "./view_history";
import { bump_version } from "./version";
import { expand } from "./views";
import { gather_flat, strided_positions, strides_of } from "./flat_index";
import { saves } from "./version";
import { SCALAR_TYPE_NAME as TORCH_NAME } from "./dtype";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const SELF_X0 = saves("0, x0");
const SELF_VIEW = saves("0 as same");
const INDEX_ADD_SAVES = saves("x0 if 1, 1 if 1");
const INDEX_COPY_SAVES = saves("x0, 1 if 1");
const INDEX_X0 = saves("x0");


function check_long(index: unknown, op: string, arg = "index"): asserts index is Tensor {
  check_tensor(index, op, arg);
  if ((index as Tensor).dtype !== "int64") throw new TypeError(`${op}(): Expected a long tensor for ${arg} but got ${TORCH_NAME[(index as Tensor).dtype]}`);
}

/** The slices along `d` that `index` picks: for each (outer o, index j, inner i), x's and source's flat offsets. */
interface Slices {
  outer: number;
  inner: number;
  size: number;
  ids: number[];
}

function slices(x: Tensor, dim: number, index: Tensor, op: string): { d: number; s: Slices } {
  check_tensor(x, op);
  // index_add takes an int32 index too (PyTorch 2.13); index_copy / index_fill want int64
  if (!(op === "index_add" && index instanceof Tensor && index.dtype === "int32")) check_long(index, op);
  if (index.dim() > 1) throw new RangeError(`${op}(): Index is supposed to be a vector`);
  const nd = Math.max(x.dim(), 1);
  const d = wrap_dim(dim, nd);
  const shape = x.dim() === 0 ? [1] : x.shape;
  const size = shape[d];
  const ids = Array.from(index.data, (v) => {
    if (v < -size || v >= size) throw new RangeError(`index ${v} is out of bounds for dimension ${d} with size ${size}`);
    return v < 0 ? v + size : v;
  });
  let outer = 1;
  for (let k = 0; k < d; k++) outer *= shape[k];
  let inner = 1;
  for (let k = d + 1; k < shape.length; k++) inner *= shape[k];
  return { d, s: { outer, inner, size, ids } };
}

/** Visits every element of the picked slices: f(x offset, source offset). */
function each(s: Slices, f: (xo: number, so: number) => void): void {
  const m = s.ids.length;
  for (let o = 0; o < s.outer; o++) {
    for (let j = 0; j < m; j++) {
      const xb = (o * s.size + s.ids[j]) * s.inner;
      const sb = (o * m + j) * s.inner;
      for (let i = 0; i < s.inner; i++) f(xb + i, sb + i);
    }
  }
}

/** Checks source's shape: x's, except `index.numel()` along d (PyTorch's messages). */
function check_source(x: Tensor, d: number, index: Tensor, source: Tensor, op: string): void {
  check_tensor(source, op, "source");
  if (source.dtype !== x.dtype) throw new TypeError(`${op}_(): self (${TORCH_NAME[x.dtype]}) and source (${TORCH_NAME[source.dtype]}) must have the same scalar type`);
  const xs = x.dim() === 0 ? [1] : x.shape;
  const ss = source.dim() === 0 ? [1] : source.shape;
  const n = index.numel();
  if (ss.length !== xs.length) throw new RangeError(`${op}(): Source/destination tensor must have same slice shapes. Destination slice shape: ${fmt_shape(xs.filter((_, k) => k !== d))} at dimension ${d} and source slice shape: ${fmt_shape(ss.filter((_, k) => k !== d))} at dimension 0.`);
  if (ss[d] !== n) {
    throw new RangeError(op === "index_add" ? `index_add_(): Number of indices (${n}) should be equal to source.size(dim): (${ss[d]}), for dim: ${d}` : `${op}_(): Number of indices (${n}) should be equal to source.size(dim) (${ss[d]})`);
  }
  for (let k = 0; k < xs.length; k++) {
    if (k !== d && ss[k] !== xs[k]) throw new RangeError(`${op}(): Source/destination tensor must have same slice shapes. Destination slice shape: ${fmt_shape(xs.filter((_, q) => q !== d))} at dimension ${d} and source slice shape: ${fmt_shape(ss.filter((_, q) => q !== d))} at dimension ${d}.`);
  }
}

function pick(g: Tensor, s: Slices, shape: readonly number[]): Tensor {
  const out = storage_for(g.dtype, s.outer * s.ids.length * s.inner);
  each(s, (xo, so) => (out[so] = g.data[xo]));
  return new Tensor(out, shape, g.dtype);
}

function zero_slices(g: Tensor, s: Slices): Tensor {
  const out = g.data.slice() as typeof g.data;
  each(s, (xo) => (out[xo] = 0));
  return new Tensor(out, g.shape, g.dtype);
}

/** `index_add(x, dim, index, source, { alpha = 1 })`: x with alpha * source[.., j, ..] added at x[.., index[j], ..]. */
export function index_add(x: Tensor, dim: number, index: Tensor, source: Tensor, options?: { alpha?: number }): Tensor {
  const { d, s } = slices(x, dim, index, "index_add");
  check_source(x, d, index, source, "index_add");
  // keyword-only in PyTorch; an unknown key used to be ignored
  const alpha = (pyArgs("index_add", [["alpha", "number"]], options === undefined ? [] : [options]).alpha as number | undefined) ?? 1;
  const out = x.data.slice() as typeof x.data;
  const src = source.data;
  each(s, (xo, so) => (out[xo] += alpha * src[so]));
  if (!is_floating(x.dtype)) for (let i = 0; i < out.length; i++) out[i] = coerce(out[i], x.dtype);
  return attach(new Tensor(out, x.shape, x.dtype), "IndexAddBackward0", [x, source], (g, need) => {
    let gs: Tensor | null = null;
    if (need[1]) {
      gs = pick(g, s, source.shape);
      if (alpha !== 1) for (let i = 0; i < gs.data.length; i++) gs.data[i] *= alpha;
    }
    return [need[0] ? g : null, gs];
  }, true, INDEX_ADD_SAVES, [index]);
}

/** `index_copy(x, dim, index, source)`: x with source[.., j, ..] written at x[.., index[j], ..]. */
export function index_copy(x: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  const { d, s } = slices(x, dim, index, "index_copy");
  check_source(x, d, index, source, "index_copy");
  const out = x.data.slice() as typeof x.data;
  const src = source.data;
  each(s, (xo, so) => (out[xo] = src[so]));
  return attach(new Tensor(out, x.shape, x.dtype), "IndexCopyBackward0", [x, source], (g, need) => [
    need[0] ? zero_slices(g, s) : null,
    need[1] ? pick(g, s, source.shape) : null,
  ], true, INDEX_COPY_SAVES, [index]);
}

/** `index_fill(x, dim, index, value)`: x with every element of the slices x[.., index[j], ..] set to value (a number or 0-D tensor). */
export function index_fill(x: Tensor, dim: number, index: Tensor, value: number | boolean | Tensor): Tensor {
  const { s } = slices(x, dim, index, "index_fill");
  let v: number;
  if (value instanceof Tensor) {
    if (value.dim() !== 0) throw new RangeError(`index_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.dim()} dimension(s).`);
    v = value.data[0];
  } else if (typeof value === "number" || typeof value === "boolean") v = Number(value);
  else throw new TypeError(`index_fill(): argument 'value' must be a number or a Tensor, not ${value === null ? "null" : typeof value}`);
  check_scalar_fits(v, x.dtype);
  const out = x.data.slice() as typeof x.data;
  const fill = coerce(v, x.dtype);
  each(s, (xo) => (out[xo] = fill));
  const res = new Tensor(out, x.shape, x.dtype);
  const tensor_value = value instanceof Tensor;
  return attach(res, tensor_value ? "IndexFillBackward1" : "IndexFillBackward0", [x, tensor_value ? value : null], (g, need) => {
    let gv: Tensor | null = null;
    if (need[1]) {
      const seen = new Set<number>();
      let acc = 0;
      each(s, (xo) => {
        if (!seen.has(xo)) acc += g.data[xo];
        seen.add(xo);
      });
      const st = storage_for((value as Tensor).dtype, 1);
      st[0] = acc;
      gv = new Tensor(st, [], (value as Tensor).dtype);
    }
    return [need[0] ? zero_slices(g, s) : null, gv];
  }, true, INDEX_X0, [index]);
}

/** Runs `f` (the out-of-place op) for an in-place op on self: values copied back, history rebased when autograd records it. */
function in_place(self: Tensor, op: string, others: readonly unknown[], f: (t: Tensor) => Tensor): Tensor {
  check_tensor(self, op);
  check_inplace(self, others);
  const records = is_grad_enabled() && (self.requires_grad || others.some((o) => o instanceof Tensor && o.requires_grad));
  if (!records) {
    self.data.set(f(self.detach()).data);
    bump_version(self);
    return self;
  }
  const old = new Tensor(self.data.slice() as typeof self.data, self.shape, self.dtype, self.requires_grad);
  old.grad_fn = self.grad_fn;
  const r = f(old);
  self.data.set(r.data);
  rebase_history(self, r);
  return self;
}

/** In place: index_add. */
export function index_add_(x: Tensor, dim: number, index: Tensor, source: Tensor, options?: { alpha?: number }): Tensor {
  return in_place(x, "index_add_", [source], (t) => index_add(t, dim, index, source, options));
}

/** In place: index_copy. */
export function index_copy_(x: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  return in_place(x, "index_copy_", [source], (t) => index_copy(t, dim, index, source));
}

/** In place: index_fill. */
export function index_fill_(x: Tensor, dim: number, index: Tensor, value: number | boolean | Tensor): Tensor {
  return in_place(x, "index_fill_", [value], (t) => index_fill(t, dim, index, value));
}

function flat_ids(index: Tensor, n: number): Uint32Array {
  const pos = new Uint32Array(index.numel());
  for (let i = 0; i < pos.length; i++) {
    const v = index.data[i];
    if (v < -n || v >= n) throw new RangeError(`out of range: tried to access index ${v} on a tensor of ${n} elements.`);
    pos[i] = v < 0 ? v + n : v;
  }
  return pos;
}

/** `take(x, index)`: x as flattened, read at `index` (int64, any shape; negative counts from the end); the result has index's shape. */
export function take(x: Tensor, index: Tensor): Tensor {
  check_tensor(x, "take");
  check_long(index, "take");
  if (x.numel() === 0 && index.numel() > 0) throw new RangeError("take(): tried to take from an empty tensor");
  return gather_flat(x, flat_ids(index, x.numel()), index.shape, "TakeBackward0", SELF_X0, [index]);
}

/**
 * `take_along_dim(x, indices, dim = null)`: out[..., j, ...] = x[..., indices[..., j, ...], ...]
 * along dim, x and indices broadcasting over the other dims; without dim both are flattened.
 */
export function take_along_dim(x: Tensor, indices: Tensor, dim?: number | null | { dim?: number | null }): Tensor {
  check_tensor(x, "take_along_dim");
  check_long(indices, "take_along_dim", "indices");
  const dd = typeof dim === "object" && dim !== null ? dimKeyword<number | null | undefined>("take_along_dim", dim) : dim;
  if (dd === undefined || dd === null) {
    const n = x.numel();
    const pos = new Uint32Array(indices.numel());
    for (let i = 0; i < pos.length; i++) {
      const v = indices.data[i];
      if (v < -n || v >= n) throw new RangeError(`index ${v} is out of bounds for dimension 0 with size ${n}`);
      pos[i] = v < 0 ? v + n : v;
    }
    return gather_flat(x, pos, [pos.length], "GatherBackward0");
  }
  if (x.dim() !== indices.dim()) {
    throw new RangeError(`torch.take_along_dim(): input and indices should have the same number of dimensions, but got ${x.dim()} dimensions for input, and ${indices.dim()} dimensions for indices`);
  }
  const nd = x.dim();
  const d = wrap_dim(dd, Math.max(nd, 1));
  if (nd === 0) return gather_flat(x, flat_ids(indices, 1), [], "GatherBackward0");
  const xs = [...x.shape];
  xs[d] = indices.shape[d];
  const out_shape = broadcast_shapes(xs, indices.shape);
  const idx = indices.shape.every((s, k) => s === out_shape[k]) ? indices : expand(indices, out_shape);
  // x read with stride 0 along its broadcast dims and along d (the index supplies that offset).
  const xst = strides_of(x.shape);
  const st = out_shape.map((s, k) => (k === d || (x.shape[k] === 1 && s !== 1) ? 0 : xst[k]));
  const pos = strided_positions(out_shape, st, 0);
  const size = x.shape[d];
  const sd = xst[d];
  for (let i = 0; i < pos.length; i++) {
    const v = idx.data[i];
    if (v < -size || v >= size) throw new RangeError(`index ${v} is out of bounds for dimension ${d} with size ${size}`);
    pos[i] += (v < 0 ? v + size : v) * sd;
  }
  // (PyTorch saves x expanded to the broadcast shape: a view)
  return gather_flat(x, pos, out_shape, "GatherBackward0", SELF_VIEW);
}

/**
 * `put(x, index, source, accumulate = false)`: x (flattened) with source's elements written (or,
 * with accumulate, added) at the flat positions `index`; source has index's number of elements.
 */
export function put(x: Tensor, index: Tensor, source: Tensor, accumulateArg?: boolean | { accumulate?: boolean }): Tensor {
  return putWith("put", x, index, source, accumulateArg);
}

/** `accumulate` positionally or as PyTorch's keyword; an object used to count as true (`put(x, i, s, { accumulate: false })` added). */
function putWith(op: string, x: Tensor, index: Tensor, source: Tensor, accumulateArg: unknown): Tensor {
  const accumulate = (pyArgs(op, [["accumulate", "boolean"]], [accumulateArg]).accumulate as boolean | undefined) ?? false;
  check_tensor(x, op);
  check_long(index, "put");
  check_tensor(source, "put", "source");
  if (source.dtype !== x.dtype) throw new TypeError(`put_(): self (${TORCH_NAME[x.dtype]}) and source (${TORCH_NAME[source.dtype]}) must have the same scalar type`);
  if (source.numel() !== index.numel()) throw new RangeError(`put_(): Expected source and index to have the same number of elements, but got source.numel() = ${source.numel()}, index.numel() = ${index.numel()}`);
  const pos = flat_ids(index, x.numel());
  const out = x.data.slice() as typeof x.data;
  for (let i = 0; i < pos.length; i++) out[pos[i]] = accumulate ? coerce(out[pos[i]] + source.data[i], x.dtype) : source.data[i];
  return attach(new Tensor(out, x.shape, x.dtype), "PutBackward0", [x, source], (g, need) => {
    let gx: Tensor | null = null;
    if (need[0]) {
      const z = g.data.slice() as typeof g.data;
      if (!accumulate) for (let i = 0; i < pos.length; i++) z[pos[i]] = 0;
      gx = new Tensor(z, g.shape, g.dtype);
    }
    let gs: Tensor | null = null;
    if (need[1]) {
      const v = storage_for(g.dtype, pos.length);
      for (let i = 0; i < pos.length; i++) v[i] = g.data[pos[i]];
      gs = new Tensor(v, source.shape, g.dtype);
    }
    return [gx, gs];
  });
}

/** In place: put. */
export function put_(x: Tensor, index: Tensor, source: Tensor, accumulate?: boolean | { accumulate?: boolean }): Tensor {
  pyArgs("put_", [["accumulate", "boolean"]], [accumulate]);
  return in_place(x, "put_", [source], (t) => putWith("put_", t, index, source, accumulate));
}
