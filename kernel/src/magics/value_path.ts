/**
 * A value a magic line names by a path into the cells' variables: `sched`, `rq.sched`,
 * `runs[0].sched`, `cfg["warm up"]`. A porter's helper returned `{ opt, sched }`, and
 * `%lr_schedule rq.sched --steps 400` was an "unknown scheduler" while `const s = rq.sched` then
 * `%lr_schedule s` worked (userS's pass, 4.1): the line now reads the path as TypeScript would.
 *
 * Only names, `.name` and `[index]` / `["key"]` are read, never a call or an operator, so reading a
 * path runs no code of the user's other than a getter the path itself names. A step that is not
 * there is an error naming the path up to it, what that holds, and the close property.
 */
import { didYouMean, MagicError } from "./parser";

/** One step of a path: a property name or an array index. */
export type PathStep = string | number;

/** The steps a path is written with: an identifier, then `.name`, `[0]`, `["key"]` or `['key']`. */
const PATH = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[\d+\]|\["[^"\\]*"\]|\['[^'\\]*'\])*$/;
const STEP = /\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\["([^"\\]*)"\]|\['([^'\\]*)'\]/g;

/** The root variable and the steps after it, or undefined when `text` is no such path. */
export function parsePath(text: string): { root: string; steps: PathStep[] } | undefined {
  if (!PATH.test(text)) return undefined;
  const root = /^[A-Za-z_$][\w$]*/.exec(text)![0];
  const steps: PathStep[] = [];
  for (const m of text.slice(root.length).matchAll(STEP)) steps.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3] ?? m[4]));
  return { root, steps };
}

/** How a step is written after the path before it: `.sched`, `[0]`, `["warm up"]`. */
export function written(step: PathStep): string {
  if (typeof step === "number") return `[${step}]`;
  return /^[A-Za-z_$][\w$]*$/.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`;
}

/** The names of an object's own data properties (no getter is run), for messages and Tab. */
export function dataProperties(v: object): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const key of Object.keys(v)) {
    const d = Object.getOwnPropertyDescriptor(v, key);
    if (d !== undefined && "value" in d) out.push([key, d.value]);
  }
  return out;
}

/**
 * What `text` names in `scope` (a list of the cells' variables with their values): `{ value }`,
 * or undefined when it is no path or its root is no variable (the caller's "unknown" error). A
 * step past a missing property, an index past an array's end, or into undefined/null is a
 * MagicError naming the path so far and what it holds (`describe`), with the close property;
 * `hint(v)` may add a word about the properties (e.g. which of them hold a scheduler).
 */
export function readPath(
  text: string,
  scope: () => [string, unknown][],
  describe: (v: unknown) => string,
  hint: (at: string, v: object) => string,
  usage: string,
): { value: unknown } | undefined {
  const path = parsePath(text);
  if (path === undefined) return undefined;
  const found = scope().find(([n]) => n === path.root);
  if (found === undefined) return undefined;
  let value = found[1];
  let at = path.root;
  for (const step of path.steps) {
    const next = at + written(step);
    if (value === undefined || value === null) {
      throw new MagicError(`${text}: ${at} holds ${describe(value)}, which has no ${written(step)}`, usage);
    }
    const box = Object(value) as Record<PathStep, unknown>;
    // a Proxy's traps may throw, on `in` as on reading: said as the reading's error
    const threw = (e: any) => new MagicError(`${text}: reading ${next} threw ${e?.name ?? "an error"}: ${e?.message ?? String(e)}`, usage);
    let has: boolean;
    try {
      has = step in box;
    } catch (e) {
      throw threw(e);
    }
    if (!has) {
      if (Array.isArray(value)) {
        const n = value.length;
        throw new MagicError(`${text}: ${at} holds an Array of ${n} element${n === 1 ? "" : "s"}${n ? ` (${at}[0] to ${at}[${n - 1}])` : ""}, which has no ${written(step)}`, usage);
      }
      const keys = typeof value === "object" ? dataProperties(value).map(([k]) => k) : [];
      const near = typeof step === "string" ? didYouMean(step, keys) : "";
      const listed = keys.length === 0 ? "" : `; its properties: ${keys.slice(0, 12).join(", ")}${keys.length > 12 ? ", ..." : ""}`;
      throw new MagicError(`${text}: ${at} holds ${describe(value)}, which has no ${written(step)}${near}${listed}${typeof value === "object" ? hint(at, value) : ""}`, usage);
    }
    try {
      value = box[step];
    } catch (e) {
      throw threw(e);
    }
    at = next;
  }
  return { value };
}
