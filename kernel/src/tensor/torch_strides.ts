/**
 * PyTorch's strides of an lrlab tensor, for the ops whose meaning depends on them.
 *
 * lrlab stores every tensor contiguously, but PyTorch's `reshape`, `flatten` and `contiguous()`
 * return a view (the same storage) or a copy depending on the input's strides, and that decides
 * whether an in-place op on the result reaches the input: `x[:, 0:2].contiguous().sub_(m)` leaves
 * x alone in PyTorch (the slice is not contiguous: contiguous() copies), while lrlab returned the
 * slice itself, whose in-place ops write back (slice_window.ts), and changed x. The strides PyTorch
 * would have are known from what lrlab records:
 * - a slice, transpose, select, narrow, diagonal... (`_window`): a view in PyTorch, its strides
 *   those of its window over the tensor it came from, composed with that tensor's own strides;
 * - a tensor PyTorch holds permuted without being a view of one (`_memory_order`: an element-wise
 *   result or a clone of one): its strides in that order (memory_order.ts);
 * - a view (`_view`: reshape, view, flatten, squeeze, unsqueeze): the strides PyTorch's view
 *   computes from its base's (view_strides);
 * - anything else: contiguous.
 */
import type { Tensor } from "./tensor";
import { strides_of } from "./memory_order";

/** Whether nothing about `x` differs from a contiguous tensor (the common case: one read per field). */
function plain(x: Tensor): boolean {
  return x._view === null && x._window === null && x._memory_order === null;
}

/** Row-major strides of `shape` (PyTorch's for a contiguous tensor: a size-0 dim counts as 1). */
function row_major(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    st[d] = s;
    s *= Math.max(shape[d], 1);
  }
  return st;
}

/** The strides PyTorch would give `x`. */
export function torch_strides(x: Tensor): number[] {
  if (plain(x)) return row_major(x.shape);
  if (x._view !== null) {
    const base = x._view.base;
    return view_strides(base.shape, torch_strides(base), x.shape) ?? row_major(x.shape);
  }
  if (x._window !== null) return window_strides(x._window.strides, x._window.base);
  return strides_of(x.shape, x._memory_order);
}

/**
 * A window's strides (over `base`'s row-major storage) as strides over base's own PyTorch layout:
 * each is a step of so many elements along some of base's dims (one for a slice, several for a
 * diagonal), read off digit by digit from the outermost dim.
 */
function window_strides(strides: readonly number[], base: Tensor): number[] {
  const shape = base.shape;
  const rm = row_major(shape);
  const bs = torch_strides(base);
  return strides.map((w) => {
    let rest = Math.abs(w);
    let s = 0;
    for (let d = 0; d < shape.length && rest > 0; d++) {
      if (shape[d] <= 1) continue; // no step along a dim of one element
      const k = Math.floor(rest / rm[d]);
      rest -= k * rm[d];
      s += k * bs[d];
    }
    return w < 0 ? -s : s;
  });
}

/** PyTorch's `is_contiguous()`: strides row-major over the dims of more than one element. */
export function strides_contiguous(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] === 0) return true;
    if (shape[d] === 1) continue;
    if (strides[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

/** PyTorch's strides of `x` when it would hold it non-contiguous, else null (computed once for the callers below). */
export function noncontiguous_strides(x: Tensor): number[] | null {
  if (plain(x)) return null;
  for (const n of x.shape) if (n === 0) return null;
  const st = torch_strides(x);
  return strides_contiguous(x.shape, st) ? null : st;
}

/** Whether PyTorch would hold `x` contiguous (its `x.is_contiguous()`). */
export function is_torch_contiguous(x: Tensor): boolean {
  return noncontiguous_strides(x) === null;
}

/**
 * The strides of a view of `shape`/`strides` as `next`, or null when no view can show those
 * elements in that shape (PyTorch's `computeStride`, aten/src/ATen/TensorUtils.cpp: dims are
 * merged or split only within runs of dims that are contiguous with each other). PyTorch's
 * `view` fails then and its `reshape` copies.
 */
export function view_strides(shape: readonly number[], strides: readonly number[], next: readonly number[]): number[] | null {
  if (shape.length === 0) return next.map(() => 1);
  let numel = 1;
  for (const n of shape) numel *= n;
  if (numel === 0) {
    if (shape.length === next.length && shape.every((n, i) => n === next[i])) return [...strides];
    return row_major(next);
  }
  const out = new Array<number>(next.length);
  let view_d = next.length - 1;
  let chunk_base = strides[strides.length - 1];
  let tensor_numel = 1;
  let view_numel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensor_numel *= shape[d];
    // the end of a run of dims contiguous with each other: the view's dims must fill it exactly
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensor_numel * chunk_base)) {
      while (view_d >= 0 && (view_numel < tensor_numel || next[view_d] === 1)) {
        out[view_d] = view_numel * chunk_base;
        view_numel *= next[view_d];
        view_d--;
      }
      if (view_numel !== tensor_numel) return null;
      if (d > 0) {
        chunk_base = strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  return view_d === -1 ? out : null;
}

/** Whether PyTorch's `x.view(next)` works (a plain tensor: always, with the element count right). */
export function viewable(x: Tensor, next: readonly number[]): boolean {
  const st = noncontiguous_strides(x);
  return st === null || view_strides(x.shape, st, next) !== null;
}
