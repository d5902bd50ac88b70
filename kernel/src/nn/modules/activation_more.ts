/**
 * More activation layers: thin modules over functional/activation_more.ts (the math is there),
 * with PyTorch's constructor arguments (positional or one options object) and reprs. `inplace`
 * is printed as PyTorch prints it and, as in PyTorch, makes forward write into its input.
 *
 * Reprs print numbers as Python floats (`Threshold(threshold=0.1, value=20.0)`): PyTorch prints
 * the number as the caller typed it (`value=20` for an int), which JS cannot tell apart.
 */
import { checkKeywords } from "../../utils/py_args";
import type { Tensor } from "../../tensor/tensor";
import type { DType } from "../../tensor/tensor";
import { Module } from "../module";
import { Parameter } from "../parameter";
import * as A from "../functional/activation_more";
import { softmax } from "../functional/activation";
import { ValueError } from "../../errors";
import { pyArgs } from "../../utils/py_args";
import { checkSize, filled, floatDtype, pyFloat } from "./_util";
import { bump_version } from "../../tensor/version";

type Inplace = { inplace?: boolean };

/** `inplace` positionally or as `{ inplace }`; its repr suffix. */
function readInplace(name: string, args: unknown[]): boolean {
  const { inplace = false } = pyArgs(name, [["inplace", "boolean"]], args) as Inplace;
  return inplace;
}

/** nn.Hardtanh(min_val = -1, max_val = 1): clamps to [min_val, max_val]; shape kept. */
export class Hardtanh extends Module {
  min_val: number;
  max_val: number;
  inplace: boolean;
  /** `new Hardtanh(-2, 2)` or `new Hardtanh({ min_val: -2, max_val: 2, inplace })`; max_val must exceed min_val. */
  constructor(min_val?: number, max_val?: number, inplace?: boolean);
  constructor(options?: { min_val?: number; max_val?: number; inplace?: boolean; min_value?: number | null; max_value?: number | null });
  constructor(...args: unknown[]) {
    super();
    const o = pyArgs(new.target.name, [["min_val", "number"], ["max_val", "number"], ["inplace", "boolean"]], args, ["min_value", "max_value"]) as {
      min_val?: number; max_val?: number; inplace?: boolean; min_value?: number | null; max_value?: number | null;
    };
    let { min_val = -1.0, max_val = 1.0 } = o;
    if (o.min_value !== undefined && o.min_value !== null) {
      console.warn("DeprecationWarning: keyword argument `min_value` is deprecated and rename to `min_val`");
      min_val = o.min_value;
    }
    if (o.max_value !== undefined && o.max_value !== null) {
      console.warn("DeprecationWarning: keyword argument `max_value` is deprecated and rename to `max_val`");
      max_val = o.max_value;
    }
    if (!(max_val > min_val)) throw new RangeError(`max_val (${pyFloat(max_val)}) must be greater than min_val (${pyFloat(min_val)})`);
    this.min_val = min_val;
    this.max_val = max_val;
    this.inplace = o.inplace ?? false;
  }
  /** Clamps to [min_val, max_val]. Shape kept: input [*] (any number of dims) → output [*], the same shape. */
  override forward(input: Tensor): Tensor {
    return A.hardtanh(input, { min_val: this.min_val, max_val: this.max_val, inplace: this.inplace });
  }
  override extra_repr(): string {
    return `min_val=${pyFloat(this.min_val)}, max_val=${pyFloat(this.max_val)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

/** nn.ReLU6(): min(max(x, 0), 6); shape kept. A Hardtanh(0, 6), as in PyTorch. */
export class ReLU6 extends Hardtanh {
  /** `new ReLU6()`, `new ReLU6(true)` or `new ReLU6({ inplace: true })`. */
  constructor(inplace?: boolean | Inplace) {
    super(0, 6, readInplace("ReLU6", inplace === undefined ? [] : [inplace]));
  }
  /** min(max(0, x), 6). Shape kept: input [*] (any number of dims) → output [*], the same shape. */
  override forward(input: Tensor): Tensor {
    return A.relu6(input, this.inplace);
  }
  override extra_repr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

/** What the layers with only an `inplace` flag share. */
abstract class InplaceActivation extends Module {
  inplace: boolean;
  /** `new Mish()`, `new Mish(true)` or `new Mish({ inplace: true })` (forward then writes into its input). */
  constructor(inplace?: boolean | Inplace) {
    super();
    this.inplace = readInplace(new.target.name, inplace === undefined ? [] : [inplace]);
  }
  override extra_repr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

/** nn.Hardsigmoid(): clamp(x/6 + 1/2, 0, 1); shape kept. PyTorch prints no `inplace` for it. */
export class Hardsigmoid extends InplaceActivation {
  /** 0 for x ≤ −3, 1 for x ≥ 3, else x/6 + 1/2. Shape kept: input [*] (any number of dims) → output [*], the same shape. */
  override forward(input: Tensor): Tensor {
    return A.hardsigmoid(input, this.inplace);
  }
  override extra_repr(): string {
    return "";
  }
}

/** nn.Hardswish(): x · relu6(x + 3)/6; shape kept. PyTorch prints no `inplace` for it. */
export class Hardswish extends InplaceActivation {
  /** x·Hardsigmoid(x). Shape kept: input [*] (any number of dims) → output [*], the same shape. */
  override forward(input: Tensor): Tensor {
    return A.hardswish(input, this.inplace);
  }
  override extra_repr(): string {
    return "";
  }
}

/** nn.Mish(): x · tanh(softplus(x)); shape kept. */
export class Mish extends InplaceActivation {
  /** x·tanh(softplus(x)). Shape kept: input [*] (any number of dims) → output [*], the same shape. */
  override forward(input: Tensor): Tensor {
    return A.mish(input, this.inplace);
  }
}

/** nn.SELU(): scale·(max(0, x) + min(0, α(e^x − 1))), α ≈ 1.6733, scale ≈ 1.0507; shape kept. */
export class SELU extends InplaceActivation {
  /**
   * scale·(max(0, x) + min(0, α·(e^x − 1))), α ≈ 1.6733, scale ≈ 1.0507. Shape kept: input [*] (any number of
   * dims) → output [*], the same shape.
   */
  override forward(input: Tensor): Tensor {
    return A.selu(input, this.inplace);
  }
}

/** nn.CELU(alpha = 1): max(0, x) + min(0, α(e^{x/α} − 1)); shape kept. */
export class CELU extends Module {
  alpha: number;
  inplace: boolean;
  /** `new CELU(0.5)` or `new CELU({ alpha: 0.5, inplace })`. */
  constructor(alpha?: number, inplace?: boolean);
  constructor(options?: { alpha?: number; inplace?: boolean });
  constructor(...args: unknown[]) {
    super();
    const { alpha = 1.0, inplace = false } = pyArgs("CELU", [["alpha", "number"], ["inplace", "boolean"]], args) as { alpha?: number; inplace?: boolean };
    this.alpha = alpha;
    this.inplace = inplace;
  }
  /** max(0, x) + min(0, α·(e^{x/α} − 1)). Shape kept: input [*] (any number of dims) → output [*], the same shape. */
  override forward(input: Tensor): Tensor {
    return A.celu(input, { alpha: this.alpha, inplace: this.inplace });
  }
  override extra_repr(): string {
    return `alpha=${pyFloat(this.alpha)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

/** nn.LogSigmoid(): log(1/(1 + e^{−x})); shape kept. */
export class LogSigmoid extends Module {
  /** log(σ(x)) = −softplus(−x), computed stably. Shape kept: input [*] (any number of dims) → output [*], the same shape. */
  override forward(input: Tensor): Tensor {
    return A.logsigmoid(input);
  }
}

/** nn.Softsign(): x/(1 + |x|); shape kept. */
export class Softsign extends Module {
  /** x / (1 + |x|). Shape kept: input [*] (any number of dims) → output [*], the same shape. */
  override forward(input: Tensor): Tensor {
    return A.softsign(input);
  }
}

/** nn.Tanhshrink(): x − tanh(x); shape kept. */
export class Tanhshrink extends Module {
  /** x − tanh(x). Shape kept: input [*] (any number of dims) → output [*], the same shape. */
  override forward(input: Tensor): Tensor {
    return A.tanhshrink(input);
  }
}

/** `lambd` positionally or as `{ lambd }`. */
function readLambd(name: string, args: unknown[]): number {
  const { lambd = 0.5 } = pyArgs(name, [["lambd", "number"]], args) as { lambd?: number };
  return lambd;
}

/** nn.Softshrink(lambd = 0.5): x − λ above λ, x + λ below −λ, else 0; shape kept. */
export class Softshrink extends Module {
  lambd: number;
  /** `new Softshrink(0.3)` or `new Softshrink({ lambd: 0.3 })`. */
  constructor(lambd?: number | { lambd?: number }) {
    super();
    this.lambd = readLambd("Softshrink", lambd === undefined ? [] : [lambd]);
  }
  /** x − λ where x > λ, x + λ where x < −λ, else 0. Shape kept: input [*] (any number of dims) → output [*], the same shape. */
  override forward(input: Tensor): Tensor {
    return A.softshrink(input, this.lambd);
  }
  override extra_repr(): string {
    return pyFloat(this.lambd);
  }
}

/** nn.Hardshrink(lambd = 0.5): x where |x| > λ, else 0; shape kept. */
export class Hardshrink extends Module {
  lambd: number;
  /** `new Hardshrink(0.3)` or `new Hardshrink({ lambd: 0.3 })`. */
  constructor(lambd?: number | { lambd?: number }) {
    super();
    this.lambd = readLambd("Hardshrink", lambd === undefined ? [] : [lambd]);
  }
  /** x where |x| > λ, else 0. Shape kept: input [*] (any number of dims) → output [*], the same shape. */
  override forward(input: Tensor): Tensor {
    return A.hardshrink(input, this.lambd);
  }
  override extra_repr(): string {
    return pyFloat(this.lambd);
  }
}

/** nn.Threshold(threshold, value): x where x > threshold, else value; shape kept. Both are required. */
export class Threshold extends Module {
  threshold: number;
  value: number;
  inplace: boolean;
  /** `new Threshold(0.1, 20)` or `new Threshold({ threshold: 0.1, value: 20, inplace })`. */
  constructor(threshold: number, value: number, inplace?: boolean);
  constructor(threshold: number, options: { value: number; inplace?: boolean });
  constructor(options: { threshold: number; value: number; inplace?: boolean });
  constructor(...args: unknown[]) {
    super();
    const o = pyArgs("Threshold", [["threshold", "number"], ["value", "number"], ["inplace", "boolean"]], args) as A.ThresholdOptions;
    const missing = ["threshold", "value"].filter((k) => (o as Record<string, unknown>)[k] === undefined);
    if (missing.length > 0) {
      throw new TypeError(`Threshold.__init__() missing ${missing.length} required positional argument${missing.length > 1 ? "s" : ""}: ${missing.map((k) => `'${k}'`).join(" and ")}`);
    }
    this.threshold = o.threshold as number;
    this.value = o.value as number;
    this.inplace = o.inplace ?? false;
  }
  /** x where x > threshold, else `value`. Shape kept: input [*] (any number of dims) → output [*], the same shape. */
  override forward(input: Tensor): Tensor {
    return A.threshold(input, this.threshold, this.value, this.inplace);
  }
  override extra_repr(): string {
    return `threshold=${pyFloat(this.threshold)}, value=${pyFloat(this.value)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

/** nn.Softmin(dim = null): softmax(−x) along dim; shape kept. A null dim picks PyTorch's legacy one, with its warning. */
export class Softmin extends Module {
  dim: number | null;
  /** `new Softmin(1)` or `new Softmin({ dim: 1 })`. */
  constructor(dim: number | null | { dim?: number | null } = null) {
    super();
    if (typeof dim === "object" && dim !== null) checkKeywords("Softmin", dim, ["dim"]);
    const d = typeof dim === "object" && dim !== null ? dim.dim ?? null : dim;
    if (d !== null && (typeof d !== "number" || !Number.isInteger(d))) throw new TypeError(`Softmin: dim must be an int or null, got ${String(d)}`);
    this.dim = d;
  }
  /**
   * softmax(−x) along `dim`: each slice along it is ≥ 0 and sums to 1. Shape kept: input [*] (any number of
   * dims) → output [*], the same shape.
   */
  override forward(input: Tensor): Tensor {
    return A.softmin(input, this.dim);
  }
  override extra_repr(): string {
    return `dim=${this.dim === null ? "None" : this.dim}`;
  }
}

/**
 * nn.Softmax2d(): softmax over the channels at each spatial location, input [N, C, H, W] or
 * [C, H, W] (dim -3); shape kept.
 */
export class Softmax2d extends Module {
  constructor() {
    super();
  }
  /** softmax along the channel dim (-3) of an input [N, C, H, W] or [C, H, W]. */
  override forward(input: Tensor): Tensor {
    if (input.dim() !== 3 && input.dim() !== 4) throw ValueError(`Softmax2d: expected input to be 3D or 4D, got ${input.dim()}D instead`);
    return softmax(input, -3);
  }
}

/** nn.GLU(dim = -1): a ⊙ σ(b), a and b the halves of the input along dim; that dim halves. */
export class GLU extends Module {
  dim: number;
  /** `new GLU(1)` or `new GLU({ dim: 1 })`. */
  constructor(dim?: number | { dim?: number }) {
    super();
    const { dim: d = -1 } = pyArgs("GLU", [["dim", "number"]], dim === undefined ? [] : [dim]) as { dim?: number };
    this.dim = d;
  }
  /**
   * a ⊙ σ(b), a and b the two halves of the input along `dim`: input [*, 2M, *] → output [*, M, *] (that dim
   * halves; its size must be even).
   */
  override forward(input: Tensor): Tensor {
    return A.glu(input, this.dim);
  }
  override extra_repr(): string {
    return `dim=${this.dim}`;
  }
}

export interface PReLUOptions {
  num_parameters?: number;
  init?: number;
  device?: "cpu" | null;
  dtype?: DType | null;
}

/**
 * nn.PReLU(num_parameters = 1, init = 0.25): x where x > 0, else a·x, with a learnable `weight`
 * of shape [num_parameters] (one per channel, dim 1 of the input, or one shared), filled with
 * `init`. Shape kept.
 */
export class PReLU extends Module {
  num_parameters: number;
  init: number;
  weight: Parameter;
  /** `new PReLU()`, `new PReLU(3, 0.1)` or `new PReLU({ num_parameters: 3, init: 0.1, dtype })`. */
  constructor(num_parameters?: number, init?: number, options?: { device?: "cpu" | null; dtype?: DType | null });
  constructor(num_parameters: number, options: { init?: number; device?: "cpu" | null; dtype?: DType | null });
  constructor(options?: PReLUOptions);
  constructor(...args: unknown[]) {
    super();
    const o = pyArgs("PReLU", [["num_parameters", "number"], ["init", "number"]], args, ["device", "dtype"]) as PReLUOptions;
    if (o.device !== undefined && o.device !== null && o.device !== "cpu") throw new Error(`lrlab runs on the CPU only; got device ${String(o.device)}`);
    this.num_parameters = checkSize(o.num_parameters ?? 1, "PReLU", "num_parameters");
    this.init = o.init ?? 0.25;
    this.weight = new Parameter(filled([this.num_parameters], floatDtype(o.dtype, "PReLU"), this.init));
    bump_version(this.weight); // (PyTorch's init.constant_)
  }
  /** Refills the weight with `init` (PyTorch's reset_parameters). */
  reset_parameters(): void {
    this.weight.data.fill(this.init);
    bump_version(this.weight);
  }
  /**
   * x where x ≥ 0, else a·x with the learnable `weight` a (one per channel, dim 1 of the input, or one
   * shared). Shape kept: input [*] (any number of dims) → output [*], the same shape.
   */
  override forward(input: Tensor): Tensor {
    return A.prelu(input, this.weight);
  }
  override extra_repr(): string {
    return `num_parameters=${this.num_parameters}`;
  }
}
