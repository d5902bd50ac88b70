/**
 * `preview(scheduler, { steps, lr?, optimizer?, metrics? })`: simulate a learning-rate schedule
 * without a model and return the rate (and momentum / β1) in force at each step.
 *
 * The scheduler is the real one (torch.optim.lr_scheduler), so the sequence is exactly what
 * training would see: step i's rate is `param_groups[g].lr` read before the i-th
 * `scheduler.step()` — the rate `optimizer.step()` uses at step i. Each iteration calls
 * `optimizer.step()` then `scheduler.step()` (PyTorch's order), ReduceLROnPlateau gets
 * `metrics[i]`, and OneCycleLR/CyclicLR's cycled momentum (SGD `momentum`, Adam `betas[0]`) is
 * recorded too.
 *
 * `scheduler` is either a factory `(optimizer) => scheduler`, which gets a fresh optimizer of
 * the kind asked for (`optimizer: "SGD" | "Adam" | ...`, on one dummy parameter with no
 * gradient, so stepping it changes nothing; `lr: [0.1, 0.01]` gives it one param group per value,
 * for per-group lists such as OneCycleLR's `max_lr: [...]`) — or an existing scheduler instance, which is
 * stepped on its own optimizer and then restored (scheduler state_dict, and each group's lr,
 * initial_lr, momentum and betas).
 *
 * An instance that has already been stepped (a preview cell re-run after the training cell) goes
 * on from where it is: its preview is the rest of its run, not the schedule from its start. That
 * was drawn from "step 0" with nothing saying so, and a student took a cosine's second half (or
 * what it does past T_max) for the schedule (a teacher's pass). The x axis starts at its
 * `last_epoch` (the epoch whose rate is in force, as a fresh scheduler's is 0, and as a class
 * line's `last_epoch=k` starts at k + 1), and the text says how many steps it has taken.
 *
 * A preview past a CosineAnnealingLR's T_max (the cosine rising again, as PyTorch's does) has a
 * note saying where it passes it, in its text and over the plot's lr (cosineWatch).
 */
import * as optim from "../optim/index";
import { Tensor } from "../tensor/tensor";
import type { BundleOptions, MimeBundle, Plottable } from "../plot/bundle";
import { bundle } from "../plot/bundle";
import { bucketsOf } from "../plot/downsample";
import type { FigureSource, SourceSeries } from "../plot/figure";
import { fmt } from "../plot/text";
import { withoutTracing } from "./suspend";
import { with_cleanup } from "../interrupt_cleanup";

/* eslint-disable @typescript-eslint/no-explicit-any */

export const PREVIEW_OPTIMIZERS = ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad", "Adadelta", "ASGD", "Rprop"] as const;
export type PreviewOptimizer = (typeof PREVIEW_OPTIMIZERS)[number];

interface SchedulerLike {
  step(metric?: number): void;
  optimizer?: { param_groups: Record<string, any>[] };
  state_dict?(): Record<string, any>;
  load_state_dict?(s: Record<string, any>): void;
  constructor: { name: string };
}

export interface PreviewOptions {
  steps: number;
  /**
   * Starting lr of the fresh optimizer (factory form). Default 0.1. A list makes one param group
   * per value (each on its own dummy parameter), for schedulers given per-group lists.
   */
  lr?: number | number[];
  /** Which optimizer the factory gets. Default "SGD" (with momentum 0.9, so momentum cycles show). */
  optimizer?: PreviewOptimizer;
  /** Extra options for that optimizer, e.g. { momentum: 0.9 } or { betas: [0.9, 0.99] }. */
  optimizer_options?: Record<string, unknown>;
  /** One metric per step, fed to ReduceLROnPlateau.step(metric). */
  metrics?: number[];
  /** Name in plots. Default: the scheduler's class name. */
  name?: string;
  /**
   * The number of the first simulated step on the plot's x axis and in the text: a resumed
   * schedule's first epoch (%lr_schedule ... last_epoch=k runs from epoch k + 1). Default 0 for a
   * factory; for a scheduler instance, its `last_epoch` (the steps it has taken: it goes on from there).
   */
  first_step?: number;
}

const OPTION_KEYS = ["steps", "lr", "optimizer", "optimizer_options", "metrics", "name", "first_step"];

/**
 * Where a scheduler instance stood when it was previewed: its `last_epoch`, and the `step()` calls
 * it had taken since it was built (they differ for a scheduler built with `last_epoch=k`, or
 * stepped with `step(epoch)`); null when it was stepped by fractional epochs
 * (CosineAnnealingWarmRestarts' `step(epoch + i / iters)`), whose calls nothing counts.
 */
export interface PreviewStart {
  last_epoch: number;
  step_calls: number | null;
}

/**
 * The simulated schedule (what `lrlab.preview` returns). To compare it with a traced run by hand:
 * `lrs[0][i]` is the rate of the run's step `first_step + i` (`run.series("lr").columns()`: `x`, `last`).
 */
export class SchedulePreview implements Plottable {
  readonly plot_kind = "schedule" as const;
  constructor(
    public name: string,
    /**
     * lrs[g][i]: param group g's rate in force at simulated step i (drawn at x = first_step + i):
     * what `optimizer.step()` uses there, as a trace's `lr` records it.
     */
    readonly lrs: number[][],
    /** momentum[g][i] (SGD/RMSprop momentum or Adam β1), or null when the optimizer has none. */
    readonly momentums: (number[] | null)[],
    /**
     * The number of step 0 on the x axis: 0 for a fresh schedule, a resumed one's first epoch
     * (`last_epoch=k`: k + 1), a stepped scheduler instance's `last_epoch`.
     */
    readonly first_step = 0,
    /** A scheduler instance that had already been stepped: where it stood (null: it started fresh). */
    readonly continued: PreviewStart | null = null,
  ) {}

  /** Group 0's rates. */
  get lr(): number[] {
    return this.lrs[0];
  }

  /** Group 0's momentum (or β1), or null. */
  get momentum(): number[] | null {
    return this.momentums[0];
  }

  get steps(): number {
    return this.lrs[0]?.length ?? 0;
  }

  /**
   * Notes on the steps previewed (cosineWatch: the steps past a CosineAnnealingLR's T_max), each a
   * line of the text under the schedule's own and a note over the plot's lr.
   */
  readonly notes: string[] = [];

  /**
   * Each group's base lr (its `initial_lr`, what the scheduler scales): %lr_compare names it when a
   * run's rates are this preview's times a constant (a preview at the factory's default lr 0.1 of a
   * run at 0.05, plot/schedule_overlay.ts). Empty when the optimizer's groups have none.
   */
  base_lrs: number[] = [];

  to_figure_source(): FigureSource {
    const series: SourceSeries[] = [];
    this.lrs.forEach((lr, g) => {
      const x = lr.map((_, i) => this.first_step + i);
      series.push({ metric: "lr", group: g, buckets: bucketsOf(x, lr) });
      const m = this.momentums[g];
      if (m && m.some((v) => v !== m[0])) series.push({ metric: "momentum", group: g, buckets: bucketsOf(x, m) });
    });
    return {
      name: this.name, series, summary: [this.toString(), ...this.notes.map((n) => `  note: ${n}`)],
      ...(this.notes.length ? { notes: [{ metrics: ["lr"], text: this.notes.map((n) => `${this.name}: ${n}`).join("; ") }] } : {}),
    };
  }

  /**
   * `StepLR: 100 steps, lr 0.1 → 1e-20 (min 1e-20, max 0.1)`: the plot's text form. With several
   * param groups, one part per group (`3 groups; group 0: lr ...; group 1: lr ...`): group 0's
   * alone hid that groups 1 and 2 peaked at other rates. A resumed schedule says where it starts.
   */
  toString(): string {
    const one = (lr: number[]) => {
      const [lo, hi] = extent(lr);
      return `lr ${fmt(lr[0])} → ${fmt(lr[lr.length - 1])} (min ${fmt(lo)}, max ${fmt(hi)})`;
    };
    const steps = this.first_step === 0 && this.continued === null ? `${this.steps} steps`
      : `${this.steps} steps from step ${this.first_step}${this.continued === null ? "" : ` (${startText(this.continued)})`}`;
    if (this.lrs.length === 1) return `${this.name}: ${steps}, ${one(this.lr)}`;
    return `${this.name}: ${steps}, ${this.lrs.length} groups; ${this.lrs.map((lr, g) => `group ${g}: ${one(lr)}`).join("; ")}`;
  }

  /** `console.log(preview)` prints that line, not every step's rate. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return [this.toString(), ...this.notes.map((n) => `  note: ${n}`)].join("\n");
  }

  bundle(options: BundleOptions = {}): MimeBundle {
    return bundle(this, options);
  }

  _repr_mimebundle_(options: BundleOptions = {}): MimeBundle {
    return bundle(this, options);
  }
}

/** `the scheduler has taken 32 steps`, or where it is when that is not its last_epoch. */
function startText(c: PreviewStart): string {
  const calls = (n: number) => `${n} step${n === 1 ? "" : "s"}`;
  if (c.step_calls === null) return `the scheduler is at last_epoch=${c.last_epoch}, stepped by fractional epochs`;
  return c.step_calls === c.last_epoch ? `the scheduler has taken ${calls(c.last_epoch)}`
    : `the scheduler is at last_epoch=${c.last_epoch}, after ${c.step_calls} step() call${c.step_calls === 1 ? "" : "s"}`;
}

/**
 * Where a scheduler instance stands (see PreviewStart), or null when it has not been stepped. A
 * ChainedScheduler has no last_epoch of its own (as in PyTorch): its schedulers', which step together.
 */
function startOf(sched: any): PreviewStart | null {
  const epochOf = (s: any, depth: number): number => {
    if (Number.isInteger(s?.last_epoch)) return Math.max(0, s.last_epoch);
    const children = depth < 8 && Array.isArray(s?._schedulers) ? s._schedulers as unknown[] : [];
    return children.reduce((m: number, c) => Math.max(m, epochOf(c, depth + 1)), 0);
  };
  const last_epoch = epochOf(sched, 0);
  // _step_count counts the constructor's initial step (PyTorch's). ReduceLROnPlateau and SequentialLR
  // have none, and CosineAnnealingWarmRestarts' stays 0 (its step() does not count, as in PyTorch):
  // their last_epoch counts the calls of step(), unless a fractional epoch was given (T_cur tells)
  const fractional = typeof sched?.T_cur === "number" && !Number.isInteger(sched.T_cur);
  const step_calls = Number.isInteger(sched?._step_count) && sched._step_count >= 1 ? sched._step_count - 1
    : fractional ? null : last_epoch;
  return last_epoch === 0 && step_calls === 0 ? null : { last_epoch, step_calls };
}

/**
 * Min and max by a loop: `Math.min(...lr)` passes every step as an argument on the stack, which
 * overflows from about 120,000 steps (and preview allows a million).
 */
function extent(xs: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  // (pairwise Math.min/Math.max, so a NaN rate still shows as NaN, as before)
  for (const x of xs) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  return [lo, hi];
}

function momentumOf(group: Record<string, any>): number | null {
  if (typeof group.momentum === "number") return group.momentum;
  if (Array.isArray(group.betas)) return Number(group.betas[0]);
  return null;
}

function validate(options: PreviewOptions): void {
  if (options === null || typeof options !== "object") throw new TypeError("preview: options { steps, lr?, optimizer?, metrics? } are required");
  for (const k of Object.keys(options)) {
    if (!OPTION_KEYS.includes(k)) throw new TypeError(`preview: unknown option "${k}"; valid options: ${OPTION_KEYS.join(", ")}`);
  }
  if (!Number.isInteger(options.steps) || options.steps < 1) throw new RangeError(`preview: steps must be a positive integer, got ${options.steps}`);
  if (options.steps > 1_000_000) throw new RangeError(`preview: steps must be at most 1000000, got ${options.steps}`);
  const rate = (v: unknown) => typeof v === "number" && v >= 0 && Number.isFinite(v);
  if (options.lr !== undefined && !(Array.isArray(options.lr) ? options.lr.length > 0 && options.lr.every(rate) : rate(options.lr))) {
    throw new RangeError(`preview: lr must be a finite number >= 0, or a non-empty list of them (one param group each), got ${Array.isArray(options.lr) ? `[${options.lr.join(", ")}]` : options.lr}`);
  }
  if (options.first_step !== undefined && !(Number.isInteger(options.first_step) && options.first_step >= 0)) {
    throw new RangeError(`preview: first_step must be an integer >= 0, got ${options.first_step}`);
  }
  if (options.optimizer !== undefined && !PREVIEW_OPTIMIZERS.includes(options.optimizer)) {
    throw new RangeError(`preview: unknown optimizer ${JSON.stringify(options.optimizer)}; valid: ${PREVIEW_OPTIMIZERS.join(", ")}`);
  }
  if (options.metrics !== undefined) {
    if (!Array.isArray(options.metrics) || options.metrics.some((m) => typeof m !== "number")) {
      throw new TypeError("preview: metrics must be an array of numbers (one per step, for ReduceLROnPlateau)");
    }
  }
}

function freshOptimizer(options: PreviewOptions): any {
  const kind = options.optimizer ?? "SGD";
  const Ctor = (optim as any)[kind];
  const extra = { ...(kind === "SGD" ? { momentum: 0.9 } : {}), ...(options.optimizer_options ?? {}) };
  const dummy = () => new Tensor(new Float64Array(1), [1], "float64", true);
  if (Array.isArray(options.lr)) return new Ctor(options.lr.map((lr) => ({ params: [dummy()], lr })), { lr: options.lr[0], ...extra });
  return new Ctor([dummy()], { lr: options.lr ?? 0.1, ...extra });
}

/** Simulate `steps` steps of a scheduler; see the module comment. Tracers ignore its steps. */
export function preview(scheduler: SchedulerLike | ((optimizer: any) => SchedulerLike), options: PreviewOptions): SchedulePreview {
  validate(options);
  return withoutTracing(() => simulate(scheduler, options));
}

function simulate(scheduler: SchedulerLike | ((optimizer: any) => SchedulerLike), options: PreviewOptions): SchedulePreview {
  const factory = typeof scheduler === "function" && !("prototype" in scheduler && (scheduler as any).prototype?.step);
  let sched: SchedulerLike;
  let opt: any;
  let restore: (() => void) | null = null;
  let start: PreviewStart | null = null;
  if (factory) {
    opt = freshOptimizer(options);
    sched = (scheduler as (o: any) => SchedulerLike)(opt);
    if (sched === null || typeof sched !== "object" || typeof sched.step !== "function") {
      throw new TypeError("preview: the factory must return a scheduler (an object with step())");
    }
  } else {
    if (scheduler === null || typeof scheduler !== "object" || typeof (scheduler as SchedulerLike).step !== "function") {
      throw new TypeError("preview: expected a scheduler or a factory (optimizer) => scheduler");
    }
    sched = scheduler as SchedulerLike;
    opt = sched.optimizer;
    if (!opt || !Array.isArray(opt.param_groups)) throw new TypeError("preview: the scheduler has no optimizer with param_groups");
    if (typeof sched.state_dict !== "function" || typeof sched.load_state_dict !== "function") {
      throw new TypeError("preview: a scheduler instance needs state_dict()/load_state_dict() to be restored; pass a factory (optimizer) => scheduler instead");
    }
    start = startOf(sched);
    const saved = sched.state_dict();
    // only the keys a group has: `betas: undefined` was written into an SGD group (`momentum` into
    // an Adam one), a key it did not have, which SGD then warned of as not one of its hyperparameters
    const KEYS = ["lr", "initial_lr", "momentum", "betas"];
    // a Tensor lr is filled in place by the schedulers (PyTorch's fill_): its number is kept, and
    // put back into the same tensor, which the optimizer holds
    const groups = opt.param_groups.map((g: Record<string, any>) => Object.fromEntries(KEYS.filter((k) => Object.hasOwn(g, k))
      .map((k) => [k, Array.isArray(g[k]) ? [...g[k]] : g[k] instanceof Tensor ? { tensor: g[k], value: g[k].data[0] } : g[k]])));
    restore = () => {
      (sched.load_state_dict as (s: Record<string, any>) => void)(saved);
      opt.param_groups.forEach((g: Record<string, any>, i: number) => {
        for (const [k, v] of Object.entries(groups[i] as Record<string, any>)) {
          if (v !== null && typeof v === "object" && v.tensor instanceof Tensor) {
            g[k] = v.tensor;
            v.tensor.data[0] = v.value;
          } else g[k] = v;
        }
      });
    };
  }
  const plateau = sched.constructor.name === "ReduceLROnPlateau";
  if (plateau && (options.metrics === undefined || options.metrics.length < options.steps)) {
    throw new RangeError(`preview: ReduceLROnPlateau needs metrics: one number per step (${options.steps}), got ${options.metrics?.length ?? 0}`);
  }
  const groups = opt.param_groups as Record<string, any>[];
  const lrs = groups.map(() => [] as number[]);
  const moms = groups.map((g) => (momentumOf(g) === null ? null : ([] as number[])));
  // The optimizer's own step is wrapped to tell the scheduler the order is right; the dummy
  // parameter has no gradient, so it never moves (and a user's instance keeps its parameters:
  // their gradients are set aside during the run).
  const params: Tensor[] = groups.flatMap((g) => (g.params ?? []) as Tensor[]);
  const grads = params.map((p) => p.grad);
  params.forEach((p) => (p.grad = null));
  const putBack = () => {
    params.forEach((p, i) => (p.grad = grads[i]));
    if (restore) restore();
  };
  const first = options.first_step ?? start?.last_epoch ?? 0;
  const past = cosineWatch(sched);
  // (run after a kernel interrupt too: interrupt_cleanup.ts)
  with_cleanup(putBack, () => {
    for (let i = 0; i < options.steps; i++) {
      past?.at(first + i);
      groups.forEach((g, k) => {
        lrs[k].push(Number(g.lr));
        const m = moms[k];
        if (m) m.push(momentumOf(g) as number);
      });
      if (typeof opt.step === "function") opt.step();
      if (plateau) sched.step((options.metrics as number[])[i]);
      else sched.step();
    }
  });
  const result = new SchedulePreview(options.name ?? sched.constructor.name, lrs, moms, first, start);
  result.base_lrs = groups.map((g) => Number(g.initial_lr));
  if (past) result.notes.push(...past.notes(first, options.steps, start === null));
  return result;
}

/** A CosineAnnealingLR in charge of the rate: the scheduler itself, or a child of a SequentialLR or ChainedScheduler. */
interface ActiveCosine {
  s: any;
  /** Where it is: "" for the scheduler itself, "schedulers[1]" for a child. */
  path: string;
}

/** Whether `s` is a CosineAnnealingLR (or a user's subclass of one), by its prototype chain's class names. */
function isCosine(s: any): boolean {
  for (let p = Object.getPrototypeOf(s); p !== null; p = Object.getPrototypeOf(p)) if (p.constructor?.name === "CosineAnnealingLR") return true;
  return false;
}

/**
 * The CosineAnnealingLRs setting the rate now: a SequentialLR's child in charge (its milestones
 * bisected at its last_epoch, as its step() does), every child of a ChainedScheduler.
 */
function activeCosines(s: any, path: string, depth: number, out: ActiveCosine[]): ActiveCosine[] {
  if (s === null || typeof s !== "object" || depth > 8) return out;
  const at = (i: number) => `${path ? `${path}.` : ""}schedulers[${i}]`;
  if (Array.isArray(s._schedulers)) {
    if (Array.isArray(s._milestones) && Number.isInteger(s.last_epoch)) {
      const idx = (s._milestones as number[]).filter((m) => m <= s.last_epoch).length;
      activeCosines(s._schedulers[idx], at(idx), depth + 1, out);
    } else (s._schedulers as unknown[]).forEach((c, i) => activeCosines(c, at(i), depth + 1, out));
  } else if (isCosine(s) && typeof s.T_max === "number" && Number.isInteger(s.last_epoch)) out.push({ s, path });
  return out;
}

/**
 * Where the preview passes a CosineAnnealingLR's T_max, for its notes; null when the scheduler
 * holds no cosine. PyTorch's cosine does not stop at T_max: it goes on with a period of 2 × T_max,
 * so the rate rises again from eta_min. That is right, but a student previewing T_max=50 over 100
 * steps took the rise for the schedule (a user's pass). Other schedules with an end of their own
 * hold their last rate past it (LinearLR, ConstantLR, PolynomialLR's total_iters, SWALR's
 * anneal_epochs: a plateau, as drawn), cycle by design (CyclicLR, CosineAnnealingWarmRestarts), or
 * cannot step past it (OneCycleLR's total_steps is an error): none gets a note.
 */
function cosineWatch(sched: any): { at(x: number): void; notes(first: number, steps: number, fresh: boolean): string[] } | null {
  if (hasCosine(sched, 0) === false) return null;
  const passed = new Map<any, { path: string; T_max: number; x: number }>();
  return {
    at(x: number) {
      for (const c of activeCosines(sched, "", 0, [])) {
        if (!passed.has(c.s) && c.s.last_epoch > c.s.T_max) passed.set(c.s, { path: c.path, T_max: c.s.T_max, x });
      }
    },
    notes(first: number, steps: number, fresh: boolean) {
      return [...passed.values()].map((p) => {
        const whose = p.path === "" ? "the CosineAnnealingLR" : `the CosineAnnealingLR in ${p.path}`;
        // the way out, for a cosine previewed alone from its start: its T_max, or the steps up to its end
        const fix = p.path === "" && fresh && first === 0
          ? `; T_max=${steps} anneals over all ${steps} steps, or preview ${p.x} steps to stop at its minimum` : "";
        return `step ${p.x} is past T_max=${fmt(p.T_max)} of ${whose}: from there its cosine rises again `
          + `(PyTorch's goes on, a period every 2 × T_max steps)${fix}`;
      });
    },
  };
}

/** Whether any CosineAnnealingLR is in the scheduler (nested in SequentialLR / ChainedScheduler too). */
function hasCosine(s: any, depth: number): boolean {
  if (s === null || typeof s !== "object" || depth > 8) return false;
  if (Array.isArray(s._schedulers)) return (s._schedulers as unknown[]).some((c) => hasCosine(c, depth + 1));
  return isCosine(s);
}
