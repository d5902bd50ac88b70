/**
 * Keyed and parameter containers: nn.ModuleDict (modules by name), nn.ParameterList (parameters
 * by position) and nn.ParameterDict (parameters by name), with PyTorch's methods, names in
 * `parameters()`/`state_dict()` ("0", "1", ... for a list, the keys for a dict, prefixed by the
 * field holding the container) and reprs.
 *
 * Items are own fields of the container (so `md.fc`, `pd.w`, `pl[0]` read them as in Python) and
 * a hidden list keeps the keys in insertion order (a JS object would put integer-like keys such as
 * "2" first). Python's operators map to methods: `d[k]` → `get(k)` (or the field), `d[k] = v` →
 * `set(k, v)`, `del d[k]` → `delete(k)`, `k in d` → `has(k)` (JS's own `in` also sees methods),
 * `len(d)` → `d.length`; `for (const k of d)` iterates keys (dicts) or values (ParameterList).
 * A plain object given to ParameterDict is taken in sorted key order, as PyTorch sorts a plain
 * dict; a Map or an array of [key, value] pairs keeps its order (PyTorch's OrderedDict / pairs).
 */
import { Tensor } from "../../tensor/tensor";
import { Module } from "../module";
import { Parameter } from "../parameter";
import { TENSOR_TYPE_NAME } from "../../tensor/dtype";

/** Python's exception kinds: the `name` makes a stack trace read `KeyError: ...` (still an Error). */
function named(name: string, message: string, ctor: ErrorConstructor = Error): Error {
  const e = new ctor(message);
  e.name = name;
  return e;
}
const KeyError = (m: string): Error => named("KeyError", m);
const ValueError = (m: string): Error => named("ValueError", m);
const TypeError_ = (m: string): Error => named("TypeError", m, TypeError);

function hidden(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: false, configurable: true });
}

/** Python's type name of a JS value (for messages and "Object of type: ..."). */
function pyType(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string") return "str";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "list";
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}

/** The [key, value] pairs of a dict-like argument; `sortPlain` sorts a plain object's keys (PyTorch's ParameterDict). */
function pairsOf(values: unknown, where: string, kind: string, sortPlain: boolean): [unknown, unknown][] {
  if (values instanceof Map) return [...values.entries()];
  if (values instanceof ModuleDict || values instanceof ParameterDict) return values.items() as [unknown, unknown][];
  if (values !== null && typeof values === "object" && !(Symbol.iterator in values) && !(values instanceof Module) && !(values instanceof Tensor)) {
    const keys = Object.keys(values);
    if (sortPlain) keys.sort();
    return keys.map((k) => [k, (values as Record<string, unknown>)[k]]);
  }
  if (values === null || typeof values !== "object" || !(Symbol.iterator in values) || typeof values === "string") {
    throw TypeError_(`${where}.update should be called with an iterable of key/value pairs, but got ${pyType(values)}`);
  }
  const out: [unknown, unknown][] = [];
  let j = 0;
  for (const kv of values as Iterable<unknown>) {
    if (!Array.isArray(kv)) throw TypeError_(`${kind} update sequence element #${j} should be Iterable; is${pyType(kv)}`);
    if (kv.length !== 2) throw ValueError(`${kind} update sequence element #${j} has length ${kv.length}; 2 is required`);
    out.push([kv[0], kv[1]]);
    j++;
  }
  return out;
}

// ---------------------------------------------------------------- ModuleDict

/**
 * nn.ModuleDict: submodules by name, in insertion order, registered like fields (their
 * parameters are named "key.weight", ...). `new ModuleDict({ fc: new Linear(2, 3) })`, a Map, or
 * an array of [name, module] pairs. Not callable: index it in your forward().
 */
export class ModuleDict<T extends Module = Module> extends Module {
  /** Its modules by name (`md.fc`), as Python's attribute access. */
  [key: string]: any;
  declare private _dict_keys: string[];

  /**
   * From [name, module] pairs (kept in order), a record, a Map or a ModuleDict. A record lists
   * integer-like names ("0", "2") first, whatever order they were written in (JavaScript's object
   * order): give pairs or a Map when such names mix with others. (Typed with
   * Module, not T, so that mixed modules do not make TypeScript infer T from the first one; give
   * T explicitly, `new ModuleDict<Linear>(...)`, for typed items.)
   */
  constructor(modules?: Iterable<readonly [string, Module]> | null);
  constructor(modules?: Record<string, Module> | Map<string, Module> | ModuleDict<Module> | null);
  constructor(modules?: Record<string, Module> | Map<string, Module> | Iterable<readonly [string, Module]> | ModuleDict<Module> | null) {
    super();
    hidden(this, "_dict_keys", []);
    if (modules !== undefined && modules !== null) this.update(modules as Record<string, T>);
  }

  /** `md[key]`: the module under `key`, or PyTorch's KeyError. */
  get(key: string): T {
    if (!this.has(key)) throw KeyError(`'${key}'`);
    return (this as any)[key] as T;
  }

  /** `md[key] = module`: adds or replaces `key`, with add_module's checks on the name. */
  set(key: string, module: T | null): void {
    if (typeof key !== "string") throw TypeError_(`module name should be a string. Got ${pyType(key)}`);
    if (!this._dict_keys.includes(key) && key in this) throw KeyError(`attribute '${key}' already exists`);
    this.add_module(key, module);
    if (!this._dict_keys.includes(key)) this._dict_keys.push(key);
  }

  /** `del md[key]`. */
  delete(key: string): void {
    this.pop(key);
  }

  /** `key in md`. */
  has(key: string): boolean {
    return this._dict_keys.includes(key);
  }

  /** `len(md)`. */
  get length(): number {
    return this._dict_keys.length;
  }

  /** Removes `key` and returns its module (KeyError if absent). */
  pop(key: string): T {
    const m = this.get(key);
    this._dict_keys.splice(this._dict_keys.indexOf(key), 1);
    delete (this as any)[key];
    return m;
  }

  /** Removes every module. */
  clear(): void {
    for (const k of [...this._dict_keys]) this.pop(k);
  }

  keys(): string[] {
    return [...this._dict_keys];
  }

  values(): T[] {
    return this._dict_keys.map((k) => (this as any)[k] as T);
  }

  items(): [string, T][] {
    return this._dict_keys.map((k) => [k, (this as any)[k] as T]);
  }

  /** Adds or replaces from a record, a Map, a ModuleDict or [name, module] pairs, in their order. */
  update(modules: Iterable<readonly [string, T]>): void;
  update(modules: Record<string, T> | Map<string, T> | ModuleDict<T>): void;
  update(modules: Record<string, T> | Map<string, T> | Iterable<readonly [string, T]> | ModuleDict<T>): void {
    for (const [k, m] of pairsOf(modules, "ModuleDict", "ModuleDict", false)) {
      if (!(m instanceof Module) && m !== null) throw TypeError_(`${pyType(m)} is not a Module subclass`);
      this.set(k as string, m as T | null);
    }
  }

  /** Iterates the keys, as Python's `for k in md`. */
  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }

  protected override _own_children(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const k of this._dict_keys) {
      const m = (this as any)[k];
      if (m instanceof Module) out.push([k, m]);
    }
    return out;
  }

  protected override _print_children(): [string, Module | Module[]][] {
    return this._own_children();
  }
  /**
   * Not callable (PyTorch's ModuleDict has no forward): throws, as Module's does. Look its modules up by key
   * in your own module's forward().
   */
  override forward(...args: any[]): any {
    return super.forward(...args);
  }
}

// ---------------------------------------------------------------- ParameterList

/** "[torch.float32 of size 2x3]" lines of the parameter containers' reprs. */
function paramLine(key: string, v: unknown, typeName: (t: Tensor) => string): string {
  if (v instanceof Tensor) {
    return `  (${key}): ${v instanceof Parameter ? "Parameter" : "Tensor"} containing: [${typeName(v)} of size ${v.shape.join("x")}]`;
  }
  return `  (${key}): Object of type: ${pyType(v)}`;
}

/** A tensor becomes a Parameter (sharing its storage), as PyTorch's containers wrap them. */
function asParameter(v: unknown): unknown {
  return v instanceof Tensor && !(v instanceof Parameter) ? new Parameter(v) : v;
}

/**
 * nn.ParameterList: parameters by position, named "0", "1", ... in `parameters()` and
 * `state_dict()`. Tensors given to it become Parameters (requiring grad); other values are kept
 * as they are (and printed as "Object of type: ..."), as in PyTorch.
 */
export class ParameterList extends Module {
  /** Its parameters by position (`pl[0]`), as Python's indexing. */
  [index: number]: Parameter;
  declare private _size: number;

  constructor(values?: Iterable<unknown> | null) {
    super();
    hidden(this, "_size", 0);
    if (values !== undefined && values !== null) this.extend(values);
  }

  /** `len(pl)`. */
  get length(): number {
    return this._size;
  }

  private _index(idx: number): number {
    const n = this._size;
    if (!Number.isInteger(idx) || idx < -n || idx >= n) throw new RangeError(`index ${idx} is out of range`);
    return idx < 0 ? idx + n : idx;
  }

  /** `pl[idx]` (negative counts from the end), with PyTorch's IndexError text. */
  get(idx: number): Parameter {
    return (this as any)[String(this._index(idx))];
  }

  /** `pl[idx] = value`: a tensor becomes a Parameter. */
  set(idx: number, value: unknown): void {
    (this as any)[String(this._index(idx))] = asParameter(value);
  }

  /** Adds `value` at the end (a tensor becomes a Parameter); returns this. */
  append(value: unknown): this {
    const i = this._size;
    this._size = i + 1;
    (this as any)[String(i)] = asParameter(value);
    return this;
  }

  /** Appends every value of `values`; returns this. */
  extend(values: Iterable<unknown>): this {
    // a Tensor is iterable (its rows) but not a list of parameters: PyTorch refuses it by name
    if (values === null || typeof values !== "object" || !(Symbol.iterator in values) || values instanceof Tensor) {
      throw TypeError_(`ParameterList.extend should be called with an iterable, but got ${pyType(values)}`);
    }
    for (const v of values) this.append(v);
    return this;
  }

  /** Iterates the values, as Python's `for p in pl`. */
  [Symbol.iterator](): Iterator<Parameter> {
    const items: Parameter[] = [];
    for (let i = 0; i < this._size; i++) items.push((this as any)[String(i)]);
    return items[Symbol.iterator]();
  }

  /**
   * Not callable: throws RuntimeError "ParameterList should not be called.", as PyTorch. Use its parameters in
   * your own module's forward().
   */
  override forward(): never {
    throw named("RuntimeError", "ParameterList should not be called.");
  }

  override extra_repr(): string {
    const lines: string[] = [];
    for (let i = 0; i < this._size; i++) lines.push(paramLine(String(i), (this as any)[String(i)], (t) => `torch.${t.dtype}`));
    return lines.join("\n");
  }
}

// ---------------------------------------------------------------- ParameterDict

/**
 * nn.ParameterDict: parameters by name, in insertion order (a plain object given to it is sorted
 * by key, as PyTorch sorts a plain dict), named by their keys in `parameters()` and
 * `state_dict()`. Tensors become Parameters; other values are kept as they are. `get(key,
 * default)` is Python's (no error); read a parameter as `pd.key`, or `pd.get(key)`.
 */
export class ParameterDict extends Module {
  /** Its parameters by name (`pd.w`), as Python's attribute access. */
  [key: string]: any;
  declare private _dict_keys: string[];

  /** From [key, value] pairs (kept in order), a record (sorted by key), a Map or a ParameterDict. */
  constructor(parameters?: Iterable<readonly [string, unknown]> | null);
  constructor(parameters?: Record<string, unknown> | Map<string, unknown> | ParameterDict | null);
  constructor(parameters?: Record<string, unknown> | Map<string, unknown> | Iterable<readonly [string, unknown]> | ParameterDict | null) {
    super();
    hidden(this, "_dict_keys", []);
    if (parameters !== undefined && parameters !== null) this.update(parameters as Record<string, unknown>);
  }

  private _missing(key: string): Error {
    return named("AttributeError", `'${this._get_name()}' object has no attribute '${key}'`);
  }

  /** `pd[key] = value`: adds or replaces `key` (a tensor becomes a Parameter). */
  set(key: string, value: unknown): void {
    if (typeof key !== "string") {
      throw TypeError_(`Index given to ParameterDict cannot be used as a key as it is not a string (type is '${pyType(key)}'). Open an issue on github if you need non-string keys.`);
    }
    if (key === "") throw KeyError(`parameter name can't be empty string ""`);
    if (key.includes(".")) throw KeyError(`parameter name can't contain "."`);
    // PyTorch lets a few names through here (e.g. "training"); lrlab refuses every name that is
    // already an attribute, since replacing it would break the module.
    if (!this._dict_keys.includes(key) && key in this) throw KeyError(`attribute '${key}' already exists`);
    (this as any)[key] = asParameter(value);
    if (!this._dict_keys.includes(key)) this._dict_keys.push(key);
  }

  /** Python's `pd.get(key, default = None)`: the value, or `default_` when `key` is absent. */
  get(key: string, default_: unknown = null): any {
    return this.has(key) ? (this as any)[key] : default_;
  }

  /** `del pd[key]` (KeyError if absent). */
  delete(key: string): void {
    if (!this.has(key)) throw KeyError(`'${key}'`);
    this.pop(key);
  }

  /** `key in pd`. */
  has(key: string): boolean {
    return this._dict_keys.includes(key);
  }

  /** `len(pd)`. */
  get length(): number {
    return this._dict_keys.length;
  }

  /** Removes `key` and returns its value. */
  pop(key: string): any {
    if (!this.has(key)) throw this._missing(key);
    const v = (this as any)[key];
    this._dict_keys.splice(this._dict_keys.indexOf(key), 1);
    delete (this as any)[key];
    return v;
  }

  /** Removes and returns the last inserted [key, value]. */
  popitem(): [string, any] {
    if (this._dict_keys.length === 0) throw KeyError("'popitem(): dictionary is empty'");
    const k = this._dict_keys[this._dict_keys.length - 1];
    return [k, this.pop(k)];
  }

  /** The value of `key`, first setting it to `default_` if absent. */
  setdefault(key: string, default_: unknown = null): any {
    if (!this.has(key)) this.set(key, default_);
    return (this as any)[key];
  }

  /** Removes every entry. */
  clear(): void {
    for (const k of [...this._dict_keys]) this.pop(k);
  }

  /** A new ParameterDict holding the same parameters (not copies of them). */
  copy(): ParameterDict {
    return new ParameterDict(this.items());
  }

  /** A new ParameterDict with each of `keys` set to `default_`. */
  fromkeys(keys: Iterable<string>, default_: unknown = null): ParameterDict {
    return new ParameterDict([...keys].map((k) => [k, default_] as [string, unknown]));
  }

  keys(): string[] {
    return [...this._dict_keys];
  }

  values(): any[] {
    return this._dict_keys.map((k) => (this as any)[k]);
  }

  items(): [string, any][] {
    return this._dict_keys.map((k) => [k, (this as any)[k]]);
  }

  /** Adds or replaces from a record (sorted by key), a Map, a ParameterDict or [key, value] pairs (in their order). */
  update(parameters: Iterable<readonly [string, unknown]>): void;
  update(parameters: Record<string, unknown> | Map<string, unknown> | ParameterDict): void;
  update(parameters: Record<string, unknown> | Map<string, unknown> | Iterable<readonly [string, unknown]> | ParameterDict): void {
    for (const [k, v] of pairsOf(parameters, "ParametersDict", "ParameterDict", true)) this.set(k as string, v);
  }

  /** Iterates the keys, as Python's `for k in pd`. */
  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }

  /**
   * Not callable: throws RuntimeError "ParameterDict should not be called.", as PyTorch. Use its parameters in
   * your own module's forward().
   */
  override forward(): never {
    throw named("RuntimeError", "ParameterDict should not be called.");
  }

  protected override _own_parameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const k of this._dict_keys) {
      const v = (this as any)[k];
      if (v instanceof Parameter) out.push([k, v]);
    }
    return out;
  }

  override extra_repr(): string {
    return this._dict_keys.map((k) => paramLine(k, (this as any)[k], (t) => TENSOR_TYPE_NAME[t.dtype])).join("\n");
  }
}

