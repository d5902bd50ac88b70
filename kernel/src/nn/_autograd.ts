/**
 * Internal helpers for the fused ops of torch.nn.functional: each op computes its result with
 * plain loops over typed arrays and, when autograd is recording, attaches its own GradFn (one
 * node per op, so a loss or a layer costs one graph node instead of a dozen).
 */
import { Tensor, storageFor } from "../tensor/tensor";
import type { DType, Shape, Storage } from "../tensor/tensor";
import { is_grad_enabled } from "../tensor/grad_mode";
import { attach } from "../tensor/autograd";
import { RuntimeTypeError, ValueError } from "../errors";
import type { SaveSpec } from "../tensor/version";

/** True when autograd records. */
export function gradEnabled(): boolean {
  return is_grad_enabled();
}

/** A fresh tensor of `shape` and `dtype` over `data` (no grad). */
export function make(data: Storage, shape: Shape, dtype: DType): Tensor {
  return new Tensor(data, shape, dtype);
}

/** A zero-filled tensor shaped and typed like `t`. */
export function zerosLike(t: Tensor): Tensor {
  return new Tensor(storageFor(t.dtype, t.data.length), t.shape, t.dtype);
}

/**
 * Wraps `out` as the result of a differentiable op (through the engine's `attach`): if grad mode
 * is on and any input requires grad, `out` gets `requires_grad` and a GradFn. `backward` receives
 * the output's gradient and, per input, whether that input needs a gradient (skip the others).
 * `saved`: the tensors PyTorch's op saves for backward (tensor/version.ts `saves`; `x<i>` names
 * `extra[i]`), checked for in-place changes before the backward runs.
 */
export function record(
  out: Tensor,
  name: string,
  inputs: readonly (Tensor | null | undefined)[],
  backward: (grad_output: Tensor, need: boolean[]) => (Tensor | null)[],
  saved?: SaveSpec,
  extra?: readonly unknown[],
): Tensor {
  return attach(out, name, inputs, backward, true, saved, extra);
}

/** A floating dtype check with a clear error (nn ops work on float32/float64 only). */
export function checkFloat(t: Tensor, op: string, what = "input"): void {
  if (!(t instanceof Tensor)) {
    throw new TypeError(`${op}(): argument '${what}' must be Tensor, not ${describe(t)}`);
  }
  if (t.dtype !== "float32" && t.dtype !== "float64") {
    throw RuntimeTypeError(`${op}(): expected a floating point ${what} (float32 or float64), got ${t.dtype}`);
  }
}

/** Names a JS value's type the way PyTorch's argument errors do. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "Array";
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}

/** "[2, 3]" as PyTorch prints sizes in messages: "torch.Size([2, 3])". */
export function sizeStr(shape: Shape): string {
  return `torch.Size([${shape.join(", ")}])`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The dtype of a binary op's result (float64 wins), with a clear error for mixed use. */
export function resultDtype(a: Tensor, b: Tensor): DType {
  return a.dtype === "float64" || b.dtype === "float64" ? "float64" : "float32";
}

export type Reduction = "mean" | "sum" | "none";

/**
 * Validates a loss's `reduction`: PyTorch's ValueError and message (plus the allowed values);
 * the deprecated "elementwise_mean" is "mean" with PyTorch's warning.
 */
export function checkReduction(reduction: unknown): Reduction {
  if (reduction === "mean" || reduction === "sum" || reduction === "none") return reduction;
  if (reduction === "elementwise_mean") {
    console.warn("UserWarning: reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.");
    return "mean";
  }
  throw ValueError(`${String(reduction)} is not a valid value for reduction (allowed: "mean", "sum", "none")`);
}
