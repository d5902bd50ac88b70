/**
 * The variables Tab offers after a magic's `key=` that takes a value of one kind: `%lr_find
 * model=<Tab>` offered every variable in the order they were made, the optimizer, the scheduler,
 * a class and a function before the model (a user's pass, session 19). Now the variables of that
 * kind come first (sorted, as `%lr_schedule <Tab>` offers its scheduler variables first), then the
 * ones an expression may still reach one through (`rq.model`, `make_model()`), and none that
 * cannot be one (a number, a tensor, a class, an optimizer for model=).
 *
 * A kind is told by the class names of the value's prototype chain, not `instanceof`, so that Tab
 * does not load the tensor library for a kernel that never did (test/kernel/start_modules.test.ts),
 * as scheduler_variable.ts's isScheduler.
 */

/** The library's base classes a value may derive from, by the name the kinds below use. */
export type Kind = "Module" | "Optimizer" | "LRScheduler" | "Tensor";

const KINDS: readonly Kind[] = ["Module", "Optimizer", "LRScheduler", "Tensor"];

/** The library base class `v` derives from (Module, Optimizer, LRScheduler, Tensor), or undefined. */
export function kindOf(v: unknown): Kind | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  for (let p = Object.getPrototypeOf(v); p !== null; p = Object.getPrototypeOf(p)) {
    const name: unknown = p.constructor?.name;
    if ((KINDS as readonly unknown[]).includes(name)) return name as Kind;
  }
  return undefined;
}

/** Whether `v` may lead to a value by a property or a call: an object or a function that is no class. */
function mayReach(v: unknown): boolean {
  if (typeof v === "function") return !/^class[\s{]/.test(Function.prototype.toString.call(v));
  return typeof v === "object" && v !== null;
}

/**
 * The names Tab offers for a value of kind `want`: the variables holding one, then those an
 * expression may reach one through, each part sorted, leaving out the other kinds in
 * `never` and what can lead to nothing (numbers, strings, undefined, classes).
 */
export function namesFor(want: Kind, never: readonly Kind[], user: () => [string, unknown][]): string[] {
  const all = user();
  const first = all.filter(([, v]) => kindOf(v) === want).map(([n]) => n).sort();
  const rest = all.filter(([, v]) => kindOf(v) !== want && mayReach(v) && !never.includes(kindOf(v) as Kind)).map(([n]) => n).sort();
  return [...first, ...rest];
}
