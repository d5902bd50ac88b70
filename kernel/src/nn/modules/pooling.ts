/**
 * nn.MaxPool2d, nn.AvgPool2d and nn.AdaptiveAvgPool2d (math in functional/pooling.ts); nn.MaxPool1d,
 * nn.AvgPool1d, nn.AdaptiveAvgPool1d (functional/pooling1d.ts), nn.AdaptiveMaxPool1d and
 * nn.AdaptiveMaxPool2d (functional/adaptive_max.ts); nn.MaxPool3d, nn.AvgPool3d and
 * nn.AdaptiveAvgPool3d (functional/pooling3d.ts).
 */
import { checkKeywords } from "../../utils/py_args";
import type { Tensor } from "../../tensor/tensor";
import { Module } from "../module";
import { adaptive_avg_pool2d, avgPool, maxPool } from "../functional/pooling";
import type { AvgPool2dOptions, MaxPool2dOptions } from "../functional/pooling";
import { adaptive_avg_pool1d, avgPool1d, maxPool1d } from "../functional/pooling1d";
import type { AvgPool1dOptions, MaxPool1dOptions } from "../functional/pooling1d";
import { adaptive_max_pool1d, adaptive_max_pool2d } from "../functional/adaptive_max";
import { adaptive_avg_pool3d, avgPool3d, maxPool3d } from "../functional/pooling3d";
import type { AvgPool3dOptions, MaxPool3dOptions } from "../functional/pooling3d";
import { pyBool } from "./_util";

/** Python's repr of an int, a tuple, or None. */
function pyVal(v: number | readonly (number | null)[] | null): string {
  if (v === null) return "None";
  if (typeof v === "number") return String(v);
  return v.length === 1 ? `(${String(v[0] ?? "None")},)` : `(${v.map((e) => (e === null ? "None" : String(e))).join(", ")})`;
}

function layerArgs(layer: string, names: readonly string[], args: unknown[]): Record<string, unknown> {
  const last = args.length > 0 ? args[args.length - 1] : undefined;
  const isKw = typeof last === "object" && last !== null && !Array.isArray(last);
  const positional = isKw ? args.slice(0, -1) : args;
  if (positional.length > names.length) {
    throw new TypeError(`${layer}() takes at most ${names.length + 1} positional arguments (kernel_size, ${names.join(", ")}) but ${positional.length + 1} were given`);
  }
  const out: Record<string, unknown> = {};
  positional.forEach((v, i) => { if (v !== undefined) out[names[i]] = v; });
  if (isKw) {
    for (const [k, v] of Object.entries(last as Record<string, unknown>)) {
      if (!names.includes(k)) throw new TypeError(`${layer}() got an unexpected keyword argument '${k}' (allowed: ${names.join(", ")})`);
      if (k in out) throw new TypeError(`${layer}() got multiple values for argument '${k}'`);
      if (v !== undefined) out[k] = v;
    }
  }
  return out;
}

/** MaxPool1d's, MaxPool2d's and MaxPool3d's options, given positionally or as an options object, and repr (PyTorch's _MaxPoolNd). */
abstract class MaxPoolNd<R extends boolean> extends Module {
  kernel_size: number | number[];
  stride: number | number[];
  padding: number | number[];
  dilation: number | number[];
  return_indices: R;
  ceil_mode: boolean;
  constructor(layer: string, kernel_size: number | number[], args: unknown[]) {
    super();
    const o = layerArgs(layer, ["stride", "padding", "dilation", "return_indices", "ceil_mode"], args);
    this.kernel_size = kernel_size;
    this.stride = (o.stride ?? kernel_size) as number | number[];
    this.padding = (o.padding ?? 0) as number | number[];
    this.dilation = (o.dilation ?? 1) as number | number[];
    this.return_indices = (o.return_indices ?? false) as R;
    this.ceil_mode = (o.ceil_mode ?? false) as boolean;
  }
  override extra_repr(): string {
    return `kernel_size=${pyVal(this.kernel_size)}, stride=${pyVal(this.stride)}, padding=${pyVal(this.padding)}, dilation=${pyVal(this.dilation)}, ceil_mode=${pyBool(this.ceil_mode)}`;
  }
}

/**
 * nn.MaxPool2d(kernel_size, { stride = kernel_size, padding = 0, dilation = 1,
 * return_indices = false, ceil_mode = false }): the maximum of each window of input
 * [N, C, H, W] or [C, H, W]. Options positionally in Python's order too: `new MaxPool2d(2, 2)`.
 * With `return_indices: true`, forward returns [output, indices] (for a later unpooling).
 */
export class MaxPool2d<R extends boolean = false> extends MaxPoolNd<R> {
  constructor(kernel_size: number | number[], options?: Omit<MaxPool2dOptions, "return_indices"> & { return_indices?: R });
  constructor(
    kernel_size: number | number[], stride?: number | number[] | null, padding?: number | number[], dilation?: number | number[],
    return_indices?: R, ceil_mode?: boolean,
  );
  constructor(kernel_size: number | number[], ...args: unknown[]) {
    super("MaxPool2d", kernel_size, args);
  }
  /**
   * Max over each kernel_size window: input [N, C, H, W] or [C, H, W] → [N, C, H_out, W_out], H_out = ⌊(H +
   * 2·padding − dilation·(kH − 1) − 1) / stride⌋ + 1 (⌈⌉ with ceil_mode; W likewise); with return_indices,
   * [output, indices] (flat H·W indices of the maxima).
   */
  override forward(input: Tensor): R extends true ? [Tensor, Tensor] : Tensor {
    return maxPool(input, this.kernel_size, this.stride, this.padding, this.dilation, this.ceil_mode, this.return_indices) as R extends true ? [Tensor, Tensor] : Tensor;
  }
}

/** AvgPool2d's and AvgPool3d's options, given positionally or as an options object, and repr. */
abstract class AvgPoolNd extends Module {
  kernel_size: number | number[];
  stride: number | number[];
  padding: number | number[];
  ceil_mode: boolean;
  count_include_pad: boolean;
  divisor_override: number | null;
  constructor(layer: string, kernel_size: number | number[], args: unknown[]) {
    super();
    const o = layerArgs(layer, ["stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"], args);
    this.kernel_size = kernel_size;
    this.stride = (o.stride ?? kernel_size) as number | number[];
    this.padding = (o.padding ?? 0) as number | number[];
    this.ceil_mode = (o.ceil_mode ?? false) as boolean;
    this.count_include_pad = (o.count_include_pad ?? true) as boolean;
    this.divisor_override = (o.divisor_override ?? null) as number | null;
  }
  override extra_repr(): string {
    return `kernel_size=${pyVal(this.kernel_size)}, stride=${pyVal(this.stride)}, padding=${pyVal(this.padding)}`;
  }
}

/**
 * nn.AvgPool2d(kernel_size, { stride = kernel_size, padding = 0, ceil_mode = false,
 * count_include_pad = true, divisor_override = null }): the mean of each window of input
 * [N, C, H, W] or [C, H, W]. Options positionally in Python's order too: `new AvgPool2d(2, 2)`.
 */
export class AvgPool2d extends AvgPoolNd {
  constructor(kernel_size: number | number[], options?: AvgPool2dOptions);
  constructor(
    kernel_size: number | number[], stride?: number | number[] | null, padding?: number | number[], ceil_mode?: boolean,
    count_include_pad?: boolean, divisor_override?: number | null,
  );
  constructor(kernel_size: number | number[], ...args: unknown[]) {
    super("AvgPool2d", kernel_size, args);
  }
  /**
   * Mean over each kernel_size window: input [N, C, H, W] or [C, H, W] → [N, C, H_out, W_out], H_out = ⌊(H +
   * 2·padding − kH) / stride⌋ + 1 (⌈⌉ with ceil_mode; W likewise).
   */
  override forward(input: Tensor): Tensor {
    return avgPool(input, this.kernel_size, this.stride, this.padding, this.ceil_mode, this.count_include_pad, this.divisor_override);
  }
}

/**
 * nn.AdaptiveAvgPool2d(output_size): averages input [N, C, H, W] or [C, H, W] down to
 * [.., h, w] whatever its size (output_size an int, or [h, w] with null keeping that input size).
 * `new AdaptiveAvgPool2d(1)` is global average pooling.
 */
export class AdaptiveAvgPool2d extends Module {
  output_size: number | (number | null)[];
  constructor(output_size: number | (number | null)[]) {
    super();
    this.output_size = output_size;
  }
  /**
   * Mean over windows chosen so the output has output_size: input [N, C, H, W] or [C, H, W] → [N, C, H_out,
   * W_out] (output_size; a null entry keeps that input size).
   */
  override forward(input: Tensor): Tensor {
    return adaptive_avg_pool2d(input, this.output_size);
  }
  override extra_repr(): string {
    return `output_size=${pyVal(this.output_size)}`;
  }
}

/**
 * nn.MaxPool1d(kernel_size, { stride = kernel_size, padding = 0, dilation = 1,
 * return_indices = false, ceil_mode = false }): the maximum of each window of input [N, C, L] or
 * [C, L]. Options positionally in Python's order too: `new MaxPool1d(3, 2)`. With
 * `return_indices: true`, forward returns [output, indices] (positions along L).
 */
export class MaxPool1d<R extends boolean = false> extends MaxPoolNd<R> {
  constructor(kernel_size: number | number[], options?: Omit<MaxPool1dOptions, "return_indices"> & { return_indices?: R });
  constructor(
    kernel_size: number | number[], stride?: number | number[] | null, padding?: number | number[], dilation?: number | number[],
    return_indices?: R, ceil_mode?: boolean,
  );
  constructor(kernel_size: number | number[], ...args: unknown[]) {
    super("MaxPool1d", kernel_size, args);
  }
  /**
   * Max over each kernel_size window: input [N, C, L] or [C, L] → [N, C, L_out], L_out = ⌊(L + 2·padding −
   * dilation·(k − 1) − 1) / stride⌋ + 1 (⌈⌉ with ceil_mode); with return_indices, [output, indices].
   */
  override forward(input: Tensor): R extends true ? [Tensor, Tensor] : Tensor {
    return maxPool1d(input, this.kernel_size, this.stride, this.padding, this.dilation, this.ceil_mode, this.return_indices) as R extends true ? [Tensor, Tensor] : Tensor;
  }
}

/** An int as a one-element tuple (PyTorch's `_single`); a list is kept as it is. */
const single = (v: number | number[]): number[] => (typeof v === "number" ? [v] : [...v]);

/**
 * nn.AvgPool1d(kernel_size, { stride = kernel_size, padding = 0, ceil_mode = false,
 * count_include_pad = true }): the mean of each window of input [N, C, L] or [C, L]. Options
 * positionally in Python's order too: `new AvgPool1d(3, 2, 1)`. Sizes are kept as 1-tuples
 * (`kernel_size=(3,)`), as PyTorch does.
 */
export class AvgPool1d extends Module {
  kernel_size: number[];
  stride: number[];
  padding: number[];
  ceil_mode: boolean;
  count_include_pad: boolean;
  constructor(kernel_size: number | number[], options?: AvgPool1dOptions);
  constructor(
    kernel_size: number | number[], stride?: number | number[] | null, padding?: number | number[], ceil_mode?: boolean, count_include_pad?: boolean,
  );
  constructor(kernel_size: number | number[], ...args: unknown[]) {
    super();
    const o = layerArgs("AvgPool1d", ["stride", "padding", "ceil_mode", "count_include_pad"], args);
    this.kernel_size = single(kernel_size);
    this.stride = single((o.stride ?? kernel_size) as number | number[]);
    this.padding = single((o.padding ?? 0) as number | number[]);
    this.ceil_mode = (o.ceil_mode ?? false) as boolean;
    this.count_include_pad = (o.count_include_pad ?? true) as boolean;
  }
  /**
   * Mean over each kernel_size window: input [N, C, L] or [C, L] → [N, C, L_out], L_out = ⌊(L + 2·padding − k)
   * / stride⌋ + 1 (⌈⌉ with ceil_mode).
   */
  override forward(input: Tensor): Tensor {
    return avgPool1d(input, this.kernel_size, this.stride, this.padding, this.ceil_mode, this.count_include_pad);
  }
  override extra_repr(): string {
    return `kernel_size=${pyVal(this.kernel_size)}, stride=${pyVal(this.stride)}, padding=${pyVal(this.padding)}`;
  }
}

/** nn.AdaptiveAvgPool1d(output_size): averages input [N, C, L] or [C, L] down (or up) to length output_size. */
export class AdaptiveAvgPool1d extends Module {
  output_size: number | number[];
  constructor(output_size: number | number[]) {
    super();
    this.output_size = output_size;
  }
  /** Mean over windows chosen so the output has output_size: input [N, C, L] or [C, L] → [N, C, output_size]. */
  override forward(input: Tensor): Tensor {
    return adaptive_avg_pool1d(input, this.output_size);
  }
  override extra_repr(): string {
    return `output_size=${pyVal(this.output_size)}`;
  }
}

/** AdaptiveMaxPool1d's and AdaptiveMaxPool2d's output_size, return_indices (positionally or as `{ return_indices }`) and repr. */
abstract class AdaptiveMaxPoolNd<S extends number | (number | null)[], R extends boolean> extends Module {
  output_size: S;
  return_indices: R;
  constructor(output_size: S, return_indices?: R | { return_indices?: R }) {
    super();
    this.output_size = output_size;
    if (typeof return_indices === "object" && return_indices !== null) checkKeywords(new.target.name, return_indices, ["return_indices"]);
    const r = typeof return_indices === "object" && return_indices !== null ? return_indices.return_indices : return_indices;
    this.return_indices = (r ?? false) as R;
  }
  override extra_repr(): string {
    return `output_size=${pyVal(this.output_size)}`;
  }
}

/**
 * nn.AdaptiveMaxPool1d(output_size, return_indices = false): the maximum of input [N, C, L] or
 * [C, L] over output_size cells; with return_indices, forward returns [output, indices].
 */
export class AdaptiveMaxPool1d<R extends boolean = false> extends AdaptiveMaxPoolNd<number | number[], R> {
  /**
   * Max over windows chosen so the output has output_size: input [N, C, L] or [C, L] → [N, C, output_size];
   * with return_indices, [output, indices].
   */
  override forward(input: Tensor): R extends true ? [Tensor, Tensor] : Tensor {
    return adaptive_max_pool1d(input, this.output_size, this.return_indices as false) as R extends true ? [Tensor, Tensor] : Tensor;
  }
}

/**
 * nn.AdaptiveMaxPool2d(output_size, return_indices = false): the maximum of input [N, C, H, W] or
 * [C, H, W] over a grid of output_size cells (an int, or [h, w] where null keeps that input size);
 * with return_indices, forward returns [output, indices] (flat in each H·W plane).
 */
export class AdaptiveMaxPool2d<R extends boolean = false> extends AdaptiveMaxPoolNd<number | (number | null)[], R> {
  /**
   * Max over windows chosen so the output has output_size: input [N, C, H, W] or [C, H, W] → [N, C, H_out,
   * W_out]; with return_indices, [output, indices].
   */
  override forward(input: Tensor): R extends true ? [Tensor, Tensor] : Tensor {
    return adaptive_max_pool2d(input, this.output_size, this.return_indices as false) as R extends true ? [Tensor, Tensor] : Tensor;
  }
}

/**
 * nn.MaxPool3d(kernel_size, { stride = kernel_size, padding = 0, dilation = 1,
 * return_indices = false, ceil_mode = false }): the maximum of each window of input
 * [N, C, D, H, W] or [C, D, H, W]; sizes an int or [d, h, w]. Options positionally in Python's
 * order too: `new MaxPool3d(2, 2)`. With `return_indices: true`, forward returns [output, indices].
 */
export class MaxPool3d<R extends boolean = false> extends MaxPoolNd<R> {
  constructor(kernel_size: number | number[], options?: Omit<MaxPool3dOptions, "return_indices"> & { return_indices?: R });
  constructor(
    kernel_size: number | number[], stride?: number | number[] | null, padding?: number | number[], dilation?: number | number[],
    return_indices?: R, ceil_mode?: boolean,
  );
  constructor(kernel_size: number | number[], ...args: unknown[]) {
    super("MaxPool3d", kernel_size, args);
  }
  /**
   * Max over each kernel_size window: input [N, C, D, H, W] or [C, D, H, W] → [N, C, D_out, H_out, W_out],
   * D_out = ⌊(D + 2·padding − dilation·(kD − 1) − 1) / stride⌋ + 1 (⌈⌉ with ceil_mode; H, W likewise); with
   * return_indices, [output, indices] (flat D·H·W indices of the maxima).
   */
  override forward(input: Tensor): R extends true ? [Tensor, Tensor] : Tensor {
    return maxPool3d(input, this.kernel_size, this.stride, this.padding, this.dilation, this.ceil_mode, this.return_indices) as R extends true ? [Tensor, Tensor] : Tensor;
  }
}

/**
 * nn.AvgPool3d(kernel_size, { stride = kernel_size, padding = 0, ceil_mode = false,
 * count_include_pad = true, divisor_override = null }): the mean of each window of input
 * [N, C, D, H, W] or [C, D, H, W]; sizes an int or [d, h, w]. Options positionally in Python's
 * order too: `new AvgPool3d(2, 2)`.
 */
export class AvgPool3d extends AvgPoolNd {
  constructor(kernel_size: number | number[], options?: AvgPool3dOptions);
  constructor(
    kernel_size: number | number[], stride?: number | number[] | null, padding?: number | number[], ceil_mode?: boolean,
    count_include_pad?: boolean, divisor_override?: number | null,
  );
  constructor(kernel_size: number | number[], ...args: unknown[]) {
    super("AvgPool3d", kernel_size, args);
  }
  /**
   * Mean over each kernel_size window: input [N, C, D, H, W] or [C, D, H, W] → [N, C, D_out, H_out, W_out],
   * D_out = ⌊(D + 2·padding − kD) / stride⌋ + 1 (⌈⌉ with ceil_mode; H, W likewise).
   */
  override forward(input: Tensor): Tensor {
    return avgPool3d(input, this.kernel_size, this.stride, this.padding, this.ceil_mode, this.count_include_pad, this.divisor_override);
  }
}

/**
 * nn.AdaptiveAvgPool3d(output_size): averages input [N, C, D, H, W] or [C, D, H, W] down to
 * [.., d, h, w] whatever its size (output_size an int, or [d, h, w] with null keeping that input
 * size). `new AdaptiveAvgPool3d(1)` is global average pooling over a volume or a clip.
 */
export class AdaptiveAvgPool3d extends Module {
  output_size: number | (number | null)[];
  constructor(output_size: number | (number | null)[]) {
    super();
    this.output_size = output_size;
  }
  /**
   * Mean over windows chosen so the output has output_size: input [N, C, D, H, W] or [C, D, H, W] → [N, C,
   * D_out, H_out, W_out] (output_size; a null entry keeps that input size).
   */
  override forward(input: Tensor): Tensor {
    return adaptive_avg_pool3d(input, this.output_size);
  }
  override extra_repr(): string {
    return `output_size=${pyVal(this.output_size)}`;
  }
}
