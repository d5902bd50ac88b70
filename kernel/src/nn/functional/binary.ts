/**
 * Binary cross-entropy losses (ℓ is reduced by `reduction`; w is the optional `weight`,
 * broadcast to the input's shape):
 *   binary_cross_entropy(p, y):  ℓ = -w (y·max(log p, -100) + (1 - y)·max(log(1 - p), -100))
 *       ∂ℓ/∂p = w (p - y) / max(p(1 - p), 1e-12)      ∂ℓ/∂y = w (log(1 - p) - log p)
 *   binary_cross_entropy_with_logits(x, y), with c = 1 + (pos_weight - 1)·y (c = 1 without it):
 *       ℓ = w ((1 - y)·x + c·softplus(-x)),  softplus(-x) = log1p(e^{-|x|}) + max(-x, 0)
 *       ∂ℓ/∂x = w ((1 - y) - c·σ(-x))                 ∂ℓ/∂y = w (-x + (pos_weight - 1)·softplus(-x))
 * (the logits form never takes log of a rounded probability, hence its stability).
 */
import { lossKeywords } from "../positional";
import type { LegacyReduction } from "./loss";
import { Tensor } from "../../tensor/tensor";
import { checkFloat, checkReduction, record, resultDtype, sameShape, sizeStr } from "../_autograd";
import type { Reduction } from "../_autograd";
import { expandData } from "../_broadcast";
import { reduceLoss, upstream } from "./_reduce";
import { cast } from "./linear";
import { broadcastOrThrow } from "./loss";
import { sigmoidOf, sigmoidScalar } from "./activation";
import { wasm_map } from "../../tensor/transcendental_ops";
import { saves } from "../../tensor/version";
import { RuntimeRangeError, RuntimeTypeError } from "../../errors";
import { is_floating } from "../../tensor/dtype";
import { SCALAR_TYPE_NAME } from "../../tensor/dtype";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const BOTH_SAVES = saves("0, 1");

export interface BCEOptions extends LegacyReduction {
  weight?: Tensor | null;
  reduction?: Reduction;
}

/** `w` broadcast to `shape` (as doubles), or null. */
function weightsFor(w: Tensor | null | undefined, shape: readonly number[], what: string): ArrayLike<number> | null {
  if (w === null || w === undefined) return null;
  if (!(w instanceof Tensor)) throw new TypeError(`${what} must be a Tensor or null`);
  const s = broadcastOrThrow(w.shape, shape);
  if (!sameShape(s, shape)) {
    throw new RangeError(`${what} of size ${sizeStr(w.shape)} cannot be broadcast to the input size ${sizeStr(shape)}`);
  }
  return sameShape(w.shape, shape) ? w.data : expandData(w.data, w.shape, shape);
}

export function binary_cross_entropy(
  input: Tensor,
  target: Tensor,
  options: BCEOptions = {},
): Tensor {
  lossKeywords("binary_cross_entropy", options, ["weight", "reduction"]);
  const { weight = null, reduction = "mean" } = options;
  checkFloat(input, "binary_cross_entropy", "input");
  if (target instanceof Tensor && input instanceof Tensor && !is_floating(target.dtype)) {
    // PyTorch's words: the target must have the input's (floating) dtype
    throw RuntimeTypeError(`Found dtype ${SCALAR_TYPE_NAME[target.dtype]} but expected ${SCALAR_TYPE_NAME[input.dtype]} (convert the target with .to(${JSON.stringify(input.dtype)}))`);
  }
  checkFloat(target, "binary_cross_entropy", "target");
  const red = checkReduction(reduction);
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(
      `Using a target size (${sizeStr(target.shape)}) that is different to the input size (${sizeStr(input.shape)}) is deprecated. Please ensure they have the same size.`,
    );
  }
  const w = weightsFor(weight, input.shape, "weight");
  const p = input.data;
  const y = target.data;
  const n = p.length;
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (!(p[i] >= 0 && p[i] <= 1)) throw RuntimeRangeError("all elements of input should be between 0 and 1");
    const lp = Math.max(Math.log(p[i]), -100);
    const l1p = Math.max(Math.log1p(-p[i]), -100);
    loss[i] = -(w ? w[i] : 1) * (y[i] * lp + (1 - y[i]) * l1p);
  }
  const out = reduceLoss(loss, input.shape, resultDtype(input, target), red);
  return record(out, "BinaryCrossEntropyBackward0", [input, target], (g, need) => {
    const up = upstream(g, red, n);
    const gx = need[0] ? new Float64Array(n) : null;
    const gt = need[1] ? new Float64Array(n) : null;
    for (let i = 0; i < n; i++) {
      const wi = (w ? w[i] : 1) * up[i];
      if (gx) gx[i] = (wi * (p[i] - y[i])) / Math.max((1 - p[i]) * p[i], 1e-12);
      if (gt) gt[i] = wi * (Math.max(Math.log1p(-p[i]), -100) - Math.max(Math.log(p[i]), -100));
    }
    return [
      gx ? new Tensor(cast(gx, input.dtype), input.shape, input.dtype) : null,
      gt ? new Tensor(cast(gt, target.dtype), target.shape, target.dtype) : null,
    ];
  }, BOTH_SAVES);
}

export function binary_cross_entropy_with_logits(
  input: Tensor,
  target: Tensor,
  options: BCEOptions & { pos_weight?: Tensor | null } = {},
): Tensor {
  lossKeywords("binary_cross_entropy_with_logits", options, ["weight", "reduction", "pos_weight"]);
  const { weight = null, reduction = "mean", pos_weight = null } = options;
  checkFloat(input, "binary_cross_entropy_with_logits", "input");
  checkFloat(target, "binary_cross_entropy_with_logits", "target");
  const red = checkReduction(reduction);
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(`Target size (${sizeStr(target.shape)}) must be the same as input size (${sizeStr(input.shape)})`);
  }
  const w = weightsFor(weight, input.shape, "weight");
  const pw = weightsFor(pos_weight, input.shape, "pos_weight");
  const x = input.data;
  const y = target.data;
  const n = x.length;
  const loss = new Float64Array(n);
  const sp = new Float64Array(n); // softplus(-x)
  // exp(−|x|) from WebAssembly when large enough (tensor/transcendental_ops.ts: Math.exp's bits)
  const e = wasm_map("exp", n, (a) => { for (let i = 0; i < n; i++) a[i] = -Math.abs(x[i]); });
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    sp[i] = Math.log1p(e !== null ? e[i] : Math.exp(-Math.abs(xi))) + Math.max(-xi, 0);
    const c = pw ? 1 + (pw[i] - 1) * y[i] : 1;
    loss[i] = (w ? w[i] : 1) * ((1 - y[i]) * xi + c * sp[i]);
  }
  const out = reduceLoss(loss, input.shape, resultDtype(input, target), red);
  return record(out, "BinaryCrossEntropyWithLogitsBackward0", [input, target], (g, need) => {
    const up = upstream(g, red, n);
    const gx = need[0] ? new Float64Array(n) : null;
    const gt = need[1] ? new Float64Array(n) : null;
    // sigmoidScalar(−x) = sigmoidOf(−x, exp(−|−x|)), the exponential from WebAssembly when large enough
    const e = gx ? wasm_map("exp", n, (a) => { for (let i = 0; i < n; i++) a[i] = -Math.abs(-x[i]); }) : null;
    for (let i = 0; i < n; i++) {
      const wi = (w ? w[i] : 1) * up[i];
      const c = pw ? 1 + (pw[i] - 1) * y[i] : 1;
      if (gx) gx[i] = wi * (1 - y[i] - c * (e !== null ? sigmoidOf(-x[i], e[i]) : sigmoidScalar(-x[i])));
      if (gt) gt[i] = wi * (-x[i] + (pw ? (pw[i] - 1) * sp[i] : 0));
    }
    return [
      gx ? new Tensor(cast(gx, input.dtype), input.shape, input.dtype) : null,
      gt ? new Tensor(cast(gt, target.dtype), target.shape, target.dtype) : null,
    ];
  }, BOTH_SAVES);
}
