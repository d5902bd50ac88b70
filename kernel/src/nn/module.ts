/**
 * torch.nn.Module for TypeScript.
 *
 * Parameters and submodules are found from the module's own enumerable fields, in declaration
 * order (class fields are defined in source order; names registered with add_module /
 * register_parameter / register_buffer in registration order, "0" and "2" included: key_order.ts), so
 *
 *   class Net extends torch.nn.Module { fc = new torch.nn.Linear(10, 1); forward(x) { ... } }
 *
 * needs no registration call. A field holding a Parameter is a parameter, one holding a Module a
 * submodule, and an array of Modules (or of Parameters) behaves like a ModuleList (ParameterList):
 * its items are named "field.0", "field.1", ... Buffers are plain tensors, so they must be
 * registered (`register_buffer`), as in PyTorch; the registry only remembers their names and the
 * value lives in the field, so `this.running_mean = t` replaces the buffer.
 *
 * An ES private field (`#fc = new Linear(2, 2)`) is invisible: no JavaScript code outside the class
 * body can list it, so its parameters are not in `parameters()` (never trained), `state_dict()` or
 * the printout, silently. Use a TypeScript `private fc = ...` field (an ordinary field at run time)
 * or `register_module("fc", m)`. There is no warning: a module without hooks runs its own class's
 * `forward` directly, so nothing sees a submodule run by a parent that did not register it.
 *
 * Internal state (training flag, buffer names, hooks) lives in non-enumerable properties so it is
 * never mistaken for a field.
 *
 * Forward hooks run whichever way the module is run: JavaScript cannot call an object, so
 * `model.forward(x)` is lrlab's `model(x)` (forward_hooks.ts; PyTorch's own `m.forward(x)` skips
 * the hooks, lrlab's runs them, once).
 *
 * Assign a Parameter (or null) to a parameter's field: `m.weight = new Parameter(t)`. Unlike
 * PyTorch (TypeError), a plain tensor is not refused: it replaces the field and the weight leaves
 * `parameters()` and `state_dict()` (refusing it would need a Proxy around every module, which slows
 * every field read; param_assign.ts). `register_parameter` does check.
 */
import { inspect } from "node:util";
import { Tensor } from "../tensor/tensor";
import { bump_version, share_version } from "../tensor/version";
import { Device } from "../tensor/device";
import type { DType } from "../tensor/tensor";
import { RemovableHandle } from "../utils/hooks";
import { Parameter } from "./parameter";
import { ForwardHookRegistry, type ForwardHookOptions, type ForwardPreHookOptions } from "./forward_hooks";
import type { FullBackwardHook, FullBackwardPreHook } from "./backward_hooks";
import { IncompatibleKeys } from "./param_assign";
import { loadStateDict, type StateDictMetadata } from "./load_state_dict";
import { nnArgs } from "./positional";
import { keyedStateDict } from "./state_dict_keys";
import { orderedKeys, registerKey } from "./key_order";
import { noteZeroed } from "../tensor/grad_zeroed";
import { checkKeywords, isOptionsObject } from "../utils/py_args";
import { AttributeError, KeyError, NotImplementedError, RuntimeError, TypeError_, ValueError } from "../errors";
import { typename } from "./typename";
import { readToForms } from "../tensor/to_args";
import { check_dtype, isLrlabDtype } from "../tensor/dtype";

export type StateDict = Record<string, Tensor>;
/**
 * `hook(module, input, output)` after forward; a returned value replaces the output. With
 * `{ with_kwargs: true }`: `hook(module, args, kwargs, output)`, the trailing options object as kwargs.
 */
export type ForwardHook = (module: Module, input: any[], ...rest: any[]) => unknown;
/**
 * `hook(module, input)` before forward; a returned value replaces the input (an array, or one
 * value). With `{ with_kwargs: true }`: `hook(module, args, kwargs)` returning `[args, kwargs]`.
 */
export type ForwardPreHook = (module: Module, input: any[], ...rest: any[]) => unknown;

/** Returned by `register_forward_hook`: `handle.remove()` unregisters the hook (torch.utils.hooks'). */
export { RemovableHandle };
export type { ForwardHookOptions, ForwardPreHookOptions, FullBackwardHook, FullBackwardPreHook };

/** What `load_state_dict` returns when it does not throw (PyTorch's named tuple, with its repr). */
export { IncompatibleKeys };

function hidden(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: false, configurable: true });
}

export class Module {
  /** True in training mode (`train()`), false after `eval()`. */
  declare training: boolean;
  declare private _buffer_names: Map<string, boolean>; // name -> persistent
  declare private _forward_hooks: ForwardHookRegistry;
  /** Own keys in registration order (PyTorch's OrderedDicts; key_order.ts): Object.keys puts "0", "2" first. */
  declare private _key_order: string[];

  constructor() {
    hidden(this, "training", true);
    hidden(this, "_key_order", []);
    hidden(this, "_buffer_names", new Map());
    hidden(this, "_forward_hooks", new ForwardHookRegistry());
  }

  /**
   * The computation; subclasses override it. Users call `model.forward(x)`, which also runs the
   * module's forward pre-hooks and hooks when it has any (forward_hooks.ts).
   */
  forward(..._args: any[]): any {
    throw NotImplementedError(`Module [${this._get_name()}] is missing the required "forward" function`);
  }

  /**
   * Python's `module(x)`: the same as `forward(...args)`, which runs the hooks (forward pre-hooks,
   * forward, forward hooks). Typed as the module's own `forward` (overloads included), so
   * `new Linear(3, 2).call(x)` is a Tensor. Defined on the prototype below.
   */
  declare call: this["forward"];

  /**
   * Registers `hook(module, input, output)` to run after every forward (`m.forward(x)`, `m.call(x)`,
   * or a container or layer running `m`); a returned value replaces the output. Options (PyTorch's
   * keywords): `prepend` (run before the hooks already registered), `with_kwargs` (the hook gets
   * `(module, args, kwargs, output)`, kwargs being the trailing options object, `{}` if none),
   * `always_call` (also run when forward or an earlier hook throws; the output is then null).
   */
  register_forward_hook(hook: ForwardHook, options: ForwardHookOptions = {}): RemovableHandle {
    return this._forward_hooks.add(this, "post", hook, options);
  }

  /**
   * Registers `hook(module, input)` to run before every forward; a returned array (or one value)
   * replaces the input. Options: `prepend`, `with_kwargs` (the hook gets `(module, args, kwargs)`
   * and returns `[args, kwargs]` or nothing).
   */
  register_forward_pre_hook(hook: ForwardPreHook, options: ForwardPreHookOptions = {}): RemovableHandle {
    return this._forward_hooks.add(this, "pre", hook, options);
  }

  /**
   * Registers `hook(module, grad_input, grad_output)` to run when the gradients w.r.t. the
   * module's inputs have been computed in backward (PyTorch's register_full_backward_hook):
   * `grad_input` and `grad_output` are arrays (Python's tuples) with one entry per positional
   * argument / output, null for non-tensors and tensors that need no gradient; a returned array
   * replaces `grad_input`. Options: `prepend`. The hook sees only what passes through the module
   * while it has the hook (the inputs and outputs of each forward call run with grad mode on).
   */
  register_full_backward_hook(hook: FullBackwardHook, options: { prepend?: boolean } = {}): RemovableHandle {
    return this._forward_hooks.add(this, "bwd", hook, options);
  }

  /**
   * Registers `hook(module, grad_output)` to run when the gradients w.r.t. the module's outputs
   * have been computed in backward, before the full backward hooks; a returned array replaces
   * `grad_output` (PyTorch's register_full_backward_pre_hook). Options: `prepend`.
   */
  register_full_backward_pre_hook(hook: FullBackwardPreHook, options: { prepend?: boolean } = {}): RemovableHandle {
    return this._forward_hooks.add(this, "bwdpre", hook, options);
  }

  // ---------------------------------------------------------------- registration

  /** Adds a parameter (or null) under `name`, as PyTorch's `register_parameter`. */
  register_parameter(name: string, param: Parameter | null): void {
    this._checkName(name, "parameter");
    if (param !== null && !(param instanceof Parameter)) {
      throw TypeError_(`cannot assign '${typename(param)}' object to parameter '${name}' (torch.nn.Parameter or None required)`);
    }
    this._buffer_names.delete(name);
    registerKey(this, this._key_order, name, () => ((this as any)[name] = param));
  }

  /** Adds a buffer (a tensor saved in state_dict but not trained), or null. */
  register_buffer(name: string, tensor: Tensor | null, persistent: boolean | { persistent?: boolean } = true): void {
    if (typeof persistent === "object" && persistent !== null) persistent = persistent.persistent ?? true;
    this._checkName(name, "buffer");
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw TypeError_(`cannot assign '${typename(tensor)}' object to buffer '${name}' (torch Tensor or None required)`);
    }
    this._buffer_names.set(name, persistent);
    registerKey(this, this._key_order, name, () => ((this as any)[name] = tensor));
  }

  /** Adds a child module (or null) under `name`. */
  register_module(name: string, module: Module | null): void {
    this.add_module(name, module);
  }

  add_module(name: string, module: Module | null): void {
    if (module !== null && !(module instanceof Module)) {
      throw TypeError_(`${typename(module)} is not a Module subclass`);
    }
    this._checkName(name, "module");
    this._buffer_names.delete(name);
    registerKey(this, this._key_order, name, () => ((this as any)[name] = module));
  }

  /**
   * PyTorch's checks of a name being registered, with its KeyErrors. A name the module already
   * has is refused unless it holds a member of the same kind (PyTorch's `hasattr(self, name) and
   * name not in self._parameters`): a method or getter, a parameter when registering a buffer or
   * a module, a buffer when registering a parameter, a number field. An empty field (null, or a
   * declared field still undefined) may be registered as anything, and a plain tensor field as a
   * buffer (lrlab's buffers live in ordinary fields).
   */
  private _checkName(name: string, kind: "parameter" | "buffer" | "module"): void {
    if (typeof name !== "string") throw TypeError_(`${kind} name should be a string. Got ${typename(name)}`);
    if (name === "") throw KeyError(`${kind} name can't be empty string ""`);
    if (name.includes(".")) throw KeyError(kind === "module" ? `module name can't contain ".", got: ${name}` : `${kind} name can't contain "."`);
    if (name in this && !this._holdsKind(name, kind)) throw KeyError(`attribute '${name}' already exists`);
  }

  private _holdsKind(name: string, kind: "parameter" | "buffer" | "module"): boolean {
    if (!Object.prototype.hasOwnProperty.call(this, name)) return false;
    if (this._buffer_names.has(name)) return kind === "buffer";
    const v = (this as any)[name];
    if (v === null || v === undefined) return true;
    if (kind === "parameter") return v instanceof Parameter;
    if (kind === "module") return v instanceof Module;
    return v instanceof Tensor && !(v instanceof Parameter);
  }

  // ---------------------------------------------------------------- discovery

  /** Own enumerable keys (fields) in registration order, integer-like names included (key_order.ts). */
  protected _ordered_keys(): string[] {
    return orderedKeys(this, this._key_order);
  }

  /** Own direct parameters, as [name, p] (null entries skipped). */
  protected _own_parameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const key of this._ordered_keys()) {
      const v = (this as any)[key];
      if (v instanceof Parameter && !this._buffer_names.has(key)) out.push([key, v]);
      else if (Array.isArray(v) && v.length > 0 && v.every((x) => x instanceof Parameter)) {
        v.forEach((p: Parameter, i: number) => out.push([`${key}.${i}`, p]));
      }
    }
    return out;
  }

  /** Own buffers, as [name, tensor, persistent]. */
  protected _own_buffers(): [string, Tensor, boolean][] {
    const out: [string, Tensor, boolean][] = [];
    for (const [key, persistent] of this._buffer_names) {
      const v = (this as any)[key];
      if (v instanceof Tensor) out.push([key, v, persistent]);
    }
    return out;
  }

  /** Direct children as [name, module]; arrays of modules count as lists "name.i". */
  protected _own_children(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const key of this._ordered_keys()) {
      const v = (this as any)[key];
      if (v instanceof Module) out.push([key, v]);
      else if (Array.isArray(v) && v.length > 0 && v.every((x) => x instanceof Module)) {
        v.forEach((m: Module, i: number) => out.push([`${key}.${i}`, m]));
      }
    }
    return out;
  }

  /** Children for printing: an array field prints as one ModuleList. */
  protected _print_children(): [string, Module | Module[]][] {
    const out: [string, Module | Module[]][] = [];
    for (const key of this._ordered_keys()) {
      const v = (this as any)[key];
      if (v instanceof Module) out.push([key, v]);
      else if (Array.isArray(v) && v.length > 0 && v.every((x) => x instanceof Module)) out.push([key, v]);
    }
    return out;
  }

  // ---------------------------------------------------------------- iteration

  /**
   * [dotted name, module] pairs, this module first (named `prefix`), depth-first; each module once
   * unless `remove_duplicate` is false; modules in `memo` are skipped (and those visited added to
   * it). Positionally as in Python (`memo, prefix, remove_duplicate`) or as one options object
   * (`{ memo, prefix, remove_duplicate }`).
   */
  named_modules(memo?: Set<Module> | null | NamedModulesOptions, prefix?: string, remove_duplicate?: boolean): [string, Module][];
  named_modules(...args: unknown[]): [string, Module][] {
    const o = nnArgs("Module.named_modules", "Module", args) as NamedModulesOptions;
    const memo = o.memo ?? new Set<Module>();
    if (!(memo instanceof Set)) throw TypeError_(`named_modules(): memo must be a Set of modules (Python's set), got ${typename(memo)}`);
    return this._walk_modules(memo, o.prefix ?? "", o.remove_duplicate ?? true);
  }

  /** named_modules without the argument parsing (parameters(), state_dict() and load_state_dict() walk the tree often). */
  _walk_modules(memo: Set<Module>, prefix: string, remove_duplicate: boolean): [string, Module][] {
    const out: [string, Module][] = [];
    const visit = (m: Module, pre: string): void => {
      if (remove_duplicate) {
        if (memo.has(m)) return;
        memo.add(m);
      }
      out.push([pre, m]);
      for (const [name, child] of m._own_children()) visit(child, pre ? `${pre}.${name}` : name);
    };
    visit(this, prefix);
    return out;
  }

  /** The submodule at a dotted path ("body.0"), with PyTorch's error for a missing name. */
  get_submodule(target = ""): Module {
    if (target === "") return this;
    let mod: Module = this;
    const parts = target.split(".");
    for (let i = 0; i < parts.length; i++) {
      const children = mod._own_children();
      let name = parts[i];
      // An array field's items are named "field.k": take the index from the next segment.
      if (!children.some(([n]) => n === name) && i + 1 < parts.length && children.some(([n]) => n === `${name}.${parts[i + 1]}`)) {
        name = `${name}.${parts[++i]}`;
      }
      const child = children.find(([n]) => n === name)?.[1];
      if (!child) {
        // PyTorch tells a name that is there but not a module from one that is not there
        if (parts[i] in mod) throw AttributeError(`\`${parts[i]}\` is not an nn.Module`);
        throw AttributeError(`${mod._get_name()} has no attribute \`${parts[i]}\``);
      }
      mod = child;
    }
    return mod;
  }

  /**
   * Replaces (or adds) the submodule at a dotted path ("encoder.fc", "body.0"; an array field's
   * item "heads.1" too), with PyTorch's errors: an empty target or a value that is not a Module
   * (ValueError), a path through something missing or not a module, or a name that holds
   * something other than a module (AttributeError). With `strict` the name must already exist.
   */
  set_submodule(target: string, module: Module, strict?: boolean | { strict?: boolean }): void;
  set_submodule(target: string, module: Module, ...args: unknown[]): void {
    const { strict = false } = nnArgs("Module.set_submodule", "Module", args) as { strict?: boolean };
    if (target === "") throw ValueError("Cannot set the submodule without a target name!");
    if (!(module instanceof Module)) throw ValueError(`\`module\` is not an nn.Module, found <class '${typename(module)}'>`);
    const dot = target.lastIndexOf(".");
    const name = target.slice(dot + 1);
    const parentPath = dot < 0 ? "" : target.slice(0, dot);
    // an array field's item: "heads.1", heads being an array of modules of the module above it
    if (parentPath !== "" && /^\d+$/.test(name)) {
      const pdot = parentPath.lastIndexOf(".");
      const holder = pdot < 0 ? this : this._module_or_null(parentPath.slice(0, pdot));
      const field = parentPath.slice(pdot + 1);
      const arr = holder === null ? undefined : (holder as any)[field];
      if (Array.isArray(arr) && arr.length > 0 && arr.every((x) => x instanceof Module)) {
        const i = Number(name);
        if (i >= arr.length) {
          throw AttributeError(`${field} is an array of ${arr.length} modules: index ${name} is out of range (its items are 0 to ${arr.length - 1}; add one with push)`);
        }
        arr[i] = module;
        return;
      }
    }
    const parent = this.get_submodule(parentPath);
    const has = name in parent && (parent as any)[name] !== undefined;
    if (strict && !has) throw AttributeError(`${parent._get_name()} has no attribute \`${name}\``);
    if (has && !((parent as any)[name] instanceof Module)) throw AttributeError(`\`${name}\` is not an nn.Module`);
    parent.add_module(name, module);
  }

  /** The module at `path` if there is one, else null (set_submodule's look for an array field's holder). */
  private _module_or_null(path: string): Module | null {
    try {
      return this.get_submodule(path);
    } catch {
      return null;
    }
  }

  /** The parameter at a dotted path ("0.weight"), with PyTorch's AttributeError when it is not one. */
  get_parameter(target: string): Parameter {
    const [mod, name] = this._member_at(target);
    const param = (mod as any)[name];
    if (!(param instanceof Parameter)) throw AttributeError(`\`${name}\` is not an nn.Parameter`);
    return param;
  }

  /** The buffer at a dotted path ("1.running_mean"; null if registered as null), with PyTorch's AttributeError when it is not one. */
  get_buffer(target: string): Tensor | null {
    const [mod, name] = this._member_at(target);
    if (!mod._buffer_names.has(name)) throw AttributeError(`\`${name}\` is not a buffer`);
    return (mod as any)[name];
  }

  /** The module holding `target`'s last name, and that name (get_parameter / get_buffer). */
  private _member_at(target: string): [Module, string] {
    const dot = target.lastIndexOf(".");
    const mod = this.get_submodule(dot < 0 ? "" : target.slice(0, dot));
    const name = target.slice(dot + 1);
    if (!(name in mod)) throw AttributeError(`${mod._get_name()} has no attribute \`${name}\``);
    return [mod, name];
  }

  modules(): Module[] {
    return this._walk_modules(new Set(), "", true).map(([, m]) => m);
  }

  named_children(): [string, Module][] {
    const seen = new Set<Module>();
    return this._own_children().filter(([, m]) => (seen.has(m) ? false : (seen.add(m), true)));
  }

  children(): Module[] {
    return this.named_children().map(([, m]) => m);
  }

  /** [dotted name, parameter] pairs, each parameter once (shared ones under their first name). */
  /**
   * [dotted name, parameter] pairs, each parameter once (shared ones under their first name).
   * Arguments positionally as in Python (`prefix, recurse, remove_duplicate`) or as one options
   * object (`{ prefix, recurse, remove_duplicate }`).
   */
  named_parameters(prefix: string | MemberOptions = "", recurse = true, remove_duplicate = true): [string, Parameter][] {
    const o = memberOptions(prefix, recurse, remove_duplicate);
    return this._named_members((m) => m._own_parameters(), o.prefix, o.recurse, o.remove_duplicate);
  }

  /** Every parameter (an array, ready for an optimizer): `parameters()`, `parameters(false)` or `parameters({ recurse })`. */
  parameters(recurse: boolean | { recurse?: boolean } = true): Parameter[] {
    const r = typeof recurse === "object" && recurse !== null ? recurse.recurse ?? true : recurse;
    return this.named_parameters("", r).map(([, p]) => p);
  }

  named_buffers(prefix: string | MemberOptions = "", recurse = true, remove_duplicate = true): [string, Tensor][] {
    const o = memberOptions(prefix, recurse, remove_duplicate);
    return this._named_members(
      (m) => m._own_buffers().map(([n, t]) => [n, t] as [string, Tensor]),
      o.prefix,
      o.recurse,
      o.remove_duplicate,
    );
  }

  buffers(recurse: boolean | { recurse?: boolean } = true): Tensor[] {
    const r = typeof recurse === "object" && recurse !== null ? recurse.recurse ?? true : recurse;
    return this.named_buffers("", r).map(([, b]) => b);
  }

  private _named_members<T>(
    get: (m: Module) => [string, T][],
    prefix: string,
    recurse: boolean,
    remove_duplicate: boolean,
  ): [string, T][] {
    const mods: [string, Module][] = recurse
      ? this._walk_modules(new Set(), prefix, remove_duplicate)
      : [[prefix, this]];
    const seen = new Set<T>();
    const out: [string, T][] = [];
    for (const [mp, m] of mods) {
      for (const [n, v] of get(m)) {
        if (remove_duplicate) {
          if (seen.has(v)) continue;
          seen.add(v);
        }
        out.push([mp ? `${mp}.${n}` : n, v]);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- modes and grads

  /** Sets training mode on this module and every descendant; returns this. */
  train(mode?: boolean | { mode?: boolean }): this;
  train(...args: unknown[]): this {
    const { mode = true } = nnArgs("Module.train", "Module", args) as { mode?: unknown };
    if (typeof mode !== "boolean") throw ValueError("training mode is expected to be boolean");
    this.training = mode;
    for (const c of this.children()) c.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Sets every parameter's `requires_grad` (freezing with `requires_grad_(false)`). */
  requires_grad_(requires_grad?: boolean | { requires_grad?: boolean }): this;
  requires_grad_(...args: unknown[]): this {
    const { requires_grad = true } = nnArgs("Module.requires_grad_", "Module", args) as { requires_grad?: boolean };
    for (const p of this.parameters()) p.requires_grad = requires_grad;
    return this;
  }

  /** Resets gradients: to null by default (PyTorch 2), or to zeros in place with `zero_grad(false)` / `{ set_to_none: false }`. */
  zero_grad(set_to_none?: boolean): void;
  zero_grad(options?: { set_to_none?: boolean }): void;
  zero_grad(...args: unknown[]): void {
    const { set_to_none = true } = nnArgs("Module.zero_grad", "Module", args) as { set_to_none?: boolean };
    for (const p of this.parameters()) {
      const g = p.grad;
      if (g === null) continue;
      if (set_to_none) p.grad = null;
      else {
        g.grad_fn = null;
        g.requires_grad = false;
        if (g.is_sparse) g.zero_(); // (nnz 0, as PyTorch)
        else {
          g.data.fill(0);
          bump_version(g); // (PyTorch's `p.grad.zero_()`)
        }
        noteZeroed(g);
      }
    }
  }

  /** Calls `fn` on every submodule (children first) and then on this module; returns this. */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  // ---------------------------------------------------------------- dtype

  /**
   * Converts floating parameters and buffers to `dtype` ("float32" | "float64") in place, as
   * PyTorch's `Module.to`, in its forms: `to(dtype)`, `to(device)`, `to(device, dtype)`,
   * `to(tensor)` (that tensor's dtype) and the options object `{ device, dtype, non_blocking }`.
   * The only device is the CPU: "cpu" and `torch.device("cpu")` leave the module where it is;
   * another device ("cuda", "mps") is an error saying so.
   */
  to(dtype: DType | Tensor | ModuleToOptions): this;
  to(device: "cpu" | Device | string | null, dtype?: DType | null | ModuleToOptions, options?: ModuleToOptions): this;
  to(...args: unknown[]): this {
    const dt = moduleToDtype(args);
    if (dt === undefined) return this;
    const convert = (t: Tensor): void => {
      if (t.dtype === dt || (t.dtype !== "float32" && t.dtype !== "float64")) return;
      const data = dt === "float32" ? Float32Array.from(t.data) : Float64Array.from(t.data);
      t.data = data;
      t.dtype = dt;
      const g = t.grad;
      if (g !== null) {
        t.grad = null;
        if (g.is_sparse) t.grad = g.to(dt);
        else t.grad = new Tensor(dt === "float32" ? Float32Array.from(g.data) : Float64Array.from(g.data), g.shape, dt);
      }
    };
    for (const p of this.parameters()) convert(p);
    for (const b of this.buffers()) convert(b);
    return this;
  }

  /** The module itself (everything lives on the CPU). */
  cpu(): this {
    return this;
  }

  double(): this {
    return this.to("float64");
  }

  float(): this {
    return this.to("float32");
  }

  // ---------------------------------------------------------------- state dict

  /**
   * An ordered record of dotted name -> tensor: each module's parameters, then its persistent
   * buffers, depth-first (PyTorch's order). The tensors share storage with the module's. Reading a
   * key that is not there throws PyTorch's KeyError, naming the closest keys (state_dict_keys.ts).
   * Modules' state_dict pre-hooks and post-hooks run as in PyTorch (register_state_dict_pre_hook).
   */
  state_dict({ prefix = "", keep_vars = false }: { prefix?: string; keep_vars?: boolean } = {}): StateDict {
    // PyTorch's `_metadata`: each module's `_version` by path, which load_state_dict passes to
    // `_upgrade_state_dict` (hidden, so a copy made of the entries has none, as a Python dict
    // comprehension has none)
    const metadata: StateDictMetadata = {};
    const mods = this._walk_modules(new Set(), prefix.replace(/\.$/, ""), false);
    for (const [path, m] of mods) metadata[path] = { version: m._version };
    const hooked = mods.some(([, m]) => m._state_hooks !== undefined && (m._state_hooks.sd_pre.size > 0 || m._state_hooks.sd_post.size > 0));
    const sd = keyedStateDict(hooked ? this._hooked_state_entries(prefix, keep_vars, metadata) : this._state_entries(prefix, keep_vars));
    hidden(sd, "_metadata", metadata);
    return sd;
  }

  /**
   * state_dict's entries when some module has state_dict hooks: the dict is built module by
   * module, each module's pre-hooks `(module, prefix, keep_vars)` before its entries, its
   * post-hooks `(module, state_dict, prefix, local_metadata)` after its children's, as PyTorch's;
   * a post-hook may add or delete keys of the dict it is given.
   */
  private _hooked_state_entries(prefix: string, keep_vars: boolean, metadata: StateDictMetadata): [string, Tensor][] {
    const dest: Record<string, Tensor> = {};
    const order: string[] = [];
    const visit = (m: Module, pre: string): void => {
      const hooks = m._state_hooks;
      if (hooks !== undefined) for (const hook of [...hooks.sd_pre.values()]) hook(m, pre, keep_vars);
      const put = (k: string, t: Tensor): void => {
        if (!(k in dest)) order.push(k);
        dest[k] = keep_vars ? t : detachShared(t);
      };
      for (const [n, p] of m._own_parameters()) put(pre + n, p);
      for (const [n, b, persistent] of m._own_buffers()) if (persistent) put(pre + n, b);
      for (const [n, c] of m._own_children()) visit(c, `${pre}${n}.`);
      if (hooks !== undefined) {
        for (const hook of [...hooks.sd_post.values()]) {
          const r = hook(m, dest, pre, metadata[pre.replace(/\.$/, "")]);
          if (r !== undefined && r !== null) throw RuntimeError("state_dict post-hook must return None");
          // keys the hook added take their places here, before the next modules' entries
          const known = new Set(order);
          for (const k of Object.keys(dest)) if (!known.has(k)) order.push(k);
        }
      }
    };
    visit(this, prefix);
    return order.filter((k) => k in dest).map((k) => [k, dest[k]]);
  }

  /** This module's state_dict and load_state_dict hooks (made when the first is registered). */
  declare _state_hooks: StateHooks | undefined;

  private _state_hook(kind: keyof StateHooks, hook: unknown, where: string): RemovableHandle {
    if (typeof hook !== "function") throw new TypeError(`${where}(): hook must be a function, got ${hook === null ? "null" : typeof hook}`);
    if (this._state_hooks === undefined) {
      hidden(this, "_state_hooks", { sd_pre: new Map(), sd_post: new Map(), load_pre: new Map(), load_post: new Map() });
    }
    const map = this._state_hooks![kind] as Map<number, unknown>;
    const handle = new RemovableHandle(map);
    map.set(handle.id, hook);
    return handle;
  }

  /** `hook(module, prefix, keep_vars)` before this module's state_dict entries are collected (PyTorch's register_state_dict_pre_hook). */
  register_state_dict_pre_hook(hook: (module: Module, prefix: string, keep_vars: boolean) => void): RemovableHandle {
    return this._state_hook("sd_pre", hook, "register_state_dict_pre_hook");
  }

  /**
   * `hook(module, state_dict, prefix, local_metadata)` after this module's entries (and its
   * children's) are in `state_dict`; it may change that dict in place and must return nothing
   * (PyTorch's register_state_dict_post_hook).
   */
  register_state_dict_post_hook(hook: (module: Module, state_dict: StateDict, prefix: string, local_metadata: { version?: number }) => void): RemovableHandle {
    return this._state_hook("sd_post", hook, "register_state_dict_post_hook");
  }

  /**
   * `hook(module, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
   * error_msgs)` before load_state_dict checks this module's keys: it may change `state_dict` (a
   * copy of the checkpoint: its keys under this module's prefix) in place, e.g. rename old keys
   * (PyTorch's register_load_state_dict_pre_hook).
   */
  register_load_state_dict_pre_hook(hook: LoadStateDictPreHook): RemovableHandle {
    return this._state_hook("load_pre", hook, "register_load_state_dict_pre_hook");
  }

  /**
   * `hook(module, incompatible_keys)` after load_state_dict found the missing and unexpected
   * keys, before strict checks them: emptying `incompatible_keys.missing_keys` or
   * `.unexpected_keys` in place lets a strict load through (PyTorch's
   * register_load_state_dict_post_hook). It must return nothing.
   */
  register_load_state_dict_post_hook(hook: (module: Module, incompatible_keys: IncompatibleKeys) => void): RemovableHandle {
    return this._state_hook("load_post", hook, "register_load_state_dict_post_hook");
  }

  /**
   * The version of this module's state_dict layout (PyTorch's class attribute `_version`): 1, or 2
   * for BatchNorm and InstanceNorm (which added `num_batches_tracked`). Recorded in
   * `state_dict()._metadata`.
   */
  get _version(): number {
    return 1;
  }

  /**
   * Before load_state_dict checks the keys: adds to `sd` (a copy of the checkpoint) what a
   * checkpoint of an older `version` of this module lacks (PyTorch does it in
   * `_load_from_state_dict`). `prefix` is this module's path with its dot ("0.", or ""); `version`
   * is undefined when the checkpoint has no `_metadata` (a dict built by hand, an old checkpoint).
   * Nothing by default.
   */
  _upgrade_state_dict(_sd: Map<string, unknown>, _prefix: string, _version: number | undefined): void {}

  /**
   * state_dict's [key, tensor] entries in order (an array: an object would list integer-like keys
   * first; load_state_dict's own reads need no KeyError either).
   */
  private _state_entries(prefix: string, keep_vars: boolean): [string, Tensor][] {
    const sd: [string, Tensor][] = [];
    const visit = (m: Module, pre: string): void => {
      for (const [n, p] of m._own_parameters()) sd.push([pre + n, keep_vars ? p : detachShared(p)]);
      for (const [n, b, persistent] of m._own_buffers()) {
        if (persistent) sd.push([pre + n, keep_vars ? b : detachShared(b)]);
      }
      for (const [n, c] of m._own_children()) visit(c, `${pre}${n}.`);
    };
    visit(this, prefix);
    return sd;
  }

  /**
   * Copies tensors from `state_dict` into this module's parameters and buffers. With
   * `strict` (default) missing or unexpected keys raise PyTorch's error; shapes must match.
   * `load_state_dict(sd, false)` or `{ strict: false }` is non-strict. With `assign` (PyTorch's
   * `assign=True`) the checkpoint's tensors themselves take the places of the module's (a tensor
   * becomes a Parameter where a parameter was, keeping the module's requires_grad; its dtype is
   * the checkpoint's), instead of their values being copied in.
   */
  load_state_dict(state_dict: StateDict, strict?: boolean, assign?: boolean): IncompatibleKeys;
  load_state_dict(state_dict: StateDict, options?: { strict?: boolean; assign?: boolean }): IncompatibleKeys;
  load_state_dict(state_dict: StateDict, strict: boolean, options: { assign?: boolean }): IncompatibleKeys;
  load_state_dict(state_dict: StateDict, ...args: unknown[]): IncompatibleKeys {
    const { strict = true, assign = false } = nnArgs("Module.load_state_dict", "Module", args) as { strict?: boolean; assign?: boolean };
    // PyTorch takes any Mapping; an array (or a Map, whose entries are not its fields) is not one here
    if (state_dict === null || typeof state_dict !== "object" || Array.isArray(state_dict) || state_dict instanceof Map || state_dict instanceof Tensor) {
      throw TypeError_(`Expected state_dict to be dict-like, got <class '${typename(state_dict)}'>.`);
    }
    const slots = this._state_slots();
    const own = slots.map(([k, , , t]) => [k, t] as [string, Tensor]);
    const setters = assign ? new Map(slots.map(([k, owner, name]) => [k, (v: Tensor) => owner._assign_member(name, v)])) : undefined;
    return loadStateDict(this, state_dict, strict, own, setters);
  }

  /** [key, owning module, its own name there, tensor] for each entry of state_dict() (load_state_dict's assign). */
  private _state_slots(): [string, Module, string, Tensor][] {
    const out: [string, Module, string, Tensor][] = [];
    const visit = (m: Module, pre: string): void => {
      for (const [n, p] of m._own_parameters()) out.push([pre + n, m, n, p]);
      for (const [n, b, persistent] of m._own_buffers()) if (persistent) out.push([pre + n, m, n, b]);
      for (const [n, c] of m._own_children()) visit(c, `${pre}${n}.`);
    };
    visit(this, "");
    return out;
  }

  /**
   * Puts `value` in the place of the own parameter or buffer `name` (load_state_dict's assign):
   * where a Parameter was, a plain tensor becomes a Parameter sharing its storage, with the old
   * one's requires_grad, as PyTorch's. `name` may be an array field's item ("heads.1").
   */
  private _assign_member(name: string, value: Tensor): void {
    const dot = name.indexOf(".");
    const holder: any = dot < 0 ? this : (this as any)[name.slice(0, dot)];
    const key = dot < 0 ? name : name.slice(dot + 1);
    const old = holder[key];
    if (old instanceof Parameter) {
      if (value instanceof Parameter) value.requires_grad = old.requires_grad;
      else value = new Parameter(value, old.requires_grad);
    }
    holder[key] = value;
  }

  // ---------------------------------------------------------------- printing

  _get_name(): string {
    return this.constructor.name;
  }

  /** The text inside the parentheses of this module's printout (layers override it). */
  extra_repr(): string {
    return "";
  }

  /** PyTorch's module printout: `Net(\n  (fc): Linear(in_features=10, ...)\n)`. */
  toString(): string {
    const extra = this.extra_repr();
    const extraLines = extra ? extra.split("\n") : [];
    const childLines = this._print_children().map(
      ([key, m]) => `(${key}): ${addIndent(Array.isArray(m) ? moduleListRepr("ModuleList", m) : m.toString(), 2)}`,
    );
    const lines = [...extraLines, ...childLines];
    let s = `${this._get_name()}(`;
    if (lines.length > 0) {
      if (extraLines.length === 1 && childLines.length === 0) s += extraLines[0];
      else s += `\n  ${lines.join("\n  ")}\n`;
    }
    return `${s})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

// Module.call: a prototype method (non-enumerable, as a class method), typed `this["forward"]` in
// the class so every module's `call` has its own forward's parameters and result.
Object.defineProperty(Module.prototype, "call", {
  value: function call(this: Module, ...args: any[]): any {
    return this.forward(...args);
  },
  writable: true,
  enumerable: false,
  configurable: true,
});

/** `named_modules`' keyword options. */
export interface NamedModulesOptions {
  memo?: Set<Module> | null;
  prefix?: string;
  remove_duplicate?: boolean;
}

/** `register_load_state_dict_pre_hook`'s hook (PyTorch's arguments, after `module`). */
export type LoadStateDictPreHook = (
  module: Module,
  state_dict: Record<string, unknown>,
  prefix: string,
  local_metadata: { version?: number },
  strict: boolean,
  missing_keys: string[],
  unexpected_keys: string[],
  error_msgs: string[],
) => void;

/** A module's state_dict / load_state_dict hooks by handle id. */
export interface StateHooks {
  sd_pre: Map<number, (module: Module, prefix: string, keep_vars: boolean) => void>;
  sd_post: Map<number, (module: Module, state_dict: StateDict, prefix: string, local_metadata: { version?: number }) => unknown>;
  load_pre: Map<number, LoadStateDictPreHook>;
  load_post: Map<number, (module: Module, incompatible_keys: IncompatibleKeys) => unknown>;
}

export interface MemberOptions {
  prefix?: string;
  recurse?: boolean;
  remove_duplicate?: boolean;
}

function memberOptions(prefix: string | MemberOptions, recurse: boolean, remove_duplicate: boolean): Required<MemberOptions> {
  if (typeof prefix === "object" && prefix !== null) {
    return { prefix: prefix.prefix ?? "", recurse: prefix.recurse ?? true, remove_duplicate: prefix.remove_duplicate ?? true };
  }
  return { prefix, recurse, remove_duplicate };
}

/** `Module.to`'s keyword options (PyTorch's `non_blocking` and `copy` change nothing on the CPU). */
export interface ModuleToOptions {
  device?: "cpu" | Device | string | null;
  dtype?: DType | null;
  non_blocking?: boolean;
  copy?: boolean;
}

/** The dtype `Module.to(...args)` converts to (undefined: none), after PyTorch's `_parse_to` (tensor/to_args.ts) and checks. */
function moduleToDtype(args: unknown[]): DType | undefined {
  const { device, dtype } = readToForms(args, "Module.to");
  if (device !== undefined && device !== null && !(device instanceof Device)) {
    const type = typeof device === "object" ? (device as { type?: unknown }).type : device;
    if (typeof type !== "string" || !/^cpu(:\d+)?$/.test(type)) throw new Error(`lrlab runs on the CPU only; got device ${String(type)}`);
  }
  if (dtype === undefined || dtype === null) return undefined;
  // lrlab's dtypes by any of their names ("double", "torch.float64"); PyTorch's others as given
  const d = typeof dtype === "string" && isLrlabDtype(dtype) ? check_dtype(dtype) : dtype;
  if (d === "float32" || d === "float64") return d;
  if (d === "int64" || d === "bool" || (typeof d === "string" && /^(torch\.)?(u?int|short|long)/.test(d))) {
    throw TypeError_(`nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=torch.${String(d).replace(/^torch\./, "")}`);
  }
  throw TypeError_(`nn.Module.to: dtype ${String(d)} is not in lrlab (its floating point dtypes are float32 and float64)`);
}

/** A tensor sharing `t`'s storage (and version counter), detached from autograd (state_dict's default). */
function detachShared(t: Tensor): Tensor {
  return share_version(new Tensor(t.data, t.shape, t.dtype, false), t);
}

/** Indents every line but the first by `n` spaces (PyTorch's `_addindent`). */
export function addIndent(s: string, n: number): string {
  const lines = s.split("\n");
  if (lines.length === 1) return s;
  const pad = " ".repeat(n);
  return [lines[0], ...lines.slice(1).map((l) => pad + l)].join("\n");
}

/** ModuleList's printout, folding runs of identical items: "(0-2): 3 x Linear(...)". */
export function moduleListRepr(name: string, items: readonly Module[]): string {
  if (items.length === 0) return `${name}()`;
  const reprs = items.map((m) => m.toString());
  const blocks: { start: number; end: number; repr: string }[] = [];
  reprs.forEach((r, i) => {
    const last = blocks[blocks.length - 1];
    if (last && last.repr === r) last.end = i;
    else blocks.push({ start: i, end: i, repr: r });
  });
  const lines = blocks.map(({ start, end, repr }) =>
    addIndent(start === end ? `(${start}): ${repr}` : `(${start}-${end}): ${end - start + 1} x ${repr}`, 2),
  );
  return `${name}(\n  ${lines.join("\n  ")}\n)`;
}
