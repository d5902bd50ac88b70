/**
 * Continuing a named run (`%%lr_trace --name N --append`, `lrlab.trace(optimizer, { name: N,
 * append: true })`): the run's traces go on where the last cell left them (their step numbers,
 * series, divergence marker and per-parameter lines), so a notebook that trains one epoch per cell,
 * or resumes from a checkpoint, gets one run (a user's pass: each cell replaced the run and counted
 * from step 0 again).
 *
 * A trace is continued by its own optimizer, or by a new optimizer of the same class whose
 * parameter groups hold parameters of the same shapes, in the same order (a model and optimizer
 * rebuilt and reloaded from a checkpoint); its parameters take the names the run's had at the same
 * places. Anything else is an error naming the first difference: a run of another model or
 * optimizer is another run (give it another name). The options that shape what a trace records
 * (reduction, per_param, metrics, capacity, param_capacity) are the run's: given again, they must
 * be the run's; `batch_size` given applies to the steps that follow.
 *
 * This file only decides and explains; Trace._continue (trace.ts) moves the trace over.
 */
import type { Tensor } from "../tensor/tensor";
import { optimizerKind } from "./preconditioned";
import type { Trace, TraceableOptimizer, TraceOptions } from "./trace";

const IDENTITY = new WeakMap<object, number>();
let nextIdentity = 1;

/**
 * A number that tells `optimizer` from every other object, for a stopped trace that must know its
 * optimizer again without holding it (a WeakMap's key is not kept alive; a WeakRef would be, until
 * the end of the current job).
 */
export function optimizerIdentity(optimizer: object): number {
  let id = IDENTITY.get(optimizer);
  if (id === undefined) IDENTITY.set(optimizer, (id = nextIdentity++));
  return id;
}

/** Per parameter group, each parameter's shape: what a continuing optimizer must match. */
export type Layout = number[][][];

export function layoutOf(optimizer: TraceableOptimizer): Layout {
  return optimizer.param_groups.map((g) => g.params.map((p: Tensor) => [...p.shape]));
}

const shapeText = (s: readonly number[]) => `[${s.join(", ")}]`;

/**
 * How `optimizer` differs from the one trace `t` measured (its class, its parameter groups, their
 * parameters' shapes), in words ("its group 0 has 4 parameters, the run's had 6"); null: none.
 */
export function differenceFrom(t: Trace, optimizer: TraceableOptimizer): string | null {
  const cls = optimizerKind(optimizer).name;
  if (cls !== t.optimizer_name) return `it is ${cls}, the run's optimizer is ${t.optimizer_name}`;
  const run = t._layout;
  if (run === null) return "the run's trace was loaded with Trace.from_json: it has no optimizer's parameters to continue from";
  const mine = layoutOf(optimizer);
  const s = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  if (mine.length !== run.length) return `it has ${s(mine.length, "parameter group")}, the run's optimizer had ${run.length}`;
  for (let g = 0; g < run.length; g++) {
    if (mine[g].length !== run[g].length) return `its group ${g} has ${s(mine[g].length, "parameter")}, the run's had ${run[g].length}`;
    for (let i = 0; i < run[g].length; i++) {
      const a = mine[g][i], b = run[g][i];
      if (a.length !== b.length || a.some((d, k) => d !== b[k])) {
        const name = t._position_name(g, i);
        return `its group ${g}, parameter ${i}${name !== null ? ` (the run's ${JSON.stringify(name)})` : ""} has shape ${shapeText(a)}, the run's had ${shapeText(b)}`;
      }
    }
  }
  return null;
}

/**
 * Options given to continue a run that differ from what its trace `t` records (they shape its
 * series), in words; null: none. Options left out are the run's.
 */
export function optionDifference(t: Trace, options: TraceOptions): string | null {
  const run = t._record_options;
  const diffs: string[] = [];
  const check = (key: keyof typeof run, given: unknown, same: boolean) => {
    if (given !== undefined && !same) diffs.push(`${key} ${JSON.stringify(given)} (the run's: ${JSON.stringify(run[key])})`);
  };
  check("reduction", options.reduction, options.reduction === run.reduction);
  check("per_param", options.per_param, options.per_param === run.per_param);
  const m = options.metrics;
  check("metrics", m, Array.isArray(m) && m.length === run.metrics.length && [...m].sort().join() === [...run.metrics].sort().join());
  check("capacity", options.capacity, options.capacity === run.capacity);
  if (options.param_capacity !== undefined) {
    const pc = Math.min(options.capacity ?? run.capacity, options.param_capacity);
    check("param_capacity", options.param_capacity, pc === run.param_capacity);
  }
  return diffs.length ? diffs.join(", ") : null;
}

/**
 * The trace of the run `name` that `optimizer` continues, among `open` (the run's traces no other
 * optimizer continues yet): the one it traced, else the first that it matches (differenceFrom).
 * None: an Error from `caller` naming the difference (with the first trace of its class, else
 * the run's optimizers).
 */
export function continuedTrace(caller: string, name: string, traces: readonly Trace[], open: readonly Trace[], optimizer: TraceableOptimizer): Trace {
  const own = open.find((t) => t._traced(optimizer));
  if (own !== undefined) return own;
  for (const t of open) if (differenceFrom(t, optimizer) === null) return t;
  const cls = optimizerKind(optimizer).name;
  const like = open.find((t) => t.optimizer_name === cls);
  const why = like !== undefined ? differenceFrom(like, optimizer)
    : open.length === 0 ? `each of the run's optimizers (${traces.map((t) => t.optimizer_name).join(", ")}) is continued already`
    : `it is ${cls}, the run's optimizer${open.length === 1 ? " is" : "s are"} ${open.map((t) => t.optimizer_name).join(", ")}`;
  return fail(caller, name, cls, why as string);
}

function fail(caller: string, name: string, cls: string, why: string): never {
  throw new Error(`${caller}: this ${cls} optimizer cannot continue the run ${JSON.stringify(name)}: ${why}. `
    + "A run is continued by its own optimizer, or by a new one of the same class over parameters of the same shapes "
    + "(a model and optimizer reloaded from a checkpoint); to trace another model or optimizer, give it another name");
}
