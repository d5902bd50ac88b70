/**
 * Loss modules: `new nn.MSELoss({ reduction: "sum" })`, then `loss_fn.forward(input, target)`.
 * Each holds its options and calls the functional form (math in functional/loss.ts, binary.ts,
 * classification.ts). Class weights and pos_weight are buffers, as in PyTorch.
 */
import type { Tensor } from "../../tensor/tensor";
import { Module } from "../module";
import { checkReduction } from "../_autograd";
import type { Reduction } from "../_autograd";
import * as F from "../functional/index";

abstract class Loss extends Module {
  reduction: Reduction;
  constructor(reduction: Reduction = "mean") {
    super();
    this.reduction = checkReduction(reduction);
  }
  abstract override forward(input: Tensor, target: Tensor): Tensor;
}

abstract class WeightedLoss extends Loss {
  declare weight: Tensor | null;
  constructor(weight: Tensor | null | undefined, reduction: Reduction = "mean") {
    super(reduction);
    this.register_buffer("weight", weight ?? null);
  }
}

export class MSELoss extends Loss {
  constructor({ reduction = "mean" }: { reduction?: Reduction } = {}) {
    super(reduction);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.mse_loss(input, target, { reduction: this.reduction });
  }
}

export class L1Loss extends Loss {
  constructor({ reduction = "mean" }: { reduction?: Reduction } = {}) {
    super(reduction);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.l1_loss(input, target, { reduction: this.reduction });
  }
}

export class HuberLoss extends Loss {
  delta: number;
  constructor({ reduction = "mean", delta = 1.0 }: { reduction?: Reduction; delta?: number } = {}) {
    super(reduction);
    this.delta = delta;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.huber_loss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

export class SmoothL1Loss extends Loss {
  beta: number;
  constructor({ reduction = "mean", beta = 1.0 }: { reduction?: Reduction; beta?: number } = {}) {
    super(reduction);
    this.beta = beta;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.smooth_l1_loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

export class BCELoss extends WeightedLoss {
  constructor({ weight = null, reduction = "mean" }: { weight?: Tensor | null; reduction?: Reduction } = {}) {
    super(weight, reduction);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binary_cross_entropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

export class BCEWithLogitsLoss extends Loss {
  declare weight: Tensor | null;
  declare pos_weight: Tensor | null;
  constructor({
    weight = null,
    reduction = "mean",
    pos_weight = null,
  }: { weight?: Tensor | null; reduction?: Reduction; pos_weight?: Tensor | null } = {}) {
    super(reduction);
    this.register_buffer("weight", weight);
    this.register_buffer("pos_weight", pos_weight);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binary_cross_entropy_with_logits(input, target, {
      weight: this.weight,
      pos_weight: this.pos_weight,
      reduction: this.reduction,
    });
  }
}

export class NLLLoss extends WeightedLoss {
  ignore_index: number;
  constructor({
    weight = null,
    ignore_index = -100,
    reduction = "mean",
  }: { weight?: Tensor | null; ignore_index?: number; reduction?: Reduction } = {}) {
    super(weight, reduction);
    this.ignore_index = ignore_index;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.nll_loss(input, target, { weight: this.weight, ignore_index: this.ignore_index, reduction: this.reduction });
  }
}

export class CrossEntropyLoss extends WeightedLoss {
  ignore_index: number;
  label_smoothing: number;
  constructor({
    weight = null,
    ignore_index = -100,
    reduction = "mean",
    label_smoothing = 0.0,
  }: { weight?: Tensor | null; ignore_index?: number; reduction?: Reduction; label_smoothing?: number } = {}) {
    super(weight, reduction);
    this.ignore_index = ignore_index;
    this.label_smoothing = label_smoothing;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.cross_entropy(input, target, {
      weight: this.weight,
      ignore_index: this.ignore_index,
      reduction: this.reduction,
      label_smoothing: this.label_smoothing,
    });
  }
}
