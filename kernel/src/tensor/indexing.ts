/**
 * Indexing: select narrow index_select gather masked_fill, and `index(...)`, a stand-in for
 * Python's `x[...]` taking one entry per leading dim: a number (picks and removes the dim), null
 * or ":" (the whole dim), a slice string "start:stop:step" with Python's rules (negative indices
 * count from the end, out-of-range bounds are clamped, step > 0), "..." (as many full dims as
 * needed), "None" (Python's None / np.newaxis: a new dim of size 1; `null` is ":" here, as
 * undefined), an int64 tensor (picks those indices along the dim) or a bool mask over as many dims
 * as it has (`x.index(keep)` with a 1-D keep picks rows). Several index tensors (any shapes,
 * broadcast together) and masks follow PyTorch's advanced indexing (advanced_index.ts).
 *
 * Basic indexing is a strided read (offset + per-dim strides); its backward gives the gradient
 * at the same positions of zeros of the input's shape, as a SliceGrad (slice_grad.ts) that autograd
 * adds in place, so many slices of one tensor cost O(slice) each in backward. index_select / gather
 * backward scatter-add the gradient (indices may repeat).
 */
import { checkKeywords } from "../utils/py_args";
import { Tensor, check_tensor } from "./tensor";
import { attach, rename, saved_also } from "./autograd";
import { coerce, storage_for } from "./dtype";
import { contiguous_strides, fmt_shape, strided_copy, wrap_dim } from "./shape";
import { check_operand, ew, TensorLike } from "./operand";
import { reshape, squeeze } from "./views";
import { make_view } from "./view_history";
import { index_select_raw_checked } from "./gather";
import { SliceGrad } from "./slice_grad";
import { set_window } from "./slice_window";
import { AdvDim, AdvPlan, advanced_positions } from "./advanced_index";
import { gather_flat } from "./flat_index";
import { saves } from "./version";
import { RuntimeRangeError, RuntimeTypeError } from "../errors";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const SAVES_X0 = saves("x0");
const SELF_X0 = saves("0, x0");

export { gather, index_select, scatter, scatter_add } from "./gather";

interface DimSpec {
  /** null: the dim is removed (integer index). */
  len: number | null;
  start: number;
  step: number;
}

/** Reads the region described by `specs` (one per dim of x), differentiably. */
function basic_index(x: Tensor, specs: DimSpec[], name: string): Tensor {
  const st = contiguous_strides(x.shape);
  let offset = 0;
  const shape: number[] = [];
  const strides: number[] = [];
  specs.forEach((s, d) => {
    offset += s.start * st[d];
    if (s.len !== null) {
      shape.push(s.len);
      strides.push(s.step * st[d]);
    }
  });
  const n = shape.reduce((a, b) => a * b, 1);
  const data = storage_for(x.dtype, n);
  strided_copy(x.data, offset, shape, strides, data);
  const out = new Tensor(data, shape, x.dtype);
  set_window(out, x, offset, strides); // PyTorch's slice is a view: in-place ops write back
  const in_shape = [...x.shape];
  return attach(out, name, [x], (g) => [new SliceGrad(g, in_shape, offset, strides)], false);
}

function full_specs(x: Tensor): DimSpec[] {
  return x.shape.map((len) => ({ len, start: 0, step: 1 }));
}

function check(x: Tensor, op: string): void {
  check_tensor(x, op);
}

function int_index(i: number, size: number, dim: number): number {
  if (!Number.isInteger(i)) throw new TypeError(`index must be an integer, got ${i}`);
  if (i < -size || i >= size) throw new RangeError(`index ${i} is out of bounds for dimension ${dim} with size ${size}`);
  return i < 0 ? i + size : i;
}

/** Removes dim `dim` by taking entry `index` of it. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  check(x, "select");
  if (x.dim() === 0) throw new RangeError("select() cannot be applied to a 0-dim tensor.");
  const d = wrap_dim(dim, x.dim());
  const size = x.shape[d];
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new RangeError(`select(): index ${index} out of range for tensor of size ${fmt_shape(x.shape)} at dimension ${d}`);
  }
  const specs = full_specs(x);
  specs[d] = { len: null, start: index < 0 ? index + size : index, step: 1 };
  return basic_index(x, specs, "SelectBackward0");
}

/** Entries start .. start + length - 1 of dim `dim`. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  check(x, "narrow");
  if (x.dim() === 0) throw new RangeError("narrow() cannot be applied to a 0-dim tensor.");
  const d = wrap_dim(dim, x.dim());
  const size = x.shape[d];
  if (!Number.isInteger(start) || start < -size || start > size) {
    throw new RangeError(`start out of range (expected to be in range of [${-size}, ${size}], but got ${start})`);
  }
  const s = start < 0 ? start + size : start;
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`narrow(): length must be non-negative.`);
  if (s + length > size) throw RuntimeRangeError(`start (${s}) + length (${length}) exceeds dimension size (${size}).`);
  const specs = full_specs(x);
  specs[d] = { len: length, start: s, step: 1 };
  return basic_index(x, specs, "SliceBackward0");
}

/** Python slice semantics for step > 0: negative bounds count from the end, bounds are clamped. */
export function parse_slice(text: string, size: number): DimSpec {
  const parts = text.split(":");
  if (parts.length < 2 || parts.length > 3) throw new SyntaxError(`invalid slice "${text}": expected "start:stop" or "start:stop:step"`);
  const num = (p: string, what: string): number | null => {
    const t = p.trim();
    if (t === "") return null;
    const v = Number(t);
    if (!Number.isInteger(v)) throw new SyntaxError(`invalid slice "${text}": ${what} must be an integer, got "${t}"`);
    return v;
  };
  const step = parts.length === 3 ? num(parts[2], "step") ?? 1 : 1;
  if (step <= 0) throw new RangeError(step === 0 ? "slice step cannot be zero" : `step must be greater than zero (slice "${text}")`);
  const clampi = (v: number | null, dflt: number): number => {
    if (v === null) return dflt;
    const w = v < 0 ? v + size : v;
    return Math.min(Math.max(w, 0), size);
  };
  const start = clampi(num(parts[0], "start"), 0);
  const stop = clampi(num(parts[1], "stop"), size);
  const len = stop > start ? Math.ceil((stop - start) / step) : 0;
  return { len, start: len === 0 ? 0 : start, step };
}

export type IndexSpec = number | null | string | Tensor;

/** `index()`'s marker for Python's `None` in an index (a new axis of size 1): `x.index("None", 1)` is `x[None, 1]`. */
export const NEWAXIS = "None";

/** How many dims of x an index entry consumes ("None" and "..." none of their own; a bool mask its own dims). */
function consumed(i: IndexSpec): number {
  if (i === NEWAXIS || i === "...") return 0;
  if (i instanceof Tensor && i.dtype === "bool") return i.dim();
  return 1;
}

/**
 * PyTorch's index tensors are "long, int, byte or bool": an int32 index reads as int64 (the same
 * values), a uint8 one as a bool mask (PyTorch's deprecated byte masks); int16 / int8 stay and are
 * refused where the index is read.
 */
export function as_index_tensor<T>(i: T): T | Tensor {
  if (!(i instanceof Tensor)) return i;
  if (i.dtype === "int32") return new Tensor(i.data, i.shape, "int64");
  if (i.dtype === "uint8") return i.to("bool");
  return i;
}

/** The positions where a bool mask is true, as an int64 tensor (row-major over the mask). */
function mask_positions(mask: Tensor): Tensor {
  const picks: number[] = [];
  for (let i = 0; i < mask.data.length; i++) if (mask.data[i] !== 0) picks.push(i);
  return new Tensor(Float64Array.from(picks), [picks.length], "int64");
}

/**
 * `x.index(0, "1:3")` is Python's `x[0, 1:3]`; see the module comment for what each entry may be.
 * "None" (NEWAXIS) inserts a dim of size 1 and a bool mask of k dims selects over k dims (the
 * positions where it is true), as PyTorch: both are rewritten as a reshape of x (a view) and an
 * int64 index over the merged dims, then read as basic indexing plus one index tensor. Several
 * index tensors / masks, or an index tensor of 2+ dims: PyTorch's advanced indexing, one gather.
 */
export function index(x: Tensor, ...given: IndexSpec[]): Tensor {
  // Python reads a 0-dim integer tensor as the integer it holds (__index__): a select, a view
  // (SelectBackward0), and no index tensor saved
  const indices = given.map((i) => (i instanceof Tensor && i.dim() === 0 && i.dtype === "int64" ? i.data[0] : i)).map(as_index_tensor);
  const out = index_impl(x, indices);
  // PyTorch's IndexBackward0 saves the index tensors (and masks) for its backward
  if (out.grad_fn !== null && indices.some((i) => i instanceof Tensor)) saved_also(out, indices.filter((i): i is Tensor => i instanceof Tensor));
  return out;
}

function index_impl(x: Tensor, indices: readonly IndexSpec[]): Tensor {
  check(x, "index");
  const only = indices[0];
  if (indices.length === 1 && only instanceof Tensor && only.dtype === "bool" && only.dim() === x.dim() && only.shape.every((s, i) => s === x.shape[i])) {
    return rename(masked_select(x, only, false), "IndexBackward0");
  }
  const expanded = expand_index(x, indices);
  if (needs_advanced(expanded)) {
    const plan = resolve_advanced(x, expanded, false);
    return gather_flat(x, plan.pos, plan.shape, "IndexBackward0");
  }
  if (!expanded.some((i) => i === NEWAXIS || (i instanceof Tensor && i.dtype === "bool"))) return index_core(x, expanded);
  return index_viewed(x, expanded);
}

/** `indices` with "..." replaced by as many ":" (null) as it stands for and ":" appended for the dims not indexed; PyTorch's errors. */
function expand_index(x: Tensor, indices: readonly IndexSpec[]): IndexSpec[] {
  const ell = indices.filter((i) => i === "...").length;
  if (ell > 1) throw new SyntaxError("an index can only have a single ellipsis ('...')");
  const used = indices.reduce<number>((n, i) => n + consumed(i), 0);
  if (used > x.dim()) throw new RangeError(`too many indices for tensor of dimension ${x.dim()} (got ${used})`);
  const expanded: IndexSpec[] = [];
  for (const i of indices) {
    if (i === "...") for (let k = 0; k < x.dim() - used; k++) expanded.push(null);
    else expanded.push(i);
  }
  for (let k = ell === 0 ? used : x.dim(); k < x.dim(); k++) expanded.push(null);
  return expanded;
}

/** Whether an expanded index needs the general advanced path: several index tensors / masks, or an index tensor of 2+ dims. */
function needs_advanced(expanded: readonly IndexSpec[]): boolean {
  const ts = expanded.filter((i): i is Tensor => i instanceof Tensor);
  return ts.length > 1 || ts.some((t) => t.dtype !== "bool" && t.dim() > 1);
}

/**
 * The flat positions of x that x[expanded] reads and the result's shape (PyTorch's advanced
 * indexing; advanced_index.ts). `zero_dim_tensor_dims`: a 0-dim int64 tensor is an index tensor of
 * shape [] (index_put) instead of an integer select (Python's x[...]); the results agree, the
 * difference is only which dimension an out-of-range error names.
 */
function resolve_advanced(x: Tensor, expanded: readonly IndexSpec[], zero_dim_tensor_dims: boolean): AdvPlan {
  const st = contiguous_strides(x.shape);
  const is_select = (i: IndexSpec): boolean => typeof i === "number" || (!zero_dim_tensor_dims && i instanceof Tensor && i.dtype === "int64" && i.dim() === 0);
  const dims: AdvDim[] = [];
  let offset = 0;
  let d = 0; // dim of x the entry starts at
  let yd = 0; // PyTorch's dim number for a select (new axes and each dim of a mask count)
  let no = 0; // index tensors so far (a k-dim mask counts k)
  for (const i of expanded) {
    if (i === NEWAXIS) {
      dims.push({ kind: "kept", len: 1, stride: 0 });
      yd++;
    } else if (i === null || i === ":") {
      dims.push({ kind: "kept", len: x.shape[d], stride: st[d] });
      d++;
      yd++;
    } else if (typeof i === "number") {
      offset += int_index(i, x.shape[d], yd) * st[d];
      d++;
      yd++;
    } else if (typeof i === "string") {
      const s = parse_slice(i, x.shape[d]);
      dims.push({ kind: "kept", len: s.len ?? 0, stride: s.step * st[d] });
      offset += s.start * st[d];
      d++;
      yd++;
    } else if (i instanceof Tensor && i.dtype === "bool") {
      const k = i.dim();
      if (i.shape.some((n, m) => n !== x.shape[d + m])) {
        d += k; // check_masks below says how, after the selects are checked (PyTorch's order)
        yd += Math.max(k, 1);
        continue;
      }
      const pos = mask_positions(i);
      const count = pos.shape[0];
      // a 0-dim mask adds a dim of size 1 and keeps it (true) or empties it (false)
      const size = x.shape.slice(d, d + k).reduce((p, n) => p * n, 1);
      const stride = k === 0 ? 0 : st[d + k - 1];
      const shapes = Array.from({ length: Math.max(k, 1) }, () => [count]);
      dims.push({ kind: "tensor", index: pos, size, stride, no, shapes, check: false });
      no += Math.max(k, 1);
      yd += Math.max(k, 1);
      d += k;
    } else if (i instanceof Tensor && i.dtype === "int64") {
      if (is_select(i)) {
        offset += int_index(i.data[0], x.shape[d], yd) * st[d];
      } else {
        dims.push({ kind: "tensor", index: i, size: x.shape[d], stride: st[d], no, shapes: [[...i.shape]], check: true });
        no++;
      }
      d++;
      yd++;
    } else if (i instanceof Tensor) {
      throw new RangeError(`tensors used as indices must be long, int, byte or bool tensors (got ${i.dtype} at position ${d})`);
    } else throw new TypeError(`index(): unsupported index ${JSON.stringify(i)} at position ${d}; use a number, null or ":" (the whole dim), a slice string like "1:3", "...", "None" (a new axis), an int64 tensor or a bool mask`);
  }
  check_masks(x, expanded, is_select);
  return advanced_positions(offset, dims);
}

/**
 * PyTorch's check of each bool mask against the tensor it indexes, which is x after the index's
 * selects, slices and new axes (Python applies those first): that tensor's shape, and the mask's
 * dims at the position the mask starts at there.
 */
function check_masks(x: Tensor, expanded: readonly IndexSpec[], is_select: (i: IndexSpec) => boolean): void {
  const indexed: number[] = [];
  const at: [Tensor, number, number][] = []; // mask, its first dim in x, its first dim in `indexed`
  let d = 0;
  for (const i of expanded) {
    if (i === NEWAXIS) indexed.push(1);
    else if (is_select(i)) d++;
    else if (i instanceof Tensor && i.dtype === "bool") {
      at.push([i, d, indexed.length]);
      if (i.dim() === 0) indexed.push(1); // Python unsqueezes for a 0-dim mask
      for (let m = 0; m < i.dim(); m++) indexed.push(x.shape[d + m]);
      d += i.dim();
    } else {
      indexed.push(typeof i === "string" && i !== ":" && i !== "..." ? parse_slice(i, x.shape[d]).len ?? 0 : x.shape[d]);
      d++;
    }
  }
  for (const [mask, xd, id] of at) {
    for (let m = 0; m < mask.dim(); m++) {
      if (mask.shape[m] !== x.shape[xd + m]) {
        throw new RangeError(`The shape of the mask ${fmt_shape(mask.shape)} at index ${m} does not match the shape of the indexed tensor ${fmt_shape(indexed)} at index ${id + m}`);
      }
    }
  }
}

/**
 * The flat positions of x that Python's `x[indices]` (index tensors only: int64 of any shape, bool
 * masks) reads and the result's shape, for index_put; PyTorch's errors (too many indices, mask
 * shapes, broadcasting, out-of-range values).
 */
export function index_put_plan(x: Tensor, indices: readonly Tensor[]): AdvPlan {
  return resolve_advanced(x, expand_index(x, indices), true);
}

/** New axes and masks (with at most one index tensor): x viewed with one dim per entry, then index_core. */
function index_viewed(x: Tensor, expanded: IndexSpec[]): Tensor {
  // New axes and masks: the shape x is viewed as, one dim per entry.
  const shape: number[] = [];
  const entries: IndexSpec[] = [];
  let d = 0; // dim of x the entry starts at
  check_masks(x, expanded, (i) => typeof i === "number" || (i instanceof Tensor && i.dtype === "int64" && i.dim() === 0));
  for (const i of expanded) {
    if (i === NEWAXIS) {
      shape.push(1);
      entries.push(null);
    } else if (i instanceof Tensor && i.dtype === "bool") {
      const k = i.dim();
      // a 0-dim mask adds a dim of size 1 and keeps it (true) or empties it (false)
      shape.push(x.shape.slice(d, d + k).reduce((p, n) => p * n, 1));
      entries.push(mask_positions(i));
      d += k;
    } else {
      shape.push(x.shape[d]);
      entries.push(i);
      d += 1;
    }
  }
  const same = shape.length === x.dim() && shape.every((n, k) => n === x.shape[k]);
  return index_core(same ? x : reshape(x, shape), entries);
}

/**
 * The node PyTorch records for a basic index: it applies the entries dim by dim, skipping slices
 * that keep a whole dim, so the result's grad_fn is the last one applied: SelectBackward0 for an
 * integer (x[0], x[:, 1], x[1:3, 0]), SliceBackward0 for a range (x[0, 1:3]).
 */
function basic_node(specs: readonly DimSpec[], whole: (s: DimSpec, d: number) => boolean): string {
  for (let d = specs.length - 1; d >= 0; d--) {
    if (specs[d].len === null) return "SelectBackward0";
    if (!whole(specs[d], d)) return "SliceBackward0";
  }
  return "SliceBackward0";
}

/** Basic indexing (one entry per dim: number, null / ":", slice string) and at most one int64 index tensor. */
function index_core(x: Tensor, expanded: IndexSpec[]): Tensor {
  const specs = full_specs(x);
  const tensor_dims: [number, Tensor][] = [];
  expanded.forEach((i, d) => {
    const size = x.shape[d];
    if (i === null || i === ":") return;
    if (typeof i === "number") specs[d] = { len: null, start: int_index(i, size, d), step: 1 };
    else if (typeof i === "string") specs[d] = parse_slice(i, size);
    else if (i instanceof Tensor) {
      if (i.dtype !== "int64") throw new RangeError(`tensors used as indices must be long, int, byte or bool tensors (got ${i.dtype} at position ${d})`);
      tensor_dims.push([d, i]);
    } else throw new TypeError(`index(): unsupported index ${JSON.stringify(i)} at position ${d}; use a number, null or ":" (the whole dim), a slice string like "1:3", "...", "None" (a new axis), an int64 tensor or a bool mask`);
  });
  const whole = (s: DimSpec, d: number): boolean => s.len === x.shape[d] && s.step === 1 && s.start === 0;
  let out = specs.every(whole) ? x : basic_index(x, specs, basic_node(specs, whole));
  if (tensor_dims.length === 1) {
    const [d, idx] = tensor_dims[0];
    // Position of dim d in `out` (dims removed by integer indices before it shift it left).
    const pos = specs.slice(0, d).filter((s) => s.len !== null).length;
    // (several index tensors, or one of 2+ dims, took the advanced path in index())
    if (idx.dim() > 0 && out.numel() === 0) {
      // PyTorch reads nothing for an empty result, so it reports no out-of-range index: the general path does the same
      const plan = resolve_advanced(x, expanded, false);
      return gather_flat(x, plan.pos, plan.shape, "IndexBackward0");
    }
    // PyTorch's bounds error: a 1-D index is its index tensor number 0, a 0-D one an integer select of dim d
    const size = x.shape[d];
    for (let k = 0; k < idx.data.length; k++) {
      const v = idx.data[k];
      if (v < -size || v >= size) throw new RangeError(`index ${v} is out of bounds for dimension ${idx.dim() === 0 ? d : 0} with size ${size}`);
    }
    out = rename(index_select_raw_checked(out, pos, idx), "IndexBackward0");
    if (idx.dim() === 0) out = squeeze(out, pos);
  }
  return out === x ? alias_of(x) : out;
}


/** `x[:]`: a view of all of x (in-place ops through it reach x). */
function alias_of(x: Tensor): Tensor {
  return make_view(x, x.shape, "AliasBackward0");
}

/** The elements where `mask` (broadcast to x) is true, as a 1-D tensor. */
export function masked_select(x: Tensor, mask: Tensor, saves_input = true): Tensor {
  check(x, "masked_select");
  if (!(mask instanceof Tensor) || mask.dtype !== "bool") throw new TypeError("masked_select: expected mask to be a bool tensor");
  if (mask.shape.length !== x.shape.length || mask.shape.some((s, i) => s !== x.shape[i])) {
    throw new RangeError(`The shape of the mask ${fmt_shape(mask.shape)} does not match the shape of the indexed tensor ${fmt_shape(x.shape)}`);
  }
  const picks: number[] = [];
  for (let i = 0; i < mask.data.length; i++) if (mask.data[i] !== 0) picks.push(i);
  const data = storage_for(x.dtype, picks.length);
  for (let i = 0; i < picks.length; i++) data[i] = x.data[picks[i]];
  const out = new Tensor(data, [picks.length], x.dtype);
  // PyTorch's masked_select saves the input and the mask (x[mask], its index, the mask only: index() adds it)
  return attach(out, "MaskedSelectBackward0", [x], (g) => {
    const z = storage_for(g.dtype, x.data.length);
    for (let i = 0; i < picks.length; i++) z[picks[i]] += g.data[i];
    return [new Tensor(z, x.shape, g.dtype)];
  }, true, saves_input ? SELF_X0 : undefined, [mask]);
}

/** x with `value` where `mask` (broadcast) is true; the gradient is zero there. */
/**
 * masked_fill's `value` positionally or as PyTorch's keyword (`masked_fill(mask, { value: 0 })`);
 * any other object is an error (masked_fill_ used to read it with Number(): a NaN fill).
 */
export function masked_fill_value(value: TensorLike | { value: TensorLike }, op: string): TensorLike {
  if (value !== null && typeof value === "object" && !(value instanceof Tensor) && !Array.isArray(value)) {
    checkKeywords(op, value, ["value"]);
    if (!("value" in value)) throw new TypeError(`${op}() missing required argument 'value'`);
    value = (value as { value: TensorLike }).value;
  }
  check_operand(value, op, "value");
  return value as TensorLike;
}

export function masked_fill(x: Tensor, mask: Tensor, valueArg: TensorLike | { value: TensorLike }): Tensor {
  check(x, "masked_fill");
  const value = masked_fill_value(valueArg, "masked_fill");
  if (!(mask instanceof Tensor) || mask.dtype !== "bool") throw RuntimeTypeError(`masked_fill_ only supports boolean masks, but got mask with dtype ${mask instanceof Tensor ? mask.dtype : typeof mask}`);
  check_operand(value, "masked_fill", "value");
  if (value instanceof Tensor && value.dim() !== 0) {
    throw new RangeError(`masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.dim()} dimension(s).`);
  }
  const v = value instanceof Tensor ? value.data[0] : coerce(Number(value), x.dtype);
  const out0 = ew("b ? c : a", [x, mask, v], x.dtype);
  out0._memory_order = null; // PyTorch fills a contiguous clone (memory_order.ts)
  if (out0.shape.length !== x.shape.length || out0.shape.some((s, i) => s !== x.shape[i])) {
    throw new RangeError(`masked_fill: the mask of shape ${fmt_shape(mask.shape)} does not broadcast to the tensor's shape ${fmt_shape(x.shape)}`);
  }
  // (PyTorch saves the mask)
  if (!(value instanceof Tensor)) return attach(out0, "MaskedFillBackward0", [x], (g) => [ew("b ? 0 : a", [g, mask], g.dtype)], true, SAVES_X0, [mask]);
  // A 0-dim tensor value is an input too (PyTorch's MaskedFillBackward1): its gradient is the sum of g where the mask is true.
  return attach(out0, "MaskedFillBackward1", [x, value], (g, need) => [
    need[0] ? ew("b ? 0 : a", [g, mask], g.dtype) : null,
    need[1] ? sum_where(g, mask, value.dtype) : null,
  ], true, SAVES_X0, [mask]);
}

/** Σ g where `mask` (broadcast to g) is true, as a 0-dim tensor of `dtype` (a fill value's gradient). */
export function sum_where(g: Tensor, mask: Tensor | null, dtype: Tensor["dtype"]): Tensor {
  const picked = mask === null ? g : ew("b ? a : 0", [g, mask], g.dtype);
  let acc = 0;
  for (let i = 0; i < picked.data.length; i++) acc += picked.data[i];
  const out = storage_for(dtype, 1);
  out[0] = acc;
  return new Tensor(out, [], dtype);
}
