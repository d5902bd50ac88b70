/**
 * nn.ConvTranspose1d and nn.ConvTranspose2d (math in functional/conv_transpose.ts).
 *
 * ConvTranspose2d(in_channels, out_channels, kernel_size, { stride = 1, padding = 0,
 * output_padding = 0, groups = 1, bias = true, dilation = 1, padding_mode = "zeros", dtype }):
 * weight [in_channels, out_channels / groups, kH, kW] (transposed, as PyTorch's), bias
 * [out_channels]. Initialised as PyTorch's _ConvNd.reset_parameters: kaiming_uniform_(weight,
 * a = √5), i.e. U(-1/√fan_in, 1/√fan_in) with fan_in = weight.shape[1]·kH·kW = (out_channels /
 * groups)·kH·kW, then bias ~ U(-1/√fan_in, 1/√fan_in); the draws go through the random library, so
 * `torch.manual_seed(s)` gives PyTorch's exact weights. Only padding_mode "zeros" exists (PyTorch's
 * error otherwise). `forward(input, output_size?)` picks output_padding so the output has the
 * requested spatial size (PyTorch's _output_padding), e.g. to undo a strided Conv2d exactly.
 * The options may also follow kernel_size positionally in Python's order (stride, padding,
 * output_padding, groups, bias, dilation, padding_mode).
 *
 * Deviation: PyTorch's _ConvTransposeNd derives from _ConvNd; here it is its own Module with the
 * same attributes (in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
 * output_padding, groups, padding_mode, weight, bias), so `instanceof _ConvNd` is false. A string
 * padding is refused when the layer is built (PyTorch accepts it and fails in forward).
 */
import type { DType, Tensor } from "../../tensor/tensor";
import { Module } from "../module";
import type { Parameter } from "../parameter";
import { expandArg } from "../functional/conv";
import { checkConvTranspose, convolution_transpose } from "../functional/conv_transpose";
import { _calculate_fan_in_and_fan_out, kaiming_uniform_, uniform_ } from "../init";
import { sizeStr } from "../_autograd";
import { checkSize, emptyParam, floatDtype } from "./_util";
import { convExtraRepr, convLayerArgs } from "./conv";

export interface ConvTransposeArgs {
  /** Step of the kernel over the output: an int or one per spatial dim. Default 1. */
  stride?: number | number[];
  /** Removed from both sides of the output (dilation·(kernel_size − 1) − padding zeros around the input): an int or one per spatial dim. Default 0. */
  padding?: number | number[];
  /** Extra size added to one side of each output dim; smaller than stride or dilation. Default 0. */
  output_padding?: number | number[];
  /** Split channels into this many groups convolved independently; must divide in_channels and out_channels. Default 1. */
  groups?: number;
  /** Learn a bias per output channel. Default true. */
  bias?: boolean;
  /** Spacing between kernel elements: an int or one per spatial dim. Default 1. */
  dilation?: number | number[];
  /** Only "zeros" (the default) is supported, as in PyTorch. */
  padding_mode?: "zeros";
  /** "float32" or "float64" (default: torch.get_default_dtype()). */
  dtype?: DType;
}

const POSITIONAL = ["stride", "padding", "output_padding", "groups", "bias", "dilation", "padding_mode"] as const;
/** The shared parts of ConvTranspose1d and ConvTranspose2d (PyTorch's _ConvTransposeNd). */
export abstract class _ConvTransposeNd extends Module {
  in_channels: number;
  out_channels: number;
  kernel_size: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
  groups: number;
  padding_mode: "zeros";
  /** Always true (PyTorch's attribute). */
  transposed: boolean;
  output_padding: number[];
  weight: Parameter;
  bias: Parameter | null;
  /** Spatial dims: 1 (ConvTranspose1d) or 2 (ConvTranspose2d). */
  protected readonly nd: 1 | 2;

  constructor(layer: string, nd: 1 | 2, in_channels: number, out_channels: number, kernel_size: number | number[], args: unknown[]) {
    super();
    this.nd = nd;
    const o = convLayerArgs<ConvTransposeArgs>(layer, args, POSITIONAL);
    const { stride = 1, padding = 0, output_padding = 0, groups = 1, bias = true, dilation = 1, padding_mode = "zeros", dtype } = o;
    if (padding_mode !== "zeros") throw new RangeError(`Only "zeros" padding mode is supported for ${layer}`);
    this.in_channels = checkSize(in_channels, layer, "in_channels");
    this.out_channels = checkSize(out_channels, layer, "out_channels");
    if (typeof groups !== "number" || !Number.isInteger(groups) || groups <= 0) throw new RangeError("groups must be a positive integer");
    if (in_channels % groups !== 0) throw new RangeError(`in_channels must be divisible by groups (in_channels=${in_channels}, groups=${groups})`);
    if (out_channels % groups !== 0) throw new RangeError(`out_channels must be divisible by groups (out_channels=${out_channels}, groups=${groups})`);
    if (typeof padding === "string") {
      throw new TypeError(`${layer}: padding must be an int or a tuple of ${nd} ints, got '${padding}' ("same" and "valid" exist for Conv${nd}d only)`);
    }
    this.kernel_size = expandArg(kernel_size, nd, "kernel_size", layer);
    this.stride = expandArg(stride, nd, "stride", layer);
    this.padding = expandArg(padding, nd, "padding", layer);
    this.dilation = expandArg(dilation, nd, "dilation", layer);
    this.output_padding = expandArg(output_padding, nd, "output_padding", layer);
    this.groups = groups;
    this.padding_mode = padding_mode;
    this.transposed = true;
    const dt = floatDtype(dtype, layer);
    this.weight = emptyParam([in_channels, out_channels / groups, ...this.kernel_size], dt);
    this.bias = bias ? emptyParam([out_channels], dt) : null;
    this.reset_parameters();
  }

  reset_parameters(): void {
    kaiming_uniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fan_in] = _calculate_fan_in_and_fan_out(this.weight);
      const bound = fan_in > 0 ? 1 / Math.sqrt(fan_in) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  /**
   * The output_padding giving `output_size` (PyTorch's _output_padding): this.output_padding when
   * it is absent; else, per spatial dim, the requested size minus the smallest one,
   * (in − 1)·stride − 2·padding + dilation·(kernel_size − 1) + 1, which must be at most stride − 1
   * below it. output_size holds the spatial sizes, or also the leading (batch,) channel dims.
   */
  _output_padding(input: Tensor, output_size: readonly number[] | null | undefined): number[] {
    const nd = this.nd;
    if (output_size === null || output_size === undefined) return [...this.output_padding];
    const lead = input.dim() === nd + 2 ? 2 : 1;
    let size = [...output_size];
    if (size.length === lead + nd) size = size.slice(lead);
    if (size.length !== nd) {
      throw new RangeError(`ConvTranspose${nd}D: for ${input.dim()}D input, output_size must have ${nd} or ${lead + nd} elements (got ${size.length})`);
    }
    const min = size.map((_, d) => (input.shape[d + lead] - 1) * this.stride[d] - 2 * this.padding[d] + this.dilation[d] * (this.kernel_size[d] - 1) + 1);
    const max = min.map((m, d) => m + this.stride[d] - 1);
    if (size.some((s, d) => !(s >= min[d] && s <= max[d]))) {
      // PyTorch names input.size()[2:], which for an unbatched input drops the first spatial dim too
      throw new RangeError(
        `requested an output size of [${size.join(", ")}], but valid sizes range from [${min.join(", ")}] to [${max.join(", ")}] (for an input of ${sizeStr(input.shape.slice(2))})`,
      );
    }
    return size.map((s, d) => s - min[d]);
  }

  /** The transposed convolution of `input`; `output_size` (spatial, or with the leading dims) selects output_padding. */
  override forward(input: Tensor, output_size?: readonly number[] | null): Tensor {
    const layer = this.nd === 2 ? "ConvTranspose2d" : "ConvTranspose1d";
    if (this.padding_mode !== "zeros") throw new RangeError(`Only \`zeros\` padding mode is supported for ${layer}`);
    const output_padding = this._output_padding(input, output_size);
    const op = this.nd === 2 ? "conv_transpose2d" : "conv_transpose1d";
    const p = checkConvTranspose(op, this.nd, input, this.weight, this.bias, this.stride, this.padding, output_padding, this.groups, this.dilation);
    return convolution_transpose(this.nd, input, this.weight, this.bias, p);
  }

  override extra_repr(): string {
    return convExtraRepr(this);
  }
}

/**
 * nn.ConvTranspose1d(in_channels, out_channels, kernel_size, { stride = 1, padding = 0,
 * output_padding = 0, groups = 1, bias = true, dilation = 1, padding_mode = "zeros", dtype }):
 * input [N, C_in, L] or [C_in, L] → [N, C_out, L_out],
 *   L_out = (L − 1)·stride − 2·padding + dilation·(kernel_size − 1) + output_padding + 1.
 * Weight [C_in, C_out / groups, kernel_size] and bias [C_out], initialised as PyTorch's.
 */
export class ConvTranspose1d extends _ConvTransposeNd {
  constructor(in_channels: number, out_channels: number, kernel_size: number | number[], options?: ConvTransposeArgs);
  constructor(
    in_channels: number, out_channels: number, kernel_size: number | number[], stride?: number | number[], padding?: number | number[],
    output_padding?: number | number[], groups?: number, bias?: boolean, dilation?: number | number[], padding_mode?: "zeros", options?: ConvTransposeArgs,
  );
  constructor(in_channels: number, out_channels: number, kernel_size: number | number[], ...args: unknown[]) {
    super("ConvTranspose1d", 1, in_channels, out_channels, kernel_size, args);
  }
  /**
   * The 1-d transposed convolution of `input`: [N, C_in, L] or [C_in, L] → [N, C_out, L_out], L_out = (L −
   * 1)·stride − 2·padding + dilation·(kernel_size − 1) + output_padding + 1; `output_size` ([L_out], or with
   * the leading dims) selects output_padding.
   */
  override forward(input: Tensor, output_size?: readonly number[] | null): Tensor {
    return super.forward(input, output_size);
  }
}

/**
 * nn.ConvTranspose2d(in_channels, out_channels, kernel_size, { stride = 1, padding = 0,
 * output_padding = 0, groups = 1, bias = true, dilation = 1, padding_mode = "zeros", dtype }):
 * input [N, C_in, H, W] or [C_in, H, W] → [N, C_out, H_out, W_out],
 *   H_out = (H − 1)·stride[0] − 2·padding[0] + dilation[0]·(kH − 1) + output_padding[0] + 1
 * (W likewise). Weight [C_in, C_out / groups, kH, kW] and bias [C_out], initialised as PyTorch's.
 *
 *   const up = new torch.nn.ConvTranspose2d(16, 8, 3, { stride: 2, padding: 1, output_padding: 1 });   // [N, 16, 7, 7] → [N, 8, 14, 14]
 *   up.forward(x, [14, 14]);   // or let output_size choose output_padding
 */
export class ConvTranspose2d extends _ConvTransposeNd {
  constructor(in_channels: number, out_channels: number, kernel_size: number | number[], options?: ConvTransposeArgs);
  constructor(
    in_channels: number, out_channels: number, kernel_size: number | number[], stride?: number | number[], padding?: number | number[],
    output_padding?: number | number[], groups?: number, bias?: boolean, dilation?: number | number[], padding_mode?: "zeros", options?: ConvTransposeArgs,
  );
  constructor(in_channels: number, out_channels: number, kernel_size: number | number[], ...args: unknown[]) {
    super("ConvTranspose2d", 2, in_channels, out_channels, kernel_size, args);
  }
  /**
   * The 2-d transposed convolution of `input`: [N, C_in, H, W] or [C_in, H, W] → [N, C_out, H_out, W_out],
   * H_out = (H − 1)·stride[0] − 2·padding[0] + dilation[0]·(kH − 1) + output_padding[0] + 1 (W likewise);
   * `output_size` ([H_out, W_out], or with the leading dims) selects output_padding.
   */
  override forward(input: Tensor, output_size?: readonly number[] | null): Tensor {
    return super.forward(input, output_size);
  }
}
