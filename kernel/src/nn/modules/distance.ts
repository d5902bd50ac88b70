/** nn.CosineSimilarity and nn.PairwiseDistance (math in functional/distance.ts). */
import { pyArgs } from "../../utils/py_args";
import type { Tensor } from "../../tensor/tensor";
import { Module } from "../module";
import { cosine_similarity, pairwise_distance } from "../functional/distance";

/**
 * nn.CosineSimilarity({ dim = 1, eps = 1e-8 }): forward(x1, x2) = Σ x1·x2 /
 * (max(‖x1‖, eps)·max(‖x2‖, eps)) along dim (x1, x2 broadcast). Positionally too:
 * `new CosineSimilarity(0, 1e-6)`. Prints as `CosineSimilarity()`, as PyTorch.
 */
export class CosineSimilarity extends Module {
  dim: number;
  eps: number;
  constructor(options?: { dim?: number; eps?: number });
  constructor(dim?: number, eps?: number);
  constructor(a?: number | { dim?: number; eps?: number }, eps?: number) {
    super();
    // positional or keywords; an unknown key (or a wrong kind of value) is an error, never ignored
    const o = pyArgs("CosineSimilarity", [["dim", "number"], ["eps", "number"]], [a, eps]) as { dim?: number; eps?: number };
    this.dim = o.dim ?? 1;
    this.eps = o.eps ?? 1e-8;
  }
  /**
   * Cosine similarity x1·x2 / max(‖x1‖·‖x2‖, eps) along `dim`: x1 [*, D, *] and x2 broadcastable to it → [*,
   * *] (`dim` removed).
   */
  override forward(x1: Tensor, x2: Tensor): Tensor {
    return cosine_similarity(x1, x2, this.dim, this.eps);
  }
}

/**
 * nn.PairwiseDistance({ p = 2.0, eps = 1e-6, keepdim = false }): forward(x1, x2) =
 * ‖x1 − x2 + eps‖_p over the last dim. Positionally too: `new PairwiseDistance(1, 1e-3, true)`.
 * Prints as `PairwiseDistance()`, as PyTorch.
 */
export class PairwiseDistance extends Module {
  norm: number;
  eps: number;
  keepdim: boolean;
  constructor(options?: { p?: number; eps?: number; keepdim?: boolean });
  constructor(p?: number, eps?: number, keepdim?: boolean);
  constructor(a?: number | { p?: number; eps?: number; keepdim?: boolean }, eps?: number, keepdim?: boolean) {
    super();
    const o = pyArgs("PairwiseDistance", [["p", "number"], ["eps", "number"], ["keepdim", "boolean"]], [a, eps, keepdim]) as { p?: number; eps?: number; keepdim?: boolean };
    this.norm = o.p ?? 2;
    this.eps = o.eps ?? 1e-6;
    this.keepdim = o.keepdim ?? false;
  }
  /** p-norm distance ‖x1 − x2 + eps‖_p along the last dim: x1, x2 [N, D] or [D] → [N] or [] ([N, 1] / [1] with keepdim). */
  override forward(x1: Tensor, x2: Tensor): Tensor {
    return pairwise_distance(x1, x2, this.norm, this.eps, this.keepdim);
  }
}
