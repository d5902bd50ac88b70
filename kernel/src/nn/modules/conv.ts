/**
 * nn.Conv1d, nn.Conv2d and nn.Conv3d (math in functional/conv.ts).
 *
 * Conv2d(in_channels, out_channels, kernel_size, { stride = 1, padding = 0, dilation = 1,
 * groups = 1, bias = true, padding_mode = "zeros", dtype }): weight [out_channels,
 * in_channels / groups, kH, kW], bias [out_channels]. Initialised as PyTorch's reset_parameters:
 * kaiming_uniform_(weight, a = √5), i.e. U(-1/√fan_in, 1/√fan_in) with fan_in = (in_channels /
 * groups)·kH·kW, then bias ~ U(-1/√fan_in, 1/√fan_in); the draws go through the random library,
 * so `torch.manual_seed(s)` gives PyTorch's exact weights. padding_mode "reflect", "replicate" and
 * "circular" pad the input that way before an unpadded convolution (as PyTorch's F.pad + conv).
 * The options may also follow kernel_size positionally in Python's order
 * (`new Conv2d(1, 6, 5, 1, 2)` = stride 1, padding 2).
 */
import type { DType, Tensor } from "../../tensor/tensor";
import { Module } from "../module";
import type { Parameter } from "../parameter";
import { checkConv, convolution, expandArg, pyTuple } from "../functional/conv";
import type { ConvPadding, PaddingMode } from "../functional/conv";
import { _calculate_fan_in_and_fan_out, kaiming_uniform_, uniform_ } from "../init";
import { checkSize, emptyParam, floatDtype } from "./_util";
import { nearKey } from "../../close_matches";

export interface ConvArgs {
  /** Step of the kernel over the input: an int or one per spatial dim. Default 1. */
  stride?: number | number[];
  /** Zeros (or `padding_mode`) added on both sides: an int, one per spatial dim, "valid" (none) or "same" (output as large as the input; stride 1 only). Default 0. */
  padding?: ConvPadding;
  /** Spacing between kernel elements: an int or one per spatial dim. Default 1. */
  dilation?: number | number[];
  /** Split channels into this many groups convolved independently; must divide in_channels and out_channels. Default 1. */
  groups?: number;
  /** Learn a bias per output channel. Default true. */
  bias?: boolean;
  /** How the input is padded: "zeros" (default), "reflect", "replicate" or "circular". */
  padding_mode?: PaddingMode;
  /** "float32" or "float64" (default: torch.get_default_dtype()). */
  dtype?: DType;
}

const POSITIONAL = ["stride", "padding", "dilation", "groups", "bias", "padding_mode"] as const;

/**
 * Python's optional parameters of a convolution layer after (in_channels, out_channels,
 * kernel_size), given positionally in `positional`'s order or in a trailing options object (with
 * dtype and device); also ConvTranspose1d/2d's (conv_transpose.ts), whose order differs.
 */
export function convLayerArgs<T>(layer: string, args: unknown[], names: readonly string[]): T {
  const keywords = [...names, "dtype", "device"];
  const last = args.length > 0 ? args[args.length - 1] : undefined;
  const isKw = typeof last === "object" && last !== null && !Array.isArray(last);
  const positional = isKw ? args.slice(0, -1) : args;
  if (positional.length > names.length) {
    throw new TypeError(`${layer}() takes at most ${names.length + 3} positional arguments (in_channels, out_channels, kernel_size, ${names.join(", ")}) but ${positional.length + 3} were given`);
  }
  const out: Record<string, unknown> = {};
  positional.forEach((v, i) => { if (v !== undefined) out[names[i]] = v; });
  if (isKw) {
    for (const [k, v] of Object.entries(last as Record<string, unknown>)) {
      if (!keywords.includes(k)) throw new TypeError(`${layer}() got an unexpected keyword argument '${k}' (allowed: ${keywords.join(", ")})${nearKey(k, keywords)}`);
      if (k in out) throw new TypeError(`${layer}() got multiple values for argument '${k}'`);
      if (v !== undefined) out[k] = v;
    }
  }
  if (out.device !== undefined && out.device !== "cpu" && !(typeof out.device === "object" && (out.device as { type?: string }).type === "cpu")) {
    throw new Error(`${layer}: lrlab runs on the CPU (device "cpu"), got device ${String(out.device)}`);
  }
  return out as T;
}

/** The shared parts of Conv1d, Conv2d and Conv3d (PyTorch's _ConvNd). */
export abstract class _ConvNd extends Module {
  in_channels: number;
  out_channels: number;
  kernel_size: number[];
  stride: number[];
  padding: number[] | "same" | "valid";
  dilation: number[];
  groups: number;
  padding_mode: PaddingMode;
  /** Always false here (ConvTranspose1d/2d, modules/conv_transpose.ts, have it true); kept for PyTorch's attribute set. */
  transposed: boolean;
  output_padding: number[];
  weight: Parameter;
  bias: Parameter | null;
  /** Spatial dims: 1 (Conv1d), 2 (Conv2d) or 3 (Conv3d). */
  protected readonly nd: 1 | 2 | 3;

  constructor(layer: string, nd: 1 | 2 | 3, in_channels: number, out_channels: number, kernel_size: number | number[], args: unknown[]) {
    super();
    this.nd = nd;
    const o = convLayerArgs<ConvArgs>(layer, args, POSITIONAL);
    const { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true, padding_mode = "zeros", dtype } = o;
    this.in_channels = checkSize(in_channels, layer, "in_channels");
    this.out_channels = checkSize(out_channels, layer, "out_channels");
    if (typeof groups !== "number" || !Number.isInteger(groups) || groups <= 0) throw new RangeError("groups must be a positive integer");
    if (in_channels % groups !== 0) throw new RangeError(`in_channels must be divisible by groups (in_channels=${in_channels}, groups=${groups})`);
    if (out_channels % groups !== 0) throw new RangeError(`out_channels must be divisible by groups (out_channels=${out_channels}, groups=${groups})`);
    const allowed: PaddingMode[] = ["zeros", "reflect", "replicate", "circular"];
    if (!allowed.includes(padding_mode)) {
      throw new RangeError(`padding_mode must be one of {'zeros', 'circular', 'reflect', 'replicate'}, but got padding_mode='${String(padding_mode)}'`);
    }
    this.kernel_size = expandArg(kernel_size, nd, "kernel_size", layer);
    this.stride = expandArg(stride, nd, "stride", layer);
    this.dilation = expandArg(dilation, nd, "dilation", layer);
    if (typeof padding === "string") {
      if (padding !== "same" && padding !== "valid") {
        throw new RangeError(`Invalid padding string '${padding}', should be one of {'valid', 'same'}`);
      }
      if (padding === "same" && this.stride.some((s) => s !== 1)) throw new RangeError("padding='same' is not supported for strided convolutions");
      this.padding = padding;
    } else this.padding = expandArg(padding, nd, "padding", layer);
    this.groups = groups;
    this.padding_mode = padding_mode;
    this.transposed = false;
    this.output_padding = new Array(nd).fill(0);
    const dt = floatDtype(dtype, layer);
    this.weight = emptyParam([out_channels, in_channels / groups, ...this.kernel_size], dt);
    this.bias = bias ? emptyParam([out_channels], dt) : null;
    this.reset_parameters();
  }

  reset_parameters(): void {
    kaiming_uniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fan_in] = _calculate_fan_in_and_fan_out(this.weight);
      if (fan_in !== 0) {
        const bound = 1 / Math.sqrt(fan_in);
        uniform_(this.bias, -bound, bound);
      }
    }
  }

  /**
   * The convolution of `input`: [N, C_in, *spatial] or unbatched [C_in, *spatial] → [N, C_out, *spatial_out]
   * (unbatched in, unbatched out); spatial_out = ⌊(S + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1 per
   * dim.
   */
  override forward(input: Tensor): Tensor {
    const op = `conv${this.nd}d`;
    const { stride, pads, dilation } = checkConv(op, this.nd, input, this.weight, this.bias, this.stride, this.padding, this.dilation, this.groups, this.padding_mode);
    return convolution(op, this.nd, input, this.weight, this.bias, stride, pads, dilation, this.groups, this.padding_mode);
  }

  override extra_repr(): string {
    return convExtraRepr(this);
  }
}

/**
 * PyTorch's _ConvNd.extra_repr, shared by the convolutions and the transposed ones
 * (conv_transpose.ts): the options that differ from their defaults, in PyTorch's order.
 */
export function convExtraRepr(m: {
  in_channels: number; out_channels: number; kernel_size: number[]; stride: number[]; padding: number[] | string;
  dilation: number[]; output_padding: number[]; groups: number; bias: unknown; padding_mode: string;
}): string {
  let s = `${m.in_channels}, ${m.out_channels}, kernel_size=${pyTuple(m.kernel_size)}, stride=${pyTuple(m.stride)}`;
  if (typeof m.padding === "string") s += `, padding=${m.padding}`;
  else if (m.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(m.padding)}`;
  if (m.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(m.dilation)}`;
  if (m.output_padding.some((p) => p !== 0)) s += `, output_padding=${pyTuple(m.output_padding)}`;
  if (m.groups !== 1) s += `, groups=${m.groups}`;
  if (m.bias === null) s += ", bias=False";
  if (m.padding_mode !== "zeros") s += `, padding_mode=${m.padding_mode}`;
  return s;
}

/**
 * nn.Conv1d(in_channels, out_channels, kernel_size, { stride = 1, padding = 0, dilation = 1,
 * groups = 1, bias = true, padding_mode = "zeros", dtype }): input [N, C_in, L] or [C_in, L] →
 * [N, C_out, L_out], L_out = ⌊(L + 2·padding − dilation·(kernel_size − 1) − 1) / stride⌋ + 1.
 * Weight [C_out, C_in / groups, kernel_size] and bias [C_out], initialised as PyTorch's.
 */
export class Conv1d extends _ConvNd {
  constructor(in_channels: number, out_channels: number, kernel_size: number | number[], options?: ConvArgs);
  constructor(
    in_channels: number, out_channels: number, kernel_size: number | number[], stride?: number | number[], padding?: ConvPadding,
    dilation?: number | number[], groups?: number, bias?: boolean, padding_mode?: PaddingMode, options?: ConvArgs,
  );
  constructor(in_channels: number, out_channels: number, kernel_size: number | number[], ...args: unknown[]) {
    super("Conv1d", 1, in_channels, out_channels, kernel_size, args);
  }
  /**
   * The 1-d convolution of `input`: [N, C_in, L] or unbatched [C_in, L] → [N, C_out, L_out] (or [C_out,
   * L_out]), L_out = ⌊(L + 2·padding − dilation·(kernel_size − 1) − 1) / stride⌋ + 1.
   */
  override forward(input: Tensor): Tensor {
    return super.forward(input);
  }
}

/**
 * nn.Conv2d(in_channels, out_channels, kernel_size, { stride = 1, padding = 0, dilation = 1,
 * groups = 1, bias = true, padding_mode = "zeros", dtype }): input [N, C_in, H, W] or
 * [C_in, H, W] → [N, C_out, H_out, W_out], H_out = ⌊(H + 2·padding[0] − dilation[0]·(kH − 1) − 1)
 * / stride[0]⌋ + 1 (W likewise). kernel_size, stride, padding, dilation: an int or [h, w].
 * Weight [C_out, C_in / groups, kH, kW] and bias [C_out], initialised as PyTorch's.
 *
 *   const conv = new torch.nn.Conv2d(1, 6, 5, { padding: 2 });   // [64, 1, 28, 28] → [64, 6, 28, 28]
 */
export class Conv2d extends _ConvNd {
  constructor(in_channels: number, out_channels: number, kernel_size: number | number[], options?: ConvArgs);
  constructor(
    in_channels: number, out_channels: number, kernel_size: number | number[], stride?: number | number[], padding?: ConvPadding,
    dilation?: number | number[], groups?: number, bias?: boolean, padding_mode?: PaddingMode, options?: ConvArgs,
  );
  constructor(in_channels: number, out_channels: number, kernel_size: number | number[], ...args: unknown[]) {
    super("Conv2d", 2, in_channels, out_channels, kernel_size, args);
  }
  /**
   * The 2-d convolution of `input`: [N, C_in, H, W] or unbatched [C_in, H, W] → [N, C_out, H_out, W_out] (or
   * [C_out, H_out, W_out]), H_out = ⌊(H + 2·padding[0] − dilation[0]·(kH − 1) − 1) / stride[0]⌋ + 1 (W
   * likewise).
   */
  override forward(input: Tensor): Tensor {
    return super.forward(input);
  }
}

/**
 * nn.Conv3d(in_channels, out_channels, kernel_size, { stride = 1, padding = 0, dilation = 1,
 * groups = 1, bias = true, padding_mode = "zeros", dtype }): input [N, C_in, D, H, W] or
 * [C_in, D, H, W] → [N, C_out, D_out, H_out, W_out], D_out = ⌊(D + 2·padding[0] −
 * dilation[0]·(kD − 1) − 1) / stride[0]⌋ + 1 (H, W likewise). kernel_size, stride, padding,
 * dilation: an int or [d, h, w]. Weight [C_out, C_in / groups, kD, kH, kW] and bias [C_out],
 * initialised as PyTorch's. For video or volumes:
 *
 *   const conv = new torch.nn.Conv3d(3, 8, 3, { padding: 1 });   // [2, 3, 16, 32, 32] → [2, 8, 16, 32, 32]
 */
export class Conv3d extends _ConvNd {
  constructor(in_channels: number, out_channels: number, kernel_size: number | number[], options?: ConvArgs);
  constructor(
    in_channels: number, out_channels: number, kernel_size: number | number[], stride?: number | number[], padding?: ConvPadding,
    dilation?: number | number[], groups?: number, bias?: boolean, padding_mode?: PaddingMode, options?: ConvArgs,
  );
  constructor(in_channels: number, out_channels: number, kernel_size: number | number[], ...args: unknown[]) {
    super("Conv3d", 3, in_channels, out_channels, kernel_size, args);
  }
  /**
   * The 3-d convolution of `input`: [N, C_in, D, H, W] or unbatched [C_in, D, H, W] → [N, C_out, D_out,
   * H_out, W_out] (or [C_out, D_out, H_out, W_out]), D_out = ⌊(D + 2·padding[0] − dilation[0]·(kD − 1) − 1)
   * / stride[0]⌋ + 1 (H, W likewise).
   */
  override forward(input: Tensor): Tensor {
    return super.forward(input);
  }
}
