/**
 * torch.nn.utils.rnn.pad_sequence and unpad_sequence: a list of variable-length sequences
 * [L_i, *] to one padded tensor [T, B, *] (batch_first: [B, T, *]) and back, as PyTorch 2.13
 * (padding_side "right" or "left"). Both are one row gather (_rows.ts), differentiable in every
 * sequence; the padding gets no gradient.
 *
 * Deviations from PyTorch, on purpose: sequences whose trailing dims differ are an error naming
 * both shapes (PyTorch broadcasts them into the first one's when it can, and otherwise reports a
 * broadcasting error); unpad_sequence leaves its input alone (PyTorch's transposes the caller's
 * tensor in place when batch_first is false) and also takes the lengths as an array of numbers.
 */
import { Tensor } from "../../../tensor/tensor";
import { rnnArgs } from "./_args";
import { gatherRows, rowSize } from "./_rows";
import { SCALAR_TYPE_NAME } from "../../../tensor/dtype";

/** The sequences of pad_sequence / pack_sequence as an array (a Tensor counts as its slices along dim 0), checked. */
export function checkSequences(op: string, sequences: unknown): Tensor[] {
  let list: unknown[];
  if (sequences instanceof Tensor) {
    if (sequences.dim() === 0) throw new TypeError(`${op}: iteration over a 0-d tensor (expected a list of sequences [L, *], or a tensor [B, L, *])`);
    list = sequences.unbind(0);
  } else if (Array.isArray(sequences)) list = sequences;
  else if (sequences !== null && typeof sequences === "object" && Symbol.iterator in sequences) list = [...(sequences as Iterable<unknown>)];
  else {
    const t = sequences === null ? "null" : typeof sequences === "number" ? (Number.isInteger(sequences) ? "int" : "float") : typeof sequences;
    throw new TypeError(`${op}: Expected iterable for input sequences, but got arg of type: ${t} (pass an array of tensors [L, *])`);
  }
  if (list.length === 0) throw new RangeError(`${op}: received an empty list of sequences (pass at least one tensor [L, *])`);
  list.forEach((s, i) => {
    if (!(s instanceof Tensor)) throw new TypeError(`${op}: sequence ${i} must be a Tensor, not ${s === null ? "null" : Array.isArray(s) ? "Array" : typeof s}`);
  });
  const seqs = list as Tensor[];
  const first = seqs[0];
  seqs.forEach((s, i) => {
    if (s.dim() === 0) throw new RangeError(`${op}: sequence ${i} is 0-D; each sequence must be [L, *] (at least 1-D, its length first)`);
    const a = first.shape.slice(1);
    const b = s.shape.slice(1);
    if (a.length !== b.length || a.some((v, k) => v !== b[k])) {
      throw new RangeError(
        `${op}: every sequence must have the first one's trailing dims [${a.join(", ")}] (only the length, dim 0, may differ), `
        + `but sequence ${i} has shape [${s.shape.join(", ")}] and sequence 0 [${first.shape.join(", ")}]`,
      );
    }
  });
  // As PyTorch, the result has the first sequence's dtype (the others are converted).
  return seqs.map((s) => (s.dtype === first.dtype ? s : s.to(first.dtype)));
}

export interface PadSequenceOptions {
  /** Output [B, T, *] instead of [T, B, *]. Default false. */
  batch_first?: boolean;
  /** The value of the padding positions. Default 0. */
  padding_value?: number;
  /** "right" (default: each sequence starts at step 0) or "left" (each ends at step T − 1). */
  padding_side?: "right" | "left";
}

/**
 * torch.nn.utils.rnn.pad_sequence(sequences, batch_first = false, padding_value = 0,
 * padding_side = "right"): stacks sequences [L_i, *] into [T, B, *] (batch_first: [B, T, *]),
 * T = max L_i, filling the missing steps with padding_value. Differentiable.
 *
 *   const padded = torch.nn.utils.rnn.pad_sequence([a, b, c], { batch_first: true });
 */
export function pad_sequence(sequences: readonly Tensor[] | Tensor, batch_first?: boolean, padding_value?: number, padding_side?: "right" | "left"): Tensor;
export function pad_sequence(sequences: readonly Tensor[] | Tensor, options: PadSequenceOptions): Tensor;
export function pad_sequence(sequences: readonly Tensor[] | Tensor, batch_first: boolean, options: PadSequenceOptions): Tensor;
export function pad_sequence(sequences: readonly Tensor[] | Tensor, ...args: unknown[]): Tensor {
  const o = rnnArgs("pad_sequence", [["batch_first", ["boolean"]], ["padding_value", ["number", "boolean"]], ["padding_side", ["string"]]], args);
  const { batch_first = false, padding_value = 0, padding_side = "right" } = o as PadSequenceOptions;
  if (padding_side !== "right" && padding_side !== "left") {
    throw new RangeError(`Expected padding_side to be one of left or right, but got ${String(padding_side)}.`);
  }
  const seqs = checkSequences("pad_sequence", sequences);
  const B = seqs.length;
  const T = Math.max(...seqs.map((s) => s.shape[0]));
  const rest = seqs[0].shape.slice(1);
  const src = new Int32Array(T * B).fill(-1);
  const row = new Int32Array(T * B);
  seqs.forEach((s, b) => {
    const L = s.shape[0];
    const shift = padding_side === "left" ? T - L : 0;
    for (let t = 0; t < L; t++) {
      const i = batch_first ? b * T + t + shift : (t + shift) * B + b;
      src[i] = b;
      row[i] = t;
    }
  });
  const shape = batch_first ? [B, T, ...rest] : [T, B, ...rest];
  return gatherRows("CopySlices", seqs, src, row, rowSize(seqs[0].shape), shape, Number(padding_value));
}

/** Lengths given as an int tensor or an array of integers, as plain numbers. */
export function lengthsOf(op: string, lengths: unknown): number[] {
  if (lengths instanceof Tensor) {
    if (lengths.dim() !== 1) {
      const scalar = SCALAR_TYPE_NAME[lengths.dtype];
      throw new RangeError(`'lengths' argument should be a 1D CPU int64 tensor, but got ${lengths.dim()}D cpu ${scalar} tensor (${op} needs one length per sequence)`);
    }
    return Array.from(lengths.data, (v) => Math.trunc(v));
  }
  if (Array.isArray(lengths) && lengths.every((v) => typeof v === "number")) return lengths.map((v: number) => Math.trunc(v));
  throw new TypeError(`${op}(): argument 'lengths' must be a 1-D int64 tensor or an array of numbers, not ${lengths === null ? "null" : typeof lengths}`);
}

/**
 * torch.nn.utils.rnn.unpad_sequence(padded_sequences, lengths, batch_first = false): the
 * sequences of a padded batch [T, B, *] (batch_first: [B, T, *]) as a list of [lengths[b], *]
 * (a length beyond T takes all T steps, as PyTorch's mask does). Differentiable.
 *
 *   const seqs = torch.nn.utils.rnn.unpad_sequence(padded, lengths, { batch_first: true });
 */
export function unpad_sequence(padded_sequences: Tensor, lengths: Tensor | readonly number[], batch_first?: boolean): Tensor[];
export function unpad_sequence(padded_sequences: Tensor, lengths: Tensor | readonly number[], options: { batch_first?: boolean }): Tensor[];
export function unpad_sequence(padded_sequences: Tensor, lengths: Tensor | readonly number[], ...args: unknown[]): Tensor[] {
  const { batch_first = false } = rnnArgs("unpad_sequence", [["batch_first", ["boolean"]]], args) as { batch_first?: boolean };
  const x = padded_sequences;
  if (!(x instanceof Tensor)) throw new TypeError("unpad_sequence(): argument 'padded_sequences' must be Tensor");
  if (x.dim() < 2) throw new RangeError(`unpad_sequence: padded_sequences must be [T, B, *] (batch_first: [B, T, *]), at least 2-D, but got ${x.dim()}-D`);
  const lens = lengthsOf("unpad_sequence", lengths);
  const [T, B] = batch_first ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
  if (lens.length !== B) {
    throw new RangeError(`unpad_sequence: expected one length per sequence of the batch (B = ${B}), but got ${lens.length} lengths`);
  }
  const rest = x.shape.slice(2);
  const inner = rowSize(x.shape, 2);
  return lens.map((len, b) => {
    const n = Math.max(0, Math.min(len, T));
    const src = new Int32Array(n);
    const row = new Int32Array(n);
    for (let t = 0; t < n; t++) row[t] = batch_first ? b * T + t : t * B + b;
    return gatherRows("IndexBackward0", [x], src, row, inner, [n, ...rest], 0);
  });
}
