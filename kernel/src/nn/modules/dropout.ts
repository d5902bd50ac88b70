/** The dropout modules (see functional/dropout.ts). */
import type { Tensor } from "../../tensor/tensor";
import { Module } from "../module";
import { dropout, dropout2d, dropout1d, dropout3d, alpha_dropout, feature_alpha_dropout } from "../functional/dropout";
import { pyBool, pyFloat } from "./_util";
import { pyArgs } from "../../utils/py_args";

/**
 * What the dropout modules share (PyTorch's `_DropoutNd`): `p` and `inplace`, given positionally
 * or as options, checked, and their repr. Each module is its own class, as in PyTorch (a
 * Dropout2d is not a Dropout).
 */
export abstract class _DropoutNd extends Module {
  p: number;
  inplace: boolean;
  /** `new Dropout(0.2)` or `new Dropout({ p: 0.2, inplace })` (Dropout2d alike), as PyTorch's positional or keyword form. */
  constructor(p?: number, options?: { inplace?: boolean });
  constructor(p: number, inplace: boolean);
  constructor(options?: { p?: number; inplace?: boolean });
  constructor(...args: unknown[]) {
    super();
    // new.target: Dropout2d's errors name Dropout2d
    const { p = 0.5, inplace = false } = pyArgs(new.target.name, [["p", "number"], ["inplace", "boolean"]], args) as { p?: number; inplace?: boolean };
    if (!(p >= 0 && p <= 1)) {
      throw new RangeError(`dropout probability has to be between 0 and 1, but got ${String(p)}`);
    }
    this.p = p;
    this.inplace = inplace;
  }
  override extra_repr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

/** nn.Dropout(p = 0.5): active in training mode only (see functional/dropout.ts). */
export class Dropout extends _DropoutNd {
  /**
   * In training, zeroes each element with probability p and scales the rest by 1/(1 − p); in eval, the
   * identity. Shape kept: input [*] (any number of dims) → output [*], the same shape.
   */
  override forward(input: Tensor): Tensor {
    return dropout(input, { p: this.p, training: this.training, inplace: this.inplace });
  }
}

/**
 * nn.Dropout2d(p = 0.5): in training mode zeroes whole channels of input [N, C, H, W] (each kept
 * with probability 1 − p, scaled by 1/(1 − p); see F.dropout2d); the identity in eval mode.
 */
export class Dropout2d extends _DropoutNd {
  /**
   * In training, zeroes whole channels with probability p and scales the rest by 1/(1 − p); in eval, the
   * identity. Input [N, C, H, W] or [C, H, W] → same shape.
   */
  override forward(input: Tensor): Tensor {
    return dropout2d(input, { p: this.p, training: this.training, inplace: this.inplace });
  }
}

/**
 * nn.Dropout3d(p = 0.5): in training mode zeroes whole channels of input [N, C, D, H, W] or
 * [C, D, H, W] (each kept with probability 1 − p, scaled by 1/(1 − p); see F.dropout3d); the
 * identity in eval mode.
 */
export class Dropout3d extends _DropoutNd {
  /**
   * In training, zeroes whole channels with probability p and scales the rest by 1/(1 − p); in eval, the
   * identity. Input [N, C, D, H, W] or [C, D, H, W] → same shape.
   */
  override forward(input: Tensor): Tensor {
    return dropout3d(input, { p: this.p, training: this.training, inplace: this.inplace });
  }
}

/**
 * nn.Dropout1d(p = 0.5): in training mode zeroes whole channels of input [N, C, L] or [C, L]
 * (each kept with probability 1 − p, scaled by 1/(1 − p); see F.dropout1d); the identity in eval mode.
 */
export class Dropout1d extends _DropoutNd {
  /**
   * In training, zeroes whole channels with probability p and scales the rest by 1/(1 − p); in eval, the
   * identity. Input [N, C, L] or [C, L] → same shape.
   */
  override forward(input: Tensor): Tensor {
    return dropout1d(input, { p: this.p, training: this.training, inplace: this.inplace });
  }
}

/**
 * nn.AlphaDropout(p = 0.5): dropout for SELU networks, keeping zero mean and unit variance (each
 * element kept with probability 1 − p, dropped ones set to SELU's negative saturation, then an
 * affine correction; see F.alpha_dropout); the identity in eval mode. Shape kept.
 */
export class AlphaDropout extends _DropoutNd {
  /**
   * In training, sets elements to SELU's negative saturation with probability p, keeping zero mean and unit
   * variance; in eval, the identity. Shape kept: input [*] (any number of dims) → output [*], the same shape.
   */
  override forward(input: Tensor): Tensor {
    return alpha_dropout(input, { p: this.p, training: this.training, inplace: this.inplace });
  }
}

/**
 * nn.FeatureAlphaDropout(p = 0.5): alpha dropout of whole channels of [N, C, ...] (see
 * F.feature_alpha_dropout); the identity in eval mode. Shape kept.
 */
export class FeatureAlphaDropout extends _DropoutNd {
  /**
   * AlphaDropout applied to whole channels (dim 1 of [N, C, *]); in eval, the identity. Input [N, C, *] or [C,
   * *] → same shape.
   */
  override forward(input: Tensor): Tensor {
    return feature_alpha_dropout(input, { p: this.p, training: this.training, inplace: this.inplace });
  }
}
