/**
 * The `reduction` step shared by every loss: per-element losses ℓ_i (computed in double) become
 *   "none": the tensor ℓ itself;  "sum": Σ ℓ_i;  "mean": Σ ℓ_i / D,
 * where D is the element count, or the total class weight for weighted NLL / cross-entropy.
 * In backward the upstream gradient reaching element i is then g_i, g, or g / D respectively.
 */
import { Tensor, storageFor } from "../../tensor/tensor";
import type { DType } from "../../tensor/tensor";
import type { Reduction } from "../_autograd";

/**
 * The mark of a loss reduced by "sum": a hidden (non-enumerable, symbol-keyed) `true` on the
 * output tensor, which changes no value, shape or autograd link. The tracer reads it when the loss
 * is logged (trace.ts log_loss): a trace of reduction "mean" (the default) reads lr_per_sample as
 * lr_projected/B, where the per-sample rate of a sum-reduced loss is lr_projected itself
 * (EFFECTIVE_LR.md), and says so once. `Symbol.for`: the tracer reads it without importing nn.
 * Only the loss's own output carries it: `loss.div(B)`, `loss.mean()` or `loss.item()` do not.
 */
export const SUM_REDUCED = Symbol.for("lrlab.loss.sum_reduced");

/**
 * The mark of a loss reduced by "mean": the number of samples it averages (the leading dimension of
 * its per-element losses; 1 for an unbatched input), hidden as SUM_REDUCED is. The tracer compares it
 * with a trace's declared batch_size (trace.ts): a batch of 4096 declared over a data set of 2048
 * samples read lr_per_sample as γ/4096 where each batch held 2048 (a reviewer of the notebooks).
 * A loss whose mean divides by another count gives it (`reduceLoss`'s `samples`): NLL and
 * cross-entropy divide by the targets not equal to ignore_index, or by the sum of their class
 * weights, as PyTorch does; the rows there made a padded token model read "averaged 512 samples"
 * where ~300 tokens counted (a user's pass). A loss scaled by a number (`loss.div(k)`) keeps it, with
 * the factor (tensor/loss_scale.ts): gradient accumulation's micro-batch losses.
 */
export const MEAN_SAMPLES = Symbol.for("lrlab.loss.mean_samples");

/** Marks `out` as a loss reduced by "sum" (SUM_REDUCED); losses that reduce on their own (CTC) call it too. */
export function markSumReduced(out: Tensor): Tensor {
  Object.defineProperty(out, SUM_REDUCED, { value: true });
  return out;
}

/**
 * `samples`: what MEAN_SAMPLES marks (default: the leading dimension; 1 unbatched). Classification
 * losses pass their `denom` (the non-ignored targets or their total weight, every position of a
 * [N, C, d1, ...] input counted): the count their mean divides by.
 */
export function reduceLoss(loss: Float64Array, shape: readonly number[], dtype: DType, reduction: Reduction, denom = loss.length, samples?: number): Tensor {
  if (reduction === "none") {
    const d = storageFor(dtype, loss.length);
    d.set(loss);
    return new Tensor(d, shape, dtype);
  }
  let s = 0;
  for (let i = 0; i < loss.length; i++) s += loss[i];
  const v = reduction === "sum" ? s : s / denom;
  const d = storageFor(dtype, 1);
  d[0] = v;
  const out = new Tensor(d, [], dtype);
  if (reduction === "sum") return markSumReduced(out);
  Object.defineProperty(out, MEAN_SAMPLES, { value: samples ?? (shape.length > 0 ? shape[0] : 1) });
  return out;
}

/** The upstream gradient of each element: g_i ("none"), g ("sum") or g/D ("mean"). */
export function upstream(g: Tensor, reduction: Reduction, n: number, denom = n): Float64Array {
  const out = new Float64Array(n);
  if (reduction === "none") out.set(g.data);
  else out.fill(reduction === "sum" ? g.data[0] : g.data[0] / denom);
  return out;
}
