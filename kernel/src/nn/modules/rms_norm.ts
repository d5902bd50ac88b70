/**
 * nn.RMSNorm(normalized_shape, eps = null, elementwise_affine = true, { dtype }): root-mean-square
 * normalisation over the last len(normalized_shape) dims, y = x / √(mean(x²) + ε) · γ, with a
 * learnable weight γ of shape normalized_shape (ones) when elementwise_affine; no bias, as PyTorch.
 * eps null means torch.finfo(input.dtype).eps at each call (math in functional/rms_norm.ts).
 */
import type { DType, Tensor } from "../../tensor/tensor";
import { Module } from "../module";
import type { Parameter } from "../parameter";
import { rms_norm } from "../functional/rms_norm";
import { checkSize, emptyParam, floatDtype, pyBool, pyFloat } from "./_util";
import { bump_version } from "../../tensor/version";

export interface RMSNormArgs {
  /** Added to mean(x²); null (default): torch.finfo(input.dtype).eps. */
  eps?: number | null;
  /** A learnable per-element weight (ones). Default true. */
  elementwise_affine?: boolean;
  dtype?: DType;
}

const NAMES = ["eps", "elementwise_affine", "dtype"];

export class RMSNorm extends Module {
  normalized_shape: number[];
  eps: number | null;
  elementwise_affine: boolean;
  weight: Parameter | null;

  /** `new RMSNorm(8)`, `new RMSNorm([4, 8], 1e-6)`, `new RMSNorm(8, { eps: 1e-6, elementwise_affine: false })`. */
  constructor(normalized_shape: number | readonly number[], options?: RMSNormArgs);
  constructor(normalized_shape: number | readonly number[], eps?: number | null, elementwise_affine?: boolean, options?: RMSNormArgs);
  constructor(normalized_shape: number | readonly number[], ...args: unknown[]) {
    super();
    const last = args[args.length - 1];
    const kw = (typeof last === "object" && last !== null ? args.pop() : {}) as Record<string, unknown>;
    for (const key of Object.keys(kw)) {
      if (!NAMES.includes(key)) throw new TypeError(`RMSNorm() got an unexpected keyword argument '${key}' (allowed: ${NAMES.join(", ")})`);
    }
    if (args.length > 2) throw new TypeError(`RMSNorm() takes at most 2 optional positional arguments (eps, elementwise_affine) but ${args.length} were given`);
    if (args[0] !== undefined && "eps" in kw) throw new TypeError("RMSNorm() got multiple values for argument 'eps'");
    if (args[1] !== undefined && "elementwise_affine" in kw) throw new TypeError("RMSNorm() got multiple values for argument 'elementwise_affine'");
    const eps = (args[0] ?? kw.eps ?? null) as number | null;
    const elementwise_affine = (args[1] ?? kw.elementwise_affine ?? true) as boolean;
    if (eps !== null && typeof eps !== "number") throw new TypeError(`RMSNorm(): argument 'eps' must be a number or null, not ${typeof eps}`);
    if (typeof elementwise_affine !== "boolean") throw new TypeError(`RMSNorm(): argument 'elementwise_affine' must be a boolean, not ${typeof elementwise_affine}`);
    this.normalized_shape = typeof normalized_shape === "number" ? [normalized_shape] : [...normalized_shape];
    this.normalized_shape.forEach((d) => checkSize(d, "RMSNorm", "normalized_shape"));
    this.eps = eps;
    this.elementwise_affine = elementwise_affine;
    const dt = floatDtype(kw.dtype as DType | undefined, "RMSNorm");
    if (elementwise_affine) {
      this.weight = emptyParam(this.normalized_shape, dt);
      this.weight.data.fill(1);
      bump_version(this.weight); // (PyTorch's init.ones_)
    } else {
      this.weight = null;
    }
  }

  /** Resets the weight to ones. */
  reset_parameters(): void {
    this.weight?.data.fill(1);
    if (this.weight) bump_version(this.weight);
  }

  /** x / √(mean(x²) + ε) · γ over the last len(normalized_shape) dims: input [*, *normalized_shape] → the same shape. */
  override forward(input: Tensor): Tensor {
    return rms_norm(input, this.normalized_shape, { weight: this.weight, eps: this.eps });
  }

  override extra_repr(): string {
    const shape = this.normalized_shape.length === 1 ? `(${this.normalized_shape[0]},)` : `(${this.normalized_shape.join(", ")})`;
    return `${shape}, eps=${this.eps === null ? "None" : pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwise_affine)}`;
  }
}
