/**
 * Element-wise regression losses, for d = input - target (ℓ is reduced by `reduction`):
 *   mse_loss:        ℓ = d²                                         ∂ℓ/∂d = 2d
 *   l1_loss:         ℓ = |d|                                        ∂ℓ/∂d = sign(d)
 *   huber_loss:      ℓ = ½d² if |d| < δ, else δ(|d| - ½δ)           ∂ℓ/∂d = clamp(d, -δ, δ)
 *   smooth_l1_loss:  ℓ = ½d²/β if |d| < β, else |d| - ½β            ∂ℓ/∂d = d/β or sign(d)
 *                    (β = 0 is exactly l1_loss, as in PyTorch)
 * ∂ℓ/∂target = -∂ℓ/∂d. When the shapes differ PyTorch warns and broadcasts; so do we (the
 * gradient is summed back over the broadcast dimensions).
 */
import { Tensor } from "../../tensor/tensor";
import { checkFloat, checkReduction, record, resultDtype, sameShape, sizeStr } from "../_autograd";
import type { Reduction } from "../_autograd";
import { broadcastIndex, broadcastShapes } from "../_broadcast";
import { reduceLoss, upstream } from "./_reduce";
import { cast } from "./linear";

export interface LossOptions {
  reduction?: Reduction;
}

const warned = new Set<string>();

/** Warns once per loss that input and target sizes differ (PyTorch's UserWarning). */
function warnSize(input: Tensor, target: Tensor): void {
  const key = `${sizeStr(input.shape)}|${sizeStr(target.shape)}`;
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(
    `UserWarning: Using a target size (${sizeStr(target.shape)}) that is different to the input size (${sizeStr(input.shape)}). ` +
      "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
  );
}

/** Broadcast shape of a and b, or PyTorch's expand error naming the mismatching dimension. */
export function broadcastOrThrow(a: readonly number[], b: readonly number[]): number[] {
  const s = broadcastShapes(a, b);
  if (s) return s;
  const n = Math.max(a.length, b.length);
  for (let i = n - 1; i >= 0; i--) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(`The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`);
    }
  }
  throw new RangeError("shapes cannot be broadcast");
}

type Elementwise = (d: number) => number;

function pointwiseLoss(
  op: string,
  node: string,
  input: Tensor,
  target: Tensor,
  reduction: Reduction,
  f: Elementwise,
  df: Elementwise,
): Tensor {
  checkFloat(input, op, "input");
  checkFloat(target, op, "target");
  const red = checkReduction(reduction);
  const dtype = resultDtype(input, target);
  let shape: number[] = input.shape;
  let ix: Int32Array | null = null;
  let it: Int32Array | null = null;
  if (!sameShape(input.shape, target.shape)) {
    warnSize(input, target);
    shape = broadcastOrThrow(input.shape, target.shape);
    ix = broadcastIndex(input.shape, shape);
    it = broadcastIndex(target.shape, shape);
  }
  const x = input.data;
  const t = target.data;
  const n = ix ? ix.length : x.length;
  const diff = new Float64Array(n);
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = x[ix ? ix[i] : i] - t[it ? it[i] : i];
    diff[i] = d;
    loss[i] = f(d);
  }
  const out = reduceLoss(loss, shape, dtype, red);
  return record(out, node, [input, target], (g, need) => {
    const up = upstream(g, red, n);
    const gx = need[0] ? new Float64Array(x.length) : null;
    const gt = need[1] ? new Float64Array(t.length) : null;
    for (let i = 0; i < n; i++) {
      const v = up[i] * df(diff[i]);
      if (gx) gx[ix ? ix[i] : i] += v;
      if (gt) gt[it ? it[i] : i] -= v;
    }
    return [
      gx ? new Tensor(cast(gx, input.dtype), input.shape, input.dtype) : null,
      gt ? new Tensor(cast(gt, target.dtype), target.shape, target.dtype) : null,
    ];
  });
}

export function mse_loss(input: Tensor, target: Tensor, { reduction = "mean" }: LossOptions = {}): Tensor {
  return pointwiseLoss("mse_loss", "MseLossBackward0", input, target, reduction, (d) => d * d, (d) => 2 * d);
}

export function l1_loss(input: Tensor, target: Tensor, { reduction = "mean" }: LossOptions = {}): Tensor {
  return pointwiseLoss("l1_loss", "L1LossBackward0", input, target, reduction, Math.abs, Math.sign);
}

export function huber_loss(
  input: Tensor,
  target: Tensor,
  { reduction = "mean", delta = 1.0 }: LossOptions & { delta?: number } = {},
): Tensor {
  if (!(delta > 0)) throw new RangeError(`huber_loss does not support non-positive values for delta (got ${delta})`);
  return pointwiseLoss(
    "huber_loss",
    "HuberLossBackward0",
    input,
    target,
    reduction,
    (d) => {
      const z = Math.abs(d);
      return z < delta ? 0.5 * d * d : delta * (z - 0.5 * delta);
    },
    (d) => (d < -delta ? -delta : d > delta ? delta : d),
  );
}

export function smooth_l1_loss(
  input: Tensor,
  target: Tensor,
  { reduction = "mean", beta = 1.0 }: LossOptions & { beta?: number } = {},
): Tensor {
  if (beta < 0) throw new RangeError("smooth_l1_loss does not support negative values for beta.");
  if (beta === 0) {
    return pointwiseLoss("smooth_l1_loss", "SmoothL1LossBackward0", input, target, reduction, Math.abs, Math.sign);
  }
  return pointwiseLoss(
    "smooth_l1_loss",
    "SmoothL1LossBackward0",
    input,
    target,
    reduction,
    (d) => {
      const z = Math.abs(d);
      return z < beta ? (0.5 * d * d) / beta : z - 0.5 * beta;
    },
    (d) => (d <= -beta ? -1 : d >= beta ? 1 : d / beta),
  );
}
