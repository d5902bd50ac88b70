/**
 * PyTorch 2.13's constructor parameters of nn.MultiheadAttention and the transformer family, in
 * Python's order after the leading required ones, for utils/py_args.ts `pyArgs`: so
 * `new nn.TransformerEncoderLayer(8, 2, 16, 0.0)`, `new nn.MultiheadAttention(8, 2, 0.1)` and
 * `new nn.TransformerEncoder(layer, 2, new nn.LayerNorm(8))` mean what they mean in Python, the
 * options-object form is unchanged, and both mix (`new nn.TransformerEncoderLayer(8, 2, 16,
 * { batch_first: true })`). A value given twice, an unknown keyword or too many values is an error.
 *
 * Kinds: "any" where the class checks the value itself with its own message (activation: a
 * string, function or Module; norm, custom_encoder/decoder: a Module or null; dtype: floatDtype).
 */
import type { Param } from "../../utils/py_args";

const FACTORY: readonly Param[] = [["device", "device"], ["dtype", "any"]];

/** MultiheadAttention(embed_dim, num_heads, dropout, bias, add_bias_kv, add_zero_attn, kdim, vdim, batch_first, device, dtype). */
export const MHA_PARAMS: readonly Param[] = [
  ["dropout", "number"], ["bias", "boolean"], ["add_bias_kv", "boolean"], ["add_zero_attn", "boolean"],
  ["kdim", "number?"], ["vdim", "number?"], ["batch_first", "boolean"], ...FACTORY,
];

/** Transformer{Encoder,Decoder}Layer(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first, norm_first, bias, device, dtype). */
export const LAYER_PARAMS: readonly Param[] = [
  ["dim_feedforward", "number"], ["dropout", "number"], ["activation", "any"], ["layer_norm_eps", "number"],
  ["batch_first", "boolean"], ["norm_first", "boolean"], ["bias", "boolean"], ...FACTORY,
];

/** TransformerEncoder(encoder_layer, num_layers, norm, enable_nested_tensor, mask_check). */
export const ENCODER_PARAMS: readonly Param[] = [["norm", "any"], ["enable_nested_tensor", "boolean"], ["mask_check", "boolean"]];

/** TransformerDecoder(decoder_layer, num_layers, norm). */
export const DECODER_PARAMS: readonly Param[] = [["norm", "any"]];

/**
 * Transformer(d_model, nhead, num_encoder_layers, num_decoder_layers, dim_feedforward, dropout,
 * activation, custom_encoder, custom_decoder, layer_norm_eps, batch_first, norm_first, bias,
 * device, dtype): every parameter has a default, so all of them may be positional.
 */
export const TRANSFORMER_PARAMS: readonly Param[] = [
  ["d_model", "number"], ["nhead", "number"], ["num_encoder_layers", "number"], ["num_decoder_layers", "number"],
  ["dim_feedforward", "number"], ["dropout", "number"], ["activation", "any"], ["custom_encoder", "any"],
  ["custom_decoder", "any"], ["layer_norm_eps", "number"], ["batch_first", "boolean"], ["norm_first", "boolean"],
  ["bias", "boolean"], ...FACTORY,
];
