/**
 * A name a cell declares but never assigned, because the cell threw first, reads as an error
 * naming it, not as `undefined`.
 *
 * The cells share one scope, the transpiled cell's `exports` (engine.ts `locals`): a later cell's
 * `el` is `exports.el`. TypeScript's CommonJS emit starts a cell by setting each name it declares
 * to undefined (`exports.el = exports.x = void 0;`), so after `const el = f()` threw, `el` kept
 * its declaration (and type) but held `undefined`: the next cell's `el.length` failed with
 * "Cannot read properties of undefined" far from the cause, and a name re-declared by the
 * failed cell (`let x = 1`, then `const x = g()` throwing) read `undefined` under g's return type.
 * Python's `x = f()` that raises leaves x unbound: NameError on use.
 *
 * Here those statements are blanked (lines kept, so error lines still map) and each declared name
 * becomes an accessor until the cell assigns it: reading it throws a ReferenceError that says
 * why, assigning it (the cell's own `exports.el = el`, a later cell, a magic) makes it a plain
 * value again. Names the cell assigned before it threw keep their values, as in IPython.
 * `Engine.value` and `userNames` read the scope without calling the accessor.
 */

/** TypeScript's prologue of a CommonJS cell, after which the reset statements come. */
const PROLOGUE = 'Object.defineProperty(exports, "__esModule", { value: true });\n';
/** One reset statement (TypeScript writes up to 50 names per statement). */
const RESET = /^exports\.[^\n]* = void 0;$/;

/**
 * The cell's code without its reset statements (each replaced by an empty line), and the names
 * they reset, except the kernel's own `tsLastExpr` (the last expression's value).
 */
export function withoutResets(js: string): { js: string; names: string[] } {
  const at = js.indexOf(PROLOGUE);
  if (at < 0) return { js, names: [] };
  const names: string[] = [];
  let pos = at + PROLOGUE.length;
  let out = js.slice(0, pos);
  for (;;) {
    const end = js.indexOf("\n", pos);
    const line = js.slice(pos, end < 0 ? js.length : end);
    if (!RESET.test(line)) break;
    for (const part of line.slice(0, -" = void 0;".length).split(" = ")) {
      const name = part.slice("exports.".length);
      if (part.startsWith("exports.") && !/^tsLastExpr\d*$/.test(name)) names.push(name);
    }
    if (end < 0) return { js: out, names };
    pos = end + 1;
    out += "\n";
  }
  return { js: out + js.slice(pos), names };
}

/** Why a name holds nothing: its cell threw before assigning it (the default), or another reason. */
export const NOT_ASSIGNED = "the cell that declares it stopped with an error before assigning it";

/**
 * Makes each of `names` in `scope` an accessor that throws on read until something assigns it,
 * saying `why` the name holds nothing (a MemoryError clears names their cell had assigned:
 * heap_limit.ts says so, not "before assigning it").
 */
export function markUnassigned(scope: Record<string, unknown>, names: readonly string[], why: string = NOT_ASSIGNED): void {
  for (const name of names) {
    Object.defineProperty(scope, name, {
      configurable: true,
      enumerable: true,
      get() {
        throw new ReferenceError(`${name} is not defined: ${why}`);
      },
      set(value: unknown) {
        Object.defineProperty(scope, name, { value, writable: true, enumerable: true, configurable: true });
      },
    });
  }
}

/** Whether `name` holds a value in `scope` (not an unassigned name's accessor). */
export function isAssigned(scope: Record<string, unknown>, name: string): boolean {
  const d = Object.getOwnPropertyDescriptor(scope, name);
  return d !== undefined && "value" in d;
}
