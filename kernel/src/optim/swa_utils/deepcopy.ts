/**
 * `copy.deepcopy(model)` for lrlab modules: what AveragedModel keeps its average in.
 *
 * Python deep-copies any object through its `__dict__`; the JavaScript equivalent here makes an
 * object with the same prototype (so the copy is an instance of the user's own class, with its
 * methods: `forward`, `extra_repr`, ...) and copies every own property, enumerable or not:
 *
 * - tensors and parameters get storage of their own (values, shape, dtype, requires_grad and
 *   `.grad` copied; a Parameter stays a Parameter), as PyTorch's `Tensor.__deepcopy__`;
 * - submodules, arrays, plain objects, Map and Set are copied recursively;
 * - numbers, strings, booleans, and functions (hooks, activation functions stored in fields) are
 *   kept as they are (Python's deepcopy shares functions too);
 * - an object reached twice (a parameter shared by two layers, a cycle) is copied once, and the
 *   copies share it as the originals did (deepcopy's memo).
 *
 * What cannot be copied this way is refused before anything is copied, with an error naming the
 * field (Python has no equivalent of the first two, so PyTorch has no such error):
 *
 * - a field holding an arrow function (or a bound function) that uses `this`, e.g.
 *   `forward = (x) => this.fc.forward(x)`: `this` stays bound to the original module, so the copy
 *   would compute with the original's parameters. Write it as a method, `forward(x) { ... }`;
 * - a class with JavaScript private members (`#field`): an object made from the prototype has no
 *   private slots, and no code outside the class can copy them. Use ordinary (or TypeScript
 *   `private`) fields;
 * - a tensor that is not a graph leaf (the result of an op that recorded autograd history), with
 *   PyTorch's own error; WeakMap, WeakSet, WeakRef and Promise values, which have nothing to copy.
 */
import { Tensor } from "../../tensor/tensor";
import { VersionCounter } from "../../tensor/version";
import { Module } from "../../nn/module";
import { RuntimeError, TypeError_ } from "../lr_scheduler/errors";

/** A deep copy of `model` (see the module comment), or an error saying why it cannot be made. */
export function deepcopy_module<M extends Module>(model: M, who: string): M {
  checkCopyable(model, who);
  return copyValue(model, new Map(), "model") as M;
}

/** Field paths as the user wrote them: `model.fc.weight`, `model.layers.0`. */
function fieldPath(root: string, key: PropertyKey): string {
  return `${root}.${typeof key === "symbol" ? key.toString() : key}`;
}

function copyValue(value: unknown, memo: Map<object, unknown>, path: string): unknown {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return value;
  if (typeof value === "function") return value;
  const obj = value as object;
  if (memo.has(obj)) return memo.get(obj);
  if (obj instanceof Tensor && obj.grad_fn !== null) {
    throw RuntimeError(
      `Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the moment. ` +
        `(${path} holds the result of an operation with autograd history; store a leaf tensor, e.g. t.detach(), ` +
        "or compute it in forward)",
    );
  }
  if (obj instanceof VersionCounter) {
    // a copied tensor starts at version 0, as PyTorch's deepcopy (the copies of tensors that
    // shared a counter share the new one: the memo)
    const copy = new VersionCounter();
    memo.set(obj, copy);
    return copy;
  }
  if (ArrayBuffer.isView(obj)) {
    if (obj instanceof DataView) {
      const copy = new DataView(obj.buffer.slice(obj.byteOffset, obj.byteOffset + obj.byteLength));
      memo.set(obj, copy);
      return copy;
    }
    const copy = (obj as unknown as { slice(): object }).slice(); // fresh storage of the same type
    memo.set(obj, copy);
    return copy;
  }
  if (obj instanceof ArrayBuffer) {
    const copy = obj.slice(0);
    memo.set(obj, copy);
    return copy;
  }
  if (obj instanceof WeakMap || obj instanceof WeakSet || obj instanceof WeakRef || obj instanceof Promise) {
    throw TypeError_(`cannot deep-copy ${path}: a ${obj.constructor.name} has no contents that can be copied`);
  }
  if (obj instanceof Date) {
    const copy = new Date(obj.getTime());
    memo.set(obj, copy);
    return copy;
  }
  if (obj instanceof RegExp) return obj; // immutable in practice (lastIndex aside); Python shares re patterns too
  if (obj instanceof Map) {
    const copy = new Map();
    memo.set(obj, copy);
    for (const [k, v] of obj) copy.set(copyValue(k, memo, `${path}[key]`), copyValue(v, memo, `${path}[${String(k)}]`));
    return copy;
  }
  if (obj instanceof Set) {
    const copy = new Set();
    memo.set(obj, copy);
    for (const v of obj) copy.add(copyValue(v, memo, `${path}[item]`));
    return copy;
  }
  // Arrays and every other object (modules, tensors, plain records, instances of user classes):
  // same prototype, every own property (non-enumerable ones too: a module's training flag,
  // buffer names and hooks), values copied.
  const copy: object = Array.isArray(obj) ? new Array(obj.length) : Object.create(Object.getPrototypeOf(obj));
  memo.set(obj, copy);
  for (const key of Reflect.ownKeys(obj)) {
    const desc = Object.getOwnPropertyDescriptor(obj, key)!;
    if (Array.isArray(obj) && key === "length") continue;
    if ("value" in desc) desc.value = copyValue(desc.value, memo, fieldPath(path, key));
    Object.defineProperty(copy, key, desc);
  }
  if (Object.isFrozen(obj)) Object.freeze(copy);
  else if (Object.isSealed(obj)) Object.seal(copy);
  else if (!Object.isExtensible(obj)) Object.preventExtensions(copy);
  return copy;
}

/** Source text without comments and string literals (for the `this` / `#private` checks). */
function codeOnly(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|`(?:\\.|[^`\\])*`/g, " ");
}

/** An arrow function (or bound function) that refers to `this`: it cannot follow the copy. */
function capturesThis(fn: Function): boolean {
  if (fn.name.startsWith("bound ")) return true;
  if (Object.prototype.hasOwnProperty.call(fn, "prototype")) return false; // a `function` or class: `this` is the caller's
  const src = Function.prototype.toString.call(fn);
  // methods (`{ m() {...} }`) also lack a prototype, but their `this` is the object they are called
  // on; an arrow function's source starts with its parameters: `(`, or one name and `=>`
  if (!/^(async\s*)?\(|^(async\s+)?[\w$]+\s*=>/.test(src)) return false;
  return /\bthis\b/.test(codeOnly(src));
}

/** The classes between the module's own class and Module (exclusive) that declare `#private` members. */
function privateMemberClass(m: Module): string | null {
  for (let p = Object.getPrototypeOf(m); p && p !== Module.prototype && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const ctor = p.constructor;
    if (typeof ctor !== "function") continue;
    const src = codeOnly(Function.prototype.toString.call(ctor));
    if (/(^|[^\w$])#[A-Za-z_$]/.test(src) || /__classPrivateField(Get|Set|In)\b/.test(src)) return ctor.name || "(anonymous class)";
  }
  return null;
}

function checkCopyable(model: Module, who: string): void {
  for (const [name, m] of model.named_modules()) {
    const where = name === "" ? "model" : `model.${name}`;
    const cls = privateMemberClass(m);
    if (cls !== null) {
      throw TypeError_(
        `${who}: cannot copy ${where} (${m._get_name()}): class ${cls} has JavaScript private members (#name), which ` +
          "only the class's own constructor can create, so no copy of the module can have them. " +
          "Use ordinary fields (TypeScript's `private` keyword is fine) and " +
          `${who === "AveragedModel" ? "create the AveragedModel again" : "try again"}.`,
      );
    }
    for (const key of Object.keys(m)) {
      const v = (m as unknown as Record<string, unknown>)[key];
      if (typeof v === "function" && capturesThis(v)) {
        throw TypeError_(
          `${who}: cannot copy ${where} (${m._get_name()}): its field '${key}' is ${v.name.startsWith("bound ") ? "a bound function" : "an arrow function that uses \`this\`"}, ` +
            "which stays bound to the original module, so the copy would compute with the original's parameters. " +
            `Write it as a method instead: ${key}(...) { ... } (not ${key} = (...) => ...).`,
        );
      }
    }
  }
}
