/**
 * The effective-learning-rate tracer: `trace(optimizer, options)` hooks `optimizer.step()`.
 *
 * Before each step (step pre-hook) it copies, for every parameter that has a gradient, θ_t and
 * g_t (or has the optimizer's WebAssembly update loop copy them as it updates: snapshot.ts,
 * "Taps"); after it (post-hook) it reads θ_{t+1}, computes every metric of EFFECTIVE_LR.md per
 * parameter group (and per named parameter with `per_param`), keeps the exact last step for
 * `latest()`, and pushes each metric into a bounded series (series.ts) for plots.
 *
 * Cost (PERF.md): one pass over the elements per step, per parameter (snapshot.ts, sums.ts, in
 * WebAssembly SIMD for large parameters); a group's sums are its parameters' combined, so
 * `per_param` adds no pass; quantiles come from a bounded sample and a selection (sample.ts,
 * select.ts); an optimizer factor that is one number (SGD: γ) is not expanded per element.
 *
 * Memory: every series is bounded (series.ts): DEFAULT_CAPACITY buckets per group series,
 * PARAM_CAPACITY per parameter series (per_param), so a trace's memory does not grow with steps
 * (`series_bytes`).
 *
 * Nothing throws out of the hooks: a failure is kept in `trace.errors` and the step goes on.
 * The first step where Δ, θ_{t+1} or a logged loss is not finite is `diverged_at`.
 *
 * Gradient clipping between steps (clip_grad_norm_, clip_grad_value_) is seen by a ClipWatch
 * (clip.ts): the metrics stay relative to the gradient step() reads, and each group's step also
 * gets grad_norm_raw and clip_factor; nothing more is done in a run without clipping.
 */
import type { Tensor } from "../tensor/tensor";
import { bundle, type BundleOptions, type MimeBundle, type Plottable } from "../plot/bundle";
import type { FigureSource, SourceSeries } from "../plot/figure";
import { fmt } from "../plot/text";
import { CLIP_METRICS, METRIC_NAMES, QUANTILE_METRICS, SCALAR_METRICS, SERIES_QUANTILES, type Measured, type StepMetrics } from "./metrics";
import { factorNote, optimizerKind, type PreconditionedKind } from "./preconditioned";
import { ClipWatch, paramSet, type GroupClip } from "./clip";
import { accumulatedBatch, accumulatedBatchLine, accumulationLine, clipLine, cycledMomentumLine, divergedText, lossLine, lowLrLine, lrExcursionLines, notDivergedLine, overTheRun, seriesMedian, setAsideLine, zeroedBetweenLine, zeroGradLines, type Accumulation, type ClipCounts, type CycledMomentum, type ZeroedBetween, type ZeroGrad } from "./summary_lines";
import type { Quantiles } from "./quantiles";
import type { Snapshots } from "./snapshot";
import { OFFLOAD_MIN_ELEMENTS, StepPipeline, type GroupAtStep, type StepSink } from "./steps";
import { env } from "../wasm_host";
import { MetricsRow, metricsOf, R_ANGLE, R_CLIP_FACTOR, R_ELEMENTWISE, R_GRAD_NORM, R_GRAD_NORM_RAW, R_LOSS, R_LR, R_MOMENTUM, R_PARAM_NORM, R_PER_SAMPLE, R_PRECONDITIONED, R_PROJECTED, R_RATIO, R_REALIZED, R_STEADY, R_WEIGHT_DECAY, setMeasured, setQuantiles, setScalars, setValue, valueAt } from "./row";
import { BoundedSeries, DEFAULT_CAPACITY, FIRST_GROW, SeriesSet, type SeriesJSON } from "./series";
import { suspended } from "./suspend";
import { closeMatches } from "../close_matches";
import { append_dropped_message, find_run, new_run_note, saveNamedTrace } from "./runs";
import { groupLabel } from "./group_label";
import { continuedTrace, layoutOf, optimizerIdentity, optionDifference, type Layout } from "./append";
import { momentumBeforeCycling } from "../optim/lr_scheduler/momentum";
import { lossScale } from "../tensor/loss_scale";
import { backward_runs } from "../tensor/autograd";
import { zeroedCount } from "../tensor/grad_zeroed";

/* eslint-disable @typescript-eslint/no-explicit-any */

/** What `trace()` needs of an optimizer (torch.optim.Optimizer has all of it). */
export interface TraceableOptimizer {
  param_groups: Array<{ params: Tensor[]; [key: string]: any }>;
  /**
   * Per-parameter state (read for the optimizer's own factor). Only `get` is typed: checking that
   * an optimizer's `Map<Tensor, ParamState>` fits a `Map<Tensor, ...>` made the type checker
   * measure Map's variance, ~8 ms in every cell that calls trace() (each cell has a new checker).
   */
  state: { get(p: Tensor): Record<string, any> | undefined };
  register_step_pre_hook?(hook: (...a: any[]) => unknown): { remove(): void };
  register_step_post_hook?(hook: (...a: any[]) => unknown): { remove(): void };
}

export interface TraceOptions {
  /**
   * Batch size B of the loss; needed for lr_per_sample under mean reduction. Every step's, unless
   * a step is given its own (a smaller last batch): `trace.log_loss(loss, { batch_size })` or
   * `trace.record({ loss, batch_size })` before that `optimizer.step()`.
   */
  batch_size?: number;
  /** Reduction of the loss: "mean" (default) or "sum". */
  reduction?: "mean" | "sum";
  /** Also record metrics per named parameter tensor. Default false. */
  per_param?: boolean;
  /** Names for per_param: `model.named_parameters()` pairs or a Map, or a function of the
   *  optimizer giving them when the trace starts (trace_all: when each optimizer first steps).
   *  Default: the optimizer's `param_names` when it was built from named parameters, else
   *  "group.index". */
  named_parameters?: Iterable<[string, Tensor]> | Map<string, Tensor> | ((optimizer: TraceableOptimizer) => Iterable<[string, Tensor]>);
  /**
   * The trace's name (legend, compare views). Default "trace". A name given makes the trace a run
   * of that name: `lrlab.run(name)`, `%lr_compare name` (runs.ts saveNamedTrace).
   */
  name?: string;
  /**
   * Which metrics to record as series (default all: see METRIC_NAMES). The configured `lr` and a
   * logged `loss` are recorded whatever the list says. The element-wise summaries left out are
   * not taken either (lr_elementwise, lr_preconditioned: null in latest()), which saves their
   * cost at every step.
   */
  metrics?: string[];
  /** Buckets per series (default 2000). */
  capacity?: number;
  /**
   * Buckets per series of each parameter (per_param; default PARAM_CAPACITY = 128, at most
   * `capacity`). A parameter's series need not keep the group's resolution: its lines are drawn
   * with a few dozen points at most (plot/figure.ts). See PARAM_CAPACITY for the bound.
   */
  param_capacity?: number;
  /**
   * Continue the run `name` rather than replace it (append.ts): its trace goes on from its last
   * step (series, divergence marker, per-parameter lines), traced with this optimizer, which is
   * its own or a new one of the same class over parameters of the same shapes (reloaded from a
   * checkpoint); anything else is an error naming the difference. The run's reduction, per_param,
   * metrics and capacities stay (given, they must be the run's); a batch_size given applies from
   * now on. No run of that name yet: this starts it. Default false.
   */
  append?: boolean;
}

/**
 * Buckets per series of one parameter tensor (per_param), by default. Its 18 series then hold at
 * most 18 × 128 buckets × 64 B = 147,456 B per parameter tensor however long the run (the
 * group's keep DEFAULT_CAPACITY = 2000 buckets: 2.3 MB per parameter at that resolution, which
 * was 113 MB for 50 parameter tensors). Merging is exact (series.ts), so every bucket a
 * parameter's series keeps reports the count, min, max, last value and steps of exactly the
 * steps it covers, as a series of any capacity does; only its sum may differ in the last bits
 * (the same values added in another order).
 */
export const PARAM_CAPACITY = 128;

/**
 * When the traced parameters have the default names ("group.index": the optimizer was given
 * `model.parameters()`) and a model's name was asked for: how to trace them by name.
 */
function defaultNamesNote(names: string[], asked: unknown): string {
  if (names.length === 0 || !names.every((n) => /^\d+\.\d+$/.test(n)) || (typeof asked === "string" && /^\d+\.\d+$/.test(asked))) return "";
  return ". These are default names (group.index): the optimizer was given model.parameters(). For the model's names, "
    + "build it from model.named_parameters(), or trace it with lrlab.trace(optimizer, { per_param: true, named_parameters: model.named_parameters() })";
}

/** Series recorded whatever the `metrics` option says (see the constructor). */
const ALWAYS_RECORDED = ["lr", "loss"];

const OPTION_KEYS = ["batch_size", "reduction", "per_param", "named_parameters", "name", "metrics", "capacity", "param_capacity", "append"];

/** The mark of a sum-reduced loss tensor (nn/functional/_reduce.ts SUM_REDUCED). */
const SUM_REDUCED = Symbol.for("lrlab.loss.sum_reduced");
/** The samples a mean-reduced loss tensor averages (nn/functional/_reduce.ts MEAN_SAMPLES). */
const MEAN_SAMPLES = Symbol.for("lrlab.loss.mean_samples");

/**
 * @internal A loss logged before a run's first step (global.ts): its value, the samples its mark
 * says (null: not a torch.nn mean loss), and that loss unscaled when it was logged as `loss.div(k)`
 * (loss_scale.ts; null: not a mean loss).
 */
export interface EarlyLoss {
  loss: number;
  samples: number | null;
  unscaled?: number | null;
}

/** @internal The torch.nn mean loss a logged value is, unscaled (loss_scale.ts), or null when it is not one. */
export function lossUnscaled(x: unknown, value: number): number | null {
  return lossSamples(x) !== null ? value / lossScale(x) : null;
}

/** @internal The samples a torch.nn loss reduced by "mean" averaged (its mark), or null. */
export function lossSamples(x: unknown): number | null {
  if (typeof x !== "object" || x === null) return null;
  const n = (x as Record<symbol, unknown>)[MEAN_SAMPLES];
  return typeof n === "number" ? n : null;
}

/**
 * The first non-finite step or loss. `step` and `lr` as always; the other fields say whose it
 * was (absent in JSON from before they existed, whose summary says step and lr alone). With
 * several groups `{ step, lr }` alone misled: a non-finite loss gave group 0's lr, and a group
 * gone non-finite was not named (a researcher's pass: "diverged at step 7 (lr 0.1)" where only
 * the group at lr 0.05 blew up).
 */
export interface Divergence {
  step: number;
  /** The lr of the group that diverged (`group`); for a non-finite loss, group 0's (`lrs`: every group's). */
  lr: number;
  /** "step": some Δ or θ_{t+1} of `group` was not finite; "loss": a logged loss was not finite. */
  cause?: "loss" | "step";
  /** The first group (by index) whose Δ or θ_{t+1} was not finite at `step`; null for a loss (not one group's). */
  group?: number | null;
  /** Every group whose Δ or θ_{t+1} was not finite at `step` (cause "step"; [] for a loss). */
  groups?: number[];
  /** Every group's lr at `step`, by group. */
  lrs?: number[];
  /** The loss that was not finite (cause "loss"), else null. */
  loss?: number | null;
}

export type StepListener = (trace: Trace, metrics: StepMetrics[]) => void;

/**
 * Every name `series()` takes: the scalar metrics, each quantile metric's levels
 * ("lr_elementwise.q50"), and the loss.
 */
const SERIES_NAMES: readonly string[] = [
  ...SCALAR_METRICS, ...QUANTILE_METRICS.flatMap((m) => SERIES_QUANTILES.map((q) => `${m}.${q}`)), "loss", "val_loss", ...CLIP_METRICS,
];

/** METRIC_NAMES before the clipping metrics: a saved trace recording all of these recorded every metric (from_json). */
const METRIC_NAMES_BEFORE_CLIP = METRIC_NAMES.filter((m) => !(CLIP_METRICS as readonly string[]).includes(m));

/** The series of one group or one parameter: metric key (e.g. "lr_elementwise.q50") → series. */
type SeriesMap = Map<string, BoundedSeries>;


function validateOptions(options: TraceOptions): void {
  if (options === null || typeof options !== "object") throw new TypeError(`trace: options must be an object, got ${options}`);
  for (const k of Object.keys(options)) {
    if (!OPTION_KEYS.includes(k)) throw new TypeError(`trace: unknown option "${k}"; valid options: ${OPTION_KEYS.join(", ")}`);
  }
  const { batch_size, reduction, metrics, capacity, param_capacity } = options;
  if (batch_size !== undefined && !(Number.isInteger(batch_size) && batch_size > 0)) {
    throw new RangeError(`trace: batch_size must be a positive integer, got ${batch_size}`);
  }
  if (reduction !== undefined && reduction !== "mean" && reduction !== "sum") {
    throw new RangeError(`trace: reduction must be "mean" or "sum", got ${JSON.stringify(reduction)}`);
  }
  if (metrics !== undefined) {
    if (!Array.isArray(metrics)) throw new TypeError(`trace: metrics must be an array of names; valid names: ${METRIC_NAMES.join(", ")}`);
    const bad = metrics.filter((m) => !METRIC_NAMES.includes(m));
    if (bad.length > 0) {
      // each unknown name with the close ones, as the magics say it (`--metric`)
      const named = bad.map((b) => {
        const near = typeof b === "string" ? closeMatches(b, METRIC_NAMES) : [];
        return `${JSON.stringify(b)}${near.length ? ` (did you mean ${near.join(" or ")}?)` : ""}`;
      });
      throw new RangeError(`trace: unknown metric${bad.length > 1 ? "s" : ""} ${named.join(", ")}; valid names: ${METRIC_NAMES.join(", ")}`);
    }
  }
  if (capacity !== undefined && !(Number.isInteger(capacity) && capacity >= 2 && capacity % 2 === 0)) {
    throw new RangeError(`trace: capacity must be an even integer >= 2, got ${capacity}`);
  }
  if (param_capacity !== undefined && !(Number.isInteger(param_capacity) && param_capacity >= 2 && param_capacity % 2 === 0)) {
    throw new RangeError(`trace: param_capacity must be an even integer >= 2, got ${param_capacity}`);
  }
  if (options.append !== undefined && typeof options.append !== "boolean") {
    throw new TypeError(`trace: append must be true or false, got ${JSON.stringify(options.append)}`);
  }
}

/** @internal A logged loss as a number (global.ts checks one when it logs it: an error there, not in step()). */
export function lossNumber(x: unknown): number {
  return toNumber(x);
}

/** @internal Whether a logged loss is a tensor a torch.nn loss reduced by "sum" (global.ts keeps that, not the tensor). */
export function lossSumReduced(x: unknown): boolean {
  return typeof x === "object" && x !== null && (x as Record<symbol, unknown>)[SUM_REDUCED] === true;
}

function toNumber(x: unknown): number {
  if (typeof x === "number") return x;
  if (x !== null && typeof x === "object") {
    const t = x as { item?: () => number; data?: ArrayLike<number>; numel?: () => number; shape?: number[] };
    // a loss per sample (reduction "none"): one number per step is what the loss panel draws
    const n = typeof t.numel === "function" ? t.numel() : 1;
    if (n !== 1) {
      throw new TypeError(`trace.log_loss: the loss is one number per step, got a tensor of ${n} elements (shape [${(t.shape ?? []).join(", ")}]); `
        + "reduce it first: loss.mean() (or loss.sum() for a sum-reduced loss)");
    }
    if (typeof t.item === "function") return Number(t.item());
    if (t.data !== undefined && t.data.length === 1) return Number(t.data[0]);
  }
  throw new TypeError(`trace.log_loss: expected a number or a one-element tensor, got ${typeof x}`);
}

/** The tracer's worker thread switched off (offload.ts): every step is measured at once. */
const WORKER_OFF = env("LRLAB_TRACE_WORKER") === "0";

/**
 * Three values of a gradient (its first, middle and last element; a sparse one's count of
 * entries), written to `out` from index `k`: what tells a gradient zeroed and accumulated in
 * place since (Trace.gradientsMoved), at three reads per parameter. Returns the index after them
 * (written in place, not pushed after emptying the array: markGradients runs every step).
 */
function sampleGradient(g: Tensor, out: number[], k: number): number {
  if (g.is_sparse) {
    out[k] = g._nnz();
    return k + 1;
  }
  const d = g.data, n = d.length;
  if (n === 0) {
    out[k] = 0;
    return k + 1;
  }
  out[k] = Number(d[0]);
  out[k + 1] = Number(d[n >> 1]);
  out[k + 2] = Number(d[n - 1]);
  return k + 3;
}

/** Whether two gradient samples (sampleGradient) are the same values (NaN: no gradient, equal to itself). */
function sameSample(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * The losses logged for the coming step so far (Trace.log_loss), when a backward() between them
 * makes them micro-batches of one step (gradient accumulation): how many, their sum and last
 * value (unscaled: loss_scale.ts) and its logged value, whether every one was a torch.nn loss
 * reduced by "mean" (its mark, _reduce.ts), a sample of the traced gradients at the last one
 * (what tells a backward() between two logs) and a gradient tensor then (what tells zero_grad()
 * between them: `resets`); whether the first one may be no training loss (`fresh`: a number
 * logged after a step that had its loss, no backward() since) and the same sums over the others.
 */
interface Micro {
  k: number;
  sum: number;
  last: number;
  lastV: number;
  means: boolean;
  grads: number[];
  samples: number;
  lastSamples: number;
  ref: { p: Tensor; g: Tensor; zeroed: number } | null;
  resets: number;
  fresh: boolean;
  headValue: number;
  rest: { k: number; sum: number; means: boolean; samples: number; lastSamples: number };
  /** Logged before the trace existed (global.ts): no gradient seen between them. */
  early: boolean;
}

/** A logged loss off the autograd graph: a number, or a tensor without grad_fn (computed under no_grad, or detached). */
function detachedLoss(x: unknown): boolean {
  if (typeof x === "number") return true;
  const t = x as { grad_fn?: unknown } | null;
  return t === null || typeof t !== "object" || t.grad_fn === null || t.grad_fn === undefined;
}

/** `acc` (a new record when null) with the step of micro-batch losses `m` counted in: its count, range and samples. */
function countAccumulated(acc: Accumulation | null, m: Micro): Accumulation {
  const a = acc ?? { steps: 0, lo: m.k, hi: m.k, averaged: 0 };
  a.steps++;
  if (m.k < a.lo) a.lo = m.k;
  if (m.k > a.hi) a.hi = m.k;
  if (m.means) a.averaged++;
  // the samples of an accumulated step's gradient: its micro-batches' (summary: the batch-size hint)
  if (m.means && Number.isFinite(m.samples)) {
    const r = a.samples;
    if (r === undefined) a.samples = [m.samples, m.samples];
    else if (r !== null) a.samples = [Math.min(r[0], m.samples), Math.max(r[1], m.samples)];
  } else a.samples = null;
  return a;
}

export class Trace implements Plottable {
  readonly plot_kind = "trace" as const;
  name: string;
  /**
   * The traced optimizer while the trace is active; null once it is stopped, and for a trace loaded
   * with from_json. A run kept for `%lr_compare` (runs.ts) or a trace kept in a variable keeps its
   * series, not the model and optimizer state it traced (a long session makes many of them).
   * Not even weakly: a `WeakRef` keeps its target alive until the end of the JavaScript job that
   * made it (V8), so a cell tracing 40 runs in a loop kept all 40 models (~130 MB for the bench's
   * MLP) until it ended. What the stopped trace still reads from the optimizer (its groups'
   * hyper-parameters, for the summary) is copied at stop (`groupsAtStop`).
   */
  get optimizer(): TraceableOptimizer | null {
    return this.optimizerRef;
  }
  private optimizerRef: TraceableOptimizer | null;
  /** Which optimizer this trace measured (optimizerIdentity), to tell it again without holding it. */
  private optimizerId = 0;
  /** The param groups' entries but `params`, as they were when the trace stopped. */
  private groupsAtStop: Record<string, unknown>[] = [];
  /** The optimizer's class name (e.g. "Adam"). */
  readonly optimizer_name: string;
  readonly batch_size: number | null;
  readonly reduction: "mean" | "sum";
  readonly per_param: boolean;
  /** The metrics recorded as series. */
  readonly metrics: readonly string[];
  /** Steps seen. */
  steps = 0;
  private _diverged: Divergence | null = null;
  private readonly _errors: Error[] = [];

  private readonly kind: PreconditionedKind | null;
  /** Why lr_preconditioned is null for this optimizer (preconditioned.ts factorNote); null: known. */
  private factorNote: string | null;
  /** The clipping calls seen between steps (clip.ts): this trace's own, or its trace_all run's. */
  private clipWatch: ClipWatch | null = null;
  private ownClipWatch = false;
  /** Each step's clipping per group, until its groups are recorded (the pipeline may defer them). */
  private readonly clipAt = new Map<number, (GroupClip | null)[]>();
  private readonly clipCounts: ClipCounts = { ran: 0, clipped: 0, uniform: [] };
  /**
   * Per group, the momentum range a scheduler cycling momentum set on an optimizer built with
   * momentum 0 (summary); null: not so; undefined: not known yet (no step with momentum yet).
   */
  private readonly momentumCycled: (CycledMomentum | null | undefined)[] = [];
  /** Per group, its parameters measured at some step (per_param): recordStep gives the others a null record. */
  private readonly groupParams: Set<string>[] = [];
  private readonly capacity: number;
  private readonly paramCapacity: number;
  private readonly groupSeries: SeriesMap[] = [];
  private readonly paramSeries = new Map<string, { group: number; series: SeriesMap; vector: boolean }>();
  private readonly lossSeries: BoundedSeries;
  /**
   * Per group: its last step's metrics (`lastGroups`, which makes them from the rows first). A
   * group recorded from a row has null here until they are asked for (row.ts: made when read).
   */
  private readonly _latest: (StepMetrics | null)[] = [];
  /** Per group: the row of its last recorded step (its StepMetrics made from it when read, `rowPending`), and a spare one the pipeline fills next. */
  private readonly lastRows: (MetricsRow | undefined)[] = [];
  private readonly spareRows: (MetricsRow | undefined)[] = [];
  /** Per group: whether its last step's StepMetrics is still to be made from its row; and how many are. */
  private readonly rowPending: boolean[] = [];
  private pendingRows = 0;
  /**
   * per_param: the row a parameter's StepMetrics is made from (stepMetrics), made at its first use:
   * a trace whose steps take the small path never needs it, and a MetricsRow's typed arrays were
   * a tenth of a trace's making (PERF.md session 28, round 2).
   */
  private scratchRow: MetricsRow | null = null;
  /** Per group: its last step's elements with g = 0, and its steps with ‖g‖ = 0 (summary). */
  private readonly zeroGrad: ZeroGrad[] = [];
  /** Whether each group's last step was finite (summary: why its rates are "—"). */
  private readonly lastFinite: boolean[] = [];
  private readonly lastParams = new Map<string, StepMetrics>();
  /** Parameter names (weak: a stopped trace lets the parameters go). */
  private readonly names = new WeakMap<Tensor, string>();
  /** The copies and the measurement of each step (steps.ts). */
  private readonly pipeline: StepPipeline;
  private handles: { remove(): void }[] = [];
  private listeners = new Set<StepListener>();
  /** Measured steps the listeners have not heard of yet, oldest first, each with its turn (`hear`). */
  private readonly unheard: { step: number; due: number; out: StepMetrics[] }[] = [];
  /** Steps handed to `notify` so far (the pipeline tells of every step once, in order). */
  private measuredSteps = 0;
  /** Steps large enough for the worker thread (`isLarge`), until the pipeline tells of them. */
  private readonly largeSteps = new Set<number>();
  private hearing = false;
  private hearLater = false;
  /** The loss logged for the coming step (log_loss: the later call replaces it). */
  private pendingLoss: number | null = null;
  /**
   * The loss of the last step taken, not in `lossSeries` yet: a later log_loss for that step
   * replaces it; it goes in at the next step (reads see it: `lossView`).
   */
  private heldLoss: { step: number; value: number } | null = null;
  /** Where the log_loss calls since the last step went ("taken": that step; null: none yet). */
  private loggedSince: "coming" | "taken" | null = null;
  /**
   * The traced gradients at the post-hook of a step without a loss (`gradientsMoved`): how many,
   * three values of each, and the smallest of them (held: `zero_grad()` replaces every gradient
   * with null, and backward() makes new ones). Count -1: not marked.
   */
  private gradCount = -1;
  private readonly gradValues: number[] = [];
  private gradRef: Tensor | null = null;
  /** The batch size given for the coming step (log_loss/record), and each step's until recorded. */
  private pendingBatch: number | null = null;
  private readonly stepBatch = new Map<number, number>();
  private sawStepBatch = false;
  private warnedLateBatch = false;
  private lastStepHasLoss = false;
  private lastLoss: number | null = null;
  /** `lastLoss` before the coming step's loss was logged (`_withdraw_coming_loss` puts it back). */
  private lastLossBefore: number | null = null;
  /**
   * The coming step's loss was handed over by a run of several optimizers (global.ts) after
   * another optimizer stepped with it: a loss logged after this step, with no gradient changed,
   * still replaces it as this step's (see `_log_coming_loss`).
   */
  private pendingWeak = false;
  /** step(closure): how deep in calls of the closure (see `_before_step`), and whether one logged a loss. */
  private closureDepth = 0;
  private closureLogged = false;
  /** Set while `_log_coming_loss` logs: the loss is the coming step's. */
  private forcingComing = false;
  /** Whether the note on a sum-reduced loss under reduction "mean" was given (log_loss: once). */
  private warnedSum = false;
  /**
   * Losses logged whose torch.nn mean averaged another number of samples than `batch_size` (no
   * per-step batch size given): how many, and the smallest and largest such number (the summary).
   */
  private otherBatch: { losses: number; lo: number; hi: number } | null = null;
  /**
   * The losses logged for the coming step so far (log_loss), when a backward() between them makes
   * them micro-batches of one step (gradient accumulation): how many, their sum and last value,
   * whether every one was a torch.nn loss reduced by "mean" (its mark, _reduce.ts), and a sample
   * of the traced gradients at the last one (what tells a backward() between two logs).
   */
  private micro: Micro | null = null;
  /** Steps that got several micro-batch losses (summary_lines.ts accumulationLine). */
  private accumulation: Accumulation | null = null;
  /** Steps whose several losses had zero_grad() run between them: no accumulation (zeroedBetweenLine). */
  private zeroedBetween: ZeroedBetween | null = null;
  /** A first step's micro-batch losses logged before the trace existed, until the next step of several tells what they were (closeMicro). */
  private earlyMicro: Micro | null = null;
  /** The process's backward passes (autograd.ts backward_runs) at the last step's post-hook: what tells "no backward() since". */
  private backwardsAtStep = -1;
  /**
   * Validation losses (log_loss(v, { split: "val" }), record({ val_loss })), each at the steps
   * taken when it was logged (the weights it measured are those the coming step starts from, as
   * a training loss logged for that step); the last one held (a later one for the same step
   * replaces it) until one for a later step comes.
   */
  private readonly valSeries: BoundedSeries;
  private pendingVal: { step: number; value: number } | null = null;
  /** Losses set aside from the training loss series (setAsideLine): how many, and at which steps. */
  private setAside: { count: number; steps: number[] } | null = null;
  /** The traced optimizer's parameter shapes and names by place (append.ts: who may continue it). */
  private layout: Layout | null = null;
  private positions: string[][] = [];
  private readonly metricSet: Set<string>;
  /**
   * Each series map's set (series.ts SeriesSet: its series share one store, pushed together) and
   * the set's column of each slot of `pushSeries` (-1: that metric is not recorded).
   */
  private readonly slots = new WeakMap<SeriesMap, { set: SeriesSet; c: Int32Array }>();

  /** Use `trace(optimizer, options)`; this constructor does not hook anything by itself. */
  constructor(optimizer: TraceableOptimizer | null, options: TraceOptions = {}, optimizer_name?: string) {
    validateOptions(options);
    this.optimizerRef = optimizer;
    const k = optimizer ? optimizerKind(optimizer) : { name: optimizer_name ?? "Optimizer", kind: null, overrides: null };
    this.optimizer_name = optimizer_name ?? k.name;
    this.kind = k.kind;
    this.factorNote = optimizer ? factorNote(k) : null;
    this.name = options.name ?? "trace";
    this.batch_size = options.batch_size ?? null;
    this.reduction = options.reduction ?? "mean";
    this.per_param = options.per_param ?? false;
    this.metrics = options.metrics ? [...options.metrics] : [...METRIC_NAMES];
    // The configured lr and a logged loss are recorded whatever `metrics` says: the loss is not a
    // rate the user trades off (with --metrics lr_projected,angular_update, log_loss's loss was
    // dropped from the plot and series("loss") while the summary printed it: a user's pass), and
    // the lr, one number a step, is what the rates are read against (the summary's "over the run"
    // line, the plot's configured-lr line and the rates panel's legend). `metrics` stays the list
    // given (append.ts compares it).
    this.metricSet = new Set([...this.metrics, ...ALWAYS_RECORDED]);
    this.capacity = options.capacity ?? DEFAULT_CAPACITY;
    this.paramCapacity = Math.min(this.capacity, options.param_capacity ?? PARAM_CAPACITY);
    this.lossSeries = new BoundedSeries(this.capacity);
    this.lossSeries.name = "loss";
    this.valSeries = new BoundedSeries(this.capacity);
    this.valSeries.name = "val_loss";
    if (optimizer) {
      this.nameParameters(optimizer, options.named_parameters);
      this.remember(optimizer);
    }
    const sink: StepSink = {
      record: (step, gi, at, meas, params, loss) => this.recordStep(step, gi, at, meas, params, loss),
      rowFor: (gi) => this.rowFor(gi),
      recordRow: (step, gi, row, loss) => this.recordRow(step, gi, row, loss),
      notify: (out, step) => this.notify(out, step),
      fail: (e) => this.fail(e),
    };
    this.pipeline = new StepPipeline(sink, this.per_param, this.kind, this.metricSet, (p, gi, i) => this.nameOf(p, gi, i));
  }

  /** @internal θ_t/g_t copies and the per-element pass (snapshot.ts). */
  get _snapshots(): Snapshots {
    return this.pipeline.snapshots;
  }

  /** @internal Measure large steps on the worker thread (tests turn it off to compare). */
  get _use_worker(): boolean {
    return this.pipeline.use_worker;
  }

  set _use_worker(on: boolean) {
    this.pipeline.use_worker = on;
    this.pipeline.worker_forced = on;
  }

  /** @internal Whether small steps take the small path (small.ts; tests compare it with the general path). */
  get _use_small(): boolean {
    return this.pipeline.use_small;
  }

  set _use_small(on: boolean) {
    this.pipeline.use_small = on;
  }

  /** Whether the trace still receives steps. */
  get active(): boolean {
    return this.handles.length > 0;
  }

  /**
   * Stop tracing: removes the hooks. The data stays; the optimizer is then held weakly (see
   * `optimizer`), and the series give back the room they had grown for more steps.
   */
  stop(): void {
    // a number logged after the last step had its loss, no backward() since, no step after it:
    // no training loss (a validation loss after the last epoch read as a step past the run's end)
    const m = this.micro;
    if (this.pendingLoss !== null && this.loggedSince === "coming" && m !== null && m.k === 1 && m.fresh && this.optimizerRef !== null && this.noBackwardSince(m.grads)) {
      this.putAside(this.steps, m.headValue);
      this.pendingLoss = null;
      this.micro = null;
      this.loggedSince = null;
      this.lastLoss = this.lastLossBefore;
    }
    for (const h of this.handles) h.remove();
    this.handles = [];
    if (this.ownClipWatch) this.clipWatch?.stop();
    this.clipWatch = null;
    this.ownClipWatch = false;
    this.pipeline.stop();
    this.hear(Infinity); // every step measured, to the listeners
    const opt = this.optimizerRef;
    if (opt !== null) {
      this.remember(opt);
      this.groupsAtStop = opt.param_groups.map((g) => {
        const { params: _params, ...rest } = g as Record<string, unknown>;
        return rest;
      });
    }
    this.optimizerRef = null;
    this.gradRef = null;
    for (const map of [...this.groupSeries, ...[...this.paramSeries.values()].map((e) => e.series)]) {
      if (map !== undefined) for (const series of map.values()) series.compact();
    }
    this.lossSeries.compact();
  }

  /** The first step whose Δ, θ_{t+1} or logged loss was not finite (null: none). */
  get diverged_at(): Divergence | null {
    this.settle();
    return this._diverged;
  }

  set diverged_at(d: Divergence | null) {
    this._diverged = d;
  }

  /** Errors caught inside the hooks (the last 10), so a failing tracer never breaks training. */
  get errors(): Error[] {
    this.settle();
    return this._errors;
  }

  /** @internal Used by trace() and trace_all(): the hooks' removal handles. */
  _attach(handles: { remove(): void }[]): void {
    this.handles.push(...handles);
  }

  /**
   * @internal Where the clipping calls between this trace's steps are seen (clip.ts): a watch of
   * its own (trace(): stopped with it), or its trace_all run's (`own` false: the run stops it).
   */
  _watch_clipping(watch: ClipWatch | null, own: boolean): void {
    if (this.ownClipWatch && this.clipWatch !== watch) this.clipWatch?.stop();
    this.clipWatch = watch;
    this.ownClipWatch = own;
  }

  /** The optimizer's parameter shapes and names, by group and place (append.ts). */
  private remember(optimizer: TraceableOptimizer): void {
    this.optimizerId = optimizerIdentity(optimizer);
    this.layout = layoutOf(optimizer);
    this.positions = optimizer.param_groups.map((g, gi) => g.params.map((p, i) => this.nameOf(p, gi, i)));
  }

  /** @internal Whether this trace measured `optimizer` (also once stopped, without holding it). */
  _traced(optimizer: object): boolean {
    return this.optimizerId !== 0 && optimizerIdentity(optimizer) === this.optimizerId;
  }

  /** The number of parameter groups of the traced optimizer (at the stop, once stopped). */
  get group_count(): number {
    return this.optimizerRef?.param_groups.length ?? Math.max(this.groupsAtStop.length, this.lastGroups.length, 1);
  }

  /** @internal Per group, each traced parameter's shape (null: loaded with from_json). */
  get _layout(): Layout | null {
    return this.layout;
  }

  /** @internal The name of the parameter at group `g`, place `i` of the traced optimizer. */
  _position_name(g: number, i: number): string | null {
    return this.positions[g]?.[i] ?? null;
  }

  /** @internal The options that shape what this trace records (append.ts optionDifference). */
  get _record_options(): { reduction: "mean" | "sum"; per_param: boolean; metrics: readonly string[]; capacity: number; param_capacity: number } {
    return { reduction: this.reduction, per_param: this.per_param, metrics: this.metrics, capacity: this.capacity, param_capacity: this.paramCapacity };
  }

  /**
   * @internal Continue this trace with `optimizer` (append.ts decided it may): its own optimizer
   * again, or a new one whose parameters take the names of the run's at the same places, so each
   * parameter's lines go on. Its next step is numbered after the last one. An active trace (its
   * own hooks) is stopped first; the caller hooks it again. `batch_size`: every coming step's.
   */
  _continue(optimizer: TraceableOptimizer, batch_size?: number): void {
    if (this.active) this.stop();
    if (!this._traced(optimizer)) {
      optimizer.param_groups.forEach((g, gi) => {
        g.params.forEach((p, i) => {
          if (!this.names.has(p)) this.names.set(p, this.positions[gi]?.[i] ?? (g as { param_names?: string[] }).param_names?.[i] ?? `${gi}.${i}`);
        });
      });
    }
    this.optimizerRef = optimizer;
    this.remember(optimizer);
    if (batch_size !== undefined) (this as { batch_size: number | null }).batch_size = batch_size;
  }

  /**
   * The exact metrics of the last step of `group`; null until the traced optimizer's first
   * `step()` (a value to test, not an error: "nothing measured yet", as `latest_param` says it).
   * Cells do not check nulls (strictNullChecks is off there), so `t.latest().lr` type-checks: test
   * it, `t.latest()?.lr`; the kernel's error for a null read after latest() says so.
   */
  latest(group = 0): StepMetrics | null {
    this.settle();
    this.checkGroup("trace.latest", group);
    return this.lastGroups[group] ?? null;
  }

  /** A RangeError unless `group` is a parameter group of the traced optimizer (latest, series). */
  private checkGroup(caller: string, group: number): void {
    const written = typeof group === "number" ? String(group) : JSON.stringify(group);
    if (!Number.isInteger(group) || group < 0) throw new RangeError(`${caller}: group must be a non-negative integer, got ${written}`);
    const ngroups = this.optimizer ? this.optimizer.param_groups.length : Math.max(this.groupsAtStop.length, this.lastGroups.length);
    // group 0 always exists (an optimizer has a group), also for a trace loaded or stopped before
    // any step, whose optimizer is gone: its series("loss") is the loss, not an error
    if (group >= Math.max(ngroups, this.lastGroups.length, 1)) {
      throw new RangeError(`${caller}: group ${group} out of range (the optimizer has ${ngroups} parameter group${ngroups === 1 ? "" : "s"})`);
    }
  }

  /**
   * The exact metrics of the last step of a named parameter (per_param traces); the default name
   * "group.index" finds a parameter the trace named otherwise (paramAlias).
   *
   * A parameter without a gradient at the last step (step() skipped it) has that step with null
   * rates, as `latest(group)` has for a group without gradients: not its last measured step. A
   * parameter of the optimizer that no step measured yet (requires_grad false, or frozen so far)
   * gives null, as `latest()` does before the first step ("nothing measured yet"): it said "no
   * parameter named", for a parameter the summary's group label names. A name the optimizer does
   * not have is a RangeError naming the near ones.
   */
  latest_param(name: string): StepMetrics | null {
    this.settle();
    if (!this.per_param) throw new Error("trace.latest_param: this trace was made without per_param: true");
    name = this.paramAlias(name);
    const m = this.lastParams.get(name);
    if (m === undefined && !this.paramSeries.has(name)) this.unknownParam("trace.latest_param", name);
    return m ?? null;
  }

  /**
   * Unless `name` is a parameter of the optimizer that no step measured yet (latest_param: null,
   * series: undefined, "nothing measured yet"; its group is returned), a RangeError naming the
   * traced parameters.
   */
  private unknownParam(caller: string, name: string): number {
    const all = this.unmeasuredParams();
    const group = all.get(name);
    if (group !== undefined) return group;
    const unmeasured = [...all.keys()];
    const names = [...this.paramSeries.keys()];
    const near = typeof name === "string" ? closeMatches(name, [...names, ...unmeasured]) : [];
    const none = unmeasured.length > 0 ? `; no gradient yet (nothing measured): ${unmeasured.join(", ")}` : "";
    throw new RangeError(`${caller}: no parameter named ${JSON.stringify(name)}${near.length ? ` (did you mean ${near.join(" or ")}?)` : ""}; `
      + `traced: ${names.join(", ") || "(none yet)"}${none}${defaultNamesNote(names, name)}`);
  }

  /**
   * The traced name of the parameter a default name "group.index" ("0.3": group 0, parameter 3)
   * points to, when the trace named it otherwise (`%%lr_trace --per-param` names parameters after
   * the modules the notebook's variables hold, even for an optimizer built from
   * `model.parameters()`): `latest_param("0.3")` was an error there. Other names as they are.
   */
  private paramAlias(name: string): string {
    if (typeof name !== "string" || this.paramSeries.has(name)) return name;
    const m = /^(\d+)\.(\d+)$/.exec(name);
    const named = m ? this._position_name(Number(m[1]), Number(m[2])) ?? undefined : undefined;
    return named !== undefined && this.paramSeries.has(named) ? named : name;
  }

  /** Names of the traced parameters (per_param). */
  param_names(): string[] {
    this.settle();
    return [...this.paramSeries.keys()];
  }

  /**
   * The loss of a step (a number, or a one-element tensor: `loss.mean()` of a per-sample loss).
   *
   * Which step: logged between `loss.backward()` and `optimizer.step()` (the usual place, every
   * step or every K steps), the loss belongs to the coming step. Logged after `optimizer.step()`
   * and before the next `zero_grad()`/`backward()`, it belongs to the step just taken, when that
   * step got no loss before it. The tracer tells the two apart by the gradients: a loss logged
   * once the gradients changed since the last step (`zero_grad()` or `backward()` ran) is the
   * coming step's; with the gradients as the last step left them it is that step's, unless that
   * step got its loss before it. So a loss logged at the top of the loop, before `zero_grad()`,
   * is the coming step's when the step before got one; logged there only every K steps it cannot
   * be told from a loss logged after the step before: log it after `backward()`. Logged twice for
   * one step, the later value replaces the earlier one.
   *
   * Logged during `step(closure)` (inside the closure, PyTorch's idiom for LBFGS), the first loss
   * logged in that step() is the step's: the closure's first evaluation, at θ_t, which is the loss
   * step() returns (LBFGS's orig_loss) and the one PyTorch's examples print. It replaces a loss
   * logged for that step before step(); the later evaluations in that step (LBFGS's line search,
   * at other points than θ_t) are not the step's loss and are left out (a non-finite one there is
   * not a divergence of the run either).
   *
   * `{ batch_size }`: the batch size of the coming step (its lr_per_sample; a DataLoader's smaller
   * last batch), given with its loss between backward() and step().
   */
  log_loss(loss: number | Tensor, options?: { batch_size?: number; split?: "train" | "val" }): void {
    if (options !== undefined && options !== null && typeof options === "object" && options.split !== undefined) {
      if (options.split !== "train" && options.split !== "val") {
        throw new TypeError(`trace.log_loss: split must be "train" (the coming step's training loss, the default) or "val" (a validation loss, its own series val_loss), got ${JSON.stringify(options.split)}`);
      }
      if (options.split === "val") {
        if (options.batch_size !== undefined) throw new TypeError('trace.log_loss: batch_size is the coming step\'s training batch size; a validation loss ({ split: "val" }) takes none');
        this.logVal(this.steps, toNumber(loss));
        return;
      }
    }
    // one read per call: a loss tensor a torch.nn loss reduced by "sum" is marked (_reduce.ts)
    if (!this.warnedSum && this.reduction === "mean" && typeof loss === "object" && loss !== null && (loss as unknown as Record<symbol, unknown>)[SUM_REDUCED] === true) {
      this.warnSumLoss();
    }
    let v = toNumber(loss);
    const samples = lossSamples(loss);
    if (options?.batch_size === undefined) this.noteLossSamples(samples);
    if (options !== undefined) {
      if (options === null || typeof options !== "object") throw new TypeError(`trace.log_loss: options must be an object like { batch_size: B }, got ${options}`);
      const bad = Object.keys(options).filter((k) => k !== "batch_size" && k !== "split");
      if (bad.length > 0) throw new TypeError(`trace.log_loss: unknown option ${JSON.stringify(bad[0])}; valid options: batch_size, split`);
    }
    if (this.closureDepth > 0) {
      // inside step(closure): the first loss of this step() is its loss, the others are not
      if (this.closureLogged) return;
      this.closureLogged = true;
    }
    const taken = this.closureDepth === 0 && !this.forcingComing && this.lossGoesToStepTaken();
    if (options?.batch_size !== undefined) {
      if (taken) this.warnLateBatch("trace.log_loss");
      this._next_batch_size(options.batch_size, "trace.log_loss");
    }
    let step: number;
    if (taken) {
      step = this.steps - 1;
      this.loggedSince = "taken";
      this.heldLoss = { step, value: v };
      if (!this.pipeline.take_loss(step, v)) {
        for (const m of this.lastGroups) if (m && m.step === step) m.loss = v;
        for (const m of this.lastParams.values()) if (m.step === step) m.loss = v;
      }
    } else {
      step = this.steps;
      // several losses for the coming step with a backward() between them: its micro-batches
      if (this.closureDepth === 0 && !this.forcingComing) v = this.microLoss(v, lossUnscaled(loss, v), this.pendingLoss !== null && this.loggedSince === "coming", samples, detachedLoss(loss));
      else this.micro = null;
      this.loggedSince = "coming";
      if (this.pendingLoss === null) this.lastLossBefore = this.lastLoss;
      this.pendingLoss = v;
      this.pendingWeak = false;
    }
    this.lastLoss = v;
    if (!Number.isFinite(v)) this.lossDiverged(step, v);
  }

  /**
   * @internal A loss a run of several optimizers (global.ts) hands to this trace at its step's
   * pre-hook: the coming step's whatever the gradients say (it was logged before this step). With
   * `weak`, another optimizer already stepped with it: a loss logged after this step with no
   * gradient changed replaces it (optimizers trained one after the other in one cell, the loss
   * of the second logged after its step()).
   */
  _log_coming_loss(loss: number, sumReduced: boolean, weak: boolean, samples: number | null = null, earlier: readonly EarlyLoss[] = [], unscaled: number | null = null): void {
    if (sumReduced && !this.warnedSum && this.reduction === "mean") this.warnSumLoss();
    for (const e of earlier) this.noteLossSamples(e.samples);
    this.noteLossSamples(samples);
    this.forcingComing = true;
    try {
      this.log_loss(loss);
    } finally {
      this.forcingComing = false;
    }
    this.pendingWeak = weak;
    if (earlier.length > 0 && this.pendingLoss !== null) {
      // losses logged through a run before this optimizer's first step (global.ts): no trace saw
      // the gradients between them, and no step came between them: this step's micro-batches
      const all: EarlyLoss[] = [...earlier, { loss, samples, unscaled }];
      const means = all.every((e) => e.samples !== null);
      // (torch.nn mean losses: each unscaled, loss_scale.ts; their mean is the step's)
      const sum = all.reduce((a, e) => a + (means ? (e.unscaled ?? e.loss) : e.loss), 0);
      const n = all.reduce((a, e) => a + (e.samples ?? NaN), 0);
      this.micro = {
        k: all.length, sum, last: unscaled ?? loss, lastV: loss, means, grads: this.gradSample(), samples: n, lastSamples: samples ?? NaN,
        ref: null, resets: 0, fresh: false, headValue: loss, rest: { k: 0, sum: 0, means: true, samples: 0, lastSamples: 0 }, early: true,
      };
      if (means) this.pendingLoss = this.lastLoss = sum / all.length;
    }
  }

  /**
   * The value a loss logged for the coming step records (log_loss). The first one of a step starts
   * `micro`. A later one (`again`) after a backward() (a traced gradient changed since the last
   * one) is one more micro-batch: with every one a torch.nn mean loss, the step's loss is their
   * mean (summary_lines.ts accumulationLine says why), else the last one as before; without a
   * backward() between, it replaces the last one (README: the later value replaces the earlier).
   * `loss`: the torch.nn mean loss `v` is, unscaled (`loss.div(k)` logged: v·k, loss_scale.ts), or
   * null when `v` is not one; the mean is taken over those, so k micro-batches of loss/k give the
   * sum of the logged values, as PyTorch's loop adds them up.
   */
  private microLoss(v: number, loss: number | null, again: boolean, samples: number | null, detached: boolean): number {
    const m = this.micro;
    const grads = this.gradSample();
    const ref = this.gradHolder();
    const mean = loss !== null;
    const u = loss ?? v;
    // the samples the micro-batches' mean losses averaged, in all (NaN: some loss does not say)
    const n = samples ?? NaN;
    if (!again || m === null) {
      // a number (or a tensor off the graph) logged after a step that had its loss, no backward()
      // since: maybe no training loss (a validation loss after an epoch); the step decides (`_after_step`)
      const fresh = detached && this.steps > 0 && this.lastStepHasLoss
        && backward_runs() === this.backwardsAtStep;
      this.micro = {
        k: 1, sum: u, last: u, lastV: v, means: mean, grads, samples: n, lastSamples: n,
        ref, resets: 0, fresh, headValue: v, rest: { k: 0, sum: 0, means: true, samples: 0, lastSamples: 0 }, early: false,
      };
      return v;
    }
    const r = m.rest;
    if (!sameSample(grads, m.grads)) {
      // a backward() since the last one; the gradient it was in replaced since: zero_grad() ran
      // between (dense gradients accumulate in place, autograd.ts), so this backward() started
      // from zero (not after a first loss that may be no training loss: its gap is no micro-batch's)
      // (or zeroed in place: zero_grad(false), grad_zeroed.ts)
      if (m.ref !== null && (m.ref.p.grad !== m.ref.g || zeroedCount(m.ref.g) !== m.ref.zeroed) && !(m.k === 1 && m.fresh)) m.resets++;
      m.k++;
      m.sum += u;
      m.means &&= mean;
      m.samples += n;
      r.k++;
      r.sum += u;
      r.means &&= mean;
      r.samples += n;
    } else {
      m.sum += u - m.last; // the last one logged again with no backward() between: replaced
      m.means = m.k === 1 ? mean : m.means && mean;
      m.samples += n - m.lastSamples;
      if (m.k === 1) {
        m.headValue = v;
        m.fresh &&= detached;
      } else {
        r.sum += u - m.last;
        r.means = r.k === 1 ? mean : r.means && mean;
        r.samples += n - r.lastSamples;
      }
    }
    if (m.k > 1) r.lastSamples = n;
    m.last = u;
    m.lastV = v;
    m.lastSamples = n;
    m.grads = grads;
    m.ref = ref;
    return m.k > 1 && m.means ? m.sum / m.k : v;
  }

  /**
   * The smallest dense traced gradient and its parameter (null: none): a backward() adds into it
   * in place, so another tensor there later means the gradients were reset (zero_grad()) between.
   * The smallest, so that holding it past a reset keeps little alive.
   */
  private gradHolder(): { p: Tensor; g: Tensor; zeroed: number } | null {
    const optimizer = this.optimizer;
    if (optimizer === null) return null;
    let best: { p: Tensor; g: Tensor } | null = null, size = Infinity;
    for (const group of optimizer.param_groups) {
      for (const p of group.params) {
        const g = p.grad;
        if (g === null || g === undefined || g.is_sparse || g.data.length >= size) continue;
        size = g.data.length;
        best = { p, g };
      }
    }
    return best === null ? null : { ...best, zeroed: zeroedCount(best.g) };
  }

  /**
   * Whether no backward() ran since the gradients' sample `before`: the same values, or the same
   * times one factor in (0, 1] (clip_grad_norm_ scaled them in place since).
   */
  private noBackwardSince(before: readonly number[]): boolean {
    const now = this.gradSample();
    if (sameSample(now, before)) return true;
    if (now.length !== before.length) return false;
    let c: number | null = null;
    for (let i = 0; i < now.length; i++) {
      const a = before[i], b = now[i];
      if (Number.isNaN(a) || Number.isNaN(b)) {
        if (!(Number.isNaN(a) && Number.isNaN(b))) return false;
        continue;
      }
      if (a === 0) {
        if (b !== 0) return false;
        continue;
      }
      if (c === null) c = b / a;
      if (Math.abs(b - c * a) > 1e-5 * Math.abs(a)) return false;
    }
    return c !== null && c > 0 && c <= 1 + 1e-6;
  }

  /**
   * At the step: the first of its losses was logged after the last step had its loss, with no
   * backward() since, as a number (`fresh`), and the step's other losses came after backward()s,
   * the last one with no backward() after it (the losses follow their backward(), as log_loss
   * asks). That first one is then no micro-batch of this step (a validation loss logged after
   * an epoch's last step, merged into the next step's micro-batches, halved its loss: a user's
   * pass): set aside (val_loss), and the step's loss is the others'. Returns the step's loss.
   */
  private dropFreshHead(step: number, loss: number): number {
    const m = this.micro;
    if (m === null || m.k < 2 || !m.fresh || this.loggedSince !== "coming" || !this.noBackwardSince(m.grads)) return loss;
    this.putAside(step, m.headValue);
    const r = m.rest;
    m.k = r.k;
    m.sum = r.sum;
    m.means = r.means;
    m.samples = r.samples;
    m.fresh = false;
    const v = r.k > 1 && r.means ? r.sum / r.k : m.lastV;
    this.lastLoss = v;
    return v;
  }

  /** A loss kept out of the training loss series (dropFreshHead, stop): in val_loss, and counted for the summary. */
  private putAside(step: number, value: number): void {
    this.logVal(step, value);
    const a = this.setAside ?? (this.setAside = { count: 0, steps: [] });
    a.count++;
    if (a.steps.length < 5) a.steps.push(step);
  }

  /** A validation loss at `step` (see valSeries): a later one for the same step replaces it. */
  private logVal(step: number, value: number): void {
    const p = this.pendingVal;
    if (p !== null && p.step !== step) this.valSeries.push(p.step, p.value);
    this.pendingVal = { step, value };
  }

  /** The val_loss series as reads see it (with the one held); null when none was logged. */
  private valView(): BoundedSeries | null {
    if (this.pendingVal === null) return this.valSeries.steps > 0 ? this.valSeries : null;
    const s = BoundedSeries.from_json(this.valSeries.to_json());
    s.name = "val_loss";
    s.push(this.pendingVal.step, this.pendingVal.value);
    return s;
  }

  /** A few values of each traced gradient (sampleGradient), in order; [] without an optimizer. */
  private gradSample(): number[] {
    const out: number[] = [];
    const optimizer = this.optimizer;
    if (optimizer === null) return out;
    let k = 0;
    for (const g of optimizer.param_groups) {
      for (const p of g.params) {
        const gr = p.grad;
        if (gr === null || gr === undefined) {
          out[k++] = NaN; // (a gradient made by the next backward() is a change)
          continue;
        }
        k = sampleGradient(gr, out, k);
      }
    }
    return out;
  }

  /**
   * The step's micro-batch losses are final (the step is taken): counted when there were several,
   * as accumulation or as zero_grad() between them (`resets`). The losses of a run's first step
   * logged before its trace existed (global.ts, `early`: no gradient seen between them) are
   * counted as the next step of several losses is (the loop is the same), or as accumulation
   * when none comes (`accumulationSeen`).
   */
  private closeMicro(): void {
    const m = this.micro;
    this.micro = null;
    if (m === null || m.k < 2) return;
    if (m.early) {
      this.earlyMicro = m;
      return;
    }
    const early = this.earlyMicro;
    this.earlyMicro = null;
    for (const x of early !== null ? [m, early] : [m]) {
      if (m.resets > 0) {
        // zero_grad() between them: each backward() started from zero, no accumulation
        const z = this.zeroedBetween ?? (this.zeroedBetween = { steps: 0, lo: x.k, hi: x.k });
        z.steps++;
        if (x.k < z.lo) z.lo = x.k;
        if (x.k > z.hi) z.hi = x.k;
      } else this.accumulation = countAccumulated(this.accumulation, x);
    }
  }

  /**
   * @internal The samples each step's gradient averaged, when the losses showed gradient
   * accumulation with the same count at every such step and that is not the batch_size given
   * (the summary's hint: accumulatedBatchLine); null otherwise. `%lr_compare --x samples` says so
   * (its axis counts batch_size a step).
   */
  get _accumulated_batch(): number | null {
    if (this.reduction !== "mean" || this.sawStepBatch || this.batch_size === null) return null;
    const n = accumulatedBatch(this.accumulationSeen());
    return n !== null && n !== this.batch_size && Number.isInteger(n) ? n : null;
  }

  /** The accumulation the summary reads: with the first step's early losses still unclassified (closeMicro) counted as such. */
  private accumulationSeen(): Accumulation | null {
    const e = this.earlyMicro;
    return e === null ? this.accumulation : countAccumulated(this.accumulation === null ? null : { ...this.accumulation }, e);
  }

  /**
   * @internal The coming step's loss logged here was another optimizer's (global.ts: a run of one
   * optimizer so far, then another one stepped first with it): taken back.
   */
  _withdraw_coming_loss(): void {
    if (this.loggedSince !== "coming" || this.pendingLoss === null) return;
    this.pendingLoss = null;
    this.micro = null;
    this.pendingWeak = false;
    this.loggedSince = null;
    this.lastLoss = this.lastLossBefore;
  }

  /** @internal Whether a loss logged now would go to the step just taken (global.ts). */
  get _loss_goes_to_step_taken(): boolean {
    return this.closureDepth === 0 && this.lossGoesToStepTaken();
  }

  /** @internal Whether this trace's optimizer is running its step's closure now (global.ts). */
  get _in_step_closure(): boolean {
    return this.closureDepth > 0;
  }

  /**
   * A loss computed with reduction "sum" logged to a trace of reduction "mean": its lr_per_sample
   * (lr_projected/B) is then B times too small (EFFECTIVE_LR.md: a sum-reduced loss's per-sample
   * rate is lr_projected). Said once per trace, on stderr; the trace records on as it was told.
   */
  /**
   * A logged loss averaged `n` samples (its torch.nn mean; null: not known): counted when that is
   * not the declared batch_size and no batch size was given for the coming step.
   */
  private noteLossSamples(n: number | null): void {
    if (n === null || !(n > 0) || this.batch_size === null || n === this.batch_size || this.reduction !== "mean" || this.pendingBatch !== null || this.sawStepBatch) return;
    const o = this.otherBatch;
    if (o === null) this.otherBatch = { losses: 1, lo: n, hi: n };
    else {
      o.losses++;
      if (n < o.lo) o.lo = n;
      if (n > o.hi) o.hi = n;
    }
  }

  private warnSumLoss(): void {
    this.warnedSum = true;
    console.warn(`lrlab: the loss logged to the trace ${JSON.stringify(this.name)} was computed with reduction "sum" (a torch.nn loss or F.* loss given { reduction: "sum" }), `
      + `but the trace assumes reduction "mean": its lr_per_sample is lr_projected/B (γ/B for plain SGD), where a sum-reduced loss's per-sample rate is lr_projected (γ). `
      + `Trace it with { reduction: "sum" } (lrlab.trace(optimizer, { reduction: "sum" }), %%lr_trace --reduction sum), or train on a mean-reduced loss`);
  }

  /**
   * Whether a loss logged now belongs to the step just taken rather than the coming one (see
   * log_loss): no gradient changed since that step, and that step got no loss before it (or the
   * calls since it went to it).
   */
  private lossGoesToStepTaken(): boolean {
    if (this.steps === 0 || this.gradientsMoved()) return false;
    if (this.loggedSince !== null) return this.loggedSince === "taken";
    return !this.lastStepHasLoss;
  }

  /**
   * Marks the traced gradients at the post-hook of a step that got no loss before it (a few
   * reads per parameter): see `gradCount`. A gradient zeroed in place,
   * `zero_grad({ set_to_none: false })`, and accumulated again keeps its tensor, not its values.
   */
  private markGradients(optimizer: TraceableOptimizer): void {
    const values = this.gradValues;
    let count = 0, ref: Tensor | null = null, size = Infinity, k = 0;
    // indexed loops: for-of makes an iterator per array where V8 does not optimize it away (each step)
    const groups = optimizer.param_groups;
    for (let gi = 0; gi < groups.length; gi++) {
      const params = groups[gi].params;
      for (let i = 0; i < params.length; i++) {
        const gr = params[i].grad;
        if (gr === null || gr === undefined) continue;
        count++;
        k = sampleGradient(gr, values, k);
        if (!gr.is_sparse && gr.data.length < size) {
          size = gr.data.length;
          ref = gr;
        }
      }
    }
    if (values.length !== k) values.length = k;
    this.gradCount = count;
    this.gradRef = ref;
  }

  /** Whether a traced gradient changed since `markGradients` (false: not marked, or no optimizer). */
  private gradientsMoved(): boolean {
    const optimizer = this.optimizer;
    if (this.gradCount < 0 || optimizer === null) return false;
    const values: number[] = [];
    let count = 0, sawRef = false, k = 0;
    for (const g of optimizer.param_groups) {
      for (const p of g.params) {
        const gr = p.grad;
        if (gr === null || gr === undefined) continue;
        count++;
        if (gr === this.gradRef) sawRef = true;
        k = sampleGradient(gr, values, k);
      }
    }
    return count !== this.gradCount || (this.gradRef !== null && !sawRef) || !sameSample(values, this.gradValues);
  }

  /**
   * The loss series as reads see it: the recorded one, with the loss of the last step taken and
   * the one logged for the coming step (kept out of it until the next step, so that a later call
   * for the same step replaces them).
   */
  private lossView(): BoundedSeries {
    if (!this.metricSet.has("loss") || (this.heldLoss === null && this.pendingLoss === null)) return this.lossSeries;
    const s = BoundedSeries.from_json(this.lossSeries.to_json());
    s.name = "loss";
    if (this.heldLoss !== null) s.push(this.heldLoss.step, this.heldLoss.value);
    if (this.pendingLoss !== null) s.push(this.steps, this.pendingLoss);
    return s;
  }

  /**
   * `trace.record({ loss, batch_size })`: log_loss in record form; `batch_size` is the batch size
   * of the coming step (see `_next_batch_size`), either alone or with the loss.
   */
  record(values: { loss?: number | Tensor; batch_size?: number; val_loss?: number | Tensor }): void {
    if (values === null || typeof values !== "object") throw new TypeError("trace.record: expected an object like { loss, batch_size }");
    const bad = Object.keys(values).filter((k) => k !== "loss" && k !== "batch_size" && k !== "val_loss");
    if (bad.length > 0) throw new TypeError(`trace.record: unknown key ${JSON.stringify(bad[0])}; valid keys: loss, batch_size, val_loss`);
    if (values.val_loss !== undefined) this.log_loss(values.val_loss, { split: "val" });
    if (values.batch_size !== undefined) {
      if (values.loss !== undefined && this.lossGoesToStepTaken()) this.warnLateBatch("trace.record");
      this._next_batch_size(values.batch_size, "trace.record");
    }
    if (values.loss !== undefined) this.log_loss(values.loss);
  }

  /**
   * @internal The batch size B of the coming step (the next `optimizer.step()`), for its
   * lr_per_sample; the steps after it use the trace's `batch_size` again. A DataLoader's last
   * batch is smaller (100 samples in batches of 32: 32, 32, 32, 4): with `batch_size: 32` alone
   * its per-sample rate read γ/32 where it is γ/4. Given with the loss between backward() and
   * step(), as the loss usually is.
   */
  _next_batch_size(b: number, caller: string): void {
    if (!(Number.isInteger(b) && b > 0)) throw new RangeError(`${caller}: batch_size must be a positive integer, got ${b}`);
    this.pendingBatch = b;
    this.sawStepBatch = true;
  }

  /**
   * A batch size given with a loss that goes to the step just taken (logged after step(), see
   * log_loss): the batch size still goes to the coming step, which is not what the call reads as;
   * said once.
   */
  private warnLateBatch(caller: string): void {
    if (this.warnedLateBatch) return;
    this.warnedLateBatch = true;
    console.warn(`${caller}: batch_size is the batch size of the coming optimizer.step(); given with a loss after step() (no gradient changed since it), `
      + "the loss goes to the step just taken and the batch size to the next one: log them between loss.backward() and optimizer.step()");
  }

  /**
   * Calls `listener(trace, metrics per group)` once per step, in step order; returns a function
   * that unsubscribes. When: a step measured at once is heard at the end of its own
   * `optimizer.step()`. A large step (from 65,536 parameter elements with a gradient, measured on
   * the tracer's worker thread while the optimizer takes the next step, unless
   * LRLAB_TRACE_WORKER=0) is heard when
   * `optimizer.step()` is called for the second time after it (step k at the start of step k + 2),
   * so that listeners are always two steps behind, whatever the worker's speed. Every step taken is
   * heard at the latest when the trace is read (`latest()`, `series()`, `summary()`, `to_json()`, a
   * plot), when it stops, and when the code running it yields to the event loop (the end of the
   * cell in a notebook; the `%%lr_trace` cell stops its traces before it ends).
   */
  on_step(listener: StepListener): () => void {
    if (typeof listener !== "function") throw new TypeError("trace.on_step: listener must be a function");
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The bounded series of a metric (e.g. "lr_projected", "lr_elementwise.q50", "loss") of group
   * `group` (default 0), or of the parameter named `param` (per_param traces; its group, when
   * given, must be the parameter's). Undefined while a valid metric has no data: before the first
   * step, or a metric this trace does not record (its `metrics` option). An unknown metric (a
   * misspelt name, or "lr_elementwise" without its level), a group out of range, an unknown
   * parameter and a parameter of another group are RangeErrors naming what there is; a parameter
   * of the optimizer that had no gradient yet (frozen) is undefined, as before the first step.
   */
  series(metric: string, group?: number, param?: string): BoundedSeries | undefined {
    this.settle();
    if (!SERIES_NAMES.includes(metric)) {
      const near = typeof metric === "string" ? closeMatches(metric, SERIES_NAMES) : [];
      // a level latest() has but the series do not keep (a researcher asked for q25)
      const level = typeof metric === "string" ? /^(lr_elementwise|lr_preconditioned)\.(min|q25|q75|max)$/.exec(metric) : null;
      if (level !== null) {
        throw new RangeError(`trace.series: ${metric} is not kept as a series: the series of ${level[1]} are its q05, q50 and q95 `
          + `(${level[1]}.q05, .q50, .q95); latest() and latest_param() have every level (min, q05, q25, q50, q75, q95, max) of the last step`);
      }
      throw new RangeError(`trace.series: unknown metric ${JSON.stringify(metric)}${near.length ? ` (did you mean ${near.join(" or ")}?)` : ""}; `
        + `valid names: ${SERIES_NAMES.join(", ")}`);
    }
    this.checkGroup("trace.series", group ?? 0);
    let map = this.groupSeries[group ?? 0];
    if (param !== undefined) {
      if (!this.per_param) throw new Error("trace.series: this trace was made without per_param: true (param names a per-parameter series)");
      const name = this.paramAlias(param);
      const entry = this.paramSeries.get(name);
      if (entry === undefined) {
        // a parameter of the optimizer that no step measured yet: no data, as before the first step
        const gi = this.unknownParam("trace.series", name);
        if (group !== undefined && gi !== group) {
          throw new RangeError(`trace.series: parameter ${JSON.stringify(param)} is in group ${gi}, not group ${group}: `
            + `series(${JSON.stringify(metric)}, ${gi}, ${JSON.stringify(param)}) (or series(${JSON.stringify(metric)}, undefined, ${JSON.stringify(param)}))`);
        }
        if (metric === "loss") return this.lossView();
        return undefined;
      }
      if (group !== undefined && entry.group !== group) {
        throw new RangeError(`trace.series: parameter ${JSON.stringify(param)} is in group ${entry.group}, not group ${group}: `
          + `series(${JSON.stringify(metric)}, ${entry.group}, ${JSON.stringify(param)}) (or series(${JSON.stringify(metric)}, undefined, ${JSON.stringify(param)}))`);
      }
      map = entry.series;
    }
    if (metric === "loss") return this.lossView(); // one per trace, whatever the group or parameter
    if (metric === "val_loss") return this.valView() ?? undefined;
    return map?.get(metric);
  }

  /**
   * Bytes the trace's series hold (typed arrays): at most 64 B × capacity per group series and
   * 64 B × param_capacity per parameter series (18 series each at most, plus the loss), so
   * bounded whatever the number of steps.
   */
  get series_bytes(): number {
    this.settle();
    let n = this.lossSeries.byte_length;
    for (const map of this.groupSeries) if (map !== undefined) for (const s of map.values()) n += s.byte_length;
    for (const { series } of this.paramSeries.values()) for (const s of series.values()) n += s.byte_length;
    return n;
  }

  /** The param groups as they are now (the optimizer's), or as they were when the trace stopped. */
  private groupsNow(): readonly Record<string, unknown>[] {
    return (this.optimizerRef?.param_groups as Record<string, unknown>[] | undefined) ?? this.groupsAtStop;
  }

  private currentLr(): number {
    const g = this.groupsNow()[0];
    return g ? Number(g.lr) : (this.lastGroups[0]?.lr ?? NaN);
  }

  private fail(e: unknown): void {
    this._errors.push(e instanceof Error ? e : new Error(String(e)));
    if (this._errors.length > 10) this._errors.shift();
  }

  /**
   * Group `gi`'s step `step` (at learning rate `lr`) was not finite: the earliest such step is
   * kept, with every group that went non-finite at it (groups are recorded in order within a step).
   * A divergence already kept for that step (a non-finite loss logged before it) stays.
   */
  private diverged(step: number, gi: number, lr: number): void {
    const d = this._diverged;
    if (d === null || step < d.step) {
      this._diverged = { step, lr, cause: "step", group: gi, groups: [gi], lrs: this.groupLrs(step), loss: null };
    } else if (d.step === step && d.cause === "step" && d.groups !== undefined && !d.groups.includes(gi)) {
      d.groups.push(gi);
    }
  }

  /**
   * A logged loss at step `step` was not finite: not one group's, so `group` is null, `lr` group
   * 0's (as before) and `lrs` every group's (the summary gives them all when they differ).
   */
  private lossDiverged(step: number, loss: number): void {
    if (this._diverged !== null && step >= this._diverged.step) return;
    const lrs = this.groupLrs(step);
    this._diverged = { step, lr: this.currentLr(), cause: "loss", group: null, groups: [], lrs, loss };
  }

  /**
   * Every group's lr at step `step`: its recorded one when the group's last record is that step,
   * else the optimizer's now (the coming step's, where a loss logged before step() belongs).
   */
  private groupLrs(step: number): number[] {
    const groups = this.groupsNow();
    const n = Math.max(groups.length, this.lastGroups.length);
    const lrs: number[] = [];
    for (let gi = 0; gi < n; gi++) {
      const m = this.lastGroups[gi];
      lrs.push(m && m.step === step ? m.lr : groups?.[gi] ? Number(groups[gi].lr) : (m?.lr ?? NaN));
    }
    return lrs;
  }

  private nameParameters(optimizer: TraceableOptimizer, named?: TraceOptions["named_parameters"]): void {
    const pairs = typeof named === "function" ? named(optimizer) : named;
    if (pairs !== undefined) {
      for (const [name, p] of pairs instanceof Map ? pairs.entries() : pairs) this.names.set(p, name);
    }
    optimizer.param_groups.forEach((g, gi) => {
      g.params.forEach((p, i) => {
        if (this.names.has(p)) return;
        const pn = (g as { param_names?: string[] }).param_names;
        this.names.set(p, pn?.[i] ?? `${gi}.${i}`);
      });
    });
  }

  /**
   * Group `gi`'s momentum (SGD, RMSprop: not β1) is `momentum`, not 0. Decided at its first such
   * step: set by a scheduler cycling momentum when the optimizer was built with momentum 0 and the
   * group has the scheduler's `max_momentum`/`base_momentum` (OneCycleLR and CyclicLR write them
   * with cycle_momentum, PyTorch's too); then its range over the run is kept for the summary.
   */
  private noteMomentum(gi: number, momentum: number): void {
    let c = this.momentumCycled[gi];
    if (c === undefined) {
      const opt = this.optimizer as (TraceableOptimizer & { defaults?: Record<string, unknown> }) | null;
      const g = opt?.param_groups[gi];
      // the group's own momentum before the scheduler wrote it (a group may have its own under the
      // optimizer's default); the default when no scheduler of ours recorded it
      const built = g !== undefined ? momentumBeforeCycling(g) ?? opt?.defaults?.momentum : undefined;
      c = built === 0 && g !== undefined && "max_momentum" in g && "base_momentum" in g ? { lo: momentum, hi: momentum } : null;
      this.momentumCycled[gi] = c;
    }
    if (c === null) return;
    if (momentum < c.lo) c.lo = momentum;
    if (momentum > c.hi) c.hi = momentum;
  }

  /** Group `gi`'s parameters measured at some step (per_param; from the series of a continued trace). */
  private measuredParamsOf(gi: number): Set<string> {
    const known = new Set<string>();
    for (const [name, entry] of this.paramSeries) if (entry.group === gi) known.add(name);
    return known;
  }

  /**
   * The traced optimizer's parameters that no step measured yet (no gradient at any traced step:
   * requires_grad false, or frozen so far), by name (also once stopped: `positions`).
   */
  private unmeasuredParams(): Map<string, number> {
    const out = new Map<string, number>();
    this.positions.forEach((names, gi) => names.forEach((name) => {
      if (!this.paramSeries.has(name)) out.set(name, gi);
    }));
    return out;
  }

  private nameOf(p: Tensor, gi: number, i: number): string {
    return this.names.get(p) ?? `${gi}.${i}`;
  }

  /**
   * @internal Pre-hook: θ_t and g_t are copied (steps.ts; a large step is measured on the worker
   * thread while the optimizer takes the next one, and anything that reads the trace waits for it).
   */
  _before_step(optimizer: TraceableOptimizer, args?: unknown[], kwargs?: Record<string, unknown>): void | [unknown[], Record<string, unknown>] {
    if (suspended()) return;
    this.hearing = false; // (left set only by an interrupt that ended a listener)
    // (reset here too: an interrupt unwinds a closure without its `finally`)
    this.closureDepth = 0;
    this.closureLogged = false;
    const closure = args?.[1];
    if (this.isLarge(optimizer, typeof closure === "function")) this.largeSteps.add(this.steps);
    if (typeof closure !== "function") {
      this.closurePending = false;
      this.pipeline.before(optimizer);
      this.hear(this.steps);
      return;
    }
    // step(closure): the closure computes the gradient (zero_grad, forward, backward), and every
    // optimizer calls it first, at θ_t. So g_t is what `.grad` holds right after its first call:
    // the copies are taken then (at the pre-hook `.grad` is the last step's, or null). LBFGS
    // calls it again at other points of its line search; those are not g_t.
    this.closurePending = true;
    // While the closure runs, a loss logged (here or through a run, global.ts) is this step's when
    // it is the first of this step() (log_loss): the first evaluation's, at θ_t.
    const wrapped = (...a: unknown[]): unknown => {
      let loss: unknown;
      this.closureDepth++;
      try {
        loss = (closure as (...a: unknown[]) => unknown)(...a);
      } finally {
        this.closureDepth = Math.max(0, this.closureDepth - 1);
      }
      if (this.closurePending) {
        this.closurePending = false;
        this.pipeline.before(optimizer);
        this.hear(this.steps);
      }
      return loss;
    };
    return [[args![0], wrapped, ...args!.slice(2)], kwargs ?? {}];
  }

  /** Whether this step was given a closure that has not been called yet (see _before_step). */
  private closurePending = false;

  /** @internal Post-hook: Δ, every metric, series, divergence, listeners (now or deferred). */
  _after_step(optimizer: TraceableOptimizer): void {
    if (suspended()) return;
    if (this.closurePending) {
      this.closurePending = false;
      this.pipeline.skip(new Error(`trace: step ${this.steps} was given a closure that it never called: no gradient at θ_t, step not measured`));
    }
    this.closureDepth = 0;
    this.closureLogged = false;
    const step = this.steps++;
    const logged = this.pendingLoss;
    const loss = logged !== null ? this.dropFreshHead(step, logged) : null;
    const weak = this.pendingWeak;
    this.closeMicro();
    this.pendingLoss = null;
    this.pendingWeak = false;
    if (this.pendingBatch !== null) {
      this.stepBatch.set(step, this.pendingBatch);
      this.pendingBatch = null;
    }
    // the last step's loss is final now (log_loss: a later call for a step replaces its loss)
    const held = this.heldLoss;
    if (held !== null && this.metricSet.has("loss")) this.lossSeries.push(held.step, held.value);
    this.heldLoss = loss !== null ? { step, value: loss } : null;
    this.loggedSince = null;
    // (a loss handed over weakly, global.ts, is replaced by one logged after this step)
    this.lastStepHasLoss = loss !== null && !weak;
    this.gradCount = -1;
    this.gradRef = null;
    if (!this.lastStepHasLoss) this.markGradients(optimizer);
    this.backwardsAtStep = backward_runs();
    const clip = this.clipWatch !== null ? this.clipWatch.take(optimizer) : null;
    if (clip !== null) {
      this.clipAt.set(step, clip);
      this.clipCounts.ran++;
      if (clip.some((c) => c !== null && c.clip_factor !== null && c.clip_factor < 1)) this.clipCounts.clipped++;
    }
    this.pipeline.after(optimizer, step, loss);
    this.hear(step);
    if (this.listeners.size > 0 && (this.unheard.length > 0 || this.measuredSteps < this.steps)) this.hearSoon();
  }

  /** Finishes every deferred step, and the listeners hear of it (anything that reads the trace calls this first). */
  private settle(): void {
    this.pipeline.settle();
    this.hear(Infinity);
  }

  /**
   * Whether the coming step is measured on the worker thread (steps.ts OFFLOAD_MIN_ELEMENTS): its
   * listeners hear of it two steps later (on_step). `all`: a step(closure), whose gradients are
   * not computed yet: every parameter counts.
   */
  private isLarge(optimizer: TraceableOptimizer, all: boolean): boolean {
    if (this.listeners.size === 0 || WORKER_OFF || !this.pipeline.defers()) return false;
    let n = 0;
    for (const g of optimizer.param_groups) for (const p of g.params) if (all || (p.grad !== null && p.grad !== undefined)) n += p.data.length;
    return n >= OFFLOAD_MIN_ELEMENTS;
  }

  /** The listeners hear of every measured step whose turn (on_step) is at `clock` or before, in order. */
  private hear(clock: number): void {
    // a listener that reads the trace (settle) leaves the rest to the delivery it is called from
    // (nothing to deliver: nothing to do, no flag set and cleared)
    if (this.unheard.length === 0 || this.hearing) return;
    this.hearing = true;
    try {
      while (this.unheard.length > 0 && this.unheard[0].due <= clock) {
        const { out } = this.unheard.shift() as { out: StepMetrics[] };
        for (const l of this.listeners) {
          try {
            l(this, out);
          } catch (e) {
            this.fail(e);
          }
        }
      }
    } finally {
      this.hearing = false;
    }
  }

  private hearingSoon = false;

  /**
   * Every step, to the listeners, once the code running the steps yields to the event loop (a
   * notebook cell's end: the kernel lets the event loop turn before the cell's reply).
   */
  private hearSoon(): void {
    if (this.hearingSoon) return;
    this.hearingSoon = true;
    const later = typeof setImmediate === "function" ? setImmediate : (f: () => void) => setTimeout(f, 0);
    later(() => {
      this.hearingSoon = false;
      try {
        this.settle();
      } catch (e) {
        this.fail(e);
      }
    });
  }

  /**
   * Every group's last StepMetrics, made first from the rows not made into objects yet (row.ts):
   * what every reader of the last metrics goes through.
   */
  private get lastGroups(): (StepMetrics | null)[] {
    if (this.pendingRows > 0) this.makeLatest();
    return this._latest;
  }

  /** The StepMetrics of every group whose last step is still a row. */
  private makeLatest(): void {
    const pending = this.rowPending;
    for (let gi = 0; gi < pending.length; gi++) {
      if (!pending[gi]) continue;
      pending[gi] = false;
      this._latest[gi] = metricsOf(this.lastRows[gi] as MetricsRow);
    }
    this.pendingRows = 0;
  }

  /** The row the pipeline fills for group `gi`'s next record (never the one its latest() is made from). */
  private rowFor(gi: number): MetricsRow {
    return this.spareRows[gi] ?? (this.spareRows[gi] = new MetricsRow());
  }

  /**
   * The group's hyper-parameters at the step, its measured metrics and its factor's summary into
   * `row` (what stepMetrics reads of them; finishRow finishes it).
   */
  private fillRow(row: MetricsRow, at: GroupAtStep, meas: Measured, lr_preconditioned: Quantiles | null): MetricsRow {
    setScalars(row, at);
    setMeasured(row, meas);
    row.factorLater = false;
    setQuantiles(row, R_PRECONDITIONED, lr_preconditioned);
    return row;
  }

  /**
   * Records one group's step (and its parameters' with per_param): latest, series, divergence.
   * Returns the group's StepMetrics when listeners will hear of the step, else null (recordRow).
   */
  private recordStep(step: number, gi: number, at: GroupAtStep, meas: Measured, params: Measured[] | null, loss: number | null): StepMetrics | null {
    const m = this.recordRow(step, gi, this.fillRow(this.rowFor(gi), at, meas, at.factor), loss);
    if (params !== null) {
      const known = this.groupParams[gi] ?? (this.groupParams[gi] = this.measuredParamsOf(gi));
      params.forEach((pmeas, k) => {
        const name = at.names[k];
        const pm = this.stepMetrics(step, gi, at, pmeas, at.param_factors?.[k] ?? null, loss);
        pm.param = name;
        this.lastParams.set(name, pm);
        let entry = this.paramSeries.get(name);
        if (entry === undefined) {
          entry = { group: gi, series: new Map(), vector: at.vectors[k] ?? false };
          this.paramSeries.set(name, entry);
        }
        this.pushSeries(entry.series, step, pm, this.paramCapacity);
        known.add(name);
      });
      // A parameter of this group measured before and without a gradient now (step() skipped it)
      // gets this step with null rates, as the group does at a step without gradients:
      // latest_param gave its last measured step, which a loop appending it after every step()
      // logged twice (a researcher's pass); its series has a gap here (null), as the group's.
      if (known.size > params.length) {
        const here = new Set(at.names);
        for (const name of known) {
          if (here.has(name)) continue;
          const pm = this.stepMetrics(step, gi, at, NOT_MEASURED, null, loss);
          pm.param = name;
          this.lastParams.set(name, pm);
          const entry = this.paramSeries.get(name);
          if (entry !== undefined) this.pushSeries(entry.series, step, pm, this.paramCapacity);
        }
      }
    }
    return m;
  }

  /**
   * A row's StepMetrics part (what stepMetrics made of its hyper-parameters and measured metrics):
   * the step, the divergence (a step that was not finite), the rates with g in them along −g under
   * `maximize` (stepMetrics' comment), lr_per_sample, the loss, no clipping (recordRow sets it).
   */
  private finishRow(step: number, gi: number, row: MetricsRow, loss: number | null): void {
    const v = row.v, none = row.none;
    row.step = step;
    row.group = gi;
    if (!row.finite) this.diverged(step, gi, v[R_LR]);
    if (row.maximize) {
      if (none[R_PROJECTED] === 0) v[R_PROJECTED] = neg(v[R_PROJECTED]);
      // the quantiles of −ρ from those of ρ: each level's mirror, negated (q05 of −ρ is −q95 of ρ)
      if (none[R_ELEMENTWISE] === 0) {
        const e = R_ELEMENTWISE;
        const min = v[e], q05 = v[e + 1], q25 = v[e + 2], q50 = v[e + 3], q75 = v[e + 4], q95 = v[e + 5], max = v[e + 6];
        v[e] = neg(max);
        v[e + 1] = neg(q95);
        v[e + 2] = neg(q75);
        v[e + 3] = neg(q50);
        v[e + 4] = neg(q25);
        v[e + 5] = neg(q05);
        v[e + 6] = neg(min);
      }
    }
    none[R_PER_SAMPLE] = 1;
    if (none[R_PROJECTED] === 0) {
      const lr_projected = v[R_PROJECTED];
      if (this.reduction === "sum") setValue(row, R_PER_SAMPLE, lr_projected);
      else {
        const b = this.stepBatch.size > 0 ? (this.stepBatch.get(step) ?? this.batch_size) : this.batch_size;
        if (b !== null) setValue(row, R_PER_SAMPLE, lr_projected / b);
      }
    }
    setValue(row, R_LOSS, loss);
    none[R_GRAD_NORM_RAW] = 1;
    none[R_CLIP_FACTOR] = 1;
  }

  /**
   * Records group `gi`'s step from `row` (rowFor's, filled by the pipeline: its hyper-parameters,
   * measured metrics and factor): latest (its StepMetrics made from the row when read), series,
   * divergence, the summary's counts. Returns its StepMetrics when listeners will hear of the
   * step (they are handed objects), else null.
   */
  private recordRow(step: number, gi: number, row: MetricsRow, loss: number | null): StepMetrics | null {
    this.finishRow(step, gi, row, loss);
    const v = row.v, none = row.none;
    // the divergence's lrs are the ones in force at its step: this group's, now that it is recorded
    const d = this._diverged;
    if (d !== null && d.step === step && d.lrs !== undefined) d.lrs[gi] = v[R_LR];
    if (this.clipAt.size > 0) {
      const c = this.clipAt.get(step)?.[gi] ?? null;
      if (c !== null) {
        setValue(row, R_GRAD_NORM_RAW, c.grad_norm_raw);
        setValue(row, R_CLIP_FACTOR, c.clip_factor);
      }
      this.clipCounts.uniform[gi] = c !== null && c.uniform;
    }
    // the latest: this row (the one before becomes the spare the pipeline fills next)
    const prev = this.lastRows[gi];
    this.lastRows[gi] = row;
    this.spareRows[gi] = prev ?? new MetricsRow();
    if (this.rowPending[gi] !== true) {
      this.rowPending[gi] = true;
      this.pendingRows++;
    }
    if (this._latest.length <= gi || this._latest[gi] !== null) this._latest[gi] = null;
    this.lastFinite[gi] = row.finite;
    if (none[R_MOMENTUM] === 0 && v[R_MOMENTUM] !== 0 && row.betas === null) this.noteMomentum(gi, v[R_MOMENTUM]);
    // the gradient's zeros (summary): counts sums.ts already took, no pass of their own
    const z = this.zeroGrad[gi] ?? (this.zeroGrad[gi] = { elements: 0, nonzero: 0, zero_steps: 0 });
    // not of a step that was not finite: its count leaves out the elements whose update is not
    // finite (sums.ts), which read as "100% of the elements have g = 0" after a NaN lr (a
    // hostile tester's pass); no share is said for such a step
    z.elements = row.finite ? row.elements : 0;
    z.nonzero = row.finite ? row.nonzero : 0;
    if (none[R_GRAD_NORM] === 0 && v[R_GRAD_NORM] === 0) z.zero_steps++;
    if (this.groupSeries[gi] === undefined) this.groupSeries[gi] = new Map();
    this.pushRowSeries(this.groupSeries[gi], step, row, gi);
    if (this.clipCounts.ran > 0) this.pushClipSeries(this.groupSeries[gi], step, valueAt(row, R_GRAD_NORM_RAW), valueAt(row, R_CLIP_FACTOR));
    return this.listeners.size > 0 ? this.lastGroups[gi] : null;
  }

  /**
   * A step measured (its groups' records done): `out`, its groups' metrics for the listeners (none
   * without listeners: recordRow); `recorded`, the step when some group was recorded, else −1.
   */
  private notify(out: StepMetrics[], recorded: number): void {
    if (this.clipAt.size > 0) {
      if (recorded >= 0) this.clipAt.delete(recorded);
      if (this.clipAt.size > 8) for (const k of this.clipAt.keys()) if (k < this.steps - 8) this.clipAt.delete(k);
    }
    // each step's own batch size is needed until its groups are recorded (deferred steps: later)
    if (this.stepBatch.size > 0) {
      if (recorded >= 0) this.stepBatch.delete(recorded);
      if (this.stepBatch.size > 8) for (const k of this.stepBatch.keys()) if (k < this.steps - 8) this.stepBatch.delete(k);
    }
    // each step's turn (on_step): at once, or two steps later for a step of the worker's size
    const step = this.measuredSteps++;
    const due = this.largeSteps.size > 0 && this.largeSteps.delete(step) ? step + 2 : step;
    if (this.listeners.size > 0) this.unheard.push({ step, due, out });
  }


  /**
   * A group's (or parameter's) metrics at a step. Under `maximize: true` the optimizer descends
   * −f, whose gradient is −g: the rates with g in them (lr_projected, lr_per_sample, the
   * element-wise ρ) are measured along that one, EFFECTIVE_LR.md's definitions for the objective
   * the optimizer minimizes. So a maximizing run reads as the same run minimizing −f, next to its
   * own factor and the momentum steady-state line (positive), and beside a minimizing run in
   * %lr_compare (a researcher's pass: its rates were negative, on the other side of 0). The
   * norms and ratios without g's sign (lr_realized, update_ratio, grad_norm) are the same.
   */
  private stepMetrics(step: number, gi: number, at: GroupAtStep, meas: Measured, lr_preconditioned: Quantiles | null, loss: number | null): StepMetrics {
    const row = this.fillRow((this.scratchRow ??= new MetricsRow()), at, meas, lr_preconditioned);
    this.finishRow(step, gi, row, loss);
    return metricsOf(row);
  }

  /**
   * The clipping series of a group (clip.ts): made at the first step clipping ran before (from
   * then on every step pushes, null without clipping: a gap), so a run without clipping has none.
   */
  private pushClipSeries(map: SeriesMap, step: number, grad_norm_raw: number | null, clip_factor: number | null): void {
    for (const key of CLIP_METRICS) {
      const x = key === "grad_norm_raw" ? grad_norm_raw : clip_factor;
      let s = map.get(key);
      if (s === undefined) {
        if (x === null || !this.metricSet.has(key)) continue;
        s = new BoundedSeries(this.capacity);
        s.name = key;
        map.set(key, s);
      }
      s.push(step, x);
    }
  }

  /**
   * Push one step into a group's (or parameter's) series. The series are made at a map's first
   * push, as the views of one SeriesSet (series.ts: they are always pushed together, here, so
   * they share the bucket bookkeeping and one store), the slots in the fixed order of
   * SCALAR_METRICS then QUANTILE_METRICS × SERIES_QUANTILES, and the values read with plain
   * property accesses: this runs for every metric of every step, which dominates the tracer's
   * cost on tiny models.
   */
  private pushSeries(map: SeriesMap, step: number, m: StepMetrics, capacity: number): void {
    let s = this.slots.get(map);
    if (s === undefined) s = this.makeSeriesSet(map, capacity);
    const set = s.set, c = s.c;
    if (set.k === 0) return;
    // the values in slot order (null: NaN, a gap), then written by the set in one call
    const v = this.rowValues;
    // SCALAR_METRICS order: lr, lr_projected, lr_realized, lr_per_sample, update_ratio,
    // angular_update, grad_norm, param_norm, lr_momentum_steady, momentum, beta2, weight_decay
    v[0] = m.lr ?? NaN;
    v[1] = m.lr_projected ?? NaN;
    v[2] = m.lr_realized ?? NaN;
    v[3] = m.lr_per_sample ?? NaN;
    v[4] = m.update_ratio ?? NaN;
    v[5] = m.angular_update ?? NaN;
    v[6] = m.grad_norm ?? NaN;
    v[7] = m.param_norm ?? NaN;
    v[8] = m.lr_momentum_steady ?? NaN;
    v[9] = m.momentum ?? NaN;
    v[10] = m.betas ? m.betas[1] : NaN;
    v[11] = m.weight_decay ?? NaN;
    const e = m.lr_elementwise, p = m.lr_preconditioned;
    v[12] = e !== null ? e.q05 : NaN;
    v[13] = e !== null ? e.q50 : NaN;
    v[14] = e !== null ? e.q95 : NaN;
    v[15] = p !== null ? p.q05 : NaN;
    v[16] = p !== null ? p.q50 : NaN;
    v[17] = p !== null ? p.q95 : NaN;
    set.pushRow(step, c, v);
  }

  /**
   * pushSeries of a group's row (recordRow): the same values in the same slots, read from the row;
   * the group's set from its own entry (no WeakMap lookup: this runs at every step).
   */
  private pushRowSeries(map: SeriesMap, step: number, row: MetricsRow, gi: number): void {
    let s: { set: SeriesSet; c: Int32Array } | undefined;
    const last = this.groupSlots[gi];
    if (last !== undefined && last.map === map) s = last;
    else {
      s = this.slots.get(map);
      if (s === undefined) {
        s = this.makeSeriesSet(map, this.capacity);
        s.set.firstGrow = FIRST_GROW; // a group's set: a default trace's room at its first grow
      }
      this.groupSlots[gi] = { map, set: s.set, c: s.c };
    }
    const set = s.set, c = s.c;
    if (set.k === 0) return;
    const r = row.v, none = row.none;
    // every metric recorded (the default): the values straight into the set's narrow row
    if (c[0] === 0 && c[17] === 17 && set.k === 18) {
      const o = set.openNarrow(step);
      if (o >= 0) {
        const R = set.rows, b = o + 1;
        R[b] = finiteOr(r, none, R_LR);
        R[b + 1] = finiteOr(r, none, R_PROJECTED);
        R[b + 2] = finiteOr(r, none, R_REALIZED);
        R[b + 3] = finiteOr(r, none, R_PER_SAMPLE);
        R[b + 4] = finiteOr(r, none, R_RATIO);
        R[b + 5] = finiteOr(r, none, R_ANGLE);
        R[b + 6] = finiteOr(r, none, R_GRAD_NORM);
        R[b + 7] = finiteOr(r, none, R_PARAM_NORM);
        R[b + 8] = finiteOr(r, none, R_STEADY);
        R[b + 9] = finiteOr(r, none, R_MOMENTUM);
        const beta2 = row.betas !== null ? row.betas[1] : NaN;
        R[b + 10] = beta2 - beta2 === 0 ? beta2 : NaN;
        R[b + 11] = finiteOr(r, none, R_WEIGHT_DECAY);
        const e = R_ELEMENTWISE, p = R_PRECONDITIONED;
        const en = none[e] === 1, pn = none[p] === 1;
        R[b + 12] = en ? NaN : finiteOr(r, none, e + 1);
        R[b + 13] = en ? NaN : finiteOr(r, none, e + 3);
        R[b + 14] = en ? NaN : finiteOr(r, none, e + 5);
        R[b + 15] = pn ? NaN : finiteOr(r, none, p + 1);
        R[b + 16] = pn ? NaN : finiteOr(r, none, p + 3);
        R[b + 17] = pn ? NaN : finiteOr(r, none, p + 5);
        return;
      }
    }
    const v = this.rowValues;
    v[0] = r[R_LR];
    v[1] = none[R_PROJECTED] === 1 ? NaN : r[R_PROJECTED];
    v[2] = none[R_REALIZED] === 1 ? NaN : r[R_REALIZED];
    v[3] = none[R_PER_SAMPLE] === 1 ? NaN : r[R_PER_SAMPLE];
    v[4] = none[R_RATIO] === 1 ? NaN : r[R_RATIO];
    v[5] = none[R_ANGLE] === 1 ? NaN : r[R_ANGLE];
    v[6] = none[R_GRAD_NORM] === 1 ? NaN : r[R_GRAD_NORM];
    v[7] = none[R_PARAM_NORM] === 1 ? NaN : r[R_PARAM_NORM];
    v[8] = none[R_STEADY] === 1 ? NaN : r[R_STEADY];
    v[9] = none[R_MOMENTUM] === 1 ? NaN : r[R_MOMENTUM];
    v[10] = row.betas !== null ? row.betas[1] : NaN;
    v[11] = none[R_WEIGHT_DECAY] === 1 ? NaN : r[R_WEIGHT_DECAY];
    const e = R_ELEMENTWISE, p = R_PRECONDITIONED;
    const en = none[e] === 1, pn = none[p] === 1;
    v[12] = en ? NaN : r[e + 1];
    v[13] = en ? NaN : r[e + 3];
    v[14] = en ? NaN : r[e + 5];
    v[15] = pn ? NaN : r[p + 1];
    v[16] = pn ? NaN : r[p + 3];
    v[17] = pn ? NaN : r[p + 5];
    set.pushRow(step, c, v);
  }

  /** Per group: its series map's set and columns (pushRowSeries), kept with the map they belong to. */
  private readonly groupSlots: ({ map: SeriesMap; set: SeriesSet; c: Int32Array } | undefined)[] = [];


  /** pushSeries' values of one row, in its slot order. */
  private readonly rowValues = new Float64Array(SCALAR_METRICS.length + QUANTILE_METRICS.length * SERIES_QUANTILES.length);

  /** The SeriesSet of `map`'s recorded metrics (pushSeries' slots), its series put into `map`. */
  private makeSeriesSet(map: SeriesMap, capacity: number): { set: SeriesSet; c: Int32Array } {
    const names: string[] = [];
    const c = new Int32Array(SCALAR_METRICS.length + QUANTILE_METRICS.length * SERIES_QUANTILES.length).fill(-1);
    let slot = 0;
    const add = (metric: string, name: string) => {
      if (this.metricSet.has(metric)) {
        c[slot] = names.length;
        names.push(name);
      }
      slot++;
    };
    for (const key of SCALAR_METRICS) add(key, key);
    for (const key of QUANTILE_METRICS) for (const level of SERIES_QUANTILES) add(key, `${key}.${level}`);
    const set = new SeriesSet(capacity, names.length);
    names.forEach((name, k) => {
      set.series[k].name = name;
      map.set(name, set.series[k]);
    });
    const s = { set, c };
    this.slots.set(map, s);
    return s;
  }

  /** The figure source of this trace (plot/figure): what the plots draw. */
  to_figure_source(): FigureSource {
    this.settle();
    const series: SourceSeries[] = [];
    const hasData = (s: BoundedSeries | undefined) => s !== undefined && s.buckets().some((b) => b.count > 0);
    const add = (map: SeriesMap, group: number, param: string | null) => {
      // The figure carries the rates, the spread and the health metrics; the other series stay
      // in the trace (trace.series(...), to_json) to keep bundles small. A parameter's lr,
      // per-sample lr and momentum are its group's (lr_per_sample is lr_projected/B): only the
      // group's lines carry them; a parameter's realized rate and gradient norm stay in the trace
      // (trace.series), to leave the plot's budget to more parameters.
      const scalars = param === null ? ["lr", "lr_projected", "lr_per_sample", "lr_realized", "update_ratio", "grad_norm", "momentum"] : ["lr_projected", "update_ratio"];
      for (const metric of scalars) {
        const s = map.get(metric);
        if (!hasData(s)) continue;
        const b = (s as BoundedSeries).buckets();
        if (metric === "momentum" && b.every((x) => x.min === b[0].min && x.max === b[0].min)) continue; // constant: nothing to see
        series.push({ metric, group, param, buckets: b });
      }
      for (const metric of QUANTILE_METRICS) {
        const mid = map.get(`${metric}.q50`);
        if (!hasData(mid)) continue;
        series.push({
          metric, group, param,
          buckets: (mid as BoundedSeries).buckets(),
          low: (map.get(`${metric}.q05`) as BoundedSeries).buckets(),
          high: (map.get(`${metric}.q95`) as BoundedSeries).buckets(),
        });
      }
    };
    // The group's lines always; with per_param each parameter's too, in the order of
    // PARAM_CRITERION (the plot carries as many of them as its budget holds: plot/figure.ts).
    this.groupSeries.forEach((map, gi) => add(map, gi, null));
    let params: FigureSource["params"];
    if (this.per_param && this.paramSeries.size > 0) {
      const ranked = this.rankedParams();
      for (const name of ranked.names) {
        const { group, series: map } = this.paramSeries.get(name)!;
        add(map, group, name);
      }
      params = ranked;
    }
    const loss = this.lossView();
    if (hasData(loss)) series.push({ metric: "loss", group: null, buckets: loss.buckets() });
    // a validation loss logged beside it (log_loss(v, { split: "val" })): a line in the loss panel
    const val = this.valView();
    if (val !== null && hasData(val)) series.push({ metric: "val_loss", group: null, buckets: val.buckets() });
    const markers = this.diverged_at
      ? [{ kind: "divergence" as const, name: this.name, x: this.diverged_at.step, y: null, label: divergedText(this.diverged_at) }]
      : [];
    return { name: this.name, series, markers, summary: this.summary(), ...(params ? { params } : {}) };
  }

  /**
   * The traced parameters: tensors of two or more dims (weight matrices, kernels, embeddings)
   * before vectors (biases, norms' scales), each set by largest mean update ratio ‖Δ‖/‖θ‖ over
   * the run first (the tensors that move fastest relative to their size); without an update ratio
   * (not recorded, or no step with one) by mean gradient norm, then in the optimizer's order. Ties
   * keep that order. Weights first: ranked by update ratio alone, a transformer's plot carried its
   * biases and LayerNorm parameters (small norms, large ratios) and left out every attention
   * weight (a user's pass).
   */
  private rankedParams(): { names: string[]; criterion: string } {
    const meanOf = (s: BoundedSeries | undefined): number => {
      if (s === undefined) return NaN;
      let sum = 0, count = 0;
      for (const b of s.buckets()) {
        sum += b.sum;
        count += b.count;
      }
      return count > 0 ? sum / count : NaN;
    };
    const names = [...this.paramSeries.keys()];
    const vector = (n: string) => this.paramSeries.get(n)!.vector;
    const split = names.some(vector) && !names.every(vector);
    const rank = (n: string) => (split && vector(n) ? 1 : 0);
    for (const [metric, criterion] of [["update_ratio", "mean update ratio ‖Δ‖/‖θ‖"], ["grad_norm", "mean gradient norm ‖g‖"]] as const) {
      const score = new Map(names.map((n) => [n, meanOf(this.paramSeries.get(n)!.series.get(metric))]));
      if (![...score.values()].some((v) => Number.isFinite(v))) continue;
      const key = (n: string) => (Number.isFinite(score.get(n)!) ? score.get(n)! : -Infinity);
      const order = names.map((n, i) => ({ n, i })).sort((a, b) => rank(a.n) - rank(b.n) || key(b.n) - key(a.n) || a.i - b.i).map((e) => e.n);
      return { names: order, criterion: split ? `${criterion}, weights (2 or more dims) first` : criterion };
    }
    return { names, criterion: "the optimizer's order" };
  }

  /**
   * Text summary lines: steps, last lr, lr_projected, lr_per_sample, divergence; and, when they
   * apply, the run's range of a scheduled lr, why lr_preconditioned is not known, the clipping,
   * and a finite run whose loss or update ratio blew up (summary_lines.ts).
   */
  summary(): string[] {
    this.settle();
    const lines = [`${this.name} (${this.optimizer_name}): ${this.steps} step${this.steps === 1 ? "" : "s"}`];
    // A value that is not a finite number prints as "—", as a rate the step did not measure does:
    // after a NaN loss the rates are null (not measured) while Adam's factor, read from its NaN
    // state, is NaN, and the line read "lr_projected —, ... lr_preconditioned median NaN".
    let nonFinite: number | null = null;
    const val = (x: number | null): string => (x !== null && !Number.isFinite(x) ? "—" : fmt(x));
    const titles = this.groupTitles();
    this.lastGroups.forEach((m, gi) => {
      if (!m) return;
      const shown = [m.lr, m.lr_projected, m.lr_per_sample, m.lr_realized, m.update_ratio, m.lr_preconditioned?.q50 ?? null];
      if (this.lastFinite[gi] === false || shown.some((x) => x !== null && !Number.isFinite(x))) nonFinite = m.step;
      const parts = [
        `lr ${val(m.lr)}`,
        `lr_projected ${val(m.lr_projected)}`,
        `lr_per_sample ${val(m.lr_per_sample)}`,
        `lr_realized ${val(m.lr_realized)}`,
        `update_ratio ${val(m.update_ratio)}`,
      ];
      if (m.lr_preconditioned) parts.push(`lr_preconditioned median ${val(m.lr_preconditioned.q50)}`);
      lines.push(`  group ${gi}${titles[gi] ?? ""}: ${parts.join(", ")}`);
      // a scheduled run's last step is its annealed tail, a noisy run's one draw: medians over the run too
      const map = this.groupSeries[gi];
      const run = map ? overTheRun(map.get("lr"), map.get("lr_projected"), map.get("update_ratio")) : null;
      if (run !== null) lines.push(`    ${run}`);
      // weights that hardly move and a loss that hardly moves: an lr far too low (summary_lines.ts)
      const low = map ? lowLrLine(map.get("update_ratio"), this.lossView()) : null;
      if (low !== null) lines.push(`    ${low}`);
    });
    if (nonFinite !== null) {
      lines.push(`  (—: not measured at step ${nonFinite}: its update, parameters or optimizer state hold NaN or ±Infinity)`);
    }
    // a gradient exactly 0 (its rates "—"), or mostly 0 (the rates leave those elements out)
    for (const l of zeroGradLines(this.steps, this.zeroGrad, this.lastGroups)) lines.push(l);
    if (this.factorNote !== null && this.metricSet.has("lr_preconditioned") && this.steps > 0) lines.push(`  ${this.factorNote}`);
    const cycled = cycledMomentumLine(this.optimizer_name, this.lastGroups.map((m, gi) => (m ? this.momentumCycled[gi] : null)));
    if (cycled !== null) lines.push(cycled);
    // a one-step lr jump: a scheduler restarted on resume? (and its momentum/β1, reset with it)
    const momenta = this.groupSeries.map((map, gi) => {
      const series = map?.get("momentum");
      return series === undefined ? undefined : { series, name: this.lastGroups[gi]?.betas ? "β1" : "momentum" };
    });
    lines.push(...lrExcursionLines(this.groupSeries.map((map) => map?.get("lr")), momenta));
    const clip = clipLine(this.steps, this.clipCounts, this.groupSeries.map((map) => seriesMedian(map?.get("clip_factor"))), this.lastGroups);
    if (clip !== null) lines.push(clip);
    if (this.lastLoss !== null) lines.push(lossLine(this.lastLoss, this.lossView(), this.steps));
    const accumulated = this.accumulationSeen();
    const acc = accumulationLine(accumulated, this.steps);
    if (acc !== null) lines.push(acc);
    const zeroed = zeroedBetweenLine(this.zeroedBetween, this.steps);
    if (zeroed !== null) lines.push(zeroed);
    const aside = setAsideLine(this.setAside);
    if (aside !== null) lines.push(aside);
    const accB = this.reduction === "mean" && !this.sawStepBatch ? accumulatedBatchLine(accumulated, this.steps, this.batch_size) : null;
    if (accB !== null) lines.push(accB);
    // Under a mean-reduced loss the per-sample rate needs B, which the optimizer cannot know.
    if (this.steps > 0 && this.batch_size == null && !this.sawStepBatch && this.reduction === "mean") {
      lines.push("  (lr_per_sample needs the batch size: trace(optimizer, { batch_size: B }) or %%lr_trace --batch-size B)");
    }
    const ob = this.otherBatch;
    // (not when the losses are micro-batches whose samples add up to the same count at each step:
    // the batch_size given is then that count, or the line above says it is not)
    if (this.steps > 0 && ob !== null && this.batch_size !== null && !this.sawStepBatch && accumulatedBatch(accumulated) === null) {
      // (a weighted cross-entropy's mean divides by the sum of its targets' class weights: not a whole number)
      const c = (x: number): string => (Number.isInteger(x) ? String(x) : fmt(x));
      const n = ob.lo === ob.hi ? `${c(ob.lo)} samples` : `${c(ob.lo)} to ${c(ob.hi)} samples`;
      lines.push(`  (lr_per_sample is lr_projected/${this.batch_size}, the batch_size given, while ${ob.losses} of the losses logged averaged ${n}: `
        + `if a step's gradient is one such loss's, B is that (--batch-size ${Math.max(1, Math.round(ob.hi))}, or trace.record({ loss, batch_size }) before each step); `
        + `with gradients accumulated over several losses a step, ${this.batch_size} may be right)`);
    }
    lines.push(this.diverged_at ? `  ${divergedText(this.diverged_at)}` : notDivergedLine(this.lossView(), this.lastLoss, this.lastGroups));
    return lines;
  }

  /**
   * Per group, what the summary says after "group 1": its label (group_label.ts: its `name` key,
   * else its parameters' names) and the hyper-parameters in which the groups differ (lr is on the
   * line already): " (no_decay; weight_decay 0)". "" when there is nothing to tell.
   */
  private groupTitles(): string[] {
    const groups = this.groupsNow();
    const n = this.lastGroups.length;
    const shown = (v: unknown): string | null => (typeof v === "number" ? fmt(v) : typeof v === "boolean" || typeof v === "string" ? String(v)
      : Array.isArray(v) && v.every((x) => typeof x === "number") ? `[${v.map((x) => fmt(x)).join(", ")}]` : null);
    const SKIP = new Set(["params", "param_names", "name", "lr", "initial_lr"]);
    const keys = [...new Set(groups.flatMap((g) => Object.keys(g)))].filter((k) => !SKIP.has(k));
    const differing = groups.length > 1 ? keys.filter((k) => new Set(groups.map((g) => JSON.stringify(g[k] ?? null))).size > 1) : [];
    const titles: string[] = [];
    for (let gi = 0; gi < n; gi++) {
      const g = groups[gi] ?? {};
      const names = this.positions?.[gi] ?? [];
      // the trace's own names only when they are real ones (not its "1.0" placeholders)
      const real = n > 1 && names.length > 0 && names.every((name, i) => name !== `${gi}.${i}`) ? names : [];
      const parts = [groupLabel(g.name, real), ...differing.map((k) => (shown(g[k]) === null ? null : `${k} ${shown(g[k])}`))].filter((x): x is string => x !== null);
      titles.push(parts.length > 0 ? ` (${parts.join("; ")})` : "");
    }
    return titles;
  }

  /** The display bundle (plot/bundle): lrlab payload, plotly, SVG, text. */
  bundle(options: BundleOptions = {}): MimeBundle {
    if (Array.isArray(options.params) && this.per_param) {
      this.settle();
      options = { ...options, params: options.params.map((n) => this.paramAlias(n)) };
    }
    return bundle(this, options);
  }

  /** What the kernel's display() sends for a trace (IPython's `_repr_mimebundle_`). */
  _repr_mimebundle_(options: BundleOptions = {}): MimeBundle {
    return bundle(this, options);
  }

  toString(): string {
    return this.summary().join("\n");
  }

  /**
   * `console.log(trace)` prints the summary (steps, latest rates, divergence), as the cell's
   * echo does, rather than the optimizer, the series buffers and the hooks it holds.
   */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  to_json(): TraceJSON {
    this.settle();
    const dump = (m: SeriesMap) => Object.fromEntries([...m].map(([k, s]) => [k, s.to_json()]));
    return {
      version: 1,
      name: this.name,
      optimizer: this.optimizer_name,
      batch_size: this.batch_size,
      reduction: this.reduction,
      per_param: this.per_param,
      metrics: [...this.metrics],
      capacity: this.capacity,
      param_capacity: this.paramCapacity,
      steps: this.steps,
      diverged_at: copyDivergence(this.diverged_at),
      latest: this.lastGroups.map((m) => m ?? null),
      latest_params: Object.fromEntries(this.lastParams),
      groups: this.groupSeries.map(dump),
      params: Object.fromEntries([...this.paramSeries].map(([k, v]) => [k, { group: v.group, series: dump(v.series), vector: v.vector }])),
      loss: this.lossView().to_json(),
      last_loss: this.lastLoss,
      ...(this.accumulationSeen() !== null ? { accumulation: { ...this.accumulationSeen() as Accumulation } } : {}),
      ...(this.zeroedBetween !== null ? { zeroed_between: { ...this.zeroedBetween } } : {}),
      ...(this.valView() !== null ? { val_loss: (this.valView() as BoundedSeries).to_json() } : {}),
      ...(this.setAside !== null ? { set_aside: { count: this.setAside.count, steps: [...this.setAside.steps] } } : {}),
      factor_note: this.factorNote,
      clip: { ran: this.clipCounts.ran, clipped: this.clipCounts.clipped, uniform: [...this.clipCounts.uniform] },
      zero_grad: Array.from(this.zeroGrad, (z) => (z ? { ...z } : null)),
      ...(this.momentumCycled.some((c) => c) ? { momentum_cycled: Array.from(this.momentumCycled, (c) => (c ? { ...c } : null)) } : {}),
    };
  }

  /** A detached (not hooked) trace from `to_json()`, e.g. to plot a saved run. */
  static from_json(j: TraceJSON): Trace {
    if (j === null || typeof j !== "object" || j.version !== 1) throw new TypeError("Trace.from_json: expected the output of trace.to_json() (version 1)");
    // a trace saved before the clipping metrics existed, recording every metric then, records every metric
    const all = METRIC_NAMES_BEFORE_CLIP.every((m) => j.metrics.includes(m)) && !CLIP_METRICS.some((m) => j.metrics.includes(m));
    const t = new Trace(null, {
      name: j.name, batch_size: j.batch_size ?? undefined, reduction: j.reduction, per_param: j.per_param,
      metrics: all ? [...j.metrics, ...CLIP_METRICS] : j.metrics, capacity: j.capacity, ...(j.param_capacity !== undefined ? { param_capacity: j.param_capacity } : {}),
    }, j.optimizer);
    t.steps = j.steps;
    t.diverged_at = copyDivergence(j.diverged_at ?? null);
    t.lastLoss = j.last_loss;
    if (j.accumulation) t.accumulation = { ...j.accumulation };
    if (j.zeroed_between) t.zeroedBetween = { ...j.zeroed_between };
    if (j.set_aside) t.setAside = { count: j.set_aside.count, steps: [...j.set_aside.steps] };
    t.factorNote = j.factor_note ?? null;
    if (Array.isArray(j.zero_grad)) j.zero_grad.forEach((z, i) => { if (z) t.zeroGrad[i] = { ...z }; });
    if (Array.isArray(j.momentum_cycled)) j.momentum_cycled.forEach((c, i) => { t.momentumCycled[i] = c ? { ...c } : null; });
    if (j.clip) Object.assign(t.clipCounts, { ran: j.clip.ran, clipped: j.clip.clipped, uniform: [...j.clip.uniform] });
    // a trace saved before the clipping metrics existed has none (null, as a run without clipping)
    const upgraded = (m: StepMetrics | null): StepMetrics | null => (m === null ? null : { ...m, grad_norm_raw: m.grad_norm_raw ?? null, clip_factor: m.clip_factor ?? null });
    j.latest.forEach((m, i) => (t.lastGroups[i] = upgraded(m)));
    for (const [k, m] of Object.entries(j.latest_params)) t.lastParams.set(k, upgraded(m) as StepMetrics);
    const named = (k: string, s: SeriesJSON) => {
      const series = BoundedSeries.from_json(s);
      series.name = k;
      return series;
    };
    const load = (o: Record<string, SeriesJSON>) => new Map(Object.entries(o).map(([k, s]) => [k, named(k, s)]));
    j.groups.forEach((g, i) => (t.groupSeries[i] = load(g)));
    for (const [k, v] of Object.entries(j.params)) t.paramSeries.set(k, { group: v.group, series: load(v.series), vector: v.vector ?? false });
    (t as unknown as { lossSeries: BoundedSeries }).lossSeries = named("loss", j.loss);
    if (j.val_loss) (t as unknown as { valSeries: BoundedSeries }).valSeries = named("val_loss", j.val_loss);
    return t;
  }
}

export interface TraceJSON {
  version: 1;
  name: string;
  optimizer: string;
  batch_size: number | null;
  reduction: "mean" | "sum";
  per_param: boolean;
  metrics: string[];
  capacity: number;
  /** Buckets per parameter series (absent in JSON from before it existed: `capacity`). */
  param_capacity?: number;
  steps: number;
  diverged_at: Divergence | null;
  latest: (StepMetrics | null)[];
  latest_params: Record<string, StepMetrics>;
  groups: Record<string, SeriesJSON>[];
  params: Record<string, { group: number; series: Record<string, SeriesJSON>; vector?: boolean }>;
  loss: SeriesJSON;
  last_loss: number | null;
  /** Steps that got several micro-batch losses (summary; absent when none, and in JSON from before it existed). */
  accumulation?: Accumulation;
  /** Steps whose losses had zero_grad() run between them (absent when none, and in JSON from before it existed). */
  zeroed_between?: ZeroedBetween;
  /** Validation losses (log_loss(v, { split: "val" })) and losses set aside from the training loss (absent when none). */
  val_loss?: SeriesJSON;
  set_aside?: { count: number; steps: number[] };
  /** Why lr_preconditioned is null for the traced optimizer (absent in JSON from before it existed). */
  factor_note?: string | null;
  /** Clipping counts (clip.ts; absent in JSON from before it existed: none). */
  clip?: { ran: number; clipped: number; uniform: boolean[] };
  /** Per group, the gradient's zeros (summary; absent in JSON from before it existed). */
  zero_grad?: (ZeroGrad | null)[];
  /** Per group, the momentum a cycling scheduler set on an optimizer built with momentum 0 (summary; absent when none, and in JSON from before it existed). */
  momentum_cycled?: (CycledMomentum | null)[];
}

/** A parameter's metrics at a step that did not measure it (no gradient): every rate null, as a group's. */
const NOT_MEASURED: Measured = {
  lr_projected: null, lr_realized: null, update_ratio: null, angular_update: null,
  grad_norm: null, param_norm: null, lr_elementwise: null, finite: true, elements: 0, nonzero: 0,
};

/** A divergence's copy (its arrays too): the trace adds to its own at the step's later groups. */
function copyDivergence(d: Divergence | null): Divergence | null {
  if (d === null) return null;
  return { ...d, ...(d.groups ? { groups: [...d.groups] } : {}), ...(d.lrs ? { lrs: [...d.lrs] } : {}) };
}

/** The traces `trace()` made of each optimizer (weak: the optimizer's own lifetime). */
const tracesOf = new WeakMap<object, Set<Trace>>();

/**
 * A new trace of an optimizer replaces (stops) its active traces of the same name, with a note on
 * stderr; traces of other names coexist. Re-running a cell `const tr = lrlab.trace(opt)` stacked
 * one more active trace per run, each measuring every step (a user's pass: four on one optimizer).
 */
function replaceSameName(optimizer: TraceableOptimizer, t: Trace): void {
  let set = tracesOf.get(optimizer);
  if (set === undefined) tracesOf.set(optimizer, (set = new Set()));
  for (const old of set) {
    if (old === t) continue;
    if (!old.active) {
      set.delete(old);
      continue;
    }
    if (old.name !== t.name) continue;
    old.stop();
    set.delete(old);
    console.warn(`lrlab.trace: this ${t.optimizer_name} optimizer's trace ${JSON.stringify(t.name)} replaces the one it had (now stopped, `
      + `with its ${old.steps} step${old.steps === 1 ? "" : "s"}); to trace it twice at once, give them different names: lrlab.trace(optimizer, { name: "..." })`);
  }
  set.add(t);
}

/**
 * `lrlab.trace(optimizer, { batch_size?, reduction = "mean", per_param = false, name?, metrics? })`:
 * trace every `optimizer.step()` until `trace.stop()`. An active trace of the same optimizer
 * with the same name (default "trace") is stopped and replaced, with a note; other names coexist.
 * `{ name, append: true }` continues the run of that name instead (its steps go on: append.ts).
 */
export function trace(optimizer: TraceableOptimizer, options: TraceOptions = {}): Trace {
  if (
    optimizer === null || typeof optimizer !== "object" || !Array.isArray((optimizer as TraceableOptimizer).param_groups)
    || typeof optimizer.register_step_pre_hook !== "function" || typeof optimizer.register_step_post_hook !== "function"
  ) {
    throw new TypeError("trace: expected a torch.optim optimizer (with param_groups and register_step_pre_hook/register_step_post_hook)");
  }
  const t = (options?.append === true ? continued(optimizer, options) : null) ?? new Trace(optimizer, options);
  replaceSameName(optimizer, t);
  // a name given makes it a run: lrlab.run(name), %lr_compare name (runs.ts saveNamedTrace); a
  // trace continued from a run of several optimizers stays in that run
  if (options.name !== undefined && (find_run(options.name)?.traces.length ?? 0) <= 1) saveNamedTrace(options.name, t);
  t._attach([
    optimizer.register_step_pre_hook((opt: TraceableOptimizer, args: unknown[], kwargs: Record<string, unknown>) => t._before_step(opt, args, kwargs)),
    optimizer.register_step_post_hook((opt: TraceableOptimizer) => t._after_step(opt)),
  ]);
  // clip_grad_norm_/clip_grad_value_ on this optimizer's parameters between its steps (clip.ts)
  t._watch_clipping(new ClipWatch(() => paramSet(t.optimizer)).start(), true);
  return t;
}

/**
 * `trace(optimizer, { name, append: true })`: the trace of the run `name` that `optimizer`
 * continues (append.ts), moved over to it; null when there is no such run (this starts it, with
 * a note when the name is close to a recorded run's).
 */
function continued(optimizer: TraceableOptimizer, options: TraceOptions): Trace | null {
  validateOptions(options);
  const name = options.name;
  if (name === undefined) {
    throw new TypeError('trace: append: true continues the run of a name: give the name, lrlab.trace(optimizer, { name: "...", append: true })');
  }
  const run = find_run(name);
  if (run === undefined || run.traces.length === 0) {
    // a run the limit dropped: its steps are gone, and starting again at step 0 would look like a
    // continued run (the magic's --append errs the same way; this only warned)
    const gone = append_dropped_message(name);
    if (gone !== null) throw new Error(`lrlab.trace: ${gone}`);
    const note = new_run_note(name);
    if (note !== null) console.warn(`lrlab.trace: ${note}`);
    return null;
  }
  if (run._recording) {
    throw new Error(`lrlab.trace: the run ${JSON.stringify(name)} is being recorded by this %%lr_trace cell, which traces every optimizer stepped in it already (_lr_trace is the run)`);
  }
  const t = continuedTrace("lrlab.trace", name, run.traces, run.traces, optimizer);
  const diff = optionDifference(t, options);
  if (diff !== null) {
    throw new Error(`lrlab.trace: append: true continues the run ${JSON.stringify(name)} as it was recorded, and this call gives ${diff}: `
      + "leave those out (the run's are kept), or give the trace another name");
  }
  t._continue(optimizer, options.batch_size);
  return t;
}

/** A row's slot as a series value (SeriesSet.pushRow): the number when finite, else (null included) NaN, a gap. */
function finiteOr(r: Float64Array, none: Uint8Array, at: number): number {
  const x = r[at];
  return none[at] === 0 && x - x === 0 ? x : NaN;
}

/** −x, with 0 staying 0 (not −0). */
const neg = (x: number): number => (x === 0 ? 0 : -x);
