/**
 * torch.nn.utils.rnn's packing functions, as PyTorch 2.13: pack_padded_sequence and pack_sequence
 * make a PackedSequence (packed_sequence.ts) from a padded batch or a list of sequences;
 * pad_packed_sequence and unpack_sequence turn one back into a padded batch or a list, in the
 * caller's order. Each is one row gather (_rows.ts), differentiable, with PyTorch's grad_fn names.
 *
 * Packed layout: sequences sorted longest first (stably: equal lengths keep their order, as
 * PyTorch's sort); step t holds rows for the batch_sizes[t] sequences longer than t, so sorted
 * sequence p's step t is data row Σ_{s<t} batch_sizes[s] + p.
 *
 * Deviation: a length greater than the padded input's T is an error here; PyTorch 2.13 does not
 * check it and packs values read past the input's end.
 */
import { Tensor } from "../../../tensor/tensor";
import { from_array } from "../../../tensor/factories";
import { rnnArgs } from "./_args";
import { gatherRows, rowSize } from "./_rows";
import { PackedSequence, batchSizesOf } from "./packed_sequence";
import { checkSequences, lengthsOf } from "./pad";

const SORT_ERROR =
  "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass `enforce_sorted=False` "
  + "to pack_padded_sequence and/or pack_sequence to sidestep this requirement if you do not need ONNX exportability.";

function int64(values: readonly number[]): Tensor {
  return from_array(values, [values.length], { dtype: "int64" });
}

/**
 * The packing order of `lens`: null when enforce_sorted (checked: positive and non-increasing,
 * PyTorch's checks in its order), else the stable descending sort's permutation (then checked
 * positive). Returns the order and the lengths in it.
 */
function packingOrder(lens: readonly number[], enforce_sorted: boolean): { order: number[] | null; sorted: number[] } {
  const B = lens.length;
  const order = enforce_sorted ? null : lens.map((_, i) => i).sort((a, b) => lens[b] - lens[a] || a - b);
  const sorted = order === null ? [...lens] : order.map((i) => lens[i]);
  if (!(sorted[B - 1] > 0)) throw new RangeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0");
  for (let i = 0; i < B - 1; i++) if (sorted[B - 1 - i] > sorted[B - 2 - i]) throw new RangeError(SORT_ERROR);
  return { order, sorted };
}

/** batch_sizes[t] = how many of the (descending) lengths exceed t, for t < the longest. */
function batchSizes(sorted: readonly number[]): number[] {
  const bs: number[] = [];
  for (let t = 0; t < sorted[0]; t++) {
    let n = 0;
    while (n < sorted.length && sorted[n] > t) n++;
    bs.push(n);
  }
  return bs;
}

/** Packs: `rowOf(b, t)` is the (source, row) of sequence b's step t; b runs over `order`. */
function pack(
  sources: readonly Tensor[], inner: number, rest: readonly number[], order: number[] | null, sorted: number[],
  rowOf: (b: number, t: number) => [number, number],
): PackedSequence {
  const bs = batchSizes(sorted);
  let total = 0;
  for (const n of bs) total += n;
  const src = new Int32Array(total);
  const row = new Int32Array(total);
  let i = 0;
  bs.forEach((n, t) => {
    for (let p = 0; p < n; p++, i++) [src[i], row[i]] = rowOf(order === null ? p : order[p], t);
  });
  const data = gatherRows("PackPaddedSequenceBackward0", sources, src, row, inner, [total, ...rest], 0);
  return new PackedSequence(data, int64(bs), order === null ? null : int64(order), null);
}

export interface PackPaddedSequenceOptions {
  /** The input is [B, T, *] instead of [T, B, *]. Default false. */
  batch_first?: boolean;
  /** Require lengths sorted longest first (true, the default) or sort them (false; the result remembers the order). */
  enforce_sorted?: boolean;
}

/**
 * torch.nn.utils.rnn.pack_padded_sequence(input, lengths, batch_first = false, enforce_sorted =
 * true): packs a padded batch [T, B, *] (batch_first: [B, T, *]) whose sequence b has lengths[b]
 * steps (an int64 tensor or an array). With enforce_sorted the lengths must be non-increasing;
 * otherwise they are sorted and the PackedSequence keeps sorted_indices and unsorted_indices, so
 * pad_packed_sequence and an RNN's h_n come back in the caller's order. Differentiable.
 *
 *   const packed = torch.nn.utils.rnn.pack_padded_sequence(x, [5, 3, 2], { batch_first: true });
 */
export function pack_padded_sequence(input: Tensor, lengths: Tensor | readonly number[], batch_first?: boolean, enforce_sorted?: boolean): PackedSequence;
export function pack_padded_sequence(input: Tensor, lengths: Tensor | readonly number[], options: PackPaddedSequenceOptions): PackedSequence;
export function pack_padded_sequence(input: Tensor, lengths: Tensor | readonly number[], batch_first: boolean, options: PackPaddedSequenceOptions): PackedSequence;
export function pack_padded_sequence(input: Tensor, lengths: Tensor | readonly number[], ...args: unknown[]): PackedSequence {
  const op = "pack_padded_sequence";
  const o = rnnArgs(op, [["batch_first", ["boolean"]], ["enforce_sorted", ["boolean"]]], args) as PackPaddedSequenceOptions;
  const { batch_first = false, enforce_sorted = true } = o;
  if (!(input instanceof Tensor)) throw new TypeError(`${op}(): argument 'input' must be Tensor`);
  const lens = lengthsOf(op, lengths);
  if (input.dim() < 2) {
    const why = input.dim() === 1 ? "Dimension out of range (expected to be in range of [-1, 0], but got 1)" : "Dimension specified as 1 but tensor has no dimensions";
    throw new RangeError(`${why}: ${op} needs a padded input [T, B, *] (batch_first: [B, T, *]), got ${input.dim()}-D`);
  }
  if (input.numel() === 0) throw new RangeError("Cannot pack empty tensors.");
  const [T, B] = batch_first ? [input.shape[1], input.shape[0]] : [input.shape[0], input.shape[1]];
  if (lens.length !== B) throw new RangeError(`Expected \`len(lengths)\` to be equal to batch_size, but got ${lens.length} (batch_size=${B})`);
  const { order, sorted } = packingOrder(lens, enforce_sorted);
  if (sorted[0] > T) {
    throw new RangeError(`${op}: every length must be at most the padded input's sequence length ${T} (input.size(${batch_first ? 1 : 0})), but got a length of ${sorted[0]}`);
  }
  return pack([input], rowSize(input.shape, 2), input.shape.slice(2), order, sorted, (b, t) => [0, batch_first ? b * T + t : t * B + b]);
}

/**
 * torch.nn.utils.rnn.pack_sequence(sequences, enforce_sorted = true): packs a list of sequences
 * [L_i, *] (longest first unless enforce_sorted is false), as pad_sequence then
 * pack_padded_sequence. Differentiable in every sequence.
 *
 *   const packed = torch.nn.utils.rnn.pack_sequence([a, b, c], { enforce_sorted: false });
 */
export function pack_sequence(sequences: readonly Tensor[], enforce_sorted?: boolean): PackedSequence;
export function pack_sequence(sequences: readonly Tensor[], options: { enforce_sorted?: boolean }): PackedSequence;
export function pack_sequence(sequences: readonly Tensor[], ...args: unknown[]): PackedSequence {
  const { enforce_sorted = true } = rnnArgs("pack_sequence", [["enforce_sorted", ["boolean"]]], args) as { enforce_sorted?: boolean };
  const seqs = checkSequences("pack_sequence", sequences);
  const lens = seqs.map((s) => s.shape[0]);
  if (seqs.every((s) => s.numel() === 0)) throw new RangeError("Cannot pack empty tensors.");
  const { order, sorted } = packingOrder(lens, enforce_sorted);
  return pack(seqs, rowSize(seqs[0].shape), seqs[0].shape.slice(1), order, sorted, (b, t) => [b, t]);
}

/** Where each of the caller's sequences sits in a PackedSequence: its sorted position, length and first row per step. */
function layout(op: string, sequence: unknown): { bs: number[]; offsets: number[]; position: number[]; lengths: number[] } {
  if (!(sequence instanceof PackedSequence)) throw new TypeError(`${op}(): argument 'sequence' must be a PackedSequence (from pack_padded_sequence or pack_sequence)`);
  const bs = batchSizesOf(op, sequence);
  const B = bs.length === 0 ? 0 : bs[0];
  const offsets: number[] = [];
  let off = 0;
  for (const n of bs) {
    offsets.push(off);
    off += n;
  }
  const u = sequence.unsorted_indices;
  const position = Array.from({ length: B }, (_, j) => (u === null ? j : u.data[j]));
  const lengths = position.map((p) => {
    let n = 0;
    while (n < bs.length && bs[n] > p) n++;
    return n;
  });
  return { bs, offsets, position, lengths };
}

export interface PadPackedSequenceOptions {
  /** Output [B, T, *] instead of [T, B, *]. Default false. */
  batch_first?: boolean;
  /** The value of the padding positions. Default 0. */
  padding_value?: number;
  /** Pad to this many steps (at least the longest sequence's) instead of the longest. Default null. */
  total_length?: number | null;
}

/**
 * torch.nn.utils.rnn.pad_packed_sequence(sequence, batch_first = false, padding_value = 0,
 * total_length = null): the inverse of pack_padded_sequence. Returns [padded, lengths]: padded
 * [T, B, *] (batch_first: [B, T, *]; T = total_length or the longest length) and lengths (int64
 * [B]), both in the caller's original order. Differentiable.
 *
 *   const [padded, lengths] = torch.nn.utils.rnn.pad_packed_sequence(output, { batch_first: true });
 */
export function pad_packed_sequence(sequence: PackedSequence, batch_first?: boolean, padding_value?: number, total_length?: number | null): [Tensor, Tensor];
export function pad_packed_sequence(sequence: PackedSequence, options: PadPackedSequenceOptions): [Tensor, Tensor];
export function pad_packed_sequence(sequence: PackedSequence, batch_first: boolean, options: PadPackedSequenceOptions): [Tensor, Tensor];
export function pad_packed_sequence(sequence: PackedSequence, ...args: unknown[]): [Tensor, Tensor] {
  const op = "pad_packed_sequence";
  const o = rnnArgs(op, [["batch_first", ["boolean"]], ["padding_value", ["number", "boolean"]], ["total_length", ["int", "null"]]], args) as PadPackedSequenceOptions;
  const { batch_first = false, padding_value = 0, total_length = null } = o;
  const { bs, offsets, position, lengths } = layout(op, sequence);
  let T = bs.length;
  if (total_length !== null) {
    if (total_length < T) {
      throw new RangeError(
        "Expected total_length to be at least the length of the longest sequence in input, but got "
        + `total_length=${total_length} and max sequence length being ${T}`,
      );
    }
    T = total_length;
  }
  const data = sequence.data;
  const B = position.length;
  const src = new Int32Array(T * B).fill(-1);
  const row = new Int32Array(T * B);
  position.forEach((p, j) => {
    for (let t = 0; t < lengths[j]; t++) {
      const i = batch_first ? j * T + t : t * B + j;
      src[i] = 0;
      row[i] = offsets[t] + p;
    }
  });
  const rest = data.shape.slice(1);
  const name = sequence.unsorted_indices === null ? "CopySlices" : "IndexSelectBackward0";
  const padded = gatherRows(name, [data], src, row, rowSize(data.shape), batch_first ? [B, T, ...rest] : [T, B, ...rest], Number(padding_value));
  return [padded, int64(lengths)];
}

/**
 * torch.nn.utils.rnn.unpack_sequence(packed_sequences): the inverse of pack_sequence, the list of
 * sequences [L_i, *] in the caller's original order. Differentiable.
 *
 *   const [a, b, c] = torch.nn.utils.rnn.unpack_sequence(packed);
 */
export function unpack_sequence(packed_sequences: PackedSequence): Tensor[] {
  const { offsets, position, lengths } = layout("unpack_sequence", packed_sequences);
  const data = packed_sequences.data;
  const inner = rowSize(data.shape);
  return position.map((p, j) => {
    const n = lengths[j];
    const src = new Int32Array(n);
    const row = new Int32Array(n);
    for (let t = 0; t < n; t++) row[t] = offsets[t] + p;
    return gatherRows("IndexBackward0", [data], src, row, inner, [n, ...data.shape.slice(1)], 0);
  });
}
