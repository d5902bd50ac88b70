/**
 * Element-wise regression losses, for d = input - target (ℓ is reduced by `reduction`):
 *   mse_loss:        ℓ = d²                                         ∂ℓ/∂d = 2d
 *   l1_loss:         ℓ = |d|                                        ∂ℓ/∂d = sign(d)
 *   huber_loss:      ℓ = ½d² if |d| < δ, else δ(|d| - ½δ)           ∂ℓ/∂d = clamp(d, -δ, δ)
 *   smooth_l1_loss:  ℓ = ½d²/β if |d| < β, else |d| - ½β            ∂ℓ/∂d = d/β or sign(d)
 *                    (β = 0 is exactly l1_loss, as in PyTorch)
 * ∂ℓ/∂target = -∂ℓ/∂d. When the shapes differ PyTorch warns and broadcasts; so do we (the
 * gradient is summed back over the broadcast dimensions).
 * Dtypes promote as PyTorch's: an int64 (or bool) target with a float input gives the input's
 * float dtype (class labels used as regression targets); one of the two must be floating.
 */
import { Tensor } from "../../tensor/tensor";
import { checkReduction, describe, record, sameShape, sizeStr } from "../_autograd";
import type { DType } from "../../tensor/tensor";
import { promote_types } from "../../tensor/dtype";
import type { Reduction } from "../_autograd";
import { broadcastIndex, broadcastShapes } from "../_broadcast";
import { reduceLoss, upstream } from "./_reduce";
import { cast, torchName } from "./linear";
import { lossKeywords } from "../positional";
import { ValueError } from "../../errors";
import { saves } from "../../tensor/version";

// What PyTorch's derivative formulas save for these ops (tensor/version.ts)
const BOTH_SAVES = saves("0, 1");

export interface LossOptions {
  reduction?: Reduction;
}

/** PyTorch's deprecated size_average / reduce: only null here, as the loss classes (use `reduction`). */
export interface LegacyReduction {
  size_average?: null;
  reduce?: null;
}

/** mse_loss / l1_loss / huber_loss's per-element `weight` (PyTorch 2.13), the input's shape. */
export interface WeightedLossOptions extends LossOptions {
  weight?: Tensor | null;
}

/**
 * PyTorch 2.13's weighted mse / l1 / huber loss: the unreduced loss times `weight` (same size as
 * the input, else PyTorch's ValueError), then summed; "mean" divides by Σweight for mse and l1 but
 * takes the plain mean for huber (functional.py's own formulas).
 */
function weighted(op: string, unreduced: (r: Reduction) => Tensor, input: Tensor, weight: Tensor | null | undefined, reduction: Reduction, meanBySumOfWeights: boolean): Tensor {
  if (weight === null || weight === undefined) return unreduced(reduction);
  if (!(weight instanceof Tensor)) throw new TypeError(`${op}(): argument 'weight' must be Tensor or null, not ${describe(weight)}`);
  if (!sameShape(weight.shape, input.shape)) throw ValueError("Weights and input must have the same size.");
  const red = checkReduction(reduction);
  const w = unreduced("none").mul(weight);
  if (red === "none") return w;
  if (red === "sum") return w.sum();
  return meanBySumOfWeights ? w.sum().div(weight.sum()) : w.mean();
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

/** The loss's dtype: input and target promoted (PyTorch's rule), which must be floating. */
function lossDtype(op: string, input: Tensor, target: Tensor, boolOk: boolean): DType {
  for (const [t, what] of [[input, "input"], [target, "target"]] as const) {
    if (!(t instanceof Tensor)) throw new TypeError(`${op}(): argument '${what}' must be Tensor, not ${describe(t)}`);
  }
  if (!boolOk && (input.dtype === "bool" || target.dtype === "bool")) {
    throw new TypeError(
      `Subtraction, the \`-\` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the \`~\` or \`logical_not()\` operator instead. (${op}(): convert the bool tensor with .float())`,
    );
  }
  const dtype = promote_types(input.dtype, target.dtype);
  if (dtype !== "float32" && dtype !== "float64") {
    throw new TypeError(`${op}(): expected a floating point input or target (float32 or float64), got input ${input.dtype} and target ${target.dtype}`);
  }
  return dtype;
}

function pointwiseLoss(
  op: string,
  node: string,
  input: Tensor,
  target: Tensor,
  reduction: Reduction,
  f: Elementwise,
  df: Elementwise,
  { boolOk = true, huber = false }: { boolOk?: boolean; huber?: boolean } = {},
): Tensor {
  let dtype = lossDtype(op, input, target, boolOk);
  if (huber) {
    // PyTorch 2.13's huber_loss writes into a tensor of the input's dtype (no promotion).
    if (input.dtype !== "float32" && input.dtype !== "float64") {
      throw new TypeError(`result type ${torchName(dtype)} can't be cast to the desired output type ${torchName(input.dtype)} (${op} needs a floating point input)`);
    }
    dtype = input.dtype;
  }
  const red = checkReduction(reduction);
  let shape: readonly number[] = input.shape;
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
    if (huber && target.dtype !== input.dtype) {
      // PyTorch 2.13's huber_loss backward kernel takes the target in the input's dtype (an
      // int64 target, or float64 with a float32 input, works forward but not backward).
      throw new TypeError(`Found dtype ${torchName(target.dtype)} but expected ${torchName(input.dtype)} (huber_loss backward: convert the target with target.to(input.dtype))`);
    }
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
  }, (node === "L1LossBackward0" ? undefined : BOTH_SAVES));
}

export function mse_loss(input: Tensor, target: Tensor, options: WeightedLossOptions & LegacyReduction = {}): Tensor {
  lossKeywords("mse_loss", options, ["reduction", "weight"]);
  const { reduction = "mean", weight } = options;
  return weighted("mse_loss", (r) => pointwiseLoss("mse_loss", "MseLossBackward0", input, target, r, (d) => d * d, (d) => 2 * d), input, weight, reduction, true);
}

export function l1_loss(input: Tensor, target: Tensor, options: WeightedLossOptions & LegacyReduction = {}): Tensor {
  lossKeywords("l1_loss", options, ["reduction", "weight"]);
  const { reduction = "mean", weight } = options;
  // PyTorch computes l1_loss as (input - target).abs(): a bool operand is refused by the subtraction.
  return weighted("l1_loss", (r) => pointwiseLoss("l1_loss", "L1LossBackward0", input, target, r, Math.abs, Math.sign, { boolOk: false }), input, weight, reduction, true);
}

export function huber_loss(
  input: Tensor,
  target: Tensor,
  options: WeightedLossOptions & { delta?: number } = {},
): Tensor {
  // PyTorch's huber_loss has no size_average / reduce; it has `weight` (it used to be ignored).
  lossKeywords("huber_loss", options, ["reduction", "delta", "weight"], false);
  const { reduction = "mean", delta = 1.0, weight } = options;
  if (!(delta > 0)) throw new RangeError(`huber_loss does not support non-positive values for delta (got ${delta})`);
  return weighted("huber_loss", (r) => pointwiseLoss(
    "huber_loss",
    "HuberLossBackward0",
    input,
    target,
    r,
    (d) => {
      const z = Math.abs(d);
      return z < delta ? 0.5 * d * d : delta * (z - 0.5 * delta);
    },
    (d) => (d < -delta ? -delta : d > delta ? delta : d),
    { huber: true },
  ), input, weight, reduction, false);
}

export function smooth_l1_loss(
  input: Tensor,
  target: Tensor,
  options: LossOptions & LegacyReduction & { beta?: number } = {},
): Tensor {
  lossKeywords("smooth_l1_loss", options, ["reduction", "beta"]);
  const { reduction = "mean", beta = 1.0 } = options;
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
