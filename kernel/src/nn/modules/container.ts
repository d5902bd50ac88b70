/**
 * Containers: nn.Sequential (children run in order) and nn.ModuleList (an indexable list of
 * modules). Children are own fields named "0", "1", ... (or the keys of the record given to
 * Sequential), so the generic discovery of Module finds them, and `seq[0]` works too.
 */
import { Module, moduleListRepr } from "../module";
import type { Tensor } from "../../tensor/tensor";
import { NotImplementedError, TypeError_ } from "../../errors";
import { typename } from "../typename";

/** `m`, or add_module's TypeError ("int is not a Module subclass", PyTorch's words). */
function checkModule(m: unknown): Module {
  if (!(m instanceof Module)) throw TypeError_(`${typename(m)} is not a Module subclass`);
  return m;
}

abstract class IndexedModules extends Module {
  /** `seq[0]` works as in Python (children are the own fields "0", "1", ...); a Module (`ModuleList<T>`: a T). */
  [index: number]: Module;

  /** Number of children (a module held twice counts twice, as Python's len). */
  get length(): number {
    return this._own_children().length;
  }

  /**
   * The child at `idx` (negative counts from the end), with PyTorch's IndexError text. A Module;
   * name the class you know it is to get its own members: `seq.get<nn.BatchNorm1d>(1).momentum`
   * (a cast, not checked at run time).
   */
  get<M extends Module = Module>(idx: number): M {
    const items = this._items();
    const n = items.length;
    if (!Number.isInteger(idx) || idx < -n || idx >= n) throw new RangeError(`index ${idx} is out of range`);
    return items[idx < 0 ? idx + n : idx] as M;
  }

  protected _items(): Module[] {
    return this._own_children().map(([, m]) => m);
  }

  [Symbol.iterator](): Iterator<Module> {
    return this._items()[Symbol.iterator]();
  }

  /** Adds `module` at the end; returns this. */
  append(module: Module): this {
    this.add_module(String(this._own_children().length), checkModule(module));
    return this;
  }

  /** Appends every module of `modules` (an array, another container); returns this. */
  extend(modules: Iterable<Module>): this {
    if (modules === null || typeof modules !== "object" || !(Symbol.iterator in modules)) {
      throw TypeError_(`${this._get_name()}.extend should be called with an iterable, but got ${typename(modules)}`);
    }
    for (const m of modules) this.append(m);
    return this;
  }

  /** Inserts `module` before index `index` (Python's list.insert: clamped), renumbering the children after it. */
  insert(index: number, module: Module): unknown {
    checkModule(module);
    const items = this._items();
    const n = items.length;
    let i = index < 0 ? index + n : index;
    i = Math.max(0, Math.min(n, i));
    items.splice(i, 0, module);
    this._reset(items);
    return undefined;
  }

  /**
   * Python's `container[start:end]`: a new container of the same class holding the children from
   * `start` up to (not including) `end`, with Array.prototype.slice's rules (negative counts from
   * the end, `end` omitted: to the end). The modules are the same objects, not copies.
   */
  slice(start?: number, end?: number): this {
    const ctor = this.constructor as new (...a: any[]) => this;
    return this._sliced(ctor, this._own_children().slice(start, end));
  }

  protected abstract _sliced(ctor: new (...a: any[]) => this, children: [string, Module][]): this;

  /** Removes and returns the child at `index`. */
  pop(index = -1): Module {
    const m = this.get(index);
    const items = this._items();
    items.splice(index < 0 ? index + items.length : index, 1);
    this._reset(items);
    return m;
  }

  protected _reset(items: Module[]): void {
    for (const [key] of this._own_children()) delete (this as any)[key];
    items.forEach((m, j) => this.add_module(String(j), m));
  }
}

/**
 * Runs its children in order, each one's output the next one's input (PyTorch's nn.Sequential).
 * Typed `forward(input: Tensor): Tensor`, the common case. When the children take or return
 * something else (an LSTM last returns `[output, [h, c]]`), say so in the type arguments:
 * `new nn.Sequential<Tensor, [Tensor, [Tensor, Tensor]]>(emb, lstm)`; they are not checked
 * against the children, which are only known to be Modules.
 */
export class Sequential<In = Tensor, Out = Tensor> extends IndexedModules {
  /** `new Sequential(a, b, c)` or `new Sequential({ fc1: a, act: b })` (PyTorch's OrderedDict form). */
  constructor(...args: Module[] | [Record<string, Module>]) {
    super();
    if (args.length === 1 && !(args[0] instanceof Module) && typeof args[0] === "object" && args[0] !== null) {
      for (const [k, m] of Object.entries(args[0] as Record<string, Module>)) this.add_module(k, checkModule(m));
    } else {
      (args as Module[]).forEach((m, i) => this.add_module(String(i), checkModule(m)));
    }
  }

  /**
   * Inserts `module` at `index` (negative counts from the end), renumbering the children after
   * it; returns this. An index outside [-len, len] is PyTorch's IndexError.
   */
  override insert(index: number, module: Module): this {
    checkModule(module);
    const n = this.length;
    if (!Number.isInteger(index) || index < -n || index > n) throw new RangeError(`Index out of range: ${index}`);
    super.insert(index, module);
    return this;
  }

  /** `seq[a:b]` keeps the children's names (PyTorch builds the slice from an OrderedDict). */
  protected override _sliced(ctor: new (...a: any[]) => this, children: [string, Module][]): this {
    const out = new ctor();
    for (const [k, m] of children) out.add_module(k, m);
    return out;
  }

  /** Feeds the input through each child in turn (each child's `call`, so its hooks run). */
  override forward(input: In): Out {
    let x: unknown = input;
    for (const m of this._items()) x = m.call(x);
    return x as Out;
  }
}

export class ModuleList<T extends Module = Module> extends IndexedModules {
  /** Its modules by position; typed by what it holds (`ModuleList<Linear>`), so completion works on `list[0].` */
  [index: number]: T;

  constructor(modules: Iterable<T> = []) {
    super();
    let i = 0;
    for (const m of modules) this.add_module(String(i++), checkModule(m));
  }

  /** Inserts `module` before index `index` (Python's list.insert: clamped), renumbering the children after it. */
  override insert(index: number, module: Module): void {
    super.insert(index, module);
  }

  protected override _sliced(ctor: new (...a: any[]) => this, children: [string, Module][]): this {
    return new ctor(children.map(([, m]) => m));
  }

  /** The item at `idx` (negative counts from the end): a T. */
  override get<M extends Module = T>(idx: number): M {
    return super.get<M>(idx);
  }

  /**
   * Not callable (PyTorch's ModuleList has no forward): throws PyTorch's NotImplementedError.
   * Iterate over the list in your own module's forward().
   */
  override forward(): never {
    throw NotImplementedError(`Module [${this._get_name()}] is missing the required "forward" function (a ModuleList is not callable: iterate over it in your module's forward())`);
  }

  override toString(): string {
    return moduleListRepr(this._get_name(), this._items());
  }
}
