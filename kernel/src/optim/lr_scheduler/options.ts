import { TypeError_ } from "./errors";
import { nearKey } from "../../close_matches";
import { positionalArgs, type PositionalParam } from "../positional";
import { missingMessage } from "./needs";

/**
 * Python keyword arguments become one options object. Like Python, an unknown key or a missing
 * required one is an error that names the constructor, the key and what is accepted, instead of
 * being silently ignored (a typo such as `stepsize` would otherwise change the schedule).
 */
export function checkOptions(
  cls: string,
  options: unknown,
  required: readonly string[],
  optional: readonly string[],
): Record<string, any> {
  if (options === undefined || options === null) options = {};
  if (typeof options !== "object" || Array.isArray(options)) {
    throw TypeError_(
      `${cls}.__init__() expects its keyword arguments as one options object, e.g. ` +
        `new ${cls}(optimizer, { ${[...required, ...optional].slice(0, 2).map((k) => `${k}: ...`).join(", ")} }), ` +
        `but got ${Array.isArray(options) ? "an array" : typeof options}`,
    );
  }
  const record = options as Record<string, any>;
  const allowed = [...required, ...optional];
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) {
      throw TypeError_(
        `${cls}.__init__() got an unexpected keyword argument '${key}'; accepted: ${allowed.join(", ")}${nearKey(key, allowed)}`,
      );
    }
  }
  const missing = required.filter((key) => record[key] === undefined);
  // PyTorch's words, then what each is and what else the class takes (needs.ts)
  if (missing.length > 0) throw TypeError_(missingMessage(cls, missing));
  return record;
}

/** `options.key ?? fallback`, but `null` (Python's None) also falls back. */
export function opt<T>(options: Record<string, any>, key: string, fallback: T): T {
  const value = options[key];
  return value === undefined || value === null ? fallback : (value as T);
}

const last_epoch = ["last_epoch", "number"] as const;
const factor = ["factor", "number"] as const;
const total_iters = ["total_iters", "number"] as const;

/**
 * The parameters each scheduler takes positionally after its optimizer (ChainedScheduler: after
 * its schedulers): PyTorch 2.13's `__init__` signatures, in order (none is keyword-only), so
 * `new StepLR(opt, 30, 0.1)` is `new StepLR(opt, { step_size: 30, gamma: 0.1 })` (positional.ts).
 */
export const SCHEDULER_POSITIONAL: Record<string, readonly PositionalParam[]> = {
  LRScheduler: [last_epoch],
  LambdaLR: [["lr_lambda", "function|array"], last_epoch],
  MultiplicativeLR: [["lr_lambda", "function|array"], last_epoch],
  StepLR: [["step_size", "number"], ["gamma", "number"], last_epoch],
  MultiStepLR: [["milestones", "array"], ["gamma", "number"], last_epoch],
  ConstantLR: [factor, total_iters, last_epoch],
  LinearLR: [["start_factor", "number"], ["end_factor", "number"], total_iters, last_epoch],
  ExponentialLR: [["gamma", "number"], last_epoch],
  SequentialLR: [["schedulers", "array"], ["milestones", "array"], last_epoch],
  PolynomialLR: [total_iters, ["power", "number"], last_epoch],
  CosineAnnealingLR: [["T_max", "number"], ["eta_min", "number"], last_epoch],
  ChainedScheduler: [["optimizer", "object?"]],
  ReduceLROnPlateau: [
    ["mode", "string"], factor, ["patience", "number"], ["threshold", "number"], ["threshold_mode", "string"],
    ["cooldown", "number"], ["min_lr", "number|array"], ["eps", "number"],
  ],
  CyclicLR: [
    ["base_lr", "number|array"], ["max_lr", "number|array"], ["step_size_up", "number"], ["step_size_down", "number?"],
    ["mode", "string"], ["gamma", "number"], ["scale_fn", "function?"], ["scale_mode", "string"], ["cycle_momentum", "boolean"],
    ["base_momentum", "number|array"], ["max_momentum", "number|array"], last_epoch,
  ],
  OneCycleLR: [
    ["max_lr", "number|array"], ["total_steps", "number?"], ["epochs", "number?"], ["steps_per_epoch", "number?"],
    ["pct_start", "number"], ["anneal_strategy", "string"], ["cycle_momentum", "boolean"], ["base_momentum", "number|array"],
    ["max_momentum", "number|array"], ["div_factor", "number"], ["final_div_factor", "number"], ["three_phase", "boolean"],
    last_epoch,
  ],
  CosineAnnealingWarmRestarts: [["T_0", "number"], ["T_mult", "number"], ["eta_min", "number"], last_epoch],
  SWALR: [["swa_lr", "number|array"], ["anneal_epochs", "number"], ["anneal_strategy", "string"], last_epoch],
};

/**
 * The options of `new cls(optimizer, ...args)`: the options object of the options form as it
 * is, or the positional values (PyTorch's order) merged with a trailing options object.
 */
export function schedulerArgs(cls: string, args: readonly unknown[], lead: readonly string[] = ["optimizer"]): Record<string, any> {
  return positionalArgs(cls, lead, SCHEDULER_POSITIONAL[cls], args);
}
