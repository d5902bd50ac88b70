/**
 * A trace's steps, from the optimizer's hooks to measured metrics: the copies (snapshot.ts), the
 * measurement (at once, in place where the native pass runs; else at once, or deferred to the
 * worker thread for large steps: offload.ts, step_job.ts), and what each group's metrics need from
 * the optimizer at the step. What is
 * measured goes to the trace (`StepSink`), which keeps the series, `latest()` and listeners.
 */
import type { Tensor } from "../tensor/tensor";
import type { SparseTensor } from "../tensor/sparse";
import type { Measured, StepMetrics } from "./metrics";
import { forget, poll_job, post_job, wait_job, worker_ready } from "./offload";
import { adamView, factorView, momentumSteady, NEEDS_COPIES, type FactorView, type PreconditionedKind } from "./preconditioned";
import type { Quantiles } from "./quantiles";
import { factorQuantiles, factorRanges, RhoDraws, type FactorRanges } from "./sample";
import { KeptOrder, SmallSteps, smallFactor, small_stats, type SmallSlot } from "./small";
import { Snapshots, type ParamSlot, type Region } from "./snapshot";
import { measureGroup, runJob, type GroupResult, type JobSlot, type StepJob } from "./step_job";
import { StepSums } from "./sums";
import type { TraceableOptimizer } from "./trace";
import { MAIN_OUT } from "./wasm_sums";
import { native_help_wake, native_in_place } from "./native_sums";
import { env } from "../wasm_host";
import { R_PRECONDITIONED, setQuantiles, setScalars, type MetricsRow } from "./row";

/** Where measured steps go (the Trace). */
export interface StepSink {
  /**
   * Records one group's step (and its parameters' with per_param); returns the group's metrics
   * when listeners will hear of the step, else null (trace.ts recordRow).
   */
  record(step: number, gi: number, at: GroupAtStep, meas: Measured, params: Measured[] | null, loss: number | null): StepMetrics | null;
  /** The row to fill for group `gi`'s next `recordRow` (row.ts). */
  rowFor(gi: number): MetricsRow;
  /** Records one group's step from its row (rowFor's, filled), as `record` does from its objects. */
  recordRow(step: number, gi: number, row: MetricsRow, loss: number | null): StepMetrics | null;
  /**
   * A step is measured: its groups' metrics for the listeners (`record`'s, those not null), and
   * the step when some group of it was recorded (−1: none).
   */
  notify(out: StepMetrics[], recorded: number): void;
  /** Keeps an error caught in a hook. */
  fail(e: unknown): void;
}

/** LRLAB_TRACE_IN_PLACE=0: never measure in place (the worker, or copies on this thread). */
let inPlaceAllowed = env("LRLAB_TRACE_IN_PLACE") !== "0";

/** LRLAB_TRACE_SMALL=0: never the small-step path (small.ts; before/after timings). */
const smallAllowed = env("LRLAB_TRACE_SMALL") !== "0";

/** Allows (true) or forbids in-place measurement for the traces' next steps (tests of the worker in a kernel). */
export function set_in_place_allowed(on: boolean): void {
  inPlaceAllowed = on && env("LRLAB_TRACE_IN_PLACE") !== "0";
}

/** Elements per step from which a step is measured on the tracer's worker thread (offload.ts). */
export const OFFLOAD_MIN_ELEMENTS = 65536;
let pipelineIds = 0;

/** What a group's metrics take from the optimizer at the step (the scheduler changes it after). */
export interface GroupAtStep {
  lr: number;
  betas: [number, number] | null;
  momentum: number | null;
  weight_decay: number | null;
  lr_momentum_steady: number | null;
  /** The group's `maximize`: its rates are measured along the gradient the optimizer descends, −g (trace.ts stepMetrics). */
  maximize: boolean;
  /** lr_preconditioned of the group, and of each parameter with per_param (from optimizer state). */
  factor: Quantiles | null;
  param_factors: (Quantiles | null)[] | null;
  /** The parameters' names (per_param). */
  names: string[];
  /** Whether each is a vector (fewer than 2 dims: a bias, a norm's scale; per_param). */
  vectors: boolean[];
}

/** A step measured by step_job.ts, whose metrics are not final yet (see `before`). */
interface DeferredStep {
  step: number;
  loss: number | null;
  /** Per group index: what the metrics need from the optimizer (undefined: nothing captured). */
  groups: (GroupAtStep | undefined)[];
  job: StepJob;
  /** Where its copies are in the trace's memory. */
  region: Region;
  /** The worker's job number once handed over. */
  seq: number | null;
  /** Its results when measured on this thread ahead of its turn (settle). */
  results?: GroupResult[] | null;
}

/** One trace's steps: hooks in, measured metrics out to its StepSink (see the file comment). */
/**
 * A hyper-parameter as a number: a number, or a one-element tensor (PyTorch takes SGD's
 * weight_decay as a tensor, and it was recorded as null: a user's pass); null otherwise.
 */
function scalarOf(x: unknown): number | null {
  if (typeof x === "number") return x;
  if (typeof x === "object" && x !== null && (x as { data?: ArrayLike<number> }).data?.length === 1 && typeof (x as { item?: unknown }).item === "function") {
    return Number((x as { data: ArrayLike<number> }).data[0]);
  }
  return null;
}

/** A group's objects that its post-hooks refresh at each step rather than make anew (StepPipeline `kept`). */
interface KeptGroup {
  /** Its parameters' sums at this step, in order (measureGroup's `sums`). */
  sums: StepSums[];
  /** A parameter's name, for take_after's errors (the string made only when one is thrown). */
  label: (slot: { p: Tensor; index: number }) => string;
  /** The immediate path's GroupAtStep, read by the sink before the next step. */
  at: GroupAtStep;
  /** The parameters' factor views and their ranges (sample.ts factorRanges). */
  views: FactorView[];
  ranges: FactorRanges;
  /** The last betas recorded: the same array while they do not change (frozen: steps' metrics share it). */
  betas: readonly [number, number] | null;
  /**
   * per_param: the parameters' last names and vectors (frozen: read, never written, by the steps
   * that share them), made again when a name or a vector changes (no tensors held: a stopped
   * trace keeps none alive).
   */
  names: string[];
  vectors: boolean[];
  /** The small path's orders of its ρ and of its factor's x (small.ts KeptOrder), made at its first small step. */
  rhoOrder: KeptOrder | null;
  xOrder: KeptOrder | null;
}

/** A small step's `out` without listeners (never written: afterSmall makes its own when one hears). */
const NO_OUT: StepMetrics[] = Object.freeze([]) as unknown as StepMetrics[];

/** The names and vectors of a GroupAtStep without per_param (empty; never written). */
const NO_NAMES: string[] = Object.freeze([]) as unknown as string[];
const NO_VECTORS: boolean[] = Object.freeze([]) as unknown as boolean[];

/** The most elements of a parameter with a gradient (the pre-hook's wake-up of the native helper). */
function largestWithGrad(optimizer: TraceableOptimizer): number {
  let most = 0;
  const groups = optimizer.param_groups;
  for (let gi = 0; gi < groups.length; gi++) {
    const params = groups[gi].params;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      if (p.grad !== null && p.grad !== undefined && p.data.length > most) most = p.data.length;
    }
  }
  return most;
}

function newGroupAtStep(): GroupAtStep {
  return {
    lr: 0, betas: null, momentum: null, weight_decay: null, lr_momentum_steady: null, maximize: false,
    factor: null, param_factors: null, names: NO_NAMES, vectors: NO_VECTORS,
  };
}

/**
 * The group's betas as a frozen pair: the one recorded last while β1 and β2 are the same numbers
 * (Object.is: NaN and −0 kept apart as before), so that a step's metrics make no new array.
 */
function betasOf(kept: KeptGroup, b1: number, b2: number): [number, number] {
  const last = kept.betas;
  if (last !== null && Object.is(last[0], b1) && Object.is(last[1], b2)) return last as [number, number];
  const betas = Object.freeze([b1, b2] as [number, number]);
  kept.betas = betas;
  return betas as [number, number];
}

export class StepPipeline {
  /** θ_t/g_t copies and the per-element pass (snapshot.ts). */
  readonly snapshots = new Snapshots(true);
  /** Measure large steps on the worker thread (tests turn it off to compare). */
  use_worker = true;
  /**
   * Set when `use_worker` was set explicitly (Trace._use_worker: tests of the worker path): the
   * worker then measures large steps even where the native in-place measurement is available.
   */
  worker_forced = false;
  /** This pipeline's number for the worker (which keeps its memory). */
  private readonly id = ++pipelineIds;
  /** Steps measured by step_job.ts whose metrics are not final yet, oldest first (at most two). */
  private deferred: DeferredStep[] = [];
  /** Whether the pre-hook copied every parameter for runJob (see `before`). */
  private captured: Region | null = null;
  private readonly groupSums: StepSums[] = [];
  /** Per group: its ρ sample, drawn as its parameters are measured (sample.ts RhoDraws). */
  private readonly groupDraws: RhoDraws[] = [];

  constructor(
    private readonly sink: StepSink,
    private readonly per_param: boolean,
    private readonly kind: PreconditionedKind | null,
    private readonly metricSet: ReadonlySet<string>,
    private readonly nameOf: (p: Tensor, gi: number, i: number) => string,
  ) {
    this.factors = kind !== null && metricSet.has("lr_preconditioned");
    this.elementwise = metricSet.has("lr_elementwise");
    this.factorCopies = kind !== null && NEEDS_COPIES.has(kind);
    // (per_param and SparseAdam's sparse gradients: the general path)
    this.small = per_param || kind === "SparseAdam" || !smallAllowed ? null : new SmallSteps();
  }

  /**
   * The small-step path (small.ts): a step whose parameters with a gradient are small together is
   * measured by it (the same numbers); null: never (per_param, SparseAdam, LRLAB_TRACE_SMALL=0).
   */
  private readonly small: SmallSteps | null;
  /** Whether the small path may take the coming steps (tests compare it with the general path). */
  use_small = true;
  /** Whether the small path captured this step (its post-hook measures it). */
  private smallCaptured = false;

  /** Whether lr_preconditioned is recorded (the optimizer's factor taken: groupAtStep), and from the step's copies too. */
  private readonly factors: boolean;
  /**
   * Whether lr_elementwise is recorded (the trace's `metrics`): without it, no ρ sample is drawn
   * and no ρ summary taken (as lr_preconditioned's factor is not: `factors`), and latest() has it null.
   */
  private readonly elementwise: boolean;
  private readonly factorCopies: boolean;

  /** The trace stops: every deferred step is finished and the memory goes to the next trace. */
  stop(): void {
    this.settle();
    this.smallCaptured = false;
    this.small?.clear();
    forget(this.id);
    // (stop() from a listener while steps are being settled: those still need the memory)
    if (this.deferred.length === 0) this.snapshots.release_memory();
  }

  /** A loss logged after step() for step `step`: true when that step is still deferred (it takes it). */
  take_loss(step: number, loss: number): boolean {
    const d = this.deferred[this.deferred.length - 1];
    if (d === undefined || d.step !== step) return false;
    d.loss = loss;
    return true;
  }

  /**
   * Pre-hook: snapshot θ_t and g_t of every parameter with a gradient.
   *
   * A large step (OFFLOAD_MIN_ELEMENTS) has all its copies put in the trace's shared memory and,
   * after the post-hook has added θ_{t+1}, becomes a deferred step: at the next pre-hook it is
   * handed to the worker thread (offload.ts), which measures it while the optimizer takes that
   * next step, and that step's post-hook (when the worker is done by then) or the pre-hook after
   * finishes it (series, `latest()`, listeners). Anything that reads the trace finishes every
   * deferred step first (`settle`), so results are the same as measuring at once; only listeners
   * hear of a step later: after the next step (at most two steps behind while training runs).
   */
  before(optimizer: TraceableOptimizer): void {
    this.smallCaptured = false;
    if (this.small !== null && this.use_small && this.deferred.length === 0) {
      try {
        this.captured = null;
        const groups = optimizer.param_groups;
        if (this.small.capture(groups)) {
          // the general path's lists as its capture leaves them: one per group (a step whose
          // closure is never called records each group without gradients, `skip`)
          this.snapshots.empty_lists(groups.length);
          this.smallCaptured = true;
          small_stats.steps++;
          return;
        }
      } catch (e) {
        this.snapshots.clear();
        this.sink.fail(e);
        return;
      }
    }
    try {
      this.captured = null;
      let all = false;
      const inPlace = this.in_place();
      this.snapshots.in_place = inPlace;
      // the native update shares a large parameter's chunks with a helper thread: wake it now
      if (inPlace) native_help_wake(largestWithGrad(optimizer));
      if (this.use_worker && !inPlace) {
        let n = 0;
        for (const g of optimizer.param_groups) for (const p of g.params) if (p.grad !== null && p.grad !== undefined) n += p.data.length;
        all = n >= OFFLOAD_MIN_ELEMENTS && worker_ready() && this.snapshots.shareable();
      }
      // the step handed to the worker at the last pre-hook is done by now: finish it (and every
      // deferred step, when this one is not deferred)
      while (this.deferred.length > 0 && (this.deferred[0].seq !== null || !all)) this.finish(this.deferred.shift() as DeferredStep);
      // copy θ_t, g_t (clear of the last step's copies), then hand that step over: its
      // measurement then overlaps the optimizer's step rather than these copies
      const busy = this.deferred.length > 0 ? this.deferred[0].region : null;
      // g_t of a sparse gradient is its dense equivalent (zeros on the rows it lacks, repeats
      // summed): the copies are taken from that, with the sparse gradient put back after.
      const swapped = this.densifySparseGrads(optimizer);
      try {
        this.captured = this.snapshots.capture(optimizer.param_groups, all, busy);
      } finally {
        if (swapped !== null) for (const [p, g] of swapped) p.grad = g;
      }
      this.setDraws();
      this.handOver();
    } catch (e) {
      this.captured = null;
      this.snapshots.clear();
      this.sink.fail(e);
    }
  }

  /**
   * Each group's ρ sample for this step (sample.ts RhoDraws), its parameters' shares given to them
   * in order before the step: SGD's native update takes a parameter's along as it updates it, the
   * post-hook the others (snapshot.ts measure_slot).
   */
  private setDraws(): void {
    if (!this.elementwise) return;
    const pending = this.snapshots.pending;
    for (let gi = 0; gi < pending.length; gi++) {
      const slots = pending[gi];
      if (slots === undefined || slots.length === 0) continue;
      const draws = (this.groupDraws[gi] ??= new RhoDraws());
      let N = 0;
      for (const slot of slots) N += slot.theta.length;
      draws.begin(N);
      for (const slot of slots) this.snapshots.set_draws(slot, draws);
      if (this.per_param) for (const slot of slots) this.snapshots.set_param_draws(slot);
    }
  }

  /**
   * Whether steps are measured at once on this thread, in place (snapshot.ts `in_place`): where
   * the native pass runs (native_sums.ts), unless the worker was asked for explicitly or
   * LRLAB_TRACE_IN_PLACE=0. Why not the worker there: its measurement needs every array copied
   * into the trace's shared memory (2.4 MB a step for a 784-256-10 MLP) and read again, and on a
   * machine whose cores the matrix products keep busy it waits for a core; in place, one copy
   * (θ_t) and the native pass (~0.1 ms for that MLP) on this thread cost less (PERF.md, session 19).
   */
  in_place(): boolean {
    return !this.worker_forced && inPlaceAllowed && native_in_place();
  }

  /** Whether a large step is measured on the worker thread (its listeners hear of it later). */
  defers(): boolean {
    return this.use_worker && !this.in_place();
  }

  /**
   * Per parameter with a sparse gradient at this step: the element positions it holds (its
   * coalesced rows' elements), which SparseAdam's factor is taken over (preconditioned.ts).
   */
  private readonly present = new WeakMap<Tensor, Float64Array>();

  /**
   * Gives each parameter with a sparse gradient its dense equivalent as `.grad` (for the copies of
   * g_t), noting the positions present; returns the sparse gradients to put back (null: none).
   * One check per parameter when no gradient is sparse.
   */
  private densifySparseGrads(optimizer: TraceableOptimizer): [Tensor, Tensor][] | null {
    let swapped: [Tensor, Tensor][] | null = null;
    // indexed loops: for-of makes an iterator per array where V8 does not optimize it away (each step)
    const groups = optimizer.param_groups;
    for (let gi = 0; gi < groups.length; gi++) {
      const params = groups[gi].params;
      for (let i = 0; i < params.length; i++) {
        const p = params[i];
        const g = p.grad;
        if (g === null || g === undefined || !g.is_sparse) continue;
        const c = g.coalesce() as SparseTensor;
        const nnz = c._nnz();
        const B = nnz === 0 ? 0 : c._values().numel() / nnz;
        const starts = c._entry_offsets();
        const at = new Float64Array(nnz * B);
        for (let k = 0; k < nnz; k++) for (let j = 0; j < B; j++) at[k * B + j] = starts[k] + j;
        this.present.set(p, at);
        (swapped ??= []).push([p, g]);
        p.grad = c.to_dense();
      }
    }
    return swapped;
  }

  /** A step that cannot be measured (said in `errors`): its post-hook records nothing for it. */
  skip(reason: Error): void {
    this.captured = null;
    this.smallCaptured = false;
    this.snapshots.clear();
    this.sink.fail(reason);
  }

  /** Hands the newest deferred step to the worker, or measures it here when the worker cannot. */
  private handOver(): void {
    const d = this.deferred[0];
    if (d === undefined || d.seq !== null) return;
    const mod = this.snapshots.module();
    if (mod !== null && this.use_worker && worker_ready()) d.seq = post_job(this, this.id, mod.memory, d.job);
    else this.finish(this.deferred.shift() as DeferredStep);
  }

  /** Makes every deferred step final (anything that reads the trace calls this first). */
  settle(): void {
    // No re-entrancy flag: a listener reading the trace from inside `finish` settles the rest
    // itself (each step is taken off the list before it is finished), and a flag left set by an
    // interrupt (which unwinds without `finally`) would stop the trace from ever settling again.
    // The steps not handed over are measured here first, while the worker finishes its own.
    for (const d of this.deferred) if (d.seq === null && d.results === undefined) d.results = this.measureHere(d);
    while (this.deferred.length > 0) this.finish(this.deferred.shift() as DeferredStep);
  }

  /** A deferred step measured on this thread (null: it failed, said in `errors`). */
  private measureHere(d: DeferredStep): GroupResult[] | null {
    try {
      const mod = this.snapshots.module();
      if (mod === null) throw new Error("trace: the step's copies are gone (no WebAssembly module)");
      return runJob(mod, d.job, MAIN_OUT);
    } catch (e) {
      this.sink.fail(e);
      return null;
    }
  }

  /** A deferred step's results (from the worker, or measured here), then its metrics. */
  private finish(d: DeferredStep): void {
    let results: GroupResult[] | null = d.results ?? null;
    if (results === null) {
      const reply = d.seq !== null ? wait_job(d.seq) : null;
      if (reply !== null && "results" in reply) results = reply.results;
      else {
        // the worker failed (it should not): said once, and this trace stops using it
        if (reply !== null) {
          this.sink.fail(new Error(reply.error));
          this.use_worker = false;
        }
        results = this.measureHere(d);
      }
    }
    const out: StepMetrics[] = [];
    let recorded = -1;
    if (results !== null) {
      try {
        let k = 0;
        d.groups.forEach((g, gi) => {
          if (g === undefined) return;
          const r = results?.[k++] as GroupResult;
          const m = this.sink.record(d.step, gi, g, r.measured, r.params, d.loss);
          recorded = d.step;
          if (m !== null) out.push(m);
        });
      } catch (e) {
        this.sink.fail(e);
      }
    }
    this.sink.notify(out, recorded);
  }

  /** Post-hook of step `step` (with its loss, if logged before): measured now or deferred. */
  after(optimizer: TraceableOptimizer, step: number, loss: number | null): void {
    if (this.smallCaptured) {
      this.smallCaptured = false;
      this.afterSmall(optimizer, step, loss);
      return;
    }
    if (this.captured !== null) {
      try {
        if (this.defer(step, loss, optimizer)) return;
      } catch (e) {
        this.snapshots.release();
        this.sink.fail(e);
        this.sink.notify([], -1);
        return;
      }
    }
    // measured now: the deferred steps before it are finished first, so steps are recorded in order
    if (this.deferred.length > 0) this.settle();
    const out: StepMetrics[] = [];
    let recorded = -1;
    try {
      const groups = optimizer.param_groups;
      for (let gi = 0; gi < groups.length; gi++) {
        const slots = this.snapshots.pending[gi];
        if (slots === undefined) continue;
        // One pass per parameter; the group's sums are theirs combined.
        const total = (this.groupSums[gi] ??= new StepSums()).reset();
        const kept = this.kept(gi);
        const sums = kept.sums;
        for (let k = 0; k < slots.length; k++) {
          const slot = slots[k];
          this.snapshots.take_after(slot, kept.label);
          this.snapshots.measure_slot(slot);
          total.add(slot.sums);
          sums[k] = slot.sums;
        }
        if (sums.length !== slots.length) sums.length = slots.length;
        const draws = this.groupDraws[gi] ?? null;
        const r = measureGroup(slots, sums, total, this.per_param, draws, this.per_param ? slots.map((slot) => slot.paramRho) : null, this.elementwise);
        draws?.clear();
        if (this.per_param) for (const slot of slots) slot.paramRho?.clear();
        const m = this.sink.record(step, gi, this.groupAtStep(optimizer, gi, slots, kept.at), r.measured, r.params, loss);
        recorded = step;
        if (m !== null) out.push(m);
      }
    } catch (e) {
      this.sink.fail(e);
    }
    this.snapshots.release();
    this.sink.notify(out, recorded);
  }

  /**
   * The post-hook of a step the small path captured (small.ts): each group captured measured by
   * it, in the general path's order (a parameter that changed size stops the step there, as
   * take_after's error does), with its hyper-parameters and factor (`smallRow`).
   */
  private afterSmall(optimizer: TraceableOptimizer, step: number, loss: number | null): void {
    const small = this.small as SmallSteps;
    let out: StepMetrics[] = NO_OUT;
    let recorded = -1;
    try {
      const groups = optimizer.param_groups;
      const G = groups.length < small.groups ? groups.length : small.groups;
      for (let gi = 0; gi < G; gi++) {
        const kept = this.kept(gi);
        const row = this.sink.rowFor(gi);
        small.measureGroup(gi, (this.groupSums[gi] ??= new StepSums()), this.elementwise, kept.label, (kept.rhoOrder ??= new KeptOrder()), row);
        this.smallRow(groups[gi], optimizer.state, small.lists[gi], kept, row);
        const m = this.sink.recordRow(step, gi, row, loss);
        recorded = step;
        if (m !== null) {
          if (out === NO_OUT) out = [];
          out.push(m);
        }
      }
    } catch (e) {
      this.sink.fail(e);
    }
    small.release();
    this.sink.notify(out, recorded);
  }

  /**
   * groupAtStep of a small step, into its row (row.ts): the group's hyper-parameters and its
   * factor's summary, by small.ts when it can.
   */
  private smallRow(group: TraceableOptimizer["param_groups"][number], state: TraceableOptimizer["state"], slots: readonly SmallSlot[], kept: KeptGroup, row: MetricsRow): void {
    const kind = this.kind;
    // each of the group's properties read once (a group's property read is a megamorphic load:
    // optimizers' groups do not share their shapes), the lr and betas for the scalars too
    const lr = Number(group.lr), betas = group.betas;
    let views: FactorView[] | null = null;
    if (kind !== null && slots.length > 0 && this.factors) {
      views = kept.views;
      if (kind === "Adam") {
        const eps = group.eps as number, amsgrad = group.amsgrad;
        for (let k = 0; k < slots.length; k++) {
          const slot = slots[k];
          const v = adamView(lr, betas, eps, amsgrad, state.get(slot.p), slot.theta.length, views[k] ?? null);
          if (v === null) {
            views = null;
            break;
          }
          views[k] = v;
        }
      } else {
        const copies = this.factorCopies;
        for (let k = 0; k < slots.length; k++) {
          const slot = slots[k];
          const v = factorView(kind, group, state.get(slot.p), slot.theta.length, null, copies ? slot : null, views[k] ?? null);
          if (v === null) {
            views = null;
            break;
          }
          views[k] = v;
        }
      }
      if (views !== null && views.length !== slots.length) views.length = slots.length;
    }
    row.factorLater = false;
    if (views === null) row.none[R_PRECONDITIONED] = 1;
    else if (!smallFactor(views, (kept.xOrder ??= new KeptOrder()), row)) setQuantiles(row, R_PRECONDITIONED, factorQuantiles(views, factorRanges(views, kept.ranges)));
    setScalars(row, this.scalarsInto(group, kept, kept.at, lr, betas));
  }

  /**
   * The post-hook of a step whose copies are all in the shared memory: θ_{t+1} joins them and
   * the step waits in `deferred` for its measurement. False (measure it now) when a parameter
   * left the memory during the step (its dtype changed).
   */
  private defer(step: number, loss: number | null, optimizer: TraceableOptimizer): boolean {
    const region = this.captured as Region;
    this.captured = null;
    const pending = this.snapshots.pending;
    const jobGroups: JobSlot[][] = [];
    for (let gi = 0; gi < pending.length; gi++) {
      const slots = pending[gi];
      if (slots === undefined) continue;
      const list: JobSlot[] = [];
      for (const slot of slots) {
        this.snapshots.take_after(slot, this.kept(gi).label);
        if (slot.place === null) return false;
        list.push(slot.place);
      }
      jobGroups.push(list);
    }
    const groups: (GroupAtStep | undefined)[] = [];
    for (let gi = 0; gi < pending.length; gi++) {
      if (pending[gi] !== undefined) groups[gi] = this.groupAtStep(optimizer, gi, pending[gi]);
    }
    this.deferred.push({ step, loss, groups, job: { groups: jobGroups, per_param: this.per_param, elementwise: this.elementwise }, region, seq: null });
    this.snapshots.release();
    // the step handed over at this step's pre-hook is usually measured by now: finish it when its
    // reply is there (no waiting), so listeners are one step behind rather than two
    const first = this.deferred[0];
    if (first.seq !== null && poll_job(first.seq) !== undefined) this.finish(this.deferred.shift() as DeferredStep);
    return true;
  }

  /** Per group index: what its post-hooks keep from one step to the next (`kept`). */
  private readonly keptOf: KeptGroup[] = [];

  /** Group `gi`'s objects kept across steps (made at its first step). */
  private kept(gi: number): KeptGroup {
    let k = this.keptOf[gi];
    if (k === undefined) {
      const nameOf = this.nameOf;
      k = {
        sums: [],
        label: (slot) => nameOf(slot.p, gi, slot.index),
        at: newGroupAtStep(),
        views: [],
        ranges: { f: [], x: [] },
        betas: null,
        names: NO_NAMES,
        vectors: NO_VECTORS,
        rhoOrder: null,
        xOrder: null,
      };
      this.keptOf[gi] = k;
    }
    return k;
  }

  /**
   * What group `gi`'s metrics need from the optimizer now (its hyper-parameters and state), into
   * `into` when given (the immediate path, whose sink reads it before the next step: the tracer's
   * fixed per-step cost on tiny models, PERF.md session 22), else into a new object (a deferred
   * step keeps it until measured). The factor views and their ranges are the group's kept ones,
   * refreshed: factorQuantiles reads them at once and keeps nothing.
   */
  /**
   * per_param: the parameters' names and whether each is a vector into `at`: the arrays of the
   * last step while they are the same (a name set by `trace.names()` between steps makes new ones).
   */
  private namesOf(kept: KeptGroup, gi: number, slots: readonly ParamSlot[], at: GroupAtStep): void {
    let same = kept.names.length === slots.length;
    for (let k = 0; same && k < slots.length; k++) {
      const slot = slots[k];
      same = kept.names[k] === this.nameOf(slot.p, gi, slot.index) && kept.vectors[k] === slot.p.dim() < 2;
    }
    if (!same) {
      kept.names = Object.freeze(slots.map((slot) => this.nameOf(slot.p, gi, slot.index))) as string[];
      kept.vectors = Object.freeze(slots.map((slot) => slot.p.dim() < 2)) as boolean[];
    }
    at.names = kept.names;
    at.vectors = kept.vectors;
  }

  /** The group's hyper-parameters at the step into `at` (groupAtStep, smallRow). */
  private scalarsInto(group: TraceableOptimizer["param_groups"][number], kept: KeptGroup, at: GroupAtStep, lr = Number(group.lr), b: unknown = group.betas): GroupAtStep {
    const betas = Array.isArray(b) ? betasOf(kept, Number(b[0]), Number(b[1])) : null;
    at.lr = lr;
    at.betas = betas;
    at.momentum = scalarOf(group.momentum) ?? (betas ? betas[0] : null);
    at.weight_decay = scalarOf(group.weight_decay);
    at.lr_momentum_steady = momentumSteady(this.kind, group);
    at.maximize = group.maximize === true;
    return at;
  }

  private groupAtStep(optimizer: TraceableOptimizer, gi: number, slots: readonly ParamSlot[], into: GroupAtStep | null = null): GroupAtStep {
    const group = optimizer.param_groups[gi];
    const kept = this.kept(gi);
    // The optimizer's factor views (null: not available for this optimizer/state).
    let views: FactorView[] | null = null;
    const kind = this.kind;
    if (kind !== null && slots.length > 0 && this.factors) {
      views = kept.views;
      const copies = this.factorCopies;
      const state = optimizer.state;
      for (let k = 0; k < slots.length; k++) {
        const slot = slots[k];
        const present = kind === "SparseAdam" ? (this.present.get(slot.p) ?? null) : null;
        const v = factorView(kind, group, state.get(slot.p), slot.theta.length, present, copies ? slot : null, views[k] ?? null);
        if (v === null) {
          views = null;
          break;
        }
        views[k] = v;
      }
      if (views !== null && views.length !== slots.length) views.length = slots.length;
    }
    // each view's exact range once: the group's summary and each parameter's read the same views
    const ranges = views !== null ? factorRanges(views, kept.ranges) : null;
    const at = this.scalarsInto(group, kept, into ?? newGroupAtStep());
    at.factor = views !== null ? factorQuantiles(views, ranges!) : null;
    if (this.per_param) {
      at.param_factors = slots.map((_, k) => (views ? factorQuantiles([views[k]], { f: [ranges!.f[k]], x: [ranges!.x[k]] }) : null));
      this.namesOf(kept, gi, slots, at);
    } else {
      at.param_factors = null;
      at.names = NO_NAMES;
      at.vectors = NO_VECTORS;
    }
    return at;
  }
}
