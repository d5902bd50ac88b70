/**
 * `torch.optim.Optimizer`: the base class every optimizer extends.
 *
 * It holds the parameter groups (plain objects: `params` plus every hyperparameter, filled in from
 * `defaults`), the per-parameter `state` (a Map from parameter Tensor to a record with PyTorch's
 * key names), the step hooks (per optimizer and global), and the packed `state_dict` format.
 *
 * `step()` is wrapped once per instance, as PyTorch's `_patch_step_function` does, so the hooks run
 * around every call of every subclass's `step`, including a user's own subclass and LBFGS.
 *
 * Each optimizer's constructor accepts only its PyTorch keyword arguments (options.ts), as one
 * object or positionally in PyTorch's order (positional.ts); a param
 * group keeps any key, as in PyTorch, with a warning for one that looks like a mistake.
 */
import { noteZeroed } from "../tensor/grad_zeroed";
import { Tensor, type Storage } from "../tensor/tensor";
import { suspiciousGroupKey } from "./options";
import { tensorValueText } from "./_functional";
import { RemovableHandle } from "../utils/hooks";
import { KeyError } from "../errors";
import { bump_version } from "../tensor/version";

/**
 * One parameter group: its tensors and every hyperparameter (read as `group.lr`, `group.betas`...).
 * Any other key is allowed, as in PyTorch's dict (`group.name`, a custom optimizer's own
 * hyperparameters), so the type check cannot refuse a misspelt one: `param_groups[0].lrr = 0.01`
 * type-checks and changes nothing. lrlab warns instead (PyTorch does not), once per optimizer and
 * key, when `add_param_group` or `step()` finds a key that looks like a mistake: a near-miss of one
 * of the optimizer's hyperparameters (`lrr`, `momentun`) or another optimizer's that it lacks.
 */
export interface ParamGroup {
  params: Tensor[];
  /**
   * The group's configured learning rate (every optimizer has one; schedulers change it). It is
   * what `param_groups[0]['lr']` reads in PyTorch: not the step the optimizer takes (lrlab.trace
   * measures that). Typed here so that Tab and Shift-Tab know it; the optimizer's other
   * hyper-parameters are in the group too, typed by each optimizer's group (groups.ts: SGD's
   * `momentum`, Adam's `betas`, ...).
   *
   * It may be a 1-element Tensor, as in PyTorch (`group.lr = torch.tensor(0.01)`, or `lr:` a tensor
   * at construction): the optimizers use its value and the schedulers update it in place. So it
   * is written as `number | Tensor` but read as `number`: reading it as `number | Tensor` would
   * make every cell's `group.lr * 2` or `lr < 1e-3` a type error for a case few use, while a
   * 1-element tensor acts as its number in arithmetic and comparisons anyway (Tensor's
   * Symbol.toPrimitive). Where it is a Tensor, `typeof group.lr` is "object" and number methods
   * (`group.lr.toFixed(3)`) are missing: use `Number(group.lr)`.
   */
  get lr(): number;
  set lr(value: number | Tensor);
  /** Present when the group was given `[name, tensor]` pairs (PyTorch's named parameters). */
  param_names?: string[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [key: string]: any;
}

/** What a user may pass where PyTorch takes a param group: `params` may be any iterable or a tensor. */
export interface ParamGroupInput {
  params: Iterable<Tensor | [string, Tensor]> | Tensor;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [key: string]: any;
}

/** `params` as PyTorch's `ParamsT`: tensors, `[name, tensor]` pairs, or param-group objects. */
export type ParamsT = Iterable<Tensor> | Iterable<[string, Tensor]> | Iterable<ParamGroupInput>;

/** Per-parameter optimizer state; keys are PyTorch's (`step`, `exp_avg`, `momentum_buffer`, ...). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ParamState = Record<string, any>;

/** Closure given to `step`: re-evaluates the model (sets `.grad`) and returns the loss. */
export type Closure = () => number | Tensor;

/** PyTorch's keyword form of step's argument: `optimizer.step(closure=fn)` is `optimizer.step({ closure: fn })`. */
export interface StepOptions {
  closure?: Closure | null;
}

/** `hook(optimizer, args, kwargs)`; a pre hook may return `[new_args, new_kwargs]`. */
export type OptimizerPreHook = (
  optimizer: Optimizer,
  args: unknown[],
  kwargs: Record<string, unknown>,
) => void | undefined | [unknown[], Record<string, unknown>];
export type OptimizerPostHook = (optimizer: Optimizer, args: unknown[], kwargs: Record<string, unknown>) => void;

/** `hook(optimizer)`: runs before `state_dict()` packs the state (register_state_dict_pre_hook). */
export type StateDictPreHook = (optimizer: Optimizer) => void;
/** `hook(optimizer, state_dict)`: may change the dict in place or return a new one (register_state_dict_post_hook). */
export type StateDictPostHook = (optimizer: Optimizer, state_dict: StateDict) => StateDict | void | undefined | null;
/** `hook(optimizer, state_dict)`: may change the (shallow-copied) dict or return the one to load (register_load_state_dict_pre_hook). */
export type LoadStateDictPreHook = (optimizer: Optimizer, state_dict: StateDict) => StateDict | void | undefined | null;
/** `hook(optimizer)`: runs after `load_state_dict()` loaded the state (register_load_state_dict_post_hook). */
export type LoadStateDictPostHook = (optimizer: Optimizer) => void;

const globalPreHooks = new Map<number, OptimizerPreHook>();
const globalPostHooks = new Map<number, OptimizerPostHook>();

/**
 * The hooks of `a` then `b`, as an array (a snapshot: Python iterates over a copy); one hook
 * without spreading the two maps (a traced step has one pre- and one post-hook: the spreads were
 * ~30 ns of a tiny model's step, kernel/src/trace/PERF.md session 26).
 */
function hooksOf<H>(a: Map<number, H>, b: Map<number, H>): H[] {
  if (a.size + b.size === 1) return [(a.size === 1 ? a : b).values().next().value as H];
  return [...a.values(), ...b.values()];
}

/** `torch.optim.optimizer.register_optimizer_step_pre_hook`: runs before every optimizer's step. */
export function register_optimizer_step_pre_hook(hook: OptimizerPreHook): RemovableHandle {
  const handle = new RemovableHandle(globalPreHooks);
  globalPreHooks.set(handle.id, hook);
  return handle;
}

/** `torch.optim.optimizer.register_optimizer_step_post_hook`: runs after every optimizer's step. */
export function register_optimizer_step_post_hook(hook: OptimizerPostHook): RemovableHandle {
  const handle = new RemovableHandle(globalPostHooks);
  globalPostHooks.set(handle.id, hook);
  return handle;
}

/**
 * `torch.optim.optimizer.required`: the default of a hyperparameter that every param group must
 * give itself (`super(params, { lr: required, momentum: 0 })` in an optimizer of your own); a group
 * without it is PyTorch's ValueError "parameter group didn't specify a value of required
 * optimization parameter lr".
 */
export const required: { toString(): string } = Object.freeze({
  toString: () => "<required parameter>",
  [Symbol.for("nodejs.util.inspect.custom")]: () => "<required parameter>",
});

/** PyTorch's packed state dict: state keyed by parameter index, groups holding indices. */
export interface StateDict {
  state: Record<number, ParamState>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  param_groups: Array<{ params: number[]; [key: string]: any }>;
}

function typename(t: Tensor): string {
  const names: Record<string, string> = {
    float32: "torch.FloatTensor",
    float64: "torch.DoubleTensor",
    int64: "torch.LongTensor",
    int32: "torch.IntTensor",
    int16: "torch.ShortTensor",
    int8: "torch.CharTensor",
    uint8: "torch.ByteTensor",
    bool: "torch.BoolTensor",
  };
  return names[t.dtype] ?? "torch.Tensor";
}

function pyTypename(v: unknown): string {
  if (v instanceof Tensor) return typename(v);
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string") return "str";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "list";
  if (typeof v !== "object") return typeof v;
  const name = (v as object).constructor?.name;
  // a plain object is what Python calls a dict (a param group, an options object)
  return name === undefined || name === "Object" ? "dict" : name;
}

/** Deep copy of a state value: tensors get fresh storage; arrays and records are copied. */
export function deepCopyState<T>(value: T): T {
  if (value instanceof Tensor && value.is_sparse) return value.clone() as T; // (SGD's momentum after sparse gradients)
  if (value instanceof Tensor) {
    const data = value.data.slice() as Storage;
    return new Tensor(data, value.shape, value.dtype) as T;
  }
  if (Array.isArray(value)) return value.map((v) => deepCopyState(v)) as T;
  if (value instanceof Float32Array || value instanceof Float64Array) return value.slice() as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = deepCopyState(v);
    return out as T;
  }
  return value;
}

/** Python's `str()` of a hyperparameter value, for `toString()` (floats as Python's repr). */
export function pyStr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return pyFloat(v);
  // Arrays of strings are Python lists (param_names); other arrays are tuples (betas, etas).
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string")) return `[${v.map((x) => `'${x}'`).join(", ")}]`;
  if (Array.isArray(v)) return `(${v.map(pyStr).join(", ")}${v.length === 1 ? "," : ""})`;
  // f"{t}" of a 0-dim tensor is its item's format (Tensor.__format__), so a Tensor lr prints as its value
  if (v instanceof Tensor && v.shape.length === 0) return pyFloat(Number(v.data[0]));
  if (v instanceof Tensor) return String(v); // (str(t), as PyTorch's f-string: tensor([0.0100]))
  return String(v);
}

/**
 * Python's float repr: shortest round-trip digits, exponent form when the exponent is below -4 or
 * at least 16 (`1e-08`, `0.0001`). Integral values print as Python ints would (PyTorch's integer
 * defaults such as `dampening: 0`); a float given as `1.0` in Python also prints `1` here.
 */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return String(x);
  const [mant, expStr] = x.toExponential().split("e");
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) {
    const sign = exp < 0 ? "-" : "+";
    return `${mant}e${sign}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  return String(x);
}

/**
 * torch.optim.Optimizer: the base class of every optimizer, and of your own.
 *
 * A subclass (as in PyTorch's docs) implements:
 * - a constructor that checks its options and calls `super(params, defaults)`, `defaults` being
 *   every hyperparameter with its value (`{ lr, momentum }`): each param group gets the ones it
 *   does not set itself, so `step` reads them from the group (`group.lr`, `group.momentum`), never
 *   from the constructor's arguments, and schedulers and per-group options then work;
 * - `step(closure?)`: if a closure is given, call it under `torch.enable_grad(() => ...)` and return
 *   its loss; update every `p` of every `this.param_groups[i].params` whose `p.grad` is not null, in
 *   place and under `torch.no_grad(() => ...)` (`p.add_(p.grad, { alpha: -group.lr })`);
 * - per-parameter state in `this.state` (a Map from the parameter to a record; `this.stateOf(p)`
 *   creates it empty on first use), PyTorch's `self.state[p]`: `state_dict()`/`load_state_dict()`
 *   save and restore it, tensors and numbers alike.
 * Hooks, `zero_grad`, `add_param_group`, `state_dict`, learning-rate schedulers and lrlab.trace
 * (which measures the step taken) then work on it as on the built-in optimizers.
 */
export abstract class Optimizer {
  defaults: Record<string, unknown>;
  param_groups: ParamGroup[] = [];
  state: Map<Tensor, ParamState> = new Map();
  /** Per-instance hooks, in registration order. */
  _optimizer_step_pre_hooks = new Map<number, OptimizerPreHook>();
  _optimizer_step_post_hooks = new Map<number, OptimizerPostHook>();
  /** step() calls so far (for the sampled param-group key check, _warn_new_group_keys). */
  private _steps_wrapped = 0;
  _optimizer_state_dict_pre_hooks = new Map<number, StateDictPreHook>();
  _optimizer_state_dict_post_hooks = new Map<number, StateDictPostHook>();
  _optimizer_load_state_dict_pre_hooks = new Map<number, LoadStateDictPreHook>();
  _optimizer_load_state_dict_post_hooks = new Map<number, LoadStateDictPostHook>();

  constructor(params: ParamsT, defaults: Record<string, unknown>) {
    this.defaults = defaults;
    if (params instanceof Tensor) {
      throw new TypeError(
        "params argument given to the optimizer should be an iterable of Tensors or dicts, but got " +
          typename(params),
      );
    }
    if (params === null || params === undefined || typeof (params as Iterable<unknown>)[Symbol.iterator] !== "function") {
      throw new TypeError(
        "params argument given to the optimizer should be an iterable of Tensors or dicts, but got " +
          pyTypename(params),
      );
    }
    let groups = Array.from(params as Iterable<unknown>);
    if (groups.length === 0) throw new Error("optimizer got an empty parameter list");
    if (!isPlainGroup(groups[0])) groups = [{ params: groups }];
    for (const g of groups) this.add_param_group(g as ParamGroupInput);
    this._patch_step_function();
  }

  /** A pre-hook's result (not None): the step's new (args, kwargs), or an error naming what it got. */
  private _pre_hook_result(result: unknown): [unknown[], Record<string, unknown>] {
    if (Array.isArray(result) && result.length === 2) return result as [unknown[], Record<string, unknown>];
    throw new Error(
      `${this.constructor.name}.step must return None or a tuple of (new_args, new_kwargs), but got ${String(result)}.`,
    );
  }

  /**
   * Wraps this instance's `step` (whatever subclass defines it) so the global and per-optimizer
   * hooks run around it: global pre, own pre, step, own post, global post (PyTorch's order).
   * `args` is `[optimizer, ...step arguments]`, as in PyTorch where it holds `self` first.
   */
  private _patch_step_function(): void {
    const raw = this.step;
    const wrapped = (...stepArgs: unknown[]): unknown => {
      // (without hooks, no argument lists and no copies of the hook maps: ~0.1 µs of a tiny
      // model's step; with them, the maps are copied first, as Python iterates over a snapshot)
      let args: unknown[] | null = null;
      let kwargs: Record<string, unknown> = {};
      // PyTorch's step(closure=fn), written step({ closure: fn }): the hooks see it as a keyword,
      // as in PyTorch, and the step gets the closure (an object with other keys goes to the step
      // as it is: a built-in's step refuses it, naming the key)
      const keywords = stepArgs.length === 1 && isClosureKeywords(stepArgs[0]);
      if (keywords) {
        kwargs = { ...(stepArgs[0] as object) };
        stepArgs = [];
      }
      const preCount = globalPreHooks.size + this._optimizer_step_pre_hooks.size;
      if (preCount > 0) {
        // (a traced step: one pre-hook, step() without arguments; `[this]` and the lone hook taken
        // without the spreads and the hook array: ~50 ns of a tiny model's traced step, session 29)
        args = stepArgs.length === 0 ? [this] : [this, ...stepArgs];
        if (preCount === 1) {
          const hook = (globalPreHooks.size === 1 ? globalPreHooks : this._optimizer_step_pre_hooks).values().next().value as OptimizerPreHook;
          const result = hook(this, args, kwargs);
          if (result !== undefined && result !== null) [args, kwargs] = this._pre_hook_result(result);
        } else {
          for (const hook of hooksOf(globalPreHooks, this._optimizer_step_pre_hooks)) {
            const result = hook(this, args!, kwargs);
            if (result !== undefined && result !== null) [args, kwargs] = this._pre_hook_result(result);
          }
        }
      }
      // the first 16 steps, then every 256th: the check costs ~0.1 µs, a sixth of a tiny Adam step
      const n = ++this._steps_wrapped;
      if (n <= 16 || (n & 255) === 0) this._warn_new_group_keys();
      let out: unknown;
      if (args !== null && args.length === 1 && !("closure" in kwargs)) {
        // (the hooks' list holds the optimizer alone, read after they ran: no arguments to copy)
        out = (raw as () => unknown).call(this);
      } else {
        let callArgs = args === null ? stepArgs : args.slice(1);
        if ("closure" in kwargs) callArgs = [kwargs.closure ?? undefined, ...callArgs.slice(1)];
        out = (raw as (...a: unknown[]) => unknown).apply(this, callArgs);
      }
      this._count_param_writes();
      if (this._optimizer_step_post_hooks.size > 0 || globalPostHooks.size > 0) {
        const postArgs = args ?? [this, ...stepArgs];
        if (this._optimizer_step_post_hooks.size + globalPostHooks.size === 1) {
          (this._optimizer_step_post_hooks.size === 1 ? this._optimizer_step_post_hooks : globalPostHooks).values().next().value!(this, postArgs, kwargs);
        } else {
          for (const hook of hooksOf(this._optimizer_step_post_hooks, globalPostHooks)) hook(this, postArgs, kwargs);
        }
      }
      return out;
    };
    // What the wrapper wraps, as Python's functools.wraps records it: `opt.step??` shows this
    // optimizer's own step (kernel/src/kernel/source_of.ts follows __wrapped__), not the wrapper.
    Object.defineProperty(wrapped, "__wrapped__", { value: raw, writable: false, configurable: true, enumerable: false });
    Object.defineProperty(this, "step", { value: wrapped, writable: true, configurable: true, enumerable: false });
  }

  /**
   * Performs one optimization step; returns the closure's loss (or undefined without one). The
   * closure may also be given as PyTorch's keyword, `step({ closure })`.
   */
  abstract step(closure?: Closure | StepOptions): number | Tensor | undefined;

  /**
   * How many in-place ops PyTorch's step (its single-tensor implementation) makes on each
   * parameter with a gradient in `group`: the built-in optimizers write the parameters' storage
   * directly (native code, WebAssembly, typed-array loops), and their versions move by this much
   * per step, as PyTorch's (`param.add_(...)`: 1; AdamW's `param.mul_` first: 2). So a graph built
   * before `optimizer.step()` that saved a parameter refuses its backward after it, as PyTorch's
   * does. 0 here: an optimizer of the user's own changes the parameters through tensor ops, which
   * count themselves.
   */
  protected _param_writes(_group: ParamGroup): number {
    return 0;
  }

  /** After a step: each updated parameter's version moves on by `_param_writes` (see there). */
  private _count_param_writes(): void {
    for (const group of this.param_groups) {
      const n = this._param_writes(group);
      if (n === 0) continue;
      for (const p of group.params) if (p.grad !== null) bump_version(p, n);
    }
  }

  /** PyTorch's `self.state[p]` on a defaultdict: the record for `p`, created empty on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  add_param_group(param_group: ParamGroupInput): void {
    if (!isPlainGroup(param_group)) {
      throw new TypeError(`param_group must be a dict, but got <class '${pyTypename(param_group)}'>`);
    }
    if (!("params" in param_group)) {
      throw new Error("param_group must have a 'params' key holding its tensors");
    }
    const raw = param_group.params;
    let list: unknown[];
    if (raw instanceof Tensor) list = [raw];
    else if (raw instanceof Set) {
      throw new TypeError(
        "optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.",
      );
    } else if (raw !== null && raw !== undefined && typeof (raw as Iterable<unknown>)[Symbol.iterator] === "function") {
      list = Array.from(raw as Iterable<unknown>);
    } else {
      throw new TypeError(`param_group['params'] must be a Tensor or an iterable of Tensors, but got ${pyTypename(raw)}`);
    }
    const tensors: unknown[] = [];
    const names: string[] = [];
    for (const item of list) {
      if (Array.isArray(item) && item.length === 2 && typeof item[0] === "string") {
        names.push(item[0]);
        tensors.push(item[1]);
      } else tensors.push(item);
    }
    // (lr and the other hyper-parameters not given come from the defaults, below)
    const group = copyGroupKeys(param_group);
    group.params = [];
    if (names.length !== 0) {
      if (names.length !== tensors.length) {
        throw new Error("all optimizer params should be with/without names. Some param names are missing");
      }
      group.param_names = names;
    }
    for (const p of tensors) {
      if (!(p instanceof Tensor)) {
        throw new TypeError("optimizer can only optimize Tensors, but one of the params is " + pyTypename(p));
      }
      // (a non-leaf that retains its grad is accepted, as in PyTorch: p.retain_grad())
      if (!this.defaults.differentiable && !(p.is_leaf || p.retains_grad)) throw new Error("can't optimize a non-leaf Tensor");
    }
    group.params = tensors as Tensor[];
    this._warn_suspicious_group_keys(group);
    for (const [name, dflt] of Object.entries(this.defaults)) {
      if (!(name in group) || group[name] === undefined) {
        if (dflt === required) {
          throw new Error(`parameter group didn't specify a value of required optimization parameter ${name}`);
        }
        group[name] = cloneDefault(dflt);
      }
    }
    if ((group.lr as unknown) instanceof Tensor) this._check_tensor_lr(group.lr as unknown as Tensor);
    if (new Set(group.params).size !== group.params.length) {
      console.warn(
        "optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
      );
    }
    const seen = new Set<Tensor>();
    for (const g of this.param_groups) {
      for (const p of g.params) seen.add(p);
      if (("param_names" in group) !== ("param_names" in g)) {
        const txt = "param_names" in group ? "with names" : "without names";
        throw new Error(`all optimizer param groups should be with/without names. cannot add param group ${txt} to the optimizer`);
      }
    }
    if (group.params.some((p) => seen.has(p))) {
      throw new Error("some parameters appear in more than one parameter group");
    }
    this.param_groups.push(group);
  }

  /**
   * A Tensor lr (PyTorch 2.13 takes a 1-element tensor in every optimizer and keeps it a tensor in
   * the group, so a scheduler can update it in place). lrlab reads its value at each step, which
   * is exactly what PyTorch computes when the tensor is float64 (every optimizer; checked against
   * PyTorch 2.13), or whatever its dtype for the optimizers that use lr only as a Python scalar
   * (`_lr_tensor_any_dtype`: SGD, RMSprop, Adadelta, Rprop, LBFGS). The others (Adam, ...) compute
   * their step size from a float32 lr tensor in float32 tensor arithmetic, whose rounding lrlab
   * does not reproduce (1e-9 to 1e-7 relative after a few steps), so that is refused here, saying
   * what to write instead, rather than giving other numbers than PyTorch.
   */
  private _check_tensor_lr(lr: Tensor): void {
    if (lr.is_sparse || lr.data.length !== 1) throw new Error("Tensor lr must be 1-element");
    if (lr.dtype === "float64" || this._lr_tensor_any_dtype()) return;
    const cls = this.constructor.name;
    const v = tensorValueText(lr);
    throw new TypeError(
      `${cls}: lr as a ${lr.dtype} Tensor is not supported by lrlab: PyTorch then computes ${cls}'s step size in ` +
        `${lr.dtype} tensor arithmetic, whose rounding lrlab does not reproduce. Pass a float64 tensor ` +
        `(lr: torch.tensor(${v}, { dtype: torch.float64 }), which PyTorch and lrlab use exactly as its value) or a number ` +
        `(lr: ${v}). SGD, RMSprop, Adadelta, Rprop and LBFGS take a Tensor lr of any dtype.`,
    );
  }

  /** Whether this optimizer uses a Tensor lr only as its value whatever its dtype (see `_check_tensor_lr`). */
  protected _lr_tensor_any_dtype(): boolean {
    return false;
  }

  /**
   * PyTorch keeps any key of a param group (a group's `name`, ...), and so does lrlab; but a key
   * that looks like a mistake (a near-miss of a hyperparameter, `momentun`, or another optimizer's
   * hyperparameter this one lacks, `maximize` for Muon) changes nothing, so it gets a warning
   * (once per optimizer and key) naming the hyperparameters this optimizer has.
   */
  private _warn_suspicious_group_keys(group: ParamGroup, keys: Iterable<string> = Object.keys(group)): void {
    const hyperparameters = Object.keys(this.defaults);
    for (const key of keys) {
      const why = suspiciousGroupKey(key, hyperparameters);
      if (why === null) continue;
      let warned = warnedGroupKeys.get(this);
      if (warned === undefined) warnedGroupKeys.set(this, (warned = new Set()));
      if (warned.has(key)) continue;
      warned.add(key);
      const cls = this.constructor.name;
      console.warn(
        `UserWarning: ${cls}: the param group key '${key}' is not a hyperparameter of ${cls} (${why}). ` +
          `A param group keeps any key, as in PyTorch, but this one changes nothing. ` +
          `${cls}'s hyperparameters: ${hyperparameters.join(", ")}.`,
      );
    }
  }

  /**
   * Before each step: the same check for keys added to a group since it was last looked at
   * (`opt.param_groups[0].lrr = 0.01`). Each group's keys are remembered, so a check costs one
   * `for...in` over each group's ~10 keys (~0.1 µs): step() checks at its first 16 calls and every
   * 256th after, so a key set later is reported within 256 steps.
   */
  private _warn_new_group_keys(): void {
    for (const group of this.param_groups) {
      let seen = checkedGroupKeys.get(group);
      if (seen === undefined) checkedGroupKeys.set(group, (seen = new Set()));
      let fresh: string[] | null = null;
      for (const key in group) {
        if (seen.has(key)) continue;
        seen.add(key);
        (fresh ??= []).push(key);
      }
      if (fresh !== null) this._warn_suspicious_group_keys(group, fresh);
    }
  }

  /**
   * Sets every parameter's `.grad` to null (default) or zeroes it in place. PyTorch's positional
   * form `zero_grad(false)` (set_to_none=False) and the options form `zero_grad({ set_to_none:
   * false })` are the same call.
   */
  zero_grad(set_to_none?: boolean): void;
  zero_grad(options?: { set_to_none?: boolean }): void;
  zero_grad(arg: boolean | { set_to_none?: boolean } | null = {}): void {
    const set_to_none = zeroGradFlag(arg);
    for (const group of this.param_groups) {
      for (const p of group.params) {
        const g = p.grad;
        if (g === null) continue;
        if (set_to_none) p.grad = null;
        else {
          g.grad_fn = null;
          g.requires_grad = false;
          // a sparse gradient keeps no entry (nnz 0), as PyTorch's zero_() of a sparse tensor
          if (g.is_sparse) g.zero_();
          else {
          g.data.fill(0);
          bump_version(g); // (PyTorch's `p.grad.zero_()`)
        }
          noteZeroed(g);
        }
      }
    }
  }

  register_step_pre_hook(hook: OptimizerPreHook): RemovableHandle {
    const handle = new RemovableHandle(this._optimizer_step_pre_hooks);
    this._optimizer_step_pre_hooks.set(handle.id, hook);
    return handle;
  }

  register_step_post_hook(hook: OptimizerPostHook): RemovableHandle {
    const handle = new RemovableHandle(this._optimizer_step_post_hooks);
    this._optimizer_step_post_hooks.set(handle.id, hook);
    return handle;
  }

  /**
   * `hook(optimizer)` runs at the start of every `state_dict()` call; its return value is not
   * used. `prepend: true` runs it before the hooks already registered (PyTorch's `prepend=True`,
   * also accepted positionally). `handle.remove()` unregisters it.
   */
  register_state_dict_pre_hook(hook: StateDictPreHook, prepend: boolean | { prepend?: boolean } = false): RemovableHandle {
    return registerHook(this._optimizer_state_dict_pre_hooks, hook, prepend, "register_state_dict_pre_hook");
  }

  /**
   * `hook(optimizer, state_dict)` runs after `state_dict()` packed the state: it may change the
   * dict in place, or return another one, which is then what the next hook gets and what
   * `state_dict()` returns (undefined/null: keep the dict). `prepend` and the handle as above.
   */
  register_state_dict_post_hook(hook: StateDictPostHook, prepend: boolean | { prepend?: boolean } = false): RemovableHandle {
    return registerHook(this._optimizer_state_dict_post_hooks, hook, prepend, "register_state_dict_post_hook");
  }

  /**
   * `hook(optimizer, state_dict)` runs at the start of `load_state_dict()`, with a shallow copy of
   * the dict given (its `state` and `param_groups` are the caller's objects, as in PyTorch): it may
   * change it in place, or return another dict, which is then loaded (undefined/null: keep it).
   * The place to adapt a checkpoint (rename, drop or convert state) before it is checked.
   */
  register_load_state_dict_pre_hook(hook: LoadStateDictPreHook, prepend: boolean | { prepend?: boolean } = false): RemovableHandle {
    return registerHook(this._optimizer_load_state_dict_pre_hooks, hook, prepend, "register_load_state_dict_pre_hook");
  }

  /** `hook(optimizer)` runs after `load_state_dict()` loaded the state; its return value is not used. */
  register_load_state_dict_post_hook(hook: LoadStateDictPostHook, prepend: boolean | { prepend?: boolean } = false): RemovableHandle {
    return registerHook(this._optimizer_load_state_dict_post_hooks, hook, prepend, "register_load_state_dict_post_hook");
  }

  /**
   * PyTorch's packed format: `state` keyed by the parameter's index in group order, groups with
   * `params` as those indices. Everything is deep-copied, so the dict is a snapshot. The state-dict
   * pre hooks run first, the post hooks last (each may replace the dict).
   */
  state_dict(): StateDict {
    for (const hook of [...this._optimizer_state_dict_pre_hooks.values()]) hook(this);
    // PyTorch's packing: parameters numbered in group order; a parameter listed twice in one group
    // (which PyTorch warns about) takes the index of its last place in that group, as its dict
    // comprehension {id(p): i for i, p in ... if id(p) not in param_mappings} keeps the last one.
    const index = new Map<Tensor, number>();
    let next = 0;
    const param_groups = this.param_groups.map((g) => {
      // 'params' comes last, as in PyTorch's packed group ({...hyperparameters, 'params': [...]})
      const packed = {} as { params: number[]; [key: string]: unknown };
      for (const [k, v] of Object.entries(g)) if (k !== "params") packed[k] = deepCopyState(v);
      const before = new Set(index.keys());
      for (const p of g.params) {
        if (!before.has(p)) index.set(p, next);
        next++;
      }
      packed.params = g.params.map((p) => index.get(p) as number);
      return packed;
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[i] = deepCopyState(s);
    }
    let out: StateDict = { state, param_groups };
    for (const hook of [...this._optimizer_state_dict_post_hooks.values()]) {
      const result = hook(this, out);
      if (result !== undefined && result !== null) out = result;
    }
    return out;
  }

  /**
   * Restores a `state_dict()` (deep-copied, so the source can be reused); params stay this
   * optimizer's. As in PyTorch, floating state but `step` takes each parameter's dtype. State
   * saved for parameters of other shapes is refused here, before anything changes
   * (`_check_loaded_state`), where PyTorch would fail at the next step. The load pre hooks get a
   * shallow copy of `state_dict` first (each may replace it); the post hooks run at the end.
   */
  load_state_dict(state_dict: StateDict): void {
    if (state_dict === null || typeof state_dict !== "object") {
      throw new TypeError(`state_dict must be an object with 'state' and 'param_groups', got ${pyTypename(state_dict)}`);
    }
    state_dict = { ...state_dict };
    for (const hook of [...this._optimizer_load_state_dict_pre_hooks.values()]) {
      const result = hook(this, state_dict);
      if (result !== undefined && result !== null) state_dict = result;
    }
    this._load_state_dict(state_dict);
    for (const hook of [...this._optimizer_load_state_dict_post_hooks.values()]) hook(this);
  }

  private _load_state_dict(state_dict: StateDict): void {
    const saved = state_dict.param_groups;
    if (!Array.isArray(saved) || typeof state_dict.state !== "object" || state_dict.state === null) {
      throw new TypeError("state_dict must have 'state' (an object) and 'param_groups' (an array)");
    }
    if (saved.length !== this.param_groups.length) {
      throw new Error("loaded state dict has a different number of parameter groups");
    }
    if (saved.some((g, i) => g.params.length !== this.param_groups[i].params.length)) {
      throw new Error("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    }
    const idMap = new Map<number, Tensor>();
    saved.forEach((g, gi) => g.params.forEach((id, j) => idMap.set(id, this.param_groups[gi].params[j])));
    const state = new Map<Tensor, ParamState>();
    const scalarKeys = this._scalar_state_keys();
    for (const [k, v] of Object.entries(state_dict.state)) {
      const p = idMap.get(Number(k));
      if (p === undefined) continue;
      // Before anything changes: a mismatch leaves this optimizer as it was.
      const s = castState(p, this._prepare_loaded_state(Number(k), p, deepCopyState(v)));
      this._check_loaded_state(Number(k), p, s);
      if (scalarKeys.length > 0 && (p.dtype === "float32" || p.dtype === "float64")) {
        // PyTorch's scalar state tensors take the param's dtype on load, like every other
        // floating state but `step`; they are numbers here, rounded in that dtype from now on.
        for (const key of scalarKeys) if (typeof s[key] === "number") s[key] = p.dtype === "float32" ? Math.fround(s[key]) : s[key];
        paramDtypeScalarStates.add(s);
      }
      state.set(p, s);
    }
    const groups = saved.map((g, gi) => {
      // (lr and the rest: the saved group's, copied below)
      const group = { params: this.param_groups[gi].params } as unknown as ParamGroup;
      for (const [k, v] of Object.entries(g)) if (k !== "params") group[k] = deepCopyState(v);
      if (this.param_groups[gi].param_names && !group.param_names) group.param_names = this.param_groups[gi].param_names;
      return group;
    });
    // PyTorch's __setstate__ (may refuse a group, before anything changes)
    groups.forEach((group, gi) => this._setstate_group(group, gi));
    this.param_groups = groups;
    this.state = state;
  }

  /**
   * PyTorch's `__setstate__`, which `load_state_dict` runs on the loaded groups: each built-in
   * optimizer gives the hyperparameters added since older PyTorch versions their defaults
   * (`group.setdefault('maximize', False)`, ...; AdamW also forces `decoupled_weight_decay` to
   * True), so an older or another optimizer's state_dict loads as in PyTorch (setstateGroup). The
   * base class, and so a user's own subclass, changes nothing.
   */
  protected _setstate_group(_group: ParamGroup, _index: number): void {}

  /**
   * One parameter's loaded state (a deep copy) before it is cast and checked; `index` is its key
   * in the state_dict. Refuses what the update loops cannot read: a state entry that should be a
   * tensor but is a plain array or object, which is what `JSON.parse(JSON.stringify(sd))` makes of
   * every tensor. PyTorch never meets this (its checkpoints are torch.save/torch.load, which keep
   * tensors) and would fail inside the next step(); lrlab refuses it here, at load time, naming
   * the key. Refused rather than converted: a JSON array does not say which dtype or shape its
   * tensor had (a 1-element array may be a 0-dim tensor or a shape [1] one, LBFGS's `old_dirs` is a
   * list of tensors), and NaN or ±Infinity became null; torch.save/torch.load keeps all of it.
   * Only the built-in optimizers' state keys are checked (BUILTIN_STATE_KEYS); LBFGS, which keeps
   * lists and turns PyTorch's 0-dim tensors into numbers, overrides this.
   */
  protected _prepare_loaded_state(index: number, _p: Tensor, state: ParamState): ParamState {
    if (state === null || typeof state !== "object" || Array.isArray(state) || state instanceof Tensor) {
      throw new TypeError(
        `${this.constructor.name}.load_state_dict: the saved state of parameter ${index} must be an object of state ` +
          `entries (e.g. { step, exp_avg, ... }), got ${pyTypename(state)}; nothing was loaded.`,
      );
    }
    for (const [key, value] of Object.entries(state)) {
      if (BUILTIN_STATE_KEYS.has(key) && !isStateLeaf(value)) {
        throw new TypeError(notTensorStateMessage(this.constructor.name, index, key, value, "a Tensor or a number"));
      }
    }
    return state;
  }

  /**
   * Checks one parameter's loaded state against the parameter (`index` is its key in the
   * state_dict): each state tensor must have the shape `_expected_state_shape` gives. PyTorch only
   * fails at the next step ("The size of tensor a (2) must match the size of tensor b (5)"), and
   * lrlab's loops would read past the end (NaN) or use part of the state; so load_state_dict
   * refuses it, naming the parameter, the key and both shapes.
   */
  protected _check_loaded_state(index: number, p: Tensor, state: ParamState): void {
    for (const [key, value] of Object.entries(state)) {
      if (key === "step" || !(value instanceof Tensor)) continue;
      const expected = this._expected_state_shape(p, key, value);
      if (expected === null || sameShape(value.shape, expected)) continue;
      throw new Error(stateShapeMessage(this.constructor.name, index, key, value.shape, p.shape, expected));
    }
  }

  /**
   * The shape state tensor `key` must have for parameter `p`, or null for no requirement. By
   * default every state tensor but `step` is shaped like its parameter (momentum buffers, moments,
   * accumulators), except 0-dim scalars; Adafactor and LBFGS say otherwise.
   */
  protected _expected_state_shape(p: Tensor, _key: string, value: Tensor): readonly number[] | null {
    return value.shape.length === 0 ? null : p.shape;
  }

  /**
   * Per-parameter state that PyTorch keeps as 0-dim floating tensors and lrlab as numbers (NAdam's
   * `mu_product`, ASGD's `eta` and `mu`): created in the default scalar dtype, cast to the
   * parameter's dtype by load_state_dict (see `scalarStateRounder`).
   */
  protected _scalar_state_keys(): readonly string[] {
    return [];
  }

  /**
   * Hyperparameters whose PyTorch default is a float with an integral value (Adadelta's `lr=1.0`,
   * ASGD's `t0=1e6`, Adafactor's `d=1.0`, `weight_decay=0.0`): at that value the printout says
   * `1.0`, as Python's does, where a JS number alone would print `1`.
   */
  protected _float_defaults(): Record<string, number> {
    return {};
  }

  /** Prints like PyTorch: class name, then each group's hyperparameters in sorted key order. */
  toString(): string {
    let s = `${this.constructor.name} (`;
    const floats = this._float_defaults();
    this.param_groups.forEach((group, i) => {
      s += `\nParameter Group ${i}\n`;
      for (const key of Object.keys(group).sort()) {
        if (key === "params") continue;
        const v = group[key];
        const text = key in floats && v === floats[key] && Number.isInteger(v) ? `${v}.0` : pyStr(v);
        s += `    ${key}: ${text}\n`;
      }
    });
    return s + ")";
  }

  /** `console.log(optimizer)` prints the same as the cell's echo (Node's util.inspect looks for this symbol). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** `{ closure }` (or `{}`): step's keyword form, an object whose only key is `closure`. */
function isClosureKeywords(v: unknown): boolean {
  if (v === null || typeof v !== "object" || v instanceof Tensor || Array.isArray(v)) return false;
  for (const key of Object.keys(v)) if (key !== "closure") return false;
  return true;
}

/**
 * A new object with `input`'s own enumerable keys and values in their order: what
 * `{ ...input }` makes (the same keys, order, values, getters read once), built by stores onto an
 * empty object instead. Why: V8 gives a spread's result a map (hidden class) of its own once the
 * spread's site has seen a few shapes (from the fifth optimizer of a process on, checked with
 * %HaveSameMap), so every group then had a map of its own, and each read of a group's property
 * (the optimizers' steps, the tracer) was a megamorphic load. Stores onto `{}` follow V8's
 * transition tree: groups given the same keys in the same order share one map.
 */
function copyGroupKeys(input: ParamGroupInput): ParamGroup {
  const group: Record<string | symbol, unknown> = {};
  for (const key of Object.keys(input)) {
    // (`group["__proto__"] = v` would set the prototype; a spread makes an own property)
    if (key === "__proto__") Object.defineProperty(group, key, { value: input[key], writable: true, enumerable: true, configurable: true });
    else group[key] = input[key];
  }
  for (const sym of Object.getOwnPropertySymbols(input)) {
    if (Object.prototype.propertyIsEnumerable.call(input, sym)) group[sym] = (input as unknown as Record<symbol, unknown>)[sym];
  }
  return group as unknown as ParamGroup;
}

/**
 * A param-group object (Python's dict): a non-iterable object that is not a tensor. No prototype
 * check, because notebook code may run in another realm whose `Object.prototype` differs.
 */
function isPlainGroup(v: unknown): v is ParamGroupInput {
  return (
    v !== null && typeof v === "object" && !(v instanceof Tensor) && !Array.isArray(v) &&
    typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function"
  );
}

/**
 * `set_to_none` from zero_grad's argument: a boolean (PyTorch's positional form), an options
 * object, or nothing (true). Anything else is refused, as Python would not silently ignore it.
 */
function zeroGradFlag(arg: unknown): boolean {
  if (arg === undefined || arg === null) return true;
  if (typeof arg === "boolean") return arg;
  if (typeof arg === "object" && !Array.isArray(arg) && !(arg instanceof Tensor)) {
    for (const key of Object.keys(arg)) {
      if (key !== "set_to_none") throw new TypeError(`zero_grad() got an unexpected keyword argument '${key}'; accepted: set_to_none`);
    }
    const v = (arg as { set_to_none?: unknown }).set_to_none;
    if (v === undefined) return true;
    if (typeof v !== "boolean") throw new TypeError(`zero_grad(): set_to_none must be true or false, got ${pyTypename(v)}`);
    return v;
  }
  throw new TypeError(`zero_grad(): set_to_none must be true or false (zero_grad(false) or zero_grad({ set_to_none: false })), got ${pyTypename(arg)}`);
}

/**
 * Adds `hook` to `registry` (last, or first with `prepend`: PyTorch's `move_to_end(last=False)`)
 * and returns its handle. `prepend` is PyTorch's positional or keyword argument.
 */
function registerHook<H>(registry: Map<number, H>, hook: H, prepend: boolean | { prepend?: boolean }, what: string): RemovableHandle {
  if (typeof hook !== "function") throw new TypeError(`${what}: hook must be a function, got ${pyTypename(hook)}`);
  const first = typeof prepend === "object" && prepend !== null ? prepend.prepend ?? false : prepend;
  if (typeof first !== "boolean") throw new TypeError(`${what}: prepend must be true or false, got ${pyTypename(first)}`);
  const handle = new RemovableHandle(registry as Map<number, unknown>);
  if (first) {
    const rest = [...registry];
    registry.clear();
    registry.set(handle.id, hook);
    for (const [id, h] of rest) registry.set(id, h);
  } else registry.set(handle.id, hook);
  return handle;
}

/**
 * The per-parameter state keys of lrlab's optimizers (all but LBFGS, which checks its own), each
 * a tensor or a number. Only these are checked on load: a user's own optimizer may keep any state
 * (lists, records), as in PyTorch.
 */
const BUILTIN_STATE_KEYS = new Set([
  "step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "exp_inf", "momentum_buffer", "square_avg", "grad_avg",
  "acc_delta", "sum", "ax", "eta", "mu", "mu_product", "prev", "step_size", "row_var", "col_var", "variance",
]);

/** A state value the update loops read as it is: a tensor, a number, a boolean, a string, or null. */
export function isStateLeaf(v: unknown): boolean {
  return v === null || v === undefined || v instanceof Tensor || typeof v === "number" || typeof v === "boolean" || typeof v === "string";
}

/**
 * The error for a state entry that is not what the optimizer keeps (`allowed`): typically a tensor
 * that a JSON round trip turned into a plain array.
 */
export function notTensorStateMessage(cls: string, index: number, key: string, value: unknown, allowed: string): string {
  const got = Array.isArray(value) ? `a plain array (length ${value.length})`
    : value !== null && typeof value === "object" ? "a plain object" : `${pyTypename(value)} ${String(value)}`;
  return (
    `${cls}.load_state_dict: the saved state of parameter ${index} has '${key}' as ${got}, but it must be ${allowed}. ` +
    "JSON.stringify turns every tensor of a state_dict into an array: save and load checkpoints with " +
    "torch.save(opt.state_dict(), path) and opt.load_state_dict(torch.load(path)), which keep the tensors " +
    "(or rebuild each state tensor with torch.tensor(values, { dtype }) before loading); nothing was loaded."
  );
}

/** Optimizers already warned about a param-group key (once per optimizer and key). */
const warnedGroupKeys = new WeakMap<Optimizer, Set<string>>();
/** The keys of each param group that `step()` has already checked (`_warn_new_group_keys`). */
const checkedGroupKeys = new WeakMap<ParamGroup, Set<string>>();

/** State records whose scalar state was loaded by load_state_dict, hence is in the param's dtype. */
const paramDtypeScalarStates = new WeakSet<ParamState>();

/**
 * The rounding of a parameter's scalar state (NAdam's `mu_product`, ASGD's `eta`, `mu`): PyTorch
 * creates those as 0-dim tensors of the default scalar dtype (float32, or float64 when the default
 * dtype is float64), and load_state_dict casts them to the parameter's dtype, as every floating
 * state but `step`. So: the parameter's dtype once loaded, else `fresh` (the default scalar dtype).
 */
export function scalarStateRounder(state: ParamState, p: Tensor, fresh: (x: number) => number): (x: number) => number {
  if (!paramDtypeScalarStates.has(state)) return fresh;
  return p.dtype === "float32" ? Math.fround : (x) => x;
}

/**
 * A built-in optimizer's `__setstate__` on loaded group `index`: `group.setdefault(key, value)` for
 * each of `defaults` (PyTorch's own list for that optimizer, appended in its order), then every
 * hyperparameter of the optimizer must be in the group. PyTorch loads a group without one (a
 * state_dict of another optimizer: Adam's has no 'momentum' for SGD) and raises KeyError at the
 * next step(); lrlab's steps would read `undefined` instead and train on silently with a
 * hyperparameter missing, so the load is refused here, naming the keys, before anything changed.
 */
export function setstateGroup(opt: Optimizer, group: ParamGroup, index: number, defaults: Record<string, unknown>): void {
  const saved = Object.keys(group).filter((k) => k !== "params");
  for (const [key, value] of Object.entries(defaults)) if (!(key in group)) group[key] = value;
  const missing = Object.keys(opt.defaults).filter((key) => !(key in group));
  if (missing.length === 0) return;
  const cls = opt.constructor.name;
  const names = missing.map((k) => `'${k}'`).join(", ");
  throw KeyError(
    `${missing.map((k) => `'${k}'`)[0]} (the loaded param group ${index} has no ${names}, which ${cls}'s step reads: PyTorch loads it and ` +
      `raises KeyError at the next step(). Was the state_dict saved by another optimizer (its groups have: ` +
      `${saved.join(", ")})? Nothing was loaded.)`,
  );
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/** The error for a state_dict whose state does not fit this optimizer's parameters. */
export function stateShapeMessage(
  cls: string, index: number, key: string, saved: readonly number[], param: readonly number[], expected: readonly number[],
): string {
  const want = sameShape(expected, param) ? "" : ` (so '${key}' should have shape [${expected.join(", ")}])`;
  return (
    `${cls}.load_state_dict: the saved state of parameter ${index} has '${key}' of shape [${saved.join(", ")}], ` +
    `but parameter ${index} of this optimizer has shape [${param.join(", ")}]${want}. A state_dict loads only into ` +
    "an optimizer over parameters of the same shapes, in the same order (was it saved for another model?); nothing was loaded."
  );
}

function cloneDefault(v: unknown): unknown {
  return Array.isArray(v) ? [...v] : v;
}

/**
 * Floating-point state tensors take the parameter's dtype on load (PyTorch casts them to the
 * param's dtype); `step` and non-tensor values are kept as they are.
 */
function castState(p: Tensor, s: ParamState): ParamState {
  for (const [k, v] of Object.entries(s)) {
    if (k !== "step" && v instanceof Tensor && v.dtype !== p.dtype && (v.dtype === "float32" || v.dtype === "float64")) {
      if (v.is_sparse) {
        s[k] = v.to(p.dtype);
        continue;
      }
      const data = p.dtype === "float32" ? Float32Array.from(v.data) : Float64Array.from(v.data);
      s[k] = new Tensor(data, v.shape, p.dtype);
    }
  }
  return s;
}
