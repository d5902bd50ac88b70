/** Activation layers: thin modules over torch.nn.functional (see functional/activation.ts for the math). */
import type { Tensor } from "../../tensor/tensor";
import { Module } from "../module";
import * as F from "../functional/activation";
import type { GeluApproximate } from "../functional/activation";
import { flatten } from "../functional/shape";
import { unflatten } from "../../tensor/views";
import * as P from "../functional/pointwise";
import { pyFloat } from "./_util";
import { pyArgs } from "../../utils/py_args";
import { nnArgs } from "../positional";
import { RuntimeError } from "../../errors";

export class ReLU extends Module {
  inplace: boolean;
  /** `new ReLU()`, `new ReLU(true)` or `new ReLU({ inplace: true })` (forward then writes into its input, as PyTorch's). */
  constructor(inplace?: boolean | { inplace?: boolean }) {
    super();
    const o = pyArgs("ReLU", [["inplace", "boolean"]], inplace === undefined ? [] : [inplace]) as { inplace?: boolean };
    this.inplace = o.inplace ?? false;
  }
  /** max(0, x) elementwise. Shape kept: input [*] (any number of dims) → output [*], the same shape. */
  override forward(input: Tensor): Tensor {
    return F.relu(input, this.inplace);
  }
  override extra_repr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

export class Tanh extends Module {
  /** tanh(x) elementwise. Shape kept: input [*] (any number of dims) → output [*], the same shape. */
  override forward(input: Tensor): Tensor {
    return F.tanh(input);
  }
}

export class Sigmoid extends Module {
  /** σ(x) = 1 / (1 + e^{−x}) elementwise. Shape kept: input [*] (any number of dims) → output [*], the same shape. */
  override forward(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}

export class GELU extends Module {
  approximate: GeluApproximate;
  /** `new GELU("tanh")` or `new GELU({ approximate: "tanh" })`, as PyTorch's positional or keyword form. */
  constructor(approximate?: GeluApproximate | { approximate?: GeluApproximate });
  constructor(...args: unknown[]) {
    super();
    const { approximate = "none" } = pyArgs("GELU", [["approximate", "string"]], args) as { approximate?: GeluApproximate };
    if (approximate !== "none" && approximate !== "tanh") {
      throw RuntimeError(`approximate argument must be either none or tanh. (got ${String(approximate)})`);
    }
    this.approximate = approximate;
  }
  /**
   * x·Φ(x) elementwise (the tanh approximation when approximate = "tanh"). Shape kept: input [*] (any number
   * of dims) → output [*], the same shape.
   */
  override forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }
  override extra_repr(): string {
    return `approximate='${this.approximate}'`;
  }
}

export class Softmax extends Module {
  dim: number | null;
  /** `new Softmax(1)` or `new Softmax({ dim: 1 })`, as PyTorch's positional or keyword form. */
  constructor(dim?: number | null);
  constructor(options: { dim?: number | null });
  constructor(...args: unknown[]) {
    super();
    const { dim = null } = nnArgs("Softmax", new.target.name, args) as { dim?: number | null };
    this.dim = dim;
  }
  /**
   * Softmax along `dim`: each slice along it is ≥ 0 and sums to 1. Shape kept: input [*] (any number of dims)
   * → output [*], the same shape.
   */
  override forward(input: Tensor): Tensor {
    return F.softmax(input, implicitDim(this.dim, input, "Softmax"));
  }
  override extra_repr(): string {
    return `dim=${this.dim === null ? "None" : this.dim}`;
  }
}

export class LogSoftmax extends Module {
  dim: number | null;
  /** `new LogSoftmax(1)` or `new LogSoftmax({ dim: 1 })`, as PyTorch's positional or keyword form. */
  constructor(dim?: number | null);
  constructor(options: { dim?: number | null });
  constructor(...args: unknown[]) {
    super();
    const { dim = null } = nnArgs("LogSoftmax", new.target.name, args) as { dim?: number | null };
    this.dim = dim;
  }
  /** log(softmax(x)) along `dim`, computed stably. Shape kept: input [*] (any number of dims) → output [*], the same shape. */
  override forward(input: Tensor): Tensor {
    return F.log_softmax(input, implicitDim(this.dim, input, "LogSoftmax"));
  }
  override extra_repr(): string {
    return `dim=${this.dim === null ? "None" : this.dim}`;
  }
}

/** PyTorch's legacy choice when dim is None: 0 for 0-, 1- and 3-D inputs, else 1 (with a warning). */
function implicitDim(dim: number | null, input: Tensor, name: string): number {
  if (dim !== null && dim !== undefined) return dim;
  console.warn(`UserWarning: Implicit dimension choice for ${name.toLowerCase()} has been deprecated. Change the call to include dim=X as an argument.`);
  const nd = input.dim();
  return nd === 0 || nd === 1 || nd === 3 ? 0 : 1;
}

/** nn.Flatten(start_dim = 1, end_dim = -1). */
export class Flatten extends Module {
  start_dim: number;
  end_dim: number;
  /** `new Flatten(0)`, `new Flatten(1, 2)` or `new Flatten({ start_dim: 0 })`, as PyTorch's positional or keyword form. */
  constructor(start_dim?: number, end_dim?: number);
  constructor(start_dim: number, options: { end_dim?: number });
  constructor(options: { start_dim?: number; end_dim?: number });
  constructor(...args: unknown[]) {
    super();
    const { start_dim = 1, end_dim = -1 } = nnArgs("Flatten", new.target.name, args) as { start_dim?: number; end_dim?: number };
    this.start_dim = start_dim;
    this.end_dim = end_dim;
  }
  /**
   * Flattens dims start_dim..end_dim into one: input [*, S_start, ..., S_end, *] → [*, ∏ S_i, *] (default [N,
   * *dims] → [N, ∏ dims]).
   */
  override forward(input: Tensor): Tensor {
    return flatten(input, this.start_dim, this.end_dim);
  }
  override extra_repr(): string {
    return `start_dim=${this.start_dim}, end_dim=${this.end_dim}`;
  }
}

/**
 * nn.Unflatten(dim, unflattened_size): splits dim `dim` into the sizes given (one may be -1,
 * inferred), the inverse of Flatten: `new Unflatten(1, [16, 5, 5])` takes [N, 400] to
 * [N, 16, 5, 5]. The result shares the input's storage (a view).
 */
export class Unflatten extends Module {
  dim: number;
  unflattened_size: number[];
  constructor(dim: number, unflattened_size: number[]) {
    super();
    if (typeof dim !== "number" || !Number.isInteger(dim)) {
      throw new TypeError(`Unflatten: dim must be an int (lrlab has no named tensors), got ${String(dim)}`);
    }
    if (!Array.isArray(unflattened_size) || !unflattened_size.every((v) => typeof v === "number" && Number.isInteger(v))) {
      throw new TypeError(`unflattened_size must be tuple of ints, but found type ${Array.isArray(unflattened_size) ? "list with non-ints" : typeof unflattened_size}`);
    }
    this.dim = dim;
    this.unflattened_size = [...unflattened_size];
  }
  /** Splits dim `dim` into `unflattened_size`: input [*, S_dim, *] → [*, U_1, ..., U_n, *] with ∏ U_i = S_dim (a view). */
  override forward(input: Tensor): Tensor {
    const d = this.dim < 0 ? this.dim + input.dim() : this.dim;
    const n = input.shape[d];
    const known = this.unflattened_size.filter((v) => v !== -1).reduce((a, b) => a * b, 1);
    const ok = this.unflattened_size.includes(-1) ? known !== 0 && n % known === 0 : known === n;
    if (d >= 0 && d < input.dim() && !ok) {
      throw new RangeError(`unflatten: Provided sizes [${this.unflattened_size.join(", ")}] don't multiply up to the size of dim ${this.dim} (${n}) in the input tensor`);
    }
    return unflatten(input, this.dim, this.unflattened_size);
  }
  override extra_repr(): string {
    const u = this.unflattened_size;
    return `dim=${this.dim}, unflattened_size=${u.length === 1 ? `(${u[0]},)` : `(${u.join(", ")})`}`;
  }
}

export class LeakyReLU extends Module {
  negative_slope: number;
  inplace: boolean;
  /** `new LeakyReLU(0.2)` or `new LeakyReLU({ negative_slope: 0.2, inplace })`, as PyTorch's positional or keyword form. */
  constructor(negative_slope?: number, options?: { inplace?: boolean });
  constructor(negative_slope: number, inplace: boolean);
  constructor(options?: { negative_slope?: number; inplace?: boolean });
  constructor(...args: unknown[]) {
    super();
    const { negative_slope = 0.01, inplace = false } = pyArgs("LeakyReLU", [["negative_slope", "number"], ["inplace", "boolean"]], args) as { negative_slope?: number; inplace?: boolean };
    this.negative_slope = negative_slope;
    this.inplace = inplace;
  }
  /** x where x ≥ 0, else negative_slope·x. Shape kept: input [*] (any number of dims) → output [*], the same shape. */
  override forward(input: Tensor): Tensor {
    return P.leaky_relu(input, { negative_slope: this.negative_slope, inplace: this.inplace });
  }
  override extra_repr(): string {
    return `negative_slope=${pyFloat(this.negative_slope)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

export class ELU extends Module {
  alpha: number;
  inplace: boolean;
  /** `new ELU(0.3)` or `new ELU({ alpha: 0.3, inplace })`, as PyTorch's positional or keyword form. */
  constructor(alpha?: number, options?: { inplace?: boolean });
  constructor(alpha: number, inplace: boolean);
  constructor(options?: { alpha?: number; inplace?: boolean });
  constructor(...args: unknown[]) {
    super();
    const { alpha = 1.0, inplace = false } = pyArgs("ELU", [["alpha", "number"], ["inplace", "boolean"]], args) as { alpha?: number; inplace?: boolean };
    this.alpha = alpha;
    this.inplace = inplace;
  }
  /** x where x > 0, else α·(e^x − 1). Shape kept: input [*] (any number of dims) → output [*], the same shape. */
  override forward(input: Tensor): Tensor {
    return P.elu(input, { alpha: this.alpha, inplace: this.inplace });
  }
  override extra_repr(): string {
    return `alpha=${pyFloat(this.alpha)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

export class SiLU extends Module {
  inplace: boolean;
  /** `new SiLU()`, `new SiLU(true)` or `new SiLU({ inplace: true })` (forward then writes into its input, as PyTorch's). */
  constructor(inplace?: boolean | { inplace?: boolean }) {
    super();
    const o = pyArgs("SiLU", [["inplace", "boolean"]], inplace === undefined ? [] : [inplace]) as { inplace?: boolean };
    this.inplace = o.inplace ?? false;
  }
  /** x·σ(x) elementwise (swish). Shape kept: input [*] (any number of dims) → output [*], the same shape. */
  override forward(input: Tensor): Tensor {
    return P.silu(input, this.inplace);
  }
  override extra_repr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

export class Softplus extends Module {
  beta: number;
  threshold: number;
  /** `new Softplus(2)`, `new Softplus(2, 10)` or `new Softplus({ beta: 2, threshold: 10 })`, as PyTorch's positional or keyword form. */
  constructor(beta?: number, threshold?: number);
  constructor(beta: number, options: { threshold?: number });
  constructor(options?: { beta?: number; threshold?: number });
  constructor(...args: unknown[]) {
    super();
    const { beta = 1.0, threshold = 20.0 } = pyArgs("Softplus", [["beta", "number"], ["threshold", "number"]], args) as { beta?: number; threshold?: number };
    this.beta = beta;
    this.threshold = threshold;
  }
  /**
   * (1/β)·log(1 + e^{β·x}), linear where β·x > threshold. Shape kept: input [*] (any number of dims) → output
   * [*], the same shape.
   */
  override forward(input: Tensor): Tensor {
    return P.softplus(input, { beta: this.beta, threshold: this.threshold });
  }
  override extra_repr(): string {
    return `beta=${pyFloat(this.beta)}, threshold=${pyFloat(this.threshold)}`;
  }
}
