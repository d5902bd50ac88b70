/** Activation layers: thin modules over torch.nn.functional (see functional/activation.ts for the math). */
import type { Tensor } from "../../tensor/tensor";
import { Module } from "../module";
import * as F from "../functional/activation";
import type { GeluApproximate } from "../functional/activation";
import { flatten } from "../functional/shape";

export class ReLU extends Module {
  inplace: boolean;
  constructor({ inplace = false }: { inplace?: boolean } = {}) {
    super();
    this.inplace = inplace;
  }
  override forward(input: Tensor): Tensor {
    return F.relu(input);
  }
  override extra_repr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

export class Tanh extends Module {
  override forward(input: Tensor): Tensor {
    return F.tanh(input);
  }
}

export class Sigmoid extends Module {
  override forward(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}

export class GELU extends Module {
  approximate: GeluApproximate;
  constructor({ approximate = "none" }: { approximate?: GeluApproximate } = {}) {
    super();
    if (approximate !== "none" && approximate !== "tanh") {
      throw new Error(`approximate argument must be either none or tanh. (got ${String(approximate)})`);
    }
    this.approximate = approximate;
  }
  override forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }
  override extra_repr(): string {
    return `approximate='${this.approximate}'`;
  }
}

export class Softmax extends Module {
  dim: number | null;
  constructor(dim: number | null = null) {
    super();
    this.dim = dim;
  }
  override forward(input: Tensor): Tensor {
    return F.softmax(input, implicitDim(this.dim, input, "Softmax"));
  }
  override extra_repr(): string {
    return `dim=${this.dim === null ? "None" : this.dim}`;
  }
}

export class LogSoftmax extends Module {
  dim: number | null;
  constructor(dim: number | null = null) {
    super();
    this.dim = dim;
  }
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
  constructor(start_dim = 1, end_dim = -1) {
    super();
    this.start_dim = start_dim;
    this.end_dim = end_dim;
  }
  override forward(input: Tensor): Tensor {
    return flatten(input, this.start_dim, this.end_dim);
  }
  override extra_repr(): string {
    return `start_dim=${this.start_dim}, end_dim=${this.end_dim}`;
  }
}
