/**
 * What each optimizer's param groups hold: every option of its constructor, the default filled
 * in (`opt.param_groups[0].momentum` is SGD's momentum), so that Tab after `param_groups[0].` lists
 * them and a cell reading one gets its type. The options' meanings are documented on each
 * optimizer's options (SGDOptions, AdamOptions, ...); any other key is still allowed (ParamGroup's
 * index signature).
 *
 * Written out member by member, not derived from the options (`Required<Omit<O, "lr">>`): a mapped
 * type is instantiated again by every cell's new checker, ~80 type instantiations more in every
 * cell that reads a group or passes an optimizer on (test/kernel/type_cost.test.ts); declared
 * members cost nothing. test/kernel/param_group_completion.test.ts checks that each list is exactly
 * the keys the optimizer's groups have.
 */
import type { ParamGroup } from "./optimizer";

interface Maximize { maximize: boolean }
interface Foreach { foreach: boolean | null }
interface Differentiable { differentiable: boolean }
interface Capturable { capturable: boolean }
interface Fused { fused: boolean | null }
interface WeightDecay { weight_decay: number }
interface Eps { eps: number }
interface Betas { betas: [number, number] }

export interface SGDGroup extends ParamGroup, WeightDecay, Maximize, Foreach, Differentiable, Fused {
  momentum: number;
  dampening: number;
  nesterov: boolean;
}

export interface AdamGroup extends ParamGroup, Betas, Eps, WeightDecay, Maximize, Foreach, Capturable, Differentiable, Fused {
  amsgrad: boolean;
  decoupled_weight_decay: boolean;
}

export interface AdamaxGroup extends ParamGroup, Betas, Eps, WeightDecay, Maximize, Foreach, Differentiable, Capturable {}

export interface NAdamGroup extends ParamGroup, Betas, Eps, WeightDecay, Maximize, Foreach, Capturable, Differentiable {
  momentum_decay: number;
  decoupled_weight_decay: boolean;
}

export interface RAdamGroup extends ParamGroup, Betas, Eps, WeightDecay, Maximize, Foreach, Capturable, Differentiable {
  decoupled_weight_decay: boolean;
}

export interface SparseAdamGroup extends ParamGroup, Betas, Eps, Maximize {}

export interface AdadeltaGroup extends ParamGroup, Eps, WeightDecay, Maximize, Capturable, Foreach, Differentiable {
  rho: number;
}

export interface AdafactorGroup extends ParamGroup, WeightDecay, Foreach, Maximize {
  beta2_decay: number;
  eps: [number | null, number];
  d: number;
}

export interface AdagradGroup extends ParamGroup, Eps, WeightDecay, Foreach, Maximize, Differentiable, Fused {
  lr_decay: number;
  initial_accumulator_value: number;
}

export interface ASGDGroup extends ParamGroup, WeightDecay, Foreach, Maximize, Differentiable, Capturable {
  lambd: number;
  alpha: number;
  t0: number;
}

export interface LBFGSGroup extends ParamGroup {
  max_iter: number;
  max_eval: number;
  tolerance_grad: number;
  tolerance_change: number;
  history_size: number;
  line_search_fn: "strong_wolfe" | null;
}

export interface MuonGroup extends ParamGroup, WeightDecay, Eps {
  momentum: number;
  nesterov: boolean;
  ns_coefficients: [number, number, number];
  ns_steps: number;
  adjust_lr_fn: "original" | "match_rms_adamw" | null;
}

export interface RMSpropGroup extends ParamGroup, Eps, WeightDecay, Capturable, Foreach, Maximize, Differentiable {
  momentum: number;
  alpha: number;
  centered: boolean;
}

export interface RpropGroup extends ParamGroup, Foreach, Maximize, Differentiable, Capturable {
  etas: [number, number];
  step_sizes: [number, number];
}
