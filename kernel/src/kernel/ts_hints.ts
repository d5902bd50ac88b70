/**
 * Type errors as a PyTorch user meets them: TypeScript's messages with the library's absolute
 * import paths taken out of type names, and a hint under the errors that PyTorch habits cause
 * (calling a module, arithmetic operators on tensors, Python's builtins), saying what to write
 * instead, or what an option allows (a string the library does not take). Also: an overload
 * error's message chain kept as one error, placed at the option it names (or, for a scheduler's
 * required option left out, the constructor's own message at its options).
 */

import type * as TorchModule from "../index";
import type * as ToolsModule from "../tools";
import type * as RunsModule from "../trace/runs";
import type * as ModuleDocs from "./module_docs";
import { closeMatches, isNearMiss } from "../close_matches";
import { cloneHint } from "./clone_hint";
import { missingMessage, SCHEDULER_NEEDS } from "../optim/lr_scheduler/needs";

/** What hints read from the library: its namespaces' names and the traced runs' names. */
export interface HintLibrary {
  torch: typeof TorchModule;
  lrlab: typeof ToolsModule;
  run_names: () => string[];
  /** The values of a type alias that is a union of string literals, or null (module_docs.ts). */
  alias_members?: (name: string) => string[] | null;
}

let library: HintLibrary | null = null;

/**
 * The library, loaded when a hint needs it, not with this module: the kernel imports this before
 * it answers kernel_info, and loading the library then took ~100 ms of every kernel start. Code
 * running these TypeScript sources directly (the tests: Node's require cannot load .ts files)
 * gives the same modules with useLibrary.
 */
function lib(): HintLibrary {
  return (library ??= {
    torch: require("../index"),
    lrlab: require("../tools"),
    run_names: () => (require("../trace/runs") as typeof RunsModule).run_names(),
    alias_members: (name: string) => (require("./module_docs") as typeof ModuleDocs).literalUnionMembers(name),
  });
}

export function useLibrary(l: HintLibrary): void {
  library = l;
}

const torch = (): typeof TorchModule => lib().torch;
const lrlab = (): typeof ToolsModule => lib().lrlab;
const run_names = (): string[] => lib().run_names();

/** The library's namespaces as a cell knows them, by their module under kernel/dist (or src). */
const NAMESPACES: Record<string, { name: string; classes?: true; load: () => object }> = {
  "index": { name: "torch", load: () => torch() },
  "nn/index": { name: "torch.nn", classes: true, load: () => torch().nn },
  "nn/functional/index": { name: "torch.nn.functional", load: () => torch().nn.functional },
  "nn/init": { name: "torch.nn.init", load: () => torch().nn.init },
  "optim/index": { name: "torch.optim", classes: true, load: () => torch().optim },
  "optim/lr_scheduler/index": { name: "torch.optim.lr_scheduler", classes: true, load: () => torch().optim.lr_scheduler },
  "optim/swa_utils/index": { name: "torch.optim.swa_utils", load: () => torch().optim.swa_utils },
  "optim/optimizer": { name: "torch.optim.optimizer", load: () => torch().optim.optimizer },
  "nn/utils/index": { name: "torch.nn.utils", load: () => torch().nn.utils },
  "nn/utils/rnn/index": { name: "torch.nn.utils.rnn", load: () => torch().nn.utils.rnn },
  "data/index": { name: "torch.utils.data", load: () => torch().utils.data },
  "utils/hooks": { name: "torch.utils.hooks", load: () => torch().utils.hooks },
  "tensor/autograd_api": { name: "torch.autograd", load: () => torch().autograd },
  "tensor/linalg/index": { name: "torch.linalg", load: () => torch().linalg },
  "tools": { name: "lrlab", load: () => lrlab() },
};

/**
 * `import("/…/kernel/dist/tensor/tensor").Tensor` → `Tensor` (the checker's name for a type it
 * cannot name otherwise), `typeof import("/…/kernel/dist/nn/index")` → `typeof torch.nn`, and a
 * namespace named by its module, `'"/…/kernel/dist/optim/index"'` → `'torch.optim'`. The same for
 * the modules of lrlab's declaration bundle (dts_bundle.ts): `typeof import("lrlab-kernel:nn/index")`,
 * `'"lrlab-kernel:optim/index"'`.
 */
export function tidyMessage(message: string): string {
  return message
    .replace(/typeof import\("(?:[^"]*\/kernel\/(?:dist|src)\/|lrlab-kernel:)([\w/]+?)(?:\.d\.ts|\.ts|\.js)?"\)/g, (all, mod: string) => {
      const ns = NAMESPACES[mod];
      return ns !== undefined ? `typeof ${ns.name}` : all;
    })
    // an alias of a namespace (`import nn = torch.optim;`, `nn.Linear` as a type): "Namespace
    // '"/…/kernel/dist/optim/index"' has no exported member 'Linear'."
    .replace(/'"(?:[^"']*\/kernel\/(?:dist|src)\/|lrlab-kernel:)([\w/]+?)(?:\.d\.ts|\.ts|\.js)?"'/g, (all, mod: string) => {
      const ns = NAMESPACES[mod];
      return ns !== undefined ? `'${ns.name}'` : all;
    })
    .replace(/import\("[^"]*"\)\./g, "");
}

/**
 * Names PyTorch has that lrlab leaves out on purpose, by namespace: why, and what to use. The
 * hint says this instead of only listing what the namespace has.
 */
const NO_FLOAT16 = "lrlab's dtypes are float32 (the default), float64, int64 and bool (no float16 or bfloat16): t.float(), t.double(), or t.to(torch.float32)";
const LEFT_OUT: Record<string, Record<string, string>> = {
  // tutorials' first lines: device selection, half precision (torch.save/torch.load exist now)
  "torch": {
    cuda: "lrlab runs on the CPU: drop torch.cuda checks and use torch.device(\"cpu\") (or no device at all)",
    float16: NO_FLOAT16,
    half: NO_FLOAT16,
    bfloat16: NO_FLOAT16,
  },
};

/** "Property 'X' does not exist on type 'typeof torch.nn'": what that namespace does have. */
function missingFromNamespace(message: string, leftOutOnly = false): string | null {
  const m = /^Property '(\w+)' does not exist on type 'typeof ([\w.]+)'/.exec(message);
  if (m === null) return null;
  const leftOut = Object.prototype.hasOwnProperty.call(LEFT_OUT, m[2]) ? LEFT_OUT[m[2]] : undefined;
  if (leftOut !== undefined && Object.prototype.hasOwnProperty.call(leftOut, m[1])) {
    return `hint: lrlab's ${m[2]} has no ${m[1]}: ${leftOut[m[1]]}`;
  }
  const ns = Object.values(NAMESPACES).find((n) => n.name === m[2]);
  if (ns === undefined || leftOutOnly) return null;
  let names: string[];
  try {
    const mod = ns.load() as Record<string, unknown>;
    // the classes of torch.nn, torch.optim and lr_scheduler (their layers, optimizers,
    // schedulers); every public name elsewhere
    names = Object.keys(mod).filter((k) => !k.startsWith("_") && (!ns.classes || (/^[A-Z]/.test(k) && typeof mod[k] === "function"))).sort();
  } catch {
    return null;
  }
  // a namespace of many names (torch.nn's ~120 classes): the closest ones, and Tab for the rest
  const near = names.length <= 60 ? [] : closeMatches(m[1], names, 5);
  const list = names.length <= 60 ? `; it has ${names.join(", ")}`
    : `${near.length > 0 ? `; the closest: ${near.join(", ")}` : ""} (Tab after the dot lists all ${names.length})`;
  return `hint: ${ns.name === "lrlab" ? "lrlab" : `lrlab's ${ns.name}`} has no ${m[1]}${list}`;
}

const OPERATOR_METHOD: Record<string, string> = { "+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow", "%": "remainder" };
const NO_OPERATORS = "hint: tensors have no operators in JavaScript";
const MAYBE_NO_OPERATORS = `hint: if that is a tensor: ${NO_OPERATORS.slice(6)}; use its methods (a.add(b), a.sub(b), a.mul(b), a.div(b), a.pow(b), a.matmul(b)), and t.item() for the number in a one-element tensor`;

/**
 * A hint for diagnostic `code` with (tidied) `message`, or null. `at` is the source text from the
 * diagnostic's position to the end of its line, for naming the fix; `before` the cell's text
 * before that position, for what encloses it (a call's arguments, or a statement of its own).
 */
export function hintFor(code: number, message: string, at: string, before = "", span?: string): string | null {
  if (code === 2757 || code === 2349) {
    // "Type 'Linear' has no call signatures." (the second line of "This expression is not callable."),
    // "Type 'Sequential<Tensor, Tensor>' ..." (a generic module: it had no hint, a porter's pass)
    const type = /Type '([\w.]+)(?:<.*>)?' has no call signatures/.exec(message)?.[1];
    // the callee as written: the error's span (`ml.get(0)`; the name alone read `ml.get`), else its name
    const spanned = span !== undefined && !span.includes("\n") && /^[A-Za-z_$][\w$.]*(?:\([^()]*\)|\[[^\[\]]*\]|\.[A-Za-z_$][\w$]*)*$/.test(span.trim()) ? span.trim() : undefined;
    const name = spanned ?? /^[A-Za-z_$][\w$.]*/.exec(at)?.[0];
    if (type !== undefined && name !== undefined && (type === "Tensor" || type === "Parameter")) return calledTensor(name, before);
    if (type !== undefined && name !== undefined) {
      return `hint: a torch.nn module (or loss) is called through its forward method: ${name}.forward(...) (JavaScript objects cannot be called as in Python)`;
    }
  }
  // TS 5's standard decorators, `(value, context: ClassMethodDecoratorContext)`: "Unable to resolve
  // signature of method decorator when called as an expression." (1238-1241), "The runtime will
  // invoke the decorator with 1 arguments, but the decorator expects 2." (1278, 1279)
  if ((code >= 1238 && code <= 1241) || code === 1270 || code === 1271 || code === 1278 || code === 1279) return DECORATOR_HINT;
  // `with torch.no_grad():` ("'with' statements are not allowed in strict mode.", then '(' expected
  // and no_grad's missing argument), `const g = torch.no_grad();` ("Expected 1 arguments, but got 0.")
  if (code === 1101 && /^with\b/.test(at)) return withHint(at);
  // "The containing function or module body is too large for control flow analysis." (a cell of
  // data pasted inline, 200,000 lines: a hostile tester's pass)
  if (code === 2563) {
    return "hint: the cell is too long for TypeScript to check; keep data in a file and read it (JSON.parse(require(\"fs\").readFileSync(\"data.json\", \"utf8\"))), or split the code over several cells";
  }
  if (code === 2554) {
    const mode = new RegExp(`^(${GRAD_MODES})\\s*\\(\\s*\\)`).exec(at)?.[1];
    if (mode !== undefined) return gradModeHint(mode);
  }
  // `this.fc1 = new torch.nn.Linear(4, 8)` in a constructor, no field declared (Python's self.fc1 = ...)
  const field = code === 2339 && /\bthis\s*\.\s*$/.test(before) ? undeclaredField(message, at) : null;
  if (field !== null) return field;
  if (code === 2365 && /\bTensor\b/.test(message)) {
    // "Operator '+' cannot be applied to types 'Tensor' and 'Tensor'."
    const op = /Operator '([^']+)'/.exec(message)?.[1];
    const method = op !== undefined ? OPERATOR_METHOD[op] : undefined;
    return method !== undefined ? `${NO_OPERATORS}: a ${op} b is a.${method}(b) (also sub, mul, div, pow, matmul)` : `${NO_OPERATORS}: use their methods (add, sub, mul, div, pow, matmul)`;
  }
  // "The left-hand side of an arithmetic operation must be of type 'any', 'number', ...": the
  // message does not name the operand's type, so the hint says when it applies
  if (code === 2362 || code === 2363) return MAYBE_NO_OPERATORS;
  // `(pred == y).sum()`: == compared the two objects (a boolean), not their elements (a porter's pass)
  if (code === 2339 && /on type 'boolean'/.test(message)) {
    const cmp = /\(\s*([^()]*?)\s*(===?|!==?)\s*([^()]*?)\s*\)\s*\.?\s*$/.exec(before);
    if (cmp) return equalityHint(cmp[1], cmp[2], cmp[3]);
  }
  // `t == 2`: "This comparison appears to be unintentional because the types 'Tensor' and 'number' have no overlap."
  if (code === 2367 && /types '(?:Tensor|Parameter)'|and '(?:Tensor|Parameter)'/.test(message)) {
    const cmp = /^([A-Za-z_$][\w$.]*(?:\([^()]*\))?)\s*(===?|!==?)\s*([^)\s;&|]+)/.exec(at);
    if (cmp) return equalityHint(cmp[1], cmp[2], cmp[3]);
  }
  if (code === 2304 || code === 2552) {
    // "Cannot find name 'X'."
    const name = /Cannot find name '(\w+)'/.exec(message)?.[1];
    return name === undefined ? null : indexNone(name, before) ?? pythonName(name) ?? lrTraceOutside(name) ?? assignedName(name, at, before) ?? runName(name);
  }
  if (code === 2503) {
    // "Cannot find namespace 'nn'.": `const nn = torch.nn;` then the type `nn.Sequential`
    const name = /Cannot find namespace '([\w$]+)'/.exec(message)?.[1];
    if (name !== undefined) return namespaceOfConst(name, at, before);
  }
  // `import torch` (Python's import): "Import declaration 'torch' is using private name ''."
  const imported = /^Import declaration '(\w+)' is using private name/.exec(message)?.[1];
  if (code === 4000 && imported !== undefined) {
    return `hint: import ${imported} is Python; torch and lrlab are already there in every cell (other modules: import * as ${imported} from "${imported}")`;
  }
  // "Non-abstract class 'MyDS' does not implement inherited abstract member 'get' from class 'Dataset<…>'."
  if (code === 2515 && /abstract member '(get|length)' from class 'Dataset\b/.test(message)) {
    return "hint: an lrlab Dataset implements get(index) and a length getter (PyTorch's __getitem__ and __len__): "
      + "class MyData extends torch.utils.data.Dataset<T> { get length() { return n; } get(i: number): T { ... } }";
  }
  // `torch.autograd.grad(y, x, { create_graph: true })`, `y.backward(g, { create_graph: true })`:
  // "Object literal may only specify known properties, and 'create_graph' does not exist in type 'GradOptions'."
  if (code === 2353 && /'create_graph' does not exist/.test(message)) {
    return "hint: lrlab's autograd computes first derivatives only: create_graph (a gradient you can differentiate again: "
      + "double backward, Hessian-vector products) is not supported";
  }
  const storage = storageHint(code, message, at, before);
  if (storage !== null) return storage;
  // `torch.device("cuda")`, `x.to("cuda")`: "Argument of type '"cuda"' is not assignable to parameter of type '"cpu"'."
  if (code === 2345 && /^Argument of type '"(?:cuda|mps|xpu|xla|meta)\b[^"]*"' is not assignable to parameter of type '[^']*"cpu"/.test(message)) {
    return "hint: lrlab runs on the CPU: torch.device(\"cpu\") is its only device, and .to(device) leaves tensors and modules as they are";
  }
  if (code === 2339 || code === 2551) {
    // 2551 carries the checker's own "Did you mean 'float64'?": only the left-out names' reasons
    // are added to it (torch.float16 is no typo of float64)
    const ns = missingFromNamespace(message, code === 2551);
    if (ns !== null) return ns;
  }
  const missing = /^Property '(\w+)' does not exist on type 'Tensor'/.exec(message)?.[1];
  if (code === 2339 && missing !== undefined && Object.prototype.hasOwnProperty.call(TENSOR_ELSEWHERE, missing)) return `hint: ${TENSOR_ELSEWHERE[missing]}`;
  if (code === 2322 || code === 2345 || code === 2820) return literalHint(message);
  return null;
}

/**
 * The kernel compiles with experimentalDecorators (tslab's setting, which cells written against
 * it rely on): decorators are TypeScript's legacy ones, called with (target, key, descriptor).
 */
const DECORATOR_HINT = "hint: this kernel compiles decorators as TypeScript's legacy experimentalDecorators, not TS 5's standard ones "
  + "(value, context: ClassMethodDecoratorContext ...): a method decorator is (target, key: string, descriptor: PropertyDescriptor) => descriptor or nothing, "
  + "a class decorator (constructor) => a constructor or nothing, a property decorator (target, key: string) => nothing";

/** Python dict methods a PyTorch user calls on a state_dict, which is a plain object here. */
const DICT_METHODS = new Set(["keys", "items", "values", "get", "update", "pop"]);

/**
 * "Type 'Tensor' has no call signatures." at `name(...)`: no module (the forward hint was wrong).
 * `sd.keys()` on a state_dict (typed Record<string, Tensor>, so its `.keys` reads as an entry):
 * Object.keys and friends; any other: a tensor property called as a method.
 */
/**
 * `a == b` on tensors: JavaScript compares the objects (two tensors are never ==, a tensor and a
 * number never), where PyTorch compares elements. The element-wise methods, named for the operator.
 */
function equalityHint(a: string, op: string, b: string): string {
  const method = op.startsWith("!") ? "ne" : "eq";
  return `hint: ${op} compares JavaScript objects, not tensor elements (${a} ${op} ${b} is a single boolean, and false for two tensors): `
    + `use ${a}.${method}(${b}) for the element-wise comparison (a bool tensor: .sum() counts, .all().item() for one boolean); lt, le, gt, ge likewise`;
}

function calledTensor(name: string, before: string): string {
  const member = name.split(".").pop() ?? name;
  if (name === member && DICT_METHODS.has(member)) {
    // the object it is called on: `model.state_dict().` before `keys`
    const owner = /([A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*|\s*\([^()]*\))*)\s*\.\s*$/.exec(before)?.[1]?.replace(/\s+/g, "") ?? "sd";
    const sd = /^[\w$.()]+$/.test(owner) && owner.length <= 30 ? owner : "sd";
    return `hint: a state_dict here is a plain object (parameter name → tensor), not a Python dict: Object.keys(${sd}) is .keys(), `
      + `Object.entries(${sd}) is .items() (for (const [name, t] of Object.entries(${sd})) ...), Object.values(${sd}) is .values(), (name in ${sd} ? ${sd}[name] : d) is .get(name, d)`
      + (sd === owner ? "" : ` (with const sd = ${owner})`);
  }
  return `hint: ${name} is a Tensor, not a function or a module: use it without the call`;
}

/** The grad-mode functions that PyTorch uses as context managers (`with torch.no_grad():`). */
const GRAD_MODES = "no_grad|enable_grad|inference_mode";

function gradModeHint(mode: string): string {
  const what = mode === "enable_grad" ? "with gradients on" : "with gradients off";
  return `hint: torch.${mode} is a function here, not a context manager (JavaScript has no with): torch.${mode}(() => { ... }) runs the block ${what} and returns its value`;
}

/** `with X:` (Python's context manager): torch's grad modes, or any other. */
function withHint(at: string): string {
  const mode = new RegExp(`^with\\s+(?:torch\\s*\\.\\s*)?(${GRAD_MODES})\\b`).exec(at)?.[1];
  if (mode !== undefined) return gradModeHint(mode);
  return "hint: with is Python's context manager, which JavaScript does not have: open the resource, then try { ... } finally { close it } "
    + "(torch.no_grad(() => { ... }) for no_grad)";
}

/** The start of the hint for a class field set in a constructor without a declaration (cellHints keeps one). */
const FIELD_HINT = "hint: a TypeScript class declares its fields in its body (Python's self.x = ... in __init__ makes one)";

/**
 * "Property 'fc1' does not exist on type 'Net'." at `this.fc1 = value`: declare the field. Only
 * at an assignment (a read of an undeclared field may be a misspelling); one hint for the cell.
 */
function undeclaredField(message: string, at: string): string | null {
  const m = /^Property '([\w$]+)' does not exist on type '([\w$.]+)'/.exec(message);
  if (m === null) return null;
  const set = new RegExp(`^${escapeRegExp(m[1])}\\s*=(?![=>])`).exec(at);
  if (set === null) return null;
  const value = assignedValue(at.slice(set[0].length));
  const type = /^new\s+([A-Za-z_$][\w$.]*)/.exec(value)?.[1];
  return `${FIELD_HINT}: declare each of ${m[2]}'s before the constructor, with its value, ${m[1]} = ${value}; `
    + `or with its type, ${m[1]}: ${type ?? "Type"}; (then this.${m[1]} = ... in the constructor sets it)`;
}

/**
 * A string literal the message says is not assignable: `Type '"bicubic"' is not assignable to type
 * 'InterpolateMode'.` (an option's value), `Argument of type '"foo"' is not assignable to parameter
 * of type 'PadMode'.` (a positional one): the literal's value and the type's text, or null.
 */
export function unassignableLiteral(message: string): { value: string; type: string } | null {
  const m = /^(?:Type|Argument of type) '("(?:[^"\\]|\\.)*")' is not assignable to (?:parameter of )?type '(.+?)'(?:\.|$)/.exec(message);
  if (m === null) return null;
  try {
    return { value: JSON.parse(m[1]) as string, type: m[2] };
  } catch {
    return null;
  }
}

/**
 * The string values a type allows when it is a union of string literals, written out
 * (`"sum" | "mean"`) or named by aliases (`InterpolateMode`, `PadMode | undefined`: resolved with
 * the cell's checker, module_docs.ts); null when any part is something else.
 */
function literalValues(type: string): string[] | null {
  const values: string[] = [];
  for (const part of type.split(" | ")) {
    if (part === "undefined" || part === "null") continue;
    if (/^"(?:[^"\\]|\\.)*"$/.test(part)) {
      try { values.push(JSON.parse(part) as string); } catch { return null; }
      continue;
    }
    if (!/^[A-Za-z_$][\w$]*$/.test(part)) return null;
    const members = lib().alias_members?.(part) ?? null;
    if (members === null) return null;
    values.push(...members);
  }
  return values.length > 0 ? [...new Set(values)] : null;
}

/**
 * "Type '"bicubic"' is not assignable to type 'InterpolateMode'": the checker names the alias, not
 * what it allows, and a PyTorch option's value (a mode, a reduction, a nonlinearity) is usually
 * mistyped or one lrlab does not have. The hint lists the allowed values, the closest first.
 */
function literalHint(message: string): string | null {
  const lit = unassignableLiteral(message);
  if (lit === null) return null;
  const values = literalValues(lit.type);
  if (values === null || values.includes(lit.value) || values.length > 40) return null;
  // TS2820 says "Did you mean" itself
  const near = /Did you mean/.test(message) ? [] : closeMatches(lit.value, values, 1);
  const name = /^[A-Za-z_$][\w$]*$/.test(lit.type) ? `${lit.type} is one of` : "the allowed values are";
  return `hint: "${lit.value}" is not allowed here; ${name} ${values.map((v) => JSON.stringify(v)).join(", ")}${near.length > 0 ? ` (did you mean "${near[0]}"?)` : ""}`;
}

/**
 * "Cannot find namespace 'nn'" where `nn` names a namespace by a `const` (`const nn = torch.nn;`,
 * in this cell or an earlier one): a const holds the namespace's value, so `new nn.Linear(...)`
 * works but `nn.Sequential` as a type does not; an import alias holds both, and is carried to the
 * later cells as any declaration (engine_tslab.ts, CONVERTER_PATCHES `importAliases`). The
 * const's own expression is named when the cell has it (`before`), else torch.nn stands as the
 * example; the member is the one the type named (`at`: "nn.Sequential = ...").
 */
function namespaceOfConst(name: string, at: string, before: string): string {
  const decl = new RegExp(String.raw`\b(?:const|let|var)\s+${escapeRegExp(name)}\s*=\s*([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*(?:;|$)`, "m").exec(before);
  const target = decl?.[1] ?? "torch.nn";
  const member = new RegExp(String.raw`^${escapeRegExp(name)}\.([A-Za-z_$][\w$]*)`).exec(at)?.[1] ?? "X";
  const what = decl ? `\`const ${name} = ${target};\` holds` : `if ${name} is a const (\`const ${name} = ${target};\`), it holds`;
  return `hint: ${what} the value only: ${name}.${member} works in expressions (new ${name}.${member}(...)), not as a type; `
    + `\`import ${name} = ${target};\` names the namespace for types too, in this cell and the later ones`;
}

/** Python names a ported line reaches for, and what they are here. */
const PYTHON_NAMES: Record<string, string> = {
  print: "console.log(x), or display(x) for a rich output",
  len: "xs.length for an array, t.shape[0] or t.numel() for a tensor",
  range: "for (let i = 0; i < n; i++)",
  True: "true",
  False: "false",
  None: "null (or undefined); in an index, PyTorch's x[None] (a new axis) is x.index(\"None\")",
  self: "this",
  isinstance: "x instanceof Class",
  enumerate: "for (const [i, x] of xs.entries())",
  zip: "xs.map((x, i) => [x, ys[i]])",
  abs: "Math.abs(x) for a number, t.abs() for a tensor",
  float: "Number(x), or t.item() for a one-element tensor",
  int: "Math.trunc(x)",
  str: "String(x)",
  sum: "xs.reduce((a, b) => a + b, 0) for an array, t.sum() for a tensor",
};

/**
 * `x.index(None, 1)`: in an index Python's None is a new axis (`x[None, 1]`), while index()'s
 * `null` is a whole dim (`:`), so "None is null" would silently change the result; index() takes
 * the string "None" for the new axis (tensor/indexing.ts).
 */
function indexNone(name: string, before: string): string | null {
  if (name !== "None" || !/\.index\s*\([^()]*$/.test(before)) return null;
  return 'hint: None in an index is a new axis (size 1): write the string "None", x.index("None", 1) for x[None, 1] (or x.unsqueeze(d)); null in index() is a whole dim, ":"';
}

/** A hint for "Cannot find name 'X'" (2304, 2552) when X is a Python builtin, else null. */
function pythonName(name: string): string | null {
  const here = Object.prototype.hasOwnProperty.call(PYTHON_NAMES, name) ? PYTHON_NAMES[name] : undefined;
  return here !== undefined ? `hint: ${name} is Python; here: ${here}` : null;
}

/** PyTorch tensor methods lrlab has no use for, and what to write instead. */
const TENSOR_ELSEWHERE: Record<string, string> = {
  numpy: "there is no NumPy here: t.tolist() gives nested arrays, t.data the values as a typed array",
  cuda: "lrlab runs on the CPU: drop .cuda() (and device arguments)",
  cpu: "lrlab tensors are always on the CPU: drop .cpu()",
  half: `lrlab has no float16 (half precision): ${NO_FLOAT16.replace("lrlab's", "its")}`,
  bfloat16: `lrlab has no bfloat16: ${NO_FLOAT16.replace("lrlab's", "its")}`,
};

const STORAGE_HINT = "hint: in lrlab .data is the raw storage (a typed array), not a tensor";
/** The storage types (tensor.ts Storage) as the checker names them. */
const STORAGE_TYPE = "(?:Storage|Float32Array|Float64Array)";
/** `lin.weight.data` (a dotted name) as the text before a property read on it ends. */
const DATA_BEFORE = /([A-Za-z_$][\w$.]*)\s*\.\s*data\s*\.\s*$/;

/**
 * PyTorch code uses `t.data` as a tensor (t's values, outside autograd); in lrlab `.data` is t's
 * storage, which the library reads and writes everywhere, so it stays that, and these hints name
 * the tensor form instead: `torch.max(outputs.data, 1)`, `w.data.normal_(0, 0.02)`,
 * `w.data.fill_(0)` (where the checker's "Did you mean 'fill'?" steered to Float32Array.fill, past
 * autograd's version counter), `w.data = t`. Null when the error is not one of these.
 */
function storageHint(code: number, message: string, at: string, before: string): string | null {
  // a Tensor method called on `.data`: "Property 'normal_' does not exist on type 'Storage'."
  const prop = new RegExp(`^Property '(\\w+)' does not exist on type '${STORAGE_TYPE}'`).exec(message)?.[1];
  if ((code === 2339 || code === 2551) && prop !== undefined) {
    const proto = torch().Tensor.prototype as unknown as Record<string, unknown>;
    if (!(prop in proto) || typeof proto[prop] !== "function") return null;
    const owner = DATA_BEFORE.exec(before)?.[1] ?? "t";
    const args = new RegExp(`^${prop}\\s*\\(([^()]*)\\)`).exec(at)?.[1]?.trim() ?? "...";
    if (!prop.endsWith("_")) return `${STORAGE_HINT}: use the tensor itself, ${owner}.${prop}(${args}) (or ${owner}.detach().${prop}(${args}))`;
    // an in-place op on a parameter needs no_grad (PyTorch's error for a leaf that requires grad
    // otherwise); nn.init has the samplers under their own names, no_grad included
    const init = torch().nn.init as unknown as Record<string, unknown>;
    const viaInit = typeof init[prop] === "function" ? `, or torch.nn.init.${prop}(${owner}${args === "" ? "" : `, ${args}`})` : "";
    return `${STORAGE_HINT}: call ${prop} on the tensor itself, under torch.no_grad for a parameter: torch.no_grad(() => ${owner}.${prop}(${args}))${viaInit}`;
  }
  // `w.data = t`: "Type 'Tensor' is not assignable to type 'Storage'." (and its Float64Array detail)
  if ((code === 2322 || code === 2740) && new RegExp(`^Type 'Tensor' (?:is not assignable to|is missing the following properties from) type '${STORAGE_TYPE}'`).test(message)) {
    const m = /^([A-Za-z_$][\w$.]*?)\s*\.\s*data\s*=(?![=>])/.exec(at);
    const owner = m?.[1] ?? "w";
    const value = m !== null ? assignedValue(at.slice(m[0].length)) : "t";
    return `${STORAGE_HINT}: to set a tensor's values, copy them in (same shape) under torch.no_grad: torch.no_grad(() => ${owner}.copy_(${value}))`;
  }
  // `.data` passed where a tensor goes: "Argument of type 'Storage' is not assignable to parameter of type 'Tensor'."
  if ([2345, 2322, 2740].includes(code) && new RegExp(`^(?:Argument of type|Type) '${STORAGE_TYPE}' (?:is not assignable to (?:parameter of )?type|is missing the following properties from type) 'Tensor'`).test(message)) {
    const owner = /^([A-Za-z_$][\w$.]*?)\s*\.\s*data\b/.exec(at)?.[1] ?? "t";
    return `${STORAGE_HINT}: use ${owner} itself (or ${owner}.detach(), its values outside autograd)`;
  }
  return null;
}

/**
 * A hint for "Cannot find name 'X'" where the source reads `X=` (not `==`). Inside a call's
 * arguments it is a Python keyword argument, `torch.tensor(xs, dtype=torch.float64)`, which
 * JavaScript reads as an assignment. As a statement (`x = 5`, or `for (i = 0; ...)`) it is a name
 * never declared, which Python needs no declaration for: the keyword-argument hint was wrong there.
 * Elsewhere (an array or object literal, a parenthesized expression) neither fits: no hint.
 */
function assignedName(name: string, at: string, before: string): string | null {
  const m = new RegExp(`^${name}\\s*=(?![=>])`).exec(at);
  if (m === null) return null;
  const where = enclosing(before);
  if (where === "call") {
    return `hint: ${name}=... is a Python keyword argument; here options are one object, f(x, { ${name}: ... }), or positional (Shift-Tab shows the signature)`;
  }
  if (where !== "statement") return null;
  const value = assignedValue(at.slice(m[0].length));
  return `hint: ${name} is not declared: declare it where it is first set, let ${name} = ${value} (const ${name} = ${value} if it never changes)`;
}

/** Keywords whose parentheses hold a statement's parts (`for (i = 0; ...)`), not a call's arguments. */
const CONTROL = new Set(["if", "for", "while", "switch", "catch", "with"]);
/** Keywords after which `(` groups an expression and `{` starts an object literal. */
const OPERAND_KEYWORDS = new Set(["return", "typeof", "await", "yield", "void", "delete", "in", "of", "case", "throw", "new", "instanceof"]);

/**
 * What encloses the end of `text`: a call's argument list ("call"), a statement position (the
 * top level, a block, a control statement's parentheses: "statement"), or something else (an
 * array, an object literal, a parenthesized expression: "other"). Brackets in strings, template
 * literals and comments do not count.
 */
function enclosing(text: string): "call" | "statement" | "other" {
  const open: ("call" | "statement" | "other")[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === "`") {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === "\\") i++;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === "(" || c === "[" || c === "{") {
      open.push(opened(c, text.slice(0, i)));
    } else if (c === ")" || c === "]" || c === "}") {
      open.pop();
    }
  }
  return open.length === 0 ? "statement" : open[open.length - 1];
}

/** What a bracket opens, from the text before it. */
function opened(bracket: string, before: string): "call" | "statement" | "other" {
  const prev = before.trimEnd();
  const last = prev[prev.length - 1] ?? "";
  const word = /[A-Za-z_$][\w$]*$/.exec(prev)?.[0];
  if (bracket === "[") return "other";
  if (bracket === "(") {
    if (word !== undefined) return CONTROL.has(word) ? "statement" : OPERAND_KEYWORDS.has(word) ? "other" : "call";
    return /[)\]>`.]/.test(last) ? "call" : "other"; // f(a)(b), xs[0](b), f<T>(b), f?.(b)
  }
  // `{`: a block after a statement's end, `)` (if, for, a function's parameters), `=>` or a keyword
  // like else / try; an object literal after an operator, `(`, `,`, `:` or `return`
  if (word !== undefined) return OPERAND_KEYWORDS.has(word) ? "other" : "statement";
  return last === "" || /[;{})]/.test(last) || prev.endsWith("=>") ? "statement" : "other";
}

/** The value an assignment's text starts with (up to `;`, `,` or a closing bracket), or "..." when long. */
function assignedValue(rest: string): string {
  let depth = 0, end = rest.length;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      if (depth === 0) { end = i; break; }
      depth--;
    } else if (depth === 0 && (c === ";" || c === ",")) { end = i; break; }
  }
  const value = rest.slice(0, end).trim();
  return value === "" || value.length > 40 ? "..." : value;
}

/**
 * "Cannot find name '_lr_trace'": the magic declares it for its own cell's code (and the cells
 * checked after it), so a `train()` a porter keeps in a cell of its own, as the Python script had
 * it, run before any %%lr_trace cell, cannot log with it. The ways that work whatever ran before:
 * the function takes the run as an argument (or a callback) from the %%lr_trace cell, or the code
 * traces the optimizer itself with lrlab.trace (whose Trace has the same log_loss).
 */
function lrTraceOutside(name: string): string | null {
  if (name !== "_lr_trace") return null;
  return "hint: _lr_trace is the run a %%lr_trace cell records, declared for that cell's code (a cell checked before any %%lr_trace cell ran "
    + "does not know it): give it to a function of another cell as an argument, function train(..., tr: lrlab.GlobalTrace) { ... tr.log_loss(loss) }, "
    + "called in the %%lr_trace cell as train(..., _lr_trace) (or a callback: train(..., (l) => _lr_trace.log_loss(l))); or trace in code, "
    + "without the magic: const trace = lrlab.trace(optimizer), then trace.log_loss(loss) and display(trace)";
}

/** A hint for "Cannot find name 'X'" when X names a run of `%%lr_trace --name X`, else null. */
function runName(name: string): string | null {
  if (!run_names().includes(name)) return null;
  return `hint: ${name} is the name of a %%lr_trace run, not a variable: lrlab.run("${name}") is its trace (.latest(), .summary(), .traces: one per optimizer), %lr_compare ${name} plots it`;
}

/**
 * A hint under a runtime error, or null: `line` is the cell line that threw, `source` the cell.
 * "Cannot read properties of null" after `trace.latest()` (or latest_param) is a trace read before
 * its first step: latest() is null then, by design, and cells do not check nulls, so the type
 * `StepMetrics | null` cannot say it; the bare TypeError did not either. The null read may be on
 * the line that called latest() or through a variable the cell set from it (`const m = t.latest();`
 * then `m.lr`). A DataCloneError (structuredClone of a state_dict) names the copy that works.
 */
export function runtimeHint(err: Error, line: string | undefined, source = ""): string | null {
  // structuredClone(model.state_dict()), the port of copy.deepcopy (clone_hint.ts)
  const clone = cloneHint(err, line);
  if (clone !== null) return clone;
  const step = stepHint(err, line);
  if (step !== null) return step;
  const int64 = int64Hint(err);
  if (int64 !== null) return int64;
  const series = seriesHint(err, line, source);
  if (series !== null) return series;
  const prop = /^Cannot read properties of null \(reading '([^']*)'\)/.exec(String(err?.message ?? ""))?.[1];
  if (prop === undefined || line === undefined) return null;
  // `prop` read of latest()'s own result: t.latest().lr, t.latest()!.lr (not t.latest().lr_preconditioned.q50,
  // a field that is null for its own reasons), or of a variable the cell set to it: const m = t.latest(); ... m.lr
  if (!readsResultOf(LATEST_CALL, prop, line, source)) return null;
  return "hint: latest() is null until the traced optimizer's first step() (latest_param(name): until that parameter's): "
    + "step first, or test it: const m = t.latest(); if (m) { ... } (or t.latest()?.lr)";
}

/**
 * `state["step"].item()` (or `.float()`, `.numpy()`...), ported from PyTorch, where an optimizer's
 * per-parameter step count is a 0-dim tensor: lrlab keeps it a number (one per parameter per step;
 * a tensor there would cost the small models' steps an allocation each), and the call failed with
 * "....item is not a function", which did not say why (a porting user's pass). `state` is `any`,
 * so the type check cannot see it.
 */
function stepHint(err: Error, line: string | undefined): string | null {
  const m = /^(?:\S+\.)?step\.(\w+) is not a function/.exec(String(err?.message ?? ""));
  if (m === null || line === undefined || !/\bstep\b|\[\s*["']step["']\s*\]/.test(line)) return null;
  return `hint: an optimizer's state["step"] is a number in lrlab (PyTorch's is a 0-dim tensor): use it as it is, without .${m[1]}() `
    + `(Number(state["step"]) reads either)`;
}

/**
 * The messages of an index or class-label tensor that is float where int64 is needed (PyTorch's
 * own words, kept: embedding, cross_entropy/nll_loss, index_select/gather/scatter, advanced
 * indexing, one_hot, bincount).
 */
const FLOAT_INDEX = [
  /Expected dtype int(?:32 or int)?64 for \w+ \((?:lrlab's is int64; )?got float(?:32|64)\)/,
  /expected scalar type Long but found Float/,
  /expected target dtype to be Long or Byte, but got Float/,
  /tensors used as indices must be long, int, byte or bool tensors \((?:lrlab's are int64 and bool; )?got float/,
  /scalar types: Long, Int; but got (?:float|torch\.(?:Float|Double)Tensor)/,
  /LongTensor\. \(got float/,
  /"bincount_cpu" not implemented for 'Float'/,
];

/**
 * A PyTorch port's `torch.tensor([1, 0, 2])` of class labels or indices is float32 in lrlab (a
 * deliberate difference, README: JavaScript's numbers do not tell 1 from 1.0), so the embedding,
 * loss or index call that follows failed with PyTorch's message about Long, which did not say why
 * the tensor was float. The hint says it, and what makes int64.
 */
function int64Hint(err: Error): string | null {
  const message = String(err?.message ?? "");
  if (!FLOAT_INDEX.some((re) => re.test(message))) return null;
  return "hint: torch.tensor([1, 0, 2]) is float32 in lrlab (JavaScript's numbers do not tell 1 from 1.0), where PyTorch's is int64: "
    + "make index and class-label tensors with torch.tensor([1, 0, 2], { dtype: torch.int64 }) or .long() "
    + "(torch.arange of integers, torch.randint, argmax and the indices of max/sort/topk are int64 already)";
}

/**
 * `t.series("lr").last_value` before the trace's first step (or for a metric its `metrics` option
 * leaves out): series() is undefined then, by design (trace.ts), and the read failed with the bare
 * "Cannot read properties of undefined". On the line that called series(), or through a variable
 * the cell set from it (`const s = t.series("lr");` then `s.buckets()`).
 */
function seriesHint(err: Error, line: string | undefined, source: string): string | null {
  const prop = /^Cannot read properties of undefined \(reading '([^']*)'\)/.exec(String(err?.message ?? ""))?.[1];
  if (prop === undefined || line === undefined) return null;
  if (!readsResultOf(SERIES_CALL, prop, line, source)) return null;
  return "hint: series(metric) is undefined until the traced optimizer's first step(), and for a metric the trace does not record "
    + "(its metrics option): step first, or test it: const s = t.series(\"lr\"); if (s) { ... } (or t.series(\"lr\")?.last_value)";
}

/** A call of series(...), as a regular expression's source. */
const SERIES_CALL = String.raw`\.series\s*\([^()]*\)\s*!?`;

/**
 * Whether `line` reads `prop` of the result of `call` (a regular expression's source): on the call
 * itself (`t.latest().lr`, `t.latest()!.lr`), or through a variable the cell set to it
 * (`const m = t.latest();` then `m.lr`).
 */
function readsResultOf(call: string, prop: string, line: string, source: string): boolean {
  const read = `\\s*!?\\s*\\.\\s*${escapeRegExp(prop)}\\b`;
  if (new RegExp(call + read).test(line)) return true;
  for (const m of line.matchAll(new RegExp(`([A-Za-z_$][\\w$]*)${read}`, "g"))) {
    const set = new RegExp(`(?:^|[^\\w$.])${escapeRegExp(m[1])}\\s*(?::[^=;\\n]*)?=(?![=>])[^;\\n]*${call}\\s*(?:;|$)`, "m");
    if (set.test(source)) return true;
  }
  return false;
}

/** A call of latest() or latest_param(name), as a regular expression's source. */
const LATEST_CALL = String.raw`\blatest(?:_param)?\s*\([^()]*\)\s*!?`;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A cell's diagnostics without the declaration errors that only repeat another error: `let m:
 * nn.Sequential` with `nn` a const is "Cannot find namespace 'nn'" (2503, hinted above) and then,
 * at the same place, "Exported variable 'm' has or is using private name 'nn'" (TS4025, from the
 * declaration emit of the cell's names), which names no other fault and hid the hint's reason.
 */
export function withoutEchoes<D extends { code: number; messageText: string; start: { line: number; character: number } }>(diagnostics: D[]): D[] {
  const missing = new Set<string>();
  for (const d of diagnostics) {
    const name = d.code === 2503 ? /Cannot find namespace '([\w$]+)'/.exec(d.messageText)?.[1] : undefined;
    if (name !== undefined) missing.add(`${d.start.line}:${d.start.character}:${name}`);
  }
  if (missing.size === 0) return diagnostics;
  return diagnostics.filter((d) => {
    const name = d.code >= 4000 && d.code < 5000 ? /has or is using private name '([\w$]+)'/.exec(d.messageText)?.[1] : undefined;
    return name === undefined || !missing.has(`${d.start.line}:${d.start.character}:${name}`);
  });
}

/**
 * A cell's hints, each once (an undeclared class field's: one for all); the conditional operator
 * hint only when no error named a tensor.
 */
export function cellHints(hints: readonly string[]): string[] {
  // an undeclared field's hint once, with the first field as its example
  const firstField = hints.find((h) => h.startsWith(FIELD_HINT));
  const out = [...new Set(hints.filter((h) => !h.startsWith(FIELD_HINT) || h === firstField))];
  return out.some((h) => h.startsWith(NO_OPERATORS)) ? out.filter((h) => h !== MAYBE_NO_OPERATORS) : out;
}

/**
 * "No overload matches this call." (TS2769) with its message chain, which tslab's converter hands
 * on as one diagnostic per line of the chain, all at the call's place: `new nn.Upsample({ mode:
 * "bicubic" })` read as six errors ("Overload 1 of 2 … gave the following error.", its reason,
 * "Overload 2 of 2 …", its reasons). Here each such head keeps the diagnostics that follow it at the
 * same place as its `details`: one error, its chain under it.
 */
export function overloadChains<D extends { code: number; messageText?: string; start: { offset: number }; end?: { offset: number } }>(diagnostics: D[]): { head: D; details: D[] }[] {
  const out: { head: D; details: D[] }[] = [];
  for (const d of diagnostics) {
    const last = out[out.length - 1];
    // a scheduler without its options (`new StepLR(opt)`): one error too (missingOption)
    const chained = last !== undefined && (last.head.code === 2769
      || noOptionsClass(last.head.code, last.head.messageText ?? "", [...last.details, d].map((c) => c.messageText ?? "")) !== null);
    if (chained && d.code !== 2769 && d.start.offset === last.head.start.offset && d.end?.offset === last.head.end?.offset) {
      last.details.push(d);
    } else {
      out.push({ head: d, details: [] });
    }
  }
  return out;
}

/** Other frameworks' names for PyTorch's options (Keras, TensorFlow, Optax, JAX), each PyTorch's key(s). */
const OPTION_ALIASES: Record<string, string[]> = {
  learning_rate: ["lr"], learningRate: ["lr"], learning_rate_init: ["lr"],
  beta1: ["betas"], beta2: ["betas"], beta_1: ["betas"], beta_2: ["betas"], b1: ["betas"], b2: ["betas"],
  epsilon: ["eps"], decay: ["weight_decay"], weightDecay: ["weight_decay"], wd: ["weight_decay"], l2: ["weight_decay"],
  decay_steps: ["step_size"], decay_rate: ["gamma"], rate: ["p"], drop_rate: ["p"], dropout_rate: ["p"],
  use_bias: ["bias"], strides: ["stride"], dilation_rate: ["dilation"], epochs: ["epochs", "T_max"],
};

/**
 * "No overload matches this call." (TS2769) whose chain says an object literal has a key its type
 * lacks ("Object literal may only specify known properties, but 'beta' does not exist in type
 * 'AdamOptions'. Did you mean to write 'betas'?"): TypeScript places it at the call (`new`),
 * under ten lines of overloads, the last about the positional overload, which an object literal
 * is not meant for ("'lr' does not exist in type 'Tensor'": false, and read first). As one
 * error in PyTorch's terms ("unexpected keyword argument"): `Adam has no option 'beta' (did you
 * mean betas?); accepted: lr, betas, ...`, at the key. The key's place is the object literal's
 * property of that name inside the diagnostic's span, an argument of the call (tslab's converter
 * keeps no related positions); `keysOf` reads the type's keys with the checker (module_docs.ts
 * optionKeys). Null (TypeScript's error as it is) when no chain line names such a key, the type is
 * no options object, or the key is not found once in the span.
 */
export function unknownOption(ts: any, src: string, start: number, end: number, chain: readonly { code: number; message: string }[],
  keysOf: (type: string) => string[] | null): { offset: number; code: number; message: string } | null {
  if (end <= start) return null;
  let sf: any = null;
  for (const c of chain) {
    const m = /^Object literal may only specify known properties, (?:and|but) '([^']+)' does not exist in type '(.+)'\.(?: Did you mean to write '([^']+)'\?)?$/.exec(c.message);
    if (m === null) continue;
    const [, key, type, suggested] = m;
    const keys = keysOf(type);
    if (keys === null || keys.includes(key)) continue;
    // a key another overload's options take is no misspelling (that overload failed for another reason)
    // (the types the chain's arguments had to be: not the argument's own, which has the key)
    const named = new Set(chain.flatMap((o) => [...o.message.matchAll(/(?:to (?:parameter of )?type|in type) '([^']+)'/g)].map((t) => t[1])).filter((t) => t !== type));
    if ([...named].some((t) => keysOf(t)?.includes(key))) continue;
    try {
      sf ??= ts.createSourceFile("cell.ts", src, ts.ScriptTarget.Latest, true);
    } catch {
      return null;
    }
    const found: any[] = [];
    const visit = (node: any): void => {
      if (node.end <= start || node.pos >= end) return;
      if ((ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) && ts.isObjectLiteralExpression(node.parent)
        && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) && node.name.text === key && node.getStart(sf) >= start && node.end <= end) found.push(node);
      ts.forEachChild(node, visit);
    };
    visit(sf);
    if (found.length !== 1) continue;
    const object = found[0].parent;
    const call = object.parent;
    let owner = `'${type}'`;
    if (call && (ts.isCallExpression(call) || ts.isNewExpression(call)) && (call.arguments ?? []).includes(object)) {
      let callee = call.expression;
      while (ts.isParenthesizedExpression(callee) || ts.isNonNullExpression(callee)) callee = callee.expression;
      if (ts.isPropertyAccessExpression(callee)) callee = callee.name;
      if (ts.isIdentifier(callee)) owner = callee.text;
    }
    const aliases = Object.prototype.hasOwnProperty.call(OPTION_ALIASES, key) ? OPTION_ALIASES[key].filter((k) => keys.includes(k)) : [];
    const near = suggested !== undefined && keys.includes(suggested) ? [suggested]
      : aliases.length > 0 ? aliases : closeMatches(key, keys, 2).filter((k) => isNearMiss(key, k) || k.toLowerCase().startsWith(key.toLowerCase()));
    const mean = near.length > 0 ? ` (did you mean ${near.join(" or ")}?)` : "";
    return { offset: found[0].name.getStart(sf), code: c.code, message: `${owner} has no option '${key}'${mean}; accepted: ${keys.join(", ")}` };
  }
  return null;
}

/**
 * `new StepLR(opt)`, a scheduler of needs.ts without its options: TypeScript's error is its
 * positional overload's (the options overload takes two arguments), "Argument of type '[]' is not
 * assignable to parameter of type 'Positional<[step_size: number, ...], StepLROptions>'.", and
 * tslab's converter hands on its chain as more errors at the same place ("Type '[]' is not
 * assignable to type '[number, Partial<StepLROptions>?]'.", ...). The scheduler's name, from the
 * head or, when TypeScript cut a long Positional<...> short (CyclicLR's: "max_momentum: number |
 * nu..."), from the chain's next line; null for any other error.
 */
function noOptionsClass(code: number, head: string, chain: readonly string[]): string | null {
  if (code !== 2345) return null;
  const text = tidyMessage(head);
  if (!/^Argument of type '\[\]' is not assignable to parameter of type 'Positional<\[/.test(text)) return null;
  const cls = /, (\w+)Options>'\.$/.exec(text)?.[1]
    ?? (chain.length > 0 ? /^Type '\[\]' is not assignable to type '\[.*, (?:Partial<)?(\w+)Options>?\?\]'\.$/.exec(tidyMessage(chain[0]))?.[1] : undefined);
  return cls !== undefined && Object.prototype.hasOwnProperty.call(SCHEDULER_NEEDS, cls) ? cls : null;
}

/**
 * A scheduler constructed without a required option in a typed cell: "No overload matches this
 * call." (TS2769) with seven lines under it, the one that counts ("Property 'step_size' is missing
 * in type '{ gamma: number; }' but required in type 'StepLROptions'.") followed by the positional
 * overload's ("'{ gamma: number; }' is not assignable to type 'number'": true, and no help); with
 * no options at all, three errors about `Positional<[...]>` (noOptionsClass). As one error, the
 * one the constructor throws in untyped code (needs.ts missingMessage: PyTorch's "missing 1
 * required argument", what it is, an example call, the optional ones), at the options argument,
 * or at `new` when there is none. The example calls the class as the cell does
 * (`torch.optim.lr_scheduler.StepLR`). `head` and `chain`: the error and its chain, tidied
 * (tidyMessage). Null (TypeScript's error as it is) for another error, a class needs.ts does not
 * know, a key it does not list as required, or a call that is not `new C(optimizer[, options])`.
 */
export function missingOption(ts: any, src: string, start: number, end: number, head: { code: number; message: string },
  chain: readonly { code: number; message: string }[]): { offset: number; code: number; message: string } | null {
  if (end <= start) return null;
  let cls = noOptionsClass(head.code, head.message, chain.map((c) => c.message));
  let missing: string[] = cls !== null ? Object.keys(SCHEDULER_NEEDS[cls].required) : [];
  let code = head.code;
  if (cls === null && head.code === 2769) {
    for (const c of chain) {
      // the options overload's reason: one key missing (TS2741), or several (TS2739)
      const one = /^Property '(\w+)' is missing in type '.*' but required in type '(\w+)Options'\.$/.exec(c.message);
      const many = /^Type '.*' is missing the following properties from type '(\w+)Options': (\w+(?:, \w+)*)$/.exec(c.message);
      if (one === null && many === null) continue;
      cls = one !== null ? one[2] : many![1];
      missing = one !== null ? [one[1]] : many![2].split(", ");
      code = c.code;
      break;
    }
  }
  if (cls === null || !Object.prototype.hasOwnProperty.call(SCHEDULER_NEEDS, cls)) return null;
  const required = Object.keys(SCHEDULER_NEEDS[cls].required);
  if (missing.length === 0 || missing.some((k) => !required.includes(k))) return null;
  let sf: any;
  try {
    sf = ts.createSourceFile("cell.ts", src, ts.ScriptTarget.Latest, true);
  } catch {
    return null;
  }
  // the `new` the error is about: its span is the whole call, or one of its arguments
  let call: any = null;
  const visit = (node: any): void => {
    if (node.end < end || node.pos > start) return;
    if (ts.isNewExpression(node) && ((node.getStart(sf) === start && node.end === end)
      || (node.arguments ?? []).some((a: any) => a.getStart(sf) === start && a.end === end))) call = node;
    ts.forEachChild(node, visit);
  };
  visit(sf);
  // the optimizer and the options (or only the optimizer, for the positional overload's error)
  const args = call?.arguments ?? [];
  if (call === null || args.length !== (head.code === 2769 ? 2 : 1)) return null;
  let callee = call.expression;
  while (ts.isParenthesizedExpression(callee) || ts.isNonNullExpression(callee)) callee = callee.expression;
  const written = callee.getText(sf).replace(/\s+/g, "");
  const name = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/.test(written) ? written : cls;
  const offset = args.length === 2 ? args[1].getStart(sf) : call.getStart(sf);
  return { offset, code, message: missingMessage(cls, required.filter((k) => missing.includes(k)), name) };
}

/**
 * Where in the cell the string literal a message says is not assignable sits, when the
 * diagnostic's span [start, end) holds exactly one literal of that value and does not start at
 * it: its property's name for an option (`mode: "bicubic"` → `mode`, where TypeScript itself
 * points for a single signature), else the literal. TypeScript reports a call whose overloads fail
 * at different places (the first at the option, the second at the whole object) at the whole
 * call, `new` included, and keeps the overloads' own places nowhere: so the literal the chain
 * names is looked up in the call's text. Null when there is nothing better than `start`.
 */
export function literalPosition(ts: any, src: string, start: number, end: number, messages: readonly string[]): number | null {
  const values = messages.map((m) => unassignableLiteral(m)?.value).filter((v): v is string => v !== undefined);
  if (values.length === 0 || end <= start) return null;
  let sf: any;
  try {
    sf = ts.createSourceFile("cell.ts", src, ts.ScriptTarget.Latest, true);
  } catch {
    return null;
  }
  for (const value of values) {
    const found: any[] = [];
    const visit = (node: any): void => {
      if (node.end <= start || node.pos >= end) return;
      if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && node.text === value && node.getStart(sf) >= start && node.end <= end) found.push(node);
      ts.forEachChild(node, visit);
    };
    visit(sf);
    if (found.length !== 1) continue;
    const lit = found[0];
    const at = ts.isPropertyAssignment(lit.parent) && lit.parent.initializer === lit ? lit.parent.name.getStart(sf) : lit.getStart(sf);
    return at === start ? null : at;
  }
  return null;
}
