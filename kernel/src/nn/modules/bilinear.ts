/**
 * nn.Bilinear(in1_features, in2_features, out_features, bias = true, { dtype }):
 * y[n, o] = x1[n]ᵀ W[o] x2[n] + b[o] (math in functional/bilinear.ts). Parameters weight
 * [out_features, in1_features, in2_features] and bias [out_features], both drawn from
 * U(−1/√in1_features, 1/√in1_features) as PyTorch's reset_parameters (weight first), so a seed
 * gives PyTorch's values.
 */
import type { DType, Tensor } from "../../tensor/tensor";
import { Module } from "../module";
import type { Parameter } from "../parameter";
import { bilinear } from "../functional/bilinear";
import { uniform_ } from "../init";
import { checkSize, emptyParam, floatDtype, pyBool } from "./_util";

export class Bilinear extends Module {
  in1_features: number;
  in2_features: number;
  out_features: number;
  weight: Parameter;
  bias: Parameter | null;

  /** `new Bilinear(in1, in2, out)`, `new Bilinear(in1, in2, out, false)`, `new Bilinear(in1, in2, out, { bias: false, dtype })`. */
  constructor(in1_features: number, in2_features: number, out_features: number, bias?: boolean | { bias?: boolean; dtype?: DType }, options: { bias?: boolean; dtype?: DType } = {}) {
    super();
    let kw = options;
    let useBias = true;
    if (typeof bias === "object" && bias !== null) kw = bias;
    else if (bias !== undefined) {
      if (typeof bias !== "boolean") throw new TypeError(`Bilinear(): argument 'bias' must be a boolean, not ${typeof bias}`);
      if ("bias" in kw) throw new TypeError("Bilinear() got multiple values for argument 'bias'");
      useBias = bias;
    }
    for (const k of Object.keys(kw)) {
      if (k !== "bias" && k !== "dtype") throw new TypeError(`Bilinear() got an unexpected keyword argument '${k}' (allowed: bias, dtype)`);
    }
    if (kw.bias !== undefined) useBias = kw.bias;
    this.in1_features = checkSize(in1_features, "Bilinear", "in1_features");
    this.in2_features = checkSize(in2_features, "Bilinear", "in2_features");
    this.out_features = checkSize(out_features, "Bilinear", "out_features");
    const dt = floatDtype(kw.dtype, "Bilinear");
    this.weight = emptyParam([out_features, in1_features, in2_features], dt);
    this.bias = useBias ? emptyParam([out_features], dt) : null;
    this.reset_parameters();
  }

  /** weight and bias ~ U(−1/√in1_features, 1/√in1_features), as PyTorch. */
  reset_parameters(): void {
    const bound = 1 / Math.sqrt(this.weight.shape[1]);
    uniform_(this.weight, -bound, bound);
    if (this.bias !== null) uniform_(this.bias, -bound, bound);
  }

  /** x1 [*, in1_features], x2 [*, in2_features] (same leading dims) → [*, out_features]. */
  override forward(input1: Tensor, input2: Tensor): Tensor {
    return bilinear(input1, input2, this.weight, this.bias);
  }

  override extra_repr(): string {
    return `in1_features=${this.in1_features}, in2_features=${this.in2_features}, out_features=${this.out_features}, bias=${pyBool(this.bias !== null)}`;
  }
}
