/**
 * The padding layers of torch.nn (math in functional/pad.ts): ZeroPad1d/2d, ConstantPad1d/2d,
 * ReflectionPad1d/2d, ReplicationPad1d/2d, CircularPad1d/2d. Each takes `padding`, an int (the same
 * amount on every side) or a tuple (left, right) for 1d, (left, right, top, bottom) for 2d, and
 * keeps it as that tuple, as PyTorch does; negative amounts crop.
 */
import type { Tensor } from "../../tensor/tensor";
import { Module } from "../module";
import { pad } from "../functional/pad";
import type { PadMode } from "../functional/pad";
import { pyFloat } from "./_util";

function padTuple(layer: string, padding: number | readonly number[], n: number): number[] {
  if (typeof padding === "number" && Number.isInteger(padding)) return new Array<number>(2 * n).fill(padding);
  // PyTorch's _ntuple passes any sequence through unchecked; F.pad then checks its length
  if (Array.isArray(padding) && padding.every((v) => typeof v === "number" && Number.isInteger(v))) return [...padding];
  throw new TypeError(`${layer}: padding must be an int or a tuple of ${2 * n} ints, got ${String(padding)}`);
}

const tupleRepr = (p: readonly number[]): string => (p.length === 1 ? `(${p[0]},)` : `(${p.join(", ")})`);

/** Shared by the reflection, replication and circular layers: a mode and the padding tuple. */
abstract class PadNd extends Module {
  padding: number[];
  protected abstract readonly mode: PadMode;
  constructor(padding: number | readonly number[], n: 1 | 2, layer: string) {
    super();
    this.padding = padTuple(layer, padding, n);
  }
  /**
   * Pads (or, with negative amounts, crops) the last dims: input [*, W] → [*, W + l + r] (1d) or [*, H, W] →
   * [*, H + t + b, W + l + r] (2d).
   */
  override forward(input: Tensor): Tensor {
    return pad(input, this.padding, this.mode);
  }
  override extra_repr(): string {
    return tupleRepr(this.padding);
  }
}

/** nn.ConstantPad1d(padding, value): pads the last dim of input with `value`; [.., W] → [.., W + l + r]. */
export class ConstantPad1d extends Module {
  padding: number[];
  value: number;
  constructor(padding: number | readonly number[], value: number) {
    super();
    this.padding = padTuple(new.target.name, padding, 1);
    this.value = value;
  }
  /** Pads the last dim with `value`: input [N, C, W] or [C, W] → [.., W + left + right]. */
  override forward(input: Tensor): Tensor {
    return pad(input, this.padding, "constant", this.value);
  }
  /** `value` prints as a Python float (2 → 2.0): JS has one number type (PyTorch prints the value as given). */
  override extra_repr(): string {
    return `padding=${tupleRepr(this.padding)}, value=${pyFloat(this.value)}`;
  }
}

/** nn.ConstantPad2d(padding, value): pads the last two dims with `value`; [.., H, W] → [.., H + t + b, W + l + r]. */
export class ConstantPad2d extends Module {
  padding: number[];
  value: number;
  constructor(padding: number | readonly number[], value: number) {
    super();
    this.padding = padTuple(new.target.name, padding, 2);
    this.value = value;
  }
  /** Pads the last two dims with `value`: input [N, C, H, W] or [C, H, W] → [.., H + top + bottom, W + left + right]. */
  override forward(input: Tensor): Tensor {
    return pad(input, this.padding, "constant", this.value);
  }
  /** `value` prints as a Python float (see ConstantPad1d). */
  override extra_repr(): string {
    return `padding=${tupleRepr(this.padding)}, value=${pyFloat(this.value)}`;
  }
}

/** nn.ZeroPad1d(padding): pads the last dim with zeros; [.., W] → [.., W + l + r]. */
export class ZeroPad1d extends ConstantPad1d {
  constructor(padding: number | readonly number[]) {
    super(padding, 0);
  }
  override extra_repr(): string {
    return tupleRepr(this.padding);
  }
  /** Pads the last dim with zeros: input [N, C, W] or [C, W] → [.., W + left + right]. */
  override forward(input: Tensor): Tensor {
    return super.forward(input);
  }
}

/** nn.ZeroPad2d(padding): pads the last two dims with zeros; [.., H, W] → [.., H + t + b, W + l + r]. */
export class ZeroPad2d extends ConstantPad2d {
  constructor(padding: number | readonly number[]) {
    super(padding, 0);
  }
  override extra_repr(): string {
    return tupleRepr(this.padding);
  }
  /** Pads the last two dims with zeros: input [N, C, H, W] or [C, H, W] → [.., H + top + bottom, W + left + right]. */
  override forward(input: Tensor): Tensor {
    return super.forward(input);
  }
}

/** nn.ReflectionPad1d(padding): mirrors input [C, W] or [N, C, W] at its ends, the edge not repeated (pad < W). */
export class ReflectionPad1d extends PadNd {
  protected readonly mode = "reflect";
  constructor(padding: number | readonly number[]) {
    super(padding, 1, new.target.name);
  }
  /**
   * Pads the last dim with its reflection (edge not repeated; each amount < W): input [N, C, W] or [C, W] →
   * [.., W + left + right].
   */
  override forward(input: Tensor): Tensor {
    return super.forward(input);
  }
}

/** nn.ReflectionPad2d(padding): mirrors input [C, H, W] or [N, C, H, W] at its edges (pad < the size). */
export class ReflectionPad2d extends PadNd {
  protected readonly mode = "reflect";
  constructor(padding: number | readonly number[]) {
    super(padding, 2, new.target.name);
  }
  /**
   * Pads the last two dims with their reflection (edge not repeated; amounts < H, W): input [N, C, H, W] or
   * [C, H, W] → [.., H + top + bottom, W + left + right].
   */
  override forward(input: Tensor): Tensor {
    return super.forward(input);
  }
}

/** nn.ReplicationPad1d(padding): repeats the first and last elements of input [C, W] or [N, C, W]. */
export class ReplicationPad1d extends PadNd {
  protected readonly mode = "replicate";
  constructor(padding: number | readonly number[]) {
    super(padding, 1, new.target.name);
  }
  /** Pads the last dim by repeating its edge values: input [N, C, W] or [C, W] → [.., W + left + right]. */
  override forward(input: Tensor): Tensor {
    return super.forward(input);
  }
}

/** nn.ReplicationPad2d(padding): repeats the edge rows and columns of input [C, H, W] or [N, C, H, W]. */
export class ReplicationPad2d extends PadNd {
  protected readonly mode = "replicate";
  constructor(padding: number | readonly number[]) {
    super(padding, 2, new.target.name);
  }
  /**
   * Pads the last two dims by repeating their edge values: input [N, C, H, W] or [C, H, W] → [.., H + top +
   * bottom, W + left + right].
   */
  override forward(input: Tensor): Tensor {
    return super.forward(input);
  }
}

/** nn.CircularPad1d(padding): wraps input [C, W] or [N, C, W] around (x[-1] before x[0]; pad ≤ W). */
export class CircularPad1d extends PadNd {
  protected readonly mode = "circular";
  constructor(padding: number | readonly number[]) {
    super(padding, 1, new.target.name);
  }
  /** Pads the last dim by wrapping around: input [N, C, W] or [C, W] → [.., W + left + right]. */
  override forward(input: Tensor): Tensor {
    if (input.dim() !== 2 && input.dim() !== 3) throw new RangeError(`expected 2D or 3D input (got ${input.dim()}D input)`);
    return super.forward(input);
  }
}

/** nn.CircularPad2d(padding): wraps input [C, H, W] or [N, C, H, W] around in both dims (a torus). */
export class CircularPad2d extends PadNd {
  protected readonly mode = "circular";
  constructor(padding: number | readonly number[]) {
    super(padding, 2, new.target.name);
  }
  /** Pads the last two dims by wrapping around: input [N, C, H, W] or [C, H, W] → [.., H + top + bottom, W + left + right]. */
  override forward(input: Tensor): Tensor {
    if (input.dim() !== 3 && input.dim() !== 4) throw new RangeError(`expected 3D or 4D input (got ${input.dim()}D input)`);
    return super.forward(input);
  }
}
