/**
 * The tensor library: Tensor, factories, ops, autograd and grad mode, with PyTorch's names.
 *
 * Every name here becomes `torch.<name>` in a notebook, at run time and under Tab (completion reads
 * these declarations), so each is listed by name, never `export *`: the modules also export
 * helpers that other modules of the library share (check_tensor, storageFor, numelOf, from_array,
 * is_floating, ValuesIndices, ...), and those are imported from their own modules, not from here.
 */
export { Tensor } from "./tensor";
export { device } from "./device";
export type { DType, Storage, Shape, GradFn } from "./tensor";
export {
  float32, float64, int64, bool, float, double, long, int32, int16, int8, uint8, int, short, iinfo,
  type IInfo,
  get_default_dtype, set_default_dtype, promote_types, can_cast,
} from "./dtype";
export { no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode } from "./grad_mode";
export * as autograd from "./autograd_api";
export type { BackwardOptions, BackwardFn } from "./autograd";
export {
  tensor, as_tensor, zeros, ones, empty, full, zeros_like, ones_like, empty_like, full_like, arange, linspace, eye,
  scalar_tensor, is_tensor, is_floating_point, numel,
} from "./factories";
export type { SizeArgs } from "./factories";
export type { TensorOptions } from "./shape";
export { broadcast_shapes } from "./shape";
export {
  add, sub, rsub, mul, div, true_divide, floor_divide, remainder, pow, maximum, minimum, neg, negative, exp, log,
  log1p, expm1, log2, log10, sqrt, rsqrt, square, reciprocal, abs, sign, sgn, sin, cos, floor, ceil, clamp, clip,
  clamp_min, clamp_max, lerp,
} from "./elementwise";
export type { TensorLike, AlphaOptions, DivOptions, ClampBounds, ClampBound } from "./elementwise";
export { result_type } from "./operand";
export type { Scalar } from "./operand";
export {
  sum, mean, prod, std, norm, logsumexp, amax, amin, max, min, argmax, argmin, var_ as var,
} from "./reduce";
export type { ReduceOptions, VarOptions, NormOptions, DimOptions, DimsOptions } from "./reduce";
export {
  reshape, view, flatten, unflatten, squeeze, unsqueeze, expand, expand_as, broadcast_to, permute, transpose,
  swapaxes, swapdims, t, cat, concat, concatenate, stack, hstack, vstack, split, chunk, unbind, clone,
} from "./views";
export { select, narrow, index, masked_fill } from "./indexing"; // (masked_select: nonzero_forms.ts)
export type { IndexSpec } from "./indexing";
export { gather, index_select, scatter, scatter_add } from "./gather";
export { matmul, mm, bmm, mv, dot, outer } from "./linalg";
export * as linalg from "./linalg/index";
export { det, inv as inverse } from "./linalg/solve";
export { relu, leaky_relu, sigmoid, tanh, silu, softplus, gelu, softmax, log_softmax, erf } from "./activation";
export type { GeluOptions } from "./activation";
export {
  eq, ne, lt, le, gt, ge, greater, greater_equal, less, less_equal, not_equal, isfinite, isnan, isinf,
  logical_not, logical_and, logical_or, logical_xor, all, any, equal, isclose, allclose, count_nonzero, // (where, nonzero: nonzero_forms.ts)
} from "./compare";
export type { CloseOptions } from "./compare";
export {
  add_, sub_, mul_, div_, pow_, addcmul_, addcdiv_, lerp_, clamp_, clamp_min_, clamp_max_, sqrt_, exp_, log_, neg_, abs_,
  copy_, fill_, zero_, masked_fill_,
} from "./inplace"; // (not overwrite_: a helper for the random samplers, not a PyTorch name)
export {
  relu_, sigmoid_, tanh_, floor_, ceil_, round_, trunc_, fix_, frac_, sin_, cos_, reciprocal_, rsqrt_, square_, log1p_, expm1_, erf_,
} from "./inplace_unary"; // (also the methods, and sign_ scatter_ scatter_add_: methods only, as PyTorch)
export { set_printoptions, get_printoptions } from "./print";
export type { PrintOptions } from "./print";
export { cumsum, cumprod } from "./cumulative";
export type { CumOptions } from "./cumulative";
export { flip, repeat, tril, triu } from "./rearrange";
export { sort, argsort, topk } from "./sorting";
export type { SortOptions, TopkOptions } from "./sorting";
export { sparse_coo_tensor, sparse_coo, strided } from "./sparse";
export type { Layout } from "./sparse";
export { set_num_threads, get_num_threads } from "./wasm/threads";
export { save, load } from "./serialize";
export type { SaveOptions, LoadOptions } from "./serialize";
export {
  tan, asin, acos, atan, arcsin, arccos, arctan, sinh, cosh, asinh, acosh, atanh, arcsinh, arccosh, arctanh, atan2, arctan2,
  deg2rad, rad2deg, hypot, trunc, fix, frac, erfinv, signbit, nan_to_num, fmod, float_power, fmax, fmin, logaddexp,
  logaddexp2, copysign, xlogy,
} from "./math_more";
export type { NanToNumOptions } from "./math_more";
export {
  median, nanmedian, mode, quantile, nanquantile, nansum, nanmean, var_mean, std_mean, aminmax, cummax, cummin, diff,
} from "./reduce_more";
export type { DimKeepOptions, QuantileOptions, Interpolation, NanReduceOptions, DiffOptions, MinMax } from "./reduce_more";
export { logspace } from "./logspace";
export type { LogspaceOptions } from "./logspace";
export { einsum } from "./einsum";
export { tile, repeat_interleave, roll, rot90, movedim, moveaxis } from "./rearrange_more";
export type { RepeatInterleaveOptions } from "./rearrange_more";
export { meshgrid, broadcast_tensors, dstack, column_stack, row_stack, atleast_1d, atleast_2d, atleast_3d } from "./combine";
export type { MeshgridOptions } from "./combine";
export { diag, diagonal, diag_embed, trace, tril_indices, triu_indices } from "./diagonal";
export type { DiagonalOptions } from "./diagonal";
export { addmm, addmv, baddbmm, addbmm, kron, cross, cdist } from "./products";
export type { AddmmOptions, CdistOptions } from "./products";
export { index_add, index_copy, index_fill, take, take_along_dim, put } from "./index_more"; // (index_add_ etc.: methods only, as PyTorch)
export { index_put, index_put_ } from "./index_put"; // torch.index_put_ exists in PyTorch too
export type { AccumulateArg } from "./index_put";
export { unique, unique_consecutive, bincount, histc, searchsorted, bucketize } from "./unique";
export type { UniqueOptions, BincountOptions, HistcOptions, SearchsortedOptions } from "./unique";
export {
  bitwise_and, bitwise_or, bitwise_xor, bitwise_not, bitwise_left_shift, bitwise_right_shift, gcd, lcm,
} from "./bitwise";
export { addcmul, addcdiv, logit, erfc, exp2, sinc, heaviside, lgamma, digamma } from "./special_math";
export { logcumsumexp, kthvalue, msort, isin } from "./order_more";
export type { KthvalueOptions, IsinOptions } from "./order_more";
export { tensor_split } from "./tensor_split";
export { dist, renorm } from "./norms_more";
export { where, nonzero, argwhere, masked_select } from "./nonzero_forms";
export type { NonzeroOptions } from "./nonzero_forms";
export { round } from "./round_decimals";
export { cov, corrcoef } from "./stats";
export type { CovOptions } from "./stats";
export { tensordot, inner } from "./products_more";
export type { TensordotDims } from "./products_more";
export { block_diag, cartesian_prod } from "./combine_more";
