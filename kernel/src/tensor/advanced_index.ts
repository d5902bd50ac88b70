/**
 * PyTorch's advanced indexing (`x[i0, i1]` with several index tensors of any shapes, bool masks,
 * mixed with slices and new axes) as the flat positions of x it reads, for `index()` (indexing.ts)
 * and `index_put` (index_put.ts).
 *
 * The index is first resolved (indexing.ts) into one entry per dim of x as it is viewed (new axes
 * as dims of size 1, the dims a bool mask covers merged into one): a kept dim (a slice: length and
 * stride into x's storage) or a tensor dim (int64 positions along it; a mask's true positions over
 * its merged dims). Integers, and 0-dim int64 tensors, are not entries: as in PyTorch they select
 * first (their offset is in `offset`), so they neither appear in the result nor separate the tensor
 * dims (PyTorch 2.13: `x[:, i, 0, j]` keeps i and j adjacent, unlike NumPy).
 *
 * The index tensors broadcast together to a shape B (PyTorch's error when they do not). When the
 * tensor dims are adjacent, B replaces them in place; when a kept dim separates them, B goes first
 * (PyTorch's and NumPy's rule). Each result element reads x at offset + Σ kept index · stride + Σ
 * tensor value · stride, which is one gather (flat_index.ts) whose backward scatter-adds, so
 * repeated indices accumulate gradients.
 */
import { Tensor } from "./tensor";
import { broadcast_strides, fmt_shape } from "./shape";
import { Positions, strided_positions } from "./flat_index";

/** A dim of x as indexed: kept whole or sliced (len entries, `stride` apart in x's storage). */
export interface KeptDim {
  kind: "kept";
  len: number;
  stride: number;
}

/** A dim of x read at the positions an index tensor holds (broadcast with the other tensor dims). */
export interface TensorDim {
  kind: "tensor";
  /** int64 values; negative ones count from the end when `check` (mask positions are already in range). */
  index: Tensor;
  size: number;
  stride: number;
  /** Which index tensor this is among the tensors PyTorch indexes with (a k-dim mask counts k), for the bounds error. */
  no: number;
  /** The shapes this entry stands for in PyTorch's broadcast error (a k-dim mask: k times [count]). */
  shapes: number[][];
  check: boolean;
}

export type AdvDim = KeptDim | TensorDim;

/** The flat positions of x an index reads (row-major over the result) and the result's shape. */
export interface AdvPlan {
  pos: Positions;
  shape: number[];
}

/** The broadcast shape of the index tensors, or PyTorch's IndexError naming every shape. */
function broadcast_indices(dims: readonly TensorDim[]): number[] {
  const shapes = dims.map((d) => d.index.shape);
  const n = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(n).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const k = n - s.length + i;
      if (s[i] === out[k] || s[i] === 1) continue;
      if (out[k] !== 1) {
        const all = dims.flatMap((d) => d.shapes).map(fmt_shape).join(", ");
        throw new RangeError(`shape mismatch: indexing tensors could not be broadcast together with shapes ${all}`);
      }
      out[k] = s[i];
    }
  }
  return out;
}

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/**
 * The positions of x (flat, contiguous) that x[index] reads, given its resolved dims and the offset
 * of its integer selects; shape: the kept dims before the tensor dims, their broadcast shape, the
 * kept dims after (or the broadcast shape first when kept dims separate the tensor dims).
 */
export function advanced_positions(offset: number, dims: readonly AdvDim[]): AdvPlan {
  const at: number[] = [];
  dims.forEach((d, k) => {
    if (d.kind === "tensor") at.push(k);
  });
  const tdims = at.map((k) => dims[k] as TensorDim);
  const B = broadcast_indices(tdims);
  const nb = prod(B);
  const adjacent = at.length === 0 || at[at.length - 1] - at[0] + 1 === at.length;
  const split = adjacent && at.length > 0 ? at[0] : 0;
  const kept = (from: number, to: number): KeptDim[] => dims.slice(from, to).filter((d): d is KeptDim => d.kind === "kept");
  const before = kept(0, split);
  const after = adjacent && at.length > 0 ? kept(at[at.length - 1] + 1, dims.length) : kept(0, dims.length);
  const walk = (ks: KeptDim[]): Positions => strided_positions(ks.map((k) => k.len), ks.map((k) => k.stride), 0);
  const pa = walk(before);
  const pc = walk(after);
  const na = pa.length;
  const nc = pc.length;
  // Offset of each broadcast element: Σ over the tensor dims of (wrapped) value · stride, checked element by element as
  // PyTorch's kernel does, which reads nothing, and so reports no out-of-range index, when the result is empty.
  const reads = tdims.map((t) => strided_positions(B, broadcast_strides(t.index.shape, B), 0));
  const offs = new Float64Array(nb);
  for (let b = 0; b < (na * nc > 0 ? nb : 0); b++) {
    let o = 0;
    for (let k = 0; k < tdims.length; k++) {
      const t = tdims[k];
      let v = t.index.data[reads[k][b]];
      if (t.check) {
        if (v < -t.size || v >= t.size) throw new RangeError(`index ${v} is out of bounds for dimension ${t.no} with size ${t.size}`);
        if (v < 0) v += t.size;
      }
      o += v * t.stride;
    }
    offs[b] = o;
  }
  const pos = new Uint32Array(na * nb * nc);
  let i = 0;
  for (let a = 0; a < na; a++) {
    for (let b = 0; b < nb; b++) {
      const base = offset + pa[a] + offs[b];
      for (let c = 0; c < nc; c++) pos[i++] = base + pc[c];
    }
  }
  return { pos, shape: [...before.map((k) => k.len), ...B, ...after.map((k) => k.len)] };
}
