/**
 * torch.nn.utils.rnn: variable-length sequences for the recurrent layers. PackedSequence, and
 * the functions that pack, pad and unpack, with PyTorch 2.13's names, arguments (positional, or
 * Python's keywords as one options object) and semantics; nn.RNN, nn.LSTM and nn.GRU take and
 * return a PackedSequence.
 *
 *   const { pad_sequence, pack_padded_sequence, pad_packed_sequence } = torch.nn.utils.rnn;
 *   const packed = pack_padded_sequence(x, lengths, { batch_first: true, enforce_sorted: false });
 *   const [out, h_n] = gru.forward(packed);
 *   const [padded, lens] = pad_packed_sequence(out, { batch_first: true });
 */
export { PackedSequence, invert_permutation } from "./packed_sequence";
export { pad_sequence, unpad_sequence } from "./pad";
export type { PadSequenceOptions } from "./pad";
export { pack_padded_sequence, pad_packed_sequence, pack_sequence, unpack_sequence } from "./pack";
export type { PackPaddedSequenceOptions, PadPackedSequenceOptions } from "./pack";
