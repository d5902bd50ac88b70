/**
 * Margin and embedding losses of torch.nn.functional (ℓ per element or per row, then reduced):
 *   margin_ranking_loss(x1, x2, y):   ℓ = max(0, −y·(x1 − x2) + margin)
 *   hinge_embedding_loss(x, y):       ℓ = x where y = 1, max(0, margin − x) where y = −1
 *                                     (PyTorch's sum of both terms for any other y)
 *   soft_margin_loss(x, y):           ℓ = log(1 + e^{−y·x})
 *   cosine_embedding_loss(x1, x2, y): ℓ = 1 − cos(x1, x2) where y = 1, max(0, cos − margin)
 *                                     where y = −1 (0 otherwise); one ℓ per row (last dim)
 *   triplet_margin_loss(a, p, n):     ℓ = max(0, margin + d(a, p) − d(a, n)),
 *                                     d(u, v) = ‖u − v + eps‖_p over the last dim; swap uses
 *                                     min(d(a, n), d(p, n))
 * Where a max(0, z) is hit at z = 0 the gradient flows (PyTorch's clamp_min backward, z ≥ 0).
 * margin_ranking_loss differentiates its target y (∂y = −(x1 − x2)), as PyTorch; the other
 * losses do not (soft_margin_loss refuses a target that requires grad, as PyTorch).
 */
import { Tensor } from "../../tensor/tensor";
import { record, sizeStr } from "../_autograd";
import type { Reduction } from "../_autograd";
import { is_grad_enabled } from "../../tensor/grad_mode";
import { RuntimeError, ValueError } from "../../optim/lr_scheduler/errors";
import { reduceLoss, upstream } from "./_reduce";
import { broadcastOrThrow } from "./loss";
import { broadcastAll, floatResult, gradOf, lossArgs, reductionArg, sizesStr, tensorArg } from "./_loss_more";
import type { Broadcast } from "./_loss_more";
import { saves } from "../../tensor/version";
import { wasm_map } from "../../tensor/transcendental_ops";
import { sigmoidOf } from "./activation";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const SELF_X0 = saves("0, x0");
const BOTH_SAVES = saves("0, 1");

export interface MarginOptions {
  margin?: number;
  reduction?: Reduction;
}

const at = (idx: Int32Array | null, i: number) => (idx ? idx[i] : i);

/**
 * Ranking loss of pairs: y = 1 means x1 should rank higher than x2, y = −1 lower.
 * ℓ = max(0, −y·(x1 − x2) + margin). `margin_ranking_loss(x1, x2, y, margin?, { reduction })`.
 */
export function margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin?: number, options?: MarginOptions): Tensor;
export function margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, options?: MarginOptions): Tensor;
export function margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  const op = "margin_ranking_loss";
  const o = lossArgs(op, [["margin", "number"]], [["reduction", "string"]], args);
  const red = reductionArg(o.reduction ?? "mean");
  const margin = (o.margin as number | undefined) ?? 0;
  tensorArg(op, input1, "input1");
  tensorArg(op, input2, "input2");
  tensorArg(op, target, "target");
  if (input1.shape.length !== input2.shape.length || input1.shape.length !== target.shape.length) {
    throw RuntimeError(
      `margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: ${sizeStr(input1.shape)}, input2: ${sizeStr(input2.shape)}, target: ${sizeStr(target.shape)} `,
    );
  }
  const dtype = floatResult(op, input1, input2, target);
  const b = broadcastAll([input1.shape, input2.shape, target.shape]);
  const [i1, i2, iy] = b.idx;
  // (copies: PyTorch's composite keeps none of its arguments, which may change in place before backward)
  const a = Float64Array.from(input1.data);
  const c = Float64Array.from(input2.data);
  const y = Float64Array.from(target.data);
  const n = b.n;
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) loss[i] = Math.max(0, -y[at(iy, i)] * (a[at(i1, i)] - c[at(i2, i)]) + margin);
  const out = reduceLoss(loss, b.shape, dtype, red);
  return record(out, "MarginRankingLossBackward", [input1, input2, target], (g, need) => {
    const up = upstream(g, red, n);
    const g1 = need[0] ? new Float64Array(a.length) : null;
    const g2 = need[1] ? new Float64Array(c.length) : null;
    const gy = need[2] ? new Float64Array(y.length) : null;
    for (let i = 0; i < n; i++) {
      const yi = y[at(iy, i)];
      const d = a[at(i1, i)] - c[at(i2, i)];
      if (!(-yi * d + margin >= 0)) continue;
      if (g1) g1[at(i1, i)] -= up[i] * yi;
      if (g2) g2[at(i2, i)] += up[i] * yi;
      if (gy) gy[at(iy, i)] -= up[i] * d;
    }
    return [g1 ? gradOf(g1, input1) : null, g2 ? gradOf(g2, input2) : null, gy ? gradOf(gy, target) : null];
  });
}

/**
 * Hinge loss for learning (dis)similarity from distances x with labels y ∈ {1, −1}:
 * ℓ = x where y = 1, max(0, margin − x) where y = −1. `hinge_embedding_loss(x, y, margin?, { reduction })`.
 */
export function hinge_embedding_loss(input: Tensor, target: Tensor, margin?: number, options?: MarginOptions): Tensor;
export function hinge_embedding_loss(input: Tensor, target: Tensor, options?: MarginOptions): Tensor;
export function hinge_embedding_loss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  const op = "hinge_embedding_loss";
  const o = lossArgs(op, [["margin", "number"]], [["reduction", "string"]], args);
  const red = reductionArg(o.reduction ?? "mean");
  const margin = (o.margin as number | undefined) ?? 1.0;
  tensorArg(op, input, "input");
  tensorArg(op, target, "target");
  const dtype = floatResult(op, input, target);
  const b = broadcastAll([input.shape, target.shape]);
  const [ix, iy] = b.idx;
  // (copies: PyTorch's composite keeps none of its arguments, which may change in place before backward)
  const x = Float64Array.from(input.data);
  const y = Float64Array.from(target.data);
  const n = b.n;
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const xi = x[at(ix, i)];
    const yi = y[at(iy, i)];
    loss[i] = (yi !== 1 ? Math.max(0, margin - xi) : 0) + (yi !== -1 ? xi : 0);
  }
  const out = reduceLoss(loss, b.shape, dtype, red);
  // The target is a selector (PyTorch's `where`): not differentiated.
  return record(out, "HingeEmbeddingLossBackward", [input], (g) => {
    const up = upstream(g, red, n);
    const gx = new Float64Array(x.length);
    for (let i = 0; i < n; i++) {
      const xi = x[at(ix, i)];
      const yi = y[at(iy, i)];
      let d = yi !== -1 ? 1 : 0;
      if (yi !== 1 && margin - xi >= 0) d -= 1;
      gx[at(ix, i)] += up[i] * d;
    }
    return [gradOf(gx, input)];
  });
}

/**
 * Two-class logistic loss: ℓ = log(1 + e^{−y·x}), y ∈ {1, −1}. `soft_margin_loss(x, y, { reduction })`.
 * Computed as softplus(−y·x) = max(z, 0) + log1p(e^{−|z|}), so it stays finite where PyTorch's
 * log1p(exp(z)) overflows to inf (z above ~88 in float32, ~709 in float64; gradient NaN there).
 */
export function soft_margin_loss(input: Tensor, target: Tensor, options?: { reduction?: Reduction }): Tensor;
export function soft_margin_loss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  const op = "soft_margin_loss";
  const o = lossArgs(op, [], [["reduction", "string"]], args);
  const red = reductionArg(o.reduction ?? "mean");
  tensorArg(op, input, "input");
  tensorArg(op, target, "target");
  if (input.dtype !== "float32" && input.dtype !== "float64") {
    throw new TypeError(`${op}(): expected a floating point input (float32 or float64), got ${input.dtype}`);
  }
  if (target.requires_grad && is_grad_enabled()) {
    throw RuntimeError("The function 'soft_margin_loss' is not differentiable with respect to argument 'target'. This input cannot have requires_grad True.");
  }
  // PyTorch writes into a tensor shaped (and typed) like the input: the target broadcasts to it.
  const s = broadcastOrThrow(input.shape, target.shape);
  if (s.length !== input.shape.length || s.some((d, i) => d !== input.shape[i])) {
    throw RuntimeError(`output with shape ${sizesStr(input.shape)} doesn't match the broadcast shape ${sizesStr(s)}`);
  }
  const b: Broadcast = broadcastAll([input.shape, target.shape]);
  const iy = b.idx[1];
  const x = input.data;
  const y = target.data;
  const n = x.length;
  const loss = new Float64Array(n);
  // exp(−|z|) from WebAssembly when large enough (tensor/transcendental_ops.ts: Math.exp's bits)
  const e = wasm_map("exp", n, (a) => { for (let i = 0; i < n; i++) a[i] = -Math.abs(-y[at(iy, i)] * x[i]); });
  for (let i = 0; i < n; i++) {
    const z = -y[at(iy, i)] * x[i];
    loss[i] = Math.max(z, 0) + Math.log1p(e !== null ? e[i] : Math.exp(-Math.abs(z)));
  }
  const out = reduceLoss(loss, input.shape, input.dtype, red);
  return record(out, "SoftMarginLossBackward0", [input], (g) => {
    const up = upstream(g, red, n);
    const gx = new Float64Array(n);
    // σ(z) below is sigmoidOf(z, exp(−|z|)): the exponential from WebAssembly when large enough
    const e = wasm_map("exp", n, (a) => { for (let i = 0; i < n; i++) a[i] = -Math.abs(-y[at(iy, i)] * x[i]); });
    for (let i = 0; i < n; i++) {
      const yi = y[at(iy, i)];
      const z = -yi * x[i];
      // ∂ℓ/∂x = −y·σ(z), σ(z) = 1/(1 + e^{−z}) written to avoid overflow.
      const sig = e !== null ? sigmoidOf(z, e[i]) : z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      gx[i] = -up[i] * yi * sig;
    }
    return [gradOf(gx, input)];
  }, SELF_X0, [target]);
}

/** PyTorch's guard added to each squared norm in cosine_embedding_loss. */
const COS_EPS = 1e-12;

/**
 * Cosine similarity loss of pairs of rows: ℓ = 1 − cos(x1, x2) where y = 1, max(0, cos − margin)
 * where y = −1, cos = x1·x2 / √((‖x1‖² + ε)(‖x2‖² + ε)), ε = 1e-12. Inputs (N, D) with y (N), or
 * (D) with a 0-d y. `cosine_embedding_loss(x1, x2, y, margin?, { reduction })`.
 */
export function cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin?: number, options?: MarginOptions): Tensor;
export function cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, options?: MarginOptions): Tensor;
export function cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  const op = "cosine_embedding_loss";
  const o = lossArgs(op, [["margin", "number"]], [["reduction", "string"]], args);
  const red = reductionArg(o.reduction ?? "mean");
  const margin = (o.margin as number | undefined) ?? 0;
  tensorArg(op, input1, "input1");
  tensorArg(op, input2, "input2");
  tensorArg(op, target, "target");
  const td = target.shape.length;
  if (td === 1) {
    if (input1.shape.length !== 2 || input2.shape.length !== 2) {
      throw RuntimeError(`1D target tensor expects 2D input tensors, but found inputs with sizes ${sizesStr(input1.shape)} and ${sizesStr(input2.shape)}.`);
    }
  } else if (td === 0) {
    if (input1.shape.length !== 1 || input2.shape.length !== 1) {
      throw RuntimeError(`0D target tensor expects 1D input tensors, but found inputs with sizes ${sizesStr(input1.shape)} and ${sizesStr(input2.shape)}.`);
    }
  } else {
    throw RuntimeError("0D or 1D target tensor expected, multi-target not supported");
  }
  const dtype = floatResult(op, input1, input2);
  const b = broadcastAll([input1.shape, input2.shape]);
  const [i1, i2] = b.idx;
  const D = b.shape[b.shape.length - 1];
  const rows = b.shape.length === 2 ? b.shape[0] : 1;
  const a = input1.data;
  const c = input2.data;
  const cos = new Float64Array(rows);
  const m1 = new Float64Array(rows);
  const m2 = new Float64Array(rows);
  const den = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let p = 0;
    let s1 = 0;
    let s2 = 0;
    for (let j = r * D; j < (r + 1) * D; j++) {
      const u = a[at(i1, j)];
      const v = c[at(i2, j)];
      p += u * v;
      s1 += u * u;
      s2 += v * v;
    }
    m1[r] = s1 + COS_EPS;
    m2[r] = s2 + COS_EPS;
    den[r] = Math.sqrt(m1[r] * m2[r]);
    cos[r] = p / den[r];
  }
  // One loss per (target, row) pair: the rows' shape broadcast with the target's.
  const cosShape = b.shape.slice(0, -1);
  const outShape = broadcastOrThrow(target.shape, cosShape);
  const ob = broadcastAll([outShape, target.shape, cosShape]);
  const [, iy, ic] = ob.idx;
  // (a copy: PyTorch's backward reads masks made of the target, not the target, which may change in place before it)
  const y = Float64Array.from(target.data);
  const n = ob.n;
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const yi = y[at(iy, i)];
    const ci = cos[at(ic, i)];
    loss[i] = yi === 1 ? 1 - ci : yi === -1 ? Math.max(0, ci - margin) : 0;
  }
  const out = reduceLoss(loss, outShape, dtype, red);
  return record(out, "CosineEmbeddingLossBackward", [input1, input2], (g, need) => {
    const up = upstream(g, red, n);
    const gc = new Float64Array(rows); // ∂L/∂cos per row
    for (let i = 0; i < n; i++) {
      const yi = y[at(iy, i)];
      const r = at(ic, i);
      if (yi === 1) gc[r] -= up[i];
      else if (yi === -1 && cos[r] - margin >= 0) gc[r] += up[i];
    }
    const g1 = need[0] ? new Float64Array(a.length) : null;
    const g2 = need[1] ? new Float64Array(c.length) : null;
    for (let r = 0; r < rows; r++) {
      const k = gc[r];
      if (k === 0) continue;
      // ∂cos/∂x1 = x2/den − cos·x1/m1, ∂cos/∂x2 = x1/den − cos·x2/m2
      for (let j = r * D; j < (r + 1) * D; j++) {
        const u = a[at(i1, j)];
        const v = c[at(i2, j)];
        if (g1) g1[at(i1, j)] += k * (v / den[r] - (cos[r] * u) / m1[r]);
        if (g2) g2[at(i2, j)] += k * (u / den[r] - (cos[r] * v) / m2[r]);
      }
    }
    return [g1 ? gradOf(g1, input1) : null, g2 ? gradOf(g2, input2) : null];
  }, BOTH_SAVES);
}

export interface TripletMarginOptions {
  margin?: number;
  p?: number;
  eps?: number;
  swap?: boolean;
  reduction?: Reduction;
}

/** ‖u − v + eps‖_p over the last dim of u, v broadcast: the distances and what backward needs. */
interface PairDist {
  b: Broadcast;
  D: number;
  dist: Float64Array;
  shape: number[];
}

function pnorm(z: ArrayLike<number>, start: number, D: number, p: number): number {
  let s = 0;
  if (p === Infinity) {
    for (let j = 0; j < D; j++) s = Math.max(s, Math.abs(z[start + j]));
    return s;
  }
  if (p === -Infinity) {
    s = Infinity;
    for (let j = 0; j < D; j++) s = Math.min(s, Math.abs(z[start + j]));
    return s;
  }
  if (p === 0) {
    for (let j = 0; j < D; j++) if (z[start + j] !== 0) s++;
    return s;
  }
  if (p === 1) {
    for (let j = 0; j < D; j++) s += Math.abs(z[start + j]);
    return s;
  }
  if (p === 2) {
    for (let j = 0; j < D; j++) s += z[start + j] * z[start + j];
    return Math.sqrt(s);
  }
  for (let j = 0; j < D; j++) s += Math.abs(z[start + j]) ** p;
  return s ** (1 / p);
}

function pairDistance(u: Tensor, v: Tensor, p: number, eps: number): PairDist & { z: Float64Array } {
  const b = broadcastAll([u.shape, v.shape]);
  const D = b.shape.length ? b.shape[b.shape.length - 1] : 1;
  const rows = D === 0 ? 0 : b.n / D;
  const z = new Float64Array(b.n);
  const [iu, iv] = b.idx;
  for (let i = 0; i < b.n; i++) z[i] = u.data[at(iu, i)] - v.data[at(iv, i)] + eps;
  const dist = new Float64Array(b.shape.length ? numel(b.shape.slice(0, -1)) : 1);
  for (let r = 0; r < rows; r++) dist[r] = pnorm(z, r * D, D, p);
  return { b, D, dist, shape: b.shape.slice(0, -1), z };
}

function numel(s: readonly number[]): number {
  let n = 1;
  for (const d of s) n *= d;
  return n;
}

/** Adds k·∂d_r/∂z into gu (+) and gv (−) for row r of a pair distance (PyTorch's norm backward). */
function pairDistBackward(pd: PairDist & { z: Float64Array }, r: number, k: number, p: number, gu: Float64Array | null, gv: Float64Array | null): void {
  const { D, z, dist } = pd;
  const d = dist[r];
  const [iu, iv] = pd.b.idx;
  const s = r * D;
  if (p === 0 || k === 0) return;
  let ties = 1;
  if (p === Infinity || p === -Infinity) {
    ties = 0;
    for (let j = 0; j < D; j++) if (Math.abs(z[s + j]) === d || Number.isNaN(z[s + j])) ties++;
  }
  for (let j = 0; j < D; j++) {
    const zj = z[s + j];
    let dz: number;
    if (p === 1) dz = Math.sign(zj);
    else if (p === 2) dz = d === 0 ? 0 : zj / d;
    else if (p === Infinity || p === -Infinity) dz = Math.abs(zj) === d || Number.isNaN(zj) ? Math.sign(zj) / ties : 0;
    else dz = d === 0 ? 0 : (Math.sign(zj) * Math.abs(zj) ** (p - 1)) / d ** (p - 1);
    const v = k * dz;
    if (gu) gu[at(iu, s + j)] += v;
    if (gv) gv[at(iv, s + j)] -= v;
  }
}

/**
 * Triplet loss: ℓ = max(0, margin + d(a, p) − d(a, n)), d(u, v) = ‖u − v + eps‖_p over the last
 * dim (inputs (N, D) or (D)); swap uses min(d(a, n), d(p, n)) as the negative distance.
 * `triplet_margin_loss(anchor, positive, negative, margin?, p?, eps?, swap?, { reduction })`.
 */
export function triplet_margin_loss(
  anchor: Tensor, positive: Tensor, negative: Tensor, margin: number, p: number, eps: number, swap?: boolean, options?: TripletMarginOptions,
): Tensor;
export function triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: number, p: number, options?: TripletMarginOptions): Tensor;
export function triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: number, options?: TripletMarginOptions): Tensor;
export function triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, options?: TripletMarginOptions): Tensor;
export function triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, ...args: unknown[]): Tensor {
  const op = "triplet_margin_loss";
  const o = lossArgs(op, [["margin", "number"], ["p", "number"], ["eps", "number"], ["swap", "boolean"]], [["reduction", "string"]], args);
  const red = reductionArg(o.reduction ?? "mean");
  const margin = (o.margin as number | undefined) ?? 1.0;
  const p = (o.p as number | undefined) ?? 2;
  const eps = (o.eps as number | undefined) ?? 1e-6;
  const swap = (o.swap as boolean | undefined) ?? false;
  tensorArg(op, anchor, "anchor");
  tensorArg(op, positive, "positive");
  tensorArg(op, negative, "negative");
  if (!(margin > 0)) throw ValueError(`margin must be greater than 0, got ${margin}`);
  const [ad, pd_, nd] = [anchor.shape.length, positive.shape.length, negative.shape.length];
  if (!(ad === pd_ && pd_ === nd)) {
    throw RuntimeError(
      `The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor ${ad}D, positive ${pd_}D, and negative ${nd}D inputs`,
    );
  }
  const dtype = floatResult(op, anchor, positive, negative);
  const dp = pairDistance(anchor, positive, p, eps);
  const dn = pairDistance(anchor, negative, p, eps);
  const ds = swap ? pairDistance(positive, negative, p, eps) : null;
  const ob = broadcastAll(ds ? [dp.shape, dn.shape, ds.shape] : [dp.shape, dn.shape]);
  const [ip, inn, isw] = ob.idx;
  const n = ob.n;
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let neg = dn.dist[at(inn, i)];
    if (ds) neg = Math.min(neg, ds.dist[at(isw ?? null, i)]);
    loss[i] = Math.max(0, margin + dp.dist[at(ip, i)] - neg);
  }
  const out = reduceLoss(loss, ob.shape, dtype, red);
  return record(out, "TripletMarginLossBackward", [anchor, positive, negative], (g, need) => {
    const up = upstream(g, red, n);
    // ∂L/∂ per distance row, then through each norm.
    const kp = new Float64Array(dp.dist.length);
    const kn = new Float64Array(dn.dist.length);
    const ks = ds ? new Float64Array(ds.dist.length) : null;
    for (let i = 0; i < n; i++) {
      const rp = at(ip, i);
      const rn = at(inn, i);
      const dneg = dn.dist[rn];
      let neg = dneg;
      let rs = -1;
      if (ds) {
        rs = at(isw ?? null, i);
        neg = Math.min(dneg, ds.dist[rs]);
      }
      if (!(margin + dp.dist[rp] - neg >= 0)) continue;
      kp[rp] += up[i];
      if (ds && ks) {
        // min's gradient: to the smaller, split in half on a tie (PyTorch's rule).
        const dsw = ds.dist[rs];
        if (dneg < dsw) kn[rn] -= up[i];
        else if (dsw < dneg) ks[rs] -= up[i];
        else {
          kn[rn] -= up[i] / 2;
          ks[rs] -= up[i] / 2;
        }
      } else kn[rn] -= up[i];
    }
    const ga = need[0] ? new Float64Array(anchor.data.length) : null;
    const gp = need[1] ? new Float64Array(positive.data.length) : null;
    const gn = need[2] ? new Float64Array(negative.data.length) : null;
    for (let r = 0; r < kp.length; r++) pairDistBackward(dp, r, kp[r], p, ga, gp);
    for (let r = 0; r < kn.length; r++) pairDistBackward(dn, r, kn[r], p, ga, gn);
    if (ds && ks) for (let r = 0; r < ks.length; r++) pairDistBackward(ds, r, ks[r], p, gp, gn);
    return [ga ? gradOf(ga, anchor) : null, gp ? gradOf(gp, positive) : null, gn ? gradOf(gn, negative) : null];
  });
}
