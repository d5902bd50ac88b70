/**
 * nn.Linear(in_features, out_features, { bias = true, dtype }): y = x Wᵀ + b. The options may
 * also follow positionally in PyTorch's order (`new Linear(2, 3, false)`: no bias; nn/positional.ts).
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
import { nnArgs, type DeviceArg, type FactoryArgs } from "../positional";
import type { Positional } from "../../optim/positional";

/** nn.Linear's options: `bias` (default true), and PyTorch's factory keywords. */
export interface LinearArgs extends FactoryArgs {
  /** Learn an additive bias b [out_features]. Default true. */
  bias?: boolean;
}

export class Linear extends Module {
  in_features: number;
  out_features: number;
  weight: Parameter;
  bias: Parameter | null;

  /**
   * nn.Linear(in_features, out_features, bias = true): y = x Wᵀ + b, input [*, in_features] →
   * [*, out_features]. `new Linear(2, 3, { bias: false })`, or positionally as in PyTorch:
   * `new Linear(2, 3, false)`.
   */
  constructor(in_features: number, out_features: number, options?: LinearArgs);
  /**
   * nn.Linear(in_features, out_features, bias = true, device, dtype): y = x Wᵀ + b, input
   * [*, in_features] → [*, out_features]; `new Linear(2, 3, false)` has no bias, as PyTorch's.
   */
  constructor(in_features: number, out_features: number, ...args: Positional<[bias: boolean, device: DeviceArg, dtype: DType | null], LinearArgs>);
  constructor(in_features: number, out_features: number, ...args: unknown[]) {
    super();
    const { bias = true, dtype } = nnArgs("Linear", new.target.name, args) as LinearArgs;
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
