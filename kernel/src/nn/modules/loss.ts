/**
 * Loss modules: `new nn.MSELoss({ reduction: "sum" })`, then `loss_fn.forward(input, target)`.
 * Each holds its options and calls the functional form (math in functional/loss.ts, binary.ts,
 * classification.ts). Class weights and pos_weight are buffers, as in PyTorch.
 * The first ones also take PyTorch's positional order (nn/positional.ts): `new CrossEntropyLoss(w)`
 * is class-weighted, `new HuberLoss("sum", 0.5)`; the deprecated size_average and reduce keep their
 * places but take only null (`new NLLLoss(w, null, 0)`: ignore_index 0).
 */
import type { Tensor } from "../../tensor/tensor";
import { Module } from "../module";
import { checkReduction } from "../_autograd";
import type { Reduction } from "../_autograd";
import * as F from "../functional/index";
import { lossArgs, reductionArg } from "../functional/_loss_more";
import type { KLDivReduction } from "../functional/probabilistic";
import { ValueError } from "../../optim/lr_scheduler/errors";
import { nnArgs } from "../positional";
import type { Positional } from "../../optim/positional";

/** The deprecated size_average / reduce of PyTorch's losses: only null here (use `reduction`). */
type Deprecated = null;

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
  constructor(options?: { reduction?: Reduction });
  constructor(...args: Positional<[size_average: Deprecated, reduce: Deprecated, reduction: Reduction], { reduction?: Reduction }>);
  constructor(...args: unknown[]) {
    const { reduction = "mean" } = nnArgs("MSELoss", new.target.name, args) as { reduction?: Reduction };
    super(reduction);
  }
  /** Mean squared error (x − y)²: input [*] and target [*] of the same shape → a scalar, or [*] with reduction "none". */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.mse_loss(input, target, { reduction: this.reduction });
  }
}

export class L1Loss extends Loss {
  constructor(options?: { reduction?: Reduction });
  constructor(...args: Positional<[size_average: Deprecated, reduce: Deprecated, reduction: Reduction], { reduction?: Reduction }>);
  constructor(...args: unknown[]) {
    const { reduction = "mean" } = nnArgs("L1Loss", new.target.name, args) as { reduction?: Reduction };
    super(reduction);
  }
  /** Mean absolute error |x − y|: input [*] and target [*] of the same shape → a scalar, or [*] with reduction "none". */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.l1_loss(input, target, { reduction: this.reduction });
  }
}

export class HuberLoss extends Loss {
  delta: number;
  /** `new HuberLoss("sum", 0.5)` or `new HuberLoss({ reduction: "sum", delta: 0.5 })`, as PyTorch's positional or keyword form. */
  constructor(options?: { reduction?: Reduction; delta?: number });
  constructor(...args: Positional<[reduction: Reduction, delta: number], { reduction?: Reduction; delta?: number }>);
  constructor(...args: unknown[]) {
    const { reduction = "mean", delta = 1.0 } = nnArgs("HuberLoss", new.target.name, args) as { reduction?: Reduction; delta?: number };
    super(reduction);
    this.delta = delta;
  }
  /**
   * Huber loss, ½(x − y)² where |x − y| < delta, else delta·(|x − y| − ½·delta): input [*] and target [*] of
   * the same shape → a scalar, or [*] with reduction "none".
   */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.huber_loss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

export class SmoothL1Loss extends Loss {
  beta: number;
  constructor(options?: { reduction?: Reduction; beta?: number });
  constructor(...args: Positional<[size_average: Deprecated, reduce: Deprecated, reduction: Reduction, beta: number], { reduction?: Reduction; beta?: number }>);
  constructor(...args: unknown[]) {
    const { reduction = "mean", beta = 1.0 } = nnArgs("SmoothL1Loss", new.target.name, args) as { reduction?: Reduction; beta?: number };
    super(reduction);
    this.beta = beta;
  }
  /**
   * Smooth L1, ½(x − y)²/beta where |x − y| < beta, else |x − y| − ½·beta: input [*] and target [*] of the
   * same shape → a scalar, or [*] with reduction "none".
   */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.smooth_l1_loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

export class BCELoss extends WeightedLoss {
  /** `new BCELoss(w)` or `new BCELoss({ weight: w })`, as PyTorch's positional or keyword form. */
  constructor(options?: { weight?: Tensor | null; reduction?: Reduction });
  constructor(...args: Positional<[weight: Tensor | null, size_average: Deprecated, reduce: Deprecated, reduction: Reduction], { weight?: Tensor | null; reduction?: Reduction }>);
  constructor(...args: unknown[]) {
    const { weight = null, reduction = "mean" } = nnArgs("BCELoss", new.target.name, args) as { weight?: Tensor | null; reduction?: Reduction };
    super(weight, reduction);
  }
  /**
   * Binary cross-entropy −w·(y·log x + (1 − y)·log(1 − x)): input probabilities [*] in [0, 1] and target [*]
   * of the same shape → a scalar, or [*] with reduction "none".
   */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binary_cross_entropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** BCEWithLogitsLoss's options. */
export interface BCEWithLogitsLossArgs {
  /** A rescaling weight broadcast to the input (a buffer). */
  weight?: Tensor | null;
  reduction?: Reduction;
  /** The weight of positive examples, per class (broadcast over the last dim; a buffer). */
  pos_weight?: Tensor | null;
}

export class BCEWithLogitsLoss extends Loss {
  declare weight: Tensor | null;
  declare pos_weight: Tensor | null;
  /** `new BCEWithLogitsLoss(w)`, `new BCEWithLogitsLoss(null, null, null, "mean", pw)` or `new BCEWithLogitsLoss({ pos_weight: pw })`, as PyTorch's positional or keyword form. */
  constructor(options?: BCEWithLogitsLossArgs);
  constructor(...args: Positional<[weight: Tensor | null, size_average: Deprecated, reduce: Deprecated, reduction: Reduction, pos_weight: Tensor | null], BCEWithLogitsLossArgs>);
  constructor(...args: unknown[]) {
    const { weight = null, reduction = "mean", pos_weight = null } = nnArgs("BCEWithLogitsLoss", new.target.name, args) as BCEWithLogitsLossArgs;
    super(reduction);
    this.register_buffer("weight", weight);
    this.register_buffer("pos_weight", pos_weight);
  }
  /**
   * Sigmoid then binary cross-entropy, computed stably: input logits [*] and target [*] of the same shape
   * (pos_weight broadcast over the last dim, classes) → a scalar, or [*] with reduction "none".
   */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binary_cross_entropy_with_logits(input, target, {
      weight: this.weight,
      pos_weight: this.pos_weight,
      reduction: this.reduction,
    });
  }
}

/** NLLLoss's options. */
export interface NLLLossArgs {
  /** A weight per class [C] (a buffer). */
  weight?: Tensor | null;
  /** A target value that does not count (no loss, no gradient). Default -100. */
  ignore_index?: number;
  reduction?: Reduction;
}

export class NLLLoss extends WeightedLoss {
  ignore_index: number;
  /** `new NLLLoss(w)` or `new NLLLoss({ weight: w, ignore_index: 0 })`, as PyTorch's positional or keyword form. */
  constructor(options?: NLLLossArgs);
  constructor(...args: Positional<[weight: Tensor | null, size_average: Deprecated, ignore_index: number, reduce: Deprecated, reduction: Reduction], NLLLossArgs>);
  constructor(...args: unknown[]) {
    const { weight = null, ignore_index = -100, reduction = "mean" } = nnArgs("NLLLoss", new.target.name, args) as NLLLossArgs;
    super(weight, reduction);
    this.ignore_index = ignore_index;
  }
  /**
   * Negative log likelihood −w[y]·x[y]: input log-probabilities [N, C] (or [C], or [N, C, d1, ...]) and target
   * class indices [N] (or [], or [N, d1, ...]) in [0, C) or ignore_index → a scalar, or [N] ([N, d1, ...])
   * with reduction "none".
   */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.nll_loss(input, target, { weight: this.weight, ignore_index: this.ignore_index, reduction: this.reduction });
  }
}

/** CrossEntropyLoss's options. */
export interface CrossEntropyLossArgs extends NLLLossArgs {
  /** Mix the target with the uniform distribution by this amount, in [0, 1]. Default 0. */
  label_smoothing?: number;
}

export class CrossEntropyLoss extends WeightedLoss {
  ignore_index: number;
  label_smoothing: number;
  /** `new CrossEntropyLoss(w)` (class weights) or `new CrossEntropyLoss({ weight: w, label_smoothing: 0.1 })`, as PyTorch's positional or keyword form. */
  constructor(options?: CrossEntropyLossArgs);
  constructor(
    ...args: Positional<[weight: Tensor | null, size_average: Deprecated, ignore_index: number, reduce: Deprecated, reduction: Reduction, label_smoothing: number], CrossEntropyLossArgs>
  );
  constructor(...args: unknown[]) {
    const { weight = null, ignore_index = -100, reduction = "mean", label_smoothing = 0.0 } = nnArgs("CrossEntropyLoss", new.target.name, args) as CrossEntropyLossArgs;
    super(weight, reduction);
    this.ignore_index = ignore_index;
    this.label_smoothing = label_smoothing;
  }
  /**
   * log_softmax then NLL: input unnormalised logits [N, C] (or [C], or [N, C, d1, ...]) and target either
   * class indices [N] (or [], or [N, d1, ...]) or class probabilities of the input's shape → a scalar, or [N]
   * ([N, d1, ...]) with reduction "none".
   */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.cross_entropy(input, target, {
      weight: this.weight,
      ignore_index: this.ignore_index,
      reduction: this.reduction,
      label_smoothing: this.label_smoothing,
    });
  }
}

// ---- The losses below were added with functional/probabilistic.ts, margin.ts and multi_margin.ts.
// Their constructors take PyTorch's leading positional parameters up to its deprecated
// size_average (which lrlab does not take), then one options object: `new TripletMarginLoss(2.0)`
// or `new TripletMarginLoss({ margin: 2.0, swap: true })`.

/** Kullback-Leibler divergence loss; forward(input log-probabilities, target). See F.kl_div. */
export class KLDivLoss extends Module {
  reduction: KLDivReduction;
  log_target: boolean;
  constructor(options?: { reduction?: KLDivReduction; log_target?: boolean });
  constructor(...args: unknown[]) {
    super();
    const o = lossArgs("KLDivLoss", [], [["reduction", "string"], ["log_target", "boolean"]], args);
    this.reduction = reductionArg<KLDivReduction>(o.reduction ?? "mean", false, ["mean", "batchmean", "sum", "none"]);
    this.log_target = (o.log_target as boolean | undefined) ?? false;
  }
  /**
   * KL divergence Σ target·(log target − input): input log-probabilities [*] and target probabilities [*] of
   * the same shape (log-probabilities with log_target = true) → a scalar ("batchmean" divides the sum by N),
   * or [*] with reduction "none".
   */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.kl_div(input, target, { reduction: this.reduction, log_target: this.log_target });
  }
}

/** Poisson negative log likelihood; forward(input (log-)rate, target counts). See F.poisson_nll_loss. */
export class PoissonNLLLoss extends Loss {
  log_input: boolean;
  full: boolean;
  eps: number;
  constructor(log_input: boolean, full?: boolean, options?: { eps?: number; reduction?: Reduction });
  constructor(log_input: boolean, options?: { eps?: number; reduction?: Reduction });
  constructor(options?: { log_input?: boolean; full?: boolean; eps?: number; reduction?: Reduction });
  constructor(...args: unknown[]) {
    const o = lossArgs("PoissonNLLLoss", [["log_input", "boolean"], ["full", "boolean"]], [["eps", "number"], ["reduction", "string"]], args);
    super((o.reduction as Reduction | undefined) ?? "mean");
    this.log_input = (o.log_input as boolean | undefined) ?? true;
    this.full = (o.full as boolean | undefined) ?? false;
    this.eps = (o.eps as number | undefined) ?? 1e-8;
  }
  /**
   * Poisson negative log likelihood: log_input the rate's log (or the rate with log_input = false) [*] and
   * target counts [*] of the same shape → a scalar, or [*] with reduction "none".
   */
  override forward(log_input: Tensor, target: Tensor): Tensor {
    return F.poisson_nll_loss(log_input, target, { log_input: this.log_input, full: this.full, eps: this.eps, reduction: this.reduction });
  }
}

/** Gaussian negative log likelihood; forward(input mean, target, var). See F.gaussian_nll_loss. */
export class GaussianNLLLoss extends Module {
  reduction: Reduction;
  full: boolean;
  eps: number;
  /** Keyword-only in PyTorch: `new GaussianNLLLoss({ full, eps, reduction })`. */
  constructor(options?: { full?: boolean; eps?: number; reduction?: Reduction });
  constructor(...args: unknown[]) {
    super();
    const o = lossArgs("GaussianNLLLoss", [], [["full", "boolean"], ["eps", "number"], ["reduction", "string"]], args);
    this.reduction = checkReduction(o.reduction ?? "mean");
    this.full = (o.full as boolean | undefined) ?? false;
    this.eps = (o.eps as number | undefined) ?? 1e-6;
  }
  /**
   * Gaussian negative log likelihood ½(log var + (input − target)²/var): input means [N, *] (or [*]), target
   * [N, *] and variance [N, *], or one dim fewer (homoscedastic), or a number → a scalar, or [N, *] with
   * reduction "none".
   */
  override forward(input: Tensor, target: Tensor, variance: Tensor | number): Tensor {
    return F.gaussian_nll_loss(input, target, variance, { full: this.full, eps: this.eps, reduction: this.reduction });
  }
}

/** Pairwise ranking hinge; forward(input1, input2, target ±1). See F.margin_ranking_loss. */
export class MarginRankingLoss extends Module {
  reduction: Reduction;
  margin: number;
  constructor(margin?: number, options?: { reduction?: Reduction });
  constructor(options?: { margin?: number; reduction?: Reduction });
  constructor(...args: unknown[]) {
    super();
    const o = lossArgs("MarginRankingLoss", [["margin", "number"]], [["reduction", "string"]], args);
    this.reduction = checkReduction(o.reduction ?? "mean");
    this.margin = (o.margin as number | undefined) ?? 0.0;
  }
  /**
   * max(0, −y·(x1 − x2) + margin): input1 [N] (or []), input2 of the same shape and target ±1 of the same
   * shape → a scalar, or [N] with reduction "none".
   */
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.margin_ranking_loss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** Hinge loss on distances with ±1 labels; forward(input, target). See F.hinge_embedding_loss. */
export class HingeEmbeddingLoss extends Loss {
  margin: number;
  constructor(margin?: number, options?: { reduction?: Reduction });
  constructor(options?: { margin?: number; reduction?: Reduction });
  constructor(...args: unknown[]) {
    const o = lossArgs("HingeEmbeddingLoss", [["margin", "number"]], [["reduction", "string"]], args);
    super((o.reduction as Reduction | undefined) ?? "mean");
    this.margin = (o.margin as number | undefined) ?? 1.0;
  }
  /**
   * x where y = 1, max(0, margin − x) where y = −1: input [*] (distances) and target ±1 [*] of the same shape
   * → a scalar, or [*] with reduction "none".
   */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.hinge_embedding_loss(input, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** Two-class logistic loss log(1 + e^{−y·x}); forward(input, target ±1). See F.soft_margin_loss. */
export class SoftMarginLoss extends Loss {
  constructor(options?: { reduction?: Reduction });
  constructor(...args: unknown[]) {
    const o = lossArgs("SoftMarginLoss", [], [["reduction", "string"]], args);
    super((o.reduction as Reduction | undefined) ?? "mean");
  }
  /** log(1 + e^{−y·x}): input [*] and target ±1 [*] of the same shape → a scalar, or [*] with reduction "none". */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.soft_margin_loss(input, target, { reduction: this.reduction });
  }
}

/** Cosine similarity loss of pairs; forward(input1, input2, target ±1). See F.cosine_embedding_loss. */
export class CosineEmbeddingLoss extends Module {
  reduction: Reduction;
  margin: number;
  constructor(margin?: number, options?: { reduction?: Reduction });
  constructor(options?: { margin?: number; reduction?: Reduction });
  constructor(...args: unknown[]) {
    super();
    const o = lossArgs("CosineEmbeddingLoss", [["margin", "number"]], [["reduction", "string"]], args);
    this.reduction = checkReduction(o.reduction ?? "mean");
    this.margin = (o.margin as number | undefined) ?? 0.0;
  }
  /**
   * 1 − cos(x1, x2) where y = 1, max(0, cos(x1, x2) − margin) where y = −1: input1 [N, D] (or [D]), input2 of
   * the same shape and target ±1 [N] (or []) → a scalar, or [N] with reduction "none".
   */
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.cosine_embedding_loss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** Triplet loss max(0, margin + d(a, p) − d(a, n)); forward(anchor, positive, negative). See F.triplet_margin_loss. */
export class TripletMarginLoss extends Module {
  reduction: Reduction;
  margin: number;
  p: number;
  eps: number;
  swap: boolean;
  constructor(margin: number, p: number, eps: number, swap?: boolean, options?: { reduction?: Reduction });
  constructor(margin: number, p?: number, options?: { eps?: number; swap?: boolean; reduction?: Reduction });
  constructor(options?: { margin?: number; p?: number; eps?: number; swap?: boolean; reduction?: Reduction });
  constructor(...args: unknown[]) {
    super();
    const o = lossArgs("TripletMarginLoss", [["margin", "number"], ["p", "number"], ["eps", "number"], ["swap", "boolean"]], [["reduction", "string"]], args);
    this.reduction = checkReduction(o.reduction ?? "mean");
    this.margin = (o.margin as number | undefined) ?? 1.0;
    if (!(this.margin > 0)) throw ValueError(`TripletMarginLoss: expected margin to be greater than 0, got ${this.margin} instead`);
    this.p = (o.p as number | undefined) ?? 2.0;
    this.eps = (o.eps as number | undefined) ?? 1e-6;
    this.swap = (o.swap as boolean | undefined) ?? false;
  }
  /**
   * max(0, d(a, p) − d(a, n) + margin), d the p-norm distance: anchor, positive and negative [N, D] (or [D]) →
   * a scalar, or [N] with reduction "none".
   */
  override forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return F.triplet_margin_loss(anchor, positive, negative, { margin: this.margin, p: this.p, eps: this.eps, swap: this.swap, reduction: this.reduction });
  }
}

/** One-vs-all logistic loss for multi-label targets; forward(input, target). `weight` is a buffer. See F.multilabel_soft_margin_loss. */
export class MultiLabelSoftMarginLoss extends WeightedLoss {
  constructor(weight?: Tensor | null, options?: { reduction?: Reduction });
  constructor(options?: { weight?: Tensor | null; reduction?: Reduction });
  constructor(...args: unknown[]) {
    const o = lossArgs("MultiLabelSoftMarginLoss", [["weight", "tensor"]], [["reduction", "string"]], args);
    super(o.weight as Tensor | null | undefined, (o.reduction as Reduction | undefined) ?? "mean");
  }
  /**
   * One-vs-all logistic loss averaged over classes: input logits [N, C] (or [C]) and target 0/1 labels of the
   * same shape → a scalar, or [N] with reduction "none".
   */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.multilabel_soft_margin_loss(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Multi-class hinge loss; forward(input, target class indices). `weight` is a buffer. See F.multi_margin_loss. */
export class MultiMarginLoss extends WeightedLoss {
  p: number;
  margin: number;
  constructor(p: number, margin: number, weight?: Tensor | null, options?: { reduction?: Reduction });
  constructor(p: number, margin?: number, options?: { weight?: Tensor | null; reduction?: Reduction });
  constructor(options?: { p?: number; margin?: number; weight?: Tensor | null; reduction?: Reduction });
  constructor(...args: unknown[]) {
    const o = lossArgs("MultiMarginLoss", [["p", "number"], ["margin", "number"], ["weight", "tensor"]], [["reduction", "string"]], args);
    const p = (o.p as number | undefined) ?? 1;
    const weight = o.weight as Tensor | null | undefined;
    if (p !== 1 && p !== 2) throw ValueError(`only p == 1 and p == 2 supported (got p=${p})`);
    if (weight && weight.shape.length !== 1) throw ValueError(`MultiMarginLoss: expected weight to be None or 1D tensor, got ${weight.shape.length}D instead`);
    super(weight, (o.reduction as Reduction | undefined) ?? "mean");
    this.p = p;
    this.margin = (o.margin as number | undefined) ?? 1.0;
  }
  /**
   * Multi-class hinge Σ_{i≠y} max(0, margin − x[y] + x[i])^p / C: input [N, C] (or [C]) and target class
   * indices [N] (or []) in [0, C) → a scalar, or [N] with reduction "none".
   */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.multi_margin_loss(input, target, { p: this.p, margin: this.margin, weight: this.weight, reduction: this.reduction });
  }
}

/** Multi-label hinge loss; forward(input, target class indices ended by −1). See F.multilabel_margin_loss. */
export class MultiLabelMarginLoss extends Loss {
  constructor(options?: { reduction?: Reduction });
  constructor(...args: unknown[]) {
    const o = lossArgs("MultiLabelMarginLoss", [], [["reduction", "string"]], args);
    super((o.reduction as Reduction | undefined) ?? "mean");
  }
  /**
   * Multi-label hinge: input [N, C] (or [C]) and target [N, C] (or [C]) of class indices, ended by the first
   * −1 → a scalar, or [N] with reduction "none".
   */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.multilabel_margin_loss(input, target, { reduction: this.reduction });
  }
}

/**
 * Connectionist Temporal Classification loss; forward(log_probs (T, N, C), targets, input_lengths,
 * target_lengths). `new CTCLoss(blank?, { reduction, zero_infinity })`. See F.ctc_loss.
 */
export class CTCLoss extends Loss {
  blank: number;
  zero_infinity: boolean;
  constructor(blank: number, options?: { reduction?: Reduction; zero_infinity?: boolean });
  constructor(options?: { blank?: number; reduction?: Reduction; zero_infinity?: boolean });
  constructor(...args: unknown[]) {
    // PyTorch's CTCLoss(blank=0, reduction='mean', zero_infinity=False): reduction and
    // zero_infinity go in the options object here (lossArgs types positionals as numbers/booleans).
    const o = lossArgs("CTCLoss", [["blank", "number"]], [["reduction", "string"], ["zero_infinity", "boolean"]], args);
    super((o.reduction as Reduction | undefined) ?? "mean");
    this.blank = (o.blank as number | undefined) ?? 0;
    this.zero_infinity = (o.zero_infinity as boolean | undefined) ?? false;
  }
  /**
   * Connectionist Temporal Classification loss. log_probs [T, N, C] (or unbatched [T, C]): log-softmax outputs
   * over C classes including `blank`; targets [N, S] padded (or [S] unbatched), or all targets concatenated
   * into one 1-D tensor of length sum(target_lengths); input_lengths [N] (each ≤ T); target_lengths [N] (each
   * ≤ S) → a scalar ("mean": each loss divided by its target length, then averaged over the batch), or [N]
   * with reduction "none".
   */
  override forward(log_probs: Tensor, targets: Tensor, input_lengths?: Tensor | number[], target_lengths?: Tensor | number[]): Tensor {
    return F.ctc_loss(log_probs, targets, input_lengths as Tensor | number[], target_lengths as Tensor | number[], {
      blank: this.blank,
      reduction: this.reduction,
      zero_infinity: this.zero_infinity,
    });
  }
}
