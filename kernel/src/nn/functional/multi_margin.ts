/**
 * Multi-class and multi-label margin losses of torch.nn.functional, one ℓ per sample (row of C
 * classes), then reduced ("mean" divides by the number of samples):
 *   multilabel_soft_margin_loss(x, y):  ℓ = −(1/C) Σ_c w_c (y_c log σ(x_c) + (1 − y_c) log σ(−x_c))
 *       ∂x_c = w_c (σ(x_c) − y_c)/C   ∂y_c = −w_c x_c/C   (the target and weight are differentiated)
 *   multi_margin_loss(x, y):  ℓ = (1/C) Σ_{c≠y} w_y · max(0, margin − x_y + x_c)^p,  p ∈ {1, 2}
 *   multilabel_margin_loss(x, y):  ℓ = (1/C) Σ_{j ∈ J} Σ_{c ∉ J} max(0, 1 − x_{y_j} + x_c), where J
 *       is y's class indices up to the first −1
 * The class-index targets (int64) of the last two are not differentiated.
 */
import { Tensor } from "../../tensor/tensor";
import { record } from "../_autograd";
import { is_grad_enabled } from "../../tensor/grad_mode";
import type { Reduction } from "../_autograd";
import { RuntimeError, ValueError } from "../../optim/lr_scheduler/errors";
import { reduceLoss, upstream } from "./_reduce";
import { torchName } from "./linear";
import { broadcastAll, floatResult, gradOf, lossArgs, reductionArg, sizesStr, tensorArg } from "./_loss_more";
import { saves } from "../../tensor/version";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const BOTH_SAVES = saves("0, 1");
const SELF_X0 = saves("0, x0");

export interface MultilabelSoftMarginOptions {
  weight?: Tensor | null;
  reduction?: Reduction;
}

const at = (idx: Int32Array | null, i: number) => (idx ? idx[i] : i);

/** log σ(x) = −softplus(−x), stable. */
function logSigmoid(x: number): number {
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/**
 * One-vs-all logistic loss for multi-label targets y ∈ {0, 1} of shape (N, C) or (C); `weight`
 * (broadcast to the input, usually (C)) rescales each class. The loss per sample is the mean over
 * classes. `multilabel_soft_margin_loss(x, y, weight?, { reduction })`.
 */
export function multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight?: Tensor | null, options?: MultilabelSoftMarginOptions): Tensor;
export function multilabel_soft_margin_loss(input: Tensor, target: Tensor, options?: MultilabelSoftMarginOptions): Tensor;
export function multilabel_soft_margin_loss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  const op = "multilabel_soft_margin_loss";
  const o = lossArgs(op, [["weight", "tensor"]], [["reduction", "string"]], args);
  tensorArg(op, input, "input");
  tensorArg(op, target, "target");
  const weight = (o.weight as Tensor | null | undefined) ?? null;
  const dtype = weight ? floatResult(op, input, target, weight) : floatResult(op, input, target);
  if (input.shape.length === 0) {
    throw new RangeError("Dimension specified as -1 but tensor has no dimensions (multilabel_soft_margin_loss needs an input of shape (C) or (N, C))");
  }
  const b = broadcastAll(weight ? [input.shape, target.shape, weight.shape] : [input.shape, target.shape]);
  const [ix, iy, iw] = b.idx;
  // PyTorch sums over the input's last dim (counted from the front of the broadcast shape).
  const ax = input.shape.length - 1;
  const C = input.shape[ax];
  const outer = b.shape.slice(0, ax).reduce((s, d) => s * d, 1);
  const Cb = b.shape[ax];
  const inner = b.shape.slice(ax + 1).reduce((s, d) => s * d, 1);
  const x = input.data;
  const y = target.data;
  const w = weight ? weight.data : null;
  const m = outer * inner;
  const loss = new Float64Array(m);
  for (let a = 0; a < outer; a++) {
    for (let c = 0; c < Cb; c++) {
      for (let k = 0; k < inner; k++) {
        const i = (a * Cb + c) * inner + k;
        const xi = x[at(ix, i)];
        const yi = y[at(iy, i)];
        let l = -(yi * logSigmoid(xi) + (1 - yi) * logSigmoid(-xi));
        if (w) l *= w[at(iw ?? null, i)];
        loss[a * inner + k] += l;
      }
    }
  }
  for (let i = 0; i < m; i++) loss[i] /= C;
  const red = reductionArg(o.reduction ?? "mean", true);
  const outShape = [...b.shape.slice(0, ax), ...b.shape.slice(ax + 1)];
  const out = reduceLoss(loss, outShape, dtype, red);
  return record(out, "MultilabelSoftMarginLossBackward", [input, target, weight], (g, need) => {
    const up = upstream(g, red, m);
    const gx = need[0] ? new Float64Array(x.length) : null;
    const gy = need[1] ? new Float64Array(y.length) : null;
    const gw = need[2] && w ? new Float64Array(w.length) : null;
    for (let a = 0; a < outer; a++) {
      for (let c = 0; c < Cb; c++) {
        for (let k = 0; k < inner; k++) {
          const i = (a * Cb + c) * inner + k;
          const u = up[a * inner + k] / C;
          const xi = x[at(ix, i)];
          const yi = y[at(iy, i)];
          const wi = w ? w[at(iw ?? null, i)] : 1;
          if (gx) gx[at(ix, i)] += u * wi * (sigmoid(xi) - yi);
          if (gy) gy[at(iy, i)] -= u * wi * xi;
          if (gw) gw[at(iw ?? null, i)] += u * -(yi * logSigmoid(xi) + (1 - yi) * logSigmoid(-xi));
        }
      }
    }
    return [gx ? gradOf(gx, input) : null, gy ? gradOf(gy, target) : null, gw && weight ? gradOf(gw, weight) : null];
  }, BOTH_SAVES);
}

/** Rows of a (C), (N, C) or 0-d input: PyTorch's shape check for the class-margin losses. */
function frames(input: Tensor): { nframe: number; dim: number } {
  const nd = input.shape.length;
  const numel = input.data.length;
  const ok = (numel > 0 && nd <= 2) || (nd === 2 && input.shape[1] !== 0);
  if (!ok) throw RuntimeError(`Expected non-empty vector or matrix with optional 0-dim batch size, but got: ${sizesStr(input.shape)}`);
  return { nframe: nd <= 1 ? 1 : input.shape[0], dim: nd === 0 ? 1 : input.shape[nd - 1] };
}

function checkFloatInput(op: string, input: Tensor): void {
  if (input.dtype !== "float32" && input.dtype !== "float64") {
    throw new TypeError(`${op}(): expected a floating point input (float32 or float64), got ${input.dtype}`);
  }
}

function checkLongTarget(target: Tensor): void {
  if (target.dtype !== "int64") throw RuntimeError(`expected scalar type Long but found ${torchName(target.dtype)}`);
}

export interface MultiMarginOptions {
  p?: number;
  margin?: number;
  weight?: Tensor | null;
  reduction?: Reduction;
}

/**
 * Multi-class hinge loss of class indices y (N) (or a 0-d/one-element y for an input (C)):
 * ℓ = (1/C) Σ_{c≠y} w_y · max(0, margin − x_y + x_c)^p, p = 1 or 2; `weight` (C) per class.
 * `multi_margin_loss(x, y, p?, margin?, weight?, { reduction })`.
 */
export function multi_margin_loss(input: Tensor, target: Tensor, p: number, margin: number, weight?: Tensor | null, options?: MultiMarginOptions): Tensor;
export function multi_margin_loss(input: Tensor, target: Tensor, p: number, options?: MultiMarginOptions): Tensor;
export function multi_margin_loss(input: Tensor, target: Tensor, p: number, margin: number, options?: MultiMarginOptions): Tensor;
export function multi_margin_loss(input: Tensor, target: Tensor, options?: MultiMarginOptions): Tensor;
export function multi_margin_loss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  const op = "multi_margin_loss";
  const o = lossArgs(op, [["p", "number"], ["margin", "number"], ["weight", "tensor"]], [["reduction", "string"]], args);
  const red = reductionArg(o.reduction ?? "mean");
  const p = (o.p as number | undefined) ?? 1;
  const margin = (o.margin as number | undefined) ?? 1.0;
  const weight = (o.weight as Tensor | null | undefined) ?? null;
  tensorArg(op, input, "input");
  tensorArg(op, target, "target");
  if (p !== 1 && p !== 2) throw ValueError(`only p == 1 and p == 2 supported (got p=${p})`);
  if (weight && weight.shape.length !== 1) throw ValueError("weight must be one-dimensional");
  checkFloatInput(op, input);
  const { nframe, dim } = frames(input);
  if (!(target.shape.length <= 1 && target.data.length === nframe)) {
    throw RuntimeError(
      `multi_margin_loss: target tensor should be 1-D with size equal to the number of input samples (batch size). Expected target size [${nframe}], but got ${sizesStr(target.shape)}. Input has shape ${sizesStr(input.shape)}.`,
    );
  }
  if (weight && !(weight.shape.length <= 1 && weight.data.length === dim)) {
    throw RuntimeError(`inconsistent weight size, expected ${dim} but got ${sizesStr(weight.shape)}`);
  }
  checkLongTarget(target);
  if (weight && weight.requires_grad && is_grad_enabled()) {
    throw RuntimeError("The function 'multi_margin_loss' is not differentiable with respect to argument 'weight'. This input cannot have requires_grad True.");
  }
  if (weight && weight.dtype !== input.dtype) throw RuntimeError(`expected scalar type ${torchName(input.dtype)} but found ${torchName(weight.dtype)}`);
  const x = input.data;
  const y = target.data;
  const w = weight ? weight.data : null;
  for (let r = 0; r < nframe; r++) if (!(y[r] >= 0 && y[r] < dim)) throw RuntimeError(`target out of range (target ${y[r]}, ${dim} classes)`);
  const loss = new Float64Array(nframe);
  for (let r = 0; r < nframe; r++) {
    const t = y[r];
    const xt = x[r * dim + t];
    const wt = w ? w[t] : 1;
    let s = 0;
    for (let c = 0; c < dim; c++) {
      if (c === t) continue;
      const z = margin - xt + x[r * dim + c];
      if (z > 0) s += (p === 1 ? z : z * z) * wt;
    }
    loss[r] = s / dim;
  }
  const outShape = target.shape.length > 0 ? [nframe] : [];
  const out = reduceLoss(loss, red === "none" ? outShape : [nframe], input.dtype, red);
  return record(out, "MultiMarginLossBackward0", [input], (g) => {
    const up = upstream(g, red, nframe);
    const gx = new Float64Array(x.length);
    for (let r = 0; r < nframe; r++) {
      const t = y[r];
      const xt = x[r * dim + t];
      const k = (up[r] * (w ? w[t] : 1)) / dim;
      for (let c = 0; c < dim; c++) {
        if (c === t) continue;
        const z = margin - xt + x[r * dim + c];
        if (!(z > 0)) continue;
        const d = k * (p === 1 ? 1 : 2 * z);
        gx[r * dim + c] += d;
        gx[r * dim + t] -= d;
      }
    }
    return [gradOf(gx, input)];
  }, SELF_X0, [target]);
}

/**
 * Multi-label hinge loss: y holds each sample's class indices, ended by the first −1 (shape of the
 * input, (N, C) or (C)); ℓ = (1/C) Σ_{j target} Σ_{c not target} max(0, 1 − x_j + x_c).
 * `multilabel_margin_loss(x, y, { reduction })`.
 */
export function multilabel_margin_loss(input: Tensor, target: Tensor, options?: { reduction?: Reduction }): Tensor;
export function multilabel_margin_loss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  const op = "multilabel_margin_loss";
  const o = lossArgs(op, [], [["reduction", "string"]], args);
  const red = reductionArg(o.reduction ?? "mean");
  tensorArg(op, input, "input");
  tensorArg(op, target, "target");
  checkFloatInput(op, input);
  const { nframe, dim } = frames(input);
  const nd = input.shape.length;
  const okTarget =
    nd <= 1
      ? target.shape.length <= 1 && target.data.length === dim
      : target.shape.length === 2 && target.shape[0] === nframe && target.shape[1] === dim;
  if (!okTarget) throw RuntimeError(`inconsistent target size: ${sizesStr(target.shape)} for input of size: ${sizesStr(input.shape)}`);
  checkLongTarget(target);
  const x = input.data;
  const y = target.data;
  for (let i = 0; i < y.length; i++) if (!(y[i] >= -1 && y[i] < dim)) throw RuntimeError("argument #2 'target' is out of range");
  const isTarget = new Uint8Array(nframe * dim);
  const nTargets = new Int32Array(nframe);
  for (let r = 0; r < nframe; r++) {
    let j = 0;
    for (; j < dim && y[r * dim + j] >= 0; j++) isTarget[r * dim + y[r * dim + j]] = 1;
    nTargets[r] = j;
  }
  const loss = new Float64Array(nframe);
  for (let r = 0; r < nframe; r++) {
    let s = 0;
    for (let j = 0; j < nTargets[r]; j++) {
      const xt = x[r * dim + y[r * dim + j]];
      for (let c = 0; c < dim; c++) {
        if (isTarget[r * dim + c]) continue;
        const z = 1 - xt + x[r * dim + c];
        if (z > 0) s += z;
      }
    }
    loss[r] = s / dim;
  }
  const out = reduceLoss(loss, nd <= 1 ? [] : [nframe], input.dtype, red);
  return record(out, "MultilabelMarginLossBackward0", [input], (g) => {
    const up = upstream(g, red, nframe);
    const gx = new Float64Array(x.length);
    for (let r = 0; r < nframe; r++) {
      const k = up[r] / dim;
      for (let j = 0; j < nTargets[r]; j++) {
        const tj = r * dim + y[r * dim + j];
        const xt = x[tj];
        for (let c = 0; c < dim; c++) {
          if (isTarget[r * dim + c]) continue;
          if (1 - xt + x[r * dim + c] > 0) {
            gx[r * dim + c] += k;
            gx[tj] -= k;
          }
        }
      }
    }
    return [gradOf(gx, input)];
  }, SELF_X0, [target]);
}
