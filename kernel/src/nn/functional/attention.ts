/**
 * F.scaled_dot_product_attention and F.multi_head_attention_forward (what nn.MultiheadAttention
 * computes), written with the library's differentiable ops, so autograd needs no node of its own.
 *
 * scaled_dot_product_attention(Q [..., L, E], K [..., S, E], V [..., S, Ev]) = A V with
 *   A = safe_softmax(√s·Q (√s·K)ᵀ + M),  s = scale ?? 1/√E,
 * as PyTorch's math path (aten `_scaled_dot_product_attention_math`): Q and K are each multiplied
 * by √s (a negative scale goes on Q's factor), M is the mask (a boolean mask is 0 where true, i.e.
 * where the query may attend, and −∞ where false; a float mask is added as it is; `is_causal`
 * uses the lower triangle of an L×S matrix of ones), and a row of A whose scores are all −∞ is 0
 * instead of NaN (PyTorch's `_safe_softmax`), with a zero gradient. Dropout, when p > 0, is
 * F.dropout on A (the same Bernoulli draws as PyTorch's math path for the same seed). PyTorch's
 * fused CPU kernels are an implementation detail: they agree with this path to rounding.
 *
 * multi_head_attention_forward follows torch.nn.functional's function of that name: input
 * projection (packed in_proj_weight, or q/k/v_proj_weight when kdim/vdim differ), optional
 * bias_k/bias_v and zero attention, masks made additive (a boolean attn_mask or
 * key_padding_mask is −∞ where TRUE: the opposite convention to SDPA's, as in PyTorch), heads
 * split, then either the explicit softmax path that also returns the attention weights
 * (need_weights) or scaled_dot_product_attention, and the output projection. Inputs are
 * sequence-first: [L, N, E] (or unbatched [L, E]).
 */
import { Tensor } from "../../tensor/tensor";
import type { DType } from "../../tensor/tensor";
import { cat } from "../../tensor/views";
import { where } from "../../tensor/compare";
import { ones, zeros } from "../../tensor/factories";
import { softmax } from "./activation";
import { dropout } from "./dropout";
import { linear } from "./linear";
import { pyArgs } from "../../utils/py_args";
import { nearKey } from "../../close_matches";
import { AssertionError, NotImplementedError, RuntimeError } from "../../optim/lr_scheduler/errors";
import { warn } from "../../optim/lr_scheduler/warnings";
import { rename, saves_instead } from "../../tensor/autograd";
import { saves } from "../../tensor/version";
import { C_TYPE_NAME } from "../../tensor/dtype";

/** What PyTorch's fused flash attention node saves (tensor/version.ts). */
const FLASH_SAVES = saves("x0, x1, x2, out");

export interface ScaledDotProductAttentionOptions {
  /** Bool (true = takes part in attention) or float (added to the scores); broadcast to [..., L, S]. */
  attn_mask?: Tensor | null;
  /** Dropout probability on the attention weights (applied whenever p > 0, as PyTorch's function). Default 0. */
  dropout_p?: number;
  /** Causal masking: query i attends to keys 0..i. Not together with attn_mask. Default false. */
  is_causal?: boolean;
  /** Scale of the scores; default 1/√E. */
  scale?: number | null;
  /** Grouped-query attention: not supported by lrlab (only false). */
  enable_gqa?: boolean;
}

/**
 * `options` as Python's keyword arguments of `op`: a plain object whose keys are all in `allowed`
 * (a tensor where the options belong, e.g. a mask passed positionally, or a misspelt key would
 * otherwise be ignored without a word). Returns it (an empty object when undefined).
 */
export function keywords<T extends object>(op: string, options: T | undefined, allowed: readonly string[]): T {
  if (options === undefined || options === null) return {} as T;
  if (typeof options !== "object" || Array.isArray(options) || options instanceof Tensor) {
    throw new TypeError(`${op}: pass the keyword arguments as one options object { ${allowed.join(", ")} }, got ${options instanceof Tensor ? "a Tensor" : typeof options}`);
  }
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) throw new TypeError(`${op}() got an unexpected keyword argument '${k}' (allowed: ${allowed.join(", ")})${nearKey(k, allowed)}`);
  }
  return options;
}

/** C++'s dtype names in SDPA's messages (c10's `toString` of the scalar type's C++ type). */
function cppTypeName(dtype: DType): string {
  return C_TYPE_NAME[dtype];
}

/** A boolean mask (true = take part) as the additive float mask 0 / −∞ in `dtype`. */
function additive(mask: Tensor, dtype: DType): Tensor {
  return zeros(mask.shape, { dtype }).masked_fill(mask.logical_not(), -Infinity);
}

/**
 * softmax over the last dim, with rows whose entries are all −∞ giving 0 (PyTorch's
 * `_safe_softmax`). Those rows are set to 0 before the softmax too, so no NaN enters the forward
 * or backward pass: their gradient is 0.
 */
function safeSoftmax(scores: Tensor): Tensor {
  const dead = scores.eq(-Infinity).all(-1, true);
  if (!dead.any().item()) return softmax(scores, -1);
  return where(dead, 0, softmax(where(dead, 0, scores), -1));
}

/**
 * F.scaled_dot_product_attention(query, key, value, { attn_mask, dropout_p, is_causal, scale }):
 * query [..., L, E], key [..., S, E], value [..., S, Ev] → [..., L, Ev] (batch dims broadcast).
 * attn_mask, dropout_p and is_causal may also be given positionally, in Python's order.
 */
/** After PyTorch's message that points to nn.Transformer.generate_square_subsequent_mask. */
export const CAUSAL_MASK_HINT = " (lrlab has no nn.Transformer: the same mask is torch.full([L, L], -Infinity).triu(1))";

export function scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, options?: ScaledDotProductAttentionOptions): Tensor;
export function scaled_dot_product_attention(
  query: Tensor, key: Tensor, value: Tensor, attn_mask?: Tensor | null, dropout_p?: number, is_causal?: boolean,
  options?: { scale?: number | null; enable_gqa?: boolean },
): Tensor;
export function scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, ...args: unknown[]): Tensor {
  const op = "scaled_dot_product_attention";
  const positionalMask = args.length > 0 && (args[0] instanceof Tensor || args[0] === null);
  const o = pyArgs(op, [["dropout_p", "number"], ["is_causal", "boolean"]], positionalMask ? args.slice(1) : args, ["attn_mask", "scale", "enable_gqa"]);
  if (positionalMask && o.attn_mask !== undefined) throw new TypeError(`${op}() got multiple values for argument 'attn_mask'`);
  const attn_mask = (positionalMask ? args[0] : o.attn_mask ?? null) as Tensor | null;
  const { dropout_p = 0, is_causal = false, scale = null, enable_gqa = false } = o as ScaledDotProductAttentionOptions;

  for (const [t, name] of [[query, "query"], [key, "key"], [value, "value"]] as const) {
    if (!(t instanceof Tensor)) throw new TypeError(`${op}(): argument '${name}' must be Tensor, not ${t === null ? "None" : typeof t}`);
  }
  if (query.dtype !== key.dtype || query.dtype !== value.dtype) {
    throw RuntimeError(`Expected query, key, and value to have the same dtype, but got query.dtype: ${cppTypeName(query.dtype)} key.dtype: ${cppTypeName(key.dtype)} and value.dtype: ${cppTypeName(value.dtype)} instead.`);
  }
  if (query.dim() < 2 || key.dim() < 2 || value.dim() < 2) {
    throw RuntimeError(`Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: ${query.dim()} key.dim: ${key.dim()} and value.dim: ${value.dim()} instead.`);
  }
  if (attn_mask !== null && attn_mask.dtype !== "bool" && attn_mask.dtype !== "float32" && attn_mask.dtype !== query.dtype) {
    throw RuntimeError(`Expected attn_mask dtype to be bool or float or to match query dtype, but got attn_mask.dtype: ${cppTypeName(attn_mask.dtype)} and  query.dtype: ${cppTypeName(query.dtype)} instead.`);
  }
  if (is_causal && attn_mask !== null) throw RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True");
  if (enable_gqa) throw NotImplementedError(`${op}: enable_gqa=True (grouped-query attention) is not supported by lrlab; repeat key and value along the head dim instead`);
  if (!(dropout_p >= 0 && dropout_p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${dropout_p}`);

  const L = query.shape[query.dim() - 2];
  const S = key.shape[key.dim() - 2];
  // PyTorch reports these from inside its matrix products and additions ("Expected size for first
  // two dimensions of batch2 tensor ...", "The size of tensor a (5) must match ... dimension 3"),
  // naming no argument: the same cases here say which argument and what shape it needs.
  const E = query.shape[query.dim() - 1];
  const shape = (t: Tensor) => `[${t.shape.join(", ")}]`;
  if (key.shape[key.dim() - 1] !== E) {
    throw RuntimeError(`${op}: query and key must have the same last dimension E (the scores are query · keyᵀ), got query ${shape(query)} and key ${shape(key)}`);
  }
  if (value.shape[value.dim() - 2] !== S) {
    throw RuntimeError(`${op}: key and value must have the same sequence length S (dimension -2), got key ${shape(key)} and value ${shape(value)}`);
  }
  if (attn_mask !== null) {
    const m = attn_mask.shape, n = m.length;
    if (n < 1 || (m[n - 1] !== S && m[n - 1] !== 1) || (n >= 2 && m[n - 2] !== L && m[n - 2] !== 1)) {
      throw RuntimeError(`${op}: attn_mask ${shape(attn_mask)} does not broadcast to the attention scores [..., L=${L}, S=${S}] (query ${shape(query)}, key ${shape(key)}); its last two dims must be L (or 1) and S (or 1)`);
    }
  }
  const s = scale ?? 1 / Math.sqrt(E);
  const root = Math.sqrt(Math.abs(s));
  let scores = query.mul(s < 0 ? -root : root).matmul(key.transpose(-2, -1).mul(root));
  const mask = is_causal ? additive(ones([L, S], { dtype: "bool" }).tril(), query.dtype)
    : attn_mask === null ? null
    : attn_mask.dtype === "bool" ? additive(attn_mask, query.dtype) : attn_mask;
  if (mask !== null) scores = scores.add(mask);
  let weights = safeSoftmax(scores);
  if (dropout_p > 0) weights = dropout(weights, { p: dropout_p, training: true });
  const out = weights.matmul(value);
  // Where PyTorch's CPU runs its fused flash kernel (4-D, no dropout, value's last dim E), its one
  // node saves query, key, value and the result: so does the last node here, under its name
  // (a later in-place change of any of them is then PyTorch's error in backward)
  if (query.dim() === 4 && key.dim() === 4 && value.dim() === 4 && dropout_p === 0 && value.shape[3] === E) {
    saves_instead(rename(out, "ScaledDotProductFlashAttentionForCpuBackward0"), FLASH_SAVES, [query, key, value]);
  }
  return out;
}

// ---------------------------------------------------------------- multi-head attention

/** Python's tuple and torch.Size reprs, for the messages PyTorch writes with them. */
const pyTuple = (dims: readonly number[]): string => (dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(", ")})`);
const torchSize = (dims: readonly number[]): string => `torch.Size([${dims.join(", ")}])`;
const sameDims = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** Whoever `_canonical_mask` warns for, once per message (Python's once-per-call-site default). */
const FUNCTIONAL_OWNER = {};

/**
 * PyTorch's `_canonical_mask`: a boolean mask becomes the float mask −∞ where TRUE (0 elsewhere)
 * in `dtype`; a float mask stays as it is; other dtypes are refused. With `otherDtype`, masks of
 * different dtypes warn (PyTorch deprecates mixing them).
 */
export function canonical_mask(
  mask: Tensor | null | undefined, name: string, otherDtype: DType | null, otherName: string, dtype: DType, owner: object = FUNCTIONAL_OWNER,
): Tensor | null {
  if (mask === null || mask === undefined) return null;
  if (!(mask instanceof Tensor)) throw new TypeError(`${name} must be a Tensor or null, got ${typeof mask}`);
  const isFloat = mask.dtype === "float32" || mask.dtype === "float64";
  if (mask.dtype !== "bool" && !isFloat) throw AssertionError(`only bool and floating types of ${name} are supported`);
  if (otherDtype !== null && mask.dtype !== otherDtype) {
    warn(`Support for mismatched ${name} and ${otherName} is deprecated. Use same type for both instead.`, owner);
  }
  return isFloat ? mask : zeros(mask.shape, { dtype }).masked_fill(mask, -Infinity);
}

/** The keyword arguments of F.multi_head_attention_forward. */
export interface MultiheadAttentionForwardOptions {
  training?: boolean;
  key_padding_mask?: Tensor | null;
  need_weights?: boolean;
  attn_mask?: Tensor | null;
  use_separate_proj_weight?: boolean;
  q_proj_weight?: Tensor | null;
  k_proj_weight?: Tensor | null;
  v_proj_weight?: Tensor | null;
  /** PyTorch's precomputed keys/values: not supported by lrlab (only null). */
  static_k?: Tensor | null;
  static_v?: Tensor | null;
  average_attn_weights?: boolean;
  is_causal?: boolean;
  /** (lrlab) who `_canonical_mask`'s deprecation warning is shown once for; the module passes itself. */
  warn_owner?: object;
}

/** PyTorch's `_mha_shape_check`: whether the input is batched, or its error. */
function mhaShapeCheck(query: Tensor, key: Tensor, value: Tensor, kpm: Tensor | null, attn_mask: Tensor | null, num_heads: number): boolean {
  const qd = query.dim();
  if (qd !== 2 && qd !== 3) throw AssertionError(`query should be unbatched 2D or batched 3D tensor but received ${qd}-D query tensor`);
  const batched = qd === 3;
  const what = batched ? "batched (3-D)" : "unbatched (2-D)";
  if (key.dim() !== qd || value.dim() !== qd) {
    throw AssertionError(`For ${what} \`query\`, expected \`key\` and \`value\` to be ${qd}-D but found ${key.dim()}-D and ${value.dim()}-D tensors respectively`);
  }
  if (kpm !== null && kpm.dim() !== qd - 1) {
    throw AssertionError(`For ${what} \`query\`, expected \`key_padding_mask\` to be \`None\` or ${qd - 1}-D but found ${kpm.dim()}-D tensor instead`);
  }
  if (attn_mask !== null) {
    if (attn_mask.dim() !== 2 && attn_mask.dim() !== 3) {
      throw AssertionError(`For ${what} \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${attn_mask.dim()}-D tensor instead`);
    }
    if (!batched && attn_mask.dim() === 3) {
      const expected = [num_heads, query.shape[0], key.shape[0]];
      if (!sameDims(attn_mask.shape, expected)) throw AssertionError(`Expected \`attn_mask\` shape to be ${pyTuple(expected)} but got ${torchSize(attn_mask.shape)}`);
    }
  }
  return batched;
}

/** The q, k, v projections: packed weights (one product when query, key and value are one tensor) or separate ones. */
function inProjection(
  query: Tensor, key: Tensor, value: Tensor, E: number, in_proj_bias: Tensor | null,
  packed: Tensor | null, separate: [Tensor, Tensor, Tensor] | null,
): [Tensor, Tensor, Tensor] {
  const [bq, bk, bv] = in_proj_bias === null ? [null, null, null] : in_proj_bias.chunk(3);
  if (packed !== null) {
    if (key === value && query === key) return linear(query, packed, in_proj_bias).chunk(3, -1) as [Tensor, Tensor, Tensor];
    const [wq, wk, wv] = packed.chunk(3);
    if (key === value) {
      const [k, v] = linear(key, cat([wk, wv]), in_proj_bias === null ? null : cat([bk!, bv!])).chunk(2, -1);
      return [linear(query, wq, bq), k, v];
    }
    return [linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)];
  }
  const [wq, wk, wv] = separate!;
  const inputs = [query, key, value];
  const names = ["query", "key", "value"];
  [wq, wk, wv].forEach((w, i) => {
    const expected = [E, inputs[i].shape[inputs[i].dim() - 1]];
    if (!sameDims(w.shape, expected)) throw AssertionError(`expecting ${names[i]} weights shape of ${pyTuple(expected)}, but got ${torchSize(w.shape)}`);
  });
  return [linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)];
}

/** A zero column appended to a float mask's last dim (PyTorch's `pad(mask, (0, 1))`). */
function padLast(mask: Tensor): Tensor {
  return cat([mask, zeros([...mask.shape.slice(0, -1), 1], { dtype: mask.dtype })], -1);
}

/**
 * F.multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight,
 * in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, {...}):
 * query [L, N, E] (or [L, E]), key [S, N, Ek], value [S, N, Ev] → [attn_output [L, N, E],
 * attn_output_weights [N, L, S] (averaged over heads) or [N, num_heads, L, S], or null without
 * need_weights]. See the file comment.
 */
export function multi_head_attention_forward(
  query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: number, num_heads: number,
  in_proj_weight: Tensor | null, in_proj_bias: Tensor | null, bias_k: Tensor | null, bias_v: Tensor | null,
  add_zero_attn: boolean, dropout_p: number, out_proj_weight: Tensor, out_proj_bias: Tensor | null,
  options: MultiheadAttentionForwardOptions = {},
): [Tensor, Tensor | null] {
  options = keywords("multi_head_attention_forward", options, [
    "training", "key_padding_mask", "need_weights", "attn_mask", "use_separate_proj_weight", "q_proj_weight", "k_proj_weight",
    "v_proj_weight", "static_k", "static_v", "average_attn_weights", "is_causal", "warn_owner",
  ]);
  const {
    training = true, need_weights = true, use_separate_proj_weight = false, q_proj_weight = null, k_proj_weight = null,
    v_proj_weight = null, static_k = null, static_v = null, average_attn_weights = true, warn_owner = FUNCTIONAL_OWNER,
  } = options;
  let { key_padding_mask = null, attn_mask = null, is_causal = false } = options;
  if (static_k !== null || static_v !== null) throw NotImplementedError("multi_head_attention_forward: static_k and static_v are not supported by lrlab");
  const batched = mhaShapeCheck(query, key, value, key_padding_mask, attn_mask, num_heads);
  if (!batched) {
    // (keeping "key is value" and "query is key": the projections share their products then)
    const [qIsK, kIsV] = [query === key, key === value];
    query = query.unsqueeze(1);
    key = qIsK ? query : key.unsqueeze(1);
    value = kIsV ? key : value.unsqueeze(1);
    if (key_padding_mask !== null) key_padding_mask = key_padding_mask.unsqueeze(0);
  }
  const [L, N, E] = query.shape;
  key_padding_mask = canonical_mask(key_padding_mask, "key_padding_mask", attn_mask?.dtype ?? null, "attn_mask", query.dtype, warn_owner);
  if (is_causal && attn_mask === null) {
    // PyTorch's message, then how to make the mask here: it names nn.Transformer, which lrlab does not have
    throw RuntimeError(`Need attn_mask if specifying the is_causal hint. You may use the Transformer module method \`generate_square_subsequent_mask\` to create this mask.${CAUSAL_MASK_HINT}`);
  }
  if (is_causal && key_padding_mask === null && !need_weights) {
    attn_mask = null; // SDPA applies the causal mask itself
  } else {
    attn_mask = canonical_mask(attn_mask, "attn_mask", null, "", query.dtype, warn_owner);
    if (key_padding_mask !== null) is_causal = false;
  }
  if (E !== embed_dim_to_check) throw AssertionError(`was expecting embedding dimension of ${embed_dim_to_check}, but got ${E}`);
  const head_dim = Math.floor(E / num_heads);
  if (head_dim * num_heads !== E) throw AssertionError(`embed_dim ${E} not divisible by num_heads ${num_heads}`);
  if (use_separate_proj_weight) {
    if (!sameDims(key.shape.slice(0, 2), value.shape.slice(0, 2))) {
      throw AssertionError(`key's sequence and batch dims ${torchSize(key.shape.slice(0, 2))} do not match value's ${torchSize(value.shape.slice(0, 2))}`);
    }
  } else if (!sameDims(key.shape, value.shape)) {
    throw AssertionError(`key shape ${torchSize(key.shape)} does not match value shape ${torchSize(value.shape)}`);
  }
  if (use_separate_proj_weight && (q_proj_weight === null || k_proj_weight === null || v_proj_weight === null)) {
    throw AssertionError("use_separate_proj_weight is True but q_proj_weight, k_proj_weight or v_proj_weight is None");
  }
  if (!use_separate_proj_weight && in_proj_weight === null) throw AssertionError("use_separate_proj_weight is False but in_proj_weight is None");
  let [q, k, v] = inProjection(query, key, value, E, in_proj_bias,
    use_separate_proj_weight ? null : in_proj_weight, use_separate_proj_weight ? [q_proj_weight!, k_proj_weight!, v_proj_weight!] : null);

  if (attn_mask !== null) {
    if (attn_mask.dim() === 2) {
      if (!sameDims(attn_mask.shape, [L, key.shape[0]])) {
        throw RuntimeError(`The shape of the 2D attn_mask is ${torchSize(attn_mask.shape)}, but should be ${pyTuple([L, key.shape[0]])}.`);
      }
      attn_mask = attn_mask.unsqueeze(0);
    } else if (!sameDims(attn_mask.shape, [N * num_heads, L, key.shape[0]])) {
      throw RuntimeError(`The shape of the 3D attn_mask is ${torchSize(attn_mask.shape)}, but should be ${pyTuple([N * num_heads, L, key.shape[0]])}.`);
    }
  }
  if ((bias_k === null) !== (bias_v === null)) throw AssertionError(bias_k === null ? "bias_v is set but bias_k is None" : "bias_k is set but bias_v is None");
  if (bias_k !== null && bias_v !== null) {
    // one more key and value, the learnt bias, for every sequence of the batch
    k = cat([k, bias_k.repeat(1, N, 1)]);
    v = cat([v, bias_v.repeat(1, N, 1)]);
    if (attn_mask !== null) attn_mask = padLast(attn_mask);
    if (key_padding_mask !== null) key_padding_mask = padLast(key_padding_mask);
  }
  // heads: [L, N, E] → [N·H, L, head_dim]
  q = q.reshape(L, N * num_heads, head_dim).transpose(0, 1);
  k = k.reshape(k.shape[0], N * num_heads, head_dim).transpose(0, 1);
  v = v.reshape(v.shape[0], N * num_heads, head_dim).transpose(0, 1);
  if (add_zero_attn) {
    // one more key and value of zeros
    k = cat([k, zeros([N * num_heads, 1, head_dim], { dtype: k.dtype })], 1);
    v = cat([v, zeros([N * num_heads, 1, head_dim], { dtype: v.dtype })], 1);
    if (attn_mask !== null) attn_mask = padLast(attn_mask);
    if (key_padding_mask !== null) key_padding_mask = padLast(key_padding_mask);
  }
  const S = k.shape[1];
  if (key_padding_mask !== null) {
    if (key_padding_mask.shape[0] !== N) throw AssertionError(`Expected key_padded_mask.shape[0] to be ${N}, but got ${key_padding_mask.shape[0]}`);
    if (key_padding_mask.shape[1] !== S) throw AssertionError(`Expected key_padded_mask.shape[1] to be ${S}, but got ${key_padding_mask.shape[1]}`);
    const perHead = key_padding_mask.reshape(N, 1, 1, S).expand(-1, num_heads, -1, -1).reshape(N * num_heads, 1, S);
    attn_mask = attn_mask === null ? perHead : attn_mask.add(perHead);
  }
  const p = training ? dropout_p : 0;

  let out: Tensor;
  let weights: Tensor | null = null;
  if (need_weights) {
    // the explicit path: softmax(q kᵀ/√head_dim + mask), kept as the returned weights
    let scores = q.mul(Math.sqrt(1 / head_dim)).matmul(k.transpose(-2, -1));
    if (attn_mask !== null) scores = scores.add(attn_mask);
    weights = softmax(scores, -1);
    if (p > 0) weights = dropout(weights, { p });
    out = weights.matmul(v).transpose(0, 1).reshape(L * N, E);
    weights = weights.reshape(N, num_heads, L, S);
    if (average_attn_weights) weights = weights.mean(1);
  } else {
    if (attn_mask !== null) attn_mask = attn_mask.shape[0] === 1 ? attn_mask.unsqueeze(0) : attn_mask.reshape(N, num_heads, -1, S);
    const o = scaled_dot_product_attention(
      q.reshape(N, num_heads, L, head_dim), k.reshape(N, num_heads, S, head_dim), v.reshape(N, num_heads, S, head_dim),
      { attn_mask, dropout_p: p, is_causal },
    );
    out = o.permute(2, 0, 1, 3).reshape(N * L, E);
  }
  out = linear(out, out_proj_weight, out_proj_bias).reshape(L, N, E);
  if (!batched) {
    out = out.squeeze(1);
    if (weights !== null) weights = weights.squeeze(0);
  }
  return [out, weights];
}
