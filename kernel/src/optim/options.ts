/**
 * The keyword arguments each optimizer's constructor accepts: PyTorch 2.13's `__init__`
 * signatures, in their order (`inspect.signature(torch.optim.X.__init__)` minus `self` and
 * `params`). Python rejects any other keyword with a TypeError; so does lrlab (a misspelt
 * `momentun`, or an option the optimizer does not have, such as Muon's `maximize`, would
 * otherwise change nothing, silently).
 *
 * A param group (`add_param_group({ params, ... })`, or a group given to the constructor) is
 * different: PyTorch keeps any key there (people store a group's `name`, schedulers store
 * `initial_lr`, ...), and so does lrlab. Only a key that looks like a mistake, a near-miss of one
 * of the optimizer's hyperparameters or another optimizer's hyperparameter, gets a warning.
 */
import { isNearMiss, nearKey } from "../close_matches";
import { positionalArgs, type PositionalParam } from "./positional";

export const OPTIMIZER_OPTIONS = {
  SGD: ["lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize", "foreach", "differentiable", "fused"],
  Adam: [
    "lr", "betas", "eps", "weight_decay", "amsgrad", "foreach", "maximize", "capturable", "differentiable", "fused",
    "decoupled_weight_decay",
  ],
  AdamW: ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "foreach", "capturable", "differentiable", "fused"],
  Adamax: ["lr", "betas", "eps", "weight_decay", "foreach", "maximize", "differentiable", "capturable"],
  NAdam: [
    "lr", "betas", "eps", "weight_decay", "momentum_decay", "decoupled_weight_decay", "foreach", "maximize",
    "capturable", "differentiable",
  ],
  RAdam: ["lr", "betas", "eps", "weight_decay", "decoupled_weight_decay", "foreach", "maximize", "capturable", "differentiable"],
  RMSprop: ["lr", "alpha", "eps", "weight_decay", "momentum", "centered", "capturable", "foreach", "maximize", "differentiable"],
  Adagrad: ["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", "foreach", "maximize", "differentiable", "fused"],
  Adadelta: ["lr", "rho", "eps", "weight_decay", "foreach", "capturable", "maximize", "differentiable"],
  ASGD: ["lr", "lambd", "alpha", "t0", "weight_decay", "foreach", "maximize", "differentiable", "capturable"],
  Rprop: ["lr", "etas", "step_sizes", "capturable", "foreach", "maximize", "differentiable"],
  Adafactor: ["lr", "beta2_decay", "eps", "d", "weight_decay", "foreach", "maximize"],
  Muon: ["lr", "weight_decay", "momentum", "nesterov", "ns_coefficients", "eps", "ns_steps", "adjust_lr_fn"],
  LBFGS: ["lr", "max_iter", "max_eval", "tolerance_grad", "tolerance_change", "history_size", "line_search_fn"],
  SparseAdam: ["lr", "betas", "eps", "maximize"],
} as const satisfies Record<string, readonly string[]>;

export type OptimizerName = keyof typeof OPTIMIZER_OPTIONS;

const lr = ["lr", "number|Tensor"] as const;
const betas = ["betas", "array"] as const;
const eps = ["eps", "number"] as const;
const weight_decay = ["weight_decay", "number"] as const;
const foreach = ["foreach", "boolean?"] as const;

/**
 * The parameters each optimizer takes positionally after `params`: PyTorch 2.13's, in order (the
 * first of OPTIMIZER_OPTIONS[cls]; those after its `*` are keyword-only, options object only).
 * `new SGD(params, 0.1, 0.9)` is `new SGD(params, { lr: 0.1, momentum: 0.9 })` (positional.ts).
 */
export const OPTIMIZER_POSITIONAL: Record<OptimizerName, readonly PositionalParam[]> = {
  SGD: [lr, ["momentum", "number"], ["dampening", "number"], weight_decay, ["nesterov", "boolean"]],
  Adam: [lr, betas, eps, weight_decay, ["amsgrad", "boolean"]],
  AdamW: [lr, betas, eps, weight_decay, ["amsgrad", "boolean"]],
  Adamax: [lr, betas, eps, weight_decay, foreach],
  NAdam: [lr, betas, eps, weight_decay, ["momentum_decay", "number"], ["decoupled_weight_decay", "boolean"]],
  RAdam: [lr, betas, eps, weight_decay, ["decoupled_weight_decay", "boolean"]],
  RMSprop: [
    lr, ["alpha", "number"], eps, weight_decay, ["momentum", "number"], ["centered", "boolean"], ["capturable", "boolean"],
    foreach, ["maximize", "boolean"], ["differentiable", "boolean"],
  ],
  Adagrad: [lr, ["lr_decay", "number"], weight_decay, ["initial_accumulator_value", "number"], eps, foreach],
  Adadelta: [lr, ["rho", "number"], eps, weight_decay, foreach],
  ASGD: [
    lr, ["lambd", "number"], ["alpha", "number"], ["t0", "number"], weight_decay, foreach, ["maximize", "boolean"],
    ["differentiable", "boolean"], ["capturable", "boolean"],
  ],
  Rprop: [lr, ["etas", "array"], ["step_sizes", "array"]],
  Adafactor: [lr, ["beta2_decay", "number"], ["eps", "array"], ["d", "number"], weight_decay],
  Muon: [
    lr, weight_decay, ["momentum", "number"], ["nesterov", "boolean"], ["ns_coefficients", "array"], eps, ["ns_steps", "number"],
    ["adjust_lr_fn", "string?"],
  ],
  LBFGS: [
    lr, ["max_iter", "number"], ["max_eval", "number?"], ["tolerance_grad", "number"], ["tolerance_change", "number"],
    ["history_size", "number"], ["line_search_fn", "string?"],
  ],
  SparseAdam: [lr, betas, eps, ["maximize", "boolean"]],
};

/**
 * The options of `new cls(params, ...args)`: the options object of the options form as it is,
 * or the positional values (Python's order) merged with a trailing options object.
 */
export function optimizerArgs(cls: OptimizerName, args: readonly unknown[]): Record<string, unknown> {
  const positional = OPTIMIZER_POSITIONAL[cls];
  const keywordOnly = OPTIMIZER_OPTIONS[cls].slice(positional.length);
  return positionalArgs(cls, ["params"], positional, args, keywordOnly);
}

/** Every hyperparameter name of every optimizer (for the param-group warning). */
const ALL_HYPERPARAMETERS = new Set<string>(Object.values(OPTIMIZER_OPTIONS).flat());

/**
 * Python's keyword-argument check for `new cls(params, options)`: options must be one plain
 * object, and every key one that `cls` accepts. The error names the key and lists the accepted
 * ones, in the schedulers' style (lr_scheduler/options.ts).
 */
export function checkOptimizerOptions(cls: OptimizerName, options: unknown): Record<string, unknown> {
  const accepted: readonly string[] = OPTIMIZER_OPTIONS[cls];
  if (options === undefined || options === null) return {};
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(
      `${cls}.__init__() expects its keyword arguments as one options object, e.g. ` +
        `new ${cls}(params, { ${accepted.slice(0, 2).map((k) => `${k}: ...`).join(", ")} }), ` +
        `but got ${Array.isArray(options) ? "an array" : typeof options}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!accepted.includes(key)) {
      throw new TypeError(`${cls}.__init__() got an unexpected keyword argument '${key}'; accepted: ${accepted.join(", ")}${nearKey(key, accepted)}`);
    }
  }
  return options as Record<string, unknown>;
}

/**
 * `key` is `name` with one letter typed twice (`lrr`, `epss`): the near-miss rule allows no edit
 * for names of 3 letters or fewer (`lr`, `eps`), where one edit reaches legitimate keys (`l1`).
 */
function isDoubledLetter(key: string, name: string): boolean {
  if (key.length !== name.length + 1) return false;
  for (let i = 0; i + 1 < key.length; i++) {
    if (key[i] === key[i + 1] && key.slice(0, i) + key.slice(i + 1) === name) return true;
  }
  return false;
}

/**
 * Why a param-group key looks like a mistake, or null when it is fine. `hyperparameters` are the
 * optimizer's (its defaults' keys). A near-miss of one of them (`momentun`, `weight_decy`,
 * `Lr`, `lrr`) or a hyperparameter of another optimizer that this one lacks (`maximize` for Muon,
 * `weight_decay` for Rprop) is suspicious; any other key (`name`, `initial_lr`, ...) is not.
 */
export function suspiciousGroupKey(key: string, hyperparameters: readonly string[]): string | null {
  if (key === "params" || key === "param_names" || hyperparameters.includes(key)) return null;
  const near = hyperparameters.filter((h) => isNearMiss(key, h) || isDoubledLetter(key, h));
  if (near.length > 0) return `did you mean ${near.map((h) => `'${h}'`).join(" or ")}?`;
  if (ALL_HYPERPARAMETERS.has(key)) return `an option of other optimizers, which this one does not have`;
  return null;
}
