/**
 * nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d and nn.LayerNorm (math in functional/normalization.ts); nn.GroupNorm,
 * nn.InstanceNorm1d/2d/3d (functional/group_norm.ts) and nn.LocalResponseNorm
 * (functional/local_response_norm.ts) at the end of this file.
 *
 * BatchNorm1d(num_features, { eps = 1e-5, momentum = 0.1, affine = true,
 * track_running_stats = true }) takes [N, C] or [N, C, L]. Buffers running_mean (zeros),
 * running_var (ones) and num_batches_tracked (int64) exist when tracking. In training mode it
 * normalises with the batch statistics and updates the running ones; with momentum null the
 * update is the cumulative average (factor 1/num_batches_tracked). In eval mode it uses the
 * running statistics (or the batch's when not tracking).
 *
 * Every layer here also takes its options positionally in PyTorch's order (nn/positional.ts):
 * `new BatchNorm1d(4, 1e-3, 0.5, false)`, `new LayerNorm(4, 1e-6)`, `new GroupNorm(2, 4, 1e-3,
 * false)`, with a trailing options object for the rest (and the keyword-only `bias`).
 */
import { Tensor } from "../../tensor/tensor";
import type { DType } from "../../tensor/tensor";
import { Module } from "../module";
import type { Parameter } from "../parameter";
import { batch_norm, layer_norm } from "../functional/normalization";
import { group_norm, instance_norm } from "../functional/group_norm";
import { local_response_norm } from "../functional/local_response_norm";
import { checkSize, emptyParam, filled, floatDtype, pyBool, pyFloat } from "./_util";
import { nnArgs, type DeviceArg, type FactoryArgs } from "../positional";
import type { Positional } from "../../optim/positional";
import { bump_version } from "../../tensor/version";

/** Tensors just initialised in place (PyTorch's init.ones_ / zeros_, fill_): each version moves by one. */
function initialized(...ts: (Tensor | null | undefined)[]): void {
  for (const t of ts) if (t) bump_version(t);
}

export interface BatchNormArgs extends FactoryArgs {
  eps?: number;
  momentum?: number | null;
  affine?: boolean;
  track_running_stats?: boolean;
  /** Learn a shift β (with affine); PyTorch 2.13's keyword-only `bias`. */
  bias?: boolean;
}

/** BatchNorm's and InstanceNorm's positional parameters after num_features, in PyTorch's order. */
type NormPositional = Positional<
  [eps: number, momentum: number | null, affine: boolean, track_running_stats: boolean, device: DeviceArg, dtype: DType | null],
  BatchNormArgs
>;

/**
 * BatchNorm's and InstanceNorm's shared state (PyTorch's _NormBase): the options, weight (ones) and
 * bias (zeros) when affine, the running_mean (zeros), running_var (ones) and num_batches_tracked
 * buffers (null when not tracking), and their reset and repr.
 */
abstract class NormBase extends Module {
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

  constructor(num_features: number, eps: number, momentum: number | null, affine: boolean, track_running_stats: boolean, bias: boolean, dtype: DType | undefined) {
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
      initialized(this.weight, this.bias); // (PyTorch's init.ones_ / init.zeros_)
    } else {
      this.weight = null;
      this.bias = null;
    }
    if (track_running_stats) {
      this.register_buffer("running_mean", filled([num_features], dt, 0));
      this.register_buffer("running_var", filled([num_features], dt, 1));
      this.register_buffer("num_batches_tracked", new Tensor(new Float64Array(1), [], "int64"));
      initialized(this.running_mean, this.running_var, this.num_batches_tracked); // (PyTorch's reset_running_stats)
    } else {
      this.register_buffer("running_mean", null);
      this.register_buffer("running_var", null);
      this.register_buffer("num_batches_tracked", null);
    }
  }

  /** 2: version 2 added the num_batches_tracked buffer (PyTorch's _NormBase._version). */
  override get _version(): number {
    return 2;
  }

  /**
   * A checkpoint without version 2 in its `_metadata` (a dict built by hand, or written before
   * num_batches_tracked existed) may lack num_batches_tracked: PyTorch's _NormBase fills it in with
   * the module's own count (or tensor(0) when the module's is null), so the load passes strict.
   */
  override _upgrade_state_dict(sd: Map<string, unknown>, prefix: string, version: number | undefined): void {
    if ((version !== undefined && version >= 2) || !this.track_running_stats) return;
    const key = `${prefix}num_batches_tracked`;
    if (!sd.has(key)) sd.set(key, this.num_batches_tracked ?? new Tensor(new Float64Array(1), [], "int64"));
  }

  /** Zeroes the running statistics (mean 0, var 1, count 0). */
  reset_running_stats(): void {
    if (!this.track_running_stats) return;
    this.running_mean?.data.fill(0);
    this.running_var?.data.fill(1);
    this.num_batches_tracked?.data.fill(0);
    initialized(this.running_mean, this.running_var, this.num_batches_tracked); // (PyTorch's zero_ / fill_ / zero_)
  }

  override extra_repr(): string {
    const m = this.momentum === null ? "None" : pyFloat(this.momentum);
    return `${this.num_features}, eps=${pyFloat(this.eps)}, momentum=${m}, affine=${pyBool(this.affine)}, bias=${pyBool(this.bias !== null)}, track_running_stats=${pyBool(this.track_running_stats)}`;
  }
}

export class BatchNorm1d extends NormBase {
  /** `new BatchNorm1d(4)`, `new BatchNorm1d(4, 1e-3, 0.5, false)` or `new BatchNorm1d(4, { eps: 1e-3, affine: false })`, as PyTorch's positional or keyword form. */
  constructor(num_features: number, options?: BatchNormArgs);
  constructor(num_features: number, ...args: NormPositional);
  constructor(num_features: number, ...args: unknown[]) {
    const o = nnArgs("BatchNorm1d", new.target.name, args) as BatchNormArgs;
    const { eps = 1e-5, momentum = 0.1, affine = true, track_running_stats = true, bias = true, dtype } = o;
    super(num_features, eps, momentum, affine, track_running_stats, bias, dtype ?? undefined);
  }

  /** The input ranks this layer takes (PyTorch's `_check_input_dim`). */
  protected _check_input_dim(input: Tensor): void {
    if (input.dim() !== 2 && input.dim() !== 3) {
      throw new RangeError(`expected 2D or 3D input (got ${input.dim()}D input)`);
    }
  }

  /**
   * Normalises each channel with the batch's statistics in training (updating running_mean/running_var) or the
   * running statistics in eval, then scales by weight and shifts by bias: input [N, C] or [N, C, L] → the same
   * shape.
   */
  override forward(input: Tensor): Tensor {
    if (!(input instanceof Tensor)) throw new TypeError(`${this.constructor.name}.forward: input must be a Tensor`);
    this._check_input_dim(input);
    let factor = this.momentum ?? 0;
    if (this.training && this.track_running_stats && this.num_batches_tracked !== null) {
      this.num_batches_tracked.data[0] += 1;
      bump_version(this.num_batches_tracked); // (PyTorch's num_batches_tracked.add_(1); the running statistics' update counts nothing, as its kernel's)
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
  /**
   * Normalises each channel over N, H and W with the batch's statistics in training (updating
   * running_mean/running_var) or the running statistics in eval, then scales by weight and shifts by bias:
   * input [N, C, H, W] → the same shape.
   */
  override forward(input: Tensor): Tensor {
    return super.forward(input);
  }
}

/**
 * nn.BatchNorm3d(num_features, { eps = 1e-5, momentum = 0.1, affine = true,
 * track_running_stats = true }): BatchNorm1d's computation over input [N, C, D, H, W], with the
 * statistics of each channel taken over N, D, H and W (n = N·D·H·W values; the running variance
 * is updated with the unbiased n/(n − 1) estimate). Same buffers, options and eval behaviour as
 * BatchNorm1d, which it extends (as BatchNorm2d).
 */
export class BatchNorm3d extends BatchNorm1d {
  protected override _check_input_dim(input: Tensor): void {
    if (input.dim() !== 5) throw new RangeError(`expected 5D input (got ${input.dim()}D input)`);
  }
  /**
   * Normalises each channel over N, D, H and W with the batch's statistics in training (updating
   * running_mean/running_var) or the running statistics in eval, then scales by weight and shifts by bias:
   * input [N, C, D, H, W] → the same shape.
   */
  override forward(input: Tensor): Tensor {
    return super.forward(input);
  }
}

export interface LayerNormArgs extends FactoryArgs {
  eps?: number;
  elementwise_affine?: boolean;
  bias?: boolean;
}

export class LayerNorm extends Module {
  normalized_shape: number[];
  eps: number;
  elementwise_affine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  /** `new LayerNorm(4)`, `new LayerNorm(4, 1e-6, false)` or `new LayerNorm(4, { eps: 1e-6 })`, as PyTorch's positional or keyword form. */
  constructor(normalized_shape: number | number[], options?: LayerNormArgs);
  constructor(
    normalized_shape: number | number[],
    ...args: Positional<[eps: number, elementwise_affine: boolean, bias: boolean, device: DeviceArg, dtype: DType | null], LayerNormArgs>
  );
  constructor(normalized_shape: number | number[], ...args: unknown[]) {
    super();
    const { eps = 1e-5, elementwise_affine = true, bias = true, dtype } = nnArgs("LayerNorm", new.target.name, args) as LayerNormArgs;
    this.normalized_shape = typeof normalized_shape === "number" ? [normalized_shape] : [...normalized_shape];
    this.normalized_shape.forEach((d) => checkSize(d, "LayerNorm", "normalized_shape"));
    this.eps = eps;
    this.elementwise_affine = elementwise_affine;
    const dt = floatDtype(dtype, "LayerNorm");
    if (elementwise_affine) {
      this.weight = emptyParam(this.normalized_shape, dt);
      this.weight.data.fill(1);
      this.bias = bias ? emptyParam(this.normalized_shape, dt) : null;
      initialized(this.weight, this.bias);
    } else {
      this.weight = null;
      this.bias = null;
    }
  }

  /**
   * Normalises over the last len(normalized_shape) dims, then applies the elementwise weight and bias: input
   * [*, *normalized_shape] → the same shape.
   */
  override forward(input: Tensor): Tensor {
    return layer_norm(input, this.normalized_shape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extra_repr(): string {
    const shape = this.normalized_shape.length === 1 ? `(${this.normalized_shape[0]},)` : `(${this.normalized_shape.join(", ")})`;
    return `${shape}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwise_affine)}, bias=${pyBool(this.bias !== null)}`;
  }
}

export interface GroupNormArgs extends FactoryArgs {
  eps?: number;
  affine?: boolean;
  /** Learn a shift β (with affine); PyTorch 2.13's keyword-only `bias`. */
  bias?: boolean;
}

/**
 * nn.GroupNorm(num_groups, num_channels, { eps = 1e-5, affine = true }): normalises input
 * [N, C, *] over each group of C/num_groups channels per sample, y = γ_c (x − μ)/√(σ² + ε) + β_c,
 * with learnable per-channel weight γ (ones) and bias β (zeros) when affine. Same in train and eval.
 */
export class GroupNorm extends Module {
  num_groups: number;
  num_channels: number;
  eps: number;
  affine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  /** `new GroupNorm(2, 4)`, `new GroupNorm(2, 4, 1e-3, false)` or `new GroupNorm(2, 4, { eps: 1e-3 })`, as PyTorch's positional or keyword form. */
  constructor(num_groups: number, num_channels: number, options?: GroupNormArgs);
  constructor(num_groups: number, num_channels: number, ...args: Positional<[eps: number, affine: boolean, device: DeviceArg, dtype: DType | null], GroupNormArgs>);
  constructor(num_groups: number, num_channels: number, ...args: unknown[]) {
    super();
    const { eps = 1e-5, affine = true, bias = true, dtype } = nnArgs("GroupNorm", new.target.name, args) as GroupNormArgs;
    checkSize(num_groups, "GroupNorm", "num_groups", false);
    checkSize(num_channels, "GroupNorm", "num_channels");
    if (num_channels % num_groups !== 0) throw new RangeError(`num_channels (${num_channels}) must be divisible by num_groups (${num_groups})`);
    this.num_groups = num_groups;
    this.num_channels = num_channels;
    this.eps = eps;
    this.affine = affine;
    const dt = floatDtype(dtype, "GroupNorm");
    if (affine) {
      this.weight = emptyParam([num_channels], dt);
      this.weight.data.fill(1);
      this.bias = bias ? emptyParam([num_channels], dt) : null;
      initialized(this.weight, this.bias);
    } else {
      this.weight = null;
      this.bias = null;
    }
  }

  /**
   * Splits the C channels into num_groups groups and normalises each sample's group, then applies the
   * per-channel weight and bias: input [N, C, *] → the same shape (C divisible by num_groups).
   */
  override forward(input: Tensor): Tensor {
    return group_norm(input, this.num_groups, this.weight, this.bias, this.eps);
  }

  override extra_repr(): string {
    return `${this.num_groups}, ${this.num_channels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}, bias=${pyBool(this.bias !== null)}`;
  }
}

/**
 * nn.InstanceNorm1d(num_features, { eps = 1e-5, momentum = 0.1, affine = false,
 * track_running_stats = false }): normalises input [N, C, L] or [C, L] per sample and channel over
 * L. With affine, learnable per-channel weight (ones) and bias (zeros). With track_running_stats,
 * buffers running_mean (zeros), running_var (ones) and num_batches_tracked are kept: training
 * updates the running statistics with the batch's per-instance ones (momentum null: no update, as
 * PyTorch, which passes 0; num_batches_tracked is not counted either), eval normalises with them.
 */
export class InstanceNorm1d extends NormBase {
  /** `new InstanceNorm1d(4)`, `new InstanceNorm1d(4, 1e-3, 0.1, true)` or `new InstanceNorm1d(4, { affine: true })`, as PyTorch's positional or keyword form. */
  constructor(num_features: number, options?: BatchNormArgs);
  constructor(num_features: number, ...args: NormPositional);
  constructor(num_features: number, ...args: unknown[]) {
    const o = nnArgs("InstanceNorm1d", new.target.name, args) as BatchNormArgs;
    const { eps = 1e-5, momentum = 0.1, affine = false, track_running_stats = false, bias = true, dtype } = o;
    super(num_features, eps, momentum, affine, track_running_stats, bias, dtype ?? undefined);
  }

  /** The rank of an unbatched input (PyTorch's `_get_no_batch_dim`). */
  protected _get_no_batch_dim(): number {
    return 2;
  }

  /** The input ranks this layer takes (PyTorch's `_check_input_dim`). */
  protected _check_input_dim(input: Tensor): void {
    if (input.dim() !== 2 && input.dim() !== 3) throw new RangeError(`expected 2D or 3D input (got ${input.dim()}D input)`);
  }

  /**
   * Normalises each sample's channel over its positions (running statistics in eval when track_running_stats):
   * input [N, C, L] or [C, L] → the same shape.
   */
  override forward(input: Tensor): Tensor {
    if (!(input instanceof Tensor)) throw new TypeError(`${this.constructor.name}.forward: input must be a Tensor`);
    this._check_input_dim(input);
    const unbatched = input.dim() === this._get_no_batch_dim();
    const featureDim = unbatched ? 0 : 1;
    // PyTorch only warns about a mismatch when not affine (the statistics need no parameters)
    if (this.affine && input.shape[featureDim] !== this.num_features) {
      throw new RangeError(`expected input's size at dim=${featureDim} to match num_features (${this.num_features}), but got: ${input.shape[featureDim]}.`);
    }
    const x = unbatched ? input.unsqueeze(0) : input;
    const y = instance_norm(x, {
      running_mean: this.running_mean, running_var: this.running_var, weight: this.weight, bias: this.bias,
      use_input_stats: this.training || !this.track_running_stats, momentum: this.momentum ?? 0, eps: this.eps,
    });
    return unbatched ? y.squeeze(0) : y;
  }
}

/**
 * nn.InstanceNorm2d(num_features, { eps = 1e-5, momentum = 0.1, affine = false,
 * track_running_stats = false }): InstanceNorm1d's computation over input [N, C, H, W] or
 * [C, H, W], each sample's channel normalised over its H·W positions.
 */
export class InstanceNorm2d extends InstanceNorm1d {
  protected override _get_no_batch_dim(): number {
    return 3;
  }
  protected override _check_input_dim(input: Tensor): void {
    if (input.dim() !== 3 && input.dim() !== 4) throw new RangeError(`expected 3D or 4D input (got ${input.dim()}D input)`);
  }
  /**
   * Normalises each sample's channel over its H·W positions (running statistics in eval when
   * track_running_stats): input [N, C, H, W] or [C, H, W] → the same shape.
   */
  override forward(input: Tensor): Tensor {
    return super.forward(input);
  }
}

/**
 * nn.InstanceNorm3d(num_features, { eps = 1e-5, momentum = 0.1, affine = false,
 * track_running_stats = false }): InstanceNorm1d's computation over input [N, C, D, H, W] or
 * [C, D, H, W], each sample's channel normalised over its D·H·W positions.
 */
export class InstanceNorm3d extends InstanceNorm1d {
  protected override _get_no_batch_dim(): number {
    return 4;
  }
  protected override _check_input_dim(input: Tensor): void {
    if (input.dim() !== 4 && input.dim() !== 5) throw new RangeError(`expected 4D or 5D input (got ${input.dim()}D input)`);
  }
  /**
   * Normalises each sample's channel over its D·H·W positions (running statistics in eval when
   * track_running_stats): input [N, C, D, H, W] or [C, D, H, W] → the same shape.
   */
  override forward(input: Tensor): Tensor {
    return super.forward(input);
  }
}

/**
 * nn.LocalResponseNorm(size, { alpha = 1e-4, beta = 0.75, k = 1.0 }): divides each channel of
 * input [N, C, *] by (k + α/size · Σ x² over `size` neighbouring channels)^β (AlexNet's LRN).
 * Options positionally too: `new LocalResponseNorm(5, 1e-4, 0.75, 2)`.
 */
export class LocalResponseNorm extends Module {
  size: number;
  alpha: number;
  beta: number;
  k: number;
  constructor(size: number, options?: { alpha?: number; beta?: number; k?: number });
  constructor(size: number, alpha?: number, beta?: number, k?: number);
  constructor(size: number, a?: number | { alpha?: number; beta?: number; k?: number }, beta?: number, k?: number) {
    super();
    const o = typeof a === "object" && a !== null ? a : { alpha: a, beta, k };
    this.size = size;
    this.alpha = o.alpha ?? 1e-4;
    this.beta = o.beta ?? 0.75;
    this.k = o.k ?? 1.0;
  }
  /** Divides each channel by (k + α/size·Σ x² over `size` neighbouring channels)^β: input [N, C, *] → the same shape. */
  override forward(input: Tensor): Tensor {
    return local_response_norm(input, this.size, this.alpha, this.beta, this.k);
  }
  /** alpha, beta and k print as Python floats (k = 2 → 2.0): JS has one number type. */
  override extra_repr(): string {
    return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyFloat(this.k)}`;
  }
}
