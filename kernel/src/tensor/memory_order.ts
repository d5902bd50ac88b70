/**
 * PyTorch's memory order for the few tensors PyTorch would hold non-contiguous.
 *
 * lrlab stores every tensor contiguously, but PyTorch's random fills draw in *memory* order:
 * `dropout`, `alpha_dropout`, `rand_like`, `randint_like`, `randn_like` and the in-place samplers
 * (`bernoulli_`, `uniform_`, `normal_`, `exponential_`, `random_`) allocate or fill a tensor with
 * the input's strides, so for `x.t()` the k-th draw lands on the k-th element in memory, not on
 * the k-th in logical order. To give PyTorch's numbers for the same seed, a tensor records
 * `Tensor._memory_order`: its logical dims from outermost to innermost as PyTorch lays them out.
 * It is set by transpose/permute/t/mT/swapaxes/movedim (a view of permuted strides in PyTorch), kept
 * by clone, dropout and the random `_like` factories, and carried by element-wise ops (`ew`) by
 * TensorIterator's rule: the output gets the operands' layout, the first operand with distinct
 * non-zero strides on two dims deciding their order. It is null (absent) on every contiguous
 * tensor, so the common path only reads one null field.
 */
import type { Tensor } from "./tensor";

function isIdentity(p: readonly number[]): boolean {
  for (let i = 0; i < p.length; i++) if (p[i] !== i) return false;
  return true;
}

/**
 * The memory order of `x.permute(dims)` for x of memory order `order` (null: contiguous); null
 * when the result is contiguous again (e.g. `x.t().t()`).
 */
export function permuted_order(order: readonly number[] | null, dims: readonly number[]): readonly number[] | null {
  const n = dims.length;
  const inv = new Array<number>(n);
  for (let i = 0; i < n; i++) inv[dims[i]] = i;
  const q = new Array<number>(n);
  for (let r = 0; r < n; r++) q[r] = inv[order === null ? r : order[r]];
  return isIdentity(q) ? null : q;
}

/** PyTorch's strides of a tensor of `shape` laid out in `order` (a permuted contiguous tensor). */
export function strides_of(shape: readonly number[], order: readonly number[] | null): number[] {
  const n = shape.length;
  const st = new Array<number>(n);
  let s = 1;
  for (let r = n - 1; r >= 0; r--) {
    const d = order === null ? r : order[r];
    st[d] = s;
    s *= Math.max(shape[d], 1);
  }
  return st;
}

/**
 * The memory order of an element-wise op's output of `shape` over `operands` (numbers count as
 * 0-d), as TensorIterator's `reorder_dimensions` computes it: dims sorted innermost-first by an
 * insertion sort in which, for two dims, the first operand whose strides on both are non-zero
 * and differ decides (equal strides: the smaller dim goes inner); broadcast dims (stride 0) defer
 * to the next operand. Null when that is the contiguous order. Called only when an operand has a
 * memory order.
 */
export function elementwise_order(operands: readonly unknown[], shape: readonly number[]): readonly number[] | null {
  const n = shape.length;
  if (n < 2) return null;
  // Each tensor operand's strides on the output's dims (0 where broadcast), in iterator order: dim i = logical n-1-i.
  const strides: number[][] = [];
  for (const x of operands) {
    const t = x as Tensor;
    if (typeof x !== "object" || x === null || !Array.isArray(t.shape)) continue;
    const own = strides_of(t.shape, t._memory_order ?? null);
    const lead = n - t.shape.length;
    const s = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const d = n - 1 - i - lead; // the operand's dim for iterator dim i
      s[i] = d < 0 || (t.shape[d] === 1 && shape[n - 1 - i] !== 1) ? 0 : own[d];
    }
    strides.push(s);
  }
  const should_swap = (d0: number, d1: number): number => {
    for (const s of strides) {
      const s0 = s[d0];
      const s1 = s[d1];
      if (s0 === 0 || s1 === 0) continue;
      if (s0 < s1) return -1;
      if (s0 > s1) return 1;
      if (shape[n - 1 - d0] > shape[n - 1 - d1]) return 1;
    }
    return 0;
  };
  const perm = [...Array(n).keys()];
  for (let i = 1; i < n; i++) {
    let d1 = i;
    for (let d0 = i - 1; d0 >= 0; d0--) {
      const c = should_swap(perm[d0], perm[d1]);
      if (c > 0) {
        [perm[d0], perm[d1]] = [perm[d1], perm[d0]];
        d1 = d0;
      } else if (c < 0) break;
    }
  }
  // perm lists iterator dims innermost first; the memory order lists logical dims outermost first.
  const order = perm.reverse().map((i) => n - 1 - i);
  return isIdentity(order) ? null : order;
}

/** idx[k] = the logical (row-major) flat index of the k-th element in memory order. */
export function memory_index(shape: readonly number[], order: readonly number[]): Int32Array {
  const n = shape.length;
  let total = 1;
  for (const d of shape) total *= d;
  const idx = new Int32Array(total);
  if (total === 0) return idx;
  const logical = strides_of(shape, null);
  const size = order.map((d) => shape[d]);
  const step = order.map((d) => logical[d]);
  const at = new Array<number>(n).fill(0);
  let flat = 0;
  for (let k = 0; k < total; k++) {
    idx[k] = flat;
    for (let r = n - 1; r >= 0; r--) {
      flat += step[r];
      if (++at[r] < size[r]) break;
      flat -= step[r] * size[r];
      at[r] = 0;
    }
  }
  return idx;
}

/**
 * Fills `data` (logical order) by `fill`, which writes its values in the order it is given: the
 * values go straight into `data` for a contiguous layout, else into a buffer then to each
 * element's logical place (`order` is the tensor's memory order).
 */
export function fill_in_memory_order<S extends Float32Array | Float64Array>(
  data: S, shape: readonly number[], order: readonly number[] | null, fill: (buf: S) => void,
): void {
  if (order === null) {
    fill(data);
    return;
  }
  const buf = new (data.constructor as { new (n: number): S })(data.length);
  fill(buf);
  const idx = memory_index(shape, order);
  for (let k = 0; k < idx.length; k++) data[idx[k]] = buf[k];
}

/** `src` (logical order) read in memory order: out[k] = src[idx[k]]. */
export function gather_memory_order<S extends Float32Array | Float64Array>(src: S, shape: readonly number[], order: readonly number[]): S {
  const idx = memory_index(shape, order);
  const out = new (src.constructor as { new (n: number): S })(src.length);
  for (let k = 0; k < idx.length; k++) out[k] = src[idx[k]];
  return out;
}
