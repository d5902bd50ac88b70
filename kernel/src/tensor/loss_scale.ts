/**
 * A mean-reduced loss scaled by a number keeps its mark: `loss.div(k)`, `loss.mul(1 / k)`,
 * `torch.div(loss, k)` and their in-place forms give a tensor that still carries the loss's
 * MEAN_SAMPLES (nn/functional/_reduce.ts), and LOSS_SCALE, the factor it was scaled by (composed
 * when scaled again). Both are hidden (non-enumerable, symbol-keyed): no value, shape or autograd
 * link changes.
 *
 * Why: gradient accumulation's `loss.div(k).backward()` per micro-batch, with that tensor logged
 * (`_lr_trace.log_loss(l)`), recorded 1/k of one micro-batch's loss as the step's (the tracer could
 * not tell a scaled loss from an unscaled one: a user's pass, session 19); with the factor, the
 * step's loss is the mean of the micro-batches' losses, the sum of the loss/k that PyTorch's loop
 * adds up (trace.ts microLoss). `Symbol.for`: the tracer reads it without importing tensor code.
 * A number (`loss.item() / k`) carries nothing: the tracer says so (summary_lines.ts).
 */
import type { Tensor } from "./tensor";
import type { TensorLike } from "./operand";

const MEAN_SAMPLES = Symbol.for("lrlab.loss.mean_samples");
export const LOSS_SCALE = Symbol.for("lrlab.loss.scale");

type Marked = Record<symbol, unknown>;

/**
 * `out` = `src` × `factor` (a loss divided by k: 1/k): `out` gets `src`'s MEAN_SAMPLES and the
 * composed factor, when `src` is a marked loss and the factor a finite non-zero number. Returns `out`.
 */
export function carryLossScale(src: TensorLike, out: Tensor, factor: number): Tensor {
  if (typeof src !== "object" || src === null) return out;
  const samples = (src as unknown as Marked)[MEAN_SAMPLES];
  if (typeof samples !== "number" || !Number.isFinite(factor) || factor === 0) return out;
  const before = (src as unknown as Marked)[LOSS_SCALE];
  const scale = (typeof before === "number" ? before : 1) * factor;
  if (out !== src) Object.defineProperty(out, MEAN_SAMPLES, { value: samples, configurable: true });
  Object.defineProperty(out, LOSS_SCALE, { value: scale, configurable: true });
  return out;
}

/** The factor a logged mean-reduced loss was scaled by (1: not scaled, or not a marked loss). */
export function lossScale(x: unknown): number {
  if (typeof x !== "object" || x === null) return 1;
  const s = (x as Marked)[LOSS_SCALE];
  return typeof s === "number" ? s : 1;
}
