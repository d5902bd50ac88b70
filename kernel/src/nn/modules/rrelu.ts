/**
 * nn.RReLU(lower = 1/8, upper = 1/3, inplace = false): the randomized leaky ReLU as a layer; in
 * training mode each non-positive element gets its own slope drawn from U(lower, upper), in eval
 * mode the slope (lower + upper)/2 (the math and PyTorch's draws: functional/rrelu.ts).
 */
import type { Tensor } from "../../tensor/tensor";
import { Module } from "../module";
import { pyArgs } from "../../utils/py_args";
import { rrelu } from "../functional/rrelu";
import { pyFloat } from "./_util";

export class RReLU extends Module {
  lower: number;
  upper: number;
  inplace: boolean;
  /** `new RReLU(0.1, 0.3)`, `new RReLU(0.1, 0.3, true)` or `new RReLU({ lower, upper, inplace })`, as PyTorch's positional or keyword form. */
  constructor(lower?: number, upper?: number, inplace?: boolean);
  constructor(lower: number, upper: number, options: { inplace?: boolean });
  constructor(options?: { lower?: number; upper?: number; inplace?: boolean });
  constructor(...args: unknown[]) {
    super();
    const o = pyArgs("RReLU", [["lower", "number"], ["upper", "number"], ["inplace", "boolean"]], args) as { lower?: number; upper?: number; inplace?: boolean };
    // PyTorch checks lower ≤ upper at forward time (F.rrelu), not here
    this.lower = o.lower ?? 1 / 8;
    this.upper = o.upper ?? 1 / 3;
    this.inplace = o.inplace ?? false;
  }
  /** x where x ≥ 0, else r·x with r ~ U(lower, upper) per element (training) or (lower + upper)/2 (eval). Shape kept. */
  override forward(input: Tensor): Tensor {
    return rrelu(input, this.lower, this.upper, this.training, this.inplace);
  }
  override extra_repr(): string {
    return `lower=${pyFloat(this.lower)}, upper=${pyFloat(this.upper)}${this.inplace ? ", inplace=True" : ""}`;
  }
}
