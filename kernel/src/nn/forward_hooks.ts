/**
 * A torch.nn.Module's forward pre-hooks and forward hooks, run by `forward` itself.
 *
 * PyTorch runs a module's hooks in `Module.__call__` (`model(x)`). JavaScript cannot call an
 * object, so lrlab's users write `model.forward(x)`, and its layers run their submodules the same
 * way: had the hooks stayed in `call()`, a hook on `TransformerEncoderLayer.self_attn`, or any
 * hook of a model run as the README shows, would silently never run. So (a deliberate difference:
 * PyTorch's own `m.forward(x)` skips the hooks) while a module has a hook its instance gets an own,
 * non-enumerable `forward` accessor whose function runs the pre-hooks, the class's `forward` (or
 * the forward the instance had as an own property, e.g. a class-field arrow function), then the
 * hooks; when its last hook is removed the accessor goes and the instance is as it was. Hence:
 * - modules without hooks pay nothing (their `forward` is the class's method);
 * - `m.forward(x)`, `m.call(x)` and a container or layer running `m` all run the hooks once;
 * - a subclass's `super.forward(x)` goes to the parent class's method, not through the instance,
 *   so it does not run them a second time;
 * - parameters, state_dict and the printout read enumerable fields only: the accessor is not one.
 *   Assigning `m.forward = f` while hooked replaces what runs inside the hooks.
 *
 * The order and the options follow PyTorch's `_call_impl`: `prepend`, `with_kwargs` (lrlab's
 * keywords are a trailing options object: that object is the hook's kwargs, `{}` when there is
 * none; hooks without it get every argument, the options object included, as before), and
 * `always_call` (run even when forward or an earlier hook throws, with the output so far, null if
 * forward threw; an error such a hook throws then is only warned about, and the first is rethrown).
 */
import { RemovableHandle } from "../utils/hooks";
import type { Module } from "./module";
import { BackwardHookCall, type FullBackwardHook, type FullBackwardPreHook } from "./backward_hooks";
import { is_grad_enabled } from "../tensor/grad_mode";
import { RuntimeError } from "../errors";

/** `register_forward_hook`'s keyword options. */
export interface ForwardHookOptions {
  prepend?: boolean;
  with_kwargs?: boolean;
  always_call?: boolean;
}

/** `register_forward_pre_hook`'s keyword options. */
export interface ForwardPreHookOptions {
  prepend?: boolean;
  with_kwargs?: boolean;
}

interface Entry {
  hook: (...args: any[]) => unknown;
  with_kwargs: boolean;
  always_call: boolean;
}

/** A handle that, when it removes a module's last hook, gives the module its plain forward back. */
class ModuleHookHandle extends RemovableHandle {
  constructor(registry: Map<number, unknown>, private readonly owner: Module) {
    super(registry);
  }
  override remove(): void {
    super.remove();
    sync(this.owner);
  }
}

/** One module's hooks (kept in a hidden field, so a deep copy of the module copies them too). */
export class ForwardHookRegistry {
  readonly pre = new Map<number, Entry>();
  readonly post = new Map<number, Entry>();
  /** Full backward hooks and backward pre-hooks (backward_hooks.ts), run through the same accessor. */
  readonly bwd = new Map<number, Entry>();
  readonly bwdpre = new Map<number, Entry>();
  /**
   * Whether the instance had an own `forward` property (kept in `ownForwards`) when the accessor
   * was installed, or got one assigned since.
   */
  hasOwnForward = false;

  add(module: Module, kind: "pre" | "post" | "bwd" | "bwdpre", hook: unknown, options: ForwardHookOptions): RemovableHandle {
    const where = {
      pre: "register_forward_pre_hook", post: "register_forward_hook", bwd: "register_full_backward_hook", bwdpre: "register_full_backward_pre_hook",
    }[kind];
    if (typeof hook !== "function") throw new TypeError(`${where}(): hook must be a function, got ${hook === null ? "null" : typeof hook}`);
    if (options === null || typeof options !== "object") throw new TypeError(`${where}() takes its options as one object, e.g. { prepend: true }`);
    const accepted = kind === "pre" ? ["prepend", "with_kwargs"] : kind === "post" ? ["prepend", "with_kwargs", "always_call"] : ["prepend"];
    for (const [k, v] of Object.entries(options)) {
      if (!accepted.includes(k)) throw new TypeError(`${where}() got an unexpected keyword argument '${k}'; accepted: ${accepted.join(", ")}`);
      if (v !== undefined && typeof v !== "boolean") throw new TypeError(`${where}(): ${k} must be true or false, got ${String(v)}`);
    }
    const map = this[kind];
    const handle = new ModuleHookHandle(map, module);
    const entry: Entry = { hook: hook as Entry["hook"], with_kwargs: options.with_kwargs === true, always_call: options.always_call === true };
    if (options.prepend === true) {
      const rest = [...map];
      map.clear();
      map.set(handle.id, entry);
      for (const [k, v] of rest) map.set(k, v);
    } else map.set(handle.id, entry);
    sync(module);
    return handle;
  }
}

function registry(m: Module): ForwardHookRegistry {
  return (m as unknown as { _forward_hooks: ForwardHookRegistry })._forward_hooks;
}

// The own `forward` properties of hooked instances. Not a field: a copy made property by property
// (AveragedModel's deepcopy) would share the original's arrow function, bound to the original's
// parameters; the copy finds none here and says so instead (innerForward).
const ownForwards = new WeakMap<Module, PropertyDescriptor>();

// One function per hooked instance (stable, so `m.forward === m.forward`, and usable detached as a
// class-field arrow function is). A WeakMap rather than a field: a deep copy must make its own.
const wrappers = new WeakMap<Module, (...args: any[]) => any>();

function hookedGet(this: Module): (...args: any[]) => any {
  let f = wrappers.get(this);
  if (f === undefined) {
    const m = this;
    f = (...args: any[]) => runWithHooks(m, args);
    wrappers.set(this, f);
  }
  return f;
}

function hookedSet(this: Module, value: unknown): void {
  registry(this).hasOwnForward = true;
  ownForwards.set(this, { value, writable: true, enumerable: true, configurable: true });
}

/** Installs or removes the hooked `forward` accessor as the module has hooks or not. */
function sync(m: Module): void {
  const reg = registry(m);
  const want = reg.pre.size + reg.post.size + reg.bwd.size + reg.bwdpre.size > 0;
  const has = Object.getOwnPropertyDescriptor(m, "forward")?.get === hookedGet;
  if (want && !has) {
    const own = Object.getOwnPropertyDescriptor(m, "forward");
    reg.hasOwnForward = own !== undefined;
    if (own !== undefined) ownForwards.set(m, own);
    Object.defineProperty(m, "forward", { get: hookedGet, set: hookedSet, enumerable: false, configurable: true });
  } else if (!want && has) {
    delete (m as unknown as { forward?: unknown }).forward;
    const own = reg.hasOwnForward ? ownForwards.get(m) : undefined;
    if (own !== undefined) Object.defineProperty(m, "forward", own);
    ownForwards.delete(m);
    reg.hasOwnForward = false;
  }
}

/** The forward the hooks wrap: the instance's own one if it had one, else its class's. */
function innerForward(m: Module): (...args: any[]) => any {
  if (!registry(m).hasOwnForward) return Object.getPrototypeOf(m).forward;
  const own = ownForwards.get(m);
  if (own === undefined) {
    throw new TypeError(
      `${m._get_name()}: this module is a copy (e.g. AveragedModel's) of a module with forward hooks whose forward is an ` +
        "own property (a class-field arrow function, forward = (x) => ...), which stays bound to the original module, so " +
        "the copy would compute with the original's parameters. Write it as a method instead: forward(x) { ... }.",
    );
  }
  return own.get ? own.get.call(m) : own.value;
}

function isOptions(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Positional arguments and the trailing options object (kwargs), for `with_kwargs` hooks. */
function split(input: unknown[]): [unknown[], Record<string, unknown>] {
  const last = input[input.length - 1];
  return isOptions(last) ? [input.slice(0, -1), last] : [input, {}];
}

function join(args: unknown[], kwargs: Record<string, unknown>, had: boolean): unknown[] {
  return had || Object.keys(kwargs).length > 0 ? [...args, kwargs] : [...args];
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === "object") return `a ${(v as object).constructor?.name ?? "object"}`;
  return `${typeof v} ${String(v)}`;
}

/** PyTorch's `_call_impl` for one module: pre-hooks, forward, hooks (see the file comment). */
function runWithHooks(m: Module, args: unknown[]): unknown {
  const reg = registry(m);
  let input = args;
  let result: unknown = null;
  const called = new Set<number>();
  try {
    for (const { hook, with_kwargs } of [...reg.pre.values()]) {
      if (with_kwargs) {
        const [a, k] = split(input);
        const r = hook(m, a, k);
        if (r === undefined || r === null) continue;
        if (!Array.isArray(r) || r.length !== 2 || !Array.isArray(r[0]) || !isOptions(r[1])) {
          throw RuntimeError(`forward pre-hook must return None or a tuple of (new_args, new_kwargs), but got ${describe(r)} (in lrlab: nothing, or [args array, kwargs object])`);
        }
        input = join(r[0], r[1], isOptions(input[input.length - 1]));
      } else {
        const r = hook(m, input);
        if (r !== undefined && r !== null) input = Array.isArray(r) ? r : [r];
      }
    }
    // PyTorch's order: backward hooks wrap the inputs after the pre-hooks, the outputs after the hooks
    const bw = (reg.bwd.size > 0 || reg.bwdpre.size > 0) && is_grad_enabled()
      ? new BackwardHookCall(m, [...reg.bwd.values()].map((e) => e.hook as FullBackwardHook), [...reg.bwdpre.values()].map((e) => e.hook as FullBackwardPreHook))
      : null;
    if (bw !== null) input = bw.setupInput(input);
    result = innerForward(m).apply(m, input);
    for (const [id, { hook, with_kwargs, always_call }] of [...reg.post]) {
      if (always_call) called.add(id);
      const r = with_kwargs ? hook(m, ...split(input), result) : hook(m, input, result);
      if (r !== undefined && r !== null) result = r;
    }
    if (bw !== null) result = bw.setupOutput(result);
    return result;
  } catch (e) {
    for (const [id, { hook, with_kwargs, always_call }] of [...reg.post]) {
      if (!always_call || called.has(id)) continue;
      try {
        const r = with_kwargs ? hook(m, ...split(input), result) : hook(m, input, result);
        if (r !== undefined && r !== null) result = r;
      } catch (e2) {
        console.warn(
          "UserWarning: module forward hook with ``always_call=True`` raised an exception that was silenced as another error was raised in forward: " +
            String((e2 as Error)?.message ?? e2),
        );
      }
    }
    throw e;
  }
}
