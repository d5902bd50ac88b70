/**
 * torch.nn.utils.rnn.PackedSequence: a batch of variable-length sequences stored time step by
 * time step without padding, as pack_padded_sequence / pack_sequence make it and nn.RNN, nn.LSTM
 * and nn.GRU take and return it. Fields as PyTorch 2.13's named tuple:
 *   data            [Σ lengths, *]: step 0 of every sequence, then step 1 of those that have one, ...
 *                   (sequences longest first within each step)
 *   batch_sizes     int64 [T]: how many sequences have step t (non-increasing)
 *   sorted_indices  int64 [B] or null: sorted position p holds the caller's sequence sorted_indices[p]
 *   unsorted_indices int64 [B] or null: its inverse (the caller's sequence j is at position unsorted_indices[j])
 * Like PyTorch's named tuple it destructures (`const [data, batch_sizes] = packed`) and indexes
 * (`packed[0]`), and prints as PyTorch prints it. Only the CPU exists here: `to` converts the data's
 * dtype, `is_cuda` is false, `cpu()` returns this.
 */
import { Tensor } from "../../../tensor/tensor";
import type { DType } from "../../../tensor/tensor";
import type { Device } from "../../../tensor/device";
import { from_array } from "../../../tensor/factories";

/**
 * The inverse of a permutation (1-D int64): out[perm[i]] = i, or null for null.
 * PyTorch's torch.nn.utils.rnn.invert_permutation.
 */
export function invert_permutation(permutation: Tensor | null | undefined): Tensor | null {
  if (permutation === null || permutation === undefined) return null;
  if (!(permutation instanceof Tensor) || permutation.dim() !== 1 || permutation.dtype !== "int64") {
    throw new TypeError("invert_permutation(): expected a 1-D int64 tensor of indices (a permutation of 0..n-1) or null");
  }
  const n = permutation.shape[0];
  const out = new Float64Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const p = permutation.data[i];
    if (!(p >= 0 && p < n) || out[p] !== -1) throw new RangeError(`invert_permutation(): [${Array.from(permutation.data).join(", ")}] is not a permutation of 0..${n - 1}`);
    out[p] = i;
  }
  return from_array(out, [n], { dtype: "int64" });
}

function checkIndexTensor(t: unknown, what: string, nullable: boolean): void {
  if ((t === null || t === undefined) && nullable) return;
  if (!(t instanceof Tensor) || t.dim() !== 1 || t.dtype !== "int64") {
    throw new TypeError(`PackedSequence: ${what} must be a 1-D int64 tensor${nullable ? " or null" : ""}`);
  }
}

/**
 * A PackedSequence's batch_sizes as numbers, checked: non-increasing positive counts that add up
 * to data's rows (what every packing function makes; a hand-made PackedSequence may not).
 */
export function batchSizesOf(op: string, packed: PackedSequence): number[] {
  const bs = Array.from(packed.batch_sizes.data);
  const rows = packed.data.dim() === 0 ? 0 : packed.data.shape[0];
  let total = 0;
  bs.forEach((n, t) => {
    if (!(n > 0) || (t > 0 && n > bs[t - 1])) {
      throw new RangeError(`${op}: batch_sizes must be positive and non-increasing (as pack_padded_sequence and pack_sequence make them), got [${bs.join(", ")}]`);
    }
    total += n;
  });
  if (total !== rows) throw new RangeError(`${op}: batch_sizes [${bs.join(", ")}] add up to ${total}, but data has ${rows} rows (data must be [sum(batch_sizes), *])`);
  const B = bs.length === 0 ? 0 : bs[0];
  for (const idx of [packed.sorted_indices, packed.unsorted_indices]) {
    if (idx !== null && idx.shape[0] !== B) {
      throw new RangeError(`${op}: sorted_indices and unsorted_indices must have one entry per sequence (batch_sizes[0] = ${B}), got ${idx.shape[0]}`);
    }
  }
  return bs;
}

export class PackedSequence {
  /** The packed steps [Σ lengths, *]. */
  readonly data: Tensor;
  /** int64 [T]: the number of sequences at each time step, non-increasing. */
  readonly batch_sizes: Tensor;
  /** int64 [B] or null (the sequences were given longest first): the caller's index of each packed sequence. */
  readonly sorted_indices: Tensor | null;
  /** int64 [B] or null: the inverse of sorted_indices (where the caller's sequence j is packed). */
  readonly unsorted_indices: Tensor | null;

  /**
   * As PyTorch, instances are meant to come from pack_padded_sequence or pack_sequence. Given
   * sorted_indices without unsorted_indices, the latter is computed (invert_permutation).
   */
  constructor(data: Tensor, batch_sizes: Tensor, sorted_indices: Tensor | null = null, unsorted_indices: Tensor | null = null) {
    if (!(data instanceof Tensor)) throw new TypeError("PackedSequence: data must be a Tensor");
    checkIndexTensor(batch_sizes, "batch_sizes", false);
    checkIndexTensor(sorted_indices, "sorted_indices", true);
    checkIndexTensor(unsorted_indices, "unsorted_indices", true);
    this.data = data;
    this.batch_sizes = batch_sizes;
    this.sorted_indices = sorted_indices ?? null;
    this.unsorted_indices = unsorted_indices ?? invert_permutation(sorted_indices);
  }

  /** The fields in order, as a named tuple destructures: [data, batch_sizes, sorted_indices, unsorted_indices]. */
  *[Symbol.iterator](): Iterator<Tensor | null> {
    yield this.data;
    yield this.batch_sizes;
    yield this.sorted_indices;
    yield this.unsorted_indices;
  }

  get 0(): Tensor {
    return this.data;
  }

  get 1(): Tensor {
    return this.batch_sizes;
  }

  get 2(): Tensor | null {
    return this.sorted_indices;
  }

  get 3(): Tensor | null {
    return this.unsorted_indices;
  }

  get length(): number {
    return 4;
  }

  /**
   * The same sequences with `data` converted (dtype; the device can only be "cpu"), as
   * Tensor.to; `this` when the data already fits, as PyTorch. batch_sizes and the indices stay.
   */
  to(dtype: DType | "cpu" | Device | { dtype?: DType; device?: "cpu" | Device }): PackedSequence {
    const data = this.data.to(dtype);
    if (data === this.data) return this;
    return new PackedSequence(data, this.batch_sizes, this.sorted_indices, this.unsorted_indices);
  }

  /** This sequence (everything lives on the CPU). */
  cpu(): PackedSequence {
    return this;
  }

  /** `to("float64")`. */
  double(): PackedSequence {
    return this.to("float64");
  }

  /** `to("float32")`. */
  float(): PackedSequence {
    return this.to("float32");
  }

  /** Always false: lrlab runs on the CPU. */
  get is_cuda(): boolean {
    return false;
  }

  /** Always false (no pinned memory on lrlab's CPU). */
  is_pinned(): boolean {
    return false;
  }

  /** PyTorch's repr: `PackedSequence(data=tensor([...]), batch_sizes=tensor([3, 2]), sorted_indices=None, unsorted_indices=None)`. */
  toString(): string {
    const f = (t: Tensor | null): string => (t === null ? "None" : String(t));
    return `PackedSequence(data=${f(this.data)}, batch_sizes=${f(this.batch_sizes)}, sorted_indices=${f(this.sorted_indices)}, unsorted_indices=${f(this.unsorted_indices)})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
