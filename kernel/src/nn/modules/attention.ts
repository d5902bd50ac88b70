/**
 * nn.MultiheadAttention (math in functional/attention.ts: multi_head_attention_forward).
 *
 * MultiheadAttention(embed_dim, num_heads, { dropout = 0, bias = true, add_bias_kv = false,
 * add_zero_attn = false, kdim = embed_dim, vdim = embed_dim, batch_first = false, dtype }), the
 * options also positionally in PyTorch's order (`new MultiheadAttention(8, 2, 0.1)`; transformer_args.ts).
 * Parameters as PyTorch's: in_proj_weight [3E, E] and in_proj_bias [3E] (q, k, v stacked), or
 * q_proj_weight [E, E], k_proj_weight [E, kdim], v_proj_weight [E, vdim] when kdim or vdim differ
 * from E; bias_k and bias_v [1, 1, E] with add_bias_kv; out_proj, a Linear(E, E) printed as
 * PyTorch's NonDynamicallyQuantizableLinear. Initialised as PyTorch's, in its order of draws:
 * out_proj as a Linear (kaiming_uniform_ weight, uniform bias) when it is built, then
 * xavier_uniform_ on in_proj_weight (or on q, k, v_proj_weight in turn), in_proj_bias and
 * out_proj.bias set to 0, xavier_normal_ on bias_k then bias_v; so `torch.manual_seed(s)` gives
 * PyTorch's exact weights.
 *
 * forward(query, key, value, { key_padding_mask, need_weights = true, attn_mask,
 * average_attn_weights = true, is_causal = false }) → [attn_output, attn_output_weights | null].
 * Shapes: query [L, N, E] (batch_first: [N, L, E]; unbatched: [L, E]), key [S, N, kdim], value
 * [S, N, vdim]; weights [N, L, S] averaged over heads, or [N, num_heads, L, S]. Boolean masks are
 * TRUE where attention is NOT allowed (key_padding_mask: padding; attn_mask: forbidden pairs),
 * float masks are added to the scores, as PyTorch's. PyTorch's inference fast path
 * (`torch._native_multi_head_attention`) computes the same values and is not reproduced.
 */
import type { DType, Tensor } from "../../tensor/tensor";
import { Module } from "../module";
import type { Parameter } from "../parameter";
import { Linear } from "./linear";
import { canonical_mask, keywords, multi_head_attention_forward } from "../functional/attention";
import { constant_, xavier_normal_, xavier_uniform_ } from "../init";
import { emptyParam, floatDtype } from "./_util";
import { AssertionError, ValueError } from "../../optim/lr_scheduler/errors";
import { pyArgs } from "../../utils/py_args";
import type { DeviceArg } from "../positional";
import type { Positional } from "../../optim/positional";
import { MHA_PARAMS } from "./transformer_args";

/** PyTorch's Linear subclass for MultiheadAttention's out_proj (a name for its quantization tools; a Linear in every other way). */
export class NonDynamicallyQuantizableLinear extends Linear {}

export interface MultiheadAttentionArgs {
  /** Dropout probability on the attention weights (training mode only). Default 0. */
  dropout?: number;
  /** Biases on the input and output projections. Default true. */
  bias?: boolean;
  /** Learn one more key and value (bias_k, bias_v) appended to every sequence. Default false. */
  add_bias_kv?: boolean;
  /** Append a key and value of zeros to every sequence. Default false. */
  add_zero_attn?: boolean;
  /** Features of key (default embed_dim). */
  kdim?: number | null;
  /** Features of value (default embed_dim). */
  vdim?: number | null;
  /** Inputs and output are [N, L, E] instead of [L, N, E]. Default false. */
  batch_first?: boolean;
  /** "cpu" or null: lrlab runs on the CPU. */
  device?: DeviceArg;
  /** "float32" or "float64" (default: torch.get_default_dtype()). */
  dtype?: DType | null;
}

export interface MultiheadAttentionForwardArgs {
  /** [N, S] (or [S] unbatched): TRUE (or −∞) marks keys to ignore; a float mask is added. */
  key_padding_mask?: Tensor | null;
  /** Also return the attention weights. Default true. */
  need_weights?: boolean;
  /** [L, S] or [N·num_heads, L, S]: TRUE marks pairs that may NOT attend; a float mask is added. */
  attn_mask?: Tensor | null;
  /** Average the returned weights over heads. Default true. */
  average_attn_weights?: boolean;
  /** A hint that attn_mask is the causal mask (attn_mask is still required, as PyTorch's). Default false. */
  is_causal?: boolean;
}

export class MultiheadAttention extends Module {
  embed_dim: number;
  kdim: number;
  vdim: number;
  _qkv_same_embed_dim: boolean;
  num_heads: number;
  dropout: number;
  batch_first: boolean;
  head_dim: number;
  in_proj_weight: Parameter | null;
  q_proj_weight: Parameter | null;
  k_proj_weight: Parameter | null;
  v_proj_weight: Parameter | null;
  in_proj_bias: Parameter | null;
  out_proj: NonDynamicallyQuantizableLinear;
  bias_k: Parameter | null;
  bias_v: Parameter | null;
  add_zero_attn: boolean;

  /** `new MultiheadAttention(8, 2, { dropout: 0.1, batch_first: true })`. */
  constructor(embed_dim: number, num_heads: number, options?: MultiheadAttentionArgs);
  /** PyTorch's positional form: `new MultiheadAttention(8, 2, 0.1)` (dropout 0.1), then optionally the options for the rest. */
  constructor(
    embed_dim: number, num_heads: number,
    ...args: Positional<[
      dropout: number, bias: boolean, add_bias_kv: boolean, add_zero_attn: boolean, kdim: number | null, vdim: number | null,
      batch_first: boolean, device: DeviceArg, dtype: DType | null,
    ], MultiheadAttentionArgs>
  );
  constructor(embed_dim: number, num_heads: number, ...args: unknown[]) {
    super();
    const { dropout = 0, bias = true, add_bias_kv = false, add_zero_attn = false, kdim = null, vdim = null, batch_first = false, dtype } =
      pyArgs("MultiheadAttention", MHA_PARAMS, args) as MultiheadAttentionArgs;
    if (!Number.isInteger(embed_dim) || !Number.isInteger(num_heads) || embed_dim <= 0 || num_heads <= 0) {
      throw ValueError(`embed_dim and num_heads must be greater than 0, got embed_dim=${embed_dim} and num_heads=${num_heads} instead`);
    }
    const dt = floatDtype(dtype, "MultiheadAttention");
    this.embed_dim = embed_dim;
    this.kdim = kdim ?? embed_dim;
    this.vdim = vdim ?? embed_dim;
    this._qkv_same_embed_dim = this.kdim === embed_dim && this.vdim === embed_dim;
    this.num_heads = num_heads;
    this.dropout = dropout;
    this.batch_first = batch_first;
    this.head_dim = Math.floor(embed_dim / num_heads);
    if (this.head_dim * num_heads !== embed_dim) throw AssertionError("embed_dim must be divisible by num_heads");
    const E = embed_dim;
    this.in_proj_weight = this._qkv_same_embed_dim ? emptyParam([3 * E, E], dt) : null;
    this.q_proj_weight = this._qkv_same_embed_dim ? null : emptyParam([E, E], dt);
    this.k_proj_weight = this._qkv_same_embed_dim ? null : emptyParam([E, this.kdim], dt);
    this.v_proj_weight = this._qkv_same_embed_dim ? null : emptyParam([E, this.vdim], dt);
    this.in_proj_bias = bias ? emptyParam([3 * E], dt) : null;
    this.out_proj = new NonDynamicallyQuantizableLinear(E, E, { bias, dtype: dt });
    this.bias_k = add_bias_kv ? emptyParam([1, 1, E], dt) : null;
    this.bias_v = add_bias_kv ? emptyParam([1, 1, E], dt) : null;
    this.add_zero_attn = add_zero_attn;
    this._reset_parameters();
  }

  _reset_parameters(): void {
    if (this._qkv_same_embed_dim) xavier_uniform_(this.in_proj_weight!);
    else for (const w of [this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) xavier_uniform_(w!);
    if (this.in_proj_bias !== null) {
      constant_(this.in_proj_bias, 0);
      constant_(this.out_proj.bias!, 0);
    }
    if (this.bias_k !== null) xavier_normal_(this.bias_k);
    if (this.bias_v !== null) xavier_normal_(this.bias_v);
  }

  /**
   * Attention of query [L, N, E] over key [S, N, kdim] and value [S, N, vdim] (batch_first:
   * [N, L, E], ...; unbatched [L, E], ...) → [attn_output [L, N, E], attn_weights] where the
   * weights are [N, L, S] averaged over heads, [N, num_heads, L, S] with
   * average_attn_weights: false, or null with need_weights: false. Options: key_padding_mask
   * [N, S] (true at padding), attn_mask [L, S] or [N·num_heads, L, S] (boolean: true where
   * attention is *not* allowed; float: added to the scores), is_causal.
   *
   *   const [out, weights] = mha.forward(x, x, x);   // self-attention
   */
  override forward(query: Tensor, key: Tensor, value: Tensor, options: MultiheadAttentionForwardArgs = {}): [Tensor, Tensor | null] {
    options = keywords("MultiheadAttention.forward", options, ["key_padding_mask", "need_weights", "attn_mask", "average_attn_weights", "is_causal"]);
    const { need_weights = true, average_attn_weights = true, is_causal = false } = options;
    const batched = query.dim() === 3;
    const key_padding_mask = canonical_mask(options.key_padding_mask, "key_padding_mask", options.attn_mask?.dtype ?? null, "attn_mask", query.dtype, this);
    const attn_mask = canonical_mask(options.attn_mask, "attn_mask", null, "", query.dtype, this);
    if (this.batch_first && batched) {
      // [N, L, E] → [L, N, E], keeping "key is value" and "query is key" (the projections share products then)
      const [qIsK, kIsV] = [query === key, key === value];
      query = query.transpose(1, 0);
      key = qIsK ? query : key.transpose(1, 0);
      value = kIsV ? key : value.transpose(1, 0);
    }
    const separate = !this._qkv_same_embed_dim;
    const [out, weights] = multi_head_attention_forward(
      query, key, value, this.embed_dim, this.num_heads, this.in_proj_weight, this.in_proj_bias, this.bias_k, this.bias_v,
      this.add_zero_attn, this.dropout, this.out_proj.weight, this.out_proj.bias, {
        training: this.training, key_padding_mask, need_weights, attn_mask, average_attn_weights, is_causal,
        use_separate_proj_weight: separate, q_proj_weight: this.q_proj_weight, k_proj_weight: this.k_proj_weight,
        v_proj_weight: this.v_proj_weight, warn_owner: this,
      },
    );
    return [this.batch_first && batched ? out.transpose(1, 0) : out, weights];
  }
}
