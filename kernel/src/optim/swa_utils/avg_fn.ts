/**
 * The averaging functions of `torch.optim.swa_utils`, as PyTorch 2.13 defines them.
 *
 * Two shapes, as in PyTorch:
 *
 * - an `avg_fn(averaged_param, current_param, num_averaged)` returns the new average of one
 *   tensor (AveragedModel copies it into the averaged parameter);
 * - a `multi_avg_fn(averaged_param_list, current_param_list, num_averaged)` updates a list of
 *   averaged tensors in place (PyTorch's `torch._foreach_*` form; one list per dtype).
 *
 * `num_averaged` is AveragedModel's `n_averaged` buffer, a 0-dim int64 tensor counting the models
 * averaged so far (it reads as a number: `Number(n)`, `n + 1`).
 *
 * Integer tensors (BatchNorm's `num_batches_tracked` when AveragedModel has `use_buffers: true`)
 * go through the same arithmetic as PyTorch (the float result is truncated back into the int64
 * tensor), including PyTorch's error for `get_swa_multi_avg_fn` on them.
 */
import { Tensor } from "../../tensor/tensor";
import { no_grad } from "../../tensor/grad_mode";
import { RuntimeError, TypeError_, ValueError } from "../lr_scheduler/errors";

/** One tensor's new average: `avg_fn(averaged_param, current_param, num_averaged)`. */
export type AvgFn = (averaged_param: Tensor, current_param: Tensor, num_averaged: Tensor | number) => Tensor;

/** Updates the averaged tensors in place: `multi_avg_fn(averaged_param_list, current_param_list, num_averaged)`. */
export type MultiAvgFn = (averaged_param_list: Tensor[], current_param_list: Tensor[], num_averaged: Tensor | number) => void;

const isFloating = (t: Tensor): boolean => t.dtype === "float32" || t.dtype === "float64";

/** `decay` given as a number (`get_ema_avg_fn(0.9)`) or as Python's keyword (`{ decay: 0.9 }`). */
function decayOf(fn: string, decay: number | { decay?: number } | undefined): number {
  let d: unknown = decay;
  if (d !== null && typeof d === "object" && !Array.isArray(d)) {
    const keys = Object.keys(d);
    const bad = keys.find((k) => k !== "decay");
    if (bad !== undefined) throw TypeError_(`${fn}() got an unexpected keyword argument '${bad}'; accepted: decay`);
    d = (d as { decay?: number }).decay;
  }
  if (d === undefined || d === null) d = 0.999;
  // PyTorch: `if decay < 0.0 or decay > 1.0: raise ValueError(...)`; a non-number (or NaN) is
  // rejected too, with the same words, instead of averaging to NaN later.
  if (typeof d !== "number" || Number.isNaN(d) || d < 0 || d > 1) {
    throw ValueError(`Invalid decay value ${String(d)} provided. Please provide a value in [0,1] range.`);
  }
  return d;
}

/**
 * `self.lerp_(end, weight)` as PyTorch's CPU kernel computes it: `self + w·(end − self)` for
 * w < 0.5, `end − (end − self)·(1 − w)` otherwise (the form that is exact at w = 1).
 */
function lerpInPlace(self: Tensor, end: Tensor, weight: number): void {
  if (weight < 0.5) self.lerp_(end, weight);
  else self.copy_(end.sub(end.sub(self).mul(1 - weight)));
}

/**
 * Exponential moving average over a list of tensors (in place), PyTorch's
 * `get_ema_multi_avg_fn(decay=0.999)`:
 *
 *   W_0^EMA = W_0^model      (AveragedModel's first update_parameters copies the model)
 *   W_{t+1}^EMA = decay · W_t^EMA + (1 − decay) · W_{t+1}^model
 *
 * computed as `lerp_(W^EMA, W^model, 1 − decay)` for floating tensors, and as
 * `copy_(decay·W^EMA + (1 − decay)·W^model)` (truncated) for integer ones. `decay` ∈ [0, 1].
 */
export function get_ema_multi_avg_fn(decay: number | { decay?: number } = 0.999): MultiAvgFn {
  const d = decayOf("get_ema_multi_avg_fn", decay);
  return function ema_update(ema_param_list: Tensor[], current_param_list: Tensor[], _num_averaged: Tensor | number): void {
    no_grad(() => {
      if (ema_param_list.length === 0) return;
      if (isFloating(ema_param_list[0])) {
        ema_param_list.forEach((p, i) => lerpInPlace(p, current_param_list[i], 1 - d));
      } else {
        ema_param_list.forEach((p, i) => p.copy_(p.mul(d).add(current_param_list[i].mul(1 - d))));
      }
    });
  };
}

/**
 * Equal-weight running average over a list of tensors (in place), PyTorch's
 * `get_swa_multi_avg_fn()`: with n models averaged so far,
 *
 *   W^SWA ← W^SWA + (W^model − W^SWA) / (n + 1)
 *
 * the mean of the n + 1 models (Izmailov et al. 2018, eq. for w_SWA). Floating tensors use
 * `lerp_(W^SWA, W^model, 1/(n+1))`. Integer tensors: PyTorch divides with `addcdiv_`, which it
 * refuses for integer tensors (the same RuntimeError here); the default averaging
 * (AveragedModel without avg_fn/multi_avg_fn) handles them.
 */
export function get_swa_multi_avg_fn(): MultiAvgFn {
  return function swa_update(averaged_param_list: Tensor[], current_param_list: Tensor[], num_averaged: Tensor | number): void {
    no_grad(() => {
      if (averaged_param_list.length === 0) return;
      const n = Number(num_averaged);
      if (isFloating(averaged_param_list[0])) {
        averaged_param_list.forEach((p, i) => lerpInPlace(p, current_param_list[i], 1 / (n + 1)));
        return;
      }
      if (num_averaged instanceof Tensor) {
        throw RuntimeError(
          "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a true " +
            "division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + value * " +
            "torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) " +
            "for float inputs. The future addcdiv behavior is just the latter implementation: (input + value * tensor1 / " +
            "tensor2), for all dtypes. (get_swa_multi_avg_fn on an integer buffer such as BatchNorm's num_batches_tracked, " +
            "with use_buffers: true; PyTorch raises this too. Leave multi_avg_fn unset for the default equal-weight average.)",
        );
      }
      averaged_param_list.forEach((p, i) => p.add_(current_param_list[i].sub(p), { alpha: 1 / (n + 1) }));
    });
  };
}

/**
 * Exponential moving average of one tensor, PyTorch's `get_ema_avg_fn(decay=0.999)`:
 * returns `decay · W^EMA + (1 − decay) · W^model` (see get_ema_multi_avg_fn). `decay` ∈ [0, 1].
 */
export function get_ema_avg_fn(decay: number | { decay?: number } = 0.999): AvgFn {
  const d = decayOf("get_ema_avg_fn", decay);
  return function ema_update(ema_param: Tensor, current_param: Tensor, _num_averaged: Tensor | number): Tensor {
    return no_grad(() => ema_param.mul(d).add(current_param.mul(1 - d)));
  };
}

/**
 * Equal-weight running average of one tensor, PyTorch's `get_swa_avg_fn()`: returns
 * `W^SWA + (W^model − W^SWA) / (n + 1)` with n = num_averaged. It is what AveragedModel uses
 * by default on the CPU.
 */
export function get_swa_avg_fn(): AvgFn {
  return function swa_update(averaged_param: Tensor, current_param: Tensor, num_averaged: Tensor | number): Tensor {
    return no_grad(() => {
      const divisor = num_averaged instanceof Tensor ? num_averaged.add(1) : Number(num_averaged) + 1;
      return averaged_param.add(current_param.sub(averaged_param).div(divisor));
    });
  };
}
