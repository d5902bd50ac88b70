/**
 * What PyTorch's fused TransformerEncoderLayer path (`torch._transformer_encoder_layer_fwd`) does
 * differently from the math path, for lrlab, which runs the math path only.
 *
 * PyTorch 2.13 takes that path when the layer is in eval mode, the input is batched (3-D), the
 * attention is batch_first with biases and an even number of heads, the activation is ReLU or
 * GELU, both LayerNorms have the same eps, no module of the layer has forward (pre-)hooks, and
 * gradients are off or nothing among the input and the layer's weights requires grad (so
 * `torch.no_grad()` in eval, or a frozen layer). There, the masks (after `_canonical_mask`: a bool
 * mask is already 0 / −∞, a float one is as given) are added together (`merge_masks`: the src_mask
 * expanded over the batch and heads, plus the padding mask over the keys) and then read as BOOLEAN:
 * every non-zero entry masks its key. So a float 0/1 `src_key_padding_mask` masks the 1s (the math
 * path adds 1 to those scores), and an additive float `src_mask` (a bias such as −1 or 0.5) masks
 * wherever it is not 0. A 0 / −∞ mask means the same on both paths.
 *
 * lrlab mirrors the masking: under those conditions, float masks are replaced by the boolean mask
 * the fused path reads, and the math path runs with it. Values otherwise agree to rounding. Not
 * mirrored: a query whose keys are all masked gives NaN on PyTorch's fused path and the
 * attention's zero rows (out_proj's bias) on the math path, which lrlab keeps.
 */
import type { Tensor } from "../../tensor/tensor";
import { is_grad_enabled } from "../../tensor/grad_mode";
import type { Module } from "../module";
import type { TransformerEncoderLayer } from "./transformer";

function hasHooks(m: Module): boolean {
  const r = (m as unknown as { _forward_hooks?: { pre: Map<number, unknown>; post: Map<number, unknown> } })._forward_hooks;
  return r !== undefined && r.pre.size + r.post.size > 0;
}

/** Whether PyTorch 2.13 would run `layer` on `src` through its fused path (the checks of its forward). */
export function encoderLayerFastPath(layer: TransformerEncoderLayer, src: Tensor): boolean {
  const sa = layer.self_attn;
  if (src.dim() !== 3 || layer.training || !sa.batch_first || sa.in_proj_bias === null || !sa._qkv_same_embed_dim) return false;
  if (layer.activation_relu_or_gelu === 0 || layer.norm1.eps !== layer.norm2.eps || sa.num_heads % 2 === 1) return false;
  if (layer.modules().some(hasHooks)) return false;
  if (!is_grad_enabled()) return true;
  const args = [
    src, sa.in_proj_weight, sa.in_proj_bias, sa.out_proj.weight, sa.out_proj.bias, layer.norm1.weight, layer.norm1.bias,
    layer.norm2.weight, layer.norm2.bias, layer.linear1.weight, layer.linear1.bias, layer.linear2.weight, layer.linear2.bias,
  ];
  return !args.some((t) => t !== null && t !== undefined && t.requires_grad);
}

/**
 * The fused path's masks, as the math path takes them: the canonical (float) masks added as
 * `merge_masks` adds them, then read as booleans (non-zero masks). Both masks: one boolean
 * attn_mask [N·nhead, S, S] and no padding mask; one mask: that mask as booleans.
 */
export function fusedPathMasks(attn_mask: Tensor | null, key_padding_mask: Tensor | null, src: Tensor, num_heads: number): [Tensor | null, Tensor | null] {
  if (attn_mask === null) return [null, key_padding_mask === null ? null : key_padding_mask.ne(0)];
  if (key_padding_mask === null) return [attn_mask.ne(0), null];
  const [N, S] = [src.shape[0], src.shape[1]];
  const attn4 = attn_mask.dim() === 3 ? attn_mask.reshape(N, -1, S, S) : attn_mask.reshape(1, 1, S, S);
  const merged = attn4.expand(N, num_heads, S, S).add(key_padding_mask.reshape(N, 1, 1, S));
  return [merged.ne(0).reshape(N * num_heads, S, S), null];
}
