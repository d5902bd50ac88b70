/**
 * In-place ops through slices write into the tensor sliced, as in PyTorch.
 *
 * PyTorch's basic slices (`x[0]`, `x[:, 1:3]`, select, narrow, split, chunk, unbind, transpose,
 * permute, diagonal) are views: `z[0].fill_(7)` changes `z`. Every lrlab tensor is contiguous, so those
 * results are copies, and an in-place op on one used to change the copy only: `mask.index(1)
 * .fill_(true)` left the mask as it was and a transformer trained unmasked, without a word (a
 * user's pass). Each such copy now remembers where its elements sit in the tensor it came from
 * (`_window`: that tensor's storage owner, an offset and strides), and an in-place method called
 * on it (or on a view of it) writes its elements back there when it returns, then on up when that
 * tensor is itself such a copy.
 *
 * What stays different from PyTorch, said where it matters:
 * - A slice is a snapshot: a later change of the tensor it came from does not show in it.
 * - Autograd cannot follow the write-back (the tensor sliced would need PyTorch's CopySlices over a
 *   region), so an in-place op on a slice that autograd would record is an error saying so (do it
 *   under no_grad, or out of place); so is one through an in-place function
 *   that cannot write back (the library's own writers, torch.nn.init and the random module's
  functional samplers, call `written` instead).
 * - expand() copies without a window (PyTorch refuses in-place ops on expanded tensors anyway).
 */
import { Tensor } from "./tensor";
import { is_grad_enabled } from "./grad_mode";
import { bump_version, share_version } from "./version";
import type { MultiOutput } from "./version";

/** Where a slice's elements sit in `base`'s storage: element i (row-major) at offset + Σ i_d·strides_d. */
export interface SliceWindow {
  /** The tensor whose storage the slice was read from (its storage owner: never a view). */
  readonly base: Tensor;
  readonly offset: number;
  readonly strides: readonly number[];
  /** Set on split's and chunk's pieces made with autograd recording: one of several views an op returned (version.ts MultiOutput). */
  multi?: MultiOutput;
}

/** The tensor that owns `t`'s storage (`t` itself unless it is a view). */
function owner(t: Tensor): Tensor {
  return t._view !== null ? t._view.base : t;
}

/**
 * Marks `out`, a copy of the elements of `x` at `offset` + Σ i_d·strides_d (strides over x's
 * contiguous layout), as a slice of x, so in-place methods on it write through.
 */
export function set_window(out: Tensor, x: Tensor, offset: number, strides: readonly number[]): void {
  install();
  out._window = { base: owner(x), offset, strides: [...strides] };
  share_version(out, x); // (one version counter, as PyTorch's view: writing either moves both)
}

/** Writes `t`'s elements (t owns its storage and has a window) into its base, and on up. */
function write_back(t: Tensor): void {
  for (let s: Tensor | null = t; s !== null && s._window !== null; s = s._window.base._window !== null ? s._window.base : null) {
    const w: SliceWindow = s._window;
    strided_write(s.data, w.base.data, w.offset, s.shape, w.strides);
  }
}

/**
 * For code that writes a tensor's elements without its in-place methods (torch.nn.init, the
 * random module's functional samplers): after writing `t`, write it back when it is a slice (or
 * a view of one), and count the write in its version (`n` writes: what PyTorch does as n in-place
 * ops). Returns `t`.
 */
export function written(t: Tensor, n = 1): Tensor {
  const o = owner(t);
  if (o._window !== null) write_back(o);
  bump_version(t, n);
  return t;
}

/** dst[offset + Σ i_d·strides_d] = src[i] over `shape` (row-major i). */
function strided_write(src: ArrayLike<number>, dst: { [i: number]: number }, offset: number, shape: readonly number[], strides: readonly number[]): void {
  const n = src.length;
  if (n === 0) return;
  const nd = shape.length;
  if (nd === 0) {
    dst[offset] = src[0];
    return;
  }
  const inner = shape[nd - 1];
  const si = strides[nd - 1];
  const idx = new Array<number>(nd).fill(0);
  let base = offset;
  for (let o = 0; o < n; o += inner) {
    for (let j = 0, p = base; j < inner; j++, p += si) dst[p] = src[o + j];
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      base += strides[d];
      if (idx[d] < shape[d]) break;
      base -= idx[d] * strides[d];
      idx[d] = 0;
    }
  }
}

/** Whether any tensor up the chain of windows from `t` requires grad. */
function chain_requires_grad(t: Tensor): boolean {
  for (let s: Tensor | null = t; s !== null; s = s._window !== null ? s._window.base : null) if (s.requires_grad) return true;
  return false;
}

/** The slice whose in-place method is running (its write-back is armed), or null. */
let armed: Tensor | null = null;

/**
 * Called by every in-place op's checks (view_history.ts check_inplace) before it writes: when
 * `self` is a slice (or a view of one), the op must be a method call (which writes back) that
 * autograd does not record; otherwise an error that says why and what to do.
 */
export function check_slice_inplace(self: Tensor, others: readonly unknown[]): void {
  const o = owner(self);
  if (o._window === null) return;
  if (armed !== o) {
    throw new Error(
      "this tensor is a slice (index, select, narrow, split, chunk, unbind, transpose or permute), which lrlab holds as a copy; "
      + "an in-place op writes it back into the tensor it came from only when called as a method (slice.fill_(v), slice.zero_(), "
      + "slice.uniform_()), not through a function: call the method, or clone() the slice to change a copy",
    );
  }
  if (is_grad_enabled() && (self.requires_grad || chain_requires_grad(o) || others.some((x) => x instanceof Tensor && x.requires_grad))) {
    throw new Error(
      "an in-place op on a slice (index, select, narrow, split, chunk, unbind, transpose or permute) of a tensor that autograd records "
      + "is not supported in lrlab: its slices are copies written back, which autograd cannot follow. Do it under torch.no_grad() "
      + "if no gradient should flow through it, or out of place (torch.where, masked_fill, index_fill, scatter, torch.cat)",
    );
  }
}

/** Methods ending in "_" that change no elements. */
const NOT_WRITES = new Set(["requires_grad_", "detach_"]);
let installed = false;

/**
 * Wraps every in-place method of Tensor (name ending in "_", as PyTorch's) so that, called on a
 * slice or a view of one, it writes the slice back when it returns. Done once, on the first slice
 * (every module that adds methods has loaded by then); a method added later is not wrapped and
 * its call on a slice is refused by check_slice_inplace, never silently lost.
 */
function install(): void {
  if (installed) return;
  installed = true;
  const proto = Tensor.prototype as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (!name.endsWith("_") || name.startsWith("_") || NOT_WRITES.has(name)) continue;
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (d === undefined || typeof d.value !== "function") continue;
    const method = d.value as (this: Tensor, ...a: unknown[]) => unknown;
    const through = function (this: Tensor, ...a: unknown[]): unknown {
      const o = this._view !== null ? this._view.base : this;
      if (o._window === null) return method.apply(this, a);
      const prev = armed;
      armed = o;
      try {
        const r = method.apply(this, a);
        write_back(o);
        return r;
      } finally {
        armed = prev;
      }
    };
    Object.defineProperty(through, "name", { value: name });
    Object.defineProperty(proto, name, { ...d, value: through });
  }
}
