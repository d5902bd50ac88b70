/**
 * `torch.optim`: the Optimizer base, every optimizer, the global step hooks,
 * `torch.optim.lr_scheduler` and `torch.optim.swa_utils` (AveragedModel, SWALR, update_bn, the
 * averaging functions). The handle hook registrations return is `torch.utils.hooks.RemovableHandle`,
 * where PyTorch has it.
 *
 * Every optimizer of PyTorch 2.13, `SparseAdam` included: it takes the sparse gradients of
 * `nn.Embedding(..., { sparse: true })`; SGD, Adagrad and LBFGS take them too,
 * and the others raise PyTorch's error for them.
 */
export {
  Optimizer,
  register_optimizer_step_pre_hook,
  register_optimizer_step_post_hook,
  type ParamGroup,
  type ParamGroupInput,
  type ParamsT,
  type ParamState,
  type StateDict,
  type Closure,
  type StepOptions,
  type OptimizerPreHook,
  type OptimizerPostHook,
  type StateDictPreHook,
  type StateDictPostHook,
  type LoadStateDictPreHook,
  type LoadStateDictPostHook,
} from "./optimizer";
export { SGD, type SGDOptions } from "./sgd";
export { Adam, type AdamOptions } from "./adam";
export { AdamW, type AdamWOptions } from "./adamw";
export { Adamax, type AdamaxOptions } from "./adamax";
export { NAdam, type NAdamOptions } from "./nadam";
export { RAdam, type RAdamOptions } from "./radam";
export { RMSprop, type RMSpropOptions } from "./rmsprop";
export { Adagrad, type AdagradOptions } from "./adagrad";
export { Adadelta, type AdadeltaOptions } from "./adadelta";
export { ASGD, type ASGDOptions } from "./asgd";
export { Rprop, type RpropOptions } from "./rprop";
export { Adafactor, type AdafactorOptions } from "./adafactor";
export { Muon, type MuonOptions } from "./muon";
export { LBFGS, type LBFGSOptions } from "./lbfgs";
export { SparseAdam, type SparseAdamOptions } from "./sparse_adam";
/** `torch.optim.optimizer`: the module holding the base class and the global hooks. */
export * as optimizer from "./optimizer";
export * as lr_scheduler from "./lr_scheduler/index";
export * as swa_utils from "./swa_utils/index";
