/**
 * nn.TransformerDecoderLayer and nn.TransformerDecoder, as PyTorch's (torch/nn/modules/transformer.py),
 * built from the same pieces as TransformerEncoderLayer (transformer.ts).
 *
 * TransformerDecoderLayer(d_model, nhead, { dim_feedforward = 2048, dropout = 0.1,
 * activation = "relu", layer_norm_eps = 1e-5, batch_first = false, norm_first = false,
 * bias = true, dtype }), the options also positionally in PyTorch's order
 * (`new TransformerDecoderLayer(8, 2, 16, 0.0)`; transformer_args.ts): self-attention over tgt, cross-attention to memory (the encoder's output),
 * then linear2(dropout(activation(linear1(x)))), each followed by dropout and added to its input:
 *   post-norm (default):  x = norm1(x + sa(x));  x = norm2(x + mha(x, mem));  x = norm3(x + ff(x))
 *   norm_first:           x = x + sa(norm1(x));  x = x + mha(norm2(x), mem);  x = x + ff(norm3(x))
 * forward(tgt, memory, { tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask,
 * tgt_is_causal = false, memory_is_causal = false }). The masks go to the attention modules as
 * given (PyTorch's decoder layer does not convert them; MultiheadAttention does).
 *
 * TransformerDecoder(decoder_layer, num_layers, { norm = null }), or `norm` positionally: `layers`, num_layers deep copies
 * of decoder_layer, run in turn, then `norm` if given. forward(tgt, memory, { ..., tgt_is_causal =
 * null, memory_is_causal = false }): without tgt_is_causal, a tgt_mask equal to the causal mask
 * (−∞ above the diagonal, 0 elsewhere) is detected as causal (PyTorch's `_detect_is_causal_mask`).
 */
import type { DType, Tensor } from "../../tensor/tensor";
import { Module } from "../module";
import { MultiheadAttention } from "./attention";
import { Linear } from "./linear";
import { Dropout } from "./dropout";
import { LayerNorm } from "./normalization";
import { ModuleList } from "./container";
import { keywords } from "../functional/attention";
import { deepcopy_module } from "../../optim/swa_utils/deepcopy";
import { activationFn, type TransformerActivation, type TransformerEncoderLayerArgs, type TransformerLayerPositional } from "./transformer";
import { pyArgs } from "../../utils/py_args";
import type { Positional } from "../../optim/positional";
import { DECODER_PARAMS, LAYER_PARAMS } from "./transformer_args";

/** TransformerDecoderLayer's keyword arguments: the same as TransformerEncoderLayer's. */
export type TransformerDecoderLayerArgs = TransformerEncoderLayerArgs;

export interface TransformerDecoderLayerForwardArgs {
  /** [T, T] or [N·nhead, T, T] over tgt: TRUE (or −∞) marks pairs that may NOT attend; a float mask is added. */
  tgt_mask?: Tensor | null;
  /** [T, S] or [N·nhead, T, S] from tgt to memory, as tgt_mask. */
  memory_mask?: Tensor | null;
  /** [N, T] (or [T]): TRUE marks padding positions of tgt. */
  tgt_key_padding_mask?: Tensor | null;
  /** [N, S] (or [S]): TRUE marks padding positions of memory. */
  memory_key_padding_mask?: Tensor | null;
  /** A hint that tgt_mask is the causal mask. Default false. */
  tgt_is_causal?: boolean;
  /** A hint that memory_mask is the causal mask. Default false. */
  memory_is_causal?: boolean;
}

const LAYER_FORWARD = [
  "tgt_mask", "memory_mask", "tgt_key_padding_mask", "memory_key_padding_mask", "tgt_is_causal", "memory_is_causal",
];

export class TransformerDecoderLayer extends Module {
  self_attn: MultiheadAttention;
  multihead_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm_first: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  activation: ((x: Tensor) => Tensor) | Module;

  /** `new TransformerDecoderLayer(8, 2, { dim_feedforward: 16, dropout: 0 })`. */
  constructor(d_model: number, nhead: number, options?: TransformerDecoderLayerArgs);
  /** PyTorch's positional form: `new TransformerDecoderLayer(8, 2, 16, 0.0)`, then optionally the options for the rest. */
  constructor(d_model: number, nhead: number, ...args: Positional<TransformerLayerPositional, TransformerDecoderLayerArgs>);
  constructor(d_model: number, nhead: number, ...args: unknown[]) {
    super();
    const {
      dim_feedforward = 2048, dropout = 0.1, activation = "relu", layer_norm_eps = 1e-5, batch_first = false,
      norm_first = false, bias = true, dtype,
    } = pyArgs("TransformerDecoderLayer", LAYER_PARAMS, args) as TransformerDecoderLayerArgs;
    this.self_attn = new MultiheadAttention(d_model, nhead, { dropout, bias, batch_first, dtype });
    this.multihead_attn = new MultiheadAttention(d_model, nhead, { dropout, bias, batch_first, dtype });
    this.linear1 = new Linear(d_model, dim_feedforward, { bias, dtype });
    this.dropout = new Dropout(dropout);
    this.linear2 = new Linear(dim_feedforward, d_model, { bias, dtype });
    this.norm_first = norm_first;
    this.norm1 = new LayerNorm(d_model, { eps: layer_norm_eps, bias, dtype });
    this.norm2 = new LayerNorm(d_model, { eps: layer_norm_eps, bias, dtype });
    this.norm3 = new LayerNorm(d_model, { eps: layer_norm_eps, bias, dtype });
    this.dropout1 = new Dropout(dropout);
    this.dropout2 = new Dropout(dropout);
    this.dropout3 = new Dropout(dropout);
    const act = typeof activation === "string" ? activationFn(activation) : (activation as TransformerActivation);
    if (typeof act !== "function" && !(act instanceof Module)) {
      throw new TypeError(`TransformerDecoderLayer: activation must be "relu", "gelu", a function or a Module, got ${String(act)}`);
    }
    this.activation = act;
  }

  /**
   * One layer: tgt [T, N, E] (batch_first: [N, T, E]; unbatched [T, E]) attending to itself and
   * to memory [S, N, E] (batch_first: [N, S, E]; unbatched [S, E]) → tgt's shape. Options: tgt_mask
   * [T, T], memory_mask [T, S] (boolean: true where attention is *not* allowed; float: added to the
   * scores), tgt_key_padding_mask [N, T], memory_key_padding_mask [N, S] (true at padding),
   * tgt_is_causal, memory_is_causal.
   */
  override forward(tgt: Tensor, memory: Tensor, options: TransformerDecoderLayerForwardArgs = {}): Tensor {
    const o = keywords("TransformerDecoderLayer.forward", options, LAYER_FORWARD);
    const tgt_mask = o.tgt_mask ?? null;
    const memory_mask = o.memory_mask ?? null;
    const tkpm = o.tgt_key_padding_mask ?? null;
    const mkpm = o.memory_key_padding_mask ?? null;
    const tgt_is_causal = o.tgt_is_causal ?? false;
    const memory_is_causal = o.memory_is_causal ?? false;
    let x = tgt;
    if (this.norm_first) {
      x = x.add(this._sa_block(this.norm1.forward(x), tgt_mask, tkpm, tgt_is_causal));
      x = x.add(this._mha_block(this.norm2.forward(x), memory, memory_mask, mkpm, memory_is_causal));
      x = x.add(this._ff_block(this.norm3.forward(x)));
    } else {
      x = this.norm1.forward(x.add(this._sa_block(x, tgt_mask, tkpm, tgt_is_causal)));
      x = this.norm2.forward(x.add(this._mha_block(x, memory, memory_mask, mkpm, memory_is_causal)));
      x = this.norm3.forward(x.add(this._ff_block(x)));
    }
    return x;
  }

  /** Self-attention block: attention over x without weights, then dropout1. */
  _sa_block(x: Tensor, attn_mask: Tensor | null, key_padding_mask: Tensor | null, is_causal = false): Tensor {
    const [out] = this.self_attn.forward(x, x, x, { attn_mask, key_padding_mask, is_causal, need_weights: false });
    return this.dropout1.forward(out);
  }

  /** Cross-attention block: x attends to mem (no weights), then dropout2. */
  _mha_block(x: Tensor, mem: Tensor, attn_mask: Tensor | null, key_padding_mask: Tensor | null, is_causal = false): Tensor {
    const [out] = this.multihead_attn.forward(x, mem, mem, { attn_mask, key_padding_mask, is_causal, need_weights: false });
    return this.dropout2.forward(out);
  }

  /** Feed-forward block: linear2(dropout(activation(linear1(x)))), then dropout3. */
  _ff_block(x: Tensor): Tensor {
    const act = this.activation;
    const h = this.linear1.forward(x);
    return this.dropout3.forward(this.linear2.forward(this.dropout.forward(act instanceof Module ? act.forward(h) : act(h))));
  }
}

export interface TransformerDecoderArgs {
  /** A final normalisation (e.g. a LayerNorm) after the last layer. Default null. */
  norm?: Module | null;
}

export interface TransformerDecoderForwardArgs extends Omit<TransformerDecoderLayerForwardArgs, "tgt_is_causal"> {
  /** Whether tgt_mask is the causal mask; default: detected from the mask. */
  tgt_is_causal?: boolean | null;
}

/** PyTorch's `_detect_is_causal_mask`: the hint if given, else whether `mask` is the size×size causal mask. */
export function detect_is_causal_mask(mask: Tensor | null, is_causal: boolean | null | undefined, size: number): boolean {
  if (is_causal !== null && is_causal !== undefined) return is_causal === true;
  if (mask === null || mask.dim() !== 2 || mask.shape[0] !== size || mask.shape[1] !== size || mask.dtype === "bool") return false;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) if (mask.data[i * size + j] !== (j > i ? -Infinity : 0)) return false;
  }
  return true;
}

export class TransformerDecoder extends Module {
  layers: ModuleList<TransformerDecoderLayer>;
  num_layers: number;
  norm: Module | null;

  /** `new TransformerDecoder(layer, 6)` or `new TransformerDecoder(layer, 6, { norm: new LayerNorm(512) })`. */
  constructor(decoder_layer: TransformerDecoderLayer, num_layers: number, options?: TransformerDecoderArgs);
  /** PyTorch's positional form: `new TransformerDecoder(layer, 6, new LayerNorm(512))`. */
  constructor(decoder_layer: TransformerDecoderLayer, num_layers: number, ...args: Positional<[norm: Module | null], TransformerDecoderArgs>);
  constructor(decoder_layer: TransformerDecoderLayer, num_layers: number, ...args: unknown[]) {
    super();
    const { norm = null } = pyArgs("TransformerDecoder", DECODER_PARAMS, args) as TransformerDecoderArgs;
    if (norm !== null && !(norm instanceof Module)) throw new TypeError(`TransformerDecoder: norm must be a Module (e.g. a LayerNorm) or null, got ${typeof norm}`);
    if (!(decoder_layer instanceof Module)) throw new TypeError("TransformerDecoder: decoder_layer must be a Module (a TransformerDecoderLayer)");
    if (!Number.isInteger(num_layers) || num_layers < 0) throw new TypeError(`TransformerDecoder: num_layers must be a non-negative integer, got ${String(num_layers)}`);
    this.layers = new ModuleList(Array.from({ length: num_layers }, () => deepcopy_module(decoder_layer, "TransformerDecoder")));
    this.num_layers = num_layers;
    this.norm = norm;
  }

  /**
   * Every layer in turn, then `norm`: tgt [T, N, E] (batch_first: [N, T, E]; unbatched [T, E]) and
   * memory [S, N, E] → tgt's shape. Options as TransformerDecoderLayer.forward's; a causal tgt_mask:
   * `nn.Transformer.generate_square_subsequent_mask(T)`.
   */
  override forward(tgt: Tensor, memory: Tensor, options: TransformerDecoderForwardArgs = {}): Tensor {
    const o = keywords("TransformerDecoder.forward", options, LAYER_FORWARD);
    const layers = [...this.layers] as TransformerDecoderLayer[];
    const batch_first = layers.length > 0 && layers[0].self_attn?.batch_first === true;
    const seq_len = tgt.dim() === 2 ? tgt.shape[0] : tgt.shape[batch_first ? 1 : 0];
    const tgt_mask = o.tgt_mask ?? null;
    const tgt_is_causal = detect_is_causal_mask(tgt_mask, o.tgt_is_causal, seq_len);
    let output = tgt;
    for (const layer of layers) {
      output = layer.forward(output, memory, {
        tgt_mask, memory_mask: o.memory_mask ?? null, tgt_key_padding_mask: o.tgt_key_padding_mask ?? null,
        memory_key_padding_mask: o.memory_key_padding_mask ?? null, tgt_is_causal, memory_is_causal: o.memory_is_causal ?? false,
      });
    }
    return this.norm !== null ? this.norm.forward(output) : output;
  }
}
