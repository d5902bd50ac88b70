/**
 * nn.Linear(in_features, out_features, { bias = true, dtype }): y = x Wᵀ + b.
 * Initialised as PyTorch's reset_parameters: W by kaiming_uniform_(a = √5), i.e. U(-1/√in, 1/√in)
 * (gain √(2/(1+5)) = √(1/3), bound = √3·gain/√fan_in), and b ~ U(-1/√fan_in, 1/√fan_in); the
 * draws go through the random library, so `torch.manual_seed(s)` gives PyTorch's exact weights.
 */
import type { DType, Tensor } from "../../tensor/tensor";
import { Module } from "../module";
import { Parameter } from "../parameter";
import { linear } from "../functional/linear";
import { _calculate_fan_in_and_fan_out, kaiming_uniform_, uniform_ } from "../init";
import { checkSize, emptyParam, floatDtype, pyBool } from "./_util";

export class Linear extends Module {
  in_features: number;
  out_features: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(in_features: number, out_features: number, { bias = true, dtype }: { bias?: boolean; dtype?: DType } = {}) {
    super();
    this.in_features = checkSize(in_features, "Linear", "in_features");
    this.out_features = checkSize(out_features, "Linear", "out_features");
    const dt = floatDtype(dtype, "Linear");
    this.weight = emptyParam([out_features, in_features], dt);
    this.bias = bias ? emptyParam([out_features], dt) : null;
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

  /** x·Wᵀ + b: input [*, in_features] (any leading dims) → [*, out_features]. */
  override forward(input: Tensor): Tensor {
    return linear(input, this.weight, this.bias);
  }

  override extra_repr(): string {
    return `in_features=${this.in_features}, out_features=${this.out_features}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** nn.Identity: returns its input (placeholder layer). */
export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }

  /** Returns its input unchanged: input [*] → the same tensor. */
  override forward(input: Tensor): Tensor {
    return input;
  }
}
