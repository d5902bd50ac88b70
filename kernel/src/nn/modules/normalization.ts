/**
 * nn.BatchNorm1d, nn.BatchNorm2d and nn.LayerNorm (math in functional/normalization.ts).
 *
 * BatchNorm1d(num_features, { eps = 1e-5, momentum = 0.1, affine = true,
 * track_running_stats = true }) takes [N, C] or [N, C, L]. Buffers running_mean (zeros),
 * running_var (ones) and num_batches_tracked (int64) exist when tracking. In training mode it
 * normalises with the batch statistics and updates the running ones; with momentum null the
 * update is the cumulative average (factor 1/num_batches_tracked). In eval mode it uses the
 * running statistics (or the batch's when not tracking).
 */
import { Tensor } from "../../tensor/tensor";
import type { DType } from "../../tensor/tensor";
import { Module } from "../module";
import type { Parameter } from "../parameter";
import { batch_norm, layer_norm } from "../functional/normalization";
import { checkSize, emptyParam, filled, floatDtype, pyBool, pyFloat } from "./_util";

export interface BatchNormArgs {
  eps?: number;
  momentum?: number | null;
  affine?: boolean;
  track_running_stats?: boolean;
  /** Learn a shift β (with affine); PyTorch 2.13's keyword-only `bias`. */
  bias?: boolean;
  dtype?: DType;
}

export class BatchNorm1d extends Module {
  num_features: number;
  eps: number;
  momentum: number | null;
  affine: boolean;
  track_running_stats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(
    num_features: number,
    { eps = 1e-5, momentum = 0.1, affine = true, track_running_stats = true, bias = true, dtype }: BatchNormArgs = {},
  ) {
    super();
    this.num_features = checkSize(num_features, new.target.name, "num_features");
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.track_running_stats = track_running_stats;
    const dt = floatDtype(dtype, new.target.name);
    if (affine) {
      this.weight = emptyParam([num_features], dt);
      this.weight.data.fill(1);
      this.bias = bias ? emptyParam([num_features], dt) : null;
    } else {
      this.weight = null;
      this.bias = null;
    }
    if (track_running_stats) {
      this.register_buffer("running_mean", filled([num_features], dt, 0));
      this.register_buffer("running_var", filled([num_features], dt, 1));
      this.register_buffer("num_batches_tracked", new Tensor(new Float64Array(1), [], "int64"));
    } else {
      this.register_buffer("running_mean", null);
      this.register_buffer("running_var", null);
      this.register_buffer("num_batches_tracked", null);
    }
  }

  /** The input ranks this layer takes (PyTorch's `_check_input_dim`). */
  protected _check_input_dim(input: Tensor): void {
    if (input.dim() !== 2 && input.dim() !== 3) {
      throw new RangeError(`expected 2D or 3D input (got ${input.dim()}D input)`);
    }
  }

  /** Zeroes the running statistics (mean 0, var 1, count 0). */
  reset_running_stats(): void {
    if (!this.track_running_stats) return;
    this.running_mean?.data.fill(0);
    this.running_var?.data.fill(1);
    this.num_batches_tracked?.data.fill(0);
  }

  override forward(input: Tensor): Tensor {
    if (!(input instanceof Tensor)) throw new TypeError(`${this.constructor.name}.forward: input must be a Tensor`);
    this._check_input_dim(input);
    let factor = this.momentum ?? 0;
    if (this.training && this.track_running_stats && this.num_batches_tracked !== null) {
      this.num_batches_tracked.data[0] += 1;
      factor = this.momentum === null ? 1 / this.num_batches_tracked.data[0] : this.momentum;
    }
    const useBatch = this.training || this.running_mean === null;
    return batch_norm(
      input,
      !this.training || this.track_running_stats ? this.running_mean : null,
      !this.training || this.track_running_stats ? this.running_var : null,
      { weight: this.weight, bias: this.bias, training: useBatch, momentum: factor, eps: this.eps },
    );
  }

  override extra_repr(): string {
    const m = this.momentum === null ? "None" : pyFloat(this.momentum);
    return `${this.num_features}, eps=${pyFloat(this.eps)}, momentum=${m}, affine=${pyBool(this.affine)}, bias=${pyBool(this.bias !== null)}, track_running_stats=${pyBool(this.track_running_stats)}`;
  }
}

/**
 * nn.BatchNorm2d(num_features, { eps = 1e-5, momentum = 0.1, affine = true,
 * track_running_stats = true }): BatchNorm1d's computation over input [N, C, H, W], with the
 * statistics of each channel taken over N, H and W (n = N·H·W values; the running variance is
 * updated with the unbiased n/(n − 1) estimate). Same buffers, options and eval behaviour as
 * BatchNorm1d (it extends it, so `swa_utils.update_bn` and `instanceof BatchNorm1d` find it; in
 * PyTorch both derive from `_BatchNorm`).
 */
export class BatchNorm2d extends BatchNorm1d {
  protected override _check_input_dim(input: Tensor): void {
    if (input.dim() !== 4) throw new RangeError(`expected 4D input (got ${input.dim()}D input)`);
  }
}

export interface LayerNormArgs {
  eps?: number;
  elementwise_affine?: boolean;
  bias?: boolean;
  dtype?: DType;
}

export class LayerNorm extends Module {
  normalized_shape: number[];
  eps: number;
  elementwise_affine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(
    normalized_shape: number | number[],
    { eps = 1e-5, elementwise_affine = true, bias = true, dtype }: LayerNormArgs = {},
  ) {
    super();
    this.normalized_shape = typeof normalized_shape === "number" ? [normalized_shape] : [...normalized_shape];
    this.normalized_shape.forEach((d) => checkSize(d, "LayerNorm", "normalized_shape"));
    this.eps = eps;
    this.elementwise_affine = elementwise_affine;
    const dt = floatDtype(dtype, "LayerNorm");
    if (elementwise_affine) {
      this.weight = emptyParam(this.normalized_shape, dt);
      this.weight.data.fill(1);
      this.bias = bias ? emptyParam(this.normalized_shape, dt) : null;
    } else {
      this.weight = null;
      this.bias = null;
    }
  }

  override forward(input: Tensor): Tensor {
    return layer_norm(input, this.normalized_shape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extra_repr(): string {
    const shape = this.normalized_shape.length === 1 ? `(${this.normalized_shape[0]},)` : `(${this.normalized_shape.join(", ")})`;
    return `${shape}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwise_affine)}, bias=${pyBool(this.bias !== null)}`;
  }
}
