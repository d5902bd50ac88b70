/**
 * nn.Transformer, as PyTorch's (torch/nn/modules/transformer.py): an encoder (num_encoder_layers
 * TransformerEncoderLayers and a final LayerNorm) whose output (memory) a decoder
 * (num_decoder_layers TransformerDecoderLayers and a final LayerNorm) attends to.
 *
 * Transformer({ d_model = 512, nhead = 8, num_encoder_layers = 6, num_decoder_layers = 6,
 * dim_feedforward = 2048, dropout = 0.1, activation = "relu", custom_encoder = null,
 * custom_decoder = null, layer_norm_eps = 1e-5, batch_first = false, norm_first = false,
 * bias = true, dtype }), any leading part of them positionally in PyTorch's order
 * (`new Transformer(8, 2, 1, 1, 16, 0.0, "gelu")`; transformer_args.ts). Every parameter of more than one dim is re-initialised with
 * xavier_uniform_ (PyTorch's `_reset_parameters`), in parameter order, so a seed gives PyTorch's
 * weights. forward(src, tgt, { src_mask, tgt_mask, memory_mask, src_key_padding_mask,
 * tgt_key_padding_mask, memory_key_padding_mask, src_is_causal, tgt_is_causal, memory_is_causal }).
 * Transformer.generate_square_subsequent_mask(sz) is the causal mask (−∞ above the diagonal, 0 elsewhere).
 */
import type { DType, Tensor } from "../../tensor/tensor";
import { full } from "../../tensor/factories";
import { get_default_dtype } from "../../tensor/dtype";
import { Module } from "../module";
import { LayerNorm } from "./normalization";
import { TransformerEncoder, TransformerEncoderLayer } from "./transformer";
import type { TransformerActivation } from "./transformer";
import { TransformerDecoder, TransformerDecoderLayer } from "./transformer_decoder";
import { keywords } from "../functional/attention";
import { xavier_uniform_ } from "../init";
import { RuntimeError } from "../../optim/lr_scheduler/errors";
import { pyArgs } from "../../utils/py_args";
import type { DeviceArg } from "../positional";
import type { Positional } from "../../optim/positional";
import { TRANSFORMER_PARAMS } from "./transformer_args";

export interface TransformerArgs {
  /** Width of the model (embedding size). Default 512. */
  d_model?: number;
  /** Attention heads. Default 8. */
  nhead?: number;
  /** Encoder layers. Default 6. */
  num_encoder_layers?: number;
  /** Decoder layers. Default 6. */
  num_decoder_layers?: number;
  /** Width of the feed-forward blocks. Default 2048. */
  dim_feedforward?: number;
  /** Dropout probability. Default 0.1. */
  dropout?: number;
  /** "relu" (default), "gelu", a function of a tensor, or a module. */
  activation?: TransformerActivation;
  /** A module used as the encoder instead of the default one. */
  custom_encoder?: Module | null;
  /** A module used as the decoder instead of the default one. */
  custom_decoder?: Module | null;
  /** eps of every LayerNorm. Default 1e-5. */
  layer_norm_eps?: number;
  /** Inputs and output are [N, S, E] instead of [S, N, E]. Default false. */
  batch_first?: boolean;
  /** Pre-norm layers. Default false. */
  norm_first?: boolean;
  /** Biases in the linear layers and LayerNorms. Default true. */
  bias?: boolean;
  /** "cpu" or null: lrlab runs on the CPU. */
  device?: DeviceArg;
  /** "float32" or "float64" (default: torch.get_default_dtype()). */
  dtype?: DType | null;
}

export interface TransformerForwardArgs {
  /** [S, S] mask of the encoder's self-attention. */
  src_mask?: Tensor | null;
  /** [T, T] mask of the decoder's self-attention (causal: generate_square_subsequent_mask(T)). */
  tgt_mask?: Tensor | null;
  /** [T, S] mask of the decoder's attention to memory. */
  memory_mask?: Tensor | null;
  /** [N, S]: TRUE marks padding in src. */
  src_key_padding_mask?: Tensor | null;
  /** [N, T]: TRUE marks padding in tgt. */
  tgt_key_padding_mask?: Tensor | null;
  /** [N, S]: TRUE marks padding in memory. */
  memory_key_padding_mask?: Tensor | null;
  /** Whether src_mask is causal; default: detected. */
  src_is_causal?: boolean | null;
  /** Whether tgt_mask is causal; default: detected. */
  tgt_is_causal?: boolean | null;
  /** Whether memory_mask is causal. Default false. */
  memory_is_causal?: boolean;
}

const FORWARD = [
  "src_mask", "tgt_mask", "memory_mask", "src_key_padding_mask", "tgt_key_padding_mask", "memory_key_padding_mask",
  "src_is_causal", "tgt_is_causal", "memory_is_causal",
];

export class Transformer extends Module {
  encoder: Module;
  decoder: Module;
  d_model: number;
  nhead: number;
  batch_first: boolean;

  /** `new Transformer({ d_model: 512, nhead: 8, ... })`. */
  constructor(options?: TransformerArgs);
  /**
   * PyTorch's positional form, any leading part of (d_model, nhead, num_encoder_layers,
   * num_decoder_layers, dim_feedforward, dropout, activation, custom_encoder, custom_decoder,
   * layer_norm_eps, batch_first, norm_first, bias, device, dtype), then optionally the options:
   * `new Transformer(512, 8, 6, 6, 2048, 0.1, { batch_first: true })`.
   */
  constructor(...args: Positional<[
    d_model: number, nhead: number, num_encoder_layers: number, num_decoder_layers: number, dim_feedforward: number,
    dropout: number, activation: TransformerActivation, custom_encoder: Module | null, custom_decoder: Module | null,
    layer_norm_eps: number, batch_first: boolean, norm_first: boolean, bias: boolean, device: DeviceArg, dtype: DType | null,
  ], TransformerArgs>);
  constructor(...args: unknown[]) {
    super();
    const {
      d_model = 512, nhead = 8, num_encoder_layers = 6, num_decoder_layers = 6, dim_feedforward = 2048, dropout = 0.1,
      activation = "relu", custom_encoder = null, custom_decoder = null, layer_norm_eps = 1e-5, batch_first = false,
      norm_first = false, bias = true, dtype,
    } = pyArgs("Transformer", TRANSFORMER_PARAMS, args) as TransformerArgs;
    const layerArgs = { dim_feedforward, dropout, activation, layer_norm_eps, batch_first, norm_first, bias, dtype };
    if (custom_encoder !== null) {
      this.encoder = custom_encoder;
    } else {
      const layer = new TransformerEncoderLayer(d_model, nhead, layerArgs);
      this.encoder = new TransformerEncoder(layer, num_encoder_layers, { norm: new LayerNorm(d_model, { eps: layer_norm_eps, bias, dtype }) });
    }
    if (custom_decoder !== null) {
      this.decoder = custom_decoder;
    } else {
      const layer = new TransformerDecoderLayer(d_model, nhead, layerArgs);
      this.decoder = new TransformerDecoder(layer, num_decoder_layers, { norm: new LayerNorm(d_model, { eps: layer_norm_eps, bias, dtype }) });
    }
    this._reset_parameters();
    this.d_model = d_model;
    this.nhead = nhead;
    this.batch_first = batch_first;
  }

  /** xavier_uniform_ on every parameter of more than one dim, in parameter order (PyTorch's). */
  _reset_parameters(): void {
    for (const p of this.parameters()) if (p.dim() > 1) xavier_uniform_(p);
  }

  /**
   * src [S, N, E] (batch_first: [N, S, E]; unbatched [S, E]) through the encoder, then tgt
   * [T, N, E] through the decoder attending to its output → [T, N, E]. Options: the masks and
   * causal hints (see TransformerForwardArgs).
   */
  override forward(src: Tensor, tgt: Tensor, options: TransformerForwardArgs = {}): Tensor {
    const o = keywords("Transformer.forward", options, FORWARD);
    const is_batched = src.dim() === 3;
    if (!this.batch_first && is_batched && src.shape[1] !== tgt.shape[1]) throw RuntimeError("the batch number of src and tgt must be equal");
    if (this.batch_first && is_batched && src.shape[0] !== tgt.shape[0]) throw RuntimeError("the batch number of src and tgt must be equal");
    if (src.shape[src.dim() - 1] !== this.d_model || tgt.shape[tgt.dim() - 1] !== this.d_model) {
      throw RuntimeError("the feature number of src and tgt must be equal to d_model");
    }
    const memory = this.encoder.forward(src, {
      mask: o.src_mask ?? null, src_key_padding_mask: o.src_key_padding_mask ?? null, is_causal: o.src_is_causal ?? null,
    }) as Tensor;
    return this.decoder.forward(tgt, memory, {
      tgt_mask: o.tgt_mask ?? null, memory_mask: o.memory_mask ?? null, tgt_key_padding_mask: o.tgt_key_padding_mask ?? null,
      memory_key_padding_mask: o.memory_key_padding_mask ?? null, tgt_is_causal: o.tgt_is_causal ?? null,
      memory_is_causal: o.memory_is_causal ?? false,
    }) as Tensor;
  }

  /** The causal mask [sz, sz]: −∞ above the diagonal, 0 on and below it (float, default dtype). */
  static generate_square_subsequent_mask(sz: number, options: { dtype?: DType } = {}): Tensor {
    const dtype = options.dtype ?? get_default_dtype();
    return full([sz, sz], -Infinity, { dtype }).triu(1);
  }
}
