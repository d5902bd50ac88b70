/**
 * nn.Unfold(kernel_size, dilation = 1, padding = 0, stride = 1) and nn.Fold(output_size,
 * kernel_size, dilation = 1, padding = 0, stride = 1): the modules of F.unfold / F.fold
 * (functional/fold.ts). Each size is a number or a pair [h, w], printed as given (a pair as
 * Python's tuple). No parameters.
 */
import type { Tensor } from "../../tensor/tensor";
import { Module } from "../module";
import { fold, unfold } from "../functional/fold";
import type { FoldOptions, Pair } from "../functional/fold";

const NAMES = ["dilation", "padding", "stride"] as const;

/** The optional (dilation, padding, stride) positionally and/or as a trailing options object. */
function options(op: string, args: unknown[]): Required<FoldOptions> {
  const last = args[args.length - 1];
  const kw = (typeof last === "object" && last !== null && !Array.isArray(last) ? args.pop() : {}) as Record<string, unknown>;
  for (const k of Object.keys(kw)) {
    if (!(NAMES as readonly string[]).includes(k)) throw new TypeError(`${op}() got an unexpected keyword argument '${k}' (allowed: ${NAMES.join(", ")})`);
  }
  if (args.length > 3) throw new TypeError(`${op}() takes at most 3 optional positional arguments (dilation, padding, stride) but ${args.length} were given`);
  const out: Record<string, Pair> = {};
  NAMES.forEach((k, i) => {
    if (args[i] !== undefined && kw[k] !== undefined) throw new TypeError(`${op}() got multiple values for argument '${k}'`);
    out[k] = (args[i] ?? kw[k] ?? (k === "padding" ? 0 : 1)) as Pair;
  });
  return out as Required<FoldOptions>;
}

/** A size as Python prints it: 2 or (2, 3). */
function pyPair(v: Pair): string {
  return typeof v === "number" ? String(v) : `(${v.join(", ")})`;
}

export class Unfold extends Module {
  kernel_size: Pair;
  dilation: Pair;
  padding: Pair;
  stride: Pair;

  /** `new Unfold(3)`, `new Unfold([2, 3], 1, 1, 2)`, `new Unfold(2, { stride: 2 })`. */
  constructor(kernel_size: Pair, options?: FoldOptions);
  constructor(kernel_size: Pair, dilation?: Pair, padding?: Pair, stride?: Pair);
  constructor(kernel_size: Pair, ...args: unknown[]) {
    super();
    const o = options("Unfold", args);
    this.kernel_size = kernel_size;
    this.dilation = o.dilation;
    this.padding = o.padding;
    this.stride = o.stride;
  }

  /** input [N, C, H, W] (or [C, H, W]) → the blocks as columns [N, C·kh·kw, L]. */
  override forward(input: Tensor): Tensor {
    return unfold(input, this.kernel_size, { dilation: this.dilation, padding: this.padding, stride: this.stride });
  }

  override extra_repr(): string {
    return `kernel_size=${pyPair(this.kernel_size)}, dilation=${pyPair(this.dilation)}, padding=${pyPair(this.padding)}, stride=${pyPair(this.stride)}`;
  }
}

export class Fold extends Module {
  output_size: Pair;
  kernel_size: Pair;
  dilation: Pair;
  padding: Pair;
  stride: Pair;

  /** `new Fold([4, 5], 2)`, `new Fold(4, 2, 1, 0, 2)`, `new Fold(4, 2, { stride: 2 })`. */
  constructor(output_size: Pair, kernel_size: Pair, options?: FoldOptions);
  constructor(output_size: Pair, kernel_size: Pair, dilation?: Pair, padding?: Pair, stride?: Pair);
  constructor(output_size: Pair, kernel_size: Pair, ...args: unknown[]) {
    super();
    const o = options("Fold", args);
    this.output_size = output_size;
    this.kernel_size = kernel_size;
    this.dilation = o.dilation;
    this.padding = o.padding;
    this.stride = o.stride;
  }

  /** Columns [N, C·kh·kw, L] (or [C·kh·kw, L]) → their sum into [N, C, H, W], output_size [H, W]. */
  override forward(input: Tensor): Tensor {
    return fold(input, this.output_size, this.kernel_size, { dilation: this.dilation, padding: this.padding, stride: this.stride });
  }

  override extra_repr(): string {
    return `output_size=${pyPair(this.output_size)}, kernel_size=${pyPair(this.kernel_size)}, dilation=${pyPair(this.dilation)}, padding=${pyPair(this.padding)}, stride=${pyPair(this.stride)}`;
  }
}
