/**
 * nn.TransformerEncoderLayer and nn.TransformerEncoder, as PyTorch's (torch/nn/modules/transformer.py).
 *
 * TransformerEncoderLayer(d_model, nhead, { dim_feedforward = 2048, dropout = 0.1,
 * activation = "relu", layer_norm_eps = 1e-5, batch_first = false, norm_first = false,
 * bias = true, dtype }), the options also positionally in PyTorch's order
 * (`new TransformerEncoderLayer(8, 2, 16, 0.0)`; transformer_args.ts): self-attention (a MultiheadAttention) and a feed-forward block
 * linear2(dropout(activation(linear1(x)))), each followed by dropout and added to its input:
 *   post-norm (default):  x = norm1(x + sa(x));         x = norm2(x + ff(x))
 *   norm_first:           x = x + sa(norm1(x));         x = x + ff(norm2(x))
 * activation: "relu" or "gelu" (stored as the function F.relu / F.gelu, which PyTorch does not
 * print), a function of a tensor, or a module (printed as the child "activation", as PyTorch's).
 * forward(src, { src_mask, src_key_padding_mask, is_causal = false }).
 *
 * TransformerEncoder(encoder_layer, num_layers, { norm = null, enable_nested_tensor = true,
 * mask_check = true }), or positionally (`new TransformerEncoder(layer, 2, new LayerNorm(8))`): `layers`, a ModuleList of num_layers deep copies of encoder_layer (PyTorch's
 * `_get_clones`, a copy.deepcopy each; here the library's module deep copy, see
 * optim/swa_utils/deepcopy.ts), run in turn, then `norm` if given.
 * forward(src, { mask, src_key_padding_mask, is_causal }); without is_causal, a mask equal to the
 * causal mask (−∞ above the diagonal) is detected as causal (PyTorch's `_detect_is_causal_mask`).
 *
 * PyTorch's fast paths (the fused `_transformer_encoder_layer_fwd` and nested tensors in inference)
 * are not run: `use_nested_tensor` is always false, and so the constructor does not warn that it is
 * (PyTorch's warning when nested tensors are asked for but cannot be used has nothing to tell
 * here). Where the fused layer path's results differ, the layer mirrors them: it reads float masks
 * as booleans (a float 0/1 src_key_padding_mask masks the 1s in eval under no_grad;
 * transformer_fastpath.ts). Not mirrored: PyTorch's nested-tensor path (a batch_first encoder
 * built with enable_nested_tensor, in eval with gradients off, given only a left-aligned padding
 * mask) returns 0 at the padded positions (before `norm`), where lrlab returns what the layers
 * compute there; positions that are not padding agree.
 */
import type { DType, Tensor } from "../../tensor/tensor";
import { Module } from "../module";
import { MultiheadAttention } from "./attention";
import { Linear } from "./linear";
import { Dropout } from "./dropout";
import { LayerNorm } from "./normalization";
import { ModuleList } from "./container";
import { GELU, ReLU } from "./activation";
import { relu, gelu } from "../functional/activation";
import { canonical_mask, keywords } from "../functional/attention";
import { deepcopy_module } from "../../optim/swa_utils/deepcopy";
import { encoderLayerFastPath, fusedPathMasks } from "./transformer_fastpath";
import { RuntimeError } from "../../optim/lr_scheduler/errors";
import { pyArgs } from "../../utils/py_args";
import type { DeviceArg } from "../positional";
import type { Positional } from "../../optim/positional";
import { ENCODER_PARAMS, LAYER_PARAMS } from "./transformer_args";

export type TransformerActivation = "relu" | "gelu" | ((x: Tensor) => Tensor) | Module;

export interface TransformerEncoderLayerArgs {
  /** Width of the feed-forward block. Default 2048. */
  dim_feedforward?: number;
  /** Dropout probability (attention weights, after attention, inside and after the feed-forward block). Default 0.1. */
  dropout?: number;
  /** "relu" (default), "gelu", a function of a tensor, or a module. */
  activation?: TransformerActivation;
  /** eps of both LayerNorms. Default 1e-5. */
  layer_norm_eps?: number;
  /** Input and output are [N, S, E] instead of [S, N, E]. Default false. */
  batch_first?: boolean;
  /** LayerNorm before attention and feed-forward (pre-norm) instead of after. Default false. */
  norm_first?: boolean;
  /** Biases in the linear layers and LayerNorms. Default true. */
  bias?: boolean;
  /** "cpu" or null: lrlab runs on the CPU. */
  device?: DeviceArg;
  /** "float32" or "float64" (default: torch.get_default_dtype()). */
  dtype?: DType | null;
}

/** The layers' positional parameters after (d_model, nhead), PyTorch's order (also TransformerDecoderLayer's). */
export type TransformerLayerPositional = [
  dim_feedforward: number, dropout: number, activation: TransformerActivation, layer_norm_eps: number, batch_first: boolean,
  norm_first: boolean, bias: boolean, device: DeviceArg, dtype: DType | null,
];

export interface TransformerEncoderLayerForwardArgs {
  /** [S, S] or [N·nhead, S, S]: TRUE (or −∞) marks pairs that may NOT attend; a float mask is added. */
  src_mask?: Tensor | null;
  /** [N, S] (or [S]): TRUE marks padding keys. */
  src_key_padding_mask?: Tensor | null;
  /** A hint that src_mask is the causal mask. Default false. */
  is_causal?: boolean;
}

/** PyTorch's `_get_activation_fn`: the function for "relu" and "gelu" (the decoder layer's too). */
export function activationFn(name: string): (x: Tensor) => Tensor {
  if (name === "relu") return relu;
  if (name === "gelu") return gelu;
  throw RuntimeError(`activation should be relu/gelu, not ${name}`);
}

export class TransformerEncoderLayer extends Module {
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm_first: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  /** 1 for ReLU, 2 for GELU, 0 otherwise (PyTorch's flag for its fused kernel). */
  activation_relu_or_gelu: number;
  activation: ((x: Tensor) => Tensor) | Module;

  /** `new TransformerEncoderLayer(8, 2, { dim_feedforward: 16, dropout: 0 })`. */
  constructor(d_model: number, nhead: number, options?: TransformerEncoderLayerArgs);
  /** PyTorch's positional form: `new TransformerEncoderLayer(8, 2, 16, 0.0)`, then optionally the options for the rest. */
  constructor(d_model: number, nhead: number, ...args: Positional<TransformerLayerPositional, TransformerEncoderLayerArgs>);
  constructor(d_model: number, nhead: number, ...args: unknown[]) {
    super();
    const {
      dim_feedforward = 2048, dropout = 0.1, activation = "relu", layer_norm_eps = 1e-5, batch_first = false,
      norm_first = false, bias = true, dtype,
    } = pyArgs("TransformerEncoderLayer", LAYER_PARAMS, args) as TransformerEncoderLayerArgs;
    this.self_attn = new MultiheadAttention(d_model, nhead, { dropout, bias, batch_first, dtype });
    this.linear1 = new Linear(d_model, dim_feedforward, { bias, dtype });
    this.dropout = new Dropout(dropout);
    this.linear2 = new Linear(dim_feedforward, d_model, { bias, dtype });
    this.norm_first = norm_first;
    this.norm1 = new LayerNorm(d_model, { eps: layer_norm_eps, bias, dtype });
    this.norm2 = new LayerNorm(d_model, { eps: layer_norm_eps, bias, dtype });
    this.dropout1 = new Dropout(dropout);
    this.dropout2 = new Dropout(dropout);
    const act = typeof activation === "string" ? activationFn(activation) : activation;
    if (typeof act !== "function" && !(act instanceof Module)) {
      throw new TypeError(`TransformerEncoderLayer: activation must be "relu", "gelu", a function or a Module, got ${String(act)}`);
    }
    this.activation_relu_or_gelu = act === relu || act instanceof ReLU ? 1 : act === gelu || act instanceof GELU ? 2 : 0;
    this.activation = act;
  }

  /**
   * One layer over src [S, N, E] (batch_first: [N, S, E]; unbatched [S, E]) → the same shape.
   * Options: src_mask [S, S] (boolean: true where attention is *not* allowed; float: added to the
   * scores), src_key_padding_mask [N, S] (true at padding), is_causal (src_mask is the causal mask).
   */
  override forward(src: Tensor, options: TransformerEncoderLayerForwardArgs = {}): Tensor {
    options = keywords("TransformerEncoderLayer.forward", options, ["src_mask", "src_key_padding_mask", "is_causal"]);
    const { is_causal = false } = options;
    let key_padding_mask = canonical_mask(options.src_key_padding_mask, "src_key_padding_mask", options.src_mask?.dtype ?? null, "src_mask", src.dtype, this);
    let attn_mask = canonical_mask(options.src_mask, "src_mask", null, "", src.dtype, this);
    // PyTorch's fused inference path reads float masks as booleans (transformer_fastpath.ts)
    const floatMask = [options.src_mask, options.src_key_padding_mask].some((m) => m && m.dtype !== "bool");
    if (floatMask && encoderLayerFastPath(this, src)) {
      [attn_mask, key_padding_mask] = fusedPathMasks(attn_mask, key_padding_mask, src, this.self_attn.num_heads);
    }
    let x = src;
    if (this.norm_first) {
      x = x.add(this._sa_block(this.norm1.forward(x), attn_mask, key_padding_mask, is_causal));
      x = x.add(this._ff_block(this.norm2.forward(x)));
    } else {
      x = this.norm1.forward(x.add(this._sa_block(x, attn_mask, key_padding_mask, is_causal)));
      x = this.norm2.forward(x.add(this._ff_block(x)));
    }
    return x;
  }

  /** Self-attention block: attention without weights, then dropout1. */
  _sa_block(x: Tensor, attn_mask: Tensor | null, key_padding_mask: Tensor | null, is_causal = false): Tensor {
    const [out] = this.self_attn.forward(x, x, x, { attn_mask, key_padding_mask, need_weights: false, is_causal });
    return this.dropout1.forward(out);
  }

  /** Feed-forward block: linear2(dropout(activation(linear1(x)))), then dropout2. */
  _ff_block(x: Tensor): Tensor {
    const act = this.activation;
    const h = this.linear1.forward(x);
    return this.dropout2.forward(this.linear2.forward(this.dropout.forward(act instanceof Module ? act.forward(h) : act(h))));
  }
}

export interface TransformerEncoderArgs {
  /** A final normalisation (e.g. a LayerNorm) after the last layer. Default null. */
  norm?: Module | null;
  /** PyTorch's nested-tensor inference path: accepted, never used by lrlab (same results but at padded positions, which PyTorch zeroes). Default true. */
  enable_nested_tensor?: boolean;
  /** PyTorch's check of the padding mask for that path: accepted, unused. Default true. */
  mask_check?: boolean;
}

export interface TransformerEncoderForwardArgs {
  /** [S, S] or [N·nhead, S, S]: TRUE (or −∞) marks pairs that may NOT attend; a float mask is added. */
  mask?: Tensor | null;
  /** [N, S] (or [S]): TRUE marks padding keys. */
  src_key_padding_mask?: Tensor | null;
  /** Whether mask is the causal mask; default: detected from the mask. */
  is_causal?: boolean | null;
}

/** PyTorch's `_detect_is_causal_mask`: the hint if given, else whether `mask` is the S×S causal mask. */
function detectCausal(mask: Tensor | null, is_causal: boolean | null | undefined, size: number): boolean {
  if (is_causal !== null && is_causal !== undefined) return is_causal === true;
  if (mask === null || mask.dim() !== 2 || mask.shape[0] !== size || mask.shape[1] !== size) return false;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) if (mask.data[i * size + j] !== (j > i ? -Infinity : 0)) return false;
  }
  return true;
}

export class TransformerEncoder extends Module {
  layers: ModuleList<TransformerEncoderLayer>;
  num_layers: number;
  norm: Module | null;
  enable_nested_tensor: boolean;
  use_nested_tensor: boolean;
  mask_check: boolean;

  /** `new TransformerEncoder(layer, 6, { norm: new LayerNorm(512) })`. */
  constructor(encoder_layer: TransformerEncoderLayer, num_layers: number, options?: TransformerEncoderArgs);
  /** PyTorch's positional form: `new TransformerEncoder(layer, 6, new LayerNorm(512))`. */
  constructor(
    encoder_layer: TransformerEncoderLayer, num_layers: number,
    ...args: Positional<[norm: Module | null, enable_nested_tensor: boolean, mask_check: boolean], TransformerEncoderArgs>
  );
  constructor(encoder_layer: TransformerEncoderLayer, num_layers: number, ...args: unknown[]) {
    super();
    const { norm = null, enable_nested_tensor = true, mask_check = true } = pyArgs("TransformerEncoder", ENCODER_PARAMS, args) as TransformerEncoderArgs;
    if (norm !== null && !(norm instanceof Module)) throw new TypeError(`TransformerEncoder: norm must be a Module (e.g. a LayerNorm) or null, got ${typeof norm}`);
    if (!(encoder_layer instanceof Module)) throw new TypeError("TransformerEncoder: encoder_layer must be a Module (a TransformerEncoderLayer)");
    if (!Number.isInteger(num_layers) || num_layers < 0) throw new TypeError(`TransformerEncoder: num_layers must be a non-negative integer, got ${String(num_layers)}`);
    this.layers = new ModuleList(Array.from({ length: num_layers }, () => deepcopy_module(encoder_layer, "TransformerEncoder")));
    this.num_layers = num_layers;
    this.norm = norm;
    this.enable_nested_tensor = enable_nested_tensor;
    this.use_nested_tensor = false;
    this.mask_check = mask_check;
  }

  /**
   * Every layer in turn, then `norm`: src [S, N, E] (batch_first: [N, S, E]; unbatched [S, E]) →
   * the same shape. Options: mask [S, S] (boolean: true where attention is *not* allowed; float:
   * added to the scores; a causal mask: `torch.full([S, S], -Infinity).triu(1)`),
   * src_key_padding_mask [N, S] (true at padding), is_causal.
   */
  override forward(src: Tensor, options: TransformerEncoderForwardArgs = {}): Tensor {
    options = keywords("TransformerEncoder.forward", options, ["mask", "src_key_padding_mask", "is_causal"]);
    const src_key_padding_mask = canonical_mask(options.src_key_padding_mask, "src_key_padding_mask", options.mask?.dtype ?? null, "mask", src.dtype, this);
    const mask = canonical_mask(options.mask, "mask", null, "", src.dtype, this);
    const layers = [...this.layers] as TransformerEncoderLayer[];
    const batch_first = layers.length > 0 && layers[0].self_attn?.batch_first === true;
    const seq_len = src.dim() === 2 ? src.shape[0] : src.shape[batch_first ? 1 : 0];
    const is_causal = detectCausal(mask, options.is_causal, seq_len);
    let output = src;
    for (const layer of layers) output = layer.forward(output, { src_mask: mask, is_causal, src_key_padding_mask });
    return this.norm !== null ? this.norm.forward(output) : output;
  }
}
